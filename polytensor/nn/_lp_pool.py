"""Power-average pooling, as ``torch.nn.functional``'s ``lp_pool1d``, ``lp_pool2d`` and
``lp_pool3d`` and ``torch.nn``'s ``LPPool1d``, ``LPPool2d`` and ``LPPool3d``.

Each is PyTorch's formula on the existing pools: the average of ``x ** p`` over a window, times
the window's size, clipped at 0 where the average is negative (an odd ``p``), to the power
``1 / p``; ``p = inf`` is the maximum of ``abs(x)``, ``p = -inf`` its minimum. So values and
gradients are PyTorch's (a window whose sum is 0 has an infinite or NaN gradient there, as in
PyTorch), on every backend. ``polytensor.nn.functional`` and ``polytensor.nn`` re-export them.
"""

from __future__ import annotations

import math
from typing import Any, cast

from .._ops.elementwise import abs as _abs
from .._ops.elementwise import relu as _relu
from .._ops.elementwise import sign as _sign
from .._tensor import Tensor
from ._errors import LayerArgumentError
from ._pool3d import avg_pool3d, max_pool3d
from .functional import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from .module import Module

__all__ = ["LPPool1d", "LPPool2d", "LPPool3d", "lp_pool1d", "lp_pool2d", "lp_pool3d"]


def _window_size(kernel_size: Any, n: int, name: str) -> int:
    """The number of elements in a window of ``kernel_size`` (an int or ``n`` ints)."""
    if isinstance(kernel_size, int) and not isinstance(kernel_size, bool):
        return int(kernel_size**n)
    try:
        sizes = [int(k) for k in kernel_size]
    except (TypeError, ValueError):
        raise LayerArgumentError(
            f"{name}(): kernel_size must be an int or a tuple of {n} ints; got {kernel_size!r}"
        ) from None
    if len(sizes) != n and not (n > 1 and len(sizes) == 1):
        raise LayerArgumentError(
            f"{name}(): kernel_size must be an int or a tuple of {n} ints; got {kernel_size!r}"
        )
    return math.prod(sizes) if len(sizes) == n else sizes[0] ** n


def _lp_pool(
    name: str,
    n: int,
    avg: Any,
    mx: Any,
    input: Tensor,
    norm_type: float,
    kernel_size: Any,
    stride: Any,
    ceil_mode: bool,
) -> Tensor:
    size = _window_size(kernel_size, n, name)
    if isinstance(norm_type, (int, float)) and math.isinf(norm_type):
        if norm_type > 0:
            return cast(Tensor, mx(_abs(input), kernel_size, stride, 0, 1, ceil_mode))
        return cast(Tensor, -mx(-_abs(input), kernel_size, stride, 0, 1, ceil_mode))
    if stride is not None:
        out = avg(input**norm_type, kernel_size, stride, 0, ceil_mode)
    else:
        out = avg(input**norm_type, kernel_size, padding=0, ceil_mode=ceil_mode)
    return (_sign(out) * _relu(_abs(out)) * size) ** (1.0 / norm_type)


def lp_pool1d(
    input: Tensor,
    norm_type: float,
    kernel_size: int,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """1-D power-average pooling, as ``torch.nn.functional.lp_pool1d``: over each window,
    ``(sum of x ** p) ** (1 / p)`` (``p = norm_type``; ``inf`` takes the maximum of ``abs(x)``).
    ``stride`` defaults to ``kernel_size``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.lp_pool1d(pt.asarray([[[3.0, 4.0, 1.0, 0.0]]]), 2, 2)
    tensor([[[5., 1.]]], backend='numpy')
    """
    return _lp_pool(
        "lp_pool1d", 1, avg_pool1d, max_pool1d, input, norm_type, kernel_size, stride, ceil_mode
    )


def lp_pool2d(
    input: Tensor,
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """2-D power-average pooling, as ``torch.nn.functional.lp_pool2d``: over each window,
    ``(sum of x ** p) ** (1 / p)`` (``p = norm_type``; ``inf`` takes the maximum of ``abs(x)``).
    ``stride`` defaults to ``kernel_size``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.lp_pool2d(pt.ones((1, 1, 4, 4)), 1, 2)
    tensor([[[[4., 4.],
              [4., 4.]]]], backend='numpy')
    """
    return _lp_pool(
        "lp_pool2d", 2, avg_pool2d, max_pool2d, input, norm_type, kernel_size, stride, ceil_mode
    )


def lp_pool3d(
    input: Tensor,
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """3-D power-average pooling, as ``torch.nn.functional.lp_pool3d``: over each window,
    ``(sum of x ** p) ** (1 / p)`` (``p = norm_type``; ``inf`` takes the maximum of ``abs(x)``).
    ``stride`` defaults to ``kernel_size``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.lp_pool3d(pt.ones((1, 1, 2, 2, 2)), 1, 2).reshape(-1)
    tensor([8.], backend='numpy')
    """
    return _lp_pool(
        "lp_pool3d", 3, avg_pool3d, max_pool3d, input, norm_type, kernel_size, stride, ceil_mode
    )


class _LPPoolNd(Module):
    _fn: Any = None

    def __init__(
        self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
    ) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)  # type: ignore[no-any-return]

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """1-D power-average pooling, as ``torch.nn.LPPool1d`` (``F.lp_pool1d``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.LPPool1d(2, 3, stride=2)(pt.ones((1, 4, 9))).shape
    (1, 4, 4)
    >>> nn.LPPool1d(2, 3)
    LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)
    """

    _fn = staticmethod(lp_pool1d)


class LPPool2d(_LPPoolNd):
    """2-D power-average pooling, as ``torch.nn.LPPool2d`` (``F.lp_pool2d``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.LPPool2d(1.5, (3, 2), stride=(2, 1))(pt.ones((1, 4, 9, 8))).shape
    (1, 4, 4, 7)
    """

    _fn = staticmethod(lp_pool2d)


class LPPool3d(_LPPoolNd):
    """3-D power-average pooling, as ``torch.nn.LPPool3d`` (``F.lp_pool3d``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.LPPool3d(2, 2)(pt.ones((1, 2, 4, 4, 4))).shape
    (1, 2, 2, 2, 2)
    """

    _fn = staticmethod(lp_pool3d)
