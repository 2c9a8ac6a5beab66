"""Binary cross entropy, robust regression, margin, embedding and likelihood losses as layers,
as in ``torch.nn``."""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from . import functional as F
from ._losses import legacy_reduction
from .module import Module

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CTCLoss",
    "CosineEmbeddingLoss",
    "GaussianNLLLoss",
    "HingeEmbeddingLoss",
    "HuberLoss",
    "KLDivLoss",
    "MarginRankingLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "PoissonNLLLoss",
    "SmoothL1Loss",
    "TripletMarginLoss",
]


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


class _Loss(Module):
    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        self.reduction = legacy_reduction(size_average, reduce, reduction)


class MarginRankingLoss(_Loss):
    """``max(0, -target * (x1 - x2) + margin)``; see ``nn.functional.margin_ranking_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.MarginRankingLoss(0.5)(pt.asarray([1.0]), pt.asarray([1.0]), pt.asarray([1.0]))
    tensor(0.5, backend='numpy')
    """

    def __init__(
        self,
        margin: float = 0.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class HingeEmbeddingLoss(_Loss):
    """The input where the target is 1, ``max(0, margin - input)`` where it is -1; see
    ``nn.functional.hinge_embedding_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.HingeEmbeddingLoss()(pt.asarray([0.25]), pt.asarray([-1.0]))
    tensor(0.75, backend='numpy')
    """

    def __init__(
        self,
        margin: float = 1.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """``1 - cos`` where the target is 1, ``max(0, cos - margin)`` where it is -1; see
    ``nn.functional.cosine_embedding_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.CosineEmbeddingLoss()(pt.ones((1, 2)), pt.ones((1, 2)), pt.ones(1))
    tensor(0., backend='numpy')
    """

    def __init__(
        self,
        margin: float = 0.0,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(
            input1, input2, target, margin=self.margin, reduction=self.reduction
        )


class TripletMarginLoss(_Loss):
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))``; see
    ``nn.functional.triplet_margin_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> a = pt.zeros((1, 2))
    >>> nn.TripletMarginLoss(eps=0.0)(a, a, a + 3.0)
    tensor(0., backend='numpy')
    """

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        if not margin > 0:
            raise ValueError(
                f"TripletMarginLoss: expected margin to be greater than 0, got {margin}"
            )
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(
            anchor,
            positive,
            negative,
            margin=self.margin,
            p=self.p,
            eps=self.eps,
            swap=self.swap,
            reduction=self.reduction,
        )


class MultiLabelSoftMarginLoss(_Loss):
    """Binary cross entropy of logits averaged over the classes; see
    ``nn.functional.multilabel_soft_margin_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> round(float(nn.MultiLabelSoftMarginLoss()(pt.zeros((1, 2)), pt.ones((1, 2)))), 4)
    0.6931
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_soft_margin_loss(
            input, target, weight=self.weight, reduction=self.reduction
        )


class MultiMarginLoss(_Loss):
    """The multi-class hinge loss of scores and class indices; see
    ``nn.functional.multi_margin_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.MultiMarginLoss()(pt.asarray([[0.0, 2.0]]), pt.asarray([1]))
    tensor(0., backend='numpy')
    """

    def __init__(
        self,
        p: int = 1,
        margin: float = 1.0,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        self.p = p
        self.margin = margin
        self.register_buffer("weight", weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multi_margin_loss(
            input,
            target,
            p=self.p,
            margin=self.margin,
            weight=self.weight,
            reduction=self.reduction,
        )


class PoissonNLLLoss(_Loss):
    """The negative log-likelihood of counts under a Poisson distribution; see
    ``nn.functional.poisson_nll_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.PoissonNLLLoss()(pt.zeros(2), pt.zeros(2))
    tensor(1., backend='numpy')
    """

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        size_average: bool | None = None,
        eps: float = 1e-8,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(
            log_input,
            target,
            log_input=self.log_input,
            full=self.full,
            eps=self.eps,
            reduction=self.reduction,
        )


class GaussianNLLLoss(Module):
    """The negative log-likelihood of targets under normal distributions; see
    ``nn.functional.gaussian_nll_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.GaussianNLLLoss()(pt.zeros(2), pt.zeros(2), pt.ones(2))
    tensor(0., backend='numpy')
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__()
        self.full = full
        self.eps = eps
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        return F.gaussian_nll_loss(
            input, target, var, full=self.full, eps=self.eps, reduction=self.reduction
        )


class CTCLoss(Module):
    """The connectionist temporal classification loss; see ``nn.functional.ctc_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> lp = pt.full((2, 1, 2), 0.5).log()
    >>> round(float(nn.CTCLoss()(lp, pt.asarray([[1]]), [2], [1])), 4)
    0.2877
    """

    def __init__(
        self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False
    ) -> None:
        super().__init__()
        self.blank = blank
        self.reduction = reduction
        self.zero_infinity = zero_infinity

    def forward(
        self, log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any
    ) -> Tensor:
        return F.ctc_loss(
            log_probs,
            targets,
            input_lengths,
            target_lengths,
            self.blank,
            self.reduction,
            self.zero_infinity,
        )
