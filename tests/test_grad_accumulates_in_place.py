"""Backward adds a later gradient into the ``.grad`` that is there, in place, as PyTorch does:
the ``.grad`` stays the same tensor, so whoever holds it (``g = w.grad``; the tensor assigned
to ``w.grad``; a view of it) sees the sum, and its version counts the change (an op that
saved the old value refuses to differentiate). A ``.grad`` that ``zero_()`` cleared, which
nothing else can see, takes the new gradient's data without a pass over memory. The figures
were checked against torch 2.13 (``test_the_same_program_in_torch_gives_the_same_values``
runs them when torch is installed)."""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]


def _version(t: Any) -> int:
    m = t._meta
    return 0 if m is None else int(m.version)


def _w(backend: str) -> Any:
    return pt.asarray([1.0, 2.0, 3.0], device=backend, requires_grad=True)


def _held_grad_program(lib: Any, w: Any) -> list[list[float]]:
    """The values a held ``.grad`` shows through zero_() and two more backward passes."""
    (w * 2).sum().backward()
    g = w.grad
    seen = [g.tolist()]
    with lib.no_grad():
        g.zero_()
    (w * 3).sum().backward()
    seen.append(g.tolist())
    (w * w).sum().backward()  # no zero_(): added to what is there
    seen.append(g.tolist())
    seen.append([float(g is w.grad)] * 3)
    return seen


HELD_GRAD_VALUES = [[2.0, 2.0, 2.0], [3.0, 3.0, 3.0], [5.0, 7.0, 9.0], [1.0, 1.0, 1.0]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_held_grad_sees_the_gradients_that_backward_adds(backend: str) -> None:
    assert _held_grad_program(pt, _w(backend)) == HELD_GRAD_VALUES


def test_the_same_program_in_torch_gives_the_same_values() -> None:
    torch = pytest.importorskip("torch")
    w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert _held_grad_program(torch, w) == HELD_GRAD_VALUES


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_assigned_grad_is_the_one_backward_adds_into(backend: str) -> None:
    w = _w(backend)
    t = pt.asarray([10.0, 10.0, 10.0], device=backend)
    w.grad = t
    (w * 2).sum().backward()
    assert w.grad is t
    assert t.tolist() == [12.0, 12.0, 12.0]


def test_a_view_of_a_zeroed_grad_sees_the_new_gradient() -> None:
    # the zeroed data is seen by the view: it is added into, not replaced
    w = _w("numpy")
    (w * 2).sum().backward()
    g = w.grad
    first = g[0:2]
    with pt.no_grad():
        g.zero_()
    (w * 3).sum().backward()
    assert first.tolist() == [3.0, 3.0]
    assert g.tolist() == [3.0, 3.0, 3.0]


def test_a_zeroed_grad_nothing_else_sees_takes_the_gradients_memory() -> None:
    # the tutorials' update: after zero_(), backward writes no pass over the zeros
    w = pt.asarray(np.ones((4, 3)), requires_grad=True)
    x = pt.asarray(np.arange(12.0).reshape(4, 3))
    (w * x).sum().backward()
    g = w.grad
    with pt.no_grad():
        g.zero_()
    zeros = weakref.ref(g._data)  # (a reference would be a holder: the data is added into)
    (w * x).sum().backward()
    assert w.grad is g
    assert zeros() is None  # the zeros were let go, not written
    np.testing.assert_array_equal(g.numpy(), np.arange(12.0).reshape(4, 3))


@pytest.mark.parametrize("backend", ["numpy", "array_api_strict"])
def test_an_op_that_saved_a_grad_refuses_after_backward_changed_it(backend: str) -> None:
    w = _w(backend)
    (w * 2).sum().backward()
    a = pt.asarray([1.0, 1.0, 1.0], device=backend, requires_grad=True)
    z = (a * w.grad).sum()  # the product keeps w.grad's memory for a's gradient
    (w * 3).sum().backward()  # w.grad becomes 5s in place
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.backward()


def test_on_dask_an_op_that_saved_a_grad_keeps_the_value_it_used() -> None:
    # Dask's arrays are immutable: the .grad takes new data, the product keeps its own
    w = _w("dask")
    (w * 2).sum().backward()
    a = pt.asarray([1.0, 1.0, 1.0], device="dask", requires_grad=True)
    z = (a * w.grad).sum()
    (w * 3).sum().backward()
    assert w.grad.tolist() == [5.0, 5.0, 5.0]
    z.backward()
    assert a.grad.tolist() == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_version_of_a_grad_counts_each_addition(backend: str) -> None:
    w = _w(backend)
    (w * 2).sum().backward()
    g = w.grad
    before = _version(g)
    (w * 2).sum().backward()
    (w * 2).sum().backward()
    assert _version(g) == before + 2
    assert g.tolist() == [6.0, 6.0, 6.0]


def test_a_read_only_assigned_grad_is_added_out_of_place() -> None:
    # NumPy cannot write a broadcast view: the sum becomes a new .grad, the view is untouched
    w = _w("numpy")
    ro = np.broadcast_to(np.float32(1.0), (3,))
    w.grad = pt.asarray(ro)
    (w * 2).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0, 3.0]
    assert ro.tolist() == [1.0, 1.0, 1.0]


def test_create_graph_gives_a_new_recorded_grad_as_pytorch_does() -> None:
    w = _w("numpy")
    (w * w).sum().backward(create_graph=True)
    g = w.grad
    (w * w).sum().backward(create_graph=True)
    assert w.grad is not g and w.grad.grad_fn is not None
    assert g.tolist() == [2.0, 4.0, 6.0]
    assert w.grad.tolist() == [4.0, 8.0, 12.0]


def test_a_zeroed_grad_adopts_the_gradient_without_copying_it() -> None:
    # the gradient a custom Function returns, held by nothing else, becomes the .grad's data
    made: list[Any] = []

    class Twice(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            out = g * 2
            made.append(weakref.ref(out._data))
            return out

    w = pt.asarray(np.ones((4, 3)), requires_grad=True)
    Twice.apply(w).sum().backward()
    g = w.grad
    with pt.no_grad():
        g.zero_()
    Twice.apply(w).sum().backward()
    assert w.grad is g
    assert made[-1]() is g._data  # adopted, not copied
    np.testing.assert_array_equal(g.numpy(), np.full((4, 3), 2.0))


def _retained_program(lib: Any) -> list[Any]:
    """What a held retained grad shows through a second backward, with and without zero_()."""
    seen: list[Any] = []
    for zero in (False, True):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        y.retain_grad()
        (y * 3).sum().backward(retain_graph=True)
        g = y.grad
        if zero:
            with lib.no_grad():
                g.zero_()
        (y * 3).sum().backward()
        seen += [g.tolist(), y.grad.tolist(), g is y.grad]
    return seen


RETAINED_VALUES = [[3.0] * 3, [6.0] * 3, False, [0.0] * 3, [3.0] * 3, False]


def test_a_retained_grad_becomes_a_new_tensor_as_pytorch_s_does() -> None:
    assert _retained_program(pt) == RETAINED_VALUES


def test_the_retained_grad_program_in_torch_gives_the_same_values() -> None:
    torch = pytest.importorskip("torch")
    assert _retained_program(torch) == RETAINED_VALUES
