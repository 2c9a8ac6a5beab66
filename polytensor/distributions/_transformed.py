"""``TransformedDistribution``: the distribution of ``f(X)`` for ``X`` of a base distribution
and ``f`` a sequence of transforms, with its log-density by the change of variables."""

from __future__ import annotations

from typing import Any

from .._checks import describe
from .._tensor import Tensor
from ..autograd._mode import no_grad
from . import constraints
from ._base import Distribution, kl_divergence, register_kl
from ._multivariate import Independent
from .transforms import ComposeTransform, Transform, _sum_rightmost

__all__ = ["TransformedDistribution"]


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
        shape = tuple(int(n) for n in batch_shape)
        base_shape = shape + self._event_shape
        base_shape = ComposeTransform(self.transforms).inverse_shape(base_shape)
        cut = len(base_shape) - len(self.base_dist.event_shape)
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
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
            support = constraints.independent(support, len(self._event_shape) - support.event_dim)
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
