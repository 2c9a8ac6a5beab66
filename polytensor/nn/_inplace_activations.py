"""PyTorch's in-place activation functions, ``F.relu_(x)`` and the like: each the function
with ``inplace=True``, writing into ``x`` (as the in-place methods write: versions, the
refusal of a leaf that requires grad, a view's base) and returning it. ``torch.selu_``,
``torch.celu_``, ``torch.rrelu_`` and ``torch.threshold_`` are these too (``pt.selu_``, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._activations import celu, rrelu, selu
from ._activations import threshold as _threshold
from .functional import elu, hardtanh, leaky_relu, relu

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "celu_",
    "elu_",
    "hardtanh_",
    "leaky_relu_",
    "relu_",
    "rrelu_",
    "selu_",
    "threshold_",
]


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``: ``F.relu(x, inplace=True)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.asarray([-1.0, 2.0])
    >>> F.relu_(x) is x, x.tolist()
    (True, [0.0, 2.0])
    """
    return relu(input, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``elu``: ``F.elu(x, alpha, inplace=True)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.asarray([0.0, 2.0])
    >>> F.elu_(x) is x
    True
    """
    return elu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place ``leaky_relu``: ``F.leaky_relu(x, negative_slope, inplace=True)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.asarray([-1.0, 2.0])
    >>> F.leaky_relu_(x, 0.5).tolist()
    [-0.5, 2.0]
    """
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place ``hardtanh``: ``F.hardtanh(x, min_val, max_val, inplace=True)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.hardtanh_(pt.asarray([-3.0, 0.5, 3.0])).tolist()
    [-1.0, 0.5, 1.0]
    """
    return hardtanh(input, min_val, max_val, inplace=True)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu``: ``F.selu(x, inplace=True)`` (also ``pt.selu_``, as ``torch.selu_``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([0.0, 1.0])
    >>> pt.selu_(x) is x
    True
    """
    return selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu``: ``F.celu(x, alpha, inplace=True)`` (also ``pt.celu_``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([0.0, 1.0])
    >>> pt.celu_(x, 2.0) is x
    True
    """
    return celu(input, alpha, inplace=True)


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    """In-place ``rrelu``: ``F.rrelu(x, lower, upper, training, inplace=True)`` (also
    ``pt.rrelu_``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([-3.0, 1.0])
    >>> pt.rrelu_(x, 0.5, 0.5).tolist()
    [-1.5, 1.0]
    """
    return rrelu(input, lower, upper, training, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold``: ``F.threshold(x, threshold, value, inplace=True)`` (also
    ``pt.threshold_``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.threshold_(pt.asarray([0.5, 2.0]), 1.0, -1.0).tolist()
    [-1.0, 2.0]
    """
    return _threshold(input, threshold, value, inplace=True)
