"""Out-of-core autograd on Dask, in small: the loss and gradients of least squares and logistic
regression over a lazily generated design matrix form one graph that computes in one pass,
streaming chunk by chunk with memory bounded by a few chunks, and give NumPy's values."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import numpy as np
import pytest
from dask_counting import SchedulerCounter

import polytensor as pt

dask = pytest.importorskip("dask", reason="the dask backend needs dask installed")

N, D, ROWS = 20_000, 64, 1_000  # A: 10.24 MB of float64 in 20 chunks of 512 KB


def least_squares(A: pt.Tensor, y: pt.Tensor, w: pt.Tensor) -> pt.Tensor:
    r = A @ w - y
    return (r * r).mean()


def logistic(A: pt.Tensor, y: pt.Tensor, w: pt.Tensor) -> pt.Tensor:
    # labels t in {-1, 1} from the sign of y; loss mean(log(1 + exp(-t * (A @ w))))
    t = pt.sign(y)
    return pt.logaddexp(pt.zeros_like(y), -t * (A @ w)).mean()


MODELS: dict[str, Callable[[pt.Tensor, pt.Tensor, pt.Tensor], pt.Tensor]] = {
    "least squares": least_squares,
    "logistic regression": logistic,
}


def _problem(device: str) -> tuple[pt.Tensor, pt.Tensor, pt.Tensor]:
    pt.manual_seed(0)
    A = pt.randn(N, D, dtype=pt.float64, device=device, chunks=(ROWS, D))
    y = pt.randn(N, dtype=pt.float64, device=device, chunks=(ROWS,))
    w = pt.asarray(np.linspace(-0.1, 0.1, D), device=device, requires_grad=True)
    return A, y, w


@pytest.mark.parametrize("model", sorted(MODELS))
def test_loss_and_gradient_stream_in_one_pass_with_bounded_memory(
    model: str, dask_computes: SchedulerCounter
) -> None:
    A, y, w = _problem("dask")
    loss = MODELS[model](A, y, w)
    loss.backward()
    assert w.grad is not None
    assert dask_computes.calls == 0  # forward and backward stayed lazy
    tracemalloc.start()
    try:
        lv, g = pt.compute(loss, w.grad)  # on the counting scheduler: one thread, in order
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert dask_computes.calls == 1  # one pass for the loss and the gradient
    data = N * D * 8
    assert peak < 0.5 * data, f"peak {peak} bytes while streaming {data} bytes"
    assert g._data.chunks == w._data.chunks
    # NumPy draws the same A and y from the same seed
    An, yn, wn = _problem("numpy")
    ln = MODELS[model](An, yn, wn)
    ln.backward()
    assert wn.grad is not None
    assert lv.item() == pytest.approx(ln.item(), rel=1e-12)
    np.testing.assert_allclose(g.numpy(), wn.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_compute_and_persist_show_dasks_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    A, y, w = _problem("dask")
    loss = least_squares(A, y, w)
    loss.backward()
    assert w.grad is not None
    lv, _ = pt.compute(loss, w.grad, progress=True)
    out = capsys.readouterr().out
    assert "100% Completed" in out
    assert lv._backend.name == "dask" and isinstance(lv.item(), float)
    t = pt.ones(10, device="dask") * 2
    pt.persist(t, progress=True)
    assert "100% Completed" in capsys.readouterr().out
    assert t.numpy().tolist() == [2.0] * 10


def test_progress_on_a_distributed_client_uses_its_progress_bar(
    capsys: pytest.CaptureFixture[str],
) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        x = pt.randn(4000, 8, dtype=pt.float64, device="dask", chunks=(500, 8))
        (s,) = pt.compute(x.sum(), progress=True)
    out = capsys.readouterr().out
    assert "100% Completed" in out
    assert s.item() == pytest.approx(float(x.to("numpy").numpy().sum()), rel=1e-12)
