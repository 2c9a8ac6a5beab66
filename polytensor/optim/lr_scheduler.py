"""Learning-rate schedules, as ``torch.optim.lr_scheduler``: ``StepLR``, ``ExponentialLR``,
``CosineAnnealingLR`` and ``ReduceLROnPlateau``.

A scheduler writes each parameter group's ``"lr"`` in place; call its ``step()`` once per
epoch, after the optimizer's. The formulas, including the order of floating-point operations
of PyTorch's recursive forms, are PyTorch's, so the learning rates agree to the last bit.

Examples
--------
>>> import polytensor as pt
>>> from polytensor import optim
>>> w = pt.zeros(2, requires_grad=True)
>>> opt = optim.SGD([w], lr=1.0)
>>> sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
>>> lrs = []
>>> for epoch in range(5):
...     opt.step(); lrs.append(sched.get_last_lr()[0]); sched.step()
>>> lrs
[1.0, 1.0, 0.5, 0.5, 0.25]
"""

from __future__ import annotations

import bisect
import math
import warnings
from typing import Any

from .._tensor import Tensor
from ..nn._missing import missing_name
from .optimizer import Optimizer

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]


# PyTorch's warning, word for word, for a scheduler's step(epoch)
EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)


def set_lr(group: dict[str, Any], lr: Any) -> None:
    """Write a group's new learning rate: into its tensor where the optimizer was given one
    (as PyTorch's schedulers do), else as a number."""
    current = group["lr"]
    if isinstance(current, Tensor):
        current.fill_(float(lr))
    else:
        group["lr"] = lr


def group_lrs(groups: list[dict[str, Any]]) -> list[Any]:
    """Each group's learning rate, a tensor one copied (so that a list of them does not
    change with the schedule), as PyTorch's."""
    return [g["lr"].clone() if isinstance(g["lr"], Tensor) else g["lr"] for g in groups]


def _optimizer(optimizer: Any, where: str) -> Optimizer:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{where}() expects a polytensor optimizer (e.g. optim.SGD(...)); got "
            f"{type(optimizer).__name__}"
        )
    return optimizer


class LRScheduler:
    """Base class of epoch-based schedules: ``base_lrs``, ``last_epoch``, ``step()``,
    ``get_last_lr()``, ``state_dict()`` / ``load_state_dict()``.

    Subclasses define ``get_lr()``, the learning rates of epoch ``last_epoch`` computed from
    the current ones (PyTorch's recursive form).

    Parameters
    ----------
    optimizer : Optimizer
    last_epoch : int, default -1
        The epoch to resume after; -1 starts afresh (and records each group's
        ``"initial_lr"``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1)
    >>> sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> sched.base_lrs, sched.last_epoch
    ([0.1], 0)
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        where = type(self).__name__
        self.optimizer = _optimizer(optimizer, where)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                lr = group["lr"]  # (a tensor one is copied: the schedule changes it)
                group.setdefault("initial_lr", lr.clone() if isinstance(lr, Tensor) else lr)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{where}(last_epoch={last_epoch}): param_groups[{i}] has no "
                        f"'initial_lr'; load the optimizer's state_dict before resuming, "
                        f"or start with last_epoch=-1"
                    )
        self.base_lrs: list[Any] = [
            g["initial_lr"].clone() if isinstance(g["initial_lr"], Tensor) else g["initial_lr"]
            for g in optimizer.param_groups
        ]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The first step, which sets the initial rates (SequentialLR repeats it)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for epoch ``last_epoch``; schedules define it.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1)
        >>> optim.lr_scheduler.StepLR(opt, step_size=1).get_lr()
        [0.1]
        """
        raise NotImplementedError(f"{type(self).__name__} does not define get_lr()")

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` set, one per parameter group.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1)
        >>> optim.lr_scheduler.StepLR(opt, step_size=1).get_last_lr()
        [0.1]
        """
        return list(self._last_lr)

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and write the new learning rates into the optimizer.

        ``step(epoch)``, deprecated in PyTorch and kept there, jumps to ``epoch`` (by the
        schedule's closed form where it has one) and warns, as PyTorch's.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> sched.step(); opt.param_groups[0]["lr"]
        0.5
        """
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """Set the rates of the next epoch, or of ``epoch`` (from the closed form where the
        schedule has one, as PyTorch's)."""
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            set_lr(group, lr)
        self._last_lr = group_lrs(self.optimizer.param_groups)

    def state_dict(self) -> dict[str, Any]:
        """Everything the scheduler holds except the optimizer, as PyTorch's.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1)
        >>> sd = optim.lr_scheduler.StepLR(opt, step_size=3).state_dict()
        >>> sd["step_size"], sd["last_epoch"], sd["base_lrs"]
        (3, 0, [0.1])
        """
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1)
        >>> a = optim.lr_scheduler.StepLR(opt, step_size=3)
        >>> a.step(); b = optim.lr_scheduler.StepLR(opt, step_size=3)
        >>> b.load_state_dict(a.state_dict()); b.last_epoch
        1
        """
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"load_state_dict() expects the dict from state_dict(); got "
                f"{type(state_dict).__name__}"
            )
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    >>> for _ in range(4):
    ...     sched.step()
    >>> round(sched.get_last_lr()[0], 6)
    0.01
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        # (a float that is a whole number too, as PyTorch's: its tutorials pass step_size=1.0)
        whole = isinstance(step_size, int) or (
            isinstance(step_size, float) and step_size.is_integer()
        )
        if isinstance(step_size, bool) or not whole or step_size < 1:
            raise ValueError(f"StepLR() expects a positive int step_size; got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return lrs
        return [lr * self.gamma for lr in lrs]

    def _get_closed_form_lr(self) -> list[float]:
        # (the rates at last_epoch from base_lrs, as PyTorch's; SequentialLR restarts with it)
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    >>> sched.step(); sched.step(); sched.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self._is_initial:
            return lrs
        return [lr * self.gamma for lr in lrs]

    def _get_closed_form_lr(self) -> list[float]:
        # (the rates at last_epoch from base_lrs, as PyTorch's; SequentialLR restarts with it)
        return [b * self.gamma**self.last_epoch for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal the learning rate from its initial value to ``eta_min`` along half a cosine
    over ``T_max`` epochs (and back up over the next ``T_max``, as PyTorch's).

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``, computed by
    PyTorch's recursive form.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=2)
    >>> sched.step(); round(sched.get_last_lr()[0], 6)
    0.5
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        if isinstance(T_max, bool) or not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR() expects a positive int T_max; got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        t, T, eta = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and t > 0:  # resumed: the closed form
            return [eta + (b - eta) * (1 + math.cos(t * math.pi / T)) / 2 for b in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:  # the bottom of the cosine: climb back
            return [
                group["lr"] + (b - eta) * (1 - math.cos(math.pi / T)) / 2
                for b, group in zip(self.base_lrs, groups, strict=True)
            ]
        return [
            (1 + math.cos(math.pi * t / T))
            / (1 + math.cos(math.pi * (t - 1) / T))
            * (group["lr"] - eta)
            + eta
            for group in groups
        ]

    def _get_closed_form_lr(self) -> list[float]:
        # (the rates at last_epoch from base_lrs, as PyTorch's; SequentialLR restarts with it)
        return [
            self.eta_min
            + (b - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
            for b in self.base_lrs
        ]


def _factor(where: str, name: str, value: Any, low: float, high: float, open_low: bool) -> float:
    """``value`` checked to lie in ``(low, high]`` (``open_low``) or ``[low, high]``."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # (a 0-d tensor, as PyTorch takes one)
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"{where}() expects a number for {name}; got {type(value).__name__}"
            ) from None
    if value > high or value < low or (open_low and value == low):
        raise ValueError(
            f"{where}(): {name} must be in {'(' if open_low else '['}{low}, {high}]; got {value}"
        )
    return float(value)


class LambdaLR(LRScheduler):
    """Set each group's learning rate to its initial one times ``lr_lambda(epoch)`` (one
    function, or one per parameter group), as ``torch.optim.lr_scheduler.LambdaLR``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.LambdaLR(opt, lambda epoch: 0.5**epoch)
    >>> sched.step(); sched.step(); sched.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Any, last_epoch: int = -1) -> None:
        groups = _optimizer(optimizer, "LambdaLR").param_groups
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(groups):
                raise ValueError(f"Expected {len(groups)} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(groups)
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(
                    f"{type(self).__name__}() expects a function of the epoch (or one per "
                    f"parameter group); got {type(f).__name__}"
                )
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [
            base * f(self.last_epoch)
            for f, base in zip(self.lr_lambdas, self.base_lrs, strict=True)
        ]

    def state_dict(self) -> dict[str, Any]:
        """As the base class's, without the functions (PyTorch's leaves them out too).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
        >>> optim.lr_scheduler.LambdaLR(opt, lambda e: 1.0).state_dict()["lr_lambdas"]
        [None]
        """
        import types

        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        # (a callable object's own fields are kept, a function's nothing, as PyTorch's)
        state["lr_lambdas"] = [
            None if isinstance(f, types.FunctionType) else dict(vars(f)) for f in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned, keeping the functions.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
        >>> a = optim.lr_scheduler.LambdaLR(opt, lambda e: 0.5**e); a.step()
        >>> b = optim.lr_scheduler.LambdaLR(opt, lambda e: 0.5**e)
        >>> b.load_state_dict(a.state_dict()); b.last_epoch
        1
        """
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", None) or []
        super().load_state_dict(state)
        for f, fields in zip(self.lr_lambdas, saved, strict=False):
            if fields is not None:
                vars(f).update(fields)


class MultiplicativeLR(LambdaLR):
    """Multiply each group's learning rate by ``lr_lambda(epoch)`` every epoch, as
    ``torch.optim.lr_scheduler.MultiplicativeLR``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.MultiplicativeLR(opt, lambda epoch: 0.5)
    >>> sched.step(); sched.step(); sched.get_last_lr()
    [0.25]
    """

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if not self._is_initial:  # (a resumed schedule's first step keeps its rates, as torch's)
            return [
                g["lr"] * f(self.last_epoch) for f, g in zip(self.lr_lambdas, groups, strict=True)
            ]
        return [g["lr"] for g in groups]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each epoch of ``milestones`` (once per
    time it is listed), as ``torch.optim.lr_scheduler.MultiStepLR``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 3], gamma=0.1)
    >>> for _ in range(3):
    ...     sched.step()
    >>> round(sched.get_last_lr()[0], 6)
    0.01
    """

    def __init__(
        self, optimizer: Optimizer, milestones: Any, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        from collections import Counter

        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch not in self.milestones:
            return lrs
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in lrs]

    def _get_closed_form_lr(self) -> list[float]:
        # (the rates at last_epoch from base_lrs, as PyTorch's; SequentialLR restarts with it)
        return [
            b
            * self.gamma ** bisect.bisect_right(sorted(self.milestones.elements()), self.last_epoch)
            for b in self.base_lrs
        ]


class ConstantLR(LRScheduler):
    """Scale the learning rate by ``factor`` until epoch ``total_iters``, as
    ``torch.optim.lr_scheduler.ConstantLR``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2)
    >>> sched.get_last_lr(), (sched.step(), sched.step(), sched.get_last_lr())[2]
    ([0.5], [1.0])
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.factor = _factor("ConstantLR", "factor", factor, 0.0, 1.0, open_low=False)
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0:
            return [lr * self.factor for lr in lrs]
        if self.last_epoch != self.total_iters:
            return lrs
        return [lr * (1.0 / self.factor) for lr in lrs]

    def _get_closed_form_lr(self) -> list[float]:
        # (the rates at last_epoch from base_lrs, as PyTorch's; SequentialLR restarts with it)
        return [
            b * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
            for b in self.base_lrs
        ]


class LinearLR(LRScheduler):
    """Scale the learning rate linearly from ``start_factor`` to ``end_factor`` over
    ``total_iters`` epochs, as ``torch.optim.lr_scheduler.LinearLR`` (warm-up).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    >>> [round(x, 6) for x in (sched.get_last_lr()[0], (sched.step(), sched.get_last_lr())[1][0])]
    [0.5, 0.75]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.start_factor = _factor(
            "LinearLR", "start_factor", start_factor, 0.0, 1.0, open_low=True
        )
        self.end_factor = _factor("LinearLR", "end_factor", end_factor, 0.0, 1.0, open_low=False)
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in lrs]
        if self._is_initial or self.last_epoch > self.total_iters:
            return lrs
        span = self.end_factor - self.start_factor
        scale = 1.0 + span / (self.total_iters * self.start_factor + (self.last_epoch - 1) * span)
        return [lr * scale for lr in lrs]

    def _get_closed_form_lr(self) -> list[float]:
        # (the rates at last_epoch from base_lrs, as PyTorch's; SequentialLR restarts with it)
        return [
            b
            * (
                self.start_factor
                + (self.end_factor - self.start_factor)
                * min(self.total_iters, self.last_epoch)
                / self.total_iters
            )
            for b in self.base_lrs
        ]


class PolynomialLR(LRScheduler):
    """Decay the learning rate by ``(1 - epoch / total_iters) ** power`` over ``total_iters``
    epochs, then keep it, as ``torch.optim.lr_scheduler.PolynomialLR`` (its recursive form).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.PolynomialLR(opt, total_iters=4, power=1.0)
    >>> for _ in range(2):
    ...     sched.step()
    >>> sched.get_last_lr()
    [0.5]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(
                f"PolynomialLR() expects a positive int total_iters; got {total_iters!r}"
            )
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return lrs
        t, n = self.last_epoch, self.total_iters
        decay = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** self.power
        return [lr * decay for lr in lrs]

    def _get_closed_form_lr(self) -> list[float]:
        # (the rates at last_epoch from base_lrs, as PyTorch's; SequentialLR restarts with it)
        return [
            b * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
            for b in self.base_lrs
        ]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Anneal the learning rate along half a cosine from its initial value to ``eta_min``
    over ``T_0`` epochs, then restart, each period ``T_mult`` times the one before (SGDR), as
    ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts``. ``step(epoch)`` takes a
    fractional epoch too (``scheduler.step(epoch + i / iters)``), as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2)
    >>> [round((sched.step(), sched.get_last_lr()[0])[1], 6) for _ in range(3)]
    [0.5, 1.0, 0.5]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(T_0, bool) or not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0!r}")
        if isinstance(T_mult, bool) or not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult!r}")
        if isinstance(eta_min, bool) or not isinstance(eta_min, (float, int)):
            raise ValueError(  # noqa: TRY004 - PyTorch's class for it
                f"Expected float or int eta_min, but got {eta_min!r} of type "
                f"{type(eta_min).__name__}"
            )
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        eta = self.eta_min
        c = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [eta + (b - eta) * c / 2 for b in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (a number of epochs, fractional or not), and
        write the new learning rates into the optimizer.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4)
        >>> sched.step(2.0); round(sched.get_last_lr()[0], 6)
        0.5
        """
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self._step_count += 1
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            set_lr(group, lr)
        self._last_lr = group_lrs(self.optimizer.param_groups)


def _per_group(name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """``value`` once per parameter group: a list or tuple of one per group, or one value."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. {name} has "
                f"{len(value)} values, param_groups has {n}."
            )
        return list(value)
    return [value] * n


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin), as ``torch.optim.lr_scheduler.OneCycleLR``: the
    learning rate climbs from ``max_lr / div_factor`` to ``max_lr`` over ``pct_start`` of
    ``total_steps`` (or ``epochs * steps_per_epoch``), then anneals to ``initial_lr /
    final_div_factor`` (``three_phase``: back to the initial one first); with
    ``cycle_momentum``, the optimizer's momentum (or Adam's first beta) moves the other way,
    between ``max_momentum`` and ``base_momentum``. ``step()`` once per batch.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1)
    >>> sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    >>> round(sched.get_last_lr()[0], 6), opt.param_groups[0]["momentum"]
    (0.04, 0.95)
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        optimizer = _optimizer(optimizer, "OneCycleLR")
        self.optimizer = optimizer

        def positive(name: str, v: Any) -> int:
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ValueError(f"Expected positive integer {name}, but got {v!r}")
            return v

        if total_steps is not None:
            self.total_steps = positive("total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = positive("epochs", epochs) * positive(
                "steps_per_epoch", steps_per_epoch
            )
        else:
            raise ValueError(
                "OneCycleLR(): You must define either total_steps OR (epochs AND steps_per_epoch)"
            )
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy!r}"
            )
        n = self.total_steps
        if three_phase:
            self._phases: list[tuple[float, str, str, str, str]] = [
                (float(pct_start * n) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct_start * n) - 2, "max_lr", "initial_lr", "base_momentum",
                 "max_momentum"),
                (n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]  # fmt: skip
        else:
            self._phases = [
                (float(pct_start * n) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]  # fmt: skip
        self.anneal_strategy = anneal_strategy
        max_lrs = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for m, group in zip(max_lrs, optimizer.param_groups, strict=True):
                group["initial_lr"] = m / div_factor
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            maxes = _per_group("max_momentum", optimizer, max_momentum)
            bases = _per_group("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for mx, bs, group in zip(maxes, bases, optimizer.param_groups, strict=True):
                    if self.use_beta1:
                        group["betas"] = (mx, *group["betas"][1:])
                    else:
                        group["momentum"] = mx
                    group["max_momentum"] = mx
                    group["base_momentum"] = bs
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"Tried to step {step} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        lrs = []
        last = len(self._phases) - 1
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr0, lr1, m0, m1) in enumerate(self._phases):
                if step <= end or i == last:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[lr0], group[lr1], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[m0], group[m1], pct)
                        if self.use_beta1:
                            group["betas"] = (momentum, *group["betas"][1:])
                        else:
                            group["momentum"] = momentum
                    break
                start = end
        return lrs


class ReduceLROnPlateau:
    """Multiply the learning rate by ``factor`` when a metric has stopped improving for more
    than ``patience`` epochs; ``step(metric)`` once per epoch.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {'min', 'max'}, default 'min'
        Whether the metric should decrease (a loss) or increase (an accuracy).
    factor : float, default 0.1
        Must be below 1.
    patience : int, default 10
        Epochs without improvement tolerated before a reduction.
    threshold : float, default 1e-4
    threshold_mode : {'rel', 'abs'}, default 'rel'
        An improvement must beat ``best * (1 -/+ threshold)`` ('rel') or
        ``best -/+ threshold`` ('abs').
    cooldown : int, default 0
        Epochs to wait after a reduction before counting bad epochs again.
    min_lr : float or list of float, default 0
    eps : float, default 1e-8
        Changes smaller than ``eps`` are not applied.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    >>> for loss in [1.0, 1.0, 1.0, 1.0]:
    ...     sched.step(loss)
    >>> sched.get_last_lr()
    [0.5]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        where = "ReduceLROnPlateau"
        if factor >= 1.0:
            raise ValueError(f"{where}() expects factor < 1.0; got {factor!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"{where}() got mode={mode!r}; expected 'min' or 'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"{where}() got threshold_mode={threshold_mode!r}; expected 'rel' or 'abs'"
            )
        self.optimizer = _optimizer(optimizer, where)
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"{where}() expected {n} min_lrs (one a group); got {len(min_lr)}")
            self.default_min_lr: float | None = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n
        self.factor = factor
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self._last_lr = group_lrs(optimizer.param_groups)
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        """Whether a reduction happened less than ``cooldown`` epochs ago."""
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min":
            return a < (
                best * (1.0 - self.threshold)
                if self.threshold_mode == "rel"
                else best - self.threshold
            )
        return a > (
            best * (self.threshold + 1.0) if self.threshold_mode == "rel" else best + self.threshold
        )

    def step(self, metrics: Any, epoch: int | None = None) -> None:
        """Record this epoch's ``metrics`` (a number or a 0-d tensor) and reduce the learning
        rates if it has not improved for more than ``patience`` epochs. ``epoch`` (deprecated in
        PyTorch, with a warning) sets ``last_epoch``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
        >>> sched.step(pt.asarray(2.0)); sched.step(3.0); sched.get_last_lr()
        [0.1]
        """
        current = float(metrics)
        if epoch is None:
            self.last_epoch += 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = group_lrs(self.optimizer.param_groups)

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter groups "
                    f"but min_lr was given for {len(self.min_lrs)}; set the scheduler's "
                    f"min_lrs to one value a group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                set_lr(group, new)

    def get_last_lr(self) -> list[float]:
        """The current learning rates, one per parameter group.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.3)
        >>> optim.lr_scheduler.ReduceLROnPlateau(opt).get_last_lr()
        [0.3]
        """
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything the scheduler holds except the optimizer, as PyTorch's.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.3)
        >>> optim.lr_scheduler.ReduceLROnPlateau(opt).state_dict()["best"]
        inf
        """
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.3)
        >>> a = optim.lr_scheduler.ReduceLROnPlateau(opt); a.step(1.0)
        >>> b = optim.lr_scheduler.ReduceLROnPlateau(opt); b.load_state_dict(a.state_dict())
        >>> b.best
        1.0
        """
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"load_state_dict() expects the dict from state_dict(); got "
                f"{type(state_dict).__name__}"
            )
        self.__dict__.update(state_dict)


class _LRScheduler(LRScheduler):
    """``LRScheduler`` under its name before PyTorch 2.0, as PyTorch keeps it: older programs
    subclass ``lr_scheduler._LRScheduler`` for their own schedules.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> class Halving(optim.lr_scheduler._LRScheduler):
    ...     def get_lr(self):
    ...         return [base * 0.5**self.last_epoch for base in self.base_lrs]
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1)
    >>> sched = Halving(opt)
    >>> opt.step(); sched.step(); sched.get_last_lr()
    [0.05]
    """


from ._lr_compose import ChainedScheduler, CyclicLR, SequentialLR  # noqa: E402


def __getattr__(name: str) -> Any:
    raise missing_name("polytensor.optim.lr_scheduler", name)
