"""``apply()``: the only code that calls a backend for an op of the table.

It unwraps tensors, checks that they share one backend and device, checks dtype categories,
promotes Python scalars and mixed kinds, calls the backend, wraps the result and hands the
call to ``polytensor.autograd`` for recording.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _config, _tape
from . import _dtypes as dt
from . import _tensor_base as _tb
from ._checks import BroadcastError, bad_param, named_error
from ._device import Device
from ._shapes import broadcast_shapes
from ._tensor_base import TensorBase

if TYPE_CHECKING:
    from ._ops._registry import OpDef
    from ._tensor import Tensor
    from .backends import Backend

__all__ = [
    "apply",
    "backend_error",
    "booleans_computed_as",
    "common_backend",
    "numbers_as_booleans",
    "wrap_new",
    "wrap_output",
]

_SCALARS = (bool, int, float, complex)
_new = object.__new__


def wrap_new(data: Any, backend: Backend) -> Tensor:
    """A new Tensor around native ``data`` (which must be an array of ``backend``)."""
    if type(data) is not backend.array_type:
        data = backend.as_array(data)
    t = _new(_tb.TENSOR)
    t._data = data
    t._backend = backend
    t._meta = None
    return t  # type: ignore[return-value]  # (an instance of the concrete class, Tensor)


def wrap_output(out: Any, backend: Backend) -> Any:
    """Wrap what a backend function returned: an array, or a (named) tuple or list of arrays."""
    if out.__class__ is tuple:  # (a plain tuple of arrays, the usual case: no recursion)
        at = backend.array_type
        for o in out:
            if o.__class__ is not at:
                break
        else:
            return tuple([wrap_new(o, backend) for o in out])
    if isinstance(out, tuple):
        items = [wrap_output(o, backend) for o in out]
        if hasattr(out, "_fields"):
            return type(out)(*items)
        names = getattr(out, "__match_args__", None)  # a struct sequence (torch.return_types)
        return _named(type(out).__name__, names)(*items) if names else tuple(items)
    if isinstance(out, list):
        return [wrap_output(o, backend) for o in out]
    if out is None:
        return out
    return wrap_new(out, backend)  # NumPy scalars become 0-d arrays here


@functools.cache
def _named(name: str, fields: tuple[str, ...]) -> Any:
    """A named tuple class with ``fields``, for a library's struct sequence (fields by name, as
    the standard's named results have them)."""
    return NamedTuple(name, [(f, Any) for f in fields])


def _joined(where: str, backend: Backend | None, b: Backend) -> Backend:
    """The backend of a call so far (None before its first tensor) joined with ``b``, another
    tensor's: the one check that tensors of two backends never mix."""
    if backend is None or b is backend:
        return b
    if b.name != backend.name:  # (variants of one backend, with other options, do mix)
        raise ValueError(
            f"{where}() got tensors from two backends ({backend.name}, {b.name}); "
            f'move one with x.to("{backend.name}")'
        )
    return backend


def common_backend(where: str, tensors: Any) -> Backend | None:
    """The backend shared by ``tensors`` (None if there are none); ValueError if they differ."""
    backend: Backend | None = None
    device = None
    for v in tensors:
        if isinstance(v, TensorBase):
            b = v._backend
            if backend is None:
                device = None
            backend = _joined(where, backend, b)
            if b.multi_device:
                d = b.device_of(v._data)
                if device is None:
                    device = d
                elif d != device:
                    first, other = Device(b, device), Device(b, d)
                    raise ValueError(
                        f"{where}() got tensors on two devices ({first}, {other}); "
                        f'move one with x.to_device("{first}")'
                    )
    return backend


def _type_error(opdef: OpDef, value: Any) -> TypeError:
    what = "polytensor arrays or Python scalars" if opdef.scalars else "polytensor arrays"
    if _foreign_array(value):
        kind = f"{type(value).__module__.partition('.')[0]}.{type(value).__name__}"
        return TypeError(
            f"{opdef.short}() got a polytensor tensor and a {kind} array; polytensor never mixes "
            f"array types silently: convert the array with pt.asarray(a, device=x.device), or "
            f"the tensor with that library's from_dlpack(x.detach())"
        )
    hint = ""
    if (
        hasattr(value, "__array_namespace__")
        or hasattr(value, "__array__")
        or isinstance(value, (list, tuple))
    ):
        hint = "; convert it with pt.asarray(...)"
    return TypeError(f"{opdef.name}() expects {what}; got {type(value).__name__}{hint}")


_SCALAR_TYPES = frozenset(_SCALARS)
_EXACT_KINDS = frozenset(("bool", "signed integer", "unsigned integer"))


def _foreign_array(value: Any) -> bool:
    """An array of another library (JAX, torch, CuPy...) but NumPy's, whose operators with a
    tensor NumPy hands back to the tensor (``Tensor.__array_ufunc__``): an operator raises
    polytensor's error for it rather than let the two libraries' operators both decline."""
    return type(value).__module__.partition(".")[0] != "numpy" and (
        hasattr(value, "__array_namespace__") or hasattr(value, "__dlpack__")
    )


def numpy_scalar(value: Any) -> bool:
    """Whether ``value`` is one of NumPy's scalars (``np.float64(2)``, ``np.int32(1)``), of any
    type, which PyTorch takes as a Python scalar of its value.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor._dispatch import numpy_scalar
    >>> numpy_scalar(np.float32(2)), numpy_scalar(np.ones(1)), numpy_scalar(2.0)
    (True, False, False)
    """
    return any(c.__name__ == "generic" and c.__module__ == "numpy" for c in type(value).__mro__)


def python_scalar(value: Any) -> Any:
    """The Python ``bool``, ``int``, ``float`` or ``complex`` of a subclass of one (``x.size``,
    ``np.float64``) or of another NumPy scalar (``np.float32``: its ``item()``).

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor._dispatch import python_scalar
    >>> [type(python_scalar(v)).__name__ for v in (np.float32(2), np.int64(3), np.bool_(1))]
    ['float', 'int', 'bool']
    """
    kinds: tuple[Any, ...] = (bool, int, float, complex)  # (bool first: an int subclass)
    for kind in kinds:
        if isinstance(value, kind):
            return kind(value)
    got = value.item()
    if got.__class__ not in _SCALAR_TYPES:
        raise TypeError(
            f"expected a number; got NumPy's {type(value).__name__} ({value!r}), whose value "
            f"is a {type(got).__name__}; give a bool, int, float or complex"
        )
    return got


def _input_error(opdef: OpDef, i: int, value: Any) -> TypeError:
    """The TypeError for ``value`` (None or a Python scalar) as input ``i`` of ``opdef``, an
    input that needs an array."""
    names = opdef.extra.get("input_names") or ()
    param = names[i] if i < len(names) else (names[-1] if names else f"input {i}")
    got = "None" if value is None else f"a Python {type(value).__name__} ({value!r})"
    return TypeError(
        f"{opdef.short}() expects a polytensor array for {param}; got {got}; "
        f"make one with pt.asarray(...)"
    )


def apply(
    opdef: OpDef,
    inputs: tuple[Any, ...],
    params: dict[str, Any] | None = None,
    dunder: bool = False,
) -> Any:
    """Run ``opdef`` on ``inputs`` (tensors, Python scalars, None) with keyword ``params``."""
    if params and params.get("dtype").__class__ is type:  # (PyTorch's dtype=float: float64)
        params = {**params, "dtype": dt.from_python_type(params["dtype"])}
    backend: Backend | None = None
    datas: list[Any] = []
    dtypes: list[Any] = []
    has_scalar = False
    for v in inputs:
        if isinstance(v, TensorBase):
            b = v._backend
            if b is not backend:  # (the first tensor, or another backend object: checked)
                backend = _joined(opdef.name, backend, b)
            d = v._data
            datas.append(d)
            dtypes.append(b.from_native.get(d.dtype) or b.dtype_of(d.dtype))
        elif v is None:
            if len(datas) not in opdef.extra.get("optional", ()):  # (an input without default)
                if dunder:
                    return NotImplemented
                raise _input_error(opdef, len(datas), v)
            datas.append(None)
            dtypes.append(None)
        elif opdef.scalars and (
            v.__class__ in _SCALAR_TYPES or isinstance(v, _SCALARS) or numpy_scalar(v)
        ):
            if len(datas) not in opdef.extra["scalar_inputs"]:  # (x of clip(x, min, max))
                if dunder:
                    return NotImplemented
                raise _input_error(opdef, len(datas), v)
            if v.__class__ not in _SCALAR_TYPES:
                # a subclass (x.size, NumPy's float64) or another NumPy scalar: the Python
                # scalar of its value, which NumPy takes weakly, as PyTorch takes NumPy's
                # scalars (a float32 tensor times NumPy's float64 two is float32)
                v = python_scalar(v)
            datas.append(v)
            dtypes.append(None)
            has_scalar = True
        else:
            if dunder and not _foreign_array(v):
                return NotImplemented
            raise _type_error(opdef, v)
    if backend is None:
        if dunder:
            return NotImplemented
        raise TypeError(
            f"{opdef.name}() expects at least one polytensor array; got "
            f"{', '.join(type(v).__name__ for v in inputs) or 'none'}"
        )
    if backend.multi_device:
        common_backend(opdef.name, inputs)  # checks devices too
    if opdef.extra.get("integers_as_float") and all(
        d is None or d.kind in _EXACT_KINDS for d in dtypes
    ):  # integers and booleans alone: computed in the default float dtype, as PyTorch's
        fl = _config.DEFAULT_FLOAT.get()
        for i, d in enumerate(dtypes):
            if d is not None:
                datas[i] = backend.xp.astype(datas[i], backend.to_native[fl])
                dtypes[i] = fl
    coerce = opdef.coerce
    back = None if coerce is None else coerce(backend, datas, dtypes)
    group = opdef.promote or ()
    cats = opdef.category_sets
    for i, d in enumerate(dtypes):
        if d is not None and i not in group and d not in cats[i if i < len(cats) else 0]:
            _check_category(opdef, i, d)
    if group:
        first = dtypes[group[0]]
        if has_scalar or any(dtypes[i] is not first for i in group):
            # Note: the category applies to the promoted dtype, so a boolean mask times a
            # float tensor works as in PyTorch (bool promotes to float); bool * bool does not.
            promoted = _promote(opdef, backend, datas, dtypes)
            if promoted is not None:
                _check_category(opdef, group[0], promoted, [d for d in dtypes if d is not None])
        elif first is not None and first not in cats[group[0]]:
            _check_category(opdef, group[0], first)
    fn = backend.fns[opdef.index]
    impl = opdef.impl
    try:
        if params:
            if params.get("dtype") is not None:
                params = _native_params(params, backend)
            out = impl(fn, *datas, **params) if impl else fn(*datas, **params)
        else:
            out = impl(fn, *datas) if impl else fn(*datas)
    except ValueError as e:
        if opdef.short == "matmul":
            _check_matmul(datas, e)
        elif opdef.promote:
            _check_broadcast(opdef, [d for d in datas if hasattr(d, "shape")], e)
        raise backend_error(opdef, e, datas, params) from e
    except Exception as e:  # (only where the backend refused: the common call pays nothing)
        raise backend_error(opdef, e, datas, params) from e
    if back is not None and out.dtype != back:
        out = backend.xp.astype(out, back)
    if out.__class__ is backend.array_type:
        result = _new(_tb.TENSOR)
        result._data = out
        result._backend = backend
        result._meta = None
    else:
        result = wrap_output(out, backend)
    if _config.GRAD_ENABLED.get():
        _tape.record(opdef, inputs, params, result)
    return result


def booleans_computed_as(result: dt.DType) -> Any:
    """The ``coerce`` of a numeric function that takes boolean inputs as PyTorch does (the
    standard leaves them to the library): when every input is boolean (arrays, or Python
    bools), they are computed as int8 (or as ``result``, an integer dtype) and the result is
    cast to ``result``: ``bool * bool`` is their logical and, ``maximum`` their or, ``bool <
    bool`` compares False < True, ``square`` of booleans is int64.

    A ``coerce(backend, datas, dtypes)`` changes ``apply()``'s inputs in place before its
    dtype checks and returns the native dtype to cast the result to (None: as it is)."""
    compute = dt.int8 if result is dt.bool else result

    def coerce(backend: Backend, datas: list[Any], dtypes: list[Any]) -> Any:
        if dt.bool not in dtypes:
            return None
        for v, d in zip(datas, dtypes, strict=True):
            if d is None and v is not None and v.__class__ is not bool:
                return None  # (a Python number: promotion decides, b * 2 is int64)
            if d is not None and d is not dt.bool:
                return None  # (an array of another dtype: promotion decides too)
        native = backend.to_native[compute]
        for i, d in enumerate(dtypes):
            if d is not None:
                datas[i] = backend.xp.astype(datas[i], native)
                dtypes[i] = compute
            elif datas[i] is not None:
                datas[i] = int(datas[i])
        return backend.to_native[result]

    return coerce


# PyTorch's refusals of boolean operands (its words, then polytensor's hint)
_BOOL_REFUSED = {
    "subtract": (
        "Subtraction, the `-` operator, with a bool tensor is not supported",
        "if you are trying to invert a mask, use the `~` or `logical_not()` operator instead; "
        "to subtract its values, cast it first (b.to(pt.float32))",
    ),
    "negative": (
        "Negation, the `-` operator, on a bool tensor is not supported",
        "if you are trying to invert a mask, use the `~` or `logical_not()` operator instead; "
        "to negate its values, cast it first (b.to(pt.int64))",
    ),
    "positive": (
        "The `+` operator, on a bool tensor is not supported",
        "cast it first (b.to(pt.int64))",
    ),
}


def refusing_booleans(name: str) -> Any:
    """The ``coerce`` of ``name`` (``subtract``, ``negative``, ``positive``), whose boolean
    operands PyTorch refuses: ``b - 1.0``, ``x - b``, ``x - True``, ``-b`` raise
    ``BoolOperandError`` (PyTorch's ``RuntimeError``, also a ``TypeError``), where the
    standard's promotion would take a boolean array with a float one (it leaves mixed kinds
    to the library) and ``b - b`` is outside its category."""
    lead, hint = _BOOL_REFUSED[name]

    boolean = dt.bool

    def coerce(backend: Backend, datas: list[Any], dtypes: list[Any]) -> None:
        for d, v in zip(dtypes, datas):  # noqa: B905 - (one entry per input in each)
            if d is boolean or v.__class__ is bool:
                break
        else:
            return
        bools = sum(
            1 for v, d in zip(datas, dtypes, strict=True) if d is boolean or v.__class__ is bool
        )
        if name == "subtract" and bools == 2:
            raise dt.BoolOperandError(
                "subtract(): Subtraction, the `-` operator, with two bool tensors is not "
                "supported (as in PyTorch); use the `^` or `logical_xor()` operator instead"
            )
        got = ", ".join(
            d.name if d is not None else type(v).__name__
            for v, d in zip(datas, dtypes, strict=True)
        )
        raise dt.BoolOperandError(f"{name}(): {lead} (as in PyTorch); got {got}; {hint}")

    return coerce


def numbers_as_booleans(backend: Backend, datas: list[Any], dtypes: list[Any]) -> None:
    """The ``coerce`` of the logical functions (``logical_and``...): an input that is not
    boolean counts as ``x != 0``, as in PyTorch (NaN is true; the standard leaves such inputs
    to the library)."""
    for i, d in enumerate(dtypes):
        if d is None:
            v = datas[i]
            if v is not None and v.__class__ is not bool and isinstance(v, _SCALARS):
                datas[i] = bool(v)
        elif d is not dt.bool:
            datas[i] = datas[i] != 0
            dtypes[i] = dt.bool


def _check_broadcast(opdef: OpDef, arrays: list[Any], error: Exception) -> None:
    shapes = [tuple(a.shape) for a in arrays]
    try:
        broadcast_shapes(*shapes)
    except ValueError:
        raise BroadcastError(
            f"{opdef.short}() cannot broadcast shapes {' and '.join(str(s) for s in shapes)}"
        ) from error


def _check_matmul(datas: Any, error: Exception) -> None:
    """``matmul``'s refusal of operands whose shapes do not multiply, in PyTorch's terms (a
    ``BroadcastError``, also PyTorch's ``RuntimeError``)."""
    a, b = (tuple(d.shape) for d in datas[:2])
    if not a or not b:
        raise BroadcastError(
            f"matmul() takes operands of at least one dimension; got shapes {a} and {b}; use "
            f"* for a product with a scalar"
        ) from error
    k1 = a[-1]
    k2 = b[-2] if len(b) > 1 else b[0]
    if k1 != k2:
        raise BroadcastError(
            f"matmul() cannot multiply shapes {a} and {b}: the last dimension of the first "
            f"({k1}) must equal the {'second-to-last' if len(b) > 1 else 'only'} dimension of "
            f"the second ({k2}); transpose an operand (b.T, b.mT) if that was meant"
        ) from error
    try:
        broadcast_shapes(a[:-2], b[:-2])
    except ValueError:
        raise BroadcastError(
            f"matmul() cannot broadcast the batch dimensions {a[:-2]} and {b[:-2]} of shapes "
            f"{a} and {b}"
        ) from error


def _check_category(opdef: OpDef, i: int, d: dt.DType, got: list[dt.DType] | None = None) -> None:
    cat = opdef.category_of(i)
    if d not in dt.CATEGORIES[cat]:
        names = ", ".join(g.name for g in got) if got and len(set(got)) > 1 else d.name
        raise dt.DtypeNotImplementedError(  # (PyTorch's "... not implemented for 'Bool'")
            f"{opdef.short}() expects {cat} dtypes; got {names}" + _category_hint(cat)
        )


def _category_hint(cat: str) -> str:
    if "floating" in cat:
        return "; cast with x.astype(pt.float32) or pt.float64 first"
    if cat in ("integer", "integer or boolean", "boolean"):
        return f"; this function takes {cat} arrays only"
    return ""


def _promote(
    opdef: OpDef, backend: Backend, datas: list[Any], dtypes: list[Any]
) -> dt.DType | None:
    """Promote the inputs named by ``opdef.promote`` to one dtype, in place of ``datas``."""
    group = opdef.promote or ()
    result: dt.DType | None = None
    for i in group:
        d = dtypes[i]
        if d is None:
            continue
        if result is None:
            result = d
        elif d is not result:
            r = dt.promote(result, d)
            if r is None:
                raise TypeError(
                    f"{opdef.short}() cannot promote {result.name} with {d.name}; "
                    f"cast one with x.astype(...)"
                )
            result = r
    default_float = _config.DEFAULT_FLOAT.get()
    if result is None:  # only scalars (where(c, 1.0, 0.0)): one of them becomes an array
        for i in group:
            v = datas[i]
            if isinstance(v, _SCALARS):
                d = dt.python_scalar_dtype(v, default_float, _config.DEFAULT_INT)
                result = d if result is None else (dt.promote(result, d) or result)
        if result is None:
            return None
        like = next((d for d in datas if hasattr(d, "shape")), None)
        i = next(i for i in group if datas[i] is not None)
        kw = {} if like is None else {"device": backend.device_of(like)}
        datas[i] = backend.xp.asarray(datas[i], dtype=backend.to_native[result], **kw)
        dtypes[i] = result
    for i in group:
        v = datas[i]
        if dtypes[i] is None and v is not None:
            s = dt.scalar_dtype(v, result, default_float, _config.DEFAULT_INT)
            if s is not result:
                result = dt.promote(result, s) or s
    for i in group:
        v = datas[i]
        d = dtypes[i]
        if d is not None and d is not result and d.kind != result.kind:
            datas[i] = backend.xp.astype(v, backend.to_native[result])
        elif d is None and v is not None and not _scalar_fits(v, result):
            datas[i] = backend.xp.asarray(v, dtype=backend.to_native[result])
    return result


def _scalar_fits(value: Any, d: dt.DType) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return d.kind != "bool"
    if isinstance(value, float):
        return d.kind in ("real floating", "complex floating")
    return d.kind == "complex floating"


def _native_params(params: dict[str, Any], backend: Backend) -> dict[str, Any]:
    out = params
    d = params.get("dtype")
    if d is not None:
        if not isinstance(d, dt.DType):
            raise TypeError(f"dtype= expects a polytensor dtype such as pt.float32; got {d!r}")
        out = dict(params)
        out["dtype"] = backend.to_native[d]
    return out


# -- a backend's refusal, said in polytensor's words ---------------------------------------------
# The kinds of error a call may raise (STYLE.md, "Errors"); anything else from a backend is a
# gap in the checks above, turned into one of these with the backend's words kept (named_error).


def backend_error(
    opdef: OpDef, e: Exception, datas: list[Any] | tuple[Any, ...], params: dict[str, Any] | None
) -> Exception:
    """The error to raise when the backend refused ``opdef``'s call with ``e``: a clear one
    about a parameter if one is malformed, else ``e`` of the same kind with a message that
    names the function (an exception outside the allowed kinds becomes a ValueError, or a
    TypeError for an AttributeError, a value of the wrong type). A private op that is told
    the public function it works for (``_check_index``'s ``where=``) speaks in that one's
    name: its own is no name a user called."""
    name = opdef.short
    caller = params.get("where") if params and name.startswith("_") else None
    if isinstance(caller, str):
        name = caller
    if isinstance(e, NotImplementedError) and f"{name}(" in str(e):
        return e  # polytensor's own (a data-dependent length, say): it names the way out
    problem = bad_param(name, datas, params or {})
    if problem is not None:
        return problem
    return named_error(name, e)
