"""Indexing: ``take``, ``take_along_axis``, and the Tensor's ``[]`` for reading and writing."""

from __future__ import annotations

from typing import Any

from .._tape import NONDIFF
from .._tensor_base import TensorBase
from ._index_key import bool_scalars, check_key
from ._registry import op

_I = ">>> import polytensor as pt\n>>> x = pt.asarray([[1.0, 2.0], [3.0, 4.0]])\n"


def _take_impl(fn: Any, x: Any, indices: Any, *, axis: Any) -> Any:
    return fn(x, indices) if axis is None else fn(x, indices, axis=axis)


def _take_rule(g: Any, _out: Any, _x: Any, indices: Any, axis: Any) -> Any:
    if axis is None and _x.ndim != 1:  # (PyTorch's take: indices into the flattened input)
        from .manipulation import reshape

        flat = _scatter_add(g, indices, key=(_Slot(0),), shape=(_x.size,))
        return reshape(flat, tuple(_x.shape))
    ax = 0 if axis is None else axis % _x.ndim
    key = (slice(None),) * ax + (_Slot(0),)
    return _scatter_add(g, indices, key=key, shape=tuple(_x.shape))


def _take_along_rule(g: Any, _out: Any, _x: Any, indices: Any, axis: int) -> tuple[Any, None]:
    ax, shape = axis % _x.ndim, tuple(_x.shape)
    # (a lazy x, whose values are not read, gives its chunks to the gradient: Dask's)
    like = (_x,) if _x._backend.lazy else ()
    return _scatter_along_axis(g, indices, *like, axis=ax, shape=shape), None


def _scatter_along_rule(g: Any, _out: Any, *arrays: Any, axis: int, shape: Any) -> tuple[Any, ...]:
    return (take_along_axis(g, arrays[1], axis=axis),) + (None,) * (len(arrays) - 1)


# The adjoint of take_along_axis: zeros of ``shape`` with g added at indices along axis
# (repeats add up): ``_scatter_along_axis(g, indices[, like], axis=, shape=)``. ``like``, the
# primal on a lazy backend, lends its layout, not its values: Dask's result keeps its chunks,
# a block of the result at a time; the others scatter through _scatter_add with each other
# axis's positions.
_scatter_along_axis = op(
    "_scatter_along_axis",
    "(*arrays, axis, shape)",
    "any",
    _scatter_along_rule,
    inputs=("*arrays",),
)


take = op(
    "take",
    "(x, indices, /, *, axis=None)",
    ("any", "integer"),
    (_take_rule, NONDIFF),
    inputs=("x", "indices"),
    impl=_take_impl,
    example=_I + ">>> pt.take(x, pt.asarray([1]), axis=0)\ntensor([[3., 4.]], backend='numpy')",
)


def _take_along_impl(fn: Any, x: Any, indices: Any, *, axis: int) -> Any:
    return fn(x, indices, axis=axis)


take_along_axis = op(
    "take_along_axis",
    "(x, indices, /, *, axis=-1)",
    ("any", "integer"),
    _take_along_rule,
    inputs=("x", "indices"),
    impl=_take_along_impl,
    example=_I + ">>> pt.take_along_axis(x, pt.asarray([[1], [0]]), axis=1)\n"
    "tensor([[2.],\n        [3.]], backend='numpy')",
)


# The rows of a weight w (num_weights, d) at integer ids of any shape, w[ids] (PyTorch's
# embedding), the ids checked to be rows, in one op: a check, a take and two reshapes each
# recorded otherwise, and a backward through the general scatter of take's rule. The rows at
# padding_idx (None: none) get no gradient. Its adjoint, _embedding_backward (the gradient
# rows added up per id, the padding row zero), is linear in g; each op's rule is the other.
def _embedding_rule(g: Any, _out: Any, w: Any, ids: Any, padding_idx: Any) -> Any:
    return _embedding_backward(g, ids, num_weights=int(w.shape[0]), padding_idx=padding_idx)


def _embedding_backward_rule(
    gg: Any, _out: Any, _g: Any, ids: Any, num_weights: int, padding_idx: Any
) -> Any:
    rows = _embedding(gg, ids, padding_idx=None)
    if padding_idx is None:
        return rows
    from .manipulation import expand_dims
    from .searching import where

    return where(expand_dims(ids != padding_idx, axis=-1), rows, 0.0)


_embedding = op(
    "_embedding",
    "(w, ids, /, *, padding_idx)",
    ("any", "integer"),  # (as take's: rows of integers too, as in PyTorch)
    (_embedding_rule, NONDIFF),
    inputs=("w", "ids"),
)
_embedding_backward = op(
    "_embedding_backward",
    "(g, ids, /, *, num_weights, padding_idx)",
    ("floating-point", "integer"),
    (_embedding_backward_rule, NONDIFF),
    inputs=("g", "ids"),
)


# Negative log-likelihood of class indices: the loss of each target, -x[..., t, ...] along the
# class axis (0 where t is ignore_index), then reduced ("none", "sum", or "mean" over the
# targets not ignored), in one op (PyTorch's nll_loss without class weights): what
# nn.functional.nll_loss and cross_entropy compute. It is linear in x, and its adjoint,
# _nll_loss_backward (the gradient spread back to the class axis), is linear in g: each op's
# rule is the other.
def _nll_rule(g: Any, _out: Any, _x: Any, t: Any, **params: Any) -> Any:
    return _nll_loss_backward(g, t, classes=int(_x.shape[params["axis"]]), **params)


def _nll_backward_rule(gg: Any, _out: Any, _g: Any, t: Any, *, classes: int, **params: Any) -> Any:
    return _nll_loss(gg, t, **params)


_nll_loss = op(
    "_nll_loss",
    "(x, t, /, *, axis, ignore_index, reduction)",
    ("real floating-point", "integer"),
    (_nll_rule, NONDIFF),
    inputs=("x", "t"),
)
_nll_loss_backward = op(
    "_nll_loss_backward",
    "(g, t, /, *, axis, ignore_index, reduction, classes)",
    ("real floating-point", "integer"),
    (_nll_backward_rule, NONDIFF),
    inputs=("g", "t"),
)


# Cross entropy of class indices without class weights: _nll_loss(_log_softmax(x), t), the
# targets checked to be class indices (or ignore_index), in one op: the three nodes' work
# (PyTorch's cross_entropy is one call each way) without two ops' dispatch and recording, on
# the (64, 10) scores of a classifier most of its time. ``keep``: a list where the backend
# puts the log-probabilities when a gradient will be wanted (the first-order backward takes
# them). The rule is the chain of the two ops' rules, so it differentiates again.
def _cross_entropy_rule(g: Any, _out: Any, x: Any, t: Any, **params: Any) -> Any:
    from .elementwise import exp
    from .statistical import _log_softmax, sum

    axis = params["axis"]
    gl = _nll_loss_backward(
        g,
        t,
        axis=axis,
        ignore_index=params["ignore_index"],
        reduction=params["reduction"],
        classes=int(x.shape[axis]),
    )
    return gl - exp(_log_softmax(x, axis=axis)) * sum(gl, axis=axis, keepdims=True)


_cross_entropy = op(
    "_cross_entropy",
    "(x, t, /, *, axis, ignore_index, reduction, keep=None)",
    ("real floating-point", "integer"),
    (_cross_entropy_rule, NONDIFF),
    inputs=("x", "t"),
)


# Its gradient from the log-probabilities, _cross_entropy's first-order backward (the fast
# form's, one call on a backend with a kernel): gl - exp(logp) * sum(gl), gl being
# _nll_loss_backward(g). Linear in g; the rules are its adjoint in g (through _nll_loss, the
# adjoint of _nll_loss_backward) and its derivative in logp.
def _ce_backward_g(gg: Any, _out: Any, g: Any, logp: Any, t: Any, **params: Any) -> Any:
    from .elementwise import exp
    from .statistical import sum

    axis = params["axis"]
    centred = gg - sum(gg * exp(logp), axis=axis, keepdims=True)
    return _nll_loss(centred, t, **params)


def _ce_backward_logp(gg: Any, _out: Any, g: Any, logp: Any, t: Any, **params: Any) -> Any:
    from .elementwise import exp
    from .statistical import sum

    axis = params["axis"]
    gl = _nll_loss_backward(g, t, classes=int(logp.shape[axis]), **params)
    return -(gg * exp(logp)) * sum(gl, axis=axis, keepdims=True)


_cross_entropy_backward = op(
    "_cross_entropy_backward",
    "(g, logp, t, /, *, axis, ignore_index, reduction)",
    ("real floating-point", "real floating-point", "integer"),
    (_ce_backward_g, _ce_backward_logp, NONDIFF),
    inputs=("g", "logp", "t"),
)

_KEY_TYPES = (int, slice, type(None), type(Ellipsis))


def split_key(key: Any, where: str = "__getitem__") -> tuple[Any, list[Any]]:
    """Replace the tensors of an index ``key`` by placeholders; return (template, tensors)."""

    tensors: list[Any] = []

    def sub(k: Any) -> Any:
        if isinstance(k, TensorBase):
            tensors.append(k)
            return _Slot(len(tensors) - 1)
        if isinstance(k, slice):
            # 0-d integer tensors as bounds become ints (as __index__ must give)
            bounds = [None if b is None else _bound(b, where) for b in (k.start, k.stop, k.step)]
            if bounds[2] == 0:
                raise ValueError(f"{where}(): slice step cannot be zero")
            return slice(*bounds)
        if isinstance(k, (bool, *_KEY_TYPES)):
            return k
        if hasattr(k, "__index__"):
            try:
                return k.__index__()
            except TypeError:
                pass  # (a NumPy array of several elements, say)
        raise IndexError(
            f"{where}(): index of type {type(k).__name__} is not supported; use ints, "
            f"slices, ..., None, or integer/boolean tensors"
        )

    if isinstance(key, tuple):
        return tuple(sub(k) for k in key), tensors
    return sub(key), tensors


def _bound(b: Any, where: str) -> int:
    """A slice bound as an int (0-d integer tensors too, as ``__index__`` gives)."""
    if isinstance(b, int):
        return b
    if hasattr(b, "__index__"):
        return int(b.__index__())
    raise IndexError(f"{where}(): slice bounds must be integers or None; got {type(b).__name__}")


class _Slot:
    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i


def fill_key(template: Any, arrays: tuple[Any, ...]) -> Any:
    if isinstance(template, tuple):
        return tuple(arrays[k.i] if isinstance(k, _Slot) else k for k in template)
    return arrays[template.i] if isinstance(template, _Slot) else template


def _getitem_impl(fn: Any, x: Any, *arrays: Any, key: Any) -> Any:
    return fn(x, fill_key(key, arrays))


def _getitem_rule(g: Any, _out: Any, _x: Any, *index_arrays: Any, key: Any) -> tuple[Any, ...]:
    return (_scatter_add(g, *index_arrays, key=key, shape=tuple(_x.shape)),) + (
        (None,) * len(index_arrays)
    )


getitem = op(
    "__getitem__", "(*arrays, key)", "any", _getitem_rule, inputs=("*arrays",), impl=_getitem_impl
)


def _scatter_add_impl(fn: Any, g: Any, *arrays: Any, key: Any, shape: Any) -> Any:
    return fn(g, fill_key(key, arrays), shape)


# The adjoint of reading x[key]: zeros of x's shape with g added at key (repeated indices add).
_scatter_add = op(
    "_scatter_add",
    "(*arrays, key, shape)",
    "any",
    lambda g, _out, _g0, *idx, key, shape: (_getitem_t(g, idx, key),) + (None,) * len(idx),
    inputs=("*arrays",),
    impl=_scatter_add_impl,
)


def _put_impl(fn: Any, x: Any, v: Any, *arrays: Any, key: Any, landed: bool = False) -> Any:
    return fn(x, v, fill_key(key, arrays))


def _landed(g: Any, idx: tuple[Any, ...], key: Any) -> Any:
    """Which elements of the region ``x[key]`` reads had their write land, as a boolean mask
    of its shape, where integer index arrays repeat an element (``x[[0, 0]] = v``): the
    backend keeps one write there (NumPy's last), and the others reach nothing. None where no
    index array holds integers (then every write lands) or the region's shape is unknown."""
    if not any(t.dtype.kind in ("signed integer", "unsigned integer") for t in idx):
        return None
    from .creation import arange, zeros
    from .elementwise import equal
    from .manipulation import reshape

    region = tuple(_getitem_t(g, idx, key).shape)
    if any(n is None for n in region):
        return None
    n = 1
    for d in region:
        n *= d
    # each element's position, written the way the forward wrote (the same backend's choice
    # among repeats), then read back: a position that comes back is the write that landed
    positions = reshape(arange(n, device=g.device), region)
    stamped = _put(
        zeros(tuple(g.shape), dtype=positions.dtype, device=g.device), positions, *idx, key=key
    )
    return equal(_getitem_t(stamped, idx, key), positions)


def _put_rule(
    g: Any, _out: Any, _x: Any, _v: Any, *idx: Any, key: Any, landed: bool = False
) -> tuple[Any, ...]:
    # (x and v: neither value is read; v's type says whether it gets a gradient)
    gx = _put(g, 0, *idx, key=key)
    gv = None
    if isinstance(_v, TensorBase):
        gv = _value_cotangent(g, idx, key, _v)
        # x[key] = v (landed): a value overwritten by a repeat of its index gets no gradient.
        # Note: PyTorch's scatter, index_put and put give every repeat the gradient (their
        # rule), and keep that rule here.
        mask = _landed(g, idx, key) if landed else None
        if mask is not None:
            from .searching import where

            gv = where(mask, gv, 0.0)
    return (gx, gv) + (None,) * len(idx)


def _value_cotangent(g: Any, idx: tuple[Any, ...], key: Any, v: Any) -> Any:
    """The cotangent of the value ``v`` written at ``key``: ``g`` read at ``key``. On a lazy
    backend, ``g`` read at a boolean mask has a length unknown until computed, which ``v``'s
    (known) shape cannot take (and Dask reads no mask of some of the leading axes); there the
    selected rows are read at their positions, the first ``k`` True ones (``v``'s length along
    the selection, which the write checks), or summed where ``v`` broadcasts to all of them.
    A mask among ints, slices, None and ``...`` (``x[:, mask] = v``) is read so on ``g`` read
    at the rest of the key, its axes moved first."""
    from .. import _dtypes as dt
    from .creation import arange
    from .data_types import astype
    from .manipulation import expand_dims, moveaxis, reshape
    from .searching import searchsorted, where
    from .statistical import _unknown, cumulative_sum, sum

    items = key if isinstance(key, tuple) else (key,)
    if not (
        g._backend.lazy
        and len(idx) == 1
        and idx[0].dtype is dt.bool
        and idx[0].ndim
        and not any(isinstance(k, bool) for k in items)
        and not _unknown(tuple(v.shape))
    ):
        return _getitem_t(g, idx, key)
    mask = idx[0]
    k = mask.ndim
    i = next(j for j, item in enumerate(items) if isinstance(item, _Slot))
    # where the mask's axes start in g[basic] (ints drop an axis, None adds one), and where the
    # selection's one dimension lands in v's place (first where ints stand apart from the mask,
    # NumPy's rule)
    spans = len([item for item in items if item.__class__ in (int, slice)]) + k
    p = 0
    for item in items[:i]:
        if item is Ellipsis:
            p += g.ndim - spans
        elif item is None or isinstance(item, slice):
            p += 1
    given = [j for j, item in enumerate(items) if j == i or item.__class__ is int]
    at = p if given[-1] - given[0] + 1 == len(given) else 0
    if len(items) > 1 or p:
        basic = items[:i] + (slice(None),) * k + items[i + 1 :]
        g = _getitem_t(g, (), basic)
        if p:
            g = moveaxis(g, tuple(range(p, p + k)), tuple(range(k)))
    rest = tuple(g.shape[k:])
    span = len(rest) + 1 - at  # (the axes of v's place from the selection's on)
    if v.ndim < span or v.shape[v.ndim - span] == 1:  # (v broadcasts to every selected row)
        m = reshape(mask, tuple(mask.shape) + (1,) * len(rest))
        total = sum(where(m, g, 0), axis=tuple(range(k)))
        return total if v.ndim < span else expand_dims(total, axis=at)
    ends = cumulative_sum(astype(reshape(mask, (-1,)), dt.int64))
    count = v.shape[v.ndim - span]
    pos = searchsorted(ends, arange(1, count + 1, dtype=dt.int64, device=g.device))
    rows = take(reshape(g, (-1, *rest)), pos, axis=0)
    return moveaxis(rows, 0, at) if at else rows


# Functional x[key] = v: a copy of x with v written at key; what __setitem__ records (with
# landed=True: only the writes that landed at a repeated index get the gradient).
_put = op(
    "_put",
    "(*arrays, key, landed=False)",
    "any",
    _put_rule,
    inputs=("*arrays",),
    impl=_put_impl,
    scalars=True,
)


# ``x`` once its integer values are checked to be class indices 0 to ``size - 1`` (or
# ``ignore``): IndexError naming ``where`` otherwise; lazily, inside the graph, on Dask.
check_index = op(
    "_check_index", "(x, /, *, size, ignore, where, what)", "integer", NONDIFF, inputs=("x",)
)


# ``x`` once its values are checked to lie in [low, high] (None: no bound; NaN lies nowhere):
# DataValueError with ``message`` and the first value outside otherwise; lazily, inside the
# graph, on Dask (the error comes when computed). The gradient passes through unchanged.
check_range = op(
    "_check_range",
    "(x, /, *, low, high, message)",
    "real numeric",
    lambda g, _out, _x, **_kw: (g,),
    inputs=("x",),
)


# The counts of a 1-d integer x's values 0, 1, ... (given weights, the sums of their weights) in
# ``dtype``, max(x) + 1 of them or ``minlength`` if more: a lazy backend's bincount (Dask's: a
# bincount per chunk, added up in a tree; the length unknown until computed). The eager
# backends' bincount is written with index_add, whose length is known once x is read.
bincount = op("_bincount", "(*arrays, minlength, dtype)", "any", NONDIFF, inputs=("*arrays",))


def _getitem_t(g: Any, idx: tuple[Any, ...], key: Any) -> Any:
    from .._dispatch import apply
    from ._registry import OPS

    return apply(OPS["__getitem__"], (g, *idx), {"key": key})


def _plain(key: Any, shape: tuple[Any, ...]) -> bool:
    """Whether ``key`` is the common kind that needs no checking or rewriting: Python ints in
    range, slices of int bounds inside their axes and new axes (None, ``x[None, :]``), no
    more ints and slices than ``shape`` has axes."""
    items = key if key.__class__ is tuple else (key,)
    ndim = len(shape)
    axis = 0
    for k in items:
        if k is None:  # (a new axis: it indexes none of x's)
            continue
        if axis == ndim:
            return False
        n = shape[axis]
        axis += 1
        c = k.__class__
        if c is int:
            if n is None or not -n <= k < n:
                return False
        elif c is not slice or not (
            k.start.__class__ in _BOUNDS
            and k.stop.__class__ in _BOUNDS
            and k.step.__class__ in _BOUNDS
            and k.step != 0
        ):
            return False
        elif n is not None and not (
            (k.start is None or -n <= k.start <= n) and (k.stop is None or -n <= k.stop <= n)
        ):
            return False  # (bounds past the axis: check_key brings them inside)
    return True


_BOUNDS = (int, type(None))


def _getitem(x: Any, key: Any) -> Any:
    if _plain(key, x._data.shape):  # x[0], x[1:3], x[0, 1:]: straight to the backend
        return _getitem_t(x, (), key)
    template, tensors = split_key(key, "__getitem__")
    template = check_key(template, tensors, tuple(x.shape), "__getitem__")
    spelled = bool_scalars(template, "__getitem__")
    if spelled is not None:  # Python bools: index without them, then add their axis
        from .manipulation import _copy, expand_dims

        y = expand_dims(_getitem_t(x, (), spelled.key), axis=spelled.position)
        if spelled.size == 0:
            cut = (slice(None),) * (spelled.position % y.ndim) + (slice(0, 0), Ellipsis)
            y = _getitem_t(y, (), cut)
        # a copy, as NumPy's and PyTorch's (a bool is an advanced index): a write into the
        # result leaves x as it is
        return _copy(y)
    return _getitem_t(x, tuple(tensors), template)


def put(x: Any, key: Any, value: Any, *, landed: bool = False) -> Any:
    """A copy of ``x`` with ``value`` written at ``key`` (recorded for autograd); ``landed``:
    NumPy's gradient at a repeated index (``x[key] = value``), else PyTorch's (scatter's)."""
    template, tensors = split_key(key, "__setitem__")
    return _put(x, value, *tensors, key=template, landed=landed)
