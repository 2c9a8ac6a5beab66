"""Dask tensors stay lazy: forward ops, repr, metadata and backward build task graphs and never
compute; ``item()``, ``numpy()``, ``tolist()``, ``bool()`` and ``pt.compute`` do."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

da = pytest.importorskip("dask.array")

HOST = np.arange(12.0).reshape(4, 3) / 10


def _is_dask(t: pt.Tensor) -> bool:
    return t._backend.name == "dask" and isinstance(t._data, da.Array)


class BlockCounter:
    """A function mapped over blocks that counts how often it runs."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self, block: Any) -> Any:
        self.runs += 1
        return block * 2


def _counted_tensor(counter: BlockCounter) -> pt.Tensor:
    base = da.map_blocks(
        counter, da.from_array(HOST, chunks=(2, 3)), meta=np.empty((0, 0), dtype=HOST.dtype)
    )
    with pt.use_backend("dask"):
        return pt.asarray(base)


def test_forward_ops_build_graphs_without_computing(dask_computes) -> None:
    with pt.use_backend("dask", chunks=2):
        x = pt.asarray(HOST)
        w = pt.ones((3, 2))
        i = pt.arange(4)
        results = {
            "elementwise": pt.exp(x) * 2 + pt.sin(x) - 1.5,
            "comparison": x > 0.5,
            "where": pt.where(x > 0.5, x, 0.0),
            "matmul": x @ w,
            "sum": pt.sum(x, axis=0),
            "mean": pt.mean(x),
            "max": pt.max(x, axis=1),
            "std": pt.std(x),
            "reshape": pt.reshape(x, (2, 2, 3)),
            "flatten": pt.reshape(x, (12,)),
            "permute": pt.permute_dims(x, (1, 0)),
            "T": x.T,
            "concat": pt.concat([x, x]),
            "stack": pt.stack([x, x]),
            "getitem": x[1:, ::2],
            "take": pt.take(x, i[:2], axis=0),
            "astype": pt.astype(x, pt.float32),
            "promotion": x + pt.ones(3, dtype=pt.float32),
            "integer": i * 3 // 2,
            "to_dask": pt.asarray(HOST, device="numpy").to("dask"),
            "creation": pt.zeros_like(x) + pt.full((4, 3), 2.0),
            "linalg": pt.linalg.matrix_norm(x),
        }
        y = pt.asarray(HOST)
        y += 1  # in-place on an immutable backend rebinds the graph
        y[0, 0] = 5.0
        y[y > 3] = 0.0
        results["inplace"] = y
    for name, r in results.items():
        assert _is_dask(r), name
        assert r.shape is not None and r.dtype is not None and str(r.device) == "dask:cpu"
        repr(r)
        str(r)
    assert dask_computes.calls == 0


def test_reshape_that_splits_dimensions_unevenly_stays_lazy(dask_computes) -> None:
    # the standard's reshape takes any shape with the same size; Dask's own only merges or
    # splits whole dimensions, so the backend has to bridge the gap
    with pt.use_backend("dask", chunks=2):
        x = pt.asarray(HOST)
        y = pt.reshape(x, (3, 4))
    assert _is_dask(y)
    assert dask_computes.calls == 0
    np.testing.assert_array_equal(y.numpy(), HOST.reshape(3, 4))


def test_repr_and_metadata_do_not_compute(dask_computes) -> None:
    x = pt.asarray(HOST, device="dask") * 2
    assert repr(x) == "tensor(<lazy shape=(4, 3)>, dtype=polytensor.float64, backend='dask')"
    assert (x.shape, x.ndim, x.size, x.dtype, str(x.device)) == (
        (4, 3),
        2,
        12,
        pt.float64,
        "dask:cpu",
    )
    assert len(x) == 4
    assert pt.__array_namespace_info__().devices()
    assert dask_computes.calls == 0


def test_data_dependent_shapes_stay_lazy(dask_computes) -> None:
    x = pt.asarray(HOST, device="dask")
    m = x[x > 0.5]
    assert _is_dask(m)
    assert m.shape == (None,)
    assert m.size is None
    assert "lazy" in repr(m)
    with pytest.raises(TypeError, match=r"len\(\).*unknown.*pt\.compute"):
        len(m)
    assert dask_computes.calls == 0


def test_backward_stays_lazy(dask_computes) -> None:
    x = pt.asarray(HOST, device="dask", requires_grad=True)
    loss = pt.sum(pt.exp(x) * x)
    loss.backward()
    assert _is_dask(x.grad)
    assert dask_computes.calls == 0
    np.testing.assert_allclose(x.grad.numpy(), np.exp(HOST) * (1 + HOST), rtol=1e-12)
    assert dask_computes.calls == 1


@pytest.mark.parametrize(
    "convert",
    [
        lambda t: pt.sum(t).item(),
        lambda t: t.numpy(),
        lambda t: t.tolist(),
        lambda t: bool(pt.sum(t) > 0),
        lambda t: float(pt.sum(t)),
        lambda t: int(pt.sum(t)),
        lambda t: np.asarray(t),
    ],
    ids=["item", "numpy", "tolist", "bool", "float", "int", "__array__"],
)
def test_conversions_to_host_compute(dask_computes, convert) -> None:
    x = pt.asarray(HOST, device="dask") + 1
    assert dask_computes.calls == 0
    convert(x)
    assert dask_computes.calls >= 1


def test_conversion_results_are_right(dask_computes) -> None:
    x = pt.asarray(HOST, device="dask") + 1
    assert pt.sum(x).item() == pytest.approx((HOST + 1).sum())
    np.testing.assert_array_equal(x.numpy(), HOST + 1)
    assert x.tolist() == (HOST + 1).tolist()
    assert bool(pt.all(x > 0)) is True


def test_compute_computes_several_tensors_in_one_pass_sharing_work(dask_computes) -> None:
    counter = BlockCounter()
    x = _counted_tensor(counter)
    a, b = pt.sum(x), pt.max(x, axis=0)
    assert counter.runs == 0 and dask_computes.calls == 0
    ra, rb = pt.compute(a, b)
    assert dask_computes.calls == 1  # one pass for both
    assert counter.runs == 2  # each of the 2 blocks of the shared input ran once
    assert ra._backend.name == "dask" and rb._backend.name == "dask"
    assert ra.shape == () and rb.shape == (3,)
    assert ra.item() == pytest.approx(2 * HOST.sum())
    np.testing.assert_allclose(rb.numpy(), 2 * HOST.max(axis=0))
    assert counter.runs == 2  # the computed results hold their values


def test_separate_conversions_repeat_shared_work(dask_computes) -> None:
    counter = BlockCounter()
    x = _counted_tensor(counter)
    pt.sum(x).item()
    pt.max(x).item()
    assert counter.runs == 4  # what pt.compute is there to avoid


def test_compute_passes_eager_tensors_through(dask_computes) -> None:
    n = pt.ones(2)
    d = pt.ones(2, device="dask")
    rn, rd = pt.compute(n, d)
    assert rn is n
    assert rd._backend.name == "dask"
    np.testing.assert_array_equal(rd.numpy(), [1.0, 1.0])
    assert pt.compute() == ()


def test_compute_keeps_chunks(dask_computes) -> None:
    with pt.use_backend("dask", chunks=2):
        x = pt.ones(6) * 3
    (r,) = pt.compute(x)
    assert r._data.chunks == ((2, 2, 2),)


def test_compute_keeps_autograd_state(dask_computes) -> None:
    x = pt.asarray(HOST, device="dask", requires_grad=True)
    (rx,) = pt.compute(x)
    assert rx.requires_grad


def test_reductions_of_a_boolean_mask_differentiate_without_computing() -> None:
    # x[x > 0] has a length unknown until computed: sum's and mean's gradients are spread over
    # it lazily (a product with ones in its chunks, mean's count summed from them), where they
    # used to broadcast to a shape with NaN in it and fail when computed; torch's values
    torch = pytest.importorskip("torch")
    host = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0], [7.0, 8.0, 9.0]])
    reductions = {
        "sum": lambda r: r.sum(),
        "mean": lambda r: r.mean(),
        "sum0": lambda r: r.sum(0),
        "sum1": lambda r: r.sum(1),
        "mean0": lambda r: r.mean(0),
        "mean1": lambda r: r.mean(1, keepdim=True),
    }
    for name, f in reductions.items():
        rows = name[-1].isdigit()  # (a mask of rows: an unknown number of rows of three)
        t = torch.tensor(host)
        tr = (t[t[:, 0] > 0] if rows else t[t > 0]).requires_grad_()
        (want,) = torch.autograd.grad((f(tr) ** 2).sum(), [tr])
        with pt.use_backend("dask"):
            x = pt.asarray(host)
            r = (x[x[:, 0] > 0] if rows else x[x > 0]).requires_grad_()
            assert None in r.shape
            (got,) = pt.autograd.grad((f(r) ** 2).sum(), [r])
            assert _is_dask(got)
        np.testing.assert_allclose(got.to("numpy").numpy(), want.numpy(), err_msg=name)
    with pt.use_backend("dask"):  # through the mask to x itself (a mask of all its elements)
        x = pt.asarray(host, requires_grad=True)
        (x[x > 0] * 2.0).mean().backward()
    np.testing.assert_allclose(
        x.grad.to("numpy").numpy(), np.where(host > 0, 2.0 / 6, 0.0)
    )  # (six are positive)


def test_a_numpy_array_of_a_computed_tensor_is_its_own() -> None:
    """``pt.compute`` keeps each result's host value, which its Dask array reads: a NumPy
    array or NumPy tensor made from the result is a copy, so writing it leaves the Dask tensor
    as it is (it changed the tensor's value, silently)."""
    x = pt.asarray([1.0, 2.0, 3.0], device="dask")
    (y,) = pt.compute(x * 2)
    z = y.to_device("numpy")
    z.fill_(0.0)
    a = y.numpy()
    a[0] = 99.0
    assert y.tolist() == [2.0, 4.0, 6.0] and z.tolist() == [0.0, 0.0, 0.0]
    assert (y + 1).tolist() == [3.0, 5.0, 7.0]
