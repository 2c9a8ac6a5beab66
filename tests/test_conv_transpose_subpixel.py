"""``conv_transpose2d`` on NumPy by phases (``backends/_phase_conv.py``: a stride-1
convolution of the framed input to ``sh * sw * C_out`` channels, interleaved; its gradients
from the output's gradient split by phases with the padding in place) and from an input of one
position (one product): torch's values and float64 gradients for every stride, padding, output
padding and kernel, with infinities and NaNs, and the gradients asked for only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor.backends import _phase_conv, _windows

torch = pytest.importorskip("torch")

# (input shape, weight's (C_out, kh, kw), stride, padding, output_padding)
CASES = {
    "DCGAN 4x4 to 8x8": ((3, 16, 4, 4), (8, 4, 4), (2, 2), (1, 1), (0, 0)),
    "DCGAN 16x16 to 32x32": ((2, 4, 16, 16), (3, 4, 4), (2, 2), (1, 1), (0, 0)),
    "zero taps, output padding": ((2, 3, 5, 4), (4, 3, 5), (2, 2), (1, 1), (1, 1)),
    "stride 3, padding past a phase": ((2, 3, 5, 4), (4, 5, 4), (3, 3), (2, 1), (1, 2)),
    "strides apart": ((2, 3, 5, 4), (4, 4, 3), (2, 3), (0, 1), (1, 2)),
    "stride 1 one way": ((2, 3, 5, 4), (2, 3, 4), (1, 2), (1, 1), (0, 1)),
    "large padding": ((2, 3, 5, 4), (4, 6, 6), (2, 2), (3, 2), (1, 0)),
    "no padding": ((1, 2, 3, 3), (2, 2, 2), (2, 2), (0, 0), (0, 0)),
}

# an input of one position: DCGAN's first layer, and the crops and paddings around it
ONE = {
    "DCGAN 1x1 to 4x4": ((4, 8, 1, 1), (16, 4, 4), (1, 1), (0, 0), (0, 0)),
    "strided, padded": ((3, 2, 1, 1), (3, 4, 3), (2, 3), (1, 1), (1, 2)),
    "cropped to one row": ((2, 3, 1, 1), (2, 3, 3), (1, 1), (1, 1), (0, 0)),
}


def _run(lib: Any, z0: np.ndarray, w0: np.ndarray, seed: Any, needs: Any, **kw: Any) -> list[Any]:
    z = lib.tensor(z0, requires_grad=needs[0])
    w = lib.tensor(w0, requires_grad=needs[1])
    out = lib.nn.functional.conv_transpose2d(z, w, **kw)
    g = np.random.default_rng(2).standard_normal(tuple(out.shape)) if seed is None else seed
    (out * lib.tensor(g.astype(z0.dtype))).sum().backward()
    return [out.detach().numpy(), *(t.grad.numpy() for t in (z, w) if t.requires_grad)]


def _arrays(case: Any, dtype: str) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    shape, (co, kh, kw), stride, padding, output_padding = case
    rng = np.random.default_rng(1)
    z = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((shape[1], co, kh, kw)).astype(dtype)
    return z, w, {"stride": stride, "padding": padding, "output_padding": output_padding}


@pytest.mark.parametrize("backward_by_phases", [True, False])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", list(CASES.values()) + list(ONE.values()), ids=[*CASES, *ONE])
def test_conv_transpose2d_by_phases_gives_torchs_values_and_gradients(
    case: Any, dtype: str, backward_by_phases: bool, monkeypatch: Any
) -> None:
    if backward_by_phases:  # (the backward by phases at small sizes too)
        monkeypatch.setattr(_phase_conv, "_MIN_POSITIONS", 1)
    z, w, kw = _arrays(case, dtype)
    geometry = (case[1][1:], case[2], (1, 1), case[0][2:])
    one = case[0][2:] == (1, 1)
    assert one or _phase_conv.takes_transposed(z.shape, geometry, w.shape[1], z.itemsize)
    tol = 1e-12 if dtype == "float64" else 1e-4
    for needs in ((True, True), (True, False), (False, True)):
        got = _run(pt, z, w, None, needs, **kw)
        want = _run(torch, z, w, None, needs, **kw)
        assert len(got) == len(want)
        for g, r in zip(got, want, strict=True):
            assert g.dtype == np.dtype(dtype)
            np.testing.assert_allclose(g, r, rtol=tol, atol=tol)


def test_conv_transpose2d_kernels_by_phases_agree_with_the_input_gradient_of_conv2d() -> None:
    # the forward by phases against the path it replaces, on arrays
    z, w, _ = _arrays(CASES["zero taps, output padding"], "float64")
    geometry = ((3, 5), (2, 2), (1, 1), (5, 4))
    full = (4 * 2 + 3 + 1, 3 * 2 + 5 + 1)
    got = _phase_conv.conv_transpose2d(z, w, geometry, (full[0] - 2, full[1] - 2), (1, 1))
    like = np.empty((2, 4, *full))
    want = _windows.conv2d_backward(like, w, z, None, geometry, True, False)[0][:, :, 1:-1, 1:-1]
    assert got.flags.c_contiguous
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("backward_by_phases", [True, False])
@pytest.mark.parametrize(
    "where", ["input", "input, zero taps", "weight", "output gradient", "nan input", "one position"]
)
def test_conv_transpose2d_by_phases_with_infinities_and_nans_matches_torch(
    where: str, backward_by_phases: bool, monkeypatch: Any
) -> None:
    # a zero of the frame or a zero tap times an inf would be a NaN that torch does not have:
    # such a weight, input or gradient takes the path without them
    if backward_by_phases:
        monkeypatch.setattr(_phase_conv, "_MIN_POSITIONS", 1)
    case = CASES["zero taps, output padding" if "zero taps" in where else "DCGAN 4x4 to 8x8"]
    if where == "one position":
        case = ONE["strided, padded"]
    z, w, kw = _arrays(case, "float64")
    out = torch.nn.functional.conv_transpose2d(torch.tensor(z), torch.tensor(w), **kw)
    seed = np.random.default_rng(4).standard_normal(tuple(out.shape))
    if where.startswith("input"):
        z[0, 1, 2, 0] = np.inf
        z[1, 2, -1, -1] = -np.inf
    elif where in ("weight", "one position"):
        w[1, 2, -1, 0] = np.inf
    elif where == "output gradient":
        seed[0, 1, -1, -1] = -np.inf
    else:
        z[1, 0, 1, 1] = np.nan
    with np.errstate(invalid="ignore", over="ignore"):
        got = _run(pt, z, w, seed, (True, True), **kw)
    want = _run(torch, z, w, seed, (True, True), **kw)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_of_one_position_is_one_product() -> None:
    z, w, _ = _arrays(ONE["DCGAN 1x1 to 4x4"], "float64")
    got = _windows.conv_transpose2d(z, w, ((4, 4), (1, 1), (1, 1), (1, 1)), (4, 4), (0, 0))
    np.testing.assert_array_equal(got, (z.reshape(4, 8) @ w.reshape(8, -1)).reshape(4, 16, 4, 4))


def test_conv_transpose2d_by_phases_differentiates_twice() -> None:
    rng = np.random.default_rng(5)
    z = pt.asarray(rng.standard_normal((2, 3, 3, 3)), requires_grad=True)
    w = pt.asarray(rng.standard_normal((3, 2, 3, 4)), requires_grad=True)
    one = pt.asarray(rng.standard_normal((2, 3, 1, 1)), requires_grad=True)
    for a in (z, one):
        assert pt.autograd.gradgradcheck(
            lambda x, y: pt.nn.functional.conv_transpose2d(
                x, y, stride=2, padding=1, output_padding=1
            ),
            (a, w),
        )
