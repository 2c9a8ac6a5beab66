"""PyTorch's ``torch.nn.utils.parametrize``: a module's parameter or buffer computed from
other tensors by small modules each time it is read.

``register_parametrization(module, "weight", P)`` moves ``module.weight`` to
``module.parametrizations.weight.original`` (or ``original0``, ``original1``... when ``P``'s
``right_inverse`` returns several tensors) and makes ``module.weight`` a property that returns
``P(original)``; assigning to it goes through ``right_inverse``. The state dict's keys are
PyTorch's (``parametrizations.weight.original``), so checkpoints load in either library.

Examples
--------
>>> import polytensor as pt
>>> from polytensor import nn
>>> from polytensor.nn.utils import parametrize
>>> class Symmetric(nn.Module):
...     def forward(self, x):
...         return x.triu() + x.triu(1).mT
>>> lin = nn.Linear(3, 3)
>>> _ = parametrize.register_parametrization(lin, "weight", Symmetric())
>>> bool((lin.weight == lin.weight.mT).all()), list(lin.state_dict())
(True, ['bias', 'parametrizations.weight.original'])
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from ..._tensor import Tensor
from ...autograd import no_grad
from ..module import Module
from ..modules import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = [
    "ParametrizationList",
    "cached",
    "is_parametrized",
    "register_parametrization",
    "remove_parametrizations",
    "type_before_parametrizations",
]


def _set_data(target: Tensor, value: Tensor) -> None:
    """``target`` holds ``value``'s data from now on (the same object, as PyTorch's ``set_``):
    optimizers that hold it keep working."""
    with no_grad():
        if tuple(target.shape) == tuple(value.shape) and target.dtype == value.dtype:
            target.copy_(value)
        else:
            target._data = value.detach().clone()._data


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor of a module, applied in order, and the original
    tensor(s) they start from (``original``, or ``original0``, ``original1``...), as
    PyTorch's ``torch.nn.utils.parametrize.ParametrizationList``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> from polytensor.nn.utils import parametrize
    >>> lin = nn.Linear(2, 2)
    >>> _ = parametrize.register_parametrization(lin, "weight", nn.Identity())
    >>> type(lin.parametrizations.weight).__name__, lin.parametrizations.weight.is_tensor
    ('ParametrizationList', True)
    """

    def __init__(self, modules: Sequence[Module], original: Tensor, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        new: Any = original
        with no_grad():
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    # (one that cannot invert keeps the original as it is, as PyTorch's)
                    with suppress(NotImplementedError):
                        new = module.right_inverse(new)
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if not unsafe and (new.dtype != original.dtype or new.shape != original.shape):
                raise ValueError(
                    f"When `right_inverse` outputs one tensor, it may not change the dtype or "
                    f"shape; got {original.dtype} {original.shape} to {new.dtype} {new.shape}. "
                    f"Pass unsafe=True to allow it"
                )
            if new is not original:
                _set_data(original, new)
            _register(self, "original", original)
        else:
            for i, t in enumerate(new):
                if not isinstance(t, Tensor):
                    raise ValueError(  # noqa: TRY004 - PyTorch's class for this
                        f"'right_inverse' must return a tensor or a sequence of tensors; got "
                        f"a {type(t).__name__} at position {i}"
                    )
                value = t.detach()
                if isinstance(original, Parameter):
                    value = Parameter(value, requires_grad=original.requires_grad)
                _register(self, f"original{i}", value)
        if not unsafe:
            _check_consistent(self, original)

    def right_inverse(self, value: Tensor) -> None:
        """Set the original tensor(s) so that the parametrized tensor becomes ``value``: each
        parametrization's ``right_inverse``, last to first, then a copy into the originals."""
        with no_grad():
            new: Any = value
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(
                        f"parametrization {type(module).__name__} does not implement "
                        f"right_inverse; give it one to assign to the parametrized tensor"
                    )
                new = module.right_inverse(new)
            if self.is_tensor:
                if not isinstance(new, Tensor):
                    raise ValueError(
                        f"`right_inverse` should return a tensor; got {type(new).__name__}"
                    )
                _set_data(self.original, new)
            else:
                if isinstance(new, Tensor) or len(new) != self.ntensors:
                    raise ValueError(
                        f"'right_inverse' must return a sequence of {self.ntensors} tensors"
                    )
                for i, t in enumerate(new):
                    _set_data(getattr(self, f"original{i}"), t)

    def forward(self) -> Tensor:
        mods = list(self)
        if self.is_tensor:
            x = mods[0](self.original)
        else:
            x = mods[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in mods[1:]:
            x = module(x)
        return x  # type: ignore[no-any-return]


def _register(module: Module, name: str, t: Tensor) -> None:
    """``t`` under ``name`` as a parameter if it is one, else as a buffer."""
    if isinstance(t, Parameter):
        module.register_parameter(name, t)
    else:
        module.register_buffer(name, t)


def _check_consistent(plist: ParametrizationList, original: Tensor) -> None:
    with no_grad():
        z = plist()
    if not isinstance(z, Tensor):
        raise ValueError(  # noqa: TRY004 - PyTorch's class for this
            f"A parametrization must return a tensor; got {type(z).__name__}. Pass unsafe=True "
            f"to skip this check"
        )
    if z.dtype != original.dtype or tuple(z.shape) != tuple(original.shape):
        raise ValueError(
            f"Registering a parametrization may not change the shape or dtype of the tensor, "
            f"unless `unsafe` flag is enabled; unparametrized {original.dtype} "
            f"{tuple(original.shape)}, parametrized {z.dtype} {tuple(z.shape)}"
        )


def _inject_class(module: Module) -> None:
    """Give ``module`` a class of its own (``Parametrized<Name>``), on which properties for
    its parametrized tensors can live without touching other instances."""
    cls = module.__class__
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})


class _Cache:
    """``cached()``'s state: how many ``with cached():`` blocks are open, and the values
    computed in them, by (module id, tensor name)."""

    depth = 0
    values: dict[tuple[int, str], Tensor] = {}  # noqa: RUF012 - one cache, as PyTorch's


@contextmanager
def cached() -> Iterator[None]:
    """Within the block, each parametrized tensor is computed once, the first time it is read,
    and the same value is returned after that, as PyTorch's ``parametrize.cached()`` (for a
    module that reads its weight many times in one forward, as a recurrent one does).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> from polytensor.nn.utils import parametrize
    >>> lin = parametrize.register_parametrization(nn.Linear(2, 2), "weight", nn.Tanh())
    >>> with parametrize.cached():
    ...     lin.weight is lin.weight
    True
    >>> lin.weight is lin.weight
    False
    """
    _Cache.depth += 1
    try:
        yield
    finally:
        _Cache.depth -= 1
        if not _Cache.depth:
            _Cache.values = {}


def _inject_property(module: Module, name: str) -> None:
    key = (id(module), name)

    def getter(self: Module) -> Tensor:
        if _Cache.depth:
            value = _Cache.values.get(key)
            if value is None:
                value = _Cache.values[key] = self.parametrizations[name]()
            return value
        return self.parametrizations[name]()  # type: ignore[no-any-return]

    def setter(self: Module, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)

    setattr(module.__class__, name, property(getter, setter))


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (on ``tensor_name``, when given).

    Examples
    --------
    >>> from polytensor import nn
    >>> from polytensor.nn.utils import parametrize
    >>> lin = nn.Linear(2, 2)
    >>> _ = parametrize.register_parametrization(lin, "weight", nn.Identity())
    >>> parametrize.is_parametrized(lin), parametrize.is_parametrized(lin, "bias")
    (True, False)
    """
    plist = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(plist, ModuleDict):
        return False
    return len(plist) > 0 if tensor_name is None else tensor_name in plist


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Make ``module.<tensor_name>`` the output of ``parametrization`` applied to the original
    tensor, as PyTorch's ``register_parametrization``; a second registration on the same name
    applies after the first. Returns ``module``.

    ``parametrization`` may define ``right_inverse(value)``, which turns a value of the
    parametrized tensor back into the original (or into several originals, a sequence: then
    ``forward`` takes them all). ``unsafe=True`` skips the checks that the parametrized
    tensor keeps the original's shape and dtype.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> from polytensor.nn.utils import parametrize
    >>> class Double(nn.Module):
    ...     def forward(self, x):
    ...         return 2 * x
    ...     def right_inverse(self, x):
    ...         return x / 2
    >>> lin = nn.Linear(2, 1, bias=False)
    >>> _ = parametrize.register_parametrization(lin, "weight", Double())
    >>> lin.weight = pt.asarray([[4.0, 6.0]])
    >>> lin.parametrizations.weight.original
    Parameter containing:
    tensor([[2., 3.]], backend='numpy', requires_grad=True)
    """
    if not isinstance(parametrization, Module):
        raise TypeError(
            f"register_parametrization() expects an nn.Module as the parametrization; got "
            f"{type(parametrization).__name__}"
        )
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            before = getattr(module, tensor_name)
            with no_grad():
                after = parametrization(before)
            if not isinstance(after, Tensor) or (after.dtype, tuple(after.shape)) != (
                before.dtype,
                tuple(before.shape),
            ):
                raise ValueError(
                    f"Registering a parametrization may not change the shape or dtype of the "
                    f"tensor, unless `unsafe` flag is enabled; {tensor_name!r} is "
                    f"{before.dtype} {tuple(before.shape)}"
                )
        plist.append(parametrization)
        plist.unsafe = plist.unsafe or unsafe
        return module
    params, buffers = module._parameters, module._buffers
    if (tensor_name in params and params[tensor_name] is not None) or (
        tensor_name in buffers and buffers[tensor_name] is not None
    ):
        original = getattr(module, tensor_name)
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = plist
        return module
    raise ValueError(
        f"Module '{type(module).__name__}' does not have a parameter, a buffer, or a "
        f"parametrized element with name '{tensor_name}'"
    )


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Undo the parametrizations of ``module.<tensor_name>``, as PyTorch's: the tensor
    becomes a parameter (or buffer) again, holding its parametrized value
    (``leave_parametrized=True``) or the original. Returns ``module``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> from polytensor.nn.utils import parametrize
    >>> class Double(nn.Module):
    ...     def forward(self, x):
    ...         return 2 * x
    >>> lin = nn.Linear(2, 1, bias=False)
    >>> with pt.no_grad():
    ...     _ = lin.weight.fill_(1.0)
    >>> _ = parametrize.register_parametrization(lin, "weight", Double())
    >>> _ = parametrize.remove_parametrizations(lin, "weight")
    >>> type(lin).__name__, lin.weight.tolist(), list(lin.state_dict())
    ('Linear', [[2.0, 2.0]], ['weight'])
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(
            f"Module {type(module).__name__} does not have a parametrization on {tensor_name}"
        )
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
            _set_data(original, value)
    else:
        if not leave_parametrized:
            raise ValueError(
                "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                "parametrized in terms of a sequence of tensors."
            )
        with no_grad():
            value = getattr(module, tensor_name)
        first = plist.original0
        original = (
            Parameter(value.detach(), requires_grad=first.requires_grad)
            if isinstance(first, Parameter)
            else value.detach()
        )
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module: Module) -> type:
    """The class of ``module`` as it was before any parametrization, as PyTorch's.

    Examples
    --------
    >>> from polytensor import nn
    >>> from polytensor.nn.utils import parametrize
    >>> lin = parametrize.register_parametrization(nn.Linear(2, 2), "weight", nn.Identity())
    >>> type(lin).__name__, parametrize.type_before_parametrizations(lin).__name__
    ('ParametrizedLinear', 'Linear')
    """
    cls = type(module)
    return cls.__bases__[0] if is_parametrized(module) else cls
