"""``polytensor.special``: forward values against SciPy on every backend, dtypes, laziness on
Dask, the limits of the derivative rules, and the module without SciPy.

First and second derivatives of every function (central differences, every backend) and their
agreement with ``torch.special`` are checked by the conformance suite, from the op table.
"""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt
from polytensor.backends import _special

sc = pytest.importorskip("scipy.special")

BACKENDS = ["numpy", "dask", "array_api_strict"]
# (the binary ones, and torch.special's names for functions of the namespace, tested there)
NOT_UNARY = ("xlogy", "xlog1py", "polygamma", "zeta", "gammainc", "gammaincc", "multigammaln")
# (the beta function and the distribution functions: tests/test_special_distributions.py)
NOT_UNARY += ("beta", "betaln", "betainc", "betaincc", "stdtr", "stdtrit", "fdtr", "fdtrc")
NOT_UNARY += ("chdtr", "chdtrc")
ALIASES = ("exp2", "expm1", "log1p", "round", "softmax", "log_softmax", "logsumexp")
UNARY = [n for n in pt.special.__all__ if n not in NOT_UNARY + ALIASES]
# inputs inside each function's domain
DOMAIN = {
    "logit": (0.05, 0.95),
    "ndtri": (0.05, 0.95),
    "erfinv": (-0.95, 0.95),
    "gammaln": (0.1, 5.0),
    "gamma": (0.1, 5.0),
    "digamma": (0.1, 5.0),
    "entr": (0.0, 3.0),
}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    status = pt.backends.available().get(request.param, "not registered")
    if status != "available":
        pytest.skip(f"backend {request.param!r} is unavailable: {status}")
    return request.param  # type: ignore[no-any-return]


def _sample(name: str, shape: tuple[int, ...] = (7,)) -> np.ndarray:
    lo, hi = DOMAIN.get(name, (-3.0, 3.0))
    return np.random.default_rng(0).uniform(lo, hi, shape)


@pytest.mark.parametrize("name", UNARY)
def test_unary_matches_scipy_in_both_precisions(name: str, backend: str) -> None:
    a = _sample(name)
    for dtype, rtol in ((pt.float64, 1e-14), (pt.float32, 1e-6)):
        x = pt.asarray(a, dtype=dtype, device=backend)
        got = getattr(pt.special, name)(x)
        assert got.dtype == dtype
        want = (np.sinc if name == "sinc" else getattr(sc, name))(a.astype(dtype.name))
        np.testing.assert_allclose(got.numpy(), want, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_binary_matches_scipy_and_promotes(name: str, backend: str) -> None:
    a = np.array([0.0, 0.0, 1.5, 2.0])
    b = np.array([0.0, 3.0, 0.5, 4.0])
    x = pt.asarray(a, dtype=pt.float32, device=backend)
    y = pt.asarray(b, device=backend)  # float64
    got = getattr(pt.special, name)(x, y)
    assert got.dtype == pt.float64
    np.testing.assert_allclose(got.numpy(), getattr(sc, name)(a, b), rtol=1e-7)
    assert getattr(pt.special, name)(x, 2.0).dtype == pt.float32


def test_polygamma_matches_scipy_and_checks_n(backend: str) -> None:
    a = _sample("digamma")
    x = pt.asarray(a, device=backend)
    for n in (0, 1, 3):
        np.testing.assert_allclose(pt.special.polygamma(n, x).numpy(), sc.polygamma(n, a))
    with pytest.raises(TypeError, match=r"polygamma\(\) expects an int n >= 0; got -1"):
        pt.special.polygamma(-1, x)


def test_forward_and_backward_stay_lazy_on_dask(dask_computes) -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not installed")
    x = pt.asarray(_sample("gammaln"), device="dask", requires_grad=True)
    y = pt.special.gammaln(x) + pt.special.erf(x) * pt.special.xlogy(x, x)
    y.sum().backward()
    assert dask_computes.calls == 0
    assert x.grad is not None
    pt.compute(x.grad)
    assert dask_computes.calls == 1


@pytest.mark.parametrize(("name", "want"), [("i1", 0.5), ("i1e", 0.5), ("sinc", 0.0)])
def test_derivative_at_zero_is_the_limit(name: str, want: float) -> None:
    x = pt.asarray([0.0, 1e-9], dtype=pt.float64, requires_grad=True)
    getattr(pt.special, name)(x).sum().backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), [want, want], atol=1e-8)


def test_xlogy_derivative_in_x_is_log_y_at_x_zero_too() -> None:
    # (x log(y) is linear in x: its derivative at x == 0 is log(y) where that is a number, and
    # 0 where the function is 0 and log(y) is not (y <= 0), as PyTorch's and JAX's)
    x = pt.asarray([0.0, 2.0, 0.0, 0.0], dtype=pt.float64, requires_grad=True)
    y = pt.asarray([0.5, 3.0, 0.0, -1.0], dtype=pt.float64, requires_grad=True)
    pt.special.xlogy(x, y).sum().backward()
    assert x.grad is not None and y.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), [np.log(0.5), np.log(3.0), 0.0, 0.0])
    np.testing.assert_allclose(y.grad.numpy(), [0.0, 2.0 / 3.0, np.nan, 0.0])


def test_xlog1py_derivative_in_x_is_log1p_y_at_x_zero_too() -> None:
    x = pt.asarray([0.0, 2.0, 0.0, 0.0], dtype=pt.float64, requires_grad=True)
    y = pt.asarray([0.5, 3.0, -1.0, -2.0], dtype=pt.float64, requires_grad=True)
    pt.special.xlog1py(x, y).sum().backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), [np.log1p(0.5), np.log1p(3.0), 0.0, 0.0])


def test_logit_derivative_is_nan_where_logit_is(backend: str) -> None:
    # (outside [0, 1] logit is NaN; 1/(x (1 - x)) would be a finite gradient of it there)
    x = pt.asarray(
        [-0.5, 0.0, 0.25, 1.0, 2.0], dtype=pt.float64, device=backend, requires_grad=True
    )
    y = pt.special.logit(x)
    (g,) = pt.autograd.grad(y.sum(), x)
    with np.errstate(divide="ignore", invalid="ignore"):  # (Dask's computing them now)
        got_y, got_g = y.detach().numpy(), g.numpy()
    np.testing.assert_array_equal(np.isnan(got_y), [True, False, False, False, True])
    np.testing.assert_allclose(got_g, [np.nan, np.inf, 16.0 / 3.0, np.inf, np.nan])


def test_special_computes_integer_tensors_in_the_default_float_dtype() -> None:
    # (as torch.special's; tests/test_integers_as_float.py compares every function with it)
    got = pt.special.expit(pt.asarray([1, 2]))
    assert got.dtype == pt.float32
    np.testing.assert_allclose(got.numpy(), sc.expit(np.array([1.0, 2.0], dtype=np.float32)))
    with pytest.raises(TypeError, match=r"expit\(\) expects real floating-point dtypes; got comp"):
        pt.special.expit(pt.asarray([1j]))


# -- without SciPy ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["expit", "logit", "softplus", "entr", "sinc"])
def test_formulas_match_scipy(name: str, backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_special, "_scipy", lambda name: None)
    b = pt.backends.get(backend)
    a = _sample(name) if name == "logit" else np.concatenate([_sample(name), [0.0]])
    fn = _special.special_function(b, name)
    got = b.to_numpy(fn(b.from_numpy(a)))
    want = (np.sinc if name == "sinc" else getattr(sc, name))(a)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_binary_formulas_match_scipy(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_special, "_scipy", lambda name: None)
    b = pt.backends.get("numpy")
    a, c = np.array([0.0, 0.0, 1.5, 2.0, np.nan]), np.array([0.0, -1.0, 0.5, 4.0, 1.0])
    got = _special.special_function(b, name)(a, c)
    np.testing.assert_allclose(got, getattr(sc, name)(a, c), rtol=1e-14)


def test_without_scipy_the_others_name_the_extra(run_python) -> None:
    code = (
        "import sys; sys.modules['scipy'] = None\n"
        "import polytensor as pt\n"
        "x = pt.asarray([0.0, 1.0], requires_grad=True)\n"
        "pt.special.expit(x).sum().backward(); print(x.grad.tolist())\n"
        "try:\n"
        "    pt.special.erf(x)\n"
        "except NotImplementedError as e:\n"
        "    print(e)\n"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    np.testing.assert_allclose(eval(lines[0]), [0.25, 0.19661193], rtol=1e-6)  # noqa: S307
    assert "pip install 'polytensor[special]'" in lines[1]
