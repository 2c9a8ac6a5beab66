"""``x.detach()`` shares ``x``'s data, as PyTorch's: a change of either in place shows in the
other, on every available backend (on Dask, whose arrays are immutable, as ``x.data`` does it:
rebinding the one rebinds the other)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")


def _backends() -> list[Any]:
    params = []
    for name, status in sorted(pt.backends.available().items()):
        marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
        params.append(pytest.param(name, marks=marks, id=name))
    return params


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    """Each test runs once per backend; conftest.py restores the backend afterwards."""
    pt.set_backend(request.param)
    return str(request.param)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


def test_a_change_of_the_detached_tensor_shows_in_the_tensor(backend: str) -> None:
    got = []
    for lib in (pt, torch):
        x = lib.zeros(2, 3)
        d = x.detach()
        d.fill_(1.0)
        d[0, 1] = 5.0
        d.add_(lib.ones(2, 3))
        got.append((_host(x), _host(d)))
    np.testing.assert_array_equal(got[0][0], got[1][0])
    np.testing.assert_array_equal(got[0][1], got[1][1])


def test_a_change_of_the_tensor_shows_in_its_detached_tensor(backend: str) -> None:
    got = []
    for lib in (pt, torch):
        x = lib.zeros(2, 3)
        d = x.detach()
        x.add_(2.0)
        x[1] = 7.0
        got.append(_host(d))
    np.testing.assert_array_equal(got[0], got[1])


def test_detaching_a_graph_tensor_and_changing_it(backend: str) -> None:
    got = []
    for lib in (pt, torch):
        w = lib.ones(3, requires_grad=True)
        y = w * 2
        d = y.detach()
        assert not d.requires_grad
        d.mul_(3.0)
        got.append(_host(y))
        (w * 5).sum().backward()  # (the graph of w stays whole)
        got.append(_host(w.grad))
    np.testing.assert_array_equal(got[0], got[2])
    np.testing.assert_array_equal(got[1], got[3])
