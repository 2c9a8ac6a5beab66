"""RMS normalisation and channel-wise and SELU-preserving dropout, as in ``torch.nn``:
``RMSNorm``, ``Dropout1d``, ``AlphaDropout`` and ``FeatureAlphaDropout``.

``polytensor.nn`` exports these; each is a thin module over its function in ``nn.functional``.
"""

from __future__ import annotations

from typing import Any

from .._ops.creation import empty
from .._tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .modules import Dropout
from .parameter import Parameter

__all__ = [
    "AlphaDropout",
    "Dropout1d",
    "FeatureAlphaDropout",
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


# -- dropout --------------------------------------------------------------------------------------
class Dropout1d(Dropout):
    """During training, zero whole channels of (N, C, L) or (C, L) inputs with probability
    ``p`` and scale the others by ``1 / (1 - p)`` (``F.dropout1d``); the identity in
    evaluation mode.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> _ = pt.manual_seed(0)
    >>> drop = nn.Dropout1d(0.5)
    >>> y = drop(pt.ones((4, 6, 3)))
    >>> sorted(set(y.flatten().tolist())), bool((y == y[:, :, :1]).all())
    ([0.0, 2.0], True)
    >>> drop
    Dropout1d(p=0.5, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class AlphaDropout(Dropout):
    """During training, alpha dropout (``F.alpha_dropout``): dropped elements take SELU's
    negative saturation value and the result keeps the mean and variance of SELU's outputs;
    the identity in evaluation mode.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> _ = pt.manual_seed(0)
    >>> y = nn.AlphaDropout(0.2)(pt.randn(10_000))  # (mean 0, variance 1: kept)
    >>> abs(float(y.mean())) < 0.05, abs(float(y.var()) - 1) < 0.05
    (True, True)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training, self.inplace)


class FeatureAlphaDropout(Dropout):
    """During training, alpha dropout of whole channels (``F.feature_alpha_dropout``); the
    identity in evaluation mode.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> _ = pt.manual_seed(0)
    >>> y = nn.FeatureAlphaDropout(0.5)(pt.zeros((4, 6, 3)))
    >>> bool((y == y[:, :, :1]).all())
    True
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.feature_alpha_dropout(input, self.p, self.training, self.inplace)
