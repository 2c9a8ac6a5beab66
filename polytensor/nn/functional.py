"""Functions behind the layers, as in ``torch.nn.functional``.

Everything here is written with the standard's operations (slicing, ``concat``, ``stack``,
``reshape``, ``matmul``, ``where``, reductions), so it runs, and differentiates, on every
backend: NumPy, Dask (lazily), array-api-strict, CuPy.

Examples
--------
>>> import polytensor as pt
>>> import polytensor.nn.functional as F
>>> logits = pt.asarray([[2.0, 0.5, -1.0]])
>>> F.cross_entropy(logits, pt.asarray([0])).shape
()
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any, cast

from .. import _dtypes as _dt
from .._inplace import assign_inplace
from .._ops.creation import arange, asarray, zeros
from .._ops.data_types import astype
from .._ops.data_types import iinfo as _iinfo
from .._ops.elementwise import abs as _abs
from .._ops.elementwise import exp as _exp
from .._ops.elementwise import expm1 as _expm1
from .._ops.elementwise import isnan
from .._ops.elementwise import relu as pt_relu
from .._ops.elementwise import tanh as _tanh
from .._ops.indexing import _cross_entropy, _embedding, _nll_loss, take_along_axis
from .._ops.indexing import check_index as _check_index
from .._ops.linear_algebra import _matmul_nt, matmul, matrix_transpose
from .._ops.manipulation import concat, expand_dims, flip, permute_dims, reshape, stack
from .._ops.searching import argmax, where
from .._ops.special import _gelu
from .._ops.special import expit as _expit
from .._ops.statistical import _layer_norm, _log_softmax, _softmax
from .._ops.statistical import any as _any
from .._ops.statistical import mean as _mean
from .._ops.statistical import sum as _sum
from .._tape import name_node, tensor_of
from .._tensor import Tensor
from ..autograd import Function, is_grad_enabled, no_grad
from ..autograd._input_in_grad import input_in_grad
from ._errors import LayerArgumentError
from ._layer_kernels import batch_norm_eval_kernel, leaky_relu_kernel, takes_layer_kernels
from ._random import uniform_like as _uniform_like
from ._window_kernels import (
    avg_pool2d_kernel,
    conv2d_kernel,
    max_pool2d_kernel,
    takes_window_kernels,
)

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "affine_grid",
    "alpha_dropout",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "celu_",
    "channel_shuffle",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "cosine_embedding_loss",
    "cosine_similarity",
    "cross_entropy",
    "ctc_loss",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "elu",
    "elu_",
    "embedding",
    "embedding_bag",
    "feature_alpha_dropout",
    "fold",
    "gaussian_nll_loss",
    "gelu",
    "glu",
    "grid_sample",
    "group_norm",
    "gumbel_softmax",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "hinge_embedding_loss",
    "huber_loss",
    "instance_norm",
    "interpolate",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "leaky_relu_",
    "linear",
    "local_response_norm",
    "log_softmax",
    "logsigmoid",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "mish",
    "mse_loss",
    "multi_head_attention_forward",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "pairwise_distance",
    "pdist",
    "pixel_shuffle",
    "pixel_unshuffle",
    "poisson_nll_loss",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rms_norm",
    "rrelu",
    "rrelu_",
    "scaled_dot_product_attention",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "soft_margin_loss",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "unfold",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]

_REDUCTIONS = ("mean", "sum", "none")


def _tensor(x: Any, where: str, name: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{where}() expects {name} to be a polytensor Tensor; got "
            f"{type(x).__name__}; convert it with pt.asarray(...)"
        )
    return x


def _floating(
    x: Tensor,
    where: str,
    name: str = "input",
    *,
    real: bool = False,
    integers: bool = False,
    booleans: bool = False,
) -> None:
    """Refuse ``x`` unless it is floating (``real``: real floating), or of an integer dtype
    with ``integers``, or boolean with ``booleans`` (the activations that PyTorch computes on
    such inputs); with ``DtypeNotImplementedError``, a TypeError and PyTorch's
    NotImplementedError ("... not implemented for 'Long'")."""
    kind = x.dtype.kind
    if kind == "real floating" or (kind == "complex floating" and not real):
        return
    if (integers and kind in _INTEGER_KINDS) or (booleans and kind == "bool"):
        return
    what = f"{'real ' if real else ''}floating-point"
    if integers:
        what += ", integer or boolean" if booleans else " or integer"
    raise _dt.DtypeNotImplementedError(
        f"{where}() expects a {what} {name}; got {x.dtype.name}; cast with "
        f"pt.astype(x, pt.float32) first"
    )


_INTEGER_KINDS = ("signed integer", "unsigned integer")
# (``x._data.dtype in x._backend.cats[_REAL_FLOAT]``: whether x is real floating, read from its
# backend's table in a third of the time of ``x.dtype.kind``, for the activations' common call)
_REAL_FLOAT = _dt.CATEGORY_NAMES.index("real floating-point")


def _integer_scalar(where: str, name: str, value: float, x: Tensor) -> int:
    """``value``, a bound or fill value of ``where`` given as a real number, as the integer
    tensor ``x`` takes it: truncated toward zero, as PyTorch converts it; a ValueError when
    ``x``'s dtype cannot hold it (PyTorch's "value cannot be converted without overflow")."""
    info = _iinfo(x.dtype)
    if math.isfinite(value) and info.min <= int(value) <= info.max:
        return int(value)
    raise ValueError(
        f"{where}() got {name}={value!r} for an input of dtype {x.dtype.name}, which holds "
        f"integers from {info.min} to {info.max}; give a {name} in that range, or cast the "
        f"input with pt.astype(x, pt.float32) first"
    )


def _reduce(loss: Tensor, reduction: str, where: str) -> Tensor:
    if reduction == "mean":
        return _mean(loss)
    if reduction == "sum":
        return _sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(
        f"{where}() got reduction={reduction!r}; expected one of "
        f"{', '.join(repr(r) for r in _REDUCTIONS)}"
    )


def _dim(dim: int, ndim: int, where: str) -> int:
    n = max(ndim, 1)
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{where}() expects an int dim; got {dim!r}")
    if not -n <= dim < n:
        raise IndexError(
            f"{where}() got dim={dim} for a {ndim}-D input; expected a dim in [{-n}, {n - 1}]"
        )
    return dim % n


# -- activations ---------------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); with ``inplace``, written into ``input`` (which must not be a leaf that
    requires grad), as PyTorch's ``F.relu(x, inplace=True)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.asarray([-1.0, 2.0]); _ = F.relu(x, inplace=True); x
    tensor([0., 2.], backend='numpy')
    """
    if inplace:
        return _in_place(input, pt_relu, "relu_")
    return pt_relu(input)


def _in_place(input: Tensor, fn: Any, name: str) -> Tensor:
    """``fn(input)`` written into ``input`` in place (recorded as PyTorch records it)."""
    from .._inplace import alias_before_inplace, assign_inplace

    x = _tensor(input, name.rstrip("_"))
    return assign_inplace(x, fn(alias_before_inplace(x)), name)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else ``negative_slope * x``; with ``inplace``, written into ``input``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.leaky_relu(pt.asarray([-1.0, 2.0]), 0.1)
    tensor([-0.1,  2. ], backend='numpy')
    """
    x = _tensor(input, "leaky_relu")
    if isinstance(negative_slope, bool) or not isinstance(negative_slope, (int, float)):
        raise TypeError(f"leaky_relu() expects a real negative_slope; got {negative_slope!r}")

    def composite(v: Tensor) -> Tensor:
        v = input_in_grad(v)  # (its gradient depends on it, as PyTorch's)
        return where(v > 0, v, v * negative_slope)

    def f(v: Tensor) -> Tensor:
        if takes_layer_kernels(v):  # one node, its own backward
            return cast("Tensor", leaky_relu_kernel(v, float(negative_slope), composite))
        # (PyTorch's refuses integers and booleans too; the kernel takes real floating
        # tensors only, so its calls skip this check)
        _floating(v, "leaky_relu", real=True)
        return composite(v)

    return _in_place(x, f, "leaky_relu_") if inplace else f(x)


class _BatchNormNode(Function):
    """``batch_norm`` by the batch's statistics (training), one node: its forward makes
    ``d = x - mean`` and, as PyTorch's CPU kernel, ``y = x * alpha + beta`` with ``alpha =
    weight / sqrt(var + eps)`` and ``beta = bias - mean * alpha``, and its backward is
    the textbook one (the input's gradient from two sums over the batch and three passes),
    where the composite's ops take about twice as many passes over the input each way. On a
    backend with layer kernels (``Writes.layers``) the same formulas run on its arrays. The
    batch's mean and variance are appended to ``stats`` for the running statistics. Under
    ``create_graph`` the composite's gradients are taken."""

    _node_name = "NativeBatchNormBackward0"  # (grad_fn's name, PyTorch's)

    # the bias's value is not read by the backward: an in-place change of it between forward
    # and backward (an optimizer's step) is allowed, as PyTorch allows it
    _unread_inputs = (2,)

    @staticmethod
    def forward(
        ctx: Any,
        x: Tensor,
        weight: Tensor | None,
        bias: Tensor | None,
        axes: tuple[int, ...],
        shape: tuple[int, ...],
        eps: float,
        stats: list[Any],
    ) -> Tensor:
        b = x._backend
        kernel = b.layers is not None and all(
            t is None or (t._backend is b and t._data.dtype == x._data.dtype)
            for t in (weight, bias)
        )
        ctx.kernel = kernel
        if kernel:  # the same formulas on arrays
            yd, *arrays = b.layers.batch_norm(
                x._data,
                None if weight is None else weight._data,
                None if bias is None else bias._data,
                axes,
                eps,
            )
            mu, var, d, inv = (tensor_of(a, b) for a in arrays)
            stats.extend((mu, var))
            ctx.save_for_backward(x, weight, d, inv)
            ctx.bias = bias  # (kept aside: no gradient reads it)
            ctx.geometry = (axes, shape, eps)
            return cast("Tensor", tensor_of(yd, b))
        mu = _mean(x, axis=axes, keepdims=True)
        d = x - mu
        var = _mean(d * d, axis=axes, keepdims=True)
        inv = (var + eps) ** -0.5
        y = _affine(x, mu, inv, weight, bias, shape)
        stats.extend((mu, var))
        ctx.save_for_backward(x, weight, d, inv)
        ctx.bias = bias  # (kept aside: no gradient reads it)
        ctx.geometry = (axes, shape, eps)
        return y

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Any:
        x, weight, d, inv = ctx.saved_tensors
        bias = ctx.bias
        axes, shape, eps = ctx.geometry
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        if is_grad_enabled():  # create_graph: the composite's gradients, recorded
            from ..autograd import grad

            def composite(x_: Any, w_: Any, b_: Any) -> Tensor:
                mu = _mean(x_, axis=axes, keepdims=True)
                d_ = x_ - mu
                return _normalised(d_, _mean(d_ * d_, axis=axes, keepdims=True), w_, b_, shape, eps)

            views = [None if t is None else t[...] for t in (x, weight, bias)]
            wanted = [v for v, need in zip(views, (need_x, need_w, need_b), strict=True) if need]
            got = iter(grad(composite(*views), wanted, g, create_graph=True, allow_unused=True))
            out = [next(got) if need else None for need in (need_x, need_w, need_b)]
            return (*out, None, None, None, None)
        gdata = g._data
        if ctx.kernel and gdata.shape == d._data.shape and gdata.dtype == d._data.dtype:
            b = x._backend
            grads = b.layers.batch_norm_backward(
                gdata,
                d._data,
                inv._data,
                None if weight is None else weight._data,
                axes,
                (need_x, need_w, need_b),
            )
            return (
                *(None if a is None else tensor_of(a, b) for a in grads),
                None,
                None,
                None,
                None,
            )
        n = x.size // inv.size
        gb = _sum(g, axis=axes, keepdims=True)  # (the bias's gradient, per channel)
        gd = _sum(g * d, axis=axes, keepdims=True)  # (the weight's, divided by inv)
        gx = None
        if need_x:
            a = inv if weight is None else inv * reshape(weight, shape)
            gx = g * a
            gx -= a * gb / n
            gx -= d * (a * inv * inv * gd / n)
        return (
            gx,
            reshape(gd * inv, (-1,)) if need_w else None,
            reshape(gb, (-1,)) if need_b else None,
            None,
            None,
            None,
            None,
        )


def _real_number(where: str, name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"{where}() expects a real number for {name}; got {v!r}")
    return float(v)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else ``alpha * (exp(x) - 1)``; with ``inplace``, written into ``input``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.elu(pt.asarray([-1.0, 2.0], dtype=pt.float64))
    tensor([-0.63212056,  2.        ], dtype=polytensor.float64, backend='numpy')
    """
    x = _tensor(input, "elu")
    _floating(x, "elu", real=True)
    a = _real_number("elu", "alpha", alpha)

    def f(v: Tensor) -> Tensor:
        return cast("Tensor", _Elu.apply(v, a))

    return _in_place(x, f, "elu_") if inplace else f(x)


class _Elu(Function):
    """ELU as one node. Its derivative on the negative branch is ``alpha * exp(x)``, as
    PyTorch's ``elu_backward`` computes it (expm1's rule reads ``out + 1``, which rounds to 0
    where ``out`` is -1, below about x = -37 in float64, -17 in float32, and loses the small
    gradient there). At x = 0 the derivative is ``alpha`` (PyTorch's takes x <= 0, so NaN
    takes the positive branch) and the second derivative 0 (its double backward takes x < 0).
    One node rather than the composition's seven keeps the accuracy at no cost in speed."""

    _node_name = "EluBackward0"  # (grad_fn's name, PyTorch's)

    @staticmethod
    def forward(ctx: Any, v: Tensor, a: float) -> Tensor:
        ctx.save_for_backward(v)
        ctx.alpha = a
        # (expm1 of the negative part alone: no overflow where x is large)
        return where(v <= 0, _expm1(where(v <= 0, v, 0.0)) * a, v)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Tensor, None]:
        (v,) = ctx.saved_tensors
        slope = where(v <= 0, _exp(where(v < 0, v, -0.0)) * ctx.alpha, 1.0)
        return g * slope, None


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """x clipped to ``[min_val, max_val]``; with ``inplace``, written into ``input``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.hardtanh(pt.asarray([-3.0, 0.5, 3.0]))
    tensor([-1. ,  0.5,  1. ], backend='numpy')

    An integer tensor keeps its dtype, clipped to the bounds truncated toward zero (PyTorch's):

    >>> F.hardtanh(pt.asarray([-3, 0, 3]), -1.5, 2.5)
    tensor([-1,  0,  2], backend='numpy')
    """
    x = _tensor(input, "hardtanh")
    integer = x._data.dtype not in x._backend.cats[_REAL_FLOAT]
    if integer:
        _floating(x, "hardtanh", real=True, integers=True)
    lo = _real_number("hardtanh", "min_val", min_val)
    hi = _real_number("hardtanh", "max_val", max_val)
    if lo > hi:
        raise ValueError(f"hardtanh() expects min_val <= max_val; got {lo} and {hi}")
    if integer:  # PyTorch's: clipped in x's dtype, to truncated bounds
        ilo = _integer_scalar("hardtanh", "min_val", lo, x)
        ihi = _integer_scalar("hardtanh", "max_val", hi, x)

        def clip_in_dtype(v: Tensor) -> Tensor:
            return v.clamp(ilo, ihi)

        return _in_place(x, clip_in_dtype, "hardtanh_") if inplace else clip_in_dtype(x)

    def f(v: Tensor) -> Tensor:
        # (the gradient flows strictly inside the bounds, as PyTorch's hardtanh's; clamp's
        # passes it at the bounds too)
        v = input_in_grad(v)
        return where(~((v <= lo) | (v >= hi)), v, v.detach().clamp(lo, hi))  # (NaN: passed)

    return _in_place(x, f, "hardtanh_") if inplace else f(x)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """x clipped to ``[0, 6]`` (``hardtanh(x, 0, 6)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.relu6(pt.asarray([-1.0, 3.0, 9.0]))
    tensor([0., 3., 6.], backend='numpy')
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed as ``-softplus(-x)`` without overflow.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.logsigmoid(pt.asarray([0.0, -1000.0]))
    tensor([-6.931472e-01, -1.000000e+03], backend='numpy')
    """
    from .._ops.elementwise import logaddexp

    x = _tensor(input, "logsigmoid")
    _floating(x, "logsigmoid", real=True)
    return -logaddexp(-x, 0.0)


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """softmax of ``-x`` along ``dim`` (``dim`` and ``dtype`` as ``softmax``'s).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.softmin(pt.asarray([0.0, 0.0]), dim=0)
    tensor([0.5, 0.5], backend='numpy')
    """
    x = _cast(_tensor(input, "softmin"), dtype)
    return softmax(-x, dim=_implicit(dim, x.ndim, "softmin", _stacklevel))


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None
) -> Tensor:
    """x divided by its ``p``-norm along ``dim`` (at least ``eps``): rows of unit length for
    the default arguments.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.normalize(pt.asarray([[3.0, 4.0]]))
    tensor([[0.6, 0.8]], backend='numpy')
    """
    from .._ops.linalg import vector_norm

    x = _tensor(input, "normalize")
    _floating(x, "normalize")
    if out is not None:
        raise TypeError("normalize() got out=; polytensor returns a new tensor (assign it)")
    order = _real_number("normalize", "p", p)
    d = _dim(dim, x.ndim, "normalize")
    norm = vector_norm(x, axis=d, keepdims=True, ord=order)
    return cast("Tensor", x / norm.clamp(min=_real_number("normalize", "eps", eps)))


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), computed without overflow for large ``|x|``; integer and boolean
    inputs give the default float dtype, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.sigmoid(pt.asarray([0.0]))
    tensor([0.5], backend='numpy')
    """
    x = _tensor(input, "sigmoid")
    if x._data.dtype not in x._backend.cats[_REAL_FLOAT]:
        # (integers and booleans: in the default float dtype)
        _floating(x, "sigmoid", real=True, integers=True, booleans=True)
    # one op with its own rule, g * out * (1 - out), as PyTorch's sigmoid node: built from
    # where, exp and divisions it was seven nodes each way
    return _expit(x)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """SiLU (swish): ``x * sigmoid(x)``, as PyTorch's ``F.silu``; with ``inplace``, written
    into ``input``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.silu(pt.asarray([0.0, 1.0], dtype=pt.float64))
    tensor([0.        , 0.73105858], dtype=polytensor.float64, backend='numpy')
    """
    x = _tensor(input, "silu")
    _floating(x, "silu", real=True)
    if inplace:
        return _in_place(x, lambda v: v * sigmoid(v), "silu_")
    return name_node(x * sigmoid(x), "SiluBackward0")


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU, as PyTorch's ``F.gelu``: ``x * Phi(x)`` with the normal distribution's CDF
    ``Phi(x) = (1 + erf(x / sqrt(2))) / 2``; with ``approximate="tanh"``, PyTorch's tanh
    approximation ``x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x**3)))``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.gelu(pt.asarray([0.0, 1.0], dtype=pt.float64))
    tensor([0.        , 0.84134475], dtype=polytensor.float64, backend='numpy')
    """
    x = _tensor(input, "gelu")
    _floating(x, "gelu", real=True)
    if approximate == "tanh":
        return _gelu(x, approximate=approximate)
    if approximate == "none":  # (one node; it needs SciPy's erf)
        # a list for the CDF when a gradient will be wanted (the backward then takes it)
        keep: list[Any] | None = [] if x.requires_grad and is_grad_enabled() else None
        return _gelu(x, approximate=approximate, keep=keep)
    raise RuntimeError(
        f"gelu() got approximate={approximate!r}; it takes 'none' (the exact GELU) or 'tanh' "
        f"(its tanh approximation), as PyTorch's"
    )


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus, as PyTorch's ``F.softplus``: ``log(1 + exp(beta * x)) / beta``, and ``x``
    itself where ``beta * x > threshold`` (computed without overflow).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.softplus(pt.asarray([0.0, 30.0], dtype=pt.float64))
    tensor([ 0.69314718, 30.        ], dtype=polytensor.float64, backend='numpy')
    """
    x = _tensor(input, "softplus")
    _floating(x, "softplus", real=True)
    for name, v in (("beta", beta), ("threshold", threshold)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"softplus() expects a real number {name}; got {v!r}")
    from .._ops.elementwise import logaddexp

    bx = x * beta if beta != 1 else x
    soft = logaddexp(bx, 0.0)
    return name_node(
        where(bx > threshold, x, soft / beta if beta != 1 else soft), "SoftplusBackward0"
    )


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent element-wise (``pt.tanh``).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.tanh(pt.asarray([0.0]))
    tensor([0.], backend='numpy')
    """
    return _tanh(_tensor(input, "tanh"))


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, shifted by the maximum for stability.

    Parameters
    ----------
    input : Tensor
        Floating-point scores.
    dim : int, optional
        The axis that sums to one. Without it, PyTorch's deprecated implicit choice, with its
        warning: dimension 0 of a 0-, 1- or 3-D input, else dimension 1.
    dtype : DType, optional
        The dtype the input is cast to first.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.softmax(pt.asarray([1000.0, 1000.0]), dim=0)
    tensor([0.5, 0.5], backend='numpy')
    """
    x = _cast(_tensor(input, "softmax"), dtype)
    _floating(x, "softmax")
    axis = _dim(_implicit(dim, x.ndim, "softmax", _stacklevel), x.ndim, "softmax")
    return x * 1 if x.size == 0 else _softmax(x, axis=axis)  # (empty: as it is, as PyTorch's)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """log(softmax(x)) along ``dim``, computed as ``x - max - log(sum(exp(x - max)))``; ``dim``
    and ``dtype`` as ``softmax``'s.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> y = F.log_softmax(pt.asarray([0.0, 1000.0]), dim=0)
    >>> y.tolist()
    [-1000.0, 0.0]
    """
    x = _cast(_tensor(input, "log_softmax"), dtype)
    _floating(x, "log_softmax")
    d = _dim(_implicit(dim, x.ndim, "log_softmax", _stacklevel), x.ndim, "log_softmax")
    return x * 1 if x.size == 0 else _log_softmax(x, axis=d)


def gumbel_softmax(
    logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """A sample of the Gumbel-softmax (concrete) distribution of ``logits`` along ``dim``, as
    PyTorch's: ``softmax((logits + g) / tau)`` with ``g`` drawn from Gumbel(0, 1); with
    ``hard``, the one-hot of its maximum in the forward pass and the soft sample's gradient
    (the straight-through estimator). ``eps`` is taken and unused, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> y = F.gumbel_softmax(pt.zeros((2, 3)), tau=0.5, hard=True)
    >>> y.sum(dim=-1).tolist(), sorted(set(y.flatten().tolist()))
    ([1.0, 1.0], [0.0, 1.0])
    """
    x = _tensor(logits, "gumbel_softmax")
    _floating(x, "gumbel_softmax", real=True)
    if isinstance(tau, bool) or not isinstance(tau, (int, float)) or not tau > 0:
        raise ValueError(f"gumbel_softmax() expects a positive number tau; got {tau!r}")
    if not isinstance(hard, bool):
        raise TypeError(f"gumbel_softmax() expects a bool hard; got {hard!r}")
    d = _dim(dim, x.ndim, "gumbel_softmax")
    from .._ops.creation import arange, empty_like
    from .._ops.data_types import astype
    from .._ops.elementwise import log
    from .._ops.manipulation import reshape

    gumbels = -log(empty_like(x.detach()).exponential_())  # Gumbel(0, 1)
    soft = _softmax((x + gumbels) / tau, axis=d)
    if not hard:
        return soft
    index = soft.detach().argmax(dim=d, keepdim=True)
    n = int(x.shape[d])  # type: ignore[arg-type]  # (known: the sample was drawn)
    places = reshape(arange(n, device=x.device), tuple(-1 if i == d else 1 for i in range(x.ndim)))
    one_hot = astype(places == index, soft.dtype)  # (the first maximum's place, as PyTorch's)
    return one_hot - soft.detach() + soft


def _implicit(dim: int | None, ndim: int, where: str, stacklevel: int) -> int:
    """``dim``, or PyTorch's deprecated implicit choice when it is None, with its warning."""
    if dim is not None:
        return dim
    warnings.warn(
        f"Implicit dimension choice for {where} has been deprecated. Change the call to "
        f"include dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _cast(x: Tensor, dtype: Any) -> Tensor:
    return x if dtype is None else astype(x, dtype)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """PyTorch's ``F.one_hot``: class indices ``tensor`` (any shape, an integer dtype) as
    int64 rows of ``num_classes`` zeros with a one at each index (shape ``tensor.shape +
    (num_classes,)``); ``num_classes=-1``: one more than the largest index (computed, on a
    lazy backend).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.one_hot(pt.asarray([2, 0]), 3)
    tensor([[0, 0, 1],
            [1, 0, 0]], backend='numpy')
    """
    t = _tensor(tensor, "one_hot", "tensor")
    if t.dtype.kind not in ("signed integer", "unsigned integer"):
        raise TypeError(f"one_hot() expects integer class indices; got {t.dtype.name}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int):
        raise TypeError(f"one_hot() expects num_classes to be an int; got {num_classes!r}")
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError(
                "one_hot(): cannot infer the number of classes from an empty tensor; pass "
                "num_classes"
            )
        num_classes = int(t.max().item()) + 1
    if num_classes < 0:
        raise ValueError(f"one_hot() got num_classes={num_classes}; expected -1 or >= 0")
    t = _check_index(
        t, size=num_classes, ignore=None, where="one_hot", what="class value"
    )  # (0 to num_classes - 1: an IndexError now, or when a lazy tensor is computed)
    t = astype(t, _dt.int64, copy=False)  # (classes of a small dtype would wrap around)
    classes = arange(num_classes, dtype=_dt.int64, device=t.device)
    return astype(expand_dims(t, axis=-1) == classes, _dt.int64)


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """PyTorch's ``F.pad``: ``pad`` gives (before, after) amounts for the last dimension, then
    the one before it, and so on (``(1, 1, 2, 0)``: one on each side of the last dimension,
    two before the second last). ``mode``: ``"constant"`` (``value``, 0 by default),
    ``"reflect"`` (mirrored, the edge not repeated), ``"replicate"`` (the edge repeated) or
    ``"circular"`` (wrapped around). A negative amount crops, in every mode, as PyTorch's.
    Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.pad(pt.asarray([[1.0, 2.0]]), (1, 2), value=9.0)
    tensor([[9., 1., 2., 9., 9.]], backend='numpy')
    >>> F.pad(pt.asarray([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]], backend='numpy')
    """
    from .._ops.creation import asarray, full
    from .._ops.indexing import put
    from .._pytorch import index_select

    x = _tensor(input, "pad")
    if (
        not isinstance(pad, (tuple, list))
        or len(pad) % 2
        or not all(isinstance(a, int) and not isinstance(a, bool) for a in pad)
    ):
        raise TypeError(
            f"pad() expects an even number of ints (before, after for the last dimension, "
            f"then the one before it...); got {pad!r}"
        )
    if mode not in _PAD_MODES:
        raise ValueError(f"pad() got mode={mode!r}; expected one of {', '.join(_PAD_MODES)}")
    if mode != "constant" and value is not None:
        raise ValueError(f"pad(): mode {mode!r} takes no value (only 'constant' fills one)")
    n = len(pad) // 2
    if n > x.ndim:
        raise ValueError(
            f"pad() got amounts for {n} dimensions of a {x.ndim}-D input; give at most "
            f"{2 * x.ndim} numbers"
        )
    shape = [_known(x, d, "pad") for d in range(x.ndim)]
    amounts = {x.ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(n)}
    if mode == "constant":
        crop = tuple(
            slice(max(-amounts[d][0], 0), shape[d] - max(-amounts[d][1], 0))
            if d in amounts
            else slice(None)
            for d in range(x.ndim)
        )
        for d, (before, after) in amounts.items():
            if shape[d] + before + after < 0:
                raise LayerArgumentError(
                    f"pad() crops more than dimension {d} has ({shape[d]}): {before}, {after}"
                )
        if any(a < 0 for a in pad):
            x = x[crop]
            shape = [_known(x, d, "pad") for d in range(x.ndim)]
        out_shape = tuple(
            shape[d] + max(amounts[d][0], 0) + max(amounts[d][1], 0) if d in amounts else shape[d]
            for d in range(x.ndim)
        )
        base = full(out_shape, 0.0 if value is None else value, dtype=x.dtype, device=x.device)
        where_x = tuple(
            slice(max(amounts[d][0], 0), max(amounts[d][0], 0) + shape[d])
            if d in amounts
            else slice(None)
            for d in range(x.ndim)
        )
        return cast("Tensor", put(base, where_x, x))
    if mode != "circular":  # (PyTorch's reflection and replication kernels read the input)
        x = input_in_grad(x)
    for d, (before, after) in amounts.items():
        size = shape[d]
        if size + before + after < 0:
            raise LayerArgumentError(
                f"pad() crops more than dimension {d} has ({size}): {before}, {after}"
            )
        if size == 0:
            raise RuntimeError(f"pad(): mode {mode!r} cannot pad the empty dimension {d}")
        # A negative amount crops. Note: reflect and replicate find each position in the input
        # as it is, as PyTorch's kernels do; circular wraps around what the crop leaves, as
        # PyTorch's circular pad (which crops first) does.
        lo, hi = max(-before, 0), size - max(-after, 0)
        span = size if mode != "circular" else hi - lo
        limit = span - 1 if mode == "reflect" else span
        if mode != "replicate" and (before > limit or after > limit):
            cropped = f" ({span} once cropped)" if span != size else ""
            raise RuntimeError(
                f"pad(): padding of {before} and {after} with mode {mode!r} must be at most "
                f"{limit} for dimension {d} of size {size}{cropped}"
            )
        if mode == "replicate":
            idx = [min(max(p, 0), size - 1) for p in range(-before, size + after)]
        elif mode == "reflect":
            idx = [
                -p if p < 0 else 2 * (size - 1) - p if p >= size else p
                for p in range(-before, size + after)
            ]
        else:  # (positions around [lo, hi), what the crop leaves)
            wrap = range(lo - max(before, 0), hi + max(after, 0))
            idx = [lo + (p - lo) % span for p in wrap] if span else []
        x = index_select(x, d, asarray(idx, dtype=_dt.int64, device=x.device))
    return x


def _known(x: Tensor, d: int, where: str) -> int:
    n = x.shape[d]
    if n is None:
        raise ValueError(
            f"{where}() of a tensor with unknown (lazy) shape {x.shape}; call pt.compute(x) first"
        )
    return int(n)


def dropout(
    input: Tensor,
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``
    (PyTorch's arguments; ``inplace`` writes the result into ``input``).

    The mask is drawn from polytensor's default generator (``pt.manual_seed`` seeds it; or
    pass ``generator=``, a ``pt.Generator``) on the input's backend, in the input's chunks.
    Outside training, the input is returned.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.dropout(pt.ones((2, 2)), p=0.5, training=False)
    tensor([[1., 1.],
            [1., 1.]], backend='numpy')
    """
    x = _tensor(input, "dropout")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout(): dropout probability has to be between 0 and 1, but got {p!r}")
    if not training or p == 0.0:  # (PyTorch's returns the input here, in place or not)
        return x
    _floating(x, "dropout")
    if None in x.shape:
        raise ValueError(
            f"dropout() of a tensor with unknown (lazy) shape {x.shape}; call pt.compute(x) first"
        )
    if p == 1.0:
        mask: Any = 0.0
    else:
        keep = _uniform_like(x, 0.0, 1.0, generator) >= p
        mask = astype(keep, x.dtype) * (1.0 / (1.0 - p))
    if inplace:
        return _in_place(x, lambda v: v * mask, "dropout_")
    return cast("Tensor", x * mask)


# -- layers ---------------------------------------------------------------------------------------
def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """PyTorch's ``F.layer_norm``: ``(x - mean) / sqrt(var + eps)`` over the last
    dimensions, ``normalized_shape`` (the biased variance, as PyTorch's), then times
    ``weight`` and plus ``bias`` if given. Differentiable to any order.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.layer_norm(pt.asarray([[1.0, 3.0]]), (2,))
    tensor([[-0.999995,  0.999995]], backend='numpy')
    """
    x = _tensor(input, "layer_norm")
    _floating(x, "layer_norm", real=True)
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(
            f"layer_norm(): normalized_shape must be a tuple of ints; got "
            f"{type(normalized_shape).__name__} (write (n,) for one dimension)"
        )
    shape = tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k :]) != shape:
        raise RuntimeError(
            f"layer_norm(): given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(str(n) for n in shape)}], but got input of size {list(x.shape)}"
        )
    axes = tuple(range(x.ndim - k, x.ndim))
    params: list[Tensor | None] = []
    for name, p in (("weight", weight), ("bias", bias)):
        t = None if p is None else _tensor(p, "layer_norm", name)
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"layer_norm(): expected {name} to be of same shape as normalized_shape "
                f"{list(shape)}; got {list(t.shape)}"
            )
        if t is not None:
            _dt.check_same_dtype("layer_norm()", ("input", x.dtype), (name, t.dtype))
        params.append(t)
    w, b = params
    return _layer_norm(x, w, b, axes=axes, eps=float(eps))  # (one node, as PyTorch's)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float | None = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """PyTorch's ``F.batch_norm``: each channel (dimension 1) normalised by the batch's
    mean and biased variance (``training``, or without running statistics), else by
    ``running_mean``/``running_var``; then times ``weight`` and plus ``bias``. In training,
    the running statistics are updated in place, with the unbiased variance, as PyTorch's
    (``momentum`` None: a cumulative average is the caller's, see ``nn.BatchNorm1d``).
    Differentiable.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.batch_norm(pt.asarray([[1.0], [3.0]]), None, None, training=True)
    tensor([[-0.999995],
            [ 0.999995]], backend='numpy')
    """
    x = _tensor(input, "batch_norm")
    _floating(x, "batch_norm", real=True)
    if x.ndim < 2:
        raise ValueError(
            f"batch_norm(): expected a 2-D or higher input (N, C, ...); got {x.ndim}-D"
        )
    axes = (0, *range(2, x.ndim))
    c = cast("int", x.shape[1])
    shape = (1, c) + (1,) * (x.ndim - 2)
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if not training and running_mean is None:
        raise RuntimeError("batch_norm(): running_mean must be defined in evaluation mode")
    if momentum is None:
        raise TypeError("batch_norm(): momentum must be a number (the module's None is its own)")
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"batch_norm(): {name} should contain {c} elements not {t.size}")
        # (PyTorch's kernels take one dtype: mixed ones are refused, not promoted)
        _dt.check_same_dtype("batch_norm()", ("input", x.dtype), (name, getattr(t, "dtype", None)))
    if training or running_mean is None or running_var is None:
        unknown = any(s is None for s in x.shape)
        n = 0 if unknown else int(x.size or 0) // c if c else 0
        if training and not unknown and n == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{list(x.shape)}"
            )
        if not unknown and n == 0:  # (an empty batch: itself, the statistics unchanged)
            return x * 1
        if unknown:
            mu = _mean(x, axis=axes, keepdims=True)
            d = x - mu
            var = _mean(d * d, axis=axes, keepdims=True)
        else:  # one node: the normalisation by the batch's statistics, weight and bias
            w = None if weight is None else _tensor(weight, "batch_norm", "weight")
            b = None if bias is None else _tensor(bias, "batch_norm", "bias")
            stats: list[Any] = []
            y = _BatchNormNode.apply(x, w, b, axes, shape, eps, stats)
            mu, var = stats
        if training and running_mean is not None and running_var is not None:
            b_ = x._backend
            if (
                not unknown
                and b_.layers is not None
                and running_mean._backend is b_
                and running_var._backend is b_
            ):
                new_mean, new_var = b_.layers.batch_norm_running(
                    running_mean._data, running_var._data, mu._data, var._data, momentum, n
                )
                # two in-place writes, where the ops below take eleven: copy_'s, without its
                # casts and copy of a source already of the statistics' backend and dtype
                with no_grad():
                    assign_inplace(running_mean, tensor_of(new_mean, b_), "copy_")
                    assign_inplace(running_var, tensor_of(new_var, b_), "copy_")
                return cast("Tensor", y)
            if unknown:  # (a lazy length: the count, lazily)
                count: Any = _sum(x * 0 + 1, axis=axes)
            else:
                count = n
            with no_grad():
                running_mean.mul_(1 - momentum).add_(reshape(mu, (-1,)).detach() * momentum)
                unbiased = reshape(var, (-1,)).detach() * (count / (count - 1))
                running_var.mul_(1 - momentum).add_(unbiased * momentum)
        if not unknown:
            return cast("Tensor", y)
    else:
        given = [t for t in (weight, bias) if t is not None]
        if (
            takes_layer_kernels(x)
            and not (running_mean.requires_grad or running_var.requires_grad)
            and all(
                isinstance(t, Tensor) and t._backend is x._backend and t.dtype == x.dtype
                for t in (running_mean, running_var, *given)
            )
        ):  # one node, PyTorch's x * alpha + beta

            def composite(x_: Tensor, w_: Any, b_: Any) -> Tensor:
                d_ = x_ - reshape(running_mean, shape)
                return _normalised(d_, reshape(running_var, shape), w_, b_, shape, eps)

            return cast(
                "Tensor",
                batch_norm_eval_kernel(x, weight, bias, running_mean, running_var, eps, composite),
            )
        mu = reshape(running_mean, shape)
        var = reshape(running_var, shape)
    return _affine(x, mu, (var + eps) ** -0.5, weight, bias, shape)


def _affine(
    x: Tensor, mu: Tensor, inv: Tensor, weight: Any, bias: Any, shape: tuple[int, ...]
) -> Tensor:
    """``x * alpha + beta`` with ``alpha = inv * weight`` and ``beta = bias - mu * alpha``
    (``inv = 1 / sqrt(var + eps)``), op by op: ``batch_norm``'s value as PyTorch's CPU kernel
    computes it (an infinite weight gives its NaNs: ``x * inf - mu * inf``)."""
    alpha = inv if weight is None else inv * reshape(_tensor(weight, "batch_norm", "weight"), shape)
    if bias is None:
        return x * alpha - mu * alpha
    return x * alpha + (reshape(_tensor(bias, "batch_norm", "bias"), shape) - mu * alpha)


def _normalised(
    d: Tensor, var: Tensor, weight: Any, bias: Any, shape: tuple[int, ...], eps: float
) -> Tensor:
    """``d / sqrt(var + eps) * weight + bias``, op by op: ``batch_norm``'s composite, whose
    gradients the one-node forms take under ``create_graph``."""
    y = d / (var + eps) ** 0.5
    if weight is not None:
        y = y * reshape(_tensor(weight, "batch_norm", "weight"), shape)
    if bias is not None:
        y = y + reshape(_tensor(bias, "batch_norm", "bias"), shape)
    return y


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """PyTorch's ``F.embedding``: the rows of ``weight`` at the integer ids ``input`` (of any
    shape), ``weight[input]``; the rows at ``padding_idx`` get no gradient. Differentiable.
    With ``max_norm``, as PyTorch's, the rows the ids name whose ``norm_type``-norm exceeds it
    are first scaled in place to that norm (``weight`` changes, outside the graph).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.embedding(pt.asarray([[1, 0]]), pt.asarray([[0.0, 0.5], [1.0, 1.5]]))
    tensor([[[1. , 1.5],
             [0. , 0.5]]], backend='numpy')
    """
    ids = _tensor(input, "embedding")
    w = _tensor(weight, "embedding", "weight")
    if ids.dtype not in (_dt.int32, _dt.int64):
        raise RuntimeError(
            f"embedding(): expected the indices to have dtype int64 or int32 (Long or Int); "
            f"got {ids.dtype.name}"
        )
    if w.ndim != 2:
        raise RuntimeError(f"embedding(): weight must be 2-D; got {w.ndim}-D")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "embedding(): scale_grad_by_freq=True and sparse=True are not implemented; scale "
            "the gradient yourself, or leave them False (a dense gradient)"
        )
    n = cast("int", w.shape[0])  # (a weight's length is known)
    if max_norm is not None:
        _renorm_rows(w, ids, n, max_norm, norm_type)
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise ValueError(f"embedding(): padding_idx must be within num_embeddings ({n})")
        if padding_idx < 0:
            padding_idx += n
    # one op: the ids checked to be 0 to n - 1 (eagerly, or inside a lazy backend's task
    # graph), the rows taken; the padding row gets no gradient
    return _embedding(w, ids, padding_idx=padding_idx)


def _renorm_rows(w: Tensor, ids: Tensor, n: int, max_norm: Any, norm_type: Any) -> None:
    """PyTorch's ``embedding_renorm_``: the rows of ``w`` that ``ids`` name and whose norm
    exceeds ``max_norm`` scaled in place by ``max_norm / (norm + 1e-7)``; the others are
    multiplied by exactly 1, which leaves them as they were."""
    from .._pytorch_numbers import bincount
    from ..linalg import vector_norm

    for name, v in (("max_norm", max_norm), ("norm_type", norm_type)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"embedding() expects a number {name}; got {v!r}")
    with no_grad():
        flat = reshape(ids, (-1,))
        if w._backend.lazy:  # (bincount's length is unknown there until computed)
            named = zeros(n, dtype=_dt.bool, device=w.device)
            named[flat] = True
        else:  # (array-api-strict cannot write at an array of indices)
            named = bincount(flat, minlength=n) > 0
        norms = vector_norm(w, ord=float(norm_type), axis=1, keepdims=True)
        scale = where(reshape(named, (n, 1)) & (norms > max_norm), max_norm / (norms + 1e-7), 1.0)
        w.mul_(scale)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` (weight has shape ``(out_features, in_features)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.linear(pt.ones((4, 3)), pt.ones((2, 3)), pt.zeros(2)).shape
    (4, 2)
    """
    x = _tensor(input, "linear")
    w = _tensor(weight, "linear", "weight")
    if w.ndim != 2:
        raise ValueError(
            f"linear() expects a 2-D weight (out_features, in_features); got shape {w.shape}"
        )
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"linear() got input of shape {x.shape} for a weight of shape "
            f"{w.shape}; the last dimension of the input must be {w.shape[1]}"
        )
    b = None if bias is None else _tensor(bias, "linear", "bias")
    # Note: one dtype, as PyTorch's linear (a float64 input to a float32 layer is refused, not
    # promoted); the standard's matmul promotes
    d = x._data.dtype
    if w._data.dtype != d or (b is not None and b._data.dtype != d):
        _dt.check_same_dtype(
            "linear()", ("input", x.dtype), ("weight", w.dtype), ("bias", getattr(b, "dtype", None))
        )
    # x @ w.T in one op for a batch (its gradient in w comes out as g.T @ x, contiguous like
    # w, with no transposed copy); a vector input takes matmul's vector rules
    out = _matmul_nt(x, w) if x.ndim > 1 else matmul(x, matrix_transpose(w))
    if b is not None:
        out = out + b
    return out


def _pair(v: Any, name: str, where: str) -> tuple[int, int]:
    """``v`` as a pair of ints: an int (a NumPy integer too) for both, or a sequence of one or
    two, as PyTorch takes them."""
    if isinstance(v, (tuple, list)) and len(v) in (1, 2):
        items = [_int(i) for i in v]
        if None not in items:
            return (items[0], items[-1])  # type: ignore[return-value]  # (checked)
    elif (i := _int(v)) is not None:
        return (i, i)
    if isinstance(v, (tuple, list)) and all(_int(i) is not None for i in v):
        # (ints, but not one or two of them: PyTorch's RuntimeError, as _triple's)
        raise LayerArgumentError(
            f"{where}() expects {name} to be an int or a pair of ints (height, width); got "
            f"{len(v)} of them: {v!r}"
        )
    raise TypeError(f"{where}() expects {name} to be an int or a pair of ints; got {v!r}")


def _int(v: Any) -> int | None:
    """``v`` as an int when it is one (a NumPy integer too; not a bool), else None."""
    if isinstance(v, bool) or (getattr(v, "dtype", None) is not None and v.dtype.kind == "b"):
        return None
    try:
        return operator.index(v)
    except TypeError:
        return None


def _batched(x: Tensor, where: str) -> tuple[Tensor, bool]:
    if x.ndim == 3:
        return expand_dims(x, axis=0), True
    if x.ndim != 4:
        raise ValueError(
            f"{where}() expects a 3-D (C, H, W) or 4-D (N, C, H, W) input; got shape {x.shape}"
        )
    return x, False


def _pad_hw(x: Tensor, top: int, bottom: int, left: int, right: int, value: float = 0.0) -> Tensor:
    """``x`` (N, C, H, W) padded with ``value`` by concatenation (differentiable)."""
    n, c, h, w = x.shape

    def filler(shape: tuple[Any, ...]) -> Tensor:
        z = zeros(shape, dtype=x.dtype, device=x.device)
        return z if value == 0.0 else z + value

    if top or bottom:
        parts = (
            ([filler((n, c, top, w))] if top else [])
            + [x]
            + ([filler((n, c, bottom, w))] if bottom else [])
        )
        x = concat(parts, axis=2)
        h = h + top + bottom  # type: ignore[operator]
    if left or right:
        parts = (
            ([filler((n, c, h, left))] if left else [])
            + [x]
            + ([filler((n, c, h, right))] if right else [])
        )
        x = concat(parts, axis=3)
    return x


def _windows(
    x: Tensor,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
    axis: int,
) -> Tensor:
    """The ``kh * kw`` shifted views of ``x`` (N, C, H, W), stacked on ``axis``: element
    ``[..., ki * kw + kj, ...]`` at output position (i, j) is
    ``x[..., i * sh + ki * dh, j * sw + kj * dw]``."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    views = []
    for ki in range(kh):
        for kj in range(kw):
            r0, c0 = ki * dh, kj * dw
            views.append(
                x[:, :, r0 : r0 + sh * (ho - 1) + 1 : sh, c0 : c0 + sw * (wo - 1) + 1 : sw]
            )
    return stack(views, axis=axis)


def _out_size(size: int, k: int, s: int, d: int, where: str) -> int:
    n = (size - d * (k - 1) - 1) // s + 1
    if n <= 0:
        raise ValueError(
            f"{where}(): the (padded) input of size {size} is smaller than the "
            f"kernel of size {d * (k - 1) + 1}"
        )
    return n


def _one_dtype(where: str, x: Tensor, w: Tensor, b: Tensor | None = None) -> None:
    """Refuse, as PyTorch's convolutions do (``RuntimeError``: "expected scalar type Float
    but found Double"), an input, weight or bias of another dtype: ``MixedDtypeError``. The
    standard's matmul, which the convolutions are made of, would promote."""
    d = x._data.dtype
    if w._data.dtype != d or (b is not None and b._data.dtype != d):
        _dt.check_same_dtype(
            f"{where}()",
            ("input", x.dtype),
            ("weight", w.dtype),
            ("bias", None if b is None else b.dtype),
        )


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    The input is padded by concatenating zeros, its ``kh * kw`` shifted (strided) views are
    stacked, and one batched ``matmul`` with the weight does the rest; all of it is
    differentiable on every backend. (A backend with window kernels, NumPy's, does it in one
    node, padding included.)

    Parameters
    ----------
    input : Tensor
        Shape (N, C_in, H, W) or (C_in, H, W).
    weight : Tensor
        Shape (C_out, C_in / groups, kH, kW).
    bias : Tensor, optional
        Shape (C_out,).
    stride, dilation : int or (int, int)
    padding : int, (int, int), 'valid' or 'same'
        Zeros added on both sides ('same' keeps the size; it needs stride 1).
    groups : int
        Split channels into ``groups`` independent convolutions.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.ones((1, 1, 4, 4))
    >>> F.conv2d(x, pt.ones((2, 1, 3, 3)), padding=1)[0, 0]
    tensor([[4., 6., 6., 4.],
            [6., 9., 9., 6.],
            [6., 9., 9., 6.],
            [4., 6., 6., 4.]], backend='numpy')
    """
    where_ = "conv2d"
    x, unbatched = _batched(_tensor(input, where_), where_)
    w = _tensor(weight, where_, "weight")
    if w.ndim != 4:
        raise ValueError(
            f"conv2d() expects a 4-D weight (C_out, C_in/groups, kH, kW); got shape {w.shape}"
        )
    # 4-D (checked above); conv2d needs every size known, so none is a lazy unknown (None)
    _, c, h, wd = cast("tuple[int, int, int, int]", x.shape)
    o, cg, kh, kw = cast("tuple[int, int, int, int]", w.shape)
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"conv2d() expects groups to be a positive int; got {groups!r}")
    if c != cg * groups or o % groups:
        raise ValueError(
            f"conv2d() got input with {c} channels and weight of shape {w.shape} "
            f"with groups={groups}; expected C_in = {cg} * groups and C_out "
            f"divisible by groups"
        )
    sh, sw = _pair(stride, "stride", where_)
    dh, dw = _pair(dilation, "dilation", where_)
    if min(sh, sw, dh, dw) < 1:
        raise ValueError(
            f"conv2d() expects positive stride and dilation; got stride={stride!r},"
            f" dilation={dilation!r}"
        )
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "same":
            if (sh, sw) != (1, 1):
                raise ValueError(
                    "conv2d(): padding='same' is not supported for strided convolutions"
                )
            th, tw = dh * (kh - 1), dw * (kw - 1)
            pads = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        else:
            raise ValueError(
                f"conv2d() got padding={padding!r}; expected 'valid', 'same', an int "
                f"or a pair of ints"
            )
    else:
        ph, pw = _pair(padding, "padding", where_)
        if min(ph, pw) < 0:
            raise ValueError(f"conv2d() got negative padding {padding!r}")
        pads = (ph, ph, pw, pw)
    hp, wp = h + pads[0] + pads[1], wd + pads[2] + pads[3]
    ho, wo = _out_size(hp, kh, sh, dh, where_), _out_size(wp, kw, sw, dw, where_)
    geometry = ((kh, kw), (sh, sw), (dh, dw), (ho, wo))
    b = None
    if bias is not None:
        b = _tensor(bias, where_, "bias")
        if tuple(b.shape) != (o,):
            raise ValueError(
                f"conv2d() expects a bias of shape ({o},), one per output channel; got shape "
                f"{tuple(b.shape)}"
            )
    _one_dtype(where_, x, w, b)
    out: Tensor
    if groups == 1 and takes_window_kernels(x, w):  # one node, its own backward, padding inside
        # the bias inside the node where it is of the input's backend and dtype
        inside = None if b is None or not takes_window_kernels(x, b) else b

        def composite(xs: Tensor, ws: Tensor, bs: Tensor | None = None) -> Tensor:
            y = _conv2d_windows(_pad_hw(xs, *pads) if any(pads) else xs, ws, geometry, 1)
            return y if bs is None else y + reshape(bs, (o, 1, 1))

        out = conv2d_kernel(x, w, geometry, composite, pads, inside)
        if inside is not None:
            b = None
    else:
        out = _conv2d_windows(_pad_hw(x, *pads) if any(pads) else x, w, geometry, groups)
    if b is not None:
        out = out + reshape(b, (o, 1, 1))
    return out[0] if unbatched else out


def _conv2d_windows(x: Tensor, w: Tensor, geometry: Any, groups: int) -> Tensor:
    """``conv2d`` of the padded ``x`` and ``w`` (no bias) from the table's ops: the stacked
    shifted views of ``x``, then one batched ``matmul``; ``geometry`` is ``(kernel, stride,
    dilation, (Ho, Wo))``."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geometry
    n, o, cg = cast("tuple[int, int, int]", (x.shape[0], *w.shape[:2]))
    k = kh * kw
    if k == 1:
        patches = x[:, :, 0 : sh * (ho - 1) + 1 : sh, 0 : sw * (wo - 1) + 1 : sw]
    else:
        patches = _windows(x, (kh, kw), (sh, sw), (dh, dw), (ho, wo), axis=2)  # N, C, K, Ho, Wo
    # (g, O/g, C/g*K) @ (N, g, C/g*K, L) -> (N, g, O/g, L); channel-major matches the weight.
    cols = reshape(patches, (n, groups, cg * k, ho * wo))
    wmat = reshape(w, (groups, o // groups, cg * k))
    return reshape(matmul(wmat, cols), (n, o, ho, wo))


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """2-D max pooling, as ``torch.nn.functional.max_pool2d``.

    Non-overlapping windows are formed by a reshape, others by stacking strided views.
    As in PyTorch, the gradient of each window goes to its first maximal element (not shared
    among ties).

    Parameters
    ----------
    input : Tensor
        Shape (N, C, H, W) or (C, H, W).
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int)
        Implicit -inf added on both sides (at most half the kernel).
    dilation : int or (int, int)
    ceil_mode : bool
        Round the output size up (windows may then run past the input).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.reshape(pt.arange(16.0), (1, 1, 4, 4))
    >>> F.max_pool2d(x, 2)[0, 0]
    tensor([[ 5.,  7.],
            [13., 15.]], backend='numpy')
    """
    where_ = "max_pool2d"
    if return_indices:  # (each maximum's flat position h * W + w in its plane)
        return max_pool_with_indices(  # type: ignore[return-value]
            _tensor(input, where_), kernel_size, stride, padding, dilation, ceil_mode, 2
        )
    x, unbatched = _batched(_tensor(input, where_), where_)
    if x.dtype.kind not in ("real floating", "signed integer", "unsigned integer"):
        raise TypeError(f"max_pool2d() expects a real numeric input; got {x.dtype.name}")
    kh, kw = _pair(kernel_size, "kernel_size", where_)
    sh, sw = (kh, kw) if stride is None or stride == () else _pair(stride, "stride", where_)
    ph, pw = _pair(padding, "padding", where_)
    dh, dw = _pair(dilation, "dilation", where_)
    if min(kh, kw, sh, sw, dh, dw) < 1:
        raise ValueError(
            f"max_pool2d() expects positive kernel_size, stride and dilation; got "
            f"kernel_size={kernel_size!r}, stride={stride!r}, "
            f"dilation={dilation!r}"
        )
    if ph < 0 or pw < 0 or ph > kh // 2 or pw > kw // 2:
        raise ValueError(
            f"max_pool2d(): padding should be at most half of the kernel size; got "
            f"padding={padding!r}, kernel_size={kernel_size!r}"
        )
    h, w = x.shape[2:]
    ho = _pool_out(h, kh, sh, ph, dh, ceil_mode, where_)  # type: ignore[arg-type]
    wo = _pool_out(w, kw, sw, pw, dw, ceil_mode, where_)  # type: ignore[arg-type]
    # Pad (with the lowest value) so that every window lies inside; crop what no window reads.
    need_h, need_w = (ho - 1) * sh + dh * (kh - 1) + 1, (wo - 1) * sw + dw * (kw - 1) + 1
    extra_h, extra_w = max(need_h - h - ph, 0), max(need_w - w - pw, 0)  # type: ignore[operator]
    padded = bool(ph or pw or extra_h or extra_w)
    if padded and x.dtype.kind != "real floating":
        raise NotImplementedError(
            "max_pool2d() with padding or ceil_mode needs a floating-point input"
        )
    geometry = ((kh, kw), (sh, sw), (dh, dw), (ho, wo))

    def composite(v: Tensor) -> Tensor:
        v = input_in_grad(v)  # (its gradient depends on it, as PyTorch's)
        if padded:
            v = _pad_hw(v, ph, extra_h, pw, extra_w, value=-math.inf)
        return _max_pool_windows(v, need_h, need_w, geometry)

    out: Tensor
    if takes_window_kernels(x):  # one node, its own backward (padding inside)
        out = max_pool2d_kernel(x, geometry, (ph, pw), composite)
    else:
        out = composite(x)
    return out[0] if unbatched else out


def _max_pool_windows(x: Tensor, need_h: int, need_w: int, geometry: Any) -> Tensor:
    """``max_pool2d`` of the padded ``x`` from the table's ops, its rows and columns past
    ``need_h`` and ``need_w`` left out; ``geometry`` is ``(kernel, stride, dilation, (Ho,
    Wo))``. Each window's gradient goes to its first maximal element (in a window holding NaNs,
    its last NaN)."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geometry
    n, c = x.shape[:2]
    if x.shape[2] != need_h or x.shape[3] != need_w:
        x = x[:, :, :need_h, :need_w]
    k = kh * kw
    if (sh, sw) == (kh, kw) and (dh, dw) == (1, 1):
        win = reshape(x, (n, c, ho, kh, wo, kw))
        win = reshape(permute_dims(win, (0, 1, 2, 4, 3, 5)), (n, c, ho, wo, k))
    else:
        win = _windows(x, (kh, kw), (sh, sw), (dh, dw), (ho, wo), axis=4)  # N, C, Ho, Wo, K
    with no_grad():
        # each window's first maximum, or in a window holding NaNs its last NaN (PyTorch's
        # CPU rule: val > max or isnan(val))
        nan = astype(isnan(win), _dt.int8)
        last_nan = (k - 1) - argmax(flip(nan, axis=-1), axis=-1, keepdims=True)
        pick = where(
            _any(nan, axis=-1, keepdims=True), last_nan, argmax(win, axis=-1, keepdims=True)
        )
    # (the element itself: its sign of zero, its NaN; reshaped, not indexed, so that the
    # result is an array of its own that .view() takes, as PyTorch's is)
    return reshape(take_along_axis(win, pick, axis=-1), (n, c, ho, wo))


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``.

    Each window's sum over the input, zeros in the padding, divided by the window's size
    within the padded input (``count_include_pad``, the default; a window that ``ceil_mode``
    lets run past it counts only its part inside), by its size within the input itself
    (``count_include_pad=False``), or by ``divisor_override``.

    Parameters
    ----------
    input : Tensor
        Shape (N, C, H, W) or (C, H, W), floating.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int)
        Zeros added on both sides (at most half the kernel).
    ceil_mode : bool
        Round the output size up.
    count_include_pad : bool
    divisor_override : int, optional

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.reshape(pt.arange(16.0), (1, 1, 4, 4))
    >>> F.avg_pool2d(x, 2)[0, 0]
    tensor([[ 2.5,  4.5],
            [10.5, 12.5]], backend='numpy')
    >>> F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)[0, 0]
    tensor([[ 2.5,  4. ],
            [ 8.5, 10. ]], backend='numpy')
    """
    where_ = "avg_pool2d"
    x, unbatched = _batched(_tensor(input, where_), where_)
    _floating(x, where_, real=True)
    kh, kw = _pair(kernel_size, "kernel_size", where_)
    sh, sw = (kh, kw) if stride is None or stride == () else _pair(stride, "stride", where_)
    ph, pw = _pair(padding, "padding", where_)
    if min(kh, kw, sh, sw) < 1:
        raise ValueError(
            f"avg_pool2d() expects positive kernel_size and stride; got "
            f"kernel_size={kernel_size!r}, stride={stride!r}"
        )
    if ph < 0 or pw < 0 or ph > kh // 2 or pw > kw // 2:
        raise ValueError(
            f"avg_pool2d(): padding should be at most half of the kernel size; got "
            f"padding={padding!r}, kernel_size={kernel_size!r}"
        )
    if divisor_override is not None and (
        isinstance(divisor_override, bool)
        or not isinstance(divisor_override, int)
        or divisor_override == 0
    ):
        raise ValueError(
            f"avg_pool2d() expects divisor_override to be a nonzero int or None; got "
            f"{divisor_override!r}"
        )
    n, c, h, w = cast("tuple[int, int, int, int]", x.shape)
    ho = _pool_out(h, kh, sh, ph, 1, ceil_mode, where_)
    wo = _pool_out(w, kw, sw, pw, 1, ceil_mode, where_)
    # zeros around the input so that every window lies inside; what no window reads is cropped
    need_h, need_w = (ho - 1) * sh + kh, (wo - 1) * sw + kw
    extra_h, extra_w = max(need_h - h - ph, 0), max(need_w - w - pw, 0)
    if not (ph or pw or extra_h or extra_w) and takes_window_kernels(x):
        # no padding: one node, its own backward; every window's divisor is its size
        divisor = float(kh * kw if divisor_override is None else divisor_override)
        out: Tensor = avg_pool2d_kernel(
            x,
            ((kh, kw), (sh, sw), (1, 1), (ho, wo)),
            divisor,
            lambda xs: _avg_pool_windows(input_in_grad(xs), (kh, kw), (sh, sw), (ho, wo), divisor),
        )
        return out[0] if unbatched else out
    x = input_in_grad(x)  # (its gradient depends on it, as PyTorch's)
    if ph or pw or extra_h or extra_w:
        x = _pad_hw(x, ph, extra_h, pw, extra_w)
    if x.shape[2] != need_h or x.shape[3] != need_w:
        x = x[:, :, :need_h, :need_w]
    if (kh, kw) == (sh, sw):  # windows that tile: one reshape, no copies of them
        win = reshape(x, (n, c, ho, kh, wo, kw))
        total = _sum(win, axis=(3, 5))
    else:
        total = _sum(_windows(x, (kh, kw), (sh, sw), (1, 1), (ho, wo), axis=4), axis=-1)
    if divisor_override is not None:
        out = total / float(divisor_override)
    else:
        rows = _pool_counts(h, kh, sh, ph, ho, count_include_pad)
        cols = _pool_counts(w, kw, sw, pw, wo, count_include_pad)
        if len(set(rows)) == 1 and len(set(cols)) == 1:  # one divisor for every window
            out = total / float(rows[0] * cols[0])
        else:
            sizes = [[float(r * q) for q in cols] for r in rows]
            out = total / asarray(sizes, dtype=x.dtype, device=x.device)
    return out[0] if unbatched else out


def _avg_pool_windows(x: Tensor, kernel: Any, stride: Any, out_hw: Any, divisor: float) -> Tensor:
    """``avg_pool2d`` of ``x`` without padding from the table's ops: each window's sum divided
    by ``divisor``."""
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_hw
    n, c = x.shape[:2]
    x = x[:, :, : (ho - 1) * sh + kh, : (wo - 1) * sw + kw]
    if (kh, kw) == (sh, sw):  # windows that tile: one reshape, no copies of them
        total = _sum(reshape(x, (n, c, ho, kh, wo, kw)), axis=(3, 5))
    else:
        total = _sum(_windows(x, (kh, kw), (sh, sw), (1, 1), (ho, wo), axis=4), axis=-1)
    return total / divisor


def _pool_counts(size: int, k: int, s: int, p: int, n_out: int, with_pad: bool) -> list[int]:
    """Per output position along one axis, how many of its window's elements average pooling
    counts: those within the padded input (``with_pad``) or within the input, as PyTorch's."""
    counts = []
    for i in range(n_out):
        start = i * s - p
        end = min(start + k, size + p)
        if not with_pad:
            start, end = max(start, 0), min(end, size)
        counts.append(end - start)
    return counts


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """2-D adaptive average pooling, as ``torch.nn.functional.adaptive_avg_pool2d``: output
    position (i, j) of an (oh, ow) output averages the input's rows ``floor(i * H / oh)`` to
    ``ceil((i + 1) * H / oh)`` (exclusive) and its columns alike.

    ``output_size`` is an int, or a pair whose None entries keep the input's size. An output
    that divides the input averages tiles; another averages by two matrices of weights, one
    averages each bin's rows, then its columns (differentiable either way, on every backend).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> x = pt.reshape(pt.arange(16.0), (1, 1, 4, 4))
    >>> F.adaptive_avg_pool2d(x, 1)[0, 0]
    tensor([[7.5]], backend='numpy')
    >>> F.adaptive_avg_pool2d(x, (3, 2))[0, 0]
    tensor([[ 2.5,  4.5],
            [ 6.5,  8.5],
            [10.5, 12.5]], backend='numpy')
    """
    where_ = "adaptive_avg_pool2d"
    x, unbatched = _batched(_tensor(input, where_), where_)
    _floating(x, where_, real=True)
    n, c, h, w = cast("tuple[int, int, int, int]", x.shape)
    if isinstance(output_size, int) and not isinstance(output_size, bool):
        sizes: tuple[Any, Any] = (output_size, output_size)
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 2:
        sizes = (output_size[0], output_size[1])
    else:
        raise TypeError(
            f"adaptive_avg_pool2d() expects output_size to be an int or a pair of ints (None "
            f"keeps the input's size); got {output_size!r}"
        )
    oh, ow = (h if sizes[0] is None else sizes[0]), (w if sizes[1] is None else sizes[1])
    for v in (oh, ow):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise LayerArgumentError(
                f"adaptive_avg_pool2d(): elements of output_size must be greater than or equal "
                f"to 0; got {output_size!r}"
            )
    if h == 0 or w == 0:
        raise LayerArgumentError(  # (PyTorch's RuntimeError)
            f"adaptive_avg_pool2d() got an empty input of shape {x.shape}; give an input with "
            f"non-zero sizes for its non-batch dimensions"
        )
    if oh == 0 or ow == 0:
        out = empty_pool(x, (n, c, oh, ow), where_)
        return out[0] if unbatched else out
    if (oh, ow) == (1, 1):  # (a mean, as PyTorch's: a gradient of the cotangent alone)
        out = _mean(x, axis=(2, 3), keepdims=True)
        return out[0] if unbatched else out
    x = input_in_grad(x)  # (its gradient depends on it, as PyTorch's)
    if h % oh == 0 and w % ow == 0:
        out = _mean(reshape(x, (n, c, oh, h // oh, ow, w // ow)), axis=(3, 5))
    else:  # each bin's mean, rows then columns (an inf or NaN stays in the bins that hold it)
        rows = stack([_mean(x[:, :, a:b], axis=2) for a, b in _adaptive_bins(h, oh)], axis=2)
        out = stack([_mean(rows[..., a:b], axis=3) for a, b in _adaptive_bins(w, ow)], axis=3)
    return out[0] if unbatched else out


class _EmptyPool(Function):
    """The empty output of an adaptive pool given an output size of 0, in the graph of its
    input; its backward raises, as PyTorch's adaptive pools' backward refuses an empty
    cotangent."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, shape: tuple[int, ...], where_: str) -> Tensor:
        ctx.where = where_
        return zeros(shape, dtype=x.dtype, device=x.device)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> Any:
        raise RuntimeError(
            f"backward() through {ctx.where}() with an output size of 0: the output is empty "
            f"and has no gradient to give (PyTorch refuses it too); give output sizes of at "
            f"least 1, or compute the pool under `with pt.no_grad():`"
        )


def empty_pool(x: Tensor, shape: tuple[int, ...], where_: str) -> Tensor:
    """The empty output of shape ``shape`` (a 0 in it) of adaptive pool ``where_`` of ``x``,
    as PyTorch's: in ``x``'s graph, a backward through it raises."""
    return cast("Tensor", _EmptyPool.apply(x, shape, where_))


def _adaptive_bins(size: int, n_out: int) -> list[tuple[int, int]]:
    """Adaptive pooling's bins along an axis of ``size``: bin i is ``floor(i * size / n_out)``
    to ``ceil((i + 1) * size / n_out)``, exclusive, as PyTorch's."""
    return [((i * size) // n_out, -(-((i + 1) * size) // n_out)) for i in range(n_out)]


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation, as ``torch.nn.functional.conv1d``: ``conv2d`` of the input and
    weight with a height of 1.

    Parameters
    ----------
    input : Tensor
        Shape (N, C_in, L) or (C_in, L).
    weight : Tensor
        Shape (C_out, C_in / groups, k).
    bias : Tensor, optional
        Shape (C_out,).
    stride, dilation : int or (int,)
    padding : int, (int,), 'valid' or 'same'
    groups : int

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.conv1d(pt.ones((1, 1, 5)), pt.ones((1, 1, 3)), padding=1)
    tensor([[[2., 3., 3., 3., 2.]]], backend='numpy')
    """
    where_ = "conv1d"
    x = _tensor(input, where_)
    w = _tensor(weight, where_, "weight")
    if x.ndim not in (2, 3):
        raise ValueError(
            f"conv1d() expects a 2-D (C, L) or 3-D (N, C, L) input; got shape {x.shape}"
        )
    if w.ndim != 3:
        raise ValueError(
            f"conv1d() expects a 3-D weight (C_out, C_in/groups, k); got shape {w.shape}"
        )
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"conv1d() expects groups to be a positive int; got {groups!r}")
    o, cg = w.shape[:2]
    if x.shape[-2] != cg * groups or o % groups:  # type: ignore[operator]  # (known sizes)
        raise ValueError(
            f"conv1d() got input with {x.shape[-2]} channels and weight of shape {w.shape} "
            f"with groups={groups}; expected C_in = {cg} * groups and C_out divisible by groups"
        )
    if bias is not None and tuple(_tensor(bias, where_, "bias").shape) != (o,):
        raise ValueError(
            f"conv1d() expects a bias of shape ({o},), one per output channel; got shape "
            f"{tuple(_tensor(bias, where_, 'bias').shape)}"
        )
    _one_dtype(where_, x, w, None if bias is None else _tensor(bias, where_, "bias"))
    one = {name: _single(v, name) for name, v in (("stride", stride), ("dilation", dilation))}
    pad: Any = padding if isinstance(padding, str) else (0, _single(padding, "padding"))
    out = conv2d(
        expand_dims(x, axis=-2),
        expand_dims(w, axis=-2),
        bias,
        (1, one["stride"]),
        pad,
        (1, one["dilation"]),
        groups,
    )
    # (reshaped, not indexed: an array of its own, which .view() takes, as PyTorch's is)
    return reshape(out, (*out.shape[:-2], out.shape[-1]))


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """1-D max pooling over (N, C, L) or (C, L) inputs, as ``torch.nn.functional.max_pool1d``:
    ``max_pool2d`` with a height of 1 (its rules for ties, NaNs and ``ceil_mode``).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.max_pool1d(pt.asarray([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2)
    tensor([[[3., 5.]]], backend='numpy')
    """
    if return_indices:  # (each maximum's position in its row)
        x = _tensor(input, "max_pool1d")
        return max_pool_with_indices(  # type: ignore[return-value]
            x, kernel_size, stride, padding, dilation, ceil_mode, 1
        )
    return _pool1d(input, "max_pool1d", kernel_size, stride, padding, ceil_mode, dilation)


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """1-D average pooling over (N, C, L) or (C, L) inputs, as
    ``torch.nn.functional.avg_pool1d``: ``avg_pool2d`` with a height of 1.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.avg_pool1d(pt.asarray([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2)
    tensor([[[2. , 3.5]]], backend='numpy')
    """
    return _pool1d(input, "avg_pool1d", kernel_size, stride, padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """1-D adaptive average pooling over (N, C, L) or (C, L) inputs, as
    ``torch.nn.functional.adaptive_avg_pool1d``: ``adaptive_avg_pool2d`` with a height of 1
    (position i averages ``floor(i * L / n)`` to ``ceil((i + 1) * L / n)``).

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.adaptive_avg_pool1d(pt.arange(6.0).reshape(1, 1, 6), 2)
    tensor([[[1., 4.]]], backend='numpy')
    """
    where_ = "adaptive_avg_pool1d"
    x = _tensor(input, where_)
    if x.ndim not in (2, 3):
        raise ValueError(
            f"{where_}() expects a 2-D (C, L) or 3-D (N, C, L) input; got shape {x.shape}"
        )
    n = _single(output_size, "output_size", where_)
    return adaptive_avg_pool2d(expand_dims(x, axis=-2), (1, n))[..., 0, :]


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim`` (broadcast together),
    as ``torch.nn.functional.cosine_similarity``: ``sum(x1 * x2) / (max(||x1||, eps) *
    max(||x2||, eps))``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.cosine_similarity(pt.tensor([[1.0, 0.0], [1.0, 1.0]]), pt.tensor([[1.0, 0.0]]))
    tensor([1.        , 0.70710677], backend='numpy')
    """
    where_ = "cosine_similarity"
    a, b = _tensor(x1, where_), _tensor(x2, where_)
    # Each vector divided by its largest magnitude first (a constant: the cosine is the same
    # for any scale, and so is its gradient), so that no square overflows or underflows:
    # max(||a||, eps) = s max(||a / s||, eps / s). (1e300 * [1, 1] and itself: 1, where the
    # squares' inf / inf gave NaN; PyTorch gives 0.)
    sa, sb = _scale_of(a, dim), _scale_of(b, dim)
    a, b = a / sa, b / sb
    dot = _sum(a * b, axis=dim)
    na = _sum(a * a, axis=dim) ** 0.5
    nb = _sum(b * b, axis=dim) ** 0.5
    low_a = eps / _squeezed_scale(sa, dim)
    low_b = eps / _squeezed_scale(sb, dim)
    return dot / (_at_least(na, low_a) * _at_least(nb, low_b))


def _scale_of(x: Tensor, dim: int) -> Tensor:
    """The largest magnitude along ``dim`` (kept), detached; 1 where it is 0 or not finite."""
    from .._ops.elementwise import isfinite
    from .._ops.statistical import max as _max

    with no_grad():
        s = _max(_abs(x), axis=dim, keepdims=True)
        return where((s > 0) & isfinite(s), s, 1.0)


def _squeezed_scale(s: Tensor, dim: int) -> Tensor:
    from .._ops.manipulation import squeeze

    return squeeze(s, axis=dim % s.ndim)


def _at_least(x: Tensor, low: Tensor) -> Tensor:
    """``max(x, low)`` with ``low`` a constant: clamp's gradient (to ``x`` where it is kept),
    a NaN kept as clamp keeps it."""
    return where(x < low, low, x)


def _pool1d(
    input: Tensor,
    where_: str,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    extra: Any,
) -> Tensor:
    """``max_pool1d`` or ``avg_pool1d`` (``extra``: dilation or count_include_pad) as the 2-D
    pooling of the input with a height of 1."""
    x = _tensor(input, where_)
    if x.ndim not in (2, 3):
        raise ValueError(
            f"{where_}() expects a 2-D (C, L) or 3-D (N, C, L) input; got shape {x.shape}"
        )
    k = _single(kernel_size, "kernel_size", where_)
    s = k if stride is None or stride == () else _single(stride, "stride", where_)
    p = _single(padding, "padding", where_)
    if p < 0 or p > k // 2:
        raise ValueError(
            f"{where_}(): padding should be at most half of the kernel size; got "
            f"padding={padding!r}, kernel_size={kernel_size!r}"
        )
    x2 = expand_dims(x, axis=-2)
    try:
        if where_ == "max_pool1d":
            d = _single(extra, "dilation", where_)
            out = max_pool2d(x2, (1, k), (1, s), (0, p), (1, d), ceil_mode)
        else:
            out = avg_pool2d(x2, (1, k), (1, s), (0, p), ceil_mode, extra)
    except ValueError as e:  # (in this function's name: the 2-D pooling is how it runs)
        raise ValueError(str(e).replace(where_.replace("1d", "2d"), where_)) from None
    # (reshaped, not indexed: an array of its own, which .view() takes, as PyTorch's is)
    return reshape(out, (*out.shape[:-2], out.shape[-1]))


def _single(v: Any, name: str, where: str = "conv1d") -> int:
    """An int (a NumPy integer too), or a 1-tuple of one, as the 1-D layers take their
    parameters."""
    if isinstance(v, (tuple, list)) and len(v) == 1:
        v = v[0]
    i = _int(v)
    if i is None:
        if isinstance(v, (tuple, list)) and all(_int(j) is not None for j in v):
            raise LayerArgumentError(  # (PyTorch's RuntimeError, as _pair's)
                f"{where}() expects {name} to be an int or a 1-tuple of an int; got {len(v)} "
                f"ints: {v!r}"
            )
        raise TypeError(f"{where}() expects {name} to be an int or a 1-tuple of an int; got {v!r}")
    return i


def _pool_out(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool, where: str) -> int:
    span = size + 2 * p - d * (k - 1) - 1
    # (PyTorch's rule: with ceil_mode, a window may run past the end, even of a padded input
    # smaller than the kernel, as long as it starts inside)
    n = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (n - 1) * s >= size + p:  # the last window must start inside the input
        n -= 1
    if n < 1:
        raise ValueError(
            f"{where}(): the (padded) input of size {size + 2 * p} is smaller than "
            f"the kernel of size {d * (k - 1) + 1}"
        )
    return n


# -- losses ---------------------------------------------------------------------------------------
def _class_targets(input: Tensor, target: Tensor, where: str) -> tuple[int, int]:
    """(class dim, number of classes) after checking the shapes of a class-index target."""
    cdim = 1 if input.ndim >= 2 else 0
    if input.ndim == 0:
        raise ValueError(
            f"{where}() expects input of shape (C,), (N, C) or (N, C, d1, ...); got a 0-d tensor"
        )
    want = tuple(input.shape[:cdim]) + tuple(input.shape[cdim + 1 :])
    if tuple(target.shape) != want:
        raise ValueError(
            f"{where}() got input of shape {input.shape} and target of shape "
            f"{target.shape}; expected a target of shape {want}"
        )
    c = input.shape[cdim]
    return cdim, int(c)  # type: ignore[arg-type]


def _signed(target: Tensor) -> Tensor:
    """Class indices of an unsigned dtype as int64 (PyTorch's dtype for them), so that they
    compare with a negative ``ignore_index`` on every backend (array-api-strict refuses a
    Python int outside the array's dtype)."""
    return astype(target, _dt.int64) if target.dtype.kind == "unsigned integer" else target


def _check_range(target: Tensor, c: int, ignore_index: int, where: str) -> Tensor:
    """``target``, checked to hold class indices 0 to ``c - 1`` (or ``ignore_index``): an
    IndexError now, or on a lazy backend when the loss is computed (the check is part of the
    graph, so nothing is computed here)."""
    return _check_index(target, size=c, ignore=ignore_index, where=where, what="target")


def _class_axis(v: Tensor, ndim: int, cdim: int) -> Tensor:
    """1-D ``v`` of length C shaped to broadcast along ``cdim`` of an ``ndim``-D tensor."""
    return reshape(v, (-1,) + (1,) * (ndim - cdim - 1))


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class-index targets given log-probabilities ``input``.

    Parameters
    ----------
    input : Tensor
        Log-probabilities, shape (C,), (N, C) or (N, C, d1, ...).
    target : Tensor
        Integer class indices, shape (), (N,) or (N, d1, ...).
    weight : Tensor, optional
        A weight per class, shape (C,).
    ignore_index : int
        Targets equal to it contribute nothing (and do not count in the mean).
    reduction : {'mean', 'sum', 'none'}
        'mean' divides by the total weight of the non-ignored targets.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> logp = pt.log(pt.asarray([[0.5, 0.5], [0.25, 0.75]]))
    >>> round(float(F.nll_loss(logp, pt.asarray([0, 1]))), 4)
    0.4904
    """
    where_ = "nll_loss"
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    _floating(x, where_)
    if t.dtype.kind not in ("signed integer", "unsigned integer"):
        raise TypeError(f"nll_loss() expects integer class indices as target; got {t.dtype.name}")
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"nll_loss() got reduction={reduction!r}; expected one of "
            f"{', '.join(repr(r) for r in _REDUCTIONS)}"
        )
    cdim, c = _class_targets(x, t, where_)
    t = _check_range(_signed(t), c, ignore_index, where_)
    if weight is None:
        return _nll_loss(x, t, axis=cdim, ignore_index=ignore_index, reduction=reduction)
    valid = t != ignore_index
    classes = _class_axis(arange(c, dtype=t.dtype, device=t.device), x.ndim, cdim)
    hit = (expand_dims(t, axis=cdim) == classes) & expand_dims(valid, axis=cdim)
    wt = _tensor(weight, where_, "weight")
    if tuple(wt.shape) != (c,):
        raise ValueError(f"nll_loss() expects weight of shape ({c},); got {wt.shape}")
    wc = _class_axis(wt, x.ndim, cdim)
    loss = -_sum(where(hit, x * wc, 0), axis=cdim)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return _sum(loss)
    return _sum(loss) / _sum(where(hit, wc, 0))


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy between logits ``input`` and class indices (or class probabilities).

    ``nll_loss(log_softmax(input, dim=class_dim), target, ...)`` with PyTorch's options.

    Parameters
    ----------
    input : Tensor
        Unnormalised scores, shape (C,), (N, C) or (N, C, d1, ...).
    target : Tensor
        Integer class indices of shape (), (N,) or (N, d1, ...), or class probabilities with
        the shape of ``input``.
    weight : Tensor, optional
        A weight per class, shape (C,).
    ignore_index : int
        Class-index targets equal to it are ignored.
    reduction : {'mean', 'sum', 'none'}
    label_smoothing : float in [0, 1]
        Mix the target with the uniform distribution, as PyTorch does.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> logits = pt.asarray([[0.0, 0.0], [0.0, 0.0]])
    >>> round(float(F.cross_entropy(logits, pt.asarray([0, 1]))), 4)
    0.6931
    """
    where_ = "cross_entropy"
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    _floating(x, where_)
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"cross_entropy() got reduction={reduction!r}; expected one of "
            f"{', '.join(repr(r) for r in _REDUCTIONS)}"
        )
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            f"cross_entropy() expects label_smoothing in [0, 1]; got {label_smoothing!r}"
        )
    if x.ndim == 0:
        raise ValueError(
            "cross_entropy() expects input of shape (C,), (N, C) or "
            "(N, C, d1, ...); got a 0-d tensor"
        )
    cdim = 1 if x.ndim >= 2 else 0
    if (
        weight is None
        and label_smoothing == 0
        and t.dtype.kind in ("signed integer", "unsigned integer")
        and x.size
    ):  # class indices, the usual case: one node (the log-probabilities kept for backward)
        _class_targets(x, t, where_)
        keep: list[Any] | None = [] if x.requires_grad and is_grad_enabled() else None
        return _cross_entropy(
            x, _signed(t), axis=cdim, ignore_index=ignore_index, reduction=reduction, keep=keep
        )
    c = int(x.shape[cdim])  # type: ignore[arg-type]
    logp = log_softmax(x, dim=cdim)
    wc = None
    if weight is not None:
        wt = _tensor(weight, where_, "weight")
        if tuple(wt.shape) != (c,):
            raise ValueError(f"cross_entropy() expects weight of shape ({c},); got {wt.shape}")
        wc = _class_axis(wt, x.ndim, cdim)
    if t.dtype.kind in ("real floating", "complex floating"):  # class probabilities
        if tuple(t.shape) != tuple(x.shape):
            raise ValueError(
                f"cross_entropy() got probability targets of shape {t.shape} for "
                f"input of shape {x.shape}; they must match"
            )
        if label_smoothing > 0:
            t = t * (1 - label_smoothing) + label_smoothing / c
        prod = logp * t if wc is None else logp * t * wc
        loss = -_sum(prod, axis=cdim)
        if reduction == "mean":  # (an empty batch: NaN, as PyTorch's mean of nothing)
            return _mean(loss) if loss.size else _sum(loss) * math.nan
        return _reduce(loss, reduction, where_)
    t = _signed(t)
    nll = nll_loss(logp, t, weight=weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0:
        return nll
    valid = t != ignore_index
    smooth = -_sum(logp if wc is None else logp * wc, axis=cdim)
    smooth = where(valid, smooth, 0)
    if reduction == "none":
        ret = smooth
    elif reduction == "sum":
        ret = _sum(smooth)
    elif wc is None:
        ret = _sum(smooth) / _sum(astype(valid, x.dtype))
    else:
        classes = _class_axis(arange(c, dtype=t.dtype, device=t.device), x.ndim, cdim)
        hit = (expand_dims(t, axis=cdim) == classes) & expand_dims(valid, axis=cdim)
        ret = _sum(smooth) / _sum(where(hit, wc, 0))
    return (1 - label_smoothing) * nll + ret * (label_smoothing / c)


def _pointwise_loss(input: Tensor, target: Tensor, where_: str) -> tuple[Tensor, Tensor]:
    x = _tensor(input, where_)
    t = _tensor(target, where_, "target")
    _floating(x, where_)
    if tuple(x.shape) != tuple(t.shape):
        warnings.warn(
            f"{where_}(): using a target of shape {t.shape} that differs from the "
            f"input's shape {x.shape}; they will be broadcast, which is probably "
            f"not intended",
            UserWarning,
            stacklevel=3,
        )
    return x, t


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean (or summed) squared error ``(input - target) ** 2``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.mse_loss(pt.asarray([1.0, 2.0]), pt.asarray([1.0, 4.0]))
    tensor(2., backend='numpy')
    """
    x, t = _pointwise_loss(input, target, "mse_loss")
    d = x - t
    return name_node(_reduce(d * d, reduction, "mse_loss"), "MseLossBackward0")


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean (or summed) absolute error ``|input - target|``.

    Examples
    --------
    >>> import polytensor as pt
    >>> import polytensor.nn.functional as F
    >>> F.l1_loss(pt.asarray([1.0, 2.0]), pt.asarray([1.0, 4.0]))
    tensor(1., backend='numpy')
    """
    x, t = _pointwise_loss(input, target, "l1_loss")
    return _reduce(_abs(x - t), reduction, "l1_loss")


# -- more losses, and names PyTorch has that polytensor does not ----------------------------------
# Defined in their own module (it imports the helpers above, hence the late import).
from ._activations import (  # noqa: E402
    celu,
    channel_shuffle,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    mish,
    rrelu,
    selu,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)
from ._channelwise import dropout2d, prelu  # noqa: E402
from ._conv3d import conv3d, conv_transpose3d  # noqa: E402
from ._conv_transpose import conv_transpose1d, conv_transpose2d  # noqa: E402
from ._ctc import ctc_loss  # noqa: E402
from ._extra_functional import (  # noqa: E402
    alpha_dropout,
    dropout1d,
    feature_alpha_dropout,
    multilabel_margin_loss,
    pdist,
    rms_norm,
    soft_margin_loss,
    triplet_margin_with_distance_loss,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)
from ._gathers import (  # noqa: E402
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    bilinear,
    embedding_bag,
)
from ._inplace_activations import (  # noqa: E402
    celu_,
    elu_,
    hardtanh_,
    leaky_relu_,
    relu_,
    rrelu_,
    selu_,
    threshold_,
)
from ._losses import (  # noqa: E402
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    huber_loss,
    kl_div,
    smooth_l1_loss,
)
from ._lp_pool import lp_pool1d, lp_pool2d, lp_pool3d  # noqa: E402
from ._margin_losses import (  # noqa: E402
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    pairwise_distance,
    poisson_nll_loss,
    triplet_margin_loss,
)
from ._mha_forward import multi_head_attention_forward  # noqa: E402
from ._missing import missing_name  # noqa: E402
from ._norms import group_norm, instance_norm, local_response_norm  # noqa: E402
from ._pool3d import (  # noqa: E402
    adaptive_avg_pool3d,
    adaptive_max_pool3d,
    avg_pool3d,
    dropout3d,
    max_pool3d,
)
from ._resample import (  # noqa: E402
    affine_grid,
    fold,
    grid_sample,
    interpolate,
    pixel_shuffle,
    pixel_unshuffle,
    unfold,
)
from ._unpool import max_pool_with_indices, max_unpool1d, max_unpool2d, max_unpool3d  # noqa: E402
from .attention import scaled_dot_product_attention  # noqa: E402


def __getattr__(name: str) -> Any:
    raise missing_name("polytensor.nn.functional", name)
