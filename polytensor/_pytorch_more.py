"""More of PyTorch's namespace functions that tutorials use: ``cdist``, ``nan_to_num``, ``kron``,
``bucketize``, ``histc``, ``triu_indices`` and ``tril_indices``.

Each is written with the standard's operations (so the differentiable ones differentiate on
every backend) and keeps PyTorch's arguments and conventions.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, cast

from . import _dtypes as dt
from ._checks import describe
from ._ops.creation import arange, asarray, full_like
from ._ops.data_types import astype, finfo, result_type
from ._ops.elementwise import abs as _abs
from ._ops.elementwise import isinf, isnan
from ._ops.linalg import vector_norm
from ._ops.manipulation import expand_dims, reshape
from ._ops.searching import searchsorted as _searchsorted
from ._ops.searching import where
from ._ops.sorting import sort
from ._ops.statistical import max as _max
from ._ops.statistical import min as _min
from ._ops.statistical import sum as _sum
from ._tensor_base import TensorBase

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "bucketize",
    "cdist",
    "count_nonzero",
    "diff",
    "histc",
    "isin",
    "kron",
    "meshgrid",
    "nan_to_num",
    "searchsorted",
    "tensordot",
    "tril_indices",
    "triu_indices",
]


def _tensor_arg(where: str, name: str, x: Any) -> Tensor:
    if not isinstance(x, TensorBase):
        raise TypeError(
            f"{where}() expects {name} to be a polytensor Tensor; got {type(x).__name__}; "
            f"convert it with pt.asarray(...)"
        )
    return cast("Tensor", x)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """The ``p``-norm distances between the rows of ``x1`` (..., P, M) and of ``x2``
    (..., R, M): an (..., P, R) tensor, as ``torch.cdist`` (the batch dimensions broadcast).

    Computed from the differences of every pair (PyTorch's exact path), whatever
    ``compute_mode``: the gradient of a zero distance is 0, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cdist(pt.asarray([[0.0, 0.0], [1.0, 1.0]]), pt.asarray([[3.0, 4.0]]))
    tensor([[5.       ],
            [3.6055512]], backend='numpy')
    """
    a, b = _tensor_arg("cdist", "x1", x1), _tensor_arg("cdist", "x2", x2)
    if compute_mode not in (
        None,
        "use_mm_for_euclid_dist_if_necessary",
        "use_mm_for_euclid_dist",
        "donot_use_mm_for_euclid_dist",
    ):
        raise ValueError(f"cdist(): {compute_mode} is not a valid value for compute_mode")
    for name, x in (("X1", a), ("X2", b)):
        if x.ndim < 2:
            raise ValueError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
        if x.dtype.kind != "real floating":
            raise TypeError(
                f"cdist only supports floating-point dtypes, {name} got: {x.dtype.name}; cast "
                f"with pt.astype(x, pt.float32)"
            )
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}"
        )
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not p >= 0:
        raise ValueError(f"cdist only supports non-negative p values; got {p!r}")
    d = expand_dims(a, axis=-2) - expand_dims(b, axis=-3)
    if p == math.inf:
        # PyTorch's cdist gives every coordinate tied for the largest |difference| the whole
        # gradient (vector_norm's splits it among them): the maximum, plus each tied
        # |difference| less itself (zero in value, one in gradient)
        size = _abs(d)
        top = _max(size, axis=-1, keepdims=True).detach()
        ties = where(size == top, size - top, 0.0)
        return reshape(top, tuple(top.shape[:-1])) + _sum(ties, axis=-1)
    return cast("Tensor", vector_norm(d, axis=-1, ord=float(p)))


def nan_to_num(
    input: Tensor,
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
    *,
    out: Tensor | None = None,
) -> Tensor:
    """``input`` with NaN replaced by ``nan``, +inf by ``posinf`` and -inf by ``neginf``
    (by default the dtype's largest and smallest finite values), as ``torch.nan_to_num``;
    the gradient flows through the finite elements only.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.nan_to_num(pt.asarray([float("nan"), float("inf"), -1.0]), posinf=9.0)
    tensor([ 0.,  9., -1.], backend='numpy')
    """
    x = _tensor_arg("nan_to_num", "input", input)
    if out is not None and not isinstance(out, TensorBase):
        raise TypeError(f"nan_to_num() expects a tensor for out; got {describe(out)}")
    nan_v = _replacement("nan", nan)
    posinf_v, neginf_v = _replacement("posinf", posinf), _replacement("neginf", neginf)
    if x.dtype.kind not in ("real floating", "complex floating"):
        result = x * 1 if x.dtype != dt.bool else astype(x, dt.bool, copy=True)
    elif x.dtype.kind == "complex floating":
        raise NotImplementedError(
            "nan_to_num() of complex tensors is not implemented; apply it to pt.real(x) and "
            "pt.imag(x)"
        )
    else:
        info = finfo(x.dtype)
        hi = float(info.max) if posinf_v is None else _rounded(posinf_v, info)
        lo = float(info.min) if neginf_v is None else _rounded(neginf_v, info)
        nan = _rounded(nan_v or 0.0, info)  # (None: 0, as PyTorch's)
        inf = where(x > 0, full_like(x, hi), full_like(x, lo))  # (in x's dtype: no overflow)
        result = where(isnan(x), float(nan), where(isinf(x), inf, x))
    if out is not None:
        out[...] = result
        return out
    return result


def _replacement(name: str, v: Any) -> float | None:
    """A replacement value of ``nan_to_num`` as a float (None as it is), or its TypeError:
    ``float()`` of an array of several elements says so in NumPy's words only."""
    if v is None:
        return None
    try:
        if isinstance(v, (str, bytes, bytearray)):  # (float("1.5") parses; PyTorch refuses it)
            raise TypeError
        return float(v)
    except (TypeError, ValueError):
        raise TypeError(
            f"nan_to_num() expects {name} to be a float or None; got {describe(v)}"
        ) from None


def _rounded(v: float, info: Any) -> float:
    """``v`` as the dtype of ``info`` rounds it (PyTorch casts the replacements to the
    tensor's dtype): beyond its largest finite value, that value or an infinity."""
    big = float(info.max)
    if math.isnan(v) or abs(v) <= big or math.isinf(v):
        return v
    top = big / (2 - float(info.eps))  # the dtype's largest power of two, whose ulp is top * eps
    overflows = abs(v) >= big + top * float(info.eps) / 2
    return math.copysign(math.inf if overflows else big, v)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product, as ``torch.kron``: for inputs of n dimensions (the one with
    fewer gets leading ones), entry ``i * other.shape + j`` is ``input[i] * other[j]``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.kron(pt.asarray([[1.0, 2.0]]), pt.asarray([[1.0], [10.0]]))
    tensor([[ 1.,  2.],
            [10., 20.]], backend='numpy')
    """
    a, b = _tensor_arg("kron", "input", input), _tensor_arg("kron", "other", other)
    n = max(a.ndim, b.ndim)
    sa = (1,) * (n - a.ndim) + tuple(a.shape)
    sb = (1,) * (n - b.ndim) + tuple(b.shape)
    if None in sa or None in sb:
        raise ValueError("kron() of a tensor with unknown (lazy) shape; call pt.compute(x) first")
    ia, ib = cast("tuple[int, ...]", sa), cast("tuple[int, ...]", sb)
    wide_a = reshape(a, tuple(v for s in ia for v in (s, 1)))
    wide_b = reshape(b, tuple(v for s in ib for v in (1, s)))
    return reshape(wide_a * wide_b, tuple(x * y for x, y in zip(ia, ib, strict=True)))


def bucketize(
    input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
) -> Tensor:
    """The bucket of each element of ``input`` among the sorted 1-D ``boundaries``, as
    ``torch.bucketize``: i such that ``boundaries[i-1] < x <= boundaries[i]`` (``right``:
    ``boundaries[i-1] <= x < boundaries[i]``); int64, or int32 with ``out_int32``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.bucketize(pt.asarray([1.0, 5.0, 9.0]), pt.asarray([1.0, 5.0, 7.0]))
    tensor([0, 1, 3], backend='numpy')
    """
    bounds = _tensor_arg("bucketize", "boundaries", boundaries)
    if bounds.ndim != 1:
        raise ValueError(
            f"bucketize(): boundaries tensor must be 1 dimension, but got dim({bounds.ndim})"
        )
    x = input if isinstance(input, TensorBase) else asarray(input, device=bounds.device)
    x = cast("Tensor", x)
    if x.dtype != bounds.dtype:  # PyTorch compares in the promoted dtype (1.5 stays 1.5)
        common = result_type(x, bounds)
        x, bounds = astype(x, common), astype(bounds, common)
    found = _searchsorted(bounds, x, side="right" if right else "left")
    return astype(found, dt.int32 if out_int32 else dt.int64)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """A histogram of ``bins`` equal bins from ``min`` to ``max`` (both 0: the data's least and
    greatest values), as ``torch.histc``: elements outside are left out, one equal to ``max``
    counts in the last bin; the counts have the input's dtype. Not differentiable, as
    PyTorch's. On a lazy backend, the data's range, when used, is computed.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.histc(pt.asarray([1.0, 2.0, 1.0, 4.0]), bins=4, min=0, max=4)
    tensor([0., 2., 1., 1.], backend='numpy')
    """
    x = _tensor_arg("histc", "input", input)
    if x.dtype.kind != "real floating":
        raise TypeError(
            f'"histogram_cpu" not implemented for {x.dtype.name}: histc() expects a real '
            f"floating-point input; cast with pt.astype(x, pt.float32)"
        )
    if isinstance(bins, bool) or not isinstance(bins, int) or bins <= 0:
        raise ValueError(f"torch.histc: bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    flat = reshape(x.detach(), (-1,))
    if lo == hi and flat.shape[0] != 0:
        lo, hi = float(_min(flat)), float(_max(flat))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(
            f"histc(): the range [{lo}, {hi}] is not finite (the data's own range is used when "
            f"min == max); give a finite min and max, or drop the NaN and infinite values"
        )
    if lo > hi:
        raise ValueError(f"histc(): max must be larger than min; got min={lo} and max={hi}")
    # PyTorch's binning: by division, in the input's dtype, from the range's ends as the
    # dtype holds them; the last bin holds max too; NaN and values outside are left out
    left = asarray(lo, dtype=x.dtype, device=x.device)
    right = asarray(hi, dtype=x.dtype, device=x.device)
    inside = (flat >= left) & (flat <= right)
    pos = astype((where(inside, flat, left) - left) * float(bins) / (right - left), dt.int64)
    pos = where(inside, where(pos >= bins, bins - 1, pos), bins)  # (bins: left out)
    pos = sort(pos)
    bounds = _searchsorted(pos, arange(bins + 1, dtype=dt.int64, device=x.device), side="left")
    return astype(bounds[1:] - bounds[:-1], x.dtype)


def _triangle(where: str, row: int, col: int, offset: int, dtype: Any, device: Any) -> Tensor:
    for name, v in (("row", row), ("col", col), ("offset", offset)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{where}() expects an int {name}; got {v!r}")
    if row < 0 or col < 0:
        raise ValueError(f"{where}(): row and col must be non-negative; got {row} and {col}")
    if dtype not in (dt.int64, dt.int32):
        raise TypeError(f"{where}() expects dtype int64 or int32; got {dtype}")
    upper = where == "triu_indices"
    pairs = [
        (i, j)
        for i in range(row)
        for j in range(col)
        if (j - i >= offset if upper else j - i <= offset)
    ]
    rows = [i for i, _ in pairs]
    cols = [j for _, j in pairs]
    return asarray([rows, cols], dtype=dtype, device=device)


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = dt.int64, device: Any = None
) -> Tensor:
    """The (2, N) coordinates of the upper triangle of a ``row`` by ``col`` matrix, row by
    row: the entries on and above diagonal ``offset``, as ``torch.triu_indices``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.triu_indices(3, 3, 1)
    tensor([[0, 0, 1],
            [1, 2, 2]], backend='numpy')
    """
    return _triangle("triu_indices", row, col, offset, dtype, device)


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = dt.int64, device: Any = None
) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a ``row`` by ``col`` matrix, row by
    row: the entries on and below diagonal ``offset``, as ``torch.tril_indices``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.tril_indices(3, 3)
    tensor([[0, 1, 1, 2, 2, 2],
            [0, 0, 1, 0, 1, 2]], backend='numpy')
    """
    return _triangle("tril_indices", row, col, offset, dtype, device)


# -- the standard's functions with PyTorch's arguments too --------------------------------------
def tensordot(x1: Tensor, x2: Tensor, /, axes: Any = 2, *, dims: Any = None) -> Tensor:
    """The standard's ``pt.tensordot(x1, x2, axes=2)``, with PyTorch's ``dims=`` (an int, or a
    pair of lists of dimensions; a tensor of them too) and ``axes`` given positionally, as
    ``torch.tensordot(a, b, 2)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> a, b = pt.ones((2, 3, 4)), pt.ones((4, 3, 5))
    >>> pt.tensordot(a, b, dims=([1, 2], [1, 0])).shape
    (2, 5)
    """
    from ._ops.linear_algebra import tensordot as _tensordot

    if dims is not None:
        if axes != 2:
            raise TypeError("tensordot() got both axes= and dims=; pass one of them")
        axes = dims
    if isinstance(axes, TensorBase):
        axes = axes.tolist()
    if isinstance(axes, (tuple, list)):
        if len(axes) != 2:
            raise ValueError(
                f"tensordot() expects dims as an int or a pair of dimension lists; got {axes!r}"
            )
        axes = tuple(tuple(a) if isinstance(a, (tuple, list)) else (a,) for a in axes)
    return _tensordot(x1, x2, axes=axes)


def count_nonzero(
    x: Tensor, /, dim: Any = None, *, axis: Any = None, keepdims: bool = False
) -> Tensor:
    """The standard's ``pt.count_nonzero(x, axis=None, keepdims=False)``, with PyTorch's
    ``dim`` (positional too: ``torch.count_nonzero(x, 1)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.count_nonzero(pt.asarray([[0, 1], [2, 3]]), 1)
    tensor([1, 2], backend='numpy')
    """
    from ._ops.searching import count_nonzero as _count_nonzero

    if dim is not None:
        if axis is not None:
            raise TypeError("count_nonzero() got both dim and axis=; pass one of them")
        axis = tuple(dim) if isinstance(dim, list) else dim
    return _count_nonzero(x, axis=axis, keepdims=keepdims)


def diff(
    x: Tensor,
    /,
    n: int = 1,
    dim: int | None = None,
    prepend: Any = None,
    append: Any = None,
    *,
    axis: int | None = None,
) -> Tensor:
    """The standard's ``pt.diff(x, axis=-1, n=1, prepend=None, append=None)``, with
    PyTorch's ``dim`` and its order of positional arguments (``torch.diff(x, 1, 0)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.diff(pt.asarray([[1, 4], [9, 16]]), dim=0)
    tensor([[ 8, 12]], backend='numpy')
    """
    from ._ops.statistical import diff as _diff

    if dim is not None and axis is not None:
        raise TypeError("diff() got both dim and axis=; pass one of them")
    a = dim if dim is not None else (-1 if axis is None else axis)
    return cast("Tensor", _diff(x, axis=a, n=n, prepend=prepend, append=append))


def meshgrid(*arrays: Any, indexing: str = "xy") -> tuple[Tensor, ...]:
    """The standard's ``pt.meshgrid(*arrays, indexing='xy')``; the arrays may also come as one
    list or tuple, as ``torch.meshgrid([x, y], indexing='ij')``.

    Note: the default ``indexing`` is the standard's ``'xy'``; PyTorch's is ``'ij'`` (with a
    warning asking to pass it), so pass ``indexing=`` to get the same grids in both.

    Examples
    --------
    >>> import polytensor as pt
    >>> X, Y = pt.meshgrid([pt.arange(2), pt.arange(3)], indexing="ij")
    >>> X.shape
    (2, 3)
    """
    from ._ops.creation import meshgrid as _meshgrid

    if len(arrays) == 1 and isinstance(arrays[0], (list, tuple)):
        arrays = tuple(arrays[0])
    return tuple(_meshgrid(*arrays, indexing=indexing))


def searchsorted(
    x1: Tensor,
    x2: Any,
    /,
    *,
    side: str | None = None,
    sorter: Any = None,
    right: bool = False,
    out_int32: bool = False,
) -> Tensor:
    """The standard's ``pt.searchsorted(x1, x2, side='left', sorter=None)``, with PyTorch's
    ``right=``, ``out_int32=`` and an N-d ``x1`` (``torch.searchsorted(sorted_sequence,
    values)``): each row of ``x1`` along its last dimension is searched for the values in the
    same row of ``x2``.

    Examples
    --------
    >>> import polytensor as pt
    >>> seq = pt.asarray([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])
    >>> pt.searchsorted(seq, pt.asarray([[3, 6, 9], [3, 6, 9]]), right=True)
    tensor([[2, 3, 5],
            [1, 3, 4]], backend='numpy')
    """
    from ._ops.indexing import take_along_axis

    if side is not None and right and side != "right":
        raise ValueError(
            "searchsorted(): side and right can't be set to opposites, got side of left "
            "while right was True"
        )
    s = side if side is not None else ("right" if right else "left")
    if s not in ("left", "right"):
        raise ValueError(f"searchsorted() expects side 'left' or 'right'; got {s!r}")
    seq = _tensor_arg("searchsorted", "x1 (the sorted sequence)", x1)
    if seq.ndim <= 1:
        found = _searchsorted(seq, x2, side=s, sorter=sorter)
    else:
        values = _tensor_arg("searchsorted", "x2 (the values)", x2)
        if tuple(values.shape[:-1]) != tuple(seq.shape[:-1]):
            raise ValueError(
                f"searchsorted(): the leading dimensions of sorted_sequence "
                f"{tuple(seq.shape)} and input {tuple(values.shape)} must match (all but "
                f"the last)"
            )
        if sorter is not None:
            seq = take_along_axis(seq, sorter, axis=-1)
        if seq.dtype != values.dtype:
            common = result_type(seq, values)
            seq, values = astype(seq, common), astype(values, common)
        row, v = expand_dims(seq, axis=-2), expand_dims(values, axis=-1)
        below = row <= v if s == "right" else row < v
        if values.dtype.kind in ("real floating", "complex floating"):
            # a NaN sorts last, as the 1-d search (and a sort) takes it: after every number,
            # and, searching right, after the NaNs too
            nan = isnan(v)
            below = below | (nan if s == "right" else nan & ~isnan(row))
        found = _sum(astype(below, dt.int64), axis=-1)
    return astype(found, dt.int32 if out_int32 else dt.int64)


def isin(x1: Any, x2: Any, /, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """The standard's ``pt.isin(x1, x2, invert=False)``: whether each element of ``x1`` is
    among the elements of ``x2``; as PyTorch's, floating-point elements are accepted too (NaN
    is in nothing) and ``assume_unique`` (a hint, the result is the same) is taken.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.isin(pt.asarray([1.0, 2.5, 3.0]), pt.asarray([2.5, 3.0]))
    tensor([False,  True,  True], backend='numpy')
    """
    from ._ops.sorting import isin as _isin
    from ._ops.statistical import any as _any

    if not any(
        isinstance(v, float) or getattr(getattr(v, "dtype", None), "kind", "") == "real floating"
        for v in (x1, x2)
    ):
        return _isin(x1, x2, invert=invert)
    # Note: the standard's isin takes integers; floating-point elements compare one by one
    like = next(v for v in (x1, x2) if isinstance(v, TensorBase))
    a = cast("Tensor", x1 if isinstance(x1, TensorBase) else asarray(x1, device=like.device))
    b = cast("Tensor", x2 if isinstance(x2, TensorBase) else asarray(x2, device=like.device))
    found = _any(expand_dims(a.detach(), axis=-1) == reshape(b.detach(), (-1,)), axis=-1)
    return ~found if invert else found
