"""PyTorch's other names for what polytensor has, and its small remaining Tensor methods:
``torch.complex``,
``polar``, ``angle``, ``rsub``, ``fill``, ``typename``, ``frombuffer``, the Cholesky solves,
the layer functions PyTorch also has as methods (``x.hardshrink()``, ``x.prelu(w)``), and the
introspection answers of a CPU tensor (``x.layout``, ``x.is_pinned()``, ``x.output_nr``), in
``TensorAliasMethods`` (a base of ``Tensor``).

Each is a rename or a few lines onto the namespace's functions, so it differentiates as they
do; the in-place forms go through the one in-place path (``_methods_math._in_place``).
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from . import _config, _pytorch, _pytorch_linalg, _pytorch_shapes, _random
from . import _dtypes as dt
from ._checks import BroadcastError, LayerArgumentError
from ._methods import _shape_args
from ._methods_math import _F, _in_place, _NoDerivative
from ._namespace_views import view_as_complex
from ._ops import elementwise as E
from ._ops import linalg as L
from ._ops import searching, statistical
from ._ops import special as S
from ._ops.creation import empty, full, tril, triu
from ._ops.data_types import astype
from ._ops.indexing import take_along_axis
from ._ops.manipulation import broadcast_to, reshape, stack
from ._ops.searching import where
from ._shapes import broadcast_shapes
from ._tensor_base import TensorBase
from .autograd._input_in_grad import input_in_grad
from .backends import get as _get_backend

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "TensorAliasMethods",
    "angle",
    "binomial",
    "cholesky_inverse",
    "cholesky_solve",
    "complex",
    "detach",
    "fill",
    "frombuffer",
    "hardshrink",
    "layout",
    "polar",
    "prelu",
    "rsub",
    "strided",
    "typename",
]


class layout:
    """A tensor's memory layout, as PyTorch's ``torch.layout``: every polytensor tensor is
    dense and ``strided`` (there are no sparse layouts).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2).layout is pt.strided, pt.strided
    (True, polytensor.strided)
    """

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"polytensor.{self._name}"

    def __reduce__(self) -> str:
        return self._name  # (pickles as the module's one instance)


strided = layout("strided")


# -- element-wise -------------------------------------------------------------------------------
def _default_float_if_not(x: Tensor) -> Tensor:
    if x.dtype.kind in ("real floating", "complex floating"):
        return x
    return astype(x, _config.get_default_dtype())


def angle(input: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The argument of each element, as PyTorch's ``torch.angle``: ``atan2(imag, real)`` of a
    complex tensor (in its real dtype); of a real one, pi where it is negative, 0 elsewhere
    (NaN stays NaN, its gradient zero); integers and booleans in the default float dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.angle(pt.asarray([-2.0, 0.0, 3.0])).tolist()
    [3.1415927410125732, 0.0, 0.0]
    """
    _pytorch._tensor_arg("angle", input)
    if input.dtype.kind == "complex floating":
        r = E.atan2(E.imag(input), E.real(input))
    else:
        if input.dtype is dt.bool:
            input = astype(input, dt.int64)
        x = _default_float_if_not(input).detach()
        r = where(E.isnan(x), x, astype(x < 0, x.dtype) * math.pi)  # (pi in x's dtype)
        r = _random._zero_grad_of(astype(r, x.dtype), input)
    return r if out is None else _random._into_out("angle", r, out)


def complex(real: Tensor, imag: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The complex tensor ``real + i imag``, as PyTorch's ``torch.complex``: both float32
    (complex64) or both float64 (complex128), broadcast together; differentiable in both.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.complex(pt.asarray([1.0]), pt.asarray([2.0]))
    tensor([1.+2.j], dtype=polytensor.complex64, backend='numpy')
    """
    _pytorch._tensor_arg("complex", real)
    _pytorch._tensor_arg("complex", imag)
    for t in (real, imag):
        if t.dtype.kind != "real floating":
            raise dt.MixedDtypeError(
                f"complex() expects both inputs to be float32 or float64 tensors (PyTorch's "
                f"'Expected both inputs to be Half, Float or Double tensors'); got "
                f"{real.dtype.name} and {imag.dtype.name}; cast them with x.float()"
            )
    if real.dtype is not imag.dtype:
        raise dt.MixedDtypeError(
            f"complex() expects real and imag of one dtype; got {real.dtype.name} and "
            f"{imag.dtype.name}; cast one with x.to(other.dtype)"
        )
    shape = broadcast_shapes(tuple(real.shape), tuple(imag.shape))
    r = view_as_complex(stack([broadcast_to(real, shape), broadcast_to(imag, shape)], axis=-1))
    return cast("Tensor", r) if out is None else _random._into_out("complex", r, out)


def polar(abs: Tensor, angle: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The complex tensor ``abs * (cos(angle) + i sin(angle))``, as PyTorch's
    ``torch.polar`` (float32 or float64 inputs of one dtype); differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.polar(pt.asarray([2.0], dtype=pt.float64), pt.asarray([0.0], dtype=pt.float64))
    tensor([2.+0.j], dtype=polytensor.complex128, backend='numpy')
    """
    _pytorch._tensor_arg("polar", abs)
    _pytorch._tensor_arg("polar", angle)
    # Note: PyTorch's derivative in abs is Re(conj(g) sgn(result)), the true one times
    # sign(abs): a negative abs (outside polar's domain) gets it negated; |abs| plus a detached
    # (abs - |abs|) has abs's value and that derivative
    r_abs = E.abs(abs)
    r_abs = r_abs + (abs - r_abs).detach()
    r = complex(r_abs * E.cos(angle), r_abs * E.sin(angle))
    return r if out is None else _random._into_out("polar", r, out)


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``other - alpha * input``, as PyTorch's ``torch.rsub`` (``input`` subtracted from
    ``other``), with PyTorch's promotion of a Python number.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.rsub(pt.asarray([1.0, 2.0]), 5.0, alpha=2)
    tensor([3., 1.], backend='numpy')
    """
    _pytorch._tensor_arg("rsub", input)
    if isinstance(other, TensorBase):
        return cast("Tensor", other.sub(input, alpha=alpha))  # type: ignore[attr-defined]
    return cast("Tensor", input.mul(-alpha).add(other) if alpha != 1 else other - input)


def fill(input: Tensor, value: Any) -> Tensor:
    """A new tensor of ``input``'s shape, dtype and device filled with ``value`` (a number or
    a 0-d tensor), as PyTorch's functional ``torch.fill``; ``input`` gets a zero gradient,
    a tensor ``value`` the sum of the result's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fill(pt.zeros(3), 2.5)
    tensor([2.5, 2.5, 2.5], backend='numpy')
    """
    _pytorch._tensor_arg("fill", input)
    shape = tuple(input.shape)
    if isinstance(value, TensorBase):
        if value.ndim != 0:
            raise ValueError(
                f"fill() takes a 0-d value tensor; got one with {value.ndim} dimensions (PyTorch: "
                f"'fill_ only supports 0-dimension value tensor'); pass value.item() or a 0-d "
                f"tensor"
            )
        r = broadcast_to(astype(cast("Tensor", value), input.dtype), shape)
        return _random._zero_grad_of(r * 1, input)  # (* 1: a tensor of its own)
    r = full(shape, value, dtype=input.dtype, device=input.device)
    return _random._zero_grad_of(r, input)


def typename(obj: Any) -> str:
    """PyTorch's ``torch.typename``: a tensor's type name (``x.type()``,
    ``'torch.FloatTensor'``), else the object's module-qualified name (builtins unqualified).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.typename(pt.ones(2)), pt.typename(1), pt.typename(pt.Tensor)
    ('torch.FloatTensor', 'int', 'polytensor._tensor.Tensor')
    """
    if isinstance(obj, TensorBase):
        return cast(str, obj.type())  # type: ignore[attr-defined]
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


# struct formats of the dtypes a buffer holds (a complex dtype: pairs of its real one)
_FORMATS = {
    "bool": "?",
    "int8": "b",
    "uint8": "B",
    "int16": "h",
    "uint16": "H",
    "int32": "i",
    "uint32": "I",
    "int64": "q",
    "uint64": "Q",
    "float32": "f",
    "float64": "d",
    "complex64": "f",
    "complex128": "d",
}


def scalar_tensor(
    s: Any,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A 0-d tensor of the number ``s``, as PyTorch's ``torch.scalar_tensor``: in the default
    floating dtype unless ``dtype`` says otherwise (an int or a bool too, as PyTorch's).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.scalar_tensor(2), pt.scalar_tensor(True, dtype=pt.bool)
    (tensor(2., backend='numpy'), tensor(True, backend='numpy'))
    """
    if isinstance(s, TensorBase):
        if s.ndim != 0:
            raise TypeError(
                f"scalar_tensor() expects a number (or a 0-d tensor); got a tensor of shape "
                f"{tuple(s.shape)}"
            )
        s = s.item()
    if not isinstance(s, (bool, int, float, builtins.complex)):
        raise TypeError(f"scalar_tensor() expects a number; got {type(s).__name__}")
    if dtype is None:
        dtype = _config.DEFAULT_FLOAT.get()
        if isinstance(s, builtins.complex):  # (the default float's complex, as PyTorch's)
            dtype = dt.complex64 if dtype is dt.float32 else dt.complex128
    return full((), s, dtype=dtype, device=device, requires_grad=requires_grad)


def frombuffer(
    buffer: Any,
    *,
    dtype: dt.DType,
    count: int = -1,
    offset: int = 0,
    requires_grad: bool = False,
) -> Tensor:
    """A 1-D tensor of ``count`` elements of ``dtype`` (-1: all) read from an object with the
    buffer protocol (``bytes``, ``bytearray``, ``array.array``, ``memoryview``) from byte
    ``offset``, as PyTorch's ``torch.frombuffer``; on the NumPy backend it shares the buffer's
    memory (a change of a writable buffer shows in the tensor), elsewhere it is copied.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.frombuffer(bytearray(b"\\x01\\x00\\x02\\x00"), dtype=pt.int16)
    tensor([1, 2], dtype=polytensor.int16, backend='numpy')
    """
    if not isinstance(dtype, dt.DType):
        raise TypeError(f"frombuffer() expects dtype= a polytensor dtype; got {dtype!r}")
    try:
        raw = memoryview(buffer).cast("B")
    except TypeError as e:
        raise TypeError(
            f"frombuffer() expects an object with the buffer protocol (bytes, bytearray, "
            f"array.array); got {type(buffer).__name__}"
        ) from e
    size = dtype.itemsize
    n = len(raw)
    if n == 0:
        raise ValueError("frombuffer() got an empty buffer (both buffer length and count are 0)")
    if not 0 <= offset < n:
        raise ValueError(
            f"frombuffer(): offset ({offset} bytes) must be non-negative and no greater than "
            f"buffer length ({n} bytes) minus 1"
        )
    if count <= 0 and count != -1:
        raise ValueError(f"frombuffer(): count must be positive or -1; got {count}")
    if count == -1:
        if (n - offset) % size:
            raise ValueError(
                f"frombuffer(): buffer length ({n} bytes) after offset ({offset} bytes) must be "
                f"a multiple of element size ({size}); give count= or another offset"
            )
        count = (n - offset) // size
    elif offset + count * size > n:
        raise ValueError(
            f"frombuffer(): requested buffer length ({count} * {size} bytes) after offset "
            f"({offset} bytes) must not be greater than actual buffer length ({n} bytes)"
        )
    view = raw[offset : offset + count * size].cast(_FORMATS[dtype.name])  # type: ignore[call-overload]
    from ._ops.creation import asarray  # (creation's asarray: a buffer as the backend takes it)

    t = asarray(view)
    if dtype.kind == "complex floating":
        t = cast("Tensor", view_as_complex(reshape(t, (count, 2))))
    if requires_grad:
        t.requires_grad_()
    return t


def detach(input: Tensor) -> Tensor:
    """PyTorch's ``torch.detach(x)``: ``x.detach()``, a tensor of the same data outside the
    graph.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.detach(pt.ones(2, requires_grad=True)).requires_grad
    False
    """
    _pytorch._tensor_arg("detach", input)
    return input.detach()


class _BinomialDtypeError(TypeError, ValueError):
    """A count or probability of a dtype ``binomial`` does not take: a ``TypeError`` (a
    dtype, the project's class) and the ``ValueError`` PyTorch raises."""


_CANDIDATES = 16  # (BTRS accepts each with probability above 0.8: all refused below 1e-11)
_SMALL_TOP = 60  # (inversion: a mean below 10, beyond 60 the probability is below 1e-20)


def binomial(count: Tensor, prob: Tensor, generator: Any = None) -> Tensor:
    """Binomial random numbers of ``count`` trials of probability ``prob`` each (broadcast
    together, of one real floating dtype, which the result has), as PyTorch's
    ``torch.binomial``, from polytensor's counter-based stream: by inversion where the mean
    (of the rarer outcome) is below 10, else by Hoermann's BTRS. A count below 0 gives 0, a
    probability above 1 the count, NaN gives NaN; there is no derivative (backward through it
    raises, as PyTorch's).

    Examples
    --------
    >>> import polytensor as pt
    >>> _ = pt.manual_seed(0)
    >>> k = pt.binomial(pt.full((1000,), 20.0), pt.full((1000,), 0.25))
    >>> bool(((k >= 0) & (k <= 20)).all()), abs(float(k.mean()) - 5.0) < 0.3
    (True, True)
    """
    for name, t in (("count", count), ("prob", prob)):
        _pytorch._tensor_arg("binomial", t)
        if t.dtype.kind != "real floating":
            raise _BinomialDtypeError(
                f"binomial() only supports floating-point dtypes for {name}; got "
                f"{t.dtype.name}; cast it with {name}.float()"
            )
    if count.dtype is not prob.dtype:
        raise dt.MixedDtypeError(
            f"binomial() expects count and prob of one dtype; got {count.dtype.name} and "
            f"{prob.dtype.name}; cast one with prob.to(count.dtype)"
        )
    shape = cast("tuple[int, ...]", broadcast_shapes(tuple(count.shape), tuple(prob.shape)))
    n = astype(broadcast_to(count.detach(), shape), dt.float64)
    p = astype(broadcast_to(prob.detach(), shape), dt.float64)
    draws = _random._draw(
        "binomial",
        "uniform",
        (),
        (*shape, _CANDIDATES, 2),
        dt.float64,
        count.device,
        generator,
        None,
    )
    bad = E.isnan(n) | E.isnan(p)
    n = where(bad | (n < 0), 0.0, E.floor(n))
    p = where(bad, 0.0, E.minimum(E.maximum(p, 0.0), 1.0))
    flip = p > 0.5
    q = where(flip, 1.0 - p, p)
    k = where(n * q < 10.0, _inverted(n, q, draws[..., 0, 0]), _btrs(n, q, draws))
    k = where(bad, math.nan, where(flip, n - k, k))
    r = astype(k, count.dtype)
    if _config.GRAD_ENABLED.get() and (count.requires_grad or prob.requires_grad):
        r = cast("Tensor", _NoDerivative.apply("binomial", r, count, prob))
    return r


def _log_choose(n: Any, k: Any) -> Any:
    return S.gammaln(n + 1.0) - S.gammaln(k + 1.0) - S.gammaln(n - k + 1.0)


def _inverted(n: Any, q: Any, u: Any) -> Any:
    """The smallest k with P(X <= k) >= u, X binomial of ``n`` and ``q`` (mean below 10)."""
    n1 = n[..., None]
    q1 = where(q > 0, q, 0.5)[..., None]
    k = _arange_like(n)
    inside = k <= n1
    kk = where(inside, k, 0.0)
    logp = _log_choose(n1, kk) + kk * E.log(q1) + (n1 - kk) * E.log1p(-q1)
    pmf = where(inside, E.exp(logp), 0.0)
    cdf = statistical.cumulative_sum(pmf, axis=-1)
    below = statistical.sum(astype(cdf < u[..., None], dt.float64), axis=-1)
    return where(q > 0, E.minimum(below, n), 0.0)


def _arange_like(n: Any) -> Any:
    from ._ops.creation import arange

    return arange(_SMALL_TOP + 1, dtype=dt.float64, device=n.device)


def _btrs(n: Any, q: Any, draws: Any) -> Any:
    """Hoermann's BTRS (1993) for a mean from 10: each element's first accepted candidate."""
    big = n * q >= 10.0
    n1 = where(big, n, 20.0)[..., None]
    q1 = where(big, q, 0.5)[..., None]
    spq = E.sqrt(n1 * q1 * (1.0 - q1))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * q1
    c = n1 * q1 + 0.5
    vr = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    m = E.floor((n1 + 1.0) * q1)
    u = draws[..., 0] - 0.5
    v = E.maximum(draws[..., 1], 1e-300)
    us = E.maximum(0.5 - E.abs(u), 1e-300)
    k = E.floor((2.0 * a / us + b) * u + c)
    refused = (k < 0) | (k > n1)
    kk = E.minimum(E.maximum(k, 0.0), n1)
    quick = (us >= 0.07) & (v <= vr)
    bound = _log_choose(n1, kk) - _log_choose(n1, m) + (kk - m) * E.log(q1 / (1.0 - q1))
    exact = E.log(v * alpha / (a / (us * us) + b)) <= bound
    accepted = ~refused & (quick | exact)
    first = searching.argmax(astype(accepted, dt.int64), axis=-1, keepdims=True)
    return take_along_axis(kk, first, axis=-1)[..., 0]


# -- linear algebra -----------------------------------------------------------------------------
def _square_factor(where_: str, factor: Tensor, upper: bool) -> Tensor:
    """``A = L L^H`` (``U^H U`` with ``upper``) of the triangle of ``factor`` PyTorch reads."""
    _pytorch._tensor_arg(where_, factor)
    if factor.ndim < 2 or factor.shape[-1] != factor.shape[-2]:
        raise ValueError(
            f"{where_}() expects a square matrix or a stack of them; got shape "
            f"{tuple(factor.shape)}"
        )
    # Note: PyTorch reads the triangle's values, and differentiates in every element of the
    # factor (its gradient of the other triangle is not zero): the other triangle, detached,
    # is taken out
    tri = triu(factor) if upper else tril(factor)
    f = factor - (factor - tri).detach()
    return f.mH @ f if upper else f @ f.mH


def cholesky_inverse(input: Tensor, upper: bool = False, *, out: Tensor | None = None) -> Tensor:
    """The inverse of ``A = L L^H`` from its Cholesky factor ``L`` (``upper``: ``A = U^H U``),
    as PyTorch's ``torch.cholesky_inverse``; only the factor's triangle is read.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cholesky_inverse(pt.asarray([[2.0, 0.0], [0.0, 1.0]]))
    tensor([[0.25, 0.  ],
            [0.  , 1.  ]], backend='numpy')
    """
    r = cast("Tensor", L.inv(_square_factor("cholesky_inverse", input, upper)))
    return r if out is None else _random._into_out("cholesky_inverse", r, out)


def cholesky_solve(
    input: Tensor, input2: Tensor, upper: bool = False, *, out: Tensor | None = None
) -> Tensor:
    """``X`` with ``A X = B`` for ``B = input`` (matrices, or stacks of them) and ``A``'s
    Cholesky factor ``input2`` (``A = L L^H``, ``upper``: ``U^H U``), as PyTorch's
    ``torch.cholesky_solve``; only the factor's triangle is read.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.cholesky_solve(pt.asarray([[4.0], [1.0]]), pt.asarray([[2.0, 0.0], [0.0, 1.0]]))
    tensor([[1.],
            [1.]], backend='numpy')
    """
    _pytorch._tensor_arg("cholesky_solve", input)
    if input.ndim < 2:
        raise ValueError(
            f"cholesky_solve() expects b to have at least 2 dimensions (a matrix of right-hand "
            f"sides); got shape {tuple(input.shape)}; use b.unsqueeze(-1)"
        )
    a = _square_factor("cholesky_solve", input2, upper)
    r = cast("Tensor", L.solve(a, input))
    return r if out is None else _random._into_out("cholesky_solve", r, out)


# -- layer functions PyTorch has as Tensor methods too --------------------------------------------
def _floating(x: Any, where_: str, *, real: bool) -> Tensor:
    if not isinstance(x, TensorBase):
        raise TypeError(
            f"{where_}() expects input to be a polytensor Tensor; got {type(x).__name__}; "
            f"convert it with pt.asarray(...)"
        )
    kind = x.dtype.kind
    if not (kind == "real floating" or (kind == "complex floating" and not real)):
        raise dt.DtypeNotImplementedError(
            f"{where_}() expects a {'real ' if real else ''}floating-point input; got "
            f"{x.dtype.name}; cast with pt.astype(x, pt.float32) first"
        )
    return cast("Tensor", x)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where ``|x| > lambd``, else 0, as ``torch.nn.functional.hardshrink`` (and
    ``x.hardshrink(lambd)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.hardshrink(pt.asarray([-2.0, 0.25, 1.0]))
    tensor([-2.,  0.,  1.], backend='numpy')
    """
    x = input_in_grad(_floating(input, "hardshrink", real=True))  # (as PyTorch's gradient)
    if isinstance(lambd, bool) or not isinstance(lambd, (int, float)):
        raise TypeError(f"hardshrink() expects a real number for lambd; got {lambd!r}")
    lam = float(lambd)
    return where((x >= -lam) & (x <= lam), x * 0.0, x)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else ``weight * x``, with one learned slope for every channel
    (dimension 1) or one for all, as ``torch.nn.functional.prelu`` (and ``x.prelu(w)``).

    Parameters
    ----------
    input : Tensor
    weight : Tensor
        A scalar or a 1-D tensor of one element, or of one element per channel (dimension 1
        of the input; an input of fewer than 2 dimensions has one channel).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.prelu(pt.asarray([[-2.0, 2.0], [-4.0, 4.0]]), pt.asarray([0.5, 0.25]))
    tensor([[-1.,  2.],
            [-2.,  4.]], backend='numpy')
    """
    x = _floating(input, "prelu", real=False)
    if not isinstance(weight, TensorBase):
        raise TypeError(
            f"prelu() expects weight to be a polytensor Tensor; got {type(weight).__name__}; "
            f"convert it with pt.asarray(...)"
        )
    w = weight
    if w.ndim > 1:
        raise LayerArgumentError(
            f"prelu() expects a scalar or 1-D weight; got a weight of shape {w.shape}"
        )
    channels = x.shape[1] if x.ndim >= 2 else 1
    count = math.prod(cast("tuple[int, ...]", w.shape))
    if count not in (1, channels):
        raise LayerArgumentError(
            f"prelu() got {count} weights for an input with {channels} channels (dimension 1 "
            f"of shape {x.shape}); give one weight, or one per channel"
        )
    slope = reshape(w, (count,) + (1,) * (x.ndim - 2) if count > 1 else ())
    x = input_in_grad(x)  # (its gradient depends on it, as PyTorch's)
    # (x > 0, not x >= 0: at 0 PyTorch's gradient with respect to x is the slope's; the slope
    # multiplies only the values it is used for: at x = +inf its gradient, masked by where,
    # would be 0 * inf = NaN)
    return where(x > 0, x, slope * where(x > 0, 0.0, x))


# -- methods ------------------------------------------------------------------------------------
def _polygamma(x: Tensor, n: int) -> Tensor:
    return cast("Tensor", S.polygamma(n, x))


def split_with_sizes(self: Tensor, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """The pieces of ``split_sizes`` elements along ``dim`` (which must add up to its
    length), as PyTorch's ``x.split_with_sizes``; each a view.

    Examples
    --------
    >>> import polytensor as pt
    >>> [tuple(p.shape) for p in pt.ones(5).split_with_sizes([2, 3])]
    [(2,), (3,)]
    """
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError(
            f"split_with_sizes() expects a list of sizes; got {type(split_sizes).__name__}; "
            f"use x.split(size) for pieces of one size"
        )
    return _pytorch.split(self, list(split_sizes), dim)


def sum_to_size(self: Tensor, *size: Any) -> Tensor:
    """This tensor summed to ``size`` (to which its shape must broadcast: the leading
    dimensions, and those where ``size`` has 1, are summed), as PyTorch's ``x.sum_to_size``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2, 3).sum_to_size(1, 3)
    tensor([[2., 2., 2.]], backend='numpy')
    """
    shape = _shape_args("sum_to_size", size)
    have = tuple(self.shape)
    lead = len(have) - len(shape)
    if lead < 0 or any(s not in (1, h) for s, h in zip(shape, have[lead:], strict=True)):
        raise BroadcastError(
            f"sum_to_size(): size {list(shape)} is not expandable to size {list(have)} (the "
            f"tensor's shape); give a size that broadcasts to it"
        )
    axes = tuple(range(lead)) + tuple(
        lead + i for i, (s, h) in enumerate(zip(shape, have[lead:], strict=True)) if s == 1 != h
    )
    r = statistical.sum(self, axis=axes, keepdims=True) if axes else self
    return reshape(r, shape) if lead else r


def new_empty_strided(
    self: Tensor,
    size: Any,
    stride: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """A new uninitialised tensor of ``size`` with this one's dtype and device, as PyTorch's
    ``x.new_empty_strided(size, stride)``: laid out with those strides (``stride()`` gives
    them back), in memory of its own (a view of a new 1-d tensor just long enough, as
    ``x.new_empty(n).as_strided(size, stride)``), a leaf.

    Examples
    --------
    >>> import polytensor as pt
    >>> t = pt.ones(1, dtype=pt.float64).new_empty_strided((2, 3), (1, 2))
    >>> t.shape, t.stride(), t.is_contiguous()
    ((2, 3), (1, 2), False)
    """
    from ._view_layout import as_strided
    from .autograd import no_grad

    shape = _shape_args("new_empty_strided", (size,))
    strides = tuple(stride)
    if len(strides) != len(shape):
        raise ValueError(
            f"new_empty_strided(): mismatch in length of strides and shape ({len(strides)} "
            f"strides for shape {list(shape)}); give one stride per dimension"
        )
    dtype = self.dtype if dtype is None else dtype
    device = self.device if device is None else device
    dense = [1] * len(shape)  # (the strides of a tensor of its own, C order)
    for i in range(len(shape) - 2, -1, -1):
        dense[i] = dense[i + 1] * max(shape[i + 1], 1)
    if 0 in shape or strides == tuple(dense):  # (no memory to lay out otherwise)
        return empty(shape, dtype=dtype, device=device, requires_grad=requires_grad)
    # the memory of the last element, + 1 (as PyTorch sizes it; negative strides are refused)
    n = 1 + sum((k - 1) * abs(int(st)) for k, st in zip(shape, strides, strict=True))
    with no_grad():
        t = as_strided(empty((n,), dtype=dtype, device=device), shape, strides)
    return cast("Tensor", t.requires_grad_() if requires_grad else t)


def pin_memory(self: Tensor, device: Any = None) -> Tensor:
    """A copy in page-locked host memory, as PyTorch's ``x.pin_memory()``: with no CUDA
    device it raises PyTorch's ``RuntimeError``; with one (the CuPy backend usable) it is a
    copy, as the host's memory is the backend's.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2).is_pinned()
    False
    """
    try:
        _get_backend("cupy")
    except (ValueError, ImportError):  # (as pt.cuda.is_available())
        raise RuntimeError(
            "pin_memory(): Cannot access accelerator device when none is available (page-locked "
            "memory is for copies to a CUDA device); leave pin_memory out on this machine"
        ) from None
    return self.clone()


def _false(name: str, what: str) -> Callable[[Tensor], bool]:
    def method(self: Tensor) -> bool:
        return False

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"PyTorch's ``x.{name}()``: always False, {what}.\n\nExamples\n--------\n"
        f">>> import polytensor as pt\n>>> pt.ones(2).{name}()\nFalse\n"
    )
    return method


def _output_nr(self: Tensor) -> int:
    """Which output of the op that made it this tensor is (0 for a leaf), as PyTorch's
    ``x.output_nr``. Note: polytensor records each piece of a split as an op of its own, so
    the pieces are each output 0 (PyTorch's one split op numbers them).

    Examples
    --------
    >>> import polytensor as pt
    >>> [t.output_nr for t in pt.linalg.qr(pt.eye(2, requires_grad=True) * 2)]
    [0, 1]
    """
    m = self._meta
    return 0 if m is None else int(getattr(m, "index", 0))


def _layout(self: Tensor) -> layout:
    """The memory layout, as PyTorch's ``x.layout``: ``pt.strided``, always.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.ones(2).layout
    polytensor.strided
    """
    return strided


def resolve_neg(self: Tensor) -> Tensor:
    """This tensor, as PyTorch's ``x.resolve_neg()`` of a tensor that is not a lazily negated
    view (polytensor has none: ``x.is_neg()`` is False).

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.ones(2)
    >>> x.resolve_neg() is x
    True
    """
    return self


class TensorAliasMethods:
    """PyTorch's methods ``angle``,
    ``diagflat``, ``matrix_exp``, the Cholesky solves, ``igamma``, ``hardshrink``, ``prelu``,
    the splits' other names, ``sum_to_size`` and a CPU tensor's introspection answers.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.asarray([0.5, 1.0])
    >>> x.igamma_(pt.asarray([1.0, 2.0])) is x, x.layout
    (True, polytensor.strided)
    """

    __slots__ = ()

    igamma_ = _in_place("igamma_", S.gammainc, _F, "pt.asarray([1.0, 2.0])")
    igammac_ = _in_place("igammac_", S.gammaincc, _F, "pt.asarray([1.0, 2.0])")
    polygamma_ = _in_place("polygamma_", _polygamma, _F, "1")
    angle = angle
    igamma = S.gammainc
    igammac = S.gammaincc
    diagflat = _pytorch_shapes.diagflat
    matrix_exp = _pytorch_linalg.matrix_exp
    cholesky_inverse = cholesky_inverse
    cholesky_solve = cholesky_solve
    hardshrink = hardshrink
    prelu = prelu
    split_with_sizes = split_with_sizes
    unsafe_split_with_sizes = split_with_sizes
    unsafe_split = _pytorch.split
    unsafe_chunk = _pytorch.chunk
    sum_to_size = sum_to_size
    new_empty_strided = new_empty_strided
    is_inference = _false("is_inference", "as polytensor has no inference tensors")
    is_neg = _false("is_neg", "as polytensor has no lazily negated views")
    is_pinned = _false("is_pinned", "as polytensor has no page-locked host memory")
    resolve_neg = resolve_neg
    pin_memory = pin_memory
    output_nr = property(_output_nr)
    layout = property(_layout)
