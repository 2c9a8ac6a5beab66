"""The update phase of a training step takes fast paths: ``w -= lr * w.grad`` and
``w.grad.zero_()`` under ``no_grad``, plain SGD's ``step()`` and ``zero_grad()``. Each gives
what the general path gives, bit for bit, bumps the version counter once, records nothing,
and leaves everything it does not cover to the general path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import _tape
from polytensor._tensor_ops import sub_scaled_


def _version(t: Any) -> int:
    m = t._meta
    return 0 if m is None else int(m.version)


def _leaf(seed: int, shape: tuple[int, ...] = (8, 5), dtype: Any = "float32") -> Any:
    rng = np.random.default_rng(seed)
    return pt.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)


# -- w -= lr * w.grad ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_tutorials_update_under_no_grad_matches_numpy_bit_for_bit(dtype: str) -> None:
    w = _leaf(0, dtype=dtype)
    (w * w).sum().backward()
    assert w.grad is not None
    want = w.detach().numpy().copy()
    want -= 1e-3 * w.grad.numpy()  # NumPy's own: float32 stays float32 (a weak Python float)
    before = _version(w)
    with pt.no_grad():
        w -= 1e-3 * w.grad
    got = w.detach().numpy()
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, want)
    assert _version(w) == before + 1
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_a_tensor_outside_any_graph_updated_with_one_in_a_graph_joins_the_graph() -> None:
    # (as PyTorch: x += w records the addition; writing w's values into x would lose the
    # gradient silently)
    w = pt.ones(2, requires_grad=True)
    for update in (lambda x: x.__iadd__(w), lambda x: x.add_(w), lambda x: x.sub_(w)):
        x = pt.zeros(2)
        x = update(x)
        assert x.requires_grad and x.grad_fn is not None
    x = pt.zeros(2)
    x += w * 3
    x.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 3.0])


def test_in_place_operators_outside_a_graph_write_into_memory_and_bump_once() -> None:
    x = pt.asarray(np.arange(4.0))
    y = pt.asarray(np.ones(4))
    buf = x.numpy()  # (shares memory on NumPy)
    x -= y
    x += 2
    assert np.shares_memory(x.numpy(), buf)
    np.testing.assert_array_equal(buf, np.arange(4.0) + 1)
    v = _version(x)
    x *= 2.0
    assert _version(x) == v + 1
    np.testing.assert_array_equal(buf, (np.arange(4.0) + 1) * 2)


def test_the_tensor_grad_property_reads_and_clears() -> None:
    w = _leaf(1, (3,))
    assert w.grad is None and pt.ones(2).grad is None
    w.sum().backward()
    g = w.grad
    assert g is w.grad and g is not None
    w.grad = None
    assert w.grad is None


# -- zero_() ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "bool"])
def test_zero_fills_with_zeros_in_place_and_bumps_the_version_once(dtype: str) -> None:
    x = pt.asarray(np.ones(5, dtype=dtype))
    buf = x.numpy()
    x.zero_()
    np.testing.assert_array_equal(buf, np.zeros(5, dtype=dtype))
    assert buf.dtype == np.dtype(dtype)
    v = _version(x)
    assert v >= 1 and x._meta.zeroed == v
    assert x.zero_() is x and _version(x) == v + 1
    assert x.grad_fn is None and not x.requires_grad


def test_zero_of_grads_under_no_grad_then_backward_adopts_the_new_gradient() -> None:
    w = _leaf(2, (4, 3))
    (w * 2).sum().backward()
    g = w.grad
    count = _tape._inplace_count
    with pt.no_grad():
        g.zero_()
    assert _tape._inplace_count == count + 1  # the one in-place change: zero_()
    np.testing.assert_array_equal(g.numpy(), np.zeros((4, 3), np.float32))
    (w * 3).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.full((4, 3), 3.0, np.float32))


def test_zero_of_a_leaf_that_requires_grad_is_refused_with_grad_on_and_done_under_no_grad() -> None:
    w = _leaf(3, (2,))
    with pytest.raises(RuntimeError, match=r"zero_: a leaf tensor that requires grad .*no_grad"):
        w.zero_()
    with pt.no_grad():
        w.zero_()
    np.testing.assert_array_equal(w.detach().numpy(), [0.0, 0.0])
    assert w.is_leaf and w.requires_grad


def test_zero_of_a_tensor_in_a_graph_is_recorded_with_a_zero_gradient() -> None:
    w = _leaf(4, (3,))
    y = w * 2
    y.zero_()
    assert y.grad_fn is not None
    (y + w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.ones(3, np.float32))


# -- sub_scaled_ and plain SGD -----------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("alpha", [1e-3, 0.1, 3, -0.5])
def test_sub_scaled_equals_the_two_operators_bit_for_bit(dtype: str, alpha: float) -> None:
    w, g = _leaf(5, dtype=dtype), _leaf(6, dtype=dtype).detach()
    want = w.detach().clone()
    with pt.no_grad():
        want -= alpha * g
        before = _version(w)
        count = _tape._inplace_count
        assert sub_scaled_(w, alpha, g) is w
    np.testing.assert_array_equal(w.detach().numpy(), want.numpy())
    assert _version(w) == before + 1 and _tape._inplace_count == count + 1
    assert w.is_leaf and w.grad_fn is None


def test_sub_scaled_leaves_what_it_does_not_cover_to_the_operators() -> None:
    # a float32 tensor updated with a float64 one: the operator casts the result (PyTorch's rule)
    w = pt.ones(2, dtype=pt.float32)
    g64 = pt.asarray(np.array([0.1, 0.3]))
    want = pt.ones(2, dtype=pt.float32)
    want -= 0.5 * g64
    sub_scaled_(w, 0.5, g64)
    assert w.dtype is pt.float32
    np.testing.assert_array_equal(w.numpy(), want.numpy())
    # an integer tensor and a fractional factor: the operator's refusal
    i = pt.ones(2, dtype=pt.int32)
    with pytest.raises(TypeError, match="int32"):
        sub_scaled_(i, 0.5, pt.ones(2, dtype=pt.int32))
    w = pt.ones(2, dtype=pt.float32)
    # a shape that does not broadcast to w's: the operator's error
    with pytest.raises(ValueError, match=r"shape|broadcast"):
        sub_scaled_(w, 0.5, pt.ones(3))
    np.testing.assert_array_equal(w.numpy(), [1.0, 1.0])
    # broadcasting into w, a NumPy scalar factor, a tensor factor: as the operators do
    sub_scaled_(w, 0.5, pt.ones(1))
    sub_scaled_(w, np.float32(0.25), pt.ones(2))
    sub_scaled_(w, pt.asarray(0.125), pt.ones(2))
    np.testing.assert_array_equal(w.numpy(), [0.125, 0.125])


def test_sub_scaled_in_grad_mode_records_what_the_operators_record() -> None:
    w = _leaf(7, (3,))
    x = pt.zeros(3)
    sub_scaled_(x, 2.0, w)  # x joins w's graph
    x.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.full(3, -2.0, np.float32))
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        sub_scaled_(w, 0.1, pt.ones(3))


def test_sub_scaled_on_dask_rebinds_as_the_operators_do() -> None:
    pytest.importorskip("dask", reason="dask is not installed: no immutable backend to try")
    w = pt.asarray(np.arange(3.0), device="dask")
    g = pt.asarray(np.ones(3), device="dask")
    assert sub_scaled_(w, 2.0, g) is w
    np.testing.assert_array_equal(pt.compute(w)[0].numpy(), np.arange(3.0) - 2.0)


def _mlp_and_data() -> tuple[Any, Any, Any]:
    pt.manual_seed(0)
    model = pt.nn.Sequential(pt.nn.Linear(6, 5), pt.nn.ReLU(), pt.nn.Linear(5, 3))
    rng = np.random.default_rng(8)
    x = pt.asarray(rng.standard_normal((4, 6)).astype("float32"))
    labels = pt.asarray(np.array([0, 2, 1, 2]))
    return model, x, labels


def test_plain_sgd_steps_equal_the_tutorials_loop_bit_for_bit() -> None:
    lr = 0.05
    model_a, x, labels = _mlp_and_data()
    model_b, _, _ = _mlp_and_data()
    loss_fn = pt.nn.CrossEntropyLoss()
    opt = pt.optim.SGD(model_a.parameters(), lr=lr)
    for _ in range(3):
        opt.zero_grad()
        loss_fn(model_a(x), labels).backward()
        versions = [_version(p) for p in model_a.parameters()]
        opt.step()
        assert [_version(p) for p in model_a.parameters()] == [v + 1 for v in versions]
        model_b.zero_grad()
        loss_fn(model_b(x), labels).backward()
        with pt.no_grad():
            for p in model_b.parameters():
                p -= lr * p.grad
    for pa, pb in zip(model_a.parameters(), model_b.parameters(), strict=True):
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())
        assert pa.is_leaf and pa.requires_grad and pa.grad_fn is None


def test_sgd_zero_grad_sets_grads_to_none_or_to_zeros() -> None:
    model, x, labels = _mlp_and_data()
    opt = pt.optim.SGD(model.parameters(), lr=0.1)
    pt.nn.CrossEntropyLoss()(model(x), labels).backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None for g in grads)
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is g for p, g in zip(model.parameters(), grads, strict=True))
    for g in grads:
        np.testing.assert_array_equal(g.numpy(), np.zeros(g.shape, np.float32))
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    opt.step()  # no gradients: nothing changes
