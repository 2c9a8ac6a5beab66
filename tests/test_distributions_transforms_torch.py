"""``pt.distributions``' transforms, ``TransformedDistribution``, constraints, ``expand`` and
the families built on them (Chi2, HalfCauchy, Pareto, Weibull, NegativeBinomial, the relaxed
distributions, MixtureSameFamily) against ``torch.distributions``: values, shapes and
gradients in float64 on NumPy, Dask and array-API-strict; draws by their moments."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
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


@pytest.fixture(params=[_backend_param(b) for b in ("numpy", "dask", "array_api_strict")])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    pt.set_backend(request.param)
    pt.set_default_dtype(pt.float64)
    torch.set_default_dtype(torch.float64)
    yield str(request.param)
    torch.set_default_dtype(torch.float32)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


def _close(got: Any, want: Any, what: str, rtol: float = 1e-10) -> None:
    want = np.asarray(want.detach().numpy()) if hasattr(want, "detach") else np.asarray(want)
    got = _host(got) if hasattr(got, "detach") else np.asarray(got)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-12, err_msg=what)


def _lib_t(lib: Any, a: Any) -> Any:
    return lib.tensor(np.asarray(a, dtype=np.float64))


R = np.random.default_rng(5)
X = np.array([[-1.5, 0.2, 3.0], [0.1, -0.3, 0.7]])
XPOS = np.abs(X) + 0.1
VEC = np.array([1.0, 2.0, -3.0])
VEC2 = np.array([0.5, -2.0, 3.0])

# name: (make(transforms module, lib), input)
TRANSFORMS: dict[str, tuple[Any, np.ndarray]] = {
    "exp": (lambda T, L: T.ExpTransform(), X),
    "affine tensors": (lambda T, L: T.AffineTransform(_lib_t(L, VEC), _lib_t(L, VEC2)), X),
    "affine numbers": (lambda T, L: T.AffineTransform(1.0, -2.0), X),
    "affine event_dim=1": (
        lambda T, L: T.AffineTransform(_lib_t(L, VEC), _lib_t(L, VEC2), event_dim=1),
        X,
    ),
    "affine event_dim=2": (lambda T, L: T.AffineTransform(1.0, 3.0, event_dim=2), X),
    "sigmoid": (lambda T, L: T.SigmoidTransform(), X * 10),
    "tanh": (lambda T, L: T.TanhTransform(), X),
    "softmax": (lambda T, L: T.SoftmaxTransform(), X),
    "power": (lambda T, L: T.PowerTransform(_lib_t(L, 2.5)), XPOS),
    "power vector": (lambda T, L: T.PowerTransform(_lib_t(L, [2.5, -1.0, 0.5])), XPOS),
    "abs": (lambda T, L: T.AbsTransform(), X),
    "compose": (
        lambda T, L: T.ComposeTransform(
            [T.ExpTransform(), T.AffineTransform(1.0, 2.0), T.PowerTransform(_lib_t(L, 0.5))]
        ),
        X,
    ),
    "compose events": (
        lambda T, L: T.ComposeTransform(
            [T.TanhTransform(), T.AffineTransform(_lib_t(L, VEC), 2.0, event_dim=1)]
        ),
        X,
    ),
    "compose softmax": (
        lambda T, L: T.ComposeTransform([T.AffineTransform(1.0, 2.0), T.SoftmaxTransform()]),
        X,
    ),
    "inverse of exp": (lambda T, L: T.ExpTransform().inv, XPOS),
    "softplus": (lambda T, L: T.SoftplusTransform(), X),
    "independent exp": (lambda T, L: T.IndependentTransform(T.ExpTransform(), 1), X),
    "stick breaking": (lambda T, L: T.StickBreakingTransform(), X),
    "lower cholesky": (lambda T, L: T.LowerCholeskyTransform(), X[:, :2].reshape(1, 2, 2)),
    "reshape": (lambda T, L: T.ReshapeTransform((3,), (3, 1)), X),
    "normal cdf": (
        lambda T, L: T.CumulativeDistributionTransform((TD if L is torch else D).Normal(0.0, 2.0)),
        X,
    ),
    "identity": (lambda T, L: T.identity_transform, X),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_transforms_match_torch(backend: str, name: str) -> None:
    make, x = TRANSFORMS[name]
    tp, tt = make(D.transforms, pt), make(TD.transforms, torch)
    xp, xt = pt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yp, yt = tp(xp), tt(xt)
    _close(yp, yt, f"{name} forward")
    _close(tp.inv(yp), tt.inv(yt), f"{name} inverse")
    assert str(tp.domain) == str(tt.domain) and str(tp.codomain) == str(tt.codomain), name
    assert tp.domain.event_dim == tt.domain.event_dim, name
    assert tp.bijective == tt.bijective, name
    assert tp.forward_shape(x.shape) == tuple(tt.forward_shape(x.shape)), name
    if not tt.bijective:
        with pytest.raises(NotImplementedError):
            tp.log_abs_det_jacobian(xp, yp)
        return
    lp, lt = tp.log_abs_det_jacobian(xp, yp), tt.log_abs_det_jacobian(xt, yt)
    _close(lp, lt, f"{name} log_abs_det_jacobian")
    (lt.sum() + yt.sum()).backward()
    (lp.sum() + yp.sum()).backward()
    _close(xp.grad, xt.grad, f"{name} gradient")
    try:
        sign = tt.sign
    except NotImplementedError:  # (not monotone: no sign)
        with pytest.raises(NotImplementedError):
            _ = tp.sign
    else:
        _close(pt.asarray(tp.sign), torch.as_tensor(sign), f"{name} sign")
    li = tp.inv.log_abs_det_jacobian(yp.detach(), xp.detach())
    _close(li, tt.inv.log_abs_det_jacobian(yt.detach(), xt.detach()), f"{name} inverse's")


def test_transform_inverse_cache_and_equality(backend: str) -> None:
    T = D.transforms
    t = T.TanhTransform(cache_size=1)
    x = pt.tensor([20.0, 0.5])
    y = t(x)
    assert t.inv(y) is x and t(x) is y  # the remembered pair
    with warnings.catch_warnings():  # (NumPy's divide-by-zero warning of atanh(1))
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isinf(_host(T.TanhTransform().inv(y))[0])  # (atanh(1), as torch's)
    assert bool(torch.isinf(TD.transforms.TanhTransform().inv(torch.tensor([20.0]).tanh()))[0])
    e = T.ExpTransform()
    assert e.inv.inv is e and e.inv == T.ExpTransform().inv and e == T.ExpTransform()
    assert T.AffineTransform(1.0, 2.0) == T.AffineTransform(1.0, 2.0)
    assert T.AffineTransform(1.0, 2.0) != T.AffineTransform(1.0, 3.0)
    assert T.ComposeTransform([e, T.SigmoidTransform()]).inv.parts[0] == T.SigmoidTransform().inv
    assert T.ExpTransform().with_cache(1)._cache_size == 1
    with pytest.raises(ValueError, match="cache_size 0 or 1"):
        T.ExpTransform(cache_size=2)
    with pytest.raises(NotImplementedError, match="not monotone"):
        _ = T.SoftmaxTransform().sign


def _normal(lib: Any, M: Any) -> Any:
    return M.Normal(_lib_t(lib, [[0.3, -1.0], [2.0, 0.5]]), _lib_t(lib, [[0.5, 1.2], [0.3, 2.0]]))


# name: (make(distributions module, lib), value for log_prob/cdf, has cdf)
TRANSFORMED: dict[str, tuple[Any, np.ndarray, bool]] = {
    "tanh": (
        lambda M, L: M.TransformedDistribution(_normal(L, M), [M.transforms.TanhTransform()]),
        np.array([[0.2, -0.9], [0.99, 0.0]]),
        True,
    ),
    "exp affine": (
        lambda M, L: M.TransformedDistribution(
            _normal(L, M), [M.transforms.ExpTransform(), M.transforms.AffineTransform(1.0, 2.0)]
        ),
        np.array([[1.2, 3.0], [1.5, 8.0]]),
        True,
    ),
    "decreasing affine": (
        lambda M, L: M.TransformedDistribution(
            _normal(L, M), M.transforms.AffineTransform(1.0, -2.0)
        ),
        np.array([[1.2, 3.0], [1.5, 8.0]]),
        True,
    ),
    "affine event_dim=1": (
        lambda M, L: M.TransformedDistribution(
            _normal(L, M),
            [M.transforms.AffineTransform(_lib_t(L, [1.0, 2.0]), _lib_t(L, [0.5, 3.0]), 1)],
        ),
        np.array([[1.2, 3.0], [1.5, 8.0]]),
        False,
    ),
    "sigmoid": (
        lambda M, L: M.TransformedDistribution(_normal(L, M), M.transforms.SigmoidTransform()),
        np.array([[0.2, 0.9], [0.5, 0.01]]),
        True,
    ),
    "affine of a multivariate normal": (
        lambda M, L: M.TransformedDistribution(
            M.MultivariateNormal(_lib_t(L, [0.0, 1.0]), _lib_t(L, [[2.0, 0.5], [0.5, 1.0]])),
            M.transforms.AffineTransform(_lib_t(L, [1.0, -1.0]), 3.0, event_dim=1),
        ),
        np.array([[1.2, 3.0], [1.5, 8.0]]),
        False,
    ),
}


@pytest.mark.parametrize("name", list(TRANSFORMED))
def test_transformed_distributions_match_torch(backend: str, name: str) -> None:
    make, v, has_cdf = TRANSFORMED[name]
    dp, dt_ = make(D, pt), make(TD, torch)
    assert dp.batch_shape == tuple(dt_.batch_shape), name
    assert dp.event_shape == tuple(dt_.event_shape), name
    assert str(dp.support) == str(dt_.support) and dp.has_rsample == dt_.has_rsample
    _close(dp.log_prob(pt.tensor(v)), dt_.log_prob(torch.tensor(v)), f"{name} log_prob")
    if has_cdf:
        q = np.array([[0.1, 0.5], [0.7, 0.99]])
        _close(dp.cdf(pt.tensor(v)), dt_.cdf(torch.tensor(v)), f"{name} cdf")
        _close(dp.icdf(pt.tensor(q)), dt_.icdf(torch.tensor(q)), f"{name} icdf")
    for shape in ((), (5,), (2, 3)):
        s = dp.sample(shape)
        assert tuple(s.shape) == tuple(dt_.sample(shape).shape) and not s.requires_grad
        assert np.isfinite(_host(dp.log_prob(s))).all(), name
    big = (2, *dp.batch_shape)
    ep, et = dp.expand(big), dt_.expand(big)
    assert ep.batch_shape == tuple(et.batch_shape), name
    _close(ep.log_prob(pt.tensor(v)), et.log_prob(torch.tensor(v)), f"{name} expanded")


def test_squashed_gaussian_log_prob_of_its_draw_and_gradients(backend: str) -> None:
    """SAC's policy: ``a = tanh(mu + std eps)`` and ``log pi(a)`` through the cached
    pre-image, with the gradients in ``mu`` and ``std`` of ``log pi(a) + a``."""
    mu, sd = np.array([[0.3, -1.0], [2.0, 5.0]]), np.array([[0.5, 1.2], [0.3, 2.0]])
    eps = np.array([[0.1, -2.0], [1.5, 3.0]])
    mp, sp = pt.tensor(mu, requires_grad=True), pt.tensor(sd, requires_grad=True)
    mt, st = torch.tensor(mu, requires_grad=True), torch.tensor(sd, requires_grad=True)
    pp = D.TransformedDistribution(D.Normal(mp, sp), [D.transforms.TanhTransform(cache_size=1)])
    pq = TD.TransformedDistribution(TD.Normal(mt, st), [TD.transforms.TanhTransform(cache_size=1)])
    ap = pp.transforms[0](mp + sp * pt.tensor(eps))
    at = pq.transforms[0](mt + st * torch.tensor(eps))
    lp, lt = pp.log_prob(ap), pq.log_prob(at)
    _close(lp, lt, "log pi(a)")
    assert np.isfinite(_host(lp)).all()  # (tanh(12) rounds to 1; the cache keeps it finite)
    (lp.sum() + ap.sum()).backward()
    (lt.sum() + at.sum()).backward()
    _close(mp.grad, mt.grad, "d/dmu")
    _close(sp.grad, st.grad, "d/dstd")
    a = pp.rsample((4,))
    assert tuple(a.shape) == (4, 2, 2) and a.requires_grad
    assert tuple(pp.log_prob(a).shape) == (4, 2, 2)


def test_kl_of_transformed_distributions_matches_torch(backend: str) -> None:
    def pair(M: Any, L: Any, loc: float) -> Any:
        return M.TransformedDistribution(
            M.Normal(loc, _lib_t(L, [1.0, 2.0])), M.transforms.ExpTransform()
        )

    _close(
        D.kl_divergence(pair(D, pt, 0.0), pair(D, pt, 1.0)),
        TD.kl_divergence(pair(TD, torch, 0.0), pair(TD, torch, 1.0)),
        "kl",
    )
    other = D.TransformedDistribution(D.Normal(0.0, 1.0), D.transforms.SigmoidTransform())
    with pytest.raises(NotImplementedError, match="different transforms"):
        D.kl_divergence(pair(D, pt, 0.0), other)


C_VALUES = {
    "real": [[0.0, np.nan], [np.inf, -1.0]],
    "positive": [[0.0, 1.0], [-1.0, 2.0]],
    "nonnegative": [[0.0, 1.0], [-1.0, 2.0]],
    "unit_interval": [[0.0, 1.0], [1.5, 0.5]],
    "boolean": [[0.0, 1.0], [0.5, 1.0]],
    "nonnegative_integer": [[0.0, 1.0], [0.5, -1.0]],
    "positive_integer": [[0.0, 1.0], [2.0, 2.5]],
    "simplex": [[0.25, 0.75], [0.5, 0.6]],
    "one_hot": [[0.0, 1.0], [1.0, 1.0]],
    "real_vector": [[0.0, 1.0], [np.nan, 1.0]],
    "lower_cholesky": [[[1.0, 0.0], [2.0, 1.0]], [[1.0, 0.5], [2.0, 1.0]], [[-1.0, 0.0], [0, 1]]],
    "lower_triangular": [[[1.0, 0.0], [2.0, 1.0]], [[1.0, 0.5], [2.0, 1.0]]],
    "positive_definite": [[[2.0, 0.5], [0.5, 1.0]], [[1.0, 2.0], [2.0, 1.0]], [[1, 0], [0, -1]]],
}
C_MADE = {
    "interval": (lambda C: C.interval(0.0, 2.0), [[0.0, 2.0], [2.5, -1.0]]),
    "half_open_interval": (lambda C: C.half_open_interval(0.0, 2.0), [[0.0, 2.0], [1.0, -1]]),
    "greater_than": (lambda C: C.greater_than(1.0), [[1.0, 2.0], [0.0, 1.5]]),
    "greater_than_eq": (lambda C: C.greater_than_eq(1.0), [[1.0, 2.0], [0.0, 1.5]]),
    "less_than": (lambda C: C.less_than(1.0), [[1.0, 2.0], [0.0, 1.5]]),
    "integer_interval": (lambda C: C.integer_interval(0, 3), [[0.0, 1.5], [3.0, 4.0]]),
    "independent": (lambda C: C.independent(C.positive, 1), [[1.0, 2.0], [1.0, -1.0]]),
    "multinomial": (lambda C: C.multinomial(3), [[1.0, 2.0], [2.0, 2.0]]),
}


@pytest.mark.parametrize("name", list(C_VALUES) + list(C_MADE))
def test_constraints_check_as_torch(backend: str, name: str) -> None:
    if name in C_MADE:
        make, v = C_MADE[name]
        cp, ct = make(D.constraints), make(TD.constraints)
    else:
        v = C_VALUES[name]
        cp, ct = getattr(D.constraints, name), getattr(TD.constraints, name)
    got = _host(cp.check(pt.tensor(np.asarray(v, dtype=np.float64))))
    want = ct.check(torch.tensor(np.asarray(v, dtype=np.float64))).numpy()
    np.testing.assert_array_equal(got, want, err_msg=name)
    assert str(cp) == str(ct) and cp.event_dim == ct.event_dim, name
    assert cp.is_discrete == ct.is_discrete, name


def _f(lib: Any, a: Any) -> Any:
    return _lib_t(lib, a)


P3 = [[0.2, 0.8], [0.5, 0.5], [0.1, 0.9]]
FAMILIES: dict[str, Any] = {
    "Categorical": lambda M, L: M.Categorical(probs=_f(L, P3)),
    "Bernoulli": lambda M, L: M.Bernoulli(probs=_f(L, [0.2, 0.7, 0.5])),
    "Normal": lambda M, L: M.Normal(_f(L, [0.0, 1, 2]), _f(L, [1.0, 2, 3])),
    "Uniform": lambda M, L: M.Uniform(_f(L, [0.0, 1, 2]), _f(L, [1.0, 2, 3])),
    "Exponential": lambda M, L: M.Exponential(_f(L, [1.0, 2, 3])),
    "Laplace": lambda M, L: M.Laplace(_f(L, [0.0, 1, 2]), _f(L, [1.0, 2, 3])),
    "Cauchy": lambda M, L: M.Cauchy(_f(L, [0.0, 1, 2]), _f(L, [1.0, 2, 3])),
    "Gumbel": lambda M, L: M.Gumbel(_f(L, [0.0, 1, 2]), _f(L, [1.0, 2, 3])),
    "LogNormal": lambda M, L: M.LogNormal(_f(L, [0.0, 1, 2]), _f(L, [1.0, 2, 3])),
    "HalfNormal": lambda M, L: M.HalfNormal(_f(L, [1.0, 2, 3])),
    "StudentT": lambda M, L: M.StudentT(_f(L, [3.0, 4, 5]), _f(L, [0.0, 1, 2]), 2.0),
    "Gamma": lambda M, L: M.Gamma(_f(L, [1.0, 2, 3]), _f(L, [1.0, 2, 3])),
    "Chi2": lambda M, L: M.Chi2(_f(L, [1.0, 2, 3])),
    "Beta": lambda M, L: M.Beta(_f(L, [1.0, 2, 3]), _f(L, [1.0, 2, 3])),
    "Dirichlet": lambda M, L: M.Dirichlet(_f(L, [[1.0, 2], [2, 3], [3, 4]])),
    "Poisson": lambda M, L: M.Poisson(_f(L, [1.0, 2, 3])),
    "Binomial": lambda M, L: M.Binomial(4, probs=_f(L, [0.2, 0.7, 0.5])),
    "NegativeBinomial": lambda M, L: M.NegativeBinomial(
        _f(L, [1.5, 2, 3]), probs=_f(L, [0.2, 0.7, 0.5])
    ),
    "Geometric": lambda M, L: M.Geometric(probs=_f(L, [0.2, 0.7, 0.5])),
    "OneHotCategorical": lambda M, L: M.OneHotCategorical(probs=_f(L, P3)),
    "Multinomial": lambda M, L: M.Multinomial(3, probs=_f(L, P3)),
    "MultivariateNormal": lambda M, L: M.MultivariateNormal(
        _f(L, [[0.0, 1], [1, 2], [2, 3]]), scale_tril=_f(L, [[1.0, 0], [0.5, 2]])
    ),
    "Independent": lambda M, L: M.Independent(M.Normal(_f(L, [[0.0, 1], [1, 2], [2, 3]]), 1.0), 1),
    "HalfCauchy": lambda M, L: M.HalfCauchy(_f(L, [1.0, 2, 3])),
    "Pareto": lambda M, L: M.Pareto(1.0, _f(L, [1.5, 2, 3])),
    "Weibull": lambda M, L: M.Weibull(_f(L, [1.0, 2, 3]), _f(L, [0.5, 1, 2])),
    "RelaxedBernoulli": lambda M, L: M.RelaxedBernoulli(_f(L, 0.5), probs=_f(L, [0.2, 0.7, 0.5])),
    "RelaxedOneHotCategorical": lambda M, L: M.RelaxedOneHotCategorical(
        _f(L, 0.5), probs=_f(L, P3)
    ),
    "MixtureSameFamily": lambda M, L: M.MixtureSameFamily(
        M.Categorical(probs=_f(L, P3)), M.Normal(_f(L, P3), 1.0)
    ),
}


@pytest.mark.parametrize("name", list(FAMILIES))
def test_supports_arg_constraints_and_expand_match_torch(backend: str, name: str) -> None:
    dp, dt_ = FAMILIES[name](D, pt), FAMILIES[name](TD, torch)
    scalar_bounds = name not in ("Uniform", "Binomial", "Pareto")  # (tensor reprs differ)
    if scalar_bounds:
        assert str(dp.support) == str(dt_.support), name
        assert {k: str(c) for k, c in dp.arg_constraints.items()} == {
            k: str(c) for k, c in dt_.arg_constraints.items()
        }, name
    else:
        assert type(dp.support).__name__.lstrip("_") == type(dt_.support).__name__.lstrip("_")
    assert dp.has_enumerate_support == dt_.has_enumerate_support, name
    torch.manual_seed(0)
    v = dt_.sample((2, 4))
    vp = pt.tensor(v.numpy())
    np.testing.assert_array_equal(_host(dp.support.check(vp)), dt_.support.check(v).numpy())
    big = (4, *dt_.batch_shape)
    ep, et = dp.expand(big), dt_.expand(big)
    assert ep.batch_shape == tuple(et.batch_shape) and ep.event_shape == tuple(et.event_shape)
    _close(ep.log_prob(vp), et.log_prob(v), f"{name} expanded log_prob")
    assert tuple(ep.sample((2,)).shape) == tuple(et.sample((2,)).shape), name
    if name not in ("RelaxedBernoulli", "RelaxedOneHotCategorical"):  # (no mean in torch)
        _close(ep.mean, et.mean, f"{name} expanded mean")
    assert dp.batch_shape == tuple(dt_.batch_shape)  # (the original is unchanged)
    with pytest.raises(ValueError, match="cannot be expanded"):
        dp.expand((5, 7))


INVALID = {
    "Normal scale": lambda M, L: M.Normal(0.0, _f(L, [1.0, -1.0])),
    "Exponential rate": lambda M, L: M.Exponential(_f(L, [0.0])),
    "Chi2 df": lambda M, L: M.Chi2(_f(L, [-1.0])),
    "HalfCauchy scale": lambda M, L: M.HalfCauchy(_f(L, [-1.0])),
    "Pareto alpha": lambda M, L: M.Pareto(1.0, _f(L, [-1.0])),
    "Weibull concentration": lambda M, L: M.Weibull(1.0, _f(L, [0.0])),
    "NegativeBinomial probs": lambda M, L: M.NegativeBinomial(2.0, probs=_f(L, [1.0])),
    "NegativeBinomial total_count": lambda M, L: M.NegativeBinomial(
        _f(L, [-1.0]), probs=_f(L, [0.5])
    ),
    "RelaxedBernoulli probs": lambda M, L: M.RelaxedBernoulli(_f(L, 1.0), probs=_f(L, [1.5])),
}


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_parameters_raise_value_error_as_torch(backend: str, name: str) -> None:
    with pytest.raises(ValueError, match="Expected parameter"):
        INVALID[name](TD, torch)
    with pytest.raises(ValueError, match="validate_args=False"):
        INVALID[name](D, pt)
    assert isinstance(_without_checks(INVALID[name]), D.Distribution)


def _without_checks(make: Any) -> Any:
    D.Distribution.set_default_validate_args(False)
    try:
        with warnings.catch_warnings():  # (1 / 0 and such, with NumPy's warning)
            warnings.simplefilter("ignore", RuntimeWarning)
            return make(D, pt)
    finally:
        D.Distribution.set_default_validate_args(True)


OUTSIDE = {
    "TransformedDistribution tanh": (
        lambda M, L: M.TransformedDistribution(M.Normal(0.0, 1.0), M.transforms.TanhTransform()),
        [2.0],
    ),
    "HalfCauchy": (lambda M, L: M.HalfCauchy(1.0), [-1.0]),
    "Pareto": (lambda M, L: M.Pareto(2.0, 1.0), [1.0]),
    "Weibull": (lambda M, L: M.Weibull(1.0, 1.0), [-1.0]),
    "NegativeBinomial": (lambda M, L: M.NegativeBinomial(2.0, probs=0.5), [1.5]),
    "RelaxedBernoulli": (lambda M, L: M.RelaxedBernoulli(_f(L, 1.0), probs=0.5), [1.5]),
    "RelaxedOneHotCategorical": (
        lambda M, L: M.RelaxedOneHotCategorical(_f(L, 1.0), probs=_f(L, [0.5, 0.5])),
        [0.5, 0.6],
    ),
    "MixtureSameFamily": (
        lambda M, L: M.MixtureSameFamily(
            M.Categorical(probs=_f(L, [0.5, 0.5])), M.Exponential(_f(L, [1.0, 2.0]))
        ),
        [-1.0],
    ),
}


@pytest.mark.parametrize("name", list(OUTSIDE))
def test_log_prob_outside_the_support_raises_value_error_as_torch(backend: str, name: str) -> None:
    make, v = OUTSIDE[name]
    with pytest.raises(ValueError, match="Expected value argument"):
        make(TD, torch).log_prob(torch.tensor(v))
    with pytest.raises(ValueError, match=r"support|whole numbers"):
        make(D, pt).log_prob(pt.tensor(v))
    D.Distribution.set_default_validate_args(False)
    try:
        with warnings.catch_warnings():  # (NaN from atanh(2) and such, with NumPy's warning)
            warnings.simplefilter("ignore", RuntimeWarning)
            make(D, pt).log_prob(pt.tensor(v))
    finally:
        D.Distribution.set_default_validate_args(True)


POS = R.uniform(0.5, 3.0, (3,))
POS2 = R.uniform(0.5, 3.0, (3,))
P01 = R.uniform(0.1, 0.9, (3,))
V3 = np.array([[0.5, 1.0, 2.0], [3.0, 0.1, 1.5]])
COUNTS = np.array([[0.0, 1.0, 2.0], [3.0, 5.0, 7.0]])

# name: (make(M, *params), params, value, torch has entropy, has cdf)
NEW: dict[str, tuple[Any, list[np.ndarray], np.ndarray, bool, bool]] = {
    "chi2": (lambda M, a: M.Chi2(a), [POS], V3, True, False),
    "halfcauchy": (lambda M, a: M.HalfCauchy(a), [POS], V3, True, True),
    "pareto": (lambda M, a, b: M.Pareto(a, b), [POS * 0.1, POS2], V3 + 0.4, True, True),
    "weibull": (lambda M, a, b: M.Weibull(a, b), [POS, POS2], V3, True, True),
    "negativebinomial probs": (
        lambda M, a, b: M.NegativeBinomial(a, probs=b),
        [POS, P01],
        COUNTS,
        False,
        False,
    ),
    "negativebinomial logits": (
        lambda M, a, b: M.NegativeBinomial(a, logits=b),
        [POS, P01 - 0.5],
        COUNTS,
        False,
        False,
    ),
}


@pytest.mark.parametrize("name", list(NEW))
def test_new_families_match_torch(backend: str, name: str) -> None:
    make, arrays, v, entropy, cdf = NEW[name]
    ps = [pt.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    dp, dt_ = make(D, *ps), make(TD, *ts)
    assert (
        dp.batch_shape == tuple(dt_.batch_shape) and str(dp.support)[:12] == str(dt_.support)[:12]
    )
    lp, lt = dp.log_prob(pt.tensor(v)), dt_.log_prob(torch.tensor(v))
    _close(lp, lt, f"{name} log_prob")
    gp = pt.autograd.grad(lp.sum(), ps)
    gt = torch.autograd.grad(lt.sum(), ts)
    for i, (a, b) in enumerate(zip(gp, gt, strict=True)):
        _close(a, b, f"{name} log_prob gradient {i}")
    for attr in ("mean", "variance", "stddev", "mode"):
        _close(getattr(dp, attr), getattr(dt_, attr), f"{name} {attr}")
    if entropy:
        _close(dp.entropy(), dt_.entropy(), f"{name} entropy")
    if cdf:
        q = np.array([[0.1, 0.5, 0.9], [0.3, 0.7, 0.99]])
        _close(dp.cdf(pt.tensor(v)), dt_.cdf(torch.tensor(v)), f"{name} cdf")
        _close(dp.icdf(pt.tensor(q)), dt_.icdf(torch.tensor(q)), f"{name} icdf")
    s = dp.sample((2, 5))
    assert tuple(s.shape) == tuple(dt_.sample((2, 5)).shape) and s.dtype == pt.float64


def test_new_families_kl_divergences_match_torch(backend: str) -> None:
    a, b = (pt.tensor(POS * 0.3), pt.tensor(POS2)), (pt.tensor(POS * 0.5), pt.tensor(POS))
    c, d = (
        (torch.tensor(POS * 0.3), torch.tensor(POS2)),
        (torch.tensor(POS * 0.5), torch.tensor(POS)),
    )
    _close(
        D.kl_divergence(D.Pareto(*a), D.Pareto(*b)),
        TD.kl_divergence(TD.Pareto(*c), TD.Pareto(*d)),
        "pareto",
    )
    _close(
        D.kl_divergence(D.Pareto(*b), D.Pareto(*a)),
        TD.kl_divergence(TD.Pareto(*d), TD.Pareto(*c)),
        "inf",
    )
    _close(
        D.kl_divergence(D.Chi2(pt.tensor(POS)), D.Chi2(pt.tensor(POS2))),
        TD.kl_divergence(TD.Chi2(torch.tensor(POS)), TD.Chi2(torch.tensor(POS2))),
        "chi2",
    )


def test_rsample_gradients_of_the_transformed_families(backend: str) -> None:
    """Pareto's draw is ``scale exp(E / alpha)``: d/dscale is ``x / scale``; Weibull's is
    ``scale E^(1/c)``: d/dscale is ``x / scale``; HalfCauchy's ``|scale C|``: ``x / scale``."""
    pt.manual_seed(0)
    for make in (
        lambda s: D.Pareto(s, pt.tensor([2.0, 3.0])),
        lambda s: D.Weibull(s, pt.tensor([2.0, 0.7])),
        lambda s: D.HalfCauchy(s),
    ):
        scale = pt.tensor([1.5, 0.5], requires_grad=True)
        x = make(scale).rsample((3,))
        x.sum().backward()
        _close(scale.grad, (_host(x) / np.array([1.5, 0.5])).sum(0), "d/dscale", rtol=1e-9)


N = 20_000


def test_new_families_draws_have_torch_moments(backend: str) -> None:
    pt.manual_seed(1)
    for make in (
        lambda M, L: M.Chi2(_f(L, [1.0, 4.0])),
        lambda M, L: M.Pareto(_f(L, [1.0, 2.0]), _f(L, [5.0, 6.0])),
        lambda M, L: M.Weibull(_f(L, [1.0, 2.0]), _f(L, [0.8, 3.0])),
        lambda M, L: M.NegativeBinomial(_f(L, [2.0, 7.5]), probs=_f(L, [0.3, 0.6])),
        lambda M, L: M.RelaxedBernoulli(_f(L, 0.5), probs=_f(L, [0.3, 0.6])),
        lambda M, L: M.RelaxedOneHotCategorical(_f(L, 0.7), probs=_f(L, [0.2, 0.3, 0.5])),
        lambda M, L: M.MixtureSameFamily(
            M.Categorical(probs=_f(L, [0.3, 0.7])), M.Normal(_f(L, [-2.0, 1.0]), 1.0)
        ),
    ):
        dp, dt_ = make(D, pt), make(TD, torch)
        s = _host(dp.sample((N,)))
        torch.manual_seed(1)
        st = dt_.sample((N,)).numpy()
        sd = np.sqrt(st.var(0) + s.var(0))
        np.testing.assert_array_less(np.abs(s.mean(0) - st.mean(0)), 6 * sd / np.sqrt(N) + 1e-9)
        np.testing.assert_allclose(s.var(0), st.var(0), rtol=0.1)
        # the draws' mean log-density: an estimate of minus the entropy, the same for both
        lp = _host(dp.log_prob(pt.tensor(s))).mean(0)
        lt = dt_.log_prob(torch.tensor(st)).detach().numpy().mean(0)
        np.testing.assert_allclose(lp, lt, atol=0.06, rtol=0.05)


RELAXED = {
    "RelaxedBernoulli": (
        lambda M, t, lg: M.RelaxedBernoulli(t, logits=lg),
        (2, 3),
        R.uniform(0.05, 0.95, (4, 2, 3)),
    ),
    "LogitRelaxedBernoulli": (
        lambda M, t, lg: (
            M.LogitRelaxedBernoulli
            if hasattr(M, "LogitRelaxedBernoulli")
            else M.relaxed_bernoulli.LogitRelaxedBernoulli
        )(t, logits=lg),
        (2, 3),
        R.standard_normal((4, 2, 3)),
    ),
    "RelaxedOneHotCategorical": (
        lambda M, t, lg: M.RelaxedOneHotCategorical(t, logits=lg),
        (2, 4),
        R.dirichlet(np.ones(4), (3, 2)),
    ),
    "ExpRelaxedCategorical": (
        lambda M, t, lg: (
            M.ExpRelaxedCategorical
            if hasattr(M, "ExpRelaxedCategorical")
            else M.relaxed_categorical.ExpRelaxedCategorical
        )(t, logits=lg),
        (2, 4),
        np.log(R.dirichlet(np.ones(4), (3, 2))),
    ),
}


@pytest.mark.parametrize("name", list(RELAXED))
def test_relaxed_distributions_match_torch(backend: str, name: str) -> None:
    make, shape, v = RELAXED[name]
    lg = np.random.default_rng(8).standard_normal(shape)
    tp, lp_ = pt.tensor(0.7, requires_grad=True), pt.tensor(lg, requires_grad=True)
    tt, lt_ = torch.tensor(0.7, requires_grad=True), torch.tensor(lg, requires_grad=True)
    dp, dt_ = make(D, tp, lp_), make(TD, tt, lt_)
    assert (dp.batch_shape, dp.event_shape) == (tuple(dt_.batch_shape), tuple(dt_.event_shape))
    assert str(dp.support) == str(dt_.support) and dp.has_rsample
    a, b = dp.log_prob(pt.tensor(v)), dt_.log_prob(torch.tensor(v))
    _close(a, b, f"{name} log_prob")
    for g, h, what in zip(
        pt.autograd.grad(a.sum(), [tp, lp_], retain_graph=True),  # (the logits' normalisation)
        torch.autograd.grad(b.sum(), [tt, lt_]),
        ("temperature", "logits"),
        strict=True,
    ):
        _close(g, h, f"{name} d/d{what}")
    x = dp.rsample((5,))
    assert tuple(x.shape) == (5, *shape) and x.requires_grad
    gx = pt.autograd.grad(x.sum(), [tp, lp_])
    assert all(np.isfinite(_host(g)).all() for g in gx)
    ep, et = dp.expand((3, *dp.batch_shape)), dt_.expand((3, *dt_.batch_shape))
    _close(ep.log_prob(pt.tensor(v[:1])), et.log_prob(torch.tensor(v[:1])), f"{name} expanded")


MIXTURES = {
    "normal": lambda M, L, w, loc, sc: M.Normal(L(loc[..., 0]), L(sc[..., 0])),
    "multivariate normal": lambda M, L, w, loc, sc: M.MultivariateNormal(
        L(loc), scale_tril=L(np.array([[0.5, 0.0], [0.3, 0.5]]))
    ),
    "independent normal": lambda M, L, w, loc, sc: M.Independent(M.Normal(L(loc), L(sc)), 1),
}


@pytest.mark.parametrize("name", list(MIXTURES))
def test_mixture_same_family_matches_torch(backend: str, name: str) -> None:
    rng = np.random.default_rng(9)
    w, loc, sc = (
        rng.standard_normal((3, 4)),
        rng.standard_normal((3, 4, 2)),
        rng.uniform(0.5, 2, (3, 4, 2)),
    )

    def make(M: Any, L: Any) -> Any:
        return M.MixtureSameFamily(M.Categorical(logits=L(w)), MIXTURES[name](M, L, w, loc, sc))

    dp, dt_ = make(D, pt.tensor), make(TD, torch.tensor)
    v = rng.standard_normal((5, 3) + (() if name == "normal" else (2,)))
    assert (dp.batch_shape, dp.event_shape) == (tuple(dt_.batch_shape), tuple(dt_.event_shape))
    _close(dp.log_prob(pt.tensor(v)), dt_.log_prob(torch.tensor(v)), f"{name} log_prob")
    _close(dp.mean, dt_.mean, f"{name} mean")
    _close(dp.variance, dt_.variance, f"{name} variance")
    if name == "normal":
        _close(dp.cdf(pt.tensor(v)), dt_.cdf(torch.tensor(v)), f"{name} cdf")
    pt.manual_seed(2)
    s = _host(dp.sample((N,)))
    assert s.shape == tuple(dt_.sample((N,)).shape)
    var = _host(dp.variance)
    np.testing.assert_array_less(np.abs(s.mean(0) - _host(dp.mean)), 6 * np.sqrt(var / N))
    np.testing.assert_allclose(s.var(0), var, rtol=0.06)
    ep, et = dp.expand((2, 3)), dt_.expand((2, 3))
    _close(ep.log_prob(pt.tensor(v[:1])), et.log_prob(torch.tensor(v[:1])), f"{name} expanded")


def test_mixture_gradients_in_weights_and_components(backend: str) -> None:
    w, loc = np.array([0.3, -0.2, 1.0]), np.array([-1.0, 0.5, 2.0])
    wp, lp_ = pt.tensor(w, requires_grad=True), pt.tensor(loc, requires_grad=True)
    wt, lt_ = torch.tensor(w, requires_grad=True), torch.tensor(loc, requires_grad=True)
    v = np.array([0.1, -2.0, 3.0])
    a = D.MixtureSameFamily(D.Categorical(logits=wp), D.Normal(lp_, 1.0)).log_prob(pt.tensor(v))
    b = TD.MixtureSameFamily(TD.Categorical(logits=wt), TD.Normal(lt_, 1.0)).log_prob(
        torch.tensor(v)
    )
    for g, h in zip(
        pt.autograd.grad(a.sum(), [wp, lp_]), torch.autograd.grad(b.sum(), [wt, lt_]), strict=True
    ):
        _close(g, h, "gradient")
    with pytest.raises(ValueError, match="3 categories but the component_distribution 2"):
        D.MixtureSameFamily(D.Categorical(logits=wp), D.Normal(pt.zeros(2), 1.0))


@pytest.mark.parametrize("given", ["probs", "logits"])
def test_continuous_bernoulli_matches_torch(backend: str, given: str) -> None:
    pr = np.array([0.01, 0.2, 0.4995, 0.5, 0.5005, 0.7, 0.99])
    a = pr if given == "probs" else np.log(pr / (1 - pr))
    v = np.array([0.0, 0.3, 0.5, 0.9, 1.0, 0.25, 0.75])
    ap, at = pt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    dp, dt_ = D.ContinuousBernoulli(**{given: ap}), TD.ContinuousBernoulli(**{given: at})
    lp, lt = dp.log_prob(pt.tensor(v)), dt_.log_prob(torch.tensor(v))
    _close(lp, lt, "log_prob")
    gp = pt.autograd.grad(lp.sum(), [ap], retain_graph=True)[0]
    _close(gp, torch.autograd.grad(lt.sum(), [at])[0], "gradient")
    for attr in ("mean", "variance", "stddev"):
        _close(getattr(dp, attr), getattr(dt_, attr), attr)
    _close(dp.entropy(), dt_.entropy(), "entropy")
    _close(dp.cdf(pt.tensor(v)), dt_.cdf(torch.tensor(v)), "cdf")
    _close(dp.icdf(pt.tensor(v)), dt_.icdf(torch.tensor(v)), "icdf")
    q = pr[::-1].copy()
    _close(
        D.kl_divergence(dp, D.ContinuousBernoulli(probs=pt.tensor(q))),
        TD.kl_divergence(dt_, TD.ContinuousBernoulli(probs=torch.tensor(q))),
        "kl",
    )
    assert str(dp.support) == str(dt_.support) and dp.has_rsample == dt_.has_rsample
    ep, et = dp.expand((2, 7)), dt_.expand((2, 7))
    _close(ep.log_prob(pt.tensor(v)), et.log_prob(torch.tensor(v)), "expanded")
    pt.manual_seed(3)
    s = _host(dp.sample((N,)))
    var = _host(dp.variance)
    np.testing.assert_array_less(np.abs(s.mean(0) - _host(dp.mean)), 6 * np.sqrt(var / N))
    np.testing.assert_allclose(s.var(0), var, rtol=0.05)


def test_low_rank_multivariate_normal_matches_torch(backend: str) -> None:
    rng = np.random.default_rng(3)
    loc, w, d = rng.standard_normal((2, 4)), rng.standard_normal((2, 4, 2)), rng.uniform(0.5, 2, 4)
    ps = [pt.tensor(a, requires_grad=True) for a in (loc, w, d)]
    ts = [torch.tensor(a, requires_grad=True) for a in (loc, w, d)]
    dp, dt_ = D.LowRankMultivariateNormal(*ps), TD.LowRankMultivariateNormal(*ts)
    assert (dp.batch_shape, dp.event_shape) == (tuple(dt_.batch_shape), tuple(dt_.event_shape))
    v = rng.standard_normal((3, 2, 4))
    lp, lt = dp.log_prob(pt.tensor(v)), dt_.log_prob(torch.tensor(v))
    _close(lp, lt, "log_prob")
    gp = pt.autograd.grad(lp.sum(), ps, retain_graph=True)
    for i, (a, b) in enumerate(zip(gp, torch.autograd.grad(lt.sum(), ts), strict=True)):
        _close(a, b, f"gradient {i}")
    for attr in ("mean", "variance", "covariance_matrix", "precision_matrix", "scale_tril"):
        _close(getattr(dp, attr), getattr(dt_, attr), attr)
    _close(dp.entropy(), dt_.entropy(), "entropy")
    assert str(dp.support) == str(dt_.support)
    ep, et = dp.expand((3, 2)), dt_.expand((3, 2))
    _close(ep.log_prob(pt.tensor(v)), et.log_prob(torch.tensor(v)), "expanded")
    pt.manual_seed(4)
    s = _host(dp.sample((N,)))
    cov = _host(dp.covariance_matrix)
    for b in range(2):
        sd = np.sqrt((np.outer(np.diag(cov[b]), np.diag(cov[b])) + cov[b] ** 2) / N)
        np.testing.assert_array_less(np.abs(np.cov(s[:, b].T) - cov[b]), 6 * sd)


REGISTRY = {
    "real": lambda C: C.real,
    "positive": lambda C: C.positive,
    "nonnegative": lambda C: C.nonnegative,
    "unit_interval": lambda C: C.unit_interval,
    "interval": lambda C: C.interval(-1.0, 3.0),
    "half_open_interval": lambda C: C.half_open_interval(-1.0, 3.0),
    "greater_than": lambda C: C.greater_than(2.0),
    "greater_than_eq": lambda C: C.greater_than_eq(2.0),
    "less_than": lambda C: C.less_than(2.0),
    "simplex": lambda C: C.simplex,
    "real_vector": lambda C: C.real_vector,
    "independent positive": lambda C: C.independent(C.positive, 1),
    "lower_cholesky": lambda C: C.lower_cholesky,
}


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", list(REGISTRY))
def test_biject_to_and_transform_to_match_torch(backend: str, registry: str, name: str) -> None:
    x = X if name != "lower_cholesky" else X[:, :2].reshape(1, 2, 2)
    try:
        tt = getattr(TD, registry)(REGISTRY[name](TD.constraints))
    except NotImplementedError:
        with pytest.raises(NotImplementedError, match="Cannot transform"):
            getattr(D, registry)(REGISTRY[name](D.constraints))
        return
    tp = getattr(D, registry)(REGISTRY[name](D.constraints))
    assert type(tp).__name__ == type(tt).__name__
    _close(tp(pt.tensor(x)), tt(torch.tensor(x)), f"{registry}({name})")
    assert bool(REGISTRY[name](D.constraints).check(tp(pt.tensor(x))).all())


def _low_rank(M: Any, L: Any, seed: int) -> Any:
    r = np.random.default_rng(seed)
    return M.LowRankMultivariateNormal(
        L(r.standard_normal((2, 3))), L(r.standard_normal((2, 3, 2))), L(r.uniform(0.5, 2, 3))
    )


def _full(M: Any, L: Any, seed: int) -> Any:
    r = np.random.default_rng(seed)
    a = r.standard_normal((3, 3))
    return M.MultivariateNormal(L(r.standard_normal(3)), L(a @ a.T + np.eye(3)))


@pytest.mark.parametrize(
    ("p", "q"), [(_low_rank, _low_rank), (_full, _low_rank), (_low_rank, _full)]
)
def test_low_rank_kl_divergences_match_torch(backend: str, p: Any, q: Any) -> None:
    _close(
        D.kl_divergence(p(D, pt.tensor, 1), q(D, pt.tensor, 2)),
        TD.kl_divergence(p(TD, torch.tensor, 1), q(TD, torch.tensor, 2)),
        "kl",
    )
