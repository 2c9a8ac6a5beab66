"""Resampling layers, as PyTorch's ``nn.Upsample``, ``nn.UpsamplingNearest2d``,
``nn.UpsamplingBilinear2d``, ``nn.PixelShuffle``, ``nn.PixelUnshuffle``, ``nn.Unfold`` and
``nn.Fold``: each holds its arguments and calls the function of ``_resample.py``.

``polytensor.nn`` exports these; they live apart from ``modules.py`` to keep that module short.
"""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from ._resample import fold, interpolate, pixel_shuffle, pixel_unshuffle, unfold
from .module import Module

__all__ = [
    "Fold",
    "PixelShuffle",
    "PixelUnshuffle",
    "Unfold",
    "Upsample",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
]


class Upsample(Module):
    """Resize the spatial axes of (N, C, ...) inputs: ``F.interpolate`` with this layer's
    arguments.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> up = nn.Upsample(scale_factor=2, mode="nearest")
    >>> up
    Upsample(scale_factor=2.0, mode='nearest')
    >>> up(pt.asarray([[[1.0, 2.0]]]))
    tensor([[[1., 1., 2., 2.]]], backend='numpy')
    """

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor: Any = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W) inputs: ``nn.Upsample(mode='nearest')``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.UpsamplingNearest2d(scale_factor=2)(pt.ones((1, 1, 2, 3))).shape
    (1, 1, 4, 6)
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) inputs with the corners aligned:
    ``nn.Upsample(mode='bilinear', align_corners=True)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.UpsamplingBilinear2d(size=(1, 3))(pt.asarray([[[[0.0, 2.0]]]]))
    tensor([[[[0., 1., 2.]]]], backend='numpy')
    """

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """Rearrange (*, C * r**2, H, W) into (*, C, H * r, W * r): ``F.pixel_shuffle``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.PixelShuffle(3)(pt.ones((1, 9, 4, 4))).shape
    (1, 1, 12, 12)
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange (*, C, H * r, W * r) into (*, C * r**2, H, W): ``F.pixel_unshuffle``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.PixelUnshuffle(2)(pt.ones((1, 1, 4, 6))).shape
    (1, 4, 2, 3)
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class Unfold(Module):
    """The sliding blocks of (N, C, H, W) inputs as columns (N, C * kH * kW, L):
    ``F.unfold``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Unfold(kernel_size=(2, 3))(pt.ones((2, 5, 3, 4))).shape
    (2, 30, 4)
    """

    def __init__(
        self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
            f"padding={self.padding}, stride={self.stride}"
        )


class Fold(Module):
    """Sum columns of sliding blocks (N, C * kH * kW, L) back into images (N, C, H, W), the
    overlapping positions added: ``F.fold``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Fold(output_size=(4, 5), kernel_size=(2, 2))(pt.ones((1, 12, 12))).shape
    (1, 3, 4, 5)
    """

    def __init__(
        self,
        output_size: Any,
        kernel_size: Any,
        dilation: Any = 1,
        padding: Any = 0,
        stride: Any = 1,
    ) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self) -> str:
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}"
        )
