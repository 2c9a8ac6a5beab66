"""Writes into tensors in a graph, ``x[mask] = -1e6``, ``x[idx] = 0``, ``x[:, k] = t``, into an
intermediate and into views of one (``reshape``, a slice, a chain of views), compared with
PyTorch on values, float64 gradients and errors, on every backend."""

from __future__ import annotations

import math
from collections.abc import Callable
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


def _same(got: list[Any], want: list[Any], what: str = "") -> None:
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if w is None or g is None:
            assert g is None and w is None, f"{what} result {i}: {g!r} against {w!r}"
        else:
            np.testing.assert_allclose(_np(g), _np(w), rtol=1e-12, err_msg=f"{what} result {i}")


def _torch() -> Any:
    return pytest.importorskip("torch")


def _leaf(lib: Any, values: Any) -> Any:
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def _from(lib: Any, h: Any, shape: tuple[int, ...]) -> Any:
    """A value of ``shape`` in the graph, made from leaf ``h``."""
    return (h[: math.prod(shape)] * 1.5).reshape(shape)


VIEWS: dict[str, Callable[[Any], Any]] = {
    "an intermediate": lambda y: y,
    "reshape": lambda y: y.reshape(6, 4),
    "view": lambda y: y.view(-1, 4),
    "a view of a view": lambda y: y.unsqueeze(0).reshape(6, 4),
    "squeeze then reshape": lambda y: y.unsqueeze(-1).squeeze(-1).reshape(-1, 4),
    "slice": lambda y: y[:, 1:],
    "row": lambda y: y[1],
    "transpose": lambda y: y.transpose(0, 2),
    "slice of a reshape": lambda y: y.reshape(6, 4)[1:5],
    "new axis": lambda y: y[:, :, None],
}


def _mask(lib: Any, v: Any, h: Any) -> None:
    v[v > 0.9] = -1e6


def _mask_of_rows(lib: Any, v: Any, h: Any) -> None:
    v[v.sum(-1) > 3.0] = 0.5


def _index(lib: Any, v: Any, h: Any) -> None:
    v[lib.tensor([1, 0, 1])] = 0.25


def _int(lib: Any, v: Any, h: Any) -> None:
    v[1] = 3


def _column(lib: Any, v: Any, h: Any) -> None:
    v[:, 1] = _from(lib, h, tuple(v[:, 1].shape))


def _mask_0d(lib: Any, v: Any, h: Any) -> None:
    v[v < 0.5] = h[2] * 2


def _index_tensor(lib: Any, v: Any, h: Any) -> None:
    v[lib.tensor([1, 0])] = _from(lib, h, (2, *v.shape[1:]))


def _constant(lib: Any, v: Any, h: Any) -> None:
    v[:1] = lib.ones(tuple(v[:1].shape), dtype=lib.float64) * 7


WRITES: dict[str, Callable[[Any, Any, Any], None]] = {
    "mask, a number": _mask,
    "mask of leading axes, a number": _mask_of_rows,
    "index tensor, a number": _index,
    "int, a number": _int,
    "column, a tensor in the graph": _column,
    "mask, a 0-d tensor in the graph": _mask_0d,
    "index tensor, a tensor in the graph": _index_tensor,
    "slice, a tensor outside the graph": _constant,
}
_INDEX_TENSORS = ("index tensor, a number", "index tensor, a tensor in the graph")


def _write_program(view: str, write: str) -> Callable[[Any], list[Any]]:
    def program(lib: Any) -> list[Any]:
        x = _leaf(lib, np.arange(24.0).reshape(2, 3, 4) / 10)
        h = _leaf(lib, np.arange(64.0) / 7 - 2)
        y = x * 2  # in the graph
        v = VIEWS[view](y)
        WRITES[write](lib, v, h)
        wy = lib.tensor(np.arange(24.0).reshape(2, 3, 4) / 5 - 1, dtype=lib.float64)
        # the view and its base used after the write, each with its own weights
        loss = (v * v).sum() * 0.5 + (y * wy).sum()
        loss.backward()
        return [v, y, loss, x.grad, h.grad]

    return program


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("view", list(VIEWS))
def test_writes_into_views_of_a_tensor_in_a_graph_match_torch(
    backend: str, view: str, write: str
) -> None:
    if backend == "array_api_strict" and write in _INDEX_TENSORS:
        pytest.skip("array-api-strict refuses index arrays in __setitem__")
    program = _write_program(view, write)
    _same(program(pt), program(_torch()), f"{view}, {write}")


def _masked_softmax_program(lib: Any) -> list[Any]:
    """Dive into Deep Learning's masked softmax (11.3) on scores in a graph: a reshape of a
    squeeze of a layer's output (additive attention), a reshape of a quotient (scaled
    dot-product attention, one valid length per query)."""
    functional = lib.nn.functional

    def sequence_mask(X: Any, valid_len: Any, value: float = 0.0) -> Any:
        maxlen = X.size(1)
        mask = lib.arange(maxlen, dtype=lib.float64)[None, :] < valid_len[:, None]
        X[~mask] = value
        return X

    def masked_softmax(X: Any, valid_lens: Any) -> Any:
        shape = X.shape
        if valid_lens.dim() == 1:
            valid_lens = lib.repeat_interleave(valid_lens, shape[1])
        else:
            valid_lens = valid_lens.reshape(-1)
        X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
        return functional.softmax(X.reshape(shape), dim=-1)

    g = np.random.default_rng(0)
    features = _leaf(lib, g.standard_normal((2, 1, 10, 3)))
    w = _leaf(lib, g.standard_normal((3, 1)))
    scores = (features @ w).squeeze(-1)
    additive = masked_softmax(scores, lib.tensor([2, 6]))
    q = _leaf(lib, g.standard_normal((4, 3, 5)))
    k = _leaf(lib, g.standard_normal((4, 6, 5)))
    dot = masked_softmax(lib.bmm(q, k.transpose(1, 2)) / 5**0.5, lib.tensor([[1, 3, 6]] * 4))
    (additive * lib.arange(10, dtype=lib.float64)).sum().backward()
    (dot * dot).sum().backward()
    return [additive, dot, features.grad, w.grad, q.grad, k.grad]


def test_a_write_into_views_gives_the_value_back_and_takes_nothing_again(backend: str) -> None:
    # the base takes the view's new value as it is (reshaped back, or written at the view's
    # key), not a copy_ of it (a where() node), and the view stays the view of it: its node is
    # the write, not a view taken again from the base
    x = _leaf(pt, np.arange(6.0).reshape(2, 3))
    y = x * 2
    v = y.unsqueeze(0).reshape(6)
    v[v > 3] = 0.0
    put = v.grad_fn
    assert put.name() == "PutBackward0"
    node, steps = y.grad_fn, 0
    while node is not put:  # (the unsqueeze, then the reshape, given back)
        assert node.name() != "WhereBackward0"
        node, steps = node.next_functions[0][0], steps + 1
    assert steps == 2
    np.testing.assert_array_equal(_np(v), [0.0, 2.0, 0.0, 0.0, 0.0, 0.0])
    assert v.grad_fn is put
    r = y[1]
    r[0] = 5.0
    put = r.grad_fn
    assert y.grad_fn.name() == "PutBackward0"
    assert y.grad_fn.next_functions[1][0] is put
    np.testing.assert_array_equal(_np(r), [5.0, 0.0, 0.0])
    assert r.grad_fn is put
    np.testing.assert_array_equal(_np(v), [0.0, 2.0, 0.0, 5.0, 0.0, 0.0])  # (v sees it)
    (v.sum() + r.sum()).backward()
    np.testing.assert_array_equal(_np(x.grad), [[2.0, 2.0, 0.0], [0.0, 0.0, 0.0]])


def test_a_mask_of_the_leading_axes_takes_a_number_outside_a_graph_too(backend: str) -> None:
    def program(lib: Any) -> list[Any]:
        y = lib.tensor(np.arange(24.0).reshape(2, 3, 4))
        y[y.sum(-1) > 20] = 0.5
        y[lib.tensor([False, True])] = lib.tensor(-1.0, dtype=lib.float64)
        return [y]

    _same(program(pt), program(_torch()))


def test_a_mask_of_the_leading_axes_takes_a_number_in_a_graph(backend: str) -> None:
    def program(lib: Any) -> list[Any]:
        x = lib.tensor(np.arange(24.0).reshape(2, 3, 4) / 10, requires_grad=True)
        y = x * 2
        y[y.sum(-1) > 5] = 0.5
        (y * y).sum().backward()
        return [y, x.grad]

    _same(program(pt), program(_torch()))


def test_d2l_masked_softmax_matches_torch(backend: str) -> None:
    _same(_masked_softmax_program(pt), _masked_softmax_program(_torch()))


def test_after_a_recorded_write_view_and_base_still_share_their_changes(backend: str) -> None:
    def program(lib: Any) -> list[Any]:
        x = _leaf(lib, np.arange(12.0).reshape(3, 4) / 4)
        y = x * 2
        flat = y.reshape(-1)
        row = y[1:]
        flat[flat > 2] = 0.0
        row[:, 0] = x[0, :2] * 10
        with lib.no_grad():
            y.add_(1)  # both views show it
            flat.mul_(2)  # and y and row show that
        seen = [flat.clone(), row.clone(), y.clone()]
        (y * y).sum().backward()
        return [*seen, x.grad]

    _same(program(pt), program(_torch()))


def test_a_buffer_outside_the_graph_joins_it_through_its_views(backend: str) -> None:
    def program(lib: Any) -> list[Any]:
        h = _leaf(lib, np.arange(6.0) + 1)
        out = lib.zeros((2, 3), dtype=lib.float64)
        flat = out.view(-1)
        flat[lib.arange(6) > 3] = h[0] * 3  # a 0-d value in the graph
        out[:, 1] = h[1:3] * h[3:5]
        out.t()[0] = h[3:5]
        (out * out).sum().backward()
        return [out, flat, h.grad]

    _same(program(pt), program(_torch()))


def test_a_hook_of_the_base_before_the_write_sees_the_old_values_gradient(backend: str) -> None:
    def program(lib: Any) -> list[Any]:
        x = _leaf(lib, np.arange(6.0))
        y = x * 3
        seen: list[Any] = []
        y.register_hook(lambda g: seen.append(g.clone()))
        v = y.view(2, 3)
        v[v > 5] = -1.0
        (y * y).sum().backward()
        return [*seen, x.grad]

    _same(program(pt), program(_torch()))


def test_a_view_that_retains_its_grad_gets_its_new_values_gradient(backend: str) -> None:
    def program(lib: Any) -> list[Any]:
        x = _leaf(lib, np.arange(6.0))
        y = x * 3
        v = y.view(2, 3)
        v.retain_grad()
        v[v > 5] = -1.0
        ((v * v).sum() + y.sum()).backward()
        return [v.grad, x.grad]

    _same(program(pt), program(_torch()))


# a view retaining its grad, changed in place, and a loss reached through the base or the view
# read again (torch: the view's grad_fn after the change is a view of CopySlices)
RETAINED: dict[str, Callable[[Any, Any, Any], Any]] = {
    "the base alone": lambda b, v, v2: b.sum(),
    "the base alone, a slice of it": lambda b, v, v2: b[1:3].sum(),
    "the base and the view": lambda b, v, v2: b.sum() + (v * 10).sum(),
    "the view alone": lambda b, v, v2: (v * v).sum(),
    "the base, after a second change": lambda b, v, v2: v.add_(1) is v and b.sum(),
    "the base, the view of a view changed": lambda b, v, v2: v2.mul_(3) is v2 and b.sum(),
}


@pytest.mark.parametrize("loss", list(RETAINED))
@pytest.mark.parametrize("when", ["retained before the change", "retained after it"])
def test_a_changed_view_retains_the_grad_of_the_view_taken_again_as_torch(
    backend: str, loss: str, when: str
) -> None:
    def program(lib: Any) -> list[Any]:
        w = _leaf(lib, [1.0, 2.0, 3.0, 4.0])
        b = w * 2
        v = b[1:3]
        v2 = v[0:1]
        if when == "retained before the change":
            v.retain_grad()
        v.mul_(2)
        if when == "retained after it":
            v.retain_grad()
        RETAINED[loss](b, v, v2).backward()
        return [v.grad, w.grad]

    _same(program(pt), program(_torch()), f"{loss}, {when}")


WRITES_REFUSED: dict[str, Callable[[Any], None]] = {
    "a mask into a leaf": lambda x: x.__setitem__(x > 1, 0.0),
    "an index tensor into a leaf": lambda x: x.__setitem__(_rows(x), 0.0),
    "a column into a leaf": lambda x: x.__setitem__((slice(None), 1), 0.0),
    "a mask into a view of a leaf": lambda x: x.view(-1).__setitem__(x.view(-1) > 1, 0.0),
    "a number into a row of a leaf": lambda x: x[1].__setitem__(0, 5.0),
    "a column into a view of a view of a leaf": (
        lambda x: x.reshape(2, 6).reshape(4, 3).__setitem__((slice(None), 1), 2.0)
    ),
}


def _rows(x: Any) -> Any:
    """``[1, 0]``, an index tensor of ``x``'s library."""
    lib = pt if isinstance(x, pt.Tensor) else _torch()
    return lib.tensor([1, 0])


@pytest.mark.parametrize("write", list(WRITES_REFUSED))
def test_writes_into_leaves_and_their_views_are_refused_as_in_torch(
    backend: str, write: str
) -> None:
    torch = _torch()
    for lib in (torch, pt):
        x = _leaf(lib, np.arange(12.0).reshape(4, 3))
        with pytest.raises(RuntimeError, match="leaf"):
            WRITES_REFUSED[write](x)
        np.testing.assert_array_equal(_np(x), np.arange(12.0).reshape(4, 3))
        assert x.grad_fn is None


def test_a_write_under_no_grad_into_a_saved_output_makes_backward_refuse(backend: str) -> None:
    torch = _torch()
    for lib in (torch, pt):
        x = _leaf(lib, np.arange(6.0) / 4)
        e = x.exp()  # backward reads e
        with lib.no_grad():
            v = e.view(2, 3)
            v[v > 1.2] = 0.0
        with pytest.raises(RuntimeError, match=r"modified by an inplace|in-place operation"):
            e.sum().backward()


def test_a_recorded_write_into_a_saved_output_differentiates_with_the_value_used(
    backend: str,
) -> None:
    # PyTorch refuses; polytensor's recorded write rebinds e, and exp's node keeps the value it
    # made, so the gradient is that of the program that wrote into a clone of e
    def program(lib: Any, clone: bool) -> list[Any]:
        x = _leaf(lib, np.arange(6.0) / 4)
        e = x.exp()
        written = e.clone() if clone else e
        v = written.view(2, 3)
        v[v > 1.2] = 0.0
        (written.sum() + (v * v).sum()).backward()
        return [written, x.grad]

    _same(program(pt, clone=False), program(_torch(), clone=True))


def test_a_second_backward_through_a_written_view_is_refused_as_in_torch(backend: str) -> None:
    for lib in (_torch(), pt):
        x = _leaf(lib, np.ones((2, 3)))
        y = x * 2
        v = y.view(6)
        v[v > 1] = 0.5
        v.sum().backward()
        with pytest.raises(RuntimeError, match=r"second time|freed graph"):
            v.sum().backward()


def test_a_value_of_another_dtype_is_cast_as_in_torch(backend: str) -> None:
    def program(lib: Any) -> list[Any]:
        x = _leaf(lib, np.ones((2, 3)))
        h = lib.tensor(np.ones(3, dtype=np.float32), requires_grad=True)
        y = x * 2
        y.view(6)[1:4] = h * 3
        y[y > 3] = 2  # a Python int into floats
        (y * y).sum().backward()
        return [y, x.grad, h.grad]

    _same(program(pt), program(_torch()))


def test_what_the_quick_write_cannot_take_raises_polytensors_errors(backend: str) -> None:
    x = _leaf(pt, np.ones((2, 3)))
    y = x * 2
    v = y.view(6)
    with pytest.raises(IndexError, match=r"__setitem__\(\): a boolean index of shape \(2,\)"):
        v[pt.tensor([True, False])] = 1.0
    if backend == "numpy":  # (Dask checks when computed; array-api-strict takes no index array)
        with pytest.raises(IndexError, match=r"_put\(\): index 7 is out of bounds"):
            v[pt.tensor([7])] = 1.0
    with pytest.raises(ValueError, match=r"__setitem__\(\) got the value 1e\+40"):
        y.float()[0] = 1e40  # (beyond float32's range)
    y.sum().backward()  # nothing was written
    np.testing.assert_array_equal(_np(x.grad), np.full((2, 3), 2.0))


def test_an_index_or_value_on_another_device_raises_value_error() -> None:
    pytest.importorskip("array_api_strict")
    here, there = "array_api_strict:CPU_DEVICE", "array_api_strict:device1"
    x = pt.asarray([[1.0, 2.0], [3.0, 4.0]], device=here, requires_grad=True)
    y = x * 1
    message = r"__setitem__\(\) got tensors on two devices"
    with pytest.raises(ValueError, match=message):
        y[pt.asarray([True, False], device=there)] = 0.0
    with pytest.raises(ValueError, match=message):
        y[:, 1] = pt.asarray([5.0, 6.0], device=there, requires_grad=True)
    y[pt.asarray([True, False], device=here)] = 7.0
    y[:, 1] = pt.asarray([5.0, 6.0], device=here)
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.to_device("cpu").numpy(), [[0.0, 0.0], [6.0, 0.0]])
