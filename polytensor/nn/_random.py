"""Random numbers for ``polytensor.nn`` (initialisation and dropout masks).

Numbers come from polytensor's counter-based stream (``pt.manual_seed(seed)`` seeds the default
generator, as ``torch.manual_seed`` seeds PyTorch's layers; or pass ``generator=``) and are made
on the tensor's own backend: the same seed gives the same weights and masks on every backend,
and on Dask each chunk of a mask is drawn in its own task, in the chunks of the input.
"""

from __future__ import annotations

from typing import Any

from .._random import Generator, rand_like, randn_like
from .._tensor import Tensor
from ..backends import _host

__all__ = ["manual_seed", "normal_like", "uniform_like"]


def manual_seed(seed: int) -> Any:
    """Seed polytensor's default generator (``pt.manual_seed``); returns it."""
    from .._random import manual_seed as _manual_seed

    return _manual_seed(seed)


def _generator(gen: Any) -> Any:
    """A ``pt.Generator`` (None: the default one), or a NumPy ``Generator`` passed as it is;
    an int seeds a new ``pt.Generator``."""
    if gen is None or isinstance(gen, Generator) or _host.is_rng(gen):
        return gen
    if isinstance(gen, int) and not isinstance(gen, bool):
        return Generator().manual_seed(gen)
    raise TypeError(
        f"generator= expects a pt.Generator, a numpy.random.Generator or an int "
        f"seed; got {type(gen).__name__}"
    )


def _host_to(values: Any, like: Tensor) -> Tensor:
    from .._ops.creation import asarray

    return asarray(_host.host_array(values), dtype=like.dtype, device=like.device)


def uniform_like(like: Tensor, a: float, b: float, gen: Any = None) -> Tensor:
    """Values from U(a, b) with the shape, dtype, device and chunks of ``like``."""
    g = _generator(gen)
    if _host.is_rng(g):  # a NumPy generator given by the caller draws on the host
        return _host_to(g.uniform(a, b, tuple(like.shape)), like)
    u = rand_like(like, generator=g)
    return u if a == 0 and b == 1 else u * (b - a) + a  # (U(0, 1): dropout's draw, as it is)


def normal_like(like: Tensor, mean: float, std: float, gen: Any = None) -> Tensor:
    """Values from N(mean, std²) with the shape, dtype, device and chunks of ``like``."""
    g = _generator(gen)
    if _host.is_rng(g):
        return _host_to(g.normal(mean, std, tuple(like.shape)), like)
    return randn_like(like, generator=g) * std + mean
