"""Who is asking: user code, or a library that took a tensor through the Array API.

Two of the standard's Python conversions mean something different to array-API libraries
(SciPy, scikit-learn, array-api-extra...) than to a user's own code, and polytensor answers
each caller by its meaning:

- ``bool()`` of one element is how array-api-compat's ``is_lazy_array`` asks whether an array
  is lazy. A lazy (Dask) tensor raises for that probe, as the standard says a lazy
  implementation should, so libraries take their lazy code paths; in any other caller
  ``bool()`` computes, so ``if loss < tol:`` runs unchanged on Dask (as on a Dask array, which
  array-api-compat reports lazy by its class).
- ``float()`` of a tensor that requires grad gives a Python number without a gradient. A user
  asking for the number (``float(loss)``, allowed by PyTorch too) gets it; a library that took
  the tensor through the Array API (it called ``__array_namespace__``) and returns ``float(...)``
  of it would hand the user a silently detached result, so it gets polytensor's error instead.

Nothing here reads more than the calling frames' function and module names and file paths.
"""

from __future__ import annotations

import sysconfig
from types import FrameType

__all__ = [
    "array_api_library_converting",
    "asked_by_laziness_probe",
    "note_namespace_request",
]

# Modules that pass a tensor along without being its consumer: polytensor itself and
# array-api-compat (the package or a library's vendored copy, found by its module name).
_PASSERS = ("polytensor", "array_api_compat")

# Top-level packages of installed libraries that asked a tensor for its namespace.
_DISPATCHING: set[str] = set()

# Directories of installed packages (site-packages and the like).
_INSTALLED = tuple({p for p in (sysconfig.get_paths().get(k) for k in ("purelib", "platlib")) if p})


def _module(frame: FrameType) -> str:
    return str(frame.f_globals.get("__name__", ""))


def _passes(module: str) -> bool:
    return module.split(".", 1)[0] == "polytensor" or "array_api_compat" in module


def asked_by_laziness_probe(frame: FrameType | None) -> bool:
    """Whether ``frame`` (the caller of ``bool()``) is array-api-compat's ``is_lazy_array``
    (any copy of it: SciPy and scikit-learn vendor their own).

    Examples
    --------
    >>> import sys
    >>> from polytensor._consumers import asked_by_laziness_probe
    >>> asked_by_laziness_probe(sys._getframe())
    False
    """
    return (
        frame is not None
        and frame.f_code.co_name == "is_lazy_array"
        and _module(frame).endswith("array_api_compat.common._helpers")
    )


def note_namespace_request(frame: FrameType | None) -> None:
    """Record the installed library (its top-level package) that asked a tensor for its
    namespace; ``frame`` is the caller of ``__array_namespace__``. Frames of polytensor and
    array-api-compat are passed over; code outside installed packages (a user's script,
    notebook or tests) is not a library and is not recorded.

    Examples
    --------
    >>> import sys
    >>> from polytensor._consumers import note_namespace_request
    >>> note_namespace_request(sys._getframe())  # a doctest is not installed code: no record
    """
    while frame is not None and _passes(_module(frame)):
        frame = frame.f_back
    if frame is None:
        return
    if frame.f_code.co_filename.startswith(_INSTALLED):
        _DISPATCHING.add(_module(frame).split(".", 1)[0])


def array_api_library_converting(frame: FrameType | None) -> str | None:
    """The module of ``frame`` (the caller of a Python conversion) when it belongs to an
    installed library that took tensors through the Array API; None for any other caller.

    Examples
    --------
    >>> import sys
    >>> from polytensor._consumers import array_api_library_converting
    >>> array_api_library_converting(sys._getframe()) is None
    True
    """
    if frame is None or not _DISPATCHING:
        return None
    module = _module(frame)
    if module.split(".", 1)[0] not in _DISPATCHING or _passes(module):
        return None
    return module if frame.f_code.co_filename.startswith(_INSTALLED) else None
