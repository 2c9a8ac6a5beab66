"""3-D pooling and channel-wise dropout, as ``torch.nn.functional``'s ``max_pool3d``,
``avg_pool3d``, ``adaptive_avg_pool3d``, ``adaptive_max_pool3d`` and ``dropout3d``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short.
Windows are formed by a reshape where they tile the input, by stacking strided views
otherwise; maxima are picked with ``argmax`` and ``take_along_axis`` (the gradient of a window
goes to its first maximal element, as PyTorch's), sums and means with the standard's
reductions. All of it differentiates on every backend.
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any, cast

from .. import _dtypes as _dt
from .._ops.creation import arange, asarray, zeros
from .._ops.data_types import astype
from .._ops.elementwise import isnan
from .._ops.indexing import take, take_along_axis
from .._ops.manipulation import flip, permute_dims, reshape, stack
from .._ops.searching import argmax, where
from .._ops.statistical import any as _any
from .._ops.statistical import mean as _mean
from .._ops.statistical import sum as _sum
from .._tensor import Tensor
from ..autograd import no_grad
from ..autograd._input_in_grad import input_in_grad
from ._conv3d import _batched5, _triple, pad_axis
from ._errors import LayerArgumentError
from ._random import uniform_like as _uniform_like
from .functional import (
    _adaptive_bins,
    _floating,
    _in_place,
    _pool_counts,
    _tensor,
    empty_pool,
)

__all__ = ["adaptive_avg_pool3d", "adaptive_max_pool3d", "avg_pool3d", "dropout3d", "max_pool3d"]

_Three = tuple[int, int, int]


def _out_sizes(
    sizes: _Three, k: _Three, s: _Three, p: _Three, d: _Three, ceil_mode: bool, where: str
) -> _Three:
    """The output size along each axis, by PyTorch's rule (with ``ceil_mode``, a last window
    that starts inside the padded input, even if it runs past it)."""
    outs = []
    for size, ki, si, pi, di in zip(sizes, k, s, p, d, strict=True):
        span = size + 2 * pi - di * (ki - 1) - 1
        n = (-(-span // si) if ceil_mode else span // si) + 1
        if ceil_mode and (n - 1) * si >= size + pi:
            n -= 1
        outs.append(n)
    if min(outs) < 1:
        raise LayerArgumentError(
            f"{where}(): given an input of size {'x'.join(map(str, sizes))}, the output would "
            f"have size {'x'.join(map(str, outs))}, which is too small; use a smaller kernel "
            f"or more padding"
        )
    return cast("_Three", tuple(outs))


def _geometry(
    where: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any
) -> tuple[_Three, _Three, _Three, _Three]:
    """Kernel, stride (the kernel's by default), padding and dilation, checked as PyTorch's
    pools check them (padding at most half of the effective kernel)."""
    k = _triple(kernel_size, "kernel_size", where)
    s = k if stride is None or stride in ((), []) else _triple(stride, "stride", where)
    p = _triple(padding, "padding", where)
    d = _triple(dilation, "dilation", where)
    if min(*k, *s, *d) < 1:
        raise LayerArgumentError(
            f"{where}() expects positive kernel_size, stride and dilation; got "
            f"kernel_size={kernel_size!r}, stride={stride!r}, dilation={dilation!r}"
        )
    if any(pi < 0 or pi > ((ki - 1) * di + 1) // 2 for pi, ki, di in zip(p, k, d, strict=True)):
        raise LayerArgumentError(
            f"{where}(): padding should be at most half of the effective kernel size; got "
            f"padding={padding!r}, kernel_size={kernel_size!r}, dilation={dilation!r}"
        )
    return k, s, p, d


def _windows(x: Tensor, k: _Three, s: _Three, d: _Three, out: _Three) -> Tensor:
    """Every window of ``x`` (N, C, D, H, W, padded so that each lies inside) as the last
    axis of an (N, C, Do, Ho, Wo, K) tensor, in the kernel's C order."""
    n, c = x.shape[:2]
    if s == k and d == (1, 1, 1):  # windows that tile: one reshape, no copies of them
        x = x[:, :, : out[0] * k[0], : out[1] * k[1], : out[2] * k[2]]
        t = reshape(x, (n, c, out[0], k[0], out[1], k[1], out[2], k[2]))
        return reshape(permute_dims(t, (0, 1, 2, 4, 6, 3, 5, 7)), (n, c, *out, math.prod(k)))
    views = []
    for a, b, e in itertools.product(*(range(ki) for ki in k)):
        lo = (a * d[0], b * d[1], e * d[2])
        hi = [lo[i] + s[i] * (out[i] - 1) + 1 for i in range(3)]
        views.append(x[:, :, lo[0] : hi[0] : s[0], lo[1] : hi[1] : s[1], lo[2] : hi[2] : s[2]])
    return stack(views, axis=5)


def _pad3(x: Tensor, before: _Three, after: _Three, value: float) -> Tensor:
    for axis in range(3):
        x = pad_axis(x, 2 + axis, before[axis], after[axis], value)
    return x


def max_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """3-D max pooling, as ``torch.nn.functional.max_pool3d``.

    As in PyTorch, the gradient of each window goes to its first maximal element (a window
    holding NaNs gives its last NaN); ``return_indices`` adds each maximum's flat position
    ``(d * H + h) * W + w`` in its input volume.

    Parameters
    ----------
    input : Tensor
        Shape (N, C, D, H, W) or (C, D, H, W).
    kernel_size : int or (int, int, int)
    stride : int or (int, int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int, int)
        Implicit -inf on both sides (at most half the effective kernel).
    dilation : int or (int, int, int)
    ceil_mode : bool
        Round the output size up.
    return_indices : bool

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.reshape(pt.arange(27.0), (1, 1, 3, 3, 3))
    >>> values, indices = F.max_pool3d(x, 2, stride=1, return_indices=True)
    >>> values[0, 0, 0].tolist(), indices[0, 0, 1].tolist()
    ([[13.0, 14.0], [16.0, 17.0]], [[22, 23], [25, 26]])
    """
    where_ = "max_pool3d"
    x, unbatched = _batched5(_tensor(input, where_), where_)
    if x.dtype.kind not in ("real floating", "signed integer", "unsigned integer"):
        raise TypeError(f"max_pool3d() expects a real numeric input; got {x.dtype.name}")
    k, s, p, d = _geometry(where_, kernel_size, stride, padding, dilation)
    n, c, *rest = cast("tuple[int, ...]", x.shape)
    sizes = cast("_Three", tuple(rest))
    out = _out_sizes(sizes, k, s, p, d, ceil_mode, where_)
    need = [(out[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 for i in range(3)]
    extra = cast("_Three", tuple(max(need[i] - sizes[i] - p[i], 0) for i in range(3)))
    if (any(p) or any(extra)) and x.dtype.kind != "real floating":
        raise NotImplementedError(
            "max_pool3d() with padding or ceil_mode needs a floating-point input; convert it "
            "with x.float()"
        )
    x = input_in_grad(x)  # (its gradient depends on it, as PyTorch's)
    if any(p) or any(extra):
        x = _pad3(x, p, extra, -math.inf)
    x = x[:, :, : need[0], : need[1], : need[2]]
    win = _windows(x, k, s, d, out)
    kk = math.prod(k)
    with no_grad():
        # each window's first maximum, or in a window holding NaNs its last NaN (PyTorch's
        # CPU rule: val > max or isnan(val))
        nan = astype(isnan(win), _dt.int8)
        last_nan = (kk - 1) - argmax(flip(nan, axis=-1), axis=-1, keepdims=True)
        pick = where(
            _any(nan, axis=-1, keepdims=True), last_nan, argmax(win, axis=-1, keepdims=True)
        )
    values = reshape(take_along_axis(win, pick, axis=-1), (n, c, *out))
    if not return_indices:
        return values[0] if unbatched else values
    with no_grad():
        at = astype(reshape(pick, (n, c, *out)), _dt.int64)
        taps = (at // (k[1] * k[2]), (at // k[2]) % k[1], at % k[2])
        flat: Any = 0
        for axis in range(3):
            shape = [1, 1, 1]
            shape[axis] = out[axis]
            start = reshape(arange(out[axis], dtype=_dt.int64, device=x.device), tuple(shape))
            position = start * s[axis] - p[axis] + taps[axis] * d[axis]
            flat = flat * sizes[axis] + position
    indices = cast("Tensor", flat)
    return (values[0], indices[0]) if unbatched else (values, indices)


def avg_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """3-D average pooling, as ``torch.nn.functional.avg_pool3d``.

    Each window's sum over the input, zeros in the padding, divided by the window's size
    within the padded input (``count_include_pad``, the default; a window that ``ceil_mode``
    lets run past it counts only its part inside), by its size within the input itself
    (``count_include_pad=False``), or by ``divisor_override``.

    Parameters
    ----------
    input : Tensor
        Shape (N, C, D, H, W) or (C, D, H, W), floating.
    kernel_size : int or (int, int, int)
    stride : int or (int, int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int, int)
        Zeros added on both sides (at most half the kernel).
    ceil_mode, count_include_pad : bool
    divisor_override : int, optional

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.reshape(pt.arange(8.0), (1, 1, 2, 2, 2))
    >>> F.avg_pool3d(x, 2).flatten()
    tensor([3.5], backend='numpy')
    >>> F.avg_pool3d(x, 2, padding=1, count_include_pad=False)[0, 0, 0]
    tensor([[0., 1.],
            [2., 3.]], backend='numpy')
    """
    where_ = "avg_pool3d"
    x, unbatched = _batched5(_tensor(input, where_), where_)
    _floating(x, where_, real=True)
    k, s, p, _ = _geometry(where_, kernel_size, stride, padding, 1)
    if divisor_override is not None and (
        isinstance(divisor_override, bool)
        or not isinstance(divisor_override, int)
        or divisor_override == 0
    ):
        raise LayerArgumentError(
            f"avg_pool3d() expects divisor_override to be a nonzero int or None; got "
            f"{divisor_override!r}"
        )
    n, c, *rest = cast("tuple[int, ...]", x.shape)
    sizes = cast("_Three", tuple(rest))
    out = _out_sizes(sizes, k, s, p, (1, 1, 1), ceil_mode, where_)
    need = [(out[i] - 1) * s[i] + k[i] for i in range(3)]
    extra = cast("_Three", tuple(max(need[i] - sizes[i] - p[i], 0) for i in range(3)))
    x = input_in_grad(x)  # (its gradient depends on it, as PyTorch's)
    x = _pad3(x, p, extra, 0.0)[:, :, : need[0], : need[1], : need[2]]
    if s == k:  # windows that tile: one reshape, no copies of them
        t = reshape(x, (n, c, out[0], k[0], out[1], k[1], out[2], k[2]))
        total = _sum(t, axis=(3, 5, 7))
    else:
        total = _sum(_windows(x, k, s, (1, 1, 1), out), axis=-1)
    if divisor_override is not None:
        result = total / float(divisor_override)
    else:
        counts = [
            _pool_counts(sizes[i], k[i], s[i], p[i], out[i], count_include_pad) for i in range(3)
        ]
        if all(len(set(cs)) == 1 for cs in counts):  # one divisor for every window
            result = total / float(math.prod(cs[0] for cs in counts))
        else:
            table = [[[float(a * b * e) for e in counts[2]] for b in counts[1]] for a in counts[0]]
            result = total / asarray(table, dtype=x.dtype, device=x.device)
    return result[0] if unbatched else result


def _output_size3(output_size: Any, sizes: _Three, where: str) -> _Three:
    """An adaptive pool's output size: an int for all three axes, or three entries (None
    keeps the input's size)."""
    if isinstance(output_size, int) and not isinstance(output_size, bool):
        given: list[Any] = [output_size] * 3
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 3:
        given = list(output_size)
    elif isinstance(output_size, (tuple, list)):
        raise LayerArgumentError(
            f"{where}(): output_size must have 3 entries (depth, height, width); got "
            f"{output_size!r}"
        )
    else:
        raise TypeError(
            f"{where}() expects output_size to be an int or a tuple of three ints (None keeps "
            f"the input's size); got {output_size!r}"
        )
    outs = [sizes[i] if v is None else v for i, v in enumerate(given)]
    for v in outs:
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise LayerArgumentError(
                f"{where}(): elements of output_size must be greater than or equal to 0; got "
                f"{output_size!r}"
            )
    return cast("_Three", tuple(outs))


def _adaptive_input(input: Any, where: str) -> tuple[Tensor, bool, _Three]:
    x, unbatched = _batched5(_tensor(input, where), where)
    _floating(x, where, real=True)
    sizes = cast("_Three", tuple(x.shape[2:]))
    if 0 in x.shape[1:]:
        raise LayerArgumentError(
            f"{where}(): expected an input with non-zero sizes for its non-batch dimensions; "
            f"got shape {x.shape}"
        )
    return x, unbatched, sizes


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """3-D adaptive average pooling, as ``torch.nn.functional.adaptive_avg_pool3d``: output
    position (i, j, l) averages the input's depths ``floor(i * D / od)`` to ``ceil((i + 1) *
    D / od)`` (exclusive), and its rows and columns alike.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.reshape(pt.arange(27.0), (1, 1, 3, 3, 3))
    >>> F.adaptive_avg_pool3d(x, 1).flatten()
    tensor([13.], backend='numpy')
    >>> F.adaptive_avg_pool3d(x, (2, 1, 1)).flatten()
    tensor([ 8.5, 17.5], backend='numpy')
    """
    where_ = "adaptive_avg_pool3d"
    x, unbatched, sizes = _adaptive_input(input, where_)
    out = _output_size3(output_size, sizes, where_)
    n, c = cast("tuple[int, int]", x.shape[:2])
    if 0 in out:
        y = empty_pool(x, (n, c, *out), where_)
        return y[0] if unbatched else y
    if out == (1, 1, 1):  # (a mean, as PyTorch's: a gradient of the cotangent alone)
        y = _mean(x, axis=(2, 3, 4), keepdims=True)
        return y[0] if unbatched else y
    x = input_in_grad(x)  # (its gradient depends on it, as PyTorch's)
    if all(sizes[i] % out[i] == 0 for i in range(3)):
        shape = (n, c, *(v for i in range(3) for v in (out[i], sizes[i] // out[i])))
        y = _mean(reshape(x, shape), axis=(3, 5, 7))
    else:  # each bin's mean, one axis after the other (a box's mean is the mean of means)
        y = x
        for axis in range(3):
            bins = _adaptive_bins(sizes[axis], out[axis])
            cut = [slice(None)] * (2 + axis)
            y = stack(
                [_mean(y[(*cut, slice(a, b))], axis=2 + axis) for a, b in bins], axis=2 + axis
            )
    return y[0] if unbatched else y


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """3-D adaptive max pooling, as ``torch.nn.functional.adaptive_max_pool3d``: the maximum
    of each of ``adaptive_avg_pool3d``'s bins (its gradient to the first maximal element);
    ``return_indices`` adds each maximum's flat position ``(d * H + h) * W + w``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.reshape(pt.arange(27.0), (1, 1, 3, 3, 3))
    >>> values, indices = F.adaptive_max_pool3d(x, (2, 1, 1), return_indices=True)
    >>> values.flatten(), indices.flatten()
    (tensor([17., 26.], backend='numpy'), tensor([17, 26], backend='numpy'))
    """
    where_ = "adaptive_max_pool3d"
    x, unbatched, sizes = _adaptive_input(input, where_)
    out = _output_size3(output_size, sizes, where_)
    if 0 in out:
        n0, c0 = cast("tuple[int, int]", x.shape[:2])
        y = empty_pool(x, (n0, c0, *out), where_)
        at0 = zeros((n0, c0, *out), dtype=_dt.int64, device=x.device)
        if unbatched:
            y, at0 = y[0], at0[0]
        return (y, at0) if return_indices else y
    x = input_in_grad(x)  # (its gradient depends on it, as PyTorch's)
    dd, hh, ww = sizes
    # the flat positions of each output's window; a shorter window repeats its first position
    # (a repeat never changes the maximum, and comes after the original)
    windows = [
        [(a * hh + b) * ww + e for a in range(*da) for b in range(*hb) for e in range(*we)]
        for da, hb, we in itertools.product(*(_adaptive_bins(sizes[i], out[i]) for i in range(3)))
    ]
    kk = max(len(w) for w in windows)
    table = [w + [w[0]] * (kk - len(w)) for w in windows]
    n, c = cast("tuple[int, int]", x.shape[:2])
    positions = reshape(asarray(table, dtype=_dt.int64, device=x.device), (-1,))
    gathered = reshape(take(reshape(x, (n, c, dd * hh * ww)), positions, axis=-1), (n, c, *out, kk))
    at = argmax(gathered, axis=-1, keepdims=True)
    values = take_along_axis(gathered, at, axis=-1)[..., 0]
    if not return_indices:
        return values[0] if unbatched else values
    with no_grad():
        starts = reshape(arange(math.prod(out), dtype=_dt.int64, device=x.device) * kk, (*out, 1))
        found = take(positions, reshape(starts + astype(at, _dt.int64), (-1,)), axis=0)
        indices = reshape(found, (n, c, *out))
    return (values[0], indices[0]) if unbatched else (values, indices)


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels with probability ``p`` and scale the others by ``1 / (1 - p)``, as
    ``torch.nn.functional.dropout3d``: one draw for every (sample, channel) pair of an
    (N, C, D, H, W) input, one per channel of a (C, D, H, W) one. Outside training, the input
    is returned. Other numbers of dimensions warn, as PyTorch's, and are taken as unbatched.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> _ = pt.manual_seed(0)
    >>> y = F.dropout3d(pt.ones((2, 8, 2, 2, 2)), p=0.5)
    >>> sorted(set(y.flatten().tolist()))
    [0.0, 2.0]
    >>> bool((y == y[:, :, :1, :1, :1]).all())  # one draw for each channel of each sample
    True
    """
    x = _tensor(input, "dropout3d")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(
            f"dropout3d(): dropout probability has to be between 0 and 1, but got {p!r}"
        )
    if x.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated and will "
            f"result in an error in a future release. To retain the behavior and silence this "
            f"warning, please use dropout instead. Note that dropout3d exists to provide "
            f"channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            f"an optional batch dimension (i.e. 4D or 5D inputs).",
            UserWarning,
            stacklevel=2,
        )
    if x.ndim < 1:
        raise LayerArgumentError(
            f"dropout3d() expects an input with a channel dimension; got {x.shape}"
        )
    if not training or p == 0.0:  # (PyTorch's returns the input here, in place or not)
        return x
    _floating(x, "dropout3d")
    lead = 2 if x.ndim == 5 else 1  # (unbatched: one draw per channel)
    if None in x.shape[:lead]:
        raise ValueError(
            f"dropout3d() of a tensor with unknown (lazy) shape {x.shape}; call pt.compute(x) first"
        )
    if p == 1.0:
        mask: Any = 0.0
    else:
        shape = (*x.shape[:lead], *(1,) * (x.ndim - lead))
        draws = _uniform_like(zeros(shape, dtype=x.dtype, device=x.device), 0.0, 1.0)
        mask = astype(draws >= p, x.dtype) * (1.0 / (1.0 - p))
    if inplace:
        return _in_place(x, lambda v: v * mask, "dropout3d_")
    return cast("Tensor", x * mask)
