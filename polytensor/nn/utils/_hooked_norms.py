"""PyTorch's older ``torch.nn.utils.weight_norm`` and ``spectral_norm``: the weight is
recomputed by a forward pre-hook from parameters of the module itself (``weight_g`` and
``weight_v``; ``weight_orig`` with the buffers ``weight_u`` and ``weight_v``), under PyTorch's
state-dict keys. ``nn.utils.parametrizations`` has the newer forms.
"""

from __future__ import annotations

import warnings
from typing import Any, cast

from ..._ops.creation import empty
from ..._ops.linear_algebra import matmul, matrix_transpose
from ..._tensor import Tensor
from ...autograd import no_grad
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from .parametrizations import _default_dim, _dim_of, matrix_of, norm_except_dim, weight_from

__all__ = ["remove_spectral_norm", "remove_weight_norm", "spectral_norm", "weight_norm"]


def _parameter(module: Module, name: str, where: str) -> Parameter:
    p = module._parameters.get(name)
    if p is None:
        raise ValueError(f"{where}(): module {type(module).__name__} has no parameter {name!r}")
    return p


class _WeightNormHook:
    """Recomputes ``module.<name>`` from ``<name>_g`` and ``<name>_v`` before each forward."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = dim

    def compute(self, module: Module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return weight_from(g, v, self.dim)

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute(module))


def _hooks_of(module: Module, kind: type, name: str) -> list[tuple[int, Any]]:
    return [
        (k, h)
        for k, h in module._forward_pre_hooks.items()
        if isinstance(h, kind) and getattr(h, "name", None) == name
    ]


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as ``g * v / ||v||`` by the parameters ``<name>_g``
    (the norm over every dimension but ``dim``; all of them for ``dim=None``) and
    ``<name>_v``, recomputed before each forward, as PyTorch's (deprecated)
    ``torch.nn.utils.weight_norm``, with its ``FutureWarning``. Returns ``module``.

    Examples
    --------
    >>> import warnings
    >>> from polytensor import nn
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     lin = nn.utils.weight_norm(nn.Linear(3, 2))
    >>> list(lin.state_dict()), lin.weight_g.shape
    (['bias', 'weight_g', 'weight_v'], (2, 1))
    """
    warnings.warn(
        "`torch.nn.utils.weight_norm` is deprecated in favor of "
        "`torch.nn.utils.parametrizations.weight_norm`.",
        FutureWarning,
        stacklevel=2,
    )
    if _hooks_of(module, _WeightNormHook, name):
        raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
    weight = _parameter(module, name, "weight_norm")
    hook = _WeightNormHook(name, _dim_of(dim, weight.ndim))
    del module._parameters[name]
    with no_grad():
        g = norm_except_dim(weight, hook.dim)
    module.register_parameter(name + "_g", Parameter(g.detach()))
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, hook.compute(module))
    module.register_forward_pre_hook(hook)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo ``weight_norm``: ``module.<name>`` becomes a parameter again, holding the current
    ``g * v / ||v||``. Returns ``module``.

    Examples
    --------
    >>> import warnings
    >>> from polytensor import nn
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     lin = nn.utils.weight_norm(nn.Linear(3, 2))
    >>> list(nn.utils.remove_weight_norm(lin).state_dict())
    ['bias', 'weight']
    """
    found = _hooks_of(module, _WeightNormHook, name)
    if not found:
        raise ValueError(f"weight_norm of '{name}' not found in {type(module).__name__}")
    key, hook = found[0]
    with no_grad():
        weight = hook.compute(module)
    module.__dict__.pop(name, None)
    del module._parameters[name + "_g"]
    del module._parameters[name + "_v"]
    module.register_parameter(name, Parameter(weight.detach()))
    del module._forward_pre_hooks[key]
    return module


class _SpectralNormHook:
    """Recomputes ``module.<name>`` as ``<name>_orig / sigma`` before each forward; in
    training, first ``n_power_iterations`` steps of power iteration on ``<name>_u`` and
    ``<name>_v`` (in place)."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float) -> None:
        self.name = name
        self.n_power_iterations = n_power_iterations
        self.dim = dim
        self.eps = eps

    def compute(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        mat = matrix_of(weight, self.dim)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(F.normalize(matmul(matrix_transpose(mat), u), dim=0, eps=self.eps))
                    u.copy_(F.normalize(matmul(mat, v), dim=0, eps=self.eps))
                if self.n_power_iterations > 0:
                    u, v = u.clone(), v.clone()
        sigma = (u * matmul(mat, v)).sum()
        return cast("Tensor", weight / sigma)

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute(module, module.training))


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Divide ``module.<name>`` by its largest singular value, estimated by power iteration,
    as PyTorch's ``torch.nn.utils.spectral_norm``: the parameter becomes ``<name>_orig``, the
    vectors the buffers ``<name>_u`` and ``<name>_v``; before each forward in training mode
    ``n_power_iterations`` steps update them, in evaluation mode none. ``dim`` defaults to
    1 for transposed convolutions, else 0. Returns ``module``.

    Examples
    --------
    >>> from polytensor import nn
    >>> list(nn.utils.spectral_norm(nn.Linear(3, 2)).state_dict())
    ['bias', 'weight_orig', 'weight_u', 'weight_v']
    """
    if _hooks_of(module, _SpectralNormHook, name):
        raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
    if n_power_iterations < 0:
        raise ValueError(
            f"Expected n_power_iterations to be positive, but got "
            f"n_power_iterations={n_power_iterations}"
        )
    weight = _parameter(module, name, "spectral_norm")
    hook = _SpectralNormHook(
        name, n_power_iterations, _default_dim(module) if dim is None else dim, eps
    )
    with no_grad():
        mat = matrix_of(weight, hook.dim)
        h, w = mat.shape
        u = init.normal_(empty((h,), dtype=weight.dtype, device=weight.device))
        v = init.normal_(empty((w,), dtype=weight.dtype, device=weight.device))
        u = F.normalize(u, dim=0, eps=eps)
        v = F.normalize(v, dim=0, eps=eps)
    del module._parameters[name]
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(hook)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo ``spectral_norm``: ``module.<name>`` becomes a parameter again, holding the
    weight divided by the current estimate (no new power iteration). Returns ``module``.

    Examples
    --------
    >>> from polytensor import nn
    >>> lin = nn.utils.remove_spectral_norm(nn.utils.spectral_norm(nn.Linear(3, 2)))
    >>> list(lin.state_dict())
    ['bias', 'weight']
    """
    found = _hooks_of(module, _SpectralNormHook, name)
    if not found:
        raise ValueError(f"spectral_norm of '{name}' not found in {type(module).__name__}")
    key, hook = found[0]
    with no_grad():
        weight = hook.compute(module, do_power_iteration=False)
    module.__dict__.pop(name, None)
    del module._parameters[name + "_orig"]
    del module._buffers[name + "_u"]
    del module._buffers[name + "_v"]
    module.register_parameter(name, Parameter(weight.detach()))
    del module._forward_pre_hooks[key]
    return module
