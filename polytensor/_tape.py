"""The tape: per-tensor autograd state (``Meta``), recorded calls (``Node``) and recording.

``record`` (for ``apply()``) and ``record_node`` (for the table's fast paths) are the
only code that records; a node is built in one place, ``Node.__init__`` for the general case
and ``record_node`` for one-output calls from the fast paths. The backward engine that walks
these nodes is ``polytensor.autograd._engine``.
"""

from __future__ import annotations

import itertools
import sys
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from . import _config
from . import _dtypes as dt
from . import _tensor_base as _tb

_T = TypeVar("_T")

__all__ = [
    "NONDIFF",
    "SELF",
    "ZERO",
    "AccumulateGrad",
    "Composite",
    "Marker",
    "Meta",
    "Node",
    "bump_version",
    "describe",
    "keep_for_views",
    "mark_special",
    "name_node",
    "needs_graph",
    "node_of",
    "note_derived",
    "note_write",
    "only_held_by",
    "reads_nothing",
    "record",
    "record_node",
    "record_tensors",
    "requires_grad",
    "set_requires_grad",
    "stand_ins",
    "tensor_of",
    "writes_since",
    "written_since",
]

_FLOATING = ("real floating", "complex floating")
_FLOAT_CAT = dt.CATEGORY_NAMES.index("floating-point")


class Marker:
    """A derivative that is not a rule: ``ZERO`` or ``NONDIFF``."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.doc = doc

    def __repr__(self) -> str:
        return self.name


ZERO = Marker("ZERO", "zero almost everywhere (piecewise constant)")
NONDIFF = Marker("NONDIFF", "not differentiable (integer or boolean output)")


class Composite:
    """A derivative declared as that of a composition: ``Composite(fn)`` where
    ``fn(*inputs, **params)`` computes the op's value with polytensor operations. The op's
    own value comes from the backend (for accuracy or speed); backward differentiates ``fn``.
    """

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __repr__(self) -> str:
        return f"Composite({getattr(self.fn, '__name__', self.fn)})"


# zero_() leaves the zeros of a leaf's .grad of at least this size unwritten (Meta.deferred);
# below it, writing them costs less than a microsecond or two
DEFER_ZEROS_BYTES = 1 << 16


class _Self:
    """``Meta.node`` of a node that is its own output's state (``record_node``): not None, so
    that ``m.node is not None`` still says "made by a recorded op", and no reference from the
    node to itself, which only the cycle collector could free. ``node_of(m)`` reads it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<the node itself>"


SELF = _Self()


class _PostAccumulate:
    """The entry in a leaf's ``hooks`` that says it has post-accumulate-grad hooks: a tensor
    hook that keeps the gradient (returns None), so backward takes the leaf's hooked path,
    which accumulates and then runs ``Meta.post_hooks``."""

    __slots__ = ()
    __name__ = "post_accumulate_grad"

    def __call__(self, g: Any) -> None:
        return None


POST_ACCUMULATE = _PostAccumulate()


class Meta:
    """Autograd state of a tensor that needs any: leaves that require grad, outputs of
    recorded ops, and tensors modified in place (for their version counter).

    ``node`` is the recorded call that made the tensor (None for a leaf), or ``SELF`` where
    the state is that node itself: a call with one output (``record_node``, every fast path,
    and ``Node.attach_outputs``) gives it the ``Node`` as its state, one object, not two, which
    the cycle collector counts (a young collection every 700 of them). ``node_of(m)`` gives
    the node either way. Such a state is never made a leaf in place: ``detach_()`` gives the
    tensor a new one, as every edge recorded from it must still reach the node.
    """

    # The fields every state sets are slots; the others start as these class attributes and
    # go to the instance's dict when set, so that recording an op sets three fields, not seven.
    __slots__ = ("__dict__", "__weakref__", "node", "requires_grad", "version")
    index = 0  # which output of its node (multi-output ops)
    grad: Any = None
    hooks: list[Any] | None = None
    # a leaf's post-accumulate-grad hooks (POST_ACCUMULATE in its hooks then routes it there)
    post_hooks: list[Any] | None = None
    retains_grad = False
    zeroed = -1  # the version at which zero_() filled the tensor with zeros
    # _inplace_count just after that zero_(): a write into the memory through another tensor
    # (a view, .data) after it shows in the write log (written_since), the version does not
    zeroed_at = -1
    # the version at which zero_() left the zeros unwritten (Writes.zeros_view): the tensor's
    # data is then the backend's read-only zeros until it is read out or written
    # (_tensor_base.settle_zeros), or backward replaces it
    deferred = -1
    grad_of: weakref.ref[Meta] | None = None  # for a leaf's .grad: the leaf's state
    # a leaf's graph node, made when asked for, while something else holds it
    accumulate_grad: weakref.ref[AccumulateGrad] | None = None
    # weak references to the data that `x.data = ...` replaced while views of it lived: those
    # views keep it (_tensor.View)
    swapped_out: tuple[Any, ...] = ()
    # after detach_(): the tensor's new state (weakly), which the grads retained at the node of
    # this one go to
    detached_to: weakref.ref[Meta] | None = None
    # a leaf's tensor (weakly), set when it is made to require grad: AccumulateGrad.variable
    leaf: weakref.ref[Any] | None = None

    node: Node | _Self | None
    requires_grad: bool
    version: int

    def __init__(
        self, requires_grad: bool = False, node: Node | None = None, index: int = 0
    ) -> None:
        self.requires_grad = requires_grad
        self.node = node
        self.version = 0
        if index:
            self.index = index


def keep_for_views(m: Meta | None) -> None:
    """Let backward leave the node that made the view whose state is ``m`` as it is: a view's
    node reads no value of its base (only the base's shape), and its input is memory that the
    view itself shares, so it holds nothing a backward should free. Another backward may then
    go through it, as through PyTorch's view nodes, which save no tensor: two losses from one
    view (``Wt = W.t()`` made once), each with its own ``backward()``.

    Examples
    --------
    >>> import polytensor as pt
    >>> W = pt.ones(2, 2, requires_grad=True)
    >>> v = W[0]
    >>> y1, y2 = (v * 2).sum(), (v * 3).sum()
    >>> y1.backward(); y2.backward()
    >>> W.grad
    tensor([[5., 5.],
            [0., 0.]], backend='numpy')
    """
    if m is not None and (n := node_of(m)) is not None:
        n.keeps = True


def node_of(m: Meta) -> Node | None:
    """The recorded call that made the tensor whose state is ``m`` (None for a leaf).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import _tape
    >>> y = pt.ones(2, requires_grad=True) * 2
    >>> _tape.node_of(y._meta) is y.grad_fn, _tape.node_of(pt.ones(1, requires_grad=True)._meta)
    (True, None)
    """
    n = m.node
    return m if n is SELF else n  # type: ignore[return-value]  # (SELF: m is a Node)


class Node(Meta):
    """One recorded call: the op, its inputs' data and autograd states (with their versions;
    not the input tensors themselves, ``inputs``), params and, for rules that use it, the
    output. A Meta too: the node of a call with one output is that output's state
    (``Meta.node`` is then ``SELF``); the outputs of a call that returns a sequence get Metas
    of their own."""

    # per input, its backend, where they are not all ``backend`` (note_backends); else None
    backends: tuple[Any, ...] | None = None

    __slots__ = (
        "alike",
        "backend",
        "datas",
        "epoch",
        "fast",
        "hooked",
        "keeps",
        "label",  # (set by name_node only; unset, the node is named by its op)
        "needs",
        "op",
        "out",
        "out_metas",
        "params",
        "seq",
        "tuple_out",
        "versions",
    )
    label: str  # (PyTorch's name of the node, given by name_node; unset on most nodes)

    def __init__(
        self,
        op: Any,
        inputs: tuple[Any, ...],
        params: dict[str, Any] | None,
        out: Any,
        n_out: int,
        versions: tuple[int, ...] | None = None,
        needs: tuple[Meta | None, ...] | None = None,
    ) -> None:
        self.op = op
        # per input, the autograd state (Meta) it had when recorded, if it needs a gradient:
        # the edge backward follows, whatever happens to the tensor object afterwards
        self.needs = needs if needs is not None else tuple(_edge(v) for v in inputs)
        # the data each input held, so a later in-place rebind cannot change what rules read
        # (a Python scalar input is kept as it is); not the tensors themselves (``inputs``)
        self.datas = tuple(getattr(v, "_data", v) for v in inputs)
        self.backend = next((v._backend for v in inputs if _is_tensor(v)), None)
        note_backends(self, inputs)
        self.versions = versions if versions is not None else tuple(_version(v) for v in inputs)
        self.params = params or _NO_PARAMS
        # Multi-output nodes keep their outputs: missing cotangents are zeros of their shape.
        self.out = (
            out
            if n_out > 1 or isinstance(out, (tuple, list)) or getattr(op, "saves_out", True)
            else None
        )
        self.out_metas: tuple[Any, ...] = ()
        self.seq = next(_SEQ)
        self.epoch = _inplace_count
        # for an op returning a sequence, how many outputs (else 0)
        self.tuple_out = n_out if n_out > 1 or isinstance(out, (tuple, list)) else 0
        # the Metas of this node's outputs that have hooks or retain their grad (see mark_special)
        self.hooked: list[weakref.ref[Meta]] | None = None
        # the op's fast forms while backward may use them on this node's arrays: None for a
        # multi-output node, once an output has hooks or retains its grad, and once released
        self.fast = None if self.tuple_out else getattr(op, "fast", None)
        # every input that may need a gradient has the output's shape and dtype (an
        # element-wise op of one tensor): backward's fast path takes the cotangents of its fast
        # forms as they are. Set only by the fast paths that know it (record_node's callers).
        self.alike = False
        # backward leaves the node as it is, for another backward (keep_for_views); so too
        # where no rule that will run reads a value (reads_nothing), as PyTorch's
        self.keeps = reads_nothing(op, self.needs, self.out)

    def attach_outputs(self, outs: tuple[Any, ...] | list[Any]) -> None:
        """Give the outputs their autograd state; where the rule needs the output, remember
        that state (weakly) with its version, so an in-place change of it is caught."""
        track = self.out is not None
        if not self.tuple_out and len(outs) == 1:
            o = outs[0]
            if _is_tensor(o) and o.dtype.kind in _FLOATING:  # one output: the node is its state
                self.requires_grad = False
                self.node = SELF
                self.version = 0
                o._meta = self
                self.out_metas = ((weakref.ref(self), 0) if track else None,)
            else:
                self.out_metas = (None,)
            return
        metas = []
        for i, o in enumerate(outs):
            if _is_tensor(o) and o.dtype.kind in _FLOATING:
                m = o._meta = Meta(node=self, index=i)
                metas.append((weakref.ref(m), 0) if track else None)
            else:
                metas.append(None)
        self.out_metas = tuple(metas)

    @property
    def inputs(self) -> tuple[Any, ...] | None:
        """The inputs as the rules see them (None once backward released the node): each
        tensor input a tensor of the data it held when recorded, with the autograd state it
        had then if it needed a gradient, else none; other inputs (numbers) as they were.

        The node keeps the inputs' data and states, not the tensor objects: a chain of ops
        then keeps one object per op (the node), as its intermediate tensors go when the
        program drops them, and what a later in-place change does to an input tensor cannot
        change what the rules read (``_inplace.check_inputs`` refuses what overwrote it). A
        large input whose values no rule that will run reads is kept as a stand-in, zeros of
        its shape and dtype that take no memory (``stand_ins``).

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.ones(2, requires_grad=True)
        >>> y = x * 3.0
        >>> a, k = y.grad_fn.inputs
        >>> bool(pt.all(a == x)), a is x, a._meta is x._meta, k
        (True, False, True, 3.0)
        """
        datas = self.datas
        if datas is None:
            return None
        ins = []
        for d, m, b in zip(datas, self.needs, self.input_backends(), strict=True):
            # (b: None only for an input that was no tensor)
            tensor = m is not None or (b is not None and d.__class__ is b.array_type)
            ins.append(tensor_of(d, b, m) if tensor else d)
        return tuple(ins)

    def input_backends(self) -> tuple[Any, ...]:
        """Per input, the backend of its tensor (None for an input that was none): ``backend``
        for each, unless the inputs came from several backends (a custom ``Function``'s
        ``backends``)."""
        return self.backends or (self.backend,) * len(self.datas)

    def saved_outputs(self, create_graph: bool) -> Any:
        """The outputs as the rule sees them; connected to this node under create_graph, so
        rules that use their output (exp, inv, det...) differentiate again correctly."""
        if self.out is None:
            return None
        saved = self.out if isinstance(self.out, (tuple, list)) else (self.out,)
        # (outputs a rule does not read, kept for their shapes (unstack's): not checked)
        reads_out = getattr(self.op, "saves_out", True)
        for entry, o in zip(self.out_metas, saved, strict=False):
            if entry is not None and reads_out:
                m = entry[0]()
                if m is not None and m.version != entry[1]:
                    raise RuntimeError(
                        f"an output of {self.op.name}() that its gradient needs was modified by "
                        f"an in-place operation (version {entry[1]} when saved, now "
                        f"{m.version}); clone() it before changing it"
                    )
                if _last_write > self.epoch and written_since(o._backend, o._data, self.epoch):
                    raise RuntimeError(
                        f"an output of {self.op.name}() that its gradient needs shares its "
                        f"memory with a tensor (a view of it, its detach() or .data) that was "
                        f"modified by an in-place operation after {self.op.name}() made it; "
                        f"clone() it before changing it, or change it after backward()"
                    )
        if not create_graph:
            return self.out
        attached = []
        for i, o in enumerate(saved):
            if _is_tensor(o) and self.out_metas and self.out_metas[i] is not None:
                o = _detached(o)
                o._meta = Meta(node=self, index=i)
            attached.append(o)
        if isinstance(self.out, (tuple, list)):
            return type(self.out)(attached) if isinstance(self.out, list) else tuple(attached)
        return attached[0]

    def name(self) -> str:
        """The node's name, PyTorch's for the same operation (``AddBackward0``, ``MulBackward0``,
        ``MmBackward0``; a custom ``Function``'s ``MyReLUBackward``).

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.ones((2, 2), requires_grad=True)
        >>> (x * 3).grad_fn.name(), (x @ x).grad_fn.name(), x.sum().grad_fn.name()
        ('MulBackward0', 'MmBackward0', 'SumBackward0')
        """
        label = getattr(self, "label", None)
        if label is not None:
            return str(label)
        custom = getattr(self.op, "node_name", None)
        if custom:
            return str(custom)
        op_name = self.op.name
        if op_name == "matmul" and self.datas is not None and len(self.datas) == 2:
            # (PyTorch names matmul's node by the operands' ranks)
            ranks = tuple(getattr(d, "ndim", 0) for d in self.datas)
            return _MATMUL_NODES.get(ranks, "MatmulBackward0")  # type: ignore[arg-type]
        if op_name == "clip":
            return "ClampBackward1"  # (PyTorch's clamp of number bounds)
        if op_name in ("max", "min"):  # (x.max(): MaxBackward1; along a dim, amax's)
            whole = (self.params or {}).get("axis") is None
            return f"{op_name.capitalize()}Backward1" if whole else f"A{op_name}Backward0"
        if op_name == "add" and self.needs and self.needs[0] is not None:
            made = node_of(self.needs[0])
            if made is not None and made.op.name == "_matmul_nt":
                # (F.linear's product and bias: one addmm node in PyTorch, viewed back to
                # the batch's shape when the input has more than two dimensions)
                ndim = getattr(self.datas[0], "ndim", 2) if self.datas else 2
                return "AddmmBackward0" if ndim <= 2 else "ViewBackward0"
        if op_name == "__getitem__":
            shape = getattr(self.datas[0], "shape", None) if self.datas else None
            return _index_node(self.params.get("key"), shape)
        known = _TORCH_NODES.get(op_name)
        if op_name in _OVERLOADED and (self.params or {}).get("axis") is not None:
            return f"{known or op_name.capitalize()}Backward1"  # (PyTorch's overload with dim)
        if known is not None:
            return f"{known}Backward0"
        base = op_name.rsplit(".", 1)[-1].strip("_")
        return "".join(p.capitalize() for p in base.split("_")) + "Backward0"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """Where backward goes from here, PyTorch's shape: per input, ``(node, index)`` (the
        node that made it and which of its outputs it is), ``(AccumulateGrad, 0)`` for a leaf
        that requires grad, ``(None, 0)`` for an input that needs no gradient (a constant).

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.ones(2, requires_grad=True)
        >>> y = (x * 2).sum()
        >>> y.grad_fn.next_functions
        ((<MulBackward0 object at 0x...>, 0),)
        >>> y.grad_fn.next_functions[0][0].next_functions
        ((<AccumulateGrad object at 0x...>, 0), (None, 0))
        """
        needs = self.needs
        if needs is None:
            raise RuntimeError(
                f"next_functions of {self.name()}: the graph was freed by backward(); pass "
                f"retain_graph=True to backward() to inspect the graph afterwards"
            )
        out: list[tuple[Any, int]] = []
        for m, d, b in zip(needs, self.datas, self.input_backends(), strict=True):
            if m is None:
                out.append((None, 0))
            elif m.node is not None:
                out.append((node_of(m), m.index))
            else:
                ref = m.accumulate_grad
                acc = None if ref is None else ref()
                if acc is None:
                    acc = AccumulateGrad(m, d, b)
                    # (weakly, as PyTorch's leaf holds its accumulator: acc holds m)
                    m.accumulate_grad = weakref.ref(acc)
                out.append((acc, 0))
        return tuple(out)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


# PyTorch's names of the table's ops' nodes, where they are not the op's own in CamelCase
# ("sin": SinBackward0)
_TORCH_NODES = {
    "add": "Add",
    "subtract": "Sub",
    "multiply": "Mul",
    "divide": "Div",
    "negative": "Neg",
    "square": "Pow",
    "concat": "Cat",
    "astype": "ToCopy",
    "broadcast_to": "Expand",
    "expand_dims": "Unsqueeze",
    "reshape": "View",
    "permute_dims": "Permute",
    "matrix_transpose": "Transpose",
    "moveaxis": "Movedim",
    "take_along_axis": "Gather",
    "take": "Take",
    "tile": "Repeat",
    "unstack": "Unbind",
    "__getitem__": "Index",
    "cumulative_sum": "Cumsum",
    "cumulative_prod": "Cumprod",
    "_logcumsumexp": "Logcumsumexp",
    "_cumulative_extreme": "Cummax",
    "_scatter_add": "ScatterAdd",
    "_log_softmax": "LogSoftmax",
    "_softmax": "Softmax",
    "_nll_loss": "NllLoss",
    "_cross_entropy": "NllLoss",
    "_gelu": "Gelu",
    "_layer_norm": "NativeLayerNorm",
    "_embedding": "Embedding",
    "_matmul_nt": "Mm",
    "_matmul_tn": "Mm",
    "special.expit": "Sigmoid",
    "special.gammaln": "Lgamma",
    "special.digamma": "Digamma",
    "special.polygamma": "Polygamma",
    "special.erf": "Erf",
    "special.erfc": "Erfc",
    "special.erfinv": "Erfinv",
    "special.logit": "Logit",
    "special.xlogy": "Xlogy",
    "special.softplus": "Softplus",
    "special.sinc": "Sinc",
    "special.i0": "I0",
    "linalg.cholesky": "LinalgCholeskyEx",
    "linalg.inv": "LinalgInvEx",
    "linalg.solve": "LinalgSolveEx",
    "linalg.cross": "LinalgCross",
    "linalg.vector_norm": "LinalgVectorNorm",
    "_copy": "Clone",
}
# the ops whose node PyTorch names ...Backward1 when they reduce along a dim
_OVERLOADED = frozenset({"sum", "mean", "squeeze"})
_MATMUL_NODES = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0"}
_MATMUL_NODES[(3, 3)] = "BmmBackward0"


def name_node(t: _T, name: str) -> _T:
    """Name the graph node that made ``t`` ``name``: PyTorch's name of an operation that is
    one node there and several ops here (``F.mse_loss``'s ``MseLossBackward0``); returns
    ``t``. A tensor that no recorded call made is left as it is.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._tape import name_node
    >>> x = pt.ones(2, requires_grad=True)
    >>> name_node((x * x).mean(), "MseLossBackward0").grad_fn.name()
    'MseLossBackward0'
    """
    m = getattr(t, "_meta", None)
    node = node_of(m) if m is not None else None
    if node is not None:
        node.label = name
    return t


def _index_node(key: Any, shape: tuple[Any, ...] | None) -> str:
    """PyTorch's name of the node of ``x[key]``. PyTorch takes a key's items left to right, an
    int as a select, a new axis as an unsqueeze, a slice as a slice (in a tuple, one that keeps
    its whole axis is no step), and names the node by the last step: ``x[0]`` SelectBackward0,
    ``x[:, 1:3]`` SliceBackward0, ``x[None]`` UnsqueezeBackward0, ``x[:, :]`` (no step)
    AliasBackward0; a key with tensors in it IndexBackward0. ``shape``: ``x``'s (None once the
    graph was released: a slice then keeps its axis when it has no bounds)."""
    items = key if isinstance(key, tuple) else (key,)
    basic = (int, slice, type(None), type(Ellipsis))
    if any(isinstance(k, bool) or not isinstance(k, basic) for k in items):
        return "IndexBackward0"
    if not isinstance(key, tuple):  # (one slice alone is a Slice step, x[:] too)
        return _INDEX_STEPS.get(type(key), "AliasBackward0")
    named = sum(1 for k in items if k is not None and k is not Ellipsis)
    axis, last = 0, "AliasBackward0"
    for k in items:
        if k is Ellipsis:
            axis += len(shape) - named if shape is not None else 0
            continue
        if isinstance(k, slice):
            n = shape[axis] if shape is not None and axis < len(shape) else None
            whole = (
                k.indices(n) == (0, n, 1)
                if isinstance(n, int)
                else k.start in (None, 0) and k.stop is None and k.step in (None, 1)
            )
            if not whole:
                last = "SliceBackward0"
        else:
            last = _INDEX_STEPS[type(k)]
        axis += k is not None
    return last


_INDEX_STEPS = {int: "SelectBackward0", slice: "SliceBackward0", type(None): "UnsqueezeBackward0"}


class AccumulateGrad:
    """The graph node of a leaf that requires grad (PyTorch's ``AccumulateGrad``): backward
    accumulates into ``variable.grad``. It has no ``next_functions``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, requires_grad=True)
    >>> acc = (x * x).grad_fn.next_functions[0][0]
    >>> acc.name(), acc.variable is x, acc.next_functions
    ('AccumulateGrad', True, ())
    """

    __slots__ = ("__weakref__", "_backend", "_data", "_made", "meta")
    next_functions: tuple[tuple[Any, int], ...] = ()

    def __init__(self, meta: Meta, data: Any = None, backend: Any = None) -> None:
        self.meta = meta
        # the leaf's data as the node that asked recorded it, for when the program dropped it
        self._data = data
        self._backend = backend
        self._made: Any = None

    @property
    def variable(self) -> Any:
        """The leaf tensor. Once the program dropped it (the graph keeps the leaf's state and
        data, not the tensor object), a tensor of that data and state: the leaf as the graph
        recorded it, whose ``.grad`` is the leaf's; None if no data was recorded."""
        ref = self.meta.leaf
        t = None if ref is None else ref()
        if t is not None:
            return t
        if self._made is None and self._data is not None:
            self._made = tensor_of(self._data, self._backend, self.meta)
        return self._made

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


_NO_PARAMS: dict[str, Any] = {}
_BOTH = (0, 1)  # (an OpDef.unread pattern: neither input of two read)


_SEQ = itertools.count()


# In-place changes so far (any tensor). A node recorded when the count was what it is now has
# inputs and outputs exactly as recorded: backward skips its version checks.
_inplace_count = 0

# backward() calls that released their graph so far: a view whose node one released is made
# again (_tensor.View), and tests this count to know when to look
releases = 0


_GRAD = _config.GRAD_ENABLED
_SUBS = _tb.SUBCLASSES

_new = object.__new__


def _edge(v: Any) -> Any:
    m = getattr(v, "_meta", None)
    return m if m is not None and (m.requires_grad or m.node is not None) else None


def _is_tensor(v: Any) -> bool:
    return hasattr(v, "_meta") and hasattr(v, "_data")


def _version(v: Any) -> int:
    m = getattr(v, "_meta", None)
    return m.version if m is not None else 0


def watched_version(v: Any) -> int:
    """``v``'s version, for a holder that keeps the tensor itself (not only its data) and
    checks the version later (``ctx.save_for_backward``): a tensor without autograd state gets
    a ``Meta`` now, so that ``bump_version`` counts its in-place changes (it skips a tensor
    without one whose data nothing else holds); anything else (None) is version 0."""
    if not isinstance(v, _tb.TensorBase):
        return 0
    m: Meta | None = v._meta
    if m is None:
        m = v._meta = Meta()
    return m.version


def requires_grad(t: Any) -> bool:
    """True when ``t`` is a leaf that requires grad or the output of a recorded op."""
    m = t._meta
    return m is not None and (m.requires_grad or m.node is not None)


def set_requires_grad(t: Any, flag: bool) -> Any:
    """Make leaf ``t`` require (or stop requiring) gradients."""
    m = t._meta
    if m is not None and m.node is not None:
        if not flag:
            raise RuntimeError(
                "requires_grad_(False) on a non-leaf tensor; use x.detach() to "
                "get a tensor outside the graph"
            )
        return t
    if flag and t.dtype.kind not in _FLOATING:
        raise RuntimeError(
            f"requires_grad_(): only floating-point and complex tensors can require "
            f"gradients; got {t.dtype.name}; cast first with x.astype(pt.float32)"
        )
    if m is None:
        if not flag:
            return t
        m = t._meta = Meta()
    m.requires_grad = flag
    if flag:
        m.leaf = weakref.ref(t)
    return t


def only_held_by(obj: Any, n: int) -> bool:
    """Whether at most ``n`` references (which the caller knows of: its own local, a dict
    entry) hold ``obj``, so that the caller may hand ``obj`` on instead of a copy.

    CPython-specific (``sys.getrefcount``), and safe there: the count is exact at the moment
    of the call (this function's parameter and getrefcount's argument are the 2 extra
    references), and no other thread can take a new reference to an object nothing else
    holds. On an interpreter without reference counts this says False: the caller copies,
    which is always correct.
    """
    return _getrefcount is not None and _getrefcount(obj) <= n + 2


_getrefcount = getattr(sys, "getrefcount", None)


def bump_version(t: Any, written: bool = True) -> None:
    """Count an in-place change of ``t``; ``written``: its memory was written (else ``t`` was
    rebound to other data), which ``note_write`` notes.

    A tensor without autograd state whose data nothing else holds (no node keeps it: nodes
    keep their inputs' data; what keeps the tensor itself to check it later gave it a state,
    ``watched_version``) and which views no other memory is in no graph: its change concerns
    no recorded op, and the nodes recorded so far keep their fast backward (a Function's
    backward writing into a tensor it made, say). The caller must not hold ``t``'s data in a
    local while it asks: the data would look shared.
    """
    global _inplace_count
    m = t._meta
    if m is None:
        root = t._backend.memory_root
        if (
            t._write_back is None  # (a view of memory of its own: its write is given back)
            and only_held_by(t._data, 1)
            and (root is None or root(t._data) is t._data)
        ):
            return
        m = t._meta = Meta()
    _inplace_count += 1
    m.version += 1
    if written:
        note_write(t)


# In-place writes into memory, by the array that owns the memory (Backend.memory_root): its
# id -> [a weak reference to it, the value of _inplace_count after its latest write (-1: none
# yet)], and for memory whose values are taken from other memory (a private view's,
# note_derived) that memory's entry as a third item. Backward checks the data a node read
# against it (written_since): a write through a view, detach() or .data of a tensor bumps only
# that tensor's version, not the one the node recorded.
_WRITES: dict[int, list[Any]] = {}
_WRITES_LIMIT = [256]  # (when the log holds this many roots, the dead ones are dropped)
# the value of _inplace_count after the latest write noted: none since an epoch at or after it
_last_write = 0


# (view) -> None: after a write into the memory of a view (``_tensor.View``), give the change
# back to its base where that view, or one it is a view of, holds memory of its own (a
# conjugate's values on NumPy); registered by the Tensor's layer above when it loads
private_write: Callable[[Any], None] | None = None


def note_write(t: Any) -> None:
    """Note that ``t``'s memory was just written in place (after ``_inplace_count`` counted
    it), by the array that owns that memory; nothing on an immutable backend."""
    global _last_write
    root = t._backend.memory_root
    if root is None:
        return
    if t._write_back is not None and private_write is not None:
        private_write(t)  # (a view of memory of its own, or a view of one: given back)
    _last_write = _inplace_count
    r = root(t._data)
    e = _WRITES.get(id(r))
    if e is not None and e[0]() is r:
        e[1] = _inplace_count
        return
    _log_entry(r, _inplace_count)


def _log_entry(r: Any, count: int, source: list[Any] | None = None) -> list[Any] | None:
    """A new entry of the write log for the memory of root array ``r`` (its latest write at
    ``count``; ``source``: the entry of the memory its values are taken from), or None for an
    array type without weak references (its views' writes go unseen)."""
    try:
        ref = weakref.ref(r)
    except TypeError:
        return None
    if len(_WRITES) >= _WRITES_LIMIT[0]:
        # (a copy of the items, and pop: other threads may note writes meanwhile)
        for k, e in list(_WRITES.items()):
            if e[0]() is None:
                _WRITES.pop(k, None)
        _WRITES_LIMIT[0] = max(256, 2 * len(_WRITES))
    e = _WRITES[id(r)] = [ref, count] if source is None else [ref, count, source]
    return e


def note_derived(backend: Any, data: Any, source: Any) -> None:
    """Note that the memory of ``data`` (an array of ``backend`` with memory of its own: a
    private view's, ``_tensor.View``) holds values taken from the memory ``source`` views: a
    later write into that memory counts, for ``written_since``, as a write into ``data``'s,
    whose values it leaves stale, so that backward refuses a node that read them as it refuses
    one whose data was overwritten.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor import _tape
    >>> b = pt.backends.get("numpy")
    >>> x, conj = np.ones(2, dtype=complex), np.ones(2, dtype=complex)
    >>> _tape.note_derived(b, conj, x)
    >>> t = pt.from_numpy(x)
    >>> epoch = _tape._inplace_count
    >>> _ = t.mul_(2)
    >>> _tape.written_since(b, conj, epoch)
    True
    """
    root = backend.memory_root
    if root is None:
        return
    r, s = root(data), root(source)
    e = _WRITES.get(id(r))
    if r is s or (e is not None and e[0]() is r):
        # (not memory of its own, or not new: an entry links only a new array to an older
        # one's, so that written_since's walk along the links ends)
        return
    se = _WRITES.get(id(s))
    if se is None or se[0]() is not s:
        se = _log_entry(s, -1)
    if se is not None:
        _log_entry(r, -1, se)


def writes_since(epoch: int) -> bool:
    """Whether any memory was written in place (``note_write``) after ``_inplace_count`` was
    ``epoch``: else ``written_since`` is False for every array (after ``loss += step_loss``,
    which rebinds ``loss`` and writes nothing, say)."""
    return _last_write > epoch


def written_since(backend: Any, data: Any, epoch: int) -> bool:
    """Whether memory that ``data`` (an array of ``backend``) views was written in place after
    ``_inplace_count`` was ``epoch``, through any tensor (``note_write``)."""
    root = backend.memory_root
    if root is None or not _WRITES or _last_write <= epoch:
        return False
    r = root(data)
    e = _WRITES.get(id(r))
    if e is None:
        return False
    if e[1] > epoch:
        return e[0]() is r
    if len(e) == 2 or e[0]() is not r:
        return False
    while True:  # (memory whose values were taken from other memory: note_derived)
        e = e[2]
        if e[1] > epoch:
            return True
        if len(e) == 2:
            return False


def tensor_of(data: Any, backend: Any, meta: Meta | None = None) -> Any:
    """A tensor around ``data``, an array of ``backend``, with the autograd state ``meta``
    (None: none): a raw cotangent, or an input or leaf as a node recorded it.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor import _tape
    >>> x = pt.ones(2, requires_grad=True)
    >>> t = _tape.tensor_of(np.zeros(2), x._backend, x._meta)
    >>> t.tolist(), t.requires_grad
    ([0.0, 0.0], True)
    """
    t = _new(_tb.TENSOR)
    t._data = data
    t._backend = backend
    t._meta = meta
    return t


def _detached(t: Any) -> Any:
    d = object.__new__(_tb.TENSOR)
    d._data = t._data
    d._backend = t._backend
    d._meta = None
    return d


# The elements from which a node keeps an input's data that no rule that will run reads (the
# input of a ReLU, the terms of a sum, x of x * 2.0) as a stand-in: zeros of its shape and dtype
# that take no memory (``Writes.zeros_view``), so that the array goes when the program drops it,
# as PyTorch's nodes keep only what their formulas read. (MNIST's training step: 15 MB less at
# the peak, the activations before its two ReLUs, and as many fewer pages to map afresh in each
# step.) A smaller array is kept as it is: the stand-in would cost more than it frees, and the
# fast paths look at the output's size first, one comparison (an element-wise op's inputs are
# no larger than its output; a reduction's is looked at itself).
_STAND_IN_SIZE = 1 << 13


def stand_ins(unread: tuple[int, ...], datas: tuple[Any, ...], b: Any) -> tuple[Any, ...]:
    """``datas``, a node's inputs' data, with each one at an index of ``unread`` (inputs whose
    values no rule that will run reads: ``OpDef.unread``) that is an array of the backend
    ``b`` of at least ``_STAND_IN_SIZE`` elements replaced by ``b.zeros_view`` of its shape
    and dtype: what the rules and backward's fast forms read of it, its shape and dtype,
    without its memory. ``datas`` as it is where ``b`` has no ``zeros_view`` (an immutable or
    lazy library's arrays: kept by their library, or costing nothing to keep).

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor._tape import stand_ins
    >>> b = pt.backends.get("numpy")
    >>> kept = stand_ins((0,), (np.ones((256, 256)), 2.0), b)
    >>> kept[0].shape, kept[0].strides, kept[0].any(), kept[1]
    ((256, 256), (0, 0), np.False_, 2.0)
    """
    zeros_view = b.zeros_view
    if zeros_view is None:
        return datas
    array_type = b.array_type
    got: list[Any] | None = None
    for i in unread:
        d = datas[i]
        if d.__class__ is array_type and d.size >= _STAND_IN_SIZE:
            if got is None:
                got = list(datas)
            got[i] = zeros_view(d.shape, d.dtype)
    return datas if got is None else tuple(got)


def record(opdef: Any, inputs: Any, params: Any, result: Any) -> None:
    """Attach a graph node to ``result`` when an input requires grad."""
    for v in inputs:
        m = getattr(v, "_meta", None)
        if m is not None and (m.requires_grad or m.node is not None):
            break
    else:
        return
    if opdef.vjp is NONDIFF:
        return
    outs = result if isinstance(result, (tuple, list)) else (result,)
    if not any(_is_tensor(o) and o.dtype.kind in _FLOATING for o in outs):
        return
    saved = tuple(_detached(o) if _is_tensor(o) else o for o in outs)
    node = Node(
        opdef,
        tuple(inputs),
        params,
        saved if isinstance(result, (tuple, list)) else saved[0],
        len(outs),
    )
    node.attach_outputs(outs)


def note_backends(node: Node, inputs: tuple[Any, ...]) -> None:
    """Note each input's backend on ``node`` when they are not all ``node.backend`` (a custom
    ``Function`` may take tensors of several): ``Node.inputs`` remakes each input on its own."""
    b = node.backend
    for v in inputs:
        # (a number has no backend: it is b for this test, with no call per input)
        if getattr(v, "_backend", b) is not b and _is_tensor(v):
            node.backends = tuple(v._backend if _is_tensor(v) else None for v in inputs)
            return


def record_node(
    op: Any,
    versions: tuple[int, ...],
    needs: tuple[Any, ...],
    datas: tuple[Any, ...],
    t: Any,
    keep_out: bool,
    params: dict[str, Any] = _NO_PARAMS,
    alike: bool = False,
    keeps: bool = False,
) -> None:
    """Record the call of ``op`` that made the one output ``t``: what ``Node`` and ``Meta``'s
    constructors do, in one object (the node is ``t``'s state), for the fast paths (the
    table's functions, ``record_tensors``), which run once per op. ``alike``: the caller
    knows that every input that may need a gradient has ``t``'s shape and dtype
    (``Node.alike``); ``keeps``: no rule that will run reads a value (``reads_nothing``)."""
    node = _new(Node)
    node.op = op
    node.versions = versions
    node.needs = needs
    node.datas = datas
    node.backend = t._backend
    node.params = params
    node.out = None
    node.out_metas = ()
    node.seq = next(_SEQ)
    node.epoch = _inplace_count
    node.tuple_out = 0
    node.hooked = None
    node.fast = op.fast
    node.alike = alike
    node.keeps = keeps
    # the output's state (Meta) is the node itself: one object for the collector, not two
    node.requires_grad = False
    node.node = SELF
    node.version = 0
    t._meta = node
    if keep_out:  # the output, a tensor of its own, for the rules that read it
        o = _new(_tb.TENSOR)
        o._data = t._data
        o._backend = t._backend
        o._meta = None
        node.out = o
        node.out_metas = ((weakref.ref(node), 0),)


def reads_nothing(op: Any, needs: tuple[Any, ...], out: Any) -> bool:
    """Whether no derivative rule of ``op`` that will run reads a value: neither an input's
    (``OpDef.unread``, per pattern of the ``needs`` that are not None) nor the output
    (``out``, kept for a rule, is None). Backward then leaves such a node as it is, and another
    backward may go through it, as through PyTorch's nodes that save no tensor (``sum``,
    ``add``, ``reshape``). Note: PyTorch's keep their inputs' sizes alone; such a node keeps
    its inputs' data, a large one (``_STAND_IN_SIZE`` elements or more) as a stand-in without
    memory of its own, so what it holds after backward, until the graph is dropped, is less
    than that per input (replacing the small ones by stand-ins at backward cost about 2% of
    the tutorials' step, ``bench/instructions.py tiny_clamp``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, requires_grad=True)
    >>> y = (x + 1.0).sum()
    >>> y.backward(); y.backward(); x.grad
    tensor([2., 2.], backend='numpy')
    """
    unread = getattr(op, "unread", None)
    if unread is None or out is not None or len(needs) not in (1, 2):
        return False
    code = sum(1 << (len(needs) - 1 - i) for i, m in enumerate(needs) if m is not None)
    drop = unread[code]
    return drop is not None and len(drop) == len(needs)


def record_pair(
    op: Any,
    m1: Meta | None,
    m2: Meta | None,
    datas: tuple[Any, Any],
    t: Any,
    params: dict[str, Any] = _NO_PARAMS,
    dt: Any = None,
) -> None:
    """Record ``t = op(x1, x2)`` (the binary ops, matmul), ``m1`` and ``m2`` the inputs'
    autograd states (None: no state, or a Python scalar): a node when an input needs a gradient
    and ``t`` is floating; the output kept when a rule that reads it will run (out_readers).
    ``dt``: for an element-wise op of a tensor and a Python scalar, the tensor's dtype (the
    node is ``alike`` when ``t`` has it too), else None."""
    e1 = m1 if m1 is not None and (m1.requires_grad or m1.node is not None) else None
    e2 = m2 if m2 is not None and (m2.requires_grad or m2.node is not None) else None
    if (
        (e1 is None and e2 is None)
        or op.vjp is NONDIFF
        or (rt := t._data.dtype) not in t._backend.cats[_FLOAT_CAT]
    ):
        return
    v1 = 0 if m1 is None else m1.version
    v2 = 0 if m2 is None else m2.version
    readers = op.out_readers
    keep = op.saves_out and (
        readers is None or (0 in readers and e1 is not None) or (1 in readers and e2 is not None)
    )
    # (both versions 0, the common case: the constant tuple, one object less for the garbage
    # collector to count)
    versions = (v1, v2) if v1 or v2 else (0, 0)
    # the inputs no rule that will run reads, large: their data as stand-ins
    drop = (
        None if (unread := op.unread) is None else unread[2 * (e1 is not None) + (e2 is not None)]
    )
    if (
        drop
        and t._backend.zeros_view is not None  # (else its arrays are kept: a torch tensor's
        and t._data.size >= _STAND_IN_SIZE  # size is a method)
    ):
        datas = stand_ins(drop, datas, t._backend)
    # (neither input read, nor the output: another backward may go through it, reads_nothing)
    record_node(
        op, versions, (e1, e2), datas, t, keep, params, rt is dt, not keep and drop == _BOTH
    )


def record_tensors(
    op: Any,
    inputs: tuple[Any, ...],
    datas: tuple[Any, ...],
    params: Any,
    t: Any,
    scalars: bool = False,
) -> None:
    """Record ``t = op(*inputs, **params)``, one output, every input a tensor (the table's
    fast paths of ops other than element-wise ones; ``datas``: the inputs' data), or with
    ``scalars`` a tensor, a Python scalar or None (``clip(x, 0, None)``: no edge, kept as
    it is)."""
    n = len(inputs)
    x = inputs[0]
    # one input that may need a gradient (a reduction; clip(x, 0, None): the bounds numbers
    # or None): no lists to build
    if (not scalars and n == 1) or (
        scalars
        and n == 3
        and (type(x) is _tb.TENSOR or type(x) in _SUBS)
        and not (type(inputs[1]) is _tb.TENSOR or type(inputs[1]) in _SUBS)
        and not (type(inputs[2]) is _tb.TENSOR or type(inputs[2]) in _SUBS)
    ):
        m = x._meta
        if (
            m is None
            or not (m.requires_grad or m.node is not None)
            or op.vjp is NONDIFF
            or (rt := t._data.dtype) not in t._backend.cats[_FLOAT_CAT]
        ):
            return
        readers = op.out_readers
        keep = op.saves_out and (readers is None or 0 in readers)
        v = m.version
        versions: tuple[int, ...]
        needs: tuple[Any, ...]
        nothing_read = False
        if n == 1:
            versions, needs = ((v,) if v else (0,)), (m,)
            alike = False
            if op.unread is not None:  # (its one input's value no rule reads)
                nothing_read = not keep  # (nor the output: reads_nothing)
                if t._backend.zeros_view is not None and datas[0].size >= _STAND_IN_SIZE:
                    datas = stand_ins((0,), datas, t._backend)
        else:
            versions, needs = ((v, 0, 0) if v else (0, 0, 0)), (m, None, None)
            # (an element-wise op of one tensor and two numbers: the tensor's shape)
            alike = rt is datas[0].dtype
        record_node(op, versions, needs, datas, t, keep, params or _NO_PARAMS, alike, nothing_read)
        return
    if not scalars and n == 2:  # (matmul: no lists to build)
        record_pair(op, x._meta, inputs[1]._meta, datas, t, params or _NO_PARAMS)
        return
    need_list: list[Any] = []
    version_list: list[int] = []
    wanted = False
    for x in inputs:
        m = x._meta if not scalars or type(x) is _tb.TENSOR or type(x) in _SUBS else None
        if m is None:
            need_list.append(None)
            version_list.append(0)
        else:
            e = m if (m.requires_grad or m.node is not None) else None
            wanted = wanted or e is not None
            need_list.append(e)
            version_list.append(m.version)
    if not wanted or op.vjp is NONDIFF or t._data.dtype not in t._backend.cats[_FLOAT_CAT]:
        return
    keep = op.saves_out
    readers = op.out_readers
    if keep and readers is not None:  # kept only when a rule that reads it will run
        keep = any(need_list[i] is not None for i in readers)
    versions = tuple(version_list)
    record_node(op, versions, tuple(need_list), datas, t, keep, params or _NO_PARAMS)


def needs_graph(x: Any, value: Any) -> bool:
    """Whether writing ``value`` into ``x`` must be recorded."""
    return _config.GRAD_ENABLED.get() and (
        requires_grad(x) or (_is_tensor(value) and requires_grad(value))
    )


def mark_special(m: Meta) -> None:
    """Note on ``m``'s node that ``m`` has hooks or retains its grad: backward then runs them
    once on the node's total cotangent (leaves' hooks run once on their total gradient)."""
    node = node_of(m)
    if node is None:
        return
    node.fast = None  # backward runs the hooks: the node takes the general path
    if node.hooked is None:
        node.hooked = []
    # (weakly: m may be the node itself, or hold it; a state with hooks that a backward reaches
    # is held by its tensor or by the edges recorded from it)
    if not any(h() is m for h in node.hooked):
        node.hooked.append(weakref.ref(m))


def describe(t: Any) -> list[str]:
    """``repr`` fragments: ``requires_grad=True`` or ``grad_fn=<MulBackward0>``."""
    m = t._meta
    if m is None:
        return []
    node = node_of(m)
    if node is not None:
        return [f"grad_fn=<{node.name()}>"]
    return ["requires_grad=True"] if m.requires_grad else []
