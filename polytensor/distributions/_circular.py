"""The von Mises distribution of angles, ``VonMises``.

Its draws are Best and Fisher's rejection method (PyTorch's), computed in float64, from the
counter-based stream, so a seed gives the same numbers on every backend and nothing computes on
Dask: each element takes ``_CANDIDATES`` pairs of uniform numbers of its own (and one for the
sign) and keeps the first candidate accepted. Each is accepted with probability above 0.65, so
all are rejected with probability below 1e-18 (the first candidate is then kept).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from .. import _dtypes as dt
from .._ops import elementwise as E
from .._ops.data_types import astype
from .._ops.indexing import take_along_axis
from .._ops.manipulation import broadcast_to, expand_dims, squeeze
from .._ops.searching import argmax, where
from .._ops.special import i0e, i1e
from .._random import rand_like
from .._tensor import Tensor
from ..autograd._mode import no_grad
from . import constraints as C
from ._base import Distribution, _dims, _shape, _tensors

__all__ = ["VonMises"]

_CANDIDATES = 40


def _log_i0(x: Tensor) -> Tensor:
    """``log(I0(x))`` for ``x >= 0``, without overflow: ``log(i0e(x)) + x``."""
    return E.log(i0e(x)) + x


def _proposal_r(kappa: Tensor) -> Tensor:
    """Best and Fisher's ``r = (1 + rho^2) / (2 rho)`` of the wrapped Cauchy envelope, as
    PyTorch's; ``1 / kappa + kappa`` (its expansion) below ``kappa = 1e-5``."""
    small = kappa < 1e-5
    k = where(small, 1.0, kappa)  # (no 0 / 0 in the branch not taken)
    tau = 1 + E.sqrt(1 + 4 * k**2)
    rho = (tau - E.sqrt(2 * tau)) / (2 * k)
    return where(small, 1 / kappa + kappa, (1 + rho**2) / (2 * rho))


class VonMises(Distribution):
    """The von Mises (circular normal) distribution of the angle ``loc`` (radians) and
    ``concentration``, as PyTorch's: ``loc`` and the values may be any real numbers, taken
    modulo ``2 pi``; draws lie in ``[-pi, pi)``. It has no ``rsample``; ``mean`` and
    ``variance`` are the circular ones.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import VonMises
    >>> m = VonMises(pt.asarray([0.0], dtype=pt.float64), pt.asarray([1.0], dtype=pt.float64))
    >>> m.log_prob(pt.asarray([0.0], dtype=pt.float64))
    tensor([-1.07379142], dtype=polytensor.float64, backend='numpy')
    >>> m.variance
    tensor([0.55361003], dtype=polytensor.float64, backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"loc": C.real, "concentration": C.positive}
    support: Any = C.real

    def __init__(self, loc: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.loc, self.concentration = _tensors(loc, concentration)
        super().__init__(_dims(self.loc), (), validate_args)
        self._validate_params(loc=self.loc, concentration=self.concentration)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Angles in ``[-pi, pi)`` of shape ``sample_shape + batch_shape``, not
        differentiable.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import VonMises
        >>> x = VonMises(pt.asarray([3.0]), pt.asarray([20.0])).sample((4,))
        >>> tuple(x.shape), bool(pt.all(pt.abs(x) <= pt.pi))
        ((4, 1), True)
        """
        shape = _shape("sample", sample_shape) + self._batch_shape
        with no_grad():
            kappa = astype(broadcast_to(self.concentration.detach(), shape), dt.float64)
            loc = astype(broadcast_to(self.loc.detach(), shape), dt.float64)
            r = expand_dims(_proposal_r(kappa), axis=-1)
            u = rand_like(broadcast_to(expand_dims(kappa, axis=-1), shape + (2 * _CANDIDATES + 1,)))
            z = E.cos(math.pi * u[..., :_CANDIDATES])
            f = E.minimum(E.maximum((1 + r * z) / (r + z), -1.0), 1.0)
            # (positive, f < r, but 0 where r rounds to 1: kept from log's warning)
            c = E.maximum(expand_dims(kappa, axis=-1) * (r - f), 1e-300)
            u2 = 1 - u[..., _CANDIDATES : 2 * _CANDIDATES]  # (in (0, 1]: no log of 0 / 0)
            accepted = (c * (2 - c) - u2 > 0) | (E.log(c / u2) + 1 - c >= 0)
            first = argmax(astype(accepted, dt.int64), axis=-1, keepdims=True)
            angle = E.acos(squeeze(take_along_axis(f, first, axis=-1), axis=-1))
            x = E.sign(u[..., 2 * _CANDIDATES] - 0.5) * angle
            x = E.remainder(x + math.pi + loc, 2 * math.pi) - math.pi
            return astype(x, self.loc.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        """``concentration cos(value - loc) - log(2 pi) - log(I0(concentration))``."""
        value = self._validate_sample(value)
        k = self.concentration
        return k * E.cos(value - self.loc) - math.log(2 * math.pi) - _log_i0(k)

    @property
    def mean(self) -> Tensor:
        """``loc`` (the circular mean)."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """``1 - I1(concentration) / I0(concentration)`` (the circular variance)."""
        k = self.concentration
        return 1 - i1e(k) / i0e(k)

    def __repr__(self) -> str:
        return f"VonMises(loc: {self.loc!r}, concentration: {self.concentration!r})"
