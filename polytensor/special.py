"""Special functions (``pt.special``), differentiable on every backend: the functions SciPy's
array-API dispatch (``SCIPY_ARRAY_API=1``) looks up as ``xp.special.<name>``, so
``scipy.special.erf(x)`` of a tensor records the op and ``backward()`` goes through it.

Their forward uses SciPy where it is installed (``pip install 'polytensor[special]'``), else an
exact formula of the standard's functions (``expit``, ``logit``, ``softplus``, ``xlogy``,
``xlog1py``, ``entr``, ``sinc``); the others then raise NotImplementedError naming the extra.

``torch.special``'s other names are here too: ``logit(x, eps=)``, ``multigammaln``,
``logsumexp``, ``softmax``, ``log_softmax``, ``expm1``, ``exp2``, ``log1p`` and ``round`` (the
namespace's functions).

Examples
--------
>>> import polytensor as pt
>>> x = pt.asarray([0.0, 1.0], requires_grad=True)
>>> pt.special.expit(x).sum().backward()
>>> x.grad
tensor([0.25      , 0.19661193], backend='numpy')
"""

from typing import Any

from ._ops.elementwise import expm1, log1p
from ._ops.special import (
    beta,
    betainc,
    betaincc,
    betaln,
    chdtr,
    chdtrc,
    digamma,
    entr,
    erf,
    erfc,
    erfcx,
    erfinv,
    expit,
    fdtr,
    fdtrc,
    gamma,
    gammainc,
    gammaincc,
    gammaln,
    i0,
    i0e,
    i1,
    i1e,
    log_ndtr,
    ndtr,
    ndtri,
    polygamma,
    psi,
    sinc,
    softplus,
    stdtr,
    stdtrit,
    xlog1py,
    xlogy,
    zeta,
)
from ._ops.special import logit as _logit
from ._pytorch import log_softmax, logsumexp, round, softmax
from ._pytorch_math import exp2
from ._pytorch_math import logit as _torch_logit
from ._pytorch_numbers import mvlgamma

__all__ = [
    "beta",
    "betainc",
    "betaincc",
    "betaln",
    "chdtr",
    "chdtrc",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "fdtr",
    "fdtrc",
    "gamma",
    "gammainc",
    "gammaincc",
    "gammaln",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "sinc",
    "softmax",
    "softplus",
    "stdtr",
    "stdtrit",
    "xlog1py",
    "xlogy",
    "zeta",
]


def logit(x: Any, /, eps: float | None = None) -> Any:
    """The inverse of expit, ``log(x/(1 - x))`` (``scipy.special.logit``); with ``eps``
    (``torch.special.logit``), ``x`` is first clamped to ``[eps, 1 - eps]``.

    Derivative: 1/(x (1 - x)), 0 outside ``[eps, 1 - eps]`` (reverse mode, any order).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.special.logit(pt.asarray([0.5]))
    tensor([0.], backend='numpy')
    >>> pt.special.logit(pt.asarray([0.0, 0.5]), eps=0.25)
    tensor([-1.0986123,  0.       ], backend='numpy')
    """
    return _logit(x) if eps is None else _torch_logit(x, eps=eps)


def multigammaln(input: Any, p: int) -> Any:
    """The logarithm of the multivariate gamma function of dimension ``p``
    (``torch.special.multigammaln``, ``scipy.special.multigammaln``; ``pt.mvlgamma``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.special.multigammaln(pt.asarray([2.0], dtype=pt.float64), 3)
    tensor([1.59631259], dtype=polytensor.float64, backend='numpy')
    """
    return mvlgamma(input, p)
