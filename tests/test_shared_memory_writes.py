"""Writes into memory that a recorded op read, made through another tensor that shares it (a
view, ``detach()``, ``.data``, the base of a view): backward raises rather than differentiate
with the changed values (``_tape.note_write``, ``_tape.written_since``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import _tape

# the backends whose arrays are written in place (Dask's are rebound: nothing read changes)
MUTABLE = ["numpy", "array_api_strict"]

SHARES = "shares its memory with a tensor"


@pytest.fixture(params=MUTABLE)
def backend(request: Any) -> Any:
    name: str = request.param
    pytest.importorskip(name)
    with pt.use_backend(name):
        yield name


def _x(backend: str, n: int = 8) -> Any:
    return pt.asarray(np.linspace(-1.0, 1.0, n))


def _w(backend: str, n: int = 8) -> Any:
    return pt.ones(n, dtype=pt.float64, requires_grad=True)


def _np(t: Any) -> Any:
    return np.asarray(t.detach().numpy())


def test_a_write_through_a_view_of_a_saved_input_raises(backend: str) -> None:
    x, w = _x(backend), _w(backend)
    y = (w * x).sum()
    v = x[:4]
    v[v < 0] = 0  # writes x's memory: w's gradient is x, as mul() read it
    with pytest.raises(RuntimeError, match=rf"multiply\(\) {SHARES}"):
        y.backward()


def test_a_write_through_the_base_of_a_saved_view_raises(backend: str) -> None:
    x, w = _x(backend), _w(backend, 4)
    y = (w * x[2:6]).sum()
    x[3] = 100.0  # the view mul() read sees it
    with pytest.raises(RuntimeError, match=SHARES):
        y.backward()


def test_a_write_through_detach_of_a_saved_output_raises(backend: str) -> None:
    x, w = _x(backend), _w(backend)
    r = pt.relu(x * w)
    d = r.detach()
    d[d > 0] = 0  # relu's gradient reads its output
    with pytest.raises(RuntimeError, match=rf"output of relu\(\).*{SHARES}"):
        r.sum().backward()


def test_a_write_through_data_of_a_saved_input_raises(backend: str) -> None:
    x, w = _x(backend), _w(backend)
    h = x * 2.0
    y = (w * h).sum()
    h.data[0] = 100.0
    with pytest.raises(RuntimeError, match=SHARES):
        y.backward()


def test_a_write_into_the_old_value_of_a_rebound_input_raises(backend: str) -> None:
    x, w, u = _x(backend), _w(backend), _w(backend)
    h = w * 2.0
    keep = h.detach()  # shares the memory h holds now
    y = (h * u).sum()  # mul() reads h's value for u's gradient
    h.mul_(3.0)  # recorded: h is rebound, mul() keeps the value it read
    keep[0] = 100.0  # ... which this writes
    with pytest.raises(RuntimeError, match=SHARES):
        y.backward()
    del x


def test_a_function_whose_saved_tensor_is_written_through_a_view_raises(backend: str) -> None:
    x, w = _x(backend), _w(backend)

    class Scale(pt.autograd.Function):  # x: saved, but not an input of the recorded op
        @staticmethod
        def forward(ctx: Any, w: Any) -> Any:
            ctx.save_for_backward(x)
            return w * x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (saved,) = ctx.saved_tensors
            return g * saved

    y = Scale.apply(w).sum()
    x[:2][0] = 100.0
    with pytest.raises(RuntimeError, match=rf"Scale.forward\(\).*{SHARES}"):
        y.backward()


def test_writes_that_change_nothing_a_rule_reads_are_allowed(backend: str) -> None:
    x, w = _x(backend), _w(backend)
    y = (w + x).sum()  # add's rules read no values
    x[:4][0] = 100.0
    y.backward()
    np.testing.assert_array_equal(_np(w.grad), np.ones(8))


def test_writes_to_other_memory_or_after_backward_are_allowed(backend: str) -> None:
    x, w = _x(backend), _w(backend)
    other = _x(backend)
    y = (w * x).sum()
    other[:4][0] = 100.0  # other memory
    y.backward()
    x[:4][0] = 100.0  # after backward: the next step's values
    with pt.no_grad():
        w -= 0.1 * w.grad
    w.grad = None
    (w * x).sum().backward()
    np.testing.assert_array_equal(_np(w.grad), _np(x))


def test_a_function_backward_writing_into_its_own_clone_keeps_the_fast_backward() -> None:
    class MyReLU(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            gi = g.clone()
            gi[x < 0] = 0  # memory of its own: no recorded op can have read it
            return gi

    x = pt.asarray(np.linspace(-1.0, 1.0, 8), requires_grad=True)
    before = _tape._inplace_count
    MyReLU.apply(x * 1.0).sum().backward()
    assert _tape._inplace_count == before
    np.testing.assert_array_equal(np.asarray(x.grad), (np.linspace(-1.0, 1.0, 8) >= 0) * 1.0)


def test_the_write_log_keeps_only_live_memory() -> None:
    for _ in range(5000):
        a = pt.zeros(3)
        a[:2][0] = 1.0  # each a distinct array, dead at the next iteration
    assert len(_tape._WRITES) <= 2 * _tape._WRITES_LIMIT[0]
    assert len(_tape._WRITES) < 1100


def test_torch_raises_where_polytensor_does() -> None:
    torch = pytest.importorskip("torch")
    x = torch.linspace(-1, 1, 8, dtype=torch.float64)
    w = torch.ones(8, dtype=torch.float64, requires_grad=True)
    y = (w * x).sum()
    v = x[:4]
    v[v < 0] = 0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
