"""Dask tensors that hold host constants answer ``bool()``, ``float()`` and ``item()`` without
running a scheduler.

Array-API libraries make constants with ``asarray`` (SciPy's ``moment`` turns its ``order`` into
an array and tests it with ``bool()`` eight times: ``if order == 0``, ``while n > 2``). On Dask
such a 0-d array's graph is its value, and an op whose array arguments are all such scalars gives
one too (the NumPy function applied at once: ``_dask_small.fold``), so reading them runs nothing.
Anything that depends on a computation (the user's data, a reduction of it) stays lazy and
computes when read, as before.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import polytensor as pt


@pytest.fixture
def dask_backend() -> Any:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not installed")
    with pt.use_backend("dask", chunks=2):
        yield


def test_tests_of_a_library_constant_run_no_scheduler(
    dask_backend: None, dask_computes: Any
) -> None:
    order = pt.asarray(3, dtype=pt.float64)
    assert not bool(pt.any(order != pt.round(order)))
    assert not bool(order == 0)
    n = order
    steps = []
    while n > 2:
        n = (n - 1) / 2 if n % 2 else n / 2
        steps.append(float(n))
    assert steps == [1.0]
    assert (order * 2).item() == 6.0
    assert dask_computes.calls == 0


def test_a_folded_constant_is_still_a_dask_tensor_with_its_value(dask_backend: None) -> None:
    c = pt.asarray(np.asarray(2.5)) ** 2
    assert c._backend.name == "dask"
    assert type(c._data).__module__.startswith("dask")
    got = c.numpy()
    assert got == 6.25
    got[...] = 0.0  # a copy: the tensor keeps its value
    assert c.item() == 6.25


def test_anything_that_depends_on_a_computation_still_computes_when_read(
    dask_backend: None, dask_computes: Any
) -> None:
    x = pt.asarray(np.array([3.0, 4.0]), requires_grad=True)
    order = pt.asarray(2.0, dtype=pt.float64)
    total = (x**order).sum()  # the user's data: lazy
    assert dask_computes.calls == 0
    assert bool(total > order)
    assert dask_computes.calls == 1
    total.backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 8.0])


def test_a_floating_point_error_of_constants_is_left_to_compute_time(
    dask_backend: None, dask_computes: Any
) -> None:
    zero = pt.asarray(0.0, dtype=pt.float64)
    q = zero / zero  # not folded: NumPy's warning comes when (and if) it is computed
    assert dask_computes.calls == 0
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert np.isnan(q.item())
    assert dask_computes.calls == 1
    assert any(issubclass(w.category, RuntimeWarning) for w in seen)
