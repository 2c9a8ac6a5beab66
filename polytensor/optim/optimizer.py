"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad`` and state dicts, as
``torch.optim.Optimizer``."""

from __future__ import annotations

import copy
import functools
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any, ClassVar

from .. import _lazy_updates
from .._tensor import Tensor
from ..nn.module import RemovableHandle

__all__ = ["Optimizer", "ParamState"]


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _Required()


class ParamState(MutableMapping[Tensor, dict[str, Any]]):
    """Per-parameter optimizer state, keyed by the parameter itself (by identity).

    Tensors are not hashable (``==`` is element-wise), so this mapping keys them by ``id``
    and keeps the parameter alive. A missing parameter reads as a new empty dict.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim.optimizer import ParamState
    >>> p = pt.zeros(2, requires_grad=True)
    >>> state = ParamState()
    >>> state[p]["step"] = 1
    >>> state[p]
    {'step': 1}
    """

    def __init__(self) -> None:
        self._items: dict[int, tuple[Tensor, dict[str, Any]]] = {}

    def __getitem__(self, p: Tensor) -> dict[str, Any]:
        entry = self._items.get(id(p))
        if entry is None:
            entry = self._items[id(p)] = (p, {})
        return entry[1]

    def __setitem__(self, p: Tensor, value: dict[str, Any]) -> None:
        self._items[id(p)] = (p, value)

    def __delitem__(self, p: Tensor) -> None:
        del self._items[id(p)]

    def __contains__(self, p: object) -> bool:
        return id(p) in self._items

    def __iter__(self) -> Iterator[Tensor]:
        return iter([p for p, _ in self._items.values()])

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ParamState({len(self)} parameters)"


def _state_tensors(opt: Optimizer) -> Iterator[Tensor]:
    """The tensors of ``opt``'s state, in lists too (LBFGS's history), for
    ``_lazy_updates.hold``."""
    for _, s in list(opt.state.items()):
        for v in list(s.values()):
            if isinstance(v, Tensor):
                yield v
            elif isinstance(v, (list, tuple)):
                yield from (t for t in v if isinstance(t, Tensor))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_numbers(where: str, **values: Any) -> None:
    """TypeError naming ``where`` unless every hyper-parameter in ``values`` is a real number
    (``lr`` may be a one-element floating tensor, as PyTorch's: the steps read its value each
    time, so that writing into it, ``lr.fill_(0.01)``, changes the rate)."""
    for name, v in values.items():
        if name == "lr" and isinstance(v, Tensor) and v.dtype.kind == "real floating":
            if v.size != 1:
                raise ValueError(
                    f"{where}(): Tensor lr must be 1-element; got shape {tuple(v.shape)}"
                )
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"{where}(): {name} must be a real number; got {v!r}")


class Optimizer:
    """Base class of optimizers: holds ``param_groups`` and ``state``.

    Parameters
    ----------
    params : iterable
        Parameters (leaf tensors that require grad), or ``(name, parameter)`` pairs
        (``model.named_parameters()``: the names are kept in each group's ``"param_names"``
        and its state dict), or dicts defining parameter groups: ``{"params": [...], "lr":
        0.1}``; keys missing from a group take ``defaults``.
    defaults : dict
        Default hyper-parameters of the optimizer.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import nn, optim
    >>> model = nn.Linear(2, 1)
    >>> opt = optim.SGD([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.5}],
    ...                 lr=0.1)
    >>> [g["lr"] for g in opt.param_groups]
    [0.1, 0.5]
    >>> optim.SGD(model.named_parameters(), lr=0.1).param_groups[0]["param_names"]
    ['weight', 'bias']
    """

    # State entries kept as Python numbers (a 0-d tensor from PyTorch's state dict loads as
    # one), and entries whose tensors are not shaped as their parameter.
    _scalar_state: ClassVar[dict[str, Callable[[float], Any]]] = {"step": int}
    _unshaped_state: ClassVar[frozenset[str]] = frozenset()
    # (an optimizer whose rule reads a complex number's parts as PyTorch's view_as_real does,
    # which polytensor's does not: complex parameters are refused rather than updated wrongly)
    _real_only: ClassVar[bool] = False
    # the ids of the parameters listed more than once in a group (PyTorch warns and keeps them)
    _listed_twice: frozenset[int] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # every optimizer's own step() runs the step hooks around it
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_runs_hooks", False):
            cls.step = _with_step_hooks(step)  # type: ignore[method-assign]

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self._optimizer_step_pre_hooks: dict[int, Callable[..., Any]] = {}
        self._optimizer_step_post_hooks: dict[int, Callable[..., Any]] = {}
        self.defaults = defaults
        self.state: ParamState = ParamState()
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}(): params argument given to the optimizer should be "
                "an iterable of "
                "Tensors or dicts, but got a Tensor; wrap it in a list"
            )
        if isinstance(params, set):
            raise TypeError(
                f"{type(self).__name__}(): optimizer parameters need to be organized in "
                "ordered collections, "
                "but the ordering of tensors in sets will change between runs; "
                "use a list instead"
            )
        name = type(self).__name__
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(
                f"{name}() expects params to be an iterable of Tensors or dicts; got "
                f"{type(params).__name__}"
            ) from None
        if not groups:
            raise ValueError(f"{name}(): optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> a, b = pt.zeros(2, requires_grad=True), pt.zeros(3, requires_grad=True)
        >>> opt = optim.SGD([a], lr=0.1)
        >>> opt.add_param_group({"params": [b], "lr": 0.01})
        >>> len(opt.param_groups)
        2
        """
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{type(self).__name__}(): param group must be a dict; got "
                f"{type(param_group).__name__}"
            )
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                f"{type(self).__name__}(): optimizer parameters need to be organized in "
                "ordered collections, "
                "but the ordering of tensors in sets will change between runs; "
                "use a list instead"
            )
        params = list(params)
        # (name, tensor) pairs, as model.named_parameters() gives them: the names are kept in
        # the group's "param_names", as PyTorch keeps them, all of a group's or none
        names = [p[0] for p in params if isinstance(p, tuple)]
        if names:
            if len(names) != len(params):
                raise ValueError(
                    f"{type(self).__name__}(): all optimizer params should be with/without "
                    f"names. Some param names are missing: {len(names)} of the group's "
                    f"{len(params)} params are (name, tensor) pairs; give every parameter a "
                    f"name (model.named_parameters()) or none (model.parameters())"
                )
            for p in params:
                if len(p) != 2:
                    raise TypeError(
                        f"{type(self).__name__}(): a named parameter is a (name, tensor) pair; "
                        f"got a tuple of {len(p)} items"
                    )
            params = [p[1] for p in params]
            group["param_names"] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{type(self).__name__}(): optimizer can only optimize Tensors, but one of "
                    f"the params is "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(f"{type(self).__name__}(): can't optimize a non-leaf Tensor")
            if p._backend.lazy:  # (its state, made anew each step, goes along with a read)
                _lazy_updates.hold(self, _state_tensors)
            if self._real_only and p.dtype.kind == "complex floating":
                raise NotImplementedError(
                    f"{type(self).__name__}() takes real parameters only; got a "
                    f"{p.dtype.name} parameter of shape {tuple(p.shape)}. Optimize its real "
                    f"and imaginary parts as two real parameters, or use optim.SGD or optim.ASGD, "
                    f"which take complex parameters"
                )
        for g in self.param_groups:
            if ("param_names" in g) != bool(names):
                which = "with names" if names else "without names"
                raise ValueError(
                    f"{type(self).__name__}(): all optimizer param groups should be with/without "
                    f"names. cannot add param group {which} to the optimizer; give this group's "
                    f"parameters as the other groups give theirs, (name, tensor) pairs "
                    f"(model.named_parameters()) or tensors (model.parameters())"
                )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            self._listed_twice = self._listed_twice | {i for i in ids if ids.count(i) > 1}
            # Note: PyTorch's warning, and its behaviour: the parameter stays listed twice, and
            # each step updates it (and its state) once per time it is listed
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; each step updates such a parameter once for each "
                "time it is listed: list it once",
                UserWarning,
                stacklevel=_caller_outside_optim(),
            )
        if seen & set(ids):
            raise ValueError(
                f"{type(self).__name__}(): some parameters appear in more than one parameter group"
            )
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"{type(self).__name__}(): parameter group didn't specify a value of "
                    f"required optimization parameter {name}"
                )
            group.setdefault(name, default)
        try:
            self._check_group(group)
        except (TypeError, ValueError) as e:  # (PyTorch's messages, with the optimizer named)
            prefix = f"{type(self).__name__}(): "
            message = str(e)
            raise type(e)(message if message.startswith(prefix) else prefix + message) from None
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate hyper-parameters; optimizers override it."""

    # -- gradients ---------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized parameters: to None (default) or to zeros.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.ones(2, requires_grad=True)
        >>> pt.sum(w * w).backward()
        >>> opt = optim.SGD([w], lr=0.1); opt.zero_grad(); w.grad is None
        True
        """
        if set_to_none:  # (the common case, each step: zero_grad_of(p, True), inline)
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.grad = None
            return
        from ..nn.module import zero_grad_of

        for group in self.param_groups:
            for p in group["params"]:
                zero_grad_of(p, set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once from their ``.grad``; optimizers define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define step()")

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each ``step()``, as PyTorch's; it may
        return ``(new_args, new_kwargs)`` for the step (``args[0]`` is the optimizer). Returns a
        handle whose ``remove()`` unregisters it.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn, optim
        >>> opt = optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
        >>> handle = opt.register_step_pre_hook(lambda o, args, kwargs: print("stepping"))
        >>> opt.step()
        stepping
        >>> handle.remove()
        >>> opt.step()
        """
        return _register_hook(_hooks_of(self, "_optimizer_step_pre_hooks"), hook)

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each ``step()``, as PyTorch's. Returns a
        handle whose ``remove()`` unregisters it.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import nn, optim
        >>> opt = optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
        >>> steps = []
        >>> _ = opt.register_step_post_hook(lambda o, args, kwargs: steps.append(1))
        >>> opt.step(); opt.step(); len(steps)
        2
        """
        return _register_hook(_hooks_of(self, "_optimizer_step_post_hooks"), hook)

    def _closure(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        from ..autograd import enable_grad

        with enable_grad():
            return closure()

    # -- state -------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as a dict (PyTorch's layout): ``"state"`` maps parameter
        indices (in group order) to their state, ``"param_groups"`` lists each group's
        hyper-parameters with ``"params"`` as indices. Save it with ``pt.save``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.ones(2, requires_grad=True)
        >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
        >>> opt.state_dict()["param_groups"][0]["params"]
        [0]

        Note: counters and scalars the optimizer keeps as Python numbers (``"step"``, NAdam's
        ``"mu_product"``, ASGD's ``"eta"`` and ``"mu"``) are given as PyTorch's state dict
        has them, 0-d tensors on the parameter's device: ``"step"`` in float32 (float64 after
        ``pt.set_default_dtype(pt.float64)``), the others in the parameter's dtype;
        ``load_state_dict`` takes them back as numbers.

        >>> opt = optim.NAdam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> opt.state_dict()["state"][0]["mu_product"].shape
        ()
        """
        index: dict[int, int] = {}
        groups = []
        start = 0
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            # each parameter's position in the groups, as PyTorch numbers them (one listed
            # twice in a group takes its last position)
            earlier = set(index)
            for i, p in enumerate(g["params"], start):
                if id(p) not in earlier:
                    index[id(p)] = i
            packed["params"] = [index[id(p)] for p in g["params"]]
            start += len(g["params"])
            groups.append(packed)
        state = {}
        scalars = self._scalar_state
        for p, s in self.state.items():
            if id(p) in index and s:
                state[index[id(p)]] = {
                    k: _shared(v)
                    if isinstance(v, Tensor)
                    else (_scalar_tensor(k, v, p) if k in scalars else v)
                    for k, v in s.items()
                }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load state from ``state_dict()`` of an optimizer over parameters of the same shapes,
        all or nothing. State tensors move to their parameter's backend and dtype.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor import optim
        >>> w = pt.ones(2, requires_grad=True)
        >>> opt = optim.Adam([w], lr=0.1)
        >>> opt.load_state_dict(opt.state_dict())
        """
        from .._ops.data_types import astype

        where = "Optimizer.load_state_dict()"
        if (
            not isinstance(state_dict, dict)
            or "state" not in state_dict
            or "param_groups" not in state_dict
        ):
            raise ValueError(f"{where} expects a dict with 'state' and 'param_groups'")
        saved_groups = state_dict["param_groups"]
        if not isinstance(saved_groups, (list, tuple)) or len(saved_groups) != len(
            self.param_groups
        ):
            raise ValueError(
                f"{where}: loaded state dict has a different number of parameter "
                f"groups ({len(saved_groups)}) than the optimizer "
                f"({len(self.param_groups)})"
            )
        id_map: dict[Any, Tensor] = {}
        for g, sg in zip(self.param_groups, saved_groups, strict=True):
            if not isinstance(sg, dict) or "params" not in sg:
                raise ValueError(f"{where}: a saved parameter group has no 'params'")
            if len(sg["params"]) != len(g["params"]):
                raise ValueError(
                    f"{where}: loaded state dict contains a parameter group that "
                    f"doesn't match the size of optimizer's group "
                    f"({len(sg['params'])} vs {len(g['params'])})"
                )
            id_map.update(zip(sg["params"], g["params"], strict=True))
        new_state = ParamState()
        saved_state = state_dict["state"]
        if not isinstance(saved_state, dict):
            raise ValueError(f"{where}: 'state' must be a dict")  # noqa: TRY004
        for k, s in saved_state.items():
            p = id_map.get(k)
            if p is None:
                raise ValueError(f"{where}: state refers to parameter {k!r}, which no group lists")
            if not isinstance(s, dict):
                raise ValueError(  # noqa: TRY004 - a bad state dict is a bad value
                    f"{where}: the state of parameter {k!r} must be a dict"
                )
            entry: dict[str, Any] = {}
            for name, v in s.items():
                number = self._scalar_state.get(name)
                if number is not None and isinstance(v, Tensor) and v.ndim == 0:
                    # (PyTorch keeps counters such as "step" in 0-d tensors; polytensor's
                    # optimizers keep Python numbers, so a state dict from torch loads as one)
                    entry[name] = number(float(v))
                    continue
                if isinstance(v, Tensor):
                    unshaped = name == "step" or name in self._unshaped_state
                    if not unshaped and tuple(v.shape) != tuple(p.shape):
                        raise ValueError(
                            f"{where}: state {name!r} of parameter {k!r} has shape "
                            f"{v.shape}, the parameter has {p.shape}"
                        )
                    # (as PyTorch's: the state dict's tensor itself where it is on the
                    # parameter's device in its dtype, so that the two share their values)
                    v = _shared(v)
                    if str(v.device) != str(p.device):
                        v = v.to_device(p.device)
                    if (
                        not unshaped
                        and v.dtype is not p.dtype
                        and v.dtype.kind in ("real floating", "complex floating")
                    ):
                        v = astype(v, p.dtype)
                else:
                    v = copy.deepcopy(v)
                entry[name] = v
            new_state[p] = entry
        groups = []
        for g, sg in zip(self.param_groups, saved_groups, strict=True):
            ng = {k: copy.deepcopy(v) for k, v in sg.items() if k != "params"}
            ng["params"] = g["params"]
            if "param_names" in g and "param_names" not in ng:  # (as PyTorch keeps them)
                ng["param_names"] = g["param_names"]
            groups.append(ng)
        for g in groups:
            self._check_group(g)
        self.state = new_state
        self.param_groups = groups

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {g[k]}" for k in sorted(g) if k != "params")
        lines.append(")")
        return "\n".join(lines)


# hooks of every optimizer (``register_optimizer_step_pre_hook``): before the optimizer's own
_global_pre_hooks: dict[int, Callable[..., Any]] = {}
_global_post_hooks: dict[int, Callable[..., Any]] = {}


def register_optimizer_step_pre_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` before every optimizer's ``step()`` (before the
    optimizer's own pre-hooks), as PyTorch's ``torch.optim.optimizer``'s; it may return
    ``(new_args, new_kwargs)``. Returns a handle whose ``remove()`` unregisters it.

    Examples
    --------
    >>> from polytensor import nn, optim
    >>> handle = optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: print("step"))
    >>> optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1).step()
    step
    >>> handle.remove()
    """
    return _register_hook(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable[..., Any]) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` after every optimizer's ``step()`` (after the
    optimizer's own post-hooks), as PyTorch's. Returns a handle whose ``remove()`` unregisters
    it.

    Examples
    --------
    >>> from polytensor import nn, optim
    >>> handle = optim.optimizer.register_optimizer_step_post_hook(lambda o, a, k: print("done"))
    >>> optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1).step()
    done
    >>> handle.remove()
    """
    return _register_hook(_global_post_hooks, hook)


def _register_hook(
    hooks: dict[int, Callable[..., Any]], hook: Callable[..., Any]
) -> RemovableHandle:
    if not callable(hook):
        raise TypeError(f"an optimizer step hook must be callable; got {type(hook).__name__}")
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


def _hooks_of(opt: Optimizer, name: str) -> dict[int, Callable[..., Any]]:
    """The optimizer's hooks under ``name`` (made here for a subclass whose ``__init__`` did not
    call ``Optimizer.__init__``)."""
    hooks: dict[int, Callable[..., Any]] | None = opt.__dict__.get(name)
    if hooks is None:
        hooks = {}
        setattr(opt, name, hooks)
    return hooks


def _with_step_hooks(step: Callable[..., Any]) -> Callable[..., Any]:
    """``step`` running the global and the optimizer's pre-hooks before it and post-hooks after
    it, as PyTorch's optimizers do."""
    # Note: once per call, also where a subclass's step calls its base class's step (PyTorch's
    # run a second time there)

    @functools.wraps(step)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        opt = args[0]
        if opt.__dict__.get("_in_hooked_step"):
            return step(*args, **kwargs)
        pre = [*_global_pre_hooks.values(), *_hooks_of(opt, "_optimizer_step_pre_hooks").values()]
        for hook in pre:
            result = hook(opt, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"optimizer step pre-hook {hook!r} must return None or a tuple of "
                        f"(new_args, new_kwargs); got {result!r}"
                    )
                args, kwargs = result
        opt._in_hooked_step = True
        try:
            out = step(*args, **kwargs)
        finally:
            opt._in_hooked_step = False
        post = [
            *_hooks_of(opt, "_optimizer_step_post_hooks").values(),
            *_global_post_hooks.values(),
        ]
        for hook in post:
            hook(opt, args, kwargs)
        return out

    wrapper._runs_hooks = True  # type: ignore[attr-defined]
    return wrapper


def _shared(t: Tensor) -> Tensor:
    """``t`` itself where it is a plain tensor that requires no grad (an optimizer's state,
    as PyTorch's state dicts hold and load it), else a plain tensor sharing its data."""
    if type(t) is Tensor and not t.requires_grad:
        return t
    from ..nn.parameter import plain

    return plain(t)


def _scalar_tensor(name: str, v: Any, p: Tensor) -> Any:
    """A Python number of an optimizer's state as PyTorch's state dict holds it: a 0-d tensor
    on ``p``'s device; ``"step"`` of ``torch._get_scalar_dtype()`` (float64 if that is the
    default dtype, else float32), the others (NAdam's ``mu_product``, ASGD's ``eta``) of a
    floating ``p``'s dtype, as PyTorch's ``load_state_dict`` casts them (so that a float64
    model's state goes back and forth exactly); anything else (None, say) as it is."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    from .._config import DEFAULT_FLOAT
    from .._dtypes import float32, float64
    from .._ops.creation import asarray

    dtype = float64 if DEFAULT_FLOAT.get() is float64 else float32
    if name != "step" and p.dtype.kind == "real floating":
        dtype = p.dtype
    return asarray(float(v), dtype=dtype, device=p.device)


def _caller_outside_optim() -> int:
    """The ``stacklevel`` that makes a warning issued by the function calling this one name
    the first caller outside ``polytensor.optim`` (the line that built the optimizer or called
    ``add_param_group``, through any optimizer's ``__init__``)."""
    here = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while (
        frame.f_back is not None
        and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == here
    ):
        frame, level = frame.f_back, level + 1
    return level


def params_with_grad(group: dict[str, Any]) -> Iterable[tuple[Tensor, Tensor]]:
    """(parameter, gradient) for each parameter of ``group`` that has a gradient."""
    for p in group["params"]:
        g = p.grad
        if g is not None:
            yield p, g


def implementation_flags(name: str, differentiable: bool) -> None:
    """PyTorch's optimizers' implementation flags: ``foreach``, ``fused`` and ``capturable``
    choose among PyTorch's kernels for one update rule, and polytensor has one (they are
    accepted and change nothing); ``differentiable=True`` asks for a step recorded for autograd,
    which polytensor's optimizers do not record: refused rather than ignored.

    Example: ``implementation_flags("SGD", False)`` returns None.
    """
    if differentiable:
        raise NotImplementedError(
            f"{name}(differentiable=True): polytensor's optimizers update parameters under "
            f"no_grad and record no graph of the step; write the update with tensor operations "
            f"to differentiate through it"
        )
