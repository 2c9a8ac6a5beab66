"""A hook's return value is checked as PyTorch checks it, and a hook gets a gradient of its
own (never a cached seed or a view that other code reads)."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt


def _leaf() -> pt.Tensor:
    return pt.ones(3, requires_grad=True)


def test_hook_returning_another_shape_is_refused_as_pytorch_does() -> None:
    x = _leaf()
    x.register_hook(lambda g: pt.ones(4))
    with pytest.raises(
        RuntimeError, match=r"hook '<lambda>' has changed the size of value.*\(4,\)"
    ):
        (x * 2).sum().backward()
    assert x.grad is None


def test_hook_returning_a_broadcastable_shape_is_refused_too() -> None:
    x = _leaf()
    x.register_hook(lambda g: pt.ones(1))
    with pytest.raises(RuntimeError, match="changed the size"):
        (x * 2).sum().backward()


@pytest.mark.parametrize("dtype", [pt.float64, pt.int64, pt.bool])
def test_hook_returning_another_dtype_is_refused(dtype: pt.DType) -> None:
    x = _leaf()
    x.register_hook(lambda g: pt.ones(3, dtype=dtype))
    with pytest.raises(
        RuntimeError, match=f"changed the type of value \\(was float32 got {dtype.name}"
    ):
        (x * 2).sum().backward()


def test_hook_returning_another_backend_is_refused() -> None:
    x = _leaf()

    def to_dask(g: pt.Tensor) -> pt.Tensor:
        return g.to("dask")

    x.register_hook(to_dask)
    with pytest.raises(
        RuntimeError, match=r"hook 'to_dask' has changed the device .*numpy:cpu.*dask"
    ):
        (x * 2).sum().backward()


def test_hook_returning_a_non_tensor_is_a_type_error() -> None:
    x = _leaf()
    x.register_hook(lambda g: 3)
    with pytest.raises(TypeError, match="returned int; a hook returns the new gradient"):
        (x * 2).sum().backward()


def test_hook_on_an_intermediate_tensor_is_checked_too() -> None:
    x = _leaf()
    y = x * 2
    y.register_hook(lambda g: pt.ones((3, 1)))
    with pytest.raises(RuntimeError, match="changed the size"):
        y.sum().backward()


def test_hook_returning_none_keeps_the_gradient_and_a_tensor_replaces_it() -> None:
    x = _leaf()
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    x.register_hook(lambda g: g * 10)
    (x * 2).sum().backward()
    np.testing.assert_array_equal(seen[0], [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(x.grad.numpy(), [20.0, 20.0, 20.0])


def test_hook_on_the_loss_gets_a_seed_of_its_own() -> None:
    # loss.backward() starts from a cached read-only 0-d one; a hook on the loss may change
    # what it gets in place (as in PyTorch, the change flows on) without touching the cache
    x = _leaf()
    got = []

    def triple(g: pt.Tensor) -> None:
        got.append(g)
        g *= 3

    loss = (x * 2).sum()
    loss.register_hook(triple)
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0, 6.0])
    assert float(got[0]) == 3.0
    x.grad = None
    (x * 2).sum().backward()  # the next backward() starts from a one again
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_hook_may_change_a_broadcast_gradient_in_place() -> None:
    # x.sum()'s gradient is a broadcast of one number: the hook gets a tensor it may write
    x = _leaf()
    x.register_hook(lambda g: g.mul_(5))
    x.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0, 5.0])


def test_hook_results_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed: nothing to compare with")
    t = torch.ones(3, requires_grad=True)
    t.register_hook(lambda g: torch.ones(4))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        (t * 2).sum().backward()
    t = torch.ones(3, requires_grad=True)
    t.register_hook(lambda g: torch.ones(3, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="has changed the type of value"):
        (t * 2).sum().backward()
