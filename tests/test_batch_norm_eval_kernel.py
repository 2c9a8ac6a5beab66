"""batch_norm by running statistics on NumPy is one node (nn/_layer_kernels.py): PyTorch's
``x * alpha + beta``, its values and gradients as PyTorch's, gradients differentiated again
through the composite, and the table's ops where the kernel does not apply."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F


def _run(lib: Any, arrays: dict[str, Any], affine: tuple[bool, bool], backend: str) -> Any:
    with pt.use_backend(backend):
        x = lib.tensor(arrays["x"], requires_grad=True)
        w = lib.tensor(arrays["w"], requires_grad=True) if affine[0] else None
        b = lib.tensor(arrays["b"], requires_grad=True) if affine[1] else None
        m, v = lib.tensor(arrays["m"]), lib.tensor(arrays["v"])
        y = lib.nn.functional.batch_norm(x, m, v, w, b, training=False, eps=1e-3)
        name = None if y.grad_fn is None else y.grad_fn.name()
        y.backward(lib.tensor(arrays["g"]))
        grads = [None if t is None else t.grad.numpy() for t in (x, w, b)]
        return [y.detach().numpy(), *grads], name


def _arrays(shape: tuple[int, ...], dtype: str) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    c = shape[1]
    a = {
        "x": rng.standard_normal(shape),
        "w": rng.standard_normal(c),
        "b": rng.standard_normal(c),
        "m": rng.standard_normal(c),
        "v": rng.random(c) + 0.1,
        "g": rng.standard_normal(shape),
    }
    a["x"].reshape(-1)[:3] = [np.nan, np.inf, -np.inf]
    return {k: v.astype(dtype) for k, v in a.items()}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (5, 4), (2, 3, 4), (3, 2, 2, 3, 2)])
@pytest.mark.parametrize("affine", [(True, True), (False, False), (True, False), (False, True)])
def test_batch_norm_eval_kernel_matches_torch(dtype: str, shape: Any, affine: Any) -> None:
    torch = pytest.importorskip("torch")
    arrays = _arrays(shape, dtype)
    want, _ = _run(torch, arrays, affine, "numpy")
    got, name = _run(pt, arrays, affine, "numpy")
    assert name == "NativeBatchNormBackward0"
    tol = 1e-5 if dtype == "float32" else 1e-12
    for g, r in zip(got, want, strict=True):
        if r is None:
            assert g is None
        else:
            assert g.dtype == r.dtype
            np.testing.assert_allclose(g, r, rtol=tol, atol=tol)


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_batch_norm_eval_on_other_backends_takes_the_table_s_ops(backend: str) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    arrays = _arrays((3, 2, 4, 4), "float64")
    want, _ = _run(torch, arrays, (True, True), "numpy")
    got, name = _run(pt, arrays, (True, True), backend)
    assert name != "NativeBatchNormBackward0"
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12)


def test_batch_norm_eval_kernel_differentiates_twice() -> None:
    rng = np.random.default_rng(1)
    x = pt.asarray(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    w = pt.asarray(rng.standard_normal(2), requires_grad=True)
    b = pt.asarray(rng.standard_normal(2), requires_grad=True)
    m, v = pt.asarray(rng.standard_normal(2)), pt.asarray(rng.random(2) + 0.5)

    def f(a: Any, c: Any, d: Any) -> Any:
        return F.batch_norm(a, m, v, c, d) ** 2

    assert pt.autograd.gradgradcheck(f, (x, w, b))


def test_batch_norm_eval_with_running_stats_that_require_grad_takes_the_table_s_ops() -> None:
    m = pt.zeros(2, dtype=pt.float64, requires_grad=True)
    v = pt.ones(2, dtype=pt.float64)
    x = pt.ones((2, 2, 2), dtype=pt.float64)
    y = F.batch_norm(x, m, v)
    y.sum().backward()
    assert m.grad is not None
    np.testing.assert_allclose(m.grad.numpy(), np.full(2, -4 / np.sqrt(1 + 1e-5)))
