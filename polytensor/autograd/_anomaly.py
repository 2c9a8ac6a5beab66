"""Anomaly detection, as PyTorch's ``torch.autograd.detect_anomaly``: while it is on, every
node of backward takes the general path, and a gradient a node computes with a NaN in it
raises a ``RuntimeError`` naming the node ("Function 'MulBackward0' returned nan values in its
0th output"), where it would otherwise flow on to the leaves silently. Like PyTorch's, the
mode is one switch for the whole process."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "detect_anomaly",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "set_detect_anomaly",
]

F = TypeVar("F", bound=Callable[..., Any])

# [enabled, check_nan]: read by the engine once per backward()
STATE = [False, True]


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.autograd.is_anomaly_enabled()
    False
    """
    return STATE[0]


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection, when on, checks gradients for NaN.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.autograd.is_anomaly_check_nan_enabled()
    True
    """
    return STATE[1]


class _AnomalyMode:
    """Sets the mode on entry (or at once, ``set_detect_anomaly``) and gives back the one
    before on exit; also a decorator."""

    def __init__(self, mode: bool, check_nan: bool) -> None:
        for name, v in (("mode", mode), ("check_nan", check_nan)):
            if not isinstance(v, bool):
                raise TypeError(f"anomaly detection expects a bool {name}; got {v!r}")
        self._mode = (mode, check_nan)
        self._before: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        self._before.append((STATE[0], STATE[1]))
        STATE[0], STATE[1] = self._mode

    def __exit__(self, *exc: object) -> None:
        STATE[0], STATE[1] = self._before.pop()

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__(*self._mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class detect_anomaly(_AnomalyMode):
    """Within the block (or the decorated function), backward checks every gradient it
    computes and raises ``RuntimeError`` at the first node that gives a NaN, naming it, as
    PyTorch's ``torch.autograd.detect_anomaly()``. Backward runs slower meanwhile: each node
    takes the general path and each gradient is checked.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1.0], requires_grad=True)
    >>> with pt.autograd.detect_anomaly():
    ...     try:
    ...         (x * float("nan")).sum().backward()
    ...     except RuntimeError as e:
    ...         print(str(e).split(".")[0])
    Function 'MulBackward0' returned nan values in its 0th output
    """

    def __init__(self, check_nan: bool = True) -> None:
        super().__init__(True, check_nan)


class set_detect_anomaly(_AnomalyMode):
    """Turn anomaly detection on or off (``set_detect_anomaly(True)``), at once, or for a
    block (``with set_detect_anomaly(False):``), as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> with pt.autograd.set_detect_anomaly(True):
    ...     pt.autograd.is_anomaly_enabled()
    True
    >>> pt.autograd.is_anomaly_enabled()
    False
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        super().__init__(mode, check_nan)
        self._before.append((STATE[0], STATE[1]))
        STATE[0], STATE[1] = self._mode

    def __enter__(self) -> None:
        pass  # (set when made)
