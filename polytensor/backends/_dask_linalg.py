# mypy: disable-error-code="no-untyped-call"
# (dask ships no type annotations)
"""The standard's ``linalg`` functions on Dask arrays, lazily.

``dask.array.linalg`` covers single 2-D matrices only (no stacks), leans on SciPy for ``inv`` and
``solve``, and lacks ``det``, ``slogdet``, ``eig*``, ``pinv``, ``matrix_power``, ``cross``,
``full_matrices=True`` and ``mode="complete"``. Here each function is a generalised ufunc over
NumPy's stacked ``numpy.linalg`` (``dask.array.apply_gufunc``): the two core (matrix) axes are
rechunked to one chunk, the stack axes stay chunked and are mapped block by block. Nothing is
computed; every function returns task graphs of known shape and dtype.

The one exception to the gufunc route is a tall-and-skinny 2-D matrix split into row blocks only,
which keeps Dask's own communication-avoiding ``qr``/``svd`` (TSQR): it never gathers the matrix.

Also here: ``matrix_power`` by repeated lazy ``matmul``, ``cross`` from element-wise products,
``matrix_norm`` with ``ord=2/-2/"nuc"`` on stacks (from ``svdvals``), and the products Dask gets
wrong: ``matmul`` (no size checks; widened integer dtypes across chunks), ``vecdot`` and
``tensordot`` (widened integer dtypes; wrong shapes with negative axes and empty contractions).
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any, NamedTuple

import dask.array as da
import numpy as np

from ._dask_creation import eye as _eye
from ._fixes import non_finite_svd

__all__ = ["OVERRIDES", "overrides"]


class EighResult(NamedTuple):
    eigenvalues: Any
    eigenvectors: Any


class EigResult(NamedTuple):
    eigenvalues: Any
    eigenvectors: Any


class QRResult(NamedTuple):
    Q: Any
    R: Any


class SlogdetResult(NamedTuple):
    sign: Any
    logabsdet: Any


class SVDResult(NamedTuple):
    U: Any
    S: Any
    Vh: Any


def _real(dtype: Any) -> np.dtype[Any]:
    """The real dtype of the same precision (float32 for complex64)."""
    return np.empty(0, dtype=dtype).real.dtype


def _complex(dtype: Any) -> np.dtype[Any]:
    """The complex dtype of the same precision (complex64 for float32)."""
    return np.result_type(dtype, np.complex64)


def _matrices(where: str, x: Any, *, square: bool = False) -> None:
    if x.ndim < 2:
        raise ValueError(
            f"linalg.{where}() expects a stack of matrices (at least 2 dimensions); "
            f"got shape {x.shape}"
        )
    if square and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"linalg.{where}() expects square matrices; got shape {x.shape}")


def _named(where: str, fn: Any) -> Any:
    """``fn`` (NumPy's, run in a task) with its errors naming ``linalg.<where>()``: a singular or
    not positive-definite matrix shows only when the task runs."""

    def run(*blocks: Any) -> Any:
        try:
            return fn(*blocks)
        except ValueError as e:  # (LinAlgError is one): the same class, with the name
            if f"{where}(" in str(e):
                raise
            try:
                named = type(e)(f"linalg.{where}(): {e}")
            except Exception:  # noqa: BLE001 - another constructor: a plain ValueError
                named = ValueError(f"linalg.{where}(): {e}")
            raise named from None

    return run


def _gufunc(where: str, fn: Any, signature: str, *args: Any, dtypes: Any, sizes: Any = None) -> Any:
    fn = _named(where, fn)
    # allow_rechunk: the core (matrix) axes become one chunk, loop (stack) axes stay chunked.
    rechunk = True
    cores = [
        0 if not spec.strip("()") else len(spec.strip("()").split(","))
        for spec in signature.split("->", maxsplit=1)[0].replace("),(", ")|(").split("|")
    ]
    # Note: apply_gufunc's own rechunking leaves a core dimension named twice ("(n,n)") split
    # two ways when rows and columns are chunked differently (chunks=(3, 2)): computing then
    # fails with "Shapes do not align". The core axes are made one chunk here first.
    args = tuple(
        a.rechunk(dict.fromkeys(range(a.ndim - c, a.ndim), -1))
        if isinstance(a, da.Array) and c and 0 not in a.shape
        else a
        for a, c in zip(args, cores, strict=False)
    )
    if any(0 in a.shape for a in args):
        # Note: apply_gufunc's rechunking divides by the largest chunk, 0 for an empty axis;
        # empty inputs hold no data, so one chunk each costs nothing. Its loop dimensions do not
        # broadcast 1 against 0 either: broadcast them first.
        arrays = [(a, c) for a, c in zip(args, cores, strict=False) if isinstance(a, da.Array)]
        batch = np.broadcast_shapes(*(a.shape[: a.ndim - c] for a, c in arrays))
        args = tuple(
            da.broadcast_to(a, batch + a.shape[a.ndim - c :]).rechunk(-1)
            if isinstance(a, da.Array) and a.ndim > c
            else (a.rechunk(-1) if isinstance(a, da.Array) else a)
            for a, c in zip(args, cores, strict=False)
        )
        rechunk = False
    with warnings.catch_warnings():
        # Dask builds each output's meta by casting an empty array of the first input's dtype
        # to the output's (meta_from_array): complex input, real output (svdvals, eigvalsh)
        # warns that the imaginary part is discarded, of an array that holds nothing
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        return da.apply_gufunc(
            fn,
            signature,
            *args,
            output_dtypes=dtypes,
            output_sizes=sizes,
            allow_rechunk=rechunk,
            vectorize=False,
        )


def _tall_skinny(x: Any) -> bool:
    """True for a 2-D matrix split into row blocks only, each block at least as tall as wide:
    the shape Dask's TSQR (``da.linalg.qr``/``svd``) handles without gathering the matrix."""
    return bool(
        x.ndim == 2
        and x.numblocks[1] == 1
        and x.numblocks[0] > 1
        and x.shape[1] > 0
        and min(x.chunks[0]) >= x.shape[1]
    )


# -- decompositions ----------------------------------------------------------------------------
def cholesky(x: Any, /, *, upper: bool = False) -> Any:
    _matrices("cholesky", x, square=True)
    return _gufunc(
        "cholesky", lambda a: np.linalg.cholesky(a, upper=upper), "(n,n)->(n,n)", x, dtypes=x.dtype
    )


def qr(x: Any, /, *, mode: str = "reduced") -> QRResult:
    _matrices("qr", x)
    if mode not in ("reduced", "complete"):
        raise ValueError(f"linalg.qr() got mode={mode!r}; expected 'reduced' or 'complete'")
    m, n = x.shape[-2:]
    if mode == "reduced" and _tall_skinny(x):
        q, r = da.linalg.qr(x)
        return QRResult(q, r)
    if mode == "complete":
        sig, sizes = "(m,n)->(m,m),(m,n)", None
    else:
        sig, sizes = "(m,n)->(m,k),(k,n)", {"k": min(m, n)}
    how: Any = mode  # checked above; NumPy's stubs want a literal
    q, r = _gufunc(
        "qr",
        lambda a: tuple(np.linalg.qr(a, mode=how)),
        sig,
        x,
        dtypes=(x.dtype, x.dtype),
        sizes=sizes,
    )
    return QRResult(q, r)


# NumPy's svd and pinv, with NaN for a matrix holding an infinity (where LAPACK never returns)
# or a NaN (where it refuses), per block
_SVD = non_finite_svd(np, "svd")
_PINV = non_finite_svd(np, "pinv")


def svd(x: Any, /, *, full_matrices: bool = True) -> SVDResult:
    _matrices("svd", x)
    m, n = x.shape[-2:]
    real = _real(x.dtype)
    if not full_matrices and _tall_skinny(x):
        u, s, vh = da.linalg.svd(x, coerce_signs=False)
        return SVDResult(u, s, vh)
    if full_matrices:
        sig = "(m,n)->(m,m),(k),(n,n)"
    else:
        sig = "(m,n)->(m,k),(k),(k,n)"
    u, s, vh = _gufunc(
        "svd",
        lambda a: tuple(_SVD(a, full_matrices=full_matrices)),
        sig,
        x,
        dtypes=(x.dtype, real, x.dtype),
        sizes={"k": min(m, n)},
    )
    return SVDResult(u, s, vh)


def svdvals(x: Any, /) -> Any:
    _matrices("svdvals", x)
    m, n = x.shape[-2:]
    return _gufunc(
        "svdvals", np.linalg.svdvals, "(m,n)->(k)", x, dtypes=_real(x.dtype), sizes={"k": min(m, n)}
    )


def eigh(x: Any, /) -> EighResult:
    _matrices("eigh", x, square=True)
    w, v = _gufunc(
        "eigh",
        lambda a: tuple(np.linalg.eigh(a)),
        "(n,n)->(n),(n,n)",
        x,
        dtypes=(_real(x.dtype), x.dtype),
    )
    return EighResult(w, v)


def eigvalsh(x: Any, /) -> Any:
    _matrices("eigvalsh", x, square=True)
    return _gufunc("eigvalsh", np.linalg.eigvalsh, "(n,n)->(n)", x, dtypes=_real(x.dtype))


def eig(x: Any, /) -> EigResult:
    _matrices("eig", x, square=True)
    c = _complex(x.dtype)

    # Note: NumPy returns real arrays when every eigenvalue is real; the standard always
    # wants the complex dtype of the input's precision.
    def fn(a: Any) -> tuple[Any, Any]:
        w, v = np.linalg.eig(a)
        return w.astype(c, copy=False), v.astype(c, copy=False)

    w, v = _gufunc("eig", fn, "(n,n)->(n),(n,n)", x, dtypes=(c, c))
    return EigResult(w, v)


def eigvals(x: Any, /) -> Any:
    _matrices("eigvals", x, square=True)
    c = _complex(x.dtype)
    return _gufunc(
        "eigvals", lambda a: np.linalg.eigvals(a).astype(c, copy=False), "(n,n)->(n)", x, dtypes=c
    )


# -- inverses, solves, determinants ------------------------------------------------------------
def det(x: Any, /) -> Any:
    _matrices("det", x, square=True)
    return _gufunc("det", np.linalg.det, "(n,n)->()", x, dtypes=x.dtype)


def slogdet(x: Any, /) -> SlogdetResult:
    _matrices("slogdet", x, square=True)
    sign, logabs = _gufunc(
        "slogdet",
        lambda a: tuple(np.linalg.slogdet(a)),
        "(n,n)->(),()",
        x,
        dtypes=(x.dtype, _real(x.dtype)),
    )
    return SlogdetResult(sign, logabs)


def inv(x: Any, /) -> Any:
    _matrices("inv", x, square=True)
    return _gufunc("inv", np.linalg.inv, "(n,n)->(n,n)", x, dtypes=x.dtype)


def solve(x1: Any, x2: Any, /) -> Any:
    _matrices("solve", x1, square=True)
    dtype = np.result_type(x1.dtype, x2.dtype)
    # The standard (and NumPy 2): a 1-D x2 is one vector, anything else a stack of matrices.
    sig = "(m,m),(m)->(m)" if x2.ndim == 1 else "(m,m),(m,k)->(m,k)"
    if x2.ndim >= 2:
        da.core.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])  # ValueError when incompatible
    if x2.shape[-1 if x2.ndim == 1 else -2] != x1.shape[-1]:
        raise ValueError(f"linalg.solve() got incompatible shapes {x1.shape} and {x2.shape}")
    return _gufunc(
        "solve",
        np.linalg.solve,
        sig,
        x1.astype(dtype, copy=False),
        x2.astype(dtype, copy=False),
        dtypes=dtype,
    )


def pinv(x: Any, /, *, rtol: Any = None) -> Any:
    _matrices("pinv", x)
    if rtol is None or not isinstance(rtol, da.Array):
        tol: Any = rtol  # None: NumPy's max(M, N) * eps, the standard's default
        return _gufunc("pinv", lambda a: _PINV(a, rtol=tol), "(m,n)->(n,m)", x, dtypes=x.dtype)
    # An array rtol broadcasts against the stack shape x.shape[:-2] (and, as in NumPy, does
    # not add dimensions to it: checked here, or the task would fail when computed).
    stack = x.shape[:-2]
    try:
        fits = np.broadcast_shapes(stack, rtol.shape) == stack
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"linalg.pinv() got rtol of shape {rtol.shape}, which does not broadcast to the "
            f"stack shape {stack} of x (shape {x.shape})"
        )
    return _gufunc(
        "pinv", lambda a, r: _PINV(a, rtol=r), "(m,n),()->(n,m)", x, rtol, dtypes=x.dtype
    )


def matrix_rank(x: Any, /, *, rtol: Any = None) -> Any:
    _matrices("matrix_rank", x)
    m, n = x.shape[-2:]
    if 0 in x.shape:  # Note: Dask's max fails on empty stacks; empty means rank 0 or no ranks
        return da.zeros(x.shape[:-2], dtype=np.int64)
    s = svdvals(x)
    if rtol is None:
        rtol = max(m, n) * np.finfo(s.dtype).eps
    elif isinstance(rtol, da.Array):
        rtol = rtol[..., None]
    tol = da.max(s, axis=-1, keepdims=True) * rtol
    return da.count_nonzero(s > tol, axis=-1).astype(np.int64)


def _vector_norm(raw: Any) -> Any:
    def vector_norm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Any:
        if x.size == 0 and not any(math.isnan(n) for n in x.shape):
            # Note: Dask's max/min over an empty axis fail only when computed, in NumPy's words
            # (which name no function); the norm of an empty tensor depends on its shape only:
            # NumPy's answer, or its refusal, for a stand-in of that shape holding no data.
            stand_in = np.broadcast_to(np.zeros((), dtype=x.dtype), x.shape)
            try:
                out = np.linalg.vector_norm(stand_in, axis=axis, keepdims=keepdims, ord=ord)
            except ValueError as e:
                raise ValueError(
                    f"linalg.vector_norm(ord={ord!r}) of an empty tensor of shape "
                    f"{tuple(x.shape)}: {e}; the norm needs at least one element per vector"
                ) from None
            return da.from_array(np.asarray(out))
        return raw(x, axis=axis, keepdims=keepdims, ord=ord)

    return vector_norm


def _matrix_norm(raw: Any) -> Any:
    def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
        if ord not in (2, -2, "nuc", "fro") and 0 in x.shape[:-2] and x.shape[-2] and x.shape[-1]:
            # Note: Dask's max/min of an empty stack fail; each (absent) matrix has a norm
            out = da.zeros(x.shape[:-2], dtype=da.real(x[..., :1, :1]).dtype)
            return out[..., None, None] if keepdims else out
        if ord not in (2, -2, "nuc", "fro") and 0 in x.shape[-2:]:
            # Note: Dask's max/min over an empty axis fail when computed ("chunk size or shape
            # is unknown"); the norm of empty matrices depends on their shape only: NumPy's
            # answer (or its error) for a stand-in of that shape, which holds no data.
            stand_in = np.broadcast_to(np.zeros((), dtype=x.dtype), x.shape)
            return da.from_array(np.linalg.matrix_norm(stand_in, keepdims=keepdims, ord=ord))
        if ord not in (2, -2, "nuc"):
            return raw(x, keepdims=keepdims, ord=ord)  # Dask's reductions, stacks included
        # Note: Dask's norm does the singular-value ones only for a single 2-D matrix.
        _matrices("matrix_norm", x)
        s = svdvals(x)
        if ord == "nuc":
            out = da.sum(s, axis=-1)
        elif s.size == 0:  # Note: Dask's max/min fail on empty stacks too
            if ord == -2 and s.shape[-1] == 0:
                raise ValueError(
                    "linalg.matrix_norm(ord=-2) of an empty matrix: the smallest "
                    "singular value of none is undefined"
                )
            out = da.zeros(s.shape[:-1], dtype=s.dtype)
        else:
            out = da.max(s, axis=-1) if ord == 2 else da.min(s, axis=-1)
        return out[..., None, None] if keepdims else out

    return matrix_norm


def matrix_power(x: Any, n: int, /) -> Any:
    _matrices("matrix_power", x, square=True)
    n = operator.index(n)
    if n == 0:
        eye = _eye(x.shape[-1], dtype=x.dtype, chunks=x.chunks[-2:])
        return da.broadcast_to(eye, x.shape, chunks=x.chunks)
    base = inv(x) if n < 0 else x
    n = abs(n)
    result = None
    # Exponentiation by squaring, as numpy.linalg.matrix_power: O(log n) lazy matmuls.
    while True:
        if n & 1:
            result = base if result is None else da.matmul(result, base)
        n >>= 1
        if not n:
            return result
        base = da.matmul(base, base)


# -- products ----------------------------------------------------------------------------------
def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    nd = min(x1.ndim, x2.ndim)
    if not -nd <= axis < 0 and not 0 <= axis < nd:
        raise ValueError(
            f"linalg.cross() got axis={axis} for arrays of {x1.ndim} and {x2.ndim} dimensions"
        )
    if axis >= 0:  # counts from the end, as in the standard's broadcasting of stacks
        axis -= nd
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError(
            f"linalg.cross() expects size 3 along axis {axis}; got shapes {x1.shape} and {x2.shape}"
        )
    a = da.moveaxis(x1, axis, -1)
    b = da.moveaxis(x2, axis, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    out = da.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return da.moveaxis(out, -1, axis)


def matmul(x1: Any, x2: Any, /) -> Any:
    # Note: dask.array.matmul checks no sizes: (0, 1) @ (2, 3) gives a (0, 3) array, and
    # (2, 2, 3) @ (0, 3, 2) a (2, 3, 3) one. It also sums integer partial products across chunks
    # in NumPy's default accumulator dtype (uint8 @ uint8 comes back uint64).
    if x1.ndim == 0 or x2.ndim == 0:
        raise ValueError(
            f"matmul() expects arrays of at least 1 dimension; got shapes {x1.shape} and {x2.shape}"
        )
    k2 = x2.shape[0] if x2.ndim == 1 else x2.shape[-2]
    if x1.shape[-1] != k2:
        raise ValueError(
            f"matmul() got shapes {x1.shape} and {x2.shape}: the last dimension "
            f"of x1 ({x1.shape[-1]}) differs from the contracted one of x2 ({k2})"
        )
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise ValueError(
            f"matmul() got shapes {x1.shape} and {x2.shape} whose stacks do not broadcast"
        ) from None
    return da.matmul(x1, x2).astype(np.result_type(x1.dtype, x2.dtype), copy=False)


def _vecdot(raw: Any) -> Any:
    def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
        # Note: the compat vecdot is a Dask matmul, with its accumulator dtype (see matmul).
        return raw(x1, x2, axis=axis).astype(np.result_type(x1.dtype, x2.dtype), copy=False)

    return vecdot


def tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Any:
    # Note: dask sums the partial products with NumPy's default accumulator dtype, so
    # tensordot(uint32, uint32) comes back uint64; the standard wants the promoted input dtype.
    dtype = np.result_type(x1.dtype, x2.dtype)
    if not isinstance(axes, int):
        # Note: with negative axes and an empty contraction, Dask drops result dimensions at
        # compute time (a (3, 2, 1) array computes to (1, 2, 1)); count them from the start.
        a1, a2 = axes
        axes = (
            tuple(a % x1.ndim if x1.ndim else a for a in a1),
            tuple(a % x2.ndim if x2.ndim else a for a in a2),
        )
    _contracted_sizes(x1, x2, axes)
    return da.tensordot(x1, x2, axes=axes).astype(dtype, copy=False)


def _contracted_sizes(x1: Any, x2: Any, axes: Any) -> None:
    """Refuse axes of ``tensordot`` whose lengths differ while building the graph (Dask does not
    compare them: its tasks fail when computed, with NumPy's "shape-mismatch for sum")."""
    if isinstance(axes, int):
        if not 0 <= axes <= min(x1.ndim, x2.ndim):
            raise ValueError(
                f"tensordot() got axes={axes} for arrays of {x1.ndim} and {x2.ndim} "
                f"dimensions; expected 0 <= axes <= {min(x1.ndim, x2.ndim)}"
            )
        pairs = list(zip(range(x1.ndim - axes, x1.ndim), range(axes), strict=True))
    else:
        a1, a2 = axes
        if len(a1) != len(a2):
            return
        pairs = list(zip(a1, a2, strict=True))
    for i, j in pairs:
        if -x1.ndim <= i < x1.ndim and -x2.ndim <= j < x2.ndim and x1.shape[i] != x2.shape[j]:
            raise ValueError(
                f"tensordot() contracts axis {i} of x1 (length {x1.shape[i]}) with axis {j} "
                f"of x2 (length {x2.shape[j]}); contracted axes need equal lengths (shapes "
                f"{x1.shape} and {x2.shape})"
            )


OVERRIDES: dict[str, Any] = {
    "linalg.cholesky": cholesky,
    "linalg.cross": cross,
    "linalg.det": det,
    "linalg.eig": eig,
    "linalg.eigh": eigh,
    "linalg.eigvals": eigvals,
    "linalg.eigvalsh": eigvalsh,
    "linalg.inv": inv,
    "linalg.matrix_power": matrix_power,
    "linalg.matrix_rank": matrix_rank,
    "linalg.pinv": pinv,
    "linalg.qr": qr,
    "linalg.slogdet": slogdet,
    "linalg.solve": solve,
    "linalg.svd": svd,
    "linalg.svdvals": svdvals,
    "tensordot": tensordot,
    "matmul": matmul,
}


def overrides(xp: Any) -> dict[str, Any]:
    """The overrides of this module, for the compat namespace ``xp``."""
    return {
        **OVERRIDES,
        "vecdot": _vecdot(xp.vecdot),
        "linalg.matrix_norm": _matrix_norm(xp.linalg.matrix_norm),
        "linalg.vector_norm": _vector_norm(xp.linalg.vector_norm),
    }
