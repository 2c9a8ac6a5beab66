"""Function transforms (``torch.func``'s and JAX's spelling): ``grad``, ``grad_and_value``,
``value_and_grad``, ``vjp``, ``jvp``, ``jacobian`` (also ``jacrev`` and ``jacfwd``),
``hessian``, ``vmap``, ``functional_call`` and ``stack_module_state``.

They take the caller's own arrays (NumPy, Dask, array-api-strict, or those of any library
registered as a backend, such as JAX or torch), run the function on polytensor tensors of the
matching backend, and hand back the caller's array type. A library written against the Array
API standard becomes differentiable for its users on whatever arrays they have.

Examples
--------
>>> import numpy as np
>>> import polytensor as pt
>>> def loss(w, x):  # array-API code: the namespace comes from the arguments
...     xp = w.__array_namespace__()
...     return xp.sum((x @ w) ** 2)
>>> pt.func.grad(loss)(np.array([1.0, -1.0]), np.array([[1.0, 2.0], [3.0, 4.0]]))
array([ -8., -12.])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from ._ops.manipulation import moveaxis, stack
from ._random import default_generator
from ._tensor_base import TensorBase
from .autograd._transforms import grad, hessian, jacobian, jacrev, jvp, value_and_grad, vjp

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "stack_module_state",
    "value_and_grad",
    "vjp",
    "vmap",
]


def grad_and_value(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning ``(gradient, func(*args))`` (``torch.func.grad_and_value``: the
    order of PyTorch's, the reverse of ``value_and_grad``'s).

    Examples
    --------
    >>> import polytensor as pt
    >>> g, v = pt.func.grad_and_value(lambda x: pt.sum(x ** 2))(pt.asarray([1.0, 2.0]))
    >>> g, v
    (tensor([2., 4.], backend='numpy'), tensor(5., backend='numpy'))
    """
    inner = value_and_grad(func, argnums=argnums, has_aux=has_aux)

    @functools.wraps(func)
    def grad_and_value_f(*args: Any, **kwargs: Any) -> Any:
        value, g = inner(*args, **kwargs)
        return g, value

    return grad_and_value_f


def jacfwd(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    has_aux: bool = False,
    *,
    randomness: str = "error",
) -> Callable[..., Any]:
    """``torch.func.jacfwd``: the Jacobian of ``func``, of the same values and layout as
    ``jacrev``'s (polytensor computes both by reverse passes, one per output element).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.func.jacfwd(lambda x: x * x)(pt.asarray([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]], backend='numpy')
    """
    _check_randomness("jacfwd", randomness)
    return jacobian(func, argnums, has_aux=has_aux)


def _check_randomness(where: str, randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise ValueError(
            f"{where}() expects randomness to be 'error', 'different' or 'same'; got {randomness!r}"
        )


def _flatten(tree: Any) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """The leaves of a nest of tuples, lists and dicts, and a function that rebuilds the nest
    from new leaves."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(v) for v in tree]
        leaves = [leaf for p in parts for leaf in p[0]]

        def rebuild_seq(new: list[Any]) -> Any:
            out, i = [], 0
            for p in parts:
                n = len(p[0])
                out.append(p[1](new[i : i + n]))
                i += n
            return type(tree)(out) if not hasattr(tree, "_fields") else type(tree)(*out)

        return leaves, rebuild_seq
    if isinstance(tree, dict):
        keys = list(tree)
        sub = _flatten([tree[k] for k in keys])
        return sub[0], lambda new: dict(zip(keys, sub[1](new), strict=True))
    return [tree], lambda new: new[0]


def _dims_like(dims: Any, tree: Any, where: str) -> list[Any]:
    """``in_dims``/``out_dims`` per leaf of ``tree``: one int (or None) for all, or a nest of
    the tree's structure."""
    leaves, _ = _flatten(tree)
    if dims is None or isinstance(dims, int):
        return [dims] * len(leaves)
    if isinstance(dims, (tuple, list)) and isinstance(tree, (tuple, list)):
        if len(dims) != len(tree):
            raise ValueError(
                f"{where}: expected {len(tree)} entries (one per argument or output), got "
                f"{len(dims)}: {dims!r}"
            )
        return [d for sub, t in zip(dims, tree, strict=True) for d in _dims_like(sub, t, where)]
    if isinstance(dims, dict) and isinstance(tree, dict):
        return [d for k in tree for d in _dims_like(dims.get(k), tree[k], where)]
    raise ValueError(
        f"{where}: expected an int, None, or a nest of the arguments' structure; got {dims!r}"
    )


def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """``torch.func.vmap``: ``func`` mapped over a dimension of its arguments.

    ``in_dims`` says, per positional argument (an int for all, or a tuple with one int or
    ``None`` per argument, nested as the arguments are), which dimension is mapped; ``None``
    passes the argument whole to every call. ``out_dims`` says where the mapped dimension goes
    in each output. The calls run one after another and their results are stacked, so the
    result is differentiable and ``vmap`` nests with the other transforms
    (``vmap(grad(f))`` gives per-example gradients); ``chunk_size`` is accepted and changes
    nothing. ``randomness``, as PyTorch's: ``"error"`` refuses a function that draws random
    numbers from the default generator, ``"different"`` lets each call draw its own and
    ``"same"`` gives every call the first call's numbers.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> pt.func.vmap(lambda r: pt.sum(r * r))(x)
    tensor([ 5., 25.], backend='numpy')
    >>> pt.func.vmap(pt.func.grad(lambda r: pt.sum(r ** 3)))(x)
    tensor([[ 3., 12.],
            [27., 48.]], backend='numpy')
    """
    _check_randomness("vmap", randomness)
    if not callable(func):
        raise TypeError(f"vmap() expects a function as its first argument; got {func!r}")

    @functools.wraps(func)
    def vmapped(*args: Any, **kwargs: Any) -> Any:
        leaves, rebuild = _flatten(tuple(args))
        dims = _dims_like(
            in_dims if not isinstance(in_dims, list) else tuple(in_dims),
            tuple(args),
            "vmap(in_dims=)",
        )
        size = None
        for leaf, d in zip(leaves, dims, strict=True):
            if d is None:
                continue
            if not isinstance(leaf, TensorBase):
                raise TypeError(
                    f"vmap(): in_dims={d} maps an argument of type {type(leaf).__name__}; "
                    f"map tensors only (use None in in_dims for other arguments)"
                )
            if not -leaf.ndim <= d < max(leaf.ndim, 1) or leaf.ndim == 0:
                raise ValueError(
                    f"vmap(): in_dims={d} is out of range for an argument of shape "
                    f"{tuple(leaf.shape)}"
                )
            n = int(leaf.shape[d])
            if size is not None and n != size:
                raise ValueError(
                    f"vmap(): the mapped dimensions have different sizes ({size} and {n}); "
                    f"every mapped argument needs the same size there"
                )
            size = n
        if size is None:
            raise ValueError(
                "vmap(): at least one argument must be mapped; got in_dims with only None"
            )
        results = []
        start = default_generator.get_state()
        for i in range(size):
            picked = [
                leaf if d is None else moveaxis(leaf, d, 0)[i]
                for leaf, d in zip(leaves, dims, strict=True)
            ]
            if randomness == "same":  # every call draws the numbers the first one drew
                default_generator.set_state(start)
            results.append(func(*rebuild(picked), **kwargs))
            if randomness == "error" and default_generator.get_state() != start:
                raise RuntimeError(
                    "vmap: called random operation while in randomness error mode; pass "
                    "randomness='same' (one draw shared by every call) or 'different' (a draw "
                    "of its own for each), or draw the random numbers outside vmap"
                )
        _, out_rebuild = _flatten(results[0])
        odims = _dims_like(out_dims, results[0], "vmap(out_dims=)")
        per_call = [_flatten(r)[0] for r in results]
        stacked = []
        for k, d in enumerate(odims):
            column = [p[k] for p in per_call]
            if d is None:
                stacked.append(column[0])
                continue
            if not isinstance(column[0], TensorBase):
                raise TypeError(
                    f"vmap(): the function returned a {type(column[0]).__name__}; it must "
                    f"return tensors (or nests of them)"
                )
            stacked.append(stack(column, axis=d))
        return out_rebuild(stacked)

    return vmapped


@contextmanager
def _swapped(module: Any, values: Mapping[str, Any], strict: bool) -> Iterator[None]:
    saved: list[tuple[dict[str, Any], str, Any]] = []
    names = {n for n, _ in module.named_parameters(remove_duplicate=False)} | {
        n for n, _ in module.named_buffers(remove_duplicate=False)
    }
    unknown = [k for k in values if k not in names]
    if unknown:
        raise ValueError(
            f"functional_call() got names the module does not have: {unknown}; its "
            f"parameters and buffers are {sorted(names)}"
        )
    if strict:
        missing = sorted(names - set(values))
        if missing:
            raise ValueError(
                f"functional_call(strict=True) is missing values for {missing}; pass one "
                f"for every parameter and buffer, or strict=False"
            )
    try:
        for name, value in values.items():
            *path, leaf = name.split(".")
            owner = module.get_submodule(".".join(path)) if path else module
            store = owner._parameters if leaf in owner._parameters else owner._buffers
            saved.append((store, leaf, store[leaf]))
            store[leaf] = value
        yield
    finally:
        for store, leaf, old in reversed(saved):
            store[leaf] = old


def functional_call(
    module: Any,
    parameter_and_buffer_dicts: Mapping[str, Any] | tuple[Mapping[str, Any], ...],
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """``torch.func.functional_call``: call ``module`` with some of its parameters and buffers
    replaced by the given tensors (by their dotted names), then put the originals back.

    Gradients flow to the tensors passed in, so ``grad(lambda p: loss(functional_call(m, p,
    (x,))))(params)`` differentiates with respect to a dict of parameters.

    Examples
    --------
    >>> import polytensor as pt
    >>> m = pt.nn.Linear(2, 1)
    >>> params = {"weight": pt.ones(1, 2), "bias": pt.zeros(1)}
    >>> pt.func.functional_call(m, params, (pt.asarray([1.0, 2.0]),))
    tensor([3.], backend='numpy')
    """
    dicts = (
        parameter_and_buffer_dicts
        if isinstance(parameter_and_buffer_dicts, (tuple, list))
        else (parameter_and_buffer_dicts,)
    )
    merged: dict[str, Any] = {}
    for d in dicts:
        for k, v in d.items():
            if k in merged:
                raise ValueError(
                    f"functional_call() got {k!r} in more than one dict; give each name once"
                )
            merged[k] = v
    if args is None:
        call_args: tuple[Any, ...] = ()
    elif isinstance(args, tuple):
        call_args = args
    else:
        call_args = (args,)
    with _swapped(module, merged, strict):
        return module(*call_args, **(kwargs or {}))


def stack_module_state(models: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``torch.func.stack_module_state``: the parameters and the buffers of several modules of
    one architecture, each name's tensors stacked along a new first dimension, as dicts for
    ``vmap(functional_call)`` over an ensemble. The stacked parameters are new leaves that
    require grad (where the modules' do); the buffers are stacked as they are.

    Examples
    --------
    >>> import polytensor as pt
    >>> models = [pt.nn.Linear(3, 2) for _ in range(4)]
    >>> params, buffers = pt.func.stack_module_state(models)
    >>> params["weight"].shape, params["weight"].requires_grad
    ((4, 2, 3), True)
    """
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state(): expected at least one model, got 0")
    names = [n for n, _ in models[0].named_parameters()]
    kinds = {type(m) for m in models}
    if len(kinds) != 1 or any([n for n, _ in m.named_parameters()] != names for m in models):
        raise RuntimeError(
            "stack_module_state(): expected all models to be of the same class with the same "
            "parameters; stack models of one architecture"
        )
    params = {}
    for name in names:
        ps = [dict(m.named_parameters())[name] for m in models]
        stacked = stack([p.detach() for p in ps])
        params[name] = stacked.requires_grad_(ps[0].requires_grad)
    buffers = {
        name: stack([dict(m.named_buffers())[name] for m in models])
        for name, _ in models[0].named_buffers()
    }
    return params, buffers
