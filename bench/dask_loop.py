"""A training loop on Dask that reads its loss each step, as PyTorch programs do: the time of
a step as the loop goes on, with the parameters and optimizer state computed along with each
read (the default, ``keep_updated``), stored on disk along with each read (``keep_updated=8``:
the weight and its momentum, 80 bytes each, count as larger than memory), and without
(``keep_updated=0``: each read computes every step so far), side by side in one run.

Linear regression, ``x`` 64 x 10 float64 in one chunk, ``optim.SGD(momentum=0.9)``,
``loss.item()`` each step. For each way, the median time of a step over the steps in each
window (1-20, 41-60, ... up to ``--steps``) and the number of layers in the weight's task
graph at the end; the two ways' losses must agree exactly before any time is printed. Run
from the repository root::

    PYTHONPATH=$PWD .venv/bin/python bench/dask_loop.py --steps 120
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import numpy as np

import polytensor as pt
from polytensor import nn, optim


def run(steps: int, **options: Any) -> tuple[list[float], list[float], int]:
    """Times of each step (s), the losses read, and the weight's graph layers at the end."""
    rng = np.random.default_rng(0)
    with pt.use_backend("dask", **options):
        x = pt.asarray(rng.standard_normal((64, 10)))
        y = pt.asarray(rng.standard_normal((64, 1)))
        w = nn.Parameter(pt.zeros((10, 1), dtype=pt.float64))
        opt = optim.SGD([w], lr=0.01, momentum=0.9)
        times, losses = [], []
        for _ in range(steps):
            t0 = time.perf_counter()
            loss = ((x @ w - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            times.append(time.perf_counter() - t0)
    return times, losses, len(w._data.__dask_graph__().layers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=120)
    args = parser.parse_args()
    along_t, along_l, along_g = run(args.steps)
    disk_t, disk_l, disk_g = run(args.steps, keep_updated=8)
    alone_t, alone_l, alone_g = run(args.steps, keep_updated=0)
    if not along_l == disk_l == alone_l:
        raise SystemExit("the three ways' losses differ: no times printed")
    print(
        f"steps {args.steps}; the weight's graph at the end: {along_g} layers along, "
        f"{disk_g} on disk, {alone_g} without"
    )
    print("steps      along (ms/step)  on disk (ms/step)  without (ms/step)  ratio")
    for start in range(0, args.steps, 40):
        stop = min(start + 20, args.steps)
        a = statistics.median(along_t[start:stop]) * 1e3
        d = statistics.median(disk_t[start:stop]) * 1e3
        b = statistics.median(alone_t[start:stop]) * 1e3
        print(f"{start + 1:>4}-{stop:<4}  {a:15.1f}  {d:17.1f}  {b:17.1f}  {b / a:5.1f}x")


if __name__ == "__main__":
    main()
