"""Max pooling's indices and their inverse, as PyTorch's: ``max_pool1d``/``max_pool2d`` with
``return_indices=True`` (each maximum's flat position in its input plane, found by
``max_pool3d`` over a depth of one) and ``F.max_unpool1d``/``2d``/``3d`` with the layers
``nn.MaxUnpool1d``/``2d``/``3d``, which put each value back at its index in a plane of zeros
(differentiable in the values).

Examples
--------
>>> import polytensor as pt
>>> import polytensor.nn.functional as F
>>> x = pt.asarray([[[[1.0, 2.0], [4.0, 3.0]]]])
>>> values, indices = F.max_pool2d(x, 2, return_indices=True)
>>> indices.tolist()
[[[[2]]]]
>>> F.max_unpool2d(values, indices, 2).tolist()
[[[[0.0, 0.0], [4.0, 0.0]]]]
"""

from __future__ import annotations

import math
from typing import Any, cast

from .. import _dtypes as dt
from .._ops.creation import zeros
from .._ops.manipulation import expand_dims, reshape, squeeze
from .._pytorch import scatter
from .._tensor import Tensor
from ..autograd._input_in_grad import input_in_grad
from ._errors import LayerArgumentError
from .module import Module

__all__ = [
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "max_pool_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]


def _tuple(v: Any, n: int, name: str, where: str) -> tuple[int, ...]:
    """``v`` as ``n`` ints (1 to 3), parsed as the ``n``-D layers parse their parameters."""
    from ._conv3d import _triple
    from .functional import _pair, _single

    if n == 1:
        return (_single(v, name, where),)
    return _pair(v, name, where) if n == 2 else _triple(v, name, where)


def max_pool_with_indices(
    x: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    dims: int,
) -> tuple[Tensor, Tensor]:
    """``max_pool{dims}d`` of ``x`` (``dims`` 1 or 2) and each maximum's flat position in its
    input plane (``h * W + w``; ``w`` in 1-D), as PyTorch's ``return_indices=True``: the 3-D
    pooling of ``x`` with a depth (and height, in 1-D) of one.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._unpool import max_pool_with_indices
    >>> v, i = max_pool_with_indices(pt.asarray([[[1.0, 3.0, 2.0]]]), 2, 1, 0, 1, False, 1)
    >>> v.tolist(), i.tolist()
    ([[[3.0, 3.0]]], [[[1, 1]]])
    """
    from ._pool3d import max_pool3d

    where = f"max_pool{dims}d"
    k = _tuple(kernel_size, dims, "kernel_size", where)
    s = k if stride is None or stride == () else _tuple(stride, dims, "stride", where)
    p = _tuple(padding, dims, "padding", where)
    d = _tuple(dilation, dims, "dilation", where)
    ones = (1,) * (3 - dims)
    zeros_ = (0,) * (3 - dims)
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(
            f"{where}() expects a {dims + 1}-D or {dims + 2}-D input; got shape {x.shape}"
        )
    lifted = x
    for _ in range(3 - dims):  # (a depth, and in 1-D a height, of one)
        lifted = expand_dims(lifted, axis=-dims - 1)
    values, indices = max_pool3d(lifted, ones + k, ones + s, zeros_ + p, ones + d, ceil_mode, True)
    axes = tuple(range(-dims - (3 - dims), -dims))
    return squeeze(values, axis=axes), squeeze(indices, axis=axes)


def _unpool(
    where: str,
    dims: int,
    input: Any,
    indices: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    output_size: Any,
) -> Tensor:
    if not isinstance(input, Tensor) or not isinstance(indices, Tensor):
        raise TypeError(f"{where}() expects tensors input and indices")
    if indices.dtype is not dt.int64:
        raise TypeError(
            f"{where}() expects int64 indices (as max_pool{dims}d(..., return_indices=True) "
            f"gives them); got {indices.dtype.name}"
        )
    if tuple(indices.shape) != tuple(input.shape):
        raise LayerArgumentError(
            f"{where}(): the indices' shape {tuple(indices.shape)} is not the input's "
            f"{tuple(input.shape)}; pass the indices max_pool{dims}d returned with it"
        )
    if input.ndim not in (dims + 1, dims + 2):
        raise LayerArgumentError(
            f"{where}() expects a {dims + 1}-D or {dims + 2}-D input; got shape {input.shape}"
        )
    k = _tuple(kernel_size, dims, "kernel_size", where)
    s = k if stride is None or stride == () else _tuple(stride, dims, "stride", where)
    p = _tuple(padding, dims, "padding", where)
    sizes = cast("tuple[int, ...]", tuple(input.shape[-dims:]))
    default = tuple((sizes[i] - 1) * s[i] - 2 * p[i] + k[i] for i in range(dims))
    if output_size is None:
        out = default
    else:
        given = tuple(int(v) for v in output_size)
        if len(given) == dims + 2 or len(given) == dims + 1:
            given = given[-dims:]
        if len(given) != dims:
            raise LayerArgumentError(
                f"{where}(): output_size must have {dims} or {dims + 2} elements; got "
                f"{list(output_size)}"
            )
        for i in range(dims):
            lo, hi = default[i] - s[i], default[i] + s[i]
            if not lo < given[i] < hi:
                raise LayerArgumentError(
                    f"{where}(): invalid output_size {list(output_size)} (dim {i} must be "
                    f"between {lo} and {hi}, exclusive, as PyTorch's)"
                )
        out = given
    lead = cast("tuple[int, ...]", tuple(input.shape[:-dims]))
    plane = math.prod(out)
    flat_idx = reshape(indices, (*lead, -1))
    if flat_idx.size and (bool((flat_idx < 0).any()) or bool((flat_idx >= plane).any())):
        raise IndexError(
            f"{where}(): an index is outside the output plane of {plane} elements; pass the "
            f"indices max_pool{dims}d returned, and its output size"
        )
    base = zeros((*lead, plane), dtype=input.dtype, device=input.device)
    input = input_in_grad(input)  # (its gradient depends on it, as PyTorch's)
    try:
        r = scatter(base, -1, flat_idx, reshape(input, (*lead, -1)))
    except IndexError as e:  # (a backend without assignment at an array of indices)
        raise NotImplementedError(
            f"{where}() writes values at their indices, which this backend cannot do ({e}); "
            f"move the tensors to NumPy with .to('numpy')"
        ) from None
    return reshape(r, (*lead, *out))


def max_unpool1d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of ``max_pool1d`` (PyTorch's ``F.max_unpool1d``): each value put at its
    index in a row of zeros of length ``(L - 1) * stride - 2 * padding + kernel_size`` (or
    ``output_size``).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.max_unpool1d(pt.asarray([[[5.0]]]), pt.asarray([[[1]]]), 2).tolist()
    [[[0.0, 5.0]]]
    """
    return _unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of ``max_pool2d`` (PyTorch's ``F.max_unpool2d``): each value put at its
    flat index ``h * W + w`` in a plane of zeros of size ``(H - 1) * stride - 2 * padding +
    kernel_size`` (per dimension), or ``output_size``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.max_unpool2d(pt.asarray([[[[5.0]]]]), pt.asarray([[[[3]]]]), 2).tolist()
    [[[[0.0, 0.0], [0.0, 5.0]]]]
    """
    return _unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of ``max_pool3d`` (PyTorch's ``F.max_unpool3d``), as ``max_unpool2d`` with
    flat indices ``(d * H + h) * W + w``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.max_unpool3d(pt.ones((1, 1, 1, 1, 1)), pt.asarray([[[[[7]]]]]), 2).sum().item()
    1.0
    """
    return _unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)


class _MaxUnpoolNd(Module):
    _dims = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        where, n = type(self).__name__, self._dims
        self.kernel_size = _tuple(kernel_size, n, "kernel_size", where)
        given = stride if stride is not None else kernel_size
        self.stride = _tuple(given, n, "stride", where)
        self.padding = _tuple(padding, n, "padding", where)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        dims = self._dims
        return _unpool(
            f"max_unpool{dims}d",
            dims,
            input,
            indices,
            self.kernel_size,
            self.stride,
            self.padding,
            output_size,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """``F.max_unpool1d`` as a layer, as ``torch.nn.MaxUnpool1d``; ``forward(input, indices,
    output_size=None)``.

    Examples
    --------
    >>> from polytensor import nn
    >>> nn.MaxUnpool1d(2)
    MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    """

    _dims = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """``F.max_unpool2d`` as a layer, as ``torch.nn.MaxUnpool2d`` (SegNet's decoder);
    ``forward(input, indices, output_size=None)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    >>> out, idx = pool(pt.ones((1, 1, 4, 4)))
    >>> unpool(out, idx).shape
    (1, 1, 4, 4)
    """

    _dims = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """``F.max_unpool3d`` as a layer, as ``torch.nn.MaxUnpool3d``.

    Examples
    --------
    >>> from polytensor import nn
    >>> nn.MaxUnpool3d(2)
    MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))
    """

    _dims = 3
