"""Special functions (``pt.special``), differentiable on every backend: the functions SciPy's
array-API dispatch (``SCIPY_ARRAY_API=1``) looks up as ``xp.special.<name>``, so
``scipy.special.erf(x)`` of a tensor records the op and ``backward()`` goes through it.

Their forward uses SciPy where it is installed (``pip install 'polytensor[special]'``), else an
exact formula of the standard's functions (``expit``, ``logit``, ``softplus``, ``xlogy``,
``xlog1py``, ``entr``, ``sinc``); the others then raise NotImplementedError naming the extra.

Examples
--------
>>> import polytensor as pt
>>> x = pt.asarray([0.0, 1.0], requires_grad=True)
>>> pt.special.expit(x).sum().backward()
>>> x.grad
tensor([0.25      , 0.19661193], backend='numpy')
"""

from ._ops.special import (
    digamma,
    entr,
    erf,
    erfc,
    erfinv,
    expit,
    gammaln,
    i0,
    i0e,
    i1,
    i1e,
    log_ndtr,
    logit,
    ndtr,
    ndtri,
    polygamma,
    psi,
    sinc,
    softplus,
    xlog1py,
    xlogy,
)

__all__ = [
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfinv",
    "expit",
    "gammaln",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log_ndtr",
    "logit",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "sinc",
    "softplus",
    "xlog1py",
    "xlogy",
]
