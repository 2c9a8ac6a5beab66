"""NumPy's stride-1 ``conv2d`` (one group) in two layouts, forward and backward, chosen by
``_windows`` for the sizes where each is faster than columns copied per sample.

- Batch last (``batch_last``), for small layers: the input transposed once to (C, Hp, Wp, N),
  the padding written around it in the same copy; its columns (C * kh * kw, Ho * Wo * N) are
  then ``kh * kw`` copies of runs of ``Wo * N`` elements (per sample they are runs of ``Wo``,
  ~5x slower at ResNet's 7x7 and LeNet's 10x10), and each product is one over the whole
  batch, where columns per sample take one small product per sample. The output's gradient
  takes the same layout (one transposing copy), the weight's gradient is one product, and
  the input's is the columns' gradient added tap by tap into (C, Hp, Wp * N), cropped by the
  padding in the copy back to (N, C, H, W). Every term is one of the direct convolution's.
  The transposing copies of the output and its gradient cost most where they are large, and
  into the layout, with few samples, they copy runs of N elements; hence the limits.

- Wide, per sample (``conv2d_wide``, ``backward_wide``), for large layers: the columns of
  ``m`` samples at a time (about ``_windows._CHUNK_BYTES``, within a core's L2 cache), each
  row (tap, channel) the run of ``Ho * W`` elements of the flat input from the channel's start
  plus the tap's offset: one copy per tap for the chunk, and every product per sample. The
  ``W - Wo`` positions past each output row read the next row; the forward drops them (one
  copy into the output), the backward multiplies them by zeros of the output's gradient. The
  output's gradient is laid "extra wide", (O, H, W), zeros past Ho and Wo (a buffer whose
  zeros are written once), so that the columns' gradient (kh * kw, C, H * W) of a sample
  adds into the input's gradient in one contiguous run per tap: ~2x faster than runs of
  ``Ho * W`` per channel (MNIST's 32 to 64 channel layer at batch 64), for products ~8%
  larger. A product 0 * inf at those positions is caught: the weight is checked before the
  input's gradient (its columns' gradient is then zeroed there), the weight's gradient after
  (taken again with those columns zeroed, should it not be finite).

Examples
--------
>>> import numpy as np
>>> from polytensor.backends import _stride_one
>>> x, w = np.ones((2, 3, 5, 5)), np.ones((4, 3, 3, 3))
>>> geometry = ((3, 3), (1, 1), (1, 1), (3, 3))
>>> out, cols = _stride_one.conv2d_batch_last(x, w, geometry, True, (0, 0, 0, 0))
>>> out[0, 0, 0], cols.shape
(array([27., 27., 27.]), (27, 18))
>>> g = np.ones(out.shape)
>>> gx, gw = _stride_one.backward_batch_last(x.shape, w, g, cols, geometry, True, True)
>>> gx[1, 2, 0], gw[3, 1, 0]
(array([ 4.,  8., 12.,  8.,  4.]), array([18., 18., 18.]))
>>> out2 = _stride_one.conv2d_wide(x, w, geometry)
>>> gx2, gw2 = _stride_one.backward_wide(x, w, g, geometry, True, True)
>>> bool((out2 == out).all() and (gx2 == gx).all() and (gw2 == gw).all())
True
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "backward_batch_last",
    "backward_wide",
    "batch_last",
    "bias_pattern",
    "columns_batch_last",
    "conv2d_batch_last",
    "conv2d_wide",
]

# the output's elements up to which a stride-1 convolution goes batch last whatever its
# channels; and, with at least ``_BATCH_LAST_MIN_ROWS`` rows of columns, at least
# ``_BATCH_LAST_MIN_OUT`` output channels and ``_BATCH_LAST_MIN_N`` samples, up to
# ``_BATCH_LAST_MAX`` (forward and backward in one process, against columns per sample:
# ResNet's 8 channels at 7x7, batch 16, 0.27 ms to 0.16; the 60-minute tutorial's second
# layer at batch 64, 3.5 to 3.3; its first, 6 channels of 28x28 from 3 at batch 4, 0.22 to
# 0.41: past the limits)
_BATCH_LAST_SMALL = 1 << 14
_BATCH_LAST_MAX = 1 << 17
_BATCH_LAST_MIN_ROWS = 128
_BATCH_LAST_MIN_OUT = 16
_BATCH_LAST_MIN_N = 16


def batch_last(shape: Any, o: int, geometry: Any, itemsize: int, keep_bytes: int) -> bool:
    """Whether the stride-1 convolution of a padded input of ``shape`` (N, C, Hp, Wp) to ``o``
    channels goes batch last: a kernel larger than 1x1, columns of at most ``keep_bytes`` for
    the batch, and a small output (see ``_BATCH_LAST_SMALL``).

    Examples
    --------
    >>> from polytensor.backends._stride_one import batch_last
    >>> batch_last((16, 8, 9, 9), 8, ((3, 3), (1, 1), (1, 1), (7, 7)), 4, 1 << 23)
    True
    >>> batch_last((64, 32, 26, 26), 64, ((3, 3), (1, 1), (1, 1), (24, 24)), 4, 1 << 23)
    False
    """
    (kh, kw), stride, _, (ho, wo) = geometry
    n, c = shape[:2]
    rows, out = c * kh * kw, n * o * ho * wo
    if stride != (1, 1) or (kh, kw) == (1, 1) or n * rows * ho * wo * itemsize > keep_bytes:
        return False
    return out <= _BATCH_LAST_SMALL or (
        out <= _BATCH_LAST_MAX
        and rows >= _BATCH_LAST_MIN_ROWS
        and o >= _BATCH_LAST_MIN_OUT
        and n >= _BATCH_LAST_MIN_N
    )


def conv2d_batch_last(
    xd: Any, wd: Any, geometry: Any, keep_cols: bool, padding: Any, bias: Any = None
) -> tuple[Any, Any]:
    """``conv2d`` (stride 1) of ``xd`` (N, C, H, W) padded with ``padding`` (top, bottom,
    left, right) zeros, by ``wd`` (O, C, kh, kw), plus ``bias`` (O,) if given, batch last.
    Returns the output (N, O, Ho, Wo), C-contiguous, and with ``keep_cols`` the columns (C *
    kh * kw, Ho * Wo * N)."""
    import numpy as np

    ho, wo = geometry[3]
    n, o = xd.shape[0], wd.shape[0]
    cols = columns_batch_last(xd, geometry, padding)
    res = np.matmul(wd.reshape(o, -1), cols)  # (O, Ho * Wo * N)
    if bias is not None:
        res += bias[:, None]
    out = np.ascontiguousarray(res.reshape(o * ho * wo, n).T).reshape(n, o, ho, wo)
    return out, (cols if keep_cols else None)


def columns_batch_last(xd: Any, geometry: Any, padding: Any) -> Any:
    """The columns (C * kh * kw, Ho * Wo * N) of ``xd`` (N, C, H, W) padded with ``padding``
    (top, bottom, left, right) zeros, for a stride-1 ``geometry``: row (c, ki, kj), the
    elements each output position (i, j) reads there, for every sample (the batch last)."""
    import numpy as np

    (kh, kw), _, (dh, dw), (ho, wo) = geometry
    n, c, h, w = xd.shape
    top, bottom, left, right = padding
    if any(padding):
        xt = np.zeros((c, h + top + bottom, w + left + right, n), xd.dtype)
        xt[:, top : top + h, left : left + w] = xd.transpose(1, 2, 3, 0)
    else:
        xt = np.ascontiguousarray(xd.reshape(n, c * h * w).T).reshape(c, h, w, n)
    cols = np.empty((c, kh, kw, ho, wo, n), xd.dtype)
    for ki in range(kh):
        for kj in range(kw):
            # (a tap's rows: runs of Wo * N elements)
            cols[:, ki, kj] = xt[:, ki * dh : ki * dh + ho, kj * dw : kj * dw + wo]
    return cols.reshape(c * kh * kw, ho * wo * n)


def backward_batch_last(
    shape: Any,
    wd: Any,
    gd: Any,
    cols: Any,
    geometry: Any,
    need_x: bool,
    need_w: bool,
    padding: Any = (0, 0, 0, 0),
) -> tuple[Any, Any]:
    """The gradients of ``conv2d_batch_last`` (of an input of ``shape``, (N, C, H, W), padded
    with ``padding``) for the output's gradient ``gd``: the input's (None unless ``need_x``)
    and the weight's (None unless ``need_w``; from ``cols``, the forward's columns)."""
    import numpy as np

    (kh, kw), _, (dh, dw), (ho, wo) = geometry
    n, c, h, w = shape
    top, bottom, left, right = padding
    hp, wp = h + top + bottom, w + left + right
    o, rows = wd.shape[0], c * kh * kw
    gt = np.ascontiguousarray(gd.reshape(n, o * ho * wo).T).reshape(o, ho * wo * n)
    gx = gw = None
    if need_w:
        # (C * kh * kw, O), then transposed: ~20% faster than the product giving (O, C*kh*kw)
        gw = np.ascontiguousarray(np.matmul(cols, gt.T).T).reshape(wd.shape)
    if need_x:
        gcols = np.matmul(wd.reshape(o, rows).T, gt).reshape(c, kh, kw, ho, wo * n)
        acc = np.zeros((c, hp, wp * n), gcols.dtype)
        for ki in range(kh):
            for kj in range(kw):
                r0, c0 = ki * dh, kj * dw * n
                acc[:, r0 : r0 + ho, c0 : c0 + wo * n] += gcols[:, ki, kj]
        if any(padding):
            crop = acc.reshape(c, hp, wp, n)[:, top : top + h, left : left + w]
            gx = np.ascontiguousarray(crop.transpose(3, 0, 1, 2))
        else:
            gx = np.ascontiguousarray(acc.reshape(c * h * w, n).T).reshape(shape)
    return gx, gw


def _chunks(n: int, sample_bytes: int, chunk_bytes: int) -> list[tuple[int, int]]:
    """The batch ``range(n)`` cut into runs of samples whose columns (``sample_bytes`` each)
    take about ``chunk_bytes``."""
    step = max(1, chunk_bytes // max(1, sample_bytes))
    return [(n0, min(n, n0 + step)) for n0 in range(0, n, step)]


def _source(x: Any, n0: int, n1: int, reach: int) -> Any:
    """The C-contiguous input ``x`` (N, C, H, W) flat from sample ``n0``, readable ``reach``
    elements past sample ``n1``: a view, or for the batch's last samples a copy with zeros
    after them."""
    import numpy as np

    per = x[0].size
    flat = x.reshape(-1)
    if n1 < x.shape[0] or not reach:  # (reach < H * W: the next sample's elements)
        return flat[n0 * per :]
    src = np.zeros((n1 - n0) * per + reach, x.dtype)
    src[: (n1 - n0) * per] = flat[n0 * per :]
    return src


def _wide_columns(src: Any, m: int, shape: Any, geometry: Any, buf: Any) -> Any:
    """The wide columns (m, kh * kw * C, Ho * W) of the ``m`` samples (of ``shape``'s C, H,
    W) that the flat ``src`` starts with (``_source``), written into ``buf``: row (tap,
    channel) of a sample, the run of ``Ho * W`` elements from the channel's start plus the
    tap's offset."""
    (kh, kw), _, (dh, dw), (ho, _) = geometry
    c, h, w = shape[1:]
    per = c * h * w
    cols = buf[:m].reshape(m, kh * kw, c, ho * w)
    for ki in range(kh):
        for kj in range(kw):
            start = ki * dh * w + kj * dw
            runs = src[start : start + m * per].reshape(m, c, h * w)[:, :, : ho * w]
            cols[:, ki * kw + kj] = runs
    return cols.reshape(m, kh * kw * c, ho * w)


def _tap_major(wd: Any) -> Any:
    """The weight (O, C, kh, kw) as a matrix (O, kh * kw * C): the wide columns' row order."""
    import numpy as np

    o = wd.shape[0]
    return np.ascontiguousarray(wd.transpose(0, 2, 3, 1)).reshape(o, -1)


def conv2d_wide(
    xd: Any, wd: Any, geometry: Any, chunk_bytes: int = 1 << 21, bias: Any = None
) -> Any:
    """``conv2d`` (stride 1) of the padded input ``xd`` (N, C, H, W) by ``wd`` on wide
    columns, ``chunk_bytes`` of them at a time, plus ``bias`` (O,) if given (added as the
    products' results are cropped into the output); the output (N, O, Ho, Wo),
    C-contiguous."""
    import numpy as np

    (kh, kw), _, (dh, dw), (ho, wo) = geometry
    n, c, _, w = xd.shape
    o, rows = wd.shape[0], c * kh * kw
    x, reach = np.ascontiguousarray(xd), (kh - 1) * dh * w + (kw - 1) * dw
    wk = _tap_major(wd)
    out = np.empty((n, o, ho, wo), np.result_type(xd, wd))
    parts = _chunks(n, rows * ho * w * xd.itemsize, chunk_bytes)
    step = parts[0][1]
    buf = np.empty((step, rows, ho * w), xd.dtype)
    res = np.empty((step, o, ho * w), out.dtype)
    pattern = None if bias is None else bias_pattern(bias, (ho, wo))
    for n0, n1 in parts:
        m = n1 - n0
        cols = _wide_columns(_source(x, n0, n1, reach), m, xd.shape, geometry, buf)
        np.matmul(wk, cols, out=res[:m])
        out[n0:n1] = res[:m].reshape(m, o, ho, w)[..., :wo]
        if pattern is not None:  # (while the chunk is in cache)
            out[n0:n1] += pattern
    return out


def bias_pattern(bias: Any, hw: Any) -> Any:
    """The bias (O,) laid out as one sample's output (O, Ho, Wo), C-contiguous: added to a
    chunk of the output by one contiguous sum per sample, ~2x faster than the bias broadcast
    along each channel (one short inner loop per channel and sample); the same sums.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends._stride_one import bias_pattern
    >>> bias_pattern(np.array([1.0, 2.0]), (1, 3))
    array([[[1., 1., 1.]],
    <BLANKLINE>
           [[2., 2., 2.]]])
    """
    import numpy as np

    return np.ascontiguousarray(np.broadcast_to(bias.reshape(-1, 1, 1), (bias.shape[0], *hw)))


def backward_wide(
    xd: Any,
    wd: Any,
    gd: Any,
    geometry: Any,
    need_x: bool,
    need_w: bool,
    chunk_bytes: int = 1 << 21,
) -> tuple[Any, Any]:
    """The gradients of ``conv2d_wide`` (of the padded input ``xd``) for the output's gradient
    ``gd``: the input's (None unless ``need_x``; ``xd`` is then read only for its shape and
    dtype, unless ``need_w``) and the weight's (None unless ``need_w``)."""
    import numpy as np

    (kh, kw), _, (dh, dw), (ho, wo) = geometry
    n, c, h, w = xd.shape
    o, rows, taps = wd.shape[0], c * kh * kw, kh * kw
    per, reach = c * h * w, (kh - 1) * dh * w + (kw - 1) * dw
    parts = _chunks(n, rows * ho * w * xd.itemsize, chunk_bytes)
    step = parts[0][1]
    # the output's gradient (m, O, Hg, W): zeros past Wo (and past Ho, for the input's
    # gradient), written once, the buffer reused
    hg = h if need_x else ho
    gt = np.zeros((step, o, hg, w), gd.dtype)
    x = np.ascontiguousarray(xd) if need_w else None
    buf = np.empty((step, rows, ho * w), xd.dtype) if need_w else None
    # per sample of a chunk, the weight's gradient transposed (kh * kw * C, O)
    gwt: Any = np.zeros((step, rows, o), gd.dtype) if need_w else None
    acc: Any = None
    if need_x:
        wkt = _tap_major(wd).T
        acc = np.zeros(n * per + reach, gd.dtype)
        gcols = np.empty((step, rows, hg * w), gd.dtype)
        finite_w = bool(np.isfinite(wd).all())
    for n0, n1 in parts:
        m = n1 - n0
        gt[:m, :, :ho, :wo] = gd[n0:n1]
        g3 = gt[:m].reshape(m, o, hg * w)
        if need_w:
            cols = _wide_columns(_source(x, n0, n1, reach), m, xd.shape, geometry, buf)
            gwt[:m] += np.matmul(cols, g3[:, :, : ho * w].transpose(0, 2, 1))
        if need_x:
            np.matmul(wkt, g3, out=gcols[:m])
            if not finite_w:  # W.T @ 0 past Ho and Wo: NaNs where the weight is not finite
                v = gcols[:m].reshape(m, rows, hg, w)
                v[..., wo:] = 0
                v[:, :, ho:] = 0
            # tap by tap, a sample's (C, H * W) at the tap's offset: one run (the positions
            # past Ho and Wo add zeros, into the next channel's or sample's first elements)
            g4 = gcols[:m].reshape(m, taps, per)
            for ki in range(kh):
                for kj in range(kw):
                    start = n0 * per + ki * dh * w + kj * dw
                    dest = acc[start : start + m * per].reshape(m, per)
                    dest += g4[:, ki * kw + kj]
    gx = None if acc is None else acc[: n * per].reshape(xd.shape)
    gw = None
    if gwt is not None:
        gw = gwt.sum(axis=0) if step > 1 else gwt[0]
        if not np.isfinite(gw).all():  # (an inf or NaN: perhaps 0 * inf past Wo; again)
            gw = _weight_grad_zeroed(x, gd, o, geometry, parts, buf)
        gw = np.ascontiguousarray(gw.T.reshape(o, kh, kw, c).transpose(0, 3, 1, 2))
    return gx, gw


def _weight_grad_zeroed(x: Any, gd: Any, o: int, geometry: Any, parts: Any, buf: Any) -> Any:
    """The weight's gradient transposed (kh * kw * C, O) on wide columns whose positions past
    Wo are zeroed: only the direct convolution's terms."""
    import numpy as np

    (kh, kw), _, (dh, dw), (ho, wo) = geometry
    c, w = x.shape[1], x.shape[3]
    rows, reach = c * kh * kw, (kh - 1) * dh * w + (kw - 1) * dw
    gwt = np.zeros((rows, o), gd.dtype)
    for n0, n1 in parts:
        m = n1 - n0
        cols = _wide_columns(_source(x, n0, n1, reach), m, x.shape, geometry, buf)
        cols.reshape(m, rows, ho, w)[..., wo:] = 0
        gt = np.zeros((m, o, ho, w), gd.dtype)
        gt[..., :wo] = gd[n0:n1]
        gwt += np.matmul(cols, gt.reshape(m, o, ho * w).transpose(0, 2, 1)).sum(axis=0)
    return gwt
