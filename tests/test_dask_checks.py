"""Values a function cannot take, found in a Dask tensor's data, raise the NumPy backend's
error when the result is computed (the values are unknown until then, and the backend never
computes behind the user's back): never a silently meaningless number. Inputs are split into
chunks of 1, 2 and 3, so that the bad value lies in one chunk among several."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.distributions as D

pytest.importorskip("dask.array", reason="the dask backend needs dask installed")

CHUNKS = [1, 2, 3]


def _t(values: list[float]) -> pt.Tensor:
    return pt.asarray(np.array(values))


def _refused_alike(fn: Callable[[], Any], chunks: int) -> str:
    """The NumPy backend's error for ``fn()``; the Dask backend's, raised only when its lazy
    result is computed, is checked to be the same class with the same message."""
    with pt.use_backend("numpy"), pytest.raises(RuntimeError) as eager:
        fn()
    with pt.use_backend("dask", chunks=chunks):
        out = fn()
        assert out._backend.name == "dask"
        with pytest.raises(type(eager.value)) as lazy:
            pt.compute(out)
    assert str(lazy.value) == str(eager.value)
    return str(lazy.value)


DRAWS: dict[str, tuple[Callable[[], Any], str]] = {
    "normal negative std": (
        lambda: pt.normal(_t([0.0] * 5), _t([1.0, 1.0, 1.0, -2.0, 1.0])),
        r"normal\(\) expects every element of std >= 0\.0.*\(got -2\.0\)",
    ),
    "normal NaN std, number mean": (
        lambda: pt.normal(1.0, _t([1.0, 1.0, np.nan, 1.0, 1.0])),
        r"std >= 0\.0; some are negative or NaN.*\(got nan\)",
    ),
    "bernoulli above 1": (
        lambda: pt.bernoulli(_t([0.5, 0.1, 0.2, 0.3, 1.5])),
        r"bernoulli\(\) expects probabilities in \[0, 1\].*p\.clamp\(0, 1\) \(got 1\.5\)",
    ),
    "bernoulli NaN": (
        lambda: pt.bernoulli(_t([0.5, np.nan, 0.2, 0.3, 0.5])),
        r"probabilities in \[0, 1\].*\(got nan\)",
    ),
    "bernoulli negative p of an integer tensor": (
        lambda: pt.bernoulli(pt.zeros(5, dtype=pt.int64), _t([0.5, 0.1, -0.2, 0.3, 0.5])),
        r"probabilities in \[0, 1\].*\(got -0\.2\)",
    ),
    "bernoulli_ in place": (
        lambda: pt.zeros(5, dtype=pt.float64).bernoulli_(_t([0.5, 0.1, 0.2, 2.0, 0.5])),
        r"bernoulli_\(\) expects probabilities in \[0, 1\].*\(got 2\.0\)",
    ),
    "poisson negative rate": (
        lambda: pt.poisson(_t([1.0, 2.0, 3.0, 4.0, -1.0])),
        r"poisson\(\) expects non-negative, finite rates.*\(got -1\.0\)",
    ),
    "poisson infinite rate": (
        lambda: pt.poisson(_t([1.0, np.inf, 3.0, 4.0, 1.0])),
        r"poisson\(\) expects non-negative, finite rates.*\(got inf\)",
    ),
    "Normal sample without validation": (
        lambda: D.Normal(
            _t([0.0] * 5), _t([1.0, 1.0, -1.0, 1.0, 1.0]), validate_args=False
        ).sample(),
        r"Normal\.sample\(\) expects every element of scale >= 0\.0.*\(got -1\.0\)",
    ),
    "LogNormal sample without validation": (
        lambda: D.LogNormal(
            _t([0.0] * 5), _t([1.0, np.nan, 1.0, 1.0, 1.0]), validate_args=False
        ).sample((2,)),
        r"scale >= 0\.0.*\(got nan\)",
    ),
    "HalfNormal sample without validation": (
        lambda: D.HalfNormal(_t([1.0, 1.0, 1.0, 1.0, -3.0]), validate_args=False).sample(),
        r"scale >= 0\.0.*\(got -3\.0\)",
    ),
    "Bernoulli sample without validation": (
        lambda: D.Bernoulli(_t([0.5, 0.1, 0.2, 1.25, 0.5]), validate_args=False).sample(),
        r"Bernoulli\.sample\(\) expects probabilities in \[0, 1\].*\(got 1\.25\)",
    ),
    "Poisson sample without validation": (
        lambda: D.Poisson(_t([1.0, 2.0, -3.0, 4.0, 1.0]), validate_args=False).sample(),
        r"non-negative, finite rates.*\(got -3\.0\)",
    ),
}


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("draw", sorted(DRAWS))
def test_draws_of_invalid_parameters_are_refused_on_dask_when_computed(
    draw: str, chunks: int
) -> None:
    fn, words = DRAWS[draw]
    assert re.search(words, _refused_alike(fn, chunks))


def test_draws_of_valid_parameters_are_the_numpy_backends_on_dask() -> None:
    def draws() -> list[np.ndarray]:
        pt.manual_seed(3)
        std, p = _t([1.0, 0.0, 2.0, 0.5, 1.0]), _t([0.0, 1.0, 0.5, 0.25, 0.75])
        out = [
            pt.normal(_t([0.0, 1.0, 2.0, 3.0, 4.0]), std),
            pt.bernoulli(p),
            pt.poisson(_t([0.0, 1.0, 20.0, 4.0, 1.0])),
            D.Normal(_t([0.0] * 5), std, validate_args=False).sample((2,)),  # (scale 0 too),
            D.HalfNormal(_t([1.0, 2.0, 1.0, 1.0, 3.0])).sample(),
            D.Bernoulli(p).sample((2,)),
        ]
        return [o.to("numpy").numpy() for o in out]

    with pt.use_backend("numpy"):
        want = draws()
    with pt.use_backend("dask", chunks=2):
        got = draws()
    for w, g in zip(want, got, strict=True):
        np.testing.assert_array_equal(g, w)


X = np.arange(24.0).reshape(4, 6)
PAST_END = np.array([[0, 6], [1, 2], [0, 0], [1, 1]])  # (6: one past the end of axis 1)

OUT_OF_RANGE: dict[str, Callable[[], Any]] = {
    "gather": lambda: pt.gather(_t(X), 1, pt.asarray(PAST_END)),
    "scatter": lambda: pt.scatter(_t(X), 1, pt.asarray(PAST_END), _t(np.ones((4, 2)))),
    "scatter_add": lambda: pt.scatter_add(_t(X), 1, pt.asarray(PAST_END), _t(np.ones((4, 2)))),
    "index_add": lambda: pt.index_add(_t(X), 1, pt.asarray([0, 6]), _t(np.ones((4, 2)))),
    "index_select": lambda: pt.index_select(_t(X), 1, pt.asarray([0, 6])),
    "embedding": lambda: pt.nn.functional.embedding(pt.asarray([0, 6]), _t(X.T)),
}


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("op", sorted(OUT_OF_RANGE))
def test_an_index_out_of_range_raises_the_numpy_backends_error_on_dask(
    op: str, chunks: int
) -> None:
    message = _refused_alike(OUT_OF_RANGE[op], chunks)
    # the op and the valid range named; both IndexError and PyTorch's RuntimeError
    assert message.startswith(f"{op}(): ") and "6 is out of bounds" in message
    assert "0 to 5" in message


@pytest.mark.parametrize("chunks", CHUNKS)
def test_take_out_of_range_on_dask_names_take_and_the_range(chunks: int) -> None:
    with pt.use_backend("dask", chunks=chunks):
        out = pt.take(_t(X), pt.asarray([0, -7]), axis=1)
        with pytest.raises(IndexError, match=r"^take\(\): index -7 .* valid values are -6 to 5"):
            pt.compute(out)


@pytest.mark.parametrize("chunks", CHUNKS)
def test_take_along_axis_gradient_alone_refuses_an_index_out_of_range_on_dask(
    chunks: int,
) -> None:
    # the gradient is computed without the forward result, whose graph holds the forward's
    # check: the backward's own scatter must not drop the index silently
    with pt.use_backend("dask", chunks=chunks):
        x = _t(X).requires_grad_(True)
        pt.take_along_axis(x, pt.asarray(PAST_END), axis=1).sum().backward()
        assert x.grad is not None
        with pytest.raises(IndexError, match=r"take_along_axis\(\): index 6 .* -6 to 5"):
            pt.compute(x.grad)


def test_take_along_axis_gradient_in_range_is_the_numpy_backends_on_dask() -> None:
    def grad() -> np.ndarray:
        x = _t(X).requires_grad_(True)
        i = pt.asarray(np.array([[0, 5], [1, -1], [5, 5], [2, 3]]))
        (pt.take_along_axis(x, i, axis=1) * _t(np.arange(8.0).reshape(4, 2))).sum().backward()
        assert x.grad is not None
        return x.grad.to("numpy").numpy()

    with pt.use_backend("numpy"):
        want = grad()
    with pt.use_backend("dask", chunks=2):
        np.testing.assert_array_equal(grad(), want)


OBSERVED = np.array([[1.0, 2.0, 3.0, 5.0, 4.0], [2.0, 3.0, 1.0, 0.0, 2.0]])
COV_WEIGHTS: dict[str, Callable[[], Any]] = {
    "aweights of zeros": lambda: pt.cov(_t(OBSERVED), aweights=_t([0.0] * 5)),
    "fweights of zeros": lambda: pt.cov(_t(OBSERVED), fweights=pt.zeros(5, dtype=pt.int64)),
    "products of zero": lambda: pt.cov(
        _t(OBSERVED), fweights=pt.asarray([1, 0, 1, 0, 0]), aweights=_t([0.0, 2.0, 0.0, 1.0, 3.0])
    ),
}


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("weights", sorted(COV_WEIGHTS))
def test_cov_refuses_weights_summing_to_zero_as_torch_on_every_backend(
    weights: str, chunks: int
) -> None:
    message = _refused_alike(COV_WEIGHTS[weights], chunks)
    assert message.startswith("cov(): weights sum to zero, can't be normalized; give")


def test_cov_with_weights_keeps_its_values_and_aweights_gradient_on_dask() -> None:
    def run() -> list[np.ndarray]:
        aw = _t([0.5, 1.0, 2.0, 0.0, 1.5]).requires_grad_(True)
        x = _t(OBSERVED).requires_grad_(True)
        c = pt.cov(x, fweights=pt.asarray([1, 2, 1, 3, 1]), aweights=aw)
        (c * _t([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
        assert x.grad is not None and aw.grad is not None
        return [t.to("numpy").detach().numpy() for t in (c, x.grad, aw.grad)]

    with pt.use_backend("numpy"):
        want = run()
    with pt.use_backend("dask", chunks=2):
        got = run()
    for w, g in zip(want, got, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12)


MASK4 = np.array([True, False, True, True])
MASK6 = np.array([True, False, True, True, False, True])


@pytest.mark.parametrize(
    "key",
    [
        lambda: (pt.asarray(MASK4), pt.asarray([0, 5, 2])),
        lambda: (pt.asarray([0, 3, 1, 2]), pt.asarray(MASK6)),
    ],
    ids=["mask, idx", "idx, mask"],
)
def test_a_mask_mixed_with_index_arrays_on_dask_says_how_to_index_instead(key: Any) -> None:
    def grad(x: pt.Tensor, y: pt.Tensor) -> np.ndarray:
        (y * pt.arange(1.0, 5.0, dtype=pt.float64)[: y.shape[0]]).sum().backward()
        assert x.grad is not None
        return x.grad.to("numpy").numpy()

    with pt.use_backend("numpy"):
        x = _t(X).requires_grad_(True)
        y = x[key()]
        want = (y.detach().numpy(), grad(x, y))
    with pt.use_backend("dask", chunks=2):
        x = _t(X).requires_grad_(True)
        k = key()
        with pytest.raises(NotImplementedError, match=r"x\[mask, idx\].*pt\.nonzero\(mask"):
            x[k]
        # what the message says to do instead: lazy, NumPy's values and gradient
        fixed = tuple(
            pt.nonzero(i.to("numpy"))[0].to("dask") if i.dtype == pt.bool else i for i in k
        )
        y = x[fixed]
        assert y._backend.name == "dask"
        np.testing.assert_array_equal(y.detach().to("numpy").numpy(), want[0])
        np.testing.assert_array_equal(grad(x, y), want[1])
