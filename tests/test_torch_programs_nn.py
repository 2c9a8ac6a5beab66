"""``nn`` layers and utilities of PyTorch training programs run side by side with torch: the same
parameters and inputs (float64) give the same outputs, states and gradients. Values written
down from torch for the same calls, which run without torch, are in
``test_torch_programs_nn_known_values.py``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402

TOL = {"rtol": 1e-9, "atol": 1e-11}


def _same_parameters(p_module: Any, t_module: Any, seed: int = 0) -> None:
    """Random parameters, the same in both (by name; the names must agree)."""
    rng = np.random.default_rng(seed)
    t_params = dict(t_module.named_parameters())
    p_params = dict(p_module.named_parameters())
    assert list(p_params) == list(t_params)
    with torch.no_grad(), pt.no_grad():
        for name, tp in t_params.items():
            a = rng.uniform(-0.5, 0.5, tuple(tp.shape))
            tp.copy_(torch.tensor(a))
            p_params[name].copy_(pt.asarray(a))


def _compare_grads(p_module: Any, t_module: Any) -> None:
    for (name, p), (_, t) in zip(
        p_module.named_parameters(), t_module.named_parameters(), strict=True
    ):
        np.testing.assert_allclose(host(p.grad), host(t.grad), err_msg=name, **TOL)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bias", [False, True])
def test_lstm_with_projections_matches_torch(
    bidirectional: bool, batch_first: bool, bias: bool
) -> None:
    kw = {
        "num_layers": 2,
        "proj_size": 3,
        "bidirectional": bidirectional,
        "batch_first": batch_first,
        "bias": bias,
    }
    p_lstm = nn.LSTM(4, 5, **kw).to(pt.float64)
    t_lstm = torch.nn.LSTM(4, 5, **kw).double()
    _same_parameters(p_lstm, t_lstm)
    rng = np.random.default_rng(1)
    d = 2 if bidirectional else 1
    x = rng.standard_normal((2, 6, 4) if batch_first else (6, 2, 4))
    h0, c0 = rng.standard_normal((2 * d, 2, 3)), rng.standard_normal((2 * d, 2, 5))
    p_out, (p_h, p_c) = p_lstm(pt.asarray(x), (pt.asarray(h0), pt.asarray(c0)))
    t_out, (t_h, t_c) = t_lstm(torch.tensor(x), (torch.tensor(h0), torch.tensor(c0)))
    for p, t in ((p_out, t_out), (p_h, t_h), (p_c, t_c)):
        np.testing.assert_allclose(host(p), host(t), **TOL)
    g = rng.standard_normal(tuple(t_out.shape))
    ((p_out * pt.asarray(g)).sum() + p_c.sum()).backward()
    ((t_out * torch.tensor(g)).sum() + t_c.sum()).backward()
    _compare_grads(p_lstm, t_lstm)


def test_lstm_with_projections_over_packed_sequences_matches_torch() -> None:
    p_lstm = nn.LSTM(3, 6, num_layers=2, proj_size=2, bidirectional=True).to(pt.float64)
    t_lstm = torch.nn.LSTM(3, 6, num_layers=2, proj_size=2, bidirectional=True).double()
    _same_parameters(p_lstm, t_lstm, seed=2)
    rng = np.random.default_rng(3)
    seqs = [rng.standard_normal((n, 3)) for n in (2, 5, 4)]
    p_packed = nn.utils.rnn.pack_sequence([pt.asarray(s) for s in seqs], enforce_sorted=False)
    t_packed = torch.nn.utils.rnn.pack_sequence(
        [torch.tensor(s) for s in seqs], enforce_sorted=False
    )
    p_out, (p_h, _) = p_lstm(p_packed)
    t_out, (t_h, _) = t_lstm(t_packed)
    p_pad, _ = nn.utils.rnn.pad_packed_sequence(p_out)
    t_pad, _ = torch.nn.utils.rnn.pad_packed_sequence(t_out)
    np.testing.assert_allclose(host(p_pad), host(t_pad), **TOL)
    np.testing.assert_allclose(host(p_h), host(t_h), **TOL)
    (p_pad.sum() + p_h.sum()).backward()
    (t_pad.sum() + t_h.sum()).backward()
    _compare_grads(p_lstm, t_lstm)


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)])
def test_orthogonal_matches_torch(orthogonal_map: str, shape: tuple[int, ...]) -> None:
    a = np.random.default_rng(4).uniform(-1, 1, shape)

    def build(lib: Any, asarray: Any) -> Any:
        class Holder(lib.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.w = lib.nn.Parameter(asarray(a.copy()))

        return lib.nn.utils.parametrizations.orthogonal(Holder(), "w", orthogonal_map)

    p_m, t_m = build(pt, pt.asarray), build(torch, torch.tensor)
    np.testing.assert_allclose(host(p_m.w), host(t_m.w), **TOL)
    p_opt = pt.optim.SGD(p_m.parameters(), lr=0.2)
    t_opt = torch.optim.SGD(t_m.parameters(), lr=0.2)
    for _ in range(3):
        for m, opt in ((p_m, p_opt), (t_m, t_opt)):
            opt.zero_grad()
            (m.w**3).sum().backward()
            opt.step()
    np.testing.assert_allclose(host(p_m.w), host(t_m.w), **TOL)
    np.testing.assert_allclose(
        host(p_m.parametrizations.w.original), host(t_m.parametrizations.w.original), **TOL
    )


@pytest.mark.parametrize("need_weights", [True, False])
def test_multi_head_attention_forward_matches_torch(need_weights: bool) -> None:
    rng = np.random.default_rng(5)
    x, kv = rng.standard_normal((5, 2, 8)), rng.standard_normal((4, 2, 8))
    w_in, b_in = rng.uniform(-0.3, 0.3, (24, 8)), rng.uniform(-0.1, 0.1, 24)
    w_out, b_out = rng.uniform(-0.3, 0.3, (8, 8)), rng.uniform(-0.1, 0.1, 8)
    bias_k, bias_v = rng.standard_normal((1, 1, 8)), rng.standard_normal((1, 1, 8))
    kpm = np.where(np.array([[False, False, False, True], [False] * 4]), -np.inf, 0.0)
    mask = rng.standard_normal((5, 4))

    def call(lib: Any, asarray: Any) -> tuple[Any, Any, Any]:
        w = asarray(w_in.copy()).requires_grad_(True)
        out, weights = lib.nn.functional.multi_head_attention_forward(
            asarray(x), asarray(kv), asarray(kv), 8, 2, w, asarray(b_in), asarray(bias_k),
            asarray(bias_v), True, 0.0, asarray(w_out), asarray(b_out), training=False,
            key_padding_mask=asarray(kpm), attn_mask=asarray(mask), need_weights=need_weights,
        )  # fmt: skip
        out.sum().backward()
        return out, weights, w.grad

    p_out, p_w, p_g = call(pt, pt.asarray)
    t_out, t_w, t_g = call(torch, torch.tensor)
    np.testing.assert_allclose(host(p_out), host(t_out), **TOL)
    np.testing.assert_allclose(host(p_g), host(t_g), **TOL)
    if need_weights:
        np.testing.assert_allclose(host(p_w), host(t_w), **TOL)
    else:
        assert p_w is None and t_w is None


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("padded", [True, False])
def test_ctc_loss_matches_torch(reduction: str, padded: bool) -> None:
    rng = np.random.default_rng(6)
    logits = rng.standard_normal((9, 3, 6))
    lengths, target_lengths = [9, 7, 8], [4, 2, 3]
    rows = [rng.integers(1, 6, k).tolist() for k in target_lengths]
    rows[0][1] = rows[0][2]  # (a repeated label needs a blank between)
    targets = (
        np.array([r + [0] * (4 - len(r)) for r in rows])
        if padded
        else np.array([v for r in rows for v in r])
    )

    def call(lib: Any, asarray: Any) -> tuple[Any, Any]:
        x = asarray(logits.copy()).requires_grad_(True)
        loss = lib.nn.CTCLoss(reduction=reduction)(
            x.log_softmax(2), asarray(targets), asarray(np.array(lengths)),
            asarray(np.array(target_lengths)),
        )  # fmt: skip
        loss.sum().backward()
        return loss, x.grad

    p_loss, p_grad = call(pt, pt.asarray)
    t_loss, t_grad = call(torch, torch.tensor)
    np.testing.assert_allclose(host(p_loss), host(t_loss), **TOL)
    np.testing.assert_allclose(host(p_grad), host(t_grad), **TOL)
