"""What PyTorch training programs call in ``nn``, ``nn.utils`` and ``optim``, checked against
values written down from torch 2 (float64, deterministic parameters), so they run without torch:
``nn.LSTM(proj_size=)``, ``nn.utils.parametrizations.orthogonal``, ``nn.utils.parametrize.cached``,
``nn.utils.get_total_norm`` / ``clip_grads_with_norm_``, and an optimizer's step hooks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn


def _fill(module: nn.Module) -> nn.Module:
    """Every parameter (in ``parameters()`` order ``i``) set to 0.5 sin(1.3 k + i), k its flat
    index: the same numbers the torch side of these values was computed with."""
    with pt.no_grad():
        for i, p in enumerate(module.parameters()):
            k = pt.arange(p.numel(), dtype=pt.float64)
            p.copy_(pt.reshape(0.5 * pt.sin(1.3 * k + i), tuple(p.shape)))
    return module


def _input(*shape: int, seed: int = 0) -> Any:
    k = pt.arange(int(np.prod(shape)), dtype=pt.float64)
    return pt.reshape(pt.cos(0.7 * k + seed), shape)


def _close(got: Any, want: Any) -> None:
    np.testing.assert_allclose(got.detach().numpy(), np.asarray(want), rtol=1e-8, atol=1e-9)


# -- LSTM with projections ------------------------------------------------------------------------
def test_lstm_with_projections_matches_torch_values_and_gradients() -> None:
    m = _fill(
        nn.LSTM(2, 3, num_layers=2, proj_size=1, bidirectional=True, batch_first=True).to(
            pt.float64
        )
    )
    assert [n for n, _ in m.named_parameters()][:5] == [
        "weight_ih_l0",
        "weight_hh_l0",
        "bias_ih_l0",
        "bias_hh_l0",
        "weight_hr_l0",
    ]
    assert tuple(m.weight_ih_l1.shape) == (12, 2) and tuple(m.weight_hh_l1.shape) == (12, 1)
    x = _input(2, 3, 2).requires_grad_(True)
    out, (h, c) = m(x)
    (out.sum() + c.sum()).backward()
    _close(
        out,
        [
            [
                [0.1650179096, 0.0926485928],
                [0.2340529149, 0.0866760433],
                [0.2667225772, 0.0710603566],
            ],
            [
                [0.1681021174, 0.0952570439],
                [0.2335763913, 0.0831630998],
                [0.2644463818, 0.0617571903],
            ],
        ],
    )
    _close(
        h,
        [
            [[0.183687677], [0.3016200556]],
            [[0.3427482155], [0.2762536696]],
            [[0.2667225772], [0.2644463818]],
            [[0.0926485928], [0.0952570439]],
        ],
    )
    _close(
        c[3],
        [[0.0582435637, 0.5447249691, 0.1792503123], [0.0583504763, 0.5408359537, 0.1918556773]],
    )
    _close(
        x.grad,
        [
            [
                [-0.0658317473, 0.1011960316],
                [0.0175680642, 0.0256319957],
                [0.1072620291, -0.1155038748],
            ],
            [
                [0.1689046961, 0.1018175215],
                [-0.0421556968, 0.033692862],
                [-0.0748870171, -0.0918935333],
            ],
        ],
    )
    _close(m.weight_hr_l1_reverse.grad, [[0.1003238601, 0.8012963417, 0.5628616672]])
    _close(
        m.weight_hh_l0.grad[:4], [[-0.064169664], [-0.1274247005], [0.0230085518], [-0.0964338672]]
    )


def test_lstm_with_projections_checks_its_states_and_arguments() -> None:
    m = nn.LSTM(3, 6, num_layers=2, proj_size=2)
    assert repr(m) == "LSTM(3, 6, proj_size=2, num_layers=2)"
    out, (h, c) = m(pt.ones((4, 5, 3)), (pt.zeros((2, 5, 2)), pt.zeros((2, 5, 6))))
    assert (tuple(out.shape), tuple(h.shape), tuple(c.shape)) == ((4, 5, 2), (2, 5, 2), (2, 5, 6))
    with pytest.raises(RuntimeError, match=r"Expected hx size \(2, 5, 2\)"):
        m(pt.ones((4, 5, 3)), (pt.zeros((2, 5, 6)), pt.zeros((2, 5, 6))))
    with pytest.raises(ValueError, match=r"proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 6, proj_size=6)


def test_lstm_with_projections_takes_packed_sequences() -> None:
    rnn = nn.utils.rnn
    m = nn.LSTM(2, 4, proj_size=3, bidirectional=True).to(pt.float64)
    seqs = [_input(3, 2), _input(1, 2, seed=1)]
    out, (h, _) = m(rnn.pack_sequence(seqs, enforce_sorted=False))
    padded, lengths = rnn.pad_packed_sequence(out)
    assert tuple(padded.shape) == (3, 2, 6) and lengths.tolist() == [3, 1]
    # each sequence alone gives the same numbers as in the packed batch
    alone, (h1, _) = m(seqs[1][:, None, :])
    _close(padded[:1, 1], alone[:, 0].detach().numpy())
    _close(h[:, 1], h1[:, 0].detach().numpy())
