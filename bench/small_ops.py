"""The small operations of a classification training loop, polytensor against torch, one call
at a time.

A loop over batches of class scores (64 x 10 float32) calls ``cross_entropy`` (forward, and
forward with ``backward()``), ``torch.max(out, 1)`` for its accuracy, ``mean``, ``zeros``,
``softmax``/``log_softmax``, and ``nn.Linear`` on stacks of vectors (a sequence model's
(35, 32, 128) by 512 outputs; (64, 10, 64) by 256), forward and backward. Each is timed with
``timeit`` (the best of several repeats, microseconds per call) in polytensor on NumPy and in
torch (one thread), in turn; the results are compared (rtol 1e-4) before any time is read.
Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/small_ops.py

Examples
--------
>>> sorted(cases(pt))[:2]
['(pred == y).sum().item()', 'cross_entropy']
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import timeit
from collections.abc import Callable
from typing import Any

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import polytensor as pt

from _common import OtherLoad, cpu_model, dist_version, revision

COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/small_ops.py"
)


def cases(lib: Any) -> dict[str, Callable[[], Any]]:
    """Each case as a function of no arguments in ``lib`` (polytensor or torch); each returns
    what is compared between the two."""
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((64, 10)).astype(np.float32)
    labels = rng.integers(0, 10, 64)
    f = lib.nn.functional
    s = lib.tensor(scores)
    leaf = lib.tensor(scores, requires_grad=True)
    y = lib.tensor(labels)
    criterion = lib.nn.CrossEntropyLoss()

    def with_backward() -> Any:
        leaf.grad = None
        criterion(leaf, y).backward()
        return leaf.grad

    def linear(shape: tuple[int, ...], out: int) -> Callable[[], Any]:
        x = lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
        w = lib.tensor(rng.standard_normal((out, shape[-1])).astype(np.float32), requires_grad=True)
        b = lib.tensor(rng.standard_normal(out).astype(np.float32), requires_grad=True)

        def run() -> Any:
            x.grad = w.grad = b.grad = None
            f.linear(x, w, b).sum().backward()
            return w.grad

        return run

    return {
        "cross_entropy": lambda: f.cross_entropy(s, y),
        "cross_entropy + backward": with_backward,
        "max(out, 1)": lambda: lib.max(s, 1)[0],
        "(pred == y).sum().item()": lambda: (lib.max(s, 1)[1] == y).sum().item(),
        "x.mean()": lambda: s.mean(),
        "zeros(64, 10)": lambda: lib.zeros(64, 10),
        "softmax(dim=1)": lambda: f.softmax(s, dim=1),
        "log_softmax(dim=1)": lambda: f.log_softmax(s, dim=1),
        "linear (35, 32, 128) -> 512, + backward": linear((35, 32, 128), 512),
        "linear (64, 10, 64) -> 256, + backward": linear((64, 10, 64), 256),
    }


def _value(v: Any) -> Any:
    if hasattr(v, "detach"):
        return np.asarray(v.detach().numpy())
    return np.asarray(v)


def per_call_us(fn: Callable[[], Any], repeat: int) -> float:
    """The best of ``repeat`` timings of ``fn``, in microseconds per call."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch is not installed: nothing to compare with")
        return 1
    torch.set_num_threads(1)
    pt.set_backend("numpy")
    ours, theirs = cases(pt), cases(torch)
    for name in ours:
        a, b = _value(ours[name]()), _value(theirs[name]())
        scale = float(np.abs(b).max()) if b.size else 0.0  # (float32 sums of ~1,000 terms)
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-4, atol=1e-5 * scale):
            print(f"{name}: polytensor and torch disagree; nothing timed")
            return 1
    load = OtherLoad()
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for name in ours:
            t_pt = per_call_us(ours[name], args.repeat)
            t_torch = per_call_us(theirs[name], args.repeat)
            rows.append((name, t_pt, t_torch))
    print(f"{COMMAND}")
    print(
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC at {revision()}; "
        f"{cpu_model()}; Python {platform.python_version()}, NumPy {np.__version__}, "
        f"torch {dist_version('torch')}; BLAS: "
        + ", ".join(f"{i.get('internal_api')} {i.get('architecture')}" for i in threadpool_info())
    )
    print()
    print("| operation | polytensor | torch | polytensor / torch |")
    print("| --- | --- | --- | --- |")
    for name, a, b in rows:
        print(f"| `{name}` | {a:.2f} us | {b:.2f} us | {a / b:.2f}x |")
    print()
    used = load.cores_used()
    shown = "an unknown share" if used is None else f"{used:.2f}"
    print(f"other processes used {shown} of 2 cores during the run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
