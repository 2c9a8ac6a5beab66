"""Bad input gets the exception class the standard or Python implies and a message that names
the function, says what was expected and what was got, and hints at the fix."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt
from polytensor.backends import Backend, BackendUnavailable

# -- wrong types ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [[1, 2], (1.0, 2.0), np.array([1.0, 2.0])], ids=["list", "tuple", "ndarray"]
)
def test_exp_of_a_non_tensor_raises_type_error_suggesting_asarray(value: object) -> None:
    with pytest.raises(TypeError, match=r"exp\(\) expects polytensor arrays.*pt\.asarray"):
        pt.exp(value)


def test_exp_of_a_list_names_what_it_got() -> None:
    with pytest.raises(TypeError, match=r"exp\(\).*got list"):
        pt.exp([1, 2])


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("sum", lambda: pt.sum([1.0, 2.0])),
        ("reshape", lambda: pt.reshape([1.0, 2.0], (2,))),
        ("matmul", lambda: pt.matmul([[1.0]], [[1.0]])),
        ("concat", lambda: pt.concat([pt.ones(1), [2.0]])),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_other_functions_of_lists_raise_type_error_naming_the_function(name: str, call) -> None:
    with pytest.raises(TypeError, match=rf"{name}\(\) expects polytensor arrays.*got list"):
        call()


def test_binary_functions_of_non_tensors_raise_type_error() -> None:
    with pytest.raises(
        TypeError,
        match=r"add\(\) expects polytensor arrays or Python scalars; "
        r"got list",
    ):
        pt.add(pt.ones(2), [1.0, 2.0])
    with pytest.raises(TypeError, match=r"add\(\).*got str"):
        pt.add(pt.ones(2), "a")
    with pytest.raises(TypeError, match=r"multiply\(\).*at least one polytensor array"):
        pt.multiply(2, 3)
    with pytest.raises(TypeError):
        pt.ones(2) + [1.0, 2.0]


def test_creation_functions_reject_bad_arguments() -> None:
    with pytest.raises(TypeError, match=r"zeros\(\) expects a shape of ints"):
        pt.zeros("a")
    with pytest.raises(ValueError, match=r"zeros\(\) got a negative dimension"):
        pt.zeros(-1)
    with pytest.raises(TypeError, match=r"ones\(\) expects dtype= to be a polytensor dtype"):
        pt.ones(2, dtype=np.float32)
    with pytest.raises(TypeError, match=r"asarray\(\).*NumPy dtype"):
        pt.asarray(["a"])
    with pytest.raises(TypeError, match=r"compute\(\) expects tensors; got int"):
        pt.compute(1)  # type: ignore[arg-type]


# -- wrong dtype category -------------------------------------------------------------------------
def test_mean_of_an_integer_tensor_raises_type_error_naming_the_category() -> None:
    # (PyTorch's mean refuses integers too; exp computes them in the default float dtype:
    # tests/test_integers_as_float.py)
    with pytest.raises(TypeError, match=r"^mean\(\) expects floating-point dtypes; got int64"):
        pt.mean(pt.asarray([1, 2]))
    with pytest.raises(
        TypeError,
        match=r"mean\(\) expects floating-point dtypes; got int32; "
        r"cast with x\.astype",
    ):
        pt.mean(pt.asarray([1, 2], dtype=pt.int32))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: pt.bitwise_and(pt.ones(2), pt.ones(2)),
            r"bitwise_and\(\) expects integer or boolean dtypes; got float32",
        ),
        # (the logical functions take numbers as x != 0, as PyTorch's; abs refuses booleans,
        # as PyTorch's does)
        (
            lambda: pt.abs(pt.asarray([True])),
            r"abs\(\) expects numeric dtypes; got bool",
        ),
        # (a sum or product of booleans is an int64 count, as PyTorch's; the standard's
        # cumulative product takes numbers)
        (
            lambda: pt.cumulative_prod(pt.asarray([True])),
            r"cumulative_prod\(\) expects numeric dtypes; got bool",
        ),
        (
            lambda: pt.hypot(pt.asarray([True]), pt.asarray([True])),
            r"hypot\(\) expects real floating-point dtypes; got bool",
        ),
        (
            lambda: pt.atan2(pt.ones(2, dtype=pt.complex64), pt.ones(2, dtype=pt.complex64)),
            r"atan2\(\) expects real floating-point dtypes; got complex64",
        ),
    ],
    ids=["bitwise_and", "abs", "cumulative_prod", "hypot", "atan2"],
)
def test_wrong_dtype_category_raises_type_error(call, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call()


def test_dtype_checks_hold_on_every_backend() -> None:
    for device in ("dask", "array_api_strict"):
        with pytest.raises(TypeError, match=r"mean\(\) expects floating-point dtypes; got int64"):
            pt.mean(pt.asarray([1, 2], device=device))


def test_promotion_without_a_rule_raises_type_error() -> None:
    with pytest.raises(TypeError, match=r"add\(\) cannot promote uint64 with int64"):
        pt.add(pt.ones(1, dtype=pt.uint64), pt.ones(1, dtype=pt.int64))


# -- shape mismatch -------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_add_of_unbroadcastable_shapes_raises_value_error_mentioning_the_shapes(
    backend: str,
) -> None:
    with pt.use_backend(backend):
        a, b = pt.ones((2, 3)), pt.ones(4)
        with pytest.raises(ValueError, match=r"\(2, ?3\).*\(4,\)"):
            pt.add(a, b)
        with pytest.raises(ValueError, match=r"\(2, ?3\).*\(4,\)"):
            a + b


def test_add_of_unbroadcastable_shapes_names_the_function() -> None:
    # STYLE.md: error messages name the function; NumPy's broadcast error does not.
    with pytest.raises(ValueError, match=r"add\(\).*\(2, 3\).*\(4,\)"):
        pt.add(pt.ones((2, 3)), pt.ones(4))


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_matmul_of_mismatched_shapes_raises_value_error(backend: str) -> None:
    with pt.use_backend(backend), pytest.raises(ValueError, match="matmul"):
        pt.matmul(pt.ones((2, 3)), pt.ones((2, 3)))


def test_reshape_to_another_size_raises_value_error() -> None:
    with pytest.raises(ValueError, match="6"):
        pt.reshape(pt.ones(6), (4,))


# -- backends -------------------------------------------------------------------------------------
def test_mixed_backends_raise_value_error_naming_both_and_the_fix() -> None:
    x, y = pt.ones(2), pt.ones(2, device="dask")
    with pytest.raises(
        ValueError,
        match=r"multiply\(\) got tensors from two backends "
        r'\(numpy, dask\); move one with x\.to\("numpy"\)',
    ):
        pt.multiply(x, y)
    with pytest.raises(ValueError, match=r"where\(\).*numpy.*dask.*x\.to\("):
        pt.where(x > 0, x, y)


def test_unknown_backend_raises_value_error_naming_the_registered_ones() -> None:
    with pytest.raises(
        ValueError,
        match=r"unknown backend 'tensorflow'; registered backends "
        r"are .*dask.*numpy",
    ):
        pt.set_backend("tensorflow")


def test_unknown_device_raises_value_error() -> None:
    with pytest.raises(ValueError, match=r"asarray\(\) got unknown device 'tpu'"):
        pt.asarray([1.0], device="tpu")
    with pytest.raises(ValueError, match=r"to_device\(\) got device 42 of type int"):
        pt.ones(1).to_device(42)


def test_missing_library_raises_backend_unavailable(missing_lib: Backend) -> None:
    with pytest.raises(
        BackendUnavailable,
        match=r"backend 'missinglib' is unavailable: "
        r"library not installed",
    ):
        pt.set_backend("missinglib")
    with pytest.raises(ImportError, match="missinglib"):
        pt.backends.get("missinglib")


def test_unknown_backend_option_raises_type_error() -> None:
    with pytest.raises(
        TypeError,
        match=r"backend 'dask' got unknown option\(s\) block_size; "
        r"it accepts: chunks",
    ):
        pt.set_backend("dask", block_size=3)


# -- misuse of tensors ----------------------------------------------------------------------------
def test_integer_tensors_cannot_require_grad() -> None:
    with pytest.raises(RuntimeError, match=r"floating-point.*int32"):
        pt.ones(2, dtype=pt.int32, requires_grad=True)
    with pytest.raises(RuntimeError, match="int64"):
        pt.asarray([1, 2]).requires_grad_()


def test_numpy_of_a_tensor_that_requires_grad_says_to_detach() -> None:
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        pt.ones(2, requires_grad=True).numpy()


def test_T_of_a_non_matrix_raises_value_error() -> None:
    with pytest.raises(ValueError, match=r"T expects a 2-D tensor; got 3-D.*mT"):
        pt.ones((2, 2, 2)).T  # noqa: B018
