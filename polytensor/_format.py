"""``repr`` of tensors in PyTorch's style: ``tensor([1., 2.], backend='numpy')``."""

from __future__ import annotations

import operator
import sys
from typing import TYPE_CHECKING, Any

from . import _config
from ._tape import describe
from .backends import _host

if TYPE_CHECKING:
    from ._tensor import Tensor

_DEFAULT_SHOWN = {"int64", "bool"}

# pt.set_printoptions's choices (an absent one: polytensor's own default, NumPy's printing)
_OPTIONS: dict[str, Any] = {}
# PyTorch's profiles; "default" is polytensor's own defaults
_PROFILES: dict[str, dict[str, Any]] = {
    "default": {},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": sys.maxsize, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """PyTorch's ``torch.set_printoptions``: how ``repr`` and ``print`` show tensors' values
    from now on. ``precision``: digits after the point (all shown, as PyTorch's);
    ``threshold``: more elements than this are summarised with ``...`` (``float("inf")``:
    never); ``edgeitems``: the elements shown at each end of a summarised dimension;
    ``linewidth``: characters per line; ``sci_mode``: True or False forces or forbids
    scientific notation (None: chosen by the values); ``profile``: ``"default"``,
    ``"short"`` or ``"full"``, applied before the other options given. The options not given
    keep their values. polytensor's own defaults (``profile="default"``) are NumPy's
    printing, up to 8 digits with trailing zeros dropped, where PyTorch's show 4 digits.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.set_printoptions(precision=2)
    >>> pt.asarray([1.0, 2.3456])
    tensor([1.00, 2.35], backend='numpy')
    >>> pt.set_printoptions(profile="default")
    >>> pt.asarray([1.0, 2.3456])
    tensor([1.    , 2.3456], backend='numpy')
    """
    if profile is not None:
        if profile not in _PROFILES:
            # Note: PyTorch ignores an unknown profile
            raise ValueError(
                f"set_printoptions() got profile={profile!r}; expected 'default', 'short' or 'full'"
            )
        _OPTIONS.clear()
        _OPTIONS.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("edgeitems", edgeitems)):
        if value is not None:
            n = _count("set_printoptions", name, value)
            _OPTIONS[name] = n
    if threshold is not None:
        if threshold == float("inf"):
            _OPTIONS["threshold"] = sys.maxsize
        else:
            _OPTIONS["threshold"] = _count("set_printoptions", "threshold", threshold)
    if linewidth is not None:
        _OPTIONS["linewidth"] = _count("set_printoptions", "linewidth", linewidth, least=1)
    if sci_mode is not None:
        if not isinstance(sci_mode, bool):
            raise TypeError(
                f"set_printoptions() expects sci_mode True, False or None; got {sci_mode!r}"
            )
        _OPTIONS["sci_mode"] = sci_mode


def _count(where: str, name: str, value: Any, least: int = 0) -> int:
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError(f"{where}() expects {name} to be an int; got {value!r}") from None
    if n < least:
        raise ValueError(f"{where}() expects {name} >= {least}; got {n}")
    return n


def tensor_repr(t: Tensor) -> str:
    """The text ``print(t)`` shows; never computes a lazy tensor."""

    b = t._backend
    extras = []
    dtype = t.dtype
    if dtype.name not in _DEFAULT_SHOWN and dtype is not _config.DEFAULT_FLOAT.get():
        extras.append(f"dtype=polytensor.{dtype.name}")
    if b.lazy:
        body = f"<lazy shape={t.shape}>"
    else:
        body = _host.format_array(b.to_numpy(t._data), "tensor(", **_OPTIONS)
    # a backend with several devices shows which one; the others' single device says nothing
    extras.append(f"device='{t.device}'" if b.multi_device else f"backend='{b.name}'")
    extras.extend(describe(t))
    return f"tensor({body}, {', '.join(extras)})"
