"""ASGD and Rprop, as ``torch.optim.ASGD`` and ``torch.optim.Rprop``: averaged stochastic
gradient descent, and resilient backpropagation (steps that follow only the gradient's sign)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from .._ops.creation import full_like, zeros_like
from .._ops.elementwise import clip, sign
from .._ops.searching import where
from ..autograd import no_grad
from ..nn.parameter import copy_tensor
from .optimizer import Optimizer, implementation_flags, params_with_grad

__all__ = ["ASGD", "Rprop"]


class ASGD(Optimizer):
    """Averaged stochastic gradient descent (Polyak & Juditsky), PyTorch's update rule: SGD
    with a decaying step ``eta``, and a running average ``ax`` of the parameter from step
    ``t0`` on.

    For each parameter ``p`` with gradient ``g`` at step ``t``::

        g = -g if maximize
        g = g + weight_decay * p
        p = p * (1 - lambd * eta) - eta * g
        ax = p (while mu == 1), ax + mu * (p - ax) (afterwards)
        eta = lr / (1 + lambd * lr * t) ** alpha
        mu = 1 / max(1, t - t0)

    Parameters
    ----------
    params : iterable of Tensor or dict
    lr : float, default 1e-2
    lambd : float, default 1e-4
        Decay term.
    alpha : float, default 0.75
        Power of ``eta``'s decay.
    t0 : float, default 1e6
        The step at which averaging starts.
    weight_decay : float, default 0
    maximize : bool, default False

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0, -2.0], requires_grad=True)
    >>> opt = optim.ASGD([w], lr=0.1, lambd=0.0)
    >>> pt.sum(w * w).backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()], sorted(opt.state[w])
    ([0.8, -1.6], ['ax', 'eta', 'mu', 'step'])
    """

    _scalar_state: ClassVar[dict[str, Callable[[float], Any]]] = {
        "step": int,
        "eta": float,
        "mu": float,
    }

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        if not group["lr"] >= 0.0:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        if not group["weight_decay"] >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss if
        given.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([3.0], requires_grad=True)
        >>> opt = optim.ASGD([w], lr=0.1, t0=1)
        >>> for _ in range(3):
        ...     opt.zero_grad(); pt.sum(w * w).backward(); opt.step()
        >>> opt.state[w]["mu"]
        0.5
        """
        loss = self._closure(closure)
        with no_grad():
            for group in self.param_groups:
                lr, lambd = float(group["lr"]), float(group["lambd"])
                alpha, t0 = float(group["alpha"]), float(group["t0"])
                weight_decay = float(group["weight_decay"])
                for p, g in params_with_grad(group):
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["eta"] = lr
                        state["mu"] = 1.0
                        state["ax"] = zeros_like(p)
                    state["step"] += 1
                    step = state["step"]
                    if group["maximize"]:
                        g = -g
                    if weight_decay != 0:
                        g = g + weight_decay * p
                    eta = float(state["eta"])
                    p *= 1 - lambd * eta  # decay term
                    p -= eta * g
                    if state["mu"] != 1:
                        ax = state["ax"]
                        state["ax"] = ax + (p - ax) * state["mu"]
                    else:
                        state["ax"] = copy_tensor(p)
                    state["eta"] = lr / ((1 + lambd * lr * step) ** alpha)
                    state["mu"] = 1 / max(1, step - t0)
        return loss


class Rprop(Optimizer):
    """Resilient backpropagation (Riedmiller & Braun), PyTorch's update rule: each element
    has its own step size, which grows by ``etas[1]`` while the gradient keeps its sign and
    shrinks by ``etas[0]`` when it flips (that step then moves nothing); the parameter moves by
    the step size against the gradient's sign.

    For each parameter ``p`` with gradient ``g`` and the previous one ``prev``::

        g = -g if maximize
        s = sign(g * prev)
        step_size = clip(step_size * (etaplus if s > 0, etaminus if s < 0, else 1),
                         *step_sizes)
        g = 0 where s < 0
        p = p - sign(g) * step_size;  prev = g

    Parameters
    ----------
    params : iterable of Tensor or dict
    lr : float, default 1e-2
        The initial step size.
    etas : (float, float), default (0.5, 1.2)
        ``(etaminus, etaplus)``, with ``0 < etaminus < 1 < etaplus``.
    step_sizes : (float, float), default (1e-6, 50)
        The least and greatest step size.
    maximize : bool, default False

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Rprop([w], lr=0.1)
    >>> pt.sum(w * w).backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()], sorted(opt.state[w])
    ([0.9, -1.9], ['prev', 'step', 'step_size'])
    """

    _real_only = True  # (PyTorch's reads a complex number's parts as two reals)

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        defaults = {
            "lr": lr,
            "etas": tuple(etas) if isinstance(etas, list) else etas,
            "step_sizes": tuple(step_sizes) if isinstance(step_sizes, list) else step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("etas", "step_sizes"):
            pair = group[name]
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"{name} must be a pair of numbers; got {pair!r}")
        if not group["lr"] >= 0.0:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        etaminus, etaplus = group["etas"]
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Invalid eta values: {etaminus}, {etaplus}")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss if
        given.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([3.0], requires_grad=True)
        >>> opt = optim.Rprop([w], lr=0.5)
        >>> for _ in range(2):
        ...     opt.zero_grad(); pt.sum(w * w).backward(); opt.step()
        >>> round(opt.state[w]["step_size"].item(), 6), round(w.item(), 6)
        (0.6, 1.9)
        """
        loss = self._closure(closure)
        with no_grad():
            for group in self.param_groups:
                etaminus, etaplus = map(float, group["etas"])
                step_size_min, step_size_max = map(float, group["step_sizes"])
                for p, g in params_with_grad(group):
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["prev"] = zeros_like(p)
                        state["step_size"] = full_like(g, float(group["lr"]))
                    state["step"] += 1
                    if group["maximize"]:
                        g = -g
                    s = sign(g * state["prev"])
                    # (the innermost choice a tensor of g's dtype: where() of two Python
                    # floats would make one of the default dtype)
                    factor = where(s > 0, etaplus, where(s < 0, etaminus, full_like(g, 1.0)))
                    step_size = clip(state["step_size"] * factor, step_size_min, step_size_max)
                    g = where(s < 0, 0.0, g)
                    p -= sign(g) * step_size
                    state["step_size"], state["prev"] = step_size, g
        return loss
