"""Binary cross entropy and robust regression losses as layers, as in ``torch.nn``."""

from __future__ import annotations

from .._tensor import Tensor
from . import functional as F
from ._losses import legacy_reduction
from .module import Module

__all__ = ["BCELoss", "BCEWithLogitsLoss", "HuberLoss", "KLDivLoss", "SmoothL1Loss"]


class BCELoss(Module):
    """Binary cross entropy of probabilities; see ``nn.functional.binary_cross_entropy``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> loss = nn.BCELoss()(pt.asarray([0.5, 0.5]), pt.asarray([0.0, 1.0]))
    >>> round(float(loss), 4)
    0.6931
    """

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__()
        self.register_buffer("weight", weight)
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(Module):
    """Binary cross entropy of logits (a sigmoid and ``BCELoss`` in one, without overflow);
    see ``nn.functional.binary_cross_entropy_with_logits``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> loss = nn.BCEWithLogitsLoss()(pt.zeros(2), pt.asarray([0.0, 1.0]))
    >>> round(float(loss), 4)
    0.6931
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__()
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input,
            target,
            weight=self.weight,
            reduction=self.reduction,
            pos_weight=self.pos_weight,
        )


class SmoothL1Loss(Module):
    """Squared error below ``beta``, absolute error above; see
    ``nn.functional.smooth_l1_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.SmoothL1Loss(beta=1.0)(pt.asarray([0.5, 3.0]), pt.zeros(2))
    tensor(1.3125, backend='numpy')
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__()
        self.reduction = reduction
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(Module):
    """Squared error below ``delta``, ``delta`` times the absolute error above; see
    ``nn.functional.huber_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.HuberLoss(delta=2.0)(pt.asarray([0.5, 3.0]), pt.zeros(2))
    tensor(2.0625, backend='numpy')
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__()
        self.reduction = reduction
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(Module):
    """The Kullback-Leibler divergence loss of log-probabilities ``input`` from ``target``;
    see ``nn.functional.kl_div``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> loss = nn.KLDivLoss(reduction="batchmean", log_target=True)
    >>> loss(pt.log(pt.asarray([[0.5, 0.5]])), pt.log(pt.asarray([[0.5, 0.5]])))
    tensor(0., backend='numpy')
    """

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        super().__init__()
        self.reduction = legacy_reduction(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
