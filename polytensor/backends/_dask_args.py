"""Checks of a Dask call's ``axis=``, ``correction=`` and ``shape=`` while its graph is built.

Dask accepts what NumPy refuses: ``axis=True`` (a bool is an int to Dask), a tuple of axes
naming one axis twice, ``shape=(1.5,)``, a tensor as a shape or as ``correction=`` build a graph
that fails only when computed, inside a task, with NumPy's words naming no function ("an integer
is required for the axis", "duplicate value in 'axis'"), or not at all. On the eager backends the
library refuses such a call at once and ``apply()`` reports it with the same checks
(``polytensor._checks.bad_param``); on Dask they have to run before the graph exists. They cost
a few ``isinstance`` calls per call that passes one of them (a Dask call builds a graph:
microseconds more).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._checks import bad_param, check_flag

__all__ = ["checked"]

_CHECKED = ("axis", "correction", "shape")
_FLAGS = ("descending", "stable")


def checked(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (the Dask backend's function for op ``name``), checking ``axis=``,
    ``correction=`` and ``shape=`` first if it takes them; ``fn`` itself otherwise.

    Examples
    --------
    >>> import dask.array as da
    >>> from polytensor.backends._dask_args import checked
    >>> total = checked("sum", da.sum)
    >>> total(da.ones((2, 3)), axis=True)
    Traceback (most recent call last):
        ...
    TypeError: sum() expects axis= to be an int or a tuple of ints; got bool True
    """
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # (no signature to read: nothing to check)
        return fn
    if not any(p in params for p in (*_CHECKED, *_FLAGS)):
        return fn
    short = name.rsplit(".", 1)[-1]

    def call(*args: Any, **kwargs: Any) -> Any:
        for p in _FLAGS:  # (Dask reads a flag's truth inside a task: an array fails there)
            v = kwargs.get(p, False)
            if v is not True and v is not False:
                check_flag(short, p, v)
        given = {p: kwargs[p] for p in _CHECKED if kwargs.get(p) is not None}
        if given:
            problem = bad_param(short, args[:1], given)
            if problem is not None:
                raise problem
        return fn(*args, **kwargs)

    call.__name__ = getattr(fn, "__name__", name)
    call.__doc__ = getattr(fn, "__doc__", None)
    call.__wrapped__ = fn  # type: ignore[attr-defined]
    return call
