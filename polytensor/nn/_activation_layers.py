"""More activation layers, as in ``torch.nn``: ``Mish``, ``Hardswish``, ``Hardsigmoid``,
``GLU``, ``Softmax2d``, ``ChannelShuffle``, ``SELU``, ``CELU``, ``Softsign``, ``Tanhshrink``,
``Softshrink``, ``Hardshrink``, ``Threshold`` and ``RReLU``.

``polytensor.nn`` exports these; they live apart from ``modules.py`` to keep that module short.
Each calls its function in ``nn.functional``.
"""

from __future__ import annotations

from .._tensor import Tensor
from . import functional as F
from .module import Module

__all__ = [
    "CELU",
    "GLU",
    "SELU",
    "ChannelShuffle",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Mish",
    "RReLU",
    "Softmax2d",
    "Softshrink",
    "Softsign",
    "Tanhshrink",
    "Threshold",
]


def _inplace_repr(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class Mish(Module):
    """``x * tanh(softplus(x))`` (``F.mish``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Mish()(pt.asarray([0.0]))
    tensor([0.], backend='numpy')
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class Hardswish(Module):
    """``x * relu6(x + 3) / 6`` (``F.hardswish``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Hardswish()(pt.asarray([3.0]))
    tensor([3.], backend='numpy')
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input, self.inplace)


class Hardsigmoid(Module):
    """``relu6(x + 3) / 6`` (``F.hardsigmoid``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Hardsigmoid()(pt.asarray([0.0]))
    tensor([0.5], backend='numpy')
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input, self.inplace)


class GLU(Module):
    """The gated linear unit along ``dim`` (``F.glu``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.GLU()(pt.asarray([2.0, 0.0]))
    tensor([1.], backend='numpy')
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels (dimension -3) of a (C, H, W) or (N, C, H, W) input, as
    ``torch.nn.Softmax2d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Softmax2d()(pt.zeros((1, 2, 1, 1))).flatten()
    tensor([0.5, 0.5], backend='numpy')
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return F.softmax(input, -3)


class ChannelShuffle(Module):
    """The channels of an (N, C, ...) input shuffled between ``groups`` groups
    (``F.channel_shuffle``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ChannelShuffle(2)(pt.arange(4.0).reshape(1, 4, 1)).flatten()
    tensor([0., 2., 1., 3.], backend='numpy')
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class SELU(Module):
    """``scale * elu(x, alpha)`` with SELU's constants (``F.selu``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.SELU()(pt.asarray([0.0]))
    tensor([0.], backend='numpy')
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class CELU(Module):
    """x where x > 0, else ``alpha * (exp(x / alpha) - 1)`` (``F.celu``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.CELU(alpha=2.0)
    CELU(alpha=2.0)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softsign(Module):
    """``x / (1 + |x|)`` (``F.softsign``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Softsign()(pt.asarray([1.0]))
    tensor([0.5], backend='numpy')
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Tanhshrink(Module):
    """``x - tanh(x)`` (``F.tanhshrink``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Tanhshrink()(pt.asarray([0.0]))
    tensor([0.], backend='numpy')
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class Softshrink(Module):
    """Shrink towards 0 by ``lambd``, 0 within it (``F.softshrink``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Softshrink(1.0)(pt.asarray([-3.0, 0.5, 3.0]))
    tensor([-2.,  0.,  2.], backend='numpy')
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Module):
    """0 within ``lambd`` of 0, x elsewhere (``F.hardshrink``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Hardshrink(1.0)(pt.asarray([-3.0, 0.5, 3.0]))
    tensor([-3.,  0.,  3.], backend='numpy')
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Threshold(Module):
    """x above ``threshold``, else ``value`` (``F.threshold``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Threshold(0.5, -1.0)(pt.asarray([0.0, 1.0]))
    tensor([-1.,  1.], backend='numpy')
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (
            ", inplace=True" if self.inplace else ""
        )


class RReLU(Module):
    """Leaky ReLU with a random slope from U(lower, upper) for each negative element in
    training, their mean outside it (``F.rrelu``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.RReLU(0.25, 0.75).eval()(pt.asarray([-2.0, 2.0]))
    tensor([-1.,  2.], backend='numpy')
    """

    def __init__(
        self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False
    ) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (
            ", inplace=True" if self.inplace else ""
        )
