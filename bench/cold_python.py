"""Where the two-layer network's overhead goes: polytensor's Python, run after the arrays have
evicted it from the caches.

``tape.py``'s two-layer step (N=64, D_in=1000, H=100, D_out=10, ``clamp(min=0)``, the update
under ``no_grad`` and ``w.grad.zero_()``) costs polytensor more over NumPy by hand than the
same step at tiny sizes, where only the Python work counts. This script times, in one process
and interleaved over rounds:

- ``NumPy`` and ``polytensor``: the step at its real sizes (float32);
- ``NumPy tiny`` and ``polytensor tiny``: the step at N=2, D_in=4, H=3, D_out=2, warm: what
  each framework's Python costs when its code and objects stay in the caches;
- ``NumPy, then polytensor tiny``: NumPy's real step followed by polytensor's tiny one, each
  timed on its own: the tiny step's Python now runs right after 1.5 MB of arrays went through
  the caches, as polytensor's Python does inside its real step; and ``NumPy, then NumPy tiny``
  alike.

If the NumPy step within the pair costs what it costs alone while the tiny step costs about
twice its warm time, the overhead at the real sizes is polytensor's Python slowed by cache
misses of its own (code and objects reloaded after each large kernel), not a pass over memory
that NumPy by hand does not make, nor a slowdown of NumPy's kernels. Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/cold_python.py

Examples
--------
>>> [a.shape for a in tiny_inputs()]
[(2, 4), (2, 2), (4, 3), (3, 2)]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from tape import LR, numpy_two_layer_step, torchlike_two_layer_step, two_layer_inputs
from threadpoolctl import threadpool_limits

import polytensor as pt

from _common import OtherLoad, cpu_model, revision

COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/cold_python.py"
)


def tiny_inputs() -> tuple[np.ndarray, ...]:
    """x, y, w1, w2 of the tiny step (float32)."""
    rng = np.random.default_rng(0)
    shapes = ((2, 4), (2, 2), (4, 3), (3, 2))
    return tuple((rng.standard_normal(s) * 0.1).astype(np.float32) for s in shapes)


def _numpy_step(data: tuple[np.ndarray, ...]) -> Callable[[], Any]:
    x, y, w1, w2 = data
    return numpy_two_layer_step(x, y, w1.copy(), w2.copy(), np.float32(LR))


def _per_step(run: Callable[[], Any], steps: int) -> float:
    for _ in range(20):
        run()
    start = time.perf_counter()
    for _ in range(steps):
        run()
    return (time.perf_counter() - start) / steps


def _pair_per_step(
    first: Callable[[], Any], second: Callable[[], Any], steps: int
) -> tuple[float, float]:
    for _ in range(20):
        first()
        second()
    a = b = 0.0
    clock = time.perf_counter
    for _ in range(steps):
        t0 = clock()
        first()
        t1 = clock()
        second()
        t2 = clock()
        a += t1 - t0
        b += t2 - t1
    return a / steps, b / steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args(argv)
    threadpool_limits(1)
    real, tiny = two_layer_inputs("float32"), tiny_inputs()
    load = OtherLoad()
    times: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        alone = {
            "NumPy": _numpy_step(real),
            "polytensor": torchlike_two_layer_step(pt, real, "clamp"),
            "NumPy tiny": _numpy_step(tiny),
            "polytensor tiny": torchlike_two_layer_step(pt, tiny, "clamp"),
        }
        for name, run in alone.items():
            times.setdefault(name, []).append(_per_step(run, args.steps))
        for second in ("polytensor tiny", "NumPy tiny"):
            a, b = _pair_per_step(alone["NumPy"], alone[second], args.steps)
            times.setdefault(f"NumPy, then {second}: NumPy", []).append(a)
            times.setdefault(f"NumPy, then {second}: {second}", []).append(b)
    med = {k: statistics.median(v) * 1e6 for k, v in times.items()}
    print(f"# bench/cold_python.py, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"# {revision()}; {cpu_model()}; Python {platform.python_version()}, NumPy {np.__version__}"
    )
    print(f"# command: {COMMAND} --rounds {args.rounds} --steps {args.steps}")
    print("\n| step | us per step (median of rounds) |\n|---|---|")
    for k, v in med.items():
        print(f"| {k} | {v:.1f} |")
    warm = med["polytensor tiny"] - med["NumPy tiny"]
    cold = (
        med["NumPy, then polytensor tiny: polytensor tiny"]
        - med["NumPy, then NumPy tiny: NumPy tiny"]
    )
    real_over = med["polytensor"] - med["NumPy"]
    kernels = med["NumPy, then polytensor tiny: NumPy"] / med["NumPy"]
    print(
        f"\npolytensor's Python over NumPy's: {warm:.1f} us warm, {cold:.1f} us after the real "
        f"step's arrays ({cold / warm:.2f}x); polytensor over NumPy at the real sizes: "
        f"{real_over:.1f} us. NumPy's real step beside polytensor's Python: {kernels:.3f}x its "
        f"time alone."
    )
    load.print_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
