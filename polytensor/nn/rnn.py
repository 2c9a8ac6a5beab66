"""Recurrent layers, as in ``torch.nn``: ``RNN``, ``LSTM``, ``GRU`` and their one-step cells
``RNNCell``, ``LSTMCell``, ``GRUCell``.

PyTorch's equations, parameter names, shapes, gate order (LSTM: i, f, g, o; GRU: r, z, n)
and initialisation U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), so a ``state_dict`` moves
between the two libraries and gives the same numbers. Everything is written with polytensor
ops, so it differentiates (to any order) on every backend. A layer multiplies the whole input
sequence by ``W_ih`` in one product up front; each time step then costs one ``h @ W_hh.T``
and the gates.

Examples
--------
>>> import polytensor as pt
>>> from polytensor import nn
>>> lstm = nn.LSTM(10, 20, num_layers=2)
>>> output, (h_n, c_n) = lstm(pt.ones((5, 3, 10)))
>>> output.shape, h_n.shape, c_n.shape
((5, 3, 20), (2, 3, 20), (2, 3, 20))
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any, cast

from .. import _dtypes as _dt
from .._ops.creation import empty, full_like, zeros, zeros_like
from .._ops.data_types import astype
from .._ops.elementwise import relu, tanh
from .._ops.indexing import take
from .._ops.linear_algebra import _matmul_nt, matmul
from .._ops.manipulation import concat, expand_dims, permute_dims, reshape, squeeze, stack, unstack
from .._ops.searching import where
from .._ops.special import expit
from .._ops.statistical import sum as _sum
from .._tape import tensor_of
from .._tensor import Tensor
from ..autograd import Function, grad, is_grad_enabled
from . import functional as F
from . import init
from ._layer_kernels import takes_layer_kernels
from .module import Module
from .parameter import Parameter
from .utils import rnn as rnn_utils
from .utils.rnn import PackedSequence

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]

# packed sequences: per time step, None (every row has the step) or a boolean (N, 1), false
# for the rows whose sequence has no such step
Masks = list[Any] | None

# gates of each mode: rows of W_ih / W_hh are hidden_size times this
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# -- one time step --------------------------------------------------------------------------------
# ``xg`` is the input's share of the gates, x @ W_ih.T + b_ih (computed for the whole sequence
# up front), shape (N, gates * H); ``b_hh`` is None where it was folded into ``xg``.
def _rnn_step(
    act: Callable[[Tensor], Tensor], xg: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None
) -> Tensor:
    pre = xg + _matmul_nt(h, w_hh)
    return act(pre if b_hh is None else pre + b_hh)


def _lstm_step(
    xg: Tensor, h: Tensor, c: Tensor, w_hh: Tensor, b_hh: Tensor | None
) -> tuple[Tensor, Tensor]:
    gates = xg + _matmul_nt(h, w_hh)
    if b_hh is not None:
        gates = gates + b_hh
    n, four_h = gates.shape
    i, f, g, o = unstack(reshape(gates, (n, 4, four_h // 4)), axis=1)  # type: ignore[operator]
    c = expit(f) * c + expit(i) * tanh(g)
    return expit(o) * tanh(c), c


def _gru_step(xg: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    hg = _matmul_nt(h, w_hh)
    if b_hh is not None:
        hg = hg + b_hh  # (b_hn stays inside r * (W_hn h + b_hn), so it cannot be folded)
    n, three_h = hg.shape
    shape = (n, 3, three_h // 3)  # type: ignore[operator]
    x_r, x_z, x_n = unstack(reshape(xg, shape), axis=1)
    h_r, h_z, h_n = unstack(reshape(hg, shape), axis=1)
    r = expit(x_r + h_r)
    z = expit(x_z + h_z)
    new = tanh(x_n + r * h_n)
    return new + z * (h - new)  # (1 - z) * n + z * h, as PyTorch computes it


# -- a whole layer (one direction) as one graph node ---------------------------------------------
# A step as a node still cost ~30 element-wise calls a step and a weight-gradient product a step.
# The sequence layers take a layer in one direction as one node instead, as cuDNN does: its forward
# loops over the steps unrecorded and keeps each step's gates and states; its backward loops back
# over the steps for the gates' gradients and the recurrent gradient (~15 calls a step on (N, H) and
# (N, G * H) arrays: per step, not over the stacked sequence, whose arrays outgrow the cache: one
# product of two (35, 32, 512) float32 arrays takes ~180 us, 35 of (32, 512) ~70 us), then takes
# W_hh's gradient as one product of the stacked gate gradients with the stacked previous states, and
# returns those gate gradients stacked as the gradient of ``xg`` (which F.linear carries back
# through W_ih; the LSTM's node takes the input's product with W_ih in too, as it halves W_ih's rows
# of i, f and o, and takes W_ih's and the input's gradients in one product each). Under create_graph
# the backward differentiates the op-by-op steps instead, recorded.


def _order(steps: int, reverse: bool) -> range:
    return range(steps - 1, -1, -1) if reverse else range(steps)


def _plus(a: Any, b: Any) -> Any:
    """``a + b`` where either may be None (an undefined gradient)."""
    return b if a is None else a if b is None else a + b


def _lstm_layer(
    x: Tensor,
    w_ih: Tensor,
    b: Tensor | None,
    h: Tensor,
    c: Tensor,
    w_hh: Tensor,
    reverse: bool = False,
    masks: Masks = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """``_LSTMLayer``'s results, op by op (what its backward differentiates under create_graph)."""
    rows = cast(int, h.shape[0])
    xg = F.linear(x, w_ih, b)
    xgs = _steps(reshape(xg, (cast(int, x.shape[0]) // rows, rows, cast(int, w_ih.shape[0]))))
    outs: list[Any] = [None] * len(xgs)
    for t in _order(len(xgs), reverse):
        h2, c2 = _lstm_step(xgs[t], h, c, w_hh, None)
        m = None if masks is None else masks[t]
        h, c = (h2, c2) if m is None else (where(m, h2, h), where(m, c2, c))
        outs[t] = h
    return stack(outs, axis=0), h, c


def _lstm_projected_layer(
    x: Tensor,
    w_ih: Tensor,
    b: Tensor | None,
    h: Tensor,
    c: Tensor,
    w_hh: Tensor,
    w_hr: Tensor,
    reverse: bool = False,
    masks: Masks = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """An LSTM layer with projections (``proj_size > 0``), op by op: each step's state is
    ``h = (o * tanh(c)) @ W_hr.T`` (proj_size features), as PyTorch's; ``c`` keeps
    hidden_size features."""
    rows = cast(int, h.shape[0])
    xg = F.linear(x, w_ih, b)
    xgs = _steps(reshape(xg, (cast(int, x.shape[0]) // rows, rows, cast(int, w_ih.shape[0]))))
    outs: list[Any] = [None] * len(xgs)
    for t in _order(len(xgs), reverse):
        h2, c2 = _lstm_step(xgs[t], h, c, w_hh, None)
        h2 = _matmul_nt(h2, w_hr)
        m = None if masks is None else masks[t]
        h, c = (h2, c2) if m is None else (where(m, h2, h), where(m, c2, c))
        outs[t] = h
    return stack(outs, axis=0), h, c


def _gru_layer(
    x: Tensor,
    w_ih: Tensor,
    b_ih: Tensor | None,
    h: Tensor,
    w_hh: Tensor,
    b_hh: Tensor | None,
    reverse: bool = False,
    masks: Masks = None,
) -> tuple[Tensor, Tensor]:
    """``_GRULayer``'s results, op by op (what its backward differentiates under create_graph)."""
    rows = cast(int, h.shape[0])
    xg = F.linear(x, w_ih, b_ih)
    xgs = _steps(reshape(xg, (cast(int, x.shape[0]) // rows, rows, cast(int, w_ih.shape[0]))))
    outs: list[Any] = [None] * len(xgs)
    for t in _order(len(xgs), reverse):
        h2 = _gru_step(xgs[t], h, w_hh, b_hh)
        m = None if masks is None else masks[t]
        h = outs[t] = h2 if m is None else where(m, h2, h)
    return stack(outs, axis=0), h


class _LSTMLayer(Function):
    """``_lstm_layer(x, w_ih, b, h, c, w_hh, reverse, masks)`` as one node: the output (L, N,
    H) and the final ``(h, c)``, from the input ``x`` (L * N, H_in), ``b`` both biases added
    (or None). ``keep`` (grad mode on at the call) keeps what backward needs. ``masks``
    (packed sequences): per step, None (every row has the step) or a boolean (N, 1), false
    for the rows whose sequence has no such step: their states pass it unchanged."""

    # b's value is not read by the first-order backward (b_ih + b_hh, made for this node)
    _unread_inputs = (2,)

    @staticmethod
    def forward(
        ctx: Any,
        x: Tensor,
        w_ih: Tensor,
        b: Tensor | None,
        h: Tensor,
        c: Tensor,
        w_hh: Tensor,
        *,
        reverse: bool = False,
        keep: bool = True,
        masks: Masks = None,
    ) -> Any:
        rows, n = cast("tuple[int, int]", tuple(h.shape))
        keep = keep and True in ctx.needs_input_grad
        h0, c0 = h, c
        # the gates i, f, g, o in one tanh a step: sigmoid(x) = tanh(x / 2) / 2 + 1 / 2, so the
        # rows of i, f and o are halved up front (exactly: a power of 2) in the weights and b
        scale = _gate_vector(w_hh, n, (0.5, 0.5, 1.0, 0.5))
        column = expand_dims(scale, axis=1)
        xg = matmul(x, _transposed(w_ih * column))
        if b is not None:
            xg = xg + b * scale
        w_t = _transposed(w_hh * column)
        xgs = _steps(reshape(xg, (cast(int, x.shape[0]) // rows, rows, 4 * n)))
        steps = len(xgs)
        # per step, in time order, what backward multiplies the gradients of h' and c' by (made
        # here, while the step's arrays are in the cache), and the state it started from
        to_c: list[Any] = [None] * steps
        local: list[Any] = [None] * steps
        fs: list[Any] = [None] * steps
        h_prev: list[Any] = [None] * steps
        outs: list[Any] = [None] * steps
        for t in _order(steps, reverse):
            a = tanh(xgs[t] + matmul(h, w_t))
            s = a * 0.5 + 0.5
            i, f, g, o = s[:, :n], s[:, n : 2 * n], a[:, 2 * n : 3 * n], s[:, 3 * n :]
            c2 = f * c + i * g
            tc = tanh(c2)
            h2 = o * tc
            if keep:
                # dL/dc = dL/dh' o (1 - tanh(c')^2) + dL/dc'; the gates' gradients are
                # [dL/dc g i', dL/dc c f', dL/dc i g', dL/dh' tanh(c') o'] with g' = 1 - g^2 and
                # s' = s (1 - s) = (1 - a^2) / 4 for the sigmoids (the 1/4 is backward's)
                to_c[t] = o * (1 - tc * tc)
                local[t] = concat([g, c, i, tc], axis=-1) * (1 - a * a)
                fs[t], h_prev[t] = f, h
            m = None if masks is None else masks[t]
            if m is not None:  # (rows without the step keep their states)
                h2, c2 = where(m, h2, h), where(m, c2, c)
            h = outs[t] = h2
            c = c2
        ctx.reverse = reverse
        ctx.masks = masks
        # (the steps' intermediates ride along as one tuple: nothing outside the node holds
        # them, so they need no in-place checks, and a backward releases them with the rest)
        ctx.save_for_backward(x, w_ih, b, h0, c0, w_hh, (to_c, local, fs, h_prev))
        return stack(outs, axis=0), h, c

    @staticmethod
    def backward(ctx: Any, g_out: Any, g_h: Any, g_c: Any) -> Any:
        x, w_ih, b, h0, c0, w, (to_c, local, fs, h_prev) = ctx.saved_tensors
        reverse = ctx.reverse
        if is_grad_enabled():  # create_graph: the op-by-op steps' gradients, recorded
            return _composite_grads(
                ctx,
                lambda x_, wi_, b_, h_, c_, w_: _lstm_layer(
                    x_, wi_, b_, h_, c_, w_, reverse, ctx.masks
                ),
                (x, w_ih, b, h0, c0, w),
                (g_out, g_h, g_c),
            )
        rows, n = cast("tuple[int, int]", tuple(h0.shape))
        steps = len(fs)
        outs = None if g_out is None else _steps(g_out)
        dg: list[Any] = [None] * steps
        gh, gc = g_h, g_c
        masks = ctx.masks
        for t in _order(steps, not reverse):
            gh = _plus(None if outs is None else outs[t], gh)
            if gh is None:  # (only c_n has a gradient)
                gh = zeros_like(h0)
            m = None if masks is None else masks[t]
            if m is not None:  # the step's share: its rows; the others pass the step
                if gc is None:
                    gc = zeros_like(h0)
                skip_h, skip_c = where(m, 0.0, gh), where(m, 0.0, gc)
                gh, gc = where(m, gh, 0.0), where(m, gc, 0.0)
            gct = _plus(gh * to_c[t], gc)
            quarter = gct * 0.25
            d = dg[t] = concat([quarter, quarter, gct, gh * 0.25], axis=-1) * local[t]
            gh = matmul(d, w)
            gc = gct * fs[t]
            if m is not None:
                gh, gc = gh + skip_h, gc + skip_c
        need_x, need_w_ih, need_b, need_h, need_c, need_w = ctx.needs_input_grad
        # the gates' gradients, (L * N, 4H): W_ih's, W_hh's and b's in one product or sum each
        dgs = reshape(stack(dg, axis=0), (steps * rows, 4 * n))
        d_w = None
        if need_w:
            d_w = matmul(permute_dims(dgs, (1, 0)), reshape(stack(h_prev, axis=0), (-1, n)))
        return (
            matmul(dgs, w_ih) if need_x else None,
            matmul(permute_dims(dgs, (1, 0)), x) if need_w_ih else None,
            _sum(dgs, axis=0) if need_b else None,
            gh if need_h else None,
            gc if need_c else None,
            d_w,
        )


class _GRULayer(Function):
    """``_gru_layer(x, w_ih, b_ih, h, w_hh, b_hh, reverse, masks)`` as one node: the output
    (L, N, H) and the final ``h``, from the input ``x`` (L * N, H_in); ``masks`` as
    ``_LSTMLayer``'s, ``sizes`` the same steps as counts: per step, how many of the leading
    rows have it (None: all). ``keep`` (grad mode on at the call) keeps what backward needs.
    On a backend with layer kernels (``Writes.layers``, NumPy's ``backends/_recurrent.py``)
    forward and backward run on its arrays, a packed step on the rows that have it alone;
    elsewhere they are written with the table's ops."""

    # the biases' values are not read by the first-order backward: an in-place change of one
    # between forward and backward is allowed, as PyTorch allows it
    _unread_inputs = (2, 5)

    @staticmethod
    def forward(
        ctx: Any,
        x: Tensor,
        w_ih: Tensor,
        b_ih: Tensor | None,
        h: Tensor,
        w_hh: Tensor,
        b_hh: Tensor | None,
        *,
        reverse: bool = False,
        keep: bool = True,
        masks: Masks = None,
        sizes: list[int] | None = None,
    ) -> Any:
        keep = keep and True in ctx.needs_input_grad
        ctx.reverse = reverse
        ctx.masks = masks
        ctx.biases = b_ih, b_hh  # (kept aside: their gradients do not read them)
        if takes_layer_kernels(x):
            b = x._backend
            out_d, h_d, kept = b.layers.gru_layer(
                x._data,
                w_ih._data,
                None if b_ih is None else b_ih._data,
                h._data,
                w_hh._data,
                None if b_hh is None else b_hh._data,
                reverse,
                sizes,
                keep,
            )
            ctx.kernel = True
            ctx.save_for_backward(x, w_ih, h, w_hh, kept)
            return tensor_of(out_d, b), tensor_of(h_d, b)
        ctx.kernel = False
        rows, n = cast("tuple[int, int]", tuple(h.shape))
        xg = F.linear(x, w_ih, b_ih)
        xg = reshape(xg, (cast(int, x.shape[0]) // rows, rows, 3 * n))
        x_rz = _steps(xg[..., : 2 * n])
        x_n = _steps(xg[..., 2 * n :])
        steps = len(x_rz)
        w_t = _transposed(w_hh)
        # per step, in time order: r and z side by side, W_hn h + b_hn, n, the state it
        # started from
        rzs: list[Any] = [None] * steps
        hns: list[Any] = [None] * steps
        news: list[Any] = [None] * steps
        h_prev: list[Any] = [None] * steps
        outs: list[Any] = [None] * steps
        for t in _order(steps, reverse):
            h_prev[t] = h
            hg = matmul(h, w_t)
            if b_hh is not None:
                hg = hg + b_hh
            # sigmoid(x) = tanh(x / 2) / 2 + 1 / 2: one tanh, cheaper than expit
            rz = rzs[t] = tanh((x_rz[t] + hg[:, : 2 * n]) * 0.5) * 0.5 + 0.5
            hn = hns[t] = hg[:, 2 * n :]
            new = news[t] = tanh(x_n[t] + rz[:, :n] * hn)
            h2 = new + rz[:, n:] * (h - new)  # (1 - z) n + z h, as PyTorch computes it
            m = None if masks is None else masks[t]
            h = outs[t] = h2 if m is None else where(m, h2, h)  # (rows without the step: h)
        h0 = h_prev[-1 if reverse else 0]
        ctx.save_for_backward(x, w_ih, h0, w_hh, (rzs, hns, news, h_prev))
        return stack(outs, axis=0), h

    @staticmethod
    def backward(ctx: Any, g_out: Any, g_h: Any) -> Any:
        x, w_ih, h0, w, kept = ctx.saved_tensors
        reverse, (b_ih, b_hh) = ctx.reverse, ctx.biases
        if is_grad_enabled():  # create_graph: the op-by-op steps' gradients, recorded
            return _composite_grads(
                ctx,
                lambda x_, wi_, bi_, h_, w_, b_: _gru_layer(
                    x_, wi_, bi_, h_, w_, b_, reverse, ctx.masks
                ),
                (x, w_ih, b_ih, h0, w, b_hh),
                (g_out, g_h),
            )
        if ctx.kernel:
            be = h0._backend
            grads = be.layers.gru_layer_backward(
                _array_like(g_out, h0, x.shape[0] // h0.shape[0]),
                _array_like(g_h, h0),
                x._data,
                w_ih._data,
                h0._data,
                w._data,
                kept,
                ctx.needs_input_grad,
            )
            return tuple(None if a is None else tensor_of(a, be) for a in grads)
        rows, n = cast("tuple[int, int]", tuple(h0.shape))
        rzs, hns, news, h_prev = kept
        steps = len(rzs)
        outs = None if g_out is None else _steps(g_out)
        dhg: list[Any] = [None] * steps
        dns: list[Any] = [None] * steps
        gh = g_h
        masks = ctx.masks
        for t in _order(steps, not reverse):
            gh = _plus(None if outs is None else outs[t], gh)
            if gh is None:  # (no gradient reached the node's outputs)
                gh = zeros_like(h0)
            m = None if masks is None else masks[t]
            if m is not None:  # the step's share: its rows; the others pass the step
                skip = where(m, 0.0, gh)
                gh = where(m, gh, 0.0)
            rz, new = rzs[t], news[t]
            r, z = rz[:, :n], rz[:, n:]
            d_n = dns[t] = gh * ((1 - z) * (1 - new * new))
            d_rz = concat([d_n * hns[t], gh * (h_prev[t] - new)], axis=-1) * (rz * (1 - rz))
            d = dhg[t] = concat([d_rz, d_n * r], axis=-1)
            gh = gh * z + matmul(d, w)
            if m is not None:
                gh = gh + skip
        need_x, need_w_ih, need_b_ih, need_h, need_w, need_b = ctx.needs_input_grad
        dhgs = stack(dhg, axis=0)
        d_w = d_b = None
        if need_w:  # (one product for the whole sequence)
            d_w = matmul(
                permute_dims(reshape(dhgs, (steps * rows, 3 * n)), (1, 0)),
                reshape(stack(h_prev, axis=0), (steps * rows, n)),
            )
        if need_b:
            d_b = _sum(dhgs, axis=(0, 1))
        # the gates' input shares' gradients, (L * N, 3H) (the n gate's gets d_n, not d_n r):
        # the input's, W_ih's and b_ih's in one product or sum each
        d_xg = reshape(
            concat([dhgs[..., : 2 * n], stack(dns, axis=0)], axis=-1), (steps * rows, 3 * n)
        )
        return (
            matmul(d_xg, w_ih) if need_x else None,
            matmul(permute_dims(d_xg, (1, 0)), x) if need_w_ih else None,
            _sum(d_xg, axis=0) if need_b_ih else None,
            gh if need_h else None,
            d_w,
            d_b,
        )


def _array_like(g: Any, like: Tensor, steps: int = 0) -> Any:
    """The cotangent ``g`` (a tensor, or None) as an array of the shape and dtype of ``like``
    (N, H), or with ``steps`` of a layer's output (steps, N, H)."""
    if g is None:
        return None
    d = g._data
    ld = like._data
    shape = (steps, *ld.shape) if steps else ld.shape
    if d.dtype != ld.dtype or d.shape != shape:
        xp = like._backend.xp
        d = xp.astype(xp.broadcast_to(d, shape), ld.dtype)
    return d


def _transposed(w: Tensor) -> Tensor:
    """``w.T`` in memory of its own (NumPy's product with a C-ordered right operand is ~1.6x
    faster at (32, 128) @ (128, 512) than with a transposed view)."""
    return permute_dims(w, (1, 0)).contiguous()


def _gate_vector(w: Tensor, n: int, blocks: tuple[float, ...]) -> Tensor:
    """A vector of ``w``'s dtype and backend, ``blocks[k]`` on the ``n`` entries of gate k."""
    col = w[:n, 0]
    return concat([full_like(col, v) for v in blocks])


def _composite_grads(
    ctx: Any, step: Callable[..., Any], inputs: tuple[Any, ...], grads: tuple[Any, ...]
) -> tuple[Any, ...]:
    """The gradients of the op-by-op ``step`` at ``inputs``, recorded (``create_graph``):
    taken at views of the inputs, so that they are partial derivatives, as a node's rule gives
    them (``h`` was made from ``w_hh`` at the step before: the engine adds that path)."""
    views = tuple(None if t is None else t[...] for t in inputs)
    outs = step(*views)
    outs = outs if isinstance(outs, tuple) else (outs,)
    pairs = [(o, g) for o, g in zip(outs, grads, strict=True) if g is not None]
    wanted = [v for v, need in zip(views, ctx.needs_input_grad, strict=True) if need]
    got = iter(
        grad(
            [o for o, _ in pairs],
            wanted,
            [g for _, g in pairs],
            create_graph=True,
            allow_unused=True,
        )
    )
    return tuple(next(got) if need else None for need in ctx.needs_input_grad)


def _steps(x: Tensor) -> tuple[Tensor, ...]:
    """``x`` split along its first axis (one differentiable op: its gradient is a stack)."""
    return cast("tuple[Tensor, ...]", unstack(x, axis=0))


def _check_sizes(where: str, input_size: Any, hidden_size: Any) -> None:
    for name, v in (("input_size", input_size), ("hidden_size", hidden_size)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{where}(): {name} should be of type int, got: {type(v).__name__}")
        if v <= 0:
            raise ValueError(f"{where}(): {name} must be greater than zero; got {v}")


def _tensor_input(where: str, input: Any) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{where}() expects a tensor or a PackedSequence input; got {type(input).__name__}"
        )
    return input


def _same_dtype(where: str, input: Tensor, weight: Tensor) -> None:
    if input.dtype != weight.dtype:
        raise ValueError(
            f"{where}: input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}); "
            f"convert the input: input.to({weight.dtype}), or the model: model.to({input.dtype})"
        )


def _state_dtype(where: str, what: str, h: Tensor, x: Tensor) -> None:
    """Refuse, as PyTorch (``RuntimeError``), an initial state of another dtype than the
    input's."""
    if h.dtype != x.dtype:
        raise _dt.MixedDtypeError(
            f"{where}: {what} has dtype {h.dtype.name} but the input {x.dtype.name}; one dtype, "
            f"as PyTorch's: cast it, {what}.to(pt.{x.dtype.name})"
        )


def _params_dtype(where: str, module: Module, names: list[str], float_biases: bool) -> None:
    """Refuse, as PyTorch (``RuntimeError``), parameters of another dtype than the first's
    (``weight_ih_l0`` or ``weight_ih``), where the products they enter would promote;
    ``float_biases``: a floating ``bias_ih`` of another dtype is taken (PyTorch's RNN and
    GRU add it to the input's product in the weights' dtype; ``bias_hh`` they refuse)."""
    first = getattr(module, names[0]).dtype
    for name in names[1:]:
        d = getattr(module, name).dtype
        if d is first or (
            float_biases and name.startswith("bias_ih") and d.kind == "real floating"
        ):
            continue
        raise _dt.MixedDtypeError(
            f"{where}: parameters of one dtype expected, as PyTorch's; {names[0]} is "
            f"{first.name} but {name} is {d.name}; cast the layer: module.to(pt.{first.name})"
        )


# -- the sequence layers --------------------------------------------------------------------------
class RNNBase(Module):
    """What ``RNN``, ``LSTM`` and ``GRU`` share: PyTorch's arguments, parameters and checks.

    ``mode`` is ``'RNN_TANH'``, ``'RNN_RELU'``, ``'LSTM'`` or ``'GRU'``; use the subclasses.

    Examples
    --------
    >>> from polytensor import nn
    >>> [name for name, _ in nn.RNNBase("GRU", 4, 8, bidirectional=True).named_parameters()][:5]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse']
    """

    mode: str
    input_size: int
    hidden_size: int
    num_layers: int
    bias: bool
    batch_first: bool
    dropout: float
    bidirectional: bool
    proj_size: int

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        if mode not in _GATES:
            raise ValueError(
                f"RNNBase(): unrecognized mode {mode!r}; expected one of {sorted(_GATES)}"
            )
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, numbers.Real)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                f"{name}(): dropout should be a number in range [0, 1] representing the "
                f"probability of an element being zeroed; got {dropout!r}"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=3,
            )
        for flag, v in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(v, bool):
                raise TypeError(f"{name}(): {flag} should be of type bool, got: {type(v).__name__}")
        _check_sizes(name, input_size, hidden_size)
        if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError(
                f"{name}(): num_layers must be an int greater than zero; got {num_layers!r}"
            )
        if proj_size != 0:
            if mode != "LSTM":
                raise ValueError(
                    f"{name}(): proj_size argument is only supported for LSTM, not RNN or GRU"
                )
            if isinstance(proj_size, bool) or not isinstance(proj_size, int) or proj_size < 0:
                raise ValueError(
                    f"LSTM(): proj_size should be a positive integer or zero to disable "
                    f"projections; got {proj_size!r}"
                )
            if proj_size >= hidden_size:
                raise ValueError(
                    f"LSTM(): proj_size has to be smaller than hidden_size; got "
                    f"proj_size={proj_size} and hidden_size={hidden_size}"
                )
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        # (with projections, the states h and the layers' outputs have proj_size features)
        out_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else out_size * directions
            for direction in range(directions):
                suffix = "_reverse" if direction == 1 else ""
                shapes = {
                    f"weight_ih_l{layer}{suffix}": (gate_size, layer_input),
                    f"weight_hh_l{layer}{suffix}": (gate_size, out_size),
                }
                if bias:
                    shapes[f"bias_ih_l{layer}{suffix}"] = (gate_size,)
                    shapes[f"bias_hh_l{layer}{suffix}"] = (gate_size,)
                if proj_size > 0:
                    shapes[f"weight_hr_l{layer}{suffix}"] = (proj_size, hidden_size)
                for pname, shape in shapes.items():
                    setattr(self, pname, Parameter(empty(shape, dtype=dtype, device=device)))
                self._flat_weights_names.extend(shapes)
                self._all_weights.append(list(shapes))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """Nothing to do: PyTorch packs the weights into one buffer for cuDNN; polytensor
        keeps them apart. Here so that programs that call it run unchanged.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.LSTM(2, 3).flatten_parameters()
        """

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters, one list per layer and direction, in PyTorch's order.

        Examples
        --------
        >>> from polytensor import nn
        >>> [[tuple(w.shape) for w in ws] for ws in nn.RNN(2, 3, bias=False).all_weights]
        [[(3, 2), (3, 3)]]
        """
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- forward ----------------------------------------------------------------------------
    def _name(self) -> str:
        return type(self).__name__

    def _prepare(self, input: Any) -> tuple[Tensor, bool]:
        """The input as (L, N, H_in), and whether it came batched."""
        x = _tensor_input(self._name(), input)
        if x.ndim not in (2, 3):
            raise ValueError(
                f"{self._name()}: Expected input to be 2D (L, H_in) or 3D "
                f"({'N, L' if self.batch_first else 'L, N'}, H_in), got {x.ndim}D tensor instead "
                f"(shape {x.shape})"
            )
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{self._name()}: input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {x.shape[-1]} (input shape {x.shape})"
            )
        _same_dtype(self._name(), x, self.weight_ih_l0)
        _params_dtype(self._name(), self, self._flat_weights_names, self.mode != "LSTM")
        batched = x.ndim == 3
        if not batched:
            x = expand_dims(x, axis=1)
        elif self.batch_first:
            x = permute_dims(x, (1, 0, 2))
        if x.shape[0] == 0:
            raise RuntimeError(
                f"{self._name()}: expected a sequence length larger than 0 (input shape "
                f"{tuple(input.shape)}); give at least one time step"
            )
        return x, batched

    def _state(self, hx: Any, x: Tensor, batched: bool, what: str) -> Tensor:
        """An initial state as (D * num_layers, N, H), zeros when ``hx`` is None."""
        n = x.shape[1]
        size = self.proj_size if self.proj_size > 0 and what == "hx" else self.hidden_size
        expected = ((2 if self.bidirectional else 1) * self.num_layers, n, size)
        if hx is None:
            return zeros(expected, dtype=x.dtype, device=x.device)
        if not isinstance(hx, Tensor):
            raise TypeError(f"{self._name()}: {what} must be a tensor; got {type(hx).__name__}")
        if hx.ndim != (3 if batched else 2):
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise RuntimeError(
                f"{self._name()}: For {kind} input, {what} should also be "
                f"{3 if batched else 2}-D but got {hx.ndim}-D tensor (shape {hx.shape})"
            )
        h = hx if batched else expand_dims(hx, axis=1)
        if tuple(h.shape) != expected:
            want = expected if batched else (expected[0], expected[2])
            raise RuntimeError(
                f"{self._name()}: Expected {what} size {want}, got {list(hx.shape)}; its shape "
                f"is (num_layers * num_directions, {'N, ' if batched else ''}hidden_size)"
            )
        _state_dtype(self._name(), what, h, x)
        return h

    def _run(
        self,
        x: Tensor,
        states: list[Tensor],
        masks: Masks = None,
        sizes: list[int] | None = None,
    ) -> tuple[Tensor, list[list[Tensor]]]:
        """All layers over ``x`` (L, N, H_in) from ``states`` (one list a state kind, each
        (D * num_layers, N, H)); returns the output (L, N, D * H) and the final states.
        ``masks`` (packed sequences, ``x`` padded in the packed order): per step, None or a
        boolean (N, 1), false for the sequences without the step, whose states pass it
        unchanged: a sequence's final state is the one after its last step, and a reverse
        direction starts at its last step; ``sizes`` the same as counts (per step, how many
        of the leading rows have it)."""
        directions = 2 if self.bidirectional else 1
        keep = is_grad_enabled()  # (else no node is recorded: the layers keep nothing)
        initial = [_steps(s) for s in states]
        finals: list[list[Tensor]] = [[] for _ in states]
        steps, rows = x.shape[0], x.shape[1]
        for layer in range(self.num_layers):
            outs = []
            # (the input as (L * N, H_in): NumPy's product of a 3-D array with a matrix takes ~2x
            # the time of the same product in 2-D, forward and backward)
            flat = reshape(x, (steps * rows, x.shape[2]))  # type: ignore[operator]
            for direction in range(directions):
                k = layer * directions + direction
                names = self._all_weights[k]
                w_ih, w_hh = getattr(self, names[0]), getattr(self, names[1])
                b_ih = getattr(self, names[2]) if self.bias else None
                b_hh = getattr(self, names[3]) if self.bias else None
                if b_ih is not None and b_ih.dtype is not w_ih.dtype:
                    b_ih = astype(b_ih, w_ih.dtype)  # (RNN, GRU: in the weights', as PyTorch's)
                h0 = [s[k] for s in initial]
                if self.mode == "LSTM" and self.proj_size > 0:
                    b = None if b_ih is None or b_hh is None else b_ih + b_hh
                    w_hr = getattr(self, names[-1])
                    out, h, c = _lstm_projected_layer(
                        flat, w_ih, b, h0[0], h0[1], w_hh, w_hr, direction == 1, masks
                    )
                    finals[0].append(h)
                    finals[1].append(c)
                    outs.append(out)
                    continue
                if self.mode == "LSTM":  # (both biases are added to every step's gates: once)
                    b = None if b_ih is None or b_hh is None else b_ih + b_hh
                    out, h, c = _LSTMLayer.apply(
                        flat,
                        w_ih,
                        b,
                        h0[0],
                        h0[1],
                        w_hh,
                        reverse=direction == 1,
                        keep=keep,
                        masks=masks,
                    )
                    finals[0].append(h)
                    finals[1].append(c)
                    outs.append(out)
                    continue
                if self.mode == "GRU":  # (b_hn stays inside r * (W_hn h + b_hn): two biases)
                    out, h = _GRULayer.apply(
                        flat,
                        w_ih,
                        b_ih,
                        h0[0],
                        w_hh,
                        b_hh,
                        reverse=direction == 1,
                        keep=keep,
                        masks=masks,
                        sizes=sizes,
                    )
                    last = [h]
                else:
                    if b_hh is not None and b_ih is not None:
                        # both biases are added to every step's gates: add them once, up front
                        xg, b_hh = F.linear(flat, w_ih, b_ih + b_hh), None
                    else:
                        xg = F.linear(flat, w_ih, b_ih)
                    xg = reshape(xg, (steps, rows, w_ih.shape[0]))
                    out, last = self._direction(
                        _steps(xg), h0[0], w_hh, b_hh, direction == 1, masks
                    )
                outs.append(out)
                for f, v in zip(finals, last, strict=True):
                    f.append(v)
            x = outs[0] if directions == 1 else concat(outs, axis=-1)
            if self.dropout and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, self.training)
        return x, finals

    def _direction(
        self,
        xgs: tuple[Tensor, ...],
        h: Tensor,
        w_hh: Tensor,
        b_hh: Tensor | None,
        reverse: bool,
        masks: Masks = None,
    ) -> tuple[Tensor, list[Tensor]]:
        """One Elman RNN layer in one direction over the steps' input gates ``xgs``."""
        act = relu if self.mode == "RNN_RELU" else tanh
        outs: list[Any] = [None] * len(xgs)
        for t in _order(len(xgs), reverse):
            h2 = _rnn_step(act, xgs[t], h, w_hh, b_hh)
            m = None if masks is None else masks[t]
            h = outs[t] = h2 if m is None else where(m, h2, h)
        return stack(outs, axis=0), [h]

    def _forward_packed(
        self, input: PackedSequence, hx: Any
    ) -> tuple[PackedSequence, list[Tensor]]:
        """The layer over a PackedSequence: its packed output and final states (in the
        sequences' original order); ``hx`` as ``forward``'s, in the original order too."""
        x = rnn_utils.padded_steps(input)
        _same_dtype(self._name(), x, self.weight_ih_l0)
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{self._name()}: input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {x.shape[-1]}"
            )
        kinds = ("hx", "cx") if self.mode == "LSTM" else ("hx",)
        given: list[Any] = [None] * len(kinds) if hx is None else self._hx_list(hx)
        states = [self._state(h, x, True, what) for h, what in zip(given, kinds, strict=True)]
        if input.sorted_indices is not None:  # the given states are in the original order
            states = [
                s if h is None else take(s, input.sorted_indices, axis=1)
                for s, h in zip(states, given, strict=True)
            ]
        n = cast(int, x.shape[1])
        sizes = input.batch_sizes.tolist()
        masks = rnn_utils.step_masks(input, x)
        out, finals = self._run(
            x, states, [None if k == n else m for k, m in zip(sizes, masks, strict=True)], sizes
        )
        last = [stack(f, axis=0) for f in finals]
        if input.unsorted_indices is not None:
            last = [take(h, input.unsorted_indices, axis=1) for h in last]
        return rnn_utils.packed_steps(out, input), last

    def _hx_list(self, hx: Any) -> list[Any]:
        if self.mode != "LSTM":
            return [hx]
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(
                f"LSTM: hx must be a pair of tensors (h_0, c_0); got {type(hx).__name__}; "
                f"pass (h_0, c_0), or None for zeros"
            )
        return list(hx)

    def _finish(self, out: Tensor, batched: bool) -> Tensor:
        if not batched:
            return squeeze(out, axis=1)
        return permute_dims(out, (1, 0, 2)) if self.batch_first else out


class RNN(RNNBase):
    r"""An Elman RNN, ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (``relu`` in
    place of ``tanh`` with ``nonlinearity='relu'``), stacked ``num_layers`` deep, as
    ``torch.nn.RNN``.

    Parameters
    ----------
    input_size, hidden_size : int
    num_layers : int, default 1
    nonlinearity : {'tanh', 'relu'}
    bias : bool, default True
    batch_first : bool, default False
        Inputs and outputs (N, L, H) instead of (L, N, H).
    dropout : float, default 0.0
        Dropout on the outputs of every layer but the last, in training mode.
    bidirectional : bool, default False
    device, dtype : optional

    ``forward(input, hx=None)`` takes input (L, N, H_in) (or (N, L, H_in), or unbatched
    (L, H_in)) and ``hx`` (D * num_layers, N, H) (zeros when None), and returns
    ``(output, h_n)``: output (L, N, D * H), h_n (D * num_layers, N, H). D is 2 when
    bidirectional, else 1.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> rnn = nn.RNN(10, 20, 2); rnn
    RNN(10, 20, num_layers=2)
    >>> output, h_n = rnn(pt.ones((5, 3, 10)), pt.zeros((2, 3, 20)))
    >>> output.shape, h_n.shape
    ((5, 3, 20), (2, 3, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        if "proj_size" in kwargs:
            raise ValueError("RNN(): proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN() got an unexpected keyword argument {next(iter(kwargs))!r}")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(
                f"RNN(): Unknown nonlinearity {nonlinearity!r}. Select from 'tanh' or 'relu'."
            )
        super().__init__(
            modes[nonlinearity],
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )
        self.nonlinearity = nonlinearity

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple[Any, Tensor]:
        if isinstance(input, PackedSequence):
            packed, (h_n,) = self._forward_packed(input, hx)
            return packed, h_n
        x, batched = self._prepare(input)
        out, (h,) = self._run(x, [self._state(hx, x, batched, "hx")])
        h_n = stack(h, axis=0)
        return self._finish(out, batched), h_n if batched else squeeze(h_n, axis=1)


class GRU(RNNBase):
    r"""A gated recurrent unit layer, stacked ``num_layers`` deep, as ``torch.nn.GRU``::

        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h' = (1 - z) * n + z * h

    Arguments, shapes and results as ``nn.RNN`` (without ``nonlinearity``); the rows of the
    weights are the gates r, z, n in that order.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> gru = nn.GRU(10, 20, batch_first=True, bidirectional=True); gru
    GRU(10, 20, batch_first=True, bidirectional=True)
    >>> output, h_n = gru(pt.ones((3, 5, 10)))
    >>> output.shape, h_n.shape, gru.weight_ih_l0.shape
    ((3, 5, 40), (2, 3, 20), (60, 10))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        if "proj_size" in kwargs:
            raise ValueError("GRU(): proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU() got an unexpected keyword argument {next(iter(kwargs))!r}")
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple[Any, Tensor]:
        if isinstance(input, PackedSequence):
            packed, (h_n,) = self._forward_packed(input, hx)
            return packed, h_n
        x, batched = self._prepare(input)
        out, (h,) = self._run(x, [self._state(hx, x, batched, "hx")])
        h_n = stack(h, axis=0)
        return self._finish(out, batched), h_n if batched else squeeze(h_n, axis=1)


class LSTM(RNNBase):
    r"""A long short-term memory layer, stacked ``num_layers`` deep, as ``torch.nn.LSTM``::

        i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)
        f = sigmoid(W_if x + b_if + W_hf h + b_hf)
        g = tanh(W_ig x + b_ig + W_hg h + b_hg)
        o = sigmoid(W_io x + b_io + W_ho h + b_ho)
        c' = f * c + i * g
        h' = o * tanh(c')

    Arguments and shapes as ``nn.RNN`` (without ``nonlinearity``); the rows of the weights are
    the gates i, f, g, o in that order. ``forward(input, hx=None)`` takes ``hx = (h_0, c_0)``
    (zeros when None) and returns ``(output, (h_n, c_n))``. With ``proj_size > 0`` each step's
    ``h' = (o * tanh(c')) W_hr^T`` (parameters ``weight_hr_l{k}``, (proj_size, hidden_size)):
    the output and h have proj_size features, c keeps hidden_size.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> lstm = nn.LSTM(10, 20, num_layers=2); lstm
    LSTM(10, 20, num_layers=2)
    >>> output, (h_n, c_n) = lstm(pt.ones((5, 3, 10)))
    >>> output.shape, h_n.shape, c_n.shape
    ((5, 3, 20), (2, 3, 20), (2, 3, 20))
    >>> output, (h_n, c_n) = nn.LSTM(10, 20, proj_size=5)(pt.ones((5, 3, 10)))
    >>> output.shape, h_n.shape, c_n.shape
    ((5, 3, 5), (1, 3, 5), (1, 3, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device=device,
            dtype=dtype,
        )

    def forward(
        self, input: Any, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Any, tuple[Tensor, Tensor]]:
        if isinstance(input, PackedSequence):
            packed, (h_n, c_n) = self._forward_packed(input, hx)
            return packed, (h_n, c_n)
        x, batched = self._prepare(input)
        if hx is None:
            states = [self._state(None, x, batched, "hx"), self._state(None, x, batched, "cx")]
        else:
            h0, c0 = self._hx_list(hx)
            states = [self._state(h0, x, batched, "hx"), self._state(c0, x, batched, "cx")]
        out, (h, c) = self._run(x, states)
        h_n, c_n = stack(h, axis=0), stack(c, axis=0)
        if not batched:
            h_n, c_n = squeeze(h_n, axis=1), squeeze(c_n, axis=1)
        return self._finish(out, batched), (h_n, c_n)


# -- cells ----------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """What ``RNNCell``, ``LSTMCell`` and ``GRUCell`` share: parameters ``weight_ih``
    (gates * hidden_size, input_size), ``weight_hh`` (gates * hidden_size, hidden_size),
    ``bias_ih`` and ``bias_hh`` (gates * hidden_size), drawn from
    U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).

    Examples
    --------
    >>> from polytensor import nn
    >>> nn.RNNCellBase(3, 4, bias=True, num_chunks=2).weight_hh.shape
    (8, 4)
    """

    input_size: int
    hidden_size: int
    bias: bool

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        _check_sizes(type(self).__name__, input_size, hidden_size)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        rows = num_chunks * hidden_size
        self.weight_ih = Parameter(empty((rows, input_size), dtype=dtype, device=device))
        self.weight_hh = Parameter(empty((rows, hidden_size), dtype=dtype, device=device))
        if bias:
            self.bias_ih = Parameter(empty((rows,), dtype=dtype, device=device))
            self.bias_hh = Parameter(empty((rows,), dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nonlinearity = self.__dict__.get("nonlinearity", "tanh")
        if nonlinearity != "tanh":
            s += f", nonlinearity={nonlinearity}"
        return s

    def _prepare(self, input: Any) -> tuple[Tensor, bool]:
        name = type(self).__name__
        x = _tensor_input(name, input)
        if x.ndim not in (1, 2):
            raise ValueError(
                f"{name}: Expected input to be 1D (H_in) or 2D (N, H_in), got {x.ndim}D "
                f"instead (shape {x.shape})"
            )
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{name}: input has inconsistent input_size: got {x.shape[-1]} expected "
                f"{self.input_size} (input shape {x.shape})"
            )
        if x.dtype != self.weight_ih.dtype:  # (PyTorch's cells: RuntimeError, from the product)
            raise _dt.MixedDtypeError(
                f"{name}: input dtype ({x.dtype.name}) does not match weight dtype "
                f"({self.weight_ih.dtype.name}); convert the input: "
                f"input.to(pt.{self.weight_ih.dtype.name}), or the model: "
                f"model.to(pt.{x.dtype.name})"
            )
        weights = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if self.bias else [])
        _params_dtype(name, self, weights, False)
        batched = x.ndim == 2
        return (x if batched else expand_dims(x, axis=0)), batched

    def _state(self, hx: Any, x: Tensor, batched: bool, what: str) -> Tensor:
        name = type(self).__name__
        expected = (x.shape[0], self.hidden_size)
        if hx is None:
            return zeros(expected, dtype=x.dtype, device=x.device)
        if not isinstance(hx, Tensor):
            raise TypeError(f"{name}: {what} must be a tensor; got {type(hx).__name__}")
        if hx.ndim not in (1, 2):
            raise ValueError(
                f"{name}: Expected {what} to be 1D or 2D, got {hx.ndim}D instead (shape {hx.shape})"
            )
        h = hx if batched else expand_dims(hx, axis=0)
        if tuple(h.shape) != expected:
            want = expected if batched else expected[1:]
            raise RuntimeError(
                f"{name}: Expected {what} of shape {want} (batch, hidden_size) for an input of "
                f"shape {x.shape if batched else x.shape[1:]}; got {hx.shape}"
            )
        _state_dtype(name, what, h, x)
        return h

    def _input_gates(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight_ih, self.bias_ih)


class RNNCell(RNNCellBase):
    """One step of an Elman RNN, ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (``relu``
    with ``nonlinearity='relu'``), as ``torch.nn.RNNCell``.

    ``forward(input, hx=None)``: input (N, H_in) or (H_in), hx (N, H) or (H) (zeros when
    None); returns h' of hx's shape.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> cell = nn.RNNCell(10, 20, nonlinearity="relu"); cell
    RNNCell(10, 20, nonlinearity=relu)
    >>> cell(pt.ones((3, 10))).shape, cell(pt.ones(10)).shape
    ((3, 20), (20,))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNNCell(): Unknown nonlinearity {nonlinearity!r}. Select from 'tanh' or 'relu'."
            )
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, batched = self._prepare(input)
        h = self._state(hx, x, batched, "hidden")
        act = relu if self.nonlinearity == "relu" else tanh
        out = _rnn_step(act, self._input_gates(x), h, self.weight_hh, self.bias_hh)
        return out if batched else squeeze(out, axis=0)


class GRUCell(RNNCellBase):
    """One step of a GRU (equations as ``nn.GRU``), as ``torch.nn.GRUCell``.

    ``forward(input, hx=None)``: input (N, H_in) or (H_in), hx (N, H) or (H) (zeros when
    None); returns h' of hx's shape.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> cell = nn.GRUCell(10, 20); cell
    GRUCell(10, 20)
    >>> cell(pt.ones((3, 10)), pt.zeros((3, 20))).shape, cell.weight_ih.shape
    ((3, 20), (60, 10))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, batched = self._prepare(input)
        h = self._state(hx, x, batched, "hidden")
        out = _gru_step(self._input_gates(x), h, self.weight_hh, self.bias_hh)
        return out if batched else squeeze(out, axis=0)


class LSTMCell(RNNCellBase):
    """One step of an LSTM (equations as ``nn.LSTM``), as ``torch.nn.LSTMCell``.

    ``forward(input, hx=None)``: input (N, H_in) or (H_in), ``hx = (h, c)``, each (N, H) or
    (H) (zeros when None); returns ``(h', c')``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> cell = nn.LSTMCell(10, 20); cell
    LSTMCell(10, 20)
    >>> h, c = cell(pt.ones((3, 10)))
    >>> h.shape, c.shape, cell.weight_hh.shape
    ((3, 20), (3, 20), (80, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        x, batched = self._prepare(input)
        if hx is None:
            h = c = self._state(None, x, batched, "hx")
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(
                    f"LSTMCell: hx must be a pair of tensors (h, c); got {type(hx).__name__}; "
                    f"pass (h, c), or None for zeros"
                )
            h = self._state(hx[0], x, batched, "hx")
            c = self._state(hx[1], x, batched, "cx")
        h, c = _lstm_step(self._input_gates(x), h, c, self.weight_hh, self.bias_hh)
        if not batched:
            h, c = squeeze(h, axis=0), squeeze(c, axis=0)
        return h, c
