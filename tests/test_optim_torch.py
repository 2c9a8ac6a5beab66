"""``optim.RMSprop``, ``optim.Adagrad`` and ``optim.lr_scheduler`` follow PyTorch's formulas:
several steps from the same start give the same parameters and learning rates as torch.

Parameters and data are made on the host with NumPy (float64) and handed to both libraries;
the optimizers run on every available backend. torch is only a reference here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import optim

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

TOL = {"rtol": 1e-10, "atol": 1e-12}
STEPS = 5


def host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


_g = np.random.default_rng(11)
W0, B0 = _g.standard_normal((3, 2)), _g.standard_normal(2)
A, Y = _g.standard_normal((5, 3)), _g.standard_normal((5, 2))


def _loss(lib: Any, w: Any, b: Any, a: Any, y: Any) -> Any:
    r = a @ w + b - y
    return (r * r).sum() + lib.sin(w).sum()


def train_both(p_cls: Any, t_cls: Any, kw: dict[str, Any], steps: int = STEPS) -> None:
    """Run ``steps`` steps of the same optimizer in both libraries, two parameter groups (the
    second with its own lr), comparing parameters after every step."""
    pw, pb = pt.asarray(W0.copy(), requires_grad=True), pt.asarray(B0.copy(), requires_grad=True)
    tw, tb = torch.tensor(W0, requires_grad=True), torch.tensor(B0, requires_grad=True)
    pa, py, ta, ty = pt.asarray(A), pt.asarray(Y), torch.tensor(A), torch.tensor(Y)
    p_opt = p_cls([{"params": [pw]}, {"params": [pb], "lr": 0.003}], **kw)
    t_opt = t_cls([{"params": [tw]}, {"params": [tb], "lr": 0.003}], **kw)
    for _ in range(steps):
        p_opt.zero_grad()
        t_opt.zero_grad()
        _loss(pt, pw, pb, pa, py).backward()
        _loss(torch, tw, tb, ta, ty).backward()
        p_opt.step()
        t_opt.step()
        np.testing.assert_allclose(host(pw), host(tw), **TOL)
        np.testing.assert_allclose(host(pb), host(tb), **TOL)
    assert len(p_opt.state_dict()["state"]) == len(t_opt.state_dict()["state"]) == 2


RMSPROP = {
    "defaults": {},
    "lr_alpha_eps": {"lr": 0.05, "alpha": 0.9, "eps": 1e-6},
    "momentum": {"momentum": 0.9},
    "centered": {"centered": True},
    "centered_momentum_decay": {"centered": True, "momentum": 0.5, "weight_decay": 0.1},
    "maximize": {"maximize": True, "lr": 0.001},
}


@pytest.mark.parametrize("kw", RMSPROP.values(), ids=RMSPROP.keys())
def test_rmsprop_matches_torch(backend: str, kw: dict[str, Any]) -> None:
    train_both(optim.RMSprop, torch.optim.RMSprop, kw)


ADAGRAD = {
    "defaults": {},
    "lr_decay": {"lr": 0.1, "lr_decay": 0.05},
    "initial_accumulator": {"initial_accumulator_value": 0.5, "eps": 1e-6},
    "weight_decay": {"weight_decay": 0.2},
    "maximize": {"maximize": True},
}


@pytest.mark.parametrize("kw", ADAGRAD.values(), ids=ADAGRAD.keys())
def test_adagrad_matches_torch(backend: str, kw: dict[str, Any]) -> None:
    train_both(optim.Adagrad, torch.optim.Adagrad, kw)


def test_optimizer_defaults_are_pytorchs() -> None:
    w = pt.zeros(1, requires_grad=True)
    tw = torch.zeros(1, requires_grad=True)
    for p_cls, t_cls in (
        (optim.RMSprop, torch.optim.RMSprop),
        (optim.Adagrad, torch.optim.Adagrad),
    ):
        ours, theirs = p_cls([w]).defaults, t_cls([tw]).defaults
        for key, value in ours.items():
            assert theirs[key] == value, (p_cls.__name__, key)


# -- learning-rate schedules ----------------------------------------------------------------

SCHEDULES = {
    "StepLR": ("StepLR", {"step_size": 3, "gamma": 0.5}),
    "ExponentialLR": ("ExponentialLR", {"gamma": 0.9}),
    "CosineAnnealingLR": ("CosineAnnealingLR", {"T_max": 4, "eta_min": 0.01}),
}


def _sgd_pair(lr: float = 0.1) -> tuple[Any, Any, Any, Any]:
    pw, tw = pt.asarray(W0.copy(), requires_grad=True), torch.tensor(W0, requires_grad=True)
    pb, tb = pt.asarray(B0.copy(), requires_grad=True), torch.tensor(B0, requires_grad=True)
    p_opt = optim.SGD([{"params": [pw]}, {"params": [pb], "lr": 0.5}], lr=lr, momentum=0.9)
    t_opt = torch.optim.SGD([{"params": [tw]}, {"params": [tb], "lr": 0.5}], lr=lr, momentum=0.9)
    return p_opt, t_opt, (pw, pb), (tw, tb)


@pytest.mark.parametrize(("name", "kw"), SCHEDULES.values(), ids=SCHEDULES.keys())
def test_schedule_matches_torch(backend: str, name: str, kw: dict[str, Any]) -> None:
    p_opt, t_opt, (pw, pb), (tw, tb) = _sgd_pair()
    p_s = getattr(optim.lr_scheduler, name)(p_opt, **kw)
    t_s = getattr(torch.optim.lr_scheduler, name)(t_opt, **kw)
    pa, py, ta, ty = pt.asarray(A), pt.asarray(Y), torch.tensor(A), torch.tensor(Y)
    assert p_s.get_last_lr() == t_s.get_last_lr()
    for epoch in range(11):
        p_opt.zero_grad()
        t_opt.zero_grad()
        _loss(pt, pw, pb, pa, py).backward()
        _loss(torch, tw, tb, ta, ty).backward()
        p_opt.step()
        t_opt.step()
        p_s.step()
        t_s.step()
        # the same floating-point operations in the same order: equal to the last bit
        assert p_s.get_last_lr() == t_s.get_last_lr(), epoch
        assert [g["lr"] for g in p_opt.param_groups] == [g["lr"] for g in t_opt.param_groups]
    np.testing.assert_allclose(host(pw), host(tw), **TOL)
    sd, tsd = p_s.state_dict(), t_s.state_dict()
    for key in ("last_epoch", "base_lrs", "_step_count", "_last_lr", *kw):
        assert sd[key] == tsd[key], key
    assert "optimizer" not in sd


def test_schedule_state_dict_resumes_where_it_stopped() -> None:
    w = pt.zeros(1, requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    first = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5)
    for _ in range(3):
        opt.step()
        first.step()
    saved = first.state_dict()
    opt2 = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    second = optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=5)
    second.load_state_dict(saved)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    for _ in range(4):
        first.step()
        second.step()
        assert first.get_last_lr() == second.get_last_lr()
    assert math.isclose(first.get_last_lr()[0], 0.5 * (1 + math.cos(math.pi * 7 / 5)))


def test_reduce_lr_on_plateau_matches_torch() -> None:
    metrics = [1.0, 0.9, 0.9, 0.95, 0.91, 0.9, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.2, 0.3]
    for kw in (
        {"patience": 1},
        {"mode": "max", "factor": 0.5, "patience": 0, "cooldown": 2},
        {"threshold": 0.05, "threshold_mode": "abs", "min_lr": [0.02, 0.2]},
    ):
        p_opt, t_opt, _, _ = _sgd_pair()
        p_s = optim.lr_scheduler.ReduceLROnPlateau(p_opt, **kw)
        t_s = torch.optim.lr_scheduler.ReduceLROnPlateau(t_opt, **kw)
        for m in metrics:
            p_opt.step()
            t_opt.step()
            p_s.step(pt.asarray(m, dtype=pt.float64))  # a 0-d tensor, as a loss
            t_s.step(m)
            assert p_s.get_last_lr() == t_s.get_last_lr(), (kw, m)
            assert p_s.num_bad_epochs == t_s.num_bad_epochs
            assert p_s.best == t_s.best
        sd, tsd = p_s.state_dict(), t_s.state_dict()
        for key in ("best", "num_bad_epochs", "cooldown_counter", "last_epoch", "min_lrs"):
            assert sd[key] == tsd[key], key


def test_schedulers_refuse_what_is_not_an_optimizer_and_bad_settings() -> None:
    opt = optim.SGD([pt.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(TypeError, match=r"expects a polytensor optimizer.*got list"):
        optim.lr_scheduler.StepLR([], step_size=1)
    with pytest.raises(ValueError, match="positive int step_size; got 0"):
        optim.lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match=r"factor < 1\.0; got 2"):
        optim.lr_scheduler.ReduceLROnPlateau(opt, factor=2)
    with pytest.raises(ValueError, match="mode='up'; expected 'min' or 'max'"):
        optim.lr_scheduler.ReduceLROnPlateau(opt, mode="up")
    with pytest.raises(KeyError, match="initial_lr"):
        optim.lr_scheduler.ExponentialLR(opt, gamma=0.5, last_epoch=3)
    with pytest.raises(ValueError, match=r"Invalid alpha value: -0\.5"):
        optim.RMSprop(opt.param_groups[0]["params"], alpha=-0.5)
