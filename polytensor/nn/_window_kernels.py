"""``conv2d`` and ``max_pool2d`` on the NumPy backend as one graph node each.

``nn.functional`` builds both from the table's ops on every backend: the ``kh * kw`` shifted
views of the input, stacked, then a ``matmul`` (or an ``argmax``). That is differentiable
twice everywhere, but its backward scatters each view's gradient into zeros of the input's
size and adds the ``kh * kw`` results, and each view is an op of its own. On NumPy the same
values come from one window view of the input (``sliding_window_view``, no copy) and one copy
into columns; backward adds each column's gradient into one array in place. The 60-minute
tutorial's CIFAR-10 network trains ~2.5x faster this way (``bench/README.md``).

Each is a ``Function``: its backward gives the same gradients as the composite's. Under
``create_graph`` it takes them from the composite itself (``composite``), recorded, so that
they can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._tape import tensor_of
from ..autograd import Function, grad, is_grad_enabled

__all__ = ["conv2d_numpy", "max_pool2d_numpy", "takes_numpy_kernels"]


def takes_numpy_kernels(*tensors: Any) -> bool:
    """Whether the NumPy kernels may run: every tensor on the NumPy backend, of one real
    floating dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._window_kernels import takes_numpy_kernels
    >>> takes_numpy_kernels(pt.ones(2), pt.ones(2)), takes_numpy_kernels(pt.ones(2, dtype=pt.int64))
    (True, False)
    """
    b = tensors[0]._backend
    if b.name != "numpy":
        return False
    dtype = tensors[0]._data.dtype
    return dtype.kind == "f" and all(
        t._backend is b and t._data.dtype is dtype for t in tensors[1:]
    )


def _window_view(d: Any, kernel: Any, stride: Any, dilation: Any, out_hw: Any) -> Any:
    """The windows of the (N, C, H, W) array ``d``, a view (N, C, Ho, Wo, kh, kw): element
    ``[n, c, i, j, ki, kj]`` is ``d[n, c, i * sh + ki * dh, j * sw + kj * dw]``."""
    from numpy.lib.stride_tricks import sliding_window_view

    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    v = sliding_window_view(d, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    return v[:, :, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw, ::dh, ::dw]


class _Conv2d(Function):
    """``conv2d`` of a padded input ``x`` (N, C, H, W) and a weight ``w`` (O, C, kh, kw), one
    group, no bias: (O, C*kh*kw) @ (N, C*kh*kw, Ho*Wo) columns, one copy of the windows."""

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, geometry: Any, composite: Callable[..., Any]) -> Any:
        import numpy as np

        kernel, stride, dilation, (ho, wo) = geometry
        xd, wd = x._data, w._data
        n, c = xd.shape[:2]
        o, ck = wd.shape[0], c * kernel[0] * kernel[1]
        win = _window_view(xd, kernel, stride, dilation, (ho, wo))
        # (N, C, kh, kw, Ho, Wo): the weight's (C, kh, kw) order, then the positions
        cols = np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(n, ck, ho * wo)
        out = np.matmul(wd.reshape(o, ck), cols).reshape(n, o, ho, wo)
        # (the weight's gradient reads the columns: saved, they are released after backward)
        kept = tensor_of(cols, x._backend) if ctx.needs_input_grad[1] else None
        ctx.save_for_backward(x, w, kept)
        ctx.geometry = geometry
        ctx.composite = composite
        return tensor_of(out, x._backend)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        import numpy as np

        x, w, cols = ctx.saved_tensors
        need_x, need_w = ctx.needs_input_grad[:2]
        if is_grad_enabled():  # create_graph: the composite's gradients, recorded
            # taken at views of x and w: the partial derivatives, as a node's rule gives them
            # (where x was made from w, w reaches the output through x too: the engine adds it)
            xs, ws = x[...], w[...]
            wanted = [t for t, need in ((xs, need_x), (ws, need_w)) if need]
            got = iter(grad(ctx.composite(xs, ws), wanted, g, create_graph=True))
            return (next(got) if need_x else None, next(got) if need_w else None, None, None)
        kernel, stride, dilation, (ho, wo) = ctx.geometry
        (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
        xd, wd, gd = x._data, w._data, g._data
        n, c = xd.shape[:2]
        o, ck = wd.shape[0], c * kh * kw
        g3 = gd.reshape(n, o, ho * wo)
        gx = gw = None
        if need_w:
            # sum over the batch of g[n] (O, L) @ cols[n].T (L, C*kh*kw)
            gw_d = np.matmul(g3, cols._data.transpose(0, 2, 1)).sum(axis=0)
            gw = tensor_of(gw_d.reshape(wd.shape), w._backend)
        if need_x:
            # the columns' gradient with the batch last, (C, kh, kw, Ho, Wo, N), added into
            # the input's gradient laid out (C, H, W, N): each of the kh * kw additions then
            # runs over rows of Wo * N elements, not Wo
            gt = np.ascontiguousarray(gd.transpose(1, 2, 3, 0)).reshape(o, ho * wo * n)
            gcols = np.matmul(wd.reshape(o, ck).T, gt).reshape(c, kh, kw, ho, wo, n)
            acc = np.zeros((c, *xd.shape[2:], n), gd.dtype)
            for ki in range(kh):
                r0 = ki * dh
                for kj in range(kw):
                    c0 = kj * dw
                    acc[:, r0 : r0 + sh * (ho - 1) + 1 : sh, c0 : c0 + sw * (wo - 1) + 1 : sw] += (
                        gcols[:, ki, kj]
                    )
            gx = tensor_of(np.ascontiguousarray(acc.transpose(3, 0, 1, 2)), x._backend)
        return gx, gw, None, None


def conv2d_numpy(x: Any, w: Any, geometry: Any, composite: Callable[[Any, Any], Any]) -> Any:
    """``conv2d`` of the padded NumPy tensor ``x`` and weight ``w`` (one group, no bias) as
    one node; ``geometry`` is ``(kernel, stride, dilation, (Ho, Wo))`` and ``composite(x,
    w)`` the same convolution from the table's ops (for gradients under ``create_graph``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._window_kernels import conv2d_numpy
    >>> x, w = pt.ones((1, 1, 3, 3)), pt.ones((1, 1, 2, 2))
    >>> conv2d_numpy(x, w, ((2, 2), (1, 1), (1, 1), (2, 2)), None)[0, 0]
    tensor([[4., 4.],
            [4., 4.]], backend='numpy')
    """
    return _Conv2d.apply(x, w, geometry, composite)


class _MaxPool2d(Function):
    """``max_pool2d`` of ``x`` (N, C, H, W) by windows that tile it (stride = kernel, no
    dilation or padding; rows and columns past the last window are left out), the gradient
    of each window going to its first maximal element (in a window holding NaNs, its last
    NaN), as the composite's and PyTorch's.

    Each window position ``q`` (row-major) is a strided view of ``x``; everything is a pass
    over those views, without branches: a mask-driven ``where`` branches on every element,
    ~15x slower than a comparison on a pooling's random masks. The output takes the chosen
    element's bits (its sign of zero, its NaN)."""

    @staticmethod
    def forward(ctx: Any, x: Any, kernel: Any, out_hw: Any, composite: Callable[..., Any]) -> Any:
        import numpy as np

        (kh, kw), (ho, wo) = kernel, out_hw
        xd = x._data
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
            np.bitwise_or(
                out_bits, np.bitwise_and(v.view(bits), _all_ones(hit, bits)), out=out_bits
            )
        # (saved: released after backward, as saved tensors are)
        ctx.save_for_backward(x, tensor_of(first, x._backend))
        ctx.geometry = (kernel, out_hw)
        ctx.composite = composite
        return tensor_of(out, x._backend)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        import numpy as np

        x, first_t = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: the composite's gradient, recorded
            xs = x[...]  # (a view: the partial derivative, as a node's rule gives it)
            (gx,) = grad(ctx.composite(xs), [xs], g, create_graph=True)
            return gx, None, None, None
        ((kh, kw), (ho, wo)), xd, gd = ctx.geometry, x._data, g._data
        first = first_t._data
        bits = _BITS[gd.dtype.itemsize]
        covered = xd.shape[2:] == (ho * kh, wo * kw)
        gx = (np.empty if covered else np.zeros)(xd.shape, gd.dtype)
        g_bits = gd.view(bits)
        for q, dest in enumerate(_tiles(gx, kh, kw, ho, wo)):
            # g where the window's chosen element is at q, else +0.0: by its bits
            np.bitwise_and(g_bits, _all_ones(first == q, bits), out=dest.view(bits))
        return tensor_of(gx, x._backend), None, None, None


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


_BITS = {2: "int16", 4: "int32", 8: "int64"}  # a float's itemsize -> the integer of its bits


def max_pool2d_numpy(x: Any, kernel: Any, out_hw: Any, composite: Callable[[Any], Any]) -> Any:
    """``max_pool2d`` of the NumPy tensor ``x`` by tiling windows (stride = kernel, no
    dilation or padding) as one node; ``composite(x)`` is the same pooling from the table's
    ops (for the gradient under ``create_graph``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._window_kernels import max_pool2d_numpy
    >>> x = pt.reshape(pt.arange(16.0), (1, 1, 4, 4))
    >>> max_pool2d_numpy(x, (2, 2), (2, 2), None)[0, 0]
    tensor([[ 5.,  7.],
            [13., 15.]], backend='numpy')
    """
    return _MaxPool2d.apply(x, kernel, out_hw, composite)
