"""PyTorch's namespace forms of the in-place methods: ``pt.relu_(x)`` is ``x.relu_()``,
``pt.clamp_(x, 0, 1)`` is ``x.clamp_(0, 1)``, for the names torch's namespace has (``torch.relu_``,
``torch.sigmoid_``, ``torch.zero_``, ...) and polytensor's Tensor has as methods.

Each calls the tensor's method, so it behaves as that method does (versions, the autograd
checks, a view's base).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._pytorch import _tensor_arg

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "abs_",
    "acos_",
    "acosh_",
    "addmv_",
    "asin_",
    "asinh_",
    "atan_",
    "atanh_",
    "ceil_",
    "clamp_",
    "clamp_max_",
    "clamp_min_",
    "clip_",
    "cos_",
    "cosh_",
    "deg2rad_",
    "detach_",
    "erf_",
    "erfc_",
    "exp2_",
    "exp_",
    "expm1_",
    "fill_",
    "fix_",
    "floor_",
    "frac_",
    "gcd_",
    "i0_",
    "index_put_",
    "lcm_",
    "ldexp_",
    "log1p_",
    "log2_",
    "log10_",
    "log_",
    "logit_",
    "nan_to_num_",
    "neg_",
    "negative_",
    "rad2deg_",
    "reciprocal_",
    "relu_",
    "round_",
    "rsqrt_",
    "sigmoid_",
    "sin_",
    "sinc_",
    "sinh_",
    "sqrt_",
    "square_",
    "tan_",
    "tanh_",
    "trunc_",
    "xlogy_",
    "zero_",
]


def _namespace_form(name: str, call: str = "", data: str = "[0.5, 1.0]") -> Callable[..., Any]:
    """``pt.<name>(x, ...)``: ``x.<name>(...)``. ``call`` and ``data``: the docstring example's
    arguments and tensor."""

    def function(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        _tensor_arg(name, input)
        return getattr(input, name)(*args, **kwargs)  # type: ignore[no-any-return]

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"PyTorch's ``torch.{name}(x, ...)``: ``x.{name}(...)``, in place; returns ``x``.\n\n"
        f"Examples\n--------\n>>> import polytensor as pt\n>>> x = pt.asarray({data})\n"
        f">>> pt.{name}(x{', ' + call if call else ''}) is x\nTrue\n"
    )
    return function


abs_ = _namespace_form("abs_")
addmv_ = _namespace_form("addmv_", "pt.ones((2, 2)), pt.ones(2)")
acos_ = _namespace_form("acos_")
acosh_ = _namespace_form("acosh_", "", "[1.0, 2.0]")
asin_ = _namespace_form("asin_")
asinh_ = _namespace_form("asinh_")
atan_ = _namespace_form("atan_")
atanh_ = _namespace_form("atanh_", "", "[0.0, 0.5]")
ceil_ = _namespace_form("ceil_")
clamp_ = _namespace_form("clamp_", "0.75")
clamp_max_ = _namespace_form("clamp_max_", "0.75")
clamp_min_ = _namespace_form("clamp_min_", "0.75")
clip_ = _namespace_form("clip_", "0.0, 0.75")
cos_ = _namespace_form("cos_")
cosh_ = _namespace_form("cosh_")
deg2rad_ = _namespace_form("deg2rad_")
detach_ = _namespace_form("detach_")
erf_ = _namespace_form("erf_")
erfc_ = _namespace_form("erfc_")
exp2_ = _namespace_form("exp2_")
exp_ = _namespace_form("exp_")
expm1_ = _namespace_form("expm1_")
fill_ = _namespace_form("fill_", "2.0")
fix_ = _namespace_form("fix_")
floor_ = _namespace_form("floor_")
frac_ = _namespace_form("frac_")
gcd_ = _namespace_form("gcd_", "pt.asarray([4, 6])", "[6, 9]")
i0_ = _namespace_form("i0_")
index_put_ = _namespace_form("index_put_", "(pt.asarray([0]),), pt.asarray([2.0])")
lcm_ = _namespace_form("lcm_", "pt.asarray([4, 6])", "[6, 9]")
ldexp_ = _namespace_form("ldexp_", "pt.asarray([1, 2])")
log10_ = _namespace_form("log10_")
log1p_ = _namespace_form("log1p_")
log2_ = _namespace_form("log2_")
log_ = _namespace_form("log_")
logit_ = _namespace_form("logit_")
nan_to_num_ = _namespace_form("nan_to_num_")
neg_ = _namespace_form("neg_")
negative_ = _namespace_form("negative_")
rad2deg_ = _namespace_form("rad2deg_")
reciprocal_ = _namespace_form("reciprocal_")
relu_ = _namespace_form("relu_")
round_ = _namespace_form("round_")
rsqrt_ = _namespace_form("rsqrt_")
sigmoid_ = _namespace_form("sigmoid_")
sin_ = _namespace_form("sin_")
sinc_ = _namespace_form("sinc_")
sinh_ = _namespace_form("sinh_")
sqrt_ = _namespace_form("sqrt_")
square_ = _namespace_form("square_")
tan_ = _namespace_form("tan_")
tanh_ = _namespace_form("tanh_")
trunc_ = _namespace_form("trunc_")
xlogy_ = _namespace_form("xlogy_", "2.0")
zero_ = _namespace_form("zero_")
