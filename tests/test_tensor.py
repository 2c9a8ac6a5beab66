"""The Tensor object: repr, construction, Python conversions, DLPack, the namespace,
``__setitem__``, in-place operators, hashing, dtypes and type promotion."""

from __future__ import annotations

import copy
import itertools
import pickle
import threading

import array_api_compat
import numpy as np
import pytest

import polytensor as pt

# -- repr -----------------------------------------------------------------------------------------


def test_repr_format() -> None:
    assert repr(pt.asarray([[1.0, 2.0]])) == "tensor([[1., 2.]], backend='numpy')"
    assert str(pt.asarray([[1.0, 2.0]])) == "tensor([[1., 2.]], backend='numpy')"
    assert repr(pt.asarray([1, 2])) == "tensor([1, 2], backend='numpy')"
    assert repr(pt.asarray([True, False])) == "tensor([ True, False], backend='numpy')"
    assert repr(pt.asarray(1.5)) == "tensor(1.5, backend='numpy')"


def test_repr_shows_dtypes_that_are_not_the_default() -> None:
    assert (
        repr(pt.asarray([1.0, 2.0], dtype=pt.float64))
        == "tensor([1., 2.], dtype=polytensor.float64, backend='numpy')"
    )
    assert (
        repr(pt.asarray([1, 2], dtype=pt.int32))
        == "tensor([1, 2], dtype=polytensor.int32, backend='numpy')"
    )
    pt.set_default_dtype(pt.float64)
    assert repr(pt.asarray([1.0, 2.0])) == "tensor([1., 2.], backend='numpy')"
    assert (
        repr(pt.asarray([1.0, 2.0], dtype=pt.float32))
        == "tensor([1., 2.], dtype=polytensor.float32, backend='numpy')"
    )


def test_repr_shows_autograd_state() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], backend='numpy', requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 4.], backend='numpy', grad_fn=<MulBackward0>)"


def test_repr_of_other_backends_names_them() -> None:
    assert (
        repr(pt.asarray([1.0, 2.0], device="dask")) == "tensor(<lazy shape=(2,)>, backend='dask')"
    )
    assert (
        repr(pt.asarray([1.0, 2.0], device="array_api_strict"))
        == "tensor([1., 2.], device='array_api_strict:CPU_DEVICE')"
    )


# -- construction ---------------------------------------------------------------------------------
def test_calling_tensor_is_pytorchs_legacy_constructor() -> None:
    assert pt.Tensor([1, 2]).dtype is pt.float32 and pt.Tensor([1, 2]).tolist() == [1.0, 2.0]
    assert pt.Tensor().shape == (0,)
    with pytest.raises(TypeError, match=r"pt\.tensor\(2\.5\)"):
        pt.Tensor(2.5)


def test_asarray_of_a_tensor_is_the_tensor() -> None:
    x = pt.ones(2)
    assert pt.asarray(x) is x
    y = pt.asarray(x, copy=True)
    assert y is not x
    y[0] = 5.0
    assert x[0].item() == 1.0


# -- Python conversions ---------------------------------------------------------------------------
def test_python_scalar_conversions() -> None:
    assert bool(pt.asarray(1.0)) is True
    assert bool(pt.asarray([0])) is False
    assert float(pt.asarray([2.5])) == 2.5
    assert isinstance(float(pt.asarray(2)), float)
    assert int(pt.asarray(3)) == 3
    assert int(pt.asarray(3.7)) == 3
    assert complex(pt.asarray(1 + 2j)) == 1 + 2j
    assert complex(pt.asarray(2.0)) == 2 + 0j
    assert [10, 20, 30][pt.asarray(1)] == 20
    assert list(range(5))[pt.asarray(1) : pt.asarray(3)] == [1, 2]
    assert pt.asarray([[7]]).item() == 7
    assert pt.asarray([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]


def test_python_scalar_conversions_reject_bad_tensors() -> None:
    for fn in (bool, float, int, complex):
        with pytest.raises(ValueError, match=r"one element; got shape \(2,\)"):
            fn(pt.ones(2))
    with pytest.raises(TypeError, match=r"__index__\(\) needs an integer tensor; got float32"):
        [1, 2][pt.asarray(1.0)]
    with pytest.raises(TypeError, match="0-d"):
        [1, 2][pt.asarray([1])]
    with pytest.raises(TypeError, match="complex"):
        float(pt.asarray(1 + 1j))
    with pytest.raises(TypeError, match="complex"):
        int(pt.asarray(1 + 1j))
    # an infinity int() cannot hold: Python's OverflowError, and a ValueError as every other
    # bad value polytensor reports (one class that is both)
    with pytest.raises(OverflowError):
        int(pt.asarray(float("inf")))
    with pytest.raises(ValueError, match="int\\(\\) of a tensor holding inf"):
        int(pt.asarray(float("inf")))
    with pytest.raises(ValueError, match="nan"):
        int(pt.asarray(float("nan")))


def test_len() -> None:
    assert len(pt.ones((4, 2))) == 4
    assert len(pt.ones(0)) == 0
    assert len(pt.ones(3, device="dask")) == 3
    with pytest.raises(TypeError, match="0-d"):
        len(pt.asarray(1.0))


def test_iteration_yields_rows() -> None:
    rows = list(pt.asarray([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    with pytest.raises(TypeError, match="0-d"):
        iter(pt.asarray(1))


# -- DLPack and NumPy -----------------------------------------------------------------------------
def test_dlpack_round_trip_with_numpy_shares_memory() -> None:
    t = pt.asarray([1.0, 2.0, 3.0])
    assert t.__dlpack_device__() == (1, 0)
    a = np.from_dlpack(t)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, [1.0, 2.0, 3.0])
    a[0] = 10.0
    assert t[0].item() == 10.0
    u = pt.from_dlpack(a)
    assert u.dtype is pt.float32 and u._backend.name == "numpy"
    u[1] = 20.0
    assert t[1].item() == 20.0
    assert pt.from_dlpack(np.arange(3.0)).dtype is pt.float64


def test_dlpack_of_a_dask_tensor_gives_its_values() -> None:
    t = pt.asarray([1.0, 2.0], device="dask") * 3
    assert t.__dlpack_device__() == (1, 0)
    np.testing.assert_array_equal(np.from_dlpack(t), [3.0, 6.0])


def test_numpy_shares_memory_on_the_numpy_backend() -> None:
    a = np.zeros(3)
    t = pt.from_numpy(a)
    a[0] = 5.0
    assert t[0].item() == 5.0
    n = t.numpy()
    t[1] = 7.0
    assert n[1] == 7.0
    np.testing.assert_array_equal(np.asarray(t), [5.0, 7.0, 0.0])


# -- the namespace --------------------------------------------------------------------------------
def test_array_namespace_is_polytensor() -> None:
    t = pt.ones(2)
    assert t.__array_namespace__() is pt
    assert t.__array_namespace__(api_version="2023.12") is pt
    assert t.__array_namespace__(api_version="2025.12") is pt
    with pytest.raises(ValueError, match="api_version"):
        t.__array_namespace__(api_version="1999.01")
    assert array_api_compat.array_namespace(t) is pt
    assert array_api_compat.array_namespace(t, pt.zeros(3), 1.0) is pt
    assert array_api_compat.array_namespace(pt.ones(2, device="dask")) is pt
    assert pt.__array_api_version__ == "2025.12"


# -- __setitem__ ----------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["numpy", "dask"])
def test_setitem(backend: str) -> None:
    with pt.use_backend(backend):
        x = pt.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        ident = id(x)
        x[0, 1] = 10.0  # basic index, Python scalar
        x[:, 2] = pt.asarray([7.0, 8.0])  # slice, tensor value
        x[1, pt.asarray([0, 1])] = 0.0  # integer array index
        x[x > 7.5] = -1.0  # boolean mask
        x[..., 0] = 2  # Python int into a float tensor
        x[1] = pt.asarray([9, 9, 9])  # int tensor value is cast to the tensor's dtype
    assert id(x) == ident
    assert x._backend.name == backend
    assert x.dtype is pt.float32
    np.testing.assert_array_equal(x.numpy(), [[2.0, -1.0, 7.0], [9.0, 9.0, 9.0]])


@pytest.mark.parametrize("backend", ["numpy", "dask"])
def test_setitem_broadcasts_the_value(backend: str) -> None:
    with pt.use_backend(backend):
        x = pt.zeros((2, 3))
        x[:] = pt.asarray([1.0, 2.0, 3.0])
        x[pt.asarray([True, False])] = 5.0
    np.testing.assert_array_equal(x.numpy(), [[5.0, 5.0, 5.0], [1.0, 2.0, 3.0]])


def test_setitem_rejects_values_of_other_backends_and_types() -> None:
    x = pt.zeros(3)
    with pytest.raises(ValueError, match=r"__setitem__\(\).*numpy.*dask.*x\.to\("):
        x[0] = pt.ones(1, device="dask")
    with pytest.raises(ValueError, match=r"numpy.*dask"):
        x[pt.asarray([0], device="dask")] = 1.0
    with pytest.raises(TypeError, match=r"pt\.asarray"):
        x[0] = [1.0]
    np.testing.assert_array_equal(x.numpy(), [0.0, 0.0, 0.0])


# -- in-place operators ---------------------------------------------------------------------------
FLOAT_INPLACE = ["+=", "-=", "*=", "/=", "**="]
INT_INPLACE = ["//=", "%=", "&=", "|=", "^=", "<<=", ">>="]


@pytest.mark.parametrize("backend", ["numpy", "dask"])
def test_inplace_operators_keep_identity_dtype_and_compute_the_same(backend: str) -> None:
    with pt.use_backend(backend):
        for ops, data, other in ((FLOAT_INPLACE, [1.0, 2.0], 2.0), (INT_INPLACE, [5, 6], 2)):
            for op in ops:
                y = pt.asarray(data)
                want = eval(f"pt.asarray(data) {op[:-1]} other")  # noqa: S307
                ident = id(y)
                ns = {"y": y, "other": other}
                exec(f"y {op} other", ns)  # noqa: S102
                assert ns["y"] is y and id(y) == ident, op
                assert y.dtype is want.dtype, op
                assert y._backend.name == backend
                np.testing.assert_array_equal(y.numpy(), want.numpy(), err_msg=op)
        m = pt.asarray([[1.0, 2.0], [3.0, 4.0]])
        ident = id(m)
        m @= pt.eye(2) * 2
        assert id(m) == ident
        np.testing.assert_array_equal(m.numpy(), [[2.0, 4.0], [6.0, 8.0]])


def test_inplace_on_numpy_writes_into_shared_memory() -> None:
    t = pt.asarray([1.0, 2.0])
    n = t.numpy()
    t += 1
    t *= pt.asarray([2.0, 3.0])
    np.testing.assert_array_equal(n, [4.0, 9.0])


def test_inplace_refuses_a_dtype_change() -> None:
    y = pt.asarray([1, 2])
    with pytest.raises(TypeError, match=r"__iadd__.*float32.*int64"):
        y += 1.5
    np.testing.assert_array_equal(y.numpy(), [1, 2])


def test_inplace_type_error_suggests_the_out_of_place_operator() -> None:
    y = pt.asarray([1, 2])
    with pytest.raises(TypeError, match=r"x = x \+ y"):
        y += 1.5


def test_inplace_refuses_to_broadcast_self() -> None:
    t = pt.ones(2)
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2,\)|\(2,\).*\(3, 2\)"):
        t += pt.ones((3, 2))
    assert t.shape == (2,)


def test_inplace_of_a_leaf_that_requires_grad_is_refused_outside_no_grad() -> None:
    w = pt.asarray([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"leaf.*requires grad.*no_grad"):
        w -= 1.0
    with pytest.raises(RuntimeError, match="no_grad"):
        w[0] = 3.0
    with pt.no_grad():
        w -= 1.0
    assert w.requires_grad and w.is_leaf
    np.testing.assert_array_equal(w.detach().numpy(), [0.0, 1.0])


def test_inplace_change_of_a_tensor_saved_for_backward_is_caught() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    a = x * 1
    b = pt.sin(a)  # saves a
    with pt.no_grad():
        a += 1  # outside the graph: overwrites the memory sin() saved
    with pytest.raises(RuntimeError, match="in-place"):
        pt.sum(b).backward()


def test_inplace_changes_bump_nothing_wrong() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    a = x * pt.asarray([1.0, 1.0])
    b = pt.sin(a)  # saves a
    c = x * pt.asarray([3.0, 3.0])
    with pytest.raises(TypeError):
        a += 1j  # refused before it changed anything: must not count as a change
    with pytest.raises(ValueError, match="cannot broadcast self"):
        a += pt.ones((3, 2))  # refused as well
    with pytest.raises(ValueError, match="two backends"):
        a[0] = pt.ones(1, device="dask")  # refused as well
    loss = pt.sum(b) + pt.sum(c)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos([1.0, 2.0]) + 3, rtol=1e-6)


def test_inplace_on_a_graph_output_records_the_op() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    y = x * pt.asarray([2.0, 2.0])
    ident = id(y)
    y *= pt.asarray([3.0, 3.0])
    assert id(y) == ident
    assert y.grad_fn is not None
    pt.sum(y).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_gradient_through_ops_with_python_scalars() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    pt.sum(x * 3).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    x.grad = None
    pt.sum(3 * x + x / 2 - 1).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.5, 3.5])


# -- hashing --------------------------------------------------------------------------------------
def test_tensors_hash_by_identity_as_torchs() -> None:
    t = pt.ones(2)
    u = pt.ones(2)
    assert hash(t) == hash(t) and hash(t) != hash(u)
    both = {t, u}
    assert len(both) == 2 and t in both and pt.ones(2) not in both and {t: 1}[t] == 1
    model = pt.nn.Linear(3, 2)
    params = set(model.parameters())
    assert len(params) == 2 and model.weight in params and model.bias in params
    names = {p: n for n, p in model.named_parameters()}
    assert names[model.weight] == "weight"
    torch = pytest.importorskip("torch")
    assert len(set(torch.nn.Linear(3, 2).parameters())) == 2


# -- dtypes ---------------------------------------------------------------------------------------
ALL_DTYPES = [
    pt.bool,
    pt.int8,
    pt.int16,
    pt.int32,
    pt.int64,
    pt.uint8,
    pt.uint16,
    pt.uint32,
    pt.uint64,
    pt.float32,
    pt.float64,
    pt.complex64,
    pt.complex128,
]


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: d.name)
def test_dtype_objects_are_polytensors_own(dtype) -> None:
    a = np.zeros(2, dtype=dtype.name)
    assert pt.asarray(a).dtype is dtype
    assert pt.from_numpy(a).dtype is dtype
    for device in ("dask", "array_api_strict"):
        assert pt.asarray(a, device=device).dtype is dtype
    assert pt.zeros(2, dtype=dtype).dtype is dtype
    assert repr(dtype) == f"polytensor.{dtype.name}"
    assert pickle.loads(pickle.dumps(dtype)) is dtype
    assert copy.deepcopy(dtype) is dtype


def test_dtype_aliases_are_the_same_objects() -> None:
    assert pt.float is pt.float32
    assert pt.double is pt.float64
    assert pt.long is pt.int64
    assert pt.int is pt.int32


def test_native_dtypes_are_not_accepted_as_polytensor_dtypes() -> None:
    with pytest.raises(TypeError, match="polytensor dtype"):
        pt.zeros(2, dtype=np.float32)
    with pytest.raises(TypeError, match="polytensor dtype"):
        pt.asarray([1.0], dtype="float32")  # type: ignore[arg-type]


def test_default_dtypes_for_python_scalars() -> None:
    assert pt.asarray(1.5).dtype is pt.float32
    assert pt.asarray([1.0, 2.0]).dtype is pt.float32
    assert pt.tensor([1.0, 2.0]).dtype is pt.float32
    assert pt.ones(2).dtype is pt.float32
    assert pt.arange(3.0).dtype is pt.float32
    assert pt.asarray([1, 2]).dtype is pt.int64
    assert pt.asarray(True).dtype is pt.bool
    assert pt.asarray(1j).dtype is pt.complex64
    assert pt.tensor(np.array([1.0, 2.0])).dtype is pt.float64


def test_set_default_dtype() -> None:
    assert pt.get_default_dtype() is pt.float32
    pt.set_default_dtype(pt.float64)
    assert pt.get_default_dtype() is pt.float64
    assert pt.asarray(1.5).dtype is pt.float64
    assert pt.ones(2).dtype is pt.float64
    assert pt.linspace(0, 1, 3).dtype is pt.float64
    assert pt.asarray(1j).dtype is pt.complex128
    assert (pt.asarray([1, 2]) * 0.5).dtype is pt.float64
    assert pt.asarray([1, 2]).dtype is pt.int64  # integers are unaffected
    defaults = pt.__array_namespace_info__().default_dtypes()
    assert defaults["real floating"] is pt.float64
    assert defaults["complex floating"] is pt.complex128
    pt.set_default_dtype(pt.float32)
    assert pt.ones(2).dtype is pt.float32
    assert pt.__array_namespace_info__().default_dtypes()["real floating"] is pt.float32


def test_set_default_dtype_rejects_non_floating_dtypes() -> None:
    with pytest.raises(TypeError, match=r"set_default_dtype.*float32.*float64"):
        pt.set_default_dtype(pt.int32)
    with pytest.raises(TypeError, match="set_default_dtype"):
        pt.set_default_dtype(np.float64)  # type: ignore[arg-type]
    assert pt.get_default_dtype() is pt.float32


def test_default_dtype_is_context_local() -> None:
    pt.set_default_dtype(pt.float64)
    seen = []
    t = threading.Thread(target=lambda: seen.append(pt.ones(1).dtype))
    t.start()
    t.join(timeout=30)
    assert seen == [pt.float32]
    assert pt.ones(1).dtype is pt.float64


# -- type promotion -------------------------------------------------------------------------------
_INTS = {
    pt.int8: ("i", 8),
    pt.int16: ("i", 16),
    pt.int32: ("i", 32),
    pt.int64: ("i", 64),
    pt.uint8: ("u", 8),
    pt.uint16: ("u", 16),
    pt.uint32: ("u", 32),
    pt.uint64: ("u", 64),
}
_SIGNED = {8: pt.int8, 16: pt.int16, 32: pt.int32, 64: pt.int64}
_UNSIGNED = {8: pt.uint8, 16: pt.uint16, 32: pt.uint32, 64: pt.uint64}
_FLOATS = {
    pt.float32: ("f", 32),
    pt.float64: ("f", 64),
    pt.complex64: ("c", 32),
    pt.complex128: ("c", 64),
}  # (kind, precision of a part)


def _standard_promotion(a, b):
    """The result dtype the standard's promotion table gives, or None if it has no entry."""
    if a is pt.bool or b is pt.bool:
        return pt.bool if a is b else None
    if a in _INTS and b in _INTS:
        (ka, na), (kb, nb) = _INTS[a], _INTS[b]
        if ka == kb:
            return (_SIGNED if ka == "i" else _UNSIGNED)[max(na, nb)]
        (nu, ns) = (na, nb) if ka == "u" else (nb, na)
        if nu == 64:
            return None  # uint64 with a signed integer: no promotion
        return _SIGNED[max(ns, 2 * nu)]
    if a in _FLOATS and b in _FLOATS:
        (ka, na), (kb, nb) = _FLOATS[a], _FLOATS[b]
        n = max(na, nb)
        if "c" in (ka, kb):
            return pt.complex64 if n == 32 else pt.complex128
        return pt.float32 if n == 32 else pt.float64
    return None  # mixed kinds: not in the standard's table


_PAIRS = [(a, b) for a, b in itertools.product(ALL_DTYPES, repeat=2)]


def test_promotion_examples() -> None:
    i8, u8 = pt.ones(2, dtype=pt.int8), pt.ones(2, dtype=pt.uint8)
    assert (i8 + u8).dtype is pt.int16
    assert pt.add(u8, i8).dtype is pt.int16
    assert (pt.ones(2, dtype=pt.float32) + pt.ones(2, dtype=pt.float64)).dtype is pt.float64
    assert (pt.ones(2, dtype=pt.uint32) * pt.ones(2, dtype=pt.int32)).dtype is pt.int64
    assert (pt.ones(2, dtype=pt.float64) - pt.ones(2, dtype=pt.complex64)).dtype is pt.complex128


def test_uint64_with_int64_raises_type_error() -> None:
    a, b = pt.ones(2, dtype=pt.uint64), pt.ones(2, dtype=pt.int64)
    with pytest.raises(TypeError, match=r"add\(\).*uint64.*int64"):
        a + b
    with pytest.raises(TypeError, match=r"multiply\(\).*int64.*uint64"):
        pt.multiply(b, a)
    with pytest.raises(TypeError, match=r"uint64.*int64"):
        pt.result_type(pt.uint64, pt.int64)


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_promotion_follows_the_standard_table_on_every_backend(backend: str) -> None:
    with pt.use_backend(backend):
        tensors = {d: pt.ones(2, dtype=d) for d in ALL_DTYPES}
        for a, b in _PAIRS:
            want = _standard_promotion(a, b)
            if want is None:
                continue
            assert pt.result_type(a, b) is want, (a, b)
            assert pt.result_type(tensors[a], tensors[b]) is want, (a, b)
            if want is not pt.bool:
                got = pt.add(tensors[a], tensors[b])
                assert got.dtype is want, (a, b)


def test_every_pair_without_a_promotion_raises_type_error() -> None:
    for a, b in ((pt.uint64, pt.int8), (pt.int16, pt.uint64), (pt.uint64, pt.int32)):
        with pytest.raises(TypeError, match=f"{a.name}.*{b.name}"):
            pt.subtract(pt.ones(1, dtype=a), pt.ones(1, dtype=b))


@pytest.mark.parametrize("dtype", [d for d in ALL_DTYPES if d is not pt.bool], ids=lambda d: d.name)
def test_python_scalars_take_the_arrays_dtype(dtype) -> None:
    x = pt.ones(2, dtype=dtype)
    assert (x + 1).dtype is dtype
    assert (1 + x).dtype is dtype
    assert pt.multiply(x, 2).dtype is dtype
    assert pt.result_type(x, 1) is dtype
    if dtype in _FLOATS:
        assert (x * 1.5).dtype is dtype
        assert (2.5 - x).dtype is dtype
        assert (x + True).dtype is dtype


def test_python_scalars_take_the_arrays_dtype_on_every_backend() -> None:
    for backend in ("dask", "array_api_strict"):
        with pt.use_backend(backend):
            assert (pt.ones(2, dtype=pt.int8) + 1).dtype is pt.int8
            assert (pt.ones(2, dtype=pt.float64) * 0.5).dtype is pt.float64
            assert (0.5 * pt.ones(2, dtype=pt.float32)).dtype is pt.float32
            assert (pt.ones(2, dtype=pt.complex64) + 1.5).dtype is pt.complex64


def test_deepcopy_of_a_leaf_copies_its_grad_as_pytorch_does() -> None:
    w = pt.ones(3, requires_grad=True)
    (w * 2).sum().backward()
    c = copy.deepcopy(w)
    assert c.requires_grad and c.grad is not None and c.grad is not w.grad
    np.testing.assert_array_equal(c.grad.numpy(), [2.0, 2.0, 2.0])
    c.grad.zero_()  # the copy's gradient has memory of its own
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 2.0, 2.0])
    # a grad set on a tensor that does not require grad is copied too
    x = pt.ones(2)
    x.grad = pt.asarray([1.0, 5.0])
    np.testing.assert_array_equal(copy.deepcopy(x).grad.numpy(), [1.0, 5.0])
    # Parameters keep PyTorch's behaviour: the copy starts without a gradient
    p = pt.nn.Parameter(pt.ones(2))
    (p * 3).sum().backward()
    assert copy.deepcopy(p).grad is None


def test_format_of_a_0d_tensor_is_that_of_its_number() -> None:
    """PyTorch's rule: f"{loss:f}" and f"{loss}" format the number of a 0-d tensor."""
    assert f"{pt.asarray(0.25):.3f}" == "0.250" and f"{pt.asarray(3)}" == "3"
    assert f"{pt.asarray(2.5):>6}" == "   2.5"
    assert f"{pt.ones(2)}" == str(pt.ones(2))
    with pytest.raises(TypeError, match=r"only for a 0-d tensor; got shape \(2,\)"):
        f"{pt.ones(2):f}"


def test_format_keeps_a_lazy_0d_tensor_lazy_without_a_spec() -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not available")
    t = pt.asarray(2.0, device="dask")
    assert f"{t}" == str(t) and "lazy" in f"{t}"
    assert f"{t:.1f}" == "2.0"
