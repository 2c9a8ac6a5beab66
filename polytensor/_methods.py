"""PyTorch-style Tensor methods, ``TensorMethods`` (a base of ``Tensor``): each a rename or a
few lines onto table ops or autograd."""

from __future__ import annotations

import math
import numbers
import operator
import warnings
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from . import _config, _extras, _inplace, _pytorch, _pytorch_more, _random, _tape
from . import _dtypes as dt
from . import _tensor_base as _tb
from ._checks import BroadcastError, DimArgumentError, check_flag, describe, short_repr
from ._extras import _tensor_arg, tensor
from ._inplace import assign_inplace
from ._ops import creation, elementwise, linear_algebra, searching, statistical
from ._ops._registry import OPS
from ._ops.creation import check_float_fits, full, full_like
from ._ops.data_types import astype
from ._ops.linalg import matrix_norm, vector_norm
from ._ops.linear_algebra import matmul
from ._ops.manipulation import (
    _copy,
    broadcast_to,
    expand_dims,
    permute_dims,
    reshape,
    squeeze,
    tile,
)
from ._ops.statistical import std as _std
from ._ops.statistical import var as _var
from ._pytorch import _bools_to_int, _whole_0d
from ._pytorch import chunk as _chunk
from ._pytorch import roll_dims as _roll_dims
from ._pytorch import scaled as _scaled
from ._pytorch import split as _split
from ._shapes import broadcast_shapes, check_dim, check_extreme_norm
from ._tensor_base import TensorBase, exposed, settle_zeros
from ._tensor_ops import (
    Permuted,
    Reshaped,
    Squeezed,
    TensorOperators,
    Unsqueezed,
    expand_view,
    quick_view,
    view_writes_freely,
    whole_view,
)
from ._tensor_ops import _contiguous as _contiguous_model
from ._view_dtype import view_as_dtype
from ._view_layout import as_strided as _as_strided
from .autograd import _engine
from .autograd import backward as _autograd_backward

if TYPE_CHECKING:
    from ._tensor import Tensor


def _requires_grad_get(self: Tensor) -> bool:
    return _tape.requires_grad(self)


def _requires_grad_set(self: Tensor, flag: bool) -> None:
    _tape.set_requires_grad(self, _bool_flag("requires_grad", flag))


def _bool_flag(where: str, flag: Any) -> bool:
    # Note: only a bool, as PyTorch: bool("no") is True, so a truthiness test would turn a
    # mistaken argument into requiring grad.
    if flag is True or flag is False:
        return flag
    raise TypeError(
        f"{where} expects a bool (True or False); got {type(flag).__name__} {flag!r}; "
        f"pass True or False"
    )


def requires_grad_(self: Tensor, requires_grad: bool = True) -> Tensor:
    """Make this leaf require gradients (in place); returns self.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2).requires_grad_().requires_grad
    True
    """
    flag = _bool_flag("requires_grad_()", requires_grad)
    return _tape.set_requires_grad(self, flag)  # type: ignore[no-any-return]


def _grad_set(self: Tensor, value: Tensor | None) -> None:
    if value is not None:
        _check_grad(self, value)
    if self._meta is None:
        if value is None:
            return
        self._meta = _tape.Meta()
    self._meta.grad = value


def _check_grad(x: Tensor, value: Any) -> None:
    """PyTorch's checks of an assigned ``.grad``: a tensor of ``x``'s shape, dtype, backend
    and device (the mismatch would otherwise surface later, in an optimizer's update)."""
    if not isinstance(value, TensorBase):
        raise TypeError(
            f"assigned grad expected to be a Tensor or None; got {type(value).__name__}; "
            f"assign pt.asarray(...) of the tensor's shape and dtype, or None"
        )
    if tuple(value.shape) != tuple(x.shape):
        raise RuntimeError(
            f"attempting to assign a gradient of shape {tuple(value.shape)} to a tensor of "
            f"shape {tuple(x.shape)}; the gradient must have the tensor's shape"
        )
    if value.dtype is not x.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient of dtype {value.dtype.name} to a tensor of "
            f"dtype {x.dtype.name}; the gradient must have the tensor's dtype: assign "
            f"g.astype(pt.{x.dtype.name})"
        )
    if value.device != x.device:
        raise RuntimeError(
            f"attempting to assign a gradient on {value.device} to a tensor on {x.device}; "
            f"the gradient must be on the tensor's backend and device: assign "
            f'g.to("{x.device}")'
        )


def _grad_fn(self: Tensor) -> Any:
    m = self._meta
    return None if m is None else _tape.node_of(m)


def _is_leaf(self: Tensor) -> bool:
    m = self._meta
    return m is None or m.node is None


def backward(
    self: Tensor,
    gradient: Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (with ``inputs=``, into the
    ``.grad`` of those tensors alone, as PyTorch's).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, requires_grad=True)
    >>> (2 * x).sum().backward()
    >>> x.grad
    tensor([2., 2.], backend='numpy')
    """
    if gradient is None and retain_graph is None and not create_graph and inputs is None:
        m = self._meta
        if m is not None and m.node is not None and self._data.shape == ():
            # the common `loss.backward()`: seed with a 0-d one and go
            seed = object.__new__(_tb.TENSOR)
            seed._backend = b = self._backend
            seed._meta = None
            one = _SEEDS.get((b, self._data.dtype))
            seed._data = one if one is not None else _seed(b, self._data)
            _engine.backward([self], [seed], own_seeds=True)
            return
    _autograd_backward(
        self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs
    )


_SEEDS: dict[tuple[Any, Any], Any] = {}


def _seed(b: Any, like: Any) -> Any:
    """A 0-d one of ``like``'s dtype to start ``backward()`` from: made once per backend and
    dtype where no gradient can write it (a read-only NumPy array; Dask's are immutable), else
    made anew. (A cached one is never adopted as a leaf's .grad: the cache holds it too.)"""
    key = (b, like.dtype)
    one = _SEEDS.get(key)
    if one is None:
        one = b.resolve("ones_like")(like)
        if b.mutable:
            flags = getattr(one, "flags", None)
            try:
                flags.writeable = False  # type: ignore[union-attr]
            except (AttributeError, TypeError, ValueError):
                return one  # cannot be made read-only (CuPy): a fresh one each time
        _SEEDS[key] = one
    return one


def detach(self: Tensor) -> Tensor:
    """A tensor sharing this one's data, outside the graph: a change of either in place
    shows in the other, as PyTorch's (on an immutable backend, Dask, as ``x.data`` does it).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, requires_grad=True).detach().requires_grad
    False
    """
    if not self._backend.mutable:  # (rebinding the one rebinds the other: x.data's tensor)
        return self.data
    exposed(self)  # (the two share the memory: zeros that zero_() left unwritten are written)
    return _tape._detached(self)  # type: ignore[no-any-return]


def detach_(self: Tensor) -> Tensor:
    """Take this tensor out of the graph, in place; returns self.

    Examples
    --------
    >>> import polytensor as pt
    >>> y = pt.ones(2, requires_grad=True) * 2
    >>> y.detach_().is_leaf
    True
    """
    if self._write_back is not None:  # (a View: writes reach its base)
        raise RuntimeError(
            "detach_() of a view (a tensor that shares its base's memory, such as x[0] or "
            "x.t()): it cannot leave the graph in place, as in PyTorch; use v.detach() "
            "instead, which shares the memory outside the graph"
        )
    m = self._meta
    if m is not None and m.node is not None:
        # a state of its own: the edges recorded from this tensor hold the old one and still
        # reach the node that made it (PyTorch's too), which gets their gradients
        # (what PyTorch keeps on the tensor: its .grad, hooks and retain_grad())
        new = self._meta = _tape.Meta()
        new.version = m.version
        if m.swapped_out:  # (x.data = ... before: _tensor.View)
            new.swapped_out = m.swapped_out
        if m.grad is not None:
            new.grad = m.grad
        if m.hooks:
            new.hooks = m.hooks
        if m.retains_grad:
            new.retains_grad = True
            m.detached_to = weakref.ref(new)  # (graphs recorded before: their retained grads)
    elif m is not None:
        m.requires_grad = False
    return self


def retain_grad(self: Tensor) -> None:
    """Keep ``.grad`` for this non-leaf tensor during backward.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, requires_grad=True)
    >>> y = x * 3
    >>> y.retain_grad()
    >>> y.sum().backward()
    >>> y.grad
    tensor([1., 1.], backend='numpy')
    """
    m = self._meta
    if m is None or (m.node is None and not m.requires_grad):
        raise RuntimeError("retain_grad() on a tensor that does not require grad")
    if m.node is None:  # a leaf keeps its .grad anyway (PyTorch: nothing to do)
        return
    m.retains_grad = True
    _tape.mark_special(m)


def register_hook(self: Tensor, hook: Any) -> Any:
    """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces
    the gradient. Returns a handle with ``remove()``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, requires_grad=True)
    >>> h = x.register_hook(lambda g: g * 10)
    >>> x.sum().backward()
    >>> x.grad
    tensor([10., 10.], backend='numpy')
    """
    if not _tape.requires_grad(self):
        raise RuntimeError("register_hook() on a tensor that does not require grad")
    m = self._meta
    if m.hooks is None:
        m.hooks = []
    entry = _Hook(hook)  # (one per registration: its handle removes that one)
    m.hooks.append(entry)
    _tape.mark_special(m)
    return _HookHandle(m.hooks, entry)


def register_post_accumulate_grad_hook(self: Tensor, hook: Any) -> Any:
    """Call ``hook(tensor)`` with this leaf once its ``.grad`` has been accumulated, in each
    ``backward()`` that reaches it (not in ``autograd.grad``, which accumulates nothing), as
    PyTorch's ``register_post_accumulate_grad_hook``: the hook of the fused optimizer step
    (``hook`` may update the tensor and clear its ``.grad``); what it returns is ignored.
    Returns a handle with ``remove()``.

    Examples
    --------
    >>> import polytensor as pt
    >>> w = pt.ones(2, requires_grad=True)
    >>> seen = []
    >>> h = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    >>> (w * 3).sum().backward()
    >>> seen
    [[3.0, 3.0]]
    """
    if not _tape.requires_grad(self):
        raise RuntimeError(
            "register_post_accumulate_grad_hook() on a tensor that does not require grad; "
            "call x.requires_grad_() first"
        )
    m = self._meta
    if m.node is not None:
        raise RuntimeError(
            "post accumulate grad hooks cannot be registered on non-leaf tensors (they run "
            "after a leaf's .grad is accumulated); use register_hook() on this tensor instead"
        )
    if m.post_hooks is None:
        m.post_hooks = []
    if m.hooks is None:
        m.hooks = []
    if not any(h is _tape.POST_ACCUMULATE for h in m.hooks):
        # (backward accumulates a leaf with hooks on their path, which then runs these)
        m.hooks.append(_tape.POST_ACCUMULATE)
    entry = _PostAccumulateHook(hook, weakref.ref(self))
    m.post_hooks.append(entry)
    return _HookHandle(m.post_hooks, entry)


class _PostAccumulateHook:
    """One registration of a post-accumulate-grad hook: calls the function with the leaf
    (held weakly: the hook keeps no tensor alive)."""

    __slots__ = ("__name__", "fn", "leaf")

    def __init__(self, fn: Any, leaf: weakref.ref[Any]) -> None:
        self.fn = fn
        self.leaf = leaf
        self.__name__ = getattr(fn, "__name__", None) or type(fn).__name__

    def __call__(self) -> None:
        t = self.leaf()
        if t is not None:
            self.fn(t)


class _Hook:
    """One registration of a tensor hook: calls the function (registered twice, a function
    has two, and each handle removes its own, as PyTorch's)."""

    __slots__ = ("__name__", "fn")

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.__name__ = getattr(fn, "__name__", None) or type(fn).__name__  # (error messages)

    def __call__(self, g: Any) -> Any:
        return self.fn(g)


class _HookHandle:
    """What ``register_hook()`` returns: ``remove()`` takes its registration out of the
    tensor's hook list. It holds that list, not the tensor's state, which may be its node."""

    __slots__ = ("_entry", "_hooks")

    def __init__(self, hooks: list[Any], entry: _Hook | _PostAccumulateHook) -> None:
        self._hooks: list[Any] | None = hooks
        self._entry = entry

    def remove(self) -> None:
        """Take the hook out (nothing the second time)."""
        hooks, self._hooks = self._hooks, None
        if hooks is not None:
            for i, h in enumerate(hooks):
                if h is self._entry:
                    del hooks[i]
                    break


def to(
    self: Tensor,
    device_or_backend: Any = None,
    dtype: dt.DType | None = None,
    non_blocking: bool = False,
    copy: bool = False,
    *,
    device: Any = None,
) -> Tensor:
    """This tensor on another backend/device (``"dask"``, ``"cuda"``, a Device) and/or dtype,
    as PyTorch's ``x.to(...)``: ``x.to(other)`` takes another tensor's device and dtype;
    ``copy=True`` gives a copy even where nothing changes; ``non_blocking`` is accepted and
    changes nothing (transfers here complete before they return).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2).to(dtype=pt.float64).dtype
    polytensor.float64
    >>> pt.ones(2).to(pt.zeros(1, dtype=pt.int32)).dtype
    polytensor.int32
    """
    check_flag("to", "non_blocking", non_blocking)
    check_flag("to", "copy", copy)
    if device is not None:
        if device_or_backend is not None:
            raise TypeError("to() got a device both positionally and as device=; pass it once")
        device_or_backend = device
    if isinstance(device_or_backend, (TensorBase, dt.DType)) and isinstance(dtype, bool):
        # PyTorch's x.to(other, non_blocking, copy) and x.to(dtype, non_blocking, copy)
        dtype, non_blocking, copy = None, dtype, non_blocking
        check_flag("to", "copy", copy)
    x = self
    device_or_backend = dt.from_python_type(device_or_backend)  # (x.to(float): float64)
    dtype = dt.from_python_type(dtype)
    if isinstance(device_or_backend, TensorBase):  # x.to(other): its device and dtype
        if dtype is not None:
            raise TypeError(
                "to() got a tensor and a dtype; x.to(other) takes other's dtype: pass one"
            )
        device_or_backend, dtype = device_or_backend.device, device_or_backend.dtype
    elif isinstance(device_or_backend, dt.DType):
        if dtype is not None and dtype is not device_or_backend:
            raise TypeError(f"to() got two dtypes, {device_or_backend} and {dtype}; pass one")
        device_or_backend, dtype = None, device_or_backend
    if device_or_backend is not None:
        x = x.to_device(device_or_backend)
    if dtype is not None and dtype is not x.dtype:
        x = astype(x, dtype)
    if copy and x is self:
        x = clone(self)
    return x


def clone(self: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy with its own memory (gradients flow back to the original).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2)
    >>> y = x.clone(); y += 1
    >>> x
    tensor([1., 1.], backend='numpy')
    """
    if memory_format is not None:
        _pytorch.check_memory_format("clone", memory_format)
    elif type(self) is _tb.TENSOR and (self._meta is None or not _GRAD_MODE.get()):
        # nothing to record (a Function's backward, the tutorials' grad_output.clone()): what
        # _copy's table function does for it, without its checks of the inputs
        b = self._backend
        try:
            r = b.fns[_COPY.index](self._data)
        except Exception:  # noqa: BLE001 - the general path raises in its words
            r = None
        if r.__class__ is b.array_type:
            t = object.__new__(_tb.TENSOR)
            t._data = r
            t._backend = b
            t._meta = None
            return t
    return _copy(self)


# -- PyTorch-style methods onto table ops ----------------------------------------------------------
_EMPTY_DIM_ALL = frozenset(("sum", "mean", "std", "var"))


def _axis(where: str, dim: Any, axis: Any, ndim: int | None = None) -> Any:
    """PyTorch's ``dim`` (or the standard's ``axis``) of a reduction as the standard's ``axis``;
    with ``ndim`` 0, PyTorch's dim 0 or -1 of a 0-d tensor is the tensor itself (None)."""
    if dim is not None and axis is not None:
        raise TypeError(f"{where}() got both dim= and axis=; pass one")
    a = dim if dim is not None else axis
    if a.__class__ is list:  # (PyTorch takes a list of dims too: x.sum([0, 1]))
        a = tuple(a)
    if dim is not None and a.__class__ is tuple and a == () and where in _EMPTY_DIM_ALL:
        a = None  # (PyTorch's dim=[] or () of these: every dimension; the standard's axis=()
        # reduces none, and so do PyTorch's any and all)
    if a is not None and not all(
        isinstance(d, int) and not isinstance(d, bool)
        for d in (a if isinstance(a, tuple) else (a,))
    ):
        raise TypeError(f"{where}() expects dim to be an int or a tuple of ints; got {a!r}")
    if dim is not None and a is not None and ndim == 0:
        return _whole_0d(where, a)
    return a


def _keep(where: str, keepdim: Any, keepdims: Any) -> bool:
    if keepdim is not None and keepdims is not None:
        raise TypeError(f"{where}() got both keepdim= and keepdims=; pass one")
    k = keepdim if keepdim is not None else keepdims
    if k is not None and not isinstance(k, (bool, int)):
        raise TypeError(f"{where}() expects keepdim to be a bool; got {type(k).__name__}")
    return bool(k)


def _reduction(name: str, extra: str = "") -> Callable[..., Tensor]:
    fn = getattr(statistical, name)
    is_sum = name in ("sum", "prod")  # (of booleans: PyTorch's int64 count or product)

    def method(
        self: Tensor,
        dim: Any = None,
        keepdim: Any = None,
        *,
        axis: Any = None,
        keepdims: Any = None,
        **kwargs: Any,
    ) -> Tensor:
        if name == "mean" and kwargs.get("dtype") is not None:  # (PyTorch's: cast first)
            self = _pytorch._cast_for_mean(self, kwargs.pop("dtype"))
        if dim is None and axis is None and keepdim is None and keepdims is None and not kwargs:
            if is_sum and self._data.dtype in self._backend.cats[_BOOL_CAT]:
                # (PyTorch's sum of booleans: a count, in the default integer dtype)
                return fn(_bools_to_int(self))  # type: ignore[no-any-return]
            return fn(self)  # type: ignore[no-any-return]  # x.sum(): the common case
        if is_sum and self.dtype is dt.bool:  # (in dtype= if given, as PyTorch's)
            given = kwargs.get("dtype")
            self = _bools_to_int(self) if given is None else astype(self, given)
        return fn(  # type: ignore[no-any-return]
            self,
            axis=_axis(name, dim, axis, self.ndim),
            keepdims=_keep(name, keepdim, keepdims),
            **kwargs,
        )

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"``pt.{name}`` of this tensor, with PyTorch's ``dim=``/``keepdim=`` or "
        f"the standard's ``axis=``/``keepdims=``.{extra}\n\nExamples\n--------\n"
        f">>> import polytensor as pt\n>>> pt.ones(2, 3).{name}(dim=1).shape\n(2,)\n"
    )
    return method


def _spread(where: str, correction: Any, unbiased: Any) -> float:
    if correction is not None and unbiased is not None:
        raise TypeError(f"{where}() got both correction= and unbiased=; pass one")
    if correction is not None:
        if not isinstance(correction, numbers.Real):
            raise TypeError(
                f"{where}() expects correction= to be a Python int or float; got "
                f"{describe(correction)}"
            )
        return float(correction)
    return 1.0 if unbiased is None or check_flag(where, "unbiased", unbiased) else 0.0


def std(
    self: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: Any = None,
    *,
    axis: Any = None,
    keepdims: Any = None,
    correction: Any = None,
) -> Tensor:
    """Standard deviation; as in PyTorch the method is unbiased (``correction=1``) by default
    (``pt.std`` follows the standard: ``correction=0``), and takes PyTorch's positional
    ``x.std(dim, unbiased, keepdim)`` and ``x.std(unbiased)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> float(pt.asarray([1.0, 3.0]).std())
    1.4142135381698608
    """

    if isinstance(dim, bool) and unbiased is None:  # (PyTorch's x.std(unbiased))
        dim, unbiased = None, dim
    return _std(
        self,
        axis=_axis("std", dim, axis, self.ndim),
        keepdims=_keep("std", keepdim, keepdims),
        correction=_spread("std", correction, unbiased),
    )


def var(
    self: Tensor,
    dim: Any = None,
    unbiased: Any = None,
    keepdim: Any = None,
    *,
    axis: Any = None,
    keepdims: Any = None,
    correction: Any = None,
) -> Tensor:
    """Variance; as in PyTorch the method is unbiased (``correction=1``) by default, and takes
    PyTorch's positional ``x.var(dim, unbiased, keepdim)`` and ``x.var(unbiased)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> float(pt.asarray([1.0, 3.0]).var())
    2.0
    """

    if isinstance(dim, bool) and unbiased is None:  # (PyTorch's x.var(unbiased))
        dim, unbiased = None, dim
    return _var(
        self,
        axis=_axis("var", dim, axis, self.ndim),
        keepdims=_keep("var", keepdim, keepdims),
        correction=_spread("var", correction, unbiased),
    )


def _minmax(name: str) -> Callable[..., Tensor]:
    def method(
        self: Tensor,
        dim: Any = None,
        keepdim: Any = None,
        *,
        axis: Any = None,
        keepdims: Any = None,
    ) -> Any:
        # Note: PyTorch's x.max(dim) returns (values, indices); with axis= (or none) it is
        # the standard's reduction, as pt.max's.
        return getattr(_pytorch, name)(
            self, dim, keepdim, axis=axis, keepdims=False if keepdims is None else keepdims
        )

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"``pt.{name}`` of this tensor; with ``dim`` (PyTorch's spelling) it "
        f"returns ``(values, indices)`` as PyTorch does.\n\nExamples\n--------\n"
        f">>> import polytensor as pt\n>>> v, i = pt.asarray([[1.0, 5.0]])."
        f"{name}(dim=1)\n"
    )
    return method


def sort_method(
    self: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> Any:
    """PyTorch's ``x.sort(dim=-1, descending=False, stable=False)``: ``(values, indices)``;
    the sort is stable whatever ``stable`` says (a stable order is one of the orders an
    unstable sort may give).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([3.0, 1.0, 2.0]).sort().indices
    tensor([1, 2, 0], backend='numpy')
    """
    check_flag("sort", "stable", stable)
    return _pytorch.sort(self, dim, descending)


def topk_method(
    self: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> Any:
    """PyTorch's ``x.topk(k, dim=-1, largest=True)``: ``(values, indices)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([1.0, 9.0, 4.0]).topk(1).values
    tensor([9.], backend='numpy')
    """
    return _pytorch.topk(self, k, dim, largest, sorted)


def argsort_method(
    self: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> Tensor:
    """PyTorch's ``x.argsort(dim=-1, descending=False, stable=False)`` (always stable: ties
    keep their order, which ``stable=False`` allows too).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([3.0, 1.0, 2.0]).argsort()
    tensor([1, 2, 0], backend='numpy')
    """
    return _pytorch.argsort(self, dim, descending)


def _arg(name: str) -> Callable[..., Tensor]:
    def method(
        self: Tensor,
        dim: Any = None,
        keepdim: Any = None,
        *,
        axis: Any = None,
        keepdims: Any = None,
    ) -> Tensor:
        return getattr(searching, name)(  # type: ignore[no-any-return]
            self, axis=_axis(name, dim, axis, self.ndim), keepdims=_keep(name, keepdim, keepdims)
        )

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"``pt.{name}`` with ``dim=``/``keepdim=``.\n\nExamples\n--------\n"
        f">>> import polytensor as pt\n>>> int(pt.asarray([1.0, 5.0]).{name}())\n"
        f"{1 if name == 'argmax' else 0}\n"
    )
    return method


def _namespace_function(name: str) -> Any:
    """The namespace function ``name`` (``pt.exp``, ``pt.sigmoid``) that a method renames."""
    for module in (elementwise, linear_algebra, _extras):
        fn = getattr(module, name, None)
        if fn is not None:
            return fn
    raise AttributeError(f"no function {name!r} for a Tensor method")  # (a bug in this file)


def _unary_method(name: str, fn_name: str | None = None) -> Callable[..., Tensor]:
    fn = _namespace_function(fn_name or name)

    def method(self: Tensor) -> Tensor:
        return fn(self)  # type: ignore[no-any-return]

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"``pt.{fn_name or name}(self)``.\n\nExamples\n--------\n"
        f">>> import polytensor as pt\n"
        f">>> y = pt.asarray({_EXAMPLE_DATA.get(name, '[0.5, 1.0]')}).{name}()\n"
    )
    return method


def div(self: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """PyTorch's ``x.div(y, rounding_mode=None)``: ``pt.div``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([-7.0, 7.0]).div(2.0, rounding_mode="trunc")
    tensor([-3.,  3.], backend='numpy')
    """
    return _pytorch.div(self, other, rounding_mode=rounding_mode)


def div_(self: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """In-place ``div``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([7.0]); _ = x.div_(2.0, rounding_mode="floor"); x
    tensor([3.], backend='numpy')
    """
    if rounding_mode is None:
        return _DIV_INPLACE(self, other)
    _pytorch.check_rounding_mode("div_", rounding_mode)
    r = _pytorch.div(_inplace.alias_before_inplace(self), other, rounding_mode=rounding_mode)
    if r.dtype is not self.dtype:
        dt.check_result_cast(r.dtype, self.dtype, "div_", "x = x.div(y, rounding_mode=...)")
        r = astype(r, self.dtype)
    return assign_inplace(self, r, "div_")


def round(self: Tensor, decimals: int = 0) -> Tensor:
    """PyTorch's ``x.round(decimals=0)``: to the nearest integer, ties to even, or to
    ``decimals`` decimal places (negative: tens, hundreds...) as PyTorch computes it.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([1.2345, 2.5]).round(), pt.asarray([1.2345]).round(decimals=2)
    (tensor([1., 2.], backend='numpy'), tensor([1.23], backend='numpy'))
    """
    return _pytorch.round(self, decimals=decimals)


def flip(self: Tensor, *dims: Any) -> Tensor:
    """PyTorch's ``x.flip(dims)``: the order of the entries reversed along ``dims`` (an int,
    or a list or tuple of them, or several ints).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([[1, 2], [3, 4]]).flip(1)
    tensor([[2, 1],
            [4, 3]], backend='numpy')
    """
    if not dims:
        raise TypeError("flip() missing its dims: write x.flip(0) or x.flip([0, 1])")
    axes = dims[0] if len(dims) == 1 and isinstance(dims[0], (list, tuple)) else dims
    from ._ops.manipulation import flip as _flip

    axes = tuple(check_dim("flip", d, self.ndim) for d in axes)
    twice = next((d for i, d in enumerate(axes) if d in axes[:i]), None)
    if twice is not None:
        raise DimArgumentError(
            f"flip(): dim {twice} appears multiple times in the list of dims {tuple(dims)}; "
            f"name each dimension once"
        )
    if not axes or self.ndim == 0:  # (no dims, or a 0-d tensor: a copy, as PyTorch's)
        return self.clone()
    return _flip(self, axis=axes)


def roll(self: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """PyTorch's ``x.roll(shifts, dims=None)``: ``pt.roll(x, shifts, axis=dims)`` (without
    dims, over the flattened tensor).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([1, 2, 3]).roll(1)
    tensor([3, 1, 2], backend='numpy')
    """
    from ._ops.manipulation import roll as _roll

    def _t(v: Any) -> Any:
        return tuple(v) if isinstance(v, list) else v

    shifts = _t(shifts)
    return _roll(self, shifts, axis=_roll_dims(shifts, _t(dims)))


# Example inputs in the methods' domains (other methods take [0.5, 1.0]).
_EXAMPLE_DATA = {
    "acosh": "[1.0, 2.0]",
    "atanh": "[0.0, 0.5]",
    "imag": "[1 + 2j, -1j]",
    "real": "[1 + 2j, -1j]",
    "conj": "[1 + 2j, -1j]",
    "logical_not": "[True, False]",
    "logical_and": "[True, False]",
    "logical_or": "[True, False]",
    "matmul": "[0.5, 1.0]",
}


def _binary_method(name: str, fn_name: str) -> Callable[..., Tensor]:
    fn = _namespace_function(fn_name)

    def method(self: Tensor, other: Any) -> Tensor:
        return fn(self, other)  # type: ignore[no-any-return]

    if fn_name in ("add", "subtract"):  # PyTorch's x.add(y, alpha=a): x + a * y

        def method(self: Tensor, other: Any, *, alpha: Any = None) -> Tensor:  # type: ignore[misc]
            return fn(self, other if alpha is None else _scaled(name, self, other, alpha))  # type: ignore[no-any-return]

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"``pt.{fn_name}(self, other)``.\n\nExamples\n--------\n"
        f">>> import polytensor as pt\n>>> x = pt.asarray("
        f"{_EXAMPLE_DATA.get(name, '[0.5, 1.0]')})\n>>> y = x.{name}("
        f"{'x' if name in _EXAMPLE_DATA else '1.0'})\n"
    )
    return method


_INPLACE_OPERATORS = {
    "add": "__iadd__",
    "subtract": "__isub__",
    "multiply": "__imul__",
    "divide": "__itruediv__",
    "pow": "__ipow__",
}


def _inplace_method(name: str, fn_name: str) -> Callable[..., Tensor]:
    dunder = _INPLACE_OPERATORS[fn_name]
    operator = getattr(TensorOperators, dunder)  # one implementation

    def method(self: Tensor, other: Any, *, alpha: Any = None) -> Tensor:
        if alpha is not None:  # PyTorch's x.add_(y, alpha=a): x += a * y
            if fn_name not in ("add", "subtract"):
                raise TypeError(f"{name}() got an unexpected keyword argument 'alpha'")
            other = _scaled(name, self, other, alpha)
        try:
            r = operator(self, other)
        except dt.CastError as e:  # the operator's message, under this method's name
            raise dt.CastError(f"{name}(){str(e).removeprefix(dunder)}") from None
        if r is NotImplemented:
            raise TypeError(
                f"{name}() expects a tensor or Python number; got "
                f"{type(other).__name__}; convert it with pt.asarray(...)"
            )
        return r  # type: ignore[no-any-return]

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"In-place ``pt.{fn_name}``: writes the result into this tensor and "
        f"returns it.\n\nExamples\n--------\n>>> import polytensor as pt\n"
        f">>> x = pt.ones(2)\n>>> x.{name}(2.0) is x\nTrue\n"
    )
    return method


def _cast_method(name: str, dtype: dt.DType) -> Callable[..., Tensor]:
    def method(self: Tensor) -> Tensor:

        return self if self.dtype is dtype else astype(self, dtype)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"This tensor as ``{dtype.name}`` (PyTorch's ``x.{name}()``).\n\n"
        f"Examples\n--------\n>>> import polytensor as pt\n"
        f">>> pt.ones(1).{name}().dtype\npolytensor.{dtype.name}\n"
    )
    return method


def _shape_args(where: str, shape: tuple[Any, ...]) -> tuple[int, ...]:
    for s in shape:
        if s.__class__ is not int:
            break
    else:
        return shape  # (Python ints, the common call: x.view(-1, 8))
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        return tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"{where}() expects ints or one tuple of ints; got {shape!r}") from None


def view(self: Tensor, *shape: Any, dtype: Any = None) -> Tensor:
    """This tensor's data seen with another shape, without copying (else an error says to use
    ``reshape``); ``view(dtype)``: its bits seen as another dtype, as PyTorch's (the same item
    size keeps the shape, another scales the last dimension; no gradient), on backends whose
    arrays can do it.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.arange(6).view(2, 3).shape
    (2, 3)
    >>> pt.asarray([1.0, 2.0], dtype=pt.float64).view(pt.int32).shape
    (4,)
    """
    if len(shape) == 1 and shape[0].__class__ is type:  # (x.view(int): PyTorch's int64)
        shape = (dt.from_python_type(shape[0]),)
    dtype = dt.from_python_type(dtype)
    if dtype is not None or (len(shape) == 1 and isinstance(shape[0], dt.DType)):
        # (not `dtype or shape[0]`: an array's truth is ambiguous)
        to = shape[0] if dtype is None else dtype
        if (shape and dtype is not None) or not isinstance(to, dt.DType):
            got = ", ".join(short_repr(s) for s in shape)
            raise TypeError(
                f"view() takes a shape or one dtype (a polytensor dtype such as pt.int32); got "
                f"({got}) and dtype={short_repr(dtype)}"
            )
        return view_as_dtype(self, to)  # type: ignore[no-any-return]

    dims = _shape_args("view", shape)
    b = self._backend
    eager = b.mutable and not b.lazy
    if eager and (not dims or min(dims) >= -1):
        # (the backend's reshape then refuses what PyTorch's view refuses: an error below)
        r = quick_view(self, _RESHAPE, {"shape": dims, "copy": False}, Reshaped(dims))
        if r is not None:
            return r
    known = [d for d in dims if d != -1]
    size = math.prod(self._data.shape) if eager else self.size
    if size is not None and (
        dims.count(-1) > 1
        or (-1 not in dims and math.prod(dims) != size)
        or (-1 in dims and (math.prod(known) == 0 or size % math.prod(known) != 0))
    ):
        raise RuntimeError(
            f"view(): shape {dims} is invalid for a tensor of {size} elements (shape {self.shape})"
        )
    if not eager:
        r = whole_view(reshape(self, dims), self, Reshaped(dims))
        if r.shape == self.shape and None not in self.shape:  # (the same shape: a view)
            r = whole_view(
                permute_dims(self, tuple(range(self.ndim))), self, Permuted(tuple(range(self.ndim)))
            )
        if r._write_back is None and self._write_back is not None:  # (not a view: a copy)
            raise RuntimeError(
                f"view(): this tensor (shape {self.shape}) is a view whose layout cannot be "
                f"seen as shape {dims} without a copy (as in PyTorch); use .reshape(...) instead"
            )
        return r
    try:
        return whole_view(reshape(self, dims, copy=False), self, Reshaped(dims))
    except (ValueError, AttributeError, TypeError) as e:  # (TypeError: the library's, named)
        raise RuntimeError(
            f"view(): the data of this tensor (shape {self.shape}) cannot be "
            f"seen as shape {dims} without a copy (it is not contiguous); use "
            f".reshape(...) instead"
        ) from e


def reshape_method(self: Tensor, *shape: Any) -> Tensor:
    """``pt.reshape`` with PyTorch's ``x.reshape(2, 3)`` spelling.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.arange(6).reshape(3, 2).shape
    (3, 2)
    """

    dims = _shape_args("reshape", shape)
    how = Reshaped(dims)
    r = quick_view(self, _RESHAPE, {"shape": dims, "copy": None}, how)
    if r is not None:
        return r
    return whole_view(reshape(self, dims), self, how)


def flatten(self: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` .. ``end_dim`` into one.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 3, 4).flatten(1).shape
    (2, 12)
    """

    n = len(self._data.shape)
    if not (
        start_dim.__class__ is int
        and end_dim.__class__ is int
        and -n <= start_dim < n
        and -n <= end_dim < n
    ):
        for d in (start_dim, end_dim):
            _check_dim("flatten", d, max(n, 1))
    if n == 0:
        return whole_view(reshape(self, (1,)), self, Reshaped((1,)))
    s, e = start_dim % n, end_dim % n
    shape = self.shape
    dims = shape[:s] + (-1,) + shape[e + 1 :]
    how = Reshaped(dims)
    r = quick_view(self, _RESHAPE, {"shape": dims, "copy": None}, how)
    if r is not None:
        return r
    return whole_view(reshape(self, dims), self, how)


def _check_dim(where: str, d: Any, ndim: int) -> None:
    """TypeError unless ``d`` is an int, IndexError unless it is a dimension of ``ndim``."""
    if isinstance(d, bool) or not isinstance(d, int):
        raise TypeError(f"{where}() expects int dimensions; got {d!r}")
    if not -max(ndim, 1) <= d < max(ndim, 1):
        raise IndexError(
            f"{where}() got dimension {d} for a {ndim}-D tensor; expected one in "
            f"[{-max(ndim, 1)}, {max(ndim, 1) - 1}]"
        )


def unsqueeze(self: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dimension at ``dim``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(3).unsqueeze(0).shape
    (1, 3)
    """

    if dim.__class__ is int and -len(self._data.shape) - 1 <= dim <= len(self._data.shape):
        r = quick_view(self, _EXPAND, {"axis": dim}, Unsqueezed(dim))
        if r is not None:
            return r
    return whole_view(expand_dims(self, axis=dim), self, Unsqueezed(dim))


def squeeze_method(self: Tensor, dim: Any = None) -> Tensor:
    """Remove size-1 dimensions (all of them, or ``dim``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(1, 3, 1).squeeze().shape
    (3,)
    """

    if dim.__class__ is int:  # (x.squeeze(1): the common call, checked here)
        shape = self._data.shape
        if -len(shape) <= dim < len(shape):
            # (as PyTorch: a dimension not of size 1 stays; the result is a view all the
            # same, a new tensor)
            one: tuple[int, ...] = (dim,) if shape[dim] == 1 else ()
            r = quick_view(self, _SQUEEZE, {"axis": one}, Squeezed(one))
            return r if r is not None else _squeezed(self, one)
    if dim is None:
        dims = tuple(i for i, s in enumerate(self.shape) if s == 1)
        return _squeezed(self, dims)
    dims = dim if isinstance(dim, tuple) else (dim,)
    for d in dims:
        _check_dim("squeeze", d, self.ndim)
    if self.ndim == 0:  # (as PyTorch: squeeze(0) of a 0-d tensor is a view of it)
        return _squeezed(self, ())
    dims = tuple(d for d in dims if self.shape[d] == 1)  # PyTorch ignores non-1 dims
    return _squeezed(self, dims)


def nonzero_method(self: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero elements, as PyTorch's ``x.nonzero()``: one ``(n, ndim)``
    int64 tensor, or with ``as_tuple=True`` one index tensor per dimension.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([0.0, 3.0, 4.0]).nonzero().tolist()
    [[1], [2]]
    """
    return _pytorch.nonzero(self, as_tuple=as_tuple)


def addcmul_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """In-place ``addcmul``: ``self += value * tensor1 * tensor2``, as PyTorch's
    ``x.addcmul_`` (Adam's ``v.mul_(beta2).addcmul_(g, g, value=1 - beta2)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> v = pt.ones(2); _ = v.addcmul_(pt.asarray([1.0, 2.0]), pt.asarray([1.0, 2.0]), value=0.5)
    >>> v
    tensor([1.5, 3. ], backend='numpy')
    """
    return self.add_(_pytorch.addcmul_term("addcmul_", self, tensor1, tensor2, value))


def addcdiv_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """In-place ``addcdiv``: ``self += value * tensor1 / tensor2``, as PyTorch's
    ``x.addcdiv_`` (Adam's ``p.addcdiv_(m, denom, value=-lr)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> p = pt.ones(2); _ = p.addcdiv_(pt.asarray([1.0, 2.0]), pt.asarray([2.0, 2.0]), value=-1)
    >>> p
    tensor([0.5, 0. ], backend='numpy')
    """
    return self.add_(_pytorch.addcdiv_term("addcdiv_", self, tensor1, tensor2, value))


def lerp_(self: Tensor, end: Any, weight: Any) -> Tensor:
    """In-place ``lerp``: ``self + weight * (end - self)``, as PyTorch's ``x.lerp_(end,
    weight)`` (an exponential moving average of weights: ``ema.lerp_(w, 1 - decay)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([0.0, 10.0]); _ = x.lerp_(pt.asarray([10.0, 10.0]), 0.25); x
    tensor([ 2.5, 10. ], backend='numpy')
    """
    weight = _pytorch.lerp_operands("lerp_", self, end, weight)
    r = _pytorch.lerp(_inplace.alias_before_inplace(self), end, weight)
    if tuple(r.shape) != tuple(self.shape):
        raise RuntimeError(
            f"lerp_(): the result's shape {tuple(r.shape)} is not the tensor's "
            f"{tuple(self.shape)}; use lerp (not in place) for a broadcast result"
        )
    return assign_inplace(self, r, "lerp_")


def _squeezed(x: Tensor, dims: tuple[int, ...]) -> Tensor:
    return whole_view(squeeze(x, dims), x, Squeezed(dims))


def permute(self: Tensor, *dims: Any) -> Tensor:
    """``pt.permute_dims`` with PyTorch's spelling.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 3, 4).permute(2, 0, 1).shape
    (4, 2, 3)
    """

    axes = _shape_args("permute", dims)
    if len(axes) == len(self._data.shape) and len(set(axes)) == len(axes):
        # (a permutation of as many axes, which the backend checks further)
        r = quick_view(self, _PERMUTE, {"axes": axes}, Permuted(axes))
        if r is not None:
            return r
    return whole_view(permute_dims(self, axes=axes), self, Permuted(axes))


def transpose(self: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 3, 4).transpose(0, 2).shape
    (4, 3, 2)
    """

    n = len(self._data.shape)
    perm: tuple[int, ...]
    if (
        n == 2
        and dim0.__class__ is int
        and dim1.__class__ is int
        and -2 <= dim0 < 2
        and -2 <= dim1 < 2
    ):
        perm = (0, 1) if dim0 % 2 == dim1 % 2 else (1, 0)  # (x.t(), x.transpose(0, 1))
    else:
        axes = list(range(n))
        for d in (dim0, dim1):
            if not isinstance(d, int) or isinstance(d, bool) or not -len(axes) <= d < len(axes):
                raise (IndexError if isinstance(d, int) else TypeError)(
                    f"transpose() expects dimensions in [{-len(axes)}, {len(axes) - 1}]; got {d!r}"
                )
        axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        perm = tuple(axes)
    how = Permuted(perm)
    r = quick_view(self, _PERMUTE, {"axes": perm}, how)
    if r is None:
        r = whole_view(permute_dims(self, axes=perm), self, how)
    if perm != tuple(range(n)):  # (no new node where nothing moves)
        _tape.name_node(r, "TransposeBackward0")
    return r


def t(self: Tensor) -> Tensor:
    """Transpose of a tensor of at most 2 dimensions (PyTorch's ``x.t()``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 3).t().shape
    (3, 2)
    """
    if self.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions; got {self.ndim}; use "
            f"x.transpose(a, b) or x.mT"
        )
    return self if self.ndim < 2 else _tape.name_node(transpose(self, 0, 1), "TBackward0")


def expand(self: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to ``sizes`` (-1 keeps a dimension), PyTorch's ``expand``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(3, 1).expand(3, 4).shape
    (3, 4)
    """

    if not sizes:
        raise TypeError(
            "expand() missing 1 required positional argument: 'size'; give the target sizes, "
            "x.expand(3, 4) or x.expand((3, 4))"
        )
    dims = _shape_args("expand", sizes)
    lead = len(dims) - self.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand(): the number of sizes provided ({len(dims)}) must be greater or equal "
            f"to the number of dimensions in the tensor ({self.ndim}); give one size per "
            f"dimension of the tensor of shape {tuple(self.shape)} (-1 keeps one)"
        )
    if any(s == -1 and i < lead for i, s in enumerate(dims)):
        raise ValueError(
            f"expand() got -1 for a new leading dimension in {dims}; -1 keeps an existing "
            f"dimension of the tensor of shape {tuple(self.shape)}"
        )
    shape = tuple(s if s != -1 else self.shape[i - lead] for i, s in enumerate(dims))
    for i, n in enumerate(self.shape):
        if n != 1 and n is not None and shape[lead + i] != n:
            raise RuntimeError(
                f"expand(): the expanded size of the tensor ({shape[lead + i]}) must match the "
                f"existing size ({n}) at non-singleton dimension {lead + i}; target sizes "
                f"{list(dims)}, tensor shape {list(self.shape)}: only dimensions of length 1 "
                f"expand (x.repeat(...) copies a tensor along others)"
            )
    return expand_view(self, cast("tuple[int, ...]", shape))  # (broadcast_to's errors)


def repeat_method(self: Tensor, *sizes: Any) -> Tensor:
    """Tile the tensor ``sizes`` times along each dimension (PyTorch's ``repeat``, which is
    the standard's ``tile``, not its ``repeat``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2).repeat(3, 2).shape
    (3, 4)
    """

    return tile(self, _shape_args("repeat", sizes))


def clamp(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """``pt.clamp`` (``pt.clip`` with PyTorch's name) as a method.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([-1.0, 2.0]).clamp(min=0.0)
    tensor([0., 2.], backend='numpy')
    """
    b = self._backend
    d = self._data
    if d.dtype not in b.cats[_REAL_FLOAT_CAT]:
        # (an integer tensor: a float bound, a wider one or a negative int change it)
        return _extras.clamp(self, min, max)
    if max is None and min.__class__ in _BOUND_TYPES and type(self) is _tb.TENSOR:
        # the tutorials' x.clamp(min=0): what clip's table function does for it, without its
        # loop over the inputs (a float tensor takes a Python int or float bound as it is)
        try:
            r = b.fns[_CLIP.index](d, min, None)
        except (OverflowError, TypeError, ValueError):  # (the general path says it its way)
            r = None
        if r.__class__ is b.array_type:
            t = object.__new__(_tb.TENSOR)
            t._data = r
            t._backend = b
            t._meta = None
            if self._meta is not None and _GRAD_MODE.get():
                _tape.record_tensors(_CLIP, (self, min, None), (d, min, None), None, t, True)
            return t
    if isinstance(min, TensorBase) or isinstance(max, TensorBase):
        return _extras.clamp(self, min, max)  # (a wider bound tensor promotes, as PyTorch's)
    return elementwise.clip(self, min, max)


_CLIP = OPS["clip"]
_COPY = OPS["_copy"]
_PERMUTE = OPS["permute_dims"]
_RESHAPE = OPS["reshape"]
_EXPAND = OPS["expand_dims"]
_SQUEEZE = OPS["squeeze"]
_BOUND_TYPES = frozenset((int, float))


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """In-place ``clamp``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([-1.0, 2.0]); _ = x.clamp_(0.0, 1.0); x
    tensor([0., 1.], backend='numpy')
    """

    r = clamp(_inplace.alias_before_inplace(self), min, max)
    if r.dtype is not self.dtype:  # (a wider bound tensor: cast back as PyTorch casts, wrapping)
        dt.check_result_cast(r.dtype, self.dtype, "clamp_()", "x = x.clamp(...)")
        r = astype(r, self.dtype)
    return assign_inplace(self, r, "clamp_")


def masked_fill_(self: Tensor, mask: Tensor, value: Any) -> Tensor:
    """In-place ``masked_fill``: ``value`` where the boolean ``mask`` (broadcast to this
    tensor's shape) is True.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1.0, 2.0, 3.0]); _ = x.masked_fill_(x > 1.5, 0.0); x
    tensor([1., 0., 0.], backend='numpy')
    """
    r = _pytorch.masked_fill(_inplace.alias_before_inplace(self), mask, value)
    if tuple(r.shape) != tuple(self.shape):
        raise RuntimeError(
            f"masked_fill_(): the mask {tuple(mask.shape)} does not broadcast to the tensor's "
            f"shape {tuple(self.shape)}; use masked_fill (not in place) for a larger result"
        )
    return assign_inplace(self, r, "masked_fill_")


def scatter_(
    self: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None, reduce: Any = None
) -> Tensor:
    """In-place ``scatter``: ``src`` (a tensor or a number) written into this tensor at
    ``index`` along ``dim`` (``reduce="add"``: added).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2, 3); _ = x.scatter_(1, pt.asarray([[2], [0]]), 1.0); x
    tensor([[0., 0., 1.],
            [1., 0., 0.]], backend='numpy')
    """
    r = _pytorch.scatter(
        _inplace.alias_before_inplace(self), dim, index, src, value=value, reduce=reduce
    )
    return assign_inplace(self, r, "scatter_")


def scatter_add_(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """In-place ``scatter_add``: ``src`` added into this tensor at ``index`` along ``dim``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(3); _ = x.scatter_add_(0, pt.asarray([1, 1]), pt.ones(2)); x
    tensor([0., 2., 0.], backend='numpy')
    """
    r = _pytorch.scatter_add(_inplace.alias_before_inplace(self), dim, index, src)
    return assign_inplace(self, r, "scatter_add_")


def index_add_(self: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """In-place ``index_add``: ``alpha * source``'s slices added into this tensor's slices
    ``index`` along ``dim``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(3); _ = x.index_add_(0, pt.asarray([0, 0]), pt.ones(2)); x
    tensor([2., 0., 0.], backend='numpy')
    """
    r = _pytorch.index_add(_inplace.alias_before_inplace(self), dim, index, source, alpha=alpha)
    return assign_inplace(self, r, "index_add_")


def expand_as(self: Tensor, other: Tensor) -> Tensor:
    """PyTorch's ``x.expand_as(other)``: ``x.expand(*other.shape)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones((1, 3)).expand_as(pt.zeros((2, 3))).shape
    (2, 3)
    """
    return self.expand(*_shape_of("expand_as", other))


def as_strided(self: Tensor, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
    """PyTorch's ``x.as_strided(size, stride, storage_offset)``: ``pt.as_strided(x, ...)``,
    a view of ``x``'s memory by strides.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.arange(4.0).as_strided((3, 2), (1, 1))
    tensor([[0., 1.],
            [1., 2.],
            [2., 3.]], backend='numpy')
    """
    return _as_strided(self, size, stride, storage_offset)  # type: ignore[no-any-return]


def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    """PyTorch's ``x.reshape_as(other)``: ``x.reshape(*other.shape)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(6).reshape_as(pt.zeros((2, 3))).shape
    (2, 3)
    """
    return self.reshape(*_shape_of("reshape_as", other))


def view_as(self: Tensor, other: Tensor) -> Tensor:
    """PyTorch's ``x.view_as(other)``: ``x.view(*other.shape)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(6).view_as(pt.zeros((3, 2))).shape
    (3, 2)
    """
    return self.view(*_shape_of("view_as", other))


def _shape_of(where: str, other: Any) -> tuple[Any, ...]:
    if not isinstance(other, TensorBase):
        raise TypeError(f"{where}() takes a tensor; got {type(other).__name__}")
    return tuple(other.shape)


def ndimension(self: Tensor) -> int:
    """PyTorch's ``x.ndimension()``: the number of dimensions, ``x.ndim``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones((2, 3)).ndimension()
    2
    """
    return int(self.ndim)


def nelement(self: Tensor) -> int:
    """PyTorch's ``x.nelement()``: the number of elements, ``x.numel()``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones((2, 3)).nelement()
    6
    """
    return int(self.numel())


def tril(self: Tensor, diagonal: int = 0) -> Tensor:
    """PyTorch's ``x.tril(diagonal)``: ``pt.tril(x, k=diagonal)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones((2, 2)).tril()
    tensor([[1., 0.],
            [1., 1.]], backend='numpy')
    """
    from ._ops.creation import tril as _tril

    if self.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return _tril(self, k=diagonal)


def triu(self: Tensor, diagonal: int = 0) -> Tensor:
    """PyTorch's ``x.triu(diagonal)``: ``pt.triu(x, k=diagonal)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones((2, 2)).triu(1)
    tensor([[0., 1.],
            [0., 0.]], backend='numpy')
    """
    from ._ops.creation import triu as _triu

    if self.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return _triu(self, k=diagonal)


def tril_(self: Tensor, diagonal: int = 0) -> Tensor:
    """In-place ``tril``: the entries above diagonal ``diagonal`` set to zero.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones((2, 2)); _ = x.tril_(); x
    tensor([[1., 0.],
            [1., 1.]], backend='numpy')
    """
    return assign_inplace(self, tril(_inplace.alias_before_inplace(self), diagonal), "tril_")


def triu_(self: Tensor, diagonal: int = 0) -> Tensor:
    """In-place ``triu``: the entries below diagonal ``diagonal`` set to zero.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones((2, 2)); _ = x.triu_(1); x
    tensor([[0., 1.],
            [0., 0.]], backend='numpy')
    """
    return assign_inplace(self, triu(_inplace.alias_before_inplace(self), diagonal), "triu_")


def nan_to_num_(
    self: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """In-place ``pt.nan_to_num``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([float("nan"), 1.0]); _ = x.nan_to_num_(nan=5.0); x
    tensor([5., 1.], backend='numpy')
    """
    from ._pytorch_more import nan_to_num

    done = nan_to_num(_inplace.alias_before_inplace(self), nan, posinf, neginf)
    return assign_inplace(self, done, "nan_to_num_")


def zero_(self: Tensor) -> Tensor:
    """Fill with zeros in place.

    The zeros of a large leaf's ``.grad`` that nothing else holds (the tutorials'
    ``w.grad.zero_()``) are written when the gradient is next read (``w.grad``) or written;
    backward, which replaces that data with the new gradient, then finds none written for
    nothing (on a backend with ``Writes.zeros_view``: NumPy).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2); _ = x.zero_(); x
    tensor([0., 0.], backend='numpy')
    """
    b = self._backend
    m = self._meta
    if b.mutable and (
        (
            (m is None or not (m.requires_grad or m.node is not None))
            and (self._write_back is None or view_writes_freely(self))
        )
        or not _GRAD_MODE.get()
    ):
        # (optimizers' and the tutorials' `p.grad.zero_()`: one pass, no temporary. Nothing to
        # refuse: a leaf that requires grad comes here only with grad mode off.)
        if m is None:
            m = self._meta = _tape.Meta()
            m.deferred = m.zeroed = -1  # (fields of the instance: the next reads are quick)
            m.grad_of = None
        wrote = False
        if m.deferred != m.version:  # (else zero_() again: the zeros are still deferred)
            d = self._data
            # (grad_of: set only for a large .grad, on a backend with Writes.zeros_view)
            if m.grad_of is not None and _defers_zeros(self, m, d):
                self._data = b.zeros_view(d.shape, d.dtype)  # type: ignore[misc]  # (checked)
                m.deferred = m.version + 1
            else:
                d[...] = False if d.dtype in b.cats[_BOOL_CAT] else 0
                wrote = True
            d = None
        else:
            m.deferred = m.version + 1
        _tape._inplace_count += 1  # (_tape.bump_version(self), inline)
        m.version += 1
        if wrote:
            _tape.note_write(self)
        m.zeroed = m.version  # (backward then adopts a gradient rather than adding it to zeros)
        m.zeroed_at = _tape._inplace_count
        return self
    _inplace.check_inplace(self, "zero_")  # (refused under this name, not fill_'s)
    return fill_(self, 0)


_GRAD_MODE = _config.GRAD_ENABLED
_DIV_INPLACE = _inplace_method("div_", "divide")
_BOOL_CAT = dt.CATEGORY_NAMES.index("boolean")
_REAL_FLOAT_CAT = dt.CATEGORY_NAMES.index("real floating-point")
_NUMERIC_CAT = dt.CATEGORY_NAMES.index("numeric")


def _defers_zeros(t: Tensor, m: Any, d: Any) -> bool:
    """Whether ``zero_()`` may leave ``t``'s zeros unwritten (``Writes.zeros_view``): ``t``
    is a leaf's current ``.grad``, large, and nothing but that leaf holds ``t`` or its data.
    Its next reader (``w.grad``, backward) then finds the zeros or replaces them: the
    tutorials' ``w.grad.zero_()`` before backward costs no pass over memory."""
    b = t._backend
    leaf = m.grad_of()  # (not None: zero_() checked)
    return (
        b.zeros_view is not None
        and d.nbytes >= _tape.DEFER_ZEROS_BYTES
        and leaf is not None
        and leaf.grad is t
        and (d.dtype in b.cats[_NUMERIC_CAT] or d.dtype in b.cats[_BOOL_CAT])
        # memory of its own (not a view of other memory, as `w.grad.data = bucket[:n]` makes
        # it, which must see the zeros)
        and b.owns_data is not None
        and b.owns_data(d)
        # (the leaf's reference, zero_()'s and this function's: only_held_by's count)
        and _tape.only_held_by(t, 3)
        # (t's reference, zero_()'s local and this function's)
        and _tape.only_held_by(d, 3)
    )


def fill_(self: Tensor, value: Any) -> Tensor:
    """Fill with ``value`` in place.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2); _ = x.fill_(3.0); x
    tensor([3., 3.], backend='numpy')
    """

    if isinstance(value, TensorBase) and _in_graph(value):
        # (a value that requires grad gets its gradient, the sum of the filled elements', as
        # PyTorch's: copy_ of it, which broadcasts it)
        if value.size != 1:
            raise ValueError(
                f"fill_() takes a number or a tensor of one element; got a tensor of shape "
                f"{tuple(value.shape)}: index one element of it, or use copy_() to copy it"
            )
        return copy_(self, reshape(value, ()))
    if isinstance(value, TensorBase):  # (cast as it is, as PyTorch's: 1e39 in float64 -> inf)
        v = (value if value.dtype is self.dtype else astype(value, self.dtype)).item()
    else:
        v = value
    if (
        not isinstance(value, TensorBase)  # (a tensor's value casts as it is, as PyTorch's)
        and isinstance(v, (int, float, complex))
        and not isinstance(v, bool)
        and self.dtype in dt.FINFO
    ):
        check_float_fits("fill_", v, self.dtype)  # (1e40 into float32: PyTorch refuses it too)
    graph = _in_graph(self)
    try:
        # (in a graph, the node keeps the value: one element broadcast, no memory)
        filled = (
            broadcast_to(full((), v, dtype=self.dtype, device=self.device), tuple(self.shape))
            if graph
            else full_like(self, v, dtype=self.dtype)
        )
    except OverflowError as e:  # (a Python int the dtype cannot hold)
        raise ValueError(f"fill_(): {v!r} does not fit {self.dtype.name}: {e}") from None
    if graph:
        return _overwrite(self, filled, "fill_")
    return assign_inplace(self, filled, "fill_")


def _fill_drawn(self: Tensor, values: Tensor, name: str) -> Tensor:
    """Overwrite ``self`` in place with drawn ``values`` (its shape; cast to its dtype), as
    ``fill_`` overwrites: in a graph ``self`` keeps its history at a zero gradient, and a leaf
    that requires grad is refused outside ``no_grad()``, as PyTorch refuses it."""
    if values.dtype is not self.dtype:
        values = astype(values, self.dtype)
    if _in_graph(self):
        return _overwrite(self, values, name)
    return assign_inplace(self, values, name)


def _floating_self(self: Tensor, name: str) -> None:
    if self.dtype.kind != "real floating":
        raise TypeError(
            f"{name}() fills real floating-point tensors; this one is {self.dtype.name}: use "
            f"random_() for integers, or make the tensor with dtype=pt.float32"
        )


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with normal random numbers of mean ``mean`` and standard deviation ``std``, in
    place (``pt.randn``'s stream, so the same on every backend).

    Examples
    --------
    >>> import polytensor as pt
    >>> w = pt.empty(2, 3).normal_(0, 0.01)
    >>> w.shape
    (2, 3)
    """
    _floating_self(self, "normal_")
    m = _random._number("normal_", "mean", mean)
    s = _random._number("normal_", "std", std)
    if not s >= 0:
        raise RuntimeError(f"normal_() expects std >= 0.0; got std={std!r}")
    z = _random._like_draw("normal_", self, "normal", (), self.dtype, generator)
    return _fill_drawn(self, z * s + m if (s, m) != (1.0, 0.0) else z, "normal_")


def uniform_(
    self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Any = None, **kw: Any
) -> Tensor:
    """Fill with uniform random numbers in ``[from, to)``, in place (PyTorch spells the first
    bound ``from``: ``x.uniform_(-0.1, 0.1)`` or ``x.uniform_(**{'from': -0.1})``).

    Examples
    --------
    >>> import polytensor as pt
    >>> w = pt.empty(100).uniform_(-0.5, 0.5)
    >>> bool(((w >= -0.5) & (w < 0.5)).all())
    True
    """
    if kw:
        if set(kw) != {"from"}:
            raise TypeError(f"uniform_() got unexpected keyword arguments {sorted(kw)}")
        from_ = kw["from"]
    _floating_self(self, "uniform_")
    a = _random._number("uniform_", "from", from_)
    b = _random._number("uniform_", "to", to)
    if not a <= b:
        raise RuntimeError(f"uniform_() expects from <= to; got from={from_!r}, to={to!r}")
    top = float(self._backend.xp.finfo(self._data.dtype).max)
    if not (-top <= a and b <= top and b - a <= top):  # (inf and NaN too)
        raise RuntimeError(
            f"uniform_() expects finite bounds whose difference fits {self.dtype.name} "
            f"(at most {top:g}); got from={from_!r}, to={to!r}"
        )
    u = _random._like_draw("uniform_", self, "uniform", (), self.dtype, generator)
    return _fill_drawn(self, u * (b - a) + a if (a, b) != (0.0, 1.0) else u, "uniform_")


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with exponential random numbers of rate ``lambd`` (mean ``1 / lambd``), in place.

    Examples
    --------
    >>> import polytensor as pt
    >>> bool((pt.empty(100).exponential_(2.0) >= 0).all())
    True
    """
    _floating_self(self, "exponential_")
    rate = _random._number("exponential_", "lambd", lambd)
    if not rate > 0:
        raise RuntimeError(f"exponential_() expects lambd > 0; got lambd={lambd!r}")
    u = _random._like_draw("exponential_", self, "uniform", (), dt.float64, generator)
    return _fill_drawn(self, -elementwise.log1p(-u) / rate, "exponential_")


_RANDOM_TOP = {"float16": 2**11, "float32": 2**24, "float64": 2**53}
_NOT_GIVEN: Any = object()


def random_(
    self: Tensor,
    from_: int | None = None,
    to: int | None = _NOT_GIVEN,
    *,
    generator: Any = None,
    **kw: Any,
) -> Tensor:
    """Fill with random integers in place, as PyTorch's: ``random_(to)`` draws from
    ``[0, to)``, ``random_(from, to)`` from ``[from, to)``, ``random_(from, None)`` from
    ``from`` up to the largest value the dtype holds, and ``random_()`` from ``[0, 2**mantissa]``
    for a floating dtype (every integer exact) or ``[0, max]`` for an integer one (``[0, 1]``
    for bool; uint64's up to ``2**63 - 1``: the numbers are drawn as int64). Bounds the dtype
    cannot hold are refused.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(5, dtype=pt.int64).random_(0, 3)
    >>> all(0 <= v < 3 for v in x.tolist())
    True
    """
    if kw:
        if set(kw) != {"from"}:
            raise TypeError(f"random_() got unexpected keyword arguments {sorted(kw)}")
        from_ = kw["from"]
    for v in (from_, to):
        if (
            v is not None
            and v is not _NOT_GIVEN
            and (isinstance(v, bool) or not isinstance(v, int))
        ):
            raise TypeError(f"random_() expects int bounds; got {v!r}")
    name = self.dtype.name
    if name == "bool":
        least, most = 0, 1
    elif name in _RANDOM_TOP:
        least, most = -_RANDOM_TOP[name], _RANDOM_TOP[name]
    elif self.dtype.kind in ("signed integer", "unsigned integer"):
        info = self._backend.xp.iinfo(self._data.dtype)
        least, most = int(info.min), int(info.max)
    else:
        raise TypeError(f"random_() fills real or boolean tensors; this one is {name}")
    if to is _NOT_GIVEN:
        if from_ is None:  # random_(): [0, the top] (uint64's: int64's top, what is drawn)
            lo, hi = 0, min(most, 2**63 - 1) + 1
        else:  # random_(to)
            lo, hi = 0, from_
    elif from_ is None:
        raise TypeError("random_() takes random_(to) or random_(from, to); got from=None")
    else:
        lo, hi = from_, (most + 1 if to is None else to)
    if hi <= lo:
        raise RuntimeError(f"random_() expects from < to; got from={lo}, to={hi}")
    if lo < least or hi - 1 > most:
        raise RuntimeError(
            f"random_(): the range [{lo}, {hi}) does not fit {name}, which holds {least} to "
            f"{most} here; narrow the range or use a wider dtype"
        )
    if hi > 2**63:
        raise RuntimeError(
            f"random_() draws 64-bit signed integers; the range [{lo}, {hi}) goes past "
            f"2**63 - 1: narrow it"
        )
    r = _random._like_draw("random_", self, "integers", (lo, hi), dt.int64, generator)
    return _fill_drawn(self, r, "random_")


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 0 or 1, 1 with probability ``p`` (a number, or a tensor of probabilities
    that broadcasts to this one), in place.

    Examples
    --------
    >>> import polytensor as pt
    >>> sorted(set(pt.empty(50).bernoulli_(0.5).tolist()))
    [0.0, 1.0]
    """
    return _fill_drawn(
        self, _random._bernoulli_values("bernoulli_", self, p, generator), "bernoulli_"
    )


def bernoulli_method(self: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """``pt.bernoulli(self, p)``: 0 or 1 with the probabilities this tensor holds.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.tensor([0.0, 1.0]).bernoulli().tolist()
    [0.0, 1.0]
    """
    return _random.bernoulli(self, p, generator=generator)


def multinomial_method(
    self: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None
) -> Tensor:
    """``pt.multinomial(self, num_samples, replacement)``: category indices drawn with the
    weights this tensor holds.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.tensor([0.0, 1.0]).multinomial(3, replacement=True).tolist()
    [1, 1, 1]
    """
    return _random.multinomial(self, num_samples, replacement, generator=generator)


def repeat_interleave_method(
    self: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """``pt.repeat_interleave(self, repeats, dim)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.tensor([1, 2]).repeat_interleave(3).tolist()
    [1, 1, 1, 2, 2, 2]
    """
    return _pytorch.repeat_interleave(self, repeats, dim, output_size=output_size)


def _in_graph(t: TensorBase) -> bool:
    return _tape.requires_grad(t) and _config.GRAD_ENABLED.get()


def _overwrite(self: Tensor, new: Tensor, name: str) -> Tensor:
    """Overwrite ``self``, a tensor in a graph, with ``new`` (of its shape, dtype and backend)
    in place, keeping ``self`` in the graph at a zero gradient, as PyTorch's ``fill_`` and
    ``copy_`` keep the tensor's history: what made ``self`` then gets zeros, not the gradient
    of the old value, and ``new`` gets the gradient. ``where`` with a condition that is one
    ``True`` broadcast (no memory) rather than ``new + self * 0``: an infinite or NaN element
    of ``self`` leaves no NaN in the value.

    As every recorded in-place change, ``self`` is rebound to the result: a node that saved
    its old value keeps it, and so do tensors that share its old memory (its ``detach()``,
    ``pt.reshape`` of it: writing that memory would change them while their graphs still say
    how the old value was made)."""
    return assign_inplace(self, searching.where(_all_true(self), new, self), name)


def _all_true(t: Tensor) -> Tensor:
    """``True`` of ``t``'s shape on its device: one element broadcast (no memory)."""
    return broadcast_to(full((), True, dtype=dt.bool, device=t.device), tuple(t.shape))


def copy_(self: Tensor, src: Tensor) -> Tensor:
    """Copy ``src`` (broadcast, cast, moved to this tensor's backend) into this tensor.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2); _ = x.copy_(pt.asarray([1.0, 2.0])); x
    tensor([1., 2.], backend='numpy')
    """

    if not isinstance(src, TensorBase):
        raise TypeError(f"copy_() expects a tensor; got {type(src).__name__}")
    if src._backend.name != self._backend.name:  # another library (options aside)
        src = src.to(self._backend.name)
    if self._backend.multi_device and src.device != self.device:
        src = src.to_device(self.device)  # as PyTorch's copy_, across devices
    if src.dtype is not self.dtype:
        src = astype(src, self.dtype)
    if tuple(src.shape) != tuple(self.shape):
        try:
            fits = broadcast_shapes(tuple(src.shape), tuple(self.shape)) == tuple(self.shape)
        except ValueError:
            fits = False
        if not fits:
            raise BroadcastError(
                f"copy_(): the source of shape {tuple(src.shape)} does not broadcast to the "
                f"tensor's shape {tuple(self.shape)}; give a source of that shape, or one that "
                f"broadcasts to it"
            )
        src = broadcast_to(src, tuple(self.shape))
    if _in_graph(self):
        return _overwrite(self, src, "copy_")
    # (a copy in memory of its own, recorded when src is in a graph: this tensor, rebound to
    # it then, must not share src's memory, or a later write into one would change the other)
    return assign_inplace(self, _copy(src), "copy_")


def _new_like(name: str) -> Callable[..., Tensor]:
    def method(
        self: Tensor,
        *size: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        **kw: Any,
    ) -> Tensor:
        shape = _shape_args(name, size)
        fn = {"new_ones": creation.ones, "new_zeros": creation.zeros, "new_empty": creation.empty}[
            name
        ]
        return fn(
            shape,
            dtype=self.dtype if dtype is None else dtype,
            device=self.device if device is None else device,
            requires_grad=requires_grad,
        )

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"PyTorch's ``x.{name}(*size)``: a new tensor with this one's dtype and "
        f"device.\n\nExamples\n--------\n>>> import polytensor as pt\n"
        f">>> pt.ones(2, dtype=pt.float64).{name}(3).dtype\npolytensor.float64\n"
    )
    return method


def new_full(
    self: Tensor,
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A new tensor of ``size`` filled with ``fill_value``, with this tensor's dtype/device.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(1).new_full((2,), 7.0)
    tensor([7., 7.], backend='numpy')
    """

    return full(
        _shape_args("new_full", (size,)),
        fill_value,
        dtype=self.dtype if dtype is None else dtype,
        device=self.device if device is None else device,
        requires_grad=requires_grad,
    )


def new_tensor(
    self: Tensor, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A new tensor from ``data``, with this tensor's dtype and device by default.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(1, dtype=pt.float64).new_tensor([1, 2]).dtype
    polytensor.float64
    """

    return tensor(
        data,
        dtype=self.dtype if dtype is None else dtype,
        device=self.device if device is None else device,
        requires_grad=requires_grad,
    )


def new(self: Tensor, *args: Any, device: Any = None) -> Tensor:
    """PyTorch's legacy ``x.new(...)``, with this tensor's dtype and device: ``x.new(2, 3)`` or
    ``x.new(pt.Size([2, 3]))`` a tensor of that shape (zeros: PyTorch leaves it
    uninitialised), ``x.new([1, 2])`` a tensor of that data, ``x.new()`` an empty one.
    ``x.new_zeros``, ``x.new_tensor`` and ``x.new_empty`` say which is meant.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(1, dtype=pt.float64)
    >>> x.new(2, 3).shape, x.new([1, 2]).tolist(), x.new().shape
    ((2, 3), [1.0, 2.0], (0,))
    """
    from ._shapes import Size

    dev = self.device if device is None else device
    if len(args) == 1 and isinstance(args[0], TensorBase):
        raise TypeError(
            "new() of a tensor: pass its data with x.new_tensor(t), or t.to(x.dtype) to convert it"
        )
    if len(args) == 1 and isinstance(args[0], (list, tuple)) and not isinstance(args[0], Size):
        return tensor(args[0], dtype=self.dtype, device=dev)
    shape = _shape_args("new", args) if args else (0,)
    return creation.zeros(shape, dtype=self.dtype, device=dev)


def norm(self: Tensor, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Vector norm over ``dim`` (all elements by default), PyTorch's ``x.norm(p, dim)``;
    ``p='fro'`` is the 2-norm of all elements. ``p`` infinite over an empty dimension raises
    ``RuntimeError``, as PyTorch's (a max or min of nothing).

    Examples
    --------
    >>> import polytensor as pt
    >>> float(pt.asarray([3.0, 4.0]).norm())
    5.0
    """

    # (dim=() or []: every dimension, as PyTorch's)
    dims = (
        None
        if dim is None or (isinstance(dim, (tuple, list)) and not dim)
        else _norm_dims(dim, self.ndim)
    )
    if self.ndim == 0:
        dims = None  # (dim 0 or -1 of a 0-d tensor: its one element)
    check_extreme_norm("norm", tuple(self.shape), p, dims)
    if p == "fro":
        p = 2
    if p == "nuc":
        if dims is None:
            dims = tuple(range(self.ndim))
        if len(dims) != 2:
            raise ValueError(
                f"norm(p='nuc') is a norm of matrices: it needs dim= of two dimensions (or a "
                f"2-D tensor); got dim={dim!r} for a {self.ndim}-D tensor; pass dim=(i, j)"
            )
        # the two dims last, the norm of each matrix, and keepdim's 1s back where they were
        rest = tuple(i for i in range(self.ndim) if i not in dims)
        y = matrix_norm(permute_dims(self, (*rest, *dims)), ord="nuc")
        if keepdim:
            y = reshape(y, tuple(1 if i in dims else s for i, s in enumerate(self.shape)))
        return y  # type: ignore[no-any-return]
    return vector_norm(self, axis=dims, keepdims=keepdim, ord=p)  # type: ignore[no-any-return]


def _norm_dims(dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` of ``norm()`` as a tuple of distinct dims in ``[0, ndim)``: IndexError for one
    out of range, as PyTorch."""
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    out = []
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, int):
            raise TypeError(f"norm() expects dim= as an int or a tuple of ints; got {dim!r}")
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(
                f"norm() got dim={d}, out of range for a {ndim}-D tensor (expected a dim in "
                f"[{-max(ndim, 1)}, {max(ndim, 1) - 1}])"
            )
        d = d % ndim if ndim else 0
        if d in out:
            raise ValueError(f"norm() got dim {d} more than once in dim={dim!r}; list it once")
        out.append(d)
    return tuple(out)


def mm(self: Tensor, other: Tensor) -> Tensor:
    """Matrix product of two 2-D tensors.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 3).mm(pt.ones(3, 4)).shape
    (2, 4)
    """
    if (
        isinstance(other, TensorBase)
        and self._data.ndim == 2
        and other._data.ndim == 2
        and self._data.dtype == other._data.dtype
    ):
        return matmul(self, other)  # (checked on the arrays: no property calls)
    _tensor_arg("mm", "mat2", other)
    if self.ndim != 2 or getattr(other, "ndim", 0) != 2:
        raise RuntimeError(
            f"mm() expects two 2-D tensors; got {self.ndim}-D and "
            f"{getattr(other, 'ndim', type(other).__name__)}-D; use matmul"
        )
    # Note: PyTorch's mm, mv and dot take one dtype (the standard's matmul promotes)
    dt.check_same_dtype("mm()", ("input", self.dtype), ("mat2", other.dtype))
    return matmul(self, other)


def mv(self: Tensor, vec: Tensor) -> Tensor:
    """Matrix-vector product.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 3).mv(pt.ones(3)).shape
    (2,)
    """
    _tensor_arg("mv", "vec", vec)
    if self.ndim != 2 or getattr(vec, "ndim", 0) != 1:
        raise RuntimeError("mv() expects a 2-D tensor and a 1-D tensor; use matmul otherwise")
    dt.check_same_dtype("mv()", ("input", self.dtype), ("vec", vec.dtype))
    return matmul(self, vec)


def dot(self: Tensor, other: Tensor) -> Tensor:
    """Dot product of two 1-D tensors.

    Examples
    --------
    >>> import polytensor as pt
    >>> float(pt.asarray([1.0, 2.0]).dot(pt.asarray([3.0, 4.0])))
    11.0
    """
    _tensor_arg("dot", "other", other)
    if self.ndim != 1 or getattr(other, "ndim", 0) != 1:
        raise RuntimeError("dot() expects two 1-D tensors; use matmul or vecdot otherwise")
    dt.check_same_dtype("dot()", ("input", self.dtype), ("other", other.dtype))
    return matmul(self, other)


def numel(self: Tensor) -> int:
    """Number of elements (the standard's ``x.size``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 3).numel()
    6
    """
    size = self.size
    if size is None:
        raise RuntimeError(
            "numel() of a tensor with an unknown (lazy) dimension; call pt.compute(x) first"
        )
    return size


def dim(self: Tensor) -> int:
    """Number of dimensions (``x.ndim``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 3).dim()
    2
    """
    return self.ndim


def cpu(self: Tensor) -> Tensor:
    """This tensor in host memory: PyTorch's "cpu", the current backend when it is a CPU one
    (NumPy, Dask, array-api-strict), else the NumPy backend.

    Examples
    --------
    >>> import polytensor as pt
    >>> str(pt.ones(1).cpu().device)
    'numpy:cpu'
    """
    return self.to("cpu")


def cuda(self: Tensor, device: Any = None) -> Tensor:
    """This tensor on the CuPy backend (``cuda:N``).

    Examples
    --------
    >>> import polytensor as pt
    >>> hasattr(pt.ones(1), "cuda")
    True
    """
    from .backends import BackendUnavailable

    try:
        return self.to("cuda" if device is None else f"cuda:{device}")
    except BackendUnavailable as e:
        raise BackendUnavailable(f"cuda(): {e}") from e


def is_contiguous(self: Tensor, memory_format: Any = None) -> bool:
    """Whether this tensor's elements lie in memory in C (row-major) order, one after another,
    as PyTorch's ``is_contiguous()``: False for a transpose or a strided slice of another
    tensor. On a backend without strides (Dask), whether NumPy's memory would be so laid out
    (a reshape of a tensor of its own, not a transpose).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, 3)
    >>> x.is_contiguous(), x.t().is_contiguous(), x.t().contiguous().is_contiguous()
    (True, False, True)
    """
    _pytorch.check_memory_format("is_contiguous", memory_format, preserve=False)
    b = self._backend
    if not b.mutable:
        return _contiguous_model(self)
    d = self._data
    if b.c_contiguous is not None:
        return b.c_contiguous(d)
    try:  # (without the hook: whether the library flattens it without a copy)
        b.xp.reshape(d, (-1,), copy=False)
    except Exception:  # noqa: BLE001 - the library's refusal: it would copy
        return False
    return True


def contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
    """This tensor if it ``is_contiguous()``, else a copy in C order (gradients flow back to
    the original), so that ``view`` then sees it with any shape, as in PyTorch:
    ``x.transpose(1, 2).contiguous().view(n, -1)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2); x.contiguous() is x
    True
    >>> pt.arange(6).view(2, 3).t().contiguous().view(-1)
    tensor([0, 3, 1, 4, 2, 5], backend='numpy')
    """
    _pytorch.check_memory_format("contiguous", memory_format, preserve=False)
    if is_contiguous(self):
        return self
    c = _copy(self)
    if not is_contiguous(c):  # (a library's copy that keeps the order, as NumPy's order="K":
        # flattened, which copies it in C order, and seen with the shape again)
        c = reshape(reshape(c, (-1,)), tuple(self.shape))
    return c


def type_as(self: Tensor, other: Tensor) -> Tensor:
    """This tensor cast to ``other``'s dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(1).type_as(pt.ones(1, dtype=pt.float64)).dtype
    polytensor.float64
    """
    return to(self, dtype=_tensor_arg("type_as", "other", other).dtype)


def astype_method(self: Tensor, dtype: Any, copy: bool = True) -> Tensor:
    """``pt.astype(self, dtype)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(1).astype(pt.int8).dtype
    polytensor.int8
    """

    return astype(self, dtype, copy=copy)


class TensorMethods:
    """PyTorch's ``Tensor`` methods and autograd attributes, each onto the standard's
    functions or ``polytensor.autograd``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, 3, requires_grad=True)
    >>> x.sum(dim=1).shape, x.requires_grad
    ((2,), True)
    """

    __slots__ = ()

    # -- autograd ------------------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether gradients are computed for this tensor."""
        return _tape.requires_grad(self)

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        _requires_grad_set(self, flag)  # type: ignore[arg-type]

    @property
    def grad(self) -> Tensor | None:
        """Accumulated gradient (None until backward); settable. Read on a tensor that is not a
        leaf and does not ``retain_grad()``, it is None with PyTorch's ``UserWarning``."""
        m = self._meta  # type: ignore[attr-defined]
        g = None if m is None else m.grad
        if g is None and m is not None and not m.retains_grad and not _is_leaf(self):  # type: ignore[arg-type]
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead.",
                UserWarning,
                stacklevel=2,
            )
        if g is not None and (gm := g._meta) is not None and gm.deferred == gm.version:
            settle_zeros(g, False)  # (zero_() left its zeros unwritten: write them now)
        return g

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        _grad_set(self, value)  # type: ignore[arg-type]

    @property
    def grad_fn(self) -> Any:
        """The node that made this tensor (None for leaves)."""
        return _grad_fn(self)  # type: ignore[arg-type]

    @property
    def is_leaf(self) -> bool:
        """True unless this tensor is a recorded op's output."""
        return _is_leaf(self)  # type: ignore[arg-type]

    @property
    def retains_grad(self) -> bool:
        """Whether ``retain_grad()`` was called on this tensor while it was not a leaf (on a
        leaf, whose ``.grad`` is always kept, it does nothing), as PyTorch's.

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.ones(2, requires_grad=True)
        >>> y = x * 2
        >>> y.retains_grad, (y.retain_grad(), y.retains_grad)[1], x.retains_grad
        (False, True, False)
        """
        m = self._meta  # type: ignore[attr-defined]
        return m is not None and m.retains_grad

    requires_grad_ = requires_grad_
    backward = backward
    detach = detach
    detach_ = detach_
    retain_grad = retain_grad
    register_hook = register_hook
    register_post_accumulate_grad_hook = register_post_accumulate_grad_hook
    to = to
    clone = clone

    # -- reductions ----------------------------------------------------------------------------
    sum = _reduction("sum")
    mean = _reduction("mean")
    prod = _reduction("prod")
    all = _reduction("all")
    any = _reduction("any")
    max = _minmax("max")
    min = _minmax("min")
    sort = sort_method
    topk = topk_method
    cumsum = _pytorch.cumsum
    cumprod = _pytorch.cumprod
    amax = _pytorch.amax
    amin = _pytorch.amin
    logsumexp = _pytorch.logsumexp
    softmax = _pytorch.softmax
    log_softmax = _pytorch.log_softmax
    argsort = argsort_method
    argmax = _arg("argmax")
    argmin = _arg("argmin")
    std = std
    var = var
    norm = norm

    # -- PyTorch's names for indexing, shapes and products ---------------------------------
    bmm = _pytorch.bmm
    outer = _pytorch.outer
    trace = _pytorch.trace
    masked_fill = _pytorch.masked_fill
    masked_fill_ = masked_fill_
    index_select = _pytorch.index_select
    gather = _pytorch.gather
    scatter = _pytorch.scatter
    scatter_ = scatter_
    scatter_add = _pytorch.scatter_add
    scatter_add_ = scatter_add_
    index_add = _pytorch.index_add
    index_add_ = index_add_
    narrow = _pytorch.narrow
    narrow_copy = _pytorch.narrow_copy
    select = _pytorch.select
    unbind = _pytorch.unbind
    rsqrt = _pytorch.rsqrt
    is_floating_point = _pytorch.is_floating_point
    expand_as = expand_as
    as_strided = as_strided
    reshape_as = reshape_as
    view_as = view_as
    ndimension = ndimension
    nelement = nelement
    tril = tril
    triu = triu
    tril_ = tril_
    triu_ = triu_
    nan_to_num = _pytorch_more.nan_to_num
    nan_to_num_ = nan_to_num_
    diag = _pytorch.diag
    lerp = _pytorch.lerp
    lerp_ = lerp_
    addcmul = _pytorch.addcmul
    addcmul_ = addcmul_
    addcdiv = _pytorch.addcdiv
    addcdiv_ = addcdiv_
    nonzero = nonzero_method
    masked_select = _pytorch.masked_select
    flip = flip
    roll = roll

    # -- element-wise functions ----------------------------------------------------------------
    abs = _unary_method("abs")
    exp = _unary_method("exp")
    log = _unary_method("log")
    sqrt = _unary_method("sqrt")
    sin = _unary_method("sin")
    cos = _unary_method("cos")
    tan = _unary_method("tan")
    tanh = _unary_method("tanh")
    sign = _unary_method("sign")
    floor = _unary_method("floor")
    ceil = _unary_method("ceil")
    round = round
    trunc = _unary_method("trunc")
    log1p = _unary_method("log1p")
    expm1 = _unary_method("expm1")
    log2 = _unary_method("log2")
    log10 = _unary_method("log10")
    square = _unary_method("square")
    reciprocal = _unary_method("reciprocal")
    isnan = _unary_method("isnan")
    isinf = _unary_method("isinf")
    isfinite = _unary_method("isfinite")
    logical_not = _unary_method("logical_not")
    asin = _unary_method("asin")
    acos = _unary_method("acos")
    atan = _unary_method("atan")
    sinh = _unary_method("sinh")
    cosh = _unary_method("cosh")
    asinh = _unary_method("asinh")
    acosh = _unary_method("acosh")
    atanh = _unary_method("atanh")
    neg = _unary_method("neg", "negative")
    sigmoid = _unary_method("sigmoid", "sigmoid")
    relu = _unary_method("relu", "relu")

    add = _binary_method("add", "add")
    sub = _binary_method("sub", "subtract")
    mul = _binary_method("mul", "multiply")
    div = div
    true_divide = _binary_method("true_divide", "divide")
    pow = _binary_method("pow", "pow")
    eq = _binary_method("eq", "equal")
    ne = _binary_method("ne", "not_equal")
    lt = _binary_method("lt", "less")
    le = _binary_method("le", "less_equal")
    gt = _binary_method("gt", "greater")
    ge = _binary_method("ge", "greater_equal")
    maximum = _binary_method("maximum", "maximum")
    minimum = _binary_method("minimum", "minimum")
    matmul = _binary_method("matmul", "matmul")
    remainder = _binary_method("remainder", "remainder")
    fmod = _pytorch.fmod
    logical_and = _binary_method("logical_and", "logical_and")
    logical_or = _binary_method("logical_or", "logical_or")
    mm = mm
    mv = mv
    dot = dot

    # -- in place ------------------------------------------------------------------------------
    add_ = _inplace_method("add_", "add")
    sub_ = _inplace_method("sub_", "subtract")
    mul_ = _inplace_method("mul_", "multiply")
    div_ = div_
    pow_ = _inplace_method("pow_", "pow")
    clamp = clamp
    clamp_ = clamp_
    clip = clamp
    clip_ = clamp_
    zero_ = zero_
    fill_ = fill_
    normal_ = normal_
    uniform_ = uniform_
    exponential_ = exponential_
    random_ = random_
    bernoulli_ = bernoulli_
    bernoulli = bernoulli_method
    repeat_interleave = repeat_interleave_method
    swapaxes = _pytorch.swapaxes
    swapdims = _pytorch.swapdims
    movedim = _pytorch.movedim
    moveaxis = _pytorch.movedim
    multinomial = multinomial_method
    copy_ = copy_

    # -- dtypes, shapes and devices ------------------------------------------------------------
    float = _cast_method("float", dt.float32)
    double = _cast_method("double", dt.float64)
    long = _cast_method("long", dt.int64)
    int = _cast_method("int", dt.int32)
    bool = _cast_method("bool", dt.bool)
    short = _cast_method("short", dt.int16)
    char = _cast_method("char", dt.int8)
    byte = _cast_method("byte", dt.uint8)
    astype = astype_method
    type_as = type_as
    new_ones = _new_like("new_ones")
    new_zeros = _new_like("new_zeros")
    new_empty = _new_like("new_empty")
    new_full = new_full
    new_tensor = new_tensor
    new = new
    reshape = reshape_method
    squeeze = squeeze_method
    repeat = repeat_method
    view = view
    flatten = flatten
    split = _split
    chunk = _chunk
    unsqueeze = unsqueeze
    permute = permute
    transpose = transpose
    t = t
    expand = expand
    numel = numel
    dim = dim
    cpu = cpu
    cuda = cuda
    contiguous = contiguous
    is_contiguous = is_contiguous
