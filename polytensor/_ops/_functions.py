"""The public functions of the op table, built from its entries with closures.

One factory a shape of op: ``unary_function`` (``exp(x, /)``), ``binary_function``
(``add(x1, x2, /)``) and ``binary_operator`` (its operator ``__add__`` and reflected
``__radd__``), ``pair_function``
(two arrays and nothing else, ``matmul(x1, x2, /)``) and ``general_function`` (any other
signature, from the op's declared one, which hands two-array ops to ``pair_function``). Each
has a fast path for the common call (tensors of one backend, whose dtypes already agree),
which calls the backend's function, wraps the result and records it for autograd
(``_tape.record_node``; ``record_pair`` for two inputs, ``record_tensors`` for other ops,
``record`` for several outputs); everything else
(promotion, Python scalars of another kind, mixed backends, bad input) goes through
``apply()``, which says what is wrong.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import _config, _tape
from .. import _tensor_base as _tb
from .._dispatch import apply, wrap_output
from .._dtypes import CATEGORY_NAMES
from .._tape import NONDIFF
from .._tensor_base import SUBCLASSES

if TYPE_CHECKING:
    from ._registry import OpDef

__all__ = [
    "binary_function",
    "binary_operator",
    "general_function",
    "pair_function",
    "unary_function",
]

_new = object.__new__
_GRAD = _config.GRAD_ENABLED
_SUBS = SUBCLASSES
_SCALARS = (bool, int, float, complex)
_record = _tape.record
# the concrete tensor class (polytensor.Tensor), a global of this module's: the functions below
# read it on every call
_T: Any = _tb.TensorBase


def _set_tensor_class(cls: type) -> None:
    global _T
    _T = cls


_tb.when_concrete(_set_tensor_class)
_record_node = _tape.record_node
_record_tensors = _tape.record_tensors
_record_pair = _tape.record_pair
_stand_ins = _tape.stand_ins
_NO_PARAMS = _tape._NO_PARAMS
_FLOAT_CAT = CATEGORY_NAMES.index("floating-point")


_NO_MEMO = (None, None, None, None)


def _memo_entry(value: Any, dtype: Any, b: Any, fn: Any) -> tuple[Any, Any, Any, Any]:
    """The memo entry ``(value, dtype, b, operand)`` of Python scalar ``value`` with arrays of
    native ``dtype`` on backend ``b``, for its function ``fn``: ``operand`` is what ``fn``
    gets in its place, the backend's ``scalar_array`` of it (a 0-d array, which a NumPy ufunc
    takes 120 ns faster), or ``value`` itself.

    Each binary function keeps one entry. It matches a call by the scalar's identity (the
    entry holds the object, so its id is not reused; equal scalars such as ``0.0`` and
    ``-0.0`` never share an entry), its dtype and its backend. A call that misses it notes its
    scalar, and the next call with that same scalar object makes the entry: a loop over
    changing numbers converts none of them. An entry is one tuple, replaced whole, so a thread
    reads a consistent one.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor._ops._functions import _memo_entry
    >>> b = pt.backends.get("numpy")
    >>> _memo_entry(0.5, np.dtype("float32"), b, np.multiply)[3]
    array(0.5, dtype=float32)
    """
    conv = b.scalar_array
    a = conv(fn, value, dtype) if conv is not None else None
    return (value, dtype, b, value if a is None else a)


def unary_function(opdef: OpDef, cat: int, into: Callable[[Any, Any, str], Any]) -> Any:
    """``name(x, /, *, out=None)`` for the element-wise op ``opdef`` of dtype category ``cat``
    (an index into ``Backend.cats``); ``into`` writes a result into ``out=``."""
    idx = opdef.index
    differentiable = opdef.vjp is not NONDIFF
    # whether no rule reads x's values (relu, exp): the node then keeps a large x as a
    # stand-in of its shape and dtype (_tape.stand_ins)
    unread = opdef.unread is not None
    # (nor the output read: another backward may go through the node, as PyTorch's)
    reads_nothing = unread and not opdef.saves_out

    def function(x: Any, /, *, out: Any = None) -> Any:
        if type(x) is _T or type(x) in _SUBS:
            b = x._backend
            d = x._data
            dt = d.dtype
            if dt in b.cats[cat]:
                try:
                    r = b.fns[idx](d)
                except Exception:  # noqa: BLE001 - apply() calls again and raises in its words
                    return apply(opdef, (x,), None)
                if type(r) is not b.array_type:
                    r = b.as_array(r)
                t = _new(_T)
                t._data = r
                t._backend = b
                t._meta = None
                m = x._meta
                # recorded when x needs a gradient and the result is floating
                if (
                    m is not None
                    and (m.requires_grad or m.node is not None)
                    and differentiable
                    and _GRAD.get()
                    and (rt := r.dtype) in b.cats[_FLOAT_CAT]
                ):
                    v = m.version  # (a version 0, the common case: the constant tuple)
                    vs = (v,) if v else (0,)
                    # (element-wise: x has the result's shape; alike when its dtype too)
                    alike = rt is dt
                    # (a backend without zeros_view keeps its arrays: their size is not
                    # read, a method on a torch tensor)
                    if unread and b.zeros_view is not None and d.size >= _tape._STAND_IN_SIZE:
                        _record_node(
                            opdef,
                            vs,
                            (m,),
                            _stand_ins((0,), (d,), b),
                            t,
                            opdef.saves_out,
                            _NO_PARAMS,
                            alike,
                            reads_nothing,
                        )
                    else:
                        _record_node(
                            opdef,
                            vs,
                            (m,),
                            (d,),
                            t,
                            opdef.saves_out,
                            _NO_PARAMS,
                            alike,
                            reads_nothing,
                        )
                return t if out is None else into(out, t, opdef.short)
        t = apply(opdef, (x,), None)
        return t if out is None else into(out, t, opdef.short)

    return function


def binary_function(opdef: OpDef, cat: int, into: Callable[[Any, Any, str], Any]) -> Any:
    """``name(x1, x2, /, *, out=None)`` for the element-wise op ``opdef`` of dtype category
    ``cat`` (its operator forms: ``binary_operator``); ``into`` writes a result into ``out=``."""
    idx = opdef.index
    last: tuple[Any, Any, Any, Any] = _NO_MEMO
    seen: Any = None  # the scalar of the latest call that missed the entry

    def function(x1: Any, x2: Any, /, *, out: Any = None) -> Any:
        nonlocal last, seen
        # (the fast path is binary_operator's, line for line)
        if type(x1) is _T or type(x1) in _SUBS:
            b = x1._backend
            d1 = x1._data
            dt = d1.dtype
            k = type(x2)
            if k is _T or k in _SUBS:
                d2 = x2._data
                # (pair_cats: empty on a multi-device backend, so apply() checks the devices)
                if b is not x2._backend or dt is not d2.dtype or dt not in b.pair_cats[cat]:
                    return _general(x1, x2, out)
                m1 = x1._meta
                m2 = x2._meta
            else:
                # the scalar as the library takes it fastest (_memo_entry): an entry is made
                # for a scalar that passed the check below
                s = last
                if s[0] is x2 and s[1] is dt and s[2] is b:
                    d2 = s[3]
                else:
                    # a Python scalar of a kind that fits dt (scalar_types: per dtype, kinds)
                    try:
                        if k not in b.scalar_types[cat][dt]:
                            return _general(x1, x2, out)
                    except KeyError:  # a dtype the backend's tables do not know
                        return _general(x1, x2, out)
                    if x2 is seen:  # (twice in a row: an entry)
                        last = s = _memo_entry(x2, dt, b, b.fns[idx])
                        d2 = s[3]
                    else:
                        seen = d2 = x2
                m1 = x1._meta
                m2 = None
        elif type(x2) is _T or type(x2) in _SUBS:
            b = x2._backend
            d2 = x2._data
            dt = d2.dtype
            s = last
            if s[0] is x1 and s[1] is dt and s[2] is b:
                d1 = s[3]
            else:
                try:
                    if type(x1) not in b.scalar_types[cat][dt]:
                        return _general(x1, x2, out)
                except KeyError:
                    return _general(x1, x2, out)
                if x1 is seen:
                    last = s = _memo_entry(x1, dt, b, b.fns[idx])
                    d1 = s[3]
                else:
                    seen = d1 = x1
            m1 = None
            m2 = x2._meta
        else:
            return _general(x1, x2, out)
        try:
            r = b.fns[idx](d1, d2)
        except Exception:  # noqa: BLE001 - apply() calls again and raises in its words
            return _general(x1, x2, out)
        if type(r) is not b.array_type:
            r = b.as_array(r)
        t = _new(_T)
        t._data = r
        t._backend = b
        t._meta = None
        if (m1 is not None or m2 is not None) and _GRAD.get():
            # the node keeps a Python scalar itself (d1 or d2: its memo operand, perhaps), and
            # is alike (the result has the tensor's dtype dt); two tensors may broadcast
            k = type(x2)
            if not (k is _T or k in _SUBS):
                _record_pair(opdef, m1, m2, (d1, x2), t, _NO_PARAMS, dt)
            elif not (type(x1) is _T or type(x1) in _SUBS):
                _record_pair(opdef, m1, m2, (x1, d2), t, _NO_PARAMS, dt)
            else:
                _record_pair(opdef, m1, m2, (d1, d2), t, _NO_PARAMS, None)
        return t if out is None else into(out, t, opdef.short)

    def _general(x1: Any, x2: Any, out: Any) -> Any:
        t = apply(opdef, (x1, x2), None)
        return t if out is None else into(out, t, opdef.short)

    return function


def binary_operator(opdef: OpDef, cat: int, *, reflected: bool = False) -> Any:
    """The operator form of the element-wise op ``opdef`` (``__add__``; with ``reflected``,
    ``__radd__``, called with the operands swapped): ``binary_function``'s fast path without
    ``out=``, and NotImplemented for operands it does not know, so that Python tries the other
    operand's.

    A second closure rather than the function itself because CPython (3.11) fills a missing
    keyword-only argument from the function's ``__kwdefaults__`` dict on every call, about 2.7%
    of an element-wise op's instructions (``bench/instructions.py tape_chain``), and Python
    never passes ``out=`` to an operator. (The function made a wrapper of this one instead, to
    keep one copy of the fast path: ``pt.multiply(x, 0.5)`` 828-830 -> 867-872 ns.)
    """
    idx = opdef.index
    last: tuple[Any, Any, Any, Any] = _NO_MEMO
    seen: Any = None  # the scalar of the latest call that missed the entry

    def function(x1: Any, x2: Any, /) -> Any:
        nonlocal last, seen
        if reflected:
            x1, x2 = x2, x1
        if type(x1) is _T or type(x1) in _SUBS:
            b = x1._backend
            d1 = x1._data
            dt = d1.dtype
            k = type(x2)
            if k is _T or k in _SUBS:
                d2 = x2._data
                # (pair_cats: empty on a multi-device backend, so apply() checks the devices)
                if b is not x2._backend or dt is not d2.dtype or dt not in b.pair_cats[cat]:
                    return apply(opdef, (x1, x2), None, True)
                m1 = x1._meta
                m2 = x2._meta
            else:
                # the scalar as the library takes it fastest (_memo_entry): an entry is made
                # for a scalar that passed the check below
                s = last
                if s[0] is x2 and s[1] is dt and s[2] is b:
                    d2 = s[3]
                else:
                    # a Python scalar of a kind that fits dt (scalar_types: per dtype, kinds)
                    try:
                        if k not in b.scalar_types[cat][dt]:
                            return apply(opdef, (x1, x2), None, True)
                    except KeyError:  # a dtype the backend's tables do not know
                        return apply(opdef, (x1, x2), None, True)
                    if x2 is seen:  # (twice in a row: an entry)
                        last = s = _memo_entry(x2, dt, b, b.fns[idx])
                        d2 = s[3]
                    else:
                        seen = d2 = x2
                m1 = x1._meta
                m2 = None
        elif type(x2) is _T or type(x2) in _SUBS:
            b = x2._backend
            d2 = x2._data
            dt = d2.dtype
            s = last
            if s[0] is x1 and s[1] is dt and s[2] is b:
                d1 = s[3]
            else:
                try:
                    if type(x1) not in b.scalar_types[cat][dt]:
                        return apply(opdef, (x1, x2), None, True)
                except KeyError:
                    return apply(opdef, (x1, x2), None, True)
                if x1 is seen:
                    last = s = _memo_entry(x1, dt, b, b.fns[idx])
                    d1 = s[3]
                else:
                    seen = d1 = x1
            m1 = None
            m2 = x2._meta
        else:
            return apply(opdef, (x1, x2), None, True)
        try:
            r = b.fns[idx](d1, d2)
        except Exception:  # noqa: BLE001 - apply() calls again and raises in its words
            return apply(opdef, (x1, x2), None, True)
        if type(r) is not b.array_type:
            r = b.as_array(r)
        t = _new(_T)
        t._data = r
        t._backend = b
        t._meta = None
        if (m1 is not None or m2 is not None) and _GRAD.get():
            # the node keeps a Python scalar itself (d1 or d2: its memo operand, perhaps), and
            # is alike (the result has the tensor's dtype dt); two tensors may broadcast
            k = type(x2)
            if not (k is _T or k in _SUBS):
                _record_pair(opdef, m1, m2, (d1, x2), t, _NO_PARAMS, dt)
            elif not (type(x1) is _T or type(x1) in _SUBS):
                _record_pair(opdef, m1, m2, (x1, d2), t, _NO_PARAMS, dt)
            else:
                _record_pair(opdef, m1, m2, (d1, d2), t, _NO_PARAMS, None)
        return t

    return function


def pair_function(opdef: OpDef, cats: tuple[int, ...], *, operator: bool = False) -> Any:
    """``name(x1, x2, /)`` for an op of two arrays and no other parameter (``matmul``), of
    dtype categories ``cats``; with ``operator``, its operator form (``__matmul__``). A wrong
    call raises Python's own TypeError, which names the function."""
    idx = opdef.index
    c1, c2 = cats
    promote = bool(opdef.promote)

    def function(x1: Any, x2: Any, /) -> Any:
        # the fast path: tensors of one backend, in their categories (of one dtype, if the op
        # promotes), on one device
        if (type(x1) is _T or type(x1) in _SUBS) and (type(x2) is _T or type(x2) in _SUBS):
            b = x1._backend
            d1 = x1._data
            d2 = x2._data
            t1 = d1.dtype
            t2 = d2.dtype
            # (pair_cats: empty on a multi-device backend, so apply() checks the devices)
            if (
                b is x2._backend
                and t1 in b.cats[c1]
                and t2 in b.pair_cats[c2]
                and (t2 is t1 or not promote)
            ):
                try:
                    r = b.fns[idx](d1, d2)
                except Exception:  # noqa: BLE001 - apply() calls again and raises in its words
                    return apply(opdef, (x1, x2), None, operator)
                if type(r) is not b.array_type:
                    r = b.as_array(r)  # a NumPy scalar (two vectors' product)
                t = _new(_T)
                t._data = r
                t._backend = b
                t._meta = None
                m1 = x1._meta
                m2 = x2._meta
                if (m1 is not None or m2 is not None) and _GRAD.get():
                    _record_pair(opdef, m1, m2, (d1, d2), t)
                return t
        return apply(opdef, (x1, x2), None, operator)

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
    if (  # matmul: two arrays and nothing else
        n_in == 2
        and not (sequence or variadic or opdef.scalars)
        and opdef.impl is None
        and set(sig.parameters) == set(names)
    ):
        return pair_function(opdef, cats, operator=operator)
    P = inspect.Parameter
    kw = tuple(p for p in sig.parameters if p not in names)
    defaults = {
        p: sig.parameters[p].default for p in kw if sig.parameters[p].default is not P.empty
    }
    required = frozenset(p for p in kw if p not in defaults)
    plain = not (variadic or sequence)  # (its common call is bound in function())
    # the other parameters a call may give positionally, in order, and those it may name
    positional = tuple(
        p for p in kw if sig.parameters[p].kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)
    )
    by_keyword = frozenset(p for p in kw if sig.parameters[p].kind is not P.POSITIONAL_ONLY)
    idx = opdef.index
    name = opdef.name
    promote = bool(opdef.promote)
    # (the fast path of ops taking Python scalars checks each value against its category)
    scalars = opdef.scalars
    group = tuple(opdef.promote or ())

    def bind(
        args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        n = len(args)
        if variadic:
            if by_keyword.issuperset(kwargs) and required.issubset(kwargs):
                return args, {**defaults, **kwargs}
        elif n_in <= n <= n_in + len(positional) and by_keyword.issuperset(kwargs):
            given = positional[: n - n_in]
            if kwargs.keys().isdisjoint(given):
                params = {**defaults, **dict(zip(given, args[n_in:], strict=True)), **kwargs}
                if required.issubset(params):
                    arrays = _sequence(name, args[0]) if sequence else args[:n_in]
                    return arrays, params
        # anything else (an input named, a missing or repeated argument): inspect binds, or
        # raises Python's own TypeError for a bad call
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{name}(): {e}; its signature is {name}{sig}") from None
        bound.apply_defaults()
        values = bound.arguments
        if variadic:
            arrays = tuple(values[names[0]])
        elif sequence:
            arrays = _sequence(name, values[names[0]])
        else:
            arrays = tuple(values[n] for n in names)
        return arrays, {p: values[p] for p in kw}

    takes_dtype = "dtype" in kw
    # (scalars ops: each input's category, and the input whose dtype the others must match)
    cats_n = tuple(cats[i] if i < len(cats) else cats[0] for i in range(n_in))
    g0 = group[0] if group else 0
    optional = opdef.extra.get("optional", frozenset())
    scalar_inputs = opdef.extra.get("scalar_inputs", frozenset())
    # (an op with a coerce checks Python scalars given with an integer array in apply())
    coerced = opdef.coerce is not None
    integer = CATEGORY_NAMES.index("integer")
    c0 = cats[0]

    def function(*args: Any, **kwargs: Any) -> Any:
        if (
            plain
            and len(args) == n_in
            and (not kwargs or by_keyword.issuperset(kwargs))
            and (not required or required.issubset(kwargs))
        ):  # the arrays, then the other arguments by keyword: the common call
            arrays, params = args, ({**defaults, **kwargs} if kwargs else defaults)
        elif (
            sequence
            and len(args) == 1
            and (args[0].__class__ is list or args[0].__class__ is tuple)
            and (not kwargs or by_keyword.issuperset(kwargs))
            and required.issubset(kwargs)
        ):  # concat([x, y], axis=1): the common call of a sequence op
            arrays, params = tuple(args[0]), ({**defaults, **kwargs} if kwargs else defaults)
        else:
            arrays, params = bind(args, kwargs)
        if sequence or variadic:
            # the fast path of a sequence (concat, stack): tensors of one backend and dtype, in
            # the op's category, on one device
            x: Any = arrays[0] if sequence and arrays else None
            if not (type(x) is _T or type(x) in _SUBS) or takes_dtype:
                return apply(opdef, arrays, params or None)
            b = x._backend
            ref = x._data.dtype
            if b.multi_device or ref not in b.cats[c0]:
                return apply(opdef, arrays, params or None)
            listed: list[Any] = []
            metas = False
            for v in arrays:
                if not (type(v) is _T or type(v) in _SUBS) or v._backend is not b:
                    return apply(opdef, arrays, params or None)
                d = v._data
                if d.dtype is not ref:
                    return apply(opdef, arrays, params or None)
                listed.append(d)
                metas = metas or v._meta is not None
            datas: tuple[Any, ...] = tuple(listed)
        elif scalars:  # Python scalars or None may stand for arrays (where, clip)
            # one pass over the inputs: check that they can go to the backend as they are
            # (tensors of one backend in their categories, of one dtype within the promotion
            # group; fitting Python scalars; None where optional), take their data, and note
            # whether any has autograd state. Anything else: apply() promotes and checks.
            x = arrays[g0]
            if not (type(x) is _T or type(x) in _SUBS):
                # (a Python scalar first in the promotion group, where(m, 0.0, s): the next
                # tensor of the group gives the dtype)
                for j in group[1:]:
                    x = arrays[j]
                    if type(x) is _T or type(x) in _SUBS:
                        break
                else:
                    return apply(opdef, arrays, params or None, operator)
            b = x._backend
            ref = x._data.dtype
            if (takes_dtype and params["dtype"] is not None) or (b.multi_device and n_in > 1):
                return apply(opdef, arrays, params or None, operator)
            listed = []
            metas = False  # (record_tensors finds which inputs need a gradient)
            for i, v in enumerate(arrays):
                if type(v) is _T or type(v) in _SUBS:
                    d = v._data
                    vt = d.dtype
                    if v._backend is not b or vt not in b.cats[cats_n[i]]:
                        return apply(opdef, arrays, params or None, operator)
                    if vt is not ref and i in group:
                        return apply(opdef, arrays, params or None, operator)
                    listed.append(d)
                    metas = metas or v._meta is not None
                elif v is None:
                    if i not in optional:  # (apply() says which input needs an array)
                        return apply(opdef, arrays, params or None, operator)
                    listed.append(None)
                elif v.__class__ in _SCALARS and i in scalar_inputs and (i in group or not group):
                    if coerced and ref in b.cats[integer]:
                        return apply(opdef, arrays, params or None, operator)
                    try:  # (scalar_types: per dtype, the scalar kinds that fit it)
                        if v.__class__ not in b.scalar_types[cats_n[i]][ref]:
                            return apply(opdef, arrays, params or None, operator)
                    except KeyError:  # a dtype the backend's tables do not know
                        return apply(opdef, arrays, params or None, operator)
                    listed.append(v)
                else:
                    return apply(opdef, arrays, params or None, operator)
            datas = tuple(listed)
        else:
            # the fast path: tensors of one backend, in their categories (of one dtype, if the op
            # promotes), on one device, and no dtype= to convert
            x = arrays[0]
            if not (type(x) is _T or type(x) in _SUBS):
                return apply(opdef, arrays, params or None, operator)
            b = x._backend
            d0 = x._data
            ref = d0.dtype
            if ref not in b.cats[c0] or (takes_dtype and params["dtype"] is not None):
                return apply(opdef, arrays, params or None, operator)
            if n_in == 1:
                datas = (d0,)
                m = x._meta
                metas = m is not None
            else:
                for i in range(1, n_in):
                    v = arrays[i]
                    if not (type(v) is _T or type(v) in _SUBS) or v._backend is not b:
                        return apply(opdef, arrays, params or None, operator)
                    vt = v._data.dtype
                    # (pair_cats: empty on a multi-device backend, so apply() checks the devices)
                    if (promote and vt is not ref) or vt not in b.pair_cats[cats[i]]:
                        return apply(opdef, arrays, params or None, operator)
                if n_in == 2:
                    x2 = arrays[1]
                    datas = (d0, x2._data)
                    metas = x._meta is not None or x2._meta is not None
                else:
                    datas = tuple([v._data for v in arrays])
                    metas = any(v._meta is not None for v in arrays)
        impl = opdef.impl
        try:
            r = (
                impl(b.fns[idx], *datas, **params)
                if impl is not None
                else b.fns[idx](*datas, **params)
            )
        except Exception:  # noqa: BLE001 - apply() calls again and raises in its words
            return apply(opdef, arrays, params or None, operator)
        if type(r) is not b.array_type:  # (an array, the common case: one test)
            if isinstance(r, (tuple, list)):  # several outputs (qr, eigh, unstack...)
                t = wrap_output(r, b)
                if _GRAD.get():
                    _record(opdef, arrays, params or None, t)
                return t
            r = b.as_array(r)  # a NumPy scalar, say
        t = _new(_T)
        t._data = r
        t._backend = b
        t._meta = None
        if metas and _GRAD.get():
            _record_tensors(opdef, arrays, datas, params, t, scalars)
        return t

    return function
