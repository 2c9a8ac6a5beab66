"""A second ``backward()`` without ``retain_graph=True`` goes through the nodes whose rules read
no value (``sum``, ``mean``, ``add``, ``subtract``, ``negative``, views), as through PyTorch's
nodes that save no tensor, and raises at a node that held values it released (``x * 2``,
``x * x``, ``exp``), as PyTorch's does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

# (name, the function, whether a second backward goes through: PyTorch's answer)
CASES: list[tuple[str, Callable[[Any, Any], Any], bool]] = [
    ("sum", lambda lib, x: x.sum(), True),
    ("mean", lambda lib, x: x.mean(), True),
    ("add a number", lambda lib, x: (x + 1).sum(), True),
    ("add a constant", lambda lib, x: (x + lib.ones(3)).sum(), True),
    ("subtract a constant", lambda lib, x: (x - lib.ones(3)).sum(), True),
    ("negative", lambda lib, x: (-x).sum(), True),
    ("view", lambda lib, x: x.view(3, 1).sum(), True),
    ("expand", lambda lib, x: x[None].expand(2, 3).sum(), True),
    ("multiply by a number", lambda lib, x: (x * 2).sum(), False),
    ("divide by a number", lambda lib, x: (x / 2).sum(), False),
    ("square", lambda lib, x: (x * x).sum(), False),
    ("exp", lambda lib, x: x.exp().sum(), False),
]


def _twice(lib: Any, f: Callable[[Any, Any], Any]) -> tuple[bool, Any, Any]:
    x = lib.ones(3, requires_grad=True)
    y = f(lib, x)
    y.backward()
    first = np.array(x.grad.tolist())
    try:
        y.backward()
    except RuntimeError:
        return False, first, None
    return True, first, np.array(x.grad.tolist())


@pytest.mark.parametrize(("name", "f", "goes"), CASES, ids=[c[0] for c in CASES])
def test_a_second_backward_goes_through_nodes_that_read_no_value(
    name: str, f: Callable[[Any, Any], Any], goes: bool
) -> None:
    went, first, second = _twice(pt, f)
    assert went is goes
    if goes:
        np.testing.assert_allclose(second, 2 * first)  # (accumulated twice)


@pytest.mark.parametrize(("name", "f", "goes"), CASES, ids=[c[0] for c in CASES])
def test_as_torch(name: str, f: Callable[[Any, Any], Any], goes: bool) -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed: nothing to compare")
    ours, theirs = _twice(pt, f), _twice(torch, f)
    assert ours[0] is theirs[0] is goes
    if goes:
        np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6)


def test_two_losses_through_a_sum_made_once(backend: str) -> None:
    # (h made once, each loss with its own backward: h's node reads nothing)
    w = pt.asarray([1.0, 2.0], device=backend, requires_grad=True)
    b = pt.asarray([0.5, 0.5], device=backend, requires_grad=True)
    h = w + b
    (h * 3.0).sum().backward()
    (h * h).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 3.0 + 2 * np.array([1.5, 2.5]))
    np.testing.assert_allclose(b.grad.numpy(), 3.0 + 2 * np.array([1.5, 2.5]))


def test_a_released_node_below_still_raises() -> None:
    x = pt.ones(3, requires_grad=True)
    y = (x.exp() + 1.0).sum()  # (sum and add read nothing; exp read its output)
    y.backward()
    with pytest.raises(RuntimeError, match="freed graph"):
        y.backward()


def test_large_inputs_are_not_kept_by_such_a_node() -> None:
    # (a node that reads no value keeps a large input as a stand-in: no memory of its own)
    x = pt.ones(100_000, requires_grad=True)
    y = (x + 1.0).sum()
    node = y.grad_fn.next_functions[0][0]
    assert node.datas[0].strides == (0,)  # (zeros of its shape, one element of memory)
    assert node.datas[1] == 1.0
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy()[:3], [2.0, 2.0, 2.0])
