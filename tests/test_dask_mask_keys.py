"""A boolean mask among slices, None, ``...`` and integers (``x[m, :]``, ``x[:, m]``,
``x[1:, m]``, ``x[m, None]``) on Dask: read, written and differentiated lazily, with the NumPy
backend's values and float64 gradients, for tensors split into chunks of every size."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import polytensor as pt

da = pytest.importorskip("dask.array", reason="the dask backend needs dask installed")

RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 6))
X3 = RNG.standard_normal((4, 3, 5))
ROWS = np.array([True, False, True, True])
COLS = np.array([False, True, True, False, False, True])
LAST = np.array([True, False, False, True, True])
PLANE = X3[:, :, 0] > 0  # (a mask of X3's two leading axes)
TRAILING = X3[0] > 0  # (a mask of X3's two trailing axes)
MASKS = {
    "some": (ROWS, COLS, LAST, PLANE, TRAILING),
    "none": tuple(np.zeros_like(m) for m in (ROWS, COLS, LAST, PLANE, TRAILING)),
    "all": tuple(np.ones_like(m) for m in (ROWS, COLS, LAST, PLANE, TRAILING)),
}
CHUNKS = [1, 2, 3, (1, 3, 2), (3, 1, 4)]

# the key, of the masks (_masks: m.rows, m.cols, ...), and the array it indexes
READS: dict[str, tuple[Callable[..., Any], np.ndarray]] = {
    "x[m, :]": (lambda m: (m.rows, slice(None)), X),
    "x[:, m]": (lambda m: (slice(None), m.cols), X),
    "x[..., m]": (lambda m: (Ellipsis, m.cols), X),
    "x[m, None]": (lambda m: (m.rows, None), X),
    "x[None, m]": (lambda m: (None, m.rows), X),
    "x[1:, m]": (lambda m: (slice(1, None), m.cols), X),
    "x[m, ::-2]": (lambda m: (m.rows, slice(None, None, -2)), X),
    "x3[m, :]": (lambda m: (m.rows, slice(None)), X3),
    "x3[:, :, m]": (lambda m: (slice(None), slice(None), m.last), X3),
    "x3[m2d, :] (a mask of two axes, a trailing slice)": (
        lambda m: (m.plane, slice(None)),
        X3,
    ),
    "x3[m2d, 1:]": (lambda m: (m.plane, slice(1, None)), X3),
    "x3[:, m2d]": (lambda m: (slice(None), m.trailing), X3),
    "x3[1:, m2d]": (lambda m: (slice(1, None), m.trailing), X3),
    "x3[None, ..., m, None]": (lambda m: (None, Ellipsis, m.last, None), X3),
}


def _masks(which: str) -> SimpleNamespace:
    """The masks ``which`` as tensors: ``rows`` and ``cols`` of X, ``last`` (X3's last axis),
    ``plane`` (X3's two leading axes) and ``trailing`` (its two trailing axes)."""
    names = ("rows", "cols", "last", "plane", "trailing")
    return SimpleNamespace(**{n: pt.asarray(m) for n, m in zip(names, MASKS[which], strict=True)})


def _read(backend: str, case: str, which: str, chunks: Any) -> tuple[np.ndarray, np.ndarray]:
    """``x[key]`` and the gradient of a weighted sum of it, on ``backend``, as NumPy arrays."""
    key, a = READS[case]
    options = {"chunks": chunks} if backend == "dask" else {}
    with pt.use_backend(backend, **options):
        x = pt.asarray(a.copy()).requires_grad_(True)
        y = x[key(_masks(which))]
        (y * (2.0 + pt.sin(y))).sum().backward()
        return y.detach().to("numpy").numpy(), x.grad.to("numpy").numpy()


@pytest.mark.parametrize("chunks", CHUNKS, ids=str)
@pytest.mark.parametrize("which", list(MASKS))
@pytest.mark.parametrize("case", list(READS))
def test_reads_at_a_mask_among_slices_match_numpy(case: str, which: str, chunks: Any) -> None:
    want = _read("numpy", case, which, None)
    got = _read("dask", case, which, chunks)
    for w, g in zip(want, got, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


# (key, the value written (from v), x's array, v's array)
WRITES: dict[str, tuple[Callable[..., Any], Callable[..., Any], np.ndarray, np.ndarray]] = {
    "x[m, :] = one row per selected row": (
        lambda m: (m.rows, slice(None)),
        lambda v, n, m: v[:n] ** 2,
        X,
        RNG.standard_normal((4, 6)),
    ),
    "x[:, m] = one column per selected column": (
        lambda m: (slice(None), m.cols),
        lambda v, n, m: v[:, :n] * 3,
        X,
        RNG.standard_normal((4, 6)),
    ),
    "x[1:, m] = a row broadcast to the selected columns": (
        lambda m: (slice(1, None), m.cols),
        lambda v, n, m: v[:, :1],
        X,
        RNG.standard_normal((3, 2)),
    ),
    "x[m, :] = a row broadcast to the selected rows": (
        lambda m: (m.rows, slice(None)),
        lambda v, n, m: v[0] * 2,
        X,
        RNG.standard_normal((2, 6)),
    ),
    "x[..., m] = a number": (
        lambda m: (Ellipsis, m.cols),
        lambda v, n, m: 5.0,
        X,
        RNG.standard_normal(2),
    ),
    "x3[m2d, 1:] = one row per selected element": (
        lambda m: (m.plane, slice(1, None)),
        lambda v, n, m: v[:n],
        X3,
        RNG.standard_normal((12, 4)),
    ),
    "x3[:, m2d] = the selected elements of another tensor": (
        lambda m: (slice(None), m.trailing),
        lambda v, n, m: v[:, m.trailing] - 1,
        X3,
        RNG.standard_normal((4, 3, 5)),
    ),
}
COUNTS = {  # (the number of elements each write's mask selects)
    name: {which: int(MASKS[which][i].sum()) for which in MASKS}
    for name, i in zip(WRITES, (0, 1, 1, 0, 1, 3, 4), strict=True)
}


def _write(backend: str, case: str, which: str, chunks: Any) -> list[np.ndarray]:
    key, value, a, b = WRITES[case]
    options = {"chunks": chunks} if backend == "dask" else {}
    with pt.use_backend(backend, **options):
        x = pt.asarray(a.copy()).requires_grad_(True)
        v = pt.asarray(b.copy()).requires_grad_(True)
        y = x * 1
        masks = _masks(which)
        y[key(masks)] = value(v, COUNTS[case][which], masks)
        (y * (1.0 + pt.arange(y.size, dtype=y.dtype).reshape(y.shape))).sum().backward()
        grads = [t.grad for t in (x, v) if t.grad is not None]  # (a number: v unused)
        return [t.detach().to("numpy").numpy() for t in (y, *grads)]


@pytest.mark.parametrize("chunks", CHUNKS, ids=str)
@pytest.mark.parametrize("which", list(MASKS))
@pytest.mark.parametrize("case", list(WRITES))
def test_writes_at_a_mask_among_slices_match_numpy(case: str, which: str, chunks: Any) -> None:
    want = _write("numpy", case, which, None)
    got = _write("dask", case, which, chunks)
    for w, g in zip(want, got, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def _lazy_program(x: pt.Tensor, v: pt.Tensor) -> pt.Tensor:
    cols, plane = pt.asarray(LAST), pt.asarray(PLANE)
    z = x * 1
    z[:, :, cols] = v[..., :3] * 2  # (LAST selects 3)
    return (x[1:, :, cols] ** 2).sum() + (x[plane, 1:] ** 3).sum() + (z * z).sum()


def test_reading_writing_and_backward_at_a_mask_among_slices_do_not_compute(
    dask_computes: Any,
) -> None:
    want = []
    x = pt.asarray(X3).requires_grad_(True)
    v = pt.asarray(X3 * 2).requires_grad_(True)
    _lazy_program(x, v).backward()
    want = [x.grad.numpy(), v.grad.numpy()]
    with pt.use_backend("dask", chunks=2):
        x = pt.asarray(X3).requires_grad_(True)
        v = pt.asarray(X3 * 2).requires_grad_(True)
        assert x[1:, :, pt.asarray(LAST)].shape == (3, 3, None)
        _lazy_program(x, v).backward()
        assert dask_computes.calls == 0
        got = pt.compute(x.grad, v.grad)
        assert dask_computes.calls == 1
    for w, g in zip(want, got, strict=True):
        np.testing.assert_allclose(g.numpy(), w, rtol=1e-12)


def test_the_backend_places_the_mask_as_numpy_beside_integers() -> None:
    # (NumPy's rule: integers not adjacent to the mask send its dimension first)
    from polytensor.backends import _dask_indexing

    x = da.from_array(X3, chunks=2)
    last = da.from_array(LAST, chunks=2)
    for key in ((0, slice(None), last), (0, Ellipsis, last), (slice(None), 0, last)):
        got = _dask_indexing.getitem(x, key)
        want = X3[tuple(LAST if k is last else k for k in key)]
        np.testing.assert_array_equal(got.compute(), want)
        g = da.from_array(np.ones_like(want), chunks=2)
        np.testing.assert_array_equal(
            _dask_indexing.scatter_add(g, key, X3.shape).compute(),
            np.add.at(z := np.zeros_like(X3), tuple(LAST if k is last else k for k in key), 1) or z,
        )


def test_a_value_that_cannot_fill_the_mask_among_slices_says_what_fits() -> None:
    with pt.use_backend("dask", chunks=2):
        y = pt.asarray(X)
        sel = pt.asarray(X)[pt.asarray(ROWS)]  # (rows of unknown count)
        with pytest.raises(ValueError, match=r"one row per selected element.*or a number"):
            y[:, pt.asarray(COLS)] = sel[:, :1]


def test_a_value_of_another_count_than_the_mask_among_slices_raises_when_computed() -> None:
    with pt.use_backend("dask", chunks=2):
        y = pt.asarray(X)
        y[:, pt.asarray(COLS)] = pt.asarray(X[:, :4])  # (3 columns selected)
        with pytest.raises(ValueError, match="the value must have the mask's count"):
            y.numpy()
