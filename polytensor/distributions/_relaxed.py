"""Continuous relaxations of the discrete distributions (the Concrete / Gumbel-softmax
distributions): ``RelaxedBernoulli`` and ``RelaxedOneHotCategorical``, with their log-space
bases ``LogitRelaxedBernoulli`` and ``ExpRelaxedCategorical``; each has a reparameterised
``rsample`` of ``temperature`` and ``probs``/``logits``. And ``ContinuousBernoulli``, the
normalised Bernoulli density on ``[0, 1]``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

from .._extras import clamp, sigmoid
from .._ops import elementwise as E
from .._ops.creation import full
from .._ops.data_types import finfo
from .._ops.manipulation import broadcast_to
from .._ops.searching import where
from .._ops.special import gammaln, softplus
from .._pytorch import broadcast_tensors, logsumexp
from .._random import rand_like
from .._tensor import Tensor
from . import constraints as C
from ._base import Distribution, _dims, _shape, _tensors, register_kl
from ._discrete import _binary, _OverCategories
from ._transformed import TransformedDistribution
from .transforms import ExpTransform, SigmoidTransform

__all__ = [
    "ContinuousBernoulli",
    "ExpRelaxedCategorical",
    "LogitRelaxedBernoulli",
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
]


def _clamp_probs(p: Tensor) -> Tensor:
    """``p`` inside ``[eps, 1 - eps]`` (PyTorch's ``clamp_probs``)."""
    eps = finfo(p.dtype).eps
    return clamp(p, min=eps, max=1 - eps)


def _temperature(temperature: Any) -> Tensor:
    (t,) = _tensors(temperature)
    return t


class LogitRelaxedBernoulli(Distribution):
    """The logit of a ``RelaxedBernoulli`` draw, as PyTorch's: ``(logit(u) + logits) /
    temperature`` for ``u`` uniform; ``rsample`` is differentiable in the logits and the
    temperature.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import LogitRelaxedBernoulli
    >>> m = LogitRelaxedBernoulli(pt.asarray(0.5), logits=pt.asarray([0.0]))
    >>> m.log_prob(pt.asarray([0.0]))
    tensor([-2.0794415], backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"probs": C.unit_interval, "logits": C.real}
    support: Any = C.real
    has_rsample = True
    _kept_by_expand = ("temperature",)  # (one temperature for the batch, as PyTorch's)

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        self.temperature = _temperature(temperature)
        self.probs, self.logits = _binary(self, "LogitRelaxedBernoulli", probs, logits)
        self._given = "probs" if probs is not None else "logits"
        super().__init__(_dims(self.probs), (), validate_args)
        if probs is not None:
            self._check("probs", (self.probs >= 0) & (self.probs <= 1), "probabilities in [0, 1]")
        else:
            self._check("logits", E.logical_not(E.isnan(self.logits)), "numbers (not NaN)")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = _shape("rsample", sample_shape) + self._batch_shape
        probs = _clamp_probs(broadcast_to(self.probs, shape))
        u = _clamp_probs(rand_like(probs.detach()))
        return (E.log(u) - E.log1p(-u) + E.log(probs) - E.log1p(-probs)) / self.temperature

    def log_prob(self, value: Tensor) -> Tensor:
        """``log(t) + d - 2 log(1 + exp(d))`` for ``d = logits - t value``."""
        value = self._validate_sample(value)
        logits, value = broadcast_tensors(self.logits, value)
        diff = logits - value * self.temperature
        return E.log(self.temperature) + diff - 2 * softplus(diff)

    def __repr__(self) -> str:
        return f"LogitRelaxedBernoulli({self._given}: {getattr(self, self._given)!r})"


class _RelaxedOf(TransformedDistribution):
    """A transformed relaxed distribution whose parameters are its base's (``temperature``,
    ``logits``, ``probs``): ``RelaxedBernoulli`` and ``RelaxedOneHotCategorical``, each the
    transform ``_transform`` of a draw of its base distribution ``_base``."""

    _base: ClassVar[Callable[..., Distribution]]
    _transform: ClassVar[type[Any]]

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        base = self._base(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, self._transform(), validate_args=validate_args)

    @property
    def temperature(self) -> Tensor:
        """The temperature."""
        t: Tensor = self.base_dist.temperature  # type: ignore[attr-defined]
        return t

    @property
    def logits(self) -> Tensor:
        """The log-odds (of a category: normalised log-probabilities)."""
        t: Tensor = self.base_dist.logits  # type: ignore[attr-defined]
        return t

    @property
    def probs(self) -> Tensor:
        """The probabilities."""
        t: Tensor = self.base_dist.probs  # type: ignore[attr-defined]
        return t


class RelaxedBernoulli(_RelaxedOf):
    """The relaxed Bernoulli (binary Concrete) distribution on ``(0, 1)`` of ``temperature``
    and ``probs`` (or ``logits``), as PyTorch's: the sigmoid of a ``LogitRelaxedBernoulli``
    draw; as the temperature goes to 0, draws approach 0 and 1.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import RelaxedBernoulli
    >>> logits = pt.asarray([0.5], requires_grad=True)
    >>> m = RelaxedBernoulli(pt.asarray(0.1), logits=logits)
    >>> x = m.rsample((4,))
    >>> x.sum().backward(); tuple(x.shape), tuple(logits.grad.shape)
    ((4, 1), (1,))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"probs": C.unit_interval, "logits": C.real}
    support: Any = C.unit_interval
    has_rsample = True

    _base = LogitRelaxedBernoulli
    _transform = SigmoidTransform

    def __repr__(self) -> str:
        return f"RelaxedBernoulli(temperature: {self.temperature!r}, logits: {self.logits!r})"


class ExpRelaxedCategorical(_OverCategories):
    """The log of a ``RelaxedOneHotCategorical`` draw, as PyTorch's: ``log_softmax((logits +
    g) / temperature)`` for Gumbel noise ``g``; the last dimension of ``probs``/``logits`` is
    the event.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import ExpRelaxedCategorical
    >>> m = ExpRelaxedCategorical(pt.asarray(1.0), logits=pt.zeros(3))
    >>> m.event_shape, tuple(m.rsample((2,)).shape)
    ((3,), (2, 3))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": C.simplex,
        "logits": C.real_vector,
    }
    support: Any = C.real_vector
    has_rsample = True
    _kept_by_expand = ("temperature",)  # (one temperature for the batch, as PyTorch's)

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        self.temperature = _temperature(temperature)
        self._over_categorical(probs, logits, validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(_shape("rsample", sample_shape))
        u = _clamp_probs(rand_like(broadcast_to(self.logits.detach(), shape)))
        gumbels = -E.log(-E.log(u))
        scores = (self.logits + gumbels) / self.temperature
        return scores - logsumexp(scores, -1, keepdim=True)

    def log_prob(self, value: Tensor) -> Tensor:
        """The density of the log-space Concrete distribution (Maddison et al., 2017)."""
        value = self._validate_sample(value)
        k = self._event_shape[0]
        logits, value = broadcast_tensors(self.logits, value)
        t = self.temperature
        log_scale = gammaln(full(tuple(t.shape), float(k), dtype=t.dtype, device=t.device))
        log_scale = log_scale + E.log(t) * (k - 1)
        score = logits - value * t
        score = (score - logsumexp(score, -1, keepdim=True)).sum(-1)
        return score + log_scale

    def __repr__(self) -> str:
        return f"ExpRelaxedCategorical(temperature: {self.temperature!r})"


class RelaxedOneHotCategorical(_RelaxedOf):
    """The relaxed one-hot categorical (Concrete, Gumbel-softmax) distribution on the simplex
    of ``temperature`` and ``probs`` (or ``logits``), as PyTorch's: ``softmax((logits + g) /
    temperature)`` for Gumbel noise ``g``; ``rsample`` is differentiable in the logits and the
    temperature.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import RelaxedOneHotCategorical
    >>> m = RelaxedOneHotCategorical(pt.asarray(0.5), probs=pt.asarray([0.2, 0.3, 0.5]))
    >>> x = m.rsample()
    >>> tuple(x.shape), round(float(x.sum()), 5)
    ((3,), 1.0)
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": C.simplex,
        "logits": C.real_vector,
    }
    support: Any = C.simplex
    has_rsample = True

    _base = ExpRelaxedCategorical
    _transform = ExpTransform

    def __repr__(self) -> str:
        return f"RelaxedOneHotCategorical(temperature: {self.temperature!r})"


class ContinuousBernoulli(Distribution):
    """The continuous Bernoulli distribution on ``[0, 1]`` of ``probs`` (or ``logits``), as
    PyTorch's (Loaiza-Ganem and Cunningham, 2019): the density ``C(p) p^x (1 - p)^(1 - x)``,
    normalised; near ``p = 1/2`` (within ``lims``) Taylor expansions replace the formulas that
    lose precision there. ``rsample`` is the inverse distribution function of a uniform draw,
    differentiable in the parameter.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import ContinuousBernoulli
    >>> m = ContinuousBernoulli(probs=pt.asarray([0.2, 0.5], dtype=pt.float64))
    >>> m.mean
    tensor([0.38801419, 0.5       ], dtype=polytensor.float64, backend='numpy')
    >>> m.log_prob(pt.asarray([0.5, 0.5], dtype=pt.float64)).exp()
    tensor([0.92419624, 1.        ], dtype=polytensor.float64, backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"probs": C.unit_interval, "logits": C.real}
    support: Any = C.unit_interval
    has_rsample = True

    def __init__(
        self,
        probs: Any = None,
        logits: Any = None,
        lims: tuple[float, float] = (0.499, 0.501),
        validate_args: bool | None = None,
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError(
                "ContinuousBernoulli() takes either probs= or logits=, exactly one of them; got "
                f"{'both' if probs is not None else 'neither'}"
            )
        (t,) = _tensors(probs if probs is not None else logits)
        super().__init__(_dims(t), (), validate_args)
        if probs is not None:
            self._check("probs", (t >= 0) & (t <= 1), "probabilities in [0, 1]")
            self.probs = _clamp_probs(t)
            p = self.probs
            self.logits = E.log(p) - E.log1p(-p)
            self._given = "probs"
        else:
            self._check("logits", E.logical_not(E.isnan(t)), "numbers (not NaN)")
            self.logits = t
            self.probs = _clamp_probs(sigmoid(t))
            self._given = "logits"
        self._lims = lims

    def _outside_unstable_region(self) -> Tensor:
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self) -> Tensor:
        return where(self._outside_unstable_region(), self.probs, self._lims[0])

    def _cont_bern_log_norm(self) -> Tensor:
        """``log C(p)``, the log of the normalising constant."""
        cut = self._cut_probs()
        below = where(cut <= 0.5, cut, 0.0)
        above = where(cut >= 0.5, cut, 1.0)
        log_norm = E.log(E.abs(E.log1p(-cut) - E.log(cut))) - where(
            cut <= 0.5, E.log1p(-2.0 * below), E.log(2.0 * above - 1.0)
        )
        x = (self.probs - 0.5) ** 2
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self) -> Tensor:
        """``p / (2p - 1) + 1 / (log(1 - p) - log(p))`` (1/2 at ``p = 1/2``)."""
        cut = self._cut_probs()
        mus = cut / (2.0 * cut - 1.0) + 1.0 / (E.log1p(-cut) - E.log(cut))
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x**2) * x
        return where(self._outside_unstable_region(), mus, taylor)

    @property
    def variance(self) -> Tensor:
        """``p (p - 1) / (1 - 2p)^2 + 1 / (log(1 - p) - log(p))^2`` (1/12 at ``p = 1/2``)."""
        cut = self._cut_probs()
        v = cut * (cut - 1.0) / (1.0 - 2.0 * cut) ** 2 + 1.0 / (E.log1p(-cut) - E.log(cut)) ** 2
        x = (self.probs - 0.5) ** 2
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return where(self._outside_unstable_region(), v, taylor)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = _shape("rsample", sample_shape) + self._batch_shape
        u = rand_like(broadcast_to(self.probs.detach(), shape))
        return self.icdf(u)

    def log_prob(self, value: Tensor) -> Tensor:
        """``value log(p) + (1 - value) log(1 - p) + log C(p)``."""
        value = self._validate_sample(value)
        logits, value = broadcast_tensors(self.logits, value)
        bce = E.maximum(logits, 0.0) - logits * value + E.log1p(E.exp(-E.abs(logits)))
        return -bce + self._cont_bern_log_norm()

    def cdf(self, value: Tensor) -> Tensor:
        """``(p^x (1 - p)^(1 - x) + p - 1) / (2p - 1)``, 0 below 0 and 1 above 1."""
        value = self._validate_sample(value)
        cut = self._cut_probs()
        cdfs = (cut**value * (1.0 - cut) ** (1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = where(self._outside_unstable_region(), cdfs, value)
        return where(value <= 0.0, 0.0, where(value >= 1.0, 1.0, unbounded))

    def icdf(self, value: Tensor) -> Tensor:
        """``(log(1 - p + value (2p - 1)) - log(1 - p)) / (log(p) - log(1 - p))``."""
        value = self._check_value(value)
        cut = self._cut_probs()
        inside = (E.log1p(-cut + value * (2.0 * cut - 1.0)) - E.log1p(-cut)) / (
            E.log(cut) - E.log1p(-cut)
        )
        return where(self._outside_unstable_region(), inside, value)

    def entropy(self) -> Tensor:
        """``mean (log(1 - p) - log(p)) - log C(p) - log(1 - p)``."""
        log_probs0 = E.log1p(-self.probs)
        log_probs1 = E.log(self.probs)
        return self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm() - log_probs0

    def __repr__(self) -> str:
        return f"ContinuousBernoulli({self._given}: {getattr(self, self._given)!r})"


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli(p: ContinuousBernoulli, q: ContinuousBernoulli) -> Tensor:
    t1 = p.mean * (p.logits - q.logits)
    t2 = p._cont_bern_log_norm() + E.log1p(-p.probs)
    t3 = -q._cont_bern_log_norm() - E.log1p(-q.probs)
    return t1 + t2 + t3
