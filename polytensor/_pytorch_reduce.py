"""PyTorch's running and order statistics the standard lacks: ``cummax``/``cummin``,
``logcumsumexp``, ``kthvalue``, ``mode``, ``nanmedian``, ``quantile``/``nanquantile``, ``cov``
and ``corrcoef``.

Each is written with the standard's operations, so it differentiates on every backend: the
values of ``cummax``, ``kthvalue`` and ``quantile`` are taken from the input at positions found
without a gradient (``take_along_axis``), so the gradient goes to the elements they name, as
PyTorch's. Running extremes and ``logcumsumexp`` are the backend's scans
(``_cumulative_extreme``, ``_logcumsumexp``: NumPy's ``accumulate``, Dask's per-block
``cumreduction``, a scan by doubling elsewhere).
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, cast

from . import _config, _tape
from . import _dtypes as dt
from ._checks import DataValueError, check_int, describe
from ._inplace import assign_inplace
from ._ops._registry import _into
from ._ops.creation import asarray, full, zeros
from ._ops.data_types import astype, result_type
from ._ops.elementwise import (
    ceil,
    clip,
    exp,
    floor,
    isnan,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    real,
    round,
    sqrt,
)
from ._ops.indexing import check_range, take_along_axis
from ._ops.manipulation import broadcast_to, concat, expand_dims, moveaxis, reshape, squeeze
from ._ops.searching import argmax, where
from ._ops.sorting import argsort
from ._ops.statistical import _cumulative_extreme, _logcumsumexp, cumulative_sum
from ._ops.statistical import any as _any
from ._ops.statistical import sum as _sum
from ._pytorch import ValuesIndices, _median_of_nothing, _shared_by_ties
from ._pytorch_more import _tensor_arg
from ._shapes import check_dim
from ._tensor_base import TensorBase

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "corrcoef",
    "cov",
    "cummax",
    "cummin",
    "kthvalue",
    "logcumsumexp",
    "mode",
    "nanmedian",
    "nanquantile",
    "quantile",
]

_INTEGERS = ("signed integer", "unsigned integer")


def _length(where: str, x: Tensor, d: int) -> int:
    n = x.shape[d]
    if n is None or (isinstance(n, float) and math.isnan(n)):
        raise ValueError(
            f"{where}(): dimension {d} has a length unknown until computed (after a boolean "
            f"mask, on Dask); compute it first with pt.compute(x)"
        )
    return int(n)


def _positions(x: Tensor, d: int) -> Tensor:
    """0, 1, ..., n - 1 along dimension ``d`` of a non-empty ``x``, as an int64 vector split as
    ``x`` is along ``d`` (Dask's chunks: an index of other chunks would re-split what it
    takes): the running count of a line of ``x``'s elements."""
    line = x.detach()[tuple(slice(None) if i == d else 0 for i in range(x.ndim))]
    ones = astype(logical_or(isnan(line), True), dt.int64)  # (ones_like takes the options' chunks)
    return cumulative_sum(ones, axis=0) - 1


# -- running extremes -----------------------------------------------------------------------------
def _running_extreme(name: str, input: Any, dim: Any) -> ValuesIndices:
    x = _tensor_arg(name, "input", input)
    if dim is None:
        raise TypeError(f'{name}() missing 1 required positional argument: "dim"')
    if x.ndim == 0:
        check_dim(name, dim, 0)
        copy = astype(x, x.dtype, copy=True)
        return ValuesIndices(copy, asarray(0, dtype=dt.int64, device=x.device))
    if x.dtype.kind == "complex floating":
        raise TypeError(f"{name}() expects a real or boolean tensor; got {x.dtype.name}")
    d = check_dim(name, dim, x.ndim)
    n = _length(name, x, d)
    key = x.detach()
    if key.dtype is dt.bool:  # (True above False, as PyTorch's)
        key = astype(key, dt.uint8)
    largest = name == "cummax"
    running = _cumulative_extreme(key, axis=d, largest=largest)
    # PyTorch's index: the last place at or before i where a running >= (<=) let the element
    # in, that is where the element equals the running extreme; a NaN always passes
    hit = key == running
    if key.dtype.kind == "real floating":
        hit = logical_or(hit, isnan(key))
    shape = [1] * x.ndim
    shape[d] = n
    empty = zeros(tuple(shape), dtype=dt.int64, device=x.device)
    positions = reshape(_positions(key, d), tuple(shape)) if x.size else empty
    index = _cumulative_extreme(where(hit, positions, -1), axis=d, largest=True)
    if x._backend.lazy and not (_tape.requires_grad(x) and _config.GRAD_ENABLED.get()):
        # (the running extremes are the values: no take is needed without a gradient)
        return ValuesIndices(astype(running, x.dtype), index)
    values = take_along_axis(x, index, axis=d)
    return ValuesIndices(_tape.name_node(values, f"{name.capitalize()}Backward0"), index)


def _into_pair(where: str, out: Any, r: ValuesIndices) -> ValuesIndices:
    """``r`` itself, or written into ``out``, PyTorch's ``out=(values, indices)``, which is
    returned as the named tuple."""
    if out is None:
        return r
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError(
            f"{where}() expects out to be a tuple of two tensors (values, indices); got "
            f"{type(out).__name__}"
        )
    return ValuesIndices(_into(out[0], r.values, where), _into(out[1], r.indices, where))


def cummax(input: Tensor, dim: int, *, out: Any = None) -> ValuesIndices:
    """The running maximum along ``dim`` and where each is, as ``torch.cummax`` (and
    ``x.cummax(dim)``): a named tuple ``(values, indices)``. Of equal elements the later one's
    index, and a NaN, once met, stays the maximum, as PyTorch's. The gradient goes to the
    elements the indices name.

    Examples
    --------
    >>> import polytensor as pt
    >>> values, indices = pt.cummax(pt.asarray([1.0, 3.0, 2.0, 5.0]), dim=0)
    >>> values.tolist(), indices.tolist()
    ([1.0, 3.0, 3.0, 5.0], [0, 1, 1, 3])
    """
    return _into_pair("cummax", out, _running_extreme("cummax", input, dim))


def cummin(input: Tensor, dim: int, *, out: Any = None) -> ValuesIndices:
    """The running minimum along ``dim`` and where each is, as ``torch.cummin`` (and
    ``x.cummin(dim)``): a named tuple ``(values, indices)``, with PyTorch's ties (the later
    element) and NaN (kept once met); the gradient goes to the elements the indices name.

    Examples
    --------
    >>> import polytensor as pt
    >>> values, indices = pt.cummin(pt.asarray([3.0, 1.0, 2.0, 1.0]), 0)
    >>> values.tolist(), indices.tolist()
    ([3.0, 1.0, 1.0, 1.0], [0, 1, 1, 3])
    """
    return _into_pair("cummin", out, _running_extreme("cummin", input, dim))


def logcumsumexp(input: Tensor, dim: int, *, out: Any = None) -> Tensor:
    """``log(cumsum(exp(x)))`` along ``dim`` without overflow or underflow, as
    ``torch.logcumsumexp`` (and ``x.logcumsumexp(dim)``), of real or complex floating-point
    tensors. Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.logcumsumexp(pt.asarray([0.0, 0.0, 0.0, 0.0]), 0)
    tensor([0.       , 0.6931472, 1.0986123, 1.3862944], backend='numpy')
    """
    r = _logcumsumexp_of(input, dim)
    return r if out is None else _into(out, r, "logcumsumexp")


def _logcumsumexp_of(input: Any, dim: Any) -> Tensor:
    x = _tensor_arg("logcumsumexp", "input", input)
    complex_ = x.dtype.kind == "complex floating"
    if x.dtype.kind != "real floating" and not complex_:
        raise dt.DtypeNotImplementedError(
            f"logcumsumexp() expects a floating-point tensor; got {x.dtype.name}; cast with "
            f"x.double()"
        )
    if x.ndim == 0:
        check_dim("logcumsumexp", dim, 0)
        return x * 1
    d = check_dim("logcumsumexp", dim, x.ndim)
    _length("logcumsumexp", x, d)
    return _complex_logcumsumexp(x, d) if complex_ else _logcumsumexp(x, axis=d)


def _complex_logcumsumexp(x: Tensor, axis: int) -> Tensor:
    """``logcumsumexp`` of a complex tensor along ``axis``: a scan by doubling (Hillis-Steele)
    of PyTorch's complex logaddexp, written with differentiable ops (the gradient is the
    composition's: complex tensors are rare here, and the backends' scans are real)."""
    n = cast(int, x.shape[axis])
    shift = 1
    while shift < n:
        head = list(x.shape)
        head[axis] = shift
        keep = [slice(None)] * x.ndim
        keep[axis] = slice(0, n - shift)
        nothing = full(tuple(head), -math.inf, dtype=x.dtype, device=x.device)
        x = _complex_logaddexp(x, concat([nothing, x[tuple(keep)]], axis=axis))
        shift *= 2
    return x


def _complex_logaddexp(a: Tensor, b: Tensor) -> Tensor:
    """``log(exp(a) + exp(b))`` of complex tensors, as PyTorch's: the operand of the larger
    real part plus ``log1p(exp(smaller - larger))``; that operand itself where both real
    parts are -inf (the difference would be NaN; it is kept out of the gradient too)."""
    first = real(a) >= real(b)
    big = where(first, a, b)
    finite = real(big) > -math.inf
    gap = where(finite, where(first, b, a), 0.0) - where(finite, big, 0.0)
    return where(finite, big + log1p(exp(gap)), big)


# -- order statistics -----------------------------------------------------------------------------
def kthvalue(
    input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, out: Any = None
) -> ValuesIndices:
    """The ``k``-th smallest element (``k`` from 1) along ``dim`` and its index, as
    ``torch.kthvalue`` (and ``x.kthvalue(k, dim)``): a named tuple ``(values, indices)``; NaN
    counts as larger than every number. The gradient goes to the element the index names.

    Note: of equal elements, the index is the first one's in a stable sort; PyTorch's CPU
    selection may name another of them.

    Examples
    --------
    >>> import polytensor as pt
    >>> values, indices = pt.kthvalue(pt.asarray([3.0, 1.0, 4.0, 2.0]), 2)
    >>> values.item(), indices.item()
    (2.0, 3)
    """
    return _into_pair("kthvalue", out, _kthvalue(input, k, dim, keepdim))


def _kthvalue(input: Any, k: Any, dim: Any, keepdim: Any) -> ValuesIndices:
    x = _tensor_arg("kthvalue", "input", input)
    k = check_int("kthvalue", "k", k)
    if not isinstance(keepdim, bool):
        raise TypeError(f"kthvalue() expects a bool keepdim; got {keepdim!r}")
    d = check_dim("kthvalue", dim, x.ndim)
    if x.ndim == 0 and k == 1:  # (the element itself, whatever its dtype, as PyTorch's)
        copy = astype(x, x.dtype, copy=True)
        return ValuesIndices(copy, asarray(0, dtype=dt.int64, device=x.device))
    if x.dtype is dt.bool or x.dtype.kind == "complex floating":
        raise TypeError(f"kthvalue() expects a real numeric tensor; got {x.dtype.name}")
    flat = reshape(x, (1,)) if x.ndim == 0 else x
    n = _length("kthvalue", flat, d)
    if not 1 <= k <= n:
        raise IndexError(
            f"kthvalue(): selected number k out of range for dimension {d}: k={k}, but the "
            f"dimension has {n} elements; pass 1 <= k <= {n}"
        )
    order = argsort(flat.detach(), axis=d, stable=True)  # (NaN last)
    index = order[(slice(None),) * d + (slice(k - 1, k),)]
    values = take_along_axis(flat, index, axis=d)
    if not keepdim:
        values, index = squeeze(values, axis=d), squeeze(index, axis=d)
    return ValuesIndices(_tape.name_node(values, "KthvalueBackward0"), index)


_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(
    name: str, input: Any, q: Any, dim: Any, keepdim: Any, interpolation: Any, skip_nan: bool
) -> Tensor:
    x = _tensor_arg(name, "input", input)
    if x.dtype not in (dt.float32, dt.float64):
        raise TypeError(
            f"{name}() input tensor must be either float or double dtype; got {x.dtype.name}; "
            f"cast with x.double()"
        )
    if not isinstance(keepdim, bool):
        raise TypeError(f"{name}() expects a bool keepdim; got {keepdim!r}")
    if not isinstance(interpolation, str):
        raise TypeError(
            f"{name}() expects interpolation to be a string (linear, lower, higher, midpoint "
            f"or nearest); got {describe(interpolation)}"
        )
    if interpolation not in _MODES:
        raise ValueError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest. Found '{interpolation}'"
        )
    if isinstance(q, TensorBase):
        q = _tensor_arg(name, "q", q)
        if q.dtype is not x.dtype:
            raise TypeError(
                f"{name}() q tensor must be same dtype as the input tensor; got "
                f"{q.dtype.name} and {x.dtype.name}; cast q with q.to(x.dtype)"
            )
        if q.ndim > 1:
            raise ValueError(f"{name}() q must be a scalar or 1D tensor; got {q.ndim} dimensions")
        # (eagerly, or on a lazy backend inside the graph: refused when computed)
        q = check_range(q, low=0, high=1, message=f"{name}() q values must be in the range [0, 1]")
        # (linear interpolation differentiates in q, through the weights, as PyTorch's)
        qs = reshape(q if interpolation == "linear" else q.detach(), (-1,))
        q_dims = q.ndim
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        if not 0 <= q <= 1:  # (the class of a tensor q's refusal, and PyTorch's RuntimeError)
            raise DataValueError(f"{name}() q must be in the range [0, 1] but got {q}")
        qs, q_dims = asarray([float(q)], dtype=x.dtype, device=x.device), 0
    else:
        raise TypeError(f"{name}() expects q to be a float or a tensor; got {type(q).__name__}")
    if x.size == 0:
        raise ValueError(f"{name}() input tensor must be non-empty")
    if dim is None:
        work, d = reshape(x, (-1,)), None
    else:
        d = check_dim(name, dim, x.ndim)
        work = moveaxis(x, d, -1) if x.ndim else reshape(x, (1,))
    n = _length(name, work, work.ndim - 1)
    order = argsort(work.detach(), axis=-1, stable=True)  # (NaN last)
    nq = int(qs.shape[0])  # type: ignore[arg-type]
    lead = tuple(work.shape[:-1])
    bad = isnan(work.detach())
    if skip_nan:  # (of the numbers alone; all NaN: rank 0, a NaN)
        count = _sum(astype(logical_not(bad), x.dtype), axis=-1, keepdims=True)
        ranks = clip(qs * (count - 1), min=0.0)
    else:  # (a NaN anywhere: the last rank, a NaN)
        ranks = where(_any(bad, axis=-1, keepdims=True), float(n - 1), qs * (n - 1))
    ranks = broadcast_to(ranks, (*lead, nq))
    if interpolation == "lower":
        ranks = floor(ranks)
    elif interpolation == "higher":
        ranks = ceil(ranks)
    elif interpolation == "nearest":
        ranks = round(ranks)  # (half to even, as PyTorch's)
    below = astype(ranks, dt.int64)
    out = take_along_axis(work, take_along_axis(order, below, axis=-1), axis=-1)
    if interpolation in ("linear", "midpoint"):
        upper = take_along_axis(order, astype(ceil(ranks), dt.int64), axis=-1)
        above = take_along_axis(work, upper, axis=-1)
        w = ranks - astype(below, x.dtype) if interpolation == "linear" else _halves(ranks)
        # PyTorch's lerp: from the nearer end, so that a weight of 1 gives the end exactly
        out = where(w < 0.5, out + w * (above - out), above - (above - out) * (1 - w))
    # out: (*lead, nq) -> q's dimension first, then the reduced shape (its 1 kept at d)
    out = moveaxis(out, -1, 0)
    if keepdim and d is not None and x.ndim:
        out = expand_dims(out, axis=d + 1)
    elif keepdim and d is None:
        out = reshape(out, (nq, *([1] * x.ndim)))
    return out if q_dims else reshape(out, tuple(out.shape[1:]))


def _halves(ranks: Tensor) -> Tensor:
    """Weights of one half in the shape of ``ranks`` (``midpoint``'s)."""
    return full(tuple(ranks.shape), 0.5, dtype=ranks.dtype, device=ranks.device)


def quantile(
    input: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
    out: Any = None,
) -> Tensor:
    """The ``q``-th quantiles along ``dim`` (of all elements without it), as
    ``torch.quantile`` (and ``x.quantile``): ``q`` a float or a 0-d or 1-d tensor in [0, 1]
    (a 1-d ``q`` gives its dimension first); between two elements, ``interpolation`` is
    ``linear``, ``lower``, ``higher``, ``midpoint`` or ``nearest``. A NaN in a slice makes its
    quantiles NaN. Differentiable in ``input`` and, with ``linear`` interpolation, in a tensor
    ``q``, as PyTorch's.

    A ``q`` outside [0, 1] (or NaN) raises ``DataValueError`` (a ``ValueError`` and
    PyTorch's ``RuntimeError``), a float at once, a tensor's values on a lazy backend (Dask)
    when the result is computed.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1.0, 2.0, 3.0, 4.0])
    >>> pt.quantile(x, 0.5)
    tensor(2.5, backend='numpy')
    >>> pt.quantile(x, pt.asarray([0.25, 0.5]), interpolation="lower")
    tensor([1., 2.], backend='numpy')
    """
    r = _quantile("quantile", input, q, dim, keepdim, interpolation, skip_nan=False)
    return r if out is None else _copy_out("quantile", out, r)


def nanquantile(
    input: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
    out: Any = None,
) -> Tensor:
    """``quantile`` of the numbers alone, NaN left out, as ``torch.nanquantile`` (and
    ``x.nanquantile``); a slice of NaN only gives NaN.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.nanquantile(pt.asarray([1.0, float("nan"), 3.0]), 0.5)
    tensor(2., backend='numpy')
    """
    r = _quantile("nanquantile", input, q, dim, keepdim, interpolation, skip_nan=True)
    return r if out is None else _copy_out("nanquantile", out, r)


def _copy_out(where: str, out: Any, r: Tensor) -> Tensor:
    """``r`` copied into ``out`` of its dtype and shape, in the graph (PyTorch's ``quantile``
    with ``out=`` differentiates, where its other functions with ``out=`` refuse)."""
    if not isinstance(out, TensorBase):
        raise TypeError(f"{where}() expects a tensor for out; got {type(out).__name__}")
    if out.dtype is not r.dtype:
        raise RuntimeError(
            f"{where}() out tensor must be of the input's dtype {r.dtype.name}; got "
            f"{out.dtype.name}"
        )
    if tuple(out.shape) != tuple(r.shape):
        raise ValueError(
            f"{where}() with out= got out of shape {tuple(out.shape)} for a result of shape "
            f"{tuple(r.shape)}; give out of the result's shape"
        )
    return assign_inplace(out, r, f"{where}() with out=")


# -- covariance -----------------------------------------------------------------------------------
def _weights(name: str, w: Any, n: int, integral: bool) -> Tensor:
    t = _tensor_arg("cov", name, w)
    if t.ndim > 1:
        raise ValueError(
            f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
            f"{t.ndim} dimensions"
        )
    kind_ok = t.dtype.kind in _INTEGERS if integral else t.dtype.kind == "real floating"
    if not kind_ok:
        want = "integral" if integral else "floating point"
        raise TypeError(
            f"cov(): expected {name} to have {want} dtype but got {name} with {t.dtype.name} dtype"
        )
    m = int(t.shape[0]) if t.ndim else 1  # type: ignore[arg-type]
    if m != n:
        raise ValueError(
            f"cov(): expected {name} to have the same numel as there are observations in the "
            f"input but got {m} != {n}"
        )
    # (eagerly, or on a lazy backend inside the graph: refused when computed)
    return check_range(
        t, low=0, high=None, message=f"cov(): {name} cannot be negative; expected weights >= 0"
    )


_LEAST_POSITIVE = 5e-324  # (the least positive float64, a subnormal)


def cov(
    input: Tensor,
    *,
    correction: int = 1,
    fweights: Tensor | None = None,
    aweights: Tensor | None = None,
) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (a 1-d tensor is one
    variable), their observations in the columns, as ``torch.cov`` (and ``x.cov()``):
    ``correction`` is subtracted from the number of observations (1: unbiased), ``fweights``
    (integers) repeat observations and ``aweights`` (floats) weigh them. Differentiable in
    ``input`` and ``aweights``.

    Negative (or NaN) weights, or weights summing to 0, raise ``DataValueError`` (a
    ``ValueError`` and PyTorch's ``RuntimeError``); on a lazy backend (Dask), when the result
    is computed.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cov(pt.asarray([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
    tensor([[ 1., -1.],
            [-1.,  1.]], backend='numpy')
    """
    x = _tensor_arg("cov", "input", input)
    if x.ndim > 2:
        raise ValueError(
            f"cov(): expected input to have two or fewer dimensions but got an input with "
            f"{x.ndim} dimensions"
        )
    if x.dtype is dt.bool:
        raise TypeError("cov(): bool dtype is not supported for input; cast with x.float()")
    if isinstance(correction, bool) or not isinstance(correction, int):
        raise TypeError(
            f"cov(): argument 'correction' must be int, not {type(correction).__name__}"
        )
    obs = x if x.ndim == 2 else reshape(x, (1, -1))
    n = _length("cov", obs, 1)
    w = None if fweights is None else _weights("fweights", fweights, n, integral=True)
    aw = None if aweights is None else _weights("aweights", aweights, n, integral=False)
    if aw is not None:
        w = aw if w is None else w * aw
    if obs.dtype.kind in _INTEGERS:  # (PyTorch's true division of the sums)
        from . import _config

        obs = astype(obs, _config.DEFAULT_FLOAT.get())
    w_sum: Any
    if w is None:
        w_sum = n
        avg = _sum(obs, axis=1) / n
    else:
        if w.dtype is not obs.dtype and w.dtype.kind == "real floating":
            obs = astype(obs, result_type(obs, w))
        w = reshape(w, (-1,))
        # weights summing to 0 are refused, as PyTorch's (eagerly, or on a lazy backend inside
        # the graph: refused when computed); compared in float64, where the least positive
        # number is not 0
        total = astype(_sum(w), dt.float64)
        positive = check_range(
            total,
            low=_LEAST_POSITIVE,
            high=None,
            message="cov(): weights sum to zero, can't be normalized; give at least one "
            "observation a positive weight",
        )
        w_sum = astype(positive, w.dtype) if positive.dtype is not w.dtype else positive
        avg = _sum(obs * w, axis=1) / w_sum
    if w is not None and aw is not None and correction != 0:
        norm = w_sum - correction * _sum(w * reshape(aw, (-1,))) / w_sum
    else:
        norm = w_sum - correction
    if isinstance(norm, TensorBase):
        norm = _tensor_arg("cov", "weights", norm)
        if not norm._backend.lazy and bool(norm <= 0):
            _few_observations()
        norm = where(norm <= 0, 0.0, norm)
    elif norm <= 0:
        _few_observations()
        norm = 0
    centred = obs - expand_dims(avg, axis=1)
    weighted = centred if w is None else centred * w
    c = centred @ weighted.mT
    c = c / norm
    return reshape(c, tuple(s for s in c.shape if s != 1))


def _few_observations() -> None:
    warnings.warn(
        "cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
        "number of observations.",
        UserWarning,
        stacklevel=4,
    )


def corrcoef(input: Tensor) -> Tensor:
    """The Pearson correlation coefficients of the variables in the rows of ``input``, as
    ``torch.corrcoef`` (and ``x.corrcoef()``): ``cov(x)`` divided by the products of the
    standard deviations, clipped to [-1, 1]. Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.corrcoef(pt.asarray([[0.0, 1.0, 2.0], [0.0, 2.0, 1.0]]))
    tensor([[1. , 0.5],
            [0.5, 1. ]], backend='numpy')
    """
    c = cov(_tensor_arg("corrcoef", "input", input))
    if c.ndim == 0:
        return c / c
    from ._pytorch_shapes import diagonal

    d = diagonal(c)
    std = sqrt(real(d) if d.dtype.kind == "complex floating" else d)
    c = c / expand_dims(std, axis=1)
    c = c / expand_dims(std, axis=0)
    return clip(c, min=-1.0, max=1.0)


# -- the most frequent value ----------------------------------------------------------------------
def mode(input: Tensor, dim: int = -1, keepdim: bool = False, *, out: Any = None) -> ValuesIndices:
    """The most frequent value along ``dim`` and where it is, as ``torch.mode`` (and
    ``x.mode(dim)``): a named tuple ``(values, indices)``. Of values equally frequent, the
    smallest; its index is that of its last occurrence, as PyTorch's on the CPU. NaNs count as
    equal to each other (of a NaN mode, the index is the last NaN's, where PyTorch's names the
    first). The gradient goes to the element the index names.

    Examples
    --------
    >>> import polytensor as pt
    >>> values, indices = pt.mode(pt.asarray([3, 1, 3, 2, 1]))
    >>> values.item(), indices.item()
    (1, 4)
    """
    return _into_pair("mode", out, _mode(input, dim, keepdim))


def _mode(input: Any, dim: Any, keepdim: Any) -> ValuesIndices:
    x = _tensor_arg("mode", "input", input)
    if not isinstance(keepdim, bool):
        raise TypeError(f"mode() expects a bool keepdim; got {keepdim!r}")
    d = check_dim("mode", dim, x.ndim)
    if x.ndim == 0:  # (the element itself, as PyTorch's)
        copy = astype(x, x.dtype, copy=True)
        return ValuesIndices(copy, asarray(0, dtype=dt.int64, device=x.device))
    if x.dtype.kind == "complex floating":
        raise TypeError(f"mode() expects a real or boolean tensor; got {x.dtype.name}")
    n = _length("mode", x, d)
    if n == 0:
        raise IndexError(
            f"mode(): Expected reduction dim {d} to have non-zero size; got shape {tuple(x.shape)}"
        )
    if x.size == 0:  # (another dimension is empty: no lanes, an empty result, as PyTorch's)
        lanes = tuple(1 if i == d else int(s or 0) for i, s in enumerate(x.shape))
        index = zeros(lanes, dtype=dt.int64, device=x.device)
        values = take_along_axis(x, index, axis=d)
        if not keepdim:
            values, index = squeeze(values, axis=d), squeeze(index, axis=d)
        return ValuesIndices(_tape.name_node(values, "ModeBackward0"), index)
    key = x.detach()
    if key.dtype is dt.bool:  # (False before True, as a sort of bytes)
        key = astype(key, dt.uint8)
    order = argsort(key, axis=d, stable=True)  # (equal values keep their order: NaN last)
    ranked = take_along_axis(key, order, axis=d)
    lead = (slice(None),) * d
    later, earlier = ranked[(*lead, slice(1, None))], ranked[(*lead, slice(None, -1))]
    differs = later != earlier
    if key.dtype.kind == "real floating":  # (a NaN after a NaN continues its run)
        differs = logical_and(differs, logical_not(logical_and(isnan(later), isnan(earlier))))
    first = full(tuple(1 if i == d else s for i, s in enumerate(key.shape)), True, device=x.device)
    starts = concat([first, differs], axis=d)  # where each run of equal values starts
    shape = [1] * x.ndim
    shape[d] = n
    positions = reshape(_positions(key, d), tuple(shape))
    # the length of its run so far at each place: the longest run's end is the first maximum
    # (the smallest value of the most frequent), and a stable sort puts its last occurrence there
    run = positions - _cumulative_extreme(where(starts, positions, 0), axis=d, largest=True)
    end = argmax(run, axis=d, keepdims=True)
    index = take_along_axis(order, end, axis=d)
    values = take_along_axis(x, index, axis=d)
    if not keepdim:
        values, index = squeeze(values, axis=d), squeeze(index, axis=d)
    return ValuesIndices(_tape.name_node(values, "ModeBackward0"), index)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """PyTorch's ``torch.nanmedian``: ``median`` of the numbers alone, NaNs left out (the lower
    median of an even count; NaN where a line holds nothing but NaN, its index then that of
    one of them, which may not be PyTorch's). Without ``dim``, of all elements (a 0-d tensor,
    NaN of no elements), its gradient spread evenly over the numbers equal to a finite median,
    as PyTorch's; with ``dim``, ``(values, indices)`` along it, the gradient to the chosen
    element.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.nanmedian(pt.asarray([1.0, float("nan"), 3.0, 2.0])).item()
    2.0
    >>> pt.nanmedian(pt.asarray([[float("nan"), 4.0, 1.0]]), 1).indices.tolist()
    [2]
    """
    x = _tensor_arg("nanmedian", "input", input)
    if not isinstance(keepdim, bool):
        raise TypeError(f"nanmedian() expects a bool keepdim; got {keepdim!r}")
    if x.dtype is dt.bool or x.dtype.kind == "complex floating":
        raise TypeError(f"nanmedian() expects a real numeric tensor; got {x.dtype.name}")
    work = reshape(x, (-1,)) if dim is None or x.ndim == 0 else x
    d = 0 if dim is None else check_dim("nanmedian", dim, max(x.ndim, 1))
    n = _length("nanmedian", work, d)
    if n == 0:
        if dim is None and x.dtype.kind == "real floating":  # (NaN, as PyTorch's)
            return _tape.name_node(_median_of_nothing(work), "NanmedianBackward0")
        raise IndexError(
            f"nanmedian(): the dimension {d} is empty (size 0); a median needs at least one element"
        )
    key = work.detach()
    order = argsort(key, axis=d, stable=True)  # (NaN last)
    if key.dtype.kind == "real floating":  # the numbers of each line: where its median is
        count = _sum(astype(logical_not(isnan(key)), dt.int64), axis=d, keepdims=True)
        place = clip(count - 1, min=0) // 2
        index = take_along_axis(order, place, axis=d)
    else:
        index = order[(slice(None),) * d + (slice((n - 1) // 2, (n - 1) // 2 + 1),)]
    values = take_along_axis(work, index, axis=d)
    if dim is None:  # (the gradient spread over the numbers equal to it, as PyTorch's)
        return _tape.name_node(_shared_by_ties(work, reshape(values, ())), "NanmedianBackward0")
    if not keepdim and x.ndim:
        values, index = squeeze(values, axis=d), squeeze(index, axis=d)
    elif x.ndim == 0:
        values, index = reshape(values, ()), reshape(index, ())
    return ValuesIndices(values, index)
