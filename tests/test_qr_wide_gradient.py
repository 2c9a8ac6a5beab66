"""``linalg.qr`` of a wide matrix (m < n) differentiates, as PyTorch's does: x = [X | Y] =
Q [U | V], with X = Q U a square factorization and Y = Q V. Checked against central finite
differences on every available backend (torch-free), and against torch where it is installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

RNG = np.random.default_rng(7)


def _loss_weights(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    m = shape[-2]
    return RNG.standard_normal((*shape[:-1], m)), RNG.standard_normal(shape)


def _loss_np(a: np.ndarray, wq: np.ndarray, wr: np.ndarray) -> float:
    q, r = np.linalg.qr(a)
    # (Q's and R's signs as LAPACK gives them, which polytensor's NumPy backend gives too)
    return float((q * wq).sum() + (r * wr).sum())


def _central(a: np.ndarray, wq: np.ndarray, wr: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[i] += h
        down[i] -= h
        g[i] = (_loss_np(up, wq, wr) - _loss_np(down, wq, wr)) / (2 * h)
    return g


def _grad(backend: str, a: np.ndarray, wq: np.ndarray, wr: np.ndarray, mode: str) -> Any:
    x = pt.asarray(a, device=backend, requires_grad=True)
    q, r = pt.linalg.qr(x, mode=mode)
    (
        (q * pt.asarray(wq, device=backend)).sum() + (r * pt.asarray(wr, device=backend)).sum()
    ).backward()
    return pt.asarray(x.grad, device="numpy").numpy()


@pytest.mark.parametrize("shape", [(3, 5), (2, 3), (2, 3, 6)], ids=str)
@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_wide_qr_gradient_matches_central_differences(backend: str, shape: Any, mode: str) -> None:
    a = RNG.standard_normal(shape)
    wq, wr = _loss_weights(shape)
    got = _grad(backend, a, wq, wr, mode)
    np.testing.assert_allclose(got, _central(a, wq, wr), rtol=1e-6, atol=1e-7)


def test_wide_qr_gradient_matches_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch is the reference this test compares with")
    a = RNG.standard_normal((4, 7))
    wq, wr = _loss_weights(a.shape)
    t = torch.tensor(a, requires_grad=True)
    tq, tr = torch.linalg.qr(t)
    ((tq * torch.tensor(wq)).sum() + (tr * torch.tensor(wr)).sum()).backward()
    np.testing.assert_allclose(
        _grad("numpy", a, wq, wr, "reduced"), t.grad.numpy(), rtol=1e-12, atol=1e-12
    )


def test_tall_complete_qr_gradient_still_refused_as_torch_refuses_it() -> None:
    x = pt.asarray(RNG.standard_normal((5, 3)), requires_grad=True)
    q, r = pt.linalg.qr(x, mode="complete")
    with pytest.raises(NotImplementedError, match="mode='reduced'"):
        (q.sum() + r.sum()).backward()
