"""``x.grad = ``, ``x.requires_grad = `` and ``pt.set_grad_enabled(...)`` refuse what PyTorch
refuses, with a message that names what was expected."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt


@pytest.mark.parametrize("dtype", [pt.int64, pt.bool, pt.float64])
def test_grad_of_another_dtype_is_refused(dtype: pt.DType) -> None:
    x = pt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=f"dtype {dtype.name} to a tensor of dtype float32"):
        x.grad = pt.zeros(3, dtype=dtype)
    assert x.grad is None


@pytest.mark.parametrize("shape", [(4,), (1,), (3, 1), ()])
def test_grad_of_another_shape_is_refused(shape: tuple[int, ...]) -> None:
    x = pt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient of shape .* to a tensor of shape \(3,\)"):
        x.grad = pt.zeros(shape)


def test_grad_on_another_backend_is_refused() -> None:
    x = pt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"on dask:cpu to a tensor on numpy:cpu.*g.to"):
        x.grad = pt.zeros(3, device="dask")


def test_grad_that_is_not_a_tensor_is_a_type_error() -> None:
    x = pt.ones(3, requires_grad=True)
    for value in (3, [0.0, 0.0, 0.0], np.zeros(3, dtype=np.float32)):
        with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None"):
            x.grad = value  # type: ignore[assignment]


def test_a_matching_grad_and_none_are_accepted() -> None:
    x = pt.ones(3, requires_grad=True)
    x.grad = pt.asarray([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0, 3.0])
    x.grad = None
    assert x.grad is None
    p = pt.nn.Parameter(pt.ones(2))
    p.grad = pt.zeros(2)  # a Parameter takes a plain tensor as its gradient
    assert p.grad is not None


def test_sgd_never_sees_a_wrong_grad() -> None:
    w = pt.nn.Parameter(pt.ones(2))
    opt = pt.optim.SGD([w], lr=0.1)
    with pytest.raises(RuntimeError, match="dtype int64"):
        w.grad = pt.asarray([1, 2])
    opt.step()  # no gradient: nothing changes
    np.testing.assert_array_equal(w.detach().numpy(), [1.0, 1.0])


@pytest.mark.parametrize("value", ["no", "", 1, 0, None, 1.0])
def test_requires_grad_takes_only_a_bool(value: object) -> None:
    x = pt.ones(2)
    with pytest.raises(TypeError, match="requires_grad expects a bool"):
        x.requires_grad = value  # type: ignore[assignment]
    assert x.requires_grad is False
    with pytest.raises(TypeError, match=r"requires_grad_\(\) expects a bool"):
        x.requires_grad_(value)  # type: ignore[arg-type]


def test_requires_grad_true_and_false_still_work() -> None:
    x = pt.ones(2)
    x.requires_grad = True
    assert x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad


@pytest.mark.parametrize("value", ["a", 1, None, 0.0])
def test_set_grad_enabled_takes_only_a_bool(value: object) -> None:
    with pytest.raises(TypeError, match=r"set_grad_enabled\(\) expects a bool"):
        pt.set_grad_enabled(value)  # type: ignore[arg-type]
    assert pt.is_grad_enabled()


def test_set_grad_enabled_as_a_statement_a_block_and_a_decorator() -> None:
    pt.set_grad_enabled(False)
    try:
        assert not pt.is_grad_enabled()
    finally:
        pt.set_grad_enabled(True)
    assert pt.is_grad_enabled()
    with pt.set_grad_enabled(False):
        assert not pt.is_grad_enabled()
    assert pt.is_grad_enabled()

    @pt.set_grad_enabled(False)
    def f() -> bool:
        return pt.is_grad_enabled()

    assert pt.is_grad_enabled() and f() is False


def test_setters_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed: nothing to compare with")
    t = torch.ones(3, requires_grad=True)
    for bad in (torch.zeros(3, dtype=torch.int64), torch.zeros(4)):
        with pytest.raises(RuntimeError):
            t.grad = bad
    with pytest.raises(TypeError):
        torch.set_grad_enabled("a")  # type: ignore[arg-type]
