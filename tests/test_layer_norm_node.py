"""``F.layer_norm`` is one node (``_layer_norm``) whose values and gradients (input, weight,
bias, first and second order) match PyTorch's in float32 and float64, NaN included; Dask and
array-api-strict give NumPy's values through the standard's functions."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

torch = pytest.importorskip("torch")

CASES = [((8, 4, 16), (16,)), ((3, 5, 6), (5, 6)), ((7,), (7,))]
TOL = {np.float32: {"rtol": 1e-5, "atol": 1e-5}, np.float64: {"rtol": 1e-12, "atol": 1e-12}}


def _run(lib: object, a: np.ndarray, ns: tuple[int, ...], wb: tuple[np.ndarray, ...]) -> list:
    mk = torch.tensor if lib is torch else pt.asarray
    x = mk(a, requires_grad=True)
    ps = [mk(p, requires_grad=True) for p in wb]
    f = torch.nn.functional if lib is torch else F
    y = f.layer_norm(x, ns, *ps)
    g = np.linspace(-1.0, 1.0, a.size).reshape(a.shape).astype(a.dtype)
    y.backward(mk(g))
    return [t.detach().numpy() for t in (y, x.grad, *(p.grad for p in ps))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "ns"), CASES)
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_values_and_gradients_match_torch(
    dtype: type, shape: tuple[int, ...], ns: tuple[int, ...], affine: bool
) -> None:
    rng = np.random.default_rng(5)
    a = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    wb = tuple(rng.standard_normal(ns).astype(dtype) for _ in range(2)) if affine else ()
    for got, want in zip(_run(pt, a, ns, wb), _run(torch, a, ns, wb), strict=True):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, **TOL[dtype])


def test_layer_norm_is_one_node() -> None:
    x = pt.ones((2, 3), requires_grad=True)
    y = F.layer_norm(x, (3,), pt.ones(3), pt.zeros(3))
    assert len(y.grad_fn.next_functions) == 3


def test_layer_norm_nan_rows_stay_in_their_row() -> None:
    a = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 4.0]])
    x = pt.asarray(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    y = F.layer_norm(x, (3,))
    ty = torch.nn.functional.layer_norm(tx, (3,))
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_layer_norm_second_derivatives_match_torch() -> None:
    rng = np.random.default_rng(6)
    a, w, b = rng.standard_normal((4, 5)), rng.standard_normal(5), rng.standard_normal(5)
    got, want = [], []
    for lib, out in ((pt, got), (torch, want)):
        mk = torch.tensor if lib is torch else pt.asarray
        ts = [mk(v, requires_grad=True) for v in (a, w, b)]
        f = torch.nn.functional if lib is torch else F
        y = f.layer_norm(ts[0], (5,), ts[1], ts[2])
        grads = lib.autograd.grad((y * y * y).sum(), ts, create_graph=True)
        sum(((gr * gr).sum() for gr in grads), start=mk(0.0)).backward()
        out.extend(np.asarray(t.grad.detach().numpy()) for t in ts)
    for g1, g2 in zip(got, want, strict=True):
        np.testing.assert_allclose(g1, g2, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_layer_norm_on_other_backends_gives_numpys_values(backend: str) -> None:
    if not pt.backends.get(backend).status()[0]:
        pytest.skip(f"{backend}: {pt.backends.get(backend).status()[1]}")
    rng = np.random.default_rng(7)
    vals = [rng.standard_normal(s) for s in ((3, 4, 5), (4, 5), (4, 5))]
    got = []
    for dev in ("numpy", backend):
        ts = [pt.asarray(v, device=dev, requires_grad=True) for v in vals]
        y = F.layer_norm(ts[0], (4, 5), ts[1], ts[2])
        (y * y * y).sum().backward()
        got.append([t.to("numpy").detach().numpy() for t in (y, *(t.grad for t in ts))])
    for want, have in zip(got[0], got[1], strict=True):
        np.testing.assert_allclose(have, want, rtol=1e-12, atol=1e-12)
