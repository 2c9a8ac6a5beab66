"""polytensor on a ``dask.distributed`` cluster of worker processes (a ``LocalCluster`` on
loopback, started once for the module): tensors travel to workers as task graphs, training
runs there, and a gradient survives the loss of a worker process."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn, optim

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

RNG = np.random.default_rng(1)
X = RNG.standard_normal((8000, 6))
W_TRUE = RNG.standard_normal((6, 1))
Y = X @ W_TRUE + 0.01 * RNG.standard_normal((8000, 1))


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            silence_logs=50,
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _ran_on_workers(stream: Any, client: Any) -> set[str]:
    workers = {t["worker"] for t in stream.data}
    assert workers <= set(client.scheduler_info()["workers"])
    return workers


def _describe(t: Any) -> tuple[str, str, bool, bool, float]:
    # runs on a worker: what arrived, and its sum (computed there)
    total = float(pt.sum(t.detach() if t.requires_grad else t))
    return type(t).__name__, t._backend.name, t.requires_grad, t._backend.lazy, total


def test_submit_and_map_send_tensors_to_worker_processes(client: Any, dask_computes: Any) -> None:
    with pt.use_backend("dask", chunks=(1000,)):
        x = pt.asarray(np.arange(4000.0))
    lazy = pt.exp(x / 4000)
    futures = [
        client.submit(_describe, lazy),
        client.submit(_describe, pt.asarray([1.0, 2.0], requires_grad=True)),
        client.submit(_describe, nn.Parameter(pt.ones(3))),
    ]
    mapped = client.map(_describe, [pt.asarray(np.ones(4)), pt.asarray(np.arange(4.0))])
    results = client.gather(futures + mapped, errors="raise")
    assert dask_computes.calls == 0  # nothing computed here: the graph travelled
    assert results[0][:4] == ("Tensor", "dask", False, True)
    assert results[0][4] == pytest.approx(np.exp(np.arange(4000.0) / 4000).sum(), rel=1e-12)
    assert results[1] == ("Tensor", "numpy", True, False, 3.0)
    assert results[2] == ("Parameter", "numpy", True, False, 3.0)
    assert [r[4] for r in results[3:]] == [4.0, 6.0]
    # a lazy tensor also comes back lazy and computes here
    doubled = client.submit(lambda t: t * 2, lazy).result()
    assert doubled._backend.lazy
    np.testing.assert_allclose(doubled.numpy(), 2 * np.exp(np.arange(4000.0) / 4000))


def _fit(backend: str, steps: int, **options: Any) -> tuple[np.ndarray, list[float]]:
    """Least squares by SGD over the whole (chunked) data set."""
    with pt.use_backend(backend, **options):
        x, y = pt.asarray(X), pt.asarray(Y)
        pt.persist(x, y)  # the data set lives on the cluster (a no-op on eager backends)
        w = nn.Parameter(pt.zeros((6, 1), dtype=pt.float64))
        opt = optim.SGD([w], lr=0.1, momentum=0.5)
        losses = []
        for _ in range(steps):
            loss = pt.mean((x @ w - y) ** 2)
            opt.zero_grad()
            loss.backward()
            opt.step()
            pt.persist(w, *(v for s in opt.state.values() for v in s.values()))
            losses.append(float(loss))
    return w.detach().to("numpy").numpy(), losses


def test_sgd_training_loop_runs_on_the_cluster(client: Any) -> None:
    want_w, want_losses = _fit("numpy", 15)
    with distributed.get_task_stream(client) as stream:
        got_w, got_losses = _fit("dask", 15, chunks=(1000, 6))
    assert len(_ran_on_workers(stream, client)) == 2  # both worker processes took part
    np.testing.assert_allclose(got_w, want_w, rtol=1e-10)
    np.testing.assert_allclose(got_losses, want_losses, rtol=1e-10)
    assert got_losses[-1] < 0.05 * got_losses[0]


def test_training_loop_without_persist_keeps_graphs_one_step_long(client: Any) -> None:
    # as a PyTorch program writes it, no pt.persist: the parameter and the momentum buffer
    # are computed along with each loss read, on the cluster
    def fit(backend: str, **options: Any) -> tuple[Any, list[float], Any]:
        with pt.use_backend(backend, **options):
            x, y = pt.asarray(X), pt.asarray(Y)
            w = nn.Parameter(pt.zeros((6, 1), dtype=pt.float64))
            opt = optim.SGD([w], lr=0.1, momentum=0.5)
            losses = []
            for _ in range(12):
                loss = pt.mean((x @ w - y) ** 2)
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(float(loss))
        return w, losses, opt

    want_w, want_losses, _ = fit("numpy")
    with distributed.get_task_stream(client) as stream:
        w, losses, opt = fit("dask", chunks=(1000, 6))
    assert len(_ran_on_workers(stream, client)) == 2
    np.testing.assert_allclose(losses, want_losses, rtol=1e-10)
    np.testing.assert_allclose(w.detach().numpy(), want_w.detach().numpy(), rtol=1e-10)
    buf = opt.state[w]["momentum_buffer"]
    assert len(w._data.__dask_graph__().layers) == 1
    assert len(buf._data.__dask_graph__().layers) == 1


def test_tensors_above_keep_updated_stay_lazy_on_the_cluster(client: Any) -> None:
    # the cluster's workers need not share this process's disk: nothing is spilled to it
    from polytensor import _lazy_updates
    from polytensor.backends import dask as dask_backend

    before = list(dask_backend._SPILL_DIR)
    with pt.use_backend("dask", keep_updated=16):
        w = pt.zeros((6, 1), dtype=pt.float64)  # 48 bytes: above the limit
        for _ in range(3):
            w += 1
            assert float(pt.sum(pt.ones(1))) == 1.0
        assert not _lazy_updates.noted(w)  # (forgotten, as before: its graph grows)
        assert len(w._data.__dask_graph__().layers) > 3
        np.testing.assert_array_equal(w.numpy(), np.full((6, 1), 3.0))
    assert before == dask_backend._SPILL_DIR or not any(
        name.endswith(".npy") for name in __import__("os").listdir(dask_backend._SPILL_DIR[0])
    )


def test_scheduler_option_sends_computes_to_that_address(client: Any) -> None:
    import dask

    from polytensor.backends._dask_scheduler import close_clients

    address = client.scheduler.address
    try:
        # under the "sync" default, computes would run here, in-process
        with dask.config.set(scheduler="sync"), distributed.get_task_stream(client) as stream:
            w, losses = _fit("dask", 3, chunks=(2000, 6), scheduler=address)
    finally:
        assert close_clients() == 1  # the option connected one client to that address
    assert _ran_on_workers(stream, client)
    want_w, want_losses = _fit("numpy", 3)
    np.testing.assert_allclose(w, want_w, rtol=1e-10)
    np.testing.assert_allclose(losses, want_losses, rtol=1e-10)


def test_gradient_survives_a_worker_process_killed_mid_computation(client: Any) -> None:
    def slow_rows(block: np.ndarray) -> np.ndarray:  # a slow data loader (pickled by value)
        time.sleep(0.25)
        return block

    chunks = 500
    source = da.from_array(X, chunks=(chunks, 6)).map_blocks(slow_rows, dtype=X.dtype)
    x = pt.asarray(source, device="dask")
    w = pt.asarray(W_TRUE * 0.5, device="dask", requires_grad=True)
    loss = pt.sum(pt.tanh(x @ w) ** 2)
    (grad,) = pt.autograd.grad(loss, [w])
    want = 2 * X.T @ (np.tanh(X @ (W_TRUE * 0.5)) * (1 - np.tanh(X @ (W_TRUE * 0.5)) ** 2))

    pids = client.run(os.getpid)
    future = client.compute(grad._data)
    victim = None
    deadline = time.monotonic() + 30
    while victim is None and time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if keys]
        done = sum(1 for d in client.has_what().values() for _ in d)
        if busy and done:
            victim = busy[0]
        else:
            time.sleep(0.05)
    assert victim is not None, "the computation never got under way"
    os.kill(pids[victim], signal.SIGKILL)  # a worker process of the test's own cluster
    got = future.result(timeout=60)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert victim not in client.scheduler_info()["workers"]  # it was really lost
    client.wait_for_workers(2, timeout=60)  # the nanny has restarted it
