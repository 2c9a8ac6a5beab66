"""PyTorch's ``nn.ModuleDict``, ``nn.ParameterList`` and ``nn.ParameterDict``: what they hold
is registered (``parameters()``, ``named_parameters()``, ``state_dict()`` and the optimizers see
it), as dicts and lists do, and bad values are refused."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "reg": nn.Linear(4, 1)})
        self.scales = nn.ParameterList([pt.ones(3), nn.Parameter(pt.full((1,), 2.0))])
        self.extra = nn.ParameterDict({"bias": pt.zeros(3)})

    def forward(self, x: pt.Tensor) -> pt.Tensor:
        a = self.heads["cls"](x) * self.scales[0] + self.extra["bias"]
        return a.sum() + (self.heads["reg"](x) * self.scales[1]).sum()


def test_what_the_containers_hold_is_registered_trained_and_saved() -> None:
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "heads.cls.weight",
        "heads.cls.bias",
        "heads.reg.weight",
        "heads.reg.bias",
        "scales.0",
        "scales.1",
        "extra.bias",
    ]
    net(pt.ones((2, 4))).backward()
    np.testing.assert_array_equal(net.extra["bias"].grad.numpy(), [2.0, 2.0, 2.0])
    before = net.scales[0].detach().numpy().copy()
    pt.optim.SGD(net.parameters(), lr=0.1).step()
    assert not np.array_equal(net.scales[0].detach().numpy(), before)
    other = Net()
    other.load_state_dict(net.state_dict())
    for (n, p), (_, q) in zip(net.named_parameters(), other.named_parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=n)


def test_module_dict_is_a_dict() -> None:
    d = nn.ModuleDict()
    d["a"] = nn.ReLU()
    d.update([("b", nn.Tanh())])
    d.update({"c": nn.Sigmoid()})
    assert list(d) == ["a", "b", "c"] and list(d.keys()) == ["a", "b", "c"] and len(d) == 3
    assert "b" in d and "z" not in d
    assert [type(m).__name__ for m in d.values()] == ["ReLU", "Tanh", "Sigmoid"]
    assert type(d.pop("b")).__name__ == "Tanh" and list(d) == ["a", "c"]
    del d["a"]
    assert list(d) == ["c"]
    d.clear()
    assert len(d) == 0
    with pytest.raises(KeyError):
        d["missing"]
    with pytest.raises(TypeError, match="not a Module"):
        d["x"] = pt.ones(2)  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"ModuleDict.update\(\) expects a mapping"):
        d.update([nn.ReLU()])


def test_parameter_list_and_dict_wrap_tensors_as_parameters() -> None:
    ps = nn.ParameterList()
    ps.append(pt.ones(2)).extend([pt.zeros(1)])
    assert len(ps) == 2 and all(isinstance(p, nn.Parameter) for p in ps)
    assert ps[0].requires_grad and ps[-1].shape == (1,)
    assert len(ps[:1]) == 1
    ps[1] = pt.full((3,), 5.0)
    assert ps[1].shape == (3,)
    pd = nn.ParameterDict()
    pd["w"] = pt.ones(2)
    assert isinstance(pd["w"], nn.Parameter) and "w" in pd and next(iter(pd.items()))[0] == "w"
    with pytest.raises(TypeError, match="expected a Parameter or a Tensor"):
        ps.append([1.0, 2.0])
    with pytest.raises(TypeError, match="expected a Parameter or a Tensor"):
        pd["v"] = 3.0
