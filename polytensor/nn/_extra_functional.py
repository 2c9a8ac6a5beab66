"""RMS normalisation, as in ``torch.nn.functional``: ``rms_norm``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short. Each
is PyTorch's computation written with the standard's operations, so it runs and differentiates
on every backend.
"""

from __future__ import annotations

from typing import Any

from .._ops.data_types import astype
from .._ops.data_types import finfo as _finfo
from .._ops.elementwise import sqrt
from .._ops.statistical import mean as _mean
from .._tensor import Tensor
from ._errors import LayerArgumentError
from .functional import _floating, _tensor

__all__ = [
    "rms_norm",
]


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
