"""``x.apply_(fn)``, ``x.map_(y, fn)`` and ``x.data_ptr()`` as PyTorch's (values written down
from torch 2.13): element by element in Python, cast to the tensor's dtype, in place; refused
where a gradient would be lost."""

from __future__ import annotations

import pytest

import polytensor as pt


def test_apply_in_place_cast_to_the_dtype(backend: str) -> None:
    x = pt.asarray([1.0, 2.0, 3.0])
    assert x.apply_(lambda v: v * 10) is x
    assert x.tolist() == [10.0, 20.0, 30.0]
    n = pt.asarray([1, 2, 3])
    assert n.apply_(lambda v: v / 2).tolist() == [0, 1, 1]  # (torch: tensor([0, 1, 1]))
    assert n.dtype == pt.int64


def test_map_broadcasts_the_other_tensor(backend: str) -> None:
    x = pt.ones((2, 2))
    x.map_(pt.asarray([1.0, 2.0]), lambda a, b: a * b + 1)
    assert x.tolist() == [[2.0, 3.0], [2.0, 3.0]]


def test_refused_on_a_tensor_that_requires_grad() -> None:
    w = pt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be differentiated"):
        w.apply_(lambda v: v)
    with pt.no_grad():
        w.apply_(lambda v: v + 1)
    assert w.tolist() == [2.0, 2.0] and w.requires_grad
    with pytest.raises(TypeError, match="expects a function"):
        pt.ones(2).apply_(3)  # type: ignore[arg-type]


def test_data_ptr_shows_shared_memory() -> None:
    x = pt.zeros(4)
    assert x.data_ptr() == x[:2].data_ptr() == x.view(2, 2).data_ptr()
    assert x[1:].data_ptr() - x.data_ptr() == 4  # (float32: one element further)
    assert x.clone().data_ptr() != x.data_ptr()
    assert pt.from_numpy(x.numpy()).data_ptr() == x.data_ptr()


def test_data_ptr_refused_on_dask() -> None:
    with pytest.raises(RuntimeError, match="computed on request"):
        pt.ones(2, device="dask").data_ptr()
