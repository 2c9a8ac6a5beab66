"""Context-local settings: the current backend, grad mode and default dtypes.

Each is a ``contextvars.ContextVar``, so threads and asyncio tasks each see their own value.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from . import _dtypes as dt
from . import backends
from ._device import Device, Unavailable, native_name, set_resolver

if TYPE_CHECKING:
    from .backends import Backend

__all__ = [
    "get_backend",
    "get_default_dtype",
    "parse_device",
    "set_backend",
    "set_default_dtype",
    "use_backend",
]

_BACKEND: ContextVar[Backend | None] = ContextVar("polytensor_backend", default=None)
GRAD_ENABLED: ContextVar[bool] = ContextVar("polytensor_grad_enabled", default=True)
DEFAULT_FLOAT: ContextVar[dt.DType] = ContextVar("polytensor_default_float", default=dt.float32)
DEFAULT_INT = dt.int64
DEFAULT_INDEX = dt.int64

_process_default: Backend | None = None


def _env_default() -> Backend:
    global _process_default
    if _process_default is None:
        name = os.environ.get("POLYTENSOR_BACKEND", "").strip() or "numpy"
        try:
            _process_default = backends.get(name)
        except (ValueError, ImportError) as e:
            raise type(e)(f"POLYTENSOR_BACKEND={name!r}: {e}") from e
    return _process_default


def get_backend() -> Backend:
    """Return the backend that new tensors are created on in this context.

    It is, in order: the innermost ``use_backend`` block, the last ``set_backend`` call, the
    ``POLYTENSOR_BACKEND`` environment variable, ``numpy``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.get_backend().name
    'numpy'
    """
    b = _BACKEND.get()
    return b if b is not None else _env_default()


def set_backend(name: str | Backend, **options: Any) -> Backend:
    """Make ``name`` the backend of new tensors in this context, with backend ``options``.

    Examples
    --------
    >>> import polytensor as pt
    >>> b = pt.set_backend("numpy")
    >>> pt.ones(2).device
    Device('numpy:cpu')
    """
    b = backends.get(name, **options)
    _BACKEND.set(b)
    return b


@contextmanager
def use_backend(name: str | Backend, **options: Any) -> Iterator[Backend]:
    """Use backend ``name`` (with ``options``) for new tensors inside a ``with`` block.

    Examples
    --------
    >>> import polytensor as pt
    >>> with pt.use_backend("numpy") as b:
    ...     print(pt.zeros(1).device)
    numpy:cpu
    """
    b = backends.get(name, **options)
    token = _BACKEND.set(b)
    try:
        yield b
    finally:
        _BACKEND.reset(token)


def set_default_dtype(dtype: dt.DType) -> None:
    """Set the default floating-point dtype (float32 unless changed).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.set_default_dtype(pt.float64)
    >>> pt.asarray(1.5).dtype
    polytensor.float64
    >>> pt.set_default_dtype(pt.float32)
    """
    if dtype not in (dt.float32, dt.float64):
        raise TypeError(
            f"set_default_dtype() expects polytensor.float32 or polytensor.float64; got {dtype!r}"
        )
    DEFAULT_FLOAT.set(dtype)


def get_default_dtype() -> dt.DType:
    """Return the default floating-point dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.get_default_dtype()
    polytensor.float32
    """
    return DEFAULT_FLOAT.get()


def parse_device(device: Any, where: str) -> tuple[Backend, Any]:
    """Resolve a ``device=`` argument to ``(backend, native device or None)``.

    Accepts a ``Device``, a backend name (``"dask"``), ``"<backend>:<device>"``,
    PyTorch's ``"cpu"`` (the current backend when it is a CPU one, else NumPy) and
    ``"cuda"``/``"cuda:N"`` (CuPy), or a native device object of the current backend.
    """
    if isinstance(device, Device):
        if isinstance(device.backend, Unavailable):  # (pt.device("cuda") without CUDA)
            raise RuntimeError(f"{where}(): {device.backend.message}")  # noqa: TRY004  (PyTorch's)
        return device.backend, device.native
    if isinstance(device, str):
        text = device.strip()
        if text == "cpu":
            # Note: PyTorch's "cpu" is the current backend's CPU (a program written for
            # torch.device("cpu") runs on Dask unchanged); from a GPU backend it is NumPy.
            current = get_backend()
            if native_name(current.default_device().native).startswith("cuda"):
                return backends.get("numpy"), None
            return current, None
        if text.startswith("cuda"):
            b = backends.get("cupy")
            index = int(text.split(":", 1)[1]) if ":" in text else 0
            return b, _find_native(b, f"cuda:{index}", where, device)
        name, _, rest = text.partition(":")
        if name not in backends.names():
            raise ValueError(
                f"{where}() got unknown device {device!r}; expected one of "
                f"{', '.join(str(d) for d in backends.all_devices())}, a backend name, "
                f"'cpu' or 'cuda:N'"
            )
        b = backends.get(name)
        current = get_backend()
        if current.name == name:  # keep the options of a configured current backend (chunks=)
            b = current
        return b, (_find_native(b, rest, where, device) if rest else None)
    current = get_backend()
    for d in current.devices():
        # (of one type first: an array's == is element-wise, not a truth value)
        if type(d.native) is type(device) and d.native == device:
            return current, device
    raise ValueError(
        f"{where}() got device {device!r} of type {type(device).__name__}; "
        f"expected a polytensor Device or a string such as 'numpy:cpu'"
    )


set_resolver(parse_device)


def _find_native(b: Backend, name: str, where: str, original: str) -> Any:
    for d in b.devices():
        if native_name(d.native) == name:
            return d.native
    raise ValueError(
        f"{where}() got device {original!r}; backend {b.name!r} has devices "
        f"{', '.join(str(d) for d in b.devices())}"
    )
