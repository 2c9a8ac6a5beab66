"""Adam and AdamW, as ``torch.optim.Adam`` and ``torch.optim.AdamW``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .._ops.creation import zeros_like
from .._ops.elementwise import maximum, sqrt
from ..autograd import no_grad
from . import _in_place
from .optimizer import Optimizer, check_numbers, implementation_flags, params_with_grad

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam (Kingma & Ba), PyTorch's update rule, with L2 ``weight_decay`` added to the
    gradient.

    For each parameter ``p`` with gradient ``g`` at step ``t``::

        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Parameters
    ----------
    params : iterable of Tensor or dict
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    amsgrad : bool, default False
        Use the maximum of past ``v`` (AMSGrad).
    maximize : bool, default False

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Adam([w], lr=0.1)
    >>> pt.sum(w * w).backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()]
    [0.9, -1.9]
    """

    _decoupled = False

    _real_only = True  # (PyTorch's reads a complex number's parts as two reals)

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        fused: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        decoupled_weight_decay: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas) if isinstance(betas, (tuple, list)) else betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            # (AdamW's rule, per group, as PyTorch's Adam(decoupled_weight_decay=True))
            "decoupled_weight_decay": decoupled_weight_decay or self._decoupled,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{type(self).__name__}(): betas must be a pair; got {betas!r}")
        check_numbers(
            type(self).__name__,
            lr=group["lr"],
            eps=group["eps"],
            weight_decay=group["weight_decay"],
            beta1=betas[0],
            beta2=betas[1],
        )
        lr, (b1, b2), eps, wd = group["lr"], betas, group["eps"], group["weight_decay"]
        if not lr >= 0.0:
            raise ValueError(f"{type(self).__name__}(): Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"{type(self).__name__}(): Invalid epsilon value: {eps}")
        if not 0.0 <= b1 < 1.0:
            raise ValueError(f"{type(self).__name__}(): Invalid beta parameter at index 0: {b1}")
        if not 0.0 <= b2 < 1.0:
            raise ValueError(f"{type(self).__name__}(): Invalid beta parameter at index 1: {b2}")
        if not wd >= 0.0:
            raise ValueError(f"{type(self).__name__}(): Invalid weight_decay value: {wd}")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss if
        given.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([3.0], requires_grad=True)
        >>> opt = optim.Adam([w], lr=0.1)
        >>> for _ in range(3):
        ...     opt.zero_grad(); pt.sum(w * w).backward(); opt.step()
        >>> opt.state[w]["step"]
        3
        """
        loss = self._closure(closure)
        with no_grad():
            for group in self.param_groups:
                # (Python floats: a NumPy float64, from a schedule's np.cos, would otherwise
                # make float32 parameters update in float64; PyTorch takes it as a number)
                lr, (beta1, beta2) = float(group["lr"]), map(float, group["betas"])
                eps, weight_decay = float(group["eps"]), float(group["weight_decay"])
                for p, g in params_with_grad(group):
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["exp_avg"] = zeros_like(p)
                        state["exp_avg_sq"] = zeros_like(p)
                        if group["amsgrad"]:
                            state["max_exp_avg_sq"] = zeros_like(p)
                    state["step"] += 1
                    step = state["step"]
                    decoupled = group.get("decoupled_weight_decay", self._decoupled)
                    if _in_place.adam(
                        p,
                        g,
                        state["exp_avg"],
                        state["exp_avg_sq"],
                        state["max_exp_avg_sq"] if group["amsgrad"] else None,
                        lr=lr,
                        beta1=beta1,
                        beta2=beta2,
                        eps=eps,
                        weight_decay=weight_decay,
                        decoupled=decoupled,
                        maximize=group["maximize"],
                        step=step,
                    ):
                        continue  # (written in place, a block at a time)
                    if group["maximize"]:
                        g = -g
                    if weight_decay != 0:
                        if decoupled:
                            p *= 1 - lr * weight_decay
                        else:
                            g = g + weight_decay * p
                    m = state["exp_avg"]
                    m = m + (1 - beta1) * (g - m)  # PyTorch's lerp
                    v = state["exp_avg_sq"] * beta2 + (1 - beta2) * (g * g)
                    state["exp_avg"], state["exp_avg_sq"] = m, v
                    if group["amsgrad"]:
                        v = maximum(state["max_exp_avg_sq"], v)
                        state["max_exp_avg_sq"] = v
                    bias_correction1 = 1 - beta1**step
                    bias_correction2_sqrt = math.sqrt(1 - beta2**step)
                    denom = sqrt(v) / bias_correction2_sqrt + eps
                    p -= (lr / bias_correction1) * (m / denom)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``:
    ``p = p * (1 - lr * weight_decay)`` before the Adam step.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0], requires_grad=True)
    >>> opt = optim.AdamW([w], lr=0.1)
    >>> opt.defaults["weight_decay"]
    0.01
    """

    _decoupled = True

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        fused: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            fused=fused,
            capturable=capturable,
        )
