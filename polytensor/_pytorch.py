"""Namespace functions where PyTorch's spelling and the standard's overlap.

The rule (README, "PyTorch spellings and the standard"): the standard's spelling keeps the
standard's meaning (``pt.max(x, axis=1)`` is one array), and what the standard leaves free
(a positional dimension, ``dim=``, ``keepdim=``) takes PyTorch's meaning (``pt.max(x, 1)`` is
``(values, indices)``). Every signature here keeps the standard's parameters as the standard
names them, so the official suite sees the standard's functions.
"""

from __future__ import annotations

import builtins
import math
import numbers
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from . import _config, _tape
from . import _dtypes as dt
from ._checks import (
    BroadcastError,
    DimArgumentError,
    IndexArgumentError,
    check_flag,
    check_int,
    describe,
)
from ._dispatch import refusing_booleans
from ._ops import creation as _creation
from ._ops import searching, sorting, statistical
from ._ops._registry import _into
from ._ops.creation import arange, check_float_fits, full_like
from ._ops.data_types import astype, result_type
from ._ops.elementwise import abs as _abs
from ._ops.elementwise import add as _add
from ._ops.elementwise import (
    divide,
    isfinite,
    isnan,
    logical_and,
    logical_or,
    maximum,
    minimum,
    multiply,
)
from ._ops.elementwise import subtract as _subtract
from ._ops.indexing import take_along_axis
from ._ops.linear_algebra import matmul as _matmul
from ._ops.manipulation import concat as _concat
from ._ops.manipulation import one_dtype, permute_dims, repeat, reshape
from ._ops.manipulation import squeeze as _squeeze
from ._ops.manipulation import stack as _stack
from ._shapes import check_dim
from ._tensor_base import TensorBase
from .autograd._mode import no_grad

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "ValuesIndices",
    "add",
    "addcdiv",
    "addcmul",
    "all",
    "allclose",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "argsort",
    "as_tensor",
    "bmm",
    "broadcast_tensors",
    "chunk",
    "concat",
    "cumprod",
    "cumsum",
    "det",
    "diag",
    "div",
    "flatten",
    "flip",
    "fmod",
    "gather",
    "hstack",
    "index_add",
    "index_select",
    "inverse",
    "is_floating_point",
    "is_tensor",
    "isclose",
    "lerp",
    "log_softmax",
    "logsumexp",
    "masked_fill",
    "masked_select",
    "matmul",
    "max",
    "mean",
    "median",
    "min",
    "movedim",
    "mul",
    "narrow",
    "narrow_copy",
    "neg",
    "nonzero",
    "numel",
    "outer",
    "permute",
    "prod",
    "repeat_interleave",
    "roll",
    "round",
    "rsqrt",
    "scatter",
    "scatter_add",
    "select",
    "softmax",
    "sort",
    "split",
    "squeeze",
    "stack",
    "std",
    "sub",
    "subtract",
    "sum",
    "swapaxes",
    "swapdims",
    "t",
    "topk",
    "trace",
    "transpose",
    "tril",
    "triu",
    "unbind",
    "unique",
    "unique_consecutive",
    "unsqueeze",
    "values_indices",
    "var",
    "vstack",
    "where",
]


def repeat_interleave(
    input: Any, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """PyTorch's ``torch.repeat_interleave``: each element of ``input`` ``repeats`` times (an
    int, or an integer tensor of one count per element along ``dim``), along ``dim`` or over
    the flattened input; with ``repeats`` alone (``pt.repeat_interleave(counts)``), each index
    ``i`` ``counts[i]`` times. It is the standard's ``repeat``; its gradient sums the copies.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.repeat_interleave(pt.tensor([1, 2]), 2)
    tensor([1, 1, 2, 2], backend='numpy')
    >>> pt.tensor([[1, 2], [3, 4]]).repeat_interleave(pt.tensor([1, 2]), dim=0)
    tensor([[1, 2],
            [3, 4],
            [3, 4]], backend='numpy')
    >>> pt.repeat_interleave(pt.tensor([2, 0, 1]))
    tensor([0, 0, 2], backend='numpy')
    """
    where = "repeat_interleave"
    if not isinstance(input, TensorBase):
        raise TypeError(f"{where}() expects a tensor; got {describe(input)}")
    if repeats is None:  # (the counts alone: the indices they repeat)
        if dim is not None or input.ndim != 1 or input.dtype.kind not in _INTEGER_KINDS:
            raise ValueError(
                f"{where}() of counts alone expects one 1-D integer tensor; got "
                f"{input.dtype.name} of shape {tuple(input.shape)}"
            )
        counts = input
        n = counts.shape[0]
        if n is None:
            raise ValueError(
                f"{where}() of counts of unknown length (Dask); compute them first with "
                f"pt.compute(counts)"
            )
        idx = arange(n, dtype=counts.dtype, device=counts.device)
        return cast("Tensor", _checked_repeat(where, idx, counts, 0, output_size))
    if isinstance(repeats, TensorBase):
        if repeats.dtype.kind not in _INTEGER_KINDS or repeats.ndim > 1:
            raise DimArgumentError(
                f"{where}() expects repeats to be an int or a 1-D integer tensor; got "
                f"{repeats.dtype.name} of shape {tuple(repeats.shape)}"
            )
        if repeats.ndim == 0 or repeats.shape[0] == 1:  # (one count for every element)
            repeats = int(cast("Any", repeats).reshape(-1)[0])
    else:
        try:  # an int, or a NumPy integer, say (an array of another library is refused)
            if isinstance(repeats, bool):
                raise TypeError
            repeats = operator.index(repeats)
        except TypeError:
            raise TypeError(
                f"{where}() expects repeats to be an int or a 1-D integer tensor; got "
                f"{describe(repeats)}; convert counts with pt.asarray(...)"
            ) from None
    x = input
    if dim is None:
        x = reshape(x, (-1,))
        axis = 0
    else:
        axis = check_dim(where, dim, builtins.max(x.ndim, 1))
        if x.ndim == 0:
            x = reshape(x, (1,))
    return cast("Tensor", _checked_repeat(where, x, repeats, axis, output_size))


_INTEGER_KINDS = ("signed integer", "unsigned integer")


def _is_bool(x: Any) -> bool:
    return isinstance(x, TensorBase) and x.dtype is dt.bool


def _as_bool(r: Any) -> Any:
    """A result computed on a boolean tensor as uint8 (PyTorch orders booleans, the standard's
    ordering functions take numbers), its values made boolean again: a tensor, or the first
    element of a tuple (``ValuesIndices``, or ``unique``'s values and the rest)."""
    if isinstance(r, ValuesIndices):
        return r._replace(values=astype(r.values, dt.bool))
    if isinstance(r, tuple):
        return (astype(r[0], dt.bool), *r[1:])
    return astype(r, dt.bool)


def _checked_repeat(where: str, x: Any, repeats: Any, axis: int, output_size: Any) -> Any:
    if isinstance(repeats, int):
        if repeats < 0:
            raise RuntimeError(f"{where}() expects non-negative repeats; got {repeats}")
    elif x.shape[axis] is not None and repeats.shape[0] != x.shape[axis]:
        raise RuntimeError(
            f"{where}(): {repeats.shape[0]} counts for a dimension of {x.shape[axis]} "
            f"elements; give one count per element"
        )
    elif not x._backend.lazy and bool(statistical.any(repeats < 0)):
        raise RuntimeError(f"{where}() expects non-negative repeats; some are negative")
    r = repeat(x, repeats, axis=axis)
    if output_size is not None and r.shape[axis] is not None and r.shape[axis] != output_size:
        raise RuntimeError(
            f"{where}(): output_size={output_size} but the repeats give {r.shape[axis]} "
            f"elements along the dimension; pass their sum, or leave output_size out"
        )
    return r


class MemoryFormat:
    """PyTorch's memory formats (``pt.contiguous_format``, ``pt.preserve_format``,
    ``pt.channels_last``, ``pt.channels_last_3d``), for the ``memory_format=`` arguments of
    ``contiguous``, ``is_contiguous`` and ``clone``. polytensor lays a tensor out in C order
    (or as its library does), so only the first two change nothing; the channels-last ones
    are refused with a message.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.contiguous_format
    polytensor.contiguous_format
    >>> pt.ones(2, 3).t().contiguous(memory_format=pt.contiguous_format).is_contiguous()
    True
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"polytensor.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # (the module's own object when unpickled)


contiguous_format = MemoryFormat("contiguous_format")
preserve_format = MemoryFormat("preserve_format")
channels_last = MemoryFormat("channels_last")
channels_last_3d = MemoryFormat("channels_last_3d")


def check_memory_format(where: str, memory_format: Any, *, preserve: bool = True) -> None:
    """Refuse a ``memory_format=`` polytensor does not lay out (channels last; with
    ``preserve=False``, ``preserve_format`` too, as PyTorch's ``contiguous`` refuses it).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._pytorch import check_memory_format
    >>> check_memory_format("clone", pt.preserve_format)
    """
    if memory_format is None or memory_format is contiguous_format:
        return
    if memory_format is preserve_format:
        if preserve:
            return
        raise RuntimeError(
            f"{where}() does not take memory_format=preserve_format (neither does PyTorch's); "
            f"leave it out"
        )
    if memory_format is channels_last or memory_format is channels_last_3d:  # (not `in`: ==)
        raise ValueError(
            f"{where}(): polytensor lays tensors out in C order only, so "
            f"memory_format={memory_format!r} is not supported; leave it out (the values "
            f"are the same)"
        )
    raise TypeError(
        f"{where}() expects memory_format= to be a pt memory format such as "
        f"pt.contiguous_format; got {describe(memory_format)}"
    )


class ValuesIndices(NamedTuple):
    """PyTorch's ``(values, indices)`` of ``max``/``min``/``sort``/``topk`` along a dimension.

    Examples
    --------
    >>> import polytensor as pt
    >>> values, indices = pt.max(pt.asarray([[1.0, 5.0], [7.0, 2.0]]), 1)
    >>> values.tolist(), indices.tolist()
    ([5.0, 7.0], [1, 0])
    """

    values: Tensor
    indices: Tensor


def _tensor_arg(where: str, x: Any) -> None:
    if not isinstance(x, TensorBase):
        raise TypeError(
            f"{where}() expects a polytensor Tensor; got {type(x).__name__}; convert it "
            f"with pt.asarray(...)"
        )


def _dim_or_axis(where: str, dim: Any, axis: Any) -> Any:
    if dim is not None and axis is not None:
        raise TypeError(
            f"{where}() got both dim= (PyTorch's spelling) and axis= (the standard's); pass one"
        )
    if isinstance(dim, list):  # (PyTorch takes a list of dims too)
        dim = tuple(dim)
    if dim.__class__ is tuple and not dim and where in ("sum", "mean", "std", "var"):
        return None  # (PyTorch's dim=() of these: every dimension; the standard's axis=() none)
    return dim if dim is not None else axis


def _reduction_axis(where: str, x: Any, dim: Any, axis: Any) -> Any:
    """``_dim_or_axis`` of a reduction of ``x``: PyTorch's dim 0 or -1 of a 0-d tensor is the
    tensor itself (every dimension: None), as the standard's axis= of it is not."""
    a = _dim_or_axis(where, dim, axis)
    if dim is None or a is None or not isinstance(x, TensorBase) or x.ndim != 0:
        return a
    return _whole_0d(where, a)


def _whole_0d(where: str, dims: Any) -> None:
    """A reduction's ``dims`` of a 0-d tensor checked as PyTorch's (0 or -1 each, an
    IndexError otherwise): the tensor itself, every dimension (None)."""
    for d in dims if isinstance(dims, tuple) else (dims,):
        check_dim(where, d, 0)


def _keepdims(where: str, keepdim: Any, keepdims: Any) -> bool:
    keepdims = check_flag(where, "keepdims", keepdims)
    if keepdim is not None and keepdims:
        raise TypeError(
            f"{where}() got both keepdim= (PyTorch's spelling) and keepdims= (the "
            f"standard's); pass one"
        )
    return check_flag(where, "keepdim", keepdim) if keepdim is not None else keepdims


def values_indices(name: str, x: Any, dim: Any, keepdim: bool) -> ValuesIndices:
    """PyTorch's ``x.max(dim)`` / ``x.min(dim)``: values and indices along ``dim``, with
    PyTorch's errors for a ``dim`` that is not an int (``TypeError``) or out of range
    (``IndexError``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._pytorch import values_indices
    >>> values_indices("min", pt.asarray([[3.0, 1.0]]), 1, False).indices.tolist()
    [1]
    """
    d = check_dim(name, dim, x.ndim)
    if x.ndim == 0:
        return ValuesIndices(x, searching.argmax(reshape(x, (1,)), axis=0))
    arg = searching.argmax if name == "max" else searching.argmin
    if not (_tape.requires_grad(x) and _config.GRAD_ENABLED.get()):  # (one op, both outputs)
        values, indices = searching._extreme_indices(
            x, axis=d, keepdims=keepdim, largest=name == "max"
        )
        return ValuesIndices(values, indices)
    # recorded: the values are taken at the indices, so that the gradient goes to the element
    # each index names (PyTorch's x.max(dim): the first of tied or NaN elements)
    indices = arg(x, axis=d, keepdims=True)
    values = take_along_axis(x, indices, axis=d)
    if not keepdim:
        values, indices = _squeeze(values, axis=d), _squeeze(indices, axis=d)
    # (one node of PyTorch's, MaxBackward0 or MinBackward0)
    return ValuesIndices(_tape.name_node(values, f"{name.capitalize()}Backward0"), indices)


def max(
    x: Tensor,
    /,
    dim: Any = None,
    keepdim: bool | None = None,
    *,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
) -> Any:
    """Maximum: the standard's ``pt.max(x, axis=, keepdims=)`` (one array), or PyTorch's
    ``pt.max(x, dim)`` / ``pt.max(x, dim=, keepdim=)`` (``(values, indices)``) and
    ``pt.max(x, other)`` (the element-wise ``pt.maximum``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[1.0, 5.0], [7.0, 2.0]])
    >>> pt.max(x, axis=1)
    tensor([5., 7.], backend='numpy')
    >>> pt.max(x, 1)
    ValuesIndices(values=tensor([5., 7.], backend='numpy'), indices=tensor([1, 0], backend='numpy'))
    """
    return _extreme("max", x, dim, keepdim, axis, keepdims)


def min(
    x: Tensor,
    /,
    dim: Any = None,
    keepdim: bool | None = None,
    *,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
) -> Any:
    """Minimum: the standard's ``pt.min(x, axis=, keepdims=)`` (one array), or PyTorch's
    ``pt.min(x, dim)`` / ``pt.min(x, dim=, keepdim=)`` (``(values, indices)``) and
    ``pt.min(x, other)`` (the element-wise ``pt.minimum``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[1.0, 5.0], [7.0, 2.0]])
    >>> pt.min(x)
    tensor(1., backend='numpy')
    >>> pt.min(x, dim=0).indices
    tensor([0, 1], backend='numpy')
    """
    return _extreme("min", x, dim, keepdim, axis, keepdims)


def _extreme(name: str, x: Any, dim: Any, keepdim: bool | None, axis: Any, keepdims: bool) -> Any:
    if _is_bool(x) and not isinstance(dim, TensorBase):  # (True above False, as PyTorch's)
        return _as_bool(_extreme(name, astype(x, dt.uint8), dim, keepdim, axis, keepdims))
    fn = statistical.max if name == "max" else statistical.min
    if keepdims is not False:
        keepdims = check_flag(name, "keepdims", keepdims)
    if dim is None:
        if axis is None and keepdim is None and keepdims is False:
            return fn(x)  # pt.max(x): the common case
        return fn(x, axis=axis, keepdims=_keepdims(name, keepdim, keepdims))
    if isinstance(dim, TensorBase):  # torch.max(a, b): element-wise
        if keepdim is not None or axis is not None or keepdims:
            raise TypeError(f"{name}(x, other) (element-wise) takes no dimension arguments")
        return (maximum if name == "max" else minimum)(x, dim)
    if axis is not None or keepdims:
        raise TypeError(
            f"{name}() got PyTorch's dim together with the standard's axis=/keepdims=; "
            f"pass dim= and keepdim=, or axis= and keepdims="
        )
    _tensor_arg(name, x)
    if isinstance(dim, tuple):
        raise TypeError(
            f"{name}() got dim={dim!r}; PyTorch's (values, indices) form takes one int "
            f"dimension; use axis={dim!r} for the standard's reduction over several"
        )
    keep = keepdim is not None and check_flag(name, "keepdim", keepdim)
    return values_indices(name, x, dim, keep)


def _reduce_doc(name: str, example: str) -> str:
    return (
        f"The standard's ``pt.{name}`` that also takes PyTorch's spelling: a positional "
        f"``dim`` or ``dim=``/``keepdim=`` mean the standard's ``axis=``/``keepdims=``.\n\n"
        f"Examples\n--------\n>>> import polytensor as pt\n{example}"
    )


def sum(
    x: Tensor,
    /,
    dim: Any = None,
    keepdim: bool | None = None,
    *,
    axis: int | tuple[int, ...] | None = None,
    dtype: dt.DType | None = None,
    keepdims: bool = False,
) -> Tensor:
    if isinstance(x, TensorBase) and x.dtype is dt.bool:
        # PyTorch sums booleans as int64 (the standard leaves it open), or in dtype= if given
        x = _bools_to_int(x) if dtype is None else astype(x, dtype)
    if dim is None and axis is None and keepdim is None and keepdims is False and dtype is None:
        return statistical.sum(x)
    return statistical.sum(
        x,
        axis=_reduction_axis("sum", x, dim, axis),
        dtype=dtype,
        keepdims=_keepdims("sum", keepdim, keepdims),
    )


def prod(
    x: Tensor,
    /,
    dim: Any = None,
    keepdim: bool | None = None,
    *,
    axis: int | tuple[int, ...] | None = None,
    dtype: dt.DType | None = None,
    keepdims: bool = False,
) -> Tensor:
    if _is_bool(x):  # (PyTorch's product of booleans: an int64 count, or in dtype= if given)
        x = astype(x, dt.int64 if dtype is None else dtype)
    return statistical.prod(
        x,
        axis=_reduction_axis("prod", x, dim, axis),
        dtype=dtype,
        keepdims=_keepdims("prod", keepdim, keepdims),
    )


def mean(
    x: Tensor,
    /,
    dim: Any = None,
    keepdim: bool | None = None,
    *,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    dtype: dt.DType | None = None,
) -> Tensor:
    if dtype is not None:  # (PyTorch's: the input cast to dtype first)
        x = _cast_for_mean(x, dtype)
    if dim is None and axis is None and keepdim is None and keepdims is False:
        return statistical.mean(x)
    return statistical.mean(
        x, axis=_reduction_axis("mean", x, dim, axis), keepdims=_keepdims("mean", keepdim, keepdims)
    )


def _cast_for_mean(x: Tensor, dtype: Any) -> Tensor:
    from ._ops.data_types import astype

    dtype = dt.from_python_type(dtype)  # (PyTorch's dtype=float: float64)
    if not isinstance(dtype, dt.DType) or dtype.kind not in ("real floating", "complex floating"):
        raise RuntimeError(
            f"mean(): could not infer output dtype. Optional dtype must be either a floating "
            f"point or complex dtype. Got: {dtype}"
        )
    _tensor_arg("mean", x)
    return x if x.dtype is dtype else astype(x, dtype)


def argmax(
    x: Tensor,
    /,
    dim: int | None = None,
    keepdim: bool | None = None,
    *,
    axis: int | None = None,
    keepdims: bool = False,
) -> Tensor:
    return searching.argmax(
        x,
        axis=_reduction_axis("argmax", x, dim, axis),
        keepdims=_keepdims("argmax", keepdim, keepdims),
    )


def argmin(
    x: Tensor,
    /,
    dim: int | None = None,
    keepdim: bool | None = None,
    *,
    axis: int | None = None,
    keepdims: bool = False,
) -> Tensor:
    return searching.argmin(
        x,
        axis=_reduction_axis("argmin", x, dim, axis),
        keepdims=_keepdims("argmin", keepdim, keepdims),
    )


sum.__doc__ = _reduce_doc(
    "sum", ">>> pt.sum(pt.ones(2, 3), dim=0)\ntensor([2., 2., 2.], backend='numpy')\n"
)
prod.__doc__ = _reduce_doc(
    "prod", ">>> pt.prod(pt.full((2, 3), 2.0), 1)\ntensor([8., 8.], backend='numpy')\n"
)
mean.__doc__ = _reduce_doc(
    "mean", ">>> pt.mean(pt.ones(2, 3), dim=1, keepdim=True).shape\n(2, 1)\n"
)
argmax.__doc__ = _reduce_doc(
    "argmax",
    ">>> pt.argmax(pt.asarray([[1.0, 5.0], [7.0, 2.0]]), dim=1)\ntensor([1, 0], backend='numpy')\n",
)
argmin.__doc__ = _reduce_doc(
    "argmin",
    ">>> pt.argmin(pt.asarray([[1.0, 5.0], [7.0, 2.0]]), 1)\ntensor([0, 1], backend='numpy')\n",
)


def _spread(
    name: str,
    x: Any,
    dim: Any,
    unbiased: bool | None,
    keepdim: bool | None,
    axis: Any,
    correction: float | None,
    keepdims: bool,
) -> Any:
    pytorch = dim is not None or unbiased is not None or keepdim is not None
    if correction is not None and unbiased is not None:
        raise TypeError(f"{name}() got both correction= and unbiased=; pass one")
    if correction is None:
        # Note: PyTorch's spelling gets PyTorch's unbiased default; the standard's, 0.
        unbiased = unbiased is None or check_flag(name, "unbiased", unbiased)
        correction = (1.0 if unbiased else 0.0) if pytorch else 0.0
    fn = statistical.std if name == "std" else statistical.var
    return fn(
        x,
        axis=_reduction_axis(name, x, dim, axis),
        correction=correction,
        keepdims=_keepdims(name, keepdim, keepdims),
    )


def std(
    x: Tensor,
    /,
    dim: int | tuple[int, ...] | None = None,
    unbiased: bool | None = None,
    keepdim: bool | None = None,
    *,
    axis: int | tuple[int, ...] | None = None,
    correction: float | None = None,
    keepdims: bool = False,
) -> Tensor:
    """Standard deviation: the standard's ``pt.std(x, axis=, correction=0, keepdims=)``, or,
    spelled PyTorch's way (``dim``, ``unbiased=`` or ``keepdim=``), PyTorch's, unbiased
    (``correction=1``) unless ``unbiased=False``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[1.0, 3.0], [5.0, 7.0]])
    >>> pt.std(x, axis=0).tolist(), pt.std(x, dim=0).tolist()
    ([2.0, 2.0], [2.8284270763397217, 2.8284270763397217])
    """
    return _spread("std", x, dim, unbiased, keepdim, axis, correction, keepdims)  # type: ignore[no-any-return]


def var(
    x: Tensor,
    /,
    dim: int | tuple[int, ...] | None = None,
    unbiased: bool | None = None,
    keepdim: bool | None = None,
    *,
    axis: int | tuple[int, ...] | None = None,
    correction: float | None = None,
    keepdims: bool = False,
) -> Tensor:
    """Variance: the standard's ``pt.var(x, axis=, correction=0, keepdims=)``, or, spelled
    PyTorch's way (``dim``, ``unbiased=`` or ``keepdim=``), PyTorch's, unbiased
    (``correction=1``) unless ``unbiased=False``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1.0, 3.0])
    >>> pt.var(x).item(), pt.var(x, 0).item(), pt.var(x, unbiased=False).item()
    (1.0, 2.0, 1.0)
    """
    return _spread("var", x, dim, unbiased, keepdim, axis, correction, keepdims)  # type: ignore[no-any-return]


def sort(
    x: Tensor,
    /,
    dim: int | None = None,
    descending: bool = False,
    *,
    axis: int = -1,
    stable: bool | None = None,
) -> Any:
    """Sort: the standard's ``pt.sort(x, axis=, descending=, stable=)`` (the sorted array), or
    PyTorch's ``pt.sort(x, dim)`` / ``pt.sort(x, dim=, descending=)`` (``(values, indices)``).

    Note: ``pt.sort(x, descending=True)`` without ``dim`` is the standard's spelling and returns
    one array; PyTorch code that unpacks ``values, indices`` passes ``dim``. Sorting is stable
    in both forms.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([3.0, 1.0, 2.0])
    >>> pt.sort(x)
    tensor([1., 2., 3.], backend='numpy')
    >>> values, indices = pt.sort(x, dim=0, descending=True)
    >>> values.tolist(), indices.tolist()
    ([3.0, 2.0, 1.0], [0, 2, 1])
    """
    descending = check_flag("sort", "descending", descending)
    if _is_bool(x):  # (False before True, as PyTorch sorts them)
        return _as_bool(sort(astype(x, dt.uint8), dim, descending, axis=axis, stable=stable))
    if stable is not None:
        stable = check_flag("sort", "stable", stable)
    if dim is None:
        return sorting.sort(x, axis=axis, descending=descending, stable=stable is not False)
    if axis != -1:
        raise TypeError("sort() got both dim= (PyTorch's spelling) and axis= (the standard's)")
    _tensor_arg("sort", x)
    d = check_dim("sort", dim, x.ndim)
    return _sorted_pair(x, d, descending)


def _sorted_pair(x: Any, d: int, descending: bool) -> ValuesIndices:
    if x.ndim == 0:
        return ValuesIndices(x, searching.argmax(reshape(x, (1,)), axis=0))
    return ValuesIndices(
        sorting.sort(x, axis=d, descending=descending, stable=True),
        sorting.argsort(x, axis=d, descending=descending, stable=True),
    )


def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> ValuesIndices:
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim`` and where they
    are, PyTorch's ``torch.topk``; gradients flow to the chosen elements. Of a 0-d tensor,
    ``k`` 0 or 1 gives the element itself and index 0, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> values, indices = pt.topk(pt.asarray([1.0, 9.0, 4.0, 7.0]), 2)
    >>> values.tolist(), indices.tolist()
    ([9.0, 7.0], [1, 3])
    """
    _tensor_arg("topk", input)
    d = check_dim("topk", dim, input.ndim)
    x = input if input.ndim else reshape(input, (1,))
    n = x.shape[d]
    if isinstance(k, bool) or not isinstance(k, int) or not (n is None or 0 <= k <= n):
        raise RuntimeError(
            f"topk(): k={k!r} is not in range for dimension {dim} of size {n}; expected an int "
            f"in [0, {n}]"
        )
    largest = check_flag("topk", "largest", largest)
    check_flag("topk", "sorted", sorted)  # (the order is always sorted, as PyTorch's default)
    order = sorting.argsort(x, axis=d, descending=largest, stable=True)
    # Note: of a 0-d tensor, k 0 or 1 gives the element itself (index 0), as PyTorch's
    key = (slice(None),) * d + (slice(0, k if input.ndim else 1),)
    indices = order[key]
    values = take_along_axis(x, indices, axis=d)
    if input.ndim == 0:
        values, indices = reshape(values, ()), reshape(indices, ())
    return ValuesIndices(_tape.name_node(values, "TopkBackward0"), indices)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim`` .. ``end_dim`` into one (PyTorch's ``torch.flatten``; a
    0-d tensor becomes 1-d).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.flatten(pt.ones(2, 3, 4), 1).shape
    (2, 12)
    """
    _tensor_arg("flatten", input)
    if input.ndim == 0:
        return input.flatten()
    s = check_dim("flatten", start_dim, input.ndim)
    e = check_dim("flatten", end_dim, input.ndim)
    if s > e:
        raise RuntimeError(
            f"flatten(): start_dim {start_dim} comes after end_dim {end_dim} for a tensor of "
            f"{input.ndim} dimensions; pass start_dim <= end_dim"
        )
    return input.flatten(s, e)  # (a view where it needs no copy, as PyTorch's)


def split(
    tensor: Tensor, split_size_or_sections: int | list[int] | tuple[int, ...], dim: int = 0
) -> tuple[Tensor, ...]:
    """Pieces of ``tensor`` along ``dim`` (PyTorch's ``torch.split``): of ``split_size`` each
    (the last one smaller when it does not divide the length), or of the given ``sections``,
    which must add up to the length. Each piece is a view (a slice), as in PyTorch.

    Examples
    --------
    >>> import polytensor as pt
    >>> [tuple(p.shape) for p in pt.split(pt.ones(5, 2), 2)]
    [(2, 2), (2, 2), (1, 2)]
    >>> [tuple(p.shape) for p in pt.ones(2, 5).split([1, 4], dim=1)]
    [(2, 1), (2, 4)]
    """
    _tensor_arg("split", tensor)
    d, n = _dim_length("split", tensor, dim)
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [_count("split", "a section", k) for k in split_size_or_sections]
        total = builtins.sum(sizes)  # (sum: this module's, PyTorch's, is a tensor op)
        if total != n:
            raise RuntimeError(
                f"split(): the sections {list(sizes)} add up to {total}, but dimension "
                f"{d} has length {n}; give sections that add up to {n}"
            )
    else:
        size = _count("split", "split_size", split_size_or_sections)
        if size == 0 and n > 0:
            raise RuntimeError(
                f"split(): split_size 0 for dimension {d} of length {n}; give a size of at least 1"
            )
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if n else [0]
    # (PyTorch's one node of the pieces, by the form of the call)
    sections = isinstance(split_size_or_sections, (list, tuple))
    return _pieces(tensor, d, sizes, "SplitWithSizesBackward0" if sections else "SplitBackward0")


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``input`` in ``chunks`` pieces along ``dim`` (PyTorch's ``torch.chunk``): each of
    ``ceil(length / chunks)`` elements but the last, so there may be fewer than ``chunks``.
    Each piece is a view (a slice), as in PyTorch.

    Examples
    --------
    >>> import polytensor as pt
    >>> [tuple(p.shape) for p in pt.ones(2, 6).chunk(4, dim=1)]
    [(2, 2), (2, 2), (2, 2)]
    """
    _tensor_arg("chunk", input)
    d, n = _dim_length("chunk", input, dim)
    k = _count("chunk", "chunks", chunks, 1)
    size = -(-n // k)
    return split(input, size, d) if n else _pieces(input, d, [0] * k)  # (k empty pieces)


def _dim_length(where: str, x: Tensor, dim: int) -> tuple[int, int]:
    """``dim`` of ``x`` as an index, and its length (known: not after a mask on Dask)."""
    if x.ndim == 0:
        raise RuntimeError(
            f"{where}() expects a tensor of at least 1 dimension; got a 0-d tensor (a single "
            f"value: x.reshape(1) makes it 1-d)"
        )
    d = check_dim(where, dim, x.ndim)
    n = x.shape[d]
    if statistical._unknown((n,)):
        raise ValueError(
            f"{where}(): dimension {d} has a length unknown until computed (after a boolean "
            f"mask, on Dask); compute it first (x.to('numpy')) or index with slices"
        )
    return d, int(n)  # type: ignore[arg-type]  # (known: checked)


def _count(where: str, what: str, k: object, least: int = 0) -> int:
    v = check_int(where, what, k)
    if v < least:
        raise RuntimeError(f"{where}(): {what} must be at least {least}; got {v}")
    return v


def _pieces(x: Tensor, d: int, sizes: list[int], node: str | None = None) -> tuple[Tensor, ...]:
    """Slices of ``x`` along ``d`` of ``sizes``; ``node``: the name of each one's graph node."""
    lead = (slice(None),) * d
    out = []
    a = 0
    for k in sizes:
        piece = x[(*lead, slice(a, a + k))]
        if node is not None and piece is not x:
            _tape.name_node(piece, node)
        out.append(piece)
        a += k
    return tuple(out)


def isclose(
    input: Tensor,
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> Tensor:
    """Element-wise ``|input - other| <= atol + rtol * |other|`` (PyTorch's ``torch.isclose``);
    with ``equal_nan``, two NaNs count as close.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.isclose(pt.asarray([1.0, 2.0]), pt.asarray([1.0, 2.1]))
    tensor([ True, False], backend='numpy')
    """
    _tensor_arg("isclose", input)
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if isinstance(tol, bool) or not isinstance(tol, (int, float)):
            raise TypeError(f"isclose() expects {name}= to be a Python float; got {describe(tol)}")
    equal_nan = check_flag("isclose", "equal_nan", equal_nan)
    if not isinstance(other, TensorBase):
        other = full_like(input, other)
    with no_grad():
        if input.dtype == dt.bool and other.dtype == dt.bool:
            return input == other  # (booleans are close when equal, as PyTorch's)
        close = _abs(input - other) <= atol + rtol * _abs(other)
        if input.dtype.kind in ("real floating", "complex floating"):
            close = logical_or(close, input == other)  # (infinities of one sign)
            if equal_nan:
                close = logical_or(close, logical_and(isnan(input), isnan(other)))
        return close


def allclose(
    input: Tensor,
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> bool:
    """Whether every element of ``input`` is close to ``other``'s (PyTorch's
    ``torch.allclose``; see ``isclose``); a Python bool (computing, on a lazy backend).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.allclose(pt.asarray([1.0, 2.0]), pt.asarray([1.0, 2.0 + 1e-7]))
    True
    """
    return bool(statistical.all(isclose(input, other, rtol, atol, equal_nan)))


# -- names of PyTorch that polytensor spells otherwise or does not have ------------------------
# What the AttributeError for a missing name says to use instead (module: ``pt.<name>``;
# tensor: ``x.<name>``). A name that is absent here gets the plain message.
MODULE_HINTS: dict[str, str] = {
    "bfloat16": "pt.float32 (polytensor has no bfloat16)",
    "concatenate": "pt.concat(tensors, axis=0) or pt.cat(tensors, dim=0)",
    "div": "pt.divide(a, b) or a / b",
    "float16": "pt.float32 (polytensor has no float16)",
    "half": "pt.float32 (polytensor has no float16)",
    "mul": "pt.multiply(a, b) or a * b",
    "sub": "pt.subtract(a, b) or a - b",
}
# NumPy's spellings, which PyTorch keeps as aliases: the standard's names (STYLE.md, "Names")
_NUMPY_SPELLINGS = {
    "absolute": "abs",
    "arccos": "acos",
    "arccosh": "acosh",
    "arcsin": "asin",
    "arcsinh": "asinh",
    "arctan": "atan",
    "arctan2": "atan2",
    "arctanh": "atanh",
}
MODULE_HINTS.update({k: f"pt.{v}(x), the standard's name" for k, v in _NUMPY_SPELLINGS.items()})

TENSOR_HINTS: dict[str, str] = {
    "half": "x.float() (polytensor has no float16)",
}
TENSOR_HINTS.update({k: f"x.{v}(), the standard's name" for k, v in _NUMPY_SPELLINGS.items()})


def missing_attribute(owner: str, name: str, hints: dict[str, str]) -> AttributeError:
    """The ``AttributeError`` for a PyTorch name polytensor does not have: it names it and,
    when there is one, the polytensor way.

    Examples
    --------
    >>> from polytensor._pytorch import MODULE_HINTS, missing_attribute
    >>> str(missing_attribute("module 'polytensor'", "mul", MODULE_HINTS))
    "module 'polytensor' has no attribute 'mul'; use pt.multiply(a, b) or a * b"
    """
    hint = hints.get(name)
    message = f"{owner} has no attribute {name!r}"
    if hint is not None:
        message += f"; use {hint}"
    return AttributeError(message)


def _cumulative(
    name: str, fn: Any, x: Any, dim: Any, axis: Any, dtype: dt.DType | None, out: Any
) -> Tensor:
    _tensor_arg(name, x)
    dim = _dim_or_axis(name, dim, axis)
    if dim is None:
        raise TypeError(f"{name}() missing its dim: write {name}(x, dim=0)")
    if dtype is dt.bool:  # (PyTorch has no boolean running sum or product either)
        raise TypeError(f"{name}() got dtype=bool; give a numeric dtype (or none)")
    if x.dtype is dt.bool:
        x = _bools_to_int(x)
    if dtype is None and x.dtype.kind in ("signed integer", "unsigned integer"):
        dtype = dt.int64  # PyTorch's: booleans and every integer dtype accumulate as int64
    if x.ndim == 0:  # (PyTorch takes dim 0 or -1 of a 0-d tensor: the tensor itself)
        check_dim(name, dim, 0)
        t = reshape(fn(reshape(x, (1,)), axis=0, dtype=dtype), ())
    else:
        t = fn(x, axis=check_dim(name, dim, x.ndim), dtype=dtype)
    return t if out is None else _into(out, t, name)


def cumsum(
    input: Tensor,
    dim: int | None = None,
    *,
    axis: int | None = None,
    dtype: dt.DType | None = None,
    out: Tensor | None = None,
) -> Tensor:
    """PyTorch's ``torch.cumsum(input, dim)``: the running sums along ``dim`` (or ``axis=``;
    ``pt.cumulative_sum(x, axis=dim)``; booleans and integers accumulate as int64, as in
    PyTorch), written into ``out=`` if given. Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cumsum(pt.asarray([1.0, 2.0, 3.0]), dim=0)
    tensor([1., 3., 6.], backend='numpy')
    >>> pt.asarray([[1, 2], [3, 4]]).cumsum(1)
    tensor([[1, 3],
            [3, 7]], backend='numpy')
    """
    return _cumulative("cumsum", statistical.cumulative_sum, input, dim, axis, dtype, out)


def cumprod(
    input: Tensor,
    dim: int | None = None,
    *,
    axis: int | None = None,
    dtype: dt.DType | None = None,
    out: Tensor | None = None,
) -> Tensor:
    """PyTorch's ``torch.cumprod(input, dim)``: the running products along ``dim`` (or
    ``axis=``; ``pt.cumulative_prod(x, axis=dim)``; booleans and integers accumulate as int64,
    as in PyTorch), written into ``out=`` if given. Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cumprod(pt.asarray([1.0, 2.0, 3.0]), 0)
    tensor([1., 2., 6.], backend='numpy')
    """
    return _cumulative("cumprod", statistical.cumulative_prod, input, dim, axis, dtype, out)


def _bools_to_int(x: Any) -> Any:
    """A boolean tensor as the default integer dtype, for PyTorch's sum of booleans."""
    return astype(x, _config.DEFAULT_INT)


def matmul(x1: Tensor, x2: Tensor, /, *, out: Tensor | None = None) -> Tensor:
    """The standard's ``matmul``, with PyTorch's ``out=`` (the result written into ``out``,
    cast within its kind).

    Examples
    --------
    >>> import polytensor as pt
    >>> r = pt.zeros((1, 1))
    >>> _ = pt.matmul(pt.ones((1, 2)), pt.ones((2, 1)), out=r); r
    tensor([[2.]], backend='numpy')
    """
    t = _matmul(x1, x2)
    return t if out is None else _into(out, t, "matmul")


def _checked_scale(where: str, name: str, operands: tuple[Any, ...], scale: Any) -> Any:
    """PyTorch's scale ``name=`` (``alpha`` of ``add``/``sub``, ``value`` of
    ``addcmul``/``addcdiv``) checked as PyTorch checks it against the ``operands`` (tensors or
    Python numbers), returned as the Python number to multiply by.

    A number of any numeric type (a NumPy scalar too), or a 0-d tensor that does not require
    grad (read with ``item()``, as PyTorch reads it: on a lazy backend this computes it).
    ``alpha`` takes no float with integer tensors, no bool and no complex with real ones;
    ``value``, as PyTorch converts it to the result's dtype: a bool is 0 or 1, a complex one
    with no imaginary part its real part, and with integer tensors a float is truncated toward
    zero (``addcmul`` of int64 tensors with ``value=2.7`` scales by 2), all within the dtype's
    range."""
    if scale.__class__ not in (int, float):  # (an optimizer's lr: a float, checked at once)
        if isinstance(scale, TensorBase):
            if scale.ndim != 0 or _tape.requires_grad(scale):
                raise TypeError(
                    f"{where}() expects {name}= to be a Python number or a 0-d tensor that "
                    f"does not require grad; got {describe(scale)}"
                    + ("; pass its .detach()" if scale.ndim == 0 else "")
                )
            scale = scale.item()
        elif not isinstance(scale, numbers.Number):
            raise TypeError(
                f"{where}() expects {name}= to be a Python number; got {describe(scale)}"
            )
        # (a NumPy scalar as the Python number of its kind)
        if isinstance(scale, bool):
            pass
        elif isinstance(scale, numbers.Integral):
            scale = int(scale)
        elif isinstance(scale, numbers.Real):
            scale = float(scale)
        elif isinstance(scale, numbers.Complex):
            scale = complex(scale)
    kinds = {
        t.dtype.kind
        if isinstance(t, TensorBase)
        else "bool"
        if isinstance(t, bool)
        else "complex floating"
        if isinstance(t, complex)
        else "real floating"
        if isinstance(t, float)
        else "signed integer"
        for t in operands
        if isinstance(t, (TensorBase, int, float, complex))
    }
    exact = kinds <= {"bool", "signed integer", "unsigned integer"}
    if name == "alpha":
        if isinstance(scale, bool) and kinds != {"bool"}:
            raise RuntimeError(
                f"{where}(): alpha={scale} is a boolean, which PyTorch takes for boolean "
                f"results only; give a number (1 or 0)"
            )
        if isinstance(scale, float) and exact:
            raise RuntimeError(
                f"{where}(): for integer tensors, alpha= must be an int, not a floating point "
                f"number; got {scale!r}; cast the tensors to a floating dtype first"
            )
        if isinstance(scale, complex) and "complex floating" not in kinds:
            raise RuntimeError(
                f"{where}(): for real tensors, alpha= must not be complex; got {scale!r}; make "
                f"a tensor complex first"
            )
        return scale
    if isinstance(scale, bool):
        return int(scale)
    if isinstance(scale, complex) and "complex floating" not in kinds:
        if scale.imag != 0:
            raise RuntimeError(
                f"{where}(): for real tensors, value= must not be complex; got {scale!r}; make "
                f"a tensor complex first"
            )
        scale = scale.real
    if exact and isinstance(scale, (int, float)):
        result, given = result_type(*operands), scale
        if isinstance(scale, float):
            if not math.isfinite(scale):
                raise RuntimeError(
                    f"{where}(): value={scale!r} cannot be converted to the integer dtype "
                    f"{result.name} of the result; cast the tensors to a floating dtype first"
                )
            scale = int(scale)  # (truncated toward zero, as PyTorch converts it)
        info = dt.IINFO.get(result)
        if info is not None and not info.min <= scale <= info.max:
            raise RuntimeError(
                f"{where}(): value={given!r} cannot be converted to {result.name} without "
                f"overflow; it must lie in [{info.min}, {info.max}]"
            )
    return scale


def _in_result_dtype(operands: tuple[Any, ...], *tensors: Any) -> tuple[Any, ...]:
    """``tensors`` in the dtype of the result of ``operands``, so that a scaled term is
    computed in it, as PyTorch's kernels do (an int64 tensor times a float scale would
    otherwise be rounded to the default float32 before it meets a float64 one)."""
    want = result_type(*operands)
    if want == dt.bool:
        return tensors
    return tuple(t if t.dtype == want else astype(t, want) for t in tensors)


_REFUSE_BOOLEANS = refusing_booleans("subtract")


def scaled(where: str, x1: Any, x2: Any, alpha: Any) -> Any:
    """``alpha * x2`` for PyTorch's ``alpha=`` of ``add``/``sub`` (``x1`` the other operand):
    ``alpha`` must be a Python number of a kind the operands hold, as PyTorch checks it.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._pytorch import scaled
    >>> scaled("add", pt.ones(2), pt.ones(2), 3)
    tensor([3., 3.], backend='numpy')
    """
    if where.startswith("sub"):  # (PyTorch refuses a boolean operand before it scales)
        dtypes = [v.dtype if isinstance(v, TensorBase) else None for v in (x1, x2)]
        _REFUSE_BOOLEANS(None, [x1, x2], dtypes)
    alpha = _checked_scale(where, "alpha", (x1, x2), alpha)
    if isinstance(x2, TensorBase) and isinstance(x1, (TensorBase, int, float, complex)):
        (x2,) = _in_result_dtype((x1, x2), x2)
    if isinstance(x2, TensorBase) and x2.dtype is dt.bool:
        # (a boolean result, as PyTorch's: its alpha is a bool, else an integer alpha would
        # promote True * 2 to int64)
        alpha = bool(alpha)
    return x2 * alpha


def add(x1: Any, x2: Any, /, *, alpha: Any = None, out: Tensor | None = None) -> Any:
    """The standard's ``add``, with PyTorch's ``alpha=`` (``x1 + alpha * x2``) and ``out=``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.add(pt.ones(2), pt.asarray([1.0, 2.0]), alpha=10)
    tensor([11., 21.], backend='numpy')
    """
    return _add(x1, x2 if alpha is None else scaled("add", x1, x2, alpha), out=out)


def subtract(x1: Any, x2: Any, /, *, alpha: Any = None, out: Tensor | None = None) -> Any:
    """The standard's ``subtract``, with PyTorch's ``alpha=`` (``x1 - alpha * x2``) and
    ``out=``; PyTorch's ``torch.sub`` is this function.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.sub(pt.ones(2), pt.asarray([1.0, 2.0]), alpha=0.5)
    tensor([0.5, 0. ], backend='numpy')
    """
    return _subtract(x1, x2 if alpha is None else scaled("sub", x1, x2, alpha), out=out)


# PyTorch's names of the standard's element-wise functions (the same functions)
mul = multiply
sub = subtract


# -- more of PyTorch's names, spelled with what polytensor has ---------------------------------
def is_tensor(obj: Any) -> bool:
    """PyTorch's ``torch.is_tensor(obj)``: whether ``obj`` is a polytensor tensor.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.is_tensor(pt.ones(2)), pt.is_tensor([1.0])
    (True, False)
    """
    return isinstance(obj, TensorBase)


def as_tensor(data: Any, dtype: dt.DType | None = None, device: Any = None) -> Tensor:
    """PyTorch's ``torch.as_tensor(data)``: ``pt.asarray(data, dtype=..., device=...)``, which
    shares the memory of a NumPy array or a tensor where no conversion is needed.

    Examples
    --------
    >>> import numpy as np, polytensor as pt
    >>> a = np.zeros(2, dtype=np.float32)
    >>> t = pt.as_tensor(a); a[0] = 5.0; t
    tensor([5., 0.], backend='numpy')
    """
    from ._ops.creation import asarray

    return asarray(data, dtype=dtype, device=device)


def numel(input: Tensor) -> int:
    """PyTorch's ``torch.numel(x)``: the number of elements, ``x.numel()``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.numel(pt.ones((2, 3)))
    6
    """
    _tensor_arg("numel", input)
    return int(input.numel())


def is_floating_point(input: Tensor) -> bool:
    """PyTorch's ``torch.is_floating_point(x)``: whether ``x``'s dtype is a real floating one.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.is_floating_point(pt.ones(2)), pt.is_floating_point(pt.asarray([1]))
    (True, False)
    """
    _tensor_arg("is_floating_point", input)
    return input.dtype.kind == "real floating"


def bmm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """PyTorch's ``torch.bmm``: the matrix products of two batches of matrices, 3-d tensors
    ``(b, n, m)`` and ``(b, m, p)``; differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.bmm(pt.ones((2, 1, 3)), pt.ones((2, 3, 1))).shape
    (2, 1, 1)
    """
    _tensor_arg("bmm", input)
    _tensor_arg("bmm", mat2)
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(
            f"bmm() takes two 3-d tensors (batches of matrices); got {input.ndim}-d and "
            f"{mat2.ndim}-d: use pt.matmul for other shapes"
        )
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(
            f"bmm() got batches of shapes {tuple(input.shape)} and {tuple(mat2.shape)}; they "
            f"must be (b, n, m) and (b, m, p)"
        )
    # Note: PyTorch's bmm takes one dtype (the standard's matmul promotes)
    dt.check_same_dtype("bmm()", ("input", input.dtype), ("mat2", mat2.dtype))
    return matmul(input, mat2, out=out)


def _floating_input(where: str, x: Any, dtype: dt.DType | None) -> Any:
    """``x`` cast to ``dtype`` when given; a RuntimeError, as PyTorch's, when it is not real
    floating then."""
    from ._ops.data_types import astype

    _tensor_arg(where, x)
    if dtype is not None:
        x = astype(x, dtype)
    if x.dtype.kind != "real floating":
        raise RuntimeError(
            f"{where}() takes a real floating tensor; got {x.dtype.name}: cast it with "
            f"x.float(), or pass dtype=pt.float32"
        )
    return x


def softmax(input: Tensor, dim: int, dtype: dt.DType | None = None) -> Tensor:
    """PyTorch's ``torch.softmax(x, dim)`` (and ``x.softmax(dim)``): ``exp(x) / sum(exp(x))``
    along ``dim``, in ``dtype`` if given; differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.softmax(pt.asarray([0.0, 0.0]), 0)
    tensor([0.5, 0.5], backend='numpy')
    """
    x = _floating_input("softmax", input, dtype)
    axis = check_dim("softmax", dim, builtins.max(x.ndim, 1))
    return x * 1 if x.size == 0 else statistical._softmax(x, axis=axis)  # (empty: as it is)


def log_softmax(input: Tensor, dim: int, dtype: dt.DType | None = None) -> Tensor:
    """PyTorch's ``torch.log_softmax(x, dim)`` (and ``x.log_softmax(dim)``): the logarithm of
    ``softmax``, computed stably; differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.log_softmax(pt.asarray([0.0, 0.0]), 0).exp()
    tensor([0.5, 0.5], backend='numpy')
    """
    x = _floating_input("log_softmax", input, dtype)
    axis = check_dim("log_softmax", dim, builtins.max(x.ndim, 1))
    return x * 1 if x.size == 0 else statistical._log_softmax(x, axis=axis)  # (empty: as it is)


def _dims(where: str, dim: Any, ndim: int) -> tuple[int, ...] | None:
    """PyTorch's ``dim`` of a reduction (an int, a sequence of them, or ``()``/None for all)
    as the standard's ``axis``."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    if isinstance(dim, (tuple, list)):
        axes = tuple(check_dim(where, d, builtins.max(ndim, 1)) for d in dim)
    else:
        axes = (check_dim(where, dim, builtins.max(ndim, 1)),)
    return None if ndim == 0 else axes  # (dim 0 or -1 of a 0-d tensor: the tensor itself)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """PyTorch's ``torch.amax(x, dim)``: the largest elements along ``dim`` (all by default);
    the gradient is shared evenly among equal maxima, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.amax(pt.asarray([[1.0, 5.0], [7.0, 2.0]]), 1)
    tensor([5., 7.], backend='numpy')
    """
    _tensor_arg("amax", input)
    if _is_bool(input):
        return cast("Tensor", _as_bool(amax(astype(input, dt.uint8), dim, keepdim)))
    return statistical.max(input, axis=_dims("amax", dim, input.ndim), keepdims=bool(keepdim))


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """PyTorch's ``torch.amin(x, dim)``: the smallest elements along ``dim`` (all by default).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.amin(pt.asarray([[1.0, 5.0], [7.0, 2.0]]), 0)
    tensor([1., 2.], backend='numpy')
    """
    _tensor_arg("amin", input)
    if _is_bool(input):
        return cast("Tensor", _as_bool(amin(astype(input, dt.uint8), dim, keepdim)))
    return statistical.min(input, axis=_dims("amin", dim, input.ndim), keepdims=bool(keepdim))


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """PyTorch's ``torch.logsumexp(x, dim)``: ``log(sum(exp(x)))`` along ``dim``, shifted by
    the maximum so that large values do not overflow; integers give the default float dtype.
    Differentiable (its gradient is the softmax).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.logsumexp(pt.asarray([1000.0, 1000.0]), 0).item()
    1000.6931762695312
    """
    from ._ops import elementwise as E
    from ._ops.data_types import astype

    _tensor_arg("logsumexp", input)
    keepdim = check_flag("logsumexp", "keepdim", keepdim)
    x = input
    if x.dtype.kind not in ("real floating", "complex floating"):
        x = astype(x, _config.DEFAULT_FLOAT.get())
    axes = _dims("logsumexp", dim, x.ndim)
    if x.ndim == 0:
        axes = None
    if x.size == 0:  # (the log of a sum of nothing: -inf, as PyTorch's)
        r = statistical.sum(x, axis=axes, keepdims=True) - math.inf  # (in the graph)
    else:
        with no_grad():  # (the shift: the value does not depend on it, nor does the gradient)
            m = statistical.max(x, axis=axes, keepdims=True)
            m = searching.where(E.isfinite(m), m, full_like(m, 0))
        r = E.log(statistical.sum(E.exp(x - m), axis=axes, keepdims=True)) + m
    if not keepdim:
        r = reshape(
            r, tuple(s for i, s in enumerate(r.shape) if axes is not None and i not in axes)
        )
    return _tape.name_node(r, "LogsumexpBackward0")


def rsqrt(input: Tensor) -> Tensor:
    """PyTorch's ``torch.rsqrt(x)``: ``1 / sqrt(x)`` (integers give the default float dtype).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.rsqrt(pt.asarray([4.0]))
    tensor([0.5], backend='numpy')
    """
    from ._ops import elementwise as E
    from ._ops.data_types import astype

    _tensor_arg("rsqrt", input)
    x = input
    if x.dtype.kind not in ("real floating", "complex floating"):
        x = astype(x, _config.DEFAULT_FLOAT.get())
    return divide(1.0, E.sqrt(x))


def _bool_mask(where: str, mask: Any, example: str) -> None:
    """PyTorch's RuntimeError unless ``mask`` is a boolean tensor (``example``: a comparison
    that makes one)."""
    if not isinstance(mask, TensorBase) or mask.dtype is not dt.bool:
        got = mask.dtype.name if isinstance(mask, TensorBase) else type(mask).__name__
        raise RuntimeError(
            f"{where}() takes a boolean mask; got {got}: make one with a comparison "
            f"(mask = {example})"
        )


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """PyTorch's ``torch.masked_fill(x, mask, value)`` (and ``x.masked_fill``): ``value`` where
    the boolean ``mask`` (broadcast with ``x``) is True, ``x`` elsewhere, in ``x``'s dtype.
    ``value`` is a number or a 0-d tensor, whose gradient is the sum over the filled places.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1.0, 2.0, 3.0])
    >>> pt.masked_fill(x, x > 1.5, 0.0)
    tensor([1., 0., 0.], backend='numpy')
    """
    from ._ops.creation import check_float_fits, full
    from ._ops.data_types import astype

    _tensor_arg("masked_fill", input)
    _bool_mask("masked_fill", mask, "x != 0")
    kind = input.dtype.kind
    if isinstance(value, TensorBase):
        if value.ndim != 0:
            raise RuntimeError(
                f"masked_fill() takes a number or a 0-d tensor as the value; got a tensor of "
                f"shape {tuple(value.shape)}: use pt.where(mask, value, x) to fill from a tensor"
            )
        if (
            value.dtype.kind == "complex floating"
            and kind not in ("complex floating", "bool")
            and complex(value.item()).imag != 0
        ):
            raise RuntimeError(
                f"masked_fill(): a complex value into a {input.dtype.name} tensor would lose "
                f"its imaginary part; fill a complex tensor"
            )
        if value.dtype.kind == "complex floating" and kind != "complex floating":
            from ._ops.elementwise import real

            z: Any = value
            value = real(z) if kind != "bool" else z != 0  # (no imaginary part left)
        v = value if value.dtype is input.dtype else astype(value, input.dtype)
    elif isinstance(value, (bool, int, float, complex)):
        if isinstance(value, complex) and value.imag == 0 and kind != "complex floating":
            value = value.real
        if isinstance(value, complex) and kind not in ("complex floating", "bool"):
            raise RuntimeError(
                f"masked_fill(): a complex value into a {input.dtype.name} tensor would lose its "
                f"imaginary part; fill a complex tensor"
            )
        if kind == "bool":
            value = bool(value)
        elif kind in ("signed integer", "unsigned integer") and isinstance(value, float):
            if not math.isfinite(value):
                raise RuntimeError(
                    f"masked_fill(): {value!r} cannot be converted to {input.dtype.name}"
                )
            value = int(value)  # (PyTorch truncates toward zero, 2.7 -> 2)
        elif kind in ("real floating", "complex floating") and not isinstance(value, bool):
            check_float_fits("masked_fill", value, input.dtype)
        v = full((), value, dtype=input.dtype, device=input.device)
    else:
        raise TypeError(
            f"masked_fill() takes a number or a 0-d tensor as the value; got {type(value).__name__}"
        )
    return _tape.name_node(searching.where(mask, v, input), "MaskedFillBackward0")


class _Missing:
    """An argument not given (``where(condition)``, ``squeeze(x)``)."""

    def __repr__(self) -> str:
        return "<not given>"


_MISSING: Any = _Missing()


def where(condition: Tensor, x1: Any = _MISSING, x2: Any = _MISSING, /) -> Any:
    """The standard's ``pt.where(condition, x1, x2)``; with the condition alone, PyTorch's
    ``torch.where(condition)``: the indices of its True (nonzero) elements, a tuple of one
    int64 tensor per dimension, as ``pt.nonzero(condition)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[0.0, 1.0], [2.0, 0.0]])
    >>> [i.tolist() for i in pt.where(x > 0)]
    [[0, 1], [1, 0]]
    >>> pt.where(x > 0, x, -1.0).tolist()
    [[-1.0, 1.0], [2.0, -1.0]]
    """
    if x1 is _MISSING and x2 is _MISSING:
        return nonzero(condition, as_tuple=True)
    if x1 is _MISSING or x2 is _MISSING:
        raise TypeError(
            "where() takes a condition alone (the indices where it holds) or a condition and "
            "two values to choose from; got one value: pass both x1 and x2"
        )
    return searching.where(condition, x1, x2)


def nonzero(x: Tensor, /, *, as_tuple: bool | None = None) -> Any:
    """The standard's ``pt.nonzero(x)``: a tuple of one int64 index tensor per dimension
    (PyTorch's ``as_tuple=True``); with ``as_tuple=False``, PyTorch's default form, one
    ``(n, x.ndim)`` tensor of the n nonzero elements' indices (the method ``x.nonzero()``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[0.0, 1.0], [2.0, 0.0]])
    >>> pt.nonzero(x, as_tuple=False).tolist()
    [[0, 1], [1, 0]]
    """
    if as_tuple is not None:
        check_flag("nonzero", "as_tuple", as_tuple)
    _tensor_arg("nonzero", x)
    if as_tuple is not None and x.ndim == 0:  # PyTorch's forms take a 0-d tensor as 1-D
        from ._ops.creation import zeros

        n = 1 if bool(x) else 0
        if as_tuple:  # (one index tensor: [0], or empty)
            return (zeros((n,), dtype=dt.int64, device=x.device),)
        return zeros((n, 0), dtype=dt.int64, device=x.device)  # (a row of no index, or none)
    found = searching.nonzero(x)
    if as_tuple is False:
        from ._ops.manipulation import stack

        return stack(found, axis=1)
    return found


def squeeze(x: Tensor, /, axis: Any = _MISSING, *, dim: Any = None) -> Tensor:
    """The standard's ``pt.squeeze(x, axis)`` (each axis must have size 1); without an axis,
    PyTorch's ``torch.squeeze(x)``, which removes every size-1 dimension, and with ``dim=``
    PyTorch's, which leaves a dimension of another size as it is. Each gives a view, as
    ``x.squeeze()``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.squeeze(pt.ones(1, 3, 1)).shape
    (3,)
    >>> pt.squeeze(pt.ones(1, 3, 1), dim=1).shape
    (1, 3, 1)
    """
    _tensor_arg("squeeze", x)
    if axis is _MISSING:
        return x.squeeze(dim)
    if dim is not None:
        raise TypeError("squeeze() got both axis and dim=; pass one")
    axes = axis if isinstance(axis, tuple) else (axis,)
    n = x.ndim
    ones = builtins.all(a.__class__ is int and -n <= a < n and x.shape[a] == 1 for a in axes)
    if ones and len({a % n for a in axes}) == len(axes):
        return x.squeeze(axes)  # (a view, as PyTorch's)
    return _squeeze(x, axis)  # (the standard's error)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """PyTorch's ``torch.masked_select(x, mask)``: the elements of ``x`` where the boolean
    ``mask`` (broadcast with ``x``) is True, as a 1-D tensor in row-major order (differentiable:
    the gradient goes back to the selected elements).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> pt.masked_select(x, x > 1.5).tolist()
    [2.0, 3.0, 4.0]
    """
    from ._ops.manipulation import broadcast_arrays

    _tensor_arg("masked_select", input)
    _bool_mask("masked_select", mask, "x > 0")
    if tuple(mask.shape) != tuple(input.shape):
        input, mask = broadcast_arrays(input, mask)
    return _tape.name_node(input[mask], "MaskedSelectBackward0")


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """PyTorch's ``torch.unique(x)``: the distinct values of ``x``, in ascending order; with
    ``return_inverse``, also each element's place among them (of ``x``'s shape), and with
    ``return_counts``, how often each occurs. The standard's ``unique_all`` computes them. Not
    differentiable, as PyTorch's; ``dim=`` is refused.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.unique(pt.asarray([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    >>> [t.tolist() for t in pt.unique(pt.asarray([3, 1, 3]), return_counts=True)]
    [[1, 3], [1, 2]]
    """
    _tensor_arg("unique", input)
    for name, flag in (("sorted", sorted), ("return_inverse", return_inverse)):
        check_flag("unique", name, flag)
    check_flag("unique", "return_counts", return_counts)
    if dim is not None:
        raise NotImplementedError(
            "unique(dim=...) is not supported: polytensor finds the unique elements of the "
            "whole tensor; for unique rows, compare them with x[:, None] == x[None] yourself"
        )
    if _is_bool(input):  # (False before True)
        return _as_bool(unique(astype(input, dt.uint8), sorted, return_inverse, return_counts, dim))
    r: Any = sorting.unique_all(input)
    values = r.values
    order = sorting.argsort(values)  # (the standard leaves the order to the library)
    values = take_along_axis(values, order, axis=0)
    out: list[Any] = [values]
    if return_inverse:  # (each element's place among the values in their new order)
        rank = sorting.argsort(order)
        flat = take_along_axis(rank, reshape(r.inverse_indices, (-1,)), axis=0)
        out.append(reshape(flat, tuple(input.shape)))
    if return_counts:
        out.append(take_along_axis(r.counts, order, axis=0))
    return out[0] if len(out) == 1 else tuple(out)


def median(
    input: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> Any:
    """PyTorch's ``torch.median``: the lower median (of an even count, the smaller of the two
    middle values); NaN where a NaN is present, as PyTorch's. Without ``dim``, of all elements
    (a 0-d tensor; NaN of no elements, as PyTorch's); with ``dim``, ``(values, indices)`` along
    it. The gradient goes to the chosen element (without ``dim``, as PyTorch's, it is spread
    evenly over the elements equal to a finite median).

    With ``axis=`` or ``keepdims=`` (NumPy's spelling, which array-API libraries such as
    scikit-learn call): NumPy's median, one array, of an even count the mean of the two middle
    values; ``axis`` None (all elements), an int or a tuple of ints; NaN where a NaN is present;
    integer inputs are computed in the default floating-point dtype. Its gradient is split
    evenly between the two middle values (all of it to the middle one of an odd count).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.median(pt.asarray([4.0, 1.0, 3.0, 2.0])).item()
    2.0
    >>> pt.median(pt.asarray([[1.0, 5.0, 3.0]]), 1).indices.tolist()
    [2]
    >>> pt.median(pt.asarray([[4.0, 1.0, 3.0, 2.0]]), axis=1)
    tensor([2.5], backend='numpy')
    """
    _tensor_arg("median", input)
    if axis is not _MISSING or keepdims is not _MISSING:
        if dim is not None or keepdim is not False:
            raise TypeError(
                "median() takes dim=/keepdim= (PyTorch's lower median, with indices) or "
                "axis=/keepdims= (NumPy's median, one array), not both"
            )
        return _numpy_median(
            input, None if axis is _MISSING else axis, False if keepdims is _MISSING else keepdims
        )
    check_flag("median", "keepdim", keepdim)
    x = reshape(input, (-1,)) if dim is None else input
    d = 0 if dim is None else check_dim("median", dim, builtins.max(x.ndim, 1))
    if x.ndim == 0:
        x = reshape(x, (1,))
    n = x.shape[d]
    if n is None:
        raise NotImplementedError(
            "median(): the length of the dimension is not known yet (a lazy result); compute "
            "it first (x.to('numpy') or pt.compute)"
        )
    if n == 0:
        if dim is None and x.dtype.kind == "real floating":  # (NaN, as PyTorch's)
            return _tape.name_node(_median_of_nothing(x), "MedianBackward0")
        raise IndexError(
            f"median(): the dimension {d} is empty (size 0); a median needs at least one element"
        )
    order = sorting.argsort(x, axis=d)  # (stable: NaN last)
    picked = narrow(order, d, (n - 1) // 2, 1)
    if x.dtype.kind == "real floating":  # a NaN makes the median NaN: its first one's index
        from ._ops.data_types import astype

        bad = isnan(x)
        first_nan = searching.argmax(astype(bad, dt.int8), axis=d, keepdims=True)
        picked = searching.where(statistical.any(bad, axis=d, keepdims=True), first_nan, picked)
    values = take_along_axis(x, picked, axis=d)
    if dim is None:
        v = _shared_by_ties(x, reshape(values, ()))
        return _tape.name_node(v, "MedianBackward0")
    if input.ndim == 0:  # (the element itself, 0-d with keepdim too, as PyTorch's)
        values, picked = reshape(values, ()), reshape(picked, ())
    elif not keepdim:
        values, picked = _squeeze(values, axis=d), _squeeze(picked, axis=d)
    return ValuesIndices(_tape.name_node(values, "MedianBackward1"), picked)


def _median_of_nothing(x: Tensor) -> Tensor:
    """NaN, the median of no elements (PyTorch's, without ``dim``), 0-d and differentiable:
    the gradient of an empty ``x`` is empty."""
    return statistical.sum(x) + math.nan


def _shared_by_ties(x: Tensor, v: Tensor) -> Tensor:
    """``v``, a median picked from ``x``, with PyTorch's gradient of a median of all elements:
    spread evenly over the elements equal to it. ``v - (s.detach() - s) / k`` is ``v`` itself
    (-0.0 too) and has that gradient where ``v`` is finite; a NaN or infinite median keeps the
    gradient of the element it was picked from."""
    if not (_tape.requires_grad(x) and x.dtype.kind == "real floating"):
        return v
    from ._ops.data_types import astype

    base = v.detach()
    lazy = x._backend.lazy  # (tested inside the graph there: nothing is computed here)
    finite = isfinite(base)
    if not (lazy or bool(finite)):
        return v
    mask = (x == base) & finite if lazy else x == base  # (none for a NaN or inf)
    s_ = statistical.sum(searching.where(mask, x, 0.0))
    k = statistical.sum(astype(mask, x.dtype))
    spread = base - (s_.detach() - s_) / (searching.where(finite, k, 1.0) if lazy else k)
    return searching.where(finite, spread, v) if lazy else spread


def _numpy_median(x: Tensor, axis: Any, keepdims: Any) -> Tensor:
    """NumPy's ``median(x, axis=, keepdims=)``: over ``axis`` (None, an int or a tuple of
    ints), of an even count the mean of the two middle values, NaN where a slice has one."""
    keep = check_flag("median", "keepdims", keepdims)
    if x.dtype.kind == "complex floating":
        raise TypeError("median() expects a real tensor; got complex (order is undefined)")
    if x.dtype.kind != "real floating":  # (NumPy's median of integers is floating too)
        x = astype(x, _config.DEFAULT_FLOAT.get())
    if x.ndim == 0 and axis is not None and axis != ():
        raise IndexError(f"median(): axis {axis!r} is out of range for a 0-d tensor; use axis=None")
    if axis is None:
        axes = tuple(range(x.ndim))
    else:
        given = axis if isinstance(axis, tuple) else (axis,)
        axes = tuple(check_dim("median", a, x.ndim) for a in given)
        if len(set(axes)) != len(axes):
            raise ValueError(f"median() got a repeated axis in {axis!r}; give each axis once")
    kept = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
    rest = tuple(n for i, n in enumerate(x.shape) if i not in axes)
    n = 1
    for a in axes:
        size = x.shape[a]
        if size is None:
            raise NotImplementedError(
                "median(): the length of the axis is not known yet (a lazy result); compute "
                "it first (x.to('numpy') or pt.compute)"
            )
        n *= size
    if n == 0:
        raise IndexError(f"median(): the axes {axes} are empty (size 0); a median needs values")
    order = [i for i in range(x.ndim) if i not in axes] + list(axes)
    flat = reshape(permute_dims(x, tuple(order)), (*rest, n))
    s = sorting.sort(flat, axis=-1)  # (NaN last)
    mid = n // 2
    m = s[..., mid] if n % 2 else (s[..., mid - 1] + s[..., mid]) / 2.0
    last = s[..., n - 1]
    m = searching.where(isnan(last), last, m)  # (a NaN in the slice: NaN, as NumPy's)
    return reshape(m, kept if keep else rest)


def _in_range(where: str, index: Any, size: int, error: type[Exception]) -> Any:
    """``index`` checked to hold 0 to ``size - 1`` alone (PyTorch takes no negative index
    here; the library would count it from the end): the table's ``_check_index``, eagerly, or
    inside a lazy backend's task graph (refused when computed). ``error``: PyTorch's class;
    the check's ``DataIndexError`` is both an IndexError and a RuntimeError, on every backend."""
    from ._ops.indexing import check_index

    try:
        return check_index(index, size=size, ignore=None, where=where, what="index")
    except IndexError as e:
        if isinstance(e, error):
            raise
        raise error(str(e)) from None


def _size(where: str, x: Any, d: int) -> int:
    """The length of ``x`` along dimension ``d``, which must be known (a Dask tensor's may
    not be, after a boolean mask)."""
    n = x.shape[d]
    if n is None:
        raise ValueError(
            f"{where}() of a tensor with unknown (lazy) shape {tuple(x.shape)}; call "
            f"pt.compute(x) first"
        )
    return int(n)


def _integer_index(where: str, index: Any, allowed: tuple[Any, ...] = (dt.int32, dt.int64)) -> None:
    if not isinstance(index, TensorBase):
        raise TypeError(f"{where}() takes a tensor of indices; got {type(index).__name__}")
    if index.dtype not in allowed:
        names = " or ".join(d.name for d in allowed)
        raise IndexArgumentError(
            f"{where}(): expected dtype {names} for index; got {index.dtype.name}; cast it with "
            f"index.long()"
        )


def _scatter_key(where: str, input: Tensor, dim: int, index: Tensor) -> tuple[Any, ...]:
    """The advanced index of the elements of ``input`` that a scatter along ``dim`` by
    ``index`` reaches: ``index`` itself along ``dim``, each other axis's own positions (an
    index with ``input``'s number of dimensions, no larger than it apart from ``dim``)."""
    _tensor_arg(where, input)
    _integer_index(where, index)
    n = input.ndim
    if index.ndim == 0 and n == 1:  # (one element, as PyTorch reads it)
        index = reshape(index, (1,))
    if index.ndim != n:
        raise RuntimeError(
            f"{where}(): the index must have as many dimensions as the input ({n}); got "
            f"{index.ndim}"
        )
    d = check_dim(where, dim, n)
    for i in range(n):
        if i != d and _size(where, index, i) > _size(where, input, i):
            raise RuntimeError(
                f"{where}(): the index {tuple(index.shape)} must be no larger than the input "
                f"{tuple(input.shape)} apart from dimension {d}"
            )
    checked = _in_range(where, index, _size(where, input, d), RuntimeError)
    key: list[Any] = []
    for i in range(n):
        if i == d:
            key.append(checked)
        else:
            shape = [1] * n
            shape[i] = -1
            key.append(
                reshape(
                    arange(_size(where, index, i), dtype=index.dtype, device=index.device),
                    tuple(shape),
                )
            )
    return tuple(key)


def _scatter_source(where: str, input: Tensor, index: Tensor, src: Any) -> Any:
    """``src`` cut to ``index``'s shape (PyTorch reads only that corner of it), checked to be
    a tensor of ``input``'s dtype with as many dimensions, or a Python number."""
    if not isinstance(src, TensorBase):
        if getattr(src, "ndim", None) == 0 and hasattr(src, "item"):
            src = src.item()  # (a NumPy scalar: its Python number)
        if isinstance(src, (bool, int, float)):
            if isinstance(src, float) and input.dtype in dt.FINFO:
                check_float_fits(where, src, input.dtype)  # (1e40 into float32)
            return src
        raise TypeError(
            f"{where}() expects src to be a tensor or a Python number; got {type(src).__name__}"
        )
    if src.dtype is not input.dtype:
        raise RuntimeError(
            f"{where}(): expected src of the input's dtype {input.dtype.name}; got "
            f"{src.dtype.name}; cast it with src.to(pt.{input.dtype.name})"
        )
    if src.ndim == 0 and input.ndim == 1:  # (one element, as PyTorch reads it)
        src = reshape(src, (1,))
    if index.ndim == 0 and input.ndim == 1:
        index = reshape(index, (1,))
    if src.ndim != input.ndim or builtins.any(
        _size(where, src, i) < _size(where, index, i) for i in range(index.ndim)
    ):
        raise RuntimeError(
            f"{where}(): src {tuple(src.shape)} must have the index's dimensions and be no "
            f"smaller than the index {tuple(index.shape)}"
        )
    if tuple(src.shape) == tuple(index.shape) or index.ndim == 0:
        return src
    return cast("Tensor", src)[tuple(slice(0, s) for s in index.shape)]


def _plus(input: Tensor, added: Tensor) -> Tensor:
    """``input`` with ``added`` added (booleans: or-ed, as PyTorch adds them)."""
    if input.dtype is dt.bool:
        from ._ops.elementwise import logical_or

        return logical_or(input, astype(added, dt.bool))
    return input + added


def _one(v: Any) -> Any:
    """A 0-d tensor as a tensor of one element (a number or another tensor as it is)."""
    return reshape(v, (1,)) if isinstance(v, TensorBase) and v.ndim == 0 else v


def scatter(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Any = None,
    *,
    value: Any = None,
    reduce: str | None = None,
) -> Tensor:
    """PyTorch's ``torch.scatter(x, dim, index, src)`` (and ``x.scatter``): a copy of ``x``
    with ``src[i][j]`` written at ``[index[i][j]][j]`` for ``dim`` 0 (and so on); ``src`` a
    tensor of ``x``'s dtype or a number (or ``value=``); ``reduce="add"`` adds instead
    (``scatter_add``), ``reduce="multiply"`` multiplies. Where several entries of ``index``
    name one element, one of them is written, as in PyTorch. Differentiable in ``x`` and ``src``.

    Examples
    --------
    >>> import polytensor as pt
    >>> labels = pt.asarray([2, 0])
    >>> pt.zeros(2, 3).scatter(1, labels.unsqueeze(1), 1.0)
    tensor([[0., 0., 1.],
            [1., 0., 0.]], backend='numpy')
    """
    from ._ops.indexing import put

    if (src is None) == (value is None):
        raise TypeError("scatter() takes src or value=, one of them")
    given = value if src is None else src
    if isinstance(input, TensorBase) and input.ndim == 0:  # (as a tensor of one element)
        check_dim("scatter", dim, 0)
        return reshape(
            scatter(reshape(input, (1,)), 0, _one(index), _one(given), reduce=reduce), ()
        )
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise ValueError(
                f"scatter() got reduce={reduce!r}; expected 'add' or 'multiply' (PyTorch's), or "
                f"scatter_reduce() for 'sum', 'prod', 'mean', 'amax' and 'amin'"
            )
        if not isinstance(given, TensorBase):
            number = _scatter_source("scatter", input, index, given)  # (checked: a number)
            given = full_like(index, number, dtype=input.dtype)
        if reduce == "multiply":
            from ._pytorch_index import scatter_reduce

            return scatter_reduce(input, dim, index, given, "prod")
        return scatter_add(input, dim, index, given)
    key = _scatter_key("scatter", input, dim, index)
    source = _scatter_source("scatter", input, index, given)
    try:
        return cast("Tensor", put(input, key, source))
    except IndexError as e:  # (array-api-strict writes at no array of indices)
        raise IndexError(f"scatter() on the {input._backend.name} backend: {e}") from e


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """PyTorch's ``torch.scatter_add(x, dim, index, src)`` (and ``x.scatter_add``): a copy of
    ``x`` with ``src[i][j]`` added at ``[index[i][j]][j]`` for ``dim`` 0 (and so on), repeated
    indices adding up; differentiable in ``x`` and ``src``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.zeros(3).scatter_add(0, pt.asarray([0, 2, 0]), pt.asarray([1.0, 2.0, 3.0]))
    tensor([4., 0., 2.], backend='numpy')
    """
    from ._ops.indexing import _scatter_add, split_key

    if isinstance(input, TensorBase) and input.ndim == 0:  # (as a tensor of one element)
        check_dim("scatter_add", dim, 0)
        return reshape(scatter_add(reshape(input, (1,)), 0, _one(index), _one(src)), ())
    key = _scatter_key("scatter_add", input, dim, index)
    if not isinstance(src, TensorBase):
        raise TypeError(f"scatter_add() expects src to be a tensor; got {type(src).__name__}")
    part = _scatter_source("scatter_add", input, index, src)
    template, tensors = split_key(key, "scatter_add")
    added = _scatter_add(part, *tensors, key=template, shape=tuple(input.shape))
    return _plus(input, added)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """PyTorch's ``torch.index_add(x, dim, index, source, alpha=1)`` (and ``x.index_add``):
    a copy of ``x`` with ``alpha * source``'s slice ``i`` along ``dim`` added to ``x``'s slice
    ``index[i]``, repeated indices adding up; differentiable in ``x`` and ``source``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.zeros(3, 2).index_add(0, pt.asarray([2, 2]), pt.ones(2, 2))
    tensor([[0., 0.],
            [0., 0.],
            [2., 2.]], backend='numpy')
    """
    from ._ops.indexing import _scatter_add, _Slot

    _tensor_arg("index_add", input)
    _tensor_arg("index_add", source)
    _integer_index("index_add", index)
    if index.ndim > 1:
        raise IndexArgumentError(f"index_add(): the index must be 1-D; got {index.ndim}-D")
    n = input.ndim
    d = check_dim("index_add", dim, builtins.max(n, 1))
    k = _size("index_add", index, 0) if index.ndim else 1
    want = tuple(k if i == d else input.shape[i] for i in range(n))
    if source.dtype is not input.dtype:
        raise RuntimeError(
            f"index_add(): expected source of the input's dtype {input.dtype.name}; got "
            f"{source.dtype.name}"
        )
    if tuple(source.shape) != want:
        raise RuntimeError(
            f"index_add(): source {tuple(source.shape)} must have the input's shape "
            f"{tuple(input.shape)} with dimension {d} as long as the index: {want}"
        )
    if input.dtype.kind in ("signed integer", "unsigned integer", "bool") and (
        isinstance(alpha, float) or not hasattr(alpha, "__index__")
    ):
        raise TypeError(
            f"index_add() of a {input.dtype.name} tensor expects an integer alpha; got {alpha!r}"
        )
    if n == 0:  # (as a tensor of one element)
        one = index_add(
            reshape(input, (1,)), 0, reshape(index, (-1,)), reshape(source, (1,)), alpha=alpha
        )
        return reshape(one, ())
    checked = _in_range(
        "index_add", reshape(index, (-1,)), _size("index_add", input, d), RuntimeError
    )
    key = (slice(None),) * d + (_Slot(0),)
    part = source if alpha == 1 else source * alpha
    added = _scatter_add(part, checked, key=key, shape=tuple(input.shape))
    return _plus(input, added)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """PyTorch's ``torch.index_select(x, dim, index)`` (and ``x.index_select``): the entries
    of ``x`` at the positions ``index`` (a 1-d or 0-d integer tensor) along ``dim``;
    differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.index_select(pt.asarray([[1, 2], [3, 4]]), 1, pt.asarray([1, 1]))
    tensor([[2, 2],
            [4, 4]], backend='numpy')
    """
    from ._ops.indexing import take

    _tensor_arg("index_select", input)
    _integer_index("index_select", index)
    if index.ndim > 1:
        raise IndexError(
            f"index_select() takes a 1-d (or 0-d) tensor of indices; got {index.ndim}-d"
        )
    if input.ndim == 0:
        check_dim("index_select", dim, 0)
        if index.size != 1:
            raise RuntimeError(f"index_select(): a 0-d tensor takes one index; got {index.size}")
        _in_range("index_select", index, 1, IndexError)
        return reshape(input, ())
    d = check_dim("index_select", dim, input.ndim)
    index = _in_range("index_select", index, _size("index_select", input, d), IndexError)
    return _tape.name_node(take(input, reshape(index, (-1,)), axis=d), "IndexSelectBackward0")


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """PyTorch's ``torch.gather(x, dim, index)`` (and ``x.gather``): ``out[i][j] =
    x[index[i][j]][j]`` for ``dim`` 0 (and so on), ``index`` an integer tensor with ``x``'s
    number of dimensions and no larger than ``x`` along the others; differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.gather(pt.asarray([[1, 2], [3, 4]]), 1, pt.asarray([[0, 0], [1, 0]]))
    tensor([[1, 1],
            [4, 3]], backend='numpy')
    """
    _tensor_arg("gather", input)
    _integer_index("gather", index)
    n = input.ndim
    if index.ndim != builtins.max(n, 1) and not (n == 0 and index.ndim == 0):
        raise RuntimeError(
            f"gather(): the index must have as many dimensions as the input ({n}); got {index.ndim}"
        )
    if n == 0:
        check_dim("gather", dim, 0)
        index = _in_range("gather", index, 1, RuntimeError)
        return reshape(take_along_axis(reshape(input, (1,)), reshape(index, (-1,)), axis=0), ())
    d = check_dim("gather", dim, n)
    cut = []
    for i in range(n):
        if i != d and _size("gather", index, i) > _size("gather", input, i):
            raise RuntimeError(
                f"gather(): the index {tuple(index.shape)} must be no larger than the input "
                f"{tuple(input.shape)} apart from dimension {d}"
            )
        cut.append(slice(None) if i == d else slice(0, index.shape[i]))
    index = _in_range("gather", index, _size("gather", input, d), RuntimeError)
    x = (
        input
        if builtins.all(index.shape[i] == input.shape[i] for i in range(n) if i != d)
        else input[tuple(cut)]
    )
    return take_along_axis(x, index, axis=d)


def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """PyTorch's ``torch.narrow_copy`` (and ``x.narrow_copy``): ``narrow``'s entries as a new
    tensor that shares no memory with ``input``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.narrow_copy(pt.arange(5), 0, 1, 3)
    tensor([1, 2, 3], backend='numpy')
    """
    from ._ops.creation import asarray

    return asarray(narrow(input, dim, start, length), copy=True)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """PyTorch's ``torch.narrow(x, dim, start, length)`` (and ``x.narrow``): the ``length``
    entries from ``start`` along ``dim`` (a negative ``start`` counts from the end).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.narrow(pt.arange(5), 0, 1, 3)
    tensor([1, 2, 3], backend='numpy')
    """
    _tensor_arg("narrow", input)
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-d tensor")
    d = check_dim("narrow", dim, input.ndim)
    size = _size("narrow", input, d)
    try:
        start, length = operator.index(start), operator.index(length)
    except TypeError:
        raise TypeError(
            f"narrow() expects ints for start and length; got {describe(start)} and "
            f"{describe(length)}"
        ) from None
    if not -size <= start <= size:
        raise IndexError(
            f"narrow(): start {start} is out of range for dimension {d} of size {size}"
        )
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative; got {length}")
    if start + length > size:
        raise RuntimeError(
            f"narrow(): start ({start}) + length ({length}) exceeds dimension {d}'s size "
            f"({size}); give a length in [0, {size - start}]"
        )
    key = (slice(None),) * d + (slice(start, start + length),)
    return input[key]


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """PyTorch's ``torch.select(x, dim, index)`` (and ``x.select``): the slice at ``index``
    along ``dim``, which it drops (``x[:, index]`` for ``dim`` 1).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.select(pt.asarray([[1, 2], [3, 4]]), 1, 0)
    tensor([1, 3], backend='numpy')
    """
    _tensor_arg("select", input)
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-d tensor")
    d = check_dim("select", dim, input.ndim)
    size = _size("select", input, d)
    i = check_int("select", "index", index)
    if not -size <= i < size:
        raise IndexError(f"select(): index {i} out of range for dimension {d} of size {size}")
    return input[(slice(None),) * d + (i,)]


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """PyTorch's ``torch.unbind(x, dim)`` (and ``x.unbind``): the slices along ``dim``, as a
    tuple (the standard's ``pt.unstack``); differentiable, and views of ``x``, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> [t.tolist() for t in pt.unbind(pt.asarray([[1, 2], [3, 4]]), 1)]
    [[1, 3], [2, 4]]
    """
    from ._ops.manipulation import unstack

    _tensor_arg("unbind", input)
    if input.ndim == 0:
        raise IndexError("unbind() cannot be applied to a 0-d tensor")
    d = check_dim("unbind", dim, input.ndim)
    pieces = unstack(input, axis=d)
    return tuple(pieces) if _index_views is None else _index_views(pieces, input, d)


# the slices as views of their input (``_tensor_ops.index_views``, of the Tensor's layer above
# this one, which registers it when it loads)
_index_views: Callable[[Any, Any, int], tuple[Any, ...]] | None = None


def register_index_views(fn: Callable[[Any, Any, int], tuple[Any, ...]]) -> None:
    """Make ``unbind`` return ``fn(pieces, input, dim)``, views of ``input``."""
    global _index_views
    _index_views = fn


def _at_least(x: Any, n: int, where: str = "hstack") -> Any:
    if not isinstance(x, TensorBase):
        raise TypeError(f"{where}() expects tensors to join; got {type(x).__name__}")
    return reshape(x, (1,) * (n - x.ndim) + tuple(x.shape)) if x.ndim < n else x


def hstack(tensors: Any) -> Tensor:
    """PyTorch's ``torch.hstack``: 1-d tensors joined end to end, others along dimension 1.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.hstack([pt.asarray([1, 2]), pt.asarray([3])])
    tensor([1, 2, 3], backend='numpy')
    """
    from ._ops.manipulation import concat, one_dtype

    ts = [_at_least(t, 1) for t in one_dtype(tensors, "hstack")]
    if not ts:
        raise ValueError("hstack() takes a non-empty sequence of tensors")
    return concat(ts, axis=0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    """PyTorch's ``torch.vstack``: tensors (1-d ones as rows) joined along dimension 0.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.vstack([pt.asarray([1, 2]), pt.asarray([3, 4])]).shape
    (2, 2)
    """
    from ._ops.manipulation import concat, one_dtype

    ts = [_at_least(t, 2, "vstack") for t in one_dtype(tensors, "vstack")]
    if not ts:
        raise ValueError("vstack() takes a non-empty sequence of tensors")
    return concat(ts, axis=0)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """PyTorch's ``torch.broadcast_tensors``: the tensors broadcast to one shape (the
    standard's ``pt.broadcast_arrays``), as a tuple.

    Examples
    --------
    >>> import polytensor as pt
    >>> [t.shape for t in pt.broadcast_tensors(pt.ones((2, 1)), pt.ones(3))]
    [(2, 3), (2, 3)]
    """
    from ._ops.manipulation import broadcast_arrays

    return tuple(broadcast_arrays(*tensors))


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """PyTorch's ``torch.outer(a, b)`` (and ``a.outer(b)``): ``pt.linalg.outer``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.outer(pt.asarray([1, 2]), pt.asarray([3, 4]))
    tensor([[3, 4],
            [6, 8]], backend='numpy')
    """
    from ._ops.linalg import outer as _outer

    for v in (input, vec2):
        if isinstance(v, TensorBase) and v.ndim != 1:
            raise RuntimeError(f"outer(): expected 1-D arguments; got a {v.ndim}-D tensor")
    return cast("Tensor", _outer(input, vec2))


def inverse(input: Tensor) -> Tensor:
    """PyTorch's ``torch.inverse(x)``: ``pt.linalg.inv(x)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.inverse(pt.asarray([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5 , 0.  ],
            [0.  , 0.25]], backend='numpy')
    """
    from ._ops.linalg import inv

    return cast("Tensor", inv(input))


def det(input: Tensor) -> Tensor:
    """PyTorch's ``torch.det(x)``: ``pt.linalg.det(x)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.det(pt.asarray([[2.0, 0.0], [0.0, 4.0]]))
    tensor(8., backend='numpy')
    """
    from ._ops.linalg import det as _det

    return cast("Tensor", _det(input))


def trace(input: Tensor) -> Tensor:
    """PyTorch's ``torch.trace(x)`` of a matrix (and ``x.trace()``): the sum of its diagonal.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.trace(pt.asarray([[1.0, 2.0], [3.0, 4.0]]))
    tensor(5., backend='numpy')
    """
    from ._ops.linalg import trace as _trace

    _tensor_arg("trace", input)
    if input.ndim != 2:
        raise RuntimeError(
            f"trace() takes a matrix (2-d); got {input.ndim}-d: use pt.linalg.trace for "
            f"stacks of matrices"
        )
    if input.dtype.kind in ("bool", "signed integer", "unsigned integer"):
        return cast("Tensor", _trace(input, dtype=dt.int64))  # (PyTorch's sum dtype)
    return cast("Tensor", _trace(input))


def permute(input: Tensor, dims: Any) -> Tensor:
    """PyTorch's ``torch.permute(x, dims)``: ``x.permute(*dims)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.permute(pt.ones((2, 3)), (1, 0)).shape
    (3, 2)
    """
    _tensor_arg("permute", input)
    return input.permute(*dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """PyTorch's ``torch.transpose(x, dim0, dim1)``: ``x.transpose(dim0, dim1)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.transpose(pt.ones((2, 3)), 0, 1).shape
    (3, 2)
    """
    _tensor_arg("transpose", input)
    return input.transpose(dim0, dim1)


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """PyTorch's ``torch.swapaxes``: ``x.transpose(axis0, axis1)``, a view.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.swapaxes(pt.ones((2, 3, 4)), 0, 2).shape
    (4, 3, 2)
    """
    return _swap("swapaxes", input, axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """PyTorch's ``torch.swapdims``: ``x.transpose(dim0, dim1)``, a view.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.swapdims(pt.ones((2, 3)), 0, 1).shape
    (3, 2)
    """
    return _swap("swapdims", input, dim0, dim1)


def _swap(where: str, input: Any, a: Any, b: Any) -> Tensor:
    _tensor_arg(where, input)
    n = builtins.max(input.ndim, 1)
    a, b = check_dim(where, _dim_index(where, a), n), check_dim(where, _dim_index(where, b), n)
    if input.ndim == 0:
        return cast("Tensor", input[...])  # (a view of it, as PyTorch's)
    return cast("Tensor", input.transpose(a, b))


def _dim_index(where: str, d: Any) -> int:
    """A dimension given as any integer (a NumPy one, a 0-d integer tensor) as a Python int."""
    if isinstance(d, bool):
        raise TypeError(f"{where}() expects int dimensions; got {d!r}")
    try:
        return operator.index(d)
    except TypeError:
        raise TypeError(
            f"{where}() expects int dimensions (or sequences of them); got {d!r}"
        ) from None


def _dim_list(where: str, dims: Any) -> list[int]:
    """One dimension or a sequence of them, as Python ints."""
    if isinstance(dims, (list, tuple)):
        return [_dim_index(where, d) for d in dims]
    return [_dim_index(where, dims)]


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """PyTorch's ``torch.movedim`` (and ``Tensor.moveaxis``): the dimensions ``source`` (an
    int or a sequence) moved to ``destination``, the others keeping their order; a view
    (``permute``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.movedim(pt.ones((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    >>> pt.ones((2, 3, 4)).movedim((0, 1), (2, 0)).shape
    (3, 4, 2)
    """
    _tensor_arg("movedim", input)
    n = input.ndim
    src = _dim_list("movedim", source)
    dst = _dim_list("movedim", destination)
    if len(src) != len(dst):
        raise ValueError(
            f"movedim(): source and destination must have the same number of dimensions; got "
            f"{len(src)} and {len(dst)}"
        )
    src = [check_dim("movedim", d, builtins.max(n, 1)) for d in src]
    dst = [check_dim("movedim", d, builtins.max(n, 1)) for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim(): repeated dimension in source {src} or destination {dst}")
    order = [d for d in range(n) if d not in src]  # (the others, in their order)
    for to, frm in sorted(zip(dst, src, strict=True)):
        order.insert(to, frm)
    return input.permute(*order) if n else input[...]  # (a view, as torch's)


def t(input: Tensor) -> Tensor:
    """PyTorch's ``torch.t(x)``: ``x.t()``, the transpose of a matrix (a vector as it is).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.t(pt.ones((2, 3))).shape
    (3, 2)
    """
    _tensor_arg("t", input)
    return input.t()


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """PyTorch's ``torch.unsqueeze(x, dim)``: ``x.unsqueeze(dim)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.unsqueeze(pt.ones(3), 0).shape
    (1, 3)
    """
    _tensor_arg("unsqueeze", input)
    return input.unsqueeze(dim)


def neg(input: Tensor) -> Tensor:
    """PyTorch's ``torch.neg(x)``: ``-x`` (the standard's ``pt.negative``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.neg(pt.asarray([1.0, -2.0]))
    tensor([-1.,  2.], backend='numpy')
    """
    from ._ops.elementwise import negative

    return negative(input)


def fmod(input: Tensor, other: Any) -> Tensor:
    """PyTorch's ``torch.fmod(x, y)`` (and ``x.fmod(y)``): the remainder of the division
    rounded toward zero, which has the sign of ``x`` (C's ``fmod``), where ``pt.remainder``'s
    has the sign of ``y``; exact, as C's. Differentiable (PyTorch's gradient: 1 for ``x``,
    ``-trunc(x / y)`` for ``y``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fmod(pt.asarray([-7.0, 7.0]), 2.0), pt.remainder(pt.asarray([-7.0, 7.0]), 2.0)
    (tensor([-1.,  1.], backend='numpy'), tensor([1., 1.], backend='numpy'))
    """
    from ._ops import elementwise as E

    _tensor_arg("fmod", input)
    return E._fmod(input, other)


def div(
    input: Any, other: Any, *, rounding_mode: str | None = None, out: Tensor | None = None
) -> Tensor:
    """PyTorch's ``torch.div(a, b, rounding_mode=None)``: true division (``pt.divide``; of
    integers, in the default float dtype), or rounded toward zero (``"trunc"``) or down
    (``"floor"``), which keep an integer dtype. Written into ``out=`` if given.

    Examples
    --------
    >>> import polytensor as pt
    >>> a = pt.asarray([-7, 7])
    >>> pt.div(a, 2)
    tensor([-3.5,  3.5], backend='numpy')
    >>> pt.div(a, 2, rounding_mode="trunc"), pt.div(a, 2, rounding_mode="floor")
    (tensor([-3,  3], backend='numpy'), tensor([-4,  3], backend='numpy'))
    """
    from ._ops import elementwise as E

    if rounding_mode is None:
        t = divide(input, other)
    elif rounding_mode == "floor":
        t = E.floor_divide(input, other)
    elif rounding_mode == "trunc":
        if not _all_exact(input, other):
            t = E.trunc(divide(input, other))
        else:  # integers: the floor quotient, one up where the exact quotient is negative
            t = E.floor_divide(input, other)
            r = E.remainder(input, other)
            up = logical_and(r != 0, (input < 0) != (other < 0))
            t = searching.where(up, t + 1, t)
    else:
        check_rounding_mode("div", rounding_mode)
    return t if out is None else _into(out, t, "div")


def check_rounding_mode(where: str, rounding_mode: Any) -> None:
    """A RuntimeError naming ``where`` (as PyTorch's class of error) unless ``rounding_mode``
    is one of PyTorch's: None, ``'trunc'`` or ``'floor'``.

    Examples
    --------
    >>> from polytensor._pytorch import check_rounding_mode
    >>> check_rounding_mode("div", "floor")
    """
    if rounding_mode is not None and rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            f"{where}() expects rounding_mode to be None, 'trunc' or 'floor'; got {rounding_mode!r}"
        )


def _all_exact(*values: Any) -> bool:
    """Whether every value is an integer (or boolean) tensor or Python int."""
    for v in values:
        if isinstance(v, TensorBase):
            if v.dtype.kind not in ("signed integer", "unsigned integer", "bool"):
                return False
        elif not isinstance(v, int):
            return False
    return True


def round(x: Tensor, /, *, decimals: int = 0, out: Tensor | None = None) -> Tensor:
    """The standard's ``round`` (to the nearest integer, ties to even), with PyTorch's
    ``decimals=``: ``round(x * 10**d) / 10**d`` (``round(x / 10**-d) * 10**-d`` for negative
    ``d``), as PyTorch computes it. Written into ``out=`` if given.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.round(pt.asarray([1.2345, 2.5])), pt.round(pt.asarray([1234.5]), decimals=-2)
    (tensor([1., 2.], backend='numpy'), tensor([1200.], backend='numpy'))
    """
    from ._ops import elementwise as E

    try:
        d = operator.index(decimals)
    except TypeError:
        raise TypeError(
            f"round() expects an int for decimals=; got {decimals!r} of type "
            f"{type(decimals).__name__}"
        ) from None
    if (
        d
        and isinstance(x, TensorBase)
        and x.dtype.kind not in ("real floating", "complex floating")
    ):
        raise NotImplementedError(
            f"round(decimals={d}) of a {x.dtype.name} tensor: PyTorch has none either; cast "
            f"it to a floating dtype first"
        )
    if d == 0:
        t = E.round(x)
    elif d > 0:
        t = E.round(x * 10.0**d) / 10.0**d
    else:
        t = E.round(x / 10.0**-d) * 10.0**-d
    return t if out is None else _into(out, t, "round")


def stack(
    arrays: Any, /, dim: int | None = None, *, axis: int | None = None, out: Any = None
) -> Tensor:
    """The standard's ``stack(arrays, axis=0)``, with PyTorch's ``dim`` (positional, or
    ``dim=``) and ``out=``: ``torch.stack(tensors, 1)`` runs unchanged.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.stack([pt.ones(2), pt.zeros(2)], 1).shape
    (2, 2)
    """
    a = _dim_or_axis("stack", dim, axis)
    t = _stack(one_dtype(arrays, "stack"), axis=0 if a is None else a)
    return t if out is None else _into(out, t, "stack")


def concat(
    arrays: Any, /, dim: int | None = None, *, axis: int | None = 0, out: Any = None
) -> Tensor:
    """The standard's ``concat(arrays, axis=0)`` (``axis=None`` joins them flattened), with
    PyTorch's ``dim`` (positional, or ``dim=``) and ``out=``, as ``torch.concat``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.concat([pt.ones((1, 2)), pt.zeros((1, 2))], dim=1).shape
    (1, 4)
    """
    if dim is not None and axis != 0:  # (axis= given otherwise than its default)
        raise TypeError("concat() got both dim= (PyTorch's spelling) and axis=; pass one")
    t = _concat(one_dtype(arrays), axis=axis if dim is None else dim)
    return t if out is None else _into(out, t, "concat")


def lerp(input: Tensor, end: Any, weight: Any, *, out: Tensor | None = None) -> Tensor:
    """PyTorch's ``torch.lerp(start, end, weight)`` (and ``x.lerp``): ``start + weight *
    (end - start)``, computed from ``end`` where ``|weight| >= 0.5`` as PyTorch's formula is
    (exact at weight 1; PyTorch fuses the multiply and add, so the last bits may differ).
    Differentiable.

    As PyTorch's, it does not promote: ``end`` and a ``weight`` tensor of one or more
    dimensions must have ``start``'s dtype (a ``RuntimeError`` otherwise), a 0-d ``weight``
    tensor of another dtype is taken in ``start``'s (its gradient comes back in its own), and
    integer tensors are refused.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.lerp(pt.asarray([0.0, 10.0]), pt.asarray([10.0, 20.0]), 0.25)
    tensor([ 2.5, 12.5], backend='numpy')
    >>> pt.lerp(pt.zeros(2), pt.ones(2), pt.asarray(0.5, dtype=pt.float64)).dtype
    polytensor.float32
    """
    from ._ops import elementwise as E

    weight = lerp_operands("lerp", input, end, weight)
    diff = end - input
    low = E.abs(weight) < 0.5 if isinstance(weight, TensorBase) else abs(weight) < 0.5
    if isinstance(low, bool):
        t = input + weight * diff if low else end + (weight - 1) * diff
    else:
        # one product, the base and the coefficient chosen: the weight's gradient is diff
        # alone (two products, one per branch, would give 0 * inf = NaN where diff is infinite)
        base = searching.where(low, input, end)
        t = base + searching.where(low, weight, weight - 1) * diff
    return cast("Tensor", t if out is None else _into(out, t, "lerp"))


def lerp_operands(where: str, input: Any, end: Any, weight: Any) -> Any:
    """Check ``lerp``'s operands (``where``: ``"lerp"`` or ``"lerp_"``) as PyTorch does, and
    return ``weight``, a 0-d tensor of another dtype than ``input``'s cast to it.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._pytorch import lerp_operands
    >>> lerp_operands("lerp", pt.zeros(2), pt.ones(2), pt.asarray(True)).dtype
    polytensor.float32
    >>> lerp_operands("lerp", pt.zeros(2), pt.ones(2, dtype=pt.float64), 0.5)
    Traceback (most recent call last):
    ...
    polytensor._dtypes.MixedDtypeError: lerp(): expected dtype float32 for `end` but got ...
    """
    _tensor_arg(where, input)
    d = input.dtype
    if d not in dt.FINFO:
        raise dt.DtypeNotImplementedError(
            f"{where}() expects floating-point or complex tensors; got {d.name}; cast with "
            f"x.to(pt.float32) first"
        )
    for name, v in (("end", end), ("weight", weight)):
        if not isinstance(v, TensorBase) or v.dtype is d:
            continue
        if name == "weight" and v.ndim == 0:
            # (a 0-d weight is a number to PyTorch: no promotion; a complex one of a real
            # input makes a complex result, as PyTorch's)
            if v.dtype.kind != "complex floating" or d.kind == "complex floating":
                weight = astype(v, d)
            continue
        raise dt.MixedDtypeError(
            f"{where}(): expected dtype {d.name} for `{name}` but got dtype {v.dtype.name}; "
            f"cast it with .to(pt.{d.name})"
        )
    return weight


def _pointwise_value(where: str, tensors: tuple[Any, ...], value: Any) -> Any:
    """Check the tensors and ``value=`` of ``addcmul``/``addcdiv``; returns the value as the
    Python number to multiply by (``_checked_scale``)."""
    for t in tensors:
        _tensor_arg(where, t)
    return _checked_scale(where, "value", tensors, value)


def addcmul_term(where: str, input: Any, tensor1: Any, tensor2: Any, value: Any) -> Any:
    """``value * tensor1 * tensor2``, what ``addcmul`` (``where``) adds to ``input``, its
    arguments checked; the products are taken left to right, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._pytorch import addcmul_term
    >>> addcmul_term("addcmul", pt.ones(1), pt.full((1,), 2.0), pt.full((1,), 3.0), 0.5)
    tensor([3.], backend='numpy')
    """
    value = _pointwise_value(where, (input, tensor1, tensor2), value)
    tensor1, tensor2 = _in_result_dtype((input, tensor1, tensor2), tensor1, tensor2)
    return value * tensor1 * tensor2


def addcdiv_term(where: str, input: Any, tensor1: Any, tensor2: Any, value: Any) -> Any:
    """``value * tensor1 / tensor2``, what ``addcdiv`` (``where``) adds to ``input``, its
    arguments checked (integer tensors are refused, as PyTorch refuses them).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._pytorch import addcdiv_term
    >>> addcdiv_term("addcdiv", pt.ones(1), pt.full((1,), 2.0), pt.full((1,), 4.0), 3)
    tensor([1.5], backend='numpy')
    """
    value = _pointwise_value(where, (input, tensor1, tensor2), value)
    ints = ("bool", "signed integer", "unsigned integer")
    if tensor1.dtype.kind in ints and tensor2.dtype.kind in ints:
        raise RuntimeError(
            f"{where}() got integer tensors ({tensor1.dtype.name} and {tensor2.dtype.name}), "
            f"whose division PyTorch refuses; cast them to a floating dtype (t.float()), or "
            f"write input + value * pt.trunc(tensor1 / tensor2) for the old integer behaviour"
        )
    tensor1, tensor2 = _in_result_dtype((input, tensor1, tensor2), tensor1, tensor2)
    return value * tensor1 / tensor2


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """PyTorch's ``torch.addcmul(input, tensor1, tensor2, value=1)`` (and ``x.addcmul``):
    ``input + value * tensor1 * tensor2``, the products taken left to right as PyTorch's.
    Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.addcmul(pt.ones(2), pt.asarray([1.0, 2.0]), pt.asarray([3.0, 4.0]), value=0.5)
    tensor([2.5, 5. ], backend='numpy')
    """
    return cast("Tensor", input + addcmul_term("addcmul", input, tensor1, tensor2, value))


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """PyTorch's ``torch.addcdiv(input, tensor1, tensor2, value=1)`` (and ``x.addcdiv``):
    ``input + value * tensor1 / tensor2`` (Adam's update: ``p.addcdiv_(m, denom,
    value=-lr)``). Integer tensors are refused, as PyTorch refuses them. Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.addcdiv(pt.ones(2), pt.asarray([1.0, 2.0]), pt.asarray([4.0, 4.0]), value=2)
    tensor([1.5, 2. ], backend='numpy')
    """
    return cast("Tensor", input + addcdiv_term("addcdiv", input, tensor1, tensor2, value))


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """PyTorch's ``torch.diag(x, diagonal=0)`` (and ``x.diag``): of a vector, the square
    matrix with it on the ``diagonal``-th diagonal (above the main one when positive); of a
    matrix, that diagonal as a vector. Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.diag(pt.asarray([1, 2]))
    tensor([[1, 0],
            [0, 2]], backend='numpy')
    >>> pt.diag(pt.asarray([[1, 2], [3, 4]]), 1)
    tensor([2], backend='numpy')
    """
    from ._ops.creation import eye, zeros
    from ._ops.linalg import diagonal as _diagonal
    from ._ops.manipulation import concat, expand_dims

    _tensor_arg("diag", input)
    k = check_int("diag", "diagonal", diagonal, "an int (0: the main diagonal)")
    if input.ndim == 2:  # (a tensor of its own, as PyTorch's: writable)
        return cast("Tensor", _diagonal(input, offset=k).clone())
    if input.ndim != 1:
        raise RuntimeError(f"diag(): expected a 1-D or 2-D tensor; got {input.ndim}-D")
    m = _size("diag", input, 0)
    kw: dict[str, Any] = {"dtype": input.dtype, "device": input.device}
    # (where, not a product with the identity: inf * 0 would be NaN off the diagonal)
    on = eye(m, dtype=dt.bool, device=input.device)
    square = searching.where(on, expand_dims(input, axis=1), zeros((), **kw))
    if k == 0:
        return square
    a = builtins.abs(k)
    if k > 0:  # k zero columns on the left, then k zero rows below
        wide = concat([zeros((m, a), **kw), square], axis=1)
        return concat([wide, zeros((a, m + a), **kw)], axis=0)
    tall = concat([zeros((a, m), **kw), square], axis=0)
    return concat([tall, zeros((m + a, a), **kw)], axis=1)


def _logical(name: str, fn: Any) -> Any:
    def reduce(
        x: Tensor,
        /,
        dim: Any = None,
        keepdim: bool | None = None,
        *,
        axis: int | tuple[int, ...] | None = None,
        keepdims: bool = False,
    ) -> Tensor:
        a = _dim_or_axis(name, dim, axis)
        return cast("Tensor", fn(x, axis=a, keepdims=_keepdims(name, keepdim, keepdims)))

    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = f"""The standard's ``pt.{name}(x, axis=, keepdims=)``, with PyTorch's
    ``pt.{name}(x, dim)`` and ``dim=``/``keepdim=``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.{name}(pt.asarray([[True, False], [True, True]]), 1).tolist()
    {[False, True] if name == "all" else [True, True]}
    """
    return reduce


all = _logical("all", statistical.all)
any = _logical("any", statistical.any)


def argsort(
    x: Tensor,
    /,
    dim: int | None = None,
    descending: bool = False,
    stable: bool = True,
    *,
    axis: int | None = None,
) -> Tensor:
    """The standard's ``pt.argsort(x, axis=-1, descending=, stable=)``, with PyTorch's
    ``pt.argsort(x, dim)`` and ``dim=``. Of a 0-d tensor, a 0-d index 0, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.argsort(pt.asarray([[3, 1, 2]]), 1).tolist()
    [[1, 2, 0]]
    """
    a = _dim_or_axis("argsort", dim, axis)
    axis_ = -1 if a is None else a
    if _is_bool(x):
        x = astype(x, dt.uint8)
    if getattr(x, "ndim", None) == 0:  # (index 0, 0-d, as PyTorch's; NumPy's is 1-d)
        check_dim("argsort", axis_, 1)
        one = sorting.argsort(reshape(x, (1,)), axis=0, descending=descending, stable=True)
        return reshape(one, ())
    return sorting.argsort(x, axis=axis_, descending=descending, stable=bool(stable))


def flip(x: Tensor, /, dims: Any = None, *, axis: Any = None) -> Tensor:
    """The standard's ``pt.flip(x, axis=None)``, with PyTorch's ``pt.flip(x, dims)`` (an
    int or a list of them).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.flip(pt.asarray([[1, 2], [3, 4]]), [0]).tolist()
    [[3, 4], [1, 2]]
    """
    from ._ops.manipulation import _copy
    from ._ops.manipulation import flip as _flip

    a = _dim_or_axis("flip", dims, axis)
    a = tuple(a) if isinstance(a, list) else a
    if dims is not None and getattr(x, "ndim", None) == 0:
        # (PyTorch's dims of a 0-d tensor, 0 or -1: a copy, as x.flip(0) gives)
        named = [check_dim("flip", d, 0) for d in (a if isinstance(a, tuple) else (a,))]
        if len(named) > 1:
            raise ValueError(
                f"flip() got dims={a}, which names the one dimension of a 0-d tensor twice; "
                f"pass it once"
            )
        return _copy(x)
    return _flip(x, axis=a)


def roll(
    x: Tensor, /, shift: Any = None, dims: Any = None, *, axis: Any = None, shifts: Any = None
) -> Tensor:
    """The standard's ``pt.roll(x, shift, axis=None)``, with PyTorch's
    ``pt.roll(x, shifts, dims)`` (keywords ``shifts=`` and ``dims=`` too; ``dims=()`` rolls
    the flattened tensor, as PyTorch's does). A tuple of shifts needs as many axes; PyTorch's
    ``dims`` take one shift each, the standard's ``axis`` also an int shift for all.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.roll(pt.asarray([[1, 2], [3, 4]]), 1, 0).tolist()
    [[3, 4], [1, 2]]
    >>> pt.roll(pt.asarray([[1, 2], [3, 4]]), shifts=(1, 1), dims=(0, 1)).tolist()
    [[4, 3], [2, 1]]
    """
    from ._ops.manipulation import roll as _roll

    if shifts is not None:
        if shift is not None:
            raise TypeError("roll() got both shift and shifts=; pass one of them")
        shift = shifts
    if shift is None:
        raise TypeError("roll() missing the shift (PyTorch's shifts): how far to roll")
    a = _dim_or_axis("roll", dims, axis)
    s = tuple(shift) if isinstance(shift, list) else shift
    a = tuple(a) if isinstance(a, list) else a
    return _roll(x, s, axis=roll_dims(s, a, pytorch=dims is not None))


def roll_dims(shifts: Any, dims: Any, *, pytorch: bool = True) -> Any:
    """The axes of ``roll(x, shifts, dims)``, checked against ``shifts`` (a tuple or an int).
    PyTorch's ``dims`` (``pytorch=True``): ``dims=()`` rolls the flattened tensor, as
    ``None`` does, and each dimension needs its own shift. The standard's ``axis``: an int
    shift rolls every axis named; a tuple of shifts needs as many axes (``None``, the
    flattened tensor, is one)."""
    if pytorch and dims.__class__ is tuple and not dims:
        dims = None
    n_shifts = len(shifts) if isinstance(shifts, tuple) else 1
    n_dims = 1 if dims is None else len(dims) if isinstance(dims, tuple) else 1
    if n_shifts != n_dims and (pytorch or isinstance(shifts, tuple)):
        got = "no dimensions" if dims is None else f"{n_dims} dimensions {dims}"
        raise BroadcastError(
            f"roll(): shifts and dimensions must align: got {n_shifts} shifts and {got}; pass "
            f"one shift for each dimension, or one shift and no dimensions to roll the "
            f"flattened tensor"
        )
    return dims


def _band(where: str, x: Any, diagonal: Any, k: Any, out: Any) -> Tensor:
    """``pt.tril``/``pt.triu`` of ``x`` with the diagonal given PyTorch's way (``diagonal``) or
    the standard's (``k=``), into ``out`` if given."""
    if k is not None:
        if diagonal != 0:
            raise TypeError(
                f"{where}() got the diagonal both as diagonal={diagonal!r} and as k={k!r}; "
                f"pass one of them"
            )
        diagonal = k
    fn = _creation.tril if where == "tril" else _creation.triu
    r = fn(x, k=diagonal)
    return r if out is None else _into(out, r, where)


def tril(x: Tensor, /, diagonal: int = 0, *, k: int | None = None, out: Any = None) -> Tensor:
    """The lower triangle of (each matrix of) ``x``, zero above diagonal ``k``: the standard's
    ``pt.tril(x, k=)``, or PyTorch's ``pt.tril(x, diagonal)`` / ``pt.tril(x, diagonal=,
    out=)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.tril(pt.ones((2, 2)), diagonal=-1)
    tensor([[0., 0.],
            [1., 0.]], backend='numpy')
    """
    return _band("tril", x, diagonal, k, out)


def triu(x: Tensor, /, diagonal: int = 0, *, k: int | None = None, out: Any = None) -> Tensor:
    """The upper triangle of (each matrix of) ``x``, zero below diagonal ``k``: the standard's
    ``pt.triu(x, k=)``, or PyTorch's ``pt.triu(x, diagonal)`` / ``pt.triu(x, diagonal=,
    out=)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.triu(pt.full((2, 2), float("-inf")), diagonal=1)
    tensor([[  0., -inf],
            [  0.,   0.]], backend='numpy')
    """
    return _band("triu", x, diagonal, k, out)


def unique_consecutive(
    input: Tensor,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """PyTorch's ``torch.unique_consecutive``: the elements of ``x`` (flattened) with each run
    of equal neighbours kept once; with ``return_inverse``, each element's place among them
    (of ``x``'s shape), with ``return_counts``, each run's length. Not differentiable, as
    PyTorch's; ``dim=`` is refused, as ``unique``'s.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.unique_consecutive(pt.asarray([1, 1, 2, 2, 3, 1])).tolist()
    [1, 2, 3, 1]
    >>> [t.tolist() for t in pt.unique_consecutive(pt.asarray([1, 1, 2]), return_counts=True)]
    [[1, 2], [2, 1]]
    """
    from ._ops.creation import asarray, full
    from ._ops.manipulation import concat

    _tensor_arg("unique_consecutive", input)
    check_flag("unique_consecutive", "return_inverse", return_inverse)
    check_flag("unique_consecutive", "return_counts", return_counts)
    if dim is not None:
        raise NotImplementedError(
            "unique_consecutive(dim=...) is not supported: polytensor finds the runs of the "
            "whole tensor flattened; compare neighbouring slices yourself for runs of rows"
        )
    flat = reshape(input.detach(), (-1,))
    n = flat.shape[0]
    if n == 0:
        empty = asarray([], dtype=dt.int64, device=input.device)
        out: list[Any] = [flat]
        if return_inverse:
            out.append(reshape(empty, tuple(input.shape)))
        if return_counts:
            out.append(empty)
        return out[0] if len(out) == 1 else tuple(out)
    starts = concat([full((1,), True, device=input.device), flat[1:] != flat[:-1]])
    out = [flat[starts]]
    if return_inverse:
        run = statistical.cumulative_sum(astype(starts, dt.int64)) - 1
        out.append(reshape(run, tuple(input.shape)))
    if return_counts:  # (how many elements each run holds: a count of the run numbers)
        from ._pytorch_numbers import bincount

        out.append(bincount(statistical.cumulative_sum(astype(starts, dt.int64)) - 1))
    return out[0] if len(out) == 1 else tuple(out)
