"""Functions with one parameter or one random draw per channel: ``prelu`` and ``dropout2d``, as
in ``torch.nn.functional``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short.
"""

from __future__ import annotations

import warnings
from typing import Any, cast

from .._methods_aliases import prelu
from .._ops.creation import zeros
from .._ops.data_types import astype
from .._tensor import Tensor
from ._errors import LayerArgumentError
from ._random import uniform_like as _uniform_like
from .functional import _floating, _in_place, _tensor

__all__ = ["dropout2d", "prelu"]


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
