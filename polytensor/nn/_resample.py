"""Resampling, as PyTorch's ``interpolate``, ``pixel_shuffle``, ``unfold``/``fold``,
``affine_grid`` and ``grid_sample``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short.

Everything is a gather by integer index arrays (``take`` along one axis, ``take_along_axis``
on the flattened image) followed by a weighted sum, or a reshape and a permutation, so it runs
and differentiates (to any order) on every backend. The positions and weights of
``interpolate`` depend only on the sizes: they are computed once in Python, with PyTorch's
formulas (its single-precision arithmetic where PyTorch's nearest-neighbour kernels use it), so
the same pixels are picked. Those of ``grid_sample`` depend on the grid, and are computed with
polytensor operations, so the gradient reaches the grid (and, through ``affine_grid``, theta).
"""

from __future__ import annotations

import functools
import math
import struct
import warnings
from fractions import Fraction
from typing import Any, cast

from .. import _dtypes as _dt
from .._ops.creation import asarray, ones, zeros
from .._ops.data_types import astype
from .._ops.elementwise import abs as _abs
from .._ops.elementwise import floor, logical_and
from .._ops.elementwise import round as _round
from .._ops.indexing import _scatter_add, take, take_along_axis
from .._ops.linear_algebra import matmul, matrix_transpose
from .._ops.manipulation import _copy, broadcast_to, expand_dims, permute_dims, reshape, stack
from .._ops.searching import where
from .._ops.statistical import sum as _sum
from .._tensor import Tensor
from ._errors import LayerArgumentError
from ._layer_kernels import grid_sample_kernel, takes_layer_kernels
from .functional import _floating, _int, _pad_hw, _pair, _tensor, _windows

__all__ = [
    "affine_grid",
    "fold",
    "grid_sample",
    "interpolate",
    "pixel_shuffle",
    "pixel_unshuffle",
    "unfold",
]

_GRID_DEFAULT = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _f32(v: float) -> float:
    """``v`` rounded to single precision (PyTorch's nearest-neighbour kernels use ``float``)."""
    return cast("float", struct.unpack("f", struct.pack("f", v))[0])


# -- interpolate ---------------------------------------------------------------------------------
_MODES_FOR_DIMS = {
    1: ("nearest", "nearest-exact", "area", "linear"),
    2: ("nearest", "nearest-exact", "area", "bilinear", "bicubic"),
    3: ("nearest", "nearest-exact", "area", "trilinear"),
}
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}
_A = -0.75  # PyTorch's cubic convolution coefficient


def _cubic_weights(t: float) -> list[float]:
    """The four weights of the taps at -1, 0, 1, 2 for the fraction ``t`` (PyTorch's
    ``get_cubic_upsample_coefficients``)."""

    def near(x: float) -> float:  # |x| <= 1
        return ((_A + 2) * x - (_A + 3)) * x * x + 1

    def far(x: float) -> float:  # 1 < |x| < 2
        return ((_A * x - 5 * _A) * x + 8 * _A) * x - 4 * _A

    return [far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)]


def _taps(
    mode: str,
    n_in: int,
    n_out: int,
    scale: float | None,
    align_corners: bool,
    *,
    dims: int = 2,
    double: bool = False,
) -> tuple[list[list[int]], list[list[float]] | None]:
    """For one axis: the input index of each tap of each output position (``[tap][out]``), and
    the taps' weights (None for the nearest modes, one tap of weight 1).

    ``dims`` is the number of spatial axes and ``double`` whether the input is float64: the
    nearest mode's index arithmetic differs between PyTorch's kernels. Its 2-D kernel copies an
    axis whose size is kept, halves the index of one whose size doubles, and otherwise computes
    ``floor(i * scale)`` in single precision; its 1-D and 3-D kernels never take those short
    cuts, and compute ``i * scale`` in the input's precision, rounded to single (``floorf``)."""
    if mode in ("nearest", "nearest-exact"):
        s = _f32(1.0 / scale) if scale is not None and scale > 0 else _f32(n_in / n_out)
        if mode == "nearest-exact":
            idx = [min(math.floor(_f32((i + 0.5) * s)), n_in - 1) for i in range(n_out)]
        elif dims == 2 and n_out == n_in:
            idx = list(range(n_out))
        elif dims == 2 and n_out == 2 * n_in:
            idx = [i >> 1 for i in range(n_out)]
        elif dims != 2 and double:
            s64 = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
            idx = [min(math.floor(_f32(i * s64)), n_in - 1) for i in range(n_out)]
        else:
            idx = [min(math.floor(_f32(_f32(float(i)) * s)), n_in - 1) for i in range(n_out)]
        return [idx], None
    if mode == "linear" and n_out == n_in:
        # PyTorch's linear kernels copy an axis whose size is kept, whatever the scale_factor
        return [list(range(n_out))], None
    if align_corners:
        step = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    else:
        step = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
    cubic = mode == "bicubic"
    taps: list[list[int]] = [[] for _ in range(4 if cubic else 2)]
    weights: list[list[float]] = [[] for _ in taps]
    for i in range(n_out):
        src = step * i if align_corners else step * (i + 0.5) - 0.5
        if cubic:
            i0 = min(math.floor(_f32(src)), n_in - 1)
            t = min(max(src - i0, 0.0), 1.0)
            for k, w in enumerate(_cubic_weights(t)):
                taps[k].append(max(min(i0 - 1 + k, n_in - 1), 0))
                weights[k].append(w)
        else:
            src = max(src, 0.0)
            i0 = min(int(src), n_in - 1)
            lam = min(max(src - i0, 0.0), 1.0)
            taps[0].append(i0)
            taps[1].append(i0 + 1 if i0 < n_in - 1 else i0)
            weights[0].append(1.0 - lam)
            weights[1].append(lam)
    return taps, weights


def _aa_filter(cubic: bool, x: float) -> float:
    """PyTorch's antialiasing filters: the triangle (bilinear), Keys' cubic with a = -0.5."""
    x = abs(x)
    if not cubic:
        return 1.0 - x if x < 1.0 else 0.0
    a = -0.5
    if x < 1.0:
        return ((a + 2) * x - (a + 3)) * x * x + 1
    if x < 2.0:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return 0.0


def _taps_aa(
    cubic: bool, n_in: int, n_out: int, scale: float | None, align_corners: bool, double: bool
) -> tuple[list[list[int]], list[list[float]]]:
    """``_taps`` with ``antialias=True`` (PyTorch's ``_compute_indices_min_size_weights_aa``):
    output ``i`` takes the inputs within the filter's support of its centre ``step * (i +
    0.5)``, the support widened by ``step`` when downsampling (so every input counts), the
    weights normalised to sum to 1; positions past the input are left out, not clamped. Taps
    past an output's count have weight 0. In the input's precision, as PyTorch's."""
    rnd = float if double else _f32
    if align_corners:
        step = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    else:
        step = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
    step = rnd(step)
    half = 2.0 if cubic else 1.0  # (half the filter's width)
    support = rnd(half * step) if step >= 1.0 else half
    count = math.ceil(support) * 2 + 1
    inv = rnd(1.0 / step) if step >= 1.0 else 1.0
    taps: list[list[int]] = [[] for _ in range(count)]
    weights: list[list[float]] = [[] for _ in range(count)]
    for i in range(n_out):
        centre = rnd(step * (i + 0.5))
        lo = max(int(centre - support + 0.5), 0)
        size = min(max(min(int(centre + support + 0.5), n_in) - lo, 0), count)
        ws = [rnd(_aa_filter(cubic, rnd((j + lo - centre + 0.5) * inv))) for j in range(size)]
        total = rnd(math.fsum(ws))
        for j in range(count):
            taps[j].append(lo + j if j < size else lo)
            weights[j].append(rnd(ws[j] / total) if j < size and total != 0.0 else 0.0)
    return taps, weights


def _resample_axis(x: Tensor, axis: int, taps: list[list[int]], weights: Any) -> Tensor:
    """``x`` resampled along ``axis``: one ``take`` of every tap, then their weighted sum."""
    k, n_out = len(taps), len(taps[0])
    flat = [i for tap in taps for i in tap]
    idx = asarray(flat, dtype=_dt.int64, device=x.device)
    y = take(x, idx, axis=axis)
    if weights is None:
        return y
    shape = list(y.shape)
    shape[axis : axis + 1] = [k, n_out]
    y = reshape(y, tuple(shape))
    w_shape = [1] * len(shape)
    w_shape[axis : axis + 2] = [k, n_out]
    w = reshape(
        asarray([v for row in weights for v in row], dtype=x.dtype, device=x.device),
        tuple(w_shape),
    )
    return _sum(y * w, axis=axis)


def _per_axis(v: Any, dims: int, what: str, x: Tensor) -> list[Any]:
    if isinstance(v, (list, tuple)):
        if len(v) != dims:
            spatial = list(x.shape[2:])
            if what == "size":
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {v}. Please "
                    "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                    "(o1, o2, ...,oK) format."
                )
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {spatial} and scale_factor of shape {v}. "
                "Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor "
                "in (s1, s2, ...,sK) format."
            )
        return list(v)
    return [v] * dims


def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial axes of ``input`` (N, C, ...), as ``torch.nn.functional.interpolate``.

    Parameters
    ----------
    input : Tensor
        3-D (N, C, L), 4-D (N, C, H, W) or 5-D (N, C, D, H, W).
    size : int or tuple of ints, optional
        The output's spatial size.
    scale_factor : float or tuple of floats, optional
        The output's size is ``floor(input size * scale_factor)``; the source positions use
        ``1 / scale_factor`` unless ``recompute_scale_factor=True`` (then input / output size).
        Exactly one of ``size`` and ``scale_factor`` is given.
    mode : str
        ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D), ``'bilinear'`` (4-D),
        ``'bicubic'`` (4-D, cubic convolution with a = -0.75, taps clamped at the border),
        ``'trilinear'`` (5-D) or ``'area'`` (the adaptive average pool to the output's size).
    align_corners : bool, optional
        For the interpolating modes: whether the corner pixels' centres of input and output
        line up (default False).
    recompute_scale_factor : bool, optional
    antialias : bool
        For ``'bilinear'`` and ``'bicubic'`` (4-D): filter as PyTorch's antialiasing does, the
        filter widened by the scale when downsampling so that every input pixel counts.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.asarray([[[1.0, 2.0, 4.0]]])
    >>> F.interpolate(x, scale_factor=2)
    tensor([[[1., 1., 2., 2., 4., 4.]]], backend='numpy')
    >>> F.interpolate(x, size=5, mode="linear", align_corners=True)
    tensor([[[1. , 1.5, 2. , 3. , 4. ]]], backend='numpy')
    >>> F.interpolate(pt.asarray([[[1.0, 3.0, 4.0, 8.0]]]), scale_factor=0.5, mode="area")
    tensor([[[2., 6.]]], backend='numpy')
    """
    x = _tensor(input, "interpolate")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    dims = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if antialias and not (mode in ("bilinear", "bicubic") and x.ndim == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
            "requires a 4-D tensor as input"
        )
    if dims not in _MODES_FOR_DIMS or mode not in _MODES_FOR_DIMS[dims]:
        need = _NEEDS.get(mode)
        if dims in _MODES_FOR_DIMS and need is not None:
            raise NotImplementedError(
                f"Got {x.ndim}D input, but {mode} mode needs {need}D input; interpolate() "
                f"takes (N, C, L) for linear, (N, C, H, W) for bilinear and bicubic, (N, C, D, "
                f"H, W) for trilinear"
            )
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the "
            f"modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact "
            f"(got {mode})"
        )
    spatial = cast("tuple[int, ...]", tuple(x.shape[2:]))
    scales: list[float | None]
    if size is not None:
        sizes = _per_axis(size, dims, "size", x)
        if not all(_int(s) is not None for s in sizes):
            raise TypeError(
                "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                f"Tuple[int, int, int], but got size with types {[type(s) for s in sizes]}"
            )
        out_sizes = [cast("int", _int(s)) for s in sizes]
        scales = [None] * dims
    else:
        factors = [float(f) for f in _per_axis(scale_factor, dims, "scale_factor", x)]
        out_sizes = [math.floor(n * f) for n, f in zip(spatial, factors, strict=True)]
        scales = [None] * dims if recompute_scale_factor else list(factors)
    if min(out_sizes) <= 0 or min(spatial) <= 0:
        raise LayerArgumentError(
            f"interpolate(): input and output sizes should be greater than 0, but got input "
            f"({', '.join(map(str, spatial))}) and output ({', '.join(map(str, out_sizes))})"
        )
    if mode not in ("nearest", "nearest-exact"):
        _floating(x, "interpolate", real=True)
    elif x.dtype.kind not in ("real floating", "complex floating") and x.dtype != _dt.uint8:
        raise _dt.DtypeNotImplementedError(  # (PyTorch's: uint8 and floating inputs only)
            f"interpolate() with mode={mode!r} expects a floating-point or uint8 input; got "
            f"{x.dtype.name}; cast with pt.astype(x, pt.float32) first"
        )
    if mode == "area":  # (PyTorch's: the adaptive average pool to the output's size)
        from ._pool3d import adaptive_avg_pool3d
        from .functional import adaptive_avg_pool1d, adaptive_avg_pool2d

        pool = (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dims - 1]
        return pool(x, out_sizes[0] if dims == 1 else tuple(out_sizes))
    kind = "bicubic" if mode == "bicubic" else mode if mode.startswith("nearest") else "linear"
    y = x
    for d in range(dims):
        if antialias:
            taps, aa_weights = _taps_aa(
                mode == "bicubic",
                spatial[d],
                out_sizes[d],
                scales[d],
                bool(align_corners),
                x.dtype == _dt.float64,
            )
            y = _resample_axis(y, 2 + d, taps, aa_weights)
            continue
        taps, weights = _taps(
            kind,
            spatial[d],
            out_sizes[d],
            scales[d],
            bool(align_corners),
            dims=dims,
            double=x.dtype == _dt.float64,
        )
        y = _resample_axis(y, 2 + d, taps, weights)
    return y


# -- pixel shuffle -------------------------------------------------------------------------------
def _factor(v: Any, name: str, where: str) -> int:
    i = _int(v)
    if i is None:
        raise TypeError(f"{where}() expects {name} to be an int; got {v!r}")
    if i <= 0:
        raise LayerArgumentError(f"{where} expects a positive {name}, but got {i}")
    return i


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange (*, C * r**2, H, W) into (*, C, H * r, W * r), as
    ``torch.nn.functional.pixel_shuffle`` (a new tensor: writing to it leaves ``input`` as it is).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.pixel_shuffle(pt.reshape(pt.arange(4.0), (1, 4, 1, 1)), 2)
    tensor([[[[0., 1.],
              [2., 3.]]]], backend='numpy')
    """
    x = _tensor(input, "pixel_shuffle")
    r = _factor(upscale_factor, "upscale_factor", "pixel_shuffle")
    if x.ndim < 3:
        raise LayerArgumentError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{x.ndim} dimension(s)"
        )
    *lead, c, h, w = cast("tuple[int, ...]", tuple(x.shape))
    if c % (r * r):
        raise LayerArgumentError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    b = len(lead)
    y = reshape(x, (*lead, c // (r * r), r, r, h, w))
    y = permute_dims(y, (*range(b), b, b + 3, b + 1, b + 4, b + 2))
    return _copy(reshape(y, (*lead, c // (r * r), h * r, w * r)))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange (*, C, H * r, W * r) into (*, C * r**2, H, W): the inverse of
    ``pixel_shuffle``, as ``torch.nn.functional.pixel_unshuffle``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.pixel_unshuffle(pt.reshape(pt.arange(4.0), (1, 1, 2, 2)), 2).shape
    (1, 4, 1, 1)
    """
    x = _tensor(input, "pixel_unshuffle")
    r = _factor(downscale_factor, "downscale_factor", "pixel_unshuffle")
    if x.ndim < 3:
        raise LayerArgumentError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{x.ndim} dimension(s)"
        )
    *lead, c, h, w = cast("tuple[int, ...]", tuple(x.shape))
    for name, n, d in (("height", h, -2), ("width", w, -1)):
        if n % r:
            raise LayerArgumentError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({d})={n} is not divisible by {r}"
            )
    b = len(lead)
    y = reshape(x, (*lead, c, h // r, r, w // r, r))
    y = permute_dims(y, (*range(b), b, b + 2, b + 4, b + 1, b + 3))
    return _copy(reshape(y, (*lead, c * r * r, h // r, w // r)))


# -- unfold / fold -------------------------------------------------------------------------------
def _geometry(
    kernel_size: Any, dilation: Any, padding: Any, stride: Any, where: str
) -> tuple[tuple[int, int], ...]:
    k = _pair(kernel_size, "kernel_size", where)
    d = _pair(dilation, "dilation", where)
    p = _pair(padding, "padding", where)
    s = _pair(stride, "stride", where)
    for name, v, low in (("kernel size", k, 1), ("dilation", d, 1), ("stride", s, 1)):
        if min(v) < low:
            raise LayerArgumentError(f"{where}(): {name} should be greater than zero, but got {v}")
    if min(p) < 0:
        raise LayerArgumentError(f"{where}(): padding should be non-negative, but got {p}")
    return k, d, p, s


def _blocks(
    hw: tuple[int, int], geometry: tuple[tuple[int, int], ...], where: str
) -> tuple[int, int]:
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = geometry
    ho = (hw[0] + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (hw[1] + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if ho < 1 or wo < 1:
        raise LayerArgumentError(
            f"{where}(): given input with spatial size {hw}, kernel_size=({kh}, {kw}), "
            f"dilation=({dh}, {dw}), padding=({ph}, {pw}), calculated shape of the array of "
            f"sliding blocks as ({ho}, {wo}), but its components must be at least one"
        )
    return ho, wo


def _not_integers(x: Tensor, where: str) -> None:
    """Refuse an integer input, as PyTorch's im2col and col2im do (booleans and floating
    inputs pass)."""
    if x.dtype.kind in ("signed integer", "unsigned integer"):
        raise _dt.DtypeNotImplementedError(
            f"{where}() expects a floating-point or boolean input; got {x.dtype.name}; cast "
            f"with pt.astype(x, pt.float32) first"
        )


def unfold(
    input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """The sliding blocks of a batched image as columns, as ``torch.nn.functional.unfold``
    (im2col): (N, C, H, W) to (N, C * kH * kW, L), L the number of blocks.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.unfold(pt.reshape(pt.arange(9.0), (1, 1, 3, 3)), 2)
    tensor([[[0., 1., 3., 4.],
             [1., 2., 4., 5.],
             [3., 4., 6., 7.],
             [4., 5., 7., 8.]]], backend='numpy')
    """
    where_ = "unfold"
    x = _tensor(input, where_)
    _not_integers(x, where_)
    if x.ndim not in (3, 4) or any(n == 0 for n in x.shape[1:]):
        raise LayerArgumentError(
            f"unfold(): expected a 3-D (C, H, W) or 4-D (N, C, H, W) input with non-zero "
            f"sizes (the batch may be 0); got shape {tuple(x.shape)}"
        )
    geometry = _geometry(kernel_size, dilation, padding, stride, where_)
    unbatched = x.ndim == 3
    if unbatched:
        x = expand_dims(x, axis=0)
    n, c, h, w = cast("tuple[int, int, int, int]", tuple(x.shape))
    ho, wo = _blocks((h, w), geometry, where_)
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = geometry
    if ph or pw:
        x = _pad_hw(x, ph, ph, pw, pw)
    cols = _windows(x, (kh, kw), (sh, sw), (dh, dw), (ho, wo), axis=2)  # N, C, K, Ho, Wo
    out = reshape(cols, (n, c * kh * kw, ho * wo))
    return out[0] if unbatched else out


def fold(
    input: Tensor,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """Sum columns of sliding blocks back into an image, as ``torch.nn.functional.fold``
    (col2im, the adjoint of ``unfold``: where blocks overlap, their values add).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.fold(pt.ones((1, 4, 4)), (3, 3), 2)[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]], backend='numpy')
    """
    where_ = "fold"
    x = _tensor(input, where_)
    _not_integers(x, where_)
    if x.ndim not in (2, 3) or any(n == 0 for n in x.shape[1:]):
        raise LayerArgumentError(
            f"fold(): expected a 2-D (C * kH * kW, L) or 3-D (N, C * kH * kW, L) input with "
            f"non-zero sizes (the batch may be 0); got shape {tuple(x.shape)}"
        )
    h, w = _pair(output_size, "output_size", where_)
    geometry = _geometry(kernel_size, dilation, padding, stride, where_)
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = geometry
    unbatched = x.ndim == 2
    if unbatched:
        x = expand_dims(x, axis=0)
    n, ck, blocks = cast("tuple[int, int, int]", tuple(x.shape))
    if ck % (kh * kw):
        raise LayerArgumentError(
            f"fold(): expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={ck} and kernel_size=({kh}, {kw})"
        )
    ho, wo = _blocks((h, w), geometry, where_)
    if blocks != ho * wo:
        raise LayerArgumentError(
            f"fold(): given output_size=({h}, {w}), kernel_size=({kh}, {kw}), dilation=({dh}, "
            f"{dw}), padding=({ph}, {pw}), stride=({sh}, {sw}), expected size of input's "
            f"dimension 2 to match the calculated number of sliding blocks {ho} * {wo} = "
            f"{ho * wo}, but got input.size(2)={blocks}"
        )
    c = ck // (kh * kw)
    cols = reshape(x, (n, c, kh, kw, ho, wo))
    shape = (n, c, h + 2 * ph, w + 2 * pw)
    out: Tensor | None = None
    for ki in range(kh):
        for kj in range(kw):
            r0, c0 = ki * dh, kj * dw
            key = (
                slice(None),
                slice(None),
                slice(r0, r0 + sh * (ho - 1) + 1, sh),
                slice(c0, c0 + sw * (wo - 1) + 1, sw),
            )
            # the adjoint of reading those strided rows and columns: zeros with them written
            part = _scatter_add(cols[:, :, ki, kj], key=key, shape=shape)
            out = part if out is None else out + part
    out = cast("Tensor", out)
    if ph or pw:
        out = out[:, :, ph : ph + h, pw : pw + w]
    return out[0] if unbatched else out


# -- affine_grid / grid_sample -------------------------------------------------------------------
def _base_coords(n: int, align_corners: bool, like: Tensor) -> Tensor:
    """PyTorch's ``linspace_from_neg_one`` in ``like``'s dtype: -1 to 1 (pixel centres scaled
    in by ``(n - 1) / n`` without ``align_corners``); [0.0] for one step.

    The steps are computed as PyTorch's ``linspace`` kernel computes them (``-1 + step * i`` in
    the first half, ``1 - step * (n - 1 - i)`` in the second, each rounded once to the dtype,
    as a fused multiply-add rounds), then scaled with the dtype's arithmetic, so the grid has
    the very same numbers: an identity transform samples at pixel centres, where bilinear
    interpolation has a kink, and which side of it a coordinate falls on decides its gradient.
    """
    if n <= 1:
        return zeros((1,), dtype=like.dtype, device=like.device)
    values = _linspace_values(n, like.dtype == _dt.float32)
    r = asarray(values, dtype=like.dtype, device=like.device)
    return r if align_corners else r * (n - 1) / n


@functools.lru_cache(maxsize=64)
def _linspace_values(n: int, single: bool) -> tuple[float, ...]:
    """``_base_coords``'s values before scaling (exact rational steps: computed once a size)."""
    rounded = _f32 if single else float
    step = Fraction(rounded(2.0 / (n - 1)))
    half = n // 2
    return tuple(
        rounded(float(-1 + step * i if i < half else 1 - step * (n - 1 - i))) for i in range(n)
    )


# affine_grid's base, (x, y[, z], 1) per output position, a constant of the sizes: kept for the
# last few (sizes, align_corners, dtype, backend, device), as a training loop asks for the same
_BASES: dict[tuple[Any, ...], Tensor] = {}


def _affine_base(spatial: list[int], align_corners: bool, th: Tensor) -> Tensor:
    """The (positions, d + 1) rows ``(x, y[, z], 1)`` of ``affine_grid``, x varying fastest."""
    key = (tuple(spatial), align_corners, th.dtype, th._backend, th.device)
    base = _BASES.get(key)
    if base is not None:
        return base
    d = len(spatial)
    columns = []
    for axis in range(d):  # x (the last spatial axis), y, z
        shape = [1] * d
        shape[d - 1 - axis] = spatial[d - 1 - axis]
        coords = reshape(_base_coords(spatial[d - 1 - axis], align_corners, th), tuple(shape))
        columns.append(broadcast_to(coords, tuple(spatial)))
    columns.append(ones(tuple(spatial), dtype=th.dtype, device=th.device))
    base = reshape(stack(columns, axis=-1), (math.prod(spatial), d + 1))
    if len(_BASES) >= 16:
        _BASES.clear()
    _BASES[key] = base
    return base


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of a batch of affine transforms, as
    ``torch.nn.functional.affine_grid``: for theta (N, 2, 3) and size (N, C, H, W), a grid
    (N, H, W, 2) of the (x, y) positions, in [-1, 1] coordinates, that ``grid_sample`` reads
    (theta (N, 3, 4) and size (N, C, D, H, W) give (N, D, H, W, 3)).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> theta = pt.asarray([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    >>> F.affine_grid(theta, (1, 1, 2, 2), align_corners=True)[0]
    tensor([[[-1., -1.],
             [ 1., -1.]],
    <BLANKLINE>
            [[-1.,  1.],
             [ 1.,  1.]]], backend='numpy')
    """
    th = _tensor(theta, "affine_grid", "theta")
    if align_corners is None:
        warnings.warn(_GRID_DEFAULT, UserWarning, stacklevel=2)
        align_corners = False
    if th.dtype.kind != "real floating":
        raise ValueError(
            f"Expected theta to have floating point type, but got {th.dtype}; affine_grid() "
            f"needs it floating-point: cast with pt.astype(theta, pt.float32)"
        )
    sizes = [int(s) for s in size]
    if len(sizes) in (4, 5):
        d = len(sizes) - 2
        if th.ndim != 3 or tuple(th.shape[1:]) != (d, d + 1):
            raise ValueError(
                f"Expected a batch of {d}D affine matrices of shape Nx{d}x{d + 1} for size "
                f"{list(size)}. Got {tuple(th.shape)}."
            )
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {list(size)}."
        )
    spatial = sizes[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            UserWarning,
            stacklevel=2,
        )
    elif min(sizes) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {list(size)}")
    if sizes[0] != th.shape[0]:
        raise LayerArgumentError(
            f"affine_grid(): size {list(size)} has a batch of {sizes[0]}, theta "
            f"{tuple(th.shape)} one of {th.shape[0]}; expected the same"
        )
    # one row (x, y[, z], 1) per output position, x varying fastest; grid = base @ theta^T
    base = _affine_base(spatial, bool(align_corners), th)
    grid = matmul(base, matrix_transpose(th))  # (N, positions, d)
    return reshape(grid, (sizes[0], *spatial, len(spatial)))


def _unnormalize(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    a, half = coord + 1, size / 2
    p = a * half
    if coord.dtype != _dt.float64:
        return p - 0.5
    # PyTorch's double-precision kernel rounds (coord + 1) * size / 2 - 0.5 once (a fused
    # multiply-add), and at pixel centres that last bit picks the side of bilinear's kink: the
    # product's rounding error, exactly, by Dekker's splitting (``half`` has few bits), is
    # added back after the exact subtraction. The split overflows for |a| near the largest
    # double (and gives NaN for infinities): there, and for NaN, it uses 0 (an error of 0),
    # since the product's last bit no longer matters
    small = _abs(a) < 2.0**996
    a_s = where(small, a, 0.0)
    t = a_s * 134217729.0  # 2**27 + 1
    hi = t - (t - a_s)
    err = (hi * half - a_s * half) + (a_s - hi) * half
    return (p - 0.5) + err


def _clip_coordinates(c: Tensor, size: int) -> Tensor:
    # (PyTorch's gradient: 1 strictly inside, 0 at and past either end)
    return where(c > 0, where(c < size - 1, c, float(size - 1)), 0.0)


def _reflect(c: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """PyTorch's ``reflect_coordinates``: ``c`` reflected off the bounds ``twice_low / 2`` and
    ``twice_high / 2`` until inside."""
    if twice_low == twice_high:
        return c * 0.0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    d = c - low
    a = d * where(d < 0, -1.0, 1.0)
    flips = floor(a / span)
    extra = a - flips * span
    even = (flips - 2 * floor(flips / 2)) == 0
    return where(even, extra + low, span - extra + low)


def _source(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    return _padded(_unnormalize(coord, size, align_corners), size, padding_mode, align_corners)


def _padded(c: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """Pixel coordinates ``c`` moved inside the image as ``padding_mode`` reads outside it
    (PyTorch's ``compute_coordinates``): clamped to the border, or reflected at it and then
    clamped; as they are for ``'zeros'``."""
    if padding_mode == "border":
        c = _clip_coordinates(c, size)
    elif padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if align_corners else _reflect(c, -1, 2 * size - 1)
        c = _clip_coordinates(c, size)
    return c


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample ``input`` (N, C, H, W) at the positions of ``grid`` (N, Ho, Wo, 2), as
    ``torch.nn.functional.grid_sample``: ``grid[n, i, j]`` holds (x, y) in [-1, 1] coordinates
    (-1 the left/top edge, 1 the right/bottom). A volume (N, C, D, H, W) is sampled at the
    (x, y, z) positions of a grid (N, Do, Ho, Wo, 3). Differentiable in ``input`` and ``grid``.

    Parameters
    ----------
    mode : 'bilinear', 'nearest' or 'bicubic'
        ``'bilinear'`` is trilinear for a volume; ``'bicubic'`` (4-D only) takes the 4 x 4
        pixels around each position with PyTorch's cubic weights (a = -0.75).
    padding_mode : 'zeros', 'border' or 'reflection'
        What positions outside the image read: zeros, the nearest border pixel, or the image
        reflected at its borders.
    align_corners : bool, optional
        Whether -1 and 1 are the centres of the corner pixels (True) or their outer edges
        (False, the default, with a warning when not given, as PyTorch's).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.asarray([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> F.grid_sample(x, pt.asarray([[[[0.0, 0.0], [1.0, -1.0]]]]), align_corners=True)
    tensor([[[[2.5, 2. ]]]], backend='numpy')
    """
    x = _tensor(input, "grid_sample")
    g = _tensor(grid, "grid_sample", "grid")
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_GRID_DEFAULT, UserWarning, stacklevel=2)
        align_corners = False
    if x.ndim not in (4, 5) or g.ndim != x.ndim:
        raise LayerArgumentError(
            f"grid_sampler(): expected 4D or 5D input and grid with same number of "
            f"dimensions, but got input with sizes {tuple(x.shape)} and grid with sizes "
            f"{tuple(g.shape)}"
        )
    if g.shape[-1] != x.ndim - 2:
        raise LayerArgumentError(
            f"grid_sampler(): expected grid to have size {x.ndim - 2} in last dimension, but "
            f"got grid with sizes {tuple(g.shape)}"
        )
    if mode == "bicubic" and x.ndim == 5:
        raise LayerArgumentError(
            "grid_sampler(): bicubic interpolation only supports 4D input; sample a 5-D input "
            "with mode='bilinear' (trilinear) or 'nearest'"
        )
    if x.shape[0] != g.shape[0]:
        raise LayerArgumentError(
            f"grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {tuple(x.shape)} and grid with sizes {tuple(g.shape)}"
        )
    _floating(x, "grid_sample", real=True)
    _floating(g, "grid_sample", "grid", real=True)
    if x.dtype != g.dtype:  # (PyTorch: RuntimeError, "expected scalar type Float but found Double")
        raise _dt.MixedDtypeError(
            f"grid_sampler(): expected input and grid to have the same dtype, but input has "
            f"{x.dtype} and grid has {g.dtype}; cast one with pt.astype"
        )
    ac = bool(align_corners)
    if x.ndim == 5:
        return _grid_sample_3d(x, g, mode, padding_mode, ac)
    if mode == "bilinear" and takes_layer_kernels(x) and x.size and g.size:
        # one node, the backend's kernel (the composite for gradients under create_graph)
        return cast(
            "Tensor",
            grid_sample_kernel(
                x, g, padding_mode, ac, lambda a, b: _grid_sample(a, b, mode, padding_mode, ac)
            ),
        )
    return _grid_sample(x, g, mode, padding_mode, ac)


def _grid_sample(x: Tensor, g: Tensor, mode: str, padding_mode: str, ac: bool) -> Tensor:
    """``grid_sample`` from the table's ops: gathers by flat index and a weighted sum."""
    n, c, h, w = cast("tuple[int, int, int, int]", tuple(x.shape))
    ho, wo = cast("tuple[int, int]", tuple(g.shape[1:3]))
    if mode == "bicubic":
        return _grid_sample_bicubic(x, g, padding_mode, ac)
    ix = _source(g[..., 0], w, padding_mode, ac)  # (N, Ho, Wo)
    iy = _source(g[..., 1], h, padding_mode, ac)
    if mode == "nearest":
        xs, ys = expand_dims(_round(ix), axis=1), expand_dims(_round(iy), axis=1)
        weights = None
    else:
        x0, y0 = floor(ix), floor(iy)
        x1, y1 = x0 + 1, y0 + 1
        wx0, wx1, wy0, wy1 = x1 - ix, ix - x0, y1 - iy, iy - y0
        xs = stack([x0, x1, x0, x1], axis=1)  # (N, 4, Ho, Wo): nw, ne, sw, se
        ys = stack([y0, y0, y1, y1], axis=1)
        weights = stack([wy0 * wx0, wy0 * wx1, wy1 * wx0, wy1 * wx1], axis=1)
    inside = logical_and(logical_and(xs >= 0, xs <= w - 1), logical_and(ys >= 0, ys <= h - 1))
    k = 1 if weights is None else 4  # corners
    # positions outside (NaN and infinities among them) read pixel 0, then masked: only
    # finite positions inside the image are cast to integers
    flat = where(inside, ys * w + xs, 0.0)
    idx = reshape(astype(flat, _dt.int64), (n, 1, k * ho * wo))
    idx = broadcast_to(idx, (n, c, k * ho * wo))
    v = take_along_axis(reshape(x, (n, c, h * w)), idx, axis=2)
    v = reshape(v, (n, c, k, ho, wo))
    inside = expand_dims(inside, axis=1)
    v = where(inside, v, 0.0)
    if weights is None:
        # the positions are piecewise constant in the grid: its gradient is zero, as PyTorch
        # gives it, not None. Subtracting 0 * the (finite) flat index leaves every value as it
        # is, -0.0 included, and links the grid through ``round``, whose derivative is zero
        return v[:, :, 0] - 0.0 * expand_dims(flat, axis=1)[:, :, 0]
    # masked values times the weights, as PyTorch's: a NaN weight (a position at NaN or
    # infinity) gives NaN, and NaN in the grid's gradient along the other axis
    return _sum(v * expand_dims(weights, axis=1), axis=2)


def _cubic_coefficients(t: Tensor) -> list[Tensor]:
    """The weights of the taps at -1, 0, 1 and 2 for the fractions ``t`` (PyTorch's
    ``get_cubic_upsample_coefficients``, a = -0.75)."""

    def near(v: Tensor) -> Tensor:  # |v| <= 1
        return ((_A + 2) * v - (_A + 3)) * v * v + 1

    def far(v: Tensor) -> Tensor:  # 1 < |v| < 2
        return ((_A * v - 5 * _A) * v + 8 * _A) * v - 4 * _A

    return [far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)]


def _gather(x: Tensor, coords: list[Tensor], sizes: list[int], padding_mode: str, ac: bool) -> Any:
    """The values of ``x`` (N, C, *sizes) at the integer pixel coordinates ``coords`` (one
    (N, K, *out) tensor per spatial axis, the last axis first: x, y[, z]), moved inside as
    ``padding_mode`` reads (``_padded``); 0 where a coordinate stays outside (or is not finite).
    Returns (N, C, K, *out) and the (N, K, *out) flat indices (for ``nearest``'s link to the
    grid)."""
    n, c = cast("tuple[int, int]", tuple(x.shape[:2]))
    moved = [
        _padded(v, size, padding_mode, ac) for v, size in zip(coords, sizes[::-1], strict=True)
    ]
    inside = None
    for v, size in zip(moved, sizes[::-1], strict=True):
        ok = logical_and(v >= 0, v <= size - 1)
        inside = ok if inside is None else logical_and(inside, ok)
    assert inside is not None
    flat = moved[-1]
    for v, size in zip(moved[-2::-1], sizes[1:], strict=True):  # ((z * H) + y) * W + x
        flat = flat * size + v
    flat = where(inside, flat, 0.0)
    shape = cast("tuple[int, ...]", tuple(inside.shape))
    count = math.prod(shape[1:])
    idx = broadcast_to(reshape(astype(flat, _dt.int64), (n, 1, count)), (n, c, count))
    v = take_along_axis(reshape(x, (n, c, math.prod(sizes))), idx, axis=2)
    v = reshape(v, (n, c, *shape[1:]))
    return where(expand_dims(inside, axis=1), v, 0.0), flat


def _grid_sample_bicubic(x: Tensor, g: Tensor, padding_mode: str, ac: bool) -> Tensor:
    """``grid_sample`` in mode ``'bicubic'``, as PyTorch's: the 4 x 4 pixels around each
    position, each moved inside as ``padding_mode`` reads (the position itself is not), the
    rows interpolated along x with the cubic weights, then the column along y."""
    n, c, h, w = cast("tuple[int, int, int, int]", tuple(x.shape))
    ho, wo = cast("tuple[int, int]", tuple(g.shape[1:3]))
    ix = _unnormalize(g[..., 0], w, ac)
    iy = _unnormalize(g[..., 1], h, ac)
    x0, y0 = floor(ix), floor(iy)
    cx = stack(_cubic_coefficients(ix - x0), axis=1)  # (N, 4, Ho, Wo)
    cy = stack(_cubic_coefficients(iy - y0), axis=1)
    # the 16 taps, row (y) by row: (N, 16, Ho, Wo)
    xs = stack([x0 + (j - 1) for _ in range(4) for j in range(4)], axis=1)
    ys = stack([y0 + (i - 1) for i in range(4) for _ in range(4)], axis=1)
    v, _ = _gather(x, [xs, ys], [h, w], padding_mode, ac)
    v = reshape(v, (n, c, 4, 4, ho, wo))
    rows = _sum(v * reshape(cx, (n, 1, 1, 4, ho, wo)), axis=3)  # (N, C, 4, Ho, Wo)
    return _sum(rows * reshape(cy, (n, 1, 4, ho, wo)), axis=2)


def _grid_sample_3d(x: Tensor, g: Tensor, mode: str, padding_mode: str, ac: bool) -> Tensor:
    """``grid_sample`` of a 5-D input (N, C, D, H, W) at the (x, y, z) positions of ``grid``
    (N, Do, Ho, Wo, 3): trilinear (``'bilinear'``) or nearest, as PyTorch's."""
    d, h, w = cast("tuple[int, int, int]", tuple(x.shape[2:]))
    src = [_source(g[..., k], size, padding_mode, ac) for k, size in enumerate((w, h, d))]
    if mode == "nearest":
        coords = [expand_dims(_round(v), axis=1) for v in src]
        v, flat = _gather(x, coords, [d, h, w], "zeros", ac)
        # (the grid's gradient is zero, as PyTorch's: linked through the rounded index)
        return cast("Tensor", v[:, :, 0] - 0.0 * expand_dims(flat, axis=1)[:, :, 0])
    lows = [floor(v) for v in src]
    corners = [(kz, ky, kx) for kz in (0, 1) for ky in (0, 1) for kx in (0, 1)]
    coords = [stack([lows[a] + corner[2 - a] for corner in corners], axis=1) for a in range(3)]
    weights = []
    for corner in corners:
        wt = None
        for a in range(3):
            f = src[a] - lows[a]
            part = f if corner[2 - a] else 1.0 - f
            wt = part if wt is None else wt * part
        weights.append(wt)
    v, _ = _gather(x, coords, [d, h, w], "zeros", ac)
    return _sum(v * expand_dims(stack(weights, axis=1), axis=1), axis=2)
