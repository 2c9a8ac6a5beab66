"""How much polytensor adds on top of the library it runs on, measured side by side in one run.

(a) Per-op time of a chain of 1,000 small element-wise ops (sin, exp, subtract, multiply, add,
    tanh, divide, cos) on 8-element float64 arrays: polytensor on its NumPy backend, the same
    chain on raw NumPy arrays, and the difference (polytensor's overhead per op); the raw
    array-api-strict namespace and, when it is importable, torch as peers; and, for
    information, polytensor while recording autograd (``requires_grad=True``) and with ``a``
    and ``b`` ``nn.Parameter`` objects (a Tensor subclass; constants here).
(b) A 1000x1000 float64 matmul: polytensor's time over NumPy's.

Every figure is a median over rounds of ``timeit`` measurements, and the implementations take
turns within each round (interleaved, in rotating order) so that drift of the machine hits all
of them alike. BLAS is pinned to one thread with ``threadpoolctl``, and the BLAS kernel that
runs is printed. Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/overhead.py

(``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE``, set on some machines for older OpenBLAS
builds, make a current NumPy pick a slower kernel; unset them for this command only.)
torch is optional and never a dependency of polytensor: ``.venv/bin/pip install torch==2.13.0``.
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

import polytensor as pt

from _common import Candidate, measure
from _common import OtherLoad as _OtherLoad
from _common import blas_lines as _blas_lines
from _common import cpu_model as _cpu_model
from _common import dist_version as _dist_version
from _common import revision as _revision
from _common import verdict as _verdict

N_OPS = 1000
SIZE = 8
MATMUL_N = 1000
GOAL_PER_OP_US = 1.0
GOAL_MATMUL_RATIO = 1.02
OPS = ("sin", "exp", "subtract", "multiply", "add", "tanh", "divide", "cos")
RECORD_COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/overhead.py"
)


def chain(xp: Any, x: Any, a: Any, b: Any) -> Any:
    """Apply ``N_OPS`` element-wise functions of namespace ``xp`` to ``x`` (values stay bounded).

    ``a`` and ``b`` are arrays of ``x``'s shape and type; the same code runs on NumPy,
    polytensor, array-api-strict and torch, which all spell these functions alike.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0.1, 0.8, 8)
    >>> y = chain(np, x, np.full(8, 0.5), np.full(8, 0.75))
    >>> y.shape, bool(np.all(np.isfinite(y)))
    ((8,), True)
    """
    sin, exp, subtract, multiply = xp.sin, xp.exp, xp.subtract, xp.multiply
    add, tanh, divide, cos = xp.add, xp.tanh, xp.divide, xp.cos
    for _ in range(N_OPS // len(OPS)):
        x = sin(x)
        x = exp(x)
        x = subtract(x, a)
        x = multiply(x, b)
        x = add(x, a)
        x = tanh(x)
        x = divide(x, b)
        x = cos(x)
    return x


def _import_torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)  # like BLAS below: one thread for every implementation
    return torch


def chain_candidates(torch: Any) -> list[Candidate]:
    """The implementations of the op chain: NumPy, polytensor, array-api-strict, torch.

    Examples
    --------
    >>> [c.label for c in chain_candidates(None)][:2]
    ['numpy (raw ndarray)', 'polytensor, numpy backend']
    """
    x0 = np.linspace(0.1, 0.8, SIZE)
    a0 = np.full(SIZE, 0.5)
    b0 = np.full(SIZE, 0.75)
    out: list[Candidate] = []

    def add(label: str, xp: Any, x: Any, a: Any, b: Any, to_numpy: Callable[[Any], Any]) -> None:
        out.append(
            Candidate(label, lambda: chain(xp, x, a, b), lambda: to_numpy(chain(xp, x, a, b)))
        )

    add("numpy (raw ndarray)", np, x0, a0, b0, np.asarray)
    with pt.use_backend("numpy"):
        x, a, b = pt.asarray(x0), pt.asarray(a0), pt.asarray(b0)
        xg = pt.asarray(x0, copy=True, requires_grad=True)
        pa, pb = (pt.nn.Parameter(t, requires_grad=False) for t in (a, b))
    add("polytensor, numpy backend", pt, x, a, b, lambda t: t.numpy())
    try:
        import array_api_strict as xps
    except ImportError:
        pass
    else:
        add(
            "array_api_strict (raw namespace)",
            xps,
            xps.asarray(x0),
            xps.asarray(a0),
            xps.asarray(b0),
            lambda t: np.asarray(t),
        )
    if torch is not None:
        add(
            f"torch {torch.__version__} (raw tensors)",
            torch,
            torch.from_numpy(x0),
            torch.from_numpy(a0),
            torch.from_numpy(b0),
            lambda t: t.numpy(),
        )
    add("polytensor, requires_grad=True (records)", pt, xg, a, b, lambda t: t.detach().numpy())
    add("polytensor, a and b nn.Parameters", pt, x, pa, pb, lambda t: t.numpy())
    return out


def matmul_candidates() -> list[Candidate]:
    """``A @ B`` for 1000x1000 float64 on NumPy and on polytensor's NumPy backend.

    Examples
    --------
    >>> [c.label for c in matmul_candidates()]
    ['numpy', 'polytensor']
    """
    rng = np.random.default_rng(0)
    a0 = rng.standard_normal((MATMUL_N, MATMUL_N))
    b0 = rng.standard_normal((MATMUL_N, MATMUL_N))
    with pt.use_backend("numpy"):
        a, b = pt.asarray(a0), pt.asarray(b0)
    return [
        Candidate("numpy", lambda: a0 @ b0, lambda: a0 @ b0),
        Candidate("polytensor", lambda: a @ b, lambda: (a @ b).numpy()),
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report; return 1 if implementations disagree.

    Examples
    --------
    >>> main(["--rounds", "1", "--matmul-rounds", "1", "--target", "0.001"])  # doctest: +SKIP
    0
    """
    parser = argparse.ArgumentParser(
        description="polytensor per-op overhead and matmul ratio against NumPy. "
        f"Record figures with: {RECORD_COMMAND}"
    )
    parser.add_argument(
        "--rounds", type=int, default=15, help="interleaved rounds for the op chain (default 15)"
    )
    parser.add_argument(
        "--matmul-rounds",
        type=int,
        default=15,
        help="interleaved rounds for the matmul (default 15)",
    )
    parser.add_argument(
        "--target",
        type=float,
        default=0.05,
        help="seconds one measurement should take (default 0.05)",
    )
    parser.add_argument("--no-torch", action="store_true", help="leave torch out")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    torch = None if args.no_torch else _import_torch()  # before pinning: it loads its own pools
    with threadpool_limits(limits=1):
        return _report(args, torch)


def _report(args: argparse.Namespace, torch: Any) -> int:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"polytensor overhead benchmark, {now}")
    print(
        f"python {platform.python_version()}, polytensor {pt.__version__}, "
        f"numpy {np.__version__}, array-api-strict {_dist_version('array-api-strict')}, "
        f"torch {torch.__version__ if torch is not None else 'not installed'}"
    )
    print(f"polytensor source: {_revision()}")
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, {_cpu_model()}"
    )
    sampler = _OtherLoad()
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

    status = 0
    chains = chain_candidates(torch)
    ref = chains[0].result()
    for c in chains[1:]:
        if not np.allclose(c.result(), ref, rtol=1e-12, atol=0):
            print(f"ERROR: {c.label} computes a different chain result than NumPy")
            status = 1
    measure(chains, args.rounds, args.target, warmup=3)
    per_op = {c.label: statistics.median(c.times) / N_OPS * 1e6 for c in chains}
    print()
    print(
        f"(a) chain of {N_OPS} element-wise ops ({', '.join(OPS)}) on {SIZE}-element float64 "
        f"arrays; median of {args.rounds} interleaved rounds"
    )
    print(f"  {'implementation':<44}{'per op (µs)':>12}")
    np_us = per_op[chains[0].label]
    for c in chains:
        us = per_op[c.label]
        note = ""
        if c is chains[1]:
            note = f"  goal <= {GOAL_PER_OP_US:.2f} µs: {_verdict(us <= GOAL_PER_OP_US)}"
        elif "records" in c.label:
            note = "  (information: builds the autograd graph)"
        elif "Parameters" in c.label:
            note = "  (information: a Tensor subclass's operands)"
        print(f"  {c.label:<44}{us:>12.3f}{note}")
        if c is chains[1]:
            print(
                f"  {'  polytensor overhead (difference to numpy)':<44}{us - np_us:>12.3f}"
                f"  ({us / np_us:.2f}x numpy)"
            )

    mms = matmul_candidates()
    if not np.allclose(mms[1].result(), mms[0].result(), rtol=1e-12, atol=1e-9):
        print("ERROR: polytensor's matmul differs from NumPy's")
        status = 1
    measure(mms, args.matmul_rounds, 2 * args.target, warmup=3)  # a few calls each
    np_ms = statistics.median(mms[0].times) * 1e3
    pt_ms = statistics.median(mms[1].times) * 1e3
    paired = statistics.median(p / n for n, p in zip(mms[0].times, mms[1].times, strict=True))
    print()
    print(
        f"(b) {MATMUL_N}x{MATMUL_N} float64 matmul (a @ b); median of {args.matmul_rounds} "
        f"interleaved rounds"
    )
    print(f"  numpy        {np_ms:9.2f} ms")
    print(f"  polytensor   {pt_ms:9.2f} ms")
    print(
        f"  ratio polytensor / numpy {paired:.3f}x (median of paired rounds)  "
        f"goal <= {GOAL_MATMUL_RATIO:.2f}x: {_verdict(paired <= GOAL_MATMUL_RATIO)}"
    )
    sampler.print_report()
    return status


if __name__ == "__main__":
    sys.exit(main())
