"""Shape arithmetic that needs no backend."""

from __future__ import annotations

import math
import operator
from typing import Self

from ._checks import short_repr


def broadcast_shapes(*shapes: tuple[int | None, ...]) -> tuple[int | None, ...]:
    """The shape that ``shapes`` broadcast to, by the standard's rules.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.broadcast_shapes((2, 1), (3,))
    (2, 3)
    """
    for given in shapes:
        if not isinstance(given, tuple) or not all(
            n is None or (not isinstance(n, bool) and hasattr(type(n), "__index__")) for n in given
        ):
            raise TypeError(f"broadcast_shapes() expects shapes as tuples of ints; got {given!r}")
    ndim = max((len(s) for s in shapes), default=0)
    out: list[int | None] = [1] * ndim
    for shape in shapes:
        if not isinstance(shape, tuple):
            raise TypeError(f"broadcast_shapes() expects tuples of ints; got {shape!r}")
        for i, s in enumerate(shape):
            j = ndim - len(shape) + i
            d = None if s is None else operator.index(s)
            cur = out[j]
            if d is None or cur is None:
                out[j] = None if (d != 1 and cur != 1) else (cur if d == 1 else d)
            elif cur == 1:
                out[j] = d
            elif d not in (1, cur):
                raise ValueError(
                    f"broadcast_shapes() cannot broadcast {shapes}: dimension {cur} against {d}"
                )
    return tuple(out)


class Size(tuple[int, ...]):
    """A tensor's shape as PyTorch's ``x.size()`` gives it: a tuple of ints.

    Examples
    --------
    >>> import polytensor as pt
    >>> s = pt.ones(2, 3).size()
    >>> s, s == (2, 3), s.numel()
    (polytensor.Size([2, 3]), True, 6)
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"polytensor.Size({list(self)})"

    def numel(self) -> int:
        """The number of elements a tensor of this shape has.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.Size((2, 3)).numel()
        6
        """
        n = 1
        for s in self:
            n *= s
        return n


def check_extreme_norm(
    where: str, shape: tuple[int | None, ...], p: object, dims: tuple[int, ...] | None
) -> None:
    """PyTorch's refusal of an infinite-order vector norm (a max or min of the magnitudes, with
    no identity) over an empty dimension (``dims`` a tuple of dimensions, or None for all
    elements): a ``RuntimeError``, as PyTorch's.

    Examples
    --------
    >>> from polytensor._shapes import check_extreme_norm
    >>> check_extreme_norm("norm", (3, 2), float("inf"), (1,))
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isinf(p):
        return
    over = range(len(shape)) if dims is None else dims
    empty = [d for d in over if shape[d] == 0]  # (an unknown length, None, is not refused)
    if not empty:
        return
    place = "an empty tensor" if dims is None else f"the dimension {empty[0]}, which is empty"
    raise RuntimeError(
        f"{where}() cannot compute the {p} norm on {place}: the operation does not have an "
        f"identity; use a finite p, or leave the empty dimension out of dim"
    )


def check_dim(where: str, dim: object, ndim: int) -> int:
    """``dim`` as a dimension index of a tensor of ``ndim`` dimensions, or PyTorch's error:
    ``TypeError`` for what is not an int, ``IndexError`` for one out of range.

    Examples
    --------
    >>> from polytensor._shapes import check_dim
    >>> check_dim("size", -1, 3)
    2
    """
    index = None if isinstance(dim, bool) else getattr(dim, "__index__", None)
    try:
        d = operator.index(index()) if index is not None else None
    except TypeError:  # (an ndarray of several elements has __index__, and refuses)
        d = None
    if d is None:
        raise TypeError(
            f"{where}() expects dim to be an int (a dimension index); got "
            f"{short_repr(dim)} of type {type(dim).__name__}"
        )
    lo, hi = -max(ndim, 1), max(ndim, 1) - 1
    if not lo <= d <= hi:
        raise IndexError(
            f"{where}(): dimension out of range (expected to be in range of [{lo}, {hi}], "
            f"but got {d}) for a tensor of {ndim} dimensions"
        )
    return d % max(ndim, 1)


class SizeAttr(int):
    """``x.size``: the standard's element count (an ``int``), callable as PyTorch's
    ``x.size()`` (the shape, a ``Size``) and ``x.size(dim)`` (one dimension).

    Note: the standard makes ``size`` an attribute and PyTorch a method; an ``int`` that can
    be called is both, so ``isinstance(x.size, int)`` holds and arithmetic gives plain ints.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2, 3)
    >>> x.size, x.size(), x.size(1), x.size(-1)
    (6, polytensor.Size([2, 3]), 3, 3)
    """

    def __new__(cls, shape: tuple[int, ...]) -> Self:
        self = int.__new__(cls, math.prod(shape))
        self._shape = shape
        return self

    _shape: tuple[int, ...]

    def __call__(self, dim: object = None) -> Size | int:
        if dim.__class__ is int:  # (x.size(0): a dimension in range, the common call)
            shape = self._shape
            if -len(shape) <= dim < len(shape):
                return shape[dim]
        if dim is None:
            return Size(self._shape)
        if not self._shape:
            raise IndexError(
                f"size(): dimension {dim!r} asked of a 0-d tensor, which has none; x.size() is ()"
            )
        return self._shape[check_dim("size", dim, len(self._shape))]

    def __reduce__(self) -> tuple[type[int], tuple[int]]:
        return (int, (int(self),))  # pickles as the plain count

    def __repr__(self) -> str:
        return int.__repr__(self)
