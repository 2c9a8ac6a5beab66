"""The 3-D layers: ``Conv3d``, ``ConvTranspose3d``, ``MaxPool3d``, ``AvgPool3d``,
``AdaptiveAvgPool3d``, ``AdaptiveMaxPool3d``, ``BatchNorm3d``, ``InstanceNorm3d`` and
``Dropout3d``, as PyTorch's.

``polytensor.nn`` exports these; each is a thin module over its function in ``nn.functional``.
"""

from __future__ import annotations

import math
from typing import Any

from .._ops.creation import empty
from .._tensor import Tensor
from . import functional as F
from . import init
from ._conv3d import _triple
from ._more_layers import _AdaptiveMaxPoolNd, _ConvTransposeNd
from ._norm_layers import InstanceNorm1d
from .module import Module
from .modules import (
    Dropout,
    _BatchNorm,
    check_channels,
    padded_conv,
    padding_mode_amounts,
)
from .parameter import Parameter

__all__ = [
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool3d",
    "AvgPool3d",
    "BatchNorm3d",
    "Conv3d",
    "ConvTranspose3d",
    "Dropout3d",
    "InstanceNorm3d",
    "MaxPool3d",
]


class Conv3d(Module):
    """3-D convolution (cross-correlation) over (N, C, D, H, W) inputs, as ``torch.nn.Conv3d``.

    Weights have shape (out_channels, in_channels / groups, kD, kH, kW) and PyTorch's default
    initialisation (``kaiming_uniform_(a=sqrt(5))``, bias from U(-1/sqrt(fan_in),
    1/sqrt(fan_in))). ``padding_mode`` ``'reflect'``, ``'replicate'`` or ``'circular'`` pads
    the input with ``F.pad`` before a convolution without padding, as PyTorch's does.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> conv = nn.Conv3d(2, 4, 3, padding=1, padding_mode="replicate")
    >>> conv(pt.ones((1, 2, 5, 6, 7))).shape
    (1, 4, 5, 6, 7)
    >>> conv
    Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(1, 1, 1), padding_mode=replicate)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        where_ = "Conv3d"
        check_channels(where_, in_channels, out_channels, groups)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _triple(kernel_size, "kernel_size", where_)
        self.stride = _triple(stride, "stride", where_)
        self.dilation = _triple(dilation, "dilation", where_)
        self.groups = groups
        self.padding_mode = padding_mode
        self.padding: Any
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"Conv3d(): invalid padding string {padding!r}; expected 'valid', 'same', "
                    f"an int or a tuple of three ints"
                )
            if padding == "same" and self.stride != (1, 1, 1):
                raise ValueError(
                    "Conv3d(): padding='same' is not supported for strided convolutions"
                )
            self.padding = padding
        else:
            self.padding = _triple(padding, "padding", where_)
        self._pad_amounts = padding_mode_amounts(
            where_, padding_mode, self.padding, self.kernel_size, self.dilation
        )
        kd, kh, kw = self.kernel_size
        self.weight = Parameter(
            empty((out_channels, in_channels // groups, kd, kh, kw), dtype=dtype, device=device)
        )
        if bias:
            self.bias = Parameter(empty((out_channels,), dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights with PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = (self.in_channels // self.groups) * math.prod(self.kernel_size)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return padded_conv(self, F.conv3d, input)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0, 0):
            s += f", padding={self.padding}"  # (a string unquoted, as PyTorch shows it)
        if self.dilation != (1, 1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution over (N, C, D, H, W) inputs, as ``torch.nn.ConvTranspose3d``.

    Weights have shape (in_channels, out_channels / groups, kD, kH, kW) and PyTorch's default
    initialisation; ``forward(input, output_size=None)`` as ``ConvTranspose2d``'s. Only
    ``padding_mode='zeros'`` is supported, as in PyTorch.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> up = nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1)
    >>> up(pt.ones((1, 4, 3, 3, 3))).shape
    (1, 2, 5, 5, 5)
    >>> up(pt.ones((1, 4, 3, 3, 3)), output_size=(6, 6, 6)).shape
    (1, 2, 6, 6, 6)
    >>> up
    ConvTranspose3d(4, 2, kernel_size=(3, 3, 3), stride=(2, 2, 2), padding=(1, 1, 1))
    """

    _dims = 3

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose3d(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(input, output_size),
            self.groups,
            self.dilation,
        )


class MaxPool3d(Module):
    """3-D max pooling, as ``torch.nn.MaxPool3d`` (``stride`` defaults to ``kernel_size``;
    ``return_indices`` adds the maxima's flat positions).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.MaxPool3d(2)(pt.ones((1, 3, 4, 4, 4))).shape
    (1, 3, 2, 2, 2)
    >>> nn.MaxPool3d(2)
    MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    """

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:
        return F.max_pool3d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool3d(Module):
    """3-D average pooling, as ``torch.nn.AvgPool3d`` (``stride`` defaults to
    ``kernel_size``); ``F.avg_pool3d`` says how each window is divided.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.AvgPool3d(2)(pt.ones((1, 3, 4, 4, 4))).shape
    (1, 3, 2, 2, 2)
    >>> nn.AvgPool3d(2)
    AvgPool3d(kernel_size=2, stride=2, padding=0)
    """

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool3d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool3d(Module):
    """3-D adaptive average pooling to ``output_size``, as ``torch.nn.AdaptiveAvgPool3d``
    (``F.adaptive_avg_pool3d``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.AdaptiveAvgPool3d((1, 2, None))(pt.ones((2, 3, 5, 5, 5))).shape
    (2, 3, 1, 2, 5)
    >>> nn.AdaptiveAvgPool3d(2)
    AdaptiveAvgPool3d(output_size=2)
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool3d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """3-D adaptive max pooling to ``output_size``, as ``torch.nn.AdaptiveMaxPool3d``
    (``F.adaptive_max_pool3d``; ``return_indices`` adds the maxima's flat positions).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.AdaptiveMaxPool3d(1)(pt.ones((2, 3, 5, 5, 5))).shape
    (2, 3, 1, 1, 1)
    """

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs, as ``torch.nn.BatchNorm3d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.BatchNorm3d(2)(pt.ones((4, 2, 3, 3, 3))).shape
    (4, 2, 3, 3, 3)
    """

    _dims = (5,)


class InstanceNorm3d(InstanceNorm1d):
    """Instance normalisation of (N, C, D, H, W) or (C, D, H, W) inputs, as
    ``torch.nn.InstanceNorm3d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.InstanceNorm3d(3, affine=True)(pt.ones((2, 3, 4, 4, 4))).shape
    (2, 3, 4, 4, 4)
    """

    _dims = (4, 5)


class Dropout3d(Dropout):
    """During training, zero whole channels of (N, C, D, H, W) inputs with probability ``p``
    and scale the others by ``1 / (1 - p)`` (``F.dropout3d``); the identity in evaluation mode.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> _ = pt.manual_seed(0)
    >>> drop = nn.Dropout3d(0.5)
    >>> y = drop(pt.ones((4, 6, 2, 2, 2)))
    >>> sorted(set(y.flatten().tolist())), bool((y == y[:, :, :1, :1, :1]).all())
    ([0.0, 2.0], True)
    >>> drop
    Dropout3d(p=0.5, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)
