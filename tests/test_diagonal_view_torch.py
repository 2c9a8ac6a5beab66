"""``x.diagonal()`` / ``pt.diagonal`` is a view, as PyTorch's: a change of it in place
reaches its base (``A.diagonal().add_(1)``), a change of the base shows in it, and gradients
through such a change are torch's, for every offset and pair of dimensions, on every available
backend."""

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


CASES = [  # shape, offset, dim1 and dim2
    ((3, 3), 0, 0, 1),
    ((3, 4), 1, 0, 1),
    ((4, 3), -2, 0, 1),
    ((2, 3, 4), 0, 1, 2),
    ((2, 3, 4), -1, 2, 0),
    ((3, 2, 5), 2, 0, 2),
    ((2, 3), 5, 0, 1),  # (an empty diagonal)
]
CHANGES = {
    "fill_": lambda d, lib: d.fill_(7.0),
    "add_": lambda d, lib: d.add_(1.5),
    "mul_": lambda d, lib: d.mul_(-2.0),
    "zero_": lambda d, lib: d.zero_(),
    "copy_": lambda d, lib: d.copy_(lib.arange(d.numel(), dtype=d.dtype).reshape(d.shape)),
    "setitem": lambda d, lib: d.__setitem__((..., 0), 9.0) if d.numel() else None,
}


def _ids(case: Any) -> str:
    return f"{case[0]}-off{case[1]}-d{case[2]}{case[3]}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_of_the_diagonal_reaches_its_base_as_torch(
    backend: str, case: Any, change: str
) -> None:
    shape, offset, d1, d2 = case
    x0 = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    results = []
    for lib in (pt, torch):
        x = lib.asarray(x0.copy()) if lib is pt else torch.tensor(x0.copy())
        d = x.diagonal(offset, d1, d2)
        CHANGES[change](d, lib)
        results.append((_host(x), _host(d)))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_a_change_of_the_base_shows_in_its_diagonal(backend: str, case: Any) -> None:
    shape, offset, d1, d2 = case
    x = pt.zeros(shape, dtype=pt.float64)
    d = pt.diagonal(x, offset, d1, d2)
    x.fill_(3.0)
    assert np.all(_host(d) == 3.0)
    x[...] = pt.reshape(pt.arange(float(np.prod(shape))), shape)
    want = np.diagonal(np.arange(float(np.prod(shape))).reshape(shape), offset, d1, d2)
    np.testing.assert_array_equal(_host(d), want)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_gradients_through_a_changed_diagonal_are_torchs(backend: str, case: Any) -> None:
    shape, offset, d1, d2 = case
    rng = np.random.default_rng(len(shape) + offset)
    w0, r = rng.standard_normal(shape), rng.standard_normal(shape)
    grads, values = [], []
    for lib in (pt, torch):
        w = lib.tensor(w0, requires_grad=True)
        y = w * 2.0
        d = y.diagonal(offset, d1, d2)
        d.mul_(d.detach() + 3.0)  # (the new diagonal depends on the old one, in the graph)
        d.add_(w.diagonal(offset, d1, d2) ** 2)  # (and on a diagonal of the leaf, read)
        (y * lib.tensor(r)).sum().backward()
        grads.append(_host(w.grad))
        values.append(_host(y))
    np.testing.assert_allclose(values[0], values[1], rtol=1e-12)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)


def test_the_diagonal_of_a_leaf_changes_under_no_grad_and_refuses_otherwise(
    backend: str,
) -> None:
    for lib in (pt, torch):
        w = lib.ones((3, 3), requires_grad=True) if lib is pt else torch.ones(3, 3).requires_grad_()
        with pytest.raises(RuntimeError, match="leaf"):
            w.diagonal().fill_(0.0)
        with lib.no_grad():
            w.diagonal().fill_(0.0)
        np.testing.assert_array_equal(_host(w), 1.0 - np.eye(3))


def test_the_diagonal_of_a_dask_tensor_stays_lazy() -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not available")
    pt.set_backend("dask")
    x = pt.zeros((4, 4))
    x.diagonal().add_(1.0)
    assert type(x._data).__module__.startswith("dask"), type(x._data)
    np.testing.assert_array_equal(_host(x), np.eye(4))


def test_the_standards_linalg_diagonal_is_unchanged(backend: str) -> None:
    x = pt.reshape(pt.arange(9.0), (3, 3))
    np.testing.assert_array_equal(_host(pt.linalg.diagonal(x)), [0.0, 4.0, 8.0])
