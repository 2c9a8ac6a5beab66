"""NumPy's window kernels: ``conv2d`` and ``conv_transpose2d`` (one group), ``max_pool2d`` and
``avg_pool2d`` (without padding), forward and backward, on arrays (``Writes.windows`` of the
NumPy backend; ``nn._window_kernels`` makes each one graph node).

- ``conv2d`` at stride 1 of a small layer (few outputs, its columns at most ``_KEEP_BYTES``)
  goes batch last, forward and backward (``_stride_one``: the input transposed to (C, H, W,
  N), its columns copied in runs of ``Wo * N`` elements, one product over the batch).
- Otherwise ``conv2d`` takes the columns (C*kh*kw, Ho*Wo) of each sample, copied from a
  ``sliding_window_view`` of the padded input, and a product per sample written in place into
  the output. Where the backward reads them (below) they are copied at once for the batch and
  kept; otherwise, for more than ``_KEEP_BYTES`` (8 MiB) of them, a few samples at a time
  (``_CHUNK_BYTES``, about a core's L2 cache), each chunk multiplied while still in cache
  (except with a 1x1 kernel at stride 1, whose columns are the input itself, no copy): at
  stride 1, where the shape suits (``_wide_shape``), "wide" columns (``_stride_one``: per
  row, one run of Ho*W elements of the flat input; the W - Wo positions past each output row
  dropped from the products' results). Writing 42 MB of columns to memory (MNIST's 32 to 64
  channel layer at batch 64) and reading them back costs more than copying them twice within
  the cache.
- ``conv2d_backward`` takes wide columns again, a few samples at a time, copied from the
  input (which it keeps anyway), where the batch's columns take more than ``_KEEP_BYTES`` and
  the shape suits them (``_wide``): the weight's gradient is a product per sample, summed;
  the output's gradient, laid out with zeros past Ho and Wo, gives the columns' gradient of a
  sample in the input's order, added into it in one run per tap (``_stride_one`` says how
  0 * inf past the output's edges is kept out). Other convolutions take the
  weight's gradient from the kept columns by a product per sample, summed, and add the
  columns' gradient into the input's with the batch as the last axis, so that each of the
  kh*kw additions runs over rows of Wo*N elements; a strided one whose windows overlap and
  whose output has at least ``_PHASED_MIN`` (64) positions takes the input's gradient by
  phases instead (``_input_grad_phases``: the columns of the output's gradient, one product,
  one interleaving copy; ~2x faster than the additions at DCGAN's sizes).
- A strided ``conv2d`` without dilation whose kernel is at least the stride goes by its input
  split by phases (``_phase_conv``: products per tap over the whole batch, no columns) where
  that input takes at most 8 MiB, forward and backward; columns of the batch (3-D) and a
  split input (2-D) are told apart by their dimensions (batch-last columns, 2-D too, go
  only with stride 1, by the shapes alone).
- ``conv_transpose2d``: the input's gradient of the ``conv2d`` it transposes, cropped by the
  padding; its backward is that ``conv2d`` of the output's gradient (padded back) and its
  weight gradient. An input of one position (DCGAN's first layer) is one product each way; a
  strided one goes by phases (``_phase_conv.conv_transpose2d``), and its backward too from 256
  input positions (the output's gradient split by phases with the padding in place); other
  ones by ``conv2d_backward``. No zeros are inserted between the input's elements, and the
  weight is used as it is given (C_in, C_out, kh, kw).
- ``max_pool``: the strided views of the window positions copied once into one array of
  taps (K, N, C, Ho, Wo), their maximum, each window's first maximum (in a window holding
  NaNs its last NaN, PyTorch's CPU rule) found by comparisons, the output gathered from the
  taps at it (the element itself: its sign of zero, its NaN), and the gradient scattered into
  zeros of the taps' shape by the same index. A mask-driven ``where`` branches on every
  element, ~15x slower than a comparison on a pooling's random masks; an ``argmax`` over a
  window axis of 4 makes a call per window. Padding is -inf in a padded copy, whose
  elements never count as a window's maximum (PyTorch's kernel reads only the input's);
  windows that overlap add their gradients into one array, tap by tap (ResNet's 3x3 windows
  at stride 2, padded: 5x faster than the composite's stacked views and ``argmax``).
- ``avg_pool``: the sum of the window's strided views, in row-major order, divided by the
  window's size, as PyTorch's kernel; the backward writes the quotient of the output's
  gradient into each view (adds it, where windows overlap).

Examples
--------
>>> import numpy as np
>>> from polytensor.backends import _windows
>>> out, cols = _windows.conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)),
...                             ((2, 2), (1, 1), (1, 1), (2, 2)), keep_cols=False)
>>> out[0, 0], cols
(array([[4., 4.],
       [4., 4.]]), None)

The backward on wide columns and on the batch's columns agree:

>>> from polytensor.backends import _stride_one
>>> x, w, g = np.ones((2, 32, 4, 8)), np.ones((1, 32, 3, 3)), np.ones((2, 1, 2, 6))
>>> geometry = ((3, 3), (1, 1), (1, 1), (2, 6))
>>> gx, gw = _stride_one.backward_wide(x, w, g, geometry, True, True)
>>> cols = _windows._columns(x, geometry)
>>> gx2, gw2 = _windows._backward_batch(x, w, g, cols, geometry, True, True)
>>> bool((gx == gx2).all() and (gw == gw2).all()), gx[1, 31, :, :4], gw[0, 0]
(True, array([[1., 2., 3., 3.],
       [2., 4., 6., 6.],
       [2., 4., 6., 6.],
       [1., 2., 3., 3.]]), array([[24., 24., 24.],
       [24., 24., 24.],
       [24., 24., 24.]]))
"""

from __future__ import annotations

from typing import Any

from . import _phase_conv, _stride_one

# a float's itemsize -> the integer of its bits
_BITS = {2: "int16", 4: "int32", 8: "int64"}

__all__ = [
    "avg_pool",
    "avg_pool_backward",
    "bias_grad",
    "conv2d",
    "conv2d_backward",
    "conv_transpose2d",
    "conv_transpose2d_backward",
    "max_pool",
    "max_pool_backward",
]

# the columns' bytes per chunk of samples: about one core's L2 cache, so that the columns are
# multiplied while they are still in it
_CHUNK_BYTES = 1 << 21
# the rows of columns (C*kh*kw) from which a stride-1 convolution may take "wide" columns
_WIDE_MIN = 64
# the batch's columns, in bytes, past which they are copied a chunk at a time, where the
# backward does not read them kept (it takes wide columns, or no gradient is asked for)
_KEEP_BYTES = 1 << 23
# the output positions from which a strided backward takes the input's gradient by phases
_PHASED_MIN = 64


def _window_view(d: Any, kernel: Any, stride: Any, dilation: Any, out_hw: Any) -> Any:
    """The windows of the (N, C, H, W) array ``d``, a view (N, C, Ho, Wo, kh, kw): element
    ``[n, c, i, j, ki, kj]`` is ``d[n, c, i * sh + ki * dh, j * sw + kj * dw]``."""
    from numpy.lib.stride_tricks import sliding_window_view

    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    v = sliding_window_view(d, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    return v[:, :, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, ::dh, ::dw]


def _columns(xd: Any, geometry: Any) -> Any:
    """The columns (N, C*kh*kw, Ho*Wo) of the (N, C, H, W) array ``xd``: the weight's (C, kh,
    kw) order, then the output's positions."""
    import numpy as np

    kernel, stride, dilation, (ho, wo) = geometry
    n, c = xd.shape[:2]
    win = _window_view(xd, kernel, stride, dilation, (ho, wo))
    # ordered (N, C, kh, kw, Ho, Wo), one copy
    return np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(
        n, c * kernel[0] * kernel[1], ho * wo
    )


def _chunks(n: int, sample_bytes: int) -> list[tuple[int, int]]:
    """The batch ``range(n)`` cut into runs of samples whose columns (``sample_bytes`` each)
    take about ``_CHUNK_BYTES``."""
    step = max(1, _CHUNK_BYTES // max(1, sample_bytes))
    return [(n0, min(n, n0 + step)) for n0 in range(0, n, step)]


def _wide_shape(xd: Any, geometry: Any) -> bool:
    """Whether a convolution of ``xd`` suits wide columns (``_stride_one.conv2d_wide``):
    stride 1, a kernel larger than 1x1, at least ``_WIDE_MIN`` rows of columns (C*kh*kw), and
    rows of the input at most 1.25 times the output's (W <= 1.25 Wo: the products' work past
    Wo is wasted). Any number of output channels: the 60-minute tutorial's first layer (6
    channels of 28x28 from 3, 5x5) in its training step at batch 64, 16.5 ms to 14.6, where its
    kept columns (15 MB) went to memory and back."""
    (kh, kw), stride, _, (_, wo) = geometry
    c, w = xd.shape[1], xd.shape[3]
    return bool(
        stride == (1, 1) and (kh, kw) != (1, 1) and c * kh * kw >= _WIDE_MIN and 4 * w <= 5 * wo
    )


def _wide(xd: Any, geometry: Any) -> bool:
    """Whether the backward of a convolution of ``xd`` takes wide columns, a few samples at a
    time (``_stride_one.backward_wide``): a shape that suits them (``_wide_shape``) and columns
    of more than ``_KEEP_BYTES`` for the batch (else they are kept)."""
    (kh, kw), _, _, (ho, wo) = geometry
    n, c = xd.shape[:2]
    return _wide_shape(xd, geometry) and n * c * kh * kw * ho * wo * xd.itemsize > _KEEP_BYTES


def _batch_last(shape: Any, o: int, geometry: Any, itemsize: int, padding: Any) -> bool:
    """Whether the convolution of an input of ``shape`` padded with ``padding`` goes batch
    last (``_stride_one.batch_last``), forward and backward."""
    top, bottom, left, right = padding
    n, c, h, w = shape
    padded = (n, c, h + top + bottom, w + left + right)
    return _stride_one.batch_last(padded, o, geometry, itemsize, _KEEP_BYTES)


def _zero_padded(xd: Any, padding: Any) -> Any:
    """``xd`` (N, C, H, W) with ``padding`` (top, bottom, left, right) zeros around it: one
    copy, where two concatenations by the table's ops copy it twice and make nodes of their
    own."""
    import numpy as np

    top, bottom, left, right = padding
    n, c, h, w = xd.shape
    d = np.zeros((n, c, h + top + bottom, w + left + right), xd.dtype)
    d[:, :, top : top + h, left : left + w] = xd
    return d


def conv2d(
    xd: Any,
    wd: Any,
    geometry: Any,
    keep_cols: bool,
    padding: Any = (0, 0, 0, 0),
    bias: Any = None,
) -> tuple[Any, Any]:
    """``conv2d`` of the (N, C, H, W) array ``xd``, padded with ``padding`` (top, bottom,
    left, right) zeros, and the weight ``wd`` (O, C, kh, kw), one group, plus ``bias`` (O,)
    if given (of the output's dtype); ``geometry`` is ``(kernel, stride, dilation, (Ho,
    Wo))``. Returns the output (N, O, Ho, Wo), C-contiguous, and, with ``keep_cols`` and
    where the backward reads them (see ``conv2d_backward``), the columns (N, C*kh*kw,
    Ho*Wo), or batch last (C*kh*kw, Ho*Wo*N), or the input split by phases (else None).

    The bias is added to each product's result as it is written into the output, while that
    is in cache (each element the sum's, then the bias: the values of ``out + bias``), where
    a sum after the convolution would read it back and write a second output."""
    import numpy as np

    if _batch_last(xd.shape, wd.shape[0], geometry, xd.itemsize, padding):
        return _stride_one.conv2d_batch_last(xd, wd, geometry, keep_cols, padding, bias)
    if any(padding):
        xd = _zero_padded(xd, padding)
    kernel, stride, _, (ho, wo) = geometry
    if _phase_conv.takes(xd.shape, geometry, xd.itemsize):
        out, cols = _phase_conv.conv2d(xd, wd, geometry, keep_cols)
        if out is not None:
            if bias is not None:
                out += _stride_one.bias_pattern(bias, out.shape[2:])
            return out, cols
    n, c = xd.shape[:2]
    o, ck = wd.shape[0], c * kernel[0] * kernel[1]
    w2 = wd.reshape(o, ck)
    sample_bytes = ck * ho * wo * xd.itemsize
    wide = _wide(xd, geometry)
    # (1x1 at stride 1: the columns are the input, no copy, which chunks would only slow)
    if (kernel == (1, 1) and stride == (1, 1)) or (
        not wide and (keep_cols or n * sample_bytes <= _KEEP_BYTES)
    ):
        cols = _columns(xd, geometry)
        out = np.matmul(w2, cols).reshape(n, o, ho, wo)
        if bias is not None:
            out += _stride_one.bias_pattern(bias, (ho, wo))
        return out, (cols if keep_cols and not wide else None)
    if _wide_shape(xd, geometry):
        return _stride_one.conv2d_wide(xd, wd, geometry, _CHUNK_BYTES // 2, bias), None
    out = np.empty((n, o, ho, wo), np.result_type(xd, wd))
    pattern = None if bias is None else _stride_one.bias_pattern(bias, (ho, wo))
    for n0, n1 in _chunks(n, sample_bytes):
        # one product per sample, each into its place in the output
        part = out[n0:n1]
        np.matmul(w2, _columns(xd[n0:n1], geometry), out=part.reshape(n1 - n0, o, ho * wo))
        if pattern is not None:
            part += pattern
    return out, None


def bias_grad(gd: Any) -> Any:
    """The gradient of ``conv2d``'s bias for the output's gradient ``gd`` (N, O, Ho, Wo): its
    sum over N, Ho and Wo, in the order of ``np.add.reduce(gd, axis=(0, 2, 3))`` (per
    sample and channel a pairwise sum of its Ho * Wo elements, the samples' sums then added
    one by one to zeros), which the composite's broadcast gradient takes.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends._windows import bias_grad
    >>> bias_grad(np.ones((2, 3, 4, 5), np.float32))
    array([40., 40., 40.], dtype=float32)
    """
    import numpy as np

    return np.add.reduce(gd, axis=(0, 2, 3))


def conv2d_backward(
    xd: Any,
    wd: Any,
    gd: Any,
    cols: Any,
    geometry: Any,
    need_x: bool,
    need_w: bool,
    padding: Any = (0, 0, 0, 0),
) -> tuple[Any, Any]:
    """The gradients of ``conv2d`` (of ``xd`` padded with ``padding``) for the output's
    gradient ``gd``: the input's (None unless ``need_x``; of ``xd``'s shape, the padding's
    cropped) and the weight's (None unless ``need_w``; from ``cols``, the forward's columns,
    unless the backward takes wide columns, when ``cols`` is None)."""
    import numpy as np

    if _batch_last(xd.shape, wd.shape[0], geometry, xd.itemsize, padding):
        return _stride_one.backward_batch_last(
            xd.shape, wd, gd, cols, geometry, need_x, need_w, padding
        )
    if not any(padding):
        return _conv2d_backward(xd, wd, gd, cols, geometry, need_x, need_w)
    top, bottom, left, right = padding
    n, c, h, w = xd.shape
    if need_w and cols is None:  # (wide columns: copied from the padded input's values)
        xp = _zero_padded(xd, padding)
    else:  # (only its shape and dtype are read; a view of one zero)
        xp = np.broadcast_to(xd.dtype.type(0), (n, c, h + top + bottom, w + left + right))
    gx, gw = _conv2d_backward(xp, wd, gd, cols, geometry, need_x, need_w)
    if gx is not None:
        gx = np.ascontiguousarray(gx[:, :, top : top + h, left : left + w])
    return gx, gw


def _conv2d_backward(
    xd: Any, wd: Any, gd: Any, cols: Any, geometry: Any, need_x: bool, need_w: bool
) -> tuple[Any, Any]:
    """``conv2d_backward`` of the padded input ``xd``."""
    if _wide(xd, geometry):
        return _stride_one.backward_wide(xd, wd, gd, geometry, need_x, need_w, _CHUNK_BYTES // 2)
    # (an input split by phases is 2-D, (C*sh*sw, N*Hq*Wq + ...); the batch's columns 3-D)
    flat_w = need_w and cols is not None and cols.ndim == 2
    if _phase_conv.takes(xd.shape, geometry, xd.itemsize) and (
        not need_x or (_all_finite(wd) and _all_finite(gd))
    ):
        if flat_w or not need_w:
            return _phase_conv.conv2d_backward(xd.shape, wd, gd, cols, geometry, need_x, need_w)
        gx, _ = _phase_conv.conv2d_backward(xd.shape, wd, gd, None, geometry, need_x, False)
        return gx, _backward_batch(xd, wd, gd, cols, geometry, False, True)[1]
    if flat_w:
        gw = _phase_conv.conv2d_backward(xd.shape, wd, gd, cols, geometry, False, True)[1]
        return _backward_batch(xd, wd, gd, None, geometry, need_x, False)[0], gw
    if need_x and _phased(geometry) and _all_finite(wd) and _all_finite(gd):
        _, gw = _backward_batch(xd, wd, gd, cols, geometry, False, need_w)
        return _input_grad_phases(xd.shape, wd, gd, geometry), gw
    return _backward_batch(xd, wd, gd, cols, geometry, need_x, need_w)


def _all_finite(a: Any) -> bool:
    """Whether every element of ``a`` is finite: ``a . a`` is, only then (one pass, no
    temporary; an overflow just says False)."""
    import math

    import numpy as np

    return math.isfinite(float(np.vdot(a, a)))


def _phased(geometry: Any) -> bool:
    """Whether the input's gradient is taken by phases (``_input_grad_phases``): a stride
    above 1, no dilation, windows that overlap (else each input element takes one tap, and
    the tap by tap addition is a copy), and an output of at least ``_PHASED_MIN`` (64)
    positions: below, the weight's rearrangement by phases and the columns' rows of zeros
    past the output's edges (Hs * Ws against Ho * Wo) cost more than the additions saved
    (a 4x4 output from 32 channels of 10x10: 330 us against 273 us)."""
    (kh, kw), (sh, sw), dilation, (ho, wo) = geometry
    return (
        (sh, sw) != (1, 1)
        and dilation == (1, 1)
        and (kh > sh or kw > sw)
        and ho * wo >= _PHASED_MIN
    )


def _input_grad_phases(shape: Any, wd: Any, gd: Any, geometry: Any) -> Any:
    """The input's gradient (of ``shape``, (N, C, H, W)) of a strided ``conv2d`` by ``wd``
    for the output's gradient ``gd``, by phases: the input's elements at rows ``sh * i + a``
    and columns ``sw * j + b`` take their gradient from the taps (ki, kj) with ``ki % sh ==
    a`` and ``kj % sw == b`` only, at output positions ``i - ki // sh``, ``j - kj // sw``:
    for each phase (a, b) a stride-1 correlation of the output's gradient with those taps,
    flipped. The ``sh * sw`` phases share the columns of the output's gradient (O * Uh * Uw,
    Hs * Ws per sample, Uh = ceil(kh / sh), Hs = ceil(H / sh)): one copy, one product by all
    phases' weights (taps past the kernel zero), and one interleaving copy, where the batch's
    columns' gradient would be added into the input tap by tap over short strided runs
    (~3x slower at DCGAN's sizes). Every term is a product of a finite weight and a finite
    gradient (the caller checks): a zero tap or a zero of the padding adds an exact 0, so the
    sums are the same terms as the composite's."""
    import numpy as np

    (kh, kw), (sh, sw), _, (ho, wo) = geometry
    n, c, h, w = shape
    o = wd.shape[0]
    uh, uw = -(-kh // sh), -(-kw // sw)
    hs, ws = -(-h // sh), -(-w // sw)
    # the output's gradient with uh - 1 (uw - 1) zeros before, and after it up to hs (ws)
    gp = np.zeros((n, o, hs + uh - 1, ws + uw - 1), gd.dtype)
    gp[:, :, uh - 1 : uh - 1 + ho, uw - 1 : uw - 1 + wo] = gd
    cols = _columns(gp, ((uh, uw), (1, 1), (1, 1), (hs, ws)))  # (N, O*Uh*Uw, Hs*Ws)
    # the weight by phase, (sh, sw, C) by (O, Uh, Uw), its taps flipped: phase a's tap u is
    # the kernel's row a + sh * (uh - 1 - u)
    wp = np.zeros((o, c, uh * sh, uw * sw), wd.dtype)
    wp[:, :, :kh, :kw] = wd
    wp = wp.reshape(o, c, uh, sh, uw, sw)[:, :, ::-1, :, ::-1]
    wm = np.ascontiguousarray(wp.transpose(3, 5, 1, 0, 2, 4)).reshape(sh * sw * c, -1)
    res = np.matmul(wm, cols).reshape(n, sh, sw, c, hs, ws)
    full = np.empty((n, c, hs, sh, ws, sw), res.dtype)
    full[...] = res.transpose(0, 3, 4, 1, 5, 2)
    gx = full.reshape(n, c, hs * sh, ws * sw)
    return gx if (hs * sh, ws * sw) == (h, w) else np.ascontiguousarray(gx[:, :, :h, :w])


def _backward_batch(
    xd: Any, wd: Any, gd: Any, cols: Any, geometry: Any, need_x: bool, need_w: bool
) -> tuple[Any, Any]:
    """``conv2d_backward`` from the forward's columns of the whole batch."""
    import numpy as np

    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geometry
    n, c = xd.shape[:2]
    o, ck = wd.shape[0], c * kh * kw
    g3 = gd.reshape(n, o, ho * wo)
    gx = gw = None
    if need_w:
        # sum over the batch of g[n] (O, L) @ cols[n].T (L, C*kh*kw)
        gw = np.matmul(g3, cols.transpose(0, 2, 1)).sum(axis=0).reshape(wd.shape)
    if need_x:
        # the columns' gradient with the batch last, (C, kh, kw, Ho, Wo, N), added into the
        # input's gradient laid out (C, H, W, N)
        gt = np.ascontiguousarray(gd.transpose(1, 2, 3, 0)).reshape(o, ho * wo * n)
        gcols = np.matmul(wd.reshape(o, ck).T, gt).reshape(c, kh, kw, ho, wo, n)
        acc = np.zeros((c, *xd.shape[2:], n), gd.dtype)
        for ki in range(kh):
            r0 = ki * dh
            for kj in range(kw):
                c0 = kj * dw
                acc[:, r0 : r0 + sh * (ho - 1) + 1 : sh, c0 : c0 + sw * (wo - 1) + 1 : sw] += gcols[
                    :, ki, kj
                ]
        gx = np.ascontiguousarray(acc.transpose(3, 0, 1, 2))
    return gx, gw


def conv_transpose2d(zd: Any, wd: Any, geometry: Any, full_hw: Any, padding: Any) -> Any:
    """The transposed convolution of ``zd`` (N, C_in, H, W) by ``wd`` (C_in, C_out, kh, kw),
    one group, no bias: the input's gradient of the ``conv2d`` (``geometry``: its ``(kernel,
    stride, dilation, (H, W))``) of an input of size ``full_hw`` to C_in channels by ``wd``,
    for the output gradient ``zd``, cropped by ``padding`` on each side. Returns it
    C-contiguous, (N, C_out, full_hw[0] - 2 * ph, full_hw[1] - 2 * pw).

    An input of one position (DCGAN's first layer) is one product; a strided one goes by
    phases (``_phase_conv.conv_transpose2d``) where it can."""
    import numpy as np

    (fh, fw), (ph, pw) = full_hw, padding
    out_hw = (fh - 2 * ph, fw - 2 * pw)
    if zd.shape[2:] == (1, 1) and geometry[2] == (1, 1):
        return _transposed_one(zd, wd, out_hw, padding)
    if _phase_conv.takes_transposed(zd.shape, geometry, wd.shape[1], zd.itemsize):
        out = _phase_conv.conv_transpose2d(zd, wd, geometry, out_hw, padding)
        if out is not None:
            return out
    # (the convolution's input: only its shape and dtype are read when its gradient alone is
    # asked for; np.empty writes no memory)
    like = np.empty((zd.shape[0], wd.shape[1], fh, fw), np.result_type(zd, wd))
    gx, _ = conv2d_backward(like, wd, zd, None, geometry, True, False)
    if ph or pw:
        return np.ascontiguousarray(gx[:, :, ph : fh - ph, pw : fw - pw])
    return gx


def conv_transpose2d_backward(
    zd: Any,
    wd: Any,
    gd: Any,
    geometry: Any,
    full_hw: Any,
    padding: Any,
    need_z: bool,
    need_w: bool,
) -> tuple[Any, Any]:
    """The gradients of ``conv_transpose2d`` for the output's gradient ``gd``: the input's
    (the ``conv2d`` by ``wd`` of ``gd`` padded back to ``full_hw``) and the weight's (that
    ``conv2d``'s weight gradient for the output gradient ``zd``); each None unless asked.
    An input of one position takes two products; a strided one of at least
    ``_phase_conv._MIN_POSITIONS`` (256) positions goes by ``gd`` split by phases with the
    padding in place (``_phase_conv.conv_transpose2d_backward``) where it can."""
    import numpy as np

    (fh, fw), (ph, pw) = full_hw, padding
    if zd.shape[2:] == (1, 1) and geometry[2] == (1, 1):
        return _transposed_one_backward(zd, wd, gd, padding, need_z, need_w)
    h, w = zd.shape[2:]
    if h * w >= _phase_conv._MIN_POSITIONS and _phase_conv.takes_transposed(
        zd.shape, geometry, wd.shape[1], zd.itemsize
    ):
        grads = _phase_conv.conv_transpose2d_backward(
            zd, wd, gd, geometry, full_hw, padding, need_z, need_w
        )
        if grads is not None:
            return grads
    n, co = gd.shape[:2]
    if ph or pw or gd.shape[2:] != (fh, fw):
        gf = np.zeros((n, co, fh, fw), gd.dtype)
        gf[:, :, ph : ph + gd.shape[2], pw : pw + gd.shape[3]] = gd
    else:
        gf = np.ascontiguousarray(gd)
    gz = cols = gw = None
    if need_z:
        gz, cols = conv2d(gf, wd, geometry, need_w)
    elif need_w and not _wide(gf, geometry):
        # (the columns the forward keeps for the weight's gradient, in the backward's layout)
        if _batch_last(gf.shape, wd.shape[0], geometry, gf.itemsize, (0, 0, 0, 0)):
            cols = _stride_one.columns_batch_last(gf, geometry, (0, 0, 0, 0))
        elif _phase_conv.takes(gf.shape, geometry, gf.itemsize):
            cols = _phase_conv.split(gf, geometry)
        if cols is None:
            cols = _columns(gf, geometry)
    if need_w:
        _, gw = conv2d_backward(gf, wd, zd, cols, geometry, False, True)
    return gz, gw


def _transposed_one(zd: Any, wd: Any, out_hw: Any, padding: Any) -> Any:
    """``conv_transpose2d`` of ``zd`` (N, C_in, 1, 1) by ``wd`` (C_in, C_out, kh, kw), no
    dilation: each sample's kernels weighted by its channels, one product (N, C_in) @ (C_in,
    C_out * kh * kw), cropped by ``padding`` (rows past the kernel, an output padding's,
    zeros)."""
    import numpy as np

    n, c = zd.shape[:2]
    _, o, kh, kw = wd.shape
    full = np.matmul(zd.reshape(n, c), wd.reshape(c, o * kh * kw)).reshape(n, o, kh, kw)
    (ph, pw), (ho, wo) = padding, out_hw
    if (ph, pw) == (0, 0) and (ho, wo) == (kh, kw):
        return full
    out = np.zeros((n, o, ho, wo), full.dtype)
    hh, ww = min(ho, kh - ph), min(wo, kw - pw)
    out[:, :, :hh, :ww] = full[:, :, ph : ph + hh, pw : pw + ww]
    return out


def _transposed_one_backward(
    zd: Any, wd: Any, gd: Any, padding: Any, need_z: bool, need_w: bool
) -> tuple[Any, Any]:
    """The gradients of ``_transposed_one`` for the output's gradient ``gd``: the input's, the
    gradient on the kernel's positions (zeros where cropped) by the weight, and the weight's,
    the input by that gradient; each None unless asked."""
    import numpy as np

    n, c = zd.shape[:2]
    _, o, kh, kw = wd.shape
    ph, pw = padding
    if (ph, pw) == (0, 0) and gd.shape[2:] == (kh, kw):
        g2 = gd.reshape(n, o * kh * kw)
    else:
        gf = np.zeros((n, o, kh, kw), gd.dtype)
        hh, ww = min(gd.shape[2], kh - ph), min(gd.shape[3], kw - pw)
        gf[:, :, ph : ph + hh, pw : pw + ww] = gd[:, :, :hh, :ww]
        g2 = gf.reshape(n, o * kh * kw)
    gz = gw = None
    if need_z:
        gz = np.matmul(g2, wd.reshape(c, o * kh * kw).T).reshape(zd.shape)
    if need_w:
        gw = np.matmul(zd.reshape(n, c).T, g2).reshape(wd.shape)
    return gz, gw


def _taps(d: Any, geometry: Any) -> list[Any]:
    """The ``kh * kw`` strided views (N, C, Ho, Wo) of the (N, C, H, W) array ``d``'s windows,
    row-major: view ``ki * kw + kj`` holds each window's element (ki, kj)."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geometry
    return [
        d[
            :,
            :,
            ki * dh : ki * dh + sh * (ho - 1) + 1 : sh,
            kj * dw : kj * dw + sw * (wo - 1) + 1 : sw,
        ]
        for ki in range(kh)
        for kj in range(kw)
    ]


def _disjoint(geometry: Any) -> bool:
    """Whether no two windows share an element: strides at least the windows' extents."""
    (kh, kw), (sh, sw), (dh, dw), _ = geometry
    return bool(sh >= dh * (kh - 1) + 1 and sw >= dw * (kw - 1) + 1)


def _padded(xd: Any, geometry: Any, padding: Any, fill: float) -> tuple[Any, Any]:
    """``xd`` padded by ``padding`` (ph, pw) with ``fill`` before, and after where the last
    windows run past it (``ceil_mode``), cropped to what the windows read; and the region of
    ``xd`` in it, (r0, r1, c0, c1), or None where ``xd`` is taken as it is."""
    import numpy as np

    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geometry
    (ph, pw), (n, c, h, w) = padding, xd.shape
    need_h, need_w = (ho - 1) * sh + dh * (kh - 1) + 1, (wo - 1) * sw + dw * (kw - 1) + 1
    if not ph and not pw and need_h <= h and need_w <= w:
        return xd, None
    hh, ww = min(h, need_h - ph), min(w, need_w - pw)
    d = np.full((n, c, need_h, need_w), fill, xd.dtype)
    d[:, :, ph : ph + hh, pw : pw + ww] = xd[:, :, :hh, :ww]
    return d, (ph, ph + hh, pw, pw + ww)


def _outside(region: Any, geometry: Any, q: int) -> tuple[int, int, int, int]:
    """For tap ``q``: the output rows ``[:i0]`` and ``[i1:]`` and columns ``[:j0]`` and
    ``[j1:]`` whose element lies outside ``region`` (r0, r1, c0, c1), in the padding."""
    (_, kw), (sh, sw), (dh, dw), (ho, wo) = geometry
    r0, r1, c0, c1 = region
    oh, ow = (q // kw) * dh, (q % kw) * dw

    def first_at(limit: int, offset: int, stride: int, n: int) -> int:
        # the first output position i with i * stride + offset >= limit, within [0, n]
        return min(n, max(0, -(-(limit - offset) // stride)))

    return (
        first_at(r0, oh, sh, ho),
        first_at(r1, oh, sh, ho),
        first_at(c0, ow, sw, wo),
        first_at(c1, ow, sw, wo),
    )


def max_pool(xd: Any, geometry: Any, padding: Any) -> tuple[Any, Any]:
    """``max_pool2d`` of the (N, C, H, W) array ``xd`` of a real floating dtype;
    ``geometry`` is ``(kernel, stride, dilation, (Ho, Wo))`` and ``padding`` (ph, pw), by
    -inf, as is what the last windows read past the input (``ceil_mode``). Returns the output
    and, per window, the position of the element it took (for the gradient): its first
    maximum among the input's elements (a window of -infs takes its first element inside the
    input, as PyTorch's, never the padding), or in a window holding NaNs its last NaN."""
    import numpy as np

    (ho, wo), (h, w) = geometry[3], xd.shape[2:]
    # (the windows inside the input: with ceil_mode, the last ones may read past its end)
    if (
        geometry[:3] == ((2, 2), (2, 2), (1, 1))
        and padding == (0, 0)
        and 2 * ho <= h
        and 2 * wo <= w
    ):
        got = _max_pool_2x2(xd, (ho, wo))
        if got is not None:
            return got
    d, region = _padded(xd, geometry, padding, -np.inf)
    taps = _taps(d, geometry)
    # the taps copied once into one array (K, N, C, Ho, Wo): every pass below then runs over
    # contiguous memory, where a strided view's rows of Wo elements cost ~5x more per pass
    # (ResNet's 3x3 windows at stride 2 on (16, 8, 14, 14): 638 us to ...)
    stacked = np.empty((len(taps), *taps[0].shape), xd.dtype)
    for q, v in enumerate(taps):
        stacked[q] = v
    views = list(stacked)
    top = np.maximum.reduce(stacked, axis=0)  # (a NaN wins)
    # the padding's -inf can tie a window's maximum only where that is -inf
    if region is not None and not (top == -np.inf).any():
        region = None
    nan_top = np.isnan(top)
    nan_hits: list[Any] = [None] * len(views)
    if nan_top.any():  # a window holding NaNs: its last NaN, as PyTorch's CPU kernel
        taken = None
        for q in range(len(views) - 1, -1, -1):
            hit = np.isnan(views[q]) & nan_top
            if taken is None:
                taken = hit.copy()  # (a copy: taken grows, hit stays position q's)
            else:
                hit &= ~taken
                taken |= hit
            nan_hits[q] = hit
    # per window, the position chosen; then the output, that element (its bits), gathered
    first = np.zeros(top.shape, np.min_scalar_type(len(views) - 1))
    found = None
    for q, v in enumerate(views):
        hit = v == top  # (never true in a window whose maximum is a NaN)
        if region is not None:  # (the padding's -inf is no candidate)
            i0, i1, j0, j1 = _outside(region, geometry, q)
            hit[:, :, :i0] = hit[:, :, i1:] = hit[:, :, :, :j0] = hit[:, :, :, j1:] = False
        if found is None:
            found = hit.copy()  # (a copy: found grows, hit stays position q's)
        else:
            hit &= ~found
            found |= hit
        if nan_hits[q] is not None:
            hit |= nan_hits[q]
        if q:
            first += hit * first.dtype.type(q)
    out = np.take(stacked.reshape(-1), _flat_index(first)).reshape(top.shape)
    return out, first


def _max_pool_2x2(xd: Any, out_hw: Any) -> tuple[Any, Any] | None:
    """``max_pool`` of 2x2 windows at stride 2 that lie inside ``xd`` (no padding), by rows,
    with no copy of the taps: each window row's maximum and whether its right element is
    larger (strictly: the first maximum), then the larger of the two rows (the bottom one
    only if strictly larger) and whether it is the bottom one; the window's first maximum in
    row-major order is then the chosen row's. ~2x faster than the taps' copy, comparisons
    with the maximum and gather (MNIST's (64, 64, 24, 24) after ReLU: 7.1 ms to 3.9).

    The maxima are ``np.maximum``'s, which returns one of its operands (its bits), but which
    one where they tie is NumPy's choice: only +0.0 against -0.0 tie with different bits, so
    that where a window's maximum is zero and the input holds a -0.0, or where a maximum is
    NaN (the last NaN is taken), None is returned, for the general path.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.backends._windows import _max_pool_2x2
    >>> x = np.array([[[[1.0, 3.0, 2.0, 2.0], [3.0, 0.0, 2.0, 5.0]]]])
    >>> out, first = _max_pool_2x2(x, (1, 2))
    >>> out, first
    (array([[[[3., 5.]]]]), array([[[[1, 3]]]], dtype=uint8))
    >>> _max_pool_2x2(np.array([[[[0.0, -0.0], [-1.0, -2.0]]]]), (1, 1)) is None
    True
    """
    import numpy as np

    ho, wo = out_hw
    n, c = xd.shape[:2]
    # (N, C, Ho, 2, Wo, 2), a view: [..., i, a, j, b] is row 2i + a, column 2j + b
    x6 = xd[:, :, : 2 * ho, : 2 * wo].reshape(n, c, ho, 2, wo, 2)
    top, bottom = x6[:, :, :, 0], x6[:, :, :, 1]
    # (C-ordered results whatever the input's layout)
    shape = (n, c, ho, wo)
    right_top = np.greater(top[..., 1], top[..., 0], out=np.empty(shape, bool))
    right_bottom = np.greater(bottom[..., 1], bottom[..., 0], out=np.empty(shape, bool))
    out = np.maximum(top[..., 0], top[..., 1], out=np.empty(shape, xd.dtype))
    low = np.maximum(bottom[..., 0], bottom[..., 1], out=np.empty(shape, xd.dtype))
    down = np.greater(low, out)
    np.maximum(out, low, out=out)
    if out.size and np.isnan(np.maximum.reduce(out, axis=None)):  # (a NaN propagates)
        return None
    if (out == 0).any():
        bits = xd.view(_BITS[xd.itemsize])  # (-0.0's bits: the smallest integer)
        if np.minimum.reduce(bits[:, :, : 2 * ho, : 2 * wo], axis=None) == np.iinfo(bits.dtype).min:
            return None
    # the chosen row's right_: right_top where not down, else right_bottom
    right_bottom ^= right_top
    right_bottom &= down
    right_bottom ^= right_top
    first = np.left_shift(down.view(np.uint8), 1)
    first |= right_bottom.view(np.uint8)
    return out, first


def _flat_index(first: Any) -> Any:
    """Where the element at ``first`` of each window lies in the taps stacked (K, N, C, Ho,
    Wo), flat: ``first * size + position``. One gather or scatter by it is ~4x faster than a
    selection by bit masks, tap by tap (a boolean's cast to all ones costs most)."""
    import numpy as np

    size = first.size
    index = np.multiply(first.reshape(-1), size, dtype=np.intp)
    index += np.arange(size, dtype=np.intp)
    return index


def max_pool_backward(shape: Any, gd: Any, first: Any, geometry: Any, padding: Any) -> Any:
    """The gradient of ``max_pool`` (of an input of ``shape``) for the output's gradient
    ``gd``: each window's gradient at the element ``first`` gives, added up where windows
    share it (in windows' order, tap by tap), zeros elsewhere."""
    import numpy as np

    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geometry
    (ph, pw), (n, c, h, w) = padding, shape
    need_h, need_w = (ho - 1) * sh + dh * (kh - 1) + 1, (wo - 1) * sw + dw * (kw - 1) + 1
    ph_, pw_ = max(h + ph, need_h), max(w + pw, need_w)  # (the padded input's size)
    disjoint = _disjoint(geometry)
    covered = disjoint and (kh, kw) == (sh, sw) and (ph_, pw_) == (ho * kh, wo * kw)
    gp = (np.empty if covered else np.zeros)((n, c, ph_, pw_), gd.dtype)
    taps = _taps(gp, geometry)
    if disjoint:
        bits = gd.view(_BITS[gd.dtype.itemsize])
        for q, dest in enumerate(taps):
            # g where the window's chosen element is at q, else +0.0: by its bits, with a
            # mask of bytes (-1, all ones, where True) widened by sign in the AND: a quarter
            # of the memory of one of g's width (MNIST's (64, 64, 12, 12): 2.8 ms to 2.3)
            mask = np.negative(first == q, dtype=np.int8)
            np.bitwise_and(bits, mask, out=dest.view(bits.dtype), casting="unsafe")
        return _cropped(gp, shape, padding)
    # windows overlap: per tap, g where the window's chosen element is at that tap, else
    # +0.0, by one scatter (a selection by masks tap by tap costs ~2x), then added tap by tap
    parts = np.zeros((len(taps), *gd.shape), gd.dtype)
    parts.reshape(-1)[_flat_index(first)] = gd.reshape(-1)
    for q, dest in enumerate(taps):
        dest += parts[q]
    return _cropped(gp, shape, padding)


def _cropped(gp: Any, shape: Any, padding: Any) -> Any:
    """The gradient ``gp`` of the padded input cropped to the input's ``shape``."""
    import numpy as np

    (ph, pw), (h, w) = padding, shape[2:]
    if gp.shape[2:] == (h, w) and not ph and not pw:
        return gp
    return np.ascontiguousarray(gp[:, :, ph : ph + h, pw : pw + w])


def avg_pool(xd: Any, geometry: Any, divisor: float) -> Any:
    """``avg_pool2d`` of the (N, C, H, W) array ``xd`` without padding (``geometry``:
    ``(kernel, (sh, sw), (1, 1), (Ho, Wo))``; rows and columns past the last window are left
    out): each window's elements added in row-major order, then divided by ``divisor``, as
    PyTorch's CPU kernel does (the same sums)."""
    import numpy as np

    views = _taps(xd, geometry)
    total = np.add(views[0], views[1]) if len(views) > 1 else views[0].copy()
    for v in views[2:]:
        total += v
    total /= total.dtype.type(divisor)
    return total


def avg_pool_backward(shape: Any, gd: Any, geometry: Any, divisor: float) -> Any:
    """The gradient of ``avg_pool`` (of an input of ``shape``) for the output's gradient
    ``gd``: ``gd / divisor`` at every element of each window, added up where windows share
    it, zeros elsewhere."""
    import numpy as np

    (kh, kw), (sh, sw), _, (ho, wo) = geometry
    share = gd / gd.dtype.type(divisor)
    disjoint = _disjoint(geometry)
    covered = disjoint and (kh, kw) == (sh, sw) and tuple(shape[2:]) == (ho * kh, wo * kw)
    gx = (np.empty if covered else np.zeros)(shape, gd.dtype)
    for dest in _taps(gx, geometry):
        if disjoint:
            dest[...] = share
        else:
            dest += share
    return gx
