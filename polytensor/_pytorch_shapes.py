"""PyTorch's namespace functions for shapes, products and reductions that the standard spells
otherwise or lacks: ``fliplr``, ``rot90``, ``atleast_2d``, ``diagonal``, ``take_along_dim``,
``addmm`` and its family, ``inner``, ``dist``, ``aminmax``, ``std_mean``, ``logspace``,
``clone``, ``promote_types``, the ``is_*`` predicates, and ``as_compiled`` (``pt.compile``).

Each is written with the standard's operations (so the differentiable ones differentiate on
every backend) and keeps PyTorch's arguments and conventions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from . import _config, _pytorch
from . import _dtypes as dt
from ._checks import BroadcastError, DimArgumentError
from ._ops import linalg as L
from ._ops import statistical
from ._ops.creation import full, linspace
from ._ops.data_types import astype, result_type
from ._ops.elementwise import log, pow
from ._ops.indexing import take_along_axis
from ._ops.linear_algebra import tensordot, vecdot
from ._ops.manipulation import flip, moveaxis, reshape
from ._ops.searching import where
from ._ops.sorting import sort
from ._pytorch_more import _tensor_arg
from ._shapes import check_dim

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "addbmm",
    "addmm",
    "addmv",
    "addr",
    "adjoint",
    "aminmax",
    "argwhere",
    "as_compiled",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "baddbmm",
    "clone",
    "cross",
    "diagonal",
    "dist",
    "fliplr",
    "flipud",
    "inner",
    "is_complex",
    "is_nonzero",
    "is_same_size",
    "is_signed",
    "logdet",
    "logspace",
    "msort",
    "pinverse",
    "promote_types",
    "ravel",
    "rot90",
    "std_mean",
    "take_along_dim",
    "unflatten",
    "var_mean",
    "vdot",
]


# -- flips, rotations and views of the elements ------------------------------------------------
def fliplr(input: Tensor) -> Tensor:
    """The columns in reverse order (``dim`` 1 flipped), as ``torch.fliplr``; 2-d or more.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fliplr(pt.asarray([[1, 2], [3, 4]]))
    tensor([[2, 1],
            [4, 3]], backend='numpy')
    """
    x = _tensor_arg("fliplr", "input", input)
    if x.ndim < 2:
        raise DimArgumentError(f"fliplr(): input must be >= 2-d; got a {x.ndim}-d tensor")
    return flip(x, axis=1)


def flipud(input: Tensor) -> Tensor:
    """The rows in reverse order (``dim`` 0 flipped), as ``torch.flipud``; 1-d or more.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.flipud(pt.asarray([[1, 2], [3, 4]]))
    tensor([[3, 4],
            [1, 2]], backend='numpy')
    """
    x = _tensor_arg("flipud", "input", input)
    if x.ndim < 1:
        raise DimArgumentError("flipud(): input must be >= 1-d; got a 0-d tensor")
    return flip(x, axis=0)


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """The tensor turned by ``k`` quarter turns in the plane of ``dims``, from the first
    towards the second, as ``torch.rot90``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.rot90(pt.asarray([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]], backend='numpy')
    """
    x = _tensor_arg("rot90", "input", input)
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"rot90() expects an int k; got {k!r}")
    d = tuple(dims) if isinstance(dims, (list, tuple)) else None
    if d is None or len(d) != 2:
        raise DimArgumentError(
            f"rot90(): expected total rotation dims == 2, but got dims = {dims!r}"
        )
    if x.ndim < 2:
        raise DimArgumentError(f"rot90(): expected total dims >= 2, but got total dims = {x.ndim}")
    d0, d1 = check_dim("rot90", d[0], x.ndim), check_dim("rot90", d[1], x.ndim)
    if d0 == d1:
        raise DimArgumentError(
            f"rot90(): expected rotation dims to be different; got {d0} and {d1}"
        )
    k %= 4
    if k == 0:
        return x.clone()
    if k == 2:
        return flip(x, axis=(d0, d1))
    turned = flip(x, axis=d1 if k == 1 else d0)
    return _pytorch.transpose(turned, d0, d1)


def ravel(input: Tensor) -> Tensor:
    """The elements in one dimension, as ``torch.ravel`` (``x.reshape(-1)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ravel(pt.asarray([[1, 2], [3, 4]]))
    tensor([1, 2, 3, 4], backend='numpy')
    """
    return _tensor_arg("ravel", "input", input).reshape(-1)


def msort(input: Tensor) -> Tensor:
    """The elements sorted along the first dimension, as ``torch.msort``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.msort(pt.asarray([[3, 1], [2, 4]]))
    tensor([[2, 1],
            [3, 4]], backend='numpy')
    """
    x = _tensor_arg("msort", "input", input)
    if x.ndim == 0:
        return x.clone()
    if x.dtype is dt.bool:  # (False before True, as PyTorch's; the standard's sort takes numbers)
        return astype(sort(astype(x, dt.uint8), axis=0), dt.bool)
    return sort(x, axis=0)


def _each(where: str, tensors: tuple[Any, ...], fn: Callable[[Tensor], Tensor]) -> Any:
    """``fn`` of one tensor, or the tuple of ``fn`` of each (given as arguments or as one
    list or tuple), as PyTorch's ``atleast_1d``."""
    items = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    if not items:
        raise TypeError(f"{where}() expects one or more tensors")
    done = tuple(fn(_tensor_arg(where, "input", t)) for t in items)
    return done[0] if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)) else done


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least one dimension (a 0-d one becomes shape (1,)), as
    ``torch.atleast_1d``: one tensor for one, a tuple for several or for a list.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.atleast_1d(pt.asarray(3.0)).shape
    (1,)
    """
    # (views, as PyTorch's: the method's reshape)
    return _each("atleast_1d", tensors, lambda x: x if x.ndim >= 1 else x.reshape(1))


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least two dimensions (shape (n,) becomes (1, n)), as
    ``torch.atleast_2d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.atleast_2d(pt.asarray([1, 2, 3])).shape
    (1, 3)
    """

    def at_least(x: Tensor) -> Tensor:
        return x if x.ndim >= 2 else x.reshape((1, *x.shape) if x.ndim == 1 else (1, 1))

    return _each("atleast_2d", tensors, at_least)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least three dimensions, as ``torch.atleast_3d``: shape (n,)
    becomes (1, n, 1), (m, n) becomes (m, n, 1).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.atleast_3d(pt.asarray([1, 2, 3])).shape
    (1, 3, 1)
    """

    def at_least(x: Tensor) -> Tensor:
        if x.ndim >= 3:
            return x
        shape = {0: (1, 1, 1), 1: (1, *x.shape, 1), 2: (*x.shape, 1)}[x.ndim]
        return x.reshape(shape)

    return _each("atleast_3d", tensors, at_least)


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    """Dimension ``dim`` split into ``sizes`` (one may be -1), as ``torch.unflatten`` (and
    ``x.unflatten(dim, sizes)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.unflatten(pt.ones(2, 6), 1, (3, -1)).shape
    (2, 3, 2)
    """
    x = _tensor_arg("unflatten", "input", input)
    d = check_dim("unflatten", dim, x.ndim)
    if not isinstance(sizes, (list, tuple)) or not sizes:
        raise TypeError(f"unflatten() expects a non-empty tuple or list of sizes; got {sizes!r}")
    shape = tuple(x.shape)
    return x.reshape(*shape[:d], *sizes, *shape[d + 1 :])


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dimensions, as ``torch.adjoint`` (and
    ``x.adjoint()``; ``x.mH``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.adjoint(pt.asarray([[1, 2], [3, 4]]))
    tensor([[1, 3],
            [2, 4]], backend='numpy')
    """
    return _tensor_arg("adjoint", "input", input).mH


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """The elements at ``indices`` along ``dim``, as ``torch.take_along_dim``
    (``pt.take_along_axis``); without ``dim``, of the flattened tensor.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([[10, 30, 20], [60, 40, 50]])
    >>> pt.take_along_dim(x, pt.asarray([[1], [0]]), dim=1)
    tensor([[30],
            [60]], backend='numpy')
    """
    x = _tensor_arg("take_along_dim", "input", input)
    idx = _tensor_arg("take_along_dim", "indices", indices)
    if idx.dtype.kind not in ("signed integer", "unsigned integer"):
        raise TypeError(
            f"take_along_dim(): dtype of indices should be int64 but got {idx.dtype.name}; "
            f"cast with indices.long()"
        )
    if dim is None:
        return take_along_axis(reshape(x, (-1,)), reshape(idx, (-1,)), axis=0)
    if x.ndim != idx.ndim:
        raise DimArgumentError(
            f"take_along_dim(): input and indices should have the same number of dimensions, "
            f"but got {x.ndim} dimensions for input, and {idx.ndim} dimensions for indices"
        )
    d = check_dim("take_along_dim", dim, x.ndim)
    for i, (a, b) in enumerate(zip(x.shape, idx.shape, strict=True)):
        if i != d and a is not None and b is not None and a != b and 1 not in (a, b):
            raise BroadcastError(
                f"take_along_dim(): the size of input ({a}) must match the size of indices "
                f"({b}) at dimension {i}, or one of them be 1 (the dimensions but dim "
                f"broadcast); input {tuple(x.shape)}, indices {tuple(idx.shape)}"
            )
    return take_along_axis(x, idx, axis=d)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the matrices in the plane of ``dim1`` and ``dim2`` (above it for
    ``offset > 0``), as ``torch.diagonal``: the other dimensions first, then the diagonal.

    A view, as PyTorch's: a change of it in place reaches ``input`` (and is differentiated as
    PyTorch's ``diagonal_scatter``), a change of ``input`` shows in it.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.diagonal(pt.asarray([[1, 2], [3, 4]]))
    tensor([1, 4], backend='numpy')
    >>> x = pt.zeros((2, 3))
    >>> _ = x.diagonal(offset=1).add_(5.0)
    >>> x
    tensor([[0., 5., 0.],
            [0., 0., 5.]], backend='numpy')
    """
    x = _tensor_arg("diagonal", "input", input)
    if x.ndim < 2:
        raise ValueError(f"diagonal(): expected a tensor of 2 or more dimensions; got {x.ndim}")
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise TypeError(f"diagonal() expects an int offset; got {offset!r}")
    d1, d2 = check_dim("diagonal", dim1, x.ndim), check_dim("diagonal", dim2, x.ndim)
    if d1 == d2:
        raise ValueError(f"diagonal(): dim1 and dim2 cannot be the same dimension; got {d1}")
    if _diagonal_view is not None:
        return _diagonal_view(x, offset, d1, d2)
    return cast("Tensor", L.diagonal(moveaxis(x, (d1, d2), (-2, -1)), offset=offset))


# the diagonal as a view of its input (``_tensor_ops.diagonal_view``, of the Tensor's layer
# above this one, which registers it when it loads)
_diagonal_view: Callable[..., Tensor] | None = None


def register_diagonal_view(fn: Callable[..., Tensor]) -> None:
    """Make ``diagonal`` return ``fn(x, offset, dim1, dim2)``, a view of ``x``."""
    global _diagonal_view
    _diagonal_view = fn


# -- products ----------------------------------------------------------------------------------
def inner(input: Tensor, other: Tensor) -> Tensor:
    """The sums of products over the last dimension of both, as ``torch.inner`` (a 0-d
    operand scales the other).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.inner(pt.asarray([[1.0, 2.0], [3.0, 4.0]]), pt.asarray([1.0, 1.0]))
    tensor([3., 7.], backend='numpy')
    """
    a, b = _tensor_arg("inner", "input", input), _tensor_arg("inner", "other", other)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    return tensordot(a, b, axes=((a.ndim - 1,), (b.ndim - 1,)))


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """The dot product of two 1-d tensors, the first conjugated, as ``torch.vdot``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.vdot(pt.asarray([1j, 2.0]), pt.asarray([1j, 1.0]))
    tensor(3.+0.j, dtype=polytensor.complex64, backend='numpy')
    """
    a, b = _tensor_arg("vdot", "input", input), _tensor_arg("vdot", "other", other)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors: vdot() takes two "
            f"vectors"
        )
    if a.dtype is not b.dtype:
        raise TypeError(
            f"vdot: expected both vectors to have same dtype, but found {a.dtype.name} and "
            f"{b.dtype.name}; cast one with .to(...)"
        )
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements"
        )
    return vecdot(a, b)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The ``p``-norm of ``input - other`` (broadcast), as ``torch.dist``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.dist(pt.asarray([0.0, 0.0]), pt.asarray([3.0, 4.0]))
    tensor(5., backend='numpy')
    """
    a, b = _tensor_arg("dist", "input", input), _tensor_arg("dist", "other", other)
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"dist() expects a number p; got {p!r}")
    return cast("Tensor", L.vector_norm(a - b, ord=float(p)))


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (broadcast), as ``torch.cross``; without
    ``dim``, along the first dimension of size 3.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cross(pt.asarray([1.0, 0.0, 0.0]), pt.asarray([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.], backend='numpy')
    """
    a, b = _tensor_arg("cross", "input", input), _tensor_arg("cross", "other", other)
    if a.ndim != b.ndim:
        raise ValueError(
            f"linalg.cross: inputs must have the same number of dimensions; got {a.ndim} and "
            f"{b.ndim}"
        )
    if dim is None:
        sizes = [max(s, t) for s, t in zip(a.shape, b.shape, strict=True)]  # type: ignore[type-var]
        if 3 not in sizes:
            raise ValueError(
                f"cross(): no dimension of size 3 in input; got shapes {tuple(a.shape)} and "
                f"{tuple(b.shape)}: pass dim="
            )
        dim = sizes.index(3)
    # (the standard's axis counts from the end: array-api-strict refuses a non-negative one)
    return L.cross(a, b, axis=check_dim("cross", dim, a.ndim) - a.ndim)


def _matrix_args(where: str, names: tuple[str, ...], tensors: tuple[Any, ...]) -> list[Tensor]:
    return [_tensor_arg(where, n, t) for n, t in zip(names, tensors, strict=True)]


def _add_scaled(name: str, input: Tensor, product: Tensor, beta: Any, alpha: Any) -> Tensor:
    """``beta * input + alpha * product``, as PyTorch's ``addmm`` family: with ``beta == 0``,
    ``input`` is left out (its NaN and infinities too); the result has the product's shape."""
    for arg, v in (("beta", beta), ("alpha", alpha)):
        if isinstance(v, bool) or not isinstance(v, (int, float, complex)):
            raise TypeError(f"{name}() expects a number {arg}; got {v!r}")
    out = product if alpha == 1 else product * alpha
    if beta == 0:
        # (input's gradient is 0 there, as PyTorch's: the unchosen side of a where)
        total = where(full((), True, dtype=dt.bool, device=out.device), out, input)
    else:
        total = (input if beta == 1 else input * beta) + out
    if tuple(total.shape) != tuple(out.shape):
        raise ValueError(
            f"{name}(): input of shape {tuple(input.shape)} does not broadcast to the "
            f"product's shape {tuple(out.shape)}"
        )
    return total


def _ndims(where: str, named: dict[str, Tensor], want: int) -> None:
    for name, t in named.items():
        if t.ndim != want:
            raise ValueError(f"{where}(): {name} must be a {want}-d tensor; got {t.ndim}-d")


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``, as ``torch.addmm`` (``input`` broadcast; with
    ``beta=0`` it is left out).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.addmm(pt.ones(2, 2), pt.ones(2, 3), pt.ones(3, 2), beta=0.5)
    tensor([[3.5, 3.5],
            [3.5, 3.5]], backend='numpy')
    """
    x, m1, m2 = _matrix_args("addmm", ("input", "mat1", "mat2"), (input, mat1, mat2))
    _ndims("addmm", {"mat1": m1, "mat2": m2}, 2)
    return _add_scaled("addmm", x, m1.mm(m2), beta, alpha)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``, as ``torch.addmv``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.addmv(pt.ones(2), pt.ones(2, 3), pt.ones(3))
    tensor([4., 4.], backend='numpy')
    """
    x, m, v = _matrix_args("addmv", ("input", "mat", "vec"), (input, mat, vec))
    _ndims("addmv", {"mat": m}, 2)
    _ndims("addmv", {"vec": v}, 1)
    return _add_scaled("addmv", x, m.mv(v), beta, alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``, as ``torch.addr``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.addr(pt.zeros(2, 2), pt.asarray([1.0, 2.0]), pt.asarray([1.0, 3.0]))
    tensor([[1., 3.],
            [2., 6.]], backend='numpy')
    """
    x, a, b = _matrix_args("addr", ("input", "vec1", "vec2"), (input, vec1, vec2))
    _ndims("addr", {"vec1": a, "vec2": b}, 1)
    return _add_scaled("addr", x, _pytorch.outer(a, b), beta, alpha)


def baddbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``, as ``torch.baddbmm``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.baddbmm(pt.zeros(2, 1, 1), pt.ones(2, 1, 3), pt.ones(2, 3, 1)).shape
    (2, 1, 1)
    """
    x, b1, b2 = _matrix_args("baddbmm", ("input", "batch1", "batch2"), (input, batch1, batch2))
    return _add_scaled("baddbmm", x, _pytorch.bmm(b1, b2), beta, alpha)


def addbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """``beta * input + alpha * (the sum over the batch of bmm(batch1, batch2))``, as
    ``torch.addbmm``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.addbmm(pt.zeros(1, 1), pt.ones(2, 1, 3), pt.ones(2, 3, 1))
    tensor([[6.]], backend='numpy')
    """
    x, b1, b2 = _matrix_args("addbmm", ("input", "batch1", "batch2"), (input, batch1, batch2))
    product = statistical.sum(_pytorch.bmm(b1, b2), axis=0)
    return _add_scaled("addbmm", x, product, beta, alpha)


def logdet(input: Tensor) -> Tensor:
    """``log(det(x))`` of a square matrix (or a batch), as ``torch.logdet``: NaN where the
    determinant is negative, -inf where it is 0. From ``slogdet``, as PyTorch's: finite where
    the determinant itself overflows or underflows (``det(1e200 * I)``), and differentiates as
    its log-abs-det (0 where the value is NaN).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.logdet(pt.asarray([[1.0, 0.0], [0.0, 1.0]]))
    tensor(0., backend='numpy')
    >>> float(pt.logdet(1e200 * pt.eye(2, dtype=pt.float64)))
    921.0340371976183
    """
    sign, logabsdet = L.slogdet(_tensor_arg("logdet", "input", input))
    if sign.dtype.kind == "complex floating":
        return log(sign) + logabsdet  # type: ignore[no-any-return]
    return where(sign < 0, float("nan"), logabsdet)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """The pseudo-inverse, singular values below ``rcond`` times the largest taken as 0, as
    ``torch.pinverse`` (``pt.linalg.pinv(x, rtol=rcond)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.pinverse(pt.asarray([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5 , 0.  ],
            [0.  , 0.25]], backend='numpy')
    """
    return cast("Tensor", L.pinv(_tensor_arg("pinverse", "input", input), rtol=rcond))


# -- reductions ---------------------------------------------------------------------------------
class MinMax(NamedTuple):
    """The result of ``aminmax``: the smallest and the largest elements."""

    min: Tensor
    max: Tensor


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> MinMax:
    """The smallest and largest elements along ``dim`` (every element without it), as
    ``torch.aminmax``: a named tuple ``(min, max)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.aminmax(pt.asarray([3.0, 1.0, 2.0]))
    MinMax(min=tensor(1., backend='numpy'), max=tensor(3., backend='numpy'))
    """
    x = _tensor_arg("aminmax", "input", input)
    dims: Any = () if dim is None else dim
    return MinMax(_pytorch.amin(x, dims, keepdim), _pytorch.amax(x, dims, keepdim))


def _spread_and_mean(
    name: str, input: Any, dim: Any, unbiased: Any, keepdim: bool, correction: Any
) -> tuple[Tensor, Tensor]:
    x = _tensor_arg(f"{name}_mean", "input", input)
    if isinstance(dim, bool):  # (PyTorch's torch.std_mean(x, unbiased))
        dim, unbiased = None, dim
    if correction is None:
        correction = 0.0 if unbiased is False else 1.0
    elif unbiased is not None:
        raise TypeError(f"{name}_mean() got both correction= and unbiased=; pass one")
    axis = _pytorch._reduction_axis(f"{name}_mean", x, dim, None)
    fn = statistical.std if name == "std" else statistical.var
    spread = fn(x, axis=axis, correction=correction, keepdims=keepdim)
    return spread, statistical.mean(x, axis=axis, keepdims=keepdim)


def std_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> tuple[Tensor, Tensor]:
    """The standard deviation and the mean along ``dim`` (every element without it), as
    ``torch.std_mean``: unbiased (``correction=1``) by default.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.std_mean(pt.asarray([1.0, 3.0]))
    (tensor(1.4142135, backend='numpy'), tensor(2., backend='numpy'))
    """
    return _spread_and_mean("std", input, dim, unbiased, keepdim, correction)


def var_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> tuple[Tensor, Tensor]:
    """The variance and the mean along ``dim`` (every element without it), as
    ``torch.var_mean``: unbiased (``correction=1``) by default.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.var_mean(pt.asarray([1.0, 3.0]))
    (tensor(2., backend='numpy'), tensor(2., backend='numpy'))
    """
    return _spread_and_mean("var", input, dim, unbiased, keepdim, correction)


def argwhere(input: Tensor) -> Tensor:
    """The indices of the nonzero elements, one row each, as ``torch.argwhere``
    (``pt.nonzero(x, as_tuple=False)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.argwhere(pt.asarray([[1, 0], [0, 2]]))
    tensor([[0, 0],
            [1, 1]], backend='numpy')
    """
    return cast("Tensor", _pytorch.nonzero(_tensor_arg("argwhere", "input", input), as_tuple=False))


# -- creation -----------------------------------------------------------------------------------
def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` numbers from ``base ** start`` to ``base ** end``, evenly spaced in their
    exponent, as ``torch.logspace`` (computed in float64, then given ``dtype``, by default the
    default float dtype).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.logspace(0, 2, 3)
    tensor([  1.,  10., 100.], backend='numpy')
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"logspace(): number of steps must be non-negative; got {steps!r}")
    exponents = linspace(float(start), float(end), steps, dtype=dt.float64, device=device)
    values = astype(pow(float(base), exponents), dtype or _config.DEFAULT_FLOAT.get())
    return values.requires_grad_() if requires_grad else values


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy with its own memory, as ``torch.clone`` (``x.clone()``; gradients flow back to
    ``input``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2)
    >>> y = pt.clone(x); y += 1
    >>> x
    tensor([1., 1.], backend='numpy')
    """
    return _tensor_arg("clone", "input", input).clone(memory_format=memory_format)


# -- dtypes and predicates ----------------------------------------------------------------------
def promote_types(type1: dt.DType, type2: dt.DType) -> dt.DType:
    """The dtype both promote to, as ``torch.promote_types`` (``pt.result_type``, with
    PyTorch's promotion of integers with floats).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.promote_types(pt.int32, pt.float32)
    polytensor.float32
    """
    type1, type2 = dt.from_python_type(type1), dt.from_python_type(type2)
    for name, t in (("type1", type1), ("type2", type2)):
        if not isinstance(t, dt.DType):
            raise TypeError(f"promote_types() expects a polytensor dtype for {name}; got {t!r}")
    return result_type(type1, type2)


def is_complex(input: Tensor) -> bool:
    """Whether the tensor's dtype is complex, as ``torch.is_complex``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.is_complex(pt.asarray([1j])), pt.is_complex(pt.ones(1))
    (True, False)
    """
    return _tensor_arg("is_complex", "input", input).dtype.kind == "complex floating"


def is_signed(input: Tensor) -> bool:
    """Whether the tensor's dtype holds negative numbers (signed integers, floating point), as
    ``torch.is_signed``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.is_signed(pt.ones(1)), pt.is_signed(pt.ones(1, dtype=pt.uint8))
    (True, False)
    """
    kind = _tensor_arg("is_signed", "input", input).dtype.kind
    return kind not in ("bool", "unsigned integer")


def is_nonzero(input: Tensor) -> bool:
    """Whether the one element of a one-element tensor is not zero, as ``torch.is_nonzero``
    (a ``RuntimeError`` for another number of elements).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.is_nonzero(pt.asarray([0.5]))
    True
    """
    x = _tensor_arg("is_nonzero", "input", input)
    n = x.size
    if n != 1:
        what = "no values" if n == 0 else "more than one value"
        raise RuntimeError(
            f"Boolean value of Tensor with {what} is ambiguous; is_nonzero() takes a tensor of "
            f"one element"
        )
    return bool(x.detach().reshape(()) != 0)


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether two tensors have the same shape, as ``torch.is_same_size``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.is_same_size(pt.ones(2, 3), pt.zeros(2, 3))
    True
    """
    a = _tensor_arg("is_same_size", "input", input)
    return tuple(a.shape) == tuple(_tensor_arg("is_same_size", "other", other).shape)


def as_compiled(model: Any = None, **options: Any) -> Any:
    """``model`` itself, as if compiled: ``pt.compile``, PyTorch's ``torch.compile``.
    polytensor has no compiler (and builds no code), so a program that compiles its model or
    function runs it as it is. Without ``model``, a decorator that returns what it decorates
    (``pt.compile`` called with options alone, ``mode="reduce-overhead"``). The options are
    taken and not used.

    Examples
    --------
    >>> import polytensor as pt
    >>> fast = pt.compile
    >>> f = fast(lambda x: x * 2)
    >>> f(pt.ones(1))
    tensor([2.], backend='numpy')
    """
    if model is None:
        return lambda fn: fn
    if not callable(model):
        where_ = "compile"  # (its name in pt and torch)
        raise TypeError(f"{where_}() expects a module or a function; got {type(model).__name__}")
    return model


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """PyTorch's ``torch.diag_embed``: a tensor whose diagonals (``offset`` from the main one)
    of the planes of dimensions ``dim1`` and ``dim2`` hold the last dimension of ``input``,
    zeros elsewhere (the inverse of ``diagonal``); differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.diag_embed(pt.asarray([[1, 2]])).tolist()
    [[[1, 0], [0, 2]]]
    >>> pt.diag_embed(pt.asarray([1, 2]), offset=1).tolist()
    [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    """
    from ._checks import check_int
    from ._ops.creation import eye, zeros
    from ._ops.manipulation import concat, expand_dims

    x = _tensor_arg("diag_embed", "input", input)
    offset = check_int("diag_embed", "offset", offset)
    if x.ndim == 0:
        raise RuntimeError("diag_embed(): the input must have at least 1 dimension; got a 0-d one")
    nd = x.ndim + 1
    d1, d2 = check_dim("diag_embed", dim1, nd), check_dim("diag_embed", dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diag_embed(): diagonal dimensions cannot be identical {dim1}, {dim2}")
    length = int(x.shape[-1])  # type: ignore[arg-type]
    n = length + abs(offset)
    # row i of the plane holds x[..., i] at column i + offset (rows shifted down for offset < 0)
    band = expand_dims(x, axis=-1) * eye(
        length, n, k=max(offset, 0), dtype=x.dtype, device=x.device
    )
    pad = zeros((*x.shape[:-1], abs(offset), n), dtype=x.dtype, device=x.device)
    plane = concat([band, pad] if offset >= 0 else [pad, band], axis=-2)
    return moveaxis(plane, (-2, -1), (d1, d2))


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """PyTorch's ``torch.diagflat``: the 2-d tensor with the elements of ``input`` (flattened)
    on its diagonal ``offset``, zeros elsewhere; differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.diagflat(pt.asarray([[1, 2]]), -1).tolist()
    [[0, 0, 0], [1, 0, 0], [0, 2, 0]]
    """
    x = _tensor_arg("diagflat", "input", input)
    return diag_embed(reshape(x, (-1,)), offset)
