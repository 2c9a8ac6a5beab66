"""The views that programs take at every step (``x[0]``, ``x[:, 1]``, ``x.T``, ``x.t()``,
``x.view(-1, 8)``, ``x.reshape``, ``x.unsqueeze(0)``, ``x.flatten()``, ``x.permute``) go
straight to the backend (``_tensor_ops.quick_view``). Each gives what the table's function
gives: the same values, a view that writes through to its base, the same gradient and the
same recorded op, on every backend; and PyTorch's errors where the arguments are wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor._ops.indexing import _getitem as table_getitem
from polytensor._ops.indexing import _plain

BACKENDS = ["numpy", "dask", "array_api_strict"]

# (the idiom, the table's function it stands for)
EVERY_OTHER = (slice(None, None, 2), slice(1, None))
EVEN, NEW = slice(None, None, 2), (None, None, slice(1, None), None)
IDIOMS: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = [
    ("x[1]", lambda x: x[1], lambda x: table_getitem(x, 1)),
    ("x[-1]", lambda x: x[-1], lambda x: table_getitem(x, -1)),
    ("x[:, 1]", lambda x: x[:, 1], lambda x: table_getitem(x, (slice(None), 1))),
    ("x[1:3]", lambda x: x[1:3], lambda x: table_getitem(x, slice(1, 3))),
    ("x[::2, 1:]", lambda x: x[::2, 1:], lambda x: table_getitem(x, EVERY_OTHER)),
    ("x[1, 2]", lambda x: x[1, 2], lambda x: table_getitem(x, (1, 2))),
    ("x[None, :]", lambda x: x[None, :], lambda x: table_getitem(x, (None, slice(None)))),
    ("x[:, None]", lambda x: x[:, None], lambda x: table_getitem(x, (slice(None), None))),
    ("x[None, 1, ::2]", lambda x: x[None, 1, ::2], lambda x: table_getitem(x, (None, 1, EVEN))),
    ("x[None, None, 1:, None]", lambda x: x[None, None, 1:, None], lambda x: table_getitem(x, NEW)),
    ("x.T", lambda x: x.T, lambda x: pt.permute_dims(x, (1, 0))),
    ("x.t()", lambda x: x.t(), lambda x: pt.permute_dims(x, (1, 0))),
    ("x.transpose(0, 1)", lambda x: x.transpose(0, 1), lambda x: pt.permute_dims(x, (1, 0))),
    ("x.transpose(1, 1)", lambda x: x.transpose(1, 1), lambda x: pt.permute_dims(x, (0, 1))),
    ("x.permute(1, 0)", lambda x: x.permute(1, 0), lambda x: pt.permute_dims(x, (1, 0))),
    ("x.view(-1)", lambda x: x.view(-1), lambda x: pt.reshape(x, (-1,))),
    ("x.view(2, -1)", lambda x: x.view(2, -1), lambda x: pt.reshape(x, (2, 6))),
    ("x.view((3, 4))", lambda x: x.view((3, 4)), lambda x: pt.reshape(x, (3, 4))),
    ("x.reshape(6, 2)", lambda x: x.reshape(6, 2), lambda x: pt.reshape(x, (6, 2))),
    ("x.unsqueeze(0)", lambda x: x.unsqueeze(0), lambda x: pt.expand_dims(x, axis=0)),
    ("x.unsqueeze(-1)", lambda x: x.unsqueeze(-1), lambda x: pt.expand_dims(x, axis=2)),
    ("x.flatten()", lambda x: x.flatten(), lambda x: pt.reshape(x, (-1,))),
    (
        "x.view(4, 1, 3).squeeze(1)",
        lambda x: x.view(4, 1, 3).squeeze(1),
        lambda x: pt.squeeze(pt.reshape(x, (4, 1, 3)), axis=(1,)),
    ),
    (
        "x.view(1, 12).squeeze(-2)",
        lambda x: x.view(1, 12).squeeze(-2),
        lambda x: pt.squeeze(pt.reshape(x, (1, 12)), axis=(0,)),
    ),
    ("x.flatten(1)", lambda x: x.flatten(1), lambda x: pt.reshape(x, (4, 3))),
]


def _data() -> np.ndarray:
    return np.arange(12.0).reshape(4, 3)


# the idioms whose node PyTorch names apart from the table op's (permute_dims: PermuteBackward0)
_TORCH_NAMED = {"x.t()": "TBackward0", "x.transpose(0, 1)": "TransposeBackward0"}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("name", "idiom", "table"), IDIOMS, ids=[i[0] for i in IDIOMS])
def test_the_idiom_gives_the_table_s_values_and_gradient(
    backend: str, name: str, idiom: Callable[[Any], Any], table: Callable[[Any], Any]
) -> None:
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        x = pt.asarray(_data(), requires_grad=True)
        got = idiom(x)
        want = table(x)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
        # recorded as the table records it (under PyTorch's name where it has its own)
        assert got.grad_fn.name() == _TORCH_NAMED.get(name, want.grad_fn.name())
        weights = pt.asarray(np.arange(1.0, 1.0 + want.size).reshape(tuple(want.shape)))
        (got * weights).sum().backward()
        g_idiom = x.grad.numpy().copy()
        x.grad = None
        (table(x) * weights).sum().backward()
        np.testing.assert_array_equal(g_idiom, x.grad.numpy())
        assert np.any(g_idiom != 0)
        # nothing recorded under no_grad, as the table's function
        with pt.no_grad():
            assert idiom(x).grad_fn is None and not idiom(x).requires_grad


@pytest.mark.parametrize(("name", "idiom", "table"), IDIOMS, ids=[i[0] for i in IDIOMS])
def test_the_idiom_is_a_view_that_writes_through(
    name: str, idiom: Callable[[Any], Any], table: Callable[[Any], Any]
) -> None:
    x = pt.asarray(_data())
    v = idiom(x)
    v.fill_(-1.0)
    # the elements the view covers, and only those, were written in x
    np.testing.assert_array_equal(table(x).numpy(), np.full(tuple(v.shape), -1.0))
    assert int((x == -1.0).sum()) == v.size
    # and the view sees a later write into its base
    x.fill_(7.0)
    np.testing.assert_array_equal(v.numpy(), np.full(tuple(v.shape), 7.0))


@pytest.mark.parametrize(("name", "idiom", "table"), IDIOMS, ids=[i[0] for i in IDIOMS])
def test_an_in_place_change_through_the_view_is_differentiated(
    name: str, idiom: Callable[[Any], Any], table: Callable[[Any], Any]
) -> None:
    # y's elements that the view covers are tripled through it: y's gradient says so
    z = pt.asarray(_data())
    idiom(z).fill_(-1.0)
    covered = z.numpy() == -1.0
    x = pt.asarray(_data(), requires_grad=True)
    y = x * 1.0
    idiom(y).mul_(3.0)
    w = pt.asarray(np.arange(1.0, 13.0).reshape(4, 3))
    (y * w).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), w.numpy() * np.where(covered, 3.0, 1.0))
    # a view of a leaf that requires grad is not changed in place, as PyTorch refuses it
    with pytest.raises(RuntimeError, match="leaf"):
        idiom(x).mul_(3.0)


def test_new_axes_with_ints_and_slices_go_straight_to_the_backend() -> None:
    # (x[None, :], x[:, None]: the masked softmax's comparison of positions with lengths)
    shape = (4, 3)
    assert _plain((None, slice(None)), shape) and _plain((slice(1, 3), None, 2), shape)
    assert _plain((None, None, None, 0, None), shape)
    assert not _plain((None, 0, 1, 2), shape)  # (three indices for two axes)
    assert not _plain((None, slice(0, 9)), shape)  # (bounds past the axis: checked)
    # (an array in a key is never compared with None: it is not plain)
    assert not _plain((np.arange(2), None), shape)
    assert not _plain((pt.asarray([0, 1]), None), shape)


def test_the_view_of_a_non_contiguous_tensor_says_to_use_reshape() -> None:
    x = pt.ones((3, 4)).T
    with pytest.raises(RuntimeError, match=r"use \.reshape"):
        x.view(-1)
    assert x.reshape(-1).shape == (12,)  # (a copy, as PyTorch's reshape makes)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda x: x[4], IndexError, "index 4 is out of bounds for axis 0 with size 4"),
        (lambda x: x[0, 0, 0], IndexError, "too many indices"),
        (lambda x: x.view(5, -1), RuntimeError, r"shape \(5, -1\) is invalid for a tensor of 12"),
        (lambda x: x.view(-1, -1), RuntimeError, r"shape \(-1, -1\) is invalid"),
        (lambda x: x.view(-2, 6), RuntimeError, r"shape \(-2, 6\) is invalid"),
        (lambda x: x.reshape(5, 3), ValueError, r"reshape\(\): cannot reshape array of size 12"),
        (lambda x: x.transpose(0, 2), IndexError, r"transpose\(\) expects dimensions in"),
        (lambda x: x.permute(0, 0), ValueError, r"permute_dims\(\): repeated axis"),
        (lambda x: x.permute(0, 1, 2), ValueError, r"permute_dims\(\): axes don't match"),
        (lambda x: x.unsqueeze(3), IndexError, r"expand_dims\(\): axis 3 is out of bounds"),
        (lambda x: x.unsqueeze(1.0), TypeError, r"expand_dims\(\) expects axis= to be an int"),
        (lambda x: x.flatten(2), IndexError, r"flatten\(\) got dimension 2 for a 2-D tensor"),
        (lambda x: x.size(2), IndexError, r"size\(\): dimension out of range"),
        (lambda x: x.squeeze(2), IndexError, r"squeeze\(\) got dimension 2 for a 2-D tensor"),
    ],
)
def test_wrong_arguments_raise_as_before(call: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call(pt.ones((4, 3)))


def test_size_of_a_dimension_and_item() -> None:
    x = pt.ones((4, 3))
    assert (x.size(0), x.size(-1), x.size(1)) == (4, 3, 3)
    assert type(x.size(0)) is int
    loss = (x * 2).sum()
    assert loss.item() == 24.0 and float(loss) == 24.0 and float(x[1, 2]) == 1.0
    with pytest.raises(TypeError, match="complex"):
        float(pt.asarray(1j))


def test_squeeze_of_one_dimension_goes_straight_to_the_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``x.squeeze(d)`` (a decoder step's ``rnn_output.squeeze(0)``) takes the view without
    the table's function; a dimension not of size 1 gives a view of the whole tensor, a new
    tensor, as PyTorch."""
    import polytensor._methods as methods

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("squeeze(d) called the table's function")

    x = pt.ones((1, 3, 1), requires_grad=True)
    monkeypatch.setattr(methods, "squeeze", fail)
    assert x.squeeze(0).shape == (3, 1) and x.squeeze(-1).shape == (1, 3)
    assert x.squeeze(1) is not x and x.squeeze(1).shape == (1, 3, 1)
    assert x.squeeze(0).grad_fn.name() == "SqueezeBackward1"  # (torch's, along a dim)


def test_a_boolean_mask_of_the_tensor_s_shape_goes_straight_to_the_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``x[mask]`` (``masked_select``, a masked loss's ``loss.masked_select(mask)``) indexes on
    the backend as ``x[idx]`` does, recorded as the general path records it; another mask
    shape takes the general path, which names what is wrong."""
    import polytensor._tensor_ops as tensor_ops

    a = np.arange(6.0).reshape(2, 3)
    m = np.array([[True, False, True], [False, True, True]])
    x = pt.asarray(a, requires_grad=True)
    want = tensor_ops._getitem_op(x, pt.asarray(m))
    real = tensor_ops._getitem_op

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("x[mask] took the general path")

    monkeypatch.setattr(tensor_ops, "_getitem_op", fail)
    got = x[pt.asarray(m)]
    assert got.grad_fn.name() == want.grad_fn.name()
    np.testing.assert_array_equal(got.detach().numpy(), a[m])
    (got * pt.arange(1.0, 5.0, dtype=pt.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.where(m, np.cumsum(m).reshape(2, 3), 0))
    monkeypatch.setattr(tensor_ops, "_getitem_op", real)
    with pytest.raises(IndexError, match="does not match the indexed axes"):
        x[pt.asarray([[True, False], [False, True]])]
