"""``rms_norm``/``RMSNorm``, checked against values written down from torch 2.13, on every
available backend (no torch needed)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

ALPHA = 1.7580993408473766  # (SELU's alpha times its scale: torch's alpha dropout constant)


def f64(v: Any, grad: bool = False) -> pt.Tensor:
    return pt.asarray(v, dtype=pt.float64, requires_grad=grad)


def close(t: Any, want: Any, rtol: float = 1e-12) -> None:
    np.testing.assert_allclose(np.asarray(t.tolist()), np.asarray(want), rtol=rtol, atol=1e-15)


# -- rms_norm -------------------------------------------------------------------------------------
def test_rms_norm_values_and_gradient(backend: str) -> None:
    x = f64([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], grad=True)
    y = F.rms_norm(x, (3,), f64([0.5, -1.0, 2.0]), eps=1e-6)
    close(
        y,
        [
            [0.23145500014438916, -0.9258200005775566, 2.77746000173267],
            [0.39477100928551706, -0.9869275232137926, 2.3686260557131025],
        ],
    )
    y.sum().backward()
    close(
        x.grad,
        [
            [0.08266253193566792, -0.7604949367062208, 0.47944259595139294],
            [0.006408623876094602, -0.3127406651993644, 0.25634481661759007],
        ],
    )


def test_rms_norm_eps_defaults_to_the_float32_machine_epsilon(backend: str) -> None:
    y = F.rms_norm(pt.asarray([[1e-5, 2e-5]]), (2,))
    assert y.dtype == pt.float32
    close(y, [[0.02893277071416378, 0.05786554142832756]], rtol=1e-6)


def test_rms_norm_refuses_a_shape_that_is_not_the_input_s_last(backend: str) -> None:
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[2\]"):
        F.rms_norm(pt.ones((2, 3)), (2,))
    with pytest.raises(TypeError, match="tuple of ints"):
        F.rms_norm(pt.ones((2, 3)), 3)
    with pytest.raises(RuntimeError, match="same shape as normalized_shape"):
        F.rms_norm(pt.ones((2, 3)), (3,), pt.ones(2))
    with pytest.raises(NotImplementedError, match="floating-point"):
        F.rms_norm(pt.ones((2, 3), dtype=pt.int64), (3,))


def test_rms_norm_layer_has_torch_s_defaults(backend: str) -> None:
    layer = nn.RMSNorm([2, 3])
    assert repr(layer) == "RMSNorm((2, 3), eps=None, elementwise_affine=True)"
    assert list(layer.state_dict()) == ["weight"] and layer.weight.tolist() == [[1.0] * 3] * 2
    assert nn.RMSNorm(3, elementwise_affine=False).weight is None
    x = f64([[3.0, 4.0]])
    close(nn.RMSNorm(2, eps=0.0).double()(x), [[3.0 / 12.5**0.5, 4.0 / 12.5**0.5]])
