"""PyTorch's spellings at their edges: ``roll``'s ``dims`` (``dims=()`` rolls the flattened
tensor; shifts and dims that do not pair up are refused, never broadcast), ``flip`` and
``unfold`` of a 0-d tensor, and ``select_scatter`` / ``slice_scatter`` / ``diagonal_scatter``
with a ``src`` of another dtype (cast to the input's, as PyTorch copies it in). Known values
on every available backend, and the same calls compared with torch where it is installed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

A = np.arange(6).reshape(2, 3)


def _roll_cases(lib: Any) -> dict[str, Any]:
    x = lib.tensor(A)
    return {
        "fn dims=()": lambda: lib.roll(x, 1, ()),
        "fn dims=[] shifts tuple": lambda: lib.roll(x, (1,), []),
        "fn dims=() keyword": lambda: lib.roll(x, shifts=2, dims=()),
        "method dims=()": lambda: x.roll(1, ()),
        "method dims=[] shifts list": lambda: x.roll([1], []),
    }


def _roll_refused(lib: Any) -> dict[str, Any]:
    x = lib.tensor(A)
    return {
        "fn two shifts, one dim": lambda: lib.roll(x, (1, 2), (0,)),
        "fn one shift, two dims": lambda: lib.roll(x, (1,), (0, 1)),
        "fn two shifts, no dims": lambda: lib.roll(x, (1, 2)),
        "fn two shifts, dims=()": lambda: lib.roll(x, (1, 2), ()),
        "fn int shift, two dims": lambda: lib.roll(x, 1, (0, 1)),
        "method two shifts, dims=()": lambda: x.roll((1, 2), ()),
    }


@pytest.mark.parametrize("case", list(_roll_cases(pt)))
def test_roll_with_empty_dims_rolls_the_flattened_tensor(backend: str, case: str) -> None:
    got = _roll_cases(pt)[case]()
    shift = 2 if "keyword" in case else 1
    assert got.tolist() == np.roll(A.ravel(), shift).reshape(2, 3).tolist()


@pytest.mark.parametrize("case", list(_roll_refused(pt)))
def test_roll_refuses_shifts_and_dims_that_do_not_pair(backend: str, case: str) -> None:
    with pytest.raises(RuntimeError, match="shifts and dimensions must align") as e:
        _roll_refused(pt)[case]()
    assert isinstance(e.value, ValueError)  # (also the project's class for a bad shape)
    assert "pass one shift for each dimension" in str(e.value)


def test_roll_standard_axis_keeps_the_standard_meaning(backend: str) -> None:
    x = pt.asarray(A)
    assert pt.roll(x, 1, axis=(0, 1)).tolist() == np.roll(A, 1, axis=(0, 1)).tolist()
    assert pt.roll(x, 1, axis=()).tolist() == A.tolist()  # (no axes: nothing rolled)
    with pytest.raises(ValueError, match="2 shifts and 1 dimensions"):
        pt.roll(x, (1, 2), axis=(0,))


def test_roll_edges_match_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    for case, f in _roll_cases(pt).items():
        assert f().tolist() == _roll_cases(torch)[case]().tolist(), case
    for case, f in _roll_refused(pt).items():
        with pytest.raises(RuntimeError):
            _roll_refused(torch)[case]()
        with pytest.raises(RuntimeError):
            f()


def _zero_d_cases(lib: Any) -> dict[str, Any]:
    x = lib.tensor(2.5, dtype=lib.float64)
    return {
        "flip(x, (0,))": lambda: lib.flip(x, (0,)),
        "flip(x, [-1])": lambda: lib.flip(x, [-1]),
        "flip(x, dims=())": lambda: lib.flip(x, dims=()),
        "unfold size 0": lambda: x.unfold(0, 0, 1),
        "unfold size 1": lambda: x.unfold(0, 1, 2),
    }


@pytest.mark.parametrize("case", list(_zero_d_cases(pt)))
def test_flip_and_unfold_of_a_0d_tensor_take_torchs_dims(backend: str, case: str) -> None:
    got = _zero_d_cases(pt)[case]()
    want = {"unfold size 0": [], "unfold size 1": [2.5]}.get(case, 2.5)
    assert got.tolist() == want
    assert tuple(got.shape) == np.shape(want)


def test_flip_of_a_0d_tensor_refuses_what_torch_refuses(backend: str) -> None:
    x = pt.asarray(2.5)
    with pytest.raises(IndexError, match="out of range"):
        pt.flip(x, (1,))
    with pytest.raises(ValueError, match="twice"):
        pt.flip(x, (0, -1))


def test_flip_and_unfold_of_a_0d_tensor_match_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    for case, f in _zero_d_cases(pt).items():
        got, want = f(), _zero_d_cases(torch)[case]()
        assert tuple(got.shape) == tuple(want.shape), case
        assert got.tolist() == want.tolist(), case
    x = pt.asarray(2.5, dtype=pt.float64, requires_grad=True)
    x.unfold(0, 0, 1).sum().backward()
    t = torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
    t.unfold(0, 0, 1).sum().backward()
    assert x.grad is not None and t.grad is not None
    assert x.grad.tolist() == t.grad.tolist() == 0.0


X = np.arange(12.0).reshape(3, 4) / 4
SRC = {
    "select_scatter": np.array([1.5, -2.5, 3.0, 0.0]),
    "slice_scatter": np.array([[1.5, -2.5, 3.0, 0.0], [7.75, -0.5, 2.0, 1.0]]),
    "diagonal_scatter": np.array([1.5, -2.5, 3.0]),
}


def _write(lib: Any, name: str, x: Any, src: Any) -> Any:
    if name == "select_scatter":
        return lib.select_scatter(x, src, 0, 1)
    if name == "slice_scatter":
        return lib.slice_scatter(x, src, 0, 0, 3, 2)
    return lib.diagonal_scatter(x, src)


def _numpy_write(name: str, x: np.ndarray, src: np.ndarray) -> np.ndarray:
    y = x.copy()
    if name == "select_scatter":
        y[1] = src
    elif name == "slice_scatter":
        y[0:3:2] = src
    else:
        np.fill_diagonal(y, src)
    return y


PAIRS = [
    (pt.float64, pt.float32),
    (pt.float64, pt.int64),
    (pt.float32, pt.float64),
    (pt.int64, pt.float64),
    (pt.int64, pt.bool),
    (pt.bool, pt.int64),
]


@pytest.mark.parametrize("name", list(SRC))
@pytest.mark.parametrize(("x_dtype", "src_dtype"), PAIRS, ids=lambda d: d.name)
def test_scatter_of_a_slice_casts_src_to_the_input_s_dtype(
    backend: str, name: str, x_dtype: Any, src_dtype: Any
) -> None:
    x = pt.asarray(X).to(dtype=x_dtype)
    src = pt.asarray(SRC[name]).to(dtype=src_dtype)
    got = _write(pt, name, x, src)
    assert got.dtype == x_dtype
    # (cast as NumPy's astype: float into int rounds toward zero, nonzero into bool is True)
    np_dtype = {pt.float64: np.float64, pt.float32: np.float32, pt.int64: np.int64}
    np_dtype[pt.bool] = np.bool_
    want = _numpy_write(
        name, X.astype(np_dtype[x_dtype]), SRC[name].astype(np_dtype[src_dtype])
    ).astype(np_dtype[x_dtype])
    np.testing.assert_array_equal(np.asarray(got.tolist()), want)


@pytest.mark.parametrize("name", list(SRC))
def test_scatter_of_a_float32_slice_into_float64_gives_src_a_float32_gradient(
    backend: str, name: str
) -> None:
    x = pt.asarray(X, dtype=pt.float64, requires_grad=True)
    src = pt.asarray(SRC[name], dtype=pt.float32, requires_grad=True)
    w = np.arange(1.0, 13.0).reshape(3, 4)
    (_write(pt, name, x, src) * pt.asarray(w)).sum().backward()
    assert src.grad is not None and x.grad is not None
    assert src.grad.dtype == pt.float32
    written = _numpy_write(name, np.zeros((3, 4)), np.ones_like(SRC[name])) == 1
    np.testing.assert_array_equal(np.asarray(x.grad.tolist()), np.where(written, 0.0, w))
    np.testing.assert_array_equal(
        np.asarray(src.grad.tolist()), _numpy_read(name, w).astype(np.float32)
    )


def _numpy_read(name: str, w: np.ndarray) -> np.ndarray:
    if name == "select_scatter":
        return w[1]
    if name == "slice_scatter":
        return w[0:3:2]
    return np.diagonal(w)


@pytest.mark.parametrize("name", list(SRC))
@pytest.mark.parametrize(("x_dtype", "src_dtype"), PAIRS, ids=lambda d: d.name)
def test_scatter_of_a_slice_of_another_dtype_matches_torch(
    backend: str, name: str, x_dtype: Any, src_dtype: Any
) -> None:
    torch = pytest.importorskip("torch")
    grads = x_dtype in (pt.float64, pt.float32) and src_dtype in (pt.float64, pt.float32)
    results = []
    for lib, dtypes in ((pt, (x_dtype, src_dtype)), (torch, None)):
        if lib is torch:
            dtypes = tuple(getattr(torch, d.name) for d in (x_dtype, src_dtype))
        x = lib.tensor(X).to(dtype=dtypes[0]).requires_grad_(grads)
        src = lib.tensor(SRC[name]).to(dtype=dtypes[1]).requires_grad_(grads)
        y = _write(lib, name, x, src)
        if grads:
            (y * lib.tensor(np.arange(1.0, 13.0).reshape(3, 4))).sum().backward()
        results.append((y, x.grad, src.grad))
    (y, gx, gs), (ty, tgx, tgs) = results
    assert y.dtype.name == str(ty.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(np.asarray(y.tolist()), ty.detach().numpy())
    if grads:
        assert gs.dtype.name == str(tgs.dtype).removeprefix("torch.")
        np.testing.assert_allclose(np.asarray(gx.tolist()), tgx.numpy())
        np.testing.assert_allclose(np.asarray(gs.tolist()), tgs.numpy())
