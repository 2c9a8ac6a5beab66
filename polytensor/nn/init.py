"""Weight initialisation, as in ``torch.nn.init``: in-place fills under ``no_grad``.

Random values come from polytensor's default generator (``pt.manual_seed`` or
``nn.init.manual_seed`` seeds it; or pass ``generator=``, a ``pt.Generator``), are drawn from its
counter-based stream on the tensor's own backend (on Dask chunk by chunk, in the tensor's
chunks), so a seed gives the same weights on NumPy, Dask and array-api-strict.

Examples
--------
>>> import polytensor as pt
>>> from polytensor import nn
>>> _ = nn.init.manual_seed(0)
>>> w = pt.empty((3, 4))
>>> _ = nn.init.xavier_uniform_(w)
>>> bool(pt.all(pt.abs(w) <= (6 / 7) ** 0.5))
True
"""

from __future__ import annotations

import math
from typing import Any

from .._tensor import Tensor
from ._random import manual_seed as _manual_seed
from ._random import normal_like as _normal_like
from ._random import uniform_like as _uniform_like

__all__ = [
    "calculate_gain",
    "constant",
    "constant_",
    "dirac",
    "dirac_",
    "eye",
    "eye_",
    "kaiming_normal",
    "kaiming_normal_",
    "kaiming_uniform",
    "kaiming_uniform_",
    "manual_seed",
    "normal",
    "normal_",
    "ones_",
    "orthogonal",
    "orthogonal_",
    "sparse",
    "sparse_",
    "trunc_normal_",
    "uniform",
    "uniform_",
    "xavier_normal",
    "xavier_normal_",
    "xavier_uniform",
    "xavier_uniform_",
    "zeros_",
]


def manual_seed(seed: int) -> Any:
    """Seed the generator behind ``nn.init`` and ``nn.Dropout``: ``pt.manual_seed(seed)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> _ = nn.init.manual_seed(1); a = nn.init.normal_(pt.empty((2,))).tolist()
    >>> _ = nn.init.manual_seed(1); b = nn.init.normal_(pt.empty((2,))).tolist()
    >>> a == b
    True
    """
    return _manual_seed(seed)


def _check(tensor: Any, where: str) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{where}() expects a polytensor Tensor; got {type(tensor).__name__}")
    from .lazy import refuse_uninitialized

    refuse_uninitialized(tensor, where)
    if any(s is None for s in tensor.shape):
        raise ValueError(
            f"{where}() of a tensor with unknown (lazy) shape {tensor.shape}; "
            f"call pt.compute(x) first"
        )


def _fill(tensor: Tensor, values: Any) -> Tensor:
    """Write ``values`` (made by ``make(tensor)``) into ``tensor`` in place, unrecorded."""
    from ..autograd import no_grad

    with no_grad():
        tensor[...] = values(tensor)
    return tensor


def _shape(tensor: Tensor) -> tuple[int, ...]:
    return tuple(int(s) for s in tensor.shape)  # type: ignore[arg-type]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

    Parameters
    ----------
    nonlinearity : str
        ``'linear'``, ``'conv1d'``, ``'conv2d'``, ``'conv3d'``, ``'sigmoid'``, ``'tanh'``,
        ``'relu'``, ``'leaky_relu'`` or ``'selu'``.
    param : float, optional
        The negative slope of ``'leaky_relu'`` (default 0.01).

    Examples
    --------
    >>> from polytensor import nn
    >>> nn.init.calculate_gain("tanh")
    1.6666666666666667
    """
    linear = (
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
    )
    if nonlinearity in linear or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"calculate_gain() got negative_slope {param!r}; expected a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain() got unsupported nonlinearity {nonlinearity!r}; expected "
        f"one of {', '.join(linear)}, sigmoid, tanh, relu, leaky_relu, selu"
    )


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    shape = _shape(tensor)
    if len(shape) < 2:
        raise ValueError(
            f"fan in and fan out can not be computed for a tensor with fewer than 2 "
            f"dimensions; got shape {shape}"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out'; got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` in place with values drawn from U(a, b).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> w = nn.init.uniform_(pt.empty((100,)), -0.5, 0.5)
    >>> bool(pt.all((w >= -0.5) & (w < 0.5)))
    True
    """
    _check(tensor, "uniform_")
    return _fill(tensor, lambda t: _uniform_like(t, a, b, generator))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` in place with values drawn from N(mean, std²).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> w = nn.init.normal_(pt.empty((2, 3)), std=0.02)
    >>> w.shape
    (2, 3)
    """
    _check(tensor, "normal_")
    return _fill(tensor, lambda t: _normal_like(t, mean, std, generator))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` in place with ``val``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.init.constant_(pt.empty((2,)), 0.5)
    tensor([0.5, 0.5], backend='numpy')
    """
    from ..autograd import no_grad

    _check(tensor, "constant_")
    with no_grad():
        tensor[...] = val
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with zeros.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.init.zeros_(pt.ones((2,)))
    tensor([0., 0.], backend='numpy')
    """
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with ones.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.init.ones_(pt.zeros((2,)))
    tensor([1., 1.], backend='numpy')
    """
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> w = nn.init.xavier_uniform_(pt.empty((3, 5)))
    >>> bool(pt.all(pt.abs(w) <= (6 / 8) ** 0.5))
    True
    """
    _check(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot normal: N(0, std²) with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.init.xavier_normal_(pt.empty((3, 5))).shape
    (3, 5)
    """
    _check(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """He uniform: U(-bound, bound) with ``bound = gain * sqrt(3 / fan)``.

    ``Linear`` and ``Conv2d`` initialise their weights with ``a=math.sqrt(5)``, as PyTorch's.

    Examples
    --------
    >>> import math, polytensor as pt
    >>> from polytensor import nn
    >>> w = nn.init.kaiming_uniform_(pt.empty((4, 3)), a=math.sqrt(5))
    >>> bool(pt.all(pt.abs(w) <= 1 / math.sqrt(3)))
    True
    """
    _check(tensor, "kaiming_uniform_")
    if 0 in _shape(tensor):
        return tensor
    fan = _fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    """He normal: N(0, std²) with ``std = gain / sqrt(fan)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.init.kaiming_normal_(pt.empty((4, 3)), nonlinearity="relu").shape
    (4, 3)
    """
    _check(tensor, "kaiming_normal_")
    if 0 in _shape(tensor):
        return tensor
    fan = _fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
) -> Tensor:
    """Fill ``tensor`` in place with values drawn from N(mean, std²) truncated to
    ``[a, b]``, as PyTorch draws them: uniform between the bounds' normal CDFs, mapped back
    through the inverse error function.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> w = nn.init.trunc_normal_(pt.empty((1000,)), std=0.02, a=-0.04, b=0.04)
    >>> bool(pt.all((w >= -0.04) & (w <= 0.04)))
    True
    """
    from .. import special
    from .._ops.elementwise import clip

    _check(tensor, "trunc_normal_")
    if not std > 0:
        raise ValueError(f"trunc_normal_(): std must be positive; got {std}")
    if not a < b:
        raise ValueError(f"trunc_normal_(): the bounds must have a < b; got a={a}, b={b}")

    def cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    low, high = cdf((a - mean) / std), cdf((b - mean) / std)

    def draw(t: Tensor) -> Any:
        u = _uniform_like(t, 2 * low - 1, 2 * high - 1, generator)
        return clip(special.erfinv(u) * (std * math.sqrt(2.0)) + mean, a, b)

    return _fill(tensor, draw)


def eye_(tensor: Tensor) -> Tensor:
    """Fill the 2-D ``tensor`` in place with the identity (ones on the main diagonal), as
    ``torch.nn.init.eye_``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.init.eye_(pt.empty((2, 3)))
    tensor([[1., 0., 0.],
            [0., 1., 0.]], backend='numpy')
    """
    from .._ops.creation import eye

    _check(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"eye_(): only tensors with 2 dimensions are supported; got {tensor.ndim}")
    rows, cols = _shape(tensor)
    return _fill(tensor, lambda t: eye(rows, cols, dtype=t.dtype, device=t.device))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill the 3-, 4- or 5-D convolution weight ``tensor`` in place with the Dirac delta, as
    ``torch.nn.init.dirac_``: a convolution with it passes its input's channels through
    unchanged (the first ``min(out_channels / groups, in_channels)`` of each group).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> w = nn.init.dirac_(pt.empty((2, 2, 3)))
    >>> w.tolist()
    [[[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]
    """
    from .._ops.creation import zeros

    _check(tensor, "dirac_")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(
            f"dirac_(): only tensors with 3, 4, or 5 dimensions are supported; got {tensor.ndim}"
        )
    sizes = _shape(tensor)
    if sizes[0] % groups != 0:
        raise ValueError(
            f"dirac_(): dim 0 ({sizes[0]}) must be divisible by groups ({groups}); pass a "
            f"groups that divides the output channels"
        )
    per_group = sizes[0] // groups
    centre = tuple(n // 2 for n in sizes[2:])

    def make(t: Tensor) -> Tensor:
        out = zeros(sizes, dtype=t.dtype, device=t.device)
        for g in range(groups):
            for d in range(min(per_group, sizes[1])):
                out[(g * per_group + d, d, *centre)] = 1.0
        return out

    return _fill(tensor, make)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` (2 or more dimensions, the later ones flattened) in place with a
    (semi-)orthogonal matrix times ``gain``, as ``torch.nn.init.orthogonal_`` makes it: the Q
    of the QR decomposition of a standard normal draw, each column's sign that of R's diagonal
    (Saxe et al.).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> w = nn.init.orthogonal_(pt.empty((3, 5), dtype=pt.float64))
    >>> bool(pt.all(pt.abs(w @ w.T - pt.eye(3, dtype=pt.float64)) < 1e-12))
    True
    """
    from .._ops.creation import empty
    from .._ops.elementwise import sign
    from .._ops.linalg import diagonal, qr
    from .._ops.manipulation import reshape

    _check(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError(
            f"orthogonal_(): only tensors with 2 or more dimensions are supported; got "
            f"{tensor.ndim}"
        )
    shape = _shape(tensor)
    if math.prod(shape) == 0:
        return tensor
    rows, cols = shape[0], math.prod(shape[1:])

    def draw(t: Tensor) -> Any:
        flat = _normal_like(
            empty((rows, cols), dtype=t.dtype, device=t.device), 0.0, 1.0, generator
        )
        if rows < cols:
            flat = flat.T
        q, r = qr(flat)
        q = q * sign(diagonal(r))
        if rows < cols:
            q = q.T
        return reshape(q, shape) * gain

    return _fill(tensor, draw)


# -- sparse_ and the deprecated names -----------------------------------------------------------
# Defined in their own module (it imports the functions above, hence the late import).
from ._extra_init import (  # noqa: E402
    constant,
    dirac,
    eye,
    kaiming_normal,
    kaiming_uniform,
    normal,
    orthogonal,
    sparse,
    sparse_,
    uniform,
    xavier_normal,
    xavier_uniform,
)


def __getattr__(name: str) -> Any:
    from ._missing import missing_name

    raise missing_name("polytensor.nn.init", name)
