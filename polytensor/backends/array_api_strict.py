"""array-api-strict backend: the standard's reference namespace, for checking portability."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ._backend import (
    Availability,
    Backend,
    Capabilities,
    Transfer,
    Writes,
    _host_key,
    base_root,
    flags_c_contiguous,
    generic_fmod,
    generic_scatter_add,
    strided_layout,
)
from ._from_namespace import _from_numpy  # (any array-API namespace's: asarray, copying)
from .numpy import _quiet_float_errors


def _load() -> ModuleType:
    import array_api_strict as xp

    from . import _fixes

    _fixes.install(_OVERRIDES, xp)
    _fixes.install_non_finite_svd(_OVERRIDES, xp)
    _fixes.install_zero_division(_OVERRIDES, xp, generic_fmod(xp))
    _OVERRIDES["flip"] = _fixes.copied_flip(xp)  # (writable arrays: a copy, as torch's)
    _OVERRIDES["__getitem__"] = _getitem
    _OVERRIDES["isin"] = _isin(xp)
    _OVERRIDES["take"] = _take(xp)
    _OVERRIDES["_scatter_add"] = _scatter_add
    _OVERRIDES["_quiet_float_errors"] = _quiet_float_errors  # (its arrays are NumPy's inside)
    return xp


def _isin(xp: ModuleType) -> Any:
    """array-api-strict 2.6 ignores ``invert=True`` in ``isin``."""
    raw = xp.isin

    def isin(x1: Any, x2: Any, /, *, invert: bool = False) -> Any:
        r = raw(x1, x2)
        return xp.logical_not(r) if invert else r

    return isin


def _take(xp: ModuleType) -> Any:
    """array-api-strict's ``take`` wants an axis for an N-d array and 1-d indices (what the
    standard requires); polytensor's, as NumPy's and PyTorch's ``torch.take(x, index)``, takes
    indices of any shape, into the flattened array when no axis is given."""
    raw = xp.take

    def take(x: Any, indices: Any, /, *, axis: int | None = None) -> Any:
        if axis is None:
            x, axis = xp.reshape(x, (-1,)), 0
        if indices.ndim == 1:
            return raw(x, indices, axis=axis)
        ax = axis % x.ndim
        out = raw(x, xp.reshape(indices, (-1,)), axis=ax)
        return xp.reshape(out, (*x.shape[:ax], *indices.shape, *x.shape[ax + 1 :]))

    return take


def _getitem(x: Any, key: Any) -> Any:
    """array-api-strict refuses integer arrays mixed with slices (the standard only requires
    them with integers); polytensor's gradients of take and diagonal index that way, so such
    keys are served through NumPy, on the array's device."""
    items = key if isinstance(key, tuple) else (key,)
    if all(k.__class__ in _BASIC for k in items):
        # basic indexing: with a trailing ``...`` (which the library asks for when the key
        # indexes fewer axes than the array has), a view of x's memory, 0-d results included
        return x[(*items, Ellipsis)]
    try:
        return x[key]
    except IndexError:
        import numpy as np

        host_key = tuple(_to_numpy(k) if hasattr(k, "dtype") else k for k in items)
        out = np.asarray(_to_numpy(x)[host_key if isinstance(key, tuple) else host_key[0]])
        import array_api_strict as xp

        return xp.asarray(out, device=x.device)


_BASIC = (int, slice, type(None))


def _scatter_add(g: Any, key: Any, shape: tuple[int, ...]) -> Any:
    """The gradient of ``x[key]``: array-api-strict refuses a write at a boolean mask beside
    other indices (``x[:, mask]``, ``x[0, mask]``: the standard specifies a mask only as the
    sole index), a read of which ``_getitem`` serves through NumPy; so is its gradient."""
    try:
        return generic_scatter_add(BACKEND)(g, key, shape)
    except IndexError:
        import array_api_strict as xp
        import numpy as np

        z = np.zeros(shape, dtype=_to_numpy(g).dtype)
        np.add.at(z, _host_key(key, _to_numpy), _to_numpy(g))
        return xp.asarray(z, device=g.device)


def _to_numpy(array: Any) -> Any:
    import array_api_strict as xp
    import numpy as np

    # array-api-strict exports only its CPU_DEVICE arrays (through DLPack): move the others there
    cpu = xp.Device("CPU_DEVICE")
    if array.device != cpu:
        array = array.to_device(cpu)
    # Note: a copy, as numpy() is on every backend but NumPy (DLPack would share the buffer)
    return np.from_dlpack(array, copy=True)


_OVERRIDES: dict[str, Any] = {}


def _memory_root(a: Any) -> Any:
    return base_root(a._array)  # (the NumPy array that array-api-strict's Array wraps)


def _c_contiguous(a: Any) -> bool:
    return flags_c_contiguous(a._array)


def _layout(a: Any) -> tuple[tuple[int, ...], int]:
    return strided_layout(a._array)  # (the NumPy array it wraps)


def _wrapped_view(numpy_view: Any) -> Any:
    """``numpy_view`` (NumPy's ``_diagonal_view``, ``_unfold_view`` or ``_strided_view``) for
    the NumPy array that array-api-strict's Array wraps, its result wrapped in turn (``asarray``
    without a copy), so that it stays a view of the same memory."""

    def view(a: Any, *args: Any) -> Any:
        import array_api_strict as xp

        v = numpy_view(a._array, *args)
        return None if v is None else xp.asarray(v, copy=False, device=a.device)

    return view


def _numpy_views() -> tuple[Any, Any, Any]:
    from .numpy import _diagonal_view, _strided_view, _unfold_view

    return (
        _wrapped_view(_diagonal_view),
        _wrapped_view(_unfold_view),
        _wrapped_view(_strided_view),
    )


_DIAGONAL_VIEW, _UNFOLD_VIEW, _STRIDED_VIEW = _numpy_views()


BACKEND = Backend(
    "array_api_strict",
    _load,
    overrides=_OVERRIDES,
    capabilities=Capabilities(multi_device=True),
    transfer=Transfer(to_numpy=_to_numpy, from_numpy=_from_numpy, device_of=lambda a: a.device),
    writes=Writes(
        memory_root=_memory_root,
        c_contiguous=_c_contiguous,
        layout=_layout,
        diagonal_view=_DIAGONAL_VIEW,
        unfold_view=_UNFOLD_VIEW,
        strided_view=_STRIDED_VIEW,
    ),
    availability=Availability(extra="strict"),
)
