"""The first distributions: ``Categorical``, ``Bernoulli``, ``Normal``, ``Uniform`` and
``Exponential``, and the KL divergences between two of one family."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from .. import _dtypes as dt
from .._extras import sigmoid
from .._ops import elementwise as E
from .._ops.creation import asarray, full, zeros_like
from .._ops.data_types import finfo
from .._ops.indexing import check_range
from .._ops.manipulation import broadcast_to, expand_dims, squeeze
from .._ops.searching import where
from .._pytorch import broadcast_tensors, gather, logsumexp, softmax
from .._random import multinomial, rand_like, randn_like
from .._tensor import Tensor
from ..autograd._mode import no_grad
from . import constraints as C
from ._base import Distribution, _dims, _Shape, _shape, _tensors, register_kl

__all__ = ["Bernoulli", "Categorical", "Exponential", "Normal", "Uniform"]


class Categorical(Distribution):
    """A categorical distribution over ``0 .. K-1`` from ``probs`` (any non-negative weights,
    normalised over the last dimension) or ``logits`` (unnormalised log-probabilities), as
    PyTorch's; the last dimension is the categories, the others the batch.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Categorical
    >>> m = Categorical(probs=pt.asarray([0.25, 0.75]))
    >>> m.log_prob(pt.asarray(1)).exp()
    tensor(0.75, backend='numpy')
    >>> float(m.entropy()) > 0, int(m.sample().ndim)
    (True, 0)
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "probs": C.simplex,
        "logits": C.independent(C.real, 1),
    }
    has_enumerate_support = True

    @property
    def support(self) -> Any:
        """The categories: ``integer_interval(0, K - 1)``."""
        return C.integer_interval(0, self._num_events - 1)

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError(
                "Categorical() takes either probs= or logits=, exactly one of them; got "
                f"{'both' if probs is not None else 'neither'}"
            )
        given = probs if probs is not None else logits
        (t,) = _tensors(given)
        if t.ndim < 1:
            raise ValueError(
                f"Categorical() expects {'probs' if probs is not None else 'logits'} with at "
                f"least one dimension (the categories); got a 0-d tensor"
            )
        super().__init__(_dims(t)[:-1], (), validate_args)
        self._num_events = _dims(t)[-1]
        if probs is not None:
            self._check("probs", (t >= 0) & E.isfinite(t), "non-negative and finite")
            # as PyTorch's simplex check of the normalised probs: a row of zeros (or of no
            # categories) normalises to NaN
            self._check("probs", t.sum(-1) > 0, "weights of a positive sum in each row")
            self.probs = t / t.sum(-1, keepdim=True)
            eps = finfo(t.dtype).eps  # (PyTorch's clamp_probs)
            self.logits = E.log(E.minimum(E.maximum(self.probs, eps), 1 - eps))
            self._given = "probs"
        else:
            self._check("logits", E.logical_not(E.isnan(t)), "numbers (not NaN)")
            if self._num_events:
                # as PyTorch's check of the normalised logits: +inf, or a row of -inf only,
                # normalises to NaN
                self._check(
                    "logits",
                    (t < math.inf).all(-1) & (t > -math.inf).any(-1),
                    "below +inf, with a finite value in each row",
                )
            self.logits = t - logsumexp(t, -1, keepdim=True)
            self.probs = softmax(t, -1)
            self._given = "logits"

    @property
    def param_shape(self) -> _Shape:
        """The shape of ``probs``/``logits``: batch shape and the number of categories."""
        return self._batch_shape + (self._num_events,)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Category indices (int64) of shape ``sample_shape + batch_shape``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Categorical
        >>> _ = pt.manual_seed(0)
        >>> tuple(Categorical(logits=pt.zeros((2, 3))).sample((5,)).shape)
        (5, 2)
        """
        shape = _shape("sample", sample_shape)
        n = math.prod(shape)
        with no_grad():
            p2 = self.probs.reshape(-1, self._num_events)
            draws = multinomial(p2, max(n, 1), True)  # (batch, n)
            if n == 0:
                draws = draws[:, :0]
            return draws.T.reshape(shape + self._batch_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """The log-probability of the categories ``value`` (an integer tensor broadcastable
        against the batch shape)."""
        value = self._check_value(value)
        if value.dtype == dt.bool:
            value = value.astype(dt.int64)
        if value.dtype.kind not in ("signed integer", "unsigned integer"):
            if self._validate_args and not bool((value == E.trunc(value)).all()):
                raise ValueError(
                    "Categorical.log_prob() expects whole numbers (category indices); got fractions"
                )
            value = value.astype(dt.int64)
        if self._validate_args:
            self._check("value", (value >= 0) & (value < self._num_events), "categories")
        value, logits = broadcast_tensors(expand_dims(value, axis=-1), self.logits)
        value = value[..., :1]
        return squeeze(gather(logits, -1, value), axis=-1)

    def entropy(self) -> Tensor:
        """``-sum(p log p)`` over the categories (a category of probability 0 adds 0)."""
        lo = finfo(self.logits.dtype).min
        return -(E.maximum(self.logits, lo) * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The categories ``0 .. K-1`` along a new first dimension (broadcast over the batch
        when ``expand``).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Categorical
        >>> Categorical(logits=pt.zeros(3)).enumerate_support().tolist()
        [0, 1, 2]
        """
        from .._ops.creation import arange

        k = arange(self._num_events, dtype=dt.int64, device=self.logits.device)
        k = k.reshape((-1,) + (1,) * len(self._batch_shape))
        return broadcast_to(k, (self._num_events,) + self._batch_shape) if expand else k

    @property
    def mean(self) -> Tensor:
        """NaN, as PyTorch's (categories have no mean)."""
        return self._nans()

    @property
    def mode(self) -> Tensor:
        """The most probable category."""
        return self.probs.argmax(-1)

    @property
    def variance(self) -> Tensor:
        """NaN, as PyTorch's."""
        return self._nans()

    def _nans(self) -> Tensor:
        p = self.probs
        return full(self._batch_shape, math.nan, dtype=p.dtype, device=p.device)

    def __repr__(self) -> str:
        return f"Categorical({self._given}: {getattr(self, self._given)!r})"


class Bernoulli(Distribution):
    """A Bernoulli distribution (1 with probability ``probs``, else 0), from ``probs`` or
    ``logits``, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Bernoulli
    >>> m = Bernoulli(probs=pt.asarray([0.5, 0.9], dtype=pt.float64))
    >>> m.log_prob(pt.asarray([1.0, 0.0], dtype=pt.float64)).exp()
    tensor([0.5, 0.1], dtype=polytensor.float64, backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"probs": C.unit_interval, "logits": C.real}
    support: Any = C.boolean
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError(
                "Bernoulli() takes either probs= or logits=, exactly one of them; got "
                f"{'both' if probs is not None else 'neither'}"
            )
        (t,) = _tensors(probs if probs is not None else logits)
        super().__init__(_dims(t), (), validate_args)
        if probs is not None:
            self._check("probs", (t >= 0) & (t <= 1), "probabilities in [0, 1]")
            self.probs = t
            eps = finfo(t.dtype).eps
            p = E.minimum(E.maximum(t, eps), 1 - eps)
            self.logits = E.log(p) - E.log1p(-p)
            self._given = "probs"
        else:
            self._check("logits", E.logical_not(E.isnan(t)), "numbers (not NaN)")
            self.logits = t
            self.probs = sigmoid(t)
            self._given = "logits"

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Draws of 0.0 and 1.0 (the parameters' dtype), of shape ``sample_shape +
        batch_shape``; probabilities outside [0, 1] or NaN raise ``DataValueError``."""
        shape = _shape("sample", sample_shape) + self._batch_shape
        with no_grad():
            # as PyTorch's (torch.bernoulli), refused even with validate_args=False; on Dask
            # when the draw is computed
            probs = check_range(
                self.probs.detach(),
                low=0,
                high=1,
                message=f"{type(self).__name__}.sample() expects probabilities in [0, 1] (not "
                f"NaN); give valid probs, or construct the distribution with "
                f"validate_args=True to find the bad one",
            )
            u = rand_like(broadcast_to(probs, shape))
            return (u < probs).astype(probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        """``value * log(p) + (1 - value) * log(1 - p)``, computed from the logits as
        PyTorch's (``-binary_cross_entropy_with_logits``)."""
        value = self._check_value(value)
        if self._validate_args:
            self._check("value", (value == 0) | (value == 1), "0 or 1")
        logits, value = broadcast_tensors(self.logits, value.astype(self.logits.dtype))
        return -_bce_with_logits(logits, value)

    def entropy(self) -> Tensor:
        """``-p log p - (1 - p) log(1 - p)``."""
        return _bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """``[0., 1.]`` along a new first dimension (broadcast over the batch when
        ``expand``).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Bernoulli
        >>> Bernoulli(probs=pt.asarray(0.3)).enumerate_support().tolist()
        [0.0, 1.0]
        """
        v = asarray([0.0, 1.0], dtype=self.probs.dtype, device=self.probs.device)
        v = v.reshape((-1,) + (1,) * len(self._batch_shape))
        return broadcast_to(v, (2,) + self._batch_shape) if expand else v

    @property
    def mean(self) -> Tensor:
        """``p``."""
        return self.probs

    @property
    def mode(self) -> Tensor:
        """1 where ``p > 1/2``, 0 where ``p < 1/2``, NaN at ``p = 1/2`` (as PyTorch's)."""
        one = (self.probs > 0.5).astype(self.probs.dtype)
        return where(self.probs == 0.5, math.nan, one)

    @property
    def variance(self) -> Tensor:
        """``p (1 - p)``."""
        return self.probs * (1 - self.probs)

    def __repr__(self) -> str:
        return f"Bernoulli({self._given}: {getattr(self, self._given)!r})"


def _bce_with_logits(logits: Tensor, target: Tensor) -> Tensor:
    """Element-wise ``-(target log sigmoid(x) + (1 - target) log(1 - sigmoid(x)))``, stable:
    ``max(x, 0) - x * target + log1p(exp(-|x|))``."""
    return E.maximum(logits, 0.0) - logits * target + E.log1p(E.exp(-E.abs(logits)))


class Normal(Distribution):
    """A normal (Gaussian) distribution of mean ``loc`` and standard deviation ``scale``, as
    PyTorch's; ``rsample`` is ``loc + scale * eps``, differentiable in both.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Normal
    >>> m = Normal(pt.asarray([0.0]), pt.asarray([2.0]))
    >>> m.log_prob(pt.asarray([0.0]))
    tensor([-1.6120857], backend='numpy')
    >>> m.cdf(pt.asarray([0.0]))
    tensor([0.5], backend='numpy')
    """

    has_rsample = True

    arg_constraints: ClassVar[dict[str, Any]] = {"loc": C.real, "scale": C.positive}
    support: Any = C.real

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = _tensors(loc, scale)
        super().__init__(_dims(self.loc), (), validate_args)
        self._check("loc", E.logical_not(E.isnan(self.loc)), "numbers (not NaN)")
        self._check("scale", self.scale > 0, "positive")

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape``, not differentiable. As PyTorch's
        (whose ``sample`` calls ``torch.normal``), a negative or NaN ``scale`` is refused even
        with ``validate_args=False`` (``DataValueError``; on Dask when the draw is computed);
        ``rsample`` takes it as it is."""
        shape = _shape("sample", sample_shape) + self._batch_shape
        with no_grad():
            scale = check_range(
                self.scale.detach(),
                low=0,
                high=None,
                message=f"{type(self).__name__}.sample() expects every element of scale >= 0.0 "
                f"(not NaN); give a valid scale, or construct the distribution with "
                f"validate_args=True to find the bad one",
            )
            eps = randn_like(broadcast_to(self.loc.detach(), shape))
            return self.loc.detach() + eps * scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = _shape("rsample", sample_shape) + self._batch_shape
        eps = randn_like(broadcast_to(self.loc.detach(), shape))
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        """``-(value - loc)^2 / (2 scale^2) - log(scale) - log(sqrt(2 pi))``."""
        value = self._check_value(value)
        if self._validate_args:
            self._check("value", E.logical_not(E.isnan(value)), "numbers (not NaN)")
        var = self.scale**2
        return (
            -((value - self.loc) ** 2) / (2 * var)
            - E.log(self.scale)
            - math.log(math.sqrt(2 * math.pi))
        )

    def entropy(self) -> Tensor:
        """``1/2 + log(sqrt(2 pi)) + log(scale)``."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + E.log(self.scale)

    def cdf(self, value: Tensor) -> Tensor:
        """``P(X <= value)``: ``(1 + erf((value - loc) / (scale sqrt 2))) / 2``."""
        from .._ops.special import erf

        value = self._check_value(value)
        return 0.5 * (1 + erf((value - self.loc) * (1 / self.scale) / math.sqrt(2)))

    def icdf(self, value: Tensor) -> Tensor:
        """The quantile of probability ``value``: ``loc + scale sqrt(2) erfinv(2 value - 1)``."""
        from .._ops.special import erfinv

        value = self._check_value(value)
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    @property
    def mean(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """``scale``."""
        return self.scale

    @property
    def variance(self) -> Tensor:
        """``scale^2``."""
        return self.scale**2

    def __repr__(self) -> str:
        return f"Normal(loc: {self.loc!r}, scale: {self.scale!r})"


class Uniform(Distribution):
    """The uniform distribution on ``[low, high)``, as PyTorch's; ``rsample`` is ``low + u
    (high - low)``, differentiable in both bounds.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Uniform
    >>> m = Uniform(0.0, 4.0)
    >>> m.log_prob(pt.asarray(1.0)).exp(), m.entropy().exp()
    (tensor(0.25, backend='numpy'), tensor(4., backend='numpy'))
    """

    has_rsample = True

    @property
    def arg_constraints(self) -> dict[str, Any]:  # type: ignore[override]
        """``low`` below ``high``, ``high`` above ``low``."""
        return {"low": C.less_than(self.high), "high": C.greater_than(self.low)}

    @property
    def support(self) -> Any:
        """``interval(low, high)``."""
        return C.interval(self.low, self.high)

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = _tensors(low, high)
        super().__init__(_dims(self.low), (), validate_args)
        self._check("low", self.low < self.high, "below high")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = _shape("rsample", sample_shape) + self._batch_shape
        u = rand_like(broadcast_to(self.low.detach(), shape))
        return self.low + u * (self.high - self.low)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-log(high - low)`` inside ``[low, high)``, ``-inf`` outside."""
        value = self._check_value(value)
        if self._validate_args:
            # Note: PyTorch's support is the closed interval; high itself has log_prob -inf
            self._check("value", (value >= self.low) & (value <= self.high), "in [low, high]")
        inside = (value >= self.low) & (value < self.high)
        # -log(high - low) is differentiated outside the support too, as PyTorch's
        return where(inside, 0.0, -math.inf) - E.log(self.high - self.low)

    def entropy(self) -> Tensor:
        """``log(high - low)``."""
        return E.log(self.high - self.low)

    def cdf(self, value: Tensor) -> Tensor:
        """``(value - low) / (high - low)``, clamped to [0, 1]."""
        value = self._check_value(value)
        r = (value - self.low) / (self.high - self.low)
        return E.minimum(E.maximum(r, 0.0), 1.0)

    def icdf(self, value: Tensor) -> Tensor:
        """``low + value (high - low)``."""
        return self.low + self._check_value(value) * (self.high - self.low)

    @property
    def mean(self) -> Tensor:
        """``(low + high) / 2``."""
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        """NaN, as PyTorch's (every value in the support is a mode)."""
        return full(self._batch_shape, math.nan, dtype=self.low.dtype, device=self.low.device)

    @property
    def variance(self) -> Tensor:
        """``(high - low)^2 / 12``."""
        return (self.high - self.low) ** 2 / 12

    def __repr__(self) -> str:
        return f"Uniform(low: {self.low!r}, high: {self.high!r})"


class Exponential(Distribution):
    """The exponential distribution of ``rate``, as PyTorch's; ``rsample`` is ``-log(u) /
    rate``, differentiable in the rate.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Exponential
    >>> m = Exponential(pt.asarray([2.0]))
    >>> m.log_prob(pt.asarray([0.0])).exp(), m.mean
    (tensor([2.], backend='numpy'), tensor([0.5], backend='numpy'))
    """

    has_rsample = True

    arg_constraints: ClassVar[dict[str, Any]] = {"rate": C.positive}
    support: Any = C.nonnegative

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = _tensors(rate)
        super().__init__(_dims(self.rate), (), validate_args)
        self._check("rate", self.rate > 0, "positive")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = _shape("rsample", sample_shape) + self._batch_shape
        u = rand_like(broadcast_to(self.rate.detach(), shape))
        # 1 - u lies in (0, 1]: its log is finite
        return -E.log1p(-u) / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        """``log(rate) - rate * value``."""
        value = self._check_value(value)
        if self._validate_args:
            self._check("value", value >= 0, "non-negative")
        return E.log(self.rate) - self.rate * value

    def entropy(self) -> Tensor:
        """``1 - log(rate)``."""
        return 1.0 - E.log(self.rate)

    def cdf(self, value: Tensor) -> Tensor:
        """``1 - exp(-rate * value)``."""
        return 1 - E.exp(-self.rate * self._check_value(value))

    def icdf(self, value: Tensor) -> Tensor:
        """``-log(1 - value) / rate``."""
        return -E.log1p(-self._check_value(value)) / self.rate

    @property
    def mean(self) -> Tensor:
        """``1 / rate``."""
        return 1 / self.rate

    @property
    def mode(self) -> Tensor:
        """0 (also for an infinite rate)."""
        return zeros_like(self.rate.detach())

    @property
    def variance(self) -> Tensor:
        """``1 / rate^2``."""
        return self.rate**-2

    def __repr__(self) -> str:
        return f"Exponential(rate: {self.rate!r})"


@register_kl(Normal, Normal)
def _kl_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - E.log(var_ratio))


@register_kl(Categorical, Categorical)
def _kl_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t = where(q.probs == 0, math.inf, t)
    t = where(p.probs == 0, 0.0, t)
    return t.sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    def softplus(x: Tensor) -> Tensor:
        return E.logaddexp(x, 0.0)

    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = where(p.probs == 0, 0.0, where(q.probs == 0, math.inf, t1))
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = where(p.probs == 1, 0.0, where(q.probs == 1, math.inf, t2))
    return t1 + t2


@register_kl(Uniform, Uniform)
def _kl_uniform(p: Uniform, q: Uniform) -> Tensor:
    r = E.log((q.high - q.low) / (p.high - p.low))
    outside = (q.low > p.low) | (q.high < p.high)
    return where(outside, math.inf, r)


@register_kl(Exponential, Exponential)
def _kl_exponential(p: Exponential, q: Exponential) -> Tensor:
    ratio = q.rate / p.rate
    return ratio - 1 - E.log(ratio)
