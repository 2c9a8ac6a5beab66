"""``TransformedDistribution``: the distribution of ``f(X)`` for ``X`` of a base distribution
and ``f`` a sequence of transforms, with its log-density by the change of variables; and the
families PyTorch builds on it: ``LogNormal``, ``HalfCauchy``, ``Pareto``, ``Weibull``,
``Kumaraswamy`` and ``InverseGamma``."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from .._checks import describe
from .._ops import elementwise as E
from .._ops.creation import asarray, full, ones_like, zeros_like
from .._ops.searching import where
from .._ops.special import digamma, gammaln
from .._tensor import Tensor
from ..autograd._mode import no_grad
from . import constraints as C
from ._base import Distribution, _expanded, _tensors, kl_divergence, register_kl
from ._basic import Exponential, Normal, Uniform
from ._continuous import _EULER, Cauchy
from ._gamma import Gamma
from ._multivariate import Independent
from ._transform_base import _sum_rightmost
from .transforms import (
    AbsTransform,
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    PowerTransform,
    StickBreakingTransform,
    Transform,
)

__all__ = [
    "HalfCauchy",
    "InverseGamma",
    "Kumaraswamy",
    "LogNormal",
    "LogisticNormal",
    "Pareto",
    "TransformedDistribution",
    "Weibull",
]


class TransformedDistribution(Distribution):
    """The distribution of ``transforms[-1](... transforms[0](X))`` for ``X`` drawn from
    ``base_distribution``, as PyTorch's: ``log_prob(y)`` is the base log-density of the
    inverse image less the transforms' log-Jacobians; ``rsample`` is differentiable where the
    base's is. Where a transform's event has more dimensions than the base's, the base's
    rightmost batch dimensions become event dimensions (as with ``Independent``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Normal, TransformedDistribution
    >>> from polytensor.distributions.transforms import TanhTransform
    >>> mu = pt.zeros(2, requires_grad=True)
    >>> pi = TransformedDistribution(Normal(mu, 1.0), [TanhTransform(cache_size=1)])
    >>> a = pi.rsample()
    >>> lp = pi.log_prob(a)  # (the cached pre-image: no atanh of a rounded tanh)
    >>> tuple(lp.shape), pi.has_rsample
    ((2,), True)
    >>> lp.sum().backward(); tuple(mu.grad.shape)
    (2,)
    """

    def __init__(
        self,
        base_distribution: Distribution,
        transforms: Any,
        validate_args: bool | None = None,
    ) -> None:
        if not isinstance(base_distribution, Distribution):
            raise TypeError(
                f"TransformedDistribution() expects a distribution as base_distribution; got "
                f"{describe(base_distribution)}"
            )
        if isinstance(transforms, Transform):
            self.transforms: list[Transform] = [transforms]
        elif isinstance(transforms, (list, tuple)) and all(
            isinstance(t, Transform) for t in transforms
        ):
            self.transforms = list(transforms)
        else:
            raise ValueError(
                f"TransformedDistribution() expects transforms to be a Transform or a list of "
                f"Transforms; got {describe(transforms)}"
            )
        base_shape = base_distribution.batch_shape + base_distribution.event_shape
        base_event_dim = len(base_distribution.event_shape)
        transform = ComposeTransform(self.transforms)
        if len(base_shape) < transform.domain.event_dim:
            raise ValueError(
                f"TransformedDistribution(): the transforms need events of "
                f"{transform.domain.event_dim} dimensions; the base distribution's shape "
                f"{base_shape} has only {len(base_shape)}"
            )
        forward_shape = transform.forward_shape(base_shape)
        expanded_base_shape = transform.inverse_shape(forward_shape)
        if base_shape != expanded_base_shape:
            cut = len(expanded_base_shape) - base_event_dim
            base_distribution = base_distribution.expand(expanded_base_shape[:cut])
        reinterpreted = transform.domain.event_dim - base_event_dim
        if reinterpreted > 0:
            base_distribution = Independent(base_distribution, reinterpreted)
        self.base_dist = base_distribution
        change = transform.codomain.event_dim - transform.domain.event_dim
        event_dim = max(transform.codomain.event_dim, base_event_dim + change)
        cut = len(forward_shape) - event_dim
        super().__init__(forward_shape[:cut], forward_shape[cut:], validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """This distribution with its base distribution expanded to the batch shape
        ``batch_shape``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Normal, TransformedDistribution
        >>> from polytensor.distributions.transforms import ExpTransform
        >>> TransformedDistribution(Normal(0.0, 1.0), ExpTransform()).expand((3,)).batch_shape
        (3,)
        """
        shape = self._expand_shape(batch_shape)
        base_shape = shape + self._event_shape
        base_shape = ComposeTransform(self.transforms).inverse_shape(base_shape)
        cut = len(base_shape) - len(self.base_dist.event_shape)
        new = type(self).__new__(type(self))
        old = self._batch_shape
        for key, v in self.__dict__.items():
            new.__dict__[key] = v if isinstance(v, Distribution) else _expanded(v, old, shape)
        new.base_dist = self.base_dist.expand(base_shape[:cut])
        new._batch_shape = shape
        return new

    @property
    def support(self) -> Any:
        """The last transform's codomain (over the whole event)."""
        if not self.transforms:
            return self.base_dist.support
        support = self.transforms[-1].codomain
        if len(self._event_shape) > support.event_dim:
            support = C.independent(support, len(self._event_shape) - support.event_dim)
        return support

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        """The base distribution's."""
        return self.base_dist.has_rsample

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """The transforms of a base draw, not differentiable."""
        with no_grad():
            x = self.base_dist.sample(sample_shape)
            for t in self.transforms:
                x = t(x)
            return x

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """The transforms of a reparameterised base draw, differentiable in the parameters of
        the base and of the transforms."""
        x = self.base_dist.rsample(sample_shape)
        for t in self.transforms:
            x = t(x)
        return x

    def log_prob(self, value: Tensor) -> Tensor:
        """The base log-density of the inverse image, less each transform's
        ``log_abs_det_jacobian`` (summed over the event)."""
        value = self._validate_sample(value)
        event_dim = len(self._event_shape)
        log_prob: Any = 0.0
        y = value
        for t in reversed(self.transforms):
            x = t.inv(y)
            event_dim += t.domain.event_dim - t.codomain.event_dim
            log_prob = log_prob - _sum_rightmost(
                t.log_abs_det_jacobian(x, y), event_dim - t.domain.event_dim
            )
            y = x
        return log_prob + _sum_rightmost(  # type: ignore[no-any-return]
            self.base_dist.log_prob(y), event_dim - len(self.base_dist.event_shape)
        )

    def _monotonize_cdf(self, value: Tensor) -> Tensor:
        sign: Any = 1
        for t in self.transforms:
            sign = sign * t.sign
        if isinstance(sign, int) and sign == 1:
            return value
        return sign * (value - 0.5) + 0.5  # type: ignore[no-any-return]

    def cdf(self, value: Tensor) -> Tensor:
        """The base distribution function of the inverse image (reflected where the
        transforms decrease)."""
        value = self._check_value(value)
        for t in reversed(self.transforms):
            value = t.inv(value)
        return self._monotonize_cdf(self.base_dist.cdf(value))

    def icdf(self, value: Tensor) -> Tensor:
        """The transforms of the base quantile."""
        value = self._monotonize_cdf(self._check_value(value))
        value = self.base_dist.icdf(value)
        for t in self.transforms:
            value = t(value)
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LogNormal(TransformedDistribution):
    """The distribution of ``exp(X)`` for ``X`` normal of mean ``loc`` and standard deviation
    ``scale``, as PyTorch's: a ``TransformedDistribution`` of that normal distribution
    (``base_dist``) and ``ExpTransform``; ``rsample`` is differentiable in both.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import LogNormal
    >>> m = LogNormal(pt.asarray([0.0], dtype=pt.float64), pt.asarray([1.0], dtype=pt.float64))
    >>> m.log_prob(pt.asarray([1.0], dtype=pt.float64))
    tensor([-0.91893853], dtype=polytensor.float64, backend='numpy')
    >>> m.cdf(pt.asarray([1.0], dtype=pt.float64))
    tensor([0.5], dtype=polytensor.float64, backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"loc": C.real, "scale": C.positive}
    support: Any = C.positive
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base = Normal(loc, scale, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    @property
    def _normal(self) -> Normal:
        base = self.base_dist
        assert isinstance(base, Normal)
        return base

    @property
    def loc(self) -> Tensor:
        """The mean of the normal distribution of ``log(X)``."""
        return self._normal.loc

    @property
    def scale(self) -> Tensor:
        """The standard deviation of the normal distribution of ``log(X)``."""
        return self._normal.scale

    def entropy(self) -> Tensor:
        """The normal distribution's entropy plus ``loc``."""
        return self._normal.entropy() + self.loc

    @property
    def mean(self) -> Tensor:
        """``exp(loc + scale^2 / 2)``."""
        return E.exp(self.loc + self.scale**2 / 2)

    @property
    def mode(self) -> Tensor:
        """``exp(loc - scale^2)``."""
        return E.exp(self.loc - self.scale**2)

    @property
    def variance(self) -> Tensor:
        """``(exp(scale^2) - 1) exp(2 loc + scale^2)``."""
        s2 = self.scale**2
        return E.expm1(s2) * E.exp(2 * self.loc + s2)

    def __repr__(self) -> str:
        return f"LogNormal(loc: {self.loc!r}, scale: {self.scale!r})"


class LogisticNormal(TransformedDistribution):
    """The distribution on the simplex of ``StickBreakingTransform(X)`` for ``X`` normal of
    mean ``loc`` and standard deviation ``scale`` (vectors of ``K - 1`` elements for a
    ``K``-simplex), as PyTorch's; ``rsample`` is differentiable in both.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import LogisticNormal
    >>> m = LogisticNormal(pt.zeros(2, dtype=pt.float64), pt.ones(2, dtype=pt.float64))
    >>> m.batch_shape, m.event_shape, tuple(m.sample((4,)).shape)
    ((), (3,), (4, 3))
    >>> m.log_prob(pt.asarray([1 / 3, 1 / 3, 1 / 3], dtype=pt.float64))
    tensor(1.4579598, dtype=polytensor.float64, backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"loc": C.real, "scale": C.positive}
    support: Any = C.simplex
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base: Distribution = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:
            base = base.expand((1,))
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    @property
    def _normal(self) -> Normal:
        base = self.base_dist
        inner = base.base_dist if isinstance(base, Independent) else base
        assert isinstance(inner, Normal)
        return inner

    @property
    def loc(self) -> Tensor:
        """The mean of the normal distribution before the stick-breaking."""
        return self._normal.loc

    @property
    def scale(self) -> Tensor:
        """The standard deviation of the normal distribution before the stick-breaking."""
        return self._normal.scale

    def __repr__(self) -> str:
        return f"LogisticNormal(loc: {self.loc!r}, scale: {self.scale!r})"


class HalfCauchy(TransformedDistribution):
    """The distribution of ``|X|`` for ``X`` Cauchy of location 0 and scale ``scale``, as
    PyTorch's; ``rsample`` is differentiable in the scale. Its mean and variance are infinite.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import HalfCauchy
    >>> m = HalfCauchy(pt.asarray([1.0]))
    >>> m.cdf(pt.asarray([1.0])), m.log_prob(pt.asarray([0.0])).exp()
    (tensor([0.5], backend='numpy'), tensor([0.63661987], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"scale": C.positive}
    support: Any = C.nonnegative
    has_rsample = True

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        base = Cauchy(0.0, scale, validate_args=False)
        self._validate_first(validate_args, scale=base.scale)
        super().__init__(base, AbsTransform(), validate_args=validate_args)

    @property
    def scale(self) -> Tensor:
        """The scale of the Cauchy distribution folded."""
        return self._cauchy.scale

    @property
    def _cauchy(self) -> Cauchy:
        base = self.base_dist
        assert isinstance(base, Cauchy)
        return base

    def log_prob(self, value: Tensor) -> Tensor:
        """The Cauchy log-density plus ``log(2)`` from 0 on, ``-inf`` below."""
        value = self._validate_sample(value)
        lp = self._cauchy.log_prob(value) + math.log(2)
        return where(value >= 0, lp, -math.inf)

    def cdf(self, value: Tensor) -> Tensor:
        """Twice the Cauchy distribution function, less 1."""
        return 2 * self._cauchy.cdf(self._validate_sample(value)) - 1

    def icdf(self, value: Tensor) -> Tensor:
        """The Cauchy quantile of ``(value + 1) / 2``."""
        return self._cauchy.icdf((self._check_value(value) + 1) / 2)

    def entropy(self) -> Tensor:
        """The Cauchy entropy less ``log(2)``."""
        return self._cauchy.entropy() - math.log(2)

    @property
    def mean(self) -> Tensor:
        """``inf``, as PyTorch's."""
        s = self.scale
        return full(self._batch_shape, math.inf, dtype=s.dtype, device=s.device)

    @property
    def mode(self) -> Tensor:
        """0."""
        return zeros_like(self.scale)

    @property
    def variance(self) -> Tensor:
        """``inf``, as PyTorch's."""
        return self._cauchy.variance

    def __repr__(self) -> str:
        return f"HalfCauchy(scale: {self.scale!r})"


class Pareto(TransformedDistribution):
    """The Pareto (type I) distribution of minimum ``scale`` and tail index ``alpha``, as
    PyTorch's: ``scale exp(X)`` for ``X`` exponential of rate ``alpha``; ``rsample`` is
    differentiable in both.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Pareto
    >>> m = Pareto(pt.asarray([1.0]), pt.asarray([3.0]))
    >>> m.mean, m.log_prob(pt.asarray([2.0])).exp()
    (tensor([1.5], backend='numpy'), tensor([0.1875], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"alpha": C.positive, "scale": C.positive}

    def __init__(self, scale: Any, alpha: Any, validate_args: bool | None = None) -> None:
        self.scale, self.alpha = _tensors(scale, alpha)
        self._validate_first(validate_args, alpha=self.alpha, scale=self.scale)
        base = Exponential(self.alpha, validate_args=False)
        transforms = [ExpTransform(), AffineTransform(loc=0.0, scale=self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def support(self) -> Any:
        """``greater_than_eq(scale)``."""
        return C.greater_than_eq(self.scale)

    @property
    def mean(self) -> Tensor:
        """``alpha scale / (alpha - 1)`` (``inf`` where ``alpha <= 1``)."""
        a = where(self.alpha > 1, self.alpha, 2.0)  # (no division by 0 in the branch not taken)
        return where(self.alpha > 1, a * self.scale / (a - 1), math.inf)

    @property
    def mode(self) -> Tensor:
        """``scale``."""
        return self.scale

    @property
    def variance(self) -> Tensor:
        """``scale^2 alpha / ((alpha - 1)^2 (alpha - 2))`` (``inf`` where ``alpha <= 2``)."""
        a = where(self.alpha > 2, self.alpha, 3.0)
        return where(self.alpha > 2, self.scale**2 * a / ((a - 1) ** 2 * (a - 2)), math.inf)

    def entropy(self) -> Tensor:
        """``log(scale / alpha) + 1 + 1 / alpha``."""
        return E.log(self.scale / self.alpha) + (1 + 1 / self.alpha)

    def __repr__(self) -> str:
        return f"Pareto(scale: {self.scale!r}, alpha: {self.alpha!r})"


class Weibull(TransformedDistribution):
    """The Weibull distribution of ``scale`` and shape ``concentration``, as PyTorch's:
    ``scale X^(1 / concentration)`` for ``X`` exponential of rate 1; ``rsample`` is
    differentiable in both.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Weibull
    >>> m = Weibull(pt.asarray([1.0]), pt.asarray([1.0]))
    >>> m.mean, m.log_prob(pt.asarray([1.0])).exp()
    (tensor([1.], backend='numpy'), tensor([0.36787942], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "scale": C.positive,
        "concentration": C.positive,
    }
    support: Any = C.positive

    def __init__(self, scale: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.scale, self.concentration = _tensors(scale, concentration)
        self._validate_first(validate_args, scale=self.scale, concentration=self.concentration)
        self.concentration_reciprocal = 1 / self.concentration
        base = Exponential(ones_like(self.scale.detach()), validate_args=False)
        transforms = [
            PowerTransform(exponent=self.concentration_reciprocal),
            AffineTransform(loc=0.0, scale=self.scale),
        ]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """``scale Gamma(1 + 1 / concentration)``."""
        return self.scale * E.exp(gammaln(1 + self.concentration_reciprocal))

    @property
    def mode(self) -> Tensor:
        """``scale ((concentration - 1) / concentration)^(1 / concentration)``."""
        c, r = self.concentration, self.concentration_reciprocal
        base = (c - 1) / c
        # (a negative base to a fractional power is NaN, as PyTorch's, without NumPy's warning)
        power = E.abs(base) ** r
        odd = E.remainder(r, 2) == 1
        whole = r == E.floor(r)
        signed = where(base >= 0, power, where(whole, where(odd, -power, power), math.nan))
        return self.scale * signed

    @property
    def variance(self) -> Tensor:
        """``scale^2 (Gamma(1 + 2 / c) - Gamma(1 + 1 / c)^2)``."""
        r = self.concentration_reciprocal
        return self.scale**2 * (E.exp(gammaln(1 + 2 * r)) - E.exp(2 * gammaln(1 + r)))

    def entropy(self) -> Tensor:
        """``euler (1 - 1 / c) + log(scale / c) + 1``."""
        r = self.concentration_reciprocal
        return _EULER * (1 - r) + E.log(self.scale * r) + 1

    def __repr__(self) -> str:
        return f"Weibull(scale: {self.scale!r}, concentration: {self.concentration!r})"


def _kumaraswamy_moment(a: Tensor, b: Tensor, n: int) -> Tensor:
    """``E[X^n] = b B(1 + n / a, b)`` of a Kumaraswamy distribution."""
    arg = 1 + n / a
    return b * E.exp(gammaln(arg) + gammaln(b) - gammaln(arg + b))


class Kumaraswamy(TransformedDistribution):
    """The Kumaraswamy distribution on [0, 1] of ``concentration1`` (a) and
    ``concentration0`` (b), of density ``a b x^(a-1) (1 - x^a)^(b-1)``, as PyTorch's:
    ``(1 - U^(1/b))^(1/a)`` for ``U`` uniform on [0, 1); ``rsample`` is differentiable in both.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Kumaraswamy
    >>> m = Kumaraswamy(pt.asarray([2.0]), pt.asarray([3.0]))
    >>> m.log_prob(pt.asarray([0.5])).exp(), round(float(m.mean[0]), 6)
    (tensor([1.6875], backend='numpy'), 0.457143)
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "concentration1": C.positive,
        "concentration0": C.positive,
    }
    support: Any = C.unit_interval
    has_rsample = True

    def __init__(
        self, concentration1: Any, concentration0: Any, validate_args: bool | None = None
    ) -> None:
        self.concentration1, self.concentration0 = _tensors(concentration1, concentration0)
        self._validate_first(
            validate_args, concentration1=self.concentration1, concentration0=self.concentration0
        )
        c0 = self.concentration0.detach()
        base = Uniform(zeros_like(c0), ones_like(c0), validate_args=validate_args)
        transforms = [
            PowerTransform(exponent=1 / self.concentration0),
            AffineTransform(loc=1.0, scale=-1.0),
            PowerTransform(exponent=1 / self.concentration1),
        ]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """``b B(1 + 1/a, b)``."""
        return _kumaraswamy_moment(self.concentration1, self.concentration0, 1)

    @property
    def mode(self) -> Tensor:
        """``((a - 1) / (a b - 1))^(1/a)`` where both concentrations are at least 1 (not
        both 1), NaN elsewhere.

        Note: PyTorch's formula (``log1p(-b) / b - log1p(-a b)``) is NaN for every ``b > 1``;
        this is the maximum of the density.
        """
        a, b = self.concentration1, self.concentration0
        ok = (a >= 1) & (b >= 1) & ((a > 1) | (b > 1))
        a_, b_ = where(ok, a, 2.0), where(ok, b, 2.0)  # (no 0 / 0 in the branch not taken)
        return where(ok, ((a_ - 1) / (a_ * b_ - 1)) ** (1 / a_), math.nan)

    @property
    def variance(self) -> Tensor:
        """``b B(1 + 2/a, b) - mean^2``."""
        return _kumaraswamy_moment(self.concentration1, self.concentration0, 2) - self.mean**2

    def entropy(self) -> Tensor:
        """``(1 - 1/b) + (1 - 1/a) H_b - log(a b)``, ``H_b = digamma(b + 1) + euler`` the
        harmonic number."""
        a, b = self.concentration1, self.concentration0
        harmonic = digamma(b + 1) + _EULER
        return (1 - 1 / b) + (1 - 1 / a) * harmonic - E.log(a) - E.log(b)

    def __repr__(self) -> str:
        return (
            f"Kumaraswamy(concentration1: {self.concentration1!r}, "
            f"concentration0: {self.concentration0!r})"
        )


class InverseGamma(TransformedDistribution):
    """The distribution of ``1 / X`` for ``X`` gamma of ``concentration`` and ``rate``, as
    PyTorch's: a ``TransformedDistribution`` of that gamma distribution (``base_dist``) and
    ``PowerTransform(-1)``. ``rsample`` is differentiable in the rate only, as ``Gamma``'s.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import InverseGamma
    >>> m = InverseGamma(pt.asarray([3.0]), pt.asarray([2.0]))
    >>> m.mean, m.variance
    (tensor([1.], backend='numpy'), tensor([1.], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "concentration": C.positive,
        "rate": C.positive,
    }
    support: Any = C.positive

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        base = Gamma(concentration, rate, validate_args=validate_args)
        minus_one = asarray(-1.0, dtype=base.rate.dtype, device=base.rate.device)
        super().__init__(base, PowerTransform(minus_one), validate_args=validate_args)

    @property
    def _gamma(self) -> Gamma:
        base = self.base_dist
        assert isinstance(base, Gamma)
        return base

    @property
    def concentration(self) -> Tensor:
        """The concentration (shape) of the gamma distribution inverted."""
        return self._gamma.concentration

    @property
    def rate(self) -> Tensor:
        """The rate of the gamma distribution inverted (the scale of this one)."""
        return self._gamma.rate

    @property
    def mean(self) -> Tensor:
        """``rate / (concentration - 1)`` (``inf`` where ``concentration <= 1``)."""
        c = where(self.concentration > 1, self.concentration, 2.0)
        return where(self.concentration > 1, self.rate / (c - 1), math.inf)

    @property
    def mode(self) -> Tensor:
        """``rate / (concentration + 1)``."""
        return self.rate / (self.concentration + 1)

    @property
    def variance(self) -> Tensor:
        """``rate^2 / ((concentration - 1)^2 (concentration - 2))`` (``inf`` where
        ``concentration <= 2``)."""
        c = where(self.concentration > 2, self.concentration, 3.0)
        v = self.rate**2 / ((c - 1) ** 2 * (c - 2))
        return where(self.concentration > 2, v, math.inf)

    def entropy(self) -> Tensor:
        """``c + log(rate) + lgamma(c) - (1 + c) digamma(c)``."""
        c = self.concentration
        return c + E.log(self.rate) + gammaln(c) - (1 + c) * digamma(c)

    def __repr__(self) -> str:
        return f"InverseGamma(concentration: {self.concentration!r}, rate: {self.rate!r})"


@register_kl(Pareto, Pareto)
def _kl_pareto(p: Pareto, q: Pareto) -> Tensor:
    scale_ratio = p.scale / q.scale
    alpha_ratio = q.alpha / p.alpha
    t1 = q.alpha * E.log(scale_ratio)
    t2 = -E.log(alpha_ratio)
    result = t1 + t2 + alpha_ratio - 1
    return where(p.scale < q.scale, math.inf, result)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed(p: TransformedDistribution, q: TransformedDistribution) -> Tensor:
    if p.transforms != q.transforms:
        raise NotImplementedError(
            "kl_divergence() of two TransformedDistributions of different transforms is not "
            "implemented"
        )
    if p.event_shape != q.event_shape:
        raise NotImplementedError(
            f"kl_divergence() of two TransformedDistributions of different event shapes "
            f"({p.event_shape} and {q.event_shape}) is not implemented"
        )
    return kl_divergence(p.base_dist, q.base_dist)
