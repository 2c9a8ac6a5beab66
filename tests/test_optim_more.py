"""``optim.Adamax``, ``NAdam``, ``RAdam``, ``ASGD``, ``Rprop``, ``LBFGS``, the schedules
``SequentialLR``, ``ChainedScheduler`` and ``CyclicLR``, and ``utils.data``'s
``WeightedRandomSampler`` and ``StackDataset``: the same numbers as torch (float64), state dicts
that load in either library, and torch's errors.

torch keeps its optimizers' scalar state (``step``, NAdam's ``mu_product``, ASGD's ``eta``) in
tensors of its default dtype; the comparisons run with torch's default dtype float64, so those
scalars round as polytensor's Python floats do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import optim
from polytensor.optim import lr_scheduler as L
from polytensor.utils import data

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

TOL = {"rtol": 1e-10, "atol": 1e-12}
STEPS = 20


def _param(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


@pytest.fixture(autouse=True)
def _torch_float64() -> Iterator[None]:
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


_g = np.random.default_rng(5)
W0, B0 = _g.standard_normal((3, 2)), _g.standard_normal(2)
A, Y = _g.standard_normal((6, 3)), _g.standard_normal((6, 2))


def _loss(lib: Any, w: Any, b: Any, a: Any, y: Any) -> Any:
    r = lib.tanh(a @ w + b) - y
    return (r * r).sum() + lib.sin(w).sum() + 0.1 * (w * w * w * w).sum()


class _Pair:
    """The same two-group problem in both libraries."""

    def __init__(self, p_cls: Any, t_cls: Any, kw: dict[str, Any]) -> None:
        self.pw = pt.asarray(W0.copy(), requires_grad=True)
        self.pb = pt.asarray(B0.copy(), requires_grad=True)
        self.tw = torch.tensor(W0, requires_grad=True)
        self.tb = torch.tensor(B0, requires_grad=True)
        self.pa, self.py = pt.asarray(A), pt.asarray(Y)
        self.ta, self.ty = torch.tensor(A), torch.tensor(Y)
        self.p_opt = p_cls([{"params": [self.pw]}, {"params": [self.pb], "lr": 0.003}], **kw)
        self.t_opt = t_cls([{"params": [self.tw]}, {"params": [self.tb], "lr": 0.003}], **kw)

    def step_pt(self) -> None:
        self.p_opt.zero_grad()
        _loss(pt, self.pw, self.pb, self.pa, self.py).backward()
        self.p_opt.step()

    def step_torch(self) -> None:
        self.t_opt.zero_grad()
        _loss(torch, self.tw, self.tb, self.ta, self.ty).backward()
        self.t_opt.step()

    def check(self, tol: dict[str, float] = TOL) -> None:
        np.testing.assert_allclose(host(self.pw), host(self.tw), **tol)
        np.testing.assert_allclose(host(self.pb), host(self.tb), **tol)


CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "Adamax": ("Adamax", {}),
    "Adamax-lr-betas-eps": ("Adamax", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}),
    "Adamax-weight_decay": ("Adamax", {"lr": 0.02, "weight_decay": 0.3}),
    "Adamax-maximize": ("Adamax", {"lr": 0.01, "maximize": True}),
    "NAdam": ("NAdam", {}),
    "NAdam-momentum_decay": ("NAdam", {"lr": 0.03, "momentum_decay": 0.01, "betas": (0.7, 0.9)}),
    "NAdam-weight_decay": ("NAdam", {"lr": 0.02, "weight_decay": 0.2}),
    "NAdam-decoupled": ("NAdam", {"lr": 0.02, "weight_decay": 0.2, "decoupled_weight_decay": True}),
    "NAdam-maximize": ("NAdam", {"lr": 0.01, "maximize": True}),
    "RAdam": ("RAdam", {}),
    "RAdam-lr-betas": ("RAdam", {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-6}),
    "RAdam-weight_decay": ("RAdam", {"lr": 0.02, "weight_decay": 0.3}),
    "RAdam-decoupled": ("RAdam", {"lr": 0.02, "weight_decay": 0.3, "decoupled_weight_decay": True}),
    "RAdam-maximize": ("RAdam", {"lr": 0.01, "maximize": True}),
    "ASGD": ("ASGD", {}),
    "ASGD-averaging": ("ASGD", {"lr": 0.05, "lambd": 1e-2, "alpha": 0.5, "t0": 5}),
    "ASGD-weight_decay": ("ASGD", {"lr": 0.02, "weight_decay": 0.1, "t0": 3}),
    "ASGD-maximize": ("ASGD", {"lr": 0.01, "maximize": True, "t0": 2}),
    "Rprop": ("Rprop", {}),
    "Rprop-etas-step_sizes": ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}),
    "Rprop-maximize": ("Rprop", {"lr": 0.01, "maximize": True}),
}


@pytest.mark.parametrize(("name", "kw"), CASES.values(), ids=CASES.keys())
def test_trajectories_match_torch(name: str, kw: dict[str, Any]) -> None:
    pair = _Pair(getattr(optim, name), getattr(torch.optim, name), kw)
    for _ in range(STEPS):
        pair.step_pt()
        pair.step_torch()
        pair.check()
    t_state = pair.t_opt.state_dict()["state"]
    p_state = pair.p_opt.state_dict()["state"]
    assert sorted(p_state) == sorted(t_state)
    for k, ts in t_state.items():
        assert sorted(p_state[k]) == sorted(ts), name
        for key, v in ts.items():
            ours = p_state[k][key]
            want = v.item() if v.ndim == 0 else v.numpy()
            got = ours if isinstance(ours, (int, float)) else host(ours)
            np.testing.assert_allclose(got, want, err_msg=key, **TOL)
    if name == "ASGD":  # (the average, from t0 on)
        assert pair.p_opt.state[pair.pw]["mu"] == pair.t_opt.state[pair.tw]["mu"].item()


@pytest.mark.parametrize("backend", [_param("dask"), _param("array_api_strict")])
@pytest.mark.parametrize("name", ["Adamax", "NAdam", "RAdam", "ASGD", "Rprop"])
def test_trajectories_match_torch_on_other_backends(backend: str, name: str) -> None:
    kw: dict[str, Any] = {"lr": 0.02, "weight_decay": 0.1} if name != "Rprop" else {}
    if name == "ASGD":
        kw["t0"] = 3
    with pt.use_backend(backend):
        pair = _Pair(getattr(optim, name), getattr(torch.optim, name), kw)
        for _ in range(6):
            pair.step_pt()
            pair.step_torch()
        assert pair.pw.device.backend.name == backend
        pair.check()


def test_defaults_are_torchs() -> None:
    w, tw = pt.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    for name in ("Adamax", "NAdam", "RAdam", "ASGD", "Rprop", "LBFGS"):
        ours, theirs = getattr(optim, name)([w]).defaults, getattr(torch.optim, name)([tw]).defaults
        for key, value in ours.items():
            assert theirs[key] == value, (name, key)
        skipped = set(theirs) - set(ours)
        assert skipped <= {"foreach", "capturable", "differentiable", "fused"}, (name, skipped)


# -- state dicts, across the libraries ------------------------------------------------------


def _to_torch(obj: Any) -> Any:
    if isinstance(obj, pt.Tensor):
        return torch.tensor(host(obj))
    if isinstance(obj, dict):
        return {k: _to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_torch(v) for v in obj)
    return obj


def _to_pt(obj: Any) -> Any:
    if isinstance(obj, torch.Tensor):
        return pt.asarray(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: _to_pt(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_pt(v) for v in obj)
    return obj


ROUND_TRIP = {
    "Adamax": {"lr": 0.02, "weight_decay": 0.1},
    "NAdam": {"lr": 0.02, "decoupled_weight_decay": True, "weight_decay": 0.1},
    "RAdam": {"lr": 0.02},
    "ASGD": {"lr": 0.02, "t0": 2},
    "Rprop": {"lr": 0.02},
}


@pytest.mark.parametrize(("name", "kw"), ROUND_TRIP.items(), ids=ROUND_TRIP.keys())
def test_state_dict_from_torch_loads_and_resumes(name: str, kw: dict[str, Any]) -> None:
    pair = _Pair(getattr(optim, name), getattr(torch.optim, name), kw)
    for _ in range(8):  # (RAdam: past its fifth step, where the rectified rule starts)
        pair.step_torch()
    with pt.no_grad():
        pair.pw.copy_(pt.asarray(host(pair.tw)))
        pair.pb.copy_(pt.asarray(host(pair.tb)))
    fresh = getattr(optim, name)([{"params": [pair.pw]}, {"params": [pair.pb]}], lr=9.0)
    fresh.load_state_dict(_to_pt(pair.t_opt.state_dict()))
    pair.p_opt = fresh
    assert fresh.param_groups[1]["lr"] == 0.003
    assert isinstance(fresh.state[pair.pw]["step"], int) and fresh.state[pair.pw]["step"] == 8
    for _ in range(6):
        pair.step_pt()
        pair.step_torch()
        pair.check()


@pytest.mark.parametrize(("name", "kw"), ROUND_TRIP.items(), ids=ROUND_TRIP.keys())
def test_state_dict_to_torch_loads_and_resumes(name: str, kw: dict[str, Any]) -> None:
    pair = _Pair(getattr(optim, name), getattr(torch.optim, name), kw)
    for _ in range(8):
        pair.step_pt()
    with torch.no_grad():
        pair.tw.copy_(torch.tensor(host(pair.pw)))
        pair.tb.copy_(torch.tensor(host(pair.pb)))
    fresh = getattr(torch.optim, name)([{"params": [pair.tw]}, {"params": [pair.tb]}], lr=9.0)
    fresh.load_state_dict(_to_torch(pair.p_opt.state_dict()))
    pair.t_opt = fresh
    assert fresh.state[pair.tw]["step"].item() == 8
    for _ in range(6):
        pair.step_pt()
        pair.step_torch()
        pair.check()


def test_state_dict_round_trip_resumes_exactly_in_polytensor() -> None:
    for name, kw in ROUND_TRIP.items():
        straight = _Pair(getattr(optim, name), getattr(torch.optim, name), kw)
        resumed = _Pair(getattr(optim, name), getattr(torch.optim, name), kw)
        for _ in range(4):
            straight.step_pt()
            resumed.step_pt()
        saved = resumed.p_opt.state_dict()
        resumed.p_opt = getattr(optim, name)(
            [{"params": [resumed.pw]}, {"params": [resumed.pb]}], lr=1.0
        )
        resumed.p_opt.load_state_dict(saved)
        for _ in range(4):
            straight.step_pt()
            resumed.step_pt()
        np.testing.assert_array_equal(host(straight.pw), host(resumed.pw), err_msg=name)


# -- LBFGS ----------------------------------------------------------------------------------


def _rosenbrock(x: Any) -> Any:
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _lbfgs_run(lib: Any, kw: dict[str, Any], steps: int) -> tuple[Any, list[float], Any]:
    x = lib.tensor([-1.5, 2.0], dtype=lib.float64, requires_grad=True)
    opt = lib.optim.LBFGS([x], **kw)

    def closure() -> Any:
        opt.zero_grad()
        loss = _rosenbrock(x)
        loss.backward()
        return loss

    losses = [float(opt.step(closure).detach()) for _ in range(steps)]
    return x, losses, opt


LBFGS_CASES = {
    "plain": {"lr": 0.01, "max_iter": 10},
    "plain-history": {"lr": 0.02, "max_iter": 25, "history_size": 3, "max_eval": 40},
    "strong_wolfe": {"line_search_fn": "strong_wolfe"},
    "strong_wolfe-history": {"line_search_fn": "strong_wolfe", "history_size": 4, "max_iter": 7},
    "strong_wolfe-tolerances": {
        "line_search_fn": "strong_wolfe",
        "tolerance_grad": 1e-4,
        "tolerance_change": 1e-6,
    },
}


@pytest.mark.parametrize("kw", LBFGS_CASES.values(), ids=LBFGS_CASES.keys())
def test_lbfgs_on_rosenbrock_matches_torch(kw: dict[str, Any]) -> None:
    x, losses, opt = _lbfgs_run(pt, kw, 4)
    tx, t_losses, t_opt = _lbfgs_run(torch, kw, 4)
    np.testing.assert_allclose(losses, t_losses, rtol=1e-8)
    np.testing.assert_allclose(host(x), host(tx), rtol=1e-8, atol=1e-12)
    ours, theirs = opt.state[x], t_opt.state[tx]
    assert (ours["n_iter"], ours["func_evals"]) == (theirs["n_iter"], theirs["func_evals"])
    assert len(ours["old_dirs"]) == len(theirs["old_dirs"])
    np.testing.assert_allclose(float(ours["t"]), float(theirs["t"]), rtol=1e-8)


def test_lbfgs_with_strong_wolfe_finds_rosenbrocks_minimum() -> None:
    x, losses, _ = _lbfgs_run(pt, {"line_search_fn": "strong_wolfe"}, 5)
    np.testing.assert_allclose(host(x), [1.0, 1.0], atol=1e-5)
    assert losses[-1] < 1e-9


@pytest.mark.parametrize("backend", [_param("dask"), _param("array_api_strict")])
def test_lbfgs_on_other_backends_matches_torch(backend: str) -> None:
    kw = {"line_search_fn": "strong_wolfe", "max_iter": 8}
    tx, t_losses, _ = _lbfgs_run(torch, kw, 2)
    with pt.use_backend(backend):
        x, losses, _ = _lbfgs_run(pt, kw, 2)
        assert x.device.backend.name == backend
    np.testing.assert_allclose(losses, t_losses, rtol=1e-8)
    np.testing.assert_allclose(host(x), host(tx), rtol=1e-8)


def test_lbfgs_state_dict_round_trip_resumes() -> None:
    kw = {"line_search_fn": "strong_wolfe", "max_iter": 3}
    straight, _, _ = _lbfgs_run(pt, kw, 2)
    y = pt.tensor([-1.5, 2.0], dtype=pt.float64, requires_grad=True)
    opt = optim.LBFGS([y], **kw)

    def closure() -> Any:
        opt.zero_grad()
        loss = _rosenbrock(y)
        loss.backward()
        return loss

    opt.step(closure)
    saved = opt.state_dict()
    opt = optim.LBFGS([y], **kw)
    opt.load_state_dict(saved)
    opt.step(closure)
    np.testing.assert_array_equal(host(y), host(straight))


def test_lbfgs_errors_are_torchs() -> None:
    w, tw = pt.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    for lib, p in ((pt, w), (torch, tw)):
        with pytest.raises(ValueError, match="Invalid learning rate"):
            lib.optim.LBFGS([p], lr=-1.0)
        q = lib.zeros(1, requires_grad=True)
        with pytest.raises(ValueError, match="doesn't support per-parameter options"):
            lib.optim.LBFGS([{"params": [p]}, {"params": [q]}])
        opt = lib.optim.LBFGS([p], line_search_fn="backtracking")

        def closure(opt: Any = opt, p: Any = p) -> Any:
            opt.zero_grad()
            loss = ((p - 1) ** 2).sum()
            loss.backward()
            return loss

        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)
        with pytest.raises(TypeError, match="closure"):
            opt.step()
    assert optim.LBFGS([w], max_iter=8).defaults["max_eval"] == 10


# -- errors -----------------------------------------------------------------------------------

ERRORS = [
    ("Adamax", {"lr": -1.0}, ValueError, "Invalid learning rate"),
    ("Adamax", {"eps": -1.0}, ValueError, "Invalid epsilon value"),
    ("Adamax", {"betas": (1.0, 0.9)}, ValueError, "Invalid beta parameter at index 0"),
    ("NAdam", {"betas": (0.9, -0.1)}, ValueError, "Invalid beta parameter at index 1"),
    ("NAdam", {"weight_decay": -1.0}, ValueError, "Invalid weight_decay value"),
    ("NAdam", {"momentum_decay": -1.0}, ValueError, "Invalid momentum_decay value"),
    ("RAdam", {"lr": -0.1}, ValueError, "Invalid learning rate"),
    ("RAdam", {"weight_decay": -0.1}, ValueError, "Invalid weight_decay value"),
    ("ASGD", {"lr": -0.1}, ValueError, "Invalid learning rate"),
    ("ASGD", {"weight_decay": -0.1}, ValueError, "Invalid weight_decay value"),
    ("Rprop", {"lr": -0.1}, ValueError, "Invalid learning rate"),
    ("Rprop", {"etas": (1.5, 1.2)}, ValueError, "Invalid eta values: 1.5, 1.2"),
    ("Rprop", {"etas": (0.5, 0.9)}, ValueError, "Invalid eta values: 0.5, 0.9"),
]


@pytest.mark.parametrize(("name", "kw", "exc", "match"), ERRORS)
def test_bad_hyperparameters_raise_torchs_errors(
    name: str, kw: dict[str, Any], exc: type[Exception], match: str
) -> None:
    with pytest.raises(exc, match=match):
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kw)
    with pytest.raises(exc, match=match):
        getattr(optim, name)([pt.zeros(1, requires_grad=True)], **kw)


def test_differentiable_steps_are_refused() -> None:
    for name in ("Adamax", "NAdam", "RAdam", "ASGD", "Rprop"):
        with pytest.raises(NotImplementedError, match="differentiable=True"):
            getattr(optim, name)([pt.zeros(1, requires_grad=True)], differentiable=True)


# -- schedules --------------------------------------------------------------------------------


def _opts(kind: str = "SGD") -> tuple[Any, Any]:
    p = [pt.zeros(1, requires_grad=True), pt.zeros(1, requires_grad=True)]
    t = [torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)]
    kw: dict[str, Any] = {"lr": 0.1, "momentum": 0.9} if kind == "SGD" else {"lr": 0.1}
    return (
        getattr(optim, kind)([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.5}], **kw),
        getattr(torch.optim, kind)([{"params": [t[0]]}, {"params": [t[1]], "lr": 0.5}], **kw),
    )


def _sequential(lib: Any, opt: Any) -> Any:
    s = lib.optim.lr_scheduler
    return s.SequentialLR(
        opt,
        [
            s.LinearLR(opt, start_factor=0.1, total_iters=4),
            s.CosineAnnealingLR(opt, T_max=6, eta_min=0.001),
            s.StepLR(opt, step_size=3, gamma=0.5),
            s.ExponentialLR(opt, gamma=0.9),
        ],
        milestones=[4, 12, 20],
    )


def _sequential_lambda(lib: Any, opt: Any) -> Any:
    s = lib.optim.lr_scheduler
    return s.SequentialLR(
        opt,
        [
            s.ConstantLR(opt, factor=0.5, total_iters=3),
            s.LambdaLR(opt, lambda e: 1 / (1 + e)),
            s.MultiStepLR(opt, milestones=[2, 5], gamma=0.3),
            s.PolynomialLR(opt, total_iters=6, power=2.0),
        ],
        milestones=[3, 8, 15],
    )


def _chained(lib: Any, opt: Any) -> Any:
    s = lib.optim.lr_scheduler
    return s.ChainedScheduler(
        [s.ConstantLR(opt, factor=0.2, total_iters=5), s.ExponentialLR(opt, gamma=0.95),
         s.MultiStepLR(opt, milestones=[7, 15], gamma=0.5)]
    )  # fmt: skip


def _cyclic(**kw: Any) -> Any:
    return lambda lib, opt: lib.optim.lr_scheduler.CyclicLR(opt, **kw)


SCHEDULES = {
    "SequentialLR": ("SGD", _sequential),
    "SequentialLR-lambda": ("SGD", _sequential_lambda),
    "ChainedScheduler": ("SGD", _chained),
    "CyclicLR-triangular": ("SGD", _cyclic(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    "CyclicLR-triangular2": (
        "SGD",
        _cyclic(
            base_lr=[0.01, 0.02],
            max_lr=[0.1, 0.3],
            step_size_up=3,
            step_size_down=5,
            mode="triangular2",
            base_momentum=0.7,
            max_momentum=[0.95, 0.9],
        ),
    ),
    "CyclicLR-exp_range": (
        "SGD",
        _cyclic(base_lr=0.01, max_lr=0.2, step_size_up=5, mode="exp_range", gamma=0.97),
    ),
    "CyclicLR-Adam-betas": ("Adam", _cyclic(base_lr=0.001, max_lr=0.01, step_size_up=3)),
    "CyclicLR-no-momentum": (
        "Adagrad",
        _cyclic(base_lr=0.01, max_lr=0.1, step_size_up=2, cycle_momentum=False),
    ),
    "CyclicLR-scale_fn": (
        "SGD",
        _cyclic(
            base_lr=0.01,
            max_lr=0.1,
            step_size_up=3,
            scale_fn=lambda x: 1 / (1 + x),
            scale_mode="iterations",
        ),
    ),
}


@pytest.mark.parametrize(("kind", "make"), SCHEDULES.values(), ids=SCHEDULES.keys())
def test_schedules_match_torch_for_many_steps(kind: str, make: Any) -> None:
    p_opt, t_opt = _opts(kind)
    p_s, t_s = make(pt, p_opt), make(torch, t_opt)
    assert p_s.get_last_lr() == pytest.approx(t_s.get_last_lr(), rel=1e-15)
    for i in range(40):
        p_opt.step()
        t_opt.step()
        p_s.step()
        t_s.step()
        assert p_s.get_last_lr() == pytest.approx(t_s.get_last_lr(), rel=1e-13, abs=1e-16), i
        for pg, tg in zip(p_opt.param_groups, t_opt.param_groups, strict=True):
            assert pg["lr"] == pytest.approx(tg["lr"], rel=1e-13, abs=1e-16), i
            for key in ("momentum", "betas"):
                if key in tg:
                    assert pg[key] == pytest.approx(tg[key], rel=1e-13), (i, key)
    sd, tsd = p_s.state_dict(), t_s.state_dict()
    assert set(tsd) - {"_get_lr_called_within_step"} <= set(sd)


def test_schedule_state_dicts_resume_where_they_stopped() -> None:
    for make in (_sequential, _chained, _cyclic(base_lr=0.01, max_lr=0.1, step_size_up=4)):
        p_opt, _ = _opts()
        first = make(pt, p_opt)
        for _ in range(7):
            p_opt.step()
            first.step()
        saved = first.state_dict()
        q_opt, _ = _opts()
        second = make(pt, q_opt)
        second.load_state_dict(saved)
        for g, h in zip(q_opt.param_groups, p_opt.param_groups, strict=True):
            g.update({k: v for k, v in h.items() if k != "params"})
        for _ in range(9):
            first.step()
            second.step()
            assert first.get_last_lr() == second.get_last_lr()


def test_cyclic_lr_state_dict_keeps_a_callable_objects_state() -> None:
    class Halve:
        def __init__(self) -> None:
            self.base = 2.0

        def __call__(self, x: float) -> float:
            return float(self.base ** -(x - 1))

    opt, _ = _opts()
    fn = Halve()
    s = L.CyclicLR(opt, 0.01, 0.1, step_size_up=2, scale_fn=fn)
    fn.base = 3.0
    sd = s.state_dict()
    assert sd["_scale_fn_custom"] == {"base": 3.0} and "_scale_fn_ref" not in sd
    other_fn = Halve()
    other = L.CyclicLR(_opts()[0], 0.01, 0.1, step_size_up=2, scale_fn=other_fn)
    other.load_state_dict(sd)
    assert other_fn.base == 3.0


def test_schedule_errors_are_torchs() -> None:
    for lib in (pt, torch):
        s = lib.optim.lr_scheduler
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        other = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match="expects at least one scheduler"):
            s.SequentialLR(opt, [], milestones=[])
        with pytest.raises(ValueError, match="expects at least one scheduler to be chained"):
            s.ChainedScheduler([])
        with pytest.raises(ValueError, match="number of milestones to be equal to 2"):
            s.SequentialLR(opt, [s.StepLR(opt, 2), s.StepLR(opt, 3)], milestones=[1, 2])
        with pytest.raises(ValueError, match="belong to the same optimizer"):
            s.SequentialLR(opt, [s.StepLR(opt, 2), s.StepLR(other, 3)], milestones=[1])
        with pytest.raises(ValueError, match="belong to the same optimizer"):
            s.ChainedScheduler([s.StepLR(opt, 2), s.StepLR(other, 3)])
        with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
            s.ChainedScheduler([s.ReduceLROnPlateau(opt)])
        with pytest.raises(TypeError, match="at index 0 should have `optimizer`"):
            s.SequentialLR(opt, [object()], milestones=[])
        with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
            s.CyclicLR(opt, 0.01, 0.1, mode="sine")
        with pytest.raises(ValueError, match="must support momentum or beta1"):
            s.CyclicLR(lib.optim.Adagrad([lib.zeros(1, requires_grad=True)]), 0.01, 0.1)
        with pytest.raises(ValueError, match="base_lr must have the same length"):
            s.CyclicLR(opt, [0.01, 0.02], 0.1)
        with pytest.raises(TypeError, match="is not an Optimizer"):
            s.CyclicLR([], 0.01, 0.1)


# -- utils.data ---------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", [_param("numpy"), _param("dask"), _param("array_api_strict")])
def test_weighted_random_sampler_draws_in_proportion(backend: str) -> None:
    with pt.use_backend(backend):
        weights = [0.1, 0.0, 0.6, 0.3]
        s = data.WeightedRandomSampler(weights, 20000, generator=pt.Generator().manual_seed(3))
        drawn = list(s)
        gen = pt.Generator().manual_seed(3)
        again = list(data.WeightedRandomSampler(weights, 20000, generator=gen))
    assert len(s) == 20000 and len(drawn) == 20000 and drawn == again
    counts = np.bincount(drawn, minlength=4) / 20000
    assert counts[1] == 0
    np.testing.assert_allclose(counts, weights, atol=0.015)
    assert list(s) != drawn  # (a new draw each pass)


def test_weighted_random_sampler_without_replacement_and_with_tensor_weights() -> None:
    pt.manual_seed(0)
    w = pt.asarray([1.0, 5.0, 0.0, 2.0, 0.5], dtype=pt.float32)
    s = data.WeightedRandomSampler(w, 4, replacement=False)
    assert s.weights.dtype == pt.float64
    firsts = []
    for _ in range(2000):
        drawn = list(s)
        assert sorted(drawn) == [0, 1, 3, 4]
        firsts.append(drawn[0])
    assert np.bincount(firsts, minlength=5)[1] / 2000 == pytest.approx(5 / 8.5, abs=0.04)
    loader = data.DataLoader(data.TensorDataset(pt.arange(5)), batch_size=2, sampler=s)
    assert sorted(v for (b,) in loader for v in b.tolist()) == [0, 1, 3, 4]


def test_weighted_random_sampler_errors_are_torchs() -> None:
    for lib in (torch.utils.data, data):
        with pytest.raises(ValueError, match="num_samples should be a positive integer"):
            lib.WeightedRandomSampler([1.0, 2.0], 0)
        with pytest.raises(ValueError, match="num_samples should be a positive integer"):
            lib.WeightedRandomSampler([1.0, 2.0], True)
        with pytest.raises(ValueError, match="replacement should be a boolean"):
            lib.WeightedRandomSampler([1.0, 2.0], 3, replacement=1)
        with pytest.raises(ValueError, match="weights should be a 1d sequence"):
            lib.WeightedRandomSampler([[1.0, 2.0]], 3)
        with pytest.raises(RuntimeError):
            list(lib.WeightedRandomSampler([1.0, 2.0], 3, replacement=False))
        with pytest.raises(RuntimeError):
            list(lib.WeightedRandomSampler([1.0, -2.0], 3))
    with pytest.raises(TypeError, match="generator="):
        data.WeightedRandomSampler([1.0], 1, generator=3)


def test_stack_dataset_as_torchs() -> None:
    x = pt.arange(12.0).reshape(4, 3)
    images, labels = data.TensorDataset(x), [7, 8, 9, 10]
    ds = data.StackDataset(images, labels)
    t_images = torch.utils.data.TensorDataset(torch.arange(12.0).reshape(4, 3))
    t_ds = torch.utils.data.StackDataset(t_images, labels)
    assert len(ds) == len(t_ds) == 4
    (img,), label = ds[2]
    assert img.tolist() == t_ds[2][0][0].tolist() and label == t_ds[2][1] == 9
    named = data.StackDataset(image=images, label=labels)
    assert sorted(named[1]) == ["image", "label"] and named[1]["label"] == 8
    batch = named.__getitems__([3, 0])
    assert [b["label"] for b in batch] == [10, 7]
    assert [b[1] for b in ds.__getitems__([1, 2])] == [8, 9]
    loader = data.DataLoader(named, batch_size=3)
    first = next(iter(loader))
    assert first["image"][0].shape == (3, 3) and first["label"].tolist() == [7, 8, 9]
    for lib in (torch.utils.data, data):
        with pytest.raises(ValueError, match=r"(?i)both types are given"):
            lib.StackDataset([1, 2], y=[3, 4])
        with pytest.raises(ValueError, match=r"(?i)size mismatch"):
            lib.StackDataset([1, 2], [3])
        with pytest.raises(ValueError, match=r"(?i)at least one dataset"):
            lib.StackDataset()


def test_added_names_are_exported_where_torch_has_them() -> None:
    for name in ("ASGD", "Adamax", "LBFGS", "NAdam", "RAdam", "Rprop"):
        assert name in optim.__all__ and hasattr(torch.optim, name)
    for name in ("ChainedScheduler", "CyclicLR", "SequentialLR"):
        assert name in L.__all__ and hasattr(torch.optim.lr_scheduler, name)
    for name in ("WeightedRandomSampler", "StackDataset"):
        assert name in data.__all__ and hasattr(torch.utils.data, name)
    with pytest.raises(AttributeError, match=r"torch\.optim\.SparseAdam"):
        optim.SparseAdam  # noqa: B018


@pytest.mark.parametrize(
    "name",
    [
        "Adam",
        "AdamW",
        "RMSprop",
        "Adagrad",
        "Adadelta",
        "Adamax",
        "NAdam",
        "RAdam",
        "Rprop",
        "LBFGS",
    ],
)
def test_optimizers_that_would_update_complex_parameters_wrongly_refuse_them(name: str) -> None:
    # PyTorch's rules read a complex number's real and imaginary parts as two reals
    # (view_as_real); these polytensor rules would square the complex gradient instead
    p = pt.asarray([1 + 2j, 3 - 1j], requires_grad=True)
    with pytest.raises(NotImplementedError, match="real parameters only"):
        getattr(pt.optim, name)([p])
    opt = getattr(pt.optim, name)([pt.zeros(2, requires_grad=True)])
    if name != "LBFGS":  # (LBFGS takes one group)
        with pytest.raises(NotImplementedError, match="real parameters only"):
            opt.add_param_group({"params": [p]})


@pytest.mark.parametrize("name", ["SGD", "ASGD"])
def test_sgd_and_asgd_update_complex_parameters_as_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    out = []
    for lib in (pt, torch):
        p = lib.tensor(np.array([1 + 2j, 3 - 1j]), requires_grad=True)
        opt = getattr(lib.optim, name)([p], lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            (p.real**2 + 3 * p.imag**2).sum().backward()
            opt.step()
        out.append(np.asarray(p.detach().numpy()))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-7)


SCALAR_STATE = ["NAdam", "ASGD", "Adam", "AdamW", "RAdam", "Adamax", "Adagrad", "Adadelta"]
SCALAR_STATE += ["RMSprop", "Rprop"]


@pytest.mark.parametrize("backend", [_param("numpy"), _param("dask"), _param("array_api_strict")])
@pytest.mark.parametrize("name", SCALAR_STATE)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_state_dict_holds_torch_s_0d_tensors_and_loads_back(
    backend: str, name: str, dtype: str
) -> None:
    torch.set_default_dtype(torch.float32)  # (torch's own default; restored by the fixture)
    dicts = []
    for lib in (torch, pt):
        with pt.use_backend(backend) if lib is pt else torch.no_grad():
            w = lib.tensor(W0[0].copy(), dtype=getattr(lib, dtype), requires_grad=True)
            opt = getattr(lib.optim, name)([w], lr=0.1)
            for _ in range(3):
                opt.zero_grad()
                with torch.enable_grad():
                    (w * w * w).sum().backward()
                opt.step()
            dicts.append((opt.state_dict()["state"][0], opt, w))
    (t_state, _, _), (p_state, p_opt, p_w) = dicts
    assert sorted(p_state) == sorted(t_state)
    for k, t_v in t_state.items():
        p_v = p_state[k]
        assert isinstance(p_v, pt.Tensor) and isinstance(t_v, torch.Tensor), k
        assert tuple(p_v.shape) == tuple(t_v.shape), k
        want = str(t_v.dtype).removeprefix("torch.")
        if k != "step" and t_v.ndim == 0:
            # (torch's fresh mu_product, eta and mu are float32; polytensor gives them in the
            # parameter's dtype, as torch's load_state_dict casts them, so that a float64
            # model's state goes back and forth exactly)
            want = dtype
        assert p_v.dtype.name == want, k
        np.testing.assert_allclose(host(p_v), host(t_v), rtol=1e-5, err_msg=k)
    with pt.use_backend(backend):
        # polytensor's own state dict back into a fresh optimizer: the same state, numbers
        fresh = getattr(optim, name)([p_w], lr=0.1)
        fresh.load_state_dict(p_opt.state_dict())
        assert fresh.state[p_w]["step"] == 3 and isinstance(fresh.state[p_w]["step"], int)
        again = fresh.state_dict()["state"][0]
        for k, v in p_state.items():
            np.testing.assert_array_equal(host(again[k]), host(v), err_msg=k)
            assert again[k].dtype is v.dtype
        # and torch's (its 0-d tensors) into a polytensor optimizer
        from_torch = getattr(optim, name)([p_w], lr=0.1)
        from_torch.load_state_dict(
            {
                "state": {0: {k: pt.asarray(host(v)) for k, v in t_state.items()}},
                "param_groups": p_opt.state_dict()["param_groups"],
            }
        )
        assert from_torch.state[p_w]["step"] == 3
