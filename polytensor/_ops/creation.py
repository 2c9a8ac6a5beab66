"""Creation functions: the standard's, with PyTorch-style shapes and ``requires_grad=``.

The backend is the one named by ``device=`` (a Device or a string such as ``"dask:cpu"``), else
the current backend. Default dtypes are polytensor's (float32 unless changed), never the
backend's.
"""

from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING, Any, cast

from .. import _config, _tape
from .. import _dtypes as dt
from .._checks import OutOfRangeError, check_copy, describe, named_error
from .._config import parse_device
from .._dispatch import wrap_new
from .._tensor_base import TensorBase
from ..backends import Backend
from ..backends._transfer import transfer_data
from ._registry import Function, OpDef, _register, op

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "arange",
    "asarray",
    "empty",
    "empty_like",
    "eye",
    "from_dlpack",
    "full",
    "full_like",
    "linspace",
    "meshgrid",
    "ones",
    "ones_like",
    "tril",
    "triu",
    "zeros",
    "zeros_like",
]


def _target(device: Any, where: str) -> tuple[Backend, Any]:
    if device is None:
        return _config.get_backend(), None
    return parse_device(device, where)


def _dev_kw(backend: Backend, native: Any) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if native is not None:
        kw["device"] = native
    if "chunks" in backend.options:
        kw["chunks"] = backend.options["chunks"]
    return kw


def _shape(where: str, shape: Any, size: tuple[Any, ...]) -> tuple[int, ...]:
    given: Any = (shape, *size) if shape.__class__ is int else shape if not size else None
    if given.__class__ is tuple:  # Python ints in range, the common call: as they are
        for d in given:
            if d.__class__ is not int or not 0 <= d < 2**63:
                break
        else:
            return cast("tuple[int, ...]", given)
    if size:
        shape = (shape, *size)
    elif isinstance(shape, (list, tuple)):
        shape = tuple(shape)
    else:
        shape = (shape,)
    try:
        dims = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(
            f"{where}() expects a shape of ints, as a tuple or as separate arguments; got {shape!r}"
        ) from None
    if any(d < 0 for d in dims):
        raise ValueError(f"{where}() got a negative dimension in shape {dims}")
    if any(d >= 2**63 for d in dims):
        raise ValueError(f"{where}() got a dimension too large for an array in shape {dims}")
    return dims


def _check_dtype(where: str, dtype: Any) -> Any:
    """``dtype`` checked: None, a polytensor dtype, or a Python type that PyTorch reads as one
    (``dtype=bool``; ``dt.from_python_type``), returned as that dtype."""
    dtype = dt.from_python_type(dtype)
    if dtype is not None and not isinstance(dtype, dt.DType):
        raise TypeError(
            f"{where}() expects dtype= to be a polytensor dtype such as pt.float32; got {dtype!r}"
        )
    return dtype


def _finish(t: Tensor, requires_grad: bool, where: str) -> Tensor:
    if requires_grad is False:
        return t
    if requires_grad is not True:  # (a truthiness test would read "no" as True)
        raise TypeError(
            f"{where}() expects requires_grad= to be True or False; got {describe(requires_grad)}"
        )
    from .._tape import set_requires_grad

    set_requires_grad(t, True)
    return t


def _as_index(value: Any, where: str, name: str) -> int:
    """``operator.index(value)``, or a TypeError naming ``where`` and ``name``."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{where}() expects an int for {name}; got {value!r}") from None


def _count(n: int, where: str, name: str) -> int:
    """``n`` if it is not negative; ValueError naming ``where`` and ``name`` otherwise."""
    if n < 0:
        raise ValueError(f"{where}() expects a non-negative {name}; got {n}")
    return n


def _filled(
    where: str,
    xp_name: str,
    shape: Any,
    size: tuple[Any, ...],
    dtype: Any,
    device: Any,
    requires_grad: bool,
    *fill: Any,
    chunks: Any = None,
) -> Tensor:
    if dtype is None:
        d = _config.DEFAULT_FLOAT.get()
    else:
        d = _check_dtype(where, dtype)
    backend, native = _target(device, where)
    dims = _shape(where, shape, size)
    if fill:
        _fill_dtype(fill[0], where)  # (a TypeError for anything but a Python scalar)
        _fill_fits(where, fill[0], d)
    fn = backend.overrides.get(xp_name) or getattr(backend.xp, xp_name)
    try:
        if native is None and chunks is None and not backend.options:  # (the common call)
            data = fn(dims, *fill, dtype=backend.to_native[d])
        else:
            kw = _dev_kw(backend, native)
            if chunks is not None and "chunks" in backend.option_names:  # (over the option)
                kw["chunks"] = chunks
            data = fn(dims, *fill, dtype=backend.to_native[d], **kw)
    except Exception as e:  # a size or value the library refuses, in our words
        raise named_error(where, e) from e
    t = wrap_new(data, backend)
    return t if requires_grad is False else _finish(t, requires_grad, where)


def zeros(
    shape: Any,
    *size: int,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
    chunks: Any = None,
) -> Tensor:
    """A tensor of zeros; ``shape`` is a tuple or, PyTorch-style, separate ints.

    ``chunks=`` (Dask: ``"auto"``, a byte size such as ``"128MiB"``, a tuple or dict, as the
    backend option) chunks this tensor; backends without chunks ignore it.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.zeros(2, 3).shape, pt.zeros((2,), dtype=pt.int32).dtype
    ((2, 3), polytensor.int32)
    """
    return _filled("zeros", "zeros", shape, size, dtype, device, requires_grad, chunks=chunks)


def ones(
    shape: Any,
    *size: int,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
    chunks: Any = None,
) -> Tensor:
    """A tensor of ones; ``shape`` is a tuple or, PyTorch-style, separate ints.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 2, requires_grad=True).requires_grad
    True
    """
    return _filled("ones", "ones", shape, size, dtype, device, requires_grad, chunks=chunks)


def empty(
    shape: Any,
    *size: int,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
    chunks: Any = None,
) -> Tensor:
    """An uninitialised tensor (its values are arbitrary).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.empty(5, 3).shape
    (5, 3)
    """
    return _filled("empty", "empty", shape, size, dtype, device, requires_grad, chunks=chunks)


def _fill_dtype(fill_value: Any, where: str) -> dt.DType:
    if isinstance(fill_value, (bool, int, float, complex)):
        return dt.python_scalar_dtype(fill_value, _config.DEFAULT_FLOAT.get(), _config.DEFAULT_INT)
    raise TypeError(
        f"{where}() expects fill_value to be a Python bool, int, float or complex; "
        f"got {type(fill_value).__name__}"
    )


def full(
    shape: Any,
    fill_value: bool | int | float | complex | Tensor,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
    chunks: Any = None,
) -> Tensor:
    """A tensor filled with ``fill_value``; the dtype defaults from the value's kind.

    ``fill_value`` may also be a 0-d tensor (as NumPy and PyTorch take one; SciPy passes
    them): the dtype then defaults to its dtype, the device to its device, and the result is
    differentiable with respect to it (each element's gradient adds to its gradient).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.full((2,), 7)
    tensor([7, 7], backend='numpy')
    >>> pt.full((2,), pt.asarray(0.5, dtype=pt.float64))
    tensor([0.5, 0.5], dtype=polytensor.float64, backend='numpy')
    """
    if isinstance(fill_value, TensorBase):
        return _full_of_tensor("full", shape, fill_value, dtype, device, requires_grad, chunks)
    d = dtype if dtype is not None else _fill_dtype(fill_value, "full")
    return _filled("full", "full", shape, (), d, device, requires_grad, fill_value, chunks=chunks)


def _full_of_tensor(
    where: str, shape: Any, fill: Any, dtype: Any, device: Any, requires_grad: bool, chunks: Any
) -> Tensor:
    """``full(shape, fill)`` of a 0-d tensor ``fill``: its value added to a fill of the
    dtype's additive identity (-0.0 for floating dtypes, so that -0.0 and NaN come through
    as they are), which records the gradient and keeps ``chunks=`` on a chunked backend."""
    if fill.ndim != 0:
        raise ValueError(
            f"{where}() expects fill_value to be a number or a 0-d tensor; got a tensor of shape "
            f"{tuple(fill.shape)}; use pt.broadcast_to(value, shape) to repeat an array"
        )
    dtype = _check_dtype(where, dtype)
    d = dtype if dtype is not None else fill.dtype
    identity: Any = 0
    if d.kind == "real floating":
        identity = -0.0
    elif d.kind == "complex floating":
        identity = complex(-0.0, -0.0)
    elif d.kind == "bool":
        identity = False
    base = _filled(where, "full", shape, (), d, device if device is not None else fill.device,
                   False, identity, chunks=chunks)  # fmt: skip
    if base.device != fill.device:
        raise ValueError(
            f"{where}() got fill_value on {fill.device} and device={base.device}; move the "
            f"value first with fill_value.to({str(base.device)!r})"
        )
    from .elementwise import add

    out = add(base, astype(fill, d))
    return _finish(out, requires_grad, where) if not _tape.requires_grad(out) else out


def _like(
    where: str, xp_name: str, x: Any, dtype: Any, device: Any, requires_grad: bool, *fill: Any
) -> Tensor:
    if not isinstance(x, TensorBase):
        raise TypeError(f"{where}() expects a polytensor array; got {type(x).__name__}")
    dtype = _check_dtype(where, dtype)
    if device is None:
        backend, native = x._backend, None
        if backend.multi_device:
            native = backend.device_of(x._data)
    else:
        backend, native = parse_device(device, where)
    d = dtype if dtype is not None else x.dtype
    if fill and dtype is None and not _value_fits(fill[0], d):
        v = fill[0]
        if isinstance(v, complex):  # (a complex value for a real tensor: a complex result)
            d = _fill_dtype(v, where)
        else:  # x's dtype, the value converted (toward 0), as PyTorch's and NumPy's
            try:
                fill = (bool(v) if d.kind == "bool" else int(v),)
            except (ValueError, OverflowError):
                raise OutOfRangeError(
                    f"{where}() cannot fill a tensor of {d.name} with {v!r}; give a value the "
                    f"dtype holds, or dtype= of a floating kind"
                ) from None
    if fill:
        _fill_fits(where, fill[0], d)
    shape = x.shape
    if any(s is None for s in shape):
        raise ValueError(
            f"{where}() of a tensor with unknown (lazy) shape {shape}; call pt.compute(x) first"
        )
    fn = backend.overrides.get(xp_name) or getattr(backend.xp, xp_name)
    try:
        data = fn(shape, *fill, dtype=backend.to_native[d], **_dev_kw(backend, native))
    except Exception as e:  # a fill value the library refuses (an int beyond int64), in our words
        raise named_error(where, e) from e
    return _finish(wrap_new(data, backend), requires_grad, where)


def _fill_fits(where: str, value: Any, d: dt.DType) -> None:
    """Refuse a Python int fill value outside integer dtype ``d``'s range (NumPy refuses it at
    once, Dask only when the lazy array is computed, with words naming no function), and a
    finite number beyond floating dtype ``d``'s largest (``1e40`` into float32), which would
    become an infinity: PyTorch refuses it too, where NumPy warns and fills infinities."""
    if isinstance(value, bool):
        return
    if isinstance(value, int) and d in dt.IINFO:
        info = dt.IINFO[d]
        if not info.min <= value <= info.max:
            raise OutOfRangeError(
                f"{where}() got fill value {value}, outside the range of {d.name} "
                f"[{info.min}, {info.max}]"
            )
    elif isinstance(value, (int, float, complex)) and d in dt.FINFO:
        check_float_fits(where, value, d)


def check_float_fits(where: str, value: int | float | complex, d: dt.DType) -> None:
    """Refuse a Python number that floating dtype ``d`` holds only as an infinity: finite, and
    beyond ``d``'s largest magnitude (each part of a complex number). Infinities and NaN pass.

    Example: ``check_float_fits("fill_", 1e40, pt.float32)`` raises ``OutOfRangeError``.
    """
    top = dt.FINFO[d].max
    parts = (value.real, value.imag) if isinstance(value, complex) else (value,)
    for part in parts:
        try:
            f = float(part)
        except OverflowError:  # (an int beyond float64's range)
            f = math.inf
            finite = True
        else:
            finite = math.isfinite(f)
        if finite and abs(f) > top:
            wider = (
                f"use {'complex128' if d.kind == 'complex floating' else 'float64'}, or "
                if top < dt.FINFO[dt.float64].max
                else ""
            )
            raise OutOfRangeError(
                f"{where}() got the value {value!r}, beyond the range of {d.name} (largest "
                f"magnitude {top!r}): it would become an infinity; {wider}give float('inf') "
                f"for an infinity"
            )


def _value_fits(value: Any, d: dt.DType) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return d.kind != "bool"
    if isinstance(value, float):
        return "floating" in d.kind
    return d.kind == "complex floating"


def zeros_like(
    x: Tensor, /, *, dtype: dt.DType | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Zeros with the shape (and, by default, dtype and device) of ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.zeros_like(pt.ones(2))
    tensor([0., 0.], backend='numpy')
    """
    return _like("zeros_like", "zeros", x, dtype, device, requires_grad)


def ones_like(
    x: Tensor, /, *, dtype: dt.DType | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """Ones with the shape (and, by default, dtype and device) of ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones_like(pt.zeros(2, dtype=pt.int32))
    tensor([1, 1], dtype=polytensor.int32, backend='numpy')
    """
    return _like("ones_like", "ones", x, dtype, device, requires_grad)


def empty_like(
    x: Tensor, /, *, dtype: dt.DType | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """An uninitialised tensor with the shape (and dtype, device) of ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.empty_like(pt.ones((2, 3))).shape
    (2, 3)
    """
    return _like("empty_like", "empty", x, dtype, device, requires_grad)


def full_like(
    x: Tensor,
    /,
    fill_value: bool | int | float | complex | Tensor,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``fill_value`` with the shape (and, by default, dtype and device) of ``x``.

    ``fill_value`` may also be a 0-d tensor, on ``x``'s device: the result is differentiable
    with respect to it. A float for an integer (or boolean) ``x`` is converted to its dtype
    (toward 0), as PyTorch's and NumPy's; a complex one for a real ``x`` gives a complex result.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.full_like(pt.ones(2), 0.5)
    tensor([0.5, 0.5], backend='numpy')
    """
    if isinstance(fill_value, TensorBase):
        if not isinstance(x, TensorBase):
            raise TypeError(f"full_like() expects a polytensor array; got {type(x).__name__}")
        d = dtype if dtype is not None else x.dtype
        at = device if device is not None else x.device
        return _full_of_tensor("full_like", tuple(x.shape), fill_value, d, at, requires_grad, None)
    _fill_dtype(fill_value, "full_like")
    return _like("full_like", "full", x, dtype, device, requires_grad, fill_value)


def eye(
    n_rows: int,
    n_cols: int | None = None,
    /,
    *,
    k: int = 0,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A 2-D tensor with ones on the ``k``-th diagonal.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.eye(2)
    tensor([[1., 0.],
            [0., 1.]], backend='numpy')
    """
    dtype = _check_dtype("eye", dtype)
    backend, native = _target(device, "eye")
    d = dtype if dtype is not None else _config.DEFAULT_FLOAT.get()
    rows = _as_index(n_rows, "eye", "n_rows")
    cols = None if n_cols is None else _as_index(n_cols, "eye", "n_cols")
    if rows < 0 or (cols is not None and cols < 0):
        raise ValueError(f"eye() expects non-negative sizes; got n_rows={rows}, n_cols={cols}")
    if rows >= 2**63 or (cols is not None and cols >= 2**63):
        raise ValueError(f"eye() got a size too large for an array: {rows} x {cols}")
    diagonal = _as_index(k, "eye", "k")
    try:
        data = backend.xp.eye(
            rows, cols, k=diagonal, dtype=backend.to_native[d], **_dev_kw(backend, native)
        )
    except Exception as e:  # a size the library refuses (memory), in our words
        raise named_error("eye", e) from e
    return _finish(wrap_new(data, backend), requires_grad, "eye")


def arange(
    start: int | float,
    /,
    stop: int | float | None = None,
    step: int | float = 1,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Evenly spaced values in ``[start, stop)``; floats give the default float dtype. For an
    integer ``dtype``, float bounds and step are first taken as ints (toward 0), as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.arange(3), pt.arange(4.0, requires_grad=True).dtype
    (tensor([0, 1, 2], backend='numpy'), polytensor.float32)
    """
    dtype = _check_dtype("arange", dtype)
    for name, v in (("start", start), ("stop", stop), ("step", step)):
        if v is not None and (isinstance(v, complex) or not isinstance(v, (int, float))):
            raise TypeError(
                f"arange() expects {name} to be a Python int or float; got {type(v).__name__}"
            )
    if start is None:
        raise TypeError("arange() expects start to be a Python int or float; got None")
    if dtype is not None and dtype in dt.IINFO:
        # float bounds or step for an integer dtype, each taken as an int first (toward 0), as
        # PyTorch's: arange(0, 10, 2.5, dtype=int64) is [0, 2, 4, 6, 8] (NumPy's [0, 2, 4, 6]
        # steps by its first two values' difference); the standard leaves it open
        try:
            start, step = int(start), int(step)
            stop = None if stop is None else int(stop)
        except (ValueError, OverflowError):
            raise ValueError(
                f"arange({start!r}, {stop!r}, {step!r}) cannot take an infinity or NaN for an "
                f"integer dtype ({dtype.name}); give finite bounds"
            ) from None
    if step == 0:
        raise ValueError(
            "arange() got step=0 (a step below 1 for an integer dtype is taken as 0, as "
            "PyTorch's); the step must be nonzero"
        )
    backend, native = _target(device, "arange")
    if dtype is None:
        floats = any(isinstance(v, float) for v in (start, stop, step))
        dtype = _config.DEFAULT_FLOAT.get() if floats else _config.DEFAULT_INT
    try:
        data = backend.xp.arange(
            start, stop, step, dtype=backend.to_native[dtype], **_dev_kw(backend, native)
        )
    except (ValueError, OverflowError) as e:  # (infinite or too many values, say)
        raise ValueError(f"arange({start!r}, {stop!r}, {step!r}): {e}") from None
    except MemoryError as e:  # (more values than memory holds)
        raise named_error("arange", e) from None
    return _finish(wrap_new(data, backend), requires_grad, "arange")


def linspace(
    start: int | float | complex,
    stop: int | float | complex,
    /,
    num: int,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
    endpoint: bool = True,
    requires_grad: bool = False,
) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.linspace(0, 1, 3)
    tensor([0. , 0.5, 1. ], backend='numpy')
    """
    dtype = _check_dtype("linspace", dtype)
    for name, v in (("start", start), ("stop", stop)):
        if isinstance(v, TensorBase):  # (the standard's linspace takes Python numbers only)
            raise TypeError(
                f"linspace() expects a Python number for {name}; got a tensor; pass "
                f"float(t) (or t.item()) for a 0-d one"
            )
        if not isinstance(v, (int, float, complex)) and not hasattr(v, "__float__"):
            raise TypeError(f"linspace() expects a Python number for {name}; got {v!r}")
    backend, native = _target(device, "linspace")
    if dtype is None:
        is_complex = isinstance(start, complex) or isinstance(stop, complex)
        dtype = _config.DEFAULT_FLOAT.get()
        if is_complex:
            dtype = dt.complex64 if dtype is dt.float32 else dt.complex128
    count = _count(_as_index(num, "linspace", "num"), "linspace", "num")
    try:
        data = backend.xp.linspace(
            start,
            stop,
            count,
            dtype=backend.to_native[dtype],
            endpoint=endpoint,
            **_dev_kw(backend, native),
        )
    except Exception as e:  # a value the library refuses, in our words
        raise named_error("linspace", e) from e
    return _finish(wrap_new(data, backend), requires_grad, "linspace")


def _infer_dtype(host: Any, where: str) -> dt.DType:
    kind = host.dtype.kind
    if kind == "b":
        return dt.bool
    if kind in "iu":
        return _config.DEFAULT_INT
    if kind == "f":
        return _config.DEFAULT_FLOAT.get()
    if kind == "c":
        return dt.complex64 if _config.DEFAULT_FLOAT.get() is dt.float32 else dt.complex128
    if kind == "O":
        raise OutOfRangeError(
            f"{where}() got a Python int outside the int64 range or "
            f"a nested sequence of mixed objects"
        )
    raise TypeError(f"{where}() cannot make a tensor from data of NumPy dtype {host.dtype}")


_NUMBERS = frozenset((int, float, bool, complex))


def _tensors_to_host(obj: Any) -> Any:
    if isinstance(obj, TensorBase):
        return obj._backend.to_numpy(obj._data)
    if isinstance(obj, (list, tuple)):
        if _NUMBERS.issuperset(map(type, obj)):  # (a flat list of Python numbers, at C speed)
            return obj
        return [_tensors_to_host(o) for o in obj]
    return obj


def asarray(
    obj: Any,
    /,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Convert ``obj`` (a tensor, Python scalar, nested sequence, NumPy array or any object
    supporting DLPack or the buffer protocol) to a tensor.

    Python floats give the default float dtype (float32); NumPy arrays keep their dtype. On the
    NumPy backend a NumPy array is shared, not copied, unless ``copy=True``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([[1.0, 2.0]])
    tensor([[1., 2.]], backend='numpy')
    """
    from ..backends import _host

    dtype = _check_dtype("asarray", dtype)
    copy = check_copy("asarray", copy)
    if isinstance(obj, TensorBase):
        t = cast("Tensor", obj)
        if device is not None:
            moved = t.to_device(device)
            if moved is not t and copy is False:
                raise ValueError(
                    "asarray() with copy=False cannot move a tensor to another "
                    "device; pass copy=None"
                )
            t = moved
        if dtype is not None and dtype is not t.dtype:
            if copy is False:
                raise ValueError(
                    "asarray() with copy=False cannot change the dtype; pass copy=None"
                )
            return _finish(astype(t, dtype), requires_grad, "asarray")
        if copy:
            from .manipulation import _copy

            t = _copy(t)
        return _finish(t, requires_grad, "asarray")
    backend, native = _target(device, "asarray")
    if isinstance(obj, backend.array_type) and not backend.shares_host_memory:
        data: Any = obj
        d = backend.dtype_of(data.dtype) if dtype is None else dtype
        data = backend.xp.asarray(
            data,
            dtype=backend.to_native[d],
            copy=copy,
            **({"device": native} if native is not None else {}),
        )
        return _finish(wrap_new(data, backend), requires_grad, "asarray")
    if (
        isinstance(obj, (list, tuple))
        and obj
        and all(isinstance(o, TensorBase) for o in obj)
        and len({(o._backend.name, tuple(o.shape)) for o in obj}) == 1
    ):
        # A sequence of same-shaped tensors: stack them where they are (lazily on Dask).
        from .manipulation import stack

        t = stack(
            [
                o
                if o._backend.name == backend.name
                else o.to_device(device or backend.default_device())
                for o in obj
            ]
        )
        if dtype is not None and t.dtype is not dtype:
            t = astype(t, dtype)
        return _finish(t, requires_grad, "asarray")
    if _host.is_numpy_scalar(obj):  # NumPy scalars keep their dtype, as NumPy arrays do
        obj = _host.host_array(obj)
    if isinstance(obj, (bool, int, float, complex, list, tuple)):
        try:
            host = _host.host_array(_tensors_to_host(obj))
        except (ValueError, TypeError, OverflowError) as e:  # ragged lists, huge ints
            raise (TypeError if isinstance(e, TypeError) else ValueError)(
                f"asarray() cannot make an array of this {type(obj).__name__}: {e}"
            ) from None
        d = dtype if dtype is not None else _infer_dtype(host, "asarray")
        if host.dtype.kind == "f" and _host.beyond_int64(host):
            host = _huge_ints(obj, host, d, dtype is not None)
        else:
            host = _checked_cast(host, d)
        copy = None if copy is None else copy
        if copy is False:
            raise ValueError(
                "asarray() with copy=False cannot wrap Python scalars or "
                "sequences without copying; pass copy=None"
            )
    else:
        try:
            host = _host.host_array(obj, copy=copy)
        except ValueError as e:
            raise ValueError(f"asarray() with copy=False: {e}") from None
        except TypeError:
            raise TypeError(
                f"asarray() cannot convert {type(obj).__name__}; expected a "
                f"tensor, Python scalar, nested sequence, or an object with "
                f"DLPack or the buffer protocol"
            ) from None
        if host.dtype.kind not in "biufc" or dt.numpy_name(host.dtype) not in dt.BY_NAME:
            raise TypeError(
                f"asarray() cannot make a tensor from data of NumPy dtype "
                f"{host.dtype}; polytensor supports {', '.join(dt.BY_NAME)}"
            )
        if not host.dtype.isnative:
            host = host.astype(host.dtype.newbyteorder("="))
        if dtype is not None and dt.numpy_name(host.dtype) != dtype.name:
            if copy is False:
                raise ValueError(
                    "asarray() with copy=False cannot change the dtype; pass copy=None"
                )
            host = host.astype(dtype.name)
        elif copy:
            host = host.copy()
    data = backend.from_numpy(host, native)
    return _finish(wrap_new(data, backend), requires_grad, "asarray")


def _leaves(obj: Any) -> set[type]:
    """The types of the numbers in nested sequence ``obj``."""
    if isinstance(obj, (list, tuple)):
        return set().union(*map(_leaves, obj)) if obj else set()
    return {type(obj)}


def _huge_ints(obj: Any, host: Any, d: dt.DType, given: bool) -> Any:
    """``obj``'s host array where NumPy made floats of it and a value is 2**63 or more: Python
    ints beyond int64 among other numbers, which NumPy rounded. Converted exactly to an integer
    dtype; refused for the default dtype when ``obj`` holds no float (PyTorch refuses too);
    else the floats, as before (a float among them makes them floats)."""
    from ..backends import _host

    leaves = _leaves(obj)
    if int not in leaves:
        return _checked_cast(host, d)
    if not given:
        if not leaves - {int, bool}:
            raise OutOfRangeError(
                "asarray() got Python integers outside the range of int64, the default "
                "integer dtype; pass dtype=pt.uint64 for integers up to 2**64 - 1"
            )
        return _checked_cast(host, d)  # (a float among them: floats, as inferred)
    if d.kind in ("signed integer", "unsigned integer"):
        try:
            return _host.host_array(obj, dtype=d.name)
        except (OverflowError, ValueError, TypeError):
            raise OutOfRangeError(
                f"asarray() got Python integers outside the range of {d.name}"
            ) from None
    return _checked_cast(host, d)


def _checked_cast(host: Any, d: dt.DType) -> Any:
    if dt.numpy_name(host.dtype) == d.name:
        return host
    if host.dtype.kind in "iu" and d.kind in ("signed integer", "unsigned integer"):
        info = dt.IINFO[d]
        if host.size and (host.min() < info.min or host.max() > info.max):
            raise OutOfRangeError(f"asarray() got integers outside the range of {d.name}")
    try:
        return host.astype(d.name)
    except (OverflowError, TypeError, ValueError):  # Python ints beyond int64 (object data)
        raise OutOfRangeError(
            f"asarray() got Python integers outside the range of {d.name}"
        ) from None


def from_dlpack(x: object, /, *, device: Any = None, copy: bool | None = None) -> Tensor:
    """A tensor sharing (or, with ``copy=True``, copying) the memory of a DLPack producer.

    Examples
    --------
    >>> import numpy as np, polytensor as pt
    >>> pt.from_dlpack(np.arange(3.0))
    tensor([0., 1., 2.], dtype=polytensor.float64, backend='numpy')
    """
    from ..backends import _host

    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack() expects an object with __dlpack__; got {type(x).__name__}")
    copy = check_copy("from_dlpack", copy)
    backend, native = _target(device, "from_dlpack")
    if isinstance(x, TensorBase):
        x._refuse_export("from_dlpack()", "pass x.detach()")
        if device is None:
            backend = x._backend
    if backend.lazy:
        return wrap_new(backend.from_numpy(_host.host_from_dlpack(x, copy), native), backend)
    kw: dict[str, Any] = {}
    if copy is not None:
        kw["copy"] = copy
    if native is not None:
        kw["device"] = native
    src = x._data if isinstance(x, TensorBase) and x._backend is backend else x
    return wrap_new(backend.xp.from_dlpack(src, **kw), backend)


def _meshgrid_impl(fn: Any, *arrays: Any, indexing: str) -> Any:
    return tuple(fn(*arrays, indexing=indexing))


def _meshgrid_rule(gs: Any, _outs: Any, *xs: Any, indexing: str) -> tuple[Any, ...]:
    from .statistical import sum as _sum

    result = []
    for k, g in enumerate(gs):
        axis = k
        if indexing == "xy" and len(xs) >= 2 and k < 2:
            axis = 1 - k
        result.append(_sum(g, axis=tuple(a for a in range(g.ndim) if a != axis)))
    return tuple(result)


meshgrid = op(
    "meshgrid",
    "(*arrays, indexing='xy')",
    "numeric",
    _meshgrid_rule,
    inputs=("*arrays",),
    impl=_meshgrid_impl,
    example=">>> import polytensor as pt\n>>> X, Y = pt.meshgrid(pt.arange(2.0), "
    "pt.arange(3.0))\n>>> X.shape\n(3, 2)",
)
tril: Function = op("tril", "(x, /, *, k=0)", "any", lambda g, _out, _x, k: (tril(g, k=k),))
triu: Function = op("triu", "(x, /, *, k=0)", "any", lambda g, _out, _x, k: (triu(g, k=k),))


# -- moving between backends (recorded, so gradients flow back) ----------------------------------
_MOVE = _register(
    OpDef(
        "to_backend",
        "any",
        lambda g, _out, x, **p: (_to_backend(g, x._backend, p.get("src_device")),),
    )
)


def _to_backend(x: Tensor, backend: Backend, native: Any = None) -> Tensor:
    src = x._backend
    if src.name == backend.name and (native is None or src.device_of(x._data) == native):
        return x
    data = transfer_data(x._data, src, backend, native)
    out = wrap_new(data, backend)
    if _config.GRAD_ENABLED.get():
        src_dev = src.device_of(x._data) if src.multi_device else None
        _tape.record(_MOVE, (x,), {"src_device": src_dev}, out)
    return out


from .data_types import astype  # noqa: E402
