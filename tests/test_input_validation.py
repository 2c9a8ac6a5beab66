"""Bad input raises TypeError, ValueError or IndexError with a message naming the function, on
every backend: ``apply()`` checks, once for all ops, that None and Python scalars stand only
where the op takes them, and says which parameter needed an array; a backend's refusal of a
malformed parameter comes back in the same words on NumPy, Dask and array-api-strict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]


def _cases(backend: str) -> list[tuple[str, type[Exception], str, Callable[[], Any]]]:
    x = pt.asarray([1.0, 2.0], device=backend)
    m = pt.asarray([[1.0, 2.0], [3.0, 4.0]], device=backend)

    def backward_with_a_string() -> None:
        y = pt.asarray([1.0, 2.0], device=backend, requires_grad=True)
        (y * 2).sum().backward(gradient="a")  # type: ignore[arg-type]

    return [
        ("norm of a list", TypeError, r"norm\(\).*input.*list", lambda: pt.norm([3.0, 4.0])),
        ("mm of ints", TypeError, r"mm\(\).*input.*int", lambda: pt.mm(1, 1)),
        ("mv of a float", TypeError, r"mv\(\).*input.*float", lambda: pt.mv(2.5, m)),
        ("dot of an int", TypeError, r"dot\(\).*input.*int", lambda: pt.dot(1, x)),
        ("mm method of an int", TypeError, r"mm\(\).*mat2.*int", lambda: m.mm(1)),
        ("clip of an int", TypeError, r"clip\(\).*array for x.*int", lambda: pt.clip(1, x)),
        ("atan2 with None", TypeError, r"atan2\(\).*x2.*None", lambda: pt.atan2(x, None)),
        ("matmul with None", TypeError, r"matmul\(\).*x2.*None", lambda: pt.matmul(m, None)),
        (
            "searchsorted of an int",
            TypeError,
            r"searchsorted\(\).*x1.*int",
            lambda: pt.searchsorted(1, x),
        ),
        ("where with None", TypeError, r"where\(\).*x2.*None", lambda: pt.where(x > 1, x, None)),
        ("concat with None", TypeError, r"concat\(\)", lambda: pt.concat([x, None])),
        ("type_as a dtype", TypeError, r"type_as\(\).*DType", lambda: x.type_as(pt.float32)),
        (
            "backward(gradient='a')",
            TypeError,
            r"backward\(\).*gradient.*str",
            backward_with_a_string,
        ),
        (
            "randperm with a string dtype",
            TypeError,
            r"randperm\(\).*dtype",
            lambda: pt.randperm(3, dtype="float64", device=backend),
        ),
        ("randperm of -1", ValueError, r"randperm\(\)", lambda: pt.randperm(-1, device=backend)),
        (
            "fftfreq(0)",
            ValueError,
            r"fftfreq\(\).*n >= 1",
            lambda: pt.fft.fftfreq(0, device=backend),
        ),
        (
            "fftfreq(4, d=0)",
            ValueError,
            r"fftfreq\(\).*nonzero.*d",
            lambda: pt.fft.fftfreq(4, d=0, device=backend),
        ),
        (
            "fftfreq(-3)",
            ValueError,
            r"fftfreq\(\).*n >= 1",
            lambda: pt.fft.fftfreq(-3, device=backend),
        ),
        ("rfftfreq(0)", ValueError, r"rfftfreq\(\)", lambda: pt.fft.rfftfreq(0, device=backend)),
        (
            "fftfreq(2.5)",
            TypeError,
            r"fftfreq\(\).*int",
            lambda: pt.fft.fftfreq(2.5, device=backend),
        ),
        (
            "cumulative_sum(axis=2.5)",
            TypeError,
            r"cumulative_sum\(\).*axis",
            lambda: pt.cumulative_sum(x, axis=2.5),
        ),
        (
            "reshape(0, -1)",
            ValueError,
            r"reshape\(\).*-1",
            lambda: pt.reshape(pt.zeros(0, device=backend), (0, -1)),
        ),
        ("sum over a float axis", TypeError, r"sum\(\).*axis", lambda: pt.sum(m, axis=0.5)),
    ]


CASE_NAMES = [c[0] for c in _cases("numpy")]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CASE_NAMES)
def test_bad_input_raises_the_right_kind_of_error_naming_the_function(
    backend: str, case: str
) -> None:
    _, kind, message, call = next(c for c in _cases(backend) if c[0] == case)
    with pytest.raises(kind, match=message):
        call()


@pytest.mark.parametrize("backend", BACKENDS)
def test_none_and_scalars_still_work_where_the_standard_allows_them(backend: str) -> None:
    x = pt.asarray([-1.0, 0.5, 2.0], device=backend)
    assert pt.clip(x, None, 1.0).tolist() == [-1.0, 0.5, 1.0]
    assert pt.clip(x, 0.0, None).tolist() == [0.0, 0.5, 2.0]
    assert pt.where(x > 0, x, 0.0).tolist() == [0.0, 0.5, 2.0]
    assert pt.atan2(x, 1.0).shape == (3,)
    assert pt.searchsorted(pt.asarray([1.0, 2.0, 3.0], device=backend), 2.5).item() == 2
    assert pt.isin(2, pt.asarray([1, 2], device=backend)).item() is True
    assert pt.repeat(pt.asarray([1, 2], device=backend), 2).tolist() == [1, 1, 2, 2]


def test_operators_with_none_raise_python_type_error() -> None:
    x = pt.asarray([1.0, 2.0])
    with pytest.raises(TypeError, match=r"unsupported operand"):
        x + None  # type: ignore[operator]
    with pytest.raises(TypeError, match=r"unsupported operand"):
        x @ None  # type: ignore[operator]


def test_backend_errors_are_named_and_keep_their_kind() -> None:
    m = pt.asarray([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(IndexError, match=r"sum\(\)"):  # NumPy's AxisError
        pt.sum(m, axis=5)
    with pytest.raises(ValueError, match=r"matmul\(\)"):
        pt.matmul(m, pt.ones(3))


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_expand_dims_axes_are_checked_against_the_result(backend: str) -> None:
    # (-2, 2) on a 4-d array: axes 4 and 2 of the 6-d result, distinct; the axis check once
    # read -2 against the input's 4 dimensions (axis 2 twice) and refused it on Dask
    x = pt.zeros((4, 3, 5, 4), device=backend)
    assert pt.expand_dims(x, axis=(-2, 2)).shape == (4, 3, 1, 5, 1, 4)
    with pytest.raises(ValueError, match=r"expand_dims.*twice"):
        pt.expand_dims(x, axis=(-2, 4))  # both axis 4 of the result


def test_arguments_of_other_kinds_raise_errors_that_name_the_function() -> None:
    # (found by tests/fuzz_calls.py: NumPy's own messages, which named nothing)
    with pytest.raises(TypeError, match="sum"):
        pt.zeros((0, 1)).nansum(dim=np.zeros((3, 0)))
    with pytest.raises(TypeError, match="diagonal_scatter"):
        pt.zeros((4, 2)).diagonal_scatter(pt.zeros(2), [[1.0]])
    with pytest.raises(RuntimeError, match="view_as_complex"):
        pt.view_as_complex(pt.zeros((1, 0, 1), dtype=pt.float64))
    assert float(pt.sum(pt.ones((2, 3)), dim=())) == 6.0  # (PyTorch's dim=(): all of them)
