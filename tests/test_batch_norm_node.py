"""``batch_norm`` by the batch's statistics is one graph node with a written-out backward:
PyTorch's values, gradients, second derivatives and running statistics, on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize("shape", [(8, 6, 5, 4), (4, 3), (5, 6, 7)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_in_training_matches_torch(backend: str, shape: Any, affine: bool) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    rng = np.random.default_rng(len(shape))
    x0 = rng.standard_normal(shape) * 3 + 1
    w0 = rng.standard_normal(shape[1])
    b0 = rng.standard_normal(shape[1])
    g0 = rng.standard_normal(shape)

    def run(lib: Any, fn: Any, create_graph: bool) -> list[Any]:
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True) if affine else None
        b = lib.tensor(b0, requires_grad=True) if affine else None
        rm = lib.zeros(shape[1], dtype=lib.float64)
        rv = lib.ones(shape[1], dtype=lib.float64)
        y = fn.batch_norm(x, rm, rv, w, b, training=True, momentum=0.3)
        inputs = [t for t in (x, w, b) if t is not None]
        grads = lib.autograd.grad((y * lib.tensor(g0)).sum(), inputs, create_graph=create_graph)
        out = [y.detach(), *[g.detach() for g in grads], rm, rv]
        if create_graph:
            (grads[0] * grads[0]).sum().backward()
            out += [t.grad for t in inputs]
        return out

    for create_graph in (False, True):
        want = run(torch, torch.nn.functional, create_graph)
        with pt.use_backend(backend):
            got = run(pt, F, create_graph)
        for g, w in zip(got, want, strict=True):
            if w is None:  # (the bias's second derivative: none, in both)
                assert g is None
                continue
            np.testing.assert_allclose(np.asarray(g.numpy()), w.numpy(), rtol=1e-9, atol=1e-10)


def test_batch_norm_in_training_is_one_node() -> None:
    x = pt.ones((4, 3, 2, 2), requires_grad=True)
    y = F.batch_norm(x, None, None, pt.ones(3), pt.zeros(3), training=True)
    assert y.grad_fn.name() == "_BatchNormNodeBackward"


@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_in_training_matches_torch_in_float32_with_a_nan_channel(affine: bool) -> None:
    # (NumPy's layer kernels: the formulas on arrays; a NaN spreads over its channel alone)
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x0 = (rng.standard_normal((16, 16, 4, 4)) * 2 - 1).astype(np.float32)
    x0[3, 5, 1, 2] = np.nan
    w0, b0 = rng.standard_normal((2, 16)).astype(np.float32)
    g0 = rng.standard_normal(x0.shape).astype(np.float32)
    res = []
    for lib in (pt, torch):
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True) if affine else None
        b = lib.tensor(b0, requires_grad=True) if affine else None
        rm, rv = lib.zeros(16), lib.ones(16)
        y = lib.nn.functional.batch_norm(x, rm, rv, w, b, training=True)
        y.backward(lib.tensor(g0))
        grads = [t.grad.numpy() for t in (x, w, b) if t is not None]
        res.append([y.detach().numpy(), *grads, rm.numpy(), rv.numpy()])
    assert pt.asarray(x0)._backend.layers is not None
    for g, w in zip(*res, strict=True):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-5)
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w))


@pytest.mark.parametrize("backend", ["numpy", "array_api_strict"])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_allows_its_bias_changed_in_place_before_backward(
    backend: str, training: bool
) -> None:
    # (the gradients do not read the bias: PyTorch lets an optimizer step change it first)
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    rng = np.random.default_rng(5)
    x0, w0, b0 = rng.standard_normal((4, 3, 2)), rng.standard_normal(3), rng.standard_normal(3)
    g0 = rng.standard_normal((4, 3, 2))

    def run(lib: Any) -> list[Any]:
        x, w, b = (lib.tensor(a, requires_grad=True) for a in (x0, w0, b0))
        rm, rv = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64) * 2
        y = lib.nn.functional.batch_norm(x, rm, rv, w, b, training=training)
        with lib.no_grad():
            b.add_(1.0)
        y.backward(lib.tensor(g0))
        return [t.grad.numpy() for t in (x, w, b)]

    with pt.use_backend(backend):
        got = run(pt)
    for g, want in zip(got, run(torch), strict=True):
        np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "permuted", "1-D", "3-D"])
def test_batch_norm_kernel_sums_by_channel_as_torch(dtype: str, layout: str) -> None:
    # (NumPy's kernel sums over the batch, then along each channel; a layout other than C
    # order takes one reduction over the axes: the same statistics either way)
    rng = np.random.default_rng(8)
    shape = {"1-D": (64, 5), "3-D": (6, 5, 3, 4, 2)}.get(layout, (8, 5, 6, 7))
    x0 = (rng.standard_normal(shape) * 4 + 3).astype(dtype)
    w0, b0 = rng.standard_normal((2, 5)).astype(dtype)
    g0 = rng.standard_normal(shape).astype(dtype)
    res = []
    for lib in (pt, pytest.importorskip("torch")):
        x = lib.tensor(x0, requires_grad=True)
        if layout == "permuted":  # (a view in another order than C's)
            x = lib.tensor(np.ascontiguousarray(x0.transpose(0, 1, 3, 2)), requires_grad=True)
        xs = x.transpose(2, 3) if layout == "permuted" else x
        w, b = lib.tensor(w0, requires_grad=True), lib.tensor(b0, requires_grad=True)
        rm, rv = lib.zeros(5, dtype=w.dtype), lib.ones(5, dtype=w.dtype)
        y = lib.nn.functional.batch_norm(xs, rm, rv, w, b, training=True, momentum=0.2)
        y.backward(lib.tensor(g0))
        res.append([y.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy(), rm, rv])
    tol = 1e-12 if dtype == "float64" else 2e-5
    for g, w in zip(*res, strict=True):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=tol, atol=tol)


@pytest.mark.parametrize("shape", [(8, 5, 6, 7), (64, 5), (6, 5, 3, 4, 2), (3, 4, 1, 1)])
def test_batch_norm_kernel_sums_each_channel(shape: Any) -> None:
    from polytensor.backends import _layers

    a = np.random.default_rng(10).standard_normal(shape)
    axes = (0, *range(2, len(shape)))
    for arr in (a, np.asfortranarray(a)):
        got = _layers._channel_sums(arr, axes)
        assert got.shape == (1, shape[1]) + (1,) * (len(shape) - 2)
        np.testing.assert_allclose(got, a.sum(axis=axes, keepdims=True), rtol=1e-12)


def test_batch_norm_updates_its_running_statistics_in_their_memory() -> None:
    # (written in place, as PyTorch's: arrays taken from them before see the new values, and
    # a node that read them before refuses its backward, as it did)
    bn = pt.nn.BatchNorm2d(3)
    mean, var = bn.running_mean.numpy(), bn.running_var.numpy()
    x = pt.asarray(np.random.default_rng(9).standard_normal((4, 3, 2, 2)), dtype=pt.float32)
    bn(x)
    np.testing.assert_allclose(mean, 0.1 * x.numpy().mean(axis=(0, 2, 3)), rtol=1e-6)
    assert var[0] != 1.0
    bn.eval()
    y = bn(x.clone().requires_grad_(True))
    bn.train()
    bn(x)
    with pytest.raises(RuntimeError, match="_BatchNormEval"):
        y.sum().backward()
