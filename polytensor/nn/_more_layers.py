"""Transposed convolutions, channel-wise dropout, PReLU, Unflatten, adaptive max pooling,
Bilinear, PairwiseDistance and EmbeddingBag, as PyTorch's layers.

``polytensor.nn`` exports these; they live apart from ``modules.py`` to keep that module short.
"""

from __future__ import annotations

import math
from typing import Any

from .._ops.creation import empty
from .._ops.manipulation import reshape
from .._tensor import Tensor
from ..autograd import no_grad
from . import functional as F
from . import init
from ._conv3d import _triple
from ._errors import LayerArgumentError
from .module import Module
from .modules import Dropout, check_channels
from .parameter import Parameter

__all__ = [
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "Bilinear",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "Dropout2d",
    "EmbeddingBag",
    "PReLU",
    "PairwiseDistance",
    "Unflatten",
]


class _ConvTransposeNd(Module):
    """What ``ConvTranspose1d``, ``ConvTranspose2d`` and ``ConvTranspose3d`` share: arguments,
    parameters, their initialisation, ``output_size=`` and the repr."""

    _dims = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        where_ = type(self).__name__
        check_channels(where_, in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(
                f'{where_}(): only "zeros" padding mode is supported for {where_}; got '
                f"padding_mode={padding_mode!r}"
            )
        if isinstance(padding, str):
            # Note: PyTorch takes a string here and fails in forward(); refused at once.
            raise TypeError(
                f"{where_}(): padding={padding!r} is not supported for transposed "
                f"convolutions; give an int or a tuple of ints"
            )

        def tuple_of(v: Any, name: str) -> tuple[int, ...]:
            if self._dims == 1:
                return (F._single(v, name, where_),)
            if self._dims == 3:
                return _triple(v, name, where_)
            return F._pair(v, name, where_)

        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = tuple_of(kernel_size, "kernel_size")
        self.stride = tuple_of(stride, "stride")
        self.padding = tuple_of(padding, "padding")
        self.dilation = tuple_of(dilation, "dilation")
        self.output_padding = tuple_of(output_padding, "output_padding")
        self.groups = groups
        self.padding_mode = padding_mode
        self.transposed = True
        # (C_in, C_out / groups, *kernel): the weight of the conv this one transposes
        shape = (in_channels, out_channels // groups, *self.kernel_size)
        self.weight = Parameter(empty(shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty((out_channels,), dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights with PyTorch's default initialisation: ``kaiming_uniform_(a=
        sqrt(5))``, and the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), where fan_in is
        PyTorch's for this weight: (out_channels / groups) * the kernel's size."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = (self.out_channels // self.groups) * math.prod(self.kernel_size)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple[int, ...]:
        """``output_padding``, or the one that gives ``output_size`` (PyTorch's rule: sizes of
        the spatial dimensions, optionally after those of the batch and channels)."""
        if output_size is None:
            return self.output_padding
        dims, where_ = self._dims, type(self).__name__
        non_spatial = 2 if input.ndim == dims + 2 else 1
        sizes = list(output_size)
        if len(sizes) == non_spatial + dims:
            sizes = sizes[non_spatial:]
        if len(sizes) != dims:
            raise ValueError(
                f"{where_}: for {input.ndim}D input, output_size must have {dims} or "
                f"{non_spatial + dims} elements (got {len(sizes)})"
            )
        low = [
            (int(input.shape[non_spatial + d]) - 1) * self.stride[d]  # type: ignore[arg-type]
            - 2 * self.padding[d]
            + self.dilation[d] * (self.kernel_size[d] - 1)
            + 1
            for d in range(dims)
        ]
        high = [lo + s - 1 for lo, s in zip(low, self.stride, strict=True)]
        for size, lo, hi in zip(sizes, low, high, strict=True):
            if not lo <= size <= hi:
                raise ValueError(
                    f"{where_}: requested an output size of {sizes}, but valid sizes range "
                    f"from {low} to {high} (for an input of {tuple(input.shape[non_spatial:])})"
                )
        return tuple(size - lo for size, lo in zip(sizes, low, strict=True))

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        zeros, ones = (0,) * self._dims, (1,) * self._dims
        if self.padding != zeros:
            s += f", padding={self.padding}"
        if self.dilation != ones:
            s += f", dilation={self.dilation}"
        if self.output_padding != zeros:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution over (N, C, H, W) inputs, as ``torch.nn.ConvTranspose2d``
    (the gradient of a ``Conv2d`` with respect to its input; DCGAN's generator upsamples with
    it).

    Weights have shape (in_channels, out_channels / groups, kH, kW) and PyTorch's default
    initialisation. ``forward(input, output_size=None)``: ``output_size`` picks among the sizes
    a stride greater than 1 makes possible. Only ``padding_mode='zeros'`` is supported.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> up = nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1, bias=False)
    >>> up(pt.ones((2, 8, 5, 5))).shape
    (2, 4, 10, 10)
    >>> up
    ConvTranspose2d(8, 4, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False)
    >>> nn.ConvTranspose2d(8, 4, 3, stride=2)(pt.ones((8, 5, 5)), output_size=(12, 12)).shape
    (4, 12, 12)
    """

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose2d(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(input, output_size),
            self.groups,
            self.dilation,
        )


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over (N, C, L) inputs, as ``torch.nn.ConvTranspose1d``.

    Weights have shape (in_channels, out_channels / groups, k) and PyTorch's default
    initialisation; ``forward(input, output_size=None)`` as ``ConvTranspose2d``'s.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> up = nn.ConvTranspose1d(4, 2, 3, stride=2)
    >>> up(pt.ones((1, 4, 6))).shape
    (1, 2, 13)
    >>> up(pt.ones((1, 4, 6)), output_size=[14]).shape
    (1, 2, 14)
    >>> up
    ConvTranspose1d(4, 2, kernel_size=(3,), stride=(2,))
    """

    _dims = 1

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose1d(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(input, output_size),
            self.groups,
            self.dilation,
        )


class Dropout2d(Dropout):
    """During training, zero whole channels of (N, C, H, W) inputs with probability ``p`` and
    scale the others by ``1 / (1 - p)`` (``F.dropout2d``); the identity in evaluation mode.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> _ = pt.manual_seed(0)
    >>> drop = nn.Dropout2d(0.5)
    >>> y = drop(pt.ones((4, 6, 2, 2)))
    >>> sorted(set(y.flatten().tolist())), bool((y == y[:, :, :1, :1]).all())
    ([0.0, 2.0], True)
    >>> drop
    Dropout2d(p=0.5, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class PReLU(Module):
    """x where x > 0, else ``weight * x``, with a learned slope: one for all channels, or one
    per channel (``num_parameters``, dimension 1 of the input), as ``torch.nn.PReLU``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> act = nn.PReLU()
    >>> act(pt.asarray([-4.0, 2.0]))
    tensor([-1.,  2.], backend='numpy', grad_fn=<WhereBackward0>)
    >>> act.weight.shape, nn.PReLU(3)
    ((1,), PReLU(num_parameters=3))
    """

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int):
            raise TypeError(f"PReLU(): num_parameters must be an int; got {num_parameters!r}")
        if num_parameters < 1:
            raise ValueError(
                f"PReLU(): num_parameters must be positive (1, or the number of channels); got "
                f"{num_parameters}"
            )
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty((num_parameters,), dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every slope back to ``init``."""
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size`` (one entry may be -1), the reverse of
    ``Flatten``, as ``torch.nn.Unflatten`` (named dimensions are not supported).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Unflatten(1, (2, -1))(pt.ones((4, 6))).shape
    (4, 2, 3)
    >>> nn.Unflatten(1, (2, 3))
    Unflatten(dim=1, unflattened_size=(2, 3))
    """

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise TypeError(
                f"Unflatten(): dim must be an int (named dimensions are not supported); got {dim!r}"
            )
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                f"unflattened_size must be a tuple of ints, but found type "
                f"{type(unflattened_size).__name__}"
            )
        for i, size in enumerate(unflattened_size):
            if isinstance(size, bool) or not isinstance(size, int):
                raise TypeError(
                    f"unflattened_size must be tuple of ints, but found element of type "
                    f"{type(size).__name__} at pos {i}"
                )
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        if not -len(shape) <= self.dim < max(len(shape), 1):
            raise IndexError(
                f"Unflatten(): dimension out of range (expected to be in range of "
                f"[{-len(shape)}, {len(shape) - 1}], but got {self.dim})"
            )
        d = self.dim % len(shape)
        sizes = list(self.unflattened_size)
        if sizes.count(-1) > 1:
            raise LayerArgumentError(
                f"Unflatten(): only one dimension can be inferred (-1); got {sizes}"
            )
        known = math.prod(s for s in sizes if s != -1)
        n = shape[d]
        if (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
            raise LayerArgumentError(
                f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {d} "
                f"({n}) in the input tensor"
            )
        if -1 in sizes:
            sizes[sizes.index(-1)] = n // known
        return reshape(input, (*shape[:d], *sizes, *shape[d + 1 :]))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class _AdaptiveMaxPoolNd(Module):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """1-D adaptive max pooling to ``output_size``, as ``torch.nn.AdaptiveMaxPool1d``
    (``F.adaptive_max_pool1d``; ``return_indices`` adds the maxima's positions).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.AdaptiveMaxPool1d(1)(pt.asarray([[[1.0, 3.0, 2.0]]]))
    tensor([[[3.]]], backend='numpy')
    """

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """2-D adaptive max pooling to ``output_size``, as ``torch.nn.AdaptiveMaxPool2d``
    (``F.adaptive_max_pool2d``; ``return_indices`` adds the maxima's flat positions).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.AdaptiveMaxPool2d((1, 1))(pt.ones((2, 3, 5, 5))).shape
    (2, 3, 1, 1)
    """

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class Bilinear(Module):
    """``y = x1 @ weight[k] @ x2 + bias[k]`` for each output k, as ``torch.nn.Bilinear``:
    ``weight`` (out_features, in1_features, in2_features) and ``bias`` drawn from
    U(-1/sqrt(in1_features), 1/sqrt(in1_features)).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> layer = nn.Bilinear(3, 2, 4); layer
    Bilinear(in1_features=3, in2_features=2, out_features=4, bias=True)
    >>> layer(pt.ones((5, 3)), pt.ones((5, 2))).shape
    (5, 4)
    """

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        shape = (out_features, in1_features, in2_features)
        self.weight = Parameter(empty(shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty((out_features,), dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(in1_features), 1/sqrt(in1_features)) entries, as PyTorch's."""
        bound = 1 / math.sqrt(self.weight.shape[1]) if self.weight.shape[1] else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class PairwiseDistance(Module):
    """The ``p``-norm distance of two inputs along the last dimension, as
    ``torch.nn.PairwiseDistance`` (``F.pairwise_distance``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.PairwiseDistance(eps=0.0)(pt.asarray([[3.0, 0.0]]), pt.asarray([[0.0, 4.0]]))
    tensor([5.], backend='numpy')
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class EmbeddingBag(Module):
    """A table of ``num_embeddings`` vectors whose bags of rows are summed, averaged or
    maximised, as ``torch.nn.EmbeddingBag`` (``F.embedding_bag``; the table drawn from
    N(0, 1), the ``padding_idx`` row zeros).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> bag = nn.EmbeddingBag(10, 3, mode="sum"); bag
    EmbeddingBag(10, 3, mode='sum')
    >>> bag(pt.asarray([1, 2, 4, 5, 4]), pt.asarray([0, 2])).shape
    (2, 3)
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Tensor | None = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError("padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset
        self.padding_idx = padding_idx
        if _weight is None:
            shape = (num_embeddings, embedding_dim)
            self.weight = Parameter(empty(shape, dtype=dtype, device=device))
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight)

    def reset_parameters(self) -> None:
        """N(0, 1) entries, the ``padding_idx`` row zeros, as PyTorch's."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(
        self,
        input: Tensor,
        offsets: Tensor | None = None,
        per_sample_weights: Tensor | None = None,
    ) -> Tensor:
        return F.embedding_bag(
            input,
            self.weight,
            offsets,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.mode,
            self.sparse,
            per_sample_weights,
            self.include_last_offset,
            self.padding_idx,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s
