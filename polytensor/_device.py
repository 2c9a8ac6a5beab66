"""Devices: a backend and one of that backend's devices (``numpy:cpu``, ``cupy:cuda:0``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backends import Backend

__all__ = ["Device", "parse_device"]


def _native_name(native: Any) -> str:
    dev_id = getattr(native, "id", None)
    if isinstance(dev_id, int):  # cupy.cuda.Device
        return f"cuda:{dev_id}"
    name = getattr(native, "_device", None)  # array_api_strict.Device
    if isinstance(name, str):
        return name
    return str(native)


class Device:
    """A place tensors live: a backend and that backend's native device.

    ``str(device)`` is ``"<backend>:<device>"``; the standard's ``device=`` arguments and
    ``to_device()`` accept these objects and their strings.

    Examples
    --------
    >>> import polytensor as pt
    >>> d = pt.ones(2).device
    >>> str(d), d.backend.name
    ('numpy:cpu', 'numpy')
    >>> d == "numpy:cpu"
    True
    """

    __slots__ = ("backend", "native", "_name")

    def __init__(self, backend: Backend, native: Any) -> None:
        self.backend = backend
        self.native = native
        self._name = f"{backend.name}:{_native_name(native)}"

    def __str__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"Device({self._name!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Device):
            return self._name == other._name
        if isinstance(other, str):
            return self._name == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._name)


def parse_device(device: Any, where: str) -> tuple[Backend, Any]:
    """Resolve a ``device=`` argument to ``(backend, native device or None)``.

    Accepts a ``Device``, a backend name (``"dask"``), ``"<backend>:<device>"``,
    PyTorch's ``"cpu"`` (the NumPy backend) and ``"cuda"``/``"cuda:N"`` (CuPy), or a native
    device object of the current backend.
    """
    from . import backends
    from ._config import get_backend

    if isinstance(device, Device):
        return device.backend, device.native
    if isinstance(device, str):
        text = device.strip()
        if text == "cpu":
            return backends.get("numpy"), None
        if text.startswith("cuda"):
            b = backends.get("cupy")
            index = int(text.split(":", 1)[1]) if ":" in text else 0
            return b, _find_native(b, f"cuda:{index}", where, device)
        name, _, rest = text.partition(":")
        if name not in backends.names():
            raise ValueError(
                f"{where}() got unknown device {device!r}; expected one of "
                f"{', '.join(str(d) for d in backends.all_devices())}, a backend name, "
                f"'cpu' or 'cuda:N'")
        b = backends.get(name)
        current = get_backend()
        if current.name == name:  # keep the options of a configured current backend (chunks=)
            b = current
        return b, (_find_native(b, rest, where, device) if rest else None)
    current = get_backend()
    for d in current.devices():
        if d.native == device:
            return current, device
    raise ValueError(f"{where}() got device {device!r} of type {type(device).__name__}; "
                     f"expected a polytensor Device or a string such as 'numpy:cpu'")


def _find_native(b: Backend, name: str, where: str, original: str) -> Any:
    for d in b.devices():
        if _native_name(d.native) == name:
            return d.native
    raise ValueError(f"{where}() got device {original!r}; backend {b.name!r} has devices "
                     f"{', '.join(str(d) for d in b.devices())}")
