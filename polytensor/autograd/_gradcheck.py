"""``gradcheck`` and ``gradgradcheck``: derivative rules against central differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _graph

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when an analytical gradient disagrees with the numerical one."""


def _tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _host(t: Any) -> Any:
    import numpy as np

    return np.array(t._backend.to_numpy(_graph._detached(t)._data), copy=True)


def _like(a: Any, t: Any) -> Any:
    from .._ops.creation import asarray

    return asarray(a, device=t.device)


def _numerical(func: Callable[..., Any], inputs: tuple[Any, ...], k: int, eps: float,
               n_out: list[int]) -> Any:
    """d outputs / d inputs[k] by central differences, shape (in size, total out size)."""
    import numpy as np

    x = inputs[k]
    base = _host(x)
    cols = []
    for j in range(base.size):
        vals = []
        for step in (eps, -eps):
            pert = base.copy()
            pert.reshape(-1)[j] += step
            args = list(inputs)
            args[k] = _like(pert, x)
            _graph.set_requires_grad(args[k], True)  # func may differentiate (gradgradcheck)
            with _enable():
                outs = _tuple(func(*args))
            vals.append(np.concatenate([_host(o).reshape(-1) for o in outs]))
        cols.append((vals[0] - vals[1]) / (2 * eps))
    return np.array(cols).reshape(base.size, sum(n_out))


def _analytical(func: Callable[..., Any], inputs: tuple[Any, ...],
                create_graph: bool = False) -> tuple[list[Any], list[int]]:
    """One (in size, total out size) Jacobian per input, from the rules, row by row."""
    import numpy as np

    from . import grad

    with _enable():
        outs = _tuple(func(*inputs))
    n_out = [int(np.prod(o.shape)) for o in outs]
    jacs = [np.zeros((int(np.prod(x.shape)), sum(n_out))) for x in inputs]
    col = 0
    for o, n in zip(outs, n_out):
        for i in range(n):
            if not _graph.requires_grad(o):
                col += 1
                continue
            seed = np.zeros(n)
            seed[i] = 1.0
            seed_t = _like(seed.reshape(o.shape).astype(_host(o).dtype), o)
            gs = grad(o, list(inputs), grad_outputs=seed_t, retain_graph=True,
                      allow_unused=True)
            for k, g in enumerate(gs):
                if g is not None:
                    jacs[k][:, col] = _host(g).reshape(-1)
            col += 1
    return jacs, n_out


class _enable:
    def __enter__(self) -> None:
        from .. import _config

        self.token = _config.GRAD_ENABLED.set(True)

    def __exit__(self, *exc: object) -> None:
        from .. import _config

        _config.GRAD_ENABLED.reset(self.token)


def gradcheck(func: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against central differences.

    Inputs that require grad should be float64. On a mismatch, the error names the input and
    the worst element (input index, output index, analytical and numerical values).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([0.5, 1.5], dtype=pt.float64, requires_grad=True)
    >>> pt.autograd.gradcheck(pt.sin, (x,))
    True
    """
    import numpy as np

    xs = _tuple(inputs)
    diff = [i for i, x in enumerate(xs) if _graph._is_tensor(x) and _graph.requires_grad(x)]
    if not diff:
        raise ValueError("gradcheck() needs at least one input with requires_grad=True")
    for i in diff:
        if xs[i].dtype.name != "float64":
            raise TypeError(f"gradcheck() needs float64 inputs for accurate differences; input "
                            f"{i} is {xs[i].dtype.name}; cast it with x.astype(pt.float64)")
    leaves = tuple(_graph._detached(x) if _graph._is_tensor(x) else x for x in xs)
    for i in diff:
        _graph.set_requires_grad(leaves[i], True)
    jacs, n_out = _analytical(func, leaves)
    for i in diff:
        num = _numerical(func, leaves, i, eps, n_out)
        ana = jacs[i]
        err = np.abs(ana - num) - (atol + rtol * np.abs(num))
        if err.size and np.nanmax(np.where(np.isnan(err), np.inf, err)) > 0:
            worst = np.unravel_index(np.argmax(np.where(np.isnan(err), np.inf, err)), err.shape)
            msg = (f"gradcheck() failed for input {i}: the worst element is d out[{worst[1]}] / "
                   f"d in[{worst[0]}]: analytical {ana[worst]!r}, numerical {num[worst]!r} "
                   f"(atol={atol}, rtol={rtol}); {int((err > 0).sum())} of {err.size} "
                   f"elements differ")
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True) -> bool:
    """Check second derivatives: ``gradcheck`` of the vector-Jacobian product of ``func``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([0.5, 1.5], dtype=pt.float64, requires_grad=True)
    >>> pt.autograd.gradgradcheck(pt.sin, (x,))
    True
    """
    import numpy as np

    from . import grad

    xs = _tuple(inputs)
    diff = [i for i, x in enumerate(xs) if _graph._is_tensor(x) and _graph.requires_grad(x)]
    with _enable():
        outs = _tuple(func(*xs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        gos = []
        for o in outs:
            u = _like(rng.standard_normal(o.shape).astype(_host(o).dtype), o)
            _graph.set_requires_grad(u, True)
            gos.append(u)
    else:
        gos = list(_tuple(grad_outputs))
    n_x = len(xs)

    def first_derivative(*args: Any) -> Any:
        ins = args[:n_x]
        us = args[n_x:]
        out = _tuple(func(*ins))
        live = [(o, u) for o, u in zip(out, us) if _graph.requires_grad(o)]
        gs = grad([o for o, _ in live], [ins[i] for i in diff], grad_outputs=[u for _, u in live],
                  create_graph=True, allow_unused=True)
        from .._ops.creation import zeros_like

        return tuple(zeros_like(ins[i]) if g is None else g for g, i in zip(gs, diff))

    return gradcheck(first_derivative, tuple(xs) + tuple(gos), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
