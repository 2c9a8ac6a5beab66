"""Functions with one parameter or one random draw per channel: ``prelu`` and ``dropout2d``, as
in ``torch.nn.functional``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, cast

from .._ops.creation import zeros
from .._ops.data_types import astype
from .._ops.manipulation import reshape
from .._ops.searching import where
from .._tensor import Tensor
from ._errors import LayerArgumentError
from ._input_in_grad import input_in_grad
from ._random import uniform_like as _uniform_like
from .functional import _floating, _in_place, _tensor

__all__ = ["dropout2d", "prelu"]


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else ``weight * x``, with one learned slope for every channel
    (dimension 1) or one for all, as ``torch.nn.functional.prelu``.

    Parameters
    ----------
    input : Tensor
    weight : Tensor
        A scalar or a 1-D tensor of one element, or of one element per channel (dimension 1
        of the input; an input of fewer than 2 dimensions has one channel).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.prelu(pt.asarray([[-2.0, 2.0], [-4.0, 4.0]]), pt.asarray([0.5, 0.25]))
    tensor([[-1.,  2.],
            [-2.,  4.]], backend='numpy')
    """
    x = _tensor(input, "prelu")
    w = _tensor(weight, "prelu", "weight")
    _floating(x, "prelu")
    if w.ndim > 1:
        raise LayerArgumentError(
            f"prelu() expects a scalar or 1-D weight; got a weight of shape {w.shape}"
        )
    channels = x.shape[1] if x.ndim >= 2 else 1
    count = math.prod(cast("tuple[int, ...]", w.shape))
    if count not in (1, channels):
        raise LayerArgumentError(
            f"prelu() got {count} weights for an input with {channels} channels (dimension 1 "
            f"of shape {x.shape}); give one weight, or one per channel"
        )
    slope = reshape(w, (count,) + (1,) * (x.ndim - 2) if count > 1 else ())
    x = input_in_grad(x)  # (its gradient depends on it, as PyTorch's)
    # (x > 0, not x >= 0: at 0 PyTorch's gradient with respect to x is the slope's)
    return where(x > 0, x, slope * x)


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels with probability ``p`` and scale the others by ``1 / (1 - p)``, as
    ``torch.nn.functional.dropout2d``: one draw for every (sample, channel) pair of an
    (N, C, H, W) input. Outside training, the input is returned.

    Like PyTorch, a 3-D input is taken as (N, C, L) (one draw per pair of its first two
    dimensions), with PyTorch's warning that this will change; other numbers of dimensions
    (2 or more) warn too and draw per pair of the first two.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> _ = pt.manual_seed(0)
    >>> y = F.dropout2d(pt.ones((2, 8, 3, 3)), p=0.5)
    >>> sorted(set(y.flatten().tolist()))
    [0.0, 2.0]
    >>> bool((y == y[:, :, :1, :1]).all())  # one draw for each channel of each sample
    True
    """
    x = _tensor(input, "dropout2d")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(
            f"dropout2d(): dropout probability has to be between 0 and 1, but got {p!r}"
        )
    if x.ndim < 2:
        raise LayerArgumentError(
            f"dropout2d() expects an input of at least 2 dimensions (N, C, H, W); got shape "
            f"{x.shape}; use F.dropout for element-wise dropout"
        )
    if x.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning,
            stacklevel=2,
        )
    elif x.ndim != 4:
        warnings.warn(
            f"dropout2d: Received a {x.ndim}-D input to dropout2d, which is deprecated and will "
            f"result in an error in a future release. To retain the behavior and silence this "
            f"warning, please use dropout instead. Note that dropout2d exists to provide "
            f"channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            f"an optional batch dimension (i.e. 3D or 4D inputs).",
            UserWarning,
            stacklevel=2,
        )
    if not training or p == 0.0:  # (PyTorch's returns the input here, in place or not)
        return x
    _floating(x, "dropout2d")
    if None in x.shape[:2]:
        raise ValueError(
            f"dropout2d() of a tensor with unknown (lazy) shape {x.shape}; call pt.compute(x) first"
        )
    if p == 1.0:
        mask: Any = 0.0
    else:
        shape = (*x.shape[:2], *(1,) * (x.ndim - 2))
        draws = _uniform_like(zeros(shape, dtype=x.dtype, device=x.device), 0.0, 1.0)
        mask = astype(draws >= p, x.dtype) * (1.0 / (1.0 - p))
    if inplace:
        return _in_place(x, lambda v: v * mask, "dropout2d_")
    return cast("Tensor", x * mask)
