"""conv2d's bias inside the NumPy kernel's node (nn/_window_kernels.py, backends/_windows.py):
added as each path writes its output, its gradient the output's summed over N, Ho and Wo.
Every path gives the values of the convolution plus the bias added after it, bit for bit, and
the gradients of the two nodes it replaces, bit for bit; PyTorch's values and float64
gradients; the other backends' table ops agree."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor.backends import _phase_conv, _stride_one, _windows

torch = pytest.importorskip("torch")

# (input shape, weight shape, conv2d keywords, the path it takes, the module limits to set)
CASES = [
    ((16, 8, 9, 9), (8, 8, 3, 3), {}, "batch last", {}),
    ((4, 3, 9, 9), (5, 3, 3, 3), {"stride": 2}, "columns kept", {}),
    ((2, 3, 34, 34), (4, 3, 4, 4), {"stride": 2}, "phases", {}),
    ((3, 12, 9, 24), (4, 12, 5, 5), {}, "wide", {"_KEEP_BYTES": 0, "_CHUNK_BYTES": 1}),
    ((3, 12, 9, 24), (4, 12, 5, 5), {"padding": 1}, "wide, padded", {"_KEEP_BYTES": 0}),
    ((3, 4, 9, 9), (5, 4, 3, 3), {"stride": 2}, "chunks", {"_KEEP_BYTES": 0, "_CHUNK_BYTES": 1}),
    ((2, 3, 7, 6), (4, 3, 3, 3), {"padding": 2, "dilation": 2}, "batch last, padded", {}),
    ((2, 3, 9, 9), (4, 3, 3, 3), {"stride": 2, "padding": 1}, "columns, padded", {}),
]
# the function each path's forward calls
PATHS = {
    "batch last": (_stride_one, "conv2d_batch_last"),
    "columns kept": (_windows, "_columns"),
    "phases": (_phase_conv, "conv2d"),
    "wide": (_stride_one, "conv2d_wide"),
    "wide, padded": (_stride_one, "conv2d_wide"),
    "chunks": (_windows, "_columns"),
    "batch last, padded": (_stride_one, "conv2d_batch_last"),
    "columns, padded": (_windows, "_columns"),
}


def _data(xs: Any, ws: Any, dtype: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    return x, w, b


def _run(
    lib: Any,
    x0: np.ndarray,
    w0: np.ndarray,
    b0: np.ndarray | None,
    needs: tuple[bool, bool, bool] = (True, True, True),
    **kw: Any,
) -> list[Any]:
    """conv2d in ``lib``: the output, then the gradients of x, w and the bias (None where not
    asked for) for a fixed output gradient."""
    x = lib.tensor(x0, requires_grad=needs[0])
    w = lib.tensor(w0, requires_grad=needs[1])
    b = None if b0 is None else lib.tensor(b0, requires_grad=needs[2])
    y = lib.nn.functional.conv2d(x, w, b, **kw)
    g = np.random.default_rng(12).standard_normal(tuple(y.shape)).astype(x0.dtype)
    y.backward(lib.tensor(g))
    grads = [None if t is None or t.grad is None else t.grad.numpy() for t in (x, w, b)]
    return [y.detach().numpy(), *grads, g]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("xs", "ws", "kw", "path", "limits"), CASES, ids=[c[3] for c in CASES])
def test_conv2d_bias_in_the_kernel_is_the_separate_sum_bit_for_bit(
    dtype: str,
    xs: Any,
    ws: Any,
    kw: Any,
    path: str,
    limits: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in limits.items():
        monkeypatch.setattr(_windows, name, value)
    x0, w0, b0 = _data(xs, ws, dtype)
    needs = (True, path != "chunks", True)  # (the columns are kept for the weight's gradient)
    got = _run(pt, x0, w0, b0, needs, **kw)
    plain = _run(pt, x0, w0, None, needs, **kw)  # the convolution alone, same gradient seed
    np.testing.assert_array_equal(got[0], plain[0] + b0.reshape(-1, 1, 1))
    for a, r in zip(got[1:3], plain[1:3], strict=True):
        np.testing.assert_array_equal(a, r)
    g = got[4]
    np.testing.assert_array_equal(got[3], np.add.reduce(g, axis=(0, 2, 3)))
    assert got[3].dtype == np.dtype(dtype)
    # one node, down the path named, the bias added inside it
    module, name = PATHS[path]
    calls = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **k: calls.append(1) or real(*a, **k))
    y = F.conv2d(pt.asarray(x0, requires_grad=True), pt.asarray(w0), pt.asarray(b0), **kw)
    assert y.grad_fn.name() == "ConvolutionBackward0" and calls
    want = _run(torch, x0, w0, b0, needs, **kw)
    tol = 1e-4 if dtype == "float32" else 1e-12
    for a, r in zip(got[:4], want[:4], strict=True):
        assert (a is None) == (r is None)
        if a is not None:
            np.testing.assert_allclose(a, r, rtol=tol, atol=tol)


@pytest.mark.parametrize(("xs", "ws", "kw", "path", "limits"), CASES, ids=[c[3] for c in CASES])
def test_conv2d_bias_gradient_alone_matches_torch(
    xs: Any, ws: Any, kw: Any, path: str, limits: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in limits.items():
        monkeypatch.setattr(_windows, name, value)
    x0, w0, b0 = _data(xs, ws, "float64")
    got = _run(pt, x0, w0, b0, (False, False, True), **kw)
    want = _run(torch, x0, w0, b0, (False, False, True), **kw)
    assert got[1] is None and got[2] is None
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[3], want[3], rtol=1e-12, atol=1e-12)


def test_conv2d_bias_with_nans_and_infinities_matches_torch() -> None:
    x0, w0, b0 = _data((16, 8, 9, 9), (8, 8, 3, 3), "float64")
    b0[1], b0[2], b0[3] = np.nan, np.inf, -np.inf
    x0[0, 0, 0, 0] = np.inf
    with np.errstate(invalid="ignore"):  # (inf - inf: NaNs, in both)
        got = _run(pt, x0, w0, b0)
        want = _run(torch, x0, w0, b0)
    for a, r in zip(got[:4], want[:4], strict=True):
        np.testing.assert_allclose(a, r, rtol=1e-12, atol=1e-12)


def test_conv2d_bias_of_another_dtype_is_refused_as_torch() -> None:
    # (PyTorch: "Input type (float) and bias type (double) should be the same")
    x0, w0, b0 = _data((2, 3, 8, 8), (4, 3, 3, 3), "float32")
    x, w = pt.asarray(x0), pt.asarray(w0)
    b = pt.asarray(b0.astype(np.float64), requires_grad=True)
    with pytest.raises(RuntimeError, match="conv2d\\(\\) expects input and bias of one dtype"):
        F.conv2d(x, w, b, padding=1)


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 1}])
def test_conv2d_with_a_bias_differentiates_twice(kw: Any) -> None:
    rng = np.random.default_rng(13)
    x = pt.asarray(rng.standard_normal((2, 2, 6, 6)), requires_grad=True)
    w = pt.asarray(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    b = pt.asarray(rng.standard_normal(3), requires_grad=True)
    assert pt.autograd.gradgradcheck(lambda a, c, d: F.conv2d(a, c, d, **kw), (x, w, b))
    assert pt.autograd.gradcheck(lambda a, c, d: F.conv2d(a, c, d, **kw), (x, w, b))


def test_conv2d_bias_second_derivatives_match_torch() -> None:
    x0, w0, b0 = _data((2, 2, 5, 5), (3, 2, 3, 3), "float64")

    def second(lib: Any) -> list[np.ndarray]:
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True)
        b = lib.tensor(b0, requires_grad=True)
        y = lib.nn.functional.conv2d(x, w, b, padding=1)
        gx, gw, gb = lib.autograd.grad((y * y).sum(), [x, w, b], create_graph=True)
        total = (gx * gx).sum() + (gw * gw).sum() + gb.sum()
        return [t.numpy() for t in lib.autograd.grad(total, [x, w, b])]

    for a, r in zip(second(pt), second(torch), strict=True):
        np.testing.assert_allclose(a, r, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_conv2d_bias_on_other_backends_matches_torch(backend: str) -> None:
    pytest.importorskip(backend)
    x0, w0, b0 = _data((2, 3, 8, 8), (4, 3, 3, 3), "float64")
    with pt.use_backend(backend):
        got = _run(pt, x0, w0, b0, padding=1)
    want = _run(torch, x0, w0, b0, padding=1)
    for a, r in zip(got[:4], want[:4], strict=True):
        np.testing.assert_allclose(a, r, rtol=1e-12, atol=1e-12)


def test_bias_grad_sums_in_the_order_of_numpy_s_reduction() -> None:
    rng = np.random.default_rng(14)
    for shape in [(3, 5, 1, 1), (5, 4, 3, 3), (2, 2, 100, 100), (7, 9, 13, 17)]:
        g = rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3, shape)
        want = np.add.reduce(g, axis=(0, 2, 3))
        np.testing.assert_array_equal(_windows.bias_grad(g), want)
