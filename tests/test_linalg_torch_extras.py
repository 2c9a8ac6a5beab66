"""``torch.linalg.multi_dot`` and ``torch.linalg.cond`` in ``pt.linalg``: known values on every
backend, and the same values and gradients as torch's where it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import polytensor as pt


def test_multi_dot_drops_the_dimensions_of_vectors_at_the_ends(backend: str) -> None:
    v = pt.asarray([1.0, 2.0], device=backend)
    m = pt.asarray([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], device=backend)
    n = pt.asarray([[1.0], [2.0], [3.0]], device=backend)
    assert pt.linalg.multi_dot([v, m, n]).tolist() == [14.0]
    assert pt.linalg.multi_dot([m, n]).tolist() == [[4.0], [5.0]]
    w = pt.asarray([1.0, 1.0, 1.0], device=backend)
    assert float(pt.linalg.multi_dot([v, m, w])) == 6.0
    with pytest.raises(RuntimeError, match="at least 2 tensors"):
        pt.linalg.multi_dot([m])
    with pytest.raises(RuntimeError, match="tensor 1 must be 2-d"):
        pt.linalg.multi_dot([m, w, n])


def test_cond_in_every_norm(backend: str) -> None:
    a = pt.asarray([[2.0, 0.0], [0.0, 0.5]], dtype=pt.float64, device=backend)
    for p, want in ((None, 4.0), (2, 4.0), (-2, 0.25), (1, 4.0), (math.inf, 4.0)):
        assert float(pt.linalg.cond(a, p)) == pytest.approx(want)
    assert float(pt.linalg.cond(a, "fro")) == pytest.approx(math.sqrt(4.25) * math.sqrt(4.25))
    with pytest.raises(RuntimeError, match="expected None, 2"):
        pt.linalg.cond(a, 3)
    with pytest.raises(RuntimeError, match="square"):
        pt.linalg.cond(pt.ones((2, 3), device=backend), 1)


def test_as_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed: nothing to compare")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4, 4))
    for p in (None, 2, -2, "fro", "nuc", math.inf, -math.inf, 1, -1):
        x = pt.asarray(a, requires_grad=True)
        t = torch.tensor(a, requires_grad=True)
        ours, theirs = pt.linalg.cond(x, p), torch.linalg.cond(t, p)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10)
        if p not in (None, 2, -2):
            continue  # (torch's own backward of the norm-of-inverse forms raises here)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-12)
    v, m1, m2 = rng.standard_normal(3), rng.standard_normal((3, 5)), rng.standard_normal((5, 2))
    ours = pt.linalg.multi_dot([pt.asarray(v), pt.asarray(m1), pt.asarray(m2)])
    theirs = torch.linalg.multi_dot([torch.tensor(v), torch.tensor(m1), torch.tensor(m2)])
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_cond_in_the_norms_of_the_inverse_differentiates() -> None:
    # (PyTorch's backward of these forms raises: its inverse is changed in place)
    rng = np.random.default_rng(1)
    x = pt.asarray(rng.standard_normal((4, 4)), requires_grad=True)
    for p in ("fro", 1, -math.inf):
        assert pt.autograd.gradcheck(lambda a, p=p: pt.linalg.cond(a, p), (x,))
