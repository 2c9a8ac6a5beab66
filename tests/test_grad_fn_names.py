"""``grad_fn`` reads as PyTorch's: the node names torch 2.13 gives the same operations
(written down here, so that no torch is needed), and ``print(y.grad_fn)`` in its form, as the
autograd tutorial prints them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

import polytensor as pt
import polytensor.nn.functional as F

x = pt.ones((2, 3), requires_grad=True, dtype=pt.float64)
w = pt.ones((3, 4), requires_grad=True, dtype=pt.float64)
v = pt.ones(3, requires_grad=True, dtype=pt.float64)

# (the call, torch's grad_fn.name() of it)
_TORCH: dict[str, tuple[Callable[[], Any], str]] = {
    "x + 1": (lambda: x + 1, "AddBackward0"),
    "x - 1": (lambda: x - 1, "SubBackward0"),
    "x * 2": (lambda: x * 2, "MulBackward0"),
    "x / 2": (lambda: x / 2, "DivBackward0"),
    "-x": (lambda: -x, "NegBackward0"),
    "x ** 2": (lambda: x**2, "PowBackward0"),
    "x.sqrt()": (lambda: x.sqrt(), "SqrtBackward0"),
    "x.exp()": (lambda: x.exp(), "ExpBackward0"),
    "x.mean()": (lambda: x.mean(), "MeanBackward0"),
    "x.mean(0)": (lambda: x.mean(0), "MeanBackward1"),
    "x.sum()": (lambda: x.sum(), "SumBackward0"),
    "x.sum(1)": (lambda: x.sum(1), "SumBackward1"),
    "x.max()": (lambda: x.max(), "MaxBackward1"),
    "x.mm(w)": (lambda: x.mm(w), "MmBackward0"),
    "x @ v": (lambda: x @ v, "MvBackward0"),
    "v @ v": (lambda: v @ v, "DotBackward0"),
    "torch.relu(x)": (lambda: pt.relu(x), "ReluBackward0"),
    "torch.sigmoid(x)": (lambda: pt.sigmoid(x), "SigmoidBackward0"),
    "torch.tanh(x)": (lambda: pt.tanh(x), "TanhBackward0"),
    "x.clamp(min=0)": (lambda: x.clamp(min=0), "ClampBackward1"),
    "F.log_softmax(x, 1)": (lambda: F.log_softmax(x, 1), "LogSoftmaxBackward0"),
    "F.cross_entropy": (lambda: F.cross_entropy(x, pt.asarray([0, 1])), "NllLossBackward0"),
    "x.view(6)": (lambda: x.view(6), "ViewBackward0"),
    "x.unsqueeze(0)": (lambda: x.unsqueeze(0), "UnsqueezeBackward0"),
    "v.expand(2, 3)": (lambda: v.expand(2, 3), "ExpandBackward0"),
    "torch.cat": (lambda: pt.cat([x, x]), "CatBackward0"),
    "torch.stack": (lambda: pt.stack([x, x]), "StackBackward0"),
    "x.to(float32)": (lambda: x.to(pt.float32), "ToCopyBackward0"),
    "x.clone()": (lambda: x.clone(), "CloneBackward0"),
    "x.norm()": (lambda: x.norm(), "LinalgVectorNormBackward0"),
}


@pytest.mark.parametrize("call", list(_TORCH))
def test_node_names_are_torchs(call: str) -> None:
    f, name = _TORCH[call]
    y = f()
    assert y.grad_fn.name() == name
    assert f"grad_fn=<{name}>" in repr(y)


def test_print_of_grad_fn_as_the_autograd_tutorial_shows_it() -> None:
    a = pt.ones((2, 2), requires_grad=True)
    y = a + 2
    assert a.grad_fn is None
    assert re.fullmatch(r"<AddBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn))
    z = y * y * 3
    out = z.mean()
    assert repr(out).endswith("grad_fn=<MeanBackward0>)") and "grad_fn=<MulBackward0>" in repr(z)
    (node, index), _ = (x * x).grad_fn.next_functions
    assert re.fullmatch(r"<AccumulateGrad object at 0x[0-9a-f]+>", repr(node)) and index == 0
