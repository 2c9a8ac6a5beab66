"""``F.gelu`` is one node (``_gelu``) whose values and gradients match PyTorch's, exact and
tanh forms, float32 and float64, with NaN and infinite inputs; second and third derivatives
go through ``_gelu_backward``'s rules; Dask and array-api-strict give the same values through
the standard's functions."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

torch = pytest.importorskip("torch")
pytest.importorskip("scipy")  # (the exact GELU's erf)

FORMS = ["none", "tanh"]
TOL = {np.float32: {"rtol": 2e-6, "atol": 2e-6}, np.float64: {"rtol": 1e-13, "atol": 1e-15}}


def _inputs(dtype: type) -> np.ndarray:
    x = np.random.default_rng(3).standard_normal(60) * 4
    return np.concatenate([x, [0.0, -0.0, 1e-8, 10.0, -10.0, 40.0, -40.0]]).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("approximate", FORMS)
def test_gelu_values_and_gradients_match_torch(dtype: type, approximate: str) -> None:
    a = _inputs(dtype)
    g = np.linspace(-1.0, 1.0, a.size).astype(dtype)
    x = pt.asarray(a, requires_grad=True)
    y = F.gelu(x, approximate=approximate)
    y.backward(pt.asarray(g))
    tx = torch.tensor(a, requires_grad=True)
    ty = torch.nn.functional.gelu(tx, approximate=approximate)
    ty.backward(torch.tensor(g))
    assert y.dtype == x.dtype and x.grad.dtype == x.dtype
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **TOL[dtype])
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), **TOL[dtype])


def test_gelu_is_one_node_each_way() -> None:
    x = pt.ones((2, 3), requires_grad=True)
    y = F.gelu(x)
    assert y.grad_fn.name() == "GeluBackward0"
    assert [f is not None and f.name() for f, _ in y.grad_fn.next_functions] == ["AccumulateGrad"]


@pytest.mark.parametrize("approximate", FORMS)
def test_gelu_nan_and_infinities_as_torch(approximate: str) -> None:
    # (PyTorch's exact CPU kernel gives NaN at +inf, where x Phi(x) is inf: not compared)
    a = np.array([np.nan, -np.inf] + ([np.inf] if approximate == "tanh" else []), np.float64)
    x = pt.asarray(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    with np.errstate(invalid="ignore"):
        y = F.gelu(x, approximate=approximate)
        y.sum().backward()
    ty = torch.nn.functional.gelu(tx, approximate=approximate)
    ty.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("approximate", FORMS)
def test_gelu_second_derivatives_match_torch(approximate: str) -> None:
    a = _inputs(np.float64)
    x = pt.asarray(a, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    (gx,) = pt.autograd.grad(F.gelu(x, approximate=approximate).sum(), [x], create_graph=True)
    (tgx,) = torch.autograd.grad(
        torch.nn.functional.gelu(tx, approximate=approximate).sum(), [tx], create_graph=True
    )
    np.testing.assert_allclose(gx.detach().numpy(), tgx.detach().numpy(), rtol=1e-12, atol=1e-13)
    (gx * gx).sum().backward()
    (tgx * tgx).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("approximate", FORMS)
def test_gelu_gradcheck_to_third_order(approximate: str) -> None:
    x = pt.asarray(np.linspace(-3.0, 3.0, 7), requires_grad=True)

    def first(v: pt.Tensor) -> pt.Tensor:
        (d,) = pt.autograd.grad(F.gelu(v, approximate=approximate).sum(), [v], create_graph=True)
        return d

    assert pt.autograd.gradcheck(lambda v: F.gelu(v, approximate=approximate), (x,))
    assert pt.autograd.gradgradcheck(lambda v: F.gelu(v, approximate=approximate), (x,))
    assert pt.autograd.gradgradcheck(first, (x,))


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
@pytest.mark.parametrize("approximate", FORMS)
def test_gelu_on_other_backends_gives_numpys_values(backend: str, approximate: str) -> None:
    if not pt.backends.get(backend).status()[0]:
        pytest.skip(f"{backend}: {pt.backends.get(backend).status()[1]}")
    a = _inputs(np.float64)
    got = []
    for b in ("numpy", backend):
        x = pt.asarray(a, device=b, requires_grad=True)
        y = F.gelu(x, approximate=approximate)
        (y * y).sum().backward()
        got.append((y.detach().to("numpy").numpy(), x.grad.to("numpy").numpy()))
    for want, have in zip(got[0], got[1], strict=True):
        np.testing.assert_allclose(have, want, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_exact_gelu_backward_takes_the_forwards_cdf(dtype: type) -> None:
    """The exact GELU keeps its CDF for the first backward (SciPy's erf is its cost, once);
    the backward takes it, so a second backward (retain_graph) computes it again and agrees;
    writing the result in place does not disturb the gradient, as in PyTorch (which saves the
    input only); without a gradient wanted nothing is kept."""
    a = _inputs(dtype)
    x = pt.asarray(a, requires_grad=True)
    y = F.gelu(x)
    keep = y.grad_fn.params["keep"]
    assert len(keep) == 1 and keep[0].shape == a.shape
    y.sum().backward(retain_graph=True)
    assert keep == []
    first = x.grad.numpy().copy()
    x.grad = None
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), first)
    tx = torch.tensor(a, requires_grad=True)
    torch.nn.functional.gelu(tx).sum().backward()
    np.testing.assert_allclose(first, tx.grad.numpy(), **TOL[dtype])

    x.grad = None
    y = F.gelu(x)
    y.mul_(3.0)  # (y's values are not what the backward uses)
    y.sum().backward()
    ty = torch.nn.functional.gelu(tx)
    ty.mul_(3.0)
    tx.grad = None
    ty.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), **TOL[dtype])
    with pt.no_grad():
        assert F.gelu(x).grad_fn is None
    assert F.gelu(pt.asarray(a)).grad_fn is None
