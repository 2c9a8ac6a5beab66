"""The Tensor: fields and delegation. Operators are attached by ``_tensor_ops`` from the op
table; PyTorch-style methods by ``_methods``; autograd behaviour lives in ``autograd``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import _dtypes as dt
from ._device import Device, parse_device

if TYPE_CHECKING:
    from types import ModuleType

    from .backends import Backend

__all__ = ["Tensor"]

SUPPORTED_API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12", "2025.12")


# Subclasses of Tensor (nn.Parameter, ...): the generated fast paths check ``type(x) is Tensor or
# type(x) in SUBCLASSES``, so that plain tensors pay nothing for them.
SUBCLASSES: set[type] = set()


class Tensor:
    """An array of the Array API standard, on one backend, with autograd state.

    Create tensors with ``pt.asarray``, ``pt.tensor`` or the creation functions; calling
    ``Tensor(...)`` directly is an error.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[1.0, 2.0]])
    >>> x.shape, x.dtype, str(x.device)
    ((1, 2), polytensor.float32, 'numpy:cpu')
    """

    __slots__ = ("_data", "_backend", "_meta", "__weakref__")
    __hash__ = None  # type: ignore[assignment]  # __eq__ is element-wise
    __array_ufunc__ = None  # NumPy defers to our reflected operators instead of converting us
    __array_priority__ = 1000

    _data: Any
    _backend: Backend
    _meta: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("Tensor() cannot be called directly; create tensors with "
                        "pt.asarray(data) or pt.tensor(data, requires_grad=...)")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        SUBCLASSES.add(cls)  # the table's fast paths take its instances as they take tensors

    # -- the standard's attributes -----------------------------------------------------------
    @property
    def dtype(self) -> dt.DType:
        """Data type of the elements (a polytensor dtype, the same on every backend)."""
        b = self._backend
        d = b.from_native.get(self._data.dtype)
        return d if d is not None else b.dtype_of(self._data.dtype)

    @property
    def device(self) -> Device:
        """The backend and device this tensor lives on, e.g. ``Device('numpy:cpu')``."""
        b = self._backend
        return Device(b, b.device_of(self._data))

    @property
    def shape(self) -> tuple[int | None, ...]:
        """Dimensions; an unknown (data-dependent, lazy) dimension is None."""
        if not self._backend.lazy:
            return self._data.shape  # type: ignore[no-any-return]
        return tuple(None if isinstance(s, float) and math.isnan(s) else int(s)
                     for s in self._data.shape)

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self._data.shape)

    @property
    def size(self) -> int | None:
        """Number of elements (PyTorch's ``numel()``); None when a dimension is unknown."""
        shape = self.shape
        if any(s is None for s in shape):
            return None
        return math.prod(shape)  # type: ignore[arg-type]

    @property
    def T(self) -> Tensor:  # noqa: N802 - the standard's name
        """Transpose of a 2-D tensor."""
        if self.ndim != 2:
            raise ValueError(f"T expects a 2-D tensor; got {self.ndim}-D; use x.mT for stacks "
                             f"of matrices or pt.permute_dims for other layouts")
        from ._ops.manipulation import permute_dims

        return permute_dims(self, (1, 0))  # type: ignore[no-any-return]

    @property
    def mT(self) -> Tensor:  # noqa: N802 - the standard's name
        """Transpose of the last two dimensions."""
        from ._ops.linear_algebra import matrix_transpose

        return matrix_transpose(self)  # type: ignore[no-any-return]

    def __array_namespace__(self, /, *, api_version: str | None = None) -> ModuleType:
        """The ``polytensor`` module: this tensor's Array API namespace.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.ones(1).__array_namespace__() is pt
        True
        """
        if api_version is not None and api_version not in SUPPORTED_API_VERSIONS:
            raise ValueError(f"__array_namespace__() got api_version={api_version!r}; "
                             f"polytensor supports {', '.join(SUPPORTED_API_VERSIONS)}")
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
        from ._transfer import move

        return move(self, backend, native)

    # -- Python conversions ------------------------------------------------------------------
    def _scalar(self, where: str) -> Any:
        if self._data.ndim != 0 and self.size != 1:
            raise ValueError(f"{where}() needs a tensor with one element; got shape {self.shape}")
        return self._backend.to_numpy(self._data).reshape(()).item()

    def __bool__(self) -> bool:
        return bool(self._scalar("bool"))

    def __float__(self) -> float:
        if self.dtype.kind == "complex floating":
            raise TypeError("float() of a complex tensor; use complex(x) or pt.real(x)")
        return float(self._scalar("float"))

    def __int__(self) -> int:
        if self.dtype.kind == "complex floating":
            raise TypeError("int() of a complex tensor; use complex(x) or pt.real(x)")
        v = self._scalar("int")
        if isinstance(v, float) and not math.isfinite(v):
            raise (OverflowError if math.isinf(v) else ValueError)(
                f"int() of a tensor holding {v}; only finite values convert to int")
        return int(v)

    def __complex__(self) -> complex:
        return complex(self._scalar("complex"))

    def __index__(self) -> int:
        if self.dtype.kind not in ("signed integer", "unsigned integer"):
            raise TypeError(f"__index__() needs an integer tensor; got {self.dtype.name}")
        if self._data.ndim != 0:
            raise TypeError(f"__index__() needs a 0-d tensor; got shape {self.shape}")
        return int(self._scalar("__index__"))

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        n = self.shape[0]
        if n is None:
            raise TypeError("len() of a tensor whose first dimension is unknown (lazy); "
                            "call pt.compute(x) first")
        return n

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self)))

    def __dlpack__(self, /, *, stream: Any = None, max_version: tuple[int, int] | None = None,
                   dl_device: tuple[Any, int] | None = None, copy: bool | None = None) -> Any:
        data = self._data
        if self._backend.lazy:  # DLPack shares memory: a lazy array has none until computed
            data = self._backend.to_numpy(data)
        kwargs: dict[str, Any] = {}
        if stream is not None:
            kwargs["stream"] = stream
        if max_version is not None:
            kwargs["max_version"] = max_version
        if dl_device is not None:
            kwargs["dl_device"] = dl_device
        if copy is not None:
            kwargs["copy"] = copy
        return data.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple[Any, int]:
        if self._backend.lazy:
            return (1, 0)  # kDLCPU: the computed result lands in host memory
        return self._data.__dlpack_device__()  # type: ignore[no-any-return]

    # -- copying and pickling ---------------------------------------------------------------
    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        from .autograd._graph import requires_grad

        if self._meta is not None and self._meta.node is not None:
            raise RuntimeError("deepcopy of a tensor that is not a graph leaf; deepcopy "
                               "x.detach() instead")
        from ._ops.manipulation import _copy
        from .autograd import _graph

        with _no_grad():
            c = _copy(self)
        if requires_grad(self):
            _graph.set_requires_grad(c, True)
        memo[id(self)] = c
        grad = self._meta.grad if self._meta is not None else None
        if grad is not None:  # as PyTorch: a leaf's copy has a copy of its .grad
            c.grad = grad.__deepcopy__(memo)
        return c  # type: ignore[no-any-return]

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles as host data plus the backend's name (pt.save is the safe format to store).
        from .autograd._graph import requires_grad

        host = self._backend.to_numpy(self._data)
        return (_unpickle, (host, self._backend.name, requires_grad(self)))

    # -- display -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        from ._format import tensor_repr

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
        from .autograd._graph import requires_grad

        if requires_grad(self):
            raise RuntimeError("numpy() of a tensor that requires grad; call "
                               "x.detach().numpy() instead")
        return self._backend.to_numpy(self._data)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        a = self._backend.to_numpy(self._data)
        if dtype is not None:
            a = a.astype(dtype)
        return a

    def item(self) -> Any:
        """The single element as a Python scalar (computing, on a lazy backend).

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.asarray([2.5]).item()
        2.5
        """
        return self._scalar("item")

    def tolist(self) -> Any:
        """Nested lists of Python scalars (computing, on a lazy backend).

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.asarray([[1, 2]]).tolist()
        [[1, 2]]
        """
        return self._backend.to_numpy(self._data).tolist()


def _no_grad() -> Any:
    from .autograd import no_grad

    return no_grad()


def _unpickle(host: Any, backend: str, requires_grad: bool) -> Tensor:
    from ._ops.creation import asarray

    return asarray(host, device=backend, copy=True, requires_grad=requires_grad)
