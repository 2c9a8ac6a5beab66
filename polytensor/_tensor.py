"""``polytensor.Tensor``: the class users see, at the top of the package's layers.

Fields and delegation only: its bases give it the standard's attributes (``TensorBase``), the
operators (``TensorOperators``, from the op table) and PyTorch's methods (``TensorMethods``,
``TensorMathMethods``); autograd behaviour lives in ``polytensor.autograd``."""

from __future__ import annotations

import sys
import threading
import weakref
from typing import TYPE_CHECKING, Any, cast

from . import _config, _inplace, _tape
from . import _dtypes as dt
from . import _namespace_views as _nv
from ._checks import ExportError, OutOfRangeError
from ._config import get_default_dtype, parse_device
from ._consumers import note_namespace_request
from ._extras import tensor
from ._format import tensor_repr
from ._interop import array_function, array_ufunc
from ._methods import TensorMethods
from ._methods_aliases import TensorAliasMethods
from ._methods_host import TensorHostMethods
from ._methods_index import TensorIndexMethods
from ._methods_linalg import TensorLinalgMethods
from ._methods_math import TensorMathMethods
from ._methods_random import TensorRandomMethods
from ._methods_reshape import TensorReshapeMethods
from ._ops._registry import OPS
from ._ops.creation import asarray, zeros
from ._ops.elementwise import conj as _namespace_conj
from ._ops.elementwise import imag as _namespace_imag
from ._ops.elementwise import real as _namespace_real
from ._ops.linear_algebra import matrix_transpose
from ._ops.manipulation import _copy, permute_dims, squeeze
from ._pytorch import TENSOR_HINTS, missing_attribute
from ._shapes import Size
from ._tensor_base import TensorBase, exposed
from ._tensor_ops import (
    PRIVATE,
    WHOLE,
    ImagPart,
    Permuted,
    RealPart,
    TensorOperators,
    getitem_tensor,
    quick_view,
    register_view,
    whole_view,
)
from ._transfer import move
from .autograd import no_grad

if TYPE_CHECKING:
    from types import ModuleType

_PERMUTE = OPS["permute_dims"]


__all__ = ["Tensor"]

SUPPORTED_API_VERSIONS = ("2021.12", "2022.12", "2023.12", "2024.12", "2025.12")


class _Missing:
    """A PyTorch attribute ``Tensor`` does not have (``x.bmm``, ``x.is_cuda``): reading it
    raises the ``AttributeError`` that says so and names the polytensor way."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:  # the class's attribute: the descriptor itself
            return self
        raise missing_attribute("'Tensor' object", self.name, TENSOR_HINTS)


class Tensor(
    TensorBase,
    TensorMethods,
    TensorMathMethods,
    TensorIndexMethods,
    TensorReshapeMethods,
    TensorRandomMethods,
    TensorLinalgMethods,
    TensorHostMethods,
    TensorAliasMethods,
    TensorOperators,
    concrete=True,
):
    """An array of the Array API standard, on one backend, with autograd state.

    Its fields and the standard's attributes come from ``TensorBase``, its operators from
    ``TensorOperators`` (the op table's), PyTorch's methods from ``TensorMethods`` and
    ``TensorMathMethods``. Create tensors with ``pt.asarray``, ``pt.tensor`` or the creation
    functions; ``Tensor(...)`` is PyTorch's legacy constructor: ``Tensor(data)`` a copy of
    ``data`` in the default float dtype, ``Tensor(2, 3)`` a zero-filled tensor of that shape
    (PyTorch leaves it uninitialised), ``Tensor()`` an empty one.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[1.0, 2.0]])
    >>> x.shape, x.dtype, str(x.device)
    ((1, 2), polytensor.float32, 'numpy:cpu')
    >>> pt.Tensor([1, 2]), pt.Tensor(2, 3).shape
    (tensor([1., 2.], backend='numpy'), (2, 3))
    """

    __slots__ = ()
    # NumPy's protocols: operators with ndarrays promote them, other NumPy calls are refused
    __array_ufunc__ = array_ufunc
    __array_function__ = array_function

    def __new__(cls, *data: Any, device: Any = None) -> Tensor:  # noqa: PYI034 - a factory
        return _legacy_constructor(data, device)

    def __init__(self, *data: Any, device: Any = None) -> None:
        pass  # everything happens in __new__

    @property
    def T(self) -> Tensor:
        """Transpose of a 2-D tensor."""
        if self.ndim != 2:
            raise ValueError(
                f"T expects a 2-D tensor; got {self.ndim}-D; use x.mT for stacks "
                f"of matrices or pt.permute_dims for other layouts"
            )
        r = quick_view(self, _PERMUTE, {"axes": (1, 0)}, Permuted((1, 0)))
        if r is not None:
            return r
        return whole_view(permute_dims(self, axes=(1, 0)), self, Permuted((1, 0)))

    @property
    def mT(self) -> Tensor:
        """Transpose of the last two dimensions."""
        n = self.ndim
        axes = (*range(n - 2), n - 1, n - 2) if n >= 2 else ()
        return whole_view(matrix_transpose(self), self, Permuted(axes))

    @property
    def mH(self) -> Tensor:
        """The conjugate transpose of the last two dimensions (``x.mT.conj()``), as PyTorch's.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.asarray([[1 + 2j, 3j]]).mH
        tensor([[1.-2.j],
                [0.-3.j]], dtype=polytensor.complex64, backend='numpy')
        """
        if self.ndim < 2:
            raise RuntimeError(
                f"x.mH is for matrices or stacks of them (2-D or more); this tensor is "
                f"{self.ndim}-D: use x.conj() for it"
            )
        t = self.mT
        return t.conj() if self.dtype.kind == "complex floating" else t

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix (``x.T.conj()``), as PyTorch's.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.asarray([[1.0, 2.0]]).H.shape
        (2, 1)
        """
        if self.ndim != 2:
            raise RuntimeError(
                f"x.H is for matrices (2-D tensors); this tensor is {self.ndim}-D: use x.mH "
                f"for stacks of matrices or x.conj() for a vector"
            )
        return self.mH

    @property
    def real(self) -> Tensor:
        """The real part, as PyTorch's attribute: a complex tensor's is ``pt.real(x)``; a real
        tensor's is the tensor itself.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.asarray([1 + 2j]).real
        tensor([1.], backend='numpy')
        """
        if self.dtype.kind != "complex floating":
            return self
        return whole_view(_namespace_real(self), self, RealPart())  # (a view, as PyTorch's)

    @property
    def imag(self) -> Tensor:
        """The imaginary part of a complex tensor (``pt.imag(x)``), as PyTorch's attribute; a
        real tensor has none.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.asarray([1 + 2j]).imag
        tensor([2.], backend='numpy')
        """
        if self.dtype.kind != "complex floating":
            raise RuntimeError(
                f"x.imag is for complex tensors; this one is {self.dtype.name}, whose imaginary "
                f"part is zero: use pt.zeros_like(x)"
            )
        return whole_view(_namespace_imag(self), self, ImagPart())  # (a view, as PyTorch's)

    def conj(self) -> Tensor:
        """The complex conjugate, a view of a complex tensor (``pt.conj``): a change of it in
        place reaches this tensor, conjugated, as PyTorch's; a real tensor's is the tensor
        itself.

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.asarray([1 + 2j])
        >>> _ = x.conj().mul_(2)
        >>> x
        tensor([2.+4.j], dtype=polytensor.complex64, backend='numpy')
        """
        if self.dtype.kind != "complex floating":
            return self  # (as PyTorch's)
        return _nv.conj(self)  # type: ignore[no-any-return]

    def conj_physical(self) -> Tensor:
        """The complex conjugate as a new tensor, no view (``pt.conj_physical``), as PyTorch's.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.asarray([1 + 2j]).conj_physical().is_conj()
        False
        """
        return _nv.conj_physical(self)  # type: ignore[no-any-return]

    def conj_physical_(self) -> Tensor:
        """Conjugate in place, as PyTorch's ``x.conj_physical_()``; a real tensor is left as
        it is.

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.asarray([1 + 2j]); _ = x.conj_physical_(); x
        tensor([1.-2.j], dtype=polytensor.complex64, backend='numpy')
        """
        if self.dtype.kind != "complex floating":
            return self
        return _inplace.assign_inplace(
            self, _namespace_conj(_inplace.alias_before_inplace(self)), "conj_physical_"
        )

    def is_conj(self) -> bool:
        """Whether the tensor is a conjugate view (``x.conj()``, ``x.mH``, views of them),
        PyTorch's conjugate bit (``pt.is_conj``).

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.asarray([1j]).conj().is_conj(), pt.asarray([1j]).is_conj()
        (True, False)
        """
        return _nv.is_conj(self)

    def resolve_conj(self) -> Tensor:
        """The tensor itself, or of a conjugate view a copy that views nothing, as PyTorch's
        (``pt.resolve_conj``).

        Examples
        --------
        >>> import polytensor as pt
        >>> z = pt.asarray([1j]).conj()
        >>> z.resolve_conj().is_conj(), z.resolve_conj() is z
        (False, False)
        """
        return _nv.resolve_conj(self)  # type: ignore[no-any-return]

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

        note_namespace_request(sys._getframe(1))  # a library dispatching on tensors
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

    if not TYPE_CHECKING:  # (type checkers keep flagging them as unknown attributes)
        # PyTorch's names that Tensor lacks: reading one raises an AttributeError that names
        # the polytensor way (descriptors, not __getattr__, which would slow every attribute
        # read of every tensor: CPython does not specialise attribute reads on such a class)
        half = _Missing()
        # (NumPy's spellings, which PyTorch keeps: the standard's names are x.acos(), ...)
        absolute = _Missing()
        arccos = _Missing()
        arccosh = _Missing()
        arcsin = _Missing()
        arcsinh = _Missing()
        arctan = _Missing()
        arctan2 = _Missing()
        arctanh = _Missing()

    @property
    def is_cuda(self) -> bool:
        """Whether the tensor is on a CUDA device (the CuPy backend's), as PyTorch's
        ``x.is_cuda``.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.ones(2).is_cuda
        False
        """
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        """Whether the tensor is in host memory (NumPy's, Dask's on the CPU, ...), as PyTorch's
        ``x.is_cpu``.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.ones(2).is_cpu
        True
        """
        return self.device.type == "cpu"

    # -- PyTorch's .data ----------------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """This tensor's data outside the graph (PyTorch's ``x.data``): in-place changes of it
        change this tensor, on every backend, without being recorded.

        Examples
        --------
        >>> import polytensor as pt
        >>> w = pt.ones(2, requires_grad=True)
        >>> _ = w.data.sub_(pt.asarray([0.5, 0.25]))
        >>> w
        tensor([0.5 , 0.75], backend='numpy', requires_grad=True)
        """
        if self._backend.mutable:
            exposed(self)
            return _tape._detached(self)  # type: ignore[no-any-return]  # shares memory
        view = object.__new__(DataView)
        view._backend = self._backend
        view._meta = None
        view._owner = self
        return view

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, TensorBase):
            raise TypeError(f"data must be a Tensor; got {type(value).__name__}")
        if value._backend.name != self._backend.name:
            raise ValueError(
                f"data= got a tensor of backend {value._backend.name!r} for one of "
                f"{self._backend.name!r}; move it first with value.to({self._backend.name!r})"
            )
        old = self._data
        new = self._data = value._data
        _tape.bump_version(self, written=False)  # (rebound: no memory was written)
        # Views taken before keep the old data, as PyTorch's keep the old storage (View): the
        # old data is noted, unless nothing else holds it (then no view can) or it is the new.
        if old is new or _tape.only_held_by(old, 1):
            return
        m = self._meta
        if m is None:
            m = self._meta = _tape.Meta()
        try:
            ref = weakref.ref(old)
        except TypeError:  # (an array type without weak references: views follow the new data)
            return
        kept = [r for r in m.swapped_out if r() is not None and r() is not new]
        m.swapped_out = (*kept, ref)

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
        # A value, its backend's name and the requires_grad flag; never the autograd graph (an
        # unpickled tensor is a leaf). A lazy backend's array travels as it is, task graph and
        # all, so pickling computes nothing: a Dask tensor sent to a cluster is computed there.
        # (pt.save is the safe format to store tensors.)
        return (_unpickle, (_pickled_value(self), self._backend.name, _tape.requires_grad(self)))

    def __dask_tokenize__(self) -> tuple[Any, ...]:
        # Dask tokenizes the arguments of client.submit/map (under a lock); without this it
        # would pickle the tensor to hash it. A Dask array's token is its name: nothing computes.
        from .backends._dask_scheduler import token_of

        return (
            "polytensor",
            type(self).__name__,
            self._backend.name,
            _tape.requires_grad(self),
            token_of(_pickled_value(self)),
        )

    # -- display -----------------------------------------------------------------------------
    def __repr__(self) -> str:
        return tensor_repr(self)

    def __str__(self) -> str:
        return self.__repr__()

    def __format__(self, format_spec: str) -> str:
        """``format(t, spec)``: a 0-d tensor formats as its Python number, PyTorch's rule, so
        ``f"loss {loss:f}"`` and ``f"{acc:>0.1f}"`` run unchanged; any other tensor formats
        as its ``str`` with an empty spec and refuses a spec.

        Note: a 0-d tensor of a lazy backend (Dask) with an empty spec (``f"{loss}"``) keeps
        its placeholder, as ``str`` does, rather than computing; a spec computes it.

        Examples
        --------
        >>> import polytensor as pt
        >>> f"{pt.asarray(0.25):.3f}", f"{pt.asarray(3)}"
        ('0.250', '3')
        """
        if self.ndim == 0 and (format_spec or not self._backend.lazy):
            return format(self.item(), format_spec)
        if format_spec:
            raise TypeError(
                f"format() takes a format spec ({format_spec!r}) only for a 0-d tensor; got "
                f"shape {tuple(self.shape)}; format its numbers, e.g. [f'{{v:{format_spec}}}' "
                f"for v in t.tolist()]"
            )
        return str(self)

    # -- PyTorch-style host bridge -----------------------------------------------------------
    def numpy(self, *, force: bool = False) -> Any:
        """The data as a NumPy array; shares memory on the NumPy backend, else copies
        (computing, on a lazy backend). ``force=True``: of ``x.detach().resolve_conj()``, as
        PyTorch's (of a tensor that requires grad, or a conjugate view, whose ``numpy()`` is
        refused).

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.zeros(2)
        >>> a = x.numpy(); a[0] = 1.0
        >>> x
        tensor([1., 0.], backend='numpy')
        """
        if force:
            return self.detach().resolve_conj().numpy()
        if _tape.requires_grad(self):
            raise RuntimeError(
                "numpy() of a tensor that requires grad; call x.detach().numpy() instead"
            )
        exposed(self)
        return self._backend.to_numpy(self._data)

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """PyTorch's ``x.type()`` (its type's name) and ``x.type(dtype)`` (a cast):
        ``type_method``.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.ones(2).type(), pt.ones(2).type(pt.DoubleTensor).dtype
        ('torch.FloatTensor', polytensor.float64)
        """
        return type_method(self, dtype, non_blocking)


class DataView(Tensor):
    """``x.data`` on an immutable backend (Dask): a tensor outside the graph whose in-place
    changes, which rebind its data, rebind ``x``'s too; and whose data is always ``x``'s, so
    that it and its views (``w.data[0]``) show ``x``'s later in-place changes, as PyTorch's
    ``.data`` shares ``x``'s memory."""

    __slots__ = ("_owner",)

    @property  # (in front of TensorBase's slot: the owner's data, as it is now)
    def _data(self) -> Any:
        return cast(Any, self._owner)._data

    @_data.setter
    def _data(self, value: Any) -> None:
        cast(Any, self._owner)._data = value  # (rebind_owners then notes it on the owner)

    def __new__(cls, *args: Any, **kwargs: Any) -> DataView:  # noqa: PYI034
        raise TypeError("DataView is made by x.data; it has no constructor")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    # (x.data of a conjugate view x: its conjugate bit, which these refuse, as the view's do)
    def numpy(self, *, force: bool = False) -> Any:
        """As ``Tensor.numpy``; refused of a conjugate view's (``is_conj()``), as PyTorch's.

        Examples
        --------
        >>> import polytensor as pt
        >>> with pt.use_backend("dask"):
        ...     pt.asarray([1 + 2j]).conj().data.resolve_conj().numpy()
        array([1.-2.j], dtype=complex64)
        """
        if not force:
            _refuse_conj(self, RuntimeError, _NUMPY_CONJ, _NUMPY_FIX)
        return super().numpy(force=force)

    def __dlpack__(
        self,
        /,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[Any, int] | None = None,
        copy: bool | None = None,
    ) -> Any:
        if not copy:
            _refuse_conj(self, ExportError, _DLPACK_CONJ, _DLPACK_FIX)
        return super().__dlpack__(
            stream=stream, max_version=max_version, dl_device=dl_device, copy=copy
        )


class View(Tensor):
    """A tensor made by basic indexing of another (``x[0]``, ``x[1:, ::2]``, its base), or
    from all of it by a PyTorch-style method that returns a view there (``view``, ``reshape``
    and ``flatten`` where they need no copy, ``unsqueeze``, ``squeeze``, ``permute``,
    ``transpose``, ``t``): it shows the base's values as they are now, as PyTorch's views do,
    on every backend.

    - A write into the view's memory (NumPy, CuPy, array-api-strict, nothing recorded) is a
      write into the base's: nothing more to do.
    - An in-place change of the view that rebinds it instead (recorded for autograd, or on
      an immutable backend: Dask) is written back: ``base[key] = view`` (or ``base.copy_``
      of it reshaped or permuted back), itself recorded when the view is in a graph
      (PyTorch's ``CopySlices``).
    - A view whose base was rebound since (an in-place change of the base, recorded or on
      Dask) is taken from it again when it is next read, recorded as it was at first.
    - A view whose data cannot be the base's memory (``x.conj()``, whose values are the
      base's conjugated, on NumPy; ``pt.view_as_real`` on array-api-strict) holds memory of
      its own, a *private* view: a write into it (or into a view of it) is given back to the
      base at once (``_private_write``), and a write into the base's memory since it was
      taken makes it be taken again when next read, and makes backward refuse a node that
      read its values before (``_tape.note_derived``). Its ``detach()`` and ``.data`` are the
      same views taken again outside the graph, so that writes into them are given back too.

    Examples
    --------
    >>> import polytensor as pt
    >>> h = pt.ones(3, requires_grad=True)
    >>> out = pt.zeros(2, 3)
    >>> _ = out[0].copy_(h * 2)
    >>> out
    tensor([[2., 2., 2.],
            [0., 0., 0.]], backend='numpy', grad_fn=<PutBackward0>)
    """

    # _vdata and _vmeta hold what _data and _meta (properties here, in front of TensorBase's
    # slots, which a view leaves unset) give once the view is up to date
    __slots__ = (
        "_base",
        "_bver",
        "_given",
        "_key",
        "_looked_at",
        "_looked_rel",
        "_recorded",
        "_seen",
        "_taken",
        "_vdata",
        "_vmeta",
        "_vver",
    )
    _base: TensorBase
    _bver: int  # the base's version when the view was taken from it
    # whether the view's state is that of the value an in-place change of it gave back to the
    # base (_taken_again), not that of a view of the base's new value (PyTorch's view node after
    # CopySlices, which _refresh makes)
    _given: bool
    _vver: int  # the view's own version then
    # _tape._inplace_count and _tape.releases when the view's node was last found up to date:
    # until either moves, it still is
    _looked_at: int
    _looked_rel: int
    _key: Any
    _recorded: bool
    _seen: Any  # the base's data that the view's data views
    # a private view's: _tape._inplace_count when it took its data from the base's memory (a
    # write there since makes it stale, _stale); -1 for a view of the base's memory
    _taken: int
    _vdata: Any
    _vmeta: Any

    def __new__(cls, *args: Any, **kwargs: Any) -> View:  # noqa: PYI034
        raise TypeError("View is made by indexing a tensor (x[0]); it has no constructor")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    @property  # (in front of TensorBase's slot)
    def _data(self) -> Any:
        base = self._base
        if base.__class__ is View:
            _settle(self)
        elif base._data is not self._seen or (self._taken >= 0 and _stale(self, self._seen)):
            self._refresh()
        return self._vdata

    @_data.setter
    def _data(self, value: Any) -> None:
        self._vdata = value

    @property
    def _meta(self) -> Any:
        _ = self._data  # (brings the view up to date)
        m = self._vmeta
        if (
            m is not None
            and m.node is not None
            and (self._looked_at != _tape._inplace_count or self._looked_rel != _tape.releases)
        ):
            # A view in a graph is taken from its base again, as PyTorch makes its view's node
            # again, when it or its base changed in place since (in memory, under no_grad: an
            # optimizer's step), or when a backward() released its node: PyTorch's view node,
            # which saves no tensor, takes another backward (``Wt = W.t()`` made once and used
            # at every training step).
            # (the views it views first, from the top, in a loop; inside that loop, the bases
            # read while each is taken again are up to date already)
            if not _REGRAPHING.__dict__.get("on"):
                _regraph(self)
            m = self._vmeta
        return m

    @_meta.setter
    def _meta(self, value: Any) -> None:
        self._vmeta = value

    def _refresh(self, released: bool = False) -> None:
        """Take ``base[key]`` again (the base was rebound, or changed in place): in the graph
        as the view was made (grad mode then), a change of value to whatever saved the view
        (its version). ``released``: the base is as it was, but backward released the node
        that made the view: the same values in a graph again, with the view's hooks."""
        base = self._base
        bm = base._meta  # (the base is up to date: _settle brings chains down from the top)
        if bm is not None and any(r() is self._seen for r in bm.swapped_out):
            was = next(getattr(r, "was", None) for r in bm.swapped_out if r() is self._seen)
            if was is not None:
                # (the base, a view, changed its own shape in place, v.unsqueeze_(0), after this
                # view was taken: this one views what the base was, as PyTorch's views the
                # same memory; _methods_reshape._view_reshaped_in_place)
                self._base = was
                _ = was._data  # (up to date)
                self._refresh(released)
                return
            # the base's .data was replaced (x.data = other): the view keeps the data it views
            keep = object.__new__(Tensor)
            keep._data = self._seen
            keep._backend = self._backend
            keep._meta = None
            self._base = keep
            return
        token = _GRAD.set(self._recorded)
        key = self._key
        try:
            fresh = key.take(base) if key.__class__ in WHOLE else getitem_tensor(base, key)
        finally:
            _GRAD.reset(token)
        self._seen = base._data
        self._bver = 0 if bm is None else bm.version
        self._vdata = fresh._data
        old = self._vmeta
        m = fresh._meta
        _tape.keep_for_views(m)
        if old is not None:
            if old.node is None and old.requires_grad and (m is None or m.node is None):
                m = old  # a leaf of its own (v.requires_grad_()): it stays that leaf
            elif m is None:
                m = _tape.Meta()
            m.version = old.version + (0 if released else 1)
            if m is not old and old.swapped_out:  # (views of it that keep their data)
                m.swapped_out = old.swapped_out
            if m is not old and old.retains_grad:  # (retain_grad(): the new value's grad, as
                old.retains_grad = False  # after any in-place change)
                m.retains_grad = True
                _tape.mark_special(m)
            if m is not old and old.grad is not None:  # (.grad is the view's, as in PyTorch)
                m.grad = old.grad
            if released and m is not old and old.hooks and m.node is not None:
                # (the same view, as far as the program can tell: its hooks, the same list, so
                # that a hook's handle removes it from both)
                m.hooks = old.hooks
                _tape.mark_special(m)
        self._vmeta = m
        self._vver = 0 if m is None else m.version
        self._given = False
        if self._taken >= 0:
            self._taken = _tape._inplace_count
            _tape.note_derived(self._backend, self._vdata, self._seen)

    def retain_grad(self) -> None:
        """As ``Tensor.retain_grad``; after an in-place change of the view, the grad retained
        is that of the view taken again from its base, as PyTorch's (its grad_fn is then a view
        of ``CopySlices``): a loss that reaches the view's new value only through the base
        gives it none.

        Examples
        --------
        >>> import polytensor as pt
        >>> w = pt.ones(4, requires_grad=True)
        >>> b = w * 2
        >>> v = b[1:3]
        >>> _ = v.mul_(2)
        >>> v.retain_grad()
        >>> b.sum().backward()
        >>> v.grad is None
        True
        """
        _ = self._data  # (up to date)
        if self._given:
            self._refresh(released=True)
        super().retain_grad()

    def detach(self) -> Tensor:
        """As ``Tensor.detach``; of a private view (``x.conj()`` on NumPy), or a view of one, the
        same views taken again, outside the graph, from its first base's ``detach()``: a change
        of it in place reaches the base as one of this view does, and it is a conjugate view
        where this one is, as PyTorch's keeps the conjugate bit and the memory.

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.asarray([1 + 2j])
        >>> d = x.conj().detach()
        >>> _ = d.mul_(2)
        >>> x, d.is_conj()
        (tensor([2.+4.j], dtype=polytensor.complex64, backend='numpy'), True)
        """
        if _lowest_private(self) is None:
            return super().detach()
        return _detached_chain(self)

    @property
    def data(self) -> Tensor:
        """As ``Tensor.data``; of a private view (``x.conj()`` on NumPy), or a view of one, as
        ``detach()`` makes it: a change of it in place reaches the base.

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.asarray([1 + 2j])
        >>> _ = x.conj().data.mul_(2)
        >>> x
        tensor([2.+4.j], dtype=polytensor.complex64, backend='numpy')
        """
        if _lowest_private(self) is None:
            return super().data
        return _detached_chain(self)

    @data.setter
    def data(self, value: Tensor) -> None:
        cast(Any, Tensor.data).__set__(self, value)

    def numpy(self, *, force: bool = False) -> Any:
        """As ``Tensor.numpy``; refused of a conjugate view (``is_conj()``), as PyTorch refuses
        it (``force=True``: a copy of its values). Note: of a view of a private view
        (``x.conj().real`` on NumPy), whose memory is its own, not the base's, a read-only
        array: a write into it could not reach the base.

        Examples
        --------
        >>> import polytensor as pt
        >>> x = pt.asarray([1 + 2j])
        >>> x.conj().resolve_conj().numpy(), x.conj().real.numpy().flags.writeable
        (array([1.-2.j], dtype=complex64), False)
        """
        if force:
            return super().numpy(force=True)
        if not _tape.requires_grad(self):  # (else Tensor.numpy's error first, as PyTorch's)
            _refuse_conj(self, RuntimeError, _NUMPY_CONJ, _NUMPY_FIX)
        return _read_only(self, super().numpy())

    # Note: np.asarray() of a conjugate view is not refused, as PyTorch's is: it is how
    # array-API libraries take the standard's conj() result into NumPy (array-api-compat makes
    # torch's conj() a copy for this); it is read-only where it is the view's own memory.
    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Any:
        return _read_only(self, super().__array__(dtype, copy))

    def __dlpack__(
        self,
        /,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[Any, int] | None = None,
        copy: bool | None = None,
    ) -> Any:
        if not copy:
            _refuse_conj(self, ExportError, _DLPACK_CONJ, _DLPACK_FIX)
            if _lowest_private(self) is not None:
                raise ExportError(
                    "__dlpack__() of a view whose memory is its own, not its base's (a view of "
                    "x.conj(), or of pt.view_as_real(x) where the backend cannot reinterpret "
                    "memory): the consumer's writes into it would not reach the base; expected "
                    "copy=True (from_dlpack(x, copy=True)), or export x.clone()"
                )
        return super().__dlpack__(
            stream=stream, max_version=max_version, dl_device=dl_device, copy=copy
        )

    def _write_back(self, untracked: bool = False) -> None:
        """After an in-place change rebound this view: ``base[key] = view``; ``untracked``:
        the change came through ``.data`` (or is a gradient's accumulation), so it is given
        back outside the graph, as a change of ``base.data``.

        The base, a view itself, writes back in turn once this returns: a loop over the
        chain (``_PENDING``), not a recursion, however long it is."""
        pending = _PENDING.__dict__.get("views")
        if pending is not None:  # (inside a write-back: the loop below takes it)
            pending.append((self, untracked))
            return
        pending = _PENDING.views = [(self, untracked)]
        try:
            while pending:
                view, flag = pending.pop()
                view._give_back(flag)
        finally:
            _PENDING.views = None

    def _give_back(self, untracked: bool) -> None:
        alias = object.__new__(Tensor)
        alias._data = self._vdata
        alias._backend = self._backend
        m = alias._meta = None if untracked else self._vmeta
        key = self._key
        base = self._base
        # A recorded change (the view's new value in the graph, the view and its base taken with
        # grad mode on, as now): the base is rebound to its value with the view's written in,
        # and the view stays a view of it, as it is (below)
        recorded = (
            m is not None
            and m.node is not None
            and self._recorded
            and (base.__class__ is Tensor or base.__class__ is View)
            and _GRAD.get()
        )
        if recorded and key.__class__ in WHOLE:
            # (all of the base: the view's value given back is the base's new value, which
            # shares the view's memory; no copy_ of it into the base, which would record a
            # where() and leave the view to be taken again)
            r = key.back(base, alias)
            base._data = r._data
            # (a view's state, up to date: the change of this view read it, _regraph)
            _inplace.after_inplace(base, r, base._vmeta if base.__class__ is View else base._meta)
            _taken_again(self, base, self._vdata)
            if base._write_back is not None:  # (a view of a view: the loop of _write_back)
                base._write_back()
            return
        token = _GRAD.set(False) if untracked else None
        try:
            if key.__class__ in WHOLE:
                key.give(base, alias)
                if self._taken >= 0:  # (the base's memory now holds the view's values)
                    self._taken = _tape._inplace_count
                return
            items = key if key.__class__ is tuple else (key,)
            if any(k is None for k in items):
                # new axes: written without them (array-api-strict refuses None in a write)
                key, alias = _without_new_axes(items, alias, base.ndim)
            base[key] = alias  # type: ignore[index]  # (a Tensor)
        finally:
            if token is not None:
                _GRAD.reset(token)
        if recorded:
            b = self._backend
            bd = base._vdata if base.__class__ is View else base._data
            if b.memory_root is None:  # (immutable: the view's value is base[key]'s)
                _taken_again(self, base, self._vdata)
                return
            try:  # the view's data: base[key] of the base's new data, its memory shared
                vd = b.fns[_GETITEM.index](bd, self._key)
            except Exception:  # noqa: BLE001 - taken again when next read, as the key says
                return
            if vd.__class__ is not b.array_type:
                vd = b.as_array(vd)
            if vd.shape == self._vdata.shape:
                _taken_again(self, base, vd)


def _taken_again(view: View, base: Any, data: Any) -> None:
    """After ``view``'s recorded change was given back to ``base``: make ``data`` (``base[key]``
    as the base is now, sharing its memory) the view's data, its node the one that made its
    new value, with nothing to take again from the base; unless the two share no memory (a
    backend's reshape that copied), or the view retains its grad (``_refresh`` moves that to a
    view taken again, as PyTorch's view of ``CopySlices`` gets it: until then the view's state
    only says that it retains its grad)."""
    bd = base._vdata if base.__class__ is View else base._data
    root = view._backend.memory_root
    m = view._vmeta
    if m.retains_grad:
        # (as PyTorch's: the grad retained is the view's taken again from the base, a node
        # after CopySlices that a loss reaches only by reading the view again; the value
        # written into the view reaches a loss through the base, and its gradient there is
        # not the view's, so it is retained no more)
        m.retains_grad = False
        pending = _tape.Meta()
        pending.version = m.version
        pending.retains_grad = True
        view._vmeta = pending
        return
    if root is not None and root(bd) is not root(data):
        return
    bm = base._vmeta if base.__class__ is View else base._meta
    view._vdata = data
    view._seen = bd
    view._bver = 0 if bm is None else bm.version
    view._vver = m.version
    view._given = True


def _without_new_axes(items: tuple[Any, ...], value: Any, ndim: int) -> tuple[Any, Any]:
    """A basic index with new axes (None) and the value ``base[index]`` had: the index
    without them, and the value with those axes squeezed out."""
    n_indexing = sum(1 for k in items if k is not None and k is not Ellipsis)
    axis = 0
    new_axes = []
    for k in items:
        if k is None:
            new_axes.append(axis)
            axis += 1
        elif k is Ellipsis:
            axis += ndim - n_indexing
        elif k.__class__ is slice:
            axis += 1
    return tuple(k for k in items if k is not None), squeeze(value, tuple(new_axes))


# per thread, the views waiting to write back while one does (View._write_back)
_PENDING = threading.local()


def _settle(view: View) -> None:
    """Bring ``view`` and the views it is a view of up to date, from the first base down: a
    loop, not a recursion, however long the chain (``v = v[1:]`` a thousand times)."""
    v: Any = view
    while True:  # (first a look up the chain, with no list: most often each is up to date)
        b = v._base
        if b.__class__ is not View:
            if b._data is v._seen and not (v._taken >= 0 and _stale(v, v._seen)):
                return
            break
        if b._vdata is not v._seen or (v._taken >= 0 and _stale(v, v._seen)):
            break
        v = b
    chain = []
    v = view
    while v.__class__ is View:
        chain.append(v)
        v = v._base
    seen = v._data
    for w in reversed(chain):
        if seen is not w._seen or (w._taken >= 0 and _stale(w, seen)):
            w._refresh()
        seen = w._vdata


def _stale(view: View, base_data: Any) -> bool:
    """Whether private ``view``'s base, whose data is ``base_data``, was written in memory
    since the view took its values (``View._taken``)."""
    return _tape.written_since(view._backend, base_data, view._taken)


def _private_write(t: Any) -> None:
    """After a write into view ``t``'s memory: the first private view from ``t`` down its
    chain (``t`` itself, or one whose memory ``t`` views) gives its values back to its base,
    outside the graph (a write into memory records nothing)."""
    v = t
    while v._write_back is not None:
        if v._taken >= 0:
            v._write_back(True)
            return
        v = v._base


_tape.private_write = _private_write


_CHANGED, _RELEASED = 2, 1


def _graph_stale(view: View, bm: Any) -> int:
    """Whether ``view``'s node must be made again from its base, whose state is ``bm`` (up to
    date): ``_CHANGED`` when the view or its base changed in place since it was taken,
    ``_RELEASED`` when only a backward released its node, else 0. A base without autograd state
    (the data ``x.data = ...`` replaced, which the view keeps) gives no new node: a second
    backward through the released one then says the graph was freed."""
    m = view._vmeta
    if m is None or (node := _tape.node_of(m)) is None:
        return 0
    if (bm is not None and bm.version != view._bver) or m.version != view._vver:
        return _CHANGED
    return _RELEASED if node.needs is None and bm is not None else 0


def _regraph(view: View) -> None:
    """``_graph_stale``'s test and refresh for ``view`` and every view it is a view of, from the
    first base down, so that each view's base is up to date when it is tested: a loop, not a
    recursion, however long the chain (one step for a view of a tensor)."""
    chain = []
    v: Any = view
    while v.__class__ is View:
        chain.append(v)
        v = v._base
    _REGRAPHING.on = True
    try:
        for w in reversed(chain):
            b = w._base
            stale = _graph_stale(w, b._vmeta if b.__class__ is View else b._meta)
            if stale:
                w._refresh(released=stale == _RELEASED)
        at, rel = _tape._inplace_count, _tape.releases
        for w in chain:
            w._looked_at = at
            w._looked_rel = rel
    finally:
        _REGRAPHING.on = False


# per thread, whether _regraph is bringing a chain of views up to date
_REGRAPHING = threading.local()


def _lowest_private(t: Any) -> Any:
    """The private view nearest the first base in the chain of views from ``t`` down (``t``
    itself, or one whose memory ``t`` views), or None."""
    found = None
    while t._write_back is not None:
        if t._taken >= 0:
            found = t
        t = t._base
    return found


def _detached_chain(view: View) -> Tensor:
    """``view.detach()`` of a view of a private view: the views from ``view`` down to the
    lowest private one, taken again outside the graph from that one's base's ``detach()``,
    which shares the memory of the first base."""
    _ = view._data  # (up to date, from the first base down)
    low = _lowest_private(view)
    chain: list[Any] = [view]
    while chain[-1] is not low:
        chain.append(chain[-1]._base)
    d: Any = low._base.detach()
    with no_grad():
        for w in reversed(chain):
            key = w._key
            fresh = key.take(d) if key.__class__ in WHOLE else getitem_tensor(d, key)
            d = as_view(fresh, d, key)
    return cast(Tensor, d)


def _refuse_conj(t: Any, error: type[Exception], head: str, fix: str) -> None:
    """Refuse to hand a conjugate view's memory out (``numpy()``, DLPack), as PyTorch refuses
    it: its data holds the conjugated values (``pt.is_conj``), not memory shared with its
    base, whose writes would be lost."""
    if _nv.is_conj(t):
        raise error(
            f"{head} (a conjugate view: x.conj(), x.mH; is_conj() is True), whose memory holds "
            f"the conjugated values, not its base's; expected a tensor without the bit, as in "
            f"PyTorch: use {fix} instead (a copy of the values)"
        )


_NUMPY_CONJ = "Can't call numpy() on Tensor that has conjugate bit set"
_NUMPY_FIX = "x.resolve_conj().numpy() or x.numpy(force=True)"
_DLPACK_CONJ = "__dlpack__(): Can't export tensors with the conjugate bit set"
_DLPACK_FIX = "x.resolve_conj() or copy=True (from_dlpack(x, copy=True))"


def _read_only(t: Any, a: Any) -> Any:
    """``a``, the NumPy array ``t.numpy()`` or ``np.asarray(t)`` gives, read-only where it is
    the memory of a private view's own (a write into it could not reach the base)."""
    b = t._backend
    if (
        b.shares_host_memory
        and _lowest_private(t) is not None
        and b.memory_root(a) is b.memory_root(t._data)
    ):
        a = a.view()
        a.flags.writeable = False
    return a


def as_view(t: TensorBase, base: TensorBase, key: Any) -> View:
    """``t``, the result of ``base[key]`` for a basic ``key``, as a ``View`` of ``base``."""
    v = object.__new__(View)
    v._vdata = t._data
    v._backend = t._backend
    v._vmeta = t._meta
    _tape.keep_for_views(t._meta)
    v._base = base
    v._key = key
    v._recorded = _GRAD.get()
    v._seen = base._data
    bm = base._vmeta if base.__class__ is View else base._meta  # (read by the op: up to date)
    v._bver = 0 if bm is None else bm.version
    v._vver = 0 if t._meta is None else t._meta.version
    v._looked_at = _tape._inplace_count
    v._looked_rel = _tape.releases
    v._given = False
    v._taken = -1
    if (
        key.__class__ in PRIVATE
        and (root := t._backend.memory_root) is not None
        and root(t._data) is not root(base._data)
    ):  # (a view of memory of its own, whose values a write into the base's leaves stale)
        v._taken = _tape._inplace_count
        _tape.note_derived(t._backend, t._data, base._data)
    return v


_GRAD = _config.GRAD_ENABLED
_GETITEM = OPS["__getitem__"]
register_view(as_view)


def _legacy_constructor(
    data: tuple[Any, ...], device: Any, dtype: Any = None, where: str = "Tensor"
) -> Tensor:
    """PyTorch's ``torch.Tensor(...)``: ``(data)``, ``(*sizes)``, ``(Size)`` or ``()``, of
    ``dtype`` (None: the default float dtype; ``pt.LongTensor`` gives int64); ``where`` names
    the constructor in errors."""
    if dtype is None:
        dtype = get_default_dtype()
    if not data:
        return zeros((0,), dtype=dtype, device=device)
    if isinstance(data[0], Size) and len(data) == 1:
        data = tuple(data[0])
    if all(
        hasattr(d, "__index__")
        and not isinstance(d, (bool, TensorBase))
        and getattr(d, "ndim", 0) == 0
        for d in data
    ):  # (sizes: Python ints or NumPy integers)
        data = tuple(int(d) for d in data)
        if any(d < 0 for d in data):
            raise ValueError(f"{where}() got a negative dimension in the sizes {data}")
        return zeros(data, dtype=dtype, device=device)
    if len(data) != 1:
        raise TypeError(
            f"{where}() got {len(data)} arguments that are not all ints ({data!r}); expected "
            f"the sizes of a new tensor ({where}(2, 3)) or one sequence of data "
            f"({where}([1, 2]))"
        )
    value = data[0]
    if isinstance(value, (bool, float, complex)) or (
        isinstance(value, Tensor) is False and getattr(value, "ndim", None) == 0
    ):
        raise TypeError(
            f"{where}() got the scalar {value!r}; {where}(n) makes a tensor of n elements, so "
            f"pass a list ([{value!r}]) or use pt.tensor({value!r}) for a 0-d tensor"
        )
    if isinstance(value, TensorBase):
        if value.dtype is not dtype:  # (PyTorch's refuses another dtype, and so does this)
            raise TypeError(
                f"{where}() got a tensor of dtype {value.dtype.name}; expected {dtype.name}: "
                f"cast it with x.to(pt.{dtype.name})"
            )
        return tensor(value, device=device)
    if dtype.kind in ("signed integer", "unsigned integer"):
        # numbers that do not fit, or floats that are not whole within the range: refused, not
        # wrapped (a float is truncated toward zero, as PyTorch's)
        given = tensor(value, device=device)
        if given.dtype.kind == "real floating":
            info = dt.IINFO[dtype]
            if given.size and not (
                given.isfinite().all().item()
                and given.min().item() > info.min - 1
                and given.max().item() < info.max + 1
            ):
                raise OutOfRangeError(
                    f"{where}() got values that {dtype.name} cannot hold (range {info.min} to "
                    f"{info.max}; infinities and NaN have no integer value)"
                )
            return given.to(dtype)
    try:
        return tensor(value, dtype=dtype, device=device)
    except OutOfRangeError as e:
        raise OutOfRangeError(f"{where}(): {e}") from None


class LegacyTensorType(type):
    """PyTorch's legacy tensor types, one per dtype (``pt.FloatTensor``, ``pt.LongTensor``...).

    Called, a tensor of that dtype made as ``pt.Tensor(...)`` makes one: ``pt.LongTensor([1,
    2])`` from data, ``pt.FloatTensor(2, 3)`` of that shape (zeros). ``isinstance(x,
    pt.FloatTensor)`` says whether ``x`` is a float32 tensor, and ``x.type(pt.DoubleTensor)``
    casts ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.LongTensor([1, 2]), pt.FloatTensor(2, 3).shape
    (tensor([1, 2], backend='numpy'), (2, 3))
    >>> isinstance(pt.ones(2), pt.FloatTensor), isinstance(pt.ones(2), pt.LongTensor)
    (True, False)
    """

    dtype: dt.DType

    def __call__(cls, *data: Any, device: Any = None, **kwargs: Any) -> Tensor:
        if kwargs:
            raise TypeError(
                f"{cls.__name__}() takes data or sizes, and device=; got "
                f"{', '.join(k + '=' for k in kwargs)} (make the tensor with pt.tensor(..., "
                f"dtype=pt.{cls.dtype.name}, requires_grad=True) for those)"
            )
        return _legacy_constructor(data, device, cls.dtype, cls.__name__)

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, TensorBase) and obj.dtype is cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'polytensor.{cls.__name__}'>"


def _legacy_type(name: str, dtype: dt.DType) -> LegacyTensorType:
    doc = (
        f"PyTorch's ``torch.{name}``: tensors of dtype {dtype.name} (``LegacyTensorType``).\n\n"
        f"Examples\n--------\n>>> import polytensor as pt\n"
        f">>> pt.{name}([1, 0]).dtype, isinstance(pt.{name}(2), pt.{name})\n"
        f"(polytensor.{dtype.name}, True)\n"
    )
    return LegacyTensorType(name, (), {"dtype": dtype, "__doc__": doc, "__module__": "polytensor"})


# PyTorch's names of the dtypes polytensor has
LEGACY_TYPES: dict[str, LegacyTensorType] = {
    name: _legacy_type(name, dtype)
    for name, dtype in (
        ("FloatTensor", dt.float32),
        ("DoubleTensor", dt.float64),
        ("LongTensor", dt.int64),
        ("IntTensor", dt.int32),
        ("ShortTensor", dt.int16),
        ("CharTensor", dt.int8),
        ("ByteTensor", dt.uint8),
        ("BoolTensor", dt.bool),
    )
}


# PyTorch's type names of every dtype (x.type()), and the dtype of each (x.type(name))
_TYPE_NAMES: dict[dt.DType, str] = {
    **{t.dtype: name for name, t in LEGACY_TYPES.items()},
    dt.complex64: "ComplexFloatTensor",
    dt.complex128: "ComplexDoubleTensor",
    dt.uint16: "UInt16Tensor",
    dt.uint32: "UInt32Tensor",
    dt.uint64: "UInt64Tensor",
}
_BY_TYPE_NAME: dict[str, dt.DType] = {name: d for d, name in _TYPE_NAMES.items()}


def type_method(self: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:
    """PyTorch's ``x.type()``: with no argument, the tensor's type as PyTorch names it (the
    string that programs compare: ``'torch.FloatTensor'``, ``'torch.cuda.FloatTensor'`` on a
    GPU); with a dtype, a legacy type (``pt.DoubleTensor``) or such a string, this tensor cast
    to it (itself when it has that dtype), and moved to the GPU or off it as the string says.
    ``non_blocking`` is accepted and changes nothing.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2)
    >>> x.type(), x.type(pt.LongTensor).dtype, x.type(pt.float64).dtype
    ('torch.FloatTensor', polytensor.int64, polytensor.float64)
    """
    if dtype is None:
        name = _TYPE_NAMES[self.dtype]
        return f"torch.cuda.{name}" if self.device.type == "cuda" else f"torch.{name}"
    target = dtype
    if isinstance(dtype, str):
        prefix, _, name = dtype.rpartition(".")
        if prefix not in ("torch", "torch.cuda") or name not in _BY_TYPE_NAME:
            raise ValueError(
                f"type() got the type name {dtype!r}; expected torch.<name> or "
                f"torch.cuda.<name>, <name> one of {', '.join(_BY_TYPE_NAME)}"
            )
        target = _BY_TYPE_NAME[name]
        if (prefix == "torch.cuda") != (self.device.type == "cuda"):  # (PyTorch's moves it)
            return type_method(self.to("cuda" if prefix == "torch.cuda" else "cpu"), target)
    if isinstance(target, LegacyTensorType):
        target = target.dtype
    if not isinstance(target, dt.DType):
        raise TypeError(
            f"type() expects a dtype (pt.float64), a tensor type (pt.DoubleTensor) or its name; "
            f"got {type(dtype).__name__} {dtype!r}"
        )
    return self if self.dtype is target else self.astype(target)


def _pickled_value(t: Tensor) -> Any:
    """What a pickle of ``t`` holds for its data: a lazy backend's own array (its task graph
    pickles, nothing is computed), else a NumPy copy on the host."""
    if t._backend.lazy:
        return t._data
    return t._backend.to_numpy(t._data)


def _unpickle(value: Any, backend: str, requires_grad: bool) -> Tensor:
    """A tensor rebuilt from ``__reduce__``'s value on backend ``backend`` (a new leaf)."""
    return asarray(value, device=backend, copy=None, requires_grad=requires_grad)
