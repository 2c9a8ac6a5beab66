"""``DataLoader`` in PyTorch's style (``torch.utils.data.dataloader``): batches of a dataset,
by a sampler, collated.

Loading runs in the calling process whatever ``num_workers`` says: the batches are those
PyTorch's worker processes would give, in the same order, without processes to start.

Examples
--------
>>> import polytensor as pt
>>> from polytensor.utils.data import DataLoader, TensorDataset
>>> loader = DataLoader(TensorDataset(pt.arange(5)), batch_size=2, drop_last=True)
>>> len(loader), [x.tolist() for (x,) in loader]
(2, [[0, 1], [2, 3]])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from ..._checks import describe
from ..._dtypes import int64
from ..._ops.creation import asarray
from ..._random import Generator
from ..._tensor import Tensor
from ...backends._host import host_array
from ._collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

T_co = TypeVar("T_co", covariant=True)


def get_worker_info() -> None:
    """Information about the loading worker process: always ``None``, since polytensor's
    ``DataLoader`` loads in the calling process (PyTorch's value in its main process).

    Examples
    --------
    >>> from polytensor.utils.data import get_worker_info
    >>> print(get_worker_info())
    None
    """


class _InfiniteConstantSampler(Sampler[None]):
    """``None`` forever: the 'indices' of an iterable dataset, which a ``BatchSampler`` groups
    into batch-sized lists (PyTorch's)."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


class DataLoader(Generic[T_co]):
    """Iterate over ``dataset`` in batches, as PyTorch's ``torch.utils.data.DataLoader``.

    A map-style dataset is visited in the order of ``sampler`` (by default
    ``SequentialSampler``, or ``RandomSampler`` with ``shuffle=True``: a new order each epoch,
    drawn from ``generator`` or polytensor's default generator, so ``pt.manual_seed`` fixes
    it), grouped into lists of ``batch_size`` indices (``BatchSampler``; the last, shorter
    batch dropped with ``drop_last=True``) or by a ``batch_sampler``, and each list's samples
    are collated by ``collate_fn`` (default ``default_collate``: tensors stacked). An
    ``IterableDataset`` is batched in its iteration order. With ``batch_size=None`` there is
    no batching: each sample is passed through ``default_convert`` (NumPy arrays become
    tensors). ``len(loader)`` is the number of batches (for an ``IterableDataset``, computed
    from ``len(dataset)`` where it has one).

    For a ``TensorDataset`` (exactly that class) and the default ``collate_fn``, a batch is one
    gather per tensor, ``t[indices]`` with the indices made on ``t``'s own backend, instead of
    one ``__getitem__`` per sample and a ``stack``; the batches are the same (values, dtypes,
    shapes). A ``Subset`` of one (what ``random_split`` gives) is gathered the same way.

    Loading runs in the calling process: ``num_workers``, ``prefetch_factor``,
    ``persistent_workers``, ``timeout`` and ``multiprocessing_context`` are checked as PyTorch
    checks them and otherwise have no effect, the batches being the same as with workers
    (``worker_init_fn`` is not called, as no worker starts, and ``get_worker_info()`` is
    ``None``). ``pin_memory`` has no effect (there is no pinned host memory to use).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(pt.arange(12.0).reshape(6, 2), pt.arange(6))
    >>> loader = DataLoader(ds, batch_size=4)
    >>> for x, y in loader:
    ...     print(tuple(x.shape), y.tolist())
    (4, 2) [0, 1, 2, 3]
    (2, 2) [4, 5]
    >>> _ = pt.manual_seed(0)
    >>> shuffled = DataLoader(ds, batch_size=3, shuffle=True)
    >>> len(shuffled), sorted(i for _, y in shuffled for i in y.tolist())
    (2, [0, 1, 2, 3, 4, 5])
    """

    dataset: Dataset[T_co]
    batch_size: int | None
    num_workers: int
    pin_memory: bool
    drop_last: bool
    timeout: float
    sampler: Sampler[Any] | Iterable[Any]
    batch_sampler: Sampler[list[Any]] | Iterable[list[Any]] | None
    prefetch_factor: int | None
    generator: Generator | None
    collate_fn: Callable[[Any], Any]

    def __init__(
        self,
        dataset: Dataset[T_co],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[list[Any]] | Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        if num_workers == 0 and multiprocessing_context is not None:
            raise ValueError(
                f"DataLoader() takes multiprocessing_context= only with worker processes "
                f"(num_workers > 0); got num_workers={num_workers}; drop the argument"
            )
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            for name, value in (
                ("shuffle", shuffle if shuffle not in (False, None) else None),
                ("sampler", sampler),
                ("batch_sampler", batch_sampler),
            ):
                if value is not None:
                    raise ValueError(
                        f"DataLoader() with an IterableDataset takes its samples in "
                        f"iteration order: expected no {name}= option; got {name}={value!r}; "
                        f"shuffle or sample inside the dataset's __iter__"
                    )
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError(
                "DataLoader() got both sampler= and shuffle=True, which are mutually "
                "exclusive: the sampler decides the order; drop shuffle= (or use "
                "RandomSampler as the sampler)"
            )
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader() with batch_sampler= takes no batch_size, shuffle, sampler "
                    "or drop_last (the batch sampler decides them all); drop those arguments"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "DataLoader() got batch_size=None, which turns batching off, with "
                "drop_last=True, which needs batches; give a batch_size or drop drop_last"
            )
        if sampler is None:
            if iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
            else:
                sampler = SequentialSampler(dataset)  # type: ignore[arg-type]
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self._iterable = iterable
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FROZEN and getattr(self, "_initialized", False):
            raise ValueError(
                f"DataLoader.{name} cannot be set after the DataLoader is made; make a new "
                f"DataLoader with {name}={value!r}"
            )
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Iterable[Any]:
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __iter__(self) -> Iterator[Any]:
        return _LoaderIter(self)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)  # type: ignore[arg-type]


def _check_workers(
    num_workers: Any, timeout: Any, prefetch_factor: Any, persistent_workers: Any
) -> None:
    """PyTorch's checks of the worker arguments, with its rules."""
    if not isinstance(num_workers, int) or isinstance(num_workers, bool) or num_workers < 0:
        raise ValueError(
            f"DataLoader() expects num_workers to be a non-negative int; got "
            f"{describe(num_workers)}; use num_workers=0 to load in this process"
        )
    if timeout < 0:
        raise ValueError(f"DataLoader() expects a non-negative timeout; got {timeout!r}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "DataLoader() takes prefetch_factor= only with worker processes (num_workers > 0); "
            f"got prefetch_factor={prefetch_factor!r} with num_workers=0; drop prefetch_factor"
        )
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError(
            f"DataLoader() expects a non-negative prefetch_factor; got {prefetch_factor!r}"
        )
    if persistent_workers and num_workers == 0:
        raise ValueError(
            "DataLoader() takes persistent_workers=True only with worker processes "
            "(num_workers > 0); got num_workers=0; drop persistent_workers"
        )


class _LoaderIter:
    """One pass over a ``DataLoader``: the next index (or list of indices) from its sampler,
    fetched and collated."""

    def __init__(self, loader: DataLoader[Any]) -> None:
        self._loader = loader
        self._indices = iter(loader._index_sampler)
        self._collate = loader.collate_fn
        self._auto = loader._auto_collation
        self._dataset = loader.dataset
        self._ended = False
        if loader._iterable:
            self._stream: Iterator[Any] | None = iter(loader.dataset)
            self._fetch = self._fetch_stream
        else:
            self._stream = None
            self._gather = _gatherable(loader.dataset) if self._auto else None
            if self._gather is not None and loader.collate_fn is default_collate:
                self._fetch = self._fetch_gather
            else:
                self._fetch = self._fetch_map

    def __iter__(self) -> _LoaderIter:
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def __next__(self) -> Any:
        return self._fetch(next(self._indices))

    def _fetch_map(self, index: Any) -> Any:
        dataset = self._dataset
        if not self._auto:
            return self._collate(dataset[index])
        getitems = getattr(dataset, "__getitems__", None)
        if getitems:
            return self._collate(getitems(index))
        return self._collate([dataset[i] for i in index])

    def _fetch_gather(self, index: Any) -> Any:
        tensors, mapping = self._gather  # type: ignore[misc]
        rows = index
        if mapping is not None:
            try:
                rows = [mapping[i] for i in index]
            except (TypeError, IndexError):  # (the general way, and its error, for these)
                return self._fetch_map(index)
        try:
            host = host_array(rows)
        except (TypeError, ValueError):  # (indices NumPy cannot hold: the general way)
            return self._fetch_map(index)
        if host.ndim != 1 or host.dtype.kind not in "iu" or host.size == 0:
            return self._fetch_map(index)  # (indices that are not ints: the general way)
        n = len(tensors[0])  # (the TensorDataset's length, a Subset's rows index it)
        if host.min() < -n or host.max() >= n:  # (t[i]'s IndexError, now: a lazy gather's
            return self._fetch_map(index)  # would come only when the batch computes)
        return _gather(tensors, host)

    def _fetch_stream(self, index: Any) -> Any:
        if self._ended:
            raise StopIteration
        stream = self._stream
        assert stream is not None
        if not self._auto:
            return self._collate(next(stream))
        data = list(itertools.islice(stream, len(index)))
        if len(data) < len(index):
            self._ended = True
            if not data or self._loader.drop_last:
                raise StopIteration
        return self._collate(data)


def _gatherable(dataset: Any) -> tuple[tuple[Tensor, ...], Sequence[int] | None] | None:
    """The tensors a batch of ``dataset`` can be gathered from (and the index mapping of a
    ``Subset``), or ``None`` when its samples must be fetched one by one."""
    if type(dataset) is TensorDataset:
        return (dataset.tensors, None) if dataset.tensors else None
    if type(dataset) is Subset and type(dataset.dataset) is TensorDataset:
        tensors = dataset.dataset.tensors
        return (tensors, dataset.indices) if tensors else None
    return None


def _gather(tensors: tuple[Tensor, ...], index: Any) -> list[Tensor]:
    """``[t[index] for t in tensors]``: what ``default_collate`` of the samples at ``index`` (a
    host array of ints) gives, a tuple sample collating to a list; the index tensor is made on
    each tensor's own device, once per device."""
    made: dict[Any, Tensor] = {}
    out = []
    for t in tensors:
        device = t.device
        idx = made.get(device)
        if idx is None:
            idx = made[device] = asarray(index, dtype=int64, device=device)
        out.append(t[idx])
    return out
