"""Devices: a backend and one of that backend's devices (``numpy:cpu``, ``cupy:cuda:0``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backends import Backend

__all__ = ["Device", "native_name"]


def native_name(native: Any) -> str:
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

    __slots__ = ("_name", "backend", "native")

    def __init__(self, backend: Backend, native: Any) -> None:
        self.backend = backend
        self.native = native
        self._name = f"{backend.name}:{native_name(native)}"

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
