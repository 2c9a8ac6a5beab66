"""Transposed convolutions, as ``torch.nn.functional.conv_transpose2d`` / ``conv_transpose1d``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short.

A transposed convolution is the gradient of ``conv2d`` with respect to its input. NumPy has a
kernel of its own (one graph node, ``_window_kernels``). Elsewhere it is built from the
standard's operations, so it runs and differentiates (to any order) on every backend, in one
of two ways (``_composite`` picks): as PyTorch computes it (col2im: every input position's
channels times the weight give a (C_out, kH, kW) block, and ``fold`` adds the blocks into the
output at the stride), or as a ``conv2d`` of the input spread out by the stride, which is
faster on array-api-strict but multiplies the weight by the zeros put in (for a finite weight
only: an infinite one would give NaN there where PyTorch gives inf).
"""

from __future__ import annotations

from typing import Any, cast

from .._ops.creation import zeros
from .._ops.data_types import astype
from .._ops.elementwise import isfinite
from .._ops.linear_algebra import matmul, matrix_transpose
from .._ops.manipulation import concat, expand_dims, flip, permute_dims, reshape, stack
from .._ops.statistical import all as all_
from .._tensor import Tensor
from ..autograd import no_grad
from ._errors import LayerArgumentError
from ._resample import fold
from ._window_kernels import conv_transpose2d_kernel, takes_window_kernels
from .functional import _batched, _int, _one_dtype, _pad_hw, _pair, _single, _tensor, conv2d

__all__ = ["conv_transpose1d", "conv_transpose2d"]


def _positive_int(v: Any, name: str, where: str) -> int:
    i = _int(v)
    if i is None:
        raise TypeError(f"{where}() expects {name} to be an int; got {v!r}")
    if i < 1:
        raise LayerArgumentError(f"{where}() expects {name} to be a positive int; got {v!r}")
    return i


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """2-D transposed convolution (the gradient of ``conv2d`` with respect to its input), as
    ``torch.nn.functional.conv_transpose2d``; note the order of the arguments, PyTorch's:
    ``groups`` comes before ``dilation``.

    The output has size ``(H - 1) * stride - 2 * padding + dilation * (kH - 1) +
    output_padding + 1`` (and the same for the width).

    Parameters
    ----------
    input : Tensor
        Shape (N, C_in, H, W) or (C_in, H, W).
    weight : Tensor
        Shape (C_in, C_out / groups, kH, kW).
    bias : Tensor, optional
        Shape (C_out,).
    stride, padding, output_padding, dilation : int or (int, int)
        ``padding`` is the padding of the ``conv2d`` this one transposes: it crops
        ``dilation * (k - 1) - padding`` from each side of the full result; ``output_padding``
        adds rows and columns at the bottom and right (it must be smaller than the stride or
        the dilation).
    groups : int
        Split the channels into ``groups`` independent transposed convolutions.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.conv_transpose2d(pt.ones((1, 1, 2, 2)), pt.ones((1, 1, 2, 2)))[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]], backend='numpy')
    >>> F.conv_transpose2d(pt.ones((1, 4, 5, 5)), pt.ones((4, 3, 4, 4)), stride=2, padding=1).shape
    (1, 3, 10, 10)
    """
    where_ = "conv_transpose2d"
    x = _tensor(input, where_)
    w = _tensor(weight, where_, "weight")
    if x.ndim not in (3, 4):
        raise LayerArgumentError(
            f"{where_}() expects a 3-D (C, H, W) or 4-D (N, C, H, W) input; got shape {x.shape}"
        )
    x, unbatched = _batched(x, where_)
    if w.ndim != 4:
        raise LayerArgumentError(
            f"{where_}() expects a 4-D weight (C_in, C_out/groups, kH, kW); got shape {w.shape}"
        )
    geometry = {
        name: _pair(v, name, where_)
        for name, v in (
            ("stride", stride),
            ("padding", padding),
            ("output_padding", output_padding),
            ("dilation", dilation),
        )
    }
    out = _transposed(x, w, bias, groups, geometry, where_)
    return out[0] if unbatched else out


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """1-D transposed convolution, as ``torch.nn.functional.conv_transpose1d``:
    ``conv_transpose2d`` of the input and weight with a height of 1.

    Parameters
    ----------
    input : Tensor
        Shape (N, C_in, L) or (C_in, L).
    weight : Tensor
        Shape (C_in, C_out / groups, k).
    bias : Tensor, optional
        Shape (C_out,).
    stride, padding, output_padding, dilation : int or (int,)
    groups : int

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.conv_transpose1d(pt.ones((1, 1, 3)), pt.ones((1, 1, 2)), stride=2)
    tensor([[[1., 1., 1., 1., 1., 1.]]], backend='numpy')
    """
    where_ = "conv_transpose1d"
    x = _tensor(input, where_)
    w = _tensor(weight, where_, "weight")
    if x.ndim not in (2, 3):
        raise LayerArgumentError(
            f"{where_}() expects a 2-D (C, L) or 3-D (N, C, L) input; got shape {x.shape}"
        )
    if w.ndim != 3:
        raise LayerArgumentError(
            f"{where_}() expects a 3-D weight (C_in, C_out/groups, k); got shape {w.shape}"
        )
    geometry = {
        name: (first, _single(v, name, where_))
        for name, v, first in (
            ("stride", stride, 1),
            ("padding", padding, 0),
            ("output_padding", output_padding, 0),
            ("dilation", dilation, 1),
        )
    }
    x4 = expand_dims(x if x.ndim == 3 else expand_dims(x, axis=0), axis=-2)
    out = _transposed(x4, expand_dims(w, axis=-2), bias, groups, geometry, where_)
    # (reshaped, not indexed: an array of its own, which .view() takes, as PyTorch's is)
    out = reshape(out, (*out.shape[:2], out.shape[-1]))
    return out[0] if x.ndim == 2 else out


def _transposed(
    x: Tensor,
    w: Tensor,
    bias: Tensor | None,
    groups: Any,
    geometry: dict[str, tuple[int, int]],
    where_: str,
) -> Tensor:
    """The transposed convolution of ``x`` (N, C_in, H, W) and ``w`` (C_in, C_out/groups, kH,
    kW) after checking its arguments as PyTorch does; ``where_`` names the caller in errors."""
    dims = 1 if where_.endswith("1d") else 2
    shown = {k: v[-dims:] if dims == 1 else v for k, v in geometry.items()}

    def show(name: str) -> str:
        v = shown[name]
        return f"({v[0]},)" if dims == 1 else str(v)

    groups = _positive_int(groups, "groups", where_)
    (sh, sw), (ph, pw) = geometry["stride"], geometry["padding"]
    (oh, ow), (dh, dw) = geometry["output_padding"], geometry["dilation"]
    for name, low in (("stride", 1), ("dilation", 1), ("padding", 0), ("output_padding", 0)):
        if min(geometry[name]) < low:
            raise LayerArgumentError(
                f"{where_}() expects {name} to be {'positive' if low else 'non-negative'}; "
                f"got {show(name)}"
            )
    if not (oh < sh or oh < dh) or not (ow < sw or ow < dw):
        raise LayerArgumentError(
            f"{where_}(): output_padding {show('output_padding')} must be smaller than either "
            f"stride {show('stride')} or dilation {show('dilation')}; lower output_padding (it "
            f"only picks among the output sizes that a stride greater than 1 makes possible)"
        )
    # every size is known here: a transposed convolution cannot run on lazy unknown sizes
    _, c, h, wd = cast("tuple[int, int, int, int]", x.shape)
    ci, og, kh, kw = cast("tuple[int, int, int, int]", w.shape)
    wshape = tuple(w.shape) if dims == 2 else (ci, og, kw)
    if ci % groups:
        raise LayerArgumentError(
            f"{where_}() got groups={groups} and a weight of shape {wshape}; the weight's first "
            f"dimension (C_in) must be divisible by groups"
        )
    if c != ci:
        raise LayerArgumentError(
            f"{where_}() got an input with {c} channels for a weight of shape {wshape}, which "
            f"expects {ci} (a transposed convolution's weight is (C_in, C_out/groups, "
            f"{'kH, kW' if dims == 2 else 'k'}))"
        )
    o = og * groups
    if bias is not None:
        bias = b = _tensor(bias, where_, "bias")
        if tuple(b.shape) != (o,):
            raise LayerArgumentError(
                f"{where_}() expects a bias of shape ({o},), one per output channel; got shape "
                f"{tuple(b.shape)}"
            )
        if b.dtype is not x.dtype and b.dtype.kind == "real floating":
            # Note: PyTorch's conv_transpose1d/2d take a floating bias of another dtype in the
            # input's (its conv_transpose3d and the convolutions refuse it)
            bias = astype(b, x.dtype)
    _one_dtype(where_, x, w, bias)
    ho = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oh + 1
    wo = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + ow + 1
    if ho < 1 or wo < 1:
        size_in, size_out = (f"({h} x {wd})", f"({ho} x {wo})") if dims == 2 else (wd, wo)
        raise LayerArgumentError(
            f"{where_}(): for an input of size {size_in} per channel the output would have size "
            f"{size_out}, which is too small; lower padding or raise the kernel size, stride or "
            f"dilation"
        )
    out: Tensor
    if groups == 1 and takes_window_kernels(x, w):  # (NumPy's kernel: one node)
        out = conv_transpose2d_kernel(
            x,
            w,
            (((kh, kw), (sh, sw), (dh, dw), (h, wd)), (ho + 2 * ph, wo + 2 * pw), (ph, pw)),
            lambda xs, ws: _composite(xs, ws, 1, geometry, (ho, wo)),
        )
    else:
        out = _composite(x, w, groups, geometry, (ho, wo))
    return out if bias is None else out + reshape(bias, (o, 1, 1))


def _composite(
    x: Tensor,
    w: Tensor,
    groups: int,
    geometry: dict[str, tuple[int, int]],
    out_hw: tuple[int, int],
) -> Tensor:
    """The transposed convolution (no bias) from the table's ops, on every backend,
    differentiable to any order; its arguments checked by ``_transposed``.

    On a lazy backend (Dask), by blocks (``_by_blocks``: PyTorch's col2im, the faster one
    there). Elsewhere by ``conv2d`` (``_by_convolution``: 1.2-2.5x faster on
    array-api-strict) where the weight is finite, and by blocks where it is not: the
    convolution multiplies the weight by the zeros that the stride and the padding put in, NaN
    where an infinite weight gives PyTorch inf."""
    if x._backend.lazy or not _finite(w):
        return _by_blocks(x, w, groups, geometry, out_hw)
    return _by_convolution(x, w, groups, geometry, out_hw)


def _finite(w: Tensor) -> bool:
    """Whether every element of ``w`` is finite (read once, outside any graph)."""
    with no_grad():
        return bool(all_(isfinite(w)))


def _by_blocks(
    x: Tensor,
    w: Tensor,
    groups: int,
    geometry: dict[str, tuple[int, int]],
    out_hw: tuple[int, int],
) -> Tensor:
    """``_composite`` as PyTorch computes it (col2im): each input position's channels times
    the weight give that position's (C_out, kH, kW) block, one product for all, and ``fold``
    adds the blocks into the output at the stride, as far as the full result goes; the padding
    is then cropped (and ``output_padding`` rows and columns past the full result are zeros).
    The weight never meets a zero that the stride or the padding put in."""
    (sh, sw), (ph, pw) = geometry["stride"], geometry["padding"]
    (dh, dw) = geometry["dilation"]
    ho, wo = out_hw
    n, _, h, wd = cast("tuple[int, int, int, int]", x.shape)
    ci, og, kh, kw = cast("tuple[int, int, int, int]", w.shape)
    cg = ci // groups
    # (N, g, C_in/g, H*W) by the weight (g, C_in/g, C_out/g*kH*kW): blocks (N, g, C_out/g*kH*kW,
    # H*W), whose rows are (C_out, kH, kW) in fold's order
    xs = reshape(x, (n, groups, cg, h * wd))
    ws = reshape(w, (groups, cg, og * kh * kw))
    blocks = reshape(matmul(matrix_transpose(ws), xs), (n, groups * og * kh * kw, h * wd))
    full_h, full_w = (h - 1) * sh + dh * (kh - 1) + 1, (wd - 1) * sw + dw * (kw - 1) + 1
    out = fold(blocks, (full_h, full_w), (kh, kw), dilation=(dh, dw), stride=(sh, sw))
    grow_h, grow_w = max(ph + ho - full_h, 0), max(pw + wo - full_w, 0)
    if grow_h or grow_w:  # output_padding past the full result
        out = _pad_hw(out, 0, grow_h, 0, grow_w)
    return out[:, :, ph : ph + ho, pw : pw + wo]


def _by_convolution(
    x: Tensor,
    w: Tensor,
    groups: int,
    geometry: dict[str, tuple[int, int]],
    out_hw: tuple[int, int],
) -> Tensor:
    """``_composite`` by ``conv2d``: the input spread out by the stride (``stride - 1`` zeros
    after each element), padded by ``dilation * (kernel - 1) - padding`` on each side (cropped
    where that is negative) and by ``output_padding`` more, convolved with the weight flipped
    in both spatial axes and its channel axes swapped within each group; with a stride above 1
    and no dilation, by phases instead (``_by_phases``). The weight meets the zeros put in, so
    this is for a finite weight alone."""
    (sh, sw), (ph, pw) = geometry["stride"], geometry["padding"]
    (dh, dw) = geometry["dilation"]
    ho, wo = out_hw
    ci, og, kh, kw = cast("tuple[int, int, int, int]", w.shape)
    o = og * groups
    # (C_in, C_out/g, kH, kW) -> (C_out, C_in/g, kH, kW), group by group
    wt = reshape(w, (groups, ci // groups, og, kh, kw))
    wt = reshape(permute_dims(wt, (0, 2, 1, 3, 4)), (o, ci // groups, kh, kw))
    if (dh, dw) == (1, 1) and (sh, sw) != (1, 1):
        return _by_phases(x, wt, (sh, sw), (ph, pw), (ho, wo), groups)
    # rows start..stop of the input spread out by the stride, in its own coordinates: the
    # full transposed result is cropped by `padding` and grown by `output_padding`
    th, tw = dh * (kh - 1) - ph, dw * (kw - 1) - pw
    x = _spread(x, 2, sh, -th, ho + dh * (kh - 1) - th)
    x = _spread(x, 3, sw, -tw, wo + dw * (kw - 1) - tw)
    if kh > 1 or kw > 1:
        wt = flip(wt, axis=(2, 3))
    return conv2d(x, wt, None, 1, 0, (dh, dw), groups)


def _by_phases(
    x: Tensor,
    wt: Tensor,
    stride: tuple[int, int],
    padding: tuple[int, int],
    out_hw: tuple[int, int],
    groups: int,
) -> Tensor:
    """The strided transposed convolution (dilation 1, no bias) without the stride's zeros:
    output row ``o`` takes only the taps ``k`` with ``k = (o + padding) mod stride`` (mod the
    stride), so each of the ``sh * sw`` phases of the output is a stride-1 convolution of the
    input with the sub-kernel ``wt[..., qh::sh, qw::sw]``; the phases are then interleaved.
    ``wt`` is (C_out, C_in/groups, kH, kW), channels already swapped, not flipped. Same numbers
    as spreading the input, with ``sh * sw`` times fewer multiplications."""
    (sh, sw), (ph, pw), (ho, wo) = stride, padding, out_hw
    n, _, h, wd = cast("tuple[int, int, int, int]", x.shape)
    o, _, kh, kw = cast("tuple[int, int, int, int]", wt.shape)
    # phase (qh, qw), row m, column j is output (m * sh + qh - ph, j * sw + qw - pw)
    mh, mw = -(-(ph + ho) // sh), -(-(pw + wo) // sw)
    rows = []
    for qh in range(sh):
        cols = []
        for qw in range(sw):
            sub = wt[:, :, qh::sh, qw::sw]
            kqh, kqw = -(-(kh - qh) // sh), -(-(kw - qw) // sw)
            if kqh < 1 or kqw < 1:  # (a kernel smaller than the stride: no tap here)
                cols.append(zeros((n, o, mh, mw), dtype=x.dtype, device=x.device))
                continue
            # y[m] = sum_j x[m - j] * sub[j]: a full correlation with the flipped sub-kernel
            full = (kqh - 1, kqh - 1 + max(mh - (h + kqh - 1), 0))
            full_w = (kqw - 1, kqw - 1 + max(mw - (wd + kqw - 1), 0))
            xp = _pad_hw(x, *full, *full_w) if max(*full, *full_w) else x
            y = conv2d(xp, flip(sub, axis=(2, 3)), None, 1, 0, 1, groups)
            cols.append(y[:, :, :mh, :mw])
        rows.append(stack(cols, axis=4))  # N, C, Mh, Mw, sw
    out = reshape(stack(rows, axis=3), (n, o, mh * sh, mw * sw))  # N, C, Mh, sh, Mw, sw
    return out[:, :, ph : ph + ho, pw : pw + wo]


def _spread(x: Tensor, axis: int, stride: int, start: int, stop: int) -> Tensor:
    """Positions ``start`` to ``stop`` of ``x`` (N, C, H, W) spread out along ``axis`` (2 or
    3) by ``stride``: ``stride - 1`` zeros after each element; zeros outside."""
    size = cast("int", x.shape[axis])
    if stride > 1:
        xe = expand_dims(x, axis=axis + 1)
        gap = [*xe.shape]
        gap[axis + 1] = stride - 1
        xe = concat([xe, zeros(tuple(gap), dtype=x.dtype, device=x.device)], axis=axis + 1)
        shape = [*x.shape]
        shape[axis] = size * stride
        x = reshape(xe, tuple(shape))
    length = size * stride
    lo, hi = max(start, 0), min(stop, length)
    if (lo, hi) != (0, length):
        x = x[:, :, lo:hi] if axis == 2 else x[:, :, :, lo:hi]
    before, after = max(-start, 0), max(stop - length, 0)
    if before or after:
        x = _pad_hw(x, before, after, 0, 0) if axis == 2 else _pad_hw(x, 0, 0, before, after)
    return x
