"""``MixtureSameFamily``: a mixture of components of one family, weighted by a categorical
distribution over the components (the rightmost batch dimension of the components)."""

from __future__ import annotations

from typing import Any, ClassVar

from .._checks import describe
from .._ops.manipulation import broadcast_to, expand_dims, squeeze
from .._pytorch import gather, log_softmax, logsumexp
from .._tensor import Tensor
from ..autograd._mode import no_grad
from . import constraints as C
from ._base import Distribution, _shape
from ._basic import Categorical

__all__ = ["MixtureSameFamily"]


class _MixtureSameFamilyConstraint(C.Constraint):
    """The components' support, as the mixture's (PyTorch's wrapper of it)."""

    def __init__(self, base_constraint: C.Constraint) -> None:
        self.base_constraint = base_constraint

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim

    def check(self, value: Tensor) -> Tensor:
        return self.base_constraint.check(value)

    def _args(self) -> str:
        return repr(self.base_constraint)


class MixtureSameFamily(Distribution):
    """A mixture of the distributions of ``component_distribution`` along its rightmost batch
    dimension, of weights ``mixture_distribution`` (a ``Categorical`` over them), as
    PyTorch's: ``log_prob`` is the ``logsumexp`` of the weighted components' log-densities;
    ``sample`` draws a component, then a value from it (not differentiable: no ``rsample``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Categorical, MixtureSameFamily, Normal
    >>> mix = Categorical(probs=pt.asarray([0.5, 0.5]))
    >>> comp = Normal(pt.asarray([-1.0, 1.0]), pt.asarray([1.0, 1.0]))
    >>> m = MixtureSameFamily(mix, comp)
    >>> m.batch_shape, m.mean, m.variance
    ((), tensor(0., backend='numpy'), tensor(2., backend='numpy'))
    >>> tuple(m.sample((5,)).shape)
    (5,)
    """

    arg_constraints: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        mixture_distribution: Categorical,
        component_distribution: Distribution,
        validate_args: bool | None = None,
    ) -> None:
        # Note: PyTorch raises ValueError for these two; a wrong type is a TypeError here
        if not isinstance(mixture_distribution, Categorical):
            raise TypeError(
                f"MixtureSameFamily() expects a Categorical as mixture_distribution; got "
                f"{describe(mixture_distribution)}"
            )
        if not isinstance(component_distribution, Distribution):
            raise TypeError(
                f"MixtureSameFamily() expects a distribution as component_distribution; got "
                f"{describe(component_distribution)}"
            )
        mdbs = mixture_distribution.batch_shape
        cdbs = component_distribution.batch_shape[:-1]
        if not component_distribution.batch_shape:
            raise ValueError(
                "MixtureSameFamily() expects component_distribution with at least one batch "
                "dimension (the components); got a batch shape ()"
            )
        for size1, size2 in zip(reversed(mdbs), reversed(cdbs), strict=False):
            if size1 != 1 and size2 not in (1, size1):
                raise ValueError(
                    f"MixtureSameFamily(): the mixture_distribution's batch shape {mdbs} does "
                    f"not match the component_distribution's {cdbs} (less its last dimension)"
                )
        km = mixture_distribution.param_shape[-1]
        kc = component_distribution.batch_shape[-1]
        if km != kc:
            raise ValueError(
                f"MixtureSameFamily(): the mixture_distribution has {km} categories but the "
                f"component_distribution {kc} components; give as many of each"
            )
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        self._num_component = km
        self._event_ndims = len(component_distribution.event_shape)
        super().__init__(cdbs, component_distribution.event_shape, validate_args)

    @property
    def mixture_distribution(self) -> Categorical:
        """The weights of the components."""
        return self._mixture_distribution

    @property
    def component_distribution(self) -> Distribution:
        """The components, along the rightmost batch dimension."""
        return self._component_distribution

    @property
    def support(self) -> Any:
        """The components' support."""
        return _MixtureSameFamilyConstraint(self._component_distribution.support)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """This mixture with its components and weights expanded to ``batch_shape``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Categorical, MixtureSameFamily, Normal
        >>> m = MixtureSameFamily(Categorical(logits=pt.zeros(2)), Normal(pt.zeros(2), 1.0))
        >>> m.expand((3,)).batch_shape
        (3,)
        """
        shape = self._expand_shape(batch_shape)
        comp = self._component_distribution.expand(shape + (self._num_component,))
        mix = self._mixture_distribution.expand(shape)
        assert isinstance(mix, Categorical)
        return MixtureSameFamily(mix, comp, validate_args=self._validate_args)

    def _pad(self, x: Tensor) -> Tensor:
        return expand_dims(x, axis=-1 - self._event_ndims)

    def _pad_mixture_dimensions(self, x: Tensor) -> Tensor:
        dist_batch_ndims = len(self._batch_shape)
        cat_batch_ndims = len(self._mixture_distribution.batch_shape)
        # (as PyTorch's: a mixture of one batch dimension is not padded)
        pad_ndims = 0 if cat_batch_ndims == 1 else dist_batch_ndims - cat_batch_ndims
        xs = tuple(x.shape)
        return x.reshape(xs[:-1] + (1,) * pad_ndims + xs[-1:] + (1,) * self._event_ndims)

    @property
    def mean(self) -> Tensor:
        """The weighted mean of the components' means."""
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        return (probs * self._component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self) -> Tensor:
        """The law of total variance: the weighted mean of the components' variances plus
        the weighted variance of their means."""
        probs = self._pad_mixture_dimensions(self._mixture_distribution.probs)
        comp = self._component_distribution
        d = -1 - self._event_ndims
        mean_cond_var = (probs * comp.variance).sum(d)
        var_cond_mean = (probs * (comp.mean - self._pad(self.mean)) ** 2.0).sum(d)
        return mean_cond_var + var_cond_mean

    def cdf(self, value: Tensor) -> Tensor:
        """The weighted sum of the components' distribution functions."""
        x = self._pad(self._check_value(value))
        cdf_x = self._component_distribution.cdf(x)
        return (cdf_x * self._mixture_distribution.probs).sum(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        """``logsumexp`` over the components of their log-density plus their log-weight."""
        x = self._pad(self._validate_sample(value))
        log_prob_x = self._component_distribution.log_prob(x)  # (sample, batch, components)
        log_mix_prob = log_softmax(self._mixture_distribution.logits, -1)
        return logsumexp(log_prob_x + log_mix_prob, -1)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A component drawn by its weight, then a value from it: of shape ``sample_shape +
        batch_shape + event_shape``."""
        shape = _shape("sample", sample_shape)
        with no_grad():
            gather_dim = len(shape) + len(self._batch_shape)
            es = self._event_shape
            mix_sample = self._mixture_distribution.sample(shape)
            comp_samples = self._component_distribution.sample(shape)  # (n, B, k, E)
            # the component indices over the whole batch (a mixture of fewer batch
            # dimensions than the components is broadcast), one per event element
            mix_shape = tuple(comp_samples.shape[:gather_dim])
            lead = len(shape)
            k = tuple(mix_sample.shape)
            mix_sample = mix_sample.reshape(k[:lead] + (1,) * (len(mix_shape) - len(k)) + k[lead:])
            index = broadcast_to(mix_sample, mix_shape).reshape(mix_shape + (1,) * (len(es) + 1))
            index = broadcast_to(index, mix_shape + (1,) + es)
            return squeeze(gather(comp_samples, gather_dim, index), axis=gather_dim)

    def __repr__(self) -> str:
        return (
            f"MixtureSameFamily(\n  {self._mixture_distribution!r},\n  "
            f"{self._component_distribution!r})"
        )
