"""PyTorch's names that are spellings of what polytensor has (``torch.bmm``, ``x.masked_fill``,
``x.gather``, ``torch.logsumexp``...): each gives torch's values, dtypes, gradients and error
classes, on every CPU backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch")

CPU_BACKENDS = ["numpy", "dask", "array_api_strict"]


def _backend_param(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


@pytest.fixture(params=[_backend_param(b) for b in CPU_BACKENDS])
def backend(request: pytest.FixtureRequest) -> str:
    pt.set_backend(request.param)
    return str(request.param)


RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4))
A[0, 1] = A[0, 2] = 2.5  # (ties for amax/amin)
B3 = RNG.standard_normal((2, 3, 4))
C3 = RNG.standard_normal((2, 4, 5))
SQ = RNG.standard_normal((3, 3)) + 3 * np.eye(3)
IDX = np.array([[0, 2], [1, 1], [3, 0]])
MASK = A > 0

# name -> (function of (lib, *tensors), the float inputs that get gradients, other inputs)
CASES: dict[str, tuple[Callable[..., Any], tuple[np.ndarray, ...], tuple[Any, ...]]] = {
    "bmm": (lambda lib, a, b: lib.bmm(a, b), (B3, C3), ()),
    "squeeze every 1": (lambda lib, a: lib.squeeze(a.reshape(1, 3, 1, 4)), (A,), ()),
    "squeeze dim=": (lambda lib, a: lib.squeeze(a.reshape(1, 3, 1, 4), dim=2), (A,), ()),
    "squeeze dim= of another size": (lambda lib, a: lib.squeeze(a, dim=0), (A,), ()),
    "where of values": (lambda lib, a, m: lib.where(m, a, a * 2), (A,), (MASK,)),
    "x.bmm": (lambda lib, a, b: a.bmm(b), (B3, C3), ()),
    "softmax": (lambda lib, a: lib.softmax(a, 1), (A,), ()),
    "x.softmax": (lambda lib, a: a.softmax(-1), (A,), ()),
    "log_softmax": (lambda lib, a: lib.log_softmax(a, 0), (A,), ()),
    "x.log_softmax": (lambda lib, a: a.log_softmax(dim=1), (A,), ()),
    "amax": (lambda lib, a: lib.amax(a, 1), (A,), ()),
    "amax all": (lambda lib, a: lib.amax(a), (A,), ()),
    "x.amin keepdim": (lambda lib, a: a.amin(dim=(0, 1), keepdim=True), (A,), ()),
    "logsumexp": (lambda lib, a: lib.logsumexp(a, 1), (A,), ()),
    "x.logsumexp keepdim": (lambda lib, a: a.logsumexp((0, 1), keepdim=True), (A,), ()),
    "logsumexp big": (lambda lib, a: lib.logsumexp(a * 1000, 0), (A,), ()),
    "rsqrt": (lambda lib, a: lib.rsqrt(a * a + 1), (A,), ()),
    "x.rsqrt": (lambda lib, a: (a * a + 1).rsqrt(), (A,), ()),
    "masked_fill": (lambda lib, a, m: lib.masked_fill(a, m, -1.5), (A,), (MASK,)),
    "x.masked_fill row": (lambda lib, a, m: a.masked_fill(m[0], 0.0), (A,), (MASK,)),
    "x.masked_fill_": (lambda lib, a, m: (a * 1).masked_fill_(m, 3.0), (A,), (MASK,)),
    "index_select": (lambda lib, a, i: lib.index_select(a, 1, i[:, 0]), (A,), (IDX,)),
    "x.index_select": (lambda lib, a, i: a.index_select(0, i[:, 1]), (A,), (IDX,)),
    "gather": (lambda lib, a, i: lib.gather(a, 1, i), (A,), (IDX,)),
    "x.gather dim 0": (lambda lib, a, i: a.gather(0, i[:2, :1] % 3), (A,), (IDX,)),
    "narrow": (lambda lib, a: lib.narrow(a, 1, 1, 2), (A,), ()),
    "x.narrow negative": (lambda lib, a: a.narrow(0, -2, 2), (A,), ()),
    "select": (lambda lib, a: lib.select(a, 1, -1), (A,), ()),
    "x.select": (lambda lib, a: a.select(0, 1), (A,), ()),
    "unbind": (lambda lib, a: lib.unbind(a, 1), (A,), ()),
    "x.unbind": (lambda lib, a: a.unbind(), (A,), ()),
    "outer": (lambda lib, a: lib.outer(a[0], a[1]), (A,), ()),
    "x.outer": (lambda lib, a: a[0].outer(a[2]), (A,), ()),
    "inverse": (lambda lib, a: lib.inverse(a), (SQ,), ()),
    "det": (lambda lib, a: lib.det(a), (SQ,), ()),
    "trace": (lambda lib, a: lib.trace(a), (SQ,), ()),
    "x.trace": (lambda lib, a: a.trace(), (A,), ()),
    "hstack": (lambda lib, a: lib.hstack([a, a[:, :1]]), (A,), ()),
    "hstack 1-d": (lambda lib, a: lib.hstack([a[0], a[1, :2]]), (A,), ()),
    "vstack": (lambda lib, a: lib.vstack([a, a[0]]), (A,), ()),
    "broadcast_tensors": (lambda lib, a: lib.broadcast_tensors(a[:1], a[:, :1]), (A,), ()),
    "permute": (lambda lib, a: lib.permute(a, (2, 0, 1)), (B3,), ()),
    "transpose": (lambda lib, a: lib.transpose(a, 0, 2), (B3,), ()),
    "t": (lambda lib, a: lib.t(a), (A,), ()),
    "unsqueeze": (lambda lib, a: lib.unsqueeze(a, -1), (A,), ()),
    "neg": (lambda lib, a: lib.neg(a), (A,), ()),
    "x.expand_as": (lambda lib, a, b: a[:1].expand_as(b), (A, A), ()),
    "x.reshape_as": (lambda lib, a, b: a.reshape_as(b), (A, A.reshape(4, 3)), ()),
    "x.view_as": (lambda lib, a, b: a.view_as(b), (A, A.reshape(2, 6)), ()),
    "x.tril": (lambda lib, a: a.tril(), (A,), ()),
    "x.triu": (lambda lib, a: a.triu(1), (A,), ()),
}


def _outputs(r: Any) -> list[Any]:
    return list(r) if isinstance(r, (tuple, list)) else [r]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", list(CASES))
def test_values_and_gradients_match_torch(backend: str, case: str, dtype: str) -> None:
    fn, floats, others = CASES[case]
    ins = [pt.asarray(f.astype(dtype), requires_grad=True) for f in floats]
    tins = [torch.tensor(f.astype(dtype), requires_grad=True) for f in floats]
    got = _outputs(fn(pt, *ins, *[pt.asarray(o) for o in others]))
    want = _outputs(fn(torch, *tins, *[torch.tensor(o) for o in others]))
    assert len(got) == len(want)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    weights = [RNG.standard_normal(tuple(w.shape)).astype(dtype) for w in want]
    for g, w in zip(got, want, strict=True):
        assert tuple(g.shape) == tuple(w.shape)
        assert g.dtype.name == str(w.dtype).removeprefix("torch.")
        np.testing.assert_allclose(np.asarray(g.tolist()), w.detach().numpy(), rtol=rtol, atol=rtol)
    sum(pt.sum(g * pt.asarray(k)) for g, k in zip(got, weights, strict=True)).backward()
    sum((w * torch.tensor(k)).sum() for w, k in zip(want, weights, strict=True)).backward()
    for x, tx in zip(ins, tins, strict=True):
        if tx.grad is None:
            assert x.grad is None
            continue
        np.testing.assert_allclose(
            np.asarray(x.grad.tolist()), tx.grad.numpy(), rtol=rtol * 10, atol=rtol * 10
        )


def test_masked_fill_value_tensor_gets_its_gradient_and_casts(backend: str) -> None:
    for lib in (pt, torch):
        x = lib.ones(3, requires_grad=True)
        v = lib.tensor(2.0, requires_grad=True)
        mask = lib.tensor([True, False, True])
        y = x.masked_fill(mask, v)
        (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        assert y.tolist() == [2.0, 1.0, 2.0]
        assert v.grad.item() == 4.0 and x.grad.tolist() == [0.0, 2.0, 0.0]
        ints = lib.zeros(3, dtype=lib.int64).masked_fill(mask, 2.7)
        assert ints.tolist() == [2, 0, 2] and str(ints.dtype).endswith("int64")
        assert lib.zeros(2, 3).masked_fill(lib.tensor([[True], [False]]), 1.0).sum().item() == 3
        assert tuple(lib.zeros(2, 3).masked_fill(lib.ones(4, 2, 3, dtype=lib.bool), 1).shape) == (
            4,
            2,
            3,
        )


def test_metadata_names_match_torch(backend: str) -> None:
    x, tx = pt.ones((2, 3)), torch.ones((2, 3))
    assert x.ndimension() == tx.ndimension() == 2
    assert x.nelement() == tx.nelement() == pt.numel(x) == 6
    assert pt.is_tensor(x) and not pt.is_tensor(A)
    assert pt.is_floating_point(x) and x.is_floating_point()
    assert not pt.is_floating_point(pt.asarray([1])) and not torch.is_floating_point(
        torch.tensor([1])
    )
    shared = np.zeros(2, dtype=np.float32)
    t = pt.as_tensor(shared)
    assert t.dtype == pt.float32 and pt.as_tensor([1.0, 2.0]).dtype == pt.float32
    if backend == "numpy":
        shared[0] = 5.0
        assert t.tolist() == [5.0, 0.0]  # (shares NumPy's memory, as torch.as_tensor)


REFUSED: dict[str, tuple[Callable[[Any], Any], type[Exception] | tuple[type[Exception], ...]]] = {
    "bmm of matrices": (lambda lib: lib.bmm(lib.ones(2, 3), lib.ones(3, 2)), RuntimeError),
    "bmm batch sizes": (lambda lib: lib.bmm(lib.ones(2, 1, 3), lib.ones(3, 3, 1)), RuntimeError),
    "masked_fill int mask": (
        lambda lib: lib.ones(3).masked_fill(lib.tensor([1, 0, 1]), 0.0),
        RuntimeError,
    ),
    "masked_fill vector value": (
        lambda lib: lib.ones(3).masked_fill(lib.ones(3) > 0, lib.ones(3)),
        RuntimeError,
    ),
    "masked_fill_ larger mask": (
        lambda lib: lib.ones(3).masked_fill_(lib.ones(2, 3) > 0, 0.0),
        RuntimeError,
    ),
    "masked_fill overflow": (
        lambda lib: lib.ones(3).masked_fill(lib.ones(3) > 0, 1e40),
        (RuntimeError, ValueError),
    ),
    "index_select out of range": (
        lambda lib: lib.ones(3).index_select(0, lib.tensor([3])),
        IndexError,
    ),
    "index_select negative": (
        lambda lib: lib.ones(3).index_select(0, lib.tensor([-1])),
        IndexError,
    ),
    "index_select 2-d index": (
        lambda lib: lib.ones(3).index_select(0, lib.tensor([[0]])),
        IndexError,
    ),
    "index_select float index": (
        lambda lib: lib.ones(3).index_select(0, lib.tensor([0.0])),
        (TypeError, RuntimeError),
    ),
    "index_select bad dim": (lambda lib: lib.ones(3).index_select(1, lib.tensor([0])), IndexError),
    "gather out of range": (
        lambda lib: lib.ones(2, 2).gather(1, lib.tensor([[0, 2], [0, 0]])),
        RuntimeError,
    ),
    "gather larger index": (
        lambda lib: lib.ones(2, 2).gather(1, lib.zeros(3, 2, dtype=lib.int64)),
        RuntimeError,
    ),
    "gather fewer dims": (
        lambda lib: lib.ones(2, 2).gather(1, lib.zeros(2, dtype=lib.int64)),
        RuntimeError,
    ),
    "narrow past the end": (lambda lib: lib.ones(3).narrow(0, 2, 2), RuntimeError),
    "narrow start out of range": (lambda lib: lib.ones(3).narrow(0, 4, 0), IndexError),
    "select out of range": (lambda lib: lib.ones(3).select(0, 3), IndexError),
    "unbind of a 0-d tensor": (lambda lib: lib.tensor(1.0).unbind(), IndexError),
    "softmax of integers": (lambda lib: lib.softmax(lib.tensor([1, 2]), 0), RuntimeError),
    "softmax bad dim": (lambda lib: lib.softmax(lib.ones(2), 1), IndexError),
    "trace of a vector": (lambda lib: lib.trace(lib.ones(3)), RuntimeError),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_input_is_refused_as_torch_refuses_it(backend: str, case: str) -> None:
    fn, error = REFUSED[case]
    with pytest.raises(error):
        fn(torch)
    if backend == "dask" and case in RANGES:
        return  # (Dask's indices are lazy: checking them would compute them)
    with pytest.raises(error):
        fn(pt)


RANGES = {
    "index_select out of range",
    "index_select negative",
    "gather out of range",
}


def test_integer_inputs_as_torch(backend: str) -> None:
    for name, f in {
        "rsqrt": lambda lib: lib.rsqrt(lib.tensor([4, 16])),
        "logsumexp": lambda lib: lib.logsumexp(lib.tensor([[1, 2], [3, 4]]), 1),
        "index_select": lambda lib: lib.tensor([[1, 2], [3, 4]]).index_select(1, lib.tensor(1)),
        "gather": lambda lib: lib.tensor([5, 6, 7]).gather(0, lib.tensor([2, 0])),
        "amax": lambda lib: lib.amax(lib.tensor([[1, 9], [3, 4]]), 0),
        "masked_fill bool": lambda lib: lib.tensor([True, False]).masked_fill(
            lib.tensor([True, True]), 0
        ),
    }.items():
        got, want = f(pt), f(torch)
        assert tuple(got.shape) == tuple(want.shape), name
        assert got.dtype.name == str(want.dtype).removeprefix("torch."), name
        np.testing.assert_allclose(
            np.asarray(got.tolist(), dtype=float), want.double().numpy(), rtol=1e-6
        )


# -- answers that differed from PyTorch's without an error --------------------------------------
def test_fmod_has_the_dividends_sign_and_torchs_gradient(backend: str) -> None:
    xs = [-7.0, 7.0, -7.5, 5.0, -5.0, 0.0, 3.25]
    ys = [2.0, -2.0, 2.0, float("inf"), float("-inf"), 3.0, -1.5]
    got, want = [], []
    for lib, out in ((pt, got), (torch, want)):
        x = lib.tensor(xs, requires_grad=True)
        y = lib.tensor(ys, requires_grad=True)
        r = lib.fmod(x, y)
        r.sum().backward()
        out += [r.tolist(), x.grad.tolist(), y.grad.tolist(), x.detach().fmod(2.0).tolist()]
        out.append(lib.tensor([-7, 7, 0]).fmod(-2).tolist())
    assert got == want


@pytest.mark.parametrize(
    "args", [(0, False), (0, True), (1, True, True), (False,), (True,), (1,), ()]
)
def test_std_and_var_methods_take_torchs_positional_arguments(backend: str, args: Any) -> None:
    x = A.astype("float64")
    for name in ("std", "var"):
        got = getattr(pt.asarray(x), name)(*args)
        want = getattr(torch.tensor(x), name)(*args)
        assert tuple(got.shape) == tuple(want.shape), (name, args)
        np.testing.assert_allclose(np.asarray(got.tolist()), want.numpy(), rtol=1e-12)


def test_dividing_by_numel_or_size_keeps_float32(backend: str) -> None:
    x = pt.ones(4)
    for r in (x.sum() / x.numel(), x / x.size, x.size * x, x - x.numel(), pt.multiply(x, x.size)):
        assert r.dtype == pt.float32


def test_clamp_of_integers_by_float_bounds_promotes_as_torch(backend: str) -> None:
    cases = {
        "python floats": lambda lib: lib.tensor([1, 5, 9]).clamp(2.5, 6.5),
        "float tensor": lambda lib: lib.clamp(
            lib.tensor([1, 5, 9]), min=lib.tensor(2.5, dtype=lib.float64)
        ),
        "int bounds": lambda lib: lib.tensor([1, 5, 9]).clamp(2, 6),
        "bool": lambda lib: lib.tensor([True, False]).clamp(0.5),
    }
    for name, f in cases.items():
        got, want = f(pt), f(torch)
        assert got.tolist() == want.tolist(), name
        assert got.dtype.name == str(want.dtype).removeprefix("torch."), name
    with pytest.raises((TypeError, RuntimeError)):
        pt.tensor([1, 5, 9]).clamp_(2.5, 6.5)


# -- an index mixing integers and index tensors, in PyTorch's order -----------------------------
def _keys(lib: Any) -> list[tuple[Any, ...]]:
    i = lib.tensor([3, 1])
    j = lib.tensor([[0, 2], [1, 1]])
    m3 = lib.tensor([True, False, True])
    m4 = lib.tensor([True, False, True, True])
    return [
        (0, slice(None), i),
        (1, slice(None, 2), i),
        (slice(None), 0, i),
        (i[:1] - 2, slice(None), 0),
        (0, Ellipsis, i),
        (None, 0, slice(None), i),
        (0, slice(None), i, None),
        (1, m3, slice(None)),
        (1, slice(None), m4),
        (lib.tensor(1), slice(None), i),
        (0, j, slice(1, 3)),
        (1, slice(None), j),
        (0, m3, i[:1]),
    ]


@pytest.mark.parametrize("n", range(13))
def test_integers_and_index_tensors_index_in_torchs_order(backend: str, n: int) -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    got_key, want_key = _keys(pt)[n], _keys(torch)[n]
    masks = any(isinstance(k, pt.Tensor) and k.dtype == pt.bool for k in got_key)
    if masks and backend != "numpy":
        return  # (Dask refuses a boolean mask, array-api-strict one beside other indices)
    x, tx = pt.asarray(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    got, want = x[got_key], tx[want_key]
    assert tuple(got.shape) == tuple(want.shape)
    assert got.tolist() == want.tolist()
    weights = np.arange(1.0, want.numel() + 1).reshape(tuple(want.shape))
    (got * pt.asarray(weights)).sum().backward()
    (want * torch.tensor(weights)).sum().backward()
    assert x.grad.tolist() == tx.grad.tolist()
    if backend == "array_api_strict":
        return  # (array-api-strict writes at slices and integers only)
    y, ty = pt.asarray(a), torch.tensor(a)
    y[got_key] = pt.asarray(-weights)
    ty[want_key] = torch.tensor(-weights)
    assert y.tolist() == ty.tolist()
    if want.ndim:  # a value broadcast along the last dimension
        y[got_key] = pt.asarray(np.arange(want.shape[-1]) + 100.0)
        ty[want_key] = torch.tensor(np.arange(want.shape[-1]) + 100.0)
        assert y.tolist() == ty.tolist()


# -- Python lists as indices, as PyTorch reads them ---------------------------------------------
LIST_KEYS: list[Any] = [
    [2, 0],
    [-1],
    [],
    ([0, 1], [1, 2]),
    (slice(None), [3, 0]),
    (1, [0, 3]),
    [[0, 1], [1, 2]],  # (PyTorch's legacy reading: a tuple of indices, with a warning)
    [slice(None), 1],
    [True, False, True],
]


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
@pytest.mark.parametrize("n", range(len(LIST_KEYS)))
def test_lists_index_as_in_torch(backend: str, n: int) -> None:
    key = LIST_KEYS[n]
    if backend != "numpy" and key == [True, False, True]:
        return  # (a mask: Dask refuses it)
    a = np.arange(12.0).reshape(3, 4)
    x, tx = pt.asarray(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    got, want = x[key], tx[key]
    assert got.tolist() == want.tolist() and tuple(got.shape) == tuple(want.shape)
    (got * 2).sum().backward()
    (want * 2).sum().backward()
    assert x.grad.tolist() == tx.grad.tolist()
    if backend == "array_api_strict" or want.numel() == 0:
        return  # (array-api-strict writes at slices and integers only)
    y, ty = pt.asarray(a), torch.tensor(a)
    y[key] = -7.0
    ty[key] = -7.0
    assert y.tolist() == ty.tolist()


def test_a_nested_list_key_warns_as_torch() -> None:
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        pt.ones((2, 2))[[[0, 1], [1, 0]]]


# -- true division of integers gives the default float dtype, as in PyTorch ---------------------
DIVISIONS = {
    "int / int": lambda lib: lib.arange(3) / 2,
    "int / int tensor": lambda lib: lib.arange(3) / lib.arange(1, 4),
    "int reflected": lambda lib: 2 / lib.arange(1, 3),
    "int32": lambda lib: lib.arange(3, dtype=lib.int32) / 2,
    "bool / bool": lambda lib: lib.tensor([True, False]) / lib.tensor([True, True]),
    "divide": lambda lib: lib.divide(lib.arange(4), 3),
    "method": lambda lib: lib.arange(4).div(3),
    "int / float": lambda lib: lib.arange(3) / 2.0,
    "floor_divide stays integer": lambda lib: lib.arange(3) // 2,
}


@pytest.mark.parametrize("case", list(DIVISIONS))
def test_integers_divide_as_torch(backend: str, case: str) -> None:
    got, want = DIVISIONS[case](pt), DIVISIONS[case](torch)
    assert got.dtype.name == str(want.dtype).removeprefix("torch.")
    np.testing.assert_allclose(np.asarray(got.tolist()), want.numpy(), rtol=1e-7)


def test_integers_divided_in_place_are_refused_as_torch(backend: str) -> None:
    for lib in (pt, torch):
        x = lib.arange(3)
        with pytest.raises((TypeError, RuntimeError)):
            x /= 2


# -- PyTorch's keywords of arithmetic: alpha=, rounding_mode=, decimals= -------------------------
NUMS = np.array([[-7.5, 7.0, -6.0, 2.25], [0.5, -0.5, 3.5, -2.5]])
INTS = np.array([[-7, 7, -6, 5], [1, -1, 0, 9]])

KEYWORDS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "add alpha": lambda lib, a, i: a.add(a * 2, alpha=-0.5),
    "sub alpha": lambda lib, a, i: a.sub(a + 1, alpha=3),
    "add_ alpha": lambda lib, a, i: (a * 1).add_(a, alpha=2),
    "sub_ alpha": lambda lib, a, i: (a * 1).sub_(a * a, alpha=0.25),
    "div trunc": lambda lib, a, i: lib.div(a, -2.0, rounding_mode="trunc"),
    "div floor": lambda lib, a, i: a.div(2.0, rounding_mode="floor"),
    "div int trunc": lambda lib, a, i: lib.div(i, 2, rounding_mode="trunc"),
    "div int floor": lambda lib, a, i: i.div(-2, rounding_mode="floor"),
    "div int tensors trunc": lambda lib, a, i: i.div(i[:, :1] - 3, rounding_mode="trunc"),
    "div true": lambda lib, a, i: lib.div(i, 4),
    "div_ floor": lambda lib, a, i: (a * 1).div_(3.0, rounding_mode="floor"),
    "round": lambda lib, a, i: a.round(),
    "round decimals": lambda lib, a, i: (a / 3).round(decimals=2),
    "round negative decimals": lambda lib, a, i: lib.round(a * 100, decimals=-1),
    "flip": lambda lib, a, i: a.flip(1),
    "flip list": lambda lib, a, i: a.flip([0, 1]),
    "roll": lambda lib, a, i: a.roll(1),
    "roll dims": lambda lib, a, i: a.roll((1, -1), (0, 1)),
    "sum list dims": lambda lib, a, i: a.sum([0, 1]),
    "mean list dim": lambda lib, a, i: a.mean(dim=[1], keepdim=True),
}


@pytest.mark.parametrize("case", list(KEYWORDS))
def test_arithmetic_keywords_as_torch(backend: str, case: str) -> None:
    f = KEYWORDS[case]
    a, ta = pt.asarray(NUMS, requires_grad=True), torch.tensor(NUMS, requires_grad=True)
    got = f(pt, a, pt.asarray(INTS))
    want = f(torch, ta, torch.tensor(INTS))
    assert got.dtype.name == str(want.dtype).removeprefix("torch."), case
    np.testing.assert_allclose(np.asarray(got.tolist()), want.detach().numpy(), rtol=1e-12)
    if want.requires_grad:
        (got * 1.5).sum().backward()
        (want * 1.5).sum().backward()
        np.testing.assert_allclose(np.asarray(a.grad.tolist()), ta.grad.numpy(), rtol=1e-12)


def test_bad_keywords_are_refused_as_torch() -> None:
    for lib in (pt, torch):
        with pytest.raises(RuntimeError, match="rounding_mode"):
            lib.div(lib.ones(2), 2.0, rounding_mode="up")
        with pytest.raises(TypeError):
            lib.ones(2).mul_(2.0, alpha=2)
        with pytest.raises(TypeError):
            lib.ones(2).flip()
        # (`if not keepdim` asked an array's truth value: NumPy's ambiguity error)
        with pytest.raises(TypeError, match=r"^logsumexp\(\)" if lib is pt else None):
            lib.ones(3).logsumexp(0, np.zeros((3, 0, 0)))


def test_stack_and_concat_take_torchs_dim(backend: str) -> None:
    a = np.arange(6.0).reshape(2, 3)
    for call in (
        lambda lib, x: lib.stack([x, x + 1], 1),
        lambda lib, x: lib.stack((x, x), dim=-1),
        lambda lib, x: lib.stack([x, x]),
        lambda lib, x: lib.concat([x, x * 2], dim=1),
        lambda lib, x: lib.concat([x, x], 0),
        lambda lib, x: lib.cat([x, x], 1),
    ):
        x, tx = pt.asarray(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        got, want = call(pt, x), call(torch, tx)
        assert got.tolist() == want.tolist()
        (got * got).sum().backward()
        (want * want).sum().backward()
        assert x.grad.tolist() == tx.grad.tolist()
    assert pt.stack([pt.ones(2)] * 2, axis=1).shape == (2, 2)  # (the standard's spelling)
    assert pt.concat([pt.ones((2, 2))] * 2, axis=None).shape == (8,)
    with pytest.raises(TypeError, match="both"):
        pt.stack([pt.ones(2)], 0, axis=0)


def test_joining_mixed_dtypes_promotes_as_the_elementwise_ops(backend: str) -> None:
    cases = {
        "concat": lambda lib: lib.concat([lib.arange(3), lib.ones(3)]),
        "stack": lambda lib: lib.stack([lib.arange(3), lib.ones(3)], 1),
        "cat": lambda lib: lib.cat([lib.arange(3), lib.ones(3, dtype=lib.float64)]),
        "bool and int": lambda lib: lib.cat([lib.tensor([True]), lib.arange(2)]),
        "floats": lambda lib: lib.cat([lib.ones(2, dtype=lib.float64), lib.ones(2)]),
    }
    for name, f in cases.items():
        got, want = f(pt), f(torch)
        assert got.dtype.name == str(want.dtype).removeprefix("torch."), name
        assert got.tolist() == want.tolist(), name
    assert (pt.arange(3) + pt.ones(3)).dtype == pt.concat([pt.arange(3), pt.ones(3)]).dtype
    x = pt.ones(2, requires_grad=True)
    pt.cat([pt.arange(2), x]).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


# -- corners: exact fmod, empty dims, empty inputs, PyTorch's refusals ---------------------------
def test_fmod_is_exact_as_torchs(backend: str) -> None:
    rng = np.random.default_rng(11)
    for dtype in ("float32", "float64"):
        a = (rng.standard_normal(2000) * 10.0 ** rng.integers(-20, 20, 2000)).astype(dtype)
        b = (rng.standard_normal(2000) * 10.0 ** rng.integers(-5, 5, 2000)).astype(dtype)
        a[:4] = [-0.0, 3.0, -1e-20, -0.1]
        b[:4] = [2.0, -3.0, 1.0, 7.0]
        got = pt.fmod(pt.asarray(a), pt.asarray(b))
        want = torch.fmod(torch.tensor(a), torch.tensor(b))
        np.testing.assert_array_equal(np.asarray(got.tolist()), want.numpy())
        assert np.array_equal(np.signbit(np.asarray(got.tolist())), np.signbit(want.numpy()))


def test_empty_dims_reduce_everything_as_torch_and_axis_none(backend: str) -> None:
    a = np.arange(6.0).reshape(2, 3)
    for name in ("sum", "mean", "std", "var"):
        for dim in ([], ()):
            got = getattr(pt.asarray(a), name)(dim)
            want = getattr(torch.tensor(a), name)(dim)
            assert got.item() == pytest.approx(want.item(), rel=1e-12), (name, dim)
    assert pt.asarray(a).sum(axis=()).shape == (2, 3)  # (the standard's: no axis reduced)


def test_empty_inputs_as_torch(backend: str) -> None:
    cases = {
        "logsumexp": lambda lib: lib.logsumexp(lib.ones(2, 0), 1),
        "logsumexp keepdim": lambda lib: lib.logsumexp(lib.ones(2, 0), 1, keepdim=True),
        "softmax": lambda lib: lib.softmax(lib.ones(0, 3), 0),
        "F.log_softmax": lambda lib: lib.nn.functional.log_softmax(lib.ones(0, 3), dim=0),
        "amax of 0-d": lambda lib: lib.amax(lib.tensor(2.0), 0),
    }
    for name, f in cases.items():
        got, want = f(pt), f(torch)
        assert tuple(got.shape) == tuple(want.shape), name
        np.testing.assert_array_equal(
            np.asarray(got.tolist()).reshape(tuple(want.shape)), want.numpy(), err_msg=name
        )


REFUSED_TOO = {
    "masked_fill complex into float": lambda lib: lib.ones(2).masked_fill(
        lib.tensor([True, False]), 1 + 2j
    ),
    "masked_fill nan into int": lambda lib: lib.zeros(2, dtype=lib.int64).masked_fill(
        lib.tensor([True, False]), float("nan")
    ),
    "add float alpha to ints": lambda lib: lib.arange(3).add(lib.arange(3), alpha=0.5),
    "sub complex alpha to floats": lambda lib: lib.ones(2).sub(lib.ones(2), alpha=1j),
    "outer of a 0-d tensor": lambda lib: lib.outer(lib.tensor(1.0), lib.ones(2)),
    "tril of a vector": lambda lib: lib.ones(3).tril(),
    "roll shifts and dims unaligned": lambda lib: lib.ones(2, 3).roll([1, -1], [0]),
    "roll two shifts without dims": lambda lib: lib.ones(2, 3).roll((1, 2)),
    "index_select of a 0-d tensor, two indices": lambda lib: lib.tensor(1.0).index_select(
        0, lib.tensor([0, 0])
    ),
    "round an integer tensor to decimals": lambda lib: lib.round(lib.tensor([15]), decimals=1),
}


@pytest.mark.parametrize("case", list(REFUSED_TOO))
def test_refused_as_torch_refuses(backend: str, case: str) -> None:
    f = REFUSED_TOO[case]
    with pytest.raises((RuntimeError, NotImplementedError)) as torch_error:
        f(torch)
    with pytest.raises(type(torch_error.value)):
        f(pt)


def test_lazy_negative_indices_are_refused_when_computed() -> None:
    pt.set_backend("dask")
    try:
        x = pt.asarray(np.arange(6.0).reshape(2, 3))
        for r in (
            pt.gather(x, 1, pt.asarray([[-1], [0]])),
            pt.index_select(x, 1, pt.asarray([-1])),
        ):
            with pytest.raises(IndexError):
                r.to("numpy")
    finally:
        pt.set_backend("numpy")


@pytest.mark.filterwarnings("ignore:overflow encountered in cast")
def test_cast_values_and_joined_dtypes_as_torch(backend: str) -> None:
    for lib in (pt, torch):
        assert lib.zeros(2).fill_(lib.tensor(1e39, dtype=lib.float64)).tolist() == [np.inf] * 2
    for f in (
        lambda lib: lib.hstack([lib.tensor([1]), lib.tensor([1.0])]),
        lambda lib: lib.vstack([lib.tensor([1]), lib.tensor([1.0])]),
        lambda lib: lib.trace(lib.ones(2, 2, dtype=lib.uint8)),
        lambda lib: lib.tensor([[1.0, 2.0]]).flip(()),
        lambda lib: lib.tensor(3.0).flip(0),
    ):
        got, want = f(pt), f(torch)
        assert got.dtype.name == str(want.dtype).removeprefix("torch.")
        assert got.tolist() == want.tolist()
    with pytest.raises(TypeError, match="both"):
        pt.concat([pt.ones(1)], dim=0, axis=None)


# -- lerp, diag ----------------------------------------------------------------------------------
LERP_DIAG: dict[str, Callable[..., Any]] = {
    "lerp scalar weight": lambda lib, a, b: lib.lerp(a[0], b[0], 0.25),
    "lerp high weight": lambda lib, a, b: a[0].lerp(b[0], 0.75),
    "lerp tensor weight": lambda lib, a, b: lib.lerp(a[0], b[0], lib.sigmoid(b[1]) * 2 - 0.5),
    "diag of a vector": lambda lib, a, b: lib.diag(a[0]),
    "diag above": lambda lib, a, b: lib.diag(a[0], 2),
    "diag below": lambda lib, a, b: a[1].diag(-1),
    "diag of a matrix": lambda lib, a, b: lib.diag(a, 1),
    "diag of a matrix below": lambda lib, a, b: a.diag(-1),
}


@pytest.mark.parametrize("case", list(LERP_DIAG))
def test_lerp_and_diag_as_torch(backend: str, case: str) -> None:
    f = LERP_DIAG[case]
    a0, b0 = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    a, b = pt.asarray(a0, requires_grad=True), pt.asarray(b0, requires_grad=True)
    ta, tb = torch.tensor(a0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    got, want = f(pt, a, b), f(torch, ta, tb)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(np.asarray(got.tolist()), want.detach().numpy(), rtol=1e-12)
    (got * got).sum().backward()
    (want * want).sum().backward()
    for x, tx in ((a, ta), (b, tb)):
        if tx.grad is not None:
            np.testing.assert_allclose(np.asarray(x.grad.tolist()), tx.grad.numpy(), rtol=1e-12)
        else:
            assert x.grad is None


# -- the review of the later changes ------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_later_corners_as_torch(backend: str) -> None:
    a = np.array([[0.0, -2.0, 3.0], [0.0, 0.0, 1.0]])
    cases = {
        "any dim=()": lambda lib: lib.tensor(a).any(dim=()),
        "all dim=[] keepdim": lambda lib: lib.tensor(a).all(dim=[], keepdim=True),
        "norm dim=()": lambda lib: lib.tensor(a).norm(dim=()),
        "diag with inf and nan": lambda lib: lib.diag(lib.tensor([np.inf, 1.0, np.nan]), 1),
        "diag of bools": lambda lib: lib.diag(lib.tensor([True, False])),
        "flip a 0-d bool": lambda lib: lib.tensor(True).flip(0),
        "logsumexp of nothing": lambda lib: lib.logsumexp(lib.zeros(2, 0), 1),
        "log_softmax of nothing": lambda lib: lib.log_softmax(lib.zeros(0), 0),
        "int add float scalar alpha": lambda lib: lib.tensor([1, 2]).add(2.5, alpha=1.5),
        "masked_fill complex(1, 0)": lambda lib: lib.zeros(2).masked_fill(
            lib.tensor([True, False]), complex(1, 0)
        ),
        "masked_fill bool with complex": lambda lib: lib.zeros(2, dtype=lib.bool).masked_fill(
            lib.tensor([True, False]), 1j
        ),
    }
    for name, f in cases.items():
        got, want = f(pt), f(torch)
        assert tuple(got.shape) == tuple(want.shape), name
        assert got.dtype.name == str(want.dtype).removeprefix("torch."), name
        np.testing.assert_array_equal(
            np.asarray(got.tolist()).reshape(tuple(want.shape)), want.numpy(), err_msg=name
        )
    d = pt.diag(pt.asarray(np.eye(2)))
    d[0] = 5.0  # (a tensor of its own, writable, as torch's)
    for lib in (pt, torch):
        x = lib.zeros(2, 0, requires_grad=True)
        lib.logsumexp(x, 1).sum().backward()  # (in the graph even when empty)
        assert tuple(x.grad.shape) == (2, 0)
        start = lib.tensor([0.0, 0.0, 1.0])
        end = lib.tensor([np.inf, 1.0, np.inf])
        w = lib.tensor([0.25, 0.75, 0.75], requires_grad=True)
        lib.lerp(start, end, w).sum().backward()
        assert w.grad.tolist() == [np.inf, 1.0, np.inf]  # (no NaN from an unchosen branch)
    for dtype in (pt.int16, pt.uint8):
        with pytest.raises(RuntimeError, match="expected dtype"):
            pt.index_select(pt.ones(3), 0, pt.asarray([0], dtype=dtype))


# -- the namespace's functions with PyTorch's positional dims -----------------------------------
def test_namespace_functions_take_torchs_dims(backend: str) -> None:
    a = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, -1.0]])
    b = a > 0.5
    cases = {
        "all(x, 1)": lambda lib: lib.all(lib.tensor(b), 1),
        "any(x, dim=0, keepdim=True)": lambda lib: lib.any(lib.tensor(b), dim=0, keepdim=True),
        "argsort(x, 1)": lambda lib: lib.argsort(lib.tensor(a), 1),
        "argsort(x, dim=0, descending=True)": lambda lib: lib.argsort(
            lib.tensor(a), dim=0, descending=True
        ),
        "flip(x, [0])": lambda lib: lib.flip(lib.tensor(a), [0]),
        "flip(x, (0, 1))": lambda lib: lib.flip(lib.tensor(a), (0, 1)),
        "roll(x, 1, 0)": lambda lib: lib.roll(lib.tensor(a), 1, 0),
        "roll(x, (1, 2), (0, 1))": lambda lib: lib.roll(lib.tensor(a), (1, 2), (0, 1)),
    }
    for name, f in cases.items():
        got, want = f(pt), f(torch)
        assert got.tolist() == want.tolist(), name
    x = pt.asarray(a)  # (the standard's spellings, unchanged)
    assert pt.all(pt.asarray(b), axis=1).tolist() == [True, False]
    assert pt.argsort(x, axis=0).tolist() == np.argsort(a, axis=0, kind="stable").tolist()
    assert pt.flip(x).tolist() == np.flip(a).tolist()
    assert pt.roll(x, 1, axis=1).tolist() == np.roll(a, 1, axis=1).tolist()
    with pytest.raises(TypeError, match="both"):
        pt.flip(x, 0, axis=0)


def test_function_forms_take_empty_dims_and_int32_gather_as_torch(backend: str) -> None:
    a = np.array([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]])
    for name in ("sum", "mean", "std", "var"):
        for dim in ((), []):
            got = getattr(pt, name)(pt.asarray(a), dim=dim)
            want = getattr(torch, name)(torch.tensor(a), dim=dim)
            assert got.item() == pytest.approx(want.item(), rel=1e-12), (name, dim)
    idx = np.array([[1, 0], [0, 0]], dtype=np.int32)
    got = pt.gather(pt.asarray(a), 1, pt.asarray(idx))
    assert got.tolist() == torch.gather(torch.tensor(a), 1, torch.tensor(idx)).tolist()
    for lib in (pt, torch):
        r = lib.zeros(2).masked_fill(lib.tensor([True, False]), lib.tensor(1 + 0j))
        assert r.tolist() == [1.0, 0.0]


def test_where_nonzero_to_and_lerp_in_place_as_torch(backend: str) -> None:
    if backend == "dask":  # (nonzero's length depends on the values: refused on Dask)
        with pytest.raises(NotImplementedError, match=r"x\.to"):
            pt.where(pt.asarray(A) > 0)
        return
    x, tx = pt.asarray(A), torch.tensor(A)
    got = [i.tolist() for i in pt.where(x > 0)]
    assert got == [i.tolist() for i in torch.where(tx > 0)]
    assert [i.tolist() for i in pt.nonzero(x > 0, as_tuple=True)] == got
    assert pt.nonzero(x, as_tuple=False).tolist() == torch.nonzero(tx).tolist()
    assert (x > 0).nonzero().tolist() == (tx > 0).nonzero().tolist()
    assert [i.tolist() for i in (x > 0).nonzero(as_tuple=True)] == got
    for v in (0.0, 3.0):
        want = torch.nonzero(torch.tensor(v))
        assert tuple(pt.nonzero(pt.asarray(v), as_tuple=False).shape) == tuple(want.shape)
    with pytest.raises(TypeError, match="both x1 and x2"):
        pt.where(x > 0, x)
    other = pt.zeros(1, dtype=pt.int32)
    assert x.to(other).dtype == pt.int32 and tx.to(torch.zeros(1, dtype=torch.int32)).dtype
    assert x.to("cpu", non_blocking=True) is x
    assert x.to(copy=True) is not x and x.to(copy=True).tolist() == x.tolist()
    for lib in (pt, torch):
        e = lib.asarray(A) if lib is pt else torch.tensor(A)
        ema = lib.zeros(3, 4, dtype=lib.float64)
        w = e * 2
        w.requires_grad_()
        with lib.no_grad():
            ema.lerp_(w, 0.1)
            ema.lerp_(w, 0.6)
        if lib is pt:
            got_ema = np.asarray(ema.tolist())
        else:
            np.testing.assert_allclose(got_ema, ema.numpy(), rtol=1e-15, atol=0)


@pytest.mark.parametrize("mask", [MASK, MASK[0]], ids=["same shape", "broadcast"])
def test_masked_select_as_torch(backend: str, mask: np.ndarray) -> None:
    x, tx = pt.asarray(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    got, want = pt.masked_select(x, pt.asarray(mask)), torch.masked_select(tx, torch.tensor(mask))
    assert x.masked_select(pt.asarray(mask)).to("numpy").tolist() == want.tolist()
    assert got.to("numpy").tolist() == want.tolist()  # (Dask: of a length known when computed)
    (got * got).sum().backward()
    (want * want).sum().backward()
    assert x.grad.to("numpy").tolist() == tx.grad.tolist()
    with pytest.raises(RuntimeError, match="boolean mask"):
        pt.masked_select(x, pt.asarray(A))


EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iji->j", [(3, 4, 3)]),
    ("ij->", [(2, 3)]),
    ("ba", [(2, 3)]),
    ("Ab,bA", [(2, 3), (3, 2)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ijk,jil->kl", [(2, 3, 4), (3, 2, 5)]),
    ("iij,j", [(3, 3, 4), (4,)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 5)]),
    ("i,i,i->i", [(3,), (3,), (3,)]),
    ("ij,ij->i", [(2, 3), (1, 3)]),
    ("ij,ik->ijk", [(1, 3), (2, 4)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("b...d,bkd->b...k", [(2, 5, 3), (2, 4, 3)]),
    ("...ij->...", [(2, 3, 4)]),
    ("...", [(2, 3)]),
    ("i...->...", [(2, 3, 4)]),
    ("ij,j->", [(0, 3), (3,)]),
]


@pytest.mark.parametrize(("equation", "shapes"), EINSUMS, ids=[e for e, _ in EINSUMS])
def test_einsum_values_and_gradients_as_torch(
    backend: str, equation: str, shapes: list[tuple[int, ...]]
) -> None:
    rng = np.random.default_rng(11)
    arrays = [rng.standard_normal(s) for s in shapes]
    xs = [pt.asarray(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    got, want = pt.einsum(equation, *xs), torch.einsum(equation, *ts)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(np.asarray(got.tolist()), want.detach().numpy(), rtol=1e-12)
    w = rng.standard_normal(tuple(want.shape))
    (got * pt.asarray(w)).sum().backward()
    (want * torch.tensor(w)).sum().backward()
    for x, t in zip(xs, ts, strict=True):
        assert tuple(x.grad.shape) == tuple(t.grad.shape)
        g = np.asarray(x.grad.tolist()).reshape(tuple(t.grad.shape))
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12)
    if backend == "numpy":  # (the list form; second derivatives)
        assert pt.einsum(equation, [x.detach() for x in xs]).tolist() == got.tolist()
        small = [pt.asarray(a[tuple(slice(0, 2) for _ in a.shape)]) for a in arrays]
        if all(tuple(s.shape) == tuple(a.shape) for s, a in zip(small, arrays, strict=True)):
            pt.autograd.gradgradcheck(
                lambda *v: pt.einsum(equation, *v), [s.requires_grad_() for s in small]
            )


EINSUM_ERRORS = [
    ("ij,jk->ik", [(2, 3)], "operand"),
    ("ij->ik", [(2, 3)], "k"),
    ("ij,jk->ik", [(2, 3), (4, 5)], "size"),
    ("ijk->i", [(2, 3)], "dimensions"),
    ("i1->i", [(2, 2)], "subscript"),
    ("ii->i", [(2, 3)], "size"),
    ("i...j...->i", [(2, 3, 4)], "ellipsis"),
]


@pytest.mark.parametrize(("equation", "shapes", "says"), EINSUM_ERRORS)
def test_einsum_refuses_what_torch_refuses(equation: str, shapes: Any, says: str) -> None:
    arrays = [np.ones(s) for s in shapes]
    with pytest.raises(RuntimeError):
        torch.einsum(equation, *[torch.tensor(a) for a in arrays])
    with pytest.raises(RuntimeError, match=says):
        pt.einsum(equation, *[pt.asarray(a) for a in arrays])


def test_mean_dtype_and_sort_stable_as_torch(backend: str) -> None:
    ints, tints = pt.asarray([[1, 2], [4, 8]], dtype=pt.int32), torch.tensor([[1, 2], [4, 8]])
    for got, want in (
        (ints.mean(dtype=pt.float64), tints.mean(dtype=torch.float64)),
        (ints.mean(1, dtype=pt.float32), tints.mean(1, dtype=torch.float32)),
        (pt.mean(ints, dim=0, dtype=pt.float64), torch.mean(tints, dim=0, dtype=torch.float64)),
    ):
        assert got.dtype.name == str(want.dtype).removeprefix("torch.")
        np.testing.assert_allclose(np.asarray(got.tolist()), want.numpy(), rtol=1e-7)
    x = pt.asarray(A.astype("float32"), requires_grad=True)
    tx = torch.tensor(A.astype("float32"), requires_grad=True)
    x.mean(0, dtype=pt.float64).sum().backward()
    tx.mean(0, dtype=torch.float64).sum().backward()
    assert x.grad.dtype == pt.float32
    np.testing.assert_allclose(np.asarray(x.grad.tolist()), tx.grad.numpy())
    with pytest.raises(RuntimeError, match="floating point or complex"):
        ints.mean(dtype=pt.int64)
    v = pt.asarray([3.0, 1.0, 3.0, 2.0])
    want_sorted = torch.tensor([3.0, 1.0, 3.0, 2.0]).sort(stable=True, descending=True)
    got_sorted = v.sort(descending=True, stable=True)
    assert got_sorted.indices.tolist() == want_sorted.indices.tolist()


def test_zero_d_indices_positional_to_and_lerp_dtypes_as_torch() -> None:
    for v in (3.0, 0.0):
        x, tx = pt.asarray(v), torch.tensor(v)
        assert [i.tolist() for i in pt.where(x > 0)] == [i.tolist() for i in torch.where(tx > 0)]
        for as_tuple in (True, False):
            got, want = pt.nonzero(x, as_tuple=as_tuple), torch.nonzero(tx, as_tuple=as_tuple)
            if as_tuple:
                assert [i.tolist() for i in got] == [i.tolist() for i in want]
                assert all(i.dtype == pt.int64 for i in got)
            else:
                assert tuple(got.shape) == tuple(want.shape)
    x, tx = pt.ones(2), torch.ones(2)
    assert x.to(pt.zeros(1, dtype=pt.int32), True).dtype == pt.int32
    assert tx.to(torch.zeros(1, dtype=torch.int32), True).dtype == torch.int32
    assert x.to(pt.float32, False, True) is not x and tx.to(torch.float32, False, True) is not tx
    for lib, y, e in ((pt, pt.ones(2, dtype=pt.float64), pt.ones(2)), (torch, None, None)):
        if lib is torch:
            y, e = torch.ones(2, dtype=torch.float64), torch.ones(2)
        with pytest.raises(RuntimeError, match="expected dtype"):
            y.lerp_(e, 0.5)
    from polytensor._checks import OutOfRangeError

    with pytest.raises(OutOfRangeError, match="float"):
        pt.clip(pt.ones(2), -(10**400), None)
    with pytest.raises(OutOfRangeError, match="float"):  # (the method's fast path: the same)
        pt.ones(2).clamp(min=-(10**400))


MEDIANS = {
    "even count": [4.0, 1.0, 3.0, 2.0],
    "ties": [[3.0, 3.0, 1.0, 1.0]],
    "signed zeros": [-0.0, 0.0, 1.0],
    "a NaN": [[1.0, 5.0, 3.0], [2.0, float("nan"), 0.0]],
    "all equal": [2.0, 2.0, 2.0],
    "one": [7.0],
}


@pytest.mark.parametrize("case", list(MEDIANS))
def test_median_values_indices_and_gradients_as_torch(backend: str, case: str) -> None:
    v = MEDIANS[case]
    dims = [None, *range(np.ndim(v))] if np.ndim(v) else [None]
    for dim in dims:
        for keepdim in (False, True) if dim is not None else (False,):
            x, t = pt.asarray(v, requires_grad=True), torch.tensor(v, requires_grad=True)
            got = pt.median(x) if dim is None else pt.median(x, dim, keepdim)
            want = torch.median(t) if dim is None else torch.median(t, dim, keepdim)
            gv, wv = (got, want) if dim is None else (got.values, want.values)
            w = wv.detach().numpy()
            assert np.asarray(gv.tolist(), dtype=w.dtype).tobytes() == w.tobytes()
            if dim is not None:
                assert got.indices.tolist() == want.indices.tolist()
            gv.sum().backward()
            wv.sum().backward()
            if backend == "dask" and dim is None and case in ("ties", "signed zeros", "all equal"):
                continue  # (lazy: the gradient goes to one of the tied elements)
            np.testing.assert_array_equal(np.asarray(x.grad.tolist()), t.grad.numpy())
    if backend != "dask":
        ints = [3, 1, 2, 2]
        assert pt.median(pt.asarray(ints)).item() == torch.median(torch.tensor(ints)).item()
    with pytest.raises(IndexError):
        pt.median(pt.asarray(np.zeros((0, 2))), 0)


def test_unique_as_torch() -> None:
    v = np.array([[3, 1, 7], [3, 2, 1]])
    for kw in ({}, {"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True}):  # fmt: skip
        got, want = pt.unique(pt.asarray(v), **kw), torch.unique(torch.tensor(v), **kw)
        got, want = (got, want) if isinstance(got, tuple) else ((got,), (want,))
        assert [g.tolist() for g in got] == [w.tolist() for w in want]
        assert [g.dtype.name for g in got] == [str(w.dtype).removeprefix("torch.") for w in want]
    f = pt.asarray([2.0, -1.0, 2.0], requires_grad=True)
    assert pt.unique(f).tolist() == [-1.0, 2.0] and not pt.unique(f).requires_grad
    with pytest.raises(NotImplementedError, match="dim"):
        pt.unique(pt.asarray(v), dim=0)
