"""The PyTorch-style surface of DESIGN.md: creation, seeded streams, methods, the NumPy bridge,
and clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt

BACKENDS = [b for b, s in pt.backends.available().items() if s == "available"]


def test_view_on_an_incompatible_shape_says_so() -> None:
    x = pt.arange(6.0)
    with pytest.raises(RuntimeError, match=r"view\(\).*\(4, 2\).*6 elements"):
        x.view(4, 2)


def test_view_of_a_non_contiguous_tensor_points_to_reshape() -> None:
    x = pt.arange(6.0).view(2, 3).t()
    with pytest.raises(RuntimeError, match=r"view\(\).*without a copy.*reshape"):
        x.view(6)
    assert x.reshape(6).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]


def test_view_shares_memory_on_numpy() -> None:
    x = pt.zeros(2, 3)
    v = x.view(6)
    v[0] = 5.0
    assert float(x[0, 0]) == 5.0


def test_item_of_a_many_element_tensor_says_so() -> None:
    with pytest.raises(ValueError, match=r"item\(\).*one element.*\(2,\)"):
        pt.ones(2).item()
    assert pt.ones(1, 1).item() == 1.0


@pytest.mark.parametrize("value", [[1.0, 2.0], (1, 2), 3.0, "x"])
def test_from_numpy_of_a_non_array_says_what_to_use(value: object) -> None:
    with pytest.raises(TypeError, match=r"from_numpy\(\) expects a numpy.ndarray.*pt.asarray"):
        pt.from_numpy(value)


def test_from_numpy_and_numpy_share_memory() -> None:
    a = np.zeros(3)
    t = pt.from_numpy(a)
    a[1] = 2.0
    assert t.tolist() == [0.0, 2.0, 0.0]
    t.add_(1.0)
    assert a.tolist() == [1.0, 3.0, 1.0]
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_same_seed_gives_the_same_stream_on_every_backend(backend: str) -> None:
    pt.manual_seed(7)
    want = (pt.rand(3).tolist(), pt.randn(2, 2).tolist(), pt.randint(0, 10, (4,)).tolist())
    with pt.use_backend(backend):
        pt.manual_seed(7)
        got = (pt.rand(3).tolist(), pt.randn(2, 2).tolist(), pt.randint(0, 10, (4,)).tolist())
    assert got == want


def test_generators_are_independent_streams() -> None:
    g1, g2 = pt.Generator().manual_seed(1), pt.Generator().manual_seed(1)
    a = pt.rand(4, generator=g1)
    pt.rand(4)  # the default stream does not disturb g2
    assert pt.rand(4, generator=g2).tolist() == a.tolist()


def test_pytorch_style_creation_shapes_and_requires_grad() -> None:
    assert pt.zeros(5, 3).shape == (5, 3)
    assert pt.randn(size=(2,)).shape == (2,) and pt.rand((2, 3)).shape == (2, 3)
    x = pt.ones(2, 2, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    assert pt.arange(4.0, requires_grad=True).dtype == pt.float32
    assert pt.tensor([1.0]).dtype == pt.float32
    assert pt.tensor(np.array([1.0])).dtype == pt.float64
    with pytest.raises(RuntimeError, match="floating-point"):
        pt.ones(2, dtype=pt.int32, requires_grad=True)


def test_methods_with_dim_and_keepdim_match_numpy() -> None:
    a = np.arange(12.0).reshape(3, 4)
    x = pt.asarray(a)
    np.testing.assert_allclose(x.sum(dim=1).numpy(), a.sum(axis=1))
    np.testing.assert_allclose(x.mean(dim=0, keepdim=True).numpy(), a.mean(0, keepdims=True))
    np.testing.assert_allclose(x.std(dim=1).numpy(), a.std(axis=1, ddof=1), rtol=1e-6)
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(indices.numpy(), a.argmax(axis=1))
    np.testing.assert_allclose(values.numpy(), a.max(axis=1))
    assert x.max().item() == 11.0  # without dim: one tensor, as pt.max
    np.testing.assert_allclose(x.t().mm(x).numpy(), a.T @ a)
    np.testing.assert_allclose(x.clamp(min=2.0, max=5.0).numpy(), np.clip(a, 2, 5))
    assert x.eq(x).all().item() is True


def test_print_reads_like_pytorch() -> None:
    assert repr(pt.tensor([[1.0, 2.0]])) == "tensor([[1., 2.]], backend='numpy')"
    assert "requires_grad=True" in repr(pt.ones(1, requires_grad=True))
    assert "grad_fn=<MulBackward0>" in repr(pt.ones(1, requires_grad=True) * 2)
    assert repr(pt.ones(1, dtype=pt.int32)).endswith("dtype=polytensor.int32, backend='numpy')")


def test_out_writes_into_the_given_tensor() -> None:
    a, out = pt.ones(3), pt.zeros(3)
    assert pt.add(a, a, out=out) is out
    assert out.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(RuntimeError, match="out= does not support automatic differentiation"):
        pt.exp(pt.ones(3, requires_grad=True), out=pt.zeros(3))


def test_out_is_keyword_only() -> None:
    # a third positional argument is refused, not taken as out: PyTorch's deprecated
    # add(x, alpha, other) / sub(x, alpha, other) would otherwise write x - alpha into other
    x, y = pt.asarray([1.0, 4.0]), pt.asarray([10.0, 20.0])
    for f in (pt.add, pt.sub, pt.subtract, pt.multiply, pt.sin):
        args = (x, 2, y) if f is not pt.sin else (x, y)
        with pytest.raises(TypeError, match="positional argument"):
            f(*args)
    assert y.tolist() == [10.0, 20.0]
    with pytest.raises(TypeError):
        pow(x, 2, 5)


def test_repeated_in_place_updates_with_python_numbers() -> None:
    # the first update gives x a version counter; later ones must still take numbers
    x = pt.ones(3)
    x += 1
    x += 1
    x *= 2.0
    x -= 1
    assert x.tolist() == [5.0, 5.0, 5.0]
    w = pt.ones(2, requires_grad=True)
    y = w * 1.0
    y += 1  # recorded: y stays in the graph
    pt.sum(y).backward()
    assert w.grad.tolist() == [1.0, 1.0]
