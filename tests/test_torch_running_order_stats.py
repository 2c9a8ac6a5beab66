"""PyTorch's running and order statistics (``pt.cummax``/``cummin``, ``logcumsumexp``,
``kthvalue``, ``quantile``/``nanquantile``, ``cov``, ``corrcoef``) and their Tensor methods
give torch's values, dtypes, shapes and named tuples, torch's float64 gradients and torch's
refusals, on every available backend."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import diff, host, run_both  # noqa: E402


def _same(got: Any, want: Any) -> None:
    """``got`` (polytensor) has ``want``'s (torch) dtype, shape and values; a named tuple's
    fields by name."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), (got, want)
        if hasattr(want, "values"):
            _same(got.values, want.values)
            _same(got.indices, want.indices)
            return
        for g, w in zip(got, want, strict=True):
            _same(g, w)
        return
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
    with np.errstate(all="ignore"):  # (NumPy's warnings of NaN inputs)
        try:
            want = fn(torch, *(torch.tensor(a) for a in arrays))
        except (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError):
            with pytest.raises((RuntimeError, TypeError, ValueError, IndexError)):
                fn(pt, *(pt.asarray(a.copy()) for a in arrays))
            return
        _same(fn(pt, *(pt.asarray(a.copy()) for a in arrays)), want)


RNG = np.random.default_rng(7)
NAN = np.nan
DATA = {
    "float32": RNG.standard_normal((3, 5)).astype(np.float32),
    "float64": RNG.standard_normal((3, 5)),
    "float64 ties and nan": np.array(
        [[1.0, 3.0, 3.0, NAN, 2.0], [2.0, 2.0, 1.0, 1.0, 0.0], [NAN, 1.0, NAN, 5.0, -1.0]]
    ),
    "int64": RNG.integers(-4, 4, (3, 5)),
    "int32": RNG.integers(-4, 4, (3, 5)).astype(np.int32),
    "bool": RNG.integers(0, 2, (3, 5)).astype(bool),
}

RUNNING: dict[str, Callable[..., Any]] = {
    "cummax": lambda m, x: m.cummax(x, 1),
    "cummax dim 0": lambda m, x: m.cummax(x, dim=0),
    "cummin": lambda m, x: m.cummin(x, -1),
    "x.cummax": lambda m, x: x.cummax(0),
    "x.cummin": lambda m, x: x.cummin(dim=1),
    "cummax 0-d": lambda m, x: m.cummax(x[0, 0], 0),
    "cummin 1-d": lambda m, x: m.cummin(x[1], 0),
    "cummax empty": lambda m, x: m.cummax(x[:, :0], 1),
    "logcumsumexp": lambda m, x: m.logcumsumexp(x, 1),
    "x.logcumsumexp": lambda m, x: x.logcumsumexp(dim=0),
    "logcumsumexp 0-d": lambda m, x: m.logcumsumexp(x[0, 0], 0),
    "kthvalue": lambda m, x: m.kthvalue(x, 2),
    "kthvalue dim keepdim": lambda m, x: m.kthvalue(x, 3, dim=0, keepdim=True),
    "kthvalue last": lambda m, x: m.kthvalue(x, 5, 1),
    "x.kthvalue": lambda m, x: x.kthvalue(1, 0),
    "kthvalue 0-d": lambda m, x: m.kthvalue(x[0, 0], 1),
}


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("name", list(RUNNING))
def test_running_and_kth_values_match_torch(backend: str, name: str, data: str) -> None:
    x = DATA[data]
    if name.startswith(("kthvalue", "x.kthvalue")) and data in (
        "int64",
        "int32",
        "float64 ties and nan",
    ):
        x = RNG.permutation(x.size).reshape(x.shape).astype(x.dtype) * 3 - 5
        if data.startswith("float"):  # (NaN counts as the largest; no ties: torch's pick of
            x[0, 2] = NAN  # equal elements is its selection algorithm's)
    _both(RUNNING[name], x)


@pytest.mark.parametrize("mode", ["lower", "higher", "midpoint", "nearest"])
def test_quantile_has_no_gradient_of_q_but_linear_as_torch(backend: str, mode: str) -> None:
    x = pt.asarray(M, requires_grad=True)
    q = pt.asarray([0.3, 0.8], dtype=pt.float64, requires_grad=True)
    pt.quantile(x, q, dim=0, interpolation=mode).sum().backward()
    assert q.grad is None and x.grad is not None


def test_results_are_named_tuples(backend: str) -> None:
    x = pt.asarray([[1.0, 3.0], [2.0, 0.0]])
    for r in (pt.cummax(x, 1), x.cummin(0), pt.kthvalue(x, 1)):
        values, indices = r
        assert r.values is values and r.indices is indices
        assert indices.dtype == pt.int64


LIN = RNG.standard_normal((4, 7))
Q_CASES: dict[str, Callable[..., Any]] = {
    "scalar q": lambda m, x: m.quantile(x, 0.3),
    "q 0 and 1": lambda m, x: m.quantile(x, m.tensor([0.0, 1.0], dtype=x.dtype)),
    "dim": lambda m, x: m.quantile(x, 0.75, dim=1),
    "dim keepdim": lambda m, x: m.quantile(x, 0.5, dim=0, keepdim=True),
    "q tensor dim": lambda m, x: m.quantile(x, m.tensor([0.1, 0.5, 0.9], dtype=x.dtype), dim=1),
    "q tensor keepdim": lambda m, x: m.quantile(
        x, m.tensor([0.25, 0.6], dtype=x.dtype), dim=-1, keepdim=True
    ),
    "q 0-d tensor": lambda m, x: m.quantile(x, m.tensor(0.4, dtype=x.dtype), 0),
    "no dim keepdim": lambda m, x: m.quantile(x, m.tensor([0.2, 0.4], dtype=x.dtype), keepdim=True),
    "x.quantile": lambda m, x: x.quantile(0.35, 1),
    "nanquantile": lambda m, x: m.nanquantile(x, 0.3, dim=1),
    "x.nanquantile": lambda m, x: x.nanquantile(m.tensor([0.3, 1.0], dtype=x.dtype)),
    "nanquantile keepdim": lambda m, x: m.nanquantile(x, 0.5, 0, True),
}


@pytest.mark.parametrize("mode", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(Q_CASES))
def test_quantiles_match_torch(backend: str, name: str, dtype: str, mode: str) -> None:
    x = LIN.astype(dtype)
    x[1, 3] = NAN  # (a row with one NaN)
    x[2, :] = NAN  # (and one of NaN only)
    fn = Q_CASES[name]
    _both(lambda m, t: fn(_Mode(m, mode), t), x)
    _both(lambda m, t: fn(_Mode(m, mode), t), LIN[:, :4].astype(dtype))  # (no NaN; even count)


class _Mode:
    """A library whose quantile and nanquantile interpolate by ``mode``."""

    def __init__(self, lib: Any, mode: str) -> None:
        self.lib, self.mode = lib, mode

    def __getattr__(self, name: str) -> Any:
        fn = getattr(self.lib, name)
        if name in ("quantile", "nanquantile"):
            return lambda *a, **k: fn(*a, interpolation=self.mode, **k)
        return fn


def test_quantile_of_rank_halfway_rounds_half_to_even_as_torch(backend: str) -> None:
    x = np.arange(5.0)
    for q in (0.125, 0.375, 0.625, 0.875):
        for mode in ("nearest", "midpoint", "linear"):
            _both(lambda m, t, q=q, mode=mode: m.quantile(t, q, interpolation=mode), x)


COV_X = RNG.standard_normal((3, 6))
FW = np.array([1, 2, 0, 3, 1, 1])
AW = np.array([0.5, 1.0, 2.0, 0.25, 1.5, 1.0])

COVS: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
    "cov": (lambda m, x: m.cov(x), (COV_X,)),
    "cov 1-d": (lambda m, x: m.cov(x[0]), (COV_X,)),
    "cov one row": (lambda m, x: m.cov(x[:1]), (COV_X,)),
    "cov correction 0": (lambda m, x: m.cov(x, correction=0), (COV_X,)),
    "cov correction 2": (lambda m, x: x.cov(correction=2), (COV_X,)),
    "cov fweights": (lambda m, x, f: m.cov(x, fweights=f), (COV_X, FW)),
    "cov aweights": (lambda m, x, a: m.cov(x, aweights=a), (COV_X, AW)),
    "cov both weights": (lambda m, x, f, a: m.cov(x, fweights=f, aweights=a), (COV_X, FW, AW)),
    "cov both weights correction 0": (
        lambda m, x, f, a: m.cov(x, correction=0, fweights=f, aweights=a),
        (COV_X, FW, AW),
    ),
    "cov float32 with float64 aweights": (
        lambda m, x, a: m.cov(x.float(), aweights=a),
        (COV_X, AW),
    ),
    "cov int32 fweights": (lambda m, x, f: m.cov(x, fweights=f.int()), (COV_X, FW)),
    "cov of integers": (lambda m, x: m.cov(x), (np.array([[0, 1, 2], [2, 1, 0]]),)),
    "cov of float32": (lambda m, x: m.cov(x), (COV_X.astype(np.float32),)),
    "corrcoef": (lambda m, x: m.corrcoef(x), (COV_X,)),
    "x.corrcoef 1-d": (lambda m, x: x[1].corrcoef(), (COV_X,)),
    "corrcoef of integers": (lambda m, x: m.corrcoef(x), (np.array([[0, 1, 2], [0, 2, 1]]),)),
    "corrcoef of float32": (lambda m, x: m.corrcoef(x), (COV_X.astype(np.float32),)),
}


@pytest.mark.parametrize("name", list(COVS))
def test_covariances_match_torch(backend: str, name: str) -> None:
    fn, args = COVS[name]
    _both(fn, *args)


def test_cov_with_too_few_observations_warns_as_torch(backend: str) -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        want = torch.cov(torch.tensor(COV_X[:, :1]))
    assert "degrees of freedom is <= 0" in str(seen[0].message)
    with (
        pytest.warns(UserWarning, match=r"cov\(\): degrees of freedom is <= 0"),
        np.errstate(all="ignore"),  # (NumPy's warning of 0 / 0)
    ):
        _same(pt.cov(pt.asarray(COV_X[:, :1])), want)


V = RNG.standard_normal(7)
M = RNG.standard_normal((4, 6))
TIES = np.array([[1.0, 3.0, 3.0, 2.0, 5.0, 5.0], [4.0, 1.0, 1.0, 0.5, 0.0, 2.0]])

GRADIENTS: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
    "cummax": (lambda m, x: m.cummax(x, 1).values, (diff(M),)),
    "cummax ties": (lambda m, x: m.cummax(x, 1)[0], (diff(TIES),)),
    "cummin ties": (lambda m, x: m.cummin(x, dim=1).values, (diff(TIES),)),
    "x.cummin dim 0": (lambda m, x: x.cummin(0).values, (diff(M),)),
    "logcumsumexp": (lambda m, x: m.logcumsumexp(x, 1), (diff(M),)),
    "x.logcumsumexp": (lambda m, x: x.logcumsumexp(0), (diff(V * 300),)),
    "kthvalue": (lambda m, x: m.kthvalue(x, 3, 1).values, (diff(M),)),
    "x.kthvalue keepdim": (lambda m, x: x.kthvalue(2, 0, True)[0], (diff(M),)),
    "quantile": (lambda m, x: m.quantile(x, 0.3), (diff(M),)),
    "quantile q tensor dim": (
        lambda m, x: m.quantile(x, m.tensor([0.1, 0.5, 1.0], dtype=x.dtype), dim=1),
        (diff(M),),
    ),
    "quantile midpoint": (
        lambda m, x: m.quantile(x, 0.3, dim=0, interpolation="midpoint"),
        (diff(M),),
    ),
    "quantile nearest keepdim": (
        lambda m, x: m.quantile(x, 0.3, dim=0, keepdim=True, interpolation="nearest"),
        (diff(M),),
    ),
    "nanquantile": (
        lambda m, x: m.nanquantile(x.where(x > 1, m.tensor(float("nan"), dtype=x.dtype)), 0.4),
        (diff(M),),
    ),
    "quantile gradient of q": (
        lambda m, x, q: m.quantile(x, q, dim=1, keepdim=True),
        (diff(M), diff(np.array([0.1, 0.55, 0.9]))),
    ),
    "x.nanquantile gradient of q": (
        lambda m, x, q: x.where(x > -0.5, m.tensor(float("nan"), dtype=x.dtype)).nanquantile(q, 0),
        (diff(M), diff(np.array(0.35))),
    ),
    "quantile of a nan gradient of q": (
        lambda m, x, q: m.quantile(x.where(x > -1.5, m.tensor(float("nan"), dtype=x.dtype)), q, 1),
        (diff(M), diff(np.array([0.2, 0.7]))),
    ),
    "cov": (lambda m, x: m.cov(x), (diff(M),)),
    "cov weights": (
        lambda m, x, f, a: m.cov(x, fweights=f, aweights=a),
        (diff(COV_X), FW, diff(AW)),
    ),
    "corrcoef": (lambda m, x: m.corrcoef(x), (diff(M),)),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_float64_gradients_match_torch(backend: str, name: str) -> None:
    fn, args = GRADIENTS[name]
    run_both(lambda *a: fn(pt, *a), lambda *a: fn(torch, *a), args)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: pt.cummax(pt.ones(3)), TypeError, r"missing 1 required positional argument"),
        (lambda: pt.cummin(pt.ones(3), 1), IndexError, r"dimension out of range"),
        (lambda: pt.cummax(pt.asarray([1j]), 0), TypeError, r"real or boolean tensor"),
        (lambda: pt.logcumsumexp(pt.asarray([1, 2]), 0), TypeError, r"expects a floating-point"),
        (lambda: pt.kthvalue(pt.ones(2), 3), IndexError, r"selected number k out of range"),
        (lambda: pt.kthvalue(pt.ones(2), 0), IndexError, r"selected number k out of range"),
        (lambda: pt.kthvalue(pt.ones(2), 1.0), TypeError, r"k to be an int; got float 1.0"),
        # (NumPy's "only integer scalar arrays can be converted to a scalar index" named no
        # function; torch: "argument 'k' (position 2) must be int")
        (
            lambda: pt.kthvalue(pt.ones(2), np.array([1, 2])),
            TypeError,
            r"^kthvalue\(\) expects k to be an int; got ndarray",
        ),
        (
            lambda: pt.ones(1, 4).kthvalue(np.array(1.0)),
            TypeError,
            r"^kthvalue\(\) expects k to be an int; got ndarray",
        ),
        (
            lambda: pt.kthvalue(pt.ones(2), pt.asarray([1, 2])),
            TypeError,
            r"^kthvalue\(\) expects k to be an int; got Tensor",
        ),
        (
            lambda: pt.quantile(pt.ones(2), 0.5, interpolation=np.zeros(0)),
            TypeError,
            r"^quantile\(\) expects interpolation to be a string",
        ),
        (lambda: pt.kthvalue(pt.asarray([True]), 1), TypeError, r"real numeric tensor"),
        (lambda: pt.quantile(pt.asarray([1, 2]), 0.5), TypeError, r"either float or double"),
        (lambda: pt.quantile(pt.ones(2), 1.5), ValueError, r"q must be in the range \[0, 1\]"),
        (
            lambda: pt.quantile(pt.ones(2), pt.asarray([0.5, 2.0])),
            ValueError,
            r"q values must be in the range \[0, 1\]",
        ),
        (
            lambda: pt.quantile(pt.ones(2), pt.asarray([0.5], dtype=pt.float64)),
            TypeError,
            r"q tensor must be same dtype",
        ),
        (lambda: pt.quantile(pt.ones(2), pt.ones(1, 1)), ValueError, r"scalar or 1D tensor"),
        (lambda: pt.quantile(pt.ones(0), 0.5), ValueError, r"must be non-empty"),
        (
            lambda: pt.nanquantile(pt.ones(2), 0.5, interpolation="cubic"),
            ValueError,
            r"interpolation must be one of linear, lower",
        ),
        (lambda: pt.quantile(pt.ones(2), "a"), TypeError, r"q to be a float or a tensor"),
        (lambda: pt.cov(pt.ones(2, 2, 2)), ValueError, r"two or fewer dimensions"),
        (lambda: pt.cov(pt.ones(2, 3, dtype=pt.bool)), TypeError, r"bool dtype is not supported"),
        (lambda: pt.cov(pt.ones(2, 3), correction=1.5), TypeError, r"'correction' must be int"),
        (
            lambda: pt.cov(pt.ones(2, 3), fweights=pt.ones(3)),
            TypeError,
            r"fweights to have integral dtype",
        ),
        (
            lambda: pt.cov(pt.ones(2, 3), fweights=pt.asarray([1, 1])),
            ValueError,
            r"same numel as there are observations in the input but got 2 != 3",
        ),
        (
            lambda: pt.cov(pt.ones(2, 3), fweights=pt.asarray([1, -1, 1])),
            ValueError,
            r"fweights cannot be negative",
        ),
        (
            lambda: pt.cov(pt.ones(2, 3), aweights=pt.asarray([1, 1, 1])),
            TypeError,
            r"aweights to have floating point dtype",
        ),
        (
            lambda: pt.cov(pt.ones(2, 3), aweights=pt.asarray([1.0, -1.0, 1.0])),
            ValueError,
            r"aweights cannot be negative",
        ),
        (
            lambda: pt.cov(pt.ones(2, 3), aweights=pt.ones(1, 3)),
            ValueError,
            r"aweights to have one or fewer dimensions",
        ),
        (lambda: pt.corrcoef(pt.ones(2, 2, 2)), ValueError, r"two or fewer dimensions"),
    ],
)
def test_refusals_say_what_was_wrong(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


DATA_REFUSALS: dict[str, tuple[Callable[..., Any], str]] = {
    "quantile q above 1": (
        lambda m: m.quantile(m.tensor([[1.0, 2.0, 4.0]]), m.tensor([0.5, 1.5]), dim=1),
        r"q values must be in the range \[0, 1\]",
    ),
    "quantile q negative": (
        lambda m: m.quantile(m.tensor([1.0, 2.0]), m.tensor(-0.25), interpolation="lower"),
        r"q values must be in the range \[0, 1\]",
    ),
    "quantile q nan": (
        lambda m: m.nanquantile(m.tensor([1.0, 2.0]), m.tensor([float("nan")])),
        r"q values must be in the range \[0, 1\]",
    ),
    # (a float q outside [0, 1] raised a bare ValueError, where a tensor's raises torch's class)
    "quantile float q above 1": (
        lambda m: m.quantile(m.tensor([1.0, 2.0]), 1.5),
        r"q must be in the range \[0, 1\] but got 1.5",
    ),
    "nanquantile float q negative": (
        lambda m: m.nanquantile(m.tensor([1.0, 2.0]), -0.25, dim=0),
        r"q must be in the range \[0, 1\] but got -0.25",
    ),
    "cov negative fweights": (
        lambda m: m.cov(m.tensor([[1.0, 2.0, 4.0]]), fweights=m.tensor([1, -1, 2])),
        r"fweights cannot be negative",
    ),
    "cov negative aweights": (
        lambda m: m.cov(m.tensor([[1.0, 2.0, 4.0]]), aweights=m.tensor([1.0, 2.0, -0.5])),
        r"aweights cannot be negative",
    ),
    "cov nan aweights": (
        lambda m: m.cov(
            m.tensor([1.0, 2.0, 4.0]),
            fweights=m.tensor([1, 1, 2]),
            aweights=m.tensor([1.0, float("nan"), 1.0]),
        ),
        r"aweights cannot be negative",
    ),
}


@pytest.mark.parametrize("case", list(DATA_REFUSALS))
def test_values_refused_as_torch_refuses_them(backend: str, case: str) -> None:
    make, message = DATA_REFUSALS[case]
    with pytest.raises(RuntimeError, match=message):
        make(torch)
    # (a RuntimeError, as torch's, and a ValueError; on Dask the values are checked inside the
    # graph, so that the refusal comes when the result is computed)
    with pytest.raises(RuntimeError, match=message) as e:
        _computed(make)
    assert isinstance(e.value, ValueError)


def _computed(make: Callable[..., Any]) -> None:
    """``make(pt)``: checked at once on an eager backend, and computed on a lazy one."""
    out = make(pt)
    assert out._backend.lazy, "an eager backend checks the values at once"
    pt.compute(out)


def test_quantile_q_and_cov_weights_in_range_pass_the_check(backend: str) -> None:
    _same(
        pt.quantile(pt.asarray(M), pt.asarray([0.0, 1.0], dtype=pt.float64), dim=1),
        torch.quantile(torch.tensor(M), torch.tensor([0.0, 1.0], dtype=torch.float64), dim=1),
    )
    f, a = np.array([1, 0, 2, 1, 3, 1]), np.array([0.5, 0.0, 1.0, 2.0, 1.0, 0.25])
    _same(
        pt.cov(pt.asarray(COV_X), fweights=pt.asarray(f), aweights=pt.asarray(a)),
        torch.cov(torch.tensor(COV_X), fweights=torch.tensor(f), aweights=torch.tensor(a)),
    )


def test_dask_results_stay_lazy(backend: str) -> None:
    if backend != "dask":
        pytest.skip("the laziness of Dask's results")
    import dask.array as da

    x = pt.asarray(M, requires_grad=True)
    q = pt.asarray([0.2, 0.7], dtype=pt.float64)
    outs = [
        *pt.cummax(x, 1),
        pt.logcumsumexp(x, 0),
        *pt.kthvalue(x, 2),
        pt.quantile(x, q, dim=1),
        pt.nanquantile(x, 0.5),
        pt.cov(x, aweights=pt.asarray(AW[:6])),
        pt.corrcoef(x),
    ]
    assert all(isinstance(o._data, da.Array) for o in outs)
    sum(o.sum() for o in outs if o.dtype == pt.float64).backward()
    assert isinstance(x.grad._data, da.Array)


def test_running_scans_keep_dask_chunks() -> None:
    pytest.importorskip("dask.array", reason="the dask backend needs dask installed")
    data = RNG.standard_normal((3, 1000))
    with pt.use_backend("dask", chunks=(3, 100)):
        x = pt.asarray(data)
        values, indices = pt.cummax(x, 1)
        running = pt.logcumsumexp(x, dim=1)
        # (a scan by slices joined would split the chunks at every shift: 1000 of them)
        for t in (values, indices, running, x.cummin(1).values):
            assert t._data.chunks == x._data.chunks
        want_v, want_i = torch.cummax(torch.tensor(data), 1)
        np.testing.assert_array_equal(host(values), want_v.numpy())
        np.testing.assert_array_equal(host(indices), want_i.numpy())
        _same(running, torch.logcumsumexp(torch.tensor(data), 1))


SELECTIONS: dict[str, Callable[..., Any]] = {
    "cummax": lambda x: pt.cummax(x, 1).values,
    "cummin": lambda x: pt.cummin(x, dim=1).values,
    "kthvalue": lambda x: pt.kthvalue(x, 3, 1).values,
    "quantile": lambda x: pt.quantile(
        x, pt.asarray([0.3, 0.9], dtype=pt.float64, device=x.device), dim=1
    ),
}


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_dask_gradients_of_selections_keep_the_chunks(name: str) -> None:
    pytest.importorskip("dask.array", reason="the dask backend needs dask installed")
    from dask.callbacks import Callback

    class Larger(Callback):  # type: ignore[misc]
        """The names of the tasks whose results hold more than one chunk of x (3 x 10)."""

        def __init__(self) -> None:
            self.names: set[str] = set()

        def _posttask(self, key: Any, result: Any, *args: Any) -> None:
            label = str(key[0] if isinstance(key, tuple) else key)
            if getattr(result, "size", 0) > 30 and not label.startswith("finalize"):
                self.names.add(label.rsplit("-", 1)[0])

    data = RNG.standard_normal((12, 40))
    with pt.use_backend("dask", chunks=(3, 10)):
        x = pt.asarray(data, requires_grad=True)
    (SELECTIONS[name](x) ** 2).sum().backward()
    assert x.grad is not None
    assert x.grad._data.chunks == x._data.chunks
    with Larger() as larger:
        got = x.grad._data.compute(scheduler="sync")
    # The values are taken, and their gradients added back, a block of x at a time: where a
    # whole x used to be made in every task of the backward's scatter. Only the sort that
    # kthvalue and quantile read their order from sees a whole line.
    allowed = set() if name.startswith("cum") else {"argsort", "rechunk"}
    assert {n.split("-")[0] for n in larger.names} <= allowed
    xn = pt.asarray(data, requires_grad=True, device="numpy")
    (SELECTIONS[name](xn) ** 2).sum().backward()
    assert xn.grad is not None
    np.testing.assert_allclose(got, xn.grad.numpy(), rtol=1e-12)
