"""Optimizers (Adam, AdamW, SGD, RMSprop, Adagrad) update a parameter and their state in
place, a block at a time, on NumPy (``polytensor.optim._in_place``): the same bits as their
general path (tensor operations), the state's tensors kept and updated as PyTorch's are, every
case the update does not cover left to the general path, and version counts that catch a step
between forward and backward."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import optim
from polytensor.optim import _in_place

CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("Adam", {}),
    ("Adam", {"weight_decay": 0.1}),
    ("Adam", {"maximize": True}),
    ("Adam", {"maximize": True, "weight_decay": 0.1}),
    ("Adam", {"amsgrad": True}),
    ("Adam", {"lr": 0.5, "betas": (0.5, 0.6), "eps": 1e-3, "decoupled_weight_decay": True}),
    ("AdamW", {}),
    ("AdamW", {"maximize": True, "amsgrad": True, "weight_decay": 0.3}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.8, "nesterov": True, "maximize": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.01}),  # (no momentum: no state)
    ("RMSprop", {}),
    ("RMSprop", {"centered": True, "momentum": 0.9}),
    ("RMSprop", {"momentum": 0.5, "weight_decay": 0.1, "maximize": True, "alpha": 0.9}),
    ("Adagrad", {"lr_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("Adagrad", {"weight_decay": 0.1, "maximize": True}),
]


def _run(
    name: str, kwargs: dict[str, Any], dtype: str, shapes: list[tuple[int, ...]], steps: int = 5
) -> tuple[list[Any], list[np.ndarray]]:
    rng = np.random.default_rng(0)
    ps = [pt.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]
    opt = getattr(optim, name)(ps, **kwargs)
    for i in range(steps):
        for p in ps:  # gradients over six orders of magnitude, zeros and a NaN-free tail
            g = rng.standard_normal(p.shape).astype(dtype) * 10.0 ** (i - 2)
            g.reshape(-1)[:2] = 0.0
            p.grad = pt.tensor(g)
        opt.step()
    states = [opt.state[p][k] for p in ps for k in sorted(opt.state[p]) if k != "step"]
    return ps, [t.detach().numpy().copy() for t in (*ps, *states)]


SHAPES = [(37, 11), (1,), (1000,)]


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=[f"{n}{k}" for n, k in CONFIGS])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_in_place_update_gives_the_general_path_s_bits(
    name: str, kwargs: dict[str, Any], dtype: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = pt.asarray(0.0)._backend
    monkeypatch.setattr(backend, "block_bytes", 96)  # blocks of 12 or 24: a short last one
    calls: list[bool] = []
    fast = _in_place._run
    monkeypatch.setattr(_in_place, "_run", lambda *a: calls.append(fast(*a)) or calls[-1])
    _, got = _run(name, dict(kwargs), dtype, SHAPES)
    # every parameter took it (SGD's momentum buffer from its second step on)
    first = len(SHAPES) if name == "SGD" and kwargs.get("momentum") else 0
    assert calls[first:] and all(calls[first:])
    monkeypatch.setattr(_in_place, "_run", lambda *a: False)
    _, want = _run(name, dict(kwargs), dtype, SHAPES)
    for a, b in zip(got, want, strict=True):
        assert a.tobytes() == b.tobytes()


KEPT = [
    ("Adam", {"amsgrad": True}),
    ("AdamW", {"amsgrad": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("RMSprop", {"centered": True, "momentum": 0.9}),
    ("Adagrad", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), KEPT, ids=[n for n, _ in KEPT])
def test_the_state_keeps_its_tensors_as_torch_s(name: str, kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    data = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    p = pt.tensor(data, requires_grad=True)
    tp = torch.tensor(data, requires_grad=True)
    opt, topt = getattr(optim, name)([p], **kwargs), getattr(torch.optim, name)([tp], **kwargs)
    kept: dict[str, Any] = {}
    tkept: dict[str, Any] = {}
    for step in range(3):
        p.grad = pt.tensor(data * (step + 1))
        tp.grad = torch.tensor(data * (step + 1))
        opt.step()
        topt.step()
        keys = [k for k in opt.state[p] if k != "step"]
        assert sorted(keys) == sorted(k for k in topt.state[tp] if k != "step")
        for k in keys:
            kept.setdefault(k, opt.state[p][k])
            tkept.setdefault(k, topt.state[tp][k])
            assert opt.state[p][k] is kept[k]  # the same tensor, updated
            assert topt.state[tp][k] is tkept[k]
            np.testing.assert_allclose(kept[k].numpy(), tkept[k].numpy(), rtol=1e-14, atol=0)
    np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-14, atol=0)


def _layouts() -> list[tuple[str, Any]]:
    data = np.linspace(-1.0, 1.0, 24).reshape(4, 6)
    return [
        ("Fortran order", lambda: pt.from_numpy(np.asfortranarray(data)).requires_grad_()),
        ("a view of another tensor", lambda: pt.tensor(data)[1:3].requires_grad_()),
        ("strided memory", lambda: pt.from_numpy(data.copy()[:, ::2]).requires_grad_()),
    ]


_ARGS = {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0}


@pytest.mark.parametrize(("case", "make"), _layouts(), ids=[c for c, _ in _layouts()])
def test_parameters_the_update_cannot_write_take_the_general_path(
    case: str, make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = make()
    before = p.detach().numpy().copy()
    m, v = pt.zeros(p.shape, dtype=p.dtype), pt.zeros(p.shape, dtype=p.dtype)
    g = pt.ones(p.shape, dtype=p.dtype)
    assert not _in_place.adam(p, g, m, v, None, decoupled=False, maximize=False, step=1, **_ARGS)
    assert p.detach().numpy().tobytes() == before.tobytes()
    assert not m.numpy().any() and not v.numpy().any()
    results = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(_in_place, "adam", lambda *a, **k: False)
        q = make()
        opt = optim.Adam([q], lr=0.1)
        for step in range(3):
            q.grad = pt.ones(q.shape, dtype=q.dtype) * (step - 1.5)
            opt.step()
        results.append(q.detach().numpy().copy())
    assert results[0].tobytes() == results[1].tobytes()
    assert not np.array_equal(results[0], before)


def test_a_gradient_of_another_dtype_takes_the_general_path() -> None:
    p = pt.ones(3, dtype=pt.float32, requires_grad=True)
    g = pt.ones(3, dtype=pt.float64)
    m, v = pt.zeros(3, dtype=pt.float32), pt.zeros(3, dtype=pt.float32)
    assert not _in_place.adam(p, g, m, v, None, decoupled=False, maximize=False, step=1, **_ARGS)
    assert m.tolist() == [0.0, 0.0, 0.0] and p.detach().tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_other_backends_take_the_general_path(backend: str) -> None:
    pytest.importorskip(backend)
    results = []
    for device in (backend, "numpy"):
        p = pt.asarray(np.linspace(-1.0, 1.0, 6), device=device, requires_grad=True)
        opt = optim.Adam([p], lr=0.1, amsgrad=True)
        for step in range(3):
            p.grad = pt.asarray(np.linspace(1.0, 2.0, 6) * step, device=device)
            opt.step()
        results.append(p.detach().to("numpy").numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-15, atol=0)


def test_a_step_between_forward_and_backward_is_caught() -> None:
    p = pt.tensor(np.linspace(-1.0, 1.0, 6), requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    loss = (p * p).sum()  # (saves p for its backward)
    p.grad = pt.ones(6, dtype=pt.float64)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_large_parameters_match_torch(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    data = [rng.standard_normal(s).astype(dtype) for s in ((300, 301), (70000,))]
    ps = [pt.tensor(d, requires_grad=True) for d in data]
    tps = [torch.tensor(d, requires_grad=True) for d in data]
    opt, topt = optim.AdamW(ps, weight_decay=0.05), torch.optim.AdamW(tps, weight_decay=0.05)
    for _ in range(4):
        for p, tp in zip(ps, tps, strict=True):
            g = rng.standard_normal(p.shape).astype(dtype)
            p.grad, tp.grad = pt.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    tol = 1e-5 if dtype == "float32" else 1e-13
    for p, tp in zip(ps, tps, strict=True):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=tol, atol=tol)


def test_plain_sgd_writes_a_large_parameter_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    data, grad = (rng.standard_normal((300, 301)).astype(np.float32) for _ in range(2))
    small = pt.tensor(data[0, :8].copy(), requires_grad=True)  # (one block: the operators)
    p = pt.tensor(data, requires_grad=True)
    p.grad, small.grad = pt.tensor(grad), pt.tensor(grad[0, :8].copy())
    calls: list[bool] = []
    fast = _in_place._run
    monkeypatch.setattr(_in_place, "_run", lambda *a: calls.append(fast(*a)) or calls[-1])
    optim.SGD([p, small], lr=0.01).step()
    assert calls == [True]
    assert p.detach().numpy().tobytes() == (data - 0.01 * grad).tobytes()
    assert small.detach().numpy().tobytes() == (data[0, :8] - 0.01 * grad[0, :8]).tobytes()


@pytest.mark.parametrize("name", ["Adam", "SGD", "RMSprop", "Adagrad"])
def test_numpy_float64_hyperparameters_update_float32_as_python_floats(name: str) -> None:
    """A schedule that returns NumPy float64s (``np.cos``) leaves a float32 update in float32,
    as PyTorch takes such a number, on both paths."""
    rng = np.random.default_rng(4)
    p0, g = (rng.standard_normal(5000).astype(np.float32) for _ in range(2))
    kw: dict[str, Any] = {"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1}
    results = []
    for cast in (float, np.float64):
        p = pt.tensor(p0, requires_grad=True)
        opt = getattr(optim, name)([p], **kw)
        sched = optim.lr_scheduler.LambdaLR(opt, lambda s, c=cast: c(0.5 * (1 + np.cos(s))))
        for _ in range(3):
            p.grad = pt.tensor(g)
            opt.step()
            sched.step()
        assert p.dtype == pt.float32
        results.append(p.detach().numpy().copy())
    assert results[0].tobytes() == results[1].tobytes()


def test_a_gradient_that_views_the_parameter_at_another_offset_takes_the_general_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    results = []
    for general in (False, True):
        if general:
            monkeypatch.setattr(_in_place, "_run", lambda *a: False)
        q = pt.tensor(np.linspace(-1, 1, 100_000, dtype=np.float32), requires_grad=True)
        q.grad = q.detach().flip(0)  # (NumPy's flip: a view of q's memory, read backwards)
        optim.Adam([q], lr=0.5).step()
        results.append(q.detach().numpy().copy())
    assert results[0].tobytes() == results[1].tobytes()
