"""PyTorch's ``torch.jit`` entry points a program calls on its model: polytensor has no
compiler (as ``pt.compile``), so ``pt.jit.script(model)`` and ``pt.jit.trace(fn, inputs)`` give
back what they are given, which runs as it is.

Examples
--------
>>> import polytensor as pt
>>> model = pt.jit.script(pt.nn.Linear(2, 1))
>>> model(pt.ones(3, 2)).shape
(3, 1)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["ignore", "script", "trace", "unused"]


def _callable(where: str, obj: Any) -> Any:
    if not callable(obj):
        raise TypeError(
            f"{where}() expects a module or a function; got {type(obj).__name__}; pass the "
            f"model or function itself"
        )
    return obj


def script(obj: Any, *args: Any, **kwargs: Any) -> Any:
    """``obj`` itself (a module or function), as if scripted (``torch.jit.script``); the other
    arguments are taken and not used.

    Examples
    --------
    >>> import polytensor as pt
    >>> f = pt.jit.script(lambda x: x * 2)
    >>> f(pt.ones(1))
    tensor([2.], backend='numpy')
    """
    return _callable("script", obj)


def trace(func: Any, example_inputs: Any = None, *args: Any, **kwargs: Any) -> Any:
    """``func`` itself (a module or function), as if traced on ``example_inputs``
    (``torch.jit.trace``); it runs on every input as it is, not only the example's shapes.

    Examples
    --------
    >>> import polytensor as pt
    >>> f = pt.jit.trace(pt.nn.ReLU(), pt.ones(2))
    >>> f(pt.asarray([-1.0, 2.0]))
    tensor([0., 2.], backend='numpy')
    """
    return _callable("trace", func)


def ignore(fn: Any = None, **kwargs: Any) -> Any:
    """A decorator leaving a function as it is (``@torch.jit.ignore``, with or without
    arguments).

    Examples
    --------
    >>> import polytensor as pt
    >>> @pt.jit.ignore
    ... def f(x):
    ...     return x + 1
    >>> f(1)
    2
    """
    if fn is None:
        return lambda f: f
    return _callable("ignore", fn)


def unused(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A decorator leaving a function as it is (``@torch.jit.unused``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.jit.unused(abs)(-3)
    3
    """
    return _callable("unused", fn)  # type: ignore[no-any-return]
