"""Chunking on Dask: options in Dask's forms fit tensors of every rank, gradients keep their
primal's chunks, and data-dependent lengths give a clear error instead of a crash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

pytest.importorskip("dask.array", reason="the dask backend needs dask installed")


def chunks(t: pt.Tensor) -> tuple[tuple[int, ...], ...]:
    return t._data.chunks  # type: ignore[no-any-return]


MAKERS: dict[str, Callable[[tuple[int, ...]], pt.Tensor]] = {
    "zeros": lambda s: pt.zeros(s),
    "ones": lambda s: pt.ones(s),
    "empty": lambda s: pt.empty(s),
    "full": lambda s: pt.full(s, 2.0),
    "randn": lambda s: pt.randn(s),
    "rand": lambda s: pt.rand(s),
    "randint": lambda s: pt.randint(0, 5, s),
    "asarray": lambda s: pt.asarray(np.zeros(s, dtype=np.float32)),
}


@pytest.mark.parametrize("maker", sorted(MAKERS))
def test_a_tuple_option_fits_tensors_of_every_rank(maker: str) -> None:
    make = MAKERS[maker]
    with pt.use_backend("dask", chunks=(4, 3)):
        assert chunks(make((10, 6))) == ((4, 4, 2), (3, 3))
        # a 1-d tensor gets the leading entry: a vector lines up with a matrix's rows
        assert chunks(make((10,))) == ((4, 4, 2),)
        # more axes than entries: the rest are chunked "auto"
        assert chunks(make((10, 6, 5)))[:2] == ((4, 4, 2), (3, 3))
        assert make(()).shape == ()


def test_arange_linspace_and_eye_fit_the_option() -> None:
    with pt.use_backend("dask", chunks=(4, 3)):
        assert chunks(pt.arange(10)) == ((4, 4, 2),)
        assert chunks(pt.linspace(0, 1, 10)) == ((4, 4, 2),)
        assert chunks(pt.eye(5)) == ((4, 1), (3, 2))


@pytest.mark.parametrize(
    ("option", "want"),
    [
        ("auto", ((1000,),)),
        ("1KiB", ((128,) * 7 + (104,),)),
        ({0: 300}, ((300, 300, 300, 100),)),
        ({1: 300}, ((1000,),)),  # an axis the tensor does not have is dropped
        (250, ((250,) * 4,)),
        ([400, 5], ((400, 400, 200),)),
        (((500, 500), (3,)), ((500, 500),)),
        (((2, 2), (3,)), ((1000,),)),  # explicit blocks that do not add up: "auto"
    ],
    ids=str,
)
def test_the_option_takes_dasks_forms(option: Any, want: Any) -> None:
    with pt.use_backend("dask", chunks=option):
        t = pt.zeros(1000, dtype=pt.float64)
        assert chunks(t) == want
        assert chunks(pt.randn(1000, dtype=pt.float64)) == want


def test_a_per_call_chunks_overrides_the_option_and_other_backends_ignore_it() -> None:
    with pt.use_backend("dask", chunks=(4, 3)):
        assert chunks(pt.zeros(12, chunks=6)) == ((6, 6),)
        assert chunks(pt.full((12, 2), 1.0, chunks={0: 5})) == ((5, 5, 2), (2,))
        assert chunks(pt.randn(12, 2, chunks="auto")) == ((12,), (2,))
    assert pt.zeros(3, chunks=2).shape == (3,)  # NumPy: no chunks


def _leaves() -> tuple[pt.Tensor, pt.Tensor, pt.Tensor]:
    pt.manual_seed(0)
    with pt.use_backend("dask", chunks=(4, 3)):
        x = pt.randn(12, 6, dtype=pt.float64, requires_grad=True)
        w = pt.randn(6, dtype=pt.float64, chunks=(4,), requires_grad=True)
        v = pt.randn(12, dtype=pt.float64, requires_grad=True)
    return x, w, v


LOSSES: dict[str, Callable[[pt.Tensor, pt.Tensor, pt.Tensor], pt.Tensor]] = {
    "elementwise": lambda x, w, v: (pt.exp(x) * x).sum() + (pt.sin(v) * v).sum(),
    "matmul": lambda x, w, v: ((x @ w - v) ** 2).mean(),
    "transposed matmul": lambda x, w, v: (x.T @ v).sum() + (w @ x.T).sum(),
    "sum and mean over an axis": lambda x, w, v: x.sum(dim=0).sum() + x.mean(dim=1).sum(),
    "broadcast": lambda x, w, v: (x + v[:, None] + w).sum(),
    "reshape": lambda x, w, v: (x.reshape(6, 12) ** 2).sum() + (x.reshape(-1) ** 3).sum(),
    "slices": lambda x, w, v: (x[1:5, ::2] ** 2).sum() + (x[3] ** 2).sum() + v[2:].sum(),
    "integer indexing": lambda x, w, v: (x[pt.asarray([0, 3, 3], device=x.device)] ** 2).sum(),
}


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_gradients_have_their_primals_chunks(loss: str) -> None:
    x, w, v = _leaves()
    out = LOSSES[loss](x, w, v)
    out.backward()
    for t in (x, w, v):
        if t.grad is not None:
            assert chunks(t.grad) == chunks(t), loss
    # and the same values as on NumPy
    xn, wn, vn = (pt.asarray(t.detach().numpy(), requires_grad=True) for t in (x, w, v))
    LOSSES[loss](xn, wn, vn).backward()
    for t, tn in ((x, xn), (w, wn), (v, vn)):
        if t.grad is not None:
            assert tn.grad is not None
            np.testing.assert_allclose(t.grad.numpy(), tn.grad.numpy(), rtol=1e-12)


def test_a_broadcast_gradient_is_not_one_big_chunk() -> None:
    x = pt.randn(100_000, 8, dtype=pt.float64, device="dask", chunks=(10_000, 8))
    x.requires_grad_()
    x.mean().backward()
    assert x.grad is not None and chunks(x.grad)[0] == (10_000,) * 10


def _masked() -> pt.Tensor:
    pt.manual_seed(3)
    x = pt.randn(20, dtype=pt.float64, device="dask", chunks=5)
    return x[x > 0]


@pytest.mark.parametrize(
    ("what", "call"),
    [
        ("__getitem__", lambda y: y[1:]),
        ("__getitem__", lambda y: y[2]),
        ("reshape", lambda y: y.reshape(2, -1)),
    ],
)
def test_a_data_dependent_length_gives_an_error_that_names_the_way_out(
    what: str, call: Callable[[pt.Tensor], pt.Tensor]
) -> None:
    y = _masked()
    assert y.shape == (None,)
    with pytest.raises(NotImplementedError, match=rf"{what}\(\).*pt\.compute.*to\(\"numpy\"\)"):
        call(y)


def test_a_data_dependent_tensor_works_whole_and_after_compute() -> None:
    y = _masked()
    assert y[:].shape == (None,) and y[...].shape == (None,)
    assert float(y.sum().item()) > 0
    (c,) = pt.compute(y)
    n = c.shape[0]
    assert n is not None and c[1:].shape == (n - 1,)
    np.testing.assert_array_equal(c[1:].numpy(), y.to("numpy").numpy()[1:])
