"""``rms_norm``/``RMSNorm``, ``nn.Buffer``, ``dropout1d`` and alpha dropout, the soft margin,
multi-label margin and triplet-with-distance losses, ``pdist``, the ``upsample`` aliases, the
3-D padding layers and ``nn.init``'s ``dirac_``, ``sparse_`` and deprecated names, checked
against values written down from torch 2.13, on every available backend (no torch needed)."""

from __future__ import annotations

import math
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


# -- Buffer ---------------------------------------------------------------------------------------
class _WithBuffers(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.kept = nn.Buffer(pt.ones(2))
        self.scratch = nn.Buffer(pt.zeros(2), persistent=False)


def test_buffer_assignment_registers_persistent_and_non_persistent_buffers(backend: str) -> None:
    m = _WithBuffers()
    assert type(m.kept) is pt.Tensor and isinstance(m.kept, nn.Buffer)
    assert not isinstance(pt.ones(1), nn.Buffer)
    assert list(m.state_dict()) == ["kept"]
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch"]
    m.scratch = pt.ones(3)  # (a plain tensor: still a non-persistent buffer)
    assert list(m.state_dict()) == ["kept"] and m.scratch.shape == (3,)
    m.scratch = nn.Buffer(pt.ones(1))  # (a Buffer: persistent again)
    m.extra = nn.Buffer(pt.ones(1), persistent=False)
    assert list(m.state_dict()) == ["kept", "scratch"]
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch", "extra"]


def test_buffer_of_a_parameter_is_a_plain_tensor_that_requires_grad(backend: str) -> None:
    w = nn.Parameter(pt.ones(2))
    b = nn.Buffer(w)
    assert type(b) is pt.Tensor and b.requires_grad and b.is_leaf
    assert b.tolist() == [1.0, 1.0]
    assert nn.Buffer().shape == (0,)
    with pytest.raises(TypeError, match="polytensor Tensor"):
        nn.Buffer([1.0])  # type: ignore[arg-type]


def test_a_buffer_is_refused_as_a_parameter_and_before_init(backend: str) -> None:
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign"):
        lin.weight = nn.Buffer(pt.ones((2, 2)))

    class Early(nn.Module):
        def __init__(self) -> None:
            self.b = nn.Buffer(pt.ones(1))

    with pytest.raises(AttributeError, match=r"before Module\.__init__"):
        Early()


# -- dropout --------------------------------------------------------------------------------------
def _alpha(x: np.ndarray, p: float) -> tuple[np.ndarray, float]:
    a = 1 / math.sqrt((ALPHA**2 * p + 1) * (1 - p))
    return a * x + ALPHA * a * p, ALPHA * a * (p - 1)


def test_alpha_dropout_values_are_torch_s(backend: str) -> None:
    pt.manual_seed(0)
    y = np.asarray(F.alpha_dropout(f64([2.0] * 2000), 0.2, training=True).tolist())
    # (torch 2.13: kept 2.06684712903116, dropped -1.2361598485763778)
    kept = np.isclose(y, 2.06684712903116, rtol=1e-12)
    assert np.all(kept | np.isclose(y, -1.2361598485763778, rtol=1e-12))
    assert abs((~kept).mean() - 0.2) < 4 * math.sqrt(0.2 * 0.8 / 2000)
    pt.manual_seed(0)
    z = np.asarray(F.alpha_dropout(f64([0.0] * 10), 0.5, training=True).tolist())
    assert set(np.round(z, 4)) <= {0.7792, -0.7792}  # (torch: ±0.7792 at p = 0.5)


def test_alpha_dropout_keeps_mean_zero_and_variance_one(backend: str) -> None:
    pt.manual_seed(1)
    x = pt.randn(200_000, dtype=pt.float64)
    y = F.alpha_dropout(x, 0.3, training=True)
    assert abs(float(y.mean())) < 0.01
    assert abs(float(y.var()) - 1.0) < 0.02


def test_feature_alpha_dropout_draws_once_per_channel(backend: str) -> None:
    x = np.random.default_rng(0).standard_normal((20, 30, 3))
    pt.manual_seed(2)
    y = np.asarray(F.feature_alpha_dropout(f64(x), 0.5, training=True).tolist())
    kept, dropped = _alpha(x, 0.5)
    is_kept = np.isclose(y, kept, rtol=1e-12)
    assert np.all(is_kept | np.isclose(y, dropped, rtol=1e-12))
    assert np.all(is_kept == is_kept[:, :, :1])


def test_alpha_dropout_defaults_and_errors_are_torch_s(backend: str) -> None:
    x = pt.ones(3)
    assert F.alpha_dropout(x, 0.5) is x  # (training=False by default)
    assert F.alpha_dropout(x, 0.0, training=True) is x
    assert F.alpha_dropout(x, 1.0, training=True).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="between 0 and 1, but got -1"):
        F.alpha_dropout(x, -1)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        F.feature_alpha_dropout(x, 0.5, training=True)
    drop = nn.AlphaDropout(0.3)
    assert repr(drop) == "AlphaDropout(p=0.3, inplace=False)"
    assert drop.eval()(x) is x
    assert repr(nn.FeatureAlphaDropout()) == "FeatureAlphaDropout(p=0.5, inplace=False)"


def test_alpha_dropout_in_place_writes_into_the_input(backend: str) -> None:
    x = pt.zeros(50)
    pt.manual_seed(3)
    y = F.alpha_dropout(x, 0.5, training=True, inplace=True)
    assert y is x and set(np.round(x.tolist(), 4)) <= {0.7792, -0.7792}


@pytest.mark.parametrize("shape", [(6, 8, 5), (8, 5)])
def test_dropout1d_zeroes_whole_channels(backend: str, shape: tuple[int, ...]) -> None:
    pt.manual_seed(4)
    y = np.asarray(nn.Dropout1d(0.5)(pt.ones(shape)).tolist())
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert np.all(y == y[..., :1])
    assert repr(nn.Dropout1d(0.3)) == "Dropout1d(p=0.3, inplace=False)"


def test_dropout1d_refuses_other_numbers_of_dimensions(backend: str) -> None:
    for shape in ((3,), (2, 3, 4, 5)):
        with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
            F.dropout1d(pt.ones(shape))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout1d(pt.ones((2, 3)), 1.5)
    x = pt.ones((2, 3))
    assert F.dropout1d(x, training=False) is x
    assert F.dropout1d(x, 1.0).tolist() == [[0.0] * 3] * 2


# -- losses ---------------------------------------------------------------------------------------
def test_soft_margin_loss_values_and_gradient(backend: str) -> None:
    x = f64([0.5, -1.0, 2.0, 0.0], grad=True)
    t = f64([1.0, -1.0, -1.0, 1.0])
    close(
        F.soft_margin_loss(x, t, reduction="none"),
        [0.4740769841801067, 0.31326168751822286, 2.1269280110429727, 0.6931471805599453],
    )
    F.soft_margin_loss(x, t).backward()
    close(x.grad, [-0.09438516719953637, 0.06723535534249878, 0.2201992694944706, -0.125])
    close(nn.SoftMarginLoss(reduction="sum")(x, t), 3.6074138633012476)
    close(nn.SoftMarginLoss(size_average=False)(x, t), 3.6074138633012476)
    assert repr(nn.SoftMarginLoss()) == "SoftMarginLoss()"


def test_multilabel_margin_loss_values_and_gradient(backend: str) -> None:
    x = f64([[0.1, 0.2, 0.4, 0.8], [0.3, -0.2, 0.5, 0.1]], grad=True)
    t = pt.asarray([[3, 0, -1, 1], [1, -1, 0, 2]])
    close(F.multilabel_margin_loss(x, t, reduction="none"), [0.8500000000000001, 1.125])
    close(nn.MultiLabelMarginLoss(reduction="sum")(x, t), 1.975)
    F.multilabel_margin_loss(x, t).backward()
    close(x.grad, [[-0.25, 0.25, 0.25, -0.25], [0.125, -0.375, 0.125, 0.125]])
    close(F.multilabel_margin_loss(x[0], t[0]), 0.85)
    # (a repeated target counts twice; all targets: no loss)
    close(F.multilabel_margin_loss(x[:1], pt.asarray([[2, 2, -1, 0]])), 1.45)
    close(F.multilabel_margin_loss(x[:1], pt.asarray([[0, 1, 2, 3]])), 0.0)


def test_multilabel_margin_loss_passes_no_gradient_at_a_zero_margin(backend: str) -> None:
    x = f64([[0.0, 1.0, 0.0]], grad=True)
    F.multilabel_margin_loss(x, pt.asarray([[1, -1, 0]])).backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0]]


def test_multilabel_margin_loss_refuses_bad_targets(backend: str) -> None:
    x = pt.ones((2, 3))
    with pytest.raises(IndexError, match="out of bounds"):
        F.multilabel_margin_loss(x, pt.asarray([[0, -1, 5], [0, 1, 2]])).tolist()
    with pytest.raises(IndexError, match="out of bounds"):
        F.multilabel_margin_loss(x, pt.asarray([[-2, 0, 1], [0, 1, 2]])).tolist()
    with pytest.raises(RuntimeError, match="inconsistent target size"):
        F.multilabel_margin_loss(x, pt.zeros((2, 2), dtype=pt.int64))
    with pytest.raises(RuntimeError, match="class indices"):
        F.multilabel_margin_loss(x, pt.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="vector or matrix"):
        F.multilabel_margin_loss(pt.ones((1, 2, 3)), pt.zeros((1, 2, 3), dtype=pt.int64))


def test_triplet_margin_with_distance_loss_values_and_gradient(backend: str) -> None:
    a = f64([[0.0, 0.0], [1.0, 1.0]], grad=True)
    p, n = f64([[0.0, 1.0], [1.0, 0.0]]), f64([[0.0, 1.5], [3.0, 1.0]])
    close(
        F.triplet_margin_with_distance_loss(a, p, n, reduction="none"),
        [0.5000000000001665, 2.0000002500797365e-06],
        rtol=1e-9,
    )

    def l1(u: pt.Tensor, v: pt.Tensor) -> pt.Tensor:
        return (u - v).abs().sum(-1)

    swapped = F.triplet_margin_with_distance_loss(
        a, p, n, distance_function=l1, swap=True, reduction="none"
    )
    close(swapped, [1.5, 0.0])
    F.triplet_margin_with_distance_loss(a, p, n).backward()
    close(
        a.grad,
        [[1.6666694444462049e-07, 1.3888890038060708e-13], [0.5000004999994375, 0.499999749999625]],
        rtol=1e-6,
    )


def test_triplet_margin_with_distance_loss_arguments(backend: str) -> None:
    x = pt.ones((2, 3))
    with pytest.raises(ValueError, match="margin must be greater than 0, got 0"):
        F.triplet_margin_with_distance_loss(x, x, x, margin=0)
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.triplet_margin_with_distance_loss(x, pt.ones(3), x)
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginWithDistanceLoss(margin=-1.0)
    assert repr(nn.TripletMarginWithDistanceLoss()) == (
        "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)"
    )
    layer = nn.TripletMarginWithDistanceLoss(distance_function=lambda u, v: (u - v).sum(-1))
    assert repr(layer) == "TripletMarginWithDistanceLoss()"


# -- pdist ----------------------------------------------------------------------------------------
ROWS = [[0.0, 0.0], [3.0, 4.0], [1.0, -1.0], [3.0, 4.0]]
PDIST: list[tuple[float, list[float], list[list[float]]]] = [
    (
        2,
        [5.0, 1.4142135623730951, 5.0, 5.385164807134504, 0.0, 5.385164807134504],
        [
            [-1.9071067811865476, -0.8928932188134526],
            [0.9713906763541037, 1.7284766908852593],
            [-0.03567457152165998, -2.5640601629570665],
            [0.9713906763541037, 1.7284766908852593],
        ],
    ),
    (1, [7.0, 2.0, 7.0, 7.0, 0.0, 7.0], [[-3.0, -1.0], [2.0, 2.0], [-1.0, -3.0], [2.0, 2.0]]),
    (0, [2.0, 2.0, 2.0, 2.0, 0.0, 2.0], [[0.0, 0.0]] * 4),
    (math.inf, [4.0, 1.0, 4.0, 5.0, 0.0, 5.0], [[-1.0, -1.0], [0.0, 2.0], [1.0, -3.0], [0.0, 2.0]]),
    (
        3,
        [4.497941445275415, 1.2599210498948732, 4.497941445275415, 5.104468722001463, 0.0]
        + [5.104468722001463],
        [
            [-1.5196632284085076, -0.9517331700944678],
            [0.5983692080313314, 1.7503334494009266],
            [0.3229248123458447, -2.548933728707385],
            [0.5983692080313314, 1.7503334494009266],
        ],
    ),
]


@pytest.mark.parametrize(("p", "want", "grad"), PDIST, ids=[str(c[0]) for c in PDIST])
def test_pdist_values_and_gradients(backend: str, p: float, want: Any, grad: Any) -> None:
    x = f64(ROWS, grad=True)
    d = F.pdist(x, p)
    close(d, want)
    d.sum().backward()
    close(x.grad, grad, rtol=1e-10)


def test_pdist_of_one_row_is_empty_and_its_errors(backend: str) -> None:
    assert F.pdist(pt.ones((1, 3))).shape == (0,)
    with pytest.raises(RuntimeError, match="2D tensors, got: 1D"):
        F.pdist(pt.ones(3))
    with pytest.raises(RuntimeError, match="non-negative p"):
        F.pdist(pt.ones((2, 3)), -1.0)
    with pytest.raises(NotImplementedError, match="floating-point"):
        F.pdist(pt.ones((2, 3), dtype=pt.int64))


# -- upsample -------------------------------------------------------------------------------------
def test_upsample_aliases_warn_and_give_torch_s_values(backend: str) -> None:
    img = pt.asarray([[[[0.0, 3.0], [6.0, 9.0]]]])
    with pytest.warns(UserWarning, match=r"`nn.functional.upsample_bilinear` is deprecated"):
        y = F.upsample_bilinear(img, size=(3, 3))  # (align_corners=True)
    close(y, [[[[0.0, 1.5, 3.0], [3.0, 4.5, 6.0], [6.0, 7.5, 9.0]]]], rtol=1e-6)
    with pytest.warns(UserWarning, match=r"`nn.functional.upsample_nearest` is deprecated"):
        y = F.upsample_nearest(pt.asarray([[[1.0, 2.0, 3.0]]]), scale_factor=2)
    assert y.tolist() == [[[1.0, 1.0, 2.0, 2.0, 3.0, 3.0]]]
    with pytest.warns(UserWarning, match=r"`nn.functional.upsample` is deprecated"):
        y = F.upsample(img, size=(3, 3), mode="bilinear")
    close(y, [[[[0.0, 1.5, 3.0], [3.0, 4.5, 6.0], [6.0, 7.5, 9.0]]]], rtol=1e-6)


# -- 3-D padding ----------------------------------------------------------------------------------
def test_3d_padding_layers_give_torch_s_values(backend: str) -> None:
    x = pt.asarray([[[[1.0, 2.0], [3.0, 4.0]]]])
    plane = [[1.0, 1.0, 2.0], [3.0, 3.0, 4.0], [3.0, 3.0, 4.0]]
    assert nn.ReplicationPad3d((1, 0, 0, 1, 1, 0))(x).tolist() == [[plane, plane]]
    assert nn.CircularPad3d((1, 0, 0, 1, 0, 0))(x).tolist() == [
        [[[2.0, 1.0, 2.0], [4.0, 3.0, 4.0], [2.0, 1.0, 2.0]]]
    ]
    vol = pt.reshape(pt.arange(8.0), (1, 1, 2, 2, 2))
    assert nn.ReflectionPad3d((1, 1, 0, 0, 1, 0))(vol).tolist() == [
        [
            [
                [[5.0, 4.0, 5.0, 4.0], [7.0, 6.0, 7.0, 6.0]],
                [[1.0, 0.0, 1.0, 0.0], [3.0, 2.0, 3.0, 2.0]],
                [[5.0, 4.0, 5.0, 4.0], [7.0, 6.0, 7.0, 6.0]],
            ]
        ]
    ]
    assert nn.ConstantPad3d(1, 2.5)(vol).shape == (1, 1, 4, 4, 4)
    assert float(nn.ConstantPad3d(1, 2.5)(vol)[0, 0, 0, 0, 0]) == 2.5
    assert nn.ZeroPad3d((1, 0, 0, 0, 0, -1))(vol).tolist() == [
        [[[[0.0, 0.0, 1.0], [0.0, 2.0, 3.0]]]]
    ]


def test_3d_padding_layers_reprs_are_torch_s() -> None:
    assert repr(nn.ConstantPad3d(1, 2.0)) == "ConstantPad3d(padding=(1, 1, 1, 1, 1, 1), value=2.0)"
    assert repr(nn.ZeroPad3d((1, 2, 3, 4, 5, 6))) == "ZeroPad3d((1, 2, 3, 4, 5, 6))"
    assert repr(nn.ReflectionPad3d(1)) == "ReflectionPad3d((1, 1, 1, 1, 1, 1))"
    assert repr(nn.ReplicationPad3d(2)) == "ReplicationPad3d((2, 2, 2, 2, 2, 2))"
    assert repr(nn.CircularPad3d(1)) == "CircularPad3d((1, 1, 1, 1, 1, 1))"
    with pytest.raises(TypeError, match="tuple of 6 ints"):
        nn.ReflectionPad3d((1, 2))


# -- init -----------------------------------------------------------------------------------------
def test_dirac_gives_torch_s_delta(backend: str) -> None:
    assert nn.init.dirac_(pt.empty((4, 2, 3)), groups=2).tolist() == [
        [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
        [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
        [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
        [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
    ]
    w = nn.init.dirac_(pt.empty((3, 4, 3, 3)))
    assert w[:, :, 1, 1].tolist() == [[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 0]]
    assert float(w.sum()) == 3.0
    assert float(nn.init.dirac_(pt.empty((2, 2, 3, 3, 3))).sum()) == 2.0
    x = pt.reshape(pt.arange(2 * 5 * 6, dtype=pt.float32), (1, 2, 5, 6))
    conv = nn.Conv2d(2, 2, 3, padding=1, bias=False)
    nn.init.dirac_(conv.weight)
    assert conv(x).tolist() == x.tolist()  # (a convolution with it passes its input through)


def test_dirac_refuses_what_torch_refuses(backend: str) -> None:
    with pytest.raises(ValueError, match="3, 4, or 5 dimensions"):
        nn.init.dirac_(pt.empty((2, 2)))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.init.dirac_(pt.empty((3, 2, 3)), groups=2)
    with pytest.raises(ZeroDivisionError):
        nn.init.dirac_(pt.empty((2, 2, 3)), groups=0)


@pytest.mark.parametrize(
    ("sparsity", "zeros"), [(0.0, 0), (0.3, 3), (0.25, 3), (1.0, 10), (1.5, 10), (-0.25, 8)]
)
def test_sparse_zeroes_torch_s_number_of_rows_in_each_column(
    backend: str, sparsity: float, zeros: int
) -> None:
    # (torch zeroes randperm(rows)[:ceil(sparsity * rows)]: a Python slice, so -0.25 -> [:-2])
    pt.manual_seed(5)
    w = nn.init.sparse_(pt.empty((10, 40)), sparsity, std=2.0)
    counts = np.asarray((w == 0).sum(0).tolist())
    assert np.all(counts == zeros)
    values = np.asarray(w.tolist())
    if zeros < 10:
        nonzero = values[values != 0]
        assert abs(nonzero.std() - 2.0) < 0.3


def test_sparse_with_a_seed_is_reproducible(backend: str) -> None:
    a = nn.init.sparse_(pt.empty((20, 30)), 0.5, generator=3).tolist()
    b = nn.init.sparse_(pt.empty((20, 30)), 0.5, generator=3).tolist()
    assert a == b and np.all((np.asarray(a) == 0).sum(0) == 10)


def test_sparse_zeroes_different_rows_in_different_columns(backend: str) -> None:
    pt.manual_seed(6)
    w = np.asarray(nn.init.sparse_(pt.empty((20, 30)), 0.5).tolist())
    assert len({tuple(col) for col in (w == 0).T}) > 1
    with pytest.raises(ValueError, match="2 dimensions"):
        nn.init.sparse_(pt.empty((2, 3, 4)), 0.5)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("uniform", ()),
        ("normal", ()),
        ("constant", (2.5,)),
        ("eye", ()),
        ("xavier_uniform", ()),
        ("xavier_normal", ()),
        ("kaiming_uniform", ()),
        ("kaiming_normal", ()),
        ("orthogonal", ()),
        ("sparse", (0.5,)),
    ],
)
def test_deprecated_init_names_warn_and_fill(backend: str, name: str, args: Any) -> None:
    t = pt.full((3, 4), 7.0)
    with pytest.warns(
        FutureWarning,
        match=rf"^`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`.$",
    ):
        out = getattr(nn.init, name)(t, *args)
    assert out is t and not bool((t == 7.0).all())
    assert getattr(nn.init, name).__name__ == name


def test_deprecated_dirac_warns_and_fills() -> None:
    with pytest.warns(FutureWarning, match="`nn.init.dirac` is now deprecated"):
        w = nn.init.dirac(pt.empty((1, 1, 1)))
    assert w.tolist() == [[[1.0]]]


# -- Dask -----------------------------------------------------------------------------------------
def test_the_new_functions_and_their_gradients_stay_lazy_on_dask(dask_computes: Any) -> None:
    pytest.importorskip("dask")
    with pt.use_backend("dask"):
        x = f64([[0.1, 0.2, 0.4, 0.8], [0.3, -0.2, 0.5, 0.1]], grad=True)
        t = pt.asarray([[3, 0, -1, 1], [1, -1, 0, 2]])
        pt.manual_seed(0)
        total = (
            F.rms_norm(x, (4,)).sum()
            + F.soft_margin_loss(x, x.detach())
            + F.multilabel_margin_loss(x, t)
            + F.triplet_margin_with_distance_loss(x, x * 2, x * 3)
            + F.pdist(x).sum()
            + F.pdist(x, math.inf).sum()
            + F.alpha_dropout(x, 0.5, training=True).sum()
            + F.feature_alpha_dropout(x, 0.5, training=True).sum()
            + F.dropout1d(x, 0.5).sum()
        )
        total.backward()
        assert dask_computes.calls == 0
        assert x.grad is not None and np.isfinite(np.asarray(x.grad.tolist())).all()
