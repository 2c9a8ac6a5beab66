"""3-D convolutions, as ``torch.nn.functional.conv3d`` / ``conv_transpose3d``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short.

Both fold the depth axis into the 2-D functions: a ``conv3d`` stacks the ``kD`` depth-shifted
(strided) views of its input as extra channels of one ``conv2d`` over every output depth at
once, whose weight is the 3-D weight with its depth taps folded into its input channels. A
``conv_transpose3d`` runs one ``conv_transpose2d`` whose output channels carry the depth taps,
and adds each tap's planes at their depths. Everything is built from the standard's operations
and the 2-D functions (their fast kernels where a backend has them), so it runs and
differentiates, to any order, on every backend.
"""

from __future__ import annotations

from typing import Any, cast

from .._ops.creation import zeros
from .._ops.manipulation import concat, expand_dims, permute_dims, reshape, stack
from .._tensor import Tensor
from ._conv_transpose import conv_transpose2d
from ._errors import LayerArgumentError
from .functional import _int, _one_dtype, _tensor, conv2d

__all__ = ["conv3d", "conv_transpose3d"]


def _triple(v: Any, name: str, where: str) -> tuple[int, int, int]:
    """``v`` as three ints (depth, height, width): an int (a NumPy integer too) for all three,
    or a sequence of one or three, as PyTorch's 3-D layers take their parameters."""
    if isinstance(v, (tuple, list)) and len(v) in (1, 3):
        items = [_int(i) for i in v]
        if None not in items:
            return cast("tuple[int, int, int]", tuple(items) if len(items) == 3 else items * 3)
    elif (i := _int(v)) is not None:
        return (i, i, i)
    if isinstance(v, (tuple, list)) and all(_int(i) is not None for i in v):
        raise LayerArgumentError(
            f"{where}() expects {name} to be an int or a tuple of three ints (depth, height, "
            f"width); got {len(v)} of them: {v!r}"
        )
    raise TypeError(f"{where}() expects {name} to be an int or a tuple of three ints; got {v!r}")


def _batched5(x: Tensor, where: str) -> tuple[Tensor, bool]:
    """``x`` as (N, C, D, H, W), and whether it came without its batch dimension."""
    if x.ndim == 4:
        return expand_dims(x, axis=0), True
    if x.ndim != 5:
        raise LayerArgumentError(
            f"{where}() expects a 4-D (C, D, H, W) or 5-D (N, C, D, H, W) input; got shape "
            f"{x.shape}"
        )
    if None in x.shape:
        raise ValueError(
            f"{where}() of a tensor with unknown (lazy) shape {x.shape}; call pt.compute(x) first"
        )
    return x, False


def pad_axis(x: Tensor, axis: int, before: int, after: int, value: float = 0.0) -> Tensor:
    """``x`` with ``before`` and ``after`` entries of ``value`` added along ``axis``, by
    concatenation (differentiable on every backend).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._conv3d import pad_axis
    >>> pad_axis(pt.ones((1, 2)), 1, 1, 2)
    tensor([[0., 1., 1., 0., 0.]], backend='numpy')
    """
    if not (before or after):
        return x

    def filler(n: int) -> Tensor:
        shape = [*x.shape]
        shape[axis] = n
        z = zeros(tuple(shape), dtype=x.dtype, device=x.device)
        return z if value == 0.0 else z + value

    parts = ([filler(before)] if before else []) + [x] + ([filler(after)] if after else [])
    return concat(parts, axis=axis)


def _groups(groups: Any, where: str) -> int:
    if isinstance(groups, bool) or _int(groups) is None:
        raise TypeError(f"{where}() expects groups to be an int; got {groups!r}")
    g = cast("int", _int(groups))
    if g < 1:
        raise LayerArgumentError(f"{where}() expects groups to be a positive int; got {groups!r}")
    return g


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-D cross-correlation, as ``torch.nn.functional.conv3d``.

    Parameters
    ----------
    input : Tensor
        Shape (N, C_in, D, H, W) or (C_in, D, H, W).
    weight : Tensor
        Shape (C_out, C_in / groups, kD, kH, kW).
    bias : Tensor, optional
        Shape (C_out,).
    stride, dilation : int or (int, int, int)
    padding : int, (int, int, int), 'valid' or 'same'
        Zeros added on both sides ('same' keeps the size; it needs stride 1; an odd total
        puts the extra zero after, as PyTorch's).
    groups : int
        Split channels into ``groups`` independent convolutions.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> y = F.conv3d(pt.ones((1, 1, 3, 3, 3)), pt.ones((2, 1, 2, 2, 2)))
    >>> y.shape, y[0, 0, 0].tolist()
    ((1, 2, 2, 2, 2), [[8.0, 8.0], [8.0, 8.0]])
    >>> F.conv3d(pt.ones((1, 1, 3, 3, 3)), pt.ones((1, 1, 3, 3, 3)), padding="same")[0, 0, 0]
    tensor([[ 8., 12.,  8.],
            [12., 18., 12.],
            [ 8., 12.,  8.]], backend='numpy')
    """
    where_ = "conv3d"
    x, unbatched = _batched5(_tensor(input, where_), where_)
    w = _tensor(weight, where_, "weight")
    if w.ndim != 5:
        raise LayerArgumentError(
            f"conv3d() expects a 5-D weight (C_out, C_in/groups, kD, kH, kW); got shape {w.shape}"
        )
    n, c, d, h, wd = cast("tuple[int, int, int, int, int]", x.shape)
    o, cg, kd, kh, kw = cast("tuple[int, int, int, int, int]", w.shape)
    groups = _groups(groups, where_)
    if c != cg * groups or o % groups:
        raise LayerArgumentError(
            f"conv3d() got input with {c} channels and weight of shape {w.shape} with "
            f"groups={groups}; expected C_in = {cg} * groups and C_out divisible by groups"
        )
    strides = _triple(stride, "stride", where_)
    dilations = _triple(dilation, "dilation", where_)
    if min(*strides, *dilations) < 1:
        raise LayerArgumentError(
            f"conv3d() expects positive stride and dilation; got stride={stride!r}, "
            f"dilation={dilation!r}"
        )
    sd, dd = strides[0], dilations[0]
    plane_pad: Any
    if isinstance(padding, str):
        if padding == "valid":
            before = after = 0
            plane_pad = 0
        elif padding == "same":
            if strides != (1, 1, 1):
                raise LayerArgumentError(
                    "conv3d(): padding='same' is not supported for strided convolutions"
                )
            before = dd * (kd - 1) // 2
            after = dd * (kd - 1) - before
            plane_pad = "same"
        else:
            raise ValueError(
                f"conv3d() got padding={padding!r}; expected 'valid', 'same', an int or a tuple "
                f"of three ints"
            )
    else:
        pads = _triple(padding, "padding", where_)
        if min(pads) < 0:
            raise LayerArgumentError(f"conv3d() got negative padding {padding!r}")
        before = after = pads[0]
        plane_pad = pads[1:]
    if bias is not None:
        b = _tensor(bias, where_, "bias")
        if tuple(b.shape) != (o,):
            raise LayerArgumentError(
                f"conv3d() expects a bias of shape ({o},), one per output channel; got shape "
                f"{tuple(b.shape)}"
            )
    _one_dtype(where_, x, w, None if bias is None else _tensor(bias, where_, "bias"))
    dp = d + before + after
    do = (dp - dd * (kd - 1) - 1) // sd + 1
    if do < 1:
        raise LayerArgumentError(
            f"conv3d(): the (padded) input of depth {dp} is smaller than the kernel of depth "
            f"{dd * (kd - 1) + 1}"
        )
    x = pad_axis(x, 2, before, after)
    # the kD depth-shifted views, each (N, C, Do, H, W), as extra channels of each input
    # channel: (N, Do, C, kD, H, W) -> (N * Do, C * kD, H, W); its channel c * kD + k meets
    # the weight's (c, k), which a reshape of the weight puts there too (groups stay
    # contiguous blocks of channels)
    span = sd * (do - 1) + 1
    if kd == 1:
        cols = permute_dims(x[:, :, :span:sd], (0, 2, 1, 3, 4))
    else:
        views = [x[:, :, k * dd : k * dd + span : sd] for k in range(kd)]
        cols = permute_dims(stack(views, axis=3), (0, 2, 1, 3, 4, 5))  # N, Do, C, kD, H, W
    cols = reshape(cols, (n * do, c * kd, h, wd))
    planes = conv2d(
        cols, reshape(w, (o, cg * kd, kh, kw)), None, strides[1:], plane_pad, dilations[1:], groups
    )
    ho, wo = cast("tuple[int, int]", planes.shape[2:])
    out = permute_dims(reshape(planes, (n, do, o, ho, wo)), (0, 2, 1, 3, 4))
    if bias is not None:
        out = out + reshape(b, (o, 1, 1, 1))
    return out[0] if unbatched else out


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """3-D transposed convolution (the gradient of ``conv3d`` with respect to its input), as
    ``torch.nn.functional.conv_transpose3d``; ``groups`` comes before ``dilation``, as in
    PyTorch.

    Each output size is ``(in - 1) * stride - 2 * padding + dilation * (k - 1) +
    output_padding + 1``.

    Parameters
    ----------
    input : Tensor
        Shape (N, C_in, D, H, W) or (C_in, D, H, W).
    weight : Tensor
        Shape (C_in, C_out / groups, kD, kH, kW).
    bias : Tensor, optional
        Shape (C_out,).
    stride, padding, output_padding, dilation : int or (int, int, int)
        ``output_padding`` must be smaller than the stride or the dilation.
    groups : int

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> y = F.conv_transpose3d(pt.ones((1, 1, 2, 2, 2)), pt.ones((1, 1, 2, 2, 2)))
    >>> y.shape, y[0, 0, 1].tolist()
    ((1, 1, 3, 3, 3), [[2.0, 4.0, 2.0], [4.0, 8.0, 4.0], [2.0, 4.0, 2.0]])
    >>> F.conv_transpose3d(pt.ones((2, 4, 3, 3, 3)), pt.ones((4, 2, 3, 3, 3)), stride=2).shape
    (2, 2, 7, 7, 7)
    """
    where_ = "conv_transpose3d"
    x, unbatched = _batched5(_tensor(input, where_), where_)
    w = _tensor(weight, where_, "weight")
    if w.ndim != 5:
        raise LayerArgumentError(
            f"{where_}() expects a 5-D weight (C_in, C_out/groups, kD, kH, kW); got shape {w.shape}"
        )
    groups = _groups(groups, where_)
    geometry = {
        name: _triple(v, name, where_)
        for name, v in (
            ("stride", stride),
            ("padding", padding),
            ("output_padding", output_padding),
            ("dilation", dilation),
        )
    }
    for name, low in (("stride", 1), ("dilation", 1), ("padding", 0), ("output_padding", 0)):
        if min(geometry[name]) < low:
            raise LayerArgumentError(
                f"{where_}() expects {name} to be {'positive' if low else 'non-negative'}; "
                f"got {geometry[name]}"
            )
    st, pa, op, di = (geometry[k] for k in ("stride", "padding", "output_padding", "dilation"))
    if any(not (op[i] < st[i] or op[i] < di[i]) for i in range(3)):
        raise LayerArgumentError(
            f"{where_}(): output_padding {op} must be smaller than either stride {st} or "
            f"dilation {di}; lower output_padding (it only picks among the output sizes that a "
            f"stride greater than 1 makes possible)"
        )
    n, c, d, h, wd = cast("tuple[int, int, int, int, int]", x.shape)
    ci, og, kd, kh, kw = cast("tuple[int, int, int, int, int]", w.shape)
    if ci % groups:
        raise LayerArgumentError(
            f"{where_}() got groups={groups} and a weight of shape {w.shape}; the weight's "
            f"first dimension (C_in) must be divisible by groups"
        )
    if c != ci:
        raise LayerArgumentError(
            f"{where_}() got an input with {c} channels for a weight of shape {w.shape}, which "
            f"expects {ci} (a transposed convolution's weight is (C_in, C_out/groups, kD, kH, "
            f"kW))"
        )
    o = og * groups
    if bias is not None:
        b = _tensor(bias, where_, "bias")
        if tuple(b.shape) != (o,):
            raise LayerArgumentError(
                f"{where_}() expects a bias of shape ({o},), one per output channel; got shape "
                f"{tuple(b.shape)}"
            )
    # (unlike conv_transpose1d/2d, PyTorch's conv_transpose3d refuses a bias of another dtype)
    _one_dtype(where_, x, w, None if bias is None else _tensor(bias, where_, "bias"))
    sizes = [
        (size - 1) * st[i] - 2 * pa[i] + di[i] * (k - 1) + op[i] + 1
        for i, (size, k) in enumerate(((d, kd), (h, kh), (wd, kw)))
    ]
    if min(sizes) < 1:
        raise LayerArgumentError(
            f"{where_}(): for an input of size ({d} x {h} x {wd}) per channel the output would "
            f"have size ({' x '.join(map(str, sizes))}), which is too small; lower padding or "
            f"raise the kernel size, stride or dilation"
        )
    # every depth plane through one conv_transpose2d whose output channels carry the depth
    # taps: (C_in, C_out/g, kD, kH, kW) -> (C_in, C_out/g * kD, kH, kW), group by group
    planes = conv_transpose2d(
        reshape(permute_dims(x, (0, 2, 1, 3, 4)), (n * d, c, h, wd)),
        reshape(w, (ci, og * kd, kh, kw)),
        None,
        st[1:],
        pa[1:],
        op[1:],
        groups,
        di[1:],
    )
    ho, wo = cast("tuple[int, int]", planes.shape[2:])
    planes = permute_dims(reshape(planes, (n, d, o, kd, ho, wo)), (0, 2, 3, 1, 4, 5))
    # input depth i, tap k lands on depth i * stride + k * dilation of the full result, which
    # `padding` crops at both ends and `output_padding` extends at the end
    sd, dd = st[0], di[0]
    full = (d - 1) * sd + dd * (kd - 1) + 1
    spread = _spread_depth(planes, sd)  # N, O, kD, (D - 1) * sd + 1, Ho, Wo
    length = cast("int", spread.shape[3])
    out: Tensor | None = None
    for k in range(kd):
        tap = pad_axis(spread[:, :, k], 2, k * dd, full - length - k * dd)
        out = tap if out is None else out + tap
    out = cast("Tensor", out)
    lo, hi = pa[0], pa[0] + sizes[0]
    if (lo, hi) != (0, full):
        out = pad_axis(out[:, :, lo : min(hi, full)], 2, 0, max(hi - full, 0))
    if bias is not None:
        out = out + reshape(b, (o, 1, 1, 1))
    return out[0] if unbatched else out


def _spread_depth(x: Tensor, stride: int) -> Tensor:
    """``x`` (N, O, kD, D, H, W) with ``stride - 1`` zero planes between its depths (axis 3)."""
    if stride == 1:
        return x
    n, o, kd, d, h, w = cast("tuple[int, ...]", x.shape)
    gap = zeros((n, o, kd, d, stride - 1, h, w), dtype=x.dtype, device=x.device)
    both = concat([expand_dims(x, axis=4), gap], axis=4)
    return reshape(both, (n, o, kd, d * stride, h, w))[:, :, :, : (d - 1) * stride + 1]
