"""PyTorch's scatter family as programs use it (``x.scatter_(1, y.unsqueeze(1), 1.0)`` for
one-hot rows, ``scatter_add`` for sums by group, ``index_add_``) and ``F.one_hot``: NumPy's
values (``np.add.at`` where indices repeat), the gradients of both inputs, the in-place forms,
and PyTorch's errors, on every backend that can write at an array of indices."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

BACKENDS = ["numpy", "dask"]

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
SRC = RNG.standard_normal((3, 4))
W = np.arange(12.0).reshape(3, 4)


def _positions(x_shape: tuple[int, ...], dim: int, index: np.ndarray) -> tuple[np.ndarray, ...]:
    """The NumPy index of the elements a scatter along ``dim`` by ``index`` reaches."""
    grids = np.indices(index.shape)
    return tuple(index if a == dim else grids[a] for a in range(len(x_shape)))


CASES = [
    (0, np.array([[0, 1, 2, 0], [2, 0, 0, 1]])),  # (repeated indices: added)
    (1, np.array([[3, 0], [1, 1], [2, 3]])),
    (-1, np.array([[1], [0], [3]])),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("dim", "index"), CASES)
def test_scatter_add_adds_as_numpy_and_differentiates_both_inputs(
    backend: str, dim: int, index: np.ndarray
) -> None:
    pytest.importorskip(backend)
    where = _positions(X.shape, dim % 2, index)
    src = SRC[tuple(slice(0, s) for s in index.shape)]
    expected = X.copy()
    np.add.at(expected, where, src)
    with pt.use_backend(backend):
        x = pt.asarray(X, requires_grad=True)
        s = pt.asarray(SRC, requires_grad=True)  # (larger than the index: its corner is read)
        y = x.scatter_add(dim, pt.asarray(index), s)
        np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12)
        (y * pt.asarray(W)).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), W)
        g = np.zeros_like(SRC)
        g[tuple(slice(0, n) for n in index.shape)] = W[where]
        np.testing.assert_array_equal(s.grad.numpy(), g)


@pytest.mark.parametrize("backend", BACKENDS)
def test_scatter_writes_and_differentiates_both_inputs(backend: str) -> None:
    pytest.importorskip(backend)
    index = np.array([[0, 1, 2, 0]])  # (no repeated element: one value written each)
    where = _positions(X.shape, 0, index)
    expected = X.copy()
    expected[where] = SRC[:1]
    with pt.use_backend(backend):
        x = pt.asarray(X, requires_grad=True)
        s = pt.asarray(SRC[:1], requires_grad=True)
        y = pt.scatter(x, 0, pt.asarray(index), s)
        np.testing.assert_array_equal(y.detach().numpy(), expected)
        (y * pt.asarray(W)).sum().backward()
        written = np.zeros(X.shape, bool)
        written[where] = True
        np.testing.assert_array_equal(x.grad.numpy(), np.where(written, 0.0, W))
        np.testing.assert_array_equal(s.grad.numpy(), W[where])
        # a number, positionally or as value=
        np.testing.assert_array_equal(
            pt.asarray(X).scatter(0, pt.asarray(index), value=5.0).numpy(),
            np.where(written, 5.0, X),
        )


def test_one_hot_rows_by_scatter_in_place_and_by_one_hot() -> None:
    labels = pt.asarray([2, 0, 1, 2])
    rows = pt.zeros(4, 3).scatter_(1, labels.unsqueeze(1), 1.0)
    np.testing.assert_array_equal(rows.numpy(), np.eye(3)[[2, 0, 1, 2]])
    hot = F.one_hot(labels)
    assert hot.dtype is pt.int64 and hot.shape == (4, 3)
    np.testing.assert_array_equal(hot.numpy(), np.eye(3, dtype=np.int64)[[2, 0, 1, 2]])
    assert F.one_hot(labels.reshape(2, 2), 5).shape == (2, 2, 5)
    assert F.one_hot(pt.asarray([], dtype=pt.int64), 3).shape == (0, 3)


@pytest.mark.parametrize("backend", BACKENDS)
def test_index_add_adds_slices_with_alpha(backend: str) -> None:
    pytest.importorskip(backend)
    index = np.array([3, 0, 3])
    source = SRC[:, :3]
    expected = X.copy()
    np.add.at(expected, (slice(None), index), 2.0 * source)
    with pt.use_backend(backend):
        x = pt.asarray(X, requires_grad=True)
        s = pt.asarray(source, requires_grad=True)
        y = x.index_add(1, pt.asarray(index), s, alpha=2.0)
        np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12)
        (y * pt.asarray(W)).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), W)
        np.testing.assert_array_equal(s.grad.numpy(), 2.0 * W[:, index])
        z = pt.asarray(X.copy())
        assert z.index_add_(1, pt.asarray(index), pt.asarray(source), alpha=2.0) is z
        np.testing.assert_allclose(z.numpy(), expected, rtol=1e-12)


def test_the_in_place_forms_record_on_a_tensor_in_a_graph() -> None:
    x = pt.asarray(X, requires_grad=True)
    y = x * 1.0
    y.scatter_add_(0, pt.asarray([[0, 0, 0, 0]]), pt.ones(1, 4, dtype=pt.float64))
    (y * pt.asarray(W)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), W)
    with pytest.raises(RuntimeError, match="leaf"):
        pt.zeros(3, requires_grad=True).scatter_(0, pt.asarray([0]), 1.0)


def test_a_zero_dimensional_tensor_scatters_as_one_element() -> None:
    assert pt.asarray(1.0).scatter(0, pt.asarray(0), 5.0).item() == 5.0
    assert pt.asarray(1.0).scatter_add(0, pt.asarray(0), pt.asarray(2.0)).item() == 3.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: pt.zeros(3).scatter(0, pt.asarray([3]), 1.0), RuntimeError, "index 3 is out"),
        (lambda: pt.zeros(3).scatter(0, pt.asarray([-1]), 1.0), RuntimeError, "index -1 is"),
        (lambda: pt.zeros(3).scatter(0, pt.asarray([0.0]), 1.0), RuntimeError, "dtype int32"),
        (lambda: pt.zeros(3, 2).scatter(0, pt.asarray([0]), 1.0), RuntimeError, "dimensions"),
        (lambda: pt.zeros(3).scatter(0, pt.asarray([0]), 1.0, value=2.0), TypeError, "one of"),
        (lambda: pt.zeros(3).scatter(0, pt.asarray([0]), 1.0, reduce="mean"), ValueError, "'add'"),
        (
            lambda: pt.zeros(3).scatter_add(0, pt.asarray([0]), pt.ones(1, dtype=pt.float64)),
            RuntimeError,
            "expected src of the input's dtype float32",
        ),
        (lambda: pt.zeros(2).scatter_add(0, pt.asarray([0, 1]), pt.ones(1)), RuntimeError, "src"),
        (lambda: pt.zeros(3).index_add(0, pt.asarray([5]), pt.ones(1)), RuntimeError, "index 5"),
        (lambda: pt.zeros(3).index_add(0, pt.asarray([0]), pt.ones(2)), RuntimeError, "source"),
        (lambda: pt.cat(pt.ones(2)), TypeError, r"cat\(\) expects a list"),
        (lambda: F.one_hot(pt.asarray([3]), 3), IndexError, "class value 3 is out of bounds"),
        (lambda: F.one_hot(pt.asarray([1.0]), 3), TypeError, "integer class indices"),
        (lambda: F.one_hot(pt.asarray([], dtype=pt.int64)), RuntimeError, "empty tensor"),
    ],
)
def test_wrong_arguments_raise_naming_the_function(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]


def test_array_api_strict_refuses_a_scatter_naming_it() -> None:
    pytest.importorskip("array_api_strict")
    with pt.use_backend("array_api_strict"):
        x = pt.zeros((2, 3))
        with pytest.raises(IndexError, match=r"scatter\(\) on the array_api_strict backend"):
            x.scatter(1, pt.asarray([[2], [0]]), 1.0)
        # (an addition at an array of indices it makes: scatter_add works there)
        np.testing.assert_array_equal(
            pt.zeros(3).scatter_add(0, pt.asarray([0, 2, 0]), pt.ones(3)).numpy(), [2, 0, 1]
        )


def test_numbers_zero_dimensional_operands_and_booleans_as_pytorch_takes_them() -> None:
    # NumPy scalars are numbers; a 0-d index or src on a 1-D input is one element
    for number in (np.float32(2.5), np.int64(2), 2.5):
        y = pt.zeros(3).scatter(0, pt.asarray([1]), number)
        np.testing.assert_array_equal(y.numpy(), [0.0, float(number), 0.0])
    np.testing.assert_array_equal(pt.zeros(3).scatter(0, pt.asarray(1), 5.0).numpy(), [0, 5, 0])
    np.testing.assert_array_equal(
        pt.zeros(3).scatter(0, pt.asarray([1]), pt.asarray(5.0)).numpy(), [0, 5, 0]
    )
    # booleans add as or, as PyTorch's
    flags = pt.zeros(3, dtype=pt.bool)
    y = flags.scatter_add(0, pt.asarray([1, 1]), pt.asarray([True, True]))
    assert y.dtype is pt.bool and y.tolist() == [False, True, False]
    assert flags.index_add(0, pt.asarray([2]), pt.asarray([True])).tolist() == [False, False, True]
    # integers keep their dtype, with an integer alpha
    z = pt.zeros(3, dtype=pt.int64).index_add(0, pt.asarray([1]), pt.asarray([2]), alpha=2)
    assert z.dtype is pt.int64 and z.tolist() == [0, 4, 0]
    with pytest.raises(TypeError, match="integer alpha"):
        pt.zeros(3, dtype=pt.int64).index_add(0, pt.asarray([1]), pt.asarray([2]), alpha=2.5)
    # a 0-d input is one element, its index checked
    assert pt.asarray(1.0).index_add(0, pt.asarray([0]), pt.asarray(2.0)).item() == 3.0
    with pytest.raises(RuntimeError, match="index 5 is out of bounds"):
        pt.asarray(1.0).index_add(0, pt.asarray([5]), pt.asarray(2.0))
    # a number beyond the dtype is refused, not written as an infinity
    with pytest.raises(OverflowError, match="float32"):
        pt.zeros(3).scatter(0, pt.asarray([1]), 1e40)


def test_one_hot_of_a_small_integer_dtype_has_one_one_per_row() -> None:
    # (classes of the indices' own dtype wrapped around: uint8 256 is 0)
    hot = F.one_hot(pt.asarray([1, 255], dtype=pt.uint8), 300)
    assert hot.sum(1).tolist() == [1, 1] and hot[1, 255].item() == 1


KEYS = {
    "rows and classes": lambda: (np.arange(5), np.array([0, 3, 3, 1, 2])),
    "repeated rows": lambda: (np.array([0, 0, -1, 4, 0]),),
    "slice and array": lambda: (slice(1, 4), np.array([2, 2, 0])),
    "boolean mask": lambda: (np.array([True, False, True, False, True]),),
}


@pytest.mark.parametrize("name", sorted(KEYS))
def test_the_numpy_adjoint_of_indexing_matches_the_generic_one(name: str) -> None:
    """NumPy's ``_scatter_add`` (np.add.at into zeros for integer-array keys) gives what
    generic_scatter_add gives, repeated and negative indices added, other keys as before."""
    from polytensor.backends._backend import generic_scatter_add

    b = pt.backends.get("numpy")
    b.load()
    key = KEYS[name]()
    g = np.asarray(np.zeros((5, 4))[key]) + RNG.standard_normal(np.zeros((5, 4))[key].shape)
    for dtype in (np.float32, np.float64):
        want = generic_scatter_add(b)(g.astype(dtype), key, (5, 4))
        got = b.resolve("_scatter_add")(g.astype(dtype), key, (5, 4))
        assert got.dtype == want.dtype == dtype
        np.testing.assert_array_equal(got, want)
