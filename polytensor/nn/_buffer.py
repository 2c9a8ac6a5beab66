"""``Buffer``: a tensor that a ``Module`` registers as one of its buffers when assigned to one
of its attributes, as ``torch.nn.Buffer``."""

from __future__ import annotations

import weakref
from typing import Any

from .._tensor import Tensor

__all__ = ["Buffer", "buffer_persistence"]

# Tensors made by ``Buffer(...)``, by id: (a weak reference to the tensor, persistent). The
# entry goes when the tensor does.
_MARKED: dict[int, tuple[weakref.ref[Tensor], bool]] = {}


def buffer_persistence(value: Any) -> bool | None:
    """Whether ``value``, made by ``nn.Buffer(...)``, is persistent; None for anything else."""
    entry = _MARKED.get(id(value))
    if entry is None or entry[0]() is not value:
        return None
    return entry[1]


class _BufferMeta(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        return buffer_persistence(instance) is not None


class Buffer(metaclass=_BufferMeta):
    """A tensor that is state of a module but not a parameter (PyTorch's
    ``torch.nn.Buffer``): assigning ``nn.Buffer(t)`` to an attribute of a ``Module`` registers
    it as ``register_buffer`` does, in ``state_dict()`` unless ``persistent=False``.

    As PyTorch's, ``Buffer(data)`` returns a plain ``Tensor`` (``data`` detached, its data
    shared, ``requires_grad`` kept) that ``isinstance(t, nn.Buffer)`` recognises; a module
    keeps that tensor as its attribute.

    Note: PyTorch sets a ``persistent`` attribute on the tensor; polytensor's tensors take no
    new attributes, so the flag is kept beside it and read when a module registers it.

    Parameters
    ----------
    data : Tensor, optional
        The buffer's value; an empty float tensor when omitted.
    persistent : bool, default True
        Whether the buffer is part of the module's ``state_dict()``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> class Scaled(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = nn.Buffer(pt.ones(2))
    ...         self.cache = nn.Buffer(pt.zeros(2), persistent=False)
    >>> m = Scaled()
    >>> list(m.state_dict()), [name for name, _ in m.named_buffers()]
    (['scale'], ['scale', 'cache'])
    >>> type(m.scale).__name__, isinstance(m.scale, nn.Buffer)
    ('Tensor', True)
    """

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Any:
        from .._ops.creation import empty
        from .parameter import plain

        if data is None:
            data = empty((0,))
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Buffer() expects a polytensor Tensor; got {type(data).__name__}; convert it "
                f"with pt.asarray(...)"
            )
        t = plain(data)  # (a plain Tensor even when data is a Parameter, as detach() gives)
        if data.requires_grad:
            t.requires_grad_(True)
        key = id(t)
        _MARKED[key] = (weakref.ref(t, lambda _ref: _MARKED.pop(key, None)), bool(persistent))
        return t
