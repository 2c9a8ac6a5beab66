"""Datasets, samplers and ``DataLoader`` in PyTorch's style (``torch.utils.data``), for tensors
of every polytensor backend.

A ``DataLoader`` draws indices from a sampler, fetches the samples from a dataset and collates
them into batches, as PyTorch's does; shuffling draws from polytensor's generator, so
``pt.manual_seed(s)`` fixes the order. Loading runs in the calling process (``num_workers`` is
accepted and the batches are the same). For a ``TensorDataset`` a batch is one gather per
tensor rather than one ``__getitem__`` per sample.

Examples
--------
>>> import polytensor as pt
>>> from polytensor.utils.data import DataLoader, TensorDataset
>>> x, y = pt.arange(10.0).reshape(5, 2), pt.arange(5)
>>> loader = DataLoader(TensorDataset(x, y), batch_size=2)
>>> [(tuple(xb.shape), yb.tolist()) for xb, yb in loader]
[((2, 2), [0, 1]), ((2, 2), [2, 3]), ((1, 2), [4])]
"""

from __future__ import annotations

from typing import Any

from . import dataloader, dataset, sampler
from ._collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "dataloader",
    "dataset",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
    "sampler",
]


def __getattr__(name: str) -> Any:
    from ...nn._missing import missing_name

    raise missing_name("polytensor.utils.data", name)
