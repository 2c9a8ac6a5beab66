"""Searching functions of the standard (and ``where``)."""

from __future__ import annotations

from typing import Any

from ._registry import NONDIFF, op
from .elementwise import _mask_grad, logical_not

_S = ">>> import polytensor as pt\n>>> x = pt.asarray([[3.0, 1.0], [2.0, 4.0]])\n"


def _arg_reduction(name: str) -> Any:
    """``fn(x, axis=, keepdims=)``, refusing an empty reduction before the backend sees it
    (Dask would fail only when computing, with NumPy's message that names no function)."""

    def impl(fn: Any, x: Any, *, axis: Any, keepdims: Any) -> Any:
        shape = tuple(x.shape)
        if axis is not None and (isinstance(axis, bool) or not isinstance(axis, int)):
            raise TypeError(f"{name}() expects an int axis or None; got {axis!r}")
        if axis is None:
            empty = 0 in shape
        elif (
            isinstance(axis, int)
            and not isinstance(axis, bool)
            and -len(shape) <= axis < len(shape)
        ):
            empty = shape[axis] == 0
        else:
            empty = False  # (a bad axis: the backend's error, named by apply())
        if empty:
            raise ValueError(
                f"{name}() of an empty array (shape {shape}, axis={axis}) has no result"
            )
        return fn(x, axis=axis, keepdims=keepdims)

    return impl


argmax = op(
    "argmax",
    "(x, /, *, axis=None, keepdims=False)",
    "real numeric",
    NONDIFF,
    impl=_arg_reduction("argmax"),
    example=_S + ">>> pt.argmax(x, axis=1)\ntensor([0, 1], backend='numpy')",
)
argmin = op(
    "argmin",
    "(x, /, *, axis=None, keepdims=False)",
    "real numeric",
    NONDIFF,
    impl=_arg_reduction("argmin"),
    example=_S + ">>> pt.argmin(x)\ntensor(1, backend='numpy')",
)


# PyTorch's x.max(dim) / x.min(dim): the values along an axis and the index of each (the first
# of tied or NaN elements), in one op with two outputs, the values those at the indices (what
# max or min and argmax or argmin give in two). The values' gradient goes to the element each
# index names, as take_along_axis's.
def _extreme_indices_impl(fn: Any, x: Any, *, axis: int, keepdims: bool, largest: bool) -> Any:
    if x.shape[axis] == 0:
        name = "max" if largest else "min"
        raise ValueError(
            f"{name}() of an empty array (shape {tuple(x.shape)}, axis={axis}) has "
            "no result; give a dimension of nonzero size"
        )
    return fn(x, axis=axis, keepdims=keepdims, largest=largest)


def _extreme_indices_rule(
    gs: Any, outs: Any, x: Any, axis: int, keepdims: bool, largest: bool
) -> Any:
    from .indexing import _take_along_rule
    from .manipulation import expand_dims

    g, indices = gs[0], outs[1]
    if not keepdims:
        g, indices = expand_dims(g, axis=axis), expand_dims(indices, axis=axis)
    return (_take_along_rule(g, None, x, indices, axis)[0],)


_extreme_indices = op(
    "_extreme_indices",
    "(x, /, *, axis, keepdims, largest)",
    "real numeric",
    _extreme_indices_rule,
    impl=_extreme_indices_impl,
)
count_nonzero = op(
    "count_nonzero",
    "(x, /, *, axis=None, keepdims=False)",
    "any",
    NONDIFF,
    example=_S + ">>> pt.count_nonzero(x > 1.5)\ntensor(3, backend='numpy')",
)
nonzero = op(
    "nonzero",
    "(x, /)",
    "any",
    NONDIFF,
    impl=lambda fn, x: tuple(fn(x)),
    example=_S + ">>> rows, cols = pt.nonzero(x > 2.5)",
)


def _searchsorted_impl(fn: Any, x1: Any, x2: Any, sorter: Any, *, side: str) -> Any:
    return fn(x1, x2, side=side, sorter=sorter)


searchsorted = op(
    "searchsorted",
    "(x1, x2, /, *, side='left', sorter=None)",
    ("real numeric", "real numeric", "integer"),
    NONDIFF,
    inputs=("x1", "x2", "sorter"),
    impl=_searchsorted_impl,
    scalars=True,
    example=">>> import polytensor as pt\n>>> pt.searchsorted(pt.asarray("
    "[1.0, 2.0, 3.0]), pt.asarray([2.5]))\ntensor([2], backend='numpy')",
)


def _where_rule(g: Any, _out: Any, condition: Any, _x1: Any, _x2: Any) -> tuple[Any, ...]:
    # (x1 and x2: whether each is an array, not their values, which backward then need not
    # check for in-place changes)
    if g.dtype.kind == "real floating":
        # _mask_grad: where(keep, g, 0) in one op, which NumPy's backend computes by bits (a
        # where branches on every element: ~5x slower on a random mask, leaky_relu's)
        return (
            None,
            _mask_grad(g, condition) if hasattr(_x1, "shape") else None,
            _mask_grad(g, logical_not(condition)) if hasattr(_x2, "shape") else None,
        )
    return (
        None,
        where(condition, g, 0) if hasattr(_x1, "shape") else None,
        where(condition, 0, g) if hasattr(_x2, "shape") else None,
    )


where = op(
    "where",
    "(condition, x1, x2, /)",
    ("boolean", "any", "any"),
    _where_rule,
    inputs=("condition", "x1", "x2"),
    promote=(1, 2),
    scalars=True,
    example=_S + ">>> pt.where(x > 2, x, 0.0)\ntensor([[3., 0.],\n        [0., 4.]], "
    "backend='numpy')",
)
