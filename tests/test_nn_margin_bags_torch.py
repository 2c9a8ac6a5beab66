"""The margin, embedding and likelihood losses, ``pairwise_distance``, adaptive max pooling,
``bilinear`` and ``embedding_bag`` (functions and layers) give torch's values, float64
gradients, indices, reprs and errors on every available backend."""

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

g = np.random.default_rng(5)
A, B, C = (g.standard_normal((4, 3)) for _ in range(3))
V = g.standard_normal(4)
SIGNS = np.array([1.0, -1.0, -1.0, 1.0])
LABELS = (g.uniform(size=(4, 3)) > 0.5).astype(np.float64)
CLASSES = np.array([0, 2, 1, 2])
W3 = g.uniform(0.5, 2.0, 3)
COUNTS = np.array([[0.0, 1.0, 2.0], [3.0, 0.5, 1.0], [5.0, 2.0, 0.0], [1.0, 1.0, 4.0]])
RATES = g.uniform(0.2, 3.0, (4, 3))
VAR = g.uniform(0.1, 2.0, (4, 3))
IMG = g.standard_normal((2, 3, 7, 6))
SEQ = g.standard_normal((2, 3, 7))
TABLE = g.standard_normal((10, 3))

CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("pairwise", "pairwise_distance", (diff(A), diff(B)), {}),
    ("pairwise_p1_keep", "pairwise_distance", (diff(A), diff(B)), {"p": 1.0, "keepdim": True}),
    ("pairwise_p3_bcast", "pairwise_distance", (diff(A), diff(B[0])), {"p": 3.0}),
    ("pairwise_inf", "pairwise_distance", (diff(A), diff(B)), {"p": float("inf")}),
    ("ranking", "margin_ranking_loss", (diff(V), diff(V[::-1].copy()), SIGNS), {"margin": 0.3}),
    ("ranking_none", "margin_ranking_loss", (diff(V), diff(-V), SIGNS), {"reduction": "none"}),
    ("hinge", "hinge_embedding_loss", (diff(A), np.sign(B)), {}),
    (
        "hinge_sum",
        "hinge_embedding_loss",
        (diff(A), np.sign(B)),
        {"margin": 0.5, "reduction": "sum"},
    ),
    ("cosine", "cosine_embedding_loss", (diff(A), diff(B), SIGNS), {}),
    ("cosine_margin", "cosine_embedding_loss", (diff(A), diff(B), SIGNS), {"margin": -0.2}),
    ("cosine_1d", "cosine_embedding_loss", (diff(A[0]), diff(B[0]), np.array(-1.0)), {}),
    ("triplet", "triplet_margin_loss", (diff(A), diff(B), diff(C)), {}),
    ("triplet_swap_p1", "triplet_margin_loss", (diff(A), diff(B), diff(C)), {"swap": True, "p": 1}),
    (
        "triplet_none",
        "triplet_margin_loss",
        (diff(A), diff(B), diff(C)),
        {"margin": 3.0, "reduction": "none"},
    ),
    ("multilabel", "multilabel_soft_margin_loss", (diff(A), LABELS), {}),
    (
        "multilabel_w",
        "multilabel_soft_margin_loss",
        (diff(A), LABELS),
        {"weight": W3, "reduction": "none"},
    ),
    ("multi_margin", "multi_margin_loss", (diff(A), CLASSES), {}),
    (
        "multi_margin_p2_w",
        "multi_margin_loss",
        (diff(A), CLASSES),
        {"p": 2, "margin": 0.7, "weight": W3},
    ),
    ("multi_margin_1d", "multi_margin_loss", (diff(A[0]), np.array(1)), {"reduction": "sum"}),
    ("poisson", "poisson_nll_loss", (diff(A), COUNTS), {}),
    (
        "poisson_full",
        "poisson_nll_loss",
        (diff(RATES), diff(COUNTS + 0.5)),
        {"log_input": False, "full": True},
    ),
    ("poisson_full_zeros", "poisson_nll_loss", (diff(A), COUNTS), {"full": True}),
    ("gaussian", "gaussian_nll_loss", (diff(A), diff(B), diff(VAR)), {}),
    ("gaussian_row_var", "gaussian_nll_loss", (diff(A), B, diff(VAR[:, 0].copy())), {"full": True}),
    ("gaussian_clamped", "gaussian_nll_loss", (diff(A), B, diff(VAR * 1e-8)), {"reduction": "sum"}),
    ("adaptive_max2d", "adaptive_max_pool2d", (diff(IMG), (3, 4)), {}),
    ("adaptive_max2d_idx", "adaptive_max_pool2d", (diff(IMG), 4), {"return_indices": True}),
    (
        "adaptive_max2d_none",
        "adaptive_max_pool2d",
        (diff(IMG[0]), (None, 5)),
        {"return_indices": True},
    ),
    ("adaptive_max1d", "adaptive_max_pool1d", (diff(SEQ), 3), {"return_indices": True}),
    ("adaptive_max1d_up", "adaptive_max_pool1d", (diff(SEQ[0]), 9), {}),
    (
        "bilinear",
        "bilinear",
        (diff(A), diff(B[:, :2].copy()), diff(g.standard_normal((5, 3, 2)))),
        {},
    ),
    (
        "bilinear_bias",
        "bilinear",
        (
            diff(IMG[0, :, :2, :3].copy()),
            diff(IMG[1, :, :2, :2].copy()),
            diff(g.standard_normal((4, 3, 2))),
            diff(W3[:2].repeat(2)),
        ),
        {},
    ),
]


@pytest.mark.parametrize(("name", "args", "kw"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_function_matches_torch(backend: str, name: str, args: Any, kw: Any) -> None:
    run_both(getattr(F, name), getattr(TF, name), args, kw)


def test_adaptive_max_pool_sends_ties_gradient_to_the_first_maximum(backend: str) -> None:
    x = np.zeros((1, 1, 5, 5))
    run_both(F.adaptive_max_pool2d, TF.adaptive_max_pool2d, (diff(x), 2), {"return_indices": True})


IDS = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0])
OFFSETS = np.array([0, 2, 2, 5])  # (an empty bag)
BAGS_2D = np.array([[1, 2, 4], [4, 3, 0]])
PSW = g.uniform(0.5, 2.0, IDS.shape)

BAG_CASES: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("mean_1d", (IDS, diff(TABLE), OFFSETS), {}),
    ("sum_1d", (IDS, diff(TABLE), OFFSETS), {"mode": "sum"}),
    ("max_1d", (IDS, diff(TABLE), OFFSETS), {"mode": "max"}),
    ("sum_psw", (IDS, diff(TABLE), OFFSETS), {"mode": "sum", "per_sample_weights": diff(PSW)}),
    ("last_offset", (IDS, diff(TABLE), np.array([0, 3, 9])), {"include_last_offset": True}),
    ("mean_2d", (BAGS_2D, diff(TABLE)), {}),
    ("max_2d", (BAGS_2D, diff(TABLE)), {"mode": "max"}),
    (
        "sum_2d_psw",
        (BAGS_2D, diff(TABLE)),
        {"mode": "sum", "per_sample_weights": diff(PSW[:6].reshape(2, 3))},
    ),
    ("padding_mean", (IDS, diff(TABLE), OFFSETS), {"padding_idx": 4}),
    ("padding_max_2d", (BAGS_2D, diff(TABLE)), {"mode": "max", "padding_idx": 4}),
]


@pytest.mark.parametrize(("args", "kw"), [c[1:] for c in BAG_CASES], ids=[c[0] for c in BAG_CASES])
def test_embedding_bag_matches_torch(backend: str, args: Any, kw: Any) -> None:
    run_both(F.embedding_bag, TF.embedding_bag, args, kw)


LAYERS: list[tuple[str, str, tuple[Any, ...], dict[str, Any], tuple[Any, ...]]] = [
    ("MarginRankingLoss", "MarginRankingLoss", (0.2,), {}, (diff(V), diff(-V), SIGNS)),
    ("HingeEmbeddingLoss", "HingeEmbeddingLoss", (), {"margin": 2.0}, (diff(A), np.sign(B))),
    (
        "CosineEmbeddingLoss",
        "CosineEmbeddingLoss",
        (),
        {"reduction": "sum"},
        (diff(A), diff(B), SIGNS),
    ),
    ("TripletMarginLoss", "TripletMarginLoss", (), {"swap": True}, (diff(A), diff(B), diff(C))),
    ("MultiLabelSoftMarginLoss", "MultiLabelSoftMarginLoss", (), {}, (diff(A), LABELS)),
    ("MultiMarginLoss", "MultiMarginLoss", (2,), {}, (diff(A), CLASSES)),
    ("PoissonNLLLoss", "PoissonNLLLoss", (), {"full": True}, (diff(A), COUNTS)),
    ("GaussianNLLLoss", "GaussianNLLLoss", (), {"full": True}, (diff(A), B, diff(VAR))),
    ("PairwiseDistance", "PairwiseDistance", (), {"p": 1.5, "keepdim": True}, (diff(A), diff(B))),
    ("AdaptiveMaxPool2d", "AdaptiveMaxPool2d", ((2, 3),), {"return_indices": True}, (diff(IMG),)),
    ("AdaptiveMaxPool1d", "AdaptiveMaxPool1d", (4,), {}, (diff(SEQ),)),
]


@pytest.mark.parametrize(
    ("name", "ctor", "kw", "args"), [c[1:] for c in LAYERS], ids=[c[0] for c in LAYERS]
)
def test_layer_matches_torch(backend: str, name: str, ctor: Any, kw: Any, args: Any) -> None:
    mine, ref = getattr(nn, name)(*ctor, **kw), getattr(torch.nn, name)(*ctor, **kw)
    assert repr(mine) == repr(ref)
    run_both(mine, ref, args)


def test_bilinear_and_embedding_bag_layers_match_torch(backend: str) -> None:
    mine, ref = nn.Bilinear(3, 2, 4).to(pt.float64), torch.nn.Bilinear(3, 2, 4).double()
    assert repr(mine) == repr(ref)
    bound = 1 / np.sqrt(3)
    assert np.abs(host(mine.weight)).max() <= bound and np.abs(host(mine.bias)).max() <= bound
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(host(mine.weight)))
        ref.bias.copy_(torch.tensor(host(mine.bias)))
    run_both(mine, ref, (diff(A), diff(B[:, :2].copy())))
    np.testing.assert_allclose(host(mine.weight.grad), host(ref.weight.grad), rtol=1e-10)
    for kw in ({"mode": "sum"}, {"mode": "max", "padding_idx": 2}, {}):
        mine_bag = nn.EmbeddingBag(10, 3, _weight=pt.asarray(TABLE), **kw)
        ref_bag = torch.nn.EmbeddingBag(10, 3, _weight=torch.tensor(TABLE), **kw)
        assert repr(mine_bag) == repr(ref_bag)
        run_both(mine_bag, ref_bag, (IDS, OFFSETS))
        np.testing.assert_allclose(host(mine_bag.weight.grad), host(ref_bag.weight.grad))
    assert host(nn.EmbeddingBag(5, 2, padding_idx=-1).weight)[4].tolist() == [0.0, 0.0]


BAD: list[tuple[str, Any, type[Exception], str]] = [
    (
        "ranking_dims",
        lambda m, t: m.margin_ranking_loss(t(A), t(A), t(V)),
        RuntimeError,
        "same dimension",
    ),
    (
        "cosine_2d_target",
        lambda m, t: m.cosine_embedding_loss(t(A), t(A), t(A)),
        RuntimeError,
        "multi-target",
    ),
    (
        "triplet_dims",
        lambda m, t: m.triplet_margin_loss(t(A), t(A[0]), t(A)),
        RuntimeError,
        "same number",
    ),
    (
        "triplet_margin",
        lambda m, t: m.triplet_margin_loss(t(A), t(A), t(A), margin=0.0),
        ValueError,
        "greater than 0",
    ),
    (
        "multi_margin_p",
        lambda m, t: m.multi_margin_loss(t(A), t(CLASSES), p=3),
        ValueError,
        "p == 1",
    ),
    (
        "gaussian_size",
        lambda m, t: m.gaussian_nll_loss(t(A), t(A), t(W3)),
        ValueError,
        "incorrect size",
    ),
    (
        "gaussian_negative",
        lambda m, t: m.gaussian_nll_loss(t(A), t(A), t(-VAR)),
        ValueError,
        "negative",
    ),
    (
        "gaussian_reduction",
        lambda m, t: m.gaussian_nll_loss(t(A), t(A), t(VAR), reduction="avg"),
        ValueError,
        "not valid",
    ),
    (
        "bilinear_dims",
        lambda m, t: m.bilinear(t(A), t(V), t(np.ones((2, 3, 4)))),
        RuntimeError,
        "dimensions do not match",
    ),
    (
        "bilinear_size",
        lambda m, t: m.bilinear(t(A), t(B), t(np.ones((2, 2, 3)))),
        RuntimeError,
        "input1 size",
    ),
    ("adaptive_max_dims", lambda m, t: m.adaptive_max_pool2d(t(A), 2), RuntimeError, "3D or 4D"),
    (
        "bag_offsets_2d",
        lambda m, t: m.embedding_bag(t(BAGS_2D), t(TABLE), t(OFFSETS)),
        ValueError,
        "offsets has to be None",
    ),
    (
        "bag_psw_mean",
        lambda m, t: m.embedding_bag(t(IDS), t(TABLE), t(OFFSETS), per_sample_weights=t(PSW)),
        NotImplementedError,
        "only supported for mode='sum'",
    ),
    (
        "bag_first_offset",
        lambda m, t: m.embedding_bag(t(IDS), t(TABLE), t(OFFSETS + 1)),
        RuntimeError,
        "offsets\\[0\\]",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_arguments_raise_torchs_error_classes(call: Any, error: Any, match: str) -> None:
    with pytest.raises(error):
        call(TF, torch.tensor)
    with pytest.raises(error, match=match):
        call(F, pt.asarray)
