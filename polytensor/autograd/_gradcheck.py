"""``gradcheck`` and ``gradgradcheck``: derivative rules against central differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _tape
from ..backends import _host as H

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when an analytical gradient disagrees with the numerical one.

    Examples
    --------
    >>> import polytensor as pt
    >>> class Wrong(pt.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         return g
    >>> x = pt.asarray([1.0, 2.0], dtype=pt.float64, requires_grad=True)
    >>> try:
    ...     pt.autograd.gradcheck(Wrong.apply, (x,))
    ... except pt.autograd.GradcheckError as e:
    ...     print("worst element" in str(e))
    True
    """


def _tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _host(t: Any) -> Any:
    return H.host_copy(t._backend.to_numpy(_tape._detached(t)._data))


def _like(a: Any, t: Any) -> Any:
    from .._ops.creation import asarray

    return asarray(a, device=t.device)


def _coords(a: Any) -> Any:
    """The real coordinates of an array: its values, or real parts then imaginary parts."""
    return H.real_coords(a)


def _numerical(
    func: Callable[..., Any], inputs: tuple[Any, ...], k: int, eps: float, n_out: int
) -> Any:
    """d (real coordinates of outputs) / d (real coordinates of inputs[k]), central
    differences; shape (input coordinates, output coordinates)."""
    x = inputs[k]
    base = _host(x)
    size = base.size
    n_in = size * (2 if H.is_complex(base) else 1)
    cols = []
    for c in range(n_in):
        vals = []
        for step in (eps, -eps):
            pert = base.copy()
            pert.reshape(-1)[c % size] += step if c < size else 1j * step
            args = list(inputs)
            args[k] = _like(pert, x)
            _tape.set_requires_grad(args[k], True)  # func may differentiate (gradgradcheck)
            with _enable():
                outs = _tuple(func(*args))
            vals.append(H.concat([_coords(_host(o)) for o in outs]))
        cols.append((vals[0] - vals[1]) / (2 * eps))
    return H.matrix(cols, n_in, n_out)


def _analytical(
    func: Callable[..., Any], inputs: tuple[Any, ...], create_graph: bool = False
) -> tuple[list[Any], int]:
    """One (input coordinates, output coordinates) Jacobian per input, from the rules: row
    ``j`` is the gradient of Re(y_j) or Im(y_j) (PyTorch's convention for complex values)."""
    from . import grad

    with _enable():
        outs = _tuple(func(*inputs))
    hosts = [_host(o) for o in outs]
    n_coords = [h.size * (2 if H.is_complex(h) else 1) for h in hosts]
    total = sum(n_coords)
    jacs: list[Any] = [
        H.zeros((_host(x).size * (2 if H.is_complex(_host(x)) else 1), total))
        if _tape._is_tensor(x)
        else None
        for x in inputs
    ]
    wanted = [x for x in inputs if _tape._is_tensor(x) and _tape.requires_grad(x)]
    col = 0
    for o, h, n in zip(outs, hosts, n_coords, strict=True):
        for j in range(n):
            if _tape.requires_grad(o):
                seed = H.zeros(h.size, dtype=h.dtype)
                seed[j % h.size] = 1.0 if j < h.size else 1j
                seed_t = _like(seed.reshape(h.shape), o)
                gs = grad(o, wanted, grad_outputs=seed_t, retain_graph=True, allow_unused=True)
                it = iter(gs)
                for k, x in enumerate(inputs):
                    if _tape._is_tensor(x) and _tape.requires_grad(x):
                        g = next(it)
                        if g is not None:
                            jacs[k][:, col] = _coords(_host(g))[: jacs[k].shape[0]]
            col += 1
    return jacs, total


class _enable:
    def __enter__(self) -> None:
        from .. import _config

        self.token = _config.GRAD_ENABLED.set(True)

    def __exit__(self, *exc: object) -> None:
        from .. import _config

        _config.GRAD_ENABLED.reset(self.token)


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
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
    xs = _tuple(inputs)
    diff = [i for i, x in enumerate(xs) if _tape._is_tensor(x) and _tape.requires_grad(x)]
    if not diff:
        raise ValueError("gradcheck() needs at least one input with requires_grad=True")
    for i in diff:
        if xs[i].dtype.name not in ("float64", "complex128"):
            raise TypeError(
                f"gradcheck() needs float64 (or complex128) inputs for accurate "
                f"differences; input {i} is {xs[i].dtype.name}; cast it with "
                f"x.astype(pt.float64)"
            )
    leaves = tuple(_tape._detached(x) if _tape._is_tensor(x) else x for x in xs)
    for i in diff:
        _tape.set_requires_grad(leaves[i], True)
    jacs, n_out = _analytical(func, leaves)
    for i in diff:
        num = _numerical(func, leaves, i, eps, n_out)
        ana = jacs[i]
        found = H.worst_mismatch(ana, num, atol, rtol)
        if found is not None:
            worst, count = found
            msg = (
                f"gradcheck() failed for input {i}: the worst element is d out[{worst[1]}] / "
                f"d in[{worst[0]}]: analytical {ana[worst]!r}, numerical {num[worst]!r} "
                f"(atol={atol}, rtol={rtol}); {count} of {ana.size} elements differ"
            )
            if raise_exception:
                raise GradcheckError(msg)
            return False
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: ``gradcheck`` of the vector-Jacobian product of ``func``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([0.5, 1.5], dtype=pt.float64, requires_grad=True)
    >>> pt.autograd.gradgradcheck(pt.sin, (x,))
    True
    """
    from . import grad

    xs = _tuple(inputs)
    diff = [i for i, x in enumerate(xs) if _tape._is_tensor(x) and _tape.requires_grad(x)]
    with _enable():
        outs = _tuple(func(*xs))
    if grad_outputs is None:
        gos = []
        for k, o in enumerate(outs):
            u = _like(H.random_like(_host(o), k), o)
            _tape.set_requires_grad(u, True)
            gos.append(u)
    else:
        gos = list(_tuple(grad_outputs))
    n_x = len(xs)

    def first_derivative(*args: Any) -> Any:
        ins = args[:n_x]
        us = args[n_x:]
        out = _tuple(func(*ins))
        live = [(o, u) for o, u in zip(out, us, strict=True) if _tape.requires_grad(o)]
        gs = grad(
            [o for o, _ in live],
            [ins[i] for i in diff],
            grad_outputs=[u for _, u in live],
            create_graph=True,
            allow_unused=True,
        )
        from .._ops.creation import zeros_like

        return tuple(zeros_like(ins[i]) if g is None else g for g, i in zip(gs, diff, strict=True))

    return gradcheck(
        first_derivative,
        tuple(xs) + tuple(gos),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
