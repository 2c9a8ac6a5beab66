"""``w.grad.zero_()`` of a large ``.grad`` that nothing else holds leaves its zeros unwritten
(on NumPy, a read-only zero-stride view): backward then replaces that data with the new
gradient, so the tutorials' update (``w.grad.zero_()`` before the next ``backward()``) makes
no pass over memory that NumPy by hand would not make. Whoever reads the gradient
(``w.grad``, ``numpy()``, a write) gets zeros of its own first, so every program sees what it
would with the zeros written; the values are checked against torch where it is installed."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

SHAPE = (128, 128)  # float32: 64 KiB, the smallest .grad whose zeros are deferred


def _leaf(backend: str = "numpy", shape: tuple[int, ...] = SHAPE) -> Any:
    data = np.linspace(-1.0, 1.0, int(np.prod(shape)), dtype=np.float32).reshape(shape)
    return pt.asarray(data, device=backend, requires_grad=True)


def _deferred(w: Any) -> bool:
    """Whether ``w``'s ``.grad`` holds zeros left unwritten (read without ``w.grad``, which
    would write them)."""
    d = w._meta.grad._data
    return isinstance(d, np.ndarray) and not d.flags.writeable and not any(d.strides)


def _backward_then_zero(w: Any, k: float = 2.0) -> None:
    (w * k).sum().backward()
    with pt.no_grad():
        w.grad.zero_()


def test_zero_grad_leaves_the_zeros_unwritten_and_frees_the_old_data() -> None:
    w = _leaf()
    (w * 2).sum().backward()
    old = weakref.ref(w._meta.grad._data)
    with pt.no_grad():
        w.grad.zero_()
    assert _deferred(w)
    assert old() is None  # the gradient's memory is released, not filled
    (w * 3).sum().backward()
    g = w.grad
    assert not _deferred(w)
    assert g._data.flags.writeable and g._data.flags.c_contiguous
    assert np.all(g.numpy() == 3.0)


def _two_layer(hold: bool, steps: int = 4) -> list[Any]:
    """The tutorials' two-layer loop; ``hold`` keeps a reference to each .grad before
    zero_(), so that its zeros are written."""
    rng = np.random.default_rng(0)
    x = pt.asarray(rng.standard_normal((16, 256)).astype(np.float32))
    y = pt.asarray(rng.standard_normal((16, 4)).astype(np.float32))
    w1 = pt.asarray(rng.standard_normal((256, 64)).astype(np.float32), requires_grad=True)
    w2 = pt.asarray(rng.standard_normal((64, 4)).astype(np.float32), requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with pt.no_grad():
            w1 -= 1e-6 * w1.grad
            w2 -= 1e-6 * w2.grad
            held = (w1.grad, w2.grad) if hold else ()
            w1.grad.zero_()
            w2.grad.zero_()
            if not hold:
                assert _deferred(w1)  # 64 KiB: deferred; w2's 1 KiB: written
                assert not _deferred(w2)
            del held
    return [losses, w1.detach().numpy().copy(), w2.detach().numpy().copy()]


def test_the_tutorials_loop_gives_the_values_it_gives_with_the_zeros_written() -> None:
    deferred, written = _two_layer(hold=False), _two_layer(hold=True)
    assert deferred[0] == written[0]
    for a, b in zip(deferred[1:], written[1:], strict=True):
        assert np.array_equal(a, b)


def test_reading_the_grad_gives_zeros_of_its_own() -> None:
    w = _leaf()
    _backward_then_zero(w)
    g = w.grad  # (the zeros are written here)
    assert not _deferred(w)
    assert g._data.flags.writeable and np.all(g.numpy() == 0)
    g += 1.0
    assert np.all(w.grad.numpy() == 1.0)


def _view_program(lib: Any, w: Any) -> list[float]:
    (w * 2).sum().backward()
    with lib.no_grad():
        w.grad.zero_()
        v = w.grad[0, :3]
        w.grad += 1.0
        seen = v.tolist()
    (w * 3).sum().backward()
    return seen + v.tolist()


VIEW_VALUES = [1.0, 1.0, 1.0, 4.0, 4.0, 4.0]


def _add(g: Any) -> None:
    g += 1.0


def _setitem(g: Any) -> None:
    g[0, 0] = 1.0


def _out(g: Any) -> None:
    pt.add(pt.zeros(SHAPE), 1.0, out=g)


WRITES: dict[str, Callable[[Any], Any]] = {
    "+=": _add,
    "add_": lambda g: g.add_(1.0),
    "sub_": lambda g: g.sub_(1.0),
    "setitem": _setitem,
    "fill_": lambda g: g.fill_(1.0),
    "copy_": lambda g: g.copy_(pt.ones(SHAPE)),
    "clamp_": lambda g: g.clamp_(min=1.0),
    "out=": _out,
    "data.add_": lambda g: g.data.add_(1.0),
    "numpy": lambda g: g.numpy().__setitem__((0, 0), 1.0),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_the_tensor_zero_returned_takes_writes(name: str) -> None:
    # `g = w.grad.zero_()` keeps the tensor whose zeros are deferred: a write gives it zeros
    # of its own first, and w.grad is still that tensor
    w = _leaf()
    (w * 2).sum().backward()
    with pt.no_grad():
        g = w.grad.zero_()
        assert _deferred(w)
        plain = pt.zeros(SHAPE)  # (the same write into zeros written as zeros)
        WRITES[name](plain)
        WRITES[name](g)
    assert not _deferred(w)
    assert w.grad is g
    assert np.array_equal(g.numpy(), plain.numpy())
    assert not np.array_equal(g.numpy(), np.zeros(SHAPE))


def test_zero_again_keeps_the_zeros_deferred_and_counts_a_version() -> None:
    w = _leaf()
    (w * 2).sum().backward()
    with pt.no_grad():
        g = w.grad.zero_()
        version = g._meta.version
        g.zero_()
    assert _deferred(w) and g._meta.version == version + 1
    (w * 5).sum().backward()
    assert np.all(w.grad.numpy() == 5.0)


def test_a_view_of_deferred_zeros_kept_refuses_writes_it_could_not_see() -> None:
    # the one case that cannot behave as in PyTorch: a view of the deferred zeros, taken from
    # the tensor zero_() returned; a write (or backward's sum) could not reach the view
    w = _leaf()
    (w * 2).sum().backward()
    with pt.no_grad():
        g = w.grad.zero_()
        v = g[0]
        assert v.tolist() == [0.0] * SHAPE[1]
        with pytest.raises(ValueError, match="zero_"):
            g += 1.0
    with pytest.raises(ValueError, match="zero_"):
        (w * 3).sum().backward()
    assert v.tolist() == [0.0] * SHAPE[1]


@pytest.mark.parametrize(
    "case", ["held", "small", "assigned", "not a grad", "dask", "array_api_strict"]
)
def test_the_zeros_are_written_where_they_cannot_be_deferred(case: str) -> None:
    backend = case if case in ("dask", "array_api_strict") else "numpy"
    w = _leaf(backend, (4, 4) if case == "small" else SHAPE)
    (w * 2).sum().backward()
    if case == "assigned":
        w.grad = pt.ones(SHAPE)
    t = pt.ones(SHAPE) if case == "not a grad" else w.grad
    with pt.no_grad():
        if case == "held":
            held = w.grad
            held.zero_()
        else:
            t.zero_()
    if backend == "numpy":
        assert not _deferred(w)
        assert t._data.flags.writeable
    assert np.all(np.asarray(pt.asarray(t, device="numpy") if backend != "numpy" else t) == 0)


def _bucket_program(lib: Any, w: Any) -> list[float]:
    """A gradient that shares a bucket's memory (``w.grad.data = bucket[:n]``): zero_() and
    backward must reach the bucket."""
    (w * 2).sum().backward()
    bucket = lib.ones((2 * SHAPE[0], SHAPE[1]))
    with lib.no_grad():
        w.grad.data = bucket[: SHAPE[0]]
        w.grad.zero_()
    seen = [float(bucket[: SHAPE[0]].sum())]
    (w * 3).sum().backward()
    return [*seen, float(bucket[: SHAPE[0]].mean()), float(bucket[SHAPE[0] :].mean())]


BUCKET_VALUES = [0.0, 3.0, 1.0]


def _hook_program(lib: Any, w: Any) -> list[float]:
    """A hook that keeps the gradient it is given: the kept tensor is not the .grad."""
    kept: list[Any] = []
    w.register_hook(kept.append)
    (w * 2).sum().backward()
    with lib.no_grad():
        w.grad.zero_()
    seen = [float(kept[0].sum())]
    (w * 3).sum().backward()
    return [*seen, float(kept[0].sum()), float(kept[1].sum()), float(w.grad.sum())]


HOOK_VALUES = [2.0 * SHAPE[0] * SHAPE[1], 2.0 * SHAPE[0] * SHAPE[1], 3.0 * SHAPE[0] * SHAPE[1]]
HOOK_VALUES.append(HOOK_VALUES[-1])


# Programs whose values were checked against torch: (program, values)
PROGRAMS: dict[str, tuple[Callable[[Any, Any], list[float]], list[float]]] = {
    "a view taken through w.grad sees later writes": (_view_program, VIEW_VALUES),
    "a grad that shares a bucket zeroes it and adds into it": (_bucket_program, BUCKET_VALUES),
    "a gradient a hook kept shares no memory with the grad": (_hook_program, HOOK_VALUES),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_the_program_gives_the_values_torch_gives(name: str) -> None:
    program, values = PROGRAMS[name]
    assert program(pt, _leaf()) == values


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_the_program_in_torch_gives_the_same_values(name: str) -> None:
    torch = pytest.importorskip("torch")
    program, values = PROGRAMS[name]
    w = torch.tensor(_leaf().detach().numpy(), requires_grad=True)
    assert program(torch, w) == values


def test_detach_of_the_tensor_zero_returned_shares_zeros_that_take_writes() -> None:
    w = _leaf()
    (w * 2).sum().backward()
    with pt.no_grad():
        d = w.grad.zero_().detach()
        d += 1.0
    assert np.all(w.grad.numpy() == 1.0)


def test_threads_reading_a_grad_at_once_all_get_its_memory() -> None:
    # the first reader writes the deferred zeros; the others wait for it, and all get the
    # .grad's own (writable) memory, never the zeros left behind
    import threading

    failures = 0
    for _ in range(200):  # (without the lock, about one trial in ten failed)
        w = _leaf(shape=(512, 512))  # 1 MiB: copying the zeros lets the other thread run
        (w * 2).sum().backward()
        with pt.no_grad():
            w.grad.zero_()
        assert _deferred(w)
        got: list[Any] = [None, None]
        barrier = threading.Barrier(2)

        def read(i: int, w: Any = w, got: list[Any] = got, barrier: Any = barrier) -> None:
            barrier.wait()
            got[i] = w.grad.numpy()

        threads = [threading.Thread(target=read, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        final = w.grad.numpy()
        failures += not all(np.shares_memory(a, final) and a.flags.writeable for a in got)
    assert failures == 0


@pytest.mark.parametrize("shape", [(4, 4), SHAPE], ids=["written", "deferred"])
def test_backward_makes_the_new_gradient_the_data_of_the_zeroed_grad(
    shape: tuple[int, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After ``w.grad.zero_()`` (zeros written, or left unwritten), backward hands the
    gradient's array to the same ``.grad`` tensor without the general accumulation: no
    wrapper, no addition to zeros, the old memory let go."""
    from polytensor.autograd import _engine

    w = _leaf(shape=shape)
    (w * 2).sum().backward()
    g = w.grad
    old = weakref.ref(g._data)
    with pt.no_grad():
        g.zero_()
    calls: list[Any] = []
    general = _engine.accumulate_grad
    monkeypatch.setattr(_engine, "accumulate_grad", lambda *a: calls.append(a) or general(*a))
    (w.mm(pt.ones(shape[1], 1)) * 3).sum().backward()
    assert calls == []
    assert old() is None
    assert w.grad is g and np.all(g.numpy() == 3.0)
    assert g._meta.version > g._meta.zeroed  # (a later zero_() counts from here)


def test_a_kept_view_of_the_zeroed_grad_sees_the_gradient_added() -> None:
    w = _leaf(shape=(4, 4))
    (w * 2).sum().backward()
    g = w.grad
    with pt.no_grad():
        g.zero_()
    row = g[0]  # a view of the zeros: the gradient must reach it
    (w * 3).sum().backward()
    assert w.grad is g and np.all(g.numpy() == 3.0)
    assert np.all(row.numpy() == 3.0)


ZEROED_WRITES = {
    "a view's fill_": lambda w: w.grad[0:2].fill_(1.0),
    "a view's setitem": lambda w: w.grad[1].__setitem__(0, 1.0),
    "the .data's add_": lambda w: w.grad.data.add_(1.0),
    "detach()'s add_": lambda w: w.grad.detach().add_(1.0),
    "the grad's setitem": lambda w: w.grad.__setitem__(0, 1.0),
    "numpy()": lambda w: w.grad.numpy().__setitem__(0, 1.0),
}


@pytest.mark.parametrize("shape", [(4, 4), SHAPE], ids=["written", "deferred"])
@pytest.mark.parametrize("write", list(ZEROED_WRITES))
def test_a_write_into_the_zeroed_grad_is_kept_by_backward_as_torch(
    shape: tuple[int, ...], write: str
) -> None:
    """After ``w.grad.zero_()``, a write into the gradient's memory (through a view, ``.data``,
    ``detach()`` or NumPy) is there when backward adds the next gradient, as in torch."""
    torch = pytest.importorskip("torch")
    results = []
    for lib in (pt, torch):
        w = (
            _leaf(shape=shape)
            if lib is pt
            else torch.tensor(_leaf(shape=shape).detach().numpy(), requires_grad=True)
        )
        (w * 2).sum().backward()
        with lib.no_grad():
            w.grad.zero_()
            ZEROED_WRITES[write](w)
        (w * 3).sum().backward()
        results.append(np.asarray(w.grad.numpy()).copy())
    assert results[0].tobytes() == results[1].tobytes()
