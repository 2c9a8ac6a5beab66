"""Dask tensors split into several chunks give the NumPy backend's values, dtypes and float64
gradients, where results cross chunk boundaries (the one-chunk path computes with the NumPy
backend's own functions, so it is the split arrays that go through ``dask.array``)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

pytest.importorskip("dask.array", reason="the dask backend needs dask installed")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((6, 5))
X3 = RNG.standard_normal((4, 3, 5))


def _index(*values: Any) -> pt.Tensor:
    return pt.asarray(np.array(values))


def _run(backend: str, fn: Callable[..., Any], arrays: tuple[np.ndarray, ...]) -> Any:
    """``fn``'s results on ``backend`` (chunks of 2 on Dask) as NumPy arrays, and the float64
    inputs' gradients of a weighted sum of the floating-point results."""
    options = {"chunks": 2} if backend == "dask" else {}
    with pt.use_backend(backend, **options):
        inputs = [pt.asarray(a.copy()) for a in arrays]
        for t in inputs:
            if t.dtype == pt.float64:
                t.requires_grad_(True)
        out = fn(*inputs)
        outs = list(out) if isinstance(out, tuple) else [out]
        if backend == "dask":
            assert all(o._backend.name == "dask" for o in outs)
        loss = sum(
            (o * (1.0 + pt.arange(o.size, dtype=o.dtype).reshape(o.shape))).sum()
            for o in outs
            if o.requires_grad
        )
        grads = []
        if isinstance(loss, pt.Tensor):
            loss.backward()
            grads = [t.grad.to("numpy").numpy() for t in inputs if t.requires_grad]
        return [o.detach().to("numpy").numpy() for o in outs], grads


def assert_dask_matches_numpy(fn: Callable[..., Any], *arrays: np.ndarray) -> None:
    want, want_grads = _run("numpy", fn, arrays)
    got, got_grads = _run("dask", fn, arrays)
    for w, g in zip(want + want_grads, got + got_grads, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def _write(key: Callable[[], Any]) -> Callable[..., pt.Tensor]:
    """``x`` (a copy) with ``v`` (or 5.0) written at ``key()``."""

    def fn(x: pt.Tensor, *v: pt.Tensor) -> pt.Tensor:
        y = x * 1
        y[key()] = v[0] if v else 5.0
        return y

    return fn


WRITES: dict[str, tuple[Callable[[], Any], tuple[np.ndarray, ...]]] = {
    "two arrays": (lambda: (_index(0, 4), _index(1, -1)), (X,)),
    "two arrays, a repeated element": (
        lambda: (_index(0, 4, 0), _index(1, -1, 1)),
        (X, X[0, :3].copy()),
    ),
    "a 2-d array": (lambda: _index([0, 4], [5, 5]), (X, RNG.standard_normal((2, 2, 5)))),
    "broadcast arrays": (lambda: (_index([0], [3]), _index(1, 2, 4)), (X, X[:2, :3].copy())),
    "slice and two arrays": (lambda: (slice(1, None), _index(0, 2), _index(1, 4)), (X3, X[:3, :2])),
    "step -2 and two arrays": (
        lambda: (slice(None, None, -2), _index(0, 2), _index(1, 4)),
        (X3, X[:2, :2].copy()),
    ),
    "arrays apart": (lambda: (_index(0, 3), slice(None), _index(1, 4)), (X3, X[:2, :3].copy())),
    "Ellipsis before two arrays": (lambda: (..., _index(0, 2), _index(3, 1)), (X3, X[:4, :2])),
}


@pytest.mark.parametrize("case", list(WRITES))
def test_writes_at_several_integer_arrays_match_numpy(case: str) -> None:
    key, arrays = WRITES[case]
    assert_dask_matches_numpy(_write(key), *arrays)


def test_scatter_and_index_put_match_numpy() -> None:
    index = np.array([[0, 1], [4, 4], [2, 2], [0, 0]])
    src = RNG.standard_normal((4, 2))
    assert_dask_matches_numpy(
        lambda x, i, s: (pt.scatter(x, 1, i, s), x.scatter(1, i, 2.5)), X[:4], index, src
    )
    rows, cols = np.array([1, 2, 5]), np.array([0, 0, 4])
    assert_dask_matches_numpy(lambda x, i, j, v: x.index_put((i, j), v), X, rows, cols, X[0, :3])


@pytest.mark.parametrize(
    "call",
    [
        lambda a, b: a // b,
        lambda a, b: a % b,
        lambda a, b: pt.fmod(a, b),
        lambda a, b: a // 0,
        lambda a, b: 7 % b,
        lambda a, b: pt.div(a, b, rounding_mode="trunc"),
    ],
    ids=["//", "%", "fmod", "// 0", "7 % b", "div trunc"],
)
def test_integer_division_by_zero_raises_when_computed(
    call: Callable[..., Any], dask_computes: Any
) -> None:
    a, b = np.array([7, -7, 5, 3, 2]), np.array([2, 3, -3, 0, 1])
    with pt.use_backend("numpy"), pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(pt.asarray(a), pt.asarray(b))
    with pt.use_backend("dask", chunks=2):
        q = call(pt.asarray(a), pt.asarray(b))
        assert dask_computes.calls == 0
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            q.numpy()


def test_integer_division_by_nonzero_divisors_matches_numpy() -> None:
    a, b = np.arange(-6, 6), np.array([2, 3, -3, 5, 1, -1] * 2)
    assert_dask_matches_numpy(lambda x, y: (x // y, x % y, pt.fmod(x, y), x // 4, -9 % y), a, b)


@pytest.mark.parametrize("axis", [None, 0, (0, 1)])
def test_var_and_std_with_a_correction_past_the_count_match_numpy(axis: Any) -> None:
    # (the divisor max(n - correction, 0): inf, or NaN for a constant, as in NumPy and PyTorch)
    def fn(x: pt.Tensor) -> tuple[pt.Tensor, ...]:
        with pt.no_grad():
            return pt.var(x, axis=axis, correction=31), pt.std(x, axis=axis, correction=40.5)

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # (NumPy's "Degrees of freedom <= 0")
        assert_dask_matches_numpy(fn, X)
        assert_dask_matches_numpy(fn, np.ones((6, 5)))


@pytest.mark.parametrize("chunks", [1, 3])
@pytest.mark.parametrize(
    ("args", "dtype"),
    [((0, 1, 0.1), pt.float32), ((0.0, 7.0, 0.7), pt.float64), ((0, 10, 2.5), pt.int64)],
)
def test_arange_has_numpys_values_in_any_chunks(args: Any, dtype: Any, chunks: int) -> None:
    want = pt.arange(*args, dtype=dtype).numpy()
    with pt.use_backend("dask", chunks=chunks):
        got = pt.arange(*args, dtype=dtype)
        assert got._data.numblocks[0] > 1
        np.testing.assert_array_equal(got.numpy(), want, strict=True)


REFUSED = {
    "binary_cross_entropy above 1": (
        lambda x, t: pt.nn.functional.binary_cross_entropy(x, t),
        (np.array([0.2, 1.5, 0.3]), np.array([0.0, 1.0, 1.0])),
        "between 0 and 1",
    ),
    "binary_cross_entropy NaN": (
        lambda x, t: pt.nn.functional.binary_cross_entropy(x, t, reduction="sum"),
        (np.array([0.2, np.nan, 0.3]), np.array([0.0, 1.0, 1.0])),
        "between 0 and 1",
    ),
    "gaussian_nll_loss negative var": (
        lambda x, t, v: pt.nn.functional.gaussian_nll_loss(x, t, v),
        (X[0, :3], X[1, :3], np.array([1.0, -1.0, 2.0])),
        "var has negative",
    ),
    "index_put at a mask, more values than True elements": (
        lambda x, v: x.index_put((x > 0,), v),
        (np.array([1.0, -1.0, 2.0, 3.0]), np.array([5.0, 6.0, 7.0, 8.0])),
        "cannot be broadcast to the selection of the mask",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_values_refused_on_numpy_are_refused_when_computed(case: str, dask_computes: Any) -> None:
    fn, arrays, message = REFUSED[case]
    with pytest.raises((ValueError, RuntimeError), match=message):
        fn(*(pt.asarray(a) for a in arrays))
    with pt.use_backend("dask", chunks=2):
        out = fn(*(pt.asarray(a) for a in arrays))
        assert dask_computes.calls == 0
        with pytest.raises((ValueError, RuntimeError), match=message):
            out.numpy()


def test_valid_loss_inputs_match_numpy() -> None:
    # (inside (0, 1): at 0 and 1 the NumPy backend's kernel takes PyTorch's gradient there)
    p, t = np.array([0.2, 0.9, 0.3, 0.5]), np.array([0.0, 1.0, 1.0, 0.5])
    F = pt.nn.functional
    assert_dask_matches_numpy(lambda x: F.binary_cross_entropy(x, pt.asarray(t)), p)
    # (a NaN variance gives a NaN loss, as on NumPy and in PyTorch, and is not refused)
    var = np.array([1.0, np.nan, 2.0, 1e-9])
    assert_dask_matches_numpy(
        lambda x, y, v: F.gaussian_nll_loss(x, y, v, reduction="none"), X[0, :4], X[1, :4], var
    )


def test_median_of_all_elements_spreads_its_gradient_over_ties(dask_computes: Any) -> None:
    # (as PyTorch's: evenly over the elements equal to the median, not to the chosen one)
    ties = np.array([[1.0, 1.0, 0.5, 1.0], [2.0, 0.0, 2.0, 3.0]])
    assert_dask_matches_numpy(lambda x: x.median(), ties)
    assert_dask_matches_numpy(lambda x: x.median(), np.array([[np.inf, np.inf, 1.0, np.inf]]))
    with pt.use_backend("dask", chunks=2):
        x = pt.asarray(ties).requires_grad_(True)
        before = dask_computes.calls
        x.median().backward()
        assert dask_computes.calls == before
        np.testing.assert_array_equal(x.grad.numpy(), [[1 / 3, 1 / 3, 0, 1 / 3], [0, 0, 0, 0]])


ROWS = np.array([True, False, True, False, False, True])

MASKED_WRITES: dict[str, tuple[Callable[..., Any], tuple[np.ndarray, ...]]] = {
    "a row broadcast to the selected rows": (lambda v: v[:1], (X, X[2:5].copy())),
    "one value per selected element": (lambda v: v, (X[0], X[1, :3].copy())),
}


@pytest.mark.parametrize("case", list(MASKED_WRITES))
def test_writes_at_a_boolean_mask_of_the_leading_axes_match_numpy(case: str) -> None:
    value, (x, v) = MASKED_WRITES[case]
    mask = ROWS[: x.shape[0]] if x.ndim > 1 else x > 0

    def write(a: pt.Tensor, b: pt.Tensor) -> pt.Tensor:
        with pt.no_grad():
            y = a * 1
            y[pt.asarray(mask)] = value(b)
            return y

    assert_dask_matches_numpy(write, x, v)


def test_a_masked_write_of_the_wrong_count_raises_when_computed() -> None:
    with pt.use_backend("dask", chunks=2):
        y = pt.asarray(X)
        y[pt.asarray(ROWS)] = pt.asarray(X[:4])  # (3 rows selected)
        with pytest.raises(ValueError, match="the value must have the mask's count"):
            y.numpy()


LEADING = X3[:, :, 0] > 0  # (a mask of the two leading axes of X3)


def _written(mask: np.ndarray, value: Callable[..., Any]) -> Callable[..., pt.Tensor]:
    """``x`` (a copy) with ``value(v)`` written at ``mask``."""

    def fn(x: pt.Tensor, v: pt.Tensor) -> pt.Tensor:
        y = x * 1
        y[pt.asarray(mask)] = value(v)
        return y

    return fn


MASKED_GRADIENTS: dict[str, tuple[Callable[..., Any], tuple[np.ndarray, ...]]] = {
    "a value of one row per selected row": (_written(ROWS, lambda v: v[:3] ** 2), (X, X * 2)),
    "the selected rows of another tensor": (
        _written(ROWS, lambda v: v[pt.asarray(ROWS)] * 3),
        (X, X * 2),
    ),
    "a mask of two of three axes": (
        _written(LEADING, lambda v: v[: int(LEADING.sum())]),
        (X3, RNG.standard_normal((12, 5))),
    ),
    "reading at a mask of two of three axes": (
        lambda x: (x[pt.asarray(LEADING)] ** 2).sum(axis=0),
        (X3,),
    ),
}


@pytest.mark.parametrize("case", list(MASKED_GRADIENTS))
def test_gradients_through_boolean_masks_of_the_leading_axes_match_numpy(case: str) -> None:
    fn, arrays = MASKED_GRADIENTS[case]
    assert_dask_matches_numpy(fn, *arrays)


def test_a_write_at_a_mask_beside_an_integer_matches_numpy() -> None:
    # (y[rows, 2] = v: v's cotangent is read at the mask's first True positions, lazily, as
    # for y[rows] = v)
    def write(x: pt.Tensor, v: pt.Tensor) -> pt.Tensor:
        y = x * 1
        y[pt.asarray(ROWS), 2] = v[:3, 0] ** 2
        return y

    assert_dask_matches_numpy(write, X, X[:4] * 2)


def _chunked(
    backend: str, fn: Callable[..., Any], arrays: tuple[np.ndarray, ...], chunks: Any
) -> Any:
    """``fn``'s results on ``backend``, Dask's inputs made with the chunking option ``chunks``."""
    options = {"chunks": chunks} if backend == "dask" else {}
    with pt.use_backend(backend, **options):
        out = fn(*(pt.asarray(a) for a in arrays))
        return [o.to("numpy").numpy() for o in (out if isinstance(out, tuple) else (out,))]


SQUARE = RNG.standard_normal((5, 5)) + 5 * np.eye(5)


@pytest.mark.parametrize("chunks", [(3, 2), (4, 1)])
def test_linalg_of_matrices_chunked_unevenly_matches_numpy(chunks: Any) -> None:
    # (rows and columns split differently: Dask's gufuncs failed with "Shapes do not align")
    def fn(a: pt.Tensor) -> tuple[pt.Tensor, ...]:
        spd = a @ a.mT
        return (
            pt.linalg.inv(a),
            pt.linalg.det(a),
            pt.linalg.cholesky(spd),
            pt.linalg.eigvalsh(spd),
            pt.linalg.solve(a, a[:, :2]),
        )

    for want, got in zip(
        _chunked("numpy", fn, (SQUARE,), None), _chunked("dask", fn, (SQUARE,), chunks), strict=True
    ):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


TIES = np.array([[0.0, 5.0, 1.0], [5.0, 0.0, 0.0], [5.0, 5.0, -1.0]])
FIRST_NAN = np.array([[1.0, np.nan, 3.0], [np.nan, 2.0, 1.0], [4.0, 5.0, np.inf]])


@pytest.mark.parametrize("chunks", [(2, 1), (3, 1)])
@pytest.mark.parametrize("x", [TIES, FIRST_NAN, np.round(X3)], ids=["ties", "NaN", "3-d"])
def test_argmax_and_argmin_of_all_elements_give_the_first_in_row_major_order(
    x: np.ndarray, chunks: Any
) -> None:
    # (Dask kept the first block's extreme in block order: for an array split into columns,
    # not the first in row-major order)
    def fn(a: pt.Tensor) -> tuple[pt.Tensor, ...]:
        return a.argmax(), a.argmin(), pt.argmax(a, keepdims=True)

    for want, got in zip(
        _chunked("numpy", fn, (x,), None), _chunked("dask", fn, (x,), chunks), strict=True
    ):
        np.testing.assert_array_equal(got, want, strict=True)
