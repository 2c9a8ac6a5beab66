"""Statistical and utility reductions of the standard, with their derivative rules."""

from __future__ import annotations

import builtins
import math
from typing import Any, cast

from .._tensor_base import TensorBase
from ._registry import NONDIFF, composition, op

_R = ">>> import polytensor as pt\n>>> x = pt.asarray([[1.0, 2.0], [3.0, 4.0]])\n"


def _keep(
    g: Any, xshape: tuple[int, ...], axis: Any, keepdims: bool, reshape_fn: Any = None
) -> Any:
    """``g`` of a reduction, reshaped so that it broadcasts against the input's shape (with
    ``reshape_fn``, the backend's reshape, for native arrays)."""
    if keepdims or len(xshape) == 0 or (axis is None and g.ndim == 0):
        return g  # already broadcasts (a full reduction's 0-d cotangent)
    axes = _axes_tuple(axis, len(xshape))
    shape = tuple(1 if i in axes else s for i, s in enumerate(xshape))
    return (reshape_fn or reshape)(g, shape)


def _unknown(shape: tuple[Any, ...]) -> bool:
    """Whether a dimension of ``shape`` has no known length: None in a tensor's shape, NaN in a
    Dask array's (after a boolean mask, ``x[x > 0]``)."""
    # (builtins': this module's any is the standard's)
    return builtins.any(s is None or (s.__class__ is float and math.isnan(s)) for s in shape)


def _ones_of(x: Any) -> Any:
    """Ones in the shape (and chunks) of ``x``, whose shape has a dimension of unknown length,
    which ``ones_like`` refuses: True everywhere, whatever ``x`` holds, made a number."""
    return astype(isnan(x) | True, x.dtype)


def _spread(
    g: Any, xshape: tuple[int, ...], axis: Any, keepdims: bool, F: Any = None, like: Any = None
) -> Any:
    """A reduction's cotangent ``g`` spread over the input's shape: sum's gradient, and mean's
    before dividing. ``F``: the backend's functions, for the fast rules' native arrays.
    ``like``: the input tensor, which a shape with a dimension of unknown length needs (the
    cotangent is then spread by a product with ones like it, lazily, in its chunks)."""
    if F is None:
        if like is not None and _unknown(xshape):
            if not (keepdims or len(xshape) == 0 or (axis is None and g.ndim == 0)):
                for a in sorted(_axes_tuple(axis, len(xshape))):
                    g = expand_dims(g, axis=a)
            return g * _ones_of(like)
        return broadcast_to(_keep(g, xshape, axis, keepdims), xshape)
    return F.broadcast_to(_keep(g, xshape, axis, keepdims, F.reshape), xshape)


def _count(xshape: tuple[int, ...], axis: Any) -> int:
    n = 1
    for a in _axes_tuple(axis, len(xshape)):
        n *= xshape[a]
    return n


def _sum_rule(g: Any, _out: Any, _x: Any, axis: Any, dtype: Any, keepdims: bool) -> Any:
    # (x's shape only: no values kept alive; x itself where a length is unknown, on Dask)
    return _spread(g, _x.shape, axis, keepdims, like=_x)


def _prod_rule(g: Any, _out: Any, x: Any, axis: Any, dtype: Any, keepdims: bool) -> tuple[Any]:
    # Note: the product of the other elements of the lane, computed as such (_others_product),
    # not out / x: exact with zeros (and the second derivative with respect to a zero kept, as
    # PyTorch's rule keeps it), and with an infinite or NaN element, or a product that
    # overflows where the others' does not (prod([1e300, 1e300, -1.0]) is -inf; the
    # derivative in the first element is -1e300, not -inf)
    gk = _keep(g, x.shape, axis, keepdims)
    grad = _others_product(x, _axes_tuple(axis, x.ndim))
    if x.dtype.kind == "complex floating":
        from .elementwise import conj

        grad = conj(grad)
    return (broadcast_to(gk * grad, x.shape),)


def _others_product(x: Any, axes: tuple[int, ...]) -> Any:
    """Per element of ``x``, the product of the other elements of its lane along ``axes``: a
    running product from each end (the lane's axes made one), without a division."""
    from .creation import ones_like
    from .indexing import getitem
    from .manipulation import permute_dims

    if not axes:  # (a product over no axis is the element itself)
        return ones_like(x)
    lane = x
    if len(axes) > 1:  # the lane's axes last, made one
        rest = tuple(i for i in range(x.ndim) if i not in axes)
        order = rest + axes
        moved = permute_dims(x, axes=order)
        lane = reshape(moved, (*moved.shape[: len(rest)], -1))
    a = lane.ndim - 1 if len(axes) > 1 else axes[0]
    first = (slice(None),) * a + (slice(0, lane.shape[a]),)  # (all but the last of n + 1)
    before = getitem(cumulative_prod(lane, axis=a, include_initial=True), key=first)
    after = flip(
        getitem(cumulative_prod(flip(lane, axis=a), axis=a, include_initial=True), key=first),
        axis=a,
    )
    others = before * after
    if len(axes) > 1:
        back = tuple(order.index(i) for i in range(x.ndim))
        others = permute_dims(reshape(others, moved.shape), axes=back)
    return others


def _real_dtype(x: Any) -> Any:
    return _REAL.get(x.dtype.name, x.dtype)


def _mean_rule(g: Any, _out: Any, _x: Any, axis: Any, keepdims: bool) -> Any:
    # Divided before it is spread: one division per output, and the result stays a broadcast
    # (on Dask, not one chunk as large as the input). An empty input gets an empty gradient.
    if _unknown(_x.shape):  # (on Dask, after a boolean mask: the count, lazily)
        spread = _spread(g, _x.shape, axis, keepdims, like=_x)
        return spread / sum(_ones_of(_x), axis=axis, keepdims=True)
    n = _count(_x.shape, axis)
    return _spread(g / n if n else g, _x.shape, axis, keepdims)


def _var_rule(g: Any, _out: Any, x: Any, axis: Any, correction: Any, keepdims: bool) -> tuple[Any]:
    m = mean(x, axis=axis, keepdims=True)
    n = _count(x.shape, axis) - correction
    return (_keep(g, x.shape, axis, keepdims) * 2 * (x - m) / n,)


def _std_rule(g: Any, out: Any, x: Any, axis: Any, correction: Any, keepdims: bool) -> tuple[Any]:
    # Note: 0 where the std is 0 (a constant lane), as PyTorch: the subgradient there, not
    # 0 / 0 (a normalisation of a constant row would otherwise give NaN gradients).
    ok = _keep(out, x.shape, axis, keepdims)
    zero = ok == 0
    (gv,) = _var_rule(
        where(zero, 0.0, _keep(g, x.shape, axis, keepdims) / (2 * where(zero, 1.0, ok))),
        None,
        x,
        axis,
        correction,
        True,
    )
    return (gv,)


def _extreme_rule(g: Any, out: Any, x: Any, axis: Any, keepdims: bool) -> tuple[Any]:
    # Ties share the gradient equally, as PyTorch's max/min reductions do; a NaN is the max
    # (and min) of its lane, and the lane's NaNs share its gradient (PyTorch's x.max()).
    ok = _keep(out, x.shape, axis, keepdims)
    hit = astype((x == ok) | (isnan(x) & isnan(ok)), x.dtype)
    return (_keep(g, x.shape, axis, keepdims) * hit / sum(hit, axis=axis, keepdims=True),)


sum = op(
    "sum",
    "(x, /, *, axis=None, dtype=None, keepdims=False)",
    "numeric",
    (_sum_rule,),
    example=_R + ">>> pt.sum(x, axis=0)\ntensor([4., 6.], backend='numpy')",
)
prod = op(
    "prod",
    "(x, /, *, axis=None, dtype=None, keepdims=False)",
    "numeric",
    _prod_rule,
    example=_R + ">>> pt.prod(x)\ntensor(24., backend='numpy')",
)
mean = op(
    "mean",
    "(x, /, *, axis=None, keepdims=False)",
    "floating-point",
    (_mean_rule,),
    example=_R + ">>> pt.mean(x)\ntensor(2.5, backend='numpy')",
)
var = op(
    "var",
    "(x, /, *, axis=None, correction=0.0, keepdims=False)",
    "real floating-point",
    _var_rule,
    example=_R + ">>> pt.var(x)\ntensor(1.25, backend='numpy')",
)
std = op(
    "std",
    "(x, /, *, axis=None, correction=0.0, keepdims=False)",
    "real floating-point",
    _std_rule,
    example=_R + ">>> y = pt.std(x, correction=1)",
)
max = op(
    "max",
    "(x, /, *, axis=None, keepdims=False)",
    "real numeric",
    _extreme_rule,
    example=_R + ">>> pt.max(x, axis=0)\ntensor([3., 4.], backend='numpy')",
)
min = op(
    "min",
    "(x, /, *, axis=None, keepdims=False)",
    "real numeric",
    _extreme_rule,
    example=_R + ">>> pt.min(x)\ntensor(1., backend='numpy')",
)


# log(softmax(x)) along an axis, x - max - log(sum(exp(x - max))), in one op (PyTorch's
# log_softmax): one node instead of six, and a rule that needs only the output, whose exp is
# the softmax. What nn.functional.log_softmax and cross_entropy compute.
def _log_softmax_rule(g: Any, out: Any, _x: Any, axis: int) -> Any:
    from .elementwise import exp

    return g - exp(out) * sum(g, axis=axis, keepdims=True)


_log_softmax = op("_log_softmax", "(x, /, *, axis)", "real floating-point", (_log_softmax_rule,))


# softmax along an axis, exp(x - max) / sum(exp(x - max)), in one op (PyTorch's softmax): one
# node instead of five, and a rule that reads only the output.
def _softmax_rule(g: Any, out: Any, _x: Any, axis: int) -> Any:
    return out * (g - sum(g * out, axis=axis, keepdims=True))


_softmax = op("_softmax", "(x, /, *, axis)", "real floating-point", (_softmax_rule,))


# layer normalisation over the trailing axes (PyTorch's layer_norm): xhat = (x - mean) /
# sqrt(var + eps), times weight, plus bias, in one op: the composite is nine nodes and about
# twice the passes each way. The rules are the textbook derivative in the table's functions
# (so they differentiate again); weight's and bias's are summed to their shapes by the engine.
def _layer_norm_stats(x: Any, axes: tuple[int, ...], eps: float) -> tuple[Any, Any]:
    """(xhat, 1 / sqrt(var + eps)), the biased variance over ``axes``, as PyTorch's."""
    d = x - mean(x, axis=axes, keepdims=True)
    inv = (mean(d * d, axis=axes, keepdims=True) + eps) ** -0.5
    return d * inv, inv


def _layer_norm_x(
    g: Any, _out: Any, x: Any, weight: Any, _bias: Any, axes: tuple[int, ...], eps: float
) -> Any:
    xhat, inv = _layer_norm_stats(x, axes, eps)
    gh = g if weight is None else g * weight
    centred = gh - mean(gh, axis=axes, keepdims=True)
    return inv * (centred - xhat * mean(gh * xhat, axis=axes, keepdims=True))


def _layer_norm_weight(
    g: Any, _out: Any, x: Any, _weight: Any, _bias: Any, axes: tuple[int, ...], eps: float
) -> Any:
    return g * _layer_norm_stats(x, axes, eps)[0]


def _layer_norm_bias(
    g: Any, _out: Any, _x: Any, _weight: Any, _bias: Any, axes: tuple[int, ...], eps: float
) -> Any:
    return g


_layer_norm = op(
    "_layer_norm",
    "(x, /, weight=None, bias=None, *, axes, eps)",
    "real floating-point",
    (_layer_norm_x, _layer_norm_weight, _layer_norm_bias),
    inputs=("x", "weight", "bias"),
)


def _cumsum_rule(
    g: Any, _out: Any, _x: Any, axis: Any, dtype: Any, include_initial: bool
) -> tuple[Any]:

    ax = 0 if axis is None else axis
    if include_initial:
        idx = [slice(None)] * g.ndim
        idx[ax] = slice(1, None)
        g = g[tuple(idx)]
    r = flip(cumulative_sum(flip(g, axis=ax), axis=ax), axis=ax)
    return (reshape(r, _x.shape),)


def _revcumsum(t: Any, axis: int) -> Any:

    return flip(cumulative_sum(flip(t, axis=axis), axis=axis), axis=axis)


def _cumprod_rule(
    g: Any, out: Any, x: Any, axis: Any, dtype: Any, include_initial: bool
) -> tuple[Any]:

    # Exact where x has zeros, in O(n): with z the first zero of a lane, positions before z
    # use the quotient form, z itself the products with that zero replaced by one, later
    # positions get nothing (every product through them contains x[z] = 0).
    ax = 0 if axis is None else axis % x.ndim
    if include_initial:
        idx = [slice(None)] * g.ndim
        idx[ax] = slice(1, None)
        g, out = g[tuple(idx)], out[tuple(idx)]
    if x.shape[ax] == 1:  # (a lane of one element is the element: 1, at an inf or NaN too)
        return (g,)
    zero = x == 0
    zeros_so_far = cumulative_sum(astype(zero, _real_dtype(x)), axis=ax)
    before = zeros_so_far == 0
    first = zero & (zeros_so_far == 1)
    before_part = _revcumsum(g * _cconj(out), ax) / _cconj(where(zero, 1, x))
    q_first = cumulative_prod(where(first, 1, x), axis=ax)
    first_part = _revcumsum(g * _cconj(q_first), ax)
    return (where(before, before_part, where(first, first_part, 0)),)


def _cconj(t: Any) -> Any:
    from .elementwise import conj

    return conj(t) if t.dtype.kind == "complex floating" else t


cumulative_sum = op(
    "cumulative_sum",
    "(x, /, *, axis=None, dtype=None, include_initial=False)",
    "numeric",
    _cumsum_rule,
    example=">>> import polytensor as pt\n>>> pt.cumulative_sum("
    "pt.asarray([1, 2, 3]))\n"
    "tensor([1, 3, 6], backend='numpy')",
)
cumulative_prod = op(
    "cumulative_prod",
    "(x, /, *, axis=None, dtype=None, include_initial=False)",
    "numeric",
    _cumprod_rule,
    example=">>> import polytensor as pt\n>>> "
    "pt.cumulative_prod(pt.asarray([1, 2, 3]))\n"
    "tensor([1, 2, 6], backend='numpy')",
)

# The running maximum (largest) or minimum along an axis, a NaN kept once met (PyTorch's
# cummax/cummin values; their indices are found from it). No derivative: cummax takes its values
# from the input at those indices, so that the gradient goes to the elements they name.
_cumulative_extreme = op("_cumulative_extreme", "(x, /, *, axis, largest)", "real numeric", NONDIFF)


def _logcumsumexp_rule(g: Any, out: Any, x: Any, axis: int) -> tuple[Any]:
    # PyTorch's: d out_i / d x_j = exp(x_j - out_i) for j <= i, summed against g in log space,
    # its positive and negative parts apart, by a reversed logcumsumexp, so nothing overflows
    from .data_types import finfo
    from .elementwise import abs, exp, log

    # (PyTorch's "no part" is the dtype's lowest value; a quarter of it leaves room to subtract
    # out without overflowing, and exp of it is 0 all the same)
    lowest = float(finfo(x.dtype).min) / 4
    size = abs(g)
    log_size = log(where(size > 0, size, 1.0))

    def back(part: Any) -> Any:
        flipped = flip(part - out, axis=axis)
        return exp(flip(_logcumsumexp(flipped, axis=axis), axis=axis) + x)

    return (back(where(g > 0, log_size, lowest)) - back(where(g < 0, log_size, lowest)),)


# log(cumsum(exp(x))) along an axis, without overflow or underflow (PyTorch's logcumsumexp): a
# primitive so that each backend scans in its own way (NumPy's logaddexp.accumulate, Dask's
# per-block cumreduction; others by doubling).
_logcumsumexp = op("_logcumsumexp", "(x, /, *, axis)", "real floating-point", _logcumsumexp_rule)

# -- utility functions ---------------------------------------------------------------------------
all = op("all", "(x, /, *, axis=None, keepdims=False)", "any", NONDIFF)
any = op("any", "(x, /, *, axis=None, keepdims=False)", "any", NONDIFF)


def _diff_impl(fn: Any, x: Any, prepend: Any, append: Any, *, axis: int, n: int) -> Any:
    kw = {}
    if prepend is not None:
        kw["prepend"] = prepend
    if append is not None:
        kw["append"] = append
    return fn(x, axis=axis, n=n, **kw)


@composition
def diff(x: Any, /, *, axis: int = -1, n: int = 1, prepend: Any = None, append: Any = None) -> Any:
    """The ``n``-th discrete difference along ``axis``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.diff(pt.asarray([1, 4, 9]))
    tensor([3, 5], backend='numpy')
    """
    from .elementwise import subtract
    from .manipulation import concat

    if not isinstance(n, int) or n < 0:
        raise ValueError(f"diff() expects n to be a non-negative int; got {n!r}")
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"diff() expects an int axis; got {axis!r}")
    if not isinstance(x, TensorBase):
        raise TypeError(
            f"diff() expects a polytensor array; got {type(x).__name__}; convert it with "
            f"pt.asarray(...)"
        )
    if x.ndim == 0:
        raise ValueError("diff() needs an array with at least one dimension")
    if not -x.ndim <= axis < x.ndim:
        raise IndexError(
            f"diff() got axis={axis} for an array of {x.ndim} dimensions; expected "
            f"{-x.ndim} <= axis < {x.ndim}"
        )
    parts = [p for p in (prepend, x, append) if p is not None]
    y: Any = concat(parts, axis=axis) if len(parts) > 1 else x
    for _ in range(n):
        m = y.shape[axis]
        lo = [slice(None)] * y.ndim
        hi = [slice(None)] * y.ndim
        m = cast(int, m)  # (diff needs the axis' length)
        lo[axis] = slice(0, m - 1 if m > 0 else 0)
        hi[axis] = slice(1, m)
        if y.dtype.kind == "bool":
            from .elementwise import not_equal

            y = not_equal(y[tuple(hi)], y[tuple(lo)])
        else:
            y = subtract(y[tuple(hi)], y[tuple(lo)])
    return y


from .. import _dtypes as _dt  # noqa: E402
from .data_types import astype  # noqa: E402
from .manipulation import _axes_tuple, broadcast_to, expand_dims, flip, reshape  # noqa: E402
from .searching import where  # noqa: E402

_REAL = {"complex64": _dt.float32, "complex128": _dt.float64}
from .elementwise import isnan  # noqa: E402
