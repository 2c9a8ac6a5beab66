"""Binary cross entropy and the robust regression losses, as in ``torch.nn.functional``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short.
Each is a composition of the standard's operations, written so that its gradient is PyTorch's
at every point where PyTorch's is defined by a formula; ``binary_cross_entropy``'s element-wise
loss has PyTorch's derivative of its own (``_ElementwiseBCE``), which is not the derivative of
the clamped logs where a probability is within 1e-12 of 0 or 1.
"""

from __future__ import annotations

from typing import Any

from .._ops.elementwise import abs as _abs
from .._ops.elementwise import exp, log, log1p, maximum
from .._ops.indexing import check_range
from .._ops.searching import where
from .._ops.statistical import all as _all
from .._tape import name_node
from .._tensor import Tensor
from ..autograd import Function, no_grad
from ..backends._layers import BCE_EPSILON
from ._layer_kernels import binary_cross_entropy_kernel, takes_layer_kernels
from .functional import _REDUCTIONS, _floating, _reduce, _tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "huber_loss",
    "kl_div",
    "smooth_l1_loss",
]

# PyTorch clamps each log of binary_cross_entropy at -100, so that a probability of exactly
# 0 or 1 gives a large finite loss instead of inf.
_LOG_FLOOR = -100.0


def _same_shape(x: Tensor, t: Tensor, where_: str) -> None:
    if tuple(x.shape) != tuple(t.shape):
        raise ValueError(
            f"{where_}() got a target of shape {t.shape} for an input of shape {x.shape}; "
            f"they must have the same shape (reshape the target, e.g. "
            f"target.reshape(input.shape))"
        )


def _pair_of(input: Tensor, target: Tensor, where_: str) -> tuple[Tensor, Tensor]:
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    _floating(x, where_)
    _floating(t, where_, "target")
    _same_shape(x, t, where_)
    return x, t


def _clamped_log(x: Tensor) -> Tensor:
    """``max(log(x), -100)`` for x in [0, 1], with a zero gradient (not NaN) where x == 0."""
    pos = x > 0
    safe = where(pos, x, 1.0)  # log is never taken of 0, so no warning and no inf * 0
    logx = log(safe)
    return where(pos & (logx > _LOG_FLOOR), logx, _LOG_FLOOR)


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """Binary cross entropy between probabilities ``input`` and targets in [0, 1].

    ``loss = -weight * (target * log(input) + (1 - target) * log(1 - input))``, each log
    clamped at -100 as PyTorch does.

    Parameters
    ----------
    input : Tensor
        Probabilities in [0, 1] (e.g. the output of a sigmoid).
    target : Tensor
        Same shape as ``input``, values in [0, 1].
    weight : Tensor, optional
        Rescales each element's loss; broadcast against ``input``.
    reduction : {'mean', 'sum', 'none'}

    Raises
    ------
    ValueError
        When ``target`` and ``input`` differ in shape.
    RuntimeError
        When an input lies outside [0, 1] or is NaN, as PyTorch's (on a lazy backend, when
        the loss is computed).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> p = pt.asarray([0.5, 0.9])
    >>> round(float(F.binary_cross_entropy(p, pt.asarray([1.0, 1.0]))), 4)
    0.3993
    """
    where_ = "binary_cross_entropy"
    x, t = _pair_of(input, target, where_)
    if x._backend.lazy:  # (checked inside the graph: refused when computed)
        x = check_range(x, low=0, high=1, message=_OUT_OF_RANGE.format(where_))
    out: Tensor | None = None
    if (
        weight is None
        and reduction in _REDUCTIONS
        and takes_layer_kernels(x)
        and t._backend is x._backend
        and t._data.dtype == x._data.dtype
        and not t.requires_grad
    ):  # one node, its own backward
        out = binary_cross_entropy_kernel(
            x, t, reduction, lambda xs: _reduce(_ElementwiseBCE.apply(xs, t), reduction, where_)
        )
        if out is None:
            _out_of_range(where_)
        return out
    # (a NaN is out of range too, as PyTorch's check 0 <= x <= 1 says)
    if not x._backend.lazy and not bool(_all((x >= 0) & (x <= 1))):
        _out_of_range(where_)
    loss = _ElementwiseBCE.apply(x, t)
    if weight is not None:
        loss = loss * _tensor(weight, where_, "weight")
    return name_node(_reduce(loss, reduction, where_), "BinaryCrossEntropyBackward0")


def _bce(x: Tensor, t: Tensor) -> Tensor:
    """The element-wise binary cross entropy from the table's ops."""
    return -(t * _clamped_log(x) + (1 - t) * _clamped_log(1 - x))


class _ElementwiseBCE(Function):
    """The element-wise binary cross entropy (``_bce``) with PyTorch's derivatives: in the
    probability ``(x - t) / max(x (1 - x), 1e-12)``, where the clamped logs' derivative is 0
    (a probability of 0 for a target of 1 gets a large push, as PyTorch's, not none); in the
    target, ``log(1 - x) - log(x)``, each log clamped as in the loss. The same as the NumPy
    backend's kernel (``Writes.layers``), on every backend; differentiable again."""

    _node_name = "BinaryCrossEntropyBackward0"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(ctx: Any, x: Tensor, t: Tensor) -> Tensor:
        ctx.save_for_backward(x, t)
        with no_grad():
            return _bce(x, t)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = ctx.saved_tensors
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - t) / maximum(x * (1 - x), BCE_EPSILON)
        if ctx.needs_input_grad[1]:
            gt = g * (_clamped_log(1 - x) - _clamped_log(x))
        return gx, gt


_OUT_OF_RANGE = (
    "{}(): all elements of input should be between 0 and 1; pass probabilities (apply a "
    "sigmoid first) or use binary_cross_entropy_with_logits"
)


def _out_of_range(where_: str) -> None:
    raise RuntimeError(_OUT_OF_RANGE.format(where_))


def _softplus_neg(x: Tensor) -> Tensor:
    """``log(1 + exp(-x))`` without overflow; its gradient at 0 is -1/2, as PyTorch's."""
    nonneg = x >= 0
    # Each branch only sees the inputs it is chosen for, so neither exp overflows and the
    # branch not taken contributes an exact zero to the gradient.
    xp = where(nonneg, x, 0.0)
    xn = where(nonneg, 0.0, x)
    return where(nonneg, log1p(exp(-xp)), log1p(exp(xn)) - xn)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross entropy of ``sigmoid(input)``, computed from the logits without overflow.

    ``loss = weight * ((1 - target) * x + (1 + (pos_weight - 1) * target) * log(1 + exp(-x)))``,
    which is ``-weight * (pos_weight * target * log(sigmoid(x)) + (1 - target) *
    log(1 - sigmoid(x)))``.

    Parameters
    ----------
    input : Tensor
        Logits (any real values).
    target : Tensor
        Same shape as ``input``, values in [0, 1].
    weight : Tensor, optional
        Rescales each element's loss; broadcast against ``input``.
    reduction : {'mean', 'sum', 'none'}
    pos_weight : Tensor, optional
        Weight of the positive term, broadcast along the last (class) dimension.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.asarray([0.0, 2.0])
    >>> round(float(F.binary_cross_entropy_with_logits(x, pt.asarray([1.0, 0.0]))), 4)
    1.41
    """
    where_ = "binary_cross_entropy_with_logits"
    x, t = _pair_of(input, target, where_)
    sp = _softplus_neg(x)
    if pos_weight is not None:
        pw = _tensor(pos_weight, where_, "pos_weight")
        sp = sp * (1 + (pw - 1) * t)
    loss = (1 - t) * x + sp
    if weight is not None:
        loss = loss * _tensor(weight, where_, "weight")
    return name_node(_reduce(loss, reduction, where_), "BinaryCrossEntropyWithLogitsBackward0")


def smooth_l1_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", beta: float = 1.0
) -> Tensor:
    """Smooth L1 loss: ``0.5 * d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta``
    (``d = input - target``); ``beta = 0`` is the L1 loss.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.smooth_l1_loss(pt.asarray([0.5, 3.0]), pt.zeros(2), reduction="none")
    tensor([0.125, 2.5  ], backend='numpy')
    """
    where_ = "smooth_l1_loss"
    if not beta >= 0:
        raise ValueError(f"{where_}() expects beta >= 0; got {beta!r}")
    x, t = _pair_of(input, target, where_)
    d = x - t
    a = _abs(d)
    if beta == 0:
        return _reduce(a, reduction, where_)  # (PyTorch's l1_loss, its nodes too)
    # (the square sees only the values it is used for: where d is infinite its gradient,
    # masked by where, would be 0 * inf = NaN)
    q = where(a < beta, d, 0.0)
    loss = where(a < beta, (0.5 / beta) * (q * q), a - 0.5 * beta)
    return name_node(_reduce(loss, reduction, where_), "SmoothL1LossBackward0")


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0
) -> Tensor:
    """Huber loss: ``0.5 * d**2`` where ``|d| <= delta``, else ``delta * (|d| - 0.5 * delta)``
    (``d = input - target``); equals ``delta * smooth_l1_loss(..., beta=delta)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.huber_loss(pt.asarray([0.5, 3.0]), pt.zeros(2), reduction="none", delta=2.0)
    tensor([0.125, 4.   ], backend='numpy')
    """
    where_ = "huber_loss"
    if not delta > 0:
        raise ValueError(f"{where_}() expects delta > 0; got {delta!r}")
    x, t = _pair_of(input, target, where_)
    d = x - t
    a = _abs(d)
    q = where(a <= delta, d, 0.0)  # (as smooth_l1_loss's: no 0 * inf where d is infinite)
    loss = where(a <= delta, 0.5 * (q * q), delta * (a - 0.5 * delta))
    return name_node(_reduce(loss, reduction, where_), "HuberLossBackward0")


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's legacy ``size_average``/``reduce`` arguments as a ``reduction``: both None
    leave ``reduction`` as it is.

    Examples
    --------
    >>> from polytensor.nn._losses import legacy_reduction
    >>> legacy_reduction(None, False, "mean"), legacy_reduction(False, None, "mean")
    ('none', 'sum')
    """
    if size_average is None and reduce is None:
        return reduction
    return "none" if reduce is False else "sum" if size_average is False else "mean"


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """The Kullback-Leibler divergence loss, as ``torch.nn.functional.kl_div``: ``input``
    holds log-probabilities, ``target`` probabilities (``log_target``: log-probabilities),
    and each element's loss is ``target * (log(target) - input)`` (0 where ``target`` is 0;
    ``exp(target) * (target - input)`` with ``log_target``). ``reduction="batchmean"``
    divides the sum by the batch size (the divergence's definition); ``"mean"`` divides by
    the number of elements, with PyTorch's warning. It is PyTorch's composition of
    ``xlogy``, ``exp`` and arithmetic, so its derivatives are PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> p = pt.asarray([[0.25, 0.75]])
    >>> round(float(F.kl_div(pt.log(pt.asarray([[0.5, 0.5]])), p, reduction="batchmean")), 6)
    0.130812
    """
    import warnings

    from ..special import xlogy

    reduction = legacy_reduction(size_average, reduce, reduction)
    x = _tensor(input, "kl_div")
    t = _tensor(target, "kl_div", "target")
    _floating(x, "kl_div")
    _floating(t, "kl_div", "target")
    if not isinstance(log_target, bool):
        raise TypeError(f"kl_div() expects log_target to be a bool; got {log_target!r}")
    if reduction not in ("mean", "batchmean", "sum", "none"):
        raise ValueError(
            f"kl_div() got reduction={reduction!r}; expected one of 'mean', 'batchmean', "
            f"'sum', 'none'"
        )
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    # PyTorch's composition, so that every derivative is its own (target's is NaN where the
    # target is 0, as PyTorch's)
    loss = exp(t) * (t - x) if log_target else xlogy(t, t) - t * x
    if reduction == "batchmean":
        total = _reduce(loss, "sum", "kl_div")
        return total / x.shape[0] if x.ndim != 0 else total
    return _reduce(loss, reduction, "kl_div")
