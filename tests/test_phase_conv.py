"""A strided conv2d on NumPy by its input split by phases (backends/_phase_conv.py): the same
values and gradients as torch's and as the composite built from the table's ops, for every
stride, padding, kernel and dilation conv2d and conv_transpose2d accept, with NaNs and
infinities, differentiable twice; other backends keep the composite."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor.backends import _phase_conv

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _small_outputs_too(monkeypatch: Any) -> None:
    # (the small convolutions here go by phases as the large ones do)
    monkeypatch.setattr(_phase_conv, "_MIN_POSITIONS", 1)
    monkeypatch.setattr(_phase_conv, "_MIN_POSITIONS_WHOLE", 1)


def _seed(shape: Any, dtype: Any) -> np.ndarray:
    return np.random.default_rng(1).standard_normal(tuple(shape)).astype(dtype)


def _both(name: str, x: np.ndarray, w: np.ndarray, seed: Any = None, **kw: Any) -> list[Any]:
    """[polytensor's, torch's] (output, input's gradient, weight's gradient) of ``name``."""
    res = []
    for lib in (pt, torch):
        tx = lib.tensor(x, requires_grad=True)
        tw = lib.tensor(w, requires_grad=True)
        out = getattr(lib.nn.functional, name)(tx, tw, **kw)
        g = _seed(out.shape, x.dtype) if seed is None else seed
        (out * lib.tensor(g)).sum().backward()
        res.append([out.detach().numpy(), tx.grad.numpy(), tw.grad.numpy()])
    return res


def _geometry(shape: Any, k: Any, stride: Any, padding: Any, dilation: Any) -> Any:
    hp, wp = shape[2] + 2 * padding[0], shape[3] + 2 * padding[1]
    ho = (hp - dilation[0] * (k[0] - 1) - 1) // stride[0] + 1
    wo = (wp - dilation[1] * (k[1] - 1) - 1) // stride[1] + 1
    return (k, stride, dilation, (ho, wo)), (shape[0], shape[1], hp, wp)


# (kernel, stride, padding, dilation, groups): kernels multiples of the stride and not (zero
# taps), inputs with rows past the last window, a dilation and groups (the other paths)
CASES = [
    (k, s, p, d, g)
    for k, s, p, d, g in itertools.product(
        [(4, 4), (3, 3), (2, 5), (5, 3)], [(2, 2), (2, 3), (3, 1)], [(0, 0), (1, 2)], [(1, 1)], [1]
    )
] + [((3, 3), (2, 2), (1, 1), (2, 1), 1), ((4, 4), (2, 2), (1, 1), (1, 1), 2)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("k", "s", "p", "d", "groups"), CASES)
def test_strided_conv2d_matches_torch_and_the_composite(
    dtype: str, k: Any, s: Any, p: Any, d: Any, groups: int
) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 13, 12)).astype(dtype)
    w = rng.standard_normal((6, 4 // groups, *k)).astype(dtype)
    kw = {"stride": s, "padding": p, "dilation": d, "groups": groups}
    got, want = _both("conv2d", x, w, **kw)
    geometry, padded = _geometry(x.shape, k, s, p, d)
    assert _phase_conv.takes(padded, geometry, x.itemsize) == (d == (1, 1) and k >= s)

    def composite(a: Any, b: Any) -> Any:
        return F._conv2d_windows(F._pad_hw(a, p[0], p[0], p[1], p[1]), b, geometry, groups)

    ts = [pt.asarray(a, requires_grad=True) for a in (x, w)]
    out = composite(*ts)
    (out * pt.asarray(_seed(out.shape, dtype))).sum().backward()
    table = [out.detach().numpy(), *(t.grad.numpy() for t in ts)]
    tol = 1e-4 if dtype == "float32" else 1e-12
    for g, r, c in zip(got, want, table, strict=True):
        assert g.dtype == np.dtype(dtype)
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol)
        np.testing.assert_allclose(g, c, rtol=tol, atol=tol)


@pytest.mark.parametrize("k", [4, 3])
@pytest.mark.parametrize("where", ["input", "weight", "output gradient", "nan input"])
def test_strided_conv2d_with_infinities_and_nans_matches_torch(k: int, where: str) -> None:
    # a wide position, a zero tap or a zero of the padding times an inf would be a NaN that
    # torch does not have
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3, 16, 16)), rng.standard_normal((4, 3, k, k))
    seed = rng.standard_normal((2, 4, 8, 8))
    if where == "input":
        x[0, 1, 5, 0] = np.inf  # read past row 4's end at the wide positions
        x[1, 2, 15, 15] = -np.inf
    elif where == "weight":
        w[1, 2, k - 1, 0] = np.inf
    elif where == "output gradient":
        seed[0, 1, 7, 7] = -np.inf
    else:
        x[1, 0, 3, 3] = np.nan
    with np.errstate(invalid="ignore", over="ignore"):
        got, want = _both("conv2d", x, w, seed=seed, stride=2, padding=1)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    ("k", "s", "p", "op"),
    [(4, 2, 1, 0), (3, 2, 1, 1), (5, 3, 2, 2), (4, 2, 0, 0), ((4, 3), (2, 3), (1, 0), (1, 2))],
)
def test_strided_conv_transpose2d_matches_torch(
    dtype: str, k: Any, s: Any, p: Any, op: Any
) -> None:
    rng = np.random.default_rng(2)
    z = rng.standard_normal((2, 6, 5, 7)).astype(dtype)
    w = rng.standard_normal((6, 3, *((k, k) if isinstance(k, int) else k))).astype(dtype)
    got, want = _both("conv_transpose2d", z, w, stride=s, padding=p, output_padding=op)
    tol = 1e-4 if dtype == "float32" else 1e-12
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol)


def test_strided_conv2d_kernels_give_only_the_gradients_asked_for() -> None:
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 3, 10, 10)), rng.standard_normal((4, 3, 4, 4))
    for needs in ((True, False), (False, True)):
        ts = [pt.asarray(a, requires_grad=n) for a, n in zip((x, w), needs, strict=True)]
        F.conv2d(*ts, stride=2, padding=1).sum().backward()
        assert [t.grad is not None for t in ts] == list(needs)


def test_strided_conv2d_by_the_split_input_differentiates_twice() -> None:
    rng = np.random.default_rng(4)
    x = pt.asarray(rng.standard_normal((2, 2, 7, 7)), requires_grad=True)
    w = pt.asarray(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    assert pt.autograd.gradgradcheck(lambda a, b: F.conv2d(a, b, stride=2, padding=1), (x, w))
    assert pt.autograd.gradgradcheck(
        lambda a, b: F.conv_transpose2d(a, b, stride=2, padding=1),
        (x, pt.permute_dims(w, (1, 0, 2, 3))),
    )


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_strided_conv2d_on_other_backends_takes_the_composite(backend: str) -> None:
    pytest.importorskip(backend)
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((2, 3, 10, 10)), rng.standard_normal((4, 3, 4, 4))
    with pt.use_backend(backend):
        tx = pt.asarray(x, requires_grad=True)
        tw = pt.asarray(w, requires_grad=True)
        assert tx._backend.windows is None  # (no kernels: the table's ops)
        out = F.conv2d(tx, tw, stride=2, padding=1)
        assert out.grad_fn.name() != "ConvolutionBackward0"  # (the kernel's node)
        out.sum().backward()
        got = [out.detach().numpy(), tx.grad.numpy(), tw.grad.numpy()]
    t = [torch.tensor(a, requires_grad=True) for a in (x, w)]
    ref = torch.nn.functional.conv2d(*t, stride=2, padding=1)
    ref.sum().backward()
    for g, r in zip(got, [ref.detach().numpy(), t[0].grad.numpy(), t[1].grad.numpy()], strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12)


def test_strided_conv2d_goes_by_phases_from_64_or_256_output_positions(monkeypatch: Any) -> None:
    monkeypatch.undo()  # (the module's own thresholds)
    # a kernel of whole phases from 64 output positions (DCGAN's 8x8), else from 256
    assert _phase_conv.takes((8, 8, 34, 34), ((4, 4), (2, 2), (1, 1), (16, 16)), 4)
    assert _phase_conv.takes((8, 8, 18, 18), ((4, 4), (2, 2), (1, 1), (8, 8)), 4)
    assert not _phase_conv.takes((8, 32, 10, 10), ((4, 4), (2, 2), (1, 1), (4, 4)), 4)
    assert not _phase_conv.takes((8, 8, 17, 17), ((3, 3), (2, 2), (1, 1), (8, 8)), 4)
    assert _phase_conv.takes((8, 8, 33, 33), ((3, 3), (2, 2), (1, 1), (16, 16)), 4)


def test_strided_conv2d_input_gradient_is_the_transposed_convolution_by_phases() -> None:
    # (_phase_conv.conv2d_backward's input gradient: conv_transpose2d by phases, uncropped)
    rng = np.random.default_rng(7)
    w, g = rng.standard_normal((6, 4, 3, 5)), rng.standard_normal((2, 6, 7, 4))
    geometry = ((3, 5), (2, 3), (1, 1), (7, 4))
    gx, _ = _phase_conv.conv2d_backward((2, 4, 16, 15), w, g, None, geometry, True, False)
    want = torch.nn.functional.conv_transpose2d(
        torch.tensor(g), torch.tensor(w), stride=(2, 3), output_padding=(1, 1)
    )
    assert gx.shape == (2, 4, 16, 15) and gx.flags.c_contiguous
    np.testing.assert_allclose(gx, want.numpy(), rtol=1e-12, atol=1e-12)
