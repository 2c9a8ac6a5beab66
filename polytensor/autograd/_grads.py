"""A tensor's gradient at the end of backward: hooks (each result checked as PyTorch checks it)
and the one place where a ``.grad`` is written, under a lock, with data of its own."""

from __future__ import annotations

import threading
from typing import Any

from .. import _tape
from .. import _tensor_base as _tb
from .._tape import Meta, only_held_by

__all__ = ["accumulate_grad", "owned", "run_hooks"]

_new = object.__new__


# Held while a ``.grad`` is read and replaced: threads that call backward() into one leaf at
# once each add their whole gradient (an uncontended lock costs one call per leaf and pass).
_GRAD_LOCK = threading.Lock()


def accumulate_grad(m: Meta, g: Any, create_graph: bool, exclusive: bool) -> None:
    """Add gradient ``g`` to the ``.grad`` of the tensor whose autograd state is ``m``: the one
    place where backward writes a ``.grad`` (leaves, and tensors that retain their grad).

    The first gradient becomes the ``.grad`` (``owned``: data of its own; ``exclusive``: no
    one else holds the wrapper ``g``, which may then be the ``.grad`` itself); later ones are
    added out of place. A ``.grad`` that ``zero_()`` filled with zeros and nothing changed
    since (its version; no view of its data exists, which could have written it unseen) counts
    as the first: the tutorials' ``w.grad.zero_()`` then costs backward no pass over memory.
    Under ``create_graph`` the sum is recorded (differentiable again).
    """
    with _GRAD_LOCK:
        old = m.grad
        if create_graph:
            m.grad = g if old is None else old + g
        elif old is None:
            m.grad = owned(g, exclusive)
        else:
            om = old._meta
            if (
                om is not None
                and om.zeroed == om.version
                and old._data.shape == g._data.shape
                and only_held_by(old._data, 1)
            ):
                m.grad = owned(g, exclusive)
            else:
                m.grad = _tape._detached(old + g)


def run_hooks(hooks: list[Any], g: Any) -> Any:
    """``g`` after the tensor's hooks, in the order they were registered: each gets the
    gradient so far and returns a new one or None (keep it), as in PyTorch.

    A hook gets a tensor of its own (never a cached seed or a read-only broadcast view that
    other code reads too), and what it returns must be a tensor of the gradient's shape,
    dtype, backend and device (PyTorch's checks: "hook ... has changed the size of value").
    """
    g = owned(g)
    for h in list(hooks):
        r = h(g)
        if r is not None and r is not g:
            _check_hook_result(h, g, r)
            g = _tape._detached(r)  # a wrapper of its own: the caller may keep ``r``
    return g


def _check_hook_result(hook: Any, g: Any, r: Any) -> None:
    name = getattr(hook, "__name__", None) or type(hook).__name__
    if not isinstance(r, _tb.TensorBase):
        raise TypeError(
            f"hook {name!r} returned {type(r).__name__}; a hook returns the new gradient (a "
            f"tensor of the gradient's shape and dtype) or None to keep the gradient"
        )
    if tuple(r.shape) != tuple(g.shape):
        raise RuntimeError(
            f"hook {name!r} has changed the size of value: the gradient has shape "
            f"{tuple(g.shape)}, the hook returned shape {tuple(r.shape)}; return a tensor of "
            f"the gradient's shape"
        )
    if r.dtype is not g.dtype:
        raise RuntimeError(
            f"hook {name!r} has changed the type of value (was {g.dtype.name} got "
            f"{r.dtype.name}); return a tensor of the gradient's dtype (r.astype(g.dtype))"
        )
    if r.device != g.device:
        raise RuntimeError(
            f"hook {name!r} has changed the device of value (was {g.device} got {r.device}); "
            f"return a tensor on the gradient's backend and device (r.to(g.device))"
        )


def owned(g: Any, exclusive: bool = False) -> Any:
    """``g`` as a leaf's new ``.grad``: a wrapper of its own, around data nothing else holds
    (the backend copies data that is shared, read-only or a view), so that in-place changes of
    one ``.grad`` never reach another tensor. ``exclusive``: nothing but the caller holds the
    wrapper ``g`` itself, which may then be the ``.grad``."""
    b = g._backend
    data = g._data
    # data nothing else holds (g's and ``data``'s references only) is adopted
    if b.mutable and not (b.owns_data is not None and b.owns_data(data) and only_held_by(data, 2)):
        data = b.copy(data)
    elif exclusive:
        return g
    d = _new(_tb.TENSOR)
    d._backend = b
    d._meta = None
    d._data = data
    return d
