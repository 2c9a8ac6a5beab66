# mypy: disable-error-code="no-untyped-call"
# (dask ships no type annotations)
"""``take_along_axis`` and its adjoint on Dask arrays split along the indexed axis, one block of
``x`` at a time, so that no task holds more than a block of each array.

- ``take_blocks``: for each block of ``x`` along the axis, one task per block of the indices
  takes the elements that block holds and keeps, elsewhere, what the blocks before took; the
  result has the indices' chunks. (One task per pair of blocks: the indices may point anywhere
  along the axis.)
- ``scatter_along_axis`` (``_scatter_along_axis``, the gradient of ``take_along_axis``): for
  each block of ``like`` along the axis, each block of the cotangent adds its elements that
  fall there (``numpy.add.at``) into a block of that size, and those are summed: the result
  has ``like``'s chunks (the primal's), where a scatter of flat indices makes a whole array in
  every task.

cummax/cummin, kthvalue and quantile take their values (and so their gradients) this way.
"""

from __future__ import annotations

import string
from typing import Any

import dask.array as da
import numpy as np

__all__ = ["scatter_along_axis", "take_blocks"]


def _starts(chunks: tuple[int, ...]) -> list[int]:
    return [int(s) for s in np.cumsum((0,) + tuple(chunks[:-1]))]


def take_blocks(x: Any, indices: Any, axis: int) -> Any:
    """``take_along_axis(x, indices, axis=axis)`` for ``x`` and ``indices`` of the same shape
    but along ``axis`` (indices checked already, negative ones counting from the end), one
    block of ``x`` along ``axis`` at a time.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from polytensor.backends._dask_along import take_blocks
    >>> x = da.asarray(np.arange(10.0) * 10, chunks=3)
    >>> take_blocks(x, da.asarray([9, 0, -1, 4], chunks=2), 0).compute().tolist()
    [90.0, 0.0, 90.0, 40.0]
    """
    n = x.shape[axis]
    letters = string.ascii_letters[: x.ndim]
    x_ind = letters[:axis] + "Z" + letters[axis + 1 :]  # ("Z": one block of x along axis)
    meta = np.empty((0,) * x.ndim, dtype=x.dtype)
    out = None
    for lo, size in zip(_starts(x.chunks[axis]), x.chunks[axis], strict=True):
        if not size:
            continue
        part = x[(slice(None),) * axis + (slice(lo, lo + size),)]

        def block(i: Any, a: Any, *before: Any, lo: int = lo, size: int = size) -> Any:
            j = np.where(i < 0, i + n, i) - lo
            here = (j >= 0) & (j < size)
            got = np.take_along_axis(a, np.where(here, j, 0), axis=axis)
            return np.where(here, got, before[0]) if before else got

        args = [indices, letters, part, x_ind]
        if out is not None:
            args += [out, letters]
        out = da.blockwise(
            block,
            letters,
            *args,
            concatenate=True,
            dtype=x.dtype,
            meta=meta,
            align_arrays=True,
        )
    return out


def scatter_along_axis(g: Any, indices: Any, like: Any, *, axis: int, fallback: Any) -> Any:
    """Zeros of ``like``'s shape, in its chunks, with ``g`` added at ``indices`` along ``axis``
    (the adjoint of ``take_along_axis``; ``g`` and ``indices`` of ``like``'s shape but along
    ``axis``); ``fallback(g, indices, like, axis=axis)`` for other shapes (broadcast indices),
    or where ``like`` is one block along ``axis``.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from polytensor.backends._dask_along import scatter_along_axis
    >>> like = da.zeros(6, chunks=2)
    >>> g, i = da.asarray([1.0, 2.0, 4.0], chunks=2), da.asarray([5, 0, 5], chunks=2)
    >>> z = scatter_along_axis(g, i, like, axis=0, fallback=None)
    >>> z.chunks, z.compute().tolist()
    (((2, 2, 2),), [2.0, 0.0, 0.0, 0.0, 0.0, 5.0])
    """
    shape = like.shape
    same = g.shape == indices.shape and all(
        g.shape[d] == shape[d] for d in range(like.ndim) if d != axis
    )
    if not same or like.numblocks[axis] == 1 or 0 in g.shape:
        return fallback(g, indices, like, axis=axis)
    n = shape[axis]
    others = {d: like.chunks[d] for d in range(like.ndim) if d != axis}
    g = g.rechunk(others)
    indices = indices.rechunk(g.chunks)
    letters = string.ascii_letters[: like.ndim]
    in_ind = letters[:axis] + "#" + letters[axis + 1 :]  # ("#": a block of g along axis)
    out_ind = "#" + letters[:axis] + "!" + letters[axis + 1 :]
    parts = []
    for lo, size in zip(_starts(like.chunks[axis]), like.chunks[axis], strict=True):

        def block(i: Any, v: Any, lo: int = lo, size: int = size) -> Any:
            j = np.where(i < 0, i + n, i) - lo
            at = np.nonzero((j >= 0) & (j < size))
            target = list(at)
            target[axis] = j[at]
            out = np.zeros(v.shape[:axis] + (size,) + v.shape[axis + 1 :], dtype=v.dtype)
            np.add.at(out, tuple(target), v[at])
            return out[None]

        added = da.blockwise(
            block,
            out_ind,
            indices,
            in_ind,
            g,
            in_ind,
            new_axes={"!": size},
            adjust_chunks={"#": 1},
            concatenate=True,
            dtype=g.dtype,
            meta=np.empty((0,) * (like.ndim + 1), dtype=g.dtype),
        )
        parts.append(added.sum(axis=0, dtype=g.dtype))
    return da.concatenate(parts, axis=axis)
