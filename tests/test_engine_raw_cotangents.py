"""The engine's fast path keeps cotangents as the backend's own arrays until a tensor is
needed: where such an array meets a tensor (a node taking its rules, a custom Function, a
hook, a multi-output op, a second backend), or two arrays meet, the sums and the gradients
must be exactly those of the rules."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor.autograd import _engine

BACKENDS = ["numpy", "dask", "array_api_strict"]


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _both_ways(fn: Any, *xs: np.ndarray, backend: str = "numpy") -> list[tuple[Any, Any]]:
    """The gradients of ``fn`` at ``xs`` with the fast forms and with the rules only."""
    out = []
    for fast in (True, False):
        old = _engine.FAST_RULES
        _engine.FAST_RULES = fast
        try:
            ts = [pt.asarray(x, device=backend, requires_grad=True) for x in xs]
            fn(*ts).backward()
            out.append(tuple(t.grad for t in ts))
        finally:
            _engine.FAST_RULES = old
    return list(zip(*out, strict=True))


class _Twice(pt.autograd.Function):
    """A custom Function: its node always takes the general path (a tensor cotangent)."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x * 2.0

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        assert isinstance(g, pt.Tensor)  # the raw array was wrapped for the user's code
        return g * 2.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_array_and_a_tensor_cotangent_meet_at_a_node(backend: str) -> None:
    x0 = np.array([0.5, -1.0, 2.0])

    def fn(x: Any) -> Any:
        y = pt.sin(x)  # y gets a fast (array) cotangent from y * 3 and a tensor one from _Twice
        return pt.sum(y * 3.0 + _Twice.apply(y))

    for fast, rules in _both_ways(fn, x0, backend=backend):
        np.testing.assert_allclose(_np(fast), _np(rules), rtol=1e-12)
    ((fast, _),) = _both_ways(fn, x0, backend=backend)
    np.testing.assert_allclose(_np(fast), 5.0 * np.cos(x0), rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_array_and_tensor_cotangents_meet_at_a_leaf(backend: str) -> None:
    x0 = np.array([0.5, -1.0, 2.0])
    ((g, _),) = _both_ways(lambda x: pt.sum(x * 3.0 + _Twice.apply(x)), x0, backend=backend)
    np.testing.assert_array_equal(_np(g), [5.0, 5.0, 5.0])
    assert type(g) is pt.Tensor and g.device == pt.asarray(x0, device=backend).device


def test_two_zero_d_array_cotangents_add_up_to_an_array() -> None:
    # NumPy adds two 0-d arrays into a NumPy scalar: the sum must become an array again
    s = pt.asarray(1.5, dtype=pt.float64, requires_grad=True)
    t = s * 1.0
    (t + t).backward()  # (add hands its 0-d cotangent to both inputs: two arrays meet)
    assert isinstance(s.grad._data, np.ndarray) and s.grad.shape == ()
    assert float(s.grad) == 2.0
    s.grad = None
    t = s * 1.0
    (t * t + t * 3.0).backward()
    assert float(s.grad) == pytest.approx(2 * 1.5 + 3.0)


def test_leaves_fed_by_one_array_own_their_grads() -> None:
    # add's fast form hands the same array to both inputs, and sum's is a read-only view
    a = pt.ones(3, requires_grad=True)
    b = pt.ones(3, requires_grad=True)
    pt.sum((a + b) * 2.0).backward()
    assert not np.shares_memory(a.grad._data, b.grad._data)
    a.grad += 1.0  # (written in place: it owns writable memory)
    np.testing.assert_array_equal(_np(a.grad), [3.0, 3.0, 3.0])
    np.testing.assert_array_equal(_np(b.grad), [2.0, 2.0, 2.0])


def test_a_leaf_hook_gets_a_tensor_of_the_total() -> None:
    seen: list[Any] = []
    x = pt.asarray([1.0, 2.0], dtype=pt.float64, requires_grad=True)
    x.register_hook(lambda g: seen.append(g))
    pt.sum(x * 2.0 + pt.sin(x)).backward()
    assert len(seen) == 1 and type(seen[0]) is pt.Tensor
    np.testing.assert_allclose(_np(seen[0]), 2.0 + np.cos([1.0, 2.0]), rtol=1e-12)


def test_a_hook_on_an_intermediate_gets_a_tensor() -> None:
    seen: list[Any] = []
    x = pt.asarray([1.0, 2.0], dtype=pt.float64, requires_grad=True)
    y = x * 3.0
    y.register_hook(lambda g: seen.append(type(g)))
    pt.sum(pt.sin(y)).backward()
    assert seen == [pt.Tensor]
    np.testing.assert_allclose(_np(x.grad), 3.0 * np.cos([3.0, 6.0]), rtol=1e-12)


def test_a_multi_output_node_gets_array_cotangents_as_tensors() -> None:
    x0 = np.array([[1.0, 2.0], [3.0, 4.0]])

    def fn(x: Any) -> Any:
        u, v = pt.unstack(x)
        return pt.sum(u * 2.0 + pt.sin(v) + u * v)

    for fast, rules in _both_ways(fn, x0):
        np.testing.assert_allclose(_np(fast), _np(rules), rtol=1e-12)


def test_a_graph_over_two_backends() -> None:
    # the seed is Dask's; the NumPy part's cotangents come through the move as tensors
    x0 = np.array([0.5, 1.5])
    x = pt.asarray(x0, requires_grad=True)
    y = pt.sin(x * 2.0)
    z = y.to_device("dask:cpu")
    loss = pt.sum(z * z + 1.0)
    loss.backward()
    np.testing.assert_allclose(_np(x.grad), 2 * np.sin(2 * x0) * np.cos(2 * x0) * 2, rtol=1e-12)
    # and the other way round, a NumPy seed
    x.grad = None
    w = pt.asarray(x0, device="dask:cpu", requires_grad=True)
    loss = pt.sum(pt.sin(w * 2.0).to_device("numpy") * 3.0 + x)
    loss.backward()
    np.testing.assert_allclose(_np(w.grad), 6.0 * np.cos(2 * x0), rtol=1e-12)
    np.testing.assert_array_equal(_np(x.grad), [1.0, 1.0])
