"""PyTorch's ``torch.nn.utils.parametrizations``: ``weight_norm``, ``spectral_norm`` and
``orthogonal`` as parametrizations (``nn.utils.parametrize``), with PyTorch's state-dict keys.

Examples
--------
>>> import polytensor as pt
>>> from polytensor import nn
>>> lin = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
>>> list(lin.state_dict())
['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
"""

from __future__ import annotations

from typing import cast

from ..._ops.creation import empty
from ..._ops.linalg import vector_norm
from ..._ops.linear_algebra import matmul, matrix_transpose
from ..._ops.manipulation import permute_dims, reshape
from ..._tensor import Tensor
from ...autograd import no_grad
from .. import functional as F
from .. import init
from ..module import Module
from ._orthogonal import orthogonal
from .parametrize import register_parametrization

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm of ``v`` over every dimension but ``dim``, shaped to broadcast against ``v``
    (PyTorch's ``norm_except_dim``: ``dim=-1`` is the norm of the whole tensor, a scalar).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.parametrizations import norm_except_dim
    >>> norm_except_dim(pt.asarray([[3.0, 4.0], [0.0, 1.0]]), 0)
    tensor([[5.],
            [1.]], backend='numpy')
    """
    if dim == -1:
        return cast("Tensor", vector_norm(v))
    axes = tuple(d for d in range(v.ndim) if d != dim)
    return cast("Tensor", vector_norm(v, axis=axes, keepdims=True))


def weight_from(g: Tensor, v: Tensor, dim: int) -> Tensor:
    """``v * (g / ||v||)``, the norm over every dimension but ``dim`` (PyTorch's
    ``_weight_norm``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.parametrizations import weight_from
    >>> weight_from(pt.asarray([[2.0]]), pt.asarray([[3.0, 4.0]]), 0)
    tensor([[1.2, 1.6]], backend='numpy')
    """
    return v * (g / norm_except_dim(v, dim))


def _dim_of(dim: int | None, ndim: int) -> int:
    """``weight_norm``'s dimension: None (or -1) is the whole tensor (PyTorch's rule)."""
    if dim is None:
        return -1
    if not -ndim <= dim < max(ndim, 1):
        raise IndexError(
            f"weight_norm(): dim {dim} is out of range for a weight of {ndim} dimensions"
        )
    return dim if dim == -1 else dim % ndim


class _WeightNorm(Module):
    """``weight = g * v / ||v||`` from the magnitude ``g`` (original0) and the direction ``v``
    (original1), as PyTorch's."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_from(weight_g, weight_v, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` by a magnitude and a direction, ``w = g * v / ||v||``,
    as PyTorch's ``torch.nn.utils.parametrizations.weight_norm``: ``g`` is
    ``parametrizations.<name>.original0`` (the norm over every dimension but ``dim``; all of
    them for ``dim=None``), ``v`` is ``original1``. Returns ``module``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> lin = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
    >>> lin.parametrizations.weight.original0.shape, lin.parametrizations.weight.original1.shape
    ((2, 1), (2, 3))
    """
    weight: Tensor | None = getattr(module, name, None)
    if weight is None:
        raise ValueError(
            f"weight_norm(): module {type(module).__name__} has no tensor {name!r} to normalise"
        )
    register_parametrization(module, name, _WeightNorm(_dim_of(dim, weight.ndim)), unsafe=True)
    return module


class _SpectralNorm(Module):
    """``weight / sigma``, ``sigma`` the largest singular value of the weight as a matrix,
    estimated by power iteration on the buffers ``_u`` and ``_v`` (one step per call in
    training), as PyTorch's."""

    def __init__(self, weight: Tensor, n_power_iterations: int, dim: int, eps: float) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but "
                f"got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                f"Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            mat = matrix_of(weight, self.dim)
            h, w = mat.shape
            u = init.normal_(empty((h,), dtype=weight.dtype, device=weight.device))
            v = init.normal_(empty((w,), dtype=weight.dtype, device=weight.device))
            self.register_buffer("_u", F.normalize(u, dim=0, eps=eps))
            self.register_buffer("_v", F.normalize(v, dim=0, eps=eps))
            self._power_method(mat, 15)

    def _power_method(self, mat: Tensor, n: int) -> None:
        with no_grad():
            for _ in range(n):
                self._u.copy_(F.normalize(matmul(mat, self._v), dim=0, eps=self.eps))
                self._v.copy_(
                    F.normalize(matmul(matrix_transpose(mat), self._u), dim=0, eps=self.eps)
                )

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        mat = matrix_of(weight, self.dim)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = (u * matmul(mat, v)).sum()
        return cast("Tensor", weight / sigma)

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def matrix_of(weight: Tensor, dim: int) -> Tensor:
    """``weight`` as a matrix whose rows run along ``dim`` (brought first), as spectral
    normalisation sees it.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn.utils.parametrizations import matrix_of
    >>> matrix_of(pt.ones((2, 3, 4)), 1).shape
    (3, 8)
    """
    if dim != 0:
        weight = permute_dims(weight, (dim, *(d for d in range(weight.ndim) if d != dim)))
    return reshape(weight, (weight.shape[0], -1))


def _default_dim(module: Module) -> int:
    """Spectral normalisation's default dimension: 1 for transposed convolutions (their
    weight is (C_in, C_out/groups, ...)), else 0, as PyTorch's."""
    return 1 if getattr(module, "transposed", False) else 0


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Divide ``module.<name>`` by its largest singular value, estimated by power iteration,
    as PyTorch's ``torch.nn.utils.parametrizations.spectral_norm`` (the vectors are the
    buffers ``parametrizations.<name>.0._u`` and ``_v``; each forward in training mode runs
    ``n_power_iterations`` steps, evaluation mode none). Returns ``module``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> lin = nn.utils.parametrizations.spectral_norm(nn.Linear(4, 3))
    >>> [key.split(".")[-1] for key in lin.state_dict()]
    ['bias', 'original', '_u', '_v']
    """
    weight: Tensor | None = getattr(module, name, None)
    if weight is None:
        raise ValueError(
            f"Module '{type(module).__name__}' has no parameter or buffer with name '{name}'"
        )
    if dim is None:
        dim = _default_dim(module)
    register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
