"""PyTorch's ``torch.cuda`` questions, answered by the CuPy backend.

Examples
--------
>>> import polytensor as pt
>>> device = pt.device("cuda" if pt.cuda.is_available() else "cpu")
>>> pt.ones(2, device=device).device == device
True
"""

from __future__ import annotations

from . import backends

__all__ = ["device_count", "is_available"]


def is_available() -> bool:
    """Whether the CuPy backend can be used: CuPy installed and a CUDA device present.

    Examples
    --------
    >>> import polytensor as pt
    >>> isinstance(pt.cuda.is_available(), bool)
    True
    """
    try:
        backends.get("cupy")
    except (ValueError, ImportError):  # not registered, CuPy missing, or no CUDA device
        return False
    return True


def device_count() -> int:
    """The number of CUDA devices the CuPy backend has (0 when it cannot be used).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cuda.device_count() >= 0
    True
    """
    if not is_available():
        return 0
    return len(backends.get("cupy").devices())
