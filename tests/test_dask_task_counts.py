"""Small graphs on Dask: a training step on single-chunk tensors builds one task per operation
(no op splits what fits in one chunk), gives NumPy's numbers, and stays lazy; chunked tensors
keep Dask's own functions and chunks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import optim
from polytensor.nn import functional as F

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
pytest.importorskip("sklearn")

from polytensor.demo import build_model, load_digits  # noqa: E402 - after the skips


def _tasks(*tensors: Any, optimize: bool) -> int:
    arrays = [t._data for t in tensors]
    return len(dask.base.collections_to_expr(arrays, optimize_graph=optimize).__dask_graph__())


def _step(backend: str) -> tuple[Any, list[Any]]:
    """The loss and the gradients of one step of the ``make run`` demo (a batch of 64)."""
    x_train, y_train, _, _ = load_digits(0)
    with pt.use_backend(backend):
        model = build_model(0)
        loss = F.cross_entropy(model(pt.asarray(x_train[:64])), pt.asarray(y_train[:64]))
        loss.backward()
    return loss, [p.grad for p in model.parameters()]


def test_a_demo_training_step_is_a_few_hundred_tasks(dask_computes: Any) -> None:
    loss, grads = _step("dask")
    assert dask_computes.calls == 0  # building the step computed nothing
    raw = _tasks(loss, *grads, optimize=False)
    optimized = _tasks(loss, *grads, optimize=True)
    # Through dask.array alone this step was 3,293 tasks (2,689 after optimisation): padding,
    # window stacking, matmul and the scatters of backward split single chunks into many.
    assert raw <= 300, raw
    assert optimized <= raw
    for g in grads:
        assert g._data.npartitions == 1
    want_loss, want_grads = _step("numpy")
    got_loss, *got_grads = pt.compute(loss, *grads)
    np.testing.assert_allclose(float(got_loss), float(want_loss), rtol=1e-6)
    for got, want in zip(got_grads, want_grads, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-4, atol=1e-6)


def test_adam_steps_on_dask_match_numpy() -> None:
    x_train, y_train, _, _ = load_digits(0)

    def train(backend: str) -> list[float]:
        with pt.use_backend(backend):
            model = build_model(0)
            opt = optim.Adam(model.parameters(), lr=5e-3)
            losses = []
            for step in range(2):
                rows = slice(64 * step, 64 * (step + 1))
                loss = F.cross_entropy(model(pt.asarray(x_train[rows])), pt.asarray(y_train[rows]))
                opt.zero_grad()
                loss.backward()
                opt.step()
                pt.persist(*model.parameters())
                losses.append(float(loss))
        return losses

    np.testing.assert_allclose(train("dask"), train("numpy"), rtol=1e-5)


def test_single_chunk_ops_are_one_task_each_and_match_numpy(dask_computes: Any) -> None:
    host = np.arange(24.0).reshape(2, 3, 4) / 7
    with pt.use_backend("dask"):
        x = pt.asarray(host)
    results = {
        "exp": (pt.exp(x), np.exp(host)),
        "add": (x + 1.5, host + 1.5),
        "matmul": (x @ pt.matrix_transpose(x), host @ host.transpose(0, 2, 1)),
        "sum": (pt.sum(x, axis=(0, 2), keepdims=True), host.sum(axis=(0, 2), keepdims=True)),
        "concat": (pt.concat([x, x], axis=1), np.concatenate([host, host], axis=1)),
        "stack": (pt.stack([x, x], axis=0), np.stack([host, host])),
        "getitem": (x[:, ::-2, None, 1], host[:, ::-2, None, 1]),
        "reshape": (pt.reshape(x, (4, 6)), host.reshape(4, 6)),
        "argmax": (pt.argmax(x, axis=2), host.argmax(axis=2)),
        "where": (pt.where(x > 1, x, 0.0), np.where(host > 1, host, 0.0)),
    }
    assert dask_computes.calls == 0
    x_keys = len(x._data.__dask_graph__())
    for name, (got, want) in results.items():
        assert got._data.npartitions == 1, name
        ops = 2 if name in ("matmul", "where") else 1  # (a transpose, a comparison first)
        assert len(got._data.__dask_graph__()) == x_keys + ops, name  # a task per op
        assert got.shape == want.shape and got.dtype.name == want.dtype.name, name
        np.testing.assert_allclose(got.numpy(), want, err_msg=name)


def test_gradient_of_indexing_is_one_task() -> None:
    host = np.arange(12.0).reshape(3, 4)
    with pt.use_backend("dask"):
        x = pt.asarray(host, requires_grad=True)
    (g,) = pt.autograd.grad(pt.sum(x[1:, ::2] * 3), [x])
    assert g._data.npartitions == 1
    want = np.zeros((3, 4))
    want[1:, ::2] = 3
    np.testing.assert_array_equal(g.numpy(), want)


def test_chunked_tensors_keep_dasks_functions_and_chunks() -> None:
    host = np.arange(64.0).reshape(8, 8)
    with pt.use_backend("dask", chunks=(4, 8)):
        x = pt.asarray(host)
    y = pt.exp(x) + x
    assert y._data.chunks == ((4, 4), (8,))
    np.testing.assert_allclose(y.numpy(), np.exp(host) + host)
    z = pt.concat([x, x], axis=0)
    assert z._data.npartitions == 4


def test_data_dependent_shapes_still_refuse_on_one_chunk() -> None:
    with pt.use_backend("dask"):
        x = pt.asarray([1.0, -2.0, 3.0])
    with pytest.raises(NotImplementedError, match="nonzero"):
        pt.nonzero(x)
    # (a mask beside None is read lazily, its length unknown; beside an integer array, refused)
    assert tuple(x[x > 0, None].shape) == (None, 1)
    with pt.use_backend("dask"):
        m = pt.asarray([[1.0, -2.0], [3.0, 4.0]])
        rows = pt.asarray([0, 1])
    with pytest.raises(NotImplementedError, match="boolean mask"):
        m[m[:, 0] > 0, rows]


def test_a_configured_scheduler_is_respected_for_small_graphs(dask_computes: Any) -> None:
    # dask_computes configures a scheduler (dask.config "scheduler"): small one-task graphs
    # use it rather than the synchronous one chosen when nothing is configured
    with pt.use_backend("dask"):
        x = pt.asarray([1.0, 2.0, 3.0])
    y = pt.exp(x) * 2
    assert float(pt.sum(y)) == pytest.approx(2 * np.exp([1.0, 2.0, 3.0]).sum())
    pt.persist(y)
    assert dask_computes.calls == 2
