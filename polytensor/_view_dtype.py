"""``x.view(dtype)``: a tensor's bits seen as another dtype, as PyTorch's.

The same item size keeps the shape; a different one scales the last dimension, which must
then be contiguous (and, for a larger item, divisible by the ratio): its stride 1, as PyTorch
has it, on every backend (a view's strides told by ``_view_layout.chain_layout``). The result
shares the tensor's memory where the backend's arrays do, and has no gradient (PyTorch's has none
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
        if x._write_back is not None:  # (a view: PyTorch's strides, on every backend)
            from ._view_layout import chain_layout

            found = chain_layout(x)
            steps, offset = found[1][1:] if found is not None else ((1,), 0)
            if steps[-1] != 1:
                raise RuntimeError(
                    f"view(dtype): self.stride(-1) must be 1 to view {shown} (different "
                    f"element sizes), but got {steps[-1]}: the last dimension must be "
                    f"contiguous; make it so with .contiguous() or .clone()"
                )
            if new_size > old_size:  # (each step and the offset a whole number of new items)
                for i, step in enumerate(steps[:-1]):
                    if step % ratio:
                        raise RuntimeError(
                            f"view(dtype): self.stride({i}) must be divisible by {ratio} to "
                            f"view {shown} (different element sizes), but got {step}; make "
                            f"the tensor contiguous with .contiguous() or .clone()"
                        )
                if offset % ratio:
                    raise RuntimeError(
                        f"view(dtype): self.storage_offset() must be divisible by {ratio} to "
                        f"view {shown} (different element sizes), but got {offset}; make the "
                        f"tensor contiguous with .contiguous() or .clone()"
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
