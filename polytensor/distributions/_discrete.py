"""Counting distributions: ``Poisson``, ``Binomial``, ``Geometric``, ``OneHotCategorical`` and
``Multinomial``, and the KL divergences between two of one family."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from .. import _dtypes as dt
from .._checks import describe
from .._extras import clamp, sigmoid
from .._ops import elementwise as E
from .._ops.creation import arange, eye, zeros_like
from .._ops.data_types import astype, finfo
from .._ops.manipulation import broadcast_to, expand_dims
from .._ops.searching import argmax, where
from .._ops.special import gammaln, softplus, xlogy
from .._pytorch_random import poisson
from .._random import rand_like
from .._tensor import Tensor
from ..autograd._mode import no_grad
from . import constraints as C
from ._base import Distribution, _dims, _shape, _tensors, register_kl
from ._basic import Categorical, _bce_with_logits, _kl_categorical
from ._gamma import Gamma

__all__ = [
    "Binomial",
    "Geometric",
    "Multinomial",
    "NegativeBinomial",
    "OneHotCategorical",
    "Poisson",
]


def _whole(d: Distribution, value: Tensor, what: str, upper: Tensor | None = None) -> Tensor:
    """``value`` checked to be non-negative whole numbers (at most ``upper``)."""
    value = d._check_value(value)
    if d._validate_args:
        ok = (value >= 0) & (value == E.floor(value))
        d._check("value", ok if upper is None else ok & (value <= upper), what)
    return value


def _binary(
    d: Distribution, name: str, probs: Any, logits: Any, *others: Any
) -> tuple[Tensor, ...]:
    """``(*others, probs, logits)`` of a distribution of one probability given as ``probs`` or
    ``logits`` (exactly one), broadcast together, PyTorch's ``probs_to_logits``."""
    if (probs is None) == (logits is None):
        raise ValueError(
            f"{name}() takes either probs= or logits=, exactly one of them; got "
            f"{'both' if probs is not None else 'neither'}"
        )
    *rest, t = _tensors(*others, probs if probs is not None else logits)
    if probs is not None:
        eps = finfo(t.dtype).eps
        p = E.minimum(E.maximum(t, eps), 1 - eps)
        return (*rest, t, E.log(p) - E.log1p(-p))
    return (*rest, sigmoid(t), t)


class Poisson(Distribution):
    """The Poisson distribution of ``rate``, as PyTorch's; draws are counts as floats of the
    rate's dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Poisson
    >>> m = Poisson(pt.asarray([2.0], dtype=pt.float64))
    >>> m.log_prob(pt.asarray([1.0], dtype=pt.float64)).exp()
    tensor([0.27067057], dtype=polytensor.float64, backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"rate": C.nonnegative}
    support: Any = C.nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = _tensors(rate)
        super().__init__(_dims(self.rate), (), validate_args)
        self._check("rate", self.rate >= 0, "non-negative")

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Counts of shape ``sample_shape + batch_shape``, as floats."""
        shape = _shape("sample", sample_shape) + self._batch_shape
        with no_grad():
            return poisson(broadcast_to(self.rate.detach(), shape))

    def log_prob(self, value: Tensor) -> Tensor:
        """``value log(rate) - rate - lgamma(value + 1)``."""
        value = _whole(self, value, "non-negative whole numbers")
        rate, value = _tensors(self.rate, value.astype(self.rate.dtype))
        return xlogy(value, rate) - rate - gammaln(value + 1)

    @property
    def mean(self) -> Tensor:
        """``rate``."""
        return self.rate

    @property
    def mode(self) -> Tensor:
        """``floor(rate)``."""
        return E.floor(self.rate)

    @property
    def variance(self) -> Tensor:
        """``rate``."""
        return self.rate

    def __repr__(self) -> str:
        return f"Poisson(rate: {self.rate!r})"


class Binomial(Distribution):
    """The binomial distribution of ``total_count`` trials of success probability ``probs``
    (or ``logits``), as PyTorch's; draws are counts as floats of the parameters' dtype.
    ``sample`` and ``entropy`` need the largest ``total_count`` on the host: on Dask they compute
    it unless it is given as a Python number.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Binomial
    >>> m = Binomial(4, probs=pt.asarray([0.5]))
    >>> m.log_prob(pt.asarray([2.0])).exp(), m.mean
    (tensor([0.375], backend='numpy'), tensor([2.], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "total_count": C.nonnegative_integer,
        "probs": C.unit_interval,
        "logits": C.real,
    }
    has_enumerate_support = True

    @property
    def support(self) -> Any:
        """``integer_interval(0, total_count)``."""
        return C.integer_interval(0, self.total_count)

    def __init__(
        self,
        total_count: Any = 1,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        param = probs if probs is not None else logits
        # a Python count is known here: no computation to find the largest one
        self._known = (
            int(total_count)
            if isinstance(total_count, (int, float))
            and not isinstance(total_count, bool)
            and float(total_count).is_integer()
            else None
        )
        if isinstance(total_count, Tensor) and total_count.dtype.kind != "real floating":
            like = param.dtype if isinstance(param, Tensor) else None
            total_count = total_count.astype(like if like is not None else dt.float32)
        self.total_count, self.probs, self.logits = _binary(
            self, "Binomial", probs, logits, total_count
        )
        self._given = "probs" if probs is not None else "logits"
        super().__init__(_dims(self.probs), (), validate_args)
        n = self.total_count
        self._check("total_count", (n >= 0) & (n == E.floor(n)), "non-negative whole numbers")
        if probs is not None:
            self._check("probs", (self.probs >= 0) & (self.probs <= 1), "probabilities in [0, 1]")
        else:
            self._check("logits", E.logical_not(E.isnan(self.logits)), "numbers (not NaN)")

    def _top(self, where_: str, homogeneous: bool) -> int:
        """The largest ``total_count`` (computed), the same everywhere when ``homogeneous``."""
        if self._known is not None:
            return self._known
        n = self.total_count.detach()
        top = int(n.max()) if n.ndim else int(n)
        if homogeneous and n.ndim and int(n.min()) != top:
            raise NotImplementedError(
                f"Binomial.{where_}() needs one total_count for the whole batch; got counts from "
                f"{int(n.min())} to {top}"
            )
        return top

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Counts of shape ``sample_shape + batch_shape``, as floats, by inversion of the
        distribution function."""
        shape = _shape("sample", sample_shape) + self._batch_shape
        with no_grad():
            top = self._top("sample", False)
            n = expand_dims(broadcast_to(self.total_count.detach(), shape), axis=-1)
            p = expand_dims(broadcast_to(self.probs.detach(), shape), axis=-1)
            u = rand_like(broadcast_to(self.probs.detach(), shape))
            k = arange(top + 1, dtype=p.dtype, device=p.device)
            lp = gammaln(n + 1) - gammaln(k + 1) - gammaln(E.maximum(n - k, 0.0) + 1)
            pmf = where(k <= n, E.exp(lp + xlogy(k, p) + xlogy(E.maximum(n - k, 0), 1 - p)), 0)
            below = (pmf.cumsum(-1) <= expand_dims(u, axis=-1)).astype(p.dtype).sum(-1)
            return E.minimum(below, n[..., 0])

    def log_prob(self, value: Tensor) -> Tensor:
        """``lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k logit - n log(1 +
        exp(logit))``, computed stably as PyTorch's."""
        n = self.total_count
        value = _whole(self, value, "whole numbers in [0, total_count]", n)
        logits = self.logits
        clamped = (clamp(logits, min=0) + logits - clamp(logits, max=0)) / 2  # (max(x, 0))
        normalize = n * clamped + n * E.log1p(E.exp(-E.abs(logits))) - gammaln(n + 1)
        return value * logits - gammaln(value + 1) - gammaln(n - value + 1) - normalize

    def entropy(self) -> Tensor:
        """``-sum(p(k) log p(k))`` over the support (one ``total_count`` for the batch)."""
        lp = self.log_prob(self.enumerate_support(False))
        return -(E.exp(lp) * lp).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """``0 .. total_count`` along a new first dimension (one ``total_count`` for the
        batch).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Binomial
        >>> Binomial(2, probs=pt.asarray(0.3)).enumerate_support().tolist()
        [0.0, 1.0, 2.0]
        """
        top = self._top("enumerate_support", True)
        v = arange(top + 1, dtype=self.probs.dtype, device=self.probs.device)
        v = v.reshape((-1,) + (1,) * len(self._batch_shape))
        return broadcast_to(v, (top + 1,) + self._batch_shape) if expand else v

    @property
    def mean(self) -> Tensor:
        """``total_count probs``."""
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        """``floor((total_count + 1) probs)``, at most ``total_count``."""
        return E.minimum(E.floor((self.total_count + 1) * self.probs), self.total_count)

    @property
    def variance(self) -> Tensor:
        """``total_count probs (1 - probs)``."""
        return self.total_count * self.probs * (1 - self.probs)

    def __repr__(self) -> str:
        return (
            f"Binomial(total_count: {self.total_count!r}, {self._given}: "
            f"{getattr(self, self._given)!r})"
        )


class NegativeBinomial(Distribution):
    """The number of successes before ``total_count`` failures, each trial a success of
    probability ``probs`` (or ``logits``), as PyTorch's; draws are counts as floats (a Poisson
    draw of a gamma-distributed rate).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import NegativeBinomial
    >>> m = NegativeBinomial(2.0, probs=pt.asarray([0.5]))
    >>> m.log_prob(pt.asarray([1.0])).exp(), m.mean
    (tensor([0.25], backend='numpy'), tensor([2.], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "total_count": C.greater_than_eq(0),
        "probs": C.half_open_interval(0.0, 1.0),
        "logits": C.real,
    }
    support: Any = C.nonnegative_integer

    def __init__(
        self,
        total_count: Any,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        param = probs if probs is not None else logits
        if isinstance(total_count, Tensor) and total_count.dtype.kind != "real floating":
            like = param.dtype if isinstance(param, Tensor) else None
            total_count = total_count.astype(like if like is not None else dt.float32)
        self.total_count, self.probs, self.logits = _binary(
            self, "NegativeBinomial", probs, logits, total_count
        )
        self._given = "probs" if probs is not None else "logits"
        super().__init__(_dims(self.probs), (), validate_args)
        self._check("total_count", self.total_count >= 0, "non-negative")
        if probs is not None:
            self._check("probs", (self.probs >= 0) & (self.probs < 1), "probabilities in [0, 1)")
        else:
            self._check("logits", E.logical_not(E.isnan(self.logits)), "numbers (not NaN)")

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Counts of shape ``sample_shape + batch_shape``, as floats: Poisson draws of rates
        drawn from ``Gamma(total_count, exp(-logits))``."""
        with no_grad():
            rate = Gamma(
                self.total_count.detach(), E.exp(-self.logits.detach()), validate_args=False
            ).sample(sample_shape)
            return poisson(rate)

    def log_prob(self, value: Tensor) -> Tensor:
        """``lgamma(n + k) - lgamma(k + 1) - lgamma(n) + n log(1 - p) + k log(p)`` for ``n =
        total_count``, computed from the logits as PyTorch's (0 at ``n = k = 0``)."""
        value = _whole(self, value, "non-negative whole numbers")
        n, logits = self.total_count, self.logits
        unnormalized = -n * softplus(logits) - value * softplus(-logits)
        normalization = -gammaln(n + value) + gammaln(1 + value) + gammaln(n)
        return unnormalized - where(n + value == 0, 0.0, normalization)

    @property
    def mean(self) -> Tensor:
        """``total_count exp(logits)``."""
        return self.total_count * E.exp(self.logits)

    @property
    def mode(self) -> Tensor:
        """``floor((total_count - 1) exp(logits))``, at least 0."""
        return clamp(E.floor((self.total_count - 1) * E.exp(self.logits)), min=0.0)

    @property
    def variance(self) -> Tensor:
        """``mean / sigmoid(-logits)``."""
        return self.mean / sigmoid(-self.logits)

    def __repr__(self) -> str:
        return (
            f"NegativeBinomial(total_count: {self.total_count!r}, {self._given}: "
            f"{getattr(self, self._given)!r})"
        )


class Geometric(Distribution):
    """The number of failures before the first success of probability ``probs`` (or
    ``logits``), as PyTorch's; draws are counts as floats.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Geometric
    >>> m = Geometric(probs=pt.asarray([0.5]))
    >>> m.log_prob(pt.asarray([2.0])).exp(), m.mean
    (tensor([0.125], backend='numpy'), tensor([1.], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"probs": C.unit_interval, "logits": C.real}
    support: Any = C.nonnegative_integer

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        self.probs, self.logits = _binary(self, "Geometric", probs, logits)
        self._given = "probs" if probs is not None else "logits"
        super().__init__(_dims(self.probs), (), validate_args)
        if probs is not None:
            self._check("probs", (self.probs > 0) & (self.probs <= 1), "probabilities in (0, 1]")
        else:
            self._check("logits", E.logical_not(E.isnan(self.logits)), "numbers (not NaN)")

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """``floor(log(u) / log(1 - probs))`` for ``u`` uniform in ``[tiny, 1)``."""
        shape = _shape("sample", sample_shape) + self._batch_shape
        with no_grad():
            p = broadcast_to(self.probs.detach(), shape)
            tiny = finfo(p.dtype).smallest_normal
            u = tiny + rand_like(p) * (1 - tiny)
            sure = p == 1  # (no failures; log(1 - 1) would be -inf)
            k = E.floor(E.log(u) / E.log1p(-where(sure, 0.5, p)))
            return where(sure, 0.0, k)

    def log_prob(self, value: Tensor) -> Tensor:
        """``value log(1 - probs) + log(probs)`` (0 at ``probs = 1, value = 0``)."""
        value = _whole(self, value, "non-negative whole numbers")
        value, probs = _tensors(value.astype(self.probs.dtype), self.probs)
        probs = where((probs == 1) & (value == 0), 0.0, probs)
        return value * E.log1p(-probs) + E.log(self.probs)

    def entropy(self) -> Tensor:
        """``bce_with_logits(logits, probs) / probs``."""
        return _bce_with_logits(self.logits, self.probs) / self.probs

    @property
    def mean(self) -> Tensor:
        """``1 / probs - 1``."""
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        """0."""
        return zeros_like(self.probs)

    @property
    def variance(self) -> Tensor:
        """``(1 / probs - 1) / probs``."""
        return (1.0 / self.probs - 1.0) / self.probs

    def __repr__(self) -> str:
        return f"Geometric({self._given}: {getattr(self, self._given)!r})"


def _one_hot(indices: Tensor, k: int, dtype: Any) -> Tensor:
    return astype(expand_dims(indices, axis=-1) == arange(k, device=indices.device), dtype)


class _OverCategories(Distribution):
    """What ``OneHotCategorical`` and ``Multinomial`` share: a ``Categorical`` of their
    ``probs``/``logits``, whose event is the last dimension of its parameters."""

    _categorical: Categorical

    def _over_categorical(self, probs: Any, logits: Any, validate_args: bool | None) -> None:
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
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


class OneHotCategorical(_OverCategories):
    """A categorical distribution whose draws are one-hot vectors, from ``probs`` or
    ``logits`` (the last dimension the categories), as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import OneHotCategorical
    >>> m = OneHotCategorical(probs=pt.asarray([0.25, 0.75]))
    >>> m.log_prob(pt.asarray([0.0, 1.0])).exp(), m.event_shape
    (tensor(0.75, backend='numpy'), (2,))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"probs": C.simplex, "logits": C.real_vector}
    support: Any = C.one_hot
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        self._over_categorical(probs, logits, validate_args)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """One-hot vectors (the probabilities' dtype) of shape ``sample_shape + batch_shape +
        event_shape``."""
        indices = self._categorical.sample(sample_shape)
        return _one_hot(indices, self._event_shape[0], self.probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        """The categorical log-probability of the category where ``value`` is one."""
        value = self._check_value(value)
        if self._validate_args:
            self._check(
                "value",
                ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1),
                "one-hot vectors",
            )
        return self._categorical.log_prob(argmax(value, axis=-1))

    def entropy(self) -> Tensor:
        """The categorical entropy."""
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The one-hot vectors of the categories along a new first dimension.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import OneHotCategorical
        >>> OneHotCategorical(logits=pt.zeros(2)).enumerate_support().tolist()
        [[1.0, 0.0], [0.0, 1.0]]
        """
        k = self._event_shape[0]
        v = eye(k, dtype=self.probs.dtype, device=self.probs.device)
        v = v.reshape((k,) + (1,) * len(self._batch_shape) + (k,))
        return broadcast_to(v, (k,) + self._batch_shape + (k,)) if expand else v

    @property
    def mean(self) -> Tensor:
        """``probs``."""
        return self.probs

    @property
    def mode(self) -> Tensor:
        """The one-hot vector of the most probable category."""
        return _one_hot(argmax(self.probs, axis=-1), self._event_shape[0], self.probs.dtype)

    @property
    def variance(self) -> Tensor:
        """``probs (1 - probs)``."""
        return self.probs * (1 - self.probs)

    def __repr__(self) -> str:
        return f"OneHotCategorical({self._categorical._given}: {self.probs!r})"


class Multinomial(_OverCategories):
    """The counts of ``total_count`` (an int) draws among the categories of ``probs`` (or
    ``logits``; the last dimension the categories), as PyTorch's; draws are counts as floats.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Multinomial
    >>> m = Multinomial(2, probs=pt.asarray([0.5, 0.5]))
    >>> m.log_prob(pt.asarray([1.0, 1.0])).exp(), m.mean
    (tensor(0.5, backend='numpy'), tensor([1., 1.], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": C.simplex,
        "logits": C.independent(C.real, 1),
    }

    @property
    def support(self) -> Any:
        """``multinomial(total_count)``: counts summing to at most ``total_count``."""
        return C.multinomial(self.total_count)

    def __init__(
        self,
        total_count: int = 1,
        probs: Any = None,
        logits: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        if not isinstance(total_count, int) or isinstance(total_count, bool):
            raise NotImplementedError(
                f"Multinomial() takes one total_count for the batch, an int; got "
                f"{describe(total_count)} (a total_count per distribution is not supported)"
            )
        self.total_count = total_count
        self._over_categorical(probs, logits, validate_args)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Counts of shape ``sample_shape + batch_shape + event_shape`` summing to
        ``total_count``, as floats."""
        shape = _shape("sample", sample_shape)
        indices = self._categorical.sample((self.total_count,) + shape)
        return _one_hot(indices, self._event_shape[0], self.probs.dtype).sum(0)

    def log_prob(self, value: Tensor) -> Tensor:
        """``lgamma(n + 1) - sum(lgamma(value + 1)) + sum(value log p)`` for ``n =
        sum(value)``."""
        value = self._check_value(value)
        if self._validate_args:
            self._check(
                "value",
                (value >= 0).all(-1) & (value.sum(-1) <= self.total_count),
                f"counts (non-negative, at most {self.total_count} in all)",
            )
        logits, value = _tensors(self.logits, value.astype(self.logits.dtype))
        logits = where((value == 0) & (logits == -math.inf), 0.0, logits)
        return gammaln(value.sum(-1) + 1) - gammaln(value + 1).sum(-1) + (logits * value).sum(-1)

    def entropy(self) -> Tensor:
        """``n H(p) - lgamma(n + 1) + sum over k, i of Binomial(n, p_i)(k) lgamma(k + 1)``."""
        n = self.total_count
        term1 = n * self._categorical.entropy() - math.lgamma(n + 1)
        binomial = Binomial(n, probs=self.probs, validate_args=False)
        support = binomial.enumerate_support(False)[1:]  # (n, 1, ..., 1)
        lp = binomial.log_prob(support)
        return term1 + (E.exp(lp) * gammaln(support + 1)).sum(-1).sum(0)

    @property
    def mean(self) -> Tensor:
        """``total_count probs``."""
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        """``total_count probs (1 - probs)``."""
        return self.total_count * self.probs * (1 - self.probs)

    def __repr__(self) -> str:
        return f"Multinomial(total_count: {self.total_count}, probs: {self.probs!r})"


# -- KL divergences -----------------------------------------------------------------------------


@register_kl(Poisson, Poisson)
def _kl_poisson(p: Poisson, q: Poisson) -> Tensor:
    return p.rate * (E.log(p.rate) - E.log(q.rate)) - (p.rate - q.rate)


@register_kl(Geometric, Geometric)
def _kl_geometric(p: Geometric, q: Geometric) -> Tensor:
    return -p.entropy() - E.log1p(-q.probs) / p.probs - q.logits


@register_kl(Binomial, Binomial)
def _kl_binomial(p: Binomial, q: Binomial) -> Tensor:
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError(
            "kl_divergence() of two Binomials where q's total_count exceeds p's is not implemented"
        )
    kl = p.total_count * (p.probs * (p.logits - q.logits) + E.log1p(-p.probs) - E.log1p(-q.probs))
    return where(p.total_count > q.total_count, math.inf, kl)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_one_hot_categorical(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    return _kl_categorical(p._categorical, q._categorical)
