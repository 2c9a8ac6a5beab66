"""``nn.Conv1d`` and ``nn.Conv2d`` take ``padding_mode='reflect'``, ``'replicate'`` and
``'circular'``, as PyTorch's (and ``nn.Conv3d``): the input is padded with ``F.pad`` in that
mode, then convolved without padding; ``padding='same'`` splits ``dilation * (k - 1)`` with
the extra element on the right. Known values written down by hand (torch-free), and a
comparison with torch of values, gradients and reprs where torch is installed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn


def _ones_conv1d(mode: str, padding: Any = 1) -> Any:
    conv = nn.Conv1d(1, 1, 3, padding=padding, padding_mode=mode, bias=False).double()
    with pt.no_grad():
        conv.weight.fill_(1.0)
    return conv


@pytest.mark.parametrize(
    ("mode", "values", "grad"),
    [
        # [1, 2, 3, 4] padded to [2, 1, 2, 3, 4, 3], [1, 1, 2, 3, 4, 4], [4, 1, 2, 3, 4, 1]
        ("reflect", [5.0, 6.0, 9.0, 10.0], [2.0, 4.0, 4.0, 2.0]),
        ("replicate", [4.0, 6.0, 9.0, 11.0], [3.0, 3.0, 3.0, 3.0]),
        ("circular", [7.0, 6.0, 9.0, 8.0], [3.0, 3.0, 3.0, 3.0]),
        ("zeros", [3.0, 6.0, 9.0, 7.0], [2.0, 3.0, 3.0, 2.0]),
    ],
)
def test_conv1d_padding_modes_known_values(mode: str, values: list, grad: list) -> None:
    x = pt.asarray([[[1.0, 2.0, 3.0, 4.0]]], dtype=pt.float64, requires_grad=True)
    y = _ones_conv1d(mode)(x)
    y.sum().backward()
    assert y.detach().numpy().ravel().tolist() == values
    assert x.grad.numpy().ravel().tolist() == grad


def test_conv2d_reflect_same_padding_keeps_the_shape_and_pads_by_reflection() -> None:
    conv = nn.Conv2d(1, 1, 3, padding="same", padding_mode="reflect", bias=False).double()
    with pt.no_grad():
        conv.weight.zero_()
        conv.weight[0, 0, 0, 0] = 1.0  # (the top-left tap: y[i, j] = padded[i, j])
    x = pt.asarray(np.arange(9.0).reshape(1, 1, 3, 3))
    y = conv(x)
    assert tuple(y.shape) == (1, 1, 3, 3)
    # padded rows: reflect [row1, row0, row1, row2, row1]; top-left window reads padded[0, 0]
    assert y.detach().numpy()[0, 0].tolist() == [[4.0, 3.0, 4.0], [1.0, 0.0, 1.0], [4.0, 3.0, 4.0]]
    assert repr(conv) == (
        "Conv2d(1, 1, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=False, "
        "padding_mode=reflect)"
    )


@pytest.mark.parametrize("cls", ["Conv1d", "Conv2d", "Conv3d"])
def test_unknown_padding_mode_is_refused_with_the_modes(cls: str) -> None:
    with pytest.raises(ValueError, match=r"padding_mode must be one of \['zeros', 'reflect'"):
        getattr(nn, cls)(1, 1, 3, padding_mode="mirror")


@pytest.mark.parametrize("cls", ["Conv1d", "Conv2d", "Conv3d"])
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, "same", "valid"], ids=str)
def test_padding_modes_match_torch(cls: str, mode: str, padding: Any) -> None:
    torch = pytest.importorskip("torch", reason="torch is the reference this test compares with")
    rng = np.random.default_rng(3)
    dims = int(cls[4])
    x = rng.standard_normal((2, 3) + (6,) * dims)
    tm = getattr(torch.nn, cls)(3, 2, 3, padding=padding, padding_mode=mode, dilation=1).double()
    pm = getattr(nn, cls)(3, 2, 3, padding=padding, padding_mode=mode, dilation=1).double()
    pm.load_state_dict({k: pt.asarray(v.detach().numpy()) for k, v in tm.state_dict().items()})
    tx = torch.tensor(x, requires_grad=True)
    px = pt.asarray(x, requires_grad=True)
    ty, py = tm(tx), pm(px)
    w = rng.standard_normal(tuple(ty.shape))
    (ty * torch.tensor(w)).sum().backward()
    (py * pt.asarray(w)).sum().backward()
    np.testing.assert_allclose(py.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(px.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pm.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-12)
    assert repr(pm) == repr(tm)
