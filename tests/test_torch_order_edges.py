"""Order statistics and reductions at their edges give PyTorch's values, shapes and gradients
on every available backend: ties of ``nanmedian()`` share the gradient, the median of nothing
is NaN, ``mode`` of a tensor with no lanes is empty, ``argsort``/``topk`` of a 0-d tensor,
``cumprod`` of one element, a histogram of nothing, an infinite-order norm over an empty
dimension (refused) and the gradient of ``nanmean`` of NaNs only (NaN). Known values first;
the same calls compared with torch where it is installed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

NAN, INF = float("nan"), float("inf")


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


@pytest.mark.parametrize("name", ["median", "nanmedian"])
def test_median_of_all_elements_shares_the_gradient_among_ties(backend: str, name: str) -> None:
    for values, want in [
        ([1.0, 1.0, 2.0, 1.0, 3.0], [1 / 3, 1 / 3, 0.0, 1 / 3, 0.0]),
        ([-0.0, 0.0, 1.0, 0.0, -1.0], [1 / 3, 1 / 3, 0.0, 1 / 3, 0.0]),
    ]:
        x = pt.asarray(values, dtype=pt.float64, requires_grad=True)
        getattr(x, name)().backward()
        np.testing.assert_allclose(_host(x.grad), want, rtol=1e-15)
    # nanmedian leaves the NaNs out: the three 1s share it
    x = pt.asarray([1.0, NAN, 1.0, 2.0, 1.0, 3.0], dtype=pt.float64, requires_grad=True)
    y = pt.nanmedian(x)
    assert float(_host(y)) == 1.0
    y.backward()
    np.testing.assert_allclose(_host(x.grad), [1 / 3, 0, 1 / 3, 0, 1 / 3, 0], rtol=1e-15)


@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0)])
@pytest.mark.parametrize("name", ["median", "nanmedian"])
def test_median_of_no_elements_is_nan(backend: str, name: str, shape: tuple[int, ...]) -> None:
    x = pt.zeros(shape, dtype=pt.float64, requires_grad=True)
    y = getattr(pt, name)(x)
    assert y.shape == () and y.dtype == pt.float64
    assert np.isnan(float(_host(y)))
    y.backward()
    assert x.grad.shape == shape
    with pytest.raises(IndexError, match="empty"):
        getattr(pt, name)(pt.zeros((2, 0)), 1)  # (along an empty dim: refused, as PyTorch)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "int32", "bool"])
def test_mode_of_a_tensor_with_no_lanes_is_empty(backend: str, dtype: str, keepdim: bool) -> None:
    x = pt.zeros((2, 0, 3), dtype=getattr(pt, dtype))
    values, indices = pt.mode(x, -1, keepdim=keepdim)
    want = (2, 0, 1) if keepdim else (2, 0)
    assert values.shape == want and indices.shape == want
    assert values.dtype == x.dtype and indices.dtype == pt.int64
    values, indices = x.mode(0)
    assert values.shape == (0, 3) and indices.shape == (0, 3)
    with pytest.raises(IndexError, match="non-zero size"):
        pt.mode(x, 1)  # (the reduced dim empty: refused, as PyTorch)


def test_mode_of_no_lanes_differentiates(backend: str) -> None:
    x = pt.zeros((2, 0, 3), dtype=pt.float64, requires_grad=True)
    pt.mode(x, -1).values.sum().backward()
    assert x.grad.shape == (2, 0, 3)


@pytest.mark.parametrize("descending", [False, True])
def test_argsort_of_a_0d_tensor_is_0d(backend: str, descending: bool) -> None:
    x = pt.asarray(3.0)
    for got in (
        pt.argsort(x, descending=descending),
        pt.argsort(x, 0, descending=descending),
        x.argsort(-1, descending),
        pt.argsort(pt.asarray(True)),
    ):
        assert got.shape == () and got.dtype == pt.int64 and int(_host(got)) == 0
    with pytest.raises(IndexError):
        pt.argsort(x, 1)


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("k", [0, 1])
def test_topk_of_a_0d_tensor_is_the_element(backend: str, k: int, largest: bool) -> None:
    x = pt.asarray(3.0, dtype=pt.float64, requires_grad=True)
    values, indices = pt.topk(x, k, largest=largest)
    assert values.shape == () and indices.shape == ()
    assert float(_host(values)) == 3.0 and int(_host(indices)) == 0
    values.backward()
    assert float(_host(x.grad)) == 1.0
    with pytest.raises(RuntimeError, match="not in range"):
        pt.topk(x, 2)


@pytest.mark.parametrize("value", [INF, -INF, NAN, 2.0])
def test_cumprod_of_one_element_has_gradient_one(backend: str, value: float) -> None:
    for shape in [(), (1,), (3, 1)]:
        x = pt.full(shape, value, dtype=pt.float64, requires_grad=True)
        y = pt.cumprod(x, -1)
        np.testing.assert_array_equal(_host(y), np.full(shape, value))
        y.sum().backward()
        np.testing.assert_array_equal(_host(x.grad), np.ones(shape))


@pytest.mark.parametrize("shape", [(0,), (0, 3)])
def test_histogram_of_no_data_spans_0_to_1(backend: str, shape: tuple[int, ...]) -> None:
    hist, edges = pt.histogram(pt.zeros(shape, dtype=pt.float64), bins=4)
    assert _host(hist).tolist() == [0.0] * 4
    assert _host(edges).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    # a range given is kept (one point widened by a half each way, as for data)
    _, edges = pt.histogram(pt.zeros(shape), bins=2, range=(2.0, 2.0))
    assert _host(edges).tolist() == [1.5, 2.0, 2.5]


@pytest.mark.parametrize("p", [INF, -INF])
def test_an_infinite_order_norm_over_an_empty_dim_is_refused(backend: str, p: float) -> None:
    x = pt.zeros((3, 0), dtype=pt.float64)
    for call in (
        lambda: pt.norm(x, p=p, dim=1),
        lambda: x.norm(p, 1),
        lambda: pt.norm(x, p=p),
        lambda: pt.linalg.norm(x, p, dim=1),
        lambda: pt.linalg.norm(pt.zeros(0), p),
    ):
        with pytest.raises(RuntimeError, match=r"norm on .*empty.*does not have an identity"):
            call()
    # over the dimension that is not empty (no lanes: empty), and finite orders, as before
    assert pt.norm(x, p=p, dim=0).shape == (0,)
    assert _host(pt.norm(x, p=2, dim=1)).tolist() == [0.0, 0.0, 0.0]
    assert _host(x.norm(1, 1)).tolist() == [0.0, 0.0, 0.0]


def test_nanmean_of_nans_only_has_a_nan_gradient(backend: str) -> None:
    x = pt.asarray([[NAN, NAN], [1.0, 2.0], [NAN, 4.0]], dtype=pt.float64, requires_grad=True)
    y = pt.nanmean(x, 1)
    np.testing.assert_array_equal(_host(y), [NAN, 1.5, 4.0])
    y.sum().backward()
    np.testing.assert_array_equal(_host(x.grad), [[NAN, NAN], [0.5, 0.5], [0.0, 1.0]])
    x = pt.asarray([NAN, NAN], dtype=pt.float64, requires_grad=True)
    y = pt.nanmean(x, keepdim=True)
    assert y.shape == (1,) and np.isnan(_host(y)).all()
    y.sum().backward()
    assert np.isnan(_host(x.grad)).all()


def _pair(torch: Any, values: Any, dtype: str = "float64") -> tuple[Any, Any]:
    return (
        pt.asarray(np.asarray(values, dtype=dtype), requires_grad=dtype == "float64"),
        torch.tensor(np.asarray(values, dtype=dtype), requires_grad=dtype == "float64"),
    )


def _same(got: Any, ref: Any) -> None:
    assert tuple(got.shape) == tuple(ref.shape)
    assert got.dtype.name == str(ref.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(_host(got), ref.detach().numpy())


def test_the_edges_match_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    for name in ("median", "nanmedian"):
        for values in ([1.0, 1.0, 2.0, 1.0, 3.0], [1.0, NAN, 1.0, 2.0], np.zeros((0, 3))):
            x, t = _pair(torch, values)
            y, r = getattr(x, name)(), getattr(t, name)()
            _same(y, r)
            y.backward()
            r.backward()
            np.testing.assert_allclose(_host(x.grad), t.grad.numpy(), rtol=1e-15)
    for dtype in ("float64", "int32", "bool"):
        for dim, keepdim in ((-1, False), (0, True), (2, True)):
            x, t = _pair(torch, np.zeros((2, 0, 3)), dtype)
            for got, ref in zip(pt.mode(x, dim, keepdim), torch.mode(t, dim, keepdim), strict=True):
                _same(got, ref)
    for descending in (False, True):
        x, t = _pair(torch, 3.0)
        _same(pt.argsort(x, descending=descending), torch.argsort(t, descending=descending))
        for k in (0, 1):
            x, t = _pair(torch, 3.0)
            got, ref = pt.topk(x, k, largest=descending), torch.topk(t, k, largest=descending)
            _same(got.indices, ref.indices)
            _same(got.values, ref.values)
            got.values.backward()
            ref.values.backward()
            _same(x.grad, t.grad)
    for value in (INF, -INF, NAN):
        for shape in ((), (1,), (3, 1)):
            x, t = _pair(torch, np.full(shape, value))
            pt.cumprod(x, -1).sum().backward()
            torch.cumprod(t, -1).sum().backward()
            _same(x.grad, t.grad)
    for shape in ((0,), (0, 3)):
        for bins in (1, 4):
            x, t = _pair(torch, np.zeros(shape), "float32")
            for got, ref in zip(
                pt.histogram(x, bins=bins), torch.histogram(t, bins=bins), strict=True
            ):
                _same(got, ref)
    for p in (INF, -INF):
        for dim in (1, None):
            x, t = _pair(torch, np.zeros((3, 0)))
            with pytest.raises(RuntimeError) as mine:
                pt.norm(x, p=p, dim=dim)
            with pytest.raises(RuntimeError) as theirs:
                torch.norm(t, p=p, dim=dim)
            assert "identity" in str(mine.value) and "identity" in str(theirs.value)
        _same(pt.norm(pt.zeros((3, 0)), p=p, dim=0), torch.norm(torch.zeros((3, 0)), p=p, dim=0))
    x, t = _pair(torch, [[NAN, NAN], [1.0, 2.0], [NAN, 4.0]])
    y, r = pt.nanmean(x, 1), torch.nanmean(t, 1)
    _same(y, r)
    y.sum().backward()
    r.sum().backward()
    _same(x.grad, t.grad)
