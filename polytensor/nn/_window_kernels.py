"""``conv2d``, ``conv_transpose2d``, ``max_pool2d`` and ``avg_pool2d`` as one graph node each, on a
backend that has window kernels (``Writes.windows``: NumPy's, ``backends/_windows.py``).

``nn.functional`` builds both from the table's ops on every backend: the ``kh * kw`` shifted
views of the input, stacked, then a ``matmul`` (or an ``argmax``). That is differentiable
twice everywhere, but its backward scatters each view's gradient into zeros of the input's
size and adds the ``kh * kw`` results, and each view is an op of its own. The backend's
kernels compute the same values from a window view of the input copied into columns (a few
samples at a time for a large layer); backward adds each column's gradient into one array in
place. The 60-minute tutorial's
CIFAR-10 network trains ~2x faster this way (``bench/README.md``, ``cnn.py``).

Each is a ``Function``: its backward gives the same gradients as the composite's. Under
``create_graph`` it takes them from the composite itself (``composite``), recorded, so that
they can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._tape import tensor_of
from ..autograd import Function, grad, is_grad_enabled

__all__ = [
    "avg_pool2d_kernel",
    "conv2d_kernel",
    "conv_transpose2d_kernel",
    "max_pool2d_kernel",
    "takes_window_kernels",
]


def takes_window_kernels(*tensors: Any) -> bool:
    """Whether the backend's window kernels may run: every tensor on one backend that has
    them, of one real floating dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._window_kernels import takes_window_kernels
    >>> takes_window_kernels(pt.ones(2), pt.ones(2))
    True
    >>> takes_window_kernels(pt.ones(2, dtype=pt.int64))
    False
    """
    first = tensors[0]
    b = first._backend
    if b.windows is None or first.dtype.kind != "real floating":
        return False
    dtype = first._data.dtype
    return all(t._backend is b and t._data.dtype is dtype for t in tensors[1:])


class _Conv2d(Function):
    """``conv2d`` of an input ``x`` (N, C, H, W), padded with zeros inside the kernel, and a
    weight ``w`` (O, C, kh, kw), one group, plus a bias ``b`` (O,) or None
    (``Writes.windows``'s ``conv2d``, which adds the bias as it writes the output)."""

    _node_name = "ConvolutionBackward0"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(
        ctx: Any,
        x: Any,
        w: Any,
        bias: Any,
        geometry: Any,
        padding: Any,
        composite: Callable[..., Any],
    ) -> Any:
        b = x._backend
        out, cols = b.windows.conv2d(
            x._data,
            w._data,
            geometry,
            ctx.needs_input_grad[1],
            padding,
            None if bias is None else bias._data,
        )
        # (the weight's gradient may read the columns: saved, they are released after backward)
        ctx.save_for_backward(x, w, None if cols is None else tensor_of(cols, b))
        ctx.bias = bias  # (kept aside: no gradient reads its value)
        ctx.geometry = (geometry, padding)
        ctx.composite = composite
        return tensor_of(out, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, w, cols = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        if is_grad_enabled():  # create_graph: the composite's gradients, recorded
            # taken at views of x, w and the bias: the partial derivatives, as a node's rule
            # gives them (where x was made from w, w reaches the output through x too: the
            # engine adds it)
            bias = ctx.bias
            xs, ws, bs = x[...], w[...], None if bias is None else bias[...]
            wanted = [t for t, need in ((xs, need_x), (ws, need_w), (bs, need_b)) if need]
            got = iter(grad(ctx.composite(xs, ws, bs), wanted, g, create_graph=True))
            return (
                next(got) if need_x else None,
                next(got) if need_w else None,
                next(got) if need_b else None,
                None,
                None,
                None,
            )
        b = x._backend
        geometry, padding = ctx.geometry
        gx = gw = None
        if need_x or need_w:
            gx, gw = b.windows.conv2d_backward(
                x._data,
                w._data,
                g._data,
                None if cols is None else cols._data,
                geometry,
                need_x,
                need_w,
                padding,
            )
        return (
            None if gx is None else tensor_of(gx, b),
            None if gw is None else tensor_of(gw, b),
            tensor_of(b.windows.bias_grad(g._data), b) if need_b else None,
            None,
            None,
            None,
        )


def conv2d_kernel(
    x: Any,
    w: Any,
    geometry: Any,
    composite: Callable[..., Any],
    padding: Any = (0, 0, 0, 0),
    bias: Any = None,
) -> Any:
    """``conv2d`` of the tensor ``x``, padded with ``padding`` (top, bottom, left, right)
    zeros, and weight ``w`` (one group), plus ``bias`` (O,) if given, as one node;
    ``geometry`` is ``(kernel, stride, dilation, (Ho, Wo))`` (of the padded input) and
    ``composite(x, w, bias)`` the same convolution, padding and bias included, from the
    table's ops (for gradients under ``create_graph``). The padding is a copy made inside the
    kernel, and the input's gradient is cropped from the padded one's; the bias is added as
    the output is written, and its gradient is the output's summed over N, Ho and Wo.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._window_kernels import conv2d_kernel
    >>> x, w = pt.ones((1, 1, 3, 3)), pt.ones((1, 1, 2, 2))
    >>> conv2d_kernel(x, w, ((2, 2), (1, 1), (1, 1), (2, 2)), None)[0, 0]
    tensor([[4., 4.],
            [4., 4.]], backend='numpy')
    >>> conv2d_kernel(x, w, ((2, 2), (1, 1), (1, 1), (4, 4)), None, (1, 1, 1, 1))[0, 0]
    tensor([[1., 2., 2., 1.],
            [2., 4., 4., 2.],
            [2., 4., 4., 2.],
            [1., 2., 2., 1.]], backend='numpy')
    >>> conv2d_kernel(x, w, ((2, 2), (1, 1), (1, 1), (2, 2)), None, bias=pt.asarray([0.5]))
    tensor([[[[4.5, 4.5],
              [4.5, 4.5]]]], backend='numpy')
    """
    return _Conv2d.apply(x, w, bias, geometry, padding, composite)


class _ConvTranspose2d(Function):
    """``conv_transpose2d`` of ``z`` (N, C_in, H, W) by ``w`` (C_in, C_out, kh, kw), one
    group, no bias (``Writes.windows``'s ``conv_transpose2d``)."""

    _node_name = "ConvolutionBackward0"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(ctx: Any, z: Any, w: Any, shape: Any, composite: Callable[..., Any]) -> Any:
        b = z._backend
        geometry, full_hw, padding = shape
        out = b.windows.conv_transpose2d(z._data, w._data, geometry, full_hw, padding)
        ctx.save_for_backward(z, w)
        ctx.shape = shape
        ctx.composite = composite
        return tensor_of(out, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        z, w = ctx.saved_tensors
        need_z, need_w = ctx.needs_input_grad[:2]
        if is_grad_enabled():  # create_graph: the composite's gradients, recorded
            zs, ws = z[...], w[...]
            wanted = [t for t, need in ((zs, need_z), (ws, need_w)) if need]
            got = iter(grad(ctx.composite(zs, ws), wanted, g, create_graph=True))
            return (next(got) if need_z else None, next(got) if need_w else None, None, None)
        b = z._backend
        geometry, full_hw, padding = ctx.shape
        gz, gw = b.windows.conv_transpose2d_backward(
            z._data, w._data, g._data, geometry, full_hw, padding, need_z, need_w
        )
        return (
            None if gz is None else tensor_of(gz, b),
            None if gw is None else tensor_of(gw, b),
            None,
            None,
        )


def conv_transpose2d_kernel(
    z: Any, w: Any, shape: Any, composite: Callable[[Any, Any], Any]
) -> Any:
    """``conv_transpose2d`` of the tensor ``z`` by the weight ``w`` (C_in, C_out, kh, kw; one
    group, no bias) as one node. ``shape`` is ``(geometry, full_hw, padding)``: the
    ``(kernel, stride, dilation, (H, W))`` of the ``conv2d`` it transposes, that convolution's
    input size (output padding included) and the padding cropped from each side;
    ``composite(z, w)`` is the same transposed convolution from the table's ops (for gradients
    under ``create_graph``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._window_kernels import conv_transpose2d_kernel
    >>> z, w = pt.ones((1, 1, 2, 2)), pt.ones((1, 1, 2, 2))
    >>> shape = (((2, 2), (1, 1), (1, 1), (2, 2)), (3, 3), (0, 0))
    >>> conv_transpose2d_kernel(z, w, shape, None)[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]], backend='numpy')
    """
    return _ConvTranspose2d.apply(z, w, shape, composite)


class _MaxPool2d(Function):
    """``max_pool2d`` of ``x`` (N, C, H, W) (``Writes.windows``'s ``max_pool``): each
    window's gradient goes to its first maximal element (in a window holding NaNs, its last
    NaN), as the composite's and PyTorch's."""

    _node_name = "MaxPool2DWithIndicesBackward0"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(
        ctx: Any, x: Any, geometry: Any, padding: Any, composite: Callable[..., Any]
    ) -> Any:
        b = x._backend
        out, first = b.windows.max_pool(x._data, geometry, padding)
        # (saved: released after backward, as saved tensors are)
        ctx.save_for_backward(x, tensor_of(first, b))
        ctx.geometry = (geometry, padding)
        ctx.composite = composite
        return tensor_of(out, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, first = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: the composite's gradient, recorded
            xs = x[...]  # (a view: the partial derivative, as a node's rule gives it)
            (gx,) = grad(ctx.composite(xs), [xs], g, create_graph=True)
            return gx, None, None, None
        b = x._backend
        geometry, padding = ctx.geometry
        gx = b.windows.max_pool_backward(x._data.shape, g._data, first._data, geometry, padding)
        return tensor_of(gx, b), None, None, None


def max_pool2d_kernel(x: Any, geometry: Any, padding: Any, composite: Callable[[Any], Any]) -> Any:
    """``max_pool2d`` of the real floating tensor ``x`` as one node; ``geometry`` is
    ``(kernel, stride, dilation, (Ho, Wo))``, ``padding`` (ph, pw) (by -inf), and
    ``composite(x)`` the same pooling from the table's ops (for the gradient under
    ``create_graph``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._window_kernels import max_pool2d_kernel
    >>> x = pt.reshape(pt.arange(16.0), (1, 1, 4, 4))
    >>> max_pool2d_kernel(x, ((2, 2), (2, 2), (1, 1), (2, 2)), (0, 0), None)[0, 0]
    tensor([[ 5.,  7.],
            [13., 15.]], backend='numpy')
    """
    return _MaxPool2d.apply(x, geometry, padding, composite)


class _AvgPool2d(Function):
    """``avg_pool2d`` of ``x`` (N, C, H, W) without padding (``Writes.windows``'s
    ``avg_pool``)."""

    _node_name = "AvgPool2DBackward0"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(
        ctx: Any, x: Any, geometry: Any, divisor: float, composite: Callable[..., Any]
    ) -> Any:
        b = x._backend
        ctx.shape = x._data.shape
        ctx.geometry = (geometry, divisor)
        ctx.composite = composite
        ctx.save_for_backward(x)  # (read again only under create_graph)
        return tensor_of(b.windows.avg_pool(x._data, geometry, divisor), b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if is_grad_enabled():  # create_graph: the composite's gradient, recorded
            (x,) = ctx.saved_tensors
            xs = x[...]
            (gx,) = grad(ctx.composite(xs), [xs], g, create_graph=True)
            return gx, None, None, None
        b = g._backend
        geometry, divisor = ctx.geometry
        gx = b.windows.avg_pool_backward(ctx.shape, g._data, geometry, divisor)
        return tensor_of(gx, b), None, None, None


def avg_pool2d_kernel(
    x: Any, geometry: Any, divisor: float, composite: Callable[[Any], Any]
) -> Any:
    """``avg_pool2d`` of the real floating tensor ``x`` without padding as one node: each
    window's sum divided by ``divisor``; ``geometry`` is ``(kernel, stride, (1, 1), (Ho,
    Wo))`` and ``composite(x)`` the same pooling from the table's ops (for the gradient under
    ``create_graph``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._window_kernels import avg_pool2d_kernel
    >>> x = pt.reshape(pt.arange(16.0), (1, 1, 4, 4))
    >>> avg_pool2d_kernel(x, ((2, 2), (2, 2), (1, 1), (2, 2)), 4.0, None)[0, 0]
    tensor([[ 2.5,  4.5],
            [10.5, 12.5]], backend='numpy')
    """
    return _AvgPool2d.apply(x, geometry, divisor, composite)
