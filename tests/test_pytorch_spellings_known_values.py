"""The PyTorch spellings and training utilities of ``test_torch_program_spellings.py`` and
``test_torch_training_utilities.py`` checked against values written down from torch 2.13, so
that they run where torch is not installed (CI): ``randint``'s range refusal, ``mode``,
``nanmedian``, ``diag_embed``, ``unique_consecutive``, ``tril(diagonal=)``, NumPy indices,
``matmul``'s refusal, ``Variable``, ``load(map_location=)``, ``grad(materialize_grads=)``,
backward hooks, anomaly detection, ``GradScaler``, ``gumbel_softmax``, ``embedding(max_norm=)``,
``x.new`` and ``x.is_cuda``, on every backend."""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pytest

import polytensor as pt


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


def test_randint_forms_and_range_refusal(backend: str) -> None:
    assert tuple(pt.randint(5, (2, 3)).shape) == (2, 3)
    assert pt.randint(0, 7, (50,), dtype=pt.float32).dtype == pt.float32
    with pytest.raises(RuntimeError, match=r"range \[0, 300\) does not fit uint8"):
        pt.randint(0, 300, (2,), dtype=pt.uint8)
    assert pt.randint_like(pt.zeros(3), 10).dtype == pt.float32


def test_mode_nanmedian_and_shapes_as_torch_gives_them(backend: str) -> None:
    # (torch 2.13: torch.mode(torch.tensor([[1., 2, 2], [3, 3, 1]]), 1) and so on)
    m = pt.mode(pt.asarray([[1.0, 2.0, 2.0], [3.0, 3.0, 1.0]]), 1)
    assert _host(m.values).tolist() == [2.0, 3.0] and _host(m.indices).tolist() == [2, 1]
    m = pt.mode(pt.asarray([3, 1, 3, 1]))
    assert m.values.item() == 1 and m.indices.item() == 3
    n = pt.nanmedian(pt.asarray([[1.0, math.nan, 3.0, 2.0], [4.0, 1.0, math.nan, 0.5]]), 1)
    assert _host(n.values).tolist() == [2.0, 1.0] and _host(n.indices).tolist() == [3, 1]
    d = pt.diag_embed(pt.asarray([1, 2]), offset=1)
    assert _host(d).tolist() == [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    assert _host(pt.diagflat(pt.asarray([[1, 2]]), -1)).tolist() == [
        [0, 0, 0],
        [1, 0, 0],
        [0, 2, 0],
    ]
    u, inv, cnt = pt.unique_consecutive(
        pt.asarray([1, 1, 2, 2, 3, 1, 1, 2]), return_inverse=True, return_counts=True
    )
    assert _host(u).tolist() == [1, 2, 3, 1, 2]
    assert _host(inv).tolist() == [0, 0, 1, 1, 2, 3, 3, 4]
    assert _host(cnt).tolist() == [2, 2, 1, 2, 1]
    tri = pt.tril(pt.ones((3, 3)), diagonal=-1)
    assert _host(tri).tolist() == [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0]]


def test_numpy_indices_and_matmul_refusal(backend: str) -> None:
    x = pt.asarray(np.arange(12.0).reshape(3, 4))
    assert _host(x[np.array([2, 0])]).tolist() == [[8.0, 9.0, 10.0, 11.0], [0.0, 1.0, 2.0, 3.0]]
    assert _host(x[:, np.array([1, 3])]).tolist() == [[1.0, 3.0], [5.0, 7.0], [9.0, 11.0]]
    with pytest.raises(RuntimeError, match=r"cannot multiply shapes \(2, 3\) and \(2, 3\)"):
        pt.ones((2, 3)) @ pt.ones((2, 3))


def test_variable_load_and_grad_materialized(backend: str) -> None:
    from polytensor.autograd import Variable

    t = pt.ones(2)
    v = Variable(t, requires_grad=True)
    (v * 3).sum().backward()
    assert _host(v.grad).tolist() == [3.0, 3.0] and isinstance(t, Variable)
    buf = io.BytesIO()
    pt.save({"w": pt.asarray([1.0, 2.0])}, buf)
    got = pt.load(io.BytesIO(buf.getvalue()), map_location=lambda s, loc: s, weights_only=True)
    assert _host(got["w"]).tolist() == [1.0, 2.0]
    a, b = pt.ones(2, requires_grad=True), pt.ones(2, requires_grad=True)
    _, gb = pt.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)
    assert _host(gb).tolist() == [0.0, 0.0]


def test_backward_hooks_and_anomaly_detection(backend: str) -> None:
    m = pt.nn.Linear(2, 3).double()
    with pt.no_grad():
        m.weight.copy_(pt.asarray(np.arange(6.0).reshape(3, 2)))
        m.bias.zero_()
    seen: list[Any] = []
    m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
    m.register_full_backward_hook(lambda mod, gi, go: seen.append(_host(gi[0]).tolist()))
    x = pt.ones((1, 2), dtype=pt.float64, requires_grad=True)
    m(x).sum().backward()
    # (torch 2.13: the same module gives grad_input [[12., 18.]], weight.grad all 2.)
    assert seen == [[[12.0, 18.0]]] and _host(x.grad).tolist() == [[12.0, 18.0]]
    assert np.all(_host(m.weight.grad) == 2.0)
    w = pt.asarray([1.0], requires_grad=True)
    with (
        pt.autograd.detect_anomaly(),
        pytest.raises(RuntimeError, match="'MulBackward0' returned nan values"),
    ):
        (w * float("nan")).sum().backward()


def test_grad_scaler_sequence_as_torch() -> None:
    # (torch 2.13, torch.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2), SGD lr 0.1
    # on (w ** 2).sum() from [1, 2]: scales 4, 8, 8, 16, then an infinite step: 8)
    scaler = pt.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
    w = pt.asarray([1.0, 2.0], requires_grad=True)
    opt = pt.optim.SGD([w], lr=0.1)
    scales = []
    for inf in (False, False, False, False, True):
        opt.zero_grad()
        loss = (w * w).sum() * (float("inf") if inf else 1.0)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    assert scales == [4.0, 8.0, 8.0, 16.0, 8.0]
    np.testing.assert_allclose(_host(w), [0.4096, 0.8192], rtol=1e-6)


def test_gumbel_softmax_embedding_max_norm_new_and_is_cuda(backend: str) -> None:
    y = pt.nn.functional.gumbel_softmax(pt.zeros((4, 3)), tau=0.5, hard=True)
    assert np.all(_host(y).sum(axis=1) == 1.0) and set(np.unique(_host(y))) <= {0.0, 1.0}
    w = pt.asarray([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]], requires_grad=True)
    out = pt.nn.functional.embedding(pt.asarray([0, 1]), w, max_norm=1.0)
    np.testing.assert_allclose(_host(out), [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    np.testing.assert_allclose(_host(w)[2], [6.0, 8.0])  # (not named: as it was)
    x = pt.ones(2, dtype=pt.float64)
    assert tuple(x.new(2, 3).shape) == (2, 3) and _host(x.new([1, 2])).tolist() == [1.0, 2.0]
    assert not x.is_cuda and x.is_cpu
