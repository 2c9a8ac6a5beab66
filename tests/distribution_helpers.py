"""What the distribution tests share: a tensor's values on the host, float64 tensors of
values, and the check that one seed gives the same draws on every available CPU backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import polytensor as pt

CPU_BACKENDS = ("numpy", "dask", "array_api_strict")


def host(t: Any) -> np.ndarray:
    """``t``'s values as a NumPy array (detached, from any backend)."""
    return np.asarray(t.detach().to("numpy").numpy())


def f64(a: Any, requires_grad: bool = False) -> Any:
    """A float64 tensor of ``a`` on the current backend."""
    return pt.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def assert_same_draws(make: Callable[[], Any], n: int, name: str, atol: float = 0.0) -> None:
    """``make()``'s distribution drawn ``n`` times after one seed on every available CPU
    backend: the same numbers as on NumPy."""
    draws = {}
    for b in CPU_BACKENDS:
        if pt.backends.available().get(b) != "available":
            continue
        pt.set_backend(b)
        pt.manual_seed(11)
        draws[b] = host(make().sample((n,)))
    first = draws.pop("numpy")
    for b, d in draws.items():
        np.testing.assert_allclose(d, first, rtol=1e-12, atol=atol, err_msg=f"{name} on {b}")
