"""PyTorch's functions that take one dtype refuse operands of two: the convolutions
(``F.conv1d/2d/3d``, ``F.conv_transpose1d/2d/3d``) and ``einsum`` raise ``MixedDtypeError`` (a
``RuntimeError``, as PyTorch's "expected scalar type Float but found Double", and a
``TypeError``) where the standard's matmul they are made of would promote; PyTorch's
``conv_transpose1d/2d`` take a floating bias of another dtype in the input's. So do the
recurrent layers and cells with parameters or an initial state of another dtype (PyTorch's
``RNN`` and ``GRU`` take a floating ``bias_ih`` of another dtype in the weights'). On every
available backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402

import polytensor.nn.functional as PF  # noqa: E402

TF = torch.nn.functional


def _t(lib: Any, *shape: int, d: str = "float32") -> Any:
    g = np.random.default_rng(sum(shape)).standard_normal(shape)
    return lib.tensor(g, dtype=getattr(lib, d))


# (lib, F) -> result; each has operands of two dtypes
MIXED: dict[str, Callable[[Any, Any], Any]] = {
    "conv1d weight": lambda m, F: F.conv1d(_t(m, 1, 2, 5), _t(m, 3, 2, 2, d="float64")),
    "conv1d bias": lambda m, F: F.conv1d(_t(m, 1, 2, 5), _t(m, 3, 2, 2), _t(m, 3, d="float64")),
    "conv2d weight": lambda m, F: F.conv2d(_t(m, 1, 2, 5, 5), _t(m, 3, 2, 2, 2, d="float64")),
    "conv2d input": lambda m, F: F.conv2d(_t(m, 1, 2, 5, 5, d="float64"), _t(m, 3, 2, 2, 2)),
    "conv2d bias": lambda m, F: F.conv2d(
        _t(m, 1, 2, 5, 5), _t(m, 3, 2, 2, 2), _t(m, 3, d="float64")
    ),
    "conv2d int weight": lambda m, F: F.conv2d(
        _t(m, 1, 2, 5, 5), m.ones((3, 2, 2, 2), dtype=m.int64)
    ),
    "conv3d weight": lambda m, F: F.conv3d(_t(m, 1, 2, 4, 4, 4), _t(m, 3, 2, 2, 2, 2, d="float64")),
    "conv3d bias": lambda m, F: F.conv3d(
        _t(m, 1, 2, 4, 4, 4), _t(m, 3, 2, 2, 2, 2), _t(m, 3, d="float64")
    ),
    "conv_transpose1d weight": lambda m, F: F.conv_transpose1d(
        _t(m, 1, 2, 5), _t(m, 2, 3, 2, d="float64")
    ),
    "conv_transpose2d weight": lambda m, F: F.conv_transpose2d(
        _t(m, 1, 2, 5, 5), _t(m, 2, 3, 2, 2, d="float64")
    ),
    "conv_transpose3d weight": lambda m, F: F.conv_transpose3d(
        _t(m, 1, 2, 3, 3, 3), _t(m, 2, 3, 2, 2, 2, d="float64")
    ),
    "conv_transpose3d bias": lambda m, F: F.conv_transpose3d(
        _t(m, 1, 2, 3, 3, 3), _t(m, 2, 3, 2, 2, 2), _t(m, 3, d="float64")
    ),
    "einsum": lambda m, F: m.einsum("ij,jk->ik", _t(m, 2, 3), _t(m, 3, 4, d="float64")),
    "einsum of three": lambda m, F: m.einsum(
        "ij,jk,k->i", _t(m, 2, 3), _t(m, 3, 4), _t(m, 4, d="float64")
    ),
    "einsum of a list": lambda m, F: m.einsum("ij,jk->ik", [_t(m, 2, 3), _t(m, 3, 4, d="float64")]),
    "einsum float and int": lambda m, F: m.einsum(
        "ij,jk->ik", _t(m, 2, 3), m.ones((3, 4), dtype=m.int64)
    ),
}


@pytest.mark.parametrize("case", list(MIXED), ids=list(MIXED))
def test_mixed_dtypes_are_refused_as_torch(backend: str, case: str) -> None:
    fn = MIXED[case]
    with pytest.raises(RuntimeError, match=r"expected scalar type|should be the same"):
        fn(torch, TF)
    with pytest.raises(RuntimeError, match="of one dtype") as got:
        fn(pt, PF)
    assert isinstance(got.value, TypeError) and type(got.value).__name__ == "MixedDtypeError"


@pytest.mark.parametrize("name", ["conv_transpose1d", "conv_transpose2d"])
def test_conv_transpose_takes_a_bias_of_another_dtype_in_the_inputs(
    backend: str, name: str
) -> None:
    shapes = ((1, 2, 5), (2, 3, 2)) if name.endswith("1d") else ((1, 2, 4, 4), (2, 3, 2, 2))
    out = []
    for m, F in ((torch, TF), (pt, PF)):
        out.append(getattr(F, name)(_t(m, *shapes[0]), _t(m, *shapes[1]), _t(m, 3, d="float64")))
    want, got = out
    assert got.dtype == pt.float32 and want.dtype == torch.float32
    np.testing.assert_allclose(host(got), want.numpy(), rtol=1e-5, atol=1e-6)


def test_one_dtype_still_computes(backend: str) -> None:
    for d in ("float32", "float64"):
        want = TF.conv2d(_t(torch, 1, 2, 5, 5, d=d), _t(torch, 3, 2, 2, 2, d=d), _t(torch, 3, d=d))
        got = PF.conv2d(_t(pt, 1, 2, 5, 5, d=d), _t(pt, 3, 2, 2, 2, d=d), _t(pt, 3, d=d))
        assert got.dtype.name == d
        np.testing.assert_allclose(host(got), want.numpy(), rtol=1e-5, atol=1e-6)
        e = pt.einsum("ij,jk->ik", _t(pt, 2, 3, d=d), _t(pt, 3, 4, d=d))
        assert e.dtype.name == d


def _recurrent(m: Any, cls: str, change: str) -> Any:
    """``cls`` (a sequence layer or a cell) of float32 with one tensor changed to float64, run
    on float32 ones."""
    m.manual_seed(0)
    cell = cls.endswith("Cell")
    layer = getattr(m.nn, cls)(3, 4) if cell else getattr(m.nn, cls)(3, 4, batch_first=True)
    x = m.ones((2, 3) if cell else (2, 5, 3))
    suffix = "" if cell else "_l0"
    hx = None
    if change == "state":
        h = m.zeros((2, 4) if cell else (1, 2, 4), dtype=m.float64)
        hx = (h, h.float()) if cls.startswith("LSTM") else h
    else:
        p = getattr(layer, f"{change}{suffix}")
        p.data = p.data.double()
    return layer(x) if hx is None else layer(x, hx)


RECURRENT = [
    (cls, change)
    for cls in ("RNN", "GRU", "LSTM", "RNNCell", "GRUCell", "LSTMCell")
    for change in ("weight_hh", "weight_ih", "bias_ih", "bias_hh", "state")
]


@pytest.mark.parametrize(("cls", "change"), RECURRENT, ids=[f"{c}-{k}" for c, k in RECURRENT])
def test_recurrent_layers_with_two_dtypes_do_as_torch(backend: str, cls: str, change: str) -> None:
    try:
        want = _recurrent(torch, cls, change)
    except ValueError:  # (the layers' input of another dtype than weight_ih_l0)
        with pytest.raises(ValueError, match="does not match weight dtype"):
            _recurrent(pt, cls, change)
        return
    except RuntimeError:
        with pytest.raises(RuntimeError) as got:
            _recurrent(pt, cls, change)
        assert isinstance(got.value, TypeError) and type(got.value).__name__ == "MixedDtypeError"
        return
    # (torch's RNN and GRU compute a float64 bias_ih in the weights' float32)
    assert (cls, change) in {("RNN", "bias_ih"), ("GRU", "bias_ih")}
    got = _recurrent(pt, cls, change)
    assert got[0].dtype == pt.float32 and want[0].dtype == torch.float32
    assert tuple(got[0].shape) == tuple(want[0].shape)


@pytest.mark.parametrize("cls", ["RNN", "GRU"])
def test_rnn_and_gru_compute_a_float64_bias_ih_in_the_weights_dtype_as_torch(
    backend: str, cls: str
) -> None:
    t = getattr(torch.nn, cls)(3, 4, batch_first=True)
    p = getattr(pt.nn, cls)(3, 4, batch_first=True)
    for name, tp in t.named_parameters():
        v = tp.detach().numpy()
        if name == "bias_ih_l0":
            tp.data = tp.data.double()
        getattr(p, name).data = pt.asarray(v.astype(np.float64) if name == "bias_ih_l0" else v)
    x = np.random.default_rng(1).standard_normal((2, 5, 3)).astype(np.float32)
    want, got = t(torch.tensor(x))[0], p(pt.asarray(x))[0]
    assert got.dtype == pt.float32 and want.dtype == torch.float32
    np.testing.assert_allclose(host(got), want.detach().numpy(), rtol=1e-5, atol=1e-6)
