"""``pt.distributions``' gamma, location-scale, counting and multivariate families against
``torch.distributions``: log-probabilities, entropies, moments, cdf/icdf and KL divergences
with their gradients in float64 on NumPy, Dask and array-api-strict; draws' shapes, dtypes,
moments and seeds; reparameterised gradients; the argument checks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions


def _backend_param(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


BACKENDS = ("numpy", "dask", "array_api_strict")


@pytest.fixture(params=[_backend_param(b) for b in BACKENDS])
def backend(request: pytest.FixtureRequest) -> str:
    pt.set_backend(request.param)
    return str(request.param)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


def _close(got: Any, want: Any, what: str, rtol: float = 1e-10) -> None:
    want = want.detach().numpy()
    got = _host(got)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-12, err_msg=what)


RNG = np.random.default_rng(0)
LOC = RNG.standard_normal((4,))
SCALE = RNG.uniform(0.5, 2.0, (4,))
POS = RNG.uniform(0.5, 3.0, (4,))
POS2 = RNG.uniform(0.5, 3.0, (4,))
SMALL = RNG.uniform(0.2, 0.9, (4,))
P01 = RNG.uniform(0.1, 0.9, (4,))
CONC = RNG.uniform(0.5, 3.0, (4, 3))
CONC2 = RNG.uniform(0.5, 3.0, (4, 3))
PROBS = RNG.uniform(0.05, 1.0, (4, 3))
LOGITS = RNG.standard_normal((4, 3))
_A = RNG.standard_normal((2, 3, 3))
COV = _A @ _A.transpose(0, 2, 1) + 0.5 * np.eye(3)
_B = RNG.standard_normal((3, 3))
COV2 = _B @ _B.T + np.eye(3)
TRIL = np.tril(RNG.standard_normal((2, 3, 3)), -1) + np.diag(RNG.uniform(0.5, 2.0, 3))
MLOC = RNG.standard_normal((2, 3))
SIMPLEX = RNG.dirichlet(np.ones(3), (2, 4))  # sample-shaped values
MVALUE = RNG.standard_normal((5, 2, 3))


def _t(lib: Any, a: Any) -> Any:
    return lib.tensor(np.asarray(a, dtype=np.float64))


# name: (factory(lib, *params), parameter arrays, a value for log_prob as a function of lib)
CASES: dict[str, tuple[Any, list[np.ndarray], Any]] = {
    "laplace": (
        lambda M, a, b: M.Laplace(a, b),
        [LOC, SCALE],
        lambda lib: _t(lib, [[0.3, -1.0, 2.0, 0.0]]),
    ),
    "cauchy": (lambda M, a, b: M.Cauchy(a, b), [LOC, SCALE], lambda lib: _t(lib, [0.3, -1, 2, 0])),
    "gumbel": (lambda M, a, b: M.Gumbel(a, b), [LOC, SCALE], lambda lib: _t(lib, [0.3, -1, 2, 0])),
    "lognormal": (
        lambda M, a, b: M.LogNormal(a, b),
        [LOC, SCALE],
        lambda lib: _t(lib, [0.3, 1.0, 2.5, 7.0]),
    ),
    "halfnormal": (lambda M, a: M.HalfNormal(a), [SCALE], lambda lib: _t(lib, [0.3, 1, 2.5, 0])),
    "studentt": (
        lambda M, a, b, c: M.StudentT(a, b, c),
        [POS, LOC, SCALE],
        lambda lib: _t(lib, [0.3, -1.0, 2.5, 0.0]),
    ),
    "gamma": (lambda M, a, b: M.Gamma(a, b), [POS, POS2], lambda lib: _t(lib, [0.3, 1, 2.5, 0.1])),
    "gamma small": (
        lambda M, a, b: M.Gamma(a, b),
        [SMALL, POS],
        lambda lib: _t(lib, [0.3, 1, 2, 4]),
    ),
    "beta": (lambda M, a, b: M.Beta(a, b), [POS, SMALL], lambda lib: _t(lib, [0.3, 0.5, 0.9, 0.1])),
    "dirichlet": (lambda M, a: M.Dirichlet(a), [CONC], lambda lib: _t(lib, SIMPLEX)),
    "poisson": (
        lambda M, a: M.Poisson(a),
        [POS],
        lambda lib: _t(lib, [[0, 1, 3, 2], [5, 0, 0, 1]]),
    ),
    "binomial probs": (
        lambda M, a: M.Binomial(5, probs=a),
        [P01],
        lambda lib: _t(lib, [0, 1, 5, 2]),
    ),
    "binomial logits": (
        lambda M, a: M.Binomial(7, logits=a),
        [LOC * 2],
        lambda lib: _t(lib, [[0, 1, 7, 2], [3, 3, 3, 3]]),
    ),
    "geometric probs": (
        lambda M, a: M.Geometric(probs=a),
        [P01],
        lambda lib: _t(lib, [0, 1, 5, 2]),
    ),
    "geometric logits": (
        lambda M, a: M.Geometric(logits=a),
        [LOC],
        lambda lib: _t(lib, [0, 1, 5, 2]),
    ),
    "onehot probs": (
        lambda M, a: M.OneHotCategorical(probs=a),
        [PROBS],
        lambda lib: _t(lib, np.eye(3)[[0, 2, 1, 1]]),
    ),
    "onehot logits": (
        lambda M, a: M.OneHotCategorical(logits=a),
        [LOGITS],
        lambda lib: _t(lib, np.eye(3)[[[2, 2, 0, 1], [0, 1, 1, 2]]]),
    ),
    "multinomial": (
        lambda M, a: M.Multinomial(4, probs=a),
        [PROBS],
        lambda lib: _t(lib, [[4, 0, 0], [1, 2, 1], [0, 0, 4], [2, 0, 2]]),
    ),
    "mvn covariance": (
        lambda M, a, b: M.MultivariateNormal(a, covariance_matrix=b),
        [MLOC, COV],
        lambda lib: _t(lib, MVALUE),
    ),
    "mvn precision": (
        lambda M, a, b: M.MultivariateNormal(a, precision_matrix=b),
        [MLOC[0], COV],
        lambda lib: _t(lib, MVALUE),
    ),
    "mvn scale_tril": (
        lambda M, a, b: M.MultivariateNormal(a, scale_tril=b),
        [MLOC, TRIL],
        lambda lib: _t(lib, MVALUE),
    ),
    "independent normal": (
        lambda M, a, b: M.Independent(M.Normal(a, b), 1),
        [CONC, CONC2],
        lambda lib: _t(lib, LOGITS),
    ),
    "independent beta": (
        lambda M, a, b: M.Independent(M.Beta(a, b), 2),
        [CONC, CONC2],
        lambda lib: _t(lib, PROBS / 1.1),
    ),
}


def _pair(name: str) -> tuple[Any, Any, list[Any], list[Any]]:
    make, arrays, _ = CASES[name]
    ps = [pt.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    return make(D, *ps), make(TD, *ts), ps, ts


# torch's trigamma (the derivative of digamma, in these entropies' and KL divergences'
# gradients) is accurate to about 1e-9 (SciPy's, which polytensor's uses, to 1e-15)
TRIGAMMA_RTOL = 1e-8


def _grads_agree(
    out_p: Any, out_t: Any, ps: list[Any], ts: list[Any], what: str, rtol: float = 1e-9
) -> None:
    r = np.random.default_rng(3).standard_normal(tuple(out_t.shape))
    gt = torch.autograd.grad(
        (out_t * torch.tensor(r)).sum(), ts, retain_graph=True, allow_unused=True
    )
    gp = pt.autograd.grad((out_p * pt.tensor(r)).sum(), ps, retain_graph=True, allow_unused=True)
    for i, (a, b) in enumerate(zip(gp, gt, strict=True)):
        if b is None:  # (an entropy that does not depend on a parameter)
            assert a is None or not np.any(_host(a)), f"{what}: gradient {i}"
        else:
            assert a is not None, f"{what}: no gradient {i}"
            _close(a, b, f"{what}: gradient {i}", rtol=rtol)


@pytest.mark.parametrize("name", list(CASES))
def test_log_prob_and_entropy_match_torch(backend: str, name: str) -> None:
    dp, dt_, ps, ts = _pair(name)
    value = CASES[name][2]
    out_p, out_t = dp.log_prob(value(pt)), dt_.log_prob(value(torch))
    _close(out_p, out_t, f"{name} log_prob")
    _grads_agree(out_p, out_t, ps, ts, f"{name} log_prob")
    # (torch's Multinomial.entropy takes lgamma of an int64 tensor, in the default dtype:
    # compare it in float64)
    torch.set_default_dtype(torch.float64)
    try:
        ent_t = dt_.entropy()
    except NotImplementedError:  # (torch's Poisson has no entropy)
        with pytest.raises(NotImplementedError, match="entropy"):
            dp.entropy()
        return
    finally:
        torch.set_default_dtype(torch.float32)
    ent_p = dp.entropy()
    _close(ent_p, ent_t, f"{name} entropy")
    _grads_agree(ent_p, ent_t, ps, ts, f"{name} entropy", TRIGAMMA_RTOL)


@pytest.mark.parametrize("name", list(CASES))
def test_moments_and_shapes_match_torch(name: str) -> None:
    dp, dt_, ps, ts = _pair(name)
    assert dp.batch_shape == tuple(dt_.batch_shape)
    assert dp.event_shape == tuple(dt_.event_shape)
    assert dp.has_rsample == dt_.has_rsample or name.startswith(
        ("gamma", "beta", "dirichlet", "studentt", "independent beta")
    )
    for attr in ("mean", "mode", "variance", "stddev"):
        try:
            want = getattr(dt_, attr)
        except NotImplementedError:  # (torch's Multinomial has no mode)
            continue
        got = getattr(dp, attr)
        _close(got, want, f"{name} {attr}")
        if attr in ("mean", "variance") and want.requires_grad:
            _grads_agree(got, want, ps, ts, f"{name} {attr}")


def test_mvn_matrices_match_torch() -> None:
    for name in ("mvn covariance", "mvn precision", "mvn scale_tril"):
        dp, dt_, ps, ts = _pair(name)
        for attr in ("scale_tril", "covariance_matrix", "precision_matrix"):
            got, want = getattr(dp, attr), getattr(dt_, attr)
            _close(got, want, f"{name} {attr}", rtol=1e-9)
            _grads_agree(got, want, ps, ts, f"{name} {attr}")


@pytest.mark.parametrize("name", ["laplace", "cauchy", "gumbel", "lognormal", "halfnormal"])
def test_cdf_and_icdf_match_torch(name: str) -> None:
    dp, dt_, ps, ts = _pair(name)
    q = np.array([0.1, 0.4, 0.5, 0.95])
    out_p, out_t = dp.icdf(pt.tensor(q)), dt_.icdf(torch.tensor(q))
    _close(out_p, out_t, f"{name} icdf")
    _grads_agree(out_p, out_t, ps, ts, f"{name} icdf")
    x = out_t.detach().numpy()
    out_p, out_t = dp.cdf(pt.tensor(x)), dt_.cdf(torch.tensor(x))
    _close(out_p, out_t, f"{name} cdf")
    _grads_agree(out_p, out_t, ps, ts, f"{name} cdf")


def test_enumerate_support_matches_torch() -> None:
    for name in ("binomial probs", "onehot logits"):
        dp, dt_, _, _ = _pair(name)
        for expand in (True, False):
            got = _host(dp.enumerate_support(expand))
            want = dt_.enumerate_support(expand).numpy()
            np.testing.assert_array_equal(got, want)
            assert got.dtype == want.dtype


def _two(M: Any, cls: str, *params: Any) -> tuple[Any, Any]:
    k = len(params) // 2
    return getattr(M, cls)(*params[:k]), getattr(M, cls)(*params[k:])


KL_PAIRS: dict[str, tuple[Any, list[np.ndarray]]] = {
    "laplace": (lambda M, *a: _two(M, "Laplace", *a), [LOC, SCALE, LOC[::-1].copy(), POS]),
    "cauchy": (lambda M, *a: _two(M, "Cauchy", *a), [LOC, SCALE, LOC[::-1].copy(), POS]),
    "gumbel": (lambda M, *a: _two(M, "Gumbel", *a), [LOC, SCALE, LOC[::-1].copy(), POS]),
    "lognormal": (lambda M, *a: _two(M, "LogNormal", *a), [LOC, SCALE, LOC[::-1].copy(), POS]),
    "halfnormal": (lambda M, *a: _two(M, "HalfNormal", *a), [SCALE, POS]),
    "gamma": (lambda M, *a: _two(M, "Gamma", *a), [POS, POS2, SMALL, SCALE]),
    "beta": (lambda M, *a: _two(M, "Beta", *a), [POS, POS2, SMALL, SCALE]),
    "dirichlet": (lambda M, *a: _two(M, "Dirichlet", *a), [CONC, CONC2]),
    "poisson": (lambda M, *a: _two(M, "Poisson", *a), [POS, SMALL]),
    "geometric": (
        lambda M, a, b: (M.Geometric(probs=a), M.Geometric(logits=b)),
        [P01, LOC],
    ),
    "binomial": (
        lambda M, a, b: (M.Binomial(6, probs=a), M.Binomial(6, logits=b)),
        [P01, LOC],
    ),
    "onehot": (
        lambda M, a, b: (M.OneHotCategorical(probs=a), M.OneHotCategorical(logits=b)),
        [PROBS, LOGITS],
    ),
    "mvn": (
        lambda M, a, b, c, d: (
            M.MultivariateNormal(a, covariance_matrix=b),
            M.MultivariateNormal(c, scale_tril=d),
        ),
        [MLOC, COV, MLOC[0], TRIL],
    ),
    "mvn precision": (
        lambda M, a, b, c, d: (
            M.MultivariateNormal(a, precision_matrix=b),
            M.MultivariateNormal(c, covariance_matrix=d),
        ),
        [MLOC, COV, MLOC[0], COV2],
    ),
    "independent": (
        lambda M, a, b, c, d: (
            M.Independent(M.Normal(a, b), 1),
            M.Independent(M.Normal(c, d), 1),
        ),
        [CONC, CONC2, LOGITS, PROBS],
    ),
}


@pytest.mark.parametrize("name", list(KL_PAIRS))
def test_kl_divergence_matches_torch(backend: str, name: str) -> None:
    make, arrays = KL_PAIRS[name]
    ps = [pt.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_p = D.kl_divergence(*make(D, *ps))
    out_t = TD.kl_divergence(*make(TD, *ts))
    _close(out_p, out_t, f"{name} kl")
    _grads_agree(out_p, out_t, ps, ts, f"{name} kl", TRIGAMMA_RTOL)


def test_kl_divergence_edge_cases_as_torch() -> None:
    got = D.kl_divergence(D.Binomial(5, probs=pt.tensor(0.3)), D.Binomial(4, probs=pt.tensor(0.3)))
    assert float(got) == float("inf")
    with pytest.raises(NotImplementedError, match="total_count"):
        D.kl_divergence(D.Binomial(3, probs=pt.tensor(0.3)), D.Binomial(4, probs=pt.tensor(0.3)))
    p = D.Independent(D.Normal(pt.zeros((2, 2)), 1.0), 1)
    q = D.Independent(D.Normal(pt.zeros((2, 2)), 1.0), 2)
    with pytest.raises(NotImplementedError, match="reinterpret"):
        D.kl_divergence(p, q)
    a = D.MultivariateNormal(pt.zeros(2), pt.eye(2))
    b = D.MultivariateNormal(pt.zeros(3), pt.eye(3))
    with pytest.raises(ValueError, match="event shapes"):
        D.kl_divergence(a, b)


@pytest.mark.parametrize("name", list(CASES))
def test_samples_have_torch_shapes_and_dtypes(backend: str, name: str) -> None:
    dp, dt_, _, _ = _pair(name)
    for shape in ((), (3,), (2, 3)):
        got, want = dp.sample(shape), dt_.sample(shape)
        assert tuple(got.shape) == tuple(want.shape), (name, shape)
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1], name
        assert not got.requires_grad
        # every draw is in the support: its log-probability is finite
        assert np.isfinite(_host(dp.log_prob(got))).all(), name


N = 20_000


def _moments(d: Any, mean: Any, var: Any, tol: float = 0.05) -> None:
    s = _host(d.sample((N,)))
    mean, var = np.asarray(mean), np.asarray(var)
    sd = np.sqrt(var)
    np.testing.assert_array_less(np.abs(s.mean(0) - mean), 5 * sd / np.sqrt(N) + 1e-12)
    np.testing.assert_allclose(s.var(0), var, rtol=tol)


def test_sample_moments() -> None:
    pt.manual_seed(7)
    c = pt.tensor([0.1, 0.3, 0.9, 1.0, 2.5, 30.0], dtype=pt.float64)
    r = pt.tensor([1.0, 2.0, 0.5, 1.0, 3.0, 0.2], dtype=pt.float64)
    _moments(D.Gamma(c, r), c.numpy() / r.numpy(), c.numpy() / r.numpy() ** 2)
    a, b = pt.tensor([0.3, 2.0, 5.0]), pt.tensor([0.7, 2.0, 1.5])
    m = D.Beta(a, b)
    _moments(m, _host(m.mean), _host(m.variance))
    m = D.Dirichlet(pt.tensor([[0.2, 0.5, 1.0], [2.0, 3.0, 4.0]]))
    _moments(m, _host(m.mean), _host(m.variance))
    _moments(D.StudentT(pt.tensor([5.0, 8.0]), 1.0, 2.0), [1.0, 1.0], [20 / 3, 4 * 8 / 6], 0.1)
    _moments(D.Laplace(pt.tensor(1.0), pt.tensor(2.0)), 1.0, 8.0)
    _moments(D.Gumbel(pt.tensor(1.0), pt.tensor(2.0)), 1.0 + 2 * 0.5772156649, 4 * np.pi**2 / 6)
    _moments(
        D.LogNormal(pt.tensor(0.1), pt.tensor(0.5)),
        np.exp(0.1 + 0.125),
        np.expm1(0.25) * np.exp(0.2 + 0.25),
    )
    _moments(D.HalfNormal(pt.tensor(2.0)), 2 * np.sqrt(2 / np.pi), 4 * (1 - 2 / np.pi))
    _moments(D.Poisson(pt.tensor([0.5, 4.0, 30.0])), [0.5, 4.0, 30.0], [0.5, 4.0, 30.0])
    n, p = pt.tensor([1.0, 10.0, 40.0]), pt.tensor([0.5, 0.3, 0.9])
    _moments(D.Binomial(n, probs=p), _host(n * p), _host(n * p * (1 - p)))
    p = pt.tensor([0.2, 0.7, 1.0])
    _moments(D.Geometric(probs=p), [4.0, 3 / 7, 0.0], [20.0, 0.3 / 0.49, 0.0])
    probs = pt.tensor([0.1, 0.2, 0.7])
    _moments(D.OneHotCategorical(probs=probs), _host(probs), _host(probs * (1 - probs)))
    m = D.Multinomial(5, probs=probs)
    _moments(m, _host(m.mean), _host(m.variance))
    cov = pt.tensor([[2.0, 0.6], [0.6, 1.0]], dtype=pt.float64)
    s = _host(D.MultivariateNormal(pt.tensor([1.0, -1.0], dtype=pt.float64), cov).sample((N,)))
    np.testing.assert_allclose(s.mean(0), [1.0, -1.0], atol=0.05)
    np.testing.assert_allclose(np.cov(s.T), cov.numpy(), atol=0.06)
    s = _host(D.Cauchy(pt.tensor(1.0), pt.tensor(2.0)).sample((N,)))
    np.testing.assert_allclose(np.quantile(s, [0.25, 0.5, 0.75]), [-1.0, 1.0, 3.0], atol=0.1)


def test_binomial_and_multinomial_draws_are_counts() -> None:
    pt.manual_seed(3)
    n = pt.tensor([[0.0, 1.0, 7.0], [3.0, 3.0, 3.0]])
    x = _host(D.Binomial(n, probs=pt.tensor([0.0, 0.5, 1.0])).sample((50,)))
    assert (x == np.floor(x)).all() and (x >= 0).all() and (x <= n.numpy()).all()
    assert (x[:, :, 0] == 0).all() and (x[:, 0, 2] == 7).all()
    c = _host(D.Multinomial(6, logits=pt.zeros((2, 4))).sample((10,)))
    assert c.shape == (10, 2, 4) and (c.sum(-1) == 6).all()


SEEDED = {
    "gamma": lambda lib: D.Gamma(_t(lib, [0.4, 2.0, 9.0]), 1.5),
    "beta": lambda lib: D.Beta(_t(lib, [0.4, 2.0]), _t(lib, [1.0, 0.3])),
    "dirichlet": lambda lib: D.Dirichlet(_t(lib, [[0.4, 2.0, 1.0]])),
    "studentt": lambda lib: D.StudentT(_t(lib, [3.0, 0.5])),
    "laplace": lambda lib: D.Laplace(_t(lib, [0.0, 1.0]), 2.0),
    "cauchy": lambda lib: D.Cauchy(_t(lib, [0.0, 1.0]), 2.0),
    "gumbel": lambda lib: D.Gumbel(_t(lib, [0.0, 1.0]), 2.0),
    "lognormal": lambda lib: D.LogNormal(_t(lib, [0.0, 1.0]), 2.0),
    "halfnormal": lambda lib: D.HalfNormal(_t(lib, [1.0, 2.0])),
    "poisson": lambda lib: D.Poisson(_t(lib, [0.5, 20.0])),
    "binomial": lambda lib: D.Binomial(8, probs=_t(lib, [0.2, 0.6])),
    "geometric": lambda lib: D.Geometric(probs=_t(lib, [0.2, 0.6])),
    "onehot": lambda lib: D.OneHotCategorical(logits=_t(lib, [0.2, 0.6, 0.0])),
    "multinomial": lambda lib: D.Multinomial(9, logits=_t(lib, [0.2, 0.6, 0.0])),
    "mvn": lambda lib: D.MultivariateNormal(_t(lib, [0.0, 1.0]), _t(lib, COV2[:2, :2])),
    "independent": lambda lib: D.Independent(D.Laplace(_t(lib, [[0.0, 1.0]]), 2.0), 1),
}


@pytest.mark.parametrize("name", list(SEEDED))
def test_a_seed_gives_the_same_draws_on_every_backend(name: str) -> None:
    draws = {}
    for b in BACKENDS:
        if pt.backends.available().get(b) != "available":
            continue
        pt.set_backend(b)
        pt.manual_seed(11)
        draws[b] = _host(SEEDED[name](pt).sample((64,)))
    first = draws.pop("numpy")
    for b, d in draws.items():
        np.testing.assert_allclose(d, first, rtol=1e-12, atol=0, err_msg=f"{name} on {b}")
    pt.set_backend("numpy")
    pt.manual_seed(12)
    assert not np.array_equal(_host(SEEDED[name](pt).sample((64,))), first)


def test_location_scale_rsample_gradients() -> None:
    """``x = loc + scale eps``: d/dloc is 1 and d/dscale is ``eps``, recovered from the draw;
    LogNormal's ``exp`` of it and HalfNormal's ``|.|``."""
    pt.manual_seed(0)
    for cls in (D.Laplace, D.Cauchy, D.Gumbel):
        loc = pt.tensor([0.5, -1.0], dtype=pt.float64, requires_grad=True)
        scale = pt.tensor([2.0, 0.5], dtype=pt.float64, requires_grad=True)
        x = cls(loc, scale).rsample((3,))
        x.sum().backward()
        eps = (_host(x) - _host(loc)) / _host(scale)
        np.testing.assert_allclose(_host(loc.grad), [3.0, 3.0], err_msg=cls.__name__)
        np.testing.assert_allclose(_host(scale.grad), eps.sum(0), rtol=1e-9)
    loc = pt.tensor([0.5, -1.0], dtype=pt.float64, requires_grad=True)
    scale = pt.tensor([2.0, 0.5], dtype=pt.float64, requires_grad=True)
    x = D.LogNormal(loc, scale).rsample((3,))
    x.sum().backward()
    eps = (np.log(_host(x)) - _host(loc)) / _host(scale)
    np.testing.assert_allclose(_host(loc.grad), _host(x).sum(0), rtol=1e-12)
    np.testing.assert_allclose(_host(scale.grad), (_host(x) * eps).sum(0), rtol=1e-9)
    scale = pt.tensor([2.0, 0.5], dtype=pt.float64, requires_grad=True)
    x = D.HalfNormal(scale).rsample((3,))
    x.sum().backward()
    np.testing.assert_allclose(_host(scale.grad), (_host(x) / _host(scale)).sum(0), rtol=1e-12)


def test_mvn_rsample_gradients_match_torch_for_the_same_noise() -> None:
    pt.manual_seed(0)
    loc, cov = pt.tensor(MLOC, requires_grad=True), pt.tensor(COV, requires_grad=True)
    x = D.MultivariateNormal(loc, cov).rsample((4,))
    r = np.random.default_rng(1).standard_normal(tuple(x.shape))
    (x * pt.tensor(r)).sum().backward()
    lower = np.linalg.cholesky(COV)
    eps = np.linalg.solve(lower, (_host(x) - MLOC)[..., None])[..., 0]
    loc_t, cov_t = torch.tensor(MLOC, requires_grad=True), torch.tensor(COV, requires_grad=True)
    lower_t = torch.linalg.cholesky(cov_t)
    x_t = loc_t + (lower_t @ torch.tensor(eps)[..., None])[..., 0]
    _close(x, x_t, "draw")
    (x_t * torch.tensor(r)).sum().backward()
    _close(loc.grad, loc_t.grad, "loc")
    _close(cov.grad, cov_t.grad, "covariance", rtol=1e-8)


def test_gamma_family_rsample_refuses_a_concentration_gradient() -> None:
    c = pt.tensor([2.0, 3.0], requires_grad=True)
    for make in (
        lambda: D.Gamma(c, 1.0),
        lambda: D.Beta(c, 1.0),
        lambda: D.Beta(1.0, c),
        lambda: D.Dirichlet(c),
        lambda: D.StudentT(c),
        lambda: D.Independent(D.Gamma(c, 1.0), 1),
    ):
        d = make()
        assert not d.has_rsample
        with pytest.raises(NotImplementedError, match="not differentiable"):
            d.rsample()
        assert not d.sample((2,)).requires_grad
        with pt.no_grad():
            d.rsample()


def test_gamma_and_studentt_rsample_differentiate_the_other_parameters() -> None:
    pt.manual_seed(0)
    rate = pt.tensor([2.0, 0.5], dtype=pt.float64, requires_grad=True)
    x = D.Gamma(pt.tensor([3.0, 0.5], dtype=pt.float64), rate).rsample((4,))
    x.sum().backward()
    np.testing.assert_allclose(_host(rate.grad), -(_host(x) / _host(rate)).sum(0), rtol=1e-12)
    loc = pt.tensor([0.5, -1.0], dtype=pt.float64, requires_grad=True)
    scale = pt.tensor([2.0, 0.5], dtype=pt.float64, requires_grad=True)
    x = D.StudentT(4.0, loc, scale).rsample((3,))
    x.sum().backward()
    np.testing.assert_allclose(_host(loc.grad), [3.0, 3.0])
    np.testing.assert_allclose(_host(scale.grad), ((_host(x) - _host(loc)) / _host(scale)).sum(0))


def test_small_concentrations_draw_positive_numbers_as_torch() -> None:
    pt.manual_seed(0)
    x = _host(D.Gamma(pt.tensor([1e-3, 1e-2]), 1.0).sample((1000,)))
    assert (x >= np.finfo(np.float32).tiny).all()
    assert x.dtype == np.float32
    s = _host(D.Dirichlet(pt.tensor([0.01, 0.01, 0.01], dtype=pt.float64)).sample((100,)))
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: D.Laplace(0.0, -1.0), "scale"),
        (lambda: D.Cauchy(float("nan"), 1.0), "loc"),
        (lambda: D.Gumbel(0.0, 0.0), "scale"),
        (lambda: D.LogNormal(0.0, -1.0), "scale"),
        (lambda: D.HalfNormal(pt.tensor([1.0, -1.0])), "scale"),
        (lambda: D.StudentT(0.0), "df"),
        (lambda: D.Gamma(-1.0, 1.0), "concentration"),
        (lambda: D.Gamma(1.0, 0.0), "rate"),
        (lambda: D.Beta(0.0, 1.0), "concentration"),
        (lambda: D.Dirichlet(pt.tensor([1.0, 0.0])), "concentration"),
        (lambda: D.Dirichlet(pt.tensor(1.0)), "dimension"),
        (lambda: D.Poisson(-1.0), "rate"),
        (lambda: D.Binomial(-1, probs=pt.tensor(0.5)), "total_count"),
        (lambda: D.Binomial(2.5, probs=pt.tensor(0.5)), "total_count"),
        (lambda: D.Binomial(2, probs=pt.tensor(1.5)), "probs"),
        (lambda: D.Binomial(2, probs=pt.tensor(0.5), logits=pt.tensor(0.0)), "exactly one"),
        (lambda: D.Geometric(probs=pt.tensor(0.0)), "probs"),
        (lambda: D.Geometric(), "exactly one"),
        (lambda: D.OneHotCategorical(probs=pt.tensor([-0.5, 1.0])), "probs"),
        (lambda: D.Multinomial(2, probs=pt.tensor([-0.5, 1.0])), "probs"),
        (lambda: D.MultivariateNormal(pt.tensor(0.0), pt.eye(1)), "dimension"),
        (lambda: D.MultivariateNormal(pt.zeros(2)), "exactly one"),
        (lambda: D.MultivariateNormal(pt.zeros(2), pt.eye(2), scale_tril=pt.eye(2)), "exactly"),
        (lambda: D.MultivariateNormal(pt.zeros(2), pt.eye(3)), "shape"),
        (lambda: D.MultivariateNormal(pt.zeros(2), pt.tensor([[1.0, 2.0], [2.0, 1.0]])), "defin"),
        (lambda: D.MultivariateNormal(pt.zeros(2), pt.tensor([[1.0, 0.5], [0.0, 1.0]])), "symm"),
        (lambda: D.MultivariateNormal(pt.zeros(2), precision_matrix=-pt.eye(2)), "defin"),
        (lambda: D.MultivariateNormal(pt.zeros(2), scale_tril=pt.ones((2, 2))), "triangular"),
        (lambda: D.MultivariateNormal(pt.zeros(2), scale_tril=-pt.eye(2)), "positive diagonal"),
        (lambda: D.Independent(D.Normal(pt.zeros(2), 1.0), 2), "reinterpreted_batch_ndims"),
        (lambda: D.Independent(D.Normal(0.0, 1.0), -1), "reinterpreted_batch_ndims"),
        (lambda: D.Gamma(1.0, 1.0).log_prob(pt.tensor(-1.0)), "non-negative"),
        (lambda: D.Beta(1.0, 1.0).log_prob(pt.tensor(1.5)), r"\[0, 1\]"),
        (lambda: D.Dirichlet(pt.ones(2)).log_prob(pt.tensor([0.5, 0.6])), "simplex"),
        (lambda: D.LogNormal(0.0, 1.0).log_prob(pt.tensor(0.0)), "positive"),
        (lambda: D.HalfNormal(1.0).log_prob(pt.tensor(-1.0)), "non-negative"),
        (lambda: D.Poisson(1.0).log_prob(pt.tensor(1.5)), "whole"),
        (lambda: D.Binomial(3, probs=pt.tensor(0.5)).log_prob(pt.tensor(4.0)), "total_count"),
        (lambda: D.Geometric(probs=pt.tensor(0.5)).log_prob(pt.tensor(-1.0)), "whole"),
        (lambda: D.OneHotCategorical(logits=pt.zeros(2)).log_prob(pt.ones(2)), "one-hot"),
        (lambda: D.Multinomial(2, logits=pt.zeros(2)).log_prob(pt.tensor([2.0, 1.0])), "counts"),
        (lambda: D.Laplace(0.0, 1.0).log_prob(pt.tensor(float("nan"))), "value"),
    ],
)
def test_invalid_arguments_raise_value_error_as_torch(make: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        make()


def test_checks_can_be_turned_off() -> None:
    assert float(D.Gamma(-1.0, 1.0, validate_args=False).concentration) == -1.0
    lp = D.HalfNormal(1.0, validate_args=False).log_prob(pt.tensor(-1.0))
    assert float(lp) == -np.inf
    with pytest.raises(NotImplementedError, match="an int"):
        D.Multinomial(pt.tensor(3), probs=pt.ones(2))
    with pytest.raises(TypeError, match="distribution"):
        D.Independent(pt.zeros(2), 0)


def test_edge_values_match_torch() -> None:
    """StudentT's NaN mean and infinite variance at small df, Dirichlet's mode where every
    concentration is below 1, Geometric at probability 1, Binomial's entropy of one count per
    batch, Multinomial's log_prob at a zero probability, as torch."""
    df = np.array([0.5, 1.5, 3.0])
    m, mt = D.StudentT(pt.tensor(df)), TD.StudentT(torch.tensor(df))
    _close(m.mean, mt.mean, "mean")
    _close(m.variance, mt.variance, "variance")
    c = np.array([[0.5, 0.7, 0.2], [2.0, 3.0, 1.5]])
    _close(D.Dirichlet(pt.tensor(c)).mode, TD.Dirichlet(torch.tensor(c)).mode, "mode")
    g, gt = D.Geometric(probs=pt.tensor([1.0, 0.5])), TD.Geometric(probs=torch.tensor([1.0, 0.5]))
    _close(g.log_prob(pt.tensor([0.0, 2.0])), gt.log_prob(torch.tensor([0.0, 2.0])), "geometric")
    assert _host(g.sample((5,)))[:, 0].tolist() == [0.0] * 5
    b = D.Binomial(pt.tensor([3.0, 4.0]), probs=pt.tensor([0.5, 0.5]))
    with pytest.raises(NotImplementedError, match="one total_count"):
        b.entropy()
    p = np.array([0.0, 0.4, 0.6])
    lp = D.Multinomial(3, probs=pt.tensor(p)).log_prob(_t(pt, [0, 1, 2]))
    lp_t = TD.Multinomial(3, probs=torch.tensor(p)).log_prob(_t(torch, [0, 1, 2]))
    _close(lp, lp_t, "multinomial zero probability")


def test_independent_forwards_to_its_base() -> None:
    base = D.Normal(pt.zeros((2, 3)), pt.ones((2, 3)))
    m = D.Independent(base, 1)
    assert m.has_rsample and m.base_dist is base and "Independent" in repr(m)
    assert tuple(m.rsample((4,)).shape) == (4, 2, 3)
    assert tuple(m.entropy().shape) == (2,)
    with pytest.raises(NotImplementedError, match="cartesian"):
        D.Independent(D.Bernoulli(probs=pt.full((2,), 0.5)), 1).enumerate_support()


def test_vae_step_matches_torch() -> None:
    """A VAE's loss of pytorch/examples (a Normal posterior as ``Independent``, the KL to a
    standard normal prior, the reconstruction's Bernoulli log-likelihood) with the same noise:
    the same loss and gradients."""
    rng = np.random.default_rng(2)
    x = (rng.uniform(size=(5, 6)) > 0.5).astype(np.float64)
    w_mu, w_lv, w_dec = (rng.standard_normal(s) * 0.3 for s in ((6, 2), (6, 2), (2, 6)))
    eps = rng.standard_normal((5, 2))

    def loss(lib: Any, M: Any, W: list[Any]) -> Any:
        xs = lib.tensor(x)
        mu, logvar = xs @ W[0], xs @ W[1]
        q = M.Independent(M.Normal(mu, (0.5 * logvar).exp()), 1)
        prior = M.Independent(M.Normal(lib.zeros_like(mu), lib.ones_like(mu)), 1)
        z = mu + (0.5 * logvar).exp() * lib.tensor(eps)
        recon = M.Independent(M.Bernoulli(logits=z @ W[2]), 1)
        return (M.kl_divergence(q, prior) - recon.log_prob(xs)).mean()

    wp = [pt.tensor(w, requires_grad=True) for w in (w_mu, w_lv, w_dec)]
    wt = [torch.tensor(w, requires_grad=True) for w in (w_mu, w_lv, w_dec)]
    lp, lt = loss(pt, D, wp), loss(torch, TD, wt)
    lp.backward()
    lt.backward()
    np.testing.assert_allclose(float(lp), lt.item(), rtol=1e-12)
    for a, b in zip(wp, wt, strict=True):
        _close(a.grad, b.grad, "weights")


def test_new_families_in_the_namespace() -> None:
    for name in ("MultivariateNormal", "Beta", "Gamma", "Dirichlet", "Independent", "Poisson"):
        assert getattr(pt.distributions, name) is getattr(D, name)
        assert name in D.__all__


@pytest.mark.parametrize("name", list(CASES))
def test_dask_stays_lazy_without_checks(name: str, dask_computes: Any) -> None:
    """With ``validate_args=False`` nothing computes on Dask until asked: not the draws, not
    ``log_prob``, ``entropy`` or their gradients (Binomial's draws and entropy take the largest
    total_count, a Python int here; Categorical's draws, which OneHotCategorical and
    Multinomial take, check their probabilities, which computes)."""
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask: not available")
    pt.set_backend("dask")
    D.Distribution.set_default_validate_args(False)
    try:
        dp, _, ps, _ = _pair(name)
        value = CASES[name][2](pt)
        out = dp.log_prob(value) + (dp.entropy().sum() if name != "poisson" else 0.0)
        draws = dp.sample((3,)) if not name.startswith(("onehot", "multinomial")) else out
        grads = pt.autograd.grad(out.sum(), ps)
    finally:
        D.Distribution.set_default_validate_args(True)
    assert dask_computes.calls == 0, name
    assert all(type(t._data).__module__.startswith("dask") for t in (out, draws, *grads))
