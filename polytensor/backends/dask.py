# mypy: disable-error-code="no-untyped-call"
# (dask ships no type annotations)
"""Dask backend: results are lazy task graphs; nothing here may compute them.

Options: ``chunks`` (how new tensors and ``from_numpy``/``to("dask")`` data are split; default
``"auto"``): Dask's forms (``"auto"``, a byte size such as ``"128MiB"``, an int, a per-axis tuple
or a dict), fitted to each tensor's rank by ``_chunks.for_rank`` (a tuple gives its leading
entries to tensors of fewer axes and is completed with ``"auto"`` for more); ``scheduler``
(where tensors made under it compute: a ``distributed`` scheduler's address such as
``"tcp://host:8786"``, a ``distributed.Client``, or a local scheduler's name; see
``_dask_scheduler.py``). With a ``distributed.Client`` active, tensors compute on its cluster.
``keep_updated`` (bytes; default 64 MiB, 0 turns it off): tensors up to this size that are
changed in place (a training loop's parameters and optimizer state) are computed along with
the next value read, so that their graphs do not grow step by step (``_lazy_updates``); larger
ones are stored in ``.npy`` files of a temporary folder in that same pass, chunk by chunk, and
read from there (``_spill``; each file is removed when no graph reads it, the folder at exit),
except on a ``distributed`` cluster, whose workers need not share this disk: there they stay
lazy.

The namespace is ``array_api_compat.dask.array``; its gaps are filled lazily in ``_dask_*.py``
(linalg on stacks through ``apply_gufunc``, ``take_along_axis``, integer-array indexing and its
adjoint, ``fft`` along split axes, ``eye``/``linspace``, empty arrays' chunks). Functions whose
output shape depends on the data (``unique_*``, ``nonzero``, boolean masks, ``repeat`` with an
array) raise NotImplementedError rather than compute behind the user's back; ``x.to("numpy")``
is the way out.
"""

from __future__ import annotations

import functools
import math
import sys
from types import ModuleType
from typing import Any

from ._backend import Availability, Backend, Capabilities, LazyOps, Transfer
from ._dask_scheduler import DaskBackend


def _load() -> ModuleType:
    import array_api_compat.dask.array as compat
    from array_api_compat.dask.array import fft as compat_fft

    from . import _dask_creation, _dask_fft, _dask_indexing, _dask_linalg, _dask_values, _fixes

    # Creation functions are looked up on the namespace itself (``backend.xp.eye``), not in
    # ``overrides``: hand out a copy of the compat namespace with the fixed ones swapped in,
    # leaving array_api_compat's module untouched for everyone else.
    xp = ModuleType(compat.__name__, compat.__doc__)
    xp.__dict__.update({k: v for k, v in vars(compat).items() if k not in ("__name__", "__doc__")})
    compat_info = vars(compat)["__array_namespace_info__"]
    fixed = {
        "arange": _dask_creation.one_axis(_dask_creation.arange(vars(compat)["arange"])),
        "eye": _dask_creation.eye,
        "linspace": _dask_creation.linspace,
        "__array_namespace_info__": lambda: _Info(compat_info()),
        **_dask_creation.shape_first(compat),
    }
    for name, fn in fixed.items():
        setattr(xp, name, fn)

    _fixes.install(_OVERRIDES, xp)
    for name in ("floor_divide", "remainder", "_fmod"):
        raw = _OVERRIDES.get(name) or getattr(xp, name.lstrip("_"))
        _OVERRIDES[name] = _dask_values.integer_division(name, raw)
    for name in ("var", "std"):
        _OVERRIDES[name] = _dask_values.degrees_of_freedom(getattr(xp, name))
    _OVERRIDES.update(_dask_linalg.overrides(compat))
    _OVERRIDES.update(_dask_indexing.overrides(compat))
    _OVERRIDES.update(_dask_values.OVERRIDES)
    _OVERRIDES.update(_dask_fft.wrap(compat_fft))
    for name in _COMPLEX_META:
        fn = _OVERRIDES.get(name) or _namespace_function(compat, name)
        _OVERRIDES[name] = _quiet_meta(fn)
    return xp


# Dask builds each result's "meta" (an empty array standing for its type) with casts that, for
# complex inputs, make NumPy warn "Casting complex values to real discards the imaginary part"
# while building the graph: only the empty meta is cast, the values are not. These functions
# build their graphs with that one warning silenced.
_COMPLEX_META = (
    "tril",
    "triu",
    "take",
    "take_along_axis",
    "__getitem__",
    "_scatter_add",
    "_put",
    "linalg.eigh",
    "linalg.eigvalsh",
    "linalg.svd",
    "linalg.svdvals",
    "linalg.slogdet",
    "linalg.eig",
    "linalg.eigvals",
    "linalg.qr",
    "linalg.cholesky",
    "linalg.det",
    "linalg.inv",
    "linalg.solve",
    "linalg.pinv",
)


def _namespace_function(xp: Any, name: str) -> Any:
    obj = xp
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _quiet_meta(fn: Any) -> Any:
    import functools
    import warnings

    import numpy as np

    @functools.wraps(fn)
    def quiet(*args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            return fn(*args, **kwargs)

    return quiet


class _Info:
    """array_api_compat's inspection namespace for Dask, with this adapter's capabilities.

    Note: compat reports "boolean indexing" and "data-dependent shapes" as True, since Dask
    returns arrays of unknown (NaN) shape for them. Here those functions raise instead of
    computing, so both are False: array-API libraries reading the capabilities (SciPy,
    array-api-extra) then keep to the paths that stay lazy.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def capabilities(self) -> dict[str, Any]:
        caps = dict(self._inner.capabilities())
        caps.update({"boolean indexing": False, "data-dependent shapes": False})
        return caps


# Host values of arrays made by pt.compute: id(array) -> (weakref to the array, NumPy value).
# Reading them again (item(), numpy()) then costs no scheduler call.
_COMPUTED: dict[int, tuple[Any, Any]] = {}


def _to_numpy(array: Any) -> Any:
    import numpy as np

    known = _COMPUTED.get(id(array))
    if known is not None and known[0]() is array:
        # (a copy: the Dask array reads that value too, which a write into what this returns,
        # y.to_device("numpy").fill_(0) or y.numpy()[0] = 1, must not change)
        return known[1].copy()
    return np.asarray(array.compute())


def _forget(key: int, _ref: Any) -> None:
    """Drop the computed values of a Dask array once it is gone (a weakref callback)."""
    _COMPUTED.pop(key, None)


def _materialized(arrays: list[Any], progress: bool = False) -> list[Any]:
    """Dask arrays holding the computed values of ``arrays`` (one pass), in their chunks."""
    import weakref

    import dask.array as da

    out = []
    for a, host in zip(arrays, _compute(arrays, progress), strict=False):
        chunks = a.chunks if not any(math.isnan(c) for cs in a.chunks for c in cs) else "auto"
        m = da.from_array(host, chunks=chunks)
        key = id(m)
        _COMPUTED[key] = (weakref.ref(m, functools.partial(_forget, key)), host)
        out.append(m)
    return out


_SPILL_DIR: list[str] = []


def _spill_dir() -> str:
    """This process's folder of spilled arrays, made at first use, removed at exit."""
    if not _SPILL_DIR:
        import atexit
        import shutil
        import tempfile

        path = tempfile.mkdtemp(prefix="polytensor-spill-")
        atexit.register(shutil.rmtree, path, True)
        _SPILL_DIR.append(path)
    return _SPILL_DIR[0]


def _unlink(path: str) -> None:
    import contextlib
    import os

    with contextlib.suppress(OSError):  # (removed already, or the folder with it at exit)
        os.remove(path)


def _spill(
    arrays: list[Any], large: list[Any], progress: bool = False
) -> tuple[list[Any], list[Any]] | None:
    """``_materialized(arrays)`` and ``large`` written to ``.npy`` files in one pass (each chunk
    stored by its own task, so no more than a few chunks are in memory at once), then read
    back lazily from them, in their chunks: a tensor too large for memory keeps a graph one
    step long. A file is removed when nothing reads it any more. None with a
    ``distributed`` cluster (its workers need not share this disk) or chunks of unknown size."""
    if _client() is not None or any(math.isnan(c) for a in large for cs in a.chunks for c in cs):
        return None
    import os
    import tempfile
    import weakref

    import dask
    import dask.array as da
    import numpy as np

    targets, stores = [], []
    for a in large:
        fd, path = tempfile.mkstemp(suffix=".npy", dir=_spill_dir())
        os.close(fd)
        target = np.lib.format.open_memmap(path, mode="w+", dtype=a.dtype, shape=a.shape)
        targets.append((target, path))
        stores.append(da.store(a, target, lock=False, compute=False))
    try:
        if progress:
            from dask.diagnostics.progress import ProgressBar

            with ProgressBar():
                values = dask.compute(*arrays, *stores)  # type: ignore[attr-defined]
        else:
            values = dask.compute(*arrays, *stores)  # type: ignore[attr-defined]
    except BaseException:
        for _, path in targets:
            _unlink(path)
        raise
    out = []
    for a, host in zip(arrays, values[: len(arrays)], strict=True):
        chunks = a.chunks if not any(math.isnan(c) for cs in a.chunks for c in cs) else "auto"
        m = da.from_array(np.asarray(host), chunks=chunks)
        key = id(m)
        _COMPUTED[key] = (weakref.ref(m, functools.partial(_forget, key)), host)
        out.append(m)
    spilled = []
    for a, (target, path) in zip(large, targets, strict=True):
        target.flush()
        del target
        stored = _Stored(path, a.shape, a.dtype)
        weakref.finalize(stored, _unlink, path)  # (once no graph reads it)
        spilled.append(da.from_array(stored, chunks=a.chunks, asarray=True, name=False))
    return out, spilled


class _Stored:
    """An array stored in a ``.npy`` file, read a block at a time (``stored[region]``): what
    a spilled Dask array's tasks read. (Not NumPy's memmap itself, which Dask would copy into
    memory whole.)"""

    def __init__(self, path: str, shape: tuple[int, ...], dtype: Any) -> None:
        self.path = path
        self.shape = shape
        self.dtype = dtype
        self.ndim = len(shape)

    def __getitem__(self, key: Any) -> Any:
        import numpy as np

        return np.array(np.load(self.path, mmap_mode="r")[key])


def _from_blocks(backend: Backend, fn: Any, shape: tuple[int, ...], dtype: str, chunks: Any) -> Any:
    from ._dask_creation import from_blocks

    return from_blocks(backend, fn, shape, dtype, chunks)


def _relayout(array: Any, like: Any) -> Any:
    """``array`` in the chunks of ``like`` (same shape), unless either has unknown chunks."""
    chunks = like.chunks
    if array.chunks == chunks or array.shape != like.shape:
        return array
    if any(math.isnan(c) for cs in chunks for c in cs) or any(
        math.isnan(c) for cs in array.chunks for c in cs
    ):
        return array
    return array.rechunk(chunks)


def _from_numpy(backend: Backend, array: Any, device: Any) -> Any:
    import dask.array as da

    from ._dask_creation import chunks_for

    chunks = chunks_for(backend.options.get("chunks", "auto"), array.shape, array.dtype)
    return da.from_array(array, chunks=chunks)


_OVERRIDES: dict[str, Any] = {}


def _client() -> Any:
    """The active ``distributed.Client``, if ``distributed`` is in use and one is."""
    if "distributed" not in sys.modules:
        return None
    from distributed import default_client

    try:
        return default_client()
    except ValueError:  # no client
        return None


def _compute(arrays: list[Any], progress: bool = False) -> list[Any]:
    """Host values of ``arrays``, computed in one pass; ``progress`` shows Dask's own progress
    bar (``dask.diagnostics.ProgressBar``, or ``distributed.progress`` on a cluster)."""
    import dask
    import numpy as np

    if progress:
        client = _client()
        if client is not None:
            from distributed import progress as cluster_progress

            futures = client.compute(list(arrays))
            cluster_progress(futures)
            return [np.asarray(a) for a in client.gather(futures)]
        from dask.diagnostics.progress import ProgressBar

        with ProgressBar():
            values = dask.compute(*arrays)  # type: ignore[attr-defined]
        return [np.asarray(a) for a in values]
    return [np.asarray(a) for a in dask.compute(*arrays)]  # type: ignore[attr-defined]  # one pass


def _persist(arrays: list[Any], progress: bool = False) -> list[Any]:
    import dask

    # Rechunked first: updates made of slices and concatenations fragment chunks step by step.
    arrays = [a.rechunk("auto") for a in arrays]
    if progress:
        client = _client()
        if client is not None:
            from distributed import progress as cluster_progress

            kept = client.persist(arrays)
            cluster_progress(kept)
            return list(kept)
        from dask.diagnostics.progress import ProgressBar

        with ProgressBar():
            return list(dask.persist(*arrays))  # type: ignore[attr-defined]
    return list(dask.persist(*arrays))  # type: ignore[attr-defined]


BACKEND = DaskBackend(
    "dask",
    _load,
    overrides=_OVERRIDES,
    options=("chunks", "scheduler", "keep_updated"),
    capabilities=Capabilities(lazy=True, mutable=False, bit_views=True),
    transfer=Transfer(to_numpy=_to_numpy, from_numpy=_from_numpy, device_of=lambda a: "cpu"),
    lazy_ops=LazyOps(
        compute=_compute,
        persist=_persist,
        materialize=_materialized,
        spill=_spill,
        from_blocks=_from_blocks,
        relayout=_relayout,
    ),
    availability=Availability(extra="dask"),
)
