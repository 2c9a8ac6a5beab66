# mypy: disable-error-code="no-untyped-call"
# (dask ships no type annotations)
"""Checks and counts of a Dask array's values, lazily, block by block.

- ``_check_range``: the array itself, with a check of each block's values in its task graph;
  a value outside the range raises ``DataValueError`` when the result is computed (the values
  are unknown until then, and this backend never computes behind the user's back), as
  ``_check_index`` does for indices.
- ``_bincount``: ``numpy.bincount`` per block (each block's values checked to be non-negative
  there), the blocks' counts added up in a tree (Dask's ``bincount``): no block gathers the
  input. The result's length, ``max(x) + 1`` or ``minlength`` if more, depends on the values:
  one chunk of unknown length until computed, as after a boolean mask.
- ``floor_divide``, ``remainder``, ``_fmod`` of integers (``integer_division``): divided block
  by block by the NumPy backend's functions, so that a zero divisor raises PyTorch's
  ``ZeroDivisionError`` when computed, as on the NumPy backend, where Dask's give 0.
- ``var``, ``std`` with a ``correction`` past the number of elements (``degrees_of_freedom``):
  NumPy's and PyTorch's divisor, ``max(n - correction, 0)``, where Dask's gives NaN.
"""

from __future__ import annotations

import math
from typing import Any

import dask.array as da
import numpy as np

from .._checks import DataValueError
from ._backend import out_of_range

__all__ = ["OVERRIDES", "bincount", "check_range", "degrees_of_freedom", "integer_division"]


def check_range(x: Any, /, *, low: Any, high: Any, message: str) -> Any:
    """``x``, each of its blocks checked, when computed, to hold values in ``[low, high]``
    (None: no bound; NaN lies nowhere); ``DataValueError`` naming ``message`` otherwise.

    Examples
    --------
    >>> import dask.array as da
    >>> from polytensor.backends._dask_values import check_range
    >>> q = check_range(da.asarray([0.5, 1.5]), low=0, high=1, message="q must be in [0, 1]")
    >>> q.compute()
    Traceback (most recent call last):
        ...
    polytensor._checks.DataValueError: q must be in [0, 1] (got 1.5)
    """

    def check(block: Any) -> Any:
        bad = out_of_range(np, block, low, high)
        if bad.any():
            raise DataValueError(f"{message} (got {block[bad].flat[0]})")
        return block

    return x.map_blocks(check, dtype=x.dtype, meta=np.empty((0,) * x.ndim, dtype=x.dtype))


_NEGATIVE = (
    "bincount only supports 1-d non-negative integral inputs; expected counts 0, 1, ...; "
    "remove or shift the negative values first"
)


def bincount(x: Any, *weights: Any, minlength: int, dtype: Any) -> Any:
    """The counts of ``x``'s values 0, 1, ... (with ``weights``, the sums of their weights) in
    ``dtype``, ``max(x) + 1`` of them or ``minlength`` if more: one chunk of unknown length.
    A negative value raises ``DataValueError`` when computed.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from polytensor.backends._dask_values import bincount
    >>> c = bincount(da.asarray([1, 3, 3, 0], chunks=2), minlength=6, dtype=np.int64)
    >>> c.shape, c.compute().tolist()
    ((nan,), [1, 1, 0, 2, 0, 0])
    """

    def counts(block: Any, *w: Any) -> Any:
        if block.size and block.min() < 0:
            raise DataValueError(f"{_NEGATIVE} (got {block[block < 0].flat[0]})")
        # (NumPy counts into intp and sums weights in float64: cast to the result's dtype)
        added = w[0] if w else None
        return np.bincount(block.astype(np.intp), added, minlength=minlength).astype(dtype)

    if weights:
        w = weights[0]
        if w.chunks != x.chunks:
            w = w.rechunk(x.chunks)
        per_block = da.map_blocks(counts, x, w, chunks=((math.nan,) * x.numblocks[0],), dtype=dtype)
    else:
        per_block = x.map_blocks(counts, chunks=((math.nan,) * x.numblocks[0],), dtype=dtype)
    # Note: Dask's own bincount claims a length of minlength when one is given, whatever the
    # values; its tree of sums (padded to the longest) is used on the per-block counts here
    return da.reduction(
        per_block,
        _padded_sum,
        _padded_sum,
        axis=0,
        dtype=dtype,
        concatenate=False,
        keepdims=True,
        output_size=math.nan,
        meta=np.empty((0,), dtype=dtype),
    )


def integer_division(name: str, raw: Any) -> Any:
    """Dask's ``floor_divide``, ``remainder`` or ``_fmod`` (``raw``, for op ``name``) where an
    integer result with a zero divisor raises PyTorch's ``RuntimeError`` (ZeroDivisionError)
    when computed: integer operands are divided block by block by the NumPy backend's function,
    which checks each block's divisor, as it checks the whole divisor on that backend (and as
    the one-task path of small arrays does). Note: Dask's own give 0 there, with a warning.
    Floating-point results are ``raw``'s.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from polytensor.backends._dask_values import integer_division
    >>> fd = integer_division("floor_divide", da.floor_divide)
    >>> fd(da.asarray([7, -7], chunks=1), da.asarray([2, 2], chunks=1)).compute().tolist()
    [3, -4]
    >>> fd(da.asarray([7, -7], chunks=1), da.asarray([2, 0], chunks=1)).compute()
    Traceback (most recent call last):
        ...
    RuntimeError: floor_divide(): ZeroDivisionError: integer division by zero ...
    """

    def divide(x1: Any, x2: Any) -> Any:
        out = raw(x1, x2)
        if out.dtype.kind not in "biu":
            return out
        from ._dask_small import numpy_function

        return da.core.elemwise(numpy_function(name), x1, x2, dtype=out.dtype)

    return divide


def degrees_of_freedom(raw: Any) -> Any:
    """Dask's ``var`` or ``std`` (``raw``) dividing by ``max(n - correction, 0)``, as NumPy and
    PyTorch do: a correction past the ``n`` elements reduced gives inf (0 / 0: NaN). Note:
    Dask's gives NaN for any divisor below 0.

    Examples
    --------
    >>> import array_api_compat.dask.array as xp, dask.array as da, numpy as np
    >>> from polytensor.backends._dask_values import degrees_of_freedom
    >>> var = degrees_of_freedom(xp.var)
    >>> with np.errstate(divide="ignore"):
    ...     float(var(da.asarray([1.0, 3.0], chunks=1), correction=3).compute())
    inf
    """

    def reduce(
        x: Any, /, *, axis: Any = None, correction: Any = 0.0, keepdims: bool = False
    ) -> Any:
        axes = range(x.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
        n = math.prod(x.shape[a] for a in axes)
        if not math.isnan(n) and correction > n:
            correction = n
        return raw(x, axis=axis, correction=correction, keepdims=keepdims)

    return reduce


def _padded_sum(parts: Any, axis: Any = None, keepdims: bool = True, **_: Any) -> Any:
    """The sum of count arrays of different lengths, each padded with zeros to the longest."""
    if not isinstance(parts, list):
        return parts
    parts = list(_flat(parts))
    out = np.zeros(max(len(p) for p in parts), dtype=parts[0].dtype)
    for p in parts:
        out[: len(p)] += p
    return out


def _flat(parts: Any) -> Any:
    for p in parts:
        if isinstance(p, list):
            yield from _flat(p)
        else:
            yield p


OVERRIDES: dict[str, Any] = {"_check_range": check_range, "_bincount": bincount}
