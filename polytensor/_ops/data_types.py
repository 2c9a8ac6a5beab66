"""Data type functions of the standard, answered from polytensor's own dtype objects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from .. import _config, _tape
from .. import _dtypes as dt
from .. import _tensor_base as _tb
from .._tensor_base import TensorBase
from ._registry import NONDIFF, OPS, op

if TYPE_CHECKING:
    from .._tensor import Tensor


def _astype_impl(fn: Any, x: Any, *, dtype: Any, copy: bool) -> Any:
    return fn(x, dtype, copy=copy)


def _astype_rule(g: Any, _out: Any, _x: Any, **params: Any) -> tuple[Any]:
    from .elementwise import real

    if _x.dtype.kind != "complex floating" and g.dtype.kind == "complex floating":
        g = real(g)
    return (_astype(g, _x.dtype),)


_astype = op("astype", "(x, dtype, /, *, copy=True)", "any", _astype_rule, impl=_astype_impl)


def astype(x: TensorBase, dtype: dt.DType, /, *, copy: bool = True, device: Any = None) -> Tensor:
    """Copy of ``x`` cast to ``dtype`` (and moved to ``device``, when given).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.astype(pt.asarray([1.7, -2.2]), pt.int32)
    tensor([ 1, -2], dtype=polytensor.int32, backend='numpy')
    """
    dtype = dt.from_python_type(dtype)  # (PyTorch's x.to(float): float64)
    if not isinstance(dtype, dt.DType):
        raise TypeError(f"astype() expects a polytensor dtype such as pt.float32; got {dtype!r}")
    if not isinstance(x, TensorBase):
        raise TypeError(f"astype() expects a polytensor array; got {type(x).__name__}")
    if device is not None:
        x = cast("Tensor", x).to_device(device)
    b = x._backend
    native = b.to_native.get(dtype)
    if native is not None:  # the common case: the backend's astype, recorded as the table's
        d = x._data
        if not copy and d.dtype == native:
            return cast("Tensor", x)
        try:
            r = b.fns[_ASTYPE_INDEX](d, native, copy=copy)
        except Exception:  # noqa: BLE001 - the table's function calls again and raises
            r = None
        if r is not None:
            if r.__class__ is not b.array_type:
                r = b.as_array(r)
            t = _new(_tb.TENSOR)
            t._data = r
            t._backend = b
            t._meta = None
            if x._meta is not None and _GRAD.get():
                _tape.record_tensors(_ASTYPE, (x,), (d,), {"dtype": dtype, "copy": copy}, t)
            return cast("Tensor", t)
    if not copy and x.dtype is dtype:
        return cast("Tensor", x)
    return _astype(x, dtype, copy=copy)


_ASTYPE = OPS["astype"]
_ASTYPE_INDEX = _ASTYPE.index
_GRAD = _config.GRAD_ENABLED
_new = object.__new__


def _dtype_of(value: Any, where: str) -> dt.DType:
    value = dt.from_python_type(value)
    if isinstance(value, dt.DType):
        return value
    if isinstance(value, TensorBase):
        return value.dtype
    raise TypeError(f"{where}() expects a polytensor dtype or array; got {value!r}")


def can_cast(from_: dt.DType | Tensor, to: dt.DType, /) -> bool:
    """Whether the standard's promotion rules cast ``from_`` to ``to`` without loss of kind.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.can_cast(pt.int8, pt.int32), pt.can_cast(pt.float64, pt.float32)
    (True, False)
    """
    src = _dtype_of(from_, "can_cast")
    to = dt.from_python_type(to)
    if not isinstance(to, dt.DType):
        raise TypeError(f"can_cast() expects a polytensor dtype as `to`; got {to!r}")
    return dt.PROMOTION.get((src, to)) is to


def finfo(type: dt.DType | Tensor, /) -> dt.finfo_object:
    """Machine limits of a floating-point dtype (fields are Python floats).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.finfo(pt.float32).eps
    1.1920928955078125e-07
    """
    d = _dtype_of(type, "finfo")
    info = dt.FINFO.get(d)
    if info is None:
        raise TypeError(
            f"finfo() expects a floating-point dtype; got {d.name}; use pt.iinfo for integers"
        )
    return info


def iinfo(type: dt.DType | Tensor, /) -> dt.iinfo_object:
    """Machine limits of an integer dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.iinfo(pt.int8).max
    127
    """
    d = _dtype_of(type, "iinfo")
    info = dt.IINFO.get(d)
    if info is None:
        raise TypeError(
            f"iinfo() expects an integer dtype; got {d.name}; "
            f"use pt.finfo for floating-point dtypes"
        )
    return info


def isdtype(dtype: dt.DType, kind: dt.DType | str | tuple[dt.DType | str, ...]) -> bool:
    """Whether ``dtype`` is of ``kind`` (a dtype, a kind name such as ``"integral"``, or a tuple).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.isdtype(pt.float32, "real floating"), pt.isdtype(pt.int8, ("bool", pt.int8))
    (True, True)
    """
    if not isinstance(dtype, dt.DType):
        raise TypeError(f"isdtype() expects a polytensor dtype; got {dtype!r}")
    if isinstance(kind, tuple):
        return any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, dt.DType):
        return dtype is kind
    if isinstance(kind, str):
        members = dt.KINDS.get(kind)
        if members is None:
            raise ValueError(
                f"isdtype() got unknown kind {kind!r}; expected one of {', '.join(dt.KINDS)}"
            )
        return dtype in members
    raise TypeError(f"isdtype() expects a dtype, a kind name or a tuple of them; got {kind!r}")


def result_type(*arrays_and_dtypes: Any) -> dt.DType:
    """The dtype the standard's promotion rules give for these arrays, dtypes and scalars.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.result_type(pt.int8, pt.uint8), pt.result_type(pt.float32, 1.0)
    (polytensor.int16, polytensor.float32)
    """
    result: dt.DType | None = None
    scalars = []
    for v in arrays_and_dtypes:
        if isinstance(v, (bool, int, float, complex)):
            scalars.append(v)
            continue
        d = _dtype_of(v, "result_type")
        if result is None:
            result = d
        else:
            r = dt.promote(result, d)
            if r is None:
                raise TypeError(f"result_type() cannot promote {result.name} with {d.name}")
            result = r
    default_float = _config.DEFAULT_FLOAT.get()
    for s in scalars:
        if result is None:
            result = dt.python_scalar_dtype(s, default_float, _config.DEFAULT_INT)
        else:
            sd = dt.scalar_dtype(s, result, default_float, _config.DEFAULT_INT)
            result = dt.promote(result, sd) or sd
    if result is None:
        raise ValueError("result_type() needs at least one array, dtype or scalar")
    return result


__all__ = ["NONDIFF", "astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type"]
