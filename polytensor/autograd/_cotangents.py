"""A cotangent made to fit its input: summed over broadcast axes to the input's shape and cast
to its dtype (the real part for a real input), in one place for every rule's result."""

from __future__ import annotations

from typing import Any

from .. import _config, _tape
from .. import _tensor_base as _tb
from .._ops.creation import full_like
from .._ops.data_types import astype
from .._ops.elementwise import real
from .._ops.manipulation import reshape
from .._ops.statistical import sum as _sum

__all__ = ["fit", "sum_to_shape"]


def sum_to_shape(g: Any, shape: tuple[Any, ...], F: Any = None) -> Any:
    """Undo broadcasting: sum ``g`` down to ``shape``. ``F``: the backend's functions, for a
    native array ``g`` (backward's fast path), else polytensor's ops on a tensor.

    Example: ``sum_to_shape(pt.ones((2, 3)), (1, 3))`` is ``[[2., 2., 2.]]``.
    """
    gshape = g.shape
    if tuple(gshape) == tuple(shape):
        return g
    sum_, reshape_ = (_sum, reshape) if F is None else (F.sum, F.reshape)
    lead = len(gshape) - len(shape)
    inner = tuple(lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1)
    if not inner:  # only leading axes were added: the sum has the shape already
        return sum_(g, axis=tuple(range(lead)))
    g = sum_(g, axis=tuple(range(lead)) + inner, keepdims=True)
    return reshape_(g, tuple(shape))


def fit(c: Any, v: Any) -> Any:
    """Cotangent ``c`` (a tensor or a Python scalar) summed to the shape and cast to the dtype
    of input ``v`` (and, on a lazy backend when nothing is recorded, laid out in ``v``'s
    chunks).

    Example: ``fit(pt.ones((2, 3)), pt.zeros(3, dtype=pt.float32))`` is ``[2., 2., 2.]`` in
    float32.
    """
    if type(c) is type(v) and c._data.shape == v._data.shape and c._data.dtype is v._data.dtype:
        return _laid_out(c, v) if c._backend.lazy else c
    if not _tape._is_tensor(c):
        return full_like(v, c)
    if tuple(c.shape) != tuple(v.shape):
        c = sum_to_shape(c, v.shape)
    if c.dtype is not v.dtype:
        if c.dtype.kind == "complex floating" and v.dtype.kind != "complex floating":
            c = real(c)
        if c.dtype is not v.dtype:
            c = astype(c, v.dtype)
    return _laid_out(c, v) if c._backend.lazy else c


def _laid_out(c: Any, v: Any) -> Any:
    """Cotangent ``c`` in the layout (Dask: the chunks) of input ``v``: a rule that broadcasts
    or scatters its cotangent (``sum``, indexing) would otherwise hand on one chunk as large as
    the input. Under ``create_graph`` (grad mode on) ``c`` is kept as it is, recorded."""
    if _config.GRAD_ENABLED.get() or not _tape._is_tensor(v):
        return c
    data = c._backend.relayout(c._data, v._data)
    if data is c._data:
        return c
    t = object.__new__(_tb.TENSOR)
    t._data = data
    t._backend = c._backend
    t._meta = None
    return t
