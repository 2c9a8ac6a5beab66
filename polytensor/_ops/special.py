"""``polytensor.special``: the special functions SciPy's array-API dispatch looks up.

SciPy (with ``SCIPY_ARRAY_API=1``) calls ``xp.special.<name>`` when the array namespace ``xp`` has
one, so ``scipy.special.expit(x)`` on a tensor runs these ops and records them. Each is an op of
the table with its derivative rule, written with polytensor functions (so it differentiates
again); the forward runs on the backend through ``polytensor.backends._special`` (SciPy's ufuncs
where the extra ``polytensor[special]`` is installed, else a formula of the standard's
functions where one is exact).
"""

from __future__ import annotations

import math
from typing import Any

from . import elementwise as E
from ._registry import Function, op
from .creation import asarray, ones_like
from .searching import where

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
    "expit",
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
    "log_ndtr",
    "logit",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "sinc",
    "softplus",
    "stdtr",
    "stdtrit",
    "xlog1py",
    "xlogy",
    "zeta",
]

_RF = "real floating-point"
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _doc(fn: Function, summary: str, derivative: str, example: str) -> Function:
    fn.__doc__ = (
        f"{summary}\n\nAs ``scipy.special.{fn.__name__}``, on every backend; input dtypes: real "
        f"floating-point (integer and boolean inputs are computed in the default floating-point "
        f"dtype, as PyTorch's ``torch.special``). Derivative: {derivative} (reverse mode, any "
        f"order).\n\n"
        f"Examples\n--------\n>>> import polytensor as pt\n{example}\n"
    )
    return fn


def _unary(name: str, rule: Any, summary: str, derivative: str, example: str) -> Function:
    fn = op(
        f"special.{name}",
        "(x, /)",
        _RF,
        (rule,),
        module="polytensor.special",
        example=example,
        integers_as_float=True,
    )
    return _doc(fn, summary, derivative, example)


def _binary(
    name: str,
    rules: Any,
    summary: str,
    derivative: str,
    example: str,
    params: tuple[str, ...] = ("x", "y"),
) -> Function:
    """An op of ``len(params)`` (two or three) arrays, named as SciPy's parameters, promoted
    together; a Python scalar may stand for any of them."""
    fn = op(
        f"special.{name}",
        f"({', '.join(params)}, /)",
        (_RF,) * len(params),
        rules,
        inputs=params,
        promote=tuple(range(len(params))),
        scalars=True,
        scalar_inputs=tuple(range(len(params))),  # as the standard's binary functions
        module="polytensor.special",
        example=example,
        integers_as_float=True,
    )
    return _doc(fn, summary, derivative, example)


def _pt() -> Any:
    """The ops by their namespace names (``pt.special.i1``): rules that call an op declared
    further down this chapter look it up when they run."""
    from . import _all

    return _all


def _like(x: Any, *params: Any) -> tuple[Any, ...]:
    """``params`` with the Python numbers among them as 0-d tensors of ``x``'s dtype and device:
    the rules of ops that take a number for a parameter (``gammainc(2.0, x)``) compute with it
    through the table's unary functions, which take arrays only."""
    return tuple(
        asarray(p, dtype=x.dtype, device=x.device) if isinstance(p, (int, float)) else p
        for p in params
    )


def _safe(x: Any) -> Any:
    """``x`` with its zeros replaced by ones: a divisor for rules whose value at 0 is a limit."""
    return where(x == 0, 1.0, x)


# -- error function and the normal distribution ---------------------------------------------------
erf = _unary(
    "erf",
    lambda g, _out, x: g * (_TWO_OVER_SQRT_PI * E.exp(-x * x)),
    "The error function, 2/sqrt(pi) times the integral of exp(-t**2) from 0 to x.",
    "2/sqrt(pi) exp(-x**2)",
    ">>> pt.special.erf(pt.asarray([0.0]))\ntensor([0.], backend='numpy')",
)
erfc = _unary(
    "erfc",
    lambda g, _out, x: g * (-_TWO_OVER_SQRT_PI * E.exp(-x * x)),
    "The complementary error function, 1 - erf(x), accurate for large x.",
    "-2/sqrt(pi) exp(-x**2)",
    ">>> pt.special.erfc(pt.asarray([0.0]))\ntensor([1.], backend='numpy')",
)
erfcx = _unary(
    "erfcx",
    lambda g, out, x: g * (2.0 * x * out - _TWO_OVER_SQRT_PI),
    "The scaled complementary error function, exp(x**2) erfc(x), without overflow.",
    "2 x erfcx(x) - 2/sqrt(pi)",
    ">>> pt.special.erfcx(pt.asarray([0.0]))\ntensor([1.], backend='numpy')",
)
erfinv = _unary(
    "erfinv",
    lambda g, out, _x: g * ((math.sqrt(math.pi) / 2.0) * E.exp(out * out)),
    "The inverse of erf on (-1, 1).",
    "sqrt(pi)/2 exp(erfinv(x)**2)",
    ">>> pt.special.erfinv(pt.asarray([0.0]))\ntensor([0.], backend='numpy')",
)
ndtr = _unary(
    "ndtr",
    lambda g, _out, x: g * (E.exp(-0.5 * x * x) / _SQRT_2PI),
    "The standard normal distribution function (CDF).",
    "the normal density exp(-x**2/2)/sqrt(2 pi)",
    ">>> pt.special.ndtr(pt.asarray([0.0]))\ntensor([0.5], backend='numpy')",
)
log_ndtr = _unary(
    "log_ndtr",
    lambda g, out, x: g * E.exp(-0.5 * x * x - _LOG_SQRT_2PI - out),
    "The logarithm of the standard normal CDF, accurate far in the lower tail.",
    "density / ndtr(x), computed as exp(log density - log_ndtr(x))",
    ">>> pt.special.log_ndtr(pt.asarray([0.0])).shape\n(1,)",
)
ndtri = _unary(
    "ndtri",
    lambda g, out, _x: g * (_SQRT_2PI * E.exp(0.5 * out * out)),
    "The inverse of ndtr: the standard normal quantile function.",
    "sqrt(2 pi) exp(ndtri(x)**2/2)",
    ">>> pt.special.ndtri(pt.asarray([0.5]))\ntensor([0.], backend='numpy')",
)

# -- logistic -------------------------------------------------------------------------------------
expit = _unary(
    "expit",
    lambda g, out, _x: g * (out * (1.0 - out)),
    "The logistic sigmoid 1/(1 + exp(-x)).",
    "expit(x) (1 - expit(x))",
    ">>> pt.special.expit(pt.asarray([0.0]))\ntensor([0.5], backend='numpy')",
)
logit = _unary(
    "logit",
    # (NaN outside [0, 1], where logit itself is NaN, as PyTorch's: 1/(x (1 - x)) is a
    # finite number there, a gradient of nothing)
    lambda g, _out, x: g * where((x < 0.0) | (x > 1.0), math.nan, 1.0 / (x * (1.0 - x))),
    "The inverse of expit, log(x/(1 - x)).",
    "1/(x (1 - x)); NaN outside [0, 1]",
    ">>> pt.special.logit(pt.asarray([0.5]))\ntensor([0.], backend='numpy')",
)
softplus = _unary(
    "softplus",
    lambda g, _out, x: g * expit(x),
    "log(1 + exp(x)), without overflow.",
    "expit(x)",
    ">>> pt.special.softplus(pt.asarray([0.0])).shape\n(1,)",
)

# -- gamma function -------------------------------------------------------------------------------


def _polygamma_rule(g: Any, _out: Any, x: Any, *, n: int) -> Any:
    return g * _polygamma(x, n=n + 1)


_polygamma = op(
    "special.polygamma",
    "(x, /, *, n)",
    _RF,
    (_polygamma_rule,),
    module="polytensor.special",
    integers_as_float=True,
    example=">>> pt.special.polygamma(1, pt.asarray([1.0])).shape\n(1,)",
)


def polygamma(n: int, x: Any, /) -> Any:
    """The n-th derivative of digamma (``scipy.special.polygamma(n, x)``), for an int ``n >= 0``.

    Derivative: polygamma(n + 1, x) (reverse mode, any order).

    Examples
    --------
    >>> import polytensor as pt
    >>> round(float(pt.special.polygamma(1, pt.asarray([1.0], dtype=pt.float64))[0]), 12)
    1.644934066848
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise TypeError(f"polygamma() expects an int n >= 0; got {n!r}")
    return _polygamma(x, n=n)


digamma = _unary(
    "digamma",
    lambda g, _out, x: g * _polygamma(x, n=1),
    "The digamma function, the derivative of gammaln.",
    "polygamma(1, x)",
    ">>> pt.special.digamma(pt.asarray([1.0])).shape\n(1,)",
)
psi = digamma  # SciPy's name for digamma, the one its array-API dispatch looks up
gammaln = _unary(
    "gammaln",
    lambda g, _out, x: g * digamma(x),
    "The logarithm of the absolute value of the gamma function.",
    "digamma(x)",
    ">>> pt.special.gammaln(pt.asarray([1.0]))\ntensor([0.], backend='numpy')",
)


def _no_derivative(
    name: str, arg: str, why: str = "nor is PyTorch's", others: str = "the other one"
) -> Any:
    def rule(*_args: Any) -> Any:
        raise NotImplementedError(
            f"the derivative of special.{name} with respect to {arg} is not implemented ({why}); "
            f"detach that argument (x.detach()) to differentiate {others}"
        )

    return rule


def _gammainc_x(g: Any, _out: Any, a: Any, x: Any) -> Any:
    # the integrand of the regularised lower incomplete gamma function at x
    (a,) = _like(x, a)
    return g * E.exp((a - 1.0) * E.log(x) - x - gammaln(a))


gammainc = _binary(
    "gammainc",
    (_no_derivative("gammainc", "a (the first argument)"), _gammainc_x),
    "The regularised lower incomplete gamma function P(a, x).",
    "exp(-x) x**(a-1) / gamma(a) for x; none for a (as PyTorch's)",
    ">>> pt.special.gammainc(pt.asarray([1.0]), pt.asarray([0.0]))\ntensor([0.], backend='numpy')",
)
gammaincc = _binary(
    "gammaincc",
    (
        _no_derivative("gammaincc", "a (the first argument)"),
        lambda g, out, a, x: -_gammainc_x(g, out, a, x),
    ),
    "The regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x).",
    "-exp(-x) x**(a-1) / gamma(a) for x; none for a (as PyTorch's)",
    ">>> pt.special.gammaincc(pt.asarray([1.0]), pt.asarray([0.0]))\ntensor([1.], backend='numpy')",
)
zeta = _binary(
    "zeta",
    (
        _no_derivative("zeta", "x (the first argument)"),
        lambda g, _out, x, q: g * (-x) * _pt().special.zeta(x + 1.0, q),
    ),
    "The Hurwitz zeta function, the sum of (k + q)**-x over k = 0, 1, ... (``q = 1``: Riemann's).",
    "-x zeta(x + 1, q) for q; none for x (as PyTorch's)",
    ">>> pt.special.zeta(pt.asarray([2.0], dtype=pt.float64), 1.0)\n"
    "tensor([1.64493407], dtype=polytensor.float64, backend='numpy')",
)

# -- information theory ---------------------------------------------------------------------------
entr = _unary(
    "entr",
    lambda g, _out, x: g * (-(E.log(x) + 1.0)),
    "Elementwise entropy: -x log(x) for x > 0, 0 at 0, -inf below.",
    "-(log(x) + 1)",
    ">>> pt.special.entr(pt.asarray([1.0]))\ntensor([-0.], backend='numpy')",
)


# Note: as PyTorch, d/dx xlogy(x, y) is 0 where x == 0 (the value is 0 there whatever y is).
def _log_part(name: str, pole: float) -> Any:
    """The derivative of ``xlogy`` (``xlog1py``) in ``x``: ``log(y)`` (``log1p(y)``) wherever it
    is a number, at ``x == 0`` too, as the function is linear in ``x``; 0 where ``x == 0`` and
    ``y <= pole``, where the function is 0 and the logarithm is not a number, as PyTorch's. The
    logarithm is the function of 1 and ``y``: ``y`` may be a Python number, and SciPy's ufuncs
    compute it without a floating-point warning (on Dask, when computed later)."""

    def rule(g: Any, _out: Any, x: Any, y: Any) -> Any:
        log_y = getattr(_pt().special, name)(ones_like(x), y)
        return g * where((x == 0) & (y <= pole), 0.0, log_y)

    return rule


xlogy = _binary(
    "xlogy",
    (
        _log_part("xlogy", 0.0),
        lambda g, _out, x, y: g * x / y,
    ),
    "x * log(y), 0 where x == 0.",
    "log(y) for x (0 where x == 0 and y <= 0) and x/y for y",
    ">>> pt.special.xlogy(pt.asarray([0.0, 2.0]), pt.asarray([0.0, 1.0]))\n"
    "tensor([0., 0.], backend='numpy')",
)
xlog1py = _binary(
    "xlog1py",
    (
        _log_part("xlog1py", -1.0),
        lambda g, _out, x, y: g * x / (y + 1.0),
    ),
    "x * log1p(y), 0 where x == 0.",
    "log1p(y) for x (0 where x == 0 and y <= -1) and x/(1 + y) for y",
    ">>> pt.special.xlog1py(pt.asarray([0.0, 2.0]), pt.asarray([-1.0, 0.0]))\n"
    "tensor([0., 0.], backend='numpy')",
)

# -- the beta function and the distribution functions of SciPy's tests -------------------------
# scipy.stats computes p-values with these (pearsonr: betainc/betaincc; the t-tests: stdtr, and
# stdtrit for confidence intervals; f_oneway: fdtrc; chisquare: chdtrc). Their derivatives in the
# variable are the distributions' densities; in the shape parameters (degrees of freedom) they
# have no closed form, and neither SciPy nor PyTorch differentiates them.
_NO_CLOSED_FORM = "it has no closed form"


def _shape(name: str, arg: str, others: str = "the other one") -> Any:
    return _no_derivative(name, arg, _NO_CLOSED_FORM, others)


gamma = _unary(
    "gamma",
    lambda g, out, x: g * (out * digamma(x)),
    "The gamma function.",
    "gamma(x) digamma(x)",
    ">>> pt.special.gamma(pt.asarray([5.0]))\ntensor([24.], backend='numpy')",
)


def _beta_a(g: Any, _out: Any, a: Any, b: Any) -> Any:
    return g * (digamma(a) - digamma(a + b))


def _beta_b(g: Any, _out: Any, a: Any, b: Any) -> Any:
    return g * (digamma(b) - digamma(a + b))


betaln = _binary(
    "betaln",
    (_beta_a, _beta_b),
    "The logarithm of the absolute value of the beta function, B(a, b) = "
    "gamma(a) gamma(b) / gamma(a + b).",
    "digamma(a) - digamma(a + b) for a, digamma(b) - digamma(a + b) for b",
    ">>> pt.special.betaln(pt.asarray([1.0]), 1.0)\ntensor([0.], backend='numpy')",
    params=("a", "b"),
)
beta = _binary(
    "beta",
    (
        lambda g, out, a, b: _beta_a(g * out, out, a, b),
        lambda g, out, a, b: _beta_b(g * out, out, a, b),
    ),
    "The beta function B(a, b) = gamma(a) gamma(b) / gamma(a + b).",
    "B(a, b) (digamma(a) - digamma(a + b)) for a, and likewise for b",
    ">>> pt.special.beta(pt.asarray([2.0]), 2.0)\ntensor([0.16666667], backend='numpy')",
    params=("a", "b"),
)


def _beta_density(a: Any, b: Any, x: Any) -> Any:
    """x**(a-1) (1-x)**(b-1) / B(a, b), the derivative of betainc in x (xlogy: a = 1 at 0)."""
    a, b = _like(x, a, b)
    return E.exp(xlogy(a - 1.0, x) + xlog1py(b - 1.0, -x) - betaln(a, b))


_AB = "the other shape parameter or x"
betainc = _binary(
    "betainc",
    (
        _shape("betainc", "a (the first argument)", _AB),
        _shape("betainc", "b (the second argument)", _AB),
        lambda g, _out, a, b, x: g * _beta_density(a, b, x),
    ),
    "The regularised incomplete beta function I_x(a, b), the CDF of the beta distribution.",
    "x**(a-1) (1-x)**(b-1) / B(a, b) for x; none for a and b (no closed form)",
    ">>> pt.special.betainc(pt.asarray([1.0]), 1.0, 0.25)\ntensor([0.25], backend='numpy')",
    params=("a", "b", "x"),
)
betaincc = _binary(
    "betaincc",
    (
        _shape("betaincc", "a (the first argument)", _AB),
        _shape("betaincc", "b (the second argument)", _AB),
        lambda g, _out, a, b, x: -g * _beta_density(a, b, x),
    ),
    "The complement 1 - I_x(a, b) of the regularised incomplete beta function, accurate where "
    "I_x(a, b) is near 1.",
    "-x**(a-1) (1-x)**(b-1) / B(a, b) for x; none for a and b (no closed form)",
    ">>> pt.special.betaincc(pt.asarray([1.0]), 1.0, 0.25)\ntensor([0.75], backend='numpy')",
    params=("a", "b", "x"),
)


def _t_density(df: Any, t: Any) -> Any:
    """The density of Student's t distribution with ``df`` degrees of freedom at ``t``."""
    (df,) = _like(t, df)
    return E.exp(-0.5 * E.log(df) - betaln(0.5 * df, 0.5) - 0.5 * (df + 1.0) * E.log1p(t * t / df))


stdtr = _binary(
    "stdtr",
    (
        _shape("stdtr", "df (the first argument)"),
        lambda g, _out, df, t: g * _t_density(df, t),
    ),
    "The distribution function (CDF) of Student's t distribution with df degrees of freedom.",
    "the t density for t; none for df (no closed form)",
    ">>> pt.special.stdtr(pt.asarray([3.0]), 0.0)\ntensor([0.5], backend='numpy')",
    params=("df", "t"),
)
stdtrit = _binary(
    "stdtrit",
    (
        _shape("stdtrit", "df (the first argument)"),
        lambda g, out, df, _p: g / _t_density(df, out),
    ),
    "The inverse of stdtr in t: the quantile function of Student's t distribution.",
    "1 / the t density at stdtrit(df, p) for p; none for df (no closed form)",
    ">>> pt.special.stdtrit(pt.asarray([3.0]), 0.5)\ntensor([0.], backend='numpy')",
    params=("df", "p"),
)


def _f_density(dfn: Any, dfd: Any, x: Any) -> Any:
    """The density of the F distribution with ``dfn`` and ``dfd`` degrees of freedom at x."""
    dfn, dfd = _like(x, dfn, dfd)
    half_n = 0.5 * dfn
    return E.exp(
        half_n * E.log(dfn / dfd)
        + xlogy(half_n - 1.0, x)
        - 0.5 * (dfn + dfd) * E.log1p(dfn * x / dfd)
        - betaln(half_n, 0.5 * dfd)
    )


_DF = "the other degrees of freedom or x"
fdtr = _binary(
    "fdtr",
    (
        _shape("fdtr", "dfn (the first argument)", _DF),
        _shape("fdtr", "dfd (the second argument)", _DF),
        lambda g, _out, dfn, dfd, x: g * _f_density(dfn, dfd, x),
    ),
    "The distribution function (CDF) of the F distribution with dfn and dfd degrees of freedom.",
    "the F density for x; none for dfn and dfd (no closed form)",
    ">>> pt.special.fdtr(pt.asarray([2.0]), 2.0, 0.0)\ntensor([0.], backend='numpy')",
    params=("dfn", "dfd", "x"),
)
fdtrc = _binary(
    "fdtrc",
    (
        _shape("fdtrc", "dfn (the first argument)", _DF),
        _shape("fdtrc", "dfd (the second argument)", _DF),
        lambda g, _out, dfn, dfd, x: -g * _f_density(dfn, dfd, x),
    ),
    "The survival function 1 - fdtr(dfn, dfd, x) of the F distribution.",
    "minus the F density for x; none for dfn and dfd (no closed form)",
    ">>> pt.special.fdtrc(pt.asarray([2.0]), 2.0, 0.0)\ntensor([1.], backend='numpy')",
    params=("dfn", "dfd", "x"),
)

_LOG_2 = math.log(2.0)


def _chi2_density(v: Any, x: Any) -> Any:
    """The density of the chi-squared distribution with ``v`` degrees of freedom at ``x``."""
    (v,) = _like(x, v)
    half_v = 0.5 * v
    return E.exp(xlogy(half_v - 1.0, x) - 0.5 * x - half_v * _LOG_2 - gammaln(half_v))


chdtr = _binary(
    "chdtr",
    (
        _shape("chdtr", "v (the first argument)"),
        lambda g, _out, v, x: g * _chi2_density(v, x),
    ),
    "The distribution function (CDF) of the chi-squared distribution with v degrees of freedom.",
    "the chi-squared density for x; none for v (no closed form)",
    ">>> pt.special.chdtr(pt.asarray([2.0]), 0.0)\ntensor([0.], backend='numpy')",
    params=("v", "x"),
)
chdtrc = _binary(
    "chdtrc",
    (
        _shape("chdtrc", "v (the first argument)"),
        lambda g, _out, v, x: -g * _chi2_density(v, x),
    ),
    "The survival function 1 - chdtr(v, x) of the chi-squared distribution.",
    "minus the chi-squared density for x; none for v (no closed form)",
    ">>> pt.special.chdtrc(pt.asarray([2.0]), 0.0)\ntensor([1.], backend='numpy')",
    params=("v", "x"),
)

# -- modified Bessel functions --------------------------------------------------------------------
i0 = _unary(
    "i0",
    lambda g, _out, x: g * _pt().special.i1(x),
    "The modified Bessel function of the first kind of order 0.",
    "i1(x)",
    ">>> pt.special.i0(pt.asarray([0.0]))\ntensor([1.], backend='numpy')",
)
i0e = _unary(
    "i0e",
    lambda g, out, x: g * (_pt().special.i1e(x) - E.sign(x) * out),
    "exp(-|x|) i0(x), without overflow.",
    "i1e(x) - sign(x) i0e(x)",
    ">>> pt.special.i0e(pt.asarray([0.0]))\ntensor([1.], backend='numpy')",
)
# i1(x)/x -> 1/2 at 0, so both derivatives are 1/2 there
i1 = _unary(
    "i1",
    lambda g, out, x: g * where(x == 0, 0.5, i0(x) - out / _safe(x)),
    "The modified Bessel function of the first kind of order 1.",
    "i0(x) - i1(x)/x (1/2 at 0)",
    ">>> pt.special.i1(pt.asarray([0.0]))\ntensor([0.], backend='numpy')",
)
i1e = _unary(
    "i1e",
    lambda g, out, x: g * where(x == 0, 0.5, i0e(x) - out * (E.sign(x) + 1.0 / _safe(x))),
    "exp(-|x|) i1(x), without overflow.",
    "i0e(x) - i1e(x) (sign(x) + 1/x) (1/2 at 0)",
    ">>> pt.special.i1e(pt.asarray([0.0]))\ntensor([0.], backend='numpy')",
)


# -- other ----------------------------------------------------------------------------------------
def _sinc_rule(g: Any, out: Any, x: Any) -> Any:
    # (cos(pi x) - sinc(x)) / x cancels near 0 (and its derivative divides by x**2, which
    # underflows): there, the Taylor series of sinc', exact to 1e-13 for |x| < 1e-2
    small = E.abs(x) < 1e-2
    x2 = x * x
    series = x * (-(math.pi**2) / 3.0 + x2 * (math.pi**4 / 30.0 - x2 * (math.pi**6 / 840.0)))
    big = where(small, 1.0, x)
    # Note: + 0.0 makes the -0 of a negative g times the series' 0 at x = 0 the +0 PyTorch
    # gives there, and changes nothing else (a where(x == 0, 0.0, ...) would lose the second
    # derivative at 0, -pi^2/3 g). A NaN g gives NaN at 0 (PyTorch's gives 0 there).
    return g * where(small, series, (E.cos(math.pi * big) - out) / big) + 0.0


sinc = _unary(
    "sinc",
    _sinc_rule,
    "The normalised sinc function sin(pi x)/(pi x), 1 at 0.",
    "(cos(pi x) - sinc(x))/x (its Taylor series near 0)",
    ">>> pt.special.sinc(pt.asarray([0.0]))\ntensor([1.], backend='numpy')",
)


# -- GELU, as PyTorch's F.gelu --------------------------------------------------------------------
# x * Phi(x) (approximate="none", Phi(x) = (1 + erf(x / sqrt(2))) / 2) or its tanh approximation
# 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3))), in one op for speed: the composite is six
# to ten nodes and as many passes each way, where PyTorch's is one kernel. Its derivative is
# one op too, _gelu_backward(g, x) = g * gelu'(x), linear in g, whose rules (g: itself again;
# x: g * gelu''(x), written with the table's functions) give higher derivatives. The exact
# GELU's CDF costs an erf, which SciPy computes an element at a time (~10 ns each, where NumPy's
# exp takes 0.5): F.gelu passes ``keep``, an empty list, when a gradient will be wanted, and a
# backend that computes the CDF puts it there; the first-order backward then takes it as
# ``cdf`` instead of computing erf again.
_SQRT_HALF = math.sqrt(0.5)
_TANH_BETA = math.sqrt(2.0 / math.pi)
_TANH_KAPPA = 0.044715


def _gelu_second(x: Any, approximate: str) -> Any:
    """gelu''(x): phi(x) (2 - x**2) for the exact GELU (phi the normal density); for the tanh
    form, with t = tanh(u), u = beta (x + kappa x**3): (1 - t**2) (u' + x (u'' - 2 t u'**2) / 2)."""
    x2 = x * x
    if approximate == "tanh":
        t = E.tanh(_TANH_BETA * (x + _TANH_KAPPA * (x2 * x)))
        du = _TANH_BETA * (1.0 + (3.0 * _TANH_KAPPA) * x2)
        ddu = (6.0 * _TANH_BETA * _TANH_KAPPA) * x
        return (1.0 - t * t) * (du + 0.5 * x * (ddu - 2.0 * t * (du * du)))
    return E.exp(-0.5 * x2) * (1.0 / _SQRT_2PI) * (2.0 - x2)


def _gelu_rule(g: Any, _out: Any, x: Any, approximate: str, keep: Any) -> Any:
    return _gelu_backward(g, x, approximate=approximate)


def _gelu_backward_g(gg: Any, _out: Any, _g: Any, x: Any, approximate: str, cdf: Any) -> Any:
    return _gelu_backward(gg, x, approximate=approximate)


def _gelu_backward_x(gg: Any, _out: Any, g: Any, x: Any, approximate: str, cdf: Any) -> Any:
    return gg * g * _gelu_second(x, approximate)


_gelu = op(
    "_gelu", "(x, /, *, approximate, keep=None)", _RF, (_gelu_rule,), module="polytensor.special"
)
_gelu_backward = op(
    "_gelu_backward",
    "(g, x, /, *, approximate, cdf=None)",
    (_RF, _RF),
    (_gelu_backward_g, _gelu_backward_x),
    inputs=("g", "x"),
    module="polytensor.special",
)
