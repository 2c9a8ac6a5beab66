"""Out-of-core autograd: the least-squares loss and its gradient over a tall design matrix,
polytensor on Dask side by side with the same expression written by hand in Dask (and NumPy).

For ``A`` of ``n`` x 64 float64, ``y`` of ``n`` and ``w`` of 64:

- polytensor:  ``r = A @ w - y; loss = (r * r).mean(); loss.backward();
  pt.compute(loss, w.grad)`` (one graph for forward and backward, computed in one pass);
- hand-written Dask: ``r = A @ w - y; dask.compute((r * r).mean(), A.T @ r * (2 / n))``;
- NumPy (2 GB only): the same as the hand-written expression on host arrays.

Sizes (``--sizes``, in GB of ``A``): ``2`` (4M x 64): ``A`` drawn on the host, then the same
in-memory array is given to NumPy, to hand-written Dask (``da.from_array``) and to polytensor
(``pt.asarray`` of that Dask array), and the gradients are compared with NumPy's;
``16`` (32M x 64) and ``40`` (80M x 64): ``A`` and ``y`` made lazily with ``pt.randn`` on Dask,
chunked by rows, and the same lazy Dask arrays handed to the hand-written expression, so
both generate every chunk in its own task while they stream. ``--cluster`` adds the 2 GB
case (made lazily) on a ``LocalCluster`` of 2 worker processes.

Each figure is the median over rounds, the implementations alternating inside every round; the
peak resident memory (RSS) of this process plus the cluster's workers is sampled every 20 ms
from /proc during each run. Run from the repository root::

    PYTHONPATH=$PWD .venv/bin/python bench/outofcore.py --sizes 2,16,40
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Self

import dask
import dask.array as da
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import polytensor as pt

from _common import OtherLoad, revision

D = 64
ROWS = {"2": 4_000_000, "16": 32_000_000, "40": 80_000_000}
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


class PeakRSS:
    """The largest sum of the RSS of ``pids`` seen while the block runs (sampled every 20 ms)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = 0
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(rss(p) for p in self.pids))
            self._stop.wait(0.02)

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, sum(rss(p) for p in self.pids))


def polytensor_step(A: pt.Tensor, y: pt.Tensor, w0: np.ndarray) -> tuple[float, np.ndarray]:
    w = pt.asarray(w0, device="dask", requires_grad=True)
    r = A @ w - y
    loss = (r * r).mean()
    loss.backward()
    assert w.grad is not None
    lv, g = pt.compute(loss, w.grad)
    return float(lv.item()), g.numpy()


def dask_step(A: Any, y: Any, w0: np.ndarray) -> tuple[float, np.ndarray]:
    n = A.shape[0]
    r = A @ w0 - y
    lv, g = dask.compute((r * r).mean(), (A.T @ r) * (2.0 / n))
    return float(lv), np.asarray(g)


def numpy_step(A: np.ndarray, y: np.ndarray, w0: np.ndarray) -> tuple[float, np.ndarray]:
    r = A @ w0 - y
    return float(r @ r / len(r)), (A.T @ r) * (2.0 / len(r))


def rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


@contextmanager
def maybe_cluster(on: bool) -> Iterator[list[int]]:
    """Yields the pids whose memory counts: this process, and the workers of a 2-process
    LocalCluster when ``on``."""
    if not on:
        yield [os.getpid()]
        return
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        workers = list(client.run(os.getpid).values())
        yield [os.getpid(), *workers]


def measure(
    cases: dict[str, Callable[[], tuple[float, np.ndarray]]], rounds: int, pids: list[int]
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {k: {"times": [], "peaks": []} for k in cases}
    names = list(cases)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            with PeakRSS(pids) as peak:
                t0 = time.perf_counter()
                loss, grad = cases[name]()
                dt = time.perf_counter() - t0
            out[name]["times"].append(dt)
            out[name]["peaks"].append(peak.peak)
            out[name]["loss"], out[name]["grad"] = loss, grad
            print(f"  round {r + 1} {name:<12} {dt:8.2f} s  peak RSS {peak.peak / 2**30:6.2f} GB")
    return out


def report(title: str, res: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    hand = statistics.median(res["dask"]["times"])
    for name, r in res.items():
        t = statistics.median(r["times"])
        line = f"  {name:<12} {t:8.2f} s  peak RSS {max(r['peaks']) / 2**30:6.2f} GB"
        print(line + f"  ({t / hand:.3f}x hand-written Dask)")
    if "numpy" in res:
        g_ref = res["numpy"]["grad"]
        for name in ("polytensor", "dask"):
            print(f"  {name} gradient vs NumPy: {rel(res[name]['grad'], g_ref):.2e} relative")
    print(
        "  polytensor vs hand-written Dask: gradient "
        f"{rel(res['polytensor']['grad'], res['dask']['grad']):.2e} relative, loss "
        f"{abs(res['polytensor']['loss'] / res['dask']['loss'] - 1):.2e}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="2", help="comma-separated GB of A among 2, 16, 40")
    p.add_argument("--rounds", type=int, default=3, help="rounds of the 2 GB case")
    p.add_argument("--big-rounds", type=int, default=1, help="rounds of the 16 and 40 GB cases")
    p.add_argument("--chunk-mib", type=int, default=128, help="MiB per chunk of A (by rows)")
    p.add_argument("--cluster", action="store_true", help="add 2 GB on a 2-worker LocalCluster")
    args = p.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    rows = args.chunk_mib * 2**20 // (D * 8)
    print(f"polytensor {revision()}, dask {dask.__version__}, numpy {np.__version__}")
    print(f"{os.cpu_count()} CPUs; chunks of {rows} rows x {D} ({args.chunk_mib} MiB)")
    load = OtherLoad()
    w0 = np.linspace(-1.0, 1.0, D)
    pt.manual_seed(0)
    for size in sizes:
        n = ROWS[size]
        if size == "2":
            A_np = pt.randn(n, D, dtype=pt.float64).numpy()
            y_np = pt.randn(n, dtype=pt.float64).numpy()
            Ad = da.from_array(A_np, chunks=(rows, D))
            yd = da.from_array(y_np, chunks=(rows,))
            with pt.use_backend("dask"):
                At, yt = pt.asarray(Ad), pt.asarray(yd)
            cases = {
                "polytensor": lambda At=At, yt=yt: polytensor_step(At, yt, w0),
                "dask": lambda Ad=Ad, yd=yd: dask_step(Ad, yd, w0),
                "numpy": lambda A_np=A_np, y_np=y_np: numpy_step(A_np, y_np, w0),
            }
            print(f"\n{n} x {D} float64 ({n * D * 8 / 1e9:.1f} GB) in memory, threads")
            res = measure(cases, args.rounds, [os.getpid()])
            report(f"{size} GB in memory (median of {args.rounds})", res)
            del A_np, Ad, At, cases, res
        else:
            At = pt.randn(n, D, dtype=pt.float64, device="dask", chunks=(rows, D))
            yt = pt.randn(n, dtype=pt.float64, device="dask", chunks=(rows,))
            cases = {
                "polytensor": lambda At=At, yt=yt: polytensor_step(At, yt, w0),
                "dask": lambda At=At, yt=yt: dask_step(At._data, yt._data, w0),
            }
            print(f"\n{n} x {D} float64 ({n * D * 8 / 1e9:.1f} GB) made lazily, threads")
            res = measure(cases, args.big_rounds, [os.getpid()])
            report(f"{size} GB lazily (median of {args.big_rounds})", res)
    if args.cluster:
        n = ROWS["2"]
        with maybe_cluster(True) as pids:
            At = pt.randn(n, D, dtype=pt.float64, device="dask", chunks=(rows, D))
            yt = pt.randn(n, dtype=pt.float64, device="dask", chunks=(rows,))
            cases = {
                "polytensor": lambda: polytensor_step(At, yt, w0),
                "dask": lambda: dask_step(At._data, yt._data, w0),
            }
            print(f"\n{n} x {D} float64 made lazily on a LocalCluster of 2 worker processes")
            res = measure(cases, args.rounds, pids)
            report(f"2 GB on the cluster (median of {args.rounds})", res)
    print(f"\nother processes used {load.cores_used():.2f} of the cores during the run")


if __name__ == "__main__":
    main()
