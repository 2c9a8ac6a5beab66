"""The Array API standard's ``fft`` extension (``pt.fft``).

Examples
--------
>>> import polytensor as pt
>>> pt.fft.rfft(pt.asarray([1.0, 1.0, 1.0, 1.0])).shape
(3,)
"""

from ._ops.fft import (
    fft,
    fftfreq,
    fftn,
    fftshift,
    hfft,
    ifft,
    ifftn,
    ifftshift,
    ihfft,
    irfft,
    irfftn,
    rfft,
    rfftfreq,
    rfftn,
)

__all__ = [
    "fft",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "ifft",
    "ifftn",
    "ifftshift",
    "ihfft",
    "irfft",
    "irfftn",
    "rfft",
    "rfftfreq",
    "rfftn",
]
