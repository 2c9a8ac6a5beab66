"""Adamax, NAdam and RAdam, as ``torch.optim.Adamax``, ``torch.optim.NAdam`` and
``torch.optim.RAdam``: Adam's moments with another normalisation (the infinity norm), a
Nesterov momentum, or a rectified step size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from .._ops.creation import zeros_like
from .._ops.elementwise import abs as abs_
from .._ops.elementwise import maximum, sqrt
from ..autograd import no_grad
from .adam import Adam
from .optimizer import Optimizer, implementation_flags, params_with_grad

__all__ = ["Adamax", "NAdam", "RAdam"]


def _betas(betas: Any) -> Any:
    return tuple(betas) if isinstance(betas, (tuple, list)) else betas


class _AdamLike(Optimizer):
    """Adam's checks of ``lr``, ``betas``, ``eps`` and ``weight_decay`` (PyTorch's messages),
    and the gradient as each of these optimizers makes it before its rule."""

    _real_only = True

    def _check_group(self, group: dict[str, Any]) -> None:
        Adam._check_group(self, group)  # type: ignore[arg-type]

    @staticmethod
    def _gradient(p: Any, g: Any, group: dict[str, Any], decoupled: bool) -> Any:
        """``-g`` when maximizing, then weight decay: ``p *= 1 - lr * weight_decay`` when
        ``decoupled``, else ``g + weight_decay * p``."""
        if group["maximize"]:
            g = -g
        weight_decay = float(group["weight_decay"])
        if weight_decay != 0:
            if decoupled:
                p *= 1 - float(group["lr"]) * weight_decay
            else:
                g = g + weight_decay * p
        return g


class Adamax(_AdamLike):
    """Adamax (Kingma & Ba, section 7), Adam with the infinity norm, PyTorch's update rule.

    For each parameter ``p`` with gradient ``g`` at step ``t``::

        g = -g if maximize
        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1**t) * m / u

    Parameters
    ----------
    params : iterable of Tensor or dict
    lr : float, default 2e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    maximize : bool, default False

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0, -2.0], requires_grad=True)
    >>> opt = optim.Adamax([w], lr=0.1)
    >>> pt.sum(w * w).backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()], sorted(opt.state[w])
    ([0.9, -1.9], ['exp_avg', 'exp_inf', 'step'])
    """

    def __init__(
        self,
        params: Any,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        defaults = {
            "lr": lr,
            "betas": _betas(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss if
        given.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([3.0], requires_grad=True)
        >>> opt = optim.Adamax([w])
        >>> for _ in range(3):
        ...     opt.zero_grad(); pt.sum(w * w).backward(); opt.step()
        >>> opt.state[w]["step"]
        3
        """
        loss = self._closure(closure)
        with no_grad():
            for group in self.param_groups:
                # (Python floats: a NumPy float64 would otherwise make float32 parameters
                # update in float64; PyTorch takes it as a number)
                lr, (beta1, beta2) = float(group["lr"]), map(float, group["betas"])
                eps = float(group["eps"])
                for p, g in params_with_grad(group):
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["exp_avg"] = zeros_like(p)
                        state["exp_inf"] = zeros_like(p)
                    state["step"] += 1
                    g = self._gradient(p, g, group, decoupled=False)
                    m = state["exp_avg"]
                    m = m + (1 - beta1) * (g - m)  # PyTorch's lerp
                    u = maximum(state["exp_inf"] * beta2, abs_(g) + eps)
                    state["exp_avg"], state["exp_inf"] = m, u
                    p -= (lr / (1 - beta1 ** state["step"])) * (m / u)
        return loss


class NAdam(_AdamLike):
    """NAdam (Dozat): Adam with Nesterov momentum, PyTorch's update rule, with the momentum
    schedule ``mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))``.

    For each parameter ``p`` with gradient ``g`` at step ``t``::

        g = -g if maximize
        g = g + weight_decay * p          (p = p * (1 - lr * weight_decay) if decoupled)
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        mu_product = mu_1 * ... * mu_t
        denom = sqrt(v / (1 - beta2**t)) + eps
        p = p - lr * (1 - mu_t) / (1 - mu_product) * g / denom
              - lr * mu_(t+1) / (1 - mu_product * mu_(t+1)) * m / denom

    Parameters
    ----------
    params : iterable of Tensor or dict
    lr : float, default 2e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    momentum_decay : float, default 4e-3
    decoupled_weight_decay : bool, default False
        AdamW's decay of the parameter rather than L2 added to the gradient (NAdamW).
    maximize : bool, default False

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0, -2.0], requires_grad=True)
    >>> opt = optim.NAdam([w], lr=0.1)
    >>> pt.sum(w * w).backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()], sorted(opt.state[w])
    ([0.8944, -1.8944], ['exp_avg', 'exp_avg_sq', 'mu_product', 'step'])
    """

    _scalar_state: ClassVar[dict[str, Callable[[float], Any]]] = {"step": int, "mu_product": float}

    def __init__(
        self,
        params: Any,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        defaults = {
            "lr": lr,
            "betas": _betas(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        if not group["momentum_decay"] >= 0.0:
            raise ValueError(f"Invalid momentum_decay value: {group['momentum_decay']}")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss if
        given.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([3.0], requires_grad=True)
        >>> opt = optim.NAdam([w], weight_decay=0.1, decoupled_weight_decay=True)
        >>> for _ in range(2):
        ...     opt.zero_grad(); pt.sum(w * w).backward(); opt.step()
        >>> round(opt.state[w]["mu_product"], 6)
        0.202599
        """
        loss = self._closure(closure)
        with no_grad():
            for group in self.param_groups:
                lr, (beta1, beta2) = float(group["lr"]), map(float, group["betas"])
                eps, momentum_decay = float(group["eps"]), float(group["momentum_decay"])
                for p, g in params_with_grad(group):
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["mu_product"] = 1.0
                        state["exp_avg"] = zeros_like(p)
                        state["exp_avg_sq"] = zeros_like(p)
                    state["step"] += 1
                    step = state["step"]
                    bias_correction2 = 1 - beta2**step
                    g = self._gradient(p, g, group, group["decoupled_weight_decay"])
                    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                    mu_product = state["mu_product"] * mu
                    state["mu_product"] = mu_product
                    m = state["exp_avg"]
                    m = m + (1 - beta1) * (g - m)  # PyTorch's lerp
                    v = state["exp_avg_sq"] * beta2 + (1 - beta2) * (g * g)
                    state["exp_avg"], state["exp_avg_sq"] = m, v
                    denom = sqrt(v / bias_correction2) + eps
                    p += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
                    p += ((-lr * mu_next) / (1.0 - mu_product * mu_next)) * (m / denom)
        return loss


class RAdam(_AdamLike):
    """RAdam (Liu et al.): Adam whose adaptive step is rectified by the variance of its
    estimate, and plain momentum SGD while that variance is intractable (the first steps),
    PyTorch's update rule.

    For each parameter ``p`` with gradient ``g`` at step ``t``::

        g = -g if maximize
        g = g + weight_decay * p          (p = p * (1 - lr * weight_decay) if decoupled)
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
        p = p - lr * m / (1 - beta1**t) * sqrt(1 - beta2**t) / (sqrt(v) + eps) * r_t
                                                                          (rho_t > 5)
        p = p - lr * m / (1 - beta1**t)                                    (otherwise)

    with ``r_t = sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))``.

    Parameters
    ----------
    params : iterable of Tensor or dict
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0
    decoupled_weight_decay : bool, default False
    maximize : bool, default False

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import optim
    >>> w = pt.asarray([1.0, -2.0], requires_grad=True)
    >>> opt = optim.RAdam([w], lr=0.1)
    >>> pt.sum(w * w).backward()
    >>> opt.step()
    >>> [round(v, 4) for v in w.tolist()]
    [0.8, -1.6]
    """

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        implementation_flags(type(self).__name__, differentiable)
        defaults = {
            "lr": lr,
            "betas": _betas(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        self._check_group(defaults)
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient once; returns ``closure()``'s loss if
        given.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.asarray([3.0], requires_grad=True)
        >>> opt = optim.RAdam([w])
        >>> for _ in range(7):
        ...     opt.zero_grad(); pt.sum(w * w).backward(); opt.step()
        >>> opt.state[w]["step"]
        7
        """
        loss = self._closure(closure)
        with no_grad():
            for group in self.param_groups:
                lr, (beta1, beta2) = float(group["lr"]), map(float, group["betas"])
                eps = float(group["eps"])
                for p, g in params_with_grad(group):
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["exp_avg"] = zeros_like(p)
                        state["exp_avg_sq"] = zeros_like(p)
                    state["step"] += 1
                    step = state["step"]
                    g = self._gradient(p, g, group, group["decoupled_weight_decay"])
                    m = state["exp_avg"]
                    m = m + (1 - beta1) * (g - m)  # PyTorch's lerp
                    v = state["exp_avg_sq"] * beta2 + (1 - beta2) * (g * g)
                    state["exp_avg"], state["exp_avg_sq"] = m, v
                    bias_correction1 = 1 - beta1**step
                    bias_correction2 = 1 - beta2**step
                    bias_corrected_exp_avg = m / bias_correction1
                    rho_inf = 2 / (1 - beta2) - 1
                    rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                    if rho_t > 5.0:
                        rect = (
                            (rho_t - 4)
                            * (rho_t - 2)
                            * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                        ) ** 0.5
                        adaptive_lr = (bias_correction2**0.5) / (sqrt(v) + eps)
                        p -= bias_corrected_exp_avg * lr * adaptive_lr * rect
                    else:
                        p -= bias_corrected_exp_avg * lr
        return loss
