"""A stride-1 conv2d on NumPy (backends/_stride_one.py): batch last for small layers, wide
columns a sample at a time for large ones. Each path gives PyTorch's values and float64
gradients, for padding, dilation, odd sizes, either gradient alone, NaNs and infinities, and
transposed convolutions built on it; the other backends' table ops agree."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor.backends import _stride_one, _windows

torch = pytest.importorskip("torch")


def _both(
    x0: np.ndarray,
    w0: np.ndarray,
    needs: tuple[bool, bool] = (True, True),
    g0: np.ndarray | None = None,
    backend: str = "numpy",
    **kw: Any,
) -> tuple[list[Any], list[Any]]:
    """conv2d in torch and polytensor: the output, then the gradients asked for (None else)."""
    res = []
    for lib in (torch, pt):
        with pt.use_backend(backend):
            x = lib.tensor(x0, requires_grad=needs[0])
            w = lib.tensor(w0, requires_grad=needs[1])
            y = lib.nn.functional.conv2d(x, w, **kw)
            g = g0 if g0 is not None else np.random.default_rng(9).standard_normal(y.shape)
            y.backward(lib.tensor(g.astype(x0.dtype)))
            res.append(
                [
                    y.detach().numpy(),
                    *[None if t.grad is None else t.grad.numpy() for t in (x, w)],
                ]
            )
    return res[0], res[1]


def _check(want: list[Any], got: list[Any], tol: float) -> None:
    for r, g in zip(want, got, strict=True):
        if r is None:
            assert g is None
            continue
        assert g.dtype == r.dtype and g.shape == r.shape
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol)


def _geometry(shape: Any, kernel: Any, padding: Any, dilation: Any) -> Any:
    (ph, pw), (dh, dw) = padding, dilation
    ho = shape[2] + 2 * ph - dh * (kernel[0] - 1)
    wo = shape[3] + 2 * pw - dw * (kernel[1] - 1)
    return (kernel, (1, 1), dilation, (ho, wo))


# each: input shape, output channels, kernel, padding, dilation
BATCH_LAST = [
    ((16, 8, 7, 7), 8, (3, 3), (1, 1), (1, 1)),  # ResNet's 3x3 at 7x7, padded
    ((4, 6, 14, 14), 16, (5, 5), (0, 0), (1, 1)),  # the 60-minute tutorial's second layer
    ((3, 2, 6, 9), 5, (3, 2), (2, 1), (2, 3)),  # odd sizes, dilation, uneven padding
    ((1, 3, 5, 4), 2, (2, 3), (0, 1), (1, 1)),  # one sample
    ((16, 16, 9, 9), 16, (3, 3), (0, 0), (1, 1)),  # past the small limit: 128+ rows of columns
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("shape", "o", "kernel", "padding", "dilation"), BATCH_LAST)
@pytest.mark.parametrize("needs", [(True, True), (True, False), (False, True)])
def test_batch_last_conv2d_matches_torch(
    dtype: str, shape: Any, o: int, kernel: Any, padding: Any, dilation: Any, needs: Any
) -> None:
    geometry = _geometry(shape, kernel, padding, dilation)
    pads = (padding[0], padding[0], padding[1], padding[1])
    assert _windows._batch_last(shape, o, geometry, np.dtype(dtype).itemsize, pads)
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(shape).astype(dtype)
    w0 = rng.standard_normal((o, shape[1], *kernel)).astype(dtype)
    want, got = _both(x0, w0, needs, padding=padding, dilation=dilation)
    _check(want, got, 1e-4 if dtype == "float32" else 1e-11)


# each: input shape, output channels, kernel, padding, dilation; wide where the batch's
# columns take more than _KEEP_BYTES (0 here)
WIDE = [
    ((3, 32, 7, 12), 4, (3, 3), (0, 0), (1, 1)),  # 4 output channels
    ((2, 3, 9, 20), 6, (5, 5), (2, 2), (1, 1)),  # the tutorial's first layer's shape, padded
    ((2, 30, 8, 21), 5, (3, 3), (0, 1), (2, 1)),  # dilation, odd sizes
    ((3, 11, 6, 24), 3, (2, 3), (1, 0), (1, 2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("shape", "o", "kernel", "padding", "dilation"), WIDE)
@pytest.mark.parametrize("needs", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("chunk_bytes", [1, 1 << 21])
def test_wide_conv2d_matches_torch(
    dtype: str,
    shape: Any,
    o: int,
    kernel: Any,
    padding: Any,
    dilation: Any,
    needs: Any,
    chunk_bytes: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_windows, "_KEEP_BYTES", 0)  # (as for a large batch)
    monkeypatch.setattr(_windows, "_CHUNK_BYTES", chunk_bytes)  # 1: a sample per chunk
    geometry = _geometry(shape, kernel, padding, dilation)
    padded = np.empty((shape[0], shape[1], shape[2] + 2 * padding[0], shape[3] + 2 * padding[1]))
    assert _windows._wide(padded, geometry)
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal(shape).astype(dtype)
    w0 = rng.standard_normal((o, shape[1], *kernel)).astype(dtype)
    want, got = _both(x0, w0, needs, padding=padding, dilation=dilation)
    _check(want, got, 1e-4 if dtype == "float32" else 1e-11)


def _nonfinite(a: np.ndarray, seed: int) -> None:
    """An inf, a -inf and a NaN at random places of ``a``, one at its first and last element
    (read past a row's end by the wide columns)."""
    flat = a.reshape(-1)
    rng = np.random.default_rng(seed)
    i, j, k = rng.choice(flat.size, 3, replace=False)
    flat[i], flat[j], flat[k] = np.inf, -np.inf, np.nan
    flat[0], flat[-1] = -np.inf, np.inf


@pytest.mark.parametrize("where", ["input", "weight", "gradient", "input column 0"])
@pytest.mark.parametrize("path", ["batch last", "wide, one chunk", "wide, a sample a chunk"])
def test_stride_one_paths_match_torch_with_nans_and_infinities(
    where: str, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the wide columns' positions past Wo read the next row; the output's gradient laid out
    # wide is zero past Ho and Wo: no 0 * inf there may turn into a NaN torch does not have
    if path != "batch last":
        monkeypatch.setattr(_windows, "_KEEP_BYTES", 0)
        monkeypatch.setattr(_windows, "_CHUNK_BYTES", 1 if path.endswith("chunk") else 1 << 21)
    rng = np.random.default_rng(2)
    x0, w0 = rng.standard_normal((3, 8, 6, 11)), rng.standard_normal((4, 8, 3, 3))
    g0 = rng.standard_normal((3, 4, 6, 11))
    geometry = ((3, 3), (1, 1), (1, 1), (6, 11))
    shape, pads = (3, 8, 8, 13), (1, 1, 1, 1)
    if path == "batch last":
        assert _windows._batch_last(x0.shape, 4, geometry, 8, pads)
    else:
        assert _windows._wide(np.empty(shape), geometry)
    if where == "input column 0":  # read past the end of the row before, by taps kj > 0
        x0[1, 2, 3, 0] = np.inf
        x0[2, 5, 4, 0] = np.nan
    else:
        _nonfinite({"input": x0, "weight": w0, "gradient": g0}[where], 3)
    with np.errstate(invalid="ignore"):  # (inf - inf in the sums: NaNs, in both)
        want, got = _both(x0, w0, g0=g0, padding=1)
    _check(want, got, 1e-11)


@pytest.mark.parametrize("path", ["batch last", "wide"])
@pytest.mark.parametrize("needs", [(True, True), (True, False), (False, True)])
def test_stride_one_conv_transpose2d_matches_torch(
    path: str, needs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the transposed convolution is the input's gradient of a stride-1 conv2d, its backward
    # that conv2d and its weight's gradient (columns taken in the backward's layout)
    if path == "wide":
        monkeypatch.setattr(_windows, "_KEEP_BYTES", 0)
        shape, wshape = (2, 6, 7, 12), (6, 20, 3, 3)
    else:
        shape, wshape = (4, 6, 5, 5), (6, 8, 3, 3)
    rng = np.random.default_rng(4)
    z0, w0 = rng.standard_normal(shape), rng.standard_normal(wshape)
    res = []
    for lib in (torch, pt):
        z = lib.tensor(z0, requires_grad=needs[0])
        w = lib.tensor(w0, requires_grad=needs[1])
        y = lib.nn.functional.conv_transpose2d(z, w, padding=1)
        y.backward(lib.tensor(np.random.default_rng(5).standard_normal(tuple(y.shape))))
        grads = [None if t.grad is None else t.grad.numpy() for t in (z, w)]
        res.append([y.detach().numpy(), *grads])
    _check(res[0], res[1], 1e-11)


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_stride_one_conv2d_on_other_backends_takes_the_table_s_ops(backend: str) -> None:
    pytest.importorskip(backend)
    rng = np.random.default_rng(6)
    x0, w0 = rng.standard_normal((4, 6, 9, 9)), rng.standard_normal((8, 6, 3, 3))
    want, got = _both(x0, w0, backend=backend, padding=1)
    _check(want, got, 1e-11)


def test_batch_last_takes_small_layers_only() -> None:
    three = ((3, 3), (1, 1), (1, 1), (24, 24))
    # MNIST's 32 to 64 channel layer at batch 64: wide columns, not batch last
    assert not _stride_one.batch_last((64, 32, 26, 26), 64, three, 4, 1 << 23)
    # a strided one or a 1x1 kernel: never
    assert not _stride_one.batch_last((4, 8, 9, 9), 8, ((3, 3), (2, 2), (1, 1), (4, 4)), 4, 1 << 23)
    assert not _stride_one.batch_last((4, 8, 9, 9), 8, ((1, 1), (1, 1), (1, 1), (9, 9)), 4, 1 << 23)
    # few output channels over large images: their transposing copies cost more than they save
    tutorial = ((5, 5), (1, 1), (1, 1), (28, 28))
    assert not _stride_one.batch_last((4, 3, 32, 32), 6, tutorial, 4, 1 << 23)
    second = ((5, 5), (1, 1), (1, 1), (10, 10))
    assert _stride_one.batch_last((64, 6, 14, 14), 16, second, 4, 1 << 23)
