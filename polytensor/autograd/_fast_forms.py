"""The fast first-order forms of the op table's derivative rules: one table, keyed by op name.

Each entry gives, per input of the op, the same derivative as the op's rule for that input,
written on the backend's own arrays of one real floating dtype: ``F`` holds the backend's
functions by op name (``F.matmul``), ``g``, ``out`` and the inputs are native arrays (Python
scalars stay scalars), and the result is the input's cotangent before broadcasting is undone,
or ``NotImplemented`` where the case is not covered (the rule then runs, as it does when the
library raises TypeError for inputs of mixed dtypes, which the rule promotes). ``None``: that
input always takes its rule.

The backward engine calls them for a node when it records nothing (``create_graph=False``),
skipping the tensor layer the rules go through (``_engine._takes_fast_forms`` says when); the
rules stay the definition (higher derivatives, complex numbers), and tests/test_fast_rules.py
checks that both give the same gradients. A form reads only what its rule reads: the output
(``out``) is None when the rule's parameter is ``_out``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._ops._all import table
from .._ops.manipulation import _inverse_perm
from .._ops.statistical import _count, _keep, _spread, _unknown

__all__ = ["FAST_FORMS", "attach"]

Form = Callable[..., Any]


# pow and square, as their rules: 0 where g is 0 even where the derivative is NaN or infinite
# (F._strong_zero: the plain product when it is finite everywhere, on eager backends)
def _pow_x1(F: Any, g: Any, out: Any, x1: Any, x2: Any) -> Any:
    if x2.__class__ is int and x2 == 2:  # (x1 + x1: exactly x1 * 2, and NumPy adds two arrays
        return F._strong_zero(g * (x1 + x1), g)  # faster than it multiplies by a Python scalar)
    if not isinstance(x2, (int, float)) or x2 == 0:  # the rule: tensor exponents, 0 at x2 = 0
        return NotImplemented
    return F._strong_zero(g * (x2 * F.pow(x1, x2 - 1)), g)


# (.T is every library's transpose of a matrix, an attribute: one call less for 2-D operands)
def _matmul_x1(F: Any, g: Any, out: Any, x1: Any, x2: Any) -> Any:
    if x1.ndim > 1:
        n2 = x2.ndim
        if n2 == 2:
            return F.matmul(g, x2.T)
        if n2 > 2:  # stacks of matrices
            return F._matmul_nt(g, x2)
    return NotImplemented  # vectors take the rule


def _matmul_x2(F: Any, g: Any, out: Any, x1: Any, x2: Any) -> Any:
    if x2.ndim > 1:
        n1 = x1.ndim
        if n1 == 2:
            return F.matmul(x1.T, g)
        if n1 > 2:
            return F._matmul_tn(x1, g)
    return NotImplemented


# nn.Linear on a stack (a sequence, a batch of sequences): x1 (..., M, K) @ mT(x2), x2 (N, K).
# The stack's rows taken as one matrix make one product where NumPy makes one per matrix of
# the stack (2-3x slower at a Transformer's or an RNN's sizes), and x2's gradient comes out
# summed over the stack, with no stack of products to add up. (Not on a chunked array, whose
# reshape would move its chunks.)
def _linear_x1(F: Any, g: Any, out: Any, x1: Any, x2: Any) -> Any:
    if g.ndim > 2 and x2.ndim == 2 and not hasattr(g, "chunks"):
        r = F.matmul(F.reshape(g, (-1, g.shape[-1])), x2)
        return F.reshape(r, (*g.shape[:-1], r.shape[-1]))
    return F.matmul(g, x2)


def _linear_x2(F: Any, g: Any, out: Any, x1: Any, x2: Any) -> Any:
    if g.ndim > 2 and x2.ndim == 2 and not hasattr(g, "chunks"):
        return F.matmul(F.reshape(g, (-1, g.shape[-1])).T, F.reshape(x1, (-1, x1.shape[-1])))
    return F._matmul_tn(g, x1)


def _clip_x(F: Any, g: Any, out: Any, x: Any, lo: Any, hi: Any) -> Any:
    # clamp(min=...) or clamp(max=...) with a number: the gradient passes where x is inside the
    # closed bound, as the rule (and PyTorch) has it
    if hi is None and lo.__class__ in _NUMBERS:
        return F._mask_grad(g, x >= lo)
    if lo is None and hi.__class__ in _NUMBERS:
        return F._mask_grad(g, x <= hi)
    return NotImplemented


_NUMBERS = (int, float)


def _spread_in_chunks(F: Any, g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """A reduction's cotangent spread over input ``x``; for a chunked (Dask) input, made in
    ``x``'s chunks, one small task per chunk. Spread as one chunk and split afterwards, it
    makes Dask's scheduler hold an extra chunk of every array the backward pass reads again
    (a design matrix), and sends the whole spread between a cluster's workers."""
    chunks = getattr(x, "chunks", None)
    if chunks is None:
        return _spread(g, x.shape, axis, keepdims, F)
    if _unknown(x.shape):  # (a length unknown, after a boolean mask: the rule spreads it)
        return NotImplemented
    gk = g if axis is None and g.ndim == 0 else _keep(g, x.shape, axis, keepdims, F.reshape)
    try:
        return F.broadcast_to(gk, x.shape, chunks=chunks)
    except (TypeError, ValueError):  # unknown chunks, or kept axes chunked otherwise than x's
        return F.broadcast_to(gk, x.shape)


def _sum(F: Any, g: Any, out: Any, x: Any, axis: Any, dtype: Any, keepdims: bool) -> Any:
    if axis is None and g.ndim == 0 and not hasattr(x, "chunks"):  # loss.sum(): one call
        return F.broadcast_to(g, x.shape)
    return _spread_in_chunks(F, g, x, axis, keepdims)


def _mean(F: Any, g: Any, out: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    if _unknown(x.shape):  # (a length unknown, after a boolean mask: the rule counts)
        return NotImplemented
    n = _count(x.shape, axis)  # divided before it is spread, as the table's rule
    return _spread_in_chunks(F, g / n if n else g, x, axis, keepdims)


def _log_softmax(F: Any, g: Any, out: Any, x: Any, axis: int) -> Any:
    p = F.exp(out)  # the softmax, a new array: scaled in place (an immutable array rebinds)
    p *= F.sum(g, axis=axis, keepdims=True)
    return g - p


def _layer_norm_stats(F: Any, x: Any, axes: Any, eps: float) -> tuple[Any, Any]:
    d = x - F.mean(x, axis=axes, keepdims=True)
    inv = (F.mean(d * d, axis=axes, keepdims=True) + eps) ** -0.5
    d *= inv  # (xhat, a new array: scaled in place, or rebound where arrays are immutable)
    return d, inv


def _layer_norm_x(F: Any, g: Any, out: Any, x: Any, w: Any, b: Any, axes: Any, eps: float) -> Any:
    xhat, inv = _layer_norm_stats(F, x, axes, eps)
    gh = g if w is None else g * w
    r = gh - F.mean(gh, axis=axes, keepdims=True)
    gh = gh * xhat
    xhat *= F.mean(gh, axis=axes, keepdims=True)
    r -= xhat
    r *= inv
    return r


def _layer_norm_w(F: Any, g: Any, out: Any, x: Any, w: Any, b: Any, axes: Any, eps: float) -> Any:
    return g * _layer_norm_stats(F, x, axes, eps)[0]


def _nll_loss(F: Any, g: Any, out: Any, x: Any, t: Any, **params: Any) -> Any:
    return F._nll_loss_backward(g, t, classes=x.shape[params["axis"]], **params)


def _cross_entropy(F: Any, g: Any, out: Any, x: Any, t: Any, **params: Any) -> Any:
    # from the forward's log-probabilities where the backend kept them (taken: a second
    # backward computes them)
    keep = params.pop("keep")
    logp = keep.pop() if keep else F._log_softmax(x, axis=params["axis"])
    return F._cross_entropy_backward(g, logp, t, **params)


def _embedding(F: Any, g: Any, out: Any, w: Any, ids: Any, padding_idx: Any) -> Any:
    return F._embedding_backward(g, ids, num_weights=w.shape[0], padding_idx=padding_idx)


def _gelu(F: Any, g: Any, out: Any, x: Any, approximate: str, keep: Any) -> Any:
    # the forward's CDF where the backend kept one (taken: a second backward computes it)
    cdf = keep.pop() if keep else None
    return F._gelu_backward(g, x, approximate=approximate, cdf=cdf)


def _take_x(F: Any, g: Any, out: Any, x: Any, indices: Any, axis: Any) -> Any:
    if axis is None:  # (the flattened input: the rule)
        return NotImplemented
    return F._scatter_add(g, (slice(None),) * (axis % x.ndim) + (indices,), tuple(x.shape))


FAST_FORMS: dict[str, tuple[Form | None, ...]] = {
    # element-wise, one input
    "negative": (lambda F, g, out, x: -g,),
    "square": (lambda F, g, out, x: F._strong_zero(g * (x + x), g),),
    "sqrt": (lambda F, g, out, x: g / (2 * out),),
    "exp": (lambda F, g, out, x: g * out,),
    "log": (lambda F, g, out, x: g / x,),
    "sin": (lambda F, g, out, x: g * F.cos(x),),
    "cos": (lambda F, g, out, x: -g * F.sin(x),),
    "tanh": (lambda F, g, out, x: g * (1 - out * out),),
    "relu": (lambda F, g, out, x: F._relu_backward(g, out),),
    "special.expit": (lambda F, g, out, x: g * (out * (1 - out)),),  # (sigmoid's)
    "clip": (_clip_x, None, None),
    # element-wise, two inputs
    "add": (lambda F, g, out, x1, x2: g, lambda F, g, out, x1, x2: g),
    "subtract": (lambda F, g, out, x1, x2: g, lambda F, g, out, x1, x2: -g),
    "multiply": (lambda F, g, out, x1, x2: g * x2, lambda F, g, out, x1, x2: g * x1),
    "divide": (lambda F, g, out, x1, x2: g / x2, lambda F, g, out, x1, x2: -g * (out / x2)),
    "pow": (_pow_x1, None),
    # the others
    "matmul": (_matmul_x1, _matmul_x2),
    # x1 @ mT(x2) (nn.Linear's x @ w.T): g @ x2 and mT(g) @ x1, the latter contiguous like x2
    "_matmul_nt": (_linear_x1, _linear_x2),
    "reshape": (lambda F, g, out, x, shape, copy: F.reshape(g, x.shape),),
    "squeeze": (lambda F, g, out, x, axis: F.reshape(g, x.shape),),
    "expand_dims": (lambda F, g, out, x, axis: F.reshape(g, x.shape),),
    "permute_dims": (lambda F, g, out, x, axes: F.permute_dims(g, _inverse_perm(axes)),),
    "take": (_take_x, None),
    "sum": (_sum,),
    "mean": (_mean,),
    "_log_softmax": (_log_softmax,),
    "_softmax": (lambda F, g, out, x, axis: out * (g - F.sum(g * out, axis=axis, keepdims=True)),),
    "_nll_loss": (_nll_loss, None),
    "_cross_entropy": (_cross_entropy, None),
    "_embedding": (_embedding, None),
    "_layer_norm": (_layer_norm_x, _layer_norm_w, lambda F, g, out, x, w, b, axes, eps: g),
    "_gelu": (_gelu,),
}


def _no_fast_form(F: Any, g: Any, out: Any, *inputs: Any, **params: Any) -> Any:
    return NotImplemented


def attach() -> None:
    """Give each op of the table its fast forms (``OpDef.fast``, read when a node is
    recorded); an input without one (None) gets a form that hands back NotImplemented, so
    that the engine calls every entry."""
    ops = table()
    for name, forms in FAST_FORMS.items():
        opdef = ops[name]
        if not opdef.rules or len(forms) != len(opdef.rules):
            raise ValueError(
                f"{name}: fast forms need one entry per rule ({len(opdef.rules)}); got {len(forms)}"
            )
        opdef.fast = tuple(_no_fast_form if f is None else f for f in forms)
