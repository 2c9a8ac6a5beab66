"""Statistical and utility reductions of the standard, with their derivative rules."""

from __future__ import annotations

from typing import Any

from ._registry import NONDIFF, op

_R = ">>> import polytensor as pt\n>>> x = pt.asarray([[1.0, 2.0], [3.0, 4.0]])\n"


def _keep(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """``g`` of a reduction, reshaped so that it broadcasts against ``x``."""
    from .manipulation import _axes_tuple, reshape

    if keepdims or x.ndim == 0:
        return g
    axes = _axes_tuple(axis, x.ndim)
    shape = tuple(1 if i in axes else s for i, s in enumerate(x.shape))
    return reshape(g, shape)


def _count(x: Any, axis: Any) -> int:
    from .manipulation import _axes_tuple

    n = 1
    for a in _axes_tuple(axis, x.ndim):
        n *= x.shape[a]
    return n


def _sum_rule(g: Any, out: Any, x: Any, axis: Any, dtype: Any, keepdims: bool) -> tuple[Any]:
    from .manipulation import broadcast_to

    return (broadcast_to(_keep(g, x, axis, keepdims), x.shape),)


def _prod_rule(g: Any, out: Any, x: Any, axis: Any, dtype: Any, keepdims: bool) -> tuple[Any]:
    from .elementwise import where
    from .manipulation import broadcast_to

    # Note: handles zeros exactly: the product of the other elements, not out / x.
    gk = _keep(g, x, axis, keepdims)
    zero = x == 0
    safe = where(zero, 1, x)
    others_nz = _keep(prod(safe, axis=axis, keepdims=True), x, axis, True)
    nzeros = _keep(sum(astype(zero, x.dtype), axis=axis, keepdims=True), x, axis, True)
    grad_nz = where(nzeros == 0, others_nz / safe, 0)
    grad_z = where(zero & (nzeros == 1), others_nz, 0)
    return (broadcast_to(gk * (grad_nz + grad_z), x.shape),)


def _mean_rule(g: Any, out: Any, x: Any, axis: Any, keepdims: bool) -> tuple[Any]:
    from .manipulation import broadcast_to

    return (broadcast_to(_keep(g, x, axis, keepdims), x.shape) / _count(x, axis),)


def _var_rule(g: Any, out: Any, x: Any, axis: Any, correction: Any,
              keepdims: bool) -> tuple[Any]:
    m = mean(x, axis=axis, keepdims=True)
    n = _count(x, axis) - correction
    return (_keep(g, x, axis, keepdims) * 2 * (x - m) / n,)


def _std_rule(g: Any, out: Any, x: Any, axis: Any, correction: Any,
              keepdims: bool) -> tuple[Any]:
    (gv,) = _var_rule(_keep(g, x, axis, keepdims) / (2 * _keep(out, x, axis, keepdims)), None,
                      x, axis, correction, True)
    return (gv,)


def _extreme_rule(g: Any, out: Any, x: Any, axis: Any, keepdims: bool) -> tuple[Any]:
    # Ties share the gradient equally, as PyTorch's max/min reductions do.
    hit = astype(x == _keep(out, x, axis, keepdims), x.dtype)
    return (_keep(g, x, axis, keepdims) * hit / sum(hit, axis=axis, keepdims=True),)


sum = op("sum", "(x, /, *, axis=None, dtype=None, keepdims=False)", "numeric",  # noqa: A001
         _sum_rule, example=_R + ">>> pt.sum(x, axis=0)\ntensor([4., 6.], backend='numpy')")
prod = op("prod", "(x, /, *, axis=None, dtype=None, keepdims=False)", "numeric", _prod_rule,
          example=_R + ">>> pt.prod(x)\ntensor(24., backend='numpy')")
mean = op("mean", "(x, /, *, axis=None, keepdims=False)", "floating-point", _mean_rule,
          example=_R + ">>> pt.mean(x)\ntensor(2.5, backend='numpy')")
var = op("var", "(x, /, *, axis=None, correction=0.0, keepdims=False)",
         "real floating-point", _var_rule, example=_R + ">>> pt.var(x)\n"
                                                        "tensor(1.25, backend='numpy')")
std = op("std", "(x, /, *, axis=None, correction=0.0, keepdims=False)",
         "real floating-point", _std_rule, example=_R + ">>> y = pt.std(x, correction=1)")
max = op("max", "(x, /, *, axis=None, keepdims=False)", "real numeric",  # noqa: A001
         _extreme_rule, example=_R + ">>> pt.max(x, axis=0)\ntensor([3., 4.], backend='numpy')")
min = op("min", "(x, /, *, axis=None, keepdims=False)", "real numeric",  # noqa: A001
         _extreme_rule, example=_R + ">>> pt.min(x)\ntensor(1., backend='numpy')")


def _cumsum_rule(g: Any, out: Any, x: Any, axis: Any, dtype: Any,
                 include_initial: bool) -> tuple[Any]:
    from .manipulation import flip, reshape

    ax = 0 if axis is None else axis
    if include_initial:
        idx = [slice(None)] * g.ndim
        idx[ax] = slice(1, None)
        g = g[tuple(idx)]
    r = flip(cumulative_sum(flip(g, axis=ax), axis=ax), axis=ax)
    return (reshape(r, x.shape),)


def _cumprod_rule(g: Any, out: Any, x: Any, axis: Any, dtype: Any,
                  include_initial: bool) -> tuple[Any]:
    from .elementwise import where
    from .manipulation import flip

    # TODO(#3): exact gradient where x has zeros (this form divides by x).
    ax = 0 if axis is None else axis
    if include_initial:
        idx = [slice(None)] * g.ndim
        idx[ax] = slice(1, None)
        g, out = g[tuple(idx)], out[tuple(idx)]
    r = flip(cumulative_sum(flip(g * out, axis=ax), axis=ax), axis=ax)
    return (r / where(x == 0, 1, x),)


cumulative_sum = op("cumulative_sum",
                    "(x, /, *, axis=None, dtype=None, include_initial=False)", "numeric",
                    _cumsum_rule, example=">>> import polytensor as pt\n>>> pt.cumulative_sum("
                                          "pt.asarray([1, 2, 3]))\n"
                                          "tensor([1, 3, 6], backend='numpy')")
cumulative_prod = op("cumulative_prod",
                     "(x, /, *, axis=None, dtype=None, include_initial=False)", "numeric",
                     _cumprod_rule)

# -- utility functions ---------------------------------------------------------------------------
all = op("all", "(x, /, *, axis=None, keepdims=False)", "any", NONDIFF)  # noqa: A001
any = op("any", "(x, /, *, axis=None, keepdims=False)", "any", NONDIFF)  # noqa: A001


def _diff_impl(fn: Any, x: Any, prepend: Any, append: Any, *, axis: int, n: int) -> Any:
    kw = {}
    if prepend is not None:
        kw["prepend"] = prepend
    if append is not None:
        kw["append"] = append
    return fn(x, axis=axis, n=n, **kw)


def diff(x: Any, /, *, axis: int = -1, n: int = 1, prepend: Any = None,
         append: Any = None) -> Any:
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
    parts = [p for p in (prepend, x, append) if p is not None]
    y = concat(parts, axis=axis) if len(parts) > 1 else x
    if not hasattr(y, "ndim") or y.ndim == 0:
        raise ValueError("diff() needs an array with at least one dimension")
    for _ in range(n):
        m = y.shape[axis]
        lo = [slice(None)] * y.ndim
        hi = [slice(None)] * y.ndim
        lo[axis] = slice(0, m - 1 if m > 0 else 0)
        hi[axis] = slice(1, m)
        if y.dtype.kind == "bool":
            from .elementwise import not_equal

            y = not_equal(y[tuple(hi)], y[tuple(lo)])
        else:
            y = subtract(y[tuple(hi)], y[tuple(lo)])
    return y


from .data_types import astype  # noqa: E402
