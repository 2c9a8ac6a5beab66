"""``x.element_size()``, ``x.stride()`` and ``x.storage_offset()`` give torch's numbers for a
tensor and its views on backends with strides (NumPy, array-api-strict), and where the backend
has none (Dask): those of the view over its base laid out in C order."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")


VIEWS: dict[str, Any] = {
    "whole": lambda x: x,
    "row": lambda x: x[1],
    "corner": lambda x: x[1:, 2:],
    "every other column": lambda x: x[:, ::2],
    "element": lambda x: x[2, 3],
    "transposed": lambda x: x.t(),
    "permuted": lambda x: x.reshape(2, 3, 4).permute(2, 0, 1),
    "unsqueezed": lambda x: x[1:].unsqueeze(0),
    "narrowed": lambda x: x.narrow(1, 1, 2),
    "diagonal above": lambda x: x.diagonal(1),
    "diagonal below": lambda x: x.diagonal(-2),
    "diagonal of a row block": lambda x: x[2:].diagonal(1),
    "diagonal of a 3-d view": lambda x: x.reshape(2, 3, 4)[1].diagonal(1),
    "diagonal of two later dims": lambda x: x.reshape(2, 3, 4).diagonal(-1, 1, 2),
    "diagonal of a transpose": lambda x: x.t().diagonal(1),
    "empty diagonal": lambda x: x.diagonal(7),
    "unfold of a slice": lambda x: x[1:].unfold(1, 2, 2),
    "unfold of a column block": lambda x: x[:, 1:].unfold(0, 2, 3),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_stride_and_storage_offset_match_torch(backend: str, name: str) -> None:
    view = VIEWS[name]
    t = view(torch.arange(24.0).reshape(6, 4))
    x = view(pt.arange(24.0).reshape(6, 4))
    assert tuple(x.shape) == tuple(t.shape)
    assert x.stride() == t.stride()
    assert x.storage_offset() == t.storage_offset()
    for d in range(-t.ndim, t.ndim):
        assert x.stride(d) == t.stride(d)


def test_stride_of_a_dimension_out_of_range_raises_as_torch(backend: str) -> None:
    with pytest.raises(IndexError, match="out of range"):
        pt.zeros(2, 3).stride(2)
    with pytest.raises(IndexError, match="out of range"):
        torch.zeros(2, 3).stride(2)
    assert pt.asarray(1.0).stride() == () == torch.tensor(1.0).stride()


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool", "complex64"]
)
def test_element_size_matches_torch(backend: str, dtype: str) -> None:
    assert pt.zeros(2, dtype=getattr(pt, dtype)).element_size() == (
        torch.zeros(2, dtype=getattr(torch, dtype)).element_size()
    )


def test_dask_reports_torchs_layout_without_computing() -> None:
    pytest.importorskip("dask")
    with pt.use_backend("dask"):
        x = pt.ones(4, 5).t()[1:]
        assert x.stride() == (1, 5) and x.storage_offset() == 1
        assert pt.ones(4, 5).stride() == (5, 1)
        assert type(x._data).__module__.startswith("dask")
    assert np.zeros(1).itemsize == 8
