"""Input builders of the gradient checks (``test_gradients.py``), keyed by op name.

A sampler draws one ``GradCase``: the NumPy values of the differentiable inputs (float64 or
complex128, as the op's dtype category allows), the NumPy values of the other tensor inputs
(indices, conditions), and the function of them that is checked. Inputs are drawn in the op's
domain, away from the points where it is not differentiable (log on positive numbers, no ties
for max/sort, no kinks for abs/clip/remainder), and functions with outputs that are unique only
up to a gauge (eigenvectors, singular vectors, QR factors) are checked through gauge-invariant
quantities. Element-wise unary and binary ops of the table get ``unary_case``/``binary_case``
with their domain from ``DOMAINS``; every other differentiable op needs an entry in
``SAMPLERS`` (``test_every_differentiable_op_has_a_gradient_sampler`` keeps it so).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from domains import group_of
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import polytensor as pt
from polytensor._ops._registry import NONDIFF, OP_LIST, OpDef

Draw = Callable[[st.SearchStrategy[Any]], Any]

F64 = np.dtype(np.float64)
C128 = np.dtype(np.complex128)
MAX_SIZE = 12  # elements of one input: central differences cost two calls per element


@dataclass
class GradCase:
    """One gradient check: ``fn(*inputs, *consts)`` with tensors made from the NumPy values.

    ``inputs`` require grad (float64 / complex128); ``consts`` are tensors that do not
    (integer indices, boolean conditions). ``label`` says what was drawn, for failure reports;
    ``params`` holds the drawn non-array arguments (axis, keepdims, ord...), from which
    ``test_torch_crosscheck.py`` builds torch's counterpart of ``fn``.
    """

    fn: Callable[..., Any]
    inputs: tuple[np.ndarray[Any, Any], ...]
    consts: tuple[np.ndarray[Any, Any], ...] = ()
    label: str = ""
    params: dict[str, Any] = field(default_factory=dict)  # what was drawn besides arrays
    atol: float = 1e-5
    rtol: float = 1e-3


def differentiable_ops() -> list[OpDef]:
    """Every op of the table with a derivative (a rule or ZERO): all but NONDIFF."""
    return [op for op in OP_LIST if op.vjp is not NONDIFF]


# -- dtypes and shapes -----------------------------------------------------------------------
_REAL_CATS = ("any", "numeric", "real numeric", "floating-point", "real floating-point",
              "real valued")
_COMPLEX_CATS = ("any", "numeric", "floating-point", "complex floating-point")


def float_dtypes(category: str) -> list[np.dtype[Any]]:
    """The 64-bit floating dtypes of one of the standard's dtype categories."""
    out = []
    if category in _REAL_CATS:
        out.append(F64)
    if category in _COMPLEX_CATS:
        out.append(C128)
    if not out:
        raise KeyError(f"dtype category {category!r} has no floating dtype to differentiate")
    return out


def float_dtype(draw: Draw, op: OpDef, i: int = 0) -> np.dtype[Any]:
    return draw(st.sampled_from(float_dtypes(op.category_of(i))))  # type: ignore[no-any-return]


def shape(draw: Draw, min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
          max_side: int = 3, max_size: int = MAX_SIZE) -> tuple[int, ...]:
    """A small shape: 0-d, size-1 dimensions, at most ``max_size`` elements."""
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                              max_side=max_side)
    return draw(shapes.filter(lambda s: math.prod(s) <= max_size))  # type: ignore[no-any-return]


def broadcast_shapes(draw: Draw, n: int = 2, max_dims: int = 3) -> tuple[tuple[int, ...], ...]:
    """``n`` shapes that broadcast together (the result has at most MAX_SIZE elements)."""
    r = draw(hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=max_dims,
                                               min_side=1, max_side=3)
             .filter(lambda r: math.prod(r.result_shape) <= MAX_SIZE))
    return tuple(r.input_shapes)


# -- element domains ---------------------------------------------------------------------------
def uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def signed(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Magnitude in [lo, hi], either sign: away from zero."""
    return st.tuples(st.booleans(), uniform(lo, hi)).map(lambda t: -t[1] if t[0] else t[1])


def offgrid(fracs: tuple[tuple[float, float], ...], lo: int = -3,
            hi: int = 3) -> st.SearchStrategy[float]:
    """An integer plus a fraction from one of ``fracs``: away from integers (floor, round...)."""
    return st.tuples(st.integers(lo, hi), st.sampled_from(fracs), uniform(0.0, 1.0)).map(
        lambda t: t[0] + t[1][0] + (t[1][1] - t[1][0]) * t[2])


def grid(parity: int, step: float = 0.125) -> st.SearchStrategy[float]:
    """Odd (parity 1) or even (parity 0) multiples of ``step`` plus a jitter below step / 5:
    values of one parity stay at least 4/5 step away from values of the other."""
    return st.tuples(st.integers(-8, 8), uniform(0.0, step / 5)).map(
        lambda t: (2 * t[0] + parity) * step + t[1])


@dataclass(frozen=True)
class Dom:
    """Where elements are drawn: ``real`` for real dtypes, ``re``/``im`` parts for complex."""

    real: st.SearchStrategy[float]
    re: st.SearchStrategy[float] | None = None
    im: st.SearchStrategy[float] | None = None

    def elements(self, dtype: np.dtype[Any]) -> st.SearchStrategy[Any]:
        if dtype.kind == "c":
            re = self.real if self.re is None else self.re
            return st.builds(complex, re, re if self.im is None else self.im)
        return self.real


DEFAULT = Dom(uniform(-2.0, 2.0), uniform(-1.5, 1.5))
_NONZERO = Dom(signed(0.2, 2.0), signed(0.2, 1.5), uniform(-1.5, 1.5))
_POSITIVE = Dom(uniform(0.2, 4.0), uniform(0.2, 2.0), uniform(-1.5, 1.5))
_UNIT = Dom(uniform(-0.9, 0.9), uniform(-0.6, 0.6))
_FLOOR = Dom(offgrid(((0.1, 0.9),)))
_ROUND = Dom(offgrid(((0.1, 0.4), (0.6, 0.9))))

# Element-wise ops: one Dom for every input, or a tuple of one per input.
DOMAINS: dict[str, Dom | tuple[Dom, ...]] = {
    "abs": _NONZERO, "sign": _NONZERO, "reciprocal": _NONZERO, "relu": _NONZERO,
    "sqrt": _POSITIVE, "log": _POSITIVE, "log2": _POSITIVE, "log10": _POSITIVE,
    "log1p": Dom(uniform(-0.8, 3.0), uniform(-0.5, 2.0), uniform(-1.0, 1.0)),
    "tan": Dom(uniform(-1.2, 1.2), uniform(-1.0, 1.0)),
    "asin": _UNIT, "acos": _UNIT, "atanh": _UNIT,
    "atan": Dom(uniform(-2.0, 2.0), uniform(-0.6, 0.6)),
    "asinh": Dom(uniform(-2.0, 2.0), uniform(-0.6, 0.6)),
    "acosh": Dom(uniform(1.2, 4.0), uniform(1.2, 3.0), uniform(-1.0, 1.0)),
    "ceil": _FLOOR, "floor": _FLOOR, "trunc": _FLOOR, "round": _ROUND,
    "divide": (DEFAULT, _NONZERO),
    "pow": (_POSITIVE, Dom(uniform(-2.0, 2.0), uniform(-1.0, 1.0))),
    # no ties: x1 on odd multiples of 1/8, x2 on even ones
    "maximum": (Dom(grid(1)), Dom(grid(0))), "minimum": (Dom(grid(1)), Dom(grid(0))),
    # x1 / x2 stays at least 0.05 away from an integer (the jumps of floor_divide)
    "remainder": (_FLOOR, Dom(st.sampled_from([0.5, 1.0, 2.0, -0.5, -1.0, -2.0]))),
    "floor_divide": (_FLOOR, Dom(st.sampled_from([0.5, 1.0, 2.0, -0.5, -1.0, -2.0]))),
    "copysign": (_NONZERO, _NONZERO),
    "hypot": (_NONZERO, _NONZERO),
    "atan2": (_NONZERO, DEFAULT),  # away from the branch cut at x1 = 0, x2 < 0
}


def domain_of(op: OpDef, i: int = 0) -> Dom:
    d = DOMAINS.get(op.name, DEFAULT)
    return d[i] if isinstance(d, tuple) else d


def values(draw: Draw, dtype: np.dtype[Any], shp: tuple[int, ...],
           dom: Dom = DEFAULT) -> np.ndarray[Any, Any]:
    return np.asarray(draw(hnp.arrays(dtype, shp, elements=dom.elements(dtype))))


def distinct(draw: Draw, shp: tuple[int, ...], dtype: np.dtype[Any] = F64) -> np.ndarray[Any, Any]:
    """Values at least 1/16 apart, in magnitude too, never zero (no ties, no kink of abs);
    complex ones get a random phase."""
    k = np.asarray(draw(hnp.arrays(np.int64, shp, elements=st.integers(-24, 24), unique=True)))
    x = k / 8.0 + 0.03
    if dtype.kind == "c":
        phase = np.asarray(draw(hnp.arrays(F64, shp, elements=uniform(-3.0, 3.0))))
        return x * np.exp(1j * phase)
    return x


def ints(draw: Draw, shp: tuple[int, ...], lo: int, hi: int) -> np.ndarray[Any, Any]:
    return np.asarray(draw(hnp.arrays(np.int64, shp, elements=st.integers(lo, hi))))


# -- helpers for functions of several outputs --------------------------------------------------
def sqabs(v: Any) -> Any:
    """|v|**2 element-wise: invariant to the sign / phase of eigen- and singular vectors."""
    return pt.real(v * pt.conj(v)) if v.dtype.kind == "complex floating" else v * v


def hermitian(a: Any) -> Any:
    """(a + a^H) / 2."""
    h = pt.matrix_transpose(a)
    if a.dtype.kind == "complex floating":
        h = pt.conj(h)
    return (a + h) / 2


def _spread(n: int, dtype: Any, step: float = 1.5) -> Any:
    """diag(0, step, 2 step, ...): separates eigenvalues by more than the sampled noise."""
    return pt.asarray(np.diag(np.arange(n) * step), dtype=dtype)


def _noise(draw: Draw, dtype: np.dtype[Any], shp: tuple[int, ...],
           scale: float = 0.3) -> np.ndarray[Any, Any]:
    """Entries of magnitude in [scale / 10, scale]: no exact zeros, which would put a matrix at
    a special point of LAPACK (a triangular matrix: eig's output order jumps there)."""
    return values(draw, dtype, shp, Dom(signed(scale / 10, scale)))


def _batch(draw: Draw) -> tuple[int, ...]:
    return draw(st.sampled_from([(), (), (1,), (2,)]))  # type: ignore[no-any-return]


def _label(op: OpDef, *arrays: np.ndarray[Any, Any], **params: Any) -> str:
    shapes = ", ".join(f"{a.dtype.name}{list(a.shape)}" for a in arrays)
    ps = "".join(f", {k}={v!r}" for k, v in params.items())
    return f"{op.name}({shapes}{ps})"


def _case(op: OpDef, fn: Callable[..., Any], inputs: tuple[Any, ...],
          consts: tuple[Any, ...] = (), **params: Any) -> GradCase:
    return GradCase(fn, tuple(inputs), tuple(consts),
                    label=_label(op, *inputs, *consts, **params), params=params)


# -- element-wise ------------------------------------------------------------------------------
def unary_case(draw: Draw, op: OpDef) -> GradCase:
    dt = float_dtype(draw, op)
    x = values(draw, dt, shape(draw), domain_of(op, 0))
    return _case(op, op.func, (x,))  # type: ignore[arg-type]


def binary_case(draw: Draw, op: OpDef) -> GradCase:
    """Two inputs with broadcasting shapes; each dtype drawn on its own (real with complex
    checks that the real input gets the real part)."""
    s1, s2 = broadcast_shapes(draw)
    x1 = values(draw, float_dtype(draw, op, 0), s1, domain_of(op, 0))
    x2 = values(draw, float_dtype(draw, op, 1), s2, domain_of(op, 1))
    return _case(op, op.func, (x1, x2))  # type: ignore[arg-type]


def _clip(draw: Draw, op: OpDef) -> GradCase:
    # x on odd multiples of 1/8, bounds on even ones: never at a kink; min < max always.
    x = values(draw, F64, shape(draw), Dom(grid(1)))
    kinds = [draw(st.sampled_from(["none", "scalar", "array"])) for _ in range(2)]
    lo_dom, hi_dom = Dom(grid(0).map(lambda v: -abs(v) - 0.25)), Dom(grid(0).map(abs))
    arrays, bounds = [x], []
    for kind, dom in zip(kinds, (lo_dom, hi_dom)):
        if kind == "array":
            sub = tuple(1 if draw(st.booleans()) else s
                        for s in x.shape[len(x.shape) - draw(st.integers(0, x.ndim)):])
            arrays.append(values(draw, F64, sub, dom))
            bounds.append("array")
        else:
            bounds.append(None if kind == "none" else float(draw(dom.real)))
    n_lo = 1 if bounds[0] == "array" else 0

    def fn(x: Any, *bs: Any) -> Any:
        lo = bs[0] if bounds[0] == "array" else bounds[0]
        hi = bs[n_lo] if bounds[1] == "array" else bounds[1]
        return pt.clip(x, min=lo, max=hi)

    return _case(op, fn, tuple(arrays), bounds=bounds)


def _where(draw: Draw, op: OpDef) -> GradCase:
    sc, s1, s2 = broadcast_shapes(draw, 3)
    cond = np.asarray(draw(hnp.arrays(np.bool_, sc)))
    x1 = values(draw, float_dtype(draw, op, 1), s1)
    scalar = draw(st.booleans())
    if scalar:
        c = draw(uniform(-2.0, 2.0))
        return _case(op, lambda x1, cond: pt.where(cond, x1, c), (x1,), (cond,), x2=c)
    x2 = values(draw, float_dtype(draw, op, 2), s2)
    return _case(op, lambda x1, x2, cond: pt.where(cond, x1, x2), (x1, x2), (cond,))


# -- reductions --------------------------------------------------------------------------------
def _axis(draw: Draw, ndim: int, tuples: bool = True,
          nonempty: bool = False) -> int | tuple[int, ...] | None:
    options: list[st.SearchStrategy[Any]] = [st.none()]
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
        if tuples:
            options.append(st.lists(st.integers(0, ndim - 1), unique=True,
                                    min_size=1 if nonempty else 0, max_size=ndim).map(
                lambda axes: tuple(a - ndim if i % 2 else a for i, a in enumerate(axes))))
    return draw(st.one_of(*options))  # type: ignore[no-any-return]


def _reduction(draw: Draw, op: OpDef) -> GradCase:
    name = op.name
    dt = float_dtype(draw, op)
    spread = name in ("var", "std")
    shp = shape(draw, min_dims=1 if spread else 0, min_side=2 if spread else 1)
    if name in ("max", "min", "var", "std"):
        x = distinct(draw, shp, dt)  # no ties; var > 0
    elif name == "prod":
        x = values(draw, dt, shp, Dom(signed(0.5, 1.5), signed(0.3, 1.0), uniform(-0.8, 0.8)))
    else:
        x = values(draw, dt, shp)
    axis = _axis(draw, x.ndim, nonempty=spread)
    kw: dict[str, Any] = {"axis": axis, "keepdims": draw(st.booleans())}
    if spread:
        kw["correction"] = draw(st.sampled_from([0, 1, 0.5]))
    fn = op.func
    return _case(op, lambda x: fn(x, **kw), (x,), **kw)  # type: ignore[misc]


def _cumulative(draw: Draw, op: OpDef) -> GradCase:
    dt = float_dtype(draw, op)
    shp = shape(draw, min_dims=1)
    if op.name == "cumulative_prod":  # no zeros: see test_gradients' known limitation
        x = values(draw, dt, shp, Dom(signed(0.5, 1.5), signed(0.3, 1.0), uniform(-0.8, 0.8)))
    else:
        x = values(draw, dt, shp)
    axis = draw(st.integers(-x.ndim, x.ndim - 1)) if x.ndim > 1 else draw(
        st.sampled_from([None, 0, -1]))
    kw = {"axis": axis, "include_initial": draw(st.booleans())}
    fn = op.func
    return _case(op, lambda x: fn(x, **kw), (x,), **kw)  # type: ignore[misc]


# -- manipulation ------------------------------------------------------------------------------
def _one(draw: Draw, op: OpDef, **shape_kw: Any) -> np.ndarray[Any, Any]:
    return values(draw, float_dtype(draw, op), shape(draw, **shape_kw))


def _with(op: OpDef, x: np.ndarray[Any, Any], fn: Callable[[Any], Any],
          **params: Any) -> GradCase:
    return _case(op, fn, (x,), **params)


def _broadcast_arrays(draw: Draw, op: OpDef) -> GradCase:
    n = draw(st.integers(1, 3))
    xs = tuple(values(draw, float_dtype(draw, op), s) for s in broadcast_shapes(draw, n))
    return _case(op, lambda *xs: tuple(pt.broadcast_arrays(*xs)), xs)


def _broadcast_to(draw: Draw, op: OpDef) -> GradCase:
    s1, s2 = broadcast_shapes(draw)
    target = np.broadcast_shapes(s1, s2)
    x = values(draw, float_dtype(draw, op), s1)
    return _with(op, x, lambda x: pt.broadcast_to(x, target), shape=target)


def _concat(draw: Draw, op: OpDef) -> GradCase:
    n = draw(st.integers(1, 3))
    dts = [float_dtype(draw, op) for _ in range(n)]
    if draw(st.integers(0, 3)) == 0:
        axis = None
        xs = tuple(values(draw, d, shape(draw, max_size=4)) for d in dts)
    else:
        base = list(shape(draw, min_dims=1, max_size=4))
        axis = draw(st.integers(-len(base), len(base) - 1))
        arrays = []
        for d in dts:
            base[axis] = draw(st.integers(1, 2))
            arrays.append(values(draw, d, tuple(base)))
        xs = tuple(arrays)
    return _case(op, lambda *xs: pt.concat(list(xs), axis=axis), xs, axis=axis)


def _stack(draw: Draw, op: OpDef) -> GradCase:
    shp = shape(draw, max_size=4)
    xs = tuple(values(draw, float_dtype(draw, op), shp) for _ in range(draw(st.integers(1, 3))))
    axis = draw(st.integers(-len(shp) - 1, len(shp)))
    return _case(op, lambda *xs: pt.stack(list(xs), axis=axis), xs, axis=axis)


def _unstack(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, min_dims=1)
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    return _with(op, x, lambda x: tuple(pt.unstack(x, axis=axis)), axis=axis)


def _expand_dims(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op)
    n = x.ndim
    if draw(st.booleans()):
        axis: Any = draw(st.integers(-n - 1, n))
    else:  # a tuple of axes (2025.12)
        k = draw(st.integers(1, 2))
        axis = tuple(draw(st.lists(st.integers(0, n + k - 1), min_size=k, max_size=k,
                                   unique=True)))
    return _with(op, x, lambda x: pt.expand_dims(x, axis=axis), axis=axis)


def _flip(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op)
    axis = _axis(draw, x.ndim)
    return _with(op, x, lambda x: pt.flip(x, axis=axis), axis=axis)


def _moveaxis(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, min_dims=1)
    n = x.ndim
    if draw(st.booleans()):
        src: Any = draw(st.integers(-n, n - 1))
        dst: Any = draw(st.integers(-n, n - 1))
    else:
        src = tuple(draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n)))
        dst = tuple(draw(st.lists(st.integers(0, n - 1), unique=True, min_size=len(src),
                                  max_size=len(src))))
    return _with(op, x, lambda x: pt.moveaxis(x, src, dst), source=src, destination=dst)


def _permute_dims(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op)
    axes = tuple(draw(st.permutations(range(x.ndim))))
    return _with(op, x, lambda x: pt.permute_dims(x, axes), axes=axes)


def _repeat_int(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, max_size=6)
    axis = None if x.ndim == 0 or draw(st.booleans()) else draw(st.integers(-x.ndim, x.ndim - 1))
    r = draw(st.integers(0, 3))
    return _with(op, x, lambda x: pt.repeat(x, r, axis=axis), repeats=r, axis=axis)


def _repeat_array(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, max_size=6)
    axis = None if x.ndim == 0 or draw(st.booleans()) else draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.size if axis is None else x.shape[axis]
    r = ints(draw, (n,), 0, 3)
    return _case(op, lambda x, r: pt.repeat(x, r, axis=axis), (x,), (r,), axis=axis)


def _reshape(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op)
    dims, rest = [], x.size
    for _ in range(draw(st.integers(0, 3))):
        dims.append(draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0])))
        rest //= dims[-1]
    if rest != 1 or draw(st.booleans()):
        dims.append(rest)
    if dims and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    new = tuple(dims)
    return _with(op, x, lambda x: pt.reshape(x, new), shape=new)


def _roll(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op)
    if x.ndim and draw(st.booleans()):
        axis: Any = tuple(draw(st.lists(st.integers(0, x.ndim - 1), unique=True, min_size=1,
                                        max_size=x.ndim)))
        shift: Any = tuple(draw(st.integers(-4, 4)) for _ in axis)
        if len(axis) == 1 and draw(st.booleans()):
            axis, shift = axis[0], shift[0]
    else:
        axis, shift = None, draw(st.integers(-4, 4))
    return _with(op, x, lambda x: pt.roll(x, shift, axis=axis), shift=shift, axis=axis)


def _squeeze(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, min_dims=1, max_side=2)
    ones = [i for i, s in enumerate(x.shape) if s == 1]
    if not ones:
        x = x.reshape(x.shape + (1,))
        ones = [x.ndim - 1]
    axes = draw(st.lists(st.sampled_from(ones), unique=True, min_size=1))
    axis: Any = tuple(a - x.ndim if draw(st.booleans()) else a for a in axes)
    if len(axis) == 1 and draw(st.booleans()):
        axis = axis[0]
    return _with(op, x, lambda x: pt.squeeze(x, axis), axis=axis)


def _tile(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, max_size=4)
    reps = tuple(draw(st.lists(st.integers(1, 2), min_size=0 if x.ndim else 1, max_size=3)))
    return _with(op, x, lambda x: pt.tile(x, reps), repetitions=reps)


def _copy(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op)
    fn = op.func  # the recorded copy of pt.asarray(x, copy=True) and x.clone()
    return _with(op, x, lambda x: fn(x))  # type: ignore[misc]


def _astype(draw: Draw, op: OpDef) -> GradCase:
    src = float_dtype(draw, op)
    dst = C128 if src == C128 else draw(st.sampled_from([F64, C128]))
    copy = True if dst == src else draw(st.booleans())
    x = values(draw, src, shape(draw))
    target = getattr(pt, dst.name)
    return _with(op, x, lambda x: pt.astype(x, target, copy=copy), dtype=dst.name, copy=copy)


def _to_backend(draw: Draw, op: OpDef) -> GradCase:
    """x.to(another backend): the recorded move (the gradient moves back)."""
    x = _one(draw, op)
    here = pt.get_backend().name
    others = sorted(n for n, s in pt.backends.available().items() if s == "available"
                    and n != here and n != "cupy")
    target = draw(st.sampled_from(others)) if others else here
    return _with(op, x, lambda x: x.to(target), to=target)


# -- indexing ----------------------------------------------------------------------------------
def _getitem_basic(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op)
    key = draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))
    key = key if isinstance(key, tuple) else (key,)
    if Ellipsis not in key and sum(k is not None for k in key) < x.ndim:
        key = key + (Ellipsis,)  # the standard leaves partial (flat) indexing unspecified
    return _with(op, x, lambda x: x[key], key=key)


def _getitem_integer_arrays(draw: Draw, op: OpDef) -> GradCase:
    """x[i1, ..., in] with one broadcasting integer array per dimension, repeated indices
    included (their gradients add up)."""
    x = _one(draw, op, min_dims=1, max_dims=2)
    ishape = shape(draw, max_dims=2, max_size=4)
    idx = tuple(ints(draw, ishape, -s, s - 1) for s in x.shape)
    return _case(op, lambda x, *i: x[i], (x,), idx)


def _getitem_mask(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, min_dims=1)
    k = draw(st.integers(1, x.ndim))
    mask = np.asarray(draw(hnp.arrays(np.bool_, x.shape[:k])))
    return _case(op, lambda x, m: x[m], (x,), (mask,))


def _take(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, min_dims=1)
    axis = None if x.ndim == 1 and draw(st.booleans()) else draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[0 if axis is None else axis]
    idx = ints(draw, (draw(st.integers(1, 4)),), 0, n - 1)
    return _case(op, lambda x, i: pt.take(x, i, axis=axis), (x,), (idx,), axis=axis)


def _take_along_axis(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, min_dims=1)
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    ishape = list(x.shape)
    ishape[axis] = draw(st.integers(1, 3))
    idx = ints(draw, tuple(ishape), 0, x.shape[axis] - 1)
    return _case(op, lambda x, i: pt.take_along_axis(x, i, axis=axis), (x,), (idx,),
                 axis=axis)


def _scatter_add(draw: Draw, op: OpDef) -> GradCase:
    """The adjoint of x[key]: zeros of ``shape`` with g added at key. Keys the standard allows:
    one integer array per dimension (repeated indices add up), or a basic index."""
    out_shape = shape(draw, min_dims=1, max_dims=2, max_size=6)
    fn = op.func
    if draw(st.booleans()):
        from polytensor._ops.indexing import _Slot

        k = draw(st.integers(1, 4))
        idx = tuple(ints(draw, (k,), 0, s - 1) for s in out_shape)
        key: Any = tuple(_Slot(i) for i in range(len(idx)))
        g = values(draw, float_dtype(draw, op), (k,))
    else:
        key = draw(hnp.basic_indices(out_shape, allow_ellipsis=True))
        key = key if isinstance(key, tuple) else (key,)
        if Ellipsis not in key and len(key) < len(out_shape):
            key = key + (Ellipsis,)
        idx = ()
        g = values(draw, float_dtype(draw, op), np.empty(out_shape)[key].shape)
    return _case(op, lambda g, *i: fn(g, *i, key=key, shape=out_shape),  # type: ignore[misc]
                 (g,), idx, key=key, shape=out_shape)


def _put(draw: Draw, op: OpDef, integer_arrays: bool) -> GradCase:
    """y = x.clone(); y[key] = v: the recorded functional write (gradients to x and v)."""
    # integer arrays: one, on a 1-D x (Dask assigns through at most one integer array)
    x = _one(draw, op, min_dims=1, max_dims=1 if integer_arrays else 3)
    if not integer_arrays:
        key = draw(hnp.basic_indices(x.shape, allow_ellipsis=True))
        key = key if isinstance(key, tuple) else (key,)
        if Ellipsis not in key and len(key) < x.ndim:
            key = key + (Ellipsis,)
        consts: tuple[Any, ...] = ()
        target = np.empty(x.shape)[key].shape
    else:  # distinct positions (repeated writes are unspecified)
        k = draw(st.integers(1, x.size))
        consts = (np.asarray(draw(st.permutations(range(x.size))), dtype=np.int64)[:k],)
        key = None
        target = (k,)
    vshape = tuple(1 if draw(st.booleans()) else s
                   for s in target[len(target) - draw(st.integers(0, len(target))):])
    v = values(draw, np.dtype(x.dtype), vshape)

    def fn(x: Any, v: Any, *i: Any) -> Any:
        y = pt.asarray(x, copy=True)
        y[key if key is not None else i] = v
        return y

    return _case(op, fn, (x, v), consts, key=key)


def _put_basic(draw: Draw, op: OpDef) -> GradCase:
    return _put(draw, op, False)


def _put_integer_arrays(draw: Draw, op: OpDef) -> GradCase:
    return _put(draw, op, True)


# -- creation ----------------------------------------------------------------------------------
def _meshgrid(draw: Draw, op: OpDef) -> GradCase:
    dt = float_dtype(draw, op)  # the standard asks for one dtype
    xs = tuple(values(draw, dt, shape(draw, 1, 1)) for _ in range(draw(st.integers(1, 3))))
    indexing = draw(st.sampled_from(["xy", "ij"]))
    return _case(op, lambda *xs: tuple(pt.meshgrid(*xs, indexing=indexing)), xs,
                 indexing=indexing)


def _tri(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, min_dims=2)
    k = draw(st.integers(-2, 2))
    fn = op.func
    return _with(op, x, lambda x: fn(x, k=k), k=k)  # type: ignore[misc]


# -- linear algebra ----------------------------------------------------------------------------
def _matmul(draw: Draw, op: OpDef) -> GradCase:
    b1, b2 = broadcast_shapes(draw, 2, max_dims=2)
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    s1 = (k,) if draw(st.integers(0, 3)) == 0 else b1 + (m, k)
    s2 = (k,) if draw(st.integers(0, 3)) == 0 else b2 + (k, n)
    x1 = values(draw, float_dtype(draw, op), s1)
    x2 = values(draw, float_dtype(draw, op), s2)
    return _case(op, pt.matmul, (x1, x2))


def _matmul_transposed(draw: Draw, op: OpDef) -> GradCase:
    """``_matmul_nt`` (x1 @ mT(x2)) and ``_matmul_tn`` (mT(x1) @ x2): stacks of matrices."""
    b1, b2 = broadcast_shapes(draw, 2, max_dims=2)
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    s1, s2 = (b1 + (m, k), b2 + (n, k)) if op.name == "_matmul_nt" else (b1 + (k, m),
                                                                          b2 + (k, n))
    x1 = values(draw, float_dtype(draw, op), s1)
    x2 = values(draw, float_dtype(draw, op), s2)
    return _case(op, op.func, (x1, x2))  # type: ignore[arg-type]


def _relu_backward(draw: Draw, op: OpDef) -> GradCase:
    """where(x > 0, g, 0): x away from the kink at 0 (the gradient in x is 0 elsewhere)."""
    s1, s2 = broadcast_shapes(draw)
    g = values(draw, F64, s1)
    x = values(draw, F64, s2, _NONZERO)
    return _case(op, op.func, (g, x))  # type: ignore[arg-type]


def _matrix_transpose(draw: Draw, op: OpDef) -> GradCase:
    return _with(op, _one(draw, op, min_dims=2), pt.matrix_transpose)


def _tensordot(draw: Draw, op: OpDef) -> GradCase:
    shared = shape(draw, 0, 2, max_size=4)
    s1 = shape(draw, 0, 2, max_size=3) + shared
    s2 = shared + shape(draw, 0, 2, max_size=3)
    x1 = values(draw, float_dtype(draw, op), s1)
    x2 = values(draw, float_dtype(draw, op), s2)
    axes: Any = len(shared)
    if shared and draw(st.booleans()):
        axes = (tuple(range(x1.ndim - len(shared), x1.ndim)), tuple(range(len(shared))))
    return _case(op, lambda a, b: pt.tensordot(a, b, axes=axes), (x1, x2), axes=axes)


def _vecdot(draw: Draw, op: OpDef) -> GradCase:
    s1, s2 = broadcast_shapes(draw, 2, max_dims=2)
    k = draw(st.integers(1, 3))
    x1 = values(draw, float_dtype(draw, op), s1 + (k,))
    x2 = values(draw, float_dtype(draw, op), s2 + (k,))
    axis = -1
    if x1.ndim == x2.ndim and x1.ndim > 1 and draw(st.booleans()):
        x1, x2, axis = np.moveaxis(x1, -1, -2), np.moveaxis(x2, -1, -2), -2
    return _case(op, lambda a, b: pt.vecdot(a, b, axis=axis), (x1, x2), axis=axis)


def _cross(draw: Draw, op: OpDef) -> GradCase:
    s1, s2 = broadcast_shapes(draw, 2, max_dims=1)
    x1 = values(draw, float_dtype(draw, op), s1 + (3,))
    x2 = values(draw, float_dtype(draw, op), s2 + (3,))
    axis = -1
    if len(s1) == len(s2) and s1 and draw(st.booleans()):
        x1, x2, axis = np.moveaxis(x1, -1, 0), np.moveaxis(x2, -1, 0), -x1.ndim
    return _case(op, lambda a, b: pt.linalg.cross(a, b, axis=axis), (x1, x2), axis=axis)


def _outer(draw: Draw, op: OpDef) -> GradCase:
    x1 = values(draw, float_dtype(draw, op), shape(draw, 1, 1))
    x2 = values(draw, float_dtype(draw, op), shape(draw, 1, 1))
    return _case(op, pt.linalg.outer, (x1, x2))


def _diagonal_trace(draw: Draw, op: OpDef) -> GradCase:
    x = values(draw, float_dtype(draw, op), _batch(draw) + (draw(st.integers(1, 3)),
                                                            draw(st.integers(1, 3))))
    offset = draw(st.integers(-2, 2))
    fn = op.func
    return _with(op, x, lambda x: fn(x, offset=offset), offset=offset)  # type: ignore[misc]


def _square(draw: Draw, op: OpDef) -> np.ndarray[Any, Any]:
    """A well-conditioned square matrix (stack): noise + 2 I."""
    dt = float_dtype(draw, op)
    n = draw(st.integers(1, 3))
    return _noise(draw, dt, _batch(draw) + (n, n), 0.5) + 2 * np.eye(n)


def _plain_square(draw: Draw, op: OpDef) -> GradCase:
    x = _square(draw, op)
    fn = op.func
    if op.name == "linalg.slogdet":
        return _with(op, x, lambda x: tuple(pt.linalg.slogdet(x)))
    return _with(op, x, fn)  # type: ignore[arg-type]


def _matrix_power(draw: Draw, op: OpDef) -> GradCase:
    x = _square(draw, op)
    n = draw(st.integers(-2, 3))
    return _with(op, x, lambda x: pt.linalg.matrix_power(x, n), n=n)


def _solve(draw: Draw, op: OpDef) -> GradCase:
    x1 = _square(draw, op)
    n = x1.shape[-1]
    if draw(st.booleans()):
        x2 = values(draw, float_dtype(draw, op), (n,))
    else:
        x2 = values(draw, float_dtype(draw, op), _batch(draw) + (n, draw(st.integers(1, 2))))
    return _case(op, pt.linalg.solve, (x1, x2))


def _cholesky(draw: Draw, op: OpDef) -> GradCase:
    """Positive definite, built inside the function: (a + a^H) / 2 + n I."""
    dt = float_dtype(draw, op)
    n = draw(st.integers(1, 3))
    a = _noise(draw, dt, _batch(draw) + (n, n), 0.5)
    upper = draw(st.booleans())
    eye = np.eye(n)
    return _with(op, a, lambda a: pt.linalg.cholesky(hermitian(a) + n * pt.asarray(
        eye, dtype=a.dtype), upper=upper), upper=upper)


def _eigh(draw: Draw, op: OpDef) -> GradCase:
    """Hermitian with eigenvalues at least 1.5 - 2 * 0.3 * n apart, built inside the function;
    eigenvectors are checked through |V|**2 (sign and phase free)."""
    dt = float_dtype(draw, op)
    n = draw(st.integers(1, 3))
    a = _noise(draw, dt, _batch(draw) + (n, n), 0.2)

    def sym(a: Any) -> Any:
        return hermitian(a) + _spread(n, a.dtype)

    if op.name == "linalg.eigvalsh":
        return _with(op, a, lambda a: pt.linalg.eigvalsh(sym(a)))

    def fn(a: Any) -> Any:
        w, v = pt.linalg.eigh(sym(a))
        return w, sqabs(v)

    return _with(op, a, fn)


def _eig(draw: Draw, op: OpDef) -> GradCase:
    """General matrix with well-separated eigenvalues: noise + diag(0, 1.5, 3);
    eigenvectors through |V|**2."""
    dt = float_dtype(draw, op)
    n = draw(st.integers(1, 3))
    a = _noise(draw, dt, _batch(draw) + (n, n), 0.2)

    if op.name == "linalg.eigvals":
        return _with(op, a, lambda a: pt.linalg.eigvals(a + _spread(n, a.dtype)))

    def fn(a: Any) -> Any:
        w, v = pt.linalg.eig(a + _spread(n, a.dtype))
        return w, sqabs(v)

    return _with(op, a, fn)


def _rect(draw: Draw, op: OpDef, tall: bool = False) -> np.ndarray[Any, Any]:
    """A full-rank (m, n) matrix (stack) with well-separated singular values."""
    dt = float_dtype(draw, op)
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if tall and m < n:
        m, n = n, m
    a = _noise(draw, dt, _batch(draw) + (m, n), 0.2)
    k = min(m, n)
    a[..., np.arange(k), np.arange(k)] += 1.0 + 1.5 * np.arange(k)
    return a


def _svd(draw: Draw, op: OpDef) -> GradCase:
    a = _rect(draw, op)
    if op.name == "linalg.svdvals":
        return _with(op, a, pt.linalg.svdvals)
    full = draw(st.booleans())
    k = min(a.shape[-2:])

    def fn(a: Any) -> Any:
        u, s, vh = pt.linalg.svd(a, full_matrices=full)
        u, vh = u[..., :, :k], vh[..., :k, :]  # the rest of a full U / Vh is not unique
        return s, sqabs(u), sqabs(vh), pt.matmul(u, vh)

    return _with(op, a, fn, full_matrices=full)


def _qr(draw: Draw, op: OpDef) -> GradCase:
    """Tall or square; factors normalised to a positive (real) diagonal of R, which makes
    them unique (the phase is piecewise constant away from diag(R) = 0)."""
    a = _rect(draw, op, tall=True)
    m, n = a.shape[-2:]
    mode = draw(st.sampled_from(["reduced", "complete"])) if m == n else "reduced"

    def fn(a: Any) -> Any:
        q, r = pt.linalg.qr(a, mode=mode)
        d = pt.linalg.diagonal(r)
        phase = d / pt.astype(pt.abs(d), d.dtype) if d.dtype.kind == "complex floating" \
            else pt.sign(d)
        q = q[..., :, :n] * pt.expand_dims(phase, axis=-2)
        r = pt.expand_dims(pt.conj(phase), axis=-1) * r
        return q, r

    return _with(op, a, fn, mode=mode)


def _pinv(draw: Draw, op: OpDef) -> GradCase:
    a = _rect(draw, op)
    return _with(op, a, pt.linalg.pinv)


# Positive entries growing with the row and the column: no ties among row or column sums of
# |a|, and no kink of |.|; the noise keeps singular values distinct.
def _norm_matrix(draw: Draw, op: OpDef) -> np.ndarray[Any, Any]:
    dt = float_dtype(draw, op)
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    i, j = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    sign = np.where((i + j) % 2, -1.0, 1.0)
    base = sign * (1.0 + 0.7 * i + 1.9 * j)
    return base + _noise(draw, dt, _batch(draw) + (m, n), 0.1)


def _matrix_norm(draw: Draw, op: OpDef) -> GradCase:
    a = _norm_matrix(draw, op)
    order = draw(st.sampled_from(["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]))
    keepdims = draw(st.booleans())
    return _with(op, a, lambda a: pt.linalg.matrix_norm(a, keepdims=keepdims, ord=order),
                 ord=order, keepdims=keepdims)


def _vector_norm(draw: Draw, op: OpDef) -> GradCase:
    x = distinct(draw, shape(draw), float_dtype(draw, op))
    order = draw(st.sampled_from([1, 2, math.inf, -math.inf, 0, -1, 3, 0.5]))
    axis = _axis(draw, x.ndim, nonempty=True)
    keepdims = draw(st.booleans())
    return _with(op, x, lambda x: pt.linalg.vector_norm(x, axis=axis, keepdims=keepdims,
                                                        ord=order),
                 axis=axis, keepdims=keepdims, ord=order)


# -- fft ---------------------------------------------------------------------------------------
_NORMS = ("backward", "ortho", "forward")


def _fft1(draw: Draw, op: OpDef) -> GradCase:
    dt = float_dtype(draw, op)
    x = values(draw, dt, shape(draw, min_dims=1, max_dims=2, max_side=4, max_size=8))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = draw(st.one_of(st.none(), st.integers(1, 6)))
    if op.short in ("irfft", "hfft") and n is None and x.shape[axis] < 2:
        n = 2 * x.shape[axis]
    norm = draw(st.sampled_from(_NORMS))
    fn = op.func
    return _with(op, x, lambda x: fn(x, n=n, axis=axis, norm=norm),  # type: ignore[misc]
                 n=n, axis=axis, norm=norm)


def _fftn(draw: Draw, op: OpDef) -> GradCase:
    dt = float_dtype(draw, op)
    x = values(draw, dt, shape(draw, min_dims=1, max_dims=2, max_side=4, max_size=8))
    axes: Any = None
    if draw(st.booleans()):
        axes = tuple(draw(st.lists(st.integers(0, x.ndim - 1), unique=True, min_size=1)))
    s: Any = None
    if axes is not None and draw(st.booleans()):
        s = tuple(draw(st.integers(1, 4)) for _ in axes)
    last = (axes or tuple(range(x.ndim)))[-1]
    if op.short == "irfftn" and s is None and x.shape[last] < 2:
        axes = axes or tuple(range(x.ndim))
        s = tuple(x.shape[a] if a != last else 2 for a in axes)
    norm = draw(st.sampled_from(_NORMS))
    fn = op.func
    return _with(op, x, lambda x: fn(x, s=s, axes=axes, norm=norm),  # type: ignore[misc]
                 s=s, axes=axes, norm=norm)


def _fftshift(draw: Draw, op: OpDef) -> GradCase:
    x = _one(draw, op, min_dims=1)
    axes = _axis(draw, x.ndim)
    fn = op.func
    return _with(op, x, lambda x: fn(x, axes=axes), axes=axes)  # type: ignore[misc]


def _sort(draw: Draw, op: OpDef) -> GradCase:
    x = distinct(draw, shape(draw, min_dims=1))  # no ties
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    descending = draw(st.booleans())
    return _with(op, x, lambda x: pt.sort(x, axis=axis, descending=descending), axis=axis,
                 descending=descending)


Sampler = Callable[[Draw, OpDef], GradCase]

# Op name -> sampler, or named variants (each a test of its own; the names match
# domains.SAMPLERS', so known_failures.py's entries apply to the gradient tests too).
SAMPLERS: dict[str, Sampler | dict[str, Sampler]] = {
    # element-wise, other than unary/binary
    "clip": _clip, "where": _where,
    # reductions
    "sum": _reduction, "prod": _reduction, "mean": _reduction, "var": _reduction,
    "std": _reduction, "max": _reduction, "min": _reduction,
    "cumulative_sum": _cumulative, "cumulative_prod": _cumulative,
    # manipulation
    "broadcast_arrays": _broadcast_arrays, "broadcast_to": _broadcast_to, "concat": _concat,
    "expand_dims": _expand_dims, "flip": _flip, "moveaxis": _moveaxis,
    "permute_dims": _permute_dims,
    "repeat": {"int repeats": _repeat_int, "array repeats": _repeat_array},
    "reshape": _reshape, "roll": _roll, "squeeze": _squeeze, "stack": _stack, "tile": _tile,
    "unstack": _unstack, "asarray": _copy, "astype": _astype, "to_backend": _to_backend,
    # indexing
    "__getitem__": {"basic": _getitem_basic, "integer arrays": _getitem_integer_arrays,
                    "boolean mask": _getitem_mask},
    "take": _take, "take_along_axis": _take_along_axis, "_scatter_add": _scatter_add,
    "_put": {"basic": _put_basic, "integer arrays": _put_integer_arrays},
    "_matmul_nt": _matmul_transposed, "_matmul_tn": _matmul_transposed,
    "_relu_backward": _relu_backward,
    # creation
    "meshgrid": _meshgrid, "tril": _tri, "triu": _tri,
    # sorting
    "sort": _sort,
    # linear algebra
    "matmul": _matmul, "matrix_transpose": _matrix_transpose, "tensordot": _tensordot,
    "vecdot": _vecdot,
    "linalg.cholesky": _cholesky, "linalg.cross": _cross, "linalg.det": _plain_square,
    "linalg.diagonal": _diagonal_trace, "linalg.eig": _eig, "linalg.eigh": _eigh,
    "linalg.eigvalsh": _eigh, "linalg.eigvals": _eig, "linalg.inv": _plain_square,
    "linalg.matrix_norm": _matrix_norm, "linalg.matrix_power": _matrix_power,
    "linalg.outer": _outer, "linalg.pinv": _pinv, "linalg.qr": _qr,
    "linalg.slogdet": _plain_square, "linalg.solve": _solve, "linalg.svd": _svd,
    "linalg.svdvals": _svd, "linalg.trace": _diagonal_trace,
    "linalg.vector_norm": _vector_norm,
    # fft
    "fft.fft": _fft1, "fft.ifft": _fft1, "fft.rfft": _fft1, "fft.irfft": _fft1,
    "fft.hfft": _fft1, "fft.ihfft": _fft1, "fft.fftn": _fftn, "fft.ifftn": _fftn,
    "fft.rfftn": _fftn, "fft.irfftn": _fftn, "fft.fftshift": _fftshift,
    "fft.ifftshift": _fftshift,
}




def has_default_sampler(op: OpDef) -> bool:
    """Element-wise unary and binary ops are sampled from their domain alone."""
    return group_of(op) in ("unary", "binary")


def sample(draw: Draw, op: OpDef, variant: str | None = None) -> GradCase:
    sampler = SAMPLERS.get(op.name)
    if isinstance(sampler, dict):
        return sampler[variant or ""](draw, op)
    if sampler is not None:
        return sampler(draw, op)
    if has_default_sampler(op):
        return unary_case(draw, op) if group_of(op) == "unary" else binary_case(draw, op)
    raise LookupError(f"no gradient sampler for {op.name!r}; add one to "
                      f"conformance/grad_samplers.py")


def cases() -> list[Any]:
    """pytest parameters ``(op, variant)`` of every differentiable op of the table."""
    import pytest

    params = []
    for op in differentiable_ops():
        sampler = SAMPLERS.get(op.name)
        if isinstance(sampler, dict):
            params += [pytest.param(op, v, id=f"{op.name}[{v}]") for v in sampler]
        else:
            params.append(pytest.param(op, None, id=op.name))
    return params
