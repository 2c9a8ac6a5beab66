"""PyTorch's ``torch.nn.utils.parametrizations.orthogonal``: a matrix (or a batch of them)
kept orthogonal through a parametrization, by the matrix exponential or the Cayley map of a
skew-symmetric matrix, or by a product of Householder reflectors; with PyTorch's "dynamic
trivialization" (the buffer ``base``), initial values and state-dict keys.

Examples
--------
>>> import polytensor as pt
>>> from polytensor import nn
>>> lin = nn.utils.parametrizations.orthogonal(nn.Linear(3, 3))
>>> q = lin.weight
>>> bool(pt.allclose(q @ q.mT, pt.eye(3), atol=1e-5))
True
"""

from __future__ import annotations

from typing import Any, cast

from ..._ops.creation import eye, zeros, zeros_like
from ..._ops.elementwise import abs as _abs
from ..._ops.elementwise import sign
from ..._ops.linalg import qr, solve
from ..._ops.manipulation import concat, expand_dims
from ..._ops.statistical import sum as _sum
from ..._pytorch_linalg import matrix_exp
from ..._tensor import Tensor
from ...autograd import no_grad
from ..init import normal_
from ..module import Module
from .parametrize import register_parametrization

__all__ = ["orthogonal"]

_MAPS = ("matrix_exp", "cayley", "householder")


def _householder_product(a: Tensor, tau: Tensor) -> Tensor:
    """The first ``k`` columns of ``H_1 H_2 ... H_k``, ``H_i = I - tau_i v_i v_i^T``, ``v_i`` the
    i-th column of ``a`` (n, k) below the diagonal with a 1 on it, as
    ``torch.linalg.householder_product``."""
    n, k = cast(int, a.shape[-2]), cast(int, a.shape[-1])
    batch = tuple(a.shape[:-2])
    q: Any = zeros((*batch, n, k), dtype=a.dtype, device=a.device) + eye(
        n, k, dtype=a.dtype, device=a.device
    )
    for i in range(k - 1, -1, -1):
        parts = []
        if i:
            parts.append(zeros((*batch, i), dtype=a.dtype, device=a.device))
        parts.append(zeros((*batch, 1), dtype=a.dtype, device=a.device) + 1.0)
        if i + 1 < n:
            parts.append(a[..., i + 1 :, i])
        v = expand_dims(concat(parts, axis=-1), axis=-1)  # (..., n, 1)
        t = expand_dims(expand_dims(tau[..., i], axis=-1), axis=-1)
        q = q - t * (v @ (v.mT @ q))
    return cast(Tensor, q)


def _make_orthogonal(a: Tensor) -> Tensor:
    """The Q of ``a``'s QR decomposition with R's diagonal made non-negative (unique), as
    PyTorch's."""
    q, r = qr(a)
    return cast(Tensor, q * expand_dims(sign(r.diagonal(dim1=-2, dim2=-1)), axis=-2))


def _is_orthogonal(q: Tensor) -> bool:
    n, k = cast(int, q.shape[-2]), cast(int, q.shape[-1])
    eps = 10.0 * n * (1.2e-7 if q.dtype.name == "float32" else 2.3e-16)
    gram = q.mT @ q
    return bool((_abs(gram - eye(k, dtype=q.dtype, device=q.device)) <= eps).all())


class _Orthogonal(Module):
    """The parametrization behind ``orthogonal``: ``forward`` maps any matrix (the original)
    to an orthogonal one; with trivialization, ``base @`` that; ``right_inverse`` stores an
    assigned orthogonal matrix in ``base`` and returns minus the identity, which ``forward``
    maps to the identity."""

    base: Tensor

    def __init__(self, weight: Tensor, orthogonal_map: str, use_trivialization: bool) -> None:
        super().__init__()
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = cast(int, x.shape[-2]), cast(int, x.shape[-1])
        transposed = n < k
        if transposed:
            x = x.mT
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            x = x.tril()
            if n != k:  # (embed the tall matrix in a square one)
                pad = zeros((*x.shape[:-2], n, n - k), dtype=x.dtype, device=x.device)
                x = concat([x, pad], axis=-1)
            a = x - x.mT  # skew-symmetric
            if self.orthogonal_map == "matrix_exp":
                q = matrix_exp(a)
            else:  # the Cayley retraction (I + A/2)(I - A/2)^{-1}, as PyTorch computes it
                identity = eye(n, dtype=a.dtype, device=a.device)
                q = solve(identity - 0.5 * a, identity + 0.5 * a)
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(-1)
            tau = 2.0 / (1.0 + _sum(a * a, axis=-2))
            q = _householder_product(a, tau)
            # (the signs of the original's diagonal: constant, not differentiated)
            q = q * expand_dims(x.diagonal(dim1=-2, dim2=-1).detach().int(), axis=-2)
        if self._buffers.get("base") is not None:
            q = self.base @ q
        return q.mT if transposed else q

    def right_inverse(self, q: Tensor) -> Tensor:
        if tuple(q.shape) != self.shape:
            raise ValueError(
                f"orthogonal(): expected a matrix or batch of matrices of shape {self.shape}; "
                f"got a tensor of shape {tuple(q.shape)}"
            )
        with no_grad():
            q_init = q
            n, k = cast(int, q.shape[-2]), cast(int, q.shape[-1])
            transpose = n < k
            if transpose:
                q = q.mT
                n, k = k, n
            if "base" not in self._buffers:  # (registration keeps the original as it is)
                raise NotImplementedError(
                    "It is not possible to assign to the matrix exponential or the Cayley "
                    "parametrizations when use_trivialization=False; register with "
                    "use_trivialization=True to assign to the tensor"
                )
            if n == k:
                q = q.clone() if _is_orthogonal(q) else _make_orthogonal(q)
            else:  # complete q to an n x n orthogonal matrix with random columns
                rest = zeros((*q.shape[:-2], n, n - k), dtype=q.dtype, device=q.device)
                q = _make_orthogonal(concat([q, normal_(rest)], axis=-1))
            self.base = q
            neg_identity = zeros_like(q_init)
            neg_identity.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_identity


def orthogonal(
    module: Module,
    name: str = "weight",
    orthogonal_map: str | None = None,
    *,
    use_trivialization: bool = True,
) -> Module:
    """Keep ``module.<name>`` (a matrix, or a batch of them) orthogonal, as PyTorch's
    ``torch.nn.utils.parametrizations.orthogonal``: it has orthonormal columns when it has at
    least as many rows as columns, orthonormal rows otherwise.

    ``orthogonal_map`` is ``"matrix_exp"`` or ``"cayley"`` (of a skew-symmetric matrix made from
    the original's lower triangle) or ``"householder"`` (a product of reflectors); the default
    is ``"matrix_exp"`` for square matrices, ``"householder"`` otherwise. With
    ``use_trivialization=True`` (the default) the buffer ``parametrizations.<name>.0.base``
    holds the tensor's value when registered, orthogonalised by a QR decomposition (with
    random columns to complete a non-square one) unless it is orthogonal already, and the
    parametrized tensor is ``base`` times the map of the original. Returns ``module``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> lin = nn.utils.parametrizations.orthogonal(nn.Linear(4, 2))
    >>> w = lin.weight
    >>> tuple(w.shape), bool(pt.allclose(w @ w.mT, pt.eye(2), atol=1e-5))
    ((2, 4), True)
    >>> list(lin.state_dict())
    ['bias', 'parametrizations.weight.original', 'parametrizations.weight.0.base']
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(  # noqa: TRY004 - PyTorch's class for this
            f"orthogonal(): module {type(module).__name__} has no parameter or buffer with "
            f"name {name!r}"
        )
    if weight.ndim < 2:
        raise ValueError(
            f"orthogonal(): expected a matrix or batch of matrices; got a tensor of "
            f"{weight.ndim} dimensions"
        )
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    if orthogonal_map not in _MAPS:
        raise ValueError(
            f'orthogonal_map has to be one of "matrix_exp", "cayley", "householder"; got '
            f"{orthogonal_map!r}"
        )
    if orthogonal_map == "householder" and not use_trivialization:
        # Note: PyTorch starts this one from the original's Householder QR (torch.geqrf),
        # which polytensor lacks
        raise NotImplementedError(
            "orthogonal(): orthogonal_map='householder' with use_trivialization=False is not "
            "supported by polytensor; use the default use_trivialization=True (the same "
            "parametrized values), or orthogonal_map='matrix_exp' or 'cayley'"
        )
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization)
    register_parametrization(module, name, orth, unsafe=True)
    return module
