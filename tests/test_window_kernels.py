"""conv2d, max_pool2d and avg_pool2d on NumPy take one node each (nn/_window_kernels.py): the
same values and gradients as the composite built from the table's ops, which every other backend
runs, and as PyTorch's, and gradients that can be differentiated again (create_graph)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor.backends import _windows
from polytensor.nn import _window_kernels


def _grads(fn: Any, *arrays: np.ndarray, needs: tuple[bool, ...] | None = None) -> list[Any]:
    needs = needs or (True,) * len(arrays)
    ts = [pt.asarray(a, requires_grad=n) for a, n in zip(arrays, needs, strict=True)]
    out = fn(*ts)
    seed = np.random.default_rng(1).standard_normal(out.shape).astype(arrays[0].dtype)
    (out * pt.asarray(seed)).sum().backward()
    return [out.detach().numpy(), *[None if t.grad is None else t.grad.numpy() for t in ts]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("shape", "kernel", "stride", "dilation"),
    [
        ((4, 3, 12, 12), (5, 5), (1, 1), (1, 1)),
        ((2, 2, 9, 11), (3, 2), (2, 3), (1, 1)),
        ((3, 2, 13, 10), (3, 3), (1, 2), (2, 1)),
        ((1, 1, 5, 5), (1, 1), (2, 2), (1, 1)),
        ((2, 3, 5, 4), (1, 1), (1, 1), (1, 1)),
        # stride 1, at least 64 rows of columns, W <= 1.25 Wo: wide columns where not kept
        ((3, 12, 9, 24), (5, 5), (1, 1), (1, 1)),
        ((2, 30, 8, 20), (3, 3), (1, 1), (2, 1)),
        ((2, 64, 3, 4), (1, 1), (1, 1), (1, 1)),
    ],
)
@pytest.mark.parametrize("chunked", [False, True])
def test_conv2d_kernel_matches_the_composite(
    dtype: str,
    shape: tuple[int, ...],
    kernel: tuple[int, int],
    stride: Any,
    dilation: Any,
    chunked: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if chunked:  # as for a large batch: columns a sample at a time, wide where they may be
        monkeypatch.setattr(_windows, "_KEEP_BYTES", 0)
        monkeypatch.setattr(_windows, "_CHUNK_BYTES", 1)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((4, shape[1], *kernel)).astype(dtype)
    hp, wp = shape[2:]
    ho = (hp - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    wo = (wp - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    geometry = (kernel, stride, dilation, (ho, wo))
    got = _grads(lambda a, b: F.conv2d(a, b, stride=stride, dilation=dilation), x, w)
    want = _grads(lambda a, b: F._conv2d_windows(a, b, geometry, 1), x, w)
    tol = 1e-4 if dtype == "float32" else 1e-10
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol)
    # no gradient asked for: nothing kept (a large batch's columns: a chunk at a time)
    out = F.conv2d(pt.asarray(x), pt.asarray(w), stride=stride, dilation=dilation)
    np.testing.assert_allclose(out.numpy(), want[0], rtol=tol, atol=tol)
    # the kernel ran: one node of its own
    out = F.conv2d(
        pt.asarray(x, requires_grad=True), pt.asarray(w), stride=stride, dilation=dilation
    )
    assert out.grad_fn.name() == "ConvolutionBackward0"


@pytest.mark.parametrize("chunk_bytes", [1, 1 << 21])
@pytest.mark.parametrize("where", ["none", "input", "weight"])
def test_conv2d_wide_backward_matches_the_composite_with_infinities(
    chunk_bytes: int, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the wide columns read past each row's end: elements whose products with zeros of the
    # output's gradient must not turn an infinity into NaNs the composite does not have
    monkeypatch.setattr(_windows, "_CHUNK_BYTES", chunk_bytes)  # 1: a sample per chunk
    monkeypatch.setattr(_windows, "_KEEP_BYTES", 0)  # (as for a large batch)
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((3, 32, 7, 12)), rng.standard_normal((4, 32, 3, 3))
    geometry = ((3, 3), (1, 1), (1, 1), (5, 10))
    assert _windows._wide(x, geometry)
    if where == "input":
        x[1, 2, 3, 0] = np.inf  # column 0: read past the end of row 2 by taps kj > 0
        x[2, 5, 6, 11] = -np.inf  # the last element
    elif where == "weight":
        w[1, 3, 2, 2] = np.inf
    with np.errstate(invalid="ignore"):  # (inf - inf in the sums: NaNs, in both)
        got = _grads(lambda a, b: F.conv2d(a, b), x, w)
        want = _grads(lambda a, b: F._conv2d_windows(a, b, geometry, 1), x, w)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-10)


def test_conv2d_kernel_gives_only_the_gradients_asked_for() -> None:
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((5, 3, 3, 3))
    _, gx, gw = _grads(lambda a, b: F.conv2d(a, b, padding=1), x, w, needs=(False, True))
    assert gx is None and gw is not None
    _, gx, gw = _grads(lambda a, b: F.conv2d(a, b, padding=1), x, w, needs=(True, False))
    assert gx is not None and gw is None


def test_conv2d_kernel_differentiates_twice() -> None:
    rng = np.random.default_rng(3)
    x = pt.asarray(rng.standard_normal((2, 2, 6, 6)), requires_grad=True)
    w = pt.asarray(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    assert pt.autograd.gradgradcheck(lambda a, b: F.conv2d(a, b, stride=2, padding=1), (x, w))
    assert pt.autograd.gradcheck(lambda a, b: F.conv2d(a, b, dilation=2), (x, w))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("shape", "k"), [((3, 2, 8, 8), 2), ((2, 3, 9, 7), 2), ((1, 2, 9, 9), 3)])
def test_max_pool2d_kernel_matches_the_composite(dtype: str, shape: Any, k: int) -> None:
    rng = np.random.default_rng(4)
    # small integers: many ties in a window, which go to the first maximum
    x = rng.integers(-3, 3, shape).astype(dtype)
    x[0, 0, 0, 0] = np.nan  # a NaN is its window's maximum, and takes its gradient
    x[-1, -1, -1, 0] = -0.0
    ho, wo = shape[2] // k, shape[3] // k
    geometry = ((k, k), (k, k), (1, 1), (ho, wo))
    got = _grads(lambda a: F.max_pool2d(a, k), x)
    want = _grads(lambda a: F._max_pool_windows(a, ho * k, wo * k, geometry), x)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, r)
    # the output is the first maximal element itself: its sign of zero too
    np.testing.assert_array_equal(np.signbit(got[0]), np.signbit(want[0]))
    out = F.max_pool2d(pt.asarray(x, requires_grad=True), k)
    assert out.grad_fn.name() == "MaxPool2DWithIndicesBackward0"


def test_max_pool2d_kernel_differentiates_twice() -> None:
    x = pt.asarray(np.random.default_rng(5).standard_normal((2, 2, 6, 5)), requires_grad=True)
    assert pt.autograd.gradgradcheck(lambda a: F.max_pool2d(a, 2), (x,))


def test_the_kernels_run_on_numpy_float_tensors_only() -> None:
    take = _window_kernels.takes_window_kernels
    assert take(pt.ones(2), pt.ones(2))
    assert not take(pt.ones(2, dtype=pt.float32), pt.ones(2, dtype=pt.float64))
    assert not take(pt.ones(2, dtype=pt.int32))
    # an integer max_pool2d goes the composite's way
    x = pt.reshape(pt.arange(16), (1, 1, 4, 4))
    assert F.max_pool2d(x, 2).tolist() == [[[[5, 7], [13, 15]]]]


@pytest.mark.parametrize(
    "window",
    [
        [0.0, -0.0, -1.0, 0.0],
        [-0.0, 0.0, 0.0, -0.0],
        [1.0, np.nan, np.nan, 2.0],
        [np.nan, 3.0, np.nan, np.nan],
    ],
)
@pytest.mark.parametrize("table_ops", [False, True])
def test_max_pool2d_picks_torch_s_element(window: list[float], table_ops: bool) -> None:
    # PyTorch's CPU rule, val > max or isnan(val): the first maximum, or the last NaN
    x = np.asarray(window, dtype=np.float32).reshape(1, 1, 2, 2)
    flat = x.reshape(-1)
    nans = np.flatnonzero(np.isnan(flat))
    pick = int(nans[-1]) if len(nans) else int(np.argmax(flat))
    t = pt.asarray(x, requires_grad=True)
    if table_ops:
        out = F._max_pool_windows(t, 2, 2, ((2, 2), (2, 2), (1, 1), (1, 1)))
    else:
        out = F.max_pool2d(t, 2)
    out.sum().backward()
    got = out.detach().numpy().reshape(())
    assert np.signbit(got) == np.signbit(flat[pick])
    assert np.isnan(got) == np.isnan(flat[pick])
    np.testing.assert_array_equal(t.grad.numpy().reshape(-1), np.eye(4, dtype=np.float32)[pick])


def test_max_pool2d_nan_windows_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = rng.integers(-2, 2, (2, 3, 6, 8)).astype(np.float64)
    x[rng.random(x.shape) < 0.3] = np.nan
    t = pt.asarray(x, requires_grad=True)
    F.max_pool2d(t, 2).sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(tt, 2).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), tt.grad.numpy())


def test_conv2d_second_derivatives_with_a_shared_weight_match_torch() -> None:
    # the create_graph path takes partial derivatives: w reaches the output through x too
    torch = pytest.importorskip("torch")
    wn = np.arange(1.0, 5.0).reshape(1, 1, 2, 2) / 4
    xn = np.arange(9.0).reshape(1, 1, 3, 3)

    def first_and_second(lib: Any, conv: Any) -> tuple[np.ndarray, np.ndarray]:
        w = lib.tensor(wn, requires_grad=True)
        x = lib.tensor(xn)
        (g,) = lib.autograd.grad(conv(conv(x, w, padding=1), w).sum(), [w], create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), [w])
        return g.detach().numpy(), gg.numpy()

    got = first_and_second(pt, F.conv2d)
    want = first_and_second(torch, torch.nn.functional.conv2d)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    a = pt.ones((1, 1, 2, 2), requires_grad=True)
    (g,) = pt.autograd.grad(F.conv2d(a, a).sum(), [a], create_graph=True)
    np.testing.assert_array_equal(g.detach().numpy(), np.full((1, 1, 2, 2), 2.0))


def test_conv2d_and_conv1d_take_an_empty_batch() -> None:
    w = pt.ones((4, 3, 3, 3), requires_grad=True)
    out = F.conv2d(pt.zeros((0, 3, 8, 8)), w)
    assert out.shape == (0, 4, 6, 6)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((4, 3, 3, 3)))
    w = pt.ones((4, 32, 3, 3), requires_grad=True)
    F.conv2d(pt.zeros((0, 32, 8, 8), requires_grad=True), w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((4, 32, 3, 3)))
    assert F.conv1d(pt.zeros((0, 3, 8)), pt.ones((4, 3, 3))).shape == (0, 4, 6)
    assert F.max_pool2d(pt.zeros((0, 3, 8, 8)), 2).shape == (0, 3, 4, 4)


def test_max_pool2d_over_a_window_of_many_positions() -> None:
    x = np.random.default_rng(8).random((1, 2, 182, 181))
    t = pt.asarray(x, requires_grad=True)
    out = F.max_pool2d(t, (182, 181))
    np.testing.assert_array_equal(out.detach().numpy().reshape(-1), x.reshape(2, -1).max(axis=1))
    out.sum().backward()
    assert float(t.grad.sum()) == 2.0
    flat = t.grad.numpy().reshape(2, -1)
    assert list(flat.argmax(axis=1)) == list(x.reshape(2, -1).argmax(axis=1))


def test_saved_arrays_are_released_after_backward() -> None:
    x = pt.asarray(np.random.default_rng(9).standard_normal((2, 3, 8, 8)), requires_grad=True)
    w = pt.asarray(np.random.default_rng(10).standard_normal((4, 3, 3, 3)), requires_grad=True)
    conv = F.conv2d(x, w)  # (both outlive backward, as a loop's last output and loss do)
    out = F.max_pool2d(conv, 2)
    out.sum().backward(retain_graph=True)  # kept: a second backward goes through
    assert conv._meta.op.ctx._saved is not None
    out.sum().backward()
    for t in (conv, out):  # the columns, the input, the positions of the maxima: let go
        assert t._meta.op.ctx._saved is None
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        out.sum().backward()


def test_a_function_s_saved_tensors_after_backward_say_they_were_released() -> None:
    class Square(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (a,) = ctx.saved_tensors
            return 2 * a * g

    a = pt.asarray([3.0], requires_grad=True)
    y = Square.apply(a)
    y.sum().backward()
    assert a.grad.tolist() == [6.0]
    with pytest.raises(RuntimeError, match="released by the backward"):
        y._meta.op.ctx.saved_tensors  # noqa: B018


# (kernel, stride, padding, dilation, ceil_mode): ResNet's stem, overlapping and dilated
# windows, ceil_mode's windows past the input, rows and columns no window reads
POOLS = [
    (3, 2, 1, 1, False),
    (2, 2, 0, 1, False),
    (3, 1, 1, 1, False),
    (2, 1, 0, 2, False),
    (3, 2, 0, 1, True),
    (3, 2, 1, 1, True),
    ((2, 3), (1, 2), (1, 0), 1, False),
    (3, 3, 0, 1, False),
]


def _torch_and_pt(fn: Any, x0: np.ndarray, backend: str = "numpy") -> tuple[Any, Any]:
    torch = pytest.importorskip("torch")
    g0 = np.random.default_rng(2).standard_normal(fn(torch, torch.from_numpy(x0)).shape)
    out = []
    for lib in (torch, pt):
        with pt.use_backend(backend):
            x = lib.tensor(x0, requires_grad=True)
            y = fn(lib, x)
            y.backward(lib.tensor(g0.astype(x0.dtype)))
            out.append([y.detach().numpy(), x.grad.numpy()])
    return out[0], out[1]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("pool", POOLS)
def test_max_pool2d_matches_torch(dtype: str, pool: Any) -> None:
    k, s, p, d, ceil = pool
    rng = np.random.default_rng(3)
    # small integers: ties, which go to the first maximum; NaNs, infinities, signed zeros
    x0 = rng.integers(-3, 3, (3, 2, 9, 10)).astype(dtype)
    x0[0, 0, :3, :3] = -np.inf  # a window of -inf, at the padded corner too
    x0[0, 1, 4, 4] = np.nan
    x0[1, 0, 2, :] = np.inf
    x0[2, 1, 5, 5] = -0.0

    def fn(lib: Any, x: Any) -> Any:
        return lib.nn.functional.max_pool2d(x, k, s, p, d, ceil_mode=ceil)

    want, got = _torch_and_pt(fn, x0)
    np.testing.assert_array_equal(got[0], want[0])  # (each window's element: equal bits)
    np.testing.assert_array_equal(np.signbit(got[0]), np.signbit(want[0]))
    # (an element that is the maximum of several windows adds their gradients in another
    # order: a unit in the last place)
    rtol = 1e-6 if dtype == "float32" else 1e-15
    np.testing.assert_allclose(got[1], want[1], rtol=rtol, atol=rtol)
    np.testing.assert_array_equal(got[1] == 0, want[1] == 0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("k", "s", "override"), [(2, 2, None), (3, 2, None), (3, 1, None), ((2, 3), (2, 1), 5)]
)
def test_avg_pool2d_matches_torch(dtype: str, k: Any, s: Any, override: Any) -> None:
    rng = np.random.default_rng(4)
    x0 = rng.standard_normal((3, 2, 9, 11)).astype(dtype)
    x0[0, 0, 0, 0], x0[1, 1, 4, 4], x0[2, 0, 8, 10] = np.nan, np.inf, -np.inf

    def fn(lib: Any, x: Any) -> Any:
        return lib.nn.functional.avg_pool2d(x, k, s, divisor_override=override)

    want, got = _torch_and_pt(fn, x0)
    rtol = 1e-6 if dtype == "float32" else 1e-14  # (overlapping windows add in another order)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol)
    out = F.avg_pool2d(pt.asarray(x0, requires_grad=True), k, s)
    assert out.grad_fn.name() == "AvgPool2DBackward0"


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
@pytest.mark.parametrize("fn_name", ["max_pool2d", "avg_pool2d"])
def test_pooling_on_other_backends_matches_torch(backend: str, fn_name: str) -> None:
    pytest.importorskip(backend)
    x0 = np.random.default_rng(5).standard_normal((2, 3, 8, 7))

    def fn(lib: Any, x: Any) -> Any:
        f = getattr(lib.nn.functional, fn_name)
        return f(x, 3, 2, 1) if fn_name == "max_pool2d" else f(x, 3, 2)

    want, got = _torch_and_pt(fn, x0, backend)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-14)


@pytest.mark.parametrize("fn_name", ["max_pool2d", "avg_pool2d"])
def test_padded_and_overlapping_pooling_differentiates_twice(fn_name: str) -> None:
    x = pt.asarray(np.random.default_rng(6).standard_normal((2, 2, 7, 6)), requires_grad=True)
    f = getattr(F, fn_name)
    pool = (lambda a: f(a, 3, 2, 1)) if fn_name == "max_pool2d" else (lambda a: f(a, 3, 1))
    assert pt.autograd.gradgradcheck(pool, (x,))
    assert "Pool2D" in pool(x).grad_fn.name()
