"""The Array API standard's ``linalg`` extension (``pt.linalg``).

Examples
--------
>>> import polytensor as pt
>>> pt.linalg.inv(pt.asarray([[2.0, 0.0], [0.0, 4.0]]))
tensor([[0.5 , 0.  ],
        [0.  , 0.25]], backend='numpy')
"""

import math
from typing import Any, cast

from ._dtypes import DType
from ._ops.linalg import (
    cholesky,
    cross,
    det,
    diagonal,
    eig,
    eigh,
    eigvals,
    eigvalsh,
    inv,
    matrix_norm,
    matrix_power,
    matrix_rank,
    outer,
    pinv,
    qr,
    slogdet,
    solve,
    svd,
    svdvals,
    trace,
    vector_norm,
)
from ._ops.linear_algebra import matmul, matrix_transpose, tensordot, vecdot
from ._ops.manipulation import expand_dims, permute_dims
from ._pytorch_linalg import matrix_exp
from ._shapes import check_extreme_norm
from ._tensor import Tensor


def norm(
    A: Tensor,
    ord: float | str | None = None,
    dim: int | tuple[int, ...] | None = None,
    keepdim: bool = False,
    *,
    dtype: DType | None = None,
) -> Tensor:
    """PyTorch's ``torch.linalg.norm``: a vector norm (``dim`` an int, or a 1-D input) or a
    matrix norm (``dim`` two ints, or a 2-D input with ``ord`` given); with neither ``ord``
    nor ``dim``, the 2-norm of all elements. The standard's ``vector_norm`` and
    ``matrix_norm`` underneath.

    Examples
    --------
    >>> import polytensor as pt
    >>> A = pt.asarray([[3.0, 0.0], [4.0, 0.0]])
    >>> float(pt.linalg.norm(A)), pt.linalg.norm(A, dim=0).tolist()
    (5.0, [5.0, 0.0])
    >>> float(pt.linalg.norm(A, ord=1))
    7.0
    """
    if not isinstance(A, Tensor):
        raise TypeError(
            f"linalg.norm() expects a polytensor Tensor; got {type(A).__name__}; convert it "
            f"with pt.asarray(...)"
        )
    if dtype is not None:
        A = A.to(dtype=dtype)
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None:
        if ord is None:
            return vector_norm(A, keepdims=keepdim)  # type: ignore[no-any-return]
        if A.ndim not in (1, 2):
            raise RuntimeError(
                f"linalg.norm(): ord={ord!r} without dim needs a 1-D or 2-D input; got "
                f"{A.ndim}-D; pass dim= (one int: a vector norm, two: a matrix norm)"
            )
        dim = tuple(range(A.ndim))
    if len(dim) == 1:
        if isinstance(ord, str):
            raise RuntimeError(
                f"linalg.norm(): ord={ord!r} is a matrix norm, but dim has one dimension; "
                f"pass two dims, or a number as ord"
            )
        check_extreme_norm("linalg.norm", tuple(A.shape), ord, (dim[0] % max(A.ndim, 1),))
        return vector_norm(  # type: ignore[no-any-return]
            A, axis=dim, keepdims=keepdim, ord=2 if ord is None else ord
        )
    if len(dim) != 2:
        raise RuntimeError(
            f"linalg.norm(): dim={dim!r} has {len(dim)} dimensions; expected one (a vector "
            f"norm) or two (a matrix norm)"
        )
    n = A.ndim
    d0, d1 = dim[0] % n, dim[1] % n
    rest = [i for i in range(n) if i not in (d0, d1)]
    moved = permute_dims(A, (*rest, d0, d1)) if (d0, d1) != (n - 2, n - 1) else A
    out = matrix_norm(moved, ord="fro" if ord is None else ord)
    if keepdim:
        for axis in sorted((d0, d1)):
            out = expand_dims(out, axis=axis)
    return out  # type: ignore[no-any-return]


def multi_dot(tensors: Any, *, out: Tensor | None = None) -> Tensor:
    """PyTorch's ``torch.linalg.multi_dot``: the product of matrices, the first of which may
    be a vector (a row) and the last a vector (a column), whose dimension the result then
    drops.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.linalg.multi_dot([pt.ones(2), pt.eye(2), pt.asarray([1.0, 2.0])])
    tensor(3., backend='numpy')
    """
    from ._ops._registry import _into

    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(
            f"multi_dot(): expected at least 2 tensors but got {len(ts)}; for one, use it as it is"
        )
    for i, t in enumerate(ts):
        end = i in (0, len(ts) - 1)
        if not isinstance(t, Tensor) or t.ndim not in ((1, 2) if end else (2,)):
            raise RuntimeError(
                f"multi_dot(): tensor {i} must be 2-d{' (or 1-d, first or last)' if end else ''}"
                f"; got {getattr(t, 'ndim', type(t).__name__)}-d"
            )
    first_vector, last_vector = ts[0].ndim == 1, ts[-1].ndim == 1
    if first_vector:
        ts[0] = expand_dims(ts[0], axis=0)
    if last_vector:
        ts[-1] = expand_dims(ts[-1], axis=1)
    result = ts[0]
    for t in ts[1:]:
        result = matmul(result, t)
    if last_vector:
        result = result[..., 0]
    if first_vector:
        result = result[0]
    return result if out is None else cast("Tensor", _into(out, result, "multi_dot"))


def cond(A: Tensor, p: Any = None) -> Tensor:
    """PyTorch's ``torch.linalg.cond``: the condition number of (a stack of) matrices in the
    norm ``p``: the ratio of the largest to the smallest singular value for ``p`` None or 2
    (inf for a singular matrix), its inverse for -2, and ``norm(A, p) * norm(inv(A), p)``
    for ``"fro"``, ``"nuc"``, ``inf``, ``-inf``, 1 and -1 (square, invertible matrices).

    Examples
    --------
    >>> import polytensor as pt
    >>> float(pt.linalg.cond(pt.asarray([[2.0, 0.0], [0.0, 0.5]])))
    4.0
    """
    if not isinstance(A, Tensor) or A.ndim < 2:
        raise RuntimeError(
            f"linalg.cond(): expected a tensor of matrices (at least 2 dimensions); got "
            f"{getattr(A, 'ndim', type(A).__name__)}-d"
        )
    if p is None or p in (2, -2):
        s = svdvals(A)
        big, small = s[..., 0], s[..., -1]
        return cast("Tensor", small / big if p == -2 else big / small)
    if p not in ("fro", "nuc", math.inf, -math.inf, 1, -1):
        raise RuntimeError(
            f"linalg.cond(): got p={p!r}; expected None, 2, -2, 'fro', 'nuc', inf, -inf, 1 or -1"
        )
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"linalg.cond(p={p!r}) expects square matrices; got shape {tuple(A.shape)}"
        )
    return cast("Tensor", matrix_norm(A, ord=p) * matrix_norm(inv(A), ord=p))


__all__ = [
    "cholesky",
    "cond",
    "cross",
    "det",
    "diagonal",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "inv",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "matrix_transpose",
    "multi_dot",
    "norm",
    "outer",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "tensordot",
    "trace",
    "vecdot",
    "vector_norm",
]
