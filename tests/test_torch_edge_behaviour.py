"""Edge cases where polytensor follows torch: out-of-range integer bounds of ``clamp``, in-place
ops in a graph, gradients far in a tail, empty adaptive pools, complex ``logcumsumexp``,
``out=`` arguments and error classes; values, float64 gradients and exception classes
compared with torch's, on every available backend."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402


def _same_outcome(fn: Callable[[Any], Any]) -> None:
    """``fn(torch)`` and ``fn(pt)`` give the same values and dtype, or raise the same class."""
    try:
        want = fn(torch)
    except Exception as e:  # noqa: BLE001 - the class torch raises is the reference
        with pytest.raises(type(e)):
            fn(pt)
        return
    got = fn(pt)
    assert got.dtype.name == str(want.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(host(got), want.numpy())


# -- clamp's Python-int bounds on integer tensors -------------------------------------------------

_U8 = [1, 200, 255]
_I8 = [1, -100, 5]

CLAMPS = {
    "u8 clamp(max=300)": (_U8, "uint8", lambda x: x.clamp(max=300)),
    "u8 clamp(max=256)": (_U8, "uint8", lambda x: x.clamp(max=256)),
    "u8 clamp(max=255)": (_U8, "uint8", lambda x: x.clamp(max=255)),
    "u8 clamp(min=-1)": (_U8, "uint8", lambda x: x.clamp(min=-1)),
    "u8 clamp(min=-255)": (_U8, "uint8", lambda x: x.clamp(min=-255)),
    "u8 clamp(min=-256)": (_U8, "uint8", lambda x: x.clamp(min=-256)),
    "u8 clamp(max=-200)": (_U8, "uint8", lambda x: x.clamp(max=-200)),
    "u8 clamp(-1, 300)": (_U8, "uint8", lambda x: x.clamp(-1, 300)),
    "u8 clamp_(max=300)": (_U8, "uint8", lambda x: x.clone().clamp_(max=300)),
    "u8 clamp_min(300)": (_U8, "uint8", lambda x: x.clamp_min(300)),
    "u8 clamp_max(300)": (_U8, "uint8", lambda x: x.clamp_max(300)),
    "u8 clamp_min_(300)": (_U8, "uint8", lambda x: x.clone().clamp_min_(300)),
    "u8 clip(max=300)": (_U8, "uint8", lambda x: x.clip(max=300)),
    "u8 clip_(max=-1)": (_U8, "uint8", lambda x: x.clone().clip_(max=-1)),
    "u8 clamp(max=2**70)": (_U8, "uint8", lambda x: x.clamp(max=2**70)),
    "u8 clamp(max=300.0)": (_U8, "uint8", lambda x: x.clamp(max=300.0)),
    "i8 clamp(max=-129)": (_I8, "int8", lambda x: x.clamp(max=-129)),
    "i8 clamp(min=128)": (_I8, "int8", lambda x: x.clamp(min=128)),
    "i8 clamp(min=-200)": (_I8, "int8", lambda x: x.clamp(min=-200)),
    "i8 clamp(max=2**63)": (_I8, "int8", lambda x: x.clamp(max=2**63)),
    "i8 clip(-200, 200)": (_I8, "int8", lambda x: x.clip(-200, 200)),
    "i32 clamp(max=2**40)": (_I8, "int32", lambda x: x.clamp(max=2**40)),
    "i64 clamp(max=2**63)": (_I8, "int64", lambda x: x.clamp(max=2**63)),
    "i64 clamp(min=-2**63)": (_I8, "int64", lambda x: x.clamp(min=-(2**63))),
    "i64 clamp(min=-2**63-1)": (_I8, "int64", lambda x: x.clamp(min=-(2**63) - 1)),
    "bool clamp(max=2)": ([True, False], "bool", lambda x: x.clamp(max=2)),
}


@pytest.mark.parametrize("case", list(CLAMPS))
def test_clamp_integer_bounds_out_of_range_as_torch(case: str, backend: str) -> None:
    data, dtype, f = CLAMPS[case]

    def call(m: Any) -> Any:
        return f(m.tensor(data, dtype=getattr(m, dtype)))

    _same_outcome(call)


def test_clamp_bound_out_of_range_is_runtime_and_value_error() -> None:
    x = pt.asarray([1, 2], dtype=pt.int8)
    for call in (lambda: x.clamp(max=-129), lambda: pt.clamp_min(x, 128)):
        with pytest.raises(RuntimeError, match=r"clamp\(\) got the bound .* int8 \[-128, 127\]"):
            call()
        with pytest.raises(ValueError, match="outside the range of int8"):
            call()
        with pytest.raises(pt._checks.OutOfRangeError, match="outside the range of int8"):
            call()


@pytest.mark.parametrize(
    ("bounds", "want"),
    [
        ({"min": 300}, None),
        ({"max": -1}, None),
        ({"max": 300}, [1, 200]),
        ({"min": -1}, [1, 200]),
        ({"min": 2, "max": 100}, [2, 100]),
    ],
)
def test_standard_clip_refuses_int_bounds_the_result_cannot_hold(
    bounds: dict[str, int], want: Any, backend: str
) -> None:
    """pt.clip (the standard's function) of a uint8 array: a bound that would put the result
    outside the dtype raises ScalarRangeError (torch's RuntimeError) on every backend
    (array-api-strict wrapped min=300 to 44); one beyond it on the other side changes
    nothing, as the standard's clip."""
    x = pt.asarray([1, 200], dtype=pt.uint8)
    if want is None:
        with pytest.raises(RuntimeError, match="outside the range of uint8") as got:
            pt.clip(x, **bounds)
        assert isinstance(got.value, ValueError)
    else:
        assert host(pt.clip(x, **bounds)).tolist() == want


# -- in-place ops without a derivative, in a graph ------------------------------------------------

_A = np.array([0.5, -1.5, 2.0, 0.0])
_B = np.array([1.0, 0.0, 3.0, 2.0])
_W = np.array([1.0, 2.0, 3.0, 4.0])


@pytest.mark.parametrize("op", ["logical_and_", "logical_or_", "logical_xor_", "logical_not_"])
def test_logical_ops_in_place_keep_the_history_as_torch(op: str, backend: str) -> None:
    """torch records nothing for them: the tensor keeps its grad_fn, the gradient passes to
    what made it unchanged, and ``other`` gets none."""
    results = []
    for m in (torch, pt):
        a = m.tensor(_A, requires_grad=True)
        b = m.tensor(_B, requires_grad=True)
        y = a * 2
        z = y.logical_not_() if op == "logical_not_" else getattr(y, op)(b)
        assert z is y
        (z * m.tensor(_W)).sum().backward()
        assert b.grad is None
        results.append((host(z), host(a.grad)))
    np.testing.assert_array_equal(results[1][0], results[0][0])
    np.testing.assert_array_equal(results[1][1], results[0][1])


def test_logical_op_in_place_on_a_leaf_that_requires_grad_as_torch(backend: str) -> None:
    for m in (torch, pt):
        a = m.tensor(_A, requires_grad=True)
        a.logical_and_(m.tensor(_B))
        assert a.is_leaf and a.requires_grad
        (a * 3).sum().backward()
        np.testing.assert_array_equal(host(a), [1.0, 0.0, 1.0, 0.0])
        np.testing.assert_array_equal(host(a.grad), [3.0] * 4)


def test_logical_op_in_place_on_a_saved_tensor_is_never_silently_wrong(backend: str) -> None:
    """torch refuses the backward; polytensor refuses it, or (a backend whose arrays cannot
    change, which rebinds) differentiates with the value the product used (DESIGN.md)."""
    t = torch.tensor(_A, requires_grad=True)
    ty = t * 2
    tw = ty * ty
    ty.logical_not_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tw.sum().backward()
    a = pt.tensor(_A, requires_grad=True)
    y = a * 2
    w = y * y
    y.logical_not_()
    message = ""
    try:
        w.sum().backward()
    except RuntimeError as e:
        message = str(e)
    if message:
        assert "modified by an in-place operation" in message
    else:
        np.testing.assert_array_equal(host(a.grad), 8 * _A)


@pytest.mark.parametrize("op", ["floor_divide_", "heaviside_"])
@pytest.mark.parametrize("other_requires_grad", [False, True])
def test_in_place_ops_without_derivative_refuse_backward_as_torch(
    op: str, other_requires_grad: bool, backend: str
) -> None:
    for m in (torch, pt):
        a = m.tensor(_A, requires_grad=True)
        b = m.tensor(_B + 1.0, requires_grad=other_requires_grad)
        y = a * 2
        z = getattr(y, op)(b)
        assert z is y and z.requires_grad
        with m.no_grad():
            want = getattr(torch.tensor(_A * 2), op)(torch.tensor(_B + 1.0)).numpy()
        np.testing.assert_array_equal(host(z), want)
        with pytest.raises(RuntimeError, match=op.removesuffix("_")):
            z.sum().backward()
        a.grad = None
        with m.no_grad():
            getattr(a.detach() * 2, op)(b)  # (outside the graph: nothing to refuse)


# -- ELU's gradient far on its negative side ------------------------------------------------------

_ELU_X = np.array([-800.0, -50.0, -20.0, -1.0, -1e-300, -0.0, 0.0, 1e-300, 2.0, np.nan])


@pytest.mark.parametrize("fn", ["elu", "celu", "selu"])
def test_elu_gradient_keeps_its_small_values_as_torch(fn: str, backend: str) -> None:
    """The derivative ``alpha * exp(x)``: 2.9e-22 at x = -50 (torch's), not 0; first and
    second order, float64."""
    kw = {} if fn == "selu" else {"alpha": 1.5}
    grads = []
    for m in (torch, pt):
        x = m.tensor(_ELU_X, requires_grad=True)
        y = getattr(m.nn.functional, fn)(x, **kw)
        (g,) = m.autograd.grad((y * m.tensor(np.arange(1.0, 11.0))).sum(), x, create_graph=True)
        (g2,) = m.autograd.grad(g.sum(), x)
        grads.append([host(y), host(g), host(g2)])
    for got, want in zip(grads[1], grads[0], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    assert grads[1][1][1] > 1e-22  # (x = -50)


def test_elu_in_place_and_float32_as_torch(backend: str) -> None:
    xs = _ELU_X.astype(np.float32)
    outs = []
    for m in (torch, pt):
        x = m.tensor(xs, requires_grad=True)
        y = m.nn.functional.elu(x * 1, inplace=True)
        y.sum().backward()
        outs.append((host(y), host(x.grad)))
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-6)
    # (torch's in-place form reads the derivative off the output, as expm1's rule: 0 where
    # the output is -alpha; polytensor keeps exp(x) there too)
    finite = np.abs(outs[0][1]) > 1e-30
    np.testing.assert_allclose(outs[1][1][finite], outs[0][1][finite], rtol=1e-6)


# -- adaptive pools with an output size of 0 ------------------------------------------------------

_POOL_X = {
    1: np.arange(24.0).reshape(2, 3, 4),
    2: np.arange(48.0).reshape(2, 3, 2, 4),
    3: np.arange(96.0).reshape(2, 3, 2, 2, 4),
}
POOLS = [
    ("adaptive_avg_pool1d", 1, 0),
    ("adaptive_avg_pool2d", 2, 0),
    ("adaptive_avg_pool2d", 2, (0, 2)),
    ("adaptive_avg_pool2d", 2, (None, 0)),
    ("adaptive_avg_pool3d", 3, 0),
    ("adaptive_avg_pool3d", 3, (1, 0, 2)),
    ("adaptive_max_pool1d", 1, 0),
    ("adaptive_max_pool2d", 2, (2, 0)),
    ("adaptive_max_pool3d", 3, (0, 2, 1)),
]


@pytest.mark.parametrize(("fn", "dims", "size"), POOLS, ids=[f"{p[0]}-{p[2]}" for p in POOLS])
@pytest.mark.parametrize("unbatched", [False, True])
def test_adaptive_pool_to_size_zero_is_empty_as_torch(
    fn: str, dims: int, size: Any, unbatched: bool, backend: str
) -> None:
    """An empty result of the input's dtype; a backward through it raises RuntimeError, as
    torch's; with ``return_indices``, empty int64 indices."""
    data = _POOL_X[dims][0] if unbatched else _POOL_X[dims]
    for m in (torch, pt):
        x = m.tensor(data, requires_grad=True)
        y = getattr(m.nn.functional, fn)(x, size)
        assert y.dtype == m.float64 and y.requires_grad
        assert y.shape == getattr(torch.nn.functional, fn)(torch.tensor(data), size).shape
        with pytest.raises(RuntimeError, match=r"empty|non-zero size"):
            y.sum().backward()
        if "max" in fn:
            _, at = getattr(m.nn.functional, fn)(x, size, return_indices=True)
            assert at.dtype == m.int64 and at.shape == y.shape


@pytest.mark.parametrize("fn", ["adaptive_avg_pool1d", "adaptive_max_pool1d"])
def test_adaptive_pool_refuses_a_negative_size_as_torch(fn: str, backend: str) -> None:
    for m in (torch, pt):
        with pytest.raises(RuntimeError, match=r"negative|greater than or equal to 0"):
            getattr(m.nn.functional, fn)(m.tensor(_POOL_X[1]), -1)


# -- logcumsumexp of complex tensors --------------------------------------------------------------

_C = np.array(
    [[1 + 2j, -0.5 + 3j, 2 - 1j, 0.3 + 0.2j, -1.0 - 0.5j], [0.1j, 40 + 1j, -3 + 0j, 0.5 - 2j, 1j]]
)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_logcumsumexp_of_complex_tensors_as_torch(dim: int, backend: str) -> None:
    outs = []
    rng = np.random.default_rng(1)
    cot = rng.standard_normal((2, 5)) + 1j * rng.standard_normal((2, 5))
    for m in (torch, pt):
        x = m.tensor(_C, requires_grad=True)
        y = m.logcumsumexp(x, dim)
        (y * m.tensor(cot)).sum().real.backward()
        grad = x.grad.resolve_conj() if m is torch else x.grad
        outs.append((host(y), host(grad)))
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-12)
    np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-10, atol=1e-12)


def test_logcumsumexp_of_complex_edges_as_torch(backend: str) -> None:
    ninf = complex(-math.inf, 0)
    for data in ([-1000.0 + 1j, 0j], [ninf, 0j, ninf], [ninf], 1 + 1j, [ninf, ninf]):
        _same_outcome(lambda m, data=data: m.logcumsumexp(m.tensor(data), 0))
    _same_outcome(lambda m: m.logcumsumexp(m.tensor([1, 2]), 0))


@contextlib.contextmanager
def _no_warning() -> Iterator[None]:
    """Without torch's note that ``index_reduce`` is in beta."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "index_reduce", UserWarning)
        yield


# -- index_reduce of a 0-d input ------------------------------------------------------------------


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize(
    ("index", "source"),
    [([0, 0, 0], [1.0, 2.0, 3.0]), ([0], [2.0]), (0, 2.0), ([0], 2.0), ([0, 0], 2.0), ([], 2.0)],
)
def test_index_reduce_of_a_0d_input_as_torch(
    reduce: str, index: Any, source: Any, backend: str
) -> None:
    """A 0-d source at one index only; a multi-element source is refused (RuntimeError)."""
    for include_self in (True, False):

        def call(m: Any, include_self: bool = include_self) -> Any:
            x = m.tensor(5.0, dtype=m.float64)
            i = m.tensor(index, dtype=m.int64)
            return x.index_reduce(
                0, i, m.tensor(source, dtype=m.float64), reduce, include_self=include_self
            )

        with _no_warning():
            _same_outcome(call)


def test_index_reduce_of_a_0d_input_differentiates_as_torch(backend: str) -> None:
    grads = []
    for m in (torch, pt):
        x = m.tensor(5.0, dtype=m.float64, requires_grad=True)
        s = m.tensor(2.0, dtype=m.float64, requires_grad=True)
        with _no_warning():
            y = x.index_reduce(0, m.tensor([0]), s, "prod")
        y.backward()
        grads.append((host(y), host(x.grad), host(s.grad)))
    for g, w in zip(grads[1], grads[0], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12)


# -- trapz, and out= of the running, order-statistic and number functions -------------------------


def test_trapz_is_trapezoid_as_torch(backend: str) -> None:
    y = np.array([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]])
    xs = np.array([0.0, 1.0, 3.0])
    calls = [
        lambda m: m.trapz(m.tensor(y)),
        lambda m: m.trapz(m.tensor(y), m.tensor(xs)),
        lambda m: m.trapz(m.tensor(y), x=m.tensor(xs)),
        lambda m: m.trapz(m.tensor(y), dx=2.0),
        lambda m: m.trapz(m.tensor(y), dx=2, dim=0),
        lambda m: m.trapz(m.tensor([1, 2, 4])),
    ]
    for call in calls:
        want = call(torch)
        got = call(pt)
        assert got.dtype.name == str(want.dtype).removeprefix("torch.")
        np.testing.assert_allclose(host(got), want.numpy(), rtol=1e-12)
    grads = []
    for m in (torch, pt):
        t = m.tensor(y, requires_grad=True)
        m.trapz(t, m.tensor(xs)).sum().backward()
        grads.append(host(t.grad))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)


_V = np.array([[3.0, 1.0, 2.0, 5.0], [0.5, 4.0, -1.0, 2.0]])
_I = np.array([[12, -18, 0, 7]])
OUTS: dict[str, tuple[Callable[..., Any], Callable[[Any], Any]]] = {
    "cummax": (lambda m, out: m.cummax(m.tensor(_V), 1, out=out), lambda m: _pair_like(m, _V)),
    "cummin": (lambda m, out: m.cummin(m.tensor(_V), 0, out=out), lambda m: _pair_like(m, _V)),
    "kthvalue": (
        lambda m, out: m.kthvalue(m.tensor(_V), 2, 1, out=out),
        lambda m: _pair_like(m, _V[:, 0]),
    ),
    "logcumsumexp": (
        lambda m, out: m.logcumsumexp(m.tensor(_V), 1, out=out),
        lambda m: m.zeros(_V.shape, dtype=m.float64),
    ),
    "quantile": (
        lambda m, out: m.quantile(m.tensor(_V), m.tensor([0.2, 0.5], dtype=m.float64), 1, out=out),
        lambda m: m.zeros((2, 2), dtype=m.float64),
    ),
    "nanquantile": (
        lambda m, out: m.nanquantile(m.tensor(_V), 0.3, dim=0, keepdim=True, out=out),
        lambda m: m.zeros((1, 4), dtype=m.float64),
    ),
    "gcd": (
        lambda m, out: m.gcd(m.tensor(_I), m.tensor([[8, 12, 5, -21]]), out=out),
        lambda m: m.zeros((1, 4), dtype=m.int64),
    ),
    "lcm": (
        lambda m, out: m.lcm(m.tensor(_I), m.tensor([[8, 12, 5, -21]]), out=out),
        lambda m: m.zeros((1, 4), dtype=m.int64),
    ),
    "renorm": (
        lambda m, out: m.renorm(m.tensor(_V), 2, 0, 3.0, out=out),
        lambda m: m.zeros(_V.shape, dtype=m.float64),
    ),
    "mvlgamma": (
        lambda m, out: m.mvlgamma(m.tensor(_V + 3.0), 2, out=out),
        lambda m: m.zeros(_V.shape, dtype=m.float64),
    ),
}


def _pair_like(m: Any, a: np.ndarray) -> tuple[Any, Any]:
    return m.zeros(a.shape, dtype=m.float64), m.zeros(a.shape, dtype=m.int64)


@pytest.mark.parametrize("name", list(OUTS))
def test_out_argument_as_torch(name: str, backend: str) -> None:
    """The result is written into ``out`` and ``out`` returned (a pair: the named tuple of
    both); an input that requires grad is refused with out=, as torch refuses it."""
    call, make = OUTS[name]
    results = []
    for m in (torch, pt):
        out = make(m)
        r = call(m, out)
        if isinstance(out, tuple):
            assert r[0] is out[0] and r[1] is out[1] and r.values is out[0]
            results.append([host(o) for o in out])
        else:
            assert r is out
            results.append([host(out)])
    for got, want in zip(results[1], results[0], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.cummax(x, 1, out=_pair_like(m, _V)),
        lambda m, x: m.kthvalue(x, 1, 1, out=_pair_like(m, _V[:, 0])),
        lambda m, x: m.logcumsumexp(x, 1, out=m.zeros(_V.shape, dtype=m.float64)),
        lambda m, x: m.renorm(x, 2, 0, 3.0, out=m.zeros(_V.shape, dtype=m.float64)),
        lambda m, x: m.mvlgamma(x + 3, 2, out=m.zeros(_V.shape, dtype=m.float64)),
    ],
    ids=["cummax", "kthvalue", "logcumsumexp", "renorm", "mvlgamma"],
)
def test_out_refuses_an_input_that_requires_grad_as_torch(
    call: Callable[..., Any], backend: str
) -> None:
    for m in (torch, pt):
        with pytest.raises(RuntimeError, match=r"out="):
            call(m, m.tensor(_V, requires_grad=True))


@pytest.mark.parametrize("fn", ["quantile", "nanquantile"])
def test_quantile_out_differentiates_as_torch(fn: str, backend: str) -> None:
    """torch's quantile with out= copies into out in the graph; out of another dtype is
    refused with RuntimeError."""
    grads = []
    for m in (torch, pt):
        x = m.tensor(_V, requires_grad=True)
        out = m.zeros(2, dtype=m.float64)
        r = getattr(m, fn)(x, 0.3, 1, out=out)
        assert r is out and out.requires_grad
        (out * m.tensor([1.0, -2.0])).sum().backward()
        grads.append((host(out), host(x.grad)))
        with pytest.raises(RuntimeError, match="dtype"):
            getattr(m, fn)(x, 0.3, 1, out=m.zeros(2, dtype=m.float32))
    for g, w in zip(grads[1], grads[0], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12)


# -- error classes: torch's, and the ones polytensor raised before ---------------------------------

SHAPE_ERRORS = {
    "add_": lambda m: m.ones(2, 3).add_(m.ones(4, 3)),
    "add_ broadcasting self": lambda m: m.ones(1, 3).add_(m.ones(2, 3)),
    "mul_": lambda m: m.ones(2, 3).mul_(m.ones(3, 2)),
    "sub_": lambda m: m.ones(2, 3).sub_(m.ones(2, 2)),
    "+=": lambda m: m.ones(2, 3).__iadd__(m.ones(4, 3)),
    "copy_": lambda m: m.ones(2, 3).copy_(m.ones(4, 3)),
    "copy_ of a larger source": lambda m: m.ones(3).copy_(m.ones(2, 3)),
    "add": lambda m: m.ones(2, 3) + m.ones(4, 3),
}


@pytest.mark.parametrize("case", list(SHAPE_ERRORS))
def test_shape_mismatch_is_torch_runtime_error_and_value_error(case: str, backend: str) -> None:
    call = SHAPE_ERRORS[case]
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError, match="broadcast") as got:
        call(pt)
    assert isinstance(got.value, ValueError)


DTYPE_ERRORS = {
    "bool // bool": lambda m, F: m.tensor([True]) // m.tensor([True]),
    "floor_divide(bool, bool)": lambda m, F: m.floor_divide(m.tensor([True]), m.tensor([False])),
    "bool % bool": lambda m, F: m.tensor([True]) % m.tensor([True]),
    "floor(bool)": lambda m, F: m.floor(m.tensor([True])),
    "float & float": lambda m, F: m.tensor([1.5]) & m.tensor([1.5]),
    "complex < complex": lambda m, F: m.tensor([1j]) < m.tensor([1j]),
    "grid_sample(int64)": lambda m, F: F.grid_sample(
        m.ones(1, 1, 4, 4, dtype=m.int64), m.zeros(1, 2, 2, 2), align_corners=False
    ),
    "interpolate(int64, bilinear)": lambda m, F: F.interpolate(
        m.ones(1, 1, 4, 4, dtype=m.int64), scale_factor=2, mode="bilinear"
    ),
    "interpolate(int64, nearest)": lambda m, F: F.interpolate(
        m.ones(1, 1, 4, 4, dtype=m.int64), scale_factor=2, mode="nearest"
    ),
    "interpolate(bool, nearest-exact)": lambda m, F: F.interpolate(
        m.ones(1, 1, 4, dtype=m.bool), scale_factor=2, mode="nearest-exact"
    ),
    "interpolate(int32, area)": lambda m, F: F.interpolate(
        m.ones(1, 1, 4, 4, dtype=m.int32), size=2, mode="area"
    ),
    "unfold(int64)": lambda m, F: F.unfold(m.ones(1, 1, 4, 4, dtype=m.int64), 2),
    "unfold(uint8)": lambda m, F: F.unfold(m.ones(1, 1, 4, 4, dtype=m.uint8), 2),
    "fold(int64)": lambda m, F: F.fold(m.ones(1, 4, 9, dtype=m.int64), (4, 4), 2),
}


@pytest.mark.parametrize("case", list(DTYPE_ERRORS))
def test_refused_dtypes_raise_torch_not_implemented_error_and_type_error(
    case: str, backend: str
) -> None:
    call = DTYPE_ERRORS[case]
    with pytest.raises(NotImplementedError):
        call(torch, torch.nn.functional)
    with pytest.raises(NotImplementedError, match="expects") as got:
        call(pt, pt.nn.functional)
    assert isinstance(got.value, TypeError)


ACCEPTED = {
    "interpolate(uint8, nearest)": lambda m, F: F.interpolate(
        m.tensor(np.arange(16, dtype=np.uint8).reshape(1, 1, 4, 4)), scale_factor=2
    ),
    "unfold(bool)": lambda m, F: F.unfold(m.tensor(np.eye(4, dtype=bool)[None, None]), 2),
    "fold(bool)": lambda m, F: F.fold(m.ones(1, 4, 9, dtype=m.bool), (4, 4), 2),
}


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_dtypes_torch_takes_are_taken(case: str, backend: str) -> None:
    _same_outcome(lambda m: ACCEPTED[case](m, m.nn.functional))


# -- LBFGS's state ---------------------------------------------------------------------------------


def _kind_of(v: Any) -> Any:
    """A state entry's structure: a tensor as ("tensor", shape, dtype), else its type."""
    if isinstance(v, list):
        return [_kind_of(x) for x in v]
    if hasattr(v, "shape"):
        return ("tensor", tuple(v.shape), str(v.dtype).split(".")[-1])
    return type(v).__name__


def _numbers(v: Any) -> list[float]:
    if isinstance(v, list):
        return [x for item in v for x in _numbers(item)]
    if hasattr(v, "shape"):
        return [float(x) for x in host(v).reshape(-1)]
    return [] if v is None else [float(v)]  # (al's slots not used yet are None)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("max_iter", [1, 3])
def test_lbfgs_state_as_torch(line_search_fn: Any, max_iter: int, backend: str) -> None:
    """``H_diag``, ``ro`` and ``al`` are 0-d tensors in the state (``H_diag`` the int 1 until
    the curvature is first updated), as torch's."""
    states = []
    for m in (torch, pt):
        w = m.nn.Parameter(m.tensor([1.0, 2.0], dtype=m.float64))
        opt = m.optim.LBFGS([w], lr=0.5, max_iter=max_iter, line_search_fn=line_search_fn)

        def closure(w: Any = w, opt: Any = opt) -> Any:
            opt.zero_grad()
            loss = ((w - 3) ** 2).sum() + (w**4).sum() * 0.1
            loss.backward()
            return loss

        opt.step(closure)
        opt.step(closure)
        states.append(opt.state_dict()["state"][0])
    got, want = states[1], states[0]
    assert got.keys() == want.keys()
    for k in want:
        assert _kind_of(got[k]) == _kind_of(want[k]), k
        np.testing.assert_allclose(_numbers(got[k]), _numbers(want[k]), rtol=1e-9, err_msg=k)
