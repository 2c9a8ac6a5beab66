"""Gradients at edge points follow PyTorch's conventions (the subgradient it picks, 0 rather
than NaN at removable points), cross-checked against torch on every CPU backend.

Each case computes the same function with polytensor and with torch from the same float64
inputs, sums it, differentiates, and compares the inputs' gradients (NaN where torch has NaN).
The deliberate differences are tested apart, each against the table in
``docs/edge-gradients.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor.autograd import _engine

torch = pytest.importorskip("torch", reason="torch is not installed: nothing to cross-check with")
TF = torch.nn.functional

BACKENDS = ["numpy", "dask", "array_api_strict"]
NAN = float("nan")
INF = float("inf")


class Case(NamedTuple):
    name: str
    inputs: tuple[Any, ...]
    ours: Callable[..., Any]
    theirs: Callable[..., Any]
    # the forward value itself is infinite (a division by zero NumPy warns of): let it warn
    warns: bool = False
    # compare only where the gradient is NaN and where it is infinite (the sign of an
    # infinity at a singular matrix follows the sign of a zero pivot in PyTorch's LU)
    pattern: bool = False
    # backend -> why the case cannot run there
    not_on: tuple[tuple[str, str], ...] = ()


def _mx(*rows: Any) -> list[Any]:
    return list(rows)


def _overwritten_nan_square(lib: Any, s: Any) -> Any:
    zero = lib.zeros_like(s)
    u = zero * (zero / zero - s) ** 2  # 0 * NaN: a 0 / 0 of constants, squared
    m = zero == 0  # every element
    u[m] = (s * s)[m]  # overwritten: u is s * s
    return u


CASES = [
    # pow: 0 where the exponent is 0 (at 0 too); 0 ** b flat in b for b >= 0, -inf for b < 0
    Case(
        "pow_zero_base",
        ([0.0, 0.0, 0.0, 2.0], [0.0, 1.0, 2.0, 0.0]),
        lambda a, b: a**b,
        lambda a, b: a**b,
    ),
    Case("pow_zero_negative_exponent", ([0.0], [-1.0]), pt.pow, torch.pow, warns=True),
    Case("pow_zero_nan_exponent", ([0.0, 0.0], [NAN, 2.0]), pt.pow, torch.pow),
    Case("pow_float_zero_exponent", ([0.0, 1.5],), lambda a: a**0.0, lambda a: a**0.0),
    Case("pow_int_zero_exponent", ([0.0, -2.0],), lambda a: a**0, lambda a: a**0),
    Case("pow_square_at_zero", ([0.0, 3.0],), lambda a: a**2, lambda a: a**2),
    Case("pow_python_base", ([0.0, 1.0, -2.0],), lambda b: 2.0**b, lambda b: 2.0**b),
    Case("pow_python_int_base", ([0.0, 1.0],), lambda b: 2**b, lambda b: 2**b),
    Case(
        "pow_function_python_base",
        ([0.5, 3.0],),
        lambda b: pt.pow(2.0, b),
        lambda b: torch.pow(2.0, b),
    ),
    Case(
        "pow_python_zero_base",
        ([0.0, 1.0, 2.0],),
        lambda b: pt.pow(0.0, b),
        lambda b: torch.pow(0.0, b),
    ),
    # std / var of constant lanes: 0, not 0 / 0
    Case("std_constant", ([1.0, 1.0, 1.0],), pt.std, lambda a: torch.std(a, correction=0)),
    Case(
        "std_constant_row",
        (_mx([1.0, 1.0, 1.0], [1.0, 2.0, 4.0]),),
        lambda a: pt.std(a, axis=1, correction=1),
        lambda a: torch.std(a, dim=1, correction=1),
    ),
    Case("var_constant", ([2.0, 2.0],), pt.var, lambda a: torch.var(a, correction=0)),
    # norms of zeros
    Case(
        "matrix_norm_fro_zeros",
        (_mx([0.0, 0.0], [0.0, 0.0]),),
        pt.linalg.matrix_norm,
        torch.linalg.matrix_norm,
    ),
    Case(
        "matrix_norm_nuc_zeros",
        (_mx([0.0, 0.0], [0.0, 0.0]),),
        lambda a: pt.linalg.matrix_norm(a, ord="nuc"),
        lambda a: torch.linalg.matrix_norm(a, ord="nuc"),
    ),
    Case(
        "matrix_norm_2_zeros",
        (_mx([0.0, 0.0], [0.0, 0.0]),),
        lambda a: pt.linalg.matrix_norm(a, ord=2),
        lambda a: torch.linalg.matrix_norm(a, ord=2),
    ),
    Case(
        "vector_norm_zeros",
        ([0.0, 0.0],),
        pt.linalg.vector_norm,
        torch.linalg.vector_norm,
    ),
    Case(
        "vector_norm_inf_zeros",
        ([0.0, 0.0],),
        lambda a: pt.linalg.vector_norm(a, ord=INF),
        lambda a: torch.linalg.vector_norm(a, ord=INF),
    ),
    Case("norm_zeros", ([0.0, 0.0, 0.0],), pt.norm, torch.norm),
    # max / min: ties share the gradient; a NaN is the extreme and takes it (x.max())
    Case("max_nan", ([1.0, NAN, 2.0],), pt.max, lambda a: a.max()),
    Case("max_two_nans", ([NAN, NAN, 2.0],), pt.max, lambda a: a.max()),
    Case("min_nan", ([1.0, NAN, 0.0],), pt.min, lambda a: a.min()),
    Case("max_ties", ([1.0, 2.0, 2.0],), pt.max, lambda a: a.max()),
    Case("min_ties", ([1.0, 1.0, 2.0],), pt.min, lambda a: a.min()),
    Case(
        "max_axis_ties",
        (_mx([1.0, 2.0, 2.0], [3.0, 3.0, 3.0]),),
        lambda a: pt.max(a, axis=1),
        lambda a: torch.amax(a, dim=1),
    ),
    Case(
        "max_dim_ties_to_the_index",
        (_mx([1.0, 2.0, 2.0], [3.0, 3.0, 3.0]),),
        lambda a: a.max(dim=1).values,
        lambda a: a.max(dim=1).values,
    ),
    Case(
        "max_dim_nan_to_the_index",
        (_mx([1.0, NAN, 2.0], [NAN, 3.0, NAN]),),
        lambda a: a.max(dim=1).values,
        lambda a: a.max(dim=1).values,
    ),
    Case(
        "min_dim_ties_keepdim",
        (_mx([1.0, 1.0], [0.0, 2.0]),),
        lambda a: a.min(dim=0, keepdim=True).values,
        lambda a: a.min(dim=0, keepdim=True).values,
    ),
    Case("maximum_ties", ([1.0, 2.0], [1.0, 3.0]), pt.maximum, torch.maximum),
    Case("maximum_nan", ([NAN, 2.0], [1.0, NAN]), pt.maximum, torch.maximum),
    Case("minimum_ties", ([1.0, 2.0], [1.0, 3.0]), pt.minimum, torch.minimum),
    Case("minimum_nan", ([NAN, 2.0], [1.0, NAN]), pt.minimum, torch.minimum),
    # linear algebra
    Case(
        "eigh_repeated_eigenvalues_only",
        (_mx([1.0, 0.0], [0.0, 1.0]),),
        lambda a: pt.linalg.eigh(a)[0],
        lambda a: torch.linalg.eigh(a)[0],
    ),
    Case(
        "eigh_repeated_eigenvectors_used",
        (_mx([1.0, 0.0], [0.0, 1.0]),),
        lambda a: pt.linalg.eigh(a)[1],
        lambda a: torch.linalg.eigh(a)[1],
    ),
    Case(
        "eigvalsh_repeated",
        (_mx([2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 1.0]),),
        pt.linalg.eigvalsh,
        torch.linalg.eigvalsh,
    ),
    Case(
        "det_singular",
        (_mx([1.0, 2.0], [2.0, 4.0]),),
        pt.linalg.det,
        torch.linalg.det,
    ),
    Case(
        "det_zeros_and_regular_batch",
        ([_mx([0.0, 0.0], [0.0, 0.0]), _mx([2.0, 1.0], [1.0, 3.0])],),
        pt.linalg.det,
        torch.linalg.det,
    ),
    Case(
        "slogdet_singular",
        ([_mx([1.0, 2.0], [3.0, 6.0]), _mx([1.0, 0.0], [0.0, 0.0])],),
        lambda a: pt.linalg.slogdet(a)[1],
        lambda a: torch.linalg.slogdet(a)[1],
        pattern=True,
    ),
    Case(
        "logdet_singular",
        ([_mx([1.0, 2.0], [3.0, 6.0]), _mx([1.0, 0.0], [0.0, 0.0])],),
        pt.logdet,
        torch.logdet,
        pattern=True,
    ),
    Case(
        "logdet_negative_det",
        (_mx([0.0, 1.0], [1.0, 0.0]),),
        pt.logdet,
        torch.logdet,
    ),
    Case(
        "svd_repeated_singular_values_only_s_used",
        ([_mx([2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 1.0]), _mx(*np.eye(3).tolist())],),
        lambda a: pt.linalg.svd(a)[1] * pt.asarray([1.0, 2.0, 3.0], device=a.device),
        lambda a: torch.linalg.svd(a)[1] * torch.tensor([1.0, 2.0, 3.0], dtype=a.dtype),
    ),
    Case(
        "svd_zero_wide_and_tall_only_s_used",
        (np.zeros((3, 4)).tolist(),),
        lambda a: pt.linalg.svd(a)[1] + pt.linalg.svd(a.mT, full_matrices=False)[1],
        lambda a: torch.linalg.svd(a)[1] + torch.linalg.svd(a.mT, full_matrices=False)[1],
    ),
    Case(
        "svd_repeated_singular_values_u_used",
        (_mx([2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 1.0]),),
        lambda a: pt.abs(pt.linalg.svd(a)[0]),
        lambda a: torch.abs(torch.linalg.svd(a)[0]),
    ),
    # element-wise functions at their kinks and removable points
    Case("atan2_origin", ([0.0, 1.0], [0.0, 0.0]), pt.atan2, torch.atan2),
    Case("sqrt_zero", ([0.0, 4.0],), pt.sqrt, torch.sqrt, warns=True),
    Case("abs_zero", ([0.0, -1.0],), pt.abs, torch.abs),
    Case("relu_zero", ([0.0, 1.0],), pt.relu, torch.relu),
    Case(
        "clamp_at_the_bounds",
        ([0.0, 1.0, 0.5, -1.0],),
        lambda a: pt.clamp(a, 0.0, 1.0),
        lambda a: torch.clamp(a, 0.0, 1.0),
    ),
    Case(
        "clamp_tensor_bounds",
        ([0.0, 1.0, 0.5, 2.0], [0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]),
        pt.clamp,
        torch.clamp,
    ),
    Case(
        "clamp_min_above_max",
        ([-1.0, 0.5, 2.0, 0.5], [1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 1.0]),
        pt.clamp,
        torch.clamp,
        not_on=(
            (
                "array_api_strict",
                "the standard leaves clip with min > max to the library; array-api-strict "
                "refuses it (ValueError)",
            ),
        ),
    ),
    Case("sign_zero", ([0.0, -2.0],), pt.sign, torch.sign),
    Case("prod_with_a_zero", ([0.0, 2.0, 3.0],), pt.prod, torch.prod),
    # the product of the others, where the whole product overflows or holds inf or NaN (see
    # the deliberate differences for a vector's, where PyTorch divides)
    Case(
        "prod_along_an_axis",
        ([[INF, 2.0, 0.5], [1e300, 1e10, -1.0], [0.0, 0.0, 4.0]],),
        lambda a: pt.prod(a, axis=1),
        lambda a: torch.prod(a, 1),
        warns=True,
    ),
    # at an infinite input: the limits (1 to the infinite one), not inf - inf
    Case(
        "logaddexp_infinite",
        ([INF, INF, -INF, 1.0, -INF], [1.0, -INF, INF, 1.0, 0.0]),
        pt.logaddexp,
        torch.logaddexp,
    ),
    Case(
        "logaddexp2_infinite",
        ([INF, -INF, 2.0], [0.0, 3.0, 2.0]),
        pt.logaddexp2,
        torch.logaddexp2,
    ),
    # log(y) at x = 0 too (x log(y) is linear in x; 0 where y <= 0: tests/test_special.py)
    Case("xlogy_x_zero", ([0.0, 0.0, 2.0], [0.5, 4.0, 3.0]), pt.xlogy, torch.xlogy),
    # NaN outside [0, 1], where logit itself is NaN
    Case("logit_outside", ([-0.5, 0.25, 2.0],), pt.logit, torch.logit, warns=True),
    # a piecewise loss or activation at an infinite input: the branch it does not take gives
    # 0, not 0 * inf
    Case(
        "smooth_l1_infinite_difference",
        ([0.3, -INF, 0.5], [INF, 1.0, 0.0]),
        lambda a, b: F.smooth_l1_loss(a, b, reduction="none", beta=0.5),
        lambda a, b: TF.smooth_l1_loss(a, b, reduction="none", beta=0.5),
    ),
    Case(
        "huber_infinite_difference",
        ([0.3, -INF, 0.5], [INF, 1.0, 0.0]),
        lambda a, b: F.huber_loss(a, b, reduction="none", delta=2.0),
        lambda a, b: TF.huber_loss(a, b, reduction="none", delta=2.0),
    ),
    Case(
        "hinge_embedding_infinite_input",
        ([INF, 3.0, 0.5],),
        lambda a: F.hinge_embedding_loss(a, pt.asarray([-1.0, 1.0, -1.0], device=a.device)),
        lambda a: TF.hinge_embedding_loss(a, torch.tensor([-1.0, 1.0, -1.0])),
    ),
    Case(
        "multi_margin_p2_infinite_scores",
        (_mx([INF, -INF, 0.0, 1.0], [0.0, 0.5, 1.0, -INF]),),
        lambda a: F.multi_margin_loss(a, pt.asarray([2, 0], device=a.device), p=2),
        lambda a: TF.multi_margin_loss(a, torch.tensor([2, 0]), p=2),
    ),
    Case("prelu_positive_infinity", ([INF, -1.0, 2.0], [0.25]), F.prelu, TF.prelu),
]

# ops with a fast first-order form (autograd/_fast_forms.py): the form agrees with the rule
FAST = [
    c
    for c in CASES
    if c.name.startswith(("pow_", "sqrt", "relu", "max_ties", "std_constant", "norm_zeros"))
]


def _run(case: Case, backend: str, create_graph: bool = False) -> list[np.ndarray]:
    why = dict(case.not_on).get(backend)
    if why is not None:
        pytest.skip(why)
    xs = [pt.asarray(np.asarray(v, dtype=np.float64), device=backend) for v in case.inputs]
    for x in xs:
        x.requires_grad_()
    with warnings.catch_warnings():
        if case.warns:
            warnings.simplefilter("ignore", RuntimeWarning)
        y = pt.sum(case.ours(*xs))
        y.backward(create_graph=create_graph)
        return [np.asarray(x.grad.detach().numpy()) for x in xs]


def _torch(case: Case) -> list[np.ndarray]:
    ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in case.inputs]
    case.theirs(*ts).sum().backward()
    return [t.grad.numpy() for t in ts]


def _same(case: Case, got: list[np.ndarray], want: list[np.ndarray]) -> None:
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        if case.pattern:
            np.testing.assert_array_equal(np.isnan(g), np.isnan(w))
            np.testing.assert_array_equal(np.isinf(g), np.isinf(w))
        else:
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_edge_gradient_matches_torch(case: Case, backend: str) -> None:
    _same(case, _run(case, backend), _torch(case))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_edge_gradient_is_the_same_with_create_graph(case: Case) -> None:
    # the rules are polytensor calls: recording them changes nothing at the edge
    _same(case, _run(case, "numpy", create_graph=True), _torch(case))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", FAST, ids=lambda c: c.name)
def test_fast_forms_agree_with_the_rules_at_the_edge(case: Case, backend: str) -> None:
    before = _engine.FAST_RULES
    try:
        _engine.FAST_RULES = False
        slow = _run(case, backend)
    finally:
        _engine.FAST_RULES = before
    _same(case, _run(case, backend), slow)


def test_singular_det_and_slogdet_raise_no_linalg_error() -> None:
    a = pt.asarray([[1.0, 2.0], [2.0, 4.0]], dtype=pt.float64, requires_grad=True)
    pt.linalg.det(a).backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.zeros((2, 2)))
    a.grad = None
    pt.linalg.slogdet(a)[1].backward()
    assert np.isinf(a.grad.numpy()).all()


def test_pow_with_a_python_base_gives_two_to_the_x_times_log_two_on_every_backend() -> None:
    for backend in BACKENDS:
        x = pt.asarray([0.0, 1.0, 3.0], dtype=pt.float64, device=backend, requires_grad=True)
        for f in (lambda v: 2.0**v, lambda v: pt.pow(2.0, v), lambda v: 2**v):
            x.grad = None
            pt.sum(f(x)).backward()
            np.testing.assert_allclose(x.grad.numpy(), 2.0 ** np.array([0, 1, 3]) * np.log(2))


# -- deliberate differences (docs/edge-gradients.md) ----------------------------------------------
def test_hypot_at_the_origin_is_zero_where_torch_gives_nan() -> None:
    case = Case("hypot", ([0.0], [0.0]), pt.hypot, torch.hypot)
    got, want = _run(case, "numpy"), _torch(case)
    np.testing.assert_array_equal(got, [[0.0], [0.0]])
    assert np.isnan(want).all()


@pytest.mark.parametrize(
    ("values", "want"),
    [
        ([1e300, 1e300, -1.0, 2.0], [-2e300, -2e300, INF, -INF]),
        ([INF, 1.0, 2.0, -3.0], [-6.0, -INF, -INF, INF]),
        ([NAN, 1.0, 2.0, -3.0], [-6.0, NAN, NAN, NAN]),
    ],
    ids=["overflowing", "an infinity", "a NaN"],
)
def test_prod_of_a_vector_is_the_product_of_the_others_where_torch_divides(
    values: list[float], want: list[float]
) -> None:
    # (PyTorch's prod of a vector divides the product by each element: NaN or inf where the
    # product of the others is finite; along an axis of a matrix it is exact, as here)
    case = Case("prod", (values,), pt.prod, torch.prod, warns=True)
    got = _run(case, "numpy")[0]
    np.testing.assert_array_equal(got, want)
    theirs = _torch(case)[0]
    assert not np.isfinite(theirs[0])


def test_max_over_an_axis_with_nan_gives_the_gradient_to_the_nans_where_torch_amax_gives_nan() -> (
    None
):
    x = [[1.0, NAN, 2.0], [NAN, 3.0, NAN]]
    case = Case("amax_nan", (x,), lambda a: pt.max(a, axis=1), lambda a: torch.amax(a, dim=1))
    got, want = _run(case, "numpy"), _torch(case)
    np.testing.assert_array_equal(got[0], [[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]])
    assert np.isnan(want[0]).all()


def test_an_overwritten_nan_square_gives_no_gradient_where_torch_gives_nan() -> None:
    # A NaN square overwritten by u[m] = v[m] (scikit-learn's incremental variance, first batch):
    # its cotangent is exactly 0, and pow's rule gives 0 to its input (the strong zero), so the
    # gradient is that of u = s * s; PyTorch's 0 * 2 * NaN makes it NaN.
    case = Case(
        "pow_square_overwritten_nan",
        ([1.5, -0.5],),
        lambda s: _overwritten_nan_square(pt, s),
        lambda s: _overwritten_nan_square(torch, s),
        warns=True,
    )
    want = [np.array([3.0, -1.0])]
    before = _engine.FAST_RULES
    for backend in BACKENDS:
        for fast in (True, False):
            try:
                _engine.FAST_RULES = fast
                np.testing.assert_array_equal(_run(case, backend), want)
            finally:
                _engine.FAST_RULES = before
    np.testing.assert_array_equal(_run(case, "numpy", create_graph=True), want)
    assert np.isnan(_torch(case)[0]).all()
