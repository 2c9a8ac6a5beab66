"""``repr`` of tensors in PyTorch's style: ``tensor([1., 2.], backend='numpy')``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _config
from ._tape import describe
from .backends import _host

if TYPE_CHECKING:
    from ._tensor import Tensor

_DEFAULT_SHOWN = {"int64", "bool"}


def tensor_repr(t: Tensor) -> str:
    """The text ``print(t)`` shows; never computes a lazy tensor."""

    b = t._backend
    extras = []
    dtype = t.dtype
    if dtype.name not in _DEFAULT_SHOWN and dtype is not _config.DEFAULT_FLOAT.get():
        extras.append(f"dtype=polytensor.{dtype.name}")
    if b.lazy:
        body = f"<lazy shape={t.shape}>"
    else:
        body = _host.format_array(b.to_numpy(t._data), "tensor(")
    # a backend with several devices shows which one; the others' single device says nothing
    extras.append(f"device='{t.device}'" if b.multi_device else f"backend='{b.name}'")
    extras.extend(describe(t))
    return f"tensor({body}, {', '.join(extras)})"
