"""Tensor operators, derived from the op table in one mapping; in-place forms and ``[]``."""

from __future__ import annotations

from typing import Any

from . import _config
from . import _dtypes as dt
from ._dispatch import apply, common_backend
from ._ops.data_types import astype
from ._ops.indexing import _getitem as _getitem_op
from ._ops.indexing import fill_key, split_key
from ._ops._registry import OPS
from ._tensor import SUBCLASSES, Tensor
from .autograd import _graph

_NUMERIC = dt.CATEGORY_NAMES.index("numeric")

UNARY = {"__abs__": "abs", "__neg__": "negative", "__pos__": "positive",
         "__invert__": "bitwise_invert"}
BINARY = {"__add__": "add", "__sub__": "subtract", "__mul__": "multiply",
          "__truediv__": "divide", "__floordiv__": "floor_divide", "__mod__": "remainder",
          "__pow__": "pow", "__and__": "bitwise_and", "__or__": "bitwise_or",
          "__xor__": "bitwise_xor", "__lshift__": "bitwise_left_shift",
          "__rshift__": "bitwise_right_shift"}
COMPARISON = {"__eq__": "equal", "__ne__": "not_equal", "__lt__": "less",
              "__le__": "less_equal", "__gt__": "greater", "__ge__": "greater_equal"}


_SYMBOLS = {"__iadd__": "+", "__isub__": "-", "__imul__": "*", "__itruediv__": "/",
            "__ifloordiv__": "//", "__imod__": "%", "__ipow__": "**", "__iand__": "&",
            "__ior__": "|", "__ixor__": "^", "__ilshift__": "<<", "__irshift__": ">>",
            "__imatmul__": "@"}


def assign_inplace(x: Tensor, result: Tensor, where: str) -> Tensor:
    """Make ``x`` hold ``result`` in place (the standard's in-place operator semantics)."""

    if result.dtype is not x.dtype:
        raise TypeError(f"{where}: the result has dtype {result.dtype.name} but the tensor "
                        f"updated in place has {x.dtype.name}; use the out-of-place form "
                        f"(x = x {_SYMBOLS.get(where, where)} y) or cast first")
    if result.shape != x.shape:
        raise ValueError(f"{where}: the result has shape {result.shape} but the tensor updated "
                         f"in place has {x.shape}; in-place operations cannot broadcast self")
    _graph.check_inplace(x, where)
    if _graph.requires_grad(result):
        # Recorded: rebind, so the node that saved the old value keeps it intact.
        x._data = result._data
    elif x._backend.mutable:
        x._data[...] = result._data
    else:  # immutable arrays (Dask): rebind, which is what in-place means there
        x._data = result._data
    _graph.after_inplace(x, result)
    return x


def _make_inplace(dunder: Any, name: str, op_name: str | None = None) -> Any:
    def method(self: Tensor, other: Any, /) -> Any:

        b = self._backend
        if op_name is not None and b.inplace is not None and (
                self._meta is None or not _config.GRAD_ENABLED.get() or (
                    _graph._edge(self) is None and _graph._edge(other) is None)):
            # Nothing to record: write the result straight into self's memory (NumPy's out=)
            d = self._data
            if type(other) is Tensor or type(other) in SUBCLASSES:
                od = other._data
                # (shapes: NumPy raises below unless other broadcasts to self's shape)
                ok = other._backend is b and od.dtype is d.dtype
            else:
                od = other
                ok = other.__class__ in (int, float) and d.dtype in b.cats_scalar[
                    _NUMERIC].get(other.__class__, ())
            fn = b.inplace.get(op_name)
            if ok and fn is not None and d.dtype in b.cats[_NUMERIC]:
                try:
                    fn(d, od, d)  # out=d
                except ValueError:  # other does not broadcast to self: the path below says so
                    pass
                else:
                    m = self._meta
                    if m is not None:  # _graph.bump_version(self), inline
                        _graph._inplace_count += 1
                        m.version += 1
                    else:
                        _graph.bump_version(self)
                    return self
        r = dunder(_graph.alias_before_inplace(self), other)
        if r is NotImplemented:
            return r
        return assign_inplace(self, r, name)

    method.__name__ = name
    return method


def _rmatmul_dunder(x2: Any, x1: Any, /) -> Any:

    return apply(OPS["matmul"], (x1, x2), None, True)


def _getitem(self: Tensor, key: Any, /) -> Any:
    return _getitem_op(self, key)


def _setitem(self: Tensor, key: Any, value: Any, /) -> None:

    template, tensors = split_key(key)
    if isinstance(value, Tensor):
        common_backend("__setitem__", (self, value, *tensors))
        if value.dtype is not self.dtype:
            value = astype(value, self.dtype)
        vdata = value._data
    elif isinstance(value, (bool, int, float, complex)):
        common_backend("__setitem__", (self, *tensors))
        vdata = value
    else:
        raise TypeError(f"__setitem__() expects a tensor or Python scalar value; got "
                        f"{type(value).__name__}; convert it with pt.asarray(...)")
    k = fill_key(template, tuple(t._data for t in tensors))
    _graph.check_inplace(self, "__setitem__")
    if _graph.needs_graph(self, value):
        _graph.setitem(self, key, value)
        return
    if self._backend.mutable:
        self._data[k] = vdata
    else:  # immutable arrays (Dask): the backend's functional put, then rebind
        b = self._backend
        self._data = b.fns[OPS["_put"].index](self._data, vdata, k)
    _graph.bump_version(self)


def install() -> None:
    for dunder, name in UNARY.items():
        setattr(Tensor, dunder, OPS[name].extra["dunder"])
    for dunder, name in {**BINARY, **COMPARISON}.items():
        setattr(Tensor, dunder, OPS[name].extra["dunder"])
    for dunder, name in BINARY.items():
        setattr(Tensor, "__r" + dunder[2:], OPS[name].extra["rdunder"])
        setattr(Tensor, "__i" + dunder[2:], _make_inplace(OPS[name].extra["dunder"],
                                                          "__i" + dunder[2:], name))
    matmul_dunder = OPS["matmul"].extra["dunder"]
    Tensor.__matmul__ = matmul_dunder  # type: ignore[attr-defined]
    Tensor.__rmatmul__ = _rmatmul_dunder  # type: ignore[attr-defined]
    Tensor.__imatmul__ = _make_inplace(matmul_dunder, "__imatmul__")  # type: ignore[attr-defined]
    Tensor.__getitem__ = _getitem  # type: ignore[attr-defined]
    Tensor.__setitem__ = _setitem  # type: ignore[attr-defined]
    Tensor.__hash__ = None  # type: ignore[assignment]
