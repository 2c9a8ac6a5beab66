"""RMS normalisation, as in ``torch.nn``: ``RMSNorm``.

``polytensor.nn`` exports these; each is a thin module over its function in ``nn.functional``.
"""

from __future__ import annotations

from typing import Any

from .._ops.creation import empty
from .._tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = [
    "RMSNorm",
]


class RMSNorm(Module):
    """Root-mean-square normalisation over the last dimensions, ``normalized_shape``, with a
    learned per-element scale (ones) when ``elementwise_affine``, as ``torch.nn.RMSNorm``
    (``F.rms_norm``; ``eps`` None: the machine epsilon of the input's dtype).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> norm = nn.RMSNorm(4); norm
    RMSNorm((4,), eps=None, elementwise_affine=True)
    >>> norm(pt.ones((2, 4))).shape
    (2, 4)
    """

    def __init__(
        self,
        normalized_shape: Any,
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, dtype=dtype, device=device))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Scale ones, as PyTorch's."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, input: Tensor) -> Tensor:
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
