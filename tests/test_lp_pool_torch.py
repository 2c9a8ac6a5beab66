"""Power-average pooling (``F.lp_pool1d/2d/3d``, ``nn.LPPool1d/2d/3d``) against torch: values
and float64 gradients for integer, fractional and infinite powers, strides and ``ceil_mode``,
on every available backend; the layers' repr and arguments as torch's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

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


SHAPES = {1: (2, 3, 11), 2: (2, 3, 9, 8), 3: (1, 2, 5, 6, 7)}
# (kernel_size, stride, ceil_mode) per dimension count
WINDOWS = {
    1: [(2, None, False), (3, 2, True), (4, 1, False)],
    2: [(2, None, False), ((3, 2), (2, 1), True), (3, 2, False)],
    3: [(2, None, False), ((2, 3, 2), (1, 2, 2), True)],
}
POWERS = [1, 2, 3, 1.5, float("inf"), -float("inf")]


def _case(n: int, p: float) -> np.ndarray:
    x = np.random.default_rng(n).standard_normal(SHAPES[n])
    # a fractional power of a negative number is NaN, whose gradient polytensor keeps at 0
    # where its cotangent is 0 (docs/edge-gradients.md): positive inputs compare values alone
    return np.abs(x) + 0.1 if p == 1.5 else x


# (an odd power's window of negative sum is NaN, as in torch: NumPy warns of it)
@pytest.mark.filterwarnings("ignore:invalid value encountered in power:RuntimeWarning")
@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("p", POWERS, ids=str)
def test_lp_pool_values_and_gradients_as_torch(backend: str, n: int, p: float) -> None:
    x = _case(n, p)
    for kernel, stride, ceil_mode in WINDOWS[n]:
        a = pt.tensor(x, requires_grad=True)
        b = torch.tensor(x, requires_grad=True)
        fa = getattr(F, f"lp_pool{n}d")
        fb = getattr(torch.nn.functional, f"lp_pool{n}d")
        ya, yb = fa(a, p, kernel, stride, ceil_mode), fb(b, p, kernel, stride, ceil_mode)
        assert tuple(ya.shape) == tuple(yb.shape)
        np.testing.assert_allclose(np.asarray(ya.detach()), yb.detach().numpy(), rtol=1e-10)
        w = np.random.default_rng(7).standard_normal(tuple(yb.shape))
        (ya * pt.asarray(w)).sum().backward()
        (yb * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(np.asarray(a.grad), b.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_lp_pool_layers_as_torch(backend: str, n: int) -> None:
    x = _case(n, 2)
    kernel, stride, ceil_mode = WINDOWS[n][1]
    layer = getattr(pt.nn, f"LPPool{n}d")(2, kernel, stride=stride, ceil_mode=ceil_mode)
    ref = getattr(torch.nn, f"LPPool{n}d")(2, kernel, stride=stride, ceil_mode=ceil_mode)
    assert repr(layer) == repr(ref)
    np.testing.assert_allclose(
        np.asarray(layer(pt.asarray(x))), ref(torch.tensor(x)).numpy(), rtol=1e-10
    )
    assert repr(getattr(pt.nn, f"LPPool{n}d")(3, 2)) == repr(getattr(torch.nn, f"LPPool{n}d")(3, 2))


def test_lp_pool_float32_keeps_dtype(backend: str) -> None:
    x = np.random.default_rng(3).standard_normal((1, 2, 6, 6)).astype(np.float32)
    y = F.lp_pool2d(pt.asarray(x), 2, 2)
    ref = torch.nn.functional.lp_pool2d(torch.tensor(x), 2, 2)
    assert y.dtype == pt.float32
    np.testing.assert_allclose(np.asarray(y), ref.numpy(), rtol=1e-5)


def test_lp_pool_bad_kernel_size_says_what_it_takes(backend: str) -> None:
    with pytest.raises(ValueError, match="kernel_size must be an int or a tuple of 2 ints"):
        F.lp_pool2d(pt.ones((1, 1, 4, 4)), 2, (2, 2, 2))
    with pytest.raises(ValueError, match="kernel_size must be an int or a tuple of 1 ints"):
        F.lp_pool1d(pt.ones((1, 1, 4)), 2, "two")
