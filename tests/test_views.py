"""A tensor made by basic indexing (``x[0]``, ``x[1:, ::2]``) is a view of ``x``, as in PyTorch,
on every backend: in-place changes of the view reach ``x`` and the graph (``CopySlices``),
and in-place changes of ``x`` reach the view (``_tensor.View``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]


@pytest.fixture(params=BACKENDS)
def backend(request: Any) -> Any:
    name: str = request.param
    pytest.importorskip(name)
    with pt.use_backend(name):
        yield name


def _np(t: Any) -> Any:
    return np.asarray(t.detach().numpy())


def _f64(values: Any, requires_grad: bool = False) -> Any:
    return pt.asarray(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def _assert_matches_torch(program: Any, backends: tuple[str, ...] = ("numpy",)) -> None:
    """``program(lib)`` with polytensor on each of ``backends`` gives torch's arrays."""
    torch = pytest.importorskip("torch")
    want = program(torch)
    for name in backends:
        pytest.importorskip(name)
        with pt.use_backend(name):
            got = program(pt)
        for g, t in zip(got, want, strict=True):
            np.testing.assert_allclose(np.asarray(g), t, err_msg=name)


def test_copy_into_rows_of_a_buffer_reaches_the_buffer_and_the_graph(backend: str) -> None:
    # a common PyTorch idiom: fill a preallocated buffer row by row
    h = _f64([1.0, 1.0, 1.0], requires_grad=True)
    out = pt.zeros((2, 3), dtype=pt.float64)
    out[0].copy_(h * 2)
    out[1].copy_(h * 3)
    (out * out).sum().backward()
    np.testing.assert_array_equal(_np(out), [[2.0] * 3, [3.0] * 3])
    np.testing.assert_array_equal(_np(h.grad), [26.0] * 3)  # 2 * 2 * 2 + 2 * 3 * 3


def test_a_recorded_change_of_a_view_reaches_its_base(backend: str) -> None:
    w = _f64([1.0] * 4, requires_grad=True)
    s = _f64(3.0, requires_grad=True)
    y = w * 2
    v = y[:2]
    v.mul_(s)
    (y * pt.arange(4, dtype=pt.float64)).sum().backward()
    np.testing.assert_array_equal(_np(y), [6.0, 6.0, 2.0, 2.0])
    np.testing.assert_array_equal(_np(w.grad), [0.0, 6.0, 4.0, 6.0])
    assert float(s.grad) == 2.0  # 0 * 2 + 1 * 2


def test_a_recorded_change_of_the_base_reaches_its_view(backend: str) -> None:
    w = _f64([1.0] * 4, requires_grad=True)
    s = _f64(3.0, requires_grad=True)
    y = w * 2
    v = y[1:3]
    y.mul_(s)
    np.testing.assert_array_equal(_np(v), [6.0, 6.0])
    (v * pt.arange(2, dtype=pt.float64)).sum().backward()
    np.testing.assert_array_equal(_np(w.grad), [0.0, 0.0, 6.0, 0.0])
    assert float(s.grad) == 2.0


def test_a_view_of_a_view_writes_through_both(backend: str) -> None:
    h = _f64([1.0, 1.0, 1.0], requires_grad=True)
    out = pt.zeros((2, 3), dtype=pt.float64)
    out[1][1:].add_(h[:2])
    out.sum().backward()
    np.testing.assert_array_equal(_np(out), [[0.0] * 3, [0.0, 1.0, 1.0]])
    np.testing.assert_array_equal(_np(h.grad), [1.0, 1.0, 0.0])


def test_an_element_is_a_zero_dimensional_view(backend: str) -> None:
    h = _f64([1.0, 1.0, 1.0], requires_grad=True)
    y = h * 1
    y[1].mul_(5)
    y.sum().backward()
    np.testing.assert_array_equal(_np(y), [1.0, 5.0, 1.0])
    np.testing.assert_array_equal(_np(h.grad), [1.0, 5.0, 1.0])
    x = pt.zeros(3)
    x[1].fill_(5)  # nothing recorded: a write into x's memory (NumPy) or written back (Dask)
    e = x[2]
    e += 2
    np.testing.assert_array_equal(_np(x), [0.0, 5.0, 2.0])


def test_changes_without_a_graph_go_both_ways(backend: str) -> None:
    t = pt.reshape(pt.arange(8, dtype=pt.float32), (2, 4))
    row = t[0]
    t[:, 1] = 0
    t.add_(5)
    np.testing.assert_array_equal(_np(row), [5.0, 5.0, 7.0, 8.0])
    v = t[1, 1:]
    v += 1
    v[0] = 70
    np.testing.assert_array_equal(_np(t), [[5.0, 5.0, 7.0, 8.0], [9.0, 70.0, 12.0, 13.0]])


def test_a_view_of_data_shows_the_parameters_later_changes(backend: str) -> None:
    """``row = lin.weight.data[0]``, then the weight changed in place (``nn.init``, writes
    through ``.data``): the row shows each change, as PyTorch's, on Dask too (where ``.data``
    kept the data it was taken with)."""
    from polytensor import nn

    lin = nn.Linear(4, 2)
    row = lin.weight.data[0]
    nn.init.constant_(lin.weight, 1)
    assert _np(row).tolist() == [1.0] * 4
    lin.weight.data *= lin.weight.data.abs() >= 5
    assert _np(row).tolist() == [0.0] * 4
    lin.weight.data[:] += 1
    lin.weight.data[0, 0] = 42
    assert _np(row).tolist() == [42.0, 1.0, 1.0, 1.0]
    assert _np(lin.weight).tolist()[0] == [42.0, 1.0, 1.0, 1.0]


def test_a_parameter_updated_through_a_view_under_no_grad(backend: str) -> None:
    p = pt.nn.Parameter(pt.ones(4))
    with pt.no_grad():
        p[:2].mul_(3)
        p[3].zero_()
    np.testing.assert_array_equal(_np(p), [3.0, 3.0, 1.0, 0.0])
    assert p.requires_grad and p.is_leaf


def test_a_view_of_a_leaf_that_requires_grad_is_refused_in_place(backend: str) -> None:
    w = _f64([1.0] * 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        w[:2].mul_(2)
    np.testing.assert_array_equal(_np(w), [1.0] * 4)


def test_a_use_of_a_view_before_the_base_changed_keeps_its_gradient(backend: str) -> None:
    w = _f64([1.0] * 4, requires_grad=True)
    y = w * 2
    v = y[:2]
    z = (v * v).sum()
    y.mul_(3)  # recorded: z's ops keep the values they read
    z.backward()
    np.testing.assert_array_equal(_np(w.grad), [8.0, 8.0, 0.0, 0.0])


def test_a_view_taken_under_no_grad_stays_out_of_the_graph(backend: str) -> None:
    w = _f64([1.0] * 4, requires_grad=True)
    y = w * 2
    with pt.no_grad():
        v = y[:2]
    y.mul_(3)  # v takes y[:2] again, still outside the graph
    np.testing.assert_array_equal(_np(v), [6.0, 6.0])
    assert not v.requires_grad


def test_views_match_torch() -> None:
    def program(lib: Any) -> list[Any]:
        w = lib.ones(4, dtype=lib.float64, requires_grad=True)
        s = lib.tensor(3.0, dtype=lib.float64, requires_grad=True)
        y = w * 2
        a = y[:2]
        b = y[1:]
        a.mul_(s)
        b[1:].add_(s)
        ((y * y).sum() + (a * b[:2]).sum()).backward()
        return [y.detach().numpy(), a.detach().numpy(), w.grad.numpy(), s.grad.numpy()]

    _assert_matches_torch(program)


WHOLE_VIEWS = {
    "view": lambda y: y.view(2, 3),
    "reshape": lambda y: y.reshape(3, 2),
    "flatten": lambda y: y.view(2, 3).flatten(),
    "unsqueeze": lambda y: y.unsqueeze(0),
    "squeeze": lambda y: y.view(1, 6).squeeze(0),
    "permute": lambda y: y.view(2, 3).permute(1, 0),
    "transpose": lambda y: y.view(2, 3).transpose(0, 1),
    "t": lambda y: y.view(2, 3).t(),
}


@pytest.mark.parametrize("how", list(WHOLE_VIEWS))
def test_methods_that_return_views_write_back_and_see_changes(backend: str, how: str) -> None:
    take = WHOLE_VIEWS[how]
    w = _f64(np.arange(6.0), requires_grad=True)
    s = _f64(3.0, requires_grad=True)
    y = w * 1
    v = take(y)
    v.mul_(s)  # recorded: y takes the change, and the gradient goes through it
    np.testing.assert_array_equal(_np(y), np.arange(6.0) * 3)
    y.add_(1)  # and v sees y's change
    np.testing.assert_array_equal(_np(v).ravel(), _np(take(y)).ravel())
    (y * y).sum().backward()
    np.testing.assert_allclose(_np(w.grad), 2 * (np.arange(6.0) * 3 + 1) * 3)
    assert float(s.grad) == pytest.approx(
        float(np.sum(2 * (np.arange(6.0) * 3 + 1) * np.arange(6.0)))
    )


def test_a_reshape_that_copies_is_no_view_as_in_pytorch() -> None:
    x = pt.reshape(pt.arange(6.0), (2, 3))
    flat = x.t().reshape(6)  # not contiguous: a copy, in PyTorch too
    flat.add_(100)
    np.testing.assert_array_equal(_np(x), np.arange(6.0).reshape(2, 3))
    with pytest.raises(RuntimeError, match="reshape"):
        x.t().view(6)  # view() refuses, as PyTorch's


def test_whole_views_match_torch() -> None:
    def program(lib: Any) -> list[Any]:
        w = lib.ones(6, dtype=lib.float64, requires_grad=True)
        s = lib.tensor(3.0, dtype=lib.float64, requires_grad=True)
        y = w * 1
        m = y.view(2, 3)
        m.t()[1].mul_(s)
        y.reshape(3, 2).transpose(0, 1).add_(1)
        (y * lib.arange(6, dtype=lib.float64)).sum().backward()
        return [y.detach().numpy(), m.detach().numpy(), w.grad.numpy(), s.grad.numpy()]

    _assert_matches_torch(program)


def test_numpy_integers_and_0d_integer_tensors_index_as_ints(backend: str) -> None:
    w = pt.ones(3, dtype=pt.float64, requires_grad=True)
    out = w * pt.zeros((2, 3), dtype=pt.float64)
    for i in np.arange(2):  # NumPy integers, as PyTorch reads them
        out[i].copy_(w * 2)
    out.sum().backward()
    np.testing.assert_array_equal(_np(out), np.full((2, 3), 2.0))
    np.testing.assert_array_equal(_np(w.grad), [4.0, 4.0, 4.0])
    if backend != "dask":  # (a 0-d tensor key on Dask stays lazy: an index array there)
        x = pt.zeros(3, dtype=pt.float64)
        x[pt.asarray(1)].fill_(5.0)
        np.testing.assert_array_equal(_np(x), [0.0, 5.0, 0.0])


def test_a_view_taken_under_no_grad_is_refused_in_place_with_grad_on(backend: str) -> None:
    w = _f64([1.0] * 3, requires_grad=True)
    s = _f64(3.0, requires_grad=True)
    y = w * 1
    with pt.no_grad():
        v = y[:2]
    with pytest.raises(RuntimeError, match="view made under no_grad"):
        v.mul_(s)  # (PyTorch refuses it too: the change would reach y outside the graph)
    with pytest.raises(RuntimeError, match="view made under no_grad"):
        v[0] = 5.0
    np.testing.assert_array_equal(_np(y), [1.0] * 3)
    with pt.no_grad():
        v.mul_(2)  # allowed under no_grad, as in PyTorch
    np.testing.assert_array_equal(_np(y), [2.0, 2.0, 1.0])


def test_a_view_of_a_leaf_is_refused_before_anything_changes(backend: str) -> None:
    w = _f64([1.0] * 4, requires_grad=True)
    v = w[:2]
    with pytest.raises(RuntimeError, match="view of a leaf tensor that requires grad"):
        v.mul_(2)
    np.testing.assert_array_equal(_np(v), [1.0, 1.0])
    np.testing.assert_array_equal(_np(w), [1.0] * 4)


def test_a_long_chain_of_views_is_no_recursion(backend: str) -> None:
    x = pt.arange(1201, dtype=pt.float64)
    v = x
    for _ in range(1200):  # (each view's base is the one before: a loop brings them up to date)
        v = v[1:]
    x.add_(1)  # a rebind on Dask: every view of the chain takes its base again
    assert float(v[0]) == 1201.0


def test_the_write_log_can_be_noted_from_threads() -> None:
    import threading

    errors: list[BaseException] = []
    arrays = [pt.zeros(4) for _ in range(600)]

    def work() -> None:
        try:
            for _ in range(3):
                for a in arrays:
                    a[:2].add_(1.0)
                    b = pt.zeros(2)
                    b[:1].add_(1.0)  # (dead at once: the log drops such entries as it grows)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_what_no_rule_reads_may_change_through_a_view(backend: str) -> None:
    if backend == "dask":
        pytest.skip("Dask arrays are rebound, not written: nothing a rule read can change")
    w = pt.ones((2, 3), dtype=pt.float64, requires_grad=True)
    y = w * 1
    rows = pt.unstack(y)  # unstack's rule reads none of its outputs
    loss = rows[0].sum() + rows[1].sum()
    with pt.no_grad():
        y[0, 0] = 100.0
    loss.backward()
    np.testing.assert_array_equal(_np(w.grad), np.ones((2, 3)))
    w.grad = None
    loss = (w.T * 2).sum()  # multiply's rule for w reads only the 2
    with pt.no_grad():
        w.mul_(0.5)
    loss.backward()
    np.testing.assert_array_equal(_np(w.grad), np.full((2, 3), 2.0))


def test_copy_from_a_tensor_in_a_graph_shares_no_memory(backend: str) -> None:
    w = _f64([1.0, 2.0, 3.0], requires_grad=True)
    h = w.exp()
    y = pt.zeros(3, dtype=pt.float64)
    y.copy_(h)
    with pt.no_grad():
        y.mul_(0.0)
    np.testing.assert_allclose(_np(h), np.exp([1.0, 2.0, 3.0]))
    h.sum().backward()
    np.testing.assert_allclose(_np(w.grad), np.exp([1.0, 2.0, 3.0]))


def test_a_view_keeps_retain_grad_and_leaf_state_when_its_base_changes(backend: str) -> None:
    w = _f64([1.0, 2.0, 3.0], requires_grad=True)
    y = w * 2
    v = y[1:]
    v.retain_grad()
    y.mul_(3)
    (v * v).sum().backward()
    np.testing.assert_array_equal(_np(v.grad), [24.0, 36.0])  # as PyTorch
    x = _f64([1.0, 2.0, 3.0])
    u = x[:2]
    u.requires_grad_()
    (u * 2).sum().backward()
    with pt.no_grad():
        x.add_(1.0)
    assert u.requires_grad and u.is_leaf
    np.testing.assert_array_equal(_np(u), [2.0, 3.0])
    np.testing.assert_array_equal(_np(u.grad), [2.0, 2.0])


def test_replacing_data_leaves_earlier_views_with_the_old_data(backend: str) -> None:
    x = _f64([1.0, 2.0, 3.0, 4.0, 5.0])
    v = x[3]
    x.data = _f64([7.0, 8.0])
    assert float(v) == 4.0  # as PyTorch: the view keeps the old storage
    np.testing.assert_array_equal(_np(x[1:]), [8.0])


def test_data_and_grad_of_views_reach_their_base(backend: str) -> None:
    x = _f64([[1.0, 2.0], [3.0, 4.0]])
    x[0].data.fill_(5.0)
    np.testing.assert_array_equal(_np(x), [[5.0, 5.0], [3.0, 4.0]])
    w = _f64([1.0, 2.0, 3.0], requires_grad=True)
    b = pt.zeros(5, dtype=pt.float64)
    w.grad = b[1:4]  # a gradient that lives in a bucket: backward adds into the bucket
    (w * w).sum().backward()
    np.testing.assert_array_equal(_np(b), [0.0, 2.0, 4.0, 6.0, 0.0])


def test_transposes_are_views(backend: str) -> None:
    w = _f64(np.ones((2, 3)), requires_grad=True)
    s = _f64(2.0, requires_grad=True)
    y = w * 1
    y.T[0].mul_(s)  # y's first column
    y.mT[:, 1].add_(s)  # y's second row
    (y * y).sum().backward()
    np.testing.assert_array_equal(_np(y), [[2.0, 1.0, 1.0], [4.0, 3.0, 3.0]])
    np.testing.assert_array_equal(_np(w.grad), [[8.0, 2.0, 2.0], [16.0, 6.0, 6.0]])
    assert float(s.grad) == 2 * 2.0 + 2 * 4.0 * 2 + 2 * 3.0 + 2 * 3.0


def test_a_reshape_of_a_transpose_is_a_copy_on_every_backend(backend: str) -> None:
    x = pt.zeros((2, 3))
    y = x.t().reshape(-1)  # NumPy and PyTorch copy here; Dask follows them
    y.add_(1)
    np.testing.assert_array_equal(_np(x), np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match=r"view\(\)"):
        x.t().view(-1)
    z = pt.zeros(4)
    z.view(2, 2).add_(1)  # a view of a tensor of its own: a view everywhere
    np.testing.assert_array_equal(_np(z), np.ones(4))


def test_a_dimension_of_unknown_length_makes_no_reshaped_view() -> None:
    pytest.importorskip("dask")
    with pt.use_backend("dask"):
        x = pt.asarray([1.0, 2.0, 3.0, 4.0])
        y = x[x > 2]  # of unknown length until computed
        y.reshape(-1).add_(1)  # a tensor of its own: nothing to reshape back by
        u = y.unsqueeze(0)  # needs no length: a view
        y.add_(1)
        assert _np(y).tolist() == [4.0, 5.0]
        assert _np(u).tolist() == [[4.0, 5.0]]
        z = pt.ones((4, 2))[x > 2]
        z.t().mul_(0)  # a permutation needs no length either
        assert _np(z).tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_unsqueeze_squeeze_and_a_same_shape_view_are_views_of_any_layout(backend: str) -> None:
    x = pt.reshape(pt.arange(12.0), (3, 4))
    x.t().unsqueeze(0).mul_(0)  # (PyTorch: always a view, whatever the layout)
    assert float(x.sum()) == 0.0
    x = pt.reshape(pt.arange(12.0), (3, 4))
    x.t()[None].squeeze(0)[0].mul_(0)
    x[:, 1].view(3).mul_(0)  # the same shape: a view
    assert _np(x)[:, :2].tolist() == [[0.0, 0.0]] * 3


def test_a_long_chain_of_views_writes_back_by_a_loop(backend: str) -> None:
    # (a recursion of a few frames per view overflowed Python's stack from about 500 views on
    # Dask, and with grad mode on from about 300 on every backend)
    n = 600 if backend == "dask" else 1200  # (Dask builds a graph per view: kept quick)
    v = x = pt.zeros(n + 100, dtype=pt.float64)
    for _ in range(n):
        v = v[1:]
    v.add_(1)  # Dask: one write-back after the other
    assert float(x.sum()) == 100.0 and float(x[n - 1]) == 0.0
    w = pt.ones(n + 100, dtype=pt.float64, requires_grad=True)
    y = w * 1
    v = y
    for _ in range(n // 2):
        v = v[1:]
    s = _f64(2.0, requires_grad=True)
    v.mul_(s)  # recorded: each view of the chain is put into its base in turn
    y.sum().backward()
    rest = n + 100 - n // 2
    assert float(w.grad.sum()) == n // 2 + 2 * rest and float(s.grad) == rest


def test_views_keep_the_storage_that_data_replaced_through_later_changes(backend: str) -> None:
    q = pt.zeros(3, requires_grad=True)
    h = q * 1
    v = h.view(3)
    h.data = pt.ones(3)
    h.add_(1)  # recorded: h takes a new state, which remembers the replaced data
    assert _np(v).tolist() == [0.0, 0.0, 0.0]  # as PyTorch
    p = pt.zeros(3)
    p.data = p.data  # the same data: nothing replaced
    u = p.view(3)
    p.add_(5)
    assert _np(u).tolist() == [5.0, 5.0, 5.0]


def test_a_float_index_keeps_the_librarys_error() -> None:
    x = pt.zeros(3)
    with pytest.raises(IndexError):
        x[np.array(1.0)]


def test_a_reshape_of_a_c_ordered_row_is_a_view_on_every_backend(backend: str) -> None:
    x = pt.zeros((3, 4))
    x[1].view(2, 2).add_(1)  # a row is C-ordered: a view, in PyTorch too
    x[2].reshape(-1)[1:3].add_(2)
    np.testing.assert_array_equal(_np(x), [[0] * 4, [1] * 4, [0, 2, 2, 0]])
    x[:, :2].reshape(6).add_(5)  # two columns are not: a copy
    np.testing.assert_array_equal(_np(x)[:, :2], [[0.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    with pytest.raises(RuntimeError, match=r"view\(\)"):
        x[:, :2].view(6)
    x[0:1, 2:4].view(-1).add_(7)  # one row: C-ordered, a view (PyTorch's strides allow it)
    np.testing.assert_array_equal(_np(x)[0], [0.0, 0.0, 7.0, 7.0])


def test_new_axes_differentiate_and_write_back(backend: str) -> None:
    w = pt.ones((2, 3), dtype=pt.float64, requires_grad=True)
    (w[None, :, None] * 2).sum().backward()  # (array-api-strict: its gradient's index)
    np.testing.assert_array_equal(_np(w.grad), np.full((2, 3), 2.0))
    y = w.detach() * 1
    y[None, :, None].squeeze().t()[0].mul_(3)  # written back without the new axes
    np.testing.assert_array_equal(_np(y), [[3.0, 1.0, 1.0], [3.0, 1.0, 1.0]])


def test_squeezes_and_new_axes_match_torch() -> None:
    def program(lib: Any) -> list[Any]:
        w = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
        s = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        y = w * 1
        y.unsqueeze(-1)[..., 0].mul_(s)
        y.unsqueeze(1).squeeze(-2)[1].add_(s)
        y[None, :, None].squeeze().t()[0].mul_(3)
        (y * y).sum().backward()
        return [y.detach().numpy(), w.grad.numpy(), s.grad.numpy()]

    _assert_matches_torch(program, tuple(BACKENDS))


def test_a_view_made_once_takes_a_backward_at_every_step_as_in_torch() -> None:
    # Wt = W.t() (or a row W[0]) made once, outside the training loop: PyTorch's view node
    # saves no tensor, so every step's backward goes through it to W. The view's node, which
    # backward leaves as it is, is recorded again from W when the view is next used after W
    # changed in place; a node that saved values (W * 2) still refuses a second backward, as
    # in PyTorch.
    def program(lib: Any) -> list[Any]:
        w = lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=lib.float64)
        w.requires_grad_()
        x = lib.tensor([[1.0, -1.0, 2.0]], dtype=lib.float64)
        wt, row, col = w.t(), w[0], w.t()[1]
        wt.retain_grad()
        losses = []
        for _ in range(3):
            loss = (x @ w).pow(2).sum() + (wt.sum(0) * row.sum()).sum() + (col * col).sum()
            loss.backward()
            losses.append(loss.item())
            with lib.no_grad():
                w -= 0.01 * w.grad
                w.grad.zero_()
        twice = w * 2
        twice.sum().backward()
        try:
            twice.sum().backward()
            refused = 0.0
        except RuntimeError:
            refused = 1.0
        return [
            np.array(losses),
            w.detach().numpy(),
            w.grad.numpy(),
            wt.grad.numpy(),
            np.array(refused),
        ]

    _assert_matches_torch(program, tuple(BACKENDS))


def test_a_view_made_once_keeps_its_hooks_across_steps(backend: str) -> None:
    w = _f64([1.0, 2.0], requires_grad=True)
    v = w[:]
    seen = []
    handle = v.register_hook(lambda g: seen.append(_np(g)) or g * 10)
    for _ in range(2):
        (v * v).sum().backward()
    np.testing.assert_array_equal(_np(w.grad), [40.0, 80.0])  # two steps of 10 * 2w
    assert len(seen) == 2
    handle.remove()
    w.grad = None
    (v * v).sum().backward()
    np.testing.assert_array_equal(_np(w.grad), [2.0, 4.0])
    assert len(seen) == 2


def test_a_view_made_once_matches_torch_when_read_between_steps_and_with_hooks() -> None:
    # a read of the view between backward() and the optimizer's step (w0.grad_fn) records it
    # again; the step then changes W in place, so the view is taken again at its next use, as
    # PyTorch makes its view's node again (and, as there, the view's hooks go with the old one)
    def program(lib: Any) -> list[Any]:
        w = lib.nn.Parameter(lib.ones((2, 3), dtype=lib.float64))
        opt = lib.optim.SGD([w], lr=0.1)
        w0 = w[0]
        for _ in range(3):
            opt.zero_grad()
            (w0 * w0).sum().backward()
            _ = w0.grad_fn, w0.requires_grad
            opt.step()
        v = lib.nn.Parameter(lib.ones((2, 3), dtype=lib.float64))
        vt = v.t()
        calls = []
        vt.register_hook(lambda g: calls.append(1) or g * 2.0)
        for _ in range(3):
            (vt * 1.0).sum().backward()
            with lib.no_grad():
                v -= 0.1 * v.grad
        u = lib.ones((2, 3), dtype=lib.float64, requires_grad=True)
        row = u[0]
        (row * row).sum().backward()
        (g,) = lib.autograd.grad((row * row).sum(), [row])
        return [w.detach().numpy(), v.grad.numpy(), np.array(len(calls)), g.numpy()]

    _assert_matches_torch(program, tuple(BACKENDS))


def test_a_view_changed_in_place_under_no_grad_takes_a_backward_as_in_torch() -> None:
    # v = W[0] changed in place under no_grad (it writes W): PyTorch makes the view's node
    # again, and the next backward goes through it to W
    def program(lib: Any) -> list[Any]:
        w = lib.ones((2, 3), dtype=lib.float64, requires_grad=True)
        v = w[0]
        with lib.no_grad():
            v.mul_(2)
        (v * v).sum().backward()
        return [w.detach().numpy(), w.grad.numpy()]

    _assert_matches_torch(program, tuple(BACKENDS))


def test_a_view_of_a_view_made_once_matches_torch_across_optimizer_steps() -> None:
    # the optimizer changes W in memory: the view of the view (W.t()[0]) is taken again from
    # the top of its chain down, and its hook goes with its old node, as in PyTorch
    def program(lib: Any) -> list[Any]:
        w = lib.nn.Parameter(lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64))
        b = w.t()[0]
        opt = lib.optim.SGD([w], lr=0.1)
        b.register_hook(lambda g: g * 10)
        for _ in range(3):
            opt.zero_grad()
            (b * b).sum().backward()
            opt.step()
        return [w.grad.numpy(), w.detach().numpy()]

    _assert_matches_torch(program, tuple(BACKENDS))


def test_a_long_chain_of_views_takes_a_second_backward_by_a_loop(backend: str) -> None:
    w = pt.ones((3, 3), requires_grad=True)
    v = w
    for _ in range(1_200):  # (deeper than Python's recursion limit allows a recursion)
        v = v.t()
    for _ in range(2):
        (v * 1.0).sum().backward()
    assert float(w.grad.sum()) == 18.0  # as PyTorch


def test_a_view_of_data_replaced_still_sends_its_gradient_at_a_second_backward(
    backend: str,
) -> None:
    # after w.data = ..., the view keeps the data it viewed and its node to w, which backward
    # leaves as it is (a view's node holds nothing to free): the next backward sends the
    # gradient to w again, as PyTorch does
    w = _f64([1.0, 2.0, 3.0], requires_grad=True)
    v = w[1:]
    w.data = w.data * 2
    ((v * v).sum() + (w * 1.0).sum()).backward()
    np.testing.assert_array_equal(_np(w.grad), [1.0, 5.0, 7.0])  # as PyTorch
    w.grad = None
    ((v * v).sum() + (w * 1.0).sum()).backward()
    np.testing.assert_array_equal(_np(w.grad), [1.0, 5.0, 7.0])  # as PyTorch


def test_graphs_recorded_from_one_view_each_take_their_backward_as_in_torch() -> None:
    # two losses from one view, both recorded before the first backward (a tied weight Wt made
    # once and two losses a step, each with its own backward): PyTorch's view node saves no
    # tensor, and the first backward leaves it for the second; so does polytensor's. A graph
    # through a node that saved values still refuses (W * W, as PyTorch).
    def program(lib: Any) -> list[Any]:
        w = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
        v = w[0]
        y1, y2 = (v * 2).sum(), (v * 3).sum()
        y1.backward()
        y2.backward()
        first = w.grad.numpy().copy()
        fn = v.grad_fn
        (v * 1.0).sum().backward()
        same_node = float(v.grad_fn is fn)
        w2 = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
        wt = w2.t()
        opt = lib.optim.SGD([w2], lr=0.1)
        x = lib.tensor([[1.0, -1.0]], dtype=lib.float64)
        for _ in range(3):
            opt.zero_grad()
            l1 = (x @ wt).pow(2).sum()
            l2 = (x @ wt).sum()
            l1.backward()
            l2.backward()
            opt.step()
        h = w * w
        u = h[0]
        z1, z2 = u.sum(), (u * 3).sum()
        z1.backward()
        try:
            z2.backward()
            refused = 0.0
        except RuntimeError:
            refused = 1.0
        return [first, np.array(same_node), w2.detach().numpy(), np.array(refused)]

    _assert_matches_torch(program, tuple(BACKENDS))


def test_a_base_changed_under_no_grad_after_its_view_was_read_as_in_torch() -> None:
    # x[key]'s node reads only its base's shape: a change of the base under no_grad after the
    # view was taken leaves its backward right (PyTorch's view node checks nothing)
    def program(lib: Any) -> list[Any]:
        w = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        v = w[0:2]
        z = (v * 2).sum() + w[2] * 3
        with lib.no_grad():
            w.add_(1)
        z.backward()
        return [w.grad.numpy()]

    _assert_matches_torch(program, tuple(BACKENDS))


def test_a_node_that_read_a_view_refuses_a_change_of_its_base_under_no_grad(
    backend: str,
) -> None:
    # v * v read the view's values: PyTorch refuses once the base changed in memory; Dask,
    # whose arrays are rebound, not written, differentiates at the values recorded
    w = _f64([1.0, 2.0, 3.0], requires_grad=True)
    u = w[0:2]
    z = (u * u).sum()
    with pt.no_grad():
        w.add_(1)
    if backend == "dask":
        z.backward()
        np.testing.assert_array_equal(_np(w.grad), [2.0, 4.0, 0.0])
        return
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.backward()
    torch = pytest.importorskip("torch")
    tw = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tu = tw[0:2]
    tz = (tu * tu).sum()
    with torch.no_grad():
        tw.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        tz.backward()


def test_flip_is_a_copy_as_in_pytorch(backend: str) -> None:
    # NumPy's flip is a view with negative strides; PyTorch's copies, so a PyTorch program
    # that writes the flipped tensor must leave the original alone
    x = _f64([0.0, 1.0, 2.0, 3.0])
    y = x.flip(0)
    y[0] = 9.0
    z = pt.flip(x, axis=0)
    z += 1.0
    np.testing.assert_array_equal(_np(x), [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(_np(y), [9.0, 2.0, 1.0, 0.0])
    np.testing.assert_array_equal(_np(z), [4.0, 3.0, 2.0, 1.0])
