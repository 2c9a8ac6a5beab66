"""Two index forms of PyTorch programs: a ``range`` (``y_hat[range(len(y_hat)), y]``, Dive
into Deep Learning's cross-entropy) and slice bounds past an axis (``X[i : i + batch_size]``
for the last batch), which NumPy and PyTorch clamp and array-api-strict refuses; both read
and written, on every backend, against NumPy's answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]


def _on(name: str) -> Any:
    try:
        pt.backends.get(name)
    except pt.backends.BackendUnavailable as e:
        pytest.skip(f"{name} cannot run here: {e}")
    return pt.use_backend(name)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.to("numpy").numpy())


KEYS: dict[str, Any] = {
    "stop past the end": np.s_[3:9],
    "start before the front": np.s_[-9:2],
    "start past the end": np.s_[7:],
    "stop before the front": np.s_[:-9],
    "both past": np.s_[-20:20],
    "negative step, start past the end": np.s_[9:1:-1],
    "negative step, stop before the front": np.s_[3:-9:-1],
    "negative step, both past": np.s_[20:-20:-2],
    "step past": np.s_[1:30:3],
    "rows past, columns in": np.s_[3:9, 1:3],
    "with None": np.s_[None, 3:9],
    "with an ellipsis": np.s_[..., -9:1],
    "with an index array": np.s_[[0, 4], 2:9],
}


# writes that array-api-strict refuses whatever the bounds: an index array and None
STRICT_REFUSES_WRITING = {"with None", "with an index array"}


@pytest.mark.parametrize("key", sorted(KEYS))
@pytest.mark.parametrize("backend", BACKENDS)
def test_slice_bounds_past_an_axis_read_and_write_as_numpy(backend: str, key: str) -> None:
    k = KEYS[key]
    a = np.arange(20.0).reshape(5, 4)
    with _on(backend):
        tk = (
            tuple(pt.tensor(i) if isinstance(i, list) else i for i in k)
            if isinstance(k, tuple)
            else k
        )
        x = pt.tensor(a)
        np.testing.assert_array_equal(_host(x[tk]), a[k])
        want = a.copy()
        want[k] = -1.0
        if backend == "array_api_strict" and key in STRICT_REFUSES_WRITING:
            with pytest.raises(IndexError):  # (the standard specifies no such write)
                x[tk] = -1.0
        else:
            x[tk] = -1.0
            np.testing.assert_array_equal(_host(x), want)
        # the gradient of a read lands on the elements read
        w = pt.tensor(a, requires_grad=True)
        w[tk].sum().backward()
        ones = np.zeros_like(a)
        np.add.at(ones, k, 1.0) if isinstance(k, tuple) and any(
            isinstance(i, list) for i in k
        ) else ones.__setitem__(k, 1.0)
        np.testing.assert_array_equal(_host(w.grad), ones)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_last_minibatch_by_slicing(backend: str) -> None:
    """``for i in range(0, n, batch_size): X[i : i + batch_size]``: the last batch is short."""
    with _on(backend):
        X = pt.arange(10.0)
        batches = [_host(X[i : i + 4]).tolist() for i in range(0, 10, 4)]
    assert batches == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_slice_past_the_end_is_still_a_view(backend: str) -> None:
    with _on(backend):
        x = pt.arange(10.0)
        v = x[8:12]
        v += 1
        assert _host(x).tolist()[-2:] == [9.0, 10.0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_range_indexes_as_a_list(backend: str) -> None:
    y_hat = np.array([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], dtype=np.float32)
    with _on(backend):
        t = pt.tensor(y_hat)
        y = pt.tensor([0, 2])
        np.testing.assert_array_equal(_host(t[range(len(t)), y]), y_hat[[0, 1], [0, 2]])
        np.testing.assert_array_equal(_host(t[range(1, 2)]), y_hat[1:2])
        np.testing.assert_array_equal(_host(t[:, range(2, 0, -1)]), y_hat[:, [2, 1]])
        assert tuple(t[range(0)].shape) == (0, 3)
        z = pt.tensor(y_hat)
        want = y_hat.copy()
        want[[0, 1], [0, 2]] = 0.0
        if backend == "array_api_strict":
            with pytest.raises(IndexError):  # (an index array in a write: not in the standard)
                z[range(2), y] = 0.0
        else:
            z[range(2), y] = 0.0
            np.testing.assert_array_equal(_host(z), want)
        # the book's cross-entropy, with its gradient
        p = pt.tensor(y_hat, requires_grad=True)
        (-pt.log(p[range(len(p)), y])).sum().backward()
        g = np.zeros_like(y_hat)
        g[[0, 1], [0, 2]] = -1 / y_hat[[0, 1], [0, 2]]
        np.testing.assert_allclose(_host(p.grad), g, rtol=1e-6)


def test_a_range_matches_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch not installed: no reference")
    a = np.arange(12.0).reshape(3, 4)
    for key in (range(3), (range(2), range(1, 3)), (slice(None), range(3, 0, -1))):
        np.testing.assert_array_equal(_host(pt.tensor(a)[key]), torch.tensor(a)[key].numpy())
