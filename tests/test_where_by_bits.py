"""``where`` of two float arrays of one shape selects by bits on NumPy (its own ``where``
branches on every element), and ``where``'s gradient is one masking op: the same bits as
NumPy's ``where``, NaN payloads and signed zeros included, and PyTorch's gradients, on every
backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "broadcast", "small"])
def test_where_gives_numpy_s_bits(dtype: str, layout: str) -> None:
    rng = np.random.default_rng(3)
    shape = (40, 300) if layout != "small" else (10, 10)
    a = rng.standard_normal(shape).astype(dtype)
    b = rng.standard_normal(shape).astype(dtype)
    a.flat[::7] = -0.0
    b.flat[::11] = np.inf
    a.flat[::13] = np.array(np.nan, dtype).view(f"i{a.itemsize}") | 5  # a NaN payload
    c = rng.standard_normal(shape) > 0
    if layout == "transposed":
        a, b, c = a.T, b.T, c.T
    if layout == "broadcast":
        c = c[:1]
    got = pt.where(pt.asarray(c), pt.asarray(a), pt.asarray(b)).numpy()
    want = np.where(c, a, b)
    bits = f"i{a.itemsize}"
    np.testing.assert_array_equal(np.asarray(got).view(bits), want.view(bits))


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_leaky_relu_and_where_gradients_match_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    rng = np.random.default_rng(4)
    x0 = rng.standard_normal((8, 16, 12, 12))
    x0.flat[::17] = 0.0  # the gradient at 0 is the slope's, as PyTorch's
    keep = rng.standard_normal((16, 1, 12)) > 0  # a condition that broadcasts
    seed = rng.standard_normal(x0.shape)

    def run(lib: Any, fn: Any) -> list[Any]:
        x = lib.tensor(x0, requires_grad=True)
        y = lib.tensor(x0 * 0.5, requires_grad=True)
        out = fn.leaky_relu(x, 0.2) + lib.where(lib.tensor(keep), x, y) * 3
        (out * lib.tensor(seed)).sum().backward()
        return [out.detach(), x.grad, y.grad]

    want = run(torch, torch.nn.functional)
    with pt.use_backend(backend):
        got = run(pt, F)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(g.numpy()), w.numpy(), rtol=1e-12, atol=1e-12)
