"""Tensor's operators, taken from the op table: ``TensorOperators``, a base of ``Tensor``.

An operator is the op's function itself (``__neg__`` is ``negative``) or the operator form the
table builds with it (``__add__``: NotImplemented for operands it does not know, ``__radd__``:
reflected); the in-place forms (``__iadd__``) write into the tensor's memory when nothing is
recorded, and otherwise record the op and rebind the tensor (``polytensor._inplace``).
"""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import _config, _inplace, _tape
from . import _dtypes as dt
from . import _tensor_base as _tb
from ._checks import named_error
from ._dispatch import apply, common_backend
from ._ops import elementwise as E
from ._ops._index_key import bool_scalars, check_key
from ._ops._registry import OPS
from ._ops.creation import asarray, check_float_fits
from ._ops.data_types import astype
from ._ops.indexing import _getitem as _getitem_op
from ._ops.indexing import _plain, _Slot, fill_key, put, split_key
from ._ops.manipulation import expand_dims, moveaxis, permute_dims, reshape, squeeze
from ._pytorch import register_index_views
from ._pytorch_shapes import register_diagonal_view
from ._pytorch_split import register_unfold_view
from ._tensor_base import SUBCLASSES, TensorBase

__all__ = ["TensorOperators", "sub_scaled_"]

# An operator as mypy sees it: a callable returning a tensor.
_Operator = Callable[..., "Tensor"]

if TYPE_CHECKING:
    from ._tensor import Tensor

_NUMERIC = dt.CATEGORY_NAMES.index("numeric")
_BOOL = dt.CATEGORY_NAMES.index("boolean")
_REAL_FLOAT = dt.CATEGORY_NAMES.index("real floating-point")
_INT = dt.CATEGORY_NAMES.index("integer")
_GRAD = _config.GRAD_ENABLED
_T = TypeVar("_T")
_GETITEM = OPS["__getitem__"]
_PUT = OPS["_put"]
_RESHAPE = OPS["reshape"]
_PERMUTE = OPS["permute_dims"]
_FIRST_SLOT = _Slot(0)  # (the key of x[idx]: the first index tensor)


def _operator(name: str) -> Callable[..., Tensor]:
    """The operator form of the table's binary op ``name`` (``__add__`` for ``add``)."""
    return cast("_Operator", OPS[name].extra["dunder"])


def _reflected(name: str) -> Callable[..., Tensor]:
    """The reflected operator form of the table's binary op ``name`` (``__radd__``)."""
    return cast("_Operator", OPS[name].extra["rdunder"])


def _make_inplace(dunder: Any, name: str, op_name: str | None = None) -> Callable[..., Tensor]:
    def method(self: Any, other: Any, /) -> Any:
        if self._write_back is not None and _inplace.overlap_check is not None:
            _inplace.overlap_check(self, name)  # (before the write into memory below)
        b = self._backend
        writes = b.inplace
        if (
            writes is not None
            and op_name is not None
            # (a tensor outside any graph updated with one in a graph joins it: recorded; a
            # view, with grad mode on, is checked first: _inplace.check_inplace)
            and (
                not _GRAD.get()
                or (
                    _tape._edge(self) is None
                    and _tape._edge(other) is None
                    and (self._write_back is None or view_writes_freely(self))
                )
            )
            and (fn := writes.get(op_name)) is not None
        ):
            # Nothing to record: write the result straight into self's memory (NumPy's out=)
            d = self._data
            cls = other.__class__
            if cls is _tb.TENSOR or cls in SUBCLASSES:
                od = other._data
                # (shapes: NumPy raises below unless other broadcasts to self's shape)
                ok = other._backend is b and od.dtype is d.dtype
            else:
                od = other
                ok = (cls is float or cls is int) and cls in b.scalar_types[_NUMERIC].get(
                    d.dtype, ()
                )
            if ok and d.dtype in b.cats[_NUMERIC]:
                try:
                    fn(d, od, d)  # out=d
                except (ValueError, OverflowError):  # (does not broadcast, does not fit the
                    # dtype, or read-only): the path below says so, or writes deferred zeros
                    d = od = None  # (first: no local may hold the data, settle_zeros asks)
                else:
                    m = self._meta
                    if m is not None:  # _tape.bump_version(self), inline
                        _tape._inplace_count += 1
                        m.version += 1
                        _tape.note_write(self)
                    else:
                        # (no local may hold the data: bump_version asks who else does)
                        d = od = None
                        _tape.bump_version(self)
                    return self
        r = dunder(_inplace.alias_before_inplace(self), other)
        if r is NotImplemented:
            return r
        if r.dtype is not self.dtype:  # PyTorch's rule: cast within a kind (float64 -> float32)
            symbol = _inplace.SYMBOLS.get(name, name)
            dt.check_result_cast(r.dtype, self.dtype, name, f"x = x {symbol} y")
            r = astype(r, self.dtype)
        return _inplace.assign_inplace(self, r, name)

    method.__name__ = method.__qualname__ = name
    return method


def sub_scaled_(self: Any, alpha: Any, other: Any) -> Tensor:
    """``self -= alpha * other`` (an optimizer's update, ``alpha`` its learning rate): the two
    operators themselves, so the product and the in-place subtraction take their fast paths
    when nothing is recorded, and record what they record otherwise.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._tensor_ops import sub_scaled_
    >>> w = pt.asarray([1.0, 2.0])
    >>> sub_scaled_(w, 0.5, pt.asarray([2.0, 2.0]))
    tensor([0., 1.], backend='numpy')
    """
    result = self
    result -= alpha * other
    return cast("Tensor", result)


def _rmatmul_dunder(x2: Any, x1: Any, /) -> Any:
    return apply(OPS["matmul"], (x1, x2), None, True)


def _torch_steps(key: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """For a key that mixes integers (or 0-d integer tensors) with index tensors, PyTorch's
    order as two keys: the integers (and slices, None, ...) first, then the index tensors on
    what is left. NumPy counts those integers among the advanced indices, which moves the
    indexed dimensions to the front when a slice separates them (``x[0, :, idx]``: NumPy's
    (len(idx), n), PyTorch's (n, len(idx))). None: the key has no such mix."""
    ints = tensors = False
    for k in key:
        if k.__class__ is int:
            ints = True
        elif isinstance(k, TensorBase):
            if k.ndim == 0 and k.dtype.kind in ("signed integer", "unsigned integer"):
                ints = True
            else:
                tensors = True
    if not (ints and tensors):
        return None
    first: list[Any] = []
    second: list[Any] = []
    for k in key:
        if isinstance(k, TensorBase):
            if k.ndim == 0 and k.dtype.kind in ("signed integer", "unsigned integer"):
                first.append(operator.index(k))
            else:  # (a boolean mask spans as many dimensions as it has)
                first.extend([slice(None)] * (k.ndim if k.dtype.kind == "bool" else 1))
                second.append(k)
        elif k.__class__ is int:
            first.append(k)
        elif k is Ellipsis:
            first.append(k)
            second.append(k)
        else:  # a slice, or None (a new dimension of the first step's result)
            first.append(k)
            second.append(slice(None))
    return tuple(first), tuple(second)


def _lists_as_tensors(self: Any, key: Any) -> Any:
    """``key`` with each Python list in it (``x[[1, 0]]``, ``x[[0, 1], [1, 2]]``) made an index
    tensor on ``self``'s device, as PyTorch reads it (booleans a mask; an empty list no
    index). A ``range`` is read as the list of its integers (``y_hat[range(n), y]``, as
    PyTorch reads it). Anything else as it is."""
    if key.__class__ is range:
        return _list_index(self, list(key))
    if key.__class__ is list:
        if len(key) >= 32 or not any(  # (32 or more entries: one index, as PyTorch reads it)
            k.__class__ in (list, tuple, slice)
            or k is None
            or k is Ellipsis
            or isinstance(k, TensorBase)
            for k in key
        ):
            return _list_index(self, key)
        warnings.warn(  # (PyTorch's legacy reading, with its warning)
            "Using a non-tuple sequence for multidimensional indexing is deprecated; use "
            "x[tuple(seq)] instead of x[seq]",
            UserWarning,
            stacklevel=3,
        )
        key = tuple(key)
    if key.__class__ is tuple and any(
        k.__class__ is list or k.__class__ is range or _foreign_array(k) for k in key
    ):
        return tuple(
            _list_index(self, list(k))
            if k.__class__ is list or k.__class__ is range
            else asarray(k, device=self.device)
            if _foreign_array(k)
            else k
            for k in key
        )
    if _foreign_array(key):
        return asarray(key, device=self.device)
    return key


def _foreign_array(k: Any) -> bool:
    """Whether index ``k`` is another library's array of one or more dimensions (a NumPy
    array of indices or a mask: ``x[np.arange(3)]``), which PyTorch reads as an index tensor.
    (A 0-d one is an integer: ``_as_ints``.)"""
    return (
        not isinstance(k, TensorBase)
        and hasattr(k, "__array_interface__")
        and getattr(k, "ndim", 0) > 0
    )


def _list_index(self: Any, items: list[Any]) -> Any:
    if not items:
        return asarray(items, dtype=dt.int64, device=self.device)
    return asarray(items, device=self.device)


def _getitem(self: Any, key: Any, /) -> Tensor:
    c = key.__class__
    if (c is int or c is slice or c is tuple) and _as_view is not None:
        d = self._data
        if _plain(key, d.shape):  # x[0], x[:, 1], x[1:3]: a view, straight from the backend
            b = self._backend
            try:
                r = b.fns[_GETITEM.index](d, key)
            except Exception:  # noqa: BLE001 - the general path raises in its words
                r = None
            if r is not None:
                if r.__class__ is not b.array_type:
                    r = b.as_array(r)
                t = _new(_tb.TENSOR)
                t._data = r
                t._backend = b
                t._meta = None
                if self._meta is not None and _GRAD.get():
                    _tape.record_tensors(_GETITEM, (self,), (d,), {"key": key}, t)
                d = r = None
                return cast("Tensor", _as_view(t, self, key))
        d = None
    elif (c is _tb.TENSOR or c in SUBCLASSES) and (b := self._backend) is key._backend:
        # x[idx] (a batch of rows): one index tensor of integers, or x[mask] (masked_select)
        # a boolean mask of x's shape, on an eager backend, as the backend indexes (out of
        # range: the general path below raises in polytensor's words)
        kd = key._data
        if (
            not (b.lazy or b.multi_device)
            and kd.ndim
            and (
                kd.dtype in b.cats[_INT]
                or (kd.dtype in b.cats[_BOOL] and kd.shape == self._data.shape)
            )
        ):
            d = self._data
            try:
                r = b.fns[_GETITEM.index](d, kd) if d.__class__ is b.array_type and d.ndim else None
            except Exception:  # noqa: BLE001 - the general path raises in its words
                r = None
            if r is not None:
                if r.__class__ is not b.array_type:
                    r = b.as_array(r)
                t = _new(_tb.TENSOR)
                t._data = r
                t._backend = b
                t._meta = None
                if self._meta is not None and _GRAD.get():
                    _tape.record_tensors(_GETITEM, (self, key), (d, kd), {"key": _FIRST_SLOT}, t)
                return cast("Tensor", t)
            d = None
    if (
        key.__class__ is list
        or key.__class__ is tuple
        or key.__class__ is range
        or _foreign_array(key)
    ):
        key = _lists_as_tensors(self, key)
    if key.__class__ is tuple and (steps := _torch_steps(key)) is not None:
        return _getitem(_getitem(self, steps[0]), steps[1])  # (PyTorch's order)
    if _as_view is not None:
        if not _basic(key):
            key = _as_ints(key, self._backend)
        if _basic(key):
            # (slices inside their axes: the view's key is used again to write back)
            key = check_key(key, [], tuple(self.shape), "__getitem__")
            return cast("Tensor", _as_view(_getitem_op(self, key), self, key))
    return cast("Tensor", _getitem_op(self, key))


getitem_tensor = _getitem


class _WholeKey:
    """What the keys of views that are no index share: ``give(base, value)``, an untracked
    write-back, is ``base.copy_`` of ``back(base, value)``, the value in the base's shape."""

    __slots__ = ()

    def back(self, base: Any, value: Any) -> Any:  # pragma: no cover - each key defines it
        raise NotImplementedError

    def give(self, base: Any, value: Any) -> None:
        base.copy_(self.back(base, value))


class Reshaped(_WholeKey):
    """How a view of all of its base in another shape (``x.view(2, 3)``, ``x.reshape``,
    ``x.flatten``, ``x.unsqueeze``, ``x.squeeze``) is taken from the base and given back:
    the ``key`` of a ``_tensor.View`` that is no index."""

    __slots__ = ("shape",)

    def __init__(self, shape: tuple[Any, ...]) -> None:
        self.shape = shape

    def take(self, base: Any) -> Any:
        return reshape(base, self.shape)

    def back(self, base: Any, value: Any) -> Any:
        """``value``, of the view's shape, in ``base``'s (recorded as ``reshape``)."""
        shape = tuple(base.shape)
        t = quick_op(value, _RESHAPE, {"shape": shape, "copy": None})
        return reshape(value, shape) if t is None else t


class Permuted(_WholeKey):
    """How a view of all of its base with its axes permuted (``x.permute``, ``x.transpose``,
    ``x.t()``) is taken from the base and given back."""

    __slots__ = ("axes",)

    def __init__(self, axes: tuple[int, ...]) -> None:
        self.axes = axes

    def take(self, base: Any) -> Any:
        return permute_dims(base, self.axes)

    def back(self, base: Any, value: Any) -> Any:
        inverse = [0] * len(self.axes)
        for i, a in enumerate(self.axes):
            inverse[a] = i
        axes = tuple(inverse)
        t = quick_op(value, _PERMUTE, {"axes": axes})
        return permute_dims(value, axes) if t is None else t


class Unsqueezed(_WholeKey):
    """How ``x.unsqueeze(axis)`` is taken from its base and given back (a view in PyTorch
    whatever the base's layout; no length needed, so Dask's unknown lengths too)."""

    __slots__ = ("axis",)

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def take(self, base: Any) -> Any:
        return expand_dims(base, axis=self.axis)

    def back(self, base: Any, value: Any) -> Any:
        t = _unit_axes_back(base, value)
        return squeeze(value, (self.axis,)) if t is None else t


class Squeezed(_WholeKey):
    """How ``x.squeeze(dims)`` is taken from its base and given back (as ``Unsqueezed``)."""

    __slots__ = ("axes",)

    def __init__(self, axes: tuple[int, ...]) -> None:
        self.axes = axes

    def take(self, base: Any) -> Any:
        return squeeze(base, self.axes)

    def back(self, base: Any, value: Any) -> Any:
        t = _unit_axes_back(base, value)
        if t is not None:
            return t
        n = base.ndim
        return expand_dims(value, axis=tuple(sorted(a % n for a in self.axes)))


def _in_memory(t: Any, view: Any) -> Any:
    """``t``, a view key's result computed as a copy, holding ``view`` instead where the
    backend's hook gave one (the same values, in the base's memory; None: the copy stays)."""
    if view is not None:
        t._data = view
    return t


class Diagonal(_WholeKey):
    """How ``x.diagonal(offset, dim1, dim2)`` is taken from its base and given back: a view in
    PyTorch, so a change of it in place reaches the base (``x.diagonal().add_(1)``), and a
    change of the base shows in it. Where the backend has ``diagonal_view`` (NumPy) the view's
    data is a writable view of the base's memory."""

    __slots__ = ("dim1", "dim2", "offset")

    def __init__(self, offset: int, dim1: int, dim2: int) -> None:
        self.offset = offset
        self.dim1 = dim1
        self.dim2 = dim2

    def take(self, base: Any) -> Any:
        from ._ops import linalg

        moved = moveaxis(base, (self.dim1, self.dim2), (-2, -1))
        t = linalg.diagonal(moved, offset=self.offset)
        hook = base._backend.diagonal_view
        return _in_memory(t, hook and hook(base._data, self.offset, self.dim1, self.dim2))

    def back(self, base: Any, value: Any) -> Any:
        """``base`` with its diagonal replaced by ``value`` (``diagonal_scatter``, recorded)."""
        from ._pytorch_index import diagonal_scatter

        return diagonal_scatter(base, value, self.offset, self.dim1, self.dim2)


class Unfolded(_WholeKey):
    """How ``x.unfold(dimension, size, step)`` is taken from its base and given back: a view
    in PyTorch, so a change of it in place reaches the base, and a change of the base shows in
    it. Where the backend has ``unfold_view`` (NumPy) the view's data is a view of the base's
    memory. Windows that overlap (``step < size``) are read, not written: an element of the
    base is then several of theirs, and PyTorch's in-place arithmetic on them changes it once
    per window it is in, which polytensor does not reproduce; such a change is refused."""

    __slots__ = ("dim", "size", "step")

    def __init__(self, dim: int, size: int, step: int) -> None:
        self.dim = dim
        self.size = size
        self.step = step

    def take(self, base: Any) -> Any:
        from ._pytorch_split import unfold_copy

        t = unfold_copy(base, self.dim, self.size, self.step)
        hook = base._backend.unfold_view
        return _in_memory(t, hook and hook(base._data, self.dim, self.size, self.step))

    def back(self, base: Any, value: Any) -> Any:
        """``base`` with the windows' elements replaced by ``value``'s, recorded: a ``where``
        of the base and ``value`` laid out. Overlapping windows are refused (see above)."""
        from ._ops.creation import arange
        from ._ops.indexing import take
        from ._ops.searching import where

        d, size, step = self.dim, self.size, self.step
        if step < size:
            raise RuntimeError(
                f"x.unfold({d}, {size}, {step}) was changed in place, but its windows overlap "
                f"(step {step} < size {size}): an element of x is in several of them, and "
                f"which change it should take is not defined; change a copy "
                f"(x.unfold(...).clone()) or x itself"
            )
        moved = moveaxis(base, d, -1)  # (..., n)
        n = cast("int", moved.shape[-1])
        windows = (n - size) // step + 1
        if not size:
            return base
        pos = arange(n, device=base.device)
        last = E.minimum(E.floor_divide(pos, step), windows - 1)  # (the window p is in)
        inside = pos - last * step
        covered = E.less(inside, size)
        where_in = last * size + E.minimum(inside, size - 1)
        laid = moveaxis(value, d, -2)  # (..., windows, size)
        laid = reshape(laid, (*tuple(laid.shape[:-2]), windows * size))
        new = where(covered, take(laid, where_in, axis=-1), moved)
        return moveaxis(new, -1, d)


class Expanded(_WholeKey):
    """How ``x.expand(*sizes)`` (``x.expand_as``, PyTorch's ``broadcast_to``) is taken from its
    base and given back: a view in PyTorch. The dimensions it repeats (``repeated``: a length
    1 made longer, a new leading dimension longer than 1) step 0 through the base's memory, as
    PyTorch's do (where the backend has ``strided_view``: NumPy), so each of their elements is
    one of the base's: a change in place of the view itself that could write them with
    different values is refused, as PyTorch refuses it (``_view_layout.check_overlap``), while
    ``fill_`` and ``zero_`` write one value, and a change of a view of it that repeats nothing
    (``x.expand(3, 4)[:, 1]``) writes one copy, which reaches the base."""

    __slots__ = ("repeated", "shape")

    def __init__(self, shape: tuple[int, ...], base_shape: tuple[int, ...]) -> None:
        lead = len(shape) - len(base_shape)
        self.shape = shape
        self.repeated = tuple(
            i for i, n in enumerate(shape) if n != 1 and (i < lead or base_shape[i - lead] == 1)
        )

    def take(self, base: Any) -> Any:
        from ._ops.manipulation import broadcast_to

        b = base._backend
        hook = b.strided_view
        d = base._data
        view = None if hook is None else hook(d, self.shape, None, 0)  # (writable memory)
        if view.__class__ is b.array_type and (base._meta is None or not _GRAD.get()):
            t = _new(_tb.TENSOR)  # (nothing to record: the view is all there is)
            t._data = view
            t._backend = b
            t._meta = None
            return t
        t = broadcast_to(base, self.shape)
        if view is not None:
            t._data = view
        return t

    def back(self, base: Any, value: Any) -> Any:
        """``value`` in ``base``'s shape: where the view repeats, of each base element the
        copy that differs from the base (a change of a view of this view wrote that one), or
        the first (all the same: ``fill_``, or no change), recorded."""
        from ._ops import manipulation as M
        from ._ops.data_types import astype
        from ._ops.indexing import take_along_axis
        from ._ops.searching import argmax

        shape = tuple(base.shape)
        if not self.repeated:  # (new leading dimensions of length 1: a reshape)
            t = quick_op(value, _RESHAPE, {"shape": shape, "copy": None})
            return reshape(value, shape) if t is None else t
        old = M.broadcast_to(base, self.shape)
        same = E.equal(value, old)
        if value.dtype.kind in ("real floating", "complex floating"):
            same = E.logical_or(same, E.logical_and(E.isnan(value), E.isnan(old)))
        rep = self.repeated
        keep = tuple(i for i in range(len(self.shape)) if i not in rep)
        n = math.prod(self.shape[i] for i in rep)
        kept = tuple(self.shape[i] for i in keep)
        laid = reshape(permute_dims(value, rep + keep), (n, *kept))
        changed = reshape(permute_dims(E.logical_not(same), rep + keep), (n, *kept))
        first = argmax(astype(changed, dt.int8), axis=0, keepdims=True)
        return reshape(take_along_axis(laid, first, axis=0), shape)


class AsStrided(_WholeKey):
    """How ``x.as_strided(size, stride, storage_offset)`` is taken from the tensor whose memory
    it views (the first below ``x`` that is no view, laid out in C order: its *root*) and given
    back: the root's elements at ``offset + sum(i * stride)``, a view in PyTorch. Where the
    backend has ``strided_view`` (NumPy) its data is a view of the root's memory; elsewhere a
    gather, and a change in place is written back by a scatter. Elements that overlap
    (``overlaps``: two of them at one place of the root) are read, not written: a change of
    them in place is refused (``_view_layout.check_overlap``) but for ``fill_`` and ``zero_``
    of the view itself, which write one value."""

    __slots__ = ("offset", "overlaps", "size", "stride")

    def __init__(
        self, size: tuple[int, ...], stride: tuple[int, ...], offset: int, overlaps: bool
    ) -> None:
        self.size = size
        self.stride = stride
        self.offset = offset
        self.overlaps = overlaps

    def _places(self, root: Any) -> Any:
        """The positions in the root's memory of the view's elements, a 1-d int64 tensor."""
        from ._ops.creation import arange

        at = asarray(self.offset, dtype=dt.int64, device=root.device)
        n = len(self.size)
        for i, (length, step) in enumerate(zip(self.size, self.stride, strict=True)):
            shape = (1,) * i + (length,) + (1,) * (n - i - 1)
            at = at + reshape(arange(length, dtype=dt.int64, device=root.device) * step, shape)
        return reshape(at, (-1,))

    def take(self, base: Any) -> Any:
        from ._ops.indexing import take

        t = reshape(take(reshape(base, (-1,)), self._places(base), axis=0), self.size)
        hook = base._backend.strided_view
        return _in_memory(t, hook and hook(base._data, self.size, self.stride, self.offset))

    def back(self, base: Any, value: Any) -> Any:
        """``base`` with the view's elements replaced by ``value``'s, recorded: a ``where`` of
        the base and ``value`` laid out, each place of the base told the view's element there
        by its strides, the longest first (elements that overlap are refused before)."""
        from ._ops.creation import arange
        from ._ops.indexing import take
        from ._ops.searching import where

        flat = reshape(base, (-1,))
        if not math.prod(self.size):
            return base
        at = arange(cast("int", flat.shape[0]), dtype=dt.int64, device=base.device)
        rest = at - self.offset
        covered = E.greater_equal(rest, 0)
        element = at * 0  # (the view's element at each place, in C order)
        c_step = 1
        dims = []
        for n, step in reversed(tuple(zip(self.size, self.stride, strict=True))):
            if n > 1:
                dims.append((step, n, c_step))
            c_step *= n
        for step, n, c in sorted(dims, reverse=True):
            # (past the last: the rest then stays beyond the smaller strides' reach, uncovered)
            i = E.minimum(E.maximum(E.floor_divide(rest, step), 0), n - 1)
            rest = rest - i * step
            element = element + i * c
        covered = E.logical_and(covered, E.equal(rest, 0))
        new = where(covered, take(reshape(value, (-1,)), element, axis=0), flat)
        return reshape(new, tuple(base.shape))


class RealPart(_WholeKey):
    """How ``x.real`` (``pt.real(x)``) of a complex ``x`` is taken from it and given back: a
    view in PyTorch (and NumPy), so a change of it in place reaches ``x``'s real parts."""

    __slots__ = ()

    def take(self, base: Any) -> Any:
        return E.real(base)

    def back(self, base: Any, value: Any) -> Any:
        """``base`` with its real parts ``value``'s (recorded)."""
        return E.add(value, E.multiply(E.imag(base), 1j))


class ImagPart(_WholeKey):
    """How ``x.imag`` (``pt.imag(x)``) of a complex ``x`` is taken and given back, as
    ``RealPart``."""

    __slots__ = ()

    def take(self, base: Any) -> Any:
        return E.imag(base)

    def back(self, base: Any, value: Any) -> Any:
        """``base`` with its imaginary parts ``value``'s (recorded)."""
        return E.add(E.real(base), E.multiply(value, 1j))


class Conjugated(_WholeKey):
    """How ``x.conj()`` (``pt.conj(x)``, and ``x.mH``, ``x.H``, ``x.adjoint()`` after their
    transpose) of a complex ``x`` is taken from it and given back: a view in PyTorch (its
    conjugate bit), so a change of it in place reaches ``x`` conjugated. Its data holds the
    conjugated values, memory of its own on a backend of mutable arrays: a write into it is
    given back through ``give`` (``_tensor.View``'s private views), as on Dask."""

    __slots__ = ()

    def take(self, base: Any) -> Any:
        return E.conj(base)

    def back(self, base: Any, value: Any) -> Any:
        """``value`` conjugated: the base's values (recorded)."""
        return E.conj(value)


class AsReal(_WholeKey):
    """How ``pt.view_as_real(x)`` of a complex ``x`` is taken from it and given back: its real
    and imaginary parts along a new last dimension of length 2, a view in PyTorch. Where the
    backend's arrays reinterpret their bits in place (NumPy, CuPy), the view's data is a view
    of ``x``'s memory; elsewhere (array-api-strict) memory of its own, given back as
    ``Conjugated``'s; on Dask, as every view there."""

    __slots__ = ()

    def take(self, base: Any) -> Any:
        from ._ops.manipulation import stack

        t = stack((E.real(base), E.imag(base)), axis=-1)
        b = base._backend
        if b.capabilities.bit_views and b.memory_root is not None:
            d = base._data
            try:  # (a last axis of length 1 is contiguous whatever the strides: NumPy's rule)
                view = d[..., None].view(b.to_native[t.dtype])
            except (TypeError, ValueError):
                view = None
            if view is not None and view.shape == t._data.shape:
                t._data = view
        return t

    def back(self, base: Any, value: Any) -> Any:
        """``value``'s two parts as the complex base (recorded)."""
        re, im = _getitem_op(value, (Ellipsis, 0)), _getitem_op(value, (Ellipsis, 1))
        return E.add(re, E.multiply(im, 1j))


class AsComplex(_WholeKey):
    """How ``pt.view_as_complex(x)`` of a real ``x`` whose last dimension is 2 is taken from
    it and given back, as ``AsReal`` the other way."""

    __slots__ = ()

    def take(self, base: Any) -> Any:
        re, im = _getitem_op(base, (Ellipsis, 0)), _getitem_op(base, (Ellipsis, 1))
        t = E.add(re, E.multiply(im, 1j))
        b = base._backend
        if b.capabilities.bit_views and b.memory_root is not None:
            d = base._data
            try:  # (NumPy's own check of the last axis; the caller checked PyTorch's)
                view = d.view(b.to_native[t.dtype])[..., 0]
            except (TypeError, ValueError):
                view = None
            if view is not None and view.shape == t._data.shape:
                t._data = view
        return t

    def back(self, base: Any, value: Any) -> Any:
        """``value``'s real and imaginary parts along a last dimension (recorded)."""
        from ._ops.manipulation import stack

        return stack((E.real(value), E.imag(value)), axis=-1)


WHOLE = (
    Reshaped,
    Permuted,
    Unsqueezed,
    Squeezed,
    Diagonal,
    Unfolded,
    Expanded,
    AsStrided,
    RealPart,
    ImagPart,
    Conjugated,
    AsReal,
    AsComplex,
)
# (the keys whose views may hold memory of their own on a backend of mutable arrays:
# _tensor.View's private views)
PRIVATE = (Conjugated, AsReal, AsComplex)


def key_view(x: Any, key: _WholeKey) -> Tensor:
    """``key.take(x)`` as a view of ``x`` by ``key``, whether or not it shares ``x``'s memory
    (a private view where not: ``_tensor.View``); ``x``'s arguments checked by the caller.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._tensor_ops import Conjugated, key_view
    >>> x = pt.asarray([1 + 2j])
    >>> _ = key_view(x, Conjugated()).mul_(2)
    >>> x
    tensor([2.+4.j], dtype=polytensor.complex64, backend='numpy')
    """
    t = cast("Any", key).take(x)
    return cast("Tensor", t if _as_view is None else _as_view(t, x, key))


def diagonal_view(x: Any, offset: int, dim1: int, dim2: int) -> Tensor:
    """``x.diagonal(offset, dim1, dim2)`` (its arguments checked) as a view of ``x``
    (``Diagonal``): the other dimensions first, then the diagonal.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._tensor_ops import diagonal_view
    >>> x = pt.zeros((2, 2))
    >>> _ = diagonal_view(x, 0, 0, 1).fill_(1.0)
    >>> x
    tensor([[1., 0.],
            [0., 1.]], backend='numpy')
    """
    key = Diagonal(offset, dim1, dim2)
    t = key.take(x)
    return cast("Tensor", t if _as_view is None else _as_view(t, x, key))


register_diagonal_view(diagonal_view)


def unfold_view(x: Any, dim: int, size: int, step: int) -> Tensor:
    """``x.unfold(dim, size, step)`` (its arguments checked) as a view of ``x``
    (``Unfolded``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._tensor_ops import unfold_view
    >>> x = pt.zeros(5)
    >>> _ = unfold_view(x, 0, 2, 3).fill_(1.0)
    >>> x
    tensor([1., 1., 0., 1., 1.], backend='numpy')
    """
    key = Unfolded(dim, size, step)
    t = key.take(x)
    return cast("Tensor", t if _as_view is None else _as_view(t, x, key))


register_unfold_view(unfold_view)


def expand_view(x: Any, shape: tuple[int, ...]) -> Tensor:
    """``x.expand(*shape)`` (``shape`` checked: no -1, ``x``'s shape broadcasts to it) as a
    view of ``x`` (``Expanded``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._tensor_ops import expand_view
    >>> x = pt.zeros((2, 1))
    >>> _ = expand_view(x, (2, 3))[:, 1].fill_(1.0)
    >>> x
    tensor([[1.],
            [1.]], backend='numpy')
    """
    key = Expanded(shape, tuple(x.shape))
    t = key.take(x)
    return cast("Tensor", t if _as_view is None else _as_view(t, x, key))


def _unit_axes_back(base: Any, value: Any) -> Any:
    """``value`` in ``base``'s shape, which differs from it by axes of length 1 (an
    ``Unsqueezed`` or ``Squeezed`` view's value given back), as ``quick_op`` reshapes it: no
    copy, and a cheaper call than NumPy's ``expand_dims``; None on a lazy backend (Dask: the
    task graph as the view's own op makes it) or where the backend refuses."""
    if value._backend.lazy:
        return None
    shape = tuple(base.shape)
    return quick_op(value, _RESHAPE, {"shape": shape, "copy": None})


def quick_view(self: Any, opdef: Any, params: dict[str, Any], how: Any) -> Tensor | None:
    """``opdef(self, **params)`` as a view of ``self`` (``whole_view`` by ``how``), for the
    methods that take a whole view (``x.T``, ``x.view(...)``, ``x.unsqueeze(0)``), their
    arguments checked: ``quick_op``, then ``whole_view``. None where the backend refuses the
    call: the caller then calls the table's function, whose error names the call.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._ops._registry import OPS
    >>> from polytensor._tensor_ops import Permuted, quick_view
    >>> x = pt.ones((2, 3), requires_grad=True)
    >>> y = quick_view(x, OPS["permute_dims"], {"axes": (1, 0)}, Permuted((1, 0)))
    >>> y.shape, y.grad_fn is not None
    ((3, 2), True)
    """
    t = quick_op(self, opdef, params)
    return None if t is None else whole_view(t, self, how)


def quick_op(self: Any, opdef: Any, params: dict[str, Any]) -> Tensor | None:
    """``opdef(self, **params)`` for an op of one tensor whose arguments the caller checked
    (``params`` as the table's function binds them): the table's fast path without its
    argument binding, recorded as it records. None where the backend refuses the call: the
    caller then calls the table's function, whose error names the call.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._ops._registry import OPS
    >>> from polytensor._tensor_ops import quick_op
    >>> x = pt.ones((2, 3), requires_grad=True)
    >>> y = quick_op(x, OPS["reshape"], {"shape": (6,), "copy": None})
    >>> y.shape, y.grad_fn
    ((6,), <ViewBackward0 object at 0x...>)
    """
    b = self._backend
    d = self._data
    try:
        r = b.fns[opdef.index](d, **params)
    except Exception:  # noqa: BLE001 - the table's function calls again and raises
        return None
    # (_dispatch.wrap_new and the recording, inline, here and in _getitem's direct paths: as
    # a call they cost 5-16% of x[0], x.T or x[idx])
    if r.__class__ is not b.array_type:
        r = b.as_array(r)
    t = _new(_tb.TENSOR)
    t._data = r
    t._backend = b
    t._meta = None
    if self._meta is not None and _GRAD.get():
        _tape.record_tensors(opdef, (self,), (d,), params, t)
    return cast("Tensor", t)


_new = object.__new__


def whole_view(t: _T, base: Any, how: _WholeKey) -> _T:
    """``t``, made from all of ``base`` by ``how``, as a ``_tensor.View`` of ``base`` when it
    shares ``base``'s memory (on an immutable backend: always, as PyTorch's views do), else
    as it is (a reshape that had to copy, as PyTorch's ``reshape`` then does)."""
    if _as_view is None or t is base:
        return t
    root = base._backend.memory_root
    if root is not None:
        if root(cast("Any", t)._data) is not root(base._data):
            return t
    elif how.__class__ is Reshaped:
        if not _contiguous(base):
            return t  # (on Dask: where NumPy's and PyTorch's reshape copy, or may)
        if None in cast("Any", t).shape or None in base.shape:
            return t  # (a dimension of unknown length, on Dask: nothing to reshape back by)
    return cast("_T", _as_view(t, base, how))


def _contiguous(t: Any) -> bool:
    """On an immutable backend, whether ``t`` would be laid out in C order in NumPy's and
    PyTorch's memory (what ``reshape`` views without a copy there): a tensor of its own, or a
    reshape, a permutation that undoes the permutations below it (``x.t().t()``) or a C-ordered
    index (``_c_ordered``) of such a tensor."""
    axes: tuple[int, ...] | None = None  # the permutations met so far, composed
    while t._write_back is not None:
        key = t._key
        base = t._base
        if (
            key.__class__ is Diagonal
            or key.__class__ is Unfolded
            or key.__class__ is AsStrided
            or (key.__class__ is Expanded and key.repeated)
        ):
            return False  # (a diagonal's, windows' or repeats' elements lie apart in memory)
        if key.__class__ is Permuted:
            axes = key.axes if axes is None else tuple(key.axes[a] for a in axes)
        elif axes is not None and axes != tuple(range(len(axes))):
            return False  # (a view of a permutation that does not undo itself)
        else:
            axes = None
            if key.__class__ not in WHOLE and not _c_ordered(key, tuple(base.shape)):
                return False
        t = base
    return axes is None or axes == tuple(range(len(axes)))


def _c_ordered(key: Any, shape: tuple[Any, ...]) -> bool:
    """Whether basic index ``key`` of a C-ordered array of ``shape`` is C-ordered: integers
    first, then at most one slice of step 1, then whole axes (``x[0]``, ``x[2:5]``,
    ``x[1, :3]``, ``x[:, None]``); not ``x[:, 0]`` or ``x[::2]``."""
    items = list(key) if key.__class__ is tuple else [key]
    if any(k is Ellipsis for k in items):
        i = next(j for j, k in enumerate(items) if k is Ellipsis)
        n_axes = sum(1 for k in items if k is not None and k is not Ellipsis)
        items[i : i + 1] = [slice(None)] * (len(shape) - n_axes)
    items += [slice(None)] * (len(shape) - sum(1 for k in items if k is not None))
    axis = 0
    stage = 0  # 0: integers so far, 1: past the partial slice (only whole axes may follow)
    for k in items:
        if k is None:
            continue
        n = shape[axis]
        axis += 1
        if k.__class__ is int or (n is not None and len(range(*k.indices(n))) <= 1):
            if stage:  # (an integer, or a slice of one element: the same layout)
                return False
        elif n is None or k.indices(n) != (0, n, 1):
            if stage or (k.step not in (None, 1)):
                return False
            stage = 1
        else:
            stage = 1
    return True


def view_writes_freely(x: Any) -> bool:
    """Whether an in-place change of view ``x`` may write into its memory with nothing
    recorded and nothing checked: it and the views it is a view of were taken with grad
    mode on, and its first base requires no grad (else ``_inplace.check_inplace`` decides)."""
    while x._write_back is not None:
        if not x._recorded:
            return False
        x = x._base
    return not _tape.requires_grad(x)


def _basic(key: Any) -> bool:
    """Whether ``key`` is basic indexing (Python ints, slices, None, ``...``): ``x[key]`` is
    then a view of ``x`` (``_tensor.View``)."""
    if key.__class__ is tuple:
        return all(k.__class__ in _BASIC or k is Ellipsis for k in key)
    return key.__class__ in _BASIC or key is Ellipsis


_BASIC = (int, slice, type(None))


def _as_ints(key: Any, backend: Any) -> Any:
    """``key`` with its integers of other kinds as Python ints, as PyTorch reads them: a NumPy
    integer, a 0-d integer tensor of an eager backend (``x[pt.asarray(1)]``). A key with
    anything else (an array of indices, a mask) stays as it is."""
    items = key if key.__class__ is tuple else (key,)
    out = []
    for k in items:
        if k.__class__ in _BASIC or k is Ellipsis:
            out.append(k)
        elif isinstance(k, TensorBase):
            if k.ndim != 0 or k.dtype.kind not in ("signed integer", "unsigned integer"):
                return key
            if k._backend.lazy or k._backend is not backend:
                return key  # (Dask would compute; another backend: the error says so)
            out.append(int(k))
        elif hasattr(k.__class__, "__index__") and not isinstance(k, (bool, list)):
            kind = getattr(getattr(k, "dtype", None), "kind", "i")
            if getattr(k, "ndim", 0) != 0 or kind not in ("i", "u"):
                return key  # (an array of indices; a 0-d bool or float: the library's error)
            out.append(operator.index(k))
        else:
            return key
    return tuple(out) if key.__class__ is tuple else out[0]


_as_view: Callable[[Any, Any, Any], Any] | None = None


def register_view(as_view: Callable[[Any, Any, Any], Any]) -> None:
    """Make basic indexing return ``as_view(result, base, key)`` (``_tensor.as_view``, defined
    with the concrete tensor class)."""
    global _as_view
    _as_view = as_view


def index_views(pieces: Any, base: Any, axis: int) -> tuple[Any, ...]:
    """``pieces``, ``base``'s slices along ``axis`` in order (``pt.unbind``, ``pt.unstack``:
    one node for all of them), each as the view ``base[..., i]`` would be: a change of one in
    place reaches ``base``, as PyTorch's ``unbind`` gives views.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2, 2)
    >>> _ = pt.unbind(x, 1)[1].fill_(1.0)
    >>> x
    tensor([[0., 1.],
            [0., 1.]], backend='numpy')
    """
    if _as_view is None:
        return tuple(pieces)
    lead = (slice(None),) * axis  # (keys as check_key leaves them: whole axes, then an int)
    return tuple(_as_view(p, base, (*lead, i)) for i, p in enumerate(pieces))


register_index_views(index_views)


def _with_ellipsis(key: Any, ndim: int) -> Any:
    """``key`` with a trailing ``...`` when it indexes fewer dimensions than ``ndim`` and has
    none: ``x[0] = 5`` on a 3-d tensor is ``x[0, ...] = 5`` on every backend (array-api-strict
    asks for the ``...``, as the standard allows it to). A mask alone stays alone: the
    standard specifies a mask only as the sole index, of the leading axes (array-api-strict
    refuses one beside a ``...``)."""
    if isinstance(key, TensorBase) and key.dtype is dt.bool:
        return key
    items = key if isinstance(key, tuple) else (key,)
    used = 0
    for k in items:
        if k is Ellipsis:
            return key
        if k is None or isinstance(k, bool):
            continue  # new axes consume none
        if isinstance(k, TensorBase) and k.dtype is dt.bool:
            used += k.ndim  # a mask indexes as many dimensions as it has
        else:
            used += 1
    return (*items, Ellipsis) if used < ndim else key


def _put_recorded(self: Any, key: Any, value: Any) -> bool:
    """``self[key] = value`` recorded for autograd, for the common forms, with what the general
    path of ``_setitem`` checks and records: on a backend of mutable arrays, a real floating
    ``self`` in a graph (or a ``value`` in one), a key that is one boolean mask of ``self``'s
    leading axes (``x[~mask] = -1e6``), one index tensor of integers (``x[idx] = 0``) or a
    key ``_plain`` reads (``x[:, k] = t``), a Python number or a tensor of ``self``'s dtype
    and device as the value. False, having changed nothing, where the general path must
    decide (it raises in its words what the backend refuses here)."""
    b = self._backend
    if not b.mutable:
        return False
    m = self._meta
    vc = value.__class__
    tensor = vc is _tb.TENSOR or vc in SUBCLASSES
    if (m is None or not (m.requires_grad or m.node is not None)) and not (
        tensor and _tape.requires_grad(value)
    ):
        return False  # (nothing to record)
    if tensor:
        if value._backend is not b:
            return False
        vd = value._data
    elif vc is float or vc is int:
        vd = value
    else:
        return False
    d = self._data
    if d.dtype not in b.cats[_REAL_FLOAT] or (vd is not value and vd.dtype != d.dtype):
        return False  # (a cast: the general path)
    kc = key.__class__
    if kc is _tb.TENSOR or kc in SUBCLASSES:
        if key._backend is not b:
            return False
        k = key._data
        n = k.ndim
        if k.dtype in b.cats[_BOOL]:
            if not n or k.shape != d.shape[:n]:
                return False
        elif k.dtype not in b.cats[_INT] or not n:
            return False
        inputs: tuple[Any, ...] = (value, key)
        datas: tuple[Any, ...] = (vd, k)
        template = _FIRST_SLOT
    elif (kc is int or kc is slice or kc is tuple) and _plain(key, d.shape):
        k = template = key
        inputs = (value,)
        datas = (vd,)
    else:
        return False
    if b.multi_device:  # (tensors on two devices: the general path says so)
        on = b.device_of(d)
        if (vd is not value and b.device_of(vd) != on) or (k is not key and b.device_of(k) != on):
            return False
    if vd is value:  # (1e40 into float32)
        check_float_fits("__setitem__", value, b.from_native.get(d.dtype) or self.dtype)
    _inplace.check_inplace(self, "__setitem__")
    put_data = b.fns[_PUT.index]
    try:
        r = put_data(d, vd, k)
    except Exception:  # noqa: BLE001 - the general path raises in its words
        if k is not key or (k := _with_ellipsis(key, d.ndim)) is key:
            return False
        try:  # (array-api-strict asks for a trailing ... where the key indexes fewer axes)
            r = put_data(d, vd, k)
        except Exception:  # noqa: BLE001
            return False
        template = k
    if r.__class__ is not b.array_type:
        r = b.as_array(r)
    t = _new(_tb.TENSOR)
    t._data = r
    t._backend = b
    t._meta = None
    if m is not None and m.node is not None:  # (_inplace.alias_before_inplace, inline)
        alias = _new(_tb.TENSOR)
        alias._data = d
        alias._backend = b
        alias._meta = m
    else:
        alias = self
    _tape.record_tensors(
        _PUT, (alias, *inputs), (d, *datas), {"key": template, "landed": True}, t, scalars=True
    )
    d = r = None
    self._data = t._data
    _inplace.after_inplace(self, t, m)
    if self._write_back is not None:  # a view: its base takes the change
        self._write_back()
    return True


def _setitem(self: Any, key: Any, value: Any, /) -> None:
    c = key.__class__
    if (
        (c is int or c is slice or c is tuple)
        and (value.__class__ is float or value.__class__ is int)
        and self._meta is None
        and self._write_back is None
        and (b := self._backend).mutable
    ):  # x[0] = 1.0, x[:, 1:] = 0: a number into a tensor in no graph, not a view
        d = self._data
        if d.dtype in b.cats[_REAL_FLOAT] and _plain(key, d.shape):
            check_float_fits("__setitem__", value, self.dtype)  # (1e40 into float32)
            try:
                d[key] = value
            except (IndexError, TypeError, ValueError):  # (array-api-strict asks for a
                pass  # trailing ... where the key indexes fewer axes: the path below adds it)
            else:
                d = None  # (no local may hold the data: bump_version asks who else does)
                _tape.bump_version(self)
                return
        d = None
    if self._write_back is not None and _basic(key):  # (a view: the region written)
        from ._view_layout import check_overlap

        check_overlap(self, "__setitem__", key)
    if (
        _GRAD.get()
        and (self._meta is not None or isinstance(value, TensorBase))
        and _put_recorded(self, key, value)
    ):
        return
    if (
        key.__class__ is list
        or key.__class__ is tuple
        or key.__class__ is range
        or _foreign_array(key)
    ):
        key = _lists_as_tensors(self, key)
    if key.__class__ is tuple and (steps := _torch_steps(key)) is not None:
        _setitem(_getitem(self, steps[0]), steps[1], value)  # (PyTorch's order, on a view)
        return
    b = self._backend
    if (
        type(key) is _tb.TENSOR
        and value.__class__ in (int, float)
        and self._meta is None
        and key._backend is b
        and b.mutable
        # (a view: checked below, unless it writes freely)
        and (self._write_back is None or not _GRAD.get() or view_writes_freely(self))
    ):  # x[mask] = 0: a mask of x's shape, a real floating x in no graph, a Python number
        kd = key._data
        d = self._data
        if kd.dtype in b.cats[_BOOL] and d.dtype in b.cats[_REAL_FLOAT] and kd.shape == d.shape:
            if value == 0 and b.zero_where is not None and math.copysign(1.0, value) > 0:
                b.zero_where(d, kd)  # (the seeds' custom ReLU: grad_input[input < 0] = 0)
            else:
                check_float_fits("__setitem__", value, self.dtype)  # (1e40 into float32)
                d[kd] = value
            d = None  # (no local may hold the data: bump_version asks who else does)
            _tape.bump_version(self)
            return
    key = _with_ellipsis(key, self._data.ndim)
    template, tensors = split_key(key, "__setitem__")
    template = check_key(template, tensors, tuple(self.shape), "__setitem__")
    spelled = bool_scalars(template, "__setitem__")
    if spelled is not None:  # Python bools: True writes at the rest of the key, False nowhere
        if spelled.size == 0:
            return
        key = template = spelled.key
    if isinstance(value, TensorBase):
        common_backend("__setitem__", (self, value, *tensors))
        if value.dtype is not self.dtype:
            value = astype(value, self.dtype)
        vdata = value._data
    elif isinstance(value, (bool, int, float, complex)):
        common_backend("__setitem__", (self, *tensors))
        if not isinstance(value, bool) and self.dtype in dt.FINFO:  # (1e40 into float32)
            check_float_fits("__setitem__", value, self.dtype)
        vdata = value
    else:
        raise TypeError(
            f"__setitem__() expects a tensor or Python scalar value; got "
            f"{type(value).__name__}; convert it with pt.asarray(...)"
        )
    k = fill_key(template, tuple(t._data for t in tensors))
    _inplace.check_inplace(self, "__setitem__")
    if _tape.needs_graph(self, value):
        # (the key with its slices inside their axes, as the template has them)
        r = put(
            _inplace.alias_before_inplace(self),
            fill_key(template, tuple(tensors)),
            value,
            landed=True,
        )
        self._data = r._data
        _inplace.after_inplace(self, r)
        if self._write_back is not None:  # a view: its base takes the change
            self._write_back()
        return
    try:
        if self._backend.mutable:
            _tb.settle_zeros(self, True)  # (zeros that zero_() left unwritten: written first)
            self._data[k] = vdata
        else:  # immutable arrays (Dask): the backend's functional put, then rebind
            b = self._backend
            if self._meta is None:
                # (a state that counts the change: after the rebind, bump_version could not
                # tell that a recorded op holds the old data)
                self._meta = _tape.Meta()
            self._data = b.fns[OPS["_put"].index](self._data, vdata, k)
            _inplace.rebind_owners(self)
    except (TypeError, ValueError, IndexError, OverflowError, NotImplementedError) as e:
        if "__setitem__" in str(e):
            raise
        # the library's refusal (a value the dtype cannot hold, a key Dask cannot assign), named
        raise named_error("__setitem__", e) from e
    _tape.bump_version(self)
    if not self._backend.mutable and self._write_back is not None:  # (rebound: a view's
        self._write_back()  # base takes the change)


class TensorOperators:
    """The standard's operators of ``Tensor``, in-place forms and indexing included.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1.0, 2.0])
    >>> (x + 1.0) * x
    tensor([2., 6.], backend='numpy')
    """

    __slots__ = ()

    __abs__: _Operator = E.abs  # (a tensor's unary operator is the op's function itself)
    __neg__: _Operator = E.negative
    __pos__: _Operator = E.positive
    __invert__: _Operator = E.bitwise_invert

    __add__: _Operator = _operator("add")
    __sub__: _Operator = _operator("subtract")
    __mul__: _Operator = _operator("multiply")
    __truediv__: _Operator = _operator("divide")
    __floordiv__: _Operator = _operator("floor_divide")
    __mod__: _Operator = _operator("remainder")
    __pow__: _Operator = _operator("pow")
    __and__: _Operator = _operator("bitwise_and")
    __or__: _Operator = _operator("bitwise_or")
    __xor__: _Operator = _operator("bitwise_xor")
    __lshift__: _Operator = _operator("bitwise_left_shift")
    __rshift__: _Operator = _operator("bitwise_right_shift")
    __matmul__: _Operator = _operator("matmul")

    __radd__: _Operator = _reflected("add")
    __rsub__: _Operator = _reflected("subtract")
    __rmul__: _Operator = _reflected("multiply")
    __rtruediv__: _Operator = _reflected("divide")
    __rfloordiv__: _Operator = _reflected("floor_divide")
    __rmod__: _Operator = _reflected("remainder")
    __rpow__: _Operator = _reflected("pow")
    __rand__: _Operator = _reflected("bitwise_and")
    __ror__: _Operator = _reflected("bitwise_or")
    __rxor__: _Operator = _reflected("bitwise_xor")
    __rlshift__: _Operator = _reflected("bitwise_left_shift")
    __rrshift__: _Operator = _reflected("bitwise_right_shift")
    __rmatmul__: _Operator = _rmatmul_dunder

    __iadd__: _Operator = _make_inplace(__add__, "__iadd__", "add")
    __isub__: _Operator = _make_inplace(__sub__, "__isub__", "subtract")
    __imul__: _Operator = _make_inplace(__mul__, "__imul__", "multiply")
    __itruediv__: _Operator = _make_inplace(__truediv__, "__itruediv__", "divide")
    __ifloordiv__: _Operator = _make_inplace(__floordiv__, "__ifloordiv__", "floor_divide")
    __imod__: _Operator = _make_inplace(__mod__, "__imod__", "remainder")
    __ipow__: _Operator = _make_inplace(__pow__, "__ipow__", "pow")
    __iand__: _Operator = _make_inplace(__and__, "__iand__", "bitwise_and")
    __ior__: _Operator = _make_inplace(__or__, "__ior__", "bitwise_or")
    __ixor__: _Operator = _make_inplace(__xor__, "__ixor__", "bitwise_xor")
    __ilshift__: _Operator = _make_inplace(__lshift__, "__ilshift__", "bitwise_left_shift")
    __irshift__: _Operator = _make_inplace(__rshift__, "__irshift__", "bitwise_right_shift")
    __imatmul__: _Operator = _make_inplace(__matmul__, "__imatmul__")

    __eq__: _Operator = _operator("equal")  # type: ignore[assignment]  # element-wise, as the standard's
    __ne__: _Operator = _operator("not_equal")  # type: ignore[assignment]
    __lt__: _Operator = _operator("less")
    __le__: _Operator = _operator("less_equal")
    __gt__: _Operator = _operator("greater")
    __ge__: _Operator = _operator("greater_equal")
    __hash__ = object.__hash__  # (by identity, as PyTorch's; __eq__ is element-wise)

    __getitem__: _Operator = _getitem
    __setitem__ = _setitem


# An operator reports itself by its own name (``__mul__``, not the table's ``__multiply__``) when
# Python refuses a call of it (x.__mul__(a, b)); the public functions used as operators
# (``__abs__`` is ``pt.abs``) keep theirs.
for _name, _fn in list(vars(TensorOperators).items()):
    if (
        _name.startswith("__")
        and _fn is not object.__hash__
        and callable(_fn)
        and getattr(_fn, "__name__", "").startswith("_")
    ):
        _fn.__name__ = _fn.__qualname__ = _name
