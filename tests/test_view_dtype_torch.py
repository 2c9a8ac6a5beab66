"""``x.view(dtype)`` reinterprets bits as torch's does (same values, shapes and refusals), with
no gradient, on the backends whose arrays can; array-api-strict refuses with a message."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from backend_params import every_backend  # noqa: E402
from torch_compare import host  # noqa: E402

CASES = [
    (np.arange(6.0).reshape(2, 3), "int64"),
    (np.arange(6.0).reshape(2, 3), "int32"),
    (np.arange(8.0, dtype=np.float32).reshape(2, 4), "float64"),
    (np.array([[1, 0, 255, 7]], dtype=np.uint8), "int16"),
    (np.array([True, False, True]), "uint8"),
    (np.array([1.5, -2.0], dtype=np.float32), "int32"),
    (np.array([1 + 2j, 3 - 1j]), "float64"),
    (np.arange(4.0, dtype=np.float32), "complex64"),
    (np.array(2.5), "int64"),
]


@pytest.mark.parametrize("name", every_backend())
@pytest.mark.parametrize(("a", "dtype"), CASES, ids=[f"{c[0].dtype}-{c[1]}" for c in CASES])
def test_view_dtype_matches_torch(name: str, a: np.ndarray, dtype: str) -> None:
    pt.set_backend(name)
    x = pt.asarray(a.copy())
    if not pt.backends.get(name).capabilities.bit_views:
        with pytest.raises(NotImplementedError, match="cannot reinterpret their bits"):
            x.view(getattr(pt, dtype))
        return
    got = x.view(getattr(pt, dtype))
    want = torch.tensor(a).view(getattr(torch, dtype))
    assert got.dtype == getattr(pt, dtype) and tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(host(got), want.numpy())


def test_view_dtype_has_no_gradient_and_shares_memory() -> None:
    x = pt.asarray([1.0, 2.0], dtype=pt.float64, requires_grad=True)
    assert not x.view(pt.int64).requires_grad and x.view(pt.float64).grad_fn is None
    y = pt.zeros(2, dtype=pt.float32)
    bits = y.view(pt.int32)
    bits[0] = 1065353216  # the bits of 1.0
    assert y.tolist() == [1.0, 0.0]
    assert pt.ones(2, dtype=pt.float32).view(dtype=pt.int32).tolist() == [1065353216] * 2


@pytest.mark.parametrize(
    "dtype",
    [np.ones(3), np.zeros((0, 0)), "float32", pt.asarray([1.0]), np.float32],
    ids=["ndarray", "empty ndarray", "str", "tensor", "NumPy type"],
)
def test_view_of_a_dtype_that_is_no_polytensor_dtype_is_refused_as_torch(dtype: object) -> None:
    # (an array's truth value was asked, `dtype or shape[0]`: NumPy's "The truth value of an
    # array with more than one element is ambiguous" named no function)
    with pytest.raises(TypeError, match=r"view\(\) received an invalid combination"):
        torch.ones(4).view(dtype=np.ones(3))
    with pytest.raises(TypeError, match=r"^view\(\) takes a shape or one dtype"):
        pt.ones(4, 4, dtype=pt.complex64).view(dtype=dtype)


def test_view_dtype_refuses_what_torch_refuses() -> None:
    with pytest.raises(RuntimeError, match="divisible by 2"):
        pt.ones((2, 3), dtype=pt.int8).view(pt.int16)
    with pytest.raises(RuntimeError, match="0-dimensional"):
        pt.asarray(1.0).view(pt.int16)
    with pytest.raises(RuntimeError, match="last dimension must be contiguous"):
        pt.ones((3, 2), dtype=pt.float64).T.view(pt.int32)
    with pytest.raises(TypeError, match=r"view\(\) expects"):
        pt.ones(4).view(pt.float64, 2)
    for bad in (
        lambda: torch.ones((2, 3), dtype=torch.int8).view(torch.int16),
        lambda: torch.tensor(1.0).view(torch.int16),
        lambda: torch.ones((3, 2), dtype=torch.float64).T.view(torch.int32),
    ):
        with pytest.raises(RuntimeError):
            bad()


VIEWS = {
    "t": lambda x: x.t(),
    "step": lambda x: x[:, ::2],
    "t-rows": lambda x: x.t()[0:1],
    "expand": lambda x: x[:, :1].expand(4, 6),
    "unfold": lambda x: x.unfold(1, 2, 1),
    "columns-odd": lambda x: x[:, 1:3],
    "columns-even": lambda x: x[:, 2:],
    "rows": lambda x: x[1:],
    "t-t": lambda x: x.t().t(),
}


@pytest.mark.parametrize("name", every_backend())
@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("dtype", ["uint8", "float64"])
def test_view_dtype_of_a_view_refuses_or_reads_as_torch(name: str, view: str, dtype: str) -> None:
    # a last dimension that steps (x.t()), or steps and an offset that a larger item does not
    # divide: torch's RuntimeError, on Dask too (whose arrays have no strides of their own)
    pt.set_backend(name)
    a = np.arange(24.0, dtype=np.float32).reshape(4, 6)
    if not pt.backends.get(name).capabilities.bit_views:
        pytest.skip(f"{name} cannot reinterpret bits")
    x = VIEWS[view](pt.asarray(a.copy()))
    try:
        want = VIEWS[view](torch.tensor(a)).view(getattr(torch, dtype))
    except RuntimeError as e:
        with pytest.raises(RuntimeError, match=str(e).split("(")[0].replace(".", r"\.")):
            x.view(getattr(pt, dtype))
        return
    got = x.view(getattr(pt, dtype))
    np.testing.assert_array_equal(host(got), want.numpy())
