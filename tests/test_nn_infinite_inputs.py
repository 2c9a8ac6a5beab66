"""Losses and activations whose piecewise formula has a branch that an infinite input does not
take give that branch's 0 (or the other branch's gradient), not ``0 * inf = NaN``, in value and
gradient, as PyTorch's: ``smooth_l1_loss`` and ``huber_loss`` of an infinite difference,
``hinge_embedding_loss`` of an infinite input, ``multi_margin_loss`` (p = 2) of a row with
infinite scores, ``prelu`` of ``+inf``. Known values on every available backend, and the same
calls compared with torch where it is installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

INF = np.inf


# (id, function, arrays (the float ones but a loss's target require grad),
#  keywords, value, gradients of the sum)
KNOWN: list[tuple[str, Callable[..., Any], list[np.ndarray], dict[str, Any], Any, Any]] = [
    (
        "smooth_l1_infinite_difference",
        F.smooth_l1_loss,
        [np.array([0.3, -INF, 0.5]), np.array([INF, 1.0, 0.0])],
        {"reduction": "none", "beta": 0.5},
        [INF, INF, 0.25],
        [[-1.0, -1.0, 1.0]],
    ),
    (
        "huber_infinite_difference",
        F.huber_loss,
        [np.array([0.3, -INF, 0.5]), np.array([INF, 1.0, 0.0])],
        {"reduction": "none", "delta": 2.0},
        [INF, INF, 0.125],
        [[-2.0, -2.0, 0.5]],
    ),
    (
        "hinge_embedding_infinite_input",
        F.hinge_embedding_loss,
        [np.array([INF, 1e300, 0.5]), np.array([-1.0, 1.0, -1.0])],
        {"reduction": "none"},
        [0.0, 1e300, 0.5],
        [[0.0, 1.0, -1.0]],
    ),
    (
        "hinge_embedding_infinite_input_mean",
        F.hinge_embedding_loss,
        [np.array([INF, 3.0, 0.5]), np.array([-1.0, 1.0, -1.0])],
        {},
        3.5 / 3,
        [[0.0, 1 / 3, -1 / 3]],
    ),
    (
        "multi_margin_p2_infinite_scores",
        F.multi_margin_loss,
        [np.array([[INF, -INF, 0.0, 1.0], [0.0, 0.5, 1.0, -INF]]), np.array([2, 0])],
        {"p": 2, "reduction": "none"},
        [INF, (1.5**2 + 2.0**2) / 4],
        [[[INF, 0.0, -INF, 1.0], [-(3.0 + 4.0) / 4, 3.0 / 4, 4.0 / 4, 0.0]]],
    ),
    (
        "prelu_positive_infinity",
        F.prelu,
        [np.array([INF, -1.0, 2.0]), np.array([0.25])],
        {},
        [INF, -0.25, 2.0],
        [[1.0, 0.25, 1.0], [-1.0]],
    ),
]


def _requires(i: int, a: np.ndarray, fn: Callable[..., Any]) -> bool:
    # prelu's weight is differentiable; a loss's target (the second array) is not here
    return a.dtype.kind == "f" and (i != 1 or fn is F.prelu)


def _run(fn: Callable[..., Any], arrays: list[np.ndarray], kw: dict[str, Any]) -> Any:
    ts = [pt.asarray(a.copy(), requires_grad=_requires(i, a, fn)) for i, a in enumerate(arrays)]
    out = fn(*ts, **kw)
    leaves = [t for t in ts if t.requires_grad]
    grads = pt.autograd.grad(out.sum(), leaves)
    return np.asarray(out.detach().numpy()), [np.asarray(g.numpy()) for g in grads]


@pytest.mark.parametrize(
    ("fn", "arrays", "kw", "value", "grads"), [k[1:] for k in KNOWN], ids=[k[0] for k in KNOWN]
)
def test_infinite_input_gives_the_branch_it_takes(
    backend: str, fn: Any, arrays: Any, kw: Any, value: Any, grads: Any
) -> None:
    got, got_grads = _run(fn, arrays, kw)
    np.testing.assert_allclose(got, value, rtol=1e-12)
    assert len(got_grads) == len(grads)
    for g, want in zip(got_grads, grads, strict=True):
        np.testing.assert_allclose(g, want, rtol=1e-12)


@pytest.mark.parametrize(
    ("fn", "arrays", "kw"), [(k[1], k[2], k[3]) for k in KNOWN], ids=[k[0] for k in KNOWN]
)
def test_infinite_input_matches_torch(backend: str, fn: Any, arrays: Any, kw: Any) -> None:
    torch = pytest.importorskip("torch", reason="torch is the reference this test compares with")
    got, got_grads = _run(fn, arrays, kw)
    ts = [torch.tensor(a, requires_grad=_requires(i, a, fn)) for i, a in enumerate(arrays)]
    out = getattr(torch.nn.functional, fn.__name__)(*ts, **kw)
    want = torch.autograd.grad(out.sum(), [t for t in ts if t.requires_grad])
    np.testing.assert_allclose(got, out.detach().numpy(), rtol=1e-12)
    for g, w in zip(got_grads, want, strict=True):
        np.testing.assert_allclose(g, w.numpy(), rtol=1e-12)


def test_cosine_similarity_of_large_and_small_vectors_is_their_cosine(backend: str) -> None:
    # (each vector divided by its largest magnitude first: no square overflows, in float32
    # from |x| ~ 1.8e19; PyTorch's gives 0 there, the squares' inf / inf gave NaN)
    for dtype, big in ((pt.float32, 3e20), (pt.float64, 1e300)):
        a = pt.asarray([[big, big, 0.0], [3.0, 4.0, 0.0]], dtype=dtype, device=backend)
        b = pt.asarray([[big, big, 0.0], [3.0, -4.0, 0.0]], dtype=dtype, device=backend)
        a.requires_grad_()
        y = F.cosine_similarity(a, b)
        np.testing.assert_allclose(y.detach().numpy(), [1.0, -7.0 / 25.0], rtol=1e-6)
        (g,) = pt.autograd.grad(y.sum(), a)
        np.testing.assert_allclose(g.numpy()[0], [0.0, 0.0, 0.0], atol=1e-6 / big)
        # (d cos / d a at a = [3, 4], b = [3, -4]: b / (|a||b|) - cos a / |a|^2)
        want = np.array([3.0, -4.0, 0.0]) / 25.0 + (7.0 / 25.0) * np.array([3.0, 4.0, 0.0]) / 25.0
        np.testing.assert_allclose(g.numpy()[1], want, rtol=1e-5)
    # (a NaN stays a NaN, in the value and the gradient: the norm is not clamped to eps)
    n = pt.asarray([[np.nan, 1.0]], dtype=pt.float64, device=backend, requires_grad=True)
    y = F.cosine_similarity(n, pt.asarray([[1.0, 1.0]], dtype=pt.float64, device=backend))
    (g,) = pt.autograd.grad(y.sum(), n)
    assert np.isnan(y.detach().numpy()).all() and np.isnan(g.numpy()).all()
