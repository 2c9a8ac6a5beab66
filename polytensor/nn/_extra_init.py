"""``sparse_`` and PyTorch's deprecated spellings without the trailing underscore
(``normal``, ``uniform``, ...), as in ``torch.nn.init``.

``polytensor.nn.init`` re-exports these; they live apart to keep that module short.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

from .._tensor import Tensor
from ._random import _generator
from ._random import normal_like as _normal_like
from ._random import uniform_like as _uniform_like
from .init import (
    _check,
    _fill,
    _shape,
    constant_,
    dirac_,
    eye_,
    kaiming_normal_,
    kaiming_uniform_,
    normal_,
    orthogonal_,
    uniform_,
    xavier_normal_,
    xavier_uniform_,
)

__all__ = [
    "constant",
    "dirac",
    "eye",
    "kaiming_normal",
    "kaiming_uniform",
    "normal",
    "orthogonal",
    "sparse",
    "sparse_",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
]


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator: Any = None) -> Tensor:
    """Fill the 2-D ``tensor`` in place as a sparse matrix, as ``torch.nn.init.sparse_``:
    values from N(0, std²), then in each column ``ceil(sparsity * rows)`` rows, chosen at
    random, set to zero (Martens, 2010).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> _ = pt.manual_seed(0)
    >>> w = nn.init.sparse_(pt.empty((10, 4)), sparsity=0.3)
    >>> (w == 0).sum(0).tolist()
    [3, 3, 3, 3]
    """
    from .._ops.creation import empty
    from .._ops.data_types import astype
    from .._ops.sorting import argsort

    _check(tensor, "sparse_")
    if tensor.ndim != 2:
        raise ValueError(
            f"sparse_(): Only tensors with 2 dimensions are supported; got a {tensor.ndim}-D tensor"
        )
    rows, cols = _shape(tensor)
    gen = _generator(generator)  # (an int seeds one generator for both draws)
    # (the rows PyTorch's ``randperm(rows)[:num_zeros]`` zeroes: Python's slice of a range)
    zeroed = len(range(rows)[: math.ceil(sparsity * rows)])

    def draw(t: Tensor) -> Any:
        values = _normal_like(t, 0.0, std, gen)
        if zeroed == 0:
            return values
        u = _uniform_like(empty((rows, cols), dtype=t.dtype, device=t.device), 0.0, 1.0, gen)
        rank = argsort(argsort(u, axis=0), axis=0)  # (each row's place in its column's order)
        return values * astype(rank >= zeroed, t.dtype)

    return _fill(tensor, draw)


def _deprecated(meth: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``meth`` under its old name (without the trailing underscore), with PyTorch's warning."""
    new_name = meth.__name__
    old_name = new_name[:-1]

    @functools.wraps(meth)
    def deprecated_init(*args: Any, **kwargs: Any) -> Tensor:
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return meth(*args, **kwargs)

    deprecated_init.__name__ = old_name
    deprecated_init.__qualname__ = old_name
    deprecated_init.__doc__ = (
        f"``nn.init.{new_name}`` under its old name, deprecated as in PyTorch (a "
        f"``FutureWarning``).\n\n"
        f"    Examples\n"
        f"    --------\n"
        f"    >>> from polytensor import nn\n"
        f"    >>> nn.init.{old_name}.__name__\n"
        f"    '{old_name}'\n"
    )
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
