"""PyTorch's process-wide settings and more random fills: ``set_printoptions`` changes how
tensors print as torch's does, ``get_rng_state``/``set_rng_state`` round-trip the default
generator, ``set_num_threads``/``get_num_threads`` record the number, and ``geometric_``,
``log_normal_``, ``cauchy_`` fill with their distributions, the same numbers on every backend,
as the other fills behave in autograd."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402


@pytest.fixture
def printing() -> Iterator[None]:
    yield
    pt.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def _body(t: Any) -> str:
    """The values part of a repr: ``[...]`` without ``tensor(`` and the keywords."""
    text = repr(t)
    return text[text.index("[") : text.rindex("]") + 1]


@pytest.mark.parametrize(
    ("options", "values"),
    [
        ({"precision": 2}, [1.0, 2.3456, -0.5]),
        ({"precision": 3}, [[1.0, 2.3456], [10.5, 0.25]]),
        ({"precision": 2, "sci_mode": False}, [1.123456789, 2.5, 1e-5]),
        ({"sci_mode": True}, [1.5, 2.25]),
        ({"precision": 1, "threshold": 5, "edgeitems": 2}, list(range(10))),
        ({"precision": 1, "linewidth": 20}, list(range(10))),
        ({"profile": "short"}, [[0.123456] * 8] * 8),
    ],
)
def test_set_printoptions_prints_values_as_torch(
    printing: None, options: dict[str, Any], values: Any
) -> None:
    pt.set_printoptions(**options)
    torch.set_printoptions(**options)
    data = np.array(values, dtype=np.float32)
    got, want = _body(pt.asarray(data)), _body(torch.tensor(data))
    assert got.split() == want.split()  # (the same values, digits and line breaks)
    assert got.count("\n") == want.count("\n")


def test_set_printoptions_keeps_what_is_not_given_and_profile_default_restores(
    printing: None,
) -> None:
    x = pt.asarray([1.0, 2.3456])
    before = repr(x)
    pt.set_printoptions(precision=2)
    pt.set_printoptions(linewidth=100)
    assert repr(x) == "tensor([1.00, 2.35], backend='numpy')"
    pt.set_printoptions(threshold=float("inf"))
    assert "..." not in repr(pt.arange(5000))
    pt.set_printoptions(profile="default")
    assert repr(x) == before
    assert "..." in repr(pt.arange(5000))
    with pytest.raises(ValueError, match=r"profile='wide'.*'default', 'short' or 'full'"):
        pt.set_printoptions(profile="wide")
    with pytest.raises(ValueError, match="precision >= 0"):
        pt.set_printoptions(precision=-1)
    with pytest.raises(TypeError, match="linewidth to be an int"):
        pt.set_printoptions(linewidth="80")


def test_rng_state_round_trips_so_draws_repeat(backend: str) -> None:
    pt.manual_seed(3)
    _ = pt.rand(4)
    state = pt.get_rng_state()
    assert state.dtype == pt.uint8 and state.shape == (16,)
    a, b = host(pt.rand(5)), host(pt.randn(2, 3))
    _ = pt.rand(7)
    pt.set_rng_state(state)
    np.testing.assert_array_equal(host(pt.rand(5)), a)
    np.testing.assert_array_equal(host(pt.randn(2, 3)), b)
    with pytest.raises(TypeError, match="uint8 tensor"):
        pt.set_rng_state(pt.zeros(16))
    with pytest.raises(RuntimeError, match="16 bytes"):
        pt.set_rng_state(pt.zeros(5, dtype=pt.uint8))


def test_torch_rng_state_is_a_byte_tensor_too() -> None:
    assert torch.get_rng_state().dtype == torch.uint8
    assert pt.get_rng_state().dtype == pt.uint8


def test_num_threads_are_recorded_and_checked_as_torch() -> None:
    before = pt.get_num_threads()
    assert before >= 1
    try:
        pt.set_num_threads(3)
        assert pt.get_num_threads() == 3
    finally:
        pt.set_num_threads(before)
    with pytest.raises(RuntimeError, match="positive int"):
        pt.set_num_threads(0)
    with pytest.raises(RuntimeError, match="positive integer"):
        torch.set_num_threads(0)
    with pytest.raises(TypeError, match="positive int"):
        pt.set_num_threads(2.5)


N = 200_000


@pytest.mark.parametrize(
    ("name", "args", "check"),
    [
        (
            "geometric_",
            (0.3,),
            lambda v: (v.min() >= 1, np.all(v == np.floor(v)), abs(v.mean() - 1 / 0.3) < 0.05),
        ),
        (
            "log_normal_",
            (0.5, 0.25),
            lambda v: (abs(np.log(v).mean() - 0.5) < 0.01, abs(np.log(v).std() - 0.25) < 0.01),
        ),
        (
            "cauchy_",
            (1.0, 2.0),
            lambda v: (
                abs(np.median(v) - 1.0) < 0.05,
                abs(np.percentile(v, 75) - np.median(v) - 2.0) < 0.1,
            ),
        ),
    ],
)
def test_random_fills_follow_their_distribution_alike_on_every_backend(
    backend: str, name: str, args: tuple[Any, ...], check: Any
) -> None:
    pt.manual_seed(11)
    x = pt.empty(N, dtype=pt.float64)
    assert getattr(x, name)(*args) is x
    v = host(x)
    assert all(check(v))
    with pt.use_backend("numpy"):
        pt.manual_seed(11)
        ref = getattr(pt.empty(N, dtype=pt.float64), name)(*args).numpy()
    np.testing.assert_array_equal(v, ref)  # (the same numbers on every backend)
    # torch has the same distribution (its numbers are its own)
    t = getattr(torch.empty(N, dtype=torch.float64), name)(*args).numpy()
    assert all(check(t))


def test_random_fills_refuse_as_torch() -> None:
    for p in (0, 1, 1.5):
        with pytest.raises(RuntimeError, match=r"geometric_\(\) expects p to be in \(0, 1\)"):
            pt.empty(3).geometric_(p)
    with pytest.raises(RuntimeError, match=r"std > 0.0"):
        pt.empty(3).log_normal_(0.0, 0.0)
    with pytest.raises(RuntimeError, match=r"sigma > 0.0"):
        pt.empty(3).cauchy_(0.0, 0.0)
    with pytest.raises(TypeError, match="real floating-point"):
        pt.zeros(3, dtype=pt.int64).cauchy_()
    with pytest.raises(TypeError, match="real floating-point"):
        pt.zeros(3, dtype=pt.int64).log_normal_()
    with pytest.raises(TypeError, match="real numeric"):
        pt.zeros(3, dtype=pt.bool).geometric_(0.5)
    ints = pt.zeros(1000, dtype=pt.int64).geometric_(0.5)  # (integers, as torch's)
    assert ints.dtype == pt.int64 and int(ints.min()) >= 1


def test_random_fills_refuse_a_leaf_and_keep_a_graph_at_zero_gradient() -> None:
    leaf = pt.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        leaf.cauchy_()
    w = pt.ones(3, requires_grad=True)
    y = w * 2
    y.log_normal_()
    (y * 1).sum().backward()
    assert w.grad.tolist() == [0.0, 0.0, 0.0]
    v = pt.zeros(2, 3)
    v[0].geometric_(0.5)
    assert bool((v[0] >= 1).all()) and v[1].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("rate", [0.0, 0.7, 4.0, 9.5, 10.0, 250.0])
def test_poisson_counts_follow_the_distribution_the_same_on_every_backend(
    backend: str, rate: float
) -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    rates = np.full(50_000, rate)
    rates[::7] = 2.5  # (rates of their own per element)
    pt.manual_seed(4)
    x = pt.poisson(pt.asarray(rates))
    assert x.dtype == pt.float64 and tuple(x.shape) == rates.shape
    v = host(x)
    with pt.use_backend("numpy"):
        pt.manual_seed(4)
        np.testing.assert_array_equal(pt.poisson(pt.asarray(rates)).numpy(), v)
    assert np.all(v == np.floor(v)) and v.min() >= 0
    got = v[rates == rate]
    if rate == 0.0:
        assert not got.any()
        return
    # a chi-square test of the counts against the distribution (and torch's, for reference)
    t = torch.poisson(torch.tensor(rates)).numpy()[rates == rate]
    ks = np.arange(
        int(scipy_stats.poisson.ppf(1e-4, rate)), int(scipy_stats.poisson.ppf(1 - 1e-4, rate))
    )
    for sample in (got, t):
        observed = np.array([(sample == k).sum() for k in ks])
        expected = scipy_stats.poisson.pmf(ks, rate) * sample.size
        keep = expected > 20
        chi2 = (((observed - expected) ** 2) / expected)[keep].sum()
        assert scipy_stats.chi2.sf(chi2, keep.sum() - 1) > 1e-4


def test_poisson_rates_get_a_zero_gradient_and_bad_rates_are_refused(backend: str) -> None:
    rates = pt.asarray([1.0, 20.0], requires_grad=True)
    y = pt.poisson(rates)
    assert y.requires_grad
    y.sum().backward()
    assert host(rates.grad).tolist() == [0.0, 0.0]
    assert pt.poisson(pt.ones(3)).dtype == pt.float32
    with pytest.raises(TypeError, match="real floating dtype"):
        pt.poisson(pt.asarray([1, 2]))
    if not pt.backends.get(backend).lazy:
        for bad in (-1.0, float("nan"), float("inf")):
            with pytest.raises(RuntimeError, match="non-negative, finite rates"):
                pt.poisson(pt.asarray([1.0, bad]))
    else:
        assert type(pt.poisson(pt.ones(3))._data).__module__.startswith("dask")
