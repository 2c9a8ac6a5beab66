"""In-place changes and autograd: version counters, aliasing and rebinding.

An in-place change of a tensor bumps its version (backward then checks the values its rules
read); a change of a tensor in a graph is recorded as a new node, and the tensor is rebound to
its result, while the node that used the old value keeps that value's data and state
(``alias_before_inplace``); backward refuses a node whose recorded data was overwritten in
memory (``check_inputs``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _config, _lazy_updates, _tape
from . import _tensor_base as _tb
from ._checks import BroadcastError
from ._tensor_base import settle_zeros

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "SYMBOLS",
    "after_inplace",
    "alias_before_inplace",
    "assign_inplace",
    "check_inplace",
    "check_inputs",
    "rebind_owners",
    "register_overlap_check",
]

_READ = object()  # (after_inplace: the state is read from the tensor)

SYMBOLS = {
    "__iadd__": "+",
    "__isub__": "-",
    "__imul__": "*",
    "__itruediv__": "/",
    "__ifloordiv__": "//",
    "__imod__": "%",
    "__ipow__": "**",
    "__iand__": "&",
    "__ior__": "|",
    "__ixor__": "^",
    "__ilshift__": "<<",
    "__irshift__": ">>",
    "__imatmul__": "@",
}


def assign_inplace(x: Any, result: Any, where: str) -> Tensor:
    """Make ``x`` hold ``result`` in place (the standard's in-place operator semantics)."""

    if result.dtype is not x.dtype:
        raise TypeError(
            f"{where}: the result has dtype {result.dtype.name} but the tensor "
            f"updated in place has {x.dtype.name}; use the out-of-place form "
            f"(x = x {SYMBOLS.get(where, where)} y) or cast first"
        )
    if result.shape != x.shape:
        raise BroadcastError(
            f"{where}: the result has shape {result.shape} but the tensor updated "
            f"in place has {x.shape}; in-place operations cannot broadcast self"
        )
    check_inplace(x, where)
    rebound = True
    if _tape.requires_grad(result):
        # Recorded: rebind, so the node that saved the old value keeps it intact.
        x._data = result._data
    elif x._backend.mutable:
        settle_zeros(x, True)  # (zeros that zero_() left unwritten: written first)
        x._data[...] = result._data
        rebound = False
    else:  # immutable arrays (Dask): rebind, which is what in-place means there
        x._data = result._data
        rebind_owners(x)
    after_inplace(x, result)
    if rebound and x._write_back is not None:  # a view (_tensor.View): its base takes the change
        x._write_back()
    return x  # type: ignore[no-any-return]  # (x is a Tensor)


def rebind_owners(x: Any) -> None:
    """After ``x`` was rebound to new data in place: the tensors whose ``.data`` it is (on an
    immutable backend, where nothing else shares memory) take the same data. On a lazy
    backend each is computed along with the next value read (``_lazy_updates``), so that a
    loop's updates do not make its graphs grow."""
    _lazy_updates.note(x)
    owner = x._owner
    while owner is not None:
        _lazy_updates.note(owner)
        owner._data = x._data
        _tape.bump_version(owner)
        if owner._write_back is not None:  # (x.data of a view: the view's base takes it too)
            owner._write_back(True)
        owner = owner._owner


def check_inplace(x: Any, where: str) -> None:
    """Refuse in-place changes of leaves that require grad while grad mode is on, and of
    views (``_tensor.View``) of them, or made under ``no_grad`` of a tensor in a graph: the
    view's change would reach the base outside the graph (PyTorch refuses both); and of
    views that repeat an element of memory (``overlap_check``), in any grad mode."""
    m = x._meta
    if m is not None and m.requires_grad and m.node is None and _config.GRAD_ENABLED.get():
        raise RuntimeError(
            f"{where}: a leaf tensor that requires grad is used in an in-place "
            f"operation; wrap the update in `with pt.no_grad():` or use "
            f"x.detach()"
        )
    if x._write_back is None:
        return
    if where != "__setitem__" and overlap_check is not None:  # (a write at a key: its region)
        overlap_check(x, where)
    if not _config.GRAD_ENABLED.get():
        return
    while x._write_back is not None:  # (a loop up the chain of views, however long)
        base = x._base
        if not x._recorded and _tape.requires_grad(base):
            raise RuntimeError(
                f"{where}: a view made under no_grad of a tensor that requires grad is "
                f"changed in place with grad mode on; its change would reach the base "
                f"outside the graph: take the view with grad mode on, change it under "
                f"`with pt.no_grad():` too, or clone() it first"
            )
        bm = base._meta
        if bm is not None and bm.requires_grad and bm.node is None:
            raise RuntimeError(
                f"{where}: a view of a leaf tensor that requires grad is used in an in-place "
                f"operation; wrap the update in `with pt.no_grad():` or change a clone()"
            )
        x = base


# (view, where) -> None, raising where an in-place change of the view would write one element
# of memory through several of its elements (``_view_layout.check_overlap``, of the Tensor's
# layer above, which registers it when it loads)
overlap_check: Callable[[Any, str], None] | None = None


def register_overlap_check(fn: Callable[[Any, str], None]) -> None:
    """Make ``check_inplace`` of a view call ``fn(view, where)`` first."""
    global overlap_check
    overlap_check = fn


def alias_before_inplace(x: Any) -> Any:
    """The tensor an in-place op on ``x`` should record as its input.

    For a tensor in a graph, a new object sharing ``x``'s data and autograd state: the update
    then gives ``x`` a new state, and the recorded op keeps seeing the value it was given.
    """
    m = x._meta
    if m is None or m.node is None or not _config.GRAD_ENABLED.get():
        return x
    # (a view's alias is a plain tensor: the view's base stays with the view)
    alias = object.__new__(type(x) if x._write_back is None else _tb.TENSOR)
    alias._data = x._data
    alias._backend = x._backend
    alias._meta = m
    return alias


def after_inplace(x: Any, result: Any, state: Any = _READ) -> None:
    """After ``x`` took ``result``'s value in place: bump its version, take its graph node.
    ``state``: ``x``'s autograd state before the change, where the caller has it (a view's, up
    to date), else read here.

    As in PyTorch, hooks registered before stay with the old value (they fire once, with its
    gradient), while ``retain_grad()`` moves on: ``x.grad`` is the new value's gradient.
    """
    rm = result._meta
    if rm is not None and rm.node is not None:
        # (read before the change is counted: a view that the op making ``result`` read is up
        # to date, and then has nothing to look at again, _tensor.View._meta)
        old = x._meta if state is _READ else state
        _tape._inplace_count += 1
        m = x._meta = _tape.Meta(node=_tape.node_of(rm), index=rm.index)
        m.version = (old.version if old is not None else 0) + 1
        if old is not None and old.swapped_out:  # (x.data = ... before: _tensor.View)
            m.swapped_out = old.swapped_out
        if old is not None and old.retains_grad:
            old.retains_grad = False
            m.retains_grad = True
            _tape.mark_special(m)
        return
    _tape._inplace_count += 1
    _tape.bump_version(x)


def check_inputs(node: _tape.Node) -> None:
    """Refuse backward through ``node`` when a value its rules read was changed in place since
    it was recorded. The node keeps each input's data as recorded, so an input tensor rebound
    by a later in-place op (or ``x.data = ...``) is read with the value it had, its shape
    included; what overwrote that data in memory (the tensor itself, a view of it, its
    ``detach()`` or ``.data``: every in-place write notes the memory it wrote,
    ``_tape.note_write``) raises. Only the inputs whose values the rules read (not just
    their shape and dtype) are checked. An immutable backend (Dask) overwrites no memory: its
    recorded data always holds the value recorded.

    Example: with ``y = x * w`` recorded, a later ``w.mul_(2)`` under ``pt.no_grad()``
    overwrites ``w`` in memory, so ``y.sum().backward()`` raises RuntimeError.
    """
    if not _tape.writes_since(node.epoch):
        return  # (only rebinds since: every input's recorded data holds its value)
    op = node.op
    checked = op.checked
    rule_reads = getattr(op, "rule_reads", None)
    if rule_reads is not None:  # only what the rules that run read
        checked = sorted(
            {j for i, e in enumerate(node.needs) if e is not None for j in rule_reads[i]}
        )
    # (None: every input but those a rule of *inputs declares unread, x[key]'s x)
    unchecked: tuple[int, ...] = getattr(op, "unchecked", ())
    backends = node.input_backends()
    for i, (d, m, b) in enumerate(zip(node.datas, node.needs, backends, strict=True)):
        reads = i not in unchecked if checked is None else i in checked
        if not reads or b is None or not b.mutable or d.__class__ is not b.array_type:
            continue  # a value the rules do not read, a number, or immutable data
        if not _tape.written_since(b, d, node.epoch):
            continue  # (a tensor rebound since, x.data = ... say, left its recorded data as is)
        if m is not None and m.version != node.versions[i]:  # (the tensor itself, most likely)
            raise RuntimeError(
                f"one of the input tensors of {op.name}() was modified by an in-place "
                f"operation after {op.name}() used it (version {node.versions[i]} then, "
                f"now {m.version}); its gradient would no longer be right: use an "
                f"out-of-place operation or clone() the tensor before changing it"
            )
        raise RuntimeError(
            f"one of the input tensors of {op.name}() shares its memory with a tensor (itself, "
            f"a view of it, its detach() or .data, or a tensor it views) that was modified by "
            f"an in-place operation after {op.name}() used it; its gradient would no longer be "
            f"right: clone() the tensor before changing it, or change it after backward()"
        )
