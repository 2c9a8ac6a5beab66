"""PyTorch's ``torch.poisson``: Poisson numbers of per-element rates, from the counter-based
stream, so a seed gives the same numbers on every backend (lazily, chunk by chunk, on Dask).

Each element is drawn from uniform numbers of its own (``_CANDIDATES`` pairs): a rate below 10
by inversion of its distribution function (summed over 0 to ``_SMALL_TOP``, beyond which the
probability is below 1e-20), a larger one by Hörmann's transformed rejection (PTRS, NumPy's
method), taking the first of its candidates accepted; each is accepted with probability above
0.85, so all ``_CANDIDATES`` are rejected with probability below 1e-13, and the first
candidate's number is then kept.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from . import _dtypes as dt
from . import _random
from ._ops import statistical
from ._ops.creation import arange
from ._ops.data_types import astype
from ._ops.elementwise import abs as _abs
from ._ops.elementwise import exp, floor, log, logical_and, logical_or, maximum, sqrt
from ._ops.indexing import check_range, take_along_axis
from ._ops.manipulation import expand_dims, squeeze
from ._ops.searching import argmax, where
from ._ops.special import gammaln
from ._pytorch import _tensor_arg

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["poisson"]

_CANDIDATES = 16
_SMALL = 10.0  # (below it: inversion; from it: PTRS, as NumPy's)
_SMALL_TOP = 60


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """PyTorch's ``torch.poisson(rates, generator=None)``: a Poisson random number of rate
    ``rates[i]`` (a real floating tensor of non-negative, finite rates) at each position, in
    the rates' dtype; the rates get a zero gradient, as PyTorch's. Negative or NaN rates are
    refused (``DataValueError``, a ``RuntimeError`` as PyTorch's; on Dask checked inside the
    graph, so the error comes when the result is computed). Note: PyTorch gives a meaningless
    number for an infinite rate; polytensor refuses it.

    Examples
    --------
    >>> import polytensor as pt
    >>> _ = pt.manual_seed(0)
    >>> counts = pt.poisson(pt.full((1000,), 4.0))
    >>> bool((counts == counts.floor()).all()), abs(float(counts.mean()) - 4.0) < 0.3
    (True, True)
    """
    _tensor_arg("poisson", input)
    if input.dtype.kind != "real floating":
        raise TypeError(
            f"poisson() takes rates of a real floating dtype; got {input.dtype.name}: cast them "
            f"with rates.float()"
        )
    # (eagerly, or on a lazy backend inside the graph: refused when computed)
    rates = check_range(
        astype(input.detach(), dt.float64),
        low=0.0,
        high=sys.float_info.max,  # (infinity lies outside)
        message="poisson() expects non-negative, finite rates; got a negative, NaN or infinite "
        "one: clamp them with rates.clamp(min=0), and replace NaN and infinite ones",
    )
    shape, _, device, chunks = _random._like("poisson", input, None, None)
    if chunks is not None:
        chunks = (*chunks, (_CANDIDATES,), (2,))
    draws = _random._draw(
        "poisson", "uniform", (), (*shape, _CANDIDATES, 2), dt.float64, device, generator, chunks
    )
    small = _inverted(rates, draws[..., 0, 0])
    large = _ptrs(rates, draws)
    counts = where(rates < _SMALL, small, large)
    return _random._zero_grad_of(astype(counts, input.dtype), input)


def _inverted(rates: Any, u: Any) -> Any:
    """The smallest k with P(X <= k) >= u, for X Poisson of the rates below ``_SMALL``."""
    lam = expand_dims(where(logical_and(rates > 0, rates < _SMALL), rates, 1.0), axis=-1)
    k = arange(_SMALL_TOP + 1, dtype=dt.float64, device=rates.device)
    pmf = exp(k * log(lam) - lam - gammaln(k + 1.0))
    cdf = statistical.cumulative_sum(pmf, axis=-1)
    below = statistical.sum(astype(cdf < expand_dims(u, axis=-1), dt.float64), axis=-1)
    return where(rates > 0, below, 0.0)


def _ptrs(rates: Any, draws: Any) -> Any:
    """Hörmann's PTRS for the rates from ``_SMALL``: each element's first accepted candidate."""
    lam = expand_dims(where(rates >= _SMALL, rates, _SMALL), axis=-1)
    slam, loglam = sqrt(lam), log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    u = draws[..., 0] - 0.5
    v = maximum(draws[..., 1], 1e-300)  # (log(0): never needed, as V = 0 is accepted below)
    us = maximum(0.5 - _abs(u), 1e-300)
    k = floor((2.0 * a / us + b) * u + lam + 0.43)
    quick = logical_and(us >= 0.07, v <= vr)
    kk = maximum(k, 0.0)
    exact = log(v) + log(invalpha) - log(a / (us * us) + b) <= -lam + kk * loglam - gammaln(
        kk + 1.0
    )
    refused = logical_or(k < 0, logical_and(us < 0.013, v > us))
    accepted = logical_or(quick, logical_and(~refused, exact))
    # (the first accepted candidate; none accepted: argmax's 0, the first's number)
    first = argmax(astype(accepted, dt.int64), axis=-1, keepdims=True)
    return squeeze(take_along_axis(kk, first, axis=-1), axis=-1)
