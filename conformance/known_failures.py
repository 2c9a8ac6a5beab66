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
