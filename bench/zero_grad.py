"""What ``w.grad.zero_()`` costs the tutorials' two-layer network, side by side in one run.

``tape.py``'s two-layer workload (N=64, D_in=1000, H=100, D_out=10, float32 and float64,
``x.mm(w1).clamp(min=0)``, ``F.relu`` or the seed's ``MyReLU``; ``(y_pred - y).pow(2).sum()``;
``w -= lr * w.grad`` and ``w.grad.zero_()`` under ``no_grad``), one SGD step per call:

- NumPy by hand (``tape.py``'s step, which zeroes nothing);
- polytensor as the tutorials write it: ``zero_()`` leaves the zeros of ``w1.grad`` (a leaf's
  large ``.grad`` that nothing else holds) unwritten, and backward replaces them;
- polytensor with the gradients held (``held = (w1.grad, w2.grad)``) while ``zero_()`` runs:
  the same program, whose zeros must then be written (one pass over ``w1.grad``'s memory).

Every candidate's loss after 20 steps is checked against NumPy by hand before any time is read;
the candidates take turns within each round (interleaved, in rotating order), and the table
gives the medians over rounds of the per-round ratios to NumPy by hand. Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/zero_grad.py

Examples
--------
>>> step = polytensor_step("float32", "clamp", hold=False)
>>> step() == step()  # (lr 1e-6: the loss hardly moves in two steps)
False
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import sys
from collections.abc import Callable

import numpy as np
from tape import LR, numpy_two_layer_step, torchlike_two_layer_step, two_layer_inputs

import polytensor as pt

from _common import Candidate, OtherLoad, blas_lines, cpu_model, measure, revision

RECORD_COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/zero_grad.py"
)


def numpy_step(dtype: str) -> Callable[[], float]:
    """One step of ``tape.py``'s two-layer network by hand; returns the loss."""
    return numpy_two_layer_step(*two_layer_inputs(dtype), np.dtype(dtype).type(LR))


def polytensor_step(dtype: str, relu: str, *, hold: bool) -> Callable[[], float]:
    """One step as the tutorials write it (``tape.py``'s); ``hold`` keeps the gradients while
    ``zero_()`` runs, so that their zeros are written."""
    step = torchlike_two_layer_step(pt, two_layer_inputs(dtype), relu, hold=hold)
    return lambda: float(step().item())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--target", type=float, default=0.2, help="seconds per measurement")
    p.add_argument("--relu", nargs="+", default=["clamp", "relu", "myrelu"])
    args = p.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    load = OtherLoad()
    rows = []
    for dtype in ("float32", "float64"):
        for relu in args.relu:
            by_hand = numpy_step(dtype)
            want = [by_hand() for _ in range(20)]
            candidates = [Candidate("NumPy by hand", by_hand)]
            for label, hold in (("deferred", False), ("written", True)):
                step = polytensor_step(dtype, relu, hold=hold)
                got = [step() for _ in range(20)]
                if not np.allclose(got, want, rtol=1e-4):
                    print(f"{dtype} {relu} {label}: the losses differ from NumPy by hand")
                    return 1
                candidates.append(Candidate(label, step))
            measure(candidates, rounds=args.rounds, target_s=args.target)
            ref = candidates[0].times
            ratios = [
                statistics.median(t / r for t, r in zip(c.times, ref, strict=True))
                for c in candidates[1:]
            ]
            rows.append((dtype, relu, statistics.median(ref), *ratios))
    print(f"# bench/zero_grad.py, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"polytensor {revision()}; Python {platform.python_version()}; {cpu_model()}")
    print(f"NumPy {np.__version__}")
    for line in blas_lines():
        print(line)
    print(f"command: {RECORD_COMMAND}; {args.rounds} rounds, medians of per-round ratios\n")
    print("| workload | NumPy by hand, per step | zeros deferred | zeros written |")
    print("|---|---|---|---|")
    for dtype, relu, ref_s, deferred, written in rows:
        print(f"| {dtype} {relu} | {ref_s * 1e6:.1f} us | {deferred:.3f}x | {written:.3f}x |")
    load.print_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
