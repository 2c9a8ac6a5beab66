"""``F.linear`` (``nn.Linear``) on a stack of matrices (a sequence, a batch of sequences) is
one product of the stack's rows on NumPy, forward and backward: the same values and
gradients as PyTorch's, for C-ordered and strided inputs, on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

CASES = [
    ((35, 4, 12), 20, False),
    ((2, 3, 5, 7), 6, False),
    ((5, 7), 3, False),
    ((4, 6, 8), 5, True),  # a transposed (strided) input: no reshape of its memory
    ((0, 3, 4), 2, False),
]


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize(("shape", "out", "strided"), CASES)
def test_linear_on_stacks_matches_torch(backend: str, shape: Any, out: int, strided: bool) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    rng = np.random.default_rng(sum(shape) + out)
    x0 = rng.standard_normal(shape)
    seen = np.swapaxes(x0, 0, 1) if strided else x0  # (6, 4, 8): a transposed view
    w0 = rng.standard_normal((out, x0.shape[-1]))
    b0 = rng.standard_normal(out)
    g0 = rng.standard_normal((*seen.shape[:-1], out))

    def run(lib: Any, fn: Any) -> list[Any]:
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True)
        b = lib.tensor(b0, requires_grad=True)
        y = fn.linear(x.transpose(0, 1) if strided else x, w, b)
        (y * lib.tensor(g0)).sum().backward()
        return [y.detach(), x.grad, w.grad, b.grad]

    want = run(torch, torch.nn.functional)
    with pt.use_backend(backend):
        got = run(pt, F)
    for g, t in zip(got, want, strict=True):
        assert g.shape == tuple(t.shape)
        np.testing.assert_allclose(np.asarray(g.numpy()), t.numpy(), rtol=1e-12, atol=1e-12)
