"""PyTorch's counting, integer and integration functions (``pt.bincount``, ``gcd``/``lcm``,
``trapezoid``/``cumulative_trapezoid``, ``renorm``, ``mvlgamma``) and their Tensor methods
(in place too) give torch's values, dtypes and shapes, torch's float64 gradients and torch's
refusals, on every available backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import diff, host, run_both  # noqa: E402


def _same(got: Any, want: Any) -> None:
    """``got`` (polytensor) has ``want``'s (torch) dtype, shape and values."""
    assert got.dtype.name == str(want.dtype).removeprefix("torch."), (got.dtype, want.dtype)
    assert tuple(got.shape) == tuple(want.shape), (tuple(got.shape), tuple(want.shape))
    g, w = host(got), want.detach().numpy()
    if w.dtype.kind == "f":
        rtol = 2e-6 if w.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol, equal_nan=True)
    else:
        np.testing.assert_array_equal(g, w)


def _both(fn: Callable[..., Any], *arrays: Any) -> None:
    """``fn(lib, *tensors)`` in torch and in polytensor: the same result, or both refuse."""
    try:
        want = fn(torch, *(torch.tensor(a) for a in arrays))
    except (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError):
        with pytest.raises((RuntimeError, TypeError, ValueError, IndexError)):
            fn(pt, *(pt.asarray(a.copy()) for a in arrays))
        return
    _same(fn(pt, *(pt.asarray(a.copy()) for a in arrays)), want)


RNG = np.random.default_rng(9)
COUNTS = np.array([1, 3, 3, 0, 5, 3])
WEIGHTS = {
    "float32": np.array([0.5, 1.0, 1.5, 2.0, 3.0, -1.0], dtype=np.float32),
    "float64": np.array([0.5, 1.0, 1.5, 2.0, 3.0, -1.0]),
    "int64": np.array([1, 2, 3, 4, 5, 6]),
    "bool": np.array([True, False, True, True, False, True]),
}

BINCOUNTS: dict[str, Callable[..., Any]] = {
    "bincount": lambda m, x, w: m.bincount(x),
    "bincount minlength": lambda m, x, w: m.bincount(x, minlength=9),
    "bincount minlength below": lambda m, x, w: m.bincount(x, minlength=2),
    "bincount weights": lambda m, x, w: m.bincount(x, w),
    "x.bincount weights minlength": lambda m, x, w: x.bincount(weights=w, minlength=7),
    "bincount int32": lambda m, x, w: m.bincount(x.int()),
    "bincount uint8": lambda m, x, w: m.bincount(x.to(m.uint8)),
    "bincount empty": lambda m, x, w: m.bincount(x[:0]),
    "bincount empty minlength": lambda m, x, w: m.bincount(x[:0], minlength=3),
    "bincount empty weights": lambda m, x, w: m.bincount(x[:0], w[:0], 2),
}


def _computed(t: Any) -> Any:
    """``t`` (torch's, or polytensor's) with its values known: a lazy (Dask) result computed,
    its length then known too."""
    if isinstance(t, pt.Tensor) and t._backend.lazy:
        (t,) = pt.compute(t)
    return t


@pytest.mark.parametrize("weights", list(WEIGHTS))
@pytest.mark.parametrize("name", list(BINCOUNTS))
def test_bincount_matches_torch(backend: str, name: str, weights: str) -> None:
    _both(lambda m, x, w: _computed(BINCOUNTS[name](m, x, w)), COUNTS, WEIGHTS[weights])


def test_bincount_of_weights_that_require_grad_differentiates_or_refuses(backend: str) -> None:
    # (torch's result silently drops the weights' gradient; polytensor's keeps it, or raises
    # where the number of bins is known only when computed)
    w = pt.asarray(WEIGHTS["float64"], requires_grad=True)
    if pt.get_backend().lazy:
        with pytest.raises(NotImplementedError, match=r"weights that require grad"):
            pt.bincount(pt.asarray(COUNTS), w)
        return
    counts = pt.bincount(pt.asarray(COUNTS), w)
    (counts * pt.arange(6.0, dtype=pt.float64)).sum().backward()
    np.testing.assert_array_equal(host(w.grad), COUNTS.astype(np.float64))


def test_bincount_refuses_negative_values_as_torch_does(backend: str) -> None:
    with pytest.raises(RuntimeError, match=r"non-negative integral inputs"):
        torch.bincount(torch.tensor([1, -2, 3]))
    x = pt.asarray([1, -2, 3])
    # (a RuntimeError, as torch's, and a ValueError; on Dask when the counts are computed)
    with pytest.raises(RuntimeError, match=r"non-negative integral inputs.*\(got -2\)") as e:
        _computed(pt.bincount(x, minlength=2))
    assert isinstance(e.value, ValueError)


def test_dask_bincount_is_lazy_of_unknown_length_and_refuses_when_computed() -> None:
    pytest.importorskip("dask.array", reason="the dask backend needs dask installed")
    with pt.use_backend("dask", chunks=2):
        counts = pt.bincount(pt.asarray([1, -2, 3, 0]))  # (nothing computed: no error yet)
        assert counts.shape == (None,)
        with pytest.raises(RuntimeError, match=r"non-negative integral inputs"):
            pt.compute(counts)


MASKED_WEIGHTS: dict[str, Callable[[Any, Any], tuple[Any, Any]]] = {
    "both masked": lambda x, w: (x[x > 0], w[x > 0]),
    "both masked empty": lambda x, w: (x[x > 9], w[x > 9]),
    "input masked": lambda x, w: (x[x > 9], w[:0]),
    "weights masked": lambda x, w: (x, w[w > -9]),
}


@pytest.mark.parametrize("case", list(MASKED_WEIGHTS))
def test_dask_bincount_with_weights_of_unknown_length_says_to_compute_first(case: str) -> None:
    # with weights the dtype depends on whether the input is empty (int64 zeros, as torch's;
    # the weights' float sums otherwise): a lazy result gave float zeros for an empty masked
    # input, where NumPy and torch give int64
    pytest.importorskip("dask.array", reason="the dask backend needs dask installed")
    with pt.use_backend("dask", chunks=2):
        x, w = MASKED_WEIGHTS[case](pt.asarray(COUNTS), pt.asarray(WEIGHTS["float32"]))
        with pytest.raises(NotImplementedError, match=r"^bincount\(\) with weights needs the le"):
            pt.bincount(x, w)
        x, w = pt.compute(x, w)  # (the way out the message gives)
        got = pt.bincount(x, w, minlength=2)
    want = torch.bincount(torch.tensor(host(x)), torch.tensor(host(w)), minlength=2)
    _same(_computed(got), want)


def test_dask_bincount_of_a_masked_input_without_weights_stays_lazy() -> None:
    pytest.importorskip("dask.array", reason="the dask backend needs dask installed")
    with pt.use_backend("dask", chunks=2):
        x = pt.asarray(COUNTS)
        counts = pt.bincount(x[x > 9], minlength=3)
        assert counts.shape == (None,) and counts.dtype is pt.int64
    _same(_computed(counts), torch.bincount(torch.tensor(COUNTS[COUNTS > 9]), minlength=3))


def test_dask_bincount_counts_chunk_by_chunk() -> None:
    pytest.importorskip("dask.array", reason="the dask backend needs dask installed")
    from dask.callbacks import Callback

    class Largest(Callback):  # type: ignore[misc]
        """The most elements any task's result holds."""

        size = 0

        def _posttask(self, key: Any, result: Any, *args: Any) -> None:
            self.size = max(self.size, int(getattr(result, "size", 0)))

    data = RNG.integers(0, 50, 20_000)
    weights = RNG.standard_normal(20_000)
    with pt.use_backend("dask", chunks=1_000):
        x, w = pt.asarray(data), pt.asarray(weights)
        counts, sums = pt.bincount(x, minlength=60), pt.bincount(x, w, minlength=3)
    with Largest() as largest:
        counts._data.compute(scheduler="sync")
        sums._data.compute(scheduler="sync")
    # each of the 20 chunks is counted in its own task, the counts (60 and 50 of them) added up
    # in a tree: no task's result is larger than the counts
    assert x._data.numblocks == (20,)
    blocks = [k for k in dict(counts._data.dask) if str(k[0]).startswith("counts-")]
    assert len(blocks) == 20
    assert largest.size == 60
    np.testing.assert_array_equal(host(counts), torch.bincount(torch.tensor(data), minlength=60))
    want = torch.bincount(torch.tensor(data), torch.tensor(weights), minlength=3).numpy()
    np.testing.assert_allclose(host(sums), want, rtol=1e-12)
    assert host(sums).shape == (50,)


INTS = {
    "int64": (np.array([12, -18, 0, 0, 7, 2**40, 1]), np.array([8, 12, 5, 0, -21, 3**20, 1])),
    "int32": (np.array([12, -18, 0, 9, 7], np.int32), np.array([8, 12, 0, 6, -21], np.int32)),
    "int8 uint8": (np.array([12, -18, 0, 9], np.int8), np.array([8, 12, 0, 6], np.uint8)),
    "uint8": (np.array([12, 180, 0, 9], np.uint8), np.array([8, 120, 5, 6], np.uint8)),
    "int16 broadcast": (np.array([[4], [6]], np.int16), np.array([2, 3, 9], np.int16)),
    "int64 with int32": (np.array([100, 64]), np.array([75, 48], np.int32)),
    "float": (np.array([1.0, 2.0]), np.array([2.0, 4.0])),
    "bool": (np.array([True]), np.array([True])),
}


@pytest.mark.parametrize("op", ["gcd", "lcm", "x.gcd", "x.lcm", "x.gcd_", "x.lcm_"])
@pytest.mark.parametrize("case", list(INTS))
def test_gcd_and_lcm_match_torch(backend: str, op: str, case: str) -> None:
    a, b = INTS[case]
    if op.endswith("_") and (case.startswith("int64 with") or "broadcast" in case):
        pytest.skip("an in-place result of another dtype or shape")
    if op.startswith("x."):
        _both(lambda m, x, y: getattr(x, op[2:])(y), a, b)
    else:
        _both(lambda m, x, y: getattr(m, op)(x, y), a, b)


def test_gcd_in_place_writes_into_the_tensor(backend: str) -> None:
    x = pt.asarray([12, 18])
    assert x.gcd_(pt.asarray([8, 12])) is x
    assert x.tolist() == [4, 6]


def test_gcd_of_many_steps_matches_torch(backend: str) -> None:
    fib = [1, 1]
    while len(fib) < 90:
        fib.append(fib[-1] + fib[-2])
    a, b = np.array(fib[1:]), np.array(fib[:-1])  # (consecutive Fibonacci numbers: most steps)
    _both(lambda m, x, y: m.gcd(x, y), a, b)
    _both(lambda m, x, y: m.lcm(x[:40], y[:40]), a, b)


Y = RNG.standard_normal((3, 5))
X1 = np.cumsum(RNG.uniform(0.1, 1.0, 5))
X0 = np.cumsum(RNG.uniform(0.1, 1.0, 3))
INTEGRALS: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
    "trapezoid": (lambda m, y: m.trapezoid(y), (Y,)),
    "trapezoid dx": (lambda m, y: m.trapezoid(y, dx=0.25), (Y,)),
    "trapezoid int dx dim": (lambda m, y: m.trapezoid(y, dx=2, dim=0), (Y,)),
    "trapezoid x": (lambda m, y, x: m.trapezoid(y, x), (Y, X1)),
    "trapezoid x dim": (lambda m, y, x: m.trapezoid(y, x, dim=0), (Y, X0)),
    "trapezoid x same shape": (lambda m, y, x: m.trapezoid(y, x * y), (Y, X1)),
    "trapezoid x broadcast": (lambda m, y, x: m.trapezoid(y, x[None] * 2, dim=1), (Y, X1)),
    "trapezoid one point": (lambda m, y: m.trapezoid(y[:, :1]), (Y,)),
    "trapezoid no point": (lambda m, y: m.trapezoid(y[:, :0]), (Y,)),
    "trapezoid of integers": (lambda m, y: m.trapezoid(y), (np.array([1, 2, 4]),)),
    "trapezoid of integers x": (
        lambda m, y, x: m.trapezoid(y, x),
        (np.array([1, 2, 4]), np.array([1, 2, 5])),
    ),
    "trapezoid float32": (lambda m, y: m.trapezoid(y, dx=0.1), (Y.astype(np.float32),)),
    "cumulative_trapezoid": (lambda m, y: m.cumulative_trapezoid(y), (Y,)),
    "cumulative_trapezoid dx dim": (
        lambda m, y: m.cumulative_trapezoid(y, dx=0.5, dim=0),
        (Y,),
    ),
    "cumulative_trapezoid x": (lambda m, y, x: m.cumulative_trapezoid(y, x), (Y, X1)),
    "cumulative_trapezoid one point": (lambda m, y: m.cumulative_trapezoid(y[:, :1]), (Y,)),
    "cumulative_trapezoid of integers": (
        lambda m, y: m.cumulative_trapezoid(y),
        (np.array([1, 2, 4]),),
    ),
    "cumulative_trapezoid of integers x": (
        lambda m, y, x: m.cumulative_trapezoid(y, x),
        (np.array([1, 2, 4]), np.array([1, 2, 5])),
    ),
    "renorm": (lambda m, x: m.renorm(x, 2, 0, 1.5), (Y,)),
    "renorm p=1 dim 1": (lambda m, x: m.renorm(x, 1, 1, 1.0), (Y,)),
    "renorm p=inf": (lambda m, x: m.renorm(x, float("inf"), -1, 1.0), (Y,)),
    "x.renorm 3-d": (lambda m, x: x.reshape(3, 1, 5).renorm(3, 2, 0.5), (Y,)),
    "renorm float32": (lambda m, x: m.renorm(x, 2, 0, 1.0), (Y.astype(np.float32),)),
    "mvlgamma": (lambda m, x: m.mvlgamma(x, 1), (np.abs(Y) + 0.5,)),
    "x.mvlgamma p=3": (lambda m, x: x.mvlgamma(p=3), (np.abs(Y) + 1.5,)),
    "mvlgamma float32": (lambda m, x: m.mvlgamma(x, 4), (np.abs(Y).astype(np.float32) + 2,)),
    "mvlgamma of integers": (lambda m, x: m.mvlgamma(x, 2), (np.array([2, 3, 7]),)),
}


@pytest.mark.parametrize("name", list(INTEGRALS))
def test_integrals_norms_and_mvlgamma_match_torch(backend: str, name: str) -> None:
    fn, args = INTEGRALS[name]
    _both(fn, *args)


def test_in_place_renorm_and_mvlgamma_match_torch(backend: str) -> None:
    x, t = pt.asarray(Y.copy()), torch.tensor(Y)
    assert x.renorm_(2, 0, 1.0) is x
    _same(x, t.renorm_(2, 0, 1.0))
    x, t = pt.asarray(np.abs(Y) + 1), torch.tensor(np.abs(Y) + 1)
    assert x.mvlgamma_(2) is x
    _same(x, t.mvlgamma_(2))


GRADIENTS: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
    "trapezoid": (lambda m, y: m.trapezoid(y, dx=0.3), (diff(Y),)),
    "trapezoid x": (lambda m, y, x: m.trapezoid(y, x, dim=0), (diff(Y), diff(X0))),
    "trapezoid x same shape": (lambda m, y, x: m.trapezoid(y, x), (diff(Y), diff(Y * 2))),
    "cumulative_trapezoid": (lambda m, y: m.cumulative_trapezoid(y, dim=0), (diff(Y),)),
    "cumulative_trapezoid x": (lambda m, y, x: m.cumulative_trapezoid(y, x), (diff(Y), diff(X1))),
    "renorm": (lambda m, x: m.renorm(x, 2, 0, 1.5), (diff(Y),)),
    "renorm p=1 dim 1": (lambda m, x: m.renorm(x, 1, 1, 0.5), (diff(Y),)),
    "x.renorm p=3": (lambda m, x: x.renorm(3, 0, 1.0), (diff(Y),)),
    "mvlgamma": (lambda m, x: m.mvlgamma(x, 3), (diff(np.abs(Y) + 1.5),)),
    "x.mvlgamma": (lambda m, x: x.mvlgamma(1), (diff(np.abs(Y) + 0.5),)),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_float64_gradients_match_torch(backend: str, name: str) -> None:
    fn, args = GRADIENTS[name]
    # (digamma, lgamma's derivative: torch's and SciPy's agree to 5e-10)
    tol = {"rtol": 1e-8, "atol": 1e-12} if "gamma" in name else None
    run_both(lambda *a: fn(pt, *a), lambda *a: fn(torch, *a), args, tol=tol)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: pt.bincount(pt.asarray([1.0])), TypeError, r"expects a tensor of integers"),
        (lambda: pt.bincount(pt.ones(2, 2, dtype=pt.int64)), ValueError, r"1-d non-negative"),
        (lambda: pt.bincount(pt.asarray([1, 2]), minlength=-1), ValueError, r"should be >= 0"),
        (
            lambda: pt.bincount(pt.asarray([1, 2]), pt.ones(3)),
            ValueError,
            r"weights should be 1-d and have the same length",
        ),
        (lambda: pt.gcd(pt.ones(2), pt.ones(2)), TypeError, r"gcd\(\) expects integer tensors"),
        (lambda: pt.lcm(pt.asarray([4]), 2), TypeError, r"other to be a polytensor Tensor"),
        (lambda: pt.trapezoid(pt.asarray(1.0)), IndexError, r"tensor has no dimensions"),
        (lambda: pt.trapezoid(pt.ones(3), dim=2), IndexError, r"dimension out of range"),
        (
            lambda: pt.trapezoid(pt.ones(4), pt.ones(3)),
            ValueError,
            r"There must be one `x` value for each sample point",
        ),
        (lambda: pt.trapezoid(pt.ones(4), pt.ones(4), dx=1), TypeError, r"not both"),
        (lambda: pt.trapezoid(pt.asarray([True])), TypeError, r"bool is not supported"),
        (
            lambda: pt.cumulative_trapezoid(pt.ones(4), pt.ones(3)),
            ValueError,
            r"There must be one `x` value",
        ),
        (lambda: pt.renorm(pt.ones(2, 2), 0, 0, 1.0), ValueError, r"non-positive-norm"),
        (lambda: pt.renorm(pt.ones(2, 2), 2, 0, -1.0), ValueError, r"maxnorm to be >= 0"),
        (lambda: pt.renorm(pt.ones(3), 2, 0, 1.0), ValueError, r"at least 2 dimensions"),
        (
            lambda: pt.renorm(pt.ones(2, 2, dtype=pt.int64), 2, 0, 1.0),
            TypeError,
            r"floating-point tensor",
        ),
        (lambda: pt.mvlgamma(pt.ones(2), 0), ValueError, r"greater than or equal to 1"),
        (lambda: pt.mvlgamma(pt.ones(2), 1.5), TypeError, r"p to be an int; got float 1.5"),
        # (NumPy's "only integer scalar arrays can be converted to a scalar index" named no
        # function; torch: "argument 'p' (position 2) must be int")
        (
            lambda: pt.mvlgamma(pt.ones(2), np.array([1, 2])),
            TypeError,
            r"^mvlgamma\(\) expects p to be an int; got ndarray",
        ),
        (
            lambda: pt.ones(2).mvlgamma_(np.array([True, False])),
            TypeError,
            r"^mvlgamma\(\) expects p to be an int; got ndarray",
        ),
        (
            lambda: pt.mvlgamma(pt.ones(2), pt.asarray([1, 2])),
            TypeError,
            r"^mvlgamma\(\) expects p to be an int; got Tensor",
        ),
        (
            lambda: pt.bincount(pt.asarray([1, 2]), minlength=np.array([1])),
            TypeError,
            r"^bincount\(\) expects minlength to be an int; got ndarray",
        ),
    ],
)
def test_refusals_say_what_was_wrong(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_dask_results_stay_lazy(backend: str) -> None:
    if backend != "dask":
        pytest.skip("the laziness of Dask's results")
    import dask.array as da

    y = pt.asarray(Y, requires_grad=True)
    outs = [
        pt.trapezoid(y),
        pt.cumulative_trapezoid(y, pt.asarray(X1)),
        pt.renorm(y, 2, 0, 1.0),
        pt.mvlgamma(y * y + 2, 2),
    ]
    assert all(isinstance(o._data, da.Array) for o in outs)
    g = pt.gcd(pt.asarray([12, 18]), pt.asarray([8, 12]))
    assert isinstance(g._data, da.Array) and g.tolist() == [4, 6]
    sum(o.sum() for o in outs).backward()
    assert isinstance(y.grad._data, da.Array)
