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
    x: np.ndarray, h0: np.ndarray, ws: list[Any], reverse: bool, lengths: Any
) -> dict[str, Any]:
    """torch's GRU with the weights ``ws`` (w_ih, b_ih, w_hh, b_hh; the biases may be None)
    in the direction asked (the reverse half of a bidirectional GRU): the output (L, N, H),
    zeros after each sequence's end, the final state, and the tensors to differentiate."""
    dt = torch.float64 if x.dtype == np.float64 else torch.float32
    g = torch.nn.GRU(x.shape[-1], H, bias=ws[1] is not None, bidirectional=reverse, dtype=dt)
    sfx = "_l0_reverse" if reverse else "_l0"
    names = ["weight_ih", "bias_ih", "weight_hh", "bias_hh"]
    with torch.no_grad():
        for name, w in zip(names, ws, strict=True):
            if w is not None:
                getattr(g, name + sfx).copy_(torch.tensor(w))
    xt = torch.tensor(x, requires_grad=True)
    h = torch.tensor(h0, requires_grad=True)
    hs = torch.stack([torch.zeros_like(h), h]) if reverse else h[None]
    inp = xt if lengths is None else TR.pack_padded_sequence(xt, lengths)
    out, h_n = g(inp, hs)
    if lengths is not None:
        out = TR.pad_packed_sequence(out, total_length=x.shape[0])[0]
    out = out[..., H:] if reverse else out
    params = [
        None if w is None else getattr(g, name + sfx) for name, w in zip(names, ws, strict=True)
    ]
    return {"out": out, "h": h_n[-1], "x": xt, "h0": h, "params": params}


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
    steps, rows, n_in = 5, 4, 3
    x = rng.standard_normal((steps, rows, n_in)).astype(dtype)
    sizes = None
    if lengths is not None:  # (padded with zeros, as a packed batch's padded steps)
        for b, k in enumerate(lengths):
            x[k:, b] = 0
        sizes = [sum(k > t for k in lengths) for t in range(steps)]
    h0 = rng.standard_normal((rows, H)).astype(dtype)
    w_ih, w_hh = (rng.standard_normal((3 * H, k)) / 2 for k in (n_in, H))
    b_ih, b_hh = (rng.standard_normal(3 * H) if bias else None for _ in range(2))
    ws = [None if w is None else w.astype(dtype) for w in (w_ih, b_ih, w_hh, b_hh)]
    ref = _torch_layer(x, h0, ws, reverse, lengths)

    layers = _kernels()
    flat = x.reshape(steps * rows, n_in)
    out, h, kept = layers.gru_layer(flat, ws[0], ws[1], h0, ws[2], ws[3], reverse, sizes, True)
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
        flat,
        ws[0],
        h0,
        ws[2],
        kept,
        (True, True, bias, True, True, bias),
    )
    w_ih_t, b_ih_t, w_hh_t, b_hh_t = (None if p is None else p.grad for p in ref["params"])
    want = [ref["x"].grad.reshape(flat.shape), w_ih_t, b_ih_t, ref["h0"].grad, w_hh_t, b_hh_t]
    names = ("x", "w_ih", "b_ih", "h0", "w_hh", "b_hh")
    for name, a, e in zip(names, got, want, strict=True):
        if e is None:
            assert a is None, name
            continue
        assert a.dtype == x.dtype, name
        np.testing.assert_allclose(a, e.numpy(), **tol, err_msg=name)


def test_the_kernels_leave_their_inputs_and_gradients_unchanged() -> None:
    rng = np.random.default_rng(4)
    x, h0 = rng.standard_normal((6, 2)), rng.standard_normal((2, H))
    w_ih, b_ih = rng.standard_normal((3 * H, 2)), rng.standard_normal(3 * H)
    w, b = rng.standard_normal((3 * H, H)), rng.standard_normal(3 * H)
    g_out, g_h = rng.standard_normal((3, 2, H)), rng.standard_normal((2, H))
    arrays = (x, h0, w_ih, b_ih, w, b, g_out, g_h)
    before = [a.copy() for a in arrays]
    layers = _kernels()
    for sizes in (None, [2, 1, 1]):
        out, h, kept = layers.gru_layer(x, w_ih, b_ih, h0, w, b, False, sizes, True)
        assert not np.shares_memory(out, h)
        for gh in (g_h, None):
            layers.gru_layer_backward(g_out, gh, x, w_ih, h0, w, kept, (True,) * 6)
    for a, e in zip(arrays, before, strict=True):
        np.testing.assert_array_equal(a, e)
    _, _, none = layers.gru_layer(x, w_ih, b_ih, h0, w, b, False, None, False)
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
