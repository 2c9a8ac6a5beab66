"""The 3-D layers and their functions (``conv3d``, ``conv_transpose3d``, ``max_pool3d``,
``avg_pool3d``, the adaptive pools, ``BatchNorm3d``, ``InstanceNorm3d``, ``Dropout3d``) give
torch's values, float64 gradients, indices, reprs and argument errors, on every available
backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")
TF = torch.nn.functional

from torch_compare import diff, host, run_both  # noqa: E402

# (torch's own warning about its copy of the input for an even kernel with padding='same')
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


g = np.random.default_rng(5)
X = g.standard_normal((2, 4, 5, 6, 7))
X[0, 0, 0, 0, :3] = 1.0  # a tie in the first windows
VOL = g.standard_normal((4, 5, 4, 6))  # unbatched
W = g.standard_normal((6, 2, 3, 2, 3))
WT = g.standard_normal((4, 3, 3, 2, 3))
B6 = g.standard_normal(6)

CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("conv3d", "conv3d", (diff(X), diff(W), diff(B6)), {"groups": 2}),
    (
        "conv3d_strided",
        "conv3d",
        (diff(X), diff(W)),
        {"stride": (2, 1, 2), "padding": (1, 0, 2), "dilation": (1, 2, 1), "groups": 2},
    ),
    ("conv3d_same", "conv3d", (diff(X), diff(W)), {"padding": "same", "groups": 2}),
    ("conv3d_valid_1x", "conv3d", (diff(X), diff(W[:, :, :1])), {"padding": "valid", "groups": 2}),
    ("conv3d_unbatched", "conv3d", (diff(VOL), diff(W[:, :, :, :1])), {"groups": 2}),
    (
        "conv_transpose3d",
        "conv_transpose3d",
        (diff(X), diff(WT), diff(B6)),
        {"stride": (2, 1, 3), "padding": (1, 0, 1), "output_padding": (1, 0, 2), "groups": 2},
    ),
    (
        "conv_transpose3d_dilated",
        "conv_transpose3d",
        (diff(X), diff(WT)),
        {"stride": 2, "padding": 2, "dilation": (2, 1, 2), "output_padding": 1},
    ),
    ("conv_transpose3d_unbatched", "conv_transpose3d", (diff(VOL), diff(WT)), {}),
    ("max_pool3d", "max_pool3d", (diff(X), 2), {}),
    (
        "max_pool3d_indices",
        "max_pool3d",
        (diff(X), 3),
        {"stride": (2, 1, 2), "padding": 1, "dilation": (1, 2, 1), "return_indices": True},
    ),
    ("max_pool3d_ceil", "max_pool3d", (diff(X), 2), {"ceil_mode": True, "return_indices": True}),
    ("max_pool3d_unbatched", "max_pool3d", (diff(VOL), (2, 3, 2), 1), {"return_indices": True}),
    ("avg_pool3d", "avg_pool3d", (diff(X), 2), {}),
    ("avg_pool3d_pad_ceil", "avg_pool3d", (diff(X), 3, 2, 1, True), {}),
    (
        "avg_pool3d_no_pad_count",
        "avg_pool3d",
        (diff(X), 3, 2, 1, True),
        {"count_include_pad": False},
    ),
    (
        "avg_pool3d_divisor",
        "avg_pool3d",
        (diff(X), (3, 2, 3), (1, 2, 2), (1, 1, 0)),
        {"divisor_override": 5},
    ),
    ("adaptive_avg_pool3d", "adaptive_avg_pool3d", (diff(X), (3, 4, 5)), {}),
    ("adaptive_avg_pool3d_tiles", "adaptive_avg_pool3d", (diff(X[:, :, :4]), (2, 3, None)), {}),
    ("adaptive_avg_pool3d_one", "adaptive_avg_pool3d", (diff(VOL), 1), {}),
    (
        "adaptive_max_pool3d",
        "adaptive_max_pool3d",
        (diff(X), (3, 4, 5)),
        {"return_indices": True},
    ),
    ("adaptive_max_pool3d_unbatched", "adaptive_max_pool3d", (diff(VOL), (1, 2, None)), {}),
]


@pytest.mark.parametrize(("name", "args", "kw"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_3d_function_matches_torch(backend: str, name: str, args: Any, kw: Any) -> None:
    run_both(getattr(F, name), getattr(TF, name), args, kw)


def _copy_params(p_mod: Any, t_mod: Any) -> None:
    """The torch layer's parameters and buffers, copied into the polytensor one."""
    state = {k: pt.asarray(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()}
    p_mod.load_state_dict(state)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv3d_layer_pads_as_torch(backend: str, mode: str) -> None:
    kw = {"padding": "same", "padding_mode": mode, "dilation": (1, 2, 1), "bias": True}
    t_mod = torch.nn.Conv3d(4, 2, (3, 2, 3), **kw).double()
    p_mod = nn.Conv3d(4, 2, (3, 2, 3), dtype=pt.float64, **kw)
    _copy_params(p_mod, t_mod)
    assert repr(p_mod) == repr(t_mod)
    run_both(p_mod, t_mod, (diff(X),))
    t_mod = torch.nn.Conv3d(4, 6, 3, stride=2, padding=(1, 2, 1), padding_mode=mode).double()
    p_mod = nn.Conv3d(4, 6, 3, stride=2, padding=(1, 2, 1), padding_mode=mode, dtype=pt.float64)
    _copy_params(p_mod, t_mod)
    run_both(p_mod, t_mod, (diff(VOL),))


def test_3d_layers_match_torch(backend: str) -> None:
    up_t = torch.nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1).double()
    up_p = nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1, dtype=pt.float64)
    _copy_params(up_p, up_t)
    assert repr(up_p) == repr(up_t)
    run_both(lambda x: up_p(x, output_size=(10, 12, 14)), lambda x: up_t(x, (10, 12, 14)), (X,))
    for p_mod, t_mod in [
        (nn.MaxPool3d(2, return_indices=True), torch.nn.MaxPool3d(2, return_indices=True)),
        (nn.AvgPool3d(3, 2, 1), torch.nn.AvgPool3d(3, 2, 1)),
        (nn.AdaptiveAvgPool3d((1, 2, None)), torch.nn.AdaptiveAvgPool3d((1, 2, None))),
        (nn.AdaptiveMaxPool3d(2), torch.nn.AdaptiveMaxPool3d(2)),
        (
            nn.InstanceNorm3d(4, affine=True, dtype=pt.float64),
            torch.nn.InstanceNorm3d(4, affine=True).double(),
        ),
    ]:
        assert repr(p_mod) == repr(t_mod)
        run_both(p_mod, t_mod, (diff(X),))


def test_batch_norm3d_trains_and_evaluates_as_torch(backend: str) -> None:
    t_mod = torch.nn.BatchNorm3d(4).double()
    p_mod = nn.BatchNorm3d(4, dtype=pt.float64)
    assert repr(p_mod) == repr(t_mod)
    run_both(p_mod, t_mod, (diff(X),))
    np.testing.assert_allclose(host(p_mod.running_var), host(t_mod.running_var), rtol=1e-12)
    p_mod.eval()
    t_mod.eval()
    run_both(p_mod, t_mod, (diff(X[:1]),))
    with pytest.raises(ValueError, match="expected 5D input"):
        p_mod(pt.zeros((2, 4, 3, 3)))


def test_dropout3d_zeroes_whole_channels(backend: str) -> None:
    pt.manual_seed(0)
    x = pt.ones((4, 6, 2, 3, 2), requires_grad=True)
    y = nn.Dropout3d(0.5)(x)
    assert sorted(set(host(y).ravel().tolist())) <= [0.0, 2.0]
    assert bool((y == y[:, :, :1, :1, :1]).all())
    y.sum().backward()
    np.testing.assert_array_equal(host(x.grad), host(y))
    unbatched = F.dropout3d(pt.ones((6, 2, 2, 2)), 0.5)
    assert bool((unbatched == unbatched[:, :1, :1, :1]).all())
    assert F.dropout3d(x, training=False) is x
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        F.dropout3d(pt.ones((2, 3, 4)), 0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout3d(x, 1.5)


def test_3d_functions_reject_bad_arguments_as_torch() -> None:
    x = pt.zeros((1, 2, 4, 4, 4))
    w = pt.zeros((3, 2, 3, 3, 3))
    cases: list[tuple[Any, Any, str]] = [
        (lambda: F.conv3d(pt.zeros((2, 4, 4)), w), RuntimeError, "4-D .* or 5-D"),
        (lambda: F.conv3d(x, pt.zeros((3, 2, 3, 3))), RuntimeError, "5-D weight"),
        (lambda: F.conv3d(x, w, groups=2), RuntimeError, "groups=2"),
        (lambda: F.conv3d(x, w, stride=(1, 2)), RuntimeError, "three ints"),
        (lambda: F.conv3d(x, w, stride=2, padding="same"), RuntimeError, "strided"),
        (lambda: F.conv3d(x, w, padding="full"), ValueError, "'valid', 'same'"),
        (lambda: F.conv3d(x, pt.zeros((3, 2, 5, 3, 3))), RuntimeError, "smaller than"),
        (lambda: F.conv3d(x, w, bias=pt.zeros(2)), RuntimeError, "bias of shape"),
        (lambda: F.conv3d(x, w, stride=1.5), TypeError, "stride"),
        (
            lambda: F.conv_transpose3d(x, pt.zeros((2, 1, 3, 3, 3)), output_padding=1),
            RuntimeError,
            "output_padding",
        ),
        (lambda: F.conv_transpose3d(x, pt.zeros((3, 1, 3, 3, 3))), RuntimeError, "channels"),
        (lambda: F.max_pool3d(x, 3, padding=2), RuntimeError, "half of the effective kernel"),
        (lambda: F.max_pool3d(x, 2, stride=0), RuntimeError, "positive"),
        (lambda: F.max_pool3d(x, (2, 2)), RuntimeError, "three ints"),
        (lambda: F.max_pool3d(pt.zeros((1, 1, 1, 4, 4)), 2), RuntimeError, "too small"),
        (lambda: F.avg_pool3d(x, 2, divisor_override=0), RuntimeError, "nonzero"),
        (lambda: F.avg_pool3d(pt.zeros((1, 1, 2, 2, 2), dtype=pt.int64), 2), TypeError, "float"),
        (lambda: F.adaptive_avg_pool3d(x, (2, 2)), RuntimeError, "3 entries"),
        (lambda: F.adaptive_max_pool3d(x, (2, -1, 1)), RuntimeError, "greater than or equal to 0"),
        (lambda: nn.Conv3d(2, 3, 3, padding_mode="mirror"), ValueError, "padding_mode"),
        (lambda: nn.Conv3d(2, 3, 3, stride=2, padding="same"), ValueError, "strided"),
        (lambda: nn.ConvTranspose3d(2, 3, 3, padding_mode="reflect"), ValueError, "zeros"),
    ]
    for call, error, match in cases:
        with pytest.raises(error, match=match):
            call()
    # what torch refuses alike
    tx = torch.zeros((1, 2, 4, 4, 4))
    with pytest.raises(RuntimeError):
        TF.max_pool3d(tx, 3, padding=2)
    with pytest.raises(RuntimeError):
        TF.max_pool3d(tx, (2, 2))
    with pytest.raises(RuntimeError):
        TF.adaptive_avg_pool3d(tx, (2, 2))
    with pytest.raises(RuntimeError):
        TF.avg_pool3d(tx, 2, divisor_override=0)
