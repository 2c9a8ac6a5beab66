"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` (context-local; usable as
context managers and as decorators)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from .. import _config

__all__ = ["enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])
_GRAD = _config.GRAD_ENABLED


class _GradMode:
    _value: bool
    # The tokens of the blocks this object has entered: the last one's, or a list when one
    # object is entered again while inside (a stored `ng = pt.no_grad()` used nested).
    _token: Any = None
    _outer: list[Any] | None = None

    def __enter__(self) -> None:
        token = _GRAD.set(self._value)
        if self._token is None:  # (the common case: not entered already)
            self._token = token
        else:
            self._push(token)

    def _push(self, token: Any) -> None:
        if self._token is not None:
            if self._outer is None:
                self._outer = []
            self._outer.append(self._token)
        self._token = token

    def __exit__(self, *exc: object) -> None:
        _GRAD.reset(self._token)
        self._token = self._outer.pop() if self._outer else None

    def __call__(self, fn: F) -> F:
        value = self._value

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _config.GRAD_ENABLED.set(value)
            try:
                return fn(*args, **kwargs)
            finally:
                _config.GRAD_ENABLED.reset(token)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradMode):
    """Disable recording inside a ``with`` block or a decorated function.

    Examples
    --------
    >>> import polytensor as pt
    >>> w = pt.ones(2, requires_grad=True)
    >>> with pt.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    _value = False


class enable_grad(_GradMode):
    """Enable recording inside a ``with`` block or a decorated function (e.g. within no_grad).

    Examples
    --------
    >>> import polytensor as pt
    >>> w = pt.ones(2, requires_grad=True)
    >>> with pt.no_grad(), pt.enable_grad():
    ...     y = w * 2
    >>> y.requires_grad
    True
    """

    _value = True


class set_grad_enabled(_GradMode):
    """Set grad mode to ``mode``: immediately, or only inside a ``with`` block.

    Examples
    --------
    >>> import polytensor as pt
    >>> with pt.set_grad_enabled(False):
    ...     pt.is_grad_enabled()
    False
    """

    def __init__(self, mode: bool) -> None:
        self._value = bool(mode)
        self._prev = _config.GRAD_ENABLED.set(self._value)

    def __enter__(self) -> None:
        self._push(self._prev)  # the mode was set by __init__

    def __call__(self, fn: F) -> F:
        # As a decorator it sets the mode only inside calls: undo what __init__ set.
        _config.GRAD_ENABLED.reset(self._prev)
        return super().__call__(fn)


def is_grad_enabled() -> bool:
    """Whether operations are recorded for autograd in this context.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.is_grad_enabled()
    True
    """
    return _config.GRAD_ENABLED.get()
