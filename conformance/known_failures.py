"""Known failures of the conformance suite: limitations of one backend library, as strict xfails.

Key: (test function, backend, op name, with ``[variant]`` for an op sampled in variants); the test
function may be ``"*"`` for every test of that op on that backend. The value is the one-line
reason. A polytensor bug does not belong here: it is fixed in polytensor. A strict xfail that
starts passing fails the run, so remove entries when the library catches up.
"""

from __future__ import annotations

_DASK_SHAPES = (
    "Dask never computes implicitly, and the output's shape depends on the data: "
    "polytensor raises NotImplementedError and asks for x.to('numpy')"
)

_DASK_MASK_GRAD = (
    "x[mask] has a data-dependent length on Dask (a None dimension), so the check's "
    "projection of known shape cannot be given as its grad_outputs; backward() itself stays lazy"
)

KNOWN_FAILURES: dict[tuple[str, str, str], str] = {
    (
        "test_first_derivatives_match_central_differences",
        "dask",
        "__getitem__[boolean mask]",
    ): _DASK_MASK_GRAD,
    (
        "test_second_derivatives_match_central_differences",
        "dask",
        "__getitem__[boolean mask]",
    ): _DASK_MASK_GRAD,
    ("*", "dask", "nonzero"): _DASK_SHAPES,
    ("*", "dask", "unique_all"): _DASK_SHAPES,
    ("*", "dask", "unique_counts"): _DASK_SHAPES,
    ("*", "dask", "unique_inverse"): _DASK_SHAPES,
    ("*", "dask", "unique_values"): _DASK_SHAPES,
    ("*", "dask", "repeat[array repeats]"): _DASK_SHAPES,
    ("test_other_elementwise_matches_numpy", "array_api_strict", "clip"): (
        "array-api-strict's clip replaces only values strictly above max, so clip(-0.0, "
        "max=0.0) keeps -0.0 where NumPy gives 0.0 (the standard leaves the sign of a zero "
        "result of clip unspecified); one of the drawn cases has it"
    ),
}

# -- plug-in backends (tests/plugins: `make test-plugins`), limitations of the libraries --------
_XLA_FTZ = (
    "XLA on CPU flushes subnormal numbers to zero (JAX), so a drawn subnormal input acts as 0"
)

KNOWN_FAILURES.update(
    {
        ("test_unary_matches_numpy", "jax", "log10"): _XLA_FTZ + ": log10(5e-324) is -inf",
        ("test_unary_matches_numpy", "jax", "cos"): (
            "JAX's complex64 cos overflows: cos(89j) is inf + 0j where NumPy gives 2.24e38"
        ),
        ("test_unary_matches_numpy", "jax", "sinh"): (
            "JAX's float32 sinh(15) is 1634507.9, 5.4e-7 from the correctly rounded 1634508.8 "
            "(the suite allows 4.8e-7)"
        ),
        ("test_unary_matches_numpy", "jax", "cosh"): (
            "JAX's float32 cosh(16) is 5.4e-7 from the correctly rounded value (the suite "
            "allows 4.8e-7)"
        ),
        ("test_binary_matches_numpy", "jax", "minimum"): (
            "JAX's minimum(-0.0, 0.0) is -0.0 where NumPy gives 0.0"
        ),
        ("test_binary_matches_numpy", "jax", "equal"): _XLA_FTZ + ": 0.0 == 1e-45 is True",
        ("test_binary_with_python_scalar_matches_numpy", "jax", "divide"): (
            "JAX's complex division by -0 + 0j gives -inf - infj where NumPy gives inf + infj"
        ),
        ("test_binary_with_python_scalar_matches_numpy", "jax", "remainder"): (
            "JAX's remainder(0.0, -1.0) is 0.0 where NumPy gives -0.0; "
            + _XLA_FTZ
            + ": remainder(0.0, 5e-324) is nan"
        ),
        ("test_binary_with_python_scalar_matches_numpy", "jax", "not_equal"): (
            "JAX reads a Python int as an int64 first: one above 2**63 - 1 raises OverflowError "
            "even beside a uint64 array"
        ),
        ("test_reduction_matches_numpy", "jax", "cumulative_prod"): (
            "JAX's cumulative_prod of a small signed integer dtype keeps it (int8) where the "
            "standard wants the default integer dtype"
        ),
        ("test_reduction_matches_numpy", "jax", "all"): (
            "JAX's all() of a complex number looks at the real part only: all(1j) is False"
        ),
        ("test_linalg_matches_numpy", "jax", "linalg.matrix_rank"): (
            "JAX's matrix_rank of [[1.2e-38]] (float32's smallest normal) with rtol=0.5 is 0 "
            "where NumPy gives 1 (the tolerance, rtol times it, is subnormal)"
        ),
        ("test_sorting_searching_set_matches_numpy", "jax", "searchsorted"): (
            "JAX's searchsorted returns int32 indices where the standard wants the default "
            "index dtype (int64)"
        ),
    }
)

_TORCH_UNSIGNED = (
    'torch has no CPU kernels for uint16, uint32 and uint64 here ("... not implemented for '
    "'UInt16'\") and refuses to promote them (\"Promotion for uint16, uint32, uint64 types is "
    'not supported"); the drawn dtypes include them'
)
_TORCH_UNSIGNED_SUM = "torch sums unsigned integers to int64 where the standard wants uint64"
_TORCH_CORRECTION = (
    "torch's std/var with correction >= the count give 0 (and warn) where the standard and "
    "NumPy give NaN, and torch refuses a non-integer correction"
)
_TORCH_SHIFT_AXES = "torch's fftshift/ifftshift with axes=() fail (torch.roll: `shifts` required)"
_TORCH_UNIQUE = (
    "torch has no unique_all, and its unique has no kernel for complex dtypes "
    "(\"unique\" not implemented for 'ComplexFloat')"
)
_TORCH_LOG2 = (
    "torch's complex128 log2(-0 + 0j) differs from NumPy's -inf + 4.53j in its infinite part"
)

KNOWN_FAILURES.update(
    {
        ("test_unary_matches_numpy", "torch", "abs"): _TORCH_UNSIGNED,
        ("test_unary_matches_numpy", "torch", "negative"): _TORCH_UNSIGNED,
        ("test_unary_matches_numpy", "torch", "square"): _TORCH_UNSIGNED,
        ("test_unary_matches_numpy", "torch", "sign"): _TORCH_UNSIGNED,
        ("test_unary_matches_numpy", "torch", "log2"): _TORCH_LOG2,
        ("test_unary_matches_numpy", "torch", "relu"): _TORCH_UNSIGNED,
        ("test_unary_matches_numpy", "torch", "bitwise_invert"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "add"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "subtract"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "multiply"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "floor_divide"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "remainder"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "pow"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "maximum"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "minimum"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "equal"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "greater"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "greater_equal"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "less"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "less_equal"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "bitwise_and"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "bitwise_xor"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "bitwise_left_shift"): _TORCH_UNSIGNED,
        ("test_binary_matches_numpy", "torch", "bitwise_right_shift"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "add"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "subtract"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "floor_divide"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "remainder"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "pow"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "maximum"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "minimum"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "greater"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "greater_equal"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "less"): _TORCH_UNSIGNED,
        ("test_binary_with_python_scalar_matches_numpy", "torch", "less_equal"): _TORCH_UNSIGNED,
        (
            "test_binary_with_python_scalar_matches_numpy",
            "torch",
            "bitwise_left_shift",
        ): _TORCH_UNSIGNED,
        (
            "test_binary_with_python_scalar_matches_numpy",
            "torch",
            "bitwise_right_shift",
        ): _TORCH_UNSIGNED,
        ("test_other_elementwise_matches_numpy", "torch", "clip"): _TORCH_UNSIGNED,
        ("test_reduction_matches_numpy", "torch", "sum"): _TORCH_UNSIGNED
        + "; "
        + _TORCH_UNSIGNED_SUM,
        ("test_reduction_matches_numpy", "torch", "prod"): _TORCH_UNSIGNED
        + "; "
        + _TORCH_UNSIGNED_SUM,
        ("test_reduction_matches_numpy", "torch", "var"): _TORCH_CORRECTION,
        ("test_reduction_matches_numpy", "torch", "std"): _TORCH_CORRECTION,
        ("test_reduction_matches_numpy", "torch", "max"): _TORCH_UNSIGNED,
        ("test_reduction_matches_numpy", "torch", "min"): _TORCH_UNSIGNED,
        ("test_reduction_matches_numpy", "torch", "cumulative_sum"): _TORCH_UNSIGNED
        + "; "
        + _TORCH_UNSIGNED_SUM,
        ("test_reduction_matches_numpy", "torch", "cumulative_prod"): _TORCH_UNSIGNED
        + "; "
        + _TORCH_UNSIGNED_SUM,
        ("test_manipulation_matches_numpy", "torch", "concat"): _TORCH_UNSIGNED,
        ("test_manipulation_matches_numpy", "torch", "repeat[array repeats]"): _TORCH_UNSIGNED,
        ("test_manipulation_matches_numpy", "torch", "stack"): _TORCH_UNSIGNED,
        ("test_linalg_matches_numpy", "torch", "linalg.cross"): _TORCH_UNSIGNED,
        ("test_linalg_matches_numpy", "torch", "linalg.outer"): _TORCH_UNSIGNED,
        ("test_linalg_matches_numpy", "torch", "linalg.trace"): _TORCH_UNSIGNED_SUM,
        ("test_linalg_matches_numpy", "torch", "matmul"): _TORCH_UNSIGNED,
        ("test_linalg_matches_numpy", "torch", "vecdot"): _TORCH_UNSIGNED,
        ("test_fft_matches_numpy", "torch", "fft.fftshift"): _TORCH_SHIFT_AXES,
        ("test_fft_matches_numpy", "torch", "fft.ifftshift"): _TORCH_SHIFT_AXES,
        ("test_sorting_searching_set_matches_numpy", "torch", "argmax"): _TORCH_UNSIGNED,
        ("test_sorting_searching_set_matches_numpy", "torch", "argmin"): _TORCH_UNSIGNED,
        ("test_sorting_searching_set_matches_numpy", "torch", "count_nonzero"): _TORCH_UNSIGNED,
        ("test_sorting_searching_set_matches_numpy", "torch", "nonzero"): _TORCH_UNSIGNED,
        ("test_sorting_searching_set_matches_numpy", "torch", "searchsorted"): _TORCH_UNSIGNED
        + "; its searchsorted wants an int64 sorter",
        ("test_sorting_searching_set_matches_numpy", "torch", "where"): _TORCH_UNSIGNED,
        ("test_sorting_searching_set_matches_numpy", "torch", "isin"): _TORCH_UNSIGNED,
        ("test_sorting_searching_set_matches_numpy", "torch", "unique_all"): _TORCH_UNIQUE,
        ("test_sorting_searching_set_matches_numpy", "torch", "unique_counts"): _TORCH_UNIQUE,
        ("test_sorting_searching_set_matches_numpy", "torch", "unique_inverse"): _TORCH_UNIQUE,
        ("test_sorting_searching_set_matches_numpy", "torch", "unique_values"): _TORCH_UNIQUE,
        ("test_indexing_creation_dtype_ops_match_numpy", "torch", "tril"): _TORCH_UNSIGNED,
        ("test_indexing_creation_dtype_ops_match_numpy", "torch", "triu"): _TORCH_UNSIGNED,
        ("test_indexing_creation_dtype_ops_match_numpy", "torch", "take"): _TORCH_UNSIGNED
        + "; its index_select wants int32 or int64 indices",
        (
            "test_indexing_creation_dtype_ops_match_numpy",
            "torch",
            "take_along_axis",
        ): _TORCH_UNSIGNED + "; its take_along_dim wants int64 indices",
    }
)

_TORCH_NEGATIVE_STEP = (
    'torch\'s tensors take no slice with a negative step ("step must be greater than zero"); '
    "the drawn keys include one"
)
_TORCH_FLOAT_CORRECTION = "torch's std refuses a non-integer correction (not yet supported)"
for _test in (
    "test_first_derivatives_match_central_differences",
    "test_second_derivatives_match_central_differences",
):
    KNOWN_FAILURES[(_test, "torch", "std")] = _TORCH_FLOAT_CORRECTION
    KNOWN_FAILURES[(_test, "torch", "_scatter_add")] = _TORCH_NEGATIVE_STEP
    KNOWN_FAILURES[(_test, "torch", "_put[basic]")] = _TORCH_NEGATIVE_STEP
KNOWN_FAILURES[
    ("test_first_derivatives_match_central_differences", "torch", "__getitem__[basic]")
] = _TORCH_NEGATIVE_STEP
