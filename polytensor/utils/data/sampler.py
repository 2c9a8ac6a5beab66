"""Samplers in PyTorch's style (``torch.utils.data.sampler``): the order in which a
``DataLoader`` visits a map-style dataset, and how it groups indices into batches.

The random ones draw from polytensor's generators (``pt.randperm``, ``pt.randint``): the
default one unless ``generator=`` is given, so ``pt.manual_seed(s)`` fixes the order, the same
on every backend (and not PyTorch's order for the same seed).

Examples
--------
>>> import polytensor as pt
>>> from polytensor.utils.data import BatchSampler, SequentialSampler
>>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sized
from typing import Any, Generic, TypeVar

from ... import _dtypes as dt
from ..._checks import describe
from ..._ops.creation import asarray
from ..._random import Generator, multinomial, randint, randperm

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]

T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """The base of samplers: an iterable of dataset indices (or of lists of them), with a
    ``__len__`` when the count is known.

    Examples
    --------
    >>> from polytensor.utils.data import Sampler
    >>> class Backwards(Sampler):
    ...     def __init__(self, data_source):
    ...         self.n = len(data_source)
    ...     def __iter__(self):
    ...         return iter(range(self.n - 1, -1, -1))
    ...     def __len__(self):
    ...         return self.n
    >>> list(Backwards([7, 8, 9]))
    [2, 1, 0]
    """

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(
            f"{type(self).__name__} has no __iter__: a subclass of Sampler must define "
            f"__iter__(self) yielding indices"
        )


class SequentialSampler(Sampler[int]):
    """The indices ``0 .. len(data_source) - 1`` in order.

    Examples
    --------
    >>> from polytensor.utils.data import SequentialSampler
    >>> list(SequentialSampler("abc")), len(SequentialSampler("abc"))
    ([0, 1, 2], 3)
    """

    data_source: Sized

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _check_generator(where: str, generator: Any) -> Generator | None:
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(
            f"{where}() expects generator= to be a pt.Generator or None; got "
            f"{describe(generator)}; make one with pt.Generator().manual_seed(seed)"
        )
    return generator


class RandomSampler(Sampler[int]):
    """The indices of ``data_source`` in a random order: a new permutation each pass
    (``pt.randperm``), or with ``replacement=True`` ``num_samples`` independent draws
    (``pt.randint``).

    ``num_samples`` (default ``len(data_source)``) may exceed the length without replacement:
    whole permutations follow each other, the last one cut short, as in PyTorch.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.data import RandomSampler
    >>> _ = pt.manual_seed(0)
    >>> order = list(RandomSampler(range(5)))
    >>> sorted(order)
    [0, 1, 2, 3, 4]
    >>> _ = pt.manual_seed(0)
    >>> list(RandomSampler(range(5))) == order
    True
    >>> len(RandomSampler(range(5), replacement=True, num_samples=12))
    12
    """

    data_source: Sized
    replacement: bool
    generator: Generator | None

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = _check_generator("RandomSampler", generator)
        if not isinstance(replacement, bool):
            raise TypeError(
                f"RandomSampler() expects replacement= to be True or False; got "
                f"{describe(replacement)}"
            )
        n = self.num_samples
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ValueError(
                f"RandomSampler() expects num_samples to be a positive int; got "
                f"{describe(n)}"
                + ("" if num_samples is not None else " (the length of an empty data_source)")
            )

    @property
    def num_samples(self) -> int:
        """How many indices a pass yields: ``num_samples=`` or ``len(data_source)``."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        # (a chain of lists, each drawn when the chain reaches it: lazy as PyTorch's generator,
        # without a Python frame per index)
        return itertools.chain.from_iterable(self._draws())

    def _draws(self) -> Iterator[list[int]]:
        n = len(self.data_source)
        count = self.num_samples
        if self.replacement:
            yield randint(0, n, (count,), generator=self.generator).tolist()
            return
        for _ in range(count // n):
            yield randperm(n, generator=self.generator).tolist()
        if count % n:
            yield randperm(n, generator=self.generator).tolist()[: count % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a random order, a new one each pass.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.data import SubsetRandomSampler
    >>> s = SubsetRandomSampler([10, 20, 30], generator=pt.Generator().manual_seed(1))
    >>> sorted(s), len(s)
    ([10, 20, 30], 3)
    """

    def __init__(self, indices: Any, generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = _check_generator("SubsetRandomSampler", generator)

    def __iter__(self) -> Iterator[int]:
        indices = self.indices
        for i in randperm(len(indices), generator=self.generator).tolist():
            yield indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices ``i`` drawn with probability ``weights[i] / sum(weights)``
    (``pt.multinomial``), with or without replacement, as ``torch.utils.data``'s; a new draw
    each pass, from polytensor's generator (``generator=``, else the default one).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.data import WeightedRandomSampler
    >>> s = WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 6,
    ...                           generator=pt.Generator().manual_seed(0))
    >>> len(s), set(s) <= {1, 3}
    (6, True)
    >>> sorted(WeightedRandomSampler([1.0, 2.0, 0.5], 3, replacement=False))
    [0, 1, 2]
    """

    weights: Any
    num_samples: int
    replacement: bool
    generator: Generator | None

    def __init__(
        self,
        weights: Any,
        num_samples: int,
        replacement: bool = True,
        generator: Generator | None = None,
    ) -> None:
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={num_samples!r}; pass how many indices a pass draws"
            )
        if not isinstance(replacement, bool):
            raise ValueError(  # noqa: TRY004 - PyTorch's class for it
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        self.generator = _check_generator("WeightedRandomSampler", generator)
        w = asarray(weights.detach() if hasattr(weights, "detach") else weights, dtype=dt.float64)
        if w.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape "
                f"{tuple(w.shape)}; pass one weight per dataset index"
            )
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement

    def __iter__(self) -> Iterator[int]:
        drawn = multinomial(
            self.weights, self.num_samples, self.replacement, generator=self.generator
        )
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Group the indices of ``sampler`` into lists of ``batch_size``; the last, shorter one is
    kept unless ``drop_last``.

    Examples
    --------
    >>> from polytensor.utils.data import BatchSampler, SequentialSampler
    >>> b = BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=True)
    >>> list(b), len(b)
    ([[0, 1, 2], [3, 4, 5]], 2)
    """

    sampler: Sampler[Any] | Iterable[Any]
    batch_size: int
    drop_last: bool

    def __init__(
        self, sampler: Sampler[Any] | Iterable[Any], batch_size: int, drop_last: bool
    ) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(
                f"BatchSampler() expects batch_size to be a positive int; got "
                f"{describe(batch_size)}"
            )
        if not isinstance(drop_last, bool):
            # Note: PyTorch's class for this check, kept so that code catching it works.
            raise ValueError(  # noqa: TRY004
                f"BatchSampler() expects drop_last to be True or False; got {describe(drop_last)}"
            )
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        it = iter(self.sampler)
        size = self.batch_size
        while batch := list(itertools.islice(it, size)):
            if len(batch) < size and self.drop_last:
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
