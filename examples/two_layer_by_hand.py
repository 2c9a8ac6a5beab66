"""A two-layer network trained with autograd and hand-written updates, after PyTorch's
"Learning PyTorch with examples" (section "Tensors and autograd").

A fully connected ReLU network with one hidden layer, no biases, fits random data by
minimising the squared Euclidean distance: ``y_pred = relu(x @ w1) @ w2``,
``loss = sum((y_pred - y)**2)``. The weights are tensors with ``requires_grad=True``;
``loss.backward()`` computes their gradients, and the update runs under ``pt.no_grad()``
followed by ``w.grad.zero_()``.

Run it with::

    .venv/bin/python examples/two_layer_by_hand.py                            # NumPy backend
    .venv/bin/python examples/two_layer_by_hand.py --backend dask --steps 50

On a lazy backend (Dask) ``pt.persist(w1, w2)`` after each step computes the new weights and
drops their task graphs, so that the graphs do not grow from step to step.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import polytensor as pt

N, D_IN, H, D_OUT = 64, 1000, 100, 10  # batch size, input, hidden and output dimensions
LEARNING_RATE = 1e-6


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: ``--backend`` (default: ``POLYTENSOR_BACKEND`` or numpy),
    ``--steps``, ``--dtype``, ``--seed``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend",
        default=os.environ.get("POLYTENSOR_BACKEND") or "numpy",
        help="polytensor backend (numpy, dask, array_api_strict, cupy)",
    )
    parser.add_argument("--steps", type=int, default=500, help="training steps (500)")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def train(steps: int, dtype: pt.DType) -> tuple[float, float]:
    """Train on random data for ``steps`` steps; returns the first and the last loss."""
    x = pt.randn(N, D_IN, dtype=dtype)
    y = pt.randn(N, D_OUT, dtype=dtype)
    w1 = pt.randn(D_IN, H, dtype=dtype, requires_grad=True)
    w2 = pt.randn(H, D_OUT, dtype=dtype, requires_grad=True)

    every = max(1, steps // 5)
    first = last = float("nan")
    for t in range(steps):
        # Forward pass: x.mm(w1).clamp(min=0) is the ReLU.
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        if t == 0 or t % every == every - 1 or t == steps - 1:
            last = loss.item()  # computes, on a lazy backend
            first = last if t == 0 else first
            print(f"step {t:4d}  loss {last:.6g}")

        loss.backward()  # gradients of loss with respect to w1 and w2

        # Update the weights by gradient descent; no_grad() keeps the update out of the graph.
        with pt.no_grad():
            w1 -= LEARNING_RATE * w1.grad
            w2 -= LEARNING_RATE * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
        pt.persist(w1, w2)  # Dask: compute the weights now (no-op on eager backends)
    return first, last


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        pt.set_backend(args.backend)
    except (ValueError, ImportError) as e:  # unknown, or unavailable here: say why
        print(f"cannot use backend {args.backend!r}: {e}", file=sys.stderr)
        return 2
    pt.manual_seed(args.seed)
    print(
        f"backend: {pt.get_backend().name}, dtype {args.dtype}, N={N}, D_in={D_IN}, H={H}, "
        f"D_out={D_OUT}, lr={LEARNING_RATE}, {args.steps} steps"
    )
    start = time.perf_counter()
    first, last = train(args.steps, getattr(pt, args.dtype))
    elapsed = time.perf_counter() - start
    print(f"initial loss: {first:.6g}")
    print(f"final loss: {last:.6g}")
    print(f"time: {elapsed:.2f} s ({1e3 * elapsed / max(args.steps, 1):.2f} ms/step)")
    return 0 if last < first else 1


if __name__ == "__main__":
    sys.exit(main())
