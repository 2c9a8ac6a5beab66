"""Indexing behaves as NumPy's on every backend: the same result, or an IndexError that names
the function, never a silently wrong element (Dask read ``True`` as 1, wrapped indices past
the end, ignored them when writing).

An integer index array's values are checked by the backend: NumPy and array-api-strict at
once, Dask inside the task graph when the result is computed (it stays lazy until then)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

BACKENDS = ["numpy", "dask", "array_api_strict"]
DATA = np.array([[1.0, 2.0], [3.0, 4.0]])


def _x(backend: str) -> pt.Tensor:
    return pt.asarray(DATA.copy(), device=backend)


def _i(backend: str, values: list[Any]) -> pt.Tensor:
    return pt.asarray(values, device=backend)


def _host(t: pt.Tensor) -> np.ndarray:
    return np.asarray(t.to("numpy").numpy())


BOOL_KEYS: list[Any] = [
    True,
    False,
    (0, True),
    (True, 0),
    (True, True),
    (True, False),
    (slice(None), True),
    (True, None, 0),
    (0, None, True),
    (Ellipsis, True),
    (True, Ellipsis, 0),
    (None, True, 1),
    (Ellipsis, True, 0),
    (slice(None), False),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("key", BOOL_KEYS, ids=repr)
def test_python_bool_keys_index_as_numpy(backend: str, key: Any) -> None:
    got = _x(backend)[key]
    want = DATA[key]
    assert tuple(got.shape) == want.shape
    np.testing.assert_array_equal(_host(got), want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_python_bool_keys_differentiate_and_write(backend: str) -> None:
    w = pt.asarray(DATA.copy(), device=backend, requires_grad=True)
    w[True, 0].sum().backward()
    assert w.grad is not None
    np.testing.assert_array_equal(_host(w.grad), [[1.0, 1.0], [0.0, 0.0]])
    y = _x(backend)
    y[False] = 8.0
    np.testing.assert_array_equal(_host(y), DATA)
    y[True] = 7.0
    np.testing.assert_array_equal(_host(y), np.full((2, 2), 7.0))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "key", [True, (0, True), (True, Ellipsis, 0), (slice(None), False)], ids=repr
)
def test_python_bool_keys_read_a_copy(backend: str, key: Any) -> None:
    """``x[True]`` is a copy in NumPy and PyTorch (a bool is an advanced index): writing into
    it leaves ``x`` as it was, on every backend."""
    x = _x(backend)
    y = x[key]
    y.mul_(2.0)
    np.testing.assert_array_equal(_host(x), DATA)
    np.testing.assert_array_equal(_host(y), DATA[key] * 2.0)
    torch = pytest.importorskip("torch")
    t = torch.tensor(DATA)
    t[key].mul_(2.0)
    np.testing.assert_array_equal(t.numpy(), DATA)


BAD_READS: list[tuple[str, Any]] = [
    ("positive out of range", lambda b: (_i(b, [0, 5]),)),
    ("second axis out of range", lambda b: (_i(b, [0]), _i(b, [3]))),
    ("negative out of range", lambda b: (_i(b, [-3]),)),
    ("two arrays, one out of range", lambda b: (_i(b, [0, 1]), _i(b, [1, 2]))),
    ("int then array out of range", lambda b: (0, _i(b, [2]))),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("case", "key"), BAD_READS, ids=[c for c, _ in BAD_READS])
def test_integer_arrays_out_of_range_raise(backend: str, case: str, key: Any) -> None:
    x = _x(backend)
    with pytest.raises(IndexError, match="out of bounds"):
        # Dask: building the result is lazy; computing it runs the check
        _host(x[key(backend)])


@pytest.mark.parametrize("backend", BACKENDS)
def test_in_range_integer_arrays_index_as_numpy(backend: str) -> None:
    x = _x(backend)
    np.testing.assert_array_equal(_host(x[_i(backend, [-2])]), [[1.0, 2.0]])
    np.testing.assert_array_equal(
        _host(x[_i(backend, [0, 1]), _i(backend, [1, 0])]), DATA[[0, 1], [1, 0]]
    )
    np.testing.assert_array_equal(_host(x[1, _i(backend, [-1, 0])]), [4.0, 3.0])


def test_dask_index_check_stays_lazy(dask_computes: Any) -> None:
    x = _x("dask")
    y = x[_i("dask", [0, 5])]
    assert dask_computes.calls == 0
    assert tuple(y.shape) == (2, 2)
    with pytest.raises(IndexError, match=r"__getitem__\(\).*5.*out of bounds"):
        pt.compute(y)


@pytest.mark.parametrize("backend", BACKENDS)
def test_float_index_arrays_are_refused(backend: str) -> None:
    x = _x(backend)
    with pytest.raises(IndexError, match=r"__getitem__\(\).*integer or boolean.*float32"):
        x[_i(backend, [0.0])]
    with pytest.raises(IndexError, match=r"__setitem__\(\).*integer or boolean"):
        x[_i(backend, [0.0])] = 1.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_static_key_errors_name_the_function(backend: str) -> None:
    x = _x(backend)
    with pytest.raises(IndexError, match=r"__getitem__\(\).*out of bounds for axis 1"):
        x[0, 2]
    with pytest.raises(IndexError, match=r"__getitem__\(\).*too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match=r"__getitem__\(\).*single ellipsis"):
        x[..., ...]
    with pytest.raises(IndexError, match=r"__getitem__\(\).*boolean index of shape \(3,\)"):
        x[_i(backend, [True, False, True])]
    with pytest.raises(IndexError, match=r"__getitem__\(\).*slice bounds"):
        x[0.5:]
    with pytest.raises(ValueError, match=r"__getitem__\(\).*step cannot be zero"):
        x[::0]


def _write_and_read(x: pt.Tensor, key: Any) -> np.ndarray:
    x[key] = 9.0
    return _host(x)  # Dask: the write is lazy; computing it runs the check


@pytest.mark.parametrize("backend", ["numpy", "dask"])
def test_setitem_out_of_range_integer_array_raises(backend: str) -> None:
    x = _x(backend)
    with pytest.raises(IndexError, match="out of bounds"):
        _write_and_read(x, _i(backend, [3]))
    y = _x(backend)
    y[_i(backend, [-1])] = 9.0
    np.testing.assert_array_equal(_host(y), [[1.0, 2.0], [9.0, 9.0]])


def test_array_api_strict_refuses_integer_array_writes_with_an_index_error() -> None:
    x = _x("array_api_strict")
    with pytest.raises(IndexError):
        x[_i("array_api_strict", [3])] = 9.0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("target", [3, -1, 7])
def test_cross_entropy_with_an_out_of_range_target_raises(backend: str, target: int) -> None:
    logits = pt.asarray([[1.0, 2.0, 3.0], [0.5, 0.1, 0.2]], device=backend)
    t = pt.asarray([0, target], device=backend)
    with pytest.raises(IndexError, match=rf"cross_entropy\(\): target {target} .*3 classes"):
        F.cross_entropy(logits, t).item()


@pytest.mark.parametrize("backend", BACKENDS)
def test_cross_entropy_keeps_ignore_index_and_good_targets(backend: str) -> None:
    logits = pt.asarray([[1.0, 2.0, 3.0], [0.5, 0.1, 0.2]], device=backend)
    got = F.cross_entropy(logits, pt.asarray([2, -100], device=backend)).item()
    want = -np.log(np.exp(3.0) / np.exp([1.0, 2.0, 3.0]).sum())
    assert got == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_cross_entropy_takes_unsigned_targets_as_their_values(
    backend: str, label_smoothing: float
) -> None:
    # uint8 labels (as image datasets store them) against the default ignore_index=-100,
    # which no unsigned value equals: the loss of the same int64 labels, on every backend
    logits = pt.asarray([[1.0, 2.0, 3.0], [0.5, 0.1, 0.2]], device=backend)
    got = F.cross_entropy(
        logits,
        pt.asarray(np.array([2, 0], np.uint8), device=backend),
        label_smoothing=label_smoothing,
    )
    want = F.cross_entropy(
        logits, pt.asarray([2, 0], device=backend), label_smoothing=label_smoothing
    )
    assert float(_host(got)) == pytest.approx(float(_host(want)), rel=1e-7)
    with pytest.raises(IndexError, match=r"target 7 is out of bounds for 3 classes"):
        _host(F.nll_loss(logits, pt.asarray(np.array([2, 7], np.uint8), device=backend)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_take_and_take_along_axis_out_of_range_raise(backend: str) -> None:
    x = pt.asarray([1.0, 2.0], device=backend)
    with pytest.raises(IndexError, match="out of bounds"):
        _host(pt.take_along_axis(x, _i(backend, [0, 2]), axis=0))
    with pytest.raises(IndexError, match="out of bounds"):
        _host(pt.take(x, _i(backend, [5])))


TAKES: list[tuple[Any, int | None, list[float]]] = [
    # (indices, axis, the gradient of the sum of the result weighted 1, 2, 3, ...)
    ([[0, 11], [5, -1]], None, [1, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 6]),
    (7, None, [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]),
    ([[2, 0]], 1, [2, 0, 1, 0, 4, 0, 3, 0, 6, 0, 5, 0]),
    ([[-1], [0]], 0, [5, 6, 7, 8, 0, 0, 0, 0, 1, 2, 3, 4]),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("idx", "axis", "grad"), TAKES)
def test_take_reads_indices_of_any_shape_as_numpy_on_every_backend(
    backend: str, idx: Any, axis: int | None, grad: list[float]
) -> None:
    # (array-api-strict's own take wants an axis for a 2-d array, and 1-d indices)
    x0 = np.arange(12.0).reshape(3, 4)
    x = pt.asarray(x0, dtype=pt.float64, device=backend).requires_grad_(True)
    i = _i(backend, idx)
    y = pt.take(x, i) if axis is None else pt.take(x, i, axis=axis)
    want = np.take(x0, np.array(idx), axis=axis)
    assert tuple(y.shape) == want.shape
    np.testing.assert_array_equal(_host(y.detach()), want)
    weights = np.arange(1.0, want.size + 1).reshape(want.shape)
    (y * pt.asarray(weights, dtype=pt.float64, device=backend)).sum().backward()
    assert x.grad is not None
    assert _host(x.grad).ravel().tolist() == grad


@pytest.mark.parametrize("backend", BACKENDS)
def test_take_without_an_axis_differentiates_the_flattened_input_as_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    x0 = np.arange(12.0).reshape(3, 4)
    idx, g0 = [[0, 11], [5, 5]], np.array([[1.0, 2.0], [3.0, 4.0]])
    x = pt.asarray(x0, dtype=pt.float64, device=backend).requires_grad_(True)
    y = pt.take(x, _i(backend, idx))
    y.backward(pt.asarray(g0, dtype=pt.float64, device=backend))
    tx = torch.tensor(x0, requires_grad=True)
    ty = torch.take(tx, torch.tensor(idx))
    ty.backward(torch.tensor(g0))
    np.testing.assert_array_equal(_host(y.detach()), ty.detach().numpy())
    np.testing.assert_array_equal(_host(x.grad), tx.grad.numpy())


MASK = np.array([True, False, True, False])
MASKED_KEYS: dict[str, Any] = {
    "x[:, mask]": (slice(None), MASK),
    "x[:, mask, 1]": (slice(None), MASK, 1),
    "x[::-1, mask, None]": (slice(None, None, -1), MASK, None),
    "x[0, mask]": (0, MASK),
    "x[-1, mask, :2]": (-1, MASK, slice(2)),
}


def _mask_gradient(backend: str, key: Any) -> None:
    x0 = np.arange(24.0).reshape(2, 4, 3)
    x = pt.asarray(x0, dtype=pt.float64, device=backend).requires_grad_(True)
    k = tuple(pt.asarray(i, device=backend) if isinstance(i, np.ndarray) else i for i in key)
    y = x[k]
    want = x0[key]
    np.testing.assert_array_equal(_host(y.detach()), want)
    weights = np.arange(1.0, want.size + 1).reshape(want.shape)
    (y * pt.asarray(weights, dtype=pt.float64, device=backend)).sum().backward()
    grad = np.zeros_like(x0)
    grad[key] = weights  # (a mask names each element once: nothing adds up)
    assert x.grad is not None
    np.testing.assert_array_equal(_host(x.grad), grad)


# (not Dask: the result's length along a mask is unknown there until computed, so it takes
# no weights of a known shape; tests/test_dask_mask_keys.py)
@pytest.mark.parametrize("backend", ["numpy", "array_api_strict"])
@pytest.mark.parametrize("key", list(MASKED_KEYS))
def test_a_boolean_mask_beside_other_indices_differentiates(backend: str, key: str) -> None:
    # (array-api-strict refuses a write at such a key: the gradient's scatter is NumPy's)
    _mask_gradient(backend, MASKED_KEYS[key])


def test_a_boolean_mask_beside_other_indices_differentiates_as_torch() -> None:
    torch = pytest.importorskip("torch")
    x0 = np.arange(24.0).reshape(2, 4, 3)
    for name, key in MASKED_KEYS.items():
        if "::-1" in name:
            continue  # (torch takes no negative step)
        for backend in ("numpy", "array_api_strict"):
            x = pt.asarray(x0, dtype=pt.float64, device=backend).requires_grad_(True)
            t = torch.tensor(x0, requires_grad=True)
            k = tuple(
                pt.asarray(i, device=backend) if isinstance(i, np.ndarray) else i for i in key
            )
            tk = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in key)
            y, ty = x[k], t[tk]
            w = np.random.default_rng(0).standard_normal(tuple(ty.shape))
            (y * pt.asarray(w, device=backend)).sum().backward()
            (ty * torch.tensor(w)).sum().backward()
            np.testing.assert_array_equal(_host(y.detach()), ty.detach().numpy())
            assert x.grad is not None
            np.testing.assert_allclose(_host(x.grad), t.grad.numpy(), rtol=1e-15)
