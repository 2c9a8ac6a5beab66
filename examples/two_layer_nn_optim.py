"""The two-layer network with ``nn.Sequential`` and an optimizer, after PyTorch's "Learning
PyTorch with examples" (sections "nn" and "optim").

``nn.Sequential(nn.Linear(D_in, H), nn.ReLU(), nn.Linear(H, D_out))`` fits random data with
``nn.MSELoss(reduction="sum")``; ``optim.Adam`` (or ``optim.SGD``) updates the parameters:
``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``.

Run it with::

    .venv/bin/python examples/two_layer_nn_optim.py                       # Adam, NumPy backend
    .venv/bin/python examples/two_layer_nn_optim.py --optimizer sgd
    .venv/bin/python examples/two_layer_nn_optim.py --backend dask --steps 50

On a lazy backend (Dask) ``pt.persist`` of the parameters and of the optimizer's state after
each step computes them and drops their task graphs, so that the graphs do not grow.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import polytensor as pt
from polytensor import nn, optim

N, D_IN, H, D_OUT = 64, 1000, 100, 10
LEARNING_RATE = {"adam": 1e-4, "sgd": 1e-4}  # the tutorial's rates


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: ``--backend`` (default: ``POLYTENSOR_BACKEND`` or numpy),
    ``--optimizer``, ``--steps``, ``--seed``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend",
        default=os.environ.get("POLYTENSOR_BACKEND") or "numpy",
        help="polytensor backend (numpy, dask, array_api_strict, cupy)",
    )
    parser.add_argument("--optimizer", choices=sorted(LEARNING_RATE), default="adam")
    parser.add_argument("--steps", type=int, default=500, help="training steps (500)")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def optimizer_state(optimizer: optim.Optimizer) -> list[pt.Tensor]:
    """The tensors an optimizer keeps between steps (momentum buffers, Adam's moments)."""
    return [
        v for state in optimizer.state.values() for v in state.values() if isinstance(v, pt.Tensor)
    ]


def train(steps: int, which: str) -> tuple[float, float]:
    """Train with optimizer ``which``; returns the first and the last loss."""
    x = pt.randn(N, D_IN)
    y = pt.randn(N, D_OUT)
    model = nn.Sequential(nn.Linear(D_IN, H), nn.ReLU(), nn.Linear(H, D_OUT))
    loss_fn = nn.MSELoss(reduction="sum")
    lr = LEARNING_RATE[which]
    optimizer = (
        optim.Adam(model.parameters(), lr=lr)
        if which == "adam"
        else optim.SGD(model.parameters(), lr=lr)
    )
    print(model)
    print(f"optimizer: {type(optimizer).__name__}, lr={lr}")

    every = max(1, steps // 5)
    first = last = float("nan")
    for t in range(steps):
        y_pred = model(x)
        loss = loss_fn(y_pred, y)
        if t == 0 or t % every == every - 1 or t == steps - 1:
            last = loss.item()
            first = last if t == 0 else first
            print(f"step {t:4d}  loss {last:.6g}")
        optimizer.zero_grad()  # gradients accumulate: clear them first
        loss.backward()
        optimizer.step()
        # Dask: compute parameters and optimizer state now (no-op on eager backends).
        pt.persist(*model.parameters(), *optimizer_state(optimizer))
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
        f"backend: {pt.get_backend().name}, N={N}, D_in={D_IN}, H={H}, D_out={D_OUT}, "
        f"{args.steps} steps"
    )
    start = time.perf_counter()
    first, last = train(args.steps, args.optimizer)
    elapsed = time.perf_counter() - start
    print(f"initial loss: {first:.6g}")
    print(f"final loss: {last:.6g}")
    print(f"time: {elapsed:.2f} s ({1e3 * elapsed / max(args.steps, 1):.2f} ms/step)")
    return 0 if last < first else 1


if __name__ == "__main__":
    sys.exit(main())
