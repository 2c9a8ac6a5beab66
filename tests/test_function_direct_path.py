"""A custom ``Function``'s node with nothing special asked (no hooks or retained grad on its
output, no ``inputs=``, no ``create_graph``) runs its ``backward`` directly, without the
general path's input tensors: same gradients, checks and errors as the general path
(``FAST_RULES = False``) and as PyTorch, on every backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import _methods
from polytensor.autograd import _engine

BACKENDS = ["numpy", "dask", "array_api_strict"]


def _functions(lib: Any) -> dict[str, Any]:
    """Functions whose backward returns what the engine must take as it is, or fit."""

    class MyReLU(lib.autograd.Function):  # the tutorials'
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            gi = g.clone()
            gi[x < 0] = 0
            return gi

    class Broadcast(lib.autograd.Function):  # a gradient of the output's shape: summed
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * lib.ones((2, 3), dtype=x.dtype)

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 3

    class Narrow(lib.autograd.Function):  # a float32 gradient of a float64 input: cast
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return (2 * x * g).to(lib.float32)

    class Pair(lib.autograd.Function):  # two inputs: one gets None, one needs no gradient
        @staticmethod
        def forward(ctx: Any, a: Any, b: Any, c: Any) -> Any:
            ctx.save_for_backward(a, b)
            return a * b + c

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            a, b = ctx.saved_tensors
            return g * b, None, g * a

    return {"myrelu": MyReLU, "broadcast": Broadcast, "narrow": Narrow, "pair": Pair}


def _program(lib: Any, name: str) -> list[Any]:
    """The gradients of the leaves through Function ``name``, as NumPy arrays (None where
    there is none)."""
    rng = np.random.default_rng(3)
    x = lib.tensor(rng.standard_normal(3), dtype=lib.float64, requires_grad=True)
    b = lib.tensor(rng.standard_normal(3), dtype=lib.float64, requires_grad=True)
    c = lib.tensor(rng.standard_normal(3), dtype=lib.float64)
    f = _functions(lib)[name].apply
    h = x * 1.5  # (an op before the Function: the cotangent it gets is the engine's own)
    y = f(h, b, c) if name == "pair" else f(h)
    w = lib.tensor(rng.standard_normal(tuple(y.shape)), dtype=lib.float64)
    (y * w).sum().backward()
    to_numpy = (lambda g: g.to("numpy").numpy()) if lib is pt else (lambda g: g.numpy())
    return [None if t.grad is None else np.asarray(to_numpy(t.grad)) for t in (x, b)]


@contextmanager
def _fast_rules(on: bool) -> Iterator[None]:
    before = _engine.FAST_RULES
    _engine.FAST_RULES = on
    try:
        yield
    finally:
        _engine.FAST_RULES = before


def _general_path_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The nodes that take the general path (``_run_rules``) from now on."""
    calls: list[Any] = []
    run_rules = _engine._run_rules

    def counted(node: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(node)
        return run_rules(node, *args, **kwargs)

    monkeypatch.setattr(_engine, "_run_rules", counted)
    return calls


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["myrelu", "broadcast", "narrow", "pair"])
def test_a_function_s_gradients_are_the_general_path_s_and_torch_s(backend: str, name: str) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    expected = _program(torch, name)
    with pt.use_backend(backend):
        direct = _program(pt, name)
        with _fast_rules(False):
            general = _program(pt, name)
    for d, g, e in zip(direct, general, expected, strict=True):
        if e is None:
            assert d is None and g is None
            continue
        assert d.dtype == g.dtype == e.dtype and d.shape == g.shape == e.shape
        np.testing.assert_array_equal(d, g)
        np.testing.assert_allclose(d, e, rtol=1e-13)


def test_the_tutorials_step_with_a_custom_function_takes_no_general_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _general_path_calls(monkeypatch)
    got = _program(pt, "myrelu")
    assert calls == []
    with _fast_rules(False):
        again = _program(pt, "myrelu")
    assert all(np.array_equal(a, b) for a, b in zip(again, got, strict=True))
    assert calls  # (the general path, for comparison)


def _special(lib: Any, how: str) -> list[Any]:
    """MyReLU's gradient with something special asked of its node: its output's hook or
    retained grad, inputs=, create_graph."""
    x = lib.tensor([-1.0, 2.0, 0.5], dtype=lib.float64, requires_grad=True)
    y = _functions(lib)["myrelu"].apply(x * 2)
    seen: list[Any] = []
    if how == "hook":
        y.register_hook(lambda g: g * 10)
    elif how == "retain_grad":
        y.retain_grad()
    loss = (y * y).sum()
    if how == "inputs":
        loss.backward(inputs=[x])
    elif how == "create_graph":
        (g,) = lib.autograd.grad(loss, [x], create_graph=True)
        seen.append(g.detach().tolist())
        g.sum().backward()
    else:
        loss.backward()
    if how == "retain_grad":
        seen.append(y.grad.tolist())
    return [*seen, x.grad.tolist()]


@pytest.mark.parametrize("how", ["hook", "retain_grad", "inputs", "create_graph"])
def test_a_function_s_node_takes_the_general_path_when_something_special_is_asked(
    how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch = pytest.importorskip("torch")
    calls = _general_path_calls(monkeypatch)
    assert _special(pt, how) == _special(torch, how)
    assert any(type(n.op).__name__ == "_FunctionOp" for n in calls)


def _changed_in_place(lib: Any, what: str, fast: bool) -> str:
    """What backward says after forward's saved tensor, or an input it did not save, was
    changed in place: the error's first words, or 'ok'."""

    class Twice(lib.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            if what == "saved":
                ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            if what == "saved":
                ctx.saved_tensors  # noqa: B018 - the check is what is tested
            return g * 2

    x = lib.ones(3, dtype=lib.float64, requires_grad=True)
    h = x * 1.0
    y = Twice.apply(h)
    with lib.no_grad():
        h.add_(1)
    try:
        with _fast_rules(fast):
            y.sum().backward()
    except RuntimeError as e:
        return " ".join(str(e).split()[:4])
    return "ok"


@pytest.mark.parametrize("what", ["saved", "unsaved"])
def test_an_in_place_change_is_refused_alike_on_the_direct_path(what: str) -> None:
    torch = pytest.importorskip("torch")
    direct = _changed_in_place(pt, what, True)
    assert direct == _changed_in_place(pt, what, False)
    assert direct.startswith("one of the")
    if what == "saved":  # (PyTorch checks the saved tensors alone)
        assert _changed_in_place(torch, what, True) == "one of the variables"


@pytest.mark.parametrize("fast", [True, False])
def test_a_wrong_number_of_gradients_is_refused_on_either_path(fast: bool) -> None:
    class Two(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g, g

    y = Two.apply(pt.ones(2, requires_grad=True) * 1.0)
    with _fast_rules(fast), pytest.raises(RuntimeError, match="returned 2 gradients"):
        y.sum().backward()


@pytest.mark.parametrize("backend", BACKENDS)
def test_clone_with_nothing_to_record_copies_without_the_table_function(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        x = pt.asarray([1.0, -2.0], requires_grad=True)
        r = x.clone()  # (recorded: the table's function, its gradient)
        r.sum().backward()
        assert x.grad.tolist() == [1.0, 1.0] and r.grad_fn is not None

        def fail(*args: Any) -> Any:
            raise AssertionError("clone() took the table's function with nothing to record")

        monkeypatch.setattr(_methods, "_copy", fail)
        plain = pt.asarray([3.0, 4.0])
        copies: list[Callable[[], Any]] = [plain.clone]
        with pt.no_grad():
            copies.append(x.clone)
            got = [c() for c in copies]
    for c, src in zip(got, (plain, x), strict=True):
        assert c.grad_fn is None and not c.requires_grad and c.tolist() == src.tolist()
    if backend == "numpy":  # (memory of its own)
        got[0][0] = 7.0
        assert plain.tolist() == [3.0, 4.0]
