# mypy: disable-error-code="no-untyped-call"
# (dask ships no type annotations)
"""The forward computations of ``polytensor.special`` on any backend.

``Backend.resolve("special.<name>")`` comes here. In order of preference:

1. the library's own special functions, where it has them: SciPy's ufuncs for NumPy arrays,
   the same ufuncs block by block for Dask (lazy: a task per chunk), ``cupyx.scipy.special`` for
   CuPy;
2. on other eager backends (array-api-strict, plug-ins), SciPy on a host copy of the data;
3. a formula in the standard's functions (``expit``, ``logit``, ``softplus``, ``xlogy``,
   ``xlog1py``, ``entr``, ``sinc``), which runs on any backend, lazily and on its device (and
   is what ``sinc`` always uses: it is exact, and NumPy's own);
4. otherwise a NotImplementedError that names the optional extra (``polytensor[special]``).

Results keep the floating dtype of the (promoted) inputs, as the standard's element-wise
functions do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._backend import Backend

__all__ = ["NAMES", "special_function"]

# Every function of polytensor.special whose forward this module provides.
NAMES = (
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
    "sinc",
    "softplus",
    "stdtr",
    "stdtrit",
    "xlog1py",
    "xlogy",
    "zeta",
)


def _formulas(xp: Any) -> dict[str, Callable[..., Any]]:
    """The functions that have an exact formula in the standard's functions (of ``xp``)."""

    def expit(x: Any) -> Any:
        # exp(-|x|) never overflows: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def logit(x: Any) -> Any:
        return xp.log(x) - xp.log1p(-x)

    def softplus(x: Any) -> Any:
        return xp.logaddexp(xp.zeros_like(x), x)

    def xlogy(x: Any, y: Any) -> Any:
        safe = xp.where(x == 0, xp.ones_like(y), y)
        return xp.where((x == 0) & ~xp.isnan(y), xp.zeros_like(x * safe), x * xp.log(safe))

    def xlog1py(x: Any, y: Any) -> Any:
        safe = xp.where(x == 0, xp.zeros_like(y), y)
        return xp.where((x == 0) & ~xp.isnan(y), xp.zeros_like(x * safe), x * xp.log1p(safe))

    def entr(x: Any) -> Any:
        safe = xp.where(x > 0, x, xp.ones_like(x))
        return xp.where(
            x > 0,
            -safe * xp.log(safe),
            xp.where(
                x == 0, xp.zeros_like(x), xp.where(xp.isnan(x), x, xp.full_like(x, -math.inf))
            ),
        )

    def sinc(x: Any) -> Any:
        y = math.pi * xp.where(x == 0, xp.full_like(x, 1e-20), x)
        return xp.where(x == 0, xp.ones_like(x), xp.sin(y) / y)

    return {
        "expit": expit,
        "logit": logit,
        "softplus": softplus,
        "xlogy": xlogy,
        "xlog1py": xlog1py,
        "entr": entr,
        "sinc": sinc,
    }


def _scipy(name: str) -> Callable[..., Any] | None:
    """SciPy's function ``name`` (None if SciPy is not installed); sinc is NumPy's, not a ufunc
    (Dask cannot map it), and the formula is exact."""
    if name == "sinc":
        return None
    try:
        import scipy.special as sc
    except ImportError:
        return None
    return getattr(sc, name, None)


def _missing_extra(name: str, backend: str) -> Callable[..., Any]:
    def raiser(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"special.{name}() on the {backend} backend needs SciPy; install the extra with "
            f"pip install 'polytensor[special]' (scipy>=1.11)"
        )

    raiser.missing = True  # type: ignore[attr-defined]
    return raiser


def _keep_dtype(fn: Callable[..., Any], backend: Backend) -> Callable[..., Any]:
    """``fn`` on native arrays, its result cast to the arrays' promoted dtype (SciPy's polygamma
    computes float32 in float64, its xlogy of float32 and float64 gives float32); NumPy scalars
    become arrays."""

    def call(*args: Any, **kwargs: Any) -> Any:
        dtype = _result_dtype(backend, args)
        out = fn(*args, **kwargs)
        if getattr(out, "dtype", None) != dtype:
            out = backend.xp.astype(backend.as_array(out), dtype)
        return out

    return call


def _result_dtype(backend: Backend, args: tuple[Any, ...]) -> Any:
    """The standard's promotion of the arrays among ``args`` (the table promoted the kinds)."""
    arrays = [a for a in args if hasattr(a, "dtype")]
    if len(arrays) == 1:
        return arrays[0].dtype
    return backend.xp.result_type(*arrays)


def _blockwise(fn: Callable[..., Any], backend: Backend) -> Callable[..., Any]:
    """A NumPy function applied block by block to Dask arrays: one lazy task per chunk."""

    def call(*args: Any, **kwargs: Any) -> Any:
        from dask.array.core import elemwise

        dtype = _result_dtype(backend, args)

        def block(*blocks: Any, **kw: Any) -> Any:
            return fn(*blocks, **kw).astype(dtype, copy=False)

        return elemwise(block, *args, dtype=dtype, **kwargs)

    return call


def _on_host(fn: Callable[..., Any], backend: Backend) -> Callable[..., Any]:
    """A NumPy function on a host copy of an eager backend's arrays, the result moved back."""

    def call(*args: Any, **kwargs: Any) -> Any:
        like = next(a for a in args if hasattr(a, "dtype"))
        host = [backend.to_numpy(a) if hasattr(a, "dtype") else a for a in args]
        out = fn(*host, **kwargs)
        import numpy as np

        dtype = np.result_type(*(h for h in host if hasattr(h, "dtype")))
        device = backend.device_of(like) if backend.multi_device else None
        return backend.from_numpy(out.astype(dtype), device)

    return call


def _polygamma(fn: Callable[..., Any]) -> Callable[..., Any]:
    # The table passes n by keyword; SciPy's polygamma takes it first and positionally.
    return lambda x, *, n: fn(n, x)


def special_function(backend: Backend, name: str) -> Callable[..., Any]:
    """The native function computing ``polytensor.special.<name>`` on ``backend``'s arrays.

    Examples
    --------
    >>> import numpy as np
    >>> import polytensor as pt
    >>> from polytensor.backends._special import special_function
    >>> expit = special_function(pt.backends.get("numpy"), "expit")
    >>> float(expit(np.asarray(0.0)))
    0.5
    """
    if name not in NAMES:
        raise AttributeError(f"polytensor.special has no function {name!r}")
    native = _native(backend, name)
    if native is not None:
        if name == "polygamma":
            native = _polygamma(native)
        return _keep_dtype(native, backend) if name != "sinc" else native
    host = _scipy(name) if not backend.lazy else None
    if host is not None:  # SciPy's accuracy, at the cost of a copy to the host and back
        return _on_host(_polygamma(host) if name == "polygamma" else host, backend)
    formula = _formulas(backend.xp).get(name)
    if formula is not None:
        return formula
    return _missing_extra(name, backend.name)


def _native(backend: Backend, name: str) -> Callable[..., Any] | None:
    """The library's own function for ``name`` on ``backend``, if it has one."""
    if backend.name == "numpy":
        return _scipy(name)
    if backend.name == "dask":
        fn = _scipy(name)
        return None if fn is None or name == "softplus" else _blockwise(fn, backend)
    if backend.name == "cupy":
        try:
            import cupyx.scipy.special as cs
        except ImportError:
            return None
        return getattr(cs, name, None)
    return None
