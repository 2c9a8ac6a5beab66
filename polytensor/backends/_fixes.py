"""Fixes for special cases that NumPy-based libraries get wrong, written over a namespace."""

from __future__ import annotations

import math
import warnings
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


_EXACT = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def integer_zero_division(
    xp: ModuleType,
    raw: Callable[[Any, Any], Any],
    name: str,
    count_nonzero: Callable[[Any], Any] | None = None,
    trap: Callable[[Callable[[Any, Any], Any], Any, Any], Any] | None = None,
) -> Callable[[Any, Any], Any]:
    """``raw`` (``floor_divide``, ``remainder`` or C's ``fmod``) raising PyTorch's
    ``RuntimeError: ZeroDivisionError`` (on the CPU) for an integer result with a zero divisor,
    where NumPy-based libraries give 0 with a warning. The standard leaves integer division by
    zero to the library.

    Floating-point operands pass straight through; an integer divisor array is checked with
    one ``count_nonzero`` (the namespace's, or the faster one given), or, past 4,096 elements
    and where the library has one, by ``trap`` (``trap(raw, x1, x2)`` computes and raises
    ``FloatingPointError`` on a division by zero: NumPy's ``errstate``, a fixed ~0.8 us where
    ``count_nonzero`` is a pass over the divisor).

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends._fixes import integer_zero_division
    >>> fd = integer_zero_division(np, np.floor_divide, "floor_divide")
    >>> fd(np.array([7, -7]), 2).tolist(), fd(np.array([7.0]), np.array([2])).tolist()
    ([3, -4], [3.0])
    >>> fd(np.array([7]), np.array([0]))
    Traceback (most recent call last):
    ...
    RuntimeError: floor_divide(): ZeroDivisionError: integer division by zero ...
    """
    exact = _natives(xp, *_EXACT)
    array = type(xp.empty((0,)))
    nonzero = count_nonzero or xp.count_nonzero

    def checked(x1: Any, x2: Any) -> Any:
        k = x2.__class__
        if k is array:
            if x2.dtype not in exact:  # (a float divisor: the common case, one test)
                return raw(x1, x2)
            k = x1.__class__
            if k is array:
                if x1.dtype not in exact or not x1.size:  # (empty: nothing is divided)
                    return raw(x1, x2)
            elif k is not int and k is not bool:
                return raw(x1, x2)  # (a Python float x1: a float result)
            n = x2.size
            if trap is None or n <= 4096:
                if nonzero(x2) != n:
                    raise _zero_division(name)
                return raw(x1, x2)
            try:
                return trap(raw, x1, x2)
            except FloatingPointError:
                raise _zero_division(name) from None
        if (k is int or k is bool) and x2 == 0 and x1.dtype in exact and x1.size:
            raise _zero_division(name)  # (x // 0: x1 is the array)
        return raw(x1, x2)

    return checked


def _zero_division(name: str) -> RuntimeError:
    return RuntimeError(
        f"{name}(): ZeroDivisionError: integer division by zero (a divisor is 0), as in "
        f"PyTorch; expected nonzero divisors: replace the zeros first (pt.where(y == 0, 1, y)), "
        f"or divide in floating point (x.double()), where a zero divisor gives inf or nan"
    )


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


def pow(xp: ModuleType) -> Callable[[Any, Any], Any]:
    """Libraries that give ``pow`` of two integer dtypes the first one's dtype (JAX:
    ``pow(int8, int16)`` is int8), or a Python int base their default integer dtype: the
    standard's promoted dtype, by converting the operands first."""
    raw = xp.pow

    def fixed(x1: Any, x2: Any) -> Any:
        if not hasattr(x1, "dtype"):
            x1 = xp.asarray(x1, dtype=x2.dtype)
        elif not hasattr(x2, "dtype"):
            x2 = xp.asarray(x2, dtype=x1.dtype)
        elif x1.dtype != x2.dtype:
            common = xp.result_type(x1, x2)
            x1, x2 = xp.astype(x1, common), xp.astype(x2, common)
        return raw(x1, x2)

    return fixed


def copied_flip(xp: ModuleType) -> Callable[..., Any]:
    """``flip`` in memory of its own. NumPy's (and so CuPy's and array-api-strict's) is a view
    with negative strides, so writing the result would write its input; PyTorch's copies, and
    the standard allows either. For the backends whose arrays can be written."""
    raw = xp.flip

    def fixed(x: Any, /, *, axis: Any = None) -> Any:
        return xp.asarray(raw(x, axis=axis), copy=True)

    return fixed


def non_finite_svd(xp: ModuleType, name: str) -> Callable[..., Any]:
    """``linalg.<name>`` (``svd`` or ``pinv``) of LAPACK's ``gesdd``, which never returns for
    a matrix with an infinite element (NumPy's, and the libraries over it), and raises "SVD did
    not converge" for a NaN: a matrix with either gives NaN results, as PyTorch's singular
    values are (the others' matrices, finite, as they are). One test of the whole input where
    it is finite, the common case.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends._fixes import non_finite_svd
    >>> svd = non_finite_svd(np, "svd")
    >>> a = np.stack([np.eye(2), np.array([[np.inf, 0.0], [0.0, 1.0]])])
    >>> svd(a, full_matrices=False)[1]
    array([[ 1.,  1.],
           [nan, nan]])
    """
    raw = getattr(xp.linalg, name)

    def fixed(x: Any, /, *args: Any, **kwargs: Any) -> Any:
        finite = xp.isfinite(x)
        if bool(xp.all(finite)):
            return raw(x, *args, **kwargs)
        ok = xp.all(finite, axis=(-2, -1))  # (per matrix)
        ok_m = xp.reshape(ok, (*ok.shape, 1, 1))
        r = raw(xp.where(ok_m, x, xp.zeros_like(x)), *args, **kwargs)
        if name == "pinv":
            return xp.where(ok_m, r, xp.full_like(r, math.nan))
        u, s, vh = r
        return type(r)(  # (the library's result type: a named tuple)
            xp.where(ok_m, u, xp.full_like(u, math.nan)),
            xp.where(xp.reshape(ok, (*ok.shape, 1)), s, xp.full_like(s, math.nan)),
            xp.where(ok_m, vh, xp.full_like(vh, math.nan)),
        )

    return fixed


def install(overrides: dict[str, Any], xp: ModuleType) -> None:
    """Put the fixes of this module into a backend's ``overrides``."""
    overrides["floor_divide"] = floor_divide(xp)
    overrides["expm1"] = expm1(xp)
    overrides["tanh"] = tanh(xp)
    overrides["sign"] = sign(xp)


def install_non_finite_svd(overrides: dict[str, Any], xp: ModuleType) -> None:
    """Make an eager CPU backend's ``linalg.svd`` and ``linalg.pinv`` return NaN for a matrix
    with an infinite or NaN element (``non_finite_svd``), over LAPACK's hang and refusal."""
    for name in ("svd", "pinv"):
        overrides[f"linalg.{name}"] = non_finite_svd(xp, name)


def install_zero_division(
    overrides: dict[str, Any],
    xp: ModuleType,
    fmod: Callable[[Any, Any], Any],
    count_nonzero: Callable[[Any], Any] | None = None,
    trap: Callable[[Callable[[Any, Any], Any], Any, Any], Any] | None = None,
) -> None:
    """Make a CPU backend's integer ``floor_divide``, ``remainder`` and ``_fmod`` (the library's
    C ``fmod``, given) refuse a zero divisor as PyTorch's do (``integer_zero_division``), over
    the fixes already in ``overrides``."""
    for name, default in (
        ("floor_divide", xp.floor_divide),
        ("remainder", xp.remainder),
        ("_fmod", fmod),
    ):
        raw = overrides.get(name) or default
        overrides[name] = integer_zero_division(xp, raw, name, count_nonzero, trap)


# -- probes: whether a library needs a fix --------------------------------------------------------
# Each takes the namespace and a function giving a NumPy copy of an array, and says whether the
# library already has the standard's value (an error counts as not having it).
def _floor_divide_right(xp: ModuleType, host: Callable[[Any], Any]) -> bool:
    a = host(xp.floor_divide(xp.asarray([1.0, math.inf]), xp.asarray([-math.inf, 2.0])))
    return bool(a[0] == 0 and math.copysign(1.0, a[0]) < 0 and a[1] == math.inf)


def _expm1_right(xp: ModuleType, host: Callable[[Any], Any]) -> bool:
    return bool(host(xp.expm1(xp.asarray([complex(math.inf, 0.0)])))[0] == complex(math.inf, 0))


def _tanh_right(xp: ModuleType, host: Callable[[Any], Any]) -> bool:
    r = host(xp.tanh(xp.asarray([complex(math.inf, 2.0)])))[0]
    return bool(r == 1 and math.copysign(1.0, r.imag) > 0)


def _sign_right(xp: ModuleType, host: Callable[[Any], Any]) -> bool:
    r = host(xp.sign(xp.asarray([complex(-0.0, -0.0)])))[0]
    return bool(r == 0 and math.copysign(1.0, r.real) > 0 and math.copysign(1.0, r.imag) > 0)


def _pow_right(xp: ModuleType, host: Callable[[Any], Any]) -> bool:
    a = xp.asarray(2, dtype=xp.int8)  # 0-d: JAX goes wrong there only
    return bool(
        xp.pow(a, xp.asarray(1, dtype=xp.int16)).dtype == xp.int16 and xp.pow(2, a).dtype == xp.int8
    )


_PROBED: dict[str, tuple[Callable[..., bool], Callable[[ModuleType], Any]]] = {
    "floor_divide": (_floor_divide_right, floor_divide),
    "expm1": (_expm1_right, expm1),
    "tanh": (_tanh_right, tanh),
    "sign": (_sign_right, sign),
    "pow": (_pow_right, pow),
}


def install_needed(
    overrides: dict[str, Any], xp: ModuleType, host: Callable[[Any], Any]
) -> list[str]:
    """Put into ``overrides`` the fixes that the library behind ``xp`` is found to need (a
    backend made from a namespace alone, asked when it loads); returns their names."""
    needed = []
    for name, (right, fix) in _PROBED.items():
        if name in overrides:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                ok = right(xp, host)
            except Exception:  # noqa: BLE001  (a refusal is a wrong answer too)
                ok = False
        if not ok:
            overrides[name] = fix(xp)
            needed.append(name)
    return needed
