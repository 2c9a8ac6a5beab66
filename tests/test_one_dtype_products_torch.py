"""PyTorch's own products take one dtype: ``F.linear`` (``nn.Linear``), ``F.bilinear``, ``mm``,
``bmm``, ``mv`` and ``dot`` refuse operands of two dtypes with a RuntimeError, as torch's do
(a float64 batch fed to a float32 layer is an error, not a float64 result), while the
standard's ``matmul`` (``@``, ``x.matmul``) keeps the standard's type promotion."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")


def _t(m: Any, shape: tuple[int, ...], dtype: str) -> Any:
    return m.ones(shape, dtype=getattr(m, dtype))


CALLS = {
    "linear": lambda m, a, b: m.nn.functional.linear(_t(m, (2, 3), a), _t(m, (4, 3), b)),
    "linear_vector": lambda m, a, b: m.nn.functional.linear(_t(m, (3,), a), _t(m, (4, 3), b)),
    "linear_3d": lambda m, a, b: m.nn.functional.linear(_t(m, (5, 2, 3), a), _t(m, (4, 3), b)),
    "linear_bias": lambda m, a, b: m.nn.functional.linear(
        _t(m, (2, 3), a), _t(m, (4, 3), a), _t(m, (4,), b)
    ),
    "Linear": lambda m, a, b: m.nn.Linear(3, 4, dtype=getattr(m, b))(_t(m, (2, 3), a)),
    "Linear_no_bias": lambda m, a, b: m.nn.Linear(3, 4, bias=False, dtype=getattr(m, b))(
        _t(m, (2, 3), a)
    ),
    "bilinear": lambda m, a, b: m.nn.functional.bilinear(
        _t(m, (2, 3), a), _t(m, (2, 3), a), _t(m, (4, 3, 3), b)
    ),
    "mm": lambda m, a, b: m.mm(_t(m, (2, 3), a), _t(m, (3, 4), b)),
    "mm_method": lambda m, a, b: _t(m, (2, 3), a).mm(_t(m, (3, 4), b)),
    "bmm": lambda m, a, b: m.bmm(_t(m, (2, 2, 3), a), _t(m, (2, 3, 4), b)),
    "mv": lambda m, a, b: m.mv(_t(m, (2, 3), a), _t(m, (3,), b)),
    "dot": lambda m, a, b: m.dot(_t(m, (3,), a), _t(m, (3,), b)),
}


@pytest.mark.parametrize(("a", "b"), [("float32", "float64"), ("float64", "float32")])
@pytest.mark.parametrize("name", list(CALLS))
def test_pytorch_s_products_refuse_two_dtypes_as_torch(name: str, a: str, b: str) -> None:
    call = CALLS[name]
    with pytest.raises(RuntimeError):
        call(torch, a, b)
    with pytest.raises(RuntimeError, match="of one dtype") as e:
        call(pt, a, b)
    assert isinstance(e.value, TypeError)  # (a dtype problem, the standard's class too)
    assert f"got {a} and {b}" in str(e.value)


@pytest.mark.parametrize("name", [n for n in CALLS if not n.startswith("Linear")])
def test_pytorch_s_products_of_one_dtype_give_torch_s_values(name: str) -> None:
    for dtype in ("float32", "float64"):
        got, want = CALLS[name](pt, dtype, dtype), CALLS[name](torch, dtype, dtype)
        assert got.dtype == getattr(pt, dtype)
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy())


def test_integer_input_to_a_float_layer_is_refused_as_torch() -> None:
    with pytest.raises(RuntimeError):
        torch.nn.functional.linear(torch.ones(2, 3, dtype=torch.int64), torch.ones(4, 3))
    with pytest.raises(RuntimeError, match="int64 and float32"):
        pt.nn.functional.linear(pt.ones((2, 3), dtype=pt.int64), pt.ones((4, 3)))


@pytest.mark.parametrize(
    "call",
    [
        lambda x, y: pt.matmul(x, y),
        lambda x, y: x @ y,
        lambda x, y: x.matmul(y),
    ],
    ids=["matmul", "operator", "method"],
)
def test_the_standard_s_matmul_still_promotes(call: Any) -> None:
    out = call(pt.ones((2, 3), dtype=pt.float32), pt.ones((3, 4), dtype=pt.float64))
    assert out.dtype == pt.float64
    assert pt.linalg.vecdot(pt.ones(3), pt.ones(3, dtype=pt.float64)).dtype == pt.float64
