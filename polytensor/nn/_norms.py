"""Group, instance and local response normalisation, as in ``torch.nn.functional``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short.
Each is a composition of the standard's operations (means, arithmetic, slicing), so it
differentiates, to any order, on every backend.
"""

from __future__ import annotations

import math
from typing import cast

from .. import _dtypes as dt
from .._ops.creation import zeros
from .._ops.data_types import astype
from .._ops.manipulation import concat, reshape
from .._ops.statistical import mean as _mean
from .._tensor import Tensor
from ..autograd import no_grad
from ._errors import LayerArgumentError, ZeroGroupsError
from .functional import _floating, _tensor

__all__ = ["group_norm", "instance_norm", "local_response_norm"]


def _per_channel(
    where_: str, x: Tensor, name: str, t: Tensor | None, c: int, kind: str = "vector"
) -> Tensor | None:
    """``t`` checked to hold one value per channel, reshaped to broadcast along dimension 1."""
    if t is None:
        return None
    t = _tensor(t, where_, name)
    dt.check_same_dtype(f"{where_}()", ("input", x.dtype), (name, t.dtype))
    if tuple(t.shape) != (c,):
        raise LayerArgumentError(
            f"{where_}(): Expected {name} to be a {kind} of size equal to the number of "
            f"channels in input, but got {name} of shape {list(t.shape)} and input of shape "
            f"{list(x.shape)}"
        )
    return reshape(t, (c,) + (1,) * (x.ndim - 2))


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalisation, as ``torch.nn.functional.group_norm``: the channels (dimension 1)
    of an (N, C, ...) input split into ``num_groups`` groups, each sample's group normalised
    by its own mean and biased variance, then times ``weight`` and plus ``bias`` (one value
    per channel each).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.group_norm(pt.asarray([[1.0, 3.0, 5.0, 5.0]]), 2)
    tensor([[-0.999995,  0.999995,  0.      ,  0.      ]], backend='numpy')
    """
    where_ = "group_norm"
    x = _tensor(input, where_)
    _floating(x, where_, real=True)
    if isinstance(num_groups, bool) or not isinstance(num_groups, int):
        raise TypeError(f"group_norm() expects an int num_groups; got {num_groups!r}")
    if x.ndim < 2:
        raise LayerArgumentError(
            f"group_norm(): Expected at least 2 dimensions for input tensor but received {x.ndim}"
        )
    n, c = x.shape[0], x.shape[1]
    if num_groups == 0:
        raise ZeroGroupsError(
            f"group_norm() got num_groups=0; give a positive number of groups that divides the "
            f"input's {c} channels"
        )
    if num_groups < 0:
        raise LayerArgumentError(
            f"group_norm(): Expected num groups to be greater than 0, got {num_groups}"
        )
    if c is None or c % num_groups:
        raise LayerArgumentError(
            f"group_norm(): Expected number of channels in input to be divisible by "
            f"num_groups, but got input of shape {list(x.shape)} and num_groups={num_groups}"
        )
    w = _per_channel(where_, x, "weight", weight, c)
    b = _per_channel(where_, x, "bias", bias, c)
    if n is None or None in x.shape[2:]:
        raise ValueError(
            f"group_norm() of a tensor with unknown (lazy) shape {x.shape}; call "
            f"pt.compute(x) first"
        )
    grouped = reshape(x, (n, num_groups, -1))
    mu = _mean(grouped, axis=2, keepdims=True)
    d = grouped - mu
    y = d / (_mean(d * d, axis=2, keepdims=True) + eps) ** 0.5
    return _affine(reshape(y, tuple(x.shape)), w, b)


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Instance normalisation, as ``torch.nn.functional.instance_norm``: each channel of each
    sample of an (N, C, ...) input normalised over its own positions (mean and biased
    variance), then times ``weight`` and plus ``bias``. With ``use_input_stats`` the running
    statistics, if given, are updated in place by the batch's average of the instances'
    means and unbiased variances (``momentum``); without it, they normalise instead.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.instance_norm(pt.asarray([[[1.0, 3.0], [2.0, 2.0]]]))
    tensor([[[-0.999995,  0.999995],
             [ 0.      ,  0.      ]]], backend='numpy')
    """
    where_ = "instance_norm"
    x = _tensor(input, where_)
    _floating(x, where_, real=True)
    if x.ndim < 3:
        raise LayerArgumentError(
            f"instance_norm() expects an input of at least 3 dimensions (N, C, ...); got "
            f"shape {x.shape}"
        )
    if None in x.shape:
        raise ValueError(
            f"instance_norm() of a tensor with unknown (lazy) shape {x.shape}; call "
            f"pt.compute(x) first"
        )
    shape = cast("tuple[int, ...]", tuple(x.shape))
    c, positions = shape[1], math.prod(shape[2:])
    if (running_mean is None) != (running_var is None):
        raise ValueError(
            "instance_norm(): running_mean and running_var must either both be None or "
            "neither be None"
        )
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and tuple(_tensor(t, where_, name).shape) != (c,):
            raise LayerArgumentError(
                f"instance_norm(): {name} should contain {c} elements (one per channel); "
                f"got shape {list(t.shape)}"
            )
    w = _per_channel(where_, x, "weight", weight, c)
    b = _per_channel(where_, x, "bias", bias, c)
    axes = tuple(range(2, x.ndim))
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError(
                "instance_norm(): Expected running_mean and running_var to be defined when "
                "use_input_stats is false"
            )
        per = (c,) + (1,) * (x.ndim - 2)
        # (statistics of another dtype are read in the input's, as PyTorch's)
        mean, var = (astype(reshape(t, per), x.dtype) for t in (running_mean, running_var))
        y = (x - mean) / (var + eps) ** 0.5
        return _affine(y, w, b)
    if positions <= 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {list(shape)}"
        )
    mu = _mean(x, axis=axes, keepdims=True)
    d = x - mu
    var = _mean(d * d, axis=axes, keepdims=True)
    if running_mean is not None and running_var is not None:
        with no_grad():
            batch_mean = _mean(reshape(mu, shape[:2]), axis=0).detach()
            unbiased = reshape(var, shape[:2]).detach() * (positions / (positions - 1))
            running_mean.mul_(1 - momentum).add_(batch_mean * momentum)
            running_var.mul_(1 - momentum).add_(_mean(unbiased, axis=0) * momentum)
    return _affine(d / (var + eps) ** 0.5, w, b)


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Local response normalisation across channels, as
    ``torch.nn.functional.local_response_norm``: ``x / (k + alpha * m) ** beta``, where ``m``
    is the mean of ``x ** 2`` over a window of ``size`` channels (dimension 1) around each
    one, the channels beyond the edges counted as zeros.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.local_response_norm(pt.ones((1, 3, 1)), 2, alpha=1.0, beta=1.0).flatten()
    tensor([0.6666667, 0.5      , 0.5      ], backend='numpy')
    """
    where_ = "local_response_norm"
    x = _tensor(input, where_)
    _floating(x, where_, real=True)
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"local_response_norm() expects an int size; got {size!r}")
    if x.ndim < 3:
        raise LayerArgumentError(
            f"Expected 3D or higher dimensionality input (got {x.ndim} dimensions); "
            f"local_response_norm() takes (N, C, ...) inputs"
        )
    if size <= 0:
        raise LayerArgumentError(
            f"local_response_norm(): size (the window of channels) should be greater than "
            f"zero, but got {size}"
        )
    c = x.shape[1]
    if c is None or None in x.shape:
        raise ValueError(
            f"local_response_norm() of a tensor with unknown (lazy) shape {x.shape}; call "
            f"pt.compute(x) first"
        )
    if x.size == 0:
        return x
    sq = x * x
    before, after = size // 2, (size - 1) // 2
    parts = []
    for n_pad in (before, after):
        pad_shape = (x.shape[0], n_pad, *x.shape[2:])
        parts.append(zeros(cast("tuple[int, ...]", pad_shape), dtype=x.dtype, device=x.device))
    padded = concat([parts[0], sq, parts[1]], axis=1)
    window = padded[:, 0:c]
    for j in range(1, size):
        window = window + padded[:, j : j + c]
    return x / (window * (alpha / size) + k) ** beta
