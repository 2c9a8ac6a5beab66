"""PyTorch's ``torch.nn.utils``: gradient clipping, parameters as one vector, ``rnn``
(padded and packed sequences), weight and spectral normalisation, and ``parametrize``.

Examples
--------
>>> import polytensor as pt
>>> from polytensor import nn
>>> lin = nn.Linear(3, 2)
>>> lin(pt.ones(4, 3)).sum().backward()
>>> total = nn.utils.clip_grad_norm_(lin.parameters(), max_norm=1.0)
>>> bool(total > 1.0), round(float(nn.utils.clip_grad_norm_(lin.parameters(), 1.0)), 4)
(True, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..._ops.creation import full
from ..._ops.linalg import vector_norm
from ..._ops.manipulation import concat, reshape, stack
from ..._tensor import Tensor
from ...autograd import no_grad
from . import parametrizations, parametrize, rnn
from ._hooked_norms import remove_spectral_norm, remove_weight_norm, spectral_norm, weight_norm

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "parameters_to_vector",
    "parametrizations",
    "parametrize",
    "remove_spectral_norm",
    "remove_weight_norm",
    "rnn",
    "spectral_norm",
    "vector_to_parameters",
    "weight_norm",
]


def _tensors(where: str, parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    try:
        ps = list(parameters)
    except TypeError:
        raise TypeError(
            f"{where}() expects a tensor or an iterable of tensors (model.parameters()); got "
            f"{type(parameters).__name__}"
        ) from None
    for p in ps:
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}() expects tensors; got a {type(p).__name__} among them")
    return ps


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients of ``parameters`` in place so that their total norm (the norm of
    all of them as one vector) is at most ``max_norm``, as PyTorch's: each is multiplied by
    ``min(1, max_norm / (total + 1e-6))``. Returns the total norm before clipping.

    ``norm_type`` is any ``p`` of ``vector_norm`` (``inf`` the largest magnitude). A total that
    is NaN or infinite is an error with ``error_if_nonfinite=True``; otherwise the gradients
    become NaN, as PyTorch's do. ``foreach`` is accepted and changes nothing.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> w = pt.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> nn.utils.clip_grad_norm_([w], max_norm=5.0)
    tensor(10., backend='numpy')
    >>> [round(v, 4) for v in w.grad.tolist()]  # (times 5 / (10 + 1e-6))
    [3.0, 4.0]
    """
    grads = [p.grad for p in _tensors("clip_grad_norm_", parameters) if p.grad is not None]
    if not grads:
        return full((), 0.0)
    total = _total_norm("clip_grad_norm_", grads, norm_type, error_if_nonfinite)
    _scale(grads, max_norm, total)
    return total


def _total_norm(
    where: str, tensors: list[Tensor], norm_type: float, error_if_nonfinite: bool
) -> Tensor:
    norm_type = float(norm_type)
    with no_grad():
        norms = stack([vector_norm(g, ord=norm_type) for g in tensors])
        total = vector_norm(norms, ord=norm_type)
        if error_if_nonfinite and not math.isfinite(float(total)):
            raise RuntimeError(
                f"{where}(): the total norm of order {norm_type} of the gradients is "
                f"{float(total)}, so they cannot be clipped; pass error_if_nonfinite=False to "
                f"scale them anyway (they become NaN)"
            )
    return total  # type: ignore[no-any-return]


def _scale(grads: list[Tensor], max_norm: float, total: Tensor) -> None:
    with no_grad():
        coef = (float(max_norm) / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.dtype) if coef.dtype != g.dtype else coef)


def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The norm of order ``norm_type`` of ``tensors`` taken together as one vector (the norm of
    their norms), as PyTorch's ``torch.nn.utils.get_total_norm``; with ``clip_grads_with_norm_``
    the two halves of ``clip_grad_norm_``. A NaN or infinite total is an error with
    ``error_if_nonfinite=True``. ``foreach`` is accepted and changes nothing.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.utils.get_total_norm([pt.tensor([3.0]), pt.tensor([4.0])])
    tensor(5., backend='numpy')
    """
    ts = _tensors("get_total_norm", tensors)
    if not ts:
        return full((), 0.0)
    return _total_norm("get_total_norm", ts, norm_type, error_if_nonfinite)


def clip_grads_with_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    total_norm: Tensor,
    foreach: bool | None = None,
) -> None:
    """Scale the gradients of ``parameters`` in place by ``min(1, max_norm / (total_norm +
    1e-6))``, as PyTorch's ``torch.nn.utils.clip_grads_with_norm_`` (``total_norm`` from
    ``get_total_norm``, perhaps reduced across processes first). ``foreach`` is accepted and
    changes nothing.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> w = pt.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> total = nn.utils.get_total_norm([w.grad])
    >>> nn.utils.clip_grads_with_norm_([w], 5.0, total)
    >>> [round(v, 4) for v in w.grad.tolist()]
    [3.0, 4.0]
    """
    grads = [p.grad for p in _tensors("clip_grads_with_norm_", parameters) if p.grad is not None]
    if not grads:
        return
    if not isinstance(total_norm, Tensor):
        total_norm = full((), float(total_norm))
    _scale(grads, max_norm, total_norm)


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp the gradients of ``parameters`` into ``[-clip_value, clip_value]`` in place.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> w = pt.tensor([3.0, -4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> nn.utils.clip_grad_value_(w, 1.5)
    >>> w.grad
    tensor([ 1.5, -1.5], backend='numpy')
    """
    v = float(clip_value)
    with no_grad():
        for p in _tensors("clip_grad_value_", parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-v, max=v)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and concatenated into one vector (in the graph).

    Examples
    --------
    >>> from polytensor import nn
    >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
    (8,)
    """
    ps = _tensors("parameters_to_vector", parameters)
    return concat([reshape(p, (-1,)) for p in ps])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make the parameters consecutive slices of ``vec``, as PyTorch's: each parameter's data
    becomes ``vec[a:b]`` seen with its shape (a view of ``vec`` where the backend shares
    memory), with ``vec``'s dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> lin = nn.Linear(3, 2)
    >>> nn.utils.vector_to_parameters(pt.zeros(8), lin.parameters())
    >>> float(lin.weight.abs().sum())
    0.0
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters() expects a tensor vec; got {type(vec).__name__}")
    ps = _tensors("vector_to_parameters", parameters)
    total = sum(int(p.numel()) for p in ps)
    if vec.ndim == 0 or int(vec.shape[0] or 0) < total:
        raise ValueError(
            f"vector_to_parameters(): vec has {vec.shape[0] if vec.ndim else 0} elements; the "
            f"parameters need {total}"
        )
    start = 0
    with no_grad():
        for p in ps:
            n = int(p.numel())
            p.data = reshape(vec.detach()[start : start + n], tuple(p.shape))
            start += n
