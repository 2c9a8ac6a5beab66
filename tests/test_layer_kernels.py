"""``sigmoid`` (one op, ``special.expit``), ``leaky_relu`` and ``binary_cross_entropy`` (one node
each on a backend with layer kernels): PyTorch's values and gradients in float32 and float64, at
NaN, infinities, signed zeros and far tails, first and second order; other backends take the
composite."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

EDGES = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -1e-30, 88.0, -88.0, 100.0, -100.0, 1e30]


def _inputs(dtype: str, n: int = 3000) -> tuple[Any, Any]:
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.standard_normal(n) * 6, np.array(EDGES)]).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    g[:4] = [np.nan, np.inf, 0.0, -0.0]  # (cotangents at ordinary points)
    return x, g


def _value_and_grad(lib: Any, fn: Any, x0: Any, g0: Any) -> tuple[Any, Any]:
    x = lib.tensor(x0.copy(), requires_grad=True)
    y = fn(lib, x)
    y.backward(lib.tensor(g0))
    return y.detach().numpy(), x.grad.numpy()


def _check(got: Any, want: Any, dtype: str) -> None:
    # (a few units in the last place: the libraries' exp differ, and where the output is near
    # 1 its gradient's factor 1 - out, of fewer digits, differs relatively more; subnormals)
    rtol, atol = (1e-5, 1e-40) if dtype == "float32" else (1e-13, 1e-300)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


SIGMOIDS = {
    "F.sigmoid": lambda lib, x: lib.nn.functional.sigmoid(x),
    "pt.sigmoid": lambda lib, x: lib.sigmoid(x),
    "nn.Sigmoid": lambda lib, x: lib.nn.Sigmoid()(x),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(SIGMOIDS))
def test_sigmoid_matches_torch(dtype: str, name: str) -> None:
    torch = pytest.importorskip("torch")
    x0, g0 = _inputs(dtype)
    fn = SIGMOIDS[name]
    want = _value_and_grad(torch, fn, x0, g0)
    got = _value_and_grad(pt, fn, x0, g0)
    for a, b in zip(got, want, strict=True):
        _check(a, b, dtype)
    assert got[0][-1] == 1 and got[0][-2] < 1e-40  # (1e30 and -100: no overflow, no NaN)


def test_sigmoid_is_one_node_and_differentiates_twice() -> None:
    torch = pytest.importorskip("torch")
    x0 = np.linspace(-30, 30, 41)
    x = pt.tensor(x0, requires_grad=True)
    y = F.sigmoid(x)
    assert y.grad_fn.name() == "SigmoidBackward0"
    (gx,) = pt.autograd.grad(y.sum(), [x], create_graph=True)
    (gx * gx).sum().backward()
    xt = torch.tensor(x0, requires_grad=True)
    (gt,) = torch.autograd.grad(torch.sigmoid(xt).sum(), [xt], create_graph=True)
    (gt * gt).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_sigmoid_of_a_complex_tensor_keeps_its_formula() -> None:
    z = pt.asarray([0.5 + 1j], dtype=pt.complex128)
    np.testing.assert_allclose(pt.sigmoid(z).numpy(), 1 / (1 + np.exp(-(0.5 + 1j))), rtol=1e-14)
    with pytest.raises(
        TypeError, match=r"sigmoid\(\) expects a real floating-point, integer or boolean input"
    ):
        F.sigmoid(z)


SLOPES = [0.01, 0.2, 1 / 3, 1.0, 1.5, 0.0, -0.1]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("slope", SLOPES)
@pytest.mark.parametrize("inplace", [False, True])
def test_leaky_relu_matches_torch(dtype: str, slope: float, inplace: bool) -> None:
    torch = pytest.importorskip("torch")
    if inplace and slope < 0:
        pytest.skip("PyTorch refuses the in-place backward with a negative slope")
    x0, g0 = _inputs(dtype)

    def fn(lib: Any, x: Any) -> Any:
        return lib.nn.functional.leaky_relu(x * 1, slope, inplace=inplace)

    want = _value_and_grad(torch, fn, x0, g0)
    got = _value_and_grad(pt, fn, x0, g0)
    for a, b in zip(got, want, strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)  # (the same products: equal values)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_leaky_relu_differentiates_twice_on_every_backend(backend: str) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    x0 = np.linspace(-3, 3, 12).reshape(3, 4)
    w0 = np.linspace(0.5, 2, 12).reshape(3, 4)

    def run(lib: Any, fn: Any) -> list[Any]:
        x = lib.tensor(x0, requires_grad=True)
        y = fn.leaky_relu(x * x * lib.tensor(w0), 0.2)
        (gx,) = lib.autograd.grad(y.sum(), [x], create_graph=True)
        (gx * gx).sum().backward()
        return [y.detach(), gx.detach(), x.grad]

    want = run(torch, torch.nn.functional)
    with pt.use_backend(backend):
        got = run(pt, F)
        kinds = F.leaky_relu(pt.ones(2, requires_grad=True), 0.2).grad_fn.name()
    assert kinds == ("LeakyReluBackward0" if backend == "numpy" else "WhereBackward0")
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(a.numpy()), b.numpy(), rtol=1e-14)


def test_leaky_relu_of_an_integer_tensor_raises_as_pytorchs() -> None:
    # (PyTorch's: "leaky_relu_cpu" not implemented for 'Long'; as elu's, silu's, gelu's)
    with pytest.raises(TypeError, match=r"leaky_relu\(\) expects a real floating-point input"):
        F.leaky_relu(pt.asarray([-2, 3]), 0.5)


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_sigmoid_on_other_backends_matches_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    x0 = np.array([-800.0, -30.0, -1.0, 0.0, 2.0, 40.0, 800.0])
    xt = torch.tensor(x0, requires_grad=True)
    torch.sigmoid(xt).sum().backward()
    with pt.use_backend(backend):
        x = pt.tensor(x0, requires_grad=True)
        y = F.sigmoid(x)
        if backend == "dask":
            assert hasattr(y._data, "dask")  # (lazy)
        y.sum().backward()
        got = [y.detach().numpy(), x.grad.numpy()]
    np.testing.assert_allclose(got[0], torch.sigmoid(xt).detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(got[1], xt.grad.numpy(), rtol=1e-13, atol=1e-300)


def _bce_inputs(dtype: str) -> tuple[Any, Any]:
    rng = np.random.default_rng(9)
    p = rng.random(200)
    # the ends, probabilities whose logs fall below -100 or round 1 - p to 1
    p[:7] = [0.0, 1.0, 0.0, 1.0, 1e-50, 1.0 - 1e-17, 1e-8]
    t = rng.random(200)
    t[:7] = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0]
    t[100:120] = np.round(t[100:120])
    return p.astype(dtype), t.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_matches_torch(dtype: str, reduction: str) -> None:
    torch = pytest.importorskip("torch")
    p0, t0 = _bce_inputs(dtype)
    got, want = [], []
    for lib, out in ((pt, got), (torch, want)):
        p = lib.tensor(p0, requires_grad=True)
        loss = lib.nn.functional.binary_cross_entropy(p, lib.tensor(t0), reduction=reduction)
        g0 = np.random.default_rng(1).standard_normal(tuple(loss.shape)).astype(dtype)
        loss.backward(lib.tensor(g0))
        out += [loss.detach().numpy(), p.grad.numpy()]
    rtol = 1e-6 if dtype == "float32" else 1e-14
    for g, w in zip(got, want, strict=True):
        assert g.dtype == np.dtype(dtype)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=0)


@pytest.mark.parametrize("backend", ["numpy", "array_api_strict"])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_refuses_a_nan_probability_as_torch(
    backend: str, weighted: bool
) -> None:
    # (PyTorch's check is 0 <= x <= 1, which a NaN fails: a diverged model's NaN is reported)
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    p0, t0, w0 = [0.5, np.nan], [1.0, 0.0], [1.0, 2.0]
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        torch.nn.functional.binary_cross_entropy(
            torch.tensor(p0), torch.tensor(t0), torch.tensor(w0) if weighted else None
        )
    with pt.use_backend(backend):
        p = pt.asarray(p0, requires_grad=True)
        w = pt.asarray(w0) if weighted else None
        with pytest.raises(RuntimeError, match="between 0 and 1"):
            F.binary_cross_entropy(p, pt.asarray(t0), w, reduction="none")


def test_binary_cross_entropy_is_one_node_and_differentiates_twice() -> None:
    p = pt.asarray([0.2, 0.7, 0.5], dtype=pt.float64, requires_grad=True)
    t = pt.asarray([0.0, 1.0, 0.3], dtype=pt.float64)
    loss = F.binary_cross_entropy(p, t)
    assert loss.grad_fn.name() == "BinaryCrossEntropyBackward0"
    assert pt.autograd.gradgradcheck(lambda a: F.binary_cross_entropy(a, t), (p,))
    assert pt.autograd.gradgradcheck(lambda a: F.binary_cross_entropy(a, t, reduction="none"), (p,))
    # a target that takes a gradient, or a weight: the composite
    # (named as PyTorch names it either way; the composite's gradient reaches the target)
    tg = pt.asarray([0.0, 1.0, 0.3], dtype=pt.float64, requires_grad=True)
    loss = F.binary_cross_entropy(p, tg)
    assert loss.grad_fn.name() == "BinaryCrossEntropyBackward0"
    loss.backward()
    assert tg.grad is not None
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(pt.asarray([0.5, 1.5]), pt.asarray([0.0, 1.0]))


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_binary_cross_entropy_on_other_backends_takes_the_composite(backend: str) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    p0, t0 = np.array([0.2, 0.7, 0.5, 0.9]), np.array([0.0, 1.0, 0.3, 1.0])
    with pt.use_backend(backend):
        p = pt.asarray(p0, requires_grad=True)
        assert p._backend.layers is None
        loss = F.binary_cross_entropy(p, pt.asarray(t0))
        loss.backward()
        got = [loss.detach().numpy(), p.grad.numpy()]
    tp = torch.tensor(p0, requires_grad=True)
    ref = torch.nn.functional.binary_cross_entropy(tp, torch.tensor(t0))
    ref.backward()
    for g, w in zip(got, [ref.detach().numpy(), tp.grad.numpy()], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-14)


def test_binary_cross_entropy_gradient_at_0_and_1_is_pytorchs_on_every_path(backend: str) -> None:
    # (x - t) / max(x (1 - x), 1e-12), as PyTorch's, where the clamped logs' derivative is 0:
    # the NumPy kernel, the composite (other backends, a weight, a target taking a gradient)
    p0 = [0.0, 1e-300, 1.0, 0.25]
    t0 = [1.0, 0.0, 0.0, 1.0]
    eps = 9.999999960041972e-13
    want = (np.array(p0) - t0) / np.maximum(np.array(p0) * (1 - np.array(p0)), eps) / 4
    for weight, t_grad in ((None, False), ([1.0, 1.0, 1.0, 1.0], False), (None, True)):
        p = pt.asarray(p0, dtype=pt.float64, device=backend, requires_grad=True)
        t = pt.asarray(t0, dtype=pt.float64, device=backend, requires_grad=t_grad)
        w = None if weight is None else pt.asarray(weight, dtype=pt.float64, device=backend)
        loss = F.binary_cross_entropy(p, t, w)
        (g,) = pt.autograd.grad(loss, [p])
        np.testing.assert_allclose(g.numpy(), want, rtol=1e-14)
    # in the target: the clamped loss's own derivative, log(1 - x) - log(x) each clamped at
    # -100 (PyTorch's is unclamped: inf at x = 0, of a loss that is finite there)
    t = pt.asarray(t0, dtype=pt.float64, device=backend, requires_grad=True)
    loss = F.binary_cross_entropy(pt.asarray(p0, dtype=pt.float64, device=backend), t)
    (gt,) = pt.autograd.grad(loss, [t])
    np.testing.assert_allclose(gt.numpy(), [25.0, 25.0, -25.0, np.log(0.75 / 0.25) / 4])


def test_binary_cross_entropy_gradient_at_0_and_1_as_torch() -> None:
    torch = pytest.importorskip("torch")
    p0, t0, w0 = [0.0, 1e-300, 1.0, 1.0 - 1e-16, 0.25], [1.0, 0.0, 0.0, 1.0, 1.0], [2.0] * 5
    for weight in (None, w0):
        got, want = [], []
        for lib, out in ((pt, got), (torch, want)):
            p = lib.tensor(p0, dtype=lib.float64, requires_grad=True)
            w = None if weight is None else lib.tensor(weight, dtype=lib.float64)
            lib.nn.functional.binary_cross_entropy(
                p, lib.tensor(t0, dtype=lib.float64), w
            ).backward()
            out.append(p.grad.numpy())
        np.testing.assert_allclose(got[0], want[0], rtol=1e-14)


@pytest.mark.parametrize("slope", [0.01, 1.0])
def test_leaky_relu_kernels_with_a_slope_in_0_1_enter_no_errstate(
    slope: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (|x * slope| <= |x| and no inf * 0: nothing to silence; values as torch's, above)
    from polytensor.backends import _layers

    def fail(**kwargs: Any) -> Any:
        raise AssertionError("leaky_relu's kernels entered np.errstate")

    x = np.array([-np.inf, -2.0, -0.0, 3.0, np.inf, np.nan])
    g = np.array([np.inf, -np.inf, 1.0, np.nan, 2.0, 1.0])
    want = (_layers.leaky_relu(x, slope), _layers.leaky_relu_backward(g, x, slope))
    monkeypatch.setattr(np, "errstate", fail)
    got = (_layers.leaky_relu(x, slope), _layers.leaky_relu_backward(g, x, slope))
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


def test_leaky_relu_of_a_slope_that_is_0_in_the_dtype_stays_silent() -> None:
    # 1e-50 is 0 in float32: inf * 0 gives NaN, silently (filterwarnings = error), each way
    x = pt.asarray(np.array([-np.inf, -1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = F.leaky_relu(x, 1e-50)
    y.backward(pt.asarray(np.array([1.0, np.inf, 1.0], dtype=np.float32)))
    assert np.isnan(y.detach().numpy()[0]) and y.detach().numpy()[1:].tolist() == [-0.0, 2.0]
    assert np.isnan(x.grad.numpy()[1]) and x.grad.numpy()[[0, 2]].tolist() == [0.0, 1.0]
