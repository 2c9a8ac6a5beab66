"""PyTorch's in-place methods that change a tensor's own shape, ``TensorReshapeMethods`` (a
base of ``Tensor``): ``x.squeeze_()``, ``x.unsqueeze_(dim)``, ``x.t_()``,
``x.transpose_(dim0, dim1)``.

The tensor takes the data of its squeezed (or transposed) form: on NumPy, CuPy and
array-api-strict a view of the same memory, so writes through it still reach the memory, and
views taken of the tensor before keep viewing the memory as they did (as ``x.data = ...``
leaves them; on Dask, whose arrays are never written, such a view keeps its values but no
longer follows the tensor's later changes). In a graph the change is recorded like any
in-place change: the tensor's gradient flows back through the shape change, its version counts
the change, and a leaf that requires grad is refused, as in PyTorch; no value changes, so
nothing that saved the tensor's value is disturbed. A view (``x[0]``, ``x.t()``) changes its
own shape and stays a view of its base, as PyTorch's: its later changes in place reach the base,
and views taken of it before keep viewing what it was.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from . import _config, _inplace, _tape
from . import _tensor_base as _tb
from ._shapes import check_dim
from ._tensor_ops import Permuted, Squeezed, Unsqueezed
from ._view_layout import chain_layout

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["TensorReshapeMethods"]


def _reshaped_in_place(
    self: Tensor, name: str, make: Callable[[Any], Any], how: Callable[[Any], Any]
) -> Tensor:
    """Give ``self`` the shape of ``make(self)`` (a view of it), in place; ``how(self)``: the
    key of that view (``Squeezed``, ``Unsqueezed``, ``Permuted``), for a view ``self``."""
    _inplace.check_inplace(self, name)
    if self._write_back is not None:
        return _view_reshaped_in_place(self, make, how(self))
    view = make(_inplace.alias_before_inplace(self))
    # (its fields, read now: a view of this tensor would be taken again once it changes)
    r = object.__new__(_tb.TENSOR)
    r._data, r._backend, r._meta = view._data, view._backend, view._meta
    del view
    old = self._data
    self._data = r._data
    if _tape.requires_grad(r):
        _inplace.after_inplace(self, r)  # (a new node: the version counted there)
    else:
        _tape._inplace_count += 1
        _tape.bump_version(self, written=False)  # (rebound: no memory was written)
    # views taken before keep the data they view, as PyTorch's keep the storage (x.data = ...)
    if old is not r._data:
        m = self._meta
        if m is None:
            m = self._meta = _tape.Meta()
        # (an array type without weak references: views follow the new data)
        with contextlib.suppress(TypeError):
            m.swapped_out = (*m.swapped_out, weakref.ref(old))
    return self


def _view_reshaped_in_place(self: Any, make: Callable[[Any], Any], key: Any) -> Tensor:
    """``_reshaped_in_place`` of a view (``_tensor.View``): it stays a view of its base, as
    PyTorch's does, through one more view in its chain: a view as it was (a new ``View``
    with its fields: base, key, data, autograd state), and ``self`` becomes the view by ``key``
    of that one (its later changes in place reach the base through both). Views taken of
    ``self`` before view that one from then on (``_ShapeChanged``), as PyTorch's keep viewing
    the same memory."""
    from ._tensor import View, as_view

    token = _GRAD.set(False)
    try:
        make(self)  # (its checks of the arguments, and their errors)
    finally:
        _GRAD.reset(token)
    _ = self._meta  # (up to date: its data and node)
    was = object.__new__(View)
    for slot in (*View.__slots__, "_backend"):
        setattr(was, slot, getattr(self, slot))
    old = self._vdata
    token = _GRAD.set(self._recorded and _GRAD.get())
    try:
        t = key.take(was)
    finally:
        _GRAD.reset(token)
    fresh = as_view(t, was, key)
    for slot in View.__slots__:
        setattr(self, slot, getattr(fresh, slot))
    m = self._vmeta
    if m is None:
        m = self._vmeta = _tape.Meta()
    wm = was._vmeta
    m.version = (0 if wm is None else wm.version) + 1
    _tape._inplace_count += 1
    with contextlib.suppress(TypeError):  # (views of self taken before view ``was``)
        m.swapped_out = (*(() if wm is None else wm.swapped_out), _ShapeChanged(old, was))
    return cast("Tensor", self)


_GRAD = _config.GRAD_ENABLED


class _ShapeChanged(weakref.ref):  # type: ignore[type-arg]
    """A weak reference to the data of a view before it changed its own shape in place, with
    ``was``, the view as it was: a view of it taken before then views ``was``
    (``_tensor.View._refresh``), as PyTorch's views keep viewing the same memory."""

    __slots__ = ("was",)

    def __init__(self, data: Any, was: Any) -> None:  # (the reference: made by __new__)
        self.was = was

    def __new__(cls, data: Any, was: Any) -> _ShapeChanged:  # noqa: PYI034
        return super().__new__(cls, data)


def squeeze_(self: Tensor, dim: Any = None) -> Tensor:
    """In-place ``x.squeeze(dim)``: this tensor loses its dimensions of size 1 (all of them,
    or ``dim``, an int or a tuple, where they have size 1), and is returned.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2, 1, 3)
    >>> x.squeeze_().shape
    (2, 3)
    """
    return _reshaped_in_place(self, "squeeze_", lambda t: t.squeeze(dim), _squeezed(dim))


def unsqueeze_(self: Tensor, dim: int) -> Tensor:
    """In-place ``x.unsqueeze(dim)``: this tensor takes a dimension of size 1 at ``dim``, and
    is returned.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(3)
    >>> x.unsqueeze_(0).shape
    (1, 3)
    """
    return _reshaped_in_place(
        self, "unsqueeze_", lambda t: t.unsqueeze(dim), lambda t: Unsqueezed(dim % (t.ndim + 1))
    )


def t_(self: Tensor) -> Tensor:
    """In-place ``x.t()``: this tensor (of at most 2 dimensions) is transposed, and returned.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2, 3)
    >>> x.t_().shape
    (3, 2)
    """
    if self.ndim > 2:
        raise RuntimeError(
            f"t_() expects a tensor with <= 2 dimensions, but this one has {self.ndim}; use "
            f"transpose_(dim0, dim1)"
        )
    return _reshaped_in_place(self, "t_", lambda t: t.t(), _swapped(0, 1))


def transpose_(self: Tensor, dim0: int, dim1: int) -> Tensor:
    """In-place ``x.transpose(dim0, dim1)``: this tensor's dimensions ``dim0`` and ``dim1``
    are swapped, and it is returned.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2, 3, 4)
    >>> x.transpose_(0, 2).shape
    (4, 3, 2)
    """
    return _reshaped_in_place(
        self, "transpose_", lambda t: t.transpose(dim0, dim1), _swapped(dim0, dim1)
    )


def swapdims_(self: Tensor, dim0: int, dim1: int) -> Tensor:
    """In-place ``x.swapdims(dim0, dim1)`` (PyTorch's alias of ``transpose_``): this
    tensor's dimensions ``dim0`` and ``dim1`` are swapped.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2, 3)
    >>> x.swapdims_(0, 1).shape
    (3, 2)
    """
    return _reshaped_in_place(
        self, "swapdims_", lambda t: t.transpose(dim0, dim1), _swapped(dim0, dim1)
    )


def swapaxes_(self: Tensor, axis0: int, axis1: int) -> Tensor:
    """In-place ``x.swapaxes(axis0, axis1)``: ``swapdims_``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.zeros(2, 3).swapaxes_(0, 1).shape
    (3, 2)
    """
    return _reshaped_in_place(
        self, "swapaxes_", lambda t: t.transpose(axis0, axis1), _swapped(axis0, axis1)
    )


def _squeezed(dim: Any) -> Callable[[Any], Any]:
    """The key of ``t.squeeze(dim)`` (``make`` has checked ``dim``): its axes of length 1."""

    def how(t: Any) -> Any:
        shape = tuple(t.shape)
        if dim is None:
            axes: Any = range(len(shape))
        else:
            axes = dim if isinstance(dim, (tuple, list)) else (dim,)
        n = max(len(shape), 1)
        return Squeezed(tuple(sorted({a % n for a in axes if shape and shape[a % n] == 1})))

    return how


def _swapped(dim0: int, dim1: int) -> Callable[[Any], Any]:
    """The key of ``t.transpose(dim0, dim1)`` (checked by ``make``), ``t.t()`` of 2-d ``t``."""

    def how(t: Any) -> Any:
        axes = list(range(t.ndim))
        if t.ndim:
            a, b = dim0 % t.ndim, dim1 % t.ndim
            axes[a], axes[b] = axes[b], axes[a]
        return Permuted(tuple(axes))

    return how


def element_size(self: Tensor) -> int:
    """The bytes of one element, as PyTorch's ``x.element_size()`` (``x.itemsize``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, dtype=pt.float64).element_size(), pt.ones(2, dtype=pt.bool).element_size()
    (8, 1)
    """
    return max(self.dtype.bits // 8, 1)


def _in_private_view(x: Any) -> bool:
    """Whether ``x`` is, or views the memory of, a view that holds memory of its own
    (``_tensor.View``'s private views: ``x.conj()`` on NumPy): its strides are then told by
    its chain of views, as PyTorch's over the memory of the tensor below."""
    while x._write_back is not None:
        if x._taken >= 0:
            return True
        x = x._base
    return False


def _layout(self: Tensor) -> tuple[tuple[int, ...], int]:
    """``(strides, offset)`` in elements: the backend's; on a backend without strides (Dask's
    chunks, a library that hides its memory), PyTorch's for a view (``chain_layout``), else a
    C-contiguous array's of its own."""
    b = self._backend
    if b.layout is not None and not b.lazy and not _in_private_view(self):
        strides, offset = b.layout(self._data)
        dims = self._data.shape
        if 0 in strides:  # (NumPy's new axes step 0; PyTorch's step over the next dimension)
            fixed = list(strides)
            for i in range(len(fixed) - 1, -1, -1):
                if dims[i] == 1 and fixed[i] == 0:
                    fixed[i] = fixed[i + 1] * dims[i + 1] if i + 1 < len(fixed) else 1
            strides = tuple(fixed)
        return strides, offset
    if self._write_back is not None:
        found = chain_layout(self)
        if found is not None:
            return found[1][1], found[1][2]
    shape = tuple(self.shape)
    steps = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        steps[i] = steps[i + 1] * max(int(shape[i + 1] or 0), 1)
    return tuple(steps), 0


def stride(self: Tensor, dim: int | None = None) -> Any:
    """The steps, in elements, between neighbouring elements along each dimension, as
    PyTorch's ``x.stride()`` (a tuple; ``x.stride(dim)``: one int). On NumPy, CuPy and
    array-api-strict, the array's own; on backends without strides (Dask), PyTorch's for a
    view of a tensor (``x.t()``, ``x[1:, ::2]``), laid out in C order as PyTorch lays out a
    tensor of its own. (NumPy's reversed views step backwards: their strides are negative, where
    PyTorch's ``flip`` copies.)

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2, 3)
    >>> x.stride(), x.t().stride(), x.stride(-1)
    ((3, 1), (1, 3), 1)
    """
    strides = _layout(self)[0]
    if dim is None:
        return strides
    return strides[check_dim("stride", dim, self.ndim)] if self.ndim else 1


def storage_offset(self: Tensor) -> int:
    """The position, in elements, of this tensor's first element in the memory it views, as
    PyTorch's ``x.storage_offset()``: 0 for a tensor of its own memory; on backends without
    strides (Dask), PyTorch's for a view of a tensor, as ``stride()``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(3, 4)
    >>> x.storage_offset(), x[1, 2:].storage_offset()
    (0, 6)
    """
    return _layout(self)[1]


class TensorReshapeMethods:
    """PyTorch's in-place methods that change a tensor's own shape, and its layout's
    accessors (``x.stride()``, ``x.storage_offset()``, ``x.element_size()``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2, 3)
    >>> x.t_() is x, x.shape
    (True, (3, 2))
    """

    __slots__ = ()

    squeeze_ = squeeze_
    unsqueeze_ = unsqueeze_
    t_ = t_
    transpose_ = transpose_
    swapdims_ = swapdims_
    swapaxes_ = swapaxes_
    element_size = element_size
    stride = stride
    storage_offset = storage_offset
