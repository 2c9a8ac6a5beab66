# mypy: disable-error-code="no-untyped-call"
# (dask and distributed ship no type annotations)
"""The Dask backend's record (``DaskBackend``), and its ``scheduler=`` option: where tensors
made under it are computed.

Its functions take the one-task path of ``_dask_small`` for small single-chunk arrays.

``pt.use_backend("dask", scheduler="tcp://host:8786")`` connects (once per address) a
``distributed.Client`` to that scheduler, and every compute of those tensors (``item()``,
``numpy()``, ``pt.compute``, ``pt.persist``) runs on the cluster; ``pt.persist`` keeps the
results in the workers' memory. The option also takes a ``distributed.Client`` itself, or the
name of one of Dask's local schedulers (``"threads"``, ``"sync"``, ``"processes"``).

Without the option nothing changes: Dask's own default applies, so with a
``distributed.Client`` active (``Client(...)`` made as usual becomes the default) tensors
compute on its cluster as every other Dask collection does.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from ._backend import Backend

__all__ = ["DaskBackend", "close_clients", "scheduler"]

# Address -> the Client connected to it (one connection per address, kept for the process).
_CLIENTS: dict[str, Any] = {}
_LOCK = threading.Lock()
_ADDRESS_PREFIXES = ("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")


def _resolve(option: Any) -> Any:
    """What ``dask.config.set(scheduler=...)`` takes for the ``scheduler=`` option."""
    if isinstance(option, str) and option.startswith(_ADDRESS_PREFIXES):
        with _LOCK:
            client = _CLIENTS.get(option)
            if client is None or client.status in ("closed", "closing"):
                try:
                    import distributed
                except ImportError as e:
                    raise ImportError(
                        f"the dask backend's scheduler={option!r} needs the distributed "
                        f"package: pip install 'dask[distributed]'"
                    ) from e
                client = distributed.Client(option, set_as_default=False)
                _CLIENTS[option] = client
        return client
    if isinstance(option, str) or hasattr(option, "get"):
        return option  # a local scheduler's name, or a distributed.Client
    raise TypeError(
        f"the dask backend's scheduler= option expects a scheduler address "
        f"('tcp://host:8786'), a distributed.Client or a Dask scheduler name "
        f"('threads', 'sync', 'processes'); got {type(option).__name__}"
    )


def close_clients() -> int:
    """Close the clients that ``scheduler="tcp://..."`` options connected; returns how many.

    Examples
    --------
    >>> from polytensor.backends._dask_scheduler import close_clients
    >>> close_clients()
    0
    """
    with _LOCK:
        clients = list(_CLIENTS.values())
        _CLIENTS.clear()
    for client in clients:
        client.close()
    return len(clients)


@contextlib.contextmanager
def scheduler(backend: Backend, arrays: list[Any] | None = None) -> Iterator[None]:
    """Run the block's Dask computes of ``arrays`` on ``backend``'s ``scheduler=`` option (if
    it has one). If their graphs are all single tasks (``_dask_small.one_task_graph``: small
    single-chunk arrays), without Dask's array optimisation (it would cull and fuse nothing
    there, and cost more than the computation), and, when no scheduler is chosen (no option,
    no ``dask.config`` "scheduler", no ``distributed.Client``), on Dask's synchronous
    scheduler.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.backends._dask_scheduler import scheduler
    >>> with scheduler(pt.backends.get("dask", scheduler="sync")):
    ...     pt.ones(2, device="dask:cpu").sum().item()
    2.0
    """
    import dask

    settings: dict[str, Any] = {}
    option = backend.options.get("scheduler")
    if option is not None:
        settings["scheduler"] = _resolve(option)
    if arrays:
        from ._dask_small import one_task_graph

        if one_task_graph(arrays):
            settings["array_optimize"] = False
            if option is None and dask.config.get("scheduler", None) is None:
                # Nothing chose a scheduler: Dask's synchronous one runs these small tasks
                # without the thread pool's hand-offs (a quarter of a demo step's compute).
                settings["scheduler"] = "sync"
    if not settings:
        yield
        return

    with dask.config.set(settings):
        yield


class DaskBackend(Backend):
    """The Dask backend's record: computing methods honour the ``scheduler=`` option.

    Examples
    --------
    >>> import polytensor as pt
    >>> b = pt.backends.get("dask", scheduler="sync")
    >>> type(b).__name__, b.options["scheduler"]
    ('DaskBackend', 'sync')
    """

    __slots__ = ()

    def load(self) -> Any:
        xp = super().load()
        if not getattr(xp, "_small_creation", False):  # (once: variants share the namespace)
            from . import _dask_small

            for name in ("zeros", "ones", "empty", "full"):
                setattr(xp, name, _dask_small.creation(name, getattr(xp, name)))
            setattr(xp, "_small_creation", True)  # noqa: B010 - a flag on a module
        return xp

    def resolve(self, name: str) -> Any:
        # Small single-chunk arrays take a one-task path (``_dask_small``), with the NumPy
        # backend's function for the same op inside the task.
        # Both check axis=, correction= and shape= first (_dask_args): Dask would defer a bad
        # one to compute time.
        fn = super().resolve(name)
        if getattr(fn, "missing", False):
            return fn
        from . import _dask_args, _dask_small

        if not _dask_small.handles(name):
            return _dask_args.checked(name, fn)
        return _dask_args.checked(name, _dask_small.wrap(name, fn))

    def to_numpy(self, array: Any) -> Any:
        from ._dask_small import host_value

        known = host_value(array)  # a 0-d array whose graph is its value: nothing to run
        if known is not None:
            return known.copy()
        return super().to_numpy(array)

    # (the computing methods of the base class first add the tensors updated in place,
    # _read_along, then call these: the scheduler is chosen for what is computed)
    def _host(self, array: Any) -> Any:
        with scheduler(self, [array]):
            return super()._host(array)

    def _compute_alone(self, arrays: list[Any], progress: bool = False) -> list[Any]:
        with scheduler(self, arrays):
            return super()._compute_alone(arrays, progress)

    def _materialize_alone(self, arrays: list[Any], progress: bool = False) -> list[Any]:
        with scheduler(self, arrays):
            return super()._materialize_alone(arrays, progress)

    def persist(self, arrays: list[Any], progress: bool = False) -> list[Any]:
        with scheduler(self, arrays):
            return super().persist(arrays, progress)


def token_of(value: Any) -> Any:
    """Dask's token of ``value`` (a Dask array's is its name: nothing computes), for
    ``Tensor.__dask_tokenize__``; only Dask calls that, so Dask is importable then.

    Examples
    --------
    >>> import dask.array as da
    >>> from polytensor.backends._dask_scheduler import token_of
    >>> x = da.ones(3)
    >>> token_of(x) == token_of(x)
    True
    """
    from dask.tokenize import normalize_token

    return normalize_token(value)
