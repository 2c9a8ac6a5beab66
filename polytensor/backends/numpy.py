"""NumPy backend (the default): eager, mutable, host memory shared with ``numpy()``."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ._backend import Backend


def _load() -> ModuleType:
    import array_api_compat.numpy as xp

    from . import _fixes

    _fixes.install(_OVERRIDES, xp)
    return xp  # type: ignore[no-any-return]


def _as_array(value: Any) -> Any:
    # NumPy ufuncs return NumPy scalars for 0-d inputs; the standard wants 0-d arrays.
    import numpy as np

    return np.asarray(value)


def _from_numpy(backend: Backend, array: Any, device: Any) -> Any:
    return array  # shares memory: pt.from_numpy(a) and t.numpy() are views of one buffer


def _to_numpy(array: Any) -> Any:
    return array


_OVERRIDES: dict[str, Any] = {}

BACKEND = Backend("numpy", _load, overrides=_OVERRIDES, as_array=_as_array,
                  from_numpy=_from_numpy, to_numpy=_to_numpy, device_of=lambda a: "cpu")
