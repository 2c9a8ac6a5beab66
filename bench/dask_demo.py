"""The ``make run`` demo on Dask next to NumPy: one epoch's time side by side, and the tasks of
one training step.

Run from a checkout (it measures the polytensor that ``import polytensor`` finds):

    OPENBLAS_NUM_THREADS=1 python bench/dask_demo.py --rounds 3

Each round trains one epoch of ``polytensor.demo.train`` (23 Adam steps of 64 digits, then the
accuracy on the train and test sets) on NumPy and on Dask (its default threaded scheduler),
alternating, and reports the median of each and their ratio. The tasks of one step are those of
the loss and all gradients, counted with ``len(__dask_graph__())`` of Dask's merged graph,
before and after Dask's optimisation (``optimize_graph=True``: culling, blockwise fusion).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import polytensor as pt
from polytensor.demo import build_model, load_digits, train
from polytensor.nn import functional as F

import _common


def step_tasks() -> tuple[int, int]:
    """Tasks of one demo training step on Dask (loss and gradients): raw and optimised."""
    import dask

    x_train, y_train, _, _ = load_digits(0)
    with pt.use_backend("dask"):
        model = build_model(0)
        loss = F.cross_entropy(model(pt.asarray(x_train[:64])), pt.asarray(y_train[:64]))
        loss.backward()
    arrays = [loss._data] + [p.grad._data for p in model.parameters()]

    def count(optimize: bool) -> int:
        expr = dask.base.collections_to_expr(arrays, optimize_graph=optimize)
        return len(expr.__dask_graph__())

    return count(False), count(True)


def epoch(backend: str) -> tuple[float, float]:
    start = time.perf_counter()
    result: Any = train(epochs=1, backend=backend, quiet=True)
    return time.perf_counter() - start, result.test_accuracy[-1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    load = _common.OtherLoad()
    print(f"polytensor {_common.revision()}, dask {_common.dist_version('dask')}")
    print(f"{_common.cpu_model()}")
    raw, optimized = step_tasks()
    print(f"tasks per training step on dask: {raw} ({optimized} after dask's optimisation)")
    epoch("numpy")  # warm up: imports, first calls
    times: dict[str, list[float]] = {"numpy": [], "dask": []}
    accuracy: dict[str, float] = {}
    for r in range(args.rounds):
        for backend in ("numpy", "dask") if r % 2 == 0 else ("dask", "numpy"):
            seconds, accuracy[backend] = epoch(backend)
            times[backend].append(seconds)
    med = {b: statistics.median(t) for b, t in times.items()}
    for b in ("numpy", "dask"):
        runs = ", ".join(f"{t:.2f}" for t in times[b])
        print(
            f"one epoch on {b:5s}: median {med[b]:.2f} s ({runs}); test accuracy {accuracy[b]:.3f}"
        )
    print(f"dask / numpy: {med['dask'] / med['numpy']:.1f}x")
    load.print_report()


if __name__ == "__main__":
    main()
