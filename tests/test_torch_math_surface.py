"""PyTorch's element-wise, shape and product functions that the standard lacks or spells
otherwise (``pt.erf``, ``pt.exp2``, ``pt.logit(x, eps)``, ``pt.fmax``, ``pt.addmm``,
``pt.diagonal``, ``pt.eq``...) and their Tensor methods (``x.erf()``, ``x.atan2(y)``) give
torch's values and dtypes for float32, float64, int64 and bool inputs, torch's float64
gradients and torch's refusals, on every available backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import diff, host, run_both  # noqa: E402

DATA = {
    "float32": np.array([0.5, -0.25, 0.75, -1.5, 2.0, 0.0], dtype=np.float32),
    "float64": np.array([0.5, -0.25, 0.75, -1.5, 2.0, 0.0]),
    "int64": np.array([2, 0, -3, 1, 5, -1]),
    "bool": np.array([True, False, True, True, False, False]),
}
DTYPES = list(DATA)


def _same(got: Any, want: Any) -> None:
    """``got`` (polytensor) has ``want``'s (torch) dtype, shape and values."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _same(g, w)
        return
    if isinstance(want, bool):
        assert got is want
        return
    assert got.dtype.name == str(want.dtype).removeprefix("torch."), (got.dtype, want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    g, w = host(got), want.detach().numpy()
    if w.dtype.kind in "fc":
        rtol = 1e-6 if w.dtype in (np.float32, np.complex64) else 1e-12
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-6 * rtol, equal_nan=True)
    else:
        np.testing.assert_array_equal(g, w)


def _both(fn: Callable[..., Any], *arrays: np.ndarray) -> None:
    """``fn(lib, *tensors)`` in torch and in polytensor: the same result, or both refuse."""
    with np.errstate(all="ignore"):
        try:
            want = fn(torch, *(torch.tensor(a) for a in arrays))
        except (RuntimeError, TypeError, ValueError, NotImplementedError):
            with pytest.raises((RuntimeError, TypeError, ValueError)):
                fn(pt, *(pt.asarray(a.copy()) for a in arrays))
            return
        _same(fn(pt, *(pt.asarray(a.copy()) for a in arrays)), want)


UNARY = [
    "erf",
    "erfc",
    "erfinv",
    "lgamma",
    "digamma",
    "i0",
    "sinc",
    "exp2",
    "deg2rad",
    "rad2deg",
    "logit",
    "frac",
    "fix",
    "sgn",
    "isposinf",
    "isneginf",
    "isreal",
    "nansum",
    "nanmean",
    "ravel",
    "msort",
    "clone",
    "flipud",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_namespace_function_matches_torch(backend: str, name: str, dtype: str) -> None:
    _both(lambda m, x: getattr(m, name)(x), DATA[dtype])


METHODS = [
    *(n for n in UNARY if not n.startswith("atleast") and n != "clone"),
    "signbit",
    "positive",
    "negative",
    "aminmax",
    "is_complex",
    "is_signed",
    "count_nonzero",
    "fliplr",
    "rot90",
    "adjoint",
    "cfloat",
    "cdouble",
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", METHODS)
def test_tensor_method_matches_torch(backend: str, name: str, dtype: str) -> None:
    def call(m: Any, x: Any) -> Any:
        if name in ("fliplr", "rot90", "adjoint"):
            x = x.reshape(2, 3)
        r = getattr(x, name)()
        return tuple(r) if name == "aminmax" else r

    _both(call, DATA[dtype])


BINARY: dict[str, Callable[..., Any]] = {
    "xlogy": lambda m, a, b: m.xlogy(a, b),
    "float_power": lambda m, a, b: m.float_power(a, b),
    "float_power of a number": lambda m, a, b: m.float_power(a, 2),
    "true_divide": lambda m, a, b: m.true_divide(a, b),
    "fmax": lambda m, a, b: m.fmax(a, b),
    "fmin": lambda m, a, b: m.fmin(a, b),
    "heaviside": lambda m, a, b: m.heaviside(a, b),
    "logaddexp2": lambda m, a, b: m.logaddexp2(a, b),
    "ldexp": lambda m, a, b: m.ldexp(a, b),
    "eq": lambda m, a, b: m.eq(a, b),
    "ne": lambda m, a, b: m.ne(a, b),
    "lt": lambda m, a, b: m.lt(a, b),
    "le": lambda m, a, b: m.le(a, b),
    "gt": lambda m, a, b: m.gt(a, 0),
    "ge": lambda m, a, b: m.ge(a, b),
    "clamp_min": lambda m, a, b: m.clamp_min(a, 1),
    "clamp_max": lambda m, a, b: m.clamp_max(a, b),
    "dist": lambda m, a, b: m.dist(a, b),
    "inner": lambda m, a, b: m.inner(a, b),
    "vdot": lambda m, a, b: m.vdot(a, b),
    "cross": lambda m, a, b: m.cross(a.reshape(2, 3), b.reshape(2, 3), dim=1),
    "x.atan2": lambda m, a, b: a.atan2(b),
    "x.copysign": lambda m, a, b: a.copysign(b),
    "x.hypot": lambda m, a, b: a.hypot(b),
    "x.logaddexp": lambda m, a, b: a.logaddexp(b),
    "x.logical_xor": lambda m, a, b: a.logical_xor(b),
    "x.multiply": lambda m, a, b: a.multiply(b),
    "x.subtract": lambda m, a, b: a.subtract(b),
    "x.subtract alpha": lambda m, a, b: (a * 1).subtract(b * 1.5, alpha=2),
    "x.divide": lambda m, a, b: a.divide(m.where(b == 0, 1, b), rounding_mode="floor"),
    "x.greater": lambda m, a, b: a.greater(b),
    "x.less_equal": lambda m, a, b: a.less_equal(b),
    "x.not_equal": lambda m, a, b: a.not_equal(b),
    "x.floor_divide": lambda m, a, b: a.floor_divide(m.where(b == 0, 1, b)),
    "x.bitwise_and": lambda m, a, b: a.bitwise_and(b),
    "x.bitwise_not": lambda m, a, b: a.bitwise_not(),
    "x.maximum": lambda m, a, b: a.maximum(b),
    "x.where": lambda m, a, b: a.where(a > 0, b),
    "x.isclose": lambda m, a, b: a.isclose(b),
    "x.equal": lambda m, a, b: a.equal(b),
    "x.equal itself": lambda m, a, b: a.equal(a),
    "x.is_same_size": lambda m, a, b: a.is_same_size(b),
    "x.xlogy": lambda m, a, b: a.xlogy(b),
    "x.fmax": lambda m, a, b: a.fmax(b),
    "x.nextafter": lambda m, a, b: a.nextafter(b),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_function_matches_torch(backend: str, name: str, dtype: str) -> None:
    a = DATA[dtype]
    _both(BINARY[name], a, np.roll(a, 2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_argwhere_matches_torch(backend: str, dtype: str) -> None:
    if backend == "dask":  # (a shape that depends on the values: computed only on request)
        with pytest.raises(NotImplementedError, match=r"nonzero\(\) is not supported on the dask"):
            pt.argwhere(pt.asarray(DATA[dtype]))
        return
    _both(lambda m, x: m.argwhere(x.reshape(2, 3)), DATA[dtype])
    _both(lambda m, x: x.argwhere(), DATA[dtype])


def test_fmax_and_fmin_skip_nan_as_torch(backend: str) -> None:
    a = np.array([1.0, np.nan, np.nan, 2.0])
    b = np.array([np.nan, 3.0, np.nan, 2.0])
    _both(lambda m, x, y: m.fmax(x, y), a, b)
    _both(lambda m, x, y: m.fmin(x, y), a, b)


def test_nansum_and_nanmean_skip_nan_as_torch(backend: str) -> None:
    a = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]])
    _both(lambda m, x: m.nansum(x, 1), a)
    _both(lambda m, x: m.nanmean(x, dim=1, keepdim=True), a)
    _both(lambda m, x: x.nansum(), a)


RNG = np.random.default_rng(11)
V = RNG.uniform(-0.9, 0.9, 6)
POS = RNG.uniform(0.2, 3.0, 6)
M = RNG.standard_normal((3, 4))
N = RNG.standard_normal((4, 2))
SQ = RNG.standard_normal((3, 3)) + 3 * np.eye(3)
B3 = RNG.standard_normal((2, 3, 4))
C3 = RNG.standard_normal((2, 4, 5))
NAN = np.array([1.0, np.nan, -2.0, 0.5])
TIES = np.array([1.0, 2.0, np.nan, 0.5])
TIES2 = np.array([1.0, -1.0, 3.0, np.nan])
IDX = np.array([[0, 2], [1, 1], [3, 0]])

# name -> (function of (lib, *tensors), the inputs; arrays wrapped in diff() get gradients)
GRADIENTS: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
    "erf": (lambda m, x: m.erf(x), (diff(V),)),
    "erfc": (lambda m, x: m.erfc(x), (diff(V),)),
    "erfinv": (lambda m, x: m.erfinv(x), (diff(V),)),
    "lgamma": (lambda m, x: m.lgamma(x), (diff(POS),)),
    "digamma": (lambda m, x: m.digamma(x), (diff(POS),)),
    "polygamma": (lambda m, x: m.polygamma(1, x), (diff(POS),)),
    "x.polygamma": (lambda m, x: x.polygamma(2), (diff(POS),)),
    "i0": (lambda m, x: m.i0(x), (diff(V),)),
    "sinc": (lambda m, x: m.sinc(x), (diff(np.append(V, 0.0)),)),
    "exp2": (lambda m, x: m.exp2(x), (diff(V),)),
    "deg2rad": (lambda m, x: m.deg2rad(x), (diff(V),)),
    "rad2deg": (lambda m, x: m.rad2deg(x), (diff(V),)),
    "logit": (lambda m, x: m.logit(x), (diff(np.abs(V)),)),
    "logit eps": (lambda m, x: m.logit(x, eps=0.2), (diff(np.abs(V)),)),
    "x.logit eps": (lambda m, x: x.logit(0.25), (diff(np.abs(V)),)),
    "frac": (lambda m, x: m.frac(x * 3), (diff(V),)),
    "xlogy": (lambda m, x, y: m.xlogy(x, y), (diff(np.append(V, 0.0)), diff(np.append(POS, 1)))),
    "x.xlogy of a number": (lambda m, x: x.xlogy(2.0), (diff(V),)),
    "float_power": (lambda m, x, y: m.float_power(x, y), (diff(POS), diff(V))),
    "float_power of a number": (lambda m, x: m.float_power(x, 2.5), (diff(POS),)),
    "x.float_power": (lambda m, x: x.float_power(3), (diff(V),)),
    "fmax": (lambda m, x, y: m.fmax(x, y), (diff(TIES), diff(TIES2))),
    "fmin": (lambda m, x, y: m.fmin(x, y), (diff(TIES), diff(TIES2))),
    "logaddexp2": (lambda m, x, y: m.logaddexp2(x, y), (diff(V), diff(POS))),
    "ldexp": (lambda m, x, y: m.ldexp(x, y), (diff(V), diff(POS))),
    "nansum": (lambda m, x: m.nansum(x), (diff(NAN),)),
    "nanmean": (lambda m, x: m.nanmean(x), (diff(NAN),)),
    "x.nanmean dim": (lambda m, x: x.reshape(2, 2).nanmean(0), (diff(NAN),)),
    "clamp_min": (lambda m, x: m.clamp_min(x, 0.1), (diff(V),)),
    "clamp_max of a tensor": (lambda m, x, y: m.clamp_max(x, y), (diff(V), diff(V[::-1].copy()))),
    "x.atan2": (lambda m, x, y: x.atan2(y), (diff(V), diff(POS))),
    "x.copysign": (lambda m, x, y: x.copysign(y), (diff(V), diff(V[::-1].copy()))),
    "x.hypot": (lambda m, x, y: x.hypot(y), (diff(V), diff(POS))),
    "x.logaddexp": (lambda m, x, y: x.logaddexp(y), (diff(V), diff(POS))),
    "x.erf": (lambda m, x: x.erf(), (diff(V),)),
    "x.lgamma": (lambda m, x: x.lgamma(), (diff(POS),)),
    "x.exp2": (lambda m, x: x.exp2(), (diff(V),)),
    "x.sgn": (lambda m, x: x.sgn() * x, (diff(V),)),
    "dist": (lambda m, x, y: m.dist(x, y), (diff(V), diff(POS))),
    "dist p=1": (lambda m, x, y: m.dist(x, y, p=1), (diff(V), diff(POS))),
    "dist p=inf": (lambda m, x, y: m.dist(x, y, float("inf")), (diff(V), diff(POS))),
    "x.dist p=3": (lambda m, x, y: x.dist(y, 3), (diff(V), diff(POS))),
    "inner": (lambda m, x, y: m.inner(x, y), (diff(M), diff(N.T.copy()))),
    "inner of vectors": (lambda m, x, y: m.inner(x, y), (diff(V), diff(POS))),
    "vdot": (lambda m, x, y: m.vdot(x, y), (diff(V), diff(POS))),
    "cross": (lambda m, x, y: m.cross(x, y, -1), (diff(M[:, :3]), diff(SQ))),
    "cross dim": (lambda m, x, y: m.cross(x, y, dim=0), (diff(SQ), diff(M[:, 1:]))),
    "addmm": (lambda m, a, x, y: m.addmm(a, x, y), (diff(M[:, :2]), diff(M), diff(N))),
    "addmm scaled": (
        lambda m, a, x, y: m.addmm(a, x, y, beta=0.5, alpha=-2.0),
        (diff(M[0, :2]), diff(M), diff(N)),
    ),
    "x.addmm beta 0": (
        lambda m, a, x, y: a.addmm(x, y, beta=0),
        (diff(M[:, :2]), diff(M), diff(N)),
    ),
    "addmv": (lambda m, a, x, y: m.addmv(a, x, y, alpha=3), (diff(V[:3]), diff(M), diff(POS[:4]))),
    "addr": (lambda m, a, x, y: m.addr(a, x, y), (diff(M), diff(V[:3]), diff(POS[:4]))),
    "baddbmm": (
        lambda m, a, x, y: m.baddbmm(a, x, y, beta=2),
        (diff(B3[:, :, :1]), diff(B3), diff(C3)),
    ),
    "addbmm": (lambda m, a, x, y: m.addbmm(a, x, y), (diff(M), diff(B3), diff(C3[:, :, :4]))),
    "aminmax": (lambda m, x: m.aminmax(x, dim=1)[1], (diff(M),)),
    "x.aminmax min": (lambda m, x: x.aminmax()[0], (diff(M),)),
    "std_mean": (lambda m, x: sum(m.std_mean(x, 1)), (diff(M),)),
    "var_mean": (lambda m, x: sum(m.var_mean(x, dim=0, correction=0, keepdim=True)), (diff(M),)),
    "diagonal": (lambda m, x: m.diagonal(x), (diff(M),)),
    "diagonal offset dims": (lambda m, x: m.diagonal(x, 1, 2, 0), (diff(B3),)),
    "x.diagonal negative offset": (lambda m, x: x.diagonal(-1), (diff(M),)),
    "rot90": (lambda m, x: m.rot90(x), (diff(M),)),
    "rot90 k=2": (lambda m, x: m.rot90(x, 2, [1, 2]), (diff(B3),)),
    "x.rot90 k=-1": (lambda m, x: x.rot90(-1, (0, 1)), (diff(M),)),
    "x.rot90 k=3": (lambda m, x: x.rot90(3, (2, 0)), (diff(B3),)),
    "fliplr": (lambda m, x: m.fliplr(x), (diff(M),)),
    "flipud": (lambda m, x: m.flipud(x), (diff(M),)),
    "take_along_dim": (lambda m, x, i: m.take_along_dim(x, i, 1), (diff(M), IDX)),
    "take_along_dim flat": (lambda m, x, i: m.take_along_dim(x, i), (diff(M), IDX)),
    "x.take": (lambda m, x, i: x.take(i), (diff(M), IDX)),
    "logdet": (lambda m, x: m.logdet(x @ x.T + m.eye(3, dtype=m.float64)), (diff(SQ),)),
    "slogdet": (lambda m, x: m.slogdet(x)[1], (diff(SQ),)),
    "x.slogdet": (lambda m, x: x.slogdet()[1], (diff(SQ),)),
    "pinverse": (lambda m, x: m.pinverse(x), (diff(M),)),
    "x.matrix_power": (lambda m, x: x.matrix_power(3), (diff(SQ),)),
    "x.det": (lambda m, x: x.det(), (diff(SQ),)),
    "x.inverse": (lambda m, x: x.inverse(), (diff(SQ),)),
    "atleast_3d": (lambda m, x: m.atleast_3d(x), (diff(M),)),
    "atleast_2d of several": (lambda m, x: m.atleast_2d(x, x[0])[1], (diff(M),)),
    "unflatten": (lambda m, x: m.unflatten(x, 1, (2, -1)), (diff(M),)),
    "x.unflatten": (lambda m, x: x.unflatten(-1, [1, 3]), (diff(SQ),)),
    "adjoint": (lambda m, x: m.adjoint(x), (diff(B3),)),
    "ravel": (lambda m, x: m.ravel(x.T), (diff(M),)),
    "msort": (lambda m, x: m.msort(x), (diff(M),)),
    "x.tile": (lambda m, x: x.tile(2, 1), (diff(M),)),
    "x.tile tuple": (lambda m, x: x.tile((2,)), (diff(M),)),
    "x.diff": (lambda m, x: x.diff(dim=0), (diff(M),)),
    "x.kron": (lambda m, x, y: x.kron(y), (diff(M[:2, :2]), diff(N[:2]))),
    "x.median": (lambda m, x: x.median(), (diff(V),)),
    "x.where": (lambda m, x, y: x.where(x > 0, y), (diff(V), diff(POS))),
    "x.broadcast_to": (lambda m, x: x.broadcast_to((2, 6)), (diff(V),)),
    "clone": (lambda m, x: m.clone(x), (diff(V),)),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_float64_gradients_match_torch(backend: str, name: str) -> None:
    fn, args = GRADIENTS[name]
    # (torch's trigamma and higher polygammas, digamma's and polygamma's derivatives, agree
    # with SciPy's to 5e-10)
    tol = {"rtol": 1e-8, "atol": 1e-12} if "gamma" in name else None
    run_both(lambda *a: fn(pt, *a), lambda *a: fn(torch, *a), args, tol=tol)


@pytest.mark.filterwarnings("ignore:Using torch.cross without specifying the dim arg")
def test_cross_without_dim_takes_the_first_dimension_of_size_3_as_torch(backend: str) -> None:
    run_both(pt.cross, torch.cross, (diff(B3), diff(np.roll(B3, 1, axis=2))))


def test_logspace_and_promote_types_match_torch(backend: str) -> None:
    _same(pt.logspace(-1, 2, 4), torch.logspace(-1, 2, 4))
    _same(
        pt.logspace(0, 3, 4, base=2.0, dtype=pt.float64),
        torch.logspace(0, 3, 4, base=2.0, dtype=torch.float64),
    )
    x = pt.logspace(0, 1, 3, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    assert pt.promote_types(pt.int32, pt.float32) == pt.float32
    assert pt.promote_types(pt.uint8, pt.int8) == pt.int16
    with pytest.raises(TypeError, match=r"promote_types\(\) expects a polytensor dtype"):
        pt.promote_types("int32", pt.float32)  # type: ignore[arg-type]


def test_predicates_and_sizes_match_torch(backend: str) -> None:
    for data in (
        np.ones(3, np.float32),
        np.ones(3, np.uint8),
        np.ones(3, bool),
        np.ones(3, np.complex64),
    ):
        x, t = pt.asarray(data), torch.tensor(data)
        assert (pt.is_complex(x), x.is_complex()) == (torch.is_complex(t), t.is_complex())
        assert (pt.is_signed(x), x.is_signed()) == (torch.is_signed(t), t.is_signed())
        assert (x.itemsize, x.nbytes) == (t.itemsize, t.nbytes)
    assert pt.is_nonzero(pt.asarray([2.0])) is True and pt.asarray(0).is_nonzero() is False
    for bad in (pt.ones(2), pt.ones(0)):
        with pytest.raises(RuntimeError, match=r"Boolean value of Tensor with .* is ambiguous"):
            pt.is_nonzero(bad)
    assert pt.is_same_size(pt.ones(2, 3), pt.zeros(2, 3)) and not pt.ones(2).is_same_size(
        pt.ones(3)
    )
    assert pt.ones(2).get_device() == -1
    assert pt.asarray([1, 2]).equal(pt.asarray([1, 2, 3])) is False


def test_fill_diagonal_matches_torch(backend: str) -> None:
    for shape, wrap in (
        ((3, 3), False),
        ((2, 4), False),
        ((7, 3), False),
        ((7, 3), True),
        ((3, 3, 3), False),
    ):
        x, t = pt.zeros(shape), torch.zeros(shape)
        assert x.fill_diagonal_(2.5, wrap=wrap) is x
        _same(x, t.fill_diagonal_(2.5, wrap=wrap))
    w = np.arange(9.0).reshape(3, 3)
    run_both(
        lambda a: (a * 1).fill_diagonal_(0.0), lambda a: (a * 1).fill_diagonal_(0.0), (diff(w),)
    )
    with pytest.raises(ValueError, match=r"all dimensions of input must be of equal length"):
        pt.zeros(2, 3, 3).fill_diagonal_(1.0)


def test_compile_returns_the_model_itself() -> None:
    def f(x: Any) -> Any:
        return x * 2

    assert pt.compile(f) is f
    assert pt.compile(mode="reduce-overhead")(f) is f
    with pytest.raises(TypeError, match=r"compile\(\) expects a module or a function"):
        pt.compile(3)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: pt.frac(pt.asarray([1, 2])), TypeError, r"frac\(\) expects a real floating"),
        (
            lambda: pt.nanmean(pt.asarray([1, 2])),
            TypeError,
            r"nanmean\(\): expected input to have floating",
        ),
        (
            lambda: pt.logaddexp2(pt.asarray([1]), pt.asarray([1])),
            TypeError,
            r"logaddexp2\(\) expects a real",
        ),
        (
            lambda: pt.heaviside(pt.ones(2), pt.ones(2, dtype=pt.float64)),
            TypeError,
            r"heaviside is not yet implemented for tensors with different dtypes",
        ),
        (lambda: pt.isposinf(pt.asarray([1j])), TypeError, r"isposinf does not support complex"),
        (lambda: pt.vdot(pt.ones(2, 2), pt.ones(2, 2)), ValueError, r"1D tensors expected"),
        (lambda: pt.vdot(pt.ones(2), pt.ones(2, dtype=pt.float64)), TypeError, r"same dtype"),
        (lambda: pt.inner(pt.ones(2, 3), pt.ones(2)), ValueError, r"last dimension must match"),
        (lambda: pt.fliplr(pt.ones(3)), ValueError, r"fliplr\(\): input must be >= 2-d"),
        (lambda: pt.rot90(pt.ones(2, 2), 1, (1, 1)), ValueError, r"rotation dims to be different"),
        (lambda: pt.rot90(pt.ones(2, 2), 1, (0,)), ValueError, r"rotation dims == 2"),
        (
            lambda: pt.take_along_dim(pt.ones(2, 2), pt.asarray([0]), 1),
            ValueError,
            r"same number of dimensions",
        ),
        (lambda: pt.diagonal(pt.ones(3)), ValueError, r"2 or more dimensions"),
        (
            lambda: pt.cross(pt.ones(2, 2), pt.ones(2, 2)),
            ValueError,
            r"^cross\(\): no dimension of size 3",
        ),
        (lambda: pt.addmm(pt.ones(3, 3), pt.ones(2, 2), pt.ones(2, 2)), ValueError, r"broadcast"),
        (
            lambda: pt.addmm(pt.ones(2, 2, 2), pt.ones(2, 2), pt.ones(2, 2), beta=0),
            ValueError,
            r"does not broadcast to the product's shape",
        ),
        (
            lambda: pt.addmm(pt.ones(2), pt.ones(2), pt.ones(2, 2)),
            ValueError,
            r"mat1 must be a 2-d",
        ),
        (lambda: pt.float_power(2, 3), TypeError, r"float_power\(\) expects a tensor"),
        (lambda: pt.clamp_min(pt.ones(2), None), TypeError, r"clamp_min\(\) expects a number"),
        (lambda: pt.logit(pt.ones(2), eps="a"), TypeError, r"logit\(\) expects eps"),
        (lambda: pt.erf([1.0]), TypeError, r"erf\(\) expects polytensor arrays"),
        (lambda: pt.exp2([1.0]), TypeError, r"exp2\(\) expects input to be a polytensor Tensor"),
        (lambda: pt.ones(2).unflatten(0, ()), TypeError, r"non-empty tuple"),
        (lambda: pt.ones(2).take(pt.ones(1)), TypeError, r"expected a long tensor"),
    ],
)
def test_refusals_say_what_was_wrong(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_addmm_with_beta_zero_leaves_input_out_as_torch() -> None:
    bad = np.full((3, 2), np.nan)
    want = torch.addmm(torch.tensor(bad), torch.tensor(M), torch.tensor(N), beta=0)
    _same(pt.addmm(pt.asarray(bad), pt.asarray(M), pt.asarray(N), beta=0), want)


def test_new_names_are_the_same_functions_as_their_standard_or_special_spelling() -> None:
    assert pt.eq is pt.equal and pt.ne is pt.not_equal and pt.lt is pt.less
    assert pt.le is pt.less_equal and pt.gt is pt.greater and pt.ge is pt.greater_equal
    assert pt.true_divide is pt.divide and pt.sgn is pt.sign and pt.fix is pt.trunc
    assert pt.bitwise_not is pt.bitwise_invert
    assert pt.erf is pt.special.erf and pt.lgamma is pt.special.gammaln
    assert pt.digamma is pt.special.digamma and pt.xlogy is pt.special.xlogy
    assert pt.matrix_power is pt.linalg.matrix_power and pt.slogdet is pt.linalg.slogdet


NN_NAMES = [
    "adaptive_avg_pool1d",
    "avg_pool1d",
    "bilinear",
    "celu",
    "channel_shuffle",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "cosine_similarity",
    "dropout",
    "group_norm",
    "hardshrink",
    "layer_norm",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "pairwise_distance",
    "pixel_shuffle",
    "pixel_unshuffle",
    "prelu",
    "rrelu",
    "selu",
    "threshold",
]


@pytest.mark.parametrize("name", NN_NAMES)
def test_torch_names_of_functional_functions_are_them(name: str) -> None:
    assert getattr(pt, name) is getattr(pt.nn.functional, name)
    assert name in dir(pt)


IMG = RNG.standard_normal((2, 3, 6, 6))


def _conv(m: Any, x: Any, w: Any) -> Any:
    return m.conv2d(x, w, None, 2, 1)


KER = RNG.standard_normal((4, 3, 3, 3))


@pytest.mark.parametrize(
    "fn",
    [
        _conv,
        lambda m, x, w: m.max_pool2d(x, 2, 2),
        lambda m, x, w: m.layer_norm(x, (6, 6)),
        lambda m, x, w: m.group_norm(x, 3),
        lambda m, x, w: m.dropout(x, 0.5, False),
        lambda m, x, w: m.selu(x) + m.celu(x, 0.5) + m.hardshrink(x, 0.3),
        lambda m, x, w: m.threshold(x, 0.1, -1.0),
        lambda m, x, w: m.pixel_shuffle(x[:, :1].reshape(2, 4, 3, 3), 2),
    ],
    ids=[
        "conv2d",
        "max_pool2d",
        "layer_norm",
        "group_norm",
        "dropout",
        "activations",
        "threshold",
        "pixel_shuffle",
    ],
)
def test_torch_names_of_functional_functions_match_torch(backend: str, fn: Any) -> None:
    w = diff(KER) if fn is _conv else KER  # (the kernel gets a gradient where it is used)
    run_both(lambda x, k: fn(pt, x, k), lambda x, k: fn(torch, x, k), (diff(IMG), w))
