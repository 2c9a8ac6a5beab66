"""Distributions of matrices: ``LKJCholesky`` (Cholesky factors of correlation matrices) and
``Wishart`` (positive-definite matrices), as PyTorch's."""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar, cast

from .._checks import describe
from .._extras import clamp
from .._ops import elementwise as E
from .._ops import linalg as L
from .._ops.creation import arange, asarray, eye, tril
from .._ops.data_types import finfo
from .._ops.linear_algebra import matmul, matrix_transpose
from .._ops.manipulation import broadcast_to, concat, expand_dims
from .._ops.searching import where
from .._ops.special import digamma, gammaln
from .._pytorch_numbers import mvlgamma
from .._random import randn_like
from .._shapes import broadcast_shapes
from .._tensor import Tensor
from ..autograd._mode import no_grad
from . import constraints as C
from ._base import Distribution, _dims, _shape, _tensors
from ._gamma import Beta, Chi2
from ._multivariate import _log_diagonal_sum, _precision_to_scale_tril, _solve_lower
from ._transform_matrix import _vec_to_tril

__all__ = ["LKJCholesky", "Wishart"]


def _diag_embed(d: Tensor) -> Tensor:
    n = int(cast("int", d.shape[-1]))
    return expand_dims(d, axis=-1) * eye(n, dtype=d.dtype, device=d.device)


class LKJCholesky(Distribution):
    """The LKJ distribution of lower Cholesky factors ``L`` of ``dim`` by ``dim`` correlation
    matrices, of density proportional to ``det(L L^T) ** (concentration - 1)``, as PyTorch's
    (uniform over correlation matrices where ``concentration`` is 1). Draws by the onion
    method (Lewandowski, Kurowicka and Joe, 2009); no ``rsample``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import LKJCholesky
    >>> m = LKJCholesky(3, pt.asarray(2.0, dtype=pt.float64))
    >>> m.batch_shape, m.event_shape, tuple(m.sample((5,)).shape)
    ((), (3, 3), (5, 3, 3))
    >>> m.log_prob(pt.eye(3, dtype=pt.float64))
    tensor(-0.61548334, dtype=polytensor.float64, backend='numpy')
    """

    arg_constraints: ClassVar[dict[str, Any]] = {"concentration": C.positive}
    support: Any = C.corr_cholesky

    def __init__(
        self, dim: int, concentration: Any = 1.0, validate_args: bool | None = None
    ) -> None:
        if not isinstance(dim, int) or isinstance(dim, bool) or dim < 2:
            raise ValueError(f"LKJCholesky() expects dim to be an int >= 2; got {dim!r}")
        self.dim = dim
        (self.concentration,) = _tensors(concentration)
        super().__init__(_dims(self.concentration), (dim, dim), validate_args)
        self._validate_params(concentration=self.concentration)
        c = self.concentration
        # the Beta draws of the onion method (Sec. 3.2), one for each row, vectorised
        marginal = c + 0.5 * (dim - 2)
        offset = concat(
            [
                asarray([0.0], dtype=c.dtype, device=c.device),
                arange(dim - 1, dtype=c.dtype, device=c.device),
            ]
        )
        self._beta = Beta(offset + 0.5, expand_dims(marginal, axis=-1) - 0.5 * offset)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Lower Cholesky factors of correlation matrices, of shape ``sample_shape +
        batch_shape + (dim, dim)``, not differentiable.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import LKJCholesky
        >>> x = LKJCholesky(4, 0.5).sample((2,))
        >>> [round(v, 5) for v in (x**2).sum(-1).flatten().tolist()]
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
        """
        shape = self._extended_shape(_shape("sample", sample_shape))
        with no_grad():
            y = expand_dims(self._beta.sample(sample_shape), axis=-1)
            u = tril(randn_like(broadcast_to(y, shape)), k=-1)
            norm = E.sqrt((u**2).sum(-1, keepdims=True))
            # (the first row is all zeros: made 0, not 0 / 0)
            first = expand_dims(arange(self.dim, device=u.device) == 0, axis=-1)
            w = E.sqrt(y) * where(first, 0.0, u / where(first, 1.0, norm))
            tiny = finfo(w.dtype).smallest_normal
            diag = E.sqrt(clamp(1 - (w**2).sum(-1), min=tiny))
            return w + _diag_embed(diag)

    def log_prob(self, value: Tensor) -> Tensor:
        """``sum_i (2 (concentration - 1) + dim - i) log(L_ii)`` (i from 2) less the log of the
        normalising constant (Stan's and PyTorch's)."""
        value = self._validate_sample(value)
        diag = L.diagonal(value)[..., 1:]
        c = self.concentration
        order = arange(2, self.dim + 1, dtype=c.dtype, device=c.device)
        order = 2 * expand_dims(c - 1, axis=-1) + self.dim - order
        unnormalized = (order * E.log(diag)).sum(-1)
        dm1 = self.dim - 1
        alpha = c + 0.5 * dm1
        denominator = gammaln(alpha) * dm1
        numerator = mvlgamma(alpha - 0.5, dm1)
        pi_constant = 0.5 * dm1 * math.log(math.pi)
        return unnormalized - (pi_constant + numerator - denominator)

    def __repr__(self) -> str:
        return f"LKJCholesky(concentration: {self.concentration!r})"


def _mvdigamma(x: Tensor, p: int) -> Tensor:
    """The multivariate digamma function: ``sum_i digamma(x - i / 2)``, i from 0 to p - 1."""
    return digamma(expand_dims(x, axis=-1) - arange(p, dtype=x.dtype, device=x.device) / 2).sum(-1)


_MATRICES = ("covariance_matrix", "precision_matrix", "scale_tril")


class Wishart(Distribution):
    """The Wishart distribution of ``df`` degrees of freedom (above ``p - 1`` for ``p`` by
    ``p`` matrices) and one of ``covariance_matrix``, ``precision_matrix`` or ``scale_tril``
    (its lower Cholesky factor), as PyTorch's. Draws by the Bartlett decomposition,
    differentiable in the matrix; like the gamma family's (see ``Gamma``) they are not
    differentiable in ``df``: ``has_rsample`` is False, and ``rsample`` refuses a ``df`` that
    requires grad. Where ``df < p`` draws may be singular (PyTorch warns, as here, and redraws
    singular ones; polytensor does not redraw).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Wishart
    >>> m = Wishart(pt.asarray(3.0), covariance_matrix=pt.eye(2))
    >>> m.mean.tolist(), tuple(m.sample((4,)).shape)
    ([[3.0, 0.0], [0.0, 3.0]], (4, 2, 2))
    >>> m.log_prob(pt.eye(2))
    tensor(-3.5310242, backend='numpy')
    """

    support: Any = C.positive_definite
    _kept_by_expand = ("_unbroadcasted_scale_tril", "_given")

    def __init__(
        self,
        df: Any,
        covariance_matrix: Any = None,
        precision_matrix: Any = None,
        scale_tril: Any = None,
        validate_args: bool | None = None,
    ) -> None:
        matrices = dict(
            zip(_MATRICES, (covariance_matrix, precision_matrix, scale_tril), strict=True)
        )
        given = [k for k, v in matrices.items() if v is not None]
        if len(given) != 1:
            raise ValueError(
                f"Wishart() takes exactly one of covariance_matrix, precision_matrix or "
                f"scale_tril; got {', '.join(given) if given else 'none'}"
            )
        name = given[0]
        (m,) = _tensors(matrices[name])
        if m.ndim < 2 or m.shape[-1] != m.shape[-2]:
            raise ValueError(
                f"Wishart() expects {name} of shape (..., p, p), square matrices with optional "
                f"leading batch dimensions; got a shape {tuple(m.shape)}"
            )
        p = _dims(m)[-1]
        if isinstance(df, Tensor):
            (df_t,) = _tensors(df)
        elif isinstance(df, (int, float)) and not isinstance(df, bool):
            df_t = asarray(float(df), dtype=m.dtype, device=m.device)
        else:
            raise TypeError(f"Wishart() expects df to be a tensor or a number; got {describe(df)}")
        batch = cast("tuple[int, ...]", broadcast_shapes(_dims(m)[:-2], _dims(df_t)))
        self.df = broadcast_to(df_t, batch)
        super().__init__(batch, (p, p), validate_args)
        self._check("df", self.df > p - 1, f"above p - 1 = {p - 1}")
        self._validate_params(**{name: m})
        if self._validate_args and bool((self.df < p).any()):
            warnings.warn(
                f"Wishart(): df below p = {p}: singular draws are likely for p - 1 < df < p",
                UserWarning,
                stacklevel=2,
            )
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = m
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = L.cholesky(m)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(m)
        self._given = (name, m)
        s = self._unbroadcasted_scale_tril
        self._dist_chi2 = Chi2(
            expand_dims(self.df, axis=-1) - arange(p, dtype=s.dtype, device=s.device),
            validate_args=False,
        )

    @property
    def arg_constraints(self) -> dict[str, Any]:  # type: ignore[override]
        """The matrices' constraints, and ``df`` above ``p - 1``."""
        return {
            "covariance_matrix": C.positive_definite,
            "precision_matrix": C.positive_definite,
            "scale_tril": C.lower_cholesky,
            "df": C.greater_than(self._event_shape[-1] - 1),
        }

    def _matrix(self, name: str, make: Any) -> Tensor:
        given, m = self._given
        m = m if given == name else make()
        return broadcast_to(m, self._batch_shape + self._event_shape)

    @property
    def scale_tril(self) -> Tensor:
        """The lower Cholesky factor of the covariance."""
        return self._matrix("scale_tril", lambda: self._unbroadcasted_scale_tril)

    @property
    def covariance_matrix(self) -> Tensor:
        """``scale_tril scale_tril^T``."""
        s = self._unbroadcasted_scale_tril
        return self._matrix("covariance_matrix", lambda: matmul(s, matrix_transpose(s)))

    def _precision(self) -> Tensor:
        s = self._unbroadcasted_scale_tril
        s_inv = _solve_lower(s, eye(self._event_shape[-1], dtype=s.dtype, device=s.device))
        return matmul(matrix_transpose(s_inv), s_inv)

    @property
    def precision_matrix(self) -> Tensor:
        """The inverse of the covariance."""
        return self._matrix("precision_matrix", self._precision)

    def _df_matrix(self) -> Tensor:
        return expand_dims(expand_dims(self.df, axis=-1), axis=-1)

    @property
    def mean(self) -> Tensor:
        """``df covariance``."""
        return self._df_matrix() * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        """``(df - p - 1) covariance`` (NaN where ``df <= p + 1``)."""
        factor = self.df - self._event_shape[-1] - 1
        factor = where(factor <= 0, math.nan, factor)
        return expand_dims(expand_dims(factor, axis=-1), axis=-1) * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        """``df (V_ij^2 + V_ii V_jj)`` for ``V`` the covariance."""
        v = self.covariance_matrix
        d = L.diagonal(v)
        return self._df_matrix() * (v**2 + expand_dims(d, axis=-1) * expand_dims(d, axis=-2))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """Draws by the Bartlett decomposition, of shape ``sample_shape + batch_shape + (p,
        p)``, differentiable in the matrix (not in ``df``).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Wishart
        >>> s = pt.eye(2, requires_grad=True)
        >>> Wishart(3.0, scale_tril=s).rsample().sum().backward(); tuple(s.grad.shape)
        (2, 2)
        """
        shape = _shape("rsample", sample_shape)
        p = self._event_shape[-1]
        chi2 = self._dist_chi2.rsample(shape)
        diag = clamp(E.sqrt(chi2), min=finfo(chi2.dtype).eps)
        below = randn_like(
            broadcast_to(diag[..., :1].detach(), shape + self._batch_shape + (p * (p - 1) // 2,))
        )
        noise = _diag_embed(diag)
        if p > 1:
            noise = noise + _vec_to_tril(below, diag=-1)
        chol = matmul(self._unbroadcasted_scale_tril, noise)
        return matmul(chol, matrix_transpose(chol))

    def log_prob(self, value: Tensor) -> Tensor:
        """``-df (p log 2 / 2 + log det scale_tril) - mvlgamma(df / 2, p) + (df - p - 1) / 2
        log det value - tr(covariance^-1 value) / 2``."""
        value = self._validate_sample(value)
        nu = self.df
        p = self._event_shape[-1]
        half_log_det = _log_diagonal_sum(self._unbroadcasted_scale_tril)
        trace = (self._precision() * matrix_transpose(value)).sum((-2, -1))
        _, log_abs_det = L.slogdet(value)
        return cast(
            "Tensor",
            -nu * (p * math.log(2) / 2 + half_log_det)
            - mvlgamma(nu / 2, p)
            + (nu - p - 1) / 2 * log_abs_det
            - trace / 2,
        )

    def entropy(self) -> Tensor:
        """``(p + 1) (p log 2 / 2 + log det scale_tril) + mvlgamma(df / 2, p) - (df - p - 1)
        / 2 mvdigamma(df / 2, p) + df p / 2``."""
        nu = self.df
        p = self._event_shape[-1]
        half_log_det = _log_diagonal_sum(self._unbroadcasted_scale_tril)
        return (
            (p + 1) * (p * math.log(2) / 2 + half_log_det)
            + mvlgamma(nu / 2, p)
            - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p)
            + nu * p / 2
        )

    def __repr__(self) -> str:
        name, m = self._given
        return f"Wishart({name}: {m!r}, df: {self.df!r})"
