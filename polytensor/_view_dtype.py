"""``x.view(dtype)``: a tensor's bits seen as another dtype, as PyTorch's.

The same item size keeps the shape; a different one scales the last dimension, which must
then be contiguous (and, for a larger item, divisible by the ratio). The result shares the
tensor's memory where the backend's arrays do, and has no gradient (PyTorch's has none
either). Backends say whether their arrays can do it with the ``bit_views`` capability.
"""

from __future__ import annotations

from typing import Any

from . import _dtypes as dt
from ._dispatch import wrap_new

__all__ = ["view_as_dtype"]


def view_as_dtype(x: Any, dtype: dt.DType) -> Any:
    """``x``'s bits as ``dtype`` (``x.view(dtype)``), without a gradient.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._view_dtype import view_as_dtype
    >>> view_as_dtype(pt.asarray([1.0], dtype=pt.float32), pt.int32)
    tensor([1065353216], dtype=polytensor.int32, backend='numpy')
    >>> view_as_dtype(pt.asarray([[1, 0, 0, 0]], dtype=pt.uint8), pt.int32).shape
    (1, 1)
    """
    b = x._backend
    if not b.capabilities.bit_views:
        raise NotImplementedError(
            f"view(dtype): the {b.name} backend's arrays cannot reinterpret their bits as "
            f"another dtype; convert the values with x.to({dtype!r}), or move the tensor to a "
            f"backend that can (x.to('numpy'))"
        )
    old = x.dtype
    if dtype == old:
        return wrap_new(x._data, b)
    old_size, new_size = old.bits // 8, dtype.bits // 8
    shown = f"{old.name} as {dtype.name}"
    if old_size != new_size:
        if x.ndim == 0:
            raise RuntimeError(
                f"view(dtype): a 0-dimensional tensor cannot be viewed as a dtype of another "
                f"size ({shown}); reshape it to (1,) first"
            )
        last = x.shape[-1]
        ratio = new_size // old_size
        if new_size > old_size and last is not None and last % ratio:
            raise RuntimeError(
                f"view(dtype): self.size(-1) must be divisible by {ratio} to view {shown} "
                f"(different element sizes), but got {last}"
            )
    native = b.to_native[dtype]
    try:
        if x.ndim == 0:  # (through one element: Dask's view needs a last axis)
            data = x._data.reshape((1,)).view(native).reshape(())
        else:
            data = x._data.view(native)
    except ValueError as e:  # (NumPy's: the last axis is not contiguous)
        raise RuntimeError(
            f"view(dtype): the last dimension must be contiguous to view {shown} (different "
            f"element sizes); make it so with .contiguous() or .clone()"
        ) from e
    return wrap_new(data, b)
