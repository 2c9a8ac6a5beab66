"""Autograd misuse: each mistake raises the error class PyTorch users expect, with a message that
says how to fix it; and the working counterpart of each."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor._ops.elementwise import real as _table_real
from polytensor._ops.manipulation import reshape as _table_reshape
from polytensor._ops.manipulation import unstack as _table_unstack


@pytest.fixture(autouse=True)
def _grad_mode_on_after_each_test() -> Any:
    yield
    if not pt.is_grad_enabled():  # a failed test must not turn autograd off for the next ones
        pt.set_grad_enabled(True)


def _leaf(values: Any = (1.0, 2.0, 3.0)) -> Any:
    return pt.asarray(np.array(values, dtype=np.float64), requires_grad=True)


def _np(t: Any) -> Any:
    return t.detach().numpy()


# -- backward twice ----------------------------------------------------------------------------
def test_second_backward_through_a_freed_graph_names_retain_graph() -> None:
    x = _leaf()
    y = pt.sum(pt.exp(x))
    y.backward()
    with pytest.raises(RuntimeError, match=r"freed graph.*retain_graph=True"):
        y.backward()


def test_second_grad_through_a_freed_graph_names_retain_graph() -> None:
    x = _leaf()
    y = pt.sum(pt.sin(x) * x)
    pt.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        pt.autograd.grad(y, x)


def test_retain_graph_allows_a_second_backward_that_accumulates() -> None:
    x = _leaf()
    y = pt.sum(x * x)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(_np(x.grad), 4 * np.array([1.0, 2.0, 3.0]))


# -- seeds -------------------------------------------------------------------------------------
def test_backward_of_a_non_scalar_without_gradient_says_to_pass_one() -> None:
    x = _leaf()
    with pytest.raises(RuntimeError, match=r"one element.*shape \(3,\).*gradient="):
        (x * 2).backward()


def test_backward_of_a_non_scalar_with_gradient_works() -> None:
    x = _leaf()
    (x * 2).backward(gradient=pt.asarray(np.array([1.0, 0.5, -1.0])))
    np.testing.assert_array_equal(_np(x.grad), [2.0, 1.0, -2.0])


def test_backward_with_a_gradient_of_the_wrong_shape_names_both_shapes() -> None:
    x = _leaf()
    with pytest.raises(RuntimeError, match=r"\(2,\).*\(3,\)"):
        (x * 2).backward(gradient=pt.asarray(np.ones(2)))


def test_backward_of_a_tensor_that_does_not_require_grad_says_how_to_fix() -> None:
    with pytest.raises(RuntimeError, match=r"does not require grad.*requires_grad=True"):
        pt.sum(pt.asarray(np.ones(3))).backward()


# -- who may require grad -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: pt.asarray([1, 2], requires_grad=True),
        lambda: pt.ones(2, dtype=pt.int32, requires_grad=True),
        lambda: pt.asarray([True, False]).requires_grad_(),
        lambda: setattr(pt.arange(3), "requires_grad", True),
    ],
    ids=["asarray int", "ones int32", "bool requires_grad_", "int attribute"],
)
def test_integer_and_boolean_tensors_cannot_require_grad(make: Any) -> None:
    with pytest.raises(RuntimeError, match=r"floating-point and complex.*astype"):
        make()


def test_floating_and_complex_tensors_can_require_grad() -> None:
    assert pt.ones(2, dtype=pt.float32, requires_grad=True).requires_grad
    assert pt.asarray([1j]).requires_grad_().requires_grad
    assert pt.astype(pt.arange(3), pt.float64).requires_grad_().requires_grad


def test_requires_grad_false_on_a_non_leaf_says_to_detach() -> None:
    y = _leaf() * 2
    with pytest.raises(RuntimeError, match=r"non-leaf.*detach\(\)"):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError, match=r"non-leaf.*detach\(\)"):
        y.requires_grad = False


def test_requires_grad_false_on_a_leaf_works() -> None:
    x = _leaf()
    x.requires_grad_(False)
    assert not x.requires_grad and not pt.exp(x).requires_grad


# -- in place --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("where", "update"),
    [
        ("__iadd__", lambda w: w.__iadd__(1.0)),
        ("__imul__", lambda w: w.__imul__(2.0)),
        ("add_", lambda w: w.add_(1.0)),
        ("__setitem__", lambda w: w.__setitem__(0, 5.0)),
    ],
    ids=["+=", "*=", "add_", "setitem"],
)
def test_in_place_on_a_leaf_that_requires_grad_says_to_use_no_grad(where: str, update: Any) -> None:
    w = _leaf()
    with pytest.raises(RuntimeError, match=rf"{where}.*leaf.*requires grad.*pt\.no_grad\(\)"):
        update(w)
    np.testing.assert_array_equal(_np(w), [1.0, 2.0, 3.0])  # unchanged


def test_in_place_on_a_leaf_under_no_grad_works() -> None:
    w = _leaf()
    pt.sum(w * w).backward()
    with pt.no_grad():
        w -= 0.5 * w.grad
        w[0] = 7.0
    assert w.is_leaf and w.requires_grad
    np.testing.assert_array_equal(_np(w), [7.0, 0.0, 0.0])


def test_a_tensor_saved_for_backward_then_overwritten_in_place_names_the_operation() -> None:
    x = _leaf()
    h = x * 1.0
    y = pt.sin(h)  # sin's rule reads its input
    with pt.no_grad():
        h += 1.0  # outside the graph: the memory sin() saved is overwritten
    with pytest.raises(
        RuntimeError,
        match=r"sin\(\).*modified by an in-place operation.*"
        r"version 0.*now 1.*clone\(\)",
    ):
        pt.sum(y).backward()


def test_an_output_saved_for_backward_then_overwritten_in_place_names_its_operation() -> None:
    x = _leaf()
    y = pt.exp(x)  # exp's rule reads its output
    s = pt.sum(y)
    with pt.no_grad():
        y += 1.0
    with pytest.raises(RuntimeError, match=r"exp\(\).*modified by an in-place operation"):
        s.backward()


def test_an_in_place_op_recorded_after_a_use_keeps_the_value_that_use_saw() -> None:
    """Note: with grad on, in-place ops on graph tensors rebind the tensor to new memory, so an
    op that read the old value still differentiates with it (PyTorch raises instead)."""
    x = _leaf()
    h = x * 1.0
    y = pt.sin(h)
    h += 1.0
    pt.sum(y + h).backward()
    np.testing.assert_allclose(_np(x.grad), np.cos(_np(x)) + 1.0)


def test_changing_in_place_a_tensor_no_rule_reads_is_allowed() -> None:
    """As in PyTorch: x * 2 (w.r.t. x) and sum read no values, so h may change afterwards."""
    x = _leaf()
    h = x * 2.0
    s = pt.sum(h)
    h += 1.0
    s.backward()
    np.testing.assert_array_equal(_np(x.grad), [2.0, 2.0, 2.0])


def test_clone_before_changing_in_place_keeps_the_gradient_right() -> None:
    x = _leaf()
    h = x * 1.0
    y = pt.sin(h)
    h2 = h.clone()
    h2 += 1.0
    pt.sum(y + h2).backward()
    np.testing.assert_allclose(_np(x.grad), np.cos([1.0, 2.0, 3.0]) + 1.0)


# -- grad() ----------------------------------------------------------------------------------------
def test_grad_of_an_unused_input_names_allow_unused() -> None:
    a, b = _leaf(), _leaf()
    with pytest.raises(RuntimeError, match=r"not used.*allow_unused=True"):
        pt.autograd.grad(pt.sum(a * 2), [a, b])


def test_grad_of_an_unused_input_with_allow_unused_is_none() -> None:
    a, b = _leaf(), _leaf()
    ga, gb = pt.autograd.grad(pt.sum(a * 2), [a, b], allow_unused=True)
    np.testing.assert_array_equal(_np(ga), [2.0, 2.0, 2.0])
    assert gb is None


def test_grad_of_an_input_that_does_not_require_grad_says_how_to_fix() -> None:
    a = _leaf()
    c = pt.asarray(np.ones(3))
    with pytest.raises(RuntimeError, match=r"does not require grad.*requires_grad=True"):
        pt.autograd.grad(pt.sum(a * c), [c])


def test_grad_returns_and_does_not_accumulate() -> None:
    a = _leaf()
    (g,) = pt.autograd.grad(pt.sum(a * a), a)
    np.testing.assert_array_equal(_np(g), [2.0, 4.0, 6.0])
    assert a.grad is None


def test_create_graph_gives_second_derivatives() -> None:
    x = _leaf()
    y = pt.sum(x**3)
    (g,) = pt.autograd.grad(y, x, create_graph=True)
    assert g.requires_grad
    np.testing.assert_allclose(_np(g), 3 * np.array([1.0, 4.0, 9.0]))
    pt.sum(g).backward()
    np.testing.assert_allclose(_np(x.grad), 6 * np.array([1.0, 2.0, 3.0]))


def test_backward_with_create_graph_gives_a_differentiable_grad() -> None:
    x = _leaf()
    pt.sum(pt.sin(x)).backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    (gg,) = pt.autograd.grad(pt.sum(g), x)
    np.testing.assert_allclose(_np(gg), -np.sin([1.0, 2.0, 3.0]))


# -- custom Function -------------------------------------------------------------------------------
class _Mul(pt.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, y = ctx.saved_tensors
        return g * y, g * x


class _WrongCount(pt.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return x * y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g


def test_function_backward_returning_the_wrong_number_of_gradients_says_one_per_input() -> None:
    a, b = _leaf(), _leaf()
    with pytest.raises(
        RuntimeError,
        match=r"_WrongCount\.backward\(\) returned 1 gradients.*"
        r"2 inputs.*one per input.*None",
    ):
        pt.sum(_WrongCount.apply(a, b)).backward()


def test_function_with_one_gradient_per_input_works() -> None:
    a, b = _leaf(), _leaf((4.0, 5.0, 6.0))
    y = _Mul.apply(a, b)
    assert y.grad_fn is not None and "_MulBackward" in repr(y.grad_fn)
    pt.sum(y).backward()
    np.testing.assert_array_equal(_np(a.grad), [4.0, 5.0, 6.0])
    np.testing.assert_array_equal(_np(b.grad), [1.0, 2.0, 3.0])


def test_function_saved_tensor_changed_in_place_names_the_function() -> None:
    a = _leaf()
    b = _leaf() * 1.0
    y = _Mul.apply(a, b)
    b += 1.0
    with pytest.raises(RuntimeError, match=r"_Mul.*in-place.*clone\(\)"):
        pt.sum(y).backward()


def test_function_is_used_through_apply() -> None:
    with pytest.raises(RuntimeError, match=r"_Mul\.apply"):
        _Mul()


# -- host bridge and gradcheck ---------------------------------------------------------------------
def test_numpy_of_a_tensor_that_requires_grad_says_to_detach() -> None:
    x = _leaf()
    with pytest.raises(RuntimeError, match=r"requires grad.*x\.detach\(\)\.numpy\(\)"):
        x.numpy()
    with pytest.raises(RuntimeError, match=r"detach\(\)"):
        (x * 2).numpy()
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0, 3.0])


def test_gradcheck_of_float32_inputs_says_to_use_float64() -> None:
    x = pt.asarray([0.5, 1.5], dtype=pt.float32, requires_grad=True)
    with pytest.raises(TypeError, match=r"float64.*float32.*astype\(pt\.float64\)"):
        pt.autograd.gradcheck(pt.sin, (x,))


def test_gradcheck_reports_the_worst_element_of_a_wrong_rule() -> None:
    class _Bad(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return g * x  # should be 2 * g * x

    x = _leaf()
    with pytest.raises(
        pt.autograd.GradcheckError,
        match=r"worst element.*analytical.*"
        r"numerical",
    ):
        pt.autograd.gradcheck(_Bad.apply, (x,))
    assert not pt.autograd.gradcheck(_Bad.apply, (x,), raise_exception=False)
    assert pt.autograd.gradcheck(_Mul.apply, (x, _leaf((2.0, 0.5, -1.0))))


def test_gradcheck_needs_an_input_that_requires_grad() -> None:
    with pytest.raises(ValueError, match=r"requires_grad=True"):
        pt.autograd.gradcheck(pt.sin, (pt.asarray(np.ones(2)),))


# -- grad mode -------------------------------------------------------------------------------------
def test_no_grad_enable_grad_and_set_grad_enabled_as_context_managers() -> None:
    x = _leaf()
    with pt.no_grad():
        assert not pt.is_grad_enabled()
        assert not (x * 2).requires_grad
        with pt.enable_grad():
            assert (x * 2).requires_grad
        with pt.set_grad_enabled(True):
            assert (x * 2).requires_grad
    with pt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert pt.is_grad_enabled() and (x * 2).requires_grad


def test_no_grad_and_enable_grad_as_decorators() -> None:
    x = _leaf()

    @pt.no_grad()
    def frozen(t: Any) -> Any:
        return t * 2

    @pt.enable_grad()
    def recorded(t: Any) -> Any:
        return t * 2

    assert not frozen(x).requires_grad
    with pt.no_grad():
        assert recorded(x).requires_grad
    assert pt.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_only_changes_the_calls() -> None:
    x = _leaf()

    @pt.set_grad_enabled(False)
    def frozen(t: Any) -> Any:
        return t * 2

    after_decorating = pt.is_grad_enabled()
    pt.set_grad_enabled(True)  # do not leave the thread without grad if it failed
    assert after_decorating, "decorating with set_grad_enabled(False) disabled grad mode"
    assert not frozen(x).requires_grad
    assert pt.is_grad_enabled()


def test_set_grad_enabled_called_plainly_sets_the_mode() -> None:
    try:
        pt.set_grad_enabled(False)
        assert not pt.is_grad_enabled()
    finally:
        pt.set_grad_enabled(True)
    assert pt.is_grad_enabled()


def test_grad_mode_is_local_to_each_thread() -> None:
    x = _leaf()
    inside, release = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def worker() -> None:
        with pt.no_grad():
            seen["worker enabled"] = pt.is_grad_enabled()
            seen["worker records"] = (x * 2).requires_grad
            inside.set()
            release.wait(10)
        seen["worker after"] = pt.is_grad_enabled()

    t = threading.Thread(target=worker)
    t.start()
    try:
        assert inside.wait(10)
        seen["main enabled"] = pt.is_grad_enabled()
        seen["main records"] = (x * 2).requires_grad
    finally:
        release.set()
        t.join(10)
    assert seen == {
        "worker enabled": False,
        "worker records": False,
        "main enabled": True,
        "main records": True,
        "worker after": True,
    }


def test_a_thread_started_under_no_grad_has_grad_mode_on() -> None:
    """As in PyTorch, grad mode is per thread: a new thread starts with it on."""
    seen = {}

    def worker() -> None:
        seen["enabled"] = pt.is_grad_enabled()

    with pt.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join(10)
    assert seen == {"enabled": True}


# -- hooks, retain_grad, detach --------------------------------------------------------------------
def test_hooks_see_and_replace_gradients_and_can_be_removed() -> None:
    x = _leaf()
    seen = []
    h1 = x.register_hook(lambda g: seen.append(_np(g)))
    h2 = x.register_hook(lambda g: g * 10)
    pt.sum(x * 3).backward()
    np.testing.assert_array_equal(seen[0], [3.0, 3.0, 3.0])
    np.testing.assert_array_equal(_np(x.grad), [30.0, 30.0, 30.0])
    h1.remove()
    h2.remove()
    x.grad = None
    pt.sum(x * 3).backward()
    np.testing.assert_array_equal(_np(x.grad), [3.0, 3.0, 3.0])
    assert len(seen) == 1


def test_hook_on_a_non_leaf_changes_what_flows_back() -> None:
    x = _leaf()
    y = x * 2
    y.register_hook(lambda g: g * 0.5)
    pt.sum(y).backward()
    np.testing.assert_array_equal(_np(x.grad), [1.0, 1.0, 1.0])


def test_register_hook_on_a_tensor_that_does_not_require_grad_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"register_hook.*does not require grad"):
        pt.asarray(np.ones(2)).register_hook(lambda g: g)


def test_retain_grad_keeps_the_gradient_of_a_non_leaf() -> None:
    x = _leaf()
    y = x * 2
    z = y * y
    y.retain_grad()
    pt.sum(z).backward()
    np.testing.assert_array_equal(_np(y.grad), [4.0, 8.0, 12.0])
    with pytest.warns(UserWarning, match="not a leaf Tensor"):  # (as PyTorch warns)
        assert z.grad is None
    with pytest.raises(RuntimeError, match=r"retain_grad.*does not require grad"):
        pt.asarray(np.ones(2)).retain_grad()


def test_detach_shares_data_and_leaves_the_graph() -> None:
    x = _leaf()
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    np.testing.assert_array_equal(d.numpy(), [2.0, 4.0, 6.0])
    pt.sum(d * x).backward()
    np.testing.assert_array_equal(_np(x.grad), [2.0, 4.0, 6.0])  # no path through d


def test_detach_in_place_cuts_the_tensor_from_the_graph() -> None:
    x = _leaf()
    y = x * 2
    assert y.detach_() is y
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None
    with pytest.raises(RuntimeError, match=r"does not require grad"):
        pt.sum(y).backward()


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize("make", ["scalar", "tensor", "general"])
def test_detach_in_place_keeps_the_graph_recorded_before_it(backend: str, make: str) -> None:
    """``y.detach_()`` after ``z = y * 3`` was recorded: z's backward still goes through y's
    node to x, and y gets no ``.grad``, as in PyTorch (x.grad [6, 6, 6]). The edge recorded
    from y is its state before: detach_() gives y a new one rather than change that one."""
    with pt.use_backend(backend):
        x = pt.asarray([1.0, 2.0, 3.0], requires_grad=True)
        w = pt.asarray([2.0, 2.0, 2.0])
        y = {
            "scalar": lambda: x * 2,
            "tensor": lambda: x * w,
            # (a node of the general path: its outputs have states of their own)
            # (the op table's unstack, which makes no view: pt.unstack's slices are views, whose
            # detach_() is refused, as torch's)
            "general": lambda: _table_unstack(pt.stack([x * 2, x]))[0],
        }[make]()
        z = y * 3
        y.add_(0.0)  # (a version to carry on)
        version = y._meta.version
        z = y * 3
        y.detach_()
        assert y.is_leaf and not y.requires_grad and y.grad_fn is None
        assert y._meta.version == version  # (its version counter goes on)
        pt.sum(z).backward()
        np.testing.assert_allclose(_np(x.grad), [6.0, 6.0, 6.0])
        assert y.grad is None
    torch = pytest.importorskip("torch")
    tx = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    ty = tx * 2
    tz = ty * 3
    ty.detach_()
    tz.sum().backward()
    np.testing.assert_allclose(tx.grad.numpy(), _np(x.grad))


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize("grad", [False, True])
def test_detach_in_place_of_a_view_is_refused_as_in_pytorch(backend: str, grad: bool) -> None:
    with pt.use_backend(backend):
        a = pt.ones(3, requires_grad=grad)
        for v in (a[0:2], a.view(3), a.unsqueeze(0)):
            with pytest.raises(RuntimeError, match=r"detach_\(\) of a view.*use v\.detach\(\)"):
                v.detach_()
        assert a.requires_grad is grad
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="Can't detach views in-place"):
        torch.ones(3, requires_grad=grad)[0:2].detach_()


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_detach_in_place_keeps_the_tensors_grad_hooks_and_retain_grad(backend: str) -> None:
    """What PyTorch keeps on the tensor through ``detach_()``: its retained or assigned
    ``.grad``, its hooks (which then run for it as a leaf) and ``retains_grad``."""
    torch = pytest.importorskip("torch")

    def program(lib: Any) -> list[Any]:
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.sum().backward()
        y.detach_()
        retained = y.grad.tolist()
        flags = [y.retains_grad, x.retains_grad]
        x.retain_grad()  # (a leaf: nothing to do)
        flags.append(x.retains_grad)
        w = lib.ones(2, requires_grad=True) * 2
        calls: list[int] = []
        w.register_hook(lambda g: calls.append(1))
        w.detach_()
        w.requires_grad_()
        (w * 2).sum().backward()
        u = lib.ones(2, requires_grad=True) * 2
        u.grad = lib.zeros(2) + 7
        u.detach_()
        return [retained, flags, len(calls), w.grad.tolist(), u.grad.tolist()]

    want = program(torch)
    with pt.use_backend(backend):
        assert program(pt) == want


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_a_grad_retained_before_detach_in_place_reaches_the_tensor(backend: str) -> None:
    """``retain_grad()``, then ``detach_()``: a backward through the graph recorded before
    still gives the tensor its gradient (accumulated), as PyTorch's."""
    torch = pytest.importorskip("torch")

    def program(lib: Any) -> list[Any]:
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        y.retain_grad()
        z = (y * 3).sum()
        z.backward(retain_graph=True)
        y.detach_()
        z.backward()
        u = lib.ones(2, requires_grad=True) * 2
        u.retain_grad()
        s = (u * 3).sum()
        u.detach_()
        s.backward()
        return [y.grad.tolist(), x.grad.tolist(), u.grad.tolist()]

    want = program(torch)
    with pt.use_backend(backend):
        assert program(pt) == want


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_a_rule_that_reads_only_a_shape_gets_the_recorded_one(backend: str) -> None:
    """``h.data = <another shape>`` after ``h[idx]`` was recorded: the gradient has the shape
    recorded (a rule that reads only ``_x.shape`` gets the recorded data), as PyTorch's."""
    with pt.use_backend(backend):
        e = pt.ones(4, 3, requires_grad=True)
        h = e * 1
        y = (h[pt.asarray([0, 2])] * 2).sum()
        with pt.no_grad():
            h.data = pt.zeros(6, 3)
        y.backward()
        assert tuple(e.grad.shape) == (4, 3)
        np.testing.assert_array_equal(_np(e.grad)[:, 0], [2.0, 0.0, 2.0, 0.0])


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_a_put_reads_neither_the_tensor_nor_the_value(backend: str) -> None:
    """``a[0:2] = u`` then ``u`` changed under no_grad: PyTorch's backward works (the rule
    reads neither value)."""
    with pt.use_backend(backend):
        w = pt.asarray([1.0, 2.0, 3.0], requires_grad=True)
        u = pt.asarray([5.0, 6.0], requires_grad=True)
        a = w * 1
        a[0:2] = u
        with pt.no_grad():
            u.add_(1)
        (a * 2).sum().backward()
        np.testing.assert_array_equal(_np(w.grad), [0.0, 0.0, 2.0])
        np.testing.assert_array_equal(_np(u.grad), [2.0, 2.0])


def test_dask_setitem_of_a_constant_a_node_read_keeps_the_recorded_value() -> None:
    """On Dask ``c[0] = 10`` rebinds ``c``; a node that read ``c`` (its rule, on the general
    path: a retained grad) differentiates at the value recorded, and a boolean mask changed
    afterwards still indexes what it indexed."""
    with pt.use_backend("dask"):
        w = pt.asarray([1.0, 2.0], requires_grad=True)
        c = pt.asarray([1.0, 2.0])
        y = w * c
        y.retain_grad()
        c[0] = 10.0
        y.sum().backward()
        np.testing.assert_array_equal(_np(w.grad), [1.0, 2.0])
        w = pt.asarray([1.0, 2.0, 3.0], requires_grad=True)
        m = pt.asarray([True, False, True])
        z = (w[m] * 2).sum()
        m[1] = True
        z.backward()
        np.testing.assert_array_equal(_np(w.grad), [2.0, 0.0, 2.0])


def test_a_hook_handle_removes_its_hook_once() -> None:
    x = pt.ones(2, requires_grad=True)
    calls: list[int] = []

    def hook(g: Any) -> None:
        calls.append(1)

    h1 = x.register_hook(hook)
    x.register_hook(hook)
    h1.remove()
    h1.remove()  # (nothing: the second registration stays, as in PyTorch)
    (x * 2).sum().backward()
    assert calls == [1]


def test_a_hook_handle_removes_its_own_registration() -> None:
    """f, g, f registered; the third handle removed: f then g run, in that order (torch)."""
    torch = pytest.importorskip("torch")

    def program(lib: Any) -> list[float]:
        x = lib.ones(2, requires_grad=True)

        def f(g: Any) -> Any:
            return g + 1

        def g2(g: Any) -> Any:
            return g * 2

        x.register_hook(f)
        x.register_hook(g2)
        x.register_hook(f).remove()
        (x * 1).sum().backward()
        return list(x.grad.tolist())

    assert program(pt) == program(torch) == [4.0, 4.0]


# -- Dask: lazy backward ---------------------------------------------------------------------------
def test_dask_backward_stays_lazy_and_compute_evaluates_loss_and_grad_in_one_pass(
    dask_computes: Any,
) -> None:
    host = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
    with pt.use_backend("dask", chunks=2):
        x = pt.asarray(host)
        w = pt.asarray(np.full((3, 2), 0.5), requires_grad=True)
        loss = pt.sum(pt.tanh(pt.matmul(x, w)) ** 2)
        loss.backward()
        assert dask_computes.calls == 0, "backward() computed on Dask"
        assert "lazy" in repr(w.grad)
        loss_c, grad_c = pt.compute(loss, w.grad)
    assert dask_computes.calls == 1, "loss and gradient were not computed in one pass"
    t = np.tanh(host @ np.full((3, 2), 0.5))
    np.testing.assert_allclose(loss_c.item(), np.sum(t**2))
    np.testing.assert_allclose(grad_c.detach().numpy(), host.T @ (2 * t * (1 - t**2)))
    assert dask_computes.calls == 1


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_backward_with_inputs_accumulates_into_those_alone_as_torch(backend: str) -> None:
    """``loss.backward(inputs=[...])``: only the given tensors' ``.grad`` (leaves, or a
    non-leaf, whose ``.grad`` it then fills), hooks run, sums across calls."""
    torch = pytest.importorskip("torch")

    def program(lib: Any) -> list[Any]:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        h = x * w
        loss = (h * h).sum()
        loss.backward(inputs=[w], retain_graph=True)
        r = [x.grad is None, w.grad.tolist()]
        loss.backward(inputs=[h, x], retain_graph=True)
        r += [h.grad.tolist(), x.grad.tolist(), w.grad.tolist()]
        lib.autograd.backward(loss, inputs=x)
        r += [x.grad.tolist()]
        y = lib.tensor([1.0, 2.0], requires_grad=True)
        y.register_hook(lambda g: g * 10)
        (y * 2).sum().backward(inputs=[y])
        return [*r, y.grad.tolist()]

    def twice_and_hooks(lib: Any) -> list[Any]:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        calls: list[str] = []
        x.register_hook(lambda g: calls.append("x"))
        w.register_hook(lambda g: calls.append("w"))
        (x * w).sum().backward(inputs=[w, w])  # (once each, and x's hook does not run)
        h = x * 2
        (h * h).sum().backward(inputs=[h, h])
        return [w.grad.tolist(), h.grad.tolist(), calls]

    want = program(torch)
    want_twice = twice_and_hooks(torch)
    with pt.use_backend(backend):
        assert program(pt) == want
        assert twice_and_hooks(pt) == want_twice
        x = pt.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="inputs= is empty"):
            (x * 2).sum().backward(inputs=[])
        with pytest.raises(RuntimeError, match="not a tensor that requires grad"):
            (x * 2).sum().backward(inputs=[pt.ones(2)])


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_copy_and_fill_of_a_tensor_in_a_graph_cut_its_history_as_torch(backend: str) -> None:
    """``y.copy_(c)`` and ``y.fill_(v)`` of a tensor in a graph: the new value does not depend
    on what made ``y``, which gets a zero gradient (it got y's own), and an infinite element
    of the old value leaves no NaN in the new one; a source that requires grad gets its
    gradient, and a piece written into ``y`` before is overwritten too."""
    torch = pytest.importorskip("torch")

    def program(lib: Any) -> list[Any]:
        out = []
        for fill in (False, True):
            x = lib.tensor([1.0, float("inf")], requires_grad=True)
            y = x * 3
            if fill:
                y.fill_(7.0)
            else:
                y.copy_(lib.tensor([7.0, 7.0]))
            y.sum().backward()
            out += [y.tolist(), x.grad.tolist()]
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        u = lib.tensor([5.0], requires_grad=True)
        v = lib.tensor([1.0, 3.0], requires_grad=True)
        a = x * 1
        a[0:1] = u
        a.copy_(v)
        (a * 2).sum().backward()
        return [*out, a.tolist(), x.grad.tolist(), u.grad.tolist(), v.grad.tolist()]

    want = program(torch)
    with pt.use_backend(backend):
        assert program(pt) == want


@pytest.mark.parametrize("backend", ["numpy", "array_api_strict"])
def test_copy_and_fill_of_a_tensor_in_a_graph_leave_what_shares_its_memory(backend: str) -> None:
    """``h.copy_(s)`` of a tensor in a graph rebinds ``h``, as every recorded in-place change:
    a tensor that shares its old memory without being a view object (the op table's
    ``reshape(h)``, as polytensor's own code calls it; ``pt.reshape`` gives a view) keeps the
    old value, consistent with its graph (writing that memory gave ``r`` the new value and
    ``x`` the gradient of ``r * r`` at it)."""
    with pt.use_backend(backend):
        x = pt.asarray([1.0, 2.0, 3.0], requires_grad=True)
        s = pt.asarray([7.0, 8.0, 9.0], requires_grad=True)
        h = x * 2
        r = _table_reshape(h, (3,))
        h.copy_(s)
        (r * r).sum().backward()
        assert r.tolist() == [2.0, 4.0, 6.0] and h.tolist() == [7.0, 8.0, 9.0]
        assert x.grad.tolist() == [8.0, 16.0, 24.0] and s.grad is None
        z = _table_reshape(h, (3,))
        z.fill_(0.0)
        assert h.tolist() == [7.0, 8.0, 9.0] and z.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("backend", ["numpy", "array_api_strict"])
def test_copy_and_fill_of_memory_an_input_owns_leave_that_input_as_it_is(backend: str) -> None:
    """``copy_()``/``fill_()`` of a tensor in a graph rebind it: a tensor whose data is (a
    view of) an input's, such as the op table's ``reshape(a)`` and ``real(h)`` (as polytensor's
    own code calls them: ``pt.reshape``, ``pt.real`` give views), ``pt.flip(h)`` or a custom
    Function returning its input, takes the new value without changing that input, whose
    gradient stays its own (a leaf silently overwritten, or a zero value that still got a
    gradient, when the value was written into that memory)."""

    class Same(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g

    with pt.use_backend(backend):
        for change in (
            lambda a: _table_reshape(a, (-1,)).copy_(pt.asarray([7.0, 7.0, 7.0])),
            lambda a: _table_reshape(a, (3, 1)).fill_(7.0),
            lambda a: Same.apply(a).fill_(0.0),
        ):
            a = pt.asarray([1.0, 2.0, 3.0], requires_grad=True)
            change(a)
            (a * a).sum().backward()
            assert a.tolist() == [1.0, 2.0, 3.0] and a.grad.tolist() == [2.0, 4.0, 6.0]
        a = pt.asarray([1.0, 2.0, 3.0], requires_grad=True)
        w = pt.ones(3, requires_grad=True)
        h = a * 2
        pt.flip(h, axis=0).fill_(0.0)
        r = _table_real(h)
        r.fill_(0.0)
        (h * w).sum().backward()
        assert h.tolist() == [2.0, 4.0, 6.0] and r.tolist() == [0.0, 0.0, 0.0]
        assert a.grad.tolist() == [2.0, 2.0, 2.0] and w.grad.tolist() == [2.0, 4.0, 6.0]


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_fill_with_a_value_that_requires_grad_gives_it_its_gradient_as_torch(backend: str) -> None:
    """``y.fill_(v)`` with a 0-d ``v`` that requires grad: ``v`` gets the sum of the filled
    elements' gradients, whether ``y`` was in a graph or not (it got none)."""
    torch = pytest.importorskip("torch")

    def program(lib: Any) -> list[Any]:
        v = lib.tensor(2.0, requires_grad=True)
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        y.fill_(v)
        c = lib.zeros(3)
        c.fill_(v)
        ((y * y).sum() + (c * x).sum()).backward()
        return [y.tolist(), c.tolist(), v.grad.tolist(), x.grad.tolist()]

    want = program(torch)
    with pt.use_backend(backend):
        assert program(pt) == want
        with pytest.raises(ValueError, match="one element"):
            pt.zeros(2).fill_(pt.ones(2, requires_grad=True))
