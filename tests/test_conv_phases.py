"""A strided conv2d's input gradient on NumPy by phases (backends/_windows.py,
``_input_grad_phases``): the same gradients as the composite built from the table's ops and as
torch's, for conv2d and for conv_transpose2d (whose forward it is), and the tap by tap path
wherever a weight or an output gradient is not finite."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor.backends import _phase_conv, _windows


@pytest.fixture(autouse=True)
def _no_split_input(monkeypatch: Any) -> None:
    # (the convolutions here would go by the split input, backends/_phase_conv.py, tested in
    # test_phase_conv.py; this file tests the path of larger ones)
    monkeypatch.setattr(_phase_conv, "_MAX_BYTES", 0)


def _grads(fn: Any, *arrays: np.ndarray, seed: np.ndarray | None = None) -> list[Any]:
    ts = [pt.asarray(a, requires_grad=True) for a in arrays]
    out = fn(*ts)
    if seed is None:
        seed = _seed(out.shape, arrays[0].dtype)
    (out * pt.asarray(seed)).sum().backward()
    return [out.detach().numpy(), *[t.grad.numpy() for t in ts]]


CASES = [
    # (shape, weight's (O, kh, kw), stride, padding)
    ((2, 3, 16, 16), (5, 4, 4), (2, 2), (1, 1)),  # DCGAN's
    ((3, 2, 17, 19), (4, 3, 3), (2, 2), (1, 1)),  # odd sizes: H not a multiple of the stride
    ((2, 4, 20, 13), (3, 5, 2), (3, 2), (2, 1)),  # kernel not a multiple of the stride
    ((1, 2, 26, 26), (2, 4, 4), (3, 3), (0, 0)),  # a row past the last window: zero
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("shape", "wshape", "stride", "padding"), CASES)
def test_conv2d_input_gradient_by_phases_matches_the_composite_and_torch(
    dtype: str, shape: Any, wshape: Any, stride: Any, padding: Any, monkeypatch: Any
) -> None:
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(_windows, "_PHASED_MIN", 1)  # (small outputs, phases all the same)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((wshape[0], shape[1], *wshape[1:])).astype(dtype)
    ph, pw = padding
    hp, wp = shape[2] + 2 * ph, shape[3] + 2 * pw
    ho, wo = (hp - wshape[1]) // stride[0] + 1, (wp - wshape[2]) // stride[1] + 1
    geometry = (wshape[1:], stride, (1, 1), (ho, wo))
    assert _windows._phased(geometry)
    got = _grads(lambda a, b: F.conv2d(a, b, stride=stride, padding=padding), x, w)

    def composite(a: Any, b: Any) -> Any:
        return F._conv2d_windows(F._pad_hw(a, ph, ph, pw, pw), b, geometry, 1)

    want = _grads(composite, x, w)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    out = torch.nn.functional.conv2d(tx, tw, stride=stride, padding=padding)
    (out * torch.tensor(_seed(out.shape, dtype))).sum().backward()
    ref = [out.detach().numpy(), tx.grad.numpy(), tw.grad.numpy()]
    tol = 1e-4 if dtype == "float32" else 1e-12
    for g, c, r in zip(got, want, ref, strict=True):
        assert g.dtype == np.dtype(dtype)
        np.testing.assert_allclose(g, c, rtol=tol, atol=tol)
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol)


def _seed(shape: Any, dtype: Any) -> np.ndarray:
    return np.random.default_rng(1).standard_normal(tuple(shape)).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("shape", "cout", "k", "stride", "padding", "output_padding"),
    [
        ((2, 16, 16, 16), 8, 4, 2, 1, 0),
        ((3, 5, 7, 9), 4, 3, 2, 1, 1),
        ((2, 4, 6, 6), 3, 5, 3, 2, 2),
    ],
)
def test_conv_transpose2d_by_phases_matches_torch(
    dtype: str,
    shape: Any,
    cout: int,
    k: int,
    stride: int,
    padding: int,
    output_padding: int,
    monkeypatch: Any,
) -> None:
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(_windows, "_PHASED_MIN", 1)
    rng = np.random.default_rng(2)
    z = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((shape[1], cout, k, k)).astype(dtype)
    kw = {"stride": stride, "padding": padding, "output_padding": output_padding}
    got = _grads(lambda a, b: F.conv_transpose2d(a, b, **kw), z, w)
    tz, tw = torch.tensor(z, requires_grad=True), torch.tensor(w, requires_grad=True)
    out = torch.nn.functional.conv_transpose2d(tz, tw, **kw)
    (out * torch.tensor(_seed(out.shape, dtype))).sum().backward()
    tol = 1e-4 if dtype == "float32" else 1e-12
    for g, r in zip(got, [out.detach().numpy(), tz.grad.numpy(), tw.grad.numpy()], strict=True):
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol)


@pytest.mark.parametrize("where", ["weight", "output gradient"])
def test_conv2d_phases_leave_infinities_to_the_tap_by_tap_path(where: str) -> None:
    # a zero of the padding or a zero tap times an infinity would be a NaN the composite does
    # not have: a weight or gradient that is not finite takes the path without them
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3, 16, 16)), rng.standard_normal((4, 3, 3, 3))
    seed = rng.standard_normal((2, 4, 8, 8))
    if where == "weight":
        w[1, 2, 2, 0] = np.inf
    else:
        seed[0, 1, 7, 7] = -np.inf
    geometry = ((3, 3), (2, 2), (1, 1), (8, 8))
    assert _windows._phased(geometry)

    def composite(a: Any, b: Any) -> Any:
        return F._conv2d_windows(F._pad_hw(a, 1, 1, 1, 1), b, geometry, 1)

    with np.errstate(invalid="ignore"):
        got = _grads(lambda a, b: F.conv2d(a, b, stride=2, padding=1), x, w, seed=seed)
        want = _grads(composite, x, w, seed=seed)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12)


def test_conv2d_by_phases_differentiates_twice(monkeypatch: Any) -> None:
    monkeypatch.setattr(_windows, "_PHASED_MIN", 1)
    rng = np.random.default_rng(4)
    x = pt.asarray(rng.standard_normal((2, 2, 7, 7)), requires_grad=True)
    w = pt.asarray(rng.standard_normal((3, 2, 4, 4)), requires_grad=True)
    assert pt.autograd.gradgradcheck(lambda a, b: F.conv2d(a, b, stride=2, padding=1), (x, w))
    assert pt.autograd.gradgradcheck(
        lambda a, b: F.conv_transpose2d(a, b, stride=2, padding=1),
        (x, pt.permute_dims(w, (1, 0, 2, 3))),
    )
