"""The public functions of the op table, built from its entries with closures.

One factory a shape of op: ``unary_function`` (``exp(x, /)``), ``binary_function``
(``add(x1, x2, /)``, its operator ``__add__`` and reflected ``__radd__``) and
``general_function`` (any other signature, from the op's declared one). Each has a fast path
for the common call (tensors of one backend, whose dtypes already agree), which calls the
backend's function, wraps the result and records it for autograd (``_tape.record1`` /
``record2`` / ``record``); everything else (promotion, Python scalars of another kind, mixed
backends, bad input) goes through ``apply()``, which says what is wrong.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import _config, _tape
from .. import _tensor_base as _tb
from .._dispatch import apply, wrap_output
from .._tensor_base import SUBCLASSES

if TYPE_CHECKING:
    from ._registry import OpDef

__all__ = ["binary_function", "general_function", "unary_function"]

_new = object.__new__
_GRAD = _config.GRAD_ENABLED
_SUBS = SUBCLASSES
_SCALARS = (bool, int, float, complex)
_record1 = _tape.record1
_record2 = _tape.record2
_record = _tape.record


def unary_function(opdef: OpDef, cat: int, into: Callable[[Any, Any], Any]) -> Any:
    """``name(x, /, *, out=None)`` for the element-wise op ``opdef`` of dtype category ``cat``
    (an index into ``Backend.cats``); ``into`` writes a result into ``out=``."""
    idx = opdef.index

    def function(x: Any, /, *, out: Any = None) -> Any:
        if type(x) is _tb.TENSOR or type(x) in _SUBS:
            b = x._backend
            d = x._data
            if d.dtype in b.cats[cat]:
                r = b.fns[idx](d)
                if type(r) is not b.array_type:
                    r = b.as_array(r)
                t = _new(_tb.TENSOR)
                t._data = r
                t._backend = b
                t._meta = None
                m = x._meta
                if m is not None and _GRAD.get():
                    _record1(opdef, x, d, m, t)
                return t if out is None else into(out, t)
        t = apply(opdef, (x,), None)
        return t if out is None else into(out, t)

    return function


def binary_function(
    opdef: OpDef,
    cat: int,
    into: Callable[[Any, Any], Any],
    *,
    operator: bool = False,
    reflected: bool = False,
) -> Any:
    """``name(x1, x2, /, *, out=None)`` for the element-wise op ``opdef``; with ``operator``,
    its operator form (``__add__``: NotImplemented for operands it does not know, so Python
    tries the other operand's), with ``reflected`` too its reflected form (``__radd__``,
    called with the operands swapped)."""
    idx = opdef.index

    def function(x1: Any, x2: Any, /, *, out: Any = None) -> Any:
        if reflected:
            x1, x2 = x2, x1
        if type(x1) is _tb.TENSOR or type(x1) in _SUBS:
            b = x1._backend
            d1 = x1._data
            dt = d1.dtype
            if type(x2) is _tb.TENSOR or type(x2) in _SUBS:
                d2 = x2._data
                # (one device: tensors of a multi-device backend go through apply's check)
                ok = (
                    b is x2._backend and dt is d2.dtype and dt in b.cats[cat] and not b.multi_device
                )
                m2 = x2._meta
            else:
                d2 = x2
                s = b.cats_scalar[cat].get(type(x2))
                ok = s is not None and dt in s
                m2 = None
            m1 = x1._meta
        elif type(x2) is _tb.TENSOR or type(x2) in _SUBS:
            b = x2._backend
            d1 = x1
            d2 = x2._data
            s = b.cats_scalar[cat].get(type(x1))
            ok = s is not None and d2.dtype in s
            m1 = None
            m2 = x2._meta
        else:
            ok = False
        if ok:
            try:
                r = b.fns[idx](d1, d2)
            except ValueError:  # shapes do not broadcast: apply() says so in its words
                ok = False
            else:
                if type(r) is not b.array_type:
                    r = b.as_array(r)
                t = _new(_tb.TENSOR)
                t._data = r
                t._backend = b
                t._meta = None
                if (m1 is not None or m2 is not None) and _GRAD.get():
                    _record2(opdef, x1, d1, m1, x2, d2, m2, t)
                return t if out is None else into(out, t)
        t = apply(opdef, (x1, x2), None, operator)
        return t if out is None or t is NotImplemented else into(out, t)

    return function


def parse_signature(sig: str) -> inspect.Signature:
    """The ``inspect.Signature`` of a signature written as in the standard,
    ``"(x, /, *, axis=None, keepdims=False)"`` (defaults are Python literals)."""
    import ast

    tree = ast.parse(f"def f{sig}: pass").body[0]
    assert isinstance(tree, ast.FunctionDef)
    a = tree.args
    P = inspect.Parameter
    params: list[inspect.Parameter] = []
    positional = [(x, P.POSITIONAL_ONLY) for x in a.posonlyargs] + [
        (x, P.POSITIONAL_OR_KEYWORD) for x in a.args
    ]
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    for (arg, kind), default in zip(positional, defaults, strict=True):
        params.append(
            P(arg.arg, kind, default=P.empty if default is None else ast.literal_eval(default))
        )
    if a.vararg is not None:
        params.append(P(a.vararg.arg, P.VAR_POSITIONAL))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        params.append(
            P(
                arg.arg,
                P.KEYWORD_ONLY,
                default=P.empty if default is None else ast.literal_eval(default),
            )
        )
    return inspect.Signature(params)


def _sequence(name: str, value: Any) -> tuple[Any, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    raise TypeError(f"{name}() expects a list or tuple of arrays; got {type(value).__name__}")


def general_function(
    opdef: OpDef,
    sig: inspect.Signature,
    inputs: tuple[str, ...],
    cats: tuple[int, ...],
    *,
    operator: bool = False,
) -> Any:
    """A function with signature ``sig`` for the op ``opdef``, whose array parameters are
    ``inputs`` (``"*arrays"``: variadic, ``"[arrays]"``: one sequence of arrays), each of
    dtype category ``cats[i]``; the other parameters go to the backend by keyword. With
    ``operator``, its operator form (``__matmul__``)."""
    names = tuple(n.strip("[]*") for n in inputs)
    n_in = len(names)
    sequence = inputs[0].startswith("[")
    variadic = inputs[0].startswith("*")
    kw = tuple(p for p in sig.parameters if p not in names)
    defaults = {p: sig.parameters[p].default for p in kw}
    keyword_only = all(sig.parameters[p].kind is inspect.Parameter.KEYWORD_ONLY for p in kw)
    allowed = frozenset(kw)
    simple = keyword_only and not (variadic or sequence)  # bound without inspect
    idx = opdef.index
    name = opdef.name
    promote = bool(opdef.promote)
    # (the fast path of ops taking Python scalars checks each value against its category)
    scalars = opdef.scalars
    group = tuple(opdef.promote or ())

    def bind(
        args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if simple and len(args) == n_in and allowed.issuperset(kwargs):
            return args, ({**defaults, **kwargs} if kwargs else defaults)
        bound = sig.bind(*args, **kwargs)  # raises Python's own TypeError for a bad call
        bound.apply_defaults()
        values = bound.arguments
        if variadic:
            arrays = tuple(values[names[0]])
        elif sequence:
            arrays = _sequence(name, values[names[0]])
        else:
            arrays = tuple(values[n] for n in names)
        return arrays, {p: values[p] for p in kw}

    def function(*args: Any, **kwargs: Any) -> Any:
        arrays, params = bind(args, kwargs)
        if sequence or variadic:
            return apply(opdef, arrays, params or None)
        x = arrays[group[0] if group else 0]
        if type(x) is _tb.TENSOR or type(x) in _SUBS:
            b = x._backend
            ref = x._data.dtype
            if scalars:
                ok = _fast_ok(b, ref, arrays, cats, group)
            else:
                ok = True
                for i, v in enumerate(arrays):
                    if not (type(v) is _tb.TENSOR or type(v) in _SUBS) or v._backend is not b:
                        ok = False
                        break
                    vt = v._data.dtype
                    if (promote and vt is not ref) or vt not in b.cats[cats[i]]:
                        ok = False
                        break
            if ok and params.get("dtype") is None and not (b.multi_device and n_in > 1):
                datas = tuple(
                    v._data if type(v) is _tb.TENSOR or type(v) in _SUBS else v for v in arrays
                )
                impl = opdef.impl
                fn = b.fns[idx]
                r = impl(fn, *datas, **params) if impl is not None else fn(*datas, **params)
                if type(r) is b.array_type:
                    t = _new(_tb.TENSOR)
                    t._data = r
                    t._backend = b
                    t._meta = None
                else:
                    t = wrap_output(r, b)
                if _GRAD.get():
                    _record(opdef, arrays, params or None, t)
                return t
        return apply(opdef, arrays, params or None, operator)

    return function


def _fast_ok(
    b: Any, ref: Any, values: tuple[Any, ...], cats: tuple[int, ...], group: tuple[int, ...]
) -> bool:
    """Whether ``values`` can go to backend ``b`` as they are: tensors of ``b`` in their
    category (of dtype ``ref`` within the promotion group), fitting scalars, or None."""
    for i, v in enumerate(values):
        c = cats[i] if i < len(cats) else cats[0]
        if v is None:
            continue
        if type(v) is _tb.TENSOR or type(v) in _SUBS:
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
