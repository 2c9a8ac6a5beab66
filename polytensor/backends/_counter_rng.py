"""Counter-based random numbers: element ``i`` of a draw depends on the seed, the draw and ``i``
only, so any block of an array can be generated alone (a Dask chunk in its own task, a whole
NumPy array at once) and the numbers do not depend on the chunking or the backend.

The flat (C-order) index space of a draw is cut into fixed blocks of ``BLOCK`` elements. Block
``b`` of a draw keyed ``key`` (the seed and the draw's number, 128 bits) is NumPy's ``Philox``
bit generator with that key and its counter started at ``b << 128``: the blocks' counter ranges
never overlap, and NumPy's distribution methods (``random``, ``standard_normal``, ``integers``)
turn a block's stream into values. Drawing ``n`` values from a block gives the first ``n`` of the
whole block (the methods fill sequentially), so a small tensor costs only its own size.

Examples
--------
>>> from polytensor.backends import _counter_rng as rng
>>> whole = rng.fill("normal", (), "float64", (4, 5), 7, ((0, 4), (0, 5)))
>>> part = rng.fill("normal", (), "float64", (4, 5), 7, ((1, 3), (2, 4)))
>>> bool((whole[1:3, 2:4] == part).all())
True
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

__all__ = ["BLOCK", "KINDS", "fill", "make_key", "permutation", "whole"]

BLOCK = 1 << 16
"""Elements per independently keyed block (a partial block at a chunk's edge costs at most
this many extra values)."""

KINDS = ("uniform", "normal", "integers")


def make_key(seed: int, draw: int) -> int:
    """The 128-bit Philox key of draw number ``draw`` of a generator seeded ``seed``."""
    return (seed % (1 << 64)) | ((draw % (1 << 64)) << 64)


def _block(
    kind: str, params: tuple[Any, ...], dtype: np.dtype[Any], key: int, b: int, n: int
) -> Any:
    """The first ``n`` values of block ``b``."""
    g = _philox(key, b << 128)
    if kind == "uniform":
        if dtype in (np.float32, np.float64):
            return g.random(n, dtype=dtype)
        return g.random(n).astype(dtype)
    if kind == "normal":
        if dtype in (np.float32, np.float64):
            return g.standard_normal(n, dtype=dtype)
        return g.standard_normal(n).astype(dtype)
    if kind == "integers":
        low, high = params
        return g.integers(low, high, size=n, dtype=np.int64).astype(dtype, copy=False)
    raise ValueError(f"fill() expects a kind among {', '.join(KINDS)}; got {kind!r}")


_M64 = (1 << 64) - 1
_LOCAL = threading.local()


def _philox(key: int, counter: int) -> Any:
    """A Generator of NumPy's ``Philox`` with key ``key`` and its counter at ``counter``, as
    ``Philox(key=key, counter=counter)`` makes it: one bit generator per thread whose state is
    set (making one draws a seed from the OS that a key then overrides: ~7 us a draw).

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends._counter_rng import _philox
    >>> fresh = np.random.Generator(np.random.Philox(key=5 << 64 | 3, counter=2 << 128))
    >>> bool((_philox(5 << 64 | 3, 2 << 128).random(9) == fresh.random(9)).all())
    True
    """
    g = getattr(_LOCAL, "generator", None)
    if g is None:
        g = _LOCAL.generator = np.random.Generator(np.random.Philox(key=key, counter=counter))
        return g
    g.bit_generator.state = {
        "bit_generator": "Philox",
        "state": {
            "counter": np.array(
                [counter & _M64, (counter >> 64) & _M64, (counter >> 128) & _M64, counter >> 192],
                dtype=np.uint64,
            ),
            "key": np.array([key & _M64, key >> 64], dtype=np.uint64),
        },
        "buffer": _EMPTY_BUFFER,
        "buffer_pos": 4,  # (an empty buffer, a fresh generator's)
        "has_uint32": 0,
        "uinteger": 0,
    }
    return g


_EMPTY_BUFFER = np.zeros(4, dtype=np.uint64)


def _span(
    kind: str, params: tuple[Any, ...], dtype: np.dtype[Any], key: int, start: int, stop: int
) -> Any:
    """Values of flat indices ``start .. stop-1`` as a 1-D array."""
    b = start // BLOCK
    if stop <= (b + 1) * BLOCK:  # within one block (every draw of up to BLOCK values)
        return _block(kind, params, dtype, key, b, stop - b * BLOCK)[start - b * BLOCK :]
    out = np.empty(stop - start, dtype=dtype)
    while b * BLOCK < stop:
        lo = max(start, b * BLOCK)
        hi = min(stop, (b + 1) * BLOCK)
        values = _block(kind, params, dtype, key, b, hi - b * BLOCK)
        out[lo - start : hi - start] = values[lo - b * BLOCK :]
        b += 1
    return out


def fill(
    kind: str,
    params: tuple[Any, ...],
    dtype: str,
    shape: tuple[int, ...],
    key: int,
    region: tuple[tuple[int, int], ...],
) -> Any:
    """The values at ``region`` (``(start, stop)`` per axis) of a draw of ``shape``.

    ``kind`` is ``"uniform"`` ([0, 1)), ``"normal"`` (standard normal) or ``"integers"``
    (``params = (low, high)``, values in ``[low, high)``).

    Note: a region that does not span whole trailing axes (a column block of a matrix) is cut
    from the flat span between its first and last element, which is generated whole: chunk
    such arrays by their leading axis to keep the work proportional to the chunk.
    """
    np_dtype = np.dtype(dtype)
    sub = tuple(stop - start for start, stop in region)
    count = math.prod(sub)
    if count == 0:
        return np.empty(sub, dtype=np_dtype)
    if sub == shape:  # the whole draw (an eager backend's): its flat span
        return _span(kind, params, np_dtype, key, 0, count).reshape(sub)
    strides = [math.prod(shape[k + 1 :]) for k in range(len(shape))]
    first = sum(start * s for (start, _), s in zip(region, strides, strict=True))
    last = sum((stop - 1) * s for (_, stop), s in zip(region, strides, strict=True))
    values = _span(kind, params, np_dtype, key, first, last + 1)
    if last + 1 - first == count:  # a contiguous run of the flat index space
        return values.reshape(sub)
    offsets = np.zeros(sub, dtype=np.int64)
    for axis, ((start, stop), s) in enumerate(zip(region, strides, strict=True)):
        index_shape = [1] * len(sub)
        index_shape[axis] = stop - start
        offsets += (np.arange(start, stop, dtype=np.int64) * s).reshape(index_shape)
    return values[offsets - first]


def whole(kind: str, params: tuple[Any, ...], dtype: str, shape: tuple[int, ...], key: int) -> Any:
    """The whole draw of ``shape``: ``fill`` of every element.

    Examples
    --------
    >>> from polytensor.backends import _counter_rng as rng
    >>> a = rng.whole("uniform", (), "float32", (3, 2), 11)
    >>> bool((a == rng.fill("uniform", (), "float32", (3, 2), 11, ((0, 3), (0, 2)))).all())
    True
    """
    count = math.prod(shape)
    if count == 0:
        return np.empty(shape, dtype=dtype)
    return _span(kind, params, np.dtype(dtype), key, 0, count).reshape(shape)


def permutation(n: int, key: int, dtype: str, region: tuple[tuple[int, int], ...]) -> Any:
    """Elements ``region`` of a random permutation of ``0 .. n-1``: the stable order of ``n``
    counter-based 63-bit integers, the same whichever part is asked for."""
    keys = _span("integers", (0, 1 << 63), np.dtype(np.int64), key, 0, n)
    perm = np.argsort(keys, kind="stable").astype(dtype, copy=False)
    ((start, stop),) = region
    return perm[start:stop]
