"""polytensor.optim: SGD, Adam, AdamW against torch.optim; convergence; state; errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn, optim


@pytest.fixture(autouse=True)
def _seeded() -> None:
    nn.init.manual_seed(99)


def host(t: Any) -> np.ndarray:
    return np.asarray(t.detach() if t.requires_grad else t)


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((16, 4)), rng.standard_normal((16, 2))


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2)).to(pt.float64)


def _torch_model(torch: Any, model: nn.Module) -> Any:
    tm = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    tm.load_state_dict({k: torch.from_numpy(host(v).copy()) for k, v in model.state_dict().items()})
    return tm


def _train(
    model: nn.Module, opt: optim.Optimizer, x: np.ndarray, y: np.ndarray, steps: int
) -> list[float]:
    xs, ys = pt.asarray(x), pt.asarray(y)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(model(xs), ys)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return losses


def _train_torch(
    torch: Any, model: Any, opt: Any, x: np.ndarray, y: np.ndarray, steps: int
) -> list[float]:
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xs), ys)
        loss.backward()
        opt.step()
        losses.append(loss.detach().item())
    return losses


CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "dampening": 0.3, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.02, "weight_decay": 0.5, "eps": 1e-6, "amsgrad": True}),
]


@pytest.mark.parametrize(
    ("name", "kwargs"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)]
)
def test_steps_match_torch_optim(name: str, kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    x, y = _data()
    model = _model()
    tmodel = _torch_model(torch, model)
    opt = getattr(optim, name)(model.parameters(), **kwargs)
    topt = getattr(torch.optim, name)(tmodel.parameters(), **kwargs)
    ours = _train(model, opt, x, y, 5)
    theirs = _train_torch(torch, tmodel, topt, x, y, 5)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)
    for (k, v), tv in zip(model.state_dict().items(), tmodel.state_dict().values(), strict=True):
        np.testing.assert_allclose(host(v), tv.numpy(), rtol=1e-6, atol=1e-9, err_msg=k)


def test_param_groups_match_torch() -> None:
    torch = pytest.importorskip("torch")
    x, y = _data(1)
    model = _model()
    tmodel = _torch_model(torch, model)

    def groups(m: Any) -> list[dict[str, Any]]:
        return [
            {"params": list(m[0].parameters())},
            {"params": list(m[2].parameters()), "lr": 0.001, "momentum": 0.0},
        ]

    opt = optim.SGD(groups(model), lr=0.1, momentum=0.9)
    topt = torch.optim.SGD(groups(tmodel), lr=0.1, momentum=0.9)
    np.testing.assert_allclose(
        _train(model, opt, x, y, 4), _train_torch(torch, tmodel, topt, x, y, 4), rtol=1e-6
    )
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.001]


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: optim.Adam(ps, lr=0.05),
        lambda ps: optim.AdamW(ps, lr=0.05, weight_decay=1e-4),
    ],
)
def test_tiny_linear_regression_converges(make: Any) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    true_w = np.array([[1.5, -2.0, 0.5]], dtype=np.float32)
    y = x @ true_w.T + 0.3
    model = nn.Linear(3, 1)
    opt = make(model.parameters())
    losses = _train(model, opt, x, y, 150)
    assert losses[-1] < 1e-3 * losses[0]
    np.testing.assert_allclose(host(model.weight), true_w, atol=0.02)
    np.testing.assert_allclose(host(model.bias), [0.3], atol=0.02)


def test_step_skips_parameters_without_gradients_and_updates_in_place() -> None:
    a = pt.ones(2, requires_grad=True)
    b = pt.ones(2, requires_grad=True)
    data = a.detach().numpy()
    opt = optim.SGD([a, b], lr=0.5)
    pt.sum(a * a).backward()
    opt.step()
    np.testing.assert_allclose(host(a), [0.0, 0.0])
    np.testing.assert_allclose(host(b), [1.0, 1.0])
    np.testing.assert_allclose(data, [0.0, 0.0])  # NumPy: written in place
    assert a.is_leaf and a.requires_grad


def test_zero_grad_to_zeros_or_none() -> None:
    w = pt.ones(3, requires_grad=True)
    opt = optim.Adam([w])
    pt.sum(w * 2).backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(host(w.grad), 0)
    opt.zero_grad()
    assert w.grad is None


def test_closure_is_called_with_grad_enabled() -> None:
    w = pt.asarray([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure() -> pt.Tensor:
        opt.zero_grad()
        loss = pt.sum(w * w)
        loss.backward()
        return loss

    with pt.no_grad():
        loss = opt.step(closure)
    assert float(loss) == 4.0
    np.testing.assert_allclose(host(w), [1.0])


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adadelta"])
def test_state_dict_round_trip_resumes_exactly(name: str) -> None:
    x, y = _data(2)
    kwargs = {"lr": 0.05, "momentum": 0.9} if name == "SGD" else {"lr": 0.01}
    straight = _model()
    resumed = _model()
    resumed.load_state_dict(straight.state_dict())
    opt_a = getattr(optim, name)(straight.parameters(), **kwargs)
    _train(straight, opt_a, x, y, 6)
    opt_b = getattr(optim, name)(resumed.parameters(), **kwargs)
    _train(resumed, opt_b, x, y, 3)
    saved_model, saved_opt = resumed.state_dict(), opt_b.state_dict()
    fresh = _model()
    fresh.load_state_dict(saved_model)
    opt_c = getattr(optim, name)(fresh.parameters(), lr=123.0)  # hyper-parameters come back
    opt_c.load_state_dict(saved_opt)
    assert opt_c.param_groups[0]["lr"] == kwargs["lr"]
    _train(fresh, opt_c, x, y, 3)
    for k, v in straight.state_dict().items():
        np.testing.assert_allclose(host(fresh.state_dict()[k]), host(v), rtol=1e-12, err_msg=k)


def test_state_dict_layout_matches_torch() -> None:
    w = pt.ones(2, requires_grad=True)
    b = pt.ones(1, requires_grad=True)
    opt = optim.Adam([{"params": [w]}, {"params": [b], "lr": 0.1}])
    pt.sum(w * b).backward()
    opt.step()
    sd = opt.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]
    assert sd["state"][0]["step"] == 1
    assert w in opt.state and opt.state[w]["step"] == 1


def test_load_state_dict_rejects_mismatches_and_changes_nothing() -> None:
    w = pt.ones(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    pt.sum(w * w).backward()
    opt.step()
    sd = opt.state_dict()
    other = optim.SGD([pt.ones(2, requires_grad=True), pt.ones(2, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        other.load_state_dict(sd)
    assert len(other.state) == 0 and other.param_groups[0]["momentum"] == 0
    bad = {"state": {0: {"momentum_buffer": pt.ones(3)}}, "param_groups": sd["param_groups"]}
    with pytest.raises(ValueError, match="has shape"):
        opt.load_state_dict(bad)
    np.testing.assert_allclose(host(opt.state[w]["momentum_buffer"]), [2.0, 2.0])
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})


def test_constructor_errors() -> None:
    w = pt.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.SGD([w], lr=-1.0)
    assert optim.SGD([w]).param_groups[0]["lr"] == 1e-3  # (PyTorch's default since 2.x)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Invalid beta"):
        optim.Adam([w], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="got a Tensor"):
        optim.Adam(w)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.Adam([w * 2])
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.Adam([{"params": [w]}, {"params": [w]}])
    with pytest.raises(TypeError, match="ordered collections"):
        optim.Adam({1, 2})


def test_repr_lists_groups() -> None:
    opt = optim.SGD([pt.ones(1, requires_grad=True)], lr=0.1)
    assert repr(opt).startswith("SGD (\nParameter Group 0\n    dampening: 0\n")


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_steps_agree_across_backends(backend: str, name: str) -> None:
    x, y = _data(4)
    kwargs = {"lr": 0.05, "momentum": 0.9} if name == "SGD" else {"lr": 0.01}
    initial = {k: host(v).copy() for k, v in _model().state_dict().items()}
    ref = _model()
    ref.load_state_dict(initial)
    ref_losses = _train(ref, getattr(optim, name)(ref.parameters(), **kwargs), x, y, 2)
    with pt.use_backend(backend):
        model = _model()
        model.load_state_dict(initial)
        losses = _train(model, getattr(optim, name)(model.parameters(), **kwargs), x, y, 2)
    assert model[0].weight.device.backend.name == backend
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-10)
    for k, v in ref.state_dict().items():
        np.testing.assert_allclose(host(model.state_dict()[k]), host(v), rtol=1e-10, err_msg=k)


def test_add_param_group_names_the_optimizer_once() -> None:
    w, v = pt.ones(1, requires_grad=True), pt.ones(1, requires_grad=True)
    for cls in (optim.SGD, optim.Adam):
        opt = cls([w], lr=0.1)
        with pytest.raises(ValueError, match=rf"^{cls.__name__}\(\): Invalid learning rate"):
            opt.add_param_group({"params": [v], "lr": -1.0})


def test_adam_decoupled_weight_decay_per_group_as_torch() -> None:
    torch = pytest.importorskip("torch")
    out = []
    for lib in (pt, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        opt = lib.optim.Adam(
            [{"params": [a]}, {"params": [b], "decoupled_weight_decay": True}],
            lr=0.1,
            weight_decay=0.5,
        )
        for _ in range(5):
            opt.zero_grad()
            (a * a + b * b * b).sum().backward()
            opt.step()
        out.append((a.tolist(), b.tolist(), opt.param_groups[1]["decoupled_weight_decay"]))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-6)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-6)
    assert out[0][2] is out[1][2] is True


SCHEDULES = {
    "LambdaLR": lambda s, o: s.LambdaLR(o, lambda e: 0.9**e),
    "LambdaLR per group": lambda s, o: s.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.5]),
    "MultiplicativeLR": lambda s, o: s.MultiplicativeLR(o, lambda e: 0.95),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.5),
    "ConstantLR": lambda s, o: s.ConstantLR(o, factor=0.25, total_iters=4),
    "LinearLR": lambda s, o: s.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=6),
    "LinearLR then StepLR": lambda s, o: (s.LinearLR(o, total_iters=3), s.StepLR(o, 4, 0.5)),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_more_schedules_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    runs = []
    for lib in (pt, torch):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)
        opt = lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.3}], lr=0.1)
        made = SCHEDULES[name](lib.optim.lr_scheduler, opt)
        scheds = made if isinstance(made, tuple) else (made,)
        lrs = []
        for _ in range(15):
            opt.step()
            for sch in scheds:
                sch.step()
            lrs.append([g["lr"] for g in opt.param_groups] + scheds[-1].get_last_lr())
        runs.append(lrs)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12)


def test_more_schedules_refuse_what_torch_refuses_and_resume() -> None:
    torch = pytest.importorskip("torch")
    for lib in (pt, torch):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match=r"(?i)start_factor|starting multiplicative"):
            lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.0)
        with pytest.raises(ValueError, match=r"(?i)factor"):
            lib.optim.lr_scheduler.ConstantLR(opt, factor=1.5)
        with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
            lib.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])
    opt = pt.optim.SGD([pt.zeros(1, requires_grad=True)], lr=0.1)
    a = pt.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.5**e)
    for _ in range(3):
        a.step()
    state = a.state_dict()
    assert state["lr_lambdas"] == [None]
    b = pt.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.5**e)
    b.load_state_dict(state)
    b.step()
    assert b.last_epoch == 4 and b.get_last_lr() == [pytest.approx(0.1 * 0.5**4)]


def test_resumed_schedules_and_callable_state_as_torch() -> None:
    torch = pytest.importorskip("torch")

    class Decay:
        def __init__(self, k: float) -> None:
            self.k = k

        def __call__(self, epoch: int) -> float:
            return self.k**epoch

    runs = []
    for lib in (pt, torch):
        lrs = []
        for make in (
            lambda s, o: s.LinearLR(o, start_factor=0.5, total_iters=6, last_epoch=0),
            lambda s, o: s.MultiplicativeLR(o, lambda e: 0.5, last_epoch=2),
            lambda s, o: s.ConstantLR(o, factor=np.float32(0.5), total_iters=3),
        ):
            opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.05)
            opt.param_groups[0]["initial_lr"] = 0.1
            sched = make(lib.optim.lr_scheduler, opt)
            for _ in range(5):
                opt.step()
                sched.step()
                lrs.append(opt.param_groups[0]["lr"])
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=1.0)
        a = lib.optim.lr_scheduler.LambdaLR(opt, Decay(0.5))
        for _ in range(3):
            opt.step()
            a.step()
        b = lib.optim.lr_scheduler.LambdaLR(opt, Decay(0.9))
        b.load_state_dict(a.state_dict())
        opt.step()
        b.step()
        lrs.append(opt.param_groups[0]["lr"])
        runs.append(lrs)
        with pytest.raises(TypeError):
            lib.optim.lr_scheduler.MultiplicativeLR(opt, 0.5)
    # (torch keeps a NumPy float32 factor in float32: 1e-8 apart)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-6)


NEW_SCHEDULES = {
    "PolynomialLR": lambda s, o: s.PolynomialLR(o, total_iters=9, power=2.0),
    "PolynomialLR default": lambda s, o: s.PolynomialLR(o),
    "CosineAnnealingWarmRestarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=4),
    "CosineAnnealingWarmRestarts T_mult": lambda s, o: s.CosineAnnealingWarmRestarts(
        o, T_0=2, T_mult=2, eta_min=0.01
    ),
    "OneCycleLR": lambda s, o: s.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=20),
    "OneCycleLR linear, three phases": lambda s, o: s.OneCycleLR(
        o, max_lr=0.8, epochs=4, steps_per_epoch=5, anneal_strategy="linear", three_phase=True
    ),
    "OneCycleLR no momentum": lambda s, o: s.OneCycleLR(
        o, max_lr=0.8, total_steps=20, pct_start=0.5, cycle_momentum=False, div_factor=10.0
    ),
}


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("name", list(NEW_SCHEDULES))
def test_new_schedules_match_torch_bit_for_bit(name: str, optimizer: str) -> None:
    """The rates (and the momentum or Adam's first beta that OneCycleLR cycles) over 20
    steps with two parameter groups, a state_dict round trip halfway, as torch's."""
    torch = pytest.importorskip("torch")
    runs = []
    for lib in (pt, torch):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)
        groups = [{"params": [a]}, {"params": [b], "lr": 0.3}]
        opt = getattr(lib.optim, optimizer)(groups, lr=0.1)
        sched = NEW_SCHEDULES[name](lib.optim.lr_scheduler, opt)
        seen = []
        for step in range(19):
            opt.step()
            sched.step()
            if step == 9:  # (resumed from its state_dict, as a checkpoint is)
                state = sched.state_dict()
                sched = NEW_SCHEDULES[name](lib.optim.lr_scheduler, opt)
                sched.load_state_dict(state)
            seen.append(
                [g["lr"] for g in opt.param_groups]
                + sched.get_last_lr()
                + [g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups]
            )
        runs.append(seen)
    assert runs[0] == runs[1]


def test_warm_restarts_take_fractional_epochs_as_torch() -> None:
    torch = pytest.importorskip("torch")
    runs = []
    for lib in (pt, torch):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.5)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        seen = []
        for epoch in range(12):
            for i in range(4):
                opt.step()
                sched.step(epoch + i / 4)
                seen.append((opt.param_groups[0]["lr"], sched.last_epoch, sched.T_i))
        runs.append(seen)
    assert runs[0] == runs[1]


def test_new_schedules_refuse_what_torch_refuses() -> None:
    torch = pytest.importorskip("torch")
    for lib in (pt, torch):
        s = lib.optim.lr_scheduler
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match="T_0"):
            s.CosineAnnealingWarmRestarts(opt, T_0=0)
        with pytest.raises(ValueError, match="T_mult"):
            s.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)
        restarts = s.CosineAnnealingWarmRestarts(opt, T_0=2)
        opt.step()
        with pytest.raises(ValueError, match="epoch"):
            restarts.step(-1)
        with pytest.raises(ValueError, match="total_steps OR"):
            s.OneCycleLR(opt, max_lr=1.0)
        with pytest.raises(ValueError, match="pct_start"):
            s.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=1.5)
        with pytest.raises(ValueError, match="anneal_strategy"):
            s.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="step")
        with pytest.raises(ValueError, match="same length"):
            s.OneCycleLR(opt, max_lr=[1.0, 2.0], total_steps=10)
        sched = s.OneCycleLR(opt, max_lr=1.0, total_steps=3)
        for _ in range(3):
            opt.step()
            sched.step()
        opt.step()
        with pytest.raises(ValueError, match="Tried to step 4 times"):
            sched.step()
        plain = lib.optim.Adagrad([lib.zeros(1, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match="momentum or beta1"):
            s.OneCycleLR(plain, max_lr=1.0, total_steps=10)


@pytest.mark.parametrize(
    "kw",
    [{}, {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1}, {"maximize": True}],
)
def test_adadelta_matches_torch_step_for_step(kw: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    out = []
    for lib in (pt, torch):
        w = lib.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
        opt = lib.optim.Adadelta([w], **kw)
        for _ in range(6):
            opt.zero_grad()
            (w * w * w).sum().backward()
            opt.step()
        out.append(np.array(w.tolist()))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-14)


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_adadelta_trains_on_every_backend(backend: str) -> None:
    with pt.use_backend(backend):
        w = pt.asarray(np.array([1.0, -2.0, 3.0]), requires_grad=True)
        opt = optim.Adadelta([w], lr=1.0)
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = pt.sum(w * w)
            loss.backward()
            opt.step()
            losses.append(float(loss))
    assert losses[-1] < losses[0]


def test_adadelta_refuses_bad_hyperparameters() -> None:
    w = pt.ones(1, requires_grad=True)
    with pytest.raises(ValueError, match="rho"):
        optim.Adadelta([w], rho=1.5)
    with pytest.raises(ValueError, match="learning rate"):
        optim.Adadelta([w], lr=-1.0)
