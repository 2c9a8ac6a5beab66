"""Shape arithmetic that needs no backend."""

from __future__ import annotations

import operator


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
