"""Stochastic gradient descent with momentum, as ``torch.optim.SGD``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._tensor_ops import sub_scaled_
from ..autograd import no_grad
from ..nn.parameter import copy_tensor
from . import _in_place
from .optimizer import Optimizer, check_numbers, implementation_flags, params_with_grad, required

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), PyTorch's update rule.

    For each parameter ``p`` with gradient ``g``::

        g = -g if maximize
        g = g + weight_decay * p
        buf = g (first step) or momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf          (when momentum != 0)
        p = p - lr * g

    Parameters
    ----------
    params : iterable of Tensor or dict
        Parameters to optimize, or parameter groups.
    lr : float
        Learning rate.
    momentum, dampening, weight_decay : float, default 0
    nesterov : bool, default False
        Nesterov momentum (needs momentum > 0 and dampening = 0).
    maximize : bool, default False
        Ascend instead of descend.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0, -2.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1)
    >>> pt.sum(w * w).backward()
    >>> opt.step()
    >>> w
    tensor([ 0.8, -1.6], backend='numpy', requires_grad=True)
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        fused: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        check_numbers(
            "SGD",
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            **({} if lr is required else {"lr": lr}),
        )
        if lr is not required and lr < 0.0:
            raise ValueError(f"SGD(): Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"SGD(): Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"SGD(): Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(
            params,
            {
                "lr": lr,
                "momentum": momentum,
                "dampening": dampening,
                "weight_decay": weight_decay,
                "nesterov": nesterov,
                "maximize": maximize,
                "foreach": foreach,
                "differentiable": differentiable,
                "fused": fused,
            },
        )

    def _check_group(self, group: dict[str, Any]) -> None:
        if group["lr"] < 0.0:
            raise ValueError(f"SGD(): Invalid learning rate: {group['lr']}")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss if
        given.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([1.0], requires_grad=True)
        >>> opt = optim.SGD([w], lr=0.5, momentum=0.9)
        >>> def closure():
        ...     opt.zero_grad(); loss = pt.sum(w * w); loss.backward(); return loss
        >>> float(opt.step(closure))
        1.0
        """
        loss = self._closure(closure)
        with no_grad():
            for group in self.param_groups:
                # (Python floats: a NumPy float64 would otherwise make float32 parameters
                # update in float64; PyTorch takes it as a number)
                lr, momentum = float(group["lr"]), float(group["momentum"])
                dampening, weight_decay = float(group["dampening"]), float(group["weight_decay"])
                if momentum == 0 and weight_decay == 0 and not group["maximize"]:
                    # plain SGD, p -= lr * g: in place a block at a time where a parameter spans
                    # several (no temporary of its size), else the operators' fast paths
                    for p in group["params"]:
                        g = p.grad
                        if g is not None and not (
                            _in_place.spans_blocks(p)
                            and _in_place.sgd(
                                p,
                                g,
                                None,
                                lr=lr,
                                momentum=0.0,
                                dampening=0.0,
                                weight_decay=0.0,
                                nesterov=False,
                                maximize=False,
                            )
                        ):
                            sub_scaled_(p, lr, g)
                    continue
                # (a parameter listed twice in the group and without a buffer when the step
                # starts gets a new one at each listing, as PyTorch's step gives it)
                fresh = (
                    {
                        id(p)
                        for p in group["params"]
                        if id(p) in self._listed_twice and "momentum_buffer" not in self.state[p]
                    }
                    if self._listed_twice and momentum != 0
                    else ()
                )
                for p, g in params_with_grad(group):
                    buf = self.state[p].get("momentum_buffer") if momentum != 0 else None
                    if fresh and id(p) in fresh:
                        buf = None
                    if (momentum == 0 or buf is not None) and _in_place.sgd(
                        p,
                        g,
                        buf,
                        lr=lr,
                        momentum=momentum,
                        dampening=dampening,
                        weight_decay=weight_decay,
                        nesterov=group["nesterov"],
                        maximize=group["maximize"],
                    ):
                        continue  # (written in place, a block at a time)
                    d_p = -g if group["maximize"] else g
                    if weight_decay != 0:
                        d_p = d_p + weight_decay * p
                    if momentum != 0:
                        state = self.state[p]
                        buf = None if fresh and id(p) in fresh else state.get("momentum_buffer")
                        if buf is None:
                            buf = copy_tensor(d_p)
                        else:
                            buf = buf * momentum + d_p * (1 - dampening)
                        state["momentum_buffer"] = buf
                        d_p = d_p + momentum * buf if group["nesterov"] else buf
                    p -= lr * d_p
        return loss
