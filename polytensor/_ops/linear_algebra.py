"""Linear algebra functions of the main namespace: matmul, matrix_transpose, tensordot, vecdot."""

from __future__ import annotations

from typing import Any

from .. import _dtypes as dt
from .._tape import Composite
from ._registry import Function, op

_COMPLEX = dt.CATEGORY_NAMES.index("complex floating-point")

_L = ">>> import polytensor as pt\n>>> a = pt.ones((2, 3))\n>>> b = pt.ones((3, 4))\n"


def _conj_if_complex(t: Any) -> Any:
    return conj(t) if t._data.dtype in t._backend.cats[_COMPLEX] else t


def _matmul_rule_x1(g: Any, _out: Any, x1: Any, x2: Any) -> Any:

    d2 = x2._data
    b = x2 if d2.dtype not in x2._backend.cats[_COMPLEX] else conj(x2)
    n1, n2 = x1._data.ndim, d2.ndim
    if n1 > 1 and n2 > 1:  # the common case first
        return _matmul_nt(g, b)
    if n1 == 1 and n2 == 1:
        return g * b
    if n1 == 1:
        ga = _matmul_nt(expand_dims(g, axis=-2), b)
        return reshape(ga, ga.shape[:-2] + (ga.shape[-1],))
    return matmul(expand_dims(g, axis=-1), reshape(b, (1, -1)))


def _matmul_rule_x2(g: Any, _out: Any, x1: Any, x2: Any) -> Any:

    d1 = x1._data
    a = x1 if d1.dtype not in x1._backend.cats[_COMPLEX] else conj(x1)
    n1, n2 = d1.ndim, x2._data.ndim
    if n1 > 1 and n2 > 1:
        return _matmul_tn(a, g)
    if n1 == 1 and n2 == 1:
        return g * a
    if n1 == 1:
        return matmul(reshape(a, (-1, 1)), expand_dims(g, axis=-2))
    gb = _matmul_tn(a, expand_dims(g, axis=-1))
    return reshape(gb, gb.shape[:-1])


# Building blocks of matmul's rule, as PyTorch's mm backward has them: x1 @ mT(x2) and
# mT(x1) @ x2 of (stacks of) matrices in one call each. Their own rules make them differentiate
# again (create_graph=True); complex cotangents follow the conjugate convention.
_matmul_nt = op(
    "_matmul_nt",
    "(x1, x2, /)",
    "numeric",
    (
        lambda g, _out, _x1, x2: matmul(g, _conj_if_complex(x2)),
        lambda g, _out, x1, _x2: _matmul_tn(g, _conj_if_complex(x1)),
    ),
    inputs=("x1", "x2"),
    promote=(0, 1),
)
_matmul_tn: Function = op(
    "_matmul_tn",
    "(x1, x2, /)",
    "numeric",
    (
        lambda g, _out, _x1, x2: _matmul_nt(_conj_if_complex(x2), g),
        lambda g, _out, x1, _x2: matmul(_conj_if_complex(x1), g),
    ),
    inputs=("x1", "x2"),
    promote=(0, 1),
)


matmul: Function = op(
    "matmul",
    "(x1, x2, /)",
    "numeric",
    (_matmul_rule_x1, _matmul_rule_x2),
    inputs=("x1", "x2"),
    operator=True,
    promote=(0, 1),
    example=_L + ">>> pt.matmul(a, b).shape\n(2, 4)",
)
matrix_transpose: Function = op(
    "matrix_transpose",
    "(x, /)",
    "any",
    lambda g, _out, _x: (matrix_transpose(g),),
    example=_L + ">>> pt.matrix_transpose(a).shape\n(3, 2)",
)


def _tensordot_composite(a: Any, b: Any, axes: Any) -> Any:
    import math

    from .manipulation import permute_dims, reshape

    if isinstance(axes, int):
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a = [i % a.ndim for i in axes[0]]
        ax_b = [i % b.ndim for i in axes[1]]
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = math.prod(a.shape[i] for i in ax_a)
    A = reshape(
        permute_dims(a, tuple(free_a + ax_a)),
        (-1, k) if k else (math.prod(a.shape[i] for i in free_a), 0),
    )
    B = reshape(permute_dims(b, tuple(ax_b + free_b)), (k, math.prod(b.shape[i] for i in free_b)))
    return reshape(
        matmul(A, B), tuple(a.shape[i] for i in free_a) + tuple(b.shape[i] for i in free_b)
    )


# (the value from the backend, the derivative that of the composition)
tensordot = op(
    "tensordot",
    "(x1, x2, /, *, axes=2)",
    "numeric",
    Composite(_tensordot_composite),
    inputs=("x1", "x2"),
    promote=(0, 1),
    example=_L + ">>> pt.tensordot(a, b, axes=1).shape\n(2, 4)",
)


def _vecdot_g(g: Any, x1: Any, x2: Any, axis: int) -> Any:

    return expand_dims(g, axis=axis if axis < 0 else axis - max(x1.ndim, x2.ndim))


def _vecdot_rule_x1(g: Any, _out: Any, x1: Any, x2: Any, axis: int) -> Any:
    # out = sum(conj(x1) * x2): d/dx1 (PyTorch's convention) = x2 * conj(g)
    ge = _vecdot_g(g, x1, x2, axis)
    return x2 * _conj_if_complex(ge)


def _vecdot_rule_x2(g: Any, _out: Any, x1: Any, x2: Any, axis: int) -> Any:
    ge = _vecdot_g(g, x1, x2, axis)
    return ge * x1


vecdot = op(
    "vecdot",
    "(x1, x2, /, *, axis=-1)",
    "numeric",
    (_vecdot_rule_x1, _vecdot_rule_x2),
    inputs=("x1", "x2"),
    promote=(0, 1),
    example=_L + ">>> pt.vecdot(a, a).shape\n(2,)",
)

from .elementwise import conj  # noqa: E402
from .manipulation import expand_dims, reshape  # noqa: E402
