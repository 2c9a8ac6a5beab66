"""The op table: each operation declared once, with its dtype category and derivative rule.

The builders (``unary``, ``binary``, ``op``) register an ``OpDef`` and generate the public
function with the standard's exact signature; ``_tensor_ops`` derives the Tensor operators from
the same entries and ``polytensor.autograd`` reads the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import _dtypes as dt
from ..backends._backend import register_op_name
from .._tensor import SUBCLASSES

__all__ = ["OpDef", "OPS", "OP_LIST", "ZERO", "NONDIFF", "unary", "binary", "op"]

_FLOAT_CAT = dt.CATEGORY_NAMES.index("floating-point")
SPEC_URL = "https://data-apis.org/array-api/2025.12/API_specification/generated/array_api.{}.html"


class _Marker:
    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.doc = doc

    def __repr__(self) -> str:
        return self.name


ZERO = _Marker("ZERO", "zero almost everywhere (piecewise constant)")
NONDIFF = _Marker("NONDIFF", "not differentiable (integer or boolean output)")

Rule = Callable[..., Any]


@dataclass(eq=False)
class OpDef:
    """One operation of the table.

    ``vjp(g, out, *inputs, **params)`` returns a tuple with one cotangent (or None) per input;
    ``impl(fn, *arrays, **params)`` calls the backend function ``fn`` when a plain
    ``fn(*arrays, **params)`` does not fit.
    """

    name: str
    category: str | tuple[str, ...]
    vjp: Rule | _Marker | None
    index: int = -1
    impl: Callable[..., Any] | None = None
    promote: tuple[int, ...] | None = None
    scalars: bool = False
    rules: tuple[Any, ...] = ()
    func: Callable[..., Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    saves_out: bool = True  # whether a rule reads `out` (else the graph does not keep it)
    # per input, whether a rule reads its values (not only .shape/.dtype): only those inputs
    # are checked for in-place changes on backward; None means all of them
    reads: tuple[bool, ...] | None = None
    # the indices of the True entries of ``reads`` (None: check every input)
    checked: tuple[int, ...] | None = None
    # with one rule per input, the inputs whose rules read ``out``: the output is kept only
    # when one of them needs a gradient (x ** 2 keeps no output); None: any input
    out_readers: tuple[int, ...] | None = None
    # Optional fast first-order forms of ``rules`` (see ``_fast_rules``): per input, a callable
    # ``(F, g, out, *inputs, **params)`` on the backend's own arrays, or None
    fast: tuple[Any, ...] | None = None

    @property
    def category_sets(self) -> tuple[frozenset[dt.DType], ...]:
        """The dtypes each input accepts (one entry for all inputs when the category is one
        string)."""
        sets = self.extra.get("category_sets")
        if sets is None:
            names = (self.category,) if isinstance(self.category, str) else self.category
            sets = self.extra["category_sets"] = tuple(dt.CATEGORIES[n] for n in names)
        return sets  # type: ignore[no-any-return]

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


def _wire_graph() -> None:
    from ..autograd import _graph

    _graph._NONDIFF = NONDIFF
    _graph._ZERO = ZERO
    _graph._MARKER_TYPE = _Marker
    _graph._check_float_cat()


_wire_graph()


def _reads(fn: Any, name: str) -> bool:
    """Whether function ``fn`` reads its local ``name`` (a rule that never reads ``out`` lets
    the graph drop the output)."""
    import dis

    code = getattr(fn, "__code__", None)
    if code is None:
        return True
    return any(i.opname in ("LOAD_FAST", "LOAD_DEREF", "LOAD_CLOSURE", "LOAD_FAST_CHECK")
               and i.argval == name for i in dis.get_instructions(code))


_METADATA = frozenset(("shape", "ndim", "dtype", "size", "device", "_backend"))


def _value_reads(fn: Any) -> tuple[bool, ...] | None:
    """Per array parameter after ``(g, out)``, whether ``fn`` reads its values; None when that
    cannot be told (variadic inputs, no code object)."""
    import dis

    code = getattr(fn, "__code__", None)
    if code is None or code.co_flags & 0x04:  # *args: inputs cannot be told apart
        return None
    names = code.co_varnames[2:code.co_argcount]
    instructions = list(dis.get_instructions(code))
    reads = []
    for name in names:
        value = False
        for i, ins in enumerate(instructions):
            if ins.opname.startswith("LOAD_") and ins.argval == name:
                nxt = instructions[i + 1] if i + 1 < len(instructions) else None
                if nxt is None or not (nxt.opname == "LOAD_ATTR" and nxt.argval in _METADATA):
                    value = True
                    break
        reads.append(value)
    return tuple(reads)


def _register(opdef: OpDef) -> OpDef:
    if opdef.name in OPS:
        raise ValueError(f"op {opdef.name!r} is declared twice")
    rules = [r for r in (opdef.rules or (opdef.vjp,)) if callable(r) and not isinstance(r, _Marker)]
    opdef.saves_out = any(_reads(r, "out") for r in rules)
    if opdef.rules and opdef.saves_out:
        opdef.out_readers = tuple(i for i, r in enumerate(opdef.rules)
                                  if callable(r) and not isinstance(r, _Marker)
                                  and _reads(r, "out"))
    per_rule = [_value_reads(r) for r in rules]
    if rules and all(r is not None for r in per_rule):
        n = max(len(r) for r in per_rule)  # type: ignore[arg-type]
        opdef.reads = tuple(any(r[i] for r in per_rule if r is not None and i < len(r))
                            for i in range(n))
        n_inputs = opdef.extra.get("n_inputs")
        opdef.checked = None if n_inputs is None else tuple(
            i for i, r in enumerate(opdef.reads) if r and i < n_inputs)
    register_op_name(opdef.name)
    opdef.index = len(OP_LIST)
    OPS[opdef.name] = opdef
    OP_LIST.append(opdef)
    return opdef


def _fast_rules(opdef: OpDef, fast: Any) -> None:
    """Attach the fast first-order forms of ``opdef``'s rules.

    Each is the same derivative as the rule for its input, written on the backend's own arrays
    of one real floating dtype: ``F`` holds the backend's functions by op name (``F.matmul``),
    ``g``, ``out`` and the inputs are native arrays (Python scalars stay scalars), and the
    result is the input's cotangent before broadcasting is undone, or ``NotImplemented`` where
    the case is not covered (the rule then runs, as it does when the library raises TypeError
    for inputs of mixed dtypes, which the rule promotes). Backward calls them when it records
    nothing (``create_graph=False``), skipping the tensor layer the rules go through; the rules
    stay the definition (higher derivatives, complex numbers) and tests/test_fast_rules.py
    checks that both give the same gradients.
    """
    if fast is None:
        return
    fast = fast if isinstance(fast, tuple) else (fast,)
    if not opdef.rules or len(fast) != len(opdef.rules):
        raise ValueError(f"{opdef.name}: fast rules need one rule per input "
                         f"({len(opdef.rules)}); got {len(fast)}")
    # an input without a fast form (None) takes its rule: the engine then calls every entry
    opdef.fast = tuple(_no_fast_form if f is None else f for f in fast)


def _no_fast_form(F: Any, g: Any, out: Any, *inputs: Any, **params: Any) -> Any:
    return NotImplemented


def _per_input(rules: Rule | _Marker | tuple[Rule | _Marker, ...] | None) -> Rule | _Marker | None:
    """Turn one rule per input into a single ``vjp`` returning a tuple."""
    if rules is None or isinstance(rules, _Marker) or not isinstance(rules, tuple):
        return rules
    if all(isinstance(r, _Marker) for r in rules) and len({id(r) for r in rules}) == 1:
        return rules[0]

    from ..autograd._graph import requires_grad

    def vjp(g: Any, out: Any, *inputs: Any, **params: Any) -> tuple[Any, ...]:
        # Only the inputs that need a gradient get one (a Python scalar input never does).
        return tuple(None if isinstance(r, _Marker) or not hasattr(x, "_meta")
                     or not requires_grad(x) else r(g, out, *inputs, **params)
                     for r, x in zip(rules, inputs))
    return vjp


def _docstring(opdef: OpDef, sig: str, example: str) -> str:
    cat = opdef.category if isinstance(opdef.category, str) else " / ".join(opdef.category)
    if isinstance(opdef.vjp, _Marker):
        deriv = opdef.vjp.doc
    elif opdef.vjp is None:
        deriv = "not yet differentiable"
    else:
        deriv = "differentiable (reverse mode, any order)"
    url = SPEC_URL.format(opdef.name if "." in opdef.name else opdef.name)
    return (f"``{opdef.name}{sig}``: the Array API standard's ``{opdef.name}``.\n\n"
            f"Input dtypes: {cat}. Derivative: {deriv}.\n\nSee {url}\n\n"
            f"Examples\n--------\n{example}\n")


def _compile(src: str, name: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    exec(compile(src, f"<polytensor op {name}>", "exec"), namespace)  # noqa: S102
    fn: Callable[..., Any] = namespace[name]
    return fn


def _env(opdef: OpDef) -> dict[str, Any]:
    import weakref

    from .._dispatch import apply, wrap_new
    from .._tensor import Tensor

    from .. import _config
    from ..autograd import _graph

    if not _TENSOR:
        _TENSOR.append(Tensor)
        _graph._TENSOR_TYPE.append(Tensor)

    return {"Tensor": Tensor, "SUBS": SUBCLASSES, "apply": apply, "OP": opdef,
            "new": object.__new__, "wrap_new": wrap_new, "GRAD": _config.GRAD_ENABLED,
            "into": _into, "NO_PARAMS": _graph._NO_PARAMS,
            # what the inline recording uses (_record_source)
            "Node": _graph.Node, "Meta": _graph.Meta, "SEQ": _graph._SEQ, "graph": _graph,
            "weakref_ref": weakref.ref}


def _is_tensor(name: str) -> str:
    """Source testing whether ``name`` is a tensor (a subclass's instance too, at no cost to
    plain tensors)."""
    return f"type({name}) is Tensor or type({name}) in SUBS"


def _record_source(opdef: OpDef, guard: str, inputs: list[tuple[str, str, str]], params: str,
                   indent: int) -> str:
    """Source that records a generated fast path's call for autograd, when ``guard`` holds
    (grad mode is on and an input has autograd state): what ``Node.__init__`` and
    ``Meta.__init__`` do, written out as statements, as this runs once per recorded op.

    The fast path has ``r`` (the output's array), ``t`` (its tensor) and ``b`` (the backend).
    ``inputs``: per input, (name, the expression of its array, kind), kind being "tensor" (a
    Tensor), "scalar" (a Python scalar) or "any" (a Tensor, a scalar or None: known only when
    it runs). A node is recorded when an input needs a gradient and the output is floating;
    it keeps the output only when a rule that reads it is needed. Non-differentiable ops
    record nothing.
    """
    if opdef.vjp is NONDIFF:
        return ""
    head, needs, versions, datas = [], [], [], []
    for i, (name, data, kind) in enumerate(inputs):
        if kind == "scalar":
            needs.append("None")
            versions.append("0")
            datas.append(data)
            continue
        m = f"_m{i}"
        head.append(f"{m} = {name}._meta" if kind == "tensor" else
                    f"{m} = {name}._meta if {_is_tensor(name)} else None")
        head.append(f"_e{i} = {m} if {m} is not None and ({m}.requires_grad or {m}.node is not "
                    f"None) else None")
        needs.append(f"_e{i}")
        versions.append(f"0 if {m} is None else {m}.version")
        datas.append(data)
    edges = " or ".join(f"{e} is not None" for e in needs if e != "None")
    node = ["_node = new(Node)", "_node.op = OP",
            "_node.inputs = (" + "".join(f"{n}, " for n, _, _ in inputs) + ")",
            "_node.versions = (" + "".join(f"{v}, " for v in versions) + ")",
            "_node.needs = (" + "".join(f"{e}, " for e in needs) + ")",
            "_node.datas = (" + "".join(f"{d}, " for d in datas) + ")",
            f"_node.params = {params}", "_node.out = None", "_node.out_metas = ()",
            "_node.seq = next(SEQ)", "_node.epoch = graph._inplace_count", "_node.tuple_out = 0",
            "_node.hooked = None", "_node.fast = OP.fast",
            "_m = new(Meta)", "_m.requires_grad = False", "_m.node = _node", "_m.version = 0",
            "t._meta = _m"]
    if opdef.saves_out:  # keep the output (a tensor of its own) for the rules that read it
        keep = ["_o = new(Tensor)", "_o._data = r", "_o._backend = b", "_o._meta = None",
                "_node.out = _o", "_node.out_metas = ((weakref_ref(_m), 0),)"]
        readers = opdef.out_readers
        if readers is None:
            node += keep
        else:
            wanted = " or ".join(f"{needs[i]} is not None" for i in readers
                                 if i < len(needs) and needs[i] != "None")
            if wanted == edges:  # every input that can need a gradient reads it
                node += keep
            elif wanted:
                node += [f"if {wanted}:"] + ["    " + line for line in keep]
    lines = [f"if {guard}:"] + ["    " + line for line in head] + [
        f"    if ({edges}) and r.dtype in b.cats[{_FLOAT_CAT}]:"] + [
        "        " + line for line in node]
    return "\n".join(" " * indent + line for line in lines)


# The fast paths below run when no autograd is involved and the dtypes already agree; anything
# else (promotion, scalars of another kind, mixed backends, bad input) goes through apply().
_PUBLIC = {"outsig": ", *, out=None", "ret": " if out is None else into(out, t)"}
_DUNDER = {"outsig": "", "ret": ""}

_WRAP = '''
            if type(r) is not b.array_type:
                r = b.as_array(r)
            t = new(Tensor)
            t._data = r
            t._backend = b
            t._meta = None'''

# The fast paths below run when the inputs already share a backend and dtype (the common case);
# they record for autograd inline (_record_source). Anything else (promotion, scalars of another
# kind, mixed backends, bad input) goes through apply().
_UNARY_SRC = '''
def {fname}(x, /{outsig}):
    if type(x) is Tensor or type(x) in SUBS:
        b = x._backend
        d = x._data
        if d.dtype in b.cats[{cat}]:
            r = b.fns[{idx}](d)''' + _WRAP + '''
{record}
            return t{ret}
    t = apply(OP, (x,), None, {dunder})
    return t{ret}
'''

_BINARY_SRC = '''
def {fname}({a}, {b}, /{outsig}):
    if type(x1) is Tensor or type(x1) in SUBS:
        b = x1._backend
        d1 = x1._data
        dt = d1.dtype
        if type(x2) is Tensor or type(x2) in SUBS:
            if b is x2._backend and dt is (d2 := x2._data).dtype and dt in b.cats[{cat}]:
                try:
                    r = b.fns[{idx}](d1, d2)
                except ValueError:  # shapes do not broadcast: apply() says so in its words
                    return apply(OP, (x1, x2), None, {dunder})''' + _WRAP.replace(
    "\n            ", "\n                ") + '''
{record_tt}
                return t{ret}
        else:
            ok = b.cats_scalar[{cat}].get(type(x2))
            if ok is not None and dt in ok:
                r = b.fns[{idx}](d1, x2)''' + _WRAP.replace(
    "\n            ", "\n                ") + '''
{record_ts}
                return t{ret}
    elif type(x2) is Tensor or type(x2) in SUBS:
        b = x2._backend
        d2 = x2._data
        ok = b.cats_scalar[{cat}].get(type(x1))
        if ok is not None and d2.dtype in ok:
            r = b.fns[{idx}](x1, d2)''' + _WRAP + '''
{record_st}
            return t{ret}
    t = apply(OP, (x1, x2), None, {dunder})
    return t{ret}
'''


_EXAMPLE_DATA = {"acos": "[0.0, 0.5]", "asin": "[0.0, 0.5]", "atanh": "[0.0, 0.5]",
                 "acosh": "[1.0, 2.0]"}


def _into(out: Any, t: Any) -> Any:
    """Write result ``t`` into ``out`` (PyTorch's ``out=``) and return ``out``."""
    from .._tensor import Tensor
    from .._tensor_ops import assign_inplace
    from ..autograd._graph import requires_grad

    if not isinstance(out, Tensor):
        raise TypeError(f"out= expects a tensor; got {type(out).__name__}")
    if requires_grad(t) or requires_grad(out):
        raise RuntimeError("out= does not support automatic differentiation (an input or out "
                           "requires grad); assign the result instead: y = pt.add(a, b)")
    return assign_inplace(out, t, "out=")


def _unary_example(opdef: OpDef) -> str:
    cat = opdef.category_of(0)
    data = _EXAMPLE_DATA.get(opdef.name) or {
        "boolean": "[True, False]", "integer": "[1, 2, 3]", "integer or boolean": "[1, 2, 3]",
        "complex floating-point": "[1 + 2j, -1j]"}.get(cat, "[0.5, 1.0, 2.0]")
    return (f">>> import polytensor as pt\n>>> x = pt.asarray({data})\n"
            f">>> y = pt.{opdef.name}(x)\n>>> y.shape\n({len(data.split(','))},)")


def unary(name: str, category: str, rule: Rule | _Marker | None, *,
          impl: Callable[..., Any] | None = None, fast: Any = None) -> Callable[..., Any]:
    """Declare an element-wise function of one array, ``name(x, /)`` (``fast``: the rule's
    fast first-order form, see ``_fast_rules``)."""
    vjp = rule if rule is None or isinstance(rule, _Marker) else _per_input((rule,))
    opdef = _register(OpDef(name, category, vjp, impl=impl, rules=(rule,),
                            extra={"n_inputs": 1}))
    _fast_rules(opdef, fast)
    cat = dt.CATEGORY_NAMES.index(category)
    env = _env(opdef)
    if impl is None:
        record = _record_source(opdef, "x._meta is not None and GRAD.get()",
                                [("x", "d", "tensor")], "NO_PARAMS", 12)
        fn = _compile(_UNARY_SRC.format(fname=name, cat=cat, idx=opdef.index, dunder=False,
                                        record=record, **_PUBLIC),
                      name, env)
        opdef.extra["dunder"] = _compile(
            _UNARY_SRC.format(fname="dunder", cat=cat, idx=opdef.index, dunder=True,
                              record=record, **_DUNDER),
            "dunder", dict(env))
    else:
        fn = _compile(f"def {name}(x, /, *, out=None):\n    t = apply(OP, (x,), None)\n"
                      f"    return t if out is None else into(out, t)\n", name, env)
        opdef.extra["dunder"] = fn
    fn.__doc__ = _docstring(opdef, "(x, /)", _unary_example(opdef))
    fn.__module__ = "polytensor"
    fn.__qualname__ = name
    opdef.func = fn
    return fn


def binary(name: str, category: str,
           rules: tuple[Rule | _Marker, Rule | _Marker] | _Marker | None, *,
           impl: Callable[..., Any] | None = None, fast: Any = None) -> Callable[..., Any]:
    """Declare an element-wise function of two arrays or Python scalars, ``name(x1, x2, /)``.

    Generates the function, its operator form (``__add__``) and reflected form (``__radd__``).
    ``fast``: the rules' fast first-order forms, see ``_fast_rules``.
    """
    vjp = _per_input(rules)
    opdef = _register(OpDef(name, category, vjp, impl=impl, promote=(0, 1), scalars=True,
                            rules=rules if isinstance(rules, tuple) else (rules, rules),
                            extra={"n_inputs": 2}))
    _fast_rules(opdef, fast)
    cat = dt.CATEGORY_NAMES.index(category)
    env = _env(opdef)
    if impl is None:
        t1, t2 = ("x1", "d1", "tensor"), ("x2", "d2", "tensor")
        s1, s2 = ("x1", "x1", "scalar"), ("x2", "x2", "scalar")
        records = {  # tensor and tensor, tensor and scalar, scalar and tensor
            "record_tt": _record_source(
                opdef, "(x1._meta is not None or x2._meta is not None) and GRAD.get()", [t1, t2],
                "NO_PARAMS", 16),
            "record_ts": _record_source(opdef, "x1._meta is not None and GRAD.get()", [t1, s2],
                                        "NO_PARAMS", 16),
            "record_st": _record_source(opdef, "x2._meta is not None and GRAD.get()", [s1, t2],
                                        "NO_PARAMS", 12)}
        src = _BINARY_SRC.format(fname=name, a="x1", b="x2", cat=cat, idx=opdef.index,
                                 dunder=False, **records, **_PUBLIC)
        fn = _compile(src, name, env)
        opdef.extra["dunder"] = _compile(
            _BINARY_SRC.format(fname="dunder", a="x1", b="x2", cat=cat, idx=opdef.index,
                               dunder=True, **records, **_DUNDER), "dunder", dict(env))
        opdef.extra["rdunder"] = _compile(
            _BINARY_SRC.format(fname="rdunder", a="x2", b="x1", cat=cat, idx=opdef.index,
                               dunder=True, **records, **_DUNDER), "rdunder", dict(env))
    else:
        fn = _compile(f"def {name}(x1, x2, /, *, out=None):\n    t = apply(OP, (x1, x2), None)\n"
                      f"    return t if out is None else into(out, t)\n", name, env)
        opdef.extra["dunder"] = _compile(
            "def dunder(x1, x2, /):\n    return apply(OP, (x1, x2), None, True)\n",
            "dunder", dict(env))
        opdef.extra["rdunder"] = _compile(
            "def rdunder(x2, x1, /):\n    return apply(OP, (x1, x2), None, True)\n",
            "rdunder", dict(env))
    data = "[True, False]" if category == "boolean" else (
        "[1, 2, 3]" if category.startswith("integer") else "[0.5, 1.0, 2.0]")
    example = (f">>> import polytensor as pt\n>>> x1 = pt.asarray({data})\n"
               f">>> x2 = pt.asarray({data})\n>>> pt.{name}(x1, x2).shape\n"
               f"({len(data.split(','))},)")
    fn.__doc__ = _docstring(opdef, "(x1, x2, /)", example)
    fn.__module__ = "polytensor"
    fn.__qualname__ = name
    opdef.func = fn
    return fn


def op(name: str, sig: str, category: str | tuple[str, ...], rule: Rule | _Marker | None, *,
       inputs: tuple[str, ...] = ("x",), impl: Callable[..., Any] | None = None,
       promote: tuple[int, ...] | None = None, scalars: bool = False,
       example: str | None = None, module: str = "polytensor",
       fast: Any = None, operator: bool = False) -> Callable[..., Any]:
    """Declare any other operation with the standard's signature ``sig``.

    ``inputs`` names the array parameters (``"*arrays"`` for variadic ones, ``"[arrays]"`` for a
    sequence of arrays); every other parameter is passed to the backend by keyword. ``fast``:
    the rules' fast first-order forms (one-output ops with one rule per input), see
    ``_fast_rules``. ``operator``: also generate the operator form (``extra["dunder"]``, for
    ``Tensor.__matmul__``).
    """
    import inspect

    n_in = None if any(c in "".join(inputs) for c in "[*") else len(inputs)
    if isinstance(rule, tuple):  # one rule per array input: only the needed ones run
        opdef = _register(OpDef(name, category, _per_input(rule), impl=impl, promote=promote,
                                scalars=scalars, rules=rule, extra={"n_inputs": n_in}))
    else:
        opdef = _register(OpDef(name, category, rule, impl=impl, promote=promote,
                                scalars=scalars, extra={"n_inputs": n_in}))
    _fast_rules(opdef, fast)
    fname = opdef.short
    params = inspect.signature(_compile(f"def _s{sig}: pass\n", "_s", {}))
    if "[" in "".join(inputs) or "*" in "".join(inputs):
        (seq,) = inputs
        pname = seq.strip("[]*")
        tensors = f"_seq('{name}', {pname})"
    else:
        tensors = "(" + "".join(f"{n}, " for n in inputs) + ")"
    names = {i.strip("[]*") for i in inputs}
    kw = [p for p in params.parameters if p not in names]
    positional = [p for p in kw if params.parameters[p].kind is inspect.Parameter.POSITIONAL_ONLY]
    if positional and impl is None:
        # The standard makes these positional-only; pass them so (np.tile has no `repetitions`).
        def impl(fn: Any, *arrays: Any, **kwargs: Any) -> Any:
            return fn(*arrays, *(kwargs.pop(p) for p in positional), **kwargs)
        opdef.impl = impl
    pdict = "{" + ", ".join(f"'{k}': {k}" for k in kw) + "}" if kw else "None"
    if tensors.startswith("_seq"):
        src = f"def {fname}{sig}:\n    return apply(OP, {tensors}, {pdict})\n"
    else:
        src = _fast_op_source(opdef, fname, sig, list(inputs), kw, pdict)
    env = _env(opdef)
    env["_seq"] = _as_sequence
    env["IMPL"] = opdef.impl
    env["wrap_output"] = _wrap_output
    env["record_any"] = _record_any
    env["FAST_OK"] = _fast_ok
    env["HAS_META"] = _has_meta
    fn = _compile(src, fname, env)
    if operator:
        opdef.extra["dunder"] = _compile(
            _fast_op_source(opdef, "dunder", sig, list(inputs), kw, pdict, dunder=True),
            "dunder", env)
    first = inputs[0].strip("[]*")
    example = example or (f">>> import polytensor as pt\n>>> {first} = pt.asarray([[1.0, 2.0], "
                          f"[3.0, 4.0]])\n>>> y = pt.{name}({first})")
    fn.__doc__ = _docstring(opdef, sig, example)
    fn.__module__ = module
    fn.__qualname__ = fname
    opdef.func = fn
    return fn


def _fast_op_source(opdef: OpDef, fname: str, sig: str, inputs: list[str], kw: list[str],
                    pdict: str, dunder: bool = False) -> str:
    """Source of a table function with a fast path: when every array input is a Tensor of one
    backend and dtype (and no dtype= needs converting), call the backend directly. ``dunder``:
    the operator form (other operands: NotImplemented, as Python's operators expect)."""
    first = inputs[0]
    cats = [dt.CATEGORY_NAMES.index(opdef.category_of(i)) for i in range(len(inputs))]
    if opdef.scalars:
        return _fast_scalar_op_source(opdef, fname, sig, inputs, kw, pdict, cats)
    cond = " and ".join(f"({_is_tensor(n)})" for n in inputs)
    # each input's data and the first one's dtype are read once (locals _d0, _d1, ..., _t)
    reads = [f"_d0 = {first}._data", "_t = _d0.dtype"]
    checks = [f"_t in b.cats[{cats[0]}]"]
    for i, (n, c) in enumerate(zip(inputs[1:], cats[1:]), 1):
        checks.append(f"{n}._backend is b")
        if opdef.promote:
            checks.append(f"(_d{i} := {n}._data).dtype is _t")
            if c != cats[0]:
                checks.append(f"_t in b.cats[{c}]")
        else:
            checks.append(f"(_d{i} := {n}._data).dtype in b.cats[{c}]")
    if "dtype" in kw:
        checks.append("dtype is None")
    datas = ", ".join(f"_d{i}" for i in range(len(inputs)))
    kwargs = ", ".join(f"{k}={k}" for k in kw)
    call_args = ", ".join(a for a in (datas, kwargs) if a)
    call = (f"IMPL(b.fns[{opdef.index}], {call_args})" if opdef.impl is not None
            else f"b.fns[{opdef.index}]({call_args})")
    metas = " or ".join(f"{n}._meta is not None" for n in inputs)
    tup = "(" + "".join(f"{n}, " for n in inputs) + ")"
    params = pdict if kw else "NO_PARAMS"
    # the output wrapped as a Tensor, as in the element-wise templates; what is not an array
    # may be a tuple of them (qr, eigh, unstack...)
    sequence = f"""
                if isinstance(r, (tuple, list)):
                    out = wrap_output(r, b)
                    if ({metas}) and GRAD.get():
                        record_any(OP, {tup}, {params}, out)
                    return out"""
    wrap = _WRAP[1:].replace("if type(r) is not b.array_type:",
                             "if type(r) is not b.array_type:" + sequence, 1)
    read = "\n        ".join(reads)
    record = _record_source(opdef, f"({metas}) and GRAD.get()",
                            [(n, f"_d{i}", "tensor") for i, n in enumerate(inputs)], params, 12)
    return f"""def {fname}{sig}:
    if {cond}:
        b = {first}._backend
        {read}
        if {' and '.join(checks)}:
            r = {call}
{wrap}
{record}
            return t
    return apply(OP, {tup}, {pdict}{", True" if dunder else ""})
"""


def _fast_scalar_op_source(opdef: OpDef, fname: str, sig: str, inputs: list[str],
                           kw: list[str], pdict: str, cats: list[int]) -> str:
    """Like ``_fast_op_source`` for ops that take Python scalars (where, clip, isin): scalars
    that fit the arrays' dtype, and absent (None) inputs, stay on the fast path."""
    tup = "(" + "".join(f"{n}, " for n in inputs) + ")"
    group = opdef.promote or ()
    kwargs = ", ".join(f"{k}={k}" for k in kw)
    datas = ", ".join(f"{n}._data if {_is_tensor(n)} else {n}" for n in inputs)
    call_args = ", ".join(a for a in (datas, kwargs) if a)
    call = (f"IMPL(b.fns[{opdef.index}], {call_args})" if opdef.impl is not None
            else f"b.fns[{opdef.index}]({call_args})")
    ref = inputs[group[0]] if group else inputs[0]
    params = pdict if kw else "NO_PARAMS"
    wrap = _WRAP[1:]
    record = _record_source(opdef, f"GRAD.get() and HAS_META({tup})", [
        (n, f"{n}._data if {_is_tensor(n)} else {n}", "any") for n in inputs], params, 12)
    return f"""def {fname}{sig}:
    if {_is_tensor(ref)}:
        b = {ref}._backend
        if FAST_OK(b, {ref}._data.dtype, {tup}, {tuple(cats)!r}, {tuple(group)!r}):
            r = {call}
{wrap}
{record}
            return t
    return apply(OP, {tup}, {pdict})
"""


_SCALARS = (bool, int, float, complex)
_TENSOR: list[Any] = []  # the Tensor class, set by _env()


def _fast_ok(b: Any, ref: Any, values: tuple[Any, ...], cats: tuple[int, ...],
             group: tuple[int, ...]) -> bool:
    """Whether ``values`` can go to backend ``b`` as they are: tensors of ``b`` in their
    category (of dtype ``ref`` within the promotion group), fitting scalars, or None."""
    Tensor = _TENSOR[0]
    for i, v in enumerate(values):
        c = cats[i] if i < len(cats) else cats[0]
        if v is None:
            continue
        if type(v) is Tensor or type(v) in SUBCLASSES:
            d = v._data.dtype
            if v._backend is not b or d not in b.cats[c] or (i in group and d is not ref):
                return False
        elif v.__class__ in _SCALARS:
            if i not in group and group:
                return False
            ok = b.cats_scalar[c].get(v.__class__)
            if ok is None or ref not in ok:
                return False
        else:
            return False
    return True


def _has_meta(values: tuple[Any, ...]) -> bool:
    return any(getattr(v, "_meta", None) is not None for v in values
               if v is not None and v.__class__ not in _SCALARS)


def _wrap_output(out: Any, backend: Any) -> Any:
    from .._dispatch import wrap_output

    return wrap_output(out, backend)


def _record_any(opdef: OpDef, inputs: Any, params: Any, result: Any) -> None:
    from ..autograd._graph import record

    record(opdef, inputs, params, result)


def _as_sequence(name: str, value: Any) -> tuple[Any, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    raise TypeError(f"{name}() expects a list or tuple of arrays; got {type(value).__name__}")
