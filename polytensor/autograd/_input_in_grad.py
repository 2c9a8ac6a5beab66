"""``input_in_grad(x)``: ``x`` itself, through a node that makes the gradient of ``x``, under
``create_graph``, a function of ``x`` as well (of zero derivative in it).

PyTorch's backward kernels of its piecewise-linear layers (``max_pool2d``, ``avg_pool2d``,
``leaky_relu``, ``hardtanh``, the reflection and replication pads...) take the layer's input as
an argument. Under ``create_graph`` the gradient they return therefore requires grad wherever
the input does, even where its value does not depend on the input (the loss is linear in the
layer's output): differentiating it again gives zeros. The same layers built from the table's
ops give a gradient made from the output's cotangent alone, which then requires no grad, and a
second ``backward()`` through it raises. A layer's composite that starts with
``input_in_grad(x)`` gives PyTorch's gradient: the same values, recorded as depending on ``x``.
"""

from __future__ import annotations

from typing import Any

from .._ops.creation import zeros_like
from ._function import Function
from ._mode import is_grad_enabled

__all__ = ["input_in_grad"]


class _Tied(Function):
    """``g``, recorded as a function of ``x`` too: its derivative in ``x`` is zero."""

    @staticmethod
    def forward(ctx: Any, g: Any, x: Any) -> Any:
        ctx.x = x.detach()  # (its shape, dtype and device, for the zeros of its gradient)
        return g

    @staticmethod
    def backward(ctx: Any, gg: Any) -> Any:
        return gg, zeros_like(ctx.x)


class _InputInGrad(Function):
    """The identity of ``x``; under ``create_graph`` its gradient is tied to ``x``."""

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        # (not save_for_backward: the value is never read, and a layer written in place into
        # its input, leaky_relu_(x), changes it before backward)
        ctx.x = x
        return x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if is_grad_enabled():  # create_graph: g as a function of x, as PyTorch records it
            return _Tied.apply(g, ctx.x)
        return g


def input_in_grad(x: Any) -> Any:
    """``x`` itself; where it requires grad (grad mode on), through one node whose gradient,
    under ``create_graph``, is recorded as depending on ``x`` with a zero derivative, as the
    gradient of PyTorch's piecewise-linear layers is (see the module).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.autograd._input_in_grad import input_in_grad
    >>> x = pt.asarray([-1.0, 2.0], requires_grad=True)
    >>> v = input_in_grad(x)
    >>> (g,) = pt.autograd.grad(pt.where(v > 0, v, 0.0).sum(), x, create_graph=True)
    >>> g.requires_grad, g.detach()
    (True, tensor([0., 1.], backend='numpy'))
    """
    if not (x.requires_grad and is_grad_enabled()):
        return x
    return _InputInGrad.apply(x)
