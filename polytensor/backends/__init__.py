"""Backend registry: every backend, built-in or not, comes from the ``polytensor.backends``
entry-point group, exactly as a third-party package would register one.

Examples
--------
>>> import polytensor as pt
>>> "numpy" in pt.backends.names()
True
"""

from __future__ import annotations

from typing import Any

from .._device import Device
from ._backend import (
    Availability,
    Backend,
    BackendUnavailable,
    Capabilities,
    LazyOps,
    Transfer,
    Writes,
    base_root,
    flags_c_contiguous,
    set_read_along,
    strided_layout,
)
from ._from_namespace import from_namespace
from ._library_flags import cudnn, mps

__all__ = [
    "Availability",
    "Backend",
    "BackendUnavailable",
    "Capabilities",
    "LazyOps",
    "Transfer",
    "Writes",
    "all_devices",
    "available",
    "base_root",
    "cudnn",
    "flags_c_contiguous",
    "from_namespace",
    "get",
    "mps",
    "names",
    "register",
    "set_read_along",
    "strided_layout",
]

_REGISTRY: dict[str, Backend] | None = None
_LOAD_ERRORS: dict[str, str] = {}


def _registry() -> dict[str, Backend]:
    global _REGISTRY
    if _REGISTRY is None:
        # Imported here, on the first use of a backend: importlib.metadata (with the email
        # and zipfile modules it loads) would be a good part of `import polytensor`'s time.
        from importlib.metadata import entry_points

        reg: dict[str, Backend] = {}
        eps = entry_points(group="polytensor.backends")
        for ep in eps:
            if ep.name in reg:
                continue
            try:
                backend = ep.load()
            except Exception as e:  # noqa: BLE001 - a broken plug-in must not break polytensor
                _LOAD_ERRORS[ep.name] = f"entry point {ep.value} failed to load: {e}"
                continue
            if not isinstance(backend, Backend):
                _LOAD_ERRORS[ep.name] = (
                    f"entry point {ep.value} is a "
                    f"{type(backend).__name__}, not a polytensor Backend"
                )
                continue
            reg[ep.name] = backend
        if not reg and not _LOAD_ERRORS:
            raise RuntimeError(
                "no polytensor backends are registered: the 'polytensor.backends' entry-point "
                "group is empty, so polytensor is not installed; run `pip install -e .` in the "
                "project (or `pip install polytensor`)"
            )
        _REGISTRY = reg
    return _REGISTRY


def register(backend: Backend) -> None:
    """Register ``backend`` at run time (packages normally use the entry-point group).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.backends.register(pt.backends.get("numpy"))
    """
    if not isinstance(backend, Backend):
        raise TypeError(
            f"register() expects a polytensor.backends.Backend; got {type(backend).__name__}"
        )
    _registry()[backend.name] = backend


def names() -> list[str]:
    """Names of every registered backend, available or not.

    Examples
    --------
    >>> import polytensor as pt
    >>> sorted(pt.backends.names())[:2]
    ['array_api_strict', 'cupy']
    """
    return list(_registry()) + [n for n in _LOAD_ERRORS if n not in _registry()]


def get(name: str | Backend, **options: Any) -> Backend:
    """The backend called ``name``, loaded, with ``options`` applied.

    Raises ``ValueError`` for an unknown name and ``BackendUnavailable`` (an ``ImportError``)
    when its library or device is missing.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.backends.get("numpy").name
    'numpy'
    """
    if isinstance(name, Backend):
        return name.configure(**options)
    if not isinstance(name, str):
        raise TypeError(f"get() expects a backend name (str); got {type(name).__name__}")
    reg = _registry()
    backend = reg.get(name)
    if backend is None:
        if name in _LOAD_ERRORS:
            raise BackendUnavailable(f"backend {name!r} is unavailable: {_LOAD_ERRORS[name]}")
        raise ValueError(
            f"unknown backend {name!r}; registered backends are {', '.join(sorted(reg))}"
        )
    try:
        backend.load()
    except BackendUnavailable as e:
        raise BackendUnavailable(f"backend {name!r} is unavailable: {e}") from None
    return backend.configure(**options)


def available() -> dict[str, str]:
    """Every registered backend with its status: ``"available"`` or why it is not.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.backends.available()["numpy"]
    'available'
    """
    out = {name: b.status()[1] for name, b in _registry().items()}
    out.update({n: e for n, e in _LOAD_ERRORS.items() if n not in out})
    return out


def all_devices() -> list[Device]:
    """Every device of every available backend.

    Examples
    --------
    >>> import polytensor as pt
    >>> "numpy:cpu" in [str(d) for d in pt.backends.all_devices()]
    True
    """
    devices: list[Device] = []
    for b in _registry().values():
        if b.status()[0]:
            devices.extend(b.devices())
    return devices
