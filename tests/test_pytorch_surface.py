"""PyTorch's core tensor surface beside the standard's: where the two overlap, the spelling
decides (README, "PyTorch spellings and the standard"), and each PyTorch call that tutorials
use runs on every CPU backend with the same numbers, checked against torch when it is
installed. Bad input gets the error class PyTorch raises, naming what was wrong."""

from __future__ import annotations

import pickle
from typing import Any

import array_api_compat
import numpy as np
import pytest

import polytensor as pt

CPU_BACKENDS = ["numpy", "dask", "array_api_strict"]


def _backend_param(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


@pytest.fixture(params=[_backend_param(b) for b in CPU_BACKENDS])
def backend(request: pytest.FixtureRequest) -> str:
    pt.set_backend(request.param)
    return str(request.param)


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


A = np.array([[1.0, 5.0, 3.0], [7.0, 2.0, 7.0]], dtype=np.float32)


# -- max / min / sort / topk: the spelling decides ----------------------------------------------
def test_max_spelled_the_standards_way_is_one_array(backend: str) -> None:
    x = pt.asarray(A)
    r = pt.max(x, axis=1)
    assert isinstance(r, pt.Tensor) and r.tolist() == [5.0, 7.0]
    assert pt.max(x).item() == 7.0 and pt.min(x, axis=0, keepdims=True).shape == (1, 3)


SPELLINGS = {
    "pt.max(x, 1)": lambda x: pt.max(x, 1),
    "pt.max(x, dim=1)": lambda x: pt.max(x, dim=1),
    "x.max(1)": lambda x: x.max(1),
    "x.max(dim=1)": lambda x: x.max(dim=1),
}


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_max_spelled_pytorchs_way_is_values_and_indices(backend: str, spelling: str) -> None:
    x = pt.asarray(A)
    r = SPELLINGS[spelling](x)
    values, indices = r
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert isinstance(r, pt.ValuesIndices) and r.values is r[0] and r.indices is r[1]


def test_min_with_keepdim_and_gradient_through_values(backend: str) -> None:
    x = pt.asarray(A, requires_grad=True)
    values, indices = pt.min(x, 0, keepdim=True)
    assert values.shape == (1, 3) and indices.tolist() == [[0, 1, 0]]
    values.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]


def test_max_of_two_tensors_is_elementwise(backend: str) -> None:
    a, b = pt.asarray([1.0, 4.0]), pt.asarray([3.0, 2.0])
    assert pt.max(a, b).tolist() == [3.0, 4.0] and pt.min(a, b).tolist() == [1.0, 2.0]


def test_max_with_a_dimension_out_of_range_is_an_index_error() -> None:
    x = pt.asarray(A)
    with pytest.raises(IndexError, match=r"max\(\): dimension out of range.*\[-2, 1\].*got 5"):
        pt.max(x, 5)
    with pytest.raises(IndexError, match=r"min\(\).*got -3"):
        x.min(-3)
    with pytest.raises(TypeError, match=r"max\(\) expects dim to be an int.*'a'"):
        pt.max(x, "a")
    with pytest.raises(TypeError, match=r"both dim= .* and axis="):
        pt.sum(x, dim=0, axis=0)


def test_sort_spelled_pytorchs_way_is_values_and_indices(backend: str) -> None:
    x = pt.asarray([3.0, 1.0, 2.0, 1.0])
    assert pt.sort(x).tolist() == [1.0, 1.0, 2.0, 3.0]  # the standard's
    assert pt.sort(x, descending=True).tolist() == [3.0, 2.0, 1.0, 1.0]
    values, indices = pt.sort(x, dim=0, descending=True)
    assert values.tolist() == [3.0, 2.0, 1.0, 1.0] and indices.tolist() == [0, 2, 1, 3]
    values, indices = x.sort()
    assert indices.tolist() == [1, 3, 2, 0]
    assert x.argsort(descending=True).tolist() == [0, 2, 1, 3]


def test_topk_values_indices_and_gradient(backend: str) -> None:
    x = pt.asarray(A, requires_grad=True)
    values, indices = pt.topk(x, 2, dim=1)
    assert values.tolist() == [[5.0, 3.0], [7.0, 7.0]] and indices.tolist() == [[1, 2], [0, 2]]
    small = x.topk(1, largest=False)
    assert small.values.tolist() == [[1.0], [2.0]]
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]]
    with pytest.raises(RuntimeError, match=r"topk\(\): k=4 .*size 3"):
        pt.topk(x, 4)


def test_reductions_take_dim_and_keepdim(backend: str) -> None:
    x = pt.asarray(A)
    assert pt.sum(x, dim=0).tolist() == [8.0, 7.0, 10.0]
    assert pt.sum(x, 1, keepdim=True).shape == (2, 1)
    assert pt.mean(x, dim=1).tolist() == pytest.approx([3.0, 16.0 / 3.0])
    assert pt.prod(x, 0).tolist() == [7.0, 10.0, 21.0]
    assert pt.argmax(x, dim=1).tolist() == [1, 0] and pt.argmin(x, 1).tolist() == [0, 1]
    assert pt.sum(x, axis=0, keepdims=True).shape == (1, 3)  # the standard's spelling


def test_std_and_var_spelled_pytorchs_way_are_unbiased(backend: str) -> None:
    x = pt.asarray([[1.0, 3.0], [5.0, 7.0]])
    assert pt.var(x, axis=0).tolist() == [4.0, 4.0]  # the standard's: correction=0
    assert pt.var(x).item() == 5.0
    assert pt.var(x, dim=0).tolist() == [8.0, 8.0] and pt.var(x, 0).tolist() == [8.0, 8.0]
    assert pt.var(x, 0, unbiased=False).tolist() == [4.0, 4.0]
    assert pt.var(x, unbiased=True).item() == pytest.approx(20.0 / 3.0)
    assert pt.std(x, dim=1, keepdim=True).shape == (2, 1)
    assert pt.std(x, axis=1, correction=1).tolist() == pt.std(x, dim=1).tolist()
    with pytest.raises(TypeError, match=r"both correction= and unbiased="):
        pt.std(x, unbiased=True, correction=1)


def test_max_sort_topk_match_torch() -> None:
    torch = _torch()
    if torch is None:
        pytest.skip("torch is not installed: the cross-check needs it")
    a = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    x, t = pt.asarray(a), torch.tensor(a)
    for ours, theirs in [
        (pt.max(x, 1), torch.max(t, 1)),
        (pt.min(x, 0, keepdim=True), torch.min(t, 0, keepdim=True)),
        (pt.sort(x, dim=1, descending=True), torch.sort(t, dim=1, descending=True)),
        (pt.topk(x, 3, dim=0), torch.topk(t, 3, dim=0)),
    ]:
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    np.testing.assert_allclose(pt.std(x, dim=1).numpy(), torch.std(t, dim=1).numpy(), rtol=1e-6)
    np.testing.assert_allclose(
        pt.var(x, 0, keepdim=True).numpy(), torch.var(t, 0, keepdim=True).numpy(), rtol=1e-6
    )


# -- size: the standard's int, PyTorch's method ----------------------------------------------------
def test_size_is_an_int_and_callable(backend: str) -> None:
    x = pt.zeros(2, 3, 4)
    assert isinstance(x.size, int) and x.size == 24 and x.size + 1 == 25
    assert type(x.size * 2) is int
    assert x.size() == (2, 3, 4) and isinstance(x.size(), pt.Size)
    assert isinstance(x.size(), tuple) and repr(x.size()) == "polytensor.Size([2, 3, 4])"
    assert x.size(1) == 3 and x.size(-1) == 4 and x.size().numel() == 24
    assert array_api_compat.size(x) == 24
    assert pickle.loads(pickle.dumps(x.size)) == 24


def test_size_with_a_bad_dimension_says_so() -> None:
    x = pt.zeros(2, 3)
    with pytest.raises(TypeError, match=r"size\(\) expects dim to be an int.*'a' of type str"):
        x.size("a")
    with pytest.raises(IndexError, match=r"size\(\): dimension out of range.*\[-2, 1\].*got 2"):
        x.size(2)
    with pytest.raises(IndexError, match=r"0-d tensor"):
        pt.zeros(()).size(0)


# -- devices --------------------------------------------------------------------------------------
def test_device_cpu_is_the_current_cpu_backend(backend: str) -> None:
    d = pt.device("cpu")
    assert isinstance(d, pt.Device) and d.type == "cpu" and d.index is None
    assert d.backend.name == backend and pt.ones(2).device == d
    for make in (pt.ones, pt.zeros, pt.randn, pt.rand):
        assert make(2, 3, device=d).device == d
    x = pt.linspace(0.0, 1.0, 5, device=d, dtype=pt.float64)
    assert x.dtype is pt.float64 and x.device == d and x.tolist()[1] == 0.25
    assert pt.tensor([1.0], device=d).to(d).device == d and pt.ones(1).to("cpu").device == d
    assert pt.ones_like(x, device=d).device == d and x.new_zeros(2, device=d).device == d


def test_device_of_an_unknown_kind_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError, match=r"device\(\) got unknown device 'tpu'.*'cpu' or"):
        pt.device("tpu")
    with pytest.raises(RuntimeError, match=r"index -1"):
        pt.device("cuda", -1)


def test_cuda_answers_from_the_cupy_backend() -> None:
    has_gpu = pt.backends.available().get("cupy") == "available"
    assert pt.cuda.is_available() is has_gpu
    assert pt.cuda.device_count() == (len(pt.backends.get("cupy").devices()) if has_gpu else 0)
    if not has_gpu:  # (named, as PyTorch lets a program name it; refused when used)
        d = pt.device("cuda")
        with pytest.raises(RuntimeError, match=r"device\('cuda'\).*pt.cuda.is_available"):
            pt.zeros(2, device=d)


def test_cuda_device_is_the_cupy_backend() -> None:
    if not pt.cuda.is_available():
        pytest.skip("no CUDA device here: the CuPy backend is unavailable")
    d = pt.device("cuda", 0)
    assert d == pt.device("cuda:0") and d.type == "cuda" and d.index == 0
    assert pt.ones(2, device=d).device.backend.name == "cupy"


# -- construction ---------------------------------------------------------------------------------
def test_tensor_constructor_forms(backend: str) -> None:
    x = pt.Tensor([[1, 2], [3, 4]])
    assert x.dtype is pt.float32 and x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert x._backend.name == backend and isinstance(x, pt.Tensor)
    assert pt.Tensor(2, 3).shape == (2, 3) and pt.Tensor(2, 3).tolist() == [[0.0] * 3] * 2
    assert pt.Tensor(pt.Size([4])).shape == (4,) and pt.Tensor().shape == (0,)
    assert pt.Tensor(np.arange(3)).dtype is pt.float32
    pt.set_default_dtype(pt.float64)
    assert pt.Tensor([1]).dtype is pt.float64


def test_tensor_constructor_refuses_a_scalar_and_mixed_arguments() -> None:
    with pytest.raises(TypeError, match=r"Tensor\(\) got the scalar 2.5.*pt.tensor\(2.5\)"):
        pt.Tensor(2.5)
    with pytest.raises(TypeError, match=r"Tensor\(\) got 2 arguments that are not all ints"):
        pt.Tensor(2, "a")


def test_creation_with_requires_grad(backend: str) -> None:
    s = pt.full((), 2.0, requires_grad=True)
    e = pt.eye(2, 3, requires_grad=True)
    assert s.shape == () and s.requires_grad and e.shape == (2, 3) and e.requires_grad
    (s * e).sum().backward()
    assert s.grad.item() == 2.0 and e.grad.tolist() == [[2.0] * 3] * 2


# -- functions and methods ------------------------------------------------------------------------
def test_norms_flatten_allclose(backend: str) -> None:
    x = pt.asarray([[3.0, 0.0], [4.0, 0.0]])
    assert pt.linalg.norm(x).item() == 5.0 and pt.linalg.norm(x, dim=0).tolist() == [5.0, 0.0]
    assert pt.linalg.norm(x, ord=1).item() == 7.0  # a matrix norm: largest column sum
    assert pt.linalg.norm(x, ord=np.inf, dim=1, keepdim=True).tolist() == [[3.0], [4.0]]
    assert pt.norm(x, 1, 0).tolist() == [7.0, 0.0] and pt.norm(x).item() == 5.0
    assert pt.flatten(pt.ones(2, 3, 4), 1).shape == (2, 12)
    assert pt.flatten(pt.ones(2, 3, 4), 0, 1).shape == (6, 4) and pt.flatten(pt.ones(())).shape == (
        1,
    )
    assert pt.allclose(x, x + 1e-9) and not pt.allclose(x, x + 1e-3)
    nan = pt.asarray([float("nan"), 1.0])
    assert not pt.allclose(nan, nan) and pt.allclose(nan, nan, equal_nan=True)
    assert pt.isclose(x, x).tolist() == [[True, True], [True, True]]


def test_norms_match_torch() -> None:
    torch = _torch()
    if torch is None:
        pytest.skip("torch is not installed: the cross-check needs it")
    a = np.random.default_rng(1).standard_normal((3, 4, 5))
    x, t = pt.asarray(a), torch.tensor(a)
    for kwargs in [
        {},
        {"dim": 1},
        {"ord": 1, "dim": (0, 2)},
        {"ord": "fro", "dim": (1, 2), "keepdim": True},
    ]:
        np.testing.assert_allclose(
            pt.linalg.norm(x, **kwargs).numpy(), torch.linalg.norm(t, **kwargs).numpy()
        )
    np.testing.assert_allclose(pt.norm(x, 3, 2).numpy(), torch.norm(t, 3, 2).numpy())


def test_methods_tutorials_use(backend: str) -> None:
    x = pt.asarray([[1.0, 2.0, 3.0]], requires_grad=True)
    assert x.unsqueeze(0).shape == (1, 1, 3) and x.t().shape == (3, 1)
    y = x.pow(pt.asarray([2.0, 1.0, 0.0]))
    y.sum().backward()
    assert y.tolist() == [[1.0, 2.0, 1.0]] and x.grad.tolist() == [[2.0, 1.0, 0.0]]


def test_grad_fn_next_functions(backend: str) -> None:
    x = pt.ones(2, requires_grad=True)
    y = x.exp()
    z = y * 2.0
    (fn, index), (none, zero) = z.grad_fn.next_functions
    assert fn is y.grad_fn and index == 0 and none is None and zero == 0
    ((leaf, _),) = y.grad_fn.next_functions
    assert repr(leaf).startswith("<AccumulateGrad object at 0x") and leaf.next_functions == ()


# -- in place and out=: PyTorch's casting rule -----------------------------------------------------
def test_inplace_and_out_cast_within_a_kind(backend: str) -> None:
    y = pt.ones(2, 3)
    x = pt.full((2, 3), 0.5, dtype=pt.float64)
    y.add_(x)
    y += x
    y.mul_(x)
    assert y.dtype is pt.float32 and y.tolist() == [[1.0] * 3] * 2
    r = pt.empty(2, 3)
    pt.add(y, x, out=r)
    assert r.dtype is pt.float32 and r.tolist() == [[1.5] * 3] * 2
    f = pt.ones(2)
    f += pt.ones(2, dtype=pt.int64)  # an integer result into a float tensor: allowed
    assert f.dtype is pt.float32 and f.tolist() == [2.0, 2.0]


def test_inplace_cast_keeps_gradients(backend: str) -> None:
    w = pt.ones(2, dtype=pt.float64, requires_grad=True)
    z = pt.ones(2) * 2.0
    z.mul_(w)
    z.sum().backward()
    assert z.dtype is pt.float32 and w.grad.tolist() == [2.0, 2.0]


def test_inplace_float_into_an_integer_tensor_is_refused() -> None:
    i = pt.ones(2, dtype=pt.int64)
    with pytest.raises(
        RuntimeError,
        match=r"add_\(\): result type Float \(float32\) can't be cast to the desired output "
        r"type Long \(int64\)",
    ):
        i.add_(pt.ones(2))
    with pytest.raises(RuntimeError, match=r"Double.*Long.*x = x \+ y"):
        i += 1.5 * pt.ones(2, dtype=pt.float64)
    with pytest.raises(RuntimeError, match=r"out=: result type Float .*Int"):
        pt.add(pt.ones(2), pt.ones(2), out=pt.zeros(2, dtype=pt.int32))
    with pytest.raises(RuntimeError, match=r"ComplexFloat.*Float"):
        pt.ones(2).mul_(pt.ones(2, dtype=pt.complex64))
    assert i.tolist() == [1, 1]  # refused before anything changed


# -- __setitem__ with a partial index --------------------------------------------------------------
def test_setitem_with_a_partial_index(backend: str) -> None:
    z = pt.zeros(2, 3, 4)
    z[0] = 5
    z[1, 1] = 2.0
    z[:, 0] = pt.full((2, 4), 1.5)
    want = np.zeros((2, 3, 4), dtype=np.float32)
    want[0] = 5
    want[1, 1] = 2.0
    want[:, 0] = 1.5
    np.testing.assert_array_equal(np.asarray(z.tolist(), dtype=np.float32), want)
    m = pt.zeros(2, 3, 4)
    m[z > 1.0] = 7.0
    assert m.sum().item() == 7.0 * 20


def test_setitem_with_a_partial_index_records_for_autograd(backend: str) -> None:
    w = pt.ones(4, requires_grad=True)
    q = pt.zeros(2, 3, 4) * 1.0
    q[1] = w * 3.0
    q.sum().backward()
    assert w.grad.tolist() == [9.0] * 4


# -- what polytensor does not have --------------------------------------------------------------
def test_missing_names_say_the_polytensor_way() -> None:
    with pytest.raises(
        AttributeError, match=r"module 'polytensor' has no attribute 'concatenate'; use pt\.concat"
    ):
        pt.concatenate  # noqa: B018
    with pytest.raises(
        AttributeError, match=r"module 'polytensor' has no attribute 'arctan2'; use pt\.atan2\(x\)"
    ):
        pt.arctan2  # noqa: B018
    with pytest.raises(AttributeError, match=r"has no attribute 'arccos'; use x\.acos\(\)"):
        pt.ones(1).arccos()
    with pytest.raises(AttributeError, match=r"has no attribute 'no_such_thing'$"):
        pt.no_such_thing  # noqa: B018
    x = pt.ones(2)
    with pytest.raises(AttributeError, match=r"'Tensor' object has no attribute 'half'; use"):
        x.half()
    assert not x.is_cuda and x.is_cpu  # (PyTorch's questions, answered)
    assert not hasattr(x, "__array_interface__")


# -- .data ----------------------------------------------------------------------------------------
def test_data_updates_a_weight_in_place_on_every_backend(backend: str) -> None:
    w = pt.ones(3, requires_grad=True)
    (w * 2.0).sum().backward()
    w.data.sub_(w.grad.data * 0.5)  # the 60-minute blitz's update
    d = w.data
    d[0] = 5.0
    d -= 1.0
    assert w.tolist() == [4.0, -1.0, -1.0] and w.requires_grad and w.is_leaf
    assert not d.requires_grad and d.grad_fn is None
    w.data = pt.zeros(3)
    assert w.tolist() == [0.0, 0.0, 0.0] and w.requires_grad


def test_data_of_another_backend_is_refused() -> None:
    w = pt.ones(2)
    with pytest.raises(ValueError, match=r"data= got a tensor of backend 'dask'.*to\('numpy'\)"):
        w.data = pt.ones(2, device="dask")


# -- cumsum / cumprod: PyTorch's names of the standard's cumulative_sum / cumulative_prod ------
def _cumulative_program(lib: Any) -> list[Any]:
    x = lib.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], dtype=lib.float64, requires_grad=True)
    w = lib.tensor([[1.0, 2.0, 3.0]], dtype=lib.float64)
    (lib.cumsum(x, 1) * w + x.cumprod(dim=-1) * w + x.cumsum(dim=0)).sum().backward()
    ints = lib.tensor([1, 2, 3], dtype=lib.int32)
    return [
        x.grad.tolist(),
        lib.cumprod(x, 0).tolist(),
        lib.cumsum(lib.tensor([True, False, True]), 0).tolist(),
        str(lib.cumsum(lib.tensor([200, 100], dtype=lib.uint8), 0).dtype).split(".")[1],
        lib.cumsum(lib.tensor([200, 100], dtype=lib.uint8), 0).tolist(),
        str(ints.cumsum(0).dtype).split(".")[1],
        ints.cumprod(-1).tolist(),
        str(lib.cumsum(x, dim=0, dtype=lib.float32).dtype).split(".")[1],
        lib.cumsum(lib.tensor(3.0), 0).tolist(),
        lib.cumsum(lib.tensor(3.0), -1).tolist(),
    ]


@pytest.mark.parametrize("backend_name", CPU_BACKENDS)
def test_cumsum_and_cumprod_match_torch(backend_name: str) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend_name)
    expected = _cumulative_program(torch)
    with pt.use_backend(backend_name):
        assert _cumulative_program(pt) == expected


def test_cumsum_refuses_what_torch_refuses() -> None:
    with pytest.raises(IndexError, match="dimension out of range"):
        pt.cumsum(pt.ones(2), 1)
    with pytest.raises(TypeError, match="dim"):
        pt.cumsum(pt.ones(2), 0.5)
    with pytest.raises(TypeError, match="dim"):
        pt.cumsum(pt.ones(2))
    with pytest.raises(IndexError, match="0 dimensions"):
        pt.cumsum(pt.asarray(3.0), 1)
    with pytest.raises(TypeError, match="dtype=bool"):
        pt.cumprod(pt.ones(2), 0, dtype=pt.bool)


def test_cumsum_takes_axis_and_out() -> None:
    x = pt.asarray([1.0, 2.0, 3.0])
    r = pt.zeros(3)
    assert pt.cumsum(x, 0, out=r) is r
    assert r.tolist() == [1.0, 3.0, 6.0]
    assert pt.cumsum(x, axis=0).tolist() == [1.0, 3.0, 6.0]
    assert x.cumprod(axis=-1).tolist() == [1.0, 2.0, 6.0]
    with pytest.raises(TypeError, match=r"pt\.asarray"):
        pt.cumprod([1.0, 2.0], 0)  # type: ignore[arg-type]


# -- a number beyond a float dtype's range is refused, as PyTorch refuses it --------------------
OVERFLOWING = {  # (lib: polytensor or torch)
    "fill_": lambda lib, x, v: x.fill_(v),
    "full": lambda lib, x, v: lib.full((2,), v, dtype=x.dtype),
    "full_like": lambda lib, x, v: lib.full_like(x, v),
    "new_full": lambda lib, x, v: x.new_full((2,), v),
    "setitem": lambda lib, x, v: x.__setitem__(0, v),
    "setitem mask": lambda lib, x, v: x.__setitem__(x == 0, v),
}


@pytest.mark.parametrize("how", list(OVERFLOWING))
@pytest.mark.parametrize("value", [1e40, -1e40, 10**40, 1 + 1e40j])
def test_a_number_beyond_float32_is_refused_not_made_infinite(
    backend: str, how: str, value: Any
) -> None:
    dtype = pt.complex64 if isinstance(value, complex) else pt.float32
    if isinstance(value, complex) and how == "setitem mask":
        return  # (x == 0 of a complex tensor: the mask path takes real tensors)
    x = pt.zeros(2, dtype=dtype)
    with pytest.raises(ValueError, match=f"beyond the range of {dtype.name}"):
        OVERFLOWING[how](pt, x, value)
    assert pt.all(x == 0)  # (nothing written)
    torch = _torch()
    if torch is not None and not isinstance(value, complex):
        tx = torch.zeros(2, dtype=torch.float32)
        with pytest.raises((RuntimeError, OverflowError, ValueError)):  # (an int: its own words)
            OVERFLOWING[how](torch, tx, value)


@pytest.mark.parametrize("how", list(OVERFLOWING))
def test_numbers_float32_holds_are_written(backend: str, how: str) -> None:
    top = float(np.finfo(np.float32).max)
    for value in (top, -top, float("inf"), float("-inf"), 1e-45, 3):
        x = pt.zeros(2, dtype=pt.float32)
        r = OVERFLOWING[how](pt, x, value)
        got = (x if r is None or how.startswith("fill") else r)[0].item()
        assert got == np.float32(value), (how, value, got)
    nan = pt.zeros(2, dtype=pt.float32)
    OVERFLOWING["fill_"](pt, nan, float("nan"))
    assert bool(pt.all(pt.isnan(nan)))
    big = pt.zeros(2, dtype=pt.float64)
    OVERFLOWING[how](pt, big, 1e300)  # (float64 holds it)


def test_real_imag_h_and_mh_are_attributes_as_in_pytorch(backend: str) -> None:
    # PyTorch's z.real and z.imag are attributes, not methods: z.real * 3 must be a tensor
    torch = pytest.importorskip("torch")
    values = np.array([[1 + 2j, 3 - 1j], [0.5j, 2.0 + 0j]], dtype=np.complex128)

    def program(lib: Any) -> list[Any]:
        z = lib.tensor(values, requires_grad=True)
        (z.real * 3 + z.imag * 5).sum().backward()
        x = lib.tensor(values.real)
        return [z.H.detach(), z.mH.detach(), x.H, z.grad, x.real * 2]

    want = program(torch)
    got = program(pt)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(
            np.asarray(g.resolve_conj()), w.resolve_conj().numpy(), rtol=1e-12
        )
        assert g.is_conj() == w.is_conj()  # (z.H.detach() keeps the conjugate bit)
    x = pt.ones((2, 3))
    assert x.real is x  # a real tensor's real part is the tensor, as PyTorch's
    with pytest.raises(RuntimeError, match="complex"):
        _ = x.imag
    with pytest.raises(RuntimeError, match="2-D"):
        _ = pt.ones(3).H
    with pytest.raises(RuntimeError, match="2-D or more"):
        _ = pt.ones(3).mH
    assert pt.ones((4, 2, 3)).mH.shape == (4, 3, 2)
