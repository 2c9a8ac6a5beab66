"""Manipulation functions of the standard, with their derivative rules."""

from __future__ import annotations

from typing import Any

from .._tensor_base import TensorBase
from ._registry import Function, op

_M = ">>> import polytensor as pt\n>>> x = pt.reshape(pt.arange(6.0), (2, 3))\n"


def _axes_tuple(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim for a in axes) if ndim else axes


def _inverse_perm(axes: Any) -> tuple[int, ...]:
    inv = [0] * len(axes)
    for i, a in enumerate(axes):
        inv[a % len(axes)] = i
    return tuple(inv)


def _concat_impl(fn: Any, *arrays: Any, axis: Any) -> Any:
    return fn(list(arrays), axis=axis)


def _stack_impl(fn: Any, *arrays: Any, axis: int) -> Any:
    return fn(list(arrays), axis=axis)


def _split_grad(g: Any, inputs: tuple[Any, ...], axis: Any) -> tuple[Any, ...]:
    flat = axis is None
    if flat:
        g = reshape(g, (-1,))
        axis = 0
    out, start = [], 0
    for x in inputs:
        n = x.size if flat else (x.shape[axis] if x.ndim else 1)
        idx = [slice(None)] * g.ndim
        idx[axis] = slice(start, start + n)
        piece = g[tuple(idx)]
        out.append(reshape(piece, x.shape) if x.ndim != g.ndim else piece)
        start += n
    return tuple(out)


broadcast_arrays = op(
    "broadcast_arrays",
    "(*arrays)",
    "any",
    lambda gs, _outs, *_xs: gs,
    inputs=("*arrays",),
    impl=lambda fn, *arrays: tuple(fn(*arrays)),
    example=">>> import polytensor as pt\n>>> a, b = pt.broadcast_arrays("
    "pt.ones((2, 1)), pt.ones(3))\n>>> a.shape\n(2, 3)",
)
broadcast_to = op(
    "broadcast_to",
    "(x, /, shape)",
    "any",
    lambda g, _out, _x, shape: (g,),
    example=_M + ">>> pt.broadcast_to(x, (4, 2, 3)).shape\n(4, 2, 3)",
)
concat = op(
    "concat",
    "(arrays, /, *, axis=0)",
    "any",
    lambda g, _out, *xs, axis: _split_grad(g, xs, axis),
    inputs=("[arrays]",),
    impl=_concat_impl,
    example=_M + ">>> pt.concat([x, x], axis=1).shape\n(2, 6)",
)
expand_dims = op(
    "expand_dims",
    "(x, /, axis=0)",
    "any",
    (lambda g, _out, _x, axis: reshape(g, _x.shape),),
    example=_M + ">>> pt.expand_dims(x, axis=0).shape\n(1, 2, 3)",
)
flip: Function = op(
    "flip",
    "(x, /, *, axis=None)",
    "any",
    lambda g, _out, _x, axis: (flip(g, axis=axis),),
    example=_M + ">>> pt.flip(x, axis=1).shape\n(2, 3)",
)
moveaxis: Function = op(
    "moveaxis",
    "(x, source, destination, /)",
    "any",
    lambda g, _out, _x, source, destination: (moveaxis(g, destination, source),),
    example=_M + ">>> pt.moveaxis(x, 0, 1).shape\n(3, 2)",
)
permute_dims: Function = op(
    "permute_dims",
    "(x, /, axes)",
    "any",
    (lambda g, _out, _x, axes: permute_dims(g, _inverse_perm(axes)),),
    example=_M + ">>> pt.permute_dims(x, (1, 0)).shape\n(3, 2)",
)


def _repeat_impl(fn: Any, x: Any, repeats: Any = None, *, axis: Any, _r: Any = None) -> Any:
    return fn(x, repeats if repeats is not None else _r, axis=axis)


def _repeat_rule(
    g: Any, _out: Any, x: Any, repeats: Any = None, *, axis: Any, _r: Any = None
) -> tuple[Any, ...]:
    from .statistical import sum as _sum

    r = repeats if repeats is not None else _r
    ax = axis if axis is None else axis % x.ndim
    if ax is None:
        g_ = g
        xs = reshape(x, (-1,))
        shape = xs.shape
        ax = 0
    else:
        g_, shape = g, x.shape
    n = shape[ax]
    if isinstance(r, int):
        new = list(g_.shape)
        new[ax : ax + 1] = [n, r]
        gx = _sum(reshape(g_, tuple(new)), axis=ax + 1)
    else:
        from .elementwise import subtract
        from .indexing import take
        from .statistical import cumulative_sum

        ends = cumulative_sum(r, include_initial=True)
        cs = cumulative_sum(g_, axis=ax, include_initial=True)
        gx = subtract(take(cs, ends[1:], axis=ax), take(cs, ends[:-1], axis=ax))
    return (reshape(gx, x.shape), None)


def repeat(x: Any, repeats: Any, /, *, axis: int | None = None) -> Any:
    """Repeat each element of ``x`` ``repeats`` times (an int or an integer array).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.repeat(pt.asarray([1, 2]), 2)
    tensor([1, 1, 2, 2], backend='numpy')
    """

    if isinstance(repeats, TensorBase):
        if repeats.dtype.kind == "unsigned integer":  # NumPy's repeat refuses uint64 counts
            from .. import _dtypes
            from .data_types import astype

            repeats = astype(repeats, _dtypes.int64)
        return _repeat(x, repeats, axis=axis)
    return _repeat(x, None, axis=axis, _r=repeats)


_repeat = op(
    "repeat",
    "(x, repeats=None, /, *, axis=None, _r=None)",  # (None: an int repeats, in _r)
    ("any", "integer"),
    _repeat_rule,
    inputs=("x", "repeats"),
    impl=_repeat_impl,
)
reshape: Function = op(
    "reshape",
    "(x, /, shape, *, copy=None)",
    "any",
    (lambda g, _out, _x, shape, copy: reshape(g, _x.shape),),
    example=_M + ">>> pt.reshape(x, (3, 2)).shape\n(3, 2)",
)


def _neg(shift: Any) -> Any:
    return -shift if isinstance(shift, int) else tuple(-s for s in shift)


roll: Function = op(
    "roll",
    "(x, /, shift, *, axis=None)",
    "any",
    lambda g, _out, _x, shift, axis: (roll(g, _neg(shift), axis=axis),),
    example=_M + ">>> pt.roll(x, 1, axis=1).shape\n(2, 3)",
)
squeeze = op(
    "squeeze",
    "(x, /, axis)",
    "any",
    (lambda g, _out, _x, axis: reshape(g, _x.shape),),
    example=">>> import polytensor as pt\n>>> pt.squeeze(pt.ones((1, 3)), 0).shape\n(3,)",
)
stack = op(
    "stack",
    "(arrays, /, *, axis=0)",
    "any",
    lambda g, _out, *_xs, axis: tuple(unstack(g, axis=axis)),
    inputs=("[arrays]",),
    impl=_stack_impl,
    example=_M + ">>> pt.stack([x, x]).shape\n(2, 2, 3)",
)


def _tile_rule(g: Any, _out: Any, _x: Any, repetitions: Any) -> tuple[Any]:
    from .statistical import sum as _sum

    reps = tuple(repetitions)
    nd = max(_x.ndim, len(reps))
    reps = (1,) * (nd - len(reps)) + reps
    xshape = (1,) * (nd - _x.ndim) + tuple(_x.shape)
    inter: list[int] = []
    for r, s in zip(reps, xshape, strict=True):
        inter += [r, s]
    gs = reshape(g, tuple(inter))
    gx = _sum(gs, axis=tuple(range(0, 2 * nd, 2)))
    return (reshape(gx, _x.shape),)


tile = op(
    "tile",
    "(x, repetitions, /)",
    "any",
    _tile_rule,
    example=_M + ">>> pt.tile(x, (2, 1)).shape\n(4, 3)",
)
unstack: Function = op(
    "unstack",
    "(x, /, *, axis=0)",
    "any",
    lambda gs, _outs, _x, axis: (stack(list(gs), axis=axis),),
    impl=lambda fn, x, axis: tuple(fn(x, axis=axis)),
    example=_M + ">>> len(pt.unstack(x))\n2",
)


# a copy in memory of its own (clone(), asarray(copy=True)): the backend's Writes.copy, else
# its namespace's asarray(x, copy=True)
_copy = op("_copy", "(x, /)", "any", lambda g, _out, _x: (g,))


def one_dtype(arrays: Any, where: str = "concat") -> list[Any]:
    """``arrays`` (a sequence of tensors) cast to one dtype by polytensor's promotion rule,
    as its element-wise ops promote (int64 with float32 is float32), where the library's own
    concat would promote otherwise (NumPy: float64); as they are when they share a dtype or
    do not promote (the op then says so).

    Example: ``one_dtype([pt.arange(2), pt.ones(2)])`` is two float32 tensors.
    """
    if isinstance(arrays, TensorBase):  # (its elements would be joined: PyTorch refuses it)
        raise TypeError(
            f"{where}() expects a list or tuple of tensors; got a tensor; pass [x] (or "
            f"x.unbind(0), to join its rows)"
        )
    if not isinstance(arrays, (list, tuple)):
        raise TypeError(
            f"{where}() expects a list or tuple of tensors; got {type(arrays).__name__}"
        )
    items: list[Any] = list(arrays)
    if items and isinstance(items[0], TensorBase):  # (tensors of one backend and dtype: as is)
        b, d = items[0]._backend, items[0]._data.dtype
        for a in items:
            if not isinstance(a, TensorBase) or a._backend is not b or a._data.dtype != d:
                break
        else:
            return items
    dtypes = [a.dtype for a in items if isinstance(a, TensorBase)]
    if not dtypes or all(d is dtypes[0] for d in dtypes):
        return items
    from .data_types import astype, result_type

    try:
        target = result_type(*dtypes)
    except TypeError:  # (no promotion: the op says so)
        return items
    return [
        astype(a, target) if isinstance(a, TensorBase) and a.dtype is not target else a
        for a in items
    ]
