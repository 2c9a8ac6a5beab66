"""PyTorch's ``torch.utils`` as far as tutorials use it: ``utils.data`` (datasets, samplers,
``DataLoader``) and ``utils.checkpoint`` (activation checkpointing).

Examples
--------
>>> import polytensor as pt
>>> loader = pt.utils.data.DataLoader(pt.utils.data.TensorDataset(pt.arange(4)), batch_size=2)
>>> [x.tolist() for (x,) in loader]
[[0, 1], [2, 3]]
"""

from __future__ import annotations

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
