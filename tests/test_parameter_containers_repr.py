"""``nn.ParameterList`` and ``nn.ParameterDict`` print their parameters as PyTorch's do (they
printed empty): ``(key): Parameter containing: [dtype of size AxB]``, the dict with the
legacy type name, nested in a module with PyTorch's indentation."""

from __future__ import annotations

from typing import Any

import pytest

import polytensor as pt

WANT = """M(
  (pl): ParameterList(
      (0): Parameter containing: [{p}float32 of size 2]
      (1): Parameter containing: [{p}float64 of size 3x4]
      (2): Parameter containing: [{p}float32 of size 1]
  )
  (pd): ParameterDict(
      (a): Parameter containing: [torch.FloatTensor of size 2]
      (b): Parameter containing: [torch.DoubleTensor of size 2x2]
  )
  (lin): Linear(in_features=2, out_features=2, bias=True)
)"""


def _model(lib: Any) -> Any:
    nn = lib.nn

    class M(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.pl = nn.ParameterList(
                [
                    nn.Parameter(lib.zeros(2)),
                    nn.Parameter(lib.zeros(3, 4, dtype=lib.float64)),
                    nn.Parameter(lib.zeros(1), requires_grad=False),
                ]
            )
            self.pd = nn.ParameterDict(
                {"a": nn.Parameter(lib.zeros(2)), "b": lib.zeros(2, 2, dtype=lib.float64)}
            )
            self.lin = nn.Linear(2, 2)

    return M()


def test_parameter_containers_print_their_parameters() -> None:
    assert repr(_model(pt)) == WANT.format(p="polytensor.")
    assert repr(pt.nn.ParameterList()) == "ParameterList()"
    assert repr(pt.nn.ParameterDict()) == "ParameterDict()"


def test_parameter_containers_print_as_torchs() -> None:
    torch = pytest.importorskip("torch", reason="torch is the reference this test compares with")
    assert repr(_model(pt)).replace("polytensor.", "torch.") == repr(_model(torch))
