"""Dask backend: results are lazy task graphs; nothing here may compute them.

Options: ``chunks`` (how ``from_numpy``/``to("dask")`` split host data; default ``"auto"``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ._backend import Backend


def _load() -> ModuleType:
    import array_api_compat.dask.array as xp

    from . import _fixes

    _fixes.install(_OVERRIDES, xp)
    return xp  # type: ignore[no-any-return]


def _to_numpy(array: Any) -> Any:
    import numpy as np

    return np.asarray(array.compute())


def _from_numpy(backend: Backend, array: Any, device: Any) -> Any:
    import dask.array as da

    return da.from_array(array, chunks=backend.options.get("chunks", "auto"))


_OVERRIDES: dict[str, Any] = {}

BACKEND = Backend("dask", _load, overrides=_OVERRIDES, lazy=True, mutable=False,
                  options=("chunks",), to_numpy=_to_numpy, from_numpy=_from_numpy,
                  device_of=lambda a: "cpu")
