"""The backward engine's contract beyond single derivative rules: each node runs once with
its total cotangent, hooks see totals, and every ``.grad`` owns its memory."""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]


def _np(t: pt.Tensor) -> np.ndarray:
    return np.asarray(t.numpy())


@pytest.mark.parametrize("backend", BACKENDS)
def test_leaves_fed_by_one_cotangent_get_grads_of_their_own(backend: str) -> None:
    # add passes its cotangent to both inputs unchanged, and sum's is a broadcast view
    a = pt.ones(3, device=backend, requires_grad=True)
    b = pt.ones(3, device=backend, requires_grad=True)
    pt.sum(a + b).backward()
    a.grad.zero_()
    a.grad += 5
    np.testing.assert_array_equal(_np(a.grad), [5.0, 5.0, 5.0])
    np.testing.assert_array_equal(_np(b.grad), [1.0, 1.0, 1.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_gradient_passed_to_backward_is_never_a_leafs_grad(backend: str) -> None:
    a = pt.ones(3, device=backend, requires_grad=True)
    b = pt.ones(3, device=backend, requires_grad=True)
    g = pt.asarray([1.0, 2.0, 3.0], device=backend)
    (a + b).backward(g)
    a.grad.mul_(0)
    np.testing.assert_array_equal(_np(g), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(_np(b.grad), [1.0, 2.0, 3.0])
    # a leaf that is itself the output
    c = pt.ones(3, device=backend, requires_grad=True)
    c.backward(g)
    c.grad.zero_()
    np.testing.assert_array_equal(_np(g), [1.0, 2.0, 3.0])


def test_a_tensor_returned_by_a_hook_is_not_shared_with_grad() -> None:
    keep = pt.asarray([7.0, 7.0])
    x = pt.ones(2, requires_grad=True)
    x.register_hook(lambda g: keep)
    pt.sum(x * 2).backward()
    x.grad.zero_()
    np.testing.assert_array_equal(_np(keep), [7.0, 7.0])


def test_a_retained_grad_is_a_copy() -> None:
    x = pt.ones(2, requires_grad=True)
    y = x * 2
    z = +y  # positive passes the cotangent on unchanged
    y.retain_grad()
    z.retain_grad()
    pt.sum(z).backward()
    y.grad.zero_()
    np.testing.assert_array_equal(_np(z.grad), [1.0, 1.0])
    np.testing.assert_array_equal(_np(x.grad), [2.0, 2.0])


def test_hooks_run_once_on_the_total_gradient_as_in_pytorch() -> None:
    # torch 2.13: y's hook sees [2, 2] once, x's hook [11, 11] once
    seen: list[tuple[str, list[float]]] = []
    x = pt.ones(2, requires_grad=True)
    x.register_hook(lambda g: seen.append(("x", _np(g).tolist())))
    y = x * 2
    y.register_hook(lambda g: seen.append(("y", _np(g).tolist())))
    pt.sum(x * 3 + x * 4 + y + y).backward()
    assert seen == [("y", [2.0, 2.0]), ("x", [11.0, 11.0])]
    np.testing.assert_array_equal(_np(x.grad), [11.0, 11.0])


def test_a_hook_on_an_output_of_a_multi_output_op_sees_its_total() -> None:
    x = pt.asarray([[3.0, 1.0], [2.0, 4.0]], requires_grad=True)
    _, r = pt.linalg.qr(x)
    seen = []
    r.register_hook(lambda g: seen.append(_np(g)))
    pt.sum(r * 2 + r).backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], np.full((2, 2), 3.0))


def test_each_node_runs_once_however_many_paths_reach_it() -> None:
    calls = []

    class Counted(pt.autograd.Function):
        @staticmethod
        def forward(ctx, x):  # type: ignore[no-untyped-def]
            return x * 1.0

        @staticmethod
        def backward(ctx, g):  # type: ignore[no-untyped-def]
            calls.append(_np(g))
            return g

    x = pt.ones(2, requires_grad=True)
    y = Counted.apply(x)
    z = y
    for _ in range(5):  # a diamond five times over: y reaches the loss by 32 paths
        z = z * 1.0 + z * 1.0
    pt.sum(z).backward()
    assert len(calls) == 1
    np.testing.assert_array_equal(calls[0], [32.0, 32.0])


def test_a_fresh_gradient_becomes_grad_without_a_copy() -> None:
    # 8 MB of float64: the multiply rule's result is the gradient; copying it would double
    # the memory backward allocates
    w = pt.zeros(1_000_000, dtype=pt.float64, requires_grad=True)
    loss = pt.sum(w * 2.0)
    tracemalloc.start()
    try:
        loss.backward()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 8_000_000 <= peak < 12_000_000, peak
    np.testing.assert_array_equal(_np(w.grad)[:3], [2.0, 2.0, 2.0])
    w.grad.zero_()  # and it is writable


def test_hooks_before_an_in_place_op_see_the_old_values_gradient_as_in_pytorch() -> None:
    # torch 2.13: [('after', [3.0, 3.0]), [15.0, 15.0]], x.grad [30, 30]
    seen: list[Any] = []
    x = pt.ones(2, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: seen.append(_np(g).tolist()))
    y *= 5
    y.register_hook(lambda g: seen.append(("after", _np(g).tolist())))
    pt.sum(y * 3).backward()
    assert seen == [("after", [3.0, 3.0]), [15.0, 15.0]]
    np.testing.assert_array_equal(_np(x.grad), [30.0, 30.0])


def test_retain_grad_follows_a_tensor_through_an_in_place_op() -> None:
    x = pt.ones(2, requires_grad=True)
    z = x * 1.0
    z.retain_grad()
    z *= 2
    pt.sum(z).backward()
    np.testing.assert_array_equal(_np(z.grad), [1.0, 1.0])
    np.testing.assert_array_equal(_np(x.grad), [2.0, 2.0])


def _graphs(x: pt.Tensor, w: pt.Tensor) -> list[pt.Tensor]:
    """Graph shapes the engine orders differently: a chain, a diamond, a chain into and out of
    a multi-output op, and a fan-in of three chains of different lengths."""
    chain = x
    for _ in range(5):
        chain = pt.sin(chain * w) + x
    a = pt.exp(x * 0.5)
    diamond = a * pt.cos(a) + a * a
    parts = pt.unstack(pt.tanh(x * w))
    multi = parts[0] * parts[1] + pt.sin(parts[2]) * x[0]
    fan = pt.sin(x) + pt.exp(pt.cos(x * w)) + pt.tanh(pt.sin(pt.exp(x * 0.1)))
    return [chain.sum(), diamond.sum(), multi, fan.sum()]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_fast_path_orders_nodes_as_the_rules_do(backend: str) -> None:
    """Backward takes the chain's next node outside its heap; gradients through chains,
    diamonds, multi-output ops and fan-ins are the same with the fast forms as with the rules
    alone (which always use the heap)."""
    pytest.importorskip(backend)
    from polytensor.autograd import _engine

    grads = {}
    for fast in (True, False):
        before = _engine.FAST_RULES
        _engine.FAST_RULES = fast
        try:
            with pt.use_backend(backend):
                x = pt.asarray([0.3, -0.7, 1.1], requires_grad=True)
                w = pt.asarray([0.9, 1.3, -0.4], requires_grad=True)
                got = []
                for out in _graphs(x, w):
                    out.backward()
                    got.append(
                        tuple(np.zeros(3) if v.grad is None else _np(v.grad) for v in (x, w))
                    )
                    x.grad = None
                    w.grad = None
        finally:
            _engine.FAST_RULES = before
        grads[fast] = got
    for (gx, gw), (rx, rw) in zip(grads[True], grads[False], strict=True):
        np.testing.assert_allclose(gx, rx, rtol=1e-12)
        np.testing.assert_allclose(gw, rw, rtol=1e-12)


@pytest.mark.parametrize("outputs", [1, 2])
def test_a_function_of_tensors_of_two_backends_gives_each_its_own_backends_gradient(
    outputs: int,
) -> None:
    """A custom Function may take tensors of several backends: each input's gradient, and
    the checks, are on that input's backend; an input whose gradient backward() returned as
    None gets none (PyTorch's undefined gradient)."""

    for b_gets_one in (True, False):

        class F(pt.autograd.Function):
            @staticmethod
            def forward(ctx: Any, a: Any, b: Any) -> Any:
                y = a.to("dask") * 2
                return y if outputs == 1 else (y, y * 3)

            @staticmethod
            def backward(ctx: Any, g: Any, *rest: Any, gets: bool = b_gets_one) -> Any:
                return g.to("numpy") * 2, (g * 3 if gets else None)

        x = pt.asarray([1.0, 2.0], requires_grad=True)
        b = pt.asarray([1.0, 1.0], device="dask", requires_grad=True)
        y = F.apply(x, b)
        (y if outputs == 1 else y[0]).sum().backward()
        assert x.grad.device == x.device and x.grad.tolist() == [2.0, 2.0]
        if b_gets_one:
            assert b.grad.device == b.device and b.grad.tolist() == [3.0, 3.0]
        else:
            assert b.grad is None


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_cotangents_that_are_views_add_up_under_create_graph(backend: str) -> None:
    """Under ``create_graph`` a cotangent may be a view (a piece of ``cat``'s gradient): one
    that meets another at a leaf is added as the tensor it is, not wrapped again as though it
    were an array (array-api-strict then saw two devices)."""
    torch = pytest.importorskip("torch")

    def program(lib: Any) -> list[Any]:
        x = lib.tensor([[0.5, 1.5, 0.3], [2.0, 0.7, 1.1]], requires_grad=True)
        y = lib.cat([x * 2, x, x * x], dim=0) ** 2
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        return [np.round(g.detach().numpy(), 4).tolist(), np.round(h.numpy(), 4).tolist()]

    want = program(torch)
    with pt.use_backend(backend):
        assert program(pt) == want


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_leaves_fed_by_one_cotangent_under_create_graph_get_grads_of_their_own(
    backend: str,
) -> None:
    """``((a + b) * c).sum().backward(create_graph=True)``: ``a`` and ``b`` get one cotangent;
    each ``.grad`` is a tensor of its own (a copy, still differentiable), as PyTorch's, so that
    ``a.grad.zero_()`` leaves ``b.grad`` as it is."""
    with pt.use_backend(backend):
        a, b, c = (pt.asarray(v, requires_grad=True) for v in ([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]))
        ((a + b) * c).sum().backward(create_graph=True)
        assert a.grad is not b.grad and b.grad.requires_grad
        with pt.no_grad():
            a.grad.zero_()
        assert b.grad.tolist() == [5.0, 6.0] and a.grad.tolist() == [0.0, 0.0]
        b.grad.sum().backward()
        assert c.grad.tolist() == [5.0, 7.0]  # a + b, then 1 from b.grad = c


def _none_for_x(lib: Any) -> Any:
    """A Function of (x, y) whose backward gives x no gradient (None), in ``lib``."""

    class NoneForX(lib.autograd.Function):  # type: ignore[name-defined,misc]
        @staticmethod
        def forward(ctx: Any, x: Any, y: Any) -> Any:
            return x * 2 + y

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return None, g

    return NoneForX


def _none_programs(lib: Any, ones: Any) -> list[Any]:
    """x's and y's .grad (None or values) in programs around NoneForX, and what ran."""
    f = _none_for_x(lib).apply
    got: list[Any] = []
    for program in range(3):
        x, y = ones(), ones()
        if program == 0:
            f(x, y).sum().backward()
        elif program == 1:  # x also used directly: that gradient alone
            (f(x, y) + x).sum().backward()
        else:  # x reaching the Function through another op
            f(x * 3, y).sum().backward()
        got.append(None if x.grad is None else np.asarray(x.grad.tolist()))
        got.append(np.asarray(y.grad.tolist()))
    # a Function upstream of the None runs with zeros (PyTorch materializes them), with an op
    # between or not; its own backward's result flows on
    ran: list[str] = []

    class Double(lib.autograd.Function):  # type: ignore[name-defined,misc]
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            ran.append("Double")
            return g * 2 + 1

    for between in (False, True):
        x, y = ones(), ones()
        d = Double.apply(x)
        f(d * 3 if between else d, y).sum().backward()
        got.append(np.asarray(x.grad.tolist()))
    got.append(list(ran))
    # an op of several outputs that gets only the None passes it on (no zeros through eigh's
    # rule); a Function's output reached only through it has no retained grad, and is unused
    x, y = ones(), ones()
    w, _ = lib.linalg.eigh(lib.eye(2, dtype=x.dtype) * x * 2)
    f(w, y).sum().backward()
    got.append(x.grad)
    x, y = ones(), ones()
    d = Double.apply(x)
    d.retain_grad()
    out = f(d, y).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        lib.autograd.grad(out, [d], retain_graph=True)
    out.backward()
    got += [d.grad, np.asarray(x.grad.tolist())]
    x, y = ones(), ones()
    gx, gy = lib.autograd.grad(f(x, y).sum(), [x, y], allow_unused=True)
    got += [gx, np.asarray(gy.tolist())]
    x, y = ones(), ones()
    with pytest.raises(RuntimeError, match="allow_unused"):
        lib.autograd.grad(f(x, y).sum(), [x])
    return got


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_function_s_none_gradient_leaves_grad_none_as_pytorch(backend: str) -> None:
    # Function.backward returning None for an input: no gradient along that edge (a leaf
    # reached only that way keeps .grad None), not zeros; compared with torch
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    expected = _none_programs(torch, lambda: torch.ones(2, dtype=torch.float64, requires_grad=True))
    with pt.use_backend(backend):
        got = _none_programs(pt, lambda: pt.ones(2, dtype=pt.float64, requires_grad=True))
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        if e is None or g is None:
            assert g is None and e is None
        elif isinstance(e, list):
            assert g == e
        else:
            np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hooks_on_a_path_of_a_function_s_none_get_none_as_pytorch(backend: str) -> None:
    # hooks of tensors reached only through a Function's None get None (PyTorch's undefined
    # gradient), and one that returns a gradient for it is refused, as PyTorch refuses it
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)

    def program(lib: Any, replace: bool) -> list[Any]:
        f = _none_for_x(lib).apply
        seen: list[Any] = []
        x = lib.ones(2, dtype=lib.float64, requires_grad=True)
        y = lib.ones(2, dtype=lib.float64, requires_grad=True)
        x.register_hook(lambda g: seen.append(("x", g)))
        k = x * 3
        k.register_hook(lambda g: seen.append(("k", g)) or (lib.ones(2) if replace else None))
        h = y * 3
        h.register_hook(lambda g: seen.append(("h", None if g is None else g.tolist())))
        f(k, h).sum().backward()
        return sorted(seen, key=lambda e: e[0])

    assert program(torch, False) == [("h", [1.0, 1.0]), ("k", None), ("x", None)]
    with pytest.raises(RuntimeError, match="None"):
        program(torch, True)
    with pt.use_backend(backend):
        assert program(pt, False) == program(torch, False)
        with pytest.raises(RuntimeError, match="cannot replace a None gradient"):
            program(pt, True)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph:UserWarning")
@pytest.mark.parametrize("backend", BACKENDS)
def test_hooks_and_retained_grads_run_once_through_a_composite_rule(backend: str) -> None:
    # tensordot's gradient is a backward through its definition (a Composite rule): under
    # create_graph that inner pass runs on the op's inputs themselves, and ran their hooks and
    # retained grads a second time (a.grad and k.grad doubled); compared with torch
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)

    def program(lib: Any, create_graph: bool) -> list[Any]:
        calls: list[str] = []
        a = lib.ones((2, 2), dtype=lib.float64, requires_grad=True)
        b = lib.ones((2, 2), dtype=lib.float64, requires_grad=True)
        a.register_hook(lambda g: calls.append("a") or g * 2)
        k = b * 3
        k.retain_grad()
        k.register_hook(lambda g: calls.append("k") or None)
        y = lib.tensordot(a, k, dims=1) if lib is torch else pt.tensordot(a, k, axes=1)
        y.sum().backward(create_graph=create_graph)
        return [sorted(calls), a.grad.tolist(), k.grad.tolist(), b.grad.tolist()]

    for create_graph in (False, True):
        want = program(torch, create_graph)
        with pt.use_backend(backend):
            assert program(pt, create_graph) == want


@pytest.mark.parametrize("backend", BACKENDS)
def test_hooks_of_an_unused_output_of_several_get_none_as_pytorch(backend: str) -> None:
    # an output of a node of several outputs (unstack, eigh, a Function's) that got no
    # gradient while the node ran: its hooks get None, as PyTorch's (they were not called)
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)

    def program(lib: Any) -> list[Any]:
        seen: list[Any] = []

        def note(name: str) -> Any:
            return lambda g: seen.append((name, None if g is None else g.tolist()))

        x = lib.ones(2, dtype=lib.float64, requires_grad=True)
        a, b = lib.unbind(x * 1, 0) if lib is torch else pt.unstack(x * 1, axis=0)
        a.register_hook(note("a"))
        b.register_hook(note("b"))
        (a * 2).sum().backward()
        m = lib.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=lib.float64, requires_grad=True)
        w, v = lib.linalg.eigh(m)
        v.register_hook(note("v"))
        w.sum().backward()

        class Two(lib.autograd.Function):  # type: ignore[name-defined,misc]
            @staticmethod
            def forward(ctx: Any, y: Any) -> Any:
                return y * 2, y * 3

            @staticmethod
            def backward(ctx: Any, ga: Any, gb: Any) -> Any:
                return ga * 2 + gb * 3

        y = lib.ones(2, dtype=lib.float64, requires_grad=True)
        p, q = Two.apply(y)
        q.register_hook(note("q"))
        p.sum().backward()
        return [seen, x.grad.tolist(), y.grad.tolist()]

    want = program(torch)
    with pt.use_backend(backend):
        assert program(pt) == want


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph:UserWarning")
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_hook_keeps_the_gradient_differentiable_under_create_graph(backend: str) -> None:
    # under create_graph a hook's gradient (its own, or what it returns) stays in the graph:
    # a second derivative through it, as PyTorch's (it came back without grad and the
    # second grad() raised)
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)

    def program(lib: Any) -> list[Any]:
        out: list[Any] = []
        for where in ("leaf", "nonleaf"):
            for hook in (lambda g: None, lambda g: g * 2):
                x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
                if where == "leaf":
                    x.register_hook(hook)
                k = x * 3
                if where == "nonleaf":
                    k.register_hook(hook)
                (g,) = lib.autograd.grad((k * k * k).sum(), [x], create_graph=True)
                (h,) = lib.autograd.grad(g.sum(), [x])
                out += [g.requires_grad, g.tolist(), h.tolist()]
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        x.register_hook(lambda g: g * 2)
        (x * x * x).sum().backward(create_graph=True)
        out += [x.grad.requires_grad, x.grad.tolist()]
        return out

    want = program(torch)
    with pt.use_backend(backend):
        assert program(pt) == want
