"""The function transforms (``pt.func``) and ``pt.autograd.functional`` on the caller's own
arrays: NumPy, Dask and array-api-strict arrays in, arrays of the same type out, gradients equal
to the analytic ones; tensors in, tensors out; clear errors for what cannot work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

X = np.array([0.3, -1.2, 2.0])
Y = np.array([1.5, 0.5, -2.0])


def _numpy() -> tuple[Callable[[np.ndarray], Any], type]:
    return np.asarray, np.ndarray


def _dask() -> tuple[Callable[[np.ndarray], Any], type]:
    da = pytest.importorskip("dask.array")
    return (lambda a: da.from_array(a, chunks=2)), da.Array


def _strict() -> tuple[Callable[[np.ndarray], Any], type]:
    xs = pytest.importorskip("array_api_strict")
    return (lambda a: xs.asarray(a)), type(xs.asarray([1.0]))


@pytest.fixture(params=[_numpy, _dask, _strict], ids=["numpy", "dask", "array_api_strict"])
def lib(request: pytest.FixtureRequest) -> tuple[Callable[[np.ndarray], Any], type]:
    """``(make, array_type)``: how the caller builds its arrays from NumPy data, and their type."""
    return request.param()  # type: ignore[no-any-return]


def host(a: Any) -> np.ndarray:
    """A NumPy copy of a result of any of the three libraries (Dask's computed)."""
    if hasattr(a, "compute"):
        a = a.compute()
    if type(a).__module__.startswith("array_api_strict"):
        return np.from_dlpack(a, copy=True)  # type: ignore[no-any-return]
    return np.asarray(a)


def f(x: Any, y: Any) -> Any:
    return pt.sum(pt.sin(x) * y)


# -- grad, value_and_grad ------------------------------------------------------------------------
def test_grad_returns_the_callers_array_type_with_the_analytic_gradient(lib: Any) -> None:
    make, array_type = lib
    g = pt.func.grad(f)(make(X), make(Y))
    assert isinstance(g, array_type)
    np.testing.assert_allclose(host(g), np.cos(X) * Y, rtol=1e-12)


def test_grad_with_a_tuple_of_argnums_gives_a_tuple(lib: Any) -> None:
    make, array_type = lib
    gx, gy = pt.func.grad(f, argnums=(0, 1))(make(X), make(Y))
    assert isinstance(gx, array_type) and isinstance(gy, array_type)
    np.testing.assert_allclose(host(gx), np.cos(X) * Y, rtol=1e-12)
    np.testing.assert_allclose(host(gy), np.sin(X), rtol=1e-12)


def test_value_and_grad_with_aux_returns_value_aux_and_gradient(lib: Any) -> None:
    make, array_type = lib

    def with_aux(x: Any, y: Any) -> Any:
        value = f(x, y)
        return value, {"twice": 2 * value}

    (value, aux), g = pt.func.value_and_grad(with_aux, argnums=1, has_aux=True)(make(X), make(Y))
    want = np.sum(np.sin(X) * Y)
    assert isinstance(value, array_type) and isinstance(aux["twice"], array_type)
    np.testing.assert_allclose(host(value), want, rtol=1e-12)
    np.testing.assert_allclose(host(aux["twice"]), 2 * want, rtol=1e-12)
    np.testing.assert_allclose(host(g), np.sin(X), rtol=1e-12)


def test_grad_with_aux_returns_gradient_then_aux() -> None:
    g, aux = pt.func.grad(lambda x: (pt.sum(x * x), "note"), has_aux=True)(X)
    np.testing.assert_allclose(g, 2 * X)
    assert aux == "note"


def test_grad_differentiates_a_nest_of_arrays() -> None:
    params = {"w": np.array([1.0, 2.0]), "b": (np.array(0.5),)}

    def loss(p: Any, x: Any) -> Any:
        return pt.sum((x * p["w"] + p["b"][0]) ** 2)

    x = np.array([3.0, -1.0])
    g = pt.func.grad(loss)(params, x)
    r = x * params["w"] + 0.5
    np.testing.assert_allclose(g["w"], 2 * r * x)
    np.testing.assert_allclose(g["b"][0], np.sum(2 * r))
    assert isinstance(g["b"], tuple)


def test_grads_nest_for_higher_derivatives() -> None:
    d3 = pt.func.grad(pt.func.grad(pt.func.grad(lambda x: x**4)))
    np.testing.assert_allclose(d3(np.array(1.5)), 24 * 1.5)


def test_grad_on_tensors_returns_tensors() -> None:
    x = pt.asarray(X)
    g = pt.func.grad(lambda x: pt.sum(pt.exp(x)))(x)
    assert isinstance(g, pt.Tensor) and not g.requires_grad
    np.testing.assert_allclose(g.numpy(), np.exp(X))


def test_grad_keeps_dask_lazy(dask_computes: Any) -> None:
    da = pytest.importorskip("dask.array")
    g = pt.func.grad(f)(da.from_array(X, chunks=2), da.from_array(Y, chunks=2))
    assert dask_computes.calls == 0
    np.testing.assert_allclose(g.compute(), np.cos(X) * Y)


def test_grad_runs_array_api_code_written_for_any_namespace() -> None:
    def library_loss(w: Any, x: Any) -> Any:  # what an array-API library writes
        import array_api_compat

        xp = array_api_compat.array_namespace(w, x)
        return xp.sum(xp.tanh(x @ w) ** 2)

    w, x = np.array([0.2, -0.4]), np.array([[1.0, 2.0], [3.0, 4.0]])
    t = np.tanh(x @ w)
    np.testing.assert_allclose(pt.func.grad(library_loss)(w, x), x.T @ (2 * t * (1 - t**2)))


def test_autograd_grad_takes_a_function_and_keeps_its_tensor_form() -> None:
    np.testing.assert_allclose(pt.autograd.grad(lambda x: pt.sum(x**3))(X), 3 * X**2)
    np.testing.assert_allclose(pt.autograd.value_and_grad(lambda x: pt.sum(x))(X)[1], np.ones(3))
    x = pt.asarray(X, requires_grad=True)
    (g,) = pt.autograd.grad(pt.sum(x**3), x)
    np.testing.assert_allclose(g.numpy(), 3 * X**2)


# -- vjp, jvp, jacobian, hessian -----------------------------------------------------------------
def test_vjp_and_jvp_match_the_jacobian(lib: Any) -> None:
    make, array_type = lib
    out, vjp_fn = pt.func.vjp(lambda x, y: pt.sin(x) * y, make(X), make(Y))
    assert isinstance(out, array_type)
    u = np.array([1.0, 2.0, 3.0])
    gx, gy = vjp_fn(make(u))
    np.testing.assert_allclose(host(gx), u * np.cos(X) * Y, rtol=1e-12)
    np.testing.assert_allclose(host(gy), u * np.sin(X), rtol=1e-12)
    v = np.array([0.5, -1.0, 2.0])
    value, tangent = pt.func.jvp(lambda x: pt.sin(x) * x, (make(X),), (make(v),))
    assert isinstance(tangent, array_type)
    np.testing.assert_allclose(host(value), np.sin(X) * X, rtol=1e-12)
    np.testing.assert_allclose(host(tangent), (np.cos(X) * X + np.sin(X)) * v, rtol=1e-12)


def test_jacobian_and_hessian_are_the_analytic_ones(lib: Any) -> None:
    make, array_type = lib
    a = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]])
    jac = pt.func.jacobian(lambda x, a: pt.exp(a @ x), argnums=0)(make(X), make(a))
    assert isinstance(jac, array_type)
    np.testing.assert_allclose(host(jac), np.exp(a @ X)[:, None] * a, rtol=1e-12)
    hess = pt.func.hessian(lambda x: pt.sum(x**3) + x[0] * x[1])(make(X))
    want = np.diag(6 * X)
    want[0, 1] = want[1, 0] = 1.0
    assert isinstance(hess, array_type)
    np.testing.assert_allclose(host(hess), want, rtol=1e-12)


def test_hessian_over_two_arguments_has_torchs_block_structure() -> None:
    h = pt.func.hessian(lambda x, y: pt.sum(x * x * y), argnums=(0, 1))(X, Y)
    np.testing.assert_allclose(h[0][0], np.diag(2 * Y))
    np.testing.assert_allclose(h[0][1], np.diag(2 * X))
    np.testing.assert_allclose(h[1][0], np.diag(2 * X))
    np.testing.assert_allclose(h[1][1], np.zeros((3, 3)))


def test_functional_api_accepts_the_callers_arrays(lib: Any) -> None:
    make, array_type = lib
    fn = pt.autograd.functional
    _, g = fn.vjp(lambda x: x * x, make(X), make(Y))
    assert isinstance(g, array_type)
    np.testing.assert_allclose(host(g), 2 * X * Y, rtol=1e-12)
    _, t = fn.jvp(lambda x: x * x, make(X), make(Y))
    np.testing.assert_allclose(host(t), 2 * X * Y, rtol=1e-12)
    jac = fn.jacobian(lambda x: x * x, make(X))
    assert isinstance(jac, array_type)
    np.testing.assert_allclose(host(jac), np.diag(2 * X), rtol=1e-12)
    hess = fn.hessian(lambda x: pt.sum(x**3), make(X))
    np.testing.assert_allclose(host(hess), np.diag(6 * X), rtol=1e-12)


def test_functional_api_on_tensors_still_returns_tensors() -> None:
    jac = pt.autograd.functional.jacobian(lambda x: 2 * x, pt.asarray(X))
    assert isinstance(jac, pt.Tensor)


# -- errors --------------------------------------------------------------------------------------
def test_grad_rejects_what_is_not_a_function() -> None:
    with pytest.raises(TypeError, match=r"grad\(\) expects a function .* got ndarray"):
        pt.func.grad(X)


def test_grad_rejects_argnums_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"argnums=2 .* 1 positional argument"):
        pt.func.grad(lambda x: pt.sum(x), argnums=2)(X)


def test_grad_rejects_a_function_with_a_non_scalar_output() -> None:
    with pytest.raises(RuntimeError, match=r"one-element tensor; got shape \(3,\).*pt.sum"):
        pt.func.grad(lambda x: x * 2)(X)


def test_grad_rejects_an_integer_argument() -> None:
    with pytest.raises(TypeError, match=r"argument 0, of dtype int64; only floating-point"):
        pt.func.grad(lambda x: pt.sum(x))(np.array([1, 2]))


def test_grad_rejects_arrays_of_two_backends_naming_both() -> None:
    da = pytest.importorskip("dask.array")
    with pytest.raises(
        ValueError,
        match=r"two backends: a Tensor of the numpy backend and a dask array .*"
        r'x\.to\("dask"\)',
    ):
        pt.func.grad(f)(pt.asarray(X), da.from_array(Y))


def test_grad_rejects_an_array_of_an_unregistered_library() -> None:
    class Foreign:
        dtype = "float64"
        shape = (3,)

    with pytest.raises(TypeError, match=r"no available polytensor backend holds .*from_namespace"):
        pt.func.grad(lambda x: x)(Foreign())


def test_autograd_grad_without_inputs_says_what_it_expects() -> None:
    with pytest.raises(TypeError, match=r"expects inputs="):
        pt.autograd.grad([pt.asarray(1.0)])


def test_grad_takes_numpy_scalars_and_python_numbers_as_constants() -> None:
    g = pt.func.grad(lambda x, s, k: pt.sum(x * s * k))(X, np.float32(3.0), 2)
    np.testing.assert_allclose(g, np.full(3, 6.0))
