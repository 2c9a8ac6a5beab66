# mypy: disable-error-code="no-untyped-call"
# (dask ships no type annotations)
"""Indexing, searching and shape functions on Dask arrays: lazy fills for Dask's gaps, and clear
errors where the standard's result has a shape that only computing the data can tell.

Lazy fills:
- ``take_along_axis``: missing from Dask; one ``numpy.take_along_axis`` per block, and where
  ``x`` is split along the indexed axis, a block of ``x`` at a time (``_dask_along``), as its
  adjoint ``_scatter_along_axis`` keeps the primal's chunks.
- ``__getitem__`` with several integer arrays, or one multi-dimensional one (Dask: "Don't yet
  support nd fancy indexing"): the indices become one flat index into ``x`` reshaped, and a 1-D
  integer-array index is something Dask gathers lazily. Arrays among slices, None or ``...``
  (Dask misplaces axes there) index the basic part first, then follow NumPy's placement rule;
  slices are normalised first (Dask mishandles some negative steps: ``x[-3::-1]``).
- ``__getitem__``, ``_put`` and ``_scatter_add`` with a boolean mask among slices, None, ``...``
  and ints (``x[m, :]``, ``x[:, m]``, ``x[1:, m]``; Dask refuses masks of several axes there and
  misplaces None): the basic part of the key first, then the mask on its axes of that result,
  which are moved to the front for writing (as ``x[mask] = v`` writes, below).
- ``_put`` (functional ``__setitem__``): Dask's item assignment fails on negative steps, None
  and empty values; the same elements are written with ascending slices. It takes one 1-D
  integer array at most (``x[i, j] = v``, ``scatter``, ``index_put``): several become one flat
  index into the indexed axes moved to the front.
- ``searchsorted``: Dask refuses ``sorter=`` and Python scalars for ``x2``.
- ``expand_dims``: Dask fails with ``StopIteration`` on tuples mixing negative and positive axes.
- ``repeat`` with ``axis=None``: Dask wants an integer axis; the flattened array is repeated.
- ``roll`` of an empty array with ``axis=None``: Dask fails reshaping it back.
- ``take`` without ``axis`` of an array of several dimensions: into the flattened array, as
  NumPy's (Dask's indexing would read along the first axis).
- Empty results of indexing, gathering and scattering (``x[idx]``, ``x[idx] = v`` of an empty
  ``x``) are made to depend on their index arrays (``_after``), so that the range checks in the
  indices' graphs still run: Dask computes an empty array without its inputs.
- ``reshape`` that splits and merges dimensions unevenly: Dask refuses; two steps via the flat
  array.
- ``_scatter_add`` (the adjoint of ``__getitem__``, for autograd): ``numpy.add.at`` per block of
  the gradient and a sum of the blocks, instead of the generic host round trip; after a boolean
  mask of ``x``'s shape, the cotangent (of unknown length) written back as ``_put`` writes
  ``y[m] = v[m]``.

- ``argmax``/``argmin`` of all elements: of the flattened array (Dask keeps the first block's
  extreme in block order, not the first in row-major order, for ties and NaN).
- ``_cumulative_extreme`` (the running maximum or minimum) and ``_logcumsumexp``:
  ``numpy.maximum.accumulate`` (``logaddexp.accumulate``) per block, each block then combined
  with the result of the blocks before (Dask's ``cumreduction``), so the chunks stay as they
  are.

Errors instead of silent computing (Dask would return arrays of unknown, NaN, shape):
``unique_all``/``unique_counts``/``unique_inverse``/``unique_values``, ``nonzero``, a boolean
mask mixed with integer arrays or of no dimension among other indices in ``__getitem__``, and
``repeat`` with an array of repeats.
"""

from __future__ import annotations

import math
import string
import warnings
from typing import Any

import dask.array as da
import numpy as np

from .._checks import DataIndexError
from ._dask_along import scatter_along_axis, take_blocks

__all__ = ["OVERRIDES", "data_dependent", "overrides"]


def data_dependent(name: str, what: str = "its output shape depends on the values") -> Any:
    """A stand-in for ``name`` that raises a NotImplementedError naming the way out."""

    def raiser(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"{name}() is not supported on the dask backend: {what}, so the result's shape is "
            f"unknown until the data is computed, and this backend never computes implicitly. "
            f'Move the input to NumPy (x.to("numpy"), which computes it) and call {name}() '
            f"there"
        )

    raiser.__name__ = name.rsplit(".", 1)[-1]
    raiser.__qualname__ = raiser.__name__
    return raiser


def unknown_length(name: str, shape: tuple[Any, ...], axis: int) -> NotImplementedError:
    """The error for ``name`` needing the length of an axis that is known only once computed
    (after a boolean mask: ``y = x[x > 0]; y[1:]``)."""
    return NotImplementedError(
        f"{name}() needs the length of axis {axis} of a tensor of shape {_shown(shape)}, which "
        f"depends on its values (it came from a boolean mask or another data-dependent "
        f"function) and is unknown on the dask backend until computed; compute the tensor "
        f"first with "
        f'(y,) = pt.compute(y), or move it with y.to("numpy"), then call {name}() on the result'
    )


def _check_known(x: Any, items: tuple[Any, ...]) -> None:
    """Raise ``unknown_length`` where ``items`` (Ellipsis spelled out) index an axis of unknown
    length with anything but a full slice."""
    ax = 0
    for k in items:
        if k is None:
            continue
        if (
            ax < x.ndim
            and math.isnan(x.shape[ax])
            and not (isinstance(k, slice) and k == slice(None))
        ):
            raise unknown_length("__getitem__", x.shape, ax)
        ax += 1


# -- take_along_axis ---------------------------------------------------------------------------
def take_along_axis(x: Any, indices: Any, /, *, axis: int = -1) -> Any:
    if x.ndim != indices.ndim:
        raise ValueError(
            f"take_along_axis() expects x and indices with the same number of "
            f"dimensions; got {x.ndim} and {indices.ndim}"
        )
    if not -x.ndim <= axis < x.ndim:
        raise IndexError(f"take_along_axis() got axis={axis} for an array of {x.ndim} dimensions")
    axis %= x.ndim
    indices = checked_index(indices, x.shape[axis], "take_along_axis")
    # Every axis but `axis` broadcasts (the standard's "broadcast-compatible" indices).
    shape_x = list(x.shape)
    shape_i = list(indices.shape)
    shape_x[axis] = shape_i[axis] = 1
    other = np.broadcast_shapes(tuple(shape_x), tuple(shape_i))
    x = da.broadcast_to(x, other[:axis] + (x.shape[axis],) + other[axis + 1 :])
    indices = da.broadcast_to(indices, other[:axis] + (indices.shape[axis],) + other[axis + 1 :])
    if x.numblocks[axis] > 1 and x.size and indices.size:
        return take_blocks(x, indices, axis)  # (a block of x at a time: none gathered)
    letters = string.ascii_letters[: x.ndim]
    out_ind = letters
    x_ind = letters[:axis] + "Z" + letters[axis + 1 :]  # "Z": x's one chunk along axis
    n = x.shape[axis]

    def block(i: Any, a: Any) -> Any:
        return np.take_along_axis(a, np.where(i < 0, i + n, i), axis=axis)

    # Note: blockwise's `concatenate=True` hands each task the whole of `axis` of x (one chunk
    # here), so the indices may point anywhere along it; the other axes of x follow the chunks
    # of indices.
    return da.blockwise(
        block,
        out_ind,
        indices,
        out_ind,
        x,
        x_ind,
        concatenate=True,
        dtype=x.dtype,
        meta=np.empty((0,) * x.ndim, dtype=x.dtype),
        align_arrays=True,
    )


# -- __getitem__ -------------------------------------------------------------------------------
def _is_int_array(k: Any) -> bool:
    return isinstance(k, da.Array) and np.issubdtype(k.dtype, np.integer)


def _is_int(k: Any) -> bool:
    return isinstance(k, int) and not isinstance(k, bool)


def _is_bool_array(k: Any) -> bool:
    return isinstance(k, da.Array) and k.dtype == np.bool_


def checked_index(
    k: Any,
    n: int,
    where: str,
    ignore: int | None = None,
    what: str = "index",
    negative: bool | None = None,
) -> Any:
    """Integer array ``k`` with a lazy check in its task graph that its values index an axis of
    length ``n`` (``-n`` to ``n - 1``; 0 to ``n - 1`` when ``ignore`` is given, and ``ignore``
    passes; ``negative`` False: 0 to ``n - 1`` without ``ignore`` too). The check runs when the
    result is computed and raises ``DataIndexError`` (an IndexError) then.

    Note: the values of a lazy index are unknown until computed, and this backend never
    computes behind the user's back; checking inside the graph keeps indexing lazy and still
    never gives a silently wrong value (Dask itself reads an index past the end as another
    element, or ignores it when writing)."""
    lo = -n if (ignore is None if negative is None else negative) else 0

    def check(block: Any) -> Any:
        bad = (block < lo) | (block >= n)
        if ignore is not None:
            bad &= block != ignore
        if bad.any():
            v = block[bad].flat[0]
            if ignore is not None:
                raise DataIndexError(
                    f"{where}(): {what} {v} is out of bounds for {n} classes; expected class "
                    f"indices 0 to {n - 1} (or ignore_index={ignore})"
                )
            raise DataIndexError(
                f"{where}(): {what} {v} is out of bounds for an axis of size {n}; valid "
                f"values are {lo} to {n - 1}"
            )
        return block

    return k.map_blocks(check, dtype=k.dtype, meta=np.empty((0,) * k.ndim, dtype=k.dtype))


def _flat_index(items: tuple[Any, ...], lead: tuple[int, ...], where: str = "__getitem__") -> Any:
    """The 1-D flat index into ``lead`` of a key of integers and integer arrays (negative ones
    count from the end), in the order of the arrays' broadcast shape; an index out of range
    raises IndexError when computed."""
    idx = []
    for k, n in zip(items, lead, strict=True):
        if isinstance(k, da.Array):
            k = checked_index(k, n, where)
            idx.append(da.where(k < 0, k + n, k).astype(np.intp))
        else:
            k = int(k)
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for axis of size {n}")
            idx.append(k % n)
    shape = np.broadcast_shapes(*(getattr(i, "shape", ()) for i in idx))
    flat: Any = 0
    stride = 1
    for i, n in zip(reversed(idx), reversed(lead), strict=True):
        flat = flat + i * stride
        stride *= n
    return _reshape(da.broadcast_to(da.asarray(flat), shape), (math.prod(shape),))


def _integer_arrays(x: Any, key: tuple[Any, ...]) -> Any:
    """``x[key]`` for a key of integers and integer arrays on the leading axes (the standard's
    integer-array indexing): the result has the broadcast shape of the index arrays followed by
    the axes not indexed."""
    m = len(key)
    if m > x.ndim:
        raise IndexError(
            f"too many indices for array: array is {x.ndim}-dimensional, but {m} were indexed"
        )
    lead, rest = x.shape[:m], x.shape[m:]
    shape = np.broadcast_shapes(*(getattr(k, "shape", ()) for k in key))
    xf = _reshape(x, (math.prod(lead),) + rest)
    return _reshape(xf[_flat_index(key, lead)], shape + rest)


def _mask(x: Any, mask: Any) -> Any:
    """``x[mask]`` when the number of selected elements is known without the data: an empty mask
    (or an empty ``x``). IndexError for a mask whose shape does not fit ``x``."""
    rest = x.shape[mask.ndim :]
    if mask.ndim > x.ndim or any(
        m not in (n, 0) for m, n in zip(mask.shape, x.shape[: mask.ndim], strict=True)
    ):
        raise IndexError(
            f"boolean index of shape {mask.shape} does not match the indexed array "
            f"of shape {x.shape}"
        )
    if 0 in mask.shape or 0 in x.shape[: mask.ndim]:
        return _reshape(x[(slice(0, 0),) * mask.ndim], (0,) + rest)
    # Note: lazy, like Dask itself: the number of selected elements stays unknown (a None
    # dimension) until computed. The adapter's capabilities still say "data-dependent shapes":
    # False, so array-API libraries keep to paths whose shapes are known.
    if 1 < mask.ndim < x.ndim:  # (Dask takes a mask of one axis or of all of them)
        lead = math.prod(mask.shape)
        return _reshape(x, (lead,) + rest)[_reshape(mask, (lead,))]
    return x[mask]


def _advanced(
    items: tuple[Any, ...], key: tuple[Any, ...]
) -> tuple[list[int], int | None, tuple[Any, ...]]:
    """Integer-array indexing split in two steps, for a key of integer arrays mixed with ints,
    slices and None (``items``: the key with the Ellipsis spelled out): the positions ``P`` of
    the advanced indices (arrays, and ints next to them), the axis where their broadcast
    dimensions land in the result (None: first), and ``basic``, the key with each advanced index
    replaced by a full slice. ``x[basic]`` keeps one axis per item, so the advanced indices
    then apply to its axes ``P``.

    NumPy's placement rule: the broadcast dimensions replace the advanced indices when those are
    adjacent in ``key`` (an Ellipsis separates, even an empty one), and go first otherwise."""
    adv = [i for i, k in enumerate(items) if isinstance(k, da.Array) or _is_int(k)]
    given = [i for i, k in enumerate(key) if isinstance(k, da.Array) or _is_int(k)]
    where = adv[0] if given[-1] - given[0] + 1 == len(given) else None
    basic = tuple(slice(None) if i in adv else k for i, k in enumerate(items))
    return adv, where, basic


def _norm_slice(k: slice, n: int) -> slice:
    """An equivalent slice with explicit in-range bounds. Note: Dask mishandles some slices
    with a negative step and a start before the array (``x[-3::-1]`` of 2 elements)."""
    r = range(*k.indices(n))
    if not r:
        return slice(0, 0)
    if r.step > 0:
        return slice(r.start, r.stop, r.step)
    stop = r[-1] - 1
    return slice(r.start, None if stop < 0 else stop, r.step)


def _basic(items: tuple[Any, ...], shape: tuple[int, ...]) -> tuple[Any, ...]:
    """A key of ints, slices, None (Ellipsis spelled out) with its slices normalised."""
    out: list[Any] = []
    ax = 0
    for k in items:
        if k is None:
            out.append(k)
            continue
        known = not math.isnan(shape[ax])  # an unknown axis comes here with a full slice only
        out.append(_norm_slice(k, shape[ax]) if isinstance(k, slice) and known else k)
        ax += 1
    return tuple(out)


def _reshape(x: Any, shape: tuple[int, ...]) -> Any:
    # Note: Dask's reshape fails on empty arrays ("reduce() of empty iterable"); an empty
    # result holds no data, so a new empty array of the shape is the same thing, computed
    # after x (whose graph may hold the checks of the indices that made it).
    if x.size == 0:
        return _after(da.zeros(shape, dtype=x.dtype), x)
    return x.reshape(shape)


def _no_data(block: Any) -> Any:
    return np.zeros((1,) * block.ndim, dtype=bool)


def _keep(block: Any, *_done: Any) -> Any:
    return block


def _after(result: Any, *arrays: Any) -> Any:
    """``result``, computed only once every block of each of ``arrays`` (Dask arrays; other
    values are passed over) has been: an empty result (``x[idx]`` of an empty ``x``) holds no
    data and would otherwise be computed without its index, leaving out the index's range
    check that ``checked_index`` put in the index's graph (NumPy raises there)."""
    deps = [a for a in arrays if isinstance(a, da.Array)]
    if not deps:
        return result
    done = [
        da.map_blocks(
            _no_data,
            a,
            chunks=tuple((1,) * len(c) for c in a.chunks),
            dtype=bool,
            meta=np.empty((0,) * a.ndim, dtype=bool),
        ).any()
        for a in deps
    ]
    ind = string.ascii_letters[: result.ndim]
    args: list[Any] = [result, ind]
    for d in done:
        args += [d, ""]
    return da.blockwise(_keep, ind, *args, dtype=result.dtype, meta=result._meta)


def getitem(x: Any, key: Any) -> Any:
    """``x[key]`` with the standard's integer-array indexing, lazily."""
    items = key if isinstance(key, tuple) else (key,)
    arrays = [k for k in items if isinstance(k, da.Array)]
    if _one_mask(items) is not None and len(items) > 1:
        return _mask_among(x, items)
    if any(math.isnan(n) for n in x.shape) and not (
        len(arrays) == 1 and len(items) == 1 and _is_bool_array(items[0])
    ):
        _check_known(x, _expand(items, x.ndim))
    if not arrays:
        full = _expand(items, x.ndim)
        if (
            any(isinstance(k, bool) for k in items)
            or sum(1 for k in full if k is not None) > x.ndim
        ):
            return x[key]  # Python bools, or too many indices: Dask's own handling
        return x[_basic(full, x.shape)]
    if any(_is_bool_array(k) for k in arrays):
        if len(items) == 1:
            return _mask(x, items[0])
        if any(_is_int_array(k) for k in arrays):
            raise NotImplementedError(
                "__getitem__() of a boolean mask mixed with integer index arrays (x[mask, idx]) "
                "is not supported on the dask backend: NumPy turns the mask into the indices "
                "of its True elements, whose number is unknown until the mask is computed, "
                "and this backend never computes implicitly. Turn the mask into indices "
                'yourself: rows = pt.nonzero(mask.to("numpy")) (one index tensor per mask '
                'dimension), moved back with .to("dask"), then x[rows[0], idx] in the mask\'s '
                "place: lazy and differentiable"
            )
        return data_dependent(
            "__getitem__", "a boolean mask selects a number of elements that depends on its values"
        )()
    if all(_is_int_array(k) or _is_int(k) for k in items):
        return _integer_arrays(x, items)
    # Arrays among slices, None or ...: Dask refuses several arrays, and misplaces the axes of
    # one next to None; index the basic part first, then the advanced axes moved to the front.
    if sum(1 for k in items if k is not None and k is not Ellipsis) > x.ndim:
        return x[key]  # Dask's IndexError
    full = _expand(items, x.ndim)
    adv, where, basic = _advanced(full, items)
    y = da.moveaxis(x[_basic(basic, x.shape)], adv, list(range(len(adv))))
    out = _integer_arrays(y, tuple(full[i] for i in adv))
    nb = out.ndim - (y.ndim - len(adv))
    return out if not where else da.moveaxis(out, list(range(nb)), list(range(where, where + nb)))


# -- a boolean mask among slices, None, ... and integers ---------------------------------------
class _MaskAxis:
    """One axis of ``x`` that a boolean mask in a key indexes (a key spelled out axis by axis)."""

    __slots__ = ()


_MASK_AXIS = _MaskAxis()


def _one_mask(items: tuple[Any, ...]) -> int | None:
    """The position in ``items`` of its one index array where that is a boolean mask of one or
    more dimensions among ints, slices, None and ``...`` (``x[m, :]``, ``x[:, m]``,
    ``x[1:, m]``); None for any other key."""
    at = None
    for i, k in enumerate(items):
        if isinstance(k, da.Array):
            if at is not None or not _is_bool_array(k) or k.ndim == 0:
                return None
            at = i
        elif isinstance(k, bool):
            return None
    return at


def _split_mask(
    items: tuple[Any, ...], ndim: int
) -> tuple[Any, tuple[Any, ...], tuple[Any, ...], int, int]:
    """A key of one boolean mask among ints, slices, None and ``...`` (``_one_mask``) read as
    NumPy reads it: the mask; ``full``, the key axis by axis (the Ellipsis spelled out, the
    mask as one ``_MASK_AXIS`` per dimension); ``basic``, ``full`` with the mask's axes as full
    slices; ``p``, where the mask's axes start in ``x[basic]`` (ints drop their axis, None adds
    one); ``at``, where the one dimension of the selected elements lands in the result: ``p``,
    or 0 where ints in the key are not adjacent to the mask (NumPy's rule for advanced
    indices: the ints and the mask broadcast together; an Ellipsis separates)."""
    i = _one_mask(items)
    assert i is not None
    mask = items[i]
    full = _expand(items[:i] + (_MASK_AXIS,) * mask.ndim + items[i + 1 :], ndim)
    basic = tuple(slice(None) if k is _MASK_AXIS else k for k in full)
    first = next(j for j, k in enumerate(full) if k is _MASK_AXIS)
    p = sum(1 for k in full[:first] if k is None or isinstance(k, slice))
    given = [j for j, k in enumerate(items) if j == i or _is_int(k)]
    return mask, full, basic, p, p if given[-1] - given[0] + 1 == len(given) else 0


def _mask_among(x: Any, items: tuple[Any, ...]) -> Any:
    """``x[items]`` for a boolean mask among ints, slices, None and ``...``: the basic part
    first, then the mask on its axes of the result (merged into one where it has several),
    lazily; the number of selected elements stays unknown until computed, as ``x[mask]``'s."""
    mask, full, basic, p, at = _split_mask(items, x.ndim)
    if any(math.isnan(n) for n in x.shape):
        _check_known(x, full)
    y = x[_basic(basic, x.shape)]
    k = mask.ndim
    if any(m not in (n, 0) for m, n in zip(mask.shape, y.shape[p : p + k], strict=True)):
        raise IndexError(
            f"boolean index of shape {mask.shape} does not match the indexed axes of shape "
            f"{y.shape[p : p + k]} of an array of shape {x.shape}"
        )
    lead = math.prod(mask.shape)
    if lead == 0 or 0 in y.shape[p : p + k]:  # (nothing is selected: a known, empty result)
        merged = np.broadcast_to(np.empty((), dtype=bool), y.shape)[
            (slice(None),) * p + (0,) * k
        ].shape
        out = da.zeros(merged[:p] + (0,) + merged[p:], dtype=x.dtype)
    elif p == 0:
        out = _mask(y, mask)
    else:
        merged = y.shape[:p] + (lead,) + y.shape[p + k :]
        flat = mask if k == 1 else _reshape(mask, (lead,))
        out = (y if k == 1 else _reshape(y, merged))[(slice(None),) * p + (flat,)]
    return out if at == p else da.moveaxis(out, p, at)


def _scatter_among(g: Any, items: tuple[Any, ...], shape: tuple[int, ...]) -> Any:
    """``zeros(shape)`` with ``g`` added at a boolean mask among ints, slices, None and ``...``,
    the adjoint of ``_mask_among``: ``g`` written at the mask's axes of ``x[basic]`` as
    ``x[mask] = v`` writes, then at ``basic`` into ``x``'s shape."""
    mask, _full, basic, p, at = _split_mask(items, len(shape))
    region = _basic(basic, shape)
    yshape = np.broadcast_to(np.empty((), dtype=bool), shape)[region].shape
    k = mask.ndim
    rest = yshape[:p] + yshape[p + k :]
    if g.size == 0 or 0 in yshape:  # (nothing was selected)
        return da.zeros(shape, dtype=g.dtype)
    zeros = da.zeros(
        mask.shape + rest, dtype=g.dtype, chunks=mask.chunks + tuple((n,) for n in rest)
    )
    written = _put_at_mask(zeros, g if at == 0 else da.moveaxis(g, at, 0), mask)
    if written is None:
        raise unknown_length("the gradient of __getitem__", g.shape, at)
    gy = da.moveaxis(written, list(range(k)), list(range(p, p + k)))
    return _basic_scatter(gy, region, shape)


def _put_among(x: Any, v: Any, items: tuple[Any, ...]) -> Any:
    """A copy of ``x`` with ``v`` written at a boolean mask among ints, slices, None and
    ``...``: the region ``x[basic]`` read, ``v`` written at the mask's axes there (as
    ``x[mask] = v`` writes, its count checked when computed), and the region written back."""
    mask, full, basic, p, at = _split_mask(items, x.ndim)
    if any(math.isnan(n) for n in x.shape):
        _check_known(x, full)
    region = _basic(basic, x.shape)
    sub = x[region]
    k = mask.ndim
    rest = sub.shape[:p] + sub.shape[p + k :]
    target = rest[:at] + (math.nan,) + rest[at:]
    given = tuple(getattr(v, "shape", np.shape(v)))
    if 0 in sub.shape or 0 in mask.shape:
        return x.copy()  # nothing is written
    if len(given) > len(target):
        raise ValueError(
            f"__setitem__(): a value of shape {given} has more dimensions than the selection "
            f"of the boolean mask, {_shown(target)}; give a value of at most {len(target)} "
            f"dimensions"
        )
    if len(given) >= len(target) - at:  # (v spans the selected elements' dimension)
        v = da.asarray(v)[(None,) * (len(target) - len(given))]
        if at:
            v = da.moveaxis(v, at, 0)
    moved = da.moveaxis(sub, list(range(p, p + k)), list(range(k)))
    written = _put_at_mask(moved, v, mask)
    if written is None:
        raise ValueError(
            f"__setitem__() at a boolean mask among slices on the dask backend got a value of "
            f"shape {_shown(given)} for the selection {_shown(target)} (None: the mask's count, "
            f"unknown until computed); give a value of that selection's full shape (one row "
            f"per selected element), one row that broadcasts to every selected element, or a "
            f"number"
        )
    sub = da.moveaxis(written, list(range(k)), list(range(p, p + k)))
    if region == tuple(slice(0, n, 1) for n in x.shape):  # (the whole of x)
        return sub.astype(x.dtype, copy=False)
    return put(x, sub, region)


def _shown(shape: tuple[Any, ...]) -> tuple[Any, ...]:
    """``shape`` with its unknown lengths (NaN) shown as None."""
    return tuple(None if isinstance(n, float) and math.isnan(n) else n for n in shape)


# -- the adjoint of __getitem__: scatter-add --------------------------------------------------
def _expand(items: tuple[Any, ...], ndim: int) -> tuple[Any, ...]:
    """``items`` with the Ellipsis (or the missing trailing axes) spelled out as slices."""
    used = sum(1 for k in items if k is not None and k is not Ellipsis)
    fill = (slice(None),) * max(ndim - used, 0)
    for i, k in enumerate(items):  # not `Ellipsis in items`: == on arrays is element-wise
        if k is Ellipsis:
            return items[:i] + fill + items[i + 1 :]
    return items + fill


def _scatter_rows(flat: Any, vals: Any, n_rows: int) -> Any:
    """``zeros((n_rows,) + vals.shape[1:])`` with row ``vals[j]`` added at row ``flat[j]``
    (repeats add): ``numpy.add.at`` per block of rows, then a sum of the blocks' results."""
    flat = flat.rechunk((vals.chunks[0],))
    rest = "".join(string.ascii_letters[i] for i in range(vals.ndim - 1))

    def block(f: Any, v: Any) -> Any:
        z = np.zeros((1, n_rows) + v.shape[1:], dtype=v.dtype)
        np.add.at(z[0], f, v)
        return z

    parts = da.blockwise(
        block,
        "#!" + rest,
        flat,
        "#",
        vals,
        "#" + rest,
        new_axes={"!": n_rows},
        adjust_chunks={"#": 1},
        dtype=vals.dtype,
        concatenate=True,
        meta=np.empty((0,) * (vals.ndim + 1), dtype=vals.dtype),
    )
    return parts.sum(axis=0, dtype=vals.dtype)


def _basic_scatter(g: Any, items: tuple[Any, ...], shape: tuple[int, ...]) -> Any:
    """``zeros(shape)`` with ``g`` written at a key of ints, slices and None (no repeats)."""
    gshape: list[int] = []
    key: list[Any] = []
    flips: list[int] = []
    pos = ax = 0
    for k in items:
        if k is None:
            pos += 1  # an axis of length 1 in g that x does not have
            continue
        if isinstance(k, slice):
            start, stop, step = k.indices(shape[ax])
            if step < 0:  # Note: Dask's item assignment mishandles negative steps
                r = range(start, stop, step)
                k = slice(r[-1], r[0] + 1, -step) if r else slice(0, 0)
                flips.append(len(gshape))
            gshape.append(g.shape[pos])
            pos += 1
        key.append(k)
        ax += 1
    gshape.extend(g.shape[pos:])
    if g.size == 0:  # Note: Dask's item assignment fails for empty values
        return _after(da.zeros(shape, dtype=g.dtype), g)
    g = g.reshape(tuple(gshape))
    if flips:
        g = da.flip(g, axis=tuple(flips))
    z = da.zeros(shape, dtype=g.dtype)
    z[tuple(key)] = g  # Dask's item assignment is lazy
    return z


def scatter_add(g: Any, key: Any, shape: tuple[int, ...]) -> Any:
    """``zeros(shape)`` with ``g`` added at ``key``, the adjoint of ``x[key]``, lazily."""
    given = key if isinstance(key, tuple) else (key,)
    items = _expand(given, len(shape))
    arrays = [k for k in items if isinstance(k, da.Array)]
    if not any(_is_bool_array(k) for k in arrays):
        for axis, n in enumerate(g.shape):
            if math.isnan(n):  # (a cotangent read at a mask: x[key] = y[m] gave no length)
                raise unknown_length("the gradient of __getitem__", g.shape, axis)
    if not arrays:
        return _basic_scatter(g, items, shape)
    if _one_mask(given) is not None and len(given) > 1:
        return _scatter_among(g, given, tuple(shape))
    if any(_is_bool_array(k) for k in arrays):
        if g.size == 0:  # the only masks __getitem__ takes lazily are empty ones
            return da.zeros(shape, dtype=g.dtype)
        if len(given) == 1 and _is_bool_array(key) and key.shape == tuple(shape)[: key.ndim]:
            # x[m] with a mask of x's leading axes: g (of the mask's unknown count of rows)
            # written, in order, where the mask holds, as __setitem__ writes y[m] = v[m]
            rest = tuple((n,) for n in shape[key.ndim :])
            zeros = da.zeros(shape, dtype=g.dtype, chunks=key.chunks + rest)
            written = _put_at_mask(zeros, g, key)
            if written is not None:
                return written
        return data_dependent(
            "__getitem__", "a boolean mask selects a number of elements that depends on its values"
        )()
    adv, where, basic = _advanced(items, given)
    # x[basic] keeps one axis per item; its advanced axes, moved first, are what
    # _integer_arrays indexed: undo each step in reverse.
    yshape = np.broadcast_to(np.empty((), dtype=bool), shape)[_basic(basic, shape)].shape
    lead = tuple(yshape[i] for i in adv)
    rest = tuple(n for i, n in enumerate(yshape) if i not in adv)
    nb = g.ndim - len(rest)
    if where:
        g = da.moveaxis(g, list(range(where, where + nb)), list(range(nb)))
    vals = _reshape(g, (math.prod(g.shape[:nb]),) + rest)
    rows = _scatter_rows(_flat_index(tuple(items[i] for i in adv), lead), vals, math.prod(lead))
    gy = da.moveaxis(_reshape(rows, lead + rest), list(range(len(adv))), adv)
    return _basic_scatter(gy, basic, shape)


def scatter_along(g: Any, indices: Any, *like: Any, axis: int, shape: Any) -> Any:
    """``_scatter_along_axis``: zeros of ``shape`` with ``g`` added at ``indices`` along
    ``axis``, in the chunks of ``like`` (the primal) where it is given (``_dask_along``), or by
    ``scatter_add`` at ``indices`` and each other axis's positions. The indices are checked
    here too: a gradient computed without the forward result would otherwise drop an index
    out of range silently (the forward's check is in the forward's graph alone)."""
    indices = checked_index(indices, shape[axis], "take_along_axis")
    if like:
        return scatter_along_axis(g, indices, like[0], axis=axis, fallback=_scatter_along_key)
    return _scatter_along_key(g, indices, da.zeros(tuple(shape)), axis=axis)


def _scatter_along_key(g: Any, indices: Any, like: Any, /, *, axis: int) -> Any:
    key = []
    for d, n in enumerate(like.shape):
        lines = [1] * like.ndim
        lines[d] = n
        key.append(indices if d == axis else da.arange(n).reshape(tuple(lines)))
    return scatter_add(g, tuple(key), tuple(like.shape))


# -- functional __setitem__ ---------------------------------------------------------------------
def put(x: Any, v: Any, key: Any) -> Any:
    """A copy of ``x`` with ``v`` written at ``key`` (Dask's item assignment is lazy)."""
    items = key if isinstance(key, tuple) else (key,)
    if isinstance(key, tuple) and _one_mask(items) is not None:  # ((mask,) too: a view's key)
        return _put_among(x, v, items)
    y = x.copy()
    if (
        any(isinstance(k, da.Array) for k in items)
        or sum(1 for k in items if k is not None and k is not Ellipsis) > x.ndim
    ):
        if (
            isinstance(key, da.Array)
            and key.dtype == bool
            and 0 < key.ndim <= x.ndim
            and key.shape == x.shape[: key.ndim]
        ):
            written = _put_at_mask(x, v, key)
            if written is not None:
                return written
        full = _expand(items, x.ndim)
        if _several_arrays(full, x.ndim):
            return _put_arrays(x, v, full, items)
        # masks and one integer array: Dask's own assignment (or its error), integer arrays
        # checked (Dask ignores an index out of range when writing)
        if len(full) == x.ndim and not any(k is None or _is_bool_array(k) for k in full):
            key = tuple(
                checked_index(k, x.shape[a], "__setitem__") if _is_int_array(k) else k
                for a, k in enumerate(full)
            )
        y[key] = v
        # (Dask writes nothing into an empty array, and its graph then leaves out the index)
        return _after(y, *key) if y.size == 0 else y
    items = _basic(_expand(items, x.ndim), x.shape)
    region = np.broadcast_to(np.empty((), dtype=bool), x.shape)[items].shape
    if 0 in region:
        return y  # nothing is written (Note: Dask's assignment fails on empty values)
    # Note: Dask's assignment mishandles negative steps and None: write the same elements with
    # ascending slices, the value flipped to match, and the new axes (length 1) dropped.
    flips: list[int] = []
    keep: list[int] = []
    key2: list[Any] = []
    pos = 0
    for k in items:
        if k is None:
            pos += 1
            continue
        if isinstance(k, slice):
            if k.step is not None and k.step < 0:
                r = range(*k.indices(x.shape[len(key2)]))
                k = slice(r[-1], r[0] + 1, -r.step)
                flips.append(len(keep))
            keep.append(pos)
            pos += 1
        key2.append(k)
    keep.extend(range(pos, len(region)))
    if isinstance(v, da.Array):
        v = da.broadcast_to(v, region).reshape(tuple(region[i] for i in keep))
        if flips:
            v = da.flip(v, axis=tuple(flips))
    y[tuple(key2)] = v
    return y


def _several_arrays(full: tuple[Any, ...], ndim: int) -> bool:
    """Whether ``full`` (a key with its Ellipsis spelled out) holds integer arrays that Dask's
    assignment refuses (several, or one of more than one dimension), among ints and slices."""
    if len(full) != ndim or any(
        k is None or isinstance(k, bool) or _is_bool_array(k) for k in full
    ):
        return False
    arrays = [k for k in full if isinstance(k, da.Array)]
    if not all(_is_int_array(k) for k in arrays):
        return False
    return len(arrays) > 1 or any(k.ndim != 1 for k in arrays)


def _put_arrays(x: Any, v: Any, full: tuple[Any, ...], items: tuple[Any, ...]) -> Any:
    """A copy of ``x`` with ``v`` written at ``full``, a key of several integer arrays (or one
    of more than one dimension) among ints and slices. Note: Dask's assignment takes one 1-D
    integer array at most; the advanced axes are moved to the front and written through one
    flat index into them (repeated elements: the last value written, as NumPy), on the
    region that the slices select."""
    adv, where, basic = _advanced(full, items)
    region = _basic(basic, x.shape)
    sub = x[region]
    keys = tuple(full[i] for i in adv)
    bshape = np.broadcast_shapes(*(getattr(k, "shape", ()) for k in keys))
    rest = [n for i, n in enumerate(sub.shape) if i not in adv]
    nb = len(bshape)
    at = 0 if where is None else where
    target = tuple(rest[:at]) + tuple(bshape) + tuple(rest[at:])
    given = tuple(getattr(v, "shape", np.shape(v)))
    try:
        fits = np.broadcast_shapes(given, target) == target
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"__setitem__(): could not broadcast the value of shape {given} to the indexed "
            f"shape {target}; give a value of that shape, or one that broadcasts to it"
        )
    lead = tuple(sub.shape[i] for i in adv)
    flat = _flat_index(keys, lead, "__setitem__")
    if 0 in target or sub.size == 0:  # nothing is written; the indices are checked all the same
        return _after(x.copy(), flat)
    vb = da.broadcast_to(da.asarray(v), target)
    if at:
        vb = da.moveaxis(vb, list(range(at, at + nb)), list(range(nb)))
    moved = da.moveaxis(sub, adv, list(range(len(adv))))
    tail = moved.shape[len(adv) :]
    written = _reshape(moved, (math.prod(lead),) + tail).copy()
    written[flat] = _reshape(vb, (math.prod(bshape),) + tail)
    sub = da.moveaxis(_reshape(written, moved.shape), list(range(len(adv))), adv)
    whole = (slice(0, n, 1) for n in x.shape)
    if all(isinstance(k, slice) and k == w for k, w in zip(region, whole, strict=True)):
        return sub.astype(x.dtype, copy=False)
    return put(x, sub, region)


def _put_at_mask(x: Any, v: Any, mask: Any) -> Any:
    """A copy of ``x`` with ``v`` written at the boolean ``mask`` of its leading axes (the
    selection is the mask's count of rows of the other axes' shape), or None where ``v``'s
    shape leaves it to Dask's own assignment. Note: Dask's assignment takes a mask of all the
    axes only, and writes a value of one row broadcast to the selection at the first selected
    row alone.

    A value that broadcasts to every selected row (a number, a row, a leading axis of 1) is a
    ``where``; a value of one row per selected row is written in order by ``_put_masked`` on
    the flattened arrays (its count checked when computed)."""
    rest = x.shape[mask.ndim :]
    shape = tuple(getattr(v, "shape", np.shape(v)))
    if any(math.isnan(n) for n in shape[1:]):
        return None
    m = mask.reshape(mask.shape + (1,) * len(rest))
    if len(shape) <= len(rest) or (len(shape) == len(rest) + 1 and shape[0] == 1):
        one = v if len(shape) <= len(rest) else v[0]  # (one value for every selected row)
        return da.where(m, one, x).astype(x.dtype, copy=False)
    if len(shape) != len(rest) + 1:
        return None  # (too many dimensions: Dask's own error)
    if rest and math.isnan(shape[0]):  # (rows selected by a mask: each block flattened)
        if shape[1:] != rest:
            return None
        whole = v.rechunk(dict.fromkeys(range(1, v.ndim), -1))
        v = whole.map_blocks(
            np.ravel,
            chunks=((math.nan,) * whole.numblocks[0],),
            drop_axis=list(range(1, v.ndim)),
            dtype=v.dtype,
            meta=np.empty((0,), dtype=v.dtype),
        )
    elif rest:
        v = _reshape(
            da.broadcast_to(da.asarray(v), shape[:1] + rest), (shape[0] * math.prod(rest),)
        )
    return _put_masked(x, v, da.broadcast_to(m, x.shape))


def _put_masked(x: Any, v: Any, mask: Any) -> Any:
    """``x`` with the elements where ``mask`` holds replaced, in order, by those of the 1-D ``v``
    of the mask's count (which may be unknown until computed, where ``v`` came from a
    boolean-mask selection): lazily, on the flattened arrays, each block taking its run of
    ``v`` from the count of True in the blocks before it (Dask's own assignment cannot
    broadcast a NaN length); a count other than ``v``'s raises when computed."""
    if v.ndim != 1:
        raise ValueError(
            f"__setitem__() with a boolean mask expects a 1-D value of the mask's count; "
            f"got a {v.ndim}-D value"
        )
    xf = x.reshape(-1)
    mf = mask.reshape(-1).rechunk(xf.chunks)
    counts = mf.map_blocks(
        lambda b: np.array([np.count_nonzero(b)]), chunks=((1,) * mf.numblocks[0],), dtype=np.int64
    )
    starts = da.cumsum(counts) - counts
    last = da.from_array(np.arange(mf.numblocks[0]) == mf.numblocks[0] - 1, chunks=1)
    yf = da.blockwise(
        _fill_block, "i", xf, "i", mf, "i", starts, "i", v, "j", last, "i",
        dtype=x.dtype, concatenate=True, align_arrays=False,
    )  # fmt: skip
    return yf.reshape(x.shape)


def _fill_block(xb: Any, mb: Any, start: Any, values: Any, last: Any) -> Any:
    out = np.array(xb, copy=True)
    s = int(start[0])
    k = int(np.count_nonzero(mb))
    if s + k > values.shape[0] or (bool(last[0]) and s + k < values.shape[0]):
        raise ValueError(
            f"__setitem__() with a boolean mask got a value of {values.shape[0]} elements for "
            f"a mask selecting {'more' if s + k > values.shape[0] else 'fewer'}; the value "
            f"must have the mask's count"
        )
    out[mb] = values[s : s + k].astype(out.dtype, copy=False)
    return out


# -- searching ---------------------------------------------------------------------------------
def searchsorted(x1: Any, x2: Any, /, *, side: str = "left", sorter: Any = None) -> Any:
    if x1.ndim != 1:
        raise ValueError(f"searchsorted() expects a 1-D x1; got shape {x1.shape}")
    if not isinstance(x2, da.Array):  # a Python scalar (2025.12)
        x2 = da.asarray(np.asarray(x2, dtype=np.result_type(x1.dtype, x2)))
    if sorter is not None:
        # Note: Dask refuses sorter=; x1 in sorted order is a lazy 1-D gather.
        x1 = x1[sorter]
    # Note: Dask searches every block of x2 in every block of x1 and warns (PerformanceWarning,
    # "Increasing number of chunks") where both are split into many: that grid is its method,
    # not a misuse here (the gradient of a write at a mask searches the mask's running count).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", da.PerformanceWarning)
        if x2.ndim == 0:  # Note: Dask's blocks assign into their result, which fails when 0-d
            return da.searchsorted(x1, x2.reshape(1), side=side)[0]
        return da.searchsorted(x1, x2, side=side)


# -- manipulation ------------------------------------------------------------------------------
def expand_dims(x: Any, /, axis: Any = 0) -> Any:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out_ndim = x.ndim + len(axes)
    norm = []
    for a in axes:
        if not -out_ndim <= a < out_ndim:
            raise IndexError(f"expand_dims() got axis {a} for a result of {out_ndim} dimensions")
        norm.append(a % out_ndim)
    if len(set(norm)) != len(norm):
        raise ValueError(f"expand_dims() got repeated axes {axes}")
    key = tuple(None if i in norm else slice(None) for i in range(out_ndim))
    return x[key]


def _reshape_op(raw: Any) -> Any:
    def reshape(x: Any, /, shape: tuple[int, ...], *, copy: bool | None = None) -> Any:
        for axis, n in enumerate(x.shape):
            if math.isnan(n) and tuple(shape) != (-1,):
                raise unknown_length("reshape", x.shape, axis)
        try:
            return raw(x, shape, copy=copy)
        except NotImplementedError:
            # Note: Dask's reshape only merges or splits whole dimensions in one step
            # ((4, 3) in chunks of 2 to (3, 4) is refused); through the flat array it is two
            # steps it supports.
            return raw(raw(x, (x.size,), copy=copy), shape, copy=copy)

    return reshape


def roll(x: Any, /, shift: Any, *, axis: Any = None) -> Any:
    if x.size == 0:  # Note: Dask's roll fails reshaping an empty array back (axis=None)
        return x
    return da.roll(x, shift, axis=axis)


def repeat(x: Any, repeats: Any, /, *, axis: int | None = None) -> Any:
    if isinstance(repeats, da.Array):
        return data_dependent(
            "repeat", "with an array of repeats, the output length is their sum"
        )()
    if axis is None:
        x = _reshape(x, (x.size,))
        axis = 0
    if x.size == 0 or repeats == 0:  # Note: Dask's repeat has nothing to concatenate then
        shape = list(x.shape)
        shape[axis] *= repeats
        return da.zeros(tuple(shape), dtype=x.dtype)
    return da.repeat(x, repeats, axis=axis)


def take(x: Any, indices: Any, /, *, axis: int | None = None) -> Any:
    """``take`` through this module's integer-array indexing: ``da.take`` reports a wrong
    ``.shape`` for a one-element dask index (its chunks follow the input's). Without ``axis``
    the indices point into the flattened ``x`` (NumPy's and PyTorch's ``take``)."""
    if axis is None and x.ndim != 1:
        for a, n in enumerate(x.shape):
            if math.isnan(n):
                raise unknown_length("take", x.shape, a)
        x = _reshape(x, (math.prod(x.shape),))
    ax = 0 if axis is None else axis % x.ndim
    # (checked here, so that an index out of range is reported as take()'s)
    key = (slice(None),) * ax + (checked_index(indices, x.shape[ax], "take"),)
    # Note: Dask gathers from every block of x for every block of the indices and warns
    # (PerformanceWarning, "Increasing number of chunks") where both are split into many, as
    # for the rows read back by the gradient of a write at a mask: that grid is its method.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", da.PerformanceWarning)
        return getitem(x, key)


def _nonempty_reduction(name: str, raw: Any) -> Any:
    """``raw`` (max or min), refusing an empty reduction while building the graph: Dask would
    fail only when computing, with NumPy's words that name no function."""

    def reduction(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
        axes = range(x.ndim) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
        if any(isinstance(a, int) and -x.ndim <= a < x.ndim and x.shape[a] == 0 for a in axes) or (
            axis is None and x.size == 0
        ):
            raise ValueError(
                f"{name}() of an empty array (shape {x.shape}, axis={axis}) has no result; "
                f"the reduction has no identity"
            )
        return raw(x, axis=axis, keepdims=keepdims)

    return reduction


def _first_index(raw: Any) -> Any:
    """``raw`` (argmax or argmin) of all the elements of an array of several axes as of the
    flattened array: the first extreme in row-major order, as NumPy's. Note: Dask takes each
    block's first extreme and keeps that of the first block in block order, which for an array
    split along a trailing axis is not the first in row-major order (ties and NaN gave another
    index than NumPy's: [[0, 5], [5, 0]] in columns gave 2 for argmax, NumPy 1)."""

    def arg(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
        if axis is not None or x.ndim < 2 or x.size == 0:
            return raw(x, axis=axis, keepdims=keepdims)
        r = raw(_reshape(x, (x.size,)), axis=0)
        return r.reshape((1,) * x.ndim) if keepdims else r

    return arg


def overrides(xp: Any) -> dict[str, Any]:
    """The overrides of this module, for the compat namespace ``xp``."""
    return {
        **OVERRIDES,
        "reshape": _reshape_op(xp.reshape),
        "max": _nonempty_reduction("max", xp.max),
        "min": _nonempty_reduction("min", xp.min),
        "argmax": _first_index(xp.argmax),
        "argmin": _first_index(xp.argmin),
    }


def cumulative_extreme(x: Any, /, *, axis: int, largest: bool) -> Any:
    """The running maximum (``largest``) or minimum of ``x`` along ``axis``, a NaN kept once
    met, block by block."""
    ufunc = np.maximum if largest else np.minimum
    if x.dtype.kind == "f":
        ident: Any = -np.inf if largest else np.inf
    else:
        info = np.iinfo(x.dtype)
        ident = info.min if largest else info.max
    return da.reductions.cumreduction(ufunc.accumulate, ufunc, ident, x, axis=axis, dtype=x.dtype)


def _logaddexp_accumulate(block: Any, axis: int, dtype: Any = None) -> Any:
    wide = np.logaddexp.accumulate(block, axis=axis, dtype=np.float64)
    return wide.astype(block.dtype, copy=False)


def logcumsumexp(x: Any, /, *, axis: int) -> Any:
    """``log(cumsum(exp(x)))`` along ``axis``, block by block (in float64, as PyTorch
    accumulates)."""
    return da.reductions.cumreduction(
        _logaddexp_accumulate, np.logaddexp, -np.inf, x, axis=axis, dtype=x.dtype
    )


OVERRIDES: dict[str, Any] = {
    "_cumulative_extreme": cumulative_extreme,
    "_logcumsumexp": logcumsumexp,
    "take": take,
    "take_along_axis": take_along_axis,
    "__getitem__": getitem,
    "_scatter_add": scatter_add,
    "_scatter_along_axis": scatter_along,
    "_put": put,
    "_check_index": lambda x, *, size, ignore, where, what: checked_index(
        x, size, where, ignore, what, negative=False
    ),
    "searchsorted": searchsorted,
    "expand_dims": expand_dims,
    "roll": roll,
    "repeat": repeat,
    "nonzero": data_dependent("nonzero", "the number of nonzero elements depends on the values"),
    "unique_all": data_dependent("unique_all", "the number of unique values depends on the data"),
    "unique_counts": data_dependent(
        "unique_counts", "the number of unique values depends on the data"
    ),
    "unique_inverse": data_dependent(
        "unique_inverse", "the number of unique values depends on the data"
    ),
    "unique_values": data_dependent(
        "unique_values", "the number of unique values depends on the data"
    ),
}
