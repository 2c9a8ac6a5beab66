"""PyTorch's counting, integer and integration functions the standard lacks: ``bincount``,
``gcd``/``lcm``, ``trapezoid``/``cumulative_trapezoid``, ``renorm`` and ``mvlgamma``.

Each is written with the standard's operations and keeps PyTorch's arguments, dtypes and
formulas (so float32 results round as PyTorch's do); the differentiable ones differentiate on
every backend.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import _config
from . import _dtypes as dt
from ._checks import DataValueError, check_int
from ._ops import special as S
from ._ops._registry import _into
from ._ops.creation import arange, ones, zeros
from ._ops.data_types import astype, iinfo, result_type
from ._ops.elementwise import abs as _abs
from ._ops.elementwise import remainder
from ._ops.indexing import bincount as _bincount
from ._ops.linalg import vector_norm
from ._ops.manipulation import expand_dims, reshape
from ._ops.searching import where
from ._ops.statistical import _unknown
from ._ops.statistical import any as _any
from ._ops.statistical import max as _max
from ._ops.statistical import min as _min
from ._ops.statistical import sum as _sum
from ._pytorch import cumsum, index_add
from ._pytorch_more import _tensor_arg
from ._shapes import check_dim
from ._tensor_base import TensorBase

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["bincount", "cumulative_trapezoid", "gcd", "lcm", "mvlgamma", "renorm", "trapezoid"]

_INTEGERS = ("signed integer", "unsigned integer")


# -- counting -------------------------------------------------------------------------------------
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ... occurs in a 1-d tensor of non-negative integers (with
    ``weights``, the sum of their weights), ``max(input) + 1`` counts or ``minlength`` if
    more, as ``torch.bincount`` (and ``x.bincount``): int64 counts; float32 weights give
    float32 sums, other weights float64 (an empty input: int64 zeros, as PyTorch's).

    Not differentiable (PyTorch has no derivative of it either). A negative value raises
    ``DataValueError`` (a ``ValueError`` and PyTorch's ``RuntimeError``). On a lazy backend
    (Dask) each chunk is counted in its own task and the counts added up; the length of the
    result depends on the values, so it is unknown (``None``) until computed, as after a
    boolean mask, and a negative value raises when the result is computed. With ``weights``,
    an input or weights of unknown length (after a boolean mask) raise
    ``NotImplementedError`` that says to compute them first: the result's dtype depends on
    whether the input is empty.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.bincount(pt.asarray([1, 3, 3, 0]))
    tensor([1, 1, 0, 2], backend='numpy')
    >>> pt.bincount(pt.asarray([1, 1]), weights=pt.asarray([0.5, 2.0]), minlength=3)
    tensor([0. , 2.5, 0. ], backend='numpy')
    """
    x = _tensor_arg("bincount", "input", input)
    minlength = check_int("bincount", "minlength", minlength)
    if minlength < 0:
        raise ValueError(f"bincount(): minlength should be >= 0; got {minlength}")
    if x.dtype.kind not in _INTEGERS:
        raise TypeError(
            f"bincount() expects a tensor of integers; got {x.dtype.name}; cast it with x.long()"
        )
    if x.ndim != 1:
        raise ValueError(
            f"bincount only supports 1-d non-negative integral inputs; got a {x.ndim}-d tensor"
        )
    w = None if weights is None else _tensor_arg("bincount", "weights", weights).detach()
    if w is not None and w.ndim == 1 and _unknown((x.shape[0], w.shape[0])):
        # Note: with weights the result's dtype depends on the length (an empty input gives
        # int64 zeros, as PyTorch's; another, the weights' float dtype) and the two lengths
        # must agree; a lazy result's dtype is fixed before the values are known, so this
        # refuses (with the way out) rather than give another dtype than the other backends'
        raise NotImplementedError(
            f"bincount() with weights needs the lengths of input and weights (shapes "
            f"{tuple(x.shape)} and {tuple(w.shape)}), which depend on values (a boolean mask) "
            f"and are unknown on the {x._backend.name} backend until computed; compute them "
            f"first with x, w = pt.compute(x, w), then call bincount() on the results"
        )
    if w is not None and (w.ndim != 1 or w.shape[0] != x.shape[0]):
        raise ValueError(
            f"bincount(): weights should be 1-d and have the same length as input; got shapes "
            f"{tuple(w.shape)} and {tuple(x.shape)}"
        )
    kind = dt.int64 if w is None else (dt.float32 if w.dtype is dt.float32 else dt.float64)
    if x.shape[0] == 0:  # (int64 zeros, weights or not, as PyTorch's)
        return zeros((minlength,), dtype=dt.int64, device=x.device)
    if x._backend.lazy:  # (counted chunk by chunk; a negative value refused when computed)
        given = (x,) if w is None else (x, w)
        return _bincount(*given, minlength=minlength, dtype=kind)
    n = minlength
    least = int(_min(x))
    if least < 0:
        raise DataValueError(
            f"bincount only supports 1-d non-negative integral inputs; expected counts 0, 1, "
            f"...; remove or shift the negative values first (got {least})"
        )
    n = max(n, int(_max(x)) + 1)
    counts = zeros((n,), dtype=kind, device=x.device)
    added = ones(tuple(x.shape), dtype=kind, device=x.device) if w is None else astype(w, kind)
    return index_add(counts, 0, astype(x, dt.int64), added)


# -- integers -------------------------------------------------------------------------------------
def _integer_pair(where: str, input: Any, other: Any) -> tuple[Tensor, Tensor]:
    a, b = _tensor_arg(where, "input", input), _tensor_arg(where, "other", other)
    for t in (a, b):
        if t.dtype.kind not in _INTEGERS:
            raise TypeError(
                f"{where}() expects integer tensors; got {t.dtype.name} (the greatest common "
                f"divisor is defined for integers)"
            )
    kind = result_type(a, b)
    return astype(a, kind), astype(b, kind)


def _euclid(a: Tensor, b: Tensor) -> Tensor:
    """The greatest common divisors of ``|a|`` and ``|b|`` (broadcast), by Euclid's remainders:
    until every remainder is 0 on an eager backend; on a lazy one, as many steps as the
    largest inputs of the dtype can need (consecutive Fibonacci numbers' count)."""
    a, b = _abs(a), _abs(b)
    if tuple(a.shape) != tuple(b.shape):
        a, b = a + 0 * b, b + 0 * a
    bits = iinfo(a.dtype).bits
    steps = math.ceil(bits * 1.4405) + 2  # (log base phi of 2**bits, and two more)
    for _ in range(steps):
        if not a._backend.lazy and not bool(_any(b != 0)):
            break
        more = b != 0
        safe = where(more, b, 1)
        a, b = where(more, b, a), where(more, remainder(a, safe), 0)
    return a


def gcd(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """The greatest common divisor of each pair of integers (broadcast), non-negative, as
    ``torch.gcd`` (and ``x.gcd``, ``x.gcd_``): ``gcd(0, 0)`` is 0.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.gcd(pt.asarray([12, -18, 0, 7]), pt.asarray([8, 12, 5, -21]))
    tensor([4, 6, 5, 7], backend='numpy')
    """
    r = _euclid(*_integer_pair("gcd", input, other))
    return r if out is None else _into(out, r, "gcd")


def lcm(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """The least common multiple of each pair of integers (broadcast), non-negative, as
    ``torch.lcm`` (and ``x.lcm``, ``x.lcm_``): 0 where either is 0; a multiple beyond the
    dtype's range wraps around, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.lcm(pt.asarray([12, -18, 0, 7]), pt.asarray([8, 12, 5, -21]))
    tensor([24, 36,  0, 21], backend='numpy')
    """
    a, b = _integer_pair("lcm", input, other)
    g = _euclid(a, b)
    zero = g == 0
    r = where(zero, 0, _abs((a // where(zero, 1, g)) * b))
    return r if out is None else _into(out, r, "lcm")


# -- integration ----------------------------------------------------------------------------------
def _y_and_dim(where: str, y: Any, dim: Any) -> tuple[Tensor, int]:
    t = _tensor_arg(where, "y", y)
    if t.dtype is dt.bool:
        raise TypeError(f"{where}: received a bool input for `y`, but bool is not supported")
    if t.ndim == 0:
        raise IndexError(f"{where}(): dimension specified as {dim} but tensor has no dimensions")
    return t, check_dim(where, dim, t.ndim)


def _slices(t: Tensor, d: int) -> tuple[Tensor, Tensor]:
    """``t`` without its last and without its first element along ``d``."""
    lead = (slice(None),) * d
    return t[(*lead, slice(0, -1))], t[(*lead, slice(1, None))]


def _spacing(where: str, y: Tensor, x: Any, dx: Any, d: int) -> Tensor | float:
    """The distances between neighbouring sample points: ``dx`` (a number, 1 by default) or
    the differences of ``x`` along ``d`` (a 1-d ``x`` lies along ``d``; fewer dimensions than
    ``y``: broadcast from the left, as PyTorch's)."""
    if x is None:
        step = 1 if dx is None else dx
        if isinstance(step, bool) or not isinstance(step, (int, float)):
            raise TypeError(f"{where}() expects a number dx; got {dx!r}")
        return step
    if dx is not None:
        raise TypeError(f"{where}() takes x or dx=, not both")
    xs = _tensor_arg(where, "x", x)
    if xs.dtype is dt.bool:
        raise TypeError(f"{where}: received a bool input for `x`, but bool is not supported")
    if xs.ndim == 1:
        if xs.shape[0] != y.shape[d]:
            raise ValueError(
                f"{where}: There must be one `x` value for each sample point; got "
                f"{xs.shape[0]} values of x for {y.shape[d]} points along dimension {d}"
            )
        shape = [1] * y.ndim
        shape[d] = -1
        xs = reshape(xs, tuple(shape))
    elif xs.ndim < y.ndim:
        xs = reshape(xs, (1,) * (y.ndim - xs.ndim) + tuple(xs.shape))
    if xs.shape[d] != y.shape[d]:
        raise ValueError(
            f"{where}: There must be one `x` value for each sample point; got x of shape "
            f"{tuple(x.shape)} for y of shape {tuple(y.shape)} along dimension {d}"
        )
    left, right = _slices(xs, d)
    return right - left


def trapezoid(
    y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1
) -> Tensor:
    """The integral of ``y`` along ``dim`` by the trapezoidal rule, as ``torch.trapezoid``
    (``torch.trapz``): the sample points ``x`` (a tensor) or evenly ``dx`` apart (1 by
    default). Integers give the default float dtype. Differentiable in ``y`` and ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.trapezoid(pt.asarray([1.0, 2.0, 4.0]))
    tensor(4.5, backend='numpy')
    >>> pt.trapezoid(pt.asarray([1.0, 2.0, 4.0]), pt.asarray([0.0, 1.0, 3.0]))
    tensor(7.5, backend='numpy')
    """
    t, d = _y_and_dim("trapezoid", y, dim)
    step = _spacing("trapezoid", t, x, dx, d)
    if t.shape[d] == 0:  # (PyTorch's: zeros of the reduced shape)
        shape = tuple(s for i, s in enumerate(t.shape) if i != d)
        kind = t.dtype if t.dtype.kind == "real floating" else _config.DEFAULT_FLOAT.get()
        return zeros(shape, dtype=kind, device=t.device)
    if isinstance(step, TensorBase):
        left, right = _slices(t, d)
        return _sum(step * (right + left), axis=d) / 2.0
    lead = (slice(None),) * d
    ends = t[(*lead, 0)] + t[(*lead, -1)]
    return (_sum(t, axis=d) - ends * 0.5) * step


def cumulative_trapezoid(
    y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1
) -> Tensor:
    """The running integral of ``y`` along ``dim`` by the trapezoidal rule, as
    ``torch.cumulative_trapezoid``: one element fewer along ``dim``; sample points ``x`` or
    ``dx`` apart. Differentiable in ``y`` and ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cumulative_trapezoid(pt.asarray([1.0, 2.0, 4.0]))
    tensor([1.5, 4.5], backend='numpy')
    """
    t, d = _y_and_dim("cumulative_trapezoid", y, dim)
    step = _spacing("cumulative_trapezoid", t, x, dx, d)
    left, right = _slices(t, d)
    if isinstance(step, TensorBase):
        return cumsum((left + right) * step, d) / 2.0
    return cumsum(step / 2.0 * (left + right), d)


# -- norms and special functions ------------------------------------------------------------------
def renorm(input: Tensor, p: float, dim: int, maxnorm: float, *, out: Any = None) -> Tensor:
    """Each slice of ``input`` along ``dim`` (``input.select(dim, i)``) whose ``p``-norm
    exceeds ``maxnorm`` scaled down to ``maxnorm`` (divided by its norm plus 1e-7), as
    ``torch.renorm`` (and ``x.renorm``, ``x.renorm_``). Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.renorm(pt.asarray([[3.0, 4.0], [0.5, 0.2]]), 2, 0, 1.0)
    tensor([[0.6, 0.8],
            [0.5, 0.2]], backend='numpy')
    """
    x = _tensor_arg("renorm", "input", input)
    for what, v in (("p", p), ("maxnorm", maxnorm)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"renorm() expects a number {what}; got {v!r}")
    if not p > 0:
        raise ValueError(f"renorm: non-positive-norm not supported; got p={p}")
    if maxnorm < 0:
        raise ValueError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if x.ndim < 2:
        raise ValueError(f"renorm: input needs at least 2 dimensions, got {x.ndim} dimensions")
    if x.dtype.kind not in ("real floating", "complex floating"):
        raise TypeError(
            f"renorm() expects a floating-point tensor; got {x.dtype.name}; cast it with x.float()"
        )
    d = check_dim("renorm", dim, x.ndim)
    others = tuple(i for i in range(x.ndim) if i != d)
    norm = vector_norm(x, axis=others, keepdims=True, ord=float(p))
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    r = x * factor
    return r if out is None else _into(out, r, "renorm")


def mvlgamma(input: Tensor, p: int, *, out: Any = None) -> Tensor:
    """The logarithm of the multivariate gamma function of dimension ``p``, element-wise, as
    ``torch.mvlgamma`` (and ``x.mvlgamma``, ``x.mvlgamma_``): ``p (p - 1) / 4 log(pi)`` plus
    the sum of ``lgamma(x - i / 2)`` for i from 0 to p - 1. Integers give the default float
    dtype. Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.mvlgamma(pt.asarray([2.5, 3.0]), 3)
    tensor([1.8809954, 2.6949248], backend='numpy')
    """
    x = _tensor_arg("mvlgamma", "input", input)
    p = check_int("mvlgamma", "p", p)
    if p < 1:
        raise ValueError(f"mvlgamma(): p has to be greater than or equal to 1; got {p}")
    if x.dtype.kind != "real floating":
        if x.dtype.kind == "complex floating":
            raise TypeError("mvlgamma() expects a real tensor; got a complex one")
        x = astype(x, _config.DEFAULT_FLOAT.get())
    offsets = arange(-p * 0.5 + 0.5, 0.5, 0.5, dtype=x.dtype, device=x.device)
    terms = S.gammaln(expand_dims(x, axis=-1) + offsets)
    r = _sum(terms, axis=-1) + p * (p - 1) * math.log(math.pi) / 4
    return r if out is None else _into(out, r, "mvlgamma")
