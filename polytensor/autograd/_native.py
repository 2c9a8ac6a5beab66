"""The caller's own arrays in and out of autograd: which backend holds a native array (a NumPy,
Dask, array-api-strict, JAX or torch array), polytensor tensors around them, and the caller's
array type back from tensors.

The transforms (``polytensor.func``) and ``polytensor.autograd.functional`` take what the
caller has: tensors give tensors back; native arrays of a registered backend give arrays of
that type back. Arrays of two backends (or a native array beside a tensor of another backend)
never mix silently: the error names both and says how to convert one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import _config, backends
from .._dispatch import wrap_new
from .._tensor_base import TensorBase
from ..backends import Backend

__all__ = ["Callers", "backend_of_native", "inspect_args", "to_caller", "tree_map"]


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    """``fn`` applied to every leaf of nested tuples, lists and dicts (named tuples keep
    their type)."""
    if isinstance(tree, tuple):
        items = [tree_map(fn, t) for t in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else tuple(items)
    if isinstance(tree, list):
        return [tree_map(fn, t) for t in tree]
    if isinstance(tree, dict):
        return {k: tree_map(fn, v) for k, v in tree.items()}
    return fn(tree)


def tree_leaves(tree: Any) -> list[Any]:
    """The leaves of nested tuples, lists and dicts, in order."""
    out: list[Any] = []
    tree_map(out.append, tree)
    return out


def _candidates() -> list[Backend]:
    """Registered backends to try for a native array: the current one first (it keeps its
    options, such as Dask's ``chunks=``), then those already loaded, then the others."""
    current = _config.get_backend()
    reg = backends._registry()
    others = sorted(
        (b for b in reg.values() if b.name != current.name), key=lambda b: b._xp is None
    )
    return [current, *others]


def _is_native_candidate(x: Any) -> bool:
    """Whether ``x`` looks like an array (it has a dtype and a shape) and is no tensor."""
    return not isinstance(x, TensorBase) and hasattr(x, "dtype") and hasattr(x, "shape")


def backend_of_native(x: Any) -> Backend | None:
    """The registered backend whose arrays ``x`` is an instance of, or None.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.autograd._native import backend_of_native
    >>> backend_of_native(np.ones(2)).name
    'numpy'
    """
    for b in _candidates():
        if b._xp is None and not b.status()[0]:  # library or device absent
            continue
        if isinstance(x, b.array_type):
            return b
    return None


def _describe(x: Any) -> str:
    if isinstance(x, TensorBase):
        return f"a Tensor of the {x._backend.name} backend"
    t = type(x)
    found = backend_of_native(x)
    library = found.name if found is not None else t.__module__.split(".")[0]
    return f"a {library} array ({t.__module__}.{t.__qualname__})"


@dataclass
class Callers:
    """What the caller passed: the one backend of its arrays (None when it passed none) and
    whether it passed native arrays (then results go back as native arrays)."""

    backend: Backend | None
    native: bool

    def to_tensor(self, x: Any) -> Any:
        """A tensor (outside any graph) for a native array of the caller's backend, a Python
        number for a NumPy scalar; tensors and anything else are returned as they are."""
        if isinstance(x, TensorBase) or self.backend is None or not _is_native_candidate(x):
            return x
        if not isinstance(x, self.backend.array_type):
            if type(x).__module__ == "numpy" and getattr(x, "ndim", None) == 0:
                return x.item()  # a NumPy scalar: a Python number, weakly typed as one
            return x
        return wrap_new(x, self.backend)


def inspect_args(where: str, *trees: Any) -> Callers:
    """The backend of every array and tensor in ``trees`` (nested tuples, lists, dicts), checked
    to be one: a native array no registered backend holds, or arrays of two backends, raise an
    error naming them and the fix.

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor.autograd._native import inspect_args
    >>> c = inspect_args("grad", (np.ones(2), 3.0))
    >>> c.backend.name, c.native
    ('numpy', True)
    """
    backend: Backend | None = None
    first: Any = None
    native = False
    for leaf in (leaf for tree in trees for leaf in tree_leaves(tree)):
        if isinstance(leaf, TensorBase):
            b = leaf._backend
        elif _is_native_candidate(leaf):
            found = backend_of_native(leaf)
            if found is None:
                if type(leaf).__module__ == "numpy":  # a NumPy scalar (np.float64(1.0))
                    continue
                raise TypeError(
                    f"{where}() got {_describe(leaf)}, which no available polytensor backend "
                    f"holds (registered: {', '.join(sorted(backends.names()))}); register its "
                    f"array-API namespace as a backend with "
                    f"pt.backends.register(pt.backends.from_namespace(name, loader)), or "
                    f"convert it to a NumPy array with numpy.asarray(x)"
                )
            b = found
            native = True
        else:
            continue
        if backend is None:
            backend, first = b, leaf
        elif b.name != backend.name:
            raise ValueError(
                f"{where}() got arrays of two backends: {_describe(first)} and "
                f"{_describe(leaf)}; pass arrays of one library, e.g. move the tensor with "
                f'x.to("{_name_for_fix(first, leaf)}") or convert the array with '
                f"numpy.asarray(x) for the numpy backend"
            )
    return Callers(backend, native)


def _name_for_fix(a: Any, b: Any) -> str:
    """The backend a tensor should move to: that of the native array of the two."""
    native = b if not isinstance(b, TensorBase) else a
    found = native._backend if isinstance(native, TensorBase) else backend_of_native(native)
    return found.name if found is not None else "numpy"


def to_caller(tree: Any, callers: Callers) -> Any:
    """Results for the caller: tensors become native arrays (their data, outside any graph)
    when the caller passed native arrays; otherwise the tree is returned as it is."""
    if not callers.native:
        return tree
    return tree_map(lambda v: v._data if isinstance(v, TensorBase) else v, tree)
