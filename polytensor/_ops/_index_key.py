"""The one validation of an index key, shared by every backend, before any backend sees it.

``x[key]`` and ``x[key] = v`` go through :func:`check_key`, which checks what the key's types
and the array's shape tell, the same way on NumPy, Dask, array-api-strict or any other
backend, and raises NumPy's kind of error (``IndexError``) with a message naming the
function: more than one Ellipsis, more indices than dimensions, a Python integer out of range,
an index array of a floating or complex dtype, a boolean mask whose shape does not match.

What only the values of an integer index array can tell (an index out of range) is left to the
backend: NumPy, CuPy and array-api-strict check it themselves; the Dask backend adds a lazy
check to the task graph, which raises the same ``IndexError`` when the result is computed
(never computing anything behind the user's back; see ``backends/_dask_indexing.py``).

Python booleans in a key (``x[True]``, ``x[0, False]``) are 0-d boolean masks in NumPy: one
new axis of length 1 (all ``True``) or 0 (a ``False``), placed where NumPy's rule for advanced
indices puts it. :func:`bool_scalars` spells such a key as a key without booleans plus that
axis, which every backend indexes alike (Dask read ``True`` as the integer 1).
"""

from __future__ import annotations

from typing import Any

__all__ = ["BoolAxis", "bool_scalars", "check_key"]


def _is_int(k: Any) -> bool:
    return isinstance(k, int) and not isinstance(k, bool)


def check_key(template: Any, tensors: list[Any], shape: tuple[int, ...], where: str) -> Any:
    """Raise IndexError if the key (``template``, with ``tensors`` in its slots) cannot index an
    array of ``shape``; ``where`` names the function (``"__getitem__"``). Return the template
    with its slices' bounds inside the axes (``in_bounds``)."""
    items = template if isinstance(template, tuple) else (template,)
    ndim = len(shape)
    n_ellipsis = sum(1 for k in items if k is Ellipsis)
    if n_ellipsis > 1:
        raise IndexError(
            f"{where}(): an index can only have a single ellipsis ('...'); got {n_ellipsis}"
        )
    # how many axes of x each item consumes
    widths: list[int] = []
    for k in items:
        if k is None or k is Ellipsis or isinstance(k, bool):
            widths.append(0)
        elif _is_int(k) or isinstance(k, slice):
            widths.append(1)
        else:  # a slot: an index tensor
            t = tensors[k.i]
            kind = t.dtype.kind
            if kind == "bool":
                widths.append(t.ndim)
            elif kind in ("signed integer", "unsigned integer"):
                widths.append(1)
            else:
                raise IndexError(
                    f"{where}(): index arrays must have an integer or boolean dtype; got "
                    f"{t.dtype.name}; cast it with idx.astype(pt.int64)"
                )
    used = sum(widths)
    if used > ndim:
        raise IndexError(
            f"{where}(): too many indices for an array of shape {tuple(shape)}: it has {ndim} "
            f"dimensions, but {used} were indexed"
        )
    # the first axis of x each item consumes (items after an Ellipsis count from the end)
    axis = 0
    out = list(items)
    for i, (k, w) in enumerate(zip(items, widths, strict=True)):
        if k.__class__ is slice:
            n = shape[axis]
            if n is not None:
                out[i] = in_bounds(k, n)
        if k is Ellipsis:
            axis += ndim - used  # the axes the Ellipsis stands for
            continue
        if _is_int(k):
            n = shape[axis]
            if n is not None and not -n <= k < n:  # (an unknown length: checked downstream)
                raise IndexError(
                    f"{where}(): index {k} is out of bounds for axis {axis} with size {n}; "
                    f"valid indices are {-n} to {n - 1}"
                )
        elif w and not isinstance(k, slice):  # a slot: an index tensor
            t = tensors[k.i]
            if t.dtype.kind == "bool":
                want = tuple(shape[axis : axis + w])
                # (NumPy and array-api-strict take a mask with no elements along any axis: it
                # selects nothing)
                if None not in want and any(
                    m not in (a, 0) for m, a in zip(tuple(t.shape), want, strict=True)
                ):
                    raise IndexError(
                        f"{where}(): a boolean index of shape {tuple(t.shape)} does not match "
                        f"the indexed axes {axis}..{axis + w - 1} of shape {want}"
                    )
        axis += w
    return tuple(out) if isinstance(template, tuple) else out[0]


def in_bounds(k: slice, n: int) -> slice:
    """Slice ``k`` of an axis of length ``n`` with its bounds in ``[-n, n]``, selecting the same
    elements: ``x[252:258]`` of 256 rows is ``x[252:256]``, as NumPy and PyTorch read it (the
    standard leaves bounds outside unspecified, and array-api-strict refuses them).

    Examples
    --------
    >>> from polytensor._ops._index_key import in_bounds
    >>> in_bounds(slice(8, 12), 10), in_bounds(slice(None, -12, -1), 10)
    (slice(8, 10, None), slice(9, None, -1))
    >>> in_bounds(slice(1, 3), 10)
    slice(1, 3, None)
    """
    start, stop = k.start, k.stop
    if (start is None or -n <= start <= n) and (stop is None or -n <= stop <= n):
        return k
    r = range(*k.indices(n))
    if not r:
        return slice(0, 0)
    return slice(r.start, r.stop if r.stop >= 0 else None, k.step)


class BoolAxis:
    """What a key with Python booleans means: index with ``key`` (no booleans left), then add
    an axis of length ``size`` (1, or 0 if a boolean was False) at position ``position``."""

    __slots__ = ("key", "position", "size")

    def __init__(self, key: Any, position: int, size: int) -> None:
        self.key = key
        self.position = position
        self.size = size


def bool_scalars(template: Any, where: str) -> BoolAxis | None:
    """The key ``template`` with its Python booleans spelled out (None if it has none).

    NumPy's rule: the booleans and the integers beside them are advanced indices, broadcast to
    one axis of length 1 (0 if a boolean is False); the axis replaces them if they are adjacent
    in the key, and goes first otherwise.
    """
    items = template if isinstance(template, tuple) else (template,)
    if not any(isinstance(k, bool) for k in items):
        return None
    if any(not (k is None or k is Ellipsis or isinstance(k, (int, slice))) for k in items):
        raise IndexError(
            f"{where}(): a Python bool in an index cannot be combined with index arrays; "
            f"use a boolean tensor (pt.asarray(True)) or index in two steps"
        )
    adv = [i for i, k in enumerate(items) if isinstance(k, int)]  # bools and ints
    size = 0 if any(k is False for k in items) else 1
    key = tuple(k for k in items if not isinstance(k, bool))
    if not any(k is Ellipsis for k in key):
        key += (Ellipsis,)  # (array-api-strict wants every axis of a tuple key spelled)
    if adv[-1] - adv[0] + 1 == len(adv):
        # adjacent: the axis lands where they were, after the axes of the items before them
        position = sum(1 for k in items[: adv[0]] if k is None or isinstance(k, slice))
        if any(k is Ellipsis for k in items[: adv[0]]):  # counted from the end instead
            position = -(1 + sum(1 for k in items[adv[-1] + 1 :] if not _is_int(k)))
    else:
        position = 0
    return BoolAxis(key, position, size)
