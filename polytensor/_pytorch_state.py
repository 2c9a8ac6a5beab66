"""PyTorch's process-wide settings that programs call: ``get_rng_state``/``set_rng_state`` (the
default generator's state as a tensor of bytes) and ``set_num_threads``/``get_num_threads``."""

from __future__ import annotations

import operator
import os
import threading
from typing import TYPE_CHECKING, Any

from . import _dtypes as dt
from ._ops.creation import asarray
from ._random import default_generator
from ._tensor_base import TensorBase

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "get_default_device",
    "get_float32_matmul_precision",
    "get_num_threads",
    "get_rng_state",
    "set_default_device",
    "set_float32_matmul_precision",
    "set_num_threads",
    "set_rng_state",
]

_STATE_BYTES = 16  # (the seed, then the number of draws made since: 8 bytes each, little-endian)


def get_rng_state() -> Tensor:
    """PyTorch's ``torch.get_rng_state()``: the default generator's state, as a uint8 tensor
    (on the current backend) that ``set_rng_state`` takes back: the numbers drawn after it is
    restored repeat those drawn after it was taken.

    Examples
    --------
    >>> import polytensor as pt
    >>> state = pt.get_rng_state()
    >>> a = pt.rand(3)
    >>> pt.set_rng_state(state)
    >>> bool((pt.rand(3) == a).all())
    True
    """
    state = default_generator.get_state()
    raw = int(state["seed"]).to_bytes(8, "little") + int(state["draws"]).to_bytes(8, "little")
    return asarray(list(raw), dtype=dt.uint8)


def set_rng_state(new_state: Tensor) -> None:
    """PyTorch's ``torch.set_rng_state(new_state)``: restore the default generator's state
    from a tensor that ``get_rng_state`` gave.

    Examples
    --------
    >>> import polytensor as pt
    >>> _ = pt.manual_seed(7)
    >>> state = pt.get_rng_state()
    >>> a = pt.randn(2)
    >>> pt.set_rng_state(state)
    >>> bool((pt.randn(2) == a).all())
    True
    """
    if not isinstance(new_state, TensorBase) or new_state.dtype is not dt.uint8:
        got = new_state.dtype.name if isinstance(new_state, TensorBase) else type(new_state)
        raise TypeError(
            f"set_rng_state() expects a uint8 tensor from pt.get_rng_state(); got {got}"
        )
    if tuple(new_state.shape) != (_STATE_BYTES,):
        raise RuntimeError(
            f"set_rng_state() expects the {_STATE_BYTES} bytes pt.get_rng_state() gives; got "
            f"a tensor of shape {tuple(new_state.shape)}"
        )
    raw = bytes(new_state.tolist())
    default_generator.set_state(
        {
            "bit_generator": "Philox",
            "seed": int.from_bytes(raw[:8], "little"),
            "draws": int.from_bytes(raw[8:], "little"),
        }
    )


_THREADS: dict[str, int] = {}
_THREADS_LOCK = threading.Lock()


def _cores() -> int:
    affinity: Any = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def set_num_threads(num: int) -> None:
    """PyTorch's ``torch.set_num_threads(num)``: records ``num`` (a positive int), which
    ``get_num_threads`` returns from then on.

    polytensor runs no thread pool of its own, and this does not change the threads the
    backends' libraries use (NumPy's BLAS, Dask's scheduler): limit those with
    ``threadpoolctl.threadpool_limits(num)`` or the ``OMP_NUM_THREADS`` /
    ``OPENBLAS_NUM_THREADS`` environment variables set before Python starts, and Dask's with
    its ``num_workers`` option.

    Examples
    --------
    >>> import polytensor as pt
    >>> before = pt.get_num_threads()
    >>> pt.set_num_threads(2)
    >>> pt.get_num_threads()
    2
    >>> pt.set_num_threads(before)
    """
    try:
        n = operator.index(num)
    except TypeError:
        raise TypeError(f"set_num_threads() expects a positive int; got {num!r}") from None
    if n <= 0:
        raise RuntimeError(f"set_num_threads() expects a positive int; got {n}")
    with _THREADS_LOCK:
        _THREADS["num"] = n


def get_num_threads() -> int:
    """PyTorch's ``torch.get_num_threads()``: the number ``set_num_threads`` recorded, or
    else the number of CPU cores this process may run on (see ``set_num_threads`` for what
    the number does not control).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.get_num_threads() >= 1
    True
    """
    with _THREADS_LOCK:
        n = _THREADS.get("num")
    return n if n is not None else _cores()


_MATMUL_PRECISIONS = ("highest", "high", "medium")
_MATMUL_PRECISION = ["highest"]


def set_float32_matmul_precision(precision: str) -> None:
    """PyTorch's ``torch.set_float32_matmul_precision(precision)``: records ``"highest"``,
    ``"high"`` or ``"medium"``, which ``get_float32_matmul_precision`` returns. polytensor's
    float32 products are always computed in float32 (the backends' BLAS), which is PyTorch's
    ``"highest"``: the setting lets a program written for PyTorch run and changes no result.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.set_float32_matmul_precision("high")
    >>> pt.get_float32_matmul_precision()
    'high'
    >>> pt.set_float32_matmul_precision("highest")
    """
    if precision not in _MATMUL_PRECISIONS:
        raise RuntimeError(
            f"set_float32_matmul_precision() expects one of 'highest', 'high', 'medium'; got "
            f"{precision!r}"
        )
    _MATMUL_PRECISION[0] = precision


def get_float32_matmul_precision() -> str:
    """The precision ``set_float32_matmul_precision`` recorded (``"highest"`` at first).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.get_float32_matmul_precision() in ("highest", "high", "medium")
    True
    """
    return _MATMUL_PRECISION[0]


def set_default_device(device: Any) -> None:
    """PyTorch's ``torch.set_default_device(device)``: new tensors are made on ``device``'s
    backend from then on in this context (``"cpu"``: the current backend's CPU device;
    ``"cuda"``: CuPy's; a ``pt.device``; a backend name such as ``"dask"``); None goes back to
    NumPy, PyTorch's default. The same as ``pt.set_backend`` with the device's backend.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.set_default_device("dask")
    >>> pt.ones(2).device.backend.name
    'dask'
    >>> pt.set_default_device(None)
    >>> pt.get_default_device()
    Device('numpy:cpu')
    """
    from . import _config
    from ._device import Device

    if device is None:
        _config.set_backend("numpy")
        return
    if not isinstance(device, (str, Device)):
        raise TypeError(
            f"set_default_device() expects a device (pt.device('cpu'), 'cuda', 'dask') or "
            f"None; got {type(device).__name__}"
        )
    _config.set_backend(Device(device).backend.name)


def get_default_device() -> Any:
    """PyTorch's ``torch.get_default_device()``: the device new tensors are made on, the
    current backend's first.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.get_default_device().type
    'cpu'
    """
    from . import _config

    return _config.get_backend().devices()[0]
