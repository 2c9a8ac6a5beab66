"""Datasets in PyTorch's style (``torch.utils.data.dataset``): the map-style ``Dataset`` and the
``IterableDataset`` bases, ``TensorDataset``, ``Subset``, ``ConcatDataset``, ``ChainDataset``
and ``random_split``.

Examples
--------
>>> import polytensor as pt
>>> from polytensor.utils.data import TensorDataset, random_split
>>> ds = TensorDataset(pt.arange(10.0), pt.arange(10))
>>> train, test = random_split(ds, [0.8, 0.2], generator=pt.Generator().manual_seed(0))
>>> len(train), len(test)
(8, 2)
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from ..._random import Generator, randperm
from ..._tensor import Tensor

__all__ = [
    "ChainDataset",
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "StackDataset",
    "Subset",
    "TensorDataset",
    "random_split",
]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses define ``__getitem__(index)`` and usually ``__len__``.

    ``a + b`` is ``ConcatDataset([a, b])``.

    Examples
    --------
    >>> from polytensor.utils.data import Dataset
    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return i * i
    >>> ds = Squares() + Squares()
    >>> len(ds), ds[5]
    (8, 1)
    """

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError(
            f"{type(self).__name__} has no __getitem__: a subclass of Dataset must define "
            f"__getitem__(self, index) returning one sample"
        )

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """A dataset that is a stream: subclasses define ``__iter__`` (and ``__len__`` if the
    number of samples is known).

    A ``DataLoader`` takes its samples in iteration order. Loading runs in the calling process,
    so ``get_worker_info()`` is ``None`` and a dataset that splits its stream among workers
    yields it whole. ``a + b`` is ``ChainDataset([a, b])``.

    Examples
    --------
    >>> from polytensor.utils.data import DataLoader, IterableDataset
    >>> class Count(IterableDataset):
    ...     def __iter__(self):
    ...         return iter(range(5))
    >>> [b.tolist() for b in DataLoader(Count(), batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(
            f"{type(self).__name__} has no __iter__: a subclass of IterableDataset must define "
            f"__iter__(self) yielding the samples"
        )

    def __add__(self, other: Dataset[T_co]) -> ChainDataset[T_co]:  # type: ignore[override]
        return ChainDataset([self, other])


def _length(where: str, tensor: Any) -> int:
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"{where}() expects tensors; got {type(tensor).__name__}; convert it with "
            f"pt.asarray(...) (or pt.from_numpy for a NumPy array)"
        )
    if tensor.ndim == 0:
        raise ValueError(
            f"{where}() expects tensors with a first dimension (the samples); got a 0-d "
            f"tensor; give it one with x.reshape(1)"
        )
    n = tensor.shape[0]
    if n is None:
        raise ValueError(
            f"{where}() needs the number of samples, but a tensor's first dimension is "
            f"unknown (a Dask tensor of unknown chunk sizes); compute them first, e.g. "
            f"with pt.compute(x)"
        )
    return n


class TensorDataset(Dataset[tuple[Tensor, ...]]):
    """A dataset of tensors that share their first dimension: sample ``i`` is
    ``tuple(t[i] for t in tensors)``.

    A ``DataLoader`` with the default ``collate_fn`` makes each batch of it with one gather per
    tensor (``t[indices]``) instead of one ``__getitem__`` per sample and a ``stack``; the
    batches are the same.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.data import TensorDataset
    >>> ds = TensorDataset(pt.arange(6.0).reshape(3, 2), pt.asarray([0, 1, 0]))
    >>> x, y = ds[1]
    >>> len(ds), x.tolist(), y.item()
    (3, [2.0, 3.0], 1)
    """

    tensors: tuple[Tensor, ...]

    def __init__(self, *tensors: Tensor) -> None:
        lengths = [_length("TensorDataset", t) for t in tensors]
        if len(set(lengths)) > 1:
            shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
            raise ValueError(
                f"TensorDataset() expects tensors of the same first dimension (one row per "
                f"sample); got shapes {shapes}; give each tensor the same number of samples"
            )
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0] if self.tensors else 0  # type: ignore[return-value]


class ConcatDataset(Dataset[T_co]):
    """Map-style datasets one after the other.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.data import ConcatDataset, TensorDataset
    >>> ds = ConcatDataset([TensorDataset(pt.arange(3)), TensorDataset(pt.arange(10, 12))])
    >>> len(ds), ds[3][0].item(), ds.cumulative_sizes
    (5, 10, [3, 5])
    """

    datasets: list[Dataset[T_co]]
    cumulative_sizes: list[int]

    @staticmethod
    def cumsum(sequence: Iterable[Any]) -> list[int]:
        """The running total of the lengths of ``sequence``'s datasets.

        Examples
        --------
        >>> from polytensor.utils.data import ConcatDataset
        >>> ConcatDataset.cumsum([[1, 2], [3], [4, 5, 6]])
        [2, 3, 6]
        """
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset() expects at least one dataset; got an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError(
                    f"ConcatDataset() expects map-style datasets; got the IterableDataset "
                    f"{type(d).__name__}; chain streams with ChainDataset instead"
                )
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> T_co:
        n = len(self)
        if idx < 0:
            if -idx > n:
                raise ValueError(
                    f"ConcatDataset index {idx} is out of range for a dataset of length {n}; "
                    f"give an index from {-n} to {n - 1}"
                )
            idx += n
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        if dataset_idx == len(self.datasets):
            raise IndexError(
                f"ConcatDataset index {idx} is out of range for a dataset of length {n}; "
                f"give an index from {-n} to {n - 1}"
            )
        return self.datasets[dataset_idx][sample_idx]


class ChainDataset(IterableDataset[T_co]):
    """Iterable datasets one after the other.

    Examples
    --------
    >>> from polytensor.utils.data import ChainDataset, IterableDataset
    >>> class Count(IterableDataset):
    ...     def __init__(self, n):
    ...         self.n = n
    ...     def __iter__(self):
    ...         return iter(range(self.n))
    ...     def __len__(self):
    ...         return self.n
    >>> ds = ChainDataset([Count(2), Count(3)])
    >>> list(ds), len(ds)
    ([0, 1, 0, 1, 2], 5)
    """

    def __init__(self, datasets: Iterable[Dataset[Any]]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[T_co]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(
                    f"ChainDataset expects IterableDatasets; got {type(d).__name__}; join "
                    f"map-style datasets with ConcatDataset instead"
                )
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(
                    f"ChainDataset expects IterableDatasets; got {type(d).__name__}; join "
                    f"map-style datasets with ConcatDataset instead"
                )
            total += len(d)  # type: ignore[arg-type]
        return total


class StackDataset(Dataset[Any]):
    """Datasets of one length side by side: sample ``i`` is the tuple of their ``i``-th
    samples (datasets given as arguments), or the dict of them by name (as keywords), as
    ``torch.utils.data.StackDataset``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.data import StackDataset, TensorDataset
    >>> images, labels = TensorDataset(pt.arange(6.0).reshape(3, 2)), [10, 11, 12]
    >>> StackDataset(images, labels)[1][1]
    11
    >>> sorted(StackDataset(x=images, y=labels)[2]), len(StackDataset(images, labels))
    (['x', 'y'], 3)
    """

    datasets: tuple[Any, ...] | dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError(
                "StackDataset() supports either tuple-like (via args) or dict-like (via "
                "kwargs) input/output, but both types are given; pass all datasets one way"
            )
        found = list(args) if args else list(kwargs.values())
        if not found:
            raise ValueError("StackDataset() expects at least one dataset; got none")
        self._length = len(found[0])
        if any(self._length != len(d) for d in found):
            raise ValueError(
                "StackDataset(): size mismatch between datasets (lengths "
                f"{[len(d) for d in found]}); stack datasets of one length"
            )
        self.datasets = tuple(args) if args else dict(kwargs)

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """The samples at ``indices``, each dataset's fetched together where it can (its own
        ``__getitems__``), as PyTorch's.

        Examples
        --------
        >>> from polytensor.utils.data import StackDataset
        >>> StackDataset([1, 2, 3], "abc").__getitems__([2, 0])
        [(3, 'c'), (1, 'a')]
        """
        named = isinstance(self.datasets, dict)
        parts = (
            self.datasets.items() if isinstance(self.datasets, dict) else enumerate(self.datasets)
        )
        columns: dict[Any, list[Any]] = {}
        for key, d in parts:
            getitems = getattr(d, "__getitems__", None)
            if callable(getitems):
                items = list(getitems(indices))
                if len(items) != len(indices):
                    raise ValueError(
                        f"StackDataset(): nested dataset's output size mismatch. Expected "
                        f"{len(indices)}, got {len(items)}"
                    )
            else:
                items = [d[i] for i in indices]
            columns[key] = items
        if named:
            return [{k: col[j] for k, col in columns.items()} for j in range(len(indices))]
        return [tuple(col[j] for col in columns.values()) for j in range(len(indices))]

    def __len__(self) -> int:
        return self._length


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.data import Subset, TensorDataset
    >>> sub = Subset(TensorDataset(pt.arange(10, 15)), [4, 0])
    >>> len(sub), sub[0][0].item(), sub.indices
    (2, 14, [4, 0])
    """

    dataset: Dataset[T_co]
    indices: Sequence[int]

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> T_co:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list[int]) -> list[T_co]:
        """The samples at positions ``indices`` of the subset, fetched together where the
        dataset can (PyTorch's batched fetch).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.utils.data import Subset, TensorDataset
        >>> sub = Subset(TensorDataset(pt.arange(10, 15)), [4, 0, 2])
        >>> [x.item() for (x,) in sub.__getitems__([2, 0])]
        [12, 14]
        """
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems([self.indices[i] for i in indices])  # type: ignore[no-any-return]
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


def _split_lengths(n: int, lengths: Sequence[int | float]) -> list[int]:
    """``lengths`` as counts: fractions summing to 1 become floor(n * f), the remainder handed
    out one by one from the first split on (PyTorch's rule); counts stay as they are."""
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(
                    f"random_split() got the fraction {frac} at index {i}; fractions must lie "
                    f"between 0 and 1 and sum to 1"
                )
            counts.append(math.floor(n * frac))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, c in enumerate(counts):
            if c == 0:
                warnings.warn(
                    f"random_split(): the split at index {i} has length 0 (a fraction of "
                    f"{len(counts)} splits of {n} samples); it is an empty dataset",
                    UserWarning,
                    stacklevel=3,
                )
        return counts
    try:
        counts = [operator.index(c) for c in lengths]  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(
            f"random_split() expects lengths as ints summing to the dataset's length ({n}) or "
            f"fractions summing to 1; got {list(lengths)}"
        ) from None
    if any(c < 0 for c in counts):
        raise ValueError(f"random_split() expects non-negative lengths; got {counts}")
    if sum(counts) != n:
        raise ValueError(
            f"random_split() expects lengths that sum to the dataset's length ({n}); got "
            f"{counts}, which sum to {sum(counts)}; or give fractions that sum to 1"
        )
    return counts


def random_split(
    dataset: Dataset[T_co],
    lengths: Sequence[int | float],
    generator: Generator | None = None,
) -> list[Subset[T_co]]:
    """Split ``dataset`` into non-overlapping random subsets of the given ``lengths``.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1 (each split
    gets ``floor(len * fraction)`` samples, the remainder going one by one to the splits in
    order, as in PyTorch). The order is ``pt.randperm(len(dataset), generator=generator)``
    (the default generator when ``None``, so ``pt.manual_seed`` fixes it).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.data import TensorDataset, random_split
    >>> parts = random_split(TensorDataset(pt.arange(10)), [0.5, 0.3, 0.2])
    >>> [len(p) for p in parts]
    [5, 3, 2]
    >>> sorted(i for p in parts for i in p.indices)
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """
    n = len(dataset)  # type: ignore[arg-type]
    counts = _split_lengths(n, lengths)
    indices = randperm(n, generator=generator).tolist()
    return [
        Subset(dataset, indices[end - count : end])
        for end, count in zip(itertools.accumulate(counts), counts, strict=True)
    ]
