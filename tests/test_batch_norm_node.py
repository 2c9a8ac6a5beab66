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
    assert y.grad_fn.name() == "NativeBatchNormBackward0"


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


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_an_infinite_weight_gives_torch_s_nans_and_infinities(
    backend: str, training: bool, dtype: str
) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    # channels whose batch mean is positive, negative and zero; the last weight finite, its
    # bias infinite
    x0 = np.array([[-1.0, -5.0, -1.0, 0.5], [2.0, -2.0, 1.0, 1.5], [3.0, -1.0, 0.0, -2.0]])
    w0 = np.array([np.inf, np.inf, -np.inf, 1.0])
    b0 = np.array([0.0, 1.0, 0.0, np.inf])
    m0, v0 = np.array([1.0, -1.0, 0.0, 0.5]), np.array([1.0, 2.0, 0.5, 1.0])

    def run(lib: Any) -> np.ndarray:
        t = {"dtype": getattr(lib, dtype)}
        y = lib.nn.functional.batch_norm(
            lib.tensor(x0, **t),
            lib.tensor(m0, **t),
            lib.tensor(v0, **t),
            lib.tensor(w0, **t),
            lib.tensor(b0, **t),
            training=training,
        )
        return np.asarray(y.numpy())

    want = run(torch)
    with pt.use_backend(backend):
        got = run(pt)
    assert np.isnan(want).any() and np.isinf(want).any()  # (both kinds are checked)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(got[np.isinf(want)], want[np.isinf(want)])


def test_batch_norm_2d_with_an_infinite_weight_gives_torch_s_values() -> None:
    torch = pytest.importorskip("torch")
    x0 = np.random.default_rng(0).standard_normal((4, 3, 2, 2)).astype(np.float32)
    got = []
    for lib in (torch, pt):
        m = lib.nn.BatchNorm2d(3)
        with lib.no_grad():
            m.weight.fill_(float("inf"))
        got.append(np.asarray(m(lib.tensor(x0)).detach().numpy()))
    want, have = got
    assert np.isnan(want).any()
    np.testing.assert_array_equal(np.isnan(have), np.isnan(want))
    np.testing.assert_array_equal(have[np.isinf(want)], want[np.isinf(want)])


MIXED = [
    # (input, running statistics, weight and bias), training
    ("float32", "float64", None, True),
    ("float32", "float64", None, False),
    ("float64", "float32", None, True),
    ("float64", "float32", None, False),
    ("float32", "float32", "float64", True),
    ("float32", "float32", "float64", False),
    ("float64", "float64", "float32", True),
    ("float32", None, "float64", True),
]


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize(("x_dtype", "stats_dtype", "affine_dtype", "training"), MIXED)
def test_batch_norm_refuses_mixed_dtypes_as_torch(
    backend: str, x_dtype: str, stats_dtype: Any, affine_dtype: Any, training: bool
) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)

    def run(lib: Any) -> Any:
        x = lib.ones((3, 2), dtype=getattr(lib, x_dtype))
        stats = [None, None]
        if stats_dtype is not None:
            stats = [
                lib.zeros(2, dtype=getattr(lib, stats_dtype)),
                lib.ones(2, dtype=getattr(lib, stats_dtype)),
            ]
        affine = [None, None]
        if affine_dtype is not None:
            affine = [
                lib.ones(2, dtype=getattr(lib, affine_dtype)),
                lib.zeros(2, dtype=getattr(lib, affine_dtype)),
            ]
        return lib.nn.functional.batch_norm(x, *stats, *affine, training=training)

    with pytest.raises(RuntimeError, match="mixed dtype"):
        run(torch)
    with pt.use_backend(backend), pytest.raises(RuntimeError, match="of one dtype") as e:
        run(pt)
    assert isinstance(e.value, TypeError)  # (a dtype problem, the standard's class too)
    assert f"got {x_dtype} and " in str(e.value) and ".to(pt." in str(e.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.nn.BatchNorm2d(3)(lib.ones((2, 3, 2, 2), dtype=lib.float64)),
        lambda lib: lib.nn.BatchNorm1d(3).double()(lib.ones((2, 3))),
        lambda lib: lib.nn.BatchNorm1d(3).eval()(lib.ones((2, 3), dtype=lib.float64)),
        lambda lib: lib.nn.GroupNorm(2, 4).double()(lib.ones((2, 4, 3))),
        lambda lib: lib.nn.InstanceNorm1d(3, affine=True).double()(lib.ones((2, 3, 4))),
        lambda lib: lib.nn.LayerNorm(3).double()(lib.ones((2, 3))),
    ],
    ids=["bn2d", "bn1d_double", "bn1d_eval", "group_norm", "instance_norm", "layer_norm"],
)
def test_norm_layers_refuse_an_input_of_another_dtype_as_torch(call: Any) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="mixed dtype"):
        call(torch)
    with pytest.raises(RuntimeError, match="of one dtype"):
        call(pt)


def test_instance_norm_takes_running_statistics_of_another_dtype_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (torch, pt):
        rm, rv = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        for use_input_stats in (True, False):
            y = lib.nn.functional.instance_norm(
                lib.ones((2, 3, 4)), rm, rv, use_input_stats=use_input_stats
            )
            assert y.dtype == lib.float32
