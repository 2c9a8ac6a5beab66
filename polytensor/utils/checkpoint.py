"""PyTorch's ``torch.utils.checkpoint``: run part of a model without keeping what its backward
needs, and run it again during backward to get it back (activation checkpointing).

``checkpoint(fn, *args, use_reentrant=False)`` returns what ``fn(*args)`` returns. The graph
of ``fn`` is freed as soon as its outputs exist: only its inputs are kept, so the memory of a
deep model's activations is traded for one more forward of each checkpointed part. During
backward, ``fn`` runs again, with the random-number state it had (the same dropout masks),
and its gradients flow to its inputs and to every tensor it used that requires grad (a
module's parameters), through ``backward()`` as through ``pt.autograd.grad``.

Examples
--------
>>> import polytensor as pt
>>> from polytensor import nn
>>> from polytensor.utils.checkpoint import checkpoint
>>> layer = nn.Linear(3, 3)
>>> x = pt.ones((2, 3), requires_grad=True)
>>> checkpoint(layer, x, use_reentrant=False).sum().backward()
>>> layer.weight.grad.shape, x.grad.shape
((3, 3), (2, 3))
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .._random import default_generator
from .._tensor import Tensor
from ..autograd import Function, enable_grad, grad, is_grad_enabled, no_grad

__all__ = ["checkpoint", "checkpoint_sequential"]


class _Run:
    """One checkpointed call: the function, its arguments, the random state it started with
    and the tensors it used that need a gradient (its parameters)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]):
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.rng_state: dict[str, Any] | None = None
        self.outputs: Any = None
        self.captured: list[Tensor] = []

    def call(self, args: tuple[Any, ...]) -> Any:
        return self.fn(*args, **self.kwargs)


def _detached(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The arguments, tensors cut from their history (each keeps whether it requires grad)."""
    return tuple(
        a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a for a in args
    )


def _tensors_of(out: Any) -> list[Tensor]:
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [o for o in out if isinstance(o, Tensor)]
    return []


def _leaves(outputs: list[Tensor], inputs: tuple[Any, ...]) -> list[Tensor]:
    """The tensors that require grad which ``outputs`` were computed from, other than
    ``inputs``: the leaves of their graph (a module's parameters)."""
    skip = {id(a) for a in inputs}
    found: list[Tensor] = []
    seen: set[int] = set()
    stack: list[Any] = []
    for o in outputs:
        if o.grad_fn is not None:
            stack.append(o.grad_fn)
        elif o.requires_grad and id(o) not in skip and id(o) not in seen:
            seen.add(id(o))
            found.append(o)  # an output that is a leaf itself
    visited: list[Any] = []  # (kept alive: a leaf's accumulator is made on request, and the
    # id of one let go could come back as another's)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        visited.append(node)
        if type(node).__name__ == "AccumulateGrad":
            leaf = node.variable
            if leaf is not None and id(leaf) not in skip and id(leaf) not in seen:
                seen.add(id(leaf))
                found.append(leaf)
            continue
        stack.extend(nxt for nxt, _ in node.next_functions if nxt is not None)
    return found


class _Checkpoint(Function):
    """The node of one checkpointed call: forward hands back the outputs already computed;
    backward computes them again, with their graph, and differentiates it."""

    _node_name = "CheckpointFunctionBackward"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(ctx: Any, run: _Run, *tensors: Any) -> Any:
        ctx.run = run
        outs = run.outputs
        return tuple(outs) if isinstance(outs, (tuple, list)) else outs

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        run: _Run = ctx.run
        n_args = len(run.args)
        inputs = _detached(run.args)
        state = default_generator.get_state()
        try:
            if run.rng_state is not None:
                default_generator.set_state(run.rng_state)
            with enable_grad():
                outs = _tensors_of(run.call(inputs))
        finally:
            default_generator.set_state(state)
        wanted = [a for a in inputs if isinstance(a, Tensor) and a.requires_grad]
        wanted += run.captured
        pairs = [
            (o, g) for o, g in zip(outs, grads, strict=False) if o.requires_grad and g is not None
        ]
        if not pairs or not wanted:
            found: list[Any] = [None] * len(wanted)
        else:
            found = list(
                grad(
                    [o for o, _ in pairs],
                    wanted,
                    grad_outputs=[g for _, g in pairs],
                    allow_unused=True,
                )
            )
        by_id = {id(t): g for t, g in zip(wanted, found, strict=True)}
        result: list[Any] = [None]  # (the run itself)
        result += [by_id.get(id(a)) if isinstance(a, Tensor) else None for a in inputs]
        result += found[len(wanted) - len(run.captured) :]
        assert len(result) == 1 + n_args + len(run.captured)
        return tuple(result)


def checkpoint(
    function: Callable[..., Any],
    *args: Any,
    use_reentrant: bool | None = None,
    context_fn: Any = None,
    determinism_check: str = "default",
    debug: bool = False,
    preserve_rng_state: bool = True,
    **kwargs: Any,
) -> Any:
    """``function(*args, **kwargs)``, its intermediate results freed and computed again
    during backward, as PyTorch's ``torch.utils.checkpoint.checkpoint``: the same values and
    the same gradients, for its inputs and for the tensors it uses (parameters).

    ``use_reentrant`` should be given, as PyTorch asks (``False``, its recommended variant;
    ``True`` runs the same way here, and both work with ``backward()`` and
    ``pt.autograd.grad``). ``preserve_rng_state`` replays the random numbers of the first
    run (dropout keeps its masks). ``context_fn``, ``determinism_check`` and ``debug`` are
    accepted for PyTorch's signature and change nothing.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.checkpoint import checkpoint
    >>> w = pt.asarray([2.0, 3.0], requires_grad=True)
    >>> x = pt.asarray([1.0, 1.0], requires_grad=True)
    >>> y = checkpoint(lambda v: (pt.sin(v * w) ** 2).sum(), x, use_reentrant=False)
    >>> gx, gw = pt.autograd.grad(y, [x, w])
    >>> [round(v, 4) for v in gw.tolist()]
    [-0.7568, -0.2794]
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly; "
            "use_reentrant=False is recommended",
            UserWarning,
            stacklevel=2,
        )
    if not callable(function):
        raise TypeError(
            f"checkpoint() expects a function (or module) to run; got {type(function).__name__}"
        )
    run = _Run(function, args, kwargs)
    if not is_grad_enabled():  # nothing to differentiate: a plain call
        return run.call(args)
    if preserve_rng_state:
        run.rng_state = default_generator.get_state()
    inputs = _detached(args)
    out = run.call(inputs)
    tensors = _tensors_of(out)
    run.captured = _leaves([t for t in tensors if t.requires_grad], inputs)
    with no_grad():
        run.outputs = (
            type(out)(o.detach() if isinstance(o, Tensor) else o for o in out)
            if isinstance(out, (tuple, list))
            else out.detach()
            if isinstance(out, Tensor)
            else out
        )
    del out, tensors  # (the graph of this first run goes with them)
    if not isinstance(run.outputs, (Tensor, tuple, list)):
        raise TypeError(
            f"checkpoint() expects the function to return a tensor or a tuple of tensors; got "
            f"{type(run.outputs).__name__}"
        )
    arg_tensors = [a for a in args if isinstance(a, Tensor)]
    if not any(a.requires_grad for a in arg_tensors) and not run.captured:
        return run.outputs
    flat = [a if isinstance(a, Tensor) else None for a in args]
    result = _Checkpoint.apply(run, *flat, *run.captured)
    return list(result) if isinstance(run.outputs, list) else result


def checkpoint_sequential(
    functions: Any,
    segments: int,
    input: Tensor,
    use_reentrant: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Run the modules of ``functions`` (an ``nn.Sequential`` or a list) in ``segments``
    checkpointed parts, the last part not checkpointed, as PyTorch's
    ``torch.utils.checkpoint.checkpoint_sequential``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> from polytensor.utils.checkpoint import checkpoint_sequential
    >>> model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    >>> checkpoint_sequential(model, 2, pt.ones((3, 2)), use_reentrant=False).shape
    (3, 1)
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly; use_reentrant=False is recommended",
            UserWarning,
            stacklevel=2,
        )
    mods: Sequence[Any] = list(
        functions.children() if hasattr(functions, "children") else functions
    )
    if isinstance(segments, bool) or not isinstance(segments, int) or segments < 1:
        raise ValueError(f"checkpoint_sequential() expects segments >= 1; got {segments!r}")
    size = len(mods) // segments

    def run_part(start: int, end: int) -> Callable[[Any], Any]:
        def forward(x: Any) -> Any:
            for m in mods[start : end + 1]:
                x = m(x)
            return x

        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run_part(start, end), input, use_reentrant=bool(use_reentrant), **kwargs)
    return run_part(end + 1, len(mods) - 1)(input)
