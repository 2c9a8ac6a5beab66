"""Graph nodes, per-tensor autograd state and the backward engine.

Nodes are recorded by ``apply()`` (``record``) and by the table's generated fast paths (the
same statements, inlined: ``polytensor._ops._registry._record_source``) only. Backward runs
the nodes in reverse topological order (latest first, from a heap), each once with its total
cotangent, calls the op table's rules (themselves polytensor calls, so ``create_graph=True``
just records them; without it, an op's fast forms of its rules where it has them, on the
backend's arrays), sums broadcast gradients to each input's shape in one place and gives each
leaf its total gradient in a ``.grad`` of its own.
"""

from __future__ import annotations

import itertools
import weakref
from sys import getrefcount as _getrefcount
from heapq import heappop, heappush
from typing import Any

from .. import _config

__all__ = ["Meta", "Node", "requires_grad", "record", "describe", "bump_version", "backward",
           "set_requires_grad", "check_inplace", "after_inplace", "needs_graph"]

_FLOATING = ("real floating", "complex floating")
_FLOAT_CAT = 6  # index of "floating-point" in _dtypes.CATEGORY_NAMES, checked below
_REAL_FLOAT_CAT = 7  # "real floating-point"
# Whether backward uses the ops' fast first-order rules where they have them (tests compare).
FAST_RULES = True
_NONDIFF: Any = None  # set by polytensor._ops._registry when it loads


class _LazyOps:
    """The table ops the engine itself calls, looked up once (the engine loads before them)."""

    def __getattr__(self, name: str) -> Any:
        import polytensor

        value = getattr(polytensor, name)
        setattr(self, name, value)
        return value


_OPS = _LazyOps()
_ZERO: Any = None
_MARKER_TYPE: Any = None


def _check_float_cat() -> None:
    from .. import _dtypes

    assert _dtypes.CATEGORY_NAMES[_FLOAT_CAT] == "floating-point"
    assert _dtypes.CATEGORY_NAMES[_REAL_FLOAT_CAT] == "real floating-point"


class Meta:
    """Autograd state of a tensor that needs any: leaves that require grad, outputs of
    recorded ops, and tensors modified in place (for their version counter)."""

    # The fields every state sets are slots; the others start as these class attributes and
    # go to the instance's dict when set, so that recording an op sets three fields, not seven.
    __slots__ = ("requires_grad", "node", "version", "__dict__", "__weakref__")
    index = 0  # which output of its node (multi-output ops)
    grad: Any = None
    hooks: list[Any] | None = None
    retains_grad = False

    def __init__(self, requires_grad: bool = False, node: Node | None = None,
                 index: int = 0) -> None:
        self.requires_grad = requires_grad
        self.node = node
        self.version = 0
        if index:
            self.index = index


class Node:
    """One recorded call: the op, its inputs (with their versions), params and, for rules that
    use it, the output."""

    __slots__ = ("op", "inputs", "versions", "params", "out", "out_metas", "seq",
                 "epoch", "needs", "tuple_out", "datas", "hooked", "fast", "__weakref__")

    def __init__(self, op: Any, inputs: tuple[Any, ...], params: dict[str, Any] | None,
                 out: Any, n_out: int, versions: tuple[int, ...] | None = None,
                 needs: tuple[bool, ...] | None = None) -> None:
        self.op = op
        self.inputs = inputs
        # per input, the autograd state (Meta) it had when recorded, if it needs a gradient:
        # the edge backward follows, whatever happens to the tensor object afterwards
        self.needs = needs if needs is not None else tuple(_edge(v) for v in inputs)
        # the data each input held, so a later in-place rebind cannot change what rules read
        # (a Python scalar input is kept as it is)
        self.datas = tuple(getattr(v, "_data", v) for v in inputs)
        self.versions = versions if versions is not None else tuple(_version(v) for v in inputs)
        self.params = params or _NO_PARAMS
        # Multi-output nodes keep their outputs: missing cotangents are zeros of their shape.
        self.out = out if n_out > 1 or isinstance(out, (tuple, list)) or getattr(
            op, "saves_out", True) else None
        self.out_metas: tuple[Any, ...] = ()
        self.seq = next(_SEQ)
        self.epoch = _inplace_count
        # for an op returning a sequence, how many outputs (else 0)
        self.tuple_out = n_out if n_out > 1 or isinstance(out, (tuple, list)) else 0
        # the Metas of this node's outputs that have hooks or retain their grad (see mark_special)
        self.hooked: list[Meta] | None = None
        # the op's fast forms while backward may use them on this node's arrays: None for a
        # multi-output node, once an output has hooks or retains its grad, and once released
        self.fast = None if self.tuple_out else getattr(op, "fast", None)

    def attach_outputs(self, outs: tuple[Any, ...]) -> None:
        """Give the outputs their autograd state; where the rule needs the output, remember
        that state (weakly) with its version, so an in-place change of it is caught."""
        metas = []
        track = self.out is not None
        for i, o in enumerate(outs):
            if _is_tensor(o) and o.dtype.kind in _FLOATING:
                m = o._meta = Meta(node=self, index=i)
                metas.append((weakref.ref(m), 0) if track else None)
            else:
                metas.append(None)
        self.out_metas = tuple(metas)

    def saved_outputs(self, create_graph: bool) -> Any:
        """The outputs as the rule sees them; connected to this node under create_graph, so
        rules that use their output (exp, inv, det...) differentiate again correctly."""
        if self.out is None:
            return None
        for entry in self.out_metas:
            if entry is not None:
                m = entry[0]()
                if m is not None and m.version != entry[1]:
                    raise RuntimeError(
                        f"an output of {self.op.name}() that its gradient needs was modified by "
                        f"an in-place operation (version {entry[1]} when saved, now "
                        f"{m.version}); clone() it before changing it")
        if not create_graph:
            return self.out
        outs = self.out if isinstance(self.out, (tuple, list)) else (self.out,)
        attached = []
        for i, o in enumerate(outs):
            if _is_tensor(o) and self.out_metas and self.out_metas[i] is not None:
                o = _detached(o)
                o._meta = Meta(node=self, index=i)
            attached.append(o)
        if isinstance(self.out, (tuple, list)):
            return type(self.out)(attached) if isinstance(self.out, list) else tuple(attached)
        return attached[0]

    def name(self) -> str:
        custom = getattr(self.op, "node_name", None)
        if custom:
            return str(custom)
        base = self.op.name.rsplit(".", 1)[-1].strip("_")
        return "".join(p.capitalize() for p in base.split("_")) + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"


_NO_PARAMS: dict[str, Any] = {}
_SEQ = itertools.count()
# In-place changes so far (any tensor). A node recorded when the count was what it is now has
# inputs and outputs exactly as recorded: backward skips its version checks.
_inplace_count = 0


_GRAD = _config.GRAD_ENABLED
_TENSOR_TYPE: list[Any] = []  # polytensor.Tensor: detached tensors are plain tensors
_new = object.__new__


def _edge(v: Any) -> Any:
    m = getattr(v, "_meta", None)
    return m if m is not None and (m.requires_grad or m.node is not None) else None


def _is_tensor(v: Any) -> bool:
    return hasattr(v, "_meta") and hasattr(v, "_data")


def _version(v: Any) -> int:
    m = getattr(v, "_meta", None)
    return m.version if m is not None else 0


def requires_grad(t: Any) -> bool:
    """True when ``t`` is a leaf that requires grad or the output of a recorded op."""
    m = t._meta
    return m is not None and (m.requires_grad or m.node is not None)


def set_requires_grad(t: Any, flag: bool) -> Any:
    """Make leaf ``t`` require (or stop requiring) gradients."""
    m = t._meta
    if m is not None and m.node is not None:
        if not flag:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor; use x.detach() to "
                               "get a tensor outside the graph")
        return t
    if flag and t.dtype.kind not in _FLOATING:
        raise RuntimeError(f"only floating-point and complex tensors can require gradients; "
                           f"got {t.dtype.name}; cast first with x.astype(pt.float32)")
    if m is None:
        if not flag:
            return t
        m = t._meta = Meta()
    m.requires_grad = flag
    return t


def bump_version(t: Any) -> None:
    """Count an in-place change of ``t``."""
    global _inplace_count
    _inplace_count += 1
    m = t._meta
    if m is None:
        m = t._meta = Meta()
    m.version += 1


def _detached(t: Any) -> Any:
    d = object.__new__(_TENSOR_TYPE[0] if _TENSOR_TYPE else type(t))
    d._data = t._data
    d._backend = t._backend
    d._meta = None
    return d


def record(opdef: Any, inputs: Any, params: Any, result: Any) -> None:
    """Attach a graph node to ``result`` when an input requires grad."""
    for v in inputs:
        m = getattr(v, "_meta", None)
        if m is not None and (m.requires_grad or m.node is not None):
            break
    else:
        return
    if opdef.vjp is _NONDIFF:
        return
    outs = result if isinstance(result, (tuple, list)) else (result,)
    if not any(_is_tensor(o) and o.dtype.kind in _FLOATING for o in outs):
        return
    saved = tuple(_detached(o) if _is_tensor(o) else o for o in outs)
    node = Node(opdef, tuple(inputs), params,
                saved if isinstance(result, (tuple, list)) else saved[0], len(outs))
    node.attach_outputs(outs)


def _make_node(op: Any, inputs: tuple[Any, ...], versions: tuple[int, ...],
               needs: tuple[Any, ...], datas: tuple[Any, ...], t: Any, keep_out: bool) -> None:
    """Record the call of ``op`` that made the one output ``t``: what ``Node`` and ``Meta``'s
    constructors do, for the fast paths (``record1``, ``record2``), which run once per op."""
    node = _new(Node)
    node.op = op
    node.inputs = inputs
    node.versions = versions
    node.needs = needs
    node.datas = datas
    node.params = _NO_PARAMS
    node.out = None
    node.out_metas = ()
    node.seq = next(_SEQ)
    node.epoch = _inplace_count
    node.tuple_out = 0
    node.hooked = None
    node.fast = op.fast
    m = _new(Meta)
    m.requires_grad = False
    m.node = node
    m.version = 0
    t._meta = m
    if keep_out:  # the output, a tensor of its own, for the rules that read it
        o = _new(_TENSOR_TYPE[0])
        o._data = t._data
        o._backend = t._backend
        o._meta = None
        node.out = o
        node.out_metas = ((weakref.ref(m), 0),)


def record1(op: Any, x: Any, d: Any, m: Meta, t: Any) -> None:
    """Record ``t = op(x)`` (``d``: x's data, ``m``: its autograd state, not None) when ``x``
    needs a gradient and ``t`` is floating."""
    if (m.requires_grad or m.node is not None) and op.vjp is not _NONDIFF and \
            t._data.dtype in t._backend.cats[_FLOAT_CAT]:
        _make_node(op, (x,), (m.version,), (m,), (d,), t, op.saves_out)


def record2(op: Any, x1: Any, d1: Any, m1: Meta | None, x2: Any, d2: Any, m2: Meta | None,
            t: Any) -> None:
    """Record ``t = op(x1, x2)`` (a Python scalar input has no autograd state: None)."""
    e1 = m1 if m1 is not None and (m1.requires_grad or m1.node is not None) else None
    e2 = m2 if m2 is not None and (m2.requires_grad or m2.node is not None) else None
    if (e1 is not None or e2 is not None) and op.vjp is not _NONDIFF and \
            t._data.dtype in t._backend.cats[_FLOAT_CAT]:
        keep = op.saves_out
        readers = op.out_readers
        if keep and readers is not None:  # kept only when a rule that reads it will run
            keep = (e1 is not None and 0 in readers) or (e2 is not None and 1 in readers)
        _make_node(op, (x1, x2), (0 if m1 is None else m1.version,
                                  0 if m2 is None else m2.version),
                   (e1, e2), (d1, d2), t, keep)


def needs_graph(x: Any, value: Any) -> bool:
    """Whether writing ``value`` into ``x`` must be recorded."""
    return _config.GRAD_ENABLED.get() and (requires_grad(x) or (
        _is_tensor(value) and requires_grad(value)))


def check_inplace(x: Any, where: str) -> None:
    """Refuse in-place changes of leaves that require grad while grad mode is on."""
    m = x._meta
    if m is not None and m.requires_grad and m.node is None and _config.GRAD_ENABLED.get():
        raise RuntimeError(f"{where}: a leaf tensor that requires grad is used in an in-place "
                           f"operation; wrap the update in `with pt.no_grad():` or use "
                           f"x.detach()")


def alias_before_inplace(x: Any) -> Any:
    """The tensor an in-place op on ``x`` should record as its input.

    For a tensor in a graph, a new object sharing ``x``'s data and autograd state: the update
    then gives ``x`` a new state, and the recorded op keeps seeing the value it was given.
    """
    m = x._meta
    if m is None or m.node is None or not _config.GRAD_ENABLED.get():
        return x
    alias = object.__new__(type(x))
    alias._data = x._data
    alias._backend = x._backend
    alias._meta = m
    return alias


def after_inplace(x: Any, result: Any) -> None:
    """After ``x`` took ``result``'s value in place: bump its version, take its graph node.

    As in PyTorch, hooks registered before stay with the old value (they fire once, with its
    gradient), while ``retain_grad()`` moves on: ``x.grad`` is the new value's gradient.
    """
    global _inplace_count
    _inplace_count += 1
    rm = result._meta
    if rm is not None and rm.node is not None:
        old = x._meta
        m = x._meta = Meta(node=rm.node, index=rm.index)
        m.version = (old.version if old is not None else 0) + 1
        if old is not None and old.retains_grad:
            old.retains_grad = False
            m.retains_grad = True
            mark_special(m)
        return
    bump_version(x)


def mark_special(m: Meta) -> None:
    """Note on ``m``'s node that ``m`` has hooks or retains its grad: backward then runs them
    once on the node's total cotangent (leaves' hooks run once on their total gradient)."""
    node = m.node
    if node is None:
        return
    node.fast = None  # backward runs the hooks: the node takes the general path
    if node.hooked is None:
        node.hooked = []
    if not any(h is m for h in node.hooked):
        node.hooked.append(m)


def setitem(x: Any, key: Any, value: Any) -> None:
    """``x[key] = value`` where the graph is involved: recorded as a functional put, then
    ``x`` is rebound to its result (as in-place operators on graph tensors are)."""
    from .._ops.indexing import put

    r = put(alias_before_inplace(x), key, value)
    x._data = r._data
    after_inplace(x, r)


def describe(t: Any) -> list[str]:
    """``repr`` fragments: ``requires_grad=True`` or ``grad_fn=<MulBackward>``."""
    m = t._meta
    if m is None:
        return []
    if m.node is not None:
        return [f"grad_fn=<{m.node.name()}>"]
    return ["requires_grad=True"] if m.requires_grad else []


# -- backward --------------------------------------------------------------------------------------
def sum_to_shape(g: Any, shape: tuple[Any, ...]) -> Any:
    """Undo broadcasting: sum ``g`` down to ``shape``."""
    gshape = g.shape
    if tuple(gshape) == tuple(shape):
        return g
    lead = len(gshape) - len(shape)
    inner = tuple(lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1)
    if not inner:  # only leading axes were added: the sum has the shape already
        return _OPS.sum(g, axis=tuple(range(lead)))
    g = _OPS.sum(g, axis=tuple(range(lead)) + inner, keepdims=True)
    return _OPS.reshape(g, tuple(shape))


def backward(outputs: list[Any], grads: list[Any], retain_graph: bool = False,
             create_graph: bool = False, inputs: list[Any] | None = None,
             own_seeds: bool = False) -> dict[int, Any]:
    """Propagate ``grads`` from ``outputs``; accumulate into leaves (or return grads of
    ``inputs``, keyed by id of their autograd state, when given).

    Nodes run latest first (a max-heap on their creation number: an op's inputs always exist
    before it), each once, with the sum of the cotangents its outputs received; a node is
    queued when its first cotangent arrives, so nothing unreachable is visited. Leaves get
    their total gradient at the end. ``own_seeds``: the caller made ``grads`` and keeps none
    of them (else each is wrapped anew, so that no ``.grad`` can share the caller's).
    """
    fast_on = FAST_RULES and not create_graph
    # Grad mode during backward is create_graph: set at once when recording, else only before
    # something that could record (a rule on tensors, a hook); fast rules record nothing.
    token = None if fast_on else _GRAD.set(create_graph)
    tensor_type = _TENSOR_TYPE[0]
    fast_backend = None  # the backend whose function table and dtypes the fast rules last used
    try:
        # (nodes and Metas hash by identity: they are their own keys)
        pending: dict[Node, Any] = {}  # node -> its cotangent so far (a list if tuple_out)
        leaves: dict[Meta, list[Any]] = {}  # leaf Meta -> [Meta, total cotangent]
        heap: list[tuple[int, Node]] = []  # (-seq, node) of the nodes with a cotangent
        wanted = {id(t._meta) for t in inputs} if inputs is not None else None
        specials = wanted is not None
        # wanted tensors that are outputs of nodes, by node: their grads are taken there
        by_node: dict[int, list[Meta]] = {}
        for t in inputs or ():
            if t._meta is not None and t._meta.node is not None:
                by_node.setdefault(id(t._meta.node), []).append(t._meta)
        found: dict[int, Any] = {}  # grads of the wanted tensors
        lean = fast_on and not specials  # nodes may take the fast forms' path below
        for out, g in zip(outputs, grads):
            m = out._meta
            if m is None or (m.node is None and not m.requires_grad):
                raise RuntimeError("element 0 of tensors does not require grad and does not "
                                   "have a grad_fn; create inputs with requires_grad=True")
            if not (create_graph or own_seeds):  # a wrapper of its own: the caller keeps g
                g = _detached(g)
            _pend(m, g, pending, leaves, heap)
        push, pop, pending_get, pending_pop = heappush, heappop, pending.get, pending.pop
        leaves_get = leaves.get
        while heap:
            node = pop(heap)[1]
            g_in = pending_pop(node)
            fast = node.fast if lean else None
            if fast is not None and node.epoch == _inplace_count:
                # the common node: its rules' fast forms on the backend's arrays
                b = g_in._backend
                gd = g_in._data
                if b is not fast_backend:  # (a graph has one backend, as a rule)
                    fast_backend = b
                    reals, fns, array_type = b.cats[_REAL_FLOAT_CAT], b.by_name, b.array_type
                if gd.dtype not in reals:
                    fast = None
            else:
                fast = None
            if fast is not None:
                out = node.out
                od = None if out is None else out._data
                datas = node.datas
                params = node.params
                for i, need in enumerate(node.needs):
                    if need is None:
                        continue
                    frule = fast[i]
                    try:
                        c = (frule(fns, gd, od, *datas, **params) if params
                             else frule(fns, gd, od, *datas))
                    except TypeError:  # the library refuses mixed dtypes (a boolean mask
                        c = NotImplemented  # in array-api-strict): the rule promotes
                    d = datas[i]
                    if c.__class__ is array_type and c.shape == d.shape and c.dtype is d.dtype:
                        t = _new(tensor_type)
                        t._data = c
                        t._backend = b
                        t._meta = None
                        c = t
                    else:  # a NumPy scalar, a broadcast result, or no fast form for the case
                        if token is None:
                            token = _GRAD.set(False)
                        c = _slow_edge(node, i, g_in, c, b)
                    vnode = need.node
                    if vnode is None:  # a leaf: its total is delivered at the end
                        entry = leaves_get(need)
                        if entry is None:
                            leaves[need] = [need, c]
                        else:
                            entry[1] = entry[1] + c
                    elif vnode.tuple_out:
                        _pend(need, c, pending, leaves, heap)
                    else:  # _pend's common case, inline
                        prev = pending_get(vnode)
                        if prev is None:
                            pending[vnode] = c
                            push(heap, (-vnode.seq, vnode))
                        else:
                            pending[vnode] = prev + c
            else:  # the general node: its rules, on tensors
                if token is None:
                    token = _GRAD.set(create_graph)
                _run_rules(node, g_in, create_graph, specials and by_node.get(id(node), ()),
                           found, pending, leaves, heap)
            if not retain_graph:  # release what the node holds; a second pass raises
                node.inputs = node.datas = node.needs = node.out = node.fast = None
                node.out_metas = ()
        g_in = gd = c = t = None  # the locals let go: a leaf's gradient may be adopted as it is
        for m, g in leaves.values():
            if m.hooks:
                if token is None:
                    token = _GRAD.set(False)
                g = _run_hooks(m.hooks, g)
            if wanted is not None:
                if id(m) in wanted:
                    found[id(m)] = g
            elif create_graph:
                m.grad = g if m.grad is None else m.grad + g
            elif m.grad is None:
                # three references to a wrapper only this loop holds: the entry's, g's and
                # getrefcount's
                m.grad = _owned(g, _getrefcount(g) <= 3)
            else:
                m.grad = _detached(m.grad + g)
        return found
    finally:
        if token is not None:
            _GRAD.reset(token)


def _run_rules(node: Node, g_in: Any, create_graph: bool, wanted: Any,
               found: dict[int, Any], pending: dict[Node, Any], leaves: dict[Meta, list[Any]],
               heap: list[tuple[int, Node]]) -> None:
    """Run ``node`` the general way: hooks and retained or wanted grads, version checks, its
    rules (or vjp) on tensors, each cotangent summed and cast to its input's shape and dtype.
    ``wanted``: False without ``inputs=``, else the wanted tensors' states at this node."""
    ins = node.inputs
    if ins is None:
        raise RuntimeError(
            "backward() through a freed graph (its saved values were released by an earlier "
            "backward()); pass retain_graph=True to the first backward()")
    if node.hooked is not None or wanted is not False:
        g_in = _specials(node, g_in, wanted or (), found, create_graph)
    op = node.op
    out = node.out
    if node.epoch != _inplace_count:  # something changed in place since recording
        ins = _checked_inputs(node, ins)
        if out is not None:
            out = node.saved_outputs(create_graph)
    elif create_graph and out is not None:
        out = node.saved_outputs(True)
    if node.tuple_out:
        g_in = tuple(g if g is not None else _zeros_like(o) for g, o in zip(g_in, out))
        if isinstance(out, list):
            g_in = list(g_in)
    params = node.params
    rules = op.rules
    if rules:  # one rule per input: call only those whose input needs a gradient
        for i, need in enumerate(node.needs):
            if need is not None:
                _pend(need, _by_rule(rules[i], g_in, out, ins, params, ins[i]), pending,
                      leaves, heap)
        return
    vjp = op.vjp
    if vjp is _ZERO:  # zero gradient: the inputs still get (zero) gradients
        cs: Any = [None] * len(ins)
    elif vjp is None:
        raise NotImplementedError(
            f"{op.name}() has no derivative rule yet; detach its inputs or compute it under "
            f"pt.no_grad()")
    else:
        cs = vjp(g_in, out, *ins, **params)
    for v, need, c in zip(ins, node.needs, cs):
        if need is not None:
            _pend(need, _zeros_like(v) if c is None else _fit(c, v), pending, leaves, heap)


def _by_rule(rule: Any, g_in: Any, out: Any, ins: tuple[Any, ...], params: dict[str, Any],
             v: Any) -> Any:
    """The cotangent of input ``v`` by its rule (zeros for a ZERO rule or a None result)."""
    c = None if rule.__class__ is _MARKER_TYPE else (
        rule(g_in, out, *ins, **params) if params else rule(g_in, out, *ins))
    return _zeros_like(v) if c is None else _fit(c, v)


def _slow_edge(node: Node, i: int, g_in: Any, c: Any, b: Any) -> Any:
    """Input ``i``'s cotangent where its fast form gave ``c`` that is not the input's array:
    a scalar or a broadcast result (made a tensor of the input's shape and dtype), or
    NotImplemented (the rule computes it)."""
    ins = node.inputs
    if c is NotImplemented:
        return _by_rule(node.op.rules[i], g_in, node.out, ins, node.params, ins[i])
    if c.__class__ is not b.array_type:
        c = b.as_array(c)  # a NumPy scalar, say
    t = _new(_TENSOR_TYPE[0])
    t._data = c
    t._backend = b
    t._meta = None
    return _fit(t, ins[i])


def _checked_inputs(node: Node, ins: tuple[Any, ...]) -> tuple[Any, ...]:
    """The inputs as the node's rule must see them: an input rebound by a later in-place op
    is read with the value it had (kept with the node); one overwritten in memory raises.
    Only the inputs whose values the rule reads (not just their shape and dtype) count."""
    checked = node.op.checked
    datas = node.datas
    fixed = None
    for i in (range(len(ins)) if checked is None else checked):
        d = datas[i]
        if d is None or d is ins[i]:  # absent, or a Python scalar
            continue
        v = ins[i]
        if v._data is not d:  # rebound by a later in-place op: read the old value
            if fixed is None:
                fixed = list(ins)
            a = _new(type(v))
            a._data = d
            a._backend = v._backend
            a._meta = node.needs[i]
            fixed[i] = a
        else:
            m = v._meta
            if m is not None and m.version != node.versions[i]:  # overwritten in memory
                _raise_modified(node, node.versions[i], m.version)
    return ins if fixed is None else tuple(fixed)


def _pend(m: Meta, c: Any, pending: dict[Node, Any], leaves: dict[Meta, list[Any]],
          heap: list[tuple[int, Node]]) -> None:
    """Add cotangent ``c`` along edge ``m``: to its node's pending cotangent (queueing the node
    when it is the first) or to the leaf's total."""
    node = m.node
    if node is None:
        entry = leaves.get(m)
        if entry is None:
            leaves[m] = [m, c]
        else:
            entry[1] = entry[1] + c
        return
    if node.tuple_out:
        slot = pending.get(node)
        if slot is None:
            slot = pending[node] = [None] * node.tuple_out
            heappush(heap, (-node.seq, node))
        i = m.index
        slot[i] = c if slot[i] is None else slot[i] + c
        return
    prev = pending.get(node)
    if prev is None:
        pending[node] = c
        heappush(heap, (-node.seq, node))
    else:
        pending[node] = prev + c


def _specials(node: Node, g_in: Any, wanted: Any, found: dict[int, Any],
              create_graph: bool) -> Any:
    """A node's total cotangent after its outputs' hooks, with retained and wanted grads
    taken from it."""
    metas = list(node.hooked or ())
    for m in metas:
        i = m.index
        g = g_in[i] if node.tuple_out else g_in
        if g is None:
            continue
        if m.hooks:
            g = _run_hooks(m.hooks, g)
            if node.tuple_out:
                g_in[i] = g
            else:
                g_in = g
        if m.retains_grad:  # a copy where the cotangent is shared (it flows on), as PyTorch
            m.grad = _accumulate(m.grad, g if create_graph else _owned(g))
    for m in wanted:  # wanted tensors whose autograd state points at this node's outputs
        g = g_in[m.index] if node.tuple_out else g_in
        if g is not None:
            found[id(m)] = g
    return g_in


def _raise_modified(node: Node, saved: int, now: int) -> None:
    raise RuntimeError(
        f"one of the input tensors of {node.op.name}() was modified by an in-place operation "
        f"after {node.op.name}() used it (version {saved} then, now {now}); its gradient "
        f"would no longer be right: use an out-of-place operation or clone() the tensor "
        f"before changing it")


def _accumulate(acc: Any, g: Any) -> Any:
    return g if acc is None else acc + g


def _zeros_like(o: Any) -> Any:
    return _OPS.zeros_like(o)


def _fit(c: Any, v: Any) -> Any:
    """Cotangent ``c`` summed to the shape and cast to the dtype of input ``v``."""
    if type(c) is type(v) and c._data.shape == v._data.shape and \
            c._data.dtype is v._data.dtype:
        return c
    astype, real = _OPS.astype, _OPS.real

    if not _is_tensor(c):
        from .._ops.creation import full_like

        return full_like(v, c)
    if tuple(c.shape) != tuple(v.shape):
        c = sum_to_shape(c, v.shape)
    if c.dtype is not v.dtype:
        if c.dtype.kind == "complex floating" and v.dtype.kind != "complex floating":
            c = real(c)
        if c.dtype is not v.dtype:
            c = astype(c, v.dtype)
    return c


def _run_hooks(hooks: list[Any], g: Any) -> Any:
    for h in list(hooks):
        r = h(g)
        if r is not None and r is not g:
            g = _detached(r)  # a wrapper of its own: the caller may keep ``r``
    return g


def _owned(g: Any, exclusive: bool = False) -> Any:
    """``g`` as a leaf's new ``.grad``: a wrapper of its own, around data nothing else holds
    (the backend copies data that is shared, read-only or a view), so that in-place changes of
    one ``.grad`` never reach another tensor. ``exclusive``: nothing but the caller holds the
    wrapper ``g`` itself, which may then be the ``.grad``."""
    b = g._backend
    data = g._data
    # three references when nothing else holds the data: g's, ``data``'s and getrefcount's
    if b.mutable and not (b.owns_data is not None and b.owns_data(data)
                          and _getrefcount(data) <= 3):
        data = b.copy(data)
    elif exclusive:
        return g
    d = _new(_TENSOR_TYPE[0])
    d._backend = b
    d._meta = None
    d._data = data
    return d
