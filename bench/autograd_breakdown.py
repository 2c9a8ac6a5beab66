"""Where a training step of ``bench/autograd.py`` spends polytensor's extra time.

(a) The two-layer network's step (N=64, D_in=1000, H=100, D_out=10), timed part by part with
    ``time.perf_counter`` inside the loop, for polytensor (NumPy backend) and hand-written NumPy:
    forward (to the loss), backward (``loss.backward()`` against the hand-written gradients),
    update (``w -= lr * w.grad`` for both weights and resetting the gradients).
(b) The same step with D_in=10, where the matmuls are tiny, so that what is left is the
    framework's Python time; once as it is, once with two 1.6 MB memory copies per step, which
    evict the interpreter's objects from the CPU caches as the D_in=1000 matmuls do. The extra
    time per step (polytensor minus NumPy, the copies being in both) shows what cache misses do
    to the same Python work.

Medians over the steps of one run (after 300 warm-up steps); figures are per step. Record them
with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/autograd_breakdown.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

import polytensor as pt

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
import autograd as bench  # noqa: E402  (bench/autograd.py: the benchmark's data and weights)

from _common import OtherLoad, blas_lines, revision  # noqa: E402

sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

PARTS = ("forward", "backward", "update")
_pc = time.perf_counter


def _data(dtype: str, d_in: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(0)
    shapes = ((bench.N, d_in), (bench.N, bench.D_OUT), (d_in, bench.H), (bench.H, bench.D_OUT))
    return tuple(rng.standard_normal(s).astype(dtype) for s in shapes)


def polytensor_parts(
    data: tuple[np.ndarray, ...], steps: int, pollute: Callable[[], None] | None = None
) -> list[tuple[float, ...]]:
    """Seconds of (forward, backward, update) per step, polytensor on NumPy.

    Examples
    --------
    >>> len(polytensor_parts(_data("float64", 10), 3))
    3
    """
    x, y = pt.asarray(data[0]), pt.asarray(data[1])
    w1, w2 = (pt.asarray(w, requires_grad=True) for w in bench.start_weights(data))
    relu = pt.nn.functional.relu
    lr = bench.LEARNING_RATE
    out = []
    for _ in range(steps):
        t0 = _pc()
        if pollute is not None:
            pollute()
        loss = ((relu(x @ w1) @ w2 - y) ** 2).sum()
        t1 = _pc()
        if pollute is not None:
            pollute()
        loss.backward()
        t2 = _pc()
        with pt.no_grad():
            w1 -= lr * w1.grad
            w2 -= lr * w2.grad
        w1.grad = None
        w2.grad = None
        t3 = _pc()
        out.append((t1 - t0, t2 - t1, t3 - t2))
    return out


def numpy_parts(
    data: tuple[np.ndarray, ...], steps: int, pollute: Callable[[], None] | None = None
) -> list[tuple[float, ...]]:
    """Seconds of (forward, backward, update) per step, hand-written NumPy.

    Examples
    --------
    >>> len(numpy_parts(_data("float64", 10), 3))
    3
    """
    x, y = data[0], data[1]
    w1, w2 = bench.start_weights(data)
    lr = w1.dtype.type(bench.LEARNING_RATE)
    out = []
    for _ in range(steps):
        t0 = _pc()
        if pollute is not None:
            pollute()
        h = x @ w1
        h_relu = np.maximum(h, 0)
        diff = h_relu @ w2 - y
        np.square(diff).sum()
        t1 = _pc()
        if pollute is not None:
            pollute()
        grad_y_pred = 2 * diff
        grad_w2 = h_relu.T @ grad_y_pred
        grad_h = grad_y_pred @ w2.T
        grad_h[h < 0] = 0
        grad_w1 = x.T @ grad_h
        t2 = _pc()
        w1 -= lr * grad_w1
        w2 -= lr * grad_w2
        t3 = _pc()
        out.append((t1 - t0, t2 - t1, t3 - t2))
    return out


def _medians(parts: list[tuple[float, ...]], warmup: int) -> list[float]:
    rows = parts[warmup:]
    return [statistics.median(r[i] for r in rows) * 1e6 for i in range(len(PARTS))]


def main(argv: list[str] | None = None) -> int:
    """Print both breakdowns.

    Examples
    --------
    >>> main(["--steps", "40", "--warmup", "10"])  # doctest: +SKIP
    0
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=3000, help="steps per run (default 3000)")
    parser.add_argument("--warmup", type=int, default=300, help="steps left out (default 300)")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        sampler = OtherLoad()
        print(f"polytensor autograd breakdown; source {revision()}; numpy {np.__version__}")
        for line in blas_lines():
            print(f"  {line}")
        print()
        print("(a) one training step, D_in=1000, median µs per step:")
        print(f"  {'dtype':<9}{'part':<10}{'polytensor':>12}{'numpy':>10}{'extra':>10}")
        for dtype in ("float32", "float64"):
            data = _data(dtype, bench.D_IN)
            p = _medians(polytensor_parts(data, args.steps), args.warmup)
            n = _medians(numpy_parts(data, args.steps), args.warmup)
            for part, a, b in zip(PARTS, p, n, strict=True):
                print(f"  {dtype:<9}{part:<10}{a:>12.1f}{b:>10.1f}{a - b:>+10.1f}")
            print(
                f"  {dtype:<9}{'total':<10}{sum(p):>12.1f}{sum(n):>10.1f}{sum(p) - sum(n):>+10.1f}"
            )
        print()
        print("(b) the float32 step with D_in=10 (tiny matmuls), extra µs per step over NumPy:")
        big = np.ones(400_000, dtype=np.float32)  # 1.6 MB
        scratch = np.empty_like(big)

        def pollute() -> None:
            np.copyto(scratch, big)

        data = _data("float32", 10)
        for label, fn in (("as it is", None), ("with 2 x 1.6 MB copies per step", pollute)):
            p = _medians(polytensor_parts(data, args.steps, fn), args.warmup)
            n = _medians(numpy_parts(data, args.steps, fn), args.warmup)
            print(
                f"  {label:<34} polytensor {sum(p):7.1f}  numpy {sum(n):7.1f}  "
                f"extra {sum(p) - sum(n):+7.1f}"
            )
        sampler.print_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
