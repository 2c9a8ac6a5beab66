"""The Array API standard's ``linalg`` extension (``pt.linalg``).

Examples
--------
>>> import polytensor as pt
>>> pt.linalg.inv(pt.asarray([[2.0, 0.0], [0.0, 4.0]]))
tensor([[0.5 , 0.  ],
        [0.  , 0.25]], backend='numpy')
"""

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
from ._ops.manipulation import permute_dims
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
        from ._ops.manipulation import expand_dims

        for axis in sorted((d0, d1)):
            out = expand_dims(out, axis=axis)
    return out  # type: ignore[no-any-return]


__all__ = [
    "cholesky",
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
