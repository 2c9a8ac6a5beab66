"""``F.ctc_loss`` and ``nn.CTCLoss`` against values written down from torch 2.13 (the loss of
each sequence, its reductions and PyTorch's gradient ``exp(log_probs) - posterior``), on every
backend; and their refusals of arguments they cannot take."""

from __future__ import annotations

import math

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

# torch.nn.functional.ctc_loss(lp, [[1, 2, 2], [2, 1, 0]], [5, 4], [3, 2], reduction=...) for
# lp, the log_softmax over the last axis of sin(0.7 * arange(30)) as (5, 2, 3)
_LOSSES = [3.3585850144970157, 1.6373022107508155]
_MEAN, _SUM = 0.9690897217705399, 4.995887225247831
# lp's gradient of (losses * [1, 2]).sum()
_GRAD = [
    [[0.162094730465, -0.641903133567, 0.479808403102],
     [-0.261670550004, 0.625075302529, -0.363404752524]],
    [[0.279605736425, 0.233256843633, -0.512862580058],
     [0.139443254968, 0.460503317227, -0.599946572195]],
    [[-0.336587690836, 0.31132258597, 0.025265104866],
     [0.177250312267, -0.440435896675, 0.263185584409]],
    [[-0.105528659579, 0.343879967732, -0.238351308153],
     [0.338929887965, -0.651531398509, 0.312601510544]],
    [[0.002225937026, 0.282411211503, -0.284637148529],
     [0.0, 0.0, 0.0]],
]  # fmt: skip


def _host(t: pt.Tensor) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


def _log_probs() -> np.ndarray:
    x = np.sin(np.arange(30, dtype=np.float64) * 0.7).reshape(5, 2, 3)
    return x - np.log(np.exp(x).sum(axis=2, keepdims=True))


def test_losses_and_gradient_as_torch(backend: str) -> None:
    lp = pt.tensor(_log_probs(), requires_grad=True)
    targets = pt.asarray([[1, 2, 2], [2, 1, 0]])
    loss = F.ctc_loss(lp, targets, pt.asarray([5, 4]), pt.asarray([3, 2]), reduction="none")
    assert loss.shape == (2,)
    np.testing.assert_allclose(_host(loss), _LOSSES, rtol=1e-12)
    (loss * pt.asarray([1.0, 2.0])).sum().backward()
    np.testing.assert_allclose(_host(lp.grad), _GRAD, rtol=1e-9, atol=1e-12)
    for reduction, want in (("mean", _MEAN), ("sum", _SUM)):
        got = F.ctc_loss(lp, targets, [5, 4], (3, 2), reduction=reduction)
        assert got.shape == ()
        assert math.isclose(float(got), want, rel_tol=1e-12)


def test_concatenated_targets_and_the_layer() -> None:
    lp = pt.tensor(_log_probs(), requires_grad=True)
    flat = pt.asarray([1, 2, 2, 2, 1])
    loss = pt.nn.CTCLoss(reduction="none")(lp, flat, [5, 4], [3, 2])
    np.testing.assert_allclose(_host(loss), _LOSSES, rtol=1e-12)
    assert math.isclose(float(pt.nn.CTCLoss()(lp, flat, [5, 4], [3, 2])), _MEAN, rel_tol=1e-12)


def test_gradient_through_log_softmax_is_the_logits_true_gradient() -> None:
    # behind a log_softmax, PyTorch's gradient gives the logits' true gradient: compared with
    # central differences of the loss
    x0 = np.sin(np.arange(30, dtype=np.float64) * 0.7).reshape(5, 2, 3)
    targets = pt.asarray([[1, 2, 2], [2, 1, 0]])

    def loss_of(x: np.ndarray) -> float:
        return float(F.ctc_loss(pt.asarray(x).log_softmax(2), targets, [5, 4], [3, 2]))

    x = pt.tensor(x0, requires_grad=True)
    F.ctc_loss(x.log_softmax(2), targets, [5, 4], [3, 2]).backward()
    numeric = np.zeros_like(x0)
    for i in np.ndindex(x0.shape):
        e = np.zeros_like(x0)
        e[i] = 1e-6
        numeric[i] = (loss_of(x0 + e) - loss_of(x0 - e)) / 2e-6
    np.testing.assert_allclose(_host(x.grad), numeric, atol=1e-8)


def test_impossible_target_is_infinite_or_zero_with_zero_infinity() -> None:
    # three frames cannot spell 1, 1, 1 (two blanks are needed between repeats)
    lp = pt.tensor(np.log(np.full((3, 1, 3), 1 / 3)), requires_grad=True)
    loss = F.ctc_loss(lp, pt.asarray([[1, 1, 1]]), [3], [3], reduction="sum")
    assert math.isinf(float(loss))
    loss.backward()
    assert np.isnan(_host(lp.grad)).all()  # (as PyTorch's)
    lp.grad = None
    loss = F.ctc_loss(lp, pt.asarray([[1, 1, 1]]), [3], [3], reduction="sum", zero_infinity=True)
    assert float(loss) == 0.0
    loss.backward()
    assert not _host(lp.grad).any()


def test_one_sequence_unbatched() -> None:
    lp = pt.asarray(_log_probs()[:, 0])  # (T, C)
    loss = F.ctc_loss(lp, pt.asarray([1, 2, 2]), 5, 3, reduction="none")
    assert loss.shape == ()
    assert math.isclose(float(loss), _LOSSES[0], rel_tol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"blank": 3}, "blank=3"),
        ({"input_lengths": [6, 4]}, "longer than the input's 5 frames"),
        ({"target_lengths": [4, 2]}, "longer than the targets' 3 columns"),
        ({"input_lengths": [5]}, "1 input_lengths for a batch of 2"),
        ({"targets": pt.asarray([[1, 2, 3], [2, 1, 0]])}, "target label 3"),
        ({"targets": pt.asarray([[1.0, 2.0, 2.0], [2.0, 1.0, 0.0]])}, "integer dtype"),
        ({"reduction": "avg"}, "reduction='avg'"),
    ],
)
def test_refusals(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "targets": pt.asarray([[1, 2, 2], [2, 1, 0]]),
        "input_lengths": [5, 4],
        "target_lengths": [3, 2],
    }
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=message.replace("[", r"\[")):
        F.ctc_loss(pt.asarray(_log_probs()), **args)  # type: ignore[arg-type]


def test_no_second_derivative() -> None:
    lp = pt.tensor(_log_probs(), requires_grad=True)
    loss = F.ctc_loss(lp, pt.asarray([[1, 2, 2], [2, 1, 0]]), [5, 4], [3, 2])
    (g,) = pt.autograd.grad(loss, lp, create_graph=True)
    with pytest.raises(NotImplementedError, match="no second derivative"):
        pt.autograd.grad(g.sum(), lp)
