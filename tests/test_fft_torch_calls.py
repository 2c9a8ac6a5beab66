"""``pt.fft`` takes PyTorch's calls as well as the standard's: ``n``/``dim``/``norm``
positional, ``dim=``, ``norm=None``, real (and integer) input to complex transforms, and
PyTorch's ``fft2`` family, ``hfftn`` and ``ihfftn``; values and gradients as torch's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt


def test_a_real_signal_is_transformed_as_complex_of_its_precision(backend: str) -> None:
    x = pt.asarray([1.0, 0.0, -1.0, 0.0], device=backend)
    y = pt.fft.fft(x)
    assert y.dtype == pt.complex64
    np.testing.assert_allclose(y.numpy(), [0, 2, 0, 2], atol=1e-6)
    x64 = pt.asarray([1.0, 2.0], dtype=pt.float64, device=backend)
    assert pt.fft.ifft(x64).dtype == pt.complex128
    assert pt.fft.rfft(pt.asarray([1, 2, 3, 4], device=backend)).dtype == pt.complex64
    assert pt.fft.fftn(pt.asarray([[1, 0], [0, 1]], device=backend)).dtype == pt.complex64


def test_pytorchs_positional_and_dim_arguments(backend: str) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 6))
    x = pt.asarray(a, dtype=pt.float64, device=backend)
    np.testing.assert_allclose(pt.fft.fft(x, 8, 0, "ortho").numpy(), np.fft.fft(a, 8, 0, "ortho"))
    np.testing.assert_allclose(pt.fft.rfft(x, dim=0).numpy(), np.fft.rfft(a, axis=0))
    np.testing.assert_allclose(pt.fft.fft(x, norm=None).numpy(), np.fft.fft(a))
    np.testing.assert_allclose(pt.fft.fft2(x).numpy(), np.fft.fft2(a))
    np.testing.assert_allclose(pt.fft.rfft2(x, (4, 4)).numpy(), np.fft.rfft2(a, (4, 4)))
    np.testing.assert_allclose(
        pt.fft.irfft2(pt.fft.rfft2(x)).numpy(), np.fft.irfft2(np.fft.rfft2(a)), atol=1e-12
    )
    np.testing.assert_allclose(pt.fft.fftshift(x, dim=1).numpy(), np.fft.fftshift(a, axes=1))
    np.testing.assert_allclose(pt.fft.fftfreq(5, 0.5).numpy(), np.fft.fftfreq(5, 0.5))
    # (the standard's calls, unchanged)
    np.testing.assert_allclose(
        pt.fft.fft(x, n=4, axis=0, norm="forward").numpy(), np.fft.fft(a, 4, 0, "forward")
    )


def test_hfftn_and_ihfftn_invert_each_other(backend: str) -> None:
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 8))
    x = pt.asarray(a, dtype=pt.float64, device=backend)
    h = pt.fft.ihfftn(x)
    assert tuple(h.shape) == (3, 5)
    np.testing.assert_allclose(pt.fft.hfftn(h, s=(3, 8)).numpy(), a, atol=1e-12)
    np.testing.assert_allclose(pt.fft.hfft2(pt.fft.ihfft2(x), s=(3, 8)).numpy(), a, atol=1e-12)
    # (one axis: NumPy's hfft/ihfft)
    np.testing.assert_allclose(
        pt.fft.ihfftn(x, dim=(1,)).numpy(), np.fft.ihfft(a, axis=1), atol=1e-12
    )


def test_a_real_input_gets_a_real_gradient(backend: str) -> None:
    x = pt.asarray([1.0, 2.0, 3.0, 4.0], dtype=pt.float64, device=backend, requires_grad=True)
    pt.real(pt.fft.fft(x)).sum().backward()
    # (sum over k of Re X_k = n x_0: the gradient is n at 0, 0 elsewhere)
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 0.0, 0.0, 0.0], atol=1e-12)
    assert x.grad.dtype == pt.float64


NAMES = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
NAMES += ["fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2"]
NAMES += ["fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_values_and_gradients_as_torch(name: str, norm: Any) -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed: nothing to compare")
    rng = np.random.default_rng(2)
    real_in = name.startswith(("rfft", "ihfft"))
    a = rng.standard_normal((3, 6)) + (0 if real_in else 1j * rng.standard_normal((3, 6)))
    results = []
    for lib in (pt, torch):
        x = lib.tensor(a, requires_grad=True)
        y = getattr(lib.fft, name)(x, norm=norm)
        w = lib.tensor(np.linspace(0.5, 1.5, int(np.prod(tuple(y.shape)))).reshape(tuple(y.shape)))
        part = lib.real(y) if y.dtype in (lib.complex64, lib.complex128) else y
        (g,) = lib.autograd.grad((part * w).sum(), x)
        if lib is torch:
            y, g = y.resolve_conj(), g.resolve_conj()
        results.append((y.detach().numpy(), g.numpy()))
    (yp, gp), (yt, gt) = results
    np.testing.assert_allclose(yp, yt, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gp, gt, rtol=1e-10, atol=1e-12)


def test_real_input_as_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed: nothing to compare")
    for data, dtype in (([1.0, -2.0, 3.0], "float32"), ([1, 2, 3, 5], "int64")):
        ours = pt.fft.fft(pt.tensor(np.asarray(data, dtype=dtype)))
        theirs = torch.fft.fft(torch.tensor(np.asarray(data, dtype=dtype)))
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_s_without_axes_is_the_last_axes_without_a_warning(backend: str) -> None:
    # (the standard's meaning; NumPy 2 warns when it is given s without axes)
    a = np.arange(12.0).reshape(3, 4)
    x = pt.asarray(a, dtype=pt.float64, device=backend)
    np.testing.assert_allclose(pt.fft.fftn(x, s=(2,)).numpy(), np.fft.fftn(a, s=(2,), axes=(-1,)))
    np.testing.assert_allclose(
        pt.fft.rfftn(x, s=(3, 6)).numpy(), np.fft.rfftn(a, s=(3, 6), axes=(0, 1))
    )
