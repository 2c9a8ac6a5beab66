"""polytensor: an Array API standard namespace with reverse-mode autograd, on NumPy (default),
CuPy and Dask.

Examples
--------
>>> import polytensor as pt
>>> x = pt.asarray([1.0, 2.0, 3.0], requires_grad=True)
>>> y = pt.sum(x * x)
>>> y.backward()
>>> x.grad
tensor([2., 4., 6.], backend='numpy')
"""

from __future__ import annotations

import math as _math
from typing import TYPE_CHECKING as _TYPE_CHECKING

from . import _config, _dtypes, autograd, backends, linalg
from ._config import get_backend, get_default_dtype, set_backend, set_default_dtype, use_backend
from ._device import Device
from ._dtypes import (
    bool,
    complex64,
    complex128,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
)
from ._extras import cat, clamp, compute, dot, from_numpy, mm, mv, norm, persist, sigmoid, tensor
from ._info import __array_namespace_info__
from ._ops.creation import (
    arange,
    asarray,
    empty,
    empty_like,
    eye,
    from_dlpack,
    full,
    full_like,
    linspace,
    meshgrid,
    ones,
    ones_like,
    tril,
    triu,
    zeros,
    zeros_like,
)
from ._ops.data_types import astype, can_cast, finfo, iinfo, isdtype, result_type
from ._ops.elementwise import (
    abs,
    acos,
    acosh,
    add,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bitwise_and,
    bitwise_invert,
    bitwise_left_shift,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    ceil,
    clip,
    conj,
    copysign,
    cos,
    cosh,
    divide,
    equal,
    exp,
    expm1,
    floor,
    floor_divide,
    greater,
    greater_equal,
    hypot,
    imag,
    isfinite,
    isinf,
    isnan,
    less,
    less_equal,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    multiply,
    negative,
    nextafter,
    not_equal,
    positive,
    pow,
    real,
    reciprocal,
    relu,
    remainder,
    round,
    sign,
    signbit,
    sin,
    sinh,
    sqrt,
    square,
    subtract,
    tan,
    tanh,
    trunc,
)
from ._ops.indexing import take, take_along_axis
from ._ops.linear_algebra import matrix_transpose, tensordot, vecdot
from ._ops.manipulation import (
    broadcast_arrays,
    broadcast_to,
    concat,
    expand_dims,
    flip,
    moveaxis,
    permute_dims,
    repeat,
    reshape,
    roll,
    squeeze,
    stack,
    tile,
    unstack,
)
from ._ops.searching import count_nonzero, nonzero, searchsorted, where
from ._ops.sorting import (
    argsort,
    isin,
    unique_all,
    unique_counts,
    unique_inverse,
    unique_values,
)
from ._ops.statistical import (
    all,
    any,
    cumulative_prod,
    cumulative_sum,
    diff,
)
from ._pytorch import (
    ValuesIndices,
    allclose,
    argmax,
    argmin,
    chunk,
    cumprod,
    cumsum,
    div,
    flatten,
    isclose,
    matmul,
    max,
    mean,
    min,
    mul,
    prod,
    sort,
    split,
    std,
    sub,
    sum,
    topk,
    var,
)
from ._random import (
    Generator,
    default_generator,
    initial_seed,
    manual_seed,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
)
from ._shapes import Size, broadcast_shapes
from ._tensor import Tensor
from ._version import __version__ as __version__
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

if _TYPE_CHECKING:
    from . import cuda, fft, func, nn, optim, special
    from ._serialize import load, save

# Loaded on first use (PEP 562): `pt.nn`, `from polytensor import nn`, `pt.save(...)` import
# them then. Many programs use none of them, and importing them here made `import polytensor`
# slower by their modules (see bench/README.md, "Import time").
_LAZY = {
    "cuda": ".cuda",
    "fft": ".fft",
    "func": ".func",
    "nn": ".nn",
    "optim": ".optim",
    "load": "._serialize",
    "save": "._serialize",
    "special": ".special",
}


def __getattr__(name: str) -> object:
    target = _LAZY.get(name)
    if target is None:
        from ._pytorch import MODULE_HINTS, missing_attribute

        raise missing_attribute("module 'polytensor'", name, MODULE_HINTS)
    import importlib

    module = importlib.import_module(target, __name__)
    value = module if target == "." + name else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(globals().keys() | _LAZY.keys())


__array_api_version__ = "2025.12"

e = _math.e
inf = _math.inf
nan = _math.nan
pi = _math.pi
newaxis = None

# PyTorch's dtype spellings (aliases, not new dtypes).
float = float32
double = float64
long = int64
int = int32

# PyTorch's torch.device: the Device class, which also takes "cpu", "cuda:0" or ("cuda", 0).
device = Device

__all__ = [
    "Device",
    "Generator",
    "Size",
    "Tensor",
    "ValuesIndices",
    "__array_api_version__",
    "__array_namespace_info__",
    "abs",
    "acos",
    "acosh",
    "add",
    "all",
    "allclose",
    "any",
    "arange",
    "argmax",
    "argmin",
    "argsort",
    "asarray",
    "asin",
    "asinh",
    "astype",
    "atan",
    "atan2",
    "atanh",
    "autograd",
    "backends",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "bool",
    "broadcast_arrays",
    "broadcast_shapes",
    "broadcast_to",
    "can_cast",
    "cat",
    "ceil",
    "chunk",
    "clamp",
    "clip",
    "complex64",
    "complex128",
    "compute",
    "concat",
    "conj",
    "copysign",
    "cos",
    "cosh",
    "count_nonzero",
    "cuda",
    "cumprod",
    "cumsum",
    "cumulative_prod",
    "cumulative_sum",
    "default_generator",
    "device",
    "diff",
    "div",
    "divide",
    "dot",
    "double",
    "e",
    "empty",
    "empty_like",
    "enable_grad",
    "equal",
    "exp",
    "expand_dims",
    "expm1",
    "eye",
    "fft",
    "finfo",
    "flatten",
    "flip",
    "float",
    "float32",
    "float64",
    "floor",
    "floor_divide",
    "from_dlpack",
    "from_numpy",
    "full",
    "full_like",
    "func",
    "get_backend",
    "get_default_dtype",
    "greater",
    "greater_equal",
    "hypot",
    "iinfo",
    "imag",
    "inf",
    "initial_seed",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "isclose",
    "isdtype",
    "isfinite",
    "isin",
    "isinf",
    "isnan",
    "less",
    "less_equal",
    "linalg",
    "linspace",
    "load",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "long",
    "manual_seed",
    "matmul",
    "matrix_transpose",
    "max",
    "maximum",
    "mean",
    "meshgrid",
    "min",
    "minimum",
    "mm",
    "moveaxis",
    "mul",
    "multiply",
    "mv",
    "nan",
    "negative",
    "newaxis",
    "nextafter",
    "nn",
    "no_grad",
    "nonzero",
    "norm",
    "not_equal",
    "ones",
    "ones_like",
    "optim",
    "permute_dims",
    "persist",
    "pi",
    "positive",
    "pow",
    "prod",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "real",
    "reciprocal",
    "relu",
    "remainder",
    "repeat",
    "reshape",
    "result_type",
    "roll",
    "round",
    "save",
    "searchsorted",
    "seed",
    "set_backend",
    "set_default_dtype",
    "set_grad_enabled",
    "sigmoid",
    "sign",
    "signbit",
    "sin",
    "sinh",
    "sort",
    "special",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "sub",
    "subtract",
    "sum",
    "take",
    "take_along_axis",
    "tan",
    "tanh",
    "tensor",
    "tensordot",
    "tile",
    "topk",
    "tril",
    "triu",
    "trunc",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
    "unstack",
    "use_backend",
    "var",
    "vecdot",
    "where",
    "zeros",
    "zeros_like",
]

del _config, _dtypes, _TYPE_CHECKING
