"""More of PyTorch's Tensor methods, ``TensorMathMethods`` (a base of ``Tensor``): the element-wise
functions the standard lacks (``x.erf()``, ``x.atan2(y)``, ``x.logit(eps)``), PyTorch's names
for the standard's (``x.multiply``, ``x.greater``), shapes and products (``x.diagonal()``,
``x.addmm``), and the in-place forms of the element-wise methods (``x.exp_()``, ``x.clamp_min_``).

Each is a rename or a few lines onto the namespace's functions. The in-place forms go through the
one path every in-place method takes (``_inplace``): versions, the autograd checks on leaves
that require grad and on views, a view's change reaching its base.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import (
    _config,
    _extras,
    _inplace,
    _pytorch,
    _pytorch_math,
    _pytorch_more,
    _pytorch_numbers,
    _pytorch_reduce,
    _pytorch_shapes,
    _pytorch_split,
    _tape,
)
from . import _dtypes as dt
from ._inplace import assign_inplace
from ._methods import TensorMethods, _all_true, _cast_method, _in_graph, _overwrite, div, div_
from ._ops import elementwise as E
from ._ops import linalg as L
from ._ops import searching, statistical
from ._ops import special as S
from ._ops.creation import arange, full
from ._ops.data_types import astype
from ._ops.manipulation import broadcast_to, reshape, tile
from ._tensor_base import TensorBase
from .autograd._function import Function
from .autograd._mode import no_grad

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["TensorMathMethods"]


# -- in place ------------------------------------------------------------------------------------
def _in_place(
    name: str,
    fn: Callable[..., Any],
    data: str,
    call: str = "",
    *,
    joins: bool = False,
    graph: str = "zero",
) -> Callable[..., Any]:
    """The in-place method ``name`` (``exp_``) of ``fn`` (``pt.exp``): the result is written
    into the tensor, cast to its dtype as PyTorch casts in-place results (a floating result
    into an integer tensor raises PyTorch's ``RuntimeError``). In a graph, a result with no
    gradient (``floor_``, ``eq_``) leaves the tensor in the graph at a zero gradient, as
    PyTorch's; with ``joins`` (the comparisons), so do the other tensors that require grad
    (``x.eq_(o)``: ``o`` gets zeros). ``graph`` says otherwise, as PyTorch records them:
    ``"unrecorded"`` (the logical ops) writes the values without recording anything, so the
    tensor keeps its history (the gradient passes as if the op had not run, a leaf stays a
    leaf); ``"refused"`` (``floor_divide_``, ``heaviside_``, which PyTorch has no derivative
    of) records a node whose backward raises. ``data`` and ``call``: the docstring example's
    tensor and arguments."""
    base = name.removesuffix("_")

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if graph == "unrecorded":
            with no_grad():
                return _in_place_unrecorded(self, fn(self, *args, **kwargs), name)
        r = fn(_inplace.alias_before_inplace(self), *args, **kwargs)
        if r.dtype is not self.dtype:
            dt.check_result_cast(r.dtype, self.dtype, f"{name}()", f"x = x.{base}(...)")
            r = astype(r, self.dtype)
        if graph == "refused" and _config.GRAD_ENABLED.get():
            inputs = [a for a in (self, *args) if isinstance(a, TensorBase)]
            if any(_tape.requires_grad(a) for a in inputs):
                r = _NoDerivative.apply(name, r.detach(), *inputs)
            return assign_inplace(self, r, name)
        if not _tape.requires_grad(r):
            if joins and _config.GRAD_ENABLED.get():
                r = _joined_at_zero(self, r, args)
            if _in_graph(self):
                return _overwrite(self, r, name)
        return assign_inplace(self, r, name)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"In-place ``x.{base}({call})``: writes the result into this tensor (in its dtype, as "
        f"PyTorch casts in-place results) and returns it.\n\nExamples\n--------\n"
        f">>> import polytensor as pt\n>>> x = pt.asarray({data})\n"
        f">>> x.{name}({call}) is x\nTrue\n"
    )
    return method


def _in_place_unrecorded(self: Tensor, r: Tensor, name: str) -> Tensor:
    """``r`` written into ``self`` under ``no_grad``: cast to ``self``'s dtype, nothing
    recorded, the version bumped (a node that saved ``self`` then refuses backward)."""
    if r.dtype is not self.dtype:
        base = name.removesuffix("_")
        dt.check_result_cast(r.dtype, self.dtype, f"{name}()", f"x = x.{base}(...)")
        r = astype(r, self.dtype)
    return assign_inplace(self, r, name)


class _NoDerivative(Function):
    """The node of an in-place op that PyTorch has no derivative of (``floor_divide_``):
    forward passes the computed result on, backward refuses, as PyTorch's does."""

    @staticmethod
    def forward(ctx: Any, name: str, r: Tensor, *inputs: Tensor) -> Tensor:
        ctx.op_name = name
        return r

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        name = ctx.op_name
        raise RuntimeError(
            f"backward() through {name}(), which has no derivative (PyTorch has none either); "
            f"apply {name}() under `with pt.no_grad():` or to x.detach()"
        )


def _joined_at_zero(self: Tensor, r: Tensor, args: tuple[Any, ...]) -> Tensor:
    """``r`` (of ``self``'s dtype and shape), in the graph of each tensor of ``args`` that
    requires grad at a zero gradient, as PyTorch's comparisons in place record them
    (``x.eq_(o)`` gives ``o`` zeros): ``where`` with a condition that is one ``True``
    broadcast, so ``o``'s values (inf, NaN) never reach ``r``. An integer ``self`` cannot
    require grad and stays out of the graph (PyTorch's backward from it raises, as here)."""
    if self.dtype.kind not in ("real floating", "complex floating"):
        return r
    for a in args:
        if isinstance(a, TensorBase) and _tape.requires_grad(a):
            r = searching.where(_all_true(self), r, astype(a, self.dtype))
    return r


_F = "[0.5, 1.0]"  # (the examples' data, in every function's domain but acosh's)
_I = "[1, 2]"
_B = "[True, False]"


def float_power_(self: Tensor, exponent: Any) -> Tensor:
    """In-place ``x.float_power(exponent)``, of a float64 (or complex128) tensor only, as
    PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([2.0], dtype=pt.float64)
    >>> x.float_power_(3)
    tensor([8.], dtype=polytensor.float64, backend='numpy')
    """
    complex_ = isinstance(exponent, complex) or (
        isinstance(exponent, TensorBase) and exponent.dtype.kind == "complex floating"
    )
    want = dt.complex128 if complex_ or self.dtype.kind == "complex floating" else dt.float64
    if self.dtype is not want:
        raise dt.CastError(
            f"the base given to float_power_ has dtype {self.dtype.name} but the operation's "
            f"result requires dtype {want.name}; use x = x.float_power(...) or x.double() first"
        )
    return _FLOAT_POWER_(self, exponent)  # type: ignore[no-any-return]


_FLOAT_POWER_ = _in_place("float_power_", _pytorch_math.float_power, "[2.0], dtype=pt.float64", "3")


def fill_diagonal_(self: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """Write ``fill_value`` on the main diagonal in place, as PyTorch's
    ``x.fill_diagonal_(v, wrap=False)``: of a matrix, or of a tensor whose dimensions are all
    equal; with ``wrap``, a tall matrix's diagonal starts again below every ``N + 1`` rows.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.zeros(2, 3).fill_diagonal_(5.0)
    tensor([[5., 0., 0.],
            [0., 5., 0.]], backend='numpy')
    """
    shape = tuple(self.shape)
    if len(shape) < 2:
        raise ValueError(f"fill_diagonal_(): dimensions must larger than 1; got {len(shape)}")
    if None in shape:
        raise ValueError("fill_diagonal_() of a tensor of unknown (lazy) shape; compute it first")
    dims = [int(s) for s in shape]  # type: ignore[arg-type]
    if len(dims) > 2 and len(set(dims)) != 1:
        raise ValueError(
            f"fill_diagonal_(): all dimensions of input must be of equal length; got {shape}"
        )
    if isinstance(fill_value, TensorBase) or not isinstance(fill_value, (bool, int, float)):
        raise TypeError(f"fill_diagonal_() expects a Python number; got {fill_value!r}")
    n = math.prod(dims)
    step = sum(math.prod(dims[i + 1 :]) for i in range(len(dims)))  # (between two on it)
    end = n if wrap and len(dims) == 2 else min(dims) * step  # (past the last one written)
    flat = arange(n, device=self.device)
    mask = reshape((flat % step == 0) & (flat < end), tuple(dims))
    value = full((), fill_value, dtype=self.dtype, device=self.device)
    # (in a graph, recorded: the elements written get a zero gradient, as PyTorch's)
    return assign_inplace(self, searching.where(mask, value, self), "fill_diagonal_")


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
    """PyTorch's element-wise, shape and product methods that ``TensorMethods`` lacks, and
    their in-place forms.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([0.0, 1.0])
    >>> x.erf().shape, x.exp_() is x
    ((2,), True)
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
    unique_consecutive = _pytorch.unique_consecutive
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
    diag_embed = _pytorch_shapes.diag_embed
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
    tensor_split = _pytorch_split.tensor_split
    hsplit = _pytorch_split.hsplit
    vsplit = _pytorch_split.vsplit
    dsplit = _pytorch_split.dsplit
    unfold = _pytorch_split.unfold
    cummax = _pytorch_reduce.cummax
    cummin = _pytorch_reduce.cummin
    logcumsumexp = _pytorch_reduce.logcumsumexp
    kthvalue = _pytorch_reduce.kthvalue
    mode = _pytorch_reduce.mode
    nanmedian = _pytorch_reduce.nanmedian
    quantile = _pytorch_reduce.quantile
    nanquantile = _pytorch_reduce.nanquantile
    cov = _pytorch_reduce.cov
    corrcoef = _pytorch_reduce.corrcoef
    bincount = _pytorch_numbers.bincount
    gcd = _pytorch_numbers.gcd
    lcm = _pytorch_numbers.lcm
    renorm = _pytorch_numbers.renorm
    mvlgamma = _pytorch_numbers.mvlgamma
    histogram = _pytorch_numbers.histogram
    frexp = _pytorch_math.frexp
    polygamma = polygamma
    cfloat = _cast_method("cfloat", dt.complex64)
    cdouble = _cast_method("cdouble", dt.complex128)

    # -- in place ------------------------------------------------------------------------------
    abs_ = _in_place("abs_", E.abs, _F)
    neg_ = _in_place("neg_", E.negative, _F)
    negative_ = _in_place("negative_", E.negative, _F)
    sign_ = _in_place("sign_", E.sign, _F)
    sgn_ = _in_place("sgn_", E.sign, _F)
    square_ = _in_place("square_", E.square, _F)
    sqrt_ = _in_place("sqrt_", E.sqrt, _F)
    rsqrt_ = _in_place("rsqrt_", _pytorch.rsqrt, _F)
    reciprocal_ = _in_place("reciprocal_", E.reciprocal, _F)
    exp_ = _in_place("exp_", E.exp, _F)
    exp2_ = _in_place("exp2_", _pytorch_math.exp2, _F)
    expm1_ = _in_place("expm1_", E.expm1, _F)
    log_ = _in_place("log_", E.log, _F)
    log1p_ = _in_place("log1p_", E.log1p, _F)
    log2_ = _in_place("log2_", E.log2, _F)
    log10_ = _in_place("log10_", E.log10, _F)
    sin_ = _in_place("sin_", E.sin, _F)
    cos_ = _in_place("cos_", E.cos, _F)
    tan_ = _in_place("tan_", E.tan, _F)
    asin_ = _in_place("asin_", E.asin, _F)
    acos_ = _in_place("acos_", E.acos, _F)
    atan_ = _in_place("atan_", E.atan, _F)
    sinh_ = _in_place("sinh_", E.sinh, _F)
    cosh_ = _in_place("cosh_", E.cosh, _F)
    tanh_ = _in_place("tanh_", E.tanh, _F)
    asinh_ = _in_place("asinh_", E.asinh, _F)
    acosh_ = _in_place("acosh_", E.acosh, "[1.0, 2.0]")
    atanh_ = _in_place("atanh_", E.atanh, "[0.0, 0.5]")
    sigmoid_ = _in_place("sigmoid_", _extras.sigmoid, _F)
    relu_ = _in_place("relu_", E.relu, _F)
    erf_ = _in_place("erf_", S.erf, _F)
    erfc_ = _in_place("erfc_", S.erfc, _F)
    erfinv_ = _in_place("erfinv_", S.erfinv, _F)
    lgamma_ = _in_place("lgamma_", S.gammaln, _F)
    digamma_ = _in_place("digamma_", S.digamma, _F)
    i0_ = _in_place("i0_", S.i0, _F)
    sinc_ = _in_place("sinc_", S.sinc, _F)
    logit_ = _in_place("logit_", _pytorch_math.logit, _F)
    deg2rad_ = _in_place("deg2rad_", _pytorch_math.deg2rad, _F)
    rad2deg_ = _in_place("rad2deg_", _pytorch_math.rad2deg, _F)
    floor_ = _in_place("floor_", E.floor, _F)
    ceil_ = _in_place("ceil_", E.ceil, _F)
    trunc_ = _in_place("trunc_", E.trunc, _F)
    fix_ = _in_place("fix_", E.trunc, _F)
    frac_ = _in_place("frac_", _pytorch_math.frac, _F)
    round_ = _in_place("round_", _pytorch.round, _F)
    clamp_min_ = _in_place("clamp_min_", _pytorch_math.clamp_min, _F, "0.75")
    clamp_max_ = _in_place("clamp_max_", _pytorch_math.clamp_max, _F, "0.75")
    atan2_ = _in_place("atan2_", E.atan2, _F, "1.0")
    copysign_ = _in_place("copysign_", E.copysign, _F, "-1.0")
    hypot_ = _in_place("hypot_", E.hypot, _F, "1.0")
    xlogy_ = _in_place("xlogy_", S.xlogy, _F, "2.0")
    fmod_ = _in_place("fmod_", _pytorch.fmod, _F, "0.75")
    remainder_ = _in_place("remainder_", E.remainder, _F, "0.75")
    floor_divide_ = _in_place("floor_divide_", E.floor_divide, _F, "0.75", graph="refused")
    nextafter_ = _in_place("nextafter_", E.nextafter, _F, "2.0")
    ldexp_ = _in_place("ldexp_", _pytorch_math.ldexp, _F, "pt.asarray([1, 2])")
    heaviside_ = _in_place(
        "heaviside_", _pytorch_math.heaviside, _F, "pt.asarray([0.5])", graph="refused"
    )
    float_power_ = float_power_
    true_divide_ = _in_place("true_divide_", E.divide, _F, "2.0")
    multiply_ = TensorMethods.mul_
    subtract_ = TensorMethods.sub_
    divide_ = div_
    eq_ = _in_place("eq_", E.equal, _F, "1.0", joins=True)
    ne_ = not_equal_ = _in_place("ne_", E.not_equal, _F, "1.0", joins=True)
    lt_ = less_ = _in_place("lt_", E.less, _F, "1.0", joins=True)
    le_ = less_equal_ = _in_place("le_", E.less_equal, _F, "1.0", joins=True)
    gt_ = greater_ = _in_place("gt_", E.greater, _F, "1.0", joins=True)
    ge_ = greater_equal_ = _in_place("ge_", E.greater_equal, _F, "1.0", joins=True)
    logical_not_ = _in_place("logical_not_", E.logical_not, _B, graph="unrecorded")
    logical_and_ = _in_place("logical_and_", E.logical_and, _B, "True", graph="unrecorded")
    logical_or_ = _in_place("logical_or_", E.logical_or, _B, "True", graph="unrecorded")
    logical_xor_ = _in_place("logical_xor_", E.logical_xor, _B, "True", graph="unrecorded")
    bitwise_not_ = _in_place("bitwise_not_", E.bitwise_invert, _I)
    bitwise_and_ = _in_place("bitwise_and_", E.bitwise_and, _I, "3")
    bitwise_or_ = _in_place("bitwise_or_", E.bitwise_or, _I, "3")
    bitwise_xor_ = _in_place("bitwise_xor_", E.bitwise_xor, _I, "3")
    bitwise_left_shift_ = _in_place("bitwise_left_shift_", E.bitwise_left_shift, _I, "1")
    bitwise_right_shift_ = _in_place("bitwise_right_shift_", E.bitwise_right_shift, _I, "1")
    cumsum_ = _in_place("cumsum_", _pytorch.cumsum, _F, "0")
    cumprod_ = _in_place("cumprod_", _pytorch.cumprod, _F, "0")
    fill_diagonal_ = fill_diagonal_
    gcd_ = _in_place("gcd_", _pytorch_numbers.gcd, "[4, 6]", "pt.asarray([6, 4])")
    lcm_ = _in_place("lcm_", _pytorch_numbers.lcm, "[4, 6]", "pt.asarray([6, 4])")
    renorm_ = _in_place("renorm_", _pytorch_numbers.renorm, "[[3.0, 4.0]]", "2, 0, 1.0")
    mvlgamma_ = _in_place("mvlgamma_", _pytorch_numbers.mvlgamma, "[2.5, 3.0]", "2")
    addmm_ = _in_place(
        "addmm_", _pytorch_shapes.addmm, "[[1.0]]", "pt.ones((1, 2)), pt.ones((2, 1))"
    )
    addmv_ = _in_place("addmv_", _pytorch_shapes.addmv, "[1.0]", "pt.ones((1, 2)), pt.ones(2)")
    addr_ = _in_place("addr_", _pytorch_shapes.addr, "[[1.0]]", "pt.ones(1), pt.ones(1)")
    addbmm_ = _in_place(
        "addbmm_", _pytorch_shapes.addbmm, "[[1.0]]", "pt.ones((2, 1, 3)), pt.ones((2, 3, 1))"
    )
    baddbmm_ = _in_place(
        "baddbmm_", _pytorch_shapes.baddbmm, "[[[1.0]]]", "pt.ones((1, 1, 3)), pt.ones((1, 3, 1))"
    )
