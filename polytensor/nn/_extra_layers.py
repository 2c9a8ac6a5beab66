"""RMS normalisation, channel-wise and SELU-preserving dropout, three more losses and the 3-D
padding layers, as in ``torch.nn``: ``RMSNorm``, ``Dropout1d``, ``AlphaDropout``,
``FeatureAlphaDropout``, ``SoftMarginLoss``, ``MultiLabelMarginLoss``,
``TripletMarginWithDistanceLoss``, ``ConstantPad3d``, ``ZeroPad3d``, ``ReflectionPad3d``,
``ReplicationPad3d`` and ``CircularPad3d``.

``polytensor.nn`` exports these; each is a thin module over its function in ``nn.functional``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._ops.creation import empty
from .._tensor import Tensor
from . import functional as F
from . import init
from ._more_layers import PairwiseDistance
from ._norm_layers import (
    CircularPad2d,
    ConstantPad2d,
    ReflectionPad2d,
    ReplicationPad2d,
    ZeroPad2d,
)
from .loss import _Loss
from .module import Module
from .modules import Dropout
from .parameter import Parameter

__all__ = [
    "AlphaDropout",
    "CircularPad3d",
    "ConstantPad3d",
    "Dropout1d",
    "FeatureAlphaDropout",
    "MultiLabelMarginLoss",
    "RMSNorm",
    "ReflectionPad3d",
    "ReplicationPad3d",
    "SoftMarginLoss",
    "TripletMarginWithDistanceLoss",
    "ZeroPad3d",
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


# -- losses ---------------------------------------------------------------------------------------
class SoftMarginLoss(_Loss):
    """The two-class logistic loss of scores and targets of 1 or -1; see
    ``nn.functional.soft_margin_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> round(float(nn.SoftMarginLoss()(pt.zeros(2), pt.asarray([1.0, -1.0]))), 4)
    0.6931
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """The multi-label hinge loss of class scores and targets padded with -1; see
    ``nn.functional.multilabel_margin_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> x = pt.asarray([[0.1, 0.2, 0.4, 0.8]])
    >>> round(float(nn.MultiLabelMarginLoss()(x, pt.asarray([[3, 0, -1, 1]]))), 4)
    0.85
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with a given distance
    (``nn.PairwiseDistance()`` when None); see
    ``nn.functional.triplet_margin_with_distance_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> loss = nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(eps=0))
    >>> a = pt.zeros((1, 2))
    >>> loss(a, a, a + 3.0)
    tensor(0., backend='numpy')
    """

    def __init__(
        self,
        *,
        distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
        margin: float = 1.0,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        super().__init__(None, None, reduction)
        if not margin > 0:
            raise ValueError(
                f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
                f"{margin} instead"
            )
        self.distance_function = (
            distance_function if distance_function is not None else PairwiseDistance()
        )
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_with_distance_loss(
            anchor,
            positive,
            negative,
            distance_function=self.distance_function,
            margin=self.margin,
            swap=self.swap,
            reduction=self.reduction,
        )


# -- padding --------------------------------------------------------------------------------------
class ConstantPad3d(ConstantPad2d):
    """Pad the last three dimensions with ``value``, as ``torch.nn.ConstantPad3d``: an int pads
    every side, a tuple gives (left, right, top, bottom, front, back) as ``F.pad``'s.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ConstantPad3d(1, 0.5)(pt.ones((1, 2, 2, 2))).shape
    (1, 4, 4, 4)
    """

    _sides = 3


class ZeroPad3d(ZeroPad2d):
    """Pad the last three dimensions with zeros, as ``torch.nn.ZeroPad3d`` (a negative amount
    crops).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ZeroPad3d((1, 0, 0, 0, 0, 1))(pt.ones((1, 1, 1)))
    tensor([[[0., 1.]],
    <BLANKLINE>
            [[0., 0.]]], backend='numpy')
    """

    _sides = 3


class ReflectionPad3d(ReflectionPad2d):
    """Pad the last three dimensions with their mirror images (the edge not repeated), as
    ``torch.nn.ReflectionPad3d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ReflectionPad3d(1)(pt.ones((1, 1, 2, 2, 2))).shape
    (1, 1, 4, 4, 4)
    """

    _sides = 3


class ReplicationPad3d(ReplicationPad2d):
    """Pad the last three dimensions by repeating their edge values, as
    ``torch.nn.ReplicationPad3d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ReplicationPad3d((1, 0, 0, 0, 0, 0))(pt.asarray([[[[1.0, 2.0]]]]))
    tensor([[[[1., 1., 2.]]]], backend='numpy')
    """

    _sides = 3


class CircularPad3d(CircularPad2d):
    """Pad the last three dimensions by wrapping them around, as ``torch.nn.CircularPad3d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.CircularPad3d((1, 1, 0, 0, 0, 0))(pt.asarray([[[[1.0, 2.0, 3.0]]]]))
    tensor([[[[3., 1., 2., 3., 1.]]]], backend='numpy')
    """

    _sides = 3
