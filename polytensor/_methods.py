"""PyTorch-style Tensor methods: each a rename or a few lines onto table ops or autograd."""

from __future__ import annotations

from typing import Any

from . import _dtypes as dt
from ._tensor import Tensor
from .autograd import _graph


def _requires_grad_get(self: Tensor) -> bool:
    return _graph.requires_grad(self)


def _requires_grad_set(self: Tensor, flag: bool) -> None:
    _graph.set_requires_grad(self, bool(flag))


def requires_grad_(self: Tensor, requires_grad: bool = True) -> Tensor:
    """Make this leaf require gradients (in place); returns self.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2).requires_grad_().requires_grad
    True
    """
    return _graph.set_requires_grad(self, bool(requires_grad))  # type: ignore[no-any-return]


def _grad_get(self: Tensor) -> Tensor | None:
    m = self._meta
    return None if m is None else m.grad


def _grad_set(self: Tensor, value: Tensor | None) -> None:
    if value is not None:
        if not isinstance(value, Tensor):
            raise TypeError(f"grad must be a Tensor or None; got {type(value).__name__}")
        if tuple(value.shape) != tuple(self.shape):
            raise ValueError(f"grad has shape {value.shape} but the tensor has {self.shape}")
    if self._meta is None:
        if value is None:
            return
        self._meta = _graph.Meta()
    self._meta.grad = value


def _grad_fn(self: Tensor) -> Any:
    m = self._meta
    return None if m is None else m.node


def _is_leaf(self: Tensor) -> bool:
    m = self._meta
    return m is None or m.node is None


def backward(self: Tensor, gradient: Tensor | None = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, requires_grad=True)
    >>> (2 * x).sum().backward()
    >>> x.grad
    tensor([2., 2.], backend='numpy')
    """
    from .autograd import backward as _b

    _b(self, gradient, retain_graph=retain_graph, create_graph=create_graph)


def detach(self: Tensor) -> Tensor:
    """A tensor sharing this one's data, outside the graph.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, requires_grad=True).detach().requires_grad
    False
    """
    return _graph._detached(self)  # type: ignore[no-any-return]


def detach_(self: Tensor) -> Tensor:
    """Take this tensor out of the graph, in place; returns self.

    Examples
    --------
    >>> import polytensor as pt
    >>> y = pt.ones(2, requires_grad=True) * 2
    >>> y.detach_().is_leaf
    True
    """
    m = self._meta
    if m is not None:
        m.node = None
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
    m.retains_grad = True


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
    if not _graph.requires_grad(self):
        raise RuntimeError("register_hook() on a tensor that does not require grad")
    m = self._meta
    if m.hooks is None:
        m.hooks = []
    m.hooks.append(hook)

    class _Handle:
        def remove(self_inner) -> None:  # noqa: N805
            if hook in m.hooks:
                m.hooks.remove(hook)

    return _Handle()


def to(self: Tensor, device_or_backend: Any = None, dtype: dt.DType | None = None) -> Tensor:
    """This tensor on another backend/device (``"dask"``, ``"cuda"``, a Device) and/or dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2).to(dtype=pt.float64).dtype
    polytensor.float64
    """
    x = self
    if isinstance(device_or_backend, dt.DType):
        device_or_backend, dtype = None, device_or_backend
    if device_or_backend is not None:
        x = x.to_device(device_or_backend)
    if dtype is not None and dtype is not x.dtype:
        from ._ops.data_types import astype

        x = astype(x, dtype)
    return x


def clone(self: Tensor) -> Tensor:
    """A copy with its own memory (gradients flow back to the original).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2)
    >>> y = x.clone(); y += 1
    >>> x
    tensor([1., 1.], backend='numpy')
    """
    from ._ops.manipulation import _copy

    return _copy(self)  # type: ignore[no-any-return]


def install() -> None:
    Tensor.requires_grad = property(_requires_grad_get, _requires_grad_set,  # type: ignore
                                    doc="Whether gradients are computed for this tensor.")
    Tensor.grad = property(_grad_get, _grad_set,  # type: ignore[attr-defined]
                           doc="Accumulated gradient (None until backward); settable.")
    Tensor.grad_fn = property(_grad_fn, doc="The node that made this tensor (None for leaves).")
    Tensor.is_leaf = property(_is_leaf, doc="True unless this tensor is a recorded op's output.")
    for fn in (requires_grad_, backward, detach, detach_, retain_grad, register_hook, to, clone):
        setattr(Tensor, fn.__name__, fn)
