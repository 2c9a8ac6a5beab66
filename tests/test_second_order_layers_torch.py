"""Second derivatives through the piecewise-linear layers (pools, leaky/parametric ReLU,
hardtanh, threshold, the shrinks, reflection and replication pads, unpooling) as torch gives
them: under ``create_graph`` the input's gradient requires grad wherever torch's does, even
where the loss is linear in the layer's output, and differentiating it again gives torch's
values (zeros there) instead of an error; ELU, CELU and SELU have torch's first and second
derivatives at their kink (0: alpha, then 0). On every available backend."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402

X = np.sin(np.arange(48.0) + 0.5).reshape(2, 2, 3, 4) * 3  # (no element at a kink)


def _lib(m: Any) -> Any:
    return m.nn.functional


LAYERS: dict[str, Callable[[Any, Any], Any]] = {
    "max_pool2d": lambda m, x: _lib(m).max_pool2d(x, 2),
    "max_pool2d_padded": lambda m, x: _lib(m).max_pool2d(x, 3, stride=1, padding=1),
    "max_pool2d_ceil": lambda m, x: _lib(m).max_pool2d(x, 2, ceil_mode=True, stride=2),
    "max_pool2d_indices": lambda m, x: _lib(m).max_pool2d(x, 2, return_indices=True)[0],
    "max_pool1d": lambda m, x: _lib(m).max_pool1d(x.flatten(2), 3),
    "max_pool3d": lambda m, x: _lib(m).max_pool3d(x, 2),
    "avg_pool2d": lambda m, x: _lib(m).avg_pool2d(x, 2),
    "avg_pool2d_padded": lambda m, x: _lib(m).avg_pool2d(x, 3, 1, 1, count_include_pad=False),
    "avg_pool1d": lambda m, x: _lib(m).avg_pool1d(x.flatten(2), 2),
    "avg_pool3d": lambda m, x: _lib(m).avg_pool3d(x, 2, padding=1),
    "adaptive_avg_pool2d": lambda m, x: _lib(m).adaptive_avg_pool2d(x, (2, 3)),
    "adaptive_avg_pool2d_1": lambda m, x: _lib(m).adaptive_avg_pool2d(x, 1),
    "adaptive_avg_pool3d": lambda m, x: _lib(m).adaptive_avg_pool3d(x, 2),
    "adaptive_avg_pool3d_1": lambda m, x: _lib(m).adaptive_avg_pool3d(x, 1),
    "adaptive_max_pool2d": lambda m, x: _lib(m).adaptive_max_pool2d(x, 2),
    "adaptive_max_pool1d": lambda m, x: _lib(m).adaptive_max_pool1d(x.flatten(2), 5),
    "adaptive_max_pool3d": lambda m, x: _lib(m).adaptive_max_pool3d(x, 2),
    "max_unpool2d": lambda m, x: _lib(m).max_unpool2d(
        *_lib(m).max_pool2d(x, 2, return_indices=True), 2
    ),
    "leaky_relu": lambda m, x: _lib(m).leaky_relu(x, 0.1),
    "leaky_relu_inplace": lambda m, x: _lib(m).leaky_relu(x * 1.0, 0.2, inplace=True),
    "LeakyReLU": lambda m, x: m.nn.LeakyReLU(0.3)(x),
    "rrelu": lambda m, x: _lib(m).rrelu(x, training=False),
    "prelu": lambda m, x: _lib(m).prelu(x, m.asarray([0.25, 0.5], dtype=x.dtype)),
    "hardtanh": lambda m, x: _lib(m).hardtanh(x),
    "relu6": lambda m, x: _lib(m).relu6(x),
    "threshold": lambda m, x: _lib(m).threshold(x, 0.5, -1.0),
    "hardshrink": lambda m, x: _lib(m).hardshrink(x),
    "softshrink": lambda m, x: _lib(m).softshrink(x),
    "pad_reflect": lambda m, x: _lib(m).pad(x, (2, 1, 1, 2), mode="reflect"),
    "pad_replicate": lambda m, x: _lib(m).pad(x, (2, 1, 1, 2), mode="replicate"),
    "pad_circular": lambda m, x: _lib(m).pad(x, (2, 1, 1, 2), mode="circular"),
    "relu": lambda m, x: _lib(m).relu(x),
    "mul_by_two": lambda m, x: x * 2.0,
}


def _second(m: Any, layer: Callable[[Any, Any], Any], loss: str) -> tuple[bool, Any]:
    """Whether the first gradient requires grad, and the gradient of its weighted sum (None
    where it requires none)."""
    x = (torch.tensor if m is torch else pt.asarray)(X.copy(), requires_grad=True)
    y = layer(m, x)
    shape = tuple(y.shape)
    w = (torch.tensor if m is torch else pt.asarray)(
        np.cos(np.arange(math.prod(shape))).reshape(shape)
    )
    total = (y * w).sum() if loss == "linear" else (y * y * w).sum()
    (g,) = m.autograd.grad(total, x, create_graph=True)
    if not g.requires_grad:
        return False, None
    (g * (x.detach() + 1.0)).sum().backward()
    return True, None if x.grad is None else host(x.grad)


@pytest.mark.parametrize("loss", ["linear", "quadratic"])
@pytest.mark.parametrize("name", list(LAYERS))
def test_second_derivatives_through_the_layer_are_torch_s(
    backend: str, name: str, loss: str
) -> None:
    if name == "max_unpool2d" and backend == "array_api_strict":
        pytest.skip("array-api-strict has no assignment at index arrays: unpooling refuses")
    layer = LAYERS[name]
    t_req, t_grad = _second(torch, layer, loss)
    p_req, p_grad = _second(pt, layer, loss)
    assert p_req == t_req
    if t_req:
        assert p_grad is not None and t_grad is not None
        np.testing.assert_allclose(p_grad, t_grad, rtol=1e-10, atol=1e-12)


def test_the_max_pool_example_differentiates_twice(backend: str) -> None:
    x = pt.asarray(X.copy(), requires_grad=True)
    (g,) = pt.autograd.grad(pt.nn.functional.max_pool2d(x, 2).sum(), x, create_graph=True)
    g.sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(host(x.grad), np.zeros(X.shape))


# the ELU family at and around its kink (0, -0.0) and at NaN and the infinities
ELUS: dict[str, Callable[[Any, Any], Any]] = {
    "elu": lambda m, x: _lib(m).elu(x),
    "elu alpha=2": lambda m, x: _lib(m).elu(x, alpha=2.0),
    "elu inplace": lambda m, x: _lib(m).elu(x * 1.0, alpha=0.5, inplace=True),
    "celu alpha=2": lambda m, x: _lib(m).celu(x, alpha=2.0),
    "celu alpha=0.5": lambda m, x: _lib(m).celu(x, alpha=0.5),
    "selu": lambda m, x: _lib(m).selu(x),
    "ELU module": lambda m, x: m.nn.ELU(alpha=1.5)(x),
    "SELU module": lambda m, x: m.nn.SELU()(x),
    "CELU module": lambda m, x: m.nn.CELU(alpha=3.0)(x),
}


@pytest.mark.parametrize("name", list(ELUS))
def test_elu_family_first_and_second_derivatives_at_zero_are_torch_s(
    backend: str, name: str
) -> None:
    data = np.array([-2.0, -0.5, -0.0, 0.0, 0.75, math.nan, -math.inf, math.inf])
    fn = ELUS[name]
    got = []
    for m in (torch, pt):
        x = m.tensor(data.copy(), dtype=m.float64, requires_grad=True)
        y = fn(m, x)
        (g,) = m.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = m.autograd.grad(g[:5].sum(), x)  # (the finite inputs' second derivatives)
        got.append([host(y), host(g), host(gg)])
    for p, t, what in zip(got[1], got[0], ("value", "first derivative", "second"), strict=True):
        np.testing.assert_allclose(p, t, rtol=1e-12, atol=0, equal_nan=True, err_msg=what)
        np.testing.assert_array_equal(np.signbit(p), np.signbit(t), err_msg=f"{what}: -0.0")
