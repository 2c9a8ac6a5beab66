"""Automatic differentiation, after PyTorch's "Autograd: automatic differentiation" tutorial.

Gradients of ``out = mean(3 * (x + 2)**2)`` (4.5 everywhere at x = 1), ``backward(v)`` for a
vector output built by Python control flow (a while loop on the norm), ``retain_graph``,
``detach()`` and ``no_grad()``.

Run it with::

    .venv/bin/python examples/autograd_basics.py                  # NumPy backend
    .venv/bin/python examples/autograd_basics.py --backend dask   # or POLYTENSOR_BACKEND=dask

On Dask forward and backward stay lazy; the values printed are computed when printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import polytensor as pt


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: ``--backend`` (default: ``POLYTENSOR_BACKEND`` or numpy)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend",
        default=os.environ.get("POLYTENSOR_BACKEND") or "numpy",
        help="polytensor backend (numpy, dask, array_api_strict, cupy)",
    )
    return parser.parse_args(argv)


def values(t: Any) -> Any:
    """``t``'s values as a NumPy array (computed on a lazy backend)."""
    return t.detach().numpy()


def tensors_and_gradients() -> bool:
    print("== Gradients of out = mean(3 * (x + 2)**2)")
    x = pt.ones(2, 2, requires_grad=True)
    print(f"x = pt.ones(2, 2, requires_grad=True): is_leaf {x.is_leaf}, grad_fn {x.grad_fn}")
    y = x + 2
    print(f"y = x + 2: grad_fn {y.grad_fn} (y was made by an operation)")
    z = y * y * 3
    out = z.mean()
    print(
        f"z = y * y * 3: grad_fn {z.grad_fn}; out = z.mean() = {out.item()} (grad_fn {out.grad_fn})"
    )

    a = pt.randn(2, 2)
    a = (a * 3) / (a - 1)
    print(f"a.requires_grad = {a.requires_grad}", end="; ")
    a.requires_grad_(True)
    b = (a * a).sum()
    print(f"after a.requires_grad_(True): {a.requires_grad}, (a * a).sum().grad_fn {b.grad_fn}")

    out.backward()
    # d(out)/dx_i = 3/2 * (x_i + 2) = 4.5 at x_i = 1
    grad = values(x.grad)
    ok = bool((abs(grad - 4.5) < 1e-6).all())
    print(f"x.grad =\n{grad}\nx.grad == 4.5 everywhere: {ok}")
    return ok


def vector_jacobian_product() -> bool:
    print("\n== backward(v) of a vector output made by a while loop")
    x = pt.randn(3, requires_grad=True)
    y = x * 2
    doublings = 1
    # PyTorch's tutorial writes y.data.norm(); here y.norm() (or y.detach().norm()) does it.
    while y.norm() < 1000:  # Python control flow: bool() computes the norm, even on Dask
        y = y * 2
        doublings += 1
    print(f"x = {values(x)}\ny = x * 2**{doublings} = {values(y)}")
    v = pt.tensor([0.1, 1.0, 0.0001], dtype=pt.float)
    y.backward(v)  # y is not a scalar: give the vector v of the vector-Jacobian product
    grad = values(x.grad)
    expected = values(v) * 2.0**doublings
    ok = bool((abs(grad - expected) <= 1e-6 * abs(expected)).all())
    print(
        f"y.backward(v) with v = {values(v)}: x.grad = {grad}\nx.grad == v * 2**{doublings}: {ok}"
    )
    return ok


def retain_graph() -> bool:
    print("\n== retain_graph")
    x = pt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward(retain_graph=True)  # keep the graph for a second backward
    loss.backward()  # gradients accumulate in x.grad: 2 * 2x
    grad = values(x.grad)
    ok = bool((grad == 4 * values(x)).all())
    print(
        f"two backward() calls, the first with retain_graph=True: x.grad = {grad} (== 4 * x: {ok})"
    )
    try:
        loss.backward()  # the second call freed the graph
        print("a third backward() ran: UNEXPECTED")
        ok = False
    except RuntimeError as e:
        print(f"a third backward() raises RuntimeError: {e}")
    x.grad.zero_()
    print(f"x.grad.zero_(): x.grad = {values(x.grad)}")
    return ok


def detach_and_no_grad() -> bool:
    print("\n== detach() and no_grad()")
    x = pt.randn(3, requires_grad=True)
    print(f"x.requires_grad {x.requires_grad}, (x ** 2).requires_grad {(x**2).requires_grad}")
    with pt.no_grad():
        inside = (x**2).requires_grad
    print(f"with pt.no_grad(): (x ** 2).requires_grad {inside}")
    y = x.detach()
    same = bool(pt.all(x.eq(y)))
    print(f"y = x.detach(): y.requires_grad {y.requires_grad}, same values as x: {same}")
    return x.requires_grad and not inside and not y.requires_grad and same


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        pt.set_backend(args.backend)
    except (ValueError, ImportError) as e:  # unknown, or unavailable here: say why
        print(f"cannot use backend {args.backend!r}: {e}", file=sys.stderr)
        return 2
    print(f"backend: {pt.get_backend().name}")
    pt.manual_seed(0)
    checks = [
        tensors_and_gradients(),
        vector_jacobian_product(),
        retain_graph(),
        detach_and_no_grad(),
    ]
    print(f"\n{sum(checks)} of {len(checks)} checks passed")
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
