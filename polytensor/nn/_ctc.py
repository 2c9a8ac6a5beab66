"""The connectionist temporal classification loss (``F.ctc_loss``, ``nn.CTCLoss``), as PyTorch's.

The negative log-likelihood of each target sequence under all alignments of it with the input's
frames (Graves et al., 2006), by the forward (alpha) recursion in log space over the frames,
vectorized over the batch and the positions of the target extended with blanks. One
``Function`` node: its backward runs the backward (beta) recursion and gives PyTorch's
gradient, ``exp(log_probs) - posterior``, the gradient with respect to the logits behind a
``log_softmax`` (through which it gives the same gradient as the true one of the log
probabilities). Written with the library's operations, it runs on every backend.
"""

from __future__ import annotations

from typing import Any

from .. import _dtypes as _dt
from .._ops.creation import arange, asarray, full, zeros
from .._ops.data_types import astype
from .._ops.elementwise import exp, isinf, logaddexp
from .._ops.indexing import take_along_axis
from .._ops.manipulation import broadcast_to, concat, expand_dims, permute_dims, reshape
from .._ops.searching import where
from .._tensor import Tensor
from ..autograd import Function, is_grad_enabled, no_grad
from ._errors import LayerArgumentError
from .functional import _floating, _reduce, _tensor

__all__ = ["ctc_loss"]

_WHERE = "ctc_loss"


def _lengths(v: Any, name: str, n: int) -> list[int]:
    """``input_lengths`` or ``target_lengths`` as n Python ints (a tensor, a list or tuple of
    ints, or an int for an unbatched input)."""
    if isinstance(v, Tensor):
        if v.dtype.kind not in ("signed integer", "unsigned integer"):
            raise TypeError(
                f"{_WHERE}() expects {name} of an integer dtype; got {v.dtype}; give "
                f"integer lengths (one a sequence)"
            )
        vals = v.tolist()
        vals = vals if isinstance(vals, list) else [vals]
    elif isinstance(v, int) and not isinstance(v, bool):
        vals = [v]
    elif isinstance(v, (list, tuple)) and all(
        isinstance(x, int) and not isinstance(x, bool) for x in v
    ):
        vals = list(v)
    else:
        raise TypeError(
            f"{_WHERE}() expects {name} as an integer tensor or a tuple of ints; got "
            f"{type(v).__name__}"
        )
    if len(vals) != n:
        raise LayerArgumentError(
            f"{_WHERE}() got {len(vals)} {name} for a batch of {n}; give one length a sequence"
        )
    if any(x < 0 for x in vals):
        raise LayerArgumentError(f"{_WHERE}() got a negative length in {name}: {vals}")
    return vals


def _targets(targets: Any, n: int, target_lens: list[int]) -> list[list[int]]:
    """Each sequence's target labels: from the rows of an (N, S) tensor of padded targets,
    or from one 1-D tensor of them all, concatenated."""
    _tensor(targets, _WHERE, "targets")
    if targets.dtype.kind not in ("signed integer", "unsigned integer"):
        raise TypeError(
            f"{_WHERE}() expects targets of an integer dtype; got {targets.dtype}; give "
            f"class indices (cast them with .long())"
        )
    rows = targets.tolist()
    if targets.ndim == 2:
        if targets.shape[0] != n:
            raise LayerArgumentError(
                f"{_WHERE}() got targets of shape {tuple(targets.shape)} for a batch of {n}; "
                f"expected ({n}, S) padded targets or their concatenation, 1-D"
            )
        if any(s > targets.shape[1] for s in target_lens):
            raise LayerArgumentError(
                f"{_WHERE}() got target_lengths {target_lens} longer than the targets' "
                f"{targets.shape[1]} columns"
            )
        return [row[:s] for row, s in zip(rows, target_lens, strict=True)]
    if targets.ndim == 1:
        if n == 1 and len(rows) >= target_lens[0]:
            return [rows[: target_lens[0]]]
        if sum(target_lens) != len(rows):
            raise LayerArgumentError(
                f"{_WHERE}() got {len(rows)} concatenated targets but target_lengths summing "
                f"to {sum(target_lens)}; they must agree"
            )
        out, i = [], 0
        for s in target_lens:
            out.append(rows[i : i + s])
            i += s
        return out
    raise LayerArgumentError(
        f"{_WHERE}() expects targets 1-D (concatenated) or 2-D (N, S); got "
        f"{targets.ndim}-D of shape {tuple(targets.shape)}"
    )


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The connectionist temporal classification loss, as ``torch.nn.functional.ctc_loss``.

    ``log_probs`` (T, N, C) (or (T, C) for one sequence) are log-probabilities over C classes
    at T frames, such as ``log_softmax(dim=2)``'s; ``targets`` are class indices, (N, S)
    padded or 1-D concatenated; ``input_lengths`` and ``target_lengths`` give each
    sequence's number of frames and of labels. The loss of a sequence is the negative
    log-likelihood of its target over all its alignments; ``reduction="mean"`` divides each by
    its target length, then averages over the batch. A target that no alignment can produce
    gives an infinite loss, or 0 (and no gradient) with ``zero_infinity=True``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> lp = pt.full((2, 1, 2), 0.5).log()  # two frames, classes {blank, 1}
    >>> round(float(F.ctc_loss(lp, pt.asarray([[1]]), [2], [1], reduction="sum")), 4)
    0.2877
    """
    _tensor(log_probs, _WHERE, "log_probs")
    _floating(log_probs, _WHERE, "log_probs", real=True)
    if log_probs.ndim not in (2, 3):
        raise LayerArgumentError(
            f"{_WHERE}() expects log_probs (T, N, C) or (T, C); got shape {tuple(log_probs.shape)}"
        )
    if reduction not in ("mean", "sum", "none"):
        _reduce(log_probs, reduction, _WHERE)  # (its error)
    unbatched = log_probs.ndim == 2
    lp = expand_dims(log_probs, axis=1) if unbatched else log_probs
    if None in lp.shape:
        raise LayerArgumentError(
            f"{_WHERE}() got log_probs of unknown shape {tuple(lp.shape)}; compute it first "
            f"(a boolean mask left a length unknown)"
        )
    t_max, n, c = (int(s or 0) for s in lp.shape)  # (known: checked above)
    if not isinstance(blank, int) or isinstance(blank, bool) or not 0 <= blank < c:
        raise LayerArgumentError(
            f"{_WHERE}() got blank={blank!r}; expected a class index in [0, {c})"
        )
    in_lens = _lengths(input_lengths, "input_lengths", n)
    tg_lens = _lengths(target_lengths, "target_lengths", n)
    if any(x > t_max for x in in_lens):
        raise LayerArgumentError(
            f"{_WHERE}() got input_lengths {in_lens} longer than the input's {t_max} frames"
        )
    seqs = _targets(targets, n, tg_lens)
    for seq in seqs:
        for k in seq:
            if not 0 <= k < c or k == blank:
                raise LayerArgumentError(
                    f"{_WHERE}() got target label {k}; expected class indices in [0, {c}) "
                    f"other than blank={blank}"
                )
    nll: Tensor = _CTC.apply(lp, seqs, in_lens, blank, zero_infinity)
    if unbatched:
        nll = reshape(nll, ())
    if reduction == "mean":
        dev = log_probs.device
        div = asarray([max(s, 1) for s in tg_lens], dtype=nll.dtype, device=dev)
        mean: Tensor = (nll / (div if not unbatched else reshape(div, ()))).mean()
        return mean
    if reduction == "sum":
        total: Tensor = nll.sum()
        return total
    return nll


def _minus_inf(lp: Any, n: int, width: int) -> tuple[Any, Any, Any]:
    """-inf (log 0) of shapes (N, L), (N, 1) and (N, 2) in ``lp``'s dtype: the recursions'
    impossible positions and their shifted-in columns."""
    return tuple(  # type: ignore[return-value]
        full(shape, -float("inf"), dtype=lp.dtype, device=lp.device)
        for shape in ((n, width), (n, 1), (n, 2))
    )


class _CTC(Function):
    """Each sequence's negative log-likelihood (N,) of ``log_probs`` (T, N, C), by the alpha
    recursion; backward by the beta recursion (PyTorch's gradient)."""

    _node_name = "CtcLossBackward0"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(
        ctx: Any, lp: Any, seqs: list[list[int]], in_lens: list[int], blank: int, zinf: bool
    ) -> Any:
        t_max, n, _ = lp.shape
        dev = lp.device
        s_max = max((len(s) for s in seqs), default=0)
        width = 2 * s_max + 1
        # the targets extended with blanks (blank, l1, blank, l2, ..., blank), padded with blanks
        ext_rows = []
        skip_rows = []  # position s may come from s - 2 (a label unlike the one two before)
        for seq in seqs:
            ext = [blank] * width
            for k, lab in enumerate(seq):
                ext[2 * k + 1] = lab
            ext_rows.append(ext)
            skip_rows.append(
                [s >= 2 and ext[s] != blank and ext[s] != ext[s - 2] for s in range(width)]
            )
        ext_t = asarray(ext_rows, dtype=_dt.int64, device=dev)  # (N, L)
        skip = asarray(skip_rows, dtype=_dt.bool, device=dev)
        pos = arange(width, device=dev)
        ends = asarray([2 * len(s) for s in seqs], dtype=_dt.int64, device=dev)
        valid = expand_dims(pos, axis=0) <= expand_dims(ends, axis=1)  # (N, L)
        lens = asarray(in_lens, dtype=_dt.int64, device=dev)
        # log-probabilities of each extended position's label at each frame: (T, N, L)
        lpe = take_along_axis(
            lp, broadcast_to(expand_dims(ext_t, axis=0), (t_max, n, width)), axis=2
        )
        neg, neg1, neg2 = _minus_inf(lp, n, width)
        first = valid & (expand_dims(pos, axis=0) <= 1) & expand_dims(lens > 0, axis=1)
        alpha = where(first, lpe[0], neg)
        alphas = [alpha]
        for t in range(1, t_max):
            a1 = concat([neg1, alpha[:, :-1]], axis=1)
            a2 = where(skip, concat([neg2, alpha[:, :-2]], axis=1), neg)
            new = where(valid, logaddexp(logaddexp(alpha, a1), a2) + lpe[t], neg)
            alpha = where(expand_dims(lens > t, axis=1), new, alpha)  # (frozen after its length)
            alphas.append(alpha)
        # the paths that end on the last label or the blank after it
        last = take_along_axis(alpha, expand_dims(ends, axis=1), axis=1)[:, 0]
        before = take_along_axis(alpha, expand_dims(ends - 1, axis=1) % width, axis=1)[:, 0]
        before = where(ends > 0, before, full((n,), -float("inf"), dtype=lp.dtype, device=dev))
        nll = -logaddexp(last, before)
        inf = isinf(nll)
        if zinf:
            nll = where(inf, zeros((n,), dtype=lp.dtype, device=dev), nll)
        ctx.save_for_backward(lp)
        ctx.parts = (lpe, alphas, ext_t, skip, valid, ends, lens, nll, inf, zinf)
        return nll

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if is_grad_enabled():  # create_graph: the gradient, which cannot be differentiated
            (lp,) = ctx.saved_tensors
            with no_grad():
                grad = _gradient(ctx, g.detach())
            return _NoSecondDerivative.apply(grad, lp, g), None, None, None, None
        return _gradient(ctx, g), None, None, None, None


class _NoSecondDerivative(Function):
    """``value`` as it is, attached to the tensors it was computed from; differentiating it
    raises (PyTorch's ctc_loss has no second derivative either)."""

    @staticmethod
    def forward(ctx: Any, value: Any, *sources: Any) -> Any:
        return value.clone()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise NotImplementedError(
            "ctc_loss() has no second derivative (PyTorch's has none either); differentiate "
            "its gradient no further, or call backward() without create_graph=True"
        )


def _gradient(ctx: Any, g: Any) -> Any:
    """PyTorch's gradient of the log-probabilities, ``exp(log_probs) - posterior``, for the
    cotangent ``g`` (N,) of the losses: the beta recursion, then each position's share of the
    paths at each frame, added into its label's class."""
    (lp,) = ctx.saved_tensors
    lpe, alphas, ext_t, skip, valid, ends, lens, nll, inf, zinf = ctx.parts
    t_max, n, c = lp.shape
    width = ext_t.shape[1]
    dev = lp.device
    neg, neg1, neg2 = _minus_inf(lp, n, width)
    pos = expand_dims(arange(width, device=dev), axis=0)
    # where each sequence's paths end: its last label and the blank after it
    final = valid & ((pos == expand_dims(ends, axis=1)) | (pos == expand_dims(ends - 1, axis=1)))
    skip_next = concat([skip[:, 2:], zeros((n, 2), dtype=_dt.bool, device=dev)], axis=1)
    beta = neg
    post = []
    for t in range(t_max - 1, -1, -1):
        b1 = concat([beta[:, 1:], neg1], axis=1)
        b2 = where(skip_next, concat([beta[:, 2:], neg2], axis=1), neg)
        step = where(valid, logaddexp(logaddexp(beta, b1), b2) + lpe[t], neg)
        at_end = expand_dims(lens == t + 1, axis=1)
        inside = expand_dims(lens > t + 1, axis=1)
        beta = where(at_end, where(final, lpe[t], neg), where(inside, step, neg))
        post.append(alphas[t] + beta)
    post.reverse()
    lcab = concat([expand_dims(p, axis=0) for p in post], axis=0)  # (T, N, L)
    # each position's share of the paths at each frame, added into its label's class
    # (none where no path passes; NaN for a sequence no alignment produces, as PyTorch's)
    impossible = expand_dims(inf, axis=1)
    finite_nll = where(inf, zeros((), dtype=lp.dtype, device=dev), nll)
    share = exp(lcab + expand_dims(finite_nll, axis=1) - lpe)
    share = where(isinf(lcab), zeros((), dtype=lp.dtype, device=dev), share)
    if not zinf:
        share = where(impossible, full((), float("nan"), dtype=lp.dtype, device=dev), share)
    onehot = astype(expand_dims(ext_t, axis=2) == arange(c, device=dev), lp.dtype)
    gamma = permute_dims(permute_dims(share, (1, 0, 2)) @ onehot, (1, 0, 2))  # (T, N, C)
    frames = expand_dims(
        expand_dims(arange(t_max, device=dev), axis=1) < expand_dims(lens, axis=0), axis=2
    )
    grad = where(frames, exp(lp) - gamma, zeros((), dtype=lp.dtype, device=dev))
    grad = grad * expand_dims(expand_dims(g, axis=0), axis=2)
    if zinf:  # (no gradient from a loss set to zero)
        grad = where(expand_dims(impossible, axis=0), zeros((), dtype=lp.dtype, device=dev), grad)
    return grad
