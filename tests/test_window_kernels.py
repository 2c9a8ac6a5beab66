"""conv2d and max_pool2d on NumPy take one node each (nn/_window_kernels.py): the same values
and gradients as the composite built from the table's ops, which every other backend runs,
and gradients that can be differentiated again (create_graph)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor.nn import _window_kernels


def _grads(fn: Any, *arrays: np.ndarray, needs: tuple[bool, ...] | None = None) -> list[Any]:
    needs = needs or (True,) * len(arrays)
    ts = [pt.asarray(a, requires_grad=n) for a, n in zip(arrays, needs, strict=True)]
    out = fn(*ts)
    seed = np.random.default_rng(1).standard_normal(out.shape).astype(arrays[0].dtype)
    (out * pt.asarray(seed)).sum().backward()
    return [out.detach().numpy(), *[None if t.grad is None else t.grad.numpy() for t in ts]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("shape", "kernel", "stride", "dilation"),
    [
        ((4, 3, 12, 12), (5, 5), (1, 1), (1, 1)),
        ((2, 2, 9, 11), (3, 2), (2, 3), (1, 1)),
        ((3, 2, 13, 10), (3, 3), (1, 2), (2, 1)),
        ((1, 1, 5, 5), (1, 1), (2, 2), (1, 1)),
    ],
)
def test_conv2d_kernel_matches_the_composite(
    dtype: str, shape: tuple[int, ...], kernel: tuple[int, int], stride: Any, dilation: Any
) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((4, shape[1], *kernel)).astype(dtype)
    hp, wp = shape[2:]
    ho = (hp - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    wo = (wp - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    geometry = (kernel, stride, dilation, (ho, wo))
    got = _grads(lambda a, b: F.conv2d(a, b, stride=stride, dilation=dilation), x, w)
    want = _grads(lambda a, b: F._conv2d_windows(a, b, geometry, 1), x, w)
    tol = 1e-4 if dtype == "float32" else 1e-10
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol)
    # the kernel ran: one node of its own
    out = F.conv2d(
        pt.asarray(x, requires_grad=True), pt.asarray(w), stride=stride, dilation=dilation
    )
    assert "Conv2d" in out.grad_fn.name()


def test_conv2d_kernel_gives_only_the_gradients_asked_for() -> None:
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((5, 3, 3, 3))
    _, gx, gw = _grads(lambda a, b: F.conv2d(a, b, padding=1), x, w, needs=(False, True))
    assert gx is None and gw is not None
    _, gx, gw = _grads(lambda a, b: F.conv2d(a, b, padding=1), x, w, needs=(True, False))
    assert gx is not None and gw is None


def test_conv2d_kernel_differentiates_twice() -> None:
    rng = np.random.default_rng(3)
    x = pt.asarray(rng.standard_normal((2, 2, 6, 6)), requires_grad=True)
    w = pt.asarray(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    assert pt.autograd.gradgradcheck(lambda a, b: F.conv2d(a, b, stride=2, padding=1), (x, w))
    assert pt.autograd.gradcheck(lambda a, b: F.conv2d(a, b, dilation=2), (x, w))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("shape", "k"), [((3, 2, 8, 8), 2), ((2, 3, 9, 7), 2), ((1, 2, 9, 9), 3)])
def test_max_pool2d_kernel_matches_the_composite(dtype: str, shape: Any, k: int) -> None:
    rng = np.random.default_rng(4)
    # small integers: many ties in a window, which go to the first maximum
    x = rng.integers(-3, 3, shape).astype(dtype)
    x[0, 0, 0, 0] = np.nan  # a NaN is its window's maximum, and takes its gradient
    x[-1, -1, -1, 0] = -0.0
    ho, wo = shape[2] // k, shape[3] // k
    geometry = ((k, k), (k, k), (1, 1), (ho, wo))
    got = _grads(lambda a: F.max_pool2d(a, k), x)
    want = _grads(lambda a: F._max_pool_windows(a, ho * k, wo * k, geometry), x)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, r)
    # the output is the first maximal element itself: its sign of zero too
    np.testing.assert_array_equal(np.signbit(got[0]), np.signbit(want[0]))
    out = F.max_pool2d(pt.asarray(x, requires_grad=True), k)
    assert "MaxPool2d" in out.grad_fn.name()


def test_max_pool2d_kernel_differentiates_twice() -> None:
    x = pt.asarray(np.random.default_rng(5).standard_normal((2, 2, 6, 5)), requires_grad=True)
    assert pt.autograd.gradgradcheck(lambda a: F.max_pool2d(a, 2), (x,))


def test_the_kernels_run_on_numpy_float_tensors_only() -> None:
    take = _window_kernels.takes_numpy_kernels
    assert take(pt.ones(2), pt.ones(2))
    assert not take(pt.ones(2, dtype=pt.float32), pt.ones(2, dtype=pt.float64))
    assert not take(pt.ones(2, dtype=pt.int32))
    # an integer max_pool2d goes the composite's way
    x = pt.reshape(pt.arange(16), (1, 1, 4, 4))
    assert F.max_pool2d(x, 2).tolist() == [[[[5, 7], [13, 15]]]]


@pytest.mark.parametrize(
    "window", [[0.0, -0.0, -1.0, 0.0], [-0.0, 0.0, 0.0, -0.0], [1.0, np.nan, np.nan, 2.0]]
)
def test_max_pool2d_kernel_keeps_the_first_maximum_bits(window: list[float]) -> None:
    x = np.asarray(window, dtype=np.float32).reshape(1, 1, 2, 2)
    t = pt.asarray(x, requires_grad=True)
    out = F.max_pool2d(t, 2)
    out.sum().backward()
    first = int(np.argmax(x.reshape(-1)))  # (NumPy's argmax: the first maximum, a NaN first)
    got = out.detach().numpy().reshape(())
    assert np.signbit(got) == np.signbit(x.reshape(-1)[first])
    assert np.isnan(got) == np.isnan(x.reshape(-1)[first])
    np.testing.assert_array_equal(t.grad.numpy().reshape(-1), np.eye(4, dtype=np.float32)[first])
