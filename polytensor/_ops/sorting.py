"""Sorting and set functions of the standard."""

from __future__ import annotations

from typing import Any

from ._registry import NONDIFF, op

_X = ">>> import polytensor as pt\n>>> x = pt.asarray([3.0, 1.0, 2.0, 1.0])\n"
_XI = ">>> import polytensor as pt\n>>> x = pt.asarray([3, 1, 2, 1])\n"


def _sort_rule(g: Any, _out: Any, x: Any, axis: int, descending: bool, stable: bool) -> tuple[Any]:
    from .indexing import take_along_axis

    idx = argsort(x, axis=axis, descending=descending, stable=True)
    inv = argsort(idx, axis=axis, stable=True)
    return (take_along_axis(g, inv, axis=axis),)


argsort = op(
    "argsort",
    "(x, /, *, axis=-1, descending=False, stable=True)",
    "real numeric",
    NONDIFF,
    example=_X + ">>> pt.argsort(x)\ntensor([1, 3, 2, 0], backend='numpy')",
)
sort = op(
    "sort",
    "(x, /, *, axis=-1, descending=False, stable=True)",
    "real numeric",
    _sort_rule,
    example=_X + ">>> pt.sort(x)\ntensor([1., 1., 2., 3.], backend='numpy')",
)


def _isin_impl(fn: Any, x1: Any, x2: Any, *, invert: bool) -> Any:
    return fn(x1, x2, invert=invert)


isin = op(
    "isin",
    "(x1, x2, /, *, invert=False)",
    "integer",
    NONDIFF,
    inputs=("x1", "x2"),
    impl=_isin_impl,
    scalars=True,
    scalar_inputs=(0, 1),
    example=_XI + ">>> pt.isin(x, pt.asarray([1]))\n"
    "tensor([False,  True, False,  True], backend='numpy')",
)
unique_all = op(
    "unique_all",
    "(x, /)",
    "any",
    NONDIFF,
    example=_X + ">>> pt.unique_all(x).counts\ntensor([2, 1, 1], backend='numpy')",
)
unique_counts = op(
    "unique_counts",
    "(x, /)",
    "any",
    NONDIFF,
    example=_X + ">>> pt.unique_counts(x).values\ntensor([1., 2., 3.], backend='numpy')",
)
unique_inverse = op(
    "unique_inverse",
    "(x, /)",
    "any",
    NONDIFF,
    example=_X + ">>> pt.unique_inverse(x).inverse_indices\ntensor([2, 0, 1, 0], backend='numpy')",
)
unique_values = op(
    "unique_values",
    "(x, /)",
    "any",
    NONDIFF,
    example=_X + ">>> pt.unique_values(x)\ntensor([1., 2., 3.], backend='numpy')",
)
