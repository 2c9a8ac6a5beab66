"""Devices: a backend and one of that backend's devices (``numpy:cpu``, ``cupy:cuda:0``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from .backends import Backend

__all__ = ["Device", "native_name", "set_resolver"]

# How a device string becomes (backend, native device): ``_config.parse_device``, which knows
# the backends and the current one; set when ``_config`` loads (it sits above this module).
_resolve: Callable[[Any, str], tuple[Any, Any]] | None = None


def set_resolver(fn: Callable[[Any, str], tuple[Any, Any]]) -> None:
    """Install the function that ``Device("cpu")`` / ``Device("cuda", 0)`` resolve through.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor import _device
    >>> _device._resolve is not None
    True
    """
    global _resolve
    _resolve = fn


def native_name(native: Any) -> str:
    dev_id = getattr(native, "id", None)
    if isinstance(dev_id, int):  # cupy.cuda.Device
        return f"cuda:{dev_id}"
    name = getattr(native, "_device", None)  # array_api_strict.Device
    if isinstance(name, str):
        return name
    return str(native)


class Device:
    """A place tensors live: a backend and that backend's native device.

    ``str(device)`` is ``"<backend>:<device>"``; the standard's ``device=`` arguments and
    ``to_device()`` accept these objects and their strings.

    Examples
    --------
    >>> import polytensor as pt
    >>> d = pt.ones(2).device
    >>> str(d), d.backend.name
    ('numpy:cpu', 'numpy')
    >>> d == "numpy:cpu"
    True

    It is also PyTorch's ``torch.device``: ``pt.device("cpu")`` is the current backend's CPU
    device (NumPy's when the current backend is a GPU one), ``pt.device("cuda")``,
    ``pt.device("cuda:1")`` or ``pt.device("cuda", 1)`` a CuPy device; ``type`` and ``index``
    read as in PyTorch.

    >>> pt.device("cpu") == pt.ones(2).device, pt.device("cpu").type
    (True, 'cpu')
    """

    __slots__ = ("_name", "backend", "native")

    backend: Backend
    native: Any

    def __init__(self, backend: Backend | str | Device, native: Any = None) -> None:
        if isinstance(backend, Device):  # (pt.device(d): the same device, as PyTorch's)
            self.backend, self.native = backend.backend, backend.native
        elif isinstance(backend, str):  # PyTorch's torch.device("cuda:0") / ("cuda", 0)
            self.backend, self.native = _from_spec(backend, native)
        else:
            self.backend, self.native = backend, native
        self._name = f"{self.backend.name}:{native_name(self.native)}"

    @property
    def type(self) -> str:
        """PyTorch's device type: ``"cuda"`` for a CUDA device, else ``"cpu"``."""
        return "cuda" if native_name(self.native).startswith("cuda") else "cpu"

    @property
    def index(self) -> int | None:
        """PyTorch's device index: N of ``cuda:N``, None for a CPU device."""
        name = native_name(self.native)
        return int(name.split(":", 1)[1]) if name.startswith("cuda:") else None

    def __str__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"Device({self._name!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Device):
            return self._name == other._name
        if isinstance(other, str):
            return self._name == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._name)

    def __reduce__(self) -> tuple[Any, ...]:
        # (by name: a device pickles and copies as the string that names it; a CUDA device
        # named without CUDA as its spec, "cuda:1", to be named so again)
        if isinstance(cast(Any, self.backend), Unavailable):
            return (Device, (str(self.native),))
        return (Device, (self._name,))


class Unavailable:
    """The backend of a device named on a machine that cannot run it: ``pt.device("cuda:0")``
    without CUDA, which PyTorch lets a program make (D2L's ``gpu(i)`` helpers print them).
    Its name reads; anything done with it raises the RuntimeError that says why.

    Examples
    --------
    >>> from polytensor._device import Unavailable
    >>> u = Unavailable("cupy", "no CUDA device")
    >>> u.name
    'cupy'
    >>> u.zeros
    Traceback (most recent call last):
    ...
    RuntimeError: no CUDA device
    """

    __slots__ = ("message", "name")

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = message

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_") or attr in ("message", "name"):  # (copy, pickle, hasattr)
            raise AttributeError(attr)
        raise RuntimeError(self.message)


_CUDA_SPEC = re.compile(r"cuda(:\d+)?")


def _from_spec(spec: str, index: Any) -> tuple[Any, Any]:
    """``Device("cuda", 1)``, ``Device("cuda:1")``, ``Device("cpu")``: PyTorch's errors
    (``RuntimeError``) for a device that is not there."""
    text = spec.strip()
    if index is not None:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise RuntimeError(
                f"device() got index {index!r}; expected a non-negative int, as in "
                f"pt.device('cuda', 0)"
            )
        if ":" in text:
            raise RuntimeError(
                f"device() got {spec!r} with an index and index={index}; give the index once"
            )
        text = f"{text}:{index}"
    if _resolve is None:  # (only while the package itself is loading)
        raise RuntimeError("device() from a string needs polytensor to be imported")
    try:
        backend, native = _resolve(text, "device")
    except ImportError as e:  # the backend's library or device is missing
        message = f"device({spec!r}): {e}; pt.cuda.is_available() says whether CUDA can be used"
        if _CUDA_SPEC.fullmatch(text):  # (named, as PyTorch lets it be; refused when used)
            return Unavailable("cupy", message), text if ":" in text else "cuda:0"
        raise RuntimeError(message) from e
    except ValueError as e:
        raise RuntimeError(str(e)) from e
    if native is None:
        native = backend.default_device().native
    return backend, native
