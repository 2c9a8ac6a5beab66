"""Fixes for special cases that NumPy-based libraries get wrong, written over a namespace."""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any


def _natives(xp: ModuleType, *names: str) -> frozenset[Any]:
    # The namespace's own dtype objects, for a cheap membership test (xp.isdtype costs ~1 us).
    return frozenset(xp.empty((0,), dtype=getattr(xp, n)).dtype for n in names)


def _isinf(xp: ModuleType, v: Any) -> Any:
    return math.isinf(v) if isinstance(v, (int, float)) else xp.isinf(v)


def floor_divide(xp: ModuleType) -> Callable[[Any, Any], Any]:
    """NumPy's ``floor_divide`` follows Python's ``//`` for infinities (``inf // 2`` is nan,
    ``1 // -inf`` is -1); the standard wants ``floor(x1 / x2)`` there (+inf, -0)."""
    raw = xp.floor_divide
    real = _natives(xp, "float32", "float64")

    def fixed(x1: Any, x2: Any) -> Any:
        r = raw(x1, x2)
        if r.dtype not in real:
            return r
        inf = _isinf(xp, x1) | _isinf(xp, x2)
        return xp.where(inf, xp.floor(xp.divide(x1, x2)), r)

    return fixed


def expm1(xp: ModuleType) -> Callable[[Any], Any]:
    """NumPy's complex ``expm1`` returns nan for infinite and nan parts where the standard
    wants the special cases of ``exp(x) - 1`` (``expm1(+inf + 0j)`` is ``+inf + 0j``)."""
    raw = xp.expm1
    cplx = _natives(xp, "complex64", "complex128")

    def fixed(x: Any) -> Any:
        r = raw(x)
        if r.dtype not in cplx:
            return r
        r = xp.where(xp.isfinite(x), r, xp.exp(x) - 1)
        # expm1(-0 + 0j) is -0 + 0j in NumPy; the standard says 0 + 0j
        plus_zero = (x == 0) & ~xp.signbit(xp.imag(x))
        return xp.where(plus_zero, xp.zeros_like(r), r)

    return fixed


def tanh(xp: ModuleType) -> Callable[[Any], Any]:
    """NumPy's complex ``tanh(+inf + yj)`` is ``1 + 0j * sin(2y)`` (so ``1 - 0j`` for some
    finite y > 0); the standard says ``1 + 0j``."""
    raw = xp.tanh
    cplx = _natives(xp, "complex64", "complex128")

    def fixed(x: Any) -> Any:
        r = raw(x)
        if r.dtype not in cplx:
            return r
        re, im = xp.real(x), xp.imag(x)
        case = (re == xp.inf) & xp.isfinite(im) & (im > 0)
        return xp.where(case, xp.ones_like(r), r)

    return fixed


def sign(xp: ModuleType) -> Callable[[Any], Any]:
    """NumPy's complex ``sign(-0 - 0j)`` is ``-0 + 0j``; the standard says ``0 + 0j``."""
    raw = xp.sign
    cplx = _natives(xp, "complex64", "complex128")

    def fixed(x: Any) -> Any:
        r = raw(x)
        if r.dtype not in cplx:
            return r
        return xp.where(x == 0, xp.zeros_like(r), r)

    return fixed


def install(overrides: dict[str, Any], xp: ModuleType) -> None:
    """Put the fixes of this module into a backend's ``overrides``."""
    overrides["floor_divide"] = floor_divide(xp)
    overrides["expm1"] = expm1(xp)
    overrides["tanh"] = tanh(xp)
    overrides["sign"] = sign(xp)
