"""Reverse-mode automatic differentiation over every backend.

Examples
--------
>>> import polytensor as pt
>>> x = pt.asarray([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([2., 4.], backend='numpy')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import _tape
from .._tape import requires_grad as _requires_grad
from .._tensor_base import TensorBase
from . import functional
from ._anomaly import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from ._engine import backward as _backward
from ._function import Function, FunctionCtx
from ._gradcheck import GradcheckError, gradcheck, gradgradcheck
from ._grads import accumulate_grad, run_post_hooks
from ._graphviz import render_graph, to_dot
from ._mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from ._transforms import grad as _grad_transform
from ._transforms import value_and_grad
from ._variable import Variable

__all__ = [
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "Variable",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "render_graph",
    "set_detect_anomaly",
    "set_grad_enabled",
    "to_dot",
    "value_and_grad",
]


def _seed(outputs: Sequence[Any], grad_outputs: Sequence[Any] | None, where: str) -> list[Any]:
    seeds = []
    if grad_outputs is not None and len(grad_outputs) != len(outputs):
        raise ValueError(
            f"{where}: got {len(grad_outputs)} gradients for {len(outputs)} outputs; pass one "
            f"per output (None for a one-element output)"
        )
    for i, out in enumerate(outputs):
        if not isinstance(out, TensorBase):
            raise TypeError(f"{where}: expects tensors to differentiate; got {type(out).__name__}")
        m = out._meta
        if m is None or (m.node is None and not m.requires_grad):
            raise RuntimeError(
                f"{where}: element {i} of tensors does not require grad and does not have a "
                f"grad_fn; create inputs with requires_grad=True"
            )
        g = None if grad_outputs is None else grad_outputs[i]
        if g is not None and not isinstance(g, TensorBase):
            raise TypeError(
                f"{where}: gradient must be a tensor of the output's shape {tuple(out.shape)} "
                f"(or None); got {type(g).__name__}; make one with pt.asarray(...)"
            )
        if g is not None and g._backend.name != out._backend.name:
            raise ValueError(
                f"{where}: gradient is on the {g._backend.name} backend but the output on "
                f'{out._backend.name}; move it with g.to("{out._backend.name}")'
            )
        if g is None:
            if out.size != 1:
                raise RuntimeError(
                    f"{where}: grad can be implicitly created only for outputs "
                    f"with one element; got shape {out.shape}; pass "
                    f"gradient= (a tensor of that shape)"
                )
            g = _tape._detached(out)  # a tensor of out's backend, dtype and shape: ones
            g._data = out._backend.resolve("ones_like")(out._data)
        elif tuple(g.shape) != tuple(out.shape):
            raise RuntimeError(
                f"{where}: gradient has shape {g.shape} but the output has shape {out.shape}"
            )
        seeds.append(g)
    return seeds


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves they depend on;
    with ``inputs=`` (a tensor or a sequence of them, leaves or not), into theirs alone, as
    PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray(3.0, requires_grad=True)
    >>> pt.autograd.backward(x * x)
    >>> x.grad
    tensor(6., backend='numpy')
    >>> w = pt.asarray(2.0, requires_grad=True)
    >>> pt.autograd.backward(x * w, inputs=[w])
    >>> x.grad, w.grad
    (tensor(6., backend='numpy'), tensor(3., backend='numpy'))
    """
    outs = [tensors] if not isinstance(tensors, (list, tuple)) else list(tensors)
    gts = grad_tensors
    if gts is not None and not isinstance(gts, (list, tuple)):
        gts = [gts]
    seeds = _seed(outs, gts, "backward()")
    retain = bool(create_graph if retain_graph is None else retain_graph)
    if inputs is None:
        _backward(outs, seeds, retain_graph=retain, create_graph=create_graph)
        return
    ins = [inputs] if isinstance(inputs, TensorBase) else list(inputs)
    if not ins:
        raise RuntimeError(
            "backward(): inputs= is empty; give the tensors whose .grad to accumulate, or "
            "leave it out for every leaf"
        )
    added = set()
    for m, g in _grads_of("backward", outs, seeds, ins, retain, create_graph):
        if g is not None and id(m) not in added:  # (each state once, however often given)
            added.add(id(m))
            accumulate_grad(m, g, create_graph, False)
            if m.post_hooks:
                run_post_hooks(m.post_hooks)


def _grads_of(
    where: str, outs: list[Any], seeds: list[Any], ins: list[Any], retain: bool, create: bool
) -> list[tuple[Any, Any]]:
    """Per tensor of ``ins``, its autograd state and its gradient from ``outs`` (None where
    none reaches it): what ``grad()`` returns and ``backward(inputs=)`` accumulates."""
    for t in ins:
        if not isinstance(t, TensorBase) or not _requires_grad(t):
            raise RuntimeError(
                f"{where}(): one of the inputs ({type(t).__name__}) does not require grad: it "
                f"is not a tensor that requires grad; create it with requires_grad=True, or "
                f"compute it from one"
            )
    # (the inputs' states now: a view whose node backward releases is recorded again when
    # next read, with a state of its own)
    states = [t._meta for t in ins]
    got = _backward(outs, seeds, retain_graph=retain, create_graph=create, inputs=ins)
    return [(m, got.get(id(m))) for m in states]


def grad(
    outputs: Any,
    inputs: Any = None,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    *,
    materialize_grads: bool = False,
    is_grads_batched: bool = False,
    argnums: int | tuple[int, ...] = 0,
    has_aux: bool = False,
) -> Any:
    """Gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated). An input
    the outputs do not depend on raises, gets None with ``allow_unused=True``, or zeros with
    ``materialize_grads=True``, as PyTorch's. With ``is_grads_batched=True`` the first
    dimension of each of ``grad_outputs`` is a batch: the result stacks one vector-Jacobian
    product per entry along a new first dimension.

    Given a function instead (``grad(f, argnums=, has_aux=)``), the transform
    ``polytensor.func.grad``: a function returning the gradient of ``f`` in the caller's
    own array type.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray(2.0, requires_grad=True)
    >>> pt.autograd.grad(x ** 3, x)
    (tensor(12., backend='numpy'),)
    >>> v = pt.asarray([1.0, 2.0], requires_grad=True)
    >>> pt.autograd.grad(v * v, v, grad_outputs=pt.eye(2), is_grads_batched=True)
    (tensor([[2., 0.],
            [0., 4.]], backend='numpy'),)
    >>> import numpy as np
    >>> pt.autograd.grad(lambda x: pt.sum(x ** 3))(np.array([1.0, 2.0]))
    array([ 3., 12.])
    """
    if callable(outputs) and not isinstance(outputs, (list, tuple)) and inputs is None:
        return _grad_transform(outputs, argnums=argnums, has_aux=has_aux)
    if inputs is None:
        raise TypeError(
            "grad() expects inputs= (the tensors to differentiate with respect to), or a "
            "function as its first argument for the transform grad(f)"
        )
    outs = [outputs] if not isinstance(outputs, (list, tuple)) else list(outputs)
    ins = [inputs] if not isinstance(inputs, (list, tuple)) else list(inputs)
    gos = grad_outputs
    if gos is not None and not isinstance(gos, (list, tuple)):
        gos = [gos]
    if is_grads_batched:
        return _batched_grad(
            outs, ins, gos, retain_graph, create_graph, allow_unused, materialize_grads
        )
    if materialize_grads:
        if allow_unused is False:
            raise ValueError(
                "grad(): Expected allow_unused to be True or not passed when "
                "materialize_grads=True, but got: allow_unused=False"
            )
        allow_unused = True
    seeds = _seed(outs, gos, "grad()")
    retain = bool(create_graph if retain_graph is None else retain_graph)
    result = []
    got = _grads_of("grad", outs, seeds, ins, retain, create_graph)
    for x, (_, g) in zip(ins, got, strict=True):
        if g is None and materialize_grads:
            from .._ops.creation import zeros_like

            g = zeros_like(x.detach())
        elif g is None and not allow_unused:
            raise RuntimeError(
                "grad(): one of the inputs was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
        result.append(g)
    return tuple(result)


def _batched_grad(
    outs: list[Any],
    ins: list[Any],
    gos: Sequence[Any] | None,
    retain_graph: bool | None,
    create_graph: bool,
    allow_unused: bool | None,
    materialize_grads: bool,
) -> tuple[Any, ...]:
    """``grad(..., is_grads_batched=True)``: one ``grad`` per entry of the cotangents' first
    dimension, stacked (PyTorch vectorizes this; the values are the same)."""
    from .._ops.manipulation import stack

    if gos is None or any(not isinstance(g, TensorBase) or g.ndim == 0 for g in gos):
        raise RuntimeError(
            "grad(): is_grads_batched=True expects grad_outputs= tensors whose first dimension "
            "is the batch; pass one cotangent per output with a leading batch dimension"
        )
    n = int(gos[0].shape[0])
    if any(int(g.shape[0]) != n for g in gos):
        raise RuntimeError(
            f"grad(): is_grads_batched=True expects grad_outputs with the same batch size; got "
            f"{[int(g.shape[0]) for g in gos]}"
        )
    per: list[tuple[Any, ...]] = []
    for i in range(n):
        keep = True if i < n - 1 else retain_graph
        per.append(
            grad(
                outs,
                ins,
                grad_outputs=[g[i] for g in gos],
                retain_graph=keep,
                create_graph=create_graph,
                allow_unused=allow_unused,
                materialize_grads=materialize_grads,
            )
        )
    result: list[Any] = []
    for k, x in enumerate(ins):
        col = [p[k] for p in per]
        if all(c is None for c in col):
            result.append(None)
            continue
        from .._ops.creation import zeros_like

        col = [zeros_like(x.detach()) if c is None else c for c in col]
        result.append(stack(col))
    return tuple(result)
