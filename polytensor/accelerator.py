"""PyTorch's ``torch.accelerator`` questions (PyTorch 2.6 and later), answered by the CuPy
backend: the accelerator is CUDA's when CuPy can be used, and there is none otherwise.

Examples
--------
>>> import polytensor as pt
>>> device = pt.accelerator.current_accelerator().type if pt.accelerator.is_available() else "cpu"
>>> pt.ones(2, device=device).device.type == device
True
"""

from __future__ import annotations

from typing import Any

from . import cuda

__all__ = ["current_accelerator", "device_count", "is_available"]


def is_available() -> bool:
    """Whether an accelerator can be used: the CuPy backend, with a CUDA device.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.accelerator.is_available() == pt.cuda.is_available()
    True
    """
    return cuda.is_available()


def current_accelerator() -> Any:
    """The accelerator's device type, ``pt.device("cuda")``, or None when there is none.

    Examples
    --------
    >>> import polytensor as pt
    >>> acc = pt.accelerator.current_accelerator()
    >>> acc is None or acc.type == "cuda"
    True
    """
    if not is_available():
        return None
    from . import device

    return device("cuda")


def device_count() -> int:
    """The number of accelerator devices (CUDA devices of the CuPy backend; 0 without one).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.accelerator.device_count() == pt.cuda.device_count()
    True
    """
    return cuda.device_count()
