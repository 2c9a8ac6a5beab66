"""The distributions drawn through gamma numbers: ``Gamma``, ``Beta``, ``Dirichlet``,
``StudentT`` and ``FisherSnedecor``, and the KL divergences between two of one family.

Gamma numbers are drawn by Marsaglia and Tsang's method (a concentration below 1 boosted by a
uniform power, as PyTorch's and NumPy's) from the counter-based stream, so a seed gives the
same numbers on every backend: each element takes ``_CANDIDATES`` normal and uniform numbers of
its own and keeps the first candidate accepted. Each is accepted with probability above 0.95,
so all are rejected with probability below 1e-20 (the first candidate is then kept).

Note: PyTorch differentiates these draws in the concentration by implicit reparameterisation
(an approximation of the derivative of the inverse distribution function). That gradient is
not implemented here: ``has_rsample`` is False, and ``rsample`` refuses a concentration (or
StudentT's and FisherSnedecor's degrees of freedom) that requires grad rather than give a
gradient that is not the true one.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from .. import _dtypes as dt
from .._ops import elementwise as E
from .._ops.creation import arange, full
from .._ops.data_types import astype, finfo
from .._ops.indexing import take_along_axis
from .._ops.manipulation import broadcast_to, expand_dims, squeeze, stack
from .._ops.searching import argmax, where
from .._ops.special import digamma, gammainc, gammaln, xlogy
from .._random import rand_like, randn_like
from .._tensor import Tensor
from ..autograd._mode import is_grad_enabled, no_grad
from . import constraints as C
from ._base import Distribution, _dims, _shape, _tensors, register_kl

__all__ = ["Beta", "Chi2", "Dirichlet", "FisherSnedecor", "Gamma", "StudentT"]

_CANDIDATES = 16


def _standard_gamma(alpha: Tensor) -> Tensor:
    """Gamma numbers of concentration ``alpha`` and rate 1, of ``alpha``'s shape and dtype, at
    least the dtype's smallest normal number (as PyTorch's); not differentiable."""
    with no_grad():
        a = astype(alpha.detach(), dt.float64)
        boost = a < 1  # Gamma(a) = Gamma(a + 1) U^(1/a)
        d = expand_dims(where(boost, a + 1, a) - 1 / 3, axis=-1)
        c = 1 / E.sqrt(9 * d)
        column = expand_dims(a, axis=-1)
        z = randn_like(broadcast_to(column, tuple(a.shape) + (_CANDIDATES,)))
        u = rand_like(broadcast_to(column, tuple(a.shape) + (_CANDIDATES + 1,)))
        t = 1 + c * z
        ok = t > 0
        v = where(ok, t**3, 1.0)
        # log(1 - u) for u in [0, 1): finite, and 1 - u is uniform too
        accepted = ok & (E.log1p(-u[..., :_CANDIDATES]) < 0.5 * z * z + d - d * v + d * E.log(v))
        first = argmax(astype(accepted, dt.int64), axis=-1, keepdims=True)
        x = squeeze(take_along_axis(d * v, first, axis=-1), axis=-1)
        x = where(boost, x * E.exp(E.log1p(-u[..., _CANDIDATES]) / where(boost, a, 1.0)), x)
        x = astype(x, alpha.dtype)
        return E.maximum(x, finfo(alpha.dtype).smallest_normal)


def _refuse_gradient(where_: str, name: str, t: Tensor) -> None:
    if is_grad_enabled() and t.requires_grad:
        raise NotImplementedError(
            f"{where_}.rsample() is not differentiable in {name}: the implicit "
            f"reparameterisation gradient of gamma draws is not implemented; draw with "
            f"sample() and use log_prob() for a score-function gradient, or detach {name}"
        )


def _positive_value(d: Distribution, value: Any) -> Tensor:
    checked = d._check_value(value)
    if d._validate_args:
        d._check("value", checked >= 0, "non-negative")
    return checked


class Gamma(Distribution):
    """The gamma distribution of shape ``concentration`` and ``rate`` (1 / scale), as
    PyTorch's. ``rsample`` is differentiable in the rate only (see the module's note): it
    refuses a concentration that requires grad.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Gamma
    >>> m = Gamma(pt.asarray([2.0]), pt.asarray([4.0]))
    >>> m.mean, m.variance
    (tensor([0.5], backend='numpy'), tensor([0.125], backend='numpy'))
    >>> m.log_prob(pt.asarray([0.5]))
    tensor([0.07944155], backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"concentration": C.positive, "rate": C.positive}
    support: Any = C.nonnegative

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = _tensors(concentration, rate)
        super().__init__(_dims(self.rate), (), validate_args)
        self._check("concentration", self.concentration > 0, "positive")
        self._check("rate", self.rate > 0, "positive")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape``, differentiable in ``rate``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Gamma
        >>> rate = pt.asarray([2.0], requires_grad=True)
        >>> x = Gamma(pt.asarray([3.0]), rate).rsample((5,))
        >>> x.sum().backward(); bool(pt.all(rate.grad < 0))
        True
        """
        _refuse_gradient("Gamma", "concentration", self.concentration)
        shape = _shape("rsample", sample_shape) + self._batch_shape
        g = _standard_gamma(broadcast_to(self.concentration.detach(), shape))
        return E.maximum(g / self.rate, finfo(self.rate.dtype).smallest_normal)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """``c log(rate) + (c - 1) log(value) - rate value - lgamma(c)``."""
        value = _positive_value(self, value)
        c = self.concentration
        return xlogy(c, self.rate) + xlogy(c - 1, value) - self.rate * value - gammaln(c)

    def entropy(self) -> Tensor:
        """``c - log(rate) + lgamma(c) + (1 - c) digamma(c)``."""
        c = self.concentration
        return c - E.log(self.rate) + gammaln(c) + (1.0 - c) * digamma(c)

    def cdf(self, value: Tensor) -> Tensor:
        """``P(concentration, rate value)``, the regularised lower incomplete gamma function
        (``pt.special.gammainc``), as PyTorch's: differentiable in the value and the rate, not
        in the concentration.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Gamma
        >>> Gamma(pt.asarray([1.0]), pt.asarray([2.0])).cdf(pt.asarray([0.5]))
        tensor([0.63212055], backend='numpy')
        """
        value = _positive_value(self, value)
        return gammainc(self.concentration, self.rate * value)

    @property
    def mean(self) -> Tensor:
        """``concentration / rate``."""
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        """``(concentration - 1) / rate``, at least 0."""
        return E.maximum((self.concentration - 1) / self.rate, 0.0)

    @property
    def variance(self) -> Tensor:
        """``concentration / rate^2``."""
        return self.concentration / self.rate**2

    def __repr__(self) -> str:
        return f"Gamma(concentration: {self.concentration!r}, rate: {self.rate!r})"


class Chi2(Gamma):
    """The chi-squared distribution of ``df`` degrees of freedom, as PyTorch's: a gamma
    distribution of concentration ``df / 2`` and rate ``1/2``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Chi2
    >>> m = Chi2(pt.asarray([2.0]))
    >>> m.mean, m.log_prob(pt.asarray([2.0])).exp()
    (tensor([2.], backend='numpy'), tensor([0.18393971], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"df": C.positive}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        (df_t,) = _tensors(df)
        self._validate_first(validate_args, df=df_t)  # (before Gamma's check of df / 2)
        super().__init__(0.5 * df_t, 0.5, validate_args=validate_args)

    @property
    def df(self) -> Tensor:
        """The degrees of freedom: twice the concentration."""
        return self.concentration * 2

    def __repr__(self) -> str:
        return f"Chi2(df: {self.df!r})"


class Dirichlet(Distribution):
    """The Dirichlet distribution on the simplex of ``concentration`` (the last dimension the
    categories, the others the batch), as PyTorch's. ``rsample`` refuses a concentration that
    requires grad (see the module's note).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Dirichlet
    >>> m = Dirichlet(pt.asarray([1.0, 3.0]))
    >>> m.mean, m.event_shape
    (tensor([0.25, 0.75], backend='numpy'), (2,))
    >>> m.log_prob(pt.asarray([0.5, 0.5]))
    tensor(-0.28768206, backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"concentration": C.independent(C.positive, 1)}
    support: Any = C.simplex

    def __init__(self, concentration: Any, validate_args: bool | None = None) -> None:
        (self.concentration,) = _tensors(concentration)
        if self.concentration.ndim < 1:
            raise ValueError(
                "Dirichlet() expects a concentration with at least one dimension (the "
                "categories); got a 0-d tensor"
            )
        shape = _dims(self.concentration)
        super().__init__(shape[:-1], shape[-1:], validate_args)
        self._check("concentration", self.concentration > 0, "positive")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + event_shape`` (not differentiable
        in the concentration: it refuses one that requires grad).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Dirichlet
        >>> x = Dirichlet(pt.ones(3)).rsample((4,))
        >>> tuple(x.shape), bool(pt.all(pt.abs(x.sum(-1) - 1) < 1e-6))
        ((4, 3), True)
        """
        _refuse_gradient(type(self).__name__, "concentration", self.concentration)
        return self.sample(sample_shape)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(_shape("sample", sample_shape))
        with no_grad():
            g = _standard_gamma(broadcast_to(self.concentration.detach(), shape))
            return g / g.sum(-1, keepdim=True)

    def log_prob(self, value: Tensor) -> Tensor:
        """``sum((c - 1) log(value)) + lgamma(sum(c)) - sum(lgamma(c))``."""
        value = self._check_value(value)
        if self._validate_args:
            self._check(
                "value",
                (value >= 0).all(-1) & (E.abs(value.sum(-1) - 1) < 1e-6),
                "on the simplex (non-negative, summing to 1 over the last dimension)",
            )
        c = self.concentration
        return xlogy(c - 1.0, value).sum(-1) + gammaln(c.sum(-1)) - gammaln(c).sum(-1)

    def entropy(self) -> Tensor:
        """``sum(lgamma(c)) - lgamma(c0) - (K - c0) digamma(c0) - sum((c - 1) digamma(c))``
        for ``c0 = sum(c)``."""
        c = self.concentration
        k = self._event_shape[0]
        a0 = c.sum(-1)
        return (
            gammaln(c).sum(-1)
            - gammaln(a0)
            - (k - a0) * digamma(a0)
            - ((c - 1.0) * digamma(c)).sum(-1)
        )

    @property
    def mean(self) -> Tensor:
        """``c / sum(c)``."""
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        """``(c - 1) / sum(c - 1)`` (the concentrations below 1 counted as 1); where they all
        are, the one-hot vector of the largest, as PyTorch's."""
        c = self.concentration
        cm1 = E.maximum(c - 1, 0.0)
        total = cm1.sum(-1, keepdim=True)
        mode = cm1 / where(total == 0, 1.0, total)  # (a total of 0: the one-hot below)
        k = self._event_shape[0]
        top = expand_dims(argmax(mode, axis=-1), axis=-1)
        onehot = astype(top == arange(k, device=c.device), c.dtype)
        return where(expand_dims((c < 1).all(-1), axis=-1), onehot, mode)

    @property
    def variance(self) -> Tensor:
        """``c (c0 - c) / (c0^2 (c0 + 1))`` for ``c0 = sum(c)``."""
        c = self.concentration
        c0 = c.sum(-1, keepdim=True)
        return c * (c0 - c) / (c0**2 * (c0 + 1))

    def __repr__(self) -> str:
        return f"Dirichlet(concentration: {self.concentration!r})"


class Beta(Distribution):
    """The beta distribution on [0, 1] of ``concentration1`` (alpha) and ``concentration0``
    (beta), as PyTorch's (a two-category ``Dirichlet``). ``rsample`` refuses concentrations
    that require grad (see the module's note).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Beta
    >>> m = Beta(pt.asarray([2.0]), pt.asarray([2.0]))
    >>> m.mean, m.log_prob(pt.asarray([0.5])).exp()
    (tensor([0.5], backend='numpy'), tensor([1.5], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "concentration1": C.positive,
        "concentration0": C.positive,
    }
    support: Any = C.unit_interval

    def __init__(
        self, concentration1: Any, concentration0: Any, validate_args: bool | None = None
    ) -> None:
        c1, c0 = _tensors(concentration1, concentration0)
        self._dirichlet = Dirichlet(stack([c1, c0], axis=-1), validate_args=validate_args)
        super().__init__(self._dirichlet.batch_shape, (), validate_args)

    @property
    def concentration1(self) -> Tensor:
        """The first concentration (alpha)."""
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        """The second concentration (beta)."""
        return self._dirichlet.concentration[..., 1]

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape`` (refuses concentrations that
        require grad).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Beta
        >>> x = Beta(pt.asarray([0.5]), pt.asarray([0.5])).rsample((3,))
        >>> tuple(x.shape), bool(pt.all((x >= 0) & (x <= 1)))
        ((3, 1), True)
        """
        _refuse_gradient("Beta", "the concentrations", self._dirichlet.concentration)
        return self.sample(sample_shape)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return self._dirichlet.sample(sample_shape)[..., 0]

    def log_prob(self, value: Tensor) -> Tensor:
        """The Dirichlet log-density of ``(value, 1 - value)``."""
        value = self._check_value(value)
        if self._validate_args:
            self._check("value", (value >= 0) & (value <= 1), "in [0, 1]")
        return self._dirichlet.log_prob(stack([value, 1.0 - value], axis=-1))

    def entropy(self) -> Tensor:
        """The Dirichlet entropy."""
        return self._dirichlet.entropy()

    @property
    def mean(self) -> Tensor:
        """``alpha / (alpha + beta)``."""
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        """The Dirichlet mode's first component."""
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        """``alpha beta / ((alpha + beta)^2 (alpha + beta + 1))``."""
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total**2 * (total + 1))

    def __repr__(self) -> str:
        return (
            f"Beta(concentration1: {self.concentration1!r}, "
            f"concentration0: {self.concentration0!r})"
        )


class StudentT(Distribution):
    """Student's t distribution of ``df`` degrees of freedom, location ``loc`` and scale
    ``scale``, as PyTorch's. ``rsample`` (``loc + scale X / sqrt(Z / df)``, ``X`` normal and
    ``Z`` chi-squared) is differentiable in ``loc`` and ``scale``; it refuses a ``df`` that
    requires grad (see the module's note).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import StudentT
    >>> m = StudentT(pt.asarray([3.0]))
    >>> m.log_prob(pt.asarray([0.0])), m.variance
    (tensor([-1.0008888], backend='numpy'), tensor([3.], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "df": C.positive,
        "loc": C.real,
        "scale": C.positive,
    }
    support: Any = C.real

    def __init__(
        self, df: Any, loc: Any = 0.0, scale: Any = 1.0, validate_args: bool | None = None
    ) -> None:
        self.df, self.loc, self.scale = _tensors(df, loc, scale)
        super().__init__(_dims(self.df), (), validate_args)
        self._check("df", self.df > 0, "positive")
        self._check("loc", E.logical_not(E.isnan(self.loc)), "numbers (not NaN)")
        self._check("scale", self.scale > 0, "positive")

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape``, differentiable in ``loc`` and
        ``scale``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import StudentT
        >>> loc = pt.zeros(2, requires_grad=True)
        >>> StudentT(4.0, loc).rsample((3,)).sum().backward(); loc.grad
        tensor([3., 3.], backend='numpy')
        """
        _refuse_gradient("StudentT", "df", self.df)
        shape = _shape("rsample", sample_shape) + self._batch_shape
        df = broadcast_to(self.df.detach(), shape)
        x = randn_like(df)
        z = 2 * _standard_gamma(0.5 * df)  # chi-squared of df degrees
        return self.loc + self.scale * (x / E.sqrt(z / df))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """``-(df + 1)/2 log(1 + y^2 / df) - log(scale) - log(df pi)/2 - lgamma(df/2) +
        lgamma((df + 1)/2)`` for ``y = (value - loc) / scale``."""
        value = self._check_value(value)
        if self._validate_args:
            self._check("value", E.logical_not(E.isnan(value)), "numbers (not NaN)")
        y = (value - self.loc) / self.scale
        z = (
            E.log(self.scale)
            + 0.5 * E.log(self.df)
            + 0.5 * math.log(math.pi)
            + gammaln(0.5 * self.df)
            - gammaln(0.5 * (self.df + 1.0))
        )
        return -0.5 * (self.df + 1.0) * E.log1p(y**2.0 / self.df) - z

    def entropy(self) -> Tensor:
        """``log(scale) + (df + 1)/2 (digamma((df + 1)/2) - digamma(df/2)) + log(df)/2 +
        log B(df/2, 1/2)``."""
        df = self.df
        lbeta = gammaln(0.5 * df) + math.lgamma(0.5) - gammaln(0.5 * (df + 1))
        return (
            E.log(self.scale)
            + 0.5 * (df + 1) * (digamma(0.5 * (df + 1)) - digamma(0.5 * df))
            + 0.5 * E.log(df)
            + lbeta
        )

    @property
    def mean(self) -> Tensor:
        """``loc`` where ``df > 1``, NaN elsewhere."""
        return where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self) -> Tensor:
        """``loc``."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        """``scale^2 df / (df - 2)`` where ``df > 2``, ``inf`` where ``1 < df <= 2``, NaN
        where ``df <= 1``."""
        df = where(self.df > 2, self.df, 3.0)  # (no 0/0 in the branch not taken)
        v = self.scale**2 * df / (df - 2)
        rest = full(self._batch_shape, math.inf, dtype=self.df.dtype, device=self.df.device)
        return where(self.df > 2, v, where(self.df > 1, rest, math.nan))

    def __repr__(self) -> str:
        return f"StudentT(df: {self.df!r}, loc: {self.loc!r}, scale: {self.scale!r})"


class FisherSnedecor(Distribution):
    """The Fisher-Snedecor (F) distribution of ``df1`` and ``df2`` degrees of freedom, as
    PyTorch's: the ratio ``(X1 / df1) / (X2 / df2)`` of two chi-squared numbers. ``rsample``
    refuses degrees of freedom that require grad (see the module's note).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import FisherSnedecor
    >>> m = FisherSnedecor(pt.asarray([4.0]), pt.asarray([6.0]))
    >>> m.mean, m.log_prob(pt.asarray([1.0])).exp()
    (tensor([1.5], backend='numpy'), tensor([0.41472003], backend='numpy'))
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"df1": C.positive, "df2": C.positive}
    support: Any = C.positive

    def __init__(self, df1: Any, df2: Any, validate_args: bool | None = None) -> None:
        self.df1, self.df2 = _tensors(df1, df2)
        super().__init__(_dims(self.df1), (), validate_args)
        self._validate_params(df1=self.df1, df2=self.df2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape``, at least the dtype's smallest
        normal number, as PyTorch's (refuses degrees of freedom that require grad).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import FisherSnedecor
        >>> x = FisherSnedecor(pt.asarray([2.0, 5.0]), 3.0).rsample((4,))
        >>> tuple(x.shape), bool(pt.all(x > 0))
        ((4, 2), True)
        """
        _refuse_gradient("FisherSnedecor", "df1", self.df1)
        _refuse_gradient("FisherSnedecor", "df2", self.df2)
        shape = _shape("rsample", sample_shape) + self._batch_shape
        df1 = broadcast_to(self.df1.detach(), shape)
        df2 = broadcast_to(self.df2.detach(), shape)
        tiny = finfo(self.df1.dtype).smallest_normal
        x1 = _standard_gamma(0.5 * df1) / df1
        x2 = E.maximum(_standard_gamma(0.5 * df2) / df2, tiny)
        return E.maximum(x1 / x2, tiny)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            return self.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """``log B(d1/2, d2/2)^-1 + d1/2 log(d1/d2) + (d1/2 - 1) log(value) - (d1 + d2)/2
        log(1 + d1 value / d2)``."""
        value = self._validate_sample(value)
        h1, h2 = 0.5 * self.df1, 0.5 * self.df2
        ratio = self.df1 / self.df2
        t1 = gammaln(h1 + h2) - gammaln(h1) - gammaln(h2)
        t2 = h1 * E.log(ratio) + xlogy(h1 - 1, value)
        return t1 + t2 - (h1 + h2) * E.log1p(ratio * value)

    @property
    def mean(self) -> Tensor:
        """``df2 / (df2 - 2)`` where ``df2 > 2``, NaN elsewhere (as PyTorch's)."""
        df2 = where(self.df2 > 2, self.df2, 3.0)  # (no division by 0 in the branch not taken)
        return where(self.df2 > 2, df2 / (df2 - 2), math.nan)

    @property
    def mode(self) -> Tensor:
        """``(df1 - 2) / df1 df2 / (df2 + 2)`` where ``df1 > 2``, NaN elsewhere."""
        m = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        return where(self.df1 > 2, m, math.nan)

    @property
    def variance(self) -> Tensor:
        """``2 df2^2 (df1 + df2 - 2) / (df1 (df2 - 2)^2 (df2 - 4))`` where ``df2 > 4``, NaN
        elsewhere (as PyTorch's)."""
        df2 = where(self.df2 > 4, self.df2, 5.0)
        v = 2 * df2**2 * (self.df1 + df2 - 2) / (self.df1 * (df2 - 2) ** 2 * (df2 - 4))
        return where(self.df2 > 4, v, math.nan)

    def __repr__(self) -> str:
        return f"FisherSnedecor(df1: {self.df1!r}, df2: {self.df2!r})"


# -- KL divergences -----------------------------------------------------------------------------


@register_kl(Gamma, Gamma)
def _kl_gamma(p: Gamma, q: Gamma) -> Tensor:
    t1 = q.concentration * E.log(p.rate / q.rate)
    t2 = gammaln(q.concentration) - gammaln(p.concentration)
    t3 = (p.concentration - q.concentration) * digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


@register_kl(Beta, Beta)
def _kl_beta(p: Beta, q: Beta) -> Tensor:
    sum_p = p.concentration1 + p.concentration0
    sum_q = q.concentration1 + q.concentration0
    t1 = gammaln(q.concentration1) + gammaln(q.concentration0) + gammaln(sum_p)
    t2 = gammaln(p.concentration1) + gammaln(p.concentration0) + gammaln(sum_q)
    t3 = (p.concentration1 - q.concentration1) * digamma(p.concentration1)
    t4 = (p.concentration0 - q.concentration0) * digamma(p.concentration0)
    t5 = (sum_q - sum_p) * digamma(sum_p)
    return t1 - t2 + t3 + t4 + t5


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    sum_p = p.concentration.sum(-1)
    sum_q = q.concentration.sum(-1)
    t1 = gammaln(sum_p) - gammaln(sum_q)
    t2 = (gammaln(p.concentration) - gammaln(q.concentration)).sum(-1)
    t3 = p.concentration - q.concentration
    t4 = digamma(p.concentration) - expand_dims(digamma(sum_p), axis=-1)
    return t1 - t2 + (t3 * t4).sum(-1)
