"""Element-wise functions of the standard: one line each, with the derivative rule.

A rule gets ``g`` (the output's cotangent), ``out``, then the inputs, and returns the input's
cotangent; complex inputs follow PyTorch's convention (``g * conj(f'(z))``).
"""

from __future__ import annotations

import cmath
import math
from typing import Any

from .. import _dtypes as dt
from .. import _tensor_base as _tb
from .._checks import ScalarRangeError
from ._registry import NONDIFF, ZERO, Function, binary, op, unary

_C = "complex floating-point"


_COMPLEX = dt.CATEGORY_NAMES.index("complex floating-point")


def _conj(z: Any) -> Any:
    """conj() where it matters: real tensors and real Python scalars pass through."""
    if type(z) is _tb.TENSOR:
        return conj(z) if z._data.dtype in z._backend.cats[_COMPLEX] else z
    if isinstance(z, complex):
        return z.conjugate()
    if isinstance(z, (bool, int, float)):
        return z
    return conj(z) if z.dtype.kind == "complex floating" else z


# -- arithmetic ----------------------------------------------------------------------------------
abs = unary(
    "abs",
    "numeric",
    lambda g, out, x: (
        g * sign(x) if x.dtype.kind != "complex floating" else g * x / where(out == 0, 1, out)
    ),
)
# Note: boolean inputs of -, unary + and subtract raise PyTorch's error (the standard's
# promotion would take b - 1.0; PyTorch asks for ~b or logical_xor)
negative = unary("negative", "numeric", lambda g, _out, _x: -g, refuse_booleans=True)
positive = unary("positive", "numeric", lambda g, _out, _x: g, refuse_booleans=True)
# Note: square and pow (below) give 0 to an input whose output's cotangent is 0, even where
# their derivative is NaN or infinite (_strong_zero); PyTorch gives 0 * NaN = NaN there.
square = unary(
    "square",
    "numeric",
    lambda g, _out, x: _strong_zero(g * 2 * _conj(x), g),
    booleans=dt.int64,
)
sqrt = unary("sqrt", "floating-point", lambda g, out, _x: g / (2 * _conj(out)))
reciprocal = unary("reciprocal", "floating-point", lambda g, out, _x: -g * _conj(out * out))


def _sign_rule(g: Any, out: Any, x: Any) -> Any:
    # sign(z) = z / |z| is smooth for complex z != 0 (PyTorch's sgn); piecewise constant on reals
    if x.dtype.kind != "complex floating":
        return None
    ax = abs(x)
    return where(ax == 0, 0, (g - real(g * conj(out)) * out) / where(ax == 0, 1, ax))


sign: Function = unary("sign", "numeric", _sign_rule, booleans=dt.bool)
add = binary(
    "add",
    "numeric",
    (lambda g, _out, _x1, _x2: g, lambda g, _out, _x1, _x2: g),
    booleans=dt.bool,
)
subtract = binary(
    "subtract",
    "numeric",
    (lambda g, _out, _x1, _x2: g, lambda g, _out, _x1, _x2: -g),
    refuse_booleans=True,
)
multiply = binary(
    "multiply",
    "numeric",
    (lambda g, _out, _x1, x2: g * _conj(x2), lambda g, _out, x1, _x2: g * _conj(x1)),
    booleans=dt.bool,
)
# integers alone are divided as the default float dtype (the standard leaves their result to the
# library; NumPy and PyTorch both give a float one)
divide = binary(
    "divide",
    "floating-point",
    (lambda g, _out, _x1, x2: g / _conj(x2), lambda g, out, _x1, x2: -g * _conj(out / x2)),
    integers_as_float=True,
)
floor_divide = binary("floor_divide", "real numeric", ZERO)
remainder = binary(
    "remainder",
    "real numeric",
    (lambda g, _out, _x1, _x2: g, lambda g, _out, x1, x2: -g * floor_divide(x1, x2)),
)


def _pow_x1(g: Any, _out: Any, x1: Any, x2: Any) -> Any:
    if x2.__class__ is int and x2 == 2:  # x ** 2, the common case: no second power
        return _strong_zero(g * _conj(x1 * 2), g)
    # Note: 0 where the exponent is 0, at x1 = 0 too (PyTorch's pow(0, 0) and x ** 0.0), and
    # 0 ** -1 is never evaluated (elsewhere x1 ** (x2 - 1) stays, for second derivatives).
    if isinstance(x2, (int, float, complex)):
        return None if x2 == 0 else _strong_zero(g * _conj(x2 * pow(x1, x2 - 1)), g)
    return _strong_zero(g * _conj(x2 * pow(x1, where((x2 == 0) & (x1 == 0), 1, x2) - 1)), g)


def _nonnegative(z: Any) -> Any:
    """``Re(z) >= 0``, of a Python number or a tensor."""
    if isinstance(z, (int, float, complex)):
        return z.real >= 0
    return (real(z) if z.dtype.kind == "complex floating" else z) >= 0


def _at_zero_base(x2: Any) -> Any:
    """The derivative of ``0 ** x2`` in ``x2``, PyTorch's: 0 where ``Re(x2) >= 0`` (flat
    there), -inf where ``Re(x2) < 0`` (inf * log(0)), NaN where ``x2`` is (the power is)."""
    nan = cmath.isnan(x2) if isinstance(x2, (int, float, complex)) else isnan(x2)
    return where(_nonnegative(x2), 0.0, where(nan, math.nan, -math.inf))


def _pow_x2(g: Any, out: Any, x1: Any, x2: Any) -> Any:
    # out * log(x1), with PyTorch's values at x1 = 0 (_at_zero_base); log(0) itself is never
    # evaluated.
    if isinstance(x1, (int, float, complex)):  # a Python number as the base: 2.0 ** x
        if x1 == 0:
            return _strong_zero(g * _at_zero_base(x2), g)
        if isinstance(x1, complex) or x1 < 0:
            return _strong_zero(g * _conj(out * cmath.log(x1)), g)
        return _strong_zero(g * (out * math.log(x1)), g)
    zero = x1 == 0
    d = where(zero, _at_zero_base(x2), where(zero, 0, out) * log(where(zero, 1, x1)))
    return _strong_zero(g * _conj(d), g)


pow = binary("pow", "numeric", (_pow_x1, _pow_x2))
# Ties share the gradient; a NaN (which neither is less than) passes it to both (PyTorch's).
maximum = binary(
    "maximum",
    "real numeric",
    (
        lambda g, _out, x1, x2: g * where(x1 < x2, 0.0, where(x1 == x2, 0.5, 1.0)),
        lambda g, _out, x1, x2: g * where(x2 < x1, 0.0, where(x1 == x2, 0.5, 1.0)),
    ),
    booleans=dt.bool,
)
minimum = binary(
    "minimum",
    "real numeric",
    (
        lambda g, _out, x1, x2: g * where(x1 > x2, 0.0, where(x1 == x2, 0.5, 1.0)),
        lambda g, _out, x1, x2: g * where(x2 > x1, 0.0, where(x1 == x2, 0.5, 1.0)),
    ),
    booleans=dt.bool,
)
# copysign and atan2 compute integers in the default float dtype, as PyTorch's; hypot, nextafter
# and logaddexp refuse them, as PyTorch does (the standard leaves integer inputs to the library)
copysign = binary(
    "copysign",
    "real floating-point",
    (lambda g, out, x1, _x2: g * where(x1 == 0, 0.0, out / where(x1 == 0, 1.0, x1)), ZERO),
    integers_as_float=True,
)
hypot = binary(
    "hypot",
    "real floating-point",
    (
        lambda g, out, x1, _x2: g * x1 / where(out == 0, 1.0, out),
        lambda g, out, _x1, x2: g * x2 / where(out == 0, 1.0, out),
    ),
)
nextafter = binary("nextafter", "real floating-point", (lambda g, _out, _x1, _x2: g, ZERO))


def _atan2_rule(i: int) -> Any:
    # Note: 0 at (0, 0), as PyTorch's (x / (x1^2 + x2^2) with the 0 / 0 taken as 0)
    def rule(g: Any, _out: Any, x1: Any, x2: Any) -> Any:
        d = x1 * x1 + x2 * x2
        return (g * x2 if i == 0 else -g * x1) / where(d == 0, 1.0, d)

    return rule


atan2 = binary(
    "atan2", "real floating-point", (_atan2_rule(0), _atan2_rule(1)), integers_as_float=True
)
logaddexp = binary(
    "logaddexp",
    "real floating-point",
    # (1/(1 + exp(x2 - x1)), not exp(x1 - out): that is inf - inf where x1 is inf, and this is
    # 1 there, the limit, as PyTorch's; NaN only where both are the same infinity)
    (
        lambda g, _out, x1, x2: g / (1.0 + exp(x2 - x1)),
        lambda g, _out, x1, x2: g / (1.0 + exp(x1 - x2)),
    ),
)

# -- exponentials and logarithms -----------------------------------------------------------------
# (these and the trigonometric and hyperbolic functions, of a floating-point category, compute
# integer and boolean inputs in the default float dtype, as PyTorch's: unary() declares it)
exp: Function = unary("exp", "floating-point", lambda g, out, _x: g * _conj(out))
expm1 = unary("expm1", "floating-point", lambda g, out, _x: g * _conj(out + 1))
log: Function = unary("log", "floating-point", lambda g, _out, x: g / _conj(x))
log1p = unary("log1p", "floating-point", lambda g, _out, x: g / _conj(x + 1))
log2 = unary("log2", "floating-point", lambda g, _out, x: g / _conj(x * 0.6931471805599453))
log10 = unary("log10", "floating-point", lambda g, _out, x: g / _conj(x * 2.302585092994046))

# -- trigonometric and hyperbolic ------------------------------------------------------------------
sin = unary("sin", "floating-point", lambda g, _out, x: g * _conj(cos(x)))
cos: Function = unary("cos", "floating-point", lambda g, _out, x: -g * _conj(sin(x)))
tan = unary("tan", "floating-point", lambda g, out, _x: g * _conj(1 + out * out))
asin = unary("asin", "floating-point", lambda g, _out, x: g / _conj(sqrt(1 - x * x)))
acos = unary("acos", "floating-point", lambda g, _out, x: -g / _conj(sqrt(1 - x * x)))
atan = unary("atan", "floating-point", lambda g, _out, x: g / _conj(1 + x * x))
sinh = unary("sinh", "floating-point", lambda g, _out, x: g * _conj(cosh(x)))
cosh: Function = unary("cosh", "floating-point", lambda g, _out, x: g * _conj(sinh(x)))
tanh = unary("tanh", "floating-point", lambda g, out, _x: g * _conj(1 - out * out))
asinh = unary("asinh", "floating-point", lambda g, _out, x: g / _conj(sqrt(x * x + 1)))
acosh = unary("acosh", "floating-point", lambda g, _out, x: g / _conj(sqrt(x - 1) * sqrt(x + 1)))
atanh = unary("atanh", "floating-point", lambda g, _out, x: g / _conj(1 - x * x))

# -- rounding --------------------------------------------------------------------------------------
ceil = unary("ceil", "real numeric", ZERO)
floor = unary("floor", "real numeric", ZERO)
round = unary("round", "numeric", ZERO)
trunc = unary("trunc", "real numeric", ZERO)
# C's fmod (PyTorch's torch.fmod; the remainder with x1's sign), exact; not in the standard
_fmod = binary(
    "_fmod",
    "real numeric",
    (lambda g, _out, _x1, _x2: g, lambda g, _out, x1, x2: -g * trunc(divide(x1, x2))),
)

# -- complex numbers -------------------------------------------------------------------------------
conj = unary("conj", "numeric", lambda g, _out, _x: _conj(g))
real = unary(
    "real",
    "numeric",
    lambda g, _out, _x: g if _x.dtype.kind != "complex floating" else astype(g, _x.dtype),
)
imag = unary("imag", "complex floating-point", lambda g, _out, _x: astype(g, _x.dtype) * 1j)

# -- extensions (not in the standard) -----------------------------------------------------------
# Note: a primitive for speed (one maximum instead of a compare and a where); the gradient is 0
# at 0, as PyTorch's relu has it.
relu = unary("relu", "real numeric", lambda g, out, _x: _relu_backward(g, out))
relu.__doc__ = """``relu(x, /)``: ``max(x, 0)`` element-wise (PyTorch's ``relu``; an extension,
not a function of the Array API standard; also ``polytensor.nn.functional.relu``).

Input dtypes: real numeric. Derivative: 0 where x <= 0, else 1 (0 at 0, and the cotangent
passed through at a NaN, as in PyTorch).

Examples
--------
>>> import polytensor as pt
>>> pt.relu(pt.asarray([-1.0, 0.0, 2.0]))
tensor([0., 0., 2.], backend='numpy')
"""
# relu's gradient, where(x <= 0, 0, g), in one call (PyTorch's threshold_backward, which passes
# g at a NaN): what relu's rule computes from its output; differentiable again in g, piecewise
# constant in x.
_relu_backward: Function = op(
    "_relu_backward",
    "(g, x, /)",
    "real numeric",
    (lambda gg, _out, _g, x: _relu_backward(gg, x), ZERO),
    inputs=("g", "x"),
    promote=(0, 1),
)

# A gradient kept where a mask is true, where(keep, g, 0), in one call: the fast first-order
# form of clip with one bound (PyTorch's clamp_min backward); differentiable again in g.
_mask_grad: Function = op(
    "_mask_grad",
    "(g, keep, /)",
    ("real numeric", "boolean"),
    (lambda gg, _out, _g, keep: _mask_grad(gg, keep), NONDIFF),
    inputs=("g", "keep"),
)

# -- comparison and logic --------------------------------------------------------------------------
equal = binary("equal", "any", NONDIFF)
not_equal = binary("not_equal", "any", NONDIFF)
# (booleans and numbers where the standard leaves them to the library: PyTorch's rules, with
# False < True and x != 0 as a number's truth)
greater = binary("greater", "real numeric", NONDIFF, booleans=dt.bool)
greater_equal = binary("greater_equal", "real numeric", NONDIFF, booleans=dt.bool)
less = binary("less", "real numeric", NONDIFF, booleans=dt.bool)
less_equal = binary("less_equal", "real numeric", NONDIFF, booleans=dt.bool)
isfinite = unary("isfinite", "numeric", NONDIFF, booleans=dt.bool)
isinf = unary("isinf", "numeric", NONDIFF, booleans=dt.bool)
isnan = unary("isnan", "numeric", NONDIFF, booleans=dt.bool)
signbit = unary("signbit", "real floating-point", NONDIFF)
logical_and = binary("logical_and", "boolean", NONDIFF, numbers_as_booleans=True)
logical_or = binary("logical_or", "boolean", NONDIFF, numbers_as_booleans=True)
logical_xor = binary("logical_xor", "boolean", NONDIFF, numbers_as_booleans=True)
logical_not = unary("logical_not", "boolean", NONDIFF, numbers_as_booleans=True)

# The "strong zero" of pow's and square's rules: their cotangent p = g * f'(x), with 0 where
# the output's cotangent g is 0 and p is NaN (a NaN or infinite f'(x), as at x = NaN: a 0 / 0
# of constants squared). Such an output does not reach the result (its cotangent is exactly
# 0: it was multiplied by 0, or overwritten by u[m] = v[m], as scikit-learn's incremental
# variance does), so it gives nothing to its input. Elsewhere p is unchanged, NaN included
# where g is not 0. Eager backends return p itself when every element is finite (one pass);
# lazy ones always take the where. g broadcasts to p's shape (p is a product of g).
# Differentiable again in p (0 where it masked), and piecewise constant in g.
_strong_zero: Function = op(
    "_strong_zero",
    "(p, g, /)",
    "floating-point",
    (lambda gg, _out, p, g: where((g == 0) & isnan(p), 0.0, gg), ZERO),
    inputs=("p", "g"),
    promote=(0, 1),
)

# -- bitwise ---------------------------------------------------------------------------------------
bitwise_and = binary("bitwise_and", "integer or boolean", NONDIFF)
bitwise_or = binary("bitwise_or", "integer or boolean", NONDIFF)
bitwise_xor = binary("bitwise_xor", "integer or boolean", NONDIFF)
bitwise_invert = unary("bitwise_invert", "integer or boolean", NONDIFF)
bitwise_left_shift = binary("bitwise_left_shift", "integer", NONDIFF)
bitwise_right_shift = binary("bitwise_right_shift", "integer", NONDIFF)


def _clip_x(g: Any, _out: Any, x: Any, lo: Any, hi: Any) -> Any:
    keep = None if lo is None else x >= lo
    if hi is not None:
        keep = x <= hi if keep is None else keep & (x <= hi)
    return g if keep is None else where(keep, g, 0)


# Where min > max the result is max everywhere: the gradient goes to max (PyTorch's rule).
def _clip_min(g: Any, _out: Any, x: Any, lo: Any, hi: Any) -> Any:
    return where((x < lo) & (lo < hi) if hi is not None else x < lo, g, 0)


def _clip_max(g: Any, _out: Any, x: Any, lo: Any, hi: Any) -> Any:
    return where((x > hi) | (hi < lo) if lo is not None else x > hi, g, 0)


def _clip_bounds_fit(_backend: Any, datas: list[Any], dtypes: list[Any]) -> None:
    """clip's ``coerce``: refuse a Python int bound that puts the result outside an integer
    ``x``'s dtype (``min`` above its largest value, ``max`` below its smallest), which NumPy
    refuses and array-api-strict wraps around (uint8's ``min=300`` giving 44); one beyond the
    dtype on the other side changes nothing and passes."""
    d = dtypes[0]
    info = dt.IINFO.get(d) if d is not None else None
    if info is None:
        return
    lo, hi = datas[1], datas[2]
    for bound, outside in (
        (lo, lo.__class__ is int and lo > info.max),
        (hi, hi.__class__ is int and hi < info.min),
    ):
        if outside:
            raise ScalarRangeError(
                f"clip() got the bound {bound}, outside the range of {d.name} [{info.min}, "
                f"{info.max}]: the result would not fit; give a bound that {d.name} holds, or "
                f"clip x.astype(pt.int64)"
            )


clip = op(
    "clip",
    "(x, /, min=None, max=None)",
    "real numeric",
    (_clip_x, _clip_min, _clip_max),
    inputs=("x", "min", "max"),
    scalars=True,
    coerce=_clip_bounds_fit,
    example=">>> import polytensor as pt\n>>> pt.clip(pt.asarray([-1.0, 0.5, 2.0]), 0.0, 1.0)"
    "\ntensor([0. , 0.5, 1. ], backend='numpy')",
)

from .data_types import astype  # noqa: E402
from .searching import where  # noqa: E402
