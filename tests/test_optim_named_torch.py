"""Optimizers over named parameters (``optim.SGD(model.named_parameters())``): PyTorch keeps
the names in each group's ``"param_names"`` and its state dict, updates the parameters as for
unnamed ones, refuses groups that mix named and unnamed parameters, and keeps an optimizer's
names when it loads a state dict without them. polytensor's optimizers do the same, on every
available backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")


def _backends() -> list[Any]:
    params = []
    for name, status in sorted(pt.backends.available().items()):
        marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
        params.append(pytest.param(name, marks=marks, id=name))
    return params


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    """Each test runs once per backend; conftest.py restores the backend afterwards."""
    pt.set_backend(request.param)
    return str(request.param)


W0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
B0 = np.array([0.1, -0.2])
X = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])


def _model(lib: Any) -> Any:
    m = lib.nn.Linear(3, 2).double()
    with lib.no_grad():
        m.weight.copy_(lib.tensor(W0))
        m.bias.copy_(lib.tensor(B0))
    return m


def _train(lib: Any, make: Any) -> tuple[Any, Any, dict[str, Any]]:
    m = _model(lib)
    opt = make(lib, m)
    for _ in range(3):
        opt.zero_grad()
        (m(lib.tensor(X)) ** 2).sum().backward()
        opt.step()
    return m, opt, opt.state_dict()


def _plain(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return [_plain(u) for u in v]
    if isinstance(v, dict):
        return {k: _plain(u) for k, u in v.items()}
    if hasattr(v, "detach"):
        return np.asarray(v.detach().cpu().numpy() if hasattr(v, "cpu") else v.detach())
    return v


MAKERS = {
    "SGD momentum": lambda lib, m: lib.optim.SGD(m.named_parameters(), lr=0.1, momentum=0.9),
    "Adam": lambda lib, m: lib.optim.Adam(m.named_parameters(), lr=0.05),
    "groups": lambda lib, m: lib.optim.SGD(
        [
            {"params": [("weight", m.weight)], "lr": 0.1},
            {"params": [("bias", m.bias)], "lr": 0.01},
        ],
        lr=0.5,
    ),
}


@pytest.mark.parametrize("case", sorted(MAKERS))
def test_named_parameters_train_and_state_dict_as_torch(backend: str, case: str) -> None:
    m, opt, sd = _train(pt, MAKERS[case])
    tm, topt, tsd = _train(torch, MAKERS[case])
    np.testing.assert_allclose(np.asarray(m.weight.detach()), tm.weight.detach().numpy())
    np.testing.assert_allclose(np.asarray(m.bias.detach()), tm.bias.detach().numpy())
    named = ("params", "param_names")  # (where they stand among the group's keys)
    assert [[k for k in g if k in named] for g in opt.param_groups] == [
        [k for k in g if k in named] for g in topt.param_groups
    ]
    assert [g["param_names"] for g in opt.param_groups] == [
        g["param_names"] for g in topt.param_groups
    ]
    # the state dict: the same groups (names included, in torch's key order) and state
    keys = [
        [k for k in g if k in named or k in tg]
        for g, tg in zip(sd["param_groups"], tsd["param_groups"], strict=True)
    ]
    assert keys == [
        [k for k in tg if k in g]
        for g, tg in zip(sd["param_groups"], tsd["param_groups"], strict=True)
    ]
    for g, tg in zip(sd["param_groups"], tsd["param_groups"], strict=True):
        assert g["param_names"] == tg["param_names"]
        assert g["params"] == tg["params"]
    assert sorted(sd["state"]) == sorted(tsd["state"])
    for k in tsd["state"]:
        for name, tv in tsd["state"][k].items():
            np.testing.assert_allclose(_plain(sd["state"][k][name]), _plain(tv), rtol=1e-12)


def test_mixed_names_in_a_group_refused_as_torch(backend: str) -> None:
    m, tm = _model(pt), _model(torch)
    with pytest.raises(ValueError, match="with/without names") as e:
        pt.optim.SGD([("weight", m.weight), m.bias], lr=0.1)
    with pytest.raises(ValueError, match="with/without names"):
        torch.optim.SGD([("weight", tm.weight), tm.bias], lr=0.1)
    assert "named_parameters()" in str(e.value)  # (the message says how to fix it)


@pytest.mark.parametrize("first_named", [True, False])
def test_groups_with_and_without_names_refused_as_torch(backend: str, first_named: bool) -> None:
    def build(lib: Any) -> Any:
        m = _model(lib)
        first = m.named_parameters() if first_named else m.parameters()
        opt = lib.optim.SGD(first, lr=0.1)
        extra = lib.nn.Parameter(lib.ones(2, dtype=lib.float64))
        opt.add_param_group({"params": [extra] if first_named else [("extra", extra)]})

    which = "without names" if first_named else "with names"
    with pytest.raises(ValueError, match=f"cannot add param group {which}"):
        build(torch)
    with pytest.raises(ValueError, match=f"cannot add param group {which}"):
        build(pt)


def test_named_group_added_as_torch(backend: str) -> None:
    names = []
    for lib in (pt, torch):
        opt = lib.optim.SGD(_model(lib).named_parameters(), lr=0.1)
        opt.add_param_group({"params": [("extra", lib.nn.Parameter(lib.ones(2)))], "lr": 0.5})
        names.append([g["param_names"] for g in opt.param_groups])
    assert names[0] == names[1] == [["weight", "bias"], ["extra"]]


def test_a_pair_of_another_length_refused(backend: str) -> None:
    m = _model(pt)
    with pytest.raises(TypeError, match=r"\(name, tensor\) pair"):
        pt.optim.SGD([("weight", m.weight, 1), ("bias", m.bias, 2)], lr=0.1)


@pytest.mark.parametrize("saved_named", [True, False])
def test_load_state_dict_keeps_or_takes_names_as_torch(backend: str, saved_named: bool) -> None:
    groups = []
    for lib in (pt, torch):
        m = _model(lib)
        src = lib.optim.SGD(
            m.named_parameters() if saved_named else m.parameters(), lr=0.1, momentum=0.9
        )
        (m(lib.tensor(X)) ** 2).sum().backward()
        src.step()
        dst = lib.optim.SGD(
            m.parameters() if saved_named else m.named_parameters(), lr=0.1, momentum=0.9
        )
        dst.load_state_dict(src.state_dict())
        groups.append([("param_names" in g, g.get("param_names")) for g in dst.param_groups])
    assert groups[0] == groups[1]
    assert groups[0][0][1] == ["weight", "bias"]
