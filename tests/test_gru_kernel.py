"""The NumPy kernels of a GRU layer in one direction (``Writes.layers``'s ``gru_layer`` and
``gru_layer_backward``, which ``nn.GRU`` takes on NumPy) against torch's ``nn.GRU``: values and
gradients in float64 and float32, forwards and backwards in time, packed batches (each step on
the rows that have it), without ``b_hh``, with a gradient for the output or the final state
alone; and ``nn.GRU`` on NumPy against the op-by-op layer of the other backends."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn
from polytensor.nn.utils import rnn as R

torch = pytest.importorskip("torch")
TR = torch.nn.utils.rnn

H = 4
TOL = {"float64": {"rtol": 1e-12, "atol": 1e-13}, "float32": {"rtol": 1e-5, "atol": 1e-6}}


def _kernels() -> Any:
    layers = pt.ones(1)._backend.layers
    assert layers is not None, "the NumPy backend has layer kernels"
    return layers


def _torch_layer(
    xg: np.ndarray, h0: np.ndarray, w: np.ndarray, b: Any, reverse: bool, lengths: Any
) -> dict[str, Any]:
    """torch's GRU whose input weights are the identity (its input is ``xg`` itself), in the
    direction asked (the reverse half of a bidirectional GRU): the output (L, N, H), zeros
    after each sequence's end, the final state, and the tensors to differentiate."""
    dt = torch.float64 if xg.dtype == np.float64 else torch.float32
    g = torch.nn.GRU(3 * H, H, bias=b is not None, bidirectional=reverse, dtype=dt)
    sfx = "_l0_reverse" if reverse else "_l0"
    with torch.no_grad():
        for p in g.parameters():
            p.zero_()
        getattr(g, "weight_ih" + sfx).copy_(torch.eye(3 * H, dtype=dt))
        getattr(g, "weight_hh" + sfx).copy_(torch.tensor(w))
        if b is not None:
            getattr(g, "bias_hh" + sfx).copy_(torch.tensor(b))
    x = torch.tensor(xg, requires_grad=True)
    h = torch.tensor(h0, requires_grad=True)
    hs = torch.stack([torch.zeros_like(h), h]) if reverse else h[None]
    inp = x if lengths is None else TR.pack_padded_sequence(x, lengths)
    out, h_n = g(inp, hs)
    if lengths is not None:
        out = TR.pad_packed_sequence(out, total_length=xg.shape[0])[0]
    out = out[..., H:] if reverse else out
    return {
        "out": out,
        "h": h_n[-1],
        "x": x,
        "h0": h,
        "w": getattr(g, "weight_hh" + sfx),
        "b": getattr(g, "bias_hh" + sfx) if b is not None else None,
    }


CASES = [
    pytest.param(dt, rev, lengths, bias, which, id=f"{dt}-{rev}-{lengths}-{bias}-{which}")
    for dt in ("float64", "float32")
    for rev in (False, True)
    for lengths in (None, [5, 3, 3, 1])
    for bias in (True, False)
    for which in ("both", "out", "h")
]


@pytest.mark.parametrize(("dtype", "reverse", "lengths", "bias", "which"), CASES)
def test_gru_layer_kernels_match_torch(
    dtype: str, reverse: bool, lengths: Any, bias: bool, which: str
) -> None:
    rng = np.random.default_rng(3)
    steps, rows = 5, 4
    xg = rng.standard_normal((steps, rows, 3 * H)).astype(dtype)
    sizes = None
    if lengths is not None:  # (padded with zeros, as a packed batch's padded steps)
        for b, k in enumerate(lengths):
            xg[k:, b] = 0
        sizes = [sum(k > t for k in lengths) for t in range(steps)]
    h0 = rng.standard_normal((rows, H)).astype(dtype)
    w = (rng.standard_normal((3 * H, H)) / 2).astype(dtype)
    b = rng.standard_normal(3 * H).astype(dtype) if bias else None
    ref = _torch_layer(xg, h0, w, b, reverse, lengths)

    layers = _kernels()
    out, h, kept = layers.gru_layer(xg, h0, w, b, reverse, sizes, True)
    valid = np.ones((steps, rows, 1), bool)
    if lengths is not None:
        valid = (np.arange(steps)[:, None] < np.asarray(lengths)[None, :])[..., None]
    tol = TOL[dtype]
    np.testing.assert_allclose(np.where(valid, out, 0), ref["out"].detach().numpy(), **tol)
    np.testing.assert_allclose(h, ref["h"].detach().numpy(), **tol)

    g_out = (rng.standard_normal(out.shape) * valid).astype(dtype)
    g_h = rng.standard_normal(h.shape).astype(dtype)
    loss = 0
    if which != "h":
        loss = loss + (ref["out"] * torch.tensor(g_out)).sum()
    if which != "out":
        loss = loss + (ref["h"] * torch.tensor(g_h)).sum()
    loss.backward()
    got = layers.gru_layer_backward(
        g_out if which != "h" else None,
        g_h if which != "out" else None,
        h0,
        w,
        kept,
        (True, True, True, bias),
    )
    want = [ref["x"].grad, ref["h0"].grad, ref["w"].grad, ref["b"].grad if bias else None]
    for name, a, e in zip(("xg", "h0", "w_hh", "b_hh"), got, want, strict=True):
        if e is None:
            assert a is None, name
            continue
        assert a.dtype == xg.dtype, name
        np.testing.assert_allclose(a, e.numpy(), **tol, err_msg=name)


def test_the_kernels_leave_their_inputs_and_gradients_unchanged() -> None:
    rng = np.random.default_rng(4)
    xg, h0 = rng.standard_normal((3, 2, 3 * H)), rng.standard_normal((2, H))
    w, b = rng.standard_normal((3 * H, H)), rng.standard_normal(3 * H)
    g_out, g_h = rng.standard_normal((3, 2, H)), rng.standard_normal((2, H))
    before = [a.copy() for a in (xg, h0, w, b, g_out, g_h)]
    layers = _kernels()
    for sizes in (None, [2, 1, 1]):
        out, h, kept = layers.gru_layer(xg, h0, w, b, False, sizes, True)
        assert not np.shares_memory(out, h)
        layers.gru_layer_backward(g_out, g_h, h0, w, kept, (True, True, True, True))
        layers.gru_layer_backward(g_out, None, h0, w, kept, (True, True, True, True))
    for a, e in zip((xg, h0, w, b, g_out, g_h), before, strict=True):
        np.testing.assert_array_equal(a, e)
    _, _, none = layers.gru_layer(xg, h0, w, b, False, None, False)
    assert none is None


@pytest.mark.parametrize("other", ["array_api_strict", "dask"])
def test_nn_gru_on_numpy_gives_the_op_by_op_layers_values_and_gradients(other: str) -> None:
    """A packed batch through a two-layer bidirectional GRU: NumPy (the kernels) and another
    backend (the node's op-by-op formulas, each step on every row, masked) agree in float64."""
    if pt.backends.available().get(other) != "available":
        pytest.skip(f"{other} is not available")
    rng = np.random.default_rng(5)
    x0 = rng.standard_normal((5, 3, 3))
    h0 = rng.standard_normal((4, 3, H))
    results = []
    for backend in ("numpy", other):
        with pt.use_backend(backend):
            pt.manual_seed(0)
            m = nn.GRU(3, H, num_layers=2, bidirectional=True).double()
            x = pt.tensor(x0, requires_grad=True)
            h = pt.tensor(h0, requires_grad=True)
            out, h_n = m(R.pack_padded_sequence(x, [5, 2, 4], enforce_sorted=False), h)
            padded, _ = R.pad_packed_sequence(out)
            ((padded * padded).sum() + (h_n * 0.5).sum()).backward()
            arrays = [padded, h_n, x.grad, h.grad] + [p.grad for p in m.parameters()]
            results.append([np.asarray(a.detach().to("numpy").numpy()) for a in arrays])
    for a, e in zip(*results, strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-13)
