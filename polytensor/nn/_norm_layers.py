"""Group, instance and local response normalisation layers and the padding layers, as in
``torch.nn``.

``polytensor.nn`` exports these; they live apart from ``modules.py`` to keep that module short.
"""

from __future__ import annotations

import warnings
from typing import Any

from .._ops.creation import empty
from .._tensor import Tensor
from . import functional as F
from . import init
from ._errors import LayerArgumentError, ZeroGroupsError
from .module import Module
from .modules import _BatchNorm
from .parameter import Parameter

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "ConstantPad1d",
    "ConstantPad2d",
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "LocalResponseNorm",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ZeroPad1d",
    "ZeroPad2d",
]


class GroupNorm(Module):
    """Group normalisation of (N, C, ...) inputs, as ``torch.nn.GroupNorm``: ``num_channels``
    channels in ``num_groups`` groups, with a learned per-channel scale (ones) and shift
    (zeros) when ``affine`` (``F.group_norm``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> gn = nn.GroupNorm(2, 4); gn
    GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
    >>> gn(pt.ones((3, 4, 5))).shape
    (3, 4, 5)
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_groups == 0:
            raise ZeroGroupsError(
                f"GroupNorm() got num_groups=0; give a positive number of groups that divides "
                f"num_channels ({num_channels})"
            )
        if num_groups < 0:  # (PyTorch's RuntimeError, which it raises in forward)
            raise LayerArgumentError(
                f"GroupNorm(): Expected num groups to be greater than 0, got {num_groups}"
            )
        if num_channels % num_groups != 0:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = Parameter(empty((num_channels,), dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(empty((num_channels,), dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Scale ones, shift zeros, as PyTorch's."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class _InstanceNorm(_BatchNorm):
    """Instance normalisation over the positions of each channel of each sample, with
    PyTorch's defaults (no affine parameters, no running statistics) and arguments."""

    def forward(self, input: Tensor) -> Tensor:
        name = type(self).__name__
        batched = self._dims[-1]
        if input.ndim not in self._dims:
            raise ValueError(
                f"{name}: expected {batched - 1}D or {batched}D input (got {input.ndim}D input)"
            )
        feature_dim = input.ndim - (batched - 1)
        size = input.shape[feature_dim]
        if size != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={feature_dim} to match num_features "
                    f"({self.num_features}), but got: {size}."
                )
            warnings.warn(
                f"input's size at dim={feature_dim} does not match num_features. You can "
                f"silence this warning by not passing in num_features, which is not used "
                f"because affine=False",
                UserWarning,
                stacklevel=2,
            )
        x = input if input.ndim == batched else input[None]
        y = F.instance_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
        )
        return y if input.ndim == batched else y[0]


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) inputs, as ``torch.nn.InstanceNorm1d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.InstanceNorm1d(2)
    InstanceNorm1d(2, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)
    >>> nn.InstanceNorm1d(2)(pt.asarray([[[1.0, 3.0], [4.0, 2.0]]]))
    tensor([[[-0.999995,  0.999995],
             [ 0.999995, -0.999995]]], backend='numpy')
    """

    _dims = (2, 3)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )


class InstanceNorm2d(InstanceNorm1d):
    """Instance normalisation of (N, C, H, W) or (C, H, W) inputs, as
    ``torch.nn.InstanceNorm2d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.InstanceNorm2d(3, affine=True)(pt.ones((2, 3, 4, 4))).shape
    (2, 3, 4, 4)
    """

    _dims = (3, 4)


class LocalResponseNorm(Module):
    """Local response normalisation across channels (``F.local_response_norm``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.LocalResponseNorm(2)
    LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


# -- padding --------------------------------------------------------------------------------------
class _PadNd(Module):
    """``F.pad`` with a fixed amount and mode: an int pads every side of the last ``_sides``
    dimensions, a tuple gives (left, right[, top, bottom]) as ``F.pad``'s."""

    _sides = 1
    _mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        n = 2 * self._sides
        if isinstance(padding, int) and not isinstance(padding, bool):
            self.padding: tuple[int, ...] = (padding,) * n
        elif isinstance(padding, (tuple, list)) and len(padding) == n:
            self.padding = tuple(padding)
        else:
            raise TypeError(
                f"{type(self).__name__} expects padding to be an int or a tuple of {n} ints; "
                f"got {padding!r}"
            )

    def forward(self, input: Tensor) -> Tensor:
        if self._mode != "constant" and input.ndim not in (self._sides + 1, self._sides + 2):
            # (as PyTorch's F.pad, which has no non-constant padding of other inputs)
            raise NotImplementedError(
                f"{type(self).__name__} pads {self._sides + 1}-D or {self._sides + 2}-D inputs "
                f"(unbatched or batched); got a {input.ndim}-D input"
            )
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with ``value``, as ``torch.nn.ConstantPad1d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ConstantPad1d((1, 2), 7.0)(pt.ones((1, 2)))
    tensor([[7., 1., 1., 7., 7.]], backend='numpy')
    """


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with ``value``, as ``torch.nn.ConstantPad2d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ConstantPad2d(1, 0.5)(pt.ones((1, 2, 2))).shape
    (1, 4, 4)
    """

    _sides = 2


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros, as ``torch.nn.ZeroPad1d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ZeroPad1d(1)(pt.ones((1, 2)))
    tensor([[0., 1., 1., 0.]], backend='numpy')
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros, as ``torch.nn.ZeroPad2d`` (a negative amount
    crops).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ZeroPad2d((1, 0, 0, 1))(pt.ones((1, 1, 1)))
    tensor([[[0., 1.],
             [0., 0.]]], backend='numpy')
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pad the last dimension with its mirror image (the edge not repeated), as
    ``torch.nn.ReflectionPad1d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ReflectionPad1d(2)(pt.asarray([[1.0, 2.0, 3.0]]))
    tensor([[3., 2., 1., 2., 3., 2., 1.]], backend='numpy')
    """

    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pad the last two dimensions with their mirror images, as
    ``torch.nn.ReflectionPad2d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ReflectionPad2d(1)(pt.ones((1, 1, 2, 2))).shape
    (1, 1, 4, 4)
    """

    _sides = 2


class ReplicationPad1d(_PadNd):
    """Pad the last dimension by repeating its edge values, as
    ``torch.nn.ReplicationPad1d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ReplicationPad1d((1, 2))(pt.asarray([[1.0, 2.0]]))
    tensor([[1., 1., 2., 2., 2.]], backend='numpy')
    """

    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pad the last two dimensions by repeating their edge values, as
    ``torch.nn.ReplicationPad2d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ReplicationPad2d(1)(pt.ones((1, 2, 2))).shape
    (1, 4, 4)
    """

    _sides = 2


class CircularPad1d(_PadNd):
    """Pad the last dimension by wrapping it around, as ``torch.nn.CircularPad1d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.CircularPad1d(1)(pt.asarray([[1.0, 2.0, 3.0]]))
    tensor([[3., 1., 2., 3., 1.]], backend='numpy')
    """

    _mode = "circular"


class CircularPad2d(CircularPad1d):
    """Pad the last two dimensions by wrapping them around, as ``torch.nn.CircularPad2d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.CircularPad2d(1)(pt.ones((1, 2, 2))).shape
    (1, 4, 4)
    """

    _sides = 2
