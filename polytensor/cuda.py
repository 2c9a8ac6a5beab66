"""PyTorch's ``torch.cuda`` questions, answered by the CuPy backend.

Examples
--------
>>> import polytensor as pt
>>> device = pt.device("cuda" if pt.cuda.is_available() else "cpu")
>>> pt.ones(2, device=device).device == device
True
"""

from __future__ import annotations

from typing import Any

from . import backends

__all__ = ["amp", "device_count", "is_available"]


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


class _Amp:
    """``pt.cuda.amp``: PyTorch's older spellings of ``pt.amp`` for CUDA,
    ``torch.cuda.amp.autocast()`` and ``torch.cuda.amp.GradScaler()`` (which, without a CUDA
    device, turns itself off as PyTorch's does).

    Examples
    --------
    >>> import warnings
    >>> import polytensor as pt
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     scaler = pt.cuda.amp.GradScaler()
    >>> scaler.is_enabled() == pt.cuda.is_available()
    True
    """

    @staticmethod
    def autocast(enabled: bool = True, dtype: Any = None, cache_enabled: bool = True) -> Any:
        """``pt.autocast("cuda", dtype, enabled, cache_enabled)``."""
        from . import amp

        return amp.autocast("cuda", dtype, enabled, cache_enabled)

    @staticmethod
    def GradScaler(
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> Any:
        """``pt.amp.GradScaler("cuda", ...)``."""
        from . import amp

        return amp.GradScaler(
            "cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled
        )


amp = _Amp()
