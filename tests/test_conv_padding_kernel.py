"""A padded conv2d on NumPy is one node whose kernel pads (nn/_window_kernels.py, backends/
_windows.py): the same values and gradients as PyTorch's for every padding, stride and
dilation, through each of the kernel's paths (columns kept or a chunk at a time, wide columns,
phases), with NaNs and infinities, gradients differentiated again through the composite, and
the table's ops on the other backends."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor.backends import _windows


def _torch_and_pt(
    x0: np.ndarray, w0: np.ndarray, backend: str = "numpy", **kw: Any
) -> tuple[list[Any], list[Any], Any]:
    torch = pytest.importorskip("torch")
    out_shape = torch.nn.functional.conv2d(torch.from_numpy(x0), torch.from_numpy(w0), **kw).shape
    g0 = np.random.default_rng(2).standard_normal(tuple(out_shape)).astype(x0.dtype)
    res = []
    nodes: Any = None
    for lib in (torch, pt):
        with pt.use_backend(backend):
            x = lib.tensor(x0, requires_grad=True)
            w = lib.tensor(w0, requires_grad=True)
            y = lib.nn.functional.conv2d(x, w, **kw)
            nodes = [y.grad_fn.name(), *[f and f.name() for f, _ in y.grad_fn.next_functions]]
            y.backward(lib.tensor(g0))
            res.append([y.detach().numpy(), x.grad.numpy(), w.grad.numpy()])
    return res[0], res[1], nodes


GEOMETRIES = [
    # each: the input's shape, the kernel, stride, padding and dilation
    ((2, 3, 8, 8), (3, 3), 1, 1, 1),  # ResNet's
    ((2, 1, 12, 12), (5, 5), 1, 2, 1),  # LeNet's
    ((2, 3, 13, 11), (7, 7), 2, 3, 1),  # ResNet's stem
    ((2, 4, 8, 8), (3, 3), 2, 1, 1),  # a small strided one
    ((2, 4, 32, 32), (4, 4), 2, 1, 1),  # DCGAN's discriminator: by phases
    ((2, 3, 9, 10), (3, 2), (2, 1), (1, 2), (2, 1)),
    ((1, 2, 5, 6), (1, 1), 1, (2, 0), 1),
    ((2, 2, 7, 7), (3, 3), 3, (0, 1), (1, 2)),
    ((2, 2, 6, 7), (2, 3), 1, "same", (2, 1)),
    ((3, 12, 9, 18), (5, 5), 1, 2, 1),  # wide columns where not kept
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("shape", "kernel", "stride", "padding", "dilation"), GEOMETRIES)
@pytest.mark.parametrize("chunked", [False, True])
def test_padded_conv2d_kernel_matches_torch(
    dtype: str,
    shape: Any,
    kernel: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    chunked: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if chunked:  # as for a large batch: columns a sample at a time, wide where they may be
        monkeypatch.setattr(_windows, "_KEEP_BYTES", 0)
        monkeypatch.setattr(_windows, "_CHUNK_BYTES", 1)
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(shape).astype(dtype)
    w0 = rng.standard_normal((5, shape[1], *kernel)).astype(dtype)
    kw = {"stride": stride, "padding": padding, "dilation": dilation}
    want, got, nodes = _torch_and_pt(x0, w0, **kw)
    tol = 1e-4 if dtype == "float32" else 1e-11
    for g, r in zip(got, want, strict=True):
        assert g.dtype == r.dtype
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol)
    # one node, straight from the leaves: no concatenations before it
    assert nodes[:3] == ["ConvolutionBackward0", "AccumulateGrad", "AccumulateGrad"]


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("where", ["input", "weight"])
def test_padded_conv2d_kernel_matches_torch_with_nans_and_infinities(
    stride: int, where: str
) -> None:
    rng = np.random.default_rng(1)
    x0 = rng.standard_normal((2, 3, 32, 32))  # (at stride 2: by phases)
    w0 = rng.standard_normal((4, 3, 4, 4))
    a = x0 if where == "input" else w0
    a[0, 1, 2, 3], a[1, 2, 0, 0] = np.inf, np.nan
    a[0, 0, -1, -1] = -np.inf
    with np.errstate(invalid="ignore"):  # (inf * 0 and inf - inf in the sums: NaNs, in both)
        want, got, _ = _torch_and_pt(x0, w0, stride=stride, padding=1)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-11, atol=1e-11)


def test_padded_conv2d_kernel_gives_only_the_gradients_asked_for() -> None:
    rng = np.random.default_rng(2)
    x = pt.asarray(rng.standard_normal((2, 3, 8, 8)))
    w = pt.asarray(rng.standard_normal((5, 3, 3, 3)), requires_grad=True)
    F.conv2d(x, w, padding=1).sum().backward()
    assert w.grad is not None and x.grad is None
    xg = pt.asarray(rng.standard_normal((2, 3, 8, 8)), requires_grad=True)
    wn = pt.asarray(rng.standard_normal((5, 3, 3, 3)))
    F.conv2d(xg, wn, padding=(2, 1)).sum().backward()
    assert xg.grad is not None and tuple(xg.grad.shape) == (2, 3, 8, 8)


@pytest.mark.parametrize(("stride", "padding"), [(1, 1), (2, 1), (2, (0, 2)), (1, "same")])
def test_padded_conv2d_kernel_second_derivatives_match_torch(stride: int, padding: Any) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x0, w0 = rng.standard_normal((2, 2, 6, 7)), rng.standard_normal((3, 2, 3, 3))

    def second(lib: Any) -> list[np.ndarray]:
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(w0, requires_grad=True)
        y = lib.nn.functional.conv2d(x, w, stride=stride, padding=padding)
        gx, gw = lib.autograd.grad((y * y).sum(), [x, w], create_graph=True)
        hx, hw = lib.autograd.grad((gx * gx).sum() + (gw * gw).sum(), [x, w])
        return [gx.detach().numpy(), gw.detach().numpy(), hx.numpy(), hw.numpy()]

    for g, r in zip(second(pt), second(torch), strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-10)
    x = pt.asarray(x0, requires_grad=True)
    w = pt.asarray(w0, requires_grad=True)
    assert pt.autograd.gradgradcheck(
        lambda a, b: F.conv2d(a, b, stride=stride, padding=padding), (x, w)
    )


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_padded_conv2d_on_other_backends_takes_the_table_s_ops(backend: str) -> None:
    pytest.importorskip(backend)
    rng = np.random.default_rng(4)
    x0, w0 = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 3))
    want, got, nodes = _torch_and_pt(x0, w0, backend, stride=2, padding=1)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12)
    assert nodes[0] != "ConvolutionBackward0"
