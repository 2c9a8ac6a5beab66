"""Samplers of the conformance suite: per op, the inputs of its forward and gradient checks.

The tests are generated from the op table (``polytensor._ops._registry.OP_LIST``); this module
says, for the ops that need it, how to draw their inputs, in one entry per op of ``SAMPLING``:

- ``values``: where the forward checks (against NumPy, in every dtype of the op's category)
  draw elements, NaN, infinities and signed zeros included: log on positive numbers, acosh >= 1;
- ``smooth``: where the gradient checks (against central differences, in float64 or complex128)
  draw them, away from the points where the op is not differentiable: no kink for abs, no ties
  for maximum, no integers for floor;
- ``both``: a sampler of the arguments (an axis, a shift, a well-conditioned matrix) that serves
  both checks, told which by its ``Mode`` (``FORWARD`` or ``GRADIENT``);
- ``forward`` / ``grad``: a sampler for one check where the two need different inputs (gradients
  of eigenvectors through gauge-invariant quantities, sort without ties).

An op without a sampler gets the default of its kind: one array of its dtype category (unary),
two broadcastable ones (binary), an array with ``axis``/``keepdims`` (reductions); every other
differentiable op needs a gradient sampler
(``test_every_differentiable_op_has_a_gradient_sampler`` keeps it so). A forward ``Case`` says
how to call the op and which NumPy function is the reference (``NUMPY_NAMES``, ``REFERENCES``);
a ``GradCase`` is the function of the drawn arrays that a gradient check differentiates. A
sampler with named variants makes a test of each, so that a backend's known failure (Dask's
data-dependent shapes) names the variant and not the op.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import math
import pkgutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import polytensor as pt
from polytensor._ops import _registry

OpDef = _registry.OpDef
Draw = Callable[[st.SearchStrategy[Any]], Any]

MAX_DIMS = 3
MAX_SIDE = 4
MAX_SIZE = 12  # elements of one input of a gradient check: central differences cost two calls each

# -- dtypes ----------------------------------------------------------------------------------
_INT = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
_RF = ("float32", "float64")
_CF = ("complex64", "complex128")

# The standard's dtype categories ("Data type categories" page), in the words the op table uses.
CATEGORY_DTYPES: dict[str, tuple[str, ...]] = {
    "any": ("bool",) + _INT + _RF + _CF,
    "boolean": ("bool",),
    "integer": _INT,
    "integer or boolean": ("bool",) + _INT,
    "numeric": _INT + _RF + _CF,
    "real numeric": _INT + _RF,
    "real valued": ("bool",) + _INT + _RF,
    "floating-point": _RF + _CF,
    "real floating-point": _RF,
    "complex floating-point": _CF,
}
F64 = np.dtype(np.float64)
C128 = np.dtype(np.complex128)


def dtypes_of(category: str) -> tuple[np.dtype[Any], ...]:
    """NumPy dtypes of one of the standard's categories."""
    if category not in CATEGORY_DTYPES:
        raise KeyError(f"unknown dtype category {category!r}; add it to CATEGORY_DTYPES")
    return tuple(np.dtype(n) for n in CATEGORY_DTYPES[category])


def float_dtypes(category: str) -> list[np.dtype[Any]]:
    """The 64-bit floating dtypes of a category: those the gradient checks differentiate in."""
    return [d for d in dtypes_of(category) if d in (F64, C128)]


def promotable(a: np.dtype[Any], b: np.dtype[Any]) -> bool:
    """Whether the standard's promotion table covers ``a`` with ``b`` (within one kind).

    For these pairs NumPy's promotion (NEP 50) agrees with the standard, so NumPy's result
    dtype is the expected one.
    """
    ka, kb = a.kind, b.kind
    if "b" in (ka, kb):
        return ka == kb
    if ka in "iu" and kb in "iu":
        return not ((a == np.uint64 and kb == "i") or (b == np.uint64 and ka == "i"))
    return ka in "fc" and kb in "fc"


def precision(dtype: np.dtype[Any]) -> int:
    """32 or 64: the width of the real part of a floating dtype (64 for others)."""
    return 32 if dtype in (np.float32, np.complex64) else 64


def dtype(draw: Draw, category: str) -> np.dtype[Any]:
    return draw(st.sampled_from(dtypes_of(category)))  # type: ignore[no-any-return]


def partner(draw: Draw, d1: np.dtype[Any], category: str) -> np.dtype[Any]:
    """``d1``, or another dtype of ``category`` that the standard promotes with it."""
    return draw(
        st.sampled_from(
            [d1]
            + [
                d
                for d in dtypes_of(category)  # type: ignore[no-any-return]
                if d != d1 and promotable(d1, d)
            ]
        )
    )


# -- shapes ------------------------------------------------------------------------------------
def shapes(
    min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 0, max_side: int = MAX_SIDE
) -> st.SearchStrategy[tuple[int, ...]]:
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def small_shape(
    draw: Draw,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 3,
    max_size: int = MAX_SIZE,
) -> tuple[int, ...]:
    """A shape for a gradient check: 0-d, size-1 dimensions, at most ``max_size`` elements."""
    return draw(
        shapes(min_dims, max_dims, min_side, max_side).filter(lambda s: math.prod(s) <= max_size)  # type: ignore[no-any-return]
    )


def small_broadcast(draw: Draw, n: int = 2, max_dims: int = 3) -> tuple[tuple[int, ...], ...]:
    """``n`` shapes that broadcast together (the result has at most MAX_SIZE elements)."""
    r = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=n, min_dims=0, max_dims=max_dims, min_side=1, max_side=3
        ).filter(lambda r: math.prod(r.result_shape) <= MAX_SIZE)
    )
    return tuple(r.input_shapes)


# -- element domains of the forward checks ------------------------------------------------------
NAN, INF = math.nan, math.inf
SPECIALS = (NAN, INF, -INF, 0.0, -0.0)
NO_NAN = (INF, -INF, 0.0, -0.0)


@dataclass(frozen=True)
class Domain:
    """Where the elements of one input of a forward check are drawn from.

    Finite real values (and real and imaginary parts) come from ``[lo, hi]``, plus the
    ``specials``; integers from ``[ilo, ihi]`` clipped to the dtype (None: the dtype's limit).
    """

    lo: float = -100.0
    hi: float = 100.0
    ilo: int | None = None
    ihi: int | None = None
    nonzero: bool = False
    shift: bool = False  # integers in [0, bits - 1]: a shift amount
    specials: tuple[float, ...] = SPECIALS
    # Note: NumPy's complex functions do not follow the standard's special cases
    # (np.expm1(inf+0j) is inf+nanj; the standard says inf+0j), so the parts of complex values
    # stay finite, signed zeros aside.
    complex_specials: tuple[float, ...] = (0.0, -0.0)


DEFAULT = Domain()
_POS = Domain(0.0, 100.0)
_UNIT = Domain(-1.0, 1.0)
_EXP = Domain(-50.0, 50.0)
_SMALL_INT = Domain(ilo=-100, ihi=100)
_DIVISOR = Domain(ilo=-20, ihi=20, nonzero=True)
_NAN_FREE = Domain(specials=NO_NAN)  # NaN has no specified place in a sorted array
_MAT = Domain(-1.0, 1.0, ilo=-20, ihi=20, specials=())  # linear algebra
_FFT = Domain(-10.0, 10.0, specials=())


def elements(dtype: np.dtype[Any], dom: Domain = DEFAULT) -> st.SearchStrategy[Any]:
    """Scalars of ``dtype`` drawn from ``dom``."""
    k = dtype.kind
    if k == "b":
        return st.booleans()
    if k in "iu":
        info = np.iinfo(dtype)
        if dom.shift:
            lo, hi = 0, info.bits - 1
        else:
            lo = info.min if dom.ilo is None else max(dom.ilo, int(info.min))
            hi = info.max if dom.ihi is None else min(dom.ihi, int(info.max))
        ints = st.integers(int(lo), int(hi))
        return ints.filter(bool) if dom.nonzero else ints
    width = precision(dtype)
    part: st.SearchStrategy[float] = st.floats(dom.lo, dom.hi, width=width)
    if dom.nonzero:
        part = part.filter(bool)
    specials = dom.complex_specials if k == "c" else dom.specials
    if specials:
        part = st.one_of(part, st.sampled_from(specials))
    if k == "c":
        return st.builds(complex, part, part)
    return part


def array(
    draw: Draw, dtype: np.dtype[Any], shape: tuple[int, ...], dom: Domain = DEFAULT
) -> np.ndarray[Any, Any]:
    return draw(hnp.arrays(dtype, shape, elements=elements(dtype, dom)))  # type: ignore[no-any-return]


# -- element domains of the gradient checks -----------------------------------------------------
def uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def signed(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Magnitude in [lo, hi], either sign: away from zero."""
    return st.tuples(st.booleans(), uniform(lo, hi)).map(lambda t: -t[1] if t[0] else t[1])


def offgrid(
    fracs: tuple[tuple[float, float], ...], lo: int = -3, hi: int = 3
) -> st.SearchStrategy[float]:
    """An integer plus a fraction from one of ``fracs``: away from integers (floor, round...)."""
    return st.tuples(st.integers(lo, hi), st.sampled_from(fracs), uniform(0.0, 1.0)).map(
        lambda t: t[0] + t[1][0] + (t[1][1] - t[1][0]) * t[2]
    )


def grid(parity: int, step: float = 0.125) -> st.SearchStrategy[float]:
    """Odd (parity 1) or even (parity 0) multiples of ``step`` plus a jitter below step / 5:
    values of one parity stay at least 4/5 step away from values of the other."""
    return st.tuples(st.integers(-8, 8), uniform(0.0, step / 5)).map(
        lambda t: (2 * t[0] + parity) * step + t[1]
    )


@dataclass(frozen=True)
class Smooth:
    """Where the elements of one input of a gradient check are drawn from: ``real`` for real
    dtypes, ``re``/``im`` parts for complex ones."""

    real: st.SearchStrategy[float]
    re: st.SearchStrategy[float] | None = None
    im: st.SearchStrategy[float] | None = None

    def elements(self, dtype: np.dtype[Any]) -> st.SearchStrategy[Any]:
        if dtype.kind == "c":
            re = self.real if self.re is None else self.re
            return st.builds(complex, re, re if self.im is None else self.im)
        return self.real


SMOOTH = Smooth(uniform(-2.0, 2.0), uniform(-1.5, 1.5))
_NONZERO = Smooth(signed(0.2, 2.0), signed(0.2, 1.5), uniform(-1.5, 1.5))
_POSITIVE = Smooth(uniform(0.2, 4.0), uniform(0.2, 2.0), uniform(-1.5, 1.5))
_OPEN_UNIT = Smooth(uniform(-0.9, 0.9), uniform(-0.6, 0.6))
_FLOOR = Smooth(offgrid(((0.1, 0.9),)))
_ROUND = Smooth(offgrid(((0.1, 0.4), (0.6, 0.9))))
_PRODUCT = Smooth(signed(0.5, 1.5), signed(0.3, 1.0), uniform(-0.8, 0.8))  # no zeros, no overflow


def smooth_values(
    draw: Draw, dtype: np.dtype[Any], shp: tuple[int, ...], dom: Smooth = SMOOTH
) -> np.ndarray[Any, Any]:
    return np.asarray(draw(hnp.arrays(dtype, shp, elements=dom.elements(dtype))))


def distinct(draw: Draw, shp: tuple[int, ...], dtype: np.dtype[Any] = F64) -> np.ndarray[Any, Any]:
    """Values at least 1/16 apart, in magnitude too, never zero (no ties, no kink of abs);
    complex ones get a random phase."""
    k = np.asarray(draw(hnp.arrays(np.int64, shp, elements=st.integers(-24, 24), unique=True)))
    x = np.asarray(k / 8.0 + 0.03)
    if dtype.kind == "c":
        phase = np.asarray(draw(hnp.arrays(F64, shp, elements=uniform(-3.0, 3.0))))
        return np.asarray(x * np.exp(1j * phase))
    return x


def ints(draw: Draw, shp: tuple[int, ...], lo: int, hi: int) -> np.ndarray[Any, Any]:
    return np.asarray(draw(hnp.arrays(np.int64, shp, elements=st.integers(lo, hi))))


def _ith(d: Any, i: int) -> Any:
    return d[i] if isinstance(d, tuple) else d


def domain_of(op: OpDef, i: int = 0) -> Domain:
    """Where the forward checks draw input ``i`` of ``op``."""
    return _ith(SAMPLING.get(op.name, _NOTHING).values, i)  # type: ignore[no-any-return]


def smooth_of(op: OpDef, i: int = 0) -> Smooth:
    """Where the gradient checks draw input ``i`` of ``op``."""
    return _ith(SAMPLING.get(op.name, _NOTHING).smooth, i)  # type: ignore[no-any-return]


# -- cases -------------------------------------------------------------------------------------
@dataclass
class Case:
    """One call of an op: NumPy inputs (turned into tensors for polytensor) and how to check it.

    ``ref`` computes the expected result from the NumPy inputs (default: NumPy's function of
    the same name, see ``numpy_function``); ``call`` calls polytensor with the tensor inputs
    (default: the public function); ``check(got, want, case)`` replaces the element-wise
    comparison where results are not unique (eigenvectors, QR factors, unique's order).
    ``tol`` names the tolerance row; ``scale`` multiplies it into an absolute tolerance.
    """

    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    ref: Callable[..., Any] | None = None
    call: Callable[..., Any] | None = None
    check: Callable[[Any, Any, Case], None] | None = None
    tol: str = "elementwise"
    scale: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)  # for ``check`` and GradCase.params


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


def _case(
    op: OpDef,
    fn: Callable[..., Any],
    inputs: tuple[Any, ...],
    consts: tuple[Any, ...] = (),
    **params: Any,
) -> GradCase:
    arrays = ", ".join(f"{a.dtype.name}{list(a.shape)}" for a in (*inputs, *consts))
    ps = "".join(f", {k}={v!r}" for k, v in params.items())
    return GradCase(
        fn, tuple(inputs), tuple(consts), label=f"{op.name}({arrays}{ps})", params=params
    )


def _with(op: OpDef, x: np.ndarray[Any, Any], fn: Callable[[Any], Any], **params: Any) -> GradCase:
    return _case(op, fn, (x,), **params)


def gradient_case(op: OpDef, case: Case) -> GradCase:
    """The gradient check of a case drawn by a shared sampler: the op called as the forward
    check calls it, its floating-point arrays requiring grad and its other arrays (indices,
    masks) constant; the drawn non-array arguments (and ``meta``) are its params."""
    drawn = _arrays((case.args, case.kwargs))
    floats = [i for i, a in enumerate(drawn) if a.dtype.kind in "fc"]
    order = floats + [i for i in range(len(drawn)) if i not in floats]
    call = case.call or public_function(op)

    def fn(*tensors: Any) -> Any:
        placed = dict(zip(order, tensors, strict=True))
        at = iter(range(len(drawn)))
        args, kwargs = to_tensors((case.args, case.kwargs), lambda _: placed[next(at)])
        out = call(*args, **kwargs)
        return tuple(out) if isinstance(out, (tuple, list)) else out

    bound = inspect.signature(call).bind(*case.args, **case.kwargs).arguments
    params = {k: v for k, v in bound.items() if not _arrays(v)} | case.meta
    return _case(
        op,
        fn,
        tuple(drawn[i] for i in floats),
        tuple(drawn[i] for i in order[len(floats) :]),
        **params,
    )


# -- what a sampler shared by both checks draws --------------------------------------------------
class Mode:
    """What a shared sampler draws for a forward check (``FORWARD``): every dtype of the op's
    category, shapes with zero-size dimensions, elements from ``domain_of`` (special values
    included). ``Gradient`` says what it draws for a gradient check."""

    grad = False

    def dtype(self, draw: Draw, op: OpDef, i: int = 0) -> np.dtype[Any]:
        return dtype(draw, op.category_of(i))

    def partner(self, draw: Draw, op: OpDef, d1: np.dtype[Any], i: int) -> np.dtype[Any]:
        """A dtype of input ``i`` beside input 0 of dtype ``d1``."""
        return partner(draw, d1, op.category_of(i))

    def dtypes(self, draw: Draw, op: OpDef, n: int) -> list[np.dtype[Any]]:
        """``n`` dtypes, each pair of which the standard's promotion table covers."""
        out = [dtype(draw, op.category_of(0))]
        for _ in range(n - 1):
            ok = [t for t in dtypes_of(op.category_of(0)) if all(promotable(t, d) for d in out)]
            out.append(draw(st.sampled_from([out[0]] + ok)))
        return out

    def shape(
        self,
        draw: Draw,
        min_dims: int = 0,
        max_dims: int = MAX_DIMS,
        min_side: int = 0,
        max_side: int | None = None,
        max_size: int = MAX_SIZE,
    ) -> tuple[int, ...]:
        """A shape; ``max_size`` bounds the gradient checks' only."""
        return draw(
            shapes(
                min_dims,
                max_dims,
                min_side,  # type: ignore[no-any-return]
                max_side or MAX_SIDE,
            )
        )

    def broadcast(
        self, draw: Draw, n: int = 2, max_dims: int = MAX_DIMS, max_side: int = MAX_SIDE
    ) -> tuple[tuple[int, ...], ...]:
        """``n`` shapes that broadcast together; ``max_side`` bounds the forward checks' only."""
        return tuple(
            draw(
                hnp.mutually_broadcastable_shapes(
                    num_shapes=n, max_dims=max_dims, max_side=max_side
                )
            ).input_shapes
        )

    def elements(self, op: OpDef, dt: np.dtype[Any], i: int = 0) -> st.SearchStrategy[Any]:
        return elements(dt, domain_of(op, i))

    def array(
        self,
        draw: Draw,
        op: OpDef,
        i: int = 0,
        *,
        dt: np.dtype[Any] | None = None,
        shape: tuple[int, ...] | None = None,
        **shape_kw: Any,
    ) -> np.ndarray[Any, Any]:
        """Input ``i`` of ``op``: its dtype, a shape (``shape_kw`` as for ``shape``), its
        elements."""
        dt = self.dtype(draw, op, i) if dt is None else dt
        shape = self.shape(draw, **shape_kw) if shape is None else shape
        return np.asarray(draw(hnp.arrays(dt, shape, elements=self.elements(op, dt, i))))


class Gradient(Mode):
    """What a shared sampler draws for a gradient check (``GRADIENT``): float64 or complex128
    (int64 or bool for indices and masks), small shapes without zero-size dimensions, elements
    from ``smooth_of``."""

    grad = True

    def dtype(self, draw: Draw, op: OpDef, i: int = 0) -> np.dtype[Any]:
        floats = float_dtypes(op.category_of(i))
        if floats:
            return draw(st.sampled_from(floats))  # type: ignore[no-any-return]
        return np.dtype("int64" if "int64" in CATEGORY_DTYPES[op.category_of(i)] else "bool")

    def partner(self, draw: Draw, op: OpDef, d1: np.dtype[Any], i: int) -> np.dtype[Any]:
        return self.dtype(draw, op, i)  # float64 and complex128 promote with each other

    def dtypes(self, draw: Draw, op: OpDef, n: int) -> list[np.dtype[Any]]:
        return [self.dtype(draw, op) for _ in range(n)]

    def shape(
        self,
        draw: Draw,
        min_dims: int = 0,
        max_dims: int = MAX_DIMS,
        min_side: int = 0,
        max_side: int | None = None,
        max_size: int = MAX_SIZE,
    ) -> tuple[int, ...]:
        return small_shape(draw, min_dims, max_dims, max(min_side, 1), max_side or 3, max_size)

    def broadcast(
        self, draw: Draw, n: int = 2, max_dims: int = MAX_DIMS, max_side: int = MAX_SIDE
    ) -> tuple[tuple[int, ...], ...]:
        return small_broadcast(draw, n, max_dims)

    def elements(self, op: OpDef, dt: np.dtype[Any], i: int = 0) -> st.SearchStrategy[Any]:
        return smooth_of(op, i).elements(dt)


FORWARD, GRADIENT = Mode(), Gradient()


# -- which ops are of which kind ---------------------------------------------------------------
def _declared_in() -> dict[str, str]:
    """Op name -> the ``polytensor/_ops/<chapter>.py`` module that declares it.

    Read from the source (an assignment from a builder call), since modules import each
    other's functions.
    """
    import polytensor._ops as ops_pkg

    by_func: dict[int, str] = {}
    for info in pkgutil.iter_modules(ops_pkg.__path__):
        if info.name == "_registry":
            continue
        module = importlib.import_module(f"polytensor._ops.{info.name}")
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        value = getattr(module, target.id, None)
                        if value is not None:
                            by_func.setdefault(id(value), info.name)
    return {
        op.name: by_func.get(id(op.func), "") for op in _registry.OP_LIST if op.func is not None
    }


# Ops of the table that are not functions of the standard and are checked elsewhere.
INTERNAL = {
    "to_backend": "moves a tensor between backends (x.to(...)); checked in tests/",
}

_CHAPTER_GROUP = {
    "statistical": "reduction",
    "manipulation": "manipulation",
    "linalg": "linalg",
    "linear_algebra": "linalg",
    "fft": "fft",
    "sorting": "sorting/searching/set",
    "searching": "sorting/searching/set",
    "indexing": "indexing/creation/dtypes",
    "creation": "indexing/creation/dtypes",
    "data_types": "indexing/creation/dtypes",
}
GROUPS = (
    "unary",
    "binary",
    "elementwise",
    "reduction",
    "manipulation",
    "linalg",
    "fft",
    "sorting/searching/set",
    "indexing/creation/dtypes",
)


def is_private(op: OpDef) -> bool:
    """``_put``, not ``__getitem__``: an op that is no public function nor operator."""
    return op.name.startswith("_") and not op.name.startswith("__")


def group_of(op: OpDef) -> str | None:
    """The kind of ``op``: unary/binary element-wise (from its builder), else its chapter.

    Private ops (``_put``, ``_scatter_add``: building blocks of derivative rules) have none.
    """
    if is_private(op):
        return None
    chapter = _DECLARED.get(op.name, "")
    if chapter in ("elementwise", "special"):  # (special: SciPy's element-wise functions)
        return {1: "unary", 2: "binary"}.get(len(op.rules), "elementwise")
    return _CHAPTER_GROUP.get(chapter)


_DECLARED = _declared_in()


def ops_in(*groups: str) -> list[OpDef]:
    return [op for op in _registry.OP_LIST if group_of(op) in groups]


def op_id(op: OpDef) -> str:
    return op.name


def differentiable_ops() -> list[OpDef]:
    """Every op of the table with a derivative (a rule or ZERO): all but NONDIFF."""
    return [op for op in _registry.OP_LIST if op.vjp is not _registry.NONDIFF]


# Standard name -> NumPy name, where they differ.
NUMPY_NAMES = {
    "acos": "arccos",
    "acosh": "arccosh",
    "asin": "arcsin",
    "asinh": "arcsinh",
    "atan": "arctan",
    "atan2": "arctan2",
    "atanh": "arctanh",
    "pow": "power",
    "concat": "concatenate",
    "permute_dims": "transpose",
    "bitwise_invert": "invert",
    "bitwise_left_shift": "left_shift",
    "bitwise_right_shift": "right_shift",
}


# polytensor's extensions of the table, with their NumPy definitions.
EXTENSIONS: dict[str, Callable[..., Any]] = {
    "relu": lambda x: np.maximum(x, np.zeros((), dtype=np.asarray(x).dtype)),
}


def numpy_function(name: str) -> Callable[..., Any]:
    """NumPy's reference function for standard function ``name`` (numpy.linalg/numpy.fft for
    the extensions)."""
    if name in EXTENSIONS:
        return EXTENSIONS[name]
    module: Any = np
    if "." in name:
        ext, name = name.split(".", 1)
        if ext == "special":  # polytensor.special is SciPy's
            import scipy.special

            return getattr(scipy.special, name)  # type: ignore[no-any-return]
        module = getattr(np, ext)
    return getattr(module, NUMPY_NAMES.get(name, name))  # type: ignore[no-any-return]


def public_function(op: OpDef) -> Callable[..., Any]:
    """The function users call for ``op``: ``pt.<name>`` or ``pt.linalg.<name>``."""
    obj: Any = pt
    for part in op.name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            break
    if obj is None:
        if op.func is None:
            raise LookupError(
                f"op {op.name!r} has no public function; give it a sampler "
                f"with call= in conformance/domains.py"
            )
        return op.func
    return obj  # type: ignore[no-any-return]


# -- default samplers by kind, and reductions ----------------------------------------------------
def unary_case(draw: Draw, op: OpDef, m: Mode) -> Case:
    return Case((m.array(draw, op),))


def binary_case(draw: Draw, op: OpDef, m: Mode) -> Case:
    """Two inputs with broadcasting shapes; for gradients each dtype is drawn on its own (real
    with complex checks that the real input gets the real part)."""
    d1 = m.dtype(draw, op, 0)
    d2 = m.partner(draw, op, d1, 1)
    s1, s2 = m.broadcast(draw)
    return Case(
        (m.array(draw, op, 0, dt=d1, shape=s1), m.array(draw, op, 1, dt=d2, shape=s2)),
        ref=REFERENCES.get(op.name),
    )


def _axis(
    draw: Draw, ndim: int, tuples: bool = True, nonempty: bool = False
) -> int | tuple[int, ...] | None:
    options: list[st.SearchStrategy[Any]] = [st.none()]
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
        if tuples:
            options.append(
                st.lists(
                    st.integers(0, ndim - 1),
                    unique=True,
                    min_size=1 if nonempty else 0,
                    max_size=ndim,
                ).map(lambda axes: tuple(a - ndim if i % 2 else a for i, a in enumerate(axes)))
            )
    return draw(st.one_of(*options))  # type: ignore[no-any-return]


def _magnitude(*arrays: Any) -> float:
    """Sum of the finite magnitudes of ``arrays`` (at least 1): an absolute error scale."""
    total = 1.0
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind in "fciu":
            m = np.abs(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64))
            total += float(np.sum(m[np.isfinite(m)]))
    return total


# Reductions that need a non-empty input (NumPy raises; the standard leaves them unspecified).
NONEMPTY = {"max", "min", "argmax", "argmin"}
# Reductions whose axis is one int (or None); the others also take a tuple.
INT_AXIS = {"argmax", "argmin", "cumulative_sum", "cumulative_prod"}
# Reductions whose gradient checks draw distinct values: no ties (max, min), var > 0.
DISTINCT = {"max", "min", "var", "std"}


def reduction_case(draw: Draw, op: OpDef, m: Mode) -> Case:
    params = inspect.signature(public_function(op)).parameters
    cumulative = "include_initial" in params
    spread = m.grad and op.short in ("var", "std")  # at least two elements along the axes
    dt = m.dtype(draw, op)
    shape = m.shape(
        draw,
        min_dims=1 if cumulative or spread else 0,
        min_side=2 if spread else 1 if op.short in NONEMPTY else 0,
    )
    x = (
        distinct(draw, shape, dt)
        if m.grad and op.short in DISTINCT
        else m.array(draw, op, dt=dt, shape=shape)
    )
    kw: dict[str, Any] = {}
    if cumulative:
        kw["axis"] = (
            draw(st.integers(-x.ndim, x.ndim - 1))
            if x.ndim > 1
            else draw(st.sampled_from([None, 0, -1]))
        )
        kw["include_initial"] = draw(st.booleans())
    else:
        kw["axis"] = _axis(draw, x.ndim, tuples=op.short not in INT_AXIS, nonempty=spread)
        kw["keepdims"] = draw(st.booleans())
    if "dtype" in params and not m.grad and draw(st.booleans()):  # an accumulator as wide
        wider = [
            d
            for d in dtypes_of(op.category_of(0))
            if d.kind == dt.kind and d.itemsize >= dt.itemsize
        ]
        kw["dtype"] = draw(st.sampled_from(wider))
    ref_kw = dict(kw)
    if "correction" in params:
        kw["correction"] = ref_kw["ddof"] = draw(st.sampled_from([0, 1, 0.5]))
    scale = _magnitude(x)
    if op.short in ("var", "std"):
        scale = scale * scale if op.short == "var" else scale
    return Case(
        (x,),
        kw,
        ref=lambda x, **_: numpy_function(op.name)(x, **ref_kw),
        tol="reduction",
        scale=scale,
    )


def default_case(draw: Draw, op: OpDef, m: Mode) -> Case:
    """The sampler of the op's kind: two broadcastable arrays (binary), one array with the
    arguments of a reduction, or one array and no other argument."""
    if group_of(op) == "binary":
        return binary_case(draw, op, m)
    params = inspect.signature(public_function(op)).parameters
    if "keepdims" in params or "include_initial" in params:
        return reduction_case(draw, op, m)
    return unary_case(draw, op, m)


# -- references that differ from NumPy's function of the same name -----------------------------
def _floor_divide(x1: Any, x2: Any) -> Any:
    # The standard wants floor(x1 / x2) where an operand is infinite; NumPy follows Python's //
    # there (inf // 2 is nan, 1 // -inf is -1).
    r = np.floor_divide(x1, x2)
    if r.dtype.kind != "f":
        return r
    return np.where(np.isinf(x1) | np.isinf(x2), np.floor(np.divide(x1, x2)), r)


REFERENCES: dict[str, Callable[..., Any]] = {
    "floor_divide": _floor_divide,
}


# -- element-wise, other than unary/binary ---------------------------------------------------------
def _within(draw: Draw, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts *to* ``shape``: a suffix of it, some dimensions set to 1."""
    k = draw(st.integers(0, len(shape)))
    return tuple(1 if draw(st.booleans()) else s for s in shape[len(shape) - k :])


def _clip(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    x = array(draw, dt, draw(shapes()))
    bound = Domain(-50.0, 50.0, ilo=-50, ihi=50, specials=())

    def one() -> Any:
        kind = draw(st.sampled_from(["none", "scalar", "array"]))
        if kind == "none":
            return None
        if kind == "scalar":
            return draw(elements(dt, bound))
        return array(draw, dt, _within(draw, x.shape), bound)

    lo, hi = one(), one()
    if lo is not None and hi is not None:  # min > max is unspecified
        hi = (
            np.asarray(np.maximum(lo, hi), dtype=dt)
            if isinstance(hi, np.ndarray) or isinstance(lo, np.ndarray)
            else max(lo, hi)
        )

    def ref(x: Any, min: Any = None, max: Any = None) -> Any:
        if min is None and max is None:
            return x.copy()
        return np.clip(x, min, max)

    return Case((x,), {"min": lo, "max": hi}, ref=ref)


def _clip_grad(draw: Draw, op: OpDef) -> GradCase:
    # x on odd multiples of 1/8, bounds on even ones: never at a kink; min < max always.
    x = smooth_values(draw, F64, small_shape(draw), Smooth(grid(1)))
    kinds = [draw(st.sampled_from(["none", "scalar", "array"])) for _ in range(2)]
    lo_dom, hi_dom = Smooth(grid(0).map(lambda v: -abs(v) - 0.25)), Smooth(grid(0).map(abs))
    arrays, bounds = [x], []
    for kind, dom in zip(kinds, (lo_dom, hi_dom), strict=True):
        if kind == "array":
            arrays.append(smooth_values(draw, F64, _within(draw, x.shape), dom))
            bounds.append("array")
        else:
            bounds.append(None if kind == "none" else float(draw(dom.real)))
    n_lo = 1 if bounds[0] == "array" else 0

    def fn(x: Any, *bs: Any) -> Any:
        lo = bs[0] if bounds[0] == "array" else bounds[0]
        hi = bs[n_lo] if bounds[1] == "array" else bounds[1]
        return pt.clip(x, min=lo, max=hi)

    return _case(op, fn, tuple(arrays), bounds=bounds)


def _where(draw: Draw, op: OpDef, m: Mode) -> Case:
    d1 = m.dtype(draw, op, 1)
    d2 = m.partner(draw, op, d1, 2)
    sc, s1, s2 = m.broadcast(draw, 3)
    cond = array(draw, np.dtype(bool), sc)
    x1, x2 = m.array(draw, op, 1, dt=d1, shape=s1), m.array(draw, op, 2, dt=d2, shape=s2)
    if draw(st.integers(0, 2)) == 0:  # a Python scalar takes the other argument's dtype
        s = draw(m.elements(op, d1, 1))
        s_array = np.asarray(s, dtype=d1)
        if draw(st.booleans()):
            return Case((cond, x1, s), ref=lambda c, a, _: np.where(c, a, s_array))
        return Case((cond, s, x1), ref=lambda c, _, a: np.where(c, s_array, a))
    return Case((cond, x1, x2))


# -- sorting, searching, sets ----------------------------------------------------------------------
def _sort(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    x = array(draw, dt, draw(shapes(min_dims=1)), domain_of(op))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    descending = draw(st.booleans())

    def ref(x: Any, axis: int, descending: bool, stable: bool) -> Any:
        if op.short == "sort":
            r = np.sort(x, axis=axis, stable=True)
            return np.flip(r, axis=axis) if descending else r
        if not descending:
            return np.argsort(x, axis=axis, stable=True)
        # a stable descending order keeps equal elements in their original order
        n = x.shape[axis]
        return n - 1 - np.flip(np.argsort(np.flip(x, axis=axis), axis=axis, stable=True), axis=axis)

    return Case((x,), {"axis": axis, "descending": descending, "stable": True}, ref=ref)


def _sort_grad(draw: Draw, op: OpDef) -> GradCase:
    x = distinct(draw, small_shape(draw, min_dims=1))  # no ties
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    descending = draw(st.booleans())
    return _with(
        op,
        x,
        lambda x: pt.sort(x, axis=axis, descending=descending),
        axis=axis,
        descending=descending,
    )


def _isin(draw: Draw, op: OpDef) -> Case:
    d1 = dtype(draw, op.category_of(0))
    d2 = partner(draw, d1, op.category_of(1))
    small = Domain(-5.0, 5.0, ilo=-5, ihi=5)
    x1 = array(draw, d1, draw(shapes()), small)
    x2: Any = array(draw, d2, draw(shapes()), small)
    if draw(st.integers(0, 3)) == 0:  # a Python int (2025.12)
        x2 = draw(st.integers(0, 5))
    invert = draw(st.booleans())
    return Case(
        (x1, x2), {"invert": invert}, ref=lambda x1, x2, invert: np.isin(x1, x2, invert=invert)
    )


def _sorted_by_value(values: Any, *others: Any) -> tuple[Any, ...]:
    order = (
        np.lexsort((np.imag(values), np.real(values)))
        if values.dtype.kind == "c"
        else np.argsort(values, stable=True)
    )
    return (values[order],) + tuple(o[order] for o in others)


def _check_unique(got: Any, want: Any, case: Case) -> None:
    """unique_*: the same values and counts as NumPy's, in any order; indices consistent."""
    x = case.args[0]
    flat = x.reshape(-1)
    name = case.meta["name"]
    fields = {
        "unique_all": ("values", "indices", "inverse_indices", "counts"),
        "unique_counts": ("values", "counts"),
        "unique_inverse": ("values", "inverse_indices"),
        "unique_values": None,
    }[name]
    if fields is None:
        host = assert_same_meta(got, np.asarray(want), "unique_values")
        assert_values(np.sort(host), np.sort(np.asarray(want)), case, "unique_values")
        return
    assert isinstance(got, tuple) and getattr(got, "_fields", None) == fields, (
        f"{name}() must return a named tuple with fields {fields}; got {type(got).__name__} "
        f"{getattr(got, '_fields', None)}"
    )
    w = {f: np.asarray(getattr(want, f)) for f in fields}
    g = {f: assert_same_meta(getattr(got, f), w[f], f"{name}().{f}") for f in fields}
    gv = g["values"]
    if "counts" in fields:
        gs = _sorted_by_value(gv, g["counts"])
        ws = _sorted_by_value(w["values"], w["counts"])
        assert_values(gs[0], ws[0], case, f"{name}().values")
        np.testing.assert_array_equal(gs[1], ws[1], err_msg=f"{name}().counts")
    else:
        assert_values(
            _sorted_by_value(gv)[0], _sorted_by_value(w["values"])[0], case, f"{name}().values"
        )
    if "inverse_indices" in fields:
        inv = g["inverse_indices"]
        assert inv.shape == x.shape, (
            f"{name}().inverse_indices has shape {inv.shape}; expected the input's {x.shape}"
        )
        assert_values(
            gv[inv.reshape(-1)].reshape(x.shape), x, case, f"{name}(): values[inverse_indices] == x"
        )
    if "indices" in fields:
        assert_values(flat[g["indices"]], gv, case, f"{name}(): x[indices] == values")


def _unique(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    x = array(draw, dt, draw(shapes()), Domain(-3.0, 3.0, ilo=-3, ihi=3))
    x = np.asarray(np.round(x)) if dt.kind in "fc" else x
    return Case((x,), check=_check_unique, meta={"name": op.name})


def _nonzero(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    return Case((array(draw, dt, draw(shapes(min_dims=1)), Domain(-2.0, 2.0, ilo=-1, ihi=1)),))


def _searchsorted(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    dom = Domain(-10.0, 10.0, ilo=-10, ihi=10, specials=NO_NAN)
    x1 = array(draw, dt, draw(shapes(1, 1)), dom)
    x2: Any = (
        array(draw, dt, draw(shapes()), dom)
        if draw(st.booleans())
        else draw(elements(dt, dom).map(lambda v: v.item() if hasattr(v, "item") else v))
    )
    kw: dict[str, Any] = {"side": draw(st.sampled_from(["left", "right"]))}
    if draw(st.booleans()):
        kw["sorter"] = np.argsort(x1, stable=True).astype(
            draw(st.sampled_from([np.dtype("int64"), np.dtype("int32")]))
        )
    else:
        x1 = np.sort(x1)
    return Case((x1, x2), kw)


# -- indexing ----------------------------------------------------------------------------------
def _take(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op, min_dims=1)
    axis = None if x.ndim == 1 and draw(st.booleans()) else draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[0 if axis is None else axis]
    idt = m.dtype(draw, op, 1)
    # one index is an edge case of the forward checks; gradients of no index are all zero
    counts = st.integers(1, 4) if m.grad else st.one_of(st.just(1), st.integers(0, 5))
    k = draw(counts) if n else 0
    idx = np.asarray(
        draw(st.lists(st.integers(0, max(n - 1, 0)), min_size=k, max_size=k)), dtype=idt
    )
    return Case((x, idx), {"axis": axis}, ref=lambda x, i, axis: np.take(x, i, axis=axis))


def _take_along_axis(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op, min_dims=1)
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    shape = list(x.shape)
    shape[axis] = draw(st.integers(1, 3) if m.grad else st.integers(0, 4)) if n else 0
    idt = m.dtype(draw, op, 1)
    idx = draw(hnp.arrays(idt, tuple(shape), elements=st.integers(0, max(n - 1, 0))))
    return Case((x, idx), {"axis": axis})


def _scatter_along_axis(draw: Draw, op: OpDef) -> GradCase:
    """The adjoint of take_along_axis: zeros of ``shape`` with g added at indices along
    ``axis`` (repeats add up)."""
    out_shape = small_shape(draw, min_dims=1, max_dims=2, max_size=6)
    axis = draw(st.integers(0, len(out_shape) - 1))
    at = list(out_shape)
    at[axis] = draw(st.integers(1, 3))
    idx = ints(draw, tuple(at), 0, out_shape[axis] - 1)
    g = GRADIENT.array(draw, op, shape=tuple(at))
    fn = op.func
    return _case(
        op,
        lambda g, i: fn(g, i, axis=axis, shape=out_shape),  # type: ignore[misc]
        (g,),
        (idx,),
        axis=axis,
        shape=out_shape,
    )


def _check_range(draw: Draw, op: OpDef) -> GradCase:
    """x itself once its values are checked to lie in [low, high] (bounds around the drawn
    values): its gradient passes unchanged."""
    x = GRADIENT.array(draw, op, shape=small_shape(draw))
    low = float(np.min(x, initial=0.0)) - 1.0
    high = float(np.max(x, initial=0.0)) + 1.0
    fn = op.func
    return _with(
        op,
        x,
        lambda x: fn(x, low=low, high=high, message="out of range"),  # type: ignore[misc]
        low=low,
        high=high,
    )


def _basic_key(draw: Draw, shape: tuple[int, ...], newaxis: bool = False) -> tuple[Any, ...]:
    """A basic index of an array of ``shape``; where it does not index every dimension it ends
    with an ellipsis, since the standard leaves partial (flat) indexing unspecified."""
    key = draw(hnp.basic_indices(shape, allow_newaxis=newaxis, allow_ellipsis=True))
    key = key if isinstance(key, tuple) else (key,)
    if Ellipsis not in key and sum(k is not None for k in key) < len(shape):
        key = key + (Ellipsis,)
    return key  # type: ignore[no-any-return]


def _getitem_basic(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op)
    key = _basic_key(draw, x.shape, newaxis=True)
    return Case((x,), call=lambda x: x[key], ref=lambda x: np.asarray(x[key]), meta={"key": key})


def _getitem_mask(draw: Draw, op: OpDef, m: Mode) -> Case:
    """A boolean mask of the leading dimensions: the standard's boolean-array index."""
    x = m.array(draw, op, min_dims=1)
    k = draw(st.integers(1, x.ndim))
    mask = draw(hnp.arrays(np.dtype(bool), x.shape[:k]))
    return Case((x, mask), call=lambda x, mask: x[mask], ref=lambda x, mask: x[mask])


def _getitem_integer_arrays(draw: Draw, op: OpDef) -> GradCase:
    """x[i1, ..., in] with one broadcasting integer array per dimension, repeated indices
    included (their gradients add up)."""
    x = GRADIENT.array(draw, op, min_dims=1, max_dims=2)
    ishape = small_shape(draw, max_dims=2, max_size=4)
    idx = tuple(ints(draw, ishape, -s, s - 1) for s in x.shape)
    return _case(op, lambda x, *i: x[i], (x,), idx)


def _scatter_add(draw: Draw, op: OpDef) -> GradCase:
    """The adjoint of x[key]: zeros of ``shape`` with g added at key. Keys the standard allows:
    one integer array per dimension (repeated indices add up), or a basic index."""
    out_shape = small_shape(draw, min_dims=1, max_dims=2, max_size=6)
    fn = op.func
    if draw(st.booleans()):
        from polytensor._ops.indexing import _Slot

        k = draw(st.integers(1, 4))
        idx = tuple(ints(draw, (k,), 0, s - 1) for s in out_shape)
        key: Any = tuple(_Slot(i) for i in range(len(idx)))
        g = GRADIENT.array(draw, op, shape=(k,))
    else:
        key = _basic_key(draw, out_shape)
        idx = ()
        g = GRADIENT.array(draw, op, shape=np.empty(out_shape)[key].shape)
    return _case(
        op,
        lambda g, *i: fn(g, *i, key=key, shape=out_shape),  # type: ignore[misc]
        (g,),
        idx,
        key=key,
        shape=out_shape,
    )


def _put(draw: Draw, op: OpDef, *, integer_arrays: bool) -> GradCase:
    """y = x.clone(); y[key] = v: the recorded functional write (gradients to x and v)."""
    # integer arrays: one, on a 1-D x (Dask assigns through at most one integer array)
    x = GRADIENT.array(draw, op, min_dims=1, max_dims=1 if integer_arrays else 3)
    if not integer_arrays:
        key = _basic_key(draw, x.shape)
        consts: tuple[Any, ...] = ()
        target = np.empty(x.shape)[key].shape
    else:  # distinct positions (repeated writes are unspecified)
        k = draw(st.integers(1, x.size))
        consts = (np.asarray(draw(st.permutations(range(x.size))), dtype=np.int64)[:k],)
        key = None
        target = (k,)
    v = smooth_values(draw, np.dtype(x.dtype), _within(draw, target))

    def fn(x: Any, v: Any, *i: Any) -> Any:
        y = pt.asarray(x, copy=True)
        y[key if key is not None else i] = v
        return y

    return _case(op, fn, (x, v), consts, key=key)


# -- creation, data types ------------------------------------------------------------------------
def _meshgrid(draw: Draw, op: OpDef, m: Mode) -> Case:
    dt = m.dtype(draw, op)  # the standard asks for one dtype
    arrays = [
        m.array(draw, op, dt=dt, min_dims=1, max_dims=1) for _ in range(draw(st.integers(1, 3)))
    ]
    return Case(tuple(arrays), {"indexing": draw(st.sampled_from(["xy", "ij"]))})


def _tri(draw: Draw, op: OpDef, m: Mode) -> Case:
    return Case((m.array(draw, op, min_dims=2),), {"k": draw(st.integers(-3, 3))})


def _astype(draw: Draw, op: OpDef) -> Case:
    src = dtype(draw, "any")
    dst = dtype(draw, "any")
    # Casting complex to real, and NaN, infinities or out-of-range values to integers, is
    # unspecified by the standard.
    assume(not (src.kind == "c" and dst.kind != "c"))
    dom = DEFAULT
    if dst.kind in "iub" and src.kind in "fiu":
        dom = Domain(
            0.0 if dst.kind in "ub" else -100.0,
            100.0,
            ilo=0 if dst.kind in "ub" else -100,
            ihi=100,
            specials=(),
        )
    x = array(draw, src, draw(shapes()), dom)
    copy = draw(st.booleans())
    return Case((x, dst), {"copy": copy}, ref=lambda x, d, copy: x.astype(d))


def _astype_grad(draw: Draw, op: OpDef) -> GradCase:
    src = GRADIENT.dtype(draw, op)
    dst = C128 if src == C128 else draw(st.sampled_from([F64, C128]))
    copy = True if dst == src else draw(st.booleans())
    x = smooth_values(draw, src, small_shape(draw))
    target = getattr(pt, dst.name)
    return _with(op, x, lambda x: pt.astype(x, target, copy=copy), dtype=dst.name, copy=copy)


# -- manipulation ----------------------------------------------------------------------------------
def _broadcast_arrays(draw: Draw, op: OpDef, m: Mode) -> Case:
    return Case(
        tuple(m.array(draw, op, shape=s) for s in m.broadcast(draw, draw(st.integers(1, 3))))
    )


def _broadcast_to(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op)
    other = draw(hnp.broadcastable_shapes(x.shape, max_dims=MAX_DIMS, max_side=MAX_SIDE))
    return Case((x,), {"shape": np.broadcast_shapes(x.shape, other)})


def _concat(draw: Draw, op: OpDef, m: Mode) -> Case:
    dts = m.dtypes(draw, op, draw(st.integers(1, 3)))
    if draw(st.integers(0, 3)) == 0:  # axis=None: flattened, any shapes
        arrays = [m.array(draw, op, dt=d, max_size=4) for d in dts]
        return Case(
            (arrays,),
            {"axis": None},
            ref=lambda a, axis: np.concatenate([x.reshape(-1) for x in a]),
        )
    base = list(m.shape(draw, min_dims=1, max_size=4))
    axis = draw(st.integers(-len(base), len(base) - 1))
    arrays = []
    for d in dts:
        base[axis] = draw(st.integers(1, 2) if m.grad else st.integers(0, MAX_SIDE))
        arrays.append(m.array(draw, op, dt=d, shape=tuple(base)))
    return Case((arrays,), {"axis": axis})


def _expand_dims(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op)
    n = x.ndim
    if draw(st.booleans()):
        axis: Any = draw(st.integers(-n - 1, n))
    else:  # a tuple of axes (2025.12)
        k = draw(st.integers(1, 2))
        axis = tuple(draw(st.lists(st.integers(0, n + k - 1), min_size=k, max_size=k, unique=True)))
    return Case((x,), {"axis": axis}, ref=lambda x, axis: np.expand_dims(x, axis))


def _flip(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op)
    return Case((x,), {"axis": _axis(draw, x.ndim)})


def _moveaxis(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op, min_dims=1)
    n = x.ndim
    if draw(st.booleans()):
        src: Any = draw(st.integers(-n, n - 1))
        dst: Any = draw(st.integers(-n, n - 1))
    else:
        src = tuple(draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n)))
        dst = tuple(
            draw(st.lists(st.integers(0, n - 1), unique=True, min_size=len(src), max_size=len(src)))
        )
    return Case((x, src, dst))


def _permute_dims(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op)
    axes = tuple(draw(st.permutations(range(x.ndim))))
    return Case((x,), {"axes": axes}, ref=lambda x, axes: np.transpose(x, axes))


def _repeat(draw: Draw, op: OpDef, m: Mode, *, array_repeats: bool) -> Case:
    x = m.array(draw, op, max_size=6)
    axis = None if x.ndim == 0 or draw(st.booleans()) else draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.size if axis is None else x.shape[axis]
    if array_repeats:
        repeats: Any = np.asarray(
            draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), dtype=m.dtype(draw, op, 1)
        )
    else:
        repeats = draw(st.integers(0, 3))
    # Note: NumPy refuses uint64 repeats (no safe cast to intp); the reference casts them.
    return Case(
        (x, repeats),
        {"axis": axis},
        ref=lambda x, r, axis: np.repeat(x, np.asarray(r).astype(np.int64), axis=axis),
    )


def _reshape(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op)
    size = x.size
    if size == 0:
        dims = list(draw(shapes(min_dims=1)))
        dims[draw(st.integers(0, len(dims) - 1))] = 0
    else:
        dims, rest = [], size
        for _ in range(draw(st.integers(0, 3))):
            dims.append(draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0])))
            rest //= dims[-1]
        if rest != 1 or draw(st.booleans()):
            dims.append(rest)
        if dims and draw(st.booleans()):
            dims[draw(st.integers(0, len(dims) - 1))] = -1
    return Case((x,), {"shape": tuple(dims)}, ref=lambda x, shape: np.reshape(x, shape))


def _roll(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op)
    if x.ndim and draw(st.booleans()):
        axis = tuple(
            draw(st.lists(st.integers(0, x.ndim - 1), unique=True, min_size=1, max_size=x.ndim))
        )
        shift: Any = tuple(draw(st.integers(-5, 5)) for _ in axis)
        if len(axis) == 1 and draw(st.booleans()):
            axis, shift = axis[0], shift[0]  # type: ignore[assignment]
    else:
        axis, shift = None, draw(st.integers(-5, 5))  # type: ignore[assignment]
    return Case((x,), {"shift": shift, "axis": axis})


def _squeeze(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op, min_dims=1, max_side=2)
    ones = [i for i, s in enumerate(x.shape) if s == 1]
    if not ones:
        x = x.reshape(x.shape + (1,))
        ones = [x.ndim - 1]
    axes = draw(st.lists(st.sampled_from(ones), unique=True, min_size=1))
    axis: Any = tuple(a - x.ndim if draw(st.booleans()) else a for a in axes)
    if len(axis) == 1 and draw(st.booleans()):
        axis = axis[0]
    return Case((x,), {"axis": axis})


def _stack(draw: Draw, op: OpDef, m: Mode) -> Case:
    shape = m.shape(draw, max_size=4)
    arrays = [
        m.array(draw, op, dt=d, shape=shape) for d in m.dtypes(draw, op, draw(st.integers(1, 3)))
    ]
    return Case((arrays,), {"axis": draw(st.integers(-len(shape) - 1, len(shape)))})


def _tile(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op, max_size=4)
    lo, hi = (1, 2) if m.grad else (0, 3)  # gradients of an empty result are all zero
    reps = tuple(draw(st.lists(st.integers(lo, hi), max_size=3)))
    assume(reps or x.ndim)
    return Case((x, reps), ref=lambda x, reps: np.tile(x, reps))


def _unstack(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op, min_dims=1)
    return Case((x,), {"axis": draw(st.integers(-x.ndim, x.ndim - 1))})


def _copy(draw: Draw, op: OpDef, m: Mode) -> Case:
    # the gradient checks call the recorded copy of pt.asarray(x, copy=True) and x.clone()
    return Case(
        (m.array(draw, op),), call=op.func if m.grad else None, ref=lambda x: np.array(x, copy=True)
    )


def _to_backend(draw: Draw, op: OpDef) -> GradCase:
    """x.to(another backend): the recorded move (the gradient moves back)."""
    x = GRADIENT.array(draw, op)
    here = pt.get_backend().name
    others = sorted(
        n
        for n, s in pt.backends.available().items()
        if s == "available" and n not in (here, "cupy")
    )
    target = draw(st.sampled_from(others)) if others else here
    return _with(op, x, lambda x: x.to(target), to=target)


# -- linear algebra ----------------------------------------------------------------------------
def _stack_shape(draw: Draw, *core: int) -> tuple[int, ...]:
    return tuple(draw(shapes(0, 1, 0, 2))) + core


def _general(draw: Draw, dt: np.dtype[Any], n: int, batch: tuple[int, ...]) -> Any:
    """Square matrices with a dominant diagonal: invertible and well conditioned."""
    a = array(draw, dt, batch + (n, n), _MAT)
    return (a + (n + 1) * np.eye(n, dtype=dt)).astype(dt)


def _hermitian(
    draw: Draw, dt: np.dtype[Any], n: int, batch: tuple[int, ...], definite: bool
) -> Any:
    a = array(draw, dt, batch + (n, n), _MAT)
    h = (a + np.conj(np.swapaxes(a, -1, -2))) / 2
    if definite:
        h = h + (n + 1) * np.eye(n, dtype=dt)
    return h.astype(dt)


def sqabs(v: Any) -> Any:
    """|v|**2 element-wise: invariant to the sign / phase of eigen- and singular vectors."""
    return pt.real(v * pt.conj(v)) if v.dtype.kind == "complex floating" else v * v


def hermitian_part(a: Any) -> Any:
    """(a + a^H) / 2 of a tensor."""
    h = pt.matrix_transpose(a)
    if a.dtype.kind == "complex floating":
        h = pt.conj(h)
    return (a + h) / 2


def _spread(n: int, dtype: Any, step: float = 1.5) -> Any:
    """diag(0, step, 2 step, ...): separates eigenvalues by more than the sampled noise."""
    return pt.asarray(np.diag(np.arange(n) * step), dtype=dtype)


def _noise(
    draw: Draw, dtype: np.dtype[Any], shp: tuple[int, ...], scale: float = 0.3
) -> np.ndarray[Any, Any]:
    """Entries of magnitude in [scale / 10, scale]: no exact zeros, which would put a matrix at
    a special point of LAPACK (a triangular matrix: eig's output order jumps there)."""
    return smooth_values(draw, dtype, shp, Smooth(signed(scale / 10, scale)))


def _batch(draw: Draw) -> tuple[int, ...]:
    return draw(st.sampled_from([(), (), (1,), (2,)]))  # type: ignore[no-any-return]


def _square(draw: Draw, op: OpDef, lo: int = 0) -> Case:
    dt = FORWARD.dtype(draw, op)
    n = draw(st.integers(lo, 4))
    x = _general(draw, dt, n, _stack_shape(draw))
    return Case((x,), tol="linalg", scale=_magnitude(x))


def _well_conditioned(draw: Draw, op: OpDef) -> np.ndarray[Any, Any]:
    """A well-conditioned square matrix (stack) for a gradient check: noise + 2 I."""
    dt = GRADIENT.dtype(draw, op)
    n = draw(st.integers(1, 3))
    return _noise(draw, dt, _batch(draw) + (n, n), 0.5) + 2 * np.eye(n)


def _square_grad(draw: Draw, op: OpDef) -> GradCase:
    x = _well_conditioned(draw, op)
    fn = op.func
    if op.name == "linalg.slogdet":
        return _with(op, x, lambda x: tuple(pt.linalg.slogdet(x)))
    return _with(op, x, fn)  # type: ignore[arg-type]


def _matrix_power(draw: Draw, op: OpDef) -> Case:
    case = _square(draw, op)
    n = draw(st.integers(-2, 3))
    return Case(case.args + (n,), tol="linalg", scale=case.scale ** max(abs(n), 1))


def _matrix_power_grad(draw: Draw, op: OpDef) -> GradCase:
    x = _well_conditioned(draw, op)
    n = draw(st.integers(-2, 3))
    return _with(op, x, lambda x: pt.linalg.matrix_power(x, n), n=n)


def _solve(draw: Draw, op: OpDef) -> Case:
    dt = FORWARD.dtype(draw, op)
    n = draw(st.integers(1, 4))
    batch = _stack_shape(draw)
    a = _general(draw, dt, n, batch)
    d2 = partner(draw, dt, op.category_of(1))
    if draw(st.booleans()):
        b = array(draw, d2, (n,), _MAT)
    else:
        b = array(draw, d2, batch + (n, draw(st.integers(1, 3))), _MAT)
    return Case((a, b), tol="linalg", scale=_magnitude(a, b))


def _solve_grad(draw: Draw, op: OpDef) -> GradCase:
    x1 = _well_conditioned(draw, op)
    n = x1.shape[-1]
    if draw(st.booleans()):
        x2 = GRADIENT.array(draw, op, shape=(n,))
    else:
        x2 = GRADIENT.array(draw, op, shape=_batch(draw) + (n, draw(st.integers(1, 2))))
    return _case(op, pt.linalg.solve, (x1, x2))


def _cholesky(draw: Draw, op: OpDef) -> Case:
    dt = FORWARD.dtype(draw, op)
    x = _hermitian(draw, dt, draw(st.integers(0, 4)), _stack_shape(draw), True)
    upper = draw(st.booleans())
    return Case(
        (x,),
        {"upper": upper},
        tol="linalg",
        scale=_magnitude(x),
        ref=lambda x, upper: np.linalg.cholesky(x, upper=upper),
    )


def _cholesky_grad(draw: Draw, op: OpDef) -> GradCase:
    """Positive definite, built inside the function: (a + a^H) / 2 + n I."""
    dt = GRADIENT.dtype(draw, op)
    n = draw(st.integers(1, 3))
    a = _noise(draw, dt, _batch(draw) + (n, n), 0.5)
    upper = draw(st.booleans())
    eye = np.eye(n)
    return _with(
        op,
        a,
        lambda a: pt.linalg.cholesky(
            hermitian_part(a) + n * pt.asarray(eye, dtype=a.dtype), upper=upper
        ),
        upper=upper,
    )


def _eigvalsh(draw: Draw, op: OpDef) -> Case:
    dt = FORWARD.dtype(draw, op)
    x = _hermitian(draw, dt, draw(st.integers(0, 4)), _stack_shape(draw), False)
    return Case(
        (x,), tol="linalg", scale=_magnitude(x), check=_check_eig if op.short == "eigh" else None
    )


def _eig(draw: Draw, op: OpDef) -> Case:
    """Diagonalizable matrices with well-separated eigenvalues: P diag(d) P^-1."""
    dt = FORWARD.dtype(draw, op)
    n = draw(st.integers(0, 4))
    batch = _stack_shape(draw)
    wide = np.complex128 if dt.kind == "c" else np.float64
    p = _general(draw, np.dtype(wide), n, batch)
    d = np.arange(1, n + 1, dtype=wide) * draw(st.sampled_from([1.0, -2.0]))
    if dt.kind == "c":
        d = d * np.exp(1j * draw(st.floats(0.0, 3.0)))
    x = (p * d[..., None, :]) @ np.linalg.inv(p)
    x = x.astype(dt)
    return Case((x,), tol="linalg", scale=_magnitude(x), check=_check_eig)


def _check_eig(got: Any, want: Any, case: Case) -> None:
    """eig/eigh/eigvals: eigenvalues match NumPy's as a multiset (eig's are complex, as the
    standard says: NumPy returns real ones when it can); eigenvectors satisfy A v = v w."""
    x = case.args[0]
    vectors = isinstance(want, tuple)
    want_w = np.asarray(want[0] if vectors else want)
    cplx = case.meta.get("complex", False)
    if cplx and want_w.dtype.kind != "c":
        want_w = want_w.astype(np.complex64 if precision(x.dtype) == 32 else np.complex128)
    if vectors:
        assert isinstance(got, tuple) and getattr(got, "_fields", None) == want._fields, (
            f"expected a named tuple with fields {want._fields}; got {type(got).__name__}"
        )
        got_w, got_v = got
    else:
        got_w, got_v = got, None
    gw = assert_same_meta(got_w, want_w, "eigenvalues")
    tol = tolerance(case, want_w.dtype)
    if want_w.size == 0:
        pass
    elif want_w.dtype.kind == "c":
        # match each NumPy eigenvalue to the nearest one of ours
        diff = np.abs(gw[..., :, None] - want_w[..., None, :])
        assert np.all(np.min(diff, axis=-1) <= tol[1] + tol[0] * np.abs(gw)), (
            f"eigenvalues {gw} do not match NumPy's {want_w}"
        )
        assert np.all(np.min(diff, axis=-2) <= tol[1] + tol[0] * np.abs(want_w)), (
            f"eigenvalues {gw} do not match NumPy's {want_w}"
        )
    else:
        np.testing.assert_allclose(
            np.sort(gw, axis=-1), np.sort(want_w, axis=-1), rtol=tol[0], atol=tol[1]
        )
    if got_v is not None:
        want_v = np.asarray(want[1])
        if cplx and want_v.dtype.kind != "c":
            want_v = want_v.astype(want_w.dtype)
        v = assert_same_meta(got_v, want_v, "eigenvectors")
        lhs = x.astype(v.dtype) @ v
        np.testing.assert_allclose(
            lhs, v * gw[..., None, :], rtol=tol[0], atol=tol[1], err_msg="A @ v != v * w"
        )


def _eig_case(draw: Draw, op: OpDef) -> Case:
    c = _eig(draw, op)
    c.meta["complex"] = True
    return c


def _eig_grad(draw: Draw, op: OpDef) -> GradCase:
    """Eigenvalues at least 1.5 - 2 * 0.3 * n apart: noise (made Hermitian inside the function
    for eigh and eigvalsh) + diag(0, 1.5, 3); eigenvectors are checked through |V|**2 (sign
    and phase free)."""
    dt = GRADIENT.dtype(draw, op)
    n = draw(st.integers(1, 3))
    a = _noise(draw, dt, _batch(draw) + (n, n), 0.2)
    hermitian = op.short in ("eigh", "eigvalsh")
    fn = op.func

    def matrix(a: Any) -> Any:
        return (hermitian_part(a) if hermitian else a) + _spread(n, a.dtype)

    if op.short in ("eigvals", "eigvalsh"):
        return _with(op, a, lambda a: fn(matrix(a)))  # type: ignore[misc]

    def vectors(a: Any) -> Any:
        w, v = fn(matrix(a))  # type: ignore[misc]
        return w, sqabs(v)

    return _with(op, a, vectors)


def _rect(draw: Draw, op: OpDef, lo: int = 0) -> np.ndarray[Any, Any]:
    dt = FORWARD.dtype(draw, op)
    m, n = draw(st.integers(lo, 4)), draw(st.integers(lo, 4))
    return array(draw, dt, _stack_shape(draw, m, n), _MAT)


def _full_rank(draw: Draw, op: OpDef, tall: bool = False) -> np.ndarray[Any, Any]:
    """A full-rank (m, n) matrix (stack) with well-separated singular values."""
    dt = GRADIENT.dtype(draw, op)
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if tall and m < n:
        m, n = n, m
    a = _noise(draw, dt, _batch(draw) + (m, n), 0.2)
    k = min(m, n)
    a[..., np.arange(k), np.arange(k)] += 1.0 + 1.5 * np.arange(k)
    return a


def _svdvals(draw: Draw, op: OpDef) -> Case:
    x = _rect(draw, op)
    return Case((x,), tol="linalg", scale=_magnitude(x))


def _svd(draw: Draw, op: OpDef) -> Case:
    x = _rect(draw, op)
    full = draw(st.booleans())
    return Case(
        (x,),
        {"full_matrices": full},
        tol="linalg",
        scale=_magnitude(x),
        ref=lambda x, full_matrices: np.linalg.svd(x, full_matrices=full_matrices),
        check=_check_svd,
    )


def _check_svd(got: Any, want: Any, case: Case) -> None:
    """svd: singular values match NumPy's; U, Vh have NumPy's shapes and rebuild x."""
    x = case.args[0]
    assert isinstance(got, tuple) and getattr(got, "_fields", None) == want._fields, (
        f"svd() must return a named tuple with fields {want._fields}"
    )
    u, s, vh = (
        assert_same_meta(g, np.asarray(w), f"svd().{f}")
        for g, w, f in zip(got, want, want._fields, strict=True)
    )
    tol = tolerance(case, s.dtype)
    np.testing.assert_allclose(s, want.S, rtol=tol[0], atol=tol[1], err_msg="svd().S")
    k = s.shape[-1]
    rebuilt = (u[..., :, :k] * s[..., None, :]) @ vh[..., :k, :]
    np.testing.assert_allclose(
        rebuilt, x, rtol=tol[0], atol=tol[1], err_msg="U @ diag(S) @ Vh != x"
    )


def _svd_grad(draw: Draw, op: OpDef) -> GradCase:
    a = _full_rank(draw, op)
    if op.name == "linalg.svdvals":
        return _with(op, a, pt.linalg.svdvals)
    full = draw(st.booleans())
    k = min(a.shape[-2:])

    def fn(a: Any) -> Any:
        u, s, vh = pt.linalg.svd(a, full_matrices=full)
        u, vh = u[..., :, :k], vh[..., :k, :]  # the rest of a full U / Vh is not unique
        return s, sqabs(u), sqabs(vh), pt.matmul(u, vh)

    return _with(op, a, fn, full_matrices=full)


def _qr(draw: Draw, op: OpDef) -> Case:
    x = _rect(draw, op)
    return Case(
        (x,),
        {"mode": draw(st.sampled_from(["reduced", "complete"]))},
        tol="linalg",
        scale=_magnitude(x),
        check=_check_qr,
    )


def _check_qr(got: Any, want: Any, case: Case) -> None:
    """qr: NumPy's shapes and dtypes; Q has orthonormal columns, R is upper triangular, QR = x."""
    x = case.args[0]
    assert isinstance(got, tuple) and getattr(got, "_fields", None) == want._fields, (
        f"qr() must return a named tuple with fields {want._fields}"
    )
    q, r = (
        assert_same_meta(g, np.asarray(w), f"qr().{f}")
        for g, w, f in zip(got, want, want._fields, strict=True)
    )
    tol = tolerance(case, q.dtype)
    np.testing.assert_allclose(q @ r, x, rtol=tol[0], atol=tol[1], err_msg="Q @ R != x")
    eye = np.conj(np.swapaxes(q, -1, -2)) @ q
    np.testing.assert_allclose(
        eye, np.broadcast_to(np.eye(q.shape[-1]), eye.shape), atol=tol[1], err_msg="Q^H Q != I"
    )
    np.testing.assert_array_equal(np.tril(r, -1), 0, err_msg="R is not upper triangular")


def _qr_grad(draw: Draw, op: OpDef) -> GradCase:
    """Tall or square; factors normalised to a positive (real) diagonal of R, which makes
    them unique (the phase is piecewise constant away from diag(R) = 0)."""
    a = _full_rank(draw, op, tall=True)
    m, n = a.shape[-2:]
    mode = draw(st.sampled_from(["reduced", "complete"])) if m == n else "reduced"

    def fn(a: Any) -> Any:
        q, r = pt.linalg.qr(a, mode=mode)
        d = pt.linalg.diagonal(r)
        phase = (
            d / pt.astype(pt.abs(d), d.dtype) if d.dtype.kind == "complex floating" else pt.sign(d)
        )
        q = q[..., :, :n] * pt.expand_dims(phase, axis=-2)
        r = pt.expand_dims(pt.conj(phase), axis=-1) * r
        return q, r

    return _with(op, a, fn, mode=mode)


def _pinv_rank(draw: Draw, op: OpDef) -> Case:
    dt = FORWARD.dtype(draw, op)
    m, n, k = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(0, 4))
    batch = _stack_shape(draw)
    a = array(draw, dt, batch + (m, k), _MAT)
    b = array(draw, dt, batch + (k, n), _MAT)
    x = (a @ b).astype(dt)  # rank <= k
    if op.short == "pinv":  # pinv of nearly singular matrices is ill conditioned
        x = array(draw, dt, batch + (m, n), _MAT)
        x[..., : min(m, n), : min(m, n)] += 2 * np.eye(min(m, n), dtype=dt)
    rtol = draw(st.sampled_from([None, 1e-3, 0.1]))
    return Case(
        (x,),
        {"rtol": rtol},
        tol="linalg",
        scale=_magnitude(x) ** 2,
        ref=lambda x, rtol: numpy_function(op.name)(x, rtol=rtol),
    )


def _pinv_grad(draw: Draw, op: OpDef) -> GradCase:
    return _with(op, _full_rank(draw, op), pt.linalg.pinv)


def _matrix_norm(draw: Draw, op: OpDef) -> Case:
    x = _rect(draw, op, lo=1)
    order = draw(st.sampled_from(["fro", "nuc", 1, -1, 2, -2, INF, -INF]))
    keepdims = draw(st.booleans())
    return Case((x,), {"keepdims": keepdims, "ord": order}, tol="linalg", scale=_magnitude(x))


def _matrix_norm_grad(draw: Draw, op: OpDef) -> GradCase:
    # Entries growing in magnitude with the row and the column, of alternating signs: no ties
    # among row or column sums of |a|, and no kink of |.|; the noise keeps singular values
    # distinct.
    dt = GRADIENT.dtype(draw, op)
    m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    i, j = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    sign = np.where((i + j) % 2, -1.0, 1.0)
    a = sign * (1.0 + 0.7 * i + 1.9 * j) + _noise(draw, dt, _batch(draw) + (m, n), 0.1)
    order = draw(st.sampled_from(["fro", "nuc", 1, -1, 2, -2, INF, -INF]))
    keepdims = draw(st.booleans())
    return _with(
        op,
        a,
        lambda a: pt.linalg.matrix_norm(a, keepdims=keepdims, ord=order),
        ord=order,
        keepdims=keepdims,
    )


def _vector_norm(draw: Draw, op: OpDef) -> Case:
    dt = FORWARD.dtype(draw, op)
    x = array(draw, dt, draw(shapes(min_side=1)), Domain(-10.0, 10.0))
    order = draw(st.sampled_from([1, 2, INF, -INF, 0, -1, 3]))
    return Case(
        (x,),
        {"axis": _axis(draw, x.ndim), "keepdims": draw(st.booleans()), "ord": order},
        tol="linalg",
        scale=_magnitude(x),
    )


def _vector_norm_grad(draw: Draw, op: OpDef) -> GradCase:
    x = distinct(draw, small_shape(draw), GRADIENT.dtype(draw, op))
    order = draw(st.sampled_from([1, 2, INF, -INF, 0, -1, 3, 0.5]))
    axis = _axis(draw, x.ndim, nonempty=True)
    keepdims = draw(st.booleans())
    return _with(
        op,
        x,
        lambda x: pt.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=order),
        axis=axis,
        keepdims=keepdims,
        ord=order,
    )


def _diagonal_trace(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    x = array(
        draw,
        dt,
        _stack_shape(draw, draw(st.integers(0, 4)), draw(st.integers(0, 4))),
        _MAT if dt.kind in "fc" else DEFAULT,
    )
    return Case((x,), {"offset": draw(st.integers(-4, 4))}, tol="reduction", scale=_magnitude(x))


def _diagonal_trace_grad(draw: Draw, op: OpDef) -> GradCase:
    x = GRADIENT.array(
        draw, op, shape=_batch(draw) + (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    )
    offset = draw(st.integers(-2, 2))
    fn = op.func
    return _with(op, x, lambda x: fn(x, offset=offset), offset=offset)  # type: ignore[misc]


def _cross(draw: Draw, op: OpDef, m: Mode) -> Case:
    d1 = m.dtype(draw, op, 0)
    d2 = m.partner(draw, op, d1, 1)
    s1, s2 = m.broadcast(draw, 2, max_dims=1 if m.grad else 2, max_side=3)
    x1 = m.array(draw, op, 0, dt=d1, shape=s1 + (3,))
    x2 = m.array(draw, op, 1, dt=d2, shape=s2 + (3,))
    axis = -1
    if len(s1) == len(s2) and s1 and draw(st.booleans()):
        # the standard's axis is negative: [-N, -1]
        x1, x2, axis = np.moveaxis(x1, -1, 0), np.moveaxis(x2, -1, 0), -x1.ndim
    return Case((x1, x2), {"axis": axis}, tol="linalg", scale=_magnitude(x1, x2) ** 2)


def _outer(draw: Draw, op: OpDef, m: Mode) -> Case:
    d1 = m.dtype(draw, op, 0)
    d2 = m.partner(draw, op, d1, 1)
    x1 = m.array(draw, op, 0, dt=d1, min_dims=1, max_dims=1)
    x2 = m.array(draw, op, 1, dt=d2, min_dims=1, max_dims=1)
    return Case((x1, x2), ref=np.outer, tol="linalg", scale=_magnitude(x1, x2) ** 2)


def _matmul(draw: Draw, op: OpDef, m: Mode) -> Case:
    d1 = m.dtype(draw, op, 0)
    d2 = m.partner(draw, op, d1, 0)
    b1, b2 = m.broadcast(draw, 2, max_dims=2, max_side=2)
    rows, k, cols = (draw(st.integers(1 if m.grad else 0, 3)) for _ in range(3))
    s1 = (k,) if draw(st.integers(0, 3)) == 0 else b1 + (rows, k)
    s2 = (k,) if draw(st.integers(0, 3)) == 0 else b2 + (k, cols)
    x1, x2 = m.array(draw, op, 0, dt=d1, shape=s1), m.array(draw, op, 1, dt=d2, shape=s2)
    return Case((x1, x2), tol="linalg", scale=_magnitude(x1, x2) ** 2)


def _matmul_transposed(draw: Draw, op: OpDef) -> GradCase:
    """``_matmul_nt`` (x1 @ mT(x2)) and ``_matmul_tn`` (mT(x1) @ x2): stacks of matrices."""
    b1, b2 = small_broadcast(draw, 2, max_dims=2)
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    s1, s2 = (b1 + (m, k), b2 + (n, k)) if op.name == "_matmul_nt" else (b1 + (k, m), b2 + (k, n))
    x1 = GRADIENT.array(draw, op, shape=s1)
    x2 = GRADIENT.array(draw, op, shape=s2)
    return _case(op, op.func, (x1, x2))  # type: ignore[arg-type]


def _relu_backward(draw: Draw, op: OpDef) -> GradCase:
    """where(x > 0, g, 0): x away from the kink at 0 (the gradient in x is 0 elsewhere)."""
    s1, s2 = small_broadcast(draw)
    g = smooth_values(draw, F64, s1)
    x = smooth_values(draw, F64, s2, _NONZERO)
    return _case(op, op.func, (g, x))  # type: ignore[arg-type]


def _mask_grad(draw: Draw, op: OpDef) -> GradCase:
    """where(keep, g, 0): g smooth values, keep a boolean mask broadcast with it."""
    s1, s2 = small_broadcast(draw)
    g = smooth_values(draw, F64, s1)
    keep = array(draw, np.dtype(bool), s2)
    return _case(op, op.func, (g,), (keep,))  # type: ignore[arg-type]


def _log_softmax(draw: Draw, op: OpDef) -> GradCase:
    """log_softmax (or softmax) along one axis of a 1- to 3-d array."""
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    x = GRADIENT.array(draw, op, shape=shape)
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return _case(op, partial(op.func, axis=axis), (x,), axis=axis)


def _nll(draw: Draw, op: OpDef) -> GradCase:
    """_nll_loss of scores x, (C,), (N, C) or (N, C, d), and its adjoint _nll_loss_backward of
    a cotangent g of the loss's shape: class indices t (the class axis removed), some of them
    ignore_index, one at least not (a mean over no targets is NaN)."""
    ndim, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shape = (c,) if ndim == 1 else (draw(st.integers(1, 3)), c) + (2,) * (ndim - 2)
    axis = 0 if ndim == 1 else 1
    tshape = shape[:axis] + shape[axis + 1 :]
    t = draw(hnp.arrays(np.int64, tshape, elements=st.integers(0, c - 1) | st.just(-100)))
    t.flat[0] = draw(st.integers(0, c - 1))
    reduction = draw(st.sampled_from(("none", "sum", "mean")))
    params: dict[str, Any] = {"axis": axis, "ignore_index": -100, "reduction": reduction}
    if op.name == "_nll_loss":
        x = GRADIENT.array(draw, op, shape=shape)
        return _case(op, partial(op.func, **params), (x,), (t,), **params)
    g = GRADIENT.array(draw, op, shape=tshape if reduction == "none" else ())
    return _case(op, partial(op.func, classes=c, **params), (g,), (t,), classes=c, **params)


def _cross_entropy(draw: Draw, op: OpDef) -> GradCase:
    """_cross_entropy of scores x, (C,), (N, C) or (N, C, d), and its backward
    _cross_entropy_backward of a cotangent g of the loss's shape and log-probabilities logp
    (of any values: the op is defined for any), with class indices t as _nll's."""
    ndim, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shape = (c,) if ndim == 1 else (draw(st.integers(1, 3)), c) + (2,) * (ndim - 2)
    axis = 0 if ndim == 1 else 1
    tshape = shape[:axis] + shape[axis + 1 :]
    t = draw(hnp.arrays(np.int64, tshape, elements=st.integers(0, c - 1) | st.just(-100)))
    t.flat[0] = draw(st.integers(0, c - 1))
    reduction = draw(st.sampled_from(("none", "sum", "mean")))
    params: dict[str, Any] = {"axis": axis, "ignore_index": -100, "reduction": reduction}
    x = GRADIENT.array(draw, op, shape=shape)
    if op.name == "_cross_entropy":
        return _case(op, partial(op.func, **params), (x,), (t,), **params)
    g = GRADIENT.array(draw, op, shape=tshape if reduction == "none" else ())
    return _case(op, partial(op.func, **params), (g, x), (t,), **params)


def _embedding(draw: Draw, op: OpDef) -> GradCase:
    """_embedding of a weight w (num, d), its rows at ids of up to two axes (repeats), and its
    adjoint _embedding_backward of a cotangent g (*ids, d), with a padding row or none (not
    for _embedding: the padding row's gradient is zero by definition, as PyTorch's, not its
    derivative)."""
    num, d = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=2)))
    ids = draw(hnp.arrays(np.int64, shape, elements=st.integers(0, num - 1)))
    padding_idx = draw(st.none() | st.integers(0, num - 1))
    if op.name == "_embedding":
        padding_idx = None
        w = smooth_values(draw, F64, (num, d))  # (real: torch's embedding has no complex rule)
        fn = partial(op.func, padding_idx=padding_idx)
        return _case(op, fn, (w,), (ids,), padding_idx=padding_idx)
    g = GRADIENT.array(draw, op, shape=(*shape, d))
    fn = partial(op.func, num_weights=num, padding_idx=padding_idx)
    return _case(op, fn, (g,), (ids,), num_weights=num, padding_idx=padding_idx)


def _extreme_indices(draw: Draw, op: OpDef) -> GradCase:
    """_extreme_indices (x.max(dim) / x.min(dim)) of distinct values (no ties) along one axis
    of a 1- to 3-d x: the values' gradient (the indices are constant)."""
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    x = distinct(draw, shape)
    params = {
        "axis": draw(st.integers(-len(shape), len(shape) - 1)),
        "keepdims": draw(st.booleans()),
        "largest": draw(st.booleans()),
    }
    return _case(op, lambda t: op.func(t, **params)[0], (x,), **params)


def _logcumsumexp(draw: Draw, op: OpDef) -> GradCase:
    """_logcumsumexp (PyTorch's logcumsumexp) of smooth values along one axis of a 1- to 3-d x."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    x = smooth_values(draw, F64, shape)
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return _case(op, partial(op.func, axis=axis), (x,), axis=axis)


def _gelu(draw: Draw, op: OpDef) -> GradCase:
    """_gelu of x, exact or tanh form, and _gelu_backward of a cotangent g broadcast with x."""
    approximate = draw(st.sampled_from(("none", "tanh")))
    if op.name == "_gelu":
        x = GRADIENT.array(draw, op, shape=small_shape(draw))
        return _case(op, partial(op.func, approximate=approximate), (x,), approximate=approximate)
    s1, s2 = small_broadcast(draw)
    g, x = smooth_values(draw, F64, s1), smooth_values(draw, F64, s2)
    fn = partial(op.func, approximate=approximate)
    return _case(op, fn, (g, x), approximate=approximate)


def _layer_norm(draw: Draw, op: OpDef) -> GradCase:
    """_layer_norm over the last one or two axes of a 1- to 3-d x (each normalised group of
    two elements at least: one element normalises to 0, flat), with or without weight and
    bias of the normalised shape."""
    shape = tuple(draw(st.lists(st.integers(2, 3), min_size=1, max_size=3)))
    k = draw(st.integers(1, min(2, len(shape))))
    axes = tuple(range(len(shape) - k, len(shape)))
    x = GRADIENT.array(draw, op, shape=shape)
    params: dict[str, Any] = {"axes": axes, "eps": 1e-5}
    if draw(st.booleans()):
        w = GRADIENT.array(draw, op, shape=shape[-k:])
        b = GRADIENT.array(draw, op, shape=shape[-k:])
        return _case(op, partial(op.func, **params), (x, w, b), **params)
    return _case(op, partial(op.func, **params), (x,), **params)


def _strong_zero(draw: Draw, op: OpDef) -> GradCase:
    """p with 0 where g is 0 and p is NaN: smooth p (no NaN: the op passes p's cotangent
    through, and is flat in g); g broadcasts to p's shape (p is a product of g)."""
    s1, s2 = small_broadcast(draw)
    p = smooth_values(draw, F64, np.broadcast_shapes(s1, s2))
    g = smooth_values(draw, F64, s2)
    return _case(op, op.func, (p, g))  # type: ignore[arg-type]


def _matrix_transpose(draw: Draw, op: OpDef, m: Mode) -> Case:
    return Case((m.array(draw, op, min_dims=2),))


def _tensordot(draw: Draw, op: OpDef, m: Mode) -> Case:
    d1 = m.dtype(draw, op, 0)
    d2 = m.partner(draw, op, d1, 0)
    shared = m.shape(draw, 0, 2, max_side=3, max_size=4)
    s1 = m.shape(draw, 0, 2, max_side=3, max_size=3) + shared
    s2 = shared + m.shape(draw, 0, 2, max_side=3, max_size=3)
    x1, x2 = m.array(draw, op, 0, dt=d1, shape=s1), m.array(draw, op, 1, dt=d2, shape=s2)
    axes: Any = len(shared)
    if shared and draw(st.booleans()):
        k = len(shared)
        axes = (tuple(range(x1.ndim - k, x1.ndim)), tuple(range(k)))
    return Case((x1, x2), {"axes": axes}, tol="linalg", scale=_magnitude(x1, x2) ** 2)


def _vecdot(draw: Draw, op: OpDef, m: Mode) -> Case:
    d1 = m.dtype(draw, op, 0)
    d2 = m.partner(draw, op, d1, 0)
    s1, s2 = m.broadcast(draw, 2, max_dims=2, max_side=3)
    k = draw(st.integers(1, 3) if m.grad else st.integers(0, 4))
    x1 = m.array(draw, op, 0, dt=d1, shape=s1 + (k,))
    x2 = m.array(draw, op, 1, dt=d2, shape=s2 + (k,))
    axis = -1
    if x1.ndim == x2.ndim and x1.ndim > 1 and draw(st.booleans()):
        x1, x2, axis = np.moveaxis(x1, -1, -2), np.moveaxis(x2, -1, -2), -2
    return Case((x1, x2), {"axis": axis}, tol="linalg", scale=_magnitude(x1, x2) ** 2)


# -- fft ---------------------------------------------------------------------------------------
_NORMS = ("backward", "ortho", "forward")


def _fft1(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op, min_dims=1, min_side=1, max_side=4, max_size=8)
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = draw(st.one_of(st.none(), st.integers(1, 6)))
    if op.short in ("irfft", "hfft") and n is None:
        assume(x.shape[axis] >= 2)
    return Case(
        (x,),
        {"n": n, "axis": axis, "norm": draw(st.sampled_from(_NORMS))},
        tol="fft",
        scale=_magnitude(x),
    )


def _fftn(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op, min_dims=1, min_side=1, max_side=4, max_size=8)
    axes: Any = None
    if draw(st.booleans()):
        axes = tuple(draw(st.lists(st.integers(0, x.ndim - 1), unique=True, min_size=1)))
    s: Any = None
    if axes is not None and draw(st.booleans()):
        s = tuple(draw(st.integers(1, 5)) for _ in axes)
    last = (axes or tuple(range(x.ndim)))[-1]
    if op.short == "irfftn" and s is None:
        assume(x.shape[last] >= 2)
    return Case(
        (x,),
        {"s": s, "axes": axes, "norm": draw(st.sampled_from(_NORMS))},
        tol="fft",
        scale=_magnitude(x),
    )


def _fftshift(draw: Draw, op: OpDef, m: Mode) -> Case:
    x = m.array(draw, op, min_dims=1)  # NumPy's fftshift fails on 0-d arrays
    return Case((x,), {"axes": _axis(draw, x.ndim)})


# -- the registry --------------------------------------------------------------------------------
Shared = Callable[[Draw, OpDef, Mode], Case]
Variants = Callable[..., Any] | dict[str, Callable[..., Any]] | None


@dataclass(frozen=True)
class Sampling:
    """How the inputs of one op are drawn (see the module's docstring): element domains for
    each check, and samplers, each a function or named variants of one."""

    values: Domain | tuple[Domain, ...] = DEFAULT  # forward checks; a tuple: one per input
    smooth: Smooth | tuple[Smooth, ...] = SMOOTH  # gradient checks; a tuple: one per input
    both: Shared | dict[str, Shared] | None = None  # (draw, op, mode) -> Case
    forward: Variants = None  # (draw, op) -> Case
    grad: Variants = None  # (draw, op) -> GradCase; its variants add to both's


_NOTHING = Sampling()
_PROBABILITY = Smooth(uniform(0.1, 0.9))


def _polygamma(draw: Draw, op: OpDef, m: Mode) -> Case:
    """polygamma(n, x) for n = 0, 1, 2 (SciPy's order of arguments), x > 0 for gradients."""
    import scipy.special

    x = m.array(draw, op)
    n = draw(st.integers(0, 2))
    return Case(
        (x, n),
        call=lambda x, n: pt.special.polygamma(n, x),
        ref=lambda x, n: np.asarray(scipy.special.polygamma(n, x), dtype=x.dtype),
        tol="reduction",  # SciPy computes float32 in float64
    )


def _first_detached(*domains: Domain) -> Callable[[Draw, OpDef], Case]:
    """Forward checks of a special function differentiable in its last argument only: the
    others are passed detached, so checks that run backward through the call (Dask's
    laziness) differentiate the last alone."""

    def forward(draw: Draw, op: OpDef) -> Case:
        dt = FORWARD.dtype(draw, op)
        shp = small_shape(draw)
        fn = public_function(op)
        return Case(
            tuple(array(draw, dt, shp, d) for d in domains),
            call=lambda *args: fn(*(a.detach() for a in args[:-1]), args[-1]),
        )

    return forward


def _constant_first(*smooths: Smooth) -> Callable[[Draw, OpDef], GradCase]:
    """Gradient checks of a special function differentiable in its last argument only
    (``zeta``'s q, ``gammainc``'s x, ``betainc``'s x; in the others, PyTorch has no derivative
    or there is no closed form): the others are constants of the same shape."""

    def grad(draw: Draw, op: OpDef) -> GradCase:
        dt = GRADIENT.dtype(draw, op)
        shp = small_shape(draw)
        *params, x = (smooth_values(draw, dt, shp, s) for s in smooths)
        fn = public_function(op)
        return _case(op, lambda x, *params: fn(*params, x), (x,), tuple(params))

    return grad


_LOG = Sampling(_POS, _POSITIVE)
_INVERSE_TRIG = Sampling(_UNIT, _OPEN_UNIT)
_DIVISION = Sampling(
    (_SMALL_INT, _DIVISOR), (_FLOOR, Smooth(st.sampled_from([0.5, 1.0, 2.0, -0.5, -1.0, -2.0])))
)
_SORT = Sampling(_NAN_FREE, forward=_sort, grad=_sort_grad)

# Op name -> how its inputs are drawn.
SAMPLING: dict[str, Sampling] = {
    # element-wise: domains
    "abs": Sampling(smooth=_NONZERO),
    "sign": Sampling(smooth=_NONZERO),
    "reciprocal": Sampling(smooth=_NONZERO),
    "relu": Sampling(smooth=_NONZERO),
    "log": _LOG,
    "log2": _LOG,
    "log10": _LOG,
    "sqrt": _LOG,
    "log1p": Sampling(
        Domain(-1.0, 100.0), Smooth(uniform(-0.8, 3.0), uniform(-0.5, 2.0), uniform(-1.0, 1.0))
    ),
    "acosh": Sampling(
        Domain(1.0, 100.0), Smooth(uniform(1.2, 4.0), uniform(1.2, 3.0), uniform(-1.0, 1.0))
    ),
    "asin": _INVERSE_TRIG,
    "acos": _INVERSE_TRIG,
    "atanh": _INVERSE_TRIG,
    "atan": Sampling(smooth=Smooth(uniform(-2.0, 2.0), uniform(-0.6, 0.6))),
    "asinh": Sampling(smooth=Smooth(uniform(-2.0, 2.0), uniform(-0.6, 0.6))),
    "tan": Sampling(smooth=Smooth(uniform(-1.2, 1.2), uniform(-1.0, 1.0))),
    "exp": Sampling(_EXP),
    "expm1": Sampling(_EXP),
    "sinh": Sampling(_EXP),
    "cosh": Sampling(_EXP),
    "ceil": Sampling(smooth=_FLOOR),
    "floor": Sampling(smooth=_FLOOR),
    "trunc": Sampling(smooth=_FLOOR),
    "round": Sampling(smooth=_ROUND),
    "divide": Sampling(smooth=(SMOOTH, _NONZERO)),
    # integers to negative integer powers are an error in NumPy (unspecified by the standard)
    "pow": Sampling(
        (Domain(0.0, 10.0, ilo=-6, ihi=6), Domain(-4.0, 4.0, ilo=0, ihi=5)),
        (_POSITIVE, Smooth(uniform(-2.0, 2.0), uniform(-1.0, 1.0))),
    ),
    # integer division by zero is unspecified by the standard; for gradients, x1 / x2 stays at
    # least 0.05 away from an integer (the jumps of floor_divide)
    "floor_divide": _DIVISION,
    "remainder": _DIVISION,
    # torch.fmod: jumps where x1 / x2 crosses an integer, as remainder; drawn as remainder's
    "_fmod": Sampling(_DIVISION.values, _DIVISION.smooth, both=binary_case),
    "bitwise_left_shift": Sampling((_SMALL_INT, Domain(shift=True))),
    "bitwise_right_shift": Sampling((DEFAULT, Domain(shift=True))),
    # no ties: x1 on odd multiples of 1/8, x2 on even ones
    "maximum": Sampling(smooth=(Smooth(grid(1)), Smooth(grid(0)))),
    "minimum": Sampling(smooth=(Smooth(grid(1)), Smooth(grid(0)))),
    "copysign": Sampling(smooth=(_NONZERO, _NONZERO)),
    "hypot": Sampling(smooth=(_NONZERO, _NONZERO)),
    "atan2": Sampling(smooth=(_NONZERO, SMOOTH)),  # away from the branch cut x1 = 0, x2 < 0
    # element-wise, other than unary/binary
    "clip": Sampling(forward=_clip, grad=_clip_grad),
    "where": Sampling(both=_where),
    "_relu_backward": Sampling(grad=_relu_backward),
    "_mask_grad": Sampling(grad=_mask_grad),
    "_strong_zero": Sampling(grad=_strong_zero),
    "_log_softmax": Sampling(grad=_log_softmax),
    "_softmax": Sampling(grad=_log_softmax),
    "_nll_loss": Sampling(grad=_nll),
    "_nll_loss_backward": Sampling(grad=_nll),
    "_cross_entropy": Sampling(grad=_cross_entropy),
    "_extreme_indices": Sampling(grad=_extreme_indices),
    "_logcumsumexp": Sampling(grad=_logcumsumexp),
    "_embedding": Sampling(grad=_embedding),
    "_embedding_backward": Sampling(grad=_embedding),
    "_cross_entropy_backward": Sampling(grad=_cross_entropy),
    "_gelu": Sampling(grad=_gelu),
    "_layer_norm": Sampling(grad=_layer_norm),
    "_gelu_backward": Sampling(grad=_gelu),
    # reductions: no zeros in products (see test_gradients' known limitation)
    "prod": Sampling(smooth=_PRODUCT),
    "cumulative_prod": Sampling(smooth=_PRODUCT),
    # sorting, searching, sets
    "sort": _SORT,
    "argsort": Sampling(_NAN_FREE, forward=_sort),
    "isin": Sampling(forward=_isin),
    "unique_all": Sampling(forward=_unique),
    "unique_counts": Sampling(forward=_unique),
    "unique_inverse": Sampling(forward=_unique),
    "unique_values": Sampling(forward=_unique),
    "nonzero": Sampling(forward=_nonzero),
    "searchsorted": Sampling(forward=_searchsorted),
    # indexing
    "take": Sampling(both=_take),
    "take_along_axis": Sampling(both=_take_along_axis),
    "__getitem__": Sampling(
        both={"basic": _getitem_basic, "boolean mask": _getitem_mask},
        grad={"integer arrays": _getitem_integer_arrays},
    ),
    "_scatter_add": Sampling(grad=_scatter_add),
    "_scatter_along_axis": Sampling(grad=_scatter_along_axis),
    "_check_range": Sampling(grad=_check_range),
    "_put": Sampling(
        grad={
            "basic": partial(_put, integer_arrays=False),
            "integer arrays": partial(_put, integer_arrays=True),
        }
    ),
    # creation, data types
    "meshgrid": Sampling(both=_meshgrid),
    "tril": Sampling(both=_tri),
    "triu": Sampling(both=_tri),
    "astype": Sampling(forward=_astype, grad=_astype_grad),
    # manipulation
    "broadcast_arrays": Sampling(both=_broadcast_arrays),
    "broadcast_to": Sampling(both=_broadcast_to),
    "concat": Sampling(both=_concat),
    "expand_dims": Sampling(both=_expand_dims),
    "flip": Sampling(both=_flip),
    "moveaxis": Sampling(both=_moveaxis),
    "permute_dims": Sampling(both=_permute_dims),
    "reshape": Sampling(both=_reshape),
    "roll": Sampling(both=_roll),
    "repeat": Sampling(
        both={
            "int repeats": partial(_repeat, array_repeats=False),
            "array repeats": partial(_repeat, array_repeats=True),
        }
    ),
    "squeeze": Sampling(both=_squeeze),
    "stack": Sampling(both=_stack),
    "tile": Sampling(both=_tile),
    "unstack": Sampling(both=_unstack),
    "_copy": Sampling(both=_copy),  # clone(), asarray(copy=True)
    "to_backend": Sampling(grad=_to_backend),
    # linear algebra
    "matmul": Sampling(_MAT, both=_matmul),
    "matrix_transpose": Sampling(both=_matrix_transpose),
    "tensordot": Sampling(_MAT, both=_tensordot),
    "vecdot": Sampling(_MAT, both=_vecdot),
    "_matmul_nt": Sampling(grad=_matmul_transposed),
    "_matmul_tn": Sampling(grad=_matmul_transposed),
    "linalg.cholesky": Sampling(forward=_cholesky, grad=_cholesky_grad),
    "linalg.cross": Sampling(_MAT, both=_cross),
    "linalg.det": Sampling(forward=_square, grad=_square_grad),
    "linalg.diagonal": Sampling(forward=_diagonal_trace, grad=_diagonal_trace_grad),
    "linalg.eig": Sampling(forward=_eig_case, grad=_eig_grad),
    "linalg.eigh": Sampling(forward=_eigvalsh, grad=_eig_grad),
    "linalg.eigvalsh": Sampling(forward=_eigvalsh, grad=_eig_grad),
    "linalg.eigvals": Sampling(forward=_eig_case, grad=_eig_grad),
    "linalg.inv": Sampling(forward=_square, grad=_square_grad),
    "linalg.matrix_norm": Sampling(forward=_matrix_norm, grad=_matrix_norm_grad),
    "linalg.matrix_power": Sampling(forward=_matrix_power, grad=_matrix_power_grad),
    "linalg.matrix_rank": Sampling(forward=_pinv_rank),
    "linalg.outer": Sampling(_MAT, both=_outer),
    "linalg.pinv": Sampling(forward=_pinv_rank, grad=_pinv_grad),
    "linalg.qr": Sampling(forward=_qr, grad=_qr_grad),
    "linalg.slogdet": Sampling(forward=_square, grad=_square_grad),
    "linalg.solve": Sampling(forward=_solve, grad=_solve_grad),
    "linalg.svd": Sampling(forward=_svd, grad=_svd_grad),
    "linalg.svdvals": Sampling(forward=_svdvals, grad=_svd_grad),
    "linalg.trace": Sampling(forward=_diagonal_trace, grad=_diagonal_trace_grad),
    "linalg.vector_norm": Sampling(forward=_vector_norm, grad=_vector_norm_grad),
    # fft
    **{
        f"fft.{name}": Sampling(_FFT, both=_fft1)
        for name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
    },
    **{f"fft.{name}": Sampling(_FFT, both=_fftn) for name in ("fftn", "ifftn", "rfftn", "irfftn")},
    "fft.fftshift": Sampling(both=_fftshift),
    "fft.ifftshift": Sampling(both=_fftshift),
    # special (SciPy's element-wise functions): gradients inside their domains, away from poles
    "special.erfinv": Sampling(smooth=_OPEN_UNIT),
    "special.logit": Sampling(smooth=_PROBABILITY),
    "special.ndtri": Sampling(smooth=_PROBABILITY),
    "special.gammaln": Sampling(smooth=_POSITIVE),
    "special.digamma": Sampling(smooth=_POSITIVE),
    "special.polygamma": Sampling(_POS, _POSITIVE, both=_polygamma),
    "special.entr": Sampling(smooth=_POSITIVE),
    "special.xlogy": Sampling(smooth=(_NONZERO, _POSITIVE)),
    "special.xlog1py": Sampling(smooth=(_NONZERO, _POSITIVE)),
    "special.zeta": Sampling(
        forward=_first_detached(Domain(1.5, 10.0), Domain(0.5, 10.0)),
        grad=_constant_first(Smooth(uniform(1.5, 4.0)), Smooth(uniform(0.5, 3.0))),
    ),
    "special.gammainc": Sampling(
        forward=_first_detached(Domain(0.5, 10.0), Domain(0.0, 10.0)),
        grad=_constant_first(Smooth(uniform(0.5, 3.0)), Smooth(uniform(0.2, 4.0))),
    ),
    "special.gammaincc": Sampling(
        forward=_first_detached(Domain(0.5, 10.0), Domain(0.0, 10.0)),
        grad=_constant_first(Smooth(uniform(0.5, 3.0)), Smooth(uniform(0.2, 4.0))),
    ),
    "special.gamma": Sampling(smooth=_POSITIVE),
    "special.beta": Sampling(smooth=(_POSITIVE, _POSITIVE)),
    "special.betaln": Sampling(smooth=(_POSITIVE, _POSITIVE)),
    **{
        f"special.{name}": Sampling(
            forward=_first_detached(Domain(0.5, 10.0), Domain(0.5, 10.0), Domain(0.0, 1.0)),
            grad=_constant_first(
                Smooth(uniform(0.5, 4.0)), Smooth(uniform(0.5, 4.0)), Smooth(uniform(0.1, 0.9))
            ),
        )
        for name in ("betainc", "betaincc")
    },
    "special.stdtr": Sampling(
        forward=_first_detached(Domain(1.0, 30.0), Domain(-5.0, 5.0)),
        grad=_constant_first(Smooth(uniform(1.0, 20.0)), Smooth(uniform(-4.0, 4.0))),
    ),
    "special.stdtrit": Sampling(
        forward=_first_detached(Domain(1.0, 30.0), Domain(0.0, 1.0)),
        grad=_constant_first(Smooth(uniform(1.0, 20.0)), Smooth(uniform(0.1, 0.9))),
    ),
    **{
        f"special.{name}": Sampling(
            forward=_first_detached(Domain(1.0, 20.0), Domain(1.0, 20.0), Domain(0.0, 10.0)),
            grad=_constant_first(
                Smooth(uniform(1.0, 10.0)), Smooth(uniform(1.0, 10.0)), Smooth(uniform(0.2, 5.0))
            ),
        )
        for name in ("fdtr", "fdtrc")
    },
    **{
        f"special.{name}": Sampling(
            forward=_first_detached(Domain(1.0, 20.0), Domain(0.0, 20.0)),
            grad=_constant_first(Smooth(uniform(1.0, 10.0)), Smooth(uniform(0.2, 10.0))),
        )
        for name in ("chdtr", "chdtrc")
    },
    "special.i0e": Sampling(smooth=_NONZERO),
    "special.i1e": Sampling(smooth=_NONZERO),
}


def _named(samplers: Any) -> dict[str | None, Callable[..., Any]]:
    return {} if samplers is None else samplers if isinstance(samplers, dict) else {None: samplers}


def samplers_of(op: OpDef, grad: bool) -> dict[str | None, Callable[[Draw, OpDef], Any]]:
    """The op's samplers for the gradient checks (``grad``) or the forward ones, by variant
    name (None for an op without variants); empty where the op's kind has a default."""
    s = SAMPLING.get(op.name, _NOTHING)
    mode = GRADIENT if grad else FORWARD
    shared = {v: partial(f, m=mode) for v, f in _named(s.both).items()}
    return shared | _named(s.grad if grad else s.forward)


def has_default_sampler(op: OpDef) -> bool:
    """Element-wise unary and binary ops and reductions get the sampler of their kind."""
    return group_of(op) in ("unary", "binary", "reduction")


def has_gradient_sampler(op: OpDef) -> bool:
    return bool(samplers_of(op, grad=True)) or has_default_sampler(op)


def sample(draw: Draw, op: OpDef, variant: str | None = None) -> Case:
    """A case of ``op`` for a forward check: its sampler, else the default of its kind."""
    samplers = samplers_of(op, grad=False)
    if samplers:
        return samplers[variant](draw, op)  # type: ignore[no-any-return]
    return default_case(draw, op, FORWARD)


def sample_gradient(draw: Draw, op: OpDef, variant: str | None = None) -> GradCase:
    """A case of ``op`` for a gradient check."""
    samplers = samplers_of(op, grad=True)
    if samplers:
        case = samplers[variant](draw, op)
    elif has_default_sampler(op):
        case = default_case(draw, op, GRADIENT)
    else:
        raise LookupError(
            f"no gradient sampler for {op.name!r}; add one to conformance/domains.py (SAMPLING)"
        )
    return case if isinstance(case, GradCase) else gradient_case(op, case)


def _params(ops: list[OpDef], grad: bool) -> list[Any]:
    import pytest

    params = []
    for op in ops:
        variants = [v for v in samplers_of(op, grad) if v is not None]
        params += [pytest.param(op, v, id=f"{op.name}[{v}]") for v in variants] or [
            pytest.param(op, None, id=op.name)
        ]
    return params


def cases_in(*groups: str) -> list[Any]:
    """pytest parameters ``(op, variant)`` of the forward checks of the table's ops of
    ``groups``."""
    return _params(ops_in(*groups), grad=False)


def gradient_cases() -> list[Any]:
    """pytest parameters ``(op, variant)`` of every differentiable op of the table."""
    return _params(differentiable_ops(), grad=True)


# -- running and comparing -------------------------------------------------------------------------
def _tensor(a: np.ndarray[Any, Any]) -> Any:
    return pt.asarray(np.array(a, copy=True), dtype=getattr(pt, a.dtype.name))


def to_tensors(value: Any, tensor: Callable[[np.ndarray[Any, Any]], Any] = _tensor) -> Any:
    """NumPy inputs -> polytensor inputs on the current backend (dtypes -> polytensor dtypes);
    ``tensor`` makes each array's tensor."""
    if isinstance(value, np.ndarray):
        return tensor(value)
    if isinstance(value, np.dtype):
        return getattr(pt, value.name)
    if isinstance(value, list):
        return [to_tensors(v, tensor) for v in value]
    if isinstance(value, tuple):
        return tuple(to_tensors(v, tensor) for v in value)
    if isinstance(value, dict):
        return {k: to_tensors(v, tensor) for k, v in value.items()}
    return value


def _arrays(value: Any) -> list[np.ndarray[Any, Any]]:
    """The NumPy arrays in ``value``, in the order ``to_tensors`` meets them."""
    found: list[np.ndarray[Any, Any]] = []
    to_tensors(value, found.append)
    return found


def to_host(t: Any) -> np.ndarray[Any, Any]:
    assert isinstance(t, pt.Tensor), f"expected a polytensor Tensor; got {type(t).__name__}"
    # (a conjugate view's numpy() is refused, as PyTorch's: pt.conj's result is one)
    return np.array(t.resolve_conj().numpy(), copy=True)


def call(op: OpDef, case: Case) -> Any:
    args, kwargs = to_tensors(case.args), to_tensors(case.kwargs)
    fn = case.call or public_function(op)
    return fn(*args, **kwargs)


def reference(op: OpDef, case: Case) -> Any:
    fn = case.ref or REFERENCES.get(op.name) or numpy_function(op.name)
    return fn(*case.args, **case.kwargs)


# (rtol for 32-bit, rtol for 64-bit floating results); atol = rtol * case.scale
TOLERANCES = {
    "elementwise": (4 * 2.0**-23, 4 * 2.0**-52),
    "reduction": (1e-5, 1e-12),
    "fft": (1e-5, 1e-12),
    "linalg": (1e-3, 1e-9),
}


def tolerance(case: Case, dt: np.dtype[Any]) -> tuple[float, float]:
    rtol = TOLERANCES[case.tol][0 if precision(dt) == 32 else 1]
    return rtol, rtol * case.scale


def assert_same_meta(got: Any, want: np.ndarray[Any, Any], where: str) -> np.ndarray[Any, Any]:
    """``got`` is a Tensor of the backend's array type with NumPy's dtype and shape; returns
    its values on the host."""
    assert isinstance(got, pt.Tensor), f"{where}: expected a Tensor; got {type(got).__name__}"
    b = got._backend
    assert type(got._data) is b.array_type, (
        f"{where}: the tensor holds a {type(got._data).__name__}, not a {b.name} array"
    )
    assert got.dtype.name == want.dtype.name, (
        f"{where}: dtype {got.dtype.name}, expected {want.dtype.name} (NumPy's under the "
        f"standard's rules)"
    )
    # a lazy backend may not know a data-dependent dimension (None) before computing
    assert len(got.shape) == len(want.shape) and all(
        g is None or g == w for g, w in zip(got.shape, want.shape, strict=True)
    ), f"{where}: .shape is {got.shape}, expected {want.shape}"
    host = to_host(got)
    assert host.shape == want.shape, f"{where}: shape {host.shape}, expected {want.shape}"
    return host


def assert_values(
    got: np.ndarray[Any, Any],
    want: np.ndarray[Any, Any],
    case: Case,
    where: str,
    signed_zeros: bool = False,
) -> None:
    if want.dtype.kind in "fc" or got.dtype.kind in "fc":
        rtol, atol = tolerance(case, want.dtype)
        np.testing.assert_allclose(
            got, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=where, strict=True
        )
        if signed_zeros and want.dtype.kind == "f":
            zeros = (got == 0) & (want == 0)
            np.testing.assert_array_equal(
                np.signbit(got[zeros]), np.signbit(want[zeros]), err_msg=f"{where}: sign of zero"
            )
    else:
        np.testing.assert_array_equal(got, want, err_msg=where, strict=True)


def assert_matches(got: Any, want: Any, case: Case, where: str, signed_zeros: bool = False) -> None:
    """``got`` (polytensor) equals ``want`` (NumPy): containers, dtypes, shapes, values."""
    if case.check is not None:
        case.check(got, want, case)
        return
    if isinstance(want, (tuple, list)):
        kind = "tuple" if isinstance(want, tuple) else "list"
        assert isinstance(got, tuple if kind == "tuple" else list), (
            f"{where}: expected a {kind} (as the standard says); got {type(got).__name__}"
        )
        if hasattr(want, "_fields"):
            assert getattr(got, "_fields", None) == want._fields, (
                f"{where}: expected a named tuple with fields {want._fields}"
            )
        assert len(got) == len(want), f"{where}: {len(got)} results, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_matches(g, w, case, f"{where}[{i}]", signed_zeros)
        return
    w = np.asarray(want)
    assert_values(assert_same_meta(got, w, where), w, case, where, signed_zeros)


def quiet() -> contextlib.ExitStack:
    """Silence NumPy's floating-point warnings (log(0), 0/0, ...): the results are compared."""
    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore", RuntimeWarning)
    stack.enter_context(np.errstate(all="ignore"))
    return stack


def run_case(op: OpDef, case: Case, *, signed_zeros: bool = False) -> None:
    """Call ``op`` on the current backend and compare with NumPy's reference."""
    with quiet():
        got = call(op, case)
        want = reference(op, case)
        assert_matches(got, want, case, op.name, signed_zeros)


# Hypothesis: few, reproducible examples per op, so every backend runs in minutes.
EXAMPLES = 20
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)
