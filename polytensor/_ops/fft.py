"""The standard's ``fft`` extension."""

from __future__ import annotations

import operator
from typing import Any

from .. import _config
from .. import _dtypes as dt
from ._registry import op

_X = ">>> import polytensor as pt\n>>> x = pt.asarray([1.0, 2.0, 1.0, 0.0])\n"
_ONE = "(x, /, *, n=None, axis=-1, norm='backward')"
_ND = "(x, /, *, s=None, axes=None, norm='backward')"


def _fop(name: str, sig: str, category: str) -> Any:
    # TODO(#3): derivative rules of the fft functions.
    return op(f"fft.{name}", sig, category, None, module="polytensor.fft",
              example=_X + f">>> y = pt.fft.{name}(x{', axes=(0,)' if 'axes' in sig else ''})")


fft = _fop("fft", _ONE, "complex floating-point")
ifft = _fop("ifft", _ONE, "complex floating-point")
fftn = _fop("fftn", _ND, "complex floating-point")
ifftn = _fop("ifftn", _ND, "complex floating-point")
rfft = _fop("rfft", _ONE, "real floating-point")
irfft = _fop("irfft", _ONE, "complex floating-point")
rfftn = _fop("rfftn", _ND, "real floating-point")
irfftn = _fop("irfftn", _ND, "complex floating-point")
hfft = _fop("hfft", _ONE, "complex floating-point")
ihfft = _fop("ihfft", _ONE, "real floating-point")
fftshift = op("fft.fftshift", "(x, /, *, axes=None)", "numeric",
              lambda g, out, x, axes: (ifftshift(g, axes=axes),), module="polytensor.fft",
              example=_X + ">>> pt.fft.fftshift(x)\ntensor([1., 0., 1., 2.], backend='numpy')")
ifftshift = op("fft.ifftshift", "(x, /, *, axes=None)", "numeric",
               lambda g, out, x, axes: (fftshift(g, axes=axes),), module="polytensor.fft",
               example=_X + ">>> pt.fft.ifftshift(x)\ntensor([1., 0., 1., 2.], backend='numpy')")


def _freq(name: str, n: int, d: float, dtype: Any, device: Any) -> Any:
    from .._dispatch import wrap_new
    from .creation import _dev_kw, _target

    n = operator.index(n)
    if dtype is not None and dtype not in (dt.float32, dt.float64):
        raise TypeError(f"fft.{name}() expects a real floating-point dtype; got {dtype!r}")
    backend, native = _target(device, f"fft.{name}")
    d_ = dtype if dtype is not None else _config.DEFAULT_FLOAT.get()
    kw = _dev_kw(backend, native)
    kw.pop("chunks", None)
    fn = getattr(backend.xp.fft, name)
    return wrap_new(fn(n, d=d, dtype=backend.to_native[d_], **kw), backend)


def fftfreq(n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None) -> Any:
    """Sample frequencies of a length-``n`` discrete Fourier transform.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fft.fftfreq(4)
    tensor([ 0.  ,  0.25, -0.5 , -0.25], backend='numpy')
    """
    return _freq("fftfreq", n, d, dtype, device)


def rfftfreq(n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None) -> Any:
    """Sample frequencies of a length-``n`` real discrete Fourier transform.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fft.rfftfreq(4)
    tensor([0.  , 0.25, 0.5 ], backend='numpy')
    """
    return _freq("rfftfreq", n, d, dtype, device)


for _f in (fftfreq, rfftfreq):
    _f.__module__ = "polytensor.fft"
