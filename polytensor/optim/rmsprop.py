"""RMSprop, Adagrad and Adadelta, as ``torch.optim.RMSprop``, ``torch.optim.Adagrad`` and
``torch.optim.Adadelta``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._ops.creation import full_like, zeros_like
from .._ops.elementwise import sqrt
from ..autograd import no_grad
from . import _in_place
from .optimizer import Optimizer, implementation_flags, params_with_grad

__all__ = ["Adadelta", "Adagrad", "RMSprop"]


def _check(name: str, value: float, low: float = 0.0) -> None:
    if not value >= low:
        raise ValueError(f"Invalid {name} value: {value}; expected a number >= {low}")


class RMSprop(Optimizer):
    """RMSprop (Hinton), PyTorch's update rule.

    For each parameter ``p`` with gradient ``g``::

        g = -g if maximize
        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - m * m) + eps, with m = alpha * m + (1 - alpha) * g   (centered)
              sqrt(v) + eps                                                  (otherwise)
        buf = momentum * buf + g / avg;  p = p - lr * buf                    (momentum > 0)
        p = p - lr * g / avg                                                 (otherwise)

    Parameters
    ----------
    params : iterable of Tensor or dict
    lr : float, default 1e-2
    alpha : float, default 0.99
        Smoothing constant of the running mean of squared gradients.
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum : float, default 0
    centered : bool, default False
        Normalise by an estimate of the gradient's variance instead of its second moment.
    maximize : bool, default False

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0, -2.0], requires_grad=True)
    >>> opt = optim.RMSprop([w], lr=0.01)
    >>> pt.sum(w * w).backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()]
    [0.9, -1.9]
    """

    _real_only = True  # (PyTorch's reads a complex number's parts as two reals)

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        fused: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check("learning rate", group["lr"])
        _check("epsilon", group["eps"])
        _check("momentum", group["momentum"])
        _check("weight_decay", group["weight_decay"])
        _check("alpha", group["alpha"])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss if
        given.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([3.0], requires_grad=True)
        >>> opt = optim.RMSprop([w], momentum=0.9, centered=True)
        >>> for _ in range(2):
        ...     opt.zero_grad(); pt.sum(w * w).backward(); opt.step()
        >>> sorted(opt.state[w])
        ['grad_avg', 'momentum_buffer', 'square_avg', 'step']
        """
        loss = self._closure(closure)
        with no_grad():
            for group in self.param_groups:
                # (Python floats: a NumPy float64 would otherwise make float32 parameters
                # update in float64; PyTorch takes it as a number)
                lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
                weight_decay, momentum = float(group["weight_decay"]), float(group["momentum"])
                for p, g in params_with_grad(group):
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["square_avg"] = zeros_like(p)
                        if momentum > 0:
                            state["momentum_buffer"] = zeros_like(p)
                        if group["centered"]:
                            state["grad_avg"] = zeros_like(p)
                    state["step"] += 1
                    if _in_place.rmsprop(
                        p,
                        g,
                        state["square_avg"],
                        state["grad_avg"] if group["centered"] else None,
                        state["momentum_buffer"] if momentum > 0 else None,
                        lr=lr,
                        alpha=alpha,
                        eps=eps,
                        weight_decay=weight_decay,
                        momentum=momentum,
                        maximize=group["maximize"],
                    ):
                        continue  # (written in place, a block at a time)
                    if group["maximize"]:
                        g = -g
                    if weight_decay != 0:
                        g = g + weight_decay * p
                    v = state["square_avg"] * alpha + (1 - alpha) * (g * g)
                    state["square_avg"] = v
                    if group["centered"]:
                        m = state["grad_avg"]
                        m = m + (1 - alpha) * (g - m)  # PyTorch's lerp
                        state["grad_avg"] = m
                        avg = sqrt(v - m * m) + eps
                    else:
                        avg = sqrt(v) + eps
                    if momentum > 0:
                        buf = state["momentum_buffer"] * momentum + g / avg
                        state["momentum_buffer"] = buf
                        p -= lr * buf
                    else:
                        p -= lr * (g / avg)
        return loss


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), PyTorch's update rule.

    For each parameter ``p`` with gradient ``g`` at step ``t``::

        g = -g if maximize
        g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                      (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    Parameters
    ----------
    params : iterable of Tensor or dict
    lr : float, default 1e-2
    lr_decay : float, default 0
    weight_decay : float, default 0
    initial_accumulator_value : float, default 0
    eps : float, default 1e-10
    maximize : bool, default False

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Adagrad([w], lr=0.1)
    >>> pt.sum(w * w).backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()]
    [0.9, -1.9]
    """

    _real_only = True  # (PyTorch's reads a complex number's parts as two reals)

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        fused: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)
        # As PyTorch, the state exists from the start (so state_dict() shows it).
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = {
                    "step": 0,
                    "sum": full_like(p, group["initial_accumulator_value"]),
                }

    def _check_group(self, group: dict[str, Any]) -> None:
        _check("learning rate", group["lr"])
        _check("lr_decay", group["lr_decay"])
        _check("weight_decay", group["weight_decay"])
        _check("initial_accumulator_value", group["initial_accumulator_value"])
        _check("epsilon", group["eps"])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss if
        given.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([3.0], requires_grad=True)
        >>> opt = optim.Adagrad([w], lr_decay=0.1)
        >>> for _ in range(2):
        ...     opt.zero_grad(); pt.sum(w * w).backward(); opt.step()
        >>> opt.state[w]["step"]
        2
        """
        loss = self._closure(closure)
        with no_grad():
            for group in self.param_groups:
                lr, lr_decay, eps = (
                    float(group["lr"]),
                    float(group["lr_decay"]),
                    float(group["eps"]),
                )
                weight_decay = float(group["weight_decay"])  # (Python floats, as in RMSprop)
                for p, g in params_with_grad(group):
                    state = self.state[p]
                    if not state:  # a parameter added with add_param_group
                        state["step"] = 0
                        state["sum"] = full_like(p, group["initial_accumulator_value"])
                    state["step"] += 1
                    clr = lr / (1 + (state["step"] - 1) * lr_decay)
                    if _in_place.adagrad(
                        p,
                        g,
                        state["sum"],
                        clr=clr,
                        eps=eps,
                        weight_decay=weight_decay,
                        maximize=group["maximize"],
                    ):
                        continue  # (written in place, a block at a time)
                    if group["maximize"]:
                        g = -g
                    if weight_decay != 0:
                        g = g + weight_decay * p
                    s = state["sum"] + g * g
                    state["sum"] = s
                    p -= clr * (g / (sqrt(s) + eps))
        return loss


class Adadelta(Optimizer):
    """Adadelta (Zeiler), PyTorch's update rule (pytorch/examples' MNIST network trains with
    it).

    For each parameter ``p`` with gradient ``g``::

        g = -g if maximize
        g = g + weight_decay * p
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta

    Parameters
    ----------
    params : iterable of Tensor or dict
    lr : float, default 1.0
        Scales ``delta`` before it is applied.
    rho : float, default 0.9
        Smoothing constant of the running means of squared gradients and updates (0 to 1).
    eps : float, default 1e-6
    weight_decay : float, default 0
    maximize : bool, default False

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Adadelta([w], lr=1.0)
    >>> pt.sum(w * w).backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()]
    [0.9968, -1.9968]
    """

    _real_only = True  # (PyTorch's reads a complex number's parts as two reals)

    def __init__(
        self,
        params: Any,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        _check("learning rate", group["lr"])
        _check("epsilon", group["eps"])
        _check("weight_decay", group["weight_decay"])
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']}; expected a number in [0, 1]")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss if
        given.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([3.0], requires_grad=True)
        >>> opt = optim.Adadelta([w])
        >>> opt.zero_grad(); pt.sum(w * w).backward(); opt.step()
        >>> sorted(opt.state[w])
        ['acc_delta', 'square_avg', 'step']
        """
        loss = self._closure(closure)
        with no_grad():
            for group in self.param_groups:
                # (Python floats: a NumPy float64 would otherwise make float32 parameters
                # update in float64; PyTorch takes it as a number)
                lr, rho, eps = float(group["lr"]), float(group["rho"]), float(group["eps"])
                weight_decay = float(group["weight_decay"])
                for p, g in params_with_grad(group):
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["square_avg"] = zeros_like(p)
                        state["acc_delta"] = zeros_like(p)
                    state["step"] += 1
                    if group["maximize"]:
                        g = -g
                    if weight_decay != 0:
                        g = g + weight_decay * p
                    v = state["square_avg"] * rho + (g * g) * (1 - rho)
                    state["square_avg"] = v
                    delta = sqrt(state["acc_delta"] + eps) / sqrt(v + eps) * g
                    state["acc_delta"] = state["acc_delta"] * rho + (delta * delta) * (1 - rho)
                    p -= lr * delta
        return loss
