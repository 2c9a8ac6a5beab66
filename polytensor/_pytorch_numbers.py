"""PyTorch's counting, integer and integration functions the standard lacks: ``bincount``,
``gcd``/``lcm``, ``trapezoid``/``cumulative_trapezoid``, ``renorm``, ``mvlgamma``,
``histogram`` and ``gradient``.

Each is written with the standard's operations and keeps PyTorch's arguments, dtypes and
formulas (so float32 results round as PyTorch's do); the differentiable ones differentiate on
every backend.
"""

from __future__ import annotations

import builtins
import math
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _config, _tape
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

__all__ = [
    "HistogramResult",
    "bincount",
    "cumulative_trapezoid",
    "gcd",
    "gradient",
    "histogram",
    "lcm",
    "mvlgamma",
    "renorm",
    "trapezoid",
]

_INTEGERS = ("signed integer", "unsigned integer")


# -- counting -------------------------------------------------------------------------------------
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ... occurs in a 1-d tensor of non-negative integers (with
    ``weights``, the sum of their weights), ``max(input) + 1`` counts or ``minlength`` if
    more, as ``torch.bincount`` (and ``x.bincount``): int64 counts; float32 weights give
    float32 sums, other weights float64 (an empty input: int64 zeros, as PyTorch's).

    Differentiable with respect to ``weights``: each weight's gradient is its bin's. (Note:
    PyTorch's bincount gives no gradient and silently detaches weights that require one;
    polytensor never detaches silently.) On a lazy backend, where the number of bins is known
    only when computed, weights that require grad raise ``NotImplementedError``. A negative
    value raises ``DataValueError`` (a ``ValueError`` and PyTorch's ``RuntimeError``). On a
    lazy backend (Dask) each chunk is counted in its own task and the counts added up; the
    length of the result depends on the values, so it is unknown (``None``) until computed, as
    after a boolean mask, and a negative value raises when the result is computed. With
    ``weights``, an input or weights of unknown length (after a boolean mask) raise
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
    w = None if weights is None else _tensor_arg("bincount", "weights", weights)
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
        if w is not None and _tape.requires_grad(w) and _config.GRAD_ENABLED.get():
            raise NotImplementedError(
                f"bincount() with weights that require grad on the {x._backend.name} backend: "
                f"the number of bins is known only when computed, so the gradient cannot be "
                f"recorded; count on an eager backend (pt.bincount(x.to('numpy'), "
                f"weights=w.to('numpy')), differentiable back to the {x._backend.name} "
                f"weights), or pass weights.detach() to count without a gradient"
            )
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


# -- histograms and numerical derivatives ---------------------------------------------------------
class HistogramResult(NamedTuple):
    """``torch.histogram``'s result: the counts (or densities) and the bins' edges."""

    hist: Tensor
    bin_edges: Tensor


def histogram(
    input: Tensor,
    bins: Any = 100,
    *,
    range: tuple[float, float] | None = None,
    weight: Tensor | None = None,
    density: bool = False,
) -> HistogramResult:
    """A histogram of ``input``, as ``torch.histogram``: ``bins`` equal bins over ``range``
    (default: the data's least and greatest values; [0, 1] of no data), or the bins between
    the sorted edges of a 1-d tensor ``bins``. Each bin holds its left edge, the last one its
    right edge too; values outside are left out. ``weight`` sums weights instead of counting;
    ``density`` divides by the total and the bins' widths. Results in the input's floating
    dtype; not differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.histogram(pt.asarray([1.0, 2.0, 1.0]), bins=4, range=(0.0, 3.0))
    HistogramResult(hist=tensor([0., 2., 1., 0.], backend='numpy'), bin_edges=tensor([0.  , \
0.75, 1.5 , 2.25, 3.  ], backend='numpy'))
    """
    from ._ops.creation import linspace
    from ._ops.searching import searchsorted

    x = _tensor_arg("histogram", "input", input)
    if x.dtype.kind != "real floating":
        raise TypeError(
            f'"histogram_cpu" not implemented for {x.dtype.name}: histogram() expects a real '
            f"floating-point input; cast with x.float()"
        )
    flat = reshape(x.detach(), (-1,))
    if isinstance(bins, TensorBase):
        edges = astype(_tensor_arg("histogram", "bins", bins).detach(), x.dtype)
        if edges.ndim != 1 or int(edges.shape[0] or 0) < 2:
            raise ValueError(
                f"histogram(): bins must be a 1-d tensor of at least two edges; got shape "
                f"{tuple(edges.shape)}"
            )
        n = int(edges.shape[0] or 0) - 1
        pos = searchsorted(edges, flat, side="right") - 1
    else:
        n = check_int("histogram", "bins", bins)
        if n <= 0:
            raise ValueError(f"histogram(): bins must be > 0; got {n}")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        elif flat.shape[0]:
            lo, hi = float(_min(flat)), float(_max(flat))
        else:  # (no data and no range: the bins over [0, 1], as PyTorch's)
            lo, hi = 0.0, 1.0
        if lo > hi:
            raise ValueError(f"histogram(): min should not exceed max; got range ({lo}, {hi})")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = linspace(lo, hi, n + 1, dtype=x.dtype, device=x.device)
        left, right = edges[0], edges[-1]
        # (PyTorch's binning of equal bins: by division, as histc's)
        pos = astype((flat - left) * float(n) / (right - left), dt.int64)
    inside = (flat >= edges[0]) & (flat <= edges[-1])
    pos = where(pos >= n, n - 1, where(pos < 0, 0, pos))
    if weight is None:
        added = astype(inside, x.dtype)
    else:
        w = _tensor_arg("histogram", "weight", weight).detach()
        if tuple(w.shape) != tuple(x.shape):
            raise ValueError(
                f"histogram(): weight should have the same shape as input; got "
                f"{tuple(w.shape)} and {tuple(x.shape)}"
            )
        added = where(inside, astype(reshape(w, (-1,)), x.dtype), 0.0)
    hist = index_add(zeros((n,), dtype=x.dtype, device=x.device), 0, pos, added)
    if density:
        hist = hist / (_sum(hist) * (edges[1:] - edges[:-1]))
    return HistogramResult(hist, edges)


def gradient(
    input: Tensor, *, spacing: Any = 1, dim: Any = None, edge_order: int = 1
) -> tuple[Tensor, ...]:
    """The derivative of sampled values along each of ``dim`` (default: every dimension), as
    ``torch.gradient`` (and NumPy's ``gradient``): central differences inside, one-sided ones
    of order ``edge_order`` (1 or 2) at the ends. ``spacing`` is one number for every
    dimension, one number per dimension, or per dimension a 1-d tensor of the coordinates of
    the samples (unevenly spaced ones too). Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.gradient(pt.asarray([1.0, 2.0, 4.0, 8.0]))
    (tensor([1. , 1.5, 3. , 4. ], backend='numpy'),)
    >>> pt.gradient(pt.asarray([1.0, 2.0, 4.0]), spacing=(pt.asarray([0.0, 1.0, 3.0]),))
    (tensor([1., 1., 1.], backend='numpy'),)
    """
    from ._ops.creation import full
    from ._ops.manipulation import concat

    y = _tensor_arg("gradient", "input", input)
    if y.ndim == 0:
        raise RuntimeError("torch.gradient only supports tensors with at least one dimension")
    if edge_order not in (1, 2):
        raise ValueError(
            f"torch.gradient only supports edge_order=1 and edge_order=2; got {edge_order}"
        )
    dims = list(builtins.range(y.ndim)) if dim is None else dim
    dims = [dims] if isinstance(dims, int) else list(dims)
    dims = [check_dim("gradient", d, y.ndim) for d in dims]
    if isinstance(spacing, (int, float)) and not isinstance(spacing, bool):
        steps: list[Any] = [spacing] * len(dims)
    else:
        steps = list(spacing)
        if len(steps) == 1 and len(dims) > 1 and not isinstance(steps[0], TensorBase):
            steps = steps * len(dims)
        if len(steps) != len(dims):
            raise RuntimeError(
                f"torch.gradient expected spacing to be unspecified, a scalar or its length "
                f"to match the number of dimensions ({len(dims)}); got {len(steps)} entries"
            )
    if not y.dtype.kind.endswith("floating"):
        y = astype(y, _config.DEFAULT_FLOAT.get())
    out = []
    for d, h in zip(dims, steps, strict=True):
        n = int(y.shape[d] or 0)
        if n < edge_order + 1:
            raise RuntimeError(
                f"torch.gradient expected each dimension size to be at least edge_order+1 "
                f"({edge_order + 1}); dimension {d} has {n}"
            )
        if isinstance(h, TensorBase):
            coords = astype(h, y.dtype)
            if coords.ndim != 1 or coords.shape[0] != n:
                raise RuntimeError(
                    f"torch.gradient expected the coordinates along dimension {d} as a 1-d "
                    f"tensor of {n} values; got shape {tuple(coords.shape)}"
                )
            dx = coords[1:] - coords[:-1]
        else:
            dx = full((n - 1,), float(h), dtype=y.dtype, device=y.device)
        shape = [1] * y.ndim
        shape[d] = -1

        def along(t: Tensor, shape: list[int] = shape) -> Tensor:
            return reshape(t, tuple(shape))

        def part(start: int, stop: int | None, d: int = d) -> Tensor:
            return y[(slice(None),) * d + (slice(start, stop),)]

        hl, hr = along(dx[:-1]), along(dx[1:])
        parts = []
        if edge_order == 1:
            parts.append((part(1, 2) - part(0, 1)) / along(dx[:1]))
        else:
            a, b = along(dx[:1]), along(dx[1:2])
            parts.append(
                -(2 * a + b) / (a * (a + b)) * part(0, 1)
                + (a + b) / (a * b) * part(1, 2)
                - a / (b * (a + b)) * part(2, 3)
            )
        if n > 2:
            parts.append(
                -hr / (hl * (hl + hr)) * part(0, -2)
                + (hr - hl) / (hl * hr) * part(1, -1)
                + hl / (hr * (hl + hr)) * part(2, None)
            )
        if edge_order == 1:
            parts.append((part(n - 1, None) - part(n - 2, n - 1)) / along(dx[-1:]))
        else:
            a, b = along(dx[-2:-1]), along(dx[-1:])
            parts.append(
                b / (a * (a + b)) * part(n - 3, n - 2)
                - (a + b) / (a * b) * part(n - 2, n - 1)
                + (2 * b + a) / (b * (a + b)) * part(n - 1, None)
            )
        out.append(concat(parts, axis=d))
    return tuple(out)
