"""Each class of defect the fuzz of the public surface (``tests/fuzz_calls.py``) found, fixed
where it arose and kept fixed: bad input raises TypeError, ValueError, IndexError,
NotImplementedError or RuntimeError with a message naming the function, on every backend, and
on Dask when the graph is built rather than when it is computed (or, for what only the data can
tell, with the function named when it is computed)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import polytensor as pt
from polytensor._checks import ArrayTooLargeError, OutOfRangeError, bad_param, check_flag

BACKENDS = ["numpy", "dask", "array_api_strict"]


# -- flags: an array or a string is no True/False ------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_array_or_a_string_as_a_flag_is_a_type_error(backend: str) -> None:
    # (NumPy's "truth value of an empty array is ambiguous" named no function; a string would
    # have read as True)
    x = pt.asarray([[1.0, 2.0], [3.0, 4.0]], device=backend)
    empty = np.ones((4, 0))
    cases = [
        (r"min\(\) expects keepdim= to be True or False", lambda: pt.min(x, None, empty)),
        (r"min\(\) expects keepdims= to be True or False", lambda: pt.min(x, keepdims=empty)),
        (
            r"sum\(\) expects keepdims= to be True or False; got str 'no'",
            lambda: pt.sum(x, keepdims="no"),
        ),
        (r"min\(\) expects keepdim", lambda: x.min(keepdim=empty)),
        (r"std\(\) expects unbiased= to be True or False", lambda: pt.std(x, 0, unbiased="no")),
        (
            r"ones\(\) expects requires_grad= to be True or False",
            lambda: pt.ones(2, requires_grad="no", device=backend),
        ),
        (
            r"new_zeros\(\) expects requires_grad=|zeros\(\) expects requires_grad=",
            lambda: x.new_zeros(2, requires_grad=empty),
        ),
        (
            r"compute\(\) expects progress= to be True or False",
            lambda: pt.compute(x, progress=empty),
        ),
        (
            r"persist\(\) expects progress= to be True or False",
            lambda: pt.persist(x, progress=empty),
        ),
    ]
    for pattern, call in cases:
        with pytest.raises(TypeError, match=pattern):
            call()


def test_flags_accept_bools_and_ints() -> None:
    assert check_flag("f", "keepdims", True) is True
    assert check_flag("f", "keepdims", 0) is False
    assert pt.sum(pt.ones((2, 3)), 1, True).shape == (2, 1)


# -- a dimension that is an array -----------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_array_as_a_dimension_is_a_type_error_naming_the_function(backend: str) -> None:
    # (NumPy's own: "only integer scalar arrays can be converted to a scalar index")
    x = pt.asarray([[1.0, 2.0, 3.0]], device=backend)
    for call, name in (
        (lambda: x.min(np.ones((3, 1))), "min"),
        (lambda: x.max(np.ones(4, dtype=np.int64)), "max"),
        (lambda: x.sort(np.ones((0, 2))), "sort"),
    ):
        with pytest.raises(TypeError, match=rf"{name}\(\) expects dim to be an int.*ndarray"):
            call()


# -- values out of range: ValueError and OverflowError at once -----------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_int_a_dtype_cannot_hold_is_out_of_range(backend: str) -> None:
    x = pt.ones((2, 1), dtype=pt.int32, device=backend)
    for value in (2**70, -(2**40)):
        with pytest.raises(OutOfRangeError, match=r"asarray\(\) got .*integers outside the range"):
            x.new_tensor(value)
    # both kinds, so code catching either keeps working
    assert issubclass(OutOfRangeError, ValueError) and issubclass(OutOfRangeError, OverflowError)


def test_a_device_that_is_an_array_is_a_value_error() -> None:
    x = pt.ones(())
    with pytest.raises(ValueError, match=r"got device .* of type ndarray"):
        x.new_tensor(1, device=np.ones(0, dtype=np.int64))
    with pytest.raises(ValueError, match=r"eye\(\) got device"):
        pt.eye(2, device=np.ones((3, 0)))


# -- arrays that do not fit in memory --------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("zeros", lambda: pt.zeros(2**50, dtype=pt.float64)),
        ("arange", lambda: pt.arange(-(2**48), 1)),
        ("linspace", lambda: pt.linspace(0.0, 1.0, 2**50)),
        ("eye", lambda: pt.eye(2**30)),
        ("rand", lambda: pt.rand(2**50)),
        ("randperm", lambda: pt.randperm(2**50)),
    ],
)
def test_an_array_too_large_for_memory_is_a_value_error(name: str, call: object) -> None:
    # NumPy refuses before it touches memory, with a MemoryError that named no function
    with pytest.raises(ArrayTooLargeError, match=rf"{name}\(\): the array does not fit in memory"):
        call()  # type: ignore[operator]
    assert issubclass(ArrayTooLargeError, MemoryError)


def test_a_length_beyond_numpy_is_a_value_error_naming_the_function() -> None:
    with pytest.raises(ValueError, match=r"randperm\(\): Maximum allowed dimension"):
        pt.randperm(2**70)


# -- arguments of one function each ------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_diff_checks_its_array_and_axis(backend: str) -> None:
    x = pt.asarray([1.0, 4.0, 9.0], device=backend)
    with pytest.raises(IndexError, match=r"diff\(\) got axis=5 for an array of 1 dimensions"):
        pt.diff(x, axis=5)
    with pytest.raises(TypeError, match=r"diff\(\) expects a polytensor array; got ndarray"):
        pt.diff(np.ones(2, dtype=np.uint8), axis=5)  # type: ignore[arg-type]
    assert pt.diff(x, axis=-1).tolist() == [3.0, 5.0]


def test_linspace_refuses_tensors_for_its_bounds() -> None:
    with pytest.raises(TypeError, match=r"linspace\(\) expects a Python number for start"):
        pt.linspace(pt.asarray(0.0), 1.0, 3)  # type: ignore[arg-type]


def test_matmul_out_of_the_wrong_type_names_matmul() -> None:
    x = pt.ones(2)
    with pytest.raises(TypeError, match=r"matmul\(\) with out= expects a tensor"):
        pt.matmul(x, x, out=1 - 2j)  # type: ignore[arg-type]


def test_numpy_protocols_called_wrongly_name_the_method() -> None:
    x = pt.ones(2)
    with pytest.raises(TypeError, match=r"Tensor\.__array_function__\(\) missing"):
        x.__array_function__()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"Tensor\.__array_ufunc__\(\) got multiple values"):
        x.__array_ufunc__(2.0, 4, method="mean")  # type: ignore[misc]


def test_a_chunks_option_dask_cannot_read_names_the_function() -> None:
    with pytest.raises(TypeError, match=r"randn\(\): "):
        pt.randn(3, device="dask", chunks=pt.float64)


# -- Dask: what NumPy refuses at once is refused while the graph is built -----------------------
def test_dask_refuses_a_bad_axis_before_building_the_graph() -> None:
    x = pt.asarray([[1.0, 2.0], [3.0, 4.0]], device="dask")
    with pytest.raises(TypeError, match=r"argsort\(\) expects axis= to be an int.*bool False"):
        x.argsort(False, None)  # (dim=False: Dask took the bool for axis 0, NumPy refuses it)
    with pytest.raises(TypeError, match=r"prod\(\) expects axis= to be an int"):
        pt.prod(x, dim=True)
    with pytest.raises(ValueError, match=r"any\(\) got axis=\(0, 0, 1\), which names an axis"):
        x.any((0, 0, 1))
    with pytest.raises(ValueError, match=r"sum\(\) got axis=\(0, -2\), which names an axis"):
        pt.sum(x, axis=(0, -2))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_shape_that_is_not_ints_is_refused_on_every_backend(backend: str) -> None:
    # (Dask took a tensor, or (1.5,), as a shape and broadcast silently)
    x = pt.ones((), device=backend)
    for shape in (pt.ones((2, 1), device=backend), (1.5,)):
        with pytest.raises(TypeError, match=r"broadcast_to\(\) expects shape= to be a tuple"):
            pt.broadcast_to(x, shape)  # type: ignore[arg-type]


def test_the_axis_and_shape_checks_are_shared() -> None:
    assert bad_param("sum", [np.ones((2, 3))], {"axis": (0, 1)}) is None
    err = bad_param("sum", [np.ones((2, 3))], {"axis": True})
    assert isinstance(err, TypeError) and "sum()" in str(err)


@pytest.mark.parametrize("backend", BACKENDS)
def test_tensordot_refuses_contracted_axes_of_different_lengths(backend: str) -> None:
    # (Dask built the graph; its task failed when computed with "shape-mismatch for sum")
    a = pt.ones((1, 4), dtype=pt.float64, device=backend)
    b = pt.ones((4, 1, 4), dtype=pt.float64, device=backend)
    with pytest.raises((ValueError, IndexError), match=r"tensordot\(\)"):
        pt.linalg.tensordot(a, b)
    with pytest.raises((ValueError, IndexError), match=r"tensordot\(\)"):
        pt.tensordot(pt.ones(0, device=backend), pt.ones((4, 4), device=backend))


def test_dask_pinv_refuses_an_rtol_that_does_not_broadcast_to_the_stack() -> None:
    x = pt.ones((1, 2), dtype=pt.float64, device="dask")
    rtol = pt.ones((4, 4, 0), dtype=pt.float64, device="dask")
    with pytest.raises(ValueError, match=r"linalg\.pinv\(\) got rtol of shape \(4, 4, 0\)"):
        pt.linalg.pinv(x, rtol=rtol)


# -- Dask: what only the data tells names the function when computed ---------------------------
@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("linalg.solve", lambda m: pt.linalg.solve(m, pt.ones(2, dtype=pt.float64, device="dask"))),
        ("linalg.cholesky", lambda m: pt.linalg.cholesky(m)),
        ("linalg.inv", lambda m: pt.linalg.inv(m)),
    ],
)
def test_dask_linalg_errors_found_when_computed_name_the_function(name: str, call: object) -> None:
    singular = pt.zeros((1, 2, 2), dtype=pt.float64, device="dask")
    y = call(singular)  # type: ignore[operator]  # (lazy: nothing fails yet)
    with pytest.raises(np.linalg.LinAlgError, match=rf"{re.escape(name)}\(\): "):
        pt.compute(y)


@pytest.mark.parametrize("backend", BACKENDS)
def test_sort_topk_and_isclose_check_their_flags_and_tolerances(backend: str) -> None:
    x = pt.asarray([3.0, 1.0, 2.0], device=backend)
    with pytest.raises(TypeError, match=r"sort\(\) expects descending= to be True or False"):
        x.sort(descending=np.ones(0, dtype=np.int64))
    with pytest.raises(TypeError, match=r"sort\(\) expects descending= to be True or False"):
        pt.sort(x, descending="no")  # (read as True before: sorted the wrong way, silently)
    with pytest.raises(TypeError, match=r"topk\(\) expects largest= to be True or False"):
        pt.topk(x, 2, largest="no")
    with pytest.raises(TypeError, match=r"isclose\(\) expects atol= to be a Python float"):
        pt.isclose(x, 1.0, atol="fro")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"isclose\(\) expects equal_nan= to be True or False"):
        pt.isclose(x, 1.0, equal_nan=np.ones(2))  # type: ignore[arg-type]


def test_a_refused_dlpack_export_is_a_buffer_error_and_a_value_error() -> None:
    # the standard names BufferError for it; the project's errors are ValueErrors
    with pytest.raises(BufferError, match=r"__dlpack__\(\): unsupported device"):
        pt.ones(2).__dlpack__(dl_device=(-1, 2))
    with pytest.raises(ValueError, match=r"__dlpack__\(\)"):
        pt.ones(2).__dlpack__(dl_device=(-1, 2))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_correction_that_is_no_number_is_a_type_error_on_every_backend(backend: str) -> None:
    # (Dask failed with words naming no function, or took an empty array for 0)
    x = pt.ones((2, 3), device=backend)
    for correction in (np.ones(3), pt.ones(2, device=backend), "a", np.ones(0)):
        with pytest.raises(TypeError, match=r"var\(\) expects correction= to be a Python int"):
            pt.var(x, correction=correction)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"std\(\) expects correction= to be a Python int"):
            x.std(correction=correction)
    with pytest.raises(TypeError, match=r"var\(\) expects unbiased= to be True or False"):
        x.var(unbiased="no")
    assert pt.var(x, correction=1).shape == ()
    assert x.std(correction=np.int64(0)).shape == ()  # (NumPy's numbers are numbers)


def test_copy_of_the_conversions_is_none_true_or_false() -> None:
    for call, name in (
        (lambda: pt.asarray([1.0], copy="no"), "asarray"),
        (lambda: pt.from_dlpack(np.ones(2), copy="fro"), "from_dlpack"),
        (lambda: pt.ones(2).__array__(copy=np.ones(0)), "__array__"),
    ):
        with pytest.raises(TypeError, match=rf"{name}\(\) expects copy= to be None, True or False"):
            call()
    assert pt.asarray([1.0], copy=True).tolist() == [1.0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_frequency_count_too_large_names_the_function(backend: str) -> None:
    # (Dask's arange failed with a TypeError naming no function)
    with pytest.raises((TypeError, ValueError), match=r"fft\.rfftfreq\(\): "):
        pt.fft.rfftfreq(2**70, device=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fill_value_outside_the_dtype_is_out_of_range_on_every_backend(backend: str) -> None:
    # (Dask built the array and failed when computing it, with Python's OverflowError)
    with pytest.raises(OutOfRangeError, match=r"full\(\) got fill value 300, outside .*uint8"):
        pt.full(3, 300, dtype=pt.uint8, device=backend)
    with pytest.raises(OutOfRangeError, match=r"full_like\(\) got fill value"):
        pt.allclose(pt.ones((), dtype=pt.uint8, device=backend), 2**70)
    assert pt.full(2, 255, dtype=pt.uint8, device=backend).tolist() == [255, 255]


def test_a_value_the_dtype_cannot_hold_in_setitem_is_out_of_range() -> None:
    x = pt.zeros((1, 3), dtype=pt.int32)
    with pytest.raises(OutOfRangeError, match=r"__setitem__\(\): "):
        x[:] = 1e300


@pytest.mark.parametrize("ord", [float("inf"), 1, -1])
def test_dask_matrix_norm_of_empty_matrices_matches_numpy(ord: float) -> None:
    # (Dask's reductions over the empty axis failed when computed: "chunk size unknown")
    for shape in ((4, 0, 1), (2, 3, 0)):
        host = pt.ones(shape, dtype=pt.float64)
        lazy = pt.ones(shape, dtype=pt.float64, device="dask")
        try:
            want = pt.linalg.matrix_norm(host, ord=ord).tolist()
        except ValueError:  # (NumPy's min of nothing): the same error, when the graph is built
            with pytest.raises(ValueError, match=r"matrix_norm\(\)"):
                pt.linalg.matrix_norm(lazy, ord=ord)
            continue
        (got,) = pt.compute(pt.linalg.matrix_norm(lazy, ord=ord))
        assert got.tolist() == want


def test_dask_refuses_an_array_for_a_sort_flag_while_building_the_graph() -> None:
    # (Dask read its truth inside a task, when computed)
    x = pt.ones((2, 4), dtype=pt.int64, device="dask")
    with pytest.raises(TypeError, match=r"argsort\(\) expects descending= to be True or False"):
        x.argsort(descending=np.ones((2, 0), dtype=np.int64))


def test_a_key_dask_cannot_assign_names_setitem() -> None:
    x = pt.zeros((1, 0), dtype=pt.uint8, device="dask")
    with pytest.raises((NotImplementedError, IndexError, ValueError), match=r"__setitem__\(\)"):
        x[pt.asarray(0, device="dask")] = pt.ones((3, 3, 4), dtype=pt.bool, device="dask")


def test_dask_vector_norm_of_an_empty_tensor_answers_while_building() -> None:
    """NumPy refuses the -inf norm of vectors with no element; Dask failed only when computed,
    in NumPy's words. Now the refusal names the function at once, and the norms NumPy gives
    for empty tensors (0 for +inf and 2, an empty result over a non-empty axis) match. PyTorch's
    spelling ``x.norm(p)`` refuses both infinite orders at once, as PyTorch's."""
    pytest.importorskip("dask")
    with pt.use_backend("dask"):
        x = pt.zeros((2, 3, 0))
        with pytest.raises(ValueError, match="vector_norm"):
            pt.linalg.vector_norm(x, ord=-math.inf)
        assert float(pt.linalg.vector_norm(x, ord=math.inf)) == 0.0
        for p in (-math.inf, math.inf):
            with pytest.raises(RuntimeError, match="norm"):
                x.norm(p)
        assert float(x.norm(2)) == 0.0
        out = pt.linalg.vector_norm(pt.zeros((0, 3)), axis=1, ord=-math.inf)
        assert out.numpy().shape == (0,)


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_numpy_integers_are_ints_for_shapes_and_axes(backend: str) -> None:
    """Libraries pass shapes and axes they computed with NumPy (SciPy's broadcast_to with
    np.int64 lengths): NumPy integers are ints there, NumPy booleans and arrays are not."""
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        x = pt.ones((1, 5))
        assert tuple(pt.broadcast_to(x, (np.int64(2), np.int64(5))).shape) == (2, 5)
        assert tuple(pt.sum(pt.ones((2, 3)), axis=np.int64(1)).shape) == (2,)
        with pytest.raises(TypeError, match="axis="):
            pt.sum(pt.ones((2, 3)), axis=np.bool_(True))


def test_an_array_as_a_dim_and_a_float_decimals_are_refused_in_polytensor_s_words() -> None:
    """Found by the fuzzer: ``x.sum(<empty ndarray>)`` asked NumPy for an array's truth value,
    and ``pt.round(x, decimals=1e300)`` raised Python's bare TypeError."""
    x = pt.asarray(3, dtype=pt.uint8)
    with pytest.raises(TypeError, match=r"sum\(\) expects dim"):
        x.sum(np.zeros((4, 0), np.float32), None)
    with pytest.raises(TypeError, match=r"round\(\) expects an int for decimals"):
        pt.round(pt.ones(2), decimals=1e300)


@pytest.mark.parametrize(
    "diagonal",
    [(-1,), 1.5, None, True, np.zeros(4, np.uint8), np.array(1.0), pt.asarray([1, 2])],
    ids=["tuple", "float", "None", "bool", "ndarray", "0-d float ndarray", "tensor"],
)
def test_a_diagonal_that_is_no_int_is_refused_in_polytensor_s_words(diagonal: object) -> None:
    # (a tuple reached operator.index, whose TypeError named no function; so did an array,
    # whose __index__ refuses with NumPy's "only integer scalar arrays can be converted")
    with pytest.raises(TypeError, match=r"^diag\(\) expects diagonal to be an int"):
        pt.ones((4, 3)).diag(diagonal)


@pytest.mark.parametrize("join", [pt.cat, pt.stack, pt.hstack, pt.vstack, pt.concat])
@pytest.mark.parametrize("given", [1, -math.inf, "ab", pt.ones(2)])
def test_joining_what_is_no_list_of_tensors_is_refused_naming_the_function(
    join: object, given: object
) -> None:
    # (a number reached list(), whose TypeError named no function; a tensor's elements were
    # joined)
    name = join.__name__  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match=rf"{name}\(\) expects a list or tuple of tensors"):
        join(given)  # type: ignore[operator]


@pytest.mark.parametrize(("start", "length"), [("fro", 1), (0, 1.5), (None, 1)])
def test_narrow_s_start_and_length_that_are_no_ints_are_refused_naming_it(
    start: object, length: object
) -> None:
    with pytest.raises(TypeError, match=r"narrow\(\) expects ints for start and length"):
        pt.ones((2, 3)).narrow(1, start, length)  # type: ignore[arg-type]


@pytest.mark.parametrize("repeats", [np.zeros((1, 0)), np.ones(2), 2.0, True, [1, 2]])
def test_repeats_that_are_no_int_or_tensor_are_refused_naming_repeat_interleave(
    repeats: object,
) -> None:
    # (a NumPy array reached operator.index, whose TypeError named no function)
    with pytest.raises(TypeError, match=r"repeat_interleave\(\) expects repeats to be an int"):
        pt.ones((2, 1, 2)).repeat_interleave(repeats)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_python_ints_beyond_int64_in_a_list_are_exact_or_refused(backend: str) -> None:
    # (NumPy makes floats of [2**64 - 1, 5]; cast to uint64 they gave [0, 5])
    big = 2**64 - 1
    t = pt.asarray([big, 5], dtype=pt.uint64, device=backend)
    assert t.tolist() == [big, 5]
    assert pt.asarray([[2**63, 1]], dtype=pt.uint64, device=backend).tolist() == [[2**63, 1]]
    with pytest.raises(OverflowError, match="outside the range of int64"):
        pt.asarray([big, 5], device=backend)
    with pytest.raises(OverflowError, match="outside the range of uint64"):
        pt.asarray([2**64, 1], dtype=pt.uint64, device=backend)
    with pytest.raises(OverflowError, match="outside the range of int64"):
        pt.asarray([-1, 2**63], dtype=pt.int64, device=backend)
    # a float among them makes floats, as in PyTorch
    assert pt.asarray([2**63, 1.5], device=backend).dtype == pt.float32
    assert pt.asarray([big, 5], dtype=pt.float64, device=backend).tolist() == [float(big), 5.0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_array_as_tensor_split_sections_is_a_type_error_naming_the_function(
    backend: str,
) -> None:
    # (an ndarray of several elements has __index__, and NumPy's refusal named no function)
    x = pt.arange(4, device=backend)
    with pytest.raises(TypeError, match=r"tensor_split\(\) expects an int number of sections"):
        x.tensor_split(np.zeros((4, 0), np.float32))
    with pytest.raises(TypeError, match=r"tensor_split\(\) expects int indices"):
        x.tensor_split([1, np.zeros(2)])
