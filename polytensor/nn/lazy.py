"""Lazy modules: layers whose input size is read from their first input, as PyTorch's
``LazyLinear``, ``LazyConv1d``, ``LazyConv2d``, ``LazyBatchNorm1d`` and ``LazyBatchNorm2d``
(what *Dive into Deep Learning* builds every network with).

Until its first call a lazy module holds ``UninitializedParameter``s. The first call (or a
``load_state_dict``, which reads the sizes from the checkpoint) gives them their shapes in
place, so an optimizer made before still holds them; draws PyTorch's initialisation; and turns
the module into the plain layer (``type(m) is nn.Linear`` afterwards, as in PyTorch, which
``net.apply(init_fn)`` tests rely on).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self, cast

from .._ops.creation import empty, ones, zeros
from .._tensor import Tensor
from .module import Module
from .modules import BatchNorm1d, BatchNorm2d, Conv1d, Conv2d, Linear, _BatchNorm
from .parameter import Parameter

__all__ = [
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyConv1d",
    "LazyConv2d",
    "LazyLinear",
    "UninitializedParameter",
]


class UninitializedParameter(Parameter):
    """A parameter whose shape a lazy module gives it at its first call (``materialize``).

    It holds no elements until then, but has the dtype and device it will have: a module's
    ``to(...)`` before the first call moves it.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> p = nn.UninitializedParameter()
    >>> p
    <UninitializedParameter>
    >>> p.materialize((2, 3))
    >>> type(p).__name__, p.shape, p.requires_grad
    ('Parameter', (2, 3), True)
    """

    __slots__ = ()

    def __new__(cls, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> Self:
        return super().__new__(cls, empty((0,), dtype=dtype, device=device), requires_grad)

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        pass  # (everything happens in __new__)

    def __repr__(self) -> str:
        return "<UninitializedParameter>"

    def __deepcopy__(self, memo: dict[int, Any]) -> UninitializedParameter:
        if id(self) in memo:
            return memo[id(self)]  # type: ignore[no-any-return]
        result = UninitializedParameter(self.requires_grad, self.device, self.dtype)
        memo[id(self)] = result
        return result

    def __reduce__(self) -> tuple[Any, ...]:
        return (_uninitialized, (self.requires_grad, self._backend.name, self.dtype.name))

    def numel(self) -> int:
        """Refused, as PyTorch's: the parameter has no shape until the module's first call."""
        raise ValueError(_UNSHAPED.format(what="numel()"))

    def materialize(self, shape: tuple[int, ...], device: Any = None, dtype: Any = None) -> None:
        """Give this parameter ``shape`` (uninitialised values) in place, on its own device
        and dtype unless given; it becomes a plain ``Parameter``, the same object."""
        data = empty(
            tuple(shape),
            dtype=self.dtype if dtype is None else dtype,
            device=self.device if device is None else device,
        )
        self._data = data._data
        self._backend = data._backend
        self.__class__ = Parameter  # type: ignore[assignment]  # (the same layout)


_UNSHAPED = (
    "{what} of an uninitialized parameter, whose shape its lazy module gives it at its first "
    "call: call the module on an input first (net(X)), then use or initialise its parameters"
)


def _uninitialized(requires_grad: bool, backend: str, dtype: str) -> UninitializedParameter:
    """An ``UninitializedParameter`` rebuilt from its pickle."""
    from .. import _dtypes as dt

    return UninitializedParameter(requires_grad, backend, dt.BY_NAME[dtype])


def refuse_uninitialized(tensor: Any, where: str) -> None:
    """PyTorch's ValueError for an ``nn.init`` function given an uninitialized parameter (its
    values would be drawn again at the module's first call, silently)."""
    if isinstance(tensor, UninitializedParameter):
        raise ValueError(_UNSHAPED.format(what=f"{where}()"))  # noqa: TRY004  (PyTorch's)


class _Lazy:
    """What the lazy modules share: the first call sizes the parameters from the input."""

    cls_to_become: ClassVar[type[Module]]

    def _size_of(self, input: Tensor) -> int:
        raise NotImplementedError

    def _size_in(self, state: Mapping[str, Any], prefix: str) -> int | None:
        raise NotImplementedError

    def _initialize(self, n: int) -> None:
        raise NotImplementedError

    def has_uninitialized_params(self) -> bool:
        """Whether the module still waits for its first input.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.LazyLinear(3).has_uninitialized_params()
        True
        """
        return True

    def initialize_parameters(self, input: Tensor) -> None:
        """Size the parameters from ``input``, draw their initial values and become the plain
        layer (what the first call does)."""
        self._initialize(self._size_of(input))
        self.__class__ = self.cls_to_become  # type: ignore[assignment]

    def forward(self, input: Tensor) -> Any:
        self.initialize_parameters(input)
        return self.forward(input)  # (the plain layer's, now)

    def _load_lazily(self, state: Mapping[str, Any], prefix: str) -> None:
        """Before ``load_state_dict``: sized from the checkpoint's tensors, as PyTorch's."""
        n = self._size_in(state, prefix)
        if n is not None:
            self._initialize(n)
            self.__class__ = self.cls_to_become  # type: ignore[assignment]

    def reset_parameters(self) -> None:
        """Nothing until the parameters have their shapes (then the plain layer's)."""


def _shape_of(state: Mapping[str, Any], key: str) -> tuple[int, ...] | None:
    v = state.get(key)
    shape = getattr(v, "shape", None)
    return None if shape is None else tuple(int(s) for s in shape)


def _count(where: str, n: Any) -> int:
    if n is None:
        raise ValueError(
            f"{where}: the input's size along the features or channels is unknown (a Dask "
            f"dimension of data-dependent length); compute it first with pt.compute(x)"
        )
    return int(n)


class LazyLinear(_Lazy, Linear):
    """``Linear`` whose ``in_features`` is the last dimension of its first input.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
    >>> net(pt.rand(2, 20)).shape
    (2, 10)
    >>> type(net[0]).__name__, net[0].weight.shape
    ('Linear', (256, 20))
    """

    cls_to_become = Linear

    def __init__(
        self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def _size_of(self, input: Tensor) -> int:
        if not input.ndim:
            raise ValueError("LazyLinear: expected an input of at least 1 dimension; got a 0-D one")
        return _count("LazyLinear", input.shape[-1])

    def _size_in(self, state: Mapping[str, Any], prefix: str) -> int | None:
        shape = _shape_of(state, prefix + "weight")
        return None if shape is None or len(shape) != 2 else shape[1]

    def _initialize(self, n: int) -> None:
        self.in_features = n
        cast(UninitializedParameter, self.weight).materialize((self.out_features, n))
        if self.bias is not None:
            cast(UninitializedParameter, self.bias).materialize((self.out_features,))
        Linear.reset_parameters(self)


class _LazyConv(_Lazy):
    in_channels: int
    out_channels: int
    groups: int
    kernel_size: Any
    weight: Any
    bias: Any
    _spatial: ClassVar[int]

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        # the plain convolution's checks and attributes, with one input channel per group (the
        # lazy reset_parameters draws nothing); then uninitialised parameters
        base = self.cls_to_become
        if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
            raise ValueError(f"{base.__name__}(): groups must be a positive int; got {groups!r}")
        if isinstance(out_channels, int) and out_channels % groups:
            raise ValueError(
                f"Lazy{base.__name__}(): out_channels ({out_channels}) must be divisible by "
                f"groups ({groups})"
            )
        cast(Any, base).__init__(
            self, groups, out_channels, kernel_size, stride, padding, dilation, groups, bias,
            padding_mode, device, dtype,
        )  # fmt: skip
        self.in_channels = 0
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def _size_of(self, input: Tensor) -> int:
        if input.ndim not in (self._spatial + 1, self._spatial + 2):
            raise ValueError(
                f"{type(self).__name__}: expected a {self._spatial + 1}-D (unbatched) or "
                f"{self._spatial + 2}-D (batched) input; got {input.ndim}-D, shape "
                f"{tuple(input.shape)}"
            )
        batched = input.ndim == self._spatial + 2
        return _count(type(self).__name__, input.shape[1 if batched else 0])

    def _size_in(self, state: Mapping[str, Any], prefix: str) -> int | None:
        shape = _shape_of(state, prefix + "weight")
        return None if shape is None or len(shape) != self._spatial + 2 else shape[1] * self.groups

    def _initialize(self, n: int) -> None:
        if n % self.groups:
            raise ValueError(
                f"{type(self).__name__}(): in_channels ({n}, from the input) must be divisible "
                f"by groups ({self.groups})"
            )
        self.in_channels = n
        self.weight.materialize((self.out_channels, n // self.groups, *self.kernel_size))
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.cls_to_become.reset_parameters(self)  # type: ignore[attr-defined]


class LazyConv2d(_LazyConv, Conv2d):
    """``Conv2d`` whose ``in_channels`` is read from its first input (dimension 1, or 0 for
    an unbatched one).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> conv = nn.LazyConv2d(6, kernel_size=5, padding=2)
    >>> conv(pt.rand(1, 1, 28, 28)).shape, conv.weight.shape
    ((1, 6, 28, 28), (6, 1, 5, 5))
    """

    cls_to_become = Conv2d
    _spatial = 2


class LazyConv1d(_LazyConv, Conv1d):
    """``Conv1d`` whose ``in_channels`` is read from its first input.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.LazyConv1d(4, 3)(pt.rand(2, 5, 10)).shape
    (2, 4, 8)
    """

    cls_to_become = Conv1d
    _spatial = 1


class _LazyBatchNorm(_Lazy):
    num_features: int
    affine: bool
    track_running_stats: bool
    weight: Any
    bias: Any

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        cast(Any, self.cls_to_become).__init__(
            self, 0, eps, momentum, affine, track_running_stats, device, dtype
        )
        if self.affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if self.bias is not None:
                self.bias = UninitializedParameter(device=device, dtype=dtype)

    def _size_of(self, input: Tensor) -> int:
        if input.ndim < 2:
            raise ValueError(
                f"{type(self).__name__}: expected an input of at least 2 dimensions (N, C, ...); "
                f"got shape {tuple(input.shape)}"
            )
        return _count(type(self).__name__, input.shape[1])

    def _size_in(self, state: Mapping[str, Any], prefix: str) -> int | None:
        for name in ("weight", "running_mean"):
            shape = _shape_of(state, prefix + name)
            if shape is not None and len(shape) == 1 and shape[0] > 0:  # (not uninitialized)
                return shape[0]
        return None

    def _initialize(self, n: int) -> None:
        self.num_features = n
        if self.affine:
            self.weight.materialize((n,))
            if self.bias is not None:
                self.bias.materialize((n,))
        if self.track_running_stats:
            like: Any = getattr(self, "running_mean")  # noqa: B009  (its dtype and device)
            self.running_mean = zeros((n,), dtype=like.dtype, device=like.device)
            self.running_var = ones((n,), dtype=like.dtype, device=like.device)
        _BatchNorm.reset_parameters(self)  # type: ignore[arg-type]


class LazyBatchNorm1d(_LazyBatchNorm, BatchNorm1d):
    """``BatchNorm1d`` whose ``num_features`` is read from its first input (dimension 1).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> bn = nn.LazyBatchNorm1d()
    >>> bn(pt.rand(4, 3)).shape, bn.running_mean.shape
    ((4, 3), (3,))
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm, BatchNorm2d):
    """``BatchNorm2d`` whose ``num_features`` is read from its first input (dimension 1).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> bn = nn.LazyBatchNorm2d()
    >>> bn(pt.rand(2, 3, 4, 4)).shape, bn.weight.shape
    ((2, 3, 4, 4), (3,))
    """

    cls_to_become = BatchNorm2d
