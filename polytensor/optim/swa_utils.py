"""PyTorch's ``torch.optim.swa_utils``: stochastic weight averaging and exponential moving
averages of a model (``AveragedModel``), the SWA learning-rate schedule (``SWALR``) and the
recomputation of batch-norm statistics for the averaged weights (``update_bn``).

Examples
--------
>>> import polytensor as pt
>>> from polytensor import nn, optim
>>> model = nn.Linear(2, 1)
>>> swa = optim.swa_utils.AveragedModel(model)
>>> swa.update_parameters(model)
>>> int(swa.n_averaged), bool((swa.module.weight == model.weight).all())
(1, True)
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable
from typing import Any

from .. import _dtypes as _dt
from .._ops.creation import asarray
from .._tensor import Tensor
from ..autograd import no_grad
from ..nn._norm_layers import _InstanceNorm
from ..nn.module import Module
from ..nn.modules import _BatchNorm
from .lr_scheduler import LRScheduler
from .optimizer import Optimizer

__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]

AvgFn = Callable[[Tensor, Tensor, Any], Tensor]
MultiAvgFn = Callable[[list[Tensor], list[Tensor], Any], None]


def get_ema_avg_fn(decay: float = 0.999) -> AvgFn:
    """``decay * averaged + (1 - decay) * current``, one tensor at a time.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim.swa_utils import get_ema_avg_fn
    >>> get_ema_avg_fn(0.5)(pt.asarray([0.0]), pt.asarray([2.0]), 3)
    tensor([1.], backend='numpy')
    """

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> AvgFn:
    """The running mean: ``averaged + (current - averaged) / (num_averaged + 1)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim.swa_utils import get_swa_avg_fn
    >>> get_swa_avg_fn()(pt.asarray([1.0]), pt.asarray([4.0]), 2)
    tensor([2.], backend='numpy')
    """

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)  # type: ignore[no-any-return]

    return swa_update


def _lerp_(ends: list[Tensor], starts: list[Tensor], weight: float) -> None:
    """``a += weight * (b - a)`` in place for each pair, in PyTorch's form of ``lerp``
    (from the far end when ``weight >= 0.5``)."""
    for a, b in zip(ends, starts, strict=True):
        if a.dtype.kind in ("real floating", "complex floating"):
            if weight < 0.5:
                a.copy_(a + weight * (b - a))
            else:
                a.copy_(b - (b - a) * (1 - weight))
        else:
            a.copy_(a + (b - a) * weight)


def get_ema_multi_avg_fn(decay: float = 0.999) -> MultiAvgFn:
    """The exponential moving average over lists of tensors, in place: each averaged tensor
    moves ``1 - decay`` of the way to the current one.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim.swa_utils import get_ema_multi_avg_fn
    >>> ema = [pt.asarray([0.0])]
    >>> get_ema_multi_avg_fn(0.75)(ema, [pt.asarray([4.0])], 1)
    >>> ema[0]
    tensor([1.], backend='numpy')
    """

    def ema_update(ema_list: list[Tensor], current_list: list[Tensor], _: Any) -> None:
        with no_grad():
            if ema_list and ema_list[0].dtype.kind in ("real floating", "complex floating"):
                _lerp_(ema_list, current_list, 1 - decay)
            else:
                for p_ema, p_model in zip(ema_list, current_list, strict=True):
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> MultiAvgFn:
    """The running mean over lists of tensors, in place.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim.swa_utils import get_swa_multi_avg_fn
    >>> avg = [pt.asarray([1.0])]
    >>> get_swa_multi_avg_fn()(avg, [pt.asarray([4.0])], 2)
    >>> avg[0]
    tensor([2.], backend='numpy')
    """

    def swa_update(avg_list: list[Tensor], current_list: list[Tensor], n: Any) -> None:
        with no_grad():
            _lerp_(avg_list, current_list, 1 / (float(n) + 1))

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are an average of the ones it is given, as
    PyTorch's ``torch.optim.swa_utils.AveragedModel``.

    ``update_parameters(model)`` adds the model's current parameters to the average: the
    first call copies them, later ones apply ``multi_avg_fn`` (to lists of tensors, in place),
    else ``avg_fn`` (one tensor at a time), else the running mean. ``n_averaged`` counts the
    calls. With ``use_buffers=True`` buffers are averaged as well; otherwise they are copied
    from the model. ``forward`` runs the copy.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn, optim
    >>> model = nn.Linear(1, 1, bias=False)
    >>> ema = optim.swa_utils.AveragedModel(
    ...     model, multi_avg_fn=optim.swa_utils.get_ema_multi_avg_fn(0.5))
    >>> for w in (2.0, 4.0):
    ...     with pt.no_grad():
    ...         _ = model.weight.fill_(w)
    ...     ema.update_parameters(model)
    >>> ema.module.weight.item(), list(ema.state_dict())
    (3.0, ['n_averaged', 'module.weight'])
    """

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: AvgFn | None = None,
        multi_avg_fn: MultiAvgFn | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", asarray(0, dtype=_dt.int64))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Add ``model``'s current parameters (and buffers, with ``use_buffers``) to the
        average."""
        ours: Iterable[Tensor] = (
            itertools.chain(self.module.parameters(), self.module.buffers())
            if self.use_buffers
            else self.parameters()
        )
        theirs: Iterable[Tensor] = (
            itertools.chain(model.parameters(), model.buffers())
            if self.use_buffers
            else model.parameters()
        )
        n = int(self.n_averaged.item())
        with no_grad():
            pairs = [(a, b.detach()) for a, b in zip(ours, theirs, strict=False)]
            if n == 0:
                for a, b in pairs:
                    a.copy_(b)
            elif self.avg_fn is not None:
                for a, b in pairs:
                    a.copy_(self.avg_fn(a.detach(), b, n))
            else:
                # grouped by dtype, as PyTorch's lists for its foreach kernels
                groups: dict[Any, tuple[list[Tensor], list[Tensor]]] = {}
                for a, b in pairs:
                    mine, yours = groups.setdefault(a.dtype, ([], []))
                    mine.append(a)
                    yours.append(b)
                for mine, yours in groups.values():
                    if self.multi_avg_fn is not None:
                        self.multi_avg_fn(mine, yours, n)
                    else:
                        mean = get_swa_avg_fn()
                        for a, b in zip(mine, yours, strict=True):
                            a.copy_(mean(a, b, n))
            if not self.use_buffers:  # the buffers follow the model
                for b_avg, b_model in zip(self.module.buffers(), model.buffers(), strict=False):
                    b_avg.copy_(b_model.detach())
            self.n_averaged.add_(1)


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running statistics of every batch-norm layer of ``model`` from the
    batches of ``loader`` (the first item of a tuple or list batch), as PyTorch's
    ``torch.optim.swa_utils.update_bn``: statistics reset, a cumulative average over one pass,
    the momentum and training mode put back afterwards.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn, optim
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    >>> optim.swa_utils.update_bn([pt.ones((4, 2)), pt.zeros((4, 2))], model)
    >>> int(model[1].num_batches_tracked)
    2
    """
    momenta: dict[Module, Any] = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm) and not isinstance(module, _InstanceNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            x = batch[0] if isinstance(batch, (list, tuple)) else batch
            if device is not None:
                x = x.to(device)
            model(x)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's learning rate to its ``swa_lr`` over ``anneal_epochs`` epochs
    (``'cos'`` or ``'linear'``), then hold it, as PyTorch's
    ``torch.optim.swa_utils.SWALR``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=2, anneal_strategy="linear")
    >>> lrs = []
    >>> for _ in range(3):
    ...     sched.step()
    ...     lrs.append(round(opt.param_groups[0]["lr"], 4))
    >>> lrs
    [0.55, 0.1, 0.1]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | list[float],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        groups = optimizer.param_groups
        if isinstance(swa_lr, (list, tuple)):
            if len(swa_lr) != len(groups):
                raise ValueError(
                    f"swa_lr must have the same length as optimizer.param_groups. swa_lr has "
                    f"{len(swa_lr)} values, param_groups has {len(groups)}."
                )
            lrs = list(swa_lr)
        else:
            lrs = [swa_lr] * len(groups)
        for lr, group in zip(lrs, groups, strict=True):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must by one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        if (
            isinstance(anneal_epochs, bool)
            or not isinstance(anneal_epochs, int)
            or anneal_epochs < 0
        ):
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_strategy = anneal_strategy
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def _anneal(self, t: float) -> float:
        if self.anneal_strategy == "linear":
            return t
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        """The rate before the anneal, recovered from the current one (PyTorch's recursive
        form)."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self._anneal(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        groups = self.optimizer.param_groups
        prev = [self._initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        alpha = self._anneal(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev, strict=True)]
