"""Tensor basics and the NumPy bridge, after PyTorch's "What is PyTorch?" tutorial.

Creation with PyTorch-style shapes, arithmetic (operator, function, ``out=``, in-place
``add_``), indexing, ``view``, reductions with ``dim=``, ``item()``, and the NumPy bridge:
``x.numpy()`` and ``pt.from_numpy(a)`` share memory on the NumPy backend and copy elsewhere.

Run it with::

    .venv/bin/python examples/tensor_basics.py                  # NumPy backend
    .venv/bin/python examples/tensor_basics.py --backend dask   # or POLYTENSOR_BACKEND=dask

On a lazy backend (Dask) printing a tensor shows ``<lazy shape=...>``; this script then also
prints the computed values.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import numpy as np

import polytensor as pt


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: ``--backend`` (default: ``POLYTENSOR_BACKEND`` or numpy)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend",
        default=os.environ.get("POLYTENSOR_BACKEND") or "numpy",
        help="polytensor backend (numpy, dask, array_api_strict, cupy)",
    )
    return parser.parse_args(argv)


def show(label: str, t: Any) -> None:
    """Print ``t``; on a lazy backend also its computed values."""
    print(f"{label} = {t!r}")
    if isinstance(t, pt.Tensor) and pt.get_backend().lazy:
        print(f"    computed: {t.detach().numpy()!r}")


def creation() -> None:
    print("== Creating tensors (PyTorch-style shapes: pt.zeros(5, 3) as well as (5, 3))")
    x = pt.empty(5, 3)
    print(f"pt.empty(5, 3): shape {x.shape}, dtype {x.dtype} (uninitialised values)")
    show("pt.rand(5, 3)", pt.rand(5, 3))
    show("pt.zeros(5, 3, dtype=pt.long)", pt.zeros(5, 3, dtype=pt.long))
    x = pt.tensor([5.5, 3])
    show("pt.tensor([5.5, 3])", x)
    x = x.new_ones(5, 3, dtype=pt.double)  # new_* take the shape, override the dtype
    show("x.new_ones(5, 3, dtype=pt.double)", x)
    x = pt.randn_like(x, dtype=pt.float)
    show("pt.randn_like(x, dtype=pt.float)", x)
    # Note: the Array API standard wins over PyTorch: x.size is the element count, x.shape
    # the shape (PyTorch's x.size()).
    print(f"x.shape = {x.shape}, x.size = {x.size} (elements), len(x) = {len(x)}")


def operations() -> None:
    print("\n== Operations")
    x, y = pt.rand(5, 3), pt.rand(5, 3)
    show("x + y", x + y)
    show("pt.add(x, y)", pt.add(x, y))
    result = pt.empty(5, 3)
    pt.add(x, y, out=result)
    show("pt.add(x, y, out=result); result", result)
    y.add_(x)  # in-place methods end in an underscore and change y
    show("y.add_(x); y", y)
    equal = bool(pt.all(result == y))
    print(f"y after add_ equals result of pt.add: {equal}")
    show("x[:, 1] (NumPy-like indexing)", x[:, 1])
    show("x.sum(dim=0)", x.sum(dim=0))
    show("x.mean(dim=1)", x.mean(dim=1))
    show("x.t().mm(x) (3 x 3)", x.t().mm(x))

    x = pt.randn(4, 4)
    y = x.view(16)
    z = x.view(-1, 8)  # -1: inferred from the other dimensions
    print(f"view: x {x.shape}, x.view(16) {y.shape}, x.view(-1, 8) {z.shape}")
    x = pt.randn(1)
    show("x = pt.randn(1)", x)
    print(f"x.item() = {x.item()!r} (a Python {type(x.item()).__name__})")


def numpy_bridge(backend: str) -> None:
    print("\n== The NumPy bridge")
    a = pt.ones(5)
    b = a.numpy()
    a.add_(1)
    shared = bool(b[0] == 2.0)
    print(f"a = pt.ones(5); b = a.numpy(); a.add_(1); b = {b}")
    print(
        f"numpy() shares memory with the tensor: {shared} "
        f"(expected {backend == 'numpy'}: shared on numpy, a copy elsewhere)"
    )

    a = np.ones(5)
    b = pt.from_numpy(a)  # over a's memory on the NumPy backend, a copy on the others
    np.add(a, 1, out=a)
    shared = bool(b[0] == 2.0)
    print(f"a = np.ones(5); b = pt.from_numpy(a); np.add(a, 1, out=a); b = {b!r}")
    print(f"from_numpy() shares memory with the array: {shared} (expected {backend == 'numpy'})")
    c = b.to(backend)  # moving it to the current backend copies unless that is numpy
    a += 1
    moved_shared = bool(c.numpy()[0] == 3.0)
    print(
        f"b.to({backend!r}) still shares memory with the array: {moved_shared} "
        f"(expected {backend == 'numpy'})"
    )


def backends() -> None:
    print("\n== Tensors on other backends (PyTorch's CUDA tensors)")
    for name, status in pt.backends.available().items():
        print(f"  {name}: {status}")
    x = pt.ones(2)
    y = x.to("numpy")  # move between backends with .to(...), like .to("cuda")
    show(f"pt.ones(2).to('numpy') (from {pt.get_backend().name})", y)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        pt.set_backend(args.backend)
    except (ValueError, ImportError) as e:  # unknown, or unavailable here: say why
        print(f"cannot use backend {args.backend!r}: {e}", file=sys.stderr)
        return 2
    print(f"backend: {pt.get_backend().name}")
    pt.manual_seed(0)
    creation()
    operations()
    numpy_bridge(args.backend)
    backends()
    return 0


if __name__ == "__main__":
    sys.exit(main())
