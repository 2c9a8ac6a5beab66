"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` (context-local; usable as
context managers and as decorators).

One object may be shared: entered by several threads or asyncio tasks at once, or nested in
itself. What an exit restores is kept per context (``_SAVED``, a ContextVar), never on the
object, so that each thread and task gets back its own mode.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any, TypeVar

from .. import _config

__all__ = ["enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])
_GRAD = _config.GRAD_ENABLED
# The tokens of the grad-mode blocks open in this context, innermost last (a tuple: a copied
# context, an asyncio task's, never shares a list that its parent changes).
_SAVED: ContextVar[tuple[Token[bool], ...]] = ContextVar("polytensor_grad_saved", default=())


class _GradMode:
    _value: bool

    def __enter__(self) -> None:
        _SAVED.set((*_SAVED.get(), _GRAD.set(self._value)))

    def __exit__(self, *exc: object) -> None:
        saved = _SAVED.get()
        if not saved:
            raise RuntimeError(
                f"{type(self).__name__}.__exit__() without a matching __enter__() in this "
                f"thread or task; use the object in a `with` block"
            )
        _SAVED.set(saved[:-1])
        _GRAD.reset(saved[-1])

    def __call__(self, fn: F) -> F:
        value = self._value

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _GRAD.set(value)
            try:
                return fn(*args, **kwargs)
            finally:
                _GRAD.reset(token)

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

    _set: Token[bool] | None

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                f"set_grad_enabled() expects a bool (True or False); got {type(mode).__name__} "
                f"{mode!r}"
            )
        self._value = mode
        self._set = _GRAD.set(mode)  # (set_grad_enabled(False) as a statement sets the mode)

    def __enter__(self) -> None:
        # In the context that made it, the block restores the mode from before __init__ (as
        # PyTorch's does); anywhere else (another thread or task, or entered again) it saves
        # that context's mode as the other grad-mode blocks do.
        self._restore_from_init()
        super().__enter__()

    def _restore_from_init(self) -> None:
        token = self._set
        if token is not None:
            try:
                _GRAD.reset(token)
            except ValueError:  # made in another context: not this one's to restore
                return
            except RuntimeError:  # used already
                pass
            self._set = None

    def __call__(self, fn: F) -> F:
        # As a decorator it sets the mode only inside calls: undo what __init__ set.
        self._restore_from_init()
        return super().__call__(fn)


def is_grad_enabled() -> bool:
    """Whether operations are recorded for autograd in this context.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.is_grad_enabled()
    True
    """
    return _GRAD.get()
