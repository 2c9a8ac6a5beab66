"""An index out of range is refused even where the result holds no element: indexing, taking,
gathering and scattering into an empty tensor (``x`` of shape ``(0,)``, ``(0, 3)``, ``(3, 0)``,
``(0, 0)``) by ``[0]``. On a lazy backend (Dask) the error comes when the result is computed
(its index's check stays in the graph of an empty result); on the others, at the call. Known
classes on every available backend, Dask split into one-element chunks too, and the same calls
compared with torch where it is installed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt


def _setitem(x: Any, key: Any, value: Any) -> Any:
    x[key] = value
    return x


def _cases(lib: Any) -> dict[str, Any]:
    def i1() -> Any:
        return lib.tensor([0])

    def i2() -> Any:
        return lib.tensor([[0]])

    return {
        "scatter (0, 3)": lambda: lib.zeros(0, 3).scatter(0, i2(), lib.ones(1, 1)),
        "scatter value (0, 3)": lambda: lib.zeros(0, 3).scatter(0, i2(), 1.0),
        "scatter_add (0,)": lambda: lib.zeros(0).scatter_add(0, i1(), lib.ones(1)),
        "scatter_reduce (0,)": lambda: lib.zeros(0).scatter_reduce(0, i1(), lib.ones(1), "amax"),
        "gather (0,)": lambda: lib.zeros(0).gather(0, i1()),
        "index_select (0, 0)": lambda: lib.zeros(0, 0).index_select(0, i1()),
        "index_put (0, 0)": lambda: lib.zeros(0, 0).index_put((i1(),), lib.tensor(1.0)),
        "index_put (0,) 2-d index": lambda: lib.zeros(0).index_put((i2(),), lib.tensor(1.0)),
        "index_put accumulate (0, 3)": lambda: lib.zeros(0, 3).index_put(
            (i1(),), lib.tensor(1.0), accumulate=True
        ),
        "index_add (0,)": lambda: lib.zeros(0).index_add(0, i1(), lib.ones(1)),
        "index_copy (0,)": lambda: lib.zeros(0).index_copy(0, i1(), lib.ones(1)),
        "index_fill (0, 3)": lambda: lib.zeros(0, 3).index_fill(0, i1(), 1.0),
        "take (3, 0)": lambda: lib.take(lib.zeros(3, 0), i1()),
        "take_along_dim (0,)": lambda: lib.take_along_dim(lib.zeros(0), i1(), 0),
        "x[idx] (0, 0)": lambda: lib.zeros(0, 0)[i1()],
        "x[idx] = v (0, 0)": lambda: _setitem(lib.zeros(0, 0), i1(), 1.0),
        "x[idx] = v (0,) 2-d index": lambda: _setitem(lib.zeros(0), i2(), 1.0),
        "x[..., idx] = v (3, 0) 2-d index": lambda: _setitem(lib.zeros(3, 0), (..., i2()), 1.0),
    }


# (array-api-strict writes at no array of indices: its refusal of x[idx] = v is an IndexError)
def _refused(case: str) -> None:
    with pytest.raises(IndexError, match=r"out of|empty|index|Fancy"):
        _cases(pt)[case]().tolist()  # (computes a lazy result)


@pytest.mark.parametrize("case", list(_cases(pt)))
def test_index_out_of_range_into_an_empty_tensor_is_refused(backend: str, case: str) -> None:
    _refused(case)


@pytest.mark.parametrize("case", list(_cases(pt)))
def test_index_out_of_range_into_an_empty_chunked_dask_tensor_is_refused(case: str) -> None:
    pytest.importorskip("dask")
    with pt.use_backend("dask", chunks=1):
        _refused(case)


def test_a_lazy_empty_result_stays_lazy_until_computed() -> None:
    pytest.importorskip("dask")
    with pt.use_backend("dask"):
        y = pt.zeros(0, 3).index_add(0, pt.asarray([0]), pt.ones(1, 3))  # (no error yet)
        assert y.shape == (0, 3)
        with pytest.raises(RuntimeError, match=r"index_add\(\): index 0 is out of bounds") as e:
            pt.compute(y)
        assert isinstance(e.value, IndexError)
        assert "for an axis of size 0" in str(e.value)


def test_empty_results_of_indices_in_range_are_unchanged(backend: str) -> None:
    none = pt.asarray(np.zeros((0,), dtype=np.int64))
    assert pt.zeros(0, 3).index_add(0, none, pt.ones(0, 3)).shape == (0, 3)
    assert pt.zeros(0).scatter_add(0, none, pt.ones(0)).tolist() == []
    assert pt.zeros(3, 0)[pt.asarray([2])].shape == (1, 0)
    assert pt.zeros(3, 0).gather(0, pt.asarray(np.zeros((1, 0), dtype=np.int64))).shape == (1, 0)


def test_take_without_a_dim_reads_the_flattened_chunked_tensor() -> None:
    pytest.importorskip("dask")
    with pt.use_backend("dask", chunks=(2, 5)):
        x = pt.reshape(pt.arange(60), (6, 10))
        assert pt.take(x, pt.asarray([4, 59])).tolist() == [4, 59]


# torch's own failures there (an internal storage error, a ZeroDivisionError turned into a
# RuntimeError) are not an IndexError; polytensor's error is both where it raises DataIndexError.
_TORCH_INTERNAL = ("index_copy (0,)", "index_fill (0, 3)", "take_along_dim (0,)")


def test_index_out_of_range_into_an_empty_tensor_matches_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    for case, f in _cases(pt).items():
        with pytest.raises((IndexError, RuntimeError)) as want:
            _cases(torch)[case]()
        with pytest.raises(IndexError) as got:
            f().tolist()
        if case not in _TORCH_INTERNAL:
            assert isinstance(got.value, type(want.value)), (case, got.value, want.value)
