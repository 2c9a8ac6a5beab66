"""The connectionist temporal classification loss, as ``torch.nn.functional.ctc_loss``.

``polytensor.nn.functional`` re-exports ``ctc_loss``; ``nn.CTCLoss`` is its module. The
forward (alpha) and backward (beta) recursions run over the time steps in log space with
polytensor operations, all sequences of the batch at once; the gradient is PyTorch's formula
for the gradient with respect to ``log_probs``, ``exp(log_probs) - occupancy``: the true
gradient once ``log_probs`` comes from ``log_softmax`` (as it should, and as PyTorch's does),
so the gradients of the logits are PyTorch's and the true ones.
"""

from __future__ import annotations

from typing import Any, cast

from .._ops.creation import asarray, full, zeros
from .._ops.data_types import astype
from .._ops.elementwise import exp, isinf, log, logical_and, maximum, not_equal
from .._ops.indexing import take_along_axis
from .._ops.manipulation import concat, expand_dims, permute_dims, reshape, squeeze, stack
from .._ops.searching import where
from .._ops.statistical import sum as _sum
from .._tensor import Tensor
from ..autograd import Function, is_grad_enabled, no_grad
from ._errors import LayerArgumentError
from .functional import _reduce, one_hot

__all__ = ["ctc_loss"]

_NEG_INF = float("-inf")


def _lse(*xs: Tensor) -> Tensor:
    """log(sum(exp(x))) of same-shaped tensors, -inf where all are -inf (without NaN)."""
    m = xs[0]
    for x in xs[1:]:
        m = maximum(m, x)
    safe = where(isinf(m), 0.0, m)
    total = exp(xs[0] - safe)
    for x in xs[1:]:
        total = total + exp(x - safe)
    return where(isinf(m), m, safe + log(where(isinf(m), 1.0, total)))


def _shift(x: Tensor, k: int) -> Tensor:
    """``x`` (..., L) moved ``k`` places along its last axis (right for k > 0, left for k < 0),
    filled with -inf."""
    n = cast(int, x.shape[-1])
    if abs(k) >= n:
        return full(tuple(x.shape), _NEG_INF, dtype=x.dtype, device=x.device)
    pad = full((*x.shape[:-1], abs(k)), _NEG_INF, dtype=x.dtype, device=x.device)
    return concat([pad, x[..., : n - k]] if k > 0 else [x[..., -k:], pad], axis=-1)


def _lengths(where_: str, what: str, v: Any, n: int) -> list[int]:
    if isinstance(v, Tensor):
        values = v.tolist()
        values = [values] if isinstance(values, int) else values
    elif isinstance(v, int):
        values = [v]
    else:
        values = list(v)
    out = [int(x) for x in values]
    if len(out) != n:
        raise LayerArgumentError(
            f"{where_}(): {what} must have one length per sequence of the batch ({n}); got "
            f"{len(out)}"
        )
    return out


class _CTC(Function):
    """The per-sequence negative log-likelihoods (N,) from ``log_probs`` (T, N, C) and the
    extended labels ``ext`` (N, L) (blank, l1, blank, l2, ..., blank, then blanks)."""

    @staticmethod
    def forward(
        ctx: Any,
        log_probs: Tensor,
        ext: Tensor,
        in_lens: list[int],
        tgt_lens: list[int],
        blank: int,
        zero_infinity: bool,
    ) -> Tensor:
        steps, n, _ = (cast(int, d) for d in log_probs.shape)
        width = cast(int, ext.shape[1])
        device = log_probs.device
        # the emissions of the extended labels: (T, N, L)
        index = ext[None] + zeros((steps, n, width), dtype=ext.dtype, device=device)
        emit = take_along_axis(log_probs, index, axis=2)
        # a label may be reached from two places back unless it is a blank or repeats that one
        skip = logical_and(not_equal(ext, blank), not_equal(ext, _shift_int(ext)))
        pos = asarray(list(range(width)), device=device)
        t_len = asarray(in_lens, device=device)[:, None]
        s_end = asarray([2 * k for k in tgt_lens], device=device)[:, None]
        alphas = []
        alpha = where(pos[None] <= 1, emit[0], _NEG_INF)
        alpha = where(pos[None] <= s_end, alpha, _NEG_INF)
        alphas.append(alpha)
        for t in range(1, steps):
            step = _lse(alpha, _shift(alpha, 1), where(skip, _shift(alpha, 2), _NEG_INF)) + emit[t]
            alpha = where(t < t_len, step, alpha)
            alphas.append(alpha)
        last = take_along_axis(alpha, concat([s_end, maximum(s_end - 1, 0)], axis=1), axis=1)
        last = where(concat([s_end >= 0, s_end > 0], axis=1), last, _NEG_INF)
        nll = -_lse(last[:, 0], last[:, 1])
        betas: list[Any] = [None] * steps
        beta = full((n, width), _NEG_INF, dtype=log_probs.dtype, device=device)
        skip_next = _shift(where(skip, 0.0, _NEG_INF), -2)  # may s go to s + 2
        for t in range(steps - 1, -1, -1):
            start = where(
                logical_and(pos[None] <= s_end, pos[None] >= s_end - 1), emit[t], _NEG_INF
            )
            step = _lse(beta, _shift(beta, -1), _shift(beta, -2) + skip_next) + emit[t]
            beta = where(t == t_len - 1, start, where(t < t_len - 1, step, _NEG_INF))
            betas[t] = beta
        ctx.saved = (log_probs, ext, stack(alphas), stack(betas), nll, in_lens, zero_infinity)
        if zero_infinity:
            nll = where(isinf(nll), 0.0, nll)
        return nll

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        if is_grad_enabled():  # (create_graph=True)
            raise RuntimeError(
                "ctc_loss(): the derivative of its gradient is not implemented, as in PyTorch; "
                "call backward() without create_graph=True through a CTC loss"
            )
        log_probs, ext, alphas, betas, nll, in_lens, zero_infinity = ctx.saved
        steps, n, classes = (cast(int, d) for d in log_probs.shape)
        with no_grad():
            # each class's occupancy: alpha * beta / emission over the sequence's likelihood,
            # summed over the extended labels that are that class (log space, as PyTorch's)
            index = ext[None] + zeros((steps, n, cast(int, ext.shape[1])), dtype=ext.dtype)
            emit = take_along_axis(log_probs, index, axis=2)
            both = alphas + betas
            finite = where(isinf(nll), 0.0, nll)  # (impossible sequences: set below)
            occ = exp(where(isinf(both), _NEG_INF, both - emit + finite[None, :, None]))
            hot = astype(one_hot(ext, classes), log_probs.dtype)  # (N, L, C)
            per_class = permute_dims(permute_dims(occ, (1, 0, 2)) @ hot, (1, 0, 2))  # (T, N, C)
            g = exp(log_probs) - per_class
            t_len = asarray(in_lens, device=log_probs.device)
            live = reshape(asarray(list(range(steps)), device=log_probs.device), (steps, 1)) < t_len
            # an impossible alignment (infinite loss): zeros with zero_infinity, else NaN, as
            # PyTorch's
            g = where(isinf(nll)[None, :, None], 0.0 if zero_infinity else float("nan"), g)
            g = where(expand_dims(live, axis=-1), g, 0.0)
            g = g * grad[None, :, None]
        return g, None, None, None, None, None


def _shift_int(ext: Tensor) -> Tensor:
    """``ext`` moved two places right along its last axis, filled with -1 (no label)."""
    pad = full((cast(int, ext.shape[0]), 2), -1, dtype=ext.dtype, device=ext.device)
    return concat([pad, ext[:, :-2]], axis=1)


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The connectionist temporal classification loss, as ``torch.nn.functional.ctc_loss``:
    minus the log of the total probability of every alignment of each target with its input.

    ``log_probs`` is (T, N, C) (or (T, C) unbatched), from ``log_softmax(dim=2)``;
    ``targets`` is (N, S) (padded; each row's first ``target_lengths[n]`` are used) or one
    vector of all the targets one after another; ``input_lengths`` and ``target_lengths`` are
    tensors or sequences of N ints. ``reduction='mean'`` divides each loss by its target
    length, then averages; ``'sum'`` and ``'none'`` as usual. ``zero_infinity=True`` makes
    impossible alignments (infinite losses) zero, with zero gradients.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn import functional as F
    >>> log_probs = pt.log(pt.full((2, 1, 2), 0.5))  # two steps, classes {blank, 1}
    >>> loss = F.ctc_loss(log_probs, pt.asarray([[1]]), [2], [1], reduction="sum")
    >>> round(float(loss), 6)  # paths "1 1", "_ 1", "1 _": 3 / 4
    0.287682
    """
    where_ = "ctc_loss"
    if not isinstance(log_probs, Tensor) or not isinstance(targets, Tensor):
        raise TypeError(f"{where_}() expects log_probs and targets to be tensors")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{where_}(): {reduction!r} is not a valid value for reduction")
    batched = log_probs.ndim == 3
    if not batched:
        if log_probs.ndim != 2:
            raise LayerArgumentError(
                f"{where_}(): log_probs must be (T, N, C) or (T, C); got shape "
                f"{tuple(log_probs.shape)}"
            )
        log_probs = expand_dims(log_probs, axis=1)
        targets = expand_dims(targets, axis=0)
    n = cast(int, log_probs.shape[1])
    in_lens = _lengths(where_, "input_lengths", input_lengths, n)
    tgt_lens = _lengths(where_, "target_lengths", target_lengths, n)
    steps = cast(int, log_probs.shape[0])
    if max(in_lens, default=0) > steps:
        raise LayerArgumentError(
            f"{where_}(): input_lengths must be at most the number of time steps {steps}; got "
            f"{max(in_lens)}"
        )
    flat = targets.tolist()
    if targets.ndim == 1 and batched:
        rows, start = [], 0
        for k in tgt_lens:
            rows.append(flat[start : start + k])
            start += k
    else:
        rows = [list(r)[:k] for r, k in zip(flat, tgt_lens, strict=True)]
    width = 2 * max(tgt_lens, default=0) + 1
    ext_rows = []
    for r in rows:
        e = [blank] * width
        e[1 : 2 * len(r) : 2] = r
        ext_rows.append(e)
    ext = asarray(ext_rows, device=log_probs.device)
    nll = _CTC.apply(log_probs, ext, in_lens, tgt_lens, blank, zero_infinity)
    if reduction == "mean":
        lengths = asarray([max(k, 1) for k in tgt_lens], dtype=nll.dtype, device=nll.device)
        return _reduce(nll / lengths, "mean", where_)
    if reduction == "sum":
        return _sum(nll)
    return nll if batched else squeeze(nll, axis=0)
