"""``polytensor.special``'s beta function and the distribution functions that scipy.stats computes
p-values with (``betainc``, ``betaincc``, ``stdtr``, ``stdtrit``, ``fdtr``, ``fdtrc``, ``chdtr``,
``chdtrc``; ``gamma``, ``beta``, ``betaln``): SciPy's values on every backend, their derivatives
in the variable (the distributions' densities), Python numbers for the shape parameters, the
clear error for derivatives in the shape parameters, and laziness on Dask.

Central differences of first and second derivatives, from the op table, are in the conformance
suite; ``tests/test_scipy_stats_gradients.py`` runs scipy.stats on tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor.backends import _special

sc = pytest.importorskip("scipy.special")
stats = pytest.importorskip("scipy.stats")

BACKENDS = ["numpy", "dask", "array_api_strict"]
_RNG = np.random.default_rng(7)
_SHAPE_A = _RNG.uniform(0.5, 4.0, 6)
_SHAPE_B = _RNG.uniform(0.5, 4.0, 6)
_DF = _RNG.uniform(1.0, 12.0, 6)
_UNIT = _RNG.uniform(0.05, 0.95, 6)
_REAL = _RNG.uniform(-3.0, 3.0, 6)
_POSITIVE = _RNG.uniform(0.1, 6.0, 6)
# name -> its arguments (SciPy's order), the last one the variable
ARGS: dict[str, tuple[np.ndarray, ...]] = {
    "gamma": (_POSITIVE,),
    "beta": (_SHAPE_A, _SHAPE_B),
    "betaln": (_SHAPE_A, _SHAPE_B),
    "betainc": (_SHAPE_A, _SHAPE_B, _UNIT),
    "betaincc": (_SHAPE_A, _SHAPE_B, _UNIT),
    "stdtr": (_DF, _REAL),
    "stdtrit": (_DF, _UNIT),
    "fdtr": (_DF, _DF[::-1], _POSITIVE),
    "fdtrc": (_DF, _DF[::-1], _POSITIVE),
    "chdtr": (_DF, _POSITIVE),
    "chdtrc": (_DF, _POSITIVE),
}


def _t_pdf(df: Any, t: Any) -> Any:
    return stats.t.pdf(t, df)


# name -> the derivative in the variable (the last argument), from scipy.stats' densities
DENSITY = {
    "betainc": lambda a, b, x: stats.beta.pdf(x, a, b),
    "betaincc": lambda a, b, x: -stats.beta.pdf(x, a, b),
    "stdtr": _t_pdf,
    "stdtrit": lambda df, p: 1.0 / _t_pdf(df, stats.t.ppf(p, df)),
    "fdtr": lambda m, n, x: stats.f.pdf(x, m, n),
    "fdtrc": lambda m, n, x: -stats.f.pdf(x, m, n),
    "chdtr": lambda v, x: stats.chi2.pdf(x, v),
    "chdtrc": lambda v, x: -stats.chi2.pdf(x, v),
}
# name -> the parameters with no derivative, as the error names them
NO_DERIVATIVE = {
    "betainc": ("a (the first argument)", "b (the second argument)"),
    "betaincc": ("a (the first argument)", "b (the second argument)"),
    "stdtr": ("df (the first argument)",),
    "stdtrit": ("df (the first argument)",),
    "fdtr": ("dfn (the first argument)", "dfd (the second argument)"),
    "fdtrc": ("dfn (the first argument)", "dfd (the second argument)"),
    "chdtr": ("v (the first argument)",),
    "chdtrc": ("v (the first argument)",),
}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    status = pt.backends.available().get(request.param, "not registered")
    if status != "available":
        pytest.skip(f"backend {request.param!r} is unavailable: {status}")
    return request.param  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(ARGS))
def test_values_are_scipys_in_both_precisions(name: str, backend: str) -> None:
    args = ARGS[name]
    fn = getattr(pt.special, name)
    got = fn(*(pt.asarray(a, device=backend) for a in args))
    assert got.dtype == pt.float64
    np.testing.assert_allclose(got.numpy(), getattr(sc, name)(*args), rtol=1e-12, atol=0)
    single = fn(*(pt.asarray(a, dtype=pt.float32, device=backend) for a in args))
    assert single.dtype == pt.float32
    want = getattr(sc, name)(*(a.astype(np.float32) for a in args))
    np.testing.assert_allclose(single.numpy(), want, rtol=2e-5)


@pytest.mark.parametrize("name", sorted(DENSITY))
def test_derivative_in_the_variable_is_the_density(name: str, backend: str) -> None:
    *params, x = ARGS[name]
    variable = pt.asarray(x, device=backend, requires_grad=True)
    out = getattr(pt.special, name)(*(pt.asarray(p, device=backend) for p in params), variable)
    (grad,) = pt.autograd.grad(out.sum(), [variable])
    np.testing.assert_allclose(grad.numpy(), DENSITY[name](*params, x), rtol=1e-10)


@pytest.mark.parametrize("name", sorted(DENSITY))
def test_shape_parameters_may_be_python_numbers(name: str) -> None:
    # scipy.stats passes degrees of freedom as Python floats (f_oneway's dfn and dfd)
    *params, x = ARGS[name]
    variable = pt.asarray(x, requires_grad=True)
    numbers = [float(p[0]) for p in params]
    out = getattr(pt.special, name)(*numbers, variable)
    np.testing.assert_allclose(out.detach().numpy(), getattr(sc, name)(*numbers, x), rtol=1e-12)
    (grad,) = pt.autograd.grad(out.sum(), [variable])
    np.testing.assert_allclose(grad.numpy(), DENSITY[name](*numbers, x), rtol=1e-10)


def test_gammainc_with_a_python_number_differentiates_in_x() -> None:
    x = pt.asarray(_POSITIVE, requires_grad=True)
    (grad,) = pt.autograd.grad(pt.special.gammainc(2.5, x).sum(), [x])
    np.testing.assert_allclose(grad.numpy(), stats.gamma.pdf(_POSITIVE, 2.5), rtol=1e-10)


def test_gamma_beta_and_betaln_differentiate_in_every_argument(backend: str) -> None:
    a = pt.asarray(_SHAPE_A, device=backend, requires_grad=True)
    b = pt.asarray(_SHAPE_B, device=backend, requires_grad=True)
    da = sc.digamma(_SHAPE_A) - sc.digamma(_SHAPE_A + _SHAPE_B)
    db = sc.digamma(_SHAPE_B) - sc.digamma(_SHAPE_A + _SHAPE_B)
    ga, gb = pt.autograd.grad(pt.special.betaln(a, b).sum(), [a, b])
    np.testing.assert_allclose(ga.numpy(), da, rtol=1e-12)
    np.testing.assert_allclose(gb.numpy(), db, rtol=1e-12)
    ga, gb = pt.autograd.grad(pt.special.beta(a, b).sum(), [a, b])
    np.testing.assert_allclose(ga.numpy(), sc.beta(_SHAPE_A, _SHAPE_B) * da, rtol=1e-12)
    np.testing.assert_allclose(gb.numpy(), sc.beta(_SHAPE_A, _SHAPE_B) * db, rtol=1e-12)
    (g,) = pt.autograd.grad(pt.special.gamma(a).sum(), [a])
    np.testing.assert_allclose(g.numpy(), sc.gamma(_SHAPE_A) * sc.digamma(_SHAPE_A), rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "position"), [(n, i) for n, args in NO_DERIVATIVE.items() for i in range(len(args))]
)
def test_derivative_in_a_shape_parameter_says_it_has_no_closed_form(
    name: str, position: int
) -> None:
    args = [pt.asarray(a) for a in ARGS[name]]
    args[position] = pt.asarray(ARGS[name][position], requires_grad=True)
    out = getattr(pt.special, name)(*args).sum()
    arg = NO_DERIVATIVE[name][position]
    with pytest.raises(NotImplementedError) as info:
        out.backward()
    message = str(info.value)
    assert f"derivative of special.{name} with respect to {arg} is not implemented" in message
    assert "no closed form" in message and ".detach()" in message


def test_forward_and_backward_stay_lazy_on_dask(dask_computes: Any) -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not installed")
    x = pt.asarray(_UNIT, device="dask", requires_grad=True)
    df = pt.asarray(_DF, device="dask")
    y = (
        pt.special.betaincc(2.0, df, x)
        + pt.special.stdtr(df, x)
        + pt.special.stdtrit(df, x)
        + pt.special.fdtrc(df, 3.0, x)
        + pt.special.chdtrc(df, x)
    )
    y.sum().backward()
    assert dask_computes.calls == 0
    assert x.grad is not None
    want = (
        DENSITY["betaincc"](2.0, _DF, _UNIT)
        + DENSITY["stdtr"](_DF, _UNIT)
        + DENSITY["stdtrit"](_DF, _UNIT)
        + DENSITY["fdtrc"](_DF, 3.0, _UNIT)
        + DENSITY["chdtrc"](_DF, _UNIT)
    )
    (grad,) = pt.compute(x.grad)
    assert dask_computes.calls == 1
    np.testing.assert_allclose(grad.numpy(), want, rtol=1e-10)


@pytest.mark.parametrize("name", sorted(ARGS))
def test_without_scipy_each_names_the_extra(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_special, "_scipy", lambda name: None)
    fn = _special.special_function(pt.backends.get("numpy"), name)
    with pytest.raises(NotImplementedError, match=r"polytensor\[special\]"):
        fn(*ARGS[name])
