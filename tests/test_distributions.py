"""``pt.distributions`` against ``torch.distributions``: log-probabilities, entropies, moments,
cdf/icdf and KL divergences with their gradients in float64, draws' shapes, dtypes and
statistics, the argument checks, and a REINFORCE step, on NumPy, Dask and array-api-strict."""

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


@pytest.fixture(params=[_backend_param(b) for b in ("numpy", "dask", "array_api_strict")])
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
LOGITS = RNG.standard_normal((4, 5))
PROBS = RNG.uniform(0.05, 1.0, (4, 5))
P01 = RNG.uniform(0.05, 0.95, (4,))
LOC = RNG.standard_normal((4,))
SCALE = RNG.uniform(0.5, 2.0, (4,))
LOW = RNG.standard_normal((4,))
HIGH = LOW + RNG.uniform(0.5, 2.0, (4,))
RATE = RNG.uniform(0.5, 3.0, (4,))

# name: (factory(lib, *params), parameter arrays, a value for log_prob as a function of lib)
CASES: dict[str, tuple[Any, list[np.ndarray], Any]] = {
    "categorical logits": (
        lambda M, a: M.Categorical(logits=a),
        [LOGITS],
        lambda lib: lib.tensor([0, 4, 2, 1]),
    ),
    "categorical probs": (
        lambda M, a: M.Categorical(probs=a),
        [PROBS],
        lambda lib: lib.tensor([[3, 0, 2, 1], [1, 1, 4, 0]]),  # sample-shaped values
    ),
    "bernoulli probs": (
        lambda M, a: M.Bernoulli(probs=a),
        [P01],
        lambda lib: lib.tensor([1.0, 0.0, 1.0, 1.0], dtype=lib.float64),
    ),
    "bernoulli logits": (
        lambda M, a: M.Bernoulli(logits=a),
        [LOC * 3],
        lambda lib: lib.tensor([0.0, 0.0, 1.0, 1.0], dtype=lib.float64),
    ),
    "normal": (
        lambda M, a, b: M.Normal(a, b),
        [LOC, SCALE],
        lambda lib: lib.tensor([[0.3, -1.0, 2.0, 0.0]], dtype=lib.float64),
    ),
    "uniform": (
        lambda M, a, b: M.Uniform(a, b),
        [LOW, HIGH],
        lambda lib: lib.tensor((LOW + HIGH) / 2),
    ),
    "exponential": (
        lambda M, a: M.Exponential(a),
        [RATE],
        lambda lib: lib.tensor([0.1, 1.0, 2.5, 0.0], dtype=lib.float64),
    ),
}


def _pair(name: str) -> tuple[Any, Any, list[Any], list[Any]]:
    make, arrays, _ = CASES[name]
    ps = [pt.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    return make(D, *ps), make(TD, *ts), ps, ts


def _grads_agree(out_p: Any, out_t: Any, ps: list[Any], ts: list[Any], what: str) -> None:
    r = np.random.default_rng(3).standard_normal(tuple(out_t.shape))
    gt = torch.autograd.grad(
        (out_t * torch.tensor(r)).sum(), ts, retain_graph=True, allow_unused=True
    )
    gp = pt.autograd.grad((out_p * pt.tensor(r)).sum(), ps, retain_graph=True, allow_unused=True)
    for i, (a, b) in enumerate(zip(gp, gt, strict=True)):
        if b is None:  # (an entropy that does not depend on a parameter)
            assert a is None or not np.any(_host(a)), f"{what}: gradient {i}"
        else:
            _close(a, b, f"{what}: gradient {i}", rtol=1e-9)


@pytest.mark.parametrize("name", list(CASES))
def test_log_prob_and_entropy_match_torch(backend: str, name: str) -> None:
    dp, dt_, ps, ts = _pair(name)
    value = CASES[name][2]
    out_p, out_t = dp.log_prob(value(pt)), dt_.log_prob(value(torch))
    _close(out_p, out_t, f"{name} log_prob")
    _grads_agree(out_p, out_t, ps, ts, f"{name} log_prob")
    ent_p, ent_t = dp.entropy(), dt_.entropy()
    _close(ent_p, ent_t, f"{name} entropy")
    _grads_agree(ent_p, ent_t, ps, ts, f"{name} entropy")


@pytest.mark.parametrize("name", list(CASES))
def test_moments_match_torch(name: str) -> None:
    dp, dt_, _, _ = _pair(name)
    assert dp.batch_shape == tuple(dt_.batch_shape)
    assert dp.event_shape == tuple(dt_.event_shape)
    for attr in ("mean", "mode", "variance", "stddev"):
        _close(getattr(dp, attr), getattr(dt_, attr), f"{name} {attr}")
    np.testing.assert_allclose(_host(dp.perplexity()), dt_.perplexity().detach().numpy())


@pytest.mark.parametrize("name", ["normal", "uniform", "exponential"])
def test_cdf_and_icdf_match_torch(name: str) -> None:
    dp, dt_, ps, ts = _pair(name)
    q = np.array([0.1, 0.4, 0.5, 0.95])
    out_p, out_t = dp.icdf(pt.tensor(q)), dt_.icdf(torch.tensor(q))
    _close(out_p, out_t, f"{name} icdf")
    _grads_agree(out_p, out_t, ps, ts, f"{name} icdf")
    x = out_t.detach().numpy()
    _close(dp.cdf(pt.tensor(x)), dt_.cdf(torch.tensor(x)), f"{name} cdf")


def test_enumerate_support_matches_torch() -> None:
    for name in ("categorical logits", "bernoulli probs"):
        dp, dt_, _, _ = _pair(name)
        for expand in (True, False):
            got = _host(dp.enumerate_support(expand))
            want = dt_.enumerate_support(expand).numpy()
            np.testing.assert_array_equal(got, want)
            assert got.dtype == want.dtype


KL_PAIRS = {
    "normal": (lambda M, a, b, c, d: (M.Normal(a, b), M.Normal(c, d)), [LOC, SCALE, LOW, RATE]),
    "categorical": (
        lambda M, a, b: (M.Categorical(logits=a), M.Categorical(probs=b)),
        [LOGITS, PROBS],
    ),
    "bernoulli": (
        lambda M, a, b: (M.Bernoulli(probs=a), M.Bernoulli(logits=b)),
        [P01, LOC],
    ),
    "uniform": (
        lambda M, a, b, c, d: (M.Uniform(a, b), M.Uniform(c, d)),
        [LOW, HIGH, LOW - 1.0, HIGH + 0.5],
    ),
    "exponential": (lambda M, a, b: (M.Exponential(a), M.Exponential(b)), [RATE, SCALE]),
}


@pytest.mark.parametrize("name", list(KL_PAIRS))
def test_kl_divergence_matches_torch(backend: str, name: str) -> None:
    make, arrays = KL_PAIRS[name]
    ps = [pt.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_p = D.kl_divergence(*make(D, *ps))
    out_t = TD.kl_divergence(*make(TD, *ts))
    _close(out_p, out_t, f"{name} kl")
    _grads_agree(out_p, out_t, ps, ts, f"{name} kl")


def test_kl_divergence_infinite_where_torch_gives_infinity() -> None:
    for make in (
        lambda M, lib: (M.Uniform(0.0, 2.0), M.Uniform(0.5, 3.0)),
        lambda M, lib: (
            M.Categorical(probs=lib.tensor([0.5, 0.5])),
            M.Categorical(probs=lib.tensor([1.0, 0.0])),
        ),
        lambda M, lib: (M.Bernoulli(probs=lib.tensor(0.3)), M.Bernoulli(probs=lib.tensor(1.0))),
    ):
        got = D.kl_divergence(*make(D, pt))
        want = TD.kl_divergence(*make(TD, torch))
        np.testing.assert_array_equal(_host(got), want.numpy())


def test_kl_divergence_of_unregistered_types_says_so() -> None:
    with pytest.raises(NotImplementedError, match="register_kl"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Uniform(0.0, 1.0))


@pytest.mark.parametrize("name", list(CASES))
def test_samples_have_torch_shapes_and_dtypes(backend: str, name: str) -> None:
    dp, dt_, _, _ = _pair(name)
    for shape in ((), (3,), (2, 3)):
        got, want = dp.sample(shape), dt_.sample(shape)
        assert tuple(got.shape) == tuple(want.shape), (name, shape)
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1], name
        assert not got.requires_grad
    # (torch's Categorical refuses to draw no samples)
    assert tuple(dp.sample((2, 0)).shape) == (2, 0, *dp.batch_shape)


def test_sample_statistics() -> None:
    pt.manual_seed(1)
    n = 20_000
    c = D.Categorical(probs=pt.tensor([0.1, 0.2, 0.7]))
    freq = np.bincount(_host(c.sample((n,))), minlength=3) / n
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.7], atol=0.015)
    b = D.Bernoulli(probs=pt.tensor([0.25, 0.9]))
    np.testing.assert_allclose(_host(b.sample((n,))).mean(0), [0.25, 0.9], atol=0.015)
    for d, mean, var in (
        (D.Normal(pt.tensor(1.5), pt.tensor(2.0)), 1.5, 4.0),
        (D.Uniform(pt.tensor(-1.0), pt.tensor(3.0)), 1.0, 16 / 12),
        (D.Exponential(pt.tensor(2.0)), 0.5, 0.25),
    ):
        s = _host(d.sample((n,)))
        assert abs(s.mean() - mean) < 0.05, type(d).__name__
        assert abs(s.var() - var) / var < 0.05, type(d).__name__
    u = _host(D.Uniform(pt.tensor(-1.0), pt.tensor(3.0)).sample((n,)))
    assert u.min() >= -1.0 and u.max() < 3.0


def test_samples_follow_the_seed() -> None:
    def draw() -> list[np.ndarray]:
        pt.manual_seed(123)
        return [
            _host(D.Normal(0.0, 1.0).sample((4,))),
            _host(D.Categorical(logits=pt.zeros(6)).sample((4,))),
        ]

    for a, b in zip(draw(), draw(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_rsample_is_differentiable_and_sample_is_not() -> None:
    loc = pt.tensor([0.5, -1.0], requires_grad=True)
    scale = pt.tensor([2.0, 0.5], requires_grad=True)
    pt.manual_seed(0)
    x = D.Normal(loc, scale).rsample((3,))
    x.sum().backward()
    eps = (_host(x) - _host(loc)) / _host(scale)
    np.testing.assert_allclose(_host(loc.grad), [3.0, 3.0])
    np.testing.assert_allclose(_host(scale.grad), eps.sum(0), rtol=1e-6)
    assert not D.Normal(loc, scale).sample().requires_grad
    with pytest.raises(NotImplementedError, match="sample"):
        D.Categorical(logits=pt.zeros(2)).rsample()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: D.Normal(0.0, -1.0), "scale"),
        (lambda: D.Normal(pt.tensor([0.0, float("nan")]), 1.0), "loc"),
        (lambda: D.Categorical(probs=pt.tensor([0.5, -0.1])), "probs"),
        (lambda: D.Bernoulli(probs=pt.tensor([1.5])), "probs"),
        (lambda: D.Uniform(1.0, 1.0), "low"),
        (lambda: D.Exponential(0.0), "rate"),
        (lambda: D.Categorical(probs=pt.ones(2), logits=pt.ones(2)), "exactly one"),
        (lambda: D.Categorical(logits=pt.tensor(1.0)), "dimension"),
        (lambda: D.Categorical(logits=pt.zeros(3)).log_prob(pt.tensor(3)), "categor"),
        (lambda: D.Bernoulli(probs=pt.tensor(0.5)).log_prob(pt.tensor(0.5)), "0 or 1"),
        (lambda: D.Uniform(0.0, 1.0).log_prob(pt.tensor(2.0)), "low, high"),
        (lambda: D.Categorical(probs=pt.zeros((2, 3))), "probs"),
        (lambda: D.Categorical(probs=pt.ones((2, 0))), "probs"),
        (lambda: D.Categorical(logits=pt.tensor([float("-inf")] * 2)), "logits"),
        (lambda: D.Categorical(logits=pt.tensor([float("inf"), 0.0])), "logits"),
    ],
)
def test_invalid_arguments_raise_value_error_as_torch(make: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        make()


def test_checks_can_be_turned_off() -> None:
    d = D.Normal(0.0, -1.0, validate_args=False)
    assert float(d.scale) == -1.0
    lp = D.Uniform(0.0, 1.0, validate_args=False).log_prob(pt.tensor(2.0))
    assert float(lp) == -np.inf
    D.Distribution.set_default_validate_args(False)
    try:
        D.Exponential(-1.0)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(TypeError, match="Python numbers"):
        D.Normal("0", 1.0)
    with pytest.raises(TypeError, match="floating"):
        D.Normal(pt.tensor([0, 1]), 1.0)


def test_edge_values_match_torch() -> None:
    """The closed support of Uniform (log_prob(high) is -inf, not an error), the gradient of
    Uniform.log_prob outside the support, Exponential's mode at an infinite rate and boolean
    categories, as torch."""
    inf = float("inf")
    assert float(D.Uniform(0.0, 1.0).log_prob(pt.tensor(1.0))) == -inf
    assert TD.Uniform(0.0, 1.0).log_prob(torch.tensor(1.0)).item() == -inf
    low, low_t = pt.tensor(0.0, requires_grad=True), torch.tensor(0.0, requires_grad=True)
    D.Uniform(low, 2.0, validate_args=False).log_prob(pt.tensor(3.0)).backward()
    TD.Uniform(low_t, 2.0, validate_args=False).log_prob(torch.tensor(3.0)).backward()
    assert float(low.grad) == low_t.grad.item() == 0.5
    _close(
        D.Exponential(pt.tensor([2.0, inf])).mode,
        TD.Exponential(torch.tensor([2.0, inf])).mode,
        "mode",
    )
    lp = D.Categorical(logits=pt.tensor([0.0, 1.0])).log_prob(pt.tensor(True))
    _close(lp, TD.Categorical(logits=torch.tensor([0.0, 1.0])).log_prob(torch.tensor(True)), "bool")
    logits = pt.tensor([[0.0, 1.0], [-inf, 0.0]])
    assert D.Categorical(logits=logits).probs.tolist() == [
        pytest.approx([0.26894142, 0.7310586]),
        [0.0, 1.0],
    ]
    assert tuple(D.Categorical(logits=pt.zeros((2, 0))).entropy().shape) == (2,)


def test_python_numbers_take_the_tensor_dtype_or_the_default() -> None:
    assert D.Normal(0.0, 1.0).loc.dtype == pt.float32
    assert D.Normal(pt.zeros(2, dtype=pt.float64), 1.0).scale.dtype == pt.float64
    assert tuple(D.Normal(pt.zeros(2), 1.0).scale.shape) == (2,)


def test_reinforce_step_matches_torch() -> None:
    """The REINFORCE update of pytorch/examples: a policy network's action probabilities, a
    Categorical of them, ``-log_prob(action) * return`` summed and backpropagated; the same
    actions (drawn by polytensor) given to torch give the same gradients."""
    rng = np.random.default_rng(5)
    w1, w2 = rng.standard_normal((4, 16)) * 0.5, rng.standard_normal((16, 2)) * 0.5
    states = rng.standard_normal((6, 4))
    returns = rng.standard_normal(6)

    def policy(lib: Any, W1: Any, W2: Any) -> Any:
        x = lib.tensor(states)
        return lib.nn.functional.softmax(lib.nn.functional.relu(x @ W1) @ W2, dim=1)

    P1, P2 = pt.tensor(w1, requires_grad=True), pt.tensor(w2, requires_grad=True)
    m = D.Categorical(policy(pt, P1, P2))
    pt.manual_seed(0)
    actions = m.sample()
    loss = (-m.log_prob(actions) * pt.tensor(returns)).sum()
    loss.backward()

    T1, T2 = torch.tensor(w1, requires_grad=True), torch.tensor(w2, requires_grad=True)
    mt = TD.Categorical(policy(torch, T1, T2))
    loss_t = (-mt.log_prob(torch.tensor(_host(actions))) * torch.tensor(returns)).sum()
    loss_t.backward()
    np.testing.assert_allclose(float(loss), loss_t.item(), rtol=1e-12)
    _close(P1.grad, T1.grad, "W1 grad")
    _close(P2.grad, T2.grad, "W2 grad")


def test_namespace_access_as_torch() -> None:
    assert pt.distributions.Categorical is D.Categorical
    from polytensor.distributions import Normal

    assert "Normal" in repr(Normal(0.0, 1.0))
