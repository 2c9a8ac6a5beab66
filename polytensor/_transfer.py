"""Moving tensors between backends and devices: DLPack where both sides can, else via host."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._ops.creation import _to_backend

if TYPE_CHECKING:
    from ._tensor import Tensor
    from .backends import Backend

__all__ = ["move"]


def move(x: Tensor, backend: Backend, native_device: Any = None) -> Tensor:
    """``x`` on ``backend`` (and its ``native_device``, if given); ``x`` itself if already there.

    Gradients flow back through the move (it is recorded as an op).
    """
    return _to_backend(x, backend, native_device)
