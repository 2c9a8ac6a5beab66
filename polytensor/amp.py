"""PyTorch's automatic mixed precision, ``torch.amp``: ``autocast`` and ``GradScaler``, as a
training loop written for PyTorch calls them.

polytensor has no 16-bit floating-point dtypes, so ``autocast`` computes in the tensors' own
dtypes (a program autocast to float16 or bfloat16 in PyTorch gets float32 results here, more
precise and of the same values up to rounding). ``GradScaler`` is PyTorch's: it multiplies the
loss by a scale, divides the gradients by it before the step, skips a step whose gradients are
not finite and lowers the scale then, and raises it after ``growth_interval`` finite steps.
Made for ``"cuda"`` without a CUDA device it turns itself off, as PyTorch's does (with its
warning), and ``scale``, ``step`` and ``update`` pass through.

Examples
--------
>>> import polytensor as pt
>>> w = pt.ones(2, requires_grad=True)
>>> opt = pt.optim.SGD([w], lr=0.1)
>>> scaler = pt.amp.GradScaler("cpu")
>>> with pt.autocast("cpu"):
...     loss = (w * w).sum()
>>> scaler.scale(loss).backward()
>>> scaler.step(opt)
>>> scaler.update()
>>> w
tensor([0.8, 0.8], backend='numpy', requires_grad=True)
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, Self, TypeVar, cast

from . import _dtypes as dt
from ._tensor_base import TensorBase

__all__ = ["GradScaler", "autocast"]

F = TypeVar("F", bound=Callable[..., Any])
_DEVICE_TYPES = ("cpu", "cuda", "xpu", "mps", "hpu", "mtia", "xla", "ipu", "meta")


class autocast:
    """``with pt.autocast(device_type, dtype=None, enabled=True):`` (or as a decorator), as
    PyTorch's: the block's operations run in their tensors' own dtypes, polytensor having no
    float16 or bfloat16 (see the module's note). The arguments are checked as PyTorch checks
    them.

    Examples
    --------
    >>> import polytensor as pt
    >>> with pt.autocast(device_type="cpu"):
    ...     y = pt.ones((2, 2)) @ pt.ones((2, 2))
    >>> y.dtype
    polytensor.float32
    """

    def __init__(
        self,
        device_type: str,
        dtype: Any = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise TypeError(
                f"Expected `device_type` of type `str`, got: `{type(device_type).__name__}`; "
                f"pass 'cpu' or 'cuda'"
            )
        if device_type.split(":", maxsplit=1)[0] not in _DEVICE_TYPES:
            raise RuntimeError(
                f"autocast(): unknown device type {device_type!r}; expected one of "
                f"{', '.join(_DEVICE_TYPES)}"
            )
        if dtype is not None and not isinstance(dtype, dt.DType):
            raise TypeError(f"autocast() expects a dtype= such as pt.float32; got {dtype!r}")
        for name, v in (("enabled", enabled), ("cache_enabled", cache_enabled)):
            if v is not None and not isinstance(v, bool):
                raise TypeError(f"autocast() expects a bool {name}=; got {v!r}")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = enabled

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class GradScaler:
    """PyTorch's ``torch.amp.GradScaler(device, init_scale, growth_factor, backoff_factor,
    growth_interval, enabled)``: ``scale(loss)``, ``unscale_(optimizer)``,
    ``step(optimizer)``, ``update()``, ``get_scale()``, ``state_dict()``, with PyTorch's
    arithmetic (see the module's note).

    Examples
    --------
    >>> import polytensor as pt
    >>> scaler = pt.amp.GradScaler("cpu", init_scale=4.0)
    >>> scaler.scale(pt.asarray(2.0))
    tensor(8., backend='numpy')
    >>> scaler.get_scale()
    4.0
    """

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        if not isinstance(enabled, bool):
            raise TypeError(f"GradScaler() expects a bool enabled=; got {enabled!r}")
        if enabled and device == "cuda":
            from . import cuda

            if not cuda.is_available():
                warnings.warn(
                    "GradScaler is enabled, but CUDA is not available.  Disabling.",
                    UserWarning,
                    stacklevel=2,
                )
                enabled = False
        if enabled:
            if not growth_factor > 1.0:
                raise ValueError(f"The growth factor must be > 1.0; got {growth_factor}")
            if not 0.0 < backoff_factor < 1.0:
                raise ValueError(f"The backoff factor must be < 1.0; got {backoff_factor}")
            if isinstance(growth_interval, bool) or not isinstance(growth_interval, int):
                raise TypeError(f"growth_interval must be an int; got {growth_interval!r}")
        self._device = device
        self._enabled = enabled
        self._scale = float(init_scale)
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = growth_interval
        self._growth_tracker = 0
        # id(optimizer) -> "unscaled" or "stepped", and whether its gradients held inf or NaN
        self._stage: dict[int, str] = {}
        self._found_inf: dict[int, bool] = {}

    def is_enabled(self) -> bool:
        """Whether the scaler scales (False when made disabled, or for CUDA without one)."""
        return self._enabled

    def get_scale(self) -> float:
        """The current scale (1.0 when disabled)."""
        return self._scale if self._enabled else 1.0

    def get_growth_factor(self) -> float:
        """The factor the scale grows by after ``growth_interval`` finite steps."""
        return self._growth_factor

    def get_backoff_factor(self) -> float:
        """The factor the scale shrinks by after a step with inf or NaN gradients."""
        return self._backoff_factor

    def get_growth_interval(self) -> int:
        """How many finite steps in a row make the scale grow."""
        return self._growth_interval

    def scale(self, outputs: Any) -> Any:
        """``outputs`` (a tensor, or lists and tuples of them) times the scale; themselves
        when disabled."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, TensorBase):
            return cast("Any", outputs) * self._scale
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        raise ValueError(
            f"outputs must be a Tensor or an iterable of Tensors; got {type(outputs).__name__}"
        )

    def unscale_(self, optimizer: Any) -> None:
        """Divide the gradients of ``optimizer``'s parameters by the scale, in place, and note
        whether any holds inf or NaN (once per optimizer between two ``update()`` calls)."""
        if not self._enabled:
            return
        stage = self._stage.get(id(optimizer))
        if stage == "unscaled":
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if stage == "stepped":
            raise RuntimeError("unscale_() is being called after step().")
        from ._ops.elementwise import isfinite, logical_not, logical_or
        from ._ops.statistical import any as any_
        from .autograd import no_grad

        inv = 1.0 / self._scale
        bad: Any = None
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    g = p.grad
                    if g is None:
                        continue
                    g.mul_(inv)
                    found = any_(logical_not(isfinite(g)))
                    bad = found if bad is None else logical_or(bad, found)
        # (one read of them all)
        self._found_inf[id(optimizer)] = bad is not None and bool(bad)
        self._stage[id(optimizer)] = "unscaled"

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """``optimizer.step(*args, **kwargs)`` on unscaled gradients, skipped (returning None)
        if any is inf or NaN; the step itself when disabled."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        if self._stage.get(id(optimizer)) == "stepped":
            raise RuntimeError("step() has already been called since the last update().")
        if self._stage.get(id(optimizer)) != "unscaled":
            self.unscale_(optimizer)
        result = None if self._found_inf[id(optimizer)] else optimizer.step(*args, **kwargs)
        self._stage[id(optimizer)] = "stepped"
        return result

    def update(self, new_scale: Any = None) -> None:
        """Set the scale for the next iteration: ``new_scale`` if given, else lowered by
        ``backoff_factor`` if a step this iteration found inf or NaN, raised by
        ``growth_factor`` after ``growth_interval`` finite ones."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale)
        elif not self._found_inf:
            raise RuntimeError("No inf checks were recorded prior to update.")
        elif any(self._found_inf.values()):
            self._scale *= self._backoff_factor
            self._growth_tracker = 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                self._scale *= self._growth_factor
                self._growth_tracker = 0
        self._stage.clear()
        self._found_inf.clear()

    def state_dict(self) -> dict[str, Any]:
        """The scale and its settings (empty when disabled), as PyTorch's."""
        if not self._enabled:
            return {}
        return {
            "scale": self._scale,
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Take back what ``state_dict()`` gave."""
        if not self._enabled:
            return
        if not state_dict:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        self._scale = float(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])
