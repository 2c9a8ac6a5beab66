"""Distributions of vectors: ``MultivariateNormal``, and ``Independent``, which makes batch
dimensions of another distribution event dimensions; the KL divergences of two of each."""

from __future__ import annotations

import math
from typing import Any, ClassVar, cast

from .._checks import describe
from .._ops import elementwise as E
from .._ops import linalg as L
from .._ops.creation import eye, tril
from .._ops.linear_algebra import matmul, matrix_transpose
from .._ops.manipulation import broadcast_to, expand_dims, flip
from .._random import randn_like
from .._shapes import broadcast_shapes
from .._tensor import Tensor
from . import constraints as C
from ._base import Distribution, _dims, _shape, _tensors, kl_divergence, register_kl

__all__ = ["Independent", "LowRankMultivariateNormal", "MultivariateNormal"]

_MATRICES = ("covariance_matrix", "precision_matrix", "scale_tril")


def _log_diagonal_sum(m: Tensor) -> Tensor:
    """``sum(log(diag(m)))`` over the last two dimensions: half the log-determinant of
    ``m m^T`` for a triangular ``m`` of positive diagonal."""
    return E.log(L.diagonal(m)).sum(-1)


def _solve_lower(lower: Tensor, b: Tensor) -> Tensor:
    """``lower^-1 b`` for matrices ``b``, the batch dimensions broadcast. Only the lower
    triangle of ``lower`` is read, so only it gets a gradient (as PyTorch's
    ``solve_triangular``)."""
    batch = broadcast_shapes(tuple(lower.shape[:-2]), tuple(b.shape[:-2]))
    n = lower.shape[-1]
    lower = broadcast_to(tril(lower), batch + (n, n))
    return cast("Tensor", L.solve(lower, broadcast_to(b, batch + tuple(b.shape[-2:]))))


def _mahalanobis(lower: Tensor, x: Tensor) -> Tensor:
    """``x^T (lower lower^T)^-1 x`` over the last dimension of ``x``."""
    return (_solve_lower(lower, expand_dims(x, axis=-1))[..., 0] ** 2).sum(-1)


def _precision_to_scale_tril(p: Tensor) -> Tensor:
    """The lower Cholesky factor of ``p^-1`` (PyTorch's way: flip, factor, flip, invert)."""
    lf = L.cholesky(flip(p, axis=(-2, -1)))
    l_inv = matrix_transpose(flip(lf, axis=(-2, -1)))
    return _solve_lower(l_inv, eye(_dims(p)[-1], dtype=p.dtype, device=p.device))


class MultivariateNormal(Distribution):
    """The multivariate normal distribution of mean ``loc`` (the last dimension the event)
    and one of ``covariance_matrix``, ``precision_matrix`` or ``scale_tril`` (the lower
    Cholesky factor of the covariance), as PyTorch's; ``rsample`` is ``loc + scale_tril eps``,
    differentiable in both. Computations use ``scale_tril``; a covariance or precision matrix
    is factored once.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import MultivariateNormal
    >>> m = MultivariateNormal(pt.zeros(2), covariance_matrix=pt.asarray([[4.0, 0.0], [0.0, 1.0]]))
    >>> m.log_prob(pt.zeros(2)), m.variance
    (tensor(-2.5310242, backend='numpy'), tensor([4., 1.], backend='numpy'))
    >>> m.batch_shape, m.event_shape, tuple(m.sample((3,)).shape)
    ((), (2,), (3, 2))
    """

    has_rsample = True
    _kept_by_expand = ("_unbroadcasted_scale_tril", "_given")

    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": C.real_vector,
        "covariance_matrix": C.positive_definite,
        "precision_matrix": C.positive_definite,
        "scale_tril": C.lower_cholesky,
    }
    support: Any = C.real_vector

    def __init__(
        self,
        loc: Any,
        covariance_matrix: Any = None,
        precision_matrix: Any = None,
        scale_tril: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        (loc_t,) = _tensors(loc)
        if loc_t.ndim < 1:
            raise ValueError(
                "MultivariateNormal() expects loc with at least one dimension (the event); got "
                "a 0-d tensor"
            )
        matrices = dict(
            zip(_MATRICES, (covariance_matrix, precision_matrix, scale_tril), strict=True)
        )
        given = [k for k, v in matrices.items() if v is not None]
        if len(given) != 1:
            raise ValueError(
                f"MultivariateNormal() takes exactly one of covariance_matrix, precision_matrix "
                f"or scale_tril; got {', '.join(given) if given else 'none'}"
            )
        name = given[0]
        (m,) = _tensors(matrices[name])
        n = _dims(loc_t)[-1]
        if m.ndim < 2 or _dims(m)[-2:] != (n, n):
            raise ValueError(
                f"MultivariateNormal() expects {name} of shape (..., {n}, {n}) for a loc of "
                f"{n} elements; got a shape {tuple(m.shape)}"
            )
        batch = cast("tuple[int, ...]", broadcast_shapes(_dims(m)[:-2], _dims(loc_t)[:-1]))
        self.loc = broadcast_to(loc_t, batch + (n,))
        super().__init__(batch, (n,), validate_args)
        self._check("loc", E.logical_not(E.isnan(self.loc)), "numbers (not NaN)")
        if name == "scale_tril":
            self._check(
                name,
                (tril(m) == m).all((-2, -1)) & (L.diagonal(m) > 0).all(-1),
                "lower triangular with a positive diagonal",
            )
            self._unbroadcasted_scale_tril = m
        else:
            if self._validate_args:
                symmetric = (E.abs(m - matrix_transpose(m)) <= 1e-6).all((-2, -1))
                self._check(name, symmetric, "symmetric matrices")
                self._check(name, (L.eigvalsh(m) > 0).all(-1), "positive definite")
            self._unbroadcasted_scale_tril = (
                L.cholesky(m) if name == "covariance_matrix" else _precision_to_scale_tril(m)
            )
        self._given = (name, m)

    def _matrix(self, name: str, make: Any) -> Tensor:
        given, m = self._given
        m = m if given == name else make()
        n = self._event_shape[0]
        return broadcast_to(m, self._batch_shape + (n, n))

    @property
    def scale_tril(self) -> Tensor:
        """The lower Cholesky factor of the covariance, of shape ``batch_shape + (n, n)``."""
        return self._matrix("scale_tril", lambda: self._unbroadcasted_scale_tril)

    @property
    def covariance_matrix(self) -> Tensor:
        """The covariance ``scale_tril scale_tril^T``."""
        s = self._unbroadcasted_scale_tril
        return self._matrix("covariance_matrix", lambda: matmul(s, matrix_transpose(s)))

    @property
    def precision_matrix(self) -> Tensor:
        """The inverse of the covariance."""

        def inverse() -> Tensor:
            s = self._unbroadcasted_scale_tril
            # (a solve reading the whole factor: the gradient of PyTorch's cholesky_inverse)
            s_inv = cast("Tensor", L.solve(s, eye(_dims(s)[-1], dtype=s.dtype, device=s.device)))
            return matmul(matrix_transpose(s_inv), s_inv)

        return self._matrix("precision_matrix", inverse)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(_shape("rsample", sample_shape))
        eps = randn_like(broadcast_to(self.loc.detach(), shape))
        return self.loc + matmul(self._unbroadcasted_scale_tril, expand_dims(eps, axis=-1))[..., 0]

    def log_prob(self, value: Tensor) -> Tensor:
        """``-(n log(2 pi) + (value - loc)^T covariance^-1 (value - loc)) / 2 - log
        det(scale_tril)``."""
        value = self._check_value(value)
        if self._validate_args:
            self._check("value", E.logical_not(E.isnan(value)), "numbers (not NaN)")
        m = _mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        half_log_det = _log_diagonal_sum(self._unbroadcasted_scale_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + m) - half_log_det

    def entropy(self) -> Tensor:
        """``n (1 + log(2 pi)) / 2 + log det(scale_tril)``."""
        n = self._event_shape[0]
        h = 0.5 * n * (1.0 + math.log(2 * math.pi)) + _log_diagonal_sum(
            self._unbroadcasted_scale_tril
        )
        return broadcast_to(h, self._batch_shape)

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
        """The diagonal of the covariance."""
        v = (self._unbroadcasted_scale_tril**2).sum(-1)
        return broadcast_to(v, self._batch_shape + self._event_shape)

    def __repr__(self) -> str:
        name, m = self._given
        return f"MultivariateNormal(loc: {self.loc!r}, {name}: {m!r})"


def _capacitance_tril(w: Tensor, d: Tensor) -> Tensor:
    """The lower Cholesky factor of ``I + W^T D^-1 W`` (of size the rank)."""
    m = _dims(w)[-1]
    k = matmul(matrix_transpose(w) / expand_dims(d, axis=-2), w)
    return cast("Tensor", L.cholesky(k + eye(m, dtype=w.dtype, device=w.device)))


def _lowrank_logdet(d: Tensor, capacitance_tril: Tensor) -> Tensor:
    """``log det(W W^T + D)``, by the matrix determinant lemma."""
    return 2 * _log_diagonal_sum(capacitance_tril) + E.log(d).sum(-1)


def _lowrank_mahalanobis(w: Tensor, d: Tensor, x: Tensor, capacitance_tril: Tensor) -> Tensor:
    """``x^T (W W^T + D)^-1 x``, by the Woodbury identity."""
    wt_dinv = matrix_transpose(w) / expand_dims(d, axis=-2)
    wt_dinv_x = matmul(wt_dinv, expand_dims(x, axis=-1))[..., 0]
    return (x**2 / d).sum(-1) - _mahalanobis(capacitance_tril, wt_dinv_x)


class LowRankMultivariateNormal(Distribution):
    """The multivariate normal distribution of mean ``loc`` and covariance ``cov_factor
    cov_factor^T + diag(cov_diag)`` (``cov_factor`` of shape ``(..., n, rank)``), as PyTorch's:
    ``log_prob`` and ``entropy`` go through the ``rank x rank`` capacitance matrix (the
    Woodbury identity and the determinant lemma), never an ``n x n`` factorisation; ``rsample``
    is ``loc + cov_factor eps_W + sqrt(cov_diag) eps_D``, differentiable in all three.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import LowRankMultivariateNormal
    >>> m = LowRankMultivariateNormal(pt.zeros(3), pt.ones((3, 1)), pt.ones(3))
    >>> m.variance, m.event_shape
    (tensor([2., 2., 2.], backend='numpy'), (3,))
    >>> m.log_prob(pt.zeros(3))
    tensor(-3.4499629, backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": C.real_vector,
        "cov_factor": C.independent(C.real, 2),
        "cov_diag": C.independent(C.positive, 1),
    }
    support: Any = C.real_vector
    has_rsample = True
    _kept_by_expand = (
        "_unbroadcasted_cov_factor",
        "_unbroadcasted_cov_diag",
        "_capacitance_tril",
    )

    def __init__(
        self, loc: Any, cov_factor: Any, cov_diag: Any, validate_args: bool | None = None
    ) -> None:
        (loc_t,) = _tensors(loc)
        (w,) = _tensors(cov_factor)
        (d,) = _tensors(cov_diag)
        if loc_t.ndim < 1:
            raise ValueError(
                "LowRankMultivariateNormal() expects loc with at least one dimension (the "
                "event); got a 0-d tensor"
            )
        n = _dims(loc_t)[-1]
        if w.ndim < 2 or _dims(w)[-2] != n:
            raise ValueError(
                f"LowRankMultivariateNormal() expects cov_factor of shape (..., {n}, rank) for a "
                f"loc of {n} elements; got a shape {tuple(w.shape)}"
            )
        if d.ndim < 1 or _dims(d)[-1] != n:
            raise ValueError(
                f"LowRankMultivariateNormal() expects cov_diag of shape (..., {n}) for a loc of "
                f"{n} elements; got a shape {tuple(d.shape)}"
            )
        rank = _dims(w)[-1]
        batch = cast(
            "tuple[int, ...]",
            broadcast_shapes(_dims(loc_t)[:-1], _dims(w)[:-2], _dims(d)[:-1]),
        )
        self.loc = broadcast_to(loc_t, batch + (n,))
        self.cov_factor = broadcast_to(w, batch + (n, rank))
        self.cov_diag = broadcast_to(d, batch + (n,))
        super().__init__(batch, (n,), validate_args)
        self._validate_params(loc=self.loc, cov_factor=self.cov_factor, cov_diag=self.cov_diag)
        self._unbroadcasted_cov_factor = w
        self._unbroadcasted_cov_diag = d
        self._capacitance_tril = _capacitance_tril(w, d)

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
        """The diagonal of the covariance: ``sum(cov_factor^2, -1) + cov_diag``."""
        v = (self._unbroadcasted_cov_factor**2).sum(-1) + self._unbroadcasted_cov_diag
        return broadcast_to(v, self._batch_shape + self._event_shape)

    @property
    def covariance_matrix(self) -> Tensor:
        """``cov_factor cov_factor^T + diag(cov_diag)``."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        n = self._event_shape[0]
        cov = matmul(w, matrix_transpose(w)) + expand_dims(d, axis=-1) * eye(
            n, dtype=d.dtype, device=d.device
        )
        return broadcast_to(cov, self._batch_shape + (n, n))

    @property
    def precision_matrix(self) -> Tensor:
        """The inverse of the covariance, by the Woodbury identity."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        n = self._event_shape[0]
        wt_dinv = matrix_transpose(w) / expand_dims(d, axis=-2)
        a = _solve_lower(self._capacitance_tril, wt_dinv)
        p = expand_dims(1 / d, axis=-1) * eye(n, dtype=d.dtype, device=d.device)
        return broadcast_to(p - matmul(matrix_transpose(a), a), self._batch_shape + (n, n))

    @property
    def scale_tril(self) -> Tensor:
        """The lower Cholesky factor of the covariance."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        n = self._event_shape[0]
        sqrt_d = expand_dims(E.sqrt(d), axis=-1)
        dw = w / sqrt_d
        k = matmul(dw, matrix_transpose(dw)) + eye(n, dtype=d.dtype, device=d.device)
        return broadcast_to(sqrt_d * L.cholesky(k), self._batch_shape + (n, n))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(_shape("rsample", sample_shape))
        rank = _dims(self.cov_factor)[-1]
        eps_w = randn_like(broadcast_to(self.cov_factor.detach()[..., 0, :], shape[:-1] + (rank,)))
        eps_d = randn_like(broadcast_to(self.loc.detach(), shape))
        w = self._unbroadcasted_cov_factor
        return (
            self.loc
            + matmul(w, expand_dims(eps_w, axis=-1))[..., 0]
            + E.sqrt(self._unbroadcasted_cov_diag) * eps_d
        )

    def log_prob(self, value: Tensor) -> Tensor:
        """``-(n log(2 pi) + log det(covariance) + mahalanobis) / 2``."""
        value = self._check_value(value)
        if self._validate_args:
            self._check("value", E.logical_not(E.isnan(value)), "numbers (not NaN)")
        diff = value - self.loc
        m = _lowrank_mahalanobis(
            self._unbroadcasted_cov_factor,
            self._unbroadcasted_cov_diag,
            diff,
            self._capacitance_tril,
        )
        log_det = _lowrank_logdet(self._unbroadcasted_cov_diag, self._capacitance_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + log_det + m)

    def entropy(self) -> Tensor:
        """``(n (1 + log(2 pi)) + log det(covariance)) / 2``."""
        log_det = _lowrank_logdet(self._unbroadcasted_cov_diag, self._capacitance_tril)
        h = 0.5 * (self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + log_det)
        return broadcast_to(h, self._batch_shape)

    def __repr__(self) -> str:
        return (
            f"LowRankMultivariateNormal(loc: {self.loc!r}, cov_factor: {self.cov_factor!r}, "
            f"cov_diag: {self.cov_diag!r})"
        )


def _sum_rightmost(x: Tensor, n: int) -> Tensor:
    return x.sum(tuple(range(-n, 0))) if n > 0 else x


class Independent(Distribution):
    """``base_distribution`` with its last ``reinterpreted_batch_ndims`` batch dimensions
    made event dimensions, as PyTorch's: ``log_prob`` and ``entropy`` sum over them (a
    diagonal normal of ``Normal(loc, scale)`` with ``loc`` of shape ``(b, n)`` becomes one of
    batch ``(b,)`` and event ``(n,)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Independent, Normal
    >>> m = Independent(Normal(pt.zeros((3, 2)), pt.ones((3, 2))), 1)
    >>> m.batch_shape, m.event_shape, tuple(m.log_prob(pt.zeros((3, 2))).shape)
    ((3,), (2,), (3,))
    """

    @property
    def support(self) -> Any:
        """The base distribution's, over the reinterpreted dimensions too."""
        s = self.base_dist.support
        r = self.reinterpreted_batch_ndims
        return C.independent(s, r) if r and s is not None else s

    @property
    def has_enumerate_support(self) -> bool:  # type: ignore[override]
        """The base distribution's, when no dimension is reinterpreted."""
        return self.reinterpreted_batch_ndims == 0 and self.base_dist.has_enumerate_support

    def __init__(
        self,
        base_distribution: Distribution,
        reinterpreted_batch_ndims: int,
        validate_args: bool | None = None,
    ) -> None:
        if not isinstance(base_distribution, Distribution):
            raise TypeError(
                f"Independent() expects a distribution as base_distribution; got "
                f"{describe(base_distribution)}"
            )
        r = reinterpreted_batch_ndims
        if not isinstance(r, int) or isinstance(r, bool) or r < 0:
            raise ValueError(
                f"Independent() expects reinterpreted_batch_ndims to be an int >= 0; got {r!r}"
            )
        base_batch = base_distribution.batch_shape
        if r > len(base_batch):
            raise ValueError(
                f"Independent() expects reinterpreted_batch_ndims <= len(base_distribution."
                f"batch_shape); got {r} for a batch shape {base_batch}"
            )
        shape = base_batch + base_distribution.event_shape
        event_dim = r + len(base_distribution.event_shape)
        super().__init__(
            shape[: len(shape) - event_dim], shape[len(shape) - event_dim :], validate_args
        )
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = r

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        """The base distribution's."""
        return self.base_dist.has_rsample

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        """The base distribution's, summed over the reinterpreted dimensions."""
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Tensor:
        """The base distribution's, summed over the reinterpreted dimensions."""
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The base distribution's, when no dimension is reinterpreted.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Bernoulli, Independent
        >>> Independent(Bernoulli(probs=pt.asarray(0.5)), 0).enumerate_support().tolist()
        [0.0, 1.0]
        """
        if self.reinterpreted_batch_ndims > 0:
            raise NotImplementedError(
                "Independent.enumerate_support() over the cartesian product of reinterpreted "
                "dimensions is not implemented"
            )
        enumerate_support = getattr(self.base_dist, "enumerate_support", None)
        if enumerate_support is None:
            raise NotImplementedError(f"{type(self.base_dist).__name__} has no enumerate_support()")
        return enumerate_support(expand)  # type: ignore[no-any-return]

    @property
    def mean(self) -> Tensor:
        """The base distribution's."""
        return self.base_dist.mean

    @property
    def mode(self) -> Tensor:
        """The base distribution's."""
        return self.base_dist.mode

    @property
    def variance(self) -> Tensor:
        """The base distribution's."""
        return self.base_dist.variance

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"


# -- KL divergences -----------------------------------------------------------------------------


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_multivariate_normal(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError(
            f"kl_divergence() of two MultivariateNormals of different event shapes "
            f"({p.event_shape} and {q.event_shape}) is not defined"
        )
    pl, ql = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    half_term1 = _log_diagonal_sum(ql) - _log_diagonal_sum(pl)
    term2 = (_solve_lower(ql, pl) ** 2).sum((-2, -1))
    term3 = _mahalanobis(ql, q.loc - p.loc)
    return half_term1 + 0.5 * (term2 + term3 - p.event_shape[0])


@register_kl(Independent, Independent)
def _kl_independent(p: Independent, q: Independent) -> Tensor:
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError(
            f"kl_divergence() of two Independent distributions that reinterpret different "
            f"numbers of dimensions ({p.reinterpreted_batch_ndims} and "
            f"{q.reinterpreted_batch_ndims}) is not implemented"
        )
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


def _trace_xxt(x: Tensor) -> Tensor:
    """``trace(X X^T)``: the sum of the squares over the last two dimensions."""
    return (x**2).sum((-2, -1))


def _same_events(p: Distribution, q: Distribution) -> None:
    if p.event_shape != q.event_shape:
        raise ValueError(
            f"kl_divergence() of two multivariate normals of different event shapes "
            f"({p.event_shape} and {q.event_shape}) is not defined"
        )


def _lowrank_parts(q: LowRankMultivariateNormal) -> tuple[Tensor, Tensor, Tensor]:
    """``q``'s ``W``, ``D`` and ``A = C^-1 W^T D^-1`` (``C`` the capacitance factor)."""
    w, d = q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag
    a = _solve_lower(q._capacitance_tril, matrix_transpose(w) / expand_dims(d, axis=-2))
    return w, d, a


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrank_lowrank(p: LowRankMultivariateNormal, q: LowRankMultivariateNormal) -> Tensor:
    _same_events(p, q)
    pw, pd = p._unbroadcasted_cov_factor, p._unbroadcasted_cov_diag
    qw, qd, a = _lowrank_parts(q)
    term1 = _lowrank_logdet(qd, q._capacitance_tril) - _lowrank_logdet(pd, p._capacitance_tril)
    term3 = _lowrank_mahalanobis(qw, qd, q.loc - p.loc, q._capacitance_tril)
    term21 = (pd / qd).sum(-1)
    term22 = _trace_xxt(pw / expand_dims(E.sqrt(qd), axis=-1))
    term23 = _trace_xxt(a * expand_dims(E.sqrt(pd), axis=-2))
    term24 = _trace_xxt(matmul(a, pw))
    return 0.5 * (term1 + term21 + term22 - term23 - term24 + term3 - p.event_shape[0])


@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_mvn_lowrank(p: MultivariateNormal, q: LowRankMultivariateNormal) -> Tensor:
    _same_events(p, q)
    pl = p._unbroadcasted_scale_tril
    qw, qd, a = _lowrank_parts(q)
    term1 = _lowrank_logdet(qd, q._capacitance_tril) - 2 * _log_diagonal_sum(pl)
    term3 = _lowrank_mahalanobis(qw, qd, q.loc - p.loc, q._capacitance_tril)
    term2 = _trace_xxt(pl / expand_dims(E.sqrt(qd), axis=-1)) - _trace_xxt(matmul(a, pl))
    return 0.5 * (term1 + term2 + term3 - p.event_shape[0])


@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_lowrank_mvn(p: LowRankMultivariateNormal, q: MultivariateNormal) -> Tensor:
    _same_events(p, q)
    pw, pd = p._unbroadcasted_cov_factor, p._unbroadcasted_cov_diag
    ql = q._unbroadcasted_scale_tril
    n = p.event_shape[0]
    term1 = 2 * _log_diagonal_sum(ql) - _lowrank_logdet(pd, p._capacitance_tril)
    term3 = _mahalanobis(ql, q.loc - p.loc)
    p_diag = expand_dims(E.sqrt(pd), axis=-1) * eye(n, dtype=pd.dtype, device=pd.device)
    term2 = _trace_xxt(_solve_lower(ql, pw)) + _trace_xxt(_solve_lower(ql, p_diag))
    return 0.5 * (term1 + term2 + term3 - n)
