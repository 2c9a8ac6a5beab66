"""Functional autograd: ``vjp``, ``jvp``, ``jacobian``, ``hessian``, ``hvp``, ``vhp`` of
Python functions.

Each takes tensors, or the caller's own arrays of a registered backend (NumPy, Dask,
array-api-strict...), and returns results of the same kind.

Examples
--------
>>> import polytensor as pt
>>> f = lambda x: pt.sum(x ** 3)
>>> pt.autograd.functional.hessian(f, pt.asarray([1.0, 2.0], dtype=pt.float64))
tensor([[ 6.,  0.],
        [ 0., 12.]], dtype=polytensor.float64, backend='numpy')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _config, _tape
from .._tensor_base import TensorBase
from ._native import Callers, inspect_args, to_caller, tree_map

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _prepare(inputs: Any, create_graph: bool = False) -> tuple[Any, ...]:
    """The inputs as tensors to differentiate: fresh leaves, except that with
    ``create_graph=True`` an input that already requires grad stays in its graph (through an
    identity op), so the results can be differentiated with respect to it, as PyTorch's."""
    from .._ops.manipulation import reshape

    out = []
    for t in _tuple(inputs):
        if not isinstance(t, TensorBase):
            raise TypeError(
                f"functional autograd expects tensors as inputs; got {type(t).__name__}"
            )
        if create_graph and _tape.requires_grad(t):
            out.append(reshape(t, tuple(t.shape)))
            continue
        d = _tape._detached(t)
        _tape.set_requires_grad(d, True)
        out.append(d)
    return tuple(out)


def _check_strict(where: str, outs: tuple[Any, ...], strict: bool) -> None:
    if not strict:
        return
    for i, o in enumerate(outs):
        if not _tape.requires_grad(o):
            raise RuntimeError(
                f"{where}(): output {i} of the user-provided function does not require "
                f"gradients; with strict=True the outputs must be computed in a "
                f"differentiable manner from the inputs (pass strict=False for zeros)"
            )


def _check_strategy(where: str, strategy: str, vectorize: bool) -> None:
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(
            f"{where}(): expected strategy to be either 'forward-mode' or 'reverse-mode'; "
            f"got {strategy!r}"
        )
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError(
            f"{where}(): strategy='forward-mode' needs vectorize=True (as PyTorch's); pass "
            f"vectorize=True or use the default 'reverse-mode'"
        )


def _grads(
    outputs: tuple[Any, ...], inputs: tuple[Any, ...], seeds: tuple[Any, ...], create_graph: bool
) -> tuple[Any, ...]:
    from .._ops.creation import zeros_like
    from . import grad

    live = [(o, s) for o, s in zip(outputs, seeds, strict=True) if _tape.requires_grad(o)]
    if not live:
        return tuple(zeros_like(x) for x in inputs)
    got = grad(
        [o for o, _ in live],
        list(inputs),
        grad_outputs=[s for _, s in live],
        retain_graph=True,
        create_graph=create_graph,
        allow_unused=True,
    )
    return tuple(zeros_like(x) if g is None else g for g, x in zip(got, inputs, strict=True))


def _as_tensors(where: str, *trees: Any) -> tuple[Callers, list[Any]]:
    """The caller's arrays as tensors (of their one backend), and what to convert back with."""
    callers = inspect_args(where, *trees)
    return callers, [tree_map(callers.to_tensor, t) for t in trees]


def _unwrap(x: tuple[Any, ...], like: Any) -> Any:
    return x if isinstance(like, (tuple, list)) else x[0]


def vjp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(*inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    Examples
    --------
    >>> import polytensor as pt
    >>> out, g = pt.autograd.functional.vjp(lambda x: x * x, pt.asarray([1.0, 2.0]),
    ...                                     pt.asarray([1.0, 1.0]))
    >>> g
    tensor([2., 4.], backend='numpy')

    NumPy arrays in, NumPy arrays out:

    >>> import numpy as np
    >>> pt.autograd.functional.vjp(lambda x: x * x, np.array([1.0, 2.0]), np.ones(2))[1]
    array([2., 4.])
    """
    from .._ops.creation import ones_like

    callers, (inputs, v) = _as_tensors("vjp", inputs, v)
    xs = _prepare(inputs, create_graph)
    with _config_grad(True):
        outs = _tuple(func(*xs))
    _check_strict("vjp", outs, strict)
    if v is None:
        if len(outs) != 1 or outs[0].size != 1:
            raise RuntimeError("vjp() needs v= unless func returns a single one-element tensor")
        seeds: tuple[Any, ...] = (ones_like(outs[0]),)
    else:
        seeds = _tuple(v)
    grads = _grads(outs, xs, seeds, create_graph)
    result_outs = tuple(o if create_graph else _tape._detached(o) for o in outs)
    if not create_graph:
        grads = tuple(_tape._detached(g) for g in grads)
    result: tuple[Any, Any] = to_caller(
        (_unwrap(result_outs, func_result_like(outs)), _unwrap(grads, inputs)), callers
    )
    return result


def func_result_like(outs: tuple[Any, ...]) -> Any:
    return outs if len(outs) > 1 else outs[0]


class _config_grad:
    def __init__(self, flag: bool) -> None:
        self.flag = flag

    def __enter__(self) -> None:
        self.token = _config.GRAD_ENABLED.set(self.flag)

    def __exit__(self, *exc: object) -> None:
        _config.GRAD_ENABLED.reset(self.token)


def jvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(*inputs), J v)``: the Jacobian-vector product, by the double-vjp trick.

    Examples
    --------
    >>> import polytensor as pt
    >>> out, t = pt.autograd.functional.jvp(lambda x: x * x, pt.asarray([1.0, 2.0]),
    ...                                     pt.asarray([1.0, 0.0]))
    >>> t
    tensor([2., 0.], backend='numpy')
    """
    from .._ops.creation import ones_like, zeros_like

    callers, (inputs, v) = _as_tensors("jvp", inputs, v)
    xs = _prepare(inputs, create_graph)
    vs = _tuple(v) if v is not None else tuple(ones_like(x) for x in xs)
    with _config_grad(True):
        outs = _tuple(func(*xs))
        _check_strict("jvp", outs, strict)
        us = tuple(_tape.set_requires_grad(zeros_like(o), True) for o in outs)
        g = _grads(outs, xs, us, create_graph=True)
        # <g(u), v> is linear in u; its gradient in u is J v.
        from .._ops.statistical import sum as _sum

        total = None
        for gi, vi in zip(g, vs, strict=True):
            term = _sum(gi * vi) if _tape.requires_grad(gi) else None
            if term is not None:
                total = term if total is None else total + term
        if total is None:
            tangents = tuple(zeros_like(o) for o in outs)
        else:
            tangents = _grads((total,), us, (ones_like(total),), create_graph)
    if not create_graph:
        outs = tuple(_tape._detached(o) for o in outs)
        tangents = tuple(_tape._detached(t) for t in tangents)
    result: tuple[Any, Any] = to_caller(
        (func_result_like(outs), func_result_like(tangents)), callers
    )
    return result


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``: shape ``out.shape + in.shape`` (nested tuples
    for several inputs or outputs).

    ``vectorize`` and ``strategy`` (``"reverse-mode"``, or ``"forward-mode"`` with
    ``vectorize=True``) are accepted as PyTorch's and give the same values: the rows are
    computed one reverse pass each. With ``create_graph=True`` the Jacobian stays
    differentiable, with respect to the inputs too where they require grad; ``strict=True``
    raises for an output that does not depend on the inputs.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.autograd.functional.jacobian(lambda x: 2 * x, pt.asarray([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 2.]], backend='numpy')
    """
    from .._ops.creation import zeros_like
    from .._ops.manipulation import reshape, stack

    _check_strategy("jacobian", strategy, vectorize)
    callers, (inputs,) = _as_tensors("jacobian", inputs)
    xs = _prepare(inputs, create_graph)
    with _config_grad(True):
        outs = _tuple(func(*xs))
    _check_strict("jacobian", outs, strict)
    rows_per_out = []
    for o in outs:
        n = o.size
        rows: list[list[Any]] = [[] for _ in xs]
        flat_seed = zeros_like(reshape(o, (-1,)))
        for i in range(n):
            seed = _tape._detached(flat_seed) * 0
            seed = _one_hot(seed, i)
            g = _grads((o,), xs, (reshape(seed, o.shape),), create_graph)
            for k, gk in enumerate(g):
                rows[k].append(gk if create_graph else _tape._detached(gk))
        jac = []
        for k, x in enumerate(xs):
            if rows[k]:
                jac.append(reshape(stack(rows[k]), tuple(o.shape) + tuple(x.shape)))
            else:
                jac.append(reshape(zeros_like(x), tuple(o.shape) + tuple(x.shape)))
        rows_per_out.append(_unwrap(tuple(jac), inputs))
    return to_caller(_unwrap(tuple(rows_per_out), outs if len(outs) > 1 else outs[0]), callers)


def _one_hot(zeros_flat: Any, i: int) -> Any:
    from .._ops.indexing import put

    return put(zeros_flat, i, 1)


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of scalar ``func`` at ``inputs``: the Jacobian of its gradient.
    ``vectorize`` and ``outer_jacobian_strategy`` are accepted as PyTorch's (same values).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.autograd.functional.hessian(lambda x: pt.sum(x * x), pt.asarray([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 2.]], backend='numpy')
    """

    def gradient(*xs: Any) -> Any:
        out = func(*xs)
        if out.size != 1:
            raise RuntimeError(
                f"hessian() needs a function with a one-element output; got shape {out.shape}"
            )
        from .._ops.creation import ones_like

        g = _grads((out,), xs, (ones_like(out),), create_graph=True)
        return g if isinstance(inputs, (tuple, list)) else g[0]

    _check_strategy("hessian", outer_jacobian_strategy, vectorize)
    return jacobian(gradient, inputs, create_graph=create_graph, strict=strict)


def _second_order(
    where: str,
    func: Callable[..., Any],
    inputs: Any,
    v: Any,
    create_graph: bool,
    strict: bool,
) -> tuple[Any, Any]:
    """``(func(*inputs), v^T H)`` for scalar ``func``: a gradient kept in the graph, then its
    vector-Jacobian product with ``v``."""
    from .._ops.creation import ones_like

    callers, (inputs, v) = _as_tensors(where, inputs, v)
    xs = _prepare(inputs, create_graph)
    with _config_grad(True):
        outs = _tuple(func(*xs))
        if len(outs) != 1 or outs[0].size != 1:
            raise RuntimeError(
                f"{where}(): the function must return a single one-element tensor; got "
                f"{len(outs)} output(s) of shape {tuple(outs[0].shape) if outs else ()}"
            )
        _check_strict(where, outs, strict)
        g = _grads(outs, xs, (ones_like(outs[0]),), create_graph=True)
        if v is None:
            if any(x.size != 1 for x in xs):
                raise RuntimeError(
                    f"{where}(): v= can be left out only when every input has one element"
                )
            seeds = tuple(ones_like(x) for x in xs)
        else:
            seeds = _tuple(v)
        if len(seeds) != len(xs) or any(
            tuple(s.shape) != tuple(x.shape) for s, x in zip(seeds, xs, strict=True)
        ):
            raise RuntimeError(
                f"{where}(): v must have one tensor of each input's shape "
                f"{[tuple(x.shape) for x in xs]}"
            )
        out = _grads(g, xs, seeds, create_graph)
    value = outs[0] if create_graph else _tape._detached(outs[0])
    if not create_graph:
        out = tuple(_tape._detached(t) for t in out)
    result: tuple[Any, Any] = to_caller((value, _unwrap(out, inputs)), callers)
    return result


def vhp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(*inputs), v^T H)``: the vector-Hessian product of scalar ``func`` at ``inputs``.

    Examples
    --------
    >>> import polytensor as pt
    >>> f = lambda x: pt.sum(x ** 3)
    >>> pt.autograd.functional.vhp(f, pt.asarray([1.0, 2.0]), pt.asarray([1.0, 1.0]))
    (tensor(9., backend='numpy'), tensor([ 6., 12.], backend='numpy'))
    """
    return _second_order("vhp", func, inputs, v, create_graph, strict)


def hvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(*inputs), H v)``: the Hessian-vector product of scalar ``func`` at ``inputs``.

    The Hessian of a twice continuously differentiable function is symmetric, so this is
    ``vhp``'s product, computed the same way (one gradient, then one more reverse pass).

    Examples
    --------
    >>> import polytensor as pt
    >>> f = lambda x: x[0] ** 2 * x[1]
    >>> pt.autograd.functional.hvp(f, pt.asarray([1.0, 2.0]), pt.asarray([1.0, 0.0]))[1]
    tensor([4., 2.], backend='numpy')
    """
    return _second_order("hvp", func, inputs, v, create_graph, strict)
