"""NumPy's window kernels: ``conv2d`` (one group) and ``max_pool2d`` by tiling windows, forward
and backward, on arrays (``Writes.windows`` of the NumPy backend; ``nn._window_kernels`` makes
each one graph node).

- ``conv2d``: one ``sliding_window_view`` of the padded input, one copy into columns (N,
  C*kh*kw, Ho*Wo), one batched ``matmul``. Backward takes the weight's gradient from the
  columns and adds the columns' gradient into the input's with the batch as the last axis, so
  that each of the kh*kw additions runs over rows of Wo*N elements.
- ``max_pool``: the strided views of the window positions, a running maximum, each window's
  first maximum (in a window holding NaNs its last NaN, PyTorch's CPU rule) found by
  comparisons, the output and the gradient selected by their bits (the element itself: its
  sign of zero, its NaN). A mask-driven ``where`` branches on every element, ~15x slower than
  a comparison on a pooling's random masks; an ``argmax`` over a window axis of 4 makes a call
  per window.

Examples
--------
>>> import numpy as np
>>> from polytensor.backends import _windows
>>> out, cols = _windows.conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)),
...                             ((2, 2), (1, 1), (1, 1), (2, 2)), keep_cols=False)
>>> out[0, 0], cols
(array([[4., 4.],
       [4., 4.]]), None)
"""

from __future__ import annotations

from typing import Any

__all__ = ["conv2d", "conv2d_backward", "max_pool", "max_pool_backward"]

# a float's itemsize -> the integer of its bits
_BITS = {2: "int16", 4: "int32", 8: "int64"}


def _window_view(d: Any, kernel: Any, stride: Any, dilation: Any, out_hw: Any) -> Any:
    """The windows of the (N, C, H, W) array ``d``, a view (N, C, Ho, Wo, kh, kw): element
    ``[n, c, i, j, ki, kj]`` is ``d[n, c, i * sh + ki * dh, j * sw + kj * dw]``."""
    from numpy.lib.stride_tricks import sliding_window_view

    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    v = sliding_window_view(d, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    return v[:, :, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, ::dh, ::dw]


def conv2d(xd: Any, wd: Any, geometry: Any, keep_cols: bool) -> tuple[Any, Any]:
    """``conv2d`` of the padded (N, C, H, W) array ``xd`` and the weight ``wd`` (O, C, kh,
    kw), one group, no bias; ``geometry`` is ``(kernel, stride, dilation, (Ho, Wo))``. Returns
    the output and, with ``keep_cols``, the columns (N, C*kh*kw, Ho*Wo) for the weight's
    gradient (else None)."""
    import numpy as np

    kernel, stride, dilation, (ho, wo) = geometry
    n, c = xd.shape[:2]
    o, ck = wd.shape[0], c * kernel[0] * kernel[1]
    win = _window_view(xd, kernel, stride, dilation, (ho, wo))
    # (N, C, kh, kw, Ho, Wo): the weight's (C, kh, kw) order, then the positions
    cols = np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(n, ck, ho * wo)
    out = np.matmul(wd.reshape(o, ck), cols).reshape(n, o, ho, wo)
    return out, (cols if keep_cols else None)


def conv2d_backward(
    xd: Any, wd: Any, gd: Any, cols: Any, geometry: Any, need_x: bool, need_w: bool
) -> tuple[Any, Any]:
    """The gradients of ``conv2d`` for the output's gradient ``gd``: the input's (None unless
    ``need_x``) and the weight's (from ``cols``; None unless ``need_w``)."""
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


def _tiles(d: Any, kh: int, kw: int, ho: int, wo: int) -> list[Any]:
    """The ``kh * kw`` strided views (N, C, Ho, Wo) of ``d``'s tiling windows, row-major:
    view ``ki * kw + kj`` holds each window's element (ki, kj)."""
    return [
        d[:, :, ki : ki + kh * (ho - 1) + 1 : kh, kj : kj + kw * (wo - 1) + 1 : kw]
        for ki in range(kh)
        for kj in range(kw)
    ]


def _all_ones(mask: Any, bits: Any) -> Any:
    """The boolean array ``mask`` as integers of dtype ``bits``: all ones where True, 0 else."""
    import numpy as np

    return np.negative(mask, dtype=bits)


def max_pool(xd: Any, kernel: Any, out_hw: Any) -> tuple[Any, Any]:
    """``max_pool2d`` of the (N, C, H, W) array ``xd`` by windows that tile it (stride =
    kernel, no dilation or padding; rows and columns past the last window are left out).
    Returns the output and, per window, the position of the element it took (for the
    gradient)."""
    import numpy as np

    (kh, kw), (ho, wo) = kernel, out_hw
    views = _tiles(xd, kh, kw, ho, wo)
    top = np.maximum(views[0], views[1]) if len(views) > 1 else views[0].copy()
    for v in views[2:]:
        np.maximum(top, v, out=top)  # (a NaN wins)
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
    # per window, the position chosen, and the output as that element's bits
    first = np.zeros(top.shape, np.min_scalar_type(len(views) - 1))
    found = None
    bits = _BITS[xd.dtype.itemsize]
    out = np.zeros(top.shape, xd.dtype)
    out_bits = out.view(bits)
    for q, v in enumerate(views):
        hit = v == top  # (never true in a window whose maximum is a NaN)
        if found is None:
            found = hit.copy()  # (a copy: found grows, hit stays position q's)
        else:
            hit &= ~found
            found |= hit
        if nan_hits[q] is not None:
            hit |= nan_hits[q]
        if q:
            first += hit * first.dtype.type(q)
        np.bitwise_or(out_bits, np.bitwise_and(v.view(bits), _all_ones(hit, bits)), out=out_bits)
    return out, first


def max_pool_backward(shape: Any, gd: Any, first: Any, kernel: Any, out_hw: Any) -> Any:
    """The gradient of ``max_pool`` for the output's gradient ``gd``: an array of the input's
    ``shape`` with each window's gradient at the element ``first`` gives, zeros elsewhere."""
    import numpy as np

    (kh, kw), (ho, wo) = kernel, out_hw
    bits = _BITS[gd.dtype.itemsize]
    covered = tuple(shape[2:]) == (ho * kh, wo * kw)
    gx = (np.empty if covered else np.zeros)(shape, gd.dtype)
    g_bits = gd.view(bits)
    for q, dest in enumerate(_tiles(gx, kh, kw, ho, wo)):
        # g where the window's chosen element is at q, else +0.0: by its bits
        np.bitwise_and(g_bits, _all_ones(first == q, bits), out=dest.view(bits))
    return gx
