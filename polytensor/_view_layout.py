"""Where a view's elements lie in the memory of the tensor it is a view of, on every backend.

``chain_layout(x)`` follows ``x``'s chain of views (``_tensor.View``: basic indices and the
keys of ``_tensor_ops``) down to the first tensor that is no view, its *root*, and gives the
strides and offset, in elements, that PyTorch's view would have over the root's memory laid
out in C order, as PyTorch lays out a tensor of its own. It serves what PyTorch reads from
strides where a backend has none of its own (Dask): ``x.stride()``, ``x.view(dtype)``'s
refusal of a last dimension that steps, ``as_strided``'s memory, and the refusal of an
in-place change that would write one element of memory through several of the view's
(``check_overlap``), as PyTorch refuses it.
"""

from __future__ import annotations

import math
from typing import Any

from . import _config, _tape
from ._inplace import register_overlap_check
from ._tensor_ops import (
    AsComplex,
    AsReal,
    AsStrided,
    Conjugated,
    Diagonal,
    Expanded,
    ImagPart,
    Permuted,
    RealPart,
    Reshaped,
    Squeezed,
    Unfolded,
    Unsqueezed,
)

__all__ = ["as_strided", "c_strides", "chain_layout", "check_overlap", "overlapping"]

# (shape, strides, offset): a strided layout, counted in elements
Layout = tuple[tuple[int, ...], tuple[int, ...], int]

_ONE_VALUE = ("fill_", "zero_")  # (in-place changes that write one value everywhere)


def c_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The strides of a C-contiguous tensor of ``shape``, as PyTorch's.

    Examples
    --------
    >>> from polytensor._view_layout import c_strides
    >>> c_strides((2, 3, 4))
    (12, 4, 1)
    """
    steps = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        steps[i] = steps[i + 1] * max(shape[i + 1], 1)
    return tuple(steps)


def chain_layout(x: Any) -> tuple[Any, Layout] | None:
    """``(root, (shape, strides, offset))``: the first tensor below ``x`` that is no view,
    and where ``x``'s elements lie in its memory laid out in C order; None where a length is
    unknown (Dask) or a key's layout cannot be told.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._view_layout import chain_layout
    >>> x = pt.zeros(3, 4)
    >>> chain_layout(x.t()[1:])[1]
    ((3, 3), (1, 4), 1)
    """
    chain = []
    t = x
    while t._write_back is not None:
        chain.append(t)
        t = t._base
    shape = tuple(t.shape)
    if None in shape:
        return None
    layout: Layout | None = (shape, c_strides(shape), 0)
    for v in reversed(chain):
        out = tuple(v._vdata.shape)
        if None in out or layout is None:
            return None
        layout = _key_layout(v._key, layout, out)
    return None if layout is None else (t, layout)


def _key_layout(key: Any, layout: Layout, out: tuple[int, ...]) -> Layout | None:
    """The layout of the view by ``key`` (of shape ``out``) of a tensor laid out as
    ``layout``."""
    shape, strides, offset = layout
    c = key.__class__
    if c is Permuted:
        return out, tuple(strides[a] for a in key.axes), offset
    if c is Unsqueezed:
        a = key.axis % (len(shape) + 1)
        step = strides[a] * shape[a] if a < len(shape) else 1
        return out, (*strides[:a], step, *strides[a:]), offset
    if c is Squeezed:
        gone = {a % len(shape) for a in key.axes}
        return out, tuple(s for i, s in enumerate(strides) if i not in gone), offset
    if c is Reshaped:
        viewed = _view_strides(shape, strides, out)
        return None if viewed is None else (out, viewed, offset)
    if c is Expanded:
        lead = len(out) - len(shape)
        zeroed = [0] * lead + list(strides)
        for i in key.repeated:
            zeroed[i] = 0
        return out, tuple(zeroed), offset
    if c is Diagonal:
        n = len(shape)
        d1, d2 = key.dim1 % n, key.dim2 % n
        s1, s2 = strides[d1], strides[d2]
        if out[-1]:
            offset += key.offset * s2 if key.offset >= 0 else -key.offset * s1
        others = tuple(s for i, s in enumerate(strides) if i not in (d1, d2))
        return out, (*others, s1 + s2), offset
    if c is Unfolded:
        d = key.dim % len(shape)
        s = strides[d]
        stepped = list(strides)
        stepped[d] = s * key.step
        return out, (*stepped, s), offset
    if c is AsStrided:  # (a view of the root's memory itself)
        return out, key.stride, key.offset
    if c is Conjugated:  # (PyTorch's conjugate bit: the same memory)
        return out, strides, offset
    # (a complex tensor's parts: counted from here on in elements of its real dtype, as
    # PyTorch's strides of x.real and pt.view_as_real(x) are)
    if c is RealPart or c is ImagPart:
        return out, tuple(2 * s for s in strides), 2 * offset + (c is ImagPart)
    if c is AsReal:
        return out, (*(2 * s for s in strides), 1), 2 * offset
    if c is AsComplex:
        return out, tuple(s // 2 for s in strides[:-1]), offset // 2
    return _index_layout(key, layout, out)


def _full_key(key: Any, ndim: int) -> list[Any]:
    """Basic index ``key`` of a base of ``ndim`` dimensions as a list with one entry per
    dimension (its ``...`` and the dimensions it leaves out made ``slice(None)``), ``None``
    entries kept where they are."""
    items = list(key) if key.__class__ is tuple else [key]
    used = sum(1 for k in items if k is not None and k is not Ellipsis)
    if Ellipsis in items:
        i = items.index(Ellipsis)
        items[i : i + 1] = [slice(None)] * (ndim - used)
    items += [slice(None)] * (ndim - sum(1 for k in items if k is not None))
    return items


def _index_layout(key: Any, layout: Layout, out: tuple[int, ...]) -> Layout:
    """The layout of ``base[key]``, ``key`` a basic index (ints, slices, None, ``...``)."""
    shape, strides, offset = layout
    items = _full_key(key, len(shape))
    steps = []
    axis = 0
    for k in items:
        if k is None:
            steps.append(strides[axis] * shape[axis] if axis < len(shape) else 1)
            continue
        n = shape[axis]
        if k.__class__ is slice:
            start, _, step = k.indices(n)
            if range(*k.indices(n)):
                offset += start * strides[axis]
            steps.append(step * strides[axis])
        else:
            offset += (k % n) * strides[axis]
        axis += 1
    return out, tuple(steps), offset


def _view_strides(
    old: tuple[int, ...], strides: tuple[int, ...], new: tuple[int, ...]
) -> tuple[int, ...] | None:
    """The strides of ``view(new)`` of a tensor of shape ``old`` and ``strides``, or None
    where it is not a view (PyTorch's ``computeStride``)."""
    if not old or math.prod(old) == 0:
        return c_strides(new)
    steps = [0] * len(new)
    view_d = len(new) - 1
    chunk = strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(old) - 1, -1, -1):
        tensor_numel *= old[d]
        if d == 0 or (old[d - 1] != 1 and strides[d - 1] != tensor_numel * chunk):
            while view_d >= 0 and (view_numel < tensor_numel or new[view_d] == 1):
                steps[view_d] = view_numel * chunk
                view_numel *= new[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if d > 0:
                chunk = strides[d - 1]
                tensor_numel = view_numel = 1
    return None if view_d != -1 else tuple(steps)


def overlapping(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    """Whether two elements of a tensor of ``shape`` and ``strides`` may lie at one place in
    memory: unless, with its dimensions sorted by stride, each stride steps past all the
    elements of the smaller ones (so that a place tells its element, ``AsStrided.back``).
    Layouts that interleave without meeting (sizes ``(3, 2)``, strides ``(2, 3)``) count as
    overlapping too.

    Examples
    --------
    >>> from polytensor._view_layout import overlapping
    >>> overlapping((3, 4), (1, 0)), overlapping((2, 2), (1, 2)), overlapping((3, 3), (1, 1))
    (True, False, True)
    """
    if 0 in shape:
        return False
    reach = 0
    for s, n in sorted((s, n) for n, s in zip(shape, strides, strict=True) if n > 1):
        if s <= reach or s == 0:
            return True
        reach += s * (n - 1)
    return False


def _repeats(x: Any) -> bool:
    """Whether a view in ``x``'s chain (``x`` itself included) may repeat an element of
    memory: an ``Expanded`` that repeats, or an ``AsStrided`` whose elements overlap."""
    while x._write_back is not None:
        key = x._key
        c = key.__class__
        if (c is Expanded and key.repeated) or (c is AsStrided and key.overlaps):
            return True
        x = x._base
    return False


def check_overlap(x: Any, where: str, key: Any = None) -> None:
    """Refuse an in-place change of view ``x`` (of ``x[key]``, for a basic ``key``) that
    would write one element of memory through several of its elements, as PyTorch refuses
    it: ``x.expand(3, 4).add_(1)``; ``fill_`` and ``zero_``, which write one value, pass, but
    for a view in a graph (PyTorch's backward through them refuses, with this error).
    A change of a view of an ``as_strided`` view whose elements overlap is refused too.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._view_layout import check_overlap
    >>> check_overlap(pt.zeros(3, 1).expand(3, 2), "add_")
    Traceback (most recent call last):
    ...
    RuntimeError: unsupported operation: more than one element of the written-to tensor ...
    """
    if not _repeats(x):
        return
    from ._tensor import _PENDING

    if _PENDING.__dict__.get("views") is not None:
        return  # (a view's change given back to the views below it: checked when it was made)
    if where in _ONE_VALUE and key is None:
        if not (_config.GRAD_ENABLED.get() and _tape.requires_grad(x)):
            return
        # (in a graph: PyTorch's backward through the change refuses, with this error)
        where = f"{where} in a graph"
    found = chain_layout(x)
    if found is None:
        return
    shape, strides, _ = found[1]
    if key is not None:
        shape, strides, _ = _index_layout(key, found[1], _index_shape(key, shape))
    if any(n > 1 and s == 0 for n, s in zip(shape, strides, strict=True)):
        raise RuntimeError(
            f"unsupported operation: more than one element of the written-to tensor refers to "
            f"a single memory location. Please clone() the tensor before performing the "
            f"operation ({where} of a view that repeats elements, x.expand(...) or "
            f"x.as_strided(...) with a stride 0; fill_() and zero_() may write it)"
        )
    y = x
    while y._write_back is not None:
        if y._key.__class__ is AsStrided and y._key.overlaps:
            raise RuntimeError(
                f"{where}: the tensor changed in place is (a view of) x.as_strided(...) whose "
                f"elements overlap in memory: an element of x is several of its elements, and "
                f"which change it should take is not defined; change a clone() of it, or x"
            )
        y = y._base


def _index_shape(key: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of ``base[key]`` for a basic ``key`` of a base of ``shape``."""
    items = _full_key(key, len(shape))
    out = []
    axis = 0
    for k in items:
        if k is None:
            out.append(1)
            continue
        if k.__class__ is slice:
            out.append(len(range(*k.indices(shape[axis]))))
        axis += 1
    return tuple(out)


def as_strided(input: Any, size: Any, stride: Any, storage_offset: int | None = None) -> Any:
    """A view of ``input``'s memory of shape ``size``, whose element at index ``i`` is the
    one at ``storage_offset + sum(i * stride)`` of that memory, as PyTorch's
    ``torch.as_strided`` (``storage_offset`` None: ``input``'s own). The memory is that of
    the first tensor below ``input`` that is no view (``input`` itself, or its base), laid out
    in C order, as PyTorch lays out a tensor of its own; its offset and ``input.stride()`` are
    where ``input`` lies in it. A change of the view in place reaches that tensor, and its
    gradient flows back to it, adding up where elements overlap; a change in place of
    elements that overlap is refused (``fill_`` and ``zero_`` of the view itself excepted).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.arange(6.0)
    >>> x.as_strided((2, 2), (1, 2), 1)
    tensor([[1., 3.],
            [2., 4.]], backend='numpy')
    >>> _ = x.as_strided((2,), (3,)).fill_(-1.0)
    >>> x
    tensor([-1.,  1.,  2., -1.,  4.,  5.], backend='numpy')
    """
    from ._tensor_ops import _as_view

    size = _ints("size", size)
    stride = _ints("stride", stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"as_strided(): mismatch in length of strides and shape: size {list(size)} has "
            f"{len(size)} dimensions, stride {list(stride)} has {len(stride)}; give one "
            f"stride per dimension"
        )
    if any(n < 0 for n in size):
        raise RuntimeError(
            f"as_strided(): Trying to create tensor with negative dimension: size "
            f"{list(size)}; give lengths >= 0"
        )
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got strides: "
            f"{list(stride)}; flip the result (x.flip(dims)) instead"
        )
    found = chain_layout(input)
    if found is None:
        raise NotImplementedError(
            "as_strided(): the memory of this tensor cannot be described (a dimension of "
            "unknown length, on Dask, or a view whose strides are not known); call "
            "x.contiguous() or x.clone() first, or compute its lengths (pt.compute)"
        )
    root, (_, _, own) = found
    b = root._backend
    if b.c_contiguous is not None and not b.lazy and not b.c_contiguous(root._data):
        raise NotImplementedError(
            "as_strided(): the memory this tensor views is not laid out in C order here (a "
            "result that shares memory with a tensor it was made from, or an array brought "
            "in from elsewhere), so PyTorch's strides over it cannot be told; call "
            "x.contiguous() first, whose memory is"
        )
    offset = own if storage_offset is None else _ints("storage_offset", (storage_offset,))[0]
    if offset < 0:
        raise RuntimeError(
            f"as_strided(): Tensor: invalid storage offset {offset}; give an offset >= 0"
        )
    numel = math.prod(tuple(root.shape))
    need = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True)) + 1
    if math.prod(size) and need > numel:
        item = max(root.dtype.bits // 8, 1)
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {item} requiring a storage size of {need * item} are out of bounds "
            f"for storage of size {numel * item}; the view must lie inside the memory of the "
            f"tensor of shape {tuple(root.shape)} it views"
        )
    key = AsStrided(size, stride, offset, overlapping(size, stride))
    t = key.take(root)
    return t if _as_view is None else _as_view(t, root, key)


def _ints(name: str, values: Any) -> tuple[int, ...]:
    """``values`` (a sequence of integers, or a ``pt.Size``) as a tuple of Python ints."""
    import operator

    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(
            f"as_strided(): {name} must be a sequence of integers; got {values!r}"
        ) from None


register_overlap_check(check_overlap)
