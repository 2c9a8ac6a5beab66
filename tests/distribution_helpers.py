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


def assert_lazy_on_dask(make: Callable[[], Any], name: str, dask_computes: Any) -> None:
    """``make()``'s distribution on Dask, its arguments unchecked: drawing and ``log_prob``
    compute nothing (``dask_computes``: conftest's counter) and give Dask arrays."""
    import pytest

    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask: not available")
    pt.set_backend("dask")
    pt.distributions.Distribution.set_default_validate_args(False)
    try:
        d = make()
        draws = d.sample((3,))
        out = d.log_prob(draws)
    finally:
        pt.distributions.Distribution.set_default_validate_args(True)
    assert dask_computes.calls == 0, name
    assert all(type(t._data).__module__.startswith("dask") for t in (out, draws))
