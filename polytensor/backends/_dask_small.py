# mypy: disable-error-code="no-untyped-call"
# (dask ships no type annotations)
"""Small Dask arrays: one task per operation, built cheaply.

A training step on small tensors (a mini-batch, a layer's weights) makes a few hundred
operations on arrays that each fit in one chunk. Through ``dask.array`` every one of them costs
0.3 to 3 ms of graph building (metadata inference, tokenizing, blockwise layers), and some
split what was one chunk into many (``concatenate`` and ``stack`` keep their inputs' blocks,
``matmul`` adds partial-sum tasks, item assignment adds a task per touched block), so one step
of the ``make run`` demo was ~3,300 tasks and two seconds.

Here an operation whose array arguments are all single-chunk NumPy-backed Dask arrays, with a
result of at most ``SMALL_BYTES``, becomes one task of a ``HighLevelGraph`` layer: the NumPy
backend's function for the same op (the standard's semantics, as on the NumPy backend) applied
to the input blocks. The output's shape and dtype come from shape rules for element-wise ops
and ``matmul``, and from the NumPy function applied to zero-stride stand-ins of the inputs
(no input memory) for the others; nothing is computed from the data. Anything else (chunked
arrays, large results, boolean masks, ops with data-dependent shapes, which are not listed
here) goes through ``dask.array`` as before. Dask's schedulers (threads, ``distributed``) run
these graphs like any other; a graph made only of single-task layers (``one_task_graph``) is
computed without Dask's array optimisation, which would cull nothing there and fuse little, at
more cost than the computation (``_dask_scheduler.scheduler``).
"""

from __future__ import annotations

import math
import uuid
import warnings
from collections.abc import Callable
from typing import Any

import dask.array as da
import numpy as np
from dask.blockwise import Blockwise
from dask.highlevelgraph import HighLevelGraph, MaterializedLayer
from dask.task_spec import Task, TaskRef

__all__ = [
    "SMALL_BYTES",
    "creation",
    "fold",
    "handles",
    "host_value",
    "numpy_function",
    "one_task",
    "one_task_graph",
    "wrap",
]

# Results up to this size take the one-task path. Past it, an op's own work dwarfs the cost of
# building its graph, and the stand-ins' output would cost host memory.
SMALL_BYTES = 32 * 2**20

# Element-wise ops: the result has the broadcast shape of the array arguments.
ELEMENTWISE = frozenset(
    [
        "astype",
        "abs",
        "negative",
        "positive",
        "square",
        "sqrt",
        "reciprocal",
        "sign",
        "add",
        "subtract",
        "multiply",
        "divide",
        "floor_divide",
        "remainder",
        "pow",
        "maximum",
        "minimum",
        "copysign",
        "hypot",
        "nextafter",
        "atan2",
        "logaddexp",
        "exp",
        "expm1",
        "log",
        "log1p",
        "log2",
        "log10",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "tanh",
        "asinh",
        "acosh",
        "atanh",
        "ceil",
        "floor",
        "round",
        "trunc",
        "conj",
        "real",
        "imag",
        "relu",
        "_relu_backward",
        "_log_softmax",
        "_softmax",
        "_gelu",
        "_gelu_backward",
        "equal",
        "not_equal",
        "greater",
        "greater_equal",
        "less",
        "less_equal",
        "isfinite",
        "isinf",
        "isnan",
        "signbit",
        "logical_and",
        "logical_or",
        "logical_xor",
        "logical_not",
        "bitwise_and",
        "bitwise_or",
        "bitwise_xor",
        "bitwise_invert",
        "bitwise_left_shift",
        "bitwise_right_shift",
        "clip",
        "where",
    ]
)
# Products: the shape follows matmul's rule (the operands' FLOPs are never spent on stand-ins).
PRODUCTS = frozenset(("matmul", "_matmul_nt", "_matmul_tn"))
# Ops with one array result whose shape depends on the arguments' shapes and parameters only:
# their stand-ins are zero-stride views, so the NumPy function runs on no input memory.
STRUCTURAL = frozenset(
    [
        "tril",
        "triu",
        "argmax",
        "argmin",
        "count_nonzero",
        "searchsorted",
        "broadcast_to",
        "concat",
        "expand_dims",
        "flip",
        "moveaxis",
        "permute_dims",
        "reshape",
        "roll",
        "squeeze",
        "stack",
        "tile",
        "sum",
        "prod",
        "mean",
        "var",
        "std",
        "max",
        "min",
        "cumulative_sum",
        "cumulative_prod",
        "all",
        "any",
        "take",
        "take_along_axis",
        "__getitem__",
        "_scatter_add",
        "_scatter_along_axis",
        "_put",
        "linalg.diagonal",
        "linalg.outer",
        "linalg.trace",
        "linalg.vector_norm",
        "matrix_transpose",
        "vecdot",
        "argsort",
        "sort",
        "isin",
    ]
)
# Ops whose key may hold a boolean mask: the number of selected elements depends on the data.
_KEYED = frozenset(("__getitem__", "_scatter_add", "_put"))


class _Slot:
    """Where the i-th input block goes in an op's arguments."""

    __slots__ = ("i",)

    def __init__(self, i: int) -> None:
        self.i = i

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Slot, (self.i,))


def _fill(obj: Any, blocks: tuple[Any, ...]) -> Any:
    if isinstance(obj, _Slot):
        return blocks[obj.i]
    if isinstance(obj, (list, tuple)):
        return type(obj)(_fill(o, blocks) for o in obj)
    return obj


# Op name -> the NumPy backend's function, in this process (tasks name their op, so that they
# pickle by name to any worker process).
_NUMPY_FNS: dict[str, Callable[..., Any]] = {}


def numpy_function(name: str) -> Callable[..., Any]:
    """The NumPy backend's function for op ``name``.

    Examples
    --------
    >>> from polytensor.backends._dask_small import numpy_function
    >>> float(numpy_function("add")(1.0, 2.0))
    3.0
    """
    fn = _NUMPY_FNS.get(name)
    if fn is None:
        from .numpy import BACKEND

        fn = _NUMPY_FNS[name] = BACKEND.resolve(name)
    return fn


# The function a user called, for an op whose error (an index out of range, found when the task
# runs) should name it
_CALLED = {"_put": "__setitem__", "_scatter_add": "__getitem__"}


def _run(name: str, args: Any, kwargs: Any, *blocks: Any) -> Any:
    """The task: op ``name`` of the NumPy backend on the arguments, input blocks in their slots."""
    try:
        out = numpy_function(name)(*_fill(args, blocks), **_fill(kwargs, blocks))
    except IndexError as e:  # NumPy's words, with the function named
        raise IndexError(f"{_CALLED.get(name, name)}(): {e}") from None
    return np.asarray(out)


def _split(obj: Any, arrays: list[Any]) -> Any:
    """``obj`` with each Dask array replaced by a ``_Slot`` (the array appended to ``arrays``);
    ``_NotSmall`` if an array is not a single NumPy chunk of known shape."""
    if isinstance(obj, da.Array):
        if obj.npartitions != 1 or type(obj._meta) is not np.ndarray:
            raise _NotSmall
        if any(math.isnan(s) for s in obj.shape):
            raise _NotSmall
        arrays.append(obj)
        return _Slot(len(arrays) - 1)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_split(o, arrays) for o in obj)
    if isinstance(obj, dict):
        return {k: _split(v, arrays) for k, v in obj.items()}
    return obj


class _NotSmall(Exception):
    """An argument rules the one-task path out."""


def _matmul_shape(name: str, a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    if name == "_matmul_nt":
        b = b[:-2] + (b[-1], b[-2])
    elif name == "_matmul_tn":
        a = a[:-2] + (a[-1], a[-2])
    if len(a) < 1 or len(b) < 1:
        raise _NotSmall  # matmul's own error message
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise _NotSmall
    out = np.broadcast_shapes(a2[:-2], b2[:-2]) + (a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


def _meta(
    name: str, np_fn: Callable[..., Any], args: Any, kwargs: Any, arrays: list[Any]
) -> tuple[tuple[int, ...], Any]:
    """Shape and dtype of the op's result, without its inputs' data.

    The stand-ins' floating-point warnings are silenced by ``np.errstate``; the few ops whose
    NumPy function warns otherwise (a complex cast, an empty input, a variance's degrees of
    freedom) run under ``warnings.catch_warnings``. Note: not every op: entering it changes
    the warning filters, which makes Python forget every warning it has shown once (a layer's
    warning, PyTorch's once per place, would then repeat at each call).
    """
    if name in _WARNS_ON_STAND_INS or any(a.dtype.kind == "c" or 0 in a.shape for a in arrays):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _quiet_meta(name, np_fn, args, kwargs, arrays)
    return _quiet_meta(name, np_fn, args, kwargs, arrays)


# (their NumPy functions warn on zeros, "Degrees of freedom <= 0", where errstate cannot help)
_WARNS_ON_STAND_INS = frozenset(("var", "std"))


def _quiet_meta(
    name: str, np_fn: Callable[..., Any], args: Any, kwargs: Any, arrays: list[Any]
) -> tuple[tuple[int, ...], Any]:
    """``_meta``'s work, the stand-ins' floating-point warnings silenced."""
    with np.errstate(all="ignore"):
        if name in ELEMENTWISE or name in PRODUCTS:
            tiny = tuple(np.ones((1,) * a.ndim, dtype=a.dtype) for a in arrays)
            if name in PRODUCTS:
                shape = _matmul_shape(name, arrays[0].shape, arrays[1].shape)
                dtype = np.result_type(*tiny)
            else:
                shape = np.broadcast_shapes(*(a.shape for a in arrays))
                dtype = np.asarray(np_fn(*_fill(args, tiny), **_fill(kwargs, tiny))).dtype
            return tuple(shape), dtype
        stand_ins = tuple(np.broadcast_to(np.zeros((), dtype=a.dtype), a.shape) for a in arrays)
        out = np.asarray(np_fn(*_fill(args, stand_ins), **_fill(kwargs, stand_ins)))
        return out.shape, out.dtype


def _graph(name: str, layer: dict[Any, Any], arrays: list[Any]) -> Any:
    """``HighLevelGraph.from_collections(name, layer, arrays)``, built with two dict merges.

    Note: ``HighLevelGraph.__init__`` re-checks every layer of the merged graph (an
    ``isinstance`` per layer, for each new op: quadratic in a step's ~200 layers, and a
    seventh of the demo's time on Dask). The layers merged here are Layers already, so the
    graph is assembled with the three fields ``__init__`` sets.
    """
    layers: dict[str, Any] = {}
    deps: dict[str, Any] = {}
    for a in arrays:
        g = a.dask
        if not isinstance(g, HighLevelGraph):
            return HighLevelGraph.from_collections(name, layer, dependencies=arrays)
        layers.update(g.layers)
        deps.update(g.dependencies)
    layers[name] = MaterializedLayer(layer)
    deps[name] = {n for a in arrays for n in a.__dask_layers__()}
    graph = HighLevelGraph.__new__(HighLevelGraph)
    graph.layers = layers
    graph.dependencies = deps
    graph.key_dependencies = {}
    return graph


def one_task(name: str, args: Any, kwargs: Any, arrays: list[Any], meta: Any) -> Any:
    """A single-chunk Dask array of shape/dtype ``meta``: one task running op ``name`` of the
    NumPy backend on the blocks of ``arrays`` (placed at the ``_Slot``s of ``args``/``kwargs``).

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from polytensor.backends._dask_small import one_task, _Slot
    >>> x = da.ones((2, 3), chunks=-1)
    >>> y = one_task("add", (_Slot(0), 1.0), {}, [x], ((2, 3), np.dtype("float64")))
    >>> y.npartitions, y.compute().tolist()
    (1, [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]])
    """
    shape, dtype = meta
    label = name.strip("_").replace(".", "-")
    out = f"{label}-{uuid.uuid4().hex}"
    key = (out,) + (0,) * len(shape)
    refs = [TaskRef((a.name,) + (0,) * a.ndim) for a in arrays]
    layer: dict[Any, Any] = {key: Task(key, _run, name, args, kwargs, *refs)}
    graph = _graph(out, layer, arrays)
    return da.Array(
        graph,
        out,
        chunks=tuple((s,) for s in shape),
        meta=np.empty((0,) * len(shape), dtype=dtype),
    )


def handles(name: str) -> bool:
    """Whether op ``name`` has the one-task path.

    Examples
    --------
    >>> from polytensor.backends._dask_small import handles
    >>> handles("exp"), handles("nonzero")
    (True, False)
    """
    return name in ELEMENTWISE or name in PRODUCTS or name in STRUCTURAL


def wrap(name: str, dask_fn: Callable[..., Any]) -> Callable[..., Any]:
    """``dask_fn`` with the one-task path for small single-chunk arguments (see the module).

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from polytensor.backends._dask_small import wrap
    >>> add = wrap("add", da.add)
    >>> len(add(da.ones(3, chunks=-1), 1.0).__dask_graph__())
    2
    >>> add(da.ones(4, chunks=2), 1.0).npartitions  # chunked: Dask's own function
    2
    """
    if not handles(name):
        return dask_fn

    def small_or_dask(*args: Any, **kwargs: Any) -> Any:
        arrays: list[Any] = []
        try:
            a_args = _split(args, arrays)
            a_kwargs = _split(kwargs, arrays)
            if not arrays or (name in _KEYED and any(a.dtype == np.bool_ for a in arrays[1:])):
                raise _NotSmall
            if any(a.nbytes > SMALL_BYTES for a in arrays):
                raise _NotSmall
            meta = _meta(name, numpy_function(name), a_args, a_kwargs, arrays)
        except Exception:  # noqa: BLE001 - _NotSmall, or an error of the op's: Dask's function
            return dask_fn(*args, **kwargs)  # then raises it, with its own message
        shape, dtype = meta
        if math.prod(shape) * np.dtype(dtype).itemsize > SMALL_BYTES:
            return dask_fn(*args, **kwargs)
        if not shape:  # a scalar of scalars that hold their values: one too (see fold)
            folded = fold(name, a_args, a_kwargs, arrays, dtype)
            if folded is not None:
                return folded
        return one_task(name, a_args, a_kwargs, arrays, meta)

    small_or_dask.__name__ = getattr(dask_fn, "__name__", name)
    small_or_dask.__doc__ = getattr(dask_fn, "__doc__", None)
    small_or_dask.__wrapped__ = dask_fn  # type: ignore[attr-defined]
    return small_or_dask


def host_value(a: Any) -> Any:
    """The value of 0-d Dask array ``a`` when its graph is that value (one layer, one key, a
    NumPy array: what ``asarray`` of a Python scalar or a 0-d NumPy array makes, and ``fold``);
    None otherwise. Reading it runs nothing.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from polytensor.backends._dask_small import host_value
    >>> host_value(da.from_array(np.asarray(3.0))), host_value(da.from_array(np.asarray(3.0)) + 1)
    (array(3.), None)
    """
    if a.ndim != 0:
        return None
    g = a.dask
    if not isinstance(g, HighLevelGraph) or len(g.layers) != 1:
        return None
    layer = g.layers.get(a.name)
    if not isinstance(layer, MaterializedLayer) or len(layer.mapping) != 1:
        return None
    v = layer.mapping.get((a.name,))
    if type(v) is not np.ndarray or v.shape != () or v.dtype != a.dtype:
        return None
    return v


def fold(name: str, args: Any, kwargs: Any, arrays: list[Any], dtype: Any) -> Any:
    """Op ``name``'s 0-d result, as a Dask array that holds its value, when every array argument
    holds its own (``host_value``: constants a library made with ``asarray``, such as SciPy's
    ``order``); None otherwise, or when the NumPy function raises or meets a floating-point
    error (a division by zero), which the task then meets where it did.

    Libraries test such constants with ``bool()`` (``if order == 0:``, ``while n > 2:``): their
    results hold their values, so that reading them runs no scheduler (``DaskBackend.to_numpy``),
    and nothing that depends on a computation is evaluated here.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from polytensor.backends._dask_small import fold, host_value, _Slot
    >>> three = da.from_array(np.asarray(3.0))
    >>> host_value(fold("remainder", (_Slot(0), 2), {}, [three], np.dtype("float64")))
    array(1.)
    """
    values = []
    for a in arrays:
        v = host_value(a)
        if v is None:
            return None
        values.append(v)
    try:
        with np.errstate(all="raise"):
            out = _run(name, args, kwargs, *values)
    except Exception:  # noqa: BLE001 - the task raises it (or warns) at compute time
        return None
    if out.shape != () or out.dtype != dtype:
        return None
    label = f"{name.strip('_').replace('.', '-')}-{uuid.uuid4().hex}"
    graph = _graph(label, {(label,): out}, [])
    return da.Array(graph, label, chunks=(), meta=np.empty((), dtype=dtype))


_FILLS = {"zeros": np.zeros, "ones": np.ones, "empty": np.empty, "full": np.full}


def _filled(fn: Callable[..., Any], shape: tuple[int, ...], dtype: Any, *fill: Any) -> Any:
    return fn(shape, *fill, dtype=dtype)


def creation(name: str, dask_fn: Callable[..., Any]) -> Callable[..., Any]:
    """``dask_fn`` (``zeros``, ``ones``, ``empty`` or ``full`` of the namespace) with a one-task
    path for small arrays in one chunk: no ``chunks=`` given (Dask's "auto" keeps them in one)
    and at most ``SMALL_BYTES``. (Dask tokenizes its creation functions with cloudpickle, some
    10 ms a call.)

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from polytensor.backends._dask_small import creation
    >>> zeros = creation("zeros", da.zeros)
    >>> z = zeros((2, 3), dtype=np.float32)
    >>> z.npartitions, z.dtype, z.compute().sum()
    (1, dtype('float32'), np.float32(0.0))
    """
    np_fn = _FILLS[name]

    def small_or_dask(shape: Any, *fill: Any, **kwargs: Any) -> Any:
        dtype = kwargs.get("dtype")
        if (
            set(kwargs) <= {"dtype", "device"}
            and kwargs.get("device") in (None, "cpu")
            and dtype is not None
            and isinstance(shape, tuple)
            and all(type(s) is int for s in shape)
            and all(not isinstance(f, da.Array) for f in fill)
        ):
            dtype = np.dtype(dtype)
            if math.prod(shape) * dtype.itemsize <= SMALL_BYTES:
                out = f"{name}-{uuid.uuid4().hex}"
                key = (out,) + (0,) * len(shape)
                layer: dict[Any, Any] = {key: Task(key, _filled, np_fn, shape, dtype, *fill)}
                return da.Array(
                    _graph(out, layer, []),
                    out,
                    chunks=tuple((s,) for s in shape),
                    meta=np.empty((0,) * len(shape), dtype=dtype),
                )
        return dask_fn(shape, *fill, **kwargs)

    small_or_dask.__name__ = getattr(dask_fn, "__name__", name)
    small_or_dask.__doc__ = getattr(dask_fn, "__doc__", None)
    small_or_dask.__wrapped__ = dask_fn  # type: ignore[attr-defined]
    return small_or_dask


def one_task_graph(arrays: list[Any]) -> bool:
    """Whether the graphs of ``arrays`` hold only single-task layers (what the one-task path,
    persisted single-chunk arrays and Dask's operators on them make): Dask's array optimisation
    would cull nothing there and fuse little, and costs more than computing such a graph.

    Examples
    --------
    >>> import dask.array as da, numpy as np
    >>> from polytensor.backends._dask_small import one_task_graph
    >>> x, y = da.from_array(np.ones(3), chunks=-1), da.from_array(np.ones(4), chunks=2)
    >>> one_task_graph([x + 1]), one_task_graph([y])
    (True, False)
    >>> from polytensor.backends._dask_small import wrap
    >>> one_task_graph([wrap("add", da.add)(x, 1.0)])
    True
    """
    seen: set[str] = set()
    for a in arrays:
        g = getattr(a, "dask", None)
        if not isinstance(g, HighLevelGraph):
            return False
        for name, layer in g.layers.items():
            if name in seen:
                continue
            seen.add(name)
            if not _single_task(layer):
                return False
    return True


def _single_task(layer: Any) -> bool:
    if isinstance(layer, MaterializedLayer):
        return len(layer.mapping) == 1
    if isinstance(layer, Blockwise):  # single chunks in and out (operators on small arrays)
        return all(n == 1 for n in layer.dims.values()) and all(
            n == 1 for blocks in layer.numblocks.values() for n in blocks
        )
    return False
