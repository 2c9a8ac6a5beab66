"""PyTorch's namespace forms of ``nn.functional``'s functions whose arguments differ there:
``torch.embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False)``.

Loaded on first use, as ``pt.nn`` is (``polytensor.__getattr__``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .nn import functional as F

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["embedding"]


def embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """PyTorch's ``torch.embedding(weight, indices, ...)``: the rows of ``weight`` at
    ``indices``, ``F.embedding(indices, weight)`` with the weight first; a negative
    ``padding_idx`` (the default -1) is none, as in PyTorch's namespace function.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.embedding(pt.asarray([[0.0, 0.5], [1.0, 1.5]]), pt.asarray([1, 0]))
    tensor([[1. , 1.5],
            [0. , 0.5]], backend='numpy')
    """
    pad = None if padding_idx < 0 else padding_idx
    return F.embedding(
        indices, weight, padding_idx=pad, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse
    )
