"""Custom differentiable functions: ``pt.autograd.Function`` with a context object."""

from __future__ import annotations

import weakref
from typing import Any

from .. import _config, _tape
from .._ops.creation import zeros_like
from .._tensor_base import TensorBase

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """The ``ctx`` passed to ``Function.forward`` and ``Function.backward``.

    Examples
    --------
    >>> import polytensor as pt
    >>> class Square(pt.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * g
    >>> x = pt.asarray([3.0], requires_grad=True)
    >>> Square.apply(x).backward(pt.ones(1))
    >>> x.grad
    tensor([6.], backend='numpy')
    """

    # (what forward did not set: nothing saved, every output differentiable)
    _saved: tuple[Any, ...] = ()
    _versions: tuple[int, ...] = ()
    _epoch = 0  # (_tape._inplace_count when the tensors were saved)
    _non_differentiable: frozenset[int] | set[int] = frozenset()
    # the saved tensors that were outputs of forward: position -> their autograd state, weakly,
    # as _unlink_saved_outputs keeps them
    _out_states: dict[int, weakref.ref[Any]] | None = None

    def __init__(self, needs_input_grad: tuple[bool, ...], name: str = "Function") -> None:
        self.needs_input_grad = needs_input_grad
        self._name = name

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep ``tensors`` for ``backward``; changing one in place afterwards is an error."""
        self._saved = tensors
        self._epoch = _tape._inplace_count
        # (watched: a tensor in no graph, a constant, gets the state that counts its changes)
        if len(tensors) == 1:  # (the common case, without a comprehension)
            t = tensors[0]
            m = t._meta if isinstance(t, TensorBase) else None
            # (a tensor with a state already, MyReLU's input: its version, without a call)
            self._versions = (m.version,) if m is not None else (_tape.watched_version(t),)
        else:
            self._versions = tuple([_tape.watched_version(t) for t in tensors])

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors given to ``save_for_backward``, checked for in-place changes."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(
                f"the tensors saved by {self._name}.forward() were released by the backward() "
                f"that went through it; pass retain_graph=True to that backward() to keep them"
            )
        unchanged = _tape._inplace_count == self._epoch  # (no in-place change at all since)
        if len(saved) == 1 and unchanged and self._out_states is None:  # (the common case)
            t = saved[0]
            m = getattr(t, "_meta", None)
            if m is None or m.version == self._versions[0]:
                return saved
        for t, v in zip(saved, self._versions, strict=True):
            if t is not None and _tape._version(t) != v:
                raise RuntimeError(
                    f"one of the tensors saved by {self._name}.forward() with save_for_backward "
                    f"was modified by an in-place operation (version {v} when saved, now "
                    f"{_tape._version(t)}); clone() it before changing it"
                )
            if (
                not unchanged
                and isinstance(t, TensorBase)
                and _tape.written_since(t._backend, t._data, self._epoch)
            ):
                raise RuntimeError(
                    f"one of the tensors saved by {self._name}.forward() with save_for_backward "
                    f"shares its memory with a tensor (a view of it, its detach() or .data) "
                    f"that was modified by an in-place operation after it was saved; clone() "
                    f"it before changing it, or change it after backward()"
                )
        if self._out_states is not None and _config.GRAD_ENABLED.get():
            # (recording: a saved output is that output again, in the graph, for a higher
            # derivative)
            again = list(saved)
            for i, ref in self._out_states.items():
                m = ref()
                if m is not None:
                    a = again[i] = _tape._detached(saved[i])
                    a._meta = m
            return tuple(again)
        return self._saved

    def _release(self) -> None:
        """Let go of the saved tensors, once a backward without ``retain_graph`` went through
        the node (as PyTorch frees them): a large saved array does not outlive the step."""
        self._saved = None  # type: ignore[assignment]
        self._versions = ()
        self._out_states = None

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Declare outputs that get no gradient (indices, masks)."""
        self._non_differentiable = {*self._non_differentiable, *(id(o) for o in outputs)}


class _FunctionOp:
    """What a graph node of a custom Function calls on backward."""

    rules: tuple[Any, ...] = ()  # one vjp for all inputs: Function.backward
    saves_out = False  # backward gets what forward saved in ctx, not the outputs
    checked = None  # backward checks every input for in-place changes
    fast = None  # no fast first-order rules: backward always calls Function.backward
    # a None from Function.backward is PyTorch's undefined gradient (the engine's UNDEFINED):
    # ops pass it on and a leaf reached only that way keeps .grad None, while a Function's
    # node that gets it alone runs with zeros (PyTorch's materialized grads)
    none_is_no_gradient = True

    __slots__ = ("cls", "ctx", "n_inputs", "out_like")

    def __init__(
        self, cls: type[Function], ctx: FunctionCtx, n_inputs: int, out_like: Any = None
    ) -> None:
        self.cls = cls
        self.ctx = ctx
        self.n_inputs = n_inputs
        # one output's native (shape, dtype, backend), or on a lazy or multi-device backend a
        # detached tensor of it (its chunks, its device; its shape may be unknown), for its
        # zeros (several outputs: node.out)
        self.out_like = out_like

    @property
    def unchecked(self) -> tuple[int, ...]:
        """The inputs whose values the Function's backward does not read, left out of the
        in-place checks (an internal Function's ``_unread_inputs``; none for a user's)."""
        return getattr(self.cls, "_unread_inputs", ())

    def zeros(self) -> Any:
        """Zeros for the node's one output, its cotangent when it got only undefined ones."""
        like = self.out_like
        if like.__class__ is tuple:
            shape, dtype, b = like
            return _tape.tensor_of(b.xp.zeros(shape, dtype=dtype), b)
        return zeros_like(like)

    def release(self) -> None:
        """Called by backward (without ``retain_graph``) once it has run this node: the ctx
        lets go of its saved tensors."""
        self.ctx._release()

    @property
    def name(self) -> str:
        """The Function's class name (error messages, ``grad_fn``)."""
        return self.cls.__name__

    @property
    def node_name(self) -> str:
        """``grad_fn``'s name, PyTorch's: ``MyReLUBackward``; for the library's own Functions
        (``_Conv2d``), the name of PyTorch's node for the same operation (their
        ``_node_name``: ``ConvolutionBackward0``)."""
        own = getattr(self.cls, "_node_name", None)
        return str(own) if own else f"{self.cls.__name__}Backward"

    def vjp(self, g: Any, out: Any, *inputs: Any) -> tuple[Any, ...]:
        grads = g if isinstance(g, (tuple, list)) else (g,)
        result = self.cls.backward(self.ctx, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) != self.n_inputs:
            raise RuntimeError(
                f"{self.name}.backward() returned {len(result)} gradients but "
                f"forward() took {self.n_inputs} inputs; return one per input "
                f"(None for those without a gradient)"
            )
        return result  # type: ignore[no-any-return]  # (a tuple, checked above)


class Function:
    """Base class of user-defined differentiable operations, as in PyTorch.

    Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` as static methods
    and are called through ``apply``; or, PyTorch 2's other form, ``forward(*args)`` without
    ``ctx`` and ``setup_context(ctx, inputs, output)``, which saves what backward needs.

    Examples
    --------
    >>> import polytensor as pt
    >>> class MyReLU(pt.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return pt.clip(x, min=0.0)
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return g * (x > 0)
    >>> x = pt.asarray([-1.0, 2.0], requires_grad=True)
    >>> pt.sum(MyReLU.apply(x)).backward()
    >>> x.grad
    tensor([0., 1.], backend='numpy')
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        """Compute the outputs from the inputs (runs without recording)."""
        raise NotImplementedError("subclasses of pt.autograd.Function must define forward()")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        """Return the gradient of each input of forward (None where there is none)."""
        raise NotImplementedError("subclasses of pt.autograd.Function must define backward()")

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple[Any, ...], output: Any) -> None:
        """Save on ``ctx`` what backward needs, given the inputs of ``forward`` and its
        output: defined by a subclass whose ``forward`` takes no ``ctx`` (PyTorch 2's form).

        Examples
        --------
        >>> import polytensor as pt
        >>> class Square(pt.autograd.Function):
        ...     @staticmethod
        ...     def forward(x):
        ...         return x * x
        ...     @staticmethod
        ...     def setup_context(ctx, inputs, output):
        ...         ctx.save_for_backward(inputs[0])
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * g
        >>> x = pt.asarray([3.0], requires_grad=True)
        >>> Square.apply(x).sum().backward()
        >>> x.grad
        tensor([6.], backend='numpy')
        """
        raise NotImplementedError(
            "setup_context() is defined by a Function whose forward() takes no ctx"
        )

    # whether a subclass defines setup_context (forward then takes no ctx), set per subclass
    _setup_context = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._setup_context = cls.setup_context is not Function.setup_context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(
            f"{type(self).__name__} is used through {type(self).__name__}.apply"
            f"(...), not instantiated"
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and record one graph node whose gradient is ``backward``."""
        # per input: its autograd state when it needs a gradient (the node's edge), else None
        # (loops, not comprehensions: each of those is a function made and called per apply)
        if len(args) == 1:  # (MyReLU's one input: no lists)
            a = args[0]
            m = a._meta if isinstance(a, TensorBase) else None
            e = m if m is not None and (m.requires_grad or m.node is not None) else None
            edges: tuple[Any, ...] = (e,)
            needs: tuple[bool, ...] = (e is not None,)
        else:
            edge: list[Any] = []
            need: list[bool] = []
            for a in args:
                m = a._meta if isinstance(a, TensorBase) else None
                e = m if m is not None and (m.requires_grad or m.node is not None) else None
                edge.append(e)
                need.append(e is not None)
            edges = tuple(edge)
            needs = tuple(need)
        ctx = _new(FunctionCtx)  # (FunctionCtx(needs, name), without a call of __init__)
        ctx.needs_input_grad = needs
        ctx._name = cls.__name__
        token = _GRAD.set(False)
        try:
            if cls._setup_context:  # (PyTorch 2's form: forward(*args), then setup_context)
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        finally:
            _GRAD.reset(token)
        if not (True in needs and _GRAD.get()):
            return out
        if isinstance(out, TensorBase):  # one output, the common case
            return _record_one(cls, ctx, args, edges, out)
        outs = out if isinstance(out, tuple) else (out,)
        differentiable = [id(o) not in ctx._non_differentiable for o in outs]
        fresh = []
        for o in outs:  # an output that is an input is given its own tensor object
            if any(o is a for a in args) and _tape._is_tensor(o):
                o = _tape._detached(o)
            fresh.append(o)
        outs = tuple(fresh)
        op = _FunctionOp(cls, ctx, len(args))
        saved = tuple(_tape._detached(o) if _tape._is_tensor(o) else o for o in outs)
        node = _tape.Node(
            op,
            tuple(args),
            None,
            saved if len(outs) > 1 or isinstance(out, tuple) else saved[0],
            len(outs),
        )
        node.attach_outputs(tuple(o if differentiable[i] else None for i, o in enumerate(outs)))
        if ctx._saved:
            _unlink_saved_outputs(ctx, outs)
        return outs if isinstance(out, tuple) else outs[0]


_GRAD = _config.GRAD_ENABLED
_new = object.__new__
_FLOAT_CAT = _tape._FLOAT_CAT  # (real and complex floating)


def _record_one(
    cls: type[Function], ctx: FunctionCtx, args: tuple[Any, ...], edges: tuple[Any, ...], out: Any
) -> Any:
    """Record the node of ``cls.apply(*args)`` that returned the one tensor ``out`` (what the
    general path does for one output, in fewer steps: the tutorials' ``MyReLU``)."""
    for a in args:
        if out is a:  # an output that is an input is given its own tensor object
            out = _tape._detached(out)
            break
    if id(out) in ctx._non_differentiable or out._data.dtype not in out._backend.cats[_FLOAT_CAT]:
        return out
    if len(args) == 1:  # MyReLU's one input, a tensor (its edge): no comprehensions or calls
        a = args[0]
        m = a._meta
        versions: tuple[int, ...] = (0 if m is None else m.version,)
        datas: tuple[Any, ...] = (a._data,)
    else:  # (one loop, no helper calls: the layer kernels' Functions take numbers too)
        vs: list[int] = []
        ds: list[Any] = []
        for a in args:
            m = getattr(a, "_meta", None)
            vs.append(0 if m is None else m.version)
            ds.append(getattr(a, "_data", a))
        versions = tuple(vs)
        datas = tuple(ds)
    b = out._backend
    if b.lazy or b.multi_device:  # (zeros_like of it: its chunks, its device)
        like: Any = _tape._detached(out)
    else:  # (the array's own fields: no property calls on the tutorials' MyReLU path)
        d = out._data
        like = (d.shape, d.dtype, b)
    # (_FunctionOp(cls, ctx, len(args), like), without a call of __init__)
    op = _new(_FunctionOp)
    op.cls = cls
    op.ctx = ctx
    op.n_inputs = len(args)
    op.out_like = like
    _tape.record_node(op, versions, edges, datas, out, False)
    if len(args) != 1 or args[0]._backend is not b:  # (one input: its backend is out's, as a rule)
        _tape.note_backends(out._meta, args)
    saved = ctx._saved
    if saved and (len(saved) != 1 or saved[0] is out):  # (MyReLU saves its input: no call)
        _unlink_saved_outputs(ctx, (out,))
    return out


def _unlink_saved_outputs(ctx: FunctionCtx, outs: tuple[Any, ...]) -> None:
    """An output that forward saved (``ctx.save_for_backward(result)``, PyTorch's ``Exp``) is
    kept as its data alone: the output's state is the node (or points to it), which holds the
    ctx, so the output itself would make a reference cycle, which keeps the graph and its
    arrays until the cycle collector runs (in a training loop that makes few objects, many
    steps later). Its state is noted weakly, for ``saved_tensors`` under ``create_graph``."""
    saved = ctx._saved
    fixed = None
    for i, t in enumerate(saved):
        for o in outs:
            if t is o and o is not None and o._meta is not None:
                if fixed is None:
                    fixed = list(saved)
                    ctx._out_states = {}
                fixed[i] = _tape._detached(o)
                ctx._out_states[i] = weakref.ref(o._meta)  # type: ignore[index]
    if fixed is not None:
        ctx._saved = tuple(fixed)
