"""NumPy's element-wise kernels of ``nn`` layers (``Writes.layers`` of the NumPy backend;
``nn._layer_kernels`` makes each one graph node), each writing one new array.

- ``leaky_relu``: ``x`` where ``x > 0``, else ``x * slope``, as PyTorch's kernel; for a
  slope in (0, 1] that is ``maximum(x, x * slope)`` (above 1, ``minimum``): two passes where
  a comparison and a selection take five, and the same values (``-0.0`` gives ``-0.0 *
  slope``, a NaN stays a NaN, ``-inf`` gives ``-inf * slope``).
- ``leaky_relu_backward``: ``g`` where ``x > 0``, else ``g * slope``, as PyTorch's, by one
  product ``g * f`` with the factor ``f = (x > 0) * (1 - slope) + slope``, exactly 1 or
  ``slope`` where ``(1 - slope) + slope`` rounds to 1 in the dtype (checked; else a
  ``where``). NumPy's ``where`` branches on every element of a random mask: 280 us for
  65,536 float32 against 27 us.
- ``binary_cross_entropy``: PyTorch's CPU kernel, ``(t - 1) * max(log1p(-x), -100) - t *
  max(log(x), -100)``, in five passes where the composite takes some twenty ops; None where
  an element of ``x`` lies outside [0, 1] (the caller raises). Its backward is PyTorch's
  formula, ``g * (x - t) / max((1 - x) * x, 1e-12)``, divided by the element count for a mean.
- ``batch_norm_eval`` (by the running statistics) and its backward: PyTorch's CPU kernel,
  ``x * alpha + beta`` with ``alpha = weight / sqrt(var + eps)`` and ``beta = bias - mean *
  alpha`` per channel, two passes where the composite's ops take five (3.9x torch's time on
  ResNet's (16, 8, 14, 14)).
- ``batch_norm`` (by the batch's statistics) and its backward: the formulas of ``nn.functional``'s
  ``_BatchNormNode`` on arrays, ~20 ops each way whose dispatch cost more than their passes at
  the small shapes of DCGAN and ResNet (2.3x torch's time on (16, 16, 4, 4)).
- ``grid_sample`` and ``grid_sample_backward``: bilinear ``grid_sample`` (every padding mode,
  either ``align_corners``) with the composite's arithmetic (``nn._resample``), its four
  corners gathered by one flat index and its input's gradient scattered back by one
  ``bincount``; the composite is some sixty nodes (the spatial transformer tutorial's (8, 1,
  28, 28) images: 390 us forward against PyTorch's 13).
- ``gru_layer`` and ``gru_layer_backward``: a GRU layer in one direction over a whole sequence,
  packed or not (``_recurrent.py``, which documents them).

Examples
--------
>>> import numpy as np
>>> from polytensor.backends import _layers
>>> x = np.array([-2.0, -0.0, 0.0, 3.0, np.nan])
>>> _layers.leaky_relu(x, 0.5)
array([-1., -0.,  0.,  3., nan])
>>> _layers.leaky_relu_backward(np.ones(5), x, 0.5)
array([0.5, 0.5, 0.5, 1. , 0.5])
>>> p, t = np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0, 0.0])
>>> _layers.binary_cross_entropy(p, t)
array([  0.        ,   0.69314718, 100.        ])
>>> _layers.binary_cross_entropy_backward(np.float64(1.0), p, t, 1)
array([ 0.e+00, -2.e+00,  1.e+12])
"""

from __future__ import annotations

from typing import Any

from ._recurrent import gru_layer, gru_layer_backward

__all__ = [
    "BCE_EPSILON",
    "batch_norm",
    "batch_norm_backward",
    "batch_norm_eval",
    "batch_norm_eval_backward",
    "batch_norm_running",
    "binary_cross_entropy",
    "binary_cross_entropy_backward",
    "grid_sample",
    "grid_sample_backward",
    "gru_layer",
    "gru_layer_backward",
    "leaky_relu",
    "leaky_relu_backward",
]

# PyTorch's floor of each log of binary_cross_entropy, and of the denominator of its gradient:
# 1e-12 rounded to float32 (PyTorch's constant is a float), in every dtype
_LOG_FLOOR = -100.0
BCE_EPSILON = 9.999999960041972e-13


def leaky_relu(xd: Any, slope: float) -> Any:
    """``leaky_relu`` of the real floating array ``xd`` with ``negative_slope`` ``slope``: a
    new array."""
    import numpy as np

    if 0 < slope <= 1 and xd.dtype.type(slope) > 0:
        # (|x * slope| <= |x|, and no inf * 0 where the slope is not 0 in x's dtype: nothing
        # to warn of, no errstate to enter, ~1.7 us)
        r = np.multiply(xd, slope)
        return np.maximum(xd, r, out=r)
    with np.errstate(over="ignore", invalid="ignore"):  # (inf * 0: NaN, as PyTorch's, silent)
        r = np.multiply(xd, slope)
    if 0 < slope <= 1:  # (a slope that is 0 in x's dtype)
        return np.maximum(xd, r, out=r)
    if slope > 1:
        return np.minimum(xd, r, out=r)
    return np.where(xd > 0, xd, r)  # (a slope <= 0 or NaN: the definition)


def leaky_relu_backward(gd: Any, xd: Any, slope: float) -> Any:
    """The gradient of ``leaky_relu`` at ``xd`` for the output's gradient ``gd`` (of ``xd``'s
    shape and dtype): a new array."""
    import numpy as np

    t = gd.dtype.type
    s = t(slope)
    a = t(1) - s
    if 0 < s <= 1:  # (factors in (0, 1]: no overflow, no 0 * inf to warn of, no errstate)
        return _leaky_relu_backward(np, gd, xd, s, a)
    with np.errstate(over="ignore", invalid="ignore"):
        return _leaky_relu_backward(np, gd, xd, s, a)


def _leaky_relu_backward(np: Any, gd: Any, xd: Any, s: Any, a: Any) -> Any:
    """``leaky_relu_backward``'s passes, ``s`` the slope and ``a`` 1 - ``s`` in ``gd``'s
    dtype."""
    if a + s != 1:  # (the factor would not be exactly 1 where x > 0)
        return np.where(xd > 0, gd, np.multiply(gd, s))
    f = np.multiply(xd > 0, a, dtype=gd.dtype)
    f += s
    f *= gd
    return f


def binary_cross_entropy(xd: Any, td: Any) -> Any:
    """The element-wise binary cross entropy of probabilities ``xd`` and targets ``td`` (one
    real floating dtype, one shape), each log floored at -100 as PyTorch's: a new array, or
    None where an element of ``xd`` lies outside [0, 1] (a NaN too, as PyTorch's check)."""
    import numpy as np

    if not ((xd >= 0) & (xd <= 1)).all():
        return None
    floor = xd.dtype.type(_LOG_FLOOR)
    with np.errstate(divide="ignore", invalid="ignore"):  # (log(0): -inf, floored)
        lx = np.log(xd)
        l1 = np.log1p(np.negative(xd))
    np.maximum(lx, floor, out=lx)
    np.maximum(l1, floor, out=l1)
    lx *= td
    t1 = np.subtract(td, td.dtype.type(1))
    t1 *= l1
    t1 -= lx
    return t1


def binary_cross_entropy_backward(gd: Any, xd: Any, td: Any, count: int) -> Any:
    """The gradient of ``binary_cross_entropy`` at ``xd`` for the loss's gradient ``gd`` (its
    shape, or a scalar for a reduced loss), divided by ``count`` (the element count for a
    mean, else 1): a new array of ``xd``'s shape."""
    import numpy as np

    one = xd.dtype.type(1)
    d = np.subtract(one, xd)
    d *= xd
    np.maximum(d, xd.dtype.type(BCE_EPSILON), out=d)  # (a NaN stays a NaN)
    r = np.subtract(xd, td)
    r *= gd
    r /= d
    if count != 1:
        r /= xd.dtype.type(count)
    return r


def _channel_sums(a: Any, axes: Any) -> Any:
    """The sums of ``a`` (N, C, ...) over ``axes`` (all but the channels', 1), kept
    dimensions. In C order, over the batch first (N - 1 additions of whole samples) and then
    pairwise along each channel's positions: one reduction over axes (0, 2, 3) runs ~3x slower
    at DCGAN's (8, 64, 4, 4), its inner loop rows of W elements."""
    import numpy as np

    if not a.flags.c_contiguous or a.ndim < 3:
        return np.add.reduce(a, axis=axes, keepdims=True)
    n, c = a.shape[:2]
    s = np.add.reduce(np.add.reduce(a.reshape(n, c, -1), axis=0), axis=1)
    return s.reshape((1, c) + (1,) * (a.ndim - 2))


def batch_norm(xd: Any, wd: Any, bd: Any, axes: Any, eps: float) -> tuple[Any, ...]:
    """``batch_norm`` of ``xd`` by its statistics over ``axes`` (all but the channels', 1),
    times ``wd`` and plus ``bd`` (per channel, each may be None), as PyTorch's CPU kernel:
    ``xd * alpha + beta`` with ``alpha = wd / sqrt(var + eps)`` and ``beta = bd - mean *
    alpha`` (an infinite weight gives its NaNs). Returns the output, the mean and biased
    variance (kept dimensions), ``d = x - mean`` and ``inv = 1 / sqrt(var + eps)`` (for the
    backward)."""
    import numpy as np

    # (sums divided by the count: np.mean's own, without its wrapper's cost)
    n = xd.dtype.type(xd.size // xd.shape[1])
    mu = _channel_sums(xd, axes)
    mu /= n
    d = np.subtract(xd, mu)
    y = np.multiply(d, d)
    var = _channel_sums(y, axes)
    var /= n
    inv = np.sqrt(var + eps)
    np.divide(inv.dtype.type(1), inv, out=inv)
    alpha = inv if wd is None else inv * wd.reshape(inv.shape)
    with np.errstate(over="ignore", invalid="ignore"):  # (an infinite weight: NaN, silent)
        beta = np.multiply(mu, alpha)
        if bd is None:
            np.negative(beta, out=beta)
        else:
            np.subtract(bd.reshape(inv.shape), beta, out=beta)
        np.multiply(xd, alpha, out=y)
        y += beta
    return y, mu, var, d, inv


def batch_norm_backward(
    gd: Any, d: Any, inv: Any, wd: Any, axes: Any, needs: Any
) -> tuple[Any, Any, Any]:
    """The gradients of ``batch_norm`` for the output's gradient ``gd`` (of ``d``'s shape and
    dtype), from its ``d`` and ``inv``: the input's, the weight's and the bias's (each None
    unless ``needs`` asks for it; the last two per channel, 1-D)."""
    import numpy as np

    need_x, need_w, need_b = needs
    n = d.size // inv.size
    gb = _channel_sums(gd, axes)
    gx = gw = None
    if need_x or need_w:
        gdd = np.multiply(gd, d)
        gds = _channel_sums(gdd, axes)  # (the weight's gradient, divided by inv)
        if need_w:
            gw = (gds * inv).reshape(-1)
        if need_x:
            a = inv if wd is None else inv * wd.reshape(inv.shape)
            gx = np.multiply(gd, a)
            gx -= a * gb / n
            np.multiply(d, a * inv * inv * gds / n, out=gdd)
            gx -= gdd
    return gx, gw, (gb.reshape(-1) if need_b else None)


def batch_norm_running(rm: Any, rv: Any, mu: Any, var: Any, momentum: float, n: int) -> Any:
    """The running mean and variance after a batch of ``n`` per channel whose mean and biased
    variance are ``mu`` and ``var`` (kept dimensions), as PyTorch's: ``r * (1 - momentum) +
    s * momentum``, the variance unbiased; new arrays, in the running statistics' dtypes."""
    import numpy as np

    m = np.multiply(mu.reshape(-1), momentum)
    new_mean = np.multiply(rm, 1 - momentum)
    new_mean += m.astype(new_mean.dtype, copy=False)
    unbiased = var.reshape(-1) * (n / (n - 1))
    new_var = np.multiply(rv, 1 - momentum)
    new_var += np.multiply(unbiased, momentum).astype(new_var.dtype, copy=False)
    return new_mean, new_var


def batch_norm_eval(xd: Any, md: Any, vd: Any, wd: Any, bd: Any, eps: float) -> tuple[Any, Any]:
    """``batch_norm`` of ``xd`` (N, C, ...) by the running mean ``md`` and variance ``vd``
    (per channel), times ``wd`` and plus ``bd`` (each may be None), as PyTorch's CPU kernel:
    ``xd * alpha + beta`` with ``alpha = wd / sqrt(vd + eps)`` and ``beta = bd - md * alpha``.
    Returns the output and ``inv = 1 / sqrt(vd + eps)`` (for the backward)."""
    import numpy as np

    shape = (1, xd.shape[1]) + (1,) * (xd.ndim - 2)
    inv = np.sqrt(vd + vd.dtype.type(eps))
    np.divide(inv.dtype.type(1), inv, out=inv)
    alpha = inv if wd is None else inv * wd
    with np.errstate(over="ignore", invalid="ignore"):  # (an infinite weight: NaN, silent)
        beta = np.multiply(md, alpha)
        if bd is None:
            np.negative(beta, out=beta)
        else:
            np.subtract(bd, beta, out=beta)
        y = np.multiply(xd, alpha.reshape(shape))
        y += beta.reshape(shape)
    return y, inv


def batch_norm_eval_backward(
    gd: Any, xd: Any, md: Any, inv: Any, wd: Any, axes: Any, needs: Any
) -> tuple[Any, Any, Any]:
    """The gradients of ``batch_norm_eval`` for the output's gradient ``gd`` (of ``xd``'s shape
    and dtype): the input's ``gd * weight * inv``, the weight's ``sum(gd * (xd - md)) * inv``
    and the bias's ``sum(gd)`` (each None unless ``needs`` asks for it; the last two per
    channel, 1-D), as PyTorch's."""
    import numpy as np

    need_x, need_w, need_b = needs
    shape = (1, xd.shape[1]) + (1,) * (xd.ndim - 2)
    gx = gw = gb = None
    if need_x:
        gx = np.multiply(gd, (inv if wd is None else inv * wd).reshape(shape))
    if need_w:
        d = np.subtract(xd, md.reshape(shape))
        d *= gd
        gw = np.add.reduce(d, axis=axes) * inv
    if need_b:
        gb = np.add.reduce(gd, axis=axes)
    return gx, gw, gb


def _source(np: Any, coord: Any, size: int, padding: str, align_corners: bool) -> Any:
    """The pixel positions of normalised coordinates ``coord`` along an axis of ``size``
    pixels, computed as ``nn._resample._source`` computes them, and their derivative in
    ``coord``: ``(positions, scale, factor)``, the derivative being ``scale * factor``
    (``factor`` None for 1; else 0 where the position was clipped, -1 where reflected an odd
    number of times)."""
    t = coord.dtype.type
    if align_corners:
        scale = (size - 1) / 2
        c = (coord + 1) * scale
    else:
        scale = size / 2
        a = coord + 1
        c = a * scale
        c -= 0.5
        if coord.dtype == np.float64:
            # (the last bit PyTorch's fused multiply-add keeps: nn._resample._unnormalize)
            a_s = np.where(np.abs(a) < 2.0**996, a, t(0))
            s = a_s * 134217729.0
            hi = s - (s - a_s)
            c += (hi * scale - a_s * scale) + (a_s - hi) * scale
    if padding == "zeros":
        return c, scale, None
    factor = None
    if padding == "reflection":
        twice_low, twice_high = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        if twice_low == twice_high:
            return c * t(0), scale, np.zeros(c.shape, c.dtype)
        low, span = twice_low / 2, (twice_high - twice_low) / 2
        d = c - low
        sign = np.where(d < 0, t(-1), t(1))
        a = d * sign
        flips = np.floor(a / span)
        extra = a - flips * span
        even = (flips - 2 * np.floor(flips / 2)) == 0
        c = np.where(even, extra + low, span - extra + low)
        factor = np.where(even, sign, -sign)
    inside = (c > 0) & (c < size - 1)  # clipped to the border: (PyTorch's) gradient 0
    c = np.where(inside, c, np.where(c > 0, t(size - 1), t(0)))
    factor = inside.astype(c.dtype) if factor is None else np.where(inside, factor, t(0))
    return c, scale, factor


def grid_sample(xd: Any, gd: Any, padding: str, align_corners: bool) -> tuple[Any, Any]:
    """Bilinear ``grid_sample`` of the real floating ``xd`` (N, C, H, W) at the grid ``gd``
    (N, Ho, Wo, 2) of its dtype: ``(output, saved)``, ``saved`` what
    ``grid_sample_backward`` reads.

    The same arithmetic as ``nn._resample.grid_sample``'s composite: positions, their floors,
    the four corners' weights, their values (0 outside the image), and the weighted sum in the
    order nw, ne, sw, se. The values are gathered by one flat index from a copy of the input
    with a border of zeros two pixels wide: a floor clipped to -2 .. size (NaN to -2) puts
    both corners of an axis in the border wherever the true ones are outside, so no corner
    needs a mask."""
    import numpy as np

    n, c, h, w = xd.shape
    ho, wo = gd.shape[1:3]
    p = ho * wo
    h3, w3 = h + 4, w + 4
    with np.errstate(all="ignore"):  # (NaN and infinite positions: NaN weights, as PyTorch's)
        ix, sx, fx = _source(np, gd[..., 0].reshape(n, p), w, padding, align_corners)
        iy, sy, fy = _source(np, gd[..., 1].reshape(n, p), h, padding, align_corners)
        x0, y0 = np.floor(ix), np.floor(iy)
        x1, y1 = x0 + 1, y0 + 1
        wx0, wx1, wy0, wy1 = x1 - ix, ix - x0, y1 - iy, iy - y0
        # (fmax and fmin pass over a NaN: it becomes -2, a border pixel)
        cx = np.fmin(np.fmax(x0, -2), w).astype(np.intp)
        cy = np.fmin(np.fmax(y0, -2), h).astype(np.intp)
    nw = cy * w3
    nw += cx
    nw += 2 * w3 + 2  # (the border's offset)
    corners = np.array([0, 1, w3, w3 + 1], np.intp)  # nw, ne, sw, se
    planes = np.arange(0, n * c * h3 * w3, h3 * w3, dtype=np.intp).reshape(n, c, 1, 1)
    index = nw[:, None, None, :] + (planes + corners[:, None])  # (N, C, 4, P)
    framed = np.zeros((n, c, h3, w3), xd.dtype)
    framed[:, :, 2 : h + 2, 2 : w + 2] = xd
    v = framed.reshape(-1).take(index)
    weights = np.empty((n, 1, 4, p), xd.dtype)
    with np.errstate(invalid="ignore"):
        for k, (wy, wx) in enumerate(((wy0, wx0), (wy0, wx1), (wy1, wx0), (wy1, wx1))):
            np.multiply(wy, wx, out=weights[:, 0, k])
        out = v[:, :, 0] * weights[:, :, 0]
        for k in (1, 2, 3):
            out += v[:, :, k] * weights[:, :, k]
    saved = (index, v, weights, (wx0, wx1, wy0, wy1), (sx, fx, sy, fy))
    return out.reshape(n, c, ho, wo), saved


def grid_sample_backward(
    gd: Any, saved: Any, shape: tuple[int, ...], x_grad: bool, grid_grad: bool
) -> tuple[Any, Any]:
    """The gradients of ``grid_sample`` in its input (of ``shape``) and its grid for the
    output's gradient ``gd``, each None where not wanted, as the composite's rules give them:
    the input's added up from the weighted gradient by one bincount into the bordered copy's
    pixels (what falls on the border, outside the image, is cut off), the grid's from the
    corners' values times the weights' derivatives, times each position's derivative."""
    import numpy as np

    index, v, weights, (wx0, wx1, wy0, wy1), (sx, fx, sy, fy) = saved
    n, c, _, p = v.shape
    g = gd.reshape(n, c, 1, p)
    gx = gg = None
    with np.errstate(invalid="ignore", over="ignore"):
        if x_grad:
            h, w = shape[2:]
            wg = g * weights
            size = n * c * (h + 4) * (w + 4)
            framed = np.bincount(index.reshape(-1), wg.reshape(-1), minlength=size)
            framed = framed.reshape(n, c, h + 4, w + 4)
            gx = framed[:, :, 2 : h + 2, 2 : w + 2].astype(gd.dtype)
        if grid_grad:
            gw = np.add.reduce(g * v, axis=1)  # (N, 4, P): each weight's gradient
            gix = (gw[:, 1] * wy0 + gw[:, 3] * wy1) - (gw[:, 0] * wy0 + gw[:, 2] * wy1)
            giy = (gw[:, 2] * wx0 + gw[:, 3] * wx1) - (gw[:, 0] * wx0 + gw[:, 1] * wx1)
            gg = np.empty((n, p, 2), gd.dtype)
            for j, (gi, s, f) in enumerate(((gix, sx, fx), (giy, sy, fy))):
                if f is not None:  # (0 where clipped, even for a NaN: as where's rule)
                    gi = np.where(f != 0, gi * f, 0)
                np.multiply(gi, s, out=gg[:, :, j])
    return gx, gg
