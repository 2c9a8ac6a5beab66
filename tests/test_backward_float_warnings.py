"""Backward passes give no floating-point warnings (NumPy's divide by zero, invalid value), as
PyTorch's give none: their rules divide by zero where a gradient is infinite (``sqrt`` at 0),
and such a warning would name a line of polytensor. The operations a program calls itself
keep NumPy's warnings, and NumPy's settings are as they were after every backward pass.
(On NumPy and on array-api-strict, whose arrays are NumPy's; Dask computes a gradient only
when it is read, outside backward.)"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F


@pytest.fixture(params=["numpy", "array_api_strict"])
def eager(request: pytest.FixtureRequest) -> str:
    pt.set_backend(request.param)
    return str(request.param)


_AT_ZERO: dict[str, tuple[Callable[[Any], Any], float]] = {
    # (the function of x = [0, 0, 0], and PyTorch's gradient of its sum there)
    "sqrt": (lambda x: x.sqrt(), math.inf),
    "pow(0.5)": (lambda x: x.pow(0.5), math.inf),
    "acos at 1": (lambda x: (x + 1).clamp(max=1).acos(), -math.inf),
    "cosine_similarity": (lambda x: F.cosine_similarity(x.reshape(1, -1), x.reshape(1, -1)), 0.0),
    "sqrt of a sum of squares": (lambda x: (x * x).sum().sqrt(), math.nan),
    "xlogy": (lambda x: pt.xlogy(x, x), math.nan),
}


@pytest.mark.parametrize("name", list(_AT_ZERO))
def test_no_warning_from_backward(eager: str, name: str) -> None:
    f, want = _AT_ZERO[name]
    x = pt.zeros(3, dtype=pt.float64, requires_grad=True)
    y = f(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (any warning fails the test)
        y.sum().backward()
    got = np.asarray(x.grad.to("numpy").numpy())
    np.testing.assert_array_equal(got, np.full(3, want))


def test_the_programs_own_operations_keep_numpys_warnings(eager: str) -> None:
    x = pt.zeros(2, dtype=pt.float64, requires_grad=True)
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        y = x.log()  # (the program's own call: NumPy's warning, as NumPy's log gives it)
    assert math.isinf(float(y[0]))


def test_numpy_settings_restored_after_backward() -> None:
    before = np.geterr()
    x = pt.zeros(2, dtype=pt.float64, requires_grad=True)
    x.sqrt().sum().backward()
    assert np.geterr() == before
    # also after a backward pass that raises (a hook's error)
    z = pt.zeros(2, dtype=pt.float64, requires_grad=True)

    def fail(g: Any) -> Any:
        raise ValueError("from the hook")

    z.register_hook(fail)
    with pytest.raises(ValueError, match="from the hook"):
        z.sqrt().sum().backward()
    assert np.geterr() == before
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        np.divide(np.ones(1), 0.0)
