"""CuPy backend: eager, mutable arrays in NVIDIA GPU memory."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ._backend import (
    Availability,
    Backend,
    BackendUnavailable,
    Capabilities,
    Transfer,
    Writes,
    base_root,
    flags_c_contiguous,
    generic_strong_zero,
    strided_layout,
)


def _cuda_device_count() -> int:
    """CUDA devices seen by the driver, asked through libcuda without importing CuPy."""
    import ctypes

    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return 0
    count = ctypes.c_int(0)
    if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return 0
    return count.value


def _load() -> ModuleType:
    if _cuda_device_count() == 0:
        raise BackendUnavailable("no CUDA device (the CUDA driver reports none)")
    import array_api_compat.cupy as xp  # imports cupy; ImportError when it is missing

    from . import _fixes

    _fixes.install(_OVERRIDES, xp)
    _OVERRIDES["flip"] = _fixes.copied_flip(xp)  # (writable arrays: a copy, as torch's)
    # pow's and square's strong zero always takes the where: testing the product for finite
    # values first would make the host wait for the GPU (bool() of a reduction) in every backward
    _OVERRIDES["_strong_zero"] = generic_strong_zero(xp, all_finite=None)
    return xp


def _probe() -> str | None:
    try:
        import cupy

        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # noqa: BLE001 - CUDA driver or runtime missing, in any form
        return f"no CUDA device ({type(e).__name__}: {e})"
    return None if count > 0 else "no CUDA device"


def _to_numpy(array: Any) -> Any:
    return array.get()


def _from_numpy(backend: Backend, array: Any, device: Any) -> Any:
    import cupy

    if device is None:
        return cupy.asarray(array)
    with device:
        return cupy.asarray(array)


_OVERRIDES: dict[str, Any] = {}


def _owns_data(a: Any) -> bool:
    return a.base is None  # CuPy arrays are always writable


BACKEND = Backend(
    "cupy",
    _load,
    overrides=_OVERRIDES,
    capabilities=Capabilities(multi_device=True, bit_views=True),
    transfer=Transfer(to_numpy=_to_numpy, from_numpy=_from_numpy, device_of=lambda a: a.device),
    writes=Writes(
        owns_data=_owns_data,
        memory_root=base_root,
        c_contiguous=flags_c_contiguous,
        layout=strided_layout,
    ),
    availability=Availability(extra="cupy", probe=_probe),
)
