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


# -- nanmedian, diag_embed, diagflat, unique_consecutive ------------------------------------------
NAN = np.nan
NANMEDIAN_DATA = {
    "some nan": np.array([[1.0, NAN, 3.0, 2.0], [NAN, NAN, NAN, NAN], [4.0, 1.0, NAN, 0.5]]),
    "no nan": RNG.permutation(12).reshape(3, 4).astype(np.float32),
    "int": RNG.permutation(12).reshape(3, 4),
}


@pytest.mark.parametrize("data", list(NANMEDIAN_DATA))
@pytest.mark.parametrize(("dim", "keepdim"), [(None, False), (1, False), (0, True)])
def test_nanmedian_matches_torch(backend: str, data: str, dim: Any, keepdim: bool) -> None:
    a = NANMEDIAN_DATA[data]
    p_args = () if dim is None else (dim, keepdim)
    got = pt.nanmedian(pt.asarray(a.copy()), *p_args)
    want = torch.nanmedian(torch.tensor(a), *p_args)
    method = pt.asarray(a.copy()).nanmedian(*p_args)
    for g in (got, method):
        if dim is None:
            np.testing.assert_array_equal(host(g), want.numpy())
        else:
            np.testing.assert_array_equal(host(g.values), want.values.numpy())
            # (of a line of NaN alone, the index names one of them: torch's pick depends on
            # its selection algorithm)
            numbers = ~np.isnan(want.values.numpy())
            np.testing.assert_array_equal(host(g.indices)[numbers], want.indices.numpy()[numbers])


def test_nanmedian_gradient_goes_to_the_element_named(backend: str) -> None:
    a = np.array([[1.0, NAN, 3.0, 2.0], [4.0, 1.0, NAN, 0.5]])
    x = pt.asarray(a.copy(), requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    pt.nanmedian(x, 1).values.sum().backward()
    torch.nanmedian(t, 1).values.sum().backward()
    np.testing.assert_array_equal(host(x.grad), t.grad.numpy())


@pytest.mark.parametrize(
    ("shape", "offset", "dim1", "dim2"),
    [((3,), 0, -2, -1), ((2, 3), 1, -2, -1), ((2, 3), -2, 0, 2), ((2, 2, 3), 0, 1, 0)],
)
def test_diag_embed_matches_torch(
    backend: str, shape: Any, offset: int, dim1: int, dim2: int
) -> None:
    a = RNG.standard_normal(shape)
    x = pt.asarray(a.copy(), requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    got = pt.diag_embed(x, offset, dim1, dim2)
    want = torch.diag_embed(t, offset, dim1, dim2)
    np.testing.assert_array_equal(host(got), want.detach().numpy())
    g = RNG.standard_normal(tuple(want.shape))
    got.backward(pt.asarray(g))
    want.backward(torch.tensor(g))
    np.testing.assert_allclose(host(x.grad), t.grad.numpy())
    np.testing.assert_array_equal(
        host(x.detach().diag_embed(offset, dim1, dim2)), want.detach().numpy()
    )


def test_diagflat_matches_torch(backend: str) -> None:
    a = np.arange(4).reshape(2, 2)
    for offset in (-1, 0, 2):
        np.testing.assert_array_equal(
            host(pt.diagflat(pt.asarray(a), offset)), torch.diagflat(torch.tensor(a), offset)
        )
    with pytest.raises(RuntimeError, match="cannot be identical"):
        pt.diag_embed(pt.ones(2), 0, 1, 1)


@pytest.mark.parametrize(
    "data", [[1, 1, 2, 2, 3, 1, 1, 2], [[1, 1], [2, 2]], [5], [0.5, 0.5, -1.0]]
)
def test_unique_consecutive_matches_torch(backend: str, data: Any) -> None:
    a = np.array(data)
    got = pt.unique_consecutive(pt.asarray(a), return_inverse=True, return_counts=True)
    want = torch.unique_consecutive(torch.tensor(a), return_inverse=True, return_counts=True)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(host(g), w.numpy())
    np.testing.assert_array_equal(
        host(pt.asarray(a).unique_consecutive()), torch.unique_consecutive(torch.tensor(a))
    )
    with pytest.raises(NotImplementedError, match="dim="):
        pt.unique_consecutive(pt.asarray(a), dim=0)


# -- settings programs make ------------------------------------------------------------------------
def test_float32_matmul_precision_is_recorded() -> None:
    before = pt.get_float32_matmul_precision()
    try:
        pt.set_float32_matmul_precision("high")
        assert pt.get_float32_matmul_precision() == "high"
        with pytest.raises(RuntimeError, match="one of 'highest', 'high', 'medium'"):
            pt.set_float32_matmul_precision("fast")
    finally:
        pt.set_float32_matmul_precision(before)


def test_set_default_device_sets_the_backend_of_new_tensors() -> None:
    pytest.importorskip("dask")
    before = pt.get_backend()
    try:
        pt.set_default_device("dask")
        assert pt.ones(2).device.backend.name == "dask"
        assert pt.get_default_device() == pt.device("dask")
        pt.set_default_device(None)
        assert pt.get_default_device() == pt.device("numpy:cpu")
        if not pt.cuda.is_available():
            with pytest.raises(RuntimeError, match="cupy"):
                pt.set_default_device("cuda")
        with pytest.raises(TypeError, match="expects a device"):
            pt.set_default_device(3)
    finally:
        pt.set_backend(before)


def test_anomaly_mode_at_the_top_level_as_torch() -> None:
    pt.set_anomaly_enabled(True)
    try:
        assert pt.is_anomaly_enabled() and pt.is_anomaly_check_nan_enabled()
    finally:
        pt.set_anomaly_enabled(False)
    assert not pt.is_anomaly_enabled()


# -- NumPy arrays as indices; matmul's shapes ---------------------------------------------------
def test_numpy_arrays_index_as_torch_reads_them(backend: str) -> None:
    a = np.arange(12.0).reshape(3, 4)
    x = pt.asarray(a.copy(), requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    rows, cols, mask = np.array([2, 0, 2]), np.array([1, 3]), a > 6
    for key in (rows, (slice(None), cols), (rows, np.array([0, 1, 3])), np.int64(1), mask):
        np.testing.assert_array_equal(host(x[key]), t[key].detach().numpy())
    x[rows].sum().backward()
    t[rows].sum().backward()
    np.testing.assert_array_equal(host(x.grad), t.grad.numpy())


def test_numpy_arrays_write_as_torch_reads_them(backend: str) -> None:
    if backend == "array_api_strict":
        pytest.skip("array-api-strict cannot write at an array of indices")
    a = np.arange(12.0).reshape(3, 4)
    mask = a > 6
    y, u = pt.asarray(a.copy()), torch.tensor(a)
    y[np.array([0, 2])] = 0.0
    u[np.array([0, 2])] = 0.0
    y[mask] = -1.0
    u[mask] = -1.0
    np.testing.assert_array_equal(host(y), u.numpy())


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (
            (2, 3),
            (2, 3),
            r"cannot multiply shapes \(2, 3\) and \(2, 3\).*first \(3\).*second \(2\)",
        ),
        ((3,), (2,), r"only dimension of the second \(2\)"),
        ((2, 2, 3), (3, 3, 4), r"batch dimensions \(2,\) and \(3,\)"),
    ],
)
def test_matmul_of_shapes_that_do_not_multiply_says_why(
    backend: str, a: Any, b: Any, message: str
) -> None:
    with pytest.raises(RuntimeError):
        torch.ones(*a) @ torch.ones(*b)
    with pytest.raises(RuntimeError, match=message) as info:
        pt.ones(*a) @ pt.ones(*b)
    assert isinstance(info.value, ValueError)
    if len(a) == len(b) == 2:
        with pytest.raises(RuntimeError, match="cannot multiply"):
            pt.mm(pt.ones(*a), pt.ones(*b))


def test_legacy_new_as_torch(backend: str) -> None:
    x, t = pt.ones(2, dtype=pt.float64), torch.ones(2, dtype=torch.float64)
    for args in ((2, 3), ([1, 2],), ((2, 3),), (), (pt.Size([2]),)):
        targs = tuple(torch.Size(a) if isinstance(a, pt.Size) else a for a in args)
        got, want = x.new(*args), t.new(*targs)
        assert tuple(got.shape) == tuple(want.shape) and got.dtype == pt.float64
        if args and isinstance(args[0], list | tuple) and not isinstance(args[0], pt.Size):
            np.testing.assert_array_equal(host(got), want.numpy())
    with pytest.raises(TypeError, match="new_tensor"):
        x.new(pt.ones(2))


@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_embedding_max_norm_renormalises_the_rows_named_as_torch(
    backend: str, norm_type: float
) -> None:
    a = np.random.default_rng(0).standard_normal((5, 3)) * 2
    ids = np.array([[0, 2], [2, 4]])
    got_w = pt.asarray(a.copy(), requires_grad=True)
    want_w = torch.tensor(a.copy(), requires_grad=True)
    got = pt.nn.functional.embedding(pt.asarray(ids), got_w, max_norm=1.0, norm_type=norm_type)
    want = torch.nn.functional.embedding(
        torch.tensor(ids), want_w, max_norm=1.0, norm_type=norm_type
    )
    np.testing.assert_allclose(host(got), want.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(host(got_w), want_w.detach().numpy(), rtol=1e-12)  # (in place)
    assert np.array_equal(host(got_w)[[1, 3]], a[[1, 3]])  # rows not named: as they were
    got.sum().backward()
    want.sum().backward()
    np.testing.assert_array_equal(host(got_w.grad), want_w.grad.numpy())
    with pytest.raises(NotImplementedError, match="scale_grad_by_freq"):
        pt.nn.functional.embedding(pt.asarray(ids), got_w, scale_grad_by_freq=True)
