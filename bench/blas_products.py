"""The matrix products of ``tape.py``'s workloads in NumPy's BLAS and in torch's, one thread.

A tape over NumPy runs NumPy's matrix products; torch runs its own (MKL on x86). Where torch's
are faster, its ratio to NumPy by hand in ``tape.py`` is lower by that much, whatever its tape
costs. The products: the two-layer network's ``x @ w1`` (64x1000 by 1000x100) and ``x.T @ g``
(1000x64 by 64x100) in float32 and float64, and the MLP's first layer ``a @ W.T`` (256x784 by
784x1024, float32). Best of 7 ``timeit`` measurements of 20 calls each, NumPy and torch taking
turns. Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/blas_products.py

torch is optional and never a dependency of polytensor (without it the script says so).

Two more tables bound what any tape over NumPy can gain on the two-layer step, NumPy alone:

- the update ``w1 -= lr * w1.grad`` (1000x100) as the tutorials write it, two passes over
  memory and a temporary, against one pass, BLAS's ``axpy`` (SciPy's, where SciPy is
  installed): the one pass a tape could save, were the product deferred to the subtraction;
- the weight gradient ``x.T @ g`` against the other orientation ``(g.T @ x).T`` (the same
  numbers, another BLAS kernel), and the update with each (the second is laid out in
  Fortran order, which the element-wise update pays for).

Examples
--------
>>> [name for name, _, _ in products()][:2]
['two-layer x @ w1, float32', 'two-layer x.T @ g, float32']
"""

from __future__ import annotations

import platform
import sys
import timeit
from typing import Any

import numpy as np

from _common import blas_lines, cpu_model


def products() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, a, b) of each product ``a @ b``."""
    rng = np.random.default_rng(0)
    out = []
    for dtype in ("float32", "float64"):
        x = rng.standard_normal((64, 1000)).astype(dtype)
        w = rng.standard_normal((1000, 100)).astype(dtype)
        g = rng.standard_normal((64, 100)).astype(dtype)
        out.append((f"two-layer x @ w1, {dtype}", x, w))
        out.append((f"two-layer x.T @ g, {dtype}", x.T, g))
    a = rng.standard_normal((256, 784)).astype(np.float32)
    big = rng.standard_normal((1024, 784)).astype(np.float32)
    out.append(("MLP a @ W.T, float32", a, big.T))
    return out


def best_us(f: Any) -> float:
    return min(timeit.repeat(f, number=20, repeat=7)) / 20 * 1e6


def passes_tables() -> None:
    """Print the update's and the weight gradient's tables (NumPy, SciPy's BLAS)."""
    rng = np.random.default_rng(0)
    try:
        from scipy.linalg import blas
    except ImportError:
        blas = None
        print("SciPy is not installed: no one-pass axpy to compare the update with")
    print("\n| update of w1 (1000x100) | `w -= lr * g` | one pass (axpy) | ratio |")
    print("|---|---|---|---|")
    for dtype in ("float32", "float64"):
        w = rng.standard_normal((1000, 100)).astype(dtype)
        g = rng.standard_normal((1000, 100)).astype(dtype)
        lr = np.dtype(dtype).type(1e-6)
        two = best_us(lambda w=w, g=g, lr=lr: w.__isub__(lr * g))
        if blas is None:
            print(f"| {dtype} | {two:.1f} us | n/a | n/a |")
            continue
        axpy = blas.saxpy if dtype == "float32" else blas.daxpy
        wf, gf = w.reshape(-1), g.reshape(-1)  # (views: axpy updates w in place)
        one = best_us(lambda wf=wf, gf=gf, axpy=axpy, lr=lr: axpy(gf, wf, a=-lr))
        print(f"| {dtype} | {two:.1f} us | {one:.1f} us | {two / one:.2f} |")
    print("\n| weight gradient (1000x64 by 64x100) | `x.T @ g` | `(g.T @ x).T` | update with it |")
    print("|---|---|---|---|")
    for dtype in ("float32", "float64"):
        x = rng.standard_normal((64, 1000)).astype(dtype)
        g = rng.standard_normal((64, 100)).astype(dtype)
        w = rng.standard_normal((1000, 100)).astype(dtype)
        c_order, f_order = x.T @ g, (g.T @ x).T
        if not np.allclose(c_order, f_order, rtol=1e-4, atol=1e-4):
            raise SystemExit("the two orientations disagree")
        t_c = best_us(lambda x=x, g=g: x.T @ g)
        t_f = best_us(lambda x=x, g=g: (g.T @ x).T)
        u_c = best_us(lambda w=w, c=c_order: w.__isub__(1e-6 * c))
        u_f = best_us(lambda w=w, f=f_order: w.__isub__(1e-6 * f))
        print(
            f"| {dtype} | {t_c:.1f} us | {t_f:.1f} us | {u_c:.1f} us (C order) / "
            f"{u_f:.1f} us (Fortran order) |"
        )


def main() -> int:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    print(f"Python {platform.python_version()}; {cpu_model()}; NumPy {np.__version__}")
    for line in blas_lines():
        print(line)
    passes_tables()
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        print("torch is not installed: nothing to compare NumPy's products with")
        return 1
    print(f"\ntorch {torch.__version__}")
    print("\n| product | NumPy | torch | NumPy / torch |\n|---|---|---|---|")
    for label, a, b in products():
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        if not np.allclose((ta @ tb).numpy(), a @ b, rtol=1e-3, atol=1e-3):
            print(f"{label}: NumPy and torch disagree")
            return 1
        t_np = best_us(lambda a=a, b=b: a @ b)
        t_torch = best_us(lambda ta=ta, tb=tb: ta @ tb)
        print(f"| {label} | {t_np:.1f} us | {t_torch:.1f} us | {t_np / t_torch:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
