"""``utils.checkpoint`` gives the gradients of the plain call (through ``backward()`` and
``autograd.grad``, to inputs and to the parameters the function uses, with dropout replayed),
and ``optim.swa_utils`` (``AveragedModel``, ``SWALR``, ``update_bn``) gives torch's averages,
learning rates and statistics, on every available backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn, optim
from polytensor.utils.checkpoint import checkpoint, checkpoint_sequential

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402

g = np.random.default_rng(9)
X = g.standard_normal((4, 3))


def _block() -> tuple[Any, Any]:
    t_mod = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    t_mod = t_mod.double()
    p_mod = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).to(dtype=pt.float64)
    state = {k: pt.asarray(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()}
    p_mod.load_state_dict(state)
    return p_mod, t_mod


def test_checkpoint_gives_the_gradients_of_the_plain_call(backend: str) -> None:
    p_mod, t_mod = _block()
    px = pt.asarray(X, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    py = checkpoint(lambda v, scale: p_mod(v) * scale, px, 2.0, use_reentrant=False)
    ty = torch.utils.checkpoint.checkpoint(lambda v, s: t_mod(v) * s, tx, 2.0, use_reentrant=False)
    np.testing.assert_allclose(host(py), host(ty), rtol=1e-12)
    (py**2).sum().backward()
    (ty**2).sum().backward()
    np.testing.assert_allclose(host(px.grad), host(tx.grad), rtol=1e-10)
    for (name, p), t in zip(p_mod.named_parameters(), t_mod.parameters(), strict=True):
        np.testing.assert_allclose(host(p.grad), host(t.grad), rtol=1e-10, err_msg=name)


def test_checkpoint_reaches_parameters_through_autograd_grad(backend: str) -> None:
    p_mod, t_mod = _block()
    px = pt.asarray(X)  # (no input requires grad: the parameters still get theirs)
    out = checkpoint(p_mod, px, use_reentrant=False).sum()
    p_grads = pt.autograd.grad(out, list(p_mod.parameters()))
    t_out = torch.utils.checkpoint.checkpoint(t_mod, torch.tensor(X), use_reentrant=False).sum()
    t_grads = torch.autograd.grad(t_out, list(t_mod.parameters()))
    for a, b in zip(p_grads, t_grads, strict=True):
        np.testing.assert_allclose(host(a), host(b), rtol=1e-10)
    assert all(p.grad is None for p in p_mod.parameters())


def test_checkpoint_replays_dropout_and_handles_tuples(backend: str) -> None:
    pt.manual_seed(1)
    x = pt.asarray(X, requires_grad=True)

    def f(v: Any) -> Any:
        d = nn.functional.dropout(v, 0.5)
        return d * 3.0, d.sum()

    a, s = checkpoint(f, x, use_reentrant=False)
    (a.sum() + s).backward()
    # each kept entry has gradient 3 + 1 times the dropout scale 2, each dropped one 0
    np.testing.assert_array_equal(host(x.grad), np.where(host(a) != 0, 8.0, 0.0))
    with pytest.warns(UserWarning, match="use_reentrant"):
        checkpoint(lambda v: v * 2, x)
    with pytest.raises(TypeError, match="function"):
        checkpoint(3, x, use_reentrant=False)
    layers = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1)).to(dtype=pt.float64)
    y = checkpoint_sequential(layers, 2, x, use_reentrant=False)
    assert y.shape == (4, 1) and y.requires_grad
    with pt.no_grad():
        assert not checkpoint(lambda v: v * 2, x, use_reentrant=False).requires_grad


@pytest.mark.parametrize("kind", ["swa", "ema", "avg_fn"])
def test_averaged_model_matches_torch(backend: str, kind: str) -> None:
    sw = torch.optim.swa_utils
    p_mod = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).to(dtype=pt.float64)
    t_mod = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2)).double()
    kw_p: dict[str, Any] = {}
    kw_t: dict[str, Any] = {}
    if kind == "ema":
        kw_p = {"multi_avg_fn": optim.swa_utils.get_ema_multi_avg_fn(0.9), "use_buffers": True}
        kw_t = {"multi_avg_fn": sw.get_ema_multi_avg_fn(0.9), "use_buffers": True}
    elif kind == "avg_fn":
        kw_p = {"avg_fn": optim.swa_utils.get_ema_avg_fn(0.8)}
        kw_t = {"avg_fn": sw.get_ema_avg_fn(0.8)}
    p_avg = optim.swa_utils.AveragedModel(p_mod, **kw_p)
    t_avg = sw.AveragedModel(t_mod, **kw_t)
    assert list(p_avg.state_dict()) == list(t_avg.state_dict())
    for step in range(3):
        x = g.standard_normal((6, 3))
        t_mod(torch.tensor(x))  # (new batch-norm statistics)
        state = {k: pt.asarray(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()}
        with torch.no_grad():
            for p in t_mod.parameters():
                p.add_(float(step + 1))
        for k, v in t_mod.state_dict().items():
            state[k] = pt.asarray(v.detach().numpy().copy())
        p_mod.load_state_dict(state)
        p_avg.update_parameters(p_mod)
        t_avg.update_parameters(t_mod)
    for (k, a), b in zip(p_avg.state_dict().items(), t_avg.state_dict().values(), strict=True):
        np.testing.assert_allclose(host(a), host(b), rtol=1e-12, err_msg=k)
    np.testing.assert_allclose(host(p_avg(pt.asarray(X))), host(t_avg(torch.tensor(X))), rtol=1e-10)
    with pytest.raises(ValueError, match="Only one of avg_fn and multi_avg_fn"):
        optim.swa_utils.AveragedModel(
            p_mod,
            avg_fn=optim.swa_utils.get_swa_avg_fn(),
            multi_avg_fn=optim.swa_utils.get_swa_multi_avg_fn(),
        )


@pytest.mark.parametrize(("strategy", "epochs"), [("cos", 3), ("linear", 2), ("cos", 0)])
def test_swalr_matches_torch(strategy: str, epochs: int) -> None:
    p_opt = optim.SGD(
        [
            {"params": [pt.zeros(1, requires_grad=True)]},
            {"params": [pt.zeros(1, requires_grad=True)], "lr": 0.3},
        ],
        lr=1.0,
    )
    t_opt = torch.optim.SGD(
        [
            {"params": [torch.zeros(1, requires_grad=True)]},
            {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3},
        ],
        lr=1.0,
    )
    p_s = optim.swa_utils.SWALR(p_opt, [0.05, 0.01], epochs, strategy)
    t_s = torch.optim.swa_utils.SWALR(t_opt, [0.05, 0.01], epochs, strategy)
    for _ in range(5):
        np.testing.assert_allclose(p_s.get_last_lr(), t_s.get_last_lr(), rtol=1e-12)
        p_opt.step()
        t_opt.step()
        p_s.step()
        t_s.step()
    with pytest.raises(ValueError, match="anneal_strategy"):
        optim.swa_utils.SWALR(p_opt, 0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs"):
        optim.swa_utils.SWALR(p_opt, 0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="same length"):
        optim.swa_utils.SWALR(p_opt, [0.1])


def test_update_bn_matches_torch(backend: str) -> None:
    # (instance norm is not batch norm: its statistics are not reset, as in torch)
    p_mod = nn.Sequential(
        nn.Linear(3, 3),
        nn.BatchNorm1d(4, momentum=0.3),
        nn.InstanceNorm1d(4, track_running_stats=True),
    )
    t_mod = torch.nn.Sequential(
        torch.nn.Linear(3, 3),
        torch.nn.BatchNorm1d(4, momentum=0.3),
        torch.nn.InstanceNorm1d(4, track_running_stats=True),
    ).double()
    state = {k: pt.asarray(v.detach().numpy().copy()) for k, v in t_mod.state_dict().items()}
    p_mod.to(dtype=pt.float64).load_state_dict(state)
    batches = [g.standard_normal((5, 4, 3)) for _ in range(3)]
    p_mod.eval()
    t_mod.eval()
    optim.swa_utils.update_bn([(pt.asarray(b), 0) for b in batches], p_mod)
    torch.optim.swa_utils.update_bn([(torch.tensor(b), 0) for b in batches], t_mod)
    assert not p_mod.training and p_mod[1].momentum == 0.3
    for i, name in [(1, "running_mean"), (1, "running_var"), (1, "num_batches_tracked")] + [
        (2, "running_mean"),
        (2, "running_var"),
    ]:
        np.testing.assert_allclose(
            host(getattr(p_mod[i], name)), host(getattr(t_mod[i], name)), rtol=1e-10, atol=1e-15
        )
