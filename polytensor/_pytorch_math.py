"""PyTorch's element-wise functions that the standard does not have: ``exp2``, ``logit`` with
``eps``, ``deg2rad``/``rad2deg``, ``frac``, ``float_power``, ``clamp_min``/``clamp_max``,
``fmax``/``fmin``, ``isposinf``/``isneginf``/``isreal``, ``heaviside``, ``logaddexp2``,
``ldexp``, and the NaN-ignoring reductions ``nansum`` and ``nanmean``.

Each is written with the table's ops, so the differentiable ones differentiate (to any order)
on every backend, and keeps PyTorch's arguments, dtypes and errors: integer and boolean inputs
of the floating-point ones are computed in the default float dtype, as PyTorch's.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _config, _pytorch
from . import _dtypes as dt
from ._extras import clamp
from ._ops import elementwise as E
from ._ops.creation import full_like
from ._ops.data_types import astype
from ._ops.searching import where
from ._ops.special import logit as _logit
from ._pytorch_more import _tensor_arg
from ._tensor_base import TensorBase

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "FrexpResult",
    "clamp_max",
    "clamp_min",
    "deg2rad",
    "exp2",
    "float_power",
    "fmax",
    "fmin",
    "frac",
    "frexp",
    "heaviside",
    "isneginf",
    "isposinf",
    "isreal",
    "ldexp",
    "logaddexp2",
    "logit",
    "nanmean",
    "nansum",
    "rad2deg",
]

_FLOATING = ("real floating", "complex floating")


def _as_float(x: Tensor) -> Tensor:
    """``x``, or, for an integer or boolean tensor, ``x`` in the default float dtype (as
    PyTorch computes its floating-point functions of them)."""
    if x.dtype.kind in _FLOATING:
        return x
    return astype(x, _config.DEFAULT_FLOAT.get())


def _real_floating(where: str, x: Tensor) -> None:
    if x.dtype.kind != "real floating":
        raise TypeError(
            f'"{where}" not implemented for {x.dtype.name}: {where}() expects a real '
            f"floating-point tensor; cast with x.astype(pt.float32) or x.double()"
        )


def exp2(input: Tensor) -> Tensor:
    """``2 ** x`` element-wise, as ``torch.exp2`` (integers and booleans give the default float
    dtype). Derivative: ``log(2) * 2 ** x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.exp2(pt.asarray([0.0, 3.0]))
    tensor([1., 8.], backend='numpy')
    """
    return E.pow(2.0, _as_float(_tensor_arg("exp2", "input", input)))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(x / (1 - x))``, as ``torch.logit``: with ``eps``, ``x`` is first clamped to
    ``[eps, 1 - eps]`` (the gradient is 0 outside it, as PyTorch's). Integers and booleans give
    the default float dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.logit(pt.asarray([0.5, 1.0]), eps=0.25)
    tensor([0.       , 1.0986123], backend='numpy')
    """
    x = _as_float(_tensor_arg("logit", "input", input))
    if eps is not None:
        if isinstance(eps, bool) or not isinstance(eps, (int, float)):
            raise TypeError(f"logit() expects eps to be a float or None; got {eps!r}")
        x = E.clip(x, float(eps), 1.0 - float(eps))
    return _logit(x)


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians, ``x * pi / 180``, as ``torch.deg2rad`` (integers and booleans give
    the default float dtype).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.deg2rad(pt.asarray([180.0]))
    tensor([3.1415927], backend='numpy')
    """
    return _as_float(_tensor_arg("deg2rad", "input", input)) * (math.pi / 180.0)


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees, ``x * 180 / pi``, as ``torch.rad2deg`` (integers and booleans give
    the default float dtype).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.rad2deg(pt.asarray([3.141592653589793], dtype=pt.float64))
    tensor([180.], dtype=polytensor.float64, backend='numpy')
    """
    return _as_float(_tensor_arg("rad2deg", "input", input)) * (180.0 / math.pi)


def frac(input: Tensor) -> Tensor:
    """The fractional part ``x - trunc(x)``, with ``x``'s sign, as ``torch.frac``; floating-point
    tensors only (PyTorch refuses integers). Derivative: 1.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.frac(pt.asarray([1.25, -2.5]))
    tensor([ 0.25, -0.5 ], backend='numpy')
    """
    x = _tensor_arg("frac", "input", input)
    _real_floating("frac", x)
    return x - E.trunc(x)


def float_power(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent`` computed in double precision, as ``torch.float_power``: the result
    is float64 (complex128 if either operand is complex) whatever the operands' dtypes; either
    may be a Python number.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.float_power(pt.asarray([2, 3]), 2)
    tensor([4., 9.], dtype=polytensor.float64, backend='numpy')
    """
    if not isinstance(input, TensorBase) and not isinstance(exponent, TensorBase):
        raise TypeError(
            f"float_power() expects a tensor as input or exponent; got "
            f"{type(input).__name__} and {type(exponent).__name__}; make one with pt.asarray(...)"
        )
    operands = (input, exponent)
    complex_ = any(
        isinstance(v, complex) or (isinstance(v, TensorBase) and v.dtype.kind == "complex floating")
        for v in operands
    )
    target = dt.complex128 if complex_ else dt.float64

    def widened(v: Any) -> Any:
        if isinstance(v, TensorBase):
            return v if v.dtype is target else astype(v, target)
        if isinstance(v, bool) or not isinstance(v, (int, float, complex)):
            raise TypeError(
                f"float_power() expects tensors or Python numbers; got {type(v).__name__}"
            )
        return complex(v) if complex_ else float(v.real)

    return E.pow(widened(input), widened(exponent))


def clamp_min(input: Tensor, min: Any) -> Tensor:
    """``pt.clamp(input, min=min)``, as ``torch.clamp_min``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.clamp_min(pt.asarray([-1.0, 2.0]), 0.0)
    tensor([0., 2.], backend='numpy')
    """
    if min is None:
        raise TypeError("clamp_min() expects a number or tensor for min; got None")
    return clamp(_tensor_arg("clamp_min", "input", input), min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    """``pt.clamp(input, max=max)``, as ``torch.clamp_max``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.clamp_max(pt.asarray([-1.0, 2.0]), 1.0)
    tensor([-1.,  1.], backend='numpy')
    """
    if max is None:
        raise TypeError("clamp_max() expects a number or tensor for max; got None")
    return clamp(_tensor_arg("clamp_max", "input", input), max=max)


def _not_complex(where: str, x: Tensor) -> None:
    if x.dtype.kind == "complex floating":
        raise TypeError(
            f"{where} does not support complex inputs; apply it to pt.real(x) and pt.imag(x)"
        )


def isposinf(input: Tensor) -> Tensor:
    """Whether each element is +inf, as ``torch.isposinf`` (all false for integers and
    booleans).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.isposinf(pt.asarray([float("inf"), -float("inf"), 1.0]))
    tensor([ True, False, False], backend='numpy')
    """
    x = _tensor_arg("isposinf", "input", input)
    _not_complex("isposinf", x)
    if x.dtype.kind != "real floating":
        return full_like(x, False, dtype=dt.bool)
    return E.equal(x, math.inf)


def isneginf(input: Tensor) -> Tensor:
    """Whether each element is -inf, as ``torch.isneginf`` (all false for integers and
    booleans).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.isneginf(pt.asarray([float("inf"), -float("inf"), 1.0]))
    tensor([False,  True, False], backend='numpy')
    """
    x = _tensor_arg("isneginf", "input", input)
    _not_complex("isneginf", x)
    if x.dtype.kind != "real floating":
        return full_like(x, False, dtype=dt.bool)
    return E.equal(x, -math.inf)


def isreal(input: Tensor) -> Tensor:
    """Whether each element is real: its imaginary part is 0 (always, for real dtypes), as
    ``torch.isreal``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.isreal(pt.asarray([1 + 0j, 1j]))
    tensor([ True, False], backend='numpy')
    """
    x = _tensor_arg("isreal", "input", input)
    if x.dtype.kind != "complex floating":
        return full_like(x, True, dtype=dt.bool)
    return E.equal(E.imag(x), 0.0)


def _pair(where: str, input: Any, other: Any) -> tuple[Tensor, Tensor]:
    return _tensor_arg(where, "input", input), _tensor_arg(where, "other", other)


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """The element-wise maximum ignoring NaN (NaN only where both are NaN), as ``torch.fmax``;
    the gradient goes to ``input`` where ``input >= other`` or ``other`` is NaN, else to
    ``other``, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fmax(pt.asarray([1.0, float("nan")]), pt.asarray([float("nan"), 2.0]))
    tensor([1., 2.], backend='numpy')
    """
    a, b = _pair("fmax", input, other)
    _not_complex("fmax", a)
    _not_complex("fmax", b)
    return where(E.logical_or(a >= b, E.isnan(b)), a, b)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """The element-wise minimum ignoring NaN (NaN only where both are NaN), as ``torch.fmin``;
    the gradient goes to ``input`` where ``input <= other`` or ``other`` is NaN, else to
    ``other``, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fmin(pt.asarray([1.0, float("nan")]), pt.asarray([float("nan"), 2.0]))
    tensor([1., 2.], backend='numpy')
    """
    a, b = _pair("fmin", input, other)
    _not_complex("fmin", a)
    _not_complex("fmin", b)
    return where(E.logical_or(a <= b, E.isnan(b)), a, b)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The Heaviside step: 0 where ``input < 0``, ``values`` where it is 0, 1 where it is
    positive, as ``torch.heaviside`` (both of one dtype). Not differentiable, as PyTorch's:
    the result does not require grad.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.heaviside(pt.asarray([-1.0, 0.0, 2.0]), pt.asarray([0.5]))
    tensor([0. , 0.5, 1. ], backend='numpy')
    """
    x, v = _tensor_arg("heaviside", "input", input), _tensor_arg("heaviside", "values", values)
    if x.dtype is not v.dtype:
        raise TypeError(
            f"heaviside is not yet implemented for tensors with different dtypes "
            f"({x.dtype.name}, {v.dtype.name}); cast values with values.to({x.dtype.name})"
        )
    _not_complex("heaviside", x)
    x, v = x.detach(), v.detach()
    return where(E.equal(x, 0), v, astype(E.greater(x, 0), x.dtype))


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """``log2(2 ** input + 2 ** other)`` without overflow, as ``torch.logaddexp2``;
    floating-point tensors only, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.logaddexp2(pt.asarray([1.0]), pt.asarray([1.0]))
    tensor([2.], backend='numpy')
    """
    a, b = _pair("logaddexp2", input, other)
    _real_floating("logaddexp2", a)
    _real_floating("logaddexp2", b)
    ln2 = math.log(2.0)
    return E.logaddexp(a * ln2, b * ln2) * (1.0 / ln2)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """``input * 2 ** other``, as ``torch.ldexp`` (a floating result: integers give the
    default float dtype).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ldexp(pt.asarray([1.5]), pt.asarray([3]))
    tensor([12.], backend='numpy')
    """
    a, b = _pair("ldexp", input, other)
    return E.multiply(a, exp2(b))


class FrexpResult(NamedTuple):
    """``torch.frexp``'s result: ``input == mantissa * 2 ** exponent``."""

    mantissa: Tensor
    exponent: Tensor


def frexp(input: Tensor) -> FrexpResult:
    """The mantissa in ``[0.5, 1)`` (in absolute value) and the int32 exponent of each
    element, ``input == mantissa * 2 ** exponent``, as ``torch.frexp``; 0, infinities and NaN
    keep their value with exponent 0. The mantissa differentiates as ``input / 2**exponent``.

    Examples
    --------
    >>> import polytensor as pt
    >>> m, e = pt.frexp(pt.asarray([8.0, -5.0, 0.0]))
    >>> m
    tensor([ 0.5  , -0.625,  0.   ], backend='numpy')
    >>> e
    tensor([4, 3, 0], dtype=polytensor.int32, backend='numpy')
    """
    x = _tensor_arg("frexp", "input", input)
    if x.dtype.kind != "real floating":
        raise TypeError(
            f"frexp() only supports floating-point dtypes; got {x.dtype.name}; cast with "
            f"x.float() or x.double()"
        )
    ax = E.abs(x.detach())
    regular = (ax > 0) & E.isfinite(ax)
    safe = where(regular, ax, 1.0)
    e = E.floor(E.log2(safe)) + 1.0
    # (log2 rounds near powers of two: bring the mantissa into [0.5, 1))
    m = safe / exp2(e - 1.0) / 2.0
    e = where(m >= 1.0, e + 1.0, where(m < 0.5, e - 1.0, e))
    e = where(regular, e, 0.0)
    mantissa = x / exp2(e - 1.0) / 2.0
    return FrexpResult(mantissa, astype(e, dt.int32))


def nansum(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: dt.DType | None = None
) -> Tensor:
    """The sum treating NaN as 0, as ``torch.nansum`` (over ``dim``, an int or a tuple, or
    every element); the gradient at a NaN is 0. Integers and booleans sum as ``pt.sum``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.nansum(pt.asarray([1.0, float("nan"), 2.0]))
    tensor(3., backend='numpy')
    """
    x = _tensor_arg("nansum", "input", input)
    _not_complex("nansum", x)
    if x.dtype.kind == "real floating":
        x = where(E.isnan(x), 0.0, x)
    return _pytorch.sum(x, dim, keepdim=keepdim, dtype=dtype)


def nanmean(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: dt.DType | None = None
) -> Tensor:
    """The mean of the elements that are not NaN, as ``torch.nanmean`` (NaN where every
    element is NaN, its gradient NaN there too); floating-point tensors only, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.nanmean(pt.asarray([1.0, float("nan"), 2.0]))
    tensor(1.5, backend='numpy')
    """
    x = _tensor_arg("nanmean", "input", input)
    if x.dtype.kind not in _FLOATING:
        raise TypeError(
            f"nanmean(): expected input to have floating point or complex dtype but got "
            f"{x.dtype.name}; cast with x.astype(pt.float32) or x.double()"
        )
    if dtype is not None:
        x = astype(x, dtype)
    kept = E.logical_not(E.isnan(x))
    # A lane of NaNs only takes its NaNs and is divided by a NaN count: its mean is NaN and so
    # is its gradient, as PyTorch's (nansum / count: 0 * (1 / 0)), not a silent 0.
    none = _pytorch.sum(astype(kept, x.dtype), dim, keepdim=True) == 0
    total = _pytorch.sum(where(E.logical_or(kept, none), x, 0.0), dim, keepdim=keepdim)
    count = _pytorch.sum(astype(kept, x.dtype), dim, keepdim=keepdim)
    return total / where(count == 0, math.nan, count)
