"""Writes into tensors in a graph, ``x[mask] = -1e6``, ``x[idx] = 0``, ``x[:, k] = t``, into an
intermediate and into views of one (``reshape``, a slice, a chain of views), compared with
PyTorch on values, float64 gradients and errors, on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]


@pytest.fixture(params=BACKENDS)
def backend(request: Any) -> Any:
    name: str = request.param
    pytest.importorskip(name)
    with pt.use_backend(name):
        yield name


def _np(t: Any) -> Any:
    return np.asarray(t.detach().numpy())


def _same(got: list[Any], want: list[Any], what: str = "") -> None:
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if w is None or g is None:
            assert g is None and w is None, f"{what} result {i}: {g!r} against {w!r}"
        else:
            np.testing.assert_allclose(_np(g), _np(w), rtol=1e-12, err_msg=f"{what} result {i}")


def _torch() -> Any:
    return pytest.importorskip("torch")


def test_a_mask_of_the_leading_axes_takes_a_number_outside_a_graph_too(backend: str) -> None:
    def program(lib: Any) -> list[Any]:
        y = lib.tensor(np.arange(24.0).reshape(2, 3, 4))
        y[y.sum(-1) > 20] = 0.5
        y[lib.tensor([False, True])] = lib.tensor(-1.0, dtype=lib.float64)
        return [y]

    _same(program(pt), program(_torch()))


def test_a_mask_of_the_leading_axes_takes_a_number_in_a_graph(backend: str) -> None:
    def program(lib: Any) -> list[Any]:
        x = lib.tensor(np.arange(24.0).reshape(2, 3, 4) / 10, requires_grad=True)
        y = x * 2
        y[y.sum(-1) > 5] = 0.5
        (y * y).sum().backward()
        return [y, x.grad]

    _same(program(pt), program(_torch()))
