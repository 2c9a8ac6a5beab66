"""A backend from any Array API standard namespace, with no code of its own: ``from_namespace``.

What polytensor needs to know about a library beyond its namespace is found by asking the
library when it loads: whether its arrays can be written in place (JAX's cannot: writes then
rebind, as on Dask, through the array's ``.at[...]`` where it has one), whether it has several
devices, how its arrays reach NumPy (DLPack or ``__array__``), and which of the standard's
special cases and promotions it gets wrong (``_fixes.py``: fixed over its own functions).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .._device import Device
from . import _fixes
from ._backend import Availability, Backend, Capabilities, Transfer

__all__ = ["from_namespace"]


def _probe_mutable(xp: ModuleType) -> bool:
    """Whether the library's arrays take ``a[i] = v``."""
    a = xp.zeros((2,))
    try:
        a[0] = 1.0
    except (TypeError, ValueError, NotImplementedError, AttributeError):
        return False
    return bool(a[0] == 1.0)


def _usable_devices(xp: ModuleType) -> list[Any]:
    """The devices that hold data: those the namespace lists (its default, None, aside) where
    an array can be made and read back (not torch's shape-only "meta" device)."""
    info = getattr(xp, "__array_namespace_info__", None)
    if info is None:
        return []
    usable = []
    with warnings.catch_warnings():
        # (torch 2.13 warns about a device type it lists itself, and on reading a meta array)
        warnings.simplefilter("ignore")
        try:
            listed = list(info().devices())
        except (TypeError, AttributeError, NotImplementedError):
            return []
        for d in listed:
            if d is None:
                continue
            try:
                _to_numpy(xp.zeros((1,), device=d))
            except (TypeError, ValueError, RuntimeError, NotImplementedError, BufferError):
                continue
            usable.append(d)
    return usable


def _to_numpy(array: Any) -> Any:
    import numpy as np

    # Note: copies, as numpy() is on every backend but NumPy (DLPack would share memory)
    try:
        return np.from_dlpack(array, copy=True)
    except (TypeError, BufferError, RuntimeError, AttributeError, ValueError):
        pass
    try:
        # a copy made by the library first: what DLPack cannot export as it is (torch's lazily
        # conjugated tensors) comes out materialized
        import array_api_compat

        fresh = array_api_compat.array_namespace(array).asarray(array, copy=True)
        return np.from_dlpack(fresh, copy=True)
    except (TypeError, BufferError, RuntimeError, AttributeError, ValueError):
        pass
    # through __array__ (arrays on another device); torch 2.13's __array__ takes no copy= and
    # NumPy warns that it falls back
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return np.array(array, copy=True)


def _from_numpy(backend: Backend, array: Any, device: Any) -> Any:
    xp = backend.xp
    # Note: a copy: host data moved here must not change when the NumPy array does
    if device is None:
        return xp.asarray(array, copy=True)
    return xp.asarray(array, copy=True, device=device)


def _device_of(array: Any) -> Any:
    import array_api_compat

    return array_api_compat.device(array)


def _functional_put(backend: Backend) -> Callable[..., Any]:
    """A copy of ``x`` with ``v`` at ``key`` for immutable arrays: ``x.at[key].set(v)`` where
    the arrays have JAX's ``.at``, else written on the host and moved back."""

    def put(x: Any, v: Any, key: Any) -> Any:
        at = getattr(x, "at", None)
        if at is not None:
            with contextlib.suppress(TypeError, IndexError, ValueError, NotImplementedError):
                return at[key].set(v)
        host = backend.to_numpy(x)
        host[_host_key(key, backend)] = backend.to_numpy(v) if hasattr(v, "shape") else v
        return backend.from_numpy(host, backend.device_of(x) if backend.multi_device else None)

    return put


def _host_key(key: Any, backend: Backend) -> Any:
    items = key if isinstance(key, tuple) else (key,)
    out = tuple(backend.to_numpy(k) if hasattr(k, "shape") else k for k in items)
    return out if isinstance(key, tuple) else out[0]


def from_namespace(
    name: str,
    loader: Callable[[], ModuleType],
    *,
    extra: str | None = None,
    overrides: dict[str, Callable[..., Any]] | None = None,
) -> Backend:
    """A backend for the array-API namespace that ``loader`` returns, with nothing else said.

    At load, the library is asked whether its arrays can be written in place (if not, writes
    rebind, as on Dask), and whether it has several devices (then arrays of one op must share
    a device, as on CuPy). Arrays reach NumPy through DLPack (a copy), NumPy arrays come in
    with ``asarray(..., copy=True)``. A package makes it a backend through the entry-point
    group, as any backend: ``[project.entry-points."polytensor.backends"]
    jax = "mypkg:JAX"`` with ``JAX = from_namespace("jax", load_jax_numpy)``.

    Parameters
    ----------
    name : str
        The name users select it by (``pt.set_backend(name)``).
    loader : callable
        Returns the namespace (``jax.numpy``, ``array_api_compat.torch``...); called on first
        use.
    extra : str, optional
        The pip extra that installs the library, for the message when it is missing.
    overrides : mapping, optional
        Standard function name to a callable on native arrays, for the library's gaps.

    Examples
    --------
    >>> import polytensor as pt
    >>> def load():
    ...     import array_api_strict
    ...     return array_api_strict
    >>> b = pt.backends.from_namespace("strict_again", load)
    >>> b.load().__name__, b.mutable
    ('array_api_strict', True)
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"from_namespace() expects a backend name (a non-empty str); got {name!r}")
    if not callable(loader):
        raise TypeError(
            f"from_namespace() expects loader to be a function returning the namespace; got "
            f"{type(loader).__name__}"
        )
    own: dict[str, Callable[..., Any]] = dict(overrides or {})
    backend: Backend

    def load() -> ModuleType:
        xp = loader()
        mutable = _probe_mutable(xp)
        devices = _usable_devices(xp)
        multi = len(devices) > 1
        # Flags are known only now, when the library answers: set them before the tables.
        backend.capabilities = Capabilities(mutable=mutable, multi_device=multi)
        backend.mutable = mutable
        backend.multi_device = multi
        if devices:
            backend._devices = [Device(backend, d) for d in devices]
        if not mutable and "_put" not in own:
            own["_put"] = _functional_put(backend)
        # the standard's special cases and promotions that NumPy-like libraries get wrong,
        # where this one does (JAX's floor_divide(1.0, -inf) is -1.0, its pow(int8, int16) int8)
        _fixes.install_needed(own, xp, _to_numpy)
        return xp

    backend = Backend(
        name,
        load,
        overrides=own,
        transfer=Transfer(to_numpy=_to_numpy, from_numpy=_from_numpy, device_of=_device_of),
        availability=Availability(extra=extra),
    )
    return backend
