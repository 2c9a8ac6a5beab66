"""PyTorch's older linear-algebra spellings, onto ``pt.linalg``'s functions (so each
differentiates as those do): ``svd(A, some, compute_uv)`` (``V``, not ``Vh``), ``qr(A, some)``,
``cholesky(A, upper)``, ``ger`` (``outer``) and ``chain_matmul``."""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _dtypes as dt
from ._ops import linalg as L
from ._ops.creation import eye, zeros
from ._ops.elementwise import abs as _abs
from ._ops.linear_algebra import matmul, matrix_transpose
from ._ops.manipulation import _copy
from ._ops.statistical import max as _max
from ._ops.statistical import sum as _sum
from ._pytorch import _size, _tensor_arg
from .autograd._mode import no_grad

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "QR",
    "SVD",
    "LUWithInfo",
    "chain_matmul",
    "cholesky",
    "ger",
    "lu",
    "matrix_exp",
    "qr",
    "svd",
]


class SVD(NamedTuple):
    """``pt.svd``'s result: ``A = U @ diag(S) @ V.mH``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.svd(pt.eye(2)).S
    tensor([1., 1.], backend='numpy')
    """

    U: Any
    S: Any
    V: Any


class QR(NamedTuple):
    """``pt.qr``'s result: ``A = Q @ R``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.qr(pt.eye(2)).R.shape
    (2, 2)
    """

    Q: Any
    R: Any


class LUWithInfo(NamedTuple):
    """``pt.lu(A, get_infos=True)``'s result: the packed factors, the pivots and ``info`` (0,
    or the 1-based position of the first zero pivot).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.lu(pt.zeros(2, 2), get_infos=True).info.item()
    1
    """

    LU: Any
    pivots: Any
    info: Any


def _matrices(where: str, A: Any) -> None:
    _tensor_arg(where, A)
    if A.ndim < 2:
        raise RuntimeError(
            f"{where}(): the input must have at least 2 dimensions (a matrix or a stack of "
            f"them); got {A.ndim}"
        )


def _adjoint(x: Any) -> Any:
    t = matrix_transpose(x)
    return t.conj() if x.dtype.kind == "complex floating" else t


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> SVD:
    """PyTorch's ``torch.svd(A, some=True, compute_uv=True)``: ``(U, S, V)`` with
    ``A = U @ diag(S) @ V.mH`` (``pt.linalg.svd`` gives ``V.mH``, as ``Vh``); ``some=False``
    gives square ``U`` and ``V``; with ``compute_uv=False``, ``U`` and ``V`` are zeros of
    shape ``(..., m, m)`` and ``(..., n, n)``. Differentiable, as ``pt.linalg.svd`` (and
    ``pt.linalg.svdvals`` without ``U`` and ``V``).

    Examples
    --------
    >>> import polytensor as pt
    >>> a = pt.asarray([[3.0, 0.0], [0.0, -2.0]])
    >>> U, S, V = pt.svd(a)
    >>> S
    tensor([3., 2.], backend='numpy')
    >>> bool(pt.allclose(U @ pt.diag(S) @ V.mT, a))
    True
    """
    _matrices("svd", input)
    if not compute_uv:
        m, n = input.shape[-2], input.shape[-1]
        batch = tuple(input.shape[:-2])
        kw: dict[str, Any] = {"dtype": input.dtype, "device": input.device}
        return SVD(zeros((*batch, m, m), **kw), L.svdvals(input), zeros((*batch, n, n), **kw))
    u, s, vh = L.svd(input, full_matrices=not some)
    return SVD(u, s, _adjoint(vh))


def qr(input: Tensor, some: bool = True) -> QR:
    """PyTorch's ``torch.qr(A, some=True)``: ``pt.linalg.qr(A, mode="reduced")``, or
    ``mode="complete"`` with ``some=False``; differentiable, as ``pt.linalg.qr``.

    Examples
    --------
    >>> import polytensor as pt
    >>> Q, R = pt.qr(pt.asarray([[3.0, 1.0], [4.0, 2.0]]))
    >>> R
    tensor([[-5. , -2.2],
            [ 0. ,  0.4]], backend='numpy')
    """
    _matrices("qr", input)
    q, r = L.qr(input, mode="reduced" if some else "complete")
    return QR(q, r)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """PyTorch's ``torch.cholesky(A, upper=False)``: ``pt.linalg.cholesky(A, upper=upper)``;
    differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cholesky(pt.asarray([[4.0, 2.0], [2.0, 5.0]]))
    tensor([[2., 0.],
            [1., 2.]], backend='numpy')
    """
    _matrices("cholesky", input)
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(
            f"cholesky(): the input must be square matrices; got {input.shape[-2]} by "
            f"{input.shape[-1]}"
        )
    return L.cholesky(input, upper=bool(upper))  # type: ignore[no-any-return]


def ger(input: Tensor, vec2: Tensor) -> Tensor:
    """PyTorch's ``torch.ger(a, b)`` (and ``a.ger(b)``): the outer product of two 1-d
    tensors, ``pt.outer``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ger(pt.asarray([1, 2]), pt.asarray([3, 4]))
    tensor([[3, 4],
            [6, 8]], backend='numpy')
    """
    from ._pytorch import outer

    return outer(input, vec2)


def chain_matmul(*matrices: Tensor, out: Tensor | None = None) -> Tensor:
    """PyTorch's ``torch.chain_matmul(A, B, C, ...)``: the product of 2-d tensors, left to
    right (the same value as any other order); written into ``out=`` if given.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.chain_matmul(pt.eye(2), pt.asarray([[1.0, 2.0], [3.0, 4.0]]), pt.ones(2, 1))
    tensor([[3.],
            [7.]], backend='numpy')
    """
    from ._ops._registry import _into

    if not matrices:
        raise RuntimeError("chain_matmul() expects one or more matrices; got none")
    for m in matrices:
        _tensor_arg("chain_matmul", m)
        if m.ndim != 2:
            raise RuntimeError(
                f"chain_matmul() expects 2-d tensors; got a {m.ndim}-d one: use pt.matmul for "
                f"stacks or vectors"
            )
    # (one matrix: a copy of it, as an out-of-place result)
    result = functools.reduce(matmul, matrices) if len(matrices) > 1 else _copy(matrices[0])
    return result if out is None else _into(out, result, "chain_matmul")


def lu(input: Tensor, pivot: bool = True, get_infos: bool = False) -> Any:
    """PyTorch's ``torch.lu(A, pivot=True, get_infos=False)``: the LU factorisation with
    partial pivoting of a matrix (or a stack), packed as LAPACK's ``getrf`` packs it: ``U`` on
    and above the diagonal, ``L``'s multipliers below it (its unit diagonal left out), and the
    1-based int32 ``pivots`` (row ``i`` was swapped with row ``pivots[i] - 1``, in order);
    with ``get_infos=True`` also ``info`` (0, or the 1-based position of the first zero
    pivot, whose column is then left unscaled, as LAPACK leaves it). Differentiable: it is
    written with the table's operations, one elimination step a column.
    ``pivot=False`` factors without row swaps (PyTorch has it on CUDA only).

    Examples
    --------
    >>> import polytensor as pt
    >>> a = pt.asarray([[1.0, 2.0], [3.0, 4.0]])
    >>> packed, pivots = pt.lu(a)
    >>> packed
    tensor([[3.        , 4.        ],
            [0.33333334, 0.6666666 ]], backend='numpy')
    >>> pivots
    tensor([2, 2], dtype=polytensor.int32, backend='numpy')
    """
    from ._ops.creation import arange, full
    from ._ops.data_types import astype
    from ._ops.elementwise import abs as _abs
    from ._ops.indexing import take_along_axis
    from ._ops.manipulation import broadcast_to, concat, expand_dims, stack
    from ._ops.searching import argmax, where
    from ._ops.statistical import any as _any

    _matrices("lu", input)
    if input.dtype.kind not in ("real floating", "complex floating"):
        raise TypeError(
            f"lu() takes floating-point matrices; got {input.dtype.name}: cast with x.double()"
        )
    m, n = _size("lu", input, -2), _size("lu", input, -1)
    batch = tuple(input.shape[:-2])
    rows = arange(m, device=input.device)
    a = input
    pivots: list[Any] = []
    zero: list[Any] = []
    for j in range(min(m, n)):
        if pivot:  # (the first of the largest magnitudes, as LAPACK's idamax)
            p = argmax(_abs(a[..., j:, j]), axis=-1) + j
        else:
            p = full(batch, j, dtype=rows.dtype, device=input.device)
        pivots.append(p)
        pe = expand_dims(p, axis=-1)
        order = where(rows == j, pe, where(rows == pe, j, rows))  # (rows j and p swapped)
        a = take_along_axis(a, broadcast_to(expand_dims(order, axis=-1), (*batch, m, n)), axis=-2)
        head = a[..., j, j]
        zero.append(head == 0)
        if j + 1 == m:
            break
        safe = expand_dims(where(head == 0, 1, head), axis=-1)
        below = a[..., j + 1 :, j]
        factors = where(expand_dims(head == 0, axis=-1), below, below / safe)
        trailing = (
            a[..., j + 1 :, j + 1 :] - expand_dims(factors, axis=-1) * a[..., j : j + 1, j + 1 :]
        )
        lower = concat([a[..., j + 1 :, :j], expand_dims(factors, axis=-1), trailing], axis=-1)
        a = concat([a[..., : j + 1, :], lower], axis=-2)
    packed_pivots = astype(stack(pivots, axis=-1) + 1, dt.int32)
    if not get_infos:
        return a, packed_pivots
    flags = stack(zero, axis=-1)
    first = astype(argmax(astype(flags, dt.int32), axis=-1) + 1, dt.int32)
    info = where(_any(flags, axis=-1), first, astype(full((), 0), dt.int32))
    return LUWithInfo(a, packed_pivots, info)


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential of a square matrix (or of each of a stack of them), as PyTorch's
    ``torch.matrix_exp`` / ``torch.linalg.matrix_exp`` and ``A.matrix_exp()``.

    By scaling and squaring a degree-18 Taylor polynomial: ``A / 2**s`` has norm at most 1/2,
    where the truncation error is below float64's precision; written with polytensor
    operations, so it differentiates as they do. Note: the scaling is the largest in the stack
    (read on the host: a Dask tensor's norm is computed).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.matrix_exp(pt.zeros((2, 2)))
    tensor([[1., 0.],
            [0., 1.]], backend='numpy')
    """
    _tensor_arg("matrix_exp", A)
    if A.dtype.kind not in ("real floating", "complex floating"):
        raise dt.DtypeNotImplementedError(
            f"matrix_exp() expects a floating-point or complex tensor; got {A.dtype.name}; "
            f"cast it with A.double()"
        )
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(
            f"matrix_exp() expects a square matrix or a stack of them; got shape {tuple(A.shape)}"
        )
    n = int(A.shape[-1])  # type: ignore[arg-type]  # (known: checked square above)
    if A.size == 0:
        return A * 1
    with no_grad():
        norm = float(_max(_sum(_abs(A), axis=-1)))  # the largest (infinity-)norm in the batch
    if not math.isfinite(norm):  # (an infinite or NaN element: all NaN, as PyTorch's)
        return A * float("nan")
    s = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    b = A / (2.0**s) if s else A
    identity = eye(n, dtype=A.dtype, device=A.device)
    result = identity + b / 18.0
    for k in range(17, 0, -1):  # Horner: I + b/1 (I + b/2 (... (I + b/18)))
        result = identity + (b @ result) / float(k)
    for _ in range(s):
        result = result @ result
    return result
