"""PyTorch's namespace functions that cut tensors into pieces or put pieces together, and build
tensors of index patterns: ``tensor_split``, ``hsplit``/``vsplit``/``dsplit``,
``dstack``/``column_stack``/``row_stack``, ``block_diag``, ``cartesian_prod``,
``combinations``, ``vander``, ``unravel_index`` and the windows of ``x.unfold``.

Each is written with the standard's operations (slices, ``concat``, ``take``), so the
differentiable ones differentiate on every backend, and keeps PyTorch's arguments and
conventions.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _dtypes as dt
from ._checks import DimArgumentError
from ._ops.creation import asarray, ones, zeros
from ._ops.data_types import astype, result_type
from ._ops.elementwise import floor_divide, remainder
from ._ops.indexing import take
from ._ops.manipulation import concat, moveaxis, one_dtype, reshape, stack
from ._pytorch import cumprod, vstack
from ._pytorch_more import _tensor_arg
from ._pytorch_shapes import atleast_3d
from ._shapes import check_dim
from ._tensor_base import TensorBase

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "block_diag",
    "cartesian_prod",
    "column_stack",
    "combinations",
    "dsplit",
    "dstack",
    "hsplit",
    "row_stack",
    "tensor_split",
    "unfold",
    "unravel_index",
    "vander",
    "vsplit",
]

_INTEGERS = ("signed integer", "unsigned integer")


# -- pieces ---------------------------------------------------------------------------------------
def _known_length(where: str, x: Tensor, d: int) -> int:
    n = x.shape[d]
    if n is None or (isinstance(n, float) and math.isnan(n)):
        raise ValueError(
            f"{where}(): dimension {d} has a length unknown until computed (after a boolean "
            f"mask, on Dask); compute it first with pt.compute(x)"
        )
    return int(n)


def _split_at(x: Tensor, d: int, bounds: list[int]) -> tuple[Tensor, ...]:
    """The pieces of ``x`` between consecutive ``bounds`` along ``d``, as Python slices read
    them (a negative bound counts from the end, a bound past the end stops there): views."""
    lead = (slice(None),) * d
    edges = [0, *bounds, None]
    return tuple(x[(*lead, slice(a, b))] for a, b in itertools.pairwise(edges))


def _sections_or_indices(where: str, value: Any) -> int | list[int]:
    """An int (a number of sections) or a list of int indices, from what PyTorch takes: an
    int, a list or tuple of ints, or a 0-d (sections) or 1-d (indices) integer tensor."""
    if isinstance(value, TensorBase):
        if value.dtype.kind not in _INTEGERS:
            raise TypeError(
                f"{where} expected tensor_indices_or_sections to have dtype of long, but got "
                f"{value.dtype.name}; cast it with .long()"
            )
        if value.ndim > 1:
            raise DimArgumentError(
                f"{where} expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {value.ndim} dims"
            )
        got = value.tolist()  # (the pieces' number and sizes: known on the host, as PyTorch)
        return int(got) if value.ndim == 0 else [int(v) for v in got]
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            try:
                if isinstance(v, bool):
                    raise TypeError
                out.append(operator.index(v))
            except TypeError:  # (an ndarray of several elements has __index__, and refuses)
                raise TypeError(f"{where}() expects int indices; got {v!r} in {value!r}") from None
        return out
    try:
        if isinstance(value, bool):
            raise TypeError
        return operator.index(value)
    except TypeError:  # (an ndarray of several elements has __index__, and refuses)
        raise TypeError(
            f"{where}() expects an int number of sections, a list of int indices or an "
            f"integer tensor; got {type(value).__name__} {value!r}"
        ) from None


def tensor_split(
    input: Tensor,
    indices_or_sections: Any = None,
    dim: int = 0,
    *,
    sections: int | None = None,
    indices: Any = None,
) -> tuple[Tensor, ...]:
    """``input`` cut along ``dim`` into ``sections`` pieces of near-equal length (the first
    ``length % sections`` one longer), or at each of the ``indices``, as
    ``torch.tensor_split`` (and ``x.tensor_split``): a tuple of views.

    ``indices_or_sections`` may be an int, a list or tuple of ints, or a 0-d or 1-d integer
    tensor; ``sections=`` and ``indices=`` name the two forms.

    Examples
    --------
    >>> import polytensor as pt
    >>> [p.tolist() for p in pt.tensor_split(pt.arange(7), 3)]
    [[0, 1, 2], [3, 4], [5, 6]]
    >>> [p.tolist() for p in pt.arange(7).tensor_split([1, 5])]
    [[0], [1, 2, 3, 4], [5, 6]]
    """
    x = _tensor_arg("tensor_split", "input", input)
    given = [v for v in (indices_or_sections, sections, indices) if v is not None]
    if len(given) != 1:
        raise TypeError(
            "tensor_split() expects one of indices_or_sections, sections= or indices=; got "
            f"{len(given)}"
        )
    if sections is not None and (isinstance(sections, bool) or not hasattr(sections, "__index__")):
        raise TypeError(f"tensor_split() expects an int sections=; got {sections!r}")
    if indices is not None and not isinstance(indices, (list, tuple)):
        raise TypeError(f"tensor_split() expects a list or tuple of ints indices=; got {indices!r}")
    how = _sections_or_indices("tensor_split", given[0])
    if x.ndim == 0:
        raise DimArgumentError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 "
            "dims; reshape it with x.reshape(1)"
        )
    d = check_dim("tensor_split", dim, x.ndim)
    if isinstance(how, list):
        return _split_at(x, d, how)
    if how <= 0:
        raise DimArgumentError(f"number of sections must be larger than 0, got {how}")
    n = _known_length("tensor_split", x, d)
    size, longer = divmod(n, how)
    bounds = list(itertools.accumulate(size + (i < longer) for i in range(how - 1)))
    return _split_at(x, d, bounds)


def _split_even(where: str, x: Tensor, d: int, indices_or_sections: Any) -> tuple[Tensor, ...]:
    how = _sections_or_indices(where, indices_or_sections)
    if isinstance(how, int):
        n = _known_length(where, x, d)
        if how == 0 or n % how:
            raise DimArgumentError(
                f"torch.{where} attempted to split along dimension {d}, but the size of the "
                f"dimension {n} is not divisible by the split_size {how}!"
            )
    return tensor_split(x, how, d)


def _at_least(where: str, x: Tensor, n: int) -> None:
    if x.ndim < n:
        raise DimArgumentError(
            f"torch.{where} requires a tensor with at least {n} dimension, but got a tensor "
            f"with {x.ndim} dimensions!"
        )


def hsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """``input`` cut along its columns (dimension 1; dimension 0 of a 1-d tensor) into equal
    sections or at ``indices``, as ``torch.hsplit`` (and ``x.hsplit``).

    Examples
    --------
    >>> import polytensor as pt
    >>> [tuple(p.shape) for p in pt.hsplit(pt.ones(2, 6), 3)]
    [(2, 2), (2, 2), (2, 2)]
    """
    x = _tensor_arg("hsplit", "input", input)
    _at_least("hsplit", x, 1)
    return _split_even("hsplit", x, 1 if x.ndim > 1 else 0, indices_or_sections)


def vsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """``input`` (2-d or more) cut along its rows (dimension 0) into equal sections or at
    ``indices``, as ``torch.vsplit`` (and ``x.vsplit``).

    Examples
    --------
    >>> import polytensor as pt
    >>> [tuple(p.shape) for p in pt.vsplit(pt.ones(4, 2), [1])]
    [(1, 2), (3, 2)]
    """
    x = _tensor_arg("vsplit", "input", input)
    _at_least("vsplit", x, 2)
    return _split_even("vsplit", x, 0, indices_or_sections)


def dsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """``input`` (3-d or more) cut along its depth (dimension 2) into equal sections or at
    ``indices``, as ``torch.dsplit`` (and ``x.dsplit``).

    Examples
    --------
    >>> import polytensor as pt
    >>> [tuple(p.shape) for p in pt.dsplit(pt.ones(1, 2, 4), 2)]
    [(1, 2, 2), (1, 2, 2)]
    """
    x = _tensor_arg("dsplit", "input", input)
    _at_least("dsplit", x, 3)
    return _split_even("dsplit", x, 2, indices_or_sections)


# -- joins ----------------------------------------------------------------------------------------
def _tensors(where: str, tensors: Any) -> list[Tensor]:
    items = one_dtype(tensors, where)
    if not items:
        raise ValueError(f"{where}() expects a non-empty list of tensors")
    return [_tensor_arg(where, "tensors", t) for t in items]


def dstack(tensors: Any) -> Tensor:
    """The tensors joined along their depth (dimension 2), each made 3-d first as
    ``atleast_3d`` does, as ``torch.dstack``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.dstack([pt.asarray([1, 2]), pt.asarray([3, 4])])
    tensor([[[1, 3],
             [2, 4]]], backend='numpy')
    """
    return concat([atleast_3d(t) for t in _tensors("dstack", tensors)], axis=2)


def column_stack(tensors: Any) -> Tensor:
    """The tensors side by side as columns, as ``torch.column_stack``: a 0-d or 1-d tensor of
    n elements becomes an (n, 1) column, the others are joined along dimension 1.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.column_stack([pt.asarray([1, 2]), pt.asarray([3, 4])])
    tensor([[1, 3],
            [2, 4]], backend='numpy')
    """
    ts = _tensors("column_stack", tensors)
    return concat([reshape(t, (-1, 1)) if t.ndim < 2 else t for t in ts], axis=1)


def row_stack(tensors: Any) -> Tensor:
    """The tensors stacked as rows (``vstack``), as ``torch.row_stack``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.row_stack([pt.asarray([1, 2]), pt.asarray([3, 4])])
    tensor([[1, 2],
            [3, 4]], backend='numpy')
    """
    return vstack(tensors)


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors as blocks down the diagonal of a matrix of zeros, as ``torch.block_diag``:
    a 0-d tensor is a 1x1 block, a 1-d one a row; the dtype is the tensors' promoted one.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.block_diag(pt.asarray([[1, 2]]), pt.asarray(3))
    tensor([[1, 2, 0],
            [0, 0, 3]], backend='numpy')
    """
    if not tensors:
        from . import _config

        return zeros((1, 0), dtype=_config.DEFAULT_FLOAT.get())
    blocks = []
    for i, t in enumerate(tensors):
        x = _tensor_arg("block_diag", "tensors", t)
        if x.ndim > 2:
            raise ValueError(
                f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} "
                f"has {x.ndim} dimensions"
            )
        blocks.append(reshape(x, (1, -1)) if x.ndim < 2 else x)
    kind = result_type(*blocks) if len(blocks) > 1 else blocks[0].dtype
    widths = [_known_length("block_diag", b, 1) for b in blocks]
    total = sum(widths)
    rows = []
    left = 0
    for b, w in zip(blocks, widths, strict=True):
        h = _known_length("block_diag", b, 0)
        parts = [
            zeros((h, left), dtype=kind, device=b.device),
            b if b.dtype is kind else astype(b, kind),
            zeros((h, total - left - w), dtype=kind, device=b.device),
        ]
        rows.append(concat(parts, axis=1))
        left += w
    return concat(rows, axis=0)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element of each 1-d tensor, one row each (the first tensor's
    element changes slowest), as ``torch.cartesian_prod``; one tensor is returned as it is.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cartesian_prod(pt.asarray([1, 2]), pt.asarray([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]], backend='numpy')
    """
    if not tensors:
        raise TypeError("cartesian_prod() expects one or more 1-d tensors")
    xs = [_tensor_arg("cartesian_prod", "tensors", t) for t in tensors]
    for x in xs:
        if x.ndim != 1:
            raise ValueError(
                f"cartesian_prod(): expect a 1D vector, but got shape {list(x.shape)}; flatten "
                f"it with x.reshape(-1)"
            )
        if x.dtype is not xs[0].dtype:
            raise TypeError(
                f"cartesian_prod(): expects all tensors to have the same dtype; got "
                f"{xs[0].dtype.name} and {x.dtype.name}; cast one with .to(...)"
            )
    if len(xs) == 1:
        return xs[0]
    sizes = [_known_length("cartesian_prod", x, 0) for x in xs]
    total = math.prod(sizes)
    columns = []
    inner = total
    for x, n in zip(xs, sizes, strict=True):  # (each element repeated, the pattern tiled)
        inner //= n
        positions = [i // inner % n for i in range(total)] if n else []
        index = asarray(positions, dtype=dt.int64, device=x.device)
        columns.append(take(x, index, axis=0))
    return stack(columns, axis=1)


def _count_arg(where: str, what: str, v: Any) -> int:
    if isinstance(v, bool) or not hasattr(v, "__index__"):
        raise TypeError(f"{where}() expects an int {what}; got {v!r}")
    n = operator.index(v)
    if n < 0:
        raise ValueError(f"{where}(): expect a non-negative number {what}, but got {n}")
    return n


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The ``r``-element combinations of a 1-d tensor's elements, one row each, in
    lexicographic order of their positions, as ``torch.combinations`` (Python's
    ``itertools.combinations``, or ``combinations_with_replacement``); differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.combinations(pt.asarray([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]], backend='numpy')
    """
    x = _tensor_arg("combinations", "input", input)
    if x.ndim != 1:
        raise ValueError(
            f"combinations(): expect a 1D vector, but got shape {list(x.shape)}; flatten it "
            f"with x.reshape(-1)"
        )
    k = _count_arg("combinations", "r", r)
    if not isinstance(with_replacement, bool):
        raise TypeError(f"combinations() expects a bool with_replacement; got {with_replacement!r}")
    if k == 0:
        return x[0:0]
    n = _known_length("combinations", x, 0)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = [i for row in pick(range(n), k) for i in row]  # (positions: known from the shape)
    index = asarray(rows, dtype=dt.int64, device=x.device)
    return reshape(take(x, index, axis=0), (-1, k))


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a 1-d tensor: column j holds ``x ** (N - 1 - j)`` (with
    ``increasing``, ``x ** j``), ``N`` columns (by default ``len(x)``), as ``torch.vander``;
    booleans and integers give int64. The powers are running products, as PyTorch's, so the
    gradient is defined at 0 too.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.vander(pt.asarray([1, 2, 3]))
    tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]], backend='numpy')
    """
    v = _tensor_arg("vander", "x", x)
    if v.ndim != 1:
        raise ValueError(f"vander(): x must be a one-dimensional tensor; got {v.ndim} dimensions")
    n = _known_length("vander", v, 0) if N is None else _count_arg("vander", "N", N)
    if not isinstance(increasing, bool):
        raise TypeError(f"vander() expects a bool increasing; got {increasing!r}")
    if v.dtype is dt.bool or v.dtype.kind in _INTEGERS:
        v = astype(v, dt.int64)
    rows = _known_length("vander", v, 0)
    if n == 0:
        return zeros((rows, 0), dtype=v.dtype, device=v.device)
    parts = [ones((rows, 1), dtype=v.dtype, device=v.device)]
    if n > 1:
        parts.append(cumprod(stack([v] * (n - 1), axis=1), 1))
    out = concat(parts, axis=1)
    return out if increasing else out[:, ::-1]


def unravel_index(indices: Tensor, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates in a tensor of ``shape`` of each flat (row-major) index, as
    ``torch.unravel_index``: a tuple of int64 tensors of ``indices``' shape, one a dimension.
    Each coordinate is taken modulo its dimension's length, as PyTorch's (index -1 is the last
    element's).

    Examples
    --------
    >>> import polytensor as pt
    >>> rows, cols = pt.unravel_index(pt.asarray([4, 5]), (2, 3))
    >>> rows.tolist(), cols.tolist()
    ([1, 1], [1, 2])
    """
    if not isinstance(indices, TensorBase):
        raise TypeError(
            f"unravel_index() expects indices to be a polytensor Tensor; got "
            f"{type(indices).__name__}; convert it with pt.asarray(...)"
        )
    if indices.dtype.kind not in _INTEGERS:
        raise TypeError(
            f"unravel_index(): expected 'indices' to be integer dtype, but got "
            f"{indices.dtype.name}; cast it with .long()"
        )
    sizes = (shape,) if hasattr(shape, "__index__") and not isinstance(shape, bool) else shape
    if not isinstance(sizes, (list, tuple)) or any(
        isinstance(s, bool) or not hasattr(s, "__index__") for s in sizes
    ):
        raise TypeError(
            f"unravel_index() expects shape to be an int or a sequence of ints; got {shape!r}"
        )
    sizes = tuple(operator.index(s) for s in sizes)
    if not sizes:
        return ()
    if any(s < 0 for s in sizes):
        raise ValueError(f"unravel_index(): 'shape' cannot have negative values, but got {sizes}")
    if any(s == 0 for s in sizes):
        raise ValueError(
            f"unravel_index(): 'shape' {sizes} has no elements, so no index is in it; give a "
            f"shape of non-zero lengths"
        )
    flat = astype(indices, dt.int64) if indices.dtype is not dt.int64 else indices
    strides = list(itertools.accumulate(reversed((*sizes[1:], 1)), operator.mul))[::-1]
    return tuple(
        remainder(floor_divide(flat, stride), size)
        for stride, size in zip(strides, sizes, strict=True)
    )


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """The windows of ``size`` elements along ``dimension``, ``step`` apart, as PyTorch's
    ``x.unfold(dimension, size, step)``: ``dimension`` becomes the number of windows and a new
    last dimension holds each window's elements.

    A view, as PyTorch's: a change of it in place reaches ``input``, a change of ``input``
    shows in it. Gradients flow back to ``input``, overlapping windows adding up. Windows that
    overlap (``step < size``) refuse a change in place: an element of ``input`` is in several
    of them, and PyTorch's in-place arithmetic changes it once per window.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.arange(5).unfold(0, 2, 2)
    tensor([[0, 1],
            [2, 3]], backend='numpy')
    """
    x = _tensor_arg("unfold", "input", input)
    d = check_dim("unfold", dimension, x.ndim)
    for what, v in (("size", size), ("step", step)):
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(f"unfold() expects an int {what}; got {v!r}")
    size, step = operator.index(size), operator.index(step)
    n = _known_length("unfold", x, d) if x.ndim else 1
    if size < 0:
        raise DimArgumentError(f"unfold(): size is {size} but must be >= 0")
    if step <= 0:
        raise DimArgumentError(f"unfold(): step is {step} but must be > 0")
    if size > n:
        raise DimArgumentError(
            f"unfold(): maximum size for tensor at dimension {d} is {n} but size is {size}"
        )
    if x.ndim == 0:  # (PyTorch's: the element as one window of ``size`` elements, 1 or 0)
        return reshape(x, (1,))[:size]
    if _unfold_view is not None:
        return _unfold_view(x, d, size, step)
    return unfold_copy(x, d, size, step)


def unfold_copy(x: Tensor, d: int, size: int, step: int) -> Tensor:
    """``unfold``'s windows (its arguments checked) as a tensor of their own, recorded."""
    n = _known_length("unfold", x, d)
    windows = (n - size) // step + 1
    starts = range(0, windows * step, step)
    index = asarray([s + j for s in starts for j in range(size)], dtype=dt.int64, device=x.device)
    picked = take(x, index, axis=d)
    shape = tuple(x.shape)
    picked = reshape(picked, (*shape[:d], windows, size, *shape[d + 1 :]))
    return moveaxis(picked, d + 1, -1)


# the windows as a view of their input (``_tensor_ops.unfold_view``, of the Tensor's layer
# above this one, which registers it when it loads)
_unfold_view: Callable[..., Tensor] | None = None


def register_unfold_view(fn: Callable[..., Tensor]) -> None:
    """Make ``unfold`` return ``fn(x, dimension, size, step)``, a view of ``x``."""
    global _unfold_view
    _unfold_view = fn
