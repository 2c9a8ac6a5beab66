"""Margin, embedding and likelihood losses and ``pairwise_distance``, as in
``torch.nn.functional``: ``margin_ranking_loss``, ``hinge_embedding_loss``,
``cosine_embedding_loss``, ``triplet_margin_loss``, ``multilabel_soft_margin_loss``,
``multi_margin_loss``, ``poisson_nll_loss`` and ``gaussian_nll_loss``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short. Each
is PyTorch's composition written with the standard's operations, so its gradients are
PyTorch's (a hinge ``max(z, 0)`` passes the gradient at ``z == 0`` where PyTorch's
``clamp_min`` does, and not where its kernel tests ``z > 0``).
"""

from __future__ import annotations

import math
from typing import Any, cast

from .. import _dtypes as _dt
from .._ops.creation import arange
from .._ops.elementwise import abs as _abs
from .._ops.elementwise import exp, isnan, log, minimum
from .._ops.indexing import check_index as _check_index
from .._ops.indexing import check_range, take, take_along_axis
from .._ops.linalg import vector_norm
from .._ops.manipulation import expand_dims, reshape
from .._ops.searching import where
from .._ops.statistical import any as _any
from .._ops.statistical import sum as _sum
from .._tape import name_node
from .._tensor import Tensor
from ._errors import LayerArgumentError
from ._losses import legacy_reduction
from .functional import _floating, _reduce, _tensor, logsigmoid

__all__ = [
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_soft_margin_loss",
    "pairwise_distance",
    "poisson_nll_loss",
    "triplet_margin_loss",
]


def _hinge(z: Tensor) -> Tensor:
    """``max(z, 0)`` with PyTorch's ``clamp_min`` gradient (passed at ``z == 0``)."""
    return z.clamp(min=0.0)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """The ``p``-norm of ``x1 - x2 + eps`` along the last dimension (the inputs broadcast
    together), as ``torch.nn.functional.pairwise_distance``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.pairwise_distance(pt.asarray([[3.0, 0.0]]), pt.asarray([[0.0, 4.0]]), eps=0.0)
    tensor([5.], backend='numpy')
    """
    where_ = "pairwise_distance"
    a, b = _tensor(x1, where_, "x1"), _tensor(x2, where_, "x2")
    _floating(a, where_, "x1", real=True)
    _floating(b, where_, "x2", real=True)
    if max(a.ndim, b.ndim) == 0:  # (two scalars: the distance of two numbers)
        return _abs(a - b + eps)
    return cast("Tensor", vector_norm(a - b + eps, axis=-1, keepdims=keepdim, ord=float(p)))


def _reduced(loss: Tensor, size_average: Any, reduce: Any, reduction: str, where_: str) -> Tensor:
    return _reduce(loss, legacy_reduction(size_average, reduce, reduction), where_)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``, ``target`` being 1 or -1, as
    ``torch.nn.functional.margin_ranking_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.margin_ranking_loss(pt.asarray([1.0, 2.0]), pt.asarray([2.0, 1.0]), pt.ones(2))
    tensor(0.5, backend='numpy')
    """
    where_ = "margin_ranking_loss"
    a, b = _tensor(input1, where_, "input1"), _tensor(input2, where_, "input2")
    t = _tensor(target, where_, "target")
    if not a.ndim == b.ndim == t.ndim:
        raise LayerArgumentError(
            f"margin_ranking_loss(): All input tensors should have same dimension but got "
            f"sizes: input1: {list(a.shape)}, input2: {list(b.shape)}, target: {list(t.shape)}"
        )
    loss = _hinge(-t * (a - b) + margin)
    return _reduced(loss, size_average, reduce, reduction, where_)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1, as
    ``torch.nn.functional.hinge_embedding_loss`` (other targets add both).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.hinge_embedding_loss(pt.asarray([0.5, 0.25]), pt.asarray([1.0, -1.0]), reduction="sum")
    tensor(1.25, backend='numpy')
    """
    where_ = "hinge_embedding_loss"
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    # (zeros, not x * 0.0, which is NaN where x is infinite: PyTorch's zeros_like)
    loss = where(t != 1, _hinge(margin - x), 0.0) + where(t != -1, x, 0.0)
    return _reduced(loss, size_average, reduce, reduction, where_)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(input1, input2)`` where ``target`` is 1, ``max(0, cos - margin)`` where it
    is -1, the cosine along the last dimension, as
    ``torch.nn.functional.cosine_embedding_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> a, b = pt.asarray([[1.0, 0.0], [1.0, 0.0]]), pt.asarray([[0.0, 1.0], [1.0, 1.0]])
    >>> F.cosine_embedding_loss(a, b, pt.asarray([1.0, -1.0]), reduction="none")
    tensor([1.        , 0.70710677], backend='numpy')
    """
    where_ = "cosine_embedding_loss"
    a, b = _tensor(input1, where_, "input1"), _tensor(input2, where_, "input2")
    t = _tensor(target, where_, "target")
    if t.ndim > 1:
        raise LayerArgumentError(
            f"cosine_embedding_loss(): 0D or 1D target tensor expected, multi-target not "
            f"supported; got a target of shape {list(t.shape)}"
        )
    if a.ndim != t.ndim + 1 or b.ndim != t.ndim + 1:
        raise LayerArgumentError(
            f"cosine_embedding_loss(): {t.ndim}D target tensor expects {t.ndim + 1}D input "
            f"tensors, but found inputs with sizes {list(a.shape)} and {list(b.shape)}"
        )
    eps = 1e-12  # (PyTorch's, added to each squared norm)
    dim = t.ndim
    prod = _sum(a * b, axis=dim)
    cos = prod / ((_sum(a * a, axis=dim) + eps) * (_sum(b * b, axis=dim) + eps)) ** 0.5
    zeros = cos * 0.0
    loss = where(t == 1, 1 - cos, zeros) + where(t == -1, _hinge(cos - margin), zeros)
    return _reduced(loss, size_average, reduce, reduction, where_)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with ``d`` the
    ``pairwise_distance`` (``swap``: the smaller of ``d(anchor, negative)`` and
    ``d(positive, negative)``), as ``torch.nn.functional.triplet_margin_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> a, p, n = pt.zeros((1, 2)), pt.asarray([[0.0, 1.0]]), pt.asarray([[0.0, 1.5]])
    >>> round(float(F.triplet_margin_loss(a, p, n, eps=0.0)), 4)
    0.5
    """
    where_ = "triplet_margin_loss"
    a = _tensor(anchor, where_, "anchor")
    pos = _tensor(positive, where_, "positive")
    neg = _tensor(negative, where_, "negative")
    if not (a.ndim == pos.ndim == neg.ndim) or a.ndim not in (1, 2):
        raise LayerArgumentError(
            f"triplet_margin_loss(): The anchor, positive, and negative tensors are expected to "
            f"have the same number of dimensions, 1 or 2, but got: anchor {a.ndim}D, positive "
            f"{pos.ndim}D, and negative {neg.ndim}D inputs"
        )
    if not margin > 0:
        raise ValueError(
            f"triplet_margin_loss(): margin must be greater than 0, got {margin}; give a "
            f"positive margin"
        )
    d_pos = pairwise_distance(a, pos, p, eps)
    d_neg = pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(pos, neg, p, eps))
    return _reduced(_hinge(margin + d_pos - d_neg), size_average, reduce, reduction, where_)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The binary cross entropy of ``sigmoid(input)`` and 0/1 ``target``, averaged over the
    classes (the last dimension), as ``torch.nn.functional.multilabel_soft_margin_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> round(float(F.multilabel_soft_margin_loss(pt.zeros((1, 3)), pt.ones((1, 3)))), 4)
    0.6931
    """
    where_ = "multilabel_soft_margin_loss"
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    _floating(x, where_, real=True)
    loss = -(t * logsigmoid(x) + (1 - t) * logsigmoid(-x))
    if weight is not None:
        loss = loss * _tensor(weight, where_, "weight")
    classes = x.shape[-1] if x.ndim else 1
    loss = _sum(loss, axis=-1) / classes if x.ndim else loss
    return _reduced(loss, size_average, reduce, reduction, where_)


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The multi-class hinge loss of class scores ``input`` (C) or (N, C) and class indices
    ``target``: ``sum over j != y of max(0, margin - x[y] + x[j]) ** p / C``, times
    ``weight[y]``, as ``torch.nn.functional.multi_margin_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.asarray([[0.1, 0.2, 0.4, 0.8]])
    >>> round(float(F.multi_margin_loss(x, pt.asarray([3]))), 4)
    0.325
    """
    where_ = "multi_margin_loss"
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    _floating(x, where_, real=True)
    if p not in (1, 2) or isinstance(p, bool):
        raise ValueError(f"multi_margin_loss(): only p == 1 and p == 2 supported; got p={p!r}")
    if t.dtype not in (_dt.int32, _dt.int64):
        raise LayerArgumentError(
            f"multi_margin_loss(): expected the target to hold class indices (int64); got "
            f"{t.dtype.name}"
        )
    if x.ndim not in (1, 2) or (x.ndim == 2 and t.ndim != 1) or (x.ndim == 1 and t.ndim > 1):
        raise LayerArgumentError(
            f"multi_margin_loss(): Expected non-empty vector or matrix with optional 0-dim "
            f"batch size, and a target of one class index per row, but got input of shape "
            f"{list(x.shape)} and target of shape {list(t.shape)}"
        )
    rows = x if x.ndim == 2 else expand_dims(x, axis=0)
    c = rows.shape[1]
    if c is None:
        raise ValueError(f"{where_}() of a tensor with unknown (lazy) shape; compute it first")
    ids = _check_index(reshape(t, (-1,)), size=c, ignore=None, where=where_, what="target")
    if rows.shape[0] != ids.shape[0]:
        raise LayerArgumentError(
            f"multi_margin_loss(): inconsistent target size: got {list(t.shape)} for an input "
            f"of shape {list(x.shape)}"
        )
    col = expand_dims(ids, axis=1)
    z = margin - take_along_axis(rows, col, axis=1) + rows
    others = arange(c, dtype=ids.dtype, device=x.device) != col
    # (z > 0, not z >= 0: PyTorch's kernel adds a class only where its margin is positive)
    # (the square sees only the margins it is used for: at an infinite one outside, its
    # gradient, masked by where, would be 0 * inf = NaN)
    zp = where(others & (z > 0), z, 0.0)
    h = zp if p == 1 else zp * zp
    if weight is not None:
        w = _tensor(weight, where_, "weight")
        h = h * expand_dims(take(w, ids, axis=0), axis=1)
    loss = _sum(h, axis=1) / c
    if x.ndim == 1:
        loss = reshape(loss, tuple(t.shape))
    reduced = _reduced(loss, size_average, reduce, reduction, where_)
    return name_node(reduced, "MultiMarginLossBackward0")


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of ``target`` under a Poisson distribution of rate
    ``exp(input)`` (``log_input``) or ``input``: ``exp(input) - target * input``, or
    ``input - target * log(input + eps)``; ``full`` adds Stirling's approximation of
    ``log(target!)`` where ``target > 1``, as ``torch.nn.functional.poisson_nll_loss``.

    Note: with ``full``, the gradient with respect to a target of 0 is finite here, where
    PyTorch's is NaN (it differentiates ``target * log(target)`` before masking it).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.poisson_nll_loss(pt.zeros(2), pt.asarray([1.0, 2.0]))
    tensor(1., backend='numpy')
    """
    where_ = "poisson_nll_loss"
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    _floating(x, where_, real=True)
    loss = exp(x) - t * x if log_input else x - t * log(x + eps)
    if full:
        big = t > 1
        safe = where(big, t, 2.0)  # (no log of 0 in the targets that add nothing)
        stirling = safe * log(safe) - safe + 0.5 * log(2 * math.pi * safe)
        loss = loss + where(big, stirling, 0.0)
    return _reduced(loss, size_average, reduce, reduction, where_)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of ``target`` under normal distributions of mean
    ``input`` and variance ``var``: ``0.5 * (log(var) + (input - target) ** 2 / var)`` (plus
    ``0.5 * log(2 * pi)`` with ``full``), the variance clamped at ``eps`` (its gradient
    passed as if unclamped), as ``torch.nn.functional.gaussian_nll_loss``. ``var`` has the
    input's shape, or one fewer or a last dimension of 1 (one variance per row), or is a
    float.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.gaussian_nll_loss(pt.asarray([1.0, 2.0]), pt.asarray([1.0, 4.0]), pt.ones(2))
    tensor(1., backend='numpy')
    """
    where_ = "gaussian_nll_loss"
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    _floating(x, where_, real=True)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("gaussian_nll_loss(): var has negative entry/entries")
        v = x.detach() * 0.0 + float(var)
    else:
        v = _tensor(var, where_, "var")
        if tuple(v.shape) != tuple(x.shape):
            if tuple(x.shape[:-1]) == tuple(v.shape):
                v = expand_dims(v, axis=-1)
            elif not (tuple(x.shape[:-1]) == tuple(v.shape[:-1]) and v.shape[-1] == 1):
                raise ValueError(
                    f"gaussian_nll_loss(): var is of incorrect size {list(v.shape)} for an "
                    f"input of shape {list(x.shape)}; give the input's shape, or one without "
                    f"its last dimension"
                )
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    negative = "gaussian_nll_loss(): var has negative entry/entries"
    vd = v.detach()
    clamped = vd
    if v._backend.lazy:  # (checked inside the graph: refused when computed; NaN passes)
        clamped = check_range(where(isnan(vd), 0.0, vd), low=0, high=None, message=negative)
    elif bool(_any(v < 0)):
        raise ValueError(negative)
    # PyTorch clamps a copy of var without recording it: the gradient passes unchanged (a
    # NaN variance stays NaN: v - vd is)
    v = v + (clamped.clamp(min=eps) - vd)
    d = x - t
    loss = 0.5 * (log(v) + d * d / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction, where_)
