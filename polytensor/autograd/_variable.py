"""PyTorch's legacy ``torch.autograd.Variable``: since PyTorch 0.4 a tensor is a Variable, and
``Variable(t, requires_grad=...)`` makes a tensor sharing ``t``'s memory outside its graph."""

from __future__ import annotations

from typing import Any, cast

from .._tensor_base import TensorBase

__all__ = ["Variable"]


class _VariableType(type):
    """Every tensor is an instance of ``Variable``, as in PyTorch."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, TensorBase)

    def __subclasscheck__(cls, sub: Any) -> bool:
        return isinstance(sub, type) and issubclass(sub, TensorBase)


class Variable(metaclass=_VariableType):
    """``Variable(data, requires_grad=False)``: a tensor sharing ``data``'s memory, a leaf of no
    graph that requires a gradient if asked, as PyTorch's legacy ``Variable`` (``volatile=`` is
    taken and ignored, as PyTorch ignores it). Old tutorials wrap their tensors in it; it is
    not needed.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.autograd import Variable
    >>> x = Variable(pt.ones(2), requires_grad=True)
    >>> (x * 3).sum().backward()
    >>> x.grad, isinstance(x, Variable)
    (tensor([3., 3.], backend='numpy'), True)
    """

    def __new__(  # (returns a tensor, as PyTorch's)
        cls, data: Any, requires_grad: bool = False, volatile: bool = False
    ) -> Any:
        if not isinstance(data, TensorBase):
            raise TypeError(
                f"Variable data has to be a tensor, but got {type(data).__name__}; wrap it "
                f"with pt.tensor(...) first (or use the tensor itself: Variable is not needed)"
            )
        if not isinstance(requires_grad, bool):
            raise TypeError(f"Variable() expects a bool requires_grad; got {requires_grad!r}")
        return cast("Any", data).detach().requires_grad_(requires_grad)
