"""Spellings that programs written for PyTorch use and that polytensor takes as torch does:
``torch.randint(high, size)`` and ``randint`` of a floating or bool dtype (with torch's
refusal of a range the dtype cannot hold), ``randint_like`` of a floating tensor,
``torch.tril``/``triu`` with ``diagonal=``, ``torch.mode``, the legacy
``torch.autograd.Variable``, ``torch.backends.cudnn``/``mps`` flags, ``torch.accelerator``,
``torch.jit.script``/``trace``, and the error ``if tensor:`` raises for several elements.
Compared with torch where torch gives a value, on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402


# -- randint ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "kw", "shape"),
    [
        ((5, (2, 3)), {}, (2, 3)),  # randint(high, size)
        ((5,), {"size": (4,)}, (4,)),
        ((), {"high": 5, "size": (2,)}, (2,)),
        ((2, 5, (3,)), {}, (3,)),
        ((), {"low": 2, "high": 5, "size": (3,)}, (3,)),
    ],
)
def test_randint_takes_torchs_forms(backend: str, args: Any, kw: Any, shape: Any) -> None:
    got = pt.randint(*args, **kw)
    want = torch.randint(*args, **kw)
    assert tuple(got.shape) == tuple(want.shape) == shape
    assert got.dtype == pt.int64
    low = kw.get("low", args[0] if len(args) == 3 else 0)
    high = kw.get("high", args[1] if len(args) == 3 else args[0] if args else None)
    values = host(got)
    assert values.min() >= low and values.max() < high


@pytest.mark.parametrize("dtype", ["float32", "float64", "bool", "uint8", "int16"])
def test_randint_of_any_real_or_bool_dtype_gives_its_integers(backend: str, dtype: str) -> None:
    high = 2 if dtype == "bool" else 7
    got = pt.randint(0, high, (200,), dtype=getattr(pt, dtype))
    assert got.dtype == getattr(pt, dtype)
    assert str(torch.randint(0, high, (2,), dtype=getattr(torch, dtype)).dtype) == f"torch.{dtype}"
    values = host(got).astype(np.float64)
    assert set(np.unique(values)) <= set(range(high))
    assert len(np.unique(values)) == high  # (200 draws reach each of them)


@pytest.mark.parametrize(
    ("low", "high", "dtype"),
    [
        (0, 300, "uint8"),
        (-5, 5, "uint8"),
        (0, 2**40, "int32"),
        (0, 3, "bool"),
        (0, 2**25, "float32"),
    ],
)
def test_randint_refuses_a_range_its_dtype_cannot_hold(
    backend: str, low: int, high: int, dtype: str
) -> None:
    if dtype != "float32":  # (torch only warns for float32 beyond 2**24; polytensor refuses)
        with pytest.raises(RuntimeError):
            torch.randint(low, high, (2,), dtype=getattr(torch, dtype))
    with pytest.raises(RuntimeError, match=rf"range \[{low}, {high}\) does not fit {dtype}"):
        pt.randint(low, high, (2,), dtype=getattr(pt, dtype))


def test_randint_refuses_a_complex_dtype() -> None:
    with pytest.raises(TypeError, match="real or bool dtype"):
        pt.randint(0, 5, (2,), dtype=pt.complex64)


def test_randint_like_of_a_floating_tensor_gives_its_dtype(backend: str) -> None:
    x = pt.zeros((3, 4))
    for got, want in (
        (pt.randint_like(x, 10), torch.randint_like(torch.zeros(3, 4), 10)),
        (pt.randint_like(x, 2, 10), torch.randint_like(torch.zeros(3, 4), 2, 10)),
    ):
        assert got.dtype == pt.float32 and str(want.dtype) == "torch.float32"
        assert tuple(got.shape) == (3, 4)
        values = host(got)
        assert np.all(values == np.round(values)) and values.min() >= 0 and values.max() < 10


# -- tril / triu ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["tril", "triu"])
@pytest.mark.parametrize("diagonal", [-1, 0, 2])
def test_tril_and_triu_take_diagonal_as_torch(backend: str, name: str, diagonal: int) -> None:
    a = np.arange(12.0).reshape(3, 4)
    want = getattr(torch, name)(torch.tensor(a), diagonal=diagonal).numpy()
    np.testing.assert_array_equal(host(getattr(pt, name)(pt.asarray(a), diagonal=diagonal)), want)
    np.testing.assert_array_equal(host(getattr(pt, name)(pt.asarray(a), diagonal)), want)
    np.testing.assert_array_equal(host(getattr(pt, name)(pt.asarray(a), k=diagonal)), want)
    out = pt.zeros((3, 4), dtype=pt.float64)
    assert getattr(pt, name)(pt.asarray(a), diagonal, out=out) is out
    np.testing.assert_array_equal(host(out), want)


def test_tril_refuses_both_spellings_of_the_diagonal() -> None:
    with pytest.raises(TypeError, match="both as diagonal=1 and as k=2"):
        pt.tril(pt.ones((2, 2)), diagonal=1, k=2)


def test_triu_mask_of_the_transformer_tutorials() -> None:
    mask = pt.triu(pt.full((3, 3), float("-inf")), diagonal=1)
    want = torch.triu(torch.full((3, 3), float("-inf")), diagonal=1).numpy()
    np.testing.assert_array_equal(host(mask), want)


# -- mode -----------------------------------------------------------------------------------------
RNG = np.random.default_rng(3)
MODE_DATA = {
    "int64 ties": RNG.integers(0, 4, (5, 7)),
    "float64 ties": RNG.integers(-2, 3, (5, 7)).astype(np.float64) / 2,
    "float32 distinct": RNG.permutation(35).reshape(5, 7).astype(np.float32),
    "bool": RNG.integers(0, 2, (5, 7)).astype(bool),
    "one line": np.array([3, 1, 3, 1, 2]),
}


@pytest.mark.parametrize("data", list(MODE_DATA))
@pytest.mark.parametrize(("dim", "keepdim"), [(-1, False), (0, False), (1, True)])
def test_mode_matches_torch(backend: str, data: str, dim: int, keepdim: bool) -> None:
    a = MODE_DATA[data]
    if a.ndim == 1 and dim == 1:
        dim = 0
    got = pt.mode(pt.asarray(a.copy()), dim, keepdim)
    want = torch.mode(torch.tensor(a), dim, keepdim)
    method = pt.asarray(a.copy()).mode(dim, keepdim)
    for g in (got, method):
        assert g.values.dtype.name == str(want.values.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(host(g.values), want.values.numpy())
        np.testing.assert_array_equal(host(g.indices), want.indices.numpy())


def test_mode_gradient_goes_to_the_element_named(backend: str) -> None:
    a = MODE_DATA["float64 ties"]
    x = pt.asarray(a.copy(), requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    g = RNG.standard_normal(5)
    pt.mode(x, 1).values.backward(pt.asarray(g))
    torch.mode(t, 1).values.backward(torch.tensor(g))
    np.testing.assert_array_equal(host(x.grad), t.grad.numpy())


def test_mode_of_a_zero_dim_tensor_is_the_element(backend: str) -> None:
    got = pt.mode(pt.asarray(5.0))
    assert got.values.item() == 5.0 and got.indices.item() == 0


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: pt.mode(pt.zeros((2, 0)), 1), IndexError, "dim 1 to have non-zero size"),
        (lambda: pt.mode(pt.asarray([1j, 1j])), TypeError, "real or boolean tensor"),
        (lambda: pt.mode(pt.ones(3), 1), IndexError, "out of range"),
        (lambda: pt.mode(pt.ones(3), keepdim=1), TypeError, "bool keepdim"),
    ],
)
def test_mode_refusals_say_what_was_wrong(make: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()


# -- PyTorch's legacy Variable ----------------------------------------------------------------
def test_variable_makes_a_leaf_sharing_memory_as_torch(backend: str) -> None:
    from polytensor.autograd import Variable

    t = pt.ones(3)
    v = Variable(t, requires_grad=True)
    assert v is not t and v.requires_grad and v.is_leaf and not t.requires_grad
    (v * 3).sum().backward()
    np.testing.assert_array_equal(host(v.grad), [3.0, 3.0, 3.0])
    assert isinstance(t, Variable) and isinstance(v, pt.autograd.Variable)
    assert not isinstance(np.ones(2), Variable)
    w = pt.ones(2, requires_grad=True)
    detached = Variable(w * 2)
    assert not detached.requires_grad and detached.is_leaf
    with pytest.raises(TypeError, match="has to be a tensor"):
        Variable([1.0, 2.0])


def test_variable_shares_memory_with_its_data() -> None:
    from polytensor.autograd import Variable

    t = pt.zeros(2)
    v = Variable(t)
    t += 1
    np.testing.assert_array_equal(host(v), [1.0, 1.0])


# -- flags and questions about accelerators ----------------------------------------------------
def test_cudnn_and_mps_flags_as_programs_set_them() -> None:
    pt.backends.cudnn.deterministic = True
    pt.backends.cudnn.benchmark = False
    assert pt.backends.cudnn.deterministic is True and pt.backends.cudnn.benchmark is False
    assert pt.backends.cudnn.is_available() is False
    assert pt.backends.mps.is_available() is False and pt.backends.mps.is_built() is False


def test_accelerator_answers_as_cuda() -> None:
    available = pt.cuda.is_available()
    assert pt.accelerator.is_available() is available
    assert pt.accelerator.device_count() == pt.cuda.device_count()
    acc = pt.accelerator.current_accelerator()
    if available:
        assert acc == pt.device("cuda")
    else:
        assert acc is None
    device = acc.type if pt.accelerator.is_available() else "cpu"
    assert pt.ones(2, device=device).device.type == device


def test_jit_gives_back_what_it_is_given() -> None:
    model = pt.nn.Linear(2, 1)
    assert pt.jit.script(model) is model
    assert pt.jit.trace(model, pt.ones(3, 2)) is model
    scripted = pt.jit.script(lambda x: x * 2)
    np.testing.assert_array_equal(host(scripted(pt.ones(2))), [2.0, 2.0])
    assert pt.jit.ignore(abs) is abs and pt.jit.ignore()(abs) is abs and pt.jit.unused(abs) is abs
    with pytest.raises(TypeError, match="expects a module or a function"):
        pt.jit.script(3)


# -- one Python value of several elements --------------------------------------------------------
@pytest.mark.parametrize("convert", [bool, float, int, lambda x: x.item()])
def test_one_value_of_several_elements_raises_torchs_and_numpys_classes(
    backend: str, convert: Any
) -> None:
    with pytest.raises(RuntimeError, match="needs a tensor with one element") as info:
        convert(pt.ones(2))
    assert isinstance(info.value, ValueError)
