"""The transforms onto sets of matrices (``LowerCholeskyTransform``,
``PositiveDefiniteTransform``, ``CorrCholeskyTransform``) and the ones that apply several
transforms to slices of a tensor (``CatTransform``, ``StackTransform``), as PyTorch's."""

from __future__ import annotations

import math
from typing import Any, cast

from .. import _dtypes as dt
from .._checks import describe
from .._extras import clamp
from .._ops import elementwise as E
from .._ops import linalg as L
from .._ops.creation import asarray, eye, full, tril, zeros
from .._ops.data_types import finfo
from .._ops.indexing import take
from .._ops.linear_algebra import matmul, matrix_transpose
from .._ops.manipulation import concat, expand_dims, stack
from .._ops.special import softplus
from .._pytorch import cumprod, cumsum
from .._tensor import Tensor
from . import constraints
from ._transform_base import Transform, _sum_rightmost

__all__ = [
    "CatTransform",
    "CorrCholeskyTransform",
    "LowerCholeskyTransform",
    "PositiveDefiniteTransform",
    "StackTransform",
]


def _tril_positions(n: int, diag: int) -> list[int]:
    """The flat positions in an ``n`` by ``n`` matrix of the entries on and below diagonal
    ``diag``, row by row (PyTorch's ``tril_matrix_to_vec`` order)."""
    return [i * n + j for i in range(n) for j in range(n) if j < i + diag + 1]


def _tril_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The entries of ``mat`` on and below diagonal ``diag``, row by row, as a vector."""
    n = int(cast("int", mat.shape[-1]))
    batch = tuple(cast("int", k) for k in mat.shape[:-2])
    index = asarray(_tril_positions(n, diag), dtype=dt.int64, device=mat.device)
    return take(mat.reshape(batch + (n * n,)), index, axis=-1)


def _vec_to_tril(vec: Tensor, diag: int = 0) -> Tensor:
    """The lower-triangular matrix (below diagonal ``diag``) holding ``vec`` row by row, zeros
    elsewhere: ``vec`` is taken at positions of a zero-padded copy, so it differentiates."""
    k = int(cast("int", vec.shape[-1]))
    b = 1 + 2 * diag
    n_real = (-b + math.sqrt(b * b + 8 * k + 4 * abs(diag) * (diag + 1))) / 2
    n = round(n_real)
    if abs(n - n_real) > 1e-9 or len(_tril_positions(n, diag)) != k:
        raise ValueError(
            f"a vector of {k} elements is not the lower triangle (below diagonal {diag}) of a "
            f"square matrix; give a last dimension of n (n - 1) / 2 elements"
        )
    batch = tuple(cast("int", m) for m in vec.shape[:-1])
    slots = [0] * (n * n)
    for i, pos in enumerate(_tril_positions(n, diag)):
        slots[pos] = i + 1
    padded = concat([zeros(batch + (1,), dtype=vec.dtype, device=vec.device), vec], axis=-1)
    index = asarray(slots, dtype=dt.int64, device=vec.device)
    return take(padded, index, axis=-1).reshape(batch + (n, n))


class LowerCholeskyTransform(Transform):
    """Unconstrained square matrices to lower-triangular ones of a positive diagonal: the
    strict lower triangle kept, the diagonal exponentiated.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import LowerCholeskyTransform
    >>> LowerCholeskyTransform()(pt.zeros((2, 2))).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LowerCholeskyTransform)

    __hash__ = object.__hash__

    @staticmethod
    def _map_diagonal(x: Tensor, f: Any) -> Tensor:
        n = int(cast("int", x.shape[-1]))
        diag = expand_dims(f(L.diagonal(x)), axis=-1) * eye(n, dtype=x.dtype, device=x.device)
        return tril(x, k=-1) + diag

    def _call(self, x: Tensor) -> Tensor:
        return self._map_diagonal(x, E.exp)

    def _inverse(self, y: Tensor) -> Tensor:
        return self._map_diagonal(y, E.log)


class PositiveDefiniteTransform(Transform):
    """Unconstrained square matrices to positive-definite ones: ``L L^T`` for ``L`` the
    ``LowerCholeskyTransform`` of the input; the inverse takes the Cholesky factor back.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import PositiveDefiniteTransform
    >>> t = PositiveDefiniteTransform()
    >>> y = t(pt.asarray([[0.0, 0.0], [1.0, 0.0]]))
    >>> y.tolist(), t.inv(y).tolist()
    ([[1.0, 1.0], [1.0, 2.0]], [[0.0, 0.0], [1.0, 0.0]])
    """

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PositiveDefiniteTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        lower = LowerCholeskyTransform()(x)
        return matmul(lower, matrix_transpose(lower))

    def _inverse(self, y: Tensor) -> Tensor:
        return LowerCholeskyTransform().inv(L.cholesky(y))


class CorrCholeskyTransform(Transform):
    """Unconstrained vectors of ``D (D - 1) / 2`` elements to lower Cholesky factors of
    ``D`` by ``D`` correlation matrices (rows of unit length), as PyTorch's (and Stan's): the
    vector fills the strict lower triangle row by row, ``tanh`` maps it into ``(-1, 1)``, and
    a signed stick-breaking makes each row a unit vector. ``log_abs_det_jacobian`` is that of
    the map onto the strict lower triangle.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import CorrCholeskyTransform
    >>> t = CorrCholeskyTransform()
    >>> y = t(pt.zeros(3, dtype=pt.float64))
    >>> y.tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    >>> t.forward_shape((5, 6)), t.inverse_shape((4, 4))
    ((5, 4, 4), (6,))
    """

    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CorrCholeskyTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        eps = finfo(x.dtype).eps
        r = _vec_to_tril(clamp(E.tanh(x), min=-1 + eps, max=1 - eps), diag=-1)
        # y = sign(r) sqrt(z * cumprod(1 - z)) for z = r^2: r times the running product of
        # sqrt(1 - z) of the entries to its left
        z1m_cumprod_sqrt = cumprod(E.sqrt(1 - r**2), -1)
        n = int(cast("int", r.shape[-1]))
        one = full(tuple(cast("int", k) for k in r.shape[:-1]) + (1,), 1.0, dtype=r.dtype)
        shifted = concat([one, z1m_cumprod_sqrt[..., :-1]], axis=-1)
        return (r + eye(n, dtype=r.dtype, device=r.device)) * shifted

    def _inverse(self, y: Tensor) -> Tensor:
        y_cumsum = 1 - cumsum(y * y, -1)
        one = full(tuple(cast("int", k) for k in y.shape[:-1]) + (1,), 1.0, dtype=y.dtype)
        shifted = concat([one, y_cumsum[..., :-1]], axis=-1)
        t = _tril_to_vec(y, diag=-1) / E.sqrt(_tril_to_vec(shifted, diag=-1))
        return (E.log1p(t) - E.log1p(-t)) / 2

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        y1m_cumsum = 1 - cumsum(y * y, -1)
        # (diagonal -2: the running sums one place to the left of each strict-lower entry)
        stick_breaking = 0.5 * E.log(_tril_to_vec(y1m_cumsum, diag=-2)).sum(-1)
        tanh = -2 * (x + softplus(-2 * x) - math.log(2.0)).sum(-1)
        return stick_breaking + tanh

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(shape) < 1:
            raise ValueError(
                "CorrCholeskyTransform.forward_shape() expects at least one dimension; got ()"
            )
        k = shape[-1]
        d = round((0.25 + 2 * k) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != k:
            raise ValueError(
                f"CorrCholeskyTransform.forward_shape() expects a last dimension of D (D - 1) / 2 "
                f"elements; got {k}"
            )
        return tuple(shape[:-1]) + (d, d)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(shape) < 2 or shape[-2] != shape[-1]:
            raise ValueError(
                f"CorrCholeskyTransform.inverse_shape() expects square matrices (..., D, D); got "
                f"a shape {tuple(shape)}"
            )
        d = shape[-1]
        return tuple(shape[:-2]) + (d * (d - 1) // 2,)


def _transforms(where_: str, tseq: Any, cache_size: int) -> list[Transform]:
    tseq = list(tseq)
    for t in tseq:
        if not isinstance(t, Transform):
            raise TypeError(f"{where_}() expects a sequence of transforms; got {describe(t)}")
    if not tseq:
        raise ValueError(f"{where_}() expects at least one transform; got none")
    return [t.with_cache(cache_size) for t in tseq] if cache_size else tseq


def _slice_along(x: Tensor, dim: int, index: Any) -> Tensor:
    return x[(slice(None),) * (dim % x.ndim) + (index,)]


class CatTransform(Transform):
    """The transforms of ``tseq`` applied to consecutive slices of ``lengths`` (1 each by
    default) along ``dim``, the results joined as ``cat`` joins them, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import CatTransform, ExpTransform
    >>> from polytensor.distributions.transforms import identity_transform
    >>> t = CatTransform([ExpTransform(), identity_transform], dim=0, lengths=[1, 2])
    >>> x = pt.asarray([0.0, 1.0, 2.0])
    >>> t(x), t.log_abs_det_jacobian(x, t(x))
    (tensor([1., 1., 2.], backend='numpy'), tensor([0., 0., 0.], backend='numpy'))
    """

    def __init__(self, tseq: Any, dim: int = 0, lengths: Any = None, cache_size: int = 0) -> None:
        self.transforms = _transforms("CatTransform", tseq, cache_size)
        super().__init__(cache_size=cache_size)
        self.lengths = [1] * len(self.transforms) if lengths is None else [int(n) for n in lengths]
        if len(self.lengths) != len(self.transforms):
            raise ValueError(
                f"CatTransform() expects as many lengths as transforms; got {len(self.lengths)} "
                f"lengths for {len(self.transforms)} transforms"
            )
        self.dim = int(dim)

    @property
    def event_dim(self) -> int:
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self) -> int:
        """The size of the input along ``dim``: the sum of ``lengths``."""
        return sum(self.lengths)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)

    def _check(self, name: str, x: Tensor) -> None:
        if not -x.ndim <= self.dim < x.ndim:
            raise ValueError(
                f"CatTransform: dim {self.dim} is out of range for {name} of {x.ndim} dimensions"
            )
        if x.shape[self.dim] != self.length:
            raise ValueError(
                f"CatTransform expects {name} of size {self.length} (the sum of lengths) in "
                f"dimension {self.dim}; got a shape {tuple(x.shape)}"
            )

    def _slices(self, x: Tensor) -> list[Tensor]:
        out, start = [], 0
        for n in self.lengths:
            out.append(_slice_along(x, self.dim, slice(start, start + n)))
            start += n
        return out

    def _call(self, x: Tensor) -> Tensor:
        self._check("x", x)
        parts = [t(xi) for t, xi in zip(self.transforms, self._slices(x), strict=True)]
        return concat(parts, axis=self.dim)

    def _inverse(self, y: Tensor) -> Tensor:
        self._check("y", y)
        parts = [t.inv(yi) for t, yi in zip(self.transforms, self._slices(y), strict=True)]
        return concat(parts, axis=self.dim)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        self._check("x", x)
        self._check("y", y)
        event_dim = self.event_dim
        terms = []
        for t, xi, yi in zip(self.transforms, self._slices(x), self._slices(y), strict=True):
            term = t.log_abs_det_jacobian(xi, yi)
            if t.event_dim < event_dim:
                term = _sum_rightmost(term, event_dim - t.event_dim)
            terms.append(term)
        # a dim left of the event is joined; one inside it is summed over
        dim = (self.dim - x.ndim if self.dim >= 0 else self.dim) + event_dim
        if dim < 0:
            return concat(terms, axis=dim)
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def __repr__(self) -> str:
        return f"CatTransform({self.transforms!r}, dim={self.dim}, lengths={self.lengths})"


class StackTransform(Transform):
    """The transforms of ``tseq`` applied to the slices along ``dim`` (one each), the
    results joined as ``stack`` joins them, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import ExpTransform, StackTransform
    >>> from polytensor.distributions.transforms import identity_transform
    >>> t = StackTransform([ExpTransform(), identity_transform], dim=1)
    >>> x = pt.asarray([[0.0, 1.0], [1.0, 2.0]])
    >>> t(x).tolist()[0], t.log_abs_det_jacobian(x, t(x)).tolist()
    ([1.0, 1.0], [[0.0, 0.0], [1.0, 0.0]])
    """

    def __init__(self, tseq: Any, dim: int = 0, cache_size: int = 0) -> None:
        self.transforms = _transforms("StackTransform", tseq, cache_size)
        super().__init__(cache_size=cache_size)
        self.dim = int(dim)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return StackTransform(self.transforms, self.dim, cache_size)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(t.bijective for t in self.transforms)

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.stack([t.codomain for t in self.transforms], self.dim)

    def _slices(self, name: str, x: Tensor) -> list[Tensor]:
        if not -x.ndim <= self.dim < x.ndim:
            raise ValueError(
                f"StackTransform: dim {self.dim} is out of range for {name} of {x.ndim} dimensions"
            )
        if x.shape[self.dim] != len(self.transforms):
            raise ValueError(
                f"StackTransform expects {name} of size {len(self.transforms)} (one per "
                f"transform) in dimension {self.dim}; got a shape {tuple(x.shape)}"
            )
        return [_slice_along(x, self.dim, i) for i in range(len(self.transforms))]

    def _call(self, x: Tensor) -> Tensor:
        parts = [t(xi) for t, xi in zip(self.transforms, self._slices("x", x), strict=True)]
        return stack(parts, axis=self.dim)

    def _inverse(self, y: Tensor) -> Tensor:
        parts = [t.inv(yi) for t, yi in zip(self.transforms, self._slices("y", y), strict=True)]
        return stack(parts, axis=self.dim)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        xs, ys = self._slices("x", x), self._slices("y", y)
        terms = [
            t.log_abs_det_jacobian(xi, yi)
            for t, xi, yi in zip(self.transforms, xs, ys, strict=True)
        ]
        return stack(terms, axis=self.dim)

    def __repr__(self) -> str:
        return f"StackTransform({self.transforms!r}, dim={self.dim})"
