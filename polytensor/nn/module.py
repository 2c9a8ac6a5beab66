"""``Module``: the base class of layers and models, as ``torch.nn.Module``."""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from .. import _dtypes as dt
from .._tensor import Tensor
from ._buffer import buffer_persistence
from .parameter import Parameter, copy_tensor, plain

__all__ = ["Module", "RemovableHandle"]

_FLOATING = ("real floating", "complex floating")


class _IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        # (PyTorch's wording when nothing is missing or unexpected, as notebooks print it)
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
            f"unexpected_keys={self.unexpected_keys!r})"
        )


class RemovableHandle:
    """A handle returned by ``register_forward_hook``; ``remove()`` unregisters the hook.

    Examples
    --------
    >>> from polytensor import nn
    >>> m = nn.ReLU()
    >>> h = m.register_forward_hook(lambda mod, args, out: None)
    >>> h.remove()
    """

    _next_id = 0

    def __init__(self, hooks: dict[int, Any]) -> None:
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self._hooks.pop(self.id, None)


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _is_dtype(v: Any) -> bool:
    return isinstance(dt.from_python_type(v), dt.DType)


class Module:
    """Base class of all layers and models (PyTorch's ``torch.nn.Module``).

    Subclasses call ``super().__init__()``, assign ``Parameter``s, sub-modules and buffers as
    attributes (which registers them), and define ``forward``. Calling the module runs
    ``forward`` (and any forward hooks).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = nn.Linear(4, 8)
    ...         self.fc2 = nn.Linear(8, 2)
    ...     def forward(self, x):
    ...         return self.fc2(nn.functional.relu(self.fc1(x)))
    >>> model = TwoLayer()
    >>> model(pt.ones((3, 4))).shape
    (3, 2)
    >>> [name for name, _ in model.named_parameters()]
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    """

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:  # (a layer without parameters of its own, such as nn.Tanh)
            raise TypeError(
                f"{type(self).__name__}() takes no arguments; got {len(args)} positional and "
                f"{', '.join(kwargs) or 'no'} keyword arguments"
            )
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()

    # -- forward -----------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        for hook in list(d.get("_forward_pre_hooks", {}).values()):
            r = hook(self, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)
        backward_hooks = d.get("_backward_hooks")
        backward_pre_hooks = d.get("_backward_pre_hooks")
        if backward_hooks or backward_pre_hooks:
            from ._backward_hooks import call_with_backward_hooks

            return call_with_backward_hooks(
                self,
                args,
                kwargs,
                list((backward_hooks or {}).values()),
                list((backward_pre_hooks or {}).values()),
                list(d.get("_forward_hooks", {}).values()),
            )
        out = self.forward(*args, **kwargs)
        for hook in list(d.get("_forward_hooks", {}).values()):
            r = hook(self, args, out)
            if r is not None:
                out = r
        return out

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; a returned value replaces the args.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> m = nn.Identity()
        >>> h = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        >>> m(pt.ones(1))
        tensor([2.], backend='numpy')
        """
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after ``forward``; a returned value replaces the
        output.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> seen = []
        >>> m = nn.ReLU()
        >>> h = m.register_forward_hook(lambda mod, args, out: seen.append(out.shape))
        >>> _ = m(pt.ones((2, 3))); seen
        [(2, 3)]
        """
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_full_backward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` in backward once the gradients of the
        module's tensor inputs are known: a tuple per positional tensor input (None for one
        that needs no gradient) and per output; a returned tuple replaces ``grad_input``, as
        PyTorch's. Hooks fire for calls made after they are registered.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> m = nn.Linear(2, 1)
        >>> seen = []
        >>> h = m.register_full_backward_hook(
        ...     lambda mod, gi, go: seen.append((gi[0].shape, go[0].shape)))
        >>> m(pt.ones((3, 2), requires_grad=True)).sum().backward(); seen
        [((3, 2), (3, 1))]
        """
        hooks = self.__dict__.setdefault("_backward_hooks", OrderedDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def register_full_backward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` in backward when the gradients of the module's
        outputs are known, before those of its inputs; a returned tuple replaces
        ``grad_output``, as PyTorch's.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> m = nn.Identity()
        >>> h = m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 10,))
        >>> x = pt.ones(2, requires_grad=True)
        >>> m(x).sum().backward(); x.grad
        tensor([10., 10.], backend='numpy')
        """
        hooks = self.__dict__.setdefault("_backward_pre_hooks", OrderedDict())
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    # -- registration ------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._remove_name(name)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter "
                    f"'{name}' (nn.Parameter or None expected); wrap it: "
                    f"nn.Parameter(value)"
                )
            params[name] = None
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._remove_name(name)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module "
                    f"'{name}' (nn.Module or None expected)"
                )
            modules[name] = None
            return
        buffers = d.get("_buffers")
        persistent = buffer_persistence(value)
        if persistent is not None:  # (nn.Buffer(t): registered, as PyTorch's)
            if buffers is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            self.register_buffer(name, value, persistent)
            return
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    f"(Tensor or None expected)"
                )
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def _remove_name(self, name: str) -> None:
        d = self.__dict__
        d.pop(name, None)
        for key in ("_parameters", "_buffers", "_modules"):
            d[key].pop(name, None)
        d["_non_persistent_buffers"].discard(name)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            table = d.get(key)
            if table is not None and name in table:
                return table[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            if name in d.get(key, {}):
                del d[key][name]
                d["_non_persistent_buffers"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__())
        for key in ("_parameters", "_buffers", "_modules"):
            keys.update(self.__dict__.get(key, {}))
        return sorted(k for k in keys if not k[0].isdigit())

    def _check_name(self, name: Any, what: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {what} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{what} name should be a string; got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{what} name can\'t be empty or contain "."; got {name!r}')
        if (
            hasattr(self, name)
            and name not in self._parameters
            and name not in self._buffers
            and name not in self._modules
        ):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (a ``Parameter`` or None) under ``name``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> m = nn.Module()
        >>> m.register_parameter("scale", nn.Parameter(pt.ones(1)))
        >>> [n for n, _ in m.named_parameters()]
        ['scale']
        """
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter "
                f"'{name}' (nn.Parameter or None required)"
            )
        if param is not None and not param.is_leaf:
            raise ValueError(
                f"cannot assign non-leaf Tensor to parameter '{name}'; create it "
                f"from a leaf (e.g. nn.Parameter(x.detach()))"
            )
        self._remove_name(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a tensor that is state but not a parameter (saved in ``state_dict`` unless
        ``persistent=False``, moved by ``to``).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> m = nn.Module()
        >>> m.register_buffer("running_mean", pt.zeros(3))
        >>> list(m.state_dict())
        ['running_mean']
        """
        self._check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                f"(Tensor or None required)"
            )
        self._remove_name(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a child under ``name``.

        Examples
        --------
        >>> from polytensor import nn
        >>> m = nn.Module()
        >>> m.add_module("act", nn.ReLU())
        >>> m.act
        ReLU()
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module")
        self._remove_name(name)
        self._modules[name] = module

    register_module = add_module

    # -- traversal ---------------------------------------------------------------------------
    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """All modules of the tree (this one first) with their dotted names.

        Examples
        --------
        >>> from polytensor import nn
        >>> [n for n, _ in nn.Sequential(nn.Linear(2, 2), nn.ReLU()).named_modules()]
        ['', '0', '1']
        """
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """All modules of the tree, this one first.

        Examples
        --------
        >>> from polytensor import nn
        >>> len(list(nn.Sequential(nn.Linear(2, 2), nn.ReLU()).modules()))
        3
        """
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules with their names.

        Examples
        --------
        >>> from polytensor import nn
        >>> [n for n, _ in nn.Sequential(nn.Linear(2, 2), nn.ReLU()).named_children()]
        ['0', '1']
        """
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct sub-modules.

        Examples
        --------
        >>> from polytensor import nn
        >>> list(nn.Sequential(nn.ReLU()).children())
        [ReLU()]
        """
        for _, m in self.named_children():
            yield m

    def _named_members(
        self, table: str, prefix: str, recurse: bool, remove_duplicate: bool
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        mods = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else iter([(prefix, self)])
        )
        for mprefix, module in mods:
            for name, v in getattr(module, table).items():
                if v is None:
                    continue
                if remove_duplicate:
                    if id(v) in seen:
                        continue
                    seen.add(id(v))
                yield mprefix + ("." if mprefix else "") + name, v

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Parameters with their dotted names (a shared parameter is listed once).

        Examples
        --------
        >>> from polytensor import nn
        >>> [(n, p.shape) for n, p in nn.Linear(3, 2).named_parameters()]
        [('weight', (2, 3)), ('bias', (2,))]
        """
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters of this module and (with ``recurse``) its sub-modules.

        Examples
        --------
        >>> from polytensor import nn
        >>> sum(p.size for p in nn.Linear(3, 2).parameters())
        8
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """Buffers with their dotted names.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> m = nn.Module(); m.register_buffer("count", pt.zeros(()))
        >>> [n for n, _ in m.named_buffers()]
        ['count']
        """
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The buffers of this module and (with ``recurse``) its sub-modules.

        Examples
        --------
        >>> from polytensor import nn
        >>> list(nn.Linear(2, 2).buffers())
        []
        """
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        """The sub-module at dotted path ``target`` (``""`` is this module).

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.Sequential(nn.Linear(2, 2), nn.ReLU()).get_submodule("1")
        ReLU()
        """
        mod: Module = self
        if target == "":
            return mod
        for item in target.split("."):
            child = mod._modules.get(item)
            if child is None:
                raise AttributeError(f"{type(mod).__name__} has no attribute `{item}`")
            mod = child
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target`` (``"0.weight"``), as PyTorch's.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.Sequential(nn.Linear(2, 3)).get_parameter("0.weight").shape
        (3, 2)
        """
        owner, _, name = target.rpartition(".")
        mod = self.get_submodule(owner)
        if name not in mod._parameters:
            raise AttributeError(f"{type(mod).__name__} has no parameter `{name}`")
        p = mod._parameters[name]
        if p is None:
            raise AttributeError(f"`{name}` of {type(mod).__name__} is None, not a parameter")
        return p

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path ``target`` (``"0.running_mean"``), as PyTorch's.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.Sequential(nn.BatchNorm1d(3)).get_buffer("0.running_mean").shape
        (3,)
        """
        owner, _, name = target.rpartition(".")
        mod = self.get_submodule(owner)
        buf = mod._buffers.get(name)
        if buf is None:
            raise AttributeError(f"{type(mod).__name__} has no buffer `{name}`")
        return buf

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first) and on this module; returns self.

        Examples
        --------
        >>> from polytensor import nn
        >>> names = []
        >>> _ = nn.Sequential(nn.ReLU()).apply(lambda m: names.append(type(m).__name__))
        >>> names
        ['ReLU', 'Sequential']
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- modes and gradients -----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``Dropout`` active) on this module and its sub-modules.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.Dropout().train(False).training
        False
        """
        if not isinstance(mode, bool):
            raise TypeError(f"train() expects a bool; got {type(mode).__name__}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Set evaluation mode: ``train(False)``.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.Dropout().eval().training
        False
        """
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Make every parameter require (or stop requiring) gradients; returns self.

        Examples
        --------
        >>> from polytensor import nn
        >>> m = nn.Linear(2, 2).requires_grad_(False)
        >>> m.weight.requires_grad
        False
        """
        from .._tape import set_requires_grad

        for p in self.parameters():
            set_requires_grad(p, bool(requires_grad))
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (default) or to zeros.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> m = nn.Linear(2, 1)
        >>> pt.sum(m(pt.ones((1, 2)))).backward()
        >>> m.zero_grad(); m.weight.grad is None
        True
        """
        for p in self.parameters():
            zero_grad_of(p, set_to_none)

    # -- moving ------------------------------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move parameters and buffers to a backend/device and/or cast floating ones to a dtype,
        in place; returns self. Parameters stay the same objects (leaves that require grad).

        Accepts ``to("dask")``, ``to("cpu")``, ``to(device)``, ``to(pt.float64)``,
        ``to("dask", pt.float64)``, ``to(device=..., dtype=...)``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> m = nn.Linear(2, 2).to(pt.float64)
        >>> m.weight.dtype, m.weight.requires_grad
        (polytensor.float64, True)
        """
        device, dtype = _parse_to(args, kwargs)
        if dtype is not None and dtype.kind not in _FLOATING:
            raise TypeError(
                f"Module.to() only accepts floating point or complex dtypes; got {dtype.name}"
            )
        return self._apply_tensors(lambda t: _moved(t, device, dtype))

    def cpu(self) -> Module:
        """Move to the NumPy backend (PyTorch's CPU); returns self.

        Examples
        --------
        >>> from polytensor import nn
        >>> str(nn.Linear(2, 2).cpu().weight.device)
        'numpy:cpu'
        """
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Module:
        """Move to a CUDA device (the CuPy backend): ``cuda()`` is ``cuda:0``, ``cuda(1)``
        ``cuda:1``; returns self. Without CUDA it raises, saying so.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn
        >>> if pt.cuda.is_available():
        ...     _ = nn.Linear(2, 2).cuda()
        """
        from .._device import Device

        if device is None:
            return self.to(Device("cuda"))
        if isinstance(device, int) and not isinstance(device, bool):
            return self.to(Device("cuda", device))
        d = device if isinstance(device, Device) else Device(str(device))
        if d.type != "cuda":
            raise RuntimeError(f"cuda(): {device!r} is not a CUDA device; use to({device!r})")
        return self.to(d)

    def double(self) -> Module:
        """Cast floating-point parameters and buffers to float64; returns self.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.Linear(2, 2).double().weight.dtype
        polytensor.float64
        """
        return self.to(dt.float64)

    def float(self) -> Module:
        """Cast floating-point parameters and buffers to float32; returns self.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.Linear(2, 2).double().float().weight.dtype
        polytensor.float32
        """
        return self.to(dt.float32)

    def _apply_tensors(self, fn: Callable[[Tensor], Tensor]) -> Module:
        from ..autograd import no_grad

        with no_grad():
            # Compute everything first, so that a failure leaves the module as it was.
            plans: list[tuple[Any, ...]] = []
            for m in self.modules():
                for p in m._parameters.values():
                    if p is not None:
                        g = p.grad
                        plans.append(("p", p, fn(plain(p)), None if g is None else fn(g)))
                for name, b in m._buffers.items():
                    if b is not None:
                        plans.append(("b", m, name, fn(b)))
        seen: set[int] = set()
        for plan in plans:
            if plan[0] == "p":
                _, p, new, g = plan
                if id(p) in seen:
                    continue
                seen.add(id(p))
                p._data, p._backend = new._data, new._backend
                if p._meta is not None:
                    p._meta.grad = g
            else:
                _, m, name, new = plan
                m._buffers[name] = new
        return self

    # -- state -------------------------------------------------------------------------------
    def state_dict(
        self, destination: dict[str, Any] | None = None, prefix: str = "", keep_vars: bool = False
    ) -> dict[str, Any]:
        """An ordered dict of parameters and persistent buffers by dotted name.

        The values share memory with the module's tensors but are detached (plain tensors),
        unless ``keep_vars=True``. Save it with ``pt.save``.

        Examples
        --------
        >>> from polytensor import nn
        >>> list(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).state_dict())
        ['0.weight', '0.bias', '2.weight', '2.bias']
        """
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else plain(p)
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = b if keep_vars else plain(b)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def _state_slots(self) -> dict[str, tuple[str, Module, str, Tensor]]:
        """Dotted name -> (kind, owning module, local name, current tensor), in state order."""
        slots: dict[str, tuple[str, Module, str, Tensor]] = OrderedDict()
        for mprefix, m in self.named_modules(remove_duplicate=False):
            pre = mprefix + ("." if mprefix else "")
            for name, p in m._parameters.items():
                if p is not None:
                    slots[pre + name] = ("parameter", m, name, p)
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent_buffers:
                    slots[pre + name] = ("buffer", m, name, b)
        return slots

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False
    ) -> _IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict`` into this module, all or nothing.

        Every entry is checked (and converted to the module's backend and dtype) before any is
        written: on an error the module is unchanged.

        Parameters
        ----------
        state_dict : mapping
            Dotted name -> tensor (or NumPy array), as from ``state_dict()`` or ``pt.load``.
        strict : bool, default True
            Missing or unexpected keys are an error; with False they are returned.
        assign : bool, default False
            Take the given tensors' backend and dtype instead of copying into the existing
            ones (parameters stay the same objects).

        Returns
        -------
        NamedTuple with ``missing_keys`` and ``unexpected_keys``.

        Raises
        ------
        RuntimeError
            Listing missing/unexpected keys (strict) and shape mismatches (always).

        Examples
        --------
        >>> from polytensor import nn
        >>> a, b = nn.Linear(2, 2), nn.Linear(2, 2)
        >>> b.load_state_dict(a.state_dict())
        <All keys matched successfully>
        """
        from .._ops.creation import asarray
        from .._ops.data_types import astype
        from ..autograd import no_grad

        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict() expects a dict; got {type(state_dict).__name__}")
        for mprefix, m in self.named_modules():
            load_lazily = getattr(m, "_load_lazily", None)  # (a lazy module: sized from here)
            if load_lazily is not None:
                load_lazily(state_dict, mprefix + ("." if mprefix else ""))
        slots = self._state_slots()
        # (a module may fill what an older checkpoint lacks: BatchNorm's num_batches_tracked)
        missing = [
            k
            for k, (_, owner, name, _) in slots.items()
            if k not in state_dict and name not in getattr(owner, "_optional_state", ())
        ]
        unexpected = [k for k in state_dict if k not in slots]
        errors: list[str] = []
        if strict:
            if unexpected:
                errors.append(
                    "Unexpected key(s) in state_dict: "
                    + ", ".join(f'"{k}"' for k in unexpected)
                    + ". "
                )
            if missing:
                errors.append(
                    "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". "
                )
        updates: list[tuple[str, Module, str, Tensor, Tensor]] = []
        with no_grad():
            for key, (kind, owner, name, current) in slots.items():
                if key not in state_dict:
                    continue
                value = state_dict[key]
                if not isinstance(value, Tensor):
                    if hasattr(value, "shape") and hasattr(value, "dtype"):
                        try:
                            value = asarray(value, device=current.device)
                        except (TypeError, ValueError) as e:
                            errors.append(f'While copying the {kind} named "{key}": {e}.')
                            continue
                    else:
                        errors.append(
                            f'While copying the {kind} named "{key}", expected a '
                            f"Tensor from the checkpoint but received "
                            f"{type(value).__name__}."
                        )
                        continue
                if tuple(value.shape) != tuple(current.shape):
                    errors.append(
                        f"size mismatch for {key}: copying a {kind} with shape "
                        f"{tuple(value.shape)} from checkpoint, the shape in current "
                        f"model is {tuple(current.shape)}."
                    )
                    continue
                try:
                    new = plain(value)
                    if not assign:
                        if str(new.device) != str(current.device):
                            new = new.to_device(current.device)
                        if new.dtype is not current.dtype:
                            new = astype(new, current.dtype)
                    elif kind == "parameter" and new.dtype.kind not in _FLOATING:
                        raise TypeError(
                            f"a parameter must be floating-point; the checkpoint "
                            f"has {new.dtype.name}"
                        )
                except (TypeError, ValueError, NotImplementedError) as e:
                    errors.append(f'While copying the {kind} named "{key}": {e}.')
                    continue
                updates.append((kind, owner, name, current, new))
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        with no_grad():
            for kind, owner, name, current, new in updates:
                if not assign:
                    current[...] = new  # in place (PyTorch's copy_), or rebound on Dask
                elif kind == "parameter":
                    changed = new._backend is not current._backend or new.dtype is not current.dtype
                    current._data, current._backend = new._data, new._backend
                    if changed and current._meta is not None:
                        current._meta.grad = None  # the old gradient no longer fits
                else:
                    owner._buffers[name] = new
        return _IncompatibleKeys(missing, unexpected)

    # -- copying and display -----------------------------------------------------------------
    def __deepcopy__(self, memo: dict[int, Any]) -> Module:
        if id(self) in memo:
            return memo[id(self)]  # type: ignore[no-any-return]
        new = object.__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            if key == "_buffers":
                value = OrderedDict(
                    (n, None if b is None else memo.setdefault(id(b), copy_tensor(b)))
                    for n, b in value.items()
                )
            else:
                value = copy.deepcopy(value, memo)
            new.__dict__[key] = value
        return new

    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr``; layers override it.

        Examples
        --------
        >>> from polytensor import nn
        >>> nn.Linear(2, 3).extra_repr()
        'in_features=2, out_features=3, bias=True'
        """
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, module in self._modules.items():
            lines.append(f"({name}): " + _addindent(repr(module), 2))
        main = type(self).__name__ + "("
        if lines:
            if len(lines) == 1 and not self._modules:
                main += lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


def zero_grad_of(p: Tensor, set_to_none: bool) -> None:
    """Reset ``p.grad``: to None, or to zeros in place."""
    g = p.grad
    if g is None:
        return
    if set_to_none:
        p.grad = None
        return
    from ..autograd import no_grad

    with no_grad():
        if g.grad_fn is not None:
            g = plain(g)
            p.grad = g
        g[...] = 0


def _parse_to(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any]:
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword argument(s) {', '.join(kwargs)}")
    if len(args) > 2:
        raise TypeError(f"to() takes at most 2 positional arguments; got {len(args)}")
    for a in args:
        if _is_dtype(a):
            if dtype is not None:
                raise TypeError("to() got two dtypes")
            dtype = a
        elif isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        else:
            if device is not None:
                raise TypeError("to() got two devices")
            device = a
    dtype = dt.from_python_type(dtype)  # (PyTorch's model.to(float): float64)
    if dtype is not None and not _is_dtype(dtype):
        raise TypeError(
            f"to() expects dtype to be a polytensor dtype such as pt.float64; got {dtype!r}"
        )
    return device, dtype


def _moved(t: Tensor, device: Any, dtype: Any) -> Tensor:
    from .._ops.data_types import astype

    if device is not None:
        t = t.to_device(device)
    if dtype is not None and t.dtype.kind in _FLOATING and t.dtype is not dtype:
        if t.dtype.kind == "complex floating" and dtype.kind != "complex floating":
            return t  # as PyTorch: a real dtype leaves complex tensors complex
        t = astype(t, dtype)
    return t
