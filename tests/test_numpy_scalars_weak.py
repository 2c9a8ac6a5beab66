"""NumPy's scalars (``np.float64(2)``, ``np.sqrt(4.0)``, ``np.int64(3)``) mix with tensors as
Python scalars of their value, as PyTorch takes them: ``x_float32 / np.sqrt(d)`` stays float32
(NumPy's own rules make it float64). The dtypes are torch 2.13's, written down here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor._dispatch import numpy_scalar, python_scalar

_CASES: dict[str, tuple[Callable[[], Any], Any]] = {
    "float32 * np.float64": (lambda: pt.ones(2) * np.float64(2), pt.float32),
    "np.float64 * float32": (lambda: np.float64(2) * pt.ones(2), pt.float32),
    "float32 / np.sqrt(4.0)": (lambda: pt.ones(2) / np.sqrt(4.0), pt.float32),
    "int32 * np.int64": (lambda: pt.ones(2, dtype=pt.int32) * np.int64(2), pt.int32),
    "float64 * np.float32": (lambda: pt.ones(2, dtype=pt.float64) * np.float32(2), pt.float64),
    "int32 + np.float64": (lambda: pt.ones(2, dtype=pt.int32) + np.float64(2.5), pt.float32),
    "int64 * np.float32": (lambda: pt.ones(2, dtype=pt.int64) * np.float32(2), pt.float32),
    "where(c, float32, np.float64)": (
        lambda: pt.where(pt.ones(2) > 0, pt.ones(2), np.float64(0)),
        pt.float32,
    ),
    "clamp(min=np.float64)": (lambda: pt.ones(2).clamp(min=np.float64(0)), pt.float32),
    "full(np.float64)": (lambda: pt.full((2,), np.float64(2)), pt.float32),
    "tensor(np.float64)": (lambda: pt.tensor(np.float64(2)), pt.float64),
}


@pytest.mark.parametrize("case", list(_CASES))
def test_numpy_scalars_promote_as_in_torch(backend: str, case: str) -> None:
    f, dtype = _CASES[case]
    y = f()
    assert y.dtype == dtype


def test_values_are_the_scalars() -> None:
    y = pt.asarray([1.0, 2.0], dtype=pt.float32) * np.float64(1 / 3)
    assert y.dtype == pt.float32
    np.testing.assert_array_equal(y.numpy(), np.array([1.0, 2.0], np.float32) * np.float32(1 / 3))
    x = pt.ones(2, requires_grad=True)
    (x * np.float64(3)).sum().backward()
    assert x.grad.dtype == pt.float32 and x.grad.tolist() == [3.0, 3.0]


def test_scalar_conversion() -> None:
    assert [numpy_scalar(v) for v in (np.float16(1), np.ones(()), 2.0, True)] == [
        True,
        False,
        False,
        False,
    ]
    got = [
        python_scalar(v) for v in (np.float32(0.5), np.int8(-3), np.bool_(True), np.complex64(1j))
    ]
    assert got == [0.5, -3, True, 1j]
    assert [type(v) for v in got] == [float, int, bool, complex]
    with pytest.raises(TypeError, match="datetime64"):
        python_scalar(np.datetime64("2020-01-01"))
