"""``Parameter``: a tensor that a ``Module`` registers as one of its learnable weights."""

from __future__ import annotations

from typing import Any, Self

from .._tensor import Tensor

__all__ = ["Parameter", "copy_tensor", "plain"]


def plain(t: Tensor) -> Tensor:
    """A plain ``Tensor`` sharing ``t``'s data, outside the graph (even when ``t`` is a
    ``Parameter``: ``detach()`` keeps the subclass, a state dict should not)."""
    out = object.__new__(Tensor)
    out._data = t._data
    out._backend = t._backend
    out._meta = None
    return out


class Parameter(Tensor):
    """A tensor that is a module's learnable weight (PyTorch's ``torch.nn.Parameter``).

    Assigning a ``Parameter`` to an attribute of a ``Module`` registers it, so that it shows
    in ``parameters()``, ``named_parameters()`` and ``state_dict()``. It is a leaf that
    requires grad (unless ``requires_grad=False``) and shares its data with ``data``.

    Parameters
    ----------
    data : Tensor, optional
        The initial value; an empty float tensor when omitted. Its data is shared, not
        copied; its autograd state is not carried over (the parameter is a new leaf).
    requires_grad : bool, default True
        Whether the parameter requires gradients.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> w = nn.Parameter(pt.zeros((2, 3)))
    >>> w.requires_grad, w.is_leaf, w.shape
    (True, True, (2, 3))
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Self:
        from .._ops.creation import empty

        if data is None:
            data = empty((0,))
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter() expects a polytensor Tensor; got "
                f"{type(data).__name__}; convert it with pt.asarray(...)"
            )
        p = object.__new__(cls)
        p._data = data._data
        p._backend = data._backend
        p._meta = None
        if requires_grad:
            from .._tape import set_requires_grad

            set_requires_grad(p, True)
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ refuses direct calls)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce__(self) -> tuple[Any, ...]:
        # Tensor's reduction (value, backend name, flag), rebuilt as a Parameter.
        _, args = super().__reduce__()
        return (_unpickle_parameter, args)

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]  # type: ignore[no-any-return]
        result = Parameter(copy_tensor(self), requires_grad=self.requires_grad)
        memo[id(self)] = result
        return result


def copy_tensor(t: Tensor) -> Tensor:
    """A plain tensor with a copy of ``t``'s data, on ``t``'s backend, outside the graph."""
    from .._ops.creation import asarray
    from ..autograd import no_grad

    with no_grad():
        return asarray(plain(t), copy=True)


def _unpickle_parameter(value: Any, backend: str, requires_grad: bool) -> Parameter:
    """A ``Parameter`` rebuilt from its pickle (see ``Tensor.__reduce__``)."""
    from .._tensor import _unpickle

    return Parameter(_unpickle(value, backend, False), requires_grad=requires_grad)
