"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` (context-local; usable as
context managers and as decorators).

One object may be shared: entered by several threads or asyncio tasks at once, or nested in
itself. Each entry keeps the token of its ``GRAD_ENABLED.set()`` in the object's list of open
entries; an exit resets the newest token that belongs to its own context (a token made in
another thread or task refuses the reset: ``ValueError``), so that each thread and task gets
back its own mode. In one context the blocks nest, so its newest token is its innermost block's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import Token
from typing import Any, TypeVar

from .. import _config

__all__ = ["enable_grad", "inference_mode", "is_grad_enabled", "no_grad", "set_grad_enabled"]

F = TypeVar("F", bound=Callable[..., Any])
_GRAD = _config.GRAD_ENABLED


class _GradMode:
    __slots__ = ("_tokens",)
    _value: bool

    def __init__(self) -> None:
        # The tokens of this object's open blocks, oldest first, whatever their thread or task.
        # (A list: append and remove are atomic, so threads may share it; each exit removes only
        # the token it has reset, which no other context can reset.)
        self._tokens: list[Token[bool]] = []

    def __enter__(self) -> None:
        self._tokens.append(_GRAD.set(self._value))

    def __exit__(self, typ: object, value: object, tb: object) -> None:
        tokens = self._tokens
        try:
            # the newest block of this object: this context's unless another thread or task
            # entered it since
            token = tokens[-1]
            _GRAD.reset(token)
        except (IndexError, ValueError, RuntimeError):
            token = self._reset_own()
        tokens.remove(token)

    def _reset_own(self) -> Token[bool]:
        """Reset this context's newest token among the open ones and return it (the object is
        shared: the newest tokens belong to other threads or tasks, or were just used)."""
        for token in reversed(self._tokens[:]):  # (a copy: other threads change the list)
            try:
                _GRAD.reset(token)
            except (ValueError, RuntimeError):  # another context's, or used by its owner
                continue
            return token
        raise RuntimeError(
            f"{type(self).__name__}.__exit__() without a matching __enter__() in this "
            f"thread or task; use the object in a `with` block"
        )

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

    __slots__ = ()
    _value = False


class inference_mode(_GradMode):
    """PyTorch's ``inference_mode``: ``no_grad`` inside a ``with`` block or a decorated
    function (``mode=False``: grad mode left as it is). Used bare as a decorator too.

    Note: polytensor has no inference tensors; results are ordinary tensors that do not
    require grad, as under ``no_grad``.

    Examples
    --------
    >>> import polytensor as pt
    >>> w = pt.ones(2, requires_grad=True)
    >>> with pt.inference_mode():
    ...     y = w * 2
    >>> y.requires_grad
    False
    >>> @pt.inference_mode
    ... def predict(x):
    ...     return w * x
    >>> predict(3.0).requires_grad
    False
    """

    __slots__ = ("_mode",)
    _value = False

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        if callable(mode):  # (used bare: @inference_mode)
            return cls()(mode)
        raise TypeError(
            f"inference_mode() expects a bool mode or a function to decorate; got "
            f"{type(mode).__name__}"
        )

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._mode = mode

    def __enter__(self) -> None:
        self._tokens.append(_GRAD.set(False if self._mode else _GRAD.get()))

    def __call__(self, fn: F) -> F:
        return super().__call__(fn) if self._mode else fn


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

    __slots__ = ()
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

    __slots__ = ("_set", "_value")

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                f"set_grad_enabled() expects a bool (True or False); got {type(mode).__name__} "
                f"{mode!r}"
            )
        self._tokens = []
        self._value = mode
        # (set_grad_enabled(False) as a statement sets the mode)
        self._set: Token[bool] | None = _GRAD.set(mode)

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
