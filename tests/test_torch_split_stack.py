"""PyTorch's functions that cut tensors into pieces, join them and build index patterns
(``pt.tensor_split``, ``hsplit``/``vsplit``/``dsplit``, ``dstack``/``column_stack``/
``row_stack``, ``block_diag``, ``cartesian_prod``, ``combinations``, ``vander``,
``unravel_index``, ``x.unfold``) give torch's values, dtypes and shapes, torch's float64
gradients and torch's refusals, on every available backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import diff, host, run_both  # noqa: E402


def _same(got: Any, want: Any) -> None:
    """``got`` (polytensor) has ``want``'s (torch) type, dtype, shape and values."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), (got, want)
        for g, w in zip(got, want, strict=True):
            _same(g, w)
        return
    assert got.dtype.name == str(want.dtype).removeprefix("torch."), (got.dtype, want.dtype)
    assert tuple(got.shape) == tuple(want.shape), (tuple(got.shape), tuple(want.shape))
    g, w = host(got), want.detach().numpy()
    if w.dtype.kind == "f":
        rtol = 1e-6 if w.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol, equal_nan=True)
    else:
        np.testing.assert_array_equal(g, w)


def _both(fn: Callable[..., Any], *arrays: np.ndarray) -> None:
    """``fn(lib, *tensors)`` in torch and in polytensor: the same result, or both refuse."""
    try:
        want = fn(torch, *(torch.tensor(a) for a in arrays))
    except (RuntimeError, TypeError, ValueError, IndexError, NotImplementedError):
        with pytest.raises((RuntimeError, TypeError, ValueError, IndexError)):
            fn(pt, *(pt.asarray(a.copy()) for a in arrays))
        return
    _same(fn(pt, *(pt.asarray(a.copy()) for a in arrays)), want)


DATA = {
    "float32": np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 5.5,
    "float64": np.linspace(-2.0, 3.0, 24).reshape(2, 3, 4),
    "int64": np.arange(24).reshape(2, 3, 4) - 7,
    "bool": (np.arange(24).reshape(2, 3, 4) % 3) == 0,
}
DTYPES = list(DATA)

SPLITS: dict[str, Callable[..., Any]] = {
    "tensor_split sections": lambda m, x: m.tensor_split(x, 3, dim=2),
    "tensor_split sections more than the length": lambda m, x: m.tensor_split(x, 5, 1),
    "tensor_split indices": lambda m, x: m.tensor_split(x, [1, 3, 2, 9], dim=-1),
    "tensor_split negative index": lambda m, x: m.tensor_split(x, (-2,), 2),
    "tensor_split sections=": lambda m, x: m.tensor_split(x, sections=2),
    "tensor_split indices=": lambda m, x: m.tensor_split(x, indices=[1], dim=1),
    "tensor_split 0-d tensor": lambda m, x: m.tensor_split(x, m.tensor(2), dim=2),
    "tensor_split 1-d tensor": lambda m, x: m.tensor_split(x, m.tensor([1, 2]), dim=1),
    "tensor_split 1-d": lambda m, x: m.tensor_split(x.reshape(-1), 5),
    "x.tensor_split": lambda m, x: x.tensor_split(2, 1),
    "hsplit": lambda m, x: m.hsplit(x, 3),
    "hsplit indices": lambda m, x: m.hsplit(x, [1, 2]),
    "hsplit 1-d": lambda m, x: m.hsplit(x.reshape(-1), 4),
    "x.hsplit": lambda m, x: x.hsplit([2]),
    "vsplit": lambda m, x: m.vsplit(x, 2),
    "x.vsplit indices": lambda m, x: x.vsplit([1]),
    "dsplit": lambda m, x: m.dsplit(x, 2),
    "x.dsplit indices": lambda m, x: x.dsplit([1, 3]),
    "dstack": lambda m, x: m.dstack([x[0, 0], x[1, 1]]),
    "dstack 2-d and 3-d": lambda m, x: m.dstack((x[0], x[1:2].reshape(3, 4, 1))),
    "dstack 0-d": lambda m, x: m.dstack([x[0, 0, 0], x[0, 0, 1]]),
    "column_stack": lambda m, x: m.column_stack([x[0, 0], x[0, :, :4].T]),
    "column_stack 0-d": lambda m, x: m.column_stack([x[0, 0, 0], x[0, 0, 1:2]]),
    "column_stack 3-d": lambda m, x: m.column_stack([x, x[:, :1]]),
    "row_stack": lambda m, x: m.row_stack([x[0, 0], x[1]]),
    "block_diag": lambda m, x: m.block_diag(x[0], x[1, 0], x[0, 0, 0]),
    "block_diag empty blocks": lambda m, x: m.block_diag(x[0, :0], x[0, :1, :0]),
    "cartesian_prod": lambda m, x: m.cartesian_prod(x[0, 0], x[1, 1, :2], x[0, 2, 1:]),
    "cartesian_prod of one": lambda m, x: m.cartesian_prod(x[0, 0]),
    "combinations": lambda m, x: m.combinations(x[0, 0]),
    "combinations r=3": lambda m, x: m.combinations(x[0, 0], r=3),
    "combinations with_replacement": lambda m, x: m.combinations(x[0, 0], 2, True),
    "combinations r=0": lambda m, x: m.combinations(x[0, 0], 0),
    "combinations r too large": lambda m, x: m.combinations(x[0, 0], 5),
    "vander": lambda m, x: m.vander(x[0, 0]),
    "vander N increasing": lambda m, x: m.vander(x[0, 1], N=5, increasing=True),
    "vander N=0": lambda m, x: m.vander(x[0, 1], 0),
    "x.unfold": lambda m, x: x.unfold(2, 2, 1),
    "x.unfold step": lambda m, x: x.unfold(dimension=1, size=2, step=2),
    "x.unfold size 0": lambda m, x: x.unfold(0, 0, 1),
    "x.unfold 0-d": lambda m, x: x[0, 0, 0].unfold(0, 1, 1),
    "x.unfold whole": lambda m, x: x.unfold(-1, 4, 3),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(SPLITS))
def test_pieces_and_joins_match_torch(backend: str, name: str, dtype: str) -> None:
    _both(SPLITS[name], DATA[dtype])


def test_joins_promote_mixed_dtypes_as_torch(backend: str) -> None:
    a, b = np.arange(3), np.linspace(0.0, 1.0, 3).astype(np.float32)
    for fn in (
        lambda m, x, y: m.dstack([x, y]),
        lambda m, x, y: m.column_stack([x, y]),
        lambda m, x, y: m.row_stack([x, y]),
        lambda m, x, y: m.block_diag(x, y),
        lambda m, x, y: m.block_diag(x.int(), y.bool()),
    ):
        _both(fn, a, b)
    _same(pt.block_diag(), torch.block_diag())


def test_unravel_index_matches_torch(backend: str) -> None:
    for idx, shape in (
        (np.array([0, 4, 5, 11]), (2, 3, 2)),
        (np.array([[1, 6], [-1, -7]]), (2, 3)),
        (np.array(4), (2, 3)),
        (np.array([3, 1], dtype=np.int32), 4),
        (np.array([2]), ()),
    ):
        want = torch.unravel_index(torch.tensor(idx), shape)
        _same(pt.unravel_index(pt.asarray(idx), shape), tuple(want))
    _same(pt.unravel_index(pt.asarray([5]), (2, 3)), torch.unravel_index(torch.tensor([5]), (2, 3)))


B = np.random.default_rng(5).standard_normal((3, 4, 5))
V = np.array([0.5, -1.25, 2.0, 0.0])

GRADIENTS: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
    "tensor_split": (lambda m, x: m.cat(m.tensor_split(x, 3, dim=2)[1:], 2) * 2, (diff(B),)),
    "tensor_split indices": (lambda m, x: m.tensor_split(x, [1, 3], 1)[1], (diff(B),)),
    "hsplit": (lambda m, x: m.hsplit(x, 2)[1], (diff(B),)),
    "vsplit": (lambda m, x: m.vsplit(x, [2])[0], (diff(B),)),
    "dsplit": (lambda m, x: m.dsplit(x, [1, 4])[1], (diff(B),)),
    "dstack": (lambda m, x, y: m.dstack([x, y]), (diff(B[0]), diff(B[1]))),
    "column_stack": (lambda m, x, y: m.column_stack([x, y]), (diff(V), diff(B[0]))),
    "row_stack": (lambda m, x, y: m.row_stack([x, y]), (diff(B[0, 0]), diff(B[0]))),
    "block_diag": (lambda m, x, y: m.block_diag(x, y, x[0]), (diff(V), diff(B[0]))),
    "cartesian_prod": (lambda m, x, y: m.cartesian_prod(x, y), (diff(V), diff(B[0, 0]))),
    "combinations": (lambda m, x: m.combinations(x, 3), (diff(V),)),
    "combinations with_replacement": (lambda m, x: m.combinations(x, 2, True), (diff(V),)),
    "x.unfold": (lambda m, x: x.unfold(2, 3, 1), (diff(B),)),
    "x.unfold step": (lambda m, x: x.unfold(0, 2, 1).unfold(1, 2, 2), (diff(B),)),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_float64_gradients_match_torch(backend: str, name: str) -> None:
    fn, args = GRADIENTS[name]
    run_both(lambda *a: fn(pt, *a), lambda *a: fn(torch, *a), args)


def _torch_vander(x: Any, n: int, increasing: bool) -> Any:
    """torch.vander's formula out of place (its own backward raises: it writes in place into
    a tensor saved for the gradient)."""
    powers = torch.cumprod(x[:, None].repeat(1, n - 1), 1)
    out = torch.cat([torch.ones_like(x)[:, None], powers], 1)
    return out if increasing else out.flip(1)


@pytest.mark.parametrize(("n", "increasing"), [(None, False), (6, True), (2, False)])
def test_vander_gradient_matches_torch_formula(backend: str, n: Any, increasing: bool) -> None:
    run_both(
        lambda x: pt.vander(x, n, increasing),
        lambda x: _torch_vander(x, n or len(x), increasing),
        (diff(V),),
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: pt.tensor_split(pt.ones(4), 0), ValueError, r"number of sections must be larger"),
        (lambda: pt.tensor_split(pt.asarray(1.0), 2), ValueError, r"at least a 1-dimensional"),
        (lambda: pt.tensor_split(pt.ones(4), 2.0), TypeError, r"an int number of sections"),
        (lambda: pt.tensor_split(pt.ones(4)), TypeError, r"expects one of indices_or_sections"),
        (
            lambda: pt.tensor_split(pt.ones(4), pt.asarray([[1]])),
            ValueError,
            r"zero-dimensional or one-dimensional tensor",
        ),
        (
            lambda: pt.tensor_split(pt.ones(4), pt.asarray([1.0])),
            TypeError,
            r"to have dtype of long",
        ),
        (lambda: pt.hsplit(pt.ones(7), 2), ValueError, r"not divisible by the split_size 2"),
        (lambda: pt.vsplit(pt.ones(7), 1), ValueError, r"vsplit requires a tensor with at least 2"),
        (lambda: pt.ones(2, 2).dsplit(1), ValueError, r"dsplit requires a tensor with at least 3"),
        (lambda: pt.dstack([]), ValueError, r"non-empty list of tensors"),
        (lambda: pt.column_stack(pt.ones(2)), TypeError, r"expects a list or tuple of tensors"),
        (lambda: pt.block_diag(pt.ones(1, 1, 1)), ValueError, r"must have 2 or fewer dimensions"),
        (lambda: pt.cartesian_prod(pt.ones(2, 2)), ValueError, r"expect a 1D vector"),
        (
            lambda: pt.cartesian_prod(pt.ones(2), pt.asarray([1, 2])),
            TypeError,
            r"to have the same dtype",
        ),
        (lambda: pt.combinations(pt.ones(2, 2)), ValueError, r"expect a 1D vector"),
        (lambda: pt.combinations(pt.ones(2), -1), ValueError, r"non-negative number r"),
        (lambda: pt.vander(pt.ones(2, 2)), ValueError, r"must be a one-dimensional tensor"),
        (lambda: pt.vander(pt.ones(2), -1), ValueError, r"non-negative number N"),
        (lambda: pt.unravel_index(pt.ones(2), (2,)), TypeError, r"to be integer dtype"),
        (lambda: pt.unravel_index(3, (2,)), TypeError, r"indices to be a polytensor Tensor"),
        (lambda: pt.unravel_index(pt.asarray([1]), (2, -3)), ValueError, r"negative values"),
        (lambda: pt.unravel_index(pt.asarray([1]), (2, 0)), ValueError, r"has no elements"),
        (lambda: pt.ones(7).unfold(0, 8, 1), ValueError, r"maximum size for tensor at dimension 0"),
        (lambda: pt.ones(7).unfold(0, 2, 0), ValueError, r"step is 0 but must be > 0"),
        (lambda: pt.ones(7).unfold(0, -1, 1), ValueError, r"size is -1 but must be >= 0"),
        (lambda: pt.ones(7).unfold(1, 2, 1), IndexError, r"dimension out of range"),
    ],
)
def test_refusals_say_what_was_wrong(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_pieces_are_views_and_dask_stays_lazy(backend: str) -> None:
    x = pt.arange(12.0).reshape(3, 4)
    pieces = pt.tensor_split(x, 2, dim=1) + pt.hsplit(x, [1]) + (x.unfold(1, 2, 1),)
    pieces += (pt.dstack([x, x]), pt.block_diag(x, x), pt.combinations(x[0]), pt.vander(x[0]))
    if backend == "dask":
        import dask.array as da

        assert all(isinstance(p._data, da.Array) for p in pieces)
    if backend == "numpy":  # (a slice of a tensor is a view where the library writes in place)
        first = pt.tensor_split(x, 2, dim=1)[0]
        first[0, 0] = 100.0
        assert x[0, 0].item() == 100.0


def test_new_names_are_in_the_namespace_and_on_tensor() -> None:
    for name in ("tensor_split", "hsplit", "vsplit", "dsplit", "dstack", "column_stack"):
        assert name in pt.__all__ and callable(getattr(pt, name))
    for name in ("row_stack", "block_diag", "cartesian_prod", "combinations", "vander"):
        assert name in pt.__all__
    assert "unravel_index" in pt.__all__
    for name in ("tensor_split", "hsplit", "vsplit", "dsplit", "unfold"):
        assert callable(getattr(pt.ones(1), name))
