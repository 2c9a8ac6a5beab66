# mypy: disable-error-code="no-untyped-call"
# (dask ships no type annotations)
"""Creation functions whose Dask versions are wrong, rebuilt lazily block by block.

- ``dask.array.eye`` builds a task graph with missing keys for non-square shapes with an offset
  (``eye(3, 5, k=-2)`` fails at compute with "Missing dependency") and divides by zero for an
  empty shape.
- ``dask.array.linspace`` computes ``start + i * step`` in every block and never pins the last
  value to ``stop``: ``linspace(-9.3e18, -0.5, 367)[-1]`` is ``0.0``.

- ``dask.array.arange`` calls ``numpy.arange`` from each block's own start, where NumPy fills
  ``start + i * delta`` in the dtype: ``arange(0, 1, 0.1)`` in float32 chunks of 3 has
  ``0.79999995`` where NumPy's has ``0.8``, and ``arange(0, 10, 2.5, dtype=int64)`` in chunks
  of 3 is ``[0, 2, 4, 7]`` where NumPy's is ``[0, 2, 4, 6]``: values that depend on the chunks.

All are rebuilt here with one NumPy call per block (``map_blocks`` over the block's position),
following NumPy's own formulas, so values match ``numpy.eye``/``numpy.linspace``/``numpy.arange``
exactly.

- Dask's "auto" chunking divides by zero for empty shapes with a long axis (``zeros((0, 5000))``);
  ``zeros``/``ones``/``empty``/``full`` and host data get one chunk when empty.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import dask.array as da
import numpy as np

from ._chunks import for_rank

__all__ = ["arange", "chunks_for", "eye", "from_blocks", "linspace", "one_axis", "shape_first"]


def chunks_for(chunks: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    """Dask's ``normalize_chunks`` of an option fitted to the rank of ``shape`` (see
    ``_chunks.for_rank``), except that an empty array is one chunk.

    An axis given explicit block sizes that do not add up to its length (an option written for
    other tensors) is chunked "auto" instead.

    Note: Dask's "auto" chunking divides by zero for an empty shape with a long axis
    (``dask.array.zeros((0, 5000))``, ``from_array`` of such data)."""
    chunks = for_rank("auto" if chunks is None else chunks, len(shape))
    if isinstance(chunks, tuple):
        chunks = tuple(
            "auto" if isinstance(c, (tuple, list)) and sum(c) != n else c
            for c, n in zip(chunks, shape, strict=True)
        )
    if 0 in shape:
        return tuple((s,) for s in shape)
    if dtype is None:
        dtype = np.float64
    return da.core.normalize_chunks(chunks, shape, dtype=np.dtype(dtype))


def _shape_first(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn(shape, ..., chunks=)`` of the compat namespace with empty shapes chunked safely."""

    def wrapper(shape: Any, *args: Any, **kwargs: Any) -> Any:
        dims = (
            (operator.index(shape),)
            if not isinstance(shape, (tuple, list))
            else tuple(operator.index(s) for s in shape)
        )
        if 0 in dims or "chunks" in kwargs:
            kwargs["chunks"] = chunks_for(kwargs.get("chunks"), dims, kwargs.get("dtype"))
        return fn(dims, *args, **kwargs)

    wrapper.__name__ = wrapper.__qualname__ = getattr(fn, "__name__", "wrapper")
    wrapper.__doc__ = fn.__doc__
    return wrapper


def shape_first(xp: Any) -> dict[str, Callable[..., Any]]:
    """Safe versions of the namespace's ``zeros``, ``ones``, ``empty``, ``full``."""
    return {name: _shape_first(getattr(xp, name)) for name in ("zeros", "ones", "empty", "full")}


def eye(
    n_rows: int,
    n_cols: int | None = None,
    /,
    *,
    k: int = 0,
    dtype: Any = None,
    device: Any = None,
    chunks: Any = "auto",
) -> Any:
    """``numpy.eye`` as a Dask array: each block is the matching window of the identity."""
    n_rows = operator.index(n_rows)
    n_cols = n_rows if n_cols is None else operator.index(n_cols)
    k = operator.index(k)
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    shape = (n_rows, n_cols)

    def block(block_info: Any = None) -> Any:
        (r0, r1), (c0, c1) = block_info[None]["array-location"]
        return np.eye(r1 - r0, c1 - c0, k=k + r0 - c0, dtype=dtype)

    return da.map_blocks(
        block,
        chunks=chunks_for(chunks, shape, dtype),
        dtype=dtype,
        meta=np.empty((0, 0), dtype=dtype),
    )


def linspace(
    start: Any,
    stop: Any,
    /,
    num: int,
    *,
    dtype: Any = None,
    device: Any = None,
    endpoint: bool = True,
    chunks: Any = "auto",
) -> Any:
    """``numpy.linspace`` as a Dask array: each block evaluates NumPy's formula on its indices,
    and the block holding the last element sets it to ``stop`` exactly (as NumPy does)."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"linspace() expects a non-negative num; got {num}")
    work = np.result_type(start, stop, 1.0)  # NumPy computes in float64/complex128
    dtype = np.dtype(work if dtype is None else dtype)
    div = (num - 1) if endpoint else num
    delta = np.subtract(stop, start, dtype=work)
    step = delta / div if div > 0 else np.nan

    def block(block_info: Any = None) -> Any:
        ((i0, i1),) = block_info[None]["array-location"]
        y = np.arange(i0, i1, dtype=work)
        if div > 0:
            y = y / div * delta if step == 0 else y * step
        else:
            y = y * delta
        y += start
        if endpoint and num > 1 and i1 == num and i1 > i0:
            y[-1] = stop
        return y.astype(dtype, copy=False)

    return da.map_blocks(
        block,
        chunks=chunks_for(chunks, (num,), dtype),
        dtype=dtype,
        meta=np.empty((0,), dtype=dtype),
    )


def arange(raw: Callable[..., Any]) -> Callable[..., Any]:
    """The namespace's ``arange`` (``raw``) whose values are NumPy's in any chunks: NumPy sets
    ``first = dtype(start)`` and ``second = dtype(start + step)`` and fills
    ``first + i * (second - first)`` in the dtype; each block evaluates that on its indices.
    A result of one block is ``raw``'s (NumPy's own call there).

    Examples
    --------
    >>> import array_api_compat.dask.array as xp, numpy as np
    >>> from polytensor.backends._dask_creation import arange
    >>> a = arange(xp.arange)(0, 1, 0.1, dtype=np.float32, chunks=3).compute()
    >>> bool((a == np.arange(0, 1, 0.1, dtype=np.float32)).all())
    True
    """

    def fixed(start: Any, /, stop: Any = None, step: Any = 1, **kwargs: Any) -> Any:
        if stop is None:
            start, stop = 0, start
        out = raw(start, stop, step, **kwargs)
        if out.dtype.kind not in "iuf" or out.numblocks[0] <= 1:
            return out
        dtype = out.dtype
        first, second = dtype.type(start), dtype.type(start + step)

        def block(block_info: Any = None) -> Any:
            ((i0, i1),) = block_info[None]["array-location"]
            y = first + np.arange(i0, i1).astype(dtype) * (second - first)
            if i0 <= 1 < i1:
                y[1 - i0] = second
            if i0 == 0 < i1:
                y[0] = first
            return y

        return da.map_blocks(
            block, chunks=out.chunks, dtype=dtype, meta=np.empty((0,), dtype=dtype)
        )

    return fixed


def one_axis(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn(..., chunks=)`` of a 1-d result (``arange``) with the chunking option fitted to one
    axis (``chunks=(500_000, 64)`` gives ``500_000``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, chunks: Any = "auto", **kwargs: Any) -> Any:
        return fn(*args, chunks=for_rank(chunks, 1), **kwargs)

    return wrapper


def _block_of(fn: Callable[..., Any], block_info: Any = None) -> Any:
    return fn(tuple(tuple(loc) for loc in block_info[None]["array-location"]))


def from_blocks(
    backend: Any, fn: Callable[..., Any], shape: tuple[int, ...], dtype: str, chunks: Any
) -> Any:
    """A Dask array whose every chunk is ``fn(region)``, computed in a task of its own; nothing
    is computed here. ``chunks`` None takes the backend's ``chunks`` option."""
    from dask.base import tokenize

    np_dtype = np.dtype(dtype)
    if chunks is None:
        chunks = backend.options.get("chunks", "auto")
    normalized = chunks_for(chunks, shape, np_dtype)
    name = f"{getattr(fn, '__name__', 'blocks')}-{tokenize(fn, shape, np_dtype, normalized)}"
    return da.map_blocks(
        functools.partial(_block_of, fn),
        chunks=normalized,
        dtype=np_dtype,
        meta=np.empty((0,) * len(shape), dtype=np_dtype),
        name=name,
    )
