"""The least a tensor wrapper written in Python can add: a bare tape, for ``tape.py``'s ``floor``.

A tensor class with four slots and no checks at all, and a tape that is a list of closures. It
has just what ``tape.py``'s chain and two-layer workloads call, as the tutorials write them
(``x.mm(w1).clamp(min=0)``, ``F.relu``, a custom ``Function``, ``(y_pred - y).pow(2).sum()``,
``w -= lr * w.grad`` under ``no_grad``, ``w.grad.zero_()``), and nothing else: no dtype, shape,
device or version checks, no views, no broadcasting in backward, no error messages, no
``create_graph``. Each operation is one Python call that runs the NumPy function and wraps its
result; a recorded one also appends its backward closure to the tape. ``zero_()`` defers its
zeros (the next gradient is assigned, not added), as polytensor's does.

No library could ship this: it is the cost of the Python that any wrapper with a tape must run,
so a ratio to NumPy by hand that this module does not reach is out of reach of any tensor
library written in Python on that machine.

>>> import numpy as np
>>> x = tensor(np.array([1.0, -2.0]), requires_grad=True)
>>> (x.clamp(min=0) * 3.0).pow(2).sum().backward()
>>> x.grad.data.tolist()
[18.0, 0.0]
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Self

import numpy as np

_TAPE: list[Callable[[], None]] = []
_RECORDING = [True]


class Tensor:
    """An array, whether it needs a gradient, its gradient, and its accumulated cotangent."""

    __slots__ = ("_g", "_zeroed", "data", "grad", "requires_grad")

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        self.data = data
        self.requires_grad = requires_grad
        self.grad: Tensor | None = None
        self._g: Any = None
        self._zeroed = False

    # -- recording ---------------------------------------------------------------------------

    def _rec(self, data: Any, back: Callable[[Any], None]) -> Tensor:
        """Wrap ``data`` as a recorded result whose backward is ``back(grad_of_out)``."""
        out = Tensor(data, True)
        _TAPE.append(lambda: back(out._g) if out._g is not None else None)
        return out

    def _add_g(self, g: Any) -> None:
        if self.requires_grad:
            self._g = g if self._g is None else self._g + g

    # -- the chain ---------------------------------------------------------------------------

    def __mul__(self, k: float) -> Tensor:
        if self.requires_grad and _RECORDING[0]:
            return self._rec(self.data * k, lambda g: self._add_g(g * k))
        return Tensor(self.data * k)

    __rmul__ = __mul__

    def __add__(self, other: Tensor) -> Tensor:
        if (self.requires_grad or other.requires_grad) and _RECORDING[0]:

            def back(g: Any) -> None:
                self._add_g(g)
                other._add_g(g)

            return self._rec(self.data + other.data, back)
        return Tensor(self.data + other.data)

    def __sub__(self, other: Tensor) -> Tensor:
        if (self.requires_grad or other.requires_grad) and _RECORDING[0]:

            def back(g: Any) -> None:
                self._add_g(g)
                other._add_g(-g)

            return self._rec(self.data - other.data, back)
        return Tensor(self.data - other.data)

    def sin(self) -> Tensor:
        if self.requires_grad and _RECORDING[0]:
            return self._rec(np.sin(self.data), lambda g: self._add_g(g * np.cos(self.data)))
        return Tensor(np.sin(self.data))

    def sum(self) -> Tensor:
        if self.requires_grad and _RECORDING[0]:
            shape = self.data.shape
            return self._rec(self.data.sum(), lambda g: self._add_g(np.broadcast_to(g, shape)))
        return Tensor(self.data.sum())

    # -- the two-layer network ----------------------------------------------------------------

    def mm(self, other: Tensor) -> Tensor:
        if (self.requires_grad or other.requires_grad) and _RECORDING[0]:

            def back(g: Any) -> None:
                if self.requires_grad:
                    self._add_g(g @ other.data.T)
                if other.requires_grad:
                    other._add_g(self.data.T @ g)

            return self._rec(self.data @ other.data, back)
        return Tensor(self.data @ other.data)

    def clamp(self, min: float) -> Tensor:
        if self.requires_grad and _RECORDING[0]:
            return self._rec(
                np.maximum(self.data, min), lambda g: self._add_g(np.where(self.data < min, 0, g))
            )
        return Tensor(np.maximum(self.data, min))

    def pow(self, k: int) -> Tensor:
        x = self.data
        if self.requires_grad and _RECORDING[0]:
            return self._rec(x**k, lambda g: self._add_g(g * (k * x ** (k - 1))))
        return Tensor(x**k)

    def backward(self) -> None:
        self._g = np.ones_like(self.data)
        for back in reversed(_TAPE):
            back()
        _TAPE.clear()
        # What a tape must leave behind: each leaf's gradient, accumulated into ``.grad``.
        for t in _LEAVES:
            if t._g is not None:
                if t.grad is None:
                    t.grad = Tensor(t._g)
                elif t.grad._zeroed:
                    t.grad.data, t.grad._zeroed = t._g, False
                else:
                    t.grad.data = t.grad.data + t._g
                t._g = None

    def __isub__(self, other: Tensor) -> Self:
        self.data -= other.data
        return self

    def zero_(self) -> Tensor:
        self._zeroed = True
        return self

    # -- what a custom Function's body and the check read ---------------------------------------

    def clone(self) -> Tensor:
        return Tensor(self.data.copy())

    def __lt__(self, k: float) -> Tensor:
        return Tensor(self.data < k)

    def __setitem__(self, key: Tensor, value: float) -> None:
        self.data[key.data] = value

    def item(self) -> float:
        return float(self.data)

    def detach(self) -> Tensor:
        return Tensor(self.data)

    def numpy(self) -> Any:
        return self.data


_LEAVES: list[Tensor] = []


def tensor(data: Any, requires_grad: bool = False) -> Tensor:
    """A leaf; one that needs a gradient is remembered so that ``backward`` fills its ``.grad``."""
    t = Tensor(np.array(data), requires_grad)
    if requires_grad:
        _LEAVES.append(t)
    return t


def from_numpy(a: Any) -> Tensor:
    """The array itself, wrapped."""
    return Tensor(a)


def sin(x: Tensor) -> Tensor:
    """``x.sin()``."""
    return x.sin()


@contextmanager
def no_grad() -> Iterator[None]:
    """Nothing recorded inside."""
    _RECORDING[0] = False
    try:
        yield
    finally:
        _RECORDING[0] = True


class _Ctx:
    __slots__ = ("saved_tensors",)

    def save_for_backward(self, *ts: Tensor) -> None:
        self.saved_tensors = ts


class Function:
    """A custom function: ``forward``/``backward`` static methods, called through ``apply``."""

    @classmethod
    def apply(cls, x: Tensor) -> Tensor:
        ctx = _Ctx()
        _RECORDING[0] = False
        try:
            y = cls.forward(ctx, x)  # type: ignore[attr-defined]
        finally:
            _RECORDING[0] = True
        if not x.requires_grad:
            return y
        return x._rec(y.data, lambda g: x._add_g(cls.backward(ctx, Tensor(g)).data))  # type: ignore[attr-defined]


nn = types.SimpleNamespace(functional=types.SimpleNamespace(relu=lambda x: x.clamp(min=0)))
autograd = types.SimpleNamespace(Function=Function)
