"""Argument checks shared by every layer: flags, and values out of a dtype's or an int's range.

Each raises one of the kinds of error the project allows (STYLE.md, "Errors") with a message
that names the function, says what was expected and what came.
"""

from __future__ import annotations

import numbers
import operator
from typing import Any

__all__ = [
    "ArrayTooLargeError",
    "BroadcastError",
    "DataIndexError",
    "DataValueError",
    "DimArgumentError",
    "ExportError",
    "IndexArgumentError",
    "LayerArgumentError",
    "OutOfRangeError",
    "ScalarConversionError",
    "ScalarRangeError",
    "ZeroGroupsError",
    "bad_param",
    "check_copy",
    "check_flag",
    "check_int",
    "describe",
    "named_error",
    "short_repr",
]


class OutOfRangeError(ValueError, OverflowError):
    """A number outside the range it must fit: an integer that a dtype or an index cannot hold,
    an infinity converted to ``int``.

    Note: both a ``ValueError`` (a bad value, the class the project's errors use) and an
    ``OverflowError`` (what Python's ``int(float("inf"))`` and NumPy raise for the same value),
    as NumPy's ``AxisError`` is both a ``ValueError`` and an ``IndexError``: code catching
    either keeps working.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     int(pt.asarray(float("inf")))
    ... except ValueError as e:
    ...     print(isinstance(e, OverflowError), e)
    True int() of a tensor holding inf; only finite values convert to int
    """


class ScalarRangeError(OutOfRangeError, RuntimeError):
    """A Python number given as an operand that the tensor's dtype cannot hold (``clamp``'s
    bound 300 for a uint8 tensor).

    Note: a ``RuntimeError`` too, the class of PyTorch's "value cannot be converted to type
    uint8_t without overflow", besides the ``OutOfRangeError`` (``ValueError`` and
    ``OverflowError``) that polytensor raises for values out of range: code catching any of
    them keeps working.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     pt.asarray([1, 2], dtype=pt.uint8).clamp(max=300)
    ... except RuntimeError as e:
    ...     print(isinstance(e, ValueError), str(e).split(";")[0])
    True clamp() got the bound 300, outside the range of uint8 [-255, 255]
    """


class BroadcastError(ValueError, RuntimeError):
    """Shapes that do not broadcast together, or an in-place result of another shape than
    the tensor it updates (``x.add_(y)`` with ``y`` of a larger shape).

    Note: a ``ValueError`` (a bad shape, the class the project's errors use, NumPy's) and a
    ``RuntimeError`` (PyTorch's "The size of tensor a (2) must match the size of tensor b
    (4)"): code catching either keeps working.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     pt.ones((2, 3)).add_(pt.ones((4, 3)))
    ... except RuntimeError as e:
    ...     print(isinstance(e, ValueError), e)
    True add() cannot broadcast shapes (2, 3) and (4, 3)
    """


class ScalarConversionError(ValueError, RuntimeError):
    """A tensor of more than one element (or none) asked for one Python value: ``bool(x)``
    (``if x:``), ``float(x)``, ``int(x)``, ``x.item()``.

    Note: both a ``ValueError`` (NumPy's class for the same question, and the project's) and a
    ``RuntimeError`` (PyTorch's "Boolean value of Tensor with more than one value is
    ambiguous"), so code catching either keeps working.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     bool(pt.ones(2))
    ... except RuntimeError as e:
    ...     print(isinstance(e, ValueError), str(e).split(";")[0])
    True bool() needs a tensor with one element
    """


class ArrayTooLargeError(ValueError, MemoryError):
    """An array too large for the memory of its backend's device: the library refused to
    allocate it (NumPy's "Unable to allocate 8.00 TiB ...", raised before it touches memory).

    Note: both a ``ValueError`` (a size no call can be given here, the class the project's
    errors use) and the ``MemoryError`` the library raised, so code catching either keeps
    working.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     pt.zeros(2**50, dtype=pt.float64)
    ... except ValueError as e:
    ...     print(isinstance(e, MemoryError), str(e).split(" (")[0])
    True zeros(): the array does not fit in memory
    """


class DataValueError(ValueError, RuntimeError):
    """Values a function cannot take, found in a tensor's data: a negative count for
    ``bincount``, a quantile ``q`` outside [0, 1], a negative ``cov`` weight. On a lazy
    backend (Dask) the data are checked inside the task graph, so the error comes when the
    result is computed.

    Note: both a ``ValueError`` (a bad value, the class the project's errors use) and the
    ``RuntimeError`` PyTorch raises for the same data, so code catching either keeps working.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     pt.bincount(pt.asarray([1, -2]))
    ... except RuntimeError as e:
    ...     print(isinstance(e, ValueError), str(e).split(";")[0])
    True bincount only supports 1-d non-negative integral inputs
    """


class DataIndexError(IndexError, RuntimeError):
    """An index out of range, found in a tensor of indices: a ``gather``, ``scatter``,
    ``index_add`` or ``take`` index past an axis's end. On a lazy backend (Dask) the indices
    are checked inside the task graph, so the error comes when the result is computed.

    Note: both the ``IndexError`` Python and NumPy raise for a bad index and the
    ``RuntimeError`` PyTorch raises for one in ``gather`` or ``scatter``, so code catching
    either keeps working, eagerly or when a lazy result is computed.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     pt.gather(pt.zeros(2, 3), 1, pt.asarray([[0, 3]]))
    ... except RuntimeError as e:
    ...     print(isinstance(e, IndexError), str(e).split(";")[0])
    True gather(): index 3 is out of bounds for an axis of size 3
    """


class DimArgumentError(ValueError, RuntimeError):
    """Dimensions or sizes a shape function cannot take: a dimension named twice (``flip``,
    ``sum``), too few dimensions (``fliplr``, ``rot90``, ``tensor_split``), ``rot90``'s
    ``dims``, ``unfold``'s ``size`` and ``step``, a number of sections or repeats out of range.

    Note: both a ``ValueError`` (a bad value, the class the project's errors and NumPy's use)
    and the ``RuntimeError`` PyTorch raises for the same arguments, so code catching either
    keeps working.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     pt.flip(pt.zeros((2, 3)), (0, 0))
    ... except RuntimeError as e:
    ...     print(isinstance(e, ValueError), e)
    True flip() got axis=(0, 0), which names an axis twice for an array of 2 dimensions
    """


class IndexArgumentError(IndexError, RuntimeError):
    """A tensor of indices a function cannot take: of a dtype other than an integer one,
    ``index_fill``'s, ``index_copy``'s or ``index_add``'s of two or more dimensions, ``put``'s
    of another number of elements than its source.

    Note: both an ``IndexError`` and a ``RuntimeError``, as PyTorch raises one or the other
    for these from one function to the next, so code catching either keeps working.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     pt.zeros(3).index_fill(0, pt.asarray([[0]]), 1.0)
    ... except RuntimeError as e:
    ...     print(isinstance(e, IndexError), e)
    True index_fill(): the index must be a 1-d (or 0-d) tensor; got 2-d
    """


class LayerArgumentError(ValueError, RuntimeError):
    """Arguments a layer function cannot take: shapes, channels, groups, padding, sizes.

    Note: both a ``ValueError`` (a bad value, the class the project's errors use) and the
    ``RuntimeError`` PyTorch raises for the same arguments, so code catching either keeps
    working.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> try:
    ...     F.conv_transpose2d(pt.ones((1, 2, 3, 3)), pt.ones((2, 1, 3, 3)), output_padding=1)
    ... except RuntimeError as e:
    ...     print(isinstance(e, ValueError), str(e).split(" or ")[0])
    True conv_transpose2d(): output_padding (1, 1) must be smaller than either stride (1, 1)
    """


class ZeroGroupsError(ValueError, ZeroDivisionError):
    """``num_groups=0`` given to group normalisation (``nn.GroupNorm``, ``F.group_norm``).

    Note: both a ``ValueError`` (a bad value, the class the project's errors use) and the
    ``ZeroDivisionError`` PyTorch raises there (from its ``num_channels % num_groups``), so
    code catching either keeps working.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     pt.nn.GroupNorm(0, 4)
    ... except ZeroDivisionError as e:
    ...     print(isinstance(e, ValueError), str(e).split(";")[0])
    True GroupNorm() got num_groups=0
    """


class ExportError(BufferError, ValueError):
    """Data that cannot be exported as asked (``__dlpack__`` to a device or with a copy the
    library cannot make).

    Note: a ``BufferError``, the class the standard names for a failed DLPack export, and a
    ``ValueError`` (a value this call cannot take), as the project's errors are.

    Examples
    --------
    >>> import polytensor as pt
    >>> try:
    ...     pt.ones(2).__dlpack__(dl_device=(-1, 2))
    ... except BufferError as e:
    ...     print(isinstance(e, ValueError), e)
    True __dlpack__(): unsupported device requested
    """


def named_error(where: str, e: BaseException) -> Exception:
    """``e``, raised by a library inside function ``where``, as one of the kinds of error the
    project raises (TypeError, ValueError, IndexError, NotImplementedError, RuntimeError), with
    a message that names ``where``: an error of those kinds keeps its class, a MemoryError
    becomes ``ArrayTooLargeError``, an OverflowError ``OutOfRangeError``, an AttributeError (a
    value of the wrong type) a TypeError, anything else a ValueError.

    Examples
    --------
    >>> from polytensor._checks import named_error
    >>> named_error("eye", OverflowError("Python int too large to convert to C long"))
    OutOfRangeError('eye(): Python int too large to convert to C long')
    """
    msg = str(e)
    if isinstance(e, DataValueError | DataIndexError) or (
        isinstance(e, _ALLOWED) and f"{where}(" in msg
    ):
        return e  # (named already: polytensor's own, or a library's that says the name)
    if isinstance(e, MemoryError):
        return ArrayTooLargeError(
            f"{where}(): the array does not fit in memory ({msg}); make a smaller one, or "
            f"use the dask backend, which computes chunk by chunk"
        )
    if isinstance(e, OverflowError):
        return OutOfRangeError(f"{where}(): {msg}")
    if isinstance(e, _ALLOWED):
        text = f"{where}(): {msg}"
        try:
            new = type(e)(text)
        except Exception:  # noqa: BLE001 - a class with another constructor: its base below
            new = None
        if new is None or str(new) != text:
            new = next(c for c in _ALLOWED if isinstance(e, c))(text)
        return new
    kind = TypeError if isinstance(e, AttributeError) else ValueError
    return kind(f"{where}(): the {type(e).__name__} '{msg}' from the backend; check the arguments")


# The kinds of error a call may raise (STYLE.md, "Errors").
_ALLOWED = (IndexError, TypeError, ValueError, NotImplementedError, RuntimeError)


def short_repr(value: object) -> str:
    """``repr(value)`` when it fits a message (one line, 40 characters), else what ``value``
    is (an array's type and shape).

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor._checks import short_repr
    >>> short_repr(2.5), short_repr(np.zeros((3, 4)))
    ('2.5', 'a ndarray of shape (3, 4)')
    """
    text = repr(value)
    if len(text) <= 40 and "\n" not in text:
        return text
    shape = getattr(value, "shape", None)
    kind = type(value).__name__
    return f"a {kind} of shape {tuple(shape)}" if isinstance(shape, tuple) else f"a {kind}"


def describe(value: object) -> str:
    """A short description of ``value`` for a message: its type, and its ``repr`` when that is
    short (an array's is not).

    Examples
    --------
    >>> from polytensor._checks import describe
    >>> describe("no"), describe([1.0] * 50)
    ("str 'no'", 'list')
    """
    text = repr(value)
    kind = type(value).__name__
    return f"{kind} {text}" if len(text) <= 40 and "\n" not in text else kind


def check_flag(where: str, name: str, value: object) -> bool:
    """``value`` as a flag (``keepdims=``, ``stable=``...): a bool, or a Python int (whose
    truth is unambiguous); anything else is a TypeError.

    Note: an array's truth is ambiguous (NumPy refuses one of several elements, and an empty
    one) and a string's is always True (``keepdims="no"`` would keep the dimensions), so
    neither is read as a flag.

    Examples
    --------
    >>> from polytensor._checks import check_flag
    >>> check_flag("sum", "keepdims", True)
    True
    >>> check_flag("sum", "keepdims", "no")
    Traceback (most recent call last):
        ...
    TypeError: sum() expects keepdims= to be True or False; got str 'no'
    """
    if value is True or value is False:
        return value
    if isinstance(value, int):
        return bool(value)
    raise TypeError(f"{where}() expects {name}= to be True or False; got {describe(value)}")


def check_int(where: str, what: str, value: object, expected: str = "an int") -> int:
    """``value`` as a Python int: an int, a NumPy integer, or a 0-d integer array or tensor
    (what ``operator.index`` takes); a TypeError naming ``where`` and ``what`` otherwise.

    Note: a bool is refused (``True`` as a size or an index is a slip), and so is an array of
    several elements or none, whose ``__index__`` refuses in its library's words ("only integer
    scalar arrays can be converted to a scalar index"), which name no function.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor._checks import check_int
    >>> check_int("kthvalue", "k", np.int64(2))
    2
    >>> check_int("kthvalue", "k", np.array([1, 2]))
    Traceback (most recent call last):
        ...
    TypeError: kthvalue() expects k to be an int; got ndarray array([1, 2])
    """
    if type(value) is int:  # (an int: the common call)
        return value
    if not isinstance(value, bool):
        try:
            return operator.index(value)  # type: ignore[arg-type]  # (what is not: TypeError)
        except TypeError:  # (an ndarray of several elements has __index__, and refuses)
            pass
    raise TypeError(f"{where}() expects {what} to be {expected}; got {describe(value)}")


def _is_int(v: object) -> bool:
    # (a NumPy integer is one too: libraries pass shapes they computed with NumPy)
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def bad_param(name: str, datas: Any, params: dict[str, Any]) -> Exception | None:
    """A TypeError or ValueError for a malformed ``axis=``, ``correction=`` or ``shape=`` of a
    call of ``name`` on native arrays ``datas`` (None if they look right): what backends report
    with a ZeroDivisionError, an AssertionError or a message that names no function, or (Dask)
    only when the graph is computed.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor._checks import bad_param
    >>> print(bad_param("sum", [np.ones((2, 3))], {"axis": (0, -2)}))
    sum() got axis=(0, -2), which names an axis twice for an array of 2 dimensions
    >>> print(bad_param("reshape", [np.ones(6)], {"shape": (4, -1)}))
    reshape() cannot reshape an array of shape (6,) into (4, -1): the -1 size cannot be inferred
    """
    first = next((d for d in datas if hasattr(d, "shape")), None)
    axis = params.get("axis")
    if axis is not None:
        axes = axis if isinstance(axis, tuple) else (axis,)
        if not all(_is_int(a) for a in axes):
            return TypeError(
                f"{name}() expects axis= to be an int or a tuple of ints; got {describe(axis)}"
            )
        ndim = getattr(first, "ndim", None)
        if name == "expand_dims" and isinstance(ndim, int):
            ndim += len(axes)  # (its axes are the result's)
        distinct = (
            {a % ndim if -ndim <= a < ndim else a for a in axes}
            if len(axes) > 1 and isinstance(ndim, int) and ndim
            else axes
        )
        if len(distinct) < len(axes):
            what = "a result" if name == "expand_dims" else "an array"
            return DimArgumentError(
                f"{name}() got axis={axis!r}, which names an axis twice for {what} of "
                f"{ndim} dimensions"
            )
    correction = params.get("correction")
    if correction is not None and not isinstance(correction, numbers.Real):
        return TypeError(
            f"{name}() expects correction= to be a Python int or float; got {describe(correction)}"
        )
    shape = params.get("shape")
    if shape is not None and "shape" in params:
        dims = shape if isinstance(shape, tuple) else (shape,)
        if not all(_is_int(n) for n in dims):
            return TypeError(
                f"{name}() expects shape= to be a tuple of ints; got {describe(shape)}"
            )
        if any(n < -1 for n in dims) or sum(1 for n in dims if n == -1) > 1:
            return ValueError(
                f"{name}() got shape {shape!r}; sizes must be >= 0, with at most one -1"
            )
        if -1 in dims and first is not None:
            known = 1
            for n in dims:
                if n != -1:
                    known *= n
            size = 1
            for n in first.shape:
                # (a length unknown until computed, None or Dask's NaN: only known == 0 tells)
                size *= n if _is_int(n) else 0
            if known == 0 or (size and size % known):
                return ValueError(
                    f"{name}() cannot reshape an array of shape {tuple(first.shape)} into "
                    f"{shape!r}: the -1 size cannot be inferred"
                )
    return None


def check_copy(where: str, copy: object) -> bool | None:
    """``copy=`` of the standard's conversions: None (copy only if needed) or a flag.

    Examples
    --------
    >>> from polytensor._checks import check_copy
    >>> check_copy("asarray", None), check_copy("asarray", False)
    (None, False)
    """
    if copy is None or copy is True or copy is False:
        return copy
    raise TypeError(f"{where}() expects copy= to be None, True or False; got {describe(copy)}")
