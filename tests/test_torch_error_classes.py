"""Errors PyTorch raises as ``RuntimeError`` (or ``IndexError``) for a bad dimension, size or
index tensor: polytensor raises a class that is both PyTorch's and the project's own
(``DimArgumentError``: a ``ValueError`` and a ``RuntimeError``; ``BroadcastError`` likewise;
``IndexArgumentError``: an ``IndexError`` and a ``RuntimeError``), so ``except RuntimeError``
in a PyTorch program catches it. Known classes and messages on every available backend, and
the same calls compared with torch where it is installed."""

from __future__ import annotations

from typing import Any

import pytest

import polytensor as pt
from polytensor._checks import BroadcastError, DimArgumentError, IndexArgumentError


def _cases(lib: Any) -> dict[str, Any]:
    def x() -> Any:
        return lib.zeros(2, 3)

    return {
        "flip repeated dims": lambda: lib.flip(x(), (0, 0)),
        "flip repeated negative dim": lambda: lib.flip(x(), (1, -1)),
        "x.flip(0, 0)": lambda: x().flip(0, 0),
        "x0d.flip(0, 0)": lambda: lib.tensor(1.0).flip(0, 0),
        "sum repeated dims": lambda: lib.sum(x(), (0, 0)),
        "fliplr 1-d": lambda: lib.fliplr(lib.zeros(3)),
        "flipud 0-d": lambda: lib.flipud(lib.tensor(1.0)),
        "rot90 one dim": lambda: lib.rot90(x(), 1, (0,)),
        "rot90 same dims": lambda: lib.rot90(x(), 1, (0, 0)),
        "rot90 1-d": lambda: lib.rot90(lib.zeros(3)),
        "unfold size too big": lambda: x().unfold(1, 5, 1),
        "unfold step 0": lambda: x().unfold(1, 2, 0),
        "unfold negative size": lambda: x().unfold(1, -1, 1),
        "tensor_split 0 sections": lambda: lib.tensor_split(x(), 0),
        "tensor_split 2-d indices": lambda: lib.tensor_split(x(), lib.tensor([[1]])),
        "tensor_split 0-d input": lambda: lib.tensor_split(lib.tensor(1.0), 2),
        "hsplit not divisible": lambda: lib.hsplit(x(), 2),
        "vsplit 1-d": lambda: lib.vsplit(lib.zeros(3), 1),
        "repeat_interleave 2-d repeats": lambda: lib.repeat_interleave(
            x(), lib.tensor([[1]]), dim=0
        ),
        "take_along_dim ndim": lambda: lib.take_along_dim(x(), lib.tensor([0]), 0),
        "take_along_dim broadcast": lambda: lib.take_along_dim(x(), lib.tensor([[0, 1]]), 0),
        "index_fill 2-d index": lambda: x().index_fill(0, lib.tensor([[0]]), 1.0),
        "index_fill float index": lambda: x().index_fill(0, lib.tensor([0.0]), 1.0),
        "index_copy 2-d index": lambda: x().index_copy(0, lib.tensor([[0]]), lib.ones(1, 3)),
        "index_add 2-d index": lambda: x().index_add(0, lib.tensor([[0]]), lib.ones(1, 3)),
        "put size mismatch": lambda: x().put(lib.tensor([0, 1]), lib.tensor([1.0])),
    }


_CLASS = {
    "take_along_dim broadcast": BroadcastError,
    "index_fill 2-d index": IndexArgumentError,
    "index_fill float index": IndexArgumentError,
    "index_copy 2-d index": IndexArgumentError,
    "index_add 2-d index": IndexArgumentError,
    "put size mismatch": IndexArgumentError,
}

_MESSAGE = {
    "flip repeated dims": r"flip\(\) got axis=\(0, 0\), which names an axis twice",
    "x.flip(0, 0)": r"flip\(\): dim 0 appears multiple times in the list of dims \(0, 0\)",
    "x0d.flip(0, 0)": r"flip\(\): dim 0 appears multiple times",
    "rot90 same dims": r"rot90\(\): expected rotation dims to be different; got 0 and 0",
    "unfold step 0": r"unfold\(\): step is 0 but must be > 0",
    "take_along_dim broadcast": r"take_along_dim\(\): the size of input \(3\) must match the "
    r"size of indices \(2\) at dimension 1",
    "index_fill 2-d index": r"index_fill\(\): the index must be a 1-d \(or 0-d\) tensor; got 2-d",
    "index_fill float index": r"index_fill\(\): expected dtype int32 or int64 for index; got "
    r"float32; cast it with index.long\(\)",
    "put size mismatch": r"put\(\): source and index must have the same number of elements",
}


@pytest.mark.parametrize("case", list(_cases(pt)))
def test_bad_dims_and_index_tensors_raise_both_classes(backend: str, case: str) -> None:
    kind = _CLASS.get(case, DimArgumentError)
    with pytest.raises(kind, match=_MESSAGE.get(case)) as e:
        _cases(pt)[case]()
    assert isinstance(e.value, RuntimeError)
    assert isinstance(e.value, IndexError if kind is IndexArgumentError else ValueError)


def test_flip_of_distinct_dims_of_a_0d_tensor_still_copies(backend: str) -> None:
    x = pt.tensor(2.5)
    assert x.flip(0).item() == 2.5
    assert x.flip([]).item() == 2.5
    assert pt.zeros(2, 3).flip(0, 1).shape == (2, 3)


def test_take_along_dim_broadcasts_dimensions_of_size_one(backend: str) -> None:
    x = pt.reshape(pt.arange(6), (2, 3))
    assert pt.take_along_dim(x, pt.tensor([[1]]), 1).tolist() == [[1], [4]]
    assert pt.take_along_dim(x, pt.tensor([[1, 0, 1]]), 0).tolist() == [[3, 1, 5]]


def test_error_classes_match_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    for case, f in _cases(pt).items():
        with pytest.raises((RuntimeError, IndexError)) as want:
            _cases(torch)[case]()
        with pytest.raises(type(want.value)):
            f()
