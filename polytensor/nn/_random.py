"""The host random generator of ``polytensor.nn`` (initialisation and dropout masks).

Random numbers are drawn on the host with NumPy's ``default_rng`` and moved to the tensor's
backend with ``pt.asarray(..., device=x.device)``, so the same seed gives the same numbers on
every backend. ``nn.init.manual_seed(seed)`` reseeds it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["generator", "manual_seed", "host_to"]

_RNG: list[np.random.Generator] = [np.random.default_rng()]


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the generator used by ``nn.init`` and ``Dropout``; returns it."""
    _RNG[0] = np.random.default_rng(seed)
    return _RNG[0]


def generator(gen: Any = None) -> np.random.Generator:
    """``gen`` when given (a ``numpy.random.Generator`` or a seed), else the module's one."""
    if gen is None:
        return _RNG[0]
    if isinstance(gen, np.random.Generator):
        return gen
    return np.random.default_rng(gen)


def host_to(values: Any, like: Any) -> Any:
    """Host array ``values`` as a tensor with the dtype and device of tensor ``like``."""
    from .._ops.creation import asarray

    return asarray(np.asarray(values), dtype=like.dtype, device=like.device)
