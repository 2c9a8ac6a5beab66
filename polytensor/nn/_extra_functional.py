"""RMS normalisation, channel-wise and SELU-preserving dropout, three more losses, ``pdist`` and
the deprecated ``upsample`` aliases of ``interpolate``, as in ``torch.nn.functional``:
``rms_norm``, ``dropout1d``, ``alpha_dropout``, ``feature_alpha_dropout``, ``soft_margin_loss``,
``multilabel_margin_loss``, ``triplet_margin_with_distance_loss``, ``pdist``, ``upsample``,
``upsample_nearest`` and ``upsample_bilinear``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short. Each
is PyTorch's computation written with the standard's operations, so it runs and differentiates
on every backend.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, cast

from .. import _dtypes as _dt
from .._ops.creation import arange, asarray, zeros
from .._ops.data_types import astype
from .._ops.data_types import finfo as _finfo
from .._ops.elementwise import abs as _abs
from .._ops.elementwise import exp, log1p, minimum, sqrt
from .._ops.indexing import check_index as _check_index
from .._ops.indexing import take, take_along_axis
from .._ops.linalg import vector_norm
from .._ops.manipulation import expand_dims, reshape
from .._ops.searching import where
from .._ops.statistical import any as _any
from .._ops.statistical import cumulative_sum
from .._ops.statistical import max as _max
from .._ops.statistical import mean as _mean
from .._ops.statistical import sum as _sum
from .._tape import name_node
from .._tensor import Tensor
from ..autograd import is_grad_enabled
from ._errors import LayerArgumentError
from ._losses import legacy_reduction
from ._margin_losses import pairwise_distance as _pairwise_distance
from ._random import uniform_like as _uniform_like
from ._resample import interpolate
from .functional import _floating, _in_place, _reduce, _tensor

__all__ = [
    "alpha_dropout",
    "dropout1d",
    "feature_alpha_dropout",
    "multilabel_margin_loss",
    "pdist",
    "rms_norm",
    "soft_margin_loss",
    "triplet_margin_with_distance_loss",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]

# SELU's alpha, the constant of PyTorch's alpha dropout (``torch.nn.functional.selu``'s alpha
# times its scale).
_SELU_ALPHA = 1.7580993408473766


# -- normalisation --------------------------------------------------------------------------------
def rms_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """PyTorch's ``F.rms_norm``: ``x / sqrt(mean(x ** 2) + eps)`` over the last dimensions,
    ``normalized_shape``, times ``weight`` if given. ``eps`` None is the machine epsilon of the
    input's dtype (``pt.finfo(dtype).eps``). The result has the input's dtype.
    Differentiable to any order.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.rms_norm(pt.asarray([[3.0, 4.0]]), (2,), eps=0.0) * 12.5 ** 0.5
    tensor([[3., 4.]], backend='numpy')
    """
    where_ = "rms_norm"
    x = _tensor(input, where_)
    _floating(x, where_, real=True)
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(
            f"rms_norm(): normalized_shape must be a tuple of ints; got "
            f"{type(normalized_shape).__name__} (write (n,) for one dimension)"
        )
    shape = tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise LayerArgumentError(
            f"rms_norm(): given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(n) for n in shape)}], but got input of size {list(x.shape)}"
        )
    if eps is None:
        eps = float(_finfo(x.dtype).eps)
    axes = tuple(range(x.ndim - k, x.ndim))
    out = x / sqrt(_mean(x * x, axis=axes, keepdims=True) + eps)
    if weight is not None:
        w = _tensor(weight, where_, "weight")
        if tuple(w.shape) != shape:
            raise LayerArgumentError(
                f"rms_norm(): expected weight to be of same shape as normalized_shape "
                f"{list(shape)}; got weight of shape {list(w.shape)}"
            )
        out = out * w
    # (a weight of another dtype: the product cast back to the input's, as PyTorch's)
    return out if out.dtype == x.dtype else astype(out, x.dtype)


# -- dropout --------------------------------------------------------------------------------------
def _probability(p: Any, where_: str) -> None:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(
            f"{where_}(): dropout probability has to be between 0 and 1, but got {p!r}"
        )


def _lazy_shape(x: Tensor, where_: str) -> None:
    if None in x.shape:
        raise ValueError(
            f"{where_}() of a tensor with unknown (lazy) shape {x.shape}; call pt.compute(x) first"
        )


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels with probability ``p`` and scale the others by ``1 / (1 - p)``, as
    ``torch.nn.functional.dropout1d``: one draw for every (sample, channel) pair of an
    (N, C, L) input, or for every channel of an unbatched (C, L) one. Outside training, the
    input is returned.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> _ = pt.manual_seed(0)
    >>> y = F.dropout1d(pt.ones((4, 8, 3)), p=0.5)
    >>> sorted(set(y.flatten().tolist()))
    [0.0, 2.0]
    >>> bool((y == y[:, :, :1]).all())  # one draw for each channel of each sample
    True
    """
    where_ = "dropout1d"
    x = _tensor(input, where_)
    _probability(p, where_)
    if x.ndim not in (2, 3):
        raise LayerArgumentError(
            f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. Note that "
            f"dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            f"dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            f"inputs); use F.dropout for element-wise dropout"
        )
    if not training or p == 0.0:  # (PyTorch's returns the input here, in place or not)
        return x
    _floating(x, where_)
    _lazy_shape(x, where_)
    if p == 1.0:
        mask: Any = 0.0
    else:
        shape = (*x.shape[:-1], 1)
        draws = _uniform_like(zeros(shape, dtype=x.dtype, device=x.device), 0.0, 1.0)
        mask = astype(draws >= p, x.dtype) * (1.0 / (1.0 - p))
    if inplace:
        return _in_place(x, lambda v: v * mask, "dropout1d_")
    return cast("Tensor", x * mask)


def _alpha_dropout(
    x: Tensor, p: float, training: bool, inplace: bool, feature: bool, where_: str
) -> Tensor:
    """PyTorch's alpha dropout: a kept element becomes ``a * x + alpha * a * p``, a dropped
    one ``alpha * a * (p - 1)`` (SELU's negative saturation, shifted and scaled so that inputs
    of mean 0 and variance 1 keep them), ``a = 1 / sqrt((alpha ** 2 * p + 1) * (1 - p))``;
    ``feature``: one draw per (sample, channel) pair."""
    _probability(p, where_)
    if not training or p == 0.0:  # (PyTorch's returns the input here, in place or not)
        return x
    if feature and x.ndim < 2:
        raise LayerArgumentError(
            f"{where_}(): Feature dropout requires at least 2 dimensions in the input; got "
            f"shape {x.shape}; use F.alpha_dropout for element-wise dropout"
        )
    _floating(x, where_)
    _lazy_shape(x, where_)
    if p == 1.0:  # (PyTorch multiplies by zero: an infinite input gives NaN)
        scale: Any = 0.0
        shift: Any = 0.0
    else:
        shape = (*x.shape[:2], *(1,) * (x.ndim - 2)) if feature else tuple(x.shape)
        draws = _uniform_like(zeros(shape, dtype=x.dtype, device=x.device), 0.0, 1.0)
        keep = astype(draws >= p, x.dtype)
        a = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
        scale = keep * a
        shift = (keep - 1) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p
    if inplace:
        return _in_place(x, lambda v: v * scale + shift, f"{where_}_")
    return cast("Tensor", x * scale + shift)


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Dropout that keeps the mean and variance of SELU's outputs, as
    ``torch.nn.functional.alpha_dropout``: each element is dropped with probability ``p`` to
    SELU's negative saturation value, and the result is scaled and shifted back to mean 0 and
    variance 1 (for an input of mean 0 and variance 1). Note ``training=False`` by default, as
    PyTorch's: the input is returned unless ``training=True``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> _ = pt.manual_seed(0)
    >>> y = F.alpha_dropout(pt.zeros(1000), p=0.5, training=True)
    >>> sorted(round(v, 4) for v in set(y.tolist()))
    [-0.7792, 0.7792]
    """
    x = _tensor(input, "alpha_dropout")
    return _alpha_dropout(x, p, training, inplace, False, "alpha_dropout")


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Alpha dropout of whole channels, as ``torch.nn.functional.feature_alpha_dropout``: one
    draw for every (sample, channel) pair of an (N, C, ...) input (see ``alpha_dropout``).
    Note ``training=False`` by default, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> _ = pt.manual_seed(0)
    >>> y = F.feature_alpha_dropout(pt.zeros((4, 8, 3)), p=0.5, training=True)
    >>> bool((y == y[:, :, :1]).all())  # one draw for each channel of each sample
    True
    """
    x = _tensor(input, "feature_alpha_dropout")
    return _alpha_dropout(x, p, training, inplace, True, "feature_alpha_dropout")


# -- losses ---------------------------------------------------------------------------------------
def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The two-class logistic loss ``log(1 + exp(-target * input))``, ``target`` being 1 or
    -1 (the two broadcast together), as ``torch.nn.functional.soft_margin_loss``.

    A target that requires grad is refused while grad mode is on (``RuntimeError``), as
    PyTorch refuses it: the loss is not differentiable with respect to the target.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> round(float(F.soft_margin_loss(pt.zeros(2), pt.asarray([1.0, -1.0]))), 4)
    0.6931
    """
    where_ = "soft_margin_loss"
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    _floating(x, where_, real=True)
    if t.requires_grad and is_grad_enabled():
        raise RuntimeError(
            "soft_margin_loss() is not differentiable with respect to argument 'target', "
            "which requires grad; pass target.detach()"
        )
    loss = log1p(exp(-t * x))  # (PyTorch's formula, as it computes it)
    reduced = _reduce(loss, legacy_reduction(size_average, reduce, reduction), where_)
    return name_node(reduced, "SoftMarginLossBackward0")


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The multi-label hinge loss of class scores ``input`` (C) or (N, C) and targets of the
    same shape holding each row's target classes, padded with -1 after the last one: ``sum
    over targets j and non-targets i of max(0, 1 - (x[j] - x[i])) / C``, as
    ``torch.nn.functional.multilabel_margin_loss``.

    Note: a target outside [-1, C) raises an IndexError (PyTorch's is a RuntimeError), as
    polytensor's other losses of class indices do, and int32 targets are taken as well as int64.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.asarray([[0.1, 0.2, 0.4, 0.8]])
    >>> round(float(F.multilabel_margin_loss(x, pt.asarray([[3, 0, -1, 1]]))), 4)
    0.85
    """
    where_ = "multilabel_margin_loss"
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    _floating(x, where_, real=True)
    if t.dtype not in (_dt.int32, _dt.int64):
        raise LayerArgumentError(
            f"multilabel_margin_loss(): expected the target to hold class indices (int64); got "
            f"{t.dtype.name}"
        )
    if x.ndim > 2:
        raise LayerArgumentError(
            f"multilabel_margin_loss(): Expected non-empty vector or matrix with optional 0-dim "
            f"batch size, but got: {list(x.shape)}"
        )
    if (x.ndim == 0 and t.ndim > 1) or (x.ndim > 0 and tuple(t.shape) != tuple(x.shape)):
        raise LayerArgumentError(
            f"multilabel_margin_loss(): inconsistent target size: {list(t.shape)} for input of "
            f"size: {list(x.shape)}; give a target of the input's shape, padded with -1"
        )
    rows = reshape(x, (1, 1)) if x.ndim == 0 else x if x.ndim == 2 else expand_dims(x, axis=0)
    ids = reshape(t, tuple(rows.shape))
    c = rows.shape[1]
    if c is None:
        raise ValueError(f"{where_}() of a tensor with unknown (lazy) shape; compute it first")
    ids = _check_index(ids, size=c, ignore=-1, where=where_, what="target")
    # a target slot counts until the first -1 of its row
    valid = cumulative_sum(astype(ids == -1, _dt.int64), axis=1) == 0
    safe = where(valid, ids, 0)
    classes = arange(c, dtype=ids.dtype, device=x.device)
    is_target = _any(expand_dims(valid, axis=2) & (expand_dims(safe, axis=2) == classes), axis=1)
    scores = take_along_axis(rows, safe, axis=1)  # (N, slots)
    z = 1.0 - expand_dims(scores, axis=2) + expand_dims(rows, axis=1)  # (N, slots, C)
    counted = expand_dims(valid, axis=2) & ~expand_dims(is_target, axis=1)
    # (z > 0, not z >= 0: PyTorch's kernel adds a pair only where its margin is positive)
    loss = _sum(where(counted & (z > 0), z, 0.0), axis=(1, 2)) / c
    if x.ndim < 2:
        loss = reshape(loss, ())
    return _reduce(loss, legacy_reduction(size_average, reduce, reduction), where_)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(anchor, positive) - d(anchor, negative))`` with ``d`` the given
    ``distance_function`` (``F.pairwise_distance`` when None; ``swap``: the smaller of
    ``d(anchor, negative)`` and ``d(positive, negative)``), as
    ``torch.nn.functional.triplet_margin_with_distance_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> a, p, n = pt.zeros((1, 2)), pt.asarray([[0.0, 1.0]]), pt.asarray([[0.0, 1.5]])
    >>> l1 = lambda u, v: (u - v).abs().sum(-1)
    >>> F.triplet_margin_with_distance_loss(a, p, n, distance_function=l1)
    tensor(0.5, backend='numpy')
    """
    where_ = "triplet_margin_with_distance_loss"
    a = _tensor(anchor, where_, "anchor")
    pos = _tensor(positive, where_, "positive")
    neg = _tensor(negative, where_, "negative")
    if not margin > 0:
        raise ValueError(
            f"{where_}(): margin must be greater than 0, got {margin}; give a positive margin"
        )
    if not a.ndim == pos.ndim == neg.ndim:
        raise LayerArgumentError(
            f"{where_}(): The anchor, positive, and negative tensors are expected to have the "
            f"same number of dimensions, but got: anchor {a.ndim}D, positive {pos.ndim}D, and "
            f"negative {neg.ndim}D inputs"
        )
    d = _pairwise_distance if distance_function is None else distance_function
    d_pos = d(a, pos)
    d_neg = d(a, neg)
    if swap:
        d_neg = minimum(d_neg, d(pos, neg))
    return _reduce((margin + d_pos - d_neg).clamp(min=0.0), reduction, where_)


# -- distances ------------------------------------------------------------------------------------
def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The ``p``-norm distances between every pair of rows of the (N, M) ``input``, as
    ``torch.nn.functional.pdist``: the N * (N - 1) / 2 distances of the pairs (i, j), i < j,
    in row-major order (the upper triangle of the distance matrix). ``p`` 0 counts the
    differing coordinates. Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.pdist(pt.asarray([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
    tensor([ 5., 10.,  5.], backend='numpy')
    """
    where_ = "pdist"
    x = _tensor(input, where_)
    if x.ndim != 2:
        raise LayerArgumentError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    _floating(x, where_, real=True)
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not p >= 0:
        raise LayerArgumentError(f"pdist only supports non-negative p values; got p={p!r}")
    n = x.shape[0]
    if n is None:
        raise ValueError(f"pdist() of a tensor with unknown (lazy) shape {x.shape}; compute it")
    firsts = [i for i in range(n) for _ in range(i + 1, n)]
    seconds = [j for i in range(n) for j in range(i + 1, n)]
    rows_i = take(x, asarray(firsts, dtype=_dt.int64, device=x.device), axis=0)
    rows_j = take(x, asarray(seconds, dtype=_dt.int64, device=x.device), axis=0)
    diff = rows_i - rows_j
    if p == math.inf:
        # Note: PyTorch's gradient goes in full to each coordinate that ties for the largest
        # difference (vector_norm's would share it among them): the largest, held fixed, plus
        # the ties' differences from it, each 0 in value.
        mag = _abs(diff)
        top = _max(mag.detach(), axis=1, keepdims=True)
        return reshape(top, (-1,)) + _sum(where(mag == top, mag - top, 0.0), axis=1)
    # (ord 0 counts the differing coordinates, with a zero gradient, as PyTorch's)
    return cast("Tensor", vector_norm(diff, axis=1, ord=float(p)))


# -- deprecated aliases of interpolate ------------------------------------------------------------
def _deprecated(name: str) -> None:
    warnings.warn(
        f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.",
        UserWarning,
        stacklevel=3,
    )


def upsample(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """``F.interpolate`` under its old name, with PyTorch's deprecation warning, as
    ``torch.nn.functional.upsample``.

    Examples
    --------
    >>> import warnings
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     F.upsample(pt.ones((1, 1, 2)), scale_factor=2).shape
    (1, 1, 4)
    """
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``F.interpolate(input, size, scale_factor, mode="nearest")``, with PyTorch's deprecation
    warning, as ``torch.nn.functional.upsample_nearest``.

    Examples
    --------
    >>> import warnings
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     F.upsample_nearest(pt.asarray([[[1.0, 2.0]]]), size=4)
    tensor([[[1., 1., 2., 2.]]], backend='numpy')
    """
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """``F.interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)`` of an
    (N, C, H, W) input, with PyTorch's deprecation warning, as
    ``torch.nn.functional.upsample_bilinear``.

    Examples
    --------
    >>> import warnings
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     F.upsample_bilinear(pt.asarray([[[[0.0, 3.0]]]]), size=(1, 4))
    tensor([[[[0., 1., 2., 3.]]]], backend='numpy')
    """
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
