"""More of ``torch.nn.functional``'s activations: ``mish``, ``hardswish``, ``hardsigmoid``,
``glu``, ``channel_shuffle``, ``selu``, ``celu``, ``softsign``, ``tanhshrink``, ``softshrink``,
``hardshrink``, ``threshold`` and ``rrelu``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short. Each
is a composition of the standard's operations (no derivative rule of its own), chosen so that
its gradient is PyTorch's, at the kinks too.
"""

from __future__ import annotations

from typing import Any

from .._methods_aliases import hardshrink
from .._ops.elementwise import abs as _abs
from .._ops.elementwise import logaddexp
from .._ops.elementwise import tanh as _tanh
from .._ops.manipulation import permute_dims, reshape
from .._ops.searching import where
from .._tensor import Tensor
from ..autograd._input_in_grad import input_in_grad
from ._errors import LayerArgumentError
from ._random import uniform_like as _uniform_like
from .functional import (
    _REAL_FLOAT,
    _dim,
    _floating,
    _in_place,
    _integer_scalar,
    _real_number,
    _tensor,
    elu,
    sigmoid,
)

__all__ = [
    "celu",
    "channel_shuffle",
    "glu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "mish",
    "rrelu",
    "selu",
    "softshrink",
    "softsign",
    "tanhshrink",
    "threshold",
]

# SELU's constants, as PyTorch's (Klambauer et al., 2017)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _real(input: Tensor, where_: str) -> Tensor:
    x = _tensor(input, where_)
    _floating(x, where_, real=True)
    return x


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Mish: ``x * tanh(softplus(x))``, as ``torch.nn.functional.mish``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.mish(pt.asarray([-1.0, 0.0, 1.0], dtype=pt.float64))
    tensor([-0.30340146,  0.        ,  0.86509839], dtype=polytensor.float64, backend='numpy')
    """
    x = _real(input, "mish")

    def f(v: Tensor) -> Tensor:
        return v * _tanh(logaddexp(v, 0.0))  # (softplus without overflow)

    return _in_place(x, f, "mish_") if inplace else f(x)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """Hard swish: ``x * relu6(x + 3) / 6``, as ``torch.nn.functional.hardswish`` (its
    gradient ``x / 3 + 1 / 2`` strictly inside ``(-3, 3)``, 0 below and 1 above, as PyTorch's).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.hardswish(pt.asarray([-4.0, 0.0, 1.5, 4.0]))
    tensor([-0.   ,  0.   ,  1.125,  4.   ], backend='numpy')
    """
    x = _real(input, "hardswish")

    def f(v: Tensor) -> Tensor:
        # the quadratic sees only the values it is used for: at +-inf its gradient, masked
        # by where, would be 0 * inf = NaN
        mid = where((v > -3.0) & (v < 3.0), v, 0.0)
        return where(v <= -3.0, v * 0.0, where(v < 3.0, mid * (mid + 3.0) / 6.0, v))

    return _in_place(x, f, "hardswish_") if inplace else f(x)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """Hard sigmoid: ``relu6(x + 3) / 6``, as ``torch.nn.functional.hardsigmoid`` (the
    gradient 1/6 strictly inside ``(-3, 3)``, 0 outside).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.hardsigmoid(pt.asarray([-4.0, 0.0, 1.5, 4.0]))
    tensor([0.  , 0.5 , 0.75, 1.  ], backend='numpy')
    """
    x = _real(input, "hardsigmoid")

    def f(v: Tensor) -> Tensor:
        inside = v / 6.0 + 0.5
        # (NaN is neither above 3 nor below -3: it stays NaN, as PyTorch's)
        return where(v >= 3.0, 1.0, where(v <= -3.0, 0.0, inside))

    return _in_place(x, f, "hardsigmoid_") if inplace else f(x)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: ``a * sigmoid(b)``, where ``a`` and ``b`` are the first and the
    second half of ``input`` along ``dim``, as ``torch.nn.functional.glu``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.glu(pt.asarray([[2.0, 4.0, 0.0, 0.0]]))
    tensor([[1., 2.]], backend='numpy')
    """
    x = _real(input, "glu")
    if x.ndim == 0:
        raise LayerArgumentError(
            "glu does not support scalars because halving size must be even; give a tensor "
            "with at least one dimension"
        )
    d = _dim(dim, x.ndim, "glu")
    n = x.shape[d]
    if n is None or n % 2:
        raise LayerArgumentError(
            f"glu(): Halving dimension must be even, but dimension {d} is size {n}"
        )
    half = n // 2
    a = x[(slice(None),) * d + (slice(0, half),)]
    b = x[(slice(None),) * d + (slice(half, n),)]
    return a * sigmoid(b)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """The channels (dimension 1) of an (N, C, ...) input regrouped: ``groups`` groups of
    ``C // groups`` channels become ``C // groups`` groups of ``groups``, as
    ``torch.nn.functional.channel_shuffle`` (ShuffleNet's shuffle).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.channel_shuffle(pt.arange(6.0).reshape(1, 6, 1), 2).flatten()
    tensor([0., 3., 1., 4., 2., 5.], backend='numpy')
    """
    x = _tensor(input, "channel_shuffle")
    if isinstance(groups, bool) or not isinstance(groups, int):
        raise TypeError(f"channel_shuffle() expects an int number of groups; got {groups!r}")
    if x.ndim <= 2:
        raise LayerArgumentError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(x.shape)}"
        )
    if groups <= 0:
        raise LayerArgumentError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    c = x.shape[1]
    if c is None or c % groups:
        raise LayerArgumentError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    n, rest = x.shape[0], tuple(x.shape[2:])
    grouped = reshape(x, (n, groups, c // groups, *rest))
    swapped = permute_dims(grouped, (0, 2, 1, *range(3, x.ndim + 1)))
    return reshape(swapped, tuple(x.shape))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """SELU: ``scale * elu(x, alpha)`` with PyTorch's constants (alpha about 1.6733, scale
    about 1.0507), as ``torch.nn.functional.selu``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.selu(pt.asarray([-1.0, 0.0, 1.0], dtype=pt.float64))
    tensor([-1.11133074,  0.        ,  1.05070099], dtype=polytensor.float64, backend='numpy')
    """
    x = _real(input, "selu")

    def f(v: Tensor) -> Tensor:
        return elu(v, _SELU_ALPHA) * _SELU_SCALE

    return _in_place(x, f, "selu_") if inplace else f(x)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """CELU: x where x > 0, else ``alpha * (exp(x / alpha) - 1)``, as
    ``torch.nn.functional.celu``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.celu(pt.asarray([-1.0, 2.0], dtype=pt.float64), alpha=2.0)
    tensor([-0.78693868,  2.        ], dtype=polytensor.float64, backend='numpy')
    """
    x = _real(input, "celu")
    a = _real_number("celu", "alpha", alpha)
    if a == 0:
        raise LayerArgumentError(
            "celu(): ZeroDivisionError: alpha cannot be 0 for CELU; give a non-zero alpha"
        )

    def f(v: Tensor) -> Tensor:
        return elu(v / a, 1.0) * a

    return _in_place(x, f, "celu_") if inplace else f(x)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``, as ``torch.nn.functional.softsign``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.softsign(pt.asarray([-3.0, 0.0, 1.0]))
    tensor([-0.75,  0.  ,  0.5 ], backend='numpy')
    """
    # (an integer tensor gives the default float dtype, as PyTorch's: x / (|x| + 1) divides
    # integers as true division)
    x = _tensor(input, "softsign")
    _floating(x, "softsign", real=True, integers=True)
    return x / (_abs(x) + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``, as ``torch.nn.functional.tanhshrink``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.tanhshrink(pt.asarray([0.0, 1.0], dtype=pt.float64))
    tensor([0.        , 0.23840584], dtype=polytensor.float64, backend='numpy')
    """
    # (an integer tensor gives the default float dtype, as PyTorch's: tanh's)
    x = _tensor(input, "tanhshrink")
    _floating(x, "tanhshrink", real=True, integers=True)
    return x - _tanh(x)


def _lambd(where_: str, lambd: Any) -> float:
    lam = _real_number(where_, "lambd", lambd)
    if where_ == "softshrink" and not lam >= 0:
        raise LayerArgumentError(
            f"softshrink(): lambda must be in range [0, inf), but found {lambd}; give a "
            f"non-negative lambd"
        )
    return lam


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between, as
    ``torch.nn.functional.softshrink``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.softshrink(pt.asarray([-2.0, 0.25, 1.0]))
    tensor([-1.5,  0. ,  0.5], backend='numpy')
    """
    x = input_in_grad(_real(input, "softshrink"))  # (its gradient depends on it, as PyTorch's)
    lam = _lambd("softshrink", lambd)
    return where(x > lam, x - lam, where(x < -lam, x + lam, x * 0.0))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where ``x > threshold``, else ``value``, as ``torch.nn.functional.threshold``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.threshold(pt.asarray([-1.0, 0.5, 2.0]), 0.5, 9.0)
    tensor([9., 9., 2.], backend='numpy')
    >>> F.threshold(pt.asarray([-1, 1, 2]), 1.5, 9.0)  # (integers keep their dtype)
    tensor([9, 9, 2], backend='numpy')
    """
    x = _tensor(input, "threshold")
    th: float = _real_number("threshold", "threshold", threshold)
    val: float = _real_number("threshold", "value", value)
    if x._data.dtype not in x._backend.cats[_REAL_FLOAT]:
        _floating(x, "threshold", real=True, integers=True)
        # PyTorch's for an integer x: in its dtype, both truncated toward zero
        th = _integer_scalar("threshold", "threshold", th, x)
        val = _integer_scalar("threshold", "value", val, x)

    def f(v: Tensor) -> Tensor:
        v = input_in_grad(v)  # (its gradient depends on it, as PyTorch's)
        return where(v <= th, val, v)  # (NaN stays NaN, as PyTorch's)

    return _in_place(x, f, "threshold_") if inplace else f(x)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomized leaky ReLU, as ``torch.nn.functional.rrelu``: x where x >= 0, else
    ``a * x``, with ``a`` drawn from U(lower, upper) for each element in training and
    ``(lower + upper) / 2`` outside it.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.rrelu(pt.asarray([-2.0, 2.0]), 0.25, 0.75)
    tensor([-1.,  2.], backend='numpy')
    """
    x = _real(input, "rrelu")
    lo = _real_number("rrelu", "lower", lower)
    hi = _real_number("rrelu", "upper", upper)
    if lo > hi:
        raise LayerArgumentError(
            f"rrelu(): Lower bound should be less than or equal to the upper bound; got "
            f"lower={lo} and upper={hi}"
        )
    slope: Any = (lo + hi) / 2
    if training:
        if None in x.shape:
            raise ValueError(
                f"rrelu() of a tensor with unknown (lazy) shape {x.shape}; call pt.compute(x) first"
            )
        slope = _uniform_like(x.detach(), lo, hi)

    def f(v: Tensor) -> Tensor:
        v = input_in_grad(v)  # (its gradient depends on it, as PyTorch's)
        return where(v > 0, v, v * slope)

    return _in_place(x, f, "rrelu_") if inplace else f(x)
