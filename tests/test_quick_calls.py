"""The calls that programs make at every step and that go straight to the backend:
``pt.cat``/``pt.stack``/``pt.concat`` of tensors of one dtype, ``pt.unstack``,
``x.float()``/``x.to(dtype)`` (``astype``), ``(pred == y).sum()`` (PyTorch's count of
booleans) and ``pt.randn`` on an eager backend. Each gives what the general path gives:
values, dtype, the recorded gradient, the errors, and (for random numbers) the same numbers
as a Dask draw in chunks."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cat_and_stack_give_numpy_s_values_and_gradients(backend: str, axis: int) -> None:
    pytest.importorskip(backend)
    a = np.arange(6.0).reshape(2, 3)
    b = -a - 1
    with pt.use_backend(backend):
        x = pt.asarray(a, requires_grad=True)
        y = pt.asarray(b, requires_grad=True)
        for join, ref in ((pt.cat, np.concatenate), (pt.stack, np.stack)):
            x.grad = y.grad = None
            z = join([x, y], axis)
            np.testing.assert_array_equal(z.detach().numpy(), ref([a, b], axis=axis))
            w = pt.asarray(np.arange(1.0, 1.0 + z.size).reshape(tuple(z.shape)))
            (z * w).sum().backward()
            gx, gy = np.split(w.numpy(), 2, axis=axis)
            shape = a.shape
            np.testing.assert_array_equal(x.grad.numpy(), gx.reshape(shape))
            np.testing.assert_array_equal(y.grad.numpy(), gy.reshape(shape))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_unstack_gives_numpy_s_values_and_gradients(backend: str, axis: int) -> None:
    pytest.importorskip(backend)
    a = np.arange(24.0).reshape(2, 3, 4)
    with pt.use_backend(backend):
        x = pt.asarray(a, requires_grad=True)
        parts = pt.unstack(x, axis=axis)
        want = np.unstack(a, axis=axis)
        assert len(parts) == len(want)
        for p, w in zip(parts, want, strict=True):
            np.testing.assert_array_equal(p.detach().numpy(), w)
        sum((p * float(i + 1)).sum() for i, p in enumerate(parts)).backward()
        scale = np.arange(1.0, len(want) + 1).reshape(
            [-1 if d == axis % 3 else 1 for d in range(3)]
        )
        np.testing.assert_array_equal(x.grad.numpy(), np.broadcast_to(scale, a.shape))


def test_numpy_unstacks_the_first_axis_by_iterating() -> None:
    # (np.unstack moves the axis in Python first: 5.6 -> 2.3 us for a GRU's (2, 3, 8) states)
    b = pt.backends.get("numpy")
    assert "unstack" in b.overrides
    a = np.arange(6.0).reshape(3, 2)
    parts = b.overrides["unstack"](a, axis=0)
    assert type(parts) is tuple and all(np.shares_memory(p, a) for p in parts)
    np.testing.assert_array_equal(np.stack(parts), a)
    with pytest.raises(ValueError, match="at least 1-d"):
        b.overrides["unstack"](np.float64(1.0), axis=0)


def test_cat_of_mixed_dtypes_promotes_as_polytensor_does() -> None:
    z = pt.cat([pt.arange(2), pt.ones(2)])
    assert z.dtype == pt.float32
    np.testing.assert_array_equal(z.numpy(), [0.0, 1.0, 1.0, 1.0])
    assert pt.cat([pt.ones(2, dtype=pt.float64), pt.ones(2)]).dtype == pt.float64


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: pt.stack([pt.ones(2), pt.ones(3)]), r"stack\(\): all input arrays must have"),
        (lambda: pt.stack([pt.ones(2)], axis=2), r"stack\(\): axis 2 is out of bounds"),
        (lambda: pt.cat([pt.ones(2), pt.ones((2, 2))]), r"concat\(\): all the input arrays"),
        (lambda: pt.cat([pt.asarray(1.0), pt.asarray(2.0)]), r"concat\(\): zero-dimensional"),
        (lambda: pt.cat(pt.ones(2)), r"cat\(\) expects a list or tuple of tensors; got a tensor"),
        (lambda: pt.stack(pt.ones(2)), r"stack\(\) expects a list or tuple of tensors; got a"),
    ],
)
def test_cat_and_stack_errors_name_the_function(call: object, match: str) -> None:
    with pytest.raises((ValueError, IndexError, TypeError), match=match):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("backend", BACKENDS)
def test_astype_records_its_gradient_and_copies(backend: str) -> None:
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        w = pt.asarray([1.5, -2.0, 3.0], requires_grad=True)
        y = w.to(pt.float64)
        assert y.dtype == pt.float64 and y.grad_fn.name() == "ToCopyBackward0"
        (y * pt.asarray([1.0, 2.0, 3.0], dtype=pt.float64)).sum().backward()
        np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0, 3.0])
        assert w.grad.dtype == pt.float32
        # an integer result is outside the graph; a copy is a copy
        assert not w.long().requires_grad
        np.testing.assert_array_equal(w.long().numpy(), [1, -2, 3])
        x = pt.ones(2)
        assert pt.astype(x, pt.float32, copy=False) is x
        c = pt.astype(x, pt.float32)
        assert c is not x
        with pt.no_grad():
            assert not w.to(pt.float64).requires_grad


def test_the_sum_of_booleans_is_a_count_in_the_default_integer_dtype() -> None:
    pred = pt.asarray([0, 1, 2, 3, 0, 1])
    y = pt.asarray([0, 1, 0, 3, 0, 2])
    total = (pred == y).sum()
    assert total.dtype == pt.int64 and total.item() == 4
    assert (pred == y).float().mean().item() == pytest.approx(4 / 6)
    assert pt.sum(pred == y).item() == 4 and pt.sum(pred == y).dtype == pt.int64


@pytest.mark.parametrize("draw", ["randn", "rand", "randint"])
def test_an_eager_draw_gives_the_numbers_of_a_chunked_dask_draw(draw: str) -> None:
    pytest.importorskip("dask")
    make = {
        "randn": lambda **kw: pt.randn(70_001, dtype=pt.float64, **kw),
        "rand": lambda **kw: pt.rand(3, 50_000, **kw),
        "randint": lambda **kw: pt.randint(-5, 1 << 40, (131_073,), **kw),
    }[draw]
    pt.manual_seed(3)
    eager = make()
    again = make()  # (the next draw: other numbers, made by the same thread's generator)
    pt.manual_seed(3)
    lazy = make(device="dask", chunks=17_000)
    np.testing.assert_array_equal(eager.numpy(), lazy.to("numpy").numpy())
    assert not np.array_equal(eager.numpy(), again.numpy())


@pytest.mark.parametrize("axis", [1, -1, 0])
@pytest.mark.parametrize("width", [1, 3])
def test_take_along_axis_gives_numpy_s_elements(axis: int, width: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4))
    n = x.shape[axis]
    shape = (5, width) if axis != 0 else (width, 4)
    idx = rng.integers(-n, n, shape)
    got = pt.take_along_axis(pt.asarray(x), pt.asarray(idx), axis=axis)
    np.testing.assert_array_equal(got.numpy(), np.take_along_axis(x, idx, axis=axis))
    with pytest.raises(IndexError, match=r"take_along_axis\(\): index 9 is out of bounds"):
        pt.take_along_axis(pt.asarray(x), pt.asarray(np.full(shape, 9)), axis=axis)


def test_max_along_a_dim_gives_its_gradient_to_the_first_tied_element() -> None:
    # (PyTorch's x.max(dim): values taken at the indices, recorded)
    x = pt.asarray([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], requires_grad=True)
    values, indices = pt.max(x, 1)
    np.testing.assert_array_equal(values.detach().numpy(), [3.0, 2.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
    (values * pt.asarray([10.0, 20.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 10.0, 0.0], [20.0, 0.0, 0.0]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_rows_by_an_index_tensor_give_numpy_s_rows_and_gradient(backend: str) -> None:
    pytest.importorskip(backend)
    a = np.arange(12.0).reshape(4, 3)
    idx = np.array([3, 0, -1, 3])
    with pt.use_backend(backend):
        w = pt.asarray(a, requires_grad=True)
        rows = w[pt.asarray(idx)]
        np.testing.assert_array_equal(rows.detach().numpy(), a[idx])
        (rows * pt.asarray(np.arange(12.0).reshape(4, 3))).sum().backward()
        expected = np.zeros_like(a)
        np.add.at(expected, idx, np.arange(12.0).reshape(4, 3))
        np.testing.assert_array_equal(w.grad.numpy(), expected)
        rows = pt.asarray(a)[pt.asarray(idx)]
        rows[0, 0] = -1.0  # (a copy, as PyTorch's advanced indexing makes)
        assert w.detach().numpy()[3, 0] == 9.0
        with pytest.raises(IndexError, match=r"__getitem__\(\): index 4 is out of bounds"):
            pt.asarray(a)[pt.asarray([0, 4])].numpy()  # (on Dask: when computed)


@pytest.mark.parametrize("dtype", [pt.float32, pt.float64, pt.int64])
@pytest.mark.parametrize(
    "key", [1, slice(1, 3), (slice(None), 0), (2, 1), (-1, slice(None, None, 2))]
)
def test_a_number_written_at_a_basic_index_lands_as_numpy_s(dtype: pt.DType, key: object) -> None:
    x = pt.zeros((4, 3), dtype=dtype)
    ref = np.zeros((4, 3), dtype=x.numpy().dtype)
    x[key] = 7
    ref[key] = 7
    x[key] = 2.0
    ref[key] = 2.0
    np.testing.assert_array_equal(x.numpy(), ref)


def test_a_number_written_into_a_view_or_a_leaf_takes_the_checked_path() -> None:
    base = pt.zeros((2, 3))
    row = base[1]
    row[0] = 5.0  # (a view: written through to its base)
    np.testing.assert_array_equal(base.numpy(), [[0, 0, 0], [5, 0, 0]])
    leaf = pt.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        leaf[0] = 1.0
    with pytest.raises(OverflowError, match="float32"):
        pt.zeros(3)[0] = 1e40
    with pytest.raises(IndexError, match="out of bounds"):
        pt.zeros(3)[3] = 1.0
