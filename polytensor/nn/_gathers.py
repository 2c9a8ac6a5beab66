"""Functions that pick or combine rows: ``adaptive_max_pool1d``/``adaptive_max_pool2d``,
``bilinear`` and ``embedding_bag``, as in ``torch.nn.functional``.

``polytensor.nn.functional`` re-exports these; they live apart to keep that module short. Each
gathers with ``take``/``take_along_axis`` and reduces with the standard's operations, so it
differentiates on every backend; a maximum sends its gradient to the first maximal element,
as PyTorch's.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, cast

from .. import _dtypes as _dt
from .._ops.creation import arange, asarray, zeros
from .._ops.data_types import astype
from .._ops.indexing import check_index as _check_index
from .._ops.indexing import take, take_along_axis
from .._ops.linear_algebra import matmul
from .._ops.manipulation import expand_dims, permute_dims, reshape
from .._ops.searching import argmax, where
from .._ops.statistical import sum as _sum
from .._tensor import Tensor
from ..autograd._input_in_grad import input_in_grad
from ._errors import LayerArgumentError
from .functional import _adaptive_bins, _floating, _single, _tensor, empty_pool

__all__ = ["adaptive_max_pool1d", "adaptive_max_pool2d", "bilinear", "embedding_bag"]


def _first_max(windows: Tensor, axis: int) -> tuple[Tensor, Tensor]:
    """The maximum along ``axis`` (kept) and where it is: the first maximal element, which
    alone gets the gradient."""
    at = argmax(windows, axis=axis, keepdims=True)
    return take_along_axis(windows, at, axis=axis), at


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """2-D adaptive max pooling, as ``torch.nn.functional.adaptive_max_pool2d``: output
    position (i, j) of an (oh, ow) output is the maximum of the input's rows
    ``floor(i * H / oh)`` to ``ceil((i + 1) * H / oh)`` (exclusive) and its columns alike;
    ``return_indices`` adds each maximum's flat position ``h * W + w`` in its plane.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.reshape(pt.arange(16.0), (1, 1, 4, 4))
    >>> values, indices = F.adaptive_max_pool2d(x, (2, 1), return_indices=True)
    >>> values.flatten(), indices.flatten()
    (tensor([ 7., 15.], backend='numpy'), tensor([ 7, 15], backend='numpy'))
    """
    where_ = "adaptive_max_pool2d"
    x = _tensor(input, where_)
    if x.ndim not in (3, 4):
        raise LayerArgumentError(
            f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got shape {list(x.shape)}"
        )
    _floating(x, where_, real=True)
    if None in x.shape:
        raise ValueError(
            f"{where_}() of a tensor with unknown (lazy) shape {x.shape}; call pt.compute(x) first"
        )
    h, w = cast("tuple[int, int]", tuple(x.shape[-2:]))
    if isinstance(output_size, int) and not isinstance(output_size, bool):
        sizes: tuple[Any, Any] = (output_size, output_size)
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 2:
        sizes = (output_size[0], output_size[1])
    else:
        raise TypeError(
            f"{where_}() expects output_size to be an int or a pair of ints (None keeps the "
            f"input's size); got {output_size!r}"
        )
    oh, ow = (h if sizes[0] is None else sizes[0]), (w if sizes[1] is None else sizes[1])
    for v in (oh, ow):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise LayerArgumentError(
                f"{where_}(): elements of output_size must be greater than or equal to 0; got "
                f"{output_size!r}"
            )
    for d in range(1, x.ndim):
        if x.shape[d] == 0:
            raise LayerArgumentError(
                f"{where_}(): Expected input to have non-zero size for non-batch dimensions, "
                f"but input has sizes {list(x.shape)} with dimension {d} being empty"
            )
    if oh == 0 or ow == 0:
        shape = cast("tuple[int, ...]", (*x.shape[:-2], oh, ow))
        values = empty_pool(x, shape, where_)
        empty = zeros(shape, dtype=_dt.int64, device=x.device)
        return (values, empty) if return_indices else values
    # the flat positions of each output's window, row by row; a shorter window repeats its
    # first position (a repeat never changes the maximum, and comes after the original)
    windows = []
    for r0, r1 in _adaptive_bins(h, oh):
        for c0, c1 in _adaptive_bins(w, ow):
            windows.append([r * w + c for r in range(r0, r1) for c in range(c0, c1)])
    k = max((len(s) for s in windows), default=1)
    table = [s + [s[0]] * (k - len(s)) for s in windows]
    lead = tuple(x.shape[:-2])
    x = input_in_grad(x)  # (its gradient depends on it, as PyTorch's)
    flat = reshape(x, (*lead, h * w))
    positions = asarray(table, dtype=_dt.int64, device=x.device)
    gathered = take(flat, reshape(positions, (-1,)), axis=-1)
    gathered = reshape(gathered, (*lead, oh, ow, k))
    values, at = _first_max(gathered, -1)
    values = values[..., 0]
    if not return_indices:
        return values
    # each output's window starts at (its number) * k in the table
    starts = reshape(arange(oh * ow, dtype=_dt.int64, device=x.device) * k, (oh, ow, 1))
    where_at = take(reshape(positions, (-1,)), reshape(starts + at, (-1,)), axis=0)
    return values, reshape(where_at, (*lead, oh, ow))


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """1-D adaptive max pooling over (N, C, L) or (C, L) inputs, as
    ``torch.nn.functional.adaptive_max_pool1d``: ``adaptive_max_pool2d`` with a height of 1.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.adaptive_max_pool1d(pt.asarray([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2)
    tensor([[[3., 5.]]], backend='numpy')
    """
    where_ = "adaptive_max_pool1d"
    x = _tensor(input, where_)
    if x.ndim not in (2, 3):
        raise LayerArgumentError(
            f"adaptive_max_pool1d(): Expected 2D or 3D tensor, but got shape {list(x.shape)}"
        )
    n = _single(output_size, "output_size", where_)
    out = adaptive_max_pool2d(expand_dims(x, axis=-2), (1, n), return_indices)
    if return_indices:
        return out[0][..., 0, :], out[1][..., 0, :]
    return out[..., 0, :]


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y[..., k] = input1 @ weight[k] @ input2 + bias[k]``, as
    ``torch.nn.functional.bilinear``: ``input1`` (..., in1), ``input2`` (..., in2), ``weight``
    (out, in1, in2), ``bias`` (out,).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.bilinear(pt.asarray([[1.0, 2.0]]), pt.asarray([[3.0]]), pt.ones((1, 2, 1)))
    tensor([[9.]], backend='numpy')
    """
    where_ = "bilinear"
    a, b = _tensor(input1, where_, "input1"), _tensor(input2, where_, "input2")
    w = _tensor(weight, where_, "weight")
    _dt.check_same_dtype(  # (one dtype, as PyTorch's bilinear)
        "bilinear()",
        ("input1", a.dtype),
        ("input2", b.dtype),
        ("weight", w.dtype),
        ("bias", getattr(bias, "dtype", None)),
    )
    if a.ndim != b.ndim:
        raise LayerArgumentError(
            f"bilinear(): input dimensions do not match: got {a.ndim} and {b.ndim}"
        )
    if a.ndim == 0 or tuple(a.shape[:-1]) != tuple(b.shape[:-1]):
        raise LayerArgumentError(
            f"bilinear(): input batch dimensions do not match: got {list(a.shape[:-1])} and "
            f"{list(b.shape[:-1])}"
        )
    if w.ndim != 3:
        raise LayerArgumentError(
            f"bilinear(): weight must be 3-D (out_features, in1_features, in2_features); got "
            f"shape {list(w.shape)}"
        )
    out, in1, in2 = w.shape
    for name, x, n in (("input1", a, in1), ("input2", b, in2)):
        if x.shape[-1] != n:
            raise LayerArgumentError(
                f"bilinear(): {name} size does not match weight size: got {x.shape[-1]} but "
                f"expected {n}"
            )
    lead = tuple(a.shape[:-1])
    if None in lead or None in (out, in1, in2):
        raise ValueError("bilinear() of a tensor with unknown (lazy) shape; compute it first")
    o, i1, i2 = cast("tuple[int, int, int]", (out, in1, in2))
    # (x1 @ W as one matrix product: (rows, in1) @ (in1, out * in2))
    left = matmul(reshape(a, (-1, i1)), reshape(permute_dims(w, (1, 0, 2)), (i1, o * i2)))
    y = _sum(reshape(left, (-1, o, i2)) * expand_dims(reshape(b, (-1, i2)), axis=1), axis=-1)
    if bias is not None:
        bb = _tensor(bias, where_, "bias")
        if tuple(bb.shape) != (o,):
            raise LayerArgumentError(
                f"bilinear(): bias must have shape ({o},), one value per output; got "
                f"{list(bb.shape)}"
            )
        y = y + bb
    return reshape(y, (*lead, o))


_BAG_MODES = ("sum", "mean", "max")


def _bags_of(ids: Tensor, offsets: Tensor | None, include_last_offset: bool) -> tuple[Any, Any]:
    """The bags as an (B, L) table of positions in the flat ids (None: the ids are 2-D, one
    bag a row) and its (B, L) mask of real entries (None: all are)."""
    if ids.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "embedding_bag(): if input is 2D, then offsets has to be None, as input is "
                "treated is a mini-batch of fixed length sequences; pass a 1-D input to use "
                "offsets"
            )
        return None, None
    if ids.ndim != 1:
        raise ValueError(
            f"embedding_bag(): input has to be 1D or 2D Tensor, but got Tensor of dimension "
            f"{ids.ndim}"
        )
    if offsets is None:
        raise ValueError("embedding_bag(): offsets has to be a 1D Tensor but got None")
    offs = _tensor(offsets, "embedding_bag", "offsets")
    if offs.ndim != 1:
        raise ValueError(
            f"embedding_bag(): offsets has to be a 1D Tensor; got shape {list(offs.shape)}"
        )
    if offs.dtype not in (_dt.int32, _dt.int64):
        raise TypeError(f"embedding_bag(): offsets must be int32 or int64; got {offs.dtype.name}")
    n = cast("int", ids.shape[0])
    # (the bags' boundaries decide the table: read on the host, computed on a lazy backend)
    starts = [int(v) for v in offs.tolist()]
    if starts and starts[0] != 0:
        raise LayerArgumentError(
            f"embedding_bag(): offsets[0] has to be 0, i.e., the first sequence in the "
            f"mini-batch has to start from position 0. However, got {starts[0]}"
        )
    if any(a > b for a, b in itertools.pairwise(starts)) or (starts and starts[-1] > n):
        raise LayerArgumentError(
            f"embedding_bag(): offsets must be non-decreasing and at most the input's length "
            f"({n}); got {starts}"
        )
    ends = starts[1:] if include_last_offset else [*starts[1:], n]
    starts = starts[:-1] if include_last_offset else starts
    k = max((e - s for s, e in zip(starts, ends, strict=True)), default=0)
    k = max(k, 1)
    table = [[min(s + j, max(n - 1, 0)) for j in range(k)] for s in starts]
    real = [[s + j < e for j in range(k)] for s, e in zip(starts, ends, strict=True)]
    return table, real


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """The sums, means or maxima of bags of ``weight``'s rows, as
    ``torch.nn.functional.embedding_bag``: a 2-D ``input`` holds one bag of ids a row; a 1-D
    one holds the bags one after another, bag i starting at ``offsets[i]`` (with
    ``include_last_offset``, the last offset ends the last bag). ``per_sample_weights``
    (``mode="sum"`` only) scales each id's row; ids equal to ``padding_idx`` are left out;
    an empty bag gives zeros. On a lazy backend the offsets are computed (they decide the
    bags).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> w = pt.asarray([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    >>> F.embedding_bag(pt.asarray([0, 1, 2]), w, pt.asarray([0, 2]), mode="sum")
    tensor([[1., 1.],
            [2., 2.]], backend='numpy')
    """
    where_ = "embedding_bag"
    ids = _tensor(input, where_)
    w = _tensor(weight, where_, "weight")
    if ids.dtype not in (_dt.int32, _dt.int64):
        raise TypeError(
            f"embedding_bag(): expected the indices to have dtype int64 or int32; got "
            f"{ids.dtype.name}"
        )
    if w.ndim != 2:
        raise ValueError(f"embedding_bag(): weight has to be a 2D Tensor, but got {w.ndim}D")
    if mode not in _BAG_MODES:
        raise ValueError(f"embedding_bag(): mode has to be one of sum, mean or max; got {mode!r}")
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "embedding_bag(): max_norm=, scale_grad_by_freq=True and sparse=True are not "
            "implemented; renormalise or scale the weight yourself"
        )
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}')"
            )
        psw = _tensor(per_sample_weights, where_, "per_sample_weights")
        if tuple(psw.shape) != tuple(ids.shape):
            raise ValueError(
                f"embedding_bag(): per_sample_weights has to be of the same shape as input "
                f"({list(ids.shape)}); got {list(psw.shape)}"
            )
    n, d = cast("tuple[int, int]", tuple(w.shape))
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise ValueError(f"embedding_bag(): padding_idx must be within num_embeddings ({n})")
        padding_idx %= n
    table, real = _bags_of(ids, offsets, include_last_offset)
    flat = _check_index(reshape(ids, (-1,)), size=n, ignore=None, where=where_, what="id")
    if table is None:
        bag_ids = reshape(flat, tuple(ids.shape))
        scale = per_sample_weights
        keep: Any = None
    else:
        if not table:
            return w[:0] * 1
        positions = asarray(table, dtype=_dt.int64, device=w.device)
        bag_ids = reshape(take(flat, reshape(positions, (-1,)), axis=0), tuple(positions.shape))
        keep = asarray(real, dtype=_dt.bool, device=w.device)
        scale = None
        if per_sample_weights is not None:
            picked = take(per_sample_weights, reshape(positions, (-1,)), axis=0)
            scale = reshape(picked, tuple(positions.shape))
    if padding_idx is not None:
        keep = (bag_ids != padding_idx) if keep is None else keep & (bag_ids != padding_idx)
    b, k = cast("tuple[int, int]", tuple(bag_ids.shape))
    rows = reshape(take(w, reshape(bag_ids, (-1,)), axis=0), (b, k, d))
    if scale is not None:
        rows = rows * expand_dims(scale, axis=-1)
    if mode == "max":
        if keep is not None:
            rows = where(expand_dims(keep, axis=-1), rows, -math.inf)
        best, _ = _first_max(rows, 1)
        best = best[:, 0]
        if keep is None:
            return best
        return where(expand_dims(_sum(astype(keep, _dt.int64), axis=1) > 0, axis=-1), best, 0.0)
    if keep is not None:
        rows = where(expand_dims(keep, axis=-1), rows, 0.0)
    total = _sum(rows, axis=1)
    if mode == "sum":
        return total
    if keep is None:
        return total / k if k else total
    count = astype(_sum(astype(keep, _dt.int64), axis=1), w.dtype)
    return total / expand_dims(where(count > 0, count, 1.0), axis=-1)
