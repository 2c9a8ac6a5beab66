"""PyTorch's other random draws: ``pt.normal`` (its four forms), ``pt.bernoulli``,
``pt.multinomial``, and the in-place fills ``normal_``, ``uniform_``, ``exponential_``,
``random_`` and ``bernoulli_``; and ``is_contiguous()`` / ``contiguous()``.

Each draw comes from the counter-based stream, so a seed gives the same numbers on every
backend; the distributions are checked by their moments or frequencies on large draws, the
gradients and the errors against PyTorch's."""

from __future__ import annotations

import collections
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn

BACKENDS = ["numpy", "dask", "array_api_strict"]


def _on(name: str) -> Any:
    try:
        pt.backends.get(name)
    except pt.backends.BackendUnavailable as e:
        pytest.skip(f"{name} cannot run here: {e}")
    return pt.use_backend(name)


def _host(t: pt.Tensor) -> np.ndarray:
    return np.asarray(t.to("numpy").numpy())


DRAWS = {
    "normal numbers": lambda: pt.normal(2.0, 3.0, (300, 7)),
    "normal tensors": lambda: pt.normal(pt.zeros(300, 1), pt.full((7,), 3.0)),
    "normal tensor mean": lambda: pt.normal(pt.arange(7.0), 0.5),
    "normal tensor std": lambda: pt.normal(1.0, pt.full((300, 7), 2.0, dtype=pt.float64)),
    "bernoulli": lambda: pt.bernoulli(pt.full((300, 7), 0.3)),
    "bernoulli p": lambda: pt.bernoulli(pt.zeros(300, 7), 0.7),
    "multinomial": lambda: pt.multinomial(pt.tensor([[1.0, 0.0, 3.0], [0.5, 0.5, 0.0]]), 2),
    "multinomial replacement": lambda: pt.multinomial(pt.tensor([1.0, 0.0, 3.0]), 50, True),
    "normal_": lambda: pt.empty(300, 7).normal_(1.0, 0.5),
    "uniform_": lambda: pt.empty(300, 7).uniform_(-2.0, 3.0),
    "exponential_": lambda: pt.empty(300, 7, dtype=pt.float64).exponential_(4.0),
    "random_": lambda: pt.zeros(300, 7, dtype=pt.int64).random_(-3, 9),
    "bernoulli_": lambda: pt.empty(300, 7).bernoulli_(pt.full((7,), 0.2)),
}


@pytest.mark.parametrize("draw", sorted(DRAWS))
@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_same_numbers_on_every_backend(backend: str, draw: str) -> None:
    pt.manual_seed(5)
    ref = _host(DRAWS[draw]())
    with _on(backend):
        pt.manual_seed(5)
        got = DRAWS[draw]()
        assert got._backend.name == backend
        got = _host(got)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)


def test_a_seed_repeats_and_a_generator_is_its_own() -> None:
    pt.manual_seed(3)
    a = _host(pt.normal(0.0, 1.0, (50,)))
    pt.manual_seed(3)
    b = _host(pt.normal(0.0, 1.0, (50,)))
    np.testing.assert_array_equal(a, b)
    g1, g2 = pt.Generator().manual_seed(9), pt.Generator().manual_seed(9)
    x = pt.empty(40).uniform_(generator=g1)
    y = pt.empty(40).uniform_(generator=g2)
    assert np.array_equal(_host(x), _host(y))
    assert not np.array_equal(_host(pt.empty(40).uniform_(generator=g1)), _host(x))


def test_normal_forms_shapes_dtypes_and_moments() -> None:
    pt.manual_seed(0)
    x = pt.normal(2.0, 3.0, (200_000,))
    assert x.dtype == pt.float32 and x.shape == (200_000,)
    v = _host(x).astype(np.float64)
    assert abs(v.mean() - 2.0) < 0.03 and abs(v.std() - 3.0) < 0.03
    assert pt.normal(0, 1, size=(2,), dtype=pt.float64).dtype == pt.float64
    assert pt.normal(0.0, 1.0, [4, 2]).shape == (4, 2)
    # tensor forms: broadcast shape, the tensors' dtype, elementwise means and deviations
    m = pt.tensor([0.0, 100.0, -50.0], dtype=pt.float64)
    s = pt.tensor([1.0, 0.0, 2.0], dtype=pt.float64)
    y = _host(pt.normal(m.expand(100_000, 3), s))
    assert y.dtype == np.float64 and y.shape == (100_000, 3)
    np.testing.assert_allclose(y.mean(axis=0), [0.0, 100.0, -50.0], atol=0.03)
    np.testing.assert_allclose(y.std(axis=0), [1.0, 0.0, 2.0], atol=0.03)
    assert pt.normal(pt.zeros(2, 1), pt.ones(3)).shape == (2, 3)
    assert pt.normal(pt.zeros(4)).shape == (4,)
    assert pt.normal(5.0, pt.ones(3)).shape == (3,)


def test_normal_out_and_requires_grad() -> None:
    out = pt.zeros(3, 2)
    r = pt.normal(0.0, 1.0, (3, 2), out=out)
    assert r is out and bool((out != 0).all())
    w = pt.normal(0.0, 0.01, (2, 2), requires_grad=True)
    assert w.requires_grad and w.is_leaf


def test_drawn_results_give_their_inputs_zero_gradients_as_torch() -> None:
    m = pt.zeros(3, requires_grad=True)
    s = pt.ones(3, requires_grad=True)
    r = pt.normal(m, s)
    assert r.requires_grad
    (r * r).sum().backward()
    assert m.grad.tolist() == [0.0, 0.0, 0.0] and s.grad.tolist() == [0.0, 0.0, 0.0]
    p = pt.full((4,), 0.5, requires_grad=True)
    pt.bernoulli(p).sum().backward()
    assert p.grad.tolist() == [0.0] * 4
    # an infinite mean leaves no NaN in the gradient path, nor in the values
    mi = pt.tensor([float("inf"), 0.0], requires_grad=True)
    v = pt.normal(mi, 1.0)
    v.sum().backward()
    assert mi.grad.tolist() == [0.0, 0.0] and float(v[0]) == float("inf")
    with pt.no_grad():
        assert not pt.normal(m, s).requires_grad


def test_zero_gradients_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch not installed: no reference")
    m, s = torch.zeros(3, requires_grad=True), torch.ones(3, requires_grad=True)
    (torch.normal(m, s) ** 2).sum().backward()
    pm, ps = pt.zeros(3, requires_grad=True), pt.ones(3, requires_grad=True)
    (pt.normal(pm, ps) ** 2).sum().backward()
    assert pm.grad.tolist() == m.grad.tolist() and ps.grad.tolist() == s.grad.tolist()
    x = torch.zeros(3, requires_grad=True)
    y = x * 2
    y.normal_()
    y.sum().backward()
    px = pt.zeros(3, requires_grad=True)
    py = px * 2
    py.normal_()
    py.sum().backward()
    assert px.grad.tolist() == x.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: pt.normal(0, 1), TypeError, "needs a size"),
        (lambda: pt.normal(0.0, -1.0, (2,)), RuntimeError, "std >= 0.0"),
        (lambda: pt.normal(pt.zeros(2), pt.tensor([1.0, -1.0])), RuntimeError, "negative"),
        (lambda: pt.normal(pt.zeros(2, dtype=pt.int64)), TypeError, "floating"),
        (lambda: pt.normal(pt.zeros(2), 1.0, (2,)), TypeError, "no size"),
        (lambda: pt.normal(pt.zeros(2), pt.ones(2, dtype=pt.complex64)), TypeError, "real"),
        (lambda: pt.normal("0", 1.0, (2,)), TypeError, "number"),
        (lambda: pt.normal(0.0, 1.0, (2,), out=pt.zeros(3)), ValueError, "shape"),
        (lambda: pt.bernoulli(pt.tensor([0.5, 1.5])), RuntimeError, "[0, 1]"),
        (lambda: pt.bernoulli(pt.zeros(2), 2.0), RuntimeError, "[0, 1]"),
        (lambda: pt.bernoulli(pt.zeros(2, dtype=pt.int64)), TypeError, "floating"),
        (lambda: pt.bernoulli([0.5]), TypeError, "tensor"),
        (lambda: pt.multinomial(pt.tensor([1.0, 1.0]), 3), RuntimeError, "at most 2"),
        (lambda: pt.multinomial(pt.tensor([0.0, 1.0]), 2), RuntimeError, "too few"),
        (lambda: pt.multinomial(pt.tensor([0.0, 0.0]), 1, True), RuntimeError, "sums to 0"),
        (lambda: pt.multinomial(pt.tensor([-1.0, 2.0]), 1), RuntimeError, "non-negative"),
        (lambda: pt.multinomial(pt.tensor([float("nan"), 2.0]), 1), RuntimeError, "NaN"),
        (lambda: pt.multinomial(pt.tensor([1.0, 2.0]), 0), ValueError, "positive"),
        (lambda: pt.multinomial(pt.ones(2, 2, 2), 1), ValueError, "1-D or 2-D"),
        (lambda: pt.multinomial(pt.tensor([1, 2]), 1), TypeError, "floating"),
        (lambda: pt.empty(2, dtype=pt.int64).normal_(), TypeError, "random_()"),
        (lambda: pt.empty(2).normal_(0.0, -1.0), RuntimeError, "std >= 0.0"),
        (lambda: pt.empty(2).uniform_(1.0, 0.0), RuntimeError, "from <= to"),
        (lambda: pt.empty(2).exponential_(0.0), RuntimeError, "lambd > 0"),
        (lambda: pt.zeros(2, dtype=pt.int64).random_(3, 3), RuntimeError, "from < to"),
        (lambda: pt.zeros(2, dtype=pt.int64).random_(0.5), TypeError, "int bounds"),
        (lambda: pt.empty(2).bernoulli_(-0.1), RuntimeError, "[0, 1]"),
        (lambda: pt.zeros(2, requires_grad=True).normal_(), RuntimeError, "leaf"),
        # (arrays and tensors of several elements, or none, where a number goes: NumPy's
        # "only 0-dimensional arrays can be converted to Python scalars" named no function)
        (
            lambda: pt.empty(2).bernoulli_(np.ones((2, 3))),
            TypeError,
            "bernoulli_() expects a number (or a tensor of one element) for p",
        ),
        (
            lambda: pt.empty(2).bernoulli_(np.zeros(0, np.int32)),
            TypeError,
            "bernoulli_() expects a number (or a tensor of one element) for p",
        ),
        (
            lambda: pt.empty(2, 3).bernoulli_(pt.tensor([0.1, 0.2])),
            RuntimeError,
            "bernoulli_() expects p to broadcast to the tensor's shape (2, 3); got p of shape (2,)",
        ),
        (
            lambda: pt.empty(2).normal_(std=np.ones((2, 1, 2))),
            TypeError,
            "normal_() expects a number (or a tensor of one element) for std",
        ),
        (
            lambda: pt.empty(2).normal_(std=pt.tensor([1.0, 2.0])),
            TypeError,
            "normal_() expects a number (or a tensor of one element) for std",
        ),
        (
            lambda: pt.empty(2).normal_(mean=pt.tensor([1.0, 2.0])),
            TypeError,
            "normal_() expects a number (or a tensor of one element) for mean",
        ),
        (
            lambda: pt.empty(2).log_normal_(np.ones((0, 4))),
            TypeError,
            "log_normal_() expects a number (or a tensor of one element) for mean",
        ),
    ],
)
def test_errors_say_what_was_wrong(call: Any, error: type, words: str) -> None:
    with pytest.raises(error, match=None) as info:
        call()
    assert words in str(info.value)


def test_dask_refuses_a_negative_std_when_computed_without_computing_before() -> None:
    with _on("dask"):
        r = pt.normal(pt.zeros(3), pt.tensor([1.0, -1.0, 1.0]))
        assert r._backend.name == "dask"
        with pytest.raises(RuntimeError, match=r"std >= 0\.0; some are negative or NaN.*-1\.0"):
            _host(r)


def test_multinomial_frequencies_and_order() -> None:
    pt.manual_seed(1)
    p = [0.5, 0.3, 0.2]
    draws = pt.multinomial(pt.tensor(p).repeat(30_000, 1), 2).tolist()
    seen = collections.Counter(map(tuple, draws))
    # sequential drawing without replacement: P(i, j) = p_i * p_j / (1 - p_i)
    expected = {(i, j): p[i] * p[j] / (1 - p[i]) for i in range(3) for j in range(3) if i != j}
    chi2 = sum((seen[k] - 30_000 * e) ** 2 / (30_000 * e) for k, e in expected.items())
    assert set(seen) <= set(expected) and chi2 < 25.0  # 5 degrees of freedom: p < 1e-4
    counts = collections.Counter(pt.multinomial(pt.tensor(p), 60_000, replacement=True).tolist())
    np.testing.assert_allclose([counts[i] / 60_000 for i in range(3)], p, atol=0.01)
    # a weight of 0 is never drawn, with or without replacement; unnormalised weights
    w = pt.tensor([0.0, 10.0, 3.0, 0.0], dtype=pt.float64)
    for _ in range(20):
        assert sorted(pt.multinomial(w, 2).tolist()) == [1, 2]
    assert set(pt.multinomial(w, 500, replacement=True).tolist()) == {1, 2}
    out = pt.multinomial(pt.tensor([[1.0, 0.0], [0.0, 1.0]]), 3, True)
    assert out.dtype == pt.int64 and out.tolist() == [[0, 0, 0], [1, 1, 1]]
    assert pt.tensor([0.0, 1.0]).multinomial(2, replacement=True).tolist() == [1, 1]


def test_multinomial_takes_the_last_positive_category_when_a_draw_rounds_up() -> None:
    # trailing zero weights: a draw u * total that rounds to the total lands on category 1,
    # never on the zero-weight categories after it
    w = pt.tensor([1e-300, 1.0, 0.0, 0.0], dtype=pt.float64)
    got = set(pt.multinomial(w, 2000, replacement=True).tolist())
    assert got <= {0, 1} and 1 in got


def test_bernoulli_frequencies_dtype_and_method() -> None:
    pt.manual_seed(2)
    x = pt.bernoulli(pt.full((100_000,), 0.3, dtype=pt.float64))
    assert x.dtype == pt.float64 and set(_host(x).tolist()) == {0.0, 1.0}
    assert abs(float(x.mean()) - 0.3) < 0.01
    assert pt.tensor([0.0, 1.0]).bernoulli().tolist() == [0.0, 1.0]
    assert pt.bernoulli(pt.zeros(5), 1.0).tolist() == [1.0] * 5


def test_in_place_fills() -> None:
    pt.manual_seed(4)
    n = pt.empty(100_000).normal_(1.0, 0.5)
    v = _host(n).astype(np.float64)
    assert abs(v.mean() - 1.0) < 0.01 and abs(v.std() - 0.5) < 0.01
    u = _host(pt.empty(100_000, dtype=pt.float64).uniform_(-2.0, 3.0))
    assert u.min() >= -2.0 and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.02
    assert pt.empty(3).uniform_(**{"from": 5.0, "to": 6.0}).min() >= 5.0
    e = _host(pt.empty(100_000, dtype=pt.float64).exponential_(4.0))
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.005
    r = _host(pt.zeros(10_000, dtype=pt.int64).random_(-3, 9))
    assert set(r.tolist()) == set(range(-3, 9))
    assert set(_host(pt.zeros(1000).random_(4)).tolist()) == {0.0, 1.0, 2.0, 3.0}
    top = _host(pt.zeros(1000).random_())
    assert top.max() <= 2**24 and top.max() > 2**20 and np.all(top == np.round(top))
    assert set(_host(pt.zeros(100, dtype=pt.bool).random_()).tolist()) == {False, True}
    b = _host(pt.empty(50_000, 2).bernoulli_(pt.tensor([0.1, 0.9])))
    np.testing.assert_allclose(b.mean(axis=0), [0.1, 0.9], atol=0.01)
    # the fills write in place and return the tensor itself
    t = pt.zeros(4)
    assert t.normal_() is t and bool((t != 0).all())


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_d2l_initialisation_idiom(backend: str) -> None:
    """``net[0].weight.data.normal_(0, 0.01); net[0].bias.data.fill_(0)`` (Dive into Deep
    Learning's concise linear regression) initialises the parameters themselves."""
    with _on(backend):
        pt.manual_seed(0)
        net = nn.Sequential(nn.Linear(2, 1))
        net[0].weight.data.normal_(0, 0.01)
        net[0].bias.data.fill_(0)
        w = _host(net[0].weight.detach())
        assert net[0].weight.requires_grad and abs(w).max() < 0.1
        assert _host(net[0].bias.detach()).tolist() == [0.0]
        pt.manual_seed(0)
        nn.Linear(2, 1)  # (its initialisation's draws, then the same draw as normal_'s)
        assert np.array_equal(_host(pt.normal(0.0, 0.01, (1, 2))), w)


# -- is_contiguous / contiguous ---------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_is_contiguous_as_torch(backend: str) -> None:
    cases = {
        "fresh": lambda t: t.ones(2, 3),
        "transpose": lambda t: t.ones(2, 3).t(),
        "transpose back": lambda t: t.ones(2, 3).t().t(),
        "strided slice": lambda t: t.arange(12.0).view(3, 4)[:, ::2],
        "row": lambda t: t.arange(12.0).view(3, 4)[1],
        "permute": lambda t: t.ones(2, 3, 4).permute(0, 2, 1),
        "scalar": lambda t: t.ones(()),
    }
    try:
        import torch
    except ImportError:  # (torch is the reference, not a dependency: polytensor's side alone)
        torch = None
    expected = {
        "fresh": True,
        "transpose": False,
        "transpose back": True,
        "strided slice": False,
        "row": True,
        "permute": False,
        "scalar": True,
    }
    with _on(backend):
        for name, make in cases.items():
            x = make(pt)
            assert x.is_contiguous() is expected[name], name
            assert x.contiguous().is_contiguous(), name
            if torch is not None:
                assert make(torch).is_contiguous() is expected[name], name


@pytest.mark.parametrize("backend", BACKENDS)
def test_contiguous_then_view_as_torch(backend: str) -> None:
    """``x.transpose(1, 2).contiguous().view(n, -1)``: view refused a transpose's copy before
    (contiguous() returned the transpose itself)."""
    with _on(backend):
        x = pt.arange(24.0).view(2, 3, 4)
        y = x.transpose(1, 2).contiguous().view(2, -1)
        expect = np.arange(24.0).reshape(2, 3, 4).transpose(0, 2, 1).reshape(2, -1)
        np.testing.assert_array_equal(_host(y), expect)
        c = pt.ones(2)
        assert c.contiguous() is c
        w = pt.ones(2, 3, requires_grad=True)
        (w.t().contiguous().view(-1) * pt.arange(6.0)).sum().backward()
        np.testing.assert_array_equal(_host(w.grad), [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]])
        # a copy: writing it leaves the original alone, as torch's
        t = pt.zeros(2, 3).t()
        t2 = t.contiguous()
        t2 += 1
        assert float(t.sum()) == 0.0


# -- what a review against torch found --------------------------------------------------------


def test_normal_takes_means_dtype_and_zero_d_tensors_as_torch() -> None:
    assert pt.normal(pt.zeros(3, dtype=pt.float64), pt.ones(3)).dtype == pt.float64
    assert pt.normal(pt.zeros(3), pt.ones(3, dtype=pt.float64)).dtype == pt.float32
    assert pt.normal(pt.zeros(3), pt.ones(3, dtype=pt.int64)).dtype == pt.float32
    assert pt.normal(1.0, pt.ones(2, dtype=pt.float64)).dtype == pt.float64
    # PyTorch's overload of numbers takes 0-d tensors when a size is given
    assert pt.normal(pt.tensor(0.0), 1.0, (3,)).shape == (3,)
    assert pt.normal(0.0, pt.tensor(2.0), (2, 2)).shape == (2, 2)
    torch = pytest.importorskip("torch", reason="torch not installed: no reference")
    for m, s in ((pt.float64, pt.float32), (pt.float32, pt.float64)):
        tm = getattr(torch, m.name)
        ts = getattr(torch, s.name)
        want = torch.normal(torch.zeros(2, dtype=tm), torch.ones(2, dtype=ts)).dtype
        got = pt.normal(pt.zeros(2, dtype=m), pt.ones(2, dtype=s)).dtype
        assert got.name == str(want).removeprefix("torch.")


def test_a_nan_std_is_refused_as_a_negative_one() -> None:
    with pytest.raises(RuntimeError, match="negative or NaN"):
        pt.normal(pt.zeros(3), pt.full((3,), float("nan")))
    with pytest.raises(RuntimeError, match=r"std >= 0\.0"):
        pt.normal(0.0, float("nan"), (2,))


@pytest.mark.parametrize(
    ("dtype", "bounds"),
    [
        (pt.uint8, (0, 1000)),
        (pt.uint8, (-5, 5)),
        (pt.int8, (-200, 200)),
        (pt.bool, (0, 5)),
        (pt.float32, (0, 2**25)),
        (pt.int64, (0, 2**64)),
    ],
)
def test_random_refuses_a_range_its_dtype_cannot_hold(dtype: Any, bounds: Any) -> None:
    """Such bounds wrapped around before (uint8 values modulo 256, bool True 4 times in 5)."""
    with pytest.raises(RuntimeError, match=r"does not fit|goes past"):
        pt.zeros(4, dtype=dtype).random_(*bounds)


def test_random_from_with_no_top_and_its_extremes() -> None:
    x = _host(pt.zeros(2000, dtype=pt.int64).random_(3, None))
    assert x.min() >= 3 and x.max() > 2**62  # (up to int64's largest, as PyTorch's)
    assert set(_host(pt.zeros(5000, dtype=pt.int8).random_(-128, 128)).tolist()) >= {-128, 127}
    assert set(_host(pt.zeros(200, dtype=pt.bool).random_(0, 2)).tolist()) == {False, True}
    u = _host(pt.zeros(2000, dtype=pt.uint8).random_())
    assert u.min() >= 0 and u.max() == 255
    with pytest.raises(TypeError, match="random_\\(to\\)"):
        pt.zeros(2, dtype=pt.int64).random_(None, 5)


@pytest.mark.parametrize(
    "bounds", [(0.0, float("inf")), (float("-inf"), 0.0), (-3e38, 3e38), (0.0, float("nan"))]
)
def test_uniform_refuses_bounds_that_would_fill_inf(bounds: Any) -> None:
    with pytest.raises(RuntimeError, match=r"finite bounds|from <= to"):
        pt.zeros(3).uniform_(*bounds)
    assert _host(pt.zeros(3, dtype=pt.float64).uniform_(-3e38, 3e38)).dtype == np.float64


def test_multinomial_with_tiny_weights() -> None:
    """Weights of 1e-310 overflowed the race's E / w to inf, which tied with a zero weight's:
    the zero-weight category was drawn (1,957 times in 2,000)."""
    pt.manual_seed(6)
    w = pt.tensor(np.tile([0.0, 1e-310, 0.0], (2000, 1)))
    assert set(_host(pt.multinomial(w, 1)).ravel().tolist()) == {1}
    w = pt.tensor(np.tile([1e-310, 2e-310], (30_000, 1)))
    freq = np.bincount(_host(pt.multinomial(w, 1)).ravel(), minlength=2) / 30_000
    np.testing.assert_allclose(freq, [1 / 3, 2 / 3], atol=0.01)
    one = pt.tensor([1e-310, 2e-310], dtype=pt.float64)
    freq = np.bincount(_host(pt.multinomial(one, 30_000, True)), minlength=2) / 30_000
    np.testing.assert_allclose(freq, [1 / 3, 2 / 3], atol=0.01)


def test_multinomial_of_no_rows_and_its_two_ways_with_replacement(monkeypatch: Any) -> None:
    empty = pt.multinomial(pt.ones(0, 3), 2)
    assert tuple(empty.shape) == (0, 2) and empty.dtype == pt.int64
    w = pt.rand(50, 7) * (pt.rand(50, 7) > 0.3)
    w[:, 0] = 1.0  # (each row with a positive weight)
    pt.manual_seed(8)
    compared = _host(pt.multinomial(w, 9, True))
    from polytensor import _random

    monkeypatch.setattr(_random, "_COMPARED", 0)  # a search per row instead
    pt.manual_seed(8)
    searched = _host(pt.multinomial(w, 9, True))
    np.testing.assert_array_equal(compared, searched)
    assert np.all(_host(w)[np.arange(50)[:, None], compared] > 0)


def test_bernoulli_with_p_keeps_its_input_in_the_graph_as_torch() -> None:
    x = pt.full((3,), 0.5, requires_grad=True)
    r = pt.bernoulli(x, 0.3)
    assert r.requires_grad
    r.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_memory_formats() -> None:
    x = pt.ones(2, 3).t()
    assert x.contiguous(memory_format=pt.contiguous_format).is_contiguous()
    assert not x.is_contiguous(memory_format=pt.contiguous_format)
    assert x.clone(memory_format=pt.preserve_format).shape == (3, 2)
    assert repr(pt.channels_last) == "polytensor.channels_last"
    with pytest.raises(ValueError, match="C order only"):
        x.contiguous(memory_format=pt.channels_last)
    with pytest.raises(RuntimeError, match="preserve_format"):
        x.contiguous(memory_format=pt.preserve_format)
    with pytest.raises(TypeError, match="memory format"):
        x.is_contiguous(memory_format="c")
    # (`in (channels_last, ...)` compared an array with each: an ambiguous truth value)
    with pytest.raises(TypeError, match=r"^clone\(\) expects memory_format= to be a pt memory"):
        x.clone(memory_format=np.zeros(0, bool))
