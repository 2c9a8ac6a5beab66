"""Reductions spelled PyTorch's way at their edges give PyTorch's values, dtypes and gradients
on every available backend: ``dim`` 0 or -1 of a 0-d tensor (the tensor itself), booleans
summed in a ``dtype=``, and a NaN searched in the rows of an N-d sorted sequence (it sorts
last). Known values first; the same calls compared with torch where it is installed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

# (name, value of a 0-d 2.0 along dim 0, its gradient) of the differentiable reductions
ZERO_D = [
    ("sum", 2.0, 1.0),
    ("mean", 2.0, 1.0),
    ("prod", 2.0, 1.0),
    ("nansum", 2.0, 1.0),
    ("nanmean", 2.0, 1.0),
]


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize(("name", "value", "grad"), ZERO_D, ids=[r[0] for r in ZERO_D])
def test_reduction_along_dim_of_a_0d_tensor_differentiates(
    backend: str, name: str, value: float, grad: float, dim: int, keepdim: bool
) -> None:
    for spelled in ("function", "method"):
        x = pt.asarray(2.0, dtype=pt.float64, requires_grad=True)
        fn = getattr(pt, name) if spelled == "function" else getattr(x, name, None)
        if fn is None:
            continue
        y = fn(x, dim, keepdim=keepdim) if spelled == "function" else fn(dim, keepdim=keepdim)
        assert y.shape == ()
        assert float(_host(y)) == value
        y.backward()
        assert float(_host(x.grad)) == grad


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
def test_std_and_var_along_dim_of_a_0d_tensor(backend: str, dim: int, keepdim: bool) -> None:
    x = pt.asarray(3.0, dtype=pt.float64, requires_grad=True)
    assert float(_host(pt.var(x, dim, correction=0, keepdim=keepdim))) == 0.0
    assert float(_host(x.std(dim=dim, unbiased=False, keepdim=keepdim))) == 0.0
    v, m = pt.var_mean(x, dim, correction=0, keepdim=keepdim)
    assert (float(_host(v)), float(_host(m))) == (0.0, 3.0)
    pt.var(x, dim, correction=0, keepdim=keepdim).backward()
    assert float(_host(x.grad)) == 0.0
    with pytest.raises(IndexError):
        pt.std(x, 1)
    with pytest.raises(IndexError):
        x.sum(dim=1)


@pytest.mark.parametrize("keepdim", [False, True])
def test_median_along_dim_of_a_0d_tensor_is_0d(backend: str, keepdim: bool) -> None:
    x = pt.asarray(2.5, dtype=pt.float64, requires_grad=True)
    values, indices = pt.median(x, -1, keepdim=keepdim)
    assert values.shape == () and indices.shape == ()
    assert float(_host(values)) == 2.5 and int(_host(indices)) == 0
    values.backward()
    assert float(_host(x.grad)) == 1.0


@pytest.mark.parametrize("dim", [None, 1])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_sum_and_prod_of_booleans_in_a_dtype(backend: str, dtype: str, dim: Any) -> None:
    b = pt.asarray([[True, False, True], [True, True, True]])
    want_sum, want_prod = ([2, 3], [0, 1]) if dim == 1 else (5, 0)
    kw = {} if dim is None else {"dim": dim}
    for got, want in [
        (pt.sum(b, dtype=getattr(pt, dtype), **kw), want_sum),
        (b.sum(dtype=getattr(pt, dtype), **kw), want_sum),
        (pt.nansum(b, dtype=getattr(pt, dtype), **kw), want_sum),
        (pt.prod(b, dtype=getattr(pt, dtype), **kw), want_prod),
        (b.prod(dtype=getattr(pt, dtype), **kw), want_prod),
    ]:
        assert got.dtype == getattr(pt, dtype)
        assert _host(got).tolist() == want


@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_of_rows_puts_a_nan_last(backend: str, right: bool) -> None:
    seq = pt.asarray([[-1.0, 0.0, 1.0], [0.0, 1.0, 2.0]])
    values = pt.asarray([[float("nan"), 0.5], [float("nan"), float("inf")]])
    got = pt.searchsorted(seq, values, right=right)
    assert _host(got).tolist() == [[3, 2], [3, 3]]
    # a row holding a NaN: a NaN value goes before it searching left, after it right
    seq = pt.asarray([[0.0, 1.0, float("nan")]])
    got = pt.searchsorted(seq, pt.asarray([[float("nan"), 1.0]]), right=right)
    assert _host(got).tolist() == [[3 if right else 2, 2 if right else 1]]
    one_d = pt.searchsorted(seq[0], pt.asarray([float("nan"), 1.0]), right=right)
    assert _host(one_d).tolist() == _host(got)[0].tolist()  # (as the 1-d search)


def test_the_edges_match_torch(backend: str) -> None:
    torch = pytest.importorskip("torch")
    for name, _, _ in ZERO_D:
        for dim in (0, -1):
            for keepdim in (False, True):
                x, t = (
                    pt.asarray(2.0, dtype=pt.float64, requires_grad=True),
                    torch.tensor(2.0, dtype=torch.float64, requires_grad=True),
                )
                y = getattr(pt, name)(x, dim, keepdim=keepdim)
                r = getattr(torch, name)(t, dim, keepdim=keepdim)
                assert tuple(y.shape) == tuple(r.shape)
                np.testing.assert_array_equal(_host(y), r.detach().numpy())
                y.backward()
                r.backward()
                np.testing.assert_array_equal(_host(x.grad), t.grad.numpy())
    for keepdim in (False, True):
        v, i = pt.median(pt.asarray(2.5), 0, keepdim=keepdim)
        tv, ti = torch.median(torch.tensor(2.5), 0, keepdim=keepdim)
        assert (tuple(v.shape), tuple(i.shape)) == (tuple(tv.shape), tuple(ti.shape))
        v, m = pt.std_mean(pt.asarray(3.0, dtype=pt.float64), 0, correction=0, keepdim=keepdim)
        tv, tm = torch.std_mean(torch.tensor(3.0, dtype=torch.float64), 0, correction=0)
        assert (float(_host(v)), float(_host(m))) == (tv.item(), tm.item())
    b = np.array([[True, False, True], [True, True, True]])
    for name in ("sum", "prod", "nansum"):
        for dtype in ("float32", "int32"):
            got = getattr(pt, name)(pt.asarray(b), dtype=getattr(pt, dtype), dim=1)
            ref = getattr(torch, name)(torch.tensor(b), dtype=getattr(torch, dtype), dim=1)
            assert got.dtype.name == str(ref.dtype).removeprefix("torch.")
            np.testing.assert_array_equal(_host(got), ref.numpy())
    seq = np.array([[-1.0, 0.0, 1.0], [0.0, 1.0, 2.0]])
    values = np.array([[np.nan, 0.5], [np.nan, np.inf]])
    for right in (False, True):
        got = pt.searchsorted(pt.asarray(seq), pt.asarray(values), right=right)
        ref = torch.searchsorted(torch.tensor(seq), torch.tensor(values), right=right)
        np.testing.assert_array_equal(_host(got), ref.numpy())
