"""The standard's shape functions as the namespace gives them: views of their argument, as
PyTorch's ``torch.reshape``, ``torch.permute``, ``torch.moveaxis``, ``torch.broadcast_to``,
``torch.real`` are, so that a change of the result in place reaches the argument on every
backend (on Dask, whose arrays are never written, it changed the result alone).

Each computes the op table's function (its checks, errors and graph node) and makes the
result a view (``_tensor.View``) of its argument by the key that tells how it was taken
(``_tensor_ops``); polytensor's own code calls the table's functions, which make no view.
"""

from __future__ import annotations

from typing import Any

from ._ops import elementwise as E
from ._ops import linear_algebra as L
from ._ops import manipulation as M
from ._ops._registry import OPS
from ._tensor_base import TensorBase
from ._tensor_ops import (
    AsComplex,
    AsReal,
    Conjugated,
    ImagPart,
    Permuted,
    RealPart,
    Reshaped,
    Unsqueezed,
    expand_view,
    index_views,
    key_view,
    quick_view,
    whole_view,
)

_RESHAPE = OPS["reshape"]
_REAL_NUMERIC = ("real floating", "signed integer", "unsigned integer")
# (PyTorch's names of scalar types, in its messages)
_TORCH_NAMES = {
    "bool": "Bool",
    "int8": "Char",
    "uint8": "Byte",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "uint16": "UInt16",
    "uint32": "UInt32",
    "uint64": "UInt64",
}
_PERMUTE = OPS["permute_dims"]

__all__ = [
    "broadcast_to",
    "conj",
    "conj_physical",
    "expand_dims",
    "imag",
    "is_conj",
    "matrix_transpose",
    "moveaxis",
    "permute_dims",
    "real",
    "reshape",
    "resolve_conj",
    "unstack",
    "view_as_complex",
    "view_as_real",
]


def reshape(x: Any, /, shape: Any, *, copy: Any = None) -> Any:
    """``x`` in another ``shape`` (one length may be -1), the standard's ``reshape``: a view
    of ``x`` where no copy is needed, as ``torch.reshape`` (``copy=True``: a copy;
    ``copy=False``: a view, or an error where one is not possible).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(2, 2)
    >>> _ = pt.reshape(x, (4,)).fill_(1.0)
    >>> x
    tensor([[1., 1.],
            [1., 1.]], backend='numpy')
    """
    if copy is None and isinstance(x, TensorBase) and shape.__class__ is tuple:
        r = quick_view(x, _RESHAPE, {"shape": shape, "copy": None}, Reshaped(shape))
        if r is not None:  # (the table's fast path, as x.reshape takes it)
            return r
    t = M.reshape(x, shape, copy=copy)
    if copy or not isinstance(x, TensorBase):
        return t
    return whole_view(t, x, Reshaped(tuple(t.shape)))


def permute_dims(x: Any, /, axes: Any) -> Any:
    """``x`` with its axes in the order ``axes``, the standard's ``permute_dims``: a view of
    ``x``, as ``torch.permute``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.permute_dims(pt.zeros(2, 3, 4), (2, 0, 1)).shape
    (4, 2, 3)
    """
    if isinstance(x, TensorBase) and axes.__class__ is tuple:
        n = max(x.ndim, 1)
        if len(axes) == x.ndim and all(a.__class__ is int and -n <= a < n for a in axes):
            how = Permuted(tuple(a % n for a in axes))
            r = quick_view(x, _PERMUTE, {"axes": axes}, how)
            if r is not None:  # (the table's fast path, as x.permute takes it)
                return r
    if not isinstance(axes, (tuple, list)):  # (Dask's transpose would take None as reversed)
        raise TypeError(
            f"permute_dims() expects axes as a tuple of ints, one per dimension; got "
            f"{type(axes).__name__}"
        )
    t = M.permute_dims(x, axes)
    if not isinstance(x, TensorBase):
        return t
    n = max(x.ndim, 1)
    return whole_view(t, x, Permuted(tuple(int(a) % n for a in axes)))


def expand_dims(x: Any, /, axis: Any = 0) -> Any:
    """``x`` with a new axis of length 1 at ``axis``, the standard's ``expand_dims``: a view of
    ``x``, as ``torch.unsqueeze``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.expand_dims(pt.zeros(3), axis=-1).shape
    (3, 1)
    """
    t = M.expand_dims(x, axis=axis)
    if not isinstance(x, TensorBase):
        return t
    if isinstance(axis, int):
        return whole_view(t, x, Unsqueezed(axis % (x.ndim + 1)))
    return whole_view(t, x, Reshaped(tuple(t.shape)))


def moveaxis(x: Any, source: Any, destination: Any, /) -> Any:
    """``x`` with the axes ``source`` moved to ``destination``, the standard's ``moveaxis``:
    a view of ``x``, as ``torch.moveaxis``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.moveaxis(pt.zeros(2, 3, 4), 0, -1).shape
    (3, 4, 2)
    """
    t = M.moveaxis(x, source, destination)
    if not isinstance(x, TensorBase) or not x.ndim:
        return t
    n = x.ndim
    src = [int(a) % n for a in (source if isinstance(source, (tuple, list)) else (source,))]
    dst = [
        int(a) % n
        for a in (destination if isinstance(destination, (tuple, list)) else (destination,))
    ]
    order = [d for d in range(n) if d not in src]
    for to, frm in sorted(zip(dst, src, strict=True)):
        order.insert(to, frm)
    return whole_view(t, x, Permuted(tuple(order)))


def matrix_transpose(x: Any, /) -> Any:
    """``x`` with its last two axes swapped, the standard's ``matrix_transpose``: a view of
    ``x``, as ``x.mT``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.matrix_transpose(pt.zeros(5, 2, 3)).shape
    (5, 3, 2)
    """
    t = L.matrix_transpose(x)
    if not isinstance(x, TensorBase):
        return t
    n = x.ndim
    return whole_view(t, x, Permuted((*range(n - 2), n - 1, n - 2)))


def broadcast_to(x: Any, /, shape: Any) -> Any:
    """``x`` broadcast to ``shape``, the standard's ``broadcast_to``: a view of ``x``, as
    ``torch.broadcast_to`` (``x.expand``); where it repeats elements, a change in place that
    could write one with several values is refused, as PyTorch refuses it.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(1, 3)
    >>> pt.broadcast_to(x, (2, 3)).shape
    (2, 3)
    """
    if (
        not isinstance(x, TensorBase)
        or shape.__class__ is not tuple
        or any(n.__class__ is not int for n in shape)
    ):
        t = M.broadcast_to(x, shape)  # (its checks of the shape, and their errors)
        if not isinstance(x, TensorBase):
            return t
        shape = tuple(t.shape)
    return expand_view(x, shape)


def unstack(x: Any, /, *, axis: int = 0) -> Any:
    """The slices of ``x`` along ``axis``, the standard's ``unstack``: views of ``x``, as
    ``torch.unbind``.

    Examples
    --------
    >>> import polytensor as pt
    >>> [tuple(t.shape) for t in pt.unstack(pt.zeros(2, 3), axis=1)]
    [(2,), (2,), (2,)]
    """
    pieces = M.unstack(x, axis=axis)
    if not isinstance(x, TensorBase):
        return pieces
    return index_views(pieces, x, axis % max(x.ndim, 1))


def real(x: Any, /, *, out: Any = None) -> Any:
    """The real part of ``x``, the standard's ``real``: a view of ``x``, as ``torch.real`` (a
    change of it in place reaches ``x``'s real parts; of a real ``x``, all of ``x``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1 + 2j])
    >>> _ = pt.real(x).fill_(5.0)
    >>> x
    tensor([5.+2.j], dtype=polytensor.complex64, backend='numpy')
    """
    t = E.real(x, out=out)
    if out is not None or not isinstance(x, TensorBase):
        return t
    if x.dtype.kind != "complex floating":  # (all of x, as torch.real gives x itself)
        return whole_view(t, x, Reshaped(tuple(t.shape)))
    return whole_view(t, x, RealPart())


def imag(x: Any, /, *, out: Any = None) -> Any:
    """The imaginary part of ``x``, the standard's ``imag``: of a complex tensor, a view of
    it, as ``torch.imag``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1 + 2j])
    >>> _ = pt.imag(x).mul_(3.0)
    >>> x
    tensor([1.+6.j], dtype=polytensor.complex64, backend='numpy')
    """
    t = E.imag(x, out=out)
    if out is not None or not isinstance(x, TensorBase) or x.dtype.kind != "complex floating":
        return t
    return whole_view(t, x, ImagPart())


def conj(x: Any, /, *, out: Any = None) -> Any:
    """The complex conjugate of ``x``, the standard's ``conj``: of a complex tensor, a view of
    it, as ``torch.conj`` (a change of it in place reaches ``x``, conjugated; ``x.conj()``,
    ``x.mH``, ``x.H`` and ``x.adjoint()`` too); of a real tensor, a view of all of ``x``
    (torch's is ``x`` itself, as ``x.conj()`` is here).

    Note: PyTorch's view shares ``x``'s memory and sets a conjugate bit; polytensor's holds
    the conjugated values (on NumPy, memory of its own, whose changes are given back to
    ``x``), and ``is_conj()`` says True of it as PyTorch's does.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1 + 2j])
    >>> y = pt.conj(x)
    >>> _ = y.add_(1j)
    >>> x, y.is_conj()
    (tensor([1.+1.j], dtype=polytensor.complex64, backend='numpy'), True)
    """
    if out is not None or not isinstance(x, TensorBase):
        return E.conj(x, out=out)
    if x.dtype.kind != "complex floating":
        t = E.conj(x)  # (recorded: the identity, on real numbers; bool: the table's error)
        if x._backend.memory_root is not None:
            t._data = x._data[...]  # (x's values in x's memory: all of x, as torch's is x)
        return whole_view(t, x, Reshaped(tuple(t.shape)))
    return key_view(x, Conjugated())


def is_conj(x: Any, /) -> bool:
    """Whether ``x`` is a conjugate view, PyTorch's conjugate bit (``x.is_conj()``): a complex
    view whose chain of views, down to the first real or non-view tensor, conjugates an odd
    number of times (``x.conj()``, ``x.mH``, ``x.conj()[0]``, their ``detach()`` and ``.data``;
    not ``x.conj().conj()``).
    Unlike PyTorch's, a conjugate's values are computed (``pt.conj``): the bit says how a
    change of it reaches its base, and ``view_as_real`` refuses it as PyTorch does.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[1j]])
    >>> x.conj().is_conj(), x.mH.is_conj(), x.conj().conj().is_conj(), x.is_conj()
    (True, True, False, False)
    """
    if not isinstance(x, TensorBase):
        raise TypeError(f"is_conj() expects a tensor; got {type(x).__name__}")
    bit = False
    t: Any = x
    while True:
        while t._owner is not None:  # (x.data on Dask, or its detach(): x's bit, as PyTorch's)
            t = t._owner
        if t._write_back is None or t.dtype.kind != "complex floating":
            return bit
        if t._key.__class__ is Conjugated:
            bit = not bit
        t = t._base


def resolve_conj(x: Any, /) -> Any:
    """``x`` itself, or of a conjugate view (``is_conj``) a copy of its values that is no view
    of anything, as ``torch.resolve_conj`` (``x.resolve_conj()``): a change of it reaches no
    other tensor; its gradient flows to ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1j])
    >>> r = x.conj().resolve_conj()
    >>> _ = r.add_(1.0)
    >>> x, r.is_conj(), x.resolve_conj() is x
    (tensor([0.+1.j], dtype=polytensor.complex64, backend='numpy'), False, True)
    """
    if not isinstance(x, TensorBase):
        raise TypeError(f"resolve_conj() expects a tensor; got {type(x).__name__}")
    return x.clone() if is_conj(x) else x  # type: ignore[attr-defined]


def conj_physical(x: Any, /) -> Any:
    """The complex conjugate of ``x`` as a new tensor, no view, as ``torch.conj_physical``
    (``x.conj_physical()``): a change of it reaches no other tensor; of a real tensor, ``x``
    itself, as torch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1 + 2j])
    >>> y = pt.conj_physical(x)
    >>> _ = y.add_(1.0)
    >>> x.tolist(), y.tolist()
    ([(1+2j)], [(2-2j)])
    """
    if isinstance(x, TensorBase) and x.dtype.kind in _REAL_NUMERIC:
        return x
    return E.conj(x)


def view_as_real(input: Any) -> Any:
    """The real and imaginary parts of complex ``input`` along a new last dimension of length
    2, a view of it, as ``torch.view_as_real``: a change of it in place reaches ``input``
    (on NumPy in its memory), and its gradient flows back as the complex tensor of its two
    parts. A conjugate view (``is_conj``) is refused, as PyTorch refuses it.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1 + 2j, 3 - 1j])
    >>> r = pt.view_as_real(x)
    >>> r
    tensor([[ 1.,  2.],
            [ 3., -1.]], backend='numpy')
    >>> _ = r[:, 1].zero_()
    >>> x
    tensor([1.+0.j, 3.+0.j], dtype=polytensor.complex64, backend='numpy')
    """
    if not isinstance(input, TensorBase):
        raise TypeError(
            f"view_as_real() expects a tensor; got {type(input).__name__}; make one with "
            f"pt.asarray(...)"
        )
    if input.dtype.kind != "complex floating":
        raise RuntimeError(
            f"view_as_real is only supported for complex tensors; got {input.dtype.name}; "
            f"make it complex first (x.to(pt.complex64)) or use it as it is"
        )
    if is_conj(input):
        raise RuntimeError(
            "view_as_real doesn't work on unresolved conjugated tensors.  To resolve the "
            "conjugate tensor so you can view it as real, use self.resolve_conj(); however, "
            "be warned that the resulting tensor will NOT alias the original."
        )
    return key_view(input, AsReal())


def view_as_complex(input: Any) -> Any:
    """The complex tensor whose real and imaginary parts are the pairs along ``input``'s last
    dimension, a view of it, as ``torch.view_as_complex``: ``input`` float32 or float64 with
    a last dimension of length 2 and stride 1, its other strides and offset even (PyTorch's
    errors otherwise). A change of it in place reaches ``input``; its gradient flows back as
    the pairs of its real and imaginary parts.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[1.0, 2.0], [3.0, -1.0]])
    >>> z = pt.view_as_complex(x)
    >>> z
    tensor([1.+2.j, 3.-1.j], dtype=polytensor.complex64, backend='numpy')
    >>> _ = z.mul_(1j)
    >>> x
    tensor([[-2.,  1.],
            [ 1.,  3.]], backend='numpy')
    """
    if not isinstance(input, TensorBase):
        raise TypeError(
            f"view_as_complex() expects a tensor; got {type(input).__name__}; make one with "
            f"pt.asarray(...)"
        )
    if input.dtype.kind != "real floating":
        raise RuntimeError(
            f"view_as_complex is only supported for half, float and double tensors, but got a "
            f"tensor of scalar type: {_TORCH_NAMES.get(input.dtype.name, input.dtype.name)} "
            f"({input.dtype.name}); cast it first (x.to(pt.float32))"
        )
    if input.dtype.bits not in (32, 64):
        raise RuntimeError(
            f"view_as_complex of a {input.dtype.name} tensor would be complex32, which "
            f"polytensor does not have; cast it to float32 first (x.to(pt.float32))"
        )
    if input.ndim == 0:
        raise RuntimeError(
            "view_as_complex(): Input tensor must have one or more dimensions; got a 0-d "
            "tensor; the pairs (real, imaginary) go along the last dimension"
        )
    if input.shape[-1] != 2:
        raise RuntimeError(
            f"view_as_complex(): Tensor must have a last dimension of size 2; got shape "
            f"{tuple(input.shape)}; the pairs (real, imaginary) go along the last dimension"
        )
    strides = input.stride()  # type: ignore[attr-defined]
    if strides[-1] != 1:
        raise RuntimeError(
            f"view_as_complex(): Tensor must have a last dimension with stride 1; got strides "
            f"{strides}; make it so with .contiguous()"
        )
    if any(s % 2 for s in strides[:-1]):
        raise RuntimeError(
            f"view_as_complex(): Tensor must have a stride divisible by 2 for all but last "
            f"dimension; got strides {strides}; make it so with .contiguous()"
        )
    if input.storage_offset() % 2:  # type: ignore[attr-defined]
        raise RuntimeError(
            f"view_as_complex(): Tensor must have a storage_offset divisible by 2; got "
            f"{input.storage_offset()}; make it so with .contiguous()"  # type: ignore[attr-defined]
        )
    return key_view(input, AsComplex())


def conj_physical_(input: Any) -> Any:
    """``input.conj_physical_()``: ``input`` conjugated in place, as ``torch.conj_physical_``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1 - 1j])
    >>> pt.conj_physical_(x) is x, x.tolist()
    (True, [(1+1j)])
    """
    if not isinstance(input, TensorBase):
        raise TypeError(f"conj_physical_() expects a tensor; got {type(input).__name__}")
    return input.conj_physical_()  # type: ignore[attr-defined]
