"""One epoch of a ``DataLoader`` over a ``TensorDataset``: polytensor's against torch's.

The workload is MNIST's shape: 60,000 float32 images of 784 values and int64 labels, batch 64,
``shuffle=True`` (938 batches an epoch, each loop body doing nothing with the batch). polytensor
gathers each batch with one ``t[indices]`` a tensor; torch's ``DataLoader`` indexes the dataset
once a sample and stacks. Both run on one thread (``torch.set_num_threads(1)``), from the same
NumPy arrays. Before any time is read the script checks that, unshuffled, the two loaders give
the same batches. Candidates take turns within each round, in rotating order; the table gives
the median over rounds of the time per epoch and of the per-round ratio. Record figures with::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/dataloader.py

Examples
--------
>>> loader = polytensor_loader(*inputs(256), shuffle=False)
>>> [tuple(x.shape) for x, _ in loader][-1]
(64, 784)
"""

from __future__ import annotations

import argparse
import statistics
import sys
from typing import Any

import numpy as np

import polytensor as pt

from _common import Candidate, OtherLoad, cpu_model, dist_version, measure, revision

RECORD_COMMAND = "OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/dataloader.py"
BATCH = 64


def inputs(n: int = 60_000) -> tuple[np.ndarray, np.ndarray]:
    g = np.random.default_rng(0)
    return g.standard_normal((n, 784), dtype=np.float32), g.integers(0, 10, n)


def polytensor_loader(x: np.ndarray, y: np.ndarray, shuffle: bool) -> Any:
    ds = pt.utils.data.TensorDataset(pt.from_numpy(x), pt.from_numpy(y))
    return pt.utils.data.DataLoader(ds, batch_size=BATCH, shuffle=shuffle)


def torch_loader(torch: Any, x: np.ndarray, y: np.ndarray, shuffle: bool) -> Any:
    ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    return torch.utils.data.DataLoader(ds, batch_size=BATCH, shuffle=shuffle)


def epoch(loader: Any) -> None:
    for _ in loader:
        pass


def check_same_batches(torch: Any, x: np.ndarray, y: np.ndarray) -> None:
    ours, theirs = polytensor_loader(x, y, False), torch_loader(torch, x, y, False)
    assert len(ours) == len(theirs)
    for (a, b), (c, d) in zip(ours, theirs, strict=True):
        assert np.array_equal(a.numpy(), c.numpy()) and np.array_equal(b.numpy(), d.numpy())
        assert a.numpy().dtype == c.numpy().dtype and b.numpy().dtype == d.numpy().dtype


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print("torch is not installed: .venv/bin/pip install torch (a CPU wheel)")
        return 1
    torch.set_num_threads(1)
    x, y = inputs()
    check_same_batches(torch, x, y)
    ours, theirs = polytensor_loader(x, y, True), torch_loader(torch, x, y, True)
    candidates = [
        Candidate("polytensor", lambda: epoch(ours)),
        Candidate("torch", lambda: epoch(theirs)),
    ]
    load = OtherLoad()
    measure(candidates, rounds=args.rounds, target_s=0.5, warmup=1)
    pt_times, torch_times = candidates[0].times, candidates[1].times
    ratio = statistics.median(p / t for p, t in zip(pt_times, torch_times, strict=True))
    print(f"polytensor {revision()}; torch {dist_version('torch')}; {cpu_model()}")
    print(f"epoch of 60,000 x 784 float32 + int64 labels, batch {BATCH}, shuffle=True:")
    print(f"  polytensor {statistics.median(pt_times) * 1e3:7.1f} ms")
    print(f"  torch      {statistics.median(torch_times) * 1e3:7.1f} ms")
    print(f"  polytensor / torch: {ratio:.3f} (median of {args.rounds} rounds)")
    print(f"command: {RECORD_COMMAND}")
    load.print_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
