"""``pt.max(x, dim)`` / ``x.min(dim)`` outside any graph are one op (``_extreme_indices``): the
values and indices PyTorch gives in float32, float64 and int64 (ties: the first; NaN: the
first NaN), with ``keepdim``; recorded, the gradient goes to the indexed element; Dask and
array-api-strict give NumPy's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch")


def _scores(dtype: str) -> np.ndarray:
    a = np.random.default_rng(3).integers(-3, 4, (6, 5)).astype(dtype)  # (ties)
    if dtype.startswith("float"):
        a[1, 3], a[2, 0], a[2, 4], a[3, 1], a[4, 2] = np.nan, np.nan, np.nan, np.inf, -np.inf
    return a


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_values_and_indices_match_torch(dtype: str, name: str, dim: int, keepdim: bool) -> None:
    a = _scores(dtype)
    got = getattr(pt, name)(pt.asarray(a), dim, keepdim=keepdim)
    want = getattr(torch, name)(torch.tensor(a), dim, keepdim=keepdim)
    assert got.values.dtype == pt.asarray(a).dtype
    np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
    np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
    method = getattr(pt.asarray(a), name)(dim=dim, keepdim=keepdim)
    np.testing.assert_array_equal(method.indices.numpy(), want.indices.numpy())


def test_max_dim_is_one_op_outside_a_graph_and_takes_the_indexed_gradient() -> None:
    a = _scores("float64")
    x = pt.asarray(a, requires_grad=True)
    with pt.no_grad():
        assert pt.max(x, 1).values.grad_fn is None
    values, _ = pt.max(x, 1)
    values.sum().backward()
    xt = torch.tensor(a, requires_grad=True)
    torch.max(xt, 1).values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
    with pytest.raises(ValueError, match="empty"):
        pt.max(pt.zeros((3, 0)), 1)


def _backend(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("backend", [_backend("dask"), _backend("array_api_strict")])
def test_max_dim_on_other_backends_gives_numpys(backend: str) -> None:
    a = _scores("float64")
    got = []
    for name in ("numpy", backend):
        with pt.use_backend(name):
            v, i = pt.max(pt.asarray(a), 1)
            w, j = pt.asarray(a).min(dim=0, keepdim=True)
            got.append([np.asarray(t.to("numpy").numpy()) for t in (v, i, w, j)])
    for u, v in zip(*got, strict=True):
        np.testing.assert_array_equal(v, u)
