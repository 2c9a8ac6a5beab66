"""Continuous relaxations of the discrete distributions (the Concrete / Gumbel-softmax
distributions): ``RelaxedBernoulli`` and ``RelaxedOneHotCategorical``, with their log-space
bases ``LogitRelaxedBernoulli`` and ``ExpRelaxedCategorical``; each has a reparameterised
``rsample`` of ``temperature`` and ``probs``/``logits``."""

from __future__ import annotations

from typing import Any, ClassVar

from .._extras import clamp
from .._ops import elementwise as E
from .._ops.creation import full
from .._ops.data_types import finfo
from .._ops.manipulation import broadcast_to
from .._ops.special import gammaln, softplus
from .._pytorch import broadcast_tensors, logsumexp
from .._random import rand_like
from .._tensor import Tensor
from . import constraints as C
from ._base import Distribution, _dims, _shape, _tensors
from ._basic import Categorical
from ._discrete import _binary
from ._transformed import TransformedDistribution
from .transforms import ExpTransform, SigmoidTransform

__all__ = [
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


class RelaxedBernoulli(TransformedDistribution):
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

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        base = LogitRelaxedBernoulli(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)

    @property
    def _logit(self) -> LogitRelaxedBernoulli:
        base = self.base_dist
        assert isinstance(base, LogitRelaxedBernoulli)
        return base

    @property
    def temperature(self) -> Tensor:
        """The temperature."""
        return self._logit.temperature

    @property
    def logits(self) -> Tensor:
        """The log-odds."""
        return self._logit.logits

    @property
    def probs(self) -> Tensor:
        """The probabilities."""
        return self._logit.probs

    def __repr__(self) -> str:
        return f"RelaxedBernoulli(temperature: {self.temperature!r}, logits: {self.logits!r})"


class ExpRelaxedCategorical(Distribution):
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
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        self.temperature = _temperature(temperature)
        super().__init__(
            self._categorical.batch_shape, self._categorical.param_shape[-1:], validate_args
        )

    @property
    def probs(self) -> Tensor:
        """The probabilities of the categories."""
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        """The normalised log-probabilities of the categories."""
        return self._categorical.logits

    @property
    def param_shape(self) -> tuple[int, ...]:
        """The shape of ``probs``/``logits``."""
        return self._categorical.param_shape

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


class RelaxedOneHotCategorical(TransformedDistribution):
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

    def __init__(
        self,
        temperature: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    @property
    def _exp(self) -> ExpRelaxedCategorical:
        base = self.base_dist
        assert isinstance(base, ExpRelaxedCategorical)
        return base

    @property
    def temperature(self) -> Tensor:
        """The temperature."""
        return self._exp.temperature

    @property
    def logits(self) -> Tensor:
        """The normalised log-probabilities of the categories."""
        return self._exp.logits

    @property
    def probs(self) -> Tensor:
        """The probabilities of the categories."""
        return self._exp.probs

    def __repr__(self) -> str:
        return f"RelaxedOneHotCategorical(temperature: {self.temperature!r})"
