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
