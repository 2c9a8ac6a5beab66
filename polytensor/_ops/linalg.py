"""The standard's ``linalg`` extension."""

from __future__ import annotations

from typing import Any

from . import _linalg_rules as R
from ._registry import NONDIFF, Function, op

_F = "floating-point"
_A = ">>> import polytensor as pt\n>>> a = pt.asarray([[2.0, 1.0], [1.0, 3.0]])\n"


def _ex(call: str) -> str:
    return _A + f">>> y = pt.{call}"


def _lop(name: str, sig: str, category: Any, rule: Any, **kw: Any) -> Any:
    return op(
        f"linalg.{name}",
        sig,
        category,
        rule,
        module="polytensor.linalg",
        example=kw.pop("example", _ex(f"linalg.{name}(a)")),
        **kw,
    )


def _rtol_impl(fn: Any, x: Any, rtol: Any) -> Any:
    return fn(x) if rtol is None else fn(x, rtol=rtol)


cholesky = _lop("cholesky", "(x, /, *, upper=False)", _F, R.cholesky_rule)
cross: Function = _lop(
    "cross",
    "(x1, x2, /, *, axis=-1)",
    "numeric",
    (
        lambda g, _out, _x1, x2, axis: cross(R._cj(x2), g, axis=axis),
        lambda g, _out, x1, _x2, axis: cross(g, R._cj(x1), axis=axis),
    ),
    inputs=("x1", "x2"),
    promote=(0, 1),
    example=">>> import polytensor as pt\n>>> pt.linalg.cross(pt.asarray([1.0, 0, 0]), "
    "pt.asarray([0.0, 1, 0]))\ntensor([0., 0., 1.], backend='numpy')",
)
det = _lop("det", "(x, /)", _F, R.det_rule)
diagonal = _lop("diagonal", "(x, /, *, offset=0)", "any", R.diagonal_rule)
eig = _lop("eig", "(x, /)", _F, R.eig_rule)
eigh = _lop("eigh", "(x, /)", _F, R.eigh_rule)
eigvalsh = _lop("eigvalsh", "(x, /)", _F, R.eigvalsh_rule)
eigvals = _lop("eigvals", "(x, /)", _F, R.eigvals_rule)
inv = _lop("inv", "(x, /)", _F, R.inv_rule)
matrix_norm = _lop("matrix_norm", "(x, /, *, keepdims=False, ord='fro')", _F, R.matrix_norm_rule)
matrix_power = _lop(
    "matrix_power", "(x, n, /)", _F, R.matrix_power_rule, example=_ex("linalg.matrix_power(a, 2)")
)
matrix_rank = _lop(
    "matrix_rank",
    "(x, /, *, rtol=None)",
    (_F, "real floating-point"),
    NONDIFF,
    inputs=("x", "rtol"),
    impl=_rtol_impl,
    scalars=True,
)
outer = _lop(
    "outer",
    "(x1, x2, /)",
    "numeric",
    R.outer_rule,
    inputs=("x1", "x2"),
    promote=(0, 1),
    example=">>> import polytensor as pt\n>>> pt.linalg.outer(pt.ones(2), "
    "pt.ones(3)).shape\n(2, 3)",
)
pinv = _lop(
    "pinv",
    "(x, /, *, rtol=None)",
    (_F, "real floating-point"),
    R.pinv_rule,
    inputs=("x", "rtol"),
    impl=_rtol_impl,
    scalars=True,
)


def _qr_impl(fn: Any, x: Any, *, mode: str) -> Any:
    # Note: NumPy's qr also takes mode="r" (R alone), which its array-API wrapper unpacks as if
    # it were (Q, R): R's first two matrices of a stack, or a TypeError.
    if mode not in ("reduced", "complete"):
        raise ValueError(
            f"linalg.qr() got mode={mode!r}; expected 'reduced' or 'complete' (for R alone, "
            f"take linalg.qr(x).R)"
        )
    return fn(x, mode=mode)


qr = _lop("qr", "(x, /, *, mode='reduced')", _F, R.qr_rule, impl=_qr_impl)
slogdet = _lop("slogdet", "(x, /)", _F, R.slogdet_rule)
solve = _lop(
    "solve",
    "(x1, x2, /)",
    _F,
    R.solve_rule,
    inputs=("x1", "x2"),
    promote=(0, 1),
    example=_A + ">>> pt.linalg.solve(a, pt.asarray([1.0, 2.0])).shape\n(2,)",
)
svd = _lop("svd", "(x, /, *, full_matrices=True)", _F, R.svd_rule)
svdvals = _lop("svdvals", "(x, /)", _F, R.svdvals_rule)
trace = _lop("trace", "(x, /, *, offset=0, dtype=None)", "numeric", R.trace_rule)
vector_norm = _lop(
    "vector_norm", "(x, /, *, axis=None, keepdims=False, ord=2)", _F, R.vector_norm_rule
)
