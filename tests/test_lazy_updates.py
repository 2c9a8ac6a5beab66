"""Training loops on Dask: tensors changed in place (parameters, optimizer state, ``.grad``)
are computed along with the next value read (``polytensor/_lazy_updates.py``), so their task
graphs stay one step long and a loop that reads its loss each step takes linear time. Values
are NumPy's, bit for bit; nothing computes without a read; large data stays lazy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import _lazy_updates, nn, optim

pytest.importorskip("dask.array")

RNG = np.random.default_rng(3)
X = RNG.standard_normal((64, 10))
Y = RNG.standard_normal((64, 1))


def _layers(a: Any) -> int:
    return len(a.__dask_graph__().layers)


def _fit(device: str, optimizer: str, steps: int, **options: Any) -> tuple[Any, list[float], Any]:
    """``steps`` of a linear model's training as the tutorials write it; returns the weight,
    the losses read each step, and the optimizer."""
    with pt.use_backend(device, **options):
        x, y = pt.asarray(X), pt.asarray(Y)
        w = nn.Parameter(pt.zeros((10, 1), dtype=pt.float64))
        b = nn.Parameter(pt.zeros(1, dtype=pt.float64))
        kwargs = {"momentum": 0.9} if optimizer == "SGD" else {}
        opt = getattr(optim, optimizer)([w, b], lr=0.01, **kwargs)
        losses = []
        for _ in range(steps):
            loss = ((x @ w + b - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return w, losses, opt


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_optimizer_loop_keeps_graphs_one_step_long(optimizer: str) -> None:
    want_w, want, _ = _fit("numpy", optimizer, 25)
    w, got, opt = _fit("dask", optimizer, 25)
    assert got == want  # the same values, bit for bit
    np.testing.assert_array_equal(w.detach().numpy(), want_w.detach().numpy())
    # computed along with the last loss read: the parameters and every tensor of the state
    # hold computed data, not 25 steps of graph
    states = [v for s in opt.state.values() for v in s.values() if isinstance(v, pt.Tensor)]
    assert states  # (each optimizer here keeps tensors of state)
    for t in [w, *states]:
        assert _layers(t._data) == 1, t


def test_loop_by_hand_keeps_graphs_one_step_long() -> None:
    # the tutorials' loop: w -= lr * w.grad under no_grad, then w.grad.zero_()
    def fit(device: str) -> tuple[Any, list[float]]:
        with pt.use_backend(device):
            x, y = pt.asarray(X), pt.asarray(Y)
            w = pt.zeros((10, 1), dtype=pt.float64, requires_grad=True)
            losses = []
            for _ in range(20):
                loss = (x @ w - y).pow(2).sum()
                losses.append(loss.item())
                loss.backward()
                with pt.no_grad():
                    w -= 1e-3 * w.grad
                    w.grad.zero_()
        return w, losses

    want_w, want = fit("numpy")
    w, got = fit("dask")
    assert got == want
    np.testing.assert_array_equal(w.detach().numpy(), want_w.detach().numpy())
    assert _layers(w._data) == 1


def test_time_per_step_does_not_grow_with_the_step() -> None:
    # the graph a read computes is one step's, however many steps ran: counted in tasks
    with pt.use_backend("dask"):
        x, y = pt.asarray(X), pt.asarray(Y)
        w = nn.Parameter(pt.zeros((10, 1), dtype=pt.float64))
        opt = optim.SGD([w], lr=0.01, momentum=0.9)
        sizes = []
        for _ in range(30):
            loss = ((x @ w - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sizes.append(len(dict(w._data.__dask_graph__())))
            loss.item()
    assert sizes[5] == sizes[-1]


def test_nothing_computes_without_a_read(dask_computes: Any) -> None:
    with pt.use_backend("dask"):
        x, y = pt.asarray(X), pt.asarray(Y)
        w = nn.Parameter(pt.zeros((10, 1), dtype=pt.float64))
        opt = optim.SGD([w], lr=0.01)
        for _ in range(3):
            loss = ((x @ w - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        assert dask_computes.calls == 0
        assert _lazy_updates.noted(w)
        assert _layers(w._data) > 3  # three steps of graph, lazy
        loss.item()
        assert dask_computes.calls == 1  # the loss and the noted tensors: one pass
        assert not _lazy_updates.noted(w)
        assert _layers(w._data) == 1


def test_pt_compute_takes_the_noted_tensors_along(dask_computes: Any) -> None:
    w = pt.ones(4, device="dask")
    w += 1
    (s,) = pt.compute(pt.sum(pt.ones(3, device="dask") * 2))
    assert dask_computes.calls == 1
    assert float(s) == 6.0
    assert _layers(w._data) == 1 and w.numpy().tolist() == [2.0] * 4


def test_keep_updated_zero_turns_it_off() -> None:
    w, losses, _ = _fit("dask", "SGD", 6, keep_updated=0)
    assert _layers(w._data) > 6  # every step's graph, as before
    assert losses == _fit("numpy", "SGD", 6)[1]


def _spilled_files() -> list[str]:
    import os

    from polytensor.backends import dask as dask_backend

    return os.listdir(dask_backend._SPILL_DIR[0]) if dask_backend._SPILL_DIR else []


def test_data_larger_than_the_limit_is_stored_on_disk_along(dask_computes: Any) -> None:
    with pt.use_backend("dask", keep_updated=1000):
        big = pt.zeros(1000, dtype=pt.float64)  # 8,000 bytes: above the limit
        small = pt.zeros(10, dtype=pt.float64)
        big += 1
        small += 1
        one = pt.ones(1)
    before = set(_spilled_files())
    assert one.item() == 1.0
    assert dask_computes.calls == 1  # one pass: the read, small in memory, big to disk
    assert _layers(small._data) == 1  # computed along, held in memory
    assert not _lazy_updates.noted(big) and _layers(big._data) == 2  # read from its file
    assert len(set(_spilled_files()) - before) == 1
    # a read larger than the limit goes alone
    small += 1
    assert big.numpy().sum() == 1000.0  # (8,000 bytes read)
    assert _lazy_updates.noted(small)
    del big
    import gc

    gc.collect()
    assert set(_spilled_files()) <= before  # the file went with the last graph reading it


def test_a_loop_over_data_larger_than_the_limit_keeps_its_graphs_short() -> None:
    # the weight (80 bytes) and its momentum above keep_updated: stored on disk at each read;
    # the bias (8 bytes) and its momentum held in memory
    want_w, want, _ = _fit("numpy", "SGD", 15)
    w, got, opt = _fit("dask", "SGD", 15, keep_updated=8)
    assert got == want  # the same values, bit for bit, through the files
    np.testing.assert_array_equal(w.detach().numpy(), want_w.detach().numpy())
    states = [v for s in opt.state.values() for v in s.values() if isinstance(v, pt.Tensor)]
    tensors = [*opt.param_groups[0]["params"], *states]
    assert sorted(int(t.nbytes) for t in tensors) == [8, 8, 80, 80]
    for t in tensors:  # a file read, or data in memory; not 15 steps of graph
        assert _layers(t._data) == (2 if t.nbytes > 8 else 1), t
    assert len(_spilled_files()) <= 4  # (files of graphs still held only)


def test_a_noted_tensor_that_fails_when_computed_does_not_fail_other_reads(
    dask_computes: Any,
) -> None:
    n = pt.asarray([4, 6], device="dask")
    n //= pt.asarray([2, 0], device="dask")  # integer division by zero: raises when computed
    w = pt.ones(2, device="dask")
    w += 1
    assert pt.ones(1, device="dask").item() == 1.0  # read alone: no error from n
    assert dask_computes.calls == 2  # the pass with n failed once; then the read alone
    assert not _lazy_updates.noted(n) and not _lazy_updates.noted(w)
    w += 1  # (noted again: it goes along with the next read, n's data is not tried again)
    assert pt.ones(1, device="dask").item() == 1.0
    assert dask_computes.calls == 3 and _layers(w._data) == 1
    with pytest.raises(RuntimeError, match="integer division by zero"):
        n.numpy()


def test_data_of_a_tensor_and_its_dot_data_stay_one() -> None:
    w = pt.ones(3, device="dask", requires_grad=True)
    d = w.data
    d += 1  # (w.data on Dask: rebinding it rebinds w)
    assert pt.ones(1, device="dask").item() == 1.0
    assert w.detach().numpy().tolist() == [2.0] * 3 and d.numpy().tolist() == [2.0] * 3
    d += 1
    assert w.detach().numpy().tolist() == [3.0] * 3


def test_recorded_node_keeps_the_values_it_used() -> None:
    # Dask's arrays are immutable: a node keeps the value v had when it was used, and the
    # computed data v takes along with a read changes neither that nor any version
    w = pt.ones(3, device="dask", requires_grad=True)
    v = pt.ones(3, device="dask")
    loss = (w * v).sum()
    v += 1
    version = v._meta.version
    assert pt.ones(1, device="dask").item() == 1.0
    assert _layers(v._data) == 1 and v._meta.version == version  # v computed along
    loss.backward()
    assert w.grad.numpy().tolist() == [1.0] * 3
    assert v.numpy().tolist() == [2.0] * 3


def test_eager_backends_note_nothing() -> None:
    w = pt.ones(3)
    w += 1
    assert not _lazy_updates.noted(w)


def test_lbfgs_reads_do_not_recompute_the_iterations_history() -> None:
    # LBFGS reads numbers (dot products) of tensors its next directions are built from: those
    # are computed in the same pass, so a number's graph is one iteration's, not the history's
    from dask.callbacks import Callback

    class Tasks(Callback):  # type: ignore[misc]
        run = 0

        def _pretask(self, key: Any, dsk: Any, state: Any) -> None:
            Tasks.run += 1

    def fit(device: str) -> tuple[list[float], Any]:
        rng = np.random.default_rng(4)
        with pt.use_backend(device):
            x, y = (
                pt.asarray(rng.standard_normal((30, 5))),
                pt.asarray(rng.standard_normal((30, 1))),
            )
            w1 = pt.asarray(rng.standard_normal((5, 4)) * 0.3).requires_grad_(True)
            w2 = pt.asarray(rng.standard_normal((4, 1)) * 0.3).requires_grad_(True)
            opt = optim.LBFGS([w1, w2], lr=0.8, max_iter=8, history_size=4)

            def closure() -> Any:
                opt.zero_grad()
                loss = ((pt.tanh(x @ w1) @ w2 - y) ** 2).mean()
                loss.backward()
                return loss

            losses = [float(opt.step(closure)) for _ in range(2)]
        return losses, w1

    want, want_w = fit("numpy")
    with Tasks():
        got, w = fit("dask")
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(w.detach().numpy(), want_w.detach().numpy(), rtol=1e-10)
    # 1,831 tasks run here; 39,602 when each number computed the iterations so far
    assert Tasks.run < 5000
