"""The data of a tensor and the standard's attributes that need nothing but the data.

``TensorBase`` holds a tensor's fields (its backend's array, the backend, its autograd state);
``polytensor.Tensor`` (``_tensor.py``, at the top of the package) derives from it and adds the
operators and methods. The layers below ``Tensor`` recognise tensors by this class and create
them as ``TENSOR``, the concrete class, which ``Tensor`` registers when it is defined
(``class Tensor(TensorBase, concrete=True)``).
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _dtypes as dt
from ._checks import ExportError, OutOfRangeError, ScalarConversionError, check_copy
from ._config import GRAD_ENABLED
from ._consumers import array_api_library_converting, asked_by_laziness_probe
from ._device import Device
from ._shapes import SizeAttr

_COMPLEX_CAT = dt.CATEGORY_NAMES.index("complex floating-point")
# x.size of each shape seen (immutable ints), as made once
_SIZES: dict[tuple[int | None, ...], SizeAttr] = {}

if TYPE_CHECKING:
    from .backends import Backend

__all__ = ["SUBCLASSES", "TENSOR", "ZEROS_LOCK", "TensorBase", "settle_zeros"]


class TensorBase:
    """A tensor's fields and the standard's attributes read from them (``dtype``, ``shape``,
    ``device``...); the class of ``polytensor.Tensor`` and its subclasses.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._tensor_base import TensorBase
    >>> isinstance(pt.ones(2), TensorBase)
    True
    """

    __slots__ = ("__weakref__", "_backend", "_data", "_meta")
    # hashed by identity, as PyTorch's tensors (__eq__ is element-wise): set(model.parameters())
    # and dicts keyed by parameters work
    __hash__ = object.__hash__
    __array_priority__ = 1000

    _data: Any
    _backend: Backend
    _meta: Any
    # The tensor whose ``.data`` this one is, on an immutable backend (a slot of DataView):
    # an in-place change of this one, which rebinds its data, rebinds the owner's too.
    _owner: TensorBase | None = None
    # What writes an in-place change that rebound this tensor back into the tensor it views
    # (a method of _tensor.View); None for a tensor that views nothing
    _write_back: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "Tensor() cannot be called directly; create tensors with "
            "pt.asarray(data) or pt.tensor(data, requires_grad=...)"
        )

    def __init_subclass__(cls, concrete: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        global TENSOR
        if concrete:  # polytensor.Tensor: what the layers below create
            TENSOR = cls
            for hook in _WHEN_CONCRETE:
                hook(cls)
        else:  # nn.Parameter, ...: the table's fast paths take its instances as tensors
            SUBCLASSES.add(cls)

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
        return tuple(
            None if isinstance(s, float) and math.isnan(s) else int(s) for s in self._data.shape
        )

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self._data.shape)

    @property
    def size(self) -> SizeAttr | None:
        """Number of elements (PyTorch's ``numel()``); None when a dimension is unknown.

        Also callable, PyTorch's way: ``x.size()`` is the shape (a ``pt.Size``), ``x.size(d)``
        dimension ``d``."""
        shape = self.shape
        size = _SIZES.get(shape)  # (one per shape: x.size(0) at every step makes none)
        if size is None:
            if None in shape:
                return None
            size = SizeAttr(shape)  # type: ignore[arg-type]
            if len(_SIZES) < 4096:
                _SIZES[shape] = size
        return size

    # -- Python conversions ------------------------------------------------------------------
    def _scalar(self, where: str) -> Any:
        d = self._data
        if d.ndim != 0:
            if math.prod(d.shape) != 1:
                raise ScalarConversionError(
                    f"{where}() needs a tensor with one element; got shape {self.shape}; "
                    f"reduce it first (x.any(), x.all(), x.sum()) or pick one element (x[0])"
                )
            return self._backend.to_numpy(d).reshape(()).item()
        return self._backend.to_numpy(d).item()  # (a 0-d array: loss.item())

    def __bool__(self) -> bool:
        if self._backend.lazy and asked_by_laziness_probe(sys._getframe(1)):
            # Note: the standard lets a lazy implementation raise ValueError here; polytensor
            # does so for array-api-compat's laziness probe only (_consumers.py says why).
            raise ValueError(
                f"bool() of a lazy ({self._backend.name}) tensor asked by is_lazy_array(): "
                "the tensor is lazy; call pt.compute(x) or x.item() to get its value"
            )
        return bool(self._scalar("bool"))

    def __float__(self) -> float:
        if self._data.dtype in self._backend.cats[_COMPLEX_CAT]:
            raise TypeError("float() of a complex tensor; use complex(x) or pt.real(x)")
        self._refuse_library_detach("float")
        return float(self._scalar("float"))

    def __int__(self) -> int:
        if self.dtype.kind == "complex floating":
            raise TypeError("int() of a complex tensor; use complex(x) or pt.real(x)")
        v = self._scalar("int")
        if isinstance(v, float) and not math.isfinite(v):
            raise (OutOfRangeError if math.isinf(v) else ValueError)(
                f"int() of a tensor holding {v}; only finite values convert to int"
            )
        return int(v)

    def __complex__(self) -> complex:
        self._refuse_library_detach("complex")
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
            raise TypeError(
                "len() of a tensor whose first dimension is unknown (lazy); "
                "call pt.compute(x) first"
            )
        return n

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("__iter__(): iteration over a 0-d tensor")
        return (self[i] for i in range(len(self)))  # type: ignore[index]  # (a Tensor)

    def __dlpack__(
        self,
        /,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[Any, int] | None = None,
        copy: bool | None = None,
    ) -> Any:
        self._refuse_export("__dlpack__()", "pass x.detach() to from_dlpack")
        exposed(self)
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
        try:
            return data.__dlpack__(**kwargs)
        except (TypeError, ValueError, RuntimeError) as e:
            raise type(e)(f"__dlpack__(): {e}") from None
        except BufferError as e:  # (the standard's class for it, and a ValueError)
            raise ExportError(f"__dlpack__(): {e}") from None

    def __dlpack_device__(self) -> tuple[Any, int]:
        if self._backend.lazy:
            return (1, 0)  # kDLCPU: the computed result lands in host memory
        return self._data.__dlpack_device__()  # type: ignore[no-any-return]

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        self._refuse_export("__array__() (np.asarray(x))", "call np.asarray(x.detach())")
        copy = check_copy("__array__", copy)
        exposed(self)
        a = self._backend.to_numpy(self._data)
        if dtype is not None:
            try:
                a = a.astype(dtype, copy=bool(copy))
            except (TypeError, ValueError) as e:
                raise type(e)(f"__array__(): cannot convert to dtype {dtype!r}: {e}") from None
        elif copy:
            a = a.copy()
        return a

    # Note: as PyTorch, the paths that hand a tensor's memory to another library (NumPy's
    # __array__, DLPack) refuse a tensor that requires grad: the library's result would have no
    # gradient, and a write into the shared memory would corrupt the graph's saved values.
    # Detaching says so on purpose; a detached tensor still converts without a copy.
    def _refuse_export(self, what: str, fix: str) -> None:
        m = self._meta
        if m is not None and (m.requires_grad or m.node is not None):  # _tape.requires_grad
            raise RuntimeError(
                f"{what} of a tensor that requires grad: the result would share its memory "
                f"without its gradient; to detach on purpose, {fix}"
            )

    # Note: PyTorch allows float() of a tensor that requires grad, and so does polytensor in
    # a user's code; a library that took the tensor through the Array API and returns
    # float(...) of it would detach the user's result silently, so that caller is refused
    # (_consumers.py). Under no_grad() nothing is refused: no gradient is wanted there.
    def _refuse_library_detach(self, what: str) -> None:
        m = self._meta
        if m is None or not (m.requires_grad or m.node is not None) or not GRAD_ENABLED.get():
            return
        library = array_api_library_converting(sys._getframe(2))
        if library is not None:
            raise RuntimeError(
                f"{what}() of a tensor that requires grad, called by {library}: the Python "
                "number it makes has no gradient, so the library's result would be silently "
                "detached; for the gradient, compute the value with polytensor functions (or "
                "ask the library for an array result); for the number alone, pass x.detach() "
                "or call it under pt.no_grad()"
            )

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


# The concrete tensor class (polytensor.Tensor once it is defined), and its subclasses: the
# table's fast paths check ``type(x) is TENSOR or type(x) in SUBCLASSES``, so that plain
# tensors pay nothing for subclasses.
TENSOR: type[TensorBase] = TensorBase
SUBCLASSES: set[type] = set()
_WHEN_CONCRETE: list[Callable[[type[TensorBase]], None]] = []


def when_concrete(hook: Callable[[type[TensorBase]], None]) -> None:
    """Call ``hook(cls)`` when the concrete tensor class is defined (at once if it is): for
    modules below ``Tensor`` that keep it in a global of their own, read once per call of
    their hot paths.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._tensor_base import when_concrete
    >>> seen = []
    >>> when_concrete(seen.append)
    >>> seen == [pt.Tensor]
    True
    """
    _WHEN_CONCRETE.append(hook)
    if TENSOR is not TensorBase:
        hook(TENSOR)


_getrefcount = getattr(sys, "getrefcount", None)
# held while deferred zeros are written or replaced (settle_zeros; backward's _grads._add_into)
ZEROS_LOCK = threading.Lock()


def exposed(t: Any) -> None:
    """Before ``t``'s memory is handed out where polytensor does not see what writes it (a
    NumPy array, DLPack, a tensor sharing it): its deferred zeros are written
    (``settle_zeros``), and zeros that ``zero_()`` wrote no longer count as untouched, so that
    backward adds the next gradient to what the memory then holds rather than replacing it.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._tensor_base import exposed
    >>> g = pt.ones(2); _ = g.zero_(); exposed(g); g._meta.zeroed
    -1
    """
    settle_zeros(t, False)
    m = t._meta
    if m is not None and m.zeroed == m.version:
        m.zeroed = -1


def settle_zeros(t: Any, write: bool) -> None:
    """Write the zeros that ``zero_()`` left unwritten in ``t`` (``Writes.zeros_view``, kept
    by a leaf's ``.grad`` until backward replaces its data), into memory of ``t``'s own: before
    its data is handed out (``.grad``, ``numpy()``, ``__array__``, ``.data``) or, with
    ``write``, written in place. Any other tensor: nothing to do.

    Zeros that are shared already (a view of them, kept since) stay as they are for reading,
    and a write raises: the views could not see it.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._tensor_base import settle_zeros
    >>> x = pt.ones(2); settle_zeros(x, True); x
    tensor([1., 1.], backend='numpy')
    """
    m = t._meta
    if m is None or m.deferred != m.version:
        return
    with ZEROS_LOCK:  # (threads reading one .grad at once: one writes, the others wait)
        if m.deferred != m.version:
            return
        d = t._data
        # (t's reference, d's and getrefcount's argument: nothing else holds the zeros)
        if _getrefcount is not None and _getrefcount(d) <= 3:
            t._data = t._backend.copy(d)
            m.deferred = -1
            return
    if write:
        raise ValueError(
            "cannot write into this tensor: it is the .grad that zero_() returned, whose "
            "zeros are written only when the gradient is read, and a view of it kept since "
            "(x[0], x.T, x.reshape(...)) could not see the write; read the gradient through "
            "w.grad before taking views of it"
        )
