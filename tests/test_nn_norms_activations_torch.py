"""Group, instance and local response normalisation, the padding layers and the activations
``mish``, ``hardswish``, ``hardsigmoid``, ``glu``, ``channel_shuffle``, ``selu``, ``celu``,
``softsign``, ``tanhshrink``, ``softshrink``, ``hardshrink``, ``threshold`` and ``rrelu`` give
torch's values and float64 gradients (at the kinks too), running statistics, reprs and errors,
on every available backend."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")
TF = torch.nn.functional

from torch_compare import diff, host, run_both  # noqa: E402

g = np.random.default_rng(11)
# the kinks of the piecewise activations, and values on both sides of them
KINKS = np.array([-4.0, -3.0, -1.5, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 3.0, 5.0, 30.0])
X3 = g.standard_normal((2, 6, 5))
X4 = g.standard_normal((2, 4, 3, 5))
C6 = g.uniform(0.5, 1.5, 6)
C4 = g.uniform(0.5, 1.5, 4)

ACTIVATIONS: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("mish", "mish", (diff(KINKS),), {}),
    ("hardswish", "hardswish", (diff(KINKS),), {}),
    ("selu", "selu", (diff(KINKS),), {}),
    ("celu", "celu", (diff(KINKS),), {"alpha": 0.5}),
    ("softsign", "softsign", (diff(KINKS),), {}),
    ("tanhshrink", "tanhshrink", (diff(KINKS),), {}),
    ("softshrink", "softshrink", (diff(KINKS),), {}),
    ("softshrink_1", "softshrink", (diff(KINKS), 1.0), {}),
    ("hardshrink", "hardshrink", (diff(KINKS),), {"lambd": 0.25}),
    ("threshold", "threshold", (diff(KINKS), 0.5, -2.0), {}),
    ("rrelu_eval", "rrelu", (diff(KINKS),), {}),
    ("glu_last", "glu", (diff(X4[..., :4]),), {}),
    ("glu_dim1", "glu", (diff(X3),), {"dim": 1}),
    ("channel_shuffle", "channel_shuffle", (diff(X3), 3), {}),
    ("channel_shuffle_4d", "channel_shuffle", (diff(X4), 2), {}),
    ("group_norm", "group_norm", (diff(X3), 3), {}),
    ("group_norm_affine", "group_norm", (diff(X3), 2, diff(C6), diff(C6 - 1)), {"eps": 1e-3}),
    ("group_norm_4d", "group_norm", (diff(X4), 4, diff(C4)), {}),
    ("instance_norm", "instance_norm", (diff(X3),), {}),
    ("instance_norm_affine", "instance_norm", (diff(X4),), {"weight": diff(C4), "bias": diff(C4)}),
    ("lrn_3d", "local_response_norm", (diff(X3), 3), {}),
    ("lrn_4d", "local_response_norm", (diff(X4), 2), {"alpha": 0.5, "beta": 0.6, "k": 2.0}),
    ("lrn_wide", "local_response_norm", (diff(X3), 8), {"alpha": 0.3}),
]


@pytest.mark.parametrize(
    ("name", "args", "kw"), [c[1:] for c in ACTIVATIONS], ids=[c[0] for c in ACTIVATIONS]
)
def test_function_matches_torch(backend: str, name: str, args: Any, kw: Any) -> None:
    run_both(getattr(F, name), getattr(TF, name), args, kw)


IMG = g.standard_normal((2, 3, 4, 5))
SEQ = g.standard_normal((2, 3, 5))
PLANE = g.standard_normal((3, 4, 5))

LAYERS: list[tuple[str, str, tuple[Any, ...], Any]] = [
    ("Mish", "Mish", (), KINKS),
    ("Hardswish", "Hardswish", (), KINKS),
    ("GLU", "GLU", (1,), X3),
    ("Softmax2d", "Softmax2d", (), IMG),
    ("Softmax2d_3d", "Softmax2d", (), PLANE),
    ("ChannelShuffle", "ChannelShuffle", (3,), X3),
    ("SELU", "SELU", (), KINKS),
    ("CELU", "CELU", (2.0,), KINKS),
    ("Softsign", "Softsign", (), KINKS),
    ("Tanhshrink", "Tanhshrink", (), KINKS),
    ("Softshrink", "Softshrink", (0.25,), KINKS),
    ("Hardshrink", "Hardshrink", (), KINKS),
    ("Threshold", "Threshold", (-0.5, 7.0), KINKS),
    ("GroupNorm", "GroupNorm", (3, 6), X3),
    ("GroupNorm_1", "GroupNorm", (1, 4), X4),
    ("InstanceNorm1d", "InstanceNorm1d", (3,), SEQ),
    ("InstanceNorm1d_unbatched", "InstanceNorm1d", (3,), SEQ[0]),
    ("InstanceNorm2d", "InstanceNorm2d", (3,), IMG),
    ("InstanceNorm2d_unbatched", "InstanceNorm2d", (3,), IMG[0]),
    ("LocalResponseNorm", "LocalResponseNorm", (3,), IMG),
    ("ZeroPad1d", "ZeroPad1d", ((1, 2),), SEQ),
    ("ZeroPad2d", "ZeroPad2d", (1,), IMG),
    ("ZeroPad2d_crop", "ZeroPad2d", ((-1, 2, 0, -2),), IMG),
    ("ConstantPad1d", "ConstantPad1d", (2, 3.5), SEQ),
    ("ConstantPad1d_1d", "ConstantPad1d", (1, 3.5), KINKS),
    ("ConstantPad2d", "ConstantPad2d", ((1, 0, 2, 1), -1.0), IMG),
    ("ReflectionPad1d", "ReflectionPad1d", ((3, 1),), SEQ),
    ("ReflectionPad2d", "ReflectionPad2d", (2,), IMG),
    ("ReflectionPad2d_unbatched", "ReflectionPad2d", ((1, 2, 3, 0),), PLANE),
    ("ReplicationPad1d", "ReplicationPad1d", (4,), SEQ),
    ("ReplicationPad2d", "ReplicationPad2d", ((0, 2, 5, 1),), IMG),
    ("CircularPad1d", "CircularPad1d", ((2, 4),), SEQ),
    ("CircularPad2d", "CircularPad2d", (1,), IMG),
    ("CircularPad2d_unbatched", "CircularPad2d", ((2, 1, 0, 3),), PLANE),
]


def test_hardsigmoid_matches_torch(backend: str) -> None:
    # (torch's backward multiplies by 1/6 rounded to float32, in float64 too)
    run_both(F.hardsigmoid, TF.hardsigmoid, (diff(KINKS),), tol={"rtol": 1e-7, "atol": 1e-12})
    layer = nn.Hardsigmoid()
    assert repr(layer) == repr(torch.nn.Hardsigmoid())
    run_both(layer, torch.nn.Hardsigmoid(), (diff(KINKS),), tol={"rtol": 1e-7, "atol": 1e-12})


def test_hard_activations_at_infinities_and_nan_match_torch(backend: str) -> None:
    """hardsigmoid(NaN) is NaN (not 1), and hardswish's gradient at +-inf is torch's 1 and 0
    (not the NaN of the quadratic piece masked away)."""
    x = np.array([np.nan, np.inf, -np.inf, 1.0])
    got = F.hardsigmoid(pt.asarray(x))
    np.testing.assert_array_equal(host(got), host(TF.hardsigmoid(torch.tensor(x))))
    ends = np.array([np.inf, -np.inf, 1.0])
    mine, ref = pt.asarray(ends, requires_grad=True), torch.tensor(ends, requires_grad=True)
    with warnings.catch_warnings():  # (hardswish(-inf) is -inf * 0, NaN, as torch's)
        warnings.simplefilter("ignore", RuntimeWarning)
        F.hardswish(mine).sum().backward()
    TF.hardswish(ref).sum().backward()
    np.testing.assert_array_equal(host(mine.grad), host(ref.grad))


@pytest.mark.parametrize(("name", "ctor", "x"), [c[1:] for c in LAYERS], ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(backend: str, name: str, ctor: Any, x: np.ndarray) -> None:
    mine, ref = getattr(nn, name)(*ctor), getattr(torch.nn, name)(*ctor)
    assert repr(mine) == repr(ref)
    run_both(mine.to(pt.float64), ref.double(), (diff(x),))


def test_affine_norm_layers_learn_torchs_gradients(backend: str) -> None:
    for make in (
        lambda m: m.GroupNorm(2, 6, eps=1e-3),
        lambda m: m.InstanceNorm1d(6, affine=True),
    ):
        mine, ref = make(nn).to(pt.float64), make(torch.nn).double()
        with torch.no_grad():
            ref.weight.copy_(torch.tensor(C6))
            ref.bias.copy_(torch.tensor(C6 - 1))
        with pt.no_grad():
            mine.weight.copy_(pt.asarray(C6))
            mine.bias.copy_(pt.asarray(C6 - 1))
        run_both(mine, ref, (diff(X3),))
        np.testing.assert_allclose(host(mine.weight.grad), host(ref.weight.grad), rtol=1e-10)
        np.testing.assert_allclose(host(mine.bias.grad), host(ref.bias.grad), rtol=1e-10)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_instance_norm_running_statistics_match_torch(backend: str, momentum: Any) -> None:
    mine = nn.InstanceNorm2d(3, momentum=momentum, track_running_stats=True).to(pt.float64)
    ref = torch.nn.InstanceNorm2d(3, momentum=momentum, track_running_stats=True).double()
    for _ in range(2):
        run_both(mine, ref, (diff(IMG),))
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(host(getattr(mine, name)), host(getattr(ref, name)), rtol=1e-10)
    assert set(mine.state_dict()) == set(ref.state_dict())
    mine.eval()
    ref.eval()
    run_both(mine, ref, (diff(IMG[:, :, :2]),))  # (normalised by the running statistics)


def test_rrelu_in_training_draws_slopes_between_the_bounds(backend: str) -> None:
    x = pt.asarray(-np.ones(200), requires_grad=True)
    layer = nn.RReLU(0.1, 0.3)
    assert repr(layer) == repr(torch.nn.RReLU(0.1, 0.3))
    y = layer(x)
    y.sum().backward()
    slopes = -host(y)
    assert ((slopes >= 0.1) & (slopes <= 0.3)).all() and slopes.std() > 0.01
    np.testing.assert_allclose(host(x.grad), slopes)  # (the gradient is each draw's slope)
    np.testing.assert_allclose(host(layer(pt.asarray([2.0]))), [2.0])


def test_in_place_activations_match_torch() -> None:
    for name, kw in (("mish", {}), ("hardswish", {}), ("selu", {}), ("celu", {"alpha": 0.5})):
        mine, ref = pt.asarray(KINKS.copy()), torch.tensor(KINKS)
        out = getattr(F, name)(mine, inplace=True, **kw)
        getattr(TF, name)(ref, inplace=True, **kw)
        assert out is mine
        np.testing.assert_allclose(host(mine), host(ref), rtol=1e-12)
    mine, ref = pt.asarray(KINKS.copy()), torch.tensor(KINKS)
    F.threshold(mine, 0.0, 5.0, inplace=True)
    TF.threshold(ref, 0.0, 5.0, inplace=True)
    np.testing.assert_array_equal(host(mine), host(ref))


def test_instance_norm_warns_as_torch_when_the_channels_differ_without_affine() -> None:
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(pt.ones((2, 4, 5)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.InstanceNorm1d(4)(pt.ones((2, 4, 5)))


BAD: list[tuple[str, Any, Any, type[Exception], str]] = [
    ("glu_odd", lambda m, x: m.glu(x(X3), 2), RuntimeError, "must be even"),
    ("glu_scalar", lambda m, x: m.glu(x(np.array(1.0))), RuntimeError, "scalars"),
    ("shuffle_groups", lambda m, x: m.channel_shuffle(x(X3), 4), RuntimeError, "divisible"),
    ("shuffle_zero", lambda m, x: m.channel_shuffle(x(X3), 0), RuntimeError, "positive"),
    ("shuffle_2d", lambda m, x: m.channel_shuffle(x(X3[0]), 2), RuntimeError, "> 2 dims"),
    ("celu_0", lambda m, x: m.celu(x(X3), alpha=0.0), RuntimeError, "alpha cannot be 0"),
    ("softshrink_neg", lambda m, x: m.softshrink(x(X3), -1.0), RuntimeError, "lambda"),
    ("rrelu_bounds", lambda m, x: m.rrelu(x(X3), 0.5, 0.1), RuntimeError, "Lower bound"),
    ("group_norm_div", lambda m, x: m.group_norm(x(X3), 4), RuntimeError, "divisible"),
    ("group_norm_1d", lambda m, x: m.group_norm(x(C6), 1), RuntimeError, "at least 2"),
    ("group_norm_w", lambda m, x: m.group_norm(x(X3), 3, x(C4)), RuntimeError, "weight"),
    ("group_norm_0", lambda m, x: m.group_norm(x(X3), 0), ZeroDivisionError, "num_groups=0"),
    ("group_norm_neg", lambda m, x: m.group_norm(x(X3), -2), RuntimeError, "greater than 0"),
    ("instance_1", lambda m, x: m.instance_norm(x(X3[:, :, :1])), ValueError, "spatial"),
    ("lrn_2d", lambda m, x: m.local_response_norm(x(X3[0]), 2), ValueError, "3D or higher"),
    ("lrn_size", lambda m, x: m.local_response_norm(x(X3), 0), RuntimeError, "greater than"),
]


@pytest.mark.parametrize(("call", "error", "match"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_arguments_raise_torchs_error_classes(call: Any, error: Any, match: str) -> None:
    with pytest.raises(error):
        call(TF, torch.tensor)
    with pytest.raises(error, match=match):
        call(F, pt.asarray)


def test_bad_layer_arguments_raise_as_torch() -> None:
    for m in (nn, torch.nn):
        with pytest.raises(ValueError, match="divisible"):
            m.GroupNorm(2, 3)
        with pytest.raises(ValueError, match="3D or 4D"):
            m.Softmax2d()(pt.ones((2, 3)) if m is nn else torch.ones(2, 3))
        with pytest.raises(ValueError, match="2D or 3D"):
            m.InstanceNorm1d(3)(pt.ones((1, 3, 2, 2)) if m is nn else torch.ones(1, 3, 2, 2))
        with pytest.raises(ValueError, match="match num_features"):
            m.InstanceNorm1d(3, affine=True)(pt.ones((1, 4, 2)) if m is nn else torch.ones(1, 4, 2))
        with pytest.raises(RuntimeError):
            m.ReflectionPad1d(3)(pt.ones((1, 2, 3)) if m is nn else torch.ones(1, 2, 3))
        with pytest.raises(NotImplementedError):
            m.ReplicationPad2d(1)(pt.ones((3, 3)) if m is nn else torch.ones(3, 3))


def test_group_norm_with_no_groups_raises_as_torch() -> None:
    """PyTorch's GroupNorm(0, C) fails on its num_channels % num_groups (ZeroDivisionError); a
    negative count is refused in forward (RuntimeError), here already when the layer is made."""
    with pytest.raises(ZeroDivisionError):
        torch.nn.GroupNorm(0, 4)
    with pytest.raises(ZeroDivisionError, match="num_groups=0") as e:
        nn.GroupNorm(0, 4)
    assert isinstance(e.value, ValueError)
    with pytest.raises(RuntimeError):
        torch.nn.GroupNorm(-2, 4)(torch.ones(2, 4, 3))
    with pytest.raises(RuntimeError, match="greater than 0"):
        nn.GroupNorm(-2, 4)
