"""PyTorch-style extensions that do not conflict with the standard."""

from __future__ import annotations

from typing import Any

from . import _dtypes as dt
from ._tensor import Tensor


def tensor(data: Any, *, dtype: dt.DType | None = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (PyTorch's ``torch.tensor``).

    Python floats give float32 (the default float dtype), NumPy float64 data gives float64.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.tensor([[1.0, 2.0]], requires_grad=True)
    tensor([[1., 2.]], backend='numpy', requires_grad=True)
    """
    from ._ops.creation import asarray

    if isinstance(data, Tensor):
        data = data.detach()
    return asarray(data, dtype=dtype, device=device, copy=True, requires_grad=requires_grad)


def from_numpy(a: Any) -> Tensor:
    """A tensor sharing memory with NumPy array ``a`` (on the NumPy backend).

    Examples
    --------
    >>> import numpy as np, polytensor as pt
    >>> a = np.zeros(2)
    >>> t = pt.from_numpy(a)
    >>> a[0] = 5.0
    >>> t
    tensor([5., 0.], dtype=polytensor.float64, backend='numpy')
    """
    import numpy as np

    from . import backends
    from ._dispatch import wrap_new

    if not isinstance(a, np.ndarray):
        raise TypeError(f"from_numpy() expects a numpy.ndarray; got {type(a).__name__}; "
                        f"use pt.asarray(data) for other data")
    if a.dtype.name not in dt.BY_NAME or not a.dtype.isnative:
        raise TypeError(f"from_numpy() got NumPy dtype {a.dtype}; polytensor supports "
                        f"{', '.join(dt.BY_NAME)} in native byte order")
    return wrap_new(a, backends.get("numpy"))  # type: ignore[no-any-return]


def compute(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Compute lazy tensors together, in one pass that shares their common work.

    Returns tensors on the same backends whose data is computed (in memory); eager tensors are
    returned as they are.

    Examples
    --------
    >>> import polytensor as pt
    >>> a, b = pt.compute(pt.ones(2), pt.zeros(2))
    >>> a
    tensor([1., 1.], backend='numpy')
    """
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"compute() expects tensors; got {type(t).__name__}")
    lazy = [i for i, t in enumerate(tensors) if t._backend.lazy]
    out = list(tensors)
    if lazy:
        import dask

        from ._dispatch import wrap_new

        values = dask.compute(*(tensors[i]._data for i in lazy))
        for i, v in zip(lazy, values):
            t = tensors[i]
            b = t._backend
            chunks = t._data.chunks if all(
                c == c for cs in t._data.chunks for c in cs) else "auto"
            out[i] = wrap_new(b.xp.asarray(v) if not hasattr(b.xp, "from_array") else
                              _from_array(v, chunks), b)
            if t._meta is not None:
                out[i]._meta = t._meta
    return tuple(out)


def _from_array(v: Any, chunks: Any) -> Any:
    import dask.array as da

    return da.from_array(v, chunks=chunks)
