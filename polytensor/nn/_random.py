"""Host random numbers for ``polytensor.nn`` (initialisation and dropout masks).

Numbers come from polytensor's default generator (``pt.manual_seed(seed)`` seeds it, as
``torch.manual_seed`` seeds PyTorch's layers), drawn on the host by NumPy and moved to the
tensor's backend with ``pt.asarray(..., device=x.device)``: the same seed gives the same
weights and masks on every backend.
"""

from __future__ import annotations

from typing import Any

from ..backends import _host

__all__ = ["generator", "host_to", "manual_seed"]


def manual_seed(seed: int) -> Any:
    """Seed polytensor's default generator (``pt.manual_seed``); returns it."""
    from .._random import manual_seed as _manual_seed

    return _manual_seed(seed)


def generator(gen: Any = None) -> Any:
    """The NumPy generator to draw from: that of ``gen`` (a ``pt.Generator``, a NumPy
    ``Generator`` or an int seed), else that of polytensor's default generator."""
    if gen is None:
        from .._random import default_generator

        return default_generator._rng
    if _host.is_rng(gen):
        return gen
    rng = getattr(gen, "_rng", None)
    if _host.is_rng(rng):
        return rng
    if isinstance(gen, int) and not isinstance(gen, bool):
        return _host.new_rng(gen)
    raise TypeError(
        f"generator= expects a pt.Generator, a numpy.random.Generator or an int "
        f"seed; got {type(gen).__name__}"
    )


def host_to(values: Any, like: Any) -> Any:
    """Host array ``values`` as a tensor with the dtype and device of tensor ``like``."""
    from .._ops.creation import asarray

    return asarray(_host.host_array(values), dtype=like.dtype, device=like.device)
