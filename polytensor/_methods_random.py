"""More of PyTorch's in-place random fills, ``TensorRandomMethods`` (a base of ``Tensor``):
``x.geometric_(p)``, ``x.log_normal_(mean, std)``, ``x.cauchy_(median, sigma)``.

Each transforms a draw of the counter-based stream (``pt.rand``'s or ``pt.randn``'s), so a seed
gives the same numbers on every backend, and writes it as ``normal_`` does: in a graph the
tensor keeps its history at a zero gradient, and a leaf that requires grad is refused.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import _dtypes as dt
from . import _random
from ._methods import _fill_drawn, _floating_self
from ._ops import elementwise

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["TensorRandomMethods"]


def geometric_(self: Tensor, p: float, *, generator: Any = None) -> Tensor:
    """Fill with geometric random numbers in place: the number of trials, each a success with
    probability ``p`` (in (0, 1)), up to and including the first success (1, 2, ...).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.empty(100).geometric_(0.5)
    >>> bool((x >= 1).all()), bool((x == x.floor()).all())
    (True, True)
    """
    q = _random._number("geometric_", "p", p)
    if not 0 < q < 1:
        raise RuntimeError(f"geometric_() expects p to be in (0, 1); got p={p!r}")
    if self.dtype is dt.bool or self.dtype.kind == "complex floating":
        raise TypeError(f"geometric_() fills real numeric tensors; this one is {self.dtype.name}")
    u = _random._like_draw("geometric_", self, "uniform", (), dt.float64, generator)
    # (1 - u lies in (0, 1]: log1p(-u) is finite; a count of at least one trial)
    k = elementwise.maximum(elementwise.ceil(elementwise.log1p(-u) / math.log1p(-q)), 1.0)
    return _fill_drawn(self, k, "geometric_")


def log_normal_(
    self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator: Any = None
) -> Tensor:
    """Fill with log-normal random numbers in place: ``exp`` of normal numbers of mean
    ``mean`` and standard deviation ``std`` (> 0).

    Examples
    --------
    >>> import polytensor as pt
    >>> bool((pt.empty(100).log_normal_(0.0, 0.5) > 0).all())
    True
    """
    _floating_self(self, "log_normal_")
    m = _random._number("log_normal_", "mean", mean)
    s = _random._number("log_normal_", "std", std)
    if not s > 0:
        raise RuntimeError(f"log_normal_() expects std > 0.0; got std={std!r}")
    z = _random._like_draw("log_normal_", self, "normal", (), self.dtype, generator)
    return _fill_drawn(self, elementwise.exp(z * s + m), "log_normal_")


def cauchy_(
    self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None
) -> Tensor:
    """Fill with Cauchy random numbers in place, of location ``median`` and scale ``sigma``
    (> 0): ``median + sigma * tan(pi * (u - 1/2))`` for uniform ``u``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.empty(1000).cauchy_(2.0, 0.5)
    >>> bool(abs(x.median() - 2.0) < 0.2)
    True
    """
    _floating_self(self, "cauchy_")
    m = _random._number("cauchy_", "median", median)
    s = _random._number("cauchy_", "sigma", sigma)
    if not s > 0:
        raise RuntimeError(f"cauchy_() expects sigma > 0.0; got sigma={sigma!r}")
    u = _random._like_draw("cauchy_", self, "uniform", (), dt.float64, generator)
    return _fill_drawn(self, elementwise.tan((u - 0.5) * math.pi) * s + m, "cauchy_")


class TensorRandomMethods:
    """More of PyTorch's in-place random fills.

    Examples
    --------
    >>> import polytensor as pt
    >>> _ = pt.manual_seed(0)
    >>> a = pt.empty(3).cauchy_()
    >>> _ = pt.manual_seed(0)
    >>> bool((pt.empty(3).cauchy_() == a).all())
    True
    """

    __slots__ = ()

    geometric_ = geometric_
    log_normal_ = log_normal_
    cauchy_ = cauchy_
