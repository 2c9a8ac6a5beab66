"""PyTorch's Tensor methods that write at indices, ``TensorIndexMethods`` (a base of
``Tensor``): ``x.index_copy``, ``x.index_fill``, ``x.index_put``, ``x.index_reduce``,
``x.scatter_reduce``, ``x.masked_scatter``, ``x.put`` and their in-place forms
(``x.index_copy_(...)``).

Each in-place form computes the out-of-place function on the tensor's alias and writes the
result through the one path every in-place method takes (``_inplace.assign_inplace``):
versions bump, a leaf that requires grad is refused outside ``no_grad``, a view's change
reaches its base, and a node that saved the old value keeps it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _inplace, _pytorch_index
from ._inplace import assign_inplace

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["TensorIndexMethods"]


def _in_place(name: str, fn: Callable[..., Any], example: str) -> Callable[..., Any]:
    """The in-place method ``name`` (``index_copy_``) of ``fn`` (``pt.index_copy``): the
    result, of the tensor's shape and dtype, written into the tensor, which is returned.
    ``example``: the docstring example's call, on ``x = pt.zeros(3)``."""
    base = name.removesuffix("_")

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        r = fn(_inplace.alias_before_inplace(self), *args, **kwargs)
        if tuple(r.shape) != tuple(self.shape):
            raise RuntimeError(
                f"{name}(): the result has shape {tuple(r.shape)}, not the tensor's "
                f"{tuple(self.shape)}; use x.{base}(...) (not in place) for a larger result"
            )
        return assign_inplace(self, r, name)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"In-place ``x.{base}(...)``: writes the result into this tensor and returns it.\n\n"
        f"Examples\n--------\n>>> import polytensor as pt\n>>> x = pt.zeros(3)\n"
        f">>> x.{name}({example}) is x\nTrue\n>>> x.tolist()[0]\n1.0\n"
    )
    return method


class TensorIndexMethods:
    """PyTorch's methods that write at indices, out of place and in place.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.zeros(3)
    >>> _ = x.index_fill_(0, pt.asarray([1]), 2.0)
    >>> x
    tensor([0., 2., 0.], backend='numpy')
    """

    __slots__ = ()

    index_copy = _pytorch_index.index_copy
    index_fill = _pytorch_index.index_fill
    index_put = _pytorch_index.index_put
    index_reduce = _pytorch_index.index_reduce
    scatter_reduce = _pytorch_index.scatter_reduce
    masked_scatter = _pytorch_index.masked_scatter
    put = _pytorch_index.put
    select_scatter = _pytorch_index.select_scatter
    slice_scatter = _pytorch_index.slice_scatter
    diagonal_scatter = _pytorch_index.diagonal_scatter

    index_copy_ = _in_place(
        "index_copy_", _pytorch_index.index_copy, "0, pt.asarray([0]), pt.ones(1)"
    )
    index_fill_ = _in_place("index_fill_", _pytorch_index.index_fill, "0, pt.asarray([0]), 1.0")
    index_put_ = _in_place("index_put_", _pytorch_index.index_put, "(pt.asarray([0]),), pt.ones(1)")
    index_reduce_ = _in_place(
        "index_reduce_",
        _pytorch_index.index_reduce,
        "0, pt.asarray([0]), pt.ones(1), 'amax', include_self=False",
    )
    scatter_reduce_ = _in_place(
        "scatter_reduce_", _pytorch_index.scatter_reduce, "0, pt.asarray([0]), pt.ones(1), 'sum'"
    )
    masked_scatter_ = _in_place(
        "masked_scatter_",
        _pytorch_index.masked_scatter,
        "pt.asarray([True, False, False]), pt.ones(1)",
    )
    put_ = _in_place("put_", _pytorch_index.put, "pt.asarray([0]), pt.ones(1)")
