"""Function transforms for library authors, in the manner of ``torch.func`` and JAX: ``grad``,
``value_and_grad``, ``vjp``, ``jvp``, ``jacobian`` (``jacrev``) and ``hessian``.

They take the caller's own arrays (NumPy, Dask, array-api-strict, or any other library
registered as a backend, JAX and torch among them), run ``func`` on polytensor tensors of the
matching backend, and hand back arrays of the caller's type; given tensors, they hand back
tensors. ``argnums`` (an int or a tuple of ints) says which positional arguments are
differentiated; each may be an array or a nest of tuples, lists and dicts of arrays.

Transforms nest (``grad(grad(f))``, ``hessian = jacobian(jacobian(f))``): where an argument
already requires grad (an outer transform differentiates it), the results stay in the graph.
A value ``func`` closes over is a constant to every transform; pass it as an argument to
differentiate through it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from .. import _tape
from .._tensor_base import TensorBase
from ._mode import enable_grad
from ._native import Callers, inspect_args, to_caller, tree_leaves, tree_map

__all__ = ["grad", "hessian", "jacobian", "jacrev", "jvp", "value_and_grad", "vjp"]


# -- checks -----------------------------------------------------------------------------------
def _check_func(func: Any, where: str) -> None:
    if not callable(func):
        raise TypeError(
            f"{where}() expects a function as its first argument; got {type(func).__name__}; "
            f"for gradients of tensors already computed use pt.autograd.grad(outputs, inputs)"
        )


def _argnums(argnums: Any, nargs: int, where: str) -> tuple[int, ...]:
    items = argnums if isinstance(argnums, tuple) else (argnums,)
    if not items or not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        raise TypeError(
            f"{where}() expects argnums to be an int or a non-empty tuple of ints; got {argnums!r}"
        )
    out = []
    for i in items:
        if not -nargs <= i < nargs:
            raise ValueError(
                f"{where}() got argnums={argnums!r} but the function was called with {nargs} "
                f"positional argument(s); pass argnums within range({nargs})"
            )
        out.append(i % nargs)
    if len(set(out)) != len(out):
        raise ValueError(f"{where}() got argnums={argnums!r} with a repeated argument")
    return tuple(out)


def _check_tensor_out(out: Any, where: str, what: str = "an output") -> None:
    if not isinstance(out, TensorBase):
        raise TypeError(
            f"{where}() expects the function to return {what} tensor; got "
            f"{type(out).__name__}; compute the result with polytensor operations on the "
            f"arguments (the array-API namespace of a tensor is polytensor itself)"
        )


def _split_aux(out: Any, has_aux: bool, where: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError(
            f"{where}(..., has_aux=True) expects the function to return a pair "
            f"(output, aux); got {type(out).__name__}"
        )
    return out[0], out[1]


# -- the call: arguments as tensors, differentiated ones as leaves ------------------------------
class _Call:
    """One call of a transformed function: the caller's arguments as tensors, with the
    differentiated ones (``argnums``) as leaves that require grad."""

    def __init__(self, where: str, args: tuple[Any, ...], argnums: tuple[int, ...]) -> None:
        self.callers: Callers = inspect_args(where, args)
        tensors = [tree_map(self.callers.to_tensor, a) for a in args]
        # An argument that requires grad already: an outer transform differentiates through
        # this one, so its results must stay in the graph (create_graph).
        self.nested = any(
            isinstance(v, TensorBase) and _tape.requires_grad(v) for v in tree_leaves(tensors)
        )
        self.argnums = argnums
        self.diff = [
            tree_map(functools.partial(_leaf, where=where, i=i), tensors[i]) for i in argnums
        ]
        for i, d in zip(argnums, self.diff, strict=True):
            tensors[i] = d
        self.args = tuple(tensors)
        self.leaves = [v for d in self.diff for v in tree_leaves(d)]

    def grads(self, outputs: Sequence[Any], seeds: Sequence[Any]) -> list[Any]:
        """Gradients of ``outputs`` (seeded by ``seeds``) for every leaf; zeros where unused."""
        from .._ops.creation import zeros_like
        from . import grad as autograd_grad

        live = [(o, s) for o, s in zip(outputs, seeds, strict=True) if _tape.requires_grad(o)]
        if not live:
            return [zeros_like(x) for x in self.leaves]
        got = autograd_grad(
            [o for o, _ in live],
            self.leaves,
            grad_outputs=[s for _, s in live],
            retain_graph=True,
            create_graph=self.nested,
            allow_unused=True,
        )
        return [zeros_like(x) if g is None else g for g, x in zip(got, self.leaves, strict=True)]

    def like_args(self, flat: list[Any]) -> Any:
        """Per-leaf values in the shape of the differentiated arguments: one tree for an int
        ``argnums``, a tuple of trees for a tuple."""
        it = iter(flat)
        return tuple(tree_map(lambda _: next(it), d) for d in self.diff)

    def result(self, tree: Any) -> Any:
        """``tree`` for the caller: detached (unless nested), then in the caller's array type."""
        if not self.nested:
            tree = tree_map(lambda v: _tape._detached(v) if isinstance(v, TensorBase) else v, tree)
        return to_caller(tree, self.callers)


def _leaf(v: Any, where: str, i: int) -> Any:
    if not isinstance(v, TensorBase):
        raise TypeError(
            f"{where}() differentiates argument {i}, which holds a {type(v).__name__}; "
            f"pass arrays (or tensors) there, or leave the argument out of argnums"
        )
    if _tape.requires_grad(v):
        return v
    d = _tape._detached(v)
    try:
        _tape.set_requires_grad(d, True)
    except RuntimeError:
        raise TypeError(
            f"{where}() differentiates argument {i}, of dtype {v.dtype.name}; only "
            f"floating-point arrays can be differentiated; cast it first "
            f"(x.astype(pt.float64), or the array library's astype)"
        ) from None
    return d


def _pick(trees: tuple[Any, ...], argnums: Any) -> Any:
    return trees if isinstance(argnums, tuple) else trees[0]


def _ones_like(t: Any) -> Any:
    from .._ops.creation import ones_like

    return ones_like(t)


# -- grad, value_and_grad ----------------------------------------------------------------------
def value_and_grad(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning ``(func(*args), gradient)``: the gradient of scalar ``func`` with
    respect to the arguments ``argnums``, in the caller's array type (JAX's
    ``value_and_grad``).

    Parameters
    ----------
    func : callable
        Returns a one-element tensor (and, with ``has_aux``, a pair ``(value, aux)``).
    argnums : int or tuple of int
        The positional arguments to differentiate: an int gives one gradient, a tuple a tuple.
    has_aux : bool
        ``func`` returns ``(value, aux)``; the result is then ``((value, aux), gradient)``.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> f = lambda x, y: pt.sum(x * x * y)
    >>> value, (gx, gy) = pt.func.value_and_grad(f, argnums=(0, 1))(np.array([1.0, 2.0]),
    ...                                                             np.array([3.0, 4.0]))
    >>> value, gx, gy
    (array(19.), array([ 6., 16.]), array([1., 4.]))
    """
    _check_func(func, "value_and_grad")

    @functools.wraps(func)
    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        call = _Call("value_and_grad", args, _argnums(argnums, len(args), "value_and_grad"))
        with enable_grad():
            out, aux = _split_aux(func(*call.args, **kwargs), has_aux, "value_and_grad")
            _check_tensor_out(out, "value_and_grad", "a one-element")
            if out.size != 1:
                raise RuntimeError(
                    f"value_and_grad() expects the function to return a one-element tensor; "
                    f"got shape {tuple(out.shape)}; reduce it (e.g. with pt.sum) or use "
                    f"pt.func.vjp or pt.func.jacobian"
                )
            flat = call.grads([out], [_ones_like(out)])
        g = call.result(_pick(call.like_args(flat), argnums))
        value = call.result(out)
        if has_aux:
            return (value, to_caller(aux, call.callers)), g
        return value, g

    return value_and_grad_f


def grad(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning the gradient of scalar ``func`` with respect to the arguments
    ``argnums``, in the caller's array type (``torch.func.grad``, ``jax.grad``).

    With ``has_aux=True``, ``func`` returns ``(value, aux)`` and the result is
    ``(gradient, aux)``.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> pt.func.grad(lambda x: pt.sum(x ** 3))(np.array([1.0, 2.0]))
    array([ 3., 12.])

    Transforms nest:

    >>> d2 = pt.func.grad(pt.func.grad(lambda x: x ** 3))
    >>> d2(np.array(2.0))
    array(12.)
    """
    _check_func(func, "grad")
    inner = value_and_grad(func, argnums=argnums, has_aux=has_aux)

    @functools.wraps(func)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        value, g = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_f


# -- vjp, jvp ----------------------------------------------------------------------------------
def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` returns the vector-Jacobian
    products, one per primal (``torch.func.vjp``); ``vjp_fn`` may be called many times.

    With ``has_aux=True``, ``func`` returns ``(output, aux)`` and the result is
    ``(output, vjp_fn, aux)``.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> out, vjp_fn = pt.func.vjp(lambda x: x * x, np.array([1.0, 2.0]))
    >>> vjp_fn(np.array([1.0, 10.0]))
    (array([ 2., 40.]),)
    """
    _check_func(func, "vjp")
    if not primals:
        raise TypeError("vjp() expects at least one primal after the function; got none")
    call = _Call("vjp", primals, tuple(range(len(primals))))
    with enable_grad():
        out, aux = _split_aux(func(*call.args), has_aux, "vjp")
    outs = tree_leaves(out)
    for o in outs:
        _check_tensor_out(o, "vjp", "a")

    def vjp_fn(cotangents: Any) -> tuple[Any, ...]:
        seeds_call = inspect_args("vjp_fn", cotangents)
        if (
            seeds_call.backend is not None
            and call.callers.backend is not None
            and seeds_call.backend.name != call.callers.backend.name
        ):
            raise ValueError(
                f"vjp_fn() got cotangents of the {seeds_call.backend.name} backend for primals "
                f"of the {call.callers.backend.name} backend; pass cotangents of the primals' "
                f"array type"
            )
        seeds = tree_leaves(tree_map(call.callers.to_tensor, cotangents))
        if len(seeds) != len(outs):
            raise ValueError(
                f"vjp_fn() expects one cotangent per output ({len(outs)}); got {len(seeds)}"
            )
        for s, o in zip(seeds, outs, strict=True):
            if not isinstance(s, TensorBase) or tuple(s.shape) != tuple(o.shape):
                raise ValueError(
                    f"vjp_fn() expects cotangents shaped like the outputs ({tuple(o.shape)}); "
                    f"got {getattr(s, 'shape', type(s).__name__)}"
                )
        with enable_grad():
            flat = call.grads(outs, seeds)
        return tuple(call.result(t) for t in call.like_args(flat))

    value = call.result(out)
    if has_aux:
        return value, vjp_fn, to_caller(aux, call.callers)
    return value, vjp_fn


def jvp(
    func: Callable[..., Any], primals: Any, tangents: Any, *, has_aux: bool = False
) -> tuple[Any, ...]:
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product (``torch.func.jvp``),
    computed by two reverse passes.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> pt.func.jvp(lambda x: x * x, (np.array([1.0, 2.0]),), (np.array([1.0, 0.0]),))
    (array([1., 4.]), array([2., 0.]))
    """
    from .._ops.creation import zeros_like
    from .._ops.statistical import sum as _sum

    _check_func(func, "jvp")
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(
            "jvp() expects primals and tangents as tuples (one entry per argument of the "
            f"function); got {type(primals).__name__} and {type(tangents).__name__}"
        )
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp() expects one tangent per primal; got {len(primals)} primals and "
            f"{len(tangents)} tangents"
        )
    call = _Call("jvp", tuple(primals), tuple(range(len(primals))))
    tcall = inspect_args("jvp", tuple(primals), tuple(tangents))  # one backend for both
    vs = tree_leaves(tree_map(tcall.to_tensor, tuple(tangents)))
    if len(vs) != len(call.leaves):
        raise ValueError("jvp() expects tangents with the structure of the primals")
    nested = call.nested
    with enable_grad():
        out, aux = _split_aux(func(*call.args), has_aux, "jvp")
        outs = tree_leaves(out)
        for o in outs:
            _check_tensor_out(o, "jvp", "a")
        us = [_tape.set_requires_grad(zeros_like(_tape._detached(o)), True) for o in outs]
        call.nested = True  # g(u) must stay differentiable in u
        g = call.grads(outs, us)
        call.nested = nested
        # <g(u), v> is linear in u; its gradient in u is J v.
        total = None
        for gi, vi in zip(g, vs, strict=True):
            if _tape.requires_grad(gi):
                term = _sum(gi * vi)
                total = term if total is None else total + term
        if total is None:
            flat = [zeros_like(o) for o in outs]
        else:
            from . import grad as autograd_grad

            got = autograd_grad(
                [total], us, retain_graph=True, create_graph=nested, allow_unused=True
            )
            flat = [zeros_like(o) if t is None else t for t, o in zip(got, outs, strict=True)]
    it = iter(flat)
    tangent_out = tree_map(lambda _: next(it), out)
    result = (call.result(out), call.result(tangent_out))
    return (*result, to_caller(aux, call.callers)) if has_aux else result


# -- jacobian, hessian -------------------------------------------------------------------------
def jacobian(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning the Jacobian of ``func`` with respect to the arguments ``argnums``
    (``torch.func.jacrev``): for output ``o`` and argument ``x``, shape ``o.shape + x.shape``;
    a tuple of outputs gives a tuple (per output) of Jacobians, a tuple ``argnums`` a tuple (per
    argument) inside it.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> pt.func.jacobian(lambda x: x * x)(np.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """
    from .._ops.creation import eye, zeros
    from .._ops.manipulation import reshape, stack

    _check_func(func, "jacobian")

    @functools.wraps(func)
    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        call = _Call("jacobian", args, _argnums(argnums, len(args), "jacobian"))
        with enable_grad():
            out, aux = _split_aux(func(*call.args, **kwargs), has_aux, "jacobian")
            outs = [out] if isinstance(out, TensorBase) else list(out)
            per_out = []
            for o in outs:
                _check_tensor_out(o, "jacobian", "a")
                n = int(o.size or 0)
                rows: list[list[Any]] = [[] for _ in call.leaves]
                basis = eye(n, dtype=o.dtype, device=o.device) if n else None
                for i in range(n):
                    seed = reshape(basis[i], tuple(o.shape))  # type: ignore[index]
                    for k, g in enumerate(call.grads([o], [seed])):
                        rows[k].append(g)
                blocks = []
                for k, x in enumerate(call.leaves):
                    shape = tuple(o.shape) + tuple(x.shape)
                    if rows[k]:
                        blocks.append(reshape(stack(rows[k]), shape))
                    else:
                        blocks.append(zeros(shape, dtype=x.dtype, device=x.device))
                per_out.append(_pick(call.like_args(blocks), argnums))
        jac = per_out[0] if isinstance(out, TensorBase) else type(out)(per_out)
        result = call.result(jac)
        return (result, to_caller(aux, call.callers)) if has_aux else result

    return jacobian_f


jacrev = jacobian


def hessian(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """A function returning the Hessian of scalar ``func`` with respect to the arguments
    ``argnums``: the Jacobian of its gradient (``torch.func.hessian``).

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> pt.func.hessian(lambda x: pt.sum(x ** 3))(np.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    _check_func(func, "hessian")
    return jacobian(jacobian(func, argnums), argnums)
