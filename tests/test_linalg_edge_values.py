"""Linear algebra at the edges PyTorch defines: ``logdet`` from ``slogdet`` (finite where the
determinant overflows), ``matrix_exp`` of a non-finite matrix (NaN, not an error), ``qr``'s
modes, and the SVD's gradient at repeated singular values when only ``S`` is used. Known
values on every available backend (torch-free); the same against torch where it is installed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import polytensor as pt

NAN = float("nan")
INF = float("inf")


def _np(t: Any) -> np.ndarray:
    return pt.asarray(t, device="numpy").numpy()


def test_logdet_is_finite_where_the_determinant_overflows_or_underflows(backend: str) -> None:
    for scale in (1e200, 1e-200):
        x = pt.asarray(scale * np.eye(2), device=backend, requires_grad=True)
        y = pt.logdet(x)
        y.backward()
        assert float(y) == pytest.approx(2 * math.log(scale), rel=1e-14)
        np.testing.assert_allclose(_np(x.grad), np.eye(2) / scale, rtol=1e-14)


def test_logdet_is_nan_for_a_negative_determinant_and_minus_inf_for_a_singular_one(
    backend: str,
) -> None:
    x = pt.asarray([[0.0, 1.0], [1.0, 0.0]], device=backend, requires_grad=True)
    y = pt.logdet(x)
    y.backward()
    assert math.isnan(float(y))
    np.testing.assert_array_equal(_np(x.grad), np.zeros((2, 2)))  # (PyTorch's: 0 at NaN)
    assert float(pt.logdet(pt.asarray([[1.0, 2.0], [2.0, 4.0]], device=backend))) == -INF


def test_logdet_of_a_complex_matrix_is_log_sign_plus_log_abs_det() -> None:
    x = pt.asarray([[1 + 1j, 0], [0, 2j]], dtype=pt.complex128)
    want = np.log((1 + 1j) * 2j)
    assert complex(pt.logdet(x).item()) == pytest.approx(want, rel=1e-14)


def test_matrix_exp_of_an_infinite_or_nan_element_is_nan(backend: str) -> None:
    for bad in (INF, NAN):
        x = pt.asarray([[bad, 0.0], [0.0, 1.0]], device=backend)
        assert np.isnan(_np(pt.matrix_exp(x))).all()


def test_qr_refuses_modes_other_than_reduced_and_complete(backend: str) -> None:
    for shape in ((3, 3), (2, 3, 3)):
        with pytest.raises(ValueError, match="mode='r'; expected 'reduced' or 'complete'"):
            pt.linalg.qr(pt.ones(shape, device=backend), mode="r")


def test_svd_gradient_at_repeated_singular_values_is_finite_when_only_s_is_used(
    backend: str,
) -> None:
    # sum(S) = the nuclear norm; at the identity its gradient is U Vh = I, whatever U is
    x = pt.asarray(np.eye(3), device=backend, requires_grad=True)
    pt.sum(pt.linalg.svd(x)[1]).backward()
    np.testing.assert_allclose(_np(x.grad), np.eye(3), atol=1e-15)
    for shape in ((3, 4), (4, 3)):
        z = pt.asarray(np.zeros(shape), device=backend, requires_grad=True)
        pt.sum(pt.linalg.svd(z, full_matrices=False)[1]).backward()
        assert np.isfinite(_np(z.grad)).all()


def test_svd_gradient_at_repeated_singular_values_is_nan_when_u_is_used(backend: str) -> None:
    x = pt.asarray(np.diag([2.0, 2.0, 1.0]), device=backend, requires_grad=True)
    pt.sum(pt.abs(pt.linalg.svd(x)[0])).backward()
    assert np.isnan(_np(x.grad)).any()


def test_these_edges_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch is the reference this test compares with")
    for m in (1e200 * np.eye(2), 1e-200 * np.eye(3), np.array([[0.0, 1.0], [1.0, 0.0]])):
        x = pt.asarray(m, requires_grad=True)
        t = torch.tensor(m, requires_grad=True)
        y, ty = pt.logdet(x), torch.logdet(t)
        y.backward()
        ty.backward()
        np.testing.assert_allclose(float(y), ty.item(), rtol=1e-14)
        np.testing.assert_allclose(_np(x.grad), t.grad.numpy(), rtol=1e-14)
    for bad in (INF, NAN):
        m = np.array([[bad, 0.0], [0.0, 1.0]])
        np.testing.assert_array_equal(
            _np(pt.matrix_exp(pt.asarray(m))), torch.matrix_exp(torch.tensor(m)).numpy()
        )
    for m in (np.eye(3), np.diag([2.0, 2.0, 1.0]), np.zeros((3, 4)), np.zeros((4, 3))):
        w = np.arange(1.0, min(m.shape) + 1)
        x = pt.asarray(m, requires_grad=True)
        t = torch.tensor(m, requires_grad=True)
        pt.sum(pt.linalg.svd(x, full_matrices=False)[1] * pt.asarray(w)).backward()
        (torch.linalg.svd(t, full_matrices=False)[1] * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(_np(x.grad), t.grad.numpy(), rtol=1e-14, atol=1e-15)


def test_svd_and_pinv_of_a_matrix_with_an_infinity_give_nan(run_python: Any) -> None:
    # (LAPACK's gesdd never returns for a matrix with an infinity: run apart, with a timeout;
    # a NaN it refuses; each matrix of a stack on its own, the finite ones as they are)
    code = """
import numpy as np, polytensor as pt
a = 4 * np.eye(3)
a[0, 0] = np.inf
for dev in ("numpy", "dask", "array_api_strict"):
    if pt.backends.available().get(dev) != "available":
        continue
    for bad in (np.inf, np.nan):
        a[0, 0] = bad
        x = pt.asarray(np.stack([np.eye(3), a]), device=dev)
        u, s, vh = pt.linalg.svd(x)
        p = pt.linalg.pinv(x)
        assert np.isnan(s.numpy()[1]).all() and np.isnan(u.numpy()[1]).all(), dev
        assert np.isnan(p.numpy()[1]).all(), dev
        np.testing.assert_allclose(s.numpy()[0], [1.0, 1.0, 1.0])
        np.testing.assert_allclose(p.numpy()[0], np.eye(3))
xg = pt.asarray(a, requires_grad=True)
pt.linalg.slogdet(xg).logabsdet.backward()  # (its backward takes an SVD)
print("ok")
"""
    r = run_python(code, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
