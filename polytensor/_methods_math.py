"""More of PyTorch's Tensor methods, ``TensorMathMethods`` (a base of ``Tensor``): the element-wise
functions the standard lacks (``x.erf()``, ``x.atan2(y)``, ``x.logit(eps)``), PyTorch's names
for the standard's (``x.multiply``, ``x.greater``), shapes and products (``x.diagonal()``,
``x.addmm``).

Each is a rename or a few lines onto the namespace's functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _dtypes as dt
from . import _pytorch, _pytorch_math, _pytorch_more, _pytorch_shapes
from ._methods import _cast_method, div
from ._ops import elementwise as E
from ._ops import linalg as L
from ._ops import searching, statistical
from ._ops import special as S
from ._ops.manipulation import broadcast_to, reshape, tile

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["TensorMathMethods"]


# -- methods that take PyTorch's arguments ---------------------------------------------------------
def count_nonzero(self: Tensor, dim: Any = None) -> Tensor:
    """The number of nonzero elements along ``dim`` (all without it), as PyTorch's
    ``x.count_nonzero(dim=None)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([[1, 0], [2, 3]]).count_nonzero(dim=0)
    tensor([2, 1], backend='numpy')
    """
    axis = tuple(dim) if isinstance(dim, list) else dim
    return searching.count_nonzero(self, axis=axis)


def tile_method(self: Tensor, *dims: Any) -> Tensor:
    """The tensor repeated ``dims`` times along each dimension, as PyTorch's ``x.tile(dims)``
    (``pt.tile``; ints or one tuple).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([1, 2]).tile(2)
    tensor([1, 2, 1, 2], backend='numpy')
    """
    reps = dims[0] if len(dims) == 1 and isinstance(dims[0], (list, tuple)) else dims
    return tile(self, tuple(reps))


def diff(
    self: Tensor, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None
) -> Tensor:
    """The ``n``-th forward difference along ``dim``, as PyTorch's ``x.diff`` (``pt.diff``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([1, 4, 9]).diff()
    tensor([3, 5], backend='numpy')
    """
    return statistical.diff(self, axis=dim, n=n, prepend=prepend, append=append)  # type: ignore[no-any-return]


def take(self: Tensor, index: Tensor) -> Tensor:
    """The elements of the flattened tensor at ``index`` (the result has its shape), as
    PyTorch's ``x.take(index)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([[1, 2], [3, 4]]).take(pt.asarray([0, 3]))
    tensor([1, 4], backend='numpy')
    """
    from ._ops.indexing import take as _take

    idx = _pytorch_more._tensor_arg("take", "index", index)
    if idx.dtype.kind not in ("signed integer", "unsigned integer"):
        raise TypeError(f"take(): expected a long tensor for index, but got {idx.dtype.name}")
    flat = _take(reshape(self, (-1,)), reshape(idx, (-1,)), axis=0)
    return reshape(flat, tuple(idx.shape))


def where_method(self: Tensor, condition: Tensor, y: Any) -> Tensor:
    """``self`` where ``condition``, else ``y``, as PyTorch's ``x.where(condition, y)``
    (``pt.where(condition, x, y)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([1.0, -1.0])
    >>> x.where(x > 0, 0.0)
    tensor([1., 0.], backend='numpy')
    """
    return _pytorch.where(condition, self, y)  # type: ignore[no-any-return]


def equal(self: Tensor, other: Tensor) -> bool:
    """Whether both have the same shape and the same elements: a Python bool, as PyTorch's
    ``x.equal(y)`` (the namespace's ``pt.equal`` is the standard's element-wise comparison).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([1, 2]).equal(pt.asarray([1, 2]))
    True
    """
    o = _pytorch_more._tensor_arg("equal", "other", other)
    if tuple(self.shape) != tuple(o.shape):
        return False
    return bool(statistical.all(E.equal(self.detach(), o.detach())))


def get_device(self: Tensor) -> int:
    """The index of the GPU the tensor is on, -1 for a CPU one, as PyTorch's
    ``x.get_device()``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(1).get_device()
    -1
    """
    d = self.device
    return -1 if d.type == "cpu" or d.index is None else d.index


def polygamma(self: Tensor, n: int) -> Tensor:
    """The ``n``-th derivative of digamma, as PyTorch's ``x.polygamma(n)``
    (``pt.special.polygamma(n, x)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.asarray([1.0], dtype=pt.float64).polygamma(0)
    tensor([-0.57721566], dtype=polytensor.float64, backend='numpy')
    """
    return S.polygamma(n, self)  # type: ignore[no-any-return]


def _itemsize(self: Tensor) -> int:
    return max(self.dtype.bits // 8, 1)


def _nbytes(self: Tensor) -> int:
    return int(self.numel()) * _itemsize(self)


class TensorMathMethods:
    """PyTorch's element-wise, shape and product methods that ``TensorMethods`` lacks.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([0.0, 1.0])
    >>> x.erf().shape
    (2,)
    """

    __slots__ = ()

    @property
    def itemsize(self) -> int:
        """Bytes per element, as PyTorch's ``x.itemsize``.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.ones(3).itemsize, pt.ones(3).nbytes
        (4, 12)
        """
        return _itemsize(self)  # type: ignore[arg-type]

    @property
    def nbytes(self) -> int:
        """Bytes of all the elements, as PyTorch's ``x.nbytes``."""
        return _nbytes(self)  # type: ignore[arg-type]

    # -- element-wise ------------------------------------------------------------------------
    erf = S.erf
    erfc = S.erfc
    erfinv = S.erfinv
    lgamma = S.gammaln
    digamma = S.digamma
    i0 = S.i0
    sinc = S.sinc
    xlogy = S.xlogy
    exp2 = _pytorch_math.exp2
    logit = _pytorch_math.logit
    deg2rad = _pytorch_math.deg2rad
    rad2deg = _pytorch_math.rad2deg
    frac = _pytorch_math.frac
    fix = E.trunc
    sgn = E.sign
    signbit = E.signbit
    positive = E.positive
    negative = E.negative
    float_power = _pytorch_math.float_power
    clamp_min = _pytorch_math.clamp_min
    clamp_max = _pytorch_math.clamp_max
    isposinf = _pytorch_math.isposinf
    isneginf = _pytorch_math.isneginf
    isreal = _pytorch_math.isreal
    fmax = _pytorch_math.fmax
    fmin = _pytorch_math.fmin
    heaviside = _pytorch_math.heaviside
    logaddexp2 = _pytorch_math.logaddexp2
    ldexp = _pytorch_math.ldexp
    atan2 = E.atan2
    copysign = E.copysign
    hypot = E.hypot
    logaddexp = E.logaddexp
    nextafter = E.nextafter
    logical_xor = E.logical_xor
    floor_divide = E.floor_divide
    bitwise_and = E.bitwise_and
    bitwise_or = E.bitwise_or
    bitwise_xor = E.bitwise_xor
    bitwise_not = E.bitwise_invert
    bitwise_left_shift = E.bitwise_left_shift
    bitwise_right_shift = E.bitwise_right_shift
    multiply = E.multiply
    subtract = _pytorch.subtract
    divide = div
    greater = E.greater
    greater_equal = E.greater_equal
    less = E.less
    less_equal = E.less_equal
    not_equal = E.not_equal
    isclose = _pytorch.isclose
    allclose = _pytorch.allclose
    equal = equal
    where = where_method

    # -- reductions, shapes and products -------------------------------------------------------
    nansum = _pytorch_math.nansum
    nanmean = _pytorch_math.nanmean
    aminmax = _pytorch_shapes.aminmax
    count_nonzero = count_nonzero
    median = _pytorch.median
    unique = _pytorch.unique
    histc = _pytorch_more.histc
    argwhere = _pytorch_shapes.argwhere
    diff = diff
    fliplr = _pytorch_shapes.fliplr
    flipud = _pytorch_shapes.flipud
    rot90 = _pytorch_shapes.rot90
    ravel = _pytorch_shapes.ravel
    msort = _pytorch_shapes.msort
    tile = tile_method
    broadcast_to = broadcast_to
    unflatten = _pytorch_shapes.unflatten
    take = take
    take_along_dim = _pytorch_shapes.take_along_dim
    diagonal = _pytorch_shapes.diagonal
    kron = _pytorch_more.kron
    inner = _pytorch_shapes.inner
    vdot = _pytorch_shapes.vdot
    dist = _pytorch_shapes.dist
    cross = _pytorch_shapes.cross
    addmm = _pytorch_shapes.addmm
    addmv = _pytorch_shapes.addmv
    addr = _pytorch_shapes.addr
    baddbmm = _pytorch_shapes.baddbmm
    addbmm = _pytorch_shapes.addbmm
    det = _pytorch.det
    logdet = _pytorch_shapes.logdet
    slogdet = L.slogdet
    inverse = _pytorch.inverse
    pinverse = _pytorch_shapes.pinverse
    matrix_power = L.matrix_power
    is_complex = _pytorch_shapes.is_complex
    is_signed = _pytorch_shapes.is_signed
    is_nonzero = _pytorch_shapes.is_nonzero
    is_same_size = _pytorch_shapes.is_same_size
    get_device = get_device
    adjoint = _pytorch_shapes.adjoint
    polygamma = polygamma
    cfloat = _cast_method("cfloat", dt.complex64)
    cdouble = _cast_method("cdouble", dt.complex128)
