"""``__array_namespace_info__()``: what the current backend can do, in the standard's terms."""

from __future__ import annotations

from typing import Any

from . import _config
from . import _dtypes as dt
from ._config import parse_device
from ._device import Device

__all__ = ["Info", "__array_namespace_info__"]


class Info:
    """The standard's inspection namespace for polytensor.

    Examples
    --------
    >>> import polytensor as pt
    >>> info = pt.__array_namespace_info__()
    >>> info.default_dtypes()["real floating"]
    polytensor.float32
    """

    def capabilities(self) -> dict[str, Any]:
        """The current backend's capabilities (boolean indexing, data-dependent shapes, ...)."""
        b = _config.get_backend()
        caps = dict(b.xp.__array_namespace_info__().capabilities())
        caps.setdefault("max dimensions", None)
        return caps

    def default_device(self) -> Device:
        """The device new tensors go to: the current backend's default device."""
        return _config.get_backend().default_device()

    def default_dtypes(self, *, device: Any = None) -> dict[str, dt.DType]:
        """polytensor's default dtypes (the same on every device)."""
        if device is not None:
            parse_device(device, "default_dtypes")
        f = _config.DEFAULT_FLOAT.get()
        return {
            "real floating": f,
            "complex floating": dt.complex64 if f is dt.float32 else dt.complex128,
            "integral": _config.DEFAULT_INT,
            "indexing": _config.DEFAULT_INDEX,
        }

    def devices(self) -> tuple[Device, ...]:
        """Every device of every available backend."""
        from . import backends

        return tuple(backends.all_devices())

    def dtypes(
        self, *, device: Any = None, kind: str | tuple[str, ...] | None = None
    ) -> dict[str, dt.DType]:
        """The dtypes of ``kind`` (a kind name or tuple of them) supported on ``device``."""
        if device is not None:
            backend, native = parse_device(device, "dtypes")
        else:
            backend, native = _config.get_backend(), None
        names = (
            set(backend.xp.__array_namespace_info__().dtypes(device=native))
            if native is not None
            else None
        )
        supported = [
            d
            for d in dt.ALL_DTYPES
            if d in backend.to_native and (names is None or d.name in names)
        ]
        if kind is None:
            return {d.name: d for d in supported}
        kinds = kind if isinstance(kind, tuple) else (kind,)
        for k in kinds:
            if k not in dt.KINDS:
                raise ValueError(
                    f"dtypes() got unknown kind {k!r}; expected one of {', '.join(dt.KINDS)}"
                )
        return {d.name: d for d in supported if any(d in dt.KINDS[k] for k in kinds)}


_INFO = Info()


def __array_namespace_info__() -> Info:
    """The standard's inspection namespace.

    Examples
    --------
    >>> import polytensor as pt
    >>> str(pt.__array_namespace_info__().default_device())
    'numpy:cpu'
    """
    return _INFO
