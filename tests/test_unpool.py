"""Max pooling's indices (``return_indices=True`` in 1-D and 2-D) and ``max_unpool1d/2d/3d``
with their layers, against torch: indices bit for bit (ties, NaN, padding, dilation,
ceil_mode), the unpooled planes and their gradients, ``output_size``, errors, on NumPy, Dask
and array-api-strict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _backend_param(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


@pytest.fixture(params=[_backend_param(b) for b in ("numpy", "dask", "array_api_strict")])
def backend(request: pytest.FixtureRequest) -> str:
    pt.set_backend(request.param)
    return str(request.param)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


GEOMETRIES = [
    (2, None, 0, 1, False),
    (3, 2, 1, 1, False),
    (3, 2, 1, 2, True),
    ((2, 3), (1, 2), (1, 1), 1, True),
    (3, 1, 0, 1, False),
]


def _input(shape: tuple[int, ...]) -> np.ndarray:
    x = np.random.default_rng(0).standard_normal(shape)
    x.flat[::7] = 0.5  # (ties)
    return x


@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_max_pool2d_indices_and_unpool_match_torch(backend: str, geometry: Any) -> None:
    # (array-api-strict has no assignment at index arrays: unpooling refuses there)
    strict = backend == "array_api_strict"
    k, s, p, d, ceil = geometry
    x = _input((2, 3, 7, 9))
    xp, xt = pt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    vp, ip = F.max_pool2d(xp, k, s, p, d, ceil, return_indices=True)
    vt, it = TF.max_pool2d(xt, k, s, p, d, ceil, return_indices=True)
    np.testing.assert_array_equal(_host(vp), vt.detach().numpy())
    np.testing.assert_array_equal(_host(ip), it.numpy())
    assert ip.dtype == pt.int64
    if d == 1 and not strict:  # (torch's unpool ignores dilation: undilated sizes invert)
        size = x.shape[-2:]
        up = F.max_unpool2d(vp * 2.0, ip, k, s, p, output_size=size)
        ut = TF.max_unpool2d(vt * 2.0, it, k, s, p, output_size=size)
        np.testing.assert_array_equal(_host(up), ut.detach().numpy())
        r = np.random.default_rng(1).standard_normal(tuple(ut.shape))
        (up * pt.tensor(r)).sum().backward()
        (ut * torch.tensor(r)).sum().backward()
        np.testing.assert_allclose(_host(xp.grad), xt.grad.numpy(), rtol=1e-12)


def test_nan_windows_and_1d_and_3d(backend: str) -> None:
    x = _input((2, 2, 9))
    x[0, 0, 3] = np.nan
    vp, ip = F.max_pool1d(pt.tensor(x), 3, 2, 1, return_indices=True)
    vt, it = TF.max_pool1d(torch.tensor(x), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(_host(ip), it.numpy())
    np.testing.assert_array_equal(_host(vp), vt.numpy())
    if backend == "array_api_strict":
        with pytest.raises(NotImplementedError, match=r"max_unpool1d\(\).*to\('numpy'\)"):
            F.max_unpool1d(vp, ip, 3, 2, 1)
        return
    np.testing.assert_array_equal(
        _host(F.max_unpool1d(vp, ip, 3, 2, 1)), TF.max_unpool1d(vt, it, 3, 2, 1).numpy()
    )
    x3 = _input((1, 2, 4, 4, 4))
    vp, ip = F.max_pool3d(pt.tensor(x3), 2, return_indices=True)
    vt, it = TF.max_pool3d(torch.tensor(x3), 2, return_indices=True)
    np.testing.assert_array_equal(
        _host(F.max_unpool3d(vp, ip, 2)), TF.max_unpool3d(vt, it, 2).numpy()
    )


def test_layers_as_torch() -> None:
    x = _input((1, 2, 6, 6))
    pool_p, unpool_p = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    pool_t, unpool_t = torch.nn.MaxPool2d(2, return_indices=True), torch.nn.MaxUnpool2d(2)
    out_p, idx_p = pool_p(pt.tensor(x))
    out_t, idx_t = pool_t(torch.tensor(x))
    got = unpool_p(out_p, idx_p, output_size=(1, 2, 7, 7))
    want = unpool_t(out_t, idx_t, output_size=(1, 2, 7, 7))
    np.testing.assert_array_equal(_host(got), want.numpy())
    assert repr(unpool_p) == repr(unpool_t)
    _, idx1 = nn.MaxPool1d(2, return_indices=True)(pt.tensor(x[0]))
    assert tuple(idx1.shape) == (2, 6, 3)
    assert repr(nn.MaxUnpool1d(3, 1)) == repr(torch.nn.MaxUnpool1d(3, 1))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda: F.max_unpool2d(pt.ones((1, 1, 2, 2)), pt.zeros((1, 1, 2, 2)), 2),
            TypeError,
            "int64 indices",
        ),
        (
            lambda: F.max_unpool2d(
                pt.ones((1, 1, 2, 2)), pt.zeros((1, 1, 2, 1), dtype=pt.int64), 2
            ),
            ValueError,
            "shape",
        ),
        (
            lambda: F.max_unpool2d(
                pt.ones((1, 1, 2, 2)), pt.zeros((1, 1, 2, 2), dtype=pt.int64), 2, output_size=(9, 9)
            ),
            ValueError,
            "output_size",
        ),
        (
            lambda: F.max_unpool2d(
                pt.ones((1, 1, 1, 1)), pt.full((1, 1, 1, 1), 4, dtype=pt.int64), 2
            ),
            IndexError,
            "outside",
        ),
    ],
)
def test_errors(call: Any, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        call()
