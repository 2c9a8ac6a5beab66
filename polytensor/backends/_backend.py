"""The ``Backend`` record: where arrays live and which namespace computes on them."""

from __future__ import annotations

import contextlib
import copy
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .. import _dtypes as dt
from .._checks import DataIndexError, DataValueError
from .._device import Device

__all__ = [
    "OP_INDEX",
    "OP_NAMES",
    "Availability",
    "Backend",
    "BackendUnavailable",
    "Capabilities",
    "LazyOps",
    "Transfer",
    "Writes",
    "base_root",
    "register_op_name",
    "set_read_along",
]

# The op table's names in table order, filled by the op registry as it declares each op
# (register_op_name): backends resolve an op index to a function through these, so this layer
# never imports the table above it.
OP_NAMES: list[str] = []
OP_INDEX: dict[str, int] = {}


# The core's hook (polytensor._lazy_updates): ``fn(backend, arrays, progress)``, the arrays
# that a lazy backend is about to compute, computed in one pass with the data of the tensors
# updated in place since they were last computed (as ``materialize`` gives them), or None.
_READ_ALONG: list[Callable[[Backend, list[Any], bool], list[Any] | None]] = []


def set_read_along(fn: Callable[[Backend, list[Any], bool], list[Any] | None]) -> None:
    """Install ``fn(backend, arrays, progress)``: what a lazy backend's ``to_numpy``,
    ``compute`` and ``materialize`` compute first, with the tensors updated in place since
    their last computation (``polytensor._lazy_updates``); it returns ``arrays`` computed (as
    ``materialize`` gives them), or None to compute them alone.

    Examples
    --------
    >>> from polytensor.backends._backend import _READ_ALONG, set_read_along
    >>> hook = _READ_ALONG[0]
    >>> set_read_along(lambda b, arrays, progress: None); set_read_along(hook)
    """
    _READ_ALONG[:] = [fn]


def register_op_name(name: str) -> int:
    """Give op ``name`` the next index of the backends' function tables and return it.

    The op registry calls it once per op it declares; ``backend.fns[index]`` is then the
    backend's function for that op.

    Examples
    --------
    >>> from polytensor.backends import _backend
    >>> _backend.OP_NAMES[_backend.OP_INDEX["exp"]]
    'exp'
    """
    if name in OP_INDEX:
        raise ValueError(
            f"register_op_name() expects a new op name; got {name!r}, which has "
            f"index {OP_INDEX[name]} already (each op is declared once)"
        )
    OP_INDEX[name] = index = len(OP_NAMES)
    OP_NAMES.append(name)
    for backend in _TABLES:  # the backends made before this op: their tables grow with it
        backend.fns.append(_Unresolved(backend, index))
    return index


class BackendUnavailable(ImportError, RuntimeError):
    """Raised when a backend's library or device is missing (an ``ImportError``, and a
    ``RuntimeError`` as PyTorch's error for a missing device is).

    Examples
    --------
    >>> import polytensor as pt
    >>> def load():
    ...     import a_library_that_is_not_installed
    >>> b = pt.backends.Backend("missing_demo", load)
    >>> try:
    ...     b.load()
    ... except pt.backends.BackendUnavailable as e:
    ...     print("not installed" in str(e))
    True
    """


def _missing(name: str, backend: str) -> Callable[..., Any]:
    def raiser(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"{name}() is not available on the {backend} backend; "
            f'move the tensor with x.to("numpy") to compute it there'
        )

    raiser.missing = True  # type: ignore[attr-defined]
    return raiser


class _Unresolved:
    """The entry of op ``index`` in ``backend.fns`` until its first call, which finds the
    backend's function for it (``Backend.resolve``) and puts that in its place."""

    __slots__ = ("backend", "index")

    def __init__(self, backend: Backend, index: int) -> None:
        self.backend = backend
        self.index = index

    def resolve(self) -> Callable[..., Any]:
        fn = self.backend.resolve(OP_NAMES[self.index])
        self.backend.fns[self.index] = fn
        return fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)


def resolved(fns: list[Callable[..., Any]], index: int) -> Callable[..., Any]:
    """``fns[index]``, the backend's own function (resolved now if it was not yet)."""
    fn = fns[index]
    return fn.resolve() if type(fn) is _Unresolved else fn


# The backends made so far, whose function tables grow as ops register (weakly: a backend
# variant nothing uses any more goes).
_TABLES: weakref.WeakSet[Backend] = weakref.WeakSet()


class _ByName:
    """The backend's functions by op name (``F.matmul``), for the fast forms of derivative
    rules: the same callables as ``fns``, found once per name."""

    def __init__(self, fns: list[Callable[..., Any]]) -> None:
        self._fns = fns

    def __getattr__(self, name: str) -> Callable[..., Any]:
        index = OP_INDEX.get(name)
        if index is None:
            raise AttributeError(f"no op named {name!r} in polytensor's table")
        fn = resolved(self._fns, index)
        setattr(self, name, fn)
        return fn


@dataclass(frozen=True, kw_only=True)
class Capabilities:
    """What a backend's library can do, as flags polytensor's core reads (never its name).

    Parameters
    ----------
    lazy : bool
        Results are task graphs that compute only on request (Dask): nothing may compute them
        behind the user's back, ``repr`` shows no values, ``pt.compute`` evaluates them.
    mutable : bool
        Arrays can be written in place (NumPy, CuPy); immutable ones are rebound instead.
    multi_device : bool
        The library has several devices (CuPy's GPUs, array-api-strict's test devices): the
        arrays of one op must share a device, which polytensor checks and names in its error;
        ``*_like`` functions and moves keep a tensor's device, and ``repr`` shows it.
    shares_host_memory : bool
        Native arrays are NumPy arrays in host memory: ``from_numpy`` and ``to_numpy`` hand
        back the same buffer (``pt.from_numpy(a)`` and ``t.numpy()`` are views of one array),
        and ``asarray`` takes such arrays through its host path, as any NumPy input.
    bit_views : bool
        Native arrays have NumPy's ``view(dtype)``, which reinterprets their bits as another
        dtype (the last axis scaled when the item sizes differ): ``x.view(pt.int32)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.backends.Capabilities(multi_device=True)  # doctest: +NORMALIZE_WHITESPACE
    Capabilities(lazy=False, mutable=True, multi_device=True, shares_host_memory=False,
                 bit_views=False)
    """

    lazy: bool = False
    mutable: bool = True
    multi_device: bool = False
    shares_host_memory: bool = False
    bit_views: bool = False


@dataclass(frozen=True, kw_only=True)
class Transfer:
    """How native arrays reach host memory and other backends; None keeps the default.

    Parameters
    ----------
    to_numpy : callable, optional
        ``to_numpy(array)``: a NumPy array with the data (computed, for a lazy backend);
        default ``numpy.asarray``.
    from_numpy : callable, optional
        ``from_numpy(backend, array, device)``: a native array holding NumPy ``array``'s data,
        on native ``device`` (None: the default device); default the namespace's ``asarray``.
    device_of : callable, optional
        ``device_of(array)``: the native device an array lives on; default
        ``array_api_compat.device``.
    as_array : callable, optional
        ``as_array(value)``: an array from what a library function returned (a NumPy scalar,
        say); default the namespace's ``asarray``.
    scalar_array : callable, optional
        ``scalar_array(fn, value, dtype)``: a 0-d native array of Python scalar ``value`` in
        native ``dtype`` that the library's element-wise function ``fn`` takes faster than the
        scalar, with the same results and errors; None where it cannot promise that (a
        function with a fast path of its own for some scalars, say). An operator used twice
        in a row with the same scalar object (``x * 0.9`` in a loop) passes the array from
        then on. Default: scalars go to the library as they are.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> pt.backends.Transfer(to_numpy=np.asarray).to_numpy([1, 2])
    array([1, 2])
    """

    to_numpy: Callable[[Any], Any] | None = None
    from_numpy: Callable[[Backend, Any, Any], Any] | None = None
    device_of: Callable[[Any], Any] | None = None
    as_array: Callable[[Any], Any] | None = None
    scalar_array: Callable[[Any, Any, Any], Any] | None = None


@dataclass(frozen=True, kw_only=True)
class LazyOps:
    """For lazy backends: evaluating several native arrays in one pass (see
    ``Backend.compute``, ``Backend.persist``, ``Backend.materialize``); None keeps the default,
    which goes through ``to_numpy`` and ``from_numpy``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.backends.get("dask").lazy
    True
    >>> pt.backends.LazyOps().compute is None
    True
    """

    # compute, persist, materialize: fn(arrays) -> arrays; fn(arrays, progress=True) shows the
    # library's own progress bar
    compute: Callable[..., list[Any]] | None = None
    persist: Callable[..., list[Any]] | None = None
    materialize: Callable[..., list[Any]] | None = None
    # from_blocks(backend, fn, shape, dtype, chunks): a lazy array whose every block is
    # fn(region), region being ((start, stop), ...) per axis, each block computed in its own task
    from_blocks: Callable[..., Any] | None = None
    # relayout(array, like): ``array`` laid out as ``like`` (a gradient in its primal's chunks)
    relayout: Callable[[Any, Any], Any] | None = None
    # spill(arrays, large, progress): materialize's (arrays materialized) and ``large`` stored
    # on disk and read back lazily from there, in one pass; None where it cannot store them
    spill: Callable[..., tuple[list[Any], list[Any]] | None] | None = None


@dataclass(frozen=True, kw_only=True)
class Writes:
    """For mutable backends: writing into arrays without a copy.

    Parameters
    ----------
    inplace : mapping, optional
        Op name (``"add"``) to a ufunc-like ``fn(a, b, a)`` writing ``a <op> b`` into ``a``
        (its third positional argument is ``out``, as a ufunc's): what in-place operators use
        when nothing is recorded.
    owns_data : callable, optional
        ``owns_data(array)``: whether the array owns its memory and may be written (not a view,
        not read-only). Such an array, held by nothing else, becomes a leaf's ``.grad``
        without a copy; without this hook a mutable backend's gradients are always copied.
    copy : callable, optional
        ``copy(array)``: the array's values in memory of its own (``Backend.copy``); without
        this hook, the namespace's ``asarray(array, copy=True)``.
    zeros_view : callable, optional
        ``zeros_view(shape, dtype)``: a read-only array of zeros that takes no memory per
        element, whose views are views of it (NumPy: a zero-stride view of a few zero bytes).
        ``zero_()`` of a large ``.grad`` that nothing else holds keeps one until the tensor is
        read or written, so that backward, which replaces that ``.grad``'s data, finds no
        zeros written for nothing; without this hook ``zero_()`` always writes its zeros.
    zero_where : callable, optional
        ``zero_where(array, mask)``: ``array[mask] = 0`` for a real floating ``array`` and a
        boolean ``mask`` of its shape, with the same result (+0.0 where ``mask`` is True, every
        other element unchanged) and the same errors; ``x[mask] = 0`` on a tensor outside any
        graph calls it (the seeds' custom ReLU: ``grad_input[input < 0] = 0``). Without this
        hook, the backend's own ``array[mask] = 0``.
    ufuncs : namespace, optional
        The library's element-wise functions that write into ``out=``, as NumPy's ufuncs do:
        ``add``, ``subtract``, ``multiply``, ``divide``, ``sqrt``, ``maximum`` and ``negative``
        as attributes. Optimizers then update a parameter and their state in place, a block
        of ``block_bytes`` at a time (``polytensor.optim._in_place``); without this hook they
        compute with tensor operations, each a pass over memory and a new array.
    block_bytes : int, default 0
        The size of those blocks: a few times smaller than a core's cache, so that a block's
        temporaries and state stay in it between the functions (0: each array whole, as a
        GPU library wants its kernels).
    memory_root : callable, optional
        ``memory_root(array)``: the array whose memory ``array`` views (``array`` itself when
        it is no view): an in-place write is noted by it, so that backward catches a write
        into memory a recorded op read through another tensor (a view, ``detach()``,
        ``.data``). ``base_root`` serves libraries whose views have NumPy's ``.base``. Without
        this hook, each array is its own root: writes through the same array are caught,
        writes through a view of it are not.
    windows : namespace, optional
        Kernels over sliding windows, which write their results into arrays of their own:
        ``conv2d`` (its bias added inside), ``conv2d_backward``, ``bias_grad``, ``max_pool``,
        ``max_pool_backward``, ``avg_pool`` and ``avg_pool_backward`` as attributes (NumPy's:
        ``backends/_windows.py``, which documents them). ``nn.functional.conv2d`` (one group,
        its zero padding and its bias inside the kernel), ``max_pool2d`` and
        ``avg_pool2d`` (without padding) then run as one graph node each; without this hook
        they are built from the table's ops.
    layers : namespace, optional
        Kernels of ``nn`` layers, each making new arrays: ``leaky_relu``,
        ``binary_cross_entropy``, ``batch_norm`` (by the batch's statistics), their
        ``_backward``s and ``batch_norm_running`` as attributes, and ``grid_sample``,
        ``grid_sample_backward`` (bilinear) (NumPy's: ``backends/_layers.py``, which documents
        them). ``nn.functional.leaky_relu``, ``binary_cross_entropy`` and ``grid_sample`` then
        run as one graph node each, and ``batch_norm``'s node on arrays; without this hook they
        are built from the table's ops.
    c_contiguous : callable, optional
        ``c_contiguous(array)``: whether the array's elements lie in memory in C order, one
        after another (NumPy's ``flags.c_contiguous``): ``Tensor.is_contiguous()``, and
        ``contiguous()``, which copies an array that does not. Without this hook an array is
        taken as contiguous when the library reshapes it to one dimension without a copy.
    layout : callable, optional
        ``layout(array)``: ``(strides, offset)``, the steps between neighbours along each
        dimension and the position of the first element in the memory the array views
        (``memory_root``'s), both counted in elements: ``Tensor.stride()`` and
        ``storage_offset()`` (``strided_layout`` serves libraries with NumPy's ``strides``
        and array interface). Without this hook, those of a C-contiguous array of its own.
    diagonal_view : callable, optional
        ``diagonal_view(array, offset, axis1, axis2)``: the diagonal as ``diagonal`` gives it
        (the other axes first, then the diagonal), as a view of the array's memory that may be
        written when the array may (NumPy's own ``diagonal`` is read-only); or None where it
        cannot be. ``x.diagonal()`` then changes ``x`` when it is written in place; without
        this hook such a write goes through the view's base (``Tensor.diagonal``).
    unfold_view : callable, optional
        ``unfold_view(array, axis, size, step)``: PyTorch's ``x.unfold`` windows (``axis``
        the windows, a last axis their elements) as a view of the array's memory, which may be
        written when the array may; or None. As ``diagonal_view``, for ``x.unfold``.
    strided_view : callable, optional
        ``strided_view(array, shape, strides, offset)``: a view of the array's memory of
        ``shape`` whose element at index ``i`` is the one ``offset + sum(i * strides)``
        elements (counted from the array's first, along its C order when it is C-contiguous)
        away, strides of 0 included, which may be written when the array may; or None where it
        cannot be; ``strides`` None: the array broadcast to ``shape`` (strides of 0 along the
        dimensions it repeats), or None where it does not broadcast. ``x.expand()`` and
        ``x.as_strided()`` then view ``x``'s memory, as ``diagonal_view`` does.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> w = pt.backends.Writes(inplace={"add": np.add})
    >>> a = np.zeros(2); _ = w.inplace["add"](a, 1.0, a); a
    array([1., 1.])
    """

    inplace: dict[str, Callable[..., Any]] | None = None
    owns_data: Callable[[Any], bool] | None = None
    copy: Callable[[Any], Any] | None = None
    zeros_view: Callable[[tuple[int, ...], Any], Any] | None = None
    zero_where: Callable[[Any, Any], None] | None = None
    ufuncs: Any = None
    block_bytes: int = 0
    memory_root: Callable[[Any], Any] | None = None
    windows: Any = None
    layers: Any = None
    c_contiguous: Callable[[Any], bool] | None = None
    layout: Callable[[Any], tuple[tuple[int, ...], int]] | None = None
    diagonal_view: Callable[[Any, int, int, int], Any] | None = None
    unfold_view: Callable[[Any, int, int, int], Any] | None = None
    strided_view: Callable[[Any, tuple[int, ...], tuple[int, ...] | None, int], Any] | None = None


def flags_c_contiguous(array: Any) -> bool:
    """``Writes.c_contiguous`` for a library whose arrays have NumPy's ``flags``: whether
    ``array`` lies in memory in C order, one element after another.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends import flags_c_contiguous
    >>> a = np.zeros((2, 3))
    >>> flags_c_contiguous(a), flags_c_contiguous(a.T)
    (True, False)
    """
    return bool(array.flags.c_contiguous)


def strided_layout(array: Any) -> tuple[tuple[int, ...], int]:
    """``Writes.layout`` for a library whose arrays have NumPy's ``strides`` (bytes) and
    array interface (``__array_interface__``, or CUDA's): the strides in elements, and the
    offset in elements of the first element from the start of the memory it views
    (``base_root``'s).

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends import strided_layout
    >>> a = np.zeros((3, 4))
    >>> strided_layout(a[1:, ::2])
    ((4, 2), 4)
    """
    size = array.itemsize
    strides = tuple(int(s) // size for s in array.strides)
    root = base_root(array)
    offset = (_address(array) - _address(root)) // size if root is not array else 0
    return strides, int(offset)


def _address(array: Any) -> int:
    face = getattr(array, "__array_interface__", None)
    if face is None:
        face = array.__cuda_array_interface__
    return int(face["data"][0])


def base_root(array: Any) -> Any:
    """The array that owns ``array``'s memory, for a library whose views have NumPy's
    ``.base`` (the array viewed, or None): following ``.base`` while it is an array of the
    same type (a view of bytes or of a foreign buffer is its own root).

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends import base_root
    >>> a = np.zeros(4)
    >>> base_root(a[1:].T) is a, base_root(a) is a
    (True, True)
    """
    cls = array.__class__
    base = array.base
    while base is not None and base.__class__ is cls:
        array = base
        base = array.base
    return array


def _same(array: Any) -> Any:
    return array


@dataclass(frozen=True, kw_only=True)
class Availability:
    """What makes a backend usable here, for its status and its error messages.

    Parameters
    ----------
    extra : str, optional
        The ``pip install 'polytensor[extra]'`` extra that installs the library.
    probe : callable, optional
        Returns a reason string when the backend cannot run here (no GPU), else None; called
        once, after the library loads.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.backends.Availability(extra="dask").extra
    'dask'
    """

    extra: str | None = None
    probe: Callable[[], str | None] | None = None


_GROUPS = (
    ("capabilities", Capabilities),
    ("transfer", Transfer),
    ("lazy_ops", LazyOps),
    ("writes", Writes),
    ("availability", Availability),
)


class Backend:
    """One array library as polytensor sees it: data, not behaviour.

    Built-in and third-party backends are built alike and registered through the
    ``polytensor.backends`` entry-point group. polytensor's core never tests a backend's name:
    what differs between libraries is said by the flags of ``capabilities``, read back as
    ``backend.lazy``, ``backend.mutable``, ``backend.multi_device`` and
    ``backend.shares_host_memory``, and by the hooks of the other groups.

    Parameters
    ----------
    name : str
        The name users select it by (``pt.set_backend(name)``).
    loader : callable
        Returns the library's array-API namespace; called lazily, on first use.
    overrides : mapping, optional
        Standard function name (``"linalg.det"``) to a callable on native arrays, for the
        library's gaps and quirks.
    options : tuple of str
        Names of the options ``set_backend(name, **options)`` accepts.
    capabilities : Capabilities
        Flags: ``lazy``, ``mutable``, ``multi_device``, ``shares_host_memory``.
    transfer : Transfer
        Hooks to and from host memory: ``to_numpy``, ``from_numpy``, ``device_of``,
        ``as_array``.
    lazy_ops : LazyOps
        For lazy backends: ``compute``, ``persist``, ``materialize`` several arrays at once.
    writes : Writes
        For mutable backends: ``inplace`` functions and ``owns_data``.
    availability : Availability
        ``extra`` (the pip extra that installs the library) and ``probe`` (why it cannot run).

    Examples
    --------
    >>> import polytensor as pt
    >>> b = pt.backends.get("numpy")
    >>> b.name, b.lazy, b.multi_device, b.shares_host_memory
    ('numpy', False, False, True)

    A third-party library with several devices says so with a flag, and gets the device checks
    of CuPy:

    >>> def load():
    ...     import array_api_strict
    ...     return array_api_strict
    >>> mine = pt.backends.Backend(
    ...     "mylib", load, capabilities=pt.backends.Capabilities(multi_device=True),
    ...     transfer=pt.backends.Transfer(device_of=lambda a: a.device),
    ...     availability=pt.backends.Availability(extra="strict"))
    >>> mine.multi_device, mine.mutable, mine.extra
    (True, True, 'strict')
    """

    # Slots: the table's functions read these fields once per call (b.fns, b.cats...), and a
    # slot is read at a fixed offset, where an instance dict of more than 30 keys is not
    # shared between instances and makes every read a lookup.
    __slots__ = (
        "__weakref__",
        "_as_array",
        "_compute",
        "_copy",
        "_device_of",
        "_devices",
        "_error",
        "_from_blocks",
        "_from_numpy",
        "_loader",
        "_materialize",
        "_persist",
        "_probe",
        "_relayout",
        "_spill",
        "_to_numpy",
        "_variants",
        "_xp",
        "array_type",
        "as_array",
        "availability",
        "block_bytes",
        "by_name",
        "c_contiguous",
        "capabilities",
        "cats",
        "diagonal_view",
        "extra",
        "fns",
        "from_native",
        "inplace",
        "layers",
        "layout",
        "lazy",
        "lazy_ops",
        "memory_root",
        "multi_device",
        "mutable",
        "name",
        "option_names",
        "options",
        "overrides",
        "owns_data",
        "pair_cats",
        "scalar_array",
        "scalar_types",
        "shares_host_memory",
        "strided_view",
        "to_native",
        "transfer",
        "ufuncs",
        "unfold_view",
        "windows",
        "writes",
        "zero_where",
        "zeros_view",
    )

    def __init__(
        self,
        name: str,
        loader: Callable[[], ModuleType],
        *,
        overrides: dict[str, Callable[..., Any]] | None = None,
        options: tuple[str, ...] = (),
        capabilities: Capabilities = Capabilities(),
        transfer: Transfer = Transfer(),
        lazy_ops: LazyOps = LazyOps(),
        writes: Writes = Writes(),
        availability: Availability = Availability(),
    ) -> None:
        given = (capabilities, transfer, lazy_ops, writes, availability)
        for (param, cls), value in zip(_GROUPS, given, strict=True):
            if not isinstance(value, cls):
                raise TypeError(
                    f"Backend() expects {param}= to be a polytensor.backends."
                    f"{cls.__name__}; got {type(value).__name__}; build it with "
                    f"pt.backends.{cls.__name__}(...)"
                )
        self.name = name
        self._loader = loader
        self.overrides = overrides if overrides is not None else {}
        self.option_names = options
        self.options: dict[str, Any] = {}
        self.capabilities = capabilities
        self.transfer = transfer
        self.lazy_ops = lazy_ops
        self.writes = writes
        self.availability = availability
        # The groups' fields, read back as plain attributes (hot paths read b.lazy, b.inplace)
        self.lazy = capabilities.lazy
        self.mutable = capabilities.mutable
        self.multi_device = capabilities.multi_device
        self.shares_host_memory = capabilities.shares_host_memory
        self._to_numpy = transfer.to_numpy
        self._from_numpy = transfer.from_numpy
        self._device_of = transfer.device_of
        self._as_array = transfer.as_array
        # what a library function returned (a NumPy scalar, say) -> an array
        self.as_array: Callable[[Any], Any] = self._any_as_array
        # (function, Python scalar, native dtype) -> a 0-d array the function takes faster, or
        # None
        self.scalar_array = transfer.scalar_array
        self._compute = lazy_ops.compute
        self._persist = lazy_ops.persist
        self._materialize = lazy_ops.materialize
        self._from_blocks = lazy_ops.from_blocks
        self._relayout = lazy_ops.relayout
        self._spill = lazy_ops.spill
        # op name -> fn(a, b, out=a) writing a <op> b into a, for in-place operators with no
        # autograd
        self.inplace = writes.inplace
        # array -> whether it owns its memory and may be written (not a view, not read-only):
        # such an array, held by nothing else, becomes a leaf's .grad without a copy
        self.owns_data = writes.owns_data
        self._copy = writes.copy
        # (shape, dtype) -> read-only zeros taking no memory per element, or None
        self.zeros_view = writes.zeros_view
        # (array, mask) -> None, writing array[mask] = 0; or None
        self.zero_where = writes.zero_where
        # (array, offset, axis1, axis2) -> a writable view of the diagonal, or None
        self.diagonal_view = writes.diagonal_view
        # (array, axis, size, step) -> x.unfold's windows as a view of the array, or None
        self.unfold_view = writes.unfold_view
        # (array, shape, strides, offset) -> a view of the array's memory by strides, or None
        self.strided_view = writes.strided_view
        # element-wise functions writing into out= (optimizers' in-place updates), or None;
        # and the bytes of the blocks they update at a time (0: whole arrays)
        self.ufuncs = writes.ufuncs
        self.block_bytes = writes.block_bytes
        # window kernels (conv2d, max_pool2d, avg_pool2d) on arrays, or None
        self.windows = writes.windows
        # element-wise kernels of nn layers (leaky_relu), or None
        self.layers = writes.layers
        # array -> whether its elements lie in C order, one after another; or None
        self.c_contiguous = writes.c_contiguous
        # array -> (strides, offset) in elements; or None (a C-contiguous array of its own)
        self.layout = writes.layout
        # array -> the array that owns its memory, by which in-place writes are noted; None on
        # an immutable backend (writes rebind there: nothing a node read changes)
        self.memory_root: Callable[[Any], Any] | None = (
            (writes.memory_root or _same) if capabilities.mutable else None
        )
        self.extra = availability.extra  # the pip extra of polytensor that installs the library
        self._probe = availability.probe
        self._xp: ModuleType | None = None
        self._error: str | None = None
        self._variants: dict[tuple[tuple[str, Any], ...], Backend] = {}
        self._devices: list[Device] | None = None
        # Filled by load():
        # op index -> the backend's function: a plain list (the table's functions index it
        # on every call), each entry found on its first call
        self.fns: list[Callable[..., Any]] = [_Unresolved(self, i) for i in range(len(OP_NAMES))]
        _TABLES.add(self)
        self.by_name = _ByName(self.fns)
        self.cats: list[frozenset[Any]] = []
        # cats, for an op's fast path over two tensors: empty on a multi-device backend, whose
        # pairs of tensors take the general path that checks they share a device
        self.pair_cats: list[frozenset[Any]] = []
        # per category, each native dtype -> the Python scalar types that may go to the library
        # with an array of that dtype (none: an empty set); the fast paths' one dict and one
        # set lookup
        self.scalar_types: list[dict[Any, frozenset[type]]] = []
        self.array_type: type = type(None)
        self.to_native: dict[dt.DType, Any] = {}
        self.from_native: dict[Any, dt.DType] = {}

    def __repr__(self) -> str:
        opts = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"Backend({self.name!r}{opts})"

    # -- loading -----------------------------------------------------------------------------
    def status(self) -> tuple[bool, str]:
        """Return ``(available, reason)``; loads the library on first call.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.backends.get("numpy").status()
        (True, 'available')
        """
        if self._xp is None and self._error is None:
            with contextlib.suppress(BackendUnavailable):  # the reason is kept in _error
                self.load()
        return (self._error is None, self._error or "available")

    def load(self) -> ModuleType:
        """Import the library and build the dtype tables; raise ``BackendUnavailable``."""
        if self._xp is not None:
            return self._xp
        if self._error is not None:
            raise BackendUnavailable(self._error)
        try:
            xp = self._loader()
        except BackendUnavailable as e:
            self._error = str(e)
            raise
        except ImportError as e:
            missing = getattr(e, "name", None) or str(e)
            hint = f"; pip install 'polytensor[{self.extra}]'" if self.extra else ""
            self._error = f"library not installed ({missing}){hint}"
            raise BackendUnavailable(self._error) from e
        if self._probe is not None:
            reason = self._probe()
            if reason:
                self._error = reason
                raise BackendUnavailable(reason)
        self._build_tables(xp)
        if self._as_array is not None:  # an instance attribute: no method call per wrap
            self.as_array = self._as_array
        self._xp = xp
        return xp

    def _build_tables(self, xp: ModuleType) -> None:
        for d in dt.ALL_DTYPES:
            native_type = getattr(xp, d.name, None)
            if native_type is None:
                continue
            native = xp.empty((0,), dtype=native_type).dtype
            self.to_native[d] = native
            self.from_native[native] = d
        sample = xp.empty((0,), dtype=self.to_native[dt.float64])
        self.array_type = type(sample)
        kinds = {
            bool: ("bool",),
            int: ("signed integer", "unsigned integer", "real floating", "complex floating"),
            float: ("real floating", "complex floating"),
            complex: ("complex floating",),
        }
        for cname in dt.CATEGORY_NAMES:
            members = dt.CATEGORIES[cname]
            natives = frozenset(self.to_native[d] for d in members if d in self.to_native)
            self.cats.append(natives)
            self.scalar_types.append(
                {
                    n: frozenset(t for t, ks in kinds.items() if d in members and d.kind in ks)
                    for n, d in self.from_native.items()
                }
            )
        self.pair_cats = [frozenset()] * len(self.cats) if self.multi_device else self.cats

    @property
    def xp(self) -> ModuleType:
        """The library's array-API namespace (loaded on first use)."""
        return self._xp if self._xp is not None else self.load()

    def configure(self, **options: Any) -> Backend:
        """Return this backend with ``options`` (e.g. ``chunks=`` for Dask) applied.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.backends.get("numpy").configure() is pt.backends.get("numpy")
        True
        """
        if not options:
            return self
        unknown = sorted(set(options) - set(self.option_names))
        if unknown:
            accepted = ", ".join(self.option_names) or "none"
            raise TypeError(
                f"backend {self.name!r} got unknown option(s) {', '.join(unknown)}; "
                f"it accepts: {accepted}"
            )
        key = tuple(sorted((k, repr(v)) for k, v in options.items()))
        variant = self._variants.get(key)
        if variant is None:
            self.load()
            variant = copy.copy(self)
            variant.options = {**self.options, **options}
            variant._variants = {}
            self._variants[key] = variant
        return variant

    # -- functions ---------------------------------------------------------------------------
    def quiet_float_errors(self) -> Callable[[], None] | None:
        """Turn the library's floating-point warnings off (NumPy's ``errstate``: division by
        zero, overflow, invalid values) in the current thread and context, and return the
        function that turns them back on; None where the library gives no such warnings.
        Backward passes run so: their rules may divide by zero (``sqrt``'s at 0), as
        PyTorch's do silently, and such a warning would name a line of polytensor.

        Examples
        --------
        >>> import polytensor as pt
        >>> undo = pt.backends.get("numpy").quiet_float_errors()
        >>> pt.asarray([1.0]) / 0.0
        tensor([inf], backend='numpy')
        >>> undo()
        """
        fn = self.overrides.get("_quiet_float_errors")  # (installed when the library loads)
        return None if fn is None else fn()

    def resolve(self, name: str) -> Callable[..., Any]:
        """The callable for standard function ``name`` (dotted for extensions) on this backend."""
        if self._xp is None:  # (loading installs the library's fixes into the overrides)
            self.load()
        fn = self.overrides.get(name)
        if fn is not None:
            return fn
        if name == "__getitem__":  # namespaces have no function for it: the operator
            import operator

            return operator.getitem
        if name == "relu":  # an extension op: max(x, 0) in the standard's terms
            maximum = self.xp.maximum
            return lambda x: maximum(x, 0)
        if name == "_matmul_nt":  # x1 @ mT(x2), x1 and x2 (stacks of) matrices
            matmul, transpose = self.resolve("matmul"), self.resolve("matrix_transpose")
            return lambda x1, x2: matmul(x1, transpose(x2))
        if name == "_matmul_tn":  # mT(x1) @ x2
            matmul, transpose = self.resolve("matmul"), self.resolve("matrix_transpose")
            return lambda x1, x2: matmul(transpose(x1), x2)
        if name == "_relu_backward":  # where(x <= 0, 0, g): a NaN passes g, as in PyTorch
            xp = self.xp
            return lambda g, x: xp.where(x <= 0, xp.zeros_like(g), g)
        if name == "_mask_grad":  # where(keep, g, 0)
            xp = self.xp
            return lambda g, keep: xp.where(keep, g, xp.zeros_like(g))
        if name == "_strong_zero":  # where((g == 0) & isnan(p), 0, p)
            xp = self.xp
            return generic_strong_zero(
                xp, all_finite=None if self.lazy else lambda a: bool(xp.all(xp.isfinite(a)))
            )
        if name == "_fmod":  # C's fmod: NumPy's, CuPy's and Dask's, else from remainder
            return getattr(self.xp, "fmod", None) or generic_fmod(self.xp)
        if name == "_log_softmax":
            return generic_log_softmax(self.xp)
        if name == "_softmax":
            return generic_softmax(self.xp)
        if name == "_layer_norm":
            return generic_layer_norm(self.xp)
        if name in ("_gelu", "_gelu_backward"):
            return generic_gelu(self)[name]
        if name in ("_nll_loss", "_nll_loss_backward"):
            return generic_nll_loss(self)[name]
        if name == "_extreme_indices":
            return generic_extreme_indices(self)
        if name == "_cumulative_extreme":
            return generic_cumulative_extreme(self.xp)
        if name == "_logcumsumexp":
            return generic_logcumsumexp(self.xp)
        if name in ("_embedding", "_embedding_backward"):
            return generic_embedding(self)[name]
        if name in ("_cross_entropy", "_cross_entropy_backward"):
            return generic_cross_entropy(self)[name]
        if name == "_copy":  # (Backend.copy without its call)
            if self._copy is not None:
                return self._copy
            xp = self.xp
            return lambda x: xp.asarray(x, copy=True)
        if name == "_scatter_add":
            return generic_scatter_add(self)
        if name == "_put":
            return generic_put(self)
        if name.startswith("special."):  # polytensor.special: SciPy's, or a formula
            from ._special import special_function

            return special_function(self, name.removeprefix("special."))
        if name == "_check_index":
            return generic_check_index(self)
        if name == "_check_range":
            return generic_check_range(self)
        if name == "_scatter_along_axis":
            return generic_scatter_along_axis(self)
        obj: Any = self.xp
        for part in name.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return _missing(name, self.name)
        return obj  # type: ignore[no-any-return]

    # -- dtypes, devices, transfer -----------------------------------------------------------
    def dtype_of(self, native: Any) -> dt.DType:
        """polytensor's dtype for a native dtype of this backend."""
        d = self.from_native.get(native)
        if d is None:
            d = dt.BY_NAME.get(getattr(native, "name", str(native)))
            if d is None:
                raise TypeError(
                    f"dtype {native} of the {self.name} backend has no polytensor "
                    f"equivalent; polytensor supports {', '.join(dt.BY_NAME)}"
                )
        return d

    def _any_as_array(self, value: Any) -> Any:
        """Turn what a library function returned (a NumPy scalar, say) into an array: what
        ``as_array`` is until the library loads and tells a direct one (see ``load``)."""
        if self._as_array is not None:
            return self._as_array(value)
        return self.xp.asarray(value)

    def devices(self) -> list[Device]:
        """Every device of this backend, as polytensor ``Device`` objects."""
        if self._devices is None:
            info = self.xp.__array_namespace_info__()
            everything = {d.name for d in self.to_native}
            # Note: only devices that hold every dtype this backend has (array-api-strict's
            # test devices "no_float64"/"no_x64" do not) and real ones (not Dask's marker).
            self._devices = [
                Device(self, d)
                for d in info.devices()
                if str(d) != "DASK_DEVICE" and everything <= set(info.dtypes(device=d))
            ]
        return list(self._devices)

    def default_device(self) -> Device:
        """The device new tensors go to when none is given."""
        return Device(self, self.xp.__array_namespace_info__().default_device())

    def device_of(self, array: Any) -> Any:
        """The native device an array lives on."""
        if self._device_of is not None:
            return self._device_of(array)
        import array_api_compat

        return array_api_compat.device(array)

    def _read_along(self, arrays: list[Any], progress: bool = False) -> list[Any] | None:
        """On a lazy backend, ``arrays`` computed in one pass with the tensors updated in
        place since they were last computed (``set_read_along``'s hook), or None."""
        if not self.lazy or not _READ_ALONG:
            return None
        return _READ_ALONG[0](self, arrays, progress)

    def to_numpy(self, array: Any) -> Any:
        """A NumPy array with the data of ``array`` (computed, for a lazy backend, in one pass
        with the tensors updated in place since they were last computed)."""
        if self.lazy and (got := self._read_along([array])) is not None:
            array = got[0]
        return self._host(array)

    def _host(self, array: Any) -> Any:
        """``to_numpy`` of ``array`` alone."""
        if self._to_numpy is not None:
            return self._to_numpy(array)
        import numpy as np

        return np.asarray(array)

    def compute(self, arrays: list[Any], progress: bool = False) -> list[Any]:
        """Host (NumPy) values of native ``arrays``, computed together where the backend can
        share their common work (Dask computes them in one pass). ``progress``: the hook shows
        the library's own progress bar (it is called with ``progress=True`` only then)."""
        if self.lazy and (got := self._read_along(list(arrays), progress)) is not None:
            return [self._host(a) for a in got]
        return self._compute_alone(arrays, progress)

    def _compute_alone(self, arrays: list[Any], progress: bool = False) -> list[Any]:
        if self._compute is not None:
            return self._compute(arrays, progress=True) if progress else self._compute(arrays)
        return [self._host(a) for a in arrays]

    def materialize(self, arrays: list[Any], progress: bool = False) -> list[Any]:
        """Native arrays holding the computed values of ``arrays`` (computed in one pass), which
        read back without computing again."""
        if not self.lazy:
            return list(arrays)
        if (got := self._read_along(list(arrays), progress)) is not None:
            return got
        return self._materialize_alone(arrays, progress)

    def _materialize_alone(self, arrays: list[Any], progress: bool = False) -> list[Any]:
        if self._materialize is not None:
            if progress:
                return self._materialize(arrays, progress=True)
            return self._materialize(arrays)
        return [self.from_numpy(h) for h in self._compute_alone(arrays, progress)]

    def materialize_spilling(
        self, arrays: list[Any], large: list[Any], progress: bool = False
    ) -> tuple[list[Any], list[Any]] | None:
        """``materialize(arrays)`` and, in the same pass, native arrays with the values of
        ``large`` stored on disk and read from there (the data of tensors too large to hold in
        memory, whose task graphs then collapse); None where the backend cannot store them
        (no ``spill`` hook, or a cluster whose workers share no disk with this process)."""
        if not self.lazy or self._spill is None:
            return None
        if progress:
            return self._spill(arrays, large, progress=True)
        return self._spill(arrays, large)

    def persist(self, arrays: list[Any], progress: bool = False) -> list[Any]:
        """Native arrays with the values of ``arrays``, computed and kept where the backend
        keeps data (in memory, or on a Dask cluster's workers): their task graphs collapse."""
        if not self.lazy:
            return list(arrays)
        if self._persist is not None:
            if progress:
                return self._persist(arrays, progress=True)
            return self._persist(arrays)
        return [self.from_numpy(h) for h in self.compute(arrays, progress)]

    def from_blocks(
        self,
        fn: Callable[[tuple[tuple[int, int], ...]], Any],
        shape: tuple[int, ...],
        dtype: str,
        device: Any = None,
        chunks: Any = None,
    ) -> Any:
        """A native array of ``shape`` whose values are given block by block by the host
        function ``fn(region)`` (``region``: ``(start, stop)`` per axis; it returns a NumPy array
        of dtype ``dtype``): on a lazy backend each block is generated in its own task, chunked
        by ``chunks`` (None: the backend's ``chunks`` option); elsewhere ``fn`` makes the whole
        array on the host, which then moves to ``device``.

        Examples
        --------
        >>> import numpy as np
        >>> import polytensor as pt
        >>> def block(region):
        ...     (r0, r1), = region
        ...     return np.arange(r0, r1, dtype="float64")
        >>> pt.backends.get("numpy").from_blocks(block, (3,), "float64")
        array([0., 1., 2.])
        """
        if self._from_blocks is not None:
            return self._from_blocks(self, fn, shape, dtype, chunks)
        return self.from_numpy(fn(tuple((0, s) for s in shape)), device)

    def relayout(self, array: Any, like: Any) -> Any:
        """``array`` (of ``like``'s shape) laid out as ``like``: on Dask, in ``like``'s chunks,
        so that a gradient has its primal's chunks; ``array`` itself elsewhere.

        Examples
        --------
        >>> import numpy as np
        >>> import polytensor as pt
        >>> a = np.ones(2)
        >>> pt.backends.get("numpy").relayout(a, np.zeros(2)) is a
        True
        """
        if self._relayout is not None:
            return self._relayout(array, like)
        return array

    def copy(self, array: Any) -> Any:
        """A native array with ``array``'s values in memory of its own.

        Examples
        --------
        >>> import numpy as np
        >>> import polytensor as pt
        >>> a = np.ones(2)
        >>> c = pt.backends.get("numpy").copy(a)
        >>> c is a, bool((c == a).all())
        (False, True)
        """
        if self._copy is not None:
            return self._copy(array)
        return self.xp.asarray(array, copy=True)

    def from_numpy(self, array: Any, device: Any = None) -> Any:
        """A native array holding the data of NumPy ``array``."""
        if self._from_numpy is not None:
            return self._from_numpy(self, array, device)
        if device is None:
            return self.xp.asarray(array)
        return self.xp.asarray(array, device=device)


def _is_integer_array(k: Any) -> bool:
    dtype = getattr(k, "dtype", None)
    return dtype is not None and getattr(k, "ndim", 0) >= 0 and "int" in str(dtype)


def _host_key(key: Any, to_numpy: Callable[[Any], Any]) -> Any:
    items = key if isinstance(key, tuple) else (key,)
    out = tuple(to_numpy(k) if hasattr(k, "dtype") else k for k in items)
    return out if isinstance(key, tuple) else out[0]


def generic_scatter_add(backend: Backend) -> Callable[..., Any]:
    """``zeros(shape)`` with ``g`` added at ``key``: written in place where no index repeats
    (basic indices, boolean masks); integer-array indices, which may repeat, add on the host
    with ``numpy.add.at`` unless the backend overrides ``_scatter_add``."""

    def scatter_add(g: Any, key: Any, shape: tuple[int, ...]) -> Any:
        xp = backend.xp
        items = key if isinstance(key, tuple) else (key,)
        if not any(_is_integer_array(k) for k in items) and backend.mutable:
            z = xp.zeros(shape, dtype=g.dtype, device=backend.device_of(g))
            new_axes = any(k is None for k in items)
            if new_axes:  # new axes: write g without them
                items = tuple(k for k in items if k is not None)
                key = items
            # array-api-strict wants the trailing axes of a partial index said with an Ellipsis
            # (a boolean mask must be the sole index)
            said = sum(k.ndim if hasattr(k, "ndim") else 1 for k in items)
            if len(items) == 1 and hasattr(items[0], "ndim"):
                key = items[0]
            elif said < len(shape) and not any(k is Ellipsis for k in items):
                key = (*items, Ellipsis)
            if new_axes:
                g = xp.reshape(g, z[key].shape)
            z[key] = g
            return z
        import numpy as np

        z = np.zeros(shape, dtype=backend.to_numpy(g).dtype)
        np.add.at(z, _host_key(key, backend.to_numpy), backend.to_numpy(g))
        return backend.from_numpy(z, backend.device_of(g) if backend.multi_device else None)

    return scatter_add


def generic_check_index(backend: Backend) -> Callable[..., Any]:
    """``x`` itself, once its values are checked to index an axis of length ``size`` (0 to
    ``size - 1``, or ``ignore`` when it is not None); ``DataIndexError`` (an IndexError)
    naming ``where`` otherwise. (A lazy backend overrides it with a check inside its task
    graph.)"""

    def check_index(x: Any, *, size: int, ignore: int | None, where: str, what: str) -> Any:
        xp = backend.xp
        bad = xp.logical_or(x < 0, x >= size)
        if ignore is not None:
            bad = xp.logical_and(bad, x != ignore)
        if bool(xp.any(bad)):
            v = backend.to_numpy(x)[backend.to_numpy(bad)].flat[0]
            if ignore is None:
                raise DataIndexError(
                    f"{where}(): {what} {v} is out of bounds for an axis of size {size}; valid "
                    f"values are 0 to {size - 1}"
                )
            raise DataIndexError(
                f"{where}(): {what} {v} is out of bounds for {size} classes; expected class "
                f"indices 0 to {size - 1} (or ignore_index={ignore})"
            )
        return x

    return check_index


def generic_scatter_along_axis(backend: Backend) -> Callable[..., Any]:
    """``_scatter_along_axis(g, indices[, like], axis=, shape=)``: zeros of ``shape`` with
    ``g`` added at ``indices`` along ``axis`` (the adjoint of ``take_along_axis``), by the
    backend's ``_scatter_add`` at ``indices`` and each other axis's own positions (``like``,
    a lazy backend's primal lending its layout, is not read here)."""

    def scatter_along_axis(g: Any, indices: Any, *like: Any, axis: int, shape: Any) -> Any:
        xp = backend.xp
        key: list[Any] = []
        for d, n in enumerate(shape):
            if d == axis:
                key.append(indices)
            else:
                lines = [1] * len(shape)
                lines[d] = n
                positions = xp.arange(n, device=backend.device_of(g))
                key.append(xp.reshape(positions, tuple(lines)))
        return backend.resolve("_scatter_add")(g, tuple(key), tuple(shape))

    return scatter_along_axis


def generic_check_range(backend: Backend) -> Callable[..., Any]:
    """``x`` itself, once its values are checked to lie in ``[low, high]`` (None: no bound; NaN
    lies nowhere); ``DataValueError`` with ``message`` and the first value outside otherwise.
    (A lazy backend overrides it with a check inside its task graph.)"""

    def check_range(x: Any, *, low: Any, high: Any, message: str) -> Any:
        bad = out_of_range(backend.xp, x, low, high)
        if bool(backend.xp.any(bad)):
            v = backend.to_numpy(x)[backend.to_numpy(bad)].flat[0]
            raise DataValueError(f"{message} (got {v})")
        return x

    return check_range


def out_of_range(xp: Any, x: Any, low: Any, high: Any) -> Any:
    """Where ``x`` is not in ``[low, high]`` (None: no bound), NaN included, as booleans."""
    inside = None
    if low is not None:
        inside = x >= low
    if high is not None:
        inside = x <= high if inside is None else xp.logical_and(inside, x <= high)
    if inside is None:  # (no bound: only NaN lies outside)
        return xp.isnan(x)
    return xp.logical_not(inside)


def generic_put(backend: Backend) -> Callable[..., Any]:
    """A copy of ``x`` with ``v`` written at ``key``."""

    def put(x: Any, v: Any, key: Any) -> Any:
        if backend.mutable:
            y = backend.xp.asarray(x, copy=True)
        else:
            y = x.copy()
        y[key] = v
        return y

    return put


def generic_fmod(xp: Any) -> Callable[..., Any]:
    """``_fmod(x1, x2)`` (C's ``fmod``: the remainder with ``x1``'s sign) in the standard's
    functions: the remainder of the magnitudes, which is exact for non-negative operands,
    given ``x1``'s sign (a zero's too, for floats).

    >>> import numpy as np
    >>> from polytensor.backends._backend import generic_fmod
    >>> generic_fmod(np)(np.array([-7.0, 7.0, -1e-20]), 2.0).tolist()
    [-1.0, 1.0, -1e-20]
    """

    def fmod(x1: Any, x2: Any, /) -> Any:
        r = xp.remainder(xp.abs(x1), xp.abs(x2) if hasattr(x2, "dtype") else abs(x2))
        if xp.isdtype(r.dtype, "real floating"):
            return xp.copysign(r, x1)
        return xp.where(x1 < 0, -r, r)

    return fmod


def generic_log_softmax(xp: Any) -> Callable[..., Any]:
    """``_log_softmax(x, axis=...)`` in the standard's functions: ``x - max - log(sum(exp(x -
    max)))`` along ``axis``, the maximum subtracted so that nothing overflows.

    >>> import numpy as np
    >>> from polytensor.backends._backend import generic_log_softmax
    >>> log_softmax = generic_log_softmax(np)
    >>> np.exp(log_softmax(np.array([[0.0, 1000.0]]), axis=1)).tolist()
    [[0.0, 1.0]]
    """

    def log_softmax(x: Any, /, *, axis: int) -> Any:
        s = x - xp.max(x, axis=axis, keepdims=True)
        return s - xp.log(xp.sum(xp.exp(s), axis=axis, keepdims=True))

    return log_softmax


def generic_layer_norm(xp: Any) -> Callable[..., Any]:
    """``_layer_norm(x, weight, bias, axes=..., eps=...)`` in the standard's functions:
    ``(x - mean) / sqrt(var + eps) * weight + bias`` over ``axes`` (the biased variance).

    >>> import numpy as np
    >>> from polytensor.backends._backend import generic_layer_norm
    >>> generic_layer_norm(np)(np.array([[1.0, 3.0]]), axes=(1,), eps=0.0).tolist()
    [[-1.0, 1.0]]
    """

    def layer_norm(
        x: Any, /, weight: Any = None, bias: Any = None, *, axes: Any, eps: float
    ) -> Any:
        d = x - xp.mean(x, axis=axes, keepdims=True)
        y = d / xp.sqrt(xp.mean(d * d, axis=axes, keepdims=True) + eps)
        if weight is not None:
            y = y * weight
        return y if bias is None else y + bias

    return layer_norm


def generic_softmax(xp: Any) -> Callable[..., Any]:
    """``_softmax(x, axis=...)`` in the standard's functions: ``exp(x - max) / sum(exp(x -
    max))`` along ``axis``, the maximum subtracted so that nothing overflows.

    >>> import numpy as np
    >>> from polytensor.backends._backend import generic_softmax
    >>> generic_softmax(np)(np.array([[0.0, 1000.0], [1.0, 1.0]]), axis=1).tolist()
    [[0.0, 1.0], [0.5, 0.5]]
    """

    def softmax(x: Any, /, *, axis: int) -> Any:
        e = xp.exp(x - xp.max(x, axis=axis, keepdims=True))
        return e / xp.sum(e, axis=axis, keepdims=True)

    return softmax


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TANH_BETA = math.sqrt(2.0 / math.pi)
_TANH_KAPPA = 0.044715


def generic_gelu(backend: Backend) -> dict[str, Callable[..., Any]]:
    """``_gelu(x, approximate=...)`` and its first derivative ``_gelu_backward(g, x,
    approximate=...)`` in the standard's functions, as PyTorch's kernels compute them: the
    exact GELU ``x (1 + erf(x / sqrt(2))) / 2`` takes the backend's ``special.erf`` (SciPy's,
    or an error naming the ``special`` extra), the tanh approximation only the standard's.

    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor.backends._backend import generic_gelu
    >>> gelu = generic_gelu(pt.backends.get("numpy"))["_gelu"]
    >>> gelu(np.array([0.0, 10.0]), approximate="tanh").tolist()
    [0.0, 10.0]
    """

    def tanh_inner(x: Any) -> Any:
        return backend.xp.tanh(_TANH_BETA * (x + _TANH_KAPPA * (x * x * x)))

    def gelu(x: Any, /, *, approximate: str, keep: Any = None) -> Any:
        if approximate == "tanh":
            return (0.5 * x) * (1.0 + tanh_inner(x))
        return (0.5 * x) * (1.0 + backend.resolve("special.erf")(x * _SQRT_HALF))

    def gelu_backward(g: Any, x: Any, /, *, approximate: str, cdf: Any = None) -> Any:
        if approximate == "tanh":
            t = tanh_inner(x)
            inner = _TANH_BETA * (1.0 + (3.0 * _TANH_KAPPA) * (x * x))
            return g * (0.5 * (1.0 + t) + (0.5 * x) * (1.0 - t * t) * inner)
        if cdf is None:
            cdf = 0.5 * (1.0 + backend.resolve("special.erf")(x * _SQRT_HALF))
        return g * (cdf + x * (backend.xp.exp(-0.5 * (x * x)) * _INV_SQRT_2PI))

    return {"_gelu": gelu, "_gelu_backward": gelu_backward}


def generic_nll_loss(backend: Backend) -> dict[str, Callable[..., Any]]:
    """``_nll_loss`` and its adjoint ``_nll_loss_backward`` in the standard's functions.

    ``_nll_loss(x, t, axis=, ignore_index=, reduction=)``: ``-x`` at class index ``t`` along
    ``axis`` (0 where ``t`` is ``ignore_index``), then summed (``"sum"``), averaged over the
    targets not ignored (``"mean"``) or not (``"none"``). ``_nll_loss_backward(g, t, ...,
    classes=)``: ``-g`` (divided by the count for ``"mean"``) spread to the class of each
    target along a new axis of length ``classes``, 0 elsewhere.

    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor.backends._backend import generic_nll_loss
    >>> fns = generic_nll_loss(pt.backends.get("numpy"))
    >>> x, t = np.array([[0.0, -1.0], [-2.0, 0.0]]), np.array([1, -100])
    >>> float(fns["_nll_loss"](x, t, axis=1, ignore_index=-100, reduction="mean"))
    1.0
    >>> fns["_nll_loss_backward"](
    ...     np.array(1.0), t, axis=1, ignore_index=-100, reduction="mean", classes=2
    ... ).tolist()
    [[0.0, -1.0], [0.0, 0.0]]
    """

    def nll_loss(x: Any, t: Any, /, *, axis: int, ignore_index: int, reduction: str) -> Any:
        xp = backend.xp
        valid = t != ignore_index
        idx = xp.expand_dims(xp.where(valid, t, xp.zeros_like(t)), axis=axis)
        picked = xp.squeeze(backend.resolve("take_along_axis")(x, idx, axis=axis), axis=axis)
        loss = xp.where(valid, -picked, xp.zeros_like(picked))
        if reduction == "none":
            return loss
        total = xp.sum(loss)
        return total if reduction == "sum" else total / xp.sum(xp.astype(valid, x.dtype))

    def nll_loss_backward(
        g: Any, t: Any, /, *, axis: int, ignore_index: int, reduction: str, classes: int
    ) -> Any:
        xp = backend.xp
        valid = t != ignore_index
        if reduction != "none":
            if reduction == "mean":
                g = g / xp.sum(xp.astype(valid, g.dtype))
            g = xp.broadcast_to(g, t.shape)
        n_after = t.ndim - axis  # the axes after the class axis, in the result
        shape = (classes,) + (1,) * n_after
        cls = xp.reshape(xp.arange(classes, dtype=t.dtype, device=backend.device_of(t)), shape)
        hit = xp.logical_and(xp.expand_dims(t, axis=axis) == cls, xp.expand_dims(valid, axis=axis))
        return xp.where(hit, -xp.expand_dims(g, axis=axis), xp.zeros_like(cls, dtype=g.dtype))

    return {"_nll_loss": nll_loss, "_nll_loss_backward": nll_loss_backward}


def generic_cross_entropy(backend: Backend) -> dict[str, Callable[..., Any]]:
    """``_cross_entropy`` and ``_cross_entropy_backward`` from the backend's other functions.

    ``_cross_entropy(x, t, axis=, ignore_index=, reduction=, keep=None)``: ``_check_index`` of
    the targets, ``_log_softmax`` and ``_nll_loss``, in turn; the log-probabilities appended to
    ``keep`` when it is a list. ``_cross_entropy_backward(g, logp, t, axis=, ignore_index=,
    reduction=)``: the gradient in ``x`` from the log-probabilities, ``_nll_loss``'s then
    ``_log_softmax``'s: ``gl - exp(logp) * sum(gl)``, ``gl`` the former.

    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor.backends._backend import generic_cross_entropy
    >>> fns = generic_cross_entropy(pt.backends.get("numpy"))
    >>> x, t = np.zeros((2, 4)), np.array([1, 3])
    >>> round(float(fns["_cross_entropy"](x, t, axis=1, ignore_index=-100, reduction="mean")), 4)
    1.3863
    """
    fns: dict[str, Callable[..., Any]] = {}  # (resolved on first use: after the backend loads)

    def fn(name: str) -> Callable[..., Any]:
        f = fns.get(name)
        if f is None:
            f = fns[name] = backend.resolve(name)
        return f

    def cross_entropy(
        x: Any, t: Any, /, *, axis: int, ignore_index: int, reduction: str, keep: Any = None
    ) -> Any:
        t = fn("_check_index")(
            t, size=x.shape[axis], ignore=ignore_index, where="cross_entropy", what="target"
        )
        logp = fn("_log_softmax")(x, axis=axis)
        if keep is not None:
            keep.append(logp)
        return fn("_nll_loss")(logp, t, axis=axis, ignore_index=ignore_index, reduction=reduction)

    def cross_entropy_backward(
        g: Any, logp: Any, t: Any, /, *, axis: int, ignore_index: int, reduction: str
    ) -> Any:
        gl = fn("_nll_loss_backward")(
            g,
            t,
            axis=axis,
            ignore_index=ignore_index,
            reduction=reduction,
            classes=logp.shape[axis],
        )
        return gl - fn("exp")(logp) * fn("sum")(gl, axis=axis, keepdims=True)

    return {"_cross_entropy": cross_entropy, "_cross_entropy_backward": cross_entropy_backward}


def generic_embedding(backend: Backend) -> dict[str, Callable[..., Any]]:
    """``_embedding`` and its adjoint ``_embedding_backward`` from the backend's other
    functions.

    ``_embedding(w, ids, padding_idx=)``: the rows of the matrix ``w`` at ``ids`` (checked by
    ``_check_index``), of shape ``ids.shape + (d,)``. ``_embedding_backward(g, ids,
    num_weights=, padding_idx=)``: the rows of ``g`` added up per id by ``_scatter_add`` into
    ``num_weights`` rows, the row ``padding_idx`` (None: none) zero.

    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor.backends._backend import generic_embedding
    >>> fns = generic_embedding(pt.backends.get("numpy"))
    >>> fns["_embedding_backward"](np.ones((3, 1)), np.array([1, 0, 1]), num_weights=3,
    ...                            padding_idx=0).tolist()
    [[0.0], [2.0], [0.0]]
    """
    fns: dict[str, Callable[..., Any]] = {}  # (resolved on first use: after the backend loads)

    def fn(name: str) -> Callable[..., Any]:
        f = fns.get(name)
        if f is None:
            f = fns[name] = backend.resolve(name)
        return f

    def embedding(w: Any, ids: Any, /, *, padding_idx: Any) -> Any:
        reshape = fn("reshape")
        flat = fn("_check_index")(
            reshape(ids, (-1,)), size=w.shape[0], ignore=None, where="embedding", what="id"
        )
        return reshape(fn("take")(w, flat, axis=0), (*ids.shape, w.shape[1]))

    def embedding_backward(g: Any, ids: Any, /, *, num_weights: int, padding_idx: Any) -> Any:
        reshape, d = fn("reshape"), g.shape[-1]
        key = (reshape(ids, (-1,)),)
        z = fn("_scatter_add")(reshape(g, (-1, d)), key=key, shape=(num_weights, d))
        if padding_idx is None:
            return z
        xp = backend.xp
        rows = xp.arange(num_weights, device=backend.device_of(z))
        pad = xp.reshape(rows == padding_idx, (num_weights, 1))
        return xp.where(pad, xp.zeros((), dtype=z.dtype, device=backend.device_of(z)), z)

    return {"_embedding": embedding, "_embedding_backward": embedding_backward}


def generic_extreme_indices(backend: Backend) -> Callable[..., Any]:
    """``_extreme_indices(x, axis=, keepdims=, largest=)``: ``(values, indices)`` along
    ``axis``, the indices the backend's ``argmax`` (``largest``) or ``argmin``, the values
    ``take_along_axis`` at them.

    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor.backends._backend import generic_extreme_indices
    >>> f = generic_extreme_indices(pt.backends.get("numpy"))
    >>> f(np.array([[1.0, 3.0], [2.0, 0.0]]), axis=1, keepdims=False, largest=True)
    (array([3., 2.]), array([1, 0]))
    """
    fns: dict[str, Callable[..., Any]] = {}  # (resolved on first use: after the backend loads)

    def fn(name: str) -> Callable[..., Any]:
        f = fns.get(name)
        if f is None:
            f = fns[name] = backend.resolve(name)
        return f

    def extreme_indices(x: Any, /, *, axis: int, keepdims: bool, largest: bool) -> Any:
        indices = fn("argmax" if largest else "argmin")(x, axis=axis, keepdims=True)
        values = fn("take_along_axis")(x, indices, axis=axis)
        if keepdims:
            return values, indices
        squeeze = fn("squeeze")
        return squeeze(values, axis=axis), squeeze(indices, axis=axis)

    return extreme_indices


def generic_cumulative_extreme(xp: Any) -> Callable[..., Any]:
    """``_cumulative_extreme(x, axis=, largest=)``: the running maximum (``largest``) or
    minimum along ``axis``, a NaN kept once met, by doubling: after the pass of shift s, place
    i holds the extreme of places i - 2s + 1 .. i (``log2(n)`` passes of the namespace's
    ``take`` and ``maximum``/``minimum``, which give NaN where either is NaN).

    >>> import numpy as np
    >>> from polytensor.backends._backend import generic_cumulative_extreme
    >>> f = generic_cumulative_extreme(np)
    >>> f(np.array([1.0, 3.0, 2.0, np.nan, 5.0]), axis=0, largest=True).tolist()
    [1.0, 3.0, 3.0, nan, nan]
    """

    def cumulative_extreme(x: Any, /, *, axis: int, largest: bool) -> Any:
        pick = xp.maximum if largest else xp.minimum
        n = x.shape[axis]
        positions = xp.arange(n)
        shift = 1
        while shift < n:
            back = xp.where(positions >= shift, positions - shift, positions)
            x = pick(x, xp.take(x, back, axis=axis))
            shift *= 2
        return x

    return cumulative_extreme


def generic_logcumsumexp(xp: Any) -> Callable[..., Any]:
    """``_logcumsumexp(x, axis=)``: ``log(cumsum(exp(x)))`` along ``axis`` by doubling (a
    Hillis-Steele scan of the namespace's ``logaddexp``; -inf before the start adds nothing).

    >>> import numpy as np
    >>> from polytensor.backends._backend import generic_logcumsumexp
    >>> generic_logcumsumexp(np)(np.array([-1000.0, 0.0, 0.0]), axis=0).round(4).tolist()
    [-1000.0, 0.0, 0.6931]
    """

    def logcumsumexp(x: Any, /, *, axis: int) -> Any:
        n = x.shape[axis]
        positions = xp.arange(n)
        late = xp.reshape(positions, tuple(n if i == axis % x.ndim else 1 for i in range(x.ndim)))
        shift = 1
        while shift < n:
            back = xp.where(positions >= shift, positions - shift, positions)
            before = xp.where(late >= shift, xp.take(x, back, axis=axis), -math.inf)
            x = xp.logaddexp(x, before)
            shift *= 2
        return x

    return logcumsumexp


def generic_strong_zero(xp: Any, *, all_finite: Callable[[Any], bool] | None) -> Callable[..., Any]:
    """``p`` with 0 where ``g`` is 0 and ``p`` is NaN (``_strong_zero``, the cotangent of a
    derivative rule ``p = g * f'(x)``). With ``all_finite`` (eager backends: a test that every
    element is finite), ``p`` itself when it passes (the common case: one pass, no where);
    without (a lazy backend, whose scheduler fuses the where with the product, or a GPU, where
    a test would make the host wait), always the where.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends._backend import generic_strong_zero
    >>> strong_zero = generic_strong_zero(np, all_finite=lambda a: bool(np.all(np.isfinite(a))))
    >>> strong_zero(np.array([np.nan, np.nan, 2.0]), np.array([0.0, 1.0, 1.0])).tolist()
    [0.0, nan, 2.0]
    """

    def masked(p: Any, g: Any, /) -> Any:
        return xp.where((g == 0) & xp.isnan(p), xp.zeros_like(p), p)

    if all_finite is None:
        return masked

    def strong_zero(p: Any, g: Any, /) -> Any:
        return p if all_finite(p) else masked(p, g)

    return strong_zero
