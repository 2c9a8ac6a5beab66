"""PyTorch's writes at indices that the standard lacks: ``index_copy``, ``index_fill``,
``index_put``, ``index_reduce``, ``scatter_reduce``, ``select_scatter``, ``slice_scatter``,
``diagonal_scatter``, ``masked_scatter`` and ``put``, each a copy of the input with the
written values (the Tensor's ``x.index_copy_(...)`` forms write them in place).

Each is written with the table's operations, so each differentiates on every backend with
PyTorch's gradients. What writes at an array of indices (``index_copy``, ``index_put``,
``put``) needs a backend that can (array-api-strict cannot: the standard has no such write,
and the error says so); the others select with ``where``, ``take`` and additions at indices,
which every backend has.
"""

from __future__ import annotations

import builtins
import math
import operator
from typing import TYPE_CHECKING, Any, cast

from . import _dtypes as dt
from . import _tape
from ._checks import IndexArgumentError, check_flag, check_int, describe
from ._ops import statistical
from ._ops.creation import arange, full, ones, zeros_like
from ._ops.data_types import astype
from ._ops.elementwise import (
    floor_divide,
    greater,
    isfinite,
    isnan,
    logical_and,
    logical_or,
    maximum,
    minimum,
)
from ._ops.indexing import (
    _getitem_t,
    _put,
    _scatter_add,
    _Slot,
    check_range,
    split_key,
    take,
    take_along_axis,
)
from ._ops.manipulation import _copy, broadcast_to, concat, expand_dims, moveaxis, reshape
from ._ops.searching import where
from ._ops.sorting import argsort
from ._ops.statistical import cumulative_sum
from ._pytorch import _in_range, _integer_index, _plus, _size, _tensor_arg
from ._shapes import check_dim
from ._tensor_base import TensorBase

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "diagonal_scatter",
    "index_copy",
    "index_fill",
    "index_put",
    "index_reduce",
    "masked_scatter",
    "put",
    "scatter_reduce",
    "select_scatter",
    "slice_scatter",
]

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _written(where: str, input: Any, value: Any, tensors: list[Any], template: Any) -> Tensor:
    """``input`` with ``value`` written at the key ``template`` (``tensors`` in its slots),
    recorded: the backend's write at an array of indices, named when it cannot write so."""
    try:
        return _put(input, value, *tensors, key=template)
    except IndexError as e:  # (array-api-strict writes at no array of indices)
        if not tensors:
            raise
        raise NotImplementedError(
            f"{where}() on the {input._backend.name} backend: it cannot write at an array of "
            f"indices or a partial boolean mask ({e}); move the tensor to a backend that can, "
            f"x.to('numpy')"
        ) from e


def _numel(where: str, x: Any) -> int:
    """The number of elements of ``x``, whose shape must be known (a Dask tensor's may not be,
    after a boolean mask)."""
    return math.prod(_size(where, x, i) for i in range(x.ndim))


def _same_dtype(where: str, input: Any, other: Any, what: str) -> None:
    if other.dtype is not input.dtype:
        raise RuntimeError(
            f"{where}(): expected {what} of the input's dtype {input.dtype.name}; got "
            f"{other.dtype.name}; cast it with {what}.to(pt.{input.dtype.name})"
        )


def _vector_index(where: str, index: Any) -> Any:
    """A 1-d (or 0-d) integer index as a 1-d one."""
    _integer_index(where, index)
    if index.ndim > 1:
        raise IndexArgumentError(
            f"{where}(): the index must be a 1-d (or 0-d) tensor; got {index.ndim}-d"
        )
    return reshape(index, (-1,))


def _wrapped(where: str, index: Any, n: int) -> Any:
    """``index`` with negative entries counted from the end (PyTorch's ``index_fill`` and
    ``put`` take them), checked to lie in ``[-n, n)``."""
    try:
        return _in_range(where, _from_end(index, n), n, IndexError)
    except IndexError:
        raise IndexError(
            f"{where}(): an index is out of range for a dimension of size {n}; expected "
            f"indices in [{-n}, {n - 1}]"
        ) from None


def _from_end(index: Any, n: int) -> Any:
    """``index`` with ``n`` added to its negative entries."""
    return where(index < 0, index + n, index)


def _slices_along(where: str, input: Any, dim: int, index: Any, source: Any) -> tuple[int, Any]:
    """The checked dimension and 1-d index of an ``index_*`` write of ``source``'s slices
    along ``dim``; ``source`` must have ``input``'s shape with ``len(index)`` along ``dim``."""
    _tensor_arg(where, input)
    _tensor_arg(where, source)
    index = _vector_index(where, index)
    d = check_dim(where, dim, input.ndim)
    k = _size(where, index, 0)
    want = tuple(k if i == d else input.shape[i] for i in range(input.ndim))
    if input.ndim and tuple(source.shape) != want:
        raise IndexError(
            f"{where}(): source {tuple(source.shape)} must have the input's shape "
            f"{tuple(input.shape)} with dimension {d} as long as the index ({k}): {want}"
        )
    _same_dtype(where, input, source, "source")
    return d, index


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """PyTorch's ``torch.index_copy(x, dim, index, source)`` (and ``x.index_copy``): a copy
    of ``x`` with its slice ``index[i]`` along ``dim`` replaced by ``source``'s slice ``i``;
    differentiable in ``x`` (zero where written) and ``source``. Where ``index`` repeats, one
    of the slices is written, as in PyTorch.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.zeros(3, 2).index_copy(0, pt.asarray([2, 0]), pt.asarray([[1.0, 2.0], [3.0, 4.0]]))
    tensor([[3., 4.],
            [0., 0.],
            [1., 2.]], backend='numpy')
    """
    d, index = _slices_along("index_copy", input, dim, index, source)
    if input.ndim == 0:  # (as a tensor of one element)
        one = index_copy(reshape(input, (1,)), 0, index, reshape(source, (-1,)))
        return reshape(one, ())
    checked = _in_range("index_copy", index, _size("index_copy", input, d), IndexError)
    key = (slice(None),) * d + (_Slot(0), Ellipsis)
    return _written("index_copy", input, source, [checked], key)


def _positions(where: str, input: Any, d: int, index: Any) -> Any:
    """A boolean vector, along dimension ``d`` of ``input``, of the positions ``index`` names
    (negative ones counted from the end), shaped to broadcast against ``input``."""
    n = _size(where, input, d)
    index = _wrapped(where, index, n)
    here = arange(n, dtype=index.dtype, device=index.device)
    hit = statistical.any(expand_dims(here, axis=1) == expand_dims(index, axis=0), axis=1)
    return reshape(hit, tuple(n if i == d else 1 for i in range(input.ndim)))


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """PyTorch's ``torch.index_fill(x, dim, index, value)`` (and ``x.index_fill``): a copy of
    ``x`` with its slices ``index`` along ``dim`` (negative indices count from the end) set to
    ``value``, a number or a 0-d tensor (cast to ``x``'s dtype); differentiable in ``x`` (zero
    where filled) and in a tensor ``value`` (the sum over the filled elements).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 3).index_fill(1, pt.asarray([0, -1]), 5.0)
    tensor([[5., 1., 5.],
            [5., 1., 5.]], backend='numpy')
    """
    _tensor_arg("index_fill", input)
    index = _vector_index("index_fill", index)
    if isinstance(value, TensorBase):
        if value.ndim != 0:
            raise RuntimeError(
                f"index_fill() takes a number or a 0-d tensor as value; got a {value.ndim}-d "
                f"tensor: index one element of it"
            )
        if value.dtype is not input.dtype:
            value = astype(value, input.dtype)
    elif not isinstance(value, (bool, int, float)):
        raise TypeError(
            f"index_fill() takes a number or a 0-d tensor as value; got {describe(value)}"
        )
    elif input.dtype.kind in ("signed integer", "unsigned integer"):
        value = int(value)  # (as PyTorch casts it: 2.5 into an integer tensor is 2)
    elif input.dtype is dt.bool:
        value = bool(value)
    if input.ndim == 0:
        check_dim("index_fill", dim, 0)
        one = index_fill(reshape(input, (1,)), 0, index, value)
        return reshape(one, ())
    d = check_dim("index_fill", dim, input.ndim)
    hit = _positions("index_fill", input, d, index)
    if not isinstance(value, TensorBase):
        value = full((), value, dtype=input.dtype, device=input.device)
    return where(hit, value, input)


def index_put(
    input: Tensor, indices: tuple[Any, ...] | list[Any], values: Tensor, accumulate: bool = False
) -> Tensor:
    """PyTorch's ``torch.index_put(x, indices, values, accumulate=False)`` (and
    ``x.index_put``): a copy of ``x`` with ``values`` written at ``x[indices]``, ``indices``
    a tuple of integer or boolean tensors (``values`` broadcast to that selection); with
    ``accumulate=True`` added instead, repeated indices adding up. Differentiable in ``x`` and
    ``values``.

    Examples
    --------
    >>> import polytensor as pt
    >>> rows, cols = pt.asarray([0, 1, 0]), pt.asarray([1, 0, 1])
    >>> pt.zeros(2, 2).index_put((rows, cols), pt.asarray([1.0, 2.0, 3.0]), accumulate=True)
    tensor([[0., 4.],
            [2., 0.]], backend='numpy')
    """
    from ._ops._index_key import check_key
    from ._ops.indexing import getitem

    _tensor_arg("index_put", input)
    _tensor_arg("index_put", values)
    if not isinstance(indices, (tuple, list)) or not builtins.all(
        isinstance(i, TensorBase) or i is None for i in indices
    ):
        raise TypeError(
            f"index_put() takes a tuple of index tensors; got {describe(indices)}: write "
            f"x.index_put((rows,), values)"
        )
    if len(indices) > input.ndim:
        raise IndexError(
            f"index_put(): too many indices ({len(indices)}) for a tensor of {input.ndim} "
            f"dimensions"
        )
    for i in indices:
        if i is not None and i.dtype not in (dt.int32, dt.int64, dt.bool, dt.uint8):
            raise IndexError(
                f"index_put(): tensors used as indices must be integer or boolean; got "
                f"{i.dtype.name}"
            )
    if values.dtype is not input.dtype:
        raise RuntimeError(
            f"index_put() requires values of the input's dtype {input.dtype.name}; got "
            f"{values.dtype.name}; cast them with values.to(pt.{input.dtype.name})"
        )
    if (
        len(indices) == 1
        and indices[0] is not None
        and indices[0].dtype is dt.bool
        and tuple(indices[0].shape) == tuple(input.shape)
        and input.ndim
    ):
        # one mask of x's shape: values (one, or one per True element, in order) written or
        # added where it holds, by selection, on every backend (Dask too, lazily)
        return _masked_put(input, indices[0], values, accumulate)
    checked: list[Any] = []
    axis = 0
    for i in indices:  # (integer indices checked here: a failed write is then the backend's)
        if i is not None and i.dtype is not dt.bool:
            i = _wrapped("index_put", i, _size("index_put", input, axis))
        checked.append(i)
        axis += 1 if i is None or i.dtype is not dt.bool else i.ndim
    key = tuple(slice(None) if i is None else i for i in checked)
    said = axis
    if said < input.ndim:  # (array-api-strict wants the axes left said with an Ellipsis)
        key += (Ellipsis,)
    template, tensors = split_key(key, "index_put")
    shape = tuple(_size("index_put", input, i) for i in range(input.ndim))
    template = check_key(template, tensors, shape, "index_put")
    if not accumulate:
        return _written("index_put", input, values, tensors, template)
    target = getitem(input.detach(), *tensors, key=template)  # (the selection's shape)
    if None in tuple(target.shape):
        raise NotImplementedError(
            f"index_put(accumulate=True) with a boolean index on the {input._backend.name} "
            f"backend: the selection's size depends on the mask's values, which this backend "
            f"does not compute implicitly; pass integer indices (mask.nonzero()) or compute "
            f"the mask first"
        )
    added = _scatter_add(
        broadcast_to(values, tuple(target.shape)), *tensors, key=template, shape=tuple(input.shape)
    )
    if input.dtype is dt.bool:
        return logical_or(input, astype(added, dt.bool))
    return input + added


def _masked_put(input: Any, mask: Any, values: Any, accumulate: bool) -> Tensor:
    """``index_put`` at one boolean mask of ``input``'s shape."""
    k = _numel("index_put", values)
    wrong = (
        f"index_put(): values of shape {tuple(values.shape)} cannot be broadcast to the "
        f"selection of the mask (one value per True element, or a single value)"
    )
    if k != 1 and values.ndim != 1:
        raise RuntimeError(wrong)
    if k != 1:
        count = statistical.sum(astype(mask, dt.int64))
        if input._backend.lazy:  # (checked inside the graph: refused when computed)
            selected = check_range(
                count,
                low=k,
                high=k,
                message=f"{wrong}: the mask's count of True elements differs from {k}",
            )
            mask = logical_and(mask, selected == k)
        elif k != int(count):
            raise RuntimeError(wrong)
    if k == 1:
        one = reshape(values, ())  # (a single value: broadcast to every True element)
        if accumulate:
            return where(mask, _plus(input, one), input)
        return where(mask, one, input)
    placed = masked_scatter(zeros_like(input) if accumulate else input, mask, values)
    if accumulate:
        return where(mask, _plus(input, placed), input)
    return placed


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """PyTorch's ``torch.put(x, index, source, accumulate=False)`` (and ``x.put``): a copy of
    ``x`` with ``source``'s elements written at the positions ``index`` of ``x`` read as 1-d
    (row-major; negative positions count from the end), or added with ``accumulate=True``.
    Differentiable in ``x`` and ``source``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.zeros(2, 2).put(pt.asarray([0, -1]), pt.asarray([1.0, 2.0]))
    tensor([[1., 0.],
            [0., 2.]], backend='numpy')
    """
    _tensor_arg("put", input)
    _tensor_arg("put", source)
    _integer_index("put", index)
    _same_dtype("put", input, source, "source")
    n = _numel("put", input)
    if _numel("put", index) != _numel("put", source):
        raise IndexArgumentError(
            f"put(): source and index must have the same number of elements; got "
            f"{_numel('put', source)} and {_numel('put', index)}"
        )
    flat_index = _wrapped("put", reshape(index, (-1,)), n)
    flat = reshape(input, (-1,))
    values = reshape(source, (-1,))
    if accumulate:
        added = _scatter_add(values, flat_index, key=(_Slot(0),), shape=(n,))
        flat = logical_or(flat, astype(added, dt.bool)) if input.dtype is dt.bool else flat + added
    else:
        flat = _written("put", flat, values, [flat_index], (_Slot(0),))
    return reshape(flat, tuple(input.shape))


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """PyTorch's ``torch.masked_scatter(x, mask, source)`` (and ``x.masked_scatter``): a copy
    of ``x`` (broadcast with the boolean ``mask``) with ``source``'s first elements, in order,
    written where ``mask`` is True; differentiable in ``x`` and ``source``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2, 2)
    >>> x.masked_scatter(pt.asarray([[True, False], [True, True]]), pt.asarray([1.0, 2.0, 3.0]))
    tensor([[1., 0.],
            [2., 3.]], backend='numpy')
    """
    from ._ops.manipulation import broadcast_arrays

    _tensor_arg("masked_scatter", input)
    _tensor_arg("masked_scatter", mask)
    _tensor_arg("masked_scatter", source)
    if mask.dtype is not dt.bool:
        raise RuntimeError(
            f"masked_scatter() takes a boolean mask; got {mask.dtype.name}: compare it, mask != 0"
        )
    _same_dtype("masked_scatter", input, source, "source")
    try:
        x, m = broadcast_arrays(input, mask)
    except ValueError:
        raise RuntimeError(
            f"masked_scatter(): the mask {tuple(mask.shape)} does not broadcast with the input "
            f"{tuple(input.shape)}"
        ) from None
    flat_mask = reshape(m, (-1,))
    # (the position in source of each element of x: how many True elements come before it)
    rank = cumulative_sum(astype(flat_mask, dt.int64), axis=0) - 1
    k = _numel("masked_scatter", source)
    try:
        # (an empty source: any True element, marked 1, is out of the range [0, 1))
        check = where(flat_mask, rank, 0) if k else astype(flat_mask, dt.int64)
        picked = _in_range("masked_scatter", check, builtins.max(k, 1), IndexError)
    except IndexError:
        raise RuntimeError(
            f"masked_scatter(): the source has {k} elements, fewer than the mask's True "
            f"elements; give a source of at least as many"
        ) from None
    if k == 0:  # (no True element either: nothing to take)
        return where(m, x, x)  # (a new tensor, as an out-of-place result)
    values = reshape(take(reshape(source, (-1,)), picked, axis=0), tuple(x.shape))
    return where(m, values, x)


def _check_source(where: str, src: Any, want: tuple[Any, ...], input: Any) -> Any:
    """``src`` checked to have the shape ``want`` of the part of ``input`` it replaces, in
    ``input``'s dtype: PyTorch copies it in, casting as ``x.copy_(src)`` does (float into int
    rounds toward zero; the gradient of a float ``src`` comes back in its own dtype)."""
    _tensor_arg(where, src)
    if tuple(src.shape) != want:
        raise RuntimeError(
            f"{where}(): expected src to have the shape of the slice of the input it replaces, "
            f"{want}; got {tuple(src.shape)}"
        )
    return src if src.dtype is input.dtype else astype(src, input.dtype)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """PyTorch's ``torch.select_scatter(x, src, dim, index)``: a copy of ``x`` with
    ``x.select(dim, index)`` replaced by ``src`` (of that slice's shape); differentiable in
    ``x`` and ``src``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.select_scatter(pt.zeros(2, 2), pt.ones(2), 0, 0)
    tensor([[1., 1.],
            [0., 0.]], backend='numpy')
    """
    _tensor_arg("select_scatter", input)
    if input.ndim == 0:
        raise IndexError("select_scatter() cannot be applied to a 0-d tensor")
    d = check_dim("select_scatter", dim, input.ndim)
    n = _size("select_scatter", input, d)
    i = check_int("select_scatter", "index", index)
    if not -n <= i < n:
        raise IndexError(f"select_scatter(): index {i} out of range for dimension {d} of size {n}")
    want = tuple(s for j, s in enumerate(input.shape) if j != d)
    src = _check_source("select_scatter", src, want, input)
    return _written("select_scatter", input, src, [], (slice(None),) * d + (i % n, Ellipsis))


def slice_scatter(
    input: Tensor,
    src: Tensor,
    dim: int = 0,
    start: int | None = None,
    end: int | None = None,
    step: int = 1,
) -> Tensor:
    """PyTorch's ``torch.slice_scatter(x, src, dim=0, start=None, end=None, step=1)``: a copy
    of ``x`` with its slice ``start:end:step`` along ``dim`` replaced by ``src`` (of that
    slice's shape); differentiable in ``x`` and ``src``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.slice_scatter(pt.zeros(4), pt.ones(2), start=0, step=2)
    tensor([1., 0., 1., 0.], backend='numpy')
    """
    _tensor_arg("slice_scatter", input)
    if input.ndim == 0:
        raise IndexError("slice_scatter() cannot be applied to a 0-d tensor")
    d = check_dim("slice_scatter", dim, input.ndim)
    if start is not None:
        start = check_int("slice_scatter", "start", start, "an int or None")
    if end is not None:
        end = check_int("slice_scatter", "end", end, "an int or None")
    step = check_int("slice_scatter", "step", step)
    if step <= 0:
        raise RuntimeError(f"slice_scatter(): slice step must be positive; got {step}")
    n = _size("slice_scatter", input, d)
    cut = slice(*slice(start, end, step).indices(n))
    want = tuple(len(range(n)[cut]) if j == d else s for j, s in enumerate(input.shape))
    src = _check_source("slice_scatter", src, want, input)
    return _written("slice_scatter", input, src, [], (slice(None),) * d + (cut, Ellipsis))


def diagonal_scatter(
    input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1
) -> Tensor:
    """PyTorch's ``torch.diagonal_scatter(x, src, offset=0, dim1=0, dim2=1)``: a copy of
    ``x`` with its diagonal ``x.diagonal(offset, dim1, dim2)`` replaced by ``src`` (of that
    diagonal's shape: the other dimensions, then the diagonal's length); differentiable in
    ``x`` and ``src``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.diagonal_scatter(pt.zeros(2, 3), pt.ones(2), 1)
    tensor([[0., 1., 0.],
            [0., 0., 1.]], backend='numpy')
    """
    _tensor_arg("diagonal_scatter", input)
    if input.ndim < 2:
        raise RuntimeError(
            f"diagonal_scatter() needs a tensor of at least 2 dimensions; got {input.ndim}"
        )
    a = check_dim("diagonal_scatter", dim1, input.ndim)
    b = check_dim("diagonal_scatter", dim2, input.ndim)
    if a == b:
        raise RuntimeError(f"diagonal_scatter(): dim1 and dim2 cannot be the same dimension ({a})")
    try:
        offset = operator.index(offset)
    except TypeError:
        raise TypeError(
            f"diagonal_scatter() expects offset to be an int; got {type(offset).__name__}"
        ) from None
    x = moveaxis(input, (a, b), (-2, -1))
    n1, n2 = _size("diagonal_scatter", x, -2), _size("diagonal_scatter", x, -1)
    length = builtins.max(
        0, builtins.min(n1 + builtins.min(offset, 0), n2 - builtins.max(offset, 0))
    )
    want = (*x.shape[:-2], length)
    src = _check_source("diagonal_scatter", src, want, input)
    rows = reshape(arange(n1, device=input.device), (n1, 1))
    cols = reshape(arange(n2, device=input.device), (1, n2))
    on = (cols - rows) == offset
    if length == 0:
        return _copy(input)  # (no diagonal: a copy, as an out-of-place result)
    # (the position along the diagonal: the row, or the column for a negative offset)
    along = where(on, broadcast_to(rows if offset >= 0 else cols, (n1, n2)), 0)
    spread = take(src, reshape(along, (-1,)), axis=-1)
    spread = reshape(spread, (*src.shape[:-1], n1, n2))
    y = where(on, spread, x)
    return moveaxis(y, (-2, -1), (a, b))


def _scatter_dims(where_: str, input: Any, dim: int, index: Any, src: Any) -> tuple[int, Any, Any]:
    """The checked dimension, index and ``src`` cut to the index's shape of a scatter."""
    from ._pytorch import _scatter_key, _scatter_source

    # (its checks: dimensions, sizes, range; its index along dim is the one checked, which on
    # a lazy backend carries the range check into the graph of the result)
    key = _scatter_key(where_, input, dim, index)
    d = check_dim(where_, dim, input.ndim)
    index = key[d]
    _tensor_arg(where_, src)
    src = _scatter_source(where_, input, index, src)
    return d, index, src


def scatter_reduce(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """PyTorch's ``torch.scatter_reduce(x, dim, index, src, reduce, include_self=True)`` (and
    ``x.scatter_reduce``): a copy of ``x`` where each element that ``index`` names (along
    ``dim``, as ``scatter``) is reduced with the ``src`` elements sent to it: ``reduce`` one of
    ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"``, ``"amin"``; ``include_self=False`` leaves
    ``x``'s own value out of the reduction (elements that nothing is sent to keep it). Integer
    means round down, as PyTorch's. Differentiable in ``x`` and ``src`` with PyTorch's
    gradients (ties of ``amax``/``amin`` share it evenly).

    ``"amax"`` and ``"amin"`` sort each column of ``src`` by index and value (ties share the
    gradient; an infinite extreme passes none); ``"prod"`` multiplies each index's entries
    up by a scan over them sorted by index (in another order than PyTorch's one by one, so a
    float product can round differently).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1.0, 5.0, 2.0])
    >>> x.scatter_reduce(0, pt.asarray([0, 0, 2]), pt.asarray([4.0, 3.0, 1.0]), "amax")
    tensor([4., 5., 2.], backend='numpy')
    """
    where_ = "scatter_reduce"
    if not isinstance(reduce, str):  # (an array's == to each name is no truth value)
        raise TypeError(
            f"{where_}() expects reduce to be a string: sum, prod, mean, amax or amin; got "
            f"{describe(reduce)}"
        )
    if reduce not in _REDUCTIONS:
        raise RuntimeError(
            f"{where_}(): reduce must be one of sum, prod, mean, amax or amin; got {reduce!r}"
        )
    include_self = check_flag(where_, "include_self", include_self)
    _tensor_arg(where_, input)
    if input.ndim == 0:
        check_dim(where_, dim, 0)
        one = _reduce(
            where_,
            reshape(input, (1,)),
            0,
            reshape(index, (-1,)),
            reshape(src, (-1,)) if isinstance(src, TensorBase) else src,
            reduce,
            include_self,
        )
        return reshape(one, ())
    return _reduce(where_, input, dim, index, src, reduce, include_self)


def _reduce(
    where_: str, input: Any, dim: int, index: Any, src: Any, reduce: str, include_self: bool
) -> Tensor:
    d, index, src = _scatter_dims(where_, input, dim, index, src)
    _size(where_, input, d)  # (a length that must be known: it raises otherwise)
    if reduce in ("sum", "mean"):
        key = _scatter_positions(input, d, index)
        template, tensors = split_key(key, where_)
        shape = tuple(input.shape)
        total = _scatter_add(src, *tensors, key=template, shape=shape)
        count = _scatter_add(
            ones(tuple(index.shape), dtype=dt.int64, device=input.device),
            *tensors,
            key=template,
            shape=shape,
        )
        sent = greater(count, 0)
        if input.dtype is dt.bool:
            total = astype(total, dt.bool)
            merged = logical_or(input, total) if include_self else total
            return where(sent, merged, input)
        if include_self:
            total = input + total
            count = count + 1
        if reduce == "mean":
            c = where(sent, astype(count, input.dtype), 1)  # (1 where nothing is sent)
            total = total / c if input.dtype in dt.FINFO else floor_divide(total, c)
        return where(sent, total, input)
    if reduce != "prod":
        return _extreme(input, d, index, src, reduce, include_self)
    return _prod(input, d, index, src, include_self)


def _prod(input: Any, d: int, index: Any, src: Any, include_self: bool) -> Tensor:
    """``scatter_reduce``'s ``prod``: each column's src entries sorted by index along ``d``
    (stably), each run of one index multiplied up by a segmented scan (doubling its reach each
    step: log2 of the column's length steps of its size), and each run's product, at its last
    entry, added at that index. Memory grows with ``src``, not with ``x`` times ``index``; the
    gradient is the products' own (exact where entries are 0)."""
    if input.dtype is dt.bool:  # (as 0 and 1: the product is all)
        ints = _prod(astype(input, dt.int64), d, index, astype(src, dt.int64), include_self)
        return astype(ints, dt.bool)
    shape = tuple(input.shape)
    order = argsort(index, axis=d, stable=True)
    ranked = take_along_axis(index, order, axis=d)
    vals = take_along_axis(src, order, axis=d)
    m = _size("scatter_reduce", ranked, d)

    def along(start: int, stop: int) -> tuple[slice, ...]:
        return (slice(None),) * d + (slice(start, stop),)

    k = 1
    while k < m:  # vals[i]: the product of its run's entries from i - 2k + 1 (or the run's start)
        same = ranked[along(k, m)] == ranked[along(0, m - k)]
        tail = vals[along(k, m)]
        vals = concat([vals[along(0, k)], where(same, tail * vals[along(0, m - k)], tail)], axis=d)
        k *= 2
    # (the last of each run of one index: the next entry has another index, or there is none)
    last = concat([ranked[along(0, m - 1)] != ranked[along(1, m)], _trues(ranked, d)], axis=d)
    runs, at = split_key(_scatter_positions(input, d, ranked), "scatter_reduce")
    total = _scatter_add(where(last, vals, 0), *at, key=runs, shape=shape)
    count = _scatter_add(
        ones(tuple(index.shape), dtype=dt.int64, device=input.device), *at, key=runs, shape=shape
    )
    if include_self:
        total = input * total
    return where(greater(count, 0), total, input)


def _extreme(input: Any, d: int, index: Any, src: Any, reduce: str, include_self: bool) -> Tensor:
    """``scatter_reduce``'s ``amax`` (``amin``) by sorting: each column's src entries sorted by
    (index, value) along ``d``, the last of each index's run its largest (smallest), added at
    that index. Ties share the gradient, as PyTorch's: among x's element (when it equals the
    result, though left out with ``include_self=False``, whose share is then dropped) and the
    src elements equal to it; the result is the extreme value itself, with gradient weights
    added at zero value (an infinite extreme passes no gradient)."""
    if input.dtype is dt.bool:  # (as 0 and 1: the largest is any, the smallest all)
        ints = _extreme(
            astype(input, dt.int64), d, index, astype(src, dt.int64), reduce, include_self
        )
        return astype(ints, dt.bool)
    shape = tuple(input.shape)
    template, tensors = split_key(_scatter_positions(input, d, index), "scatter_reduce")

    def added(v: Any) -> Any:  # (src-shaped values added at their index: x's shape)
        return _scatter_add(v, *tensors, key=template, shape=shape)

    def read(full: Any) -> Any:  # (x-shaped values read at each src element's index)
        return _getitem_t(full, tuple(tensors), template)

    values, x = src.detach(), input.detach()
    order = argsort(values, axis=d, descending=reduce == "amin", stable=True)
    order = take_along_axis(order, argsort(take_along_axis(index, order, axis=d), axis=d), axis=d)
    ranked = take_along_axis(index, order, axis=d)
    m = _size("scatter_reduce", ranked, d)
    ahead = (slice(None),) * d + (slice(1, None),)
    behind = (slice(None),) * d + (slice(0, m - 1),)
    # (the last of each run of one index: the next entry has another index, or there is none)
    last = concat([ranked[behind] != ranked[ahead], _trues(ranked, d)], axis=d)
    picked = where(last, take_along_axis(values, order, axis=d), 0)
    runs, at = split_key(_scatter_positions(input, d, ranked), "scatter_reduce")
    top = _scatter_add(picked, *at, key=runs, shape=shape)
    sent = greater(added(ones(tuple(index.shape), dtype=dt.int64, device=input.device)), 0)
    if input.dtype in dt.FINFO:  # (a NaN sent to an element makes it NaN, wherever it sorts)
        nan = greater(added(astype(isnan(values), dt.int64)), 0)
        top = where(nan, float("nan"), top)
    if include_self:
        top = maximum(x, top) if reduce == "amax" else minimum(x, top)
    result = where(sent, top, x)
    if input.dtype not in dt.FINFO or not (_tape.requires_grad(input) or _tape.requires_grad(src)):
        return result
    # the gradient's weights: 1 / (the number of tied elements) on each tied element
    src_tie = astype(values == read(result), input.dtype)
    self_tie = astype(x == result, input.dtype)
    shares = maximum(self_tie + added(src_tie), 1.0)
    w_src = src_tie / read(shares)
    w_self = where(sent, self_tie / shares if include_self else 0.0, 1.0)
    finite_src = where(isfinite(values), src, 0.0)
    finite_self = where(isfinite(x), input, 0.0)
    moved = w_self * finite_self + added(w_src * finite_src)
    return cast("Tensor", result + (moved - moved.detach()))


def _trues(like: Any, d: int) -> Any:
    """A boolean tensor of True, ``like``'s shape with length 1 along ``d``."""
    shape = tuple(1 if i == d else n for i, n in enumerate(like.shape))
    return full(shape, True, dtype=dt.bool, device=like.device)


def _scatter_positions(input: Any, d: int, index: Any) -> tuple[Any, ...]:
    """The advanced index of the elements a scatter along ``d`` by ``index`` reaches."""
    n = input.ndim
    key: list[Any] = []
    for i in range(n):
        if i == d:
            key.append(index)
        else:
            shape = [1] * n
            shape[i] = -1
            key.append(
                reshape(
                    arange(index.shape[i], dtype=index.dtype, device=index.device), tuple(shape)
                )
            )
    return tuple(key)


def index_reduce(
    input: Tensor,
    dim: int,
    index: Tensor,
    source: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """PyTorch's ``torch.index_reduce(x, dim, index, source, reduce, include_self=True)``
    (and ``x.index_reduce``): a copy of ``x`` with its slice ``index[i]`` along ``dim``
    reduced with ``source``'s slice ``i``: ``reduce`` one of ``"prod"``, ``"mean"``,
    ``"amax"``, ``"amin"`` (``scatter_reduce``'s, whose notes apply); differentiable in ``x``
    and ``source``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(3, 2)
    >>> x.index_reduce(0, pt.asarray([0, 0]), pt.asarray([[2.0, 3.0], [4.0, 5.0]]), "prod")
    tensor([[ 8., 15.],
            [ 1.,  1.],
            [ 1.,  1.]], backend='numpy')
    """
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(
            f"index_reduce(): reduce must be one of prod, mean, amax or amin; got {reduce!r}"
        )
    d, index = _slices_along("index_reduce", input, dim, index, source)
    if input.ndim == 0:
        # (as PyTorch's: a 0-d source, at one index; index_copy and index_add differ)
        if source.ndim:
            raise RuntimeError(
                f"index_reduce(): source {tuple(source.shape)} must have the shape of the 0-d "
                f"input, (); give a 0-d source, or reshape the input to (1,)"
            )
        if index.shape[0] != 1:
            raise IndexError(f"index_reduce(): a 0-d input takes one index; got {index.shape[0]}")
        return scatter_reduce(
            input, 0, index, reshape(source, (-1,)), reduce, include_self=include_self
        )
    shape = tuple(-1 if i == d else 1 for i in range(input.ndim))
    spread = broadcast_to(reshape(index, shape), tuple(source.shape))
    return _reduce("index_reduce", input, d, spread, source, reduce, include_self)
