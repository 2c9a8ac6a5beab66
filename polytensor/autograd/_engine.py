"""The backward engine: runs the tape's nodes from the outputs back to the leaves.

Backward runs the nodes in reverse topological order (latest first, from a heap), each once
with its total cotangent. A node takes one of two paths:

- the fast one (``backward``'s loop), when it may (``_takes_fast_forms``): its op's fast
  first-order forms of its rules, on the backend's arrays, recording nothing;
- the general one (``_run_rules``): hooks, retained and wanted grads, in-place checks, and the
  op table's rules on tensors (polytensor calls, so ``create_graph=True`` records them).

Broadcast gradients are summed to each input's shape in one place (``_cotangents.fit``), and
each leaf gets its total gradient in a ``.grad`` of its own at the end, added in one place
(``_grads.accumulate_grad``, under a lock: threads may call backward() into one leaf at once).

On the fast path a cotangent of the seed's backend stays the backend's own array, unwrapped,
until something needs a tensor (a node taking its rules, a leaf's ``.grad``): cotangents that
meet are added by the library itself, and no tensor is made per edge.
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import Any, cast

from .. import _config, _tape
from .. import _dtypes as dt
from .. import _tensor_base as _tb
from .._inplace import check_inputs
from .._ops.creation import zeros_like
from .._tape import SELF, ZERO, Composite, Marker, Meta, Node, node_of
from . import _anomaly
from ._cotangents import fit, sum_to_shape
from ._fast_forms import attach as _attach_fast_forms
from ._function import _FunctionOp
from ._grads import UNDEFINED, accumulate_grad, adopt_into_zeros, run_hooks, run_post_hooks
from ._grads import owned as _owned

__all__ = ["FAST_RULES", "backward", "sum_to_shape"]

_REAL_FLOAT_CAT = dt.CATEGORY_NAMES.index("real floating-point")
_GRAD = _config.GRAD_ENABLED
_new = object.__new__


_only_held_by = _tape.only_held_by


# Whether backward uses the ops' fast first-order forms where they have them (tests compare).
FAST_RULES = True
_attach_fast_forms()  # OpDef.fast, from the table of _fast_forms.py


def backward(
    outputs: list[Any],
    grads: list[Any],
    retain_graph: bool = False,
    create_graph: bool = False,
    inputs: list[Any] | None = None,
    own_seeds: bool = False,
    hooks: bool = True,
) -> dict[int, Any]:
    """Propagate ``grads`` from ``outputs``; accumulate into leaves (or return grads of
    ``inputs``, keyed by id of their autograd state, when given).

    Nodes run latest first (a max-heap on their creation number: an op's inputs always exist
    before it), each once, with the sum of the cotangents its outputs received; a node is
    queued when its first cotangent arrives, so nothing unreachable is visited. Leaves get
    their total gradient at the end. ``own_seeds``: the caller made ``grads`` and keeps none
    of them (else each is wrapped anew, so that no ``.grad`` can share the caller's).
    ``hooks``: False runs no tensor's hooks and retains no grad (a composite rule's inner
    pass over the op's own inputs: the outer pass runs them, once).
    """
    # (anomaly detection: every node the general way, its gradients checked in _run_rules)
    fast_on = FAST_RULES and not create_graph and not _anomaly.STATE[0]
    # Grad mode during backward is create_graph: set at once when recording, else only before
    # something that could record (a rule on tensors, a hook); fast rules record nothing.
    token = None if fast_on else _GRAD.set(create_graph)
    tensor_type = _tb.TENSOR
    fast_backend = None  # the backend whose function table and dtypes the fast rules last used
    # the fast forms' cotangents of this backend (the first output's) are kept as its arrays
    # ("raw"); those of any other backend as tensors
    raw_b: Any = outputs[0]._backend if outputs else None
    raw_type = raw_b.array_type if raw_b is not None else _NoRaw
    # the library's floating-point warnings off: the rules may divide by zero (sqrt's at 0),
    # as PyTorch's do silently (Backend.quiet_float_errors)
    undo_quiet = raw_b.quiet_float_errors() if raw_b is not None else None
    try:
        # (nodes and Metas hash by identity: they are their own keys)
        pending: dict[Node, Any] = {}  # node -> its cotangent so far (a list if tuple_out)
        leaves: dict[Meta, list[Any]] = {}  # leaf Meta -> [Meta, total cotangent]
        heap: list[tuple[int, Node]] = []  # (-seq, node) of the nodes with a cotangent
        # wanted tensors that are outputs of nodes, by node: their grads are taken there
        by_node: dict[int, list[Meta]] = {}
        if inputs is not None:
            wanted: set[int] | None = {id(t._meta) for t in inputs}
            for t in inputs:
                if t._meta is not None and (n := node_of(t._meta)) is not None:
                    by_node.setdefault(id(n), []).append(t._meta)
        else:
            wanted = None
        specials = wanted is not None
        # with inputs=, the nodes from which a wanted tensor is reached: only their edges are
        # followed (as PyTorch's), so no other input's rule runs (one that raises, too)
        useful = _leading_to(outputs, wanted, by_node) if wanted is not None else None
        found: dict[int, Any] = {}  # grads of the wanted tensors
        lean = fast_on and not specials  # nodes may take the fast forms' path below
        if len(outputs) != len(grads):
            raise ValueError(
                f"backward() got {len(outputs)} tensors and {len(grads)} gradients; give one "
                f"gradient per tensor"
            )
        for out, g in zip(outputs, grads, strict=False):  # (counted above)
            m = out._meta
            if m is None or (m.node is None and not m.requires_grad):
                raise RuntimeError(
                    "element 0 of tensors does not require grad and does not "
                    "have a grad_fn; create inputs with requires_grad=True"
                )
            if not own_seeds:
                # a gradient of another dtype is cast to the output's, as PyTorch casts it: each
                # cotangent then has its tensor's dtype (and shape), which the fast path of a
                # node alike relies on
                if g._data.dtype is not out._data.dtype:
                    if g.dtype.kind == "complex floating" and out.dtype.kind != "complex floating":
                        raise RuntimeError(
                            f"backward(): the gradient is {g.dtype} but the output is "
                            f"{out.dtype}, which is real; give a real gradient (PyTorch "
                            f"refuses a complex one too)"
                        )
                    g = fit(g, out)
                if not create_graph:  # a wrapper of its own: the caller keeps g
                    g = _tape._detached(g)
            _pend(m, g, pending, leaves, heap)
        if not retain_graph:
            _tape.releases += 1
        push, pop, pending_get, pending_pop = heappush, heappop, pending.get, pending.pop
        leaves_get = leaves.get
        # the next node when it is the only one with a cotangent (a chain of ops): kept out of
        # the heap until a second one arrives
        nxt = None
        while heap or nxt is not None:
            if nxt is not None:
                node = nxt
                nxt = None
            else:
                node = pop(heap)[1]
            g_in = pending_pop(node)
            raw = g_in.__class__ is raw_type  # (a raw cotangent is raw_b's)
            # A node takes its op's fast forms (_fast_forms.py) when nothing is recorded and no
            # inputs= are wanted (lean), it has them (Node.fast: a one-output op, no hooks or
            # retained grads on its output, not released), and its cotangent has a real
            # floating dtype. Where something changed in place since it was recorded (its
            # epoch: the tutorials' loss += step_loss, say), the values its forms read are
            # checked first, as the general path checks them: they raise, or the data the
            # node recorded still holds those values.
            fast = node.fast if lean else None
            if fast is not None and node.epoch != _tape._inplace_count:
                _check_recorded(node)
            if fast is not None:
                if raw:
                    b = raw_b
                    gd = g_in
                else:
                    b = g_in._backend
                    gd = g_in._data
                if b is not fast_backend:  # (a graph has one backend, as a rule)
                    fast_backend = b
                    reals, fns, array_type = b.cats[_REAL_FLOAT_CAT], b.by_name, b.array_type
                    lazy = b.lazy
                    keep_raw = b is raw_b
                if gd.dtype not in reals:
                    fast = None
            else:
                fast = None
            if raw and fast is None:  # the node's rules take a tensor
                g_in = _wrap(g_in, raw_b)
            if fast is not None:
                out = node.out
                od = None if out is None else out._data
                datas = node.datas
                params = node.params
                two = len(datas) == 2
                alike = node.alike
                for i, need in enumerate(node.needs):
                    if need is None:
                        continue
                    frule = fast[i]
                    try:
                        if params:
                            c = frule(fns, gd, od, *datas, **params)
                        elif two:  # (a call of fixed arity: no argument tuple to build)
                            c = frule(fns, gd, od, datas[0], datas[1])
                        else:
                            c = frule(fns, gd, od, *datas)
                    except TypeError:  # the library refuses mixed dtypes (a boolean mask
                        c = NotImplemented  # in array-api-strict): the rule promotes
                    d = datas[i]
                    # the input's array (as a node alike's forms give it), or a broadcast of it
                    # summed to its shape here (a bias's gradient): the fast forms' result as
                    # it is
                    if c.__class__ is array_type and (
                        alike
                        or (
                            c.dtype is d.dtype
                            and (
                                c.shape == d.shape
                                or ((s := _summed(fns, c, d.shape)) is not None and (c := s) is s)
                            )
                        )
                    ):
                        if lazy:  # a gradient has its primal's chunks
                            c = b.relayout(c, d)
                        if not keep_raw:
                            t = _new(tensor_type)
                            t._data = c
                            t._backend = b
                            t._meta = None
                            c = t
                    else:  # a NumPy scalar, another dtype, or no fast form for the case
                        if token is None:
                            token = _GRAD.set(False)
                        if raw:
                            g_in = _wrap(gd, b)
                            raw = False
                        c = _slow_edge(node, i, g_in, c, b)
                    vnode: Any = need.node
                    if vnode is SELF:  # the node is its output's state (record_node's)
                        vnode = need
                    elif vnode is None:  # a leaf: its total is delivered at the end
                        entry = leaves_get(need)
                        if entry is None:
                            leaves[need] = [need, c]
                        else:
                            entry[1] = _add(entry[1], c, b)
                        continue
                    elif vnode.tuple_out:
                        if nxt is not None:
                            push(heap, (-nxt.seq, nxt))
                            nxt = None
                        if c.__class__ is array_type:
                            c = _wrap(c, b)
                        _pend(need, c, pending, leaves, heap)
                        continue
                    # _pend's common case, inline
                    prev = pending_get(vnode)
                    if prev is None:
                        pending[vnode] = c
                        if nxt is None and not heap:
                            nxt = vnode
                        else:
                            if nxt is not None:
                                push(heap, (-nxt.seq, nxt))
                                nxt = None
                            push(heap, (-vnode.seq, vnode))
                    else:
                        pending[vnode] = _add(prev, c, b)
            else:  # the general node: its rules, on tensors (an UNDEFINED cotangent too)
                if token is None:
                    token = _GRAD.set(create_graph)
                op = node.op
                if (
                    lean
                    and op.__class__ is _FunctionOp
                    and node.hooked is None
                    and g_in is not UNDEFINED
                    and not node.tuple_out
                    and node.datas is not None
                ):  # a custom Function's node with nothing special asked (the tutorials' MyReLU)
                    _run_function(node, op, g_in, pending, leaves, heap)
                else:
                    _run_rules(
                        node,
                        g_in,
                        create_graph,
                        specials and by_node.get(id(node), ()),
                        found,
                        pending,
                        leaves,
                        heap,
                        hooks,
                        useful,
                    )
                if (
                    not retain_graph
                    and not node.keeps
                    and (release := getattr(op, "release", None))
                ):
                    release()  # (a custom Function's saved tensors)
            # release what the node holds, so that a second pass raises (a view's node holds
            # nothing to release: _tape.keep_for_views)
            if not retain_graph and not node.keeps:
                node.datas = node.needs = node.out = node.fast = None  # type: ignore[assignment]
                if node.out_metas:
                    node.out_metas = ()
        # the locals let go: a leaf's gradient may be adopted as it is
        g_in = gd = c = t = prev = entry = None
        for entry in leaves.values():
            m, g = entry
            entry[1] = None  # (g is then held by this loop alone)
            if wanted is not None and id(m) not in wanted:
                continue  # (a leaf not asked for: its hooks do not run, as PyTorch's)
            if g is UNDEFINED:  # no gradient; hooks get None, as PyTorch's
                if hooks and m.hooks:
                    if token is None:
                        token = _GRAD.set(False)
                    run_hooks(m.hooks, g)
                continue
            if g.__class__ is raw_type:
                # the tutorials' case: zero_() left the .grad's zeros unwritten, and the
                # array becomes its data (adopt_into_zeros), with no wrapper made
                if (
                    m.grad is not None  # (the common zero_grad() sets None: no call)
                    and wanted is None
                    and not create_graph
                    and not (hooks and m.hooks)
                    and adopt_into_zeros(m, g)
                ):
                    continue
                g = _wrap(g, raw_b)
            if hooks and m.hooks:
                if token is None:
                    token = _GRAD.set(False)
                g = run_hooks(m.hooks, g)
                if m.post_hooks and wanted is None:  # (accumulated, then the leaf's hooks)
                    accumulate_grad(m, g, create_graph, False)
                    run_post_hooks(m.post_hooks)
                    continue
            if wanted is not None:
                found[id(m)] = g
            else:
                # a wrapper only this loop holds (the entry's and g's references) is adopted
                accumulate_grad(m, g, create_graph, not create_graph and _only_held_by(g, 2))
        return found
    finally:
        if token is not None:
            _GRAD.reset(token)
        if undo_quiet is not None:
            undo_quiet()


def _leading_to(outputs: list[Any], wanted: set[int], by_node: dict[int, Any]) -> set[int]:
    """The ids of the states (leaves' ``Meta``, nodes) of ``outputs``' graph from which one of
    the ``wanted`` tensors (ids of their states; ``by_node``: those made by a node, by the
    node's id) is reached going backward: the edges ``inputs=`` asks backward to follow."""
    useful: set[int] = set()
    done: set[int] = set()
    # (an iterative depth-first walk: a chain of ops may be longer than the recursion limit)
    stack: list[tuple[Any, bool]] = [(o._meta, False) for o in outputs if o._meta is not None]
    while stack:
        m, expanded = stack.pop()
        n = node_of(m)
        key = id(m) if n is None else id(n)
        if expanded:  # (its inputs' states walked: n is a node)
            needs = n.needs if n is not None else None
            # (a node an earlier backward released: where it leads is unknown, and reaching it
            # raises that the graph was freed, as it must)
            if needs is None or any(e is not None and _leads(e, useful) for e in needs):
                useful.add(key)
            continue
        if key in done:
            continue
        done.add(key)
        if id(m) in wanted or (n is not None and id(n) in by_node):
            useful.add(key)
        if n is None:  # (a leaf)
            continue
        stack.append((m, True))
        stack.extend((e, False) for e in n.needs or () if e is not None)
    return useful


def _leads(m: Meta, useful: set[int]) -> bool:
    """Whether edge ``m`` leads to a wanted tensor (``_leading_to``)."""
    n = node_of(m)
    return (id(m) if n is None else id(n)) in useful


def _check_recorded(node: Node) -> None:
    """Raise, as the general path does, where an input or output that ``node``'s rules read
    was changed in place since it was recorded."""
    check_inputs(node)
    if node.out is not None:
        node.saved_outputs(False)


class _NoRaw:
    """The raw cotangents' class when no backend keeps them: nothing is one."""


# a tensor of backend b around the array data (a raw cotangent): _wrap(data, b)
_wrap = _tape.tensor_of


def _add(prev: Any, c: Any, b: Any) -> Any:
    """The sum of two cotangents of one tensor of backend ``b``, each a tensor (of any tensor
    class: a view's, under ``create_graph``) or ``b``'s own array: two arrays are added by the
    library (the result stays an array), else as tensors. ``prev`` may be UNDEFINED (then
    the sum is ``c``); ``c`` is not (``_add_tensors`` takes an UNDEFINED ``c``)."""
    if prev is UNDEFINED:
        return c
    array_type = b.array_type
    if prev.__class__ is array_type:
        if c.__class__ is array_type:
            r = prev + c
            return r if r.__class__ is array_type else b.as_array(r)  # (a NumPy scalar)
        prev = _wrap(prev, b)
    elif c.__class__ is array_type:
        c = _wrap(c, b)
    return prev + c


def _run_rules(
    node: Node,
    g_in: Any,
    create_graph: bool,
    wanted: Any,
    found: dict[int, Any],
    pending: dict[Node, Any],
    leaves: dict[Meta, list[Any]],
    heap: list[tuple[int, Node]],
    hooks: bool = True,
    useful: set[int] | None = None,
) -> None:
    """Run ``node`` the general way: hooks and retained or wanted grads, version checks, its
    rules (or vjp) on tensors, each cotangent summed and cast to its input's shape and dtype.
    ``wanted``: False without ``inputs=``, else the wanted tensors' states at this node;
    ``hooks``: backward's; ``useful``: with ``inputs=``, the edges to follow (``_leading_to``),
    else None (all)."""
    if node.datas is None:
        raise RuntimeError(
            "backward() through a freed graph (its saved values were released by an earlier "
            "backward()); pass retain_graph=True to the first backward()"
        )
    if (hooks and node.hooked is not None) or wanted is not False:  # (they skip UNDEFINED)
        g_in = _specials(node, g_in, wanted or (), found, create_graph, hooks)
    op = node.op
    # only undefined cotangents (a custom Function's None; _pend made a one-output node take
    # this path): an op passes them on, as PyTorch's; a Function's node runs with zeros
    if g_in is UNDEFINED or (node.tuple_out and all(g is None or g is UNDEFINED for g in g_in)):
        if not op.none_is_no_gradient:
            for need in node.needs:
                if need is not None and (useful is None or _leads(need, useful)):
                    _pend(need, UNDEFINED, pending, leaves, heap)
            return
        if g_in is UNDEFINED:
            g_in = op.zeros()
    out = node.out
    ins: Any = node.inputs  # (the data recorded, as tensors)
    if node.epoch != _tape._inplace_count:  # something changed in place since recording
        check_inputs(node)
        if out is not None:
            out = node.saved_outputs(create_graph)
    elif create_graph and out is not None:
        out = node.saved_outputs(True)
    if node.tuple_out:
        g_in = tuple(
            g if g is not None and g is not UNDEFINED else zeros_like(o)
            for g, o in zip(g_in, cast("tuple[Any, ...]", out), strict=True)
        )
        if isinstance(out, list):
            g_in = list(g_in)
    params = node.params
    rules = op.rules
    check = _anomaly.STATE[0] and _anomaly.STATE[1]
    needs = (
        node.needs
        if useful is None
        else tuple(m if m is not None and _leads(m, useful) else None for m in node.needs)
    )
    if rules:  # one rule per input: call only those whose input needs a gradient
        for i, need in enumerate(needs):
            if need is not None:
                c = _by_rule(rules[i], g_in, out, ins, params, ins[i])
                if check:
                    _check_nan(node, i, c)
                _pend(need, c, pending, leaves, heap)
        return
    vjp = op.vjp
    if vjp is ZERO:  # zero gradient: the inputs still get (zero) gradients
        cs: Any = [None] * len(ins)
    elif vjp is None:
        raise NotImplementedError(
            f"{op.name}() has no derivative rule yet; detach its inputs or compute it under "
            f"pt.no_grad()"
        )
    elif vjp.__class__ is Composite:
        cs = _composite_vjp(vjp.fn, ins, params, g_in)
    else:
        cs = vjp(g_in, out, *ins, **params)
    for i, (v, need, c) in enumerate(zip(ins, needs, cs, strict=True)):
        if need is not None:
            if c is None:  # (a custom Function's None: an undefined gradient)
                c = UNDEFINED if op.none_is_no_gradient else zeros_like(v)
            else:
                c = fit(c, v)
                if check:
                    _check_nan(node, i, c)
            _pend(need, c, pending, leaves, heap)


def _check_nan(node: Node, i: int, c: Any) -> None:
    """Anomaly detection's check of gradient ``c``, ``node``'s ``i``-th: a RuntimeError if it
    holds a NaN (computing it, on a lazy backend), as PyTorch's."""
    if c is UNDEFINED or not isinstance(c, _tb.TensorBase):
        return
    from .._ops.elementwise import isnan
    from .._ops.statistical import any as any_

    token = _GRAD.set(False)
    try:
        found = bool(any_(isnan(c)))
    finally:
        _GRAD.reset(token)
    if found:
        raise RuntimeError(
            f"Function '{node.name()}' returned nan values in its {i}th output. (Anomaly "
            f"detection found it: the gradient of that operation's input {i} holds NaN; look "
            f"at the values it was given in the forward pass)"
        )


def _run_function(
    node: Node,
    op: _FunctionOp,
    g_in: Any,
    pending: dict[Node, Any],
    leaves: dict[Meta, list[Any]],
    heap: list[tuple[int, Node]],
) -> None:
    """Run the node of a custom ``Function`` with one output, a defined cotangent ``g_in``
    and nothing special asked (no hooks or retained grad on its output, no ``inputs=``, no
    ``create_graph``): what ``_run_rules`` does for it, in fewer steps. Its ``backward`` is
    called directly, and a gradient that already has its input's shape, dtype and array type
    (a tensor, on an eager backend) is handed on as it is, which ``fit`` would do too: the
    input tensors, which only ``fit`` reads, are made only where one needs fitting."""
    if node.epoch != _tape._inplace_count:  # something changed in place since recording
        _check_recorded(node)
    cs = op.vjp(g_in, None)  # (the inputs are unused: the Function's backward has its ctx)
    datas = node.datas
    tensor_type = _tb.TENSOR
    ins: Any = None
    for i, need in enumerate(node.needs):
        if need is None:
            continue
        c = cs[i]
        if c is None:  # (an undefined gradient, as _run_rules takes it)
            c = UNDEFINED
        else:
            d = datas[i]
            cd: Any = getattr(c, "_data", None)
            if not (
                c.__class__ is tensor_type
                and cd.__class__ is d.__class__
                and cd.shape == d.shape
                and cd.dtype is d.dtype
                and not c._backend.lazy
            ):
                if ins is None:
                    ins = node.inputs
                c = fit(c, ins[i])
        _pend(need, c, pending, leaves, heap)


def _composite_vjp(
    fn: Any, inputs: tuple[Any, ...], params: dict[str, Any], g: Any
) -> tuple[Any, ...]:
    """The cotangents of ``inputs`` for an op declared ``Composite(fn)``: backward through
    ``fn(*inputs, **params)``, its value written with polytensor operations. Under
    ``create_graph`` (grad mode on) the result stays differentiable."""
    create = _GRAD.get()
    token = _GRAD.set(True)
    try:
        if create:
            xs = inputs
        else:  # a graph of its own, on detached copies of the inputs that need a gradient
            xs = tuple(
                _tape.set_requires_grad(_tape._detached(x), True)
                if _tape._is_tensor(x) and _tape.requires_grad(x)
                else x
                for x in inputs
            )
        wanted = [x for x in xs if _tape._is_tensor(x) and _tape.requires_grad(x)]
        y = fn(*xs, **params)
        # (hooks=False: under create_graph xs are the op's inputs themselves, whose hooks and
        # retained grads the outer pass runs, once)
        got = backward(
            [y], [g], retain_graph=create, create_graph=create, inputs=wanted, hooks=False
        )
    finally:
        _GRAD.reset(token)
    return tuple(
        got.get(id(x._meta)) if _tape._is_tensor(x) and _tape.requires_grad(x) else None for x in xs
    )


def _by_rule(
    rule: Any, g_in: Any, out: Any, ins: tuple[Any, ...], params: dict[str, Any], v: Any
) -> Any:
    """The cotangent of input ``v`` by its rule (zeros for a ZERO rule or a None result)."""
    c = (
        None
        if rule.__class__ is Marker
        else (rule(g_in, out, *ins, **params) if params else rule(g_in, out, *ins))
    )
    return zeros_like(v) if c is None else fit(c, v)


def _summed(F: Any, c: Any, shape: tuple[int, ...]) -> Any:
    """Cotangent ``c``, an array broadcast from an input of ``shape``, summed back to ``shape``
    with the backend's functions ``F`` (``sum_to_shape``); None when ``c`` is no broadcast of
    that shape (the general path then says so)."""
    if c.ndim < len(shape):
        return None
    r = sum_to_shape(c, shape, F)
    # (a NumPy scalar, the sum of a vector into a 0-d input, takes the general path)
    return r if r.__class__ is c.__class__ and r.shape == shape else None


def _slow_edge(node: Node, i: int, g_in: Any, c: Any, b: Any) -> Any:
    """Input ``i``'s cotangent where its fast form gave ``c`` that is not the input's array:
    a scalar or a broadcast result (made a tensor of the input's shape and dtype), or
    NotImplemented (the rule computes it)."""
    ins: Any = node.inputs
    if c is NotImplemented:
        return _by_rule(node.op.rules[i], g_in, node.out, ins, node.params, ins[i])
    if c.__class__ is not b.array_type:
        c = b.as_array(c)  # a NumPy scalar, say
    return fit(_wrap(c, b), ins[i])


def _pend(
    m: Meta,
    c: Any,
    pending: dict[Node, Any],
    leaves: dict[Meta, list[Any]],
    heap: list[tuple[int, Node]],
) -> None:
    """Add cotangent ``c`` along edge ``m``: to its node's pending cotangent (queueing the node
    when it is the first) or to the leaf's total."""
    node = node_of(m)
    if node is None:
        entry = leaves.get(m)
        if entry is None:
            leaves[m] = [m, c]
        else:
            entry[1] = _add_tensors(entry[1], c)
        return
    if node.tuple_out:
        slot = pending.get(node)
        if slot is None:
            slot = pending[node] = [None] * node.tuple_out
            heappush(heap, (-node.seq, node))
        i = m.index
        slot[i] = c if slot[i] is None else _add_tensors(slot[i], c)
        return
    prev = pending.get(node)
    if prev is None:
        pending[node] = c
        if c is UNDEFINED:  # (the node then takes _run_rules, which passes it on: backward's
            node.fast = None  # loop asks nothing of its other nodes)
        heappush(heap, (-node.seq, node))
    else:
        pending[node] = _add_tensors(prev, c)


def _add_tensors(prev: Any, c: Any) -> Any:
    """``_add`` of two cotangents that are tensors or UNDEFINED (``_pend``'s)."""
    if c is UNDEFINED:
        return prev
    return _add(prev, c, c._backend)


def _specials(
    node: Node,
    g_in: Any,
    wanted: Any,
    found: dict[int, Any],
    create_graph: bool,
    hooks: bool = True,
) -> Any:
    """A node's total cotangent after its outputs' hooks, with retained and wanted grads
    taken from it (``hooks`` False: wanted grads only)."""
    metas = [m for r in node.hooked or () if (m := r()) is not None] if hooks else []
    for m in metas:
        i = m.index
        g = g_in[i] if node.tuple_out else g_in
        if g is None or g is UNDEFINED:  # (an output that got no gradient, or an undefined
            if m.hooks:  # one: its hooks get None, as PyTorch's; no grad to retain)
                run_hooks(m.hooks, UNDEFINED)
            continue
        if m.hooks:
            g = run_hooks(m.hooks, g)
            if node.tuple_out:
                g_in[i] = g
            else:
                g_in = g
        if m.retains_grad:  # a copy where the cotangent is shared (it flows on), as PyTorch
            to = m if m.detached_to is None else m.detached_to()  # (detach_() since: the
            if to is not None:  # tensor's state now)
                accumulate_grad(to, g if create_graph else _owned(g), create_graph, True)
    for m in wanted:  # wanted tensors whose autograd state points at this node's outputs
        g = g_in[m.index] if node.tuple_out else g_in
        if g is not None and g is not UNDEFINED:
            found[id(m)] = g
    return g_in
