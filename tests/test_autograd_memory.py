"""Autograd releases what it holds: intermediates and graph nodes after backward(), and a long
training loop runs in constant memory."""

from __future__ import annotations

import gc
import os
import tracemalloc
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import polytensor as pt


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    """Run with the cycle collector off: what is freed is freed by reference counting."""
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _leaf(*shape: int) -> Any:
    rng = np.random.default_rng(0)
    return pt.asarray(rng.standard_normal(shape), requires_grad=True)


def _chain(x: Any) -> tuple[Any, list[Any]]:
    """loss = sum(sin(exp(x)) * exp(x) / 2): rules that save inputs and outputs."""
    y = pt.exp(x)
    z = pt.sin(y)
    w = z * y
    v = w / 2
    return pt.sum(v), [y, z, w, v]


def _refs(tensors: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """Weak references to the tensors, their arrays and their graph nodes."""
    return (
        [weakref.ref(t) for t in tensors],
        [weakref.ref(t._data) for t in tensors],
        [weakref.ref(t.grad_fn) for t in tensors],
    )


def _alive(refs: list[Any]) -> list[int]:
    return [i for i, r in enumerate(refs) if r() is not None]


def test_backward_releases_intermediate_tensors_and_their_nodes() -> None:
    x = _leaf(50)
    loss, inter = _chain(x)
    tensors, arrays, nodes = _refs(inter)
    del inter
    gc.collect()
    # the graph keeps the intermediates' nodes (and the arrays its rules read) until backward,
    # not the tensor objects, which go when the program drops them
    assert len(_alive(nodes)) == 4, "the graph must keep the intermediates' nodes until backward()"
    assert _alive(tensors) == [], "the graph keeps intermediate tensor objects"
    loss.backward()
    gc.collect()
    assert _alive(tensors) == [], "intermediate tensors still alive after backward()"
    # the loss's node (sum's, which reads no value: another backward may go through it, as
    # PyTorch's) keeps its edge to v's node, as PyTorch's graph does while the loss lives, and
    # v's array (small: a large one is a stand-in, _tape.reads_nothing); what is below is gone,
    # and v's node and array go with the loss
    assert _alive(arrays) == [3], "arrays saved for backward still alive after backward()"
    assert _alive(nodes) == [3], "graph nodes of intermediates still alive after backward()"
    assert x.grad is not None and loss.grad_fn is not None
    del loss
    gc.collect()
    assert _alive(nodes) == [] and _alive(arrays) == [], "v's node outlives the loss"


def test_the_loss_node_drops_its_inputs_after_backward() -> None:
    x = _leaf(50)
    loss, inter = _chain(x)
    del inter
    node = weakref.ref(loss.grad_fn)
    loss.backward()
    del loss
    gc.collect()
    assert node() is None, "the loss's node outlives the loss"
    assert x.grad is not None


def test_retain_graph_keeps_the_graph_until_the_loss_is_dropped() -> None:
    x = _leaf(50)
    loss, inter = _chain(x)
    tensors, arrays, nodes = _refs(inter)
    del inter
    loss.backward(retain_graph=True)
    gc.collect()
    assert len(_alive(nodes)) == 4, "retain_graph=True must keep the graph for a second pass"
    loss.backward()
    del loss
    gc.collect()
    assert _alive(tensors) == [] and _alive(arrays) == [] and _alive(nodes) == []


def test_graph_is_freed_by_reference_counting_alone(no_cycle_collector: None) -> None:
    """No reference cycles between tensors, their autograd state and nodes: a dropped graph is
    freed at once, not at the next collection."""
    x = _leaf(50)
    loss, inter = _chain(x)
    tensors, arrays, nodes = _refs(inter)
    del inter
    loss_ref = weakref.ref(loss)
    del loss
    assert (
        loss_ref() is None
        and _alive(tensors) == []
        and _alive(arrays) == []
        and _alive(nodes) == []
    ), "a dropped graph waits for the cycle collector"


def test_backward_without_reference_cycles(no_cycle_collector: None) -> None:
    x = _leaf(50)
    loss, inter = _chain(x)
    tensors, arrays, nodes = _refs(inter)
    del inter
    loss.backward()
    grad = weakref.ref(x.grad)
    x.grad = None
    del loss
    assert _alive(tensors) == [] and _alive(arrays) == [] and _alive(nodes) == []
    assert grad() is None, "x.grad is kept alive by something else than x"


def test_create_graph_gradients_release_the_graph_when_dropped() -> None:
    x = _leaf(20)
    loss, inter = _chain(x)
    tensors, arrays, nodes = _refs(inter)
    del inter
    (g,) = pt.autograd.grad(loss, x, create_graph=True)
    (gg,) = pt.autograd.grad(pt.sum(g * g), x)
    assert gg is not None
    del loss, g
    gc.collect()
    assert _alive(tensors) == [] and _alive(arrays) == [] and _alive(nodes) == []


# -- a training loop -----------------------------------------------------------------------------
def _rss() -> int:
    """Resident set size in bytes (Linux /proc), or 0 where unavailable."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _live_autograd_objects() -> int:
    from polytensor._tape import Meta, Node

    kinds = (pt.Tensor, Node, Meta)
    # type(), not isinstance(): some modules' objects warn when their __class__ is read
    return sum(issubclass(type(o), kinds) for o in gc.get_objects())


class _MLP:
    """Two linear layers written with pt.matmul; plain SGD under pt.no_grad()."""

    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.x = pt.asarray(rng.standard_normal((8, 4)))
        self.y = pt.asarray(np.sin(rng.standard_normal((8, 1))))
        self.w1 = pt.asarray(rng.standard_normal((4, 16)) * 0.5, requires_grad=True)
        self.b1 = pt.zeros(16, dtype=pt.float64, requires_grad=True)
        self.w2 = pt.asarray(rng.standard_normal((16, 1)) * 0.5, requires_grad=True)
        self.b2 = pt.zeros(1, dtype=pt.float64, requires_grad=True)
        self.params = [self.w1, self.b1, self.w2, self.b2]

    def step(self, lr: float = 0.05) -> float:
        h = pt.maximum(pt.matmul(self.x, self.w1) + self.b1, 0.0)
        out = pt.matmul(h, self.w2) + self.b2
        loss = pt.mean((out - self.y) ** 2)
        loss.backward()
        with pt.no_grad():
            for w in self.params:
                w -= lr * w.grad
                w.grad = None
        return float(loss.detach().item())


def test_training_loop_of_10000_steps_runs_in_constant_memory() -> None:
    mlp = _MLP()
    first = mlp.step()
    for _ in range(1000):  # warm-up: caches, allocator pools
        mlp.step()
    gc.collect()
    objects_before, rss_before = _live_autograd_objects(), _rss()

    tracemalloc.start()
    try:
        for _ in range(500):
            mlp.step()
        traced_before = tracemalloc.get_traced_memory()[0]
        for _ in range(1000):
            mlp.step()
        gc.collect()
        traced_growth = tracemalloc.get_traced_memory()[0] - traced_before
    finally:
        tracemalloc.stop()

    for _ in range(7500):
        last = mlp.step()
    gc.collect()
    objects_after, rss_after = _live_autograd_objects(), _rss()

    assert last < first / 2, f"the loop does not train (loss {first} -> {last})"
    assert all(w.grad is None and w.is_leaf for w in mlp.params)
    assert objects_after - objects_before <= 8, (
        f"tensors / nodes accumulate: {objects_before} -> {objects_after} live objects"
    )
    # One step's graph is ~10 kB: a leak of it would add ~10 MB over 1000 steps.
    assert traced_growth < 64 * 1024, (
        f"memory traced by tracemalloc grew by {traced_growth} bytes over 1000 steps"
    )
    if rss_before:
        assert rss_after - rss_before < 16 * 2**20, (
            f"RSS grew by {(rss_after - rss_before) / 2**20:.1f} MiB over 8500 steps"
        )


@pytest.mark.parametrize(
    ("make", "keeps"),
    [
        (lambda x, c: x**2, False),  # pow's rule for the base reads no output
        (lambda x, c: pt.exp(x), True),
        (lambda x, c: pt.nn.functional.relu(x), True),
        (lambda x, c: x / c, False),  # only the divisor's rule reads the output
        (lambda x, c: c / x, True),
        (lambda x, c: x / 2.0, False),
        (lambda x, c: 2.0 / x, True),
        (lambda x, c: x @ c, False),
        (lambda x, c: pt.sum(x, axis=0), False),
    ],
    ids=["pow", "exp", "relu", "x/c", "c/x", "x/2", "2/x", "matmul", "sum"],
)
def test_a_node_keeps_its_output_only_when_a_needed_rule_reads_it(make: Any, keeps: bool) -> None:
    # the table's generated fast paths record these: holding an output no rule reads would keep
    # a full-size array alive until backward
    x = _leaf(3, 3)
    c = pt.asarray(np.full((3, 3), 2.0))
    y = make(x, c)
    node = y.grad_fn
    assert node is not None and any(e is not None for e in node.needs)
    assert (node.out is not None) is keeps
    y.sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_a_recorded_op_makes_one_graph_object_besides_its_tensor(
    backend: str, no_cycle_collector: None
) -> None:
    """A one-output op recorded by a fast path makes its tensor and one node, which is the
    tensor's autograd state too (no ``Meta`` of its own): the objects the cycle collector
    counts per op, whose number sets how often it runs (``bench/gc_share.py``). The graph
    keeps the node (with a tuple of its inputs' states and one of their data), not the
    tensor, which goes when the program drops it."""
    from polytensor import _tape

    def count(kind: Any) -> int:
        return sum(type(o) is kind for o in gc.get_objects())

    with pt.use_backend(backend):
        x = pt.asarray(np.linspace(0.1, 0.8, 8), requires_grad=True)
        a = pt.asarray(np.full(8, 0.25), requires_grad=True)
        v = x
        before = [count(_tape.Meta), count(_tape.Node), count(pt.Tensor), len(gc.get_objects())]
        for _ in range(50):  # 4 ops a round: a number, a tensor, a function, a method
            v = pt.sin(v * 0.9 + a).clamp(min=0.0)
        after = [count(_tape.Meta), count(_tape.Node), count(pt.Tensor), len(gc.get_objects())]
        metas, nodes, tensors, tracked = (n - b for n, b in zip(after, before, strict=True))
        assert (metas, nodes, tensors) == (0, 200, 1)  # (the one tensor: v)
        if backend == "numpy":  # (the collector tracks Dask's and array-api-strict's arrays)
            # per op: its node and those two tuples (and a few one-time memo entries)
            assert tracked <= 3 * 200 + 4
        assert v._meta is v.grad_fn and v.grad_fn.next_functions[0][0] is not None
        pt.sum(v).backward()
        assert x.grad is not None and a.grad is not None


@pytest.mark.parametrize("special", ["hook", "retain_grad"])
def test_hooks_and_retained_grads_of_a_non_leaf_make_no_cycle(
    special: str, no_cycle_collector: None
) -> None:
    """A hook or ``retain_grad()`` on a recorded op's output: its node notes the tensor's state
    weakly, so the graph is still freed by reference counting alone, with its arrays."""
    x = _leaf(50)
    y = x * 2.0
    if special == "hook":
        calls: list[int] = []
        y.register_hook(lambda g: calls.append(1))
    else:
        y.retain_grad()
    z = (y * y).sum()
    z.backward()
    assert (calls == [1]) if special == "hook" else y.grad is not None
    node, data = weakref.ref(y.grad_fn), weakref.ref(y._data)
    del y, z
    assert node() is None and data() is None, "the graph waits for the cycle collector"


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_a_function_that_saves_its_output_makes_no_cycle(
    backend: str, no_cycle_collector: None
) -> None:
    """PyTorch's ``Exp`` saves its result: the node (the output's state) holds the ctx, which
    would hold the output and so the node. The ctx keeps the output's data and its state
    weakly: the graph goes with the output, by reference counting, and a second derivative
    still goes through the saved output, as in PyTorch."""

    class Exp(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (r,) = ctx.saved_tensors
            return g * r

    with pt.use_backend(backend):
        x = pt.asarray(np.array([0.5, 1.0]), requires_grad=True)
        y = Exp.apply(x)
        node, data = weakref.ref(y.grad_fn), weakref.ref(y._data)
        del y
        assert node() is None and data() is None, "the graph waits for the cycle collector"
        (gx,) = pt.autograd.grad(Exp.apply(x).sum(), [x], create_graph=True)
        (ggx,) = pt.autograd.grad(gx.sum(), [x])
        np.testing.assert_allclose(np.asarray(ggx.to("numpy").numpy()), np.exp([0.5, 1.0]))
        y = Exp.apply(x)
        with pt.no_grad():
            y.mul_(2.0)
        if backend != "dask":  # (Dask rebinds: the saved data is the value forward made)
            with pytest.raises(RuntimeError, match="modified by an in-place operation"):
                y.sum().backward()


# an intermediate h (256 x 256 float64, 512 KiB) made from the leaf, then an op of it in
# polytensor or torch (``lib``): whether the op's node lets h's array go (no rule that runs
# reads its values: kept as a stand-in of its shape and dtype, _tape.stand_ins) or keeps it
_STAND_IN_CASES = [
    ("relu", lambda lib, h, c, m: lib.nn.functional.relu(h), True),
    ("exp", lambda lib, h, c, m: lib.exp(h), True),
    ("tanh", lambda lib, h, c, m: lib.tanh(h), True),
    ("h + c", lambda lib, h, c, m: h + c, True),
    ("c - h", lambda lib, h, c, m: c - h, True),
    ("h * 2.0", lambda lib, h, c, m: h * 2.0, True),
    ("h * mask", lambda lib, h, c, m: h * m, True),  # dropout's: the mask needs no gradient
    ("h / c", lambda lib, h, c, m: h / c, True),
    ("sum", lambda lib, h, c, m: lib.sum(h, 0), True),
    ("mean", lambda lib, h, c, m: lib.mean(h), True),
    ("log_softmax", lambda lib, h, c, m: lib.nn.functional.log_softmax(h, dim=1), True),
    ("sin", lambda lib, h, c, m: lib.sin(h), False),
    ("h * c, c needs a gradient", lambda lib, h, c, m: h * c.requires_grad_(), False),
    ("h @ c", lambda lib, h, c, m: h @ c, False),
]


@pytest.mark.parametrize(
    ("make", "drops"), [c[1:] for c in _STAND_IN_CASES], ids=[c[0] for c in _STAND_IN_CASES]
)
def test_a_node_lets_a_large_input_that_no_rule_reads_go(make: Any, drops: bool) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x0, c0 = rng.standard_normal((256, 256)), rng.standard_normal((256, 256))
    m0 = (rng.random((256, 256)) < 0.5) * 2.0
    got = []
    for lib in (pt, torch):
        x = lib.tensor(x0, requires_grad=True)
        c, m = lib.tensor(c0), lib.tensor(m0)
        h = x * 1.5
        held = weakref.ref(h._data) if lib is pt else None
        y = make(lib, h, c, m)
        del h
        if held is not None:
            gc.collect()
            assert (held() is None) is drops
        g = np.random.default_rng(4).standard_normal(tuple(y.shape))
        y.backward(lib.tensor(g))
        got.append(x.grad.numpy())
    np.testing.assert_allclose(got[0], got[1], rtol=1e-12, atol=1e-12)


def test_a_small_input_is_kept_as_it_is() -> None:
    # below _tape._STAND_IN_SIZE elements the stand-in would cost more than the memory it frees
    x = _leaf(16, 16)
    h = x * 1.5
    held = weakref.ref(h._data)
    y = pt.nn.functional.relu(h)
    del h
    gc.collect()
    assert held() is not None
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 1.5 * (x.detach().numpy() > 0))


def test_an_unread_input_changed_in_place_leaves_the_gradient_as_it_is() -> None:
    # the node reads no value of it: no error, as for a small input (in-place checks skip it)
    x = _leaf(256, 256)
    h = x * 1.5
    y = pt.exp(h)
    with pt.no_grad():
        h.mul_(0.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * np.exp(1.5 * x.detach().numpy()))
