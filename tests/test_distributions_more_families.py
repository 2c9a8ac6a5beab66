"""``Gamma.cdf``/``Chi2.cdf``, ``Kumaraswamy``, ``InverseGamma``, ``FisherSnedecor`` and
``VonMises``: densities, distribution functions, moments and entropies against SciPy and closed
forms on NumPy, Dask and array-api-strict; their gradients against central differences; draws'
moments with fixed seeds; the argument checks; and, where torch is installed, the same values
and gradients as ``torch.distributions``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from distribution_helpers import assert_lazy_on_dask, assert_same_draws
from distribution_helpers import f64 as _t
from distribution_helpers import host as _host
from scipy import integrate, special, stats

import polytensor as pt
from polytensor import distributions as D

RNG = np.random.default_rng(0)
A = RNG.uniform(0.5, 3.0, (4,))
B = RNG.uniform(0.5, 6.0, (4,))
POS = np.array([0.3, 1.0, 2.5, 0.1])
UNIT = np.array([0.1, 0.5, 0.9, 0.3])
ANGLE = np.array([0.3, -2.0, 3.5, 0.0])


def _kumaraswamy_entropy(a: float, b: float) -> float:
    def f(x: float) -> float:
        p = a * b * x ** (a - 1) * (1 - x**a) ** (b - 1)
        return -p * math.log(p) if p > 0 else 0.0

    return float(integrate.quad(f, 0, 1, limit=200)[0])


# name: (factory(module, p1, p2), values, {what: expected values as a function of (p1, p2, x)})
CASES: dict[str, tuple[Any, np.ndarray, dict[str, Any]]] = {
    "gamma": (
        lambda M, a, b: M.Gamma(a, b),
        POS,
        {"cdf": lambda a, b, x: stats.gamma(a, scale=1 / b).cdf(x)},
    ),
    "chi2": (
        lambda M, a, b: M.Chi2(a),
        POS,
        {
            "cdf": lambda a, b, x: stats.chi2(a).cdf(x),
            "log_prob": lambda a, b, x: stats.chi2(a).logpdf(x),
        },
    ),
    "kumaraswamy": (
        lambda M, a, b: M.Kumaraswamy(a, b),
        UNIT,
        {
            "log_prob": lambda a, b, x: np.log(a * b * x ** (a - 1) * (1 - x**a) ** (b - 1)),
            "cdf": lambda a, b, x: 1 - (1 - x**a) ** b,
            "mean": lambda a, b, x: b * special.beta(1 + 1 / a, b),
            "variance": lambda a, b, x: (
                b * special.beta(1 + 2 / a, b) - (b * special.beta(1 + 1 / a, b)) ** 2
            ),
            "entropy": lambda a, b, x: np.vectorize(_kumaraswamy_entropy)(a, b),
        },
    ),
    "inversegamma": (
        lambda M, a, b: M.InverseGamma(a, b),
        POS,
        {
            "log_prob": lambda a, b, x: stats.invgamma(a, scale=b).logpdf(x),
            "cdf": lambda a, b, x: stats.invgamma(a, scale=b).cdf(x),
            "entropy": lambda a, b, x: stats.invgamma(a, scale=b).entropy(),
            "mean": lambda a, b, x: np.where(a > 1, b / np.maximum(a - 1, 1e-9), np.inf),
            "mode": lambda a, b, x: b / (a + 1),
        },
    ),
    "fishersnedecor": (
        lambda M, a, b: M.FisherSnedecor(a, b),
        POS,
        {
            "log_prob": lambda a, b, x: stats.f(a, b).logpdf(x),
            "mean": lambda a, b, x: np.where(b > 2, stats.f(a, np.maximum(b, 2.1)).mean(), np.nan),
            "variance": lambda a, b, x: np.where(
                b > 4, stats.f(a, np.maximum(b, 4.1)).var(), np.nan
            ),
        },
    ),
    "vonmises": (
        lambda M, a, b: M.VonMises(a, b),
        ANGLE,
        {
            "log_prob": lambda a, b, x: stats.vonmises(b, loc=a).logpdf(x),
            "variance": lambda a, b, x: 1 - special.i1(b) / special.i0(b),
            "mean": lambda a, b, x: a,
        },
    ),
}


def _value_of(d: Any, what: str, x: np.ndarray) -> Any:
    if what in ("log_prob", "cdf"):
        return getattr(d, what)(_t(x))
    got = getattr(d, what)
    return got() if callable(got) else got


@pytest.mark.parametrize("name", list(CASES))
def test_values_match_scipy_and_closed_forms(backend: str, name: str) -> None:
    make, x, expected = CASES[name]
    d = make(D, _t(A), _t(B))
    assert d.batch_shape == (4,) and d.event_shape == ()
    for what, want in expected.items():
        got = _host(_value_of(d, what, x))
        np.testing.assert_allclose(got, want(A, B, x), rtol=1e-9, atol=1e-12, err_msg=what)


def test_inverse_gamma_and_fisher_snedecor_moments_follow_torch_conventions() -> None:
    c = _t([0.5, 1.0, 1.5, 2.0, 3.0])
    m = D.InverseGamma(c, 2.0)
    np.testing.assert_array_equal(_host(m.mean), [np.inf, np.inf, 4.0, 2.0, 1.0])
    np.testing.assert_array_equal(_host(m.variance), [np.inf] * 4 + [1.0])
    df = _t([1.0, 2.0, 3.0, 4.0, 6.0])
    f = D.FisherSnedecor(df, df)
    mean, var, mode = _host(f.mean), _host(f.variance), _host(f.mode)
    assert np.isnan(mean[:2]).all() and np.isnan(var[:4]).all() and np.isnan(mode[:2]).all()
    np.testing.assert_allclose(mean[2:], [3.0, 2.0, 1.5])
    np.testing.assert_allclose(var[4], 2 * 36 * 10 / (6 * 16 * 2))
    np.testing.assert_allclose(mode[2:], [1 / 3 * 3 / 5, 2 / 4 * 4 / 6, 4 / 6 * 6 / 8])
    k = D.Kumaraswamy(_t([2.0, 1.0, 3.0, 0.5, 1.0]), _t([3.0, 2.0, 1.0, 2.0, 1.0]))
    mode = _host(k.mode)
    np.testing.assert_allclose(mode[:3], [(1 / 5) ** 0.5, 0.0, 1.0])
    assert np.isnan(mode[3:]).all()


def test_vonmises_takes_angles_modulo_two_pi() -> None:
    m = D.VonMises(_t([0.5, -1.0]), _t([2.0, 0.3]))
    x = _t([1.0, 2.5])
    np.testing.assert_allclose(_host(m.log_prob(x + 2 * math.pi)), _host(m.log_prob(x)), rtol=1e-12)
    lp = _host(D.VonMises(_t(0.0), _t(800.0)).log_prob(_t(0.0)))  # (I0(800) overflows float64)
    np.testing.assert_allclose(lp, stats.vonmises(800.0).logpdf(0.0), rtol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_gradients_match_central_differences(name: str) -> None:
    make, x, expected = CASES[name]
    a, b = _t(A, True), _t(B, True)
    gradable = [w for w in expected if w != "cdf"] + (["entropy"] if name == "gamma" else [])
    for what in gradable:
        if not np.isfinite(_host(_value_of(make(D, a, b), what, x))).all():
            continue  # (InverseGamma's infinite and FisherSnedecor's NaN moments)

        def f(a: Any, b: Any, what: str = what) -> Any:
            return _value_of(make(D, a, b), what, x)

        assert pt.autograd.gradcheck(f, (a, b), atol=1e-7, rtol=1e-5), (name, what)


@pytest.mark.parametrize("name", ["gamma", "chi2", "kumaraswamy", "inversegamma"])
def test_cdf_is_differentiable_in_the_value_its_derivative_the_density(name: str) -> None:
    make, x, _ = CASES[name]
    d = make(D, _t(A), _t(B))
    v = _t(x, True)
    (g,) = pt.autograd.grad(d.cdf(v).sum(), [v])
    np.testing.assert_allclose(_host(g), np.exp(_host(d.log_prob(v))), rtol=1e-9)
    assert pt.autograd.gradcheck(lambda v: d.cdf(v), (v,), atol=1e-7, rtol=1e-5)


def test_gamma_cdf_is_differentiable_in_the_rate_not_the_concentration() -> None:
    rate = _t([2.0, 0.5], True)
    x = np.array([0.7, 3.0])
    (g,) = pt.autograd.grad(D.Gamma(_t([3.0, 0.5]), rate).cdf(_t(x)).sum(), [rate])
    want = stats.gamma([3.0, 0.5], scale=1 / np.array([2.0, 0.5])).pdf(x) * x / [2.0, 0.5]
    np.testing.assert_allclose(_host(g), want, rtol=1e-9)
    c = _t([3.0, 0.5], True)
    with pytest.raises(NotImplementedError, match="gammainc"):
        D.Gamma(c, 1.0).cdf(_t(x)).sum().backward()


N = 20_000


def _moments(s: np.ndarray, mean: Any, var: Any, tol: float = 0.06) -> None:
    mean, var = np.asarray(mean), np.asarray(var)
    np.testing.assert_array_less(np.abs(s.mean(0) - mean), 5 * np.sqrt(var / N) + 1e-12)
    np.testing.assert_allclose(s.var(0), var, rtol=tol)


def test_draws_have_the_moments_of_their_distributions() -> None:
    pt.manual_seed(5)
    a, b = _t([0.5, 2.0, 5.0]), _t([0.7, 3.0, 1.0])
    m = D.Kumaraswamy(a, b)
    s = _host(m.sample((N,)))
    assert s.shape == (N, 3) and ((s >= 0) & (s <= 1)).all()
    _moments(s, _host(m.mean), _host(m.variance))
    c, r = np.array([5.0, 9.0]), np.array([2.0, 0.5])
    s = _host(D.InverseGamma(_t(c), _t(r)).sample((N,)))
    _moments(s, stats.invgamma(c, scale=r).mean(), stats.invgamma(c, scale=r).var(), 0.15)
    d1, d2 = np.array([3.0, 10.0]), np.array([12.0, 20.0])
    s = _host(D.FisherSnedecor(_t(d1), _t(d2)).sample((N,)))
    assert (s > 0).all()
    _moments(s, stats.f(d1, d2).mean(), stats.f(d1, d2).var(), 0.15)


def test_vonmises_draws_have_its_circular_moments() -> None:
    pt.manual_seed(6)
    loc = np.array([0.5, 3.0, -2.0, 0.0, 1.0])
    kappa = np.array([1e-6, 0.5, 2.0, 10.0, 200.0])
    s = _host(D.VonMises(_t(loc), _t(kappa)).sample((N,)))
    assert s.shape == (N, 5) and ((s >= -math.pi) & (s < math.pi)).all()
    for n in (1, 2):  # E[cos(n (x - loc))] = I_n / I_0, E[sin(n (x - loc))] = 0
        c, sn = np.cos(n * (s - loc)).mean(0), np.sin(n * (s - loc)).mean(0)
        np.testing.assert_allclose(c, special.iv(n, kappa) / special.i0(kappa), atol=0.02)
        np.testing.assert_allclose(sn, 0.0, atol=0.02)
    x = _host(D.VonMises(_t(1.0), 4.0).sample((N,)))
    assert stats.kstest(x, stats.vonmises(4.0, loc=1.0).cdf).statistic < 0.015
    assert D.VonMises(pt.tensor([0.0]), 1.0).sample((2,)).dtype == pt.float32


SEEDED = {
    "kumaraswamy": lambda: D.Kumaraswamy(_t([0.4, 2.0]), 1.5),
    "inversegamma": lambda: D.InverseGamma(_t([0.4, 2.0]), 1.5),
    "fishersnedecor": lambda: D.FisherSnedecor(_t([0.4, 2.0]), 3.0),
    "vonmises": lambda: D.VonMises(_t([0.4, 2.0]), _t([0.5, 30.0])),
}


@pytest.mark.parametrize("name", list(SEEDED))
def test_a_seed_gives_the_same_draws_on_every_backend(name: str) -> None:
    assert_same_draws(SEEDED[name], 64, name)


def test_rsample_gradients() -> None:
    """Kumaraswamy's ``x = (1 - u^(1/b))^(1/a)``: ``dx/da = -x log(x) / a`` and ``dx/db =
    x^(1-a) u^(1/b) log(u) / (a b^2)``, with ``u = (1 - x^a)^b`` recovered from the draw;
    InverseGamma's ``x = rate / g``: ``dx/drate = x / rate``."""
    pt.manual_seed(0)
    a, b = _t([2.0, 0.7], True), _t([3.0, 1.5], True)
    m = D.Kumaraswamy(a, b)
    assert m.has_rsample
    x = m.rsample((5,))
    ga, gb = pt.autograd.grad(x.sum(), [a, b])
    xs, an, bn = _host(x), _host(a), _host(b)
    u = (1 - xs**an) ** bn
    np.testing.assert_allclose(_host(ga), (-xs * np.log(xs) / an).sum(0), rtol=1e-8)
    want_b = xs ** (1 - an) * u ** (1 / bn) * np.log(u) / (an * bn**2)
    np.testing.assert_allclose(_host(gb), want_b.sum(0), rtol=1e-7)
    rate = _t([2.0, 0.5], True)
    m = D.InverseGamma(_t([3.0, 0.5]), rate)
    x = m.rsample((4,))
    x.sum().backward()
    np.testing.assert_allclose(_host(rate.grad), (_host(x) / _host(rate)).sum(0), rtol=1e-12)


def test_rsample_refuses_gamma_concentrations_that_require_grad() -> None:
    c = _t([2.0, 3.0], True)
    for d in (D.InverseGamma(c, 1.0), D.FisherSnedecor(c, 2.0), D.FisherSnedecor(2.0, c)):
        assert not d.has_rsample
        with pytest.raises(NotImplementedError, match="not differentiable"):
            d.rsample()
        assert not d.sample((2,)).requires_grad
    assert not D.VonMises(0.0, c).has_rsample
    with pytest.raises(NotImplementedError, match="rsample"):
        D.VonMises(0.0, c).rsample()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: D.Kumaraswamy(0.0, 1.0), "concentration1"),
        (lambda: D.Kumaraswamy(1.0, _t([1.0, -1.0])), "concentration0"),
        (lambda: D.InverseGamma(-1.0, 1.0), "concentration"),
        (lambda: D.InverseGamma(1.0, 0.0), "rate"),
        (lambda: D.FisherSnedecor(0.0, 1.0), "df1"),
        (lambda: D.FisherSnedecor(1.0, -2.0), "df2"),
        (lambda: D.VonMises(float("nan"), 1.0), "loc"),
        (lambda: D.VonMises(0.0, 0.0), "concentration"),
        (lambda: D.Gamma(1.0, 1.0).cdf(pt.tensor(-1.0)), "non-negative"),
        (lambda: D.Chi2(1.0).cdf(pt.tensor(-1.0)), "non-negative"),
        (lambda: D.Kumaraswamy(1.0, 1.0).log_prob(pt.tensor(1.5)), "value"),
        (lambda: D.InverseGamma(1.0, 1.0).log_prob(pt.tensor(-1.0)), "value"),
        (lambda: D.FisherSnedecor(1.0, 1.0).log_prob(pt.tensor(0.0)), "value"),
        (lambda: D.VonMises(0.0, 1.0).log_prob(pt.tensor(float("nan"))), "value"),
    ],
)
def test_invalid_arguments_raise_value_error(make: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        make()


def test_checks_can_be_turned_off_and_shapes_broadcast() -> None:
    assert float(D.FisherSnedecor(-1.0, 1.0, validate_args=False).df1) == -1.0
    assert float(D.VonMises(0.0, -1.0, validate_args=False).concentration) == -1.0
    m = D.Kumaraswamy(pt.ones((2, 1)), pt.ones(3))
    assert m.batch_shape == (2, 3) and tuple(m.sample((4,)).shape) == (4, 2, 3)
    assert tuple(m.log_prob(pt.tensor(0.5)).shape) == (2, 3)
    e = D.InverseGamma(pt.ones(3), 2.0).expand((2, 3))
    assert e.batch_shape == (2, 3) and tuple(e.rsample().shape) == (2, 3)
    v = D.VonMises(pt.zeros(3), 1.0).expand((2, 3))
    assert tuple(v.sample().shape) == (2, 3) and tuple(v.variance.shape) == (2, 3)
    assert tuple(D.FisherSnedecor(pt.ones(3), 4.0).expand((5, 3)).sample().shape) == (5, 3)


def test_repr_names_the_parameters() -> None:
    assert repr(D.Kumaraswamy(pt.tensor(1.0), 2.0)).startswith("Kumaraswamy(concentration1: ")
    assert ", concentration0: " in repr(D.Kumaraswamy(pt.tensor(1.0), 2.0))
    assert repr(D.InverseGamma(1.0, 2.0)).startswith("InverseGamma(concentration: ")
    assert repr(D.FisherSnedecor(1.0, 2.0)).startswith("FisherSnedecor(df1: ")
    assert repr(D.VonMises(1.0, 2.0)).startswith("VonMises(loc: ")
    for name in ("Kumaraswamy", "InverseGamma", "FisherSnedecor", "VonMises"):
        assert name in D.__all__ and getattr(pt.distributions, name) is getattr(D, name)


def test_kl_divergence_of_inverse_gammas_is_that_of_their_gammas() -> None:
    p, q = D.InverseGamma(_t(A), _t(B)), D.InverseGamma(_t(B), _t(A))
    got = _host(D.kl_divergence(p, q))
    want = _host(D.kl_divergence(D.Gamma(_t(A), _t(B)), D.Gamma(_t(B), _t(A))))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # numerically: E_p[log p - log q]
    p0, q0 = stats.invgamma(A[0], scale=B[0]), stats.invgamma(B[0], scale=A[0])
    want0 = integrate.quad(lambda x: p0.pdf(x) * (p0.logpdf(x) - q0.logpdf(x)), 0, np.inf)[0]
    np.testing.assert_allclose(got[0], want0, rtol=1e-6)


@pytest.mark.parametrize("name", list(SEEDED))
def test_dask_stays_lazy_without_checks(name: str, dask_computes: Any) -> None:
    assert_lazy_on_dask(SEEDED[name], name, dask_computes)


# -- against torch.distributions -------------------------------------------------------------


def _torch() -> Any:
    return pytest.importorskip("torch")


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_match_torch(name: str) -> None:
    torch = _torch()
    make, x, _ = CASES[name]
    ps = [_t(A, True), _t(B, True)]
    ts = [torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)]
    dp, dt_ = make(D, *ps), make(torch.distributions, *ts)
    assert dp.batch_shape == tuple(dt_.batch_shape) and dp.event_shape == tuple(dt_.event_shape)
    # torch's VonMises takes log I0 from a polynomial of relative error about 1e-7
    rtol, atol = (1e-6, 1e-6) if name == "vonmises" else (1e-10, 1e-12)
    for what in ("log_prob", "cdf", "mean", "variance", "entropy", "mode"):
        try:
            if what in ("log_prob", "cdf"):
                want = getattr(dt_, what)(torch.tensor(x))
            else:
                want = getattr(dt_, what)
                want = want() if callable(want) else want
        except NotImplementedError:
            continue
        if name == "kumaraswamy" and what == "mode":
            continue  # (torch's is NaN for every concentration0 > 1; see Kumaraswamy.mode)
        got = _value_of(dp, what, x)
        np.testing.assert_allclose(
            _host(got), want.detach().numpy(), rtol=rtol, atol=atol, err_msg=f"{name} {what}"
        )
        if not want.requires_grad or (name == "vonmises" and what != "log_prob"):
            continue
        which = [0, 1]
        if what == "cdf" and name in ("gamma", "chi2", "inversegamma"):
            # (neither cdf is differentiable in the concentration; polytensor's engine runs
            # the rule of every input that requires grad, asked for or not: detach it)
            if name == "chi2":
                continue
            which = [1]
            got = make(D, ps[0].detach(), ps[1]).cdf(_t(x))
            want = make(torch.distributions, ts[0].detach(), ts[1]).cdf(torch.tensor(x))
        # (the gradients where the value is finite: elsewhere torch's is NaN or 0, ours 0)
        finite = np.isfinite(want.detach().numpy())
        r = np.random.default_rng(3).standard_normal(tuple(want.shape))
        out_t = torch.where(torch.tensor(finite), want, 0.0) * torch.tensor(r)
        out_p = pt.where(pt.tensor(finite), got, 0.0) * _t(r)
        gt = torch.autograd.grad(
            out_t.sum(), [ts[i] for i in which], retain_graph=True, allow_unused=True
        )
        gp = pt.autograd.grad(
            out_p.sum(), [ps[i] for i in which], retain_graph=True, allow_unused=True
        )
        for i, g1, g2 in zip(which, gp, gt, strict=True):
            want_g = np.zeros(4) if g2 is None else g2.numpy()
            got_g = np.zeros(4) if g1 is None else _host(g1)
            np.testing.assert_allclose(
                got_g[finite], want_g[finite], rtol=1e-8, atol=atol, err_msg=f"{name} {what} {i}"
            )
            assert (got_g[~finite] == 0).all(), (name, what, i)


def test_kumaraswamy_rsample_matches_torch_for_the_same_uniforms() -> None:
    torch = _torch()
    pt.manual_seed(1)
    a, b = _t([2.0, 0.7, 4.0], True), _t([3.0, 1.5, 0.6], True)
    x = D.Kumaraswamy(a, b).rsample((6,))
    r = np.random.default_rng(2).standard_normal((6, 3))
    (x * _t(r)).sum().backward()
    u = (1 - _host(x) ** _host(a)) ** _host(b)
    at, bt = torch.tensor(_host(a), requires_grad=True), torch.tensor(_host(b), requires_grad=True)
    xt = torch.tensor(u)
    for t in torch.distributions.Kumaraswamy(at, bt).transforms:
        xt = t(xt)
    (xt * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(_host(x), xt.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(_host(a.grad), at.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(_host(b.grad), bt.grad.numpy(), rtol=1e-8)


def test_edge_moments_and_kl_match_torch() -> None:
    torch = _torch()
    TD = torch.distributions
    c = np.array([0.5, 1.0, 1.5, 2.0, 3.0])
    for attr in ("mean", "variance"):
        got = _host(getattr(D.InverseGamma(_t(c), 2.0), attr))
        want = getattr(TD.InverseGamma(torch.tensor(c), 2.0), attr).numpy()
        np.testing.assert_array_equal(got, want)
    df = np.array([1.0, 2.0, 3.0, 4.0, 6.0])
    for attr in ("mean", "variance", "mode"):
        got = _host(getattr(D.FisherSnedecor(_t(df), _t(df[::-1].copy())), attr))
        want = getattr(TD.FisherSnedecor(torch.tensor(df), torch.tensor(df[::-1].copy())), attr)
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-12)
    got = D.kl_divergence(D.InverseGamma(_t(A), _t(B)), D.InverseGamma(_t(B), _t(A)))
    want = TD.kl_divergence(
        TD.InverseGamma(torch.tensor(A), torch.tensor(B)),
        TD.InverseGamma(torch.tensor(B), torch.tensor(A)),
    )
    np.testing.assert_allclose(_host(got), want.numpy(), rtol=1e-12)
    for M in (D, TD):
        with pytest.raises(NotImplementedError):
            M.kl_divergence(M.VonMises(0.0, 1.0), M.VonMises(1.0, 1.0))
