"""NumPy's kernels of a GRU layer in one direction (``Writes.layers``'s ``gru_layer`` and
``gru_layer_backward``; ``nn.rnn._GRULayer`` makes the layer one graph node).

The node's forward and backward written with the table's ops cost ~25 dispatched calls a time
step each way, whose Python outweighs their arithmetic at the sizes of the tutorials (a decoder
step of the chatbot tutorial: 3 sequences of 8 features). These run the same formulas on the
arrays, in the same order of operations, so the values are the node's: PyTorch's equations,
each sigmoid as ``tanh(x / 2) / 2 + 1 / 2``, ``(1 - z) n + z h`` as ``n + z (h - n)``, the
input's share of the gates ``x @ W_ih.T + b_ih`` for the whole sequence in one product, and
its gradients as ``nn.functional.linear``'s. Each step writes into arrays made once for the
whole sequence (the gates, ``W_hn h + b_hn``, the candidate state, the output) instead of
making a new array an operation.

A packed batch (``sizes``: per time step, how many of the leading rows have that step, the
sequences being sorted longest first) runs each step on those rows alone, as PyTorch's kernel
does: the other rows keep their state, and their gradient passes the step unchanged.

Examples
--------
>>> import numpy as np
>>> from polytensor.backends import _recurrent
>>> x, w = np.zeros((2, 1)), np.zeros((3, 1))  # (L * N, H_in) and (3H, H_in); N = H = 1
>>> out, h, kept = _recurrent.gru_layer(x, w, None, np.ones((1, 1)), w, None)
>>> out.ravel().tolist(), h.ravel().tolist()  # (z = 1/2, n = 0: h halves a step)
([0.5, 0.25], [0.25])
"""

from __future__ import annotations

from typing import Any

__all__ = ["gru_layer", "gru_layer_backward"]


def gru_layer(
    x: Any,
    w_ih: Any,
    b_ih: Any,
    h0: Any,
    w_hh: Any,
    b_hh: Any,
    reverse: bool = False,
    sizes: list[int] | None = None,
    keep: bool = True,
) -> tuple[Any, Any, Any]:
    """A GRU layer in one direction over the input ``x`` (L * N, H_in) (the steps one after
    the other) from the state ``h0`` (N, H), with the weights ``w_ih`` (3H, H_in) and ``w_hh``
    (3H, H) and the biases ``b_ih`` and ``b_hh`` (3H,) (either may be None), backwards in time
    if ``reverse``; ``sizes`` as the module says (None: every row has every step). Returns
    the output (L, N, H) (a row without a step repeats its state), the final state (N, H),
    and what ``gru_layer_backward`` takes (None unless ``keep``); new arrays."""
    import numpy as np

    # the input's share of the gates for every step in one product, as nn.functional.linear
    # computes it: x @ w_ih.T + b_ih
    xg = np.matmul(x, w_ih.T)
    if b_ih is not None:
        xg += b_ih
    rows = h0.shape[0]
    xg = xg.reshape(x.shape[0] // rows, rows, xg.shape[1])
    steps, rows, three = xg.shape
    n = three // 3
    dt = xg.dtype
    w_t = np.ascontiguousarray(w_hh.T)
    out = np.empty((steps, rows, n), dt)
    # per step: r and z side by side, h W_hh^T + b_hh (its last H columns are W_hn h + b_hn),
    # the candidate state n (rows without the step stay unwritten, and unread)
    rzs = np.empty((steps, rows, 2 * n), dt)
    hgs = np.empty((steps, rows, three), dt)
    news = np.empty((steps, rows, n), dt)
    h = h0
    for t in range(steps - 1, -1, -1) if reverse else range(steps):
        k = rows if sizes is None else sizes[t]
        hk = h if k == rows else h[:k]
        hg = np.matmul(hk, w_t, out=hgs[t, :k])
        if b_hh is not None:
            hg += b_hh
        x = xg[t, :k]
        rz = np.add(x[:, : 2 * n], hg[:, : 2 * n], out=rzs[t, :k])
        rz *= 0.5
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5
        new = np.multiply(rz[:, :n], hg[:, 2 * n :], out=news[t, :k])
        new += x[:, 2 * n :]
        np.tanh(new, out=new)
        o = out[t]
        h2 = np.subtract(hk, new, out=o[:k])
        h2 *= rz[:, n:]
        h2 += new
        if k < rows:  # (rows without the step keep their state)
            o[k:] = h[k:]
        h = o
    if not keep:
        return out, h.copy(), None
    # the state each step started from, in time order (a copy: the output is the caller's)
    first = h0[None]
    h_prev = np.concatenate((out[1:], first) if reverse else (first, out[:-1]))
    return out, h.copy(), (rzs, hgs, news, h_prev, sizes, reverse)


def gru_layer_backward(
    g_out: Any,
    g_h: Any,
    x: Any,
    w_ih: Any,
    h0: Any,
    w_hh: Any,
    kept: Any,
    needs: tuple[bool, ...],
) -> tuple[Any, ...]:
    """The gradients of ``gru_layer`` for the output's gradient ``g_out`` (L, N, H) and the
    final state's ``g_h`` (N, H) (either None: zeros), from its ``x``, ``w_ih``, ``h0``,
    ``w_hh`` and ``kept``: those of ``x``, ``w_ih``, ``b_ih``, ``h0``, ``w_hh`` and ``b_hh``,
    each None unless ``needs`` (six flags) asks for it; new arrays."""
    import numpy as np

    rzs, hgs, news, h_prev, sizes, reverse = kept
    steps, rows, n = news.shape
    dt = news.dtype
    # the gradients of the gates' pre-activations (L, N, 3H): of r and z, then of W_hn h + b_hn
    # (d_n r); and d_n, the n gate's input share's. Rows without a step stay zeros.
    dhg = np.zeros((steps, rows, 3 * n), dt)
    dns = np.zeros((steps, rows, n), dt)
    gh = g_h
    for t in range(steps) if reverse else range(steps - 1, -1, -1):
        if g_out is not None:
            gh = g_out[t] if gh is None else g_out[t] + gh
        if gh is None:  # (no gradient reached the layer's outputs)
            gh = np.zeros((rows, n), dt)
        k = rows if sizes is None else sizes[t]
        gk = gh if k == rows else gh[:k]
        rz, new = rzs[t, :k], news[t, :k]
        z = rz[:, n:]
        d_n = np.subtract(1, z, out=dns[t, :k])
        nn = np.multiply(new, new)
        np.subtract(1, nn, out=nn)
        d_n *= nn
        d_n *= gk
        d = dhg[t, :k]
        np.multiply(d_n, hgs[t, :k, 2 * n :], out=d[:, :n])
        dz = np.subtract(h_prev[t, :k], new, out=d[:, n : 2 * n])
        dz *= gk
        s = np.subtract(1, rz)
        s *= rz
        d[:, : 2 * n] *= s
        np.multiply(d_n, rz[:, :n], out=d[:, 2 * n :])
        nxt = np.matmul(d, w_hh)
        nxt += gk * z
        if k < rows:  # (the other rows' gradient passes the step)
            nxt = np.concatenate((nxt, gh[k:]))
        gh = nxt
    need_x, need_w_ih, need_b_ih, need_h, need_w, need_b = needs
    d_w = d_b = None
    if need_w:  # (one product for the whole sequence)
        d_w = np.matmul(dhg.reshape(steps * rows, 3 * n).T, h_prev.reshape(steps * rows, n))
    if need_b:
        d_b = np.add.reduce(dhg, axis=(0, 1))
    # the gradient of the gates' input shares (xg's n gate gets d_n, not d_n r), (L * N, 3H):
    # the input's, W_ih's and b_ih's as nn.functional.linear's are taken
    d_xg = dhg
    d_xg[..., 2 * n :] = dns
    d_xg = d_xg.reshape(steps * rows, 3 * n)
    return (
        np.matmul(d_xg, w_ih) if need_x else None,
        np.matmul(d_xg.T, x) if need_w_ih else None,
        np.add.reduce(d_xg, axis=(0,)) if need_b_ih else None,
        gh if need_h else None,
        d_w,
        d_b,
    )
