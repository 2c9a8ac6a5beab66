"""PyTorch's Tensor methods that work element by element in Python or with the memory itself,
``TensorHostMethods`` (a base of ``Tensor``): ``x.apply_(fn)``, ``x.map_(y, fn)`` and
``x.data_ptr()``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _config
from ._ops.creation import asarray
from ._ops.manipulation import broadcast_to, reshape
from ._tensor_base import TensorBase

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["TensorHostMethods"]


def _elements(where: str, t: Any) -> list[Any]:
    """The values of ``t`` as Python numbers, in C order (computed, for a lazy backend)."""
    return list(t._backend.to_numpy(t._data).ravel().tolist())


def _written(where: str, self: Any, values: list[Any]) -> Any:
    """``self`` with ``values`` (Python numbers, in C order) written into it in place."""
    try:
        new = reshape(asarray(values, device=self.device), tuple(self.shape))
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"{where}(): the function returned values that make no tensor ({e}); return a "
            f"number for each element"
        ) from None
    from .autograd import no_grad

    with no_grad():
        return self.copy_(new)


def _refuse_graph(where: str, self: Any) -> None:
    if _config.GRAD_ENABLED.get() and self.requires_grad:
        raise RuntimeError(
            f"{where}() cannot be differentiated, and this tensor requires grad; call it "
            f"under pt.no_grad(), or on x.detach()"
        )


def _callable(where: str, fn: Any) -> None:
    if not callable(fn):
        raise TypeError(f"{where}() expects a function; got {type(fn).__name__}")


class TensorHostMethods:
    """``x.apply_(fn)``, ``x.map_(y, fn)`` and ``x.data_ptr()``, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([1.0, 2.0]).apply_(lambda v: v * 10)
    tensor([10., 20.], backend='numpy')
    """

    __slots__ = ()

    def apply_(self, callable: Callable[[Any], Any]) -> Tensor:
        """Replace each element with ``callable(element)``, called in Python with the
        element as a Python number (slow: for small tensors), as PyTorch's ``apply_``. The
        results are cast to the tensor's dtype.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.asarray([1, 2, 3]).apply_(lambda v: v * v)
        tensor([1, 4, 9], backend='numpy')
        """
        _callable("apply_", callable)
        _refuse_graph("apply_", self)
        return _written("apply_", self, [callable(v) for v in _elements("apply_", self)])  # type: ignore[no-any-return]

    def map_(self, tensor: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:
        """Replace each element ``a`` with ``callable(a, b)``, ``b`` the element of
        ``tensor`` (broadcast to this tensor's shape) at the same place, as PyTorch's
        ``map_``.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.asarray([1.0, 2.0]).map_(pt.asarray([10.0, 20.0]), lambda a, b: a + b)
        tensor([11., 22.], backend='numpy')
        """
        _callable("map_", callable)
        if not isinstance(tensor, TensorBase):
            raise TypeError(f"map_() expects a tensor; got {type(tensor).__name__}")
        _refuse_graph("map_", self)
        other = broadcast_to(tensor.to(self._backend.name).detach(), tuple(self.shape))  # type: ignore[attr-defined]
        pairs = zip(_elements("map_", self), _elements("map_", other), strict=True)
        return _written("map_", self, [callable(a, b) for a, b in pairs])  # type: ignore[no-any-return]

    def data_ptr(self) -> int:
        """The address of the tensor's first element in memory, as PyTorch's ``data_ptr``:
        tensors (views) that share memory there give the same address.

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.zeros(4)
        >>> x.data_ptr() == x[:2].data_ptr(), x.data_ptr() == x.clone().data_ptr()
        (True, False)
        """
        d = self._data  # type: ignore[attr-defined]
        for name in ("__array_interface__", "__cuda_array_interface__"):
            face = getattr(d, name, None)
            if face is not None:
                return int(face["data"][0])
        b = self._backend  # type: ignore[attr-defined]
        raise RuntimeError(
            f"data_ptr(): the {b.name} backend's arrays show no memory address"
            f"{' (they are computed on request)' if b.lazy else ''}; compare values with "
            f"(x == y).all() instead, or check sharing on the NumPy backend"
        )
