"""polytensor on a real ``dask.distributed`` cluster: graphs built by polytensor run on the
cluster's workers and give NumPy's results."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import polytensor as pt

distributed = pytest.importorskip("distributed")

RNG = np.random.default_rng(0)
A = RNG.standard_normal((2000, 200))
W = RNG.standard_normal((200, 10))


def _cluster(processes: bool) -> Any:
    # Note: with processes=True, dashboard_address=None still serves the dashboard on the
    # default port 8787 (and warns when it is taken); ":0" picks a free port.
    return distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=processes,
        dashboard_address=None if not processes else ":0",
        silence_logs=50,
    )


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with _cluster(processes=False) as cluster, distributed.Client(cluster) as c:
        yield c


def _tasks_run(stream: Any) -> int:
    return len(stream.data)


def test_matmul_and_sum_on_the_cluster_match_numpy(client: Any) -> None:
    with distributed.get_task_stream(client) as stream:
        with pt.use_backend("dask", chunks=(500, 200)):
            x = pt.asarray(A)
            w = pt.asarray(W)
            assert x._data.chunks == ((500, 500, 500, 500), (200,))
            y = x @ w
            total = pt.sum(y)
            cols = pt.sum(pt.tanh(y), axis=0)
        assert total._backend.name == "dask"
        got_total = total.item()
        got_cols = cols.numpy()
    assert got_total == pytest.approx((A @ W).sum(), rel=1e-10)
    np.testing.assert_allclose(got_cols, np.tanh(A @ W).sum(axis=0), rtol=1e-10)
    assert _tasks_run(stream) > 0  # the work ran on the cluster's workers
    workers = {t["worker"] for t in stream.data}
    assert workers <= set(client.scheduler_info()["workers"])


def test_compute_on_the_cluster(client: Any) -> None:
    with pt.use_backend("dask", chunks=(500, 200)):
        x = pt.asarray(A)
        mean, std = pt.mean(x, axis=0), pt.std(x, axis=0)
    rm, rs = pt.compute(mean, std)
    np.testing.assert_allclose(rm.numpy(), A.mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(rs.numpy(), A.std(axis=0), rtol=1e-10)


def test_gradients_on_the_cluster(client: Any) -> None:
    with pt.use_backend("dask", chunks=(500, 200)):
        x = pt.asarray(A)
        w = pt.asarray(W, requires_grad=True)
    loss = pt.sum((x @ w) ** 2)
    loss.backward()
    assert w.grad._backend.name == "dask"
    np.testing.assert_allclose(w.grad.numpy(), 2 * A.T @ (A @ W), rtol=1e-9)


def test_graphs_run_on_worker_processes() -> None:
    # worker processes unpickle polytensor-built graphs: nothing in them may be local-only
    with _cluster(processes=True) as cluster, distributed.Client(cluster):
        with pt.use_backend("dask", chunks=(500, 200)):
            x = pt.asarray(A)
            y = pt.sum(pt.exp(x[:, :5]) // 2 + x[:, :5] % 1.5, axis=0)
        np.testing.assert_allclose(
            y.numpy(), (np.floor(np.exp(A[:, :5]) / 2) + A[:, :5] % 1.5).sum(0), rtol=1e-10
        )
