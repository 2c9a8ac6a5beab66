"""PyTorch-style extensions that do not conflict with the standard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from . import _config
from . import _dtypes as dt
from ._checks import OutOfRangeError, ScalarRangeError, check_flag
from ._config import get_backend
from ._dispatch import wrap_new
from ._ops.creation import asarray
from ._ops.data_types import astype, result_type
from ._ops.elementwise import clip, maximum, minimum, tanh
from ._ops.manipulation import concat, one_dtype
from ._ops.special import expit
from ._tensor_base import TensorBase
from .backends import _host

if TYPE_CHECKING:
    from ._tensor import Tensor


def tensor(
    data: Any, *, dtype: dt.DType | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (PyTorch's ``torch.tensor``).

    Python floats give float32 (the default float dtype), NumPy float64 data gives float64.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.tensor([[1.0, 2.0]], requires_grad=True)
    tensor([[1., 2.]], backend='numpy', requires_grad=True)
    """
    if isinstance(data, TensorBase):
        # every TensorBase is a Tensor (the one concrete class) or a subclass of it
        data = cast("Tensor", data).detach()
    return asarray(data, dtype=dtype, device=device, copy=True, requires_grad=requires_grad)


def from_numpy(a: Any) -> Tensor:
    """A tensor of NumPy array ``a`` on the current backend: sharing its memory on the NumPy
    backend (as PyTorch's does), a copy on the others (no other backend can share it), so that
    a program using ``from_numpy`` runs unchanged on every backend.

    Examples
    --------
    >>> import numpy as np, polytensor as pt
    >>> a = np.zeros(2)
    >>> t = pt.from_numpy(a)
    >>> a[0] = 5.0
    >>> t
    tensor([5., 0.], dtype=polytensor.float64, backend='numpy')
    """
    if not _host.is_ndarray(a):
        raise TypeError(
            f"from_numpy() expects a numpy.ndarray; got {type(a).__name__}; "
            f"use pt.asarray(data) for other data"
        )
    if dt.numpy_name(a.dtype) not in dt.BY_NAME or not a.dtype.isnative:
        raise TypeError(
            f"from_numpy() got NumPy dtype {a.dtype}; polytensor supports "
            f"{', '.join(dt.BY_NAME)} in native byte order"
        )
    current = get_backend()
    if current.name == "numpy":
        return wrap_new(a, current)
    return asarray(a, copy=True)


def _lazy_groups(where: str, tensors: tuple[Tensor, ...]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorBase):
            raise TypeError(f"{where}() expects tensors; got {type(t).__name__}")
        if t._backend.lazy:
            groups.setdefault(t._backend.name, []).append(i)
    return groups


def compute(*tensors: Tensor, progress: bool = False) -> tuple[Tensor, ...]:
    """Compute lazy tensors together, in one pass that shares their common work.

    Returns tensors on the same backends whose data is computed (in memory); eager tensors are
    returned as they are. Autograd state is kept. A loss and its gradients computed together
    (``pt.compute(loss, w.grad)``) stream over data larger than memory: Dask reads each chunk
    once for both. ``progress=True`` shows Dask's own progress bar while it runs
    (``dask.diagnostics.ProgressBar``, or ``distributed.progress`` when a
    ``distributed.Client`` is active).

    Examples
    --------
    >>> import polytensor as pt
    >>> a, b = pt.compute(pt.ones(2), pt.zeros(2))
    >>> a
    tensor([1., 1.], backend='numpy')
    """
    progress = check_flag("compute", "progress", progress)
    out = list(tensors)
    for idx in _lazy_groups("compute", tensors).values():
        b = tensors[idx[0]]._backend
        datas = b.materialize([tensors[i]._data for i in idx], progress)
        for i, data in zip(idx, datas, strict=False):
            t = out[i] = wrap_new(data, tensors[i]._backend)
            t._meta = tensors[i]._meta
    return tuple(out)


def persist(*tensors: Tensor, progress: bool = False) -> None:
    """Compute lazy tensors in place: each keeps its identity, autograd state and values, and
    its task graph collapses to the computed data (kept in memory, or on a Dask cluster).
    Training loops on a lazy backend call it on the parameters after each step so that their
    graphs do not grow. Eager tensors are left as they are. ``progress=True`` shows Dask's
    own progress bar, as in ``pt.compute``.

    Examples
    --------
    >>> import polytensor as pt
    >>> w = pt.ones(3, device="dask")
    >>> w += 1
    >>> pt.persist(w)
    >>> w.numpy()
    array([2., 2., 2.], dtype=float32)
    """
    progress = check_flag("persist", "progress", progress)
    for idx in _lazy_groups("persist", tensors).values():
        b = tensors[idx[0]]._backend
        kept = b.persist([tensors[i]._data for i in idx], progress)
        for i, data in zip(idx, kept, strict=False):
            tensors[i]._data = data


def cat(tensors: Any, dim: int = 0, *, axis: int | None = None) -> Tensor:
    """PyTorch's name for ``pt.concat`` (``dim=`` or the standard's ``axis=``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cat([pt.ones(2), pt.zeros(1)])
    tensor([1., 1., 0.], backend='numpy')
    """
    return concat(one_dtype(tensors, "cat"), axis=dim if axis is None else axis)


def _tensor_arg(where: str, name: str, value: Any) -> Tensor:
    """``value`` if it is a tensor; a TypeError naming ``where`` and ``name`` otherwise."""
    if not isinstance(value, TensorBase):
        raise TypeError(
            f"{where}() expects a polytensor array for {name}; got {type(value).__name__}; "
            f"make one with pt.asarray(...)"
        )
    return cast("Tensor", value)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix product of two 2-D tensors.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.mm(pt.ones(2, 3), pt.ones(3, 1)).shape
    (2, 1)
    """
    return _tensor_arg("mm", "input", input).mm(mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix-vector product.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.mv(pt.ones(2, 3), pt.ones(3)).shape
    (2,)
    """
    return _tensor_arg("mv", "input", input).mv(vec)


def dot(input: Tensor, other: Tensor) -> Tensor:
    """Dot product of two 1-D tensors.

    Examples
    --------
    >>> import polytensor as pt
    >>> float(pt.dot(pt.ones(3), pt.ones(3)))
    3.0
    """
    return _tensor_arg("dot", "input", input).dot(other)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """PyTorch's ``torch.norm``: the 2-norm of all elements by default.

    Examples
    --------
    >>> import polytensor as pt
    >>> float(pt.norm(pt.asarray([3.0, 4.0])))
    5.0
    """
    return _tensor_arg("norm", "input", input).norm(p, dim, keepdim)


def sigmoid(x: Tensor, /) -> Tensor:
    """The logistic function ``1 / (1 + exp(-x))``: ``pt.special.expit`` for real inputs
    (one op; integers and booleans give the default float dtype, as PyTorch's),
    ``(tanh(x / 2) + 1) / 2`` for complex ones.

    Examples
    --------
    >>> import polytensor as pt
    >>> float(pt.sigmoid(pt.asarray(0.0)))
    0.5
    """
    t = _tensor_arg("sigmoid", "x", x)
    if t.dtype.kind != "complex floating":
        return expit(t)
    return (tanh(t * 0.5) + 1) * 0.5


def clamp(x: Tensor, /, min: Any = None, max: Any = None) -> Tensor:
    """PyTorch's name for ``pt.clip``; as PyTorch's, an integer tensor clamped by a floating
    bound (a Python float or a floating tensor) gives a floating result, not truncated bounds.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.clamp(pt.asarray([-1.0, 2.0]), min=0.0)
    tensor([0., 2.], backend='numpy')
    >>> pt.clamp(pt.asarray([1, 5, 9]), 2.5, 6.5)
    tensor([2.5, 5. , 6.5], backend='numpy')
    """
    t = _tensor_arg("clamp", "x", x)
    bounds = [b for b in (min, max) if b is not None]
    if t.dtype is dt.bool and bounds and all(_is_bool_tensor(b) for b in bounds):
        # (booleans clamped by booleans, as PyTorch's: or with min, then and with max)
        r = t if min is None else maximum(t, min)
        return r if max is None else minimum(r, max)
    t = clamp_operand(t, min, max)
    if t.dtype in dt.IINFO:
        _int_bound_fits(t.dtype, min)
        _int_bound_fits(t.dtype, max)
    return clip(t, _bound_as(t, min), _bound_as(t, max))


def _int_bound_fits(d: dt.DType, bound: Any) -> None:
    """Refuse a Python int bound of clamp that integer dtype ``d`` cannot hold, as PyTorch
    refuses it: beyond what a 64-bit integer holds, an ``OutOfRangeError`` (PyTorch's
    OverflowError); else beyond ``d``'s range, a ``ScalarRangeError`` (PyTorch's RuntimeError).
    An unsigned dtype also takes a negative bound down to minus its largest value (wrapped
    around, see ``wrapped_bound``)."""
    if bound.__class__ is not int:
        return
    if not -(1 << 63) <= bound < (1 << 64):
        raise OutOfRangeError(
            f"clamp() got the bound {bound}, beyond what a 64-bit integer holds; give a "
            f"bound in the range of {d.name}"
        )
    info = dt.IINFO[d]
    low = -info.max if d.kind == "unsigned integer" else info.min
    if not low <= bound <= info.max:
        wider = "int64" if d.bits < 64 else "float64"
        raise ScalarRangeError(
            f"clamp() got the bound {bound}, outside the range of {d.name} [{low}, "
            f"{info.max}]; give a bound that {d.name} holds, or clamp x.to(pt.{wider})"
        )


def _bound_as(x: Tensor, bound: Any) -> Any:
    """A bound of clamp in ``x``'s dtype (``x`` promoted already): a tensor cast (a 0-d one
    of a wider integer dtype wraps around, as PyTorch's), a Python int wrapped."""
    if isinstance(bound, TensorBase):
        return bound if bound.dtype is x.dtype else astype(bound, x.dtype)
    return wrapped_bound(x, bound)


# the kinds that promote among themselves in clamp (PyTorch's categories)
_KINDS = {"signed integer": 1, "unsigned integer": 1, "real floating": 2}


def wrapped_bound(x: Tensor, bound: Any) -> Any:
    """A negative Python int ``bound`` of clamp for an unsigned integer ``x``, as PyTorch
    takes it: wrapped around into ``x``'s dtype (``-2`` is 254 for uint8) where it is more
    than minus the dtype's size (PyTorch refuses the others, as polytensor then does).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor._extras import wrapped_bound
    >>> wrapped_bound(pt.asarray([1], dtype=pt.uint8), -2), wrapped_bound(pt.ones(1), -2)
    (254, -2)
    """
    if bound.__class__ is int and bound < 0 and x.dtype.kind == "unsigned integer":
        size = 1 << x.dtype.bits
        if bound > -size:
            return bound + size
    return bound


def _is_bool_tensor(v: Any) -> bool:
    return isinstance(v, TensorBase) and v.dtype is dt.bool


def clamp_operand(x: Tensor, min: Any, max: Any) -> Tensor:
    """``x`` as ``clamp`` takes it: a tensor that is not floating, with a floating bound, cast
    to the bounds' floating dtype (the default float one for Python floats), and a tensor with
    a bound tensor of its kind and a wider dtype that has dimensions, cast to the promoted
    dtype, as PyTorch promotes them; else ``x`` itself.

    A boolean tensor with integer bounds is taken as int64 (or the bounds' integer dtype).

    Example: ``clamp_operand(pt.asarray([1, 5]), 2.5, None)`` is ``[1., 5.]`` in float32.
    """
    kind = x.dtype.kind
    floating = kind in ("real floating", "complex floating")
    target = None
    for bound in (min, max):
        if isinstance(bound, TensorBase):
            bk = bound.dtype.kind
            if (bk == "real floating" and not floating) or (
                x.dtype is dt.bool and bound.dtype is not dt.bool
            ):
                target = bound.dtype if target is None else result_type(target, bound.dtype)
            elif bound.ndim and _KINDS.get(bk, 0) == _KINDS.get(kind, -1):
                # a bound tensor of x's kind with dimensions promotes x (a 0-d one does not:
                # it is cast to x's dtype, wrapping around, as PyTorch's)
                target = result_type(x.dtype if target is None else target, bound.dtype)
        elif floating:
            continue
        elif isinstance(bound, float):
            target = target or _config.DEFAULT_FLOAT.get()
        elif x.dtype is dt.bool and isinstance(bound, int) and not isinstance(bound, bool):
            target = target or dt.int64  # (booleans clamped by integers: int64, as PyTorch's)
    return x if target is None else astype(x, target)
