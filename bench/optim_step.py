"""What ``optimizer.step()`` costs, side by side in one run: polytensor, torch and NumPy by hand.

The parameters are ``tape.py``'s MLP's (784-1024-1024-10 with biases, float32: 1.86 million
numbers, 7.4 MB), each with a fixed gradient; one call is one ``step()`` of:

- ``Adam`` (lr 1e-3), ``AdamW`` (weight decay 0.01), ``SGD`` with momentum 0.9 (lr 0.01),
  ``RMSprop`` (lr 0.01) and ``Adagrad`` (lr 0.01), with torch's defaults otherwise;
- in NumPy by hand: the same rule written with in-place operations on whole arrays and one
  preallocated temporary per parameter (no array allocated per step);
- in polytensor (``polytensor.optim``, NumPy backend) and torch (``torch.optim``, CPU, one
  thread, its default single-tensor implementation).

After five steps every implementation's parameters are checked against NumPy by hand's
(rtol 1e-5) before any time is read. The implementations take turns within each round
(interleaved, in rotating order); the table gives the medians over rounds of the per-round
ratios to NumPy by hand. Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/optim_step.py

Options: ``--rounds`` (9), ``--target`` (seconds per measurement), ``--no-torch``.

Examples
--------
>>> step, params = numpy_step("SGD", [np.ones(3, np.float32)], [np.ones(3, np.float32)])
>>> step(); step(); [round(float(x), 4) for x in params[0]]
[0.971, 0.971, 0.971]
"""

from __future__ import annotations

import argparse
import datetime
import math
import platform
import statistics
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from tape import mlp_inputs

import polytensor as pt

from _common import Candidate, OtherLoad, blas_lines, cpu_model, dist_version, measure, revision

RECORD_COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/optim_step.py"
)
OPTIMIZERS: dict[str, dict[str, Any]] = {
    "Adam": {"lr": 1e-3},
    "AdamW": {"lr": 1e-3, "weight_decay": 0.01},
    "SGD": {"lr": 0.01, "momentum": 0.9},
    "RMSprop": {"lr": 0.01},
    "Adagrad": {"lr": 0.01},
}


def numpy_step(
    name: str, params: list[np.ndarray], grads: list[np.ndarray]
) -> tuple[Callable[[], None], list[np.ndarray]]:
    """One ``step()`` of optimizer ``name`` written in NumPy by hand, in place, on copies of
    ``params``; returns it and those copies."""
    ps = [p.copy() for p in params]
    tmp = [np.empty_like(p) for p in ps]
    state = [[np.zeros_like(p) for p in ps] for _ in range(2)]
    t = [0]
    kw = OPTIMIZERS[name]
    lr = kw["lr"]

    def adam() -> None:
        t[0] += 1
        b1, b2, eps, wd = 0.9, 0.999, 1e-8, kw.get("weight_decay", 0.0)
        bc2_sqrt, step_size = math.sqrt(1 - b2 ** t[0]), lr / (1 - b1 ** t[0])
        for p, g, m, v, a in zip(ps, grads, *state, tmp, strict=True):
            if wd:
                p *= 1 - lr * wd
            np.subtract(g, m, out=a)
            a *= 1 - b1
            m += a
            np.multiply(g, g, out=a)
            a *= 1 - b2
            v *= b2
            v += a
            np.sqrt(v, out=a)
            a /= bc2_sqrt
            a += eps
            np.divide(m, a, out=a)
            a *= step_size
            p -= a

    def sgd() -> None:
        t[0] += 1
        for p, g, buf, a in zip(ps, grads, state[0], tmp, strict=True):
            if t[0] == 1:
                buf[...] = g
            else:
                buf *= 0.9
                buf += g
            np.multiply(buf, lr, out=a)
            p -= a

    def rmsprop() -> None:
        for p, g, v, a in zip(ps, grads, state[0], tmp, strict=True):
            np.multiply(g, g, out=a)
            a *= 0.01
            v *= 0.99
            v += a
            np.sqrt(v, out=a)
            a += 1e-8
            np.divide(g, a, out=a)
            a *= lr
            p -= a

    def adagrad() -> None:
        for p, g, s, a in zip(ps, grads, state[0], tmp, strict=True):
            np.multiply(g, g, out=a)
            s += a
            np.sqrt(s, out=a)
            a += 1e-10
            np.divide(g, a, out=a)
            a *= lr
            p -= a

    steps = {"Adam": adam, "AdamW": adam, "SGD": sgd, "RMSprop": rmsprop, "Adagrad": adagrad}
    return steps[name], ps


def library_step(
    lib: Any, name: str, params: list[np.ndarray], grads: list[np.ndarray]
) -> tuple[Callable[[], None], list[Any]]:
    """One ``step()`` of ``lib.optim.<name>`` (polytensor or torch) on parameters made from
    copies of ``params``, each with its gradient from ``grads``; returns it and the
    parameters."""
    ps = [lib.tensor(p.copy(), requires_grad=True) for p in params]
    for p, g in zip(ps, grads, strict=True):
        p.grad = lib.tensor(g.copy())
    opt = getattr(lib.optim, name)(ps, **OPTIMIZERS[name])
    return opt.step, ps


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--target", type=float, default=0.2, help="seconds per measurement")
    p.add_argument("--no-torch", action="store_true")
    args = p.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    libs: list[tuple[str, Any]] = [("polytensor", pt)]
    if not args.no_torch:
        try:
            import torch

            torch.set_num_threads(1)
            libs.append(("torch", torch))
        except ImportError:
            print("torch is not installed: its column is left out")
    _, _, *flat = mlp_inputs()
    params = [a.astype(np.float32) for a in flat]
    rng = np.random.default_rng(2)
    grads = [rng.standard_normal(a.shape).astype(np.float32) for a in params]
    load = OtherLoad()
    rows = []
    for name in OPTIMIZERS:
        by_hand, want = numpy_step(name, params, grads)
        candidates = [Candidate("NumPy by hand", by_hand)]
        checks = []
        for label, lib in libs:
            step, ps = library_step(lib, name, params, grads)
            candidates.append(Candidate(label, step))
            checks.append((label, step, ps))
        for _ in range(5):
            by_hand()
        for label, step, ps in checks:
            for _ in range(5):
                step()
            for got, ref in zip(ps, want, strict=True):
                if not np.allclose(got.detach().numpy(), ref, rtol=1e-5, atol=1e-7):
                    print(f"{name}: {label}'s parameters differ from NumPy by hand's")
                    return 1
        measure(candidates, rounds=args.rounds, target_s=args.target)
        ref_times = candidates[0].times
        ratios = [
            statistics.median(t / r for t, r in zip(c.times, ref_times, strict=True))
            for c in candidates[1:]
        ]
        rows.append((name, statistics.median(ref_times), ratios))
    print(f"# bench/optim_step.py, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"polytensor {revision()}; Python {platform.python_version()}; {cpu_model()}")
    print(f"NumPy {np.__version__}; torch {dist_version('torch')}")
    for line in blas_lines():
        print(line)
    print(f"command: {RECORD_COMMAND}; {args.rounds} rounds, medians of per-round ratios\n")
    print("| optimizer | NumPy by hand, per step | " + " | ".join(lb for lb, _ in libs) + " |")
    print("|---|---|" + "---|" * len(libs))
    for name, ref_s, ratios in rows:
        cells = " | ".join(f"{r:.2f}x" for r in ratios)
        print(f"| {name} | {ref_s * 1e3:.2f} ms | {cells} |")
    load.print_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
