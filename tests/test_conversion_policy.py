"""No silent detach: what NumPy, DLPack and other libraries may take out of a tensor.

A tensor that requires grad (or is part of a graph) refuses ``__array__`` (``np.asarray``),
``__dlpack__`` (``np.from_dlpack``, ``torch.from_dlpack``, ``pt.from_dlpack``) and the buffer
protocol, saying how to detach on purpose, as PyTorch does; a detached tensor still converts
without a copy. Operators between a tensor and a NumPy array promote the array into the
tensor's backend (and are recorded); NumPy's functions and other ufuncs on a tensor raise
polytensor's TypeError naming the polytensor function.
"""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]


def _available(name: str) -> str:
    status = pt.backends.available().get(name, "not registered")
    if status != "available":
        pytest.skip(f"backend {name!r} is unavailable: {status}")
    return name


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return _available(request.param)


def _grad_tensor(backend: str) -> pt.Tensor:
    return pt.asarray(np.array([1.0, 2.0]), device=backend, requires_grad=True)


# -- exports refuse a tensor that requires grad ------------------------------------------------
def test_asarray_of_a_tensor_that_requires_grad_says_how_to_detach(backend: str) -> None:
    x = _grad_tensor(backend)
    with pytest.raises(RuntimeError, match=r"requires grad.*np\.asarray\(x\.detach\(\)\)"):
        np.asarray(x)
    with pytest.raises(RuntimeError, match="requires grad"):
        np.array(x * 2)  # a non-leaf of the graph too


def test_dlpack_of_a_tensor_that_requires_grad_says_how_to_detach(backend: str) -> None:
    x = _grad_tensor(backend)
    with pytest.raises(RuntimeError, match=r"__dlpack__\(\) of a tensor that requires grad"):
        np.from_dlpack(x)
    with pytest.raises(RuntimeError, match=r"from_dlpack\(\) of a tensor that requires grad"):
        pt.from_dlpack(x)
    assert x.__dlpack_device__() == (1, 0)  # the device query stays available


def test_torch_from_dlpack_refuses_a_tensor_that_requires_grad() -> None:
    torch = pytest.importorskip("torch")
    x = _grad_tensor("numpy")
    with pytest.raises(RuntimeError, match=r"x\.detach"):
        torch.from_dlpack(x)
    t = torch.from_dlpack(x.detach())
    t[0] = 10.0  # shares memory with the detached tensor (and so with x, as in PyTorch)
    assert x.detach().tolist() == [10.0, 2.0]


def test_buffer_protocol_is_not_offered() -> None:
    with pytest.raises(TypeError, match="bytes-like"):
        memoryview(_grad_tensor("numpy"))  # type: ignore[arg-type]


def test_writing_into_an_export_cannot_corrupt_a_gradient() -> None:
    # The example: np.asarray(x)[0] = 10 before backward() gave [20, 4]
    x = _grad_tensor("numpy")
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(x)[0] = 10.0
    y.backward()
    assert x.grad is not None
    assert x.grad.tolist() == [2.0, 4.0]


# -- detached tensors convert without a copy ---------------------------------------------------
def test_detached_tensor_converts_without_a_copy() -> None:
    x = _grad_tensor("numpy")
    d = x.detach()
    a = np.asarray(d)
    assert np.shares_memory(a, d.numpy())
    b = np.from_dlpack(d)
    assert np.shares_memory(b, d.numpy())
    assert np.array(d, dtype=np.float32).dtype == np.float32
    assert not np.shares_memory(np.array(d, copy=True), a)


def test_detached_tensor_converts_on_every_backend(backend: str) -> None:
    x = _grad_tensor(backend)
    np.testing.assert_array_equal(np.asarray(x.detach()), [1.0, 2.0])
    np.testing.assert_array_equal(np.from_dlpack(x.detach()), [1.0, 2.0])
    assert pt.from_dlpack(x.detach()).tolist() == [1.0, 2.0]


# -- mixing with NumPy arrays: operators promote the array ------------------------------------
@pytest.mark.parametrize(
    "expr",
    [
        lambda x, a: x + a,
        lambda x, a: a + x,
        lambda x, a: a * x - x / a,
        lambda x, a: (x**a) + (a**x),
        lambda x, a: x @ a + a @ x,
    ],
    ids=["x+a", "a+x", "a*x-x/a", "pow", "matmul"],
)
def test_operator_with_an_ndarray_promotes_it_and_differentiates(backend: str, expr) -> None:
    a = np.array([0.5, 3.0])
    x = _grad_tensor(backend)
    y = expr(x, a)
    assert isinstance(y, pt.Tensor)
    assert y._backend.name == backend  # the ndarray moved to the tensor's backend
    assert y.requires_grad
    y.sum().backward()
    xs = x.detach().numpy()
    eps = 1e-6
    want = [
        (
            float(np.sum(expr(xs + eps * np.eye(2)[i], a)))
            - float(np.sum(expr(xs - eps * np.eye(2)[i], a)))
        )
        / (2 * eps)
        for i in range(2)
    ]
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-6)


def test_comparison_with_an_ndarray_gives_a_tensor() -> None:
    x = pt.asarray([1.0, 2.0])
    got = np.array([2.0, 2.0]) == x
    assert isinstance(got, pt.Tensor)
    assert got.tolist() == [False, True]


def test_numpy_scalar_operand_is_a_python_scalar() -> None:
    x = pt.asarray([1.0, 2.0])  # float32
    assert (np.float32(2.0) * x).dtype == pt.float32


# -- NumPy functions and other ufuncs: polytensor's error -------------------------------------
@pytest.mark.parametrize(
    ("call", "hint"),
    [
        (lambda x: np.mean(x), r"pt\.mean\(\.\.\.\)"),
        (lambda x: np.sum(x, axis=0), r"pt\.sum\(\.\.\.\)"),
        (lambda x: np.exp(x), r"pt\.exp\(\.\.\.\)"),
        (lambda x: np.arccos(x), r"pt\.acos\(\.\.\.\)"),
        (lambda x: np.concatenate([x, x]), r"pt\.concat\(\.\.\.\)"),
        (lambda x: np.linalg.norm(x), r"pt\.linalg\.norm\(\.\.\.\)"),
        (lambda x: np.add.reduce(x), r"pt\.add\(\.\.\.\)"),
        (lambda x: np.add(x, x), r"pt\.add\(\.\.\.\)"),
    ],
    ids=["mean", "sum", "exp", "arccos", "concatenate", "norm", "reduce", "add-tensors"],
)
def test_numpy_function_on_a_tensor_names_the_polytensor_way(call, hint) -> None:
    x = pt.asarray([1.0, 0.5], requires_grad=True)
    with pytest.raises(TypeError, match=f"polytensor tensor.*drop its gradient.*{hint}"):
        call(x)


def test_numpy_inplace_operator_into_an_ndarray_is_refused() -> None:
    a = np.ones(2)
    with pytest.raises(TypeError, match=r"out= \(writing into a NumPy array\)"):
        a += pt.asarray([1.0, 2.0], requires_grad=True)


def test_message_never_names_numpy_internals() -> None:
    x = pt.asarray([1.0, 2.0])
    for call in (lambda: np.mean(x), lambda: np.exp(x)):
        with pytest.raises(TypeError) as info:
            call()
        text = str(info.value)
        assert "does not support ufuncs" not in text
        assert "unexpected keyword" not in text


def test_operator_with_another_librarys_array_names_both_and_the_fix() -> None:
    torch = pytest.importorskip("torch")
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    for expr in (lambda: x + torch.ones(2), lambda: torch.ones(2) * x):
        with pytest.raises(
            TypeError, match=r"polytensor tensor and a torch\.Tensor array.*pt\.asarray\(a"
        ):
            expr()
