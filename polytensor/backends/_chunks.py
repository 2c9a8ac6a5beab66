"""Fitting a chunking option to a tensor's rank (no Dask import: the creation layer uses it).

A backend option such as ``chunks=(500_000, 64)`` is written for the tensors a program mostly
makes (here matrices), but every tensor made under it gets it: a 1-d target vector, a scalar
loss. ``for_rank`` makes the option fit:

- a string (``"auto"``, a byte size such as ``"128MiB"``), an int or None applies to any rank,
  as Dask reads it;
- a tuple or list of as many entries as the tensor has axes applies as it is; a longer one
  gives its leading entries (the vector ``y`` of rows ``X`` gets ``X``'s row chunks, so
  ``X @ w - y`` lines up without a rechunk); a shorter one is completed with ``"auto"``;
- a dict ``{axis: chunks}`` keeps the axes the tensor has (missing axes are whole, as in Dask).

Examples
--------
>>> from polytensor.backends._chunks import for_rank
>>> for_rank((500_000, 64), 1), for_rank((500_000, 64), 3), for_rank({1: 8}, 1)
((500000,), (500000, 64, 'auto'), {})
"""

from __future__ import annotations

from typing import Any

__all__ = ["for_rank"]


def for_rank(chunks: Any, ndim: int) -> Any:
    """The chunking option ``chunks`` fitted to a tensor of ``ndim`` axes (see the module)."""
    if isinstance(chunks, dict):
        return {k: v for k, v in chunks.items() if -ndim <= k < ndim}
    if isinstance(chunks, (tuple, list)):
        entries = tuple(chunks)[:ndim]
        return entries + ("auto",) * (ndim - len(entries))
    return chunks
