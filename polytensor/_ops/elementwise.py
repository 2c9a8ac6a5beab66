"""Element-wise functions of the standard: one line each, with the derivative rule.

A rule gets ``g`` (the output's cotangent), ``out``, then the inputs, and returns the input's
cotangent; complex inputs follow PyTorch's convention (``g * conj(f'(z))``).
"""

from __future__ import annotations

from typing import Any

from .. import _dtypes as dt
from .. import _tensor_base as _tb
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
negative = unary("negative", "numeric", lambda g, _out, _x: -g)
positive = unary("positive", "numeric", lambda g, _out, _x: g)
square = unary("square", "numeric", lambda g, _out, x: g * 2 * _conj(x))
sqrt = unary("sqrt", "floating-point", lambda g, out, _x: g / (2 * _conj(out)))
reciprocal = unary("reciprocal", "floating-point", lambda g, out, _x: -g * _conj(out * out))


def _sign_rule(g: Any, out: Any, x: Any) -> Any:
    # sign(z) = z / |z| is smooth for complex z != 0 (PyTorch's sgn); piecewise constant on reals
    if x.dtype.kind != "complex floating":
        return None
    ax = abs(x)
    return where(ax == 0, 0, (g - real(g * conj(out)) * out) / where(ax == 0, 1, ax))


sign: Function = unary("sign", "numeric", _sign_rule)
add = binary("add", "numeric", (lambda g, _out, _x1, _x2: g, lambda g, _out, _x1, _x2: g))
subtract = binary(
    "subtract", "numeric", (lambda g, _out, _x1, _x2: g, lambda g, _out, _x1, _x2: -g)
)
multiply = binary(
    "multiply",
    "numeric",
    (lambda g, _out, _x1, x2: g * _conj(x2), lambda g, _out, x1, _x2: g * _conj(x1)),
)
divide = binary(
    "divide",
    "floating-point",
    (lambda g, _out, _x1, x2: g / _conj(x2), lambda g, out, _x1, x2: -g * _conj(out / x2)),
)
floor_divide = binary("floor_divide", "real numeric", ZERO)
remainder = binary(
    "remainder",
    "real numeric",
    (lambda g, _out, _x1, _x2: g, lambda g, _out, x1, x2: -g * floor_divide(x1, x2)),
)


def _pow_x1(g: Any, _out: Any, x1: Any, x2: Any) -> Any:
    if x2.__class__ is int and x2 == 2:  # x ** 2, the common case: no second power
        return g * _conj(x1 * 2)
    return g * _conj(x2 * pow(x1, x2 - 1))


pow = binary(
    "pow", "numeric", (_pow_x1, lambda g, out, x1, _x2: g * _conj(out * log(where(x1 == 0, 1, x1))))
)
maximum = binary(
    "maximum",
    "real numeric",
    (
        lambda g, _out, x1, x2: g * (where(x1 > x2, 1.0, 0.0) + where(x1 == x2, 0.5, 0.0)),
        lambda g, _out, x1, x2: g * (where(x2 > x1, 1.0, 0.0) + where(x1 == x2, 0.5, 0.0)),
    ),
)
minimum = binary(
    "minimum",
    "real numeric",
    (
        lambda g, _out, x1, x2: g * (where(x1 < x2, 1.0, 0.0) + where(x1 == x2, 0.5, 0.0)),
        lambda g, _out, x1, x2: g * (where(x2 < x1, 1.0, 0.0) + where(x1 == x2, 0.5, 0.0)),
    ),
)
copysign = binary(
    "copysign",
    "real floating-point",
    (lambda g, out, x1, _x2: g * where(x1 == 0, 0.0, out / where(x1 == 0, 1.0, x1)), ZERO),
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
atan2 = binary(
    "atan2",
    "real floating-point",
    (
        lambda g, _out, x1, x2: g * x2 / (x1 * x1 + x2 * x2),
        lambda g, _out, x1, x2: -g * x1 / (x1 * x1 + x2 * x2),
    ),
)
logaddexp = binary(
    "logaddexp",
    "real floating-point",
    (lambda g, out, x1, _x2: g * exp(x1 - out), lambda g, out, _x1, x2: g * exp(x2 - out)),
)

# -- exponentials and logarithms -----------------------------------------------------------------
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

Input dtypes: real numeric. Derivative: 1 where x > 0, else 0 (0 at 0, as in PyTorch).

Examples
--------
>>> import polytensor as pt
>>> pt.relu(pt.asarray([-1.0, 0.0, 2.0]))
tensor([0., 0., 2.], backend='numpy')
"""
# relu's gradient, where(x > 0, g, 0), in one call (PyTorch's threshold_backward): what relu's
# rule computes from its output; differentiable again in g, piecewise constant in x.
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
greater = binary("greater", "real numeric", NONDIFF)
greater_equal = binary("greater_equal", "real numeric", NONDIFF)
less = binary("less", "real numeric", NONDIFF)
less_equal = binary("less_equal", "real numeric", NONDIFF)
isfinite = unary("isfinite", "numeric", NONDIFF)
isinf = unary("isinf", "numeric", NONDIFF)
isnan = unary("isnan", "numeric", NONDIFF)
signbit = unary("signbit", "real floating-point", NONDIFF)
logical_and = binary("logical_and", "boolean", NONDIFF)
logical_or = binary("logical_or", "boolean", NONDIFF)
logical_xor = binary("logical_xor", "boolean", NONDIFF)
logical_not = unary("logical_not", "boolean", NONDIFF)

# -- bitwise ---------------------------------------------------------------------------------------
bitwise_and = binary("bitwise_and", "integer or boolean", NONDIFF)
bitwise_or = binary("bitwise_or", "integer or boolean", NONDIFF)
bitwise_xor = binary("bitwise_xor", "integer or boolean", NONDIFF)
bitwise_invert = unary("bitwise_invert", "integer or boolean", NONDIFF)
bitwise_left_shift = binary("bitwise_left_shift", "integer", NONDIFF)
bitwise_right_shift = binary("bitwise_right_shift", "integer", NONDIFF)


def _clip_impl(fn: Any, x: Any, lo: Any, hi: Any) -> Any:
    return fn(x, min=lo, max=hi)


def _clip_x(g: Any, _out: Any, x: Any, lo: Any, hi: Any) -> Any:
    keep = None if lo is None else x >= lo
    if hi is not None:
        keep = x <= hi if keep is None else keep & (x <= hi)
    return g if keep is None else where(keep, g, 0)


clip = op(
    "clip",
    "(x, /, min=None, max=None)",
    "real numeric",
    (
        _clip_x,
        lambda g, _out, x, lo, _hi: where(x < lo, g, 0),
        lambda g, _out, x, _lo, hi: where(x > hi, g, 0),
    ),
    inputs=("x", "min", "max"),
    impl=_clip_impl,
    scalars=True,
    example=">>> import polytensor as pt\n>>> pt.clip(pt.asarray([-1.0, 0.5, 2.0]), 0.0, 1.0)"
    "\ntensor([0. , 0.5, 1. ], backend='numpy')",
)

from .data_types import astype  # noqa: E402
from .searching import where  # noqa: E402
