"""``F.embedding`` is one node (``_embedding``) whose values and weight gradients match
PyTorch's in float32 and float64 (repeated ids, ``padding_idx``, ids of any shape, NaN and
infinite rows, second order through the gradient); out-of-range ids raise; Dask and
array-api-strict give NumPy's values through the generic functions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

torch = pytest.importorskip("torch")

TOL = {np.float32: {"rtol": 1e-6, "atol": 1e-6}, np.float64: {"rtol": 1e-13, "atol": 1e-14}}
IDS = {
    "tutorial (8, 4)": np.random.default_rng(1).integers(0, 20, (8, 4)),
    "repeats": np.array([3, 3, 3, 0, 19, 3]),
    "one id": np.array(7),
    "three axes": np.random.default_rng(2).integers(0, 20, (2, 3, 4)),
}


def _run(lib: Any, w0: np.ndarray, ids: np.ndarray, padding_idx: int | None) -> list[Any]:
    mk = torch.tensor if lib is torch else pt.asarray
    w = mk(w0.copy(), requires_grad=True)
    f = torch.nn.functional if lib is torch else F
    y = f.embedding(mk(ids), w, padding_idx=padding_idx)
    g = np.linspace(-1, 2, y.numel() if lib is torch else y.size).reshape(tuple(y.shape))
    y.backward(mk(g.astype(w0.dtype)))
    return [y.detach().numpy(), w.grad.numpy()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding_idx", [None, 3, -1])
@pytest.mark.parametrize("ids", sorted(IDS))
def test_embedding_matches_torch(dtype: type, padding_idx: int | None, ids: str) -> None:
    w0 = np.random.default_rng(4).standard_normal((20, 16)).astype(dtype)
    w0[5, 2], w0[6, 0], w0[7, 1] = np.nan, np.inf, -np.inf
    got, want = _run(pt, w0, IDS[ids], padding_idx), _run(torch, w0, IDS[ids], padding_idx)
    for x, y in zip(got, want, strict=True):
        assert x.dtype == dtype and x.shape == y.shape
        np.testing.assert_allclose(x, y, **TOL[dtype])


def test_embedding_is_one_node_and_rejects_out_of_range_ids() -> None:
    w = pt.ones((4, 2), requires_grad=True)
    y = F.embedding(pt.asarray([[0, 3]]), w)
    assert y.grad_fn.name() == "EmbeddingBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "AccumulateGrad"
    for bad in (4, -1):
        with pytest.raises(IndexError, match=rf"embedding\(\): id {bad} is out of bounds"):
            F.embedding(pt.asarray([0, bad]), w)
    with pytest.raises(ValueError, match="padding_idx must be within num_embeddings"):
        F.embedding(pt.asarray([0]), w, padding_idx=4)


def test_embedding_second_order_through_its_gradient_matches_torch() -> None:
    """The weight's gradient (``_embedding_backward``) differentiated again, in the output's
    cotangent: ``d/dv <grad_w(v), u>`` with a padding row."""
    rng = np.random.default_rng(6)
    w0, ids = rng.standard_normal((6, 3)), np.array([[1, 2, 1], [4, 0, 2]])
    v0, u0 = rng.standard_normal((2, 3, 3)), rng.standard_normal((6, 3))

    def second(lib: Any) -> Any:
        mk = torch.tensor if lib is torch else pt.asarray
        f = torch.nn.functional if lib is torch else F
        w, v = mk(w0, requires_grad=True), mk(v0, requires_grad=True)
        y = f.embedding(mk(ids), w, padding_idx=2)
        (gw,) = lib.autograd.grad((y * v).sum(), [w], create_graph=True)
        (gv,) = lib.autograd.grad((gw * mk(u0)).sum(), [v])
        return gv.detach().numpy()

    np.testing.assert_allclose(second(pt), second(torch), rtol=1e-13, atol=1e-14)


def _backend(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("backend", [_backend("dask"), _backend("array_api_strict")])
@pytest.mark.parametrize("padding_idx", [None, 3])
def test_embedding_on_other_backends_gives_numpys_values(
    backend: str, padding_idx: int | None
) -> None:
    w0 = np.random.default_rng(5).standard_normal((20, 16))
    got = []
    for name in ("numpy", backend):
        with pt.use_backend(name):
            w = pt.asarray(w0, requires_grad=True)
            y = F.embedding(pt.asarray(IDS["tutorial (8, 4)"]), w, padding_idx=padding_idx)
            (y * y).sum().backward()
            got.append([np.asarray(t.detach().to("numpy").numpy()) for t in (y, w.grad)])
    for u, v in zip(*got, strict=True):
        np.testing.assert_allclose(v, u, rtol=1e-13, atol=1e-14)


def test_embedding_of_integer_and_complex_rows_as_before() -> None:
    """Rows of any dtype, as take's (and PyTorch's forward); complex rows differentiate."""
    got = F.embedding(pt.asarray([1, 0, 1]), pt.asarray([[1, 2], [3, 4]]))
    assert got.dtype == pt.int64 and got.tolist() == [[3, 4], [1, 2], [3, 4]]
    w = pt.asarray(np.array([[1 + 1j, 2], [3, 4j]]), requires_grad=True)
    F.embedding(pt.asarray([1, 1, 0]), w, padding_idx=0).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 0], [2, 2]])
