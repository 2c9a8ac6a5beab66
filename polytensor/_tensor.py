"""``polytensor.Tensor``: the class users see, at the top of the package's layers.

Fields and delegation only: its bases give it the standard's attributes (``TensorBase``), the
operators (``TensorOperators``, from the op table) and PyTorch's methods (``TensorMethods``);
autograd behaviour lives in ``polytensor.autograd``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _tape
from ._config import parse_device
from ._format import tensor_repr
from ._methods import TensorMethods
from ._ops.creation import asarray
from ._ops.linear_algebra import matrix_transpose
from ._ops.manipulation import _copy, permute_dims
from ._tensor_base import TensorBase
from ._tensor_ops import TensorOperators
from ._transfer import move
from .autograd import no_grad

if TYPE_CHECKING:
    from types import ModuleType


__all__ = ["Tensor"]

SUPPORTED_API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12", "2025.12")


class Tensor(TensorBase, TensorMethods, TensorOperators, concrete=True):
    """An array of the Array API standard, on one backend, with autograd state.

    Its fields and the standard's attributes come from ``TensorBase``, its operators from
    ``TensorOperators`` (the op table's), PyTorch's methods from ``TensorMethods``. Create
    tensors with ``pt.asarray``, ``pt.tensor`` or the creation functions; calling
    ``Tensor(...)`` directly is an error.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[1.0, 2.0]])
    >>> x.shape, x.dtype, str(x.device)
    ((1, 2), polytensor.float32, 'numpy:cpu')
    """

    __slots__ = ()

    @property
    def T(self) -> Tensor:
        """Transpose of a 2-D tensor."""
        if self.ndim != 2:
            raise ValueError(
                f"T expects a 2-D tensor; got {self.ndim}-D; use x.mT for stacks "
                f"of matrices or pt.permute_dims for other layouts"
            )
        return permute_dims(self, (1, 0))

    @property
    def mT(self) -> Tensor:
        """Transpose of the last two dimensions."""
        return matrix_transpose(self)

    def __array_namespace__(self, /, *, api_version: str | None = None) -> ModuleType:
        """The ``polytensor`` module: this tensor's Array API namespace.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.ones(1).__array_namespace__() is pt
        True
        """
        if api_version is not None and api_version not in SUPPORTED_API_VERSIONS:
            raise ValueError(
                f"__array_namespace__() got api_version={api_version!r}; "
                f"polytensor supports {', '.join(SUPPORTED_API_VERSIONS)}"
            )
        import polytensor

        return polytensor

    def to_device(self, device: Any, /, *, stream: Any = None) -> Tensor:
        """Copy (or move) this tensor to ``device``: a ``Device``, or a string such as
        ``"dask:cpu"``; moving to another backend's device moves it to that backend.

        Examples
        --------
        >>> import polytensor as pt
        >>> str(pt.ones(2).to_device("dask:cpu").device)
        'dask:cpu'
        """
        if stream is not None:
            raise ValueError("to_device() got stream=...; polytensor does not support streams")
        backend, native = parse_device(device, "to_device")
        return move(self, backend, native)

    # -- copying and pickling ---------------------------------------------------------------
    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        if not isinstance(memo, dict):
            raise TypeError(f"__deepcopy__() expects a memo dict; got {type(memo).__name__}")
        if self._meta is not None and self._meta.node is not None:
            raise RuntimeError(
                "deepcopy of a tensor that is not a graph leaf; deepcopy x.detach() instead"
            )
        with no_grad():
            c = _copy(self)
        if _tape.requires_grad(self):
            _tape.set_requires_grad(c, True)
        memo[id(self)] = c
        grad = self._meta.grad if self._meta is not None else None
        if grad is not None:  # as PyTorch: a leaf's copy has a copy of its .grad
            c.grad = grad.__deepcopy__(memo)
        return c

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles as host data plus the backend's name (pt.save is the safe format to store).
        host = self._backend.to_numpy(self._data)
        return (_unpickle, (host, self._backend.name, _tape.requires_grad(self)))

    # -- display -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        return tensor_repr(self)

    def __str__(self) -> str:
        return self.__repr__()

    # -- PyTorch-style host bridge -----------------------------------------------------------
    def numpy(self) -> Any:
        """The data as a NumPy array; shares memory on the NumPy backend, else copies
        (computing, on a lazy backend).

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.zeros(2)
        >>> a = x.numpy(); a[0] = 1.0
        >>> x
        tensor([1., 0.], backend='numpy')
        """
        if _tape.requires_grad(self):
            raise RuntimeError(
                "numpy() of a tensor that requires grad; call x.detach().numpy() instead"
            )
        return self._backend.to_numpy(self._data)


def _unpickle(host: Any, backend: str, requires_grad: bool) -> Tensor:
    return asarray(host, device=backend, copy=True, requires_grad=requires_grad)
