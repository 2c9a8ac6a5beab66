"""What polytensor's autograd costs, side by side with hand-written NumPy and other libraries.

(a) Training: the two-layer network of PyTorch's "Learning PyTorch with examples" (N=64,
    D_in=1000, H=100, D_out=10; ``y_pred = relu(x @ w1) @ w2``,
    ``loss = sum((y_pred - y)**2)``; 500 SGD steps at lr 1e-6) in float32 and float64:
    polytensor (NumPy backend, autograd), NumPy with hand-written backprop (the reference),
    torch (CPU, autograd) and MyGrad (autograd on NumPy). All start from the same weights;
    their final losses must agree. Time per step, and the ratio to hand-written NumPy
    (goal: polytensor <= 1.2x in both dtypes).
(b) Small ops: a chain of 1,000 recorded element-wise ops on 8-element float64 tensors
    (repeated: multiply by a scalar, add a leaf tensor, sin, subtract a constant tensor), then
    backward: time per op (forward + backward) for polytensor, torch, MyGrad and HIPS
    autograd (goal: polytensor <= 3.6 µs per op, about torch's C++ autograd here).

Every figure is a median over rounds; within a round the implementations take turns in
rotating order, so that drift of a noisy machine hits them alike. BLAS is pinned to one thread
with ``threadpoolctl`` (the kernel is printed) and torch to one thread. Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/autograd.py

Peers are optional and never dependencies of polytensor: ``.venv/bin/pip install torch==2.13.0
mygrad autograd``; a missing one is skipped with a message.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from tape import numpy_two_layer_step

import polytensor as pt

from _common import Candidate, measure
from _common import OtherLoad as _OtherLoad
from _common import blas_lines as _blas_lines
from _common import cpu_model as _cpu_model
from _common import dist_version as _dist_version
from _common import revision as _revision
from _common import verdict as _verdict

# This file is bench/autograd.py, and Python puts its folder first on sys.path when it runs as
# a script: without this, `import autograd` (HIPS autograd) would import this file again.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

N, D_IN, H, D_OUT = 64, 1000, 100, 10
LEARNING_RATE = 1e-6
STEPS = 500
CHAIN_OPS = 1000
CHAIN_SIZE = 8
GOAL_TRAIN_RATIO = 1.2
GOAL_CHAIN_US = 3.6
# Final losses after 500 steps agree to this relative tolerance: float32 rounding differs
# between BLAS kernels and summation orders, and the final loss is small (~1e-4) next to the
# first (~3e7), so its float32 value is mostly accumulated rounding.
LOSS_RTOL = {"float32": 0.05, "float64": 1e-6}
RECORD_COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/autograd.py"
)


# -- (a) the two-layer network ----------------------------------------------------------------


def initial_data(dtype: str, seed: int = 0) -> tuple[np.ndarray, ...]:
    """x, y, w1, w2 of the network, drawn on the host (float64 draws cast to ``dtype``).

    Examples
    --------
    >>> [a.shape for a in initial_data("float32")]
    [(64, 1000), (64, 10), (1000, 100), (100, 10)]
    """
    rng = np.random.default_rng(seed)
    shapes = ((N, D_IN), (N, D_OUT), (D_IN, H), (H, D_OUT))
    return tuple(rng.standard_normal(s).astype(dtype) for s in shapes)


_WEIGHTS: dict[tuple[str, tuple[int, ...]], tuple[np.ndarray, np.ndarray]] = {}


def start_weights(data: tuple[np.ndarray, ...]) -> tuple[np.ndarray, np.ndarray]:
    """w1 and w2 to train in place, set to the initial weights: the same two buffers for every
    implementation (x and y are shared too), so none gets luckier memory addresses (BLAS's
    speed varies by a few percent with the buffers' relative placement).

    Examples
    --------
    >>> d = initial_data("float64")
    >>> w1, w2 = start_weights(d)
    >>> bool((w1 == d[2]).all()) and start_weights(d)[0] is w1
    True
    """
    key = (data[2].dtype.str, data[2].shape)
    if key not in _WEIGHTS:
        _WEIGHTS[key] = (np.empty_like(data[2]), np.empty_like(data[3]))
    w1, w2 = _WEIGHTS[key]
    np.copyto(w1, data[2])
    np.copyto(w2, data[3])
    return w1, w2


def train_numpy(data: tuple[np.ndarray, ...], steps: int) -> float:
    """Hand-written forward and backward in NumPy (the tutorial's "Warm-up: numpy"); returns
    the last loss.

    Examples
    --------
    >>> train_numpy(initial_data("float64"), 3) < train_numpy(initial_data("float64"), 1)
    True
    """
    w1, w2 = start_weights(data)
    step = numpy_two_layer_step(data[0], data[1], w1, w2, w1.dtype.type(LEARNING_RATE))
    loss = np.nan
    for _ in range(steps):
        loss = step()
    return loss


def train_polytensor(data: tuple[np.ndarray, ...], steps: int) -> float:
    """polytensor on its NumPy backend: autograd, update under ``no_grad``; the last loss.

    Examples
    --------
    >>> d = initial_data("float64")
    >>> abs(train_polytensor(d, 3) - train_numpy(d, 3)) < 1e-6 * train_numpy(d, 3)
    True
    """
    with pt.use_backend("numpy"):
        x, y = pt.asarray(data[0]), pt.asarray(data[1])  # NumPy's memory, no copy
        w1, w2 = (pt.asarray(w, requires_grad=True) for w in start_weights(data))
        relu = pt.nn.functional.relu
        loss = None
        for _ in range(steps):
            y_pred = relu(x @ w1) @ w2
            loss = ((y_pred - y) ** 2).sum()
            loss.backward()
            with pt.no_grad():
                w1 -= LEARNING_RATE * w1.grad
                w2 -= LEARNING_RATE * w2.grad
            w1.grad = None
            w2.grad = None
        return float(loss.item()) if loss is not None else np.nan


def train_torch(torch: Any, data: tuple[np.ndarray, ...], steps: int) -> float:
    """torch (CPU) with autograd, the tutorial's loop; the last loss."""
    x, y = torch.from_numpy(data[0]), torch.from_numpy(data[1])
    w1, w2 = (torch.from_numpy(w).requires_grad_() for w in start_weights(data))
    loss = None
    for _ in range(steps):
        y_pred = torch.relu(x @ w1) @ w2
        loss = ((y_pred - y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            w1 -= LEARNING_RATE * w1.grad
            w2 -= LEARNING_RATE * w2.grad
        w1.grad = None
        w2.grad = None
    return float(loss.item()) if loss is not None else np.nan


def train_mygrad(mg: Any, data: tuple[np.ndarray, ...], steps: int) -> float:
    """MyGrad (autograd over NumPy arrays); the update writes the weights' arrays in place."""
    x = mg.tensor(data[0], constant=True, copy=False)
    y = mg.tensor(data[1], constant=True, copy=False)
    w1, w2 = (mg.tensor(w, copy=False) for w in start_weights(data))
    lr = data[2].dtype.type(LEARNING_RATE)
    loss = None
    for _ in range(steps):
        y_pred = mg.matmul(mg.nnet.relu(mg.matmul(x, w1)), w2)
        loss = mg.sum((y_pred - y) ** 2)
        loss.backward()
        w1.data -= lr * w1.grad
        w2.data -= lr * w2.grad
    return float(loss.item()) if loss is not None else np.nan


# -- (b) the chain of small ops ----------------------------------------------------------------


def chain_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x0, a, b: 8-element float64 arrays (x0 and a get gradients, b is a constant)."""
    return (
        np.linspace(0.1, 0.8, CHAIN_SIZE),
        np.full(CHAIN_SIZE, 0.25),
        np.full(CHAIN_SIZE, 0.125),
    )


def chain(sin: Callable[[Any], Any], x: Any, a: Any, b: Any) -> Any:
    """``CHAIN_OPS`` element-wise ops: x * 0.9, + a, sin, - b, repeated (values stay bounded).

    Examples
    --------
    >>> x0, a, b = chain_inputs()
    >>> bool(np.all(np.isfinite(chain(np.sin, x0, a, b))))
    True
    """
    for _ in range(CHAIN_OPS // 4):
        x = x * 0.9
        x = x + a
        x = sin(x)
        x = x - b
    return x


def chain_polytensor() -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    x0, a0, b0 = chain_inputs()
    with pt.use_backend("numpy"):
        x = pt.asarray(x0, copy=True, requires_grad=True)
        a = pt.asarray(a0, copy=True, requires_grad=True)
        b = pt.asarray(b0)

    def run() -> tuple[np.ndarray, np.ndarray]:
        x.grad = None
        a.grad = None
        chain(pt.sin, x, a, b).sum().backward()
        return x.grad.numpy(), a.grad.numpy()

    return run


def chain_torch(torch: Any) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    x0, a0, b0 = chain_inputs()
    x = torch.tensor(x0, requires_grad=True)
    a = torch.tensor(a0, requires_grad=True)
    b = torch.tensor(b0)

    def run() -> tuple[np.ndarray, np.ndarray]:
        x.grad = None
        a.grad = None
        chain(torch.sin, x, a, b).sum().backward()
        return x.grad.numpy(), a.grad.numpy()

    return run


def chain_mygrad(mg: Any) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    x0, a0, b0 = chain_inputs()
    x, a, b = mg.tensor(x0), mg.tensor(a0), mg.tensor(b0, constant=True)

    def run() -> tuple[np.ndarray, np.ndarray]:
        mg.sum(chain(mg.sin, x, a, b)).backward()
        return x.grad, a.grad

    return run


def chain_hips(autograd: Any) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    import autograd.numpy as anp

    x0, a0, b0 = chain_inputs()
    grad = autograd.grad(lambda x, a: anp.sum(chain(anp.sin, x, a, b0)), argnum=(0, 1))

    def run() -> tuple[np.ndarray, np.ndarray]:
        gx, ga = grad(x0, a0)
        return gx, ga

    return run


# -- measurement --------------------------------------------------------------------------------


def _optional(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        return None


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print the report; 1 if the implementations disagree.

    Examples
    --------
    >>> main(["--rounds", "1", "--steps", "2", "--chain-rounds", "1"])  # doctest: +SKIP
    0
    """
    parser = argparse.ArgumentParser(
        description="polytensor's autograd against hand-written NumPy, torch, MyGrad and HIPS "
        f"autograd. Record figures with: {RECORD_COMMAND}"
    )
    parser.add_argument(
        "--steps", type=int, default=STEPS, help=f"training steps per measurement (default {STEPS})"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=7,
        help="interleaved rounds of the training benchmark (default 7)",
    )
    parser.add_argument(
        "--chain-rounds",
        type=int,
        default=15,
        help="interleaved rounds of the op-chain benchmark (default 15)",
    )
    parser.add_argument(
        "--target",
        type=float,
        default=0.1,
        help="seconds one op-chain measurement should take (default 0.1)",
    )
    parser.add_argument("--only", choices=("train", "chain"), help="run one benchmark only")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    torch = _optional("torch")  # before pinning: torch loads its own thread pools
    if torch is not None:
        torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        return _report(args, torch, _optional("mygrad"), _optional("autograd"))


def _report(args: argparse.Namespace, torch: Any, mg: Any, hips: Any) -> int:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"polytensor autograd benchmark, {now}")
    print(
        f"python {platform.python_version()}, polytensor {pt.__version__}, "
        f"numpy {np.__version__}, torch {_dist_version('torch')}, "
        f"mygrad {_dist_version('mygrad')}, autograd (HIPS) {_dist_version('autograd')}"
    )
    print(f"polytensor source: {_revision()}")
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, {_cpu_model()}"
    )
    env = ", ".join(
        f"{k}={os.environ[k]}" if k in os.environ else f"{k} unset"
        for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")
    )
    print(f"environment: {env}")
    if "OPENBLAS_CORETYPE" in os.environ or "OPENBLAS_L2_SIZE" in os.environ:
        print(
            "  note: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE can force a slower BLAS kernel; "
            f"record figures with: {RECORD_COMMAND}"
        )
    print("BLAS (threadpoolctl, pinned to 1 thread):")
    for line in _blas_lines():
        print(f"  {line}")
    for name, mod in (("torch", torch), ("mygrad", mg), ("autograd (HIPS)", hips)):
        if mod is None:
            print(
                f"note: {name} is not importable; its column is skipped "
                f"(.venv/bin/pip install {name.split()[0]})"
            )
    sampler = _OtherLoad()
    status = 0
    if args.only in (None, "train"):
        status |= _train_report(args, torch, mg)
    if args.only in (None, "chain"):
        status |= _chain_report(args, torch, mg, hips)
    sampler.print_report()
    return status


def _train_report(args: argparse.Namespace, torch: Any, mg: Any) -> int:
    status = 0
    steps = args.steps
    candidates: dict[str, list[Candidate]] = {}
    losses: dict[tuple[str, str], float] = {}
    for dtype in ("float32", "float64"):
        data = initial_data(dtype)
        impls: list[tuple[str, Callable[[], float]]] = [
            ("numpy, hand-written backprop", lambda d=data: train_numpy(d, steps)),
            ("polytensor, numpy backend", lambda d=data: train_polytensor(d, steps)),
        ]
        if torch is not None:
            impls.append(
                (f"torch {torch.__version__} (CPU)", lambda d=data: train_torch(torch, d, steps))
            )
        if mg is not None:
            impls.append((f"mygrad {mg.__version__}", lambda d=data: train_mygrad(mg, d, steps)))
        candidates[dtype] = [Candidate(label, run) for label, run in impls]
        for label, run in impls:
            losses[(dtype, label)] = run()
    print()
    print(
        f"(a) two-layer network, N={N}, D_in={D_IN}, H={H}, D_out={D_OUT}, {steps} SGD steps "
        f"(lr {LEARNING_RATE}), forward relu(x @ w1) @ w2, loss sum((y_pred - y)**2)"
    )
    for dtype, cands in candidates.items():
        ref = losses[(dtype, cands[0].label)]
        for c in cands:
            got = losses[(dtype, c.label)]
            agree = abs(got - ref) <= LOSS_RTOL[dtype] * abs(ref)
            if not agree:
                status = 1
            print(
                f"  {dtype}: final loss {got:.6g}  {c.label}"
                f"{'' if agree else f'  ERROR: differs from numpy ({ref:.6g})'}"
            )
    print(
        f"  (final losses agree within rtol {LOSS_RTOL['float32']} in float32, "
        f"{LOSS_RTOL['float64']} in float64)"
        if status == 0
        else "  FINAL LOSSES DISAGREE"
    )

    everything = [c for cands in candidates.values() for c in cands]
    measure(everything, args.rounds, target_s=0.0)  # one training run per measurement
    print(f"  time per step, median of {args.rounds} interleaved rounds of {steps} steps each:")
    print(
        f"  {'implementation':<36}{'float32 ms':>12}{'x numpy':>9}{'float64 ms':>12}{'x numpy':>9}"
    )
    ratios: dict[tuple[str, str], float] = {}
    for dtype, cands in candidates.items():
        ref = cands[0]
        for c in cands:
            ratios[(dtype, c.label)] = statistics.median(
                t / r for t, r in zip(c.times, ref.times, strict=True)
            )
    for i, c32 in enumerate(candidates["float32"]):
        c64 = candidates["float64"][i]
        ms32 = statistics.median(c32.times) / steps * 1e3
        ms64 = statistics.median(c64.times) / steps * 1e3
        print(
            f"  {c32.label:<36}{ms32:>12.3f}{ratios[('float32', c32.label)]:>8.2f}x"
            f"{ms64:>12.3f}{ratios[('float64', c64.label)]:>8.2f}x"
        )
    print("  minor page faults per step (median; memory the allocator got back from the kernel):")
    for i, c32 in enumerate(candidates["float32"]):
        c64 = candidates["float64"][i]
        print(
            f"  {c32.label:<36}{statistics.median(c32.faults) / steps:>12.1f}"
            f"{'':>9}{statistics.median(c64.faults) / steps:>12.1f}"
        )
    p32 = ratios[("float32", candidates["float32"][1].label)]
    p64 = ratios[("float64", candidates["float64"][1].label)]
    print(
        f"  goal: polytensor <= {GOAL_TRAIN_RATIO}x hand-written numpy in both dtypes "
        f"(median of paired rounds): float32 {p32:.2f}x, float64 {p64:.2f}x: "
        f"{_verdict(p32 <= GOAL_TRAIN_RATIO and p64 <= GOAL_TRAIN_RATIO)}"
    )
    return status


def _chain_report(args: argparse.Namespace, torch: Any, mg: Any, hips: Any) -> int:
    status = 0
    runs: list[tuple[str, Callable[[], tuple[np.ndarray, np.ndarray]]]] = [
        ("polytensor, numpy backend", chain_polytensor())
    ]
    if torch is not None:
        runs.append((f"torch {torch.__version__} (CPU)", chain_torch(torch)))
    if mg is not None:
        runs.append((f"mygrad {mg.__version__}", chain_mygrad(mg)))
    if hips is not None:
        runs.append((f"autograd (HIPS) {_dist_version('autograd')}", chain_hips(hips)))
    print()
    print(
        f"(b) chain of {CHAIN_OPS} recorded element-wise ops (x * 0.9, + a, sin, - b, repeated) "
        f"on {CHAIN_SIZE}-element float64 tensors, forward + backward"
    )
    ref = runs[0][1]()
    for label, run in runs[1:]:
        got = run()
        for name, g, r in zip(("x", "a"), got, ref, strict=True):
            if not np.allclose(g, r, rtol=1e-10, atol=1e-14):
                print(f"  ERROR: {label}'s gradient of {name} differs from polytensor's")
                status = 1
    if status == 0:
        print(f"  gradients of x and a agree across the {len(runs)} implementations (rtol 1e-10)")
    cands = [Candidate(label, run) for label, run in runs]
    measure(cands, args.chain_rounds, args.target)
    print(f"  time per op, median of {args.chain_rounds} interleaved rounds:")
    print(f"  {'implementation':<36}{'per op (µs)':>12}")
    for c in cands:
        us = statistics.median(c.times) / CHAIN_OPS * 1e6
        note = (
            f"  goal <= {GOAL_CHAIN_US} µs: {_verdict(us <= GOAL_CHAIN_US)}"
            if c is cands[0]
            else ""
        )
        print(f"  {c.label:<36}{us:>12.2f}{note}")
    return status


if __name__ == "__main__":
    sys.exit(main())
