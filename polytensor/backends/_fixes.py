"""Fixes for special cases that NumPy-based libraries get wrong, written over a namespace."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any


def floor_divide(xp: ModuleType) -> Callable[[Any, Any], Any]:
    """NumPy's ``floor_divide`` follows Python's ``//`` for infinities (``inf // 2`` is nan,
    ``1 // -inf`` is -1); the standard wants ``floor(x1 / x2)`` there (+inf, -0)."""
    raw = xp.floor_divide

    def fixed(x1: Any, x2: Any) -> Any:
        r = raw(x1, x2)
        if not xp.isdtype(r.dtype, "real floating"):
            return r
        inf = xp.isinf(x1) | xp.isinf(x2)
        return xp.where(inf, xp.floor(xp.divide(x1, x2)), r)

    return fixed


def expm1(xp: ModuleType) -> Callable[[Any], Any]:
    """NumPy's complex ``expm1`` returns nan for infinite and nan parts where the standard
    wants the special cases of ``exp(x) - 1`` (``expm1(+inf + 0j)`` is ``+inf + 0j``)."""
    raw = xp.expm1

    def fixed(x: Any) -> Any:
        r = raw(x)
        if not xp.isdtype(r.dtype, "complex floating"):
            return r
        return xp.where(xp.isfinite(x), r, xp.exp(x) - 1)

    return fixed


def install(overrides: dict[str, Any], xp: ModuleType) -> None:
    """Put the fixes of this module into a backend's ``overrides``."""
    overrides["floor_divide"] = floor_divide(xp)
    overrides["expm1"] = expm1(xp)
