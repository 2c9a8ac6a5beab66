"""The op table: each operation declared once, with its dtype category and derivative rule.

The builders (``unary``, ``binary``, ``op``) register an ``OpDef`` and generate the public
function with the standard's exact signature; ``_tensor_ops`` derives the Tensor operators from
the same entries and ``polytensor.autograd`` reads the rules.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .. import _dtypes as dt
from .. import _tape
from .._dispatch import booleans_computed_as, refusing_booleans
from .._dispatch import numbers_as_booleans as numbers_as_booleans_
from .._inplace import assign_inplace
from .._tape import NONDIFF, ZERO, Composite, Marker
from .._tensor_base import TensorBase
from ..backends._backend import register_op_name
from . import _functions

__all__ = ["NONDIFF", "OPS", "OP_LIST", "ZERO", "OpDef", "binary", "op", "unary"]

_FLOAT_CAT = dt.CATEGORY_NAMES.index("floating-point")
SPEC_URL = "https://data-apis.org/array-api/2025.12/API_specification/generated/array_api.{}.html"


_Marker = Marker  # (the table's name for the tape's derivative markers)

if TYPE_CHECKING:
    from .._tensor import Tensor

Rule = Callable[..., Any]
# What the builders return: a function of the namespace, returning tensors.
Function = Callable[..., "Tensor"]


@dataclass(eq=False)
class OpDef:
    """One operation of the table.

    ``vjp(g, out, *inputs, **params)`` returns a tuple with one cotangent (or None) per input;
    ``impl(fn, *arrays, **params)`` calls the backend function ``fn`` when a plain
    ``fn(*arrays, **params)`` does not fit.
    """

    name: str
    category: str | tuple[str, ...]
    vjp: Rule | _Marker | Composite | None
    index: int = -1
    impl: Callable[..., Any] | None = None
    promote: tuple[int, ...] | None = None
    scalars: bool = False
    rules: tuple[Any, ...] = ()
    func: Callable[..., Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    saves_out: bool = True  # whether a rule reads `out` (else the graph does not keep it)
    # a rule's None is a zero gradient (a custom Function's is an undefined one: _function.py)
    none_is_no_gradient: ClassVar[bool] = False
    # per input, whether a rule reads its values (not only .shape/.dtype): only those inputs
    # are checked for in-place changes on backward; None means all of them
    reads: tuple[bool, ...] | None = None
    # the indices of the True entries of ``reads`` (None: check every input but ``unchecked``)
    checked: tuple[int, ...] | None = None
    # for a rule of ``*inputs``, the named inputs before them it declares unread (``x[key]``'s
    # ``_x``: only its shape; the index arrays that follow are read)
    unchecked: tuple[int, ...] = ()
    # with one rule per input, per rule the inputs whose values it reads: backward checks only
    # those of the rules it runs (x * 2 reads nothing of x); None: ``checked``
    rule_reads: tuple[tuple[int, ...], ...] | None = None
    # with one rule per input, the inputs whose rules read ``out``: the output is kept only
    # when one of them needs a gradient (x ** 2 keeps no output); None: any input
    out_readers: tuple[int, ...] | None = None
    # for an op of one or two inputs, per pattern of which inputs need a gradient (index
    # 2 * needs_x1 + needs_x2 for two, 1 for one), the inputs whose values no rule that runs
    # reads (their data a node keeps as a stand-in: _tape.stand_ins), or None where it reads
    # them all; None: it reads them all in every case
    unread: tuple[tuple[int, ...] | None, ...] | None = None
    # The fast first-order forms of ``rules`` (polytensor.autograd._fast_forms): per input, a
    # callable ``(F, g, out, *inputs, **params)`` on the backend's own arrays; None: none
    fast: tuple[Any, ...] | None = None
    # PyTorch's inputs outside the category (boolean ones of ``multiply``, numbers of
    # ``logical_and``): ``coerce(backend, datas, dtypes)`` adapts them before apply()'s checks
    # and returns the native dtype to cast the result to (``_dispatch.booleans_computed_as``)
    coerce: Callable[..., Any] | None = None

    @property
    def category_sets(self) -> tuple[frozenset[dt.DType], ...]:
        """The dtypes each input accepts (one entry for all inputs when the category is one
        string)."""
        sets = self.extra.get("category_sets")
        if sets is None:
            names = (self.category,) if isinstance(self.category, str) else self.category
            sets = self.extra["category_sets"] = tuple(dt.CATEGORIES[n] for n in names)
        return sets

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def category_of(self, i: int) -> str:
        return self.category if isinstance(self.category, str) else self.category[i]


OPS: dict[str, OpDef] = {}
OP_LIST: list[OpDef] = []
# Standard functions written as compositions of table ops (STYLE.md): no rule of their own.
COMPOSITIONS: dict[str, Callable[..., Any]] = {}


def composition(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a standard function as a composition of table ops (differentiated through them)."""
    COMPOSITIONS[fn.__name__] = fn
    return fn


# -- what a rule needs kept: declared by its parameter names ----------------------------------
def _parameters(rule: Any) -> tuple[tuple[str, ...], bool]:
    """The names of ``rule``'s positional parameters (``g``, ``out``, the inputs, ...) and
    whether it takes ``*inputs`` (which it may all read)."""
    names: list[str] = []
    for p in inspect.signature(rule).parameters.values():
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            return tuple(names), True
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
    return tuple(names), False


def _declares_unused(name: str) -> bool:
    """A rule declares that it does not read a parameter's values by naming it ``_name``: an
    ``_out`` rule never sees the output (the graph does not keep it), an ``_x`` input is read
    for its shape, dtype or device at most (an in-place change of it does not matter)."""
    return name.startswith("_")


def _declare_reads(opdef: OpDef) -> None:
    """Fill ``saves_out``, ``out_readers`` and ``checked`` from the rules' declarations
    (``_declares_unused``); ``conformance/test_gradients.py`` calls every rule with what it
    declares unused withheld, so a wrong declaration fails there."""
    rules = opdef.rules or (opdef.vjp,)
    real = [(i, r) for i, r in enumerate(rules) if callable(r) and not isinstance(r, _Marker)]
    params = [(i, _parameters(r)) for i, r in real]
    readers = [i for i, (p, _) in params if len(p) < 2 or not _declares_unused(p[1])]
    opdef.saves_out = bool(readers)
    if opdef.rules and readers:
        opdef.out_readers = tuple(readers)
    n_inputs = opdef.extra.get("n_inputs")
    if len(params) == 1 and params[0][1][1]:  # one rule, of named inputs and then *inputs
        named = params[0][1][0][2:]
        opdef.unchecked = tuple(j for j, name in enumerate(named) if _declares_unused(name))
    if not real or n_inputs is None or any(variadic for _, (_, variadic) in params):
        return  # every input is checked for in-place changes (but ``unchecked``)
    reads = [False] * n_inputs
    for _, (p, _) in params:
        for j, name in enumerate(p[2 : 2 + n_inputs]):
            reads[j] = reads[j] or not _declares_unused(name)
    opdef.reads = tuple(reads)
    opdef.checked = tuple(j for j, r in enumerate(reads) if r)
    if opdef.rules and len(opdef.rules) == n_inputs:
        per_rule: list[tuple[int, ...]] = [()] * n_inputs
        for i, (p, _) in params:
            per_rule[i] = tuple(
                j for j, name in enumerate(p[2 : 2 + n_inputs]) if not _declares_unused(name)
            )
        opdef.rule_reads = tuple(per_rule)
    _declare_unread(opdef, n_inputs)


def _declare_unread(opdef: OpDef, n_inputs: int) -> None:
    """Fill ``unread`` for an op of one or two inputs from ``rule_reads`` (or, for one rule,
    ``reads``): per pattern of the inputs that need a gradient, those no rule that runs
    reads."""
    if n_inputs not in (1, 2):
        return
    patterns: list[tuple[int, ...] | None] = []
    for code in range(1 << n_inputs):
        needs = [bool(code >> (n_inputs - 1 - i) & 1) for i in range(n_inputs)]
        if opdef.rule_reads is not None:
            read = {j for i, r in enumerate(opdef.rule_reads) if needs[i] for j in r}
        else:
            read = {j for j, r in enumerate(opdef.reads or ()) if r}
        drop = tuple(j for j in range(n_inputs) if j not in read)
        patterns.append(drop if drop and any(needs) else None)
    if any(p is not None for p in patterns):
        opdef.unread = tuple(patterns)


def _register(opdef: OpDef) -> OpDef:
    if opdef.name in OPS:
        raise ValueError(f"op {opdef.name!r} is declared twice")
    _declare_reads(opdef)
    opdef.index = register_op_name(opdef.name)  # the backends' function tables follow the table
    assert opdef.index == len(OP_LIST)
    OPS[opdef.name] = opdef
    OP_LIST.append(opdef)
    return opdef


def _per_input(rules: Rule | _Marker | tuple[Rule | _Marker, ...] | None) -> Rule | _Marker | None:
    """Turn one rule per input into a single ``vjp`` returning a tuple."""
    if rules is None or isinstance(rules, _Marker) or not isinstance(rules, tuple):
        return rules
    if all(isinstance(r, _Marker) for r in rules) and len({id(r) for r in rules}) == 1:
        return rules[0]

    requires_grad = _tape.requires_grad

    def vjp(g: Any, out: Any, *inputs: Any, **params: Any) -> tuple[Any, ...]:
        # Only the inputs that need a gradient get one (a Python scalar input never does).
        return tuple(
            None
            if isinstance(r, _Marker) or not hasattr(x, "_meta") or not requires_grad(x)
            else r(g, out, *inputs, **params)
            for r, x in zip(rules, inputs, strict=True)
        )

    return vjp


_INTEGERS_AS_FLOAT_DOC = (
    " (integer and boolean inputs are computed in the default floating-point dtype, "
    "pt.get_default_dtype(), as PyTorch computes them)"
)
# the categories whose element-wise functions compute integer and boolean inputs in the default
# floating-point dtype (a complex one, imag's, does not: PyTorch refuses integers there)
_INTEGERS_AS_FLOAT_CATEGORIES = frozenset(("floating-point", "real floating-point"))

_OUT_DOC = (
    "``out=``: a tensor to write the result into, as PyTorch's ``out=`` (by keyword only: "
    "PyTorch's deprecated ``add(x, alpha, other)`` gives a third positional argument "
    "another meaning).\n\n"
)


def _docstring(opdef: OpDef, sig: str, example: str, out: bool = False) -> str:
    cat = opdef.category if isinstance(opdef.category, str) else " / ".join(opdef.category)
    if opdef.extra.get("integers_as_float"):
        cat += _INTEGERS_AS_FLOAT_DOC
    cat += opdef.extra.get("coerce_doc", "")
    if isinstance(opdef.vjp, _Marker):
        deriv = opdef.vjp.doc
    elif opdef.vjp is None:
        deriv = "not yet differentiable"
    else:
        deriv = "differentiable (reverse mode, any order)"
    url = SPEC_URL.format(opdef.name)
    return (
        f"``{opdef.name}{sig}``: the Array API standard's ``{opdef.name}``.\n\n"
        f"Input dtypes: {cat}. Derivative: {deriv}.\n\n{_OUT_DOC if out else ''}See {url}\n\n"
        f"Examples\n--------\n{example}\n"
    )


_EXAMPLE_DATA = {
    "acos": "[0.0, 0.5]",
    "asin": "[0.0, 0.5]",
    "atanh": "[0.0, 0.5]",
    "acosh": "[1.0, 2.0]",
}


def _into(out: Any, t: Any, name: str = "") -> Any:
    """Write result ``t`` of function ``name`` into ``out`` (PyTorch's ``out=``) and return
    ``out``."""
    where = f"{name}() with out=" if name else "out="
    if not isinstance(out, TensorBase):
        raise TypeError(f"{where} expects a tensor for out; got {type(out).__name__}")
    if out._backend.name != t._backend.name:
        raise ValueError(
            f"{where} got out on the {out._backend.name} backend for a result on "
            f'{t._backend.name}; move it with out.to("{t._backend.name}")'
        )
    if _tape.requires_grad(t) or _tape.requires_grad(out):
        raise RuntimeError(
            f"{where} does not support automatic differentiation (an input or out "
            "requires grad); assign the result instead: y = pt.add(a, b)"
        )
    if t.dtype is not out.dtype:  # PyTorch's rule: cast within a kind (float64 -> float32)
        dt.check_result_cast(t.dtype, out.dtype, where, "y = pt.add(a, b) without out=")
        b = t._backend
        cast = object.__new__(type(t))
        cast._data = b.resolve("astype")(t._data, b.to_native[out.dtype])
        cast._backend = b
        cast._meta = None
        t = cast
    return assign_inplace(out, t, where)


def _unary_example(opdef: OpDef) -> str:
    cat = opdef.category_of(0)
    data = _EXAMPLE_DATA.get(opdef.name) or {
        "boolean": "[True, False]",
        "integer": "[1, 2, 3]",
        "integer or boolean": "[1, 2, 3]",
        "complex floating-point": "[1 + 2j, -1j]",
    }.get(cat, "[0.5, 1.0, 2.0]")
    return (
        f">>> import polytensor as pt\n>>> x = pt.asarray({data})\n"
        f">>> y = pt.{opdef.name}(x)\n>>> y.shape\n({len(data.split(','))},)"
    )


def _finish(
    fn: Any,
    opdef: OpDef,
    name: str,
    sig: str,
    example: str,
    module: str = "polytensor",
    out: bool = False,
) -> Function:
    """Give the public function of ``opdef`` its name, docstring and module (``out``: it
    takes ``out``)."""
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = _docstring(opdef, sig, example, out)
    fn.__module__ = module
    opdef.func = fn
    return fn  # type: ignore[no-any-return]


def _input_rules(
    opdef: OpDef, names: tuple[str, ...], optional: frozenset[int], scalars: frozenset[int]
) -> None:
    """Record, for ``apply()``'s checks, the inputs' names, those that may be None (their
    default is None) and those that may be Python scalars."""
    opdef.extra["input_names"] = names
    opdef.extra["optional"] = optional
    opdef.extra["scalar_inputs"] = scalars


def _coerce(
    opdef: OpDef,
    booleans: dt.DType | None,
    numbers_as_booleans: bool,
    refuse_booleans: bool = False,
) -> None:
    """Give ``opdef`` PyTorch's inputs outside its category (``OpDef.coerce``)."""
    if refuse_booleans:
        opdef.coerce = refusing_booleans(name=opdef.name)
        opdef.extra["coerce_doc"] = "; boolean inputs are refused, as PyTorch's"
    elif booleans is not None:
        opdef.coerce = booleans_computed_as(booleans)
        opdef.extra["coerce_doc"] = (
            f"; boolean inputs alone give {booleans.name} results, as PyTorch's"
        )
    elif numbers_as_booleans:
        opdef.coerce = numbers_as_booleans_
        opdef.extra["coerce_doc"] = "; numbers count as x != 0, as PyTorch's"


def unary(
    name: str,
    category: str,
    rule: Rule | _Marker | None,
    *,
    impl: Callable[..., Any] | None = None,
    booleans: dt.DType | None = None,
    numbers_as_booleans: bool = False,
    refuse_booleans: bool = False,
) -> Function:
    """Declare an element-wise function of one array, ``name(x, /)``.

    A function of a real floating-point category ("floating-point", "real floating-point")
    takes integer and boolean arrays too, computed in the default floating-point dtype
    (``integers_as_float``), as PyTorch's ``torch.exp(torch.arange(3))``: the standard leaves
    such inputs to the library. So, as PyTorch's, a numeric function with ``booleans`` takes
    boolean arrays and gives that dtype (``sign``: bool, ``square``: int64), and a boolean
    one with ``numbers_as_booleans`` takes numbers as ``x != 0`` (``logical_not``); one with
    ``refuse_booleans`` refuses boolean inputs with PyTorch's error (``-b``).
    """
    vjp = rule if rule is None or isinstance(rule, _Marker) else _per_input((rule,))
    extra: dict[str, Any] = {"n_inputs": 1}
    if category in _INTEGERS_AS_FLOAT_CATEGORIES:
        extra["integers_as_float"] = True
    opdef = _register(OpDef(name, category, vjp, impl=impl, rules=(rule,), extra=extra))
    _coerce(opdef, booleans, numbers_as_booleans, refuse_booleans)
    _input_rules(opdef, ("x",), frozenset(), frozenset())
    fn = _functions.unary_function(opdef, dt.CATEGORY_NAMES.index(category), _into)
    opdef.extra["dunder"] = fn  # (-x, abs(x): the function itself, x being a tensor)
    return _finish(fn, opdef, name, "(x, /)", _unary_example(opdef), out=True)


def binary(
    name: str,
    category: str,
    rules: tuple[Rule | _Marker, Rule | _Marker] | _Marker | None,
    *,
    impl: Callable[..., Any] | None = None,
    integers_as_float: bool = False,
    booleans: dt.DType | None = None,
    numbers_as_booleans: bool = False,
    refuse_booleans: bool = False,
) -> Function:
    """Declare an element-wise function of two arrays or Python scalars, ``name(x1, x2, /)``.

    Builds the function, its operator form (``__add__``) and reflected form (``__radd__``).
    With ``integers_as_float``, inputs that are all integers or booleans are computed in the
    default floating-point dtype (PyTorch's ``atan2`` of two integer tensors); with
    ``booleans``, inputs that are all boolean give that dtype (PyTorch's ``bool * bool``, a
    bool); with ``numbers_as_booleans``, numbers count as ``x != 0`` (``logical_and``); with
    ``refuse_booleans``, a boolean input is refused with PyTorch's error (``b - 1.0``).
    """
    vjp = _per_input(rules)
    opdef = _register(
        OpDef(
            name,
            category,
            vjp,
            impl=impl,
            promote=(0, 1),
            scalars=True,
            rules=rules if isinstance(rules, tuple) else (rules, rules),
            extra={"n_inputs": 2, "integers_as_float": integers_as_float},
        )
    )
    _coerce(opdef, booleans, numbers_as_booleans, refuse_booleans)
    _input_rules(opdef, ("x1", "x2"), frozenset(), frozenset((0, 1)))
    cat = dt.CATEGORY_NAMES.index(category)
    fn = _functions.binary_function(opdef, cat, _into)
    opdef.extra["dunder"] = _functions.binary_operator(opdef, cat)
    opdef.extra["rdunder"] = _functions.binary_operator(opdef, cat, reflected=True)
    for form, dunder in (("dunder", f"__{name}__"), ("rdunder", f"__r{name}__")):
        opdef.extra[form].__name__ = opdef.extra[form].__qualname__ = dunder
    data = (
        "[True, False]"
        if category == "boolean"
        else ("[1, 2, 3]" if category.startswith("integer") else "[0.5, 1.0, 2.0]")
    )
    example = (
        f">>> import polytensor as pt\n>>> x1 = pt.asarray({data})\n"
        f">>> x2 = pt.asarray({data})\n>>> pt.{name}(x1, x2).shape\n"
        f"({len(data.split(','))},)"
    )
    return _finish(fn, opdef, name, "(x1, x2, /)", example, out=True)


def op(
    name: str,
    sig: str,
    category: str | tuple[str, ...],
    rule: Rule | _Marker | Composite | tuple[Rule | _Marker, ...] | None,
    *,
    inputs: tuple[str, ...] = ("x",),
    impl: Callable[..., Any] | None = None,
    promote: tuple[int, ...] | None = None,
    scalars: bool = False,
    example: str | None = None,
    module: str = "polytensor",
    operator: bool = False,
    scalar_inputs: tuple[int, ...] | None = None,
    integers_as_float: bool = False,
    coerce: Callable[..., Any] | None = None,
) -> Function:
    """Declare any other operation with the standard's signature ``sig``.

    ``inputs`` names the array parameters (``"*arrays"`` for variadic ones, ``"[arrays]"`` for a
    sequence of arrays); every other parameter is passed to the backend by keyword.
    ``operator``: also build the operator form (``extra["dunder"]``, for
    ``Tensor.__matmul__``). With ``scalars``, ``scalar_inputs`` are the inputs that may be
    Python scalars (default: all but the first); an input whose default is None may be None.
    With ``integers_as_float``, array inputs that are all integers or booleans are computed in
    the default floating-point dtype (``pt.special.erf`` of an integer tensor, as PyTorch's).
    ``coerce`` is ``OpDef.coerce`` (a call with a Python scalar then goes through ``apply()``,
    which calls it).
    """
    n_in = None if any(c in "".join(inputs) for c in "[*") else len(inputs)
    extra: dict[str, Any] = {"n_inputs": n_in, "integers_as_float": integers_as_float}
    if isinstance(rule, tuple):  # one rule per array input: only the needed ones run
        opdef = _register(
            OpDef(
                name,
                category,
                _per_input(rule),
                impl=impl,
                promote=promote,
                scalars=scalars,
                rules=rule,
                extra=extra,
            )
        )
    else:
        opdef = _register(
            OpDef(
                name,
                category,
                rule,
                impl=impl,
                promote=promote,
                scalars=scalars,
                extra=extra,
            )
        )
    opdef.coerce = coerce
    fname = opdef.short
    signature = _functions.parse_signature(sig)
    names = {i.strip("[]*") for i in inputs}
    _input_rules(
        opdef,
        tuple(i.strip("[]*") for i in inputs),
        frozenset(
            i
            for i, n in enumerate(inputs)
            if n in signature.parameters and signature.parameters[n].default is None
        ),
        frozenset(
            ()
            if not scalars
            else scalar_inputs or (range(1, len(inputs)) if n_in is not None else (1,))
        ),
    )
    positional = [
        p
        for p, v in signature.parameters.items()
        if p not in names and v.kind is inspect.Parameter.POSITIONAL_ONLY
    ]
    if positional and impl is None:
        # The standard makes these positional-only; pass them so (np.tile has no `repetitions`).
        def impl(fn: Any, *arrays: Any, **kwargs: Any) -> Any:
            return fn(*arrays, *(kwargs.pop(p) for p in positional), **kwargs)

        opdef.impl = impl
    cats = tuple(dt.CATEGORY_NAMES.index(opdef.category_of(i)) for i in range(len(inputs)))
    fn = _functions.general_function(opdef, signature, inputs, cats)
    fn.__signature__ = signature
    if operator:
        dunder = opdef.extra["dunder"] = _functions.general_function(
            opdef, signature, inputs, cats, operator=True
        )
        dunder.__name__ = f"__{name}__"  # (Python's own errors of a wrong call name it)
        dunder.__qualname__ = f"Tensor.__{name}__"
    first = inputs[0].strip("[]*")
    example = example or (
        f">>> import polytensor as pt\n>>> {first} = pt.asarray([[1.0, 2.0], "
        f"[3.0, 4.0]])\n>>> y = pt.{name}({first})"
    )
    return _finish(fn, opdef, fname, sig, example, module)
