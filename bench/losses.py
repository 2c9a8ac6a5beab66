"""The tutorials' classification loss, ``nn.CrossEntropyLoss``, side by side in one run.

Logits of a batch (N=256, C=10, float32, the MLP of ``tape.py``) and integer class labels:
the loss alone (forward) and the loss with its gradient (forward + ``backward()``), in
polytensor, in NumPy by hand (``tape.py``'s MLP: the shifted exponentials, their sums, the
mean of ``log(sum) - z[label]``, and ``softmax - onehot`` over N for the gradient) and, when it
is importable, torch. Every candidate's loss and gradient are checked against NumPy by hand
before any time is read; the implementations take turns within each round (interleaved, in
rotating order) and the table gives the medians over rounds. Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/losses.py

torch is optional and never a dependency of polytensor.

Examples
--------
>>> loss, grad = numpy_cross_entropy(*inputs())()
>>> grad.shape, round(float(grad.sum()), 6)
((256, 10), 0.0)
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

import polytensor as pt

from _common import Candidate, measure
from _common import OtherLoad as _OtherLoad
from _common import blas_lines as _blas_lines
from _common import cpu_model as _cpu_model
from _common import dist_version as _dist_version
from _common import revision as _revision

N, C = 256, 10
RECORD_COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/losses.py"
)


def inputs() -> tuple[np.ndarray, np.ndarray]:
    """Logits (N, C) float32 and labels (N,) int64."""
    rng = np.random.default_rng(3)
    return rng.standard_normal((N, C)).astype(np.float32), rng.integers(0, C, N)


def numpy_cross_entropy(x: np.ndarray, labels: np.ndarray) -> Callable[[], Any]:
    """The loss and its gradient by hand, as ``tape.py``'s MLP computes them."""
    rows = np.arange(len(labels))
    onehot = np.eye(x.shape[1], dtype=x.dtype)[labels]

    def run() -> tuple[float, np.ndarray]:
        z = x - x.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s)[:, 0] - z[rows, labels]))
        g = e / s
        g -= onehot
        g /= len(labels)
        return loss, g

    return run


def torchlike_cross_entropy(torch: Any, x0: np.ndarray, labels0: np.ndarray) -> Any:
    """Forward, and forward + backward, of ``nn.CrossEntropyLoss`` in ``torch`` (polytensor
    or torch itself), as the tutorials write it."""
    x = torch.tensor(x0, requires_grad=True)
    labels = torch.from_numpy(labels0)
    loss_fn = torch.nn.CrossEntropyLoss()

    def forward() -> Any:
        return loss_fn(x, labels)

    def both() -> tuple[float, np.ndarray]:
        x.grad = None
        loss = loss_fn(x, labels)
        loss.backward()
        return float(loss.item()), np.asarray(x.grad.numpy())

    return forward, both


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--target", type=float, default=0.2, help="seconds per measurement")
    args = p.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    x, labels = inputs()
    frameworks: dict[str, Any] = {"polytensor": pt}
    try:
        import torch

        torch.set_num_threads(1)
        frameworks["torch"] = torch
    except ImportError:
        print("torch is not installed: its columns are skipped")
    by_hand = numpy_cross_entropy(x, labels)
    want_loss, want_grad = by_hand()
    fwd: list[Candidate] = []
    both: list[Candidate] = [Candidate("NumPy by hand", by_hand)]
    for name, module in frameworks.items():
        f, fb = torchlike_cross_entropy(module, x, labels)
        got_loss, got_grad = fb()
        if not (
            np.isclose(got_loss, want_loss, rtol=1e-5)
            and np.allclose(got_grad, want_grad, rtol=1e-4, atol=1e-7)
        ):
            print(f"{name}: the loss or its gradient differs from NumPy by hand")
            return 1
        fwd.append(Candidate(name, f))
        both.append(Candidate(name, fb))
    load = _OtherLoad()
    measure(fwd + both, rounds=args.rounds, target_s=args.target)
    print(f"# bench/losses.py, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"polytensor {_revision()}; Python {platform.python_version()}; {_cpu_model()}")
    print(f"NumPy {np.__version__}, torch {_dist_version('torch')}")
    for line in _blas_lines():
        print(line)
    print(f"command: {RECORD_COMMAND}; {args.rounds} rounds, medians\n")
    ref = statistics.median(both[0].times)
    print(f"nn.CrossEntropyLoss, logits ({N}, {C}) float32, integer labels")
    print("| | NumPy by hand | " + " | ".join(frameworks) + " |")
    print("|---|---|" + "---|" * len(frameworks))
    cells = [f"{statistics.median(c.times) * 1e6:.1f} us" for c in fwd]
    print("| forward | | " + " | ".join(cells) + " |")
    cells = [f"{statistics.median(c.times) * 1e6:.1f} us" for c in both]
    ratios = [f"{statistics.median(c.times) / ref:.2f}x" for c in both[1:]]
    print(f"| forward + backward | {cells[0]} | " + " | ".join(cells[1:]) + " |")
    print("| (over NumPy by hand) | | " + " | ".join(ratios) + " |")
    load.print_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
