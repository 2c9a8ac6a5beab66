"""Sampling domains, per-op argument samplers and NumPy references of the conformance suite.

The tests are generated from the op table (``polytensor._ops._registry.OP_LIST``); this module
says, for the ops that need it, *which* inputs to draw (``DOMAINS``: log on positive numbers,
acosh >= 1, ...), *which* arguments to pass (``SAMPLERS``: an axis, a shift, a well-conditioned
matrix) and *which* NumPy function is the reference (``NUMPY_NAMES`` and ``Case.ref``). An op
with no entry gets the sampler of its kind: one array of its dtype category (unary), two
broadcastable ones (binary), an array with ``axis``/``keepdims`` (reductions).
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


def dtypes_of(category: str) -> tuple[np.dtype[Any], ...]:
    """NumPy dtypes of one of the standard's categories."""
    if category not in CATEGORY_DTYPES:
        raise KeyError(f"unknown dtype category {category!r}; add it to CATEGORY_DTYPES")
    return tuple(np.dtype(n) for n in CATEGORY_DTYPES[category])


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


# -- element domains ---------------------------------------------------------------------------
NAN, INF = math.nan, math.inf
SPECIALS = (NAN, INF, -INF, 0.0, -0.0)
NO_NAN = (INF, -INF, 0.0, -0.0)


@dataclass(frozen=True)
class Domain:
    """Where the elements of one input are drawn from.

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
_SMALL_INT = Domain(ilo=-100, ihi=100)
_DIVISOR = Domain(ilo=-20, ihi=20, nonzero=True)

# Per-op domains: one Domain for every input, or a tuple with one Domain per input.
DOMAINS: dict[str, Domain | tuple[Domain, ...]] = {
    "log": _POS, "log2": _POS, "log10": _POS, "sqrt": _POS,
    "log1p": Domain(-1.0, 100.0),
    "acosh": Domain(1.0, 100.0),
    "asin": _UNIT, "acos": _UNIT, "atanh": _UNIT,
    "exp": Domain(-50.0, 50.0), "expm1": Domain(-50.0, 50.0),
    "sinh": Domain(-50.0, 50.0), "cosh": Domain(-50.0, 50.0),
    # integers to negative integer powers are an error in NumPy (unspecified by the standard)
    "pow": (Domain(0.0, 10.0, ilo=-6, ihi=6), Domain(-4.0, 4.0, ilo=0, ihi=5)),
    # integer division by zero is unspecified by the standard
    "floor_divide": (_SMALL_INT, _DIVISOR),
    "remainder": (_SMALL_INT, _DIVISOR),
    "bitwise_left_shift": (_SMALL_INT, Domain(shift=True)),
    "bitwise_right_shift": (DEFAULT, Domain(shift=True)),
    # NaN has no specified place in a sorted array
    "sort": Domain(specials=NO_NAN), "argsort": Domain(specials=NO_NAN),
    "searchsorted": Domain(specials=NO_NAN),
}


def domain_of(op: OpDef, i: int = 0) -> Domain:
    d = DOMAINS.get(op.name, DEFAULT)
    return d[i] if isinstance(d, tuple) else d


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


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 0,
           max_side: int = MAX_SIDE) -> st.SearchStrategy[tuple[int, ...]]:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def array(draw: Draw, dtype: np.dtype[Any], shape: tuple[int, ...],
          dom: Domain = DEFAULT) -> np.ndarray[Any, Any]:
    return draw(hnp.arrays(dtype, shape, elements=elements(dtype, dom)))


def dtype(draw: Draw, category: str) -> np.dtype[Any]:
    return draw(st.sampled_from(dtypes_of(category)))


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
    meta: dict[str, Any] = field(default_factory=dict)  # for ``check``; not passed on


# Standard name -> NumPy name, where they differ.
NUMPY_NAMES = {
    "acos": "arccos", "acosh": "arccosh", "asin": "arcsin", "asinh": "arcsinh",
    "atan": "arctan", "atan2": "arctan2", "atanh": "arctanh", "pow": "power",
    "concat": "concatenate", "permute_dims": "transpose", "bitwise_invert": "invert",
    "bitwise_left_shift": "left_shift", "bitwise_right_shift": "right_shift",
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
            raise LookupError(f"op {op.name!r} has no public function; give it a sampler "
                              f"with call= in conformance/domains.py")
        return op.func
    return obj  # type: ignore[no-any-return]


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
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        value = getattr(module, target.id, None)
                        if value is not None:
                            by_func.setdefault(id(value), info.name)
    return {op.name: by_func.get(id(op.func), "") for op in _registry.OP_LIST
            if op.func is not None}


# Ops of the table that are not functions of the standard and are checked elsewhere.
INTERNAL = {
    "to_backend": "moves a tensor between backends (x.to(...)); checked in tests/",
}

_CHAPTER_GROUP = {
    "statistical": "reduction",
    "manipulation": "manipulation",
    "linalg": "linalg", "linear_algebra": "linalg",
    "fft": "fft",
    "sorting": "sorting/searching/set", "searching": "sorting/searching/set",
    "indexing": "indexing/creation/dtypes", "creation": "indexing/creation/dtypes",
    "data_types": "indexing/creation/dtypes",
}
GROUPS = ("unary", "binary", "elementwise", "reduction", "manipulation", "linalg", "fft",
          "sorting/searching/set", "indexing/creation/dtypes")


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
    if chapter == "elementwise":
        return {1: "unary", 2: "binary"}.get(len(op.rules), "elementwise")
    return _CHAPTER_GROUP.get(chapter)


_DECLARED = _declared_in()


def ops_in(*groups: str) -> list[OpDef]:
    return [op for op in _registry.OP_LIST if group_of(op) in groups]


def op_id(op: OpDef) -> str:
    return op.name


# -- default samplers by kind --------------------------------------------------------------------
def unary_case(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    return Case((array(draw, dt, draw(shapes()), domain_of(op, 0)),))


def binary_case(draw: Draw, op: OpDef) -> Case:
    d1 = dtype(draw, op.category_of(0))
    d2 = draw(st.sampled_from([d1] + [d for d in dtypes_of(op.category_of(1))
                                      if d != d1 and promotable(d1, d)]))
    s1, s2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=MAX_DIMS,
                                                    max_side=MAX_SIDE)).input_shapes
    return Case((array(draw, d1, s1, domain_of(op, 0)), array(draw, d2, s2, domain_of(op, 1))),
                ref=REFERENCES.get(op.name))


def _axis(draw: Draw, ndim: int, tuples: bool = True) -> int | tuple[int, ...] | None:
    options: list[st.SearchStrategy[Any]] = [st.none()]
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
        if tuples:
            options.append(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(
                lambda axes: tuple(a - ndim if i % 2 else a for i, a in enumerate(axes))))
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


def reduction_case(draw: Draw, op: OpDef) -> Case:
    params = inspect.signature(public_function(op)).parameters
    dt = dtype(draw, op.category_of(0))
    cumulative = "include_initial" in params
    shape = draw(shapes(min_dims=1 if cumulative else 0,
                        min_side=1 if op.short in NONEMPTY else 0))
    x = array(draw, dt, shape, domain_of(op, 0))
    kw: dict[str, Any] = {}
    if cumulative:
        kw["axis"] = draw(st.integers(-x.ndim, x.ndim - 1)) if x.ndim > 1 else draw(
            st.sampled_from([None, 0, -1]))
        kw["include_initial"] = draw(st.booleans())
    else:
        kw["axis"] = _axis(draw, x.ndim, tuples=op.short not in INT_AXIS)
        kw["keepdims"] = draw(st.booleans())
    if "dtype" in params and draw(st.booleans()):  # an accumulator at least as wide
        wider = [d for d in dtypes_of(op.category_of(0)) if d.kind == dt.kind
                 and d.itemsize >= dt.itemsize]
        kw["dtype"] = draw(st.sampled_from(wider))
    ref_kw = dict(kw)
    if "correction" in params:
        kw["correction"] = ref_kw["ddof"] = draw(st.sampled_from([0, 1, 0.5]))
    scale = _magnitude(x)
    if op.short in ("var", "std"):
        scale = scale * scale if op.short == "var" else scale
    return Case((x,), kw, ref=lambda x, **_: numpy_function(op.name)(x, **ref_kw),
                tol="reduction", scale=scale)


def default_case(draw: Draw, op: OpDef) -> Case:
    """One array of the op's category and no other argument."""
    params = inspect.signature(public_function(op)).parameters
    if "keepdims" in params or "include_initial" in params:
        return reduction_case(draw, op)
    return unary_case(draw, op)


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


# -- samplers of the other ops ---------------------------------------------------------------------
def _within(draw: Draw, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts *to* ``shape``: a suffix of it, some dimensions set to 1."""
    k = draw(st.integers(0, len(shape)))
    return tuple(1 if draw(st.booleans()) else s for s in shape[len(shape) - k:])


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
        hi = np.asarray(np.maximum(lo, hi), dtype=dt) if isinstance(hi, np.ndarray) or \
            isinstance(lo, np.ndarray) else max(lo, hi)

    def ref(x: Any, min: Any = None, max: Any = None) -> Any:
        if min is None and max is None:
            return x.copy()
        return np.clip(x, min, max)

    return Case((x,), {"min": lo, "max": hi}, ref=ref)


def _where(draw: Draw, op: OpDef) -> Case:
    d1 = dtype(draw, op.category_of(1))
    d2 = draw(st.sampled_from([d1] + [d for d in dtypes_of("any") if d != d1
                                      and promotable(d1, d)]))
    sc, s1, s2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=MAX_DIMS,
                                                        max_side=MAX_SIDE)).input_shapes
    cond = array(draw, np.dtype(bool), sc)
    x1, x2 = array(draw, d1, s1), array(draw, d2, s2)
    if draw(st.integers(0, 2)) == 0:  # a Python scalar takes the other argument's dtype
        s = draw(elements(d1))
        s_array = np.asarray(s, dtype=d1)
        if draw(st.booleans()):
            return Case((cond, x1, s), ref=lambda c, a, _: np.where(c, a, s_array))
        return Case((cond, s, x1), ref=lambda c, _, a: np.where(c, s_array, a))
    return Case((cond, x1, x2))


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
        return n - 1 - np.flip(np.argsort(np.flip(x, axis=axis), axis=axis, stable=True),
                               axis=axis)

    return Case((x,), {"axis": axis, "descending": descending, "stable": True}, ref=ref)


def _isin(draw: Draw, op: OpDef) -> Case:
    d1 = dtype(draw, op.category_of(0))
    d2 = draw(st.sampled_from([d1] + [d for d in dtypes_of(op.category_of(1))
                                      if d != d1 and promotable(d1, d)]))
    small = Domain(-5.0, 5.0, ilo=-5, ihi=5)
    x1 = array(draw, d1, draw(shapes()), small)
    x2: Any = array(draw, d2, draw(shapes()), small)
    if draw(st.integers(0, 3)) == 0:  # a Python int (2025.12)
        x2 = draw(st.integers(0, 5))
    invert = draw(st.booleans())
    return Case((x1, x2), {"invert": invert},
                ref=lambda x1, x2, invert: np.isin(x1, x2, invert=invert))


def _sorted_by_value(values: Any, *others: Any) -> tuple[Any, ...]:
    order = np.lexsort((np.imag(values), np.real(values))) if values.dtype.kind == "c" \
        else np.argsort(values, stable=True)
    return (values[order],) + tuple(o[order] for o in others)


def _check_unique(got: Any, want: Any, case: Case) -> None:
    """unique_*: the same values and counts as NumPy's, in any order; indices consistent."""
    x = case.args[0]
    flat = x.reshape(-1)
    name = case.meta["name"]
    fields = {"unique_all": ("values", "indices", "inverse_indices", "counts"),
              "unique_counts": ("values", "counts"),
              "unique_inverse": ("values", "inverse_indices"),
              "unique_values": None}[name]
    if fields is None:
        host = assert_same_meta(got, np.asarray(want), "unique_values")
        assert_values(np.sort(host), np.sort(np.asarray(want)), case, "unique_values")
        return
    assert isinstance(got, tuple) and getattr(got, "_fields", None) == fields, \
        f"{name}() must return a named tuple with fields {fields}; got {type(got).__name__} " \
        f"{getattr(got, '_fields', None)}"
    w = {f: np.asarray(getattr(want, f)) for f in fields}
    g = {f: assert_same_meta(getattr(got, f), w[f], f"{name}().{f}") for f in fields}
    gv = g["values"]
    if "counts" in fields:
        gs = _sorted_by_value(gv, g["counts"])
        ws = _sorted_by_value(w["values"], w["counts"])
        assert_values(gs[0], ws[0], case, f"{name}().values")
        np.testing.assert_array_equal(gs[1], ws[1], err_msg=f"{name}().counts")
    else:
        assert_values(_sorted_by_value(gv)[0], _sorted_by_value(w["values"])[0], case,
                      f"{name}().values")
    if "inverse_indices" in fields:
        inv = g["inverse_indices"]
        assert inv.shape == x.shape, f"{name}().inverse_indices has shape {inv.shape}; " \
                                     f"expected the input's {x.shape}"
        assert_values(gv[inv.reshape(-1)].reshape(x.shape), x, case,
                      f"{name}(): values[inverse_indices] == x")
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
    x2: Any = array(draw, dt, draw(shapes()), dom) if draw(st.booleans()) else \
        draw(elements(dt, dom).map(lambda v: v.item() if hasattr(v, "item") else v))
    kw: dict[str, Any] = {"side": draw(st.sampled_from(["left", "right"]))}
    if draw(st.booleans()):
        kw["sorter"] = np.argsort(x1, stable=True).astype(
            draw(st.sampled_from([np.dtype("int64"), np.dtype("int32")])))
    else:
        x1 = np.sort(x1)
    return Case((x1, x2), kw)


def _take(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    x = array(draw, dt, draw(shapes(min_dims=1)))
    axis = None if x.ndim == 1 and draw(st.booleans()) else draw(
        st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[0 if axis is None else axis]
    idt = dtype(draw, op.category_of(1))
    k = draw(st.one_of(st.just(1), st.integers(0, 5))) if n else 0  # one index: an edge case
    idx = np.asarray(draw(st.lists(st.integers(0, max(n - 1, 0)), min_size=k, max_size=k)),
                     dtype=idt)
    return Case((x, idx), {"axis": axis},
                ref=lambda x, i, axis: np.take(x, i, axis=axis))


def _take_along_axis(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    x = array(draw, dt, draw(shapes(min_dims=1)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    shape = list(x.shape)
    shape[axis] = draw(st.integers(0, 4)) if n else 0
    idt = dtype(draw, op.category_of(1))
    idx = draw(hnp.arrays(idt, tuple(shape), elements=st.integers(0, max(n - 1, 0))))
    return Case((x, idx), {"axis": axis})


def _getitem_basic(draw: Draw, op: OpDef) -> Case:
    x = array(draw, dtype(draw, "any"), draw(shapes()))
    key = draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True))
    key = key if isinstance(key, tuple) else (key,)
    if Ellipsis not in key and sum(k is not None for k in key) < x.ndim:
        key = key + (Ellipsis,)  # the standard leaves partial (flat) indexing unspecified
    return Case((x,), call=lambda x: x[key], ref=lambda x: np.asarray(x[key]))


def _getitem_mask(draw: Draw, op: OpDef) -> Case:
    """A boolean mask of the leading dimensions: the standard's boolean-array index."""
    x = array(draw, dtype(draw, "any"), draw(shapes(min_dims=1)))
    k = draw(st.integers(1, x.ndim))
    mask = draw(hnp.arrays(np.dtype(bool), x.shape[:k]))
    return Case((x, mask), call=lambda x, m: x[m], ref=lambda x, m: x[m])


def _meshgrid(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    arrays = [array(draw, dt, draw(shapes(1, 1))) for _ in range(draw(st.integers(1, 3)))]
    return Case(tuple(arrays), {"indexing": draw(st.sampled_from(["xy", "ij"]))})


def _tri(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    return Case((array(draw, dt, draw(shapes(min_dims=2))),),
                {"k": draw(st.integers(-3, 3))})


def _astype(draw: Draw, op: OpDef) -> Case:
    src = dtype(draw, "any")
    dst = dtype(draw, "any")
    # Casting complex to real, and NaN, infinities or out-of-range values to integers, is
    # unspecified by the standard.
    assume(not (src.kind == "c" and dst.kind != "c"))
    dom = DEFAULT
    if dst.kind in "iub" and src.kind in "fiu":
        dom = Domain(0.0 if dst.kind in "ub" else -100.0, 100.0, ilo=0 if dst.kind in "ub"
                     else -100, ihi=100, specials=())
    x = array(draw, src, draw(shapes()), dom)
    copy = draw(st.booleans())
    return Case((x, dst), {"copy": copy},
                ref=lambda x, d, copy: x.astype(d))


# -- manipulation ----------------------------------------------------------------------------------
def _any_array(draw: Draw, op: OpDef, **shape_kw: Any) -> np.ndarray[Any, Any]:
    return array(draw, dtype(draw, op.category_of(0)), draw(shapes(**shape_kw)))


def _broadcast_arrays(draw: Draw, op: OpDef) -> Case:
    n = draw(st.integers(1, 3))
    result = draw(hnp.mutually_broadcastable_shapes(num_shapes=n, max_dims=MAX_DIMS,
                                                    max_side=MAX_SIDE))
    return Case(tuple(array(draw, dtype(draw, "any"), s) for s in result.input_shapes))


def _broadcast_to(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op)
    other = draw(hnp.broadcastable_shapes(x.shape, max_dims=MAX_DIMS, max_side=MAX_SIDE))
    return Case((x,), {"shape": np.broadcast_shapes(x.shape, other)})


def _promotable_dtypes(draw: Draw, n: int) -> list[np.dtype[Any]]:
    """``n`` dtypes, each pair of which the standard's promotion table covers."""
    out = [dtype(draw, "any")]
    for _ in range(n - 1):
        ok = [t for t in dtypes_of("any") if all(promotable(t, d) for d in out)]
        out.append(draw(st.sampled_from([out[0]] + ok)))
    return out


def _concat(draw: Draw, op: OpDef) -> Case:
    dts = _promotable_dtypes(draw, draw(st.integers(1, 3)))
    if draw(st.integers(0, 3)) == 0:  # axis=None: flattened, any shapes
        arrays = [array(draw, d, draw(shapes())) for d in dts]
        return Case((arrays,), {"axis": None},
                    ref=lambda a, axis: np.concatenate([x.reshape(-1) for x in a]))
    base = list(draw(shapes(min_dims=1)))
    axis = draw(st.integers(-len(base), len(base) - 1))
    arrays = []
    for d in dts:
        base[axis] = draw(st.integers(0, MAX_SIDE))
        arrays.append(array(draw, d, tuple(base)))
    return Case((arrays,), {"axis": axis})


def _expand_dims(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op)
    n = x.ndim
    if draw(st.booleans()):
        axis: Any = draw(st.integers(-n - 1, n))
    else:  # a tuple of axes (2025.12)
        k = draw(st.integers(1, 2))
        axis = tuple(draw(st.lists(st.integers(0, n + k - 1), min_size=k, max_size=k,
                                   unique=True)))
    return Case((x,), {"axis": axis}, ref=lambda x, axis: np.expand_dims(x, axis))


def _flip(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op)
    return Case((x,), {"axis": _axis(draw, x.ndim)})


def _moveaxis(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op, min_dims=1)
    n = x.ndim
    if draw(st.booleans()):
        src: Any = draw(st.integers(-n, n - 1))
        dst: Any = draw(st.integers(-n, n - 1))
    else:
        src = tuple(draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n)))
        dst = tuple(draw(st.lists(st.integers(0, n - 1), unique=True, min_size=len(src),
                                  max_size=len(src))))
    return Case((x, src, dst))


def _permute_dims(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op)
    axes = tuple(draw(st.permutations(range(x.ndim))))
    return Case((x,), {"axes": axes}, ref=lambda x, axes: np.transpose(x, axes))


def _repeat(draw: Draw, op: OpDef, array_repeats: bool) -> Case:
    x = _any_array(draw, op)
    axis = None if x.ndim == 0 or draw(st.booleans()) else draw(
        st.integers(-x.ndim, x.ndim - 1))
    n = x.size if axis is None else x.shape[axis]
    if array_repeats:
        repeats: Any = np.asarray(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)),
                                  dtype=dtype(draw, op.category_of(1)))
    else:
        repeats = draw(st.integers(0, 3))
    # Note: NumPy refuses uint64 repeats (no safe cast to intp); the reference casts them.
    return Case((x, repeats), {"axis": axis},
                ref=lambda x, r, axis: np.repeat(x, np.asarray(r).astype(np.int64), axis=axis))


def _repeat_int(draw: Draw, op: OpDef) -> Case:
    return _repeat(draw, op, False)


def _repeat_array(draw: Draw, op: OpDef) -> Case:
    return _repeat(draw, op, True)


def _reshape(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op)
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
    return Case((x,), {"shape": tuple(dims)},
                ref=lambda x, shape: np.reshape(x, shape))


def _roll(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op)
    if x.ndim and draw(st.booleans()):
        axis = tuple(draw(st.lists(st.integers(0, x.ndim - 1), unique=True, min_size=1,
                                   max_size=x.ndim)))
        shift: Any = tuple(draw(st.integers(-5, 5)) for _ in axis)
        if len(axis) == 1 and draw(st.booleans()):
            axis, shift = axis[0], shift[0]  # type: ignore[assignment]
    else:
        axis, shift = None, draw(st.integers(-5, 5))  # type: ignore[assignment]
    return Case((x,), {"shift": shift, "axis": axis})


def _squeeze(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op, min_dims=1, max_side=2)
    ones = [i for i, s in enumerate(x.shape) if s == 1]
    if not ones:
        x = x.reshape(x.shape + (1,))
        ones = [x.ndim - 1]
    axes = draw(st.lists(st.sampled_from(ones), unique=True, min_size=1))
    axis: Any = tuple(a - x.ndim if draw(st.booleans()) else a for a in axes)
    if len(axis) == 1 and draw(st.booleans()):
        axis = axis[0]
    return Case((x,), {"axis": axis})


def _stack(draw: Draw, op: OpDef) -> Case:
    shape = draw(shapes())
    arrays = [array(draw, d, shape) for d in _promotable_dtypes(draw, draw(st.integers(1, 3)))]
    return Case((arrays,), {"axis": draw(st.integers(-len(shape) - 1, len(shape)))})


def _tile(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op)
    reps = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    assume(reps or x.ndim)
    return Case((x, reps), ref=lambda x, reps: np.tile(x, reps))


def _unstack(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op, min_dims=1)
    return Case((x,), {"axis": draw(st.integers(-x.ndim, x.ndim - 1))})


def _copy(draw: Draw, op: OpDef) -> Case:
    return Case((_any_array(draw, op),), ref=lambda x: np.array(x, copy=True))


# -- linear algebra ----------------------------------------------------------------------------
_MAT = Domain(-1.0, 1.0, ilo=-20, ihi=20, specials=())


def _stack_shape(draw: Draw, *core: int) -> tuple[int, ...]:
    return tuple(draw(shapes(0, 1, 0, 2))) + core


def _general(draw: Draw, dt: np.dtype[Any], n: int, batch: tuple[int, ...]) -> Any:
    """Square matrices with a dominant diagonal: invertible and well conditioned."""
    a = array(draw, dt, batch + (n, n), _MAT)
    return (a + (n + 1) * np.eye(n, dtype=dt)).astype(dt)


def _hermitian(draw: Draw, dt: np.dtype[Any], n: int, batch: tuple[int, ...],
               definite: bool) -> Any:
    a = array(draw, dt, batch + (n, n), _MAT)
    h = (a + np.conj(np.swapaxes(a, -1, -2))) / 2
    if definite:
        h = h + (n + 1) * np.eye(n, dtype=dt)
    return h.astype(dt)


def _lin_float(draw: Draw, op: OpDef) -> np.dtype[Any]:
    return dtype(draw, op.category_of(0))


def _square(draw: Draw, op: OpDef, lo: int = 0) -> Case:
    dt = _lin_float(draw, op)
    n = draw(st.integers(lo, 4))
    x = _general(draw, dt, n, _stack_shape(draw))
    return Case((x,), tol="linalg", scale=_magnitude(x))


def _matrix_power(draw: Draw, op: OpDef) -> Case:
    case = _square(draw, op)
    n = draw(st.integers(-2, 3))
    return Case(case.args + (n,), tol="linalg", scale=case.scale ** max(abs(n), 1))


def _solve(draw: Draw, op: OpDef) -> Case:
    dt = _lin_float(draw, op)
    n = draw(st.integers(1, 4))
    batch = _stack_shape(draw)
    a = _general(draw, dt, n, batch)
    d2 = draw(st.sampled_from([dt] + [d for d in dtypes_of(op.category_of(1))
                                      if d != dt and promotable(dt, d)]))
    if draw(st.booleans()):
        b = array(draw, d2, (n,), _MAT)
    else:
        b = array(draw, d2, batch + (n, draw(st.integers(1, 3))), _MAT)
    return Case((a, b), tol="linalg", scale=_magnitude(a, b))


def _cholesky(draw: Draw, op: OpDef) -> Case:
    dt = _lin_float(draw, op)
    x = _hermitian(draw, dt, draw(st.integers(0, 4)), _stack_shape(draw), True)
    upper = draw(st.booleans())
    return Case((x,), {"upper": upper}, tol="linalg", scale=_magnitude(x),
                ref=lambda x, upper: np.linalg.cholesky(x, upper=upper))


def _eigvalsh(draw: Draw, op: OpDef) -> Case:
    dt = _lin_float(draw, op)
    x = _hermitian(draw, dt, draw(st.integers(0, 4)), _stack_shape(draw), False)
    return Case((x,), tol="linalg", scale=_magnitude(x), check=_check_eig
                if op.short == "eigh" else None)


def _eig(draw: Draw, op: OpDef) -> Case:
    """Diagonalizable matrices with well-separated eigenvalues: P diag(d) P^-1."""
    dt = _lin_float(draw, op)
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
        assert isinstance(got, tuple) and getattr(got, "_fields", None) == want._fields, \
            f"expected a named tuple with fields {want._fields}; got {type(got).__name__}"
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
        assert np.all(np.min(diff, axis=-1) <= tol[1] + tol[0] * np.abs(gw)), \
            f"eigenvalues {gw} do not match NumPy's {want_w}"
        assert np.all(np.min(diff, axis=-2) <= tol[1] + tol[0] * np.abs(want_w)), \
            f"eigenvalues {gw} do not match NumPy's {want_w}"
    else:
        np.testing.assert_allclose(np.sort(gw, axis=-1), np.sort(want_w, axis=-1),
                                   rtol=tol[0], atol=tol[1])
    if got_v is not None:
        want_v = np.asarray(want[1])
        if cplx and want_v.dtype.kind != "c":
            want_v = want_v.astype(want_w.dtype)
        v = assert_same_meta(got_v, want_v, "eigenvectors")
        lhs = x.astype(v.dtype) @ v
        np.testing.assert_allclose(lhs, v * gw[..., None, :], rtol=tol[0], atol=tol[1],
                                   err_msg="A @ v != v * w")


def _eig_case(draw: Draw, op: OpDef) -> Case:
    c = _eig(draw, op)
    c.meta["complex"] = True
    return c


def _rect(draw: Draw, op: OpDef, lo: int = 0) -> np.ndarray[Any, Any]:
    dt = _lin_float(draw, op)
    m, n = draw(st.integers(lo, 4)), draw(st.integers(lo, 4))
    return array(draw, dt, _stack_shape(draw, m, n), _MAT)


def _svdvals(draw: Draw, op: OpDef) -> Case:
    x = _rect(draw, op)
    return Case((x,), tol="linalg", scale=_magnitude(x))


def _svd(draw: Draw, op: OpDef) -> Case:
    x = _rect(draw, op)
    full = draw(st.booleans())
    return Case((x,), {"full_matrices": full}, tol="linalg", scale=_magnitude(x),
                ref=lambda x, full_matrices: np.linalg.svd(x, full_matrices=full_matrices),
                check=_check_svd)


def _check_svd(got: Any, want: Any, case: Case) -> None:
    """svd: singular values match NumPy's; U, Vh have NumPy's shapes and rebuild x."""
    x = case.args[0]
    assert isinstance(got, tuple) and getattr(got, "_fields", None) == want._fields, \
        f"svd() must return a named tuple with fields {want._fields}"
    u, s, vh = (assert_same_meta(g, np.asarray(w), f"svd().{f}")
                for g, w, f in zip(got, want, want._fields))
    tol = tolerance(case, s.dtype)
    np.testing.assert_allclose(s, want.S, rtol=tol[0], atol=tol[1], err_msg="svd().S")
    k = s.shape[-1]
    rebuilt = (u[..., :, :k] * s[..., None, :]) @ vh[..., :k, :]
    np.testing.assert_allclose(rebuilt, x, rtol=tol[0], atol=tol[1],
                               err_msg="U @ diag(S) @ Vh != x")


def _qr(draw: Draw, op: OpDef) -> Case:
    x = _rect(draw, op)
    return Case((x,), {"mode": draw(st.sampled_from(["reduced", "complete"]))}, tol="linalg",
                scale=_magnitude(x), check=_check_qr)


def _check_qr(got: Any, want: Any, case: Case) -> None:
    """qr: NumPy's shapes and dtypes; Q has orthonormal columns, R is upper triangular, QR = x."""
    x = case.args[0]
    assert isinstance(got, tuple) and getattr(got, "_fields", None) == want._fields, \
        f"qr() must return a named tuple with fields {want._fields}"
    q, r = (assert_same_meta(g, np.asarray(w), f"qr().{f}")
            for g, w, f in zip(got, want, want._fields))
    tol = tolerance(case, q.dtype)
    np.testing.assert_allclose(q @ r, x, rtol=tol[0], atol=tol[1], err_msg="Q @ R != x")
    eye = np.conj(np.swapaxes(q, -1, -2)) @ q
    np.testing.assert_allclose(eye, np.broadcast_to(np.eye(q.shape[-1]), eye.shape),
                               atol=tol[1], err_msg="Q^H Q != I")
    np.testing.assert_array_equal(np.tril(r, -1), 0, err_msg="R is not upper triangular")


def _pinv_rank(draw: Draw, op: OpDef) -> Case:
    dt = _lin_float(draw, op)
    m, n, k = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(0, 4))
    batch = _stack_shape(draw)
    a = array(draw, dt, batch + (m, k), _MAT)
    b = array(draw, dt, batch + (k, n), _MAT)
    x = (a @ b).astype(dt)  # rank <= k
    if op.short == "pinv":  # pinv of nearly singular matrices is ill conditioned
        x = array(draw, dt, batch + (m, n), _MAT)
        x[..., : min(m, n), : min(m, n)] += 2 * np.eye(min(m, n), dtype=dt)
    rtol = draw(st.sampled_from([None, 1e-3, 0.1]))
    return Case((x,), {"rtol": rtol}, tol="linalg", scale=_magnitude(x) ** 2,
                ref=lambda x, rtol: numpy_function(op.name)(x, rtol=rtol))


def _matrix_norm(draw: Draw, op: OpDef) -> Case:
    x = _rect(draw, op, lo=1)
    order = draw(st.sampled_from(["fro", "nuc", 1, -1, 2, -2, INF, -INF]))
    keepdims = draw(st.booleans())
    return Case((x,), {"keepdims": keepdims, "ord": order}, tol="linalg",
                scale=_magnitude(x))


def _vector_norm(draw: Draw, op: OpDef) -> Case:
    dt = _lin_float(draw, op)
    x = array(draw, dt, draw(shapes(min_side=1)), Domain(-10.0, 10.0))
    order = draw(st.sampled_from([1, 2, INF, -INF, 0, -1, 3]))
    return Case((x,), {"axis": _axis(draw, x.ndim), "keepdims": draw(st.booleans()),
                       "ord": order}, tol="linalg", scale=_magnitude(x))


def _diagonal_trace(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    x = array(draw, dt, _stack_shape(draw, draw(st.integers(0, 4)), draw(st.integers(0, 4))),
              _MAT if dt.kind in "fc" else DEFAULT)
    return Case((x,), {"offset": draw(st.integers(-4, 4))}, tol="reduction",
                scale=_magnitude(x))


def _cross(draw: Draw, op: OpDef) -> Case:
    d1 = dtype(draw, op.category_of(0))
    d2 = draw(st.sampled_from([d1] + [d for d in dtypes_of(op.category_of(1))
                                      if d != d1 and promotable(d1, d)]))
    s1, s2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2,
                                                    max_side=3)).input_shapes
    axis = -1
    x1 = array(draw, d1, s1 + (3,), _MAT)
    x2 = array(draw, d2, s2 + (3,), _MAT)
    if len(s1) == len(s2) and s1 and draw(st.booleans()):
        # the standard's axis is negative: [-N, -1]
        x1, x2, axis = np.moveaxis(x1, -1, 0), np.moveaxis(x2, -1, 0), -x1.ndim
    return Case((x1, x2), {"axis": axis}, tol="linalg", scale=_magnitude(x1, x2) ** 2)


def _outer(draw: Draw, op: OpDef) -> Case:
    d1 = dtype(draw, op.category_of(0))
    d2 = draw(st.sampled_from([d1] + [d for d in dtypes_of(op.category_of(1))
                                      if d != d1 and promotable(d1, d)]))
    x1 = array(draw, d1, draw(shapes(1, 1)), _MAT)
    x2 = array(draw, d2, draw(shapes(1, 1)), _MAT)
    return Case((x1, x2), ref=np.outer, tol="linalg", scale=_magnitude(x1, x2) ** 2)


def _matmul(draw: Draw, op: OpDef) -> Case:
    d1 = dtype(draw, op.category_of(0))
    d2 = draw(st.sampled_from([d1] + [d for d in dtypes_of(op.category_of(0))
                                      if d != d1 and promotable(d1, d)]))
    b1, b2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2,
                                                    max_side=2)).input_shapes
    m, k, n = (draw(st.integers(0, 3)) for _ in range(3))
    s1 = (k,) if draw(st.integers(0, 3)) == 0 else b1 + (m, k)
    s2 = (k,) if draw(st.integers(0, 3)) == 0 else b2 + (k, n)
    x1, x2 = array(draw, d1, s1, _MAT), array(draw, d2, s2, _MAT)
    return Case((x1, x2), tol="linalg", scale=_magnitude(x1, x2) ** 2)


def _matrix_transpose(draw: Draw, op: OpDef) -> Case:
    return Case((_any_array(draw, op, min_dims=2),))


def _tensordot(draw: Draw, op: OpDef) -> Case:
    d1 = dtype(draw, op.category_of(0))
    d2 = draw(st.sampled_from([d1] + [d for d in dtypes_of(op.category_of(0))
                                      if d != d1 and promotable(d1, d)]))
    shared = tuple(draw(shapes(0, 2, 0, 3)))
    s1 = tuple(draw(shapes(0, 2, 0, 3))) + shared
    s2 = shared + tuple(draw(shapes(0, 2, 0, 3)))
    x1, x2 = array(draw, d1, s1, _MAT), array(draw, d2, s2, _MAT)
    axes: Any = len(shared)
    if shared and draw(st.booleans()):
        k = len(shared)
        axes = (tuple(range(x1.ndim - k, x1.ndim)), tuple(range(k)))
    return Case((x1, x2), {"axes": axes}, tol="linalg", scale=_magnitude(x1, x2) ** 2)


def _vecdot(draw: Draw, op: OpDef) -> Case:
    d1 = dtype(draw, op.category_of(0))
    d2 = draw(st.sampled_from([d1] + [d for d in dtypes_of(op.category_of(0))
                                      if d != d1 and promotable(d1, d)]))
    s1, s2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2,
                                                    max_side=3)).input_shapes
    k = draw(st.integers(0, 4))
    x1, x2 = array(draw, d1, s1 + (k,), _MAT), array(draw, d2, s2 + (k,), _MAT)
    axis = -1
    if x1.ndim == x2.ndim and x1.ndim > 1 and draw(st.booleans()):
        x1, x2, axis = np.moveaxis(x1, -1, -2), np.moveaxis(x2, -1, -2), -2
    return Case((x1, x2), {"axis": axis}, tol="linalg", scale=_magnitude(x1, x2) ** 2)


# -- fft ---------------------------------------------------------------------------------------
_FFT = Domain(-10.0, 10.0, specials=())
_NORMS = ("backward", "ortho", "forward")


def _fft1(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    inverse_real = op.short in ("irfft", "hfft")
    x = array(draw, dt, draw(shapes(min_dims=1, min_side=1)), _FFT)
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    n = draw(st.one_of(st.none(), st.integers(1, 6)))
    if inverse_real and n is None:
        assume(x.shape[axis] >= 2)
    return Case((x,), {"n": n, "axis": axis, "norm": draw(st.sampled_from(_NORMS))},
                tol="fft", scale=_magnitude(x))


def _fftn(draw: Draw, op: OpDef) -> Case:
    dt = dtype(draw, op.category_of(0))
    x = array(draw, dt, draw(shapes(min_dims=1, min_side=1)), _FFT)
    axes: Any = None
    if draw(st.booleans()):
        axes = tuple(draw(st.lists(st.integers(0, x.ndim - 1), unique=True, min_size=1)))
    s: Any = None
    if axes is not None and draw(st.booleans()):
        s = tuple(draw(st.integers(1, 5)) for _ in axes)
    last = (axes or tuple(range(x.ndim)))[-1]
    if op.short == "irfftn" and s is None:
        assume(x.shape[last] >= 2)
    return Case((x,), {"s": s, "axes": axes, "norm": draw(st.sampled_from(_NORMS))},
                tol="fft", scale=_magnitude(x))


def _fftshift(draw: Draw, op: OpDef) -> Case:
    x = _any_array(draw, op, min_dims=1)  # NumPy's fftshift fails on 0-d arrays
    return Case((x,), {"axes": _axis(draw, x.ndim)})


Sampler = Callable[[Draw, OpDef], Case]

# Op name -> its sampler, or named variants of it (each a test of its own, so that a backend's
# known failure, such as Dask's data-dependent shapes, names the variant and not the op).
SAMPLERS: dict[str, Sampler | dict[str, Sampler]] = {
    # element-wise, other than unary/binary
    "clip": _clip,
    # searching, sorting, sets
    "where": _where, "sort": _sort, "argsort": _sort, "isin": _isin,
    "unique_all": _unique, "unique_counts": _unique, "unique_inverse": _unique,
    "unique_values": _unique, "nonzero": _nonzero, "searchsorted": _searchsorted,
    # indexing, creation, data types
    "take": _take, "take_along_axis": _take_along_axis,
    "__getitem__": {"basic": _getitem_basic, "boolean mask": _getitem_mask},
    "meshgrid": _meshgrid, "tril": _tri, "triu": _tri, "astype": _astype,
    # manipulation
    "broadcast_arrays": _broadcast_arrays, "broadcast_to": _broadcast_to, "concat": _concat,
    "expand_dims": _expand_dims, "flip": _flip, "moveaxis": _moveaxis,
    "permute_dims": _permute_dims, "reshape": _reshape, "roll": _roll,
    "repeat": {"int repeats": _repeat_int, "array repeats": _repeat_array},
    "squeeze": _squeeze, "stack": _stack, "tile": _tile, "unstack": _unstack,
    "asarray": _copy,
    # linear algebra
    "matmul": _matmul, "matrix_transpose": _matrix_transpose, "tensordot": _tensordot,
    "vecdot": _vecdot,
    "linalg.cholesky": _cholesky, "linalg.cross": _cross, "linalg.det": _square,
    "linalg.diagonal": _diagonal_trace, "linalg.eig": _eig_case, "linalg.eigh": _eigvalsh,
    "linalg.eigvalsh": _eigvalsh, "linalg.eigvals": _eig_case, "linalg.inv": _square,
    "linalg.matrix_norm": _matrix_norm, "linalg.matrix_power": _matrix_power,
    "linalg.matrix_rank": _pinv_rank, "linalg.outer": _outer, "linalg.pinv": _pinv_rank,
    "linalg.qr": _qr, "linalg.slogdet": _square, "linalg.solve": _solve, "linalg.svd": _svd,
    "linalg.svdvals": _svdvals, "linalg.trace": _diagonal_trace,
    "linalg.vector_norm": _vector_norm,
    # fft
    "fft.fft": _fft1, "fft.ifft": _fft1, "fft.rfft": _fft1, "fft.irfft": _fft1,
    "fft.hfft": _fft1, "fft.ihfft": _fft1, "fft.fftn": _fftn, "fft.ifftn": _fftn,
    "fft.rfftn": _fftn, "fft.irfftn": _fftn, "fft.fftshift": _fftshift,
    "fft.ifftshift": _fftshift,
}


def sample(draw: Draw, op: OpDef, variant: str | None = None) -> Case:
    """A case of ``op``: its sampler in ``SAMPLERS``, else the default of its kind."""
    sampler = SAMPLERS.get(op.name)
    if isinstance(sampler, dict):
        return sampler[variant or ""](draw, op)
    if sampler is not None:
        return sampler(draw, op)
    if group_of(op) == "binary":
        return binary_case(draw, op)
    return default_case(draw, op)


def cases_in(*groups: str) -> list[Any]:
    """pytest parameters ``(op, variant)`` of the table's ops of ``groups``."""
    import pytest

    params = []
    for op in ops_in(*groups):
        sampler = SAMPLERS.get(op.name)
        if isinstance(sampler, dict):
            params += [pytest.param(op, v, id=f"{op.name}[{v}]") for v in sampler]
        else:
            params.append(pytest.param(op, None, id=op.name))
    return params


# -- running and comparing -------------------------------------------------------------------------
def to_tensors(value: Any) -> Any:
    """NumPy inputs -> polytensor inputs on the current backend (dtypes -> polytensor dtypes)."""
    if isinstance(value, np.ndarray):
        return pt.asarray(np.array(value, copy=True), dtype=getattr(pt, value.dtype.name))
    if isinstance(value, np.dtype):
        return getattr(pt, value.name)
    if isinstance(value, list):
        return [to_tensors(v) for v in value]
    if isinstance(value, tuple):
        return tuple(to_tensors(v) for v in value)
    if isinstance(value, dict):
        return {k: to_tensors(v) for k, v in value.items()}
    return value


def to_host(t: Any) -> np.ndarray[Any, Any]:
    assert isinstance(t, pt.Tensor), f"expected a polytensor Tensor; got {type(t).__name__}"
    return np.array(t.numpy(), copy=True)


def call(op: OpDef, case: Case) -> Any:
    args, kwargs = to_tensors(case.args), to_tensors(case.kwargs)
    fn = case.call or public_function(op)
    return fn(*args, **kwargs)


def reference(op: OpDef, case: Case) -> Any:
    fn = case.ref or REFERENCES.get(op.name) or numpy_function(op.name)
    return fn(*case.args, **case.kwargs)


# (rtol for 32-bit, rtol for 64-bit floating results); atol = rtol * case.scale
TOLERANCES = {
    "elementwise": (4 * 2.0 ** -23, 4 * 2.0 ** -52),
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
    assert type(got._data) is b.array_type, \
        f"{where}: the tensor holds a {type(got._data).__name__}, not a {b.name} array"
    assert got.dtype.name == want.dtype.name, \
        f"{where}: dtype {got.dtype.name}, expected {want.dtype.name} (NumPy's under the " \
        f"standard's rules)"
    # a lazy backend may not know a data-dependent dimension (None) before computing
    assert len(got.shape) == len(want.shape) and all(
        g is None or g == w for g, w in zip(got.shape, want.shape)), \
        f"{where}: .shape is {got.shape}, expected {want.shape}"
    host = to_host(got)
    assert host.shape == want.shape, f"{where}: shape {host.shape}, expected {want.shape}"
    return host


def assert_values(got: np.ndarray[Any, Any], want: np.ndarray[Any, Any], case: Case,
                  where: str, signed_zeros: bool = False) -> None:
    if want.dtype.kind in "fc" or got.dtype.kind in "fc":
        rtol, atol = tolerance(case, want.dtype)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=where, strict=True)
        if signed_zeros and want.dtype.kind == "f":
            zeros = (got == 0) & (want == 0)
            np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(want[zeros]),
                                          err_msg=f"{where}: sign of zero")
    else:
        np.testing.assert_array_equal(got, want, err_msg=where, strict=True)


def assert_matches(got: Any, want: Any, case: Case, where: str,
                   signed_zeros: bool = False) -> None:
    """``got`` (polytensor) equals ``want`` (NumPy): containers, dtypes, shapes, values."""
    if case.check is not None:
        case.check(got, want, case)
        return
    if isinstance(want, (tuple, list)):
        kind = "tuple" if isinstance(want, tuple) else "list"
        assert isinstance(got, tuple if kind == "tuple" else list), \
            f"{where}: expected a {kind} (as the standard says); got {type(got).__name__}"
        if hasattr(want, "_fields"):
            assert getattr(got, "_fields", None) == want._fields, \
                f"{where}: expected a named tuple with fields {want._fields}"
        assert len(got) == len(want), f"{where}: {len(got)} results, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
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
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                    print_blob=False, suppress_health_check=list(HealthCheck))
