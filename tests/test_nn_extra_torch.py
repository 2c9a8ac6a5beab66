"""``rms_norm``/``RMSNorm``, ``nn.Buffer``, ``dropout1d`` and alpha dropout, the soft margin,
multi-label margin and triplet-with-distance losses, ``pdist``, the ``upsample`` aliases, the
3-D padding layers and ``nn.init``'s ``dirac_``, ``sparse_`` and deprecated names give torch's
values, float64 gradients, reprs, warnings and argument errors on every available backend
(random ones: torch's structure and statistics)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")
TF = torch.nn.functional

from torch_compare import diff, host, run_both  # noqa: E402

# (torch's warning about the legacy size_average/reduce arguments, which polytensor takes silently)
pytestmark = pytest.mark.filterwarnings("ignore:size_average and reduce args:UserWarning")

g = np.random.default_rng(11)
X = g.standard_normal((3, 4, 5))
W5 = g.standard_normal(5)
W45 = g.standard_normal((4, 5))
SIGNS = np.sign(g.standard_normal((3, 4, 5)))
SCORES = g.standard_normal((5, 6))
LABELS = np.array(
    [
        [3, 0, -1, 1, 2, 2],
        [1, -1, 0, 2, 5, 5],
        [0, 1, 2, 3, 4, 5],
        [-1, 0, 0, 0, 0, 0],
        [5, 5, -1, 0, 4, 4],
    ]
)
A, P, N = (g.standard_normal((4, 3)) for _ in range(3))
ROWS = g.standard_normal((5, 3))
ROWS[3] = ROWS[1]  # (two equal rows: a zero distance)
TIES = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, -1.0], [3.0, 4.0], [-4.0, 4.0]])
EDGE = np.array([[0.0, 1.0, 0.0]])  # (a margin of exactly 0)
IMG = g.standard_normal((2, 3, 4, 5))
VOL = g.standard_normal((2, 3, 4, 5, 6))


def _squared(u: Any, v: Any) -> Any:
    return ((u - v) ** 2).sum(-1)


def _raised(fn: Callable[[], Any]) -> BaseException:
    with pytest.raises(Exception) as info:  # noqa: PT011  (compared with torch's below)
        fn()
    return info.value


def _functions(cases: list[Any]) -> Any:
    """Parametrise a test over (id, function name, args, kwargs) cases."""
    return pytest.mark.parametrize(
        ("name", "args", "kw"), [c[1:] for c in cases], ids=[c[0] for c in cases]
    )


def _errors(cases: list[Any]) -> Any:
    """Parametrise a test over (id, call of (functional, namespace)) cases."""
    return pytest.mark.parametrize("call", [c[1] for c in cases], ids=[c[0] for c in cases])


def _layers(cases: list[Any]) -> Any:
    """Parametrise a test over (id, layer of nn, args) cases."""
    return pytest.mark.parametrize(
        ("make", "args"), [c[1:] for c in cases], ids=[c[0] for c in cases]
    )


def check_function(name: str, args: Any, kw: Any) -> None:
    run_both(getattr(F, name), getattr(TF, name), args, kw)


def check_error(call: Any) -> None:
    want = _raised(lambda: call(TF, torch))
    got = _raised(lambda: call(F, pt).tolist())  # (Dask checks values when it computes)
    # (an out-of-range class index is an IndexError here, as polytensor's other losses say it)
    expected = IndexError if "out of range" in str(want) else type(want)
    assert isinstance(got, expected), (got, want)


def check_layer(make: Any, args: Any) -> None:
    p_layer, t_layer = make(nn).double(), make(torch.nn).double()
    assert repr(p_layer) == repr(t_layer)
    assert list(p_layer.state_dict()) == list(t_layer.state_dict())
    run_both(p_layer, t_layer, args)
    for (name, p), (_, t) in zip(
        p_layer.named_parameters(), t_layer.named_parameters(), strict=True
    ):
        np.testing.assert_allclose(host(p.grad), host(t.grad), rtol=1e-10, err_msg=name)


# -- rms_norm and RMSNorm --------------------------------------------------------------------------
RMS_CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("rms", "rms_norm", (diff(X), (4, 5)), {}),
    ("rms_weight", "rms_norm", (diff(X), (5,), diff(W5)), {"eps": 1e-3}),
    ("rms_weight_2d", "rms_norm", (diff(X), [4, 5], diff(W45)), {}),
]


@_functions(RMS_CASES)
def test_rms_norm_matches_torch(backend: str, name: str, args: Any, kw: Any) -> None:
    check_function(name, args, kw)


def test_rms_norm_eps_defaults_to_the_dtype_s_machine_epsilon(backend: str) -> None:
    tiny = np.full((2, 3), 1e-5)  # (mean square 1e-10: eps matters)
    for dtype, tdtype in ((pt.float32, torch.float32), (pt.float64, torch.float64)):
        got = F.rms_norm(pt.asarray(tiny, dtype=dtype), (3,))
        want = TF.rms_norm(torch.tensor(tiny, dtype=tdtype), (3,))
        assert got.dtype == dtype
        np.testing.assert_allclose(host(got), host(want), rtol=1e-6)


def test_rms_norm_casts_a_weight_of_another_dtype_to_the_input_s(backend: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch's note that it cannot use its fused kernel)
        want = TF.rms_norm(torch.tensor(X, dtype=torch.float32), (5,), torch.tensor(W5))
    got = F.rms_norm(pt.asarray(X, dtype=pt.float32), (5,), pt.asarray(W5))
    assert got.dtype == pt.float32
    np.testing.assert_allclose(host(got), host(want), rtol=1e-6)


RMS_ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("rms_shape", lambda f, t: f.rms_norm(t.ones(2, 3), (2,))),
    ("rms_int_shape", lambda f, t: f.rms_norm(t.ones(2, 3), 3)),
    ("rms_weight", lambda f, t: f.rms_norm(t.ones(2, 3), (3,), t.ones(2))),
]


@_errors(RMS_ERRORS)
def test_rms_norm_refuses_what_torch_refuses(backend: str, call: Any) -> None:
    check_error(call)


RMS_LAYERS: list[tuple[str, Callable[[Any], Any], tuple[Any, ...]]] = [
    ("RMSNorm", lambda m: m.RMSNorm(5), (diff(X),)),
    ("RMSNorm_2d_eps", lambda m: m.RMSNorm([4, 5], eps=1e-3), (diff(X),)),
    ("RMSNorm_no_affine", lambda m: m.RMSNorm(5, elementwise_affine=False), (diff(X),)),
]


@_layers(RMS_LAYERS)
def test_rms_norm_layer_matches_torch(backend: str, make: Any, args: Any) -> None:
    check_layer(make, args)


# -- Buffer ---------------------------------------------------------------------------------------
def _module_with_buffers(m: Any, lib: Any) -> Any:
    class WithBuffers(m.Module):
        def __init__(self) -> None:
            super().__init__()
            self.kept = m.Buffer(lib.ones(2))
            self.scratch = m.Buffer(lib.zeros(2), persistent=False)

    return WithBuffers()


def test_buffer_registers_as_torch_does(backend: str) -> None:
    results = []
    for m, lib in ((nn, pt), (torch.nn, torch)):
        mod = _module_with_buffers(m, lib)
        row: list[Any] = [
            type(mod.kept).__name__,
            isinstance(mod.kept, m.Buffer),
            isinstance(lib.ones(1), m.Buffer),
            list(mod.state_dict()),
            [n for n, _ in mod.named_buffers()],
        ]
        mod.kept = lib.ones(3)  # (a plain tensor keeps the buffer persistent)
        mod.scratch = lib.ones(3)  # (and non-persistent)
        row += [list(mod.state_dict()), list(mod.kept.shape)]
        mod.scratch = m.Buffer(lib.ones(1))  # (a Buffer says again)
        mod.extra = m.Buffer(lib.ones(1), persistent=False)
        row += [list(mod.state_dict()), [n for n, _ in mod.named_buffers()]]
        results.append(row)
    assert results[0] == results[1]


def test_buffer_is_a_plain_tensor_keeping_requires_grad_as_torch(backend: str) -> None:
    for m, lib in ((nn, pt), (torch.nn, torch)):
        w = m.Parameter(lib.ones(2))
        b = m.Buffer(w)
        assert type(b).__name__ == "Tensor" and b.requires_grad and b.is_leaf
        assert not m.Buffer(lib.ones(2)).requires_grad
        assert tuple(m.Buffer().shape) == (0,)
        with pytest.raises(TypeError):
            m.Buffer(lib.ones(1), False)  # (persistent is keyword-only)


def test_buffer_cannot_replace_a_parameter_as_torch() -> None:
    for m, lib in ((nn, pt), (torch.nn, torch)):
        lin = m.Linear(2, 2)
        with pytest.raises(TypeError, match="cannot assign"):
            lin.weight = m.Buffer(lib.ones(2, 2))


# -- dropout --------------------------------------------------------------------------------------
ALPHA = 1.7580993408473766


def _alpha_values(x: np.ndarray, p: float) -> tuple[np.ndarray, float]:
    a = 1 / math.sqrt((ALPHA**2 * p + 1) * (1 - p))
    return a * x + ALPHA * a * p, ALPHA * a * (p - 1)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_keeps_and_drops_to_torch_s_values(backend: str, p: float) -> None:
    x = g.standard_normal(4000)
    kept, dropped = _alpha_values(x, p)
    torch.manual_seed(0)
    t = TF.alpha_dropout(torch.tensor(x), p, training=True).numpy()
    pt.manual_seed(0)
    y = host(F.alpha_dropout(pt.asarray(x), p, training=True))
    for out in (t, y):  # every element is either kept (scaled, shifted) or dropped
        is_kept = np.isclose(out, kept, rtol=1e-12)
        assert np.all(is_kept | np.isclose(out, dropped, rtol=1e-12))
        assert abs((~is_kept).mean() - p) < 4 * math.sqrt(p * (1 - p) / x.size)


def test_alpha_dropout_keeps_the_mean_and_variance_of_selu_outputs(backend: str) -> None:
    torch.manual_seed(1)
    x = TF.selu(torch.randn(200_000, dtype=torch.float64))
    pt.manual_seed(1)
    y = host(F.alpha_dropout(pt.asarray(x.numpy()), 0.3, training=True))
    t = TF.alpha_dropout(x, 0.3, training=True).numpy()
    for out in (y, t):
        assert abs(out.mean() - x.mean().item()) < 0.01
        assert abs(out.var() - x.var().item()) < 0.02


def test_feature_alpha_dropout_draws_per_channel_as_torch(backend: str) -> None:
    x = g.standard_normal((40, 30, 3))
    kept, dropped = _alpha_values(x, 0.5)
    pt.manual_seed(2)
    torch.manual_seed(2)
    y = host(F.feature_alpha_dropout(pt.asarray(x), 0.5, training=True))
    t = TF.feature_alpha_dropout(torch.tensor(x), 0.5, training=True).numpy()
    for out in (y, t):
        is_kept = np.isclose(out, kept, rtol=1e-12)
        assert np.all(is_kept | np.isclose(out, dropped, rtol=1e-12))
        assert np.all(is_kept == is_kept[:, :, :1])  # (one draw per (sample, channel))
        assert abs((~is_kept[:, :, 0]).mean() - 0.5) < 0.06


def test_alpha_dropouts_are_the_identity_unless_training_as_torch(backend: str) -> None:
    x = pt.asarray(X)
    assert F.alpha_dropout(x) is x and F.feature_alpha_dropout(x, 0.9) is x
    assert nn.AlphaDropout().eval()(x) is x
    t = torch.tensor(X)
    assert TF.alpha_dropout(t) is t


def test_alpha_dropout_with_p_one_multiplies_by_zero_as_torch(backend: str) -> None:
    v = np.array([1.0, -2.0, np.inf])
    t = TF.alpha_dropout(torch.tensor(v), 1.0, True).numpy()
    with np.errstate(invalid="ignore"):  # (inf * 0)
        y = host(F.alpha_dropout(pt.asarray(v), 1.0, True))
    np.testing.assert_array_equal(y, t)


def test_alpha_dropout_gradient_is_the_kept_scale_as_torch(backend: str) -> None:
    x = pt.asarray(X, requires_grad=True)
    pt.manual_seed(3)
    y = F.alpha_dropout(x, 0.4, training=True)
    y.sum().backward()
    a = 1 / math.sqrt((ALPHA**2 * 0.4 + 1) * 0.6)
    kept, _ = _alpha_values(X, 0.4)
    is_kept = np.isclose(host(y), kept, rtol=1e-12)
    np.testing.assert_allclose(host(x.grad), np.where(is_kept, a, 0.0), rtol=1e-12)


@pytest.mark.parametrize("shape", [(40, 30, 4), (300, 4)])
def test_dropout1d_draws_per_channel_as_torch(backend: str, shape: tuple[int, ...]) -> None:
    x = np.ones(shape)
    pt.manual_seed(4)
    torch.manual_seed(4)
    y = host(nn.Dropout1d(0.25)(pt.asarray(x)))
    t = torch.nn.Dropout1d(0.25)(torch.tensor(x)).numpy()
    for out in (y, t):
        assert set(np.unique(out)) <= {0.0, 1 / 0.75}
        assert np.all(out == out[..., :1])
        channels = out[..., 0].size
        assert abs((out[..., 0] == 0).mean() - 0.25) < 4 * math.sqrt(0.25 * 0.75 / channels)


DROPOUT_ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("dropout1d_4d", lambda f, t: f.dropout1d(t.ones(2, 3, 4, 5))),
    ("dropout1d_1d", lambda f, t: f.dropout1d(t.ones(3))),
    ("dropout1d_p", lambda f, t: f.dropout1d(t.ones(2, 3), 1.5)),
    ("alpha_p", lambda f, t: f.alpha_dropout(t.ones(3), -0.5)),
    ("feature_alpha_p", lambda f, t: f.feature_alpha_dropout(t.ones(2, 3), 2.0)),
    ("feature_alpha_1d", lambda f, t: f.feature_alpha_dropout(t.ones(3), 0.5, True)),
]


@_errors(DROPOUT_ERRORS)
def test_dropouts_refuse_what_torch_refuses(backend: str, call: Any) -> None:
    check_error(call)


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.Dropout1d(0.3),
        lambda m: m.AlphaDropout(),
        lambda m: m.FeatureAlphaDropout(0.2, inplace=True),
    ],
)
def test_dropout_reprs_are_torch_s(make: Any) -> None:
    assert repr(make(nn)) == repr(make(torch.nn))


# -- losses ----------------------------------------------------------------------------------------
LOSS_CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("soft", "soft_margin_loss", (diff(X), SIGNS), {}),
    ("soft_sum", "soft_margin_loss", (diff(X), SIGNS), {"reduction": "sum"}),
    ("soft_none_bcast", "soft_margin_loss", (diff(X), SIGNS[0, 0]), {"reduction": "none"}),
    ("soft_legacy", "soft_margin_loss", (diff(X), SIGNS), {"size_average": False}),
    ("multilabel", "multilabel_margin_loss", (diff(SCORES), LABELS), {}),
    ("multilabel_sum", "multilabel_margin_loss", (diff(SCORES), LABELS), {"reduction": "sum"}),
    ("multilabel_none", "multilabel_margin_loss", (diff(SCORES), LABELS), {"reduction": "none"}),
    ("multilabel_1d", "multilabel_margin_loss", (diff(SCORES[0]), LABELS[0]), {}),
    (
        "multilabel_1d_none",
        "multilabel_margin_loss",
        (diff(SCORES[1]), LABELS[1]),
        {"reduction": "none"},
    ),
    ("multilabel_0d", "multilabel_margin_loss", (diff(np.array(0.3)), np.array(0)), {}),
    ("triplet", "triplet_margin_with_distance_loss", (diff(A), diff(P), diff(N)), {}),
    (
        "triplet_swap",
        "triplet_margin_with_distance_loss",
        (diff(A), diff(P), diff(N)),
        {"swap": True, "margin": 2.0, "reduction": "none"},
    ),
    (
        "triplet_fn",
        "triplet_margin_with_distance_loss",
        (diff(A), diff(P), diff(N)),
        {"distance_function": _squared, "swap": True, "reduction": "sum"},
    ),
    ("triplet_1d", "triplet_margin_with_distance_loss", (diff(A[0]), diff(P[0]), diff(N[0])), {}),
    ("multilabel_zero_margin", "multilabel_margin_loss", (diff(EDGE), np.array([[1, -1, 0]])), {}),
]


@_functions(LOSS_CASES)
def test_loss_matches_torch(backend: str, name: str, args: Any, kw: Any) -> None:
    check_function(name, args, kw)


LOSS_ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("soft_reduction", lambda f, t: f.soft_margin_loss(t.ones(2), t.ones(2), reduction="x")),
    ("soft_shapes", lambda f, t: f.soft_margin_loss(t.ones(2, 3), t.ones(2, 2))),
    ("mlm_float_target", lambda f, t: f.multilabel_margin_loss(t.ones(2, 3), t.ones(2, 3))),
    ("mlm_3d", lambda f, t: f.multilabel_margin_loss(t.ones(1, 2, 3), t.ones(1, 2, 3).long())),
    ("mlm_shape", lambda f, t: f.multilabel_margin_loss(t.ones(2, 3), t.zeros(2, 2).long())),
    ("mlm_high", lambda f, t: f.multilabel_margin_loss(t.ones(1, 3), t.tensor([[0, 3, 1]]))),
    ("mlm_after_pad", lambda f, t: f.multilabel_margin_loss(t.ones(1, 3), t.tensor([[0, -1, 5]]))),
    ("mlm_minus_two", lambda f, t: f.multilabel_margin_loss(t.ones(1, 3), t.tensor([[-2, 0, 1]]))),
    (
        "triplet_margin",
        lambda f, t: f.triplet_margin_with_distance_loss(*[t.ones(2, 3)] * 3, margin=0),
    ),
    (
        "triplet_dims",
        lambda f, t: f.triplet_margin_with_distance_loss(t.ones(2, 3), t.ones(3), t.ones(2, 3)),
    ),
]


@_errors(LOSS_ERRORS)
def test_losses_refuse_what_torch_refuses(backend: str, call: Any) -> None:
    check_error(call)


LOSS_LAYERS: list[tuple[str, Callable[[Any], Any], tuple[Any, ...]]] = [
    ("SoftMarginLoss", lambda m: m.SoftMarginLoss(reduction="sum"), (diff(X), SIGNS)),
    ("SoftMarginLoss_legacy", lambda m: m.SoftMarginLoss(reduce=False), (diff(X), SIGNS)),
    ("MultiLabelMarginLoss", lambda m: m.MultiLabelMarginLoss(), (diff(SCORES), LABELS)),
    (
        "MultiLabelMarginLoss_none",
        lambda m: m.MultiLabelMarginLoss(reduction="none"),
        (diff(SCORES), LABELS),
    ),
    (
        "TripletMarginWithDistanceLoss",
        lambda m: m.TripletMarginWithDistanceLoss(),
        (diff(A), diff(P), diff(N)),
    ),
    (
        "TripletMarginWithDistanceLoss_fn",
        lambda m: m.TripletMarginWithDistanceLoss(
            distance_function=m.PairwiseDistance(p=1.0), margin=0.5, swap=True
        ),
        (diff(A), diff(P), diff(N)),
    ),
]


@_layers(LOSS_LAYERS)
def test_loss_layer_matches_torch(backend: str, make: Any, args: Any) -> None:
    check_layer(make, args)


def test_triplet_with_distance_layer_repr_is_torch_s() -> None:
    def make(m: Any) -> Any:
        return m.TripletMarginWithDistanceLoss(distance_function=_squared, margin=2.0)

    assert repr(make(nn)) == repr(make(torch.nn))


def test_triplet_with_distance_layer_refuses_a_non_positive_margin() -> None:
    for m in (nn, torch.nn):
        with pytest.raises(ValueError, match="expected margin to be greater than 0, got 0"):
            m.TripletMarginWithDistanceLoss(margin=0)


# -- pdist -----------------------------------------------------------------------------------------
PDIST_CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("pdist", "pdist", (diff(ROWS),), {}),
    ("pdist_p1", "pdist", (diff(ROWS), 1), {}),
    ("pdist_p0", "pdist", (diff(ROWS), 0), {}),
    ("pdist_half", "pdist", (diff(ROWS), 0.5), {}),
    ("pdist_p3", "pdist", (diff(ROWS), 3.0), {}),
    ("pdist_inf", "pdist", (diff(ROWS), math.inf), {}),
    ("pdist_inf_ties", "pdist", (diff(TIES),), {"p": math.inf}),
    ("pdist_p1_ties", "pdist", (diff(TIES), 1), {}),
    ("pdist_one_row", "pdist", (diff(ROWS[:1].copy()),), {}),
]


@_functions(PDIST_CASES)
def test_pdist_matches_torch(backend: str, name: str, args: Any, kw: Any) -> None:
    check_function(name, args, kw)


PDIST_ERRORS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("pdist_1d", lambda f, t: f.pdist(t.ones(3))),
    ("pdist_3d", lambda f, t: f.pdist(t.ones(1, 2, 3))),
    ("pdist_negative_p", lambda f, t: f.pdist(t.ones(2, 3), -1.0)),
    ("pdist_ints", lambda f, t: f.pdist(t.ones(2, 3).long())),
]


@_errors(PDIST_ERRORS)
def test_pdist_refuses_what_torch_refuses(backend: str, call: Any) -> None:
    check_error(call)


# -- upsample -------------------------------------------------------------------------------------
UPSAMPLES: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("upsample", (diff(IMG),), {"scale_factor": 2}),
    ("upsample", (diff(IMG),), {"size": (3, 7), "mode": "bilinear"}),
    ("upsample", (diff(IMG),), {"size": (3, 7), "mode": "bilinear", "align_corners": True}),
    ("upsample", (diff(VOL),), {"scale_factor": 1.5, "mode": "trilinear"}),
    ("upsample_nearest", (diff(IMG),), {"size": (5, 6)}),
    ("upsample_nearest", (diff(IMG[0]),), {"scale_factor": 3}),
    ("upsample_bilinear", (diff(IMG),), {"scale_factor": 2}),
    ("upsample_bilinear", (diff(IMG),), {"size": (7, 3)}),
]


@pytest.mark.parametrize(("name", "args", "kw"), UPSAMPLES)
def test_upsample_aliases_match_torch_and_warn_as_it_does(
    backend: str, name: str, args: Any, kw: Any
) -> None:
    with pytest.warns(UserWarning, match="is deprecated. Use") as record:
        run_both(getattr(F, name), getattr(TF, name), args, kw)
    messages = [str(w.message) for w in record]
    assert len(messages) == 2 and messages[0] == messages[1]
    assert (
        messages[0]
        == f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead."
    )
    assert record[0].filename == record[1].filename  # (both name the caller)


def test_upsample_bilinear_refuses_a_3d_input_as_torch() -> None:
    for f, lib in ((F, pt), (TF, torch)):
        with pytest.warns(UserWarning, match="deprecated"), pytest.raises(NotImplementedError):
            f.upsample_bilinear(lib.ones((1, 2, 3)), scale_factor=2)


# -- 3-D padding -----------------------------------------------------------------------------------
PAD_LAYERS: list[tuple[str, Callable[[Any], Any], tuple[Any, ...]]] = [
    ("ConstantPad3d", lambda m: m.ConstantPad3d((1, 0, 2, 1, 0, 2), 3.5), (diff(VOL),)),
    ("ConstantPad3d_int", lambda m: m.ConstantPad3d(1, -1.0), (diff(VOL[0]),)),
    ("ZeroPad3d", lambda m: m.ZeroPad3d((1, 2, -1, 0, 2, 1)), (diff(VOL),)),
    ("ZeroPad3d_4d", lambda m: m.ZeroPad3d(2), (diff(IMG),)),
    ("ReflectionPad3d", lambda m: m.ReflectionPad3d((1, 2, 0, 3, 2, 1)), (diff(VOL),)),
    ("ReflectionPad3d_4d", lambda m: m.ReflectionPad3d(1), (diff(VOL[0]),)),
    ("ReplicationPad3d", lambda m: m.ReplicationPad3d((3, 0, 1, 2, 0, 4)), (diff(VOL),)),
    ("ReplicationPad3d_4d", lambda m: m.ReplicationPad3d(2), (diff(VOL[1]),)),
    ("CircularPad3d", lambda m: m.CircularPad3d((1, 2, 0, 1, 3, 1)), (diff(VOL),)),
    ("CircularPad3d_4d", lambda m: m.CircularPad3d(1), (diff(VOL[0]),)),
]


@_layers(PAD_LAYERS)
def test_3d_padding_layer_matches_torch(backend: str, make: Any, args: Any) -> None:
    check_layer(make, args)


def test_3d_padding_reprs_are_torch_s() -> None:
    assert repr(nn.ReplicationPad3d((1, 2, 3, 4, 5, 6))) == repr(
        torch.nn.ReplicationPad3d((1, 2, 3, 4, 5, 6))
    )


def test_3d_reflection_padding_refuses_a_3d_input_as_torch() -> None:
    with pytest.raises(NotImplementedError):
        torch.nn.ReflectionPad3d(1)(torch.ones(2, 3, 4))
    with pytest.raises(NotImplementedError):
        nn.ReflectionPad3d(1)(pt.ones((2, 3, 4)))


# -- init -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shape", "groups"),
    [((2, 2, 3), 1), ((4, 2, 3), 2), ((3, 4, 3, 3), 1), ((2, 2, 2, 2), 1), ((6, 2, 3, 4, 5), 3)],
)
def test_dirac_matches_torch(backend: str, shape: tuple[int, ...], groups: int) -> None:
    got = host(nn.init.dirac_(pt.empty(shape), groups=groups))
    want = torch.nn.init.dirac_(torch.empty(shape), groups=groups).numpy()
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    ("shape", "groups"), [((2, 2), 1), ((3, 2, 3), 2), ((2, 2, 3), 0), ((1, 1, 1, 1, 1, 1), 1)]
)
def test_dirac_refuses_what_torch_refuses(shape: tuple[int, ...], groups: int) -> None:
    want = _raised(lambda: torch.nn.init.dirac_(torch.empty(shape), groups=groups))
    got = _raised(lambda: nn.init.dirac_(pt.empty(shape), groups=groups))
    assert isinstance(got, type(want)), (got, want)


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.5, 1.0, 1.5, -0.25])
def test_sparse_zeroes_as_many_rows_per_column_as_torch(backend: str, sparsity: float) -> None:
    torch.manual_seed(5)
    got = host(nn.init.sparse_(pt.empty((40, 30)), sparsity, std=0.5))
    want = torch.nn.init.sparse_(torch.empty(40, 30), sparsity, std=0.5).numpy()
    np.testing.assert_array_equal((got == 0).sum(0), (want == 0).sum(0))
    nonzero = got[got != 0]
    if nonzero.size > 100:
        assert abs(nonzero.std() - 0.5) < 0.05 and abs(nonzero.mean()) < 0.1


def test_sparse_refuses_what_torch_refuses() -> None:
    want = _raised(lambda: torch.nn.init.sparse_(torch.empty(2, 3, 4), 0.5))
    got = _raised(lambda: nn.init.sparse_(pt.empty((2, 3, 4)), 0.5))
    assert isinstance(got, type(want))


DEPRECATED = [
    ("uniform", ((3, 4),), {"a": -1.0, "b": 1.0}),
    ("normal", ((3, 4),), {}),
    ("constant", ((3, 4), 2.5), {}),
    ("eye", ((3, 4),), {}),
    ("dirac", ((2, 2, 3),), {}),
    ("xavier_uniform", ((3, 4),), {}),
    ("xavier_normal", ((3, 4),), {"gain": 2.0}),
    ("kaiming_uniform", ((3, 4),), {}),
    ("kaiming_normal", ((3, 4),), {"mode": "fan_out"}),
    ("orthogonal", ((3, 4),), {}),
    ("sparse", ((3, 4), 0.5), {}),
]


@pytest.mark.parametrize(("name", "args", "kw"), DEPRECATED, ids=[d[0] for d in DEPRECATED])
def test_deprecated_init_names_warn_as_torch_and_fill(name: str, args: Any, kw: Any) -> None:
    shape, rest = args[0], args[1:]
    messages = []
    for init, lib in ((nn.init, pt), (torch.nn.init, torch)):
        t = lib.full(shape, 7.0)
        with pytest.warns(FutureWarning) as record:
            out = getattr(init, name)(t, *rest, **kw)
        assert out is t and not bool((t == 7.0).all())
        assert record[0].filename == __file__
        messages.append(str(record[0].message))
    assert messages[0] == messages[1]
    assert getattr(nn.init, name).__name__ == name
    if name in ("constant", "eye", "dirac"):  # (not random: the same values)
        with pytest.warns(FutureWarning):
            got = getattr(nn.init, name)(pt.empty(shape), *rest, **kw)
        with pytest.warns(FutureWarning):
            want = getattr(torch.nn.init, name)(torch.empty(shape), *rest, **kw)
        np.testing.assert_array_equal(host(got), host(want))
