"""``leaky_relu``, ``binary_cross_entropy``, ``batch_norm`` by running statistics and bilinear
``grid_sample`` as one graph node each, on a backend that has layer kernels
(``Writes.layers``: NumPy's, ``backends/_layers.py``).

``binary_cross_entropy`` from the table's ops is some twenty nodes (the range check, two
clamped logs, the reduction): ~4x torch's time on DCGAN's batch of 8; its node computes
PyTorch's loss and, as PyTorch's, the gradient ``(x - t) / max((1 - x) * x, 1e-12)``.
Note: where x is 0 or 1 (or its log is below -100) that gradient is PyTorch's (+-1e12),
where the composite's, taken under ``create_graph`` and on other backends, is 0.

``nn.functional`` builds ``leaky_relu`` from the table's ops on every backend, ``where(x > 0,
x, x * slope)``: three nodes forward, and a backward of two ``where``s, a product and a sum.
The backend's kernels compute the same values in two passes each way (DCGAN's discriminator:
``bench/README.md``). ``grid_sample``'s composite is some sixty nodes each way (the spatial
transformer tutorial).

Each is a ``Function``: its backward gives the same gradient as the composite's. Under
``create_graph`` it takes it from the composite itself (``composite``), recorded, so that it
can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._tape import tensor_of
from ..autograd import Function, grad, is_grad_enabled

__all__ = [
    "batch_norm_eval_kernel",
    "binary_cross_entropy_kernel",
    "grid_sample_kernel",
    "leaky_relu_kernel",
    "takes_layer_kernels",
]


def takes_layer_kernels(x: Any) -> bool:
    """Whether the backend's layer kernels may run on the tensor ``x``: its backend has them
    and its dtype is real floating.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._layer_kernels import takes_layer_kernels
    >>> takes_layer_kernels(pt.ones(2)), takes_layer_kernels(pt.ones(2, dtype=pt.int64))
    (True, False)
    """
    return x._backend.layers is not None and x.dtype.kind == "real floating"


class _LeakyReLU(Function):
    """``leaky_relu`` of ``x`` (``Writes.layers``'s ``leaky_relu``)."""

    _node_name = "LeakyReluBackward0"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(ctx: Any, x: Any, slope: float, composite: Callable[..., Any]) -> Any:
        b = x._backend
        ctx.save_for_backward(x)
        ctx.slope = slope
        ctx.composite = composite
        return tensor_of(b.layers.leaky_relu(x._data, slope), b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: the composite's gradient, recorded
            xs = x[...]  # (a view: the partial derivative, as a node's rule gives it)
            (gx,) = grad(ctx.composite(xs), [xs], g, create_graph=True)
            return gx, None, None
        b = x._backend
        gd = g._data
        if gd.dtype != x._data.dtype or gd.shape != x._data.shape:  # (as the composite's)
            gd = b.xp.astype(b.xp.broadcast_to(gd, x._data.shape), x._data.dtype)
        return tensor_of(b.layers.leaky_relu_backward(gd, x._data, ctx.slope), b), None, None


def leaky_relu_kernel(x: Any, slope: float, composite: Callable[[Any], Any]) -> Any:
    """``leaky_relu`` of the real floating tensor ``x`` with ``negative_slope`` ``slope`` as
    one node; ``composite(x)`` is the same function from the table's ops (for the gradient
    under ``create_graph``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._layer_kernels import leaky_relu_kernel
    >>> leaky_relu_kernel(pt.asarray([-1.0, 2.0]), 0.5, None)
    tensor([-0.5,  2. ], backend='numpy')
    """
    return _LeakyReLU.apply(x, slope, composite)


class _BinaryCrossEntropy(Function):
    """``binary_cross_entropy`` of ``x`` for the target ``t`` (which takes no gradient), its
    element-wise loss ``loss`` computed by the caller, reduced by ``reduction``."""

    _node_name = "BinaryCrossEntropyBackward0"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(
        ctx: Any, x: Any, t: Any, loss: Any, reduction: str, composite: Callable[..., Any]
    ) -> Any:
        b = x._backend
        ctx.save_for_backward(x, t)
        ctx.count = loss.size if reduction == "mean" else 1
        ctx.composite = composite
        if reduction == "mean":
            loss = b.xp.mean(loss)
        elif reduction == "sum":
            loss = b.xp.sum(loss)
        return tensor_of(loss, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, t = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: the composite's gradient, recorded
            xs = x[...]  # (a view: the partial derivative, as a node's rule gives it)
            (gx,) = grad(ctx.composite(xs), [xs], g, create_graph=True)
            return gx, None, None, None, None
        b = x._backend
        gd = g._data
        if gd.dtype != x._data.dtype:  # (as the composite's)
            gd = b.xp.astype(gd, x._data.dtype)
        gx = b.layers.binary_cross_entropy_backward(gd, x._data, t._data, ctx.count)
        return tensor_of(gx, b), None, None, None, None


def binary_cross_entropy_kernel(
    x: Any, t: Any, reduction: str, composite: Callable[[Any], Any]
) -> Any:
    """``binary_cross_entropy`` of the real floating tensor ``x`` for the target ``t`` (of
    its shape, dtype and backend, taking no gradient) reduced by ``reduction`` (``"mean"``,
    ``"sum"`` or ``"none"``) as one node, or None where an element of ``x`` lies outside [0,
    1]; ``composite(x)`` is the same loss from the table's ops (for the gradient under
    ``create_graph``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._layer_kernels import binary_cross_entropy_kernel
    >>> p, t = pt.asarray([0.5, 0.9]), pt.asarray([1.0, 1.0])
    >>> round(float(binary_cross_entropy_kernel(p, t, "mean", None)), 4)
    0.3993
    >>> binary_cross_entropy_kernel(pt.asarray([1.5]), pt.asarray([1.0]), "mean", None) is None
    True
    """
    loss = x._backend.layers.binary_cross_entropy(x._data, t._data)
    if loss is None:
        return None
    return _BinaryCrossEntropy.apply(x, t, loss, reduction, composite)


class _BatchNormEval(Function):
    """``batch_norm`` of ``x`` by the running statistics ``mean`` and ``var`` (which take no
    gradient), times ``weight`` and plus ``bias`` (``Writes.layers``'s ``batch_norm_eval``)."""

    _node_name = "NativeBatchNormBackward0"  # (grad_fn's name, PyTorch's)

    # the bias's value is not read by the backward: an in-place change of it between forward
    # and backward (an optimizer's step) is allowed, as PyTorch allows it
    _unread_inputs = (2,)

    @staticmethod
    def forward(
        ctx: Any,
        x: Any,
        weight: Any,
        bias: Any,
        mean: Any,
        var: Any,
        eps: float,
        composite: Callable[..., Any],
    ) -> Any:
        b = x._backend
        y, inv = b.layers.batch_norm_eval(
            x._data,
            mean._data,
            var._data,
            None if weight is None else weight._data,
            None if bias is None else bias._data,
            eps,
        )
        ctx.save_for_backward(x, weight, mean, tensor_of(inv, b))
        ctx.bias = bias  # (kept aside: no gradient reads it)
        ctx.composite = composite
        return tensor_of(y, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, weight, mean, inv = ctx.saved_tensors
        bias = ctx.bias
        needs = tuple(ctx.needs_input_grad[:3])
        if is_grad_enabled():  # create_graph: the composite's gradients, recorded
            views = [None if t is None else t[...] for t in (x, weight, bias)]
            wanted = [v for v, need in zip(views, needs, strict=True) if need]
            got = iter(grad(ctx.composite(*views), wanted, g, create_graph=True))
            return (*(next(got) if need else None for need in needs), None, None, None, None)
        b = x._backend
        gd = g._data
        if gd.dtype != x._data.dtype or gd.shape != x._data.shape:  # (as the composite's)
            gd = b.xp.astype(b.xp.broadcast_to(gd, x._data.shape), x._data.dtype)
        axes = (0, *range(2, x.ndim))
        grads = b.layers.batch_norm_eval_backward(
            gd,
            x._data,
            mean._data,
            inv._data,
            None if weight is None else weight._data,
            axes,
            needs,
        )
        return (*(None if a is None else tensor_of(a, b) for a in grads), None, None, None, None)


def batch_norm_eval_kernel(
    x: Any, weight: Any, bias: Any, mean: Any, var: Any, eps: float, composite: Any
) -> Any:
    """``batch_norm`` of the real floating tensor ``x`` (N, C, ...) by the running statistics
    ``mean`` and ``var`` (per channel, taking no gradient), times ``weight`` and plus ``bias``
    (each may be None), as one node: PyTorch's ``x * alpha + beta``; all of one backend and
    dtype. ``composite(x, weight, bias)`` is the same function from the table's ops (for the
    gradients under ``create_graph``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._layer_kernels import batch_norm_eval_kernel
    >>> x = pt.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> m, v = pt.asarray([1.0, 2.0]), pt.asarray([4.0, 1.0])
    >>> batch_norm_eval_kernel(x, None, pt.asarray([0.0, 1.0]), m, v, 0.0, None)
    tensor([[0., 1.],
            [1., 3.]], backend='numpy')
    """
    return _BatchNormEval.apply(x, weight, bias, mean, var, eps, composite)


class _GridSample(Function):
    """Bilinear ``grid_sample`` of ``x`` at ``grid`` (``Writes.layers``'s ``grid_sample``)."""

    _node_name = "GridSampler2DBackward0"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(
        ctx: Any, x: Any, grid: Any, padding: str, align_corners: bool, composite: Any
    ) -> Any:
        b = x._backend
        ctx.save_for_backward(x, grid)
        ctx.composite = composite
        out, ctx.kept = b.layers.grid_sample(x._data, grid._data, padding, align_corners)
        return tensor_of(out, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, grid = ctx.saved_tensors
        wants = ctx.needs_input_grad[:2]
        if is_grad_enabled():  # create_graph: the composite's gradients, recorded
            xs, gs = x[...], grid[...]
            ins = [t for t, w in zip((xs, gs), wants, strict=True) if w]
            got = iter(grad(ctx.composite(xs, gs), ins, g, create_graph=True))
            return (*(next(got) if w else None for w in wants), None, None, None)
        b = x._backend
        gd, shape = g._data, (*x.shape[:2], *grid.shape[1:3])
        if gd.dtype != x._data.dtype or gd.shape != shape:  # (as the composite's)
            gd = b.xp.astype(b.xp.broadcast_to(gd, shape), x._data.dtype)
        gx, gg = b.layers.grid_sample_backward(gd, ctx.kept, tuple(x.shape), *wants)
        return (
            None if gx is None else tensor_of(gx, b),
            None if gg is None else tensor_of(gg.reshape(grid._data.shape), b),
            None,
            None,
            None,
        )


def grid_sample_kernel(
    x: Any, grid: Any, padding_mode: str, align_corners: bool, composite: Callable[..., Any]
) -> Any:
    """Bilinear ``grid_sample`` of the real floating tensor ``x`` (N, C, H, W) at ``grid``
    (N, Ho, Wo, 2) of its dtype as one node; ``composite(x, grid)`` is the same function from
    the table's ops (for the gradients under ``create_graph``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.nn._layer_kernels import grid_sample_kernel
    >>> x = pt.asarray([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> grid_sample_kernel(x, pt.zeros((1, 1, 1, 2)), "zeros", True, None)
    tensor([[[[2.5]]]], backend='numpy')
    """
    return _GridSample.apply(x, grid, padding_mode, align_corners, composite)
