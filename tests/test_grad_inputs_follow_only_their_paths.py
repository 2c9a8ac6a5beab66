"""``autograd.grad(y, inputs)`` and ``backward(inputs=...)`` follow only the edges that lead to
the inputs asked for, as PyTorch's: another input's derivative rule does not run (one that
raises does not stop them), and hooks off those paths do not run."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt


def test_grad_in_x_of_gammainc_needs_no_rule_in_a() -> None:
    # (gammainc has no derivative in its first argument: asked for x alone, it is not needed)
    pytest.importorskip("scipy.special")
    a = pt.asarray([2.0, 3.0], dtype=pt.float64, requires_grad=True)
    x = pt.asarray([1.0, 2.0], dtype=pt.float64, requires_grad=True)
    (g,) = pt.autograd.grad(pt.special.gammainc(a, x).sum(), [x])
    # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a)
    want = np.array([1.0 * np.exp(-1.0) / 1.0, 4.0 * np.exp(-2.0) / 2.0])
    np.testing.assert_allclose(g.numpy(), want, rtol=1e-12)
    with pytest.raises(NotImplementedError):  # (asked for a, it is)
        pt.autograd.grad(pt.special.gammainc(a, x).sum(), [a])


def test_hooks_off_the_paths_to_the_inputs_do_not_run(backend: str) -> None:
    a = pt.asarray([2.0, 3.0], device=backend, requires_grad=True)
    x = pt.asarray([1.0, 2.0], device=backend, requires_grad=True)
    calls: list[str] = []
    h = a * 2.0
    h.register_hook(lambda g: calls.append("h"))
    (g,) = pt.autograd.grad((h * x).sum(), [x])
    np.testing.assert_allclose(g.numpy(), [4.0, 6.0])
    (h * x).sum().backward(inputs=[x])
    assert calls == []
    assert a.grad is None
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 6.0])
    (h * x).sum().backward()  # (without inputs=, every path: the hook runs)
    assert calls == ["h"]
    np.testing.assert_allclose(a.grad.numpy(), [2.0, 4.0])


def test_an_intermediate_input_and_a_leaf_below_it(backend: str) -> None:
    w = pt.asarray([1.0, 2.0], device=backend, requires_grad=True)
    b = pt.asarray([3.0, 4.0], device=backend, requires_grad=True)
    h = w * b  # (asked for h and w: b's edge is off both paths)
    y = (h * h).sum() + (w * 5.0).sum()
    gh, gw = pt.autograd.grad(y, [h, w])
    np.testing.assert_allclose(gh.numpy(), 2.0 * np.array([3.0, 8.0]))
    # dy/dw = 2 h b + 5
    np.testing.assert_allclose(gw.numpy(), 2.0 * np.array([3.0, 8.0]) * [3.0, 4.0] + 5.0)


def test_a_long_chain_is_walked_without_recursion() -> None:
    x = pt.asarray([1.0], requires_grad=True)
    other = pt.asarray([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0 + other * 0.0
    (g,) = pt.autograd.grad(y.sum(), [x])
    np.testing.assert_allclose(g.numpy(), [1.0])


def test_a_graph_freed_by_an_earlier_grad_still_raises() -> None:
    # (a released node's edges are unknown: it is followed, and raises, not skipped as unused)
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    y = pt.exp(x).sum()
    pt.autograd.grad(y, [x])
    with pytest.raises(RuntimeError, match="freed graph"):
        pt.autograd.grad(y, [x], allow_unused=True)
