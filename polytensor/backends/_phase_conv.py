"""NumPy's strided ``conv2d`` and ``conv_transpose2d`` (no dilation, one group) by phases, over
the batch laid out flat.

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
the direct convolution's, or an exact zero. The split takes the padding in place (``pad``):
zeros of the split, no padded copy.

The transposed convolution (``conv_transpose2d``, and the input's gradient of ``conv2d``) goes
the other way ("sub-pixel convolution"): output row ``sh * m + a`` (phase a) takes input row
``m - u`` at kernel row ``a + sh * u``, so all phases are one stride-1 convolution of the input
framed by Uh - 1 rows and Uw - 1 columns of zeros before it, to ``sh * sw * C_out`` channels,
then interleaved: products of the framed input shifted, as above, where adding each tap's
product into the gradient of a split input copied ~4x as much (DCGAN's generator: 1.2x to 1.8x
faster). Its gradients are a ``conv2d`` of the output's gradient split by phases, and that
``conv2d``'s weight gradient.

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

__all__ = [
    "conv2d",
    "conv2d_backward",
    "conv_transpose2d",
    "conv_transpose2d_backward",
    "split",
    "takes",
    "takes_transposed",
]

# the split input's bytes past which the convolution is left to ``_windows`` (which copies
# columns a few samples at a time)
_MAX_BYTES = 1 << 23
# the output positions per sample from which the convolution goes by phases: below, the wide
# positions' share of the products ((Ho + 1) * (Wo + 1) against Ho * Wo for a 4x4 kernel at
# stride 2) and the products' small sizes cost more than the strided columns' copy saves
# (forward and backward, in one process: DCGAN's 32x32 output 1922 us to 708 us, 16x16 976
# to 932 us, 8x8 767 to 818 us, 4x4 793 to 928 us)
_MIN_POSITIONS = 256
# the same for a kernel of whole phases (no zero taps), whose input's gradient is a transposed
# convolution by phases (``_transposed``): from 64 positions (DCGAN's 8x8 output, forward and
# backward: 584 us to 548 us; a 4x4 one, 582 us to 598 us, stays with ``_windows``)
_MIN_POSITIONS_WHOLE = 64
# the rows of a transposed convolution's product (sh * sw * C_out) from which its shifted
# inputs are stacked into one product rather than multiplied tap by tap
_STACKED_MIN_ROWS = 16


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
    ``_MIN_POSITIONS`` (256) positions, or ``_MIN_POSITIONS_WHOLE`` (64) for a kernel of whole
    phases, and a split input of at most ``_MAX_BYTES``.

    Examples
    --------
    >>> from polytensor.backends._phase_conv import takes
    >>> takes((8, 16, 18, 18), ((4, 4), (2, 2), (1, 1), (8, 8)), 4)
    True
    >>> takes((8, 16, 17, 17), ((3, 3), (2, 2), (1, 1), (8, 8)), 4)
    False
    >>> takes((8, 16, 34, 34), ((1, 1), (2, 2), (1, 1), (17, 17)), 4)
    False
    """
    (kh, kw), (sh, sw), dilation, (ho, wo) = geometry
    if (sh, sw) == (1, 1) or dilation != (1, 1) or kh < sh or kw < sw:
        return False
    if ho * wo < (_MIN_POSITIONS if _zero_taps(geometry) else _MIN_POSITIONS_WHOLE):
        return False
    _, _, hq, wq, _ = _plan(shape, geometry)
    n, c = shape[:2]
    return bool(c * sh * sw * n * hq * wq * itemsize <= _MAX_BYTES)


def _zero_taps(geometry: Any) -> bool:
    """Whether the rearranged kernel has taps past the weight's (zeros)."""
    (kh, kw), (sh, sw), _, _ = geometry
    return bool(kh % sh or kw % sw)


def _runs(size: int, stride: int, pad: int, count: int) -> list[tuple[int, int, int]]:
    """Per phase ``a``: the first of its ``count`` positions ``i`` (``stride * i + a`` along an
    axis with ``pad`` zeros before ``size`` elements) that falls in the elements, the element
    it is, and how many of the positions from there do: ``(i0, first, n)``."""
    runs = []
    for a in range(stride):
        i0 = max(0, -(-(pad - a) // stride))
        first = stride * i0 + a - pad
        runs.append((i0, first, max(0, min(count - i0, -(-(size - first) // stride)))))
    return runs


def _split(xd: Any, geometry: Any, pad: Any = (0, 0)) -> Any:
    """The input (N, C, H, W) with ``pad`` (top, left) zeros before it split by phase, (C *
    sh * sw, N * Hq * Wq) and past that zeros as far as the last tap reads; elements no window
    reads (past the input, or in the padding) zero."""
    import numpy as np

    _, (sh, sw), _, _ = geometry
    n, c, h, w = xd.shape
    _, _, hq, wq, extra = _plan(xd.shape, geometry)
    q = n * hq * wq
    rows, cols = _runs(h, sh, pad[0], hq), _runs(w, sw, pad[1], wq)
    exact = all(r[0] == 0 and r[2] == hq for r in rows) and all(
        r[0] == 0 and r[2] == wq for r in cols
    )
    buf = (np.empty if exact else np.zeros)((c * sh * sw, q + extra), xd.dtype)
    buf[:, q:] = 0
    # (splitting axes of a view is a view: these write into buf)
    xs = buf[:, :q].reshape(c, sh, sw, n, hq, wq)
    # phase by phase, each as far as the input goes: one copy for all phases, whose innermost
    # axes hold sh and sw elements, is ~4x slower
    for a, (i0, r0, ni) in enumerate(rows):
        for b, (j0, c0, nj) in enumerate(cols):
            if ni and nj:
                src = xd[:, :, r0::sh, c0::sw][:, :, :ni, :nj]
                xs[:, a, b, :, i0 : i0 + ni, j0 : j0 + nj] = src.transpose(1, 0, 2, 3)
    return buf


def split(xd: Any, geometry: Any, pad: Any = (0, 0)) -> Any:
    """``xd`` (N, C, H, W) after ``pad`` (top, left) zeros split by phases, (C * sh * sw, N *
    Hq * Wq + the last tap's reach), or None where it is not all finite (a wide position or a
    zero tap would read an inf or NaN)."""
    import math

    import numpy as np

    if not math.isfinite(float(np.vdot(xd, xd))):
        return None
    return _split(xd, geometry, pad)


@functools.lru_cache(maxsize=64)
def _order(shape: Any, stride: Any) -> Any:
    """For a weight of ``shape`` (O, C, kh, kw) padded to whole phases (kh and kw multiples of
    the stride): where each element of the rearranged weight lies in it (its flat index), by
    tap (Uh * Uw, O, C * sh * sw), rows in the split input's order. A gather by index is ~3x
    faster than a transposing copy of the six-axis view, whose innermost axes hold two
    elements."""
    import numpy as np

    o, c, kh, kw = shape
    (sh, sw), uh, uw = stride, kh // stride[0], kw // stride[1]
    i = np.arange(o * c * kh * kw).reshape(o, c, uh, sh, uw, sw).transpose(0, 1, 3, 5, 2, 4)
    return np.ascontiguousarray(i.reshape(o, -1, uh * uw).transpose(2, 0, 1))


def _weight(wd: Any, geometry: Any) -> Any:
    """The weight (O, C, kh, kw) rearranged by phases, taps past the kernel zero: by tap, (Uh
    * Uw, O, C * sh * sw), rows in the split input's order."""
    import numpy as np

    _, (sh, sw), _, _ = geometry
    o, c, kh, kw = wd.shape
    uh, uw = -(-kh // sh), -(-kw // sw)
    wp = wd
    if (kh, kw) != (uh * sh, uw * sw):
        wp = np.zeros((o, c, uh * sh, uw * sw), wd.dtype)
        wp[:, :, :kh, :kw] = wd
    return np.ascontiguousarray(wp).reshape(-1)[_order(wp.shape, (sh, sw))]


def conv2d(xd: Any, wd: Any, geometry: Any, keep: bool, pad: Any = (0, 0)) -> tuple[Any, Any]:
    """``conv2d`` of the (N, C, H, W) array ``xd``, padded (``pad`` (top, left) zeros before
    it, as many after as the windows read), by ``wd`` (O, C, kh, kw), one group, no bias,
    where ``takes``; returns the output (N, O, Ho, Wo), C-contiguous, and with ``keep`` the
    split input for the weight's gradient (else None); or (None, None) where ``xd`` is not
    all finite and there are zero taps or the split input is kept.

    A product per tap, each (O, C * sh * sw) by the split input shifted, added up."""
    import numpy as np

    ho, wo = geometry[3]
    n, o = xd.shape[0], wd.shape[0]
    uh, uw, hq, wq, extra = _plan(xd.shape, geometry)
    # (without zero taps, only the wide positions, dropped, read past a window)
    if keep or _zero_taps(geometry):
        buf = split(xd, geometry, pad)
    else:
        buf = _split(xd, geometry, pad)
    if buf is None:
        return None, None
    q = buf.shape[1] - extra
    w4 = _weight(wd, geometry)
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
    uh, uw, hq, wq, _ = _plan(shape, geometry)
    q = n * hq * wq
    gx = gw = None
    if need_w:
        # the output's gradient laid out as the split input's positions, zero at the wide ones
        gq = np.zeros((o, n, hq, wq), gd.dtype)
        gq[:, :, :ho, :wo] = gd.transpose(1, 0, 2, 3)
        g2 = gq.reshape(o, q)
        offsets = [u * wq + v for u in range(uh) for v in range(uw)]
        # per tap (C*sh*sw, q) @ (q, O): ~25% faster than (O, q) @ (q, C*sh*sw)
        parts = np.stack([np.matmul(buf[:, f : f + q], g2.T) for f in offsets])
        full = np.empty((o, c, uh * sh, uw * sw), gd.dtype)
        full.reshape(-1)[_order(full.shape, (sh, sw))] = parts.transpose(0, 2, 1)
        gw = full if (kh, kw) == full.shape[2:] else np.ascontiguousarray(full[:, :, :kh, :kw])
    if need_x:  # the transposed convolution of the output's gradient, by phases
        gx = _transposed(gd, wd, geometry, (h, w), (0, 0))
    return gx, gw


def takes_transposed(shape: Any, geometry: Any, cout: int, itemsize: int) -> bool:
    """Whether ``conv_transpose2d`` of an input of ``shape`` (N, C_in, H, W) to ``cout``
    channels goes by phases here, forward and backward: a stride above 1 in some direction,
    no dilation, a kernel at least the stride in each direction, and arrays of the phases of
    at most ``_MAX_BYTES``. At every size (DCGAN's generator, from a 4x4 input up: 1.2x to
    1.8x faster than as the input's gradient of a ``conv2d``).

    Examples
    --------
    >>> from polytensor.backends._phase_conv import takes_transposed
    >>> takes_transposed((8, 64, 4, 4), ((4, 4), (2, 2), (1, 1), (4, 4)), 32, 4)
    True
    >>> takes_transposed((8, 64, 4, 4), ((4, 4), (1, 1), (1, 1), (4, 4)), 32, 4)
    False
    """
    (kh, kw), (sh, sw), dilation, _ = geometry
    if (sh, sw) == (1, 1) or dilation != (1, 1) or kh < sh or kw < sw:
        return False
    _, _, hq, wq, _ = _plan(shape, geometry)
    n, c = shape[:2]
    return bool(max(c, cout) * sh * sw * n * hq * wq * itemsize <= _MAX_BYTES)


@functools.lru_cache(maxsize=64)
def _transposed_order(shape: Any, stride: Any) -> Any:
    """For a weight of ``shape`` (C_in, C_out, kh, kw) padded to whole phases: where each
    element of the transposed convolution's weight by tap lies in it (its flat index), (Uh *
    Uw, sh * sw * C_out, C_in): tap (u, v) reads the input shifted by (u, v), and row (a, b,
    o) is output channel o at phase (a, b), whose kernel row is ``a + sh * (Uh - 1 - u)``."""
    import numpy as np

    c, o, kh, kw = shape
    (sh, sw), uh, uw = stride, kh // stride[0], kw // stride[1]
    i = np.arange(c * o * kh * kw).reshape(c, o, uh, sh, uw, sw)[:, :, ::-1, :, ::-1]
    return np.ascontiguousarray(i.transpose(2, 4, 3, 5, 1, 0)).reshape(uh * uw, sh * sw * o, c)


def conv_transpose2d(zd: Any, wd: Any, geometry: Any, out_hw: Any, padding: Any) -> Any:
    """The transposed convolution of ``zd`` (N, C_in, H, W) by ``wd`` (C_in, C_out, kh, kw),
    one group, no bias, where ``takes_transposed``: ``geometry`` is the ``(kernel, stride,
    dilation, (H, W))`` of the ``conv2d`` it transposes, ``out_hw`` the output's size and
    ``padding`` (ph, pw) what is cropped before it. Returns the output (N, C_out, *out_hw),
    C-contiguous, or None where ``wd`` is not all finite, or ``zd`` is not and there are zero
    taps (a zero of the padding or a zero tap times an inf would be a NaN).

    Output row ``sh * m + a - ph`` (phase a) takes input row ``m - u`` at kernel row ``a + sh
    * u``: for all phases at once a stride-1 convolution of the input, framed by Uh - 1 rows
    (Uw - 1 columns) of zeros before, with a (Uh, Uw) kernel of sh * sw * C_out channels, the
    weight's taps by phase, flipped ("sub-pixel convolution"). The framed input is laid out
    (C_in, N * Hq * Wq), Hq = H + Uh - 1: tap (u, v) is it shifted by ``u * Wq + v``, and what
    a position reads past its row or sample is the next one's frame, zeros; every position is
    one of the output's. Then one interleaving copy per phase into the output, cropped."""
    if not _finite(wd) or (_zero_taps(geometry) and not _finite(zd)):
        return None
    return _transposed(zd, wd, geometry, out_hw, padding)


def _transposed(zd: Any, wd: Any, geometry: Any, out_hw: Any, padding: Any) -> Any:
    """``conv_transpose2d`` without its checks of what is finite."""
    import numpy as np

    _, (sh, sw), _, _ = geometry
    n, c = zd.shape[:2]
    o = wd.shape[1]
    uh, uw, hq, wq, extra = _plan(zd.shape, geometry)
    q = n * hq * wq
    framed = np.zeros((c, q + extra), np.result_type(zd, wd))
    view = framed[:, :q].reshape(c, n, hq, wq)
    view[:, :, uh - 1 :, uw - 1 :] = zd.transpose(1, 0, 2, 3)
    w3 = _transposed_weight(wd, geometry)
    offsets = [u * wq + v for u in range(uh) for v in range(uw)]
    if sh * sw * o >= _STACKED_MIN_ROWS:  # one product, the shifted inputs stacked
        stacked = np.empty((len(offsets), c, q), framed.dtype)
        for t, f in enumerate(offsets):
            stacked[t] = framed[:, f : f + q]
        w2 = np.ascontiguousarray(w3.transpose(1, 0, 2)).reshape(sh * sw * o, -1)
        res = np.matmul(w2, stacked.reshape(-1, q))
    else:  # a product per tap
        res = np.matmul(w3[0], framed[:, :q])
        for t in range(1, len(offsets)):
            res += np.matmul(w3[t], framed[:, offsets[t] : offsets[t] + q])
    phases = res.reshape(sh, sw, o, n, hq, wq)
    (ph, pw), (ho, wo) = padding, out_hw
    rows, cols = _phase_rows(ho, sh, ph, hq), _phase_rows(wo, sw, pw, wq)
    covered = all(r[3] for r in rows + cols)
    out = (np.empty if covered else np.zeros)((n, o, ho, wo), framed.dtype)
    for a, (r0, m0, nr, _) in enumerate(rows):
        for b, (c0, l0, nc, _) in enumerate(cols):
            if nr and nc:
                dest = out[:, :, r0::sh, c0::sw][:, :, :nr, :nc]
                dest[...] = phases[a, b, :, :, m0 : m0 + nr, l0 : l0 + nc].transpose(1, 0, 2, 3)
    return out


def _phase_rows(size: int, stride: int, crop: int, count: int) -> list[Any]:
    """Per phase ``a`` of an output axis of ``size`` cropped by ``crop`` at its start, whose
    rows ``stride * m + a`` (before the crop) for m < ``count`` were computed: the first output
    row of the phase, its ``m``, how many of its rows were computed, and whether that is all of
    them (else the rest are zeros)."""
    runs = []
    for a in range(stride):
        r0 = (a - crop) % stride
        m0 = (r0 + crop) // stride
        need = -(-(size - r0) // stride) if r0 < size else 0
        got = max(0, min(need, count - m0))
        runs.append((r0, m0, got, got == need))
    return runs


def _transposed_weight(wd: Any, geometry: Any) -> Any:
    """The weight (C_in, C_out, kh, kw) of a transposed convolution by tap, (Uh * Uw, sh * sw
    * C_out, C_in), taps past the kernel zero (``_transposed_order``)."""
    import numpy as np

    _, (sh, sw), _, _ = geometry
    c, o, kh, kw = wd.shape
    uh, uw = -(-kh // sh), -(-kw // sw)
    wp = wd
    if (kh, kw) != (uh * sh, uw * sw):
        wp = np.zeros((c, o, uh * sh, uw * sw), wd.dtype)
        wp[:, :, :kh, :kw] = wd
    return np.ascontiguousarray(wp).reshape(-1)[_transposed_order(wp.shape, (sh, sw))]


def _finite(a: Any) -> bool:
    """Whether every element of ``a`` is finite (``a . a`` is, only then)."""
    import math

    import numpy as np

    return math.isfinite(float(np.vdot(a, a)))


def conv_transpose2d_backward(
    zd: Any,
    wd: Any,
    gd: Any,
    geometry: Any,
    full_hw: Any,
    padding: Any,
    need_z: bool,
    need_w: bool,
) -> tuple[Any, Any] | None:
    """The gradients of ``conv_transpose2d`` for the output's gradient ``gd``: the input's
    (None unless ``need_z``), the ``conv2d`` of ``gd`` padded back to ``full_hw`` by ``wd``,
    and the weight's (None unless ``need_w``), that ``conv2d``'s weight gradient for the
    output gradient ``zd``; both from ``gd`` split by phases with the padding in place (no
    padded copy). None where ``gd`` is not all finite and the split is kept or there are
    zero taps (the caller takes another path)."""
    gz, buf = None, None
    if need_z:
        gz, buf = conv2d(gd, wd, geometry, need_w, padding)
        if gz is None:
            return None
    elif need_w:
        buf = split(gd, geometry, padding)
        if buf is None:
            return None
    gw = None
    if need_w:
        shape = (*gd.shape[:2], *full_hw)
        gw = conv2d_backward(shape, wd, zd, buf, geometry, False, True)[1]
    return gz, gw
