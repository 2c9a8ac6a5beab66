"""A module's backward hooks (``register_full_backward_hook``,
``register_full_backward_pre_hook``), as PyTorch's: the module's tensor inputs and outputs pass
through two identity nodes of the graph, one before ``forward`` and one after it. Backward
reaches the outputs' node first, which hands the gradients of the outputs to the pre-hooks
(a returned tuple replaces them) and keeps them; then the inputs' node, which calls the hooks
with the gradients of the inputs and of the outputs (a returned tuple replaces the inputs').
Where no input needs a gradient, the hooks are called from the outputs' node, with None for
each input's gradient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._tensor import Tensor
from ..autograd import Function, FunctionCtx

__all__ = ["call_with_backward_hooks"]


def _run(
    where: str, hooks: list[Callable[..., Any]], module: Any, first: Any, *rest: Any
) -> tuple[Any, ...]:
    """Call each hook with ``(module, first, *rest)``; a returned value replaces ``first``
    (a tuple of as many gradients, checked)."""
    for hook in hooks:
        r = hook(module, first, *rest)
        if r is None:
            continue
        r = r if isinstance(r, tuple) else (r,)
        if len(r) != len(first):
            raise RuntimeError(
                f"a module's {where} hook returned {len(r)} gradients for {len(first)}; return "
                f"a tuple with one per {'input' if where == 'backward' else 'output'} (None "
                f"for none), or None to keep them"
            )
        first = r
    return tuple(first)


class _State:
    """What the two nodes of one call of a hooked module share."""

    def __init__(self, module: Any, hooks: list[Any], pre_hooks: list[Any], n_in: int) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.n_in = n_in
        self.inputs_hooked = False
        self.grad_outputs: tuple[Any, ...] | None = None


class _Inputs(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, state: _State, *xs: Any) -> Any:
        ctx.state = state  # type: ignore[attr-defined]
        return xs

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        state: _State = ctx.state  # type: ignore[attr-defined]
        grad_outputs = state.grad_outputs if state.grad_outputs is not None else ()
        return (None, *_run("backward", state.hooks, state.module, grads, grad_outputs))


class _Outputs(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, state: _State, *ys: Any) -> Any:
        ctx.state = state  # type: ignore[attr-defined]
        return ys

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        state: _State = ctx.state  # type: ignore[attr-defined]
        grads = _run("backward pre", state.pre_hooks, state.module, grads)
        state.grad_outputs = grads
        if not state.inputs_hooked:  # (no input needs a gradient: the hooks are called here)
            _run("backward", state.hooks, state.module, (None,) * state.n_in, grads)
        return (None, *grads)


def call_with_backward_hooks(
    module: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    hooks: list[Any],
    pre_hooks: list[Any],
    forward_hooks: list[Any],
) -> Any:
    """``module(*args, **kwargs)`` (after its forward pre-hooks) with its backward hooks set up
    around it and its forward hooks called."""
    places = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    state = _State(module, hooks, pre_hooks, len(places))
    if places and any(args[i].requires_grad for i in places):
        passed = _Inputs.apply(state, *(args[i] for i in places))
        state.inputs_hooked = True
        new = list(args)
        for i, t in zip(places, passed, strict=True):
            new[i] = t
        args = tuple(new)
    out = module.forward(*args, **kwargs)
    for hook in forward_hooks:
        r = hook(module, args, out)
        if r is not None:
            out = r
    if isinstance(out, Tensor):
        return _Outputs.apply(state, out)[0]
    if isinstance(out, tuple) and out and all(isinstance(o, Tensor) for o in out):
        return tuple(_Outputs.apply(state, *out))
    return out
