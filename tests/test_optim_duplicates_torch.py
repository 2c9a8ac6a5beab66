"""A parameter listed twice in one group: PyTorch warns (UserWarning), keeps it listed twice
and updates it once per listing, its state shared; its state dict numbers it by its last
position. polytensor's optimizers do the same, step by step, on every available backend; a
parameter in two groups stays an error, as in PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")


OPTIMIZERS = {
    "SGD": {"lr": 0.1},
    "SGD_momentum": {"lr": 0.1, "momentum": 0.9},
    "SGD_nesterov": {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    "Adam": {"lr": 0.1},
    "AdamW": {"lr": 0.1},
    "RMSprop": {"lr": 0.1, "momentum": 0.5},
    "Adagrad": {"lr": 0.1},
    "Adadelta": {"lr": 1.0},
    "Adamax": {"lr": 0.1},
    "RAdam": {"lr": 0.1},
    "Rprop": {"lr": 0.1},
    "LBFGS": {"lr": 0.5},
}


def _run(m: Any, name: str) -> tuple[Any, ...]:
    p = m.nn.Parameter(m.tensor([1.0, -2.0], dtype=m.float64))
    q = m.nn.Parameter(m.tensor([0.5, 3.0], dtype=m.float64))
    with pytest.warns(UserWarning, match="duplicate parameters") as record:
        opt = getattr(m.optim, name.partition("_")[0])([p, q, p], **OPTIMIZERS[name])
    for _ in range(3):

        def closure() -> Any:
            opt.zero_grad()
            loss = (p * p).sum() + 0.5 * (q * p).sum() + 0.1 * (q**3).sum()
            loss.backward()
            return loss

        if name == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()
    sd = opt.state_dict()
    steps = {k: float(v["step"]) for k, v in sd["state"].items() if "step" in v}
    values = [
        np.asarray(t.detach().to("numpy").numpy()) if m is pt else t.detach().numpy()
        for t in (p, q)
    ]
    return (*values, sd["param_groups"][0]["params"], sorted(sd["state"]), steps, record)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_parameter_listed_twice_warns_and_steps_as_torch(backend: str, name: str) -> None:
    *want, _ = _run(torch, name)
    *got, record = _run(pt, name)
    for g, w in zip(got[:2], want[:2], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)
    assert got[2:] == want[2:]  # the state dict's numbering, its keys and step counts
    assert record[0].filename == __file__  # (the warning names the line that made it)


def test_an_optimizer_state_dict_with_a_parameter_listed_twice_loads() -> None:
    p, q = pt.nn.Parameter(pt.ones(2)), pt.nn.Parameter(pt.ones(2))
    with pytest.warns(UserWarning, match="duplicate"):
        opt = pt.optim.Adam([p, q, p], lr=0.1)
    p.grad, q.grad = pt.ones(2), pt.ones(2)
    opt.step()
    with pytest.warns(UserWarning, match="duplicate"):
        again = pt.optim.Adam([p, q, p], lr=0.1)
    again.load_state_dict(opt.state_dict())
    assert again.state[p]["step"] == 2 and again.state[q]["step"] == 1


def test_a_parameter_in_two_groups_is_refused_as_torch() -> None:
    for m in (torch, pt):
        p = m.nn.Parameter(m.ones(2))
        with pytest.raises(ValueError, match="more than one parameter group"):
            m.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
