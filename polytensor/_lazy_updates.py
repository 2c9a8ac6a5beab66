"""Tensors of a lazy backend updated in place, computed along with the next value read.

On Dask an in-place change rebinds a tensor to a new task graph that builds on its old one. A
training loop's parameters (``w -= lr * w.grad``, ``optimizer.step()``) and an optimizer's
state then grow by one step's graph per step, and every value the loop reads (``loss.item()``)
computes all the steps so far again: the loop takes quadratic time.

So each tensor rebound in place is noted here (``note``), and the next read of a value on its
backend (``item()``, ``numpy()``, ``bool()``, ``pt.compute``: the backend's ``to_numpy``,
``compute`` and ``materialize``) computes it in the same pass as the value read, which
shares their common work (the step's forward and backward). The noted tensors then take their
computed values, in their chunks: the same values, so nothing a user or a recorded node sees
changes, and their graphs stay one step long.

An optimizer's state is made anew at each step by some optimizers' general paths (``buf =
buf * momentum + g``): an optimizer on a lazy backend is held here (``hold``), and the
tensors of its state that are not computed yet go along too.

Tensors of at most the backend's ``keep_updated`` option in bytes (default
``DEFAULT_BYTES``; 0 turns all of this off) are held in memory so, along with a read of no more
than that. Larger ones (data that may not fit in memory) are stored on disk in the same pass
by the backend's ``spill`` hook, chunk by chunk, and read back from there lazily: their graphs
stay one step long too. A backend without the hook (or a Dask cluster, whose workers need not
share this disk) leaves them lazy. Where the pass fails (a lazy check of a noted tensor raises
when computed), the value read is computed alone, and the noted tensors stay as they were:
their own read raises.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from . import backends

__all__ = ["DEFAULT_BYTES", "hold", "note", "noted"]

DEFAULT_BYTES = 64 << 20

# id(tensor) -> a weak reference to it: the tensors of lazy backends rebound in place since
# their data was last computed
_NOTED: dict[int, Any] = {}
# id(holder) -> (a weak reference to it, a function of it giving the tensors it keeps): the
# optimizers of tensors of lazy backends
_HOLDERS: dict[int, tuple[Any, Callable[[Any], Iterable[Any]]]] = {}
# id(array) -> a weak reference to it: the arrays computed here (nothing to compute again),
# and those whose computation failed here (not tried again)
_DONE: dict[int, Any] = {}
_FAILED: dict[int, Any] = {}
_LOCK = threading.Lock()
_READING = threading.local()  # (.on: this thread is computing noted tensors)


def _limit(b: Any) -> int:
    v = b.options.get("keep_updated", DEFAULT_BYTES)
    return int(v)


def note(t: Any) -> None:
    """Note that tensor ``t`` was rebound to new data in place (or that later values will be
    built from it, as LBFGS's directions are): it is computed along with the next value read
    on its backend; nothing on an eager backend.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import _lazy_updates
    >>> w = pt.ones(3, device="dask")
    >>> w += 1  # (rebinds w: noted)
    >>> _lazy_updates.noted(w), pt.sum(w).item(), _lazy_updates.noted(w)
    (True, 6.0, False)
    """
    b = t._backend
    if not b.lazy or _limit(b) <= 0:
        return
    with _LOCK:
        if id(t) not in _NOTED:
            _remember(_NOTED, t)


def noted(t: Any) -> bool:
    """Whether ``t`` waits to be computed along with the next value read (``note``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import _lazy_updates
    >>> _lazy_updates.noted(pt.ones(2, device="dask"))
    False
    """
    return _known(_NOTED, t)


def hold(holder: Any, tensors: Callable[[Any], Iterable[Any]]) -> None:
    """Keep a weak reference to ``holder`` (an optimizer): the tensors of lazy backends that
    ``tensors(holder)`` gives, where not computed yet, go along with the next value read.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import _lazy_updates
    >>> class Box:
    ...     pass
    >>> box = Box(); box.t = pt.ones(2, device="dask") * 3
    >>> _lazy_updates.hold(box, lambda b: [b.t])
    >>> pt.ones(1, device="dask").item(), len(box.t._data.__dask_graph__().layers)
    (1.0, 1)
    """
    key = id(holder)
    with _LOCK:
        _HOLDERS[key] = (weakref.ref(holder, lambda _r: _HOLDERS.pop(key, None)), tensors)


def _remember(table: dict[int, Any], a: Any) -> None:
    key = id(a)
    table[key] = weakref.ref(a, lambda _r: table.pop(key, None))


def _known(table: dict[int, Any], a: Any) -> bool:
    r = table.get(id(a))
    return r is not None and r() is a


def _nbytes(a: Any) -> float:
    shape = a.shape
    if any(s is None or (isinstance(s, float) and math.isnan(s)) for s in shape):
        return math.inf  # (an unknown length: not computed along)
    return float(math.prod(shape) * a.dtype.itemsize)


def _along(b: Any, arrays: list[Any], progress: bool) -> list[Any] | None:
    """``arrays`` of lazy backend ``b`` computed (as ``b.materialize`` gives them) in one pass
    with the data of the noted tensors of ``b``'s kind, which take their computed values;
    None where there is nothing to add or it does not apply (the caller then computes
    ``arrays`` alone)."""
    if (not _NOTED and not _HOLDERS) or getattr(_READING, "on", False):
        return None
    limit = _limit(b)
    if limit <= 0 or any(_nbytes(a) > limit for a in arrays):
        return None
    with _LOCK:
        refs = list(_NOTED.items())
        holders = list(_HOLDERS.values())
    tensors: list[Any] = []
    large: list[Any] = []
    for key, ref in refs:
        t = ref()
        if t is None or t._backend.name != b.name:
            continue
        if t._write_back is not None or _known(_FAILED, t._data):
            with _LOCK:  # (a view's data is its base's)
                _NOTED.pop(key, None)
            continue
        (large if _nbytes(t._data) > limit else tensors).append(t)
    taken = {id(t) for t in (*tensors, *large)}
    for ref, kept in holders:
        h = ref()
        for t in () if h is None else kept(h):
            if (
                id(t) not in taken
                and t._backend.name == b.name
                and t._write_back is None
                and not _known(_DONE, t._data)
                and not _known(_FAILED, t._data)
            ):
                taken.add(id(t))
                (large if _nbytes(t._data) > limit else tensors).append(t)
    if not tensors and not large:
        return None
    datas, place = _distinct(tensors)
    big, big_place = _distinct(large)
    olds = [t._data for t in (*tensors, *large)]
    _READING.on = True
    try:
        # the large ones stored on disk in the same pass; None: the backend cannot store
        # them (told before anything is computed), and they stay lazy, as before
        got = b.materialize_spilling([*arrays, *datas], big, progress) if big else None
        if got is None:
            if large:
                with _LOCK:
                    for t in large:
                        _NOTED.pop(id(t), None)
                large, big = [], []
            if not tensors:
                return None
            got = (b.materialize([*arrays, *datas], progress), [])
    except Exception:  # noqa: BLE001 - a noted tensor's lazy check: the read goes alone
        # and these data are not tried again (a tensor updated since has new data): one
        # failing tensor costs one extra pass, not one per read
        with _LOCK:
            for t in (*tensors, *large):
                _NOTED.pop(id(t), None)
            for d in (*datas, *big):
                _remember(_FAILED, d)
        return None
    finally:
        _READING.on = False
    values, spilled = got
    n = len(arrays)
    with _LOCK:
        for t, old in zip((*tensors, *large), olds, strict=False):
            if t._data is not old:  # (another thread rebound it meanwhile)
                continue
            if id(old) in place:
                t._data = data = values[n + place[id(old)]]
            else:
                t._data = data = spilled[big_place[id(old)]]
            _remember(_DONE, data)
            if _known(_NOTED, t):
                del _NOTED[id(t)]
    return list(values[:n])


def _distinct(tensors: list[Any]) -> tuple[list[Any], dict[int, int]]:
    """The data of ``tensors``, each once (tensors may share data: ``x.data``), and where
    each is among them, by id."""
    datas: list[Any] = []
    place: dict[int, int] = {}
    for t in tensors:
        if id(t._data) not in place:
            place[id(t._data)] = len(datas)
            datas.append(t._data)
    return datas, place


backends.set_read_along(_along)
