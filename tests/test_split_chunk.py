"""``split`` and ``chunk`` as PyTorch's: the same pieces (views of the tensor), the same
gradients, on every backend, and errors that say what was wrong."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]

CASES: list[tuple[tuple[int, ...], str, Any, int]] = [
    ((5, 2), "split", 2, 0),
    ((2, 5), "split", [1, 4], 1),
    ((2, 5), "split", (2, 3), -1),
    ((6,), "split", 6, 0),
    ((3, 4), "split", 10, 1),
    ((0, 3), "split", 2, 0),
    ((2, 6), "chunk", 4, 1),
    ((5,), "chunk", 3, 0),
    ((5,), "chunk", 10, 0),
    ((0, 3), "chunk", 2, 0),
    ((4, 3, 2), "chunk", 2, 1),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("shape", "how", "arg", "dim"), CASES, ids=repr)
def test_pieces_and_gradients_match_torch(
    backend: str, shape: tuple[int, ...], how: str, arg: Any, dim: int
) -> None:
    torch = pytest.importorskip("torch")
    data = np.arange(float(np.prod(shape))).reshape(shape)
    t = torch.tensor(data, requires_grad=True)
    want = getattr(torch, how)(t, arg, dim)
    sum(float(i + 1) * p.sum() for i, p in enumerate(want)).backward()
    with pt.use_backend(backend):
        x = pt.asarray(data, requires_grad=True)
        for got in (getattr(pt, how)(x, arg, dim), getattr(x, how)(arg, dim=dim)):
            assert [tuple(p.shape) for p in got] == [tuple(p.shape) for p in want]
            for g, w in zip(got, want, strict=True):
                np.testing.assert_array_equal(
                    np.asarray(g.detach().to("numpy").numpy()), w.detach()
                )
        x.grad = None
        pieces = getattr(x, how)(arg, dim=dim)
        loss = pt.asarray(0.0)
        for i, p in enumerate(pieces):
            loss = loss + float(i + 1) * p.sum()
        loss.backward()
        np.testing.assert_array_equal(np.asarray(x.grad.to("numpy").numpy()), t.grad.numpy())


def test_a_piece_is_a_view_as_in_torch() -> None:
    x = pt.zeros(4, 2)
    first, _ = x.split(2)
    first.add_(1.0)
    np.testing.assert_array_equal(x.numpy(), [[1.0, 1.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: pt.ones(3).split([1, 1]),
            RuntimeError,
            r"add up to 2, but dimension 0 has length 3",
        ),
        (lambda: pt.ones(3).split(0), RuntimeError, r"split_size 0 .* at least 1"),
        (lambda: pt.ones(3).split(1.5), TypeError, r"split_size to be an int; got float"),
        (lambda: pt.ones(3).split([1, -1, 3]), RuntimeError, r"at least 0; got -1"),
        (lambda: pt.ones(3).chunk(0), RuntimeError, r"chunks must be at least 1"),
        (lambda: pt.ones(3).split(1, dim=2), IndexError, r"dimension out of range"),
        (lambda: pt.split([1.0, 2.0], 1), TypeError, r"expects a polytensor Tensor"),
        (lambda: pt.ones(3).chunk(-1), RuntimeError, r"chunks must be at least 1; got -1"),
        (lambda: pt.split(pt.asarray(5.0), 1), RuntimeError, r"at least 1 dimension; got a 0-d"),
        (lambda: pt.asarray(5.0).chunk(1), RuntimeError, r"at least 1 dimension; got a 0-d"),
        # (NumPy's "only integer scalar arrays can be converted to a scalar index" named no
        # function; torch refuses them with a TypeError too)
        (
            lambda: pt.ones(1, 2, 1).split(np.zeros((3, 0, 4), np.int64)),
            TypeError,
            r"^split\(\) expects split_size to be an int; got ndarray",
        ),
        (
            lambda: pt.split(pt.ones(3), pt.asarray([1, 2])),
            TypeError,
            r"^split\(\) expects split_size to be an int; got Tensor",
        ),
        (
            lambda: pt.ones(3).split([1, np.array([1, 1])]),
            TypeError,
            r"^split\(\) expects a section to be an int; got ndarray",
        ),
        (
            lambda: pt.chunk(pt.ones(3, 4), np.ones((3, 4), np.int32)),
            TypeError,
            r"^chunk\(\) expects chunks to be an int; got ndarray",
        ),
    ],
)
def test_wrong_calls_say_what_was_wrong(call: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()
