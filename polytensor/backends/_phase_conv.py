"""NumPy's strided ``conv2d`` (no dilation, one group) by phases, over the batch laid out flat.

A convolution of stride (sh, sw) reads input row ``sh * i + ki`` at output row ``i`` and tap
``ki``: row ``sh * (i + u) + a`` with ``a = ki % sh``, ``u = ki // sh``. Split the input by
phase (a, b) into ``C * sh * sw`` channels of (Hq, Wq) = (Ho + Uh - 1, Wo + Uw - 1) elements
(``Uh = ceil(kh / sh)``; "space to depth") and the convolution is one of stride 1 with a
(Uh, Uw) kernel, the weight's taps rearranged the same way (taps past the kernel zero).

The split input is laid out (C * sh * sw, N * Hq * Wq): each phase channel's samples one after
another, one copy of the input. Tap (u, v) of a stride-1 convolution reads it shifted by
``u * Wq + v``, for all samples at once: the forward is ``Uh * Uw`` products (O, C * sh * sw)
by that shifted view, added, and no columns are copied (``_windows._columns`` copies runs of
one element from a strided input: DCGAN's first layer, forward and backward, 2.7x faster).
Positions past Ho or Wo ("wide" positions) read the next row or sample and are dropped from
the output; in the backward the output's gradient is zero there. So that no ``0 * inf``
turns into a NaN the caller checks what could hold one: the input (read at the wide
positions and by the zero taps) for the weight's gradient and the forward with zero taps;
the weight and the output's gradient for the input's gradient. Every other term is one of
the direct convolution's, or an exact zero.

Examples
--------
>>> import numpy as np
>>> from polytensor.backends import _phase_conv, _windows
>>> x, w = np.arange(2 * 3 * 8 * 8.0).reshape(2, 3, 8, 8), np.ones((4, 3, 4, 4))
>>> geometry = ((4, 4), (2, 2), (1, 1), (3, 3))
>>> out, split = _phase_conv.conv2d(x, w, geometry, True)
>>> bool((out == _windows.conv2d(x, w, geometry, False)[0]).all())
True
>>> g = np.ones(out.shape)
>>> gx, gw = _phase_conv.conv2d_backward(x.shape, w, g, split, geometry, True, True)
>>> gx[0, 0, :2], gw[0, 0, 0]
(array([[4., 4., 8., 8., 8., 8., 4., 4.],
       [4., 4., 8., 8., 8., 8., 4., 4.]]), array([2052., 2070., 2088., 2106.]))
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["conv2d", "conv2d_backward", "split", "takes"]

# the split input's bytes past which the convolution is left to ``_windows`` (which copies
# columns a few samples at a time)
_MAX_BYTES = 1 << 23
# the output positions per sample from which the convolution goes by phases: below, the wide
# positions' share of the products ((Ho + 1) * (Wo + 1) against Ho * Wo for a 4x4 kernel at
# stride 2) and the products' small sizes cost more than the strided columns' copy saves
# (forward and backward, in one process: DCGAN's 32x32 output 1922 us to 708 us, 16x16 976
# to 932 us, 8x8 767 to 818 us, 4x4 793 to 928 us)
_MIN_POSITIONS = 256
# the output channels from which the input's gradient is one product (C*sh*sw*Uh*Uw, O) @ (O,
# N*Hq*Wq) rather than one per tap: with fewer, the products per tap are faster (DCGAN's first
# layer, 8 channels: 142 us against 206 us; its second, 16: 276 us against 189 us)
_ONE_PRODUCT_MIN_OUT = 16


def _plan(shape: Any, geometry: Any) -> tuple[int, int, int, int, int]:
    """For an input of ``shape`` (N, C, H, W): the taps (Uh, Uw) of the stride-1 kernel, the
    phases' rows and columns (Hq, Wq), and how far its last tap reads past a position."""
    (kh, kw), (sh, sw), _, (ho, wo) = geometry
    uh, uw = -(-kh // sh), -(-kw // sw)
    hq, wq = ho + uh - 1, wo + uw - 1
    return uh, uw, hq, wq, (uh - 1) * wq + uw - 1


def takes(shape: Any, geometry: Any, itemsize: int) -> bool:
    """Whether the convolution of an input of ``shape`` goes by phases here: a stride above 1
    in some direction, no dilation, a kernel at least the stride in each direction (a 1x1
    kernel at stride 2 would read one phase of four), an output of at least
    ``_MIN_POSITIONS`` (256) positions and a split input of at most ``_MAX_BYTES``.

    Examples
    --------
    >>> from polytensor.backends._phase_conv import takes
    >>> takes((8, 16, 34, 34), ((4, 4), (2, 2), (1, 1), (16, 16)), 4)
    True
    >>> takes((8, 16, 34, 34), ((1, 1), (2, 2), (1, 1), (17, 17)), 4)
    False
    """
    (kh, kw), (sh, sw), dilation, (ho, wo) = geometry
    if (sh, sw) == (1, 1) or dilation != (1, 1) or kh < sh or kw < sw:
        return False
    if ho * wo < _MIN_POSITIONS:
        return False
    _, _, hq, wq, _ = _plan(shape, geometry)
    n, c = shape[:2]
    return bool(c * sh * sw * n * hq * wq * itemsize <= _MAX_BYTES)


def _zero_taps(geometry: Any) -> bool:
    """Whether the rearranged kernel has taps past the weight's (zeros)."""
    (kh, kw), (sh, sw), _, _ = geometry
    return bool(kh % sh or kw % sw)


def _split(xd: Any, geometry: Any) -> Any:
    """The input (N, C, H, W) split by phase, (C * sh * sw, N * Hq * Wq) and past that zeros
    as far as the last tap reads; elements no window reads (past the input) zero."""
    import numpy as np

    _, (sh, sw), _, _ = geometry
    n, c, h, w = xd.shape
    _, _, hq, wq, extra = _plan(xd.shape, geometry)
    q = n * hq * wq
    exact = h >= sh * hq and w >= sw * wq
    buf = (np.empty if exact else np.zeros)((c * sh * sw, q + extra), xd.dtype)
    buf[:, q:] = 0
    # (splitting axes of a view is a view: these write into buf)
    xs = buf[:, :q].reshape(c, sh, sw, n, hq, wq)
    # phase by phase, each as far as the input goes: one copy for all phases, whose innermost
    # axes hold sh and sw elements, is ~4x slower
    for a in range(sh):
        for b in range(sw):
            src = xd[:, :, a::sh, b::sw][:, :, :hq, :wq]
            xs[:, a, b, :, : src.shape[2], : src.shape[3]] = src.transpose(1, 0, 2, 3)
    return buf


def split(xd: Any, geometry: Any) -> Any:
    """``xd`` (N, C, H, W) split by phases, (C * sh * sw, N * Hq * Wq + the last tap's
    reach), or None where it is not all finite (a wide position or a zero tap would read an
    inf or NaN)."""
    import math

    import numpy as np

    if not math.isfinite(float(np.vdot(xd, xd))):
        return None
    return _split(xd, geometry)


@functools.lru_cache(maxsize=64)
def _order(shape: Any, stride: Any) -> tuple[Any, Any]:
    """For a weight of ``shape`` (O, C, kh, kw) padded to whole phases (kh and kw multiples of
    the stride): where each element of the rearranged weight lies in it (its flat index), by
    tap (Uh * Uw, O, C * sh * sw) and as one matrix (O, C * sh * sw * Uh * Uw), rows in the
    split input's order. A gather by index is ~3x faster than a transposing copy of the
    six-axis view, whose innermost axes hold two elements."""
    import numpy as np

    o, c, kh, kw = shape
    (sh, sw), uh, uw = stride, kh // stride[0], kw // stride[1]
    i = np.arange(o * c * kh * kw).reshape(o, c, uh, sh, uw, sw).transpose(0, 1, 3, 5, 2, 4)
    matrix = np.ascontiguousarray(i).reshape(o, -1)
    by_tap = np.ascontiguousarray(matrix.reshape(o, -1, uh * uw).transpose(2, 0, 1))
    return by_tap, matrix


def _weight(wd: Any, geometry: Any, by_tap: bool) -> Any:
    """The weight (O, C, kh, kw) rearranged by phases, taps past the kernel zero: by tap, (Uh
    * Uw, O, C * sh * sw), else (O, C * sh * sw * Uh * Uw); rows in the split input's order."""
    import numpy as np

    _, (sh, sw), _, _ = geometry
    o, c, kh, kw = wd.shape
    uh, uw = -(-kh // sh), -(-kw // sw)
    wp = wd
    if (kh, kw) != (uh * sh, uw * sw):
        wp = np.zeros((o, c, uh * sh, uw * sw), wd.dtype)
        wp[:, :, :kh, :kw] = wd
    return np.ascontiguousarray(wp).reshape(-1)[_order(wp.shape, (sh, sw))[0 if by_tap else 1]]


def conv2d(xd: Any, wd: Any, geometry: Any, keep: bool) -> tuple[Any, Any]:
    """``conv2d`` of the padded (N, C, H, W) array ``xd`` by ``wd`` (O, C, kh, kw), one group,
    no bias, where ``takes``; returns the output (N, O, Ho, Wo), C-contiguous, and with
    ``keep`` the split input for the weight's gradient (else None); or (None, None) where
    ``xd`` is not all finite and there are zero taps or the split input is kept.

    A product per tap, each (O, C * sh * sw) by the split input shifted, added up."""
    import numpy as np

    ho, wo = geometry[3]
    n, o = xd.shape[0], wd.shape[0]
    uh, uw, hq, wq, extra = _plan(xd.shape, geometry)
    # (without zero taps, only the wide positions, dropped, read past a window)
    buf = split(xd, geometry) if keep or _zero_taps(geometry) else _split(xd, geometry)
    if buf is None:
        return None, None
    q = buf.shape[1] - extra
    w4 = _weight(wd, geometry, True)
    res = np.matmul(w4[0], buf[:, :q])
    for t in range(1, uh * uw):
        off = (t // uw) * wq + t % uw
        res += np.matmul(w4[t], buf[:, off : off + q])
    out = np.ascontiguousarray(res.reshape(o, n, hq, wq)[:, :, :ho, :wo].transpose(1, 0, 2, 3))
    return out, (buf if keep else None)


def conv2d_backward(
    shape: Any, wd: Any, gd: Any, buf: Any, geometry: Any, need_x: bool, need_w: bool
) -> tuple[Any, Any]:
    """The gradients of ``conv2d`` of an input of ``shape`` for the output's gradient ``gd``:
    the input's (None unless ``need_x``; the caller checks that ``wd`` and ``gd`` are finite)
    and the weight's (None unless ``need_w``; from ``buf``, the forward's split input)."""
    import numpy as np

    (kh, kw), (sh, sw), _, (ho, wo) = geometry
    n, c, h, w = shape
    o = wd.shape[0]
    uh, uw, hq, wq, extra = _plan(shape, geometry)
    q = n * hq * wq
    offsets = [u * wq + v for u in range(uh) for v in range(uw)]
    # the output's gradient laid out as the split input's positions, zero at the wide ones
    gq = np.zeros((o, n, hq, wq), gd.dtype)
    gq[:, :, :ho, :wo] = gd.transpose(1, 0, 2, 3)
    g2 = gq.reshape(o, q)
    gx = gw = None
    if need_w:
        # per tap (C*sh*sw, q) @ (q, O): ~25% faster than (O, q) @ (q, C*sh*sw)
        parts = np.stack([np.matmul(buf[:, f : f + q], g2.T) for f in offsets])
        full = np.empty((o, c, uh * sh, uw * sw), gd.dtype)
        full.reshape(-1)[_order(full.shape, (sh, sw))[0]] = parts.transpose(0, 2, 1)
        gw = full if (kh, kw) == full.shape[2:] else np.ascontiguousarray(full[:, :, :kh, :kw])
    if need_x:
        acc = np.zeros((c * sh * sw, q + extra), gd.dtype)
        if o < _ONE_PRODUCT_MIN_OUT:  # a product per tap
            w4 = _weight(wd, geometry, True)
            for t, f in enumerate(offsets):
                acc[:, f : f + q] += np.matmul(w4[t].T, g2)
        else:  # one product for every tap
            gc = np.matmul(_weight(wd, geometry, False).T, g2).reshape(c * sh * sw, -1, q)
            for t, f in enumerate(offsets):
                acc[:, f : f + q] += gc[:, t]
        xs = acc[:, :q].reshape(c, sh, sw, n, hq, wq)
        # phase by phase, as the split; elements no window reads stay zero
        gx = (np.empty if (h, w) == (sh * hq, sw * wq) else np.zeros)(shape, gd.dtype)
        for a in range(sh):
            for b in range(sw):
                dest = gx[:, :, a::sh, b::sw][:, :, :hq, :wq]
                dest[...] = xs[:, a, b, :, : dest.shape[2], : dest.shape[3]].transpose(1, 0, 2, 3)
    return gx, gw
