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


def main() -> int:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        print("torch is not installed: nothing to compare NumPy's products with")
        return 1
    print(f"Python {platform.python_version()}; {cpu_model()}")
    print(f"NumPy {np.__version__}, torch {torch.__version__}")
    for line in blas_lines():
        print(line)
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
