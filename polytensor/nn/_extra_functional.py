"""RMS normalisation and channel-wise and SELU-preserving dropout, as in
``torch.nn.functional``: ``rms_norm``, ``dropout1d``, ``alpha_dropout`` and
``feature_alpha_dropout``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short. Each
is PyTorch's computation written with the standard's operations, so it runs and differentiates
on every backend.
"""

from __future__ import annotations

import math
from typing import Any, cast

from .._ops.creation import zeros
from .._ops.data_types import astype
from .._ops.data_types import finfo as _finfo
from .._ops.elementwise import sqrt
from .._ops.statistical import mean as _mean
from .._tensor import Tensor
from ._errors import LayerArgumentError
from ._random import uniform_like as _uniform_like
from .functional import _floating, _in_place, _tensor

__all__ = [
    "alpha_dropout",
    "dropout1d",
    "feature_alpha_dropout",
    "rms_norm",
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
