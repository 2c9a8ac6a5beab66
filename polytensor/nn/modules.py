"""Layers, containers and losses, as in ``torch.nn``."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Self

from .._dtypes import int64
from .._ops.creation import empty, ones, zeros
from .._ops.manipulation import reshape
from .._tensor import Tensor
from ..autograd import no_grad
from . import functional as F
from . import init
from .module import Module, _addindent
from .parameter import Parameter

__all__ = [
    "ELU",
    "GELU",
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "Flatten",
    "Hardtanh",
    "Identity",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "MaxPool1d",
    "MaxPool2d",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "ParameterDict",
    "ParameterList",
    "ReLU",
    "ReLU6",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softmin",
    "Softplus",
    "Tanh",
]


# -- containers -----------------------------------------------------------------------------------
class Sequential(Module):
    """Modules applied one after the other.

    Built from modules (named ``'0'``, ``'1'``, ...) or from an ordered dict of named ones.
    Supports ``len``, iteration, indexing (a slice gives a ``Sequential``) and ``append``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> model(pt.ones((3, 4))).shape
    (3, 2)
    >>> model
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Linear(in_features=8, out_features=2, bias=True)
    )
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(m for m in self._modules.values() if m is not None)

    def _key(self, idx: int) -> str:
        n = len(self)
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of range for a Sequential of length {n}")
        return list(self._modules)[idx % n]

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._key(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(self._key(idx), module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)[idx] if isinstance(idx, slice) else [self._key(idx)]
        for k in keys:
            del self._modules[k]
        # the rest renumbered 0, 1, ..., as PyTorch's: a later append() then takes a free key
        # (it would replace a module), and state_dict() has PyTorch's keys
        _renumber(self, list(self._modules.values()))

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end; returns self.

        Examples
        --------
        >>> from polytensor import nn
        >>> len(nn.Sequential(nn.ReLU()).append(nn.Tanh()))
        2
        """
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert ``module`` before position ``index``; returns self.

        Examples
        --------
        >>> from polytensor import nn
        >>> [type(m).__name__ for m in nn.Sequential(nn.ReLU()).insert(0, nn.Tanh())]
        ['Tanh', 'ReLU']
        """
        _insert(self, "Sequential", index, module)
        return self

    def extend(self, sequential: Iterable[Module]) -> Sequential:
        """Append every module of ``sequential``; returns self.

        Examples
        --------
        >>> from polytensor import nn
        >>> len(nn.Sequential(nn.ReLU()).extend([nn.Tanh(), nn.ReLU()]))
        3
        """
        for m in sequential:
            self.append(m)
        return self

    def pop(self, key: int | slice) -> Any:
        """Remove the module at ``key`` (the rest renumbered) and return it.

        Examples
        --------
        >>> from polytensor import nn
        >>> s = nn.Sequential(nn.ReLU(), nn.Tanh()); s.pop(0), len(s)
        (ReLU(), 1)
        """
        v = self[key]
        del self[key]
        return v

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(  # noqa: TRY004 - PyTorch's class for it
                f"add operator supports only objects of Sequential class, but "
                f"{type(other).__name__} is given."
            )
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Self:
        if not isinstance(other, Sequential):
            raise ValueError(  # noqa: TRY004 - PyTorch's class for it
                f"add operator supports only objects of Sequential class, but "
                f"{type(other).__name__} is given."
            )
        self.extend(list(other))
        return self

    def forward(self, input: Any) -> Any:
        for module in self:
            input = module(input)
        return input


def _renumber(owner: Module, modules: list[Module | None]) -> None:
    """``owner``'s submodules set to ``modules``, keyed 0, 1, ... (PyTorch's numbering)."""
    owner._modules.clear()
    owner._modules.update((str(i), m) for i, m in enumerate(modules))


def _insert(owner: Module, name: str, index: int, module: Module) -> None:
    if not isinstance(module, Module):
        raise TypeError(f"{name}.insert() takes a Module; got {type(module).__name__}")
    mods: list[Module | None] = list(owner._modules.values())
    n = len(mods)
    if not -n <= index <= n:
        raise IndexError(f"Index out of range: {index}")
    mods.insert(index, module)  # (a negative index counts from the end, as PyTorch's)
    _renumber(owner, mods)


class ModuleDict(Module):
    """A dict of modules, registered under their keys so that their parameters belong to the
    owner (PyTorch's ``nn.ModuleDict``; keys kept in insertion order).

    Examples
    --------
    >>> from polytensor import nn
    >>> heads = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.ReLU()})
    >>> list(heads), len(list(heads.parameters())), type(heads["b"]).__name__
    (['a', 'b'], 2, 'ReLU')
    """

    def __init__(self, modules: Any = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        m = self._modules.get(key)
        if m is None and key not in self._modules:
            raise KeyError(key)
        return m  # type: ignore[return-value]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Any:
        """The keys, in order.

        Examples
        --------
        >>> from polytensor import nn
        >>> list(nn.ModuleDict({"x": nn.ReLU()}).keys())
        ['x']
        """
        return self._modules.keys()

    def values(self) -> Any:
        """The modules, in order.

        Examples
        --------
        >>> from polytensor import nn
        >>> [type(m).__name__ for m in nn.ModuleDict({"x": nn.ReLU()}).values()]
        ['ReLU']
        """
        return self._modules.values()

    def items(self) -> Any:
        """(key, module) pairs, in order.

        Examples
        --------
        >>> from polytensor import nn
        >>> [k for k, _ in nn.ModuleDict({"x": nn.ReLU()}).items()]
        ['x']
        """
        return self._modules.items()

    def update(self, modules: Any) -> None:
        """Add the modules of a mapping or of an iterable of (key, module) pairs.

        Examples
        --------
        >>> from polytensor import nn
        >>> d = nn.ModuleDict(); d.update([("x", nn.ReLU())]); list(d)
        ['x']
        """
        pairs = modules.items() if hasattr(modules, "items") else modules
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(
                    f"ModuleDict.update() expects a mapping or (key, module) pairs; got "
                    f"{type(pair).__name__} {pair!r}"
                )
            self[pair[0]] = pair[1]

    def pop(self, key: str) -> Module:
        """Remove the module under ``key`` and return it.

        Examples
        --------
        >>> from polytensor import nn
        >>> d = nn.ModuleDict({"x": nn.ReLU()}); _ = d.pop("x"); len(d)
        0
        """
        m = self[key]
        del self[key]
        return m

    def clear(self) -> None:
        """Remove every module.

        Examples
        --------
        >>> from polytensor import nn
        >>> d = nn.ModuleDict({"x": nn.ReLU()}); d.clear(); len(d)
        0
        """
        self._modules.clear()


def _as_parameter(value: Any) -> Any:
    """``value`` as a parameter: a Parameter or None as it is, a tensor wrapped (as PyTorch's
    ParameterList and ParameterDict wrap one)."""
    if value is None or isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(
        f"expected a Parameter or a Tensor (wrapped as a Parameter); got {type(value).__name__}"
    )


class ParameterList(Module):
    """A list of parameters, registered so that they belong to the owner (PyTorch's
    ``nn.ParameterList``; a plain tensor given is wrapped as a ``Parameter``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> ps = nn.ParameterList([nn.Parameter(pt.ones(2)), pt.zeros(3)])
    >>> len(ps), [p.shape for p in ps], ps[1].requires_grad
    (2, [(2,), (3,)], True)
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._parameters.values())

    def __getitem__(self, idx: int | slice) -> Any:
        values = list(self._parameters.values())
        if isinstance(idx, slice):
            return ParameterList(values[idx])
        return values[idx]

    def __setitem__(self, idx: int, value: Any) -> None:
        key = list(self._parameters)[idx]
        self.register_parameter(key, _as_parameter(value))

    def append(self, value: Any) -> ParameterList:
        """Add ``value`` at the end; returns self.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> len(nn.ParameterList().append(pt.ones(1)))
        1
        """
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        """Add every value of ``values`` at the end; returns self.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> len(nn.ParameterList().extend([pt.ones(1), pt.ones(2)]))
        2
        """
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        """One line per parameter, as PyTorch's ``ParameterList`` prints them.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> print(nn.ParameterList([pt.ones(2), pt.zeros(3, 4)]))
        ParameterList(
            (0): Parameter containing: [polytensor.float32 of size 2]
            (1): Parameter containing: [polytensor.float32 of size 3x4]
        )
        """
        return _parameter_lines(enumerate(self), lambda p: str(p.dtype))


def _parameter_lines(items: Iterable[tuple[Any, Any]], kind: Callable[[Any], str]) -> str:
    """``ParameterList``'s and ``ParameterDict``'s lines: ``(key): Parameter containing:
    [<kind> of size AxB]``, as PyTorch's (``kind``: the dtype, or the legacy type name)."""
    return "\n".join(
        f"  ({k}): {'Parameter' if isinstance(p, Parameter) else 'Tensor'} containing: "
        f"[{kind(p)} of size {'x'.join(str(s) for s in p.shape)}]"
        for k, p in items
    )


class ParameterDict(Module):
    """A dict of parameters, registered under their keys (PyTorch's ``nn.ParameterDict``; a
    plain tensor given is wrapped as a ``Parameter``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> ps = nn.ParameterDict({"scale": pt.ones(1)})
    >>> list(ps), [n for n, _ in ps.named_parameters()]
    (['scale'], ['scale'])
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        if key not in self._parameters:
            raise KeyError(key)
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._parameters[key]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Any:
        """The keys, in order.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> list(nn.ParameterDict({"w": pt.ones(1)}).keys())
        ['w']
        """
        return self._parameters.keys()

    def values(self) -> Any:
        """The parameters, in order.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> [p.shape for p in nn.ParameterDict({"w": pt.ones(1)}).values()]
        [(1,)]
        """
        return self._parameters.values()

    def items(self) -> Any:
        """(key, parameter) pairs, in order.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> [k for k, _ in nn.ParameterDict({"w": pt.ones(1)}).items()]
        ['w']
        """
        return self._parameters.items()

    def update(self, parameters: Any) -> None:
        """Add the parameters of a mapping or of an iterable of (key, value) pairs.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> d = nn.ParameterDict(); d.update([("w", pt.ones(1))]); list(d)
        ['w']
        """
        pairs = parameters.items() if hasattr(parameters, "items") else parameters
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(
                    f"ParameterDict.update() expects a mapping or (key, value) pairs; got "
                    f"{type(pair).__name__} {pair!r}"
                )
            self[pair[0]] = pair[1]

    def extra_repr(self) -> str:
        """One line per parameter, as PyTorch's ``ParameterDict`` prints them (the legacy
        type name, ``torch.FloatTensor``, where its list prints the dtype).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> print(nn.ParameterDict({"w": pt.ones(2, 2), "b": pt.ones(2)}))
        ParameterDict(
            (w): Parameter containing: [torch.FloatTensor of size 2x2]
            (b): Parameter containing: [torch.FloatTensor of size 2]
        )
        """
        return _parameter_lines(self.items(), lambda p: str(p.type()))


class ModuleList(Module):
    """A list of modules, registered so that their parameters belong to the owner.

    Examples
    --------
    >>> from polytensor import nn
    >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> len(layers), len(list(layers.parameters()))
    (3, 6)
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(m for m in self._modules.values() if m is not None)

    def __getitem__(self, idx: int | slice) -> Any:
        mods = list(self._modules.values())
        if isinstance(idx, slice):
            return ModuleList([m for m in mods[idx] if m is not None])
        return mods[idx]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[idx]
        self.add_module(key, module)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns self.

        Examples
        --------
        >>> from polytensor import nn
        >>> len(nn.ModuleList().append(nn.ReLU()))
        1
        """
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add every module of ``modules`` at the end; returns self.

        Examples
        --------
        >>> from polytensor import nn
        >>> len(nn.ModuleList().extend([nn.ReLU(), nn.Tanh()]))
        2
        """
        for m in modules:
            self.append(m)
        return self

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)
        for k in keys[idx] if isinstance(idx, slice) else [keys[idx]]:
            del self._modules[k]
        _renumber(self, list(self._modules.values()))  # (PyTorch's numbering)

    def __repr__(self) -> str:
        """PyTorch's ``repr`` of a module list: a run of modules that print alike is one entry,
        ``(0-5): 6 x TransformerEncoderLayer(...)``.

        Examples
        --------
        >>> from polytensor import nn
        >>> print(nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()]))
        ModuleList(
          (0-1): 2 x ReLU()
          (2): Tanh()
        )
        """
        runs: list[tuple[int, int, str]] = []  # (first, last, repr) of each run
        for i, module in enumerate(self):
            text = repr(module)
            if runs and runs[-1][2] == text:
                runs[-1] = (runs[-1][0], i, text)
            else:
                runs.append((i, i, text))
        if not runs:
            return type(self).__name__ + "()"
        lines = [
            _addindent(
                f"({a}): {text}" if a == b else f"({a}-{b}): {b - a + 1} x {text}",
                2,
            )
            for a, b, text in runs
        ]
        return type(self).__name__ + "(\n  " + "\n  ".join(lines) + "\n)"

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``.

        Examples
        --------
        >>> from polytensor import nn
        >>> ms = nn.ModuleList([nn.ReLU()]); ms.insert(0, nn.Tanh()); type(ms[0]).__name__
        'Tanh'
        """
        _insert(self, "ModuleList", index, module)

    def pop(self, key: int | slice) -> Any:
        """Remove the module at ``key`` (the rest renumbered) and return it.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.ModuleList([nn.ReLU(), nn.Tanh()]).pop(1)
        Tanh()
        """
        v = self[key]
        del self[key]
        return v

    def __iadd__(self, modules: Iterable[Module]) -> Self:
        self.extend(modules)
        return self

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])


# -- layers ---------------------------------------------------------------------------------------
class Identity(Module):
    """Returns its input.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Identity()(pt.ones(2))
    tensor([1., 1.], backend='numpy')
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


class LayerNorm(Module):
    """Layer normalisation over the last dimensions, ``normalized_shape``, with a learned
    per-element scale (ones) and shift (zeros), as ``torch.nn.LayerNorm``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> ln = nn.LayerNorm(4); ln
    LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
    >>> ln(pt.ones((2, 4))).shape
    (2, 4)
    """

    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(empty(self.normalized_shape, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Scale ones, shift zeros, as PyTorch's."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class _BatchNorm(Module):
    """Batch normalisation over dimension 1 with running statistics (buffers) and a learned
    per-channel scale and shift, as PyTorch's ``BatchNorm1d``/``BatchNorm2d``."""

    _dims: tuple[int, ...] = ()
    # (a checkpoint without it loads, keeping the current count, as PyTorch's)
    _optional_state = frozenset(("num_batches_tracked",))

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(empty((num_features,), dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(empty((num_features,), dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros((num_features,), dtype=dtype, device=device))
            self.register_buffer("running_var", ones((num_features,), dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", zeros((), dtype=int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean zeros, running variance ones, no batch counted."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1.0)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """The running statistics reset; scale ones and shift zeros, as PyTorch's."""
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in self._dims:
            raise ValueError(
                f"expected {' or '.join(f'{d}D' for d in self._dims)} input (got {input.ndim}D "
                f"input)"
            )
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:  # a cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.item())
        use_batch = self.training or not self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if not self.training or self.track_running_stats else None,
            self.running_var if not self.training or self.track_running_stats else None,
            self.weight,
            self.bias,
            use_batch,
            momentum,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, as ``torch.nn.BatchNorm1d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> bn = nn.BatchNorm1d(3); bn
    BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> [round(v, 4) for v in bn(pt.asarray([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])).tolist()[0]]
    [-1.0, 0.0, 1.0]
    """

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, as ``torch.nn.BatchNorm2d``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.BatchNorm2d(2)(pt.ones((4, 2, 3, 3))).shape
    (4, 2, 3, 3)
    """

    _dims = (4,)


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of ``embedding_dim`` learned entries, looked up
    by integer ids, as ``torch.nn.Embedding`` (drawn from N(0, 1); the ``padding_idx`` row
    zeros, and it gets no gradient).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> emb = nn.Embedding(10, 3, padding_idx=0); emb
    Embedding(10, 3, padding_idx=0)
    >>> emb(pt.asarray([[1, 2], [0, 9]])).shape
    (2, 2, 3)
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError("Padding_idx must be within num_embeddings")
            if padding_idx < 0:
                padding_idx += num_embeddings
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = Parameter(
                empty((num_embeddings, embedding_dim), dtype=dtype, device=device),
                requires_grad=not _freeze,
            )
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """N(0, 1) entries, the ``padding_idx`` row zeros, as PyTorch's."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        if self.sparse:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose table is ``embeddings`` (2-D), frozen unless ``freeze=False``,
        as ``torch.nn.Embedding.from_pretrained``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> emb = nn.Embedding.from_pretrained(pt.asarray([[1.0, 2.0], [3.0, 4.0]]))
        >>> emb(pt.asarray([1])).tolist(), emb.weight.requires_grad
        ([[3.0, 4.0]], False)
        """
        if embeddings.ndim != 2:
            raise ValueError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(
            int(rows or 0),
            int(cols or 0),
            _weight=embeddings,
            _freeze=freeze,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
        )


class Linear(Module):
    """``y = x @ weight.T + bias``, with PyTorch's default initialisation.

    ``weight`` (out_features, in_features) is drawn by ``kaiming_uniform_(a=sqrt(5))``, i.e.
    U(-1/sqrt(in_features), 1/sqrt(in_features)), and ``bias`` from the same range.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool, default True
    device : optional
        Backend or device of the parameters (default: the current backend).
    dtype : optional
        Floating dtype of the parameters (default: the default float dtype).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> fc = nn.Linear(3, 2)
    >>> fc.weight.shape, fc.bias.shape, fc(pt.ones((5, 3))).shape
    ((2, 3), (2,), (5, 2))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty((out_features,), dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights with PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


def check_channels(where: str, in_channels: Any, out_channels: Any, groups: Any) -> None:
    """A convolution's channel counts, checked as PyTorch's constructors check them: positive
    ints, both divisible by ``groups`` (a positive int); ``where`` names the layer.

    Examples
    --------
    >>> from polytensor.nn.modules import check_channels
    >>> check_channels("Conv2d", 4, 6, 2)
    >>> try:
    ...     check_channels("Conv2d", 4, 6, 4)
    ... except ValueError as e:
    ...     print(str(e).split(" and ")[1])
    out_channels (6) must be divisible by groups (4), a positive int
    """
    for name, v in (("in_channels", in_channels), ("out_channels", out_channels)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise (ValueError if isinstance(v, int) else TypeError)(
                f"{where}(): {name} must be a positive int; got {v!r}"
            )
    if isinstance(groups, bool) or not isinstance(groups, int):
        raise TypeError(f"{where}(): groups must be an int; got {groups!r}")
    if groups < 1 or in_channels % groups or out_channels % groups:
        raise ValueError(
            f"{where}(): in_channels ({in_channels}) and out_channels ({out_channels}) "
            f"must be divisible by groups ({groups}), a positive int"
        )


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def padding_mode_amounts(
    where: str, padding_mode: str, padding: Any, kernel_size: Any, dilation: Any
) -> tuple[int, ...]:
    """``F.pad``'s amounts (the last dimension first, each side twice) that a convolution with
    ``padding_mode`` other than ``'zeros'`` pads its input with before convolving without
    padding, as PyTorch's ``_reversed_padding_repeated_twice``: ``padding`` per dimension, or
    for ``'same'`` ``dilation * (kernel_size - 1)`` split with the extra one on the right.
    ``padding_mode`` is checked; ``where`` names the layer.

    Examples
    --------
    >>> from polytensor.nn.modules import padding_mode_amounts
    >>> padding_mode_amounts("Conv2d", "reflect", (1, 2), (3, 3), (1, 1))
    (2, 2, 1, 1)
    >>> padding_mode_amounts("Conv1d", "replicate", "same", (4,), (1,))
    (1, 2)
    """
    if padding_mode not in PADDING_MODES:
        raise ValueError(
            f"{where}(): padding_mode must be one of {list(PADDING_MODES)}, but got "
            f"padding_mode={padding_mode!r}"
        )
    if isinstance(padding, str):
        totals = [
            0 if padding == "valid" else d * (k - 1)
            for d, k in zip(dilation, kernel_size, strict=True)
        ]
        sides = [(t // 2, t - t // 2) for t in totals]
    else:
        sides = [(p, p) for p in padding]
    return tuple(v for side in reversed(sides) for v in side)


def padded_conv(layer: Any, conv: Callable[..., Tensor], input: Tensor) -> Tensor:
    """``layer``'s convolution ``conv`` (``F.conv2d``) of ``input``, padded first with
    ``F.pad`` in the layer's ``padding_mode`` where that is not ``'zeros'`` (its amounts from
    ``padding_mode_amounts``), as PyTorch's ``_conv_forward``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> from polytensor.nn import functional as F
    >>> conv = nn.Conv1d(1, 1, 3, padding=1, padding_mode="circular")
    >>> from polytensor.nn.modules import padded_conv
    >>> padded_conv(conv, F.conv1d, pt.ones((1, 1, 4))).shape
    (1, 1, 4)
    """
    if layer.padding_mode != "zeros":
        return conv(
            F.pad(input, layer._pad_amounts, mode=layer.padding_mode),
            layer.weight,
            layer.bias,
            layer.stride,
            0,
            layer.dilation,
            layer.groups,
        )
    return conv(
        input, layer.weight, layer.bias, layer.stride, layer.padding, layer.dilation, layer.groups
    )


class Conv2d(Module):
    """2-D convolution (cross-correlation) over (N, C, H, W) inputs, as ``torch.nn.Conv2d``.

    Weights have shape (out_channels, in_channels / groups, kH, kW) and PyTorch's default
    initialisation (``kaiming_uniform_(a=sqrt(5))``, bias from U(-1/sqrt(fan_in),
    1/sqrt(fan_in))). ``padding_mode`` ``'reflect'``, ``'replicate'`` or ``'circular'`` pads
    the input with ``F.pad`` before convolving, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> conv = nn.Conv2d(1, 16, 3, padding=1)
    >>> conv(pt.ones((64, 1, 8, 8))).shape
    (64, 16, 8, 8)
    >>> conv
    Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    """

    def __init__(
        self,
        in_channels: int,
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
        super().__init__()
        check_channels("Conv2d", in_channels, out_channels, groups)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"Conv2d(): padding={padding!r}; expected 'valid', 'same', an "
                    f"int or a pair of ints"
                )
            pad: Any = padding
        else:
            pad = F._pair(padding, "padding", "Conv2d")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = F._pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = F._pair(stride, "stride", "Conv2d")
        self.padding = pad
        self.dilation = F._pair(dilation, "dilation", "Conv2d")
        self.groups = groups
        self.padding_mode = padding_mode
        self._pad_amounts = padding_mode_amounts(
            "Conv2d", padding_mode, pad, self.kernel_size, self.dilation
        )
        if pad == "same" and self.stride != (1, 1):
            raise ValueError("Conv2d(): padding='same' is not supported for strided convolutions")
        kh, kw = self.kernel_size
        self.weight = Parameter(
            empty((out_channels, in_channels // groups, kh, kw), dtype=dtype, device=device)
        )
        if bias:
            self.bias = Parameter(empty((out_channels,), dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights with PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = (self.in_channels // self.groups) * self.kernel_size[0] * self.kernel_size[1]
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return padded_conv(self, F.conv2d, input)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0):
            s += f", padding={self.padding}"  # (a string unquoted, as PyTorch shows it)
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class MaxPool2d(Module):
    """2-D max pooling, as ``torch.nn.MaxPool2d`` (``stride`` defaults to ``kernel_size``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.MaxPool2d(2)(pt.ones((1, 3, 8, 8))).shape
    (1, 3, 4, 4)
    >>> nn.MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    """

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return F.max_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool2d(Module):
    """2-D average pooling, as ``torch.nn.AvgPool2d`` (``stride`` defaults to
    ``kernel_size``); ``F.avg_pool2d`` says how each window is divided.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.AvgPool2d(2)(pt.ones((1, 3, 8, 8))).shape
    (1, 3, 4, 4)
    >>> nn.AvgPool2d(2)
    AvgPool2d(kernel_size=2, stride=2, padding=0)
    """

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool1d(Module):
    """1-D max pooling, as ``torch.nn.MaxPool1d`` (``stride`` defaults to ``kernel_size``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.MaxPool1d(2)(pt.ones((1, 3, 8))).shape
    (1, 3, 4)
    >>> nn.MaxPool1d(2)
    MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    """

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return F.max_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class AvgPool1d(Module):
    """1-D average pooling, as ``torch.nn.AvgPool1d`` (``stride`` defaults to
    ``kernel_size``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.AvgPool1d(2)(pt.ones((1, 3, 8))).shape
    (1, 3, 4)
    >>> nn.AvgPool1d(2)
    AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    """

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        k = F._single(kernel_size, "kernel_size", "AvgPool1d")
        self.kernel_size = (k,)
        self.stride = (k if stride is None else F._single(stride, "stride", "AvgPool1d"),)
        self.padding = (F._single(padding, "padding", "AvgPool1d"),)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """2-D adaptive average pooling to ``output_size``, as ``torch.nn.AdaptiveAvgPool2d``
    (``F.adaptive_avg_pool2d``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.AdaptiveAvgPool2d((1, 1))(pt.ones((2, 3, 7, 7))).shape
    (2, 3, 1, 1)
    >>> nn.AdaptiveAvgPool2d(5)
    AdaptiveAvgPool2d(output_size=5)
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(Module):
    """1-D adaptive average pooling to ``output_size``, as ``torch.nn.AdaptiveAvgPool1d``
    (``F.adaptive_avg_pool1d``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.AdaptiveAvgPool1d(1)(pt.ones((2, 3, 7))).shape
    (2, 3, 1)
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class CosineSimilarity(Module):
    """The cosine similarity of two inputs along ``dim``, as ``torch.nn.CosineSimilarity``
    (``F.cosine_similarity``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.CosineSimilarity(dim=0)(pt.tensor([1.0, 0.0]), pt.tensor([0.0, 2.0]))
    tensor(0., backend='numpy')
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class Conv1d(Module):
    """1-D convolution (cross-correlation) over (N, C, L) inputs, as ``torch.nn.Conv1d``.

    Weights have shape (out_channels, in_channels / groups, k) and PyTorch's default
    initialisation (``kaiming_uniform_(a=sqrt(5))``, bias from U(-1/sqrt(fan_in),
    1/sqrt(fan_in))). ``padding_mode`` ``'reflect'``, ``'replicate'`` or ``'circular'`` pads
    the input with ``F.pad`` before convolving, as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> conv = nn.Conv1d(4, 8, 3, padding=1)
    >>> conv(pt.ones((2, 4, 10))).shape
    (2, 8, 10)
    >>> conv
    Conv1d(4, 8, kernel_size=(3,), stride=(1,), padding=(1,))
    """

    def __init__(
        self,
        in_channels: int,
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
        super().__init__()
        check_channels("Conv1d", in_channels, out_channels, groups)
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(
                    f"Conv1d(): padding={padding!r}; expected 'valid', 'same', an int or a "
                    f"1-tuple of an int"
                )
            pad: Any = padding
        else:
            pad = (F._single(padding, "padding"),)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = (F._single(kernel_size, "kernel_size"),)
        self.stride = (F._single(stride, "stride"),)
        self.padding = pad
        self.dilation = (F._single(dilation, "dilation"),)
        self.groups = groups
        self.padding_mode = padding_mode
        self._pad_amounts = padding_mode_amounts(
            "Conv1d", padding_mode, pad, self.kernel_size, self.dilation
        )
        if pad == "same" and self.stride != (1,):
            raise ValueError("Conv1d(): padding='same' is not supported for strided convolutions")
        self.weight = Parameter(
            empty(
                (out_channels, in_channels // groups, self.kernel_size[0]),
                dtype=dtype,
                device=device,
            )
        )
        if bias:
            self.bias = Parameter(empty((out_channels,), dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the weights with PyTorch's default initialisation."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = (self.in_channels // self.groups) * self.kernel_size[0]
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return padded_conv(self, F.conv1d, input)

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,):
            s += f", padding={self.padding}"  # (a string unquoted, as PyTorch shows it)
        if self.dilation != (1,):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Flatten(Module):
    """Flatten dimensions ``start_dim`` to ``end_dim`` into one.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Flatten()(pt.ones((2, 3, 4, 5))).shape
    (2, 60)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        for name, d in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(d, bool) or not isinstance(d, int):
                raise TypeError(f"Flatten(): {name} must be an int; got {d!r}")
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(
                f"Flatten() expects a polytensor Tensor; got {type(input).__name__}; convert "
                f"it with pt.asarray(...)"
            )
        shape = tuple(input.shape)
        nd = max(len(shape), 1)
        start, end = self.start_dim % nd, self.end_dim % nd
        if start > end:
            raise ValueError(
                f"Flatten(): start_dim {self.start_dim} comes after end_dim "
                f"{self.end_dim} for a {len(shape)}-D input"
            )
        if not shape:
            return reshape(input, (1,))
        return reshape(input, shape[:start] + (-1,) + shape[end + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """During training, zero elements with probability ``p`` and scale the others by
    ``1 / (1 - p)``; the identity in evaluation mode.

    Masks come from polytensor's default generator (seeded by ``pt.manual_seed``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> _ = nn.init.manual_seed(0)
    >>> drop = nn.Dropout(0.5)
    >>> y = drop(pt.ones(1000))
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    >>> drop.eval()(pt.ones(2))
    tensor([1., 1.], backend='numpy')
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(
                f"Dropout(): dropout probability has to be between 0 and 1, but got {p!r}"
            )
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


# -- activations ----------------------------------------------------------------------------------
class ReLU(Module):
    """max(x, 0) element-wise.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ReLU()(pt.asarray([-1.0, 2.0]))
    tensor([0., 2.], backend='numpy')
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x where x > 0, else ``negative_slope * x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.LeakyReLU(0.5)(pt.asarray([-2.0, 2.0]))
    tensor([-1.,  2.], backend='numpy')
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x where x > 0, else ``alpha * (exp(x) - 1)`` (``F.elu``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ELU()(pt.asarray([0.0, 2.0]))
    tensor([0., 2.], backend='numpy')
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Hardtanh(Module):
    """x clipped to ``[min_val, max_val]`` (``F.hardtanh``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Hardtanh()(pt.asarray([-2.0, 2.0]))
    tensor([-1.,  1.], backend='numpy')
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else ""
        )


class ReLU6(Hardtanh):
    """x clipped to ``[0, 6]`` (``F.relu6``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.ReLU6()(pt.asarray([-2.0, 8.0]))
    tensor([0., 6.], backend='numpy')
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LogSigmoid(Module):
    """log(sigmoid(x)) (``F.logsigmoid``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.LogSigmoid()(pt.asarray([0.0]))
    tensor([-0.6931472], backend='numpy')
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Softmin(Module):
    """Softmax of ``-x`` along ``dim`` (``F.softmin``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Softmin(dim=1)(pt.zeros((1, 2)))
    tensor([[0.5, 0.5]], backend='numpy')
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class SiLU(Module):
    """SiLU (swish), ``x * sigmoid(x)`` (``F.silu``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.SiLU()(pt.zeros(2))
    tensor([0., 0.], backend='numpy')
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class GELU(Module):
    """GELU, exact or with ``approximate="tanh"`` (``F.gelu``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.GELU()(pt.zeros(2))
    tensor([0., 0.], backend='numpy')
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """Softplus, ``log(1 + exp(beta * x)) / beta``, linear above ``threshold`` (``F.softplus``).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Softplus()(pt.asarray([30.0]))
    tensor([30.], backend='numpy')
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Tanh(Module):
    """Hyperbolic tangent element-wise.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Tanh()(pt.zeros(2))
    tensor([0., 0.], backend='numpy')
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Sigmoid(Module):
    """1 / (1 + exp(-x)) element-wise.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Sigmoid()(pt.zeros(2))
    tensor([0.5, 0.5], backend='numpy')
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Softmax(Module):
    """Softmax along ``dim``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.Softmax(dim=1)(pt.zeros((1, 2)))
    tensor([[0.5, 0.5]], backend='numpy')
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """Log-softmax along ``dim``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.LogSoftmax(dim=1)(pt.zeros((1, 1)))
    tensor([[0.]], backend='numpy')
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


# -- losses ---------------------------------------------------------------------------------------
class _WeightedLoss(Module):
    def __init__(self, weight: Tensor | None, reduction: str) -> None:
        super().__init__()
        self.register_buffer("weight", weight)
        self.reduction = reduction


class CrossEntropyLoss(_WeightedLoss):
    """Cross entropy of logits and class indices (or probabilities); see
    ``nn.functional.cross_entropy``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> loss = nn.CrossEntropyLoss()(pt.zeros((2, 4)), pt.asarray([1, 3]))
    >>> round(float(loss), 4)
    1.3863
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices given log-probabilities; see
    ``nn.functional.nll_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.NLLLoss()(pt.asarray([[-1.0, -2.0]]), pt.asarray([1]))
    tensor(2., backend='numpy')
    """

    def __init__(
        self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class MSELoss(Module):
    """Mean squared error; see ``nn.functional.mse_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.MSELoss()(pt.zeros(2), pt.ones(2))
    tensor(1., backend='numpy')
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(Module):
    """Mean absolute error; see ``nn.functional.l1_loss``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> nn.L1Loss()(pt.zeros(2), pt.ones(2))
    tensor(1., backend='numpy')
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)
