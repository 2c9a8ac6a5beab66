"""PyTorch's activations ``elu``, ``hardtanh``, ``relu6``, ``logsigmoid``, ``softmin`` and
``normalize`` (functions and modules): their values and gradients from their formulas, the
gradient of the clipping ones flowing strictly inside the bounds (NaN passing it on), as
PyTorch's, and their in-place forms."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

X = np.array([-30.0, -1.0, 0.0, 0.5, 6.0, 800.0])
W = np.arange(1.0, 7.0)


def _value_and_grad(f: object, x: np.ndarray = X) -> tuple[np.ndarray, np.ndarray]:
    v = pt.asarray(x, requires_grad=True)
    y = f(v)  # type: ignore[operator]
    (y * pt.asarray(W[: x.size].reshape(x.shape))).sum().backward()
    return y.detach().numpy(), v.grad.numpy()


def test_elu() -> None:
    y, g = _value_and_grad(lambda v: F.elu(v, 0.5))
    np.testing.assert_allclose(y, np.where(X > 0, X, 0.5 * np.expm1(np.minimum(X, 0))))
    np.testing.assert_allclose(
        g, W * np.where(X > 0, 1.0, 0.5 * np.exp(np.minimum(X, 0))), rtol=1e-3
    )
    assert np.isfinite(y).all()  # (no overflow of exp at 800)


@pytest.mark.parametrize(
    ("f", "lo", "hi"), [(lambda v: F.hardtanh(v, -1.0, 6.0), -1.0, 6.0), (F.relu6, 0.0, 6.0)]
)
def test_clipping_passes_the_gradient_strictly_inside(f: object, lo: float, hi: float) -> None:
    y, g = _value_and_grad(f)
    np.testing.assert_array_equal(y, np.clip(X, lo, hi))
    np.testing.assert_array_equal(g, np.where((lo < X) & (hi > X), W, 0.0))
    _, g_nan = _value_and_grad(f, np.array([np.nan]))
    np.testing.assert_array_equal(g_nan, [1.0])


def test_logsigmoid_softmin_normalize() -> None:
    y, g = _value_and_grad(F.logsigmoid)
    np.testing.assert_allclose(y, -np.logaddexp(0.0, -X), rtol=1e-12)
    np.testing.assert_allclose(g, W * np.exp(-np.logaddexp(0.0, X)), rtol=1e-12)
    m = pt.asarray(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(F.softmin(m, dim=1).numpy(), F.softmax(-m, dim=1).numpy())
    rows = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(F.normalize(pt.asarray(rows)).numpy(), [[0.6, 0.8], [0.0, 0.0]])
    np.testing.assert_allclose(
        F.normalize(pt.asarray(rows), p=1.0, dim=0).numpy(), [[1.0, 1.0], [0.0, 0.0]]
    )


def test_the_modules_and_in_place_forms() -> None:
    x = pt.asarray(X)
    for module, f in [
        (nn.ELU(0.5), lambda v: F.elu(v, 0.5)),
        (nn.Hardtanh(-2.0, 2.0), lambda v: F.hardtanh(v, -2.0, 2.0)),
        (nn.ReLU6(), F.relu6),
        (nn.LogSigmoid(), F.logsigmoid),
    ]:
        np.testing.assert_array_equal(module(x).numpy(), f(x).numpy())
    np.testing.assert_array_equal(nn.Softmin(dim=0)(x[:3]).numpy(), F.softmin(x[:3], dim=0).numpy())
    assert repr(nn.ReLU6(inplace=True)) == "ReLU6(inplace=True)"
    y = pt.asarray(X.copy())
    assert F.relu6(y, inplace=True) is y
    np.testing.assert_array_equal(y.numpy(), np.clip(X, 0.0, 6.0))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: F.hardtanh(pt.ones(2), 2.0, 1.0), ValueError, "min_val <= max_val"),
        (lambda: F.elu(pt.ones(2), "a"), TypeError, "alpha"),
        (lambda: F.elu(pt.asarray([1, 2]), 1.0), TypeError, "floating"),
        (lambda: F.normalize(pt.ones((2, 2)), dim=2), IndexError, "normalize"),
    ],
)
def test_wrong_arguments(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
