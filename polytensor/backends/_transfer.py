"""Moving native arrays between backends and devices: DLPack where both sides can, else via
host memory."""

from __future__ import annotations

from typing import Any

from ._backend import Backend

__all__ = ["transfer_data"]


def transfer_data(data: Any, source: Backend, target: Backend, device: Any = None) -> Any:
    """Native ``data`` of ``source`` as a native array of ``target`` on ``device``."""
    if source.name == target.name:
        if device is None or source.device_of(data) == device:
            return data
        # the standard's asarray copies to another device (array-api-compat's CuPy one under
        # that device's context)
        return target.xp.asarray(data, device=device)
    if not source.lazy and not target.lazy:
        # Note: a copy, as PyTorch's .to() of another device: the two backends' tensors must
        # not change together (DLPack alone would share the buffer)
        kw: dict[str, Any] = {"copy": True}
        if device is not None:
            kw["device"] = device
        try:
            return target.xp.from_dlpack(data, **kw)
        except (BufferError, TypeError, ValueError, RuntimeError, NotImplementedError):
            pass  # different devices or no DLPack support: go through host memory
    return target.from_numpy(source.to_numpy(data), device)
