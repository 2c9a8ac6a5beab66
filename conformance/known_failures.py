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
