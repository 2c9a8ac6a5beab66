"""max_pool2d's 2x2 windows at stride 2 on NumPy (backends/_windows.py ``_max_pool_2x2``): by
rows, no copy of the taps. The same output (each window's element, its bits) and the same
positions as the general path, bit for bit, for ties, signed zeros, infinities, odd sizes,
strided inputs and every floating dtype; the general path where a NaN or a -0.0 could make
them differ; PyTorch's values and gradients."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor.backends import _windows

torch = pytest.importorskip("torch")


def _sample(kind: str, shape: Any, dtype: str) -> np.ndarray:
    rng = np.random.default_rng(hash((kind, shape, dtype)) % 2**32)
    if kind == "normal":
        x = rng.standard_normal(shape)
    elif kind == "ties":  # small integers: windows with several maxima
        x = rng.integers(-2, 3, shape).astype(float)
    elif kind == "relu":  # ReLU's output: windows of +0.0s
        x = np.maximum(rng.standard_normal(shape), 0.0)
    elif kind == "infinities":  # windows of -infs, ties of +infs
        x = rng.choice([-np.inf, np.inf, 1.0, -1.0], shape)
    elif kind == "negative zero, no zero maximum":
        x = rng.integers(1, 4, shape).astype(float)
        x[..., ::2, ::2] = -0.0
    elif kind == "signed zeros":  # a -0.0 in windows whose maximum is zero: the general path
        x = rng.integers(-1, 1, shape).astype(float)
        x[rng.random(shape) < 0.3] = -0.0
    else:  # "nan": NaN windows take the general path
        x = rng.integers(-1, 2, shape).astype(float)
        x[rng.random(shape) < 0.2] = np.nan
    return x.astype(dtype)


KINDS = ["normal", "ties", "relu", "infinities", "negative zero, no zero maximum"]
SHAPES = [(2, 3, 4, 6), (1, 2, 5, 7), (3, 1, 8, 8), (2, 2, 2, 2)]


def _general(x: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    geometry = ((2, 2), (2, 2), (1, 1), (x.shape[2] // 2, x.shape[3] // 2))
    with monkeypatch.context() as m:
        m.setattr(_windows, "_max_pool_2x2", lambda *a: None)
        return _windows.max_pool(x, geometry, (0, 0))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("strided", [False, True])
def test_max_pool_2x2_is_the_general_path_bit_for_bit(
    dtype: str, shape: Any, kind: str, strided: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = _sample(kind, shape, dtype)
    if strided:  # the same values in a transposed layout
        x = np.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    got = _windows._max_pool_2x2(x, (shape[2] // 2, shape[3] // 2))
    assert got is not None  # (taken)
    want = _general(x, monkeypatch)
    for a, r in zip(got, want, strict=True):
        assert a.dtype == r.dtype and a.shape == r.shape
        np.testing.assert_array_equal(a.view(np.uint8), r.view(np.uint8))


@pytest.mark.parametrize("kind", ["signed zeros", "nan"])
def test_max_pool_2x2_leaves_nans_and_signed_zero_ties_to_the_general_path(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = _sample(kind, (2, 3, 6, 8), "float32")
    assert _windows._max_pool_2x2(x, (3, 4)) is None
    got = _windows.max_pool(x, ((2, 2), (2, 2), (1, 1), (3, 4)), (0, 0))
    want = _general(x, monkeypatch)
    for a, r in zip(got, want, strict=True):
        np.testing.assert_array_equal(a.view(np.uint8), r.view(np.uint8))


def test_max_pool_2x2_takes_the_first_zero_of_a_window_of_signed_zeros() -> None:
    for window in ([-0.0, 0.0, -1.0, 0.0], [0.0, -0.0, -0.0, 0.0], [-1.0, -0.0, 0.0, -2.0]):
        x = np.asarray(window, np.float32).reshape(1, 1, 2, 2)
        out, first = _windows.max_pool(x, ((2, 2), (2, 2), (1, 1), (1, 1)), (0, 0))
        pick = int(np.argmax(x.reshape(-1) == 0))
        assert int(first.reshape(())) == pick
        assert np.signbit(out.reshape(())) == np.signbit(x.reshape(-1)[pick])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", [*KINDS, "signed zeros", "nan"])
def test_max_pool2d_of_2x2_windows_matches_torch(dtype: str, kind: str) -> None:
    x0 = _sample(kind, (3, 4, 9, 10), dtype)  # (an odd number of rows: the last one unread)
    g0 = np.random.default_rng(1).standard_normal((3, 4, 4, 5)).astype(dtype)
    res = []
    for lib in (torch, pt):
        x = lib.tensor(x0, requires_grad=True)
        y = lib.nn.functional.max_pool2d(x, 2)
        y.backward(lib.tensor(g0))
        res.append((y.detach().numpy(), x.grad.numpy()))
    (want, want_g), (got, got_g) = res
    # each window's element itself: its bits (the sign of a zero, a NaN)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    np.testing.assert_array_equal(got_g, want_g)  # (each element's gradient is one window's)
    y = F.max_pool2d(pt.asarray(x0, requires_grad=True), 2)
    assert y.grad_fn.name() == "MaxPool2DWithIndicesBackward0"


def test_max_pool2d_of_2x2_windows_differentiates_twice() -> None:
    x = pt.asarray(np.random.default_rng(2).standard_normal((2, 2, 6, 8)), requires_grad=True)
    assert pt.autograd.gradcheck(lambda a: F.max_pool2d(a, 2), (x,))
    assert pt.autograd.gradgradcheck(lambda a: F.max_pool2d(a, 2), (x,))


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_max_pool2d_of_2x2_windows_on_other_backends_matches_torch(backend: str) -> None:
    pytest.importorskip(backend)
    x0 = _sample("ties", (2, 3, 8, 6), "float64")
    g0 = np.random.default_rng(3).standard_normal((2, 3, 4, 3))
    res = []
    for lib in (torch, pt):
        with pt.use_backend(backend):
            x = lib.tensor(x0, requires_grad=True)
            y = lib.nn.functional.max_pool2d(x, 2)
            y.backward(lib.tensor(g0))
            res.append((y.detach().numpy(), x.grad.numpy()))
    for a, r in zip(res[1], res[0], strict=True):
        np.testing.assert_array_equal(a, r)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("k", [2, 3])
def test_max_pool_backward_of_disjoint_windows_passes_the_gradient_s_bits(
    dtype: str, k: int
) -> None:
    # each window's gradient at its chosen element, bit for bit (a NaN's payload, -0.0,
    # infinities), +0.0 everywhere else: masks of bytes widened by sign in the AND
    rng = np.random.default_rng(4)
    first = rng.integers(0, k * k, (2, 3, 4, 5)).astype(np.uint8)
    g = rng.standard_normal(first.shape).astype(dtype)
    bits = g.view({2: np.int16, 4: np.int32, 8: np.int64}[g.itemsize])
    bits[0, 0, 0, :3] = [-1, 0x7FF0 if g.itemsize == 2 else -2, 1]  # NaNs, a subnormal...
    g[0, 0, 1, :3] = [-0.0, np.inf, -np.inf]
    geometry = ((k, k), (k, k), (1, 1), (4, 5))
    got = _windows.max_pool_backward((2, 3, 4 * k, 5 * k), g, first, geometry, (0, 0))
    want = np.zeros((2, 3, 4, k, 5, k), dtype)
    i = np.indices(first.shape)
    want[i[0], i[1], i[2], first // k, i[3], first % k] = g
    np.testing.assert_array_equal(got.view(bits.dtype), want.reshape(got.shape).view(bits.dtype))


@pytest.mark.parametrize("shape", [(2, 3, 5, 5), (1, 2, 3, 6), (1, 2, 6, 3), (2, 1, 1, 1)])
def test_max_pool2d_of_2x2_windows_with_ceil_mode_matches_torch(shape: Any) -> None:
    # (ceil_mode's last windows read past an odd input's end: the general path takes them)
    x0 = _sample("normal", shape, "float64")
    g0 = _sample("ties", tuple(-(-s // 2) if i > 1 else s for i, s in enumerate(shape)), "float64")
    res = []
    for lib, fn in ((pt, F.max_pool2d), (torch, torch.nn.functional.max_pool2d)):
        x = lib.tensor(x0, requires_grad=True)
        y = fn(x, 2, stride=2, ceil_mode=True)
        y.backward(lib.tensor(g0))
        res.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])
