"""``default_collate`` and ``default_convert``: how a ``DataLoader`` turns samples into a batch
(PyTorch's ``torch.utils.data._utils.collate``).

NumPy arrays are recognised by their type's module, as PyTorch does, so this module does not
import NumPy; they become tensors of the current backend (``pt.asarray``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

from ... import _dtypes as dt
from ..._extras import tensor
from ..._ops.creation import asarray
from ..._pytorch import stack
from ..._tensor import Tensor

__all__ = ["default_collate", "default_convert"]

_KINDS = "tensors, NumPy arrays, numbers, strings, dicts, tuples or lists"


def _is_numpy(value: Any) -> bool:
    cls = type(value)
    return cls.__module__ == "numpy" and cls.__name__ not in ("str_", "bytes_", "string_")


def _is_text_array(value: Any) -> bool:
    """A NumPy array of strings, bytes or objects (no tensor can hold one)."""
    return getattr(getattr(value, "dtype", None), "kind", "") in ("S", "U", "O")


def _collate_error(value: Any, detail: str = "") -> TypeError:
    what = f"{type(value).__name__}{detail}"
    return TypeError(
        f"default_collate() expects samples of {_KINDS}; got {what}; pass collate_fn= to "
        f"the DataLoader to batch other types"
    )


def default_collate(batch: Sequence[Any]) -> Any:
    """Collate a list of samples into a batch, as PyTorch's ``default_collate``.

    By the type of the first sample: tensors are stacked (a new first dimension); NumPy arrays
    and NumPy scalars become tensors, stacked; Python floats a float64 tensor, ints an int64
    one, bools a bool one; strings and bytes stay a list; a mapping is collated key by key; a
    namedtuple field by field (a namedtuple of batches); any other tuple or list position by
    position (a list of batches). Anything else is a ``TypeError`` naming its type.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.utils.data import default_collate
    >>> default_collate([pt.asarray([1, 2]), pt.asarray([3, 4])]).tolist()
    [[1, 2], [3, 4]]
    >>> default_collate([0.5, 1.5]).dtype, default_collate([1, 2]).dtype
    (polytensor.float64, polytensor.int64)
    >>> out = default_collate([{"x": 1.0, "name": "a"}, {"x": 2.0, "name": "b"}])
    >>> out["x"].tolist(), out["name"]
    ([1.0, 2.0], ['a', 'b'])
    >>> [b.tolist() for b in default_collate([(1, 2.0), (3, 4.0)])]
    [[1, 3], [2.0, 4.0]]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        _same_shapes(batch)
        return stack(list(batch), 0)
    if _is_numpy(elem):
        if _is_text_array(elem):
            raise _collate_error(elem, f" of dtype {elem.dtype}")
        if type(elem).__name__ in ("ndarray", "memmap") or elem.shape == ():
            return default_collate([asarray(b) for b in batch])
        raise _collate_error(elem)
    if isinstance(elem, float):
        return tensor(list(batch), dtype=dt.float64)
    if isinstance(elem, int):  # (bools too: PyTorch's torch.tensor(batch), int64 or bool)
        return tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        fields = {key: default_collate([d[key] for d in batch]) for key in elem}
        return _rebuild_mapping(elem, fields)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch, strict=True)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            sizes = sorted({len(b) for b in batch})
            raise RuntimeError(
                f"default_collate() expects every sample's {type(elem).__name__} to have the "
                f"same length; got lengths {sizes}; pad the samples or pass a collate_fn= "
                f"that handles them"
            )
        columns = [default_collate(s) for s in zip(*batch, strict=True)]
        if isinstance(elem, tuple):
            return columns  # (PyTorch's: a plain tuple's batch is a list)
        return _rebuild_sequence(elem, columns)
    raise _collate_error(elem)


def _same_shapes(batch: Sequence[Any]) -> None:
    first = batch[0].shape
    for i, b in enumerate(batch):
        if not isinstance(b, Tensor) or b.shape != first:
            got = tuple(b.shape) if isinstance(b, Tensor) else type(b).__name__
            raise RuntimeError(
                f"default_collate() stacks the tensors of a batch, which needs equal shapes; "
                f"sample 0 has shape {tuple(first)}, sample {i} {got}; pad or resize the "
                f"samples, or pass a collate_fn= that handles them"
            )


def _rebuild_mapping(elem: Mapping[Any, Any], fields: dict[Any, Any]) -> Any:
    """``fields`` in a mapping of ``elem``'s type where one can be made (PyTorch's rule)."""
    try:
        if isinstance(elem, MutableMapping):
            clone = copy.copy(elem)
            clone.update(fields)
            return clone
        return type(elem)(fields)  # type: ignore[call-arg]
    except TypeError:
        return fields


def _rebuild_sequence(elem: Sequence[Any], items: list[Any]) -> Any:
    """``items`` in a sequence of ``elem``'s type where one can be made (PyTorch's rule)."""
    try:
        if isinstance(elem, MutableSequence):
            clone = copy.copy(elem)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(elem)(items)  # type: ignore[call-arg]
    except TypeError:
        return items


def default_convert(data: Any) -> Any:
    """Convert one sample's NumPy arrays to tensors, keeping its structure (what a
    ``DataLoader`` with ``batch_size=None`` does to each sample).

    Tensors are returned as they are; NumPy arrays and NumPy scalars become tensors (arrays of
    strings or objects stay as they are); mappings, namedtuples and lists are converted item by
    item, a plain tuple becoming a list (as in PyTorch); anything else is returned unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.utils.data import default_convert
    >>> out = default_convert({"x": np.arange(3), "label": 1})
    >>> out["x"].tolist(), out["label"]
    ([0, 1, 2], 1)
    """
    if isinstance(data, Tensor):
        return data
    if _is_numpy(data):
        if _is_text_array(data):
            return data
        return asarray(data)
    if isinstance(data, Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data
