"""NumPy backend (the default): eager, mutable, host memory shared with ``numpy()``."""

from __future__ import annotations

import functools
import math
import operator
from types import ModuleType
from typing import Any

from . import _layers, _windows
from ._backend import (
    Backend,
    Capabilities,
    Transfer,
    Writes,
    base_root,
    flags_c_contiguous,
    generic_check_index,
    generic_cross_entropy,
    generic_embedding,
    generic_extreme_indices,
    generic_gelu,
    generic_layer_norm,
    generic_nll_loss,
    generic_scatter_add,
    generic_strong_zero,
    strided_layout,
)


def _load() -> ModuleType:
    import array_api_compat.numpy as xp

    from . import _fixes

    _fixes.install(_OVERRIDES, xp)
    _fixes.install_non_finite_svd(_OVERRIDES, xp)
    fmod = xp.fmod  # type: ignore[attr-defined]
    _fixes.install_zero_division(_OVERRIDES, xp, fmod, _count_nonzero(), _trap_zero_division)
    _OVERRIDES["flip"] = _fixes.copied_flip(xp)  # (writable arrays: a copy, as torch's)
    _OVERRIDES["clip"] = _fast_clip(xp.clip)  # type: ignore[attr-defined]
    _OVERRIDES.update(_direct(xp))
    warm_up_allocator()
    import numpy as np

    _OVERRIDES["__getitem__"] = _getitem_view(np.ndarray)
    _OVERRIDES["_quiet_float_errors"] = _quiet_float_errors
    _ERRSTATE[:] = _errstate_parts()

    BACKEND._as_array = np.asarray  # NumPy's own, in place of _as_array: no Python frame
    return xp


def _count_nonzero() -> Any:
    import numpy as np

    return np.count_nonzero  # (array-api-compat's wraps it in Python: ~1 us)


def _trap_zero_division(raw: Any, x1: Any, x2: Any) -> Any:
    """``raw(x1, x2)``, raising FloatingPointError where an integer divisor is 0 (NumPy flags
    it as it divides: no pass of its own over ``x2``)."""
    import numpy as np

    with np.errstate(divide="raise"):
        return raw(x1, x2)


def _getitem_view(ndarray: type) -> Any:
    """``a[key]``, with a 0-d view where NumPy gives a scalar (``a[0]`` of a 1-d array): as
    every other basic index, ``x[0]`` is then a view of ``x``, and ``x[0].fill_(1)`` or
    ``x[i].copy_(y)`` writes into ``x``, as in PyTorch."""

    def getitem(a: Any, key: Any) -> Any:
        r = a[key]
        if r.__class__ is not ndarray:  # (a NumPy scalar: only for a key of integers)
            return a[(*key, Ellipsis) if key.__class__ is tuple else (key, Ellipsis)]
        return r

    return getitem


WARMUP_BYTES = 16 * 2**20


def warm_up_allocator() -> bool:
    """Let glibc's malloc adapt to arrays of up to 16 MiB once, at load, instead of paying
    page faults on every training step; returns whether it did.

    glibc serves blocks above its mmap threshold (128 KiB at start) with fresh pages, and
    gives the top of its heap back to the system once more than twice that lies free. Both
    thresholds rise to the size of the largest mmapped block freed so far (up to 32 MiB), so
    a long-running program settles there; until it frees a large array it does not, and a
    training loop whose gradient and update temporaries are freed together (``w.grad = None``)
    then gets its memory back from the kernel every step (about 380 page faults and 1.8x
    the time per step for the 800 KB float64 weights of ``bench/autograd.py``). Allocating and
    freeing one 16 MiB block (no page is touched) moves the thresholds where the program would
    have settled. Settings made through ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``
    (Dask's workers set it) or ``mallopt`` turn glibc's adaptation off and are kept; set
    ``POLYTENSOR_MALLOC_WARMUP=0`` to skip this. Other C libraries: nothing is done.

    Examples
    --------
    >>> from polytensor.backends import numpy as nb
    >>> isinstance(nb.warm_up_allocator(), bool)
    True
    """
    import os

    if os.environ.get("POLYTENSOR_MALLOC_WARMUP", "1").strip() == "0":
        return False
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):
        return False
    if not libc.startswith("glibc"):
        return False
    import numpy as np

    np.empty(WARMUP_BYTES, dtype=np.uint8)  # allocated with mmap and freed at once
    return True


def _undispatched(fn: Any) -> Any:
    """NumPy's C function under ``fn``, one of its functions that first ask their arguments'
    types for an ``__array_function__`` override (``np.where``, ``np.vdot``): the backend
    gives them plain arrays, which have none, and each call skips the Python dispatcher
    (``np.where`` on a (4, 5) float32 array: 764 -> 578 ns; ``np.vdot`` 396 -> 248 ns).

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends.numpy import _undispatched
    >>> _undispatched(np.vdot)(np.ones(3), np.ones(3))
    np.float64(3.0)
    """
    return getattr(fn, "_implementation", fn)


def _direct(xp: Any) -> dict[str, Any]:
    """NumPy's own functions where array-api-compat's wrapper only forwards to them (matmul)
    or checks what is checked already: each wrapper costs a call or two per op."""
    import numpy as np

    conformant_transpose = xp.matrix_transpose

    def matrix_transpose(x: Any, /) -> Any:
        if x.ndim == 2:
            return x.T
        return conformant_transpose(x)  # raises for ndim < 2

    def permute_dims(x: Any, /, axes: Any) -> Any:
        # the method NumPy's np.transpose calls, with the same checks and errors (the axes
        # given as a tuple: NumPy's method also reads separate integers); a NumPy scalar has
        # it too
        if type(axes) is not tuple:
            axes = tuple(axes)
        return x.transpose(axes)

    conformant_reshape, conformant_expand_dims = xp.reshape, xp.expand_dims
    # (ndarray.reshape takes copy= from NumPy 2.1)
    reshape_copies = tuple(int(v) for v in np.__version__.split(".")[:2]) >= (2, 1)

    def reshape(x: Any, /, shape: Any, *, copy: Any = None) -> Any:
        # the method np.reshape calls: a view where the layout allows, else a copy (copy=None),
        # or ValueError (copy=False); copy=True and NumPy 2.0 as array-api-compat does them
        if copy is None and type(shape) is tuple:
            return x.reshape(shape)
        if copy is False and reshape_copies and type(shape) is tuple:
            return x.reshape(shape, copy=False)
        return conformant_reshape(x, shape, copy=copy)

    def expand_dims(x: Any, /, axis: Any = 0) -> Any:
        # one new axis by basic indexing, a view in C (np.expand_dims normalises in Python)
        if type(axis) is int:
            n = x.ndim
            if -n - 1 <= axis <= n:
                return x[(slice(None),) * (axis if axis >= 0 else axis + n + 1) + (None, ...)]
        return conformant_expand_dims(x, axis=axis)  # its checks and errors

    conformant_stack, concatenate = xp.stack, _undispatched(np.concatenate)

    def concat(arrays: Any, /, *, axis: Any = 0) -> Any:
        # arrays of one dtype (the table's fast path) joined by NumPy itself; others as
        # array-api-compat joins them
        if type(arrays) is list and arrays and type(axis) is int:
            d = arrays[0].dtype
            for a in arrays:
                if a.dtype is not d or not a.ndim:
                    break
            else:
                return concatenate(arrays, axis=axis)
        return xp.concat(arrays, axis=axis)

    conformant_unstack = xp.unstack

    def unstack(x: Any, /, *, axis: int = 0) -> Any:
        # along the first axis (a recurrent layer's steps, its initial states): the array's
        # own iteration, the views np.unstack makes after moving the axis in Python
        if axis == 0 and type(axis) is int and type(x) is ndarray and x.ndim:
            return tuple(x)
        return conformant_unstack(x, axis=axis)

    def stack(arrays: Any, /, *, axis: int = 0) -> Any:
        # arrays of one shape and dtype, each given the new axis by indexing (a view) and
        # joined along it: np.stack's result without its Python
        if type(arrays) is list and arrays and type(axis) is int:
            first = arrays[0]
            n, shape, d = first.ndim, first.shape, first.dtype
            if -n - 1 <= axis <= n:
                for a in arrays:
                    if a.shape != shape or a.dtype is not d:
                        break
                else:
                    a = axis if axis >= 0 else axis + n + 1
                    key = (slice(None),) * a + (None, ...)
                    return concatenate([x[key] for x in arrays], axis=a)
        return conformant_stack(arrays, axis=axis)  # its checks and errors

    conformant_take_along_axis, arange, intp = xp.take_along_axis, np.arange, np.intp
    rows: dict[int, Any] = {}  # arange(n)[:, None] per n up to 4,096 rows (read-only)

    def take_along_axis(x: Any, indices: Any, /, *, axis: int = -1) -> Any:
        # a matrix's elements at one index per row (PyTorch's x.max(dim=1) recorded): NumPy's
        # indexing, without np.take_along_axis's Python
        if (
            type(axis) is int
            and axis in (1, -1)
            and x.ndim == 2
            and indices.ndim == 2
            and indices.shape[0] == x.shape[0]
            and indices.dtype.kind in "iu"
        ):
            n = x.shape[0]
            r = rows.get(n)
            if r is None:
                r = arange(n, dtype=intp)[:, None]
                r.flags.writeable = False
                if n <= 4096:
                    rows[n] = r
            return x[r, indices]
        return conformant_take_along_axis(x, indices, axis=axis)

    conformant_astype = xp.astype

    def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
        # the array's own method, which array-api-compat's wrapper calls after checking the
        # device (a boolean mask summed as integers, PyTorch's sum of booleans: 1 call less)
        if device is None and type(x) is ndarray:
            return x.astype(dtype, copy=copy)
        return conformant_astype(x, dtype, copy=copy, device=device)

    conformant_ones_like = xp.ones_like
    empty_like = _undispatched(np.empty_like)

    def ones_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Any:
        if device is not None:
            return conformant_ones_like(x, dtype=dtype, device=device)  # checks the device
        r = empty_like(x, dtype=dtype)
        r.fill(1)
        return r

    conformant_broadcast_to = xp.broadcast_to

    def broadcast_to(x: Any, /, shape: Any) -> Any:
        # a 0-d array (a full reduction's cotangent) broadcasts by a zero-stride view, made in C
        if x.ndim == 0 and type(shape) is tuple:
            for s in shape:
                if type(s) is not int or s < 0:
                    return conformant_broadcast_to(x, shape)  # its checks and errors
            r = np.ndarray(shape, x.dtype, x, 0, (0,) * len(shape))
            r.flags.writeable = False  # as np.broadcast_to's views
            return r
        return conformant_broadcast_to(x, shape)

    matmul, where = np.matmul, _undispatched(np.where)

    # (.T of a matrix is its transpose as NumPy code writes it: one attribute, no call)
    def matmul_nt(x1: Any, x2: Any, /) -> Any:
        if x2.ndim == 2:
            if x1.ndim > 2 and x1.flags.c_contiguous:
                # a stack by one matrix (nn.Linear on a sequence) as one product of the stack's
                # rows: NumPy multiplies a stack matrix by matrix, (35, 32, 128) by (128, 512)
                # float32 in 1,520 us against 570 us as (1120, 128) by (128, 512)
                r = matmul(x1.reshape(-1, x1.shape[-1]), x2.T)
                return r.reshape(x1.shape[:-1] + r.shape[-1:])
            return matmul(x1, x2.T)
        return matmul(x1, x2.swapaxes(-1, -2))

    def matmul_tn(x1: Any, x2: Any, /) -> Any:
        return matmul(x1.T if x1.ndim == 2 else x1.swapaxes(-1, -2), x2)

    vdot = _undispatched(np.vdot)
    zeros: dict[Any, Any] = {}  # a 0-d zero per dtype: NumPy compares with it faster than with 0

    def zero(dtype: Any) -> Any:
        z = zeros.get(dtype)
        if z is None:
            z = zeros[dtype] = np.zeros((), dtype)
        return z

    ndarray, b1 = np.ndarray, np.dtype(bool)

    def relu_backward(g: Any, x: Any, /) -> Any:
        # where(x <= 0, 0, g), as PyTorch's threshold_backward: a NaN passes g
        cut = x <= zero(x.dtype)
        r = _BY_BITS(g, cut)
        return r if r is not None else where(cut, zero(g.dtype), g)

    def mask_grad(g: Any, keep: Any, /) -> Any:
        # where(keep, g, 0); by bits only for a boolean array mask
        r = _BY_BITS(g, keep, keep=True) if keep.__class__ is ndarray and keep.dtype is b1 else None
        return r if r is not None else where(keep, g, zero(g.dtype))

    def all_finite(a: Any) -> bool:
        # a . a is finite only when every element of a is: one pass, no temporary (an overflow
        # just says False; the real part: a may be complex)
        return math.isfinite(vdot(a, a).real)

    strong_zero = generic_strong_zero(np, all_finite=all_finite)

    exp, log, subtract = np.exp, np.log, np.subtract
    add_reduce: Any = np.add.reduce
    ascontiguous = np.ascontiguousarray

    def _rows_reduce(reduce: Any) -> Any:
        # NumPy reduces a short last axis row by row, ~60 ns a row (a (256, 10) matrix's max
        # along axis 1: 16 us); reduced along the first axis of the transposed copy, its
        # element-wise maximum runs over whole rows (2.4 us, copy included). The same
        # comparisons, so the same values and NaNs.
        def fn(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
            if (
                type(axis) is int
                and x.ndim == 2
                and axis in (1, -1)
                and x.shape[0] >= 16
                and 1 < x.shape[1] <= 32
                and type(x) is ndarray
            ):
                r = reduce(ascontiguous(x.T), axis=0)
                return r[:, None] if keepdims else r
            return reduce(x, axis=axis, keepdims=keepdims)

        return fn

    max_reduce = _rows_reduce(np.maximum.reduce)
    min_reduce = _rows_reduce(np.minimum.reduce)

    def log_softmax(x: Any, /, *, axis: int) -> Any:
        # generic_log_softmax's formula, the last subtraction into the shifted copy
        s = subtract(x, max_reduce(x, axis=axis, keepdims=True))
        s -= log(add_reduce(exp(s), axis=axis, keepdims=True))
        return s

    def softmax(x: Any, /, *, axis: int) -> Any:
        # generic_softmax's formula, the division into the exponentials
        e = exp(subtract(x, max_reduce(x, axis=axis, keepdims=True)))
        e /= add_reduce(e, axis=axis, keepdims=True)
        return e

    sqrt, reciprocal = np.sqrt, np.reciprocal
    generic_norm = generic_layer_norm(np)

    def layer_norm(
        x: Any, /, weight: Any = None, bias: Any = None, *, axes: Any, eps: float
    ) -> Any:
        # generic_layer_norm's formula, in place in the centred copy
        if type(x) is not ndarray or x.dtype not in floats or not x.size:
            return generic_norm(x, weight, bias, axes=axes, eps=eps)
        s = add_reduce(x, axis=axes, keepdims=True)
        n = x.size // s.size
        s /= n
        d = subtract(x, s)
        v = add_reduce(d * d, axis=axes, keepdims=True)
        v /= n
        v += eps
        d *= reciprocal(sqrt(v, out=v), out=v)
        if weight is not None:
            d *= weight
        if bias is not None:
            d += bias
        return d

    generic_check = generic_check_index(BACKEND)
    conformant_mean, true_divide = xp.mean, np.true_divide
    floats = frozenset((np.dtype("float32"), np.dtype("float64")))

    def mean(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
        # np.mean's own steps (the sum, then its division by the count in the array's dtype)
        # without its Python: 3.1 -> 1.0 us for a (64, 10) matrix; anything else as np.mean
        if type(x) is ndarray and x.dtype in floats and x.size:
            r = add_reduce(x, axis=axis, keepdims=keepdims)
            return true_divide(r, x.size // r.size)
        return conformant_mean(x, axis=axis, keepdims=keepdims)

    all_min, all_max = np.minimum.reduce, np.maximum.reduce
    conformant_argmax, conformant_argmin = xp.argmax, xp.argmin

    def argmax(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
        if type(x) is ndarray:
            return x.argmax(axis=axis, keepdims=keepdims)
        return conformant_argmax(x, axis=axis, keepdims=keepdims)

    def argmin(x: Any, /, *, axis: Any = None, keepdims: bool = False) -> Any:
        if type(x) is ndarray:
            return x.argmin(axis=axis, keepdims=keepdims)
        return conformant_argmin(x, axis=axis, keepdims=keepdims)

    generic_extreme = generic_extreme_indices(BACKEND)

    def cumulative_extreme(x: Any, /, *, axis: int, largest: bool) -> Any:
        # (one pass: the ufunc's accumulate, a NaN kept once met)
        return (np.maximum if largest else np.minimum).accumulate(x, axis=axis)

    def logcumsumexp(x: Any, /, *, axis: int) -> Any:
        # (one pass, in float64 for float32 too, as PyTorch accumulates)
        wide = np.logaddexp.accumulate(x, axis=axis, dtype=np.float64)
        return wide if x.dtype == wide.dtype else wide.astype(x.dtype)

    starts: dict[tuple[int, int], Any] = {}  # arange(n) * c per matrix shape (read-only)

    def extreme_indices(x: Any, /, *, axis: int, keepdims: bool, largest: bool) -> Any:
        # the indices by the array's argmax or argmin, the values taken at them (the same
        # elements max or min gives, NaN first), without a second reduction
        if type(x) is not ndarray:
            return generic_extreme(x, axis=axis, keepdims=keepdims, largest=largest)
        if x.ndim == 2 and axis in (1, -1) and x.flags.c_contiguous:
            # a batch of rows (the scores of a classifier): each row's element by its flat
            # index, one take (NumPy's row-by-row reduction of a short axis is ~60 ns a row)
            i = x.argmax(axis=1) if largest else x.argmin(axis=1)
            first = starts.get(x.shape)
            if first is None:
                first = np.arange(0, x.size, x.shape[1] or 1)
                first.flags.writeable = False
                if len(starts) < 64:
                    starts[x.shape] = first
            v = x.reshape(-1).take(i + first)
            return (v[:, None], i[:, None]) if keepdims else (v, i)
        i = x.argmax(axis=axis, keepdims=True) if largest else x.argmin(axis=axis, keepdims=True)
        v = take_along_axis(x, i, axis=axis)
        if keepdims:
            return v, i
        return v.squeeze(axis), i.squeeze(axis)

    def check_index(x: Any, /, *, size: int, ignore: int, where: str, what: str) -> Any:
        # indices all in range (two reductions), else generic_check_index's test and error
        if x.size and all_min(x, axis=None) >= 0 and all_max(x, axis=None) < size:
            return x
        return generic_check(x, size=size, ignore=ignore, where=where, what=what)

    generic_nll = generic_nll_loss(BACKEND)
    generic_gelus = generic_gelu(BACKEND)
    gelu, gelu_backward = _gelu_kernels(np, floats, generic_gelus)

    # nll_loss of a batch of rows (N, C) and class indices (N,), the usual case, with NumPy's
    # indexing; anything else as generic_nll_loss
    def nll_loss(x: Any, t: Any, /, *, axis: int, ignore_index: int, reduction: str) -> Any:
        if x.ndim != 2 or axis != 1:
            return generic_nll["_nll_loss"](
                x, t, axis=axis, ignore_index=ignore_index, reduction=reduction
            )
        # (ignore_index below every target, the default -100: all valid, without the
        # comparison and ndarray.all's Python)
        valid = None if ignore_index < 0 and (not t.size or all_min(t) >= 0) else t != ignore_index
        if valid is None or not valid.size or all_min(valid):
            loss = np.negative(x[np.arange(len(t)), t])
            count = len(t)
        else:
            loss = np.zeros(len(t), x.dtype)
            loss[valid] = np.negative(x[np.flatnonzero(valid), t[valid]])
            count = int(np.count_nonzero(valid))
        if reduction == "none":
            return loss
        total = add_reduce(loss)
        if reduction == "mean":
            total = total / count if count else np.full((), np.nan, x.dtype)
        return np.asarray(total)

    def nll_loss_backward(
        g: Any, t: Any, /, *, axis: int, ignore_index: int, reduction: str, classes: int
    ) -> Any:
        if t.ndim != 1 or axis != 1:
            return generic_nll["_nll_loss_backward"](
                g, t, axis=axis, ignore_index=ignore_index, reduction=reduction, classes=classes
            )
        out = np.zeros((len(t), classes), g.dtype)
        if ignore_index < 0 and (not t.size or all_min(t) >= 0):  # (every row, as forward)
            rows = np.arange(len(t))
        else:
            rows = np.flatnonzero(t != ignore_index)
        if len(rows):
            if reduction == "none":
                v = np.negative(g[rows])
            else:
                v = np.negative(g / len(rows) if reduction == "mean" else g)
            out[rows, t[rows]] = v
        return out

    generic_ce = generic_cross_entropy(BACKEND)
    ce_rows: dict[int, Any] = {}  # arange(n) per batch size up to 4,096 (read-only)

    def all_targets(x: Any, t: Any, axis: int, ignore_index: int) -> Any:
        # arange(len(t)) when (x, t) are a batch of rows (N, C) and class indices (N,), every
        # one a class (in range: one minimum and one maximum; none ignored, as ignore_index is
        # not a class), else None
        if (
            axis != 1
            or type(x) is not ndarray
            or 0 <= ignore_index < x.shape[-1]
            or x.ndim != 2
            or t.ndim != 1
            or not t.size
            or all_min(t) < 0
            or all_max(t) >= x.shape[1]
        ):
            return None
        n = len(t)
        r = ce_rows.get(n)
        if r is None:
            r = np.arange(n)
            r.flags.writeable = False
            if n <= 4096:
                ce_rows[n] = r
        return r

    # cross_entropy of a batch of rows whose targets are all classes: the targets checked once
    # (not again by nll_loss), the picked log-probabilities' mean; else generic_cross_entropy
    def cross_entropy(
        x: Any, t: Any, /, *, axis: int, ignore_index: int, reduction: str, keep: Any = None
    ) -> Any:
        rows = all_targets(x, t, axis, ignore_index)
        if rows is None:
            return generic_ce["_cross_entropy"](
                x, t, axis=axis, ignore_index=ignore_index, reduction=reduction, keep=keep
            )
        logp = log_softmax(x, axis=1)
        if keep is not None:
            keep.append(logp)
        loss = np.negative(logp[rows, t])
        if reduction == "none":
            return loss
        total = add_reduce(loss)
        return np.asarray(total / len(t) if reduction == "mean" else total)

    # its gradient, (softmax - one_hot(t)) * g (g / N for the mean) as nll_loss's and
    # log_softmax's give it (g / N at each row's target, then that minus the softmax times
    # minus g / N), in the softmax's array
    def cross_entropy_backward(
        g: Any, logp: Any, t: Any, /, *, axis: int, ignore_index: int, reduction: str
    ) -> Any:
        rows = all_targets(logp, t, axis, ignore_index)
        if rows is None or type(g) is not ndarray or g.dtype != logp.dtype:
            return generic_ce["_cross_entropy_backward"](
                g, logp, t, axis=axis, ignore_index=ignore_index, reduction=reduction
            )
        s = g[:, None] if reduction == "none" else g / len(t) if reduction == "mean" else g
        p = exp(logp)  # (a new array: logp is the caller's)
        p *= s
        p[rows, t] -= s[:, 0] if reduction == "none" else s
        return p

    generic_emb = generic_embedding(BACKEND)

    def embedding(w: Any, ids: Any, /, *, padding_idx: Any) -> Any:
        # the rows by one take, the ids checked by one minimum and one maximum; else (an id out
        # of range: its error) generic_embedding
        if (
            type(w) is ndarray
            and type(ids) is ndarray
            and w.ndim == 2
            and ids.size
            and all_min(ids, axis=None) >= 0
            and all_max(ids, axis=None) < w.shape[0]
        ):
            return w.take(ids, axis=0)
        return generic_emb["_embedding"](w, ids, padding_idx=padding_idx)

    add_at = np.add.at

    def embedding_backward(g: Any, ids: Any, /, *, num_weights: int, padding_idx: Any) -> Any:
        # zeros with the gradient's rows added at their ids by np.add.at (in the dtype, in
        # order, as PyTorch's), then the padding row zeroed
        if type(g) is not ndarray or type(ids) is not ndarray:
            return generic_emb["_embedding_backward"](
                g, ids, num_weights=num_weights, padding_idx=padding_idx
            )
        d = g.shape[-1]
        z = np.zeros((num_weights, d), g.dtype)
        add_at(z, ids.reshape(-1), g.reshape(-1, d))
        if padding_idx is not None:
            z[padding_idx] = 0
        return z

    generic_scatter = generic_scatter_add(BACKEND)

    def scatter_add(g: Any, key: Any, shape: tuple[int, ...]) -> Any:
        # the adjoint of indexing by integer arrays (d2l's y_hat[range(n), y]): zeros with g
        # added at key by np.add.at, generic_scatter_add's host path without its dtype tests
        # by name and its host round trip; any other key as generic_scatter_add
        for k in key if key.__class__ is tuple else (key,):
            if k.__class__ is ndarray and k.dtype.kind in "iu":
                z = np.zeros(shape, dtype=g.dtype)
                add_at(z, key, g)
                return z
        return generic_scatter(g, key, shape)

    # sum: np.add.reduce is what np.sum calls (with the same axis/dtype/keepdims keywords);
    # relu: maximum(0, x) with no Python frame (a partial; with the 0 first, relu(-0.0) is
    # -0.0, as PyTorch's relu gives)
    # pow: the ** operator, whose NumPy implementation squares for an exponent of 2 (what
    # np.power(x, 2) gives, ~2x as fast) and otherwise is np.power
    conformant_where = xp.where
    # a float's dtype -> the integer of its bits, for where's selection by bits
    bits_of: dict[Any, Any] = {
        np.dtype("float32"): np.dtype("int32"),
        np.dtype("float64"): np.dtype("int64"),
    }
    bitwise_and: Any = np.bitwise_and
    bitwise_or, invert = np.bitwise_or, np.invert
    i8 = np.dtype(np.int8)

    def select(condition: Any, x1: Any, x2: Any, /) -> Any:
        # NumPy's where branches on every element: on a random mask (leaky_relu's x > 0, its
        # gradient's) 250 us for 65,536 float32, against 46 us selecting the bits with the
        # mask widened to all ones or zeros (97 us in float64); the same bits, NaNs and signed
        # zeros included. For arrays of one shape and float dtype, from 8,192 elements
        # (below that NumPy's is as fast).
        if (
            type(x1) is ndarray
            and type(x2) is ndarray
            and type(condition) is ndarray
            and x1.size >= 8192
            and condition.dtype is b1
            and x1.dtype is x2.dtype
            and x1.shape == x2.shape == condition.shape
        ):
            i = bits_of.get(x1.dtype)
            if i is not None:
                # the mask as -1 or 0 in int8 (all ones or zeros once widened, by sign: a
                # mask of the float's width is slower to make than the mixed-width ANDs)
                m = np.negative(condition, dtype=i8)
                r: Any = bitwise_and(x1.view(i), m, casting="unsafe")
                invert(m, out=m)
                bitwise_or(r, bitwise_and(x2.view(i), m, casting="unsafe"), out=r)
                return r.view(x1.dtype)
        return conformant_where(condition, x1, x2)

    errstate, empty_like, reciprocal = np.errstate, _undispatched(np.empty_like), np.reciprocal
    negative = np.negative
    special_expit: list[Any] = []  # (SciPy's or the formula, made on first use)

    def scipy_expit(x: Any) -> Any:
        if not special_expit:
            from ._special import special_function

            special_expit.append(special_function(BACKEND, "expit"))
        return special_expit[0](x)

    def expit(x: Any, /) -> Any:
        # 1 / (1 + exp(-x)), as PyTorch's sigmoid, in place in one new array: 65 us for
        # 75,264 float32 against SciPy's expit's 230 us (what special.expit otherwise calls).
        # exp(-x) overflows to inf for x below about -88 (float32), and 1 / inf is the 0 the
        # function rounds to there; +-inf and NaN give 0, 1 and NaN.
        if type(x) is not ndarray or x.dtype not in floats:
            return scipy_expit(x)
        e = empty_like(x)  # (an array even for a 0-d x, where negative would give a scalar)
        negative(x, out=e)
        with errstate(over="ignore"):
            exp(e, out=e)
        e += 1
        return reciprocal(e, out=e)

    def filled(name: str) -> Any:
        # zeros, ones, empty, full: NumPy's own without array-api-compat's wrapper, which only
        # checks the device (1.9 -> 0.9 us for pt.zeros(64, 10))
        own, conformant = getattr(np, name), getattr(xp, name)

        def fn(shape: Any, *fill: Any, dtype: Any = None, device: Any = None) -> Any:
            if device is None:
                return own(shape, *fill, dtype=dtype)
            return conformant(shape, *fill, dtype=dtype, device=device)

        fn.__name__ = name
        return fn

    return {
        "zeros": filled("zeros"),
        "ones": filled("ones"),
        "empty": filled("empty"),
        "full": filled("full"),
        "relu": functools.partial(np.maximum, 0),
        "pow": operator.pow,
        "matmul": np.matmul,
        "matrix_transpose": matrix_transpose,
        "permute_dims": permute_dims,
        "reshape": reshape,
        "take_along_axis": take_along_axis,
        "astype": astype,
        "where": select,
        "concat": concat,
        "stack": stack,
        "unstack": unstack,
        "expand_dims": expand_dims,
        "ones_like": ones_like,
        "broadcast_to": broadcast_to,
        "sum": np.add.reduce,
        "mean": mean,
        # max, min, argmax, argmin: what np.max and x.argmax call, without np.max's Python
        "max": max_reduce,
        "min": min_reduce,
        "argmax": argmax,
        "argmin": argmin,
        "_matmul_nt": matmul_nt,
        "_matmul_tn": matmul_tn,
        "_relu_backward": relu_backward,
        "_mask_grad": mask_grad,
        "_strong_zero": strong_zero,
        "_log_softmax": log_softmax,
        "_softmax": softmax,
        "special.expit": expit,
        "_layer_norm": layer_norm,
        "_check_index": check_index,
        "_nll_loss": nll_loss,
        "_gelu": gelu,
        "_gelu_backward": gelu_backward,
        "_nll_loss_backward": nll_loss_backward,
        "_cross_entropy": cross_entropy,
        "_embedding": embedding,
        "_scatter_add": scatter_add,
        "_extreme_indices": extreme_indices,
        "_cumulative_extreme": cumulative_extreme,
        "_logcumsumexp": logcumsumexp,
        "_embedding_backward": embedding_backward,
        "_cross_entropy_backward": cross_entropy_backward,
    }


_NONE = type(None)


def _gelu_kernels(np: Any, floats: Any, generic: dict[str, Any]) -> tuple[Any, Any]:
    """``_gelu`` and ``_gelu_backward`` for float32 and float64 arrays, PyTorch's formulas
    computed in place in one or two new arrays (the composite's ops make a new array each):
    generic_gelu's values, to rounding. SciPy's erf for the exact GELU, looked up at its first
    call; without SciPy, and for other inputs, generic_gelu (which names the extra)."""
    ndarray, empty_like, multiply = np.ndarray, _undispatched(np.empty_like), np.multiply
    tanh, exp = np.tanh, np.exp
    sqrt_half, inv_sqrt_2pi = math.sqrt(0.5), 1.0 / math.sqrt(2.0 * math.pi)
    beta, kappa = math.sqrt(2.0 / math.pi), 0.044715
    erfs: list[Any] = []

    def erf() -> Any:
        if not erfs:
            from ._special import _scipy

            erfs.append(_scipy("erf"))
        return erfs[0]

    def plain(x: Any, approximate: str) -> bool:
        # an ndarray of float32 or float64, and SciPy's erf where the exact GELU needs it
        return (
            type(x) is ndarray
            and x.dtype in floats
            and (approximate == "tanh" or erf() is not None)
        )

    def tanh_inner(t: Any, x: Any) -> Any:
        # tanh(beta (x + kappa x**3)), written over t, which holds x**3
        t *= kappa
        t += x
        t *= beta
        return tanh(t, out=t)

    def gelu(x: Any, /, *, approximate: str, keep: Any = None) -> Any:
        if not plain(x, approximate):
            return generic["_gelu"](x, approximate=approximate)
        if approximate == "tanh":
            t = multiply(x, x, out=empty_like(x))
            t *= x
            tanh_inner(t, x)
        else:
            t = multiply(x, sqrt_half, out=empty_like(x))
            erf()(t, out=t)
            if keep is not None:  # the CDF, kept for the backward; the result a new array
                t += 1.0
                t *= 0.5
                keep.append(t)
                return multiply(t, x)
        t += 1.0
        t *= x
        t *= 0.5
        return t

    def gelu_backward(g: Any, x: Any, /, *, approximate: str, cdf: Any = None) -> Any:
        if (
            not plain(x, approximate)
            or type(g) is not ndarray
            or g.dtype != x.dtype
            or g.shape != x.shape
        ):
            return generic["_gelu_backward"](g, x, approximate=approximate, cdf=cdf)
        if approximate == "tanh":
            x2 = multiply(x, x, out=empty_like(x))
            t = tanh_inner(multiply(x2, x, out=empty_like(x)), x)
            x2 *= 3.0 * kappa  # the inner function's derivative, beta (1 + 3 kappa x**2)
            x2 += 1.0
            x2 *= beta
            d = multiply(t, t, out=empty_like(x))  # 0.5 x (1 - t**2) times it
            np.subtract(1.0, d, out=d)
            d *= x
            d *= 0.5
            d *= x2
            t += 1.0  # plus 0.5 (1 + t)
            t *= 0.5
            t += d
        else:
            if type(cdf) is ndarray and cdf.dtype == x.dtype and cdf.shape == x.shape:
                t = cdf  # (the forward's, which nothing else holds: written in place)
            else:  # the CDF, (1 + erf(x / sqrt 2)) / 2
                t = multiply(x, sqrt_half, out=empty_like(x))
                erf()(t, out=t)
                t += 1.0
                t *= 0.5
            p = multiply(x, x, out=empty_like(x))  # plus x times the density
            p *= -0.5
            exp(p, out=p)
            p *= inv_sqrt_2pi
            p *= x
            t += p
        t *= g
        return t

    return gelu, gelu_backward


def _fast_clip(conformant: Any) -> Any:
    """array-api-compat's clip casts its bounds to the input dtype first (~8 us); for real
    floating arrays with Python-number bounds, NumPy's maximum/minimum give the same result,
    NaN included, in a fraction of that."""
    import numpy as np

    f32, f64 = np.dtype(np.float32), np.dtype(np.float64)
    maximum, minimum = np.maximum, np.minimum
    # a 0-d zero per dtype: NumPy takes the maximum with it without converting a Python 0
    # (3,000 instructions less per call); +0 only (a bound of -0.0 gives -0.0 below it)
    zeros = {d: np.zeros((), d) for d in (f32, f64)}
    for z in zeros.values():
        z.flags.writeable = False

    def clip(x: Any, /, min: Any = None, max: Any = None) -> Any:
        d = x.dtype  # (identity: NumPy's native float dtypes are singletons; others convert)
        if d is f32 or d is f64:
            lo, hi = min.__class__, max.__class__
            if hi is _NONE:
                if lo is int and min == 0:  # clamp(min=0): the tutorials' ReLU
                    return maximum(x, zeros[d])
                if lo is float or lo is int:
                    return maximum(x, min)
            elif lo is _NONE:
                if hi is float or hi is int:
                    return minimum(x, max)
            elif (lo is float or lo is int) and (hi is float or hi is int):
                return minimum(maximum(x, min), max)
        return conformant(x, min=min, max=max)

    return clip


def _as_array(value: Any) -> Any:
    # NumPy ufuncs return NumPy scalars for 0-d inputs; the standard wants 0-d arrays.
    # (Replaced by numpy.asarray itself when the backend loads.)
    import numpy as np

    return np.asarray(value)


def _scalar_array(fn: Any, value: Any, dtype: Any) -> Any:
    """A read-only 0-d array of Python scalar ``value`` in ``dtype`` for ufunc ``fn``; None
    for another function (``operator.pow``, whose ``**`` squares for the scalar 2 and would call
    the slower ``power`` for an array, or a Python function) and when converting ``value``
    overflows, underflows or fails (``fn`` then gets the scalar and says so itself).

    A ufunc converts a Python scalar operand on every call (``x * 0.9`` on 8 float64 takes
    360 ns against 240 with a 0-d array), and converts it to the array's dtype as this does
    (NumPy 2's rules for Python scalars), so the results and their dtypes are the same.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends.numpy import _scalar_array
    >>> _scalar_array(np.multiply, 0.5, np.dtype("float32"))
    array(0.5, dtype=float32)
    >>> _scalar_array(np.add, 300, np.dtype("int8")) is None
    True
    >>> _scalar_array(pow, 2, np.dtype("float32")) is None
    True
    """
    import numpy as np

    if fn.__class__ is not np.ufunc:
        return None
    try:
        with np.errstate(all="raise"):
            a = np.asarray(value, dtype=dtype)
    except (OverflowError, FloatingPointError, ValueError, TypeError):
        return None
    a.flags.writeable = False
    return a


def _from_numpy(backend: Backend, array: Any, device: Any) -> Any:
    return array  # shares memory: pt.from_numpy(a) and t.numpy() are views of one buffer


def _to_numpy(array: Any) -> Any:
    return array


_OVERRIDES: dict[str, Any] = {}
_ERRSTATE: list[Any] = []  # (_errstate_parts(), once NumPy is loaded)


def _quiet_float_errors() -> Any:
    """NumPy's floating-point warnings off in this context, and the function that turns them
    back on (``Backend.quiet_float_errors``): NumPy's ``errstate(all="ignore")``, entered
    without its Python class where NumPy's context variable is found (a tenth of the cost)."""
    if _ERRSTATE:
        set_, make, reset = _ERRSTATE
        return functools.partial(reset, set_(make(all="ignore")))
    import numpy as np

    state = np.errstate(all="ignore")
    state.__enter__()
    return functools.partial(state.__exit__, None, None, None)


def _errstate_parts() -> tuple[Any, ...]:
    """``(set, make, reset)`` of NumPy's floating-point error state, or () where NumPy keeps
    it elsewhere (``errstate`` is then entered as it is)."""
    try:
        from numpy._core._ufunc_config import _extobj_contextvar  # type: ignore[attr-defined]
        from numpy._core.umath import _make_extobj
    except ImportError:  # pragma: no cover - another NumPy's layout
        return ()
    return (_extobj_contextvar.set, _make_extobj, _extobj_contextvar.reset)


def _inplace_ufuncs() -> dict[str, Any]:
    import numpy as np

    return {"add": np.add, "subtract": np.subtract, "multiply": np.multiply}


def _out_ufuncs() -> Any:
    import types

    import numpy as np

    names = ("add", "subtract", "multiply", "divide", "sqrt", "maximum", "negative")
    return types.SimpleNamespace(**{n: getattr(np, n) for n in names})


def _ndarray_copy() -> Any:
    import numpy as np

    return np.ndarray.copy


def _owns_data(a: Any) -> bool:
    return a.base is None and a.flags.writeable


_ZERO_BYTES = bytes(64)  # (immutable: the arrays over it are read-only)


def _zeros_view(shape: tuple[int, ...], dtype: Any) -> Any:
    import numpy as np

    # zero strides over a few zero bytes, not an ndarray: NumPy then makes every view of the
    # result a view of it (its base), so a reference count of the result sees them all
    cell = _ZERO_BYTES if dtype.itemsize <= len(_ZERO_BYTES) else bytes(dtype.itemsize)
    return np.ndarray(shape, dtype, cell, 0, (0,) * len(shape))


def _diagonal_view(a: Any, offset: int, axis1: int, axis2: int) -> Any:
    """``np.diagonal(a, offset, axis1, axis2)`` as a view of ``a``'s memory that may be
    written where ``a`` may be (NumPy's own is read-only); None for an array that is not a
    plain ndarray."""
    import numpy as np

    if type(a) is not np.ndarray:
        return None
    n1, n2 = a.shape[axis1], a.shape[axis2]
    first = [0] * a.ndim  # (the diagonal's first element)
    if offset >= 0:
        length = min(n1, n2 - offset)
        first[axis2] = offset
    else:
        length = min(n1 + offset, n2)
        first[axis1] = -offset
    others = [i for i in range(a.ndim) if i not in (axis1, axis2)]
    if length <= 0:  # (no element: at a's first, as PyTorch's, with the diagonal's strides)
        length = 0
        first = [0] * a.ndim
    start = a[tuple(slice(f, None) for f in first)]
    shape = (*(a.shape[i] for i in others), length)
    strides = (*(a.strides[i] for i in others), a.strides[axis1] + a.strides[axis2])
    return _over_root(start, shape, strides, bool(a.flags.writeable))


def _unfold_view(a: Any, axis: int, size: int, step: int) -> Any:
    """PyTorch's ``x.unfold(axis, size, step)`` of ``a`` as a view of its memory (NumPy's
    ``sliding_window_view`` by strides), which may be written where ``a`` may be and the
    windows do not overlap (``step >= size``); None for an array that is not a plain
    ndarray."""
    import numpy as np

    if type(a) is not np.ndarray:
        return None
    windows = (a.shape[axis] - size) // step + 1
    shape = (*a.shape[:axis], windows, *a.shape[axis + 1 :], size)
    s = a.strides[axis]
    strides = (*a.strides[:axis], s * step, *a.strides[axis + 1 :], s)
    return _over_root(a, shape, strides, bool(a.flags.writeable) and step >= size)


def _over_root(start: Any, shape: tuple[int, ...], strides: tuple[int, ...], writes: bool) -> Any:
    """A view of ``shape`` and ``strides`` (bytes) from ``start``'s first element, made over
    the buffer of the array that owns ``start``'s memory (``base_root``) where that one is
    C-contiguous, so that the view's ``.base`` is that array and its offset in it can be told
    (``strided_layout``: ``x.diagonal(1).storage_offset()`` is PyTorch's 1, where
    ``as_strided``'s view hides the array it views); ``as_strided`` otherwise. Written where
    ``writes`` says."""
    import numpy as np
    from numpy.lib.stride_tricks import as_strided

    root = base_root(start)
    if type(root) is np.ndarray and root.flags.c_contiguous and root.size:
        at = int(start.__array_interface__["data"][0]) - int(root.__array_interface__["data"][0])
        try:
            view = np.ndarray(shape, start.dtype, root, at, strides)
        except (TypeError, ValueError):  # (outside the buffer: NumPy's own check says so)
            view = None
        if view is not None:
            if not writes:
                view.flags.writeable = False
            return view
    return as_strided(start, shape, strides, writeable=writes)


def _strided_view(
    a: Any, shape: tuple[int, ...], strides: tuple[int, ...] | None, offset: int
) -> Any:
    """A view of ``a``'s memory of ``shape``, with ``strides`` and ``offset`` counted in
    elements from ``a``'s first one (NumPy's ``as_strided`` takes bytes; ``strides`` None:
    ``a`` broadcast to ``shape``), that may be written where ``a`` may be; None for an array
    that is not a plain ndarray, an offset into one that is not C-contiguous (whose elements'
    order in memory is not its own), or a shape ``a`` does not broadcast to."""
    import numpy as np
    from numpy.lib.stride_tricks import as_strided

    if type(a) is not np.ndarray:
        return None
    if strides is None:  # (a broadcast to shape: a's own strides, 0 where it repeats)
        lead = len(shape) - a.ndim
        if lead < 0 or any(n not in (1, m) for n, m in zip(a.shape, shape[lead:], strict=True)):
            return None
        steps = (0,) * lead + tuple(
            0 if n != m else s for n, m, s in zip(a.shape, shape[lead:], a.strides, strict=True)
        )
        return (
            np.ndarray(shape, a.dtype, a, 0, steps)
            if a.flags.c_contiguous
            else (as_strided(a, shape, steps, writeable=bool(a.flags.writeable)))
        )
    if 0 in shape:  # (no element: nothing shared, an empty array that takes writes)
        return np.empty(shape, a.dtype)
    size = a.itemsize
    steps = tuple(s * size for s in strides)
    if a.flags.c_contiguous:  # (over a's buffer, its bounds checked: ten times as_strided's speed)
        return np.ndarray(shape, a.dtype, a, offset * size, steps)
    if offset:
        return None
    return as_strided(a, shape, steps, writeable=bool(a.flags.writeable))


def _masking_by_bits() -> Any:
    """``by_bits(a, mask, keep, out)``: ``a`` with +0.0 where the boolean array ``mask`` is
    True (``keep``: where it is False), written into ``a`` with ``out``; None where ``a`` does
    not go by bits (not a real floating array of at least 1,024 elements), for NumPy's own
    ``a[mask] = 0`` or ``where`` instead.

    +0.0 is all zero bits, so this is an AND of each element's bits with all zeros or all ones,
    exact for every value (NaN payloads, inf and -0.0 kept where kept). NumPy's boolean
    assignment and ``where`` branch on every element: on a random mask (ReLU's, True about half
    the time) they are slower than these two passes from ~1,000 elements on, ~3x at 64x100 and
    ~15x at 256x1024 (``bench/README.md``).
    """
    import numpy as np

    # each real floating dtype -> the signed integer of its width, whose views hold its bits
    bits = {np.dtype(f): np.dtype(i) for f, i in (("e", "i2"), ("f", "i4"), ("d", "i8"))}
    one, i8 = np.int8(1), np.dtype(np.int8)
    negative, subtract, bitwise_and = np.negative, np.subtract, np.bitwise_and

    def by_bits(a: Any, mask: Any, keep: bool = False, out: bool = False) -> Any:
        i = bits.get(a.dtype)
        if i is None or a.size < _BY_BITS_FROM:
            return None
        v = a.view(i)  # (the itemsize is the same)
        # the mask as 0 or 1 (cast, not viewed: a boolean's byte may be any nonzero value,
        # which NumPy reads as True), made -1 (all ones once widened, by sign) or 0
        m = negative(mask, dtype=i8) if keep else subtract(mask, one, dtype=i8)
        return bitwise_and(v, m, out=v if out else None, casting="unsafe").view(a.dtype)

    return by_bits


_BY_BITS_FROM = 1024  # (by_bits's least size: below it, NumPy's own assignment is faster)
_BY_BITS = _masking_by_bits()


def _zero_where(a: Any, mask: Any) -> None:
    if a.size >= _BY_BITS_FROM:  # (a small array, the tutorials' tiny ReLU: no flags to read)
        flags = a.flags
        if (
            flags.writeable  # (else NumPy's own assignment gives its error)
            # neither C- nor F-ordered: elements may share memory (as_strided), where the order
            # of the writes decides
            and (flags.c_contiguous or flags.f_contiguous)
            and _BY_BITS(a, mask, out=True) is not None
        ):
            return
    a[mask] = 0


BACKEND = Backend(
    "numpy",
    _load,
    overrides=_OVERRIDES,
    capabilities=Capabilities(shares_host_memory=True, bit_views=True),
    transfer=Transfer(
        to_numpy=_to_numpy,
        from_numpy=_from_numpy,
        device_of=lambda a: "cpu",
        as_array=_as_array,
        scalar_array=_scalar_array,
    ),
    # (ndarray.copy: a C-ordered copy, made in C)
    writes=Writes(
        inplace=_inplace_ufuncs(),
        owns_data=_owns_data,
        copy=_ndarray_copy(),
        zeros_view=_zeros_view,
        zero_where=_zero_where,
        ufuncs=_out_ufuncs(),
        # (a quarter of a core's 1-2 MiB L2: a block of each of an update's four or five
        # arrays stays in it; bench/optim_step.py)
        block_bytes=1 << 18,
        memory_root=base_root,
        windows=_windows,
        layers=_layers,
        c_contiguous=flags_c_contiguous,
        layout=strided_layout,
        diagonal_view=_diagonal_view,
        unfold_view=_unfold_view,
        strided_view=_strided_view,
    ),
)
