"""The schedules of ``torch.optim.lr_scheduler`` that compose others (``SequentialLR``,
``ChainedScheduler``) and the cyclical one (``CyclicLR``); ``lr_scheduler`` exports them."""

from __future__ import annotations

import bisect
import math
import types
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from . import lr_scheduler as _lr
from .optimizer import Optimizer

__all__ = ["ChainedScheduler", "CyclicLR", "SequentialLR"]


def _check_schedulers(where: str, schedulers: Sequence[Any], optimizer: Any, what: str) -> None:
    if len(schedulers) < 1:
        raise ValueError(f"{where} expects at least one scheduler{what}, but got no scheduler.")
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{where} at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, _lr.ReduceLROnPlateau):
            raise ValueError(  # noqa: TRY004 - PyTorch's class for it
                f"{where} does not support `ReduceLROnPlateau` scheduler as it requires "
                "additional kwargs to be specified when calling `step`, but got one at index "
                f"{i} in the given schedulers sequence."
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{where} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {type(scheduler).__name__} at index {i} has "
                f"{type(scheduler.optimizer).__name__} {id(scheduler.optimizer):#x}, which is "
                f"different from {type(optimizer).__name__} {id(optimizer):#x}; make every "
                "scheduler with the one optimizer"
            )


class _Composite(_lr.LRScheduler):
    """State dicts of a scheduler made of ``_schedulers``: theirs nested under
    ``"_schedulers"``, as PyTorch's."""

    _schedulers: Sequence[_lr.LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer, with each scheduler's own state dict in order.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = optim.lr_scheduler.ChainedScheduler(
        ...     [optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)])
        >>> s.state_dict()["_schedulers"][0]["gamma"]
        0.5
        """
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned, each scheduler's part into it.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = optim.lr_scheduler.ChainedScheduler(
        ...     [optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)])
        >>> s.load_state_dict(s.state_dict()); s.get_last_lr()
        [1.0]
        """
        if not isinstance(state_dict, dict) or "_schedulers" not in state_dict:
            raise TypeError(
                f"{type(self).__name__}.load_state_dict() expects the dict from state_dict(), "
                "with '_schedulers'"
            )
        rest = {k: v for k, v in state_dict.items() if k != "_schedulers"}
        self.__dict__.update(rest)
        for s, sd in zip(self._schedulers, state_dict["_schedulers"], strict=True):
            s.load_state_dict(sd)


class SequentialLR(_Composite):
    """Hand over from one schedule to the next at each of ``milestones`` (epochs): schedule
    ``i`` runs from milestone ``i - 1`` on, restarted at its epoch 0, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> from polytensor.optim import lr_scheduler as L
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> warm = L.LinearLR(opt, start_factor=0.25, total_iters=2)
    >>> decay = L.ExponentialLR(opt, gamma=0.5)
    >>> sched = L.SequentialLR(opt, [warm, decay], milestones=[2])
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(sched.get_last_lr()[0]); opt.step(); sched.step()
    >>> lrs
    [0.25, 0.625, 1.0, 0.5, 0.25]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: list[_lr.LRScheduler],
        milestones: list[int],
        last_epoch: int = -1,
    ) -> None:
        where = type(self).__name__
        _check_schedulers(where, schedulers, optimizer, "")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more than "
                f"the number of milestone points, but got number of schedulers {len(schedulers)} "
                f"and the number of milestones to be equal to {len(milestones)}"
            )
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # undo the steps the schedulers made when they were made, then start the first
        for group in optimizer.param_groups:
            _lr.set_lr(group, group["initial_lr"])
        self.recursive_undo()
        idx = bisect.bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched: Any = None) -> None:
        """Step back every scheduler inside this one (nested ones too) by one epoch.

        Example: ``SequentialLR.__init__`` calls it once, to undo the schedulers' own
        initial steps.
        """
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]  # (no epoch, as PyTorch's)
        """Step the schedule whose turn it is (restarting it at its milestone).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> from polytensor.optim import lr_scheduler as L
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = L.SequentialLR(opt, [L.ConstantLR(opt, factor=0.5, total_iters=9),
        ...                          L.ExponentialLR(opt, gamma=0.9)], milestones=[1])
        >>> s.step(); s.get_last_lr()
        [1.0]
        """
        self.last_epoch += 1
        idx = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step several schedules of one optimizer together, each multiplying into the rates the
    previous left, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> from polytensor.optim import lr_scheduler as L
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = L.ChainedScheduler([L.ConstantLR(opt, factor=0.5, total_iters=2),
    ...                             L.ExponentialLR(opt, gamma=0.5)])
    >>> lrs = []
    >>> for _ in range(4):
    ...     lrs.append(sched.get_last_lr()[0]); opt.step(); sched.step()
    >>> lrs
    [0.5, 0.25, 0.25, 0.125]
    """

    def __init__(
        self, schedulers: Sequence[_lr.LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        where = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(
                f"{where} expects at least one scheduler to be chained, but got no scheduler."
            )
        optimizer = optimizer or schedulers[0].optimizer
        _check_schedulers(where, schedulers, optimizer, " to be chained")
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _lr.group_lrs(self._schedulers[-1].optimizer.param_groups)

    def step(self) -> None:  # type: ignore[override]  # (no epoch, as PyTorch's)
        """Step every schedule, in order.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> from polytensor.optim import lr_scheduler as L
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
        >>> s = L.ChainedScheduler([L.ExponentialLR(opt, gamma=0.5)])
        >>> s.step(); s.get_last_lr()
        [0.5]
        """
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _lr.group_lrs(self._schedulers[-1].optimizer.param_groups)


def _triangular_scale_fn(x: float) -> float:
    return 1.0


def _triangular2_scale_fn(x: float) -> float:
    return float(1 / (2.0 ** (x - 1)))


def _exp_range_scale_fn(gamma: float, x: float) -> float:
    return float(gamma**x)


class CyclicLR(_lr.LRScheduler):
    """Cycle the learning rate between ``base_lr`` and ``max_lr`` (Smith, "Cyclical Learning
    Rates"), as PyTorch's: up over ``step_size_up`` steps, down over ``step_size_down``, the
    amplitude scaled by ``mode`` (``"triangular"``: constant, ``"triangular2"``: halved each
    cycle, ``"exp_range"``: ``gamma ** step``) or by ``scale_fn``; with ``cycle_momentum``, the
    momentum (or Adam's first beta) moves the other way between ``max_momentum`` and
    ``base_momentum``. ``step()`` once per batch.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    >>> sched = optim.lr_scheduler.CyclicLR(opt, base_lr=0.1, max_lr=0.5, step_size_up=2)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(round(sched.get_last_lr()[0], 6)); opt.step(); sched.step()
    >>> lrs, round(opt.param_groups[0]["momentum"], 6)
    ([0.1, 0.3, 0.5, 0.3, 0.1], 0.85)
    """

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float = 0.8,
        max_momentum: float = 0.9,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(optimizer).__name__} is not an Optimizer; CyclicLR() expects a "
                "polytensor optimizer (e.g. optim.SGD(...))"
            )
        self.optimizer = optimizer
        base_lrs = _lr._per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                _lr.set_lr(group, lr)
        self.max_lrs = _lr._per_group("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_ref: Callable[[float], float]
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _lr._per_group("base_momentum", optimizer, base_momentum)
            self.max_momentums = _lr._per_group("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for mx, bs, group in zip(
                    self.max_momentums, self.base_momentums, optimizer.param_groups, strict=True
                ):
                    if self.use_beta1:
                        group["betas"] = (mx, *group["betas"][1:])
                    else:
                        group["momentum"] = mx
                    group["max_momentum"] = mx
                    group["base_momentum"] = bs
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref = _triangular_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref = _triangular2_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self._scale_fn_ref = partial(_exp_range_scale_fn, self.gamma)
            self.scale_mode = "iterations"

    def scale_fn(self, x: float) -> float:
        """The amplitude's scale at cycle (or step) ``x``: ``scale_fn``'s, else the mode's.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1)
        >>> s = optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0, mode="triangular2",
        ...                                 cycle_momentum=False)
        >>> s.scale_fn(3)
        0.25
        """
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return self._scale_fn_ref(x)

    def get_lr(self) -> list[float]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        at = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = [
            base_lr + (max_lr - base_lr) * scale_factor * self.scale_fn(at)
            for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True)
        ]
        if self.cycle_momentum:
            for group, base_m, max_m in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums, strict=True
            ):
                momentum = max_m - (max_m - base_m) * scale_factor * self.scale_fn(at)
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's: no mode function, and a custom ``scale_fn`` only as its ``__dict__``
        (a callable object's state; ``None`` for a plain function or lambda).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sd = optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0).state_dict()
        >>> sd["_scale_fn_custom"], sd["mode"], "_scale_fn_ref" in sd
        (None, 'triangular', False)
        """
        state = super().state_dict()
        state.pop("_scale_fn_ref", None)
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (a custom ``scale_fn`` keeps its object,
        given its saved ``__dict__``).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        >>> a = optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0, step_size_up=4)
        >>> a.step(); b = optim.lr_scheduler.CyclicLR(opt, 0.1, 1.0, step_size_up=4)
        >>> b.load_state_dict(a.state_dict()); b.last_epoch
        1
        """
        state = dict(state_dict)
        fn = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        if fn is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()
