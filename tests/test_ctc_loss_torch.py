"""``F.ctc_loss`` compared with torch's on random log-probabilities: losses and gradients, for
padded and concatenated targets, repeated labels, another blank, empty targets, shorter
inputs, targets no alignment produces, and each reduction."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")


def _case(
    t: int,
    n: int,
    c: int,
    in_lens: list[int],
    tg_lens: list[int],
    *,
    targets: Any = None,
    blank: int = 0,
    reduction: str = "none",
    zero_infinity: bool = False,
    concat: bool = False,
) -> None:
    r = np.random.default_rng(len(in_lens) * 7 + t)
    x = r.standard_normal((t, n, c))
    lp = x - np.log(np.exp(x).sum(axis=2, keepdims=True))
    if targets is None:
        labels = [k for k in range(c) if k != blank]
        targets = r.choice(labels, size=(n, max(tg_lens)))
    if concat:
        targets = np.concatenate([targets[i, : tg_lens[i]] for i in range(n)])
    tt, pp = torch.tensor(lp, requires_grad=True), pt.tensor(lp, requires_grad=True)
    kw: dict[str, Any] = {"blank": blank, "reduction": reduction, "zero_infinity": zero_infinity}
    lt = torch.nn.functional.ctc_loss(
        tt, torch.tensor(targets), torch.tensor(in_lens), torch.tensor(tg_lens), **kw
    )
    lpt = F.ctc_loss(pp, pt.asarray(targets), pt.asarray(in_lens), pt.asarray(tg_lens), **kw)
    w = np.arange(1.0, lt.numel() + 1).reshape(tuple(lt.shape))
    (lt * torch.tensor(w)).sum().backward()
    (lpt * pt.asarray(w)).sum().backward()
    np.testing.assert_allclose(lpt.detach().numpy(), lt.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(pp.grad.numpy(), tt.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_reductions(reduction: str) -> None:
    _case(6, 3, 5, [6, 5, 4], [3, 2, 1], reduction=reduction)


def test_other_blank_empty_target_and_concatenated() -> None:
    _case(6, 3, 5, [6, 5, 4], [3, 2, 1], blank=4)
    _case(6, 3, 5, [6, 5, 4], [3, 2, 0])
    _case(6, 3, 5, [6, 6, 6], [3, 2, 2], concat=True)


def test_repeated_labels_and_long_sequences() -> None:
    _case(10, 2, 3, [10, 9], [4, 3], targets=np.array([[1, 1, 2, 2], [2, 2, 2, 1]]))
    _case(50, 4, 20, [50, 40, 30, 20], [12, 10, 7, 5], reduction="mean")


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_targets_no_alignment_produces(zero_infinity: bool) -> None:
    # (1, 1, 1) needs five frames; the second sequence fits in three
    targets = np.array([[1, 1, 1], [1, 2, 1]])
    _case(3, 2, 3, [3, 3], [3, 3], targets=targets, zero_infinity=zero_infinity)
