"""Python's ``bool``, ``int``, ``float`` and ``complex`` as dtypes, read as PyTorch reads them
(``torch.zeros(3, dtype=bool)``, ``x.to(float)``, ``model.to(float)``): bool, int64, float64
and complex128, whatever the default float dtype. The expected dtypes below are torch 2.13's;
a second test compares with torch itself where it is installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import polytensor as pt


def _cases(lib: Any) -> dict[str, Callable[[], Any]]:
    x = lib.ones(2)
    return {
        "zeros": lambda: lib.zeros(2, dtype=bool).dtype,
        "ones": lambda: lib.ones(2, dtype=float).dtype,
        "empty": lambda: lib.empty(2, dtype=int).dtype,
        "full": lambda: lib.full((2,), 1, dtype=float).dtype,
        "eye": lambda: lib.eye(2, dtype=bool).dtype,
        "arange": lambda: lib.arange(3, dtype=float).dtype,
        "linspace": lambda: lib.linspace(0, 1, 3, dtype=float).dtype,
        "tensor int": lambda: lib.tensor([1.5], dtype=int).dtype,
        "tensor complex": lambda: lib.tensor([1.5], dtype=complex).dtype,
        "as_tensor": lambda: lib.as_tensor([1, 2], dtype=float).dtype,
        "zeros_like": lambda: lib.zeros_like(x, dtype=bool).dtype,
        "full_like": lambda: lib.full_like(x, 2, dtype=int).dtype,
        "new_zeros": lambda: x.new_zeros(2, dtype=bool).dtype,
        "randn": lambda: lib.randn(2, dtype=float).dtype,
        "rand": lambda: lib.rand(2, dtype=float).dtype,
        "randint": lambda: lib.randint(3, (2,), dtype=int).dtype,
        "randn_like": lambda: lib.randn_like(x, dtype=float).dtype,
        "to": lambda: x.to(float).dtype,
        "to bool": lambda: x.to(bool).dtype,
        "to dtype=": lambda: x.to(dtype=int).dtype,
        "sum dtype=": lambda: x.sum(dtype=float).dtype,
        "mean dtype=": lambda: x.mean(dtype=float).dtype,
        "cumsum dtype=": lambda: x.cumsum(0, dtype=float).dtype,
        "softmax dtype=": lambda: lib.softmax(x, 0, dtype=float).dtype,
        "view": lambda: x.view(int).dtype,
        "promote_types": lambda: lib.promote_types(int, float),
        "module.to": lambda: lib.nn.Linear(2, 2).to(float).weight.dtype,
    }


EXPECTED = {
    "zeros": "bool",
    "ones": "float64",
    "empty": "int64",
    "full": "float64",
    "eye": "bool",
    "arange": "float64",
    "linspace": "float64",
    "tensor int": "int64",
    "tensor complex": "complex128",
    "as_tensor": "float64",
    "zeros_like": "bool",
    "full_like": "int64",
    "new_zeros": "bool",
    "randn": "float64",
    "rand": "float64",
    "randint": "int64",
    "randn_like": "float64",
    "to": "float64",
    "to bool": "bool",
    "to dtype=": "int64",
    "sum dtype=": "float64",
    "mean dtype=": "float64",
    "cumsum dtype=": "float64",
    "softmax dtype=": "float64",
    "view": "int64",
    "promote_types": "float64",
    "module.to": "float64",
}


@pytest.mark.parametrize("case", list(EXPECTED))
def test_python_types_are_read_as_torchs_dtypes(case: str) -> None:
    assert str(_cases(pt)[case]()) == f"polytensor.{EXPECTED[case]}"


def test_info_of_python_types() -> None:
    assert pt.finfo(float).bits == 64
    assert pt.iinfo(int).bits == 64
    assert pt.astype(pt.asarray([1.7]), int).dtype is pt.int64


def test_other_types_are_still_refused() -> None:
    with pytest.raises(TypeError, match=r"such as pt\.float32"):
        pt.zeros(2, dtype=str)
    with pytest.raises(TypeError, match=r"such as pt\.float32"):
        pt.astype(pt.ones(2), list)


@pytest.mark.parametrize("case", list(EXPECTED))
def test_python_type_dtypes_match_torch(case: str) -> None:
    torch = pytest.importorskip("torch", reason="torch is the reference this test compares with")
    assert str(_cases(pt)[case]()).split(".")[1] == str(_cases(torch)[case]()).split(".")[1]
