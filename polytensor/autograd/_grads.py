"""A tensor's gradient at the end of backward: hooks (each result checked as PyTorch checks it)
and the one place where a ``.grad`` is written, under a lock, with data of its own."""

from __future__ import annotations

import threading
import weakref
from typing import Any

from .. import _config, _inplace, _tape
from .. import _tensor_base as _tb
from .._tape import Meta, only_held_by
from .._tensor_base import ZEROS_LOCK, settle_zeros

__all__ = [
    "UNDEFINED",
    "accumulate_grad",
    "adopt_into_zeros",
    "owned",
    "run_hooks",
    "run_post_hooks",
]

_new = object.__new__
_GRAD_ENABLED = _config.GRAD_ENABLED


class _Undefined:
    """PyTorch's undefined gradient: what a custom Function's backward returned as None for
    an input. Added to a cotangent it is nothing; an op's node that gets it alone passes it on
    to its inputs; a leaf that gets it alone keeps ``.grad`` None; hooks get None in its
    place; a Function's node that gets it alone runs its backward with zeros (PyTorch
    materializes them)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED = _Undefined()


# Held while a ``.grad`` is read and replaced: threads that call backward() into one leaf at
# once each add their whole gradient (an uncontended lock costs one call per leaf and pass).
_GRAD_LOCK = threading.Lock()


def accumulate_grad(m: Meta, g: Any, create_graph: bool, exclusive: bool) -> None:
    """Add gradient ``g`` to the ``.grad`` of the tensor whose autograd state is ``m``: the one
    place where backward writes a ``.grad`` (leaves, and tensors that retain their grad).

    The first gradient becomes the ``.grad`` (``owned``: data of its own; ``exclusive``: no
    one else holds the wrapper ``g``, which may then be the ``.grad`` itself). Later ones are
    added to a leaf's ``.grad`` in place, as PyTorch adds them: the ``.grad`` stays the same
    tensor, so whoever holds it (``g = w.grad``, or the tensor assigned to ``w.grad``) sees the
    sum, and its version counts the change. A retained grad (``retain_grad()``) becomes a new
    tensor each time, as PyTorch's does. A ``.grad`` that ``zero_()`` filled with zeros and
    nothing changed since (its version; no view of its data exists, which could have written it
    unseen) takes the gradient's data instead: the tutorials' ``w.grad.zero_()`` then costs
    backward no pass over memory, and a large leaf's ``.grad`` is noted as such, so that
    ``zero_()`` need not write its zeros either (``_methods._defers_zeros``). Under
    ``create_graph`` the sum is recorded (differentiable again) and is a new tensor, as in
    PyTorch.
    """
    with _GRAD_LOCK:
        old = m.grad
        if create_graph:  # (a copy, recorded: two leaves fed by one cotangent (a + b) get
            # .grads of their own, as PyTorch's, so that a.grad.zero_() leaves b.grad as it is)
            m.grad = g.clone() if old is None else old + g
        elif old is None:
            # (a wrapper that others hold too, a hook having kept it, shares no data with it)
            m.grad = g = owned(g, exclusive, shared=not exclusive)
            if m.node is None and g._backend.zeros_view is not None:
                _note_grad_of(g, m)
        elif m.node is not None:  # a retained grad: a new tensor each time, as PyTorch's
            zeros = _zeros_alone(old) and old._data.shape == g._data.shape
            m.grad = (
                owned(g, exclusive, shared=not exclusive) if zeros else _tape._detached(old + g)
            )
        elif not _add_into(old, g, exclusive):
            m.grad = _tape._detached(old + g)


def adopt_into_zeros(m: Meta, c: Any) -> bool:
    """``accumulate_grad``'s common case, for a gradient that is still an array (backward's
    raw cotangent, which only the caller's local holds): the leaf's ``.grad`` holds the zeros
    that ``zero_()`` wrote, or left unwritten (``_methods._defers_zeros``), in memory nothing
    else holds (``_zeros_alone``), so ``c`` becomes its data, as ``_adopted`` would make it,
    with no wrapper made. False,
    with nothing changed, in every other case: the caller then wraps ``c`` and goes the general
    way. (The tutorials' ``w.grad.zero_()`` then ``loss.backward()``: one call per leaf.)

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor.autograd._grads import adopt_into_zeros
    >>> w = pt.zeros(20000, requires_grad=True)
    >>> w.sum().backward(); _ = w.grad.zero_()
    >>> adopt_into_zeros(w._meta, np.ones(20000, np.float32)), float(w.grad.sum())
    (True, 20000.0)
    """
    old = m.grad
    if old is None or m.node is not None:
        return False
    om = old._meta
    if om is None or om.zeroed != om.version:  # (not zeroed: no locks taken for nothing)
        return False
    b = old._backend
    od = old._data
    if (
        b.owns_data is None
        or c.__class__ is not b.array_type
        or c.shape != od.shape
        or c.dtype is not od.dtype
        or not b.owns_data(c)
    ):
        return False
    od = None
    with _GRAD_LOCK, ZEROS_LOCK:
        # (a thread may have read the zeros out meanwhile: checked under the locks; c held by
        # the caller's local and this call's parameter only)
        if m.grad is not old or not _zeros_alone(old) or not only_held_by(c, 2):
            return False
        old._data = c
        old._meta.version += 1
    return True


def _note_grad_of(g: Any, m: Meta) -> None:
    """Record that ``g`` is the ``.grad`` of the leaf whose state is ``m``, when it is large:
    ``zero_()`` may then leave its zeros unwritten (``_methods._defers_zeros``)."""
    if g._data.nbytes >= _tape.DEFER_ZEROS_BYTES:
        gm = g._meta
        if gm is None:
            gm = g._meta = Meta()
            gm.deferred = gm.zeroed = -1  # (fields of the instance: the next reads are quick)
        gm.grad_of = weakref.ref(m)


def _adopted(old: Any, g: Any, exclusive: bool) -> bool:
    """Whether ``old`` held zeros alone (``_zeros_alone``) and so took ``g``'s data (a copy
    of it where others hold ``g`` too: ``exclusive`` false)."""
    if not _zeros_alone(old):
        return False
    # (no local holds g's data either: own_data adopts data that g alone holds; nothing holds
    # the old data: no node counts its version)
    old._data = own_data(g) if exclusive else old._backend.copy(g._data)
    old._meta.version += 1
    return True


def _zeros_alone(old: Any) -> bool:
    """Whether ``old`` holds the zeros ``zero_()`` wrote (or left unwritten), in memory of its
    own that nothing else holds (no view of it; not a view of other memory, such as a bucket
    that ``w.grad.data = bucket[:n]`` made it share)."""
    om = old._meta
    if om is None or om.zeroed != om.version:
        return False
    b = old._backend
    return (
        om.deferred == om.version
        or (
            b.owns_data is not None
            and b.owns_data(old._data)
            # (nothing wrote the memory through another tensor, a view or .data, since)
            and not _tape.written_since(b, old._data, om.zeroed_at)
        )
    ) and only_held_by(old._data, 1)  # (old's reference, the argument's and getrefcount's)


def _add_into(old: Any, g: Any, exclusive: bool) -> bool:
    """``old += g`` in place, outside any graph; False when it cannot be (another backend,
    shape or dtype; read-only data): the caller adds out of place. ``exclusive``: nothing else
    holds the wrapper ``g``, whose data ``old`` may then take."""
    b = old._backend
    # (no local holds old's data before the test of its zeros: it would look shared)
    if g._backend is not b or g._data.shape != old._data.shape or g._data.dtype != old._data.dtype:
        return False
    om = old._meta
    if om is not None and om.deferred == om.version:  # zeros that zero_() left unwritten
        with ZEROS_LOCK:  # (a thread reading w.grad now either wrote them or waits)
            if _adopted(old, g, exclusive):
                return True
        settle_zeros(old, True)  # (viewed since they were kept: refused)
    elif _adopted(old, g, exclusive):
        return True
    od = old._data
    gd = g._data
    writes = b.inplace
    fn = None if writes is None else writes.get("add")
    try:
        if fn is not None:
            fn(od, gd, od)  # (out=od)
        else:
            total = (_tape._detached(old) + g)._data
            if b.mutable:
                od[...] = total
            else:  # immutable arrays (Dask): in place means the tensor takes the sum
                old._data = total
                _inplace.rebind_owners(old)
                if old._write_back is not None:  # (a .grad that is a view: its base too)
                    old._write_back(True)
                if old._meta is None:  # (the new data is old's alone: count the change)
                    old._meta = Meta()
    except ValueError:  # read-only data (a gradient assigned as a broadcast view)
        return False
    _tape.bump_version(old)
    return True


def run_post_hooks(hooks: list[Any]) -> None:
    """A leaf's post-accumulate-grad hooks, in the order they were registered, after its
    ``.grad`` was accumulated (each calls its function with the leaf)."""
    for h in list(hooks):
        h()


def run_hooks(hooks: list[Any], g: Any) -> Any:
    """``g`` after the tensor's hooks, in the order they were registered: each gets the
    gradient so far and returns a new one or None (keep it), as in PyTorch.

    A hook gets a tensor of its own (never a cached seed or a read-only broadcast view that
    other code reads too), and what it returns must be a tensor of the gradient's shape,
    dtype, backend and device (PyTorch's checks: "hook ... has changed the size of value").
    An UNDEFINED gradient (a custom Function's None) reaches each hook as None, and stays
    undefined: a hook that returns a gradient for it is refused, as in PyTorch.
    """
    if g is UNDEFINED:
        for h in list(hooks):
            if h(None) is not None:
                name = getattr(h, "__name__", None) or type(h).__name__
                raise RuntimeError(
                    f"hook {name!r} returned a gradient where there is none (a custom "
                    f"Function's backward returned None on this path): a hook cannot replace "
                    f"a None gradient (PyTorch refuses it too); return None for a None argument"
                )
        return g
    # (create_graph: the gradient and what hooks return stay in the graph, differentiable
    # again, as PyTorch's)
    recorded = _GRAD_ENABLED.get()
    if not recorded:
        g = owned(g)
    for h in list(hooks):
        r = h(g)
        if r is not None and r is not g:
            _check_hook_result(h, g, r)
            # (else a wrapper of its own: the caller may keep ``r``)
            g = r if recorded else _tape._detached(r)
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


def owned(g: Any, exclusive: bool = False, shared: bool = False) -> Any:
    """``g`` as a leaf's new ``.grad``: a wrapper of its own, around data nothing else holds
    (the backend copies data that is shared, read-only or a view), so that in-place changes of
    one ``.grad`` never reach another tensor. ``exclusive``: nothing but the caller holds the
    wrapper ``g`` itself, which may then be the ``.grad``; ``shared``: others hold ``g`` (a hook
    kept the gradient it was given), whose data is then copied, as they see it through ``g``."""
    b = g._backend
    data = b.copy(g._data) if shared and b.mutable else own_data(g)
    if exclusive and data is g._data:
        return g
    d = _new(_tb.TENSOR)
    d._backend = g._backend
    d._meta = None
    d._data = data
    return d


def own_data(g: Any) -> Any:
    """``g``'s data if nothing but ``g`` holds it and it may be written, else a copy of it."""
    b = g._backend
    data = g._data
    # data nothing else holds (g's and ``data``'s references only) is adopted
    if b.mutable and not (b.owns_data is not None and b.owns_data(data) and only_held_by(data, 2)):
        return b.copy(data)
    return data
