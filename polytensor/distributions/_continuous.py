"""Location-scale distributions on the real line and its halves: ``Laplace``, ``Cauchy``,
``Gumbel`` and ``HalfNormal``, each with a reparameterised ``rsample``, and the
KL divergences between two of one family."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from .._ops import elementwise as E
from .._ops.creation import full, ones_like, zeros_like
from .._ops.data_types import finfo
from .._ops.manipulation import broadcast_to
from .._ops.searching import where
from .._ops.special import gammaln
from .._random import rand_like, randn_like
from .._tensor import Tensor
from ..autograd._mode import no_grad
from . import constraints as C
from ._base import Distribution, _dims, _shape, _tensors, register_kl
from ._basic import Normal, _kl_normal

__all__ = ["Cauchy", "GeneralizedPareto", "Gumbel", "HalfNormal", "Laplace"]

_EULER = 0.57721566490153286060  # the Euler-Mascheroni constant (PyTorch's euler_constant)


class _LocScale(Distribution):
    """A distribution of a real ``loc`` and a positive ``scale`` (the checks and the shapes)."""

    arg_constraints: ClassVar[dict[str, Any]] = {"loc": C.real, "scale": C.positive}
    support: Any = C.real

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None) -> None:
        self.loc, self.scale = _tensors(loc, scale)
        super().__init__(_dims(self.loc), (), validate_args)
        self._check("loc", E.logical_not(E.isnan(self.loc)), "numbers (not NaN)")
        self._check("scale", self.scale > 0, "positive")

    def _uniform(self, where_: str, sample_shape: Any) -> Tensor:
        """Uniform numbers in [0, 1) of the shape of a draw, the parameters' dtype."""
        shape = _shape(where_, sample_shape) + self._batch_shape
        return rand_like(broadcast_to(self.loc.detach(), shape))

    def _real_value(self, value: Any) -> Tensor:
        checked = self._check_value(value)
        if self._validate_args:
            self._check("value", E.logical_not(E.isnan(checked)), "numbers (not NaN)")
        return checked

    def __repr__(self) -> str:
        return f"{type(self).__name__}(loc: {self.loc!r}, scale: {self.scale!r})"


class Laplace(_LocScale):
    """The Laplace (double exponential) distribution of location ``loc`` and scale ``scale``,
    as PyTorch's; ``rsample`` is ``loc - scale sign(u) log(1 - |u|)`` for ``u`` uniform in
    ``(-1, 1)``, differentiable in both.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Laplace
    >>> m = Laplace(pt.asarray([0.0]), pt.asarray([2.0]))
    >>> m.log_prob(pt.asarray([0.0])).exp(), m.variance
    (tensor([0.25], backend='numpy'), tensor([8.], backend='numpy'))
    """

    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        super().__init__(loc, scale, validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = finfo(self.loc.dtype).eps
        # u in [eps - 1, 1), as PyTorch's: log1p(-|u|) stays finite
        u = self._uniform("rsample", sample_shape) * (2 - eps) + (eps - 1)
        return self.loc - self.scale * E.sign(u) * E.log1p(-E.abs(u))

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(2 scale) - |value - loc| / scale``."""
        value = self._real_value(value)
        return -E.log(2 * self.scale) - E.abs(value - self.loc) / self.scale

    def entropy(self) -> Tensor:
        """``1 + log(2 scale)``."""
        return 1 + E.log(2 * self.scale)

    def cdf(self, value: Tensor) -> Tensor:
        """``1/2 - sign(value - loc) expm1(-|value - loc| / scale) / 2``."""
        d = self._check_value(value) - self.loc
        return 0.5 - 0.5 * E.sign(d) * E.expm1(-E.abs(d) / self.scale)

    def icdf(self, value: Tensor) -> Tensor:
        """``loc - scale sign(value - 1/2) log(1 - 2 |value - 1/2|)``."""
        term = self._check_value(value) - 0.5
        return self.loc - self.scale * E.sign(term) * E.log1p(-2 * E.abs(term))

    @property
    def mean(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """``2 scale^2``."""
        return 2 * self.scale**2

    @property
    def stddev(self) -> Tensor:
        """``sqrt(2) scale``."""
        return math.sqrt(2) * self.scale


class Cauchy(_LocScale):
    """The Cauchy (Lorentz) distribution of location ``loc`` and half width ``scale``, as
    PyTorch's; ``rsample`` is ``loc + scale tan(pi (u - 1/2))``, differentiable in both. It has
    no mean (NaN) and an infinite variance.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Cauchy
    >>> m = Cauchy(pt.asarray([0.0]), pt.asarray([1.0]))
    >>> m.cdf(pt.asarray([1.0])), m.icdf(pt.asarray([0.75]))
    (tensor([0.75], backend='numpy'), tensor([1.], backend='numpy'))
    """

    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        super().__init__(loc, scale, validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        u = self._uniform("rsample", sample_shape)
        return self.loc + E.tan(math.pi * (u - 0.5)) * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(pi) - log(scale) - log(1 + ((value - loc) / scale)^2)``."""
        value = self._real_value(value)
        return (
            -math.log(math.pi) - E.log(self.scale) - E.log1p(((value - self.loc) / self.scale) ** 2)
        )

    def entropy(self) -> Tensor:
        """``log(4 pi) + log(scale)``."""
        return math.log(4 * math.pi) + E.log(self.scale)

    def cdf(self, value: Tensor) -> Tensor:
        """``atan((value - loc) / scale) / pi + 1/2``."""
        return E.atan((self._check_value(value) - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value: Tensor) -> Tensor:
        """``loc + scale tan(pi (value - 1/2))``."""
        return E.tan(math.pi * (self._check_value(value) - 0.5)) * self.scale + self.loc

    @property
    def mean(self) -> Tensor:
        """NaN, as PyTorch's (the Cauchy distribution has no mean)."""
        return full(self._batch_shape, math.nan, dtype=self.loc.dtype, device=self.loc.device)

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """``inf``, as PyTorch's."""
        return full(self._batch_shape, math.inf, dtype=self.loc.dtype, device=self.loc.device)


class Gumbel(_LocScale):
    """The Gumbel (type I extreme value) distribution of location ``loc`` and scale
    ``scale``, as PyTorch's; ``rsample`` is ``loc - scale log(-log(u))`` for ``u`` uniform in
    ``[tiny, 1 - eps]``, differentiable in both.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Gumbel
    >>> m = Gumbel(pt.asarray([0.0]), pt.asarray([1.0]))
    >>> m.mean
    tensor([0.5772157], backend='numpy')
    >>> m.log_prob(pt.asarray([0.0])).exp()
    tensor([0.36787942], backend='numpy')
    """

    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        super().__init__(loc, scale, validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        fi = finfo(self.loc.dtype)
        u = fi.smallest_normal + self._uniform("rsample", sample_shape) * (
            1 - fi.eps - fi.smallest_normal
        )
        return self.loc - self.scale * E.log(-E.log(u))

    def log_prob(self, value: Tensor) -> Tensor:
        """``y - exp(y) - log(scale)`` for ``y = (loc - value) / scale``."""
        value = self._real_value(value)
        y = (self.loc - value) / self.scale
        return (y - E.exp(y)) - E.log(self.scale)

    def entropy(self) -> Tensor:
        """``log(scale) + 1 + euler_constant``."""
        return E.log(self.scale) + (1 + _EULER)

    def cdf(self, value: Tensor) -> Tensor:
        """``exp(-exp(-(value - loc) / scale))``."""
        return E.exp(-E.exp(-(self._check_value(value) - self.loc) / self.scale))

    def icdf(self, value: Tensor) -> Tensor:
        """``loc - scale log(-log(value))``."""
        return self.loc - self.scale * E.log(-E.log(self._check_value(value)))

    @property
    def mean(self) -> Tensor:
        """``loc + scale euler_constant``."""
        return self.loc + self.scale * _EULER

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """``pi / sqrt(6) scale``."""
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Tensor:
        """``(pi scale)^2 / 6``."""
        return self.stddev**2


class HalfNormal(Distribution):
    """The distribution of ``|X|`` for ``X`` normal of mean 0 and standard deviation
    ``scale``, as PyTorch's; ``rsample`` is ``scale |eps|``, differentiable in the scale.
    ``base_dist`` is that normal distribution.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import HalfNormal
    >>> m = HalfNormal(pt.asarray([1.0]))
    >>> m.log_prob(pt.asarray([0.0])).exp()
    tensor([0.7978846], backend='numpy')
    >>> m.icdf(pt.asarray([0.5]))
    tensor([0.67448974], backend='numpy')
    """

    has_rsample = True

    arg_constraints: ClassVar[dict[str, Any]] = {"scale": C.positive}
    support: Any = C.nonnegative

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        (self.scale,) = _tensors(scale)
        super().__init__(_dims(self.scale), (), validate_args)
        self._check("scale", self.scale > 0, "positive")
        self.base_dist = Normal(zeros_like(self.scale.detach()), self.scale, validate_args=False)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """The absolute value of the base normal's draw: a negative or NaN ``scale`` is refused
        there, as PyTorch's, even with ``validate_args=False``."""
        with no_grad():
            return E.abs(self.base_dist.sample(sample_shape))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = _shape("rsample", sample_shape) + self._batch_shape
        eps = randn_like(broadcast_to(self.scale.detach(), shape))
        return E.abs(eps * self.scale)

    def log_prob(self, value: Tensor) -> Tensor:
        """The normal log-density plus ``log(2)`` from 0 on, ``-inf`` below."""
        value = self._check_value(value)
        if self._validate_args:
            self._check("value", value >= 0, "non-negative")
        return where(value >= 0, self.base_dist.log_prob(value) + math.log(2), -math.inf)

    def entropy(self) -> Tensor:
        """The normal distribution's entropy less ``log(2)``."""
        return self.base_dist.entropy() - math.log(2)

    def cdf(self, value: Tensor) -> Tensor:
        """Twice the normal distribution function, less 1."""
        return 2 * self.base_dist.cdf(self._check_value(value)) - 1

    def icdf(self, value: Tensor) -> Tensor:
        """The normal quantile of ``(value + 1) / 2``."""
        return self.base_dist.icdf((self._check_value(value) + 1) / 2)

    @property
    def mean(self) -> Tensor:
        """``scale sqrt(2 / pi)``."""
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self) -> Tensor:
        """0."""
        return zeros_like(self.scale)

    @property
    def variance(self) -> Tensor:
        """``scale^2 (1 - 2 / pi)``."""
        return self.scale**2 * (1 - 2 / math.pi)

    def __repr__(self) -> str:
        return f"HalfNormal(scale: {self.scale!r})"


# -- KL divergences -----------------------------------------------------------------------------


@register_kl(Laplace, Laplace)
def _kl_laplace(p: Laplace, q: Laplace) -> Tensor:
    scale_ratio = p.scale / q.scale
    loc_abs_diff = E.abs(p.loc - q.loc)
    t1 = -E.log(scale_ratio)
    t2 = loc_abs_diff / q.scale
    t3 = scale_ratio * E.exp(-loc_abs_diff / p.scale)
    return t1 + t2 + t3 - 1


@register_kl(Cauchy, Cauchy)
def _kl_cauchy(p: Cauchy, q: Cauchy) -> Tensor:
    t1 = E.log((p.scale + q.scale) ** 2 + (p.loc - q.loc) ** 2)
    t2 = E.log(4 * p.scale * q.scale)
    return t1 - t2


@register_kl(Gumbel, Gumbel)
def _kl_gumbel(p: Gumbel, q: Gumbel) -> Tensor:
    ct1 = p.scale / q.scale
    ct2 = q.loc / q.scale
    ct3 = p.loc / q.scale
    t1 = -E.log(ct1) - ct2 + ct3
    t2 = ct1 * _EULER
    t3 = E.exp(ct2 + gammaln(1 + ct1) - ct3)
    return t1 + t2 + t3 - (1 + _EULER)


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal(p: HalfNormal, q: HalfNormal) -> Tensor:
    return _kl_normal(p.base_dist, q.base_dist)


class GeneralizedPareto(Distribution):
    """The generalized Pareto distribution of ``loc``, ``scale`` and ``concentration``
    (``xi``), as PyTorch's (after TensorFlow Probability's): exponential where
    ``concentration`` is 0, Pareto-like tails where it is positive, bounded above by ``loc -
    scale / concentration`` where it is negative. ``rsample`` is the quantile function of a
    uniform draw, differentiable in all three.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import GeneralizedPareto
    >>> m = GeneralizedPareto(pt.asarray([0.0]), pt.asarray([2.0]), pt.asarray([0.0]))
    >>> m.log_prob(pt.asarray([2.0])), m.mean  # (an exponential of rate 1/2)
    (tensor([-1.6931472], backend='numpy'), tensor([2.], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": C.real,
        "scale": C.positive,
        "concentration": C.real,
    }
    has_rsample = True

    def __init__(
        self, loc: Any, scale: Any, concentration: Any, validate_args: bool | None = None
    ) -> None:
        self.loc, self.scale, self.concentration = _tensors(loc, scale, concentration)
        super().__init__(_dims(self.loc), (), validate_args)
        self._validate_params(loc=self.loc, scale=self.scale, concentration=self.concentration)

    def _safe_concentration(self) -> tuple[Tensor, Tensor]:
        """Where the concentration is 0 (within PyTorch's ``isclose``: 1e-8), and the
        concentration with 1 there (no division by 0 in the branch not taken)."""
        c = self.concentration
        zero = E.abs(c) <= 1e-8
        return zero, where(zero, 1.0, c)

    @property
    def support(self) -> Any:
        """``interval(loc, loc - scale / concentration)`` where the concentration is negative,
        ``[loc, inf]`` elsewhere."""
        c = self.concentration
        negative = c < 0
        upper = where(negative, self.loc - self.scale / where(negative, c, -1.0), math.inf)
        return C.interval(self.loc, upper)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = _shape("rsample", sample_shape) + self._batch_shape
        return self.icdf(rand_like(broadcast_to(self.loc.detach(), shape)))

    def _z(self, value: Tensor) -> Tensor:
        return (value - self.loc) / self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(scale) - (1 / xi + 1) log1p(xi z)`` for ``z = (value - loc) / scale``
        (``-log(scale) - z`` where ``xi`` is 0)."""
        value = self._validate_sample(value)
        z = self._z(value)
        zero, c = self._safe_concentration()
        y = 1 / c + ones_like(z)
        nonzero = where(y == 0, y, y * E.log1p(c * z))
        return -E.log(self.scale) - where(zero, z, nonzero)

    def log_survival_function(self, value: Tensor) -> Tensor:
        """``log P(X > value)``: ``-log1p(xi z) / xi`` (``-z`` where ``xi`` is 0).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import GeneralizedPareto
        >>> GeneralizedPareto(0.0, 1.0, 0.0).log_survival_function(pt.asarray(3.0))
        tensor(-3., backend='numpy')
        """
        value = self._validate_sample(value)
        z = self._z(value)
        zero, c = self._safe_concentration()
        return where(zero, -z, -E.log1p(c * z) / c)

    def log_cdf(self, value: Tensor) -> Tensor:
        """``log P(X <= value)``: ``log1p(-exp(log_survival_function(value)))``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import GeneralizedPareto
        >>> GeneralizedPareto(0.0, 1.0, 0.0).log_cdf(pt.asarray(1.0, dtype=pt.float64))
        tensor(-0.45867515, dtype=polytensor.float64, backend='numpy')
        """
        return E.log1p(-E.exp(self.log_survival_function(value)))

    def cdf(self, value: Tensor) -> Tensor:
        """``exp(log_cdf(value))``."""
        return E.exp(self.log_cdf(value))

    def icdf(self, value: Tensor) -> Tensor:
        """``loc + scale expm1(-xi log1p(-value)) / xi`` (``loc - scale log1p(-value)`` where
        ``xi`` is 0)."""
        zero, c = self._safe_concentration()
        logu = E.log1p(-value)
        nonzero = self.loc + self.scale / c * E.expm1(-c * logu)
        return where(zero, self.loc - self.scale * logu, nonzero)

    @property
    def mean(self) -> Tensor:
        """``loc + scale / (1 - xi)`` (NaN where ``xi >= 1``)."""
        c = self.concentration
        valid = c < 1
        safe = where(valid, c, 0.5)
        return where(valid, self.loc + self.scale / (1 - safe), math.nan)

    @property
    def variance(self) -> Tensor:
        """``scale^2 / ((1 - xi)^2 (1 - 2 xi))`` (NaN where ``xi >= 1/2``)."""
        c = self.concentration
        valid = c < 0.5
        safe = where(valid, c, 0.25)
        return where(valid, self.scale**2 / ((1 - safe) ** 2 * (1 - 2 * safe)), math.nan)

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    def entropy(self) -> Tensor:
        """``log(scale) + xi + 1``."""
        return broadcast_to(E.log(self.scale) + self.concentration + 1, self._batch_shape)

    def __repr__(self) -> str:
        return (
            f"GeneralizedPareto(loc: {self.loc!r}, scale: {self.scale!r}, concentration: "
            f"{self.concentration!r})"
        )
