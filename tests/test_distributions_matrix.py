"""``LogisticNormal``, ``GeneralizedPareto``, ``LKJCholesky``, ``Wishart`` and the transforms
``CatTransform``, ``StackTransform``, ``CorrCholeskyTransform``, ``PositiveDefiniteTransform``
(with the constraints ``corr_cholesky``, ``positive_definite``, ``cat``, ``stack`` and their
``biject_to``/``transform_to``): values against SciPy, closed forms and central differences on
NumPy, Dask and array-api-strict; draws' moments with fixed seeds; the argument checks; and,
where torch is installed, the same values and gradients as ``torch.distributions``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from distribution_helpers import assert_lazy_on_dask, assert_same_draws
from distribution_helpers import f64 as _t
from distribution_helpers import host as _host
from scipy import special, stats

import polytensor as pt
from polytensor import distributions as D
from polytensor.distributions import constraints as C
from polytensor.distributions import transforms as T

RNG = np.random.default_rng(0)


# -- transforms -------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3, 6])
def test_corr_cholesky_transform_maps_onto_correlation_factors_and_back(
    backend: str, n: int
) -> None:
    x = RNG.standard_normal((4, n))
    t = T.CorrCholeskyTransform()
    y = t(_t(x))
    d = round((0.25 + 2 * n) ** 0.5 + 0.5)
    assert tuple(y.shape) == (4, d, d) == t.forward_shape((4, n))
    assert t.inverse_shape((4, d, d)) == (4, n)
    yh = _host(y)
    np.testing.assert_allclose((yh**2).sum(-1), 1.0, rtol=1e-12)
    assert (np.triu(yh, 1) == 0).all() and (np.diagonal(yh, axis1=-2, axis2=-1) > 0).all()
    assert _host(C.corr_cholesky.check(y)).all()
    np.testing.assert_allclose(_host(t.inv(y)), x, rtol=1e-9, atol=1e-12)
    # the first column below the diagonal is tanh(x) of the first of each row
    np.testing.assert_allclose(yh[:, 1, 0], np.tanh(x[:, 0]), rtol=1e-12)


def test_corr_cholesky_log_abs_det_jacobian_is_that_of_the_strict_lower_triangle() -> None:
    x = RNG.standard_normal(6)
    t = T.CorrCholeskyTransform()
    rows, cols = np.tril_indices(4, -1)

    def f(v: np.ndarray) -> np.ndarray:
        return _host(t(_t(v)))[rows, cols]

    h = 1e-6
    jac = np.stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(6)], axis=1)
    want = np.log(abs(np.linalg.det(jac)))
    got = float(t.log_abs_det_jacobian(_t(x), t(_t(x))))
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_positive_definite_transform(backend: str) -> None:
    x = RNG.standard_normal((2, 3, 3))
    t = T.PositiveDefiniteTransform()
    y = t(_t(x))
    lower = np.tril(x, -1) + np.exp(np.diagonal(x, axis1=-2, axis2=-1))[..., None] * np.eye(3)
    np.testing.assert_allclose(_host(y), lower @ lower.transpose(0, 2, 1), rtol=1e-12)
    np.testing.assert_allclose(_host(t.inv(y)), np.tril(x), rtol=1e-9, atol=1e-12)
    assert _host(C.positive_definite.check(y)).all()
    assert t.domain.event_dim == 2 and t.codomain is C.positive_definite


def test_cat_and_stack_transforms_apply_each_transform_to_its_slice(backend: str) -> None:
    x = np.linspace(-1.0, 1.0, 15).reshape(3, 5)
    cat = T.CatTransform(
        [T.ExpTransform(), T.identity_transform, T.SigmoidTransform()], dim=-1, lengths=[2, 1, 2]
    )
    y = cat(_t(x))
    want = np.concatenate([np.exp(x[:, :2]), x[:, 2:3], special.expit(x[:, 3:])], axis=-1)
    np.testing.assert_allclose(_host(y), want, rtol=1e-12)
    np.testing.assert_allclose(_host(cat.inv(y)), x, rtol=1e-9, atol=1e-12)
    lad = np.concatenate(
        [x[:, :2], np.zeros((3, 1)), np.log(special.expit(x[:, 3:]) * special.expit(-x[:, 3:]))],
        axis=-1,
    )
    np.testing.assert_allclose(_host(cat.log_abs_det_jacobian(_t(x), y)), lad, rtol=1e-9)
    assert cat.bijective and cat.event_dim == 0 and cat.length == 5
    assert _host(cat.codomain.check(y)).all()
    stack = T.StackTransform([T.ExpTransform(), T.AffineTransform(1.0, 3.0)], dim=1)
    x2 = x[:, :2]
    y2 = stack(_t(x2))
    np.testing.assert_allclose(_host(y2), np.stack([np.exp(x2[:, 0]), 1 + 3 * x2[:, 1]], 1))
    np.testing.assert_allclose(_host(stack.inv(y2)), x2, rtol=1e-12, atol=1e-15)
    lad2 = np.stack([x2[:, 0], np.full(3, math.log(3.0))], 1)
    np.testing.assert_allclose(_host(stack.log_abs_det_jacobian(_t(x2), y2)), lad2, rtol=1e-12)


def test_cat_transform_sums_log_jacobians_inside_the_event() -> None:
    vec = T.IndependentTransform(T.ExpTransform(), 1)
    cat = T.CatTransform([vec, vec], dim=-1, lengths=[2, 3])
    x = RNG.standard_normal((4, 5))
    assert cat.event_dim == 1
    got = _host(cat.log_abs_det_jacobian(_t(x), cat(_t(x))))
    np.testing.assert_allclose(got, x.sum(-1), rtol=1e-12)


def test_biject_to_and_transform_to_the_new_constraints() -> None:
    assert isinstance(D.biject_to(C.corr_cholesky), T.CorrCholeskyTransform)
    assert isinstance(D.transform_to(C.corr_cholesky), T.CorrCholeskyTransform)
    assert isinstance(D.transform_to(C.positive_definite), T.PositiveDefiniteTransform)
    assert isinstance(D.transform_to(C.positive_semidefinite), T.PositiveDefiniteTransform)
    with pytest.raises(NotImplementedError, match="register"):
        D.biject_to(C.positive_definite)
    c = C.cat([C.positive, C.interval(0.0, 1.0)], 0, [2, 1])
    t = D.biject_to(c)
    assert isinstance(t, T.CatTransform) and t.lengths == [2, 1]
    y = t(_t([-1.0, 2.0, 0.3]))
    assert _host(c.check(y)).all()
    s = C.stack([C.positive, C.real], dim=-1)
    ts = D.transform_to(s)
    assert isinstance(ts, T.StackTransform)
    assert _host(s.check(ts(_t([[-3.0, -3.0]])))).all()


def test_new_constraints_check_values() -> None:
    sym = _t([[[1.0, 2.0], [2.0, 1.0]], [[1.0, 2.0], [0.0, 1.0]]])
    assert _host(C.symmetric.check(sym)).tolist() == [True, False]
    assert _host(C.positive_semidefinite.check(_t([[1.0, 1.0], [1.0, 1.0]]))).item()
    assert not _host(C.positive_definite.check(_t([[1.0, 1.0], [1.0, 1.0]]))).item()
    assert _host(C.square.check(_t(np.zeros((3, 2, 2))))).tolist() == [True] * 3
    assert not _host(C.square.check(_t(np.zeros((2, 3))))).item()
    assert not _host(C.corr_cholesky.check(_t([[1.0, 0.0], [0.5, 0.5]]))).item()
    assert _host(C.corr_cholesky.check(_t([[1.0, 0.0], [0.6, 0.8]]))).item()
    assert C.stack([C.real, C.simplex], dim=-2).event_dim == 2  # (stacked inside the event)
    assert C.stack([C.real, C.simplex], dim=0).event_dim == 1
    assert C.cat([C.real, C.simplex]).event_dim == 1


def test_transforms_reject_bad_arguments() -> None:
    with pytest.raises(TypeError, match="transforms"):
        T.CatTransform([T.ExpTransform(), "exp"])
    with pytest.raises(ValueError, match="lengths"):
        T.CatTransform([T.ExpTransform()], lengths=[1, 2])
    with pytest.raises(ValueError, match="size 3"):
        T.CatTransform([T.ExpTransform()] * 3)(_t([1.0, 2.0]))
    with pytest.raises(ValueError, match="one per transform"):
        T.StackTransform([T.ExpTransform()] * 2)(_t([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="D \\(D - 1\\) / 2"):
        T.CorrCholeskyTransform().forward_shape((4,))
    with pytest.raises(ValueError, match="square"):
        T.CorrCholeskyTransform().inverse_shape((3, 4))
    with pytest.raises(TypeError, match="constraints"):
        C.cat([C.real, 1.0])


# -- distributions ----------------------------------------------------------------------------

GP_LOC = np.array([0.1, -1.0, 2.0, 0.0])
GP_SCALE = np.array([2.0, 0.5, 1.0, 3.0])
GP_CONC = np.array([0.4, -0.3, 0.0, 0.2])
GP_X = np.array([1.5, 0.2, 3.0, 0.5])


def test_generalized_pareto_matches_scipy(backend: str) -> None:
    m = D.GeneralizedPareto(_t(GP_LOC), _t(GP_SCALE), _t(GP_CONC))
    ref = stats.genpareto(GP_CONC, loc=GP_LOC, scale=GP_SCALE)
    x = _t(GP_X)
    np.testing.assert_allclose(_host(m.log_prob(x)), ref.logpdf(GP_X), rtol=1e-12)
    np.testing.assert_allclose(_host(m.cdf(x)), ref.cdf(GP_X), rtol=1e-12)
    np.testing.assert_allclose(_host(m.log_survival_function(x)), ref.logsf(GP_X), rtol=1e-12)
    u = np.array([0.1, 0.5, 0.9, 0.3])
    np.testing.assert_allclose(_host(m.icdf(_t(u))), ref.ppf(u), rtol=1e-12)
    np.testing.assert_allclose(_host(m.mean), ref.mean(), rtol=1e-12)
    np.testing.assert_allclose(_host(m.variance), ref.var(), rtol=1e-12)
    np.testing.assert_allclose(_host(m.entropy()), ref.entropy(), rtol=1e-12)
    np.testing.assert_allclose(_host(m.mode), GP_LOC)
    upper = _host(m.support.upper_bound)
    assert upper[1] == pytest.approx(-1.0 + 0.5 / 0.3) and np.isinf(upper[[0, 2, 3]]).all()


def test_generalized_pareto_moments_are_nan_where_they_do_not_exist() -> None:
    m = D.GeneralizedPareto(0.0, 1.0, _t([0.3, 0.5, 1.0, 2.0]))
    mean, var = _host(m.mean), _host(m.variance)
    np.testing.assert_allclose(mean[:2], [1 / 0.7, 2.0])
    assert np.isnan(mean[2:]).all() and np.isnan(var[1:]).all()


def test_logistic_normal_of_two_categories_is_a_logit_normal() -> None:
    loc, scale = np.array([[0.3], [-1.0]]), np.array([[1.5], [0.5]])
    m = D.LogisticNormal(_t(loc), _t(scale))
    assert m.batch_shape == (2,) and m.event_shape == (2,) and m.support is C.simplex
    p = np.array([0.2, 0.7])
    x = np.stack([p, 1 - p], -1)
    want = stats.norm(loc[:, 0], scale[:, 0]).logpdf(special.logit(p)) - np.log(p * (1 - p))
    np.testing.assert_allclose(_host(m.log_prob(_t(x))), want, rtol=1e-12)
    m0 = D.LogisticNormal(0.0, 1.0)
    assert m0.batch_shape == () and m0.event_shape == (2,)
    assert D.LogisticNormal(_t(np.zeros(3)), 1.0).expand((4,)).batch_shape == (4,)


def test_logistic_normal_draws_and_gradients(backend: str) -> None:
    pt.manual_seed(3)
    loc = _t([0.5, -0.5, 1.0], True)
    m = D.LogisticNormal(loc, _t([1.0, 0.3, 2.0]))
    x = m.rsample((1000,))
    assert tuple(x.shape) == (1000, 4) and m.has_rsample
    xs = _host(x)
    assert (xs > 0).all() and np.allclose(xs.sum(-1), 1.0)
    (g,) = pt.autograd.grad(x[..., 0].sum(), [loc])
    assert _host(g)[0] > 0 and (_host(g)[1:] == 0).all()  # (x_0 = sigmoid(y_0 - log 3))


def test_lkj_cholesky_of_dimension_two_is_a_beta_correlation(backend: str) -> None:
    eta = np.array([0.5, 1.0, 3.0])
    r = np.array([0.3, -0.8, 0.1])
    value = np.zeros((3, 2, 2))
    value[:, 0, 0], value[:, 1, 0], value[:, 1, 1] = 1.0, r, np.sqrt(1 - r**2)
    m = D.LKJCholesky(2, _t(eta))
    want = stats.beta(eta, eta).logpdf((r + 1) / 2) - math.log(2)
    np.testing.assert_allclose(_host(m.log_prob(_t(value))), want, rtol=1e-12)
    assert m.event_shape == (2, 2) and m.batch_shape == (3,) and not m.has_rsample


def test_lkj_cholesky_draws_have_its_moments() -> None:
    pt.manual_seed(4)
    n = 20_000
    s = _host(D.LKJCholesky(4, _t([0.7, 2.0])).sample((n,)))
    assert s.shape == (n, 2, 4, 4)
    np.testing.assert_allclose((s**2).sum(-1), 1.0, rtol=1e-12)
    corr = s @ s.transpose(0, 1, 3, 2)
    # the correlations of LKJ(eta) in d dimensions have mean 0 and variance 1 / (2 eta + d - 1);
    # Note: only the first one's draws have it, as PyTorch's (the onion method as PyTorch
    # vectorises it gives the others a larger variance)
    for i, eta in enumerate((0.7, 2.0)):
        off = corr[:, i][:, np.tril_indices(4, -1)[0], np.tril_indices(4, -1)[1]]
        np.testing.assert_allclose(off.mean(0), 0.0, atol=0.03)
        np.testing.assert_allclose(off[:, 0].var(), 1 / (2 * eta + 3), rtol=0.06)


def _cov(p: int, batch: int = 2) -> np.ndarray:
    a = RNG.standard_normal((batch, p, p))
    return a @ a.transpose(0, 2, 1) + p * np.eye(p)


def test_wishart_matches_scipy(backend: str) -> None:
    cov, df = _cov(3), np.array([3.5, 6.0])
    x = np.stack([stats.wishart(df[i], cov[i]).rvs(random_state=i) for i in range(2)])
    for kw, mat in (
        ("covariance_matrix", cov),
        ("precision_matrix", np.linalg.inv(cov)),
        ("scale_tril", np.linalg.cholesky(cov)),
    ):
        m = D.Wishart(_t(df), **{kw: _t(mat)})
        want = [stats.wishart(df[i], cov[i]).logpdf(x[i]) for i in range(2)]
        np.testing.assert_allclose(_host(m.log_prob(_t(x))), want, rtol=1e-9, err_msg=kw)
        want_h = [stats.wishart(df[i], cov[i]).entropy() for i in range(2)]
        np.testing.assert_allclose(_host(m.entropy()), want_h, rtol=1e-9, err_msg=kw)
        np.testing.assert_allclose(_host(m.mean), df[:, None, None] * cov, rtol=1e-9)
        np.testing.assert_allclose(_host(m.covariance_matrix), cov, rtol=1e-9)
        np.testing.assert_allclose(_host(m.precision_matrix), np.linalg.inv(cov), rtol=1e-9)
    mode = _host(D.Wishart(_t([3.5, 6.0]), covariance_matrix=_t(cov)).mode)
    assert np.isnan(mode[0]).all()
    np.testing.assert_allclose(mode[1], 2.0 * cov[1], rtol=1e-12)


def test_wishart_draws_have_its_mean_and_variance() -> None:
    pt.manual_seed(7)
    n = 20_000
    cov = _cov(3, 1)[0]
    m = D.Wishart(_t(5.0), covariance_matrix=_t(cov))
    s = _host(m.sample((n,)))
    assert s.shape == (n, 3, 3)
    assert (np.linalg.eigvalsh(s) > 0).all()
    var = _host(m.variance)
    np.testing.assert_array_less(np.abs(s.mean(0) - _host(m.mean)), 5 * np.sqrt(var / n))
    np.testing.assert_allclose(s.var(0), var, rtol=0.08)


def test_wishart_rsample_is_differentiable_in_the_matrix_not_df() -> None:
    pt.manual_seed(1)
    lower = _t(np.linalg.cholesky(_cov(2, 1)[0]), True)
    m = D.Wishart(4.0, scale_tril=lower)
    assert not m.has_rsample
    x = m.rsample((3,))
    (g,) = pt.autograd.grad(x.sum(), [lower])
    # x = (L A)(L A)^T is quadratic in L: d sum(x) / dL = 2 (1 1^T) L A A^T, summed
    a = np.linalg.solve(_host(lower), _host(x) @ np.linalg.inv(_host(lower)).T)  # A A^T
    want = (2 * np.ones((2, 2)) @ _host(lower) @ a).sum(0)
    np.testing.assert_allclose(_host(g), want, rtol=1e-8)
    df = _t(4.0, True)
    with pytest.raises(NotImplementedError, match="not differentiable"):
        D.Wishart(df, covariance_matrix=pt.eye(2, dtype=pt.float64)).rsample()


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: D.GeneralizedPareto(0.0, -1.0, 0.0), ValueError, "scale"),
        (lambda: D.GeneralizedPareto(0.0, 1.0, -0.5).log_prob(_t(3.0)), ValueError, "value"),
        (lambda: D.LogisticNormal(0.0, 0.0), ValueError, "scale"),
        (lambda: D.LKJCholesky(1, 1.0), ValueError, "dim"),
        (lambda: D.LKJCholesky(2, -1.0), ValueError, "concentration"),
        (lambda: D.LKJCholesky(2).log_prob(_t([[1.0, 0.0], [0.5, 0.5]])), ValueError, "value"),
        (lambda: D.Wishart(1.0, covariance_matrix=pt.eye(3)), ValueError, "df"),
        (lambda: D.Wishart(3.0), ValueError, "exactly one"),
        (lambda: D.Wishart(3.0, covariance_matrix=pt.ones(3)), ValueError, "square"),
        (lambda: D.Wishart(3.0, covariance_matrix=-pt.eye(2)), ValueError, "covariance"),
        (lambda: D.Wishart(3.0, scale_tril=pt.ones((2, 2))), ValueError, "scale_tril"),
        (lambda: D.Wishart("3", scale_tril=pt.eye(2)), TypeError, "df"),
    ],
)
def test_invalid_arguments_raise(make: Any, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        make()


def test_wishart_warns_of_low_df_and_checks_can_be_turned_off() -> None:
    with pytest.warns(UserWarning, match="singular"):
        D.Wishart(2.5, covariance_matrix=pt.eye(3))
    m = D.Wishart(1.0, covariance_matrix=pt.eye(3), validate_args=False)
    assert float(m.df) == 1.0
    assert float(D.GeneralizedPareto(0.0, -1.0, 0.0, validate_args=False).scale) == -1.0


def test_shapes_expand_and_repr() -> None:
    w = D.Wishart(_t([3.0, 4.0]), covariance_matrix=pt.eye(2, dtype=pt.float64))
    assert w.batch_shape == (2,) and w.event_shape == (2, 2)
    e = w.expand((3, 2))
    assert e.batch_shape == (3, 2) and tuple(e.rsample((4,)).shape) == (4, 3, 2, 2, 2)
    assert tuple(e.log_prob(pt.eye(2, dtype=pt.float64)).shape) == (3, 2)
    lkj = D.LKJCholesky(3, _t([1.0, 2.0])).expand((4, 2))
    assert tuple(lkj.sample((5,)).shape) == (5, 4, 2, 3, 3)
    gp = D.GeneralizedPareto(pt.zeros(3), 1.0, 0.1).expand((2, 3))
    assert tuple(gp.rsample().shape) == (2, 3) and tuple(gp.entropy().shape) == (2, 3)
    assert repr(w).startswith("Wishart(covariance_matrix: ")
    assert repr(D.LKJCholesky(2, 1.0)).startswith("LKJCholesky(concentration: ")
    assert repr(gp).startswith("GeneralizedPareto(loc: ")
    assert repr(D.LogisticNormal(0.0, 1.0)).startswith("LogisticNormal(loc: ")
    for name in ("LogisticNormal", "GeneralizedPareto", "LKJCholesky", "Wishart"):
        assert name in D.__all__
    for name in ("CatTransform", "StackTransform", "CorrCholeskyTransform"):
        assert name in D.__all__ and name in T.__all__
    assert "PositiveDefiniteTransform" in T.__all__
    assert {"corr_cholesky", "cat", "stack", "square", "symmetric"} <= set(C.__all__)


SEEDED = {
    "generalizedpareto": lambda: D.GeneralizedPareto(_t([0.0, 1.0]), 2.0, _t([0.3, -0.2])),
    "logisticnormal": lambda: D.LogisticNormal(_t([0.0, 1.0]), 2.0),
    "lkjcholesky": lambda: D.LKJCholesky(3, _t([0.5, 2.0])),
    "wishart": lambda: D.Wishart(_t([3.0, 5.0]), scale_tril=pt.eye(3, dtype=pt.float64)),
}


@pytest.mark.parametrize("name", list(SEEDED))
def test_a_seed_gives_the_same_draws_on_every_backend(name: str) -> None:
    assert_same_draws(SEEDED[name], 8, name, atol=1e-15)


@pytest.mark.parametrize("name", list(SEEDED))
def test_dask_stays_lazy_without_checks(name: str, dask_computes: Any) -> None:
    assert_lazy_on_dask(SEEDED[name], name, dask_computes)


# -- against torch.distributions -------------------------------------------------------------


def _torch() -> Any:
    return pytest.importorskip("torch")


@pytest.mark.parametrize("n", [1, 3, 6, 10])
def test_corr_cholesky_transform_matches_torch(n: int) -> None:
    torch = _torch()
    x = RNG.standard_normal((3, n))
    xp, xt = _t(x, True), torch.tensor(x, requires_grad=True)
    tp, tt = T.CorrCholeskyTransform(), torch.distributions.CorrCholeskyTransform()
    yp, yt = tp(xp), tt(xt)
    np.testing.assert_allclose(_host(yp), yt.detach().numpy(), rtol=1e-12, atol=1e-15)
    lp, lt = tp.log_abs_det_jacobian(xp, yp), tt.log_abs_det_jacobian(xt, yt)
    np.testing.assert_allclose(_host(lp), lt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(_host(tp.inv(yp)), tt.inv(yt).detach().numpy(), rtol=1e-9)
    r = RNG.standard_normal(tuple(yt.shape))
    ((yp * _t(r)).sum() + lp.sum()).backward()
    ((yt * torch.tensor(r)).sum() + lt.sum()).backward()
    np.testing.assert_allclose(_host(xp.grad), xt.grad.numpy(), rtol=1e-10, atol=1e-13)


def test_matrix_and_joining_transforms_match_torch() -> None:
    torch = _torch()
    TT = torch.distributions.transforms
    # (a generator of its own: the module's depends on which tests a worker ran before)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 3))
    y = torch.distributions.PositiveDefiniteTransform()(torch.tensor(x))
    np.testing.assert_allclose(_host(T.PositiveDefiniteTransform()(_t(x))), y.numpy(), rtol=1e-12)
    x = rng.standard_normal((3, 5))
    pairs = [
        (
            T.CatTransform([T.ExpTransform(), T.TanhTransform()], dim=1, lengths=[3, 2]),
            TT.CatTransform([TT.ExpTransform(), TT.TanhTransform()], dim=1, lengths=[3, 2]),
            x,
        ),
        (
            T.StackTransform([T.ExpTransform(), T.SoftplusTransform()], dim=0),
            TT.StackTransform([TT.ExpTransform(), TT.SoftplusTransform()], dim=0),
            x[:2],
        ),
    ]
    for tp, tt, v in pairs:
        yp, yt = tp(_t(v)), tt(torch.tensor(v))
        np.testing.assert_allclose(_host(yp), yt.numpy(), rtol=1e-12)
        np.testing.assert_allclose(_host(tp.inv(yp)), tt.inv(yt).numpy(), rtol=1e-10)
        got = tp.log_abs_det_jacobian(_t(v), yp)
        want = tt.log_abs_det_jacobian(torch.tensor(v), yt)
        np.testing.assert_allclose(_host(got), want.numpy(), rtol=1e-12)
        assert tp.domain.event_dim == tt.domain.event_dim and tp.bijective == tt.bijective


def test_distributions_match_torch() -> None:
    torch = _torch()
    TD = torch.distributions
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # (torch's GeneralizedPareto compares with 0.0)
    try:
        ps = [_t(GP_LOC, True), _t(GP_SCALE, True), _t(GP_CONC, True)]
        ts = [torch.tensor(v, requires_grad=True) for v in (GP_LOC, GP_SCALE, GP_CONC)]
        dp, dt_ = D.GeneralizedPareto(*ps), TD.GeneralizedPareto(*ts)
        for what in ("log_prob", "cdf", "log_cdf", "mean", "variance", "entropy"):
            got = getattr(dp, what)
            want = getattr(dt_, what)
            if what in ("log_prob", "cdf", "log_cdf"):
                got, want = got(_t(GP_X)), want(torch.tensor(GP_X))
            elif what == "entropy":
                got, want = got(), want()
            np.testing.assert_allclose(_host(got), want.detach().numpy(), rtol=1e-12)
            gp = pt.autograd.grad(got.sum(), ps, allow_unused=True)
            gt = torch.autograd.grad(want.sum(), ts, allow_unused=True)
            for a, b in zip(gp, gt, strict=True):
                want_g = np.zeros(4) if b is None else b.numpy()
                got_g = np.zeros(4) if a is None else _host(a)
                np.testing.assert_allclose(got_g, want_g, rtol=1e-10, atol=1e-14, err_msg=what)
        # rsample through the same uniforms: torch's is its icdf
        pt.manual_seed(2)
        xp = dp.rsample((5,))
        u = _host(dp.cdf(xp))
        xt = dt_.icdf(torch.tensor(u))
        np.testing.assert_allclose(_host(xp), xt.detach().numpy(), rtol=1e-9)
        gp = pt.autograd.grad(xp.sum(), ps)
        gt = torch.autograd.grad(xt.sum(), ts)
        for a, b in zip(gp, gt, strict=True):
            np.testing.assert_allclose(_host(a), b.numpy(), rtol=1e-7)

        loc, scale = RNG.standard_normal((2, 3)), RNG.uniform(0.5, 2.0, (2, 3))
        v = RNG.dirichlet(np.ones(4), size=2)
        lp = D.LogisticNormal(_t(loc), _t(scale)).log_prob(_t(v))
        lt = TD.LogisticNormal(torch.tensor(loc), torch.tensor(scale)).log_prob(torch.tensor(v))
        np.testing.assert_allclose(_host(lp), lt.numpy(), rtol=1e-12)

        for dim, conc in ((2, [0.5, 1.0, 3.0]), (4, [2.0, 0.7, 1.0])):
            c_p, c_t = _t(conc, True), torch.tensor(conc, requires_grad=True)
            s = TD.LKJCholesky(dim, c_t).sample((4,))
            lp, lt = (
                D.LKJCholesky(dim, c_p).log_prob(_t(s.numpy())),
                TD.LKJCholesky(dim, c_t).log_prob(s),
            )
            np.testing.assert_allclose(_host(lp), lt.detach().numpy(), rtol=1e-12)
            (g1,), (g2,) = pt.autograd.grad(lp.sum(), [c_p]), torch.autograd.grad(lt.sum(), [c_t])
            np.testing.assert_allclose(_host(g1), g2.numpy(), rtol=1e-10)

        cov, df = _cov(3), np.array([3.5, 6.0])
        for kw, mat in (
            ("covariance_matrix", cov),
            ("precision_matrix", np.linalg.inv(cov)),
            ("scale_tril", np.linalg.cholesky(cov)),
        ):
            mp, mt = _t(mat, True), torch.tensor(mat, requires_grad=True)
            dfp, dft = _t(df, True), torch.tensor(df, requires_grad=True)
            wp, wt = D.Wishart(dfp, **{kw: mp}), TD.Wishart(dft, **{kw: mt})
            x = np.stack([stats.wishart(df[i], cov[i]).rvs(random_state=i) for i in range(2)])
            for what in ("log_prob", "entropy", "mean", "variance"):
                got, want = getattr(wp, what), getattr(wt, what)
                if what == "log_prob":
                    got, want = got(_t(x)), want(torch.tensor(x))
                elif what == "entropy":
                    got, want = got(), want()
                np.testing.assert_allclose(_host(got), want.detach().numpy(), rtol=1e-10)
                gp = pt.autograd.grad(got.sum(), [dfp, mp], allow_unused=True, retain_graph=True)
                gt = torch.autograd.grad(
                    want.sum(), [dft, mt], allow_unused=True, retain_graph=True
                )
                for a, b, v in zip(gp, gt, (df, mat), strict=True):
                    a_, b_ = (
                        (np.zeros_like(v) if a is None else _host(a)),
                        (np.zeros_like(v) if b is None else b.numpy()),
                    )
                    if kw == "scale_tril" and v is mat:
                        # Note: only the factor's lower triangle is read here (torch's
                        # cholesky_solve differentiates its upper one too)
                        a_, b_ = np.tril(a_), np.tril(b_)
                    np.testing.assert_allclose(
                        a_,
                        b_,
                        rtol=1e-8,
                        atol=1e-12,
                        err_msg=f"{kw} {what}",
                    )
    finally:
        torch.set_default_dtype(old)
