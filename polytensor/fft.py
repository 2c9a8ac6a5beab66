"""The Array API standard's ``fft`` extension (``pt.fft``), which takes PyTorch's calls too.

Each function is the standard's (``pt.fft.fft(x, n=8, axis=0, norm="ortho")``) and
``torch.fft``'s (``fft(x, 8, 0, "ortho")``, ``dim=``, ``norm=None`` for ``"backward"``). As
PyTorch's, a real tensor given to a complex transform (``fft``, ``ifft``, ``fftn``, ``ifftn``,
``hfft``, ``irfft``, ``irfftn``) is taken as complex of its precision, and an integer or
boolean one in the default floating dtype (its complex for those). PyTorch's ``fft2``,
``ifft2``, ``rfft2``, ``irfft2``, ``hfft2``, ``ihfft2``, ``hfftn`` and ``ihfftn`` are here too.

Examples
--------
>>> import polytensor as pt
>>> pt.fft.rfft(pt.asarray([1.0, 1.0, 1.0, 1.0])).shape
(3,)
>>> pt.fft.fft(pt.asarray([1.0, 0.0, 0.0, 0.0]), 2)  # (PyTorch's: a real input, n positional)
tensor([1.+0.j, 1.+0.j], dtype=polytensor.complex64, backend='numpy')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _config
from . import _dtypes as dt
from ._ops import fft as _F
from ._ops.data_types import astype
from ._ops.elementwise import conj
from ._ops.fft import fftshift as _fftshift
from ._ops.fft import ifftshift as _ifftshift

__all__ = [
    "fft",
    "fft2",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "hfft2",
    "hfftn",
    "ifft",
    "ifft2",
    "ifftn",
    "ifftshift",
    "ihfft",
    "ihfft2",
    "ihfftn",
    "irfft",
    "irfft2",
    "irfftn",
    "rfft",
    "rfft2",
    "rfftfreq",
    "rfftn",
]

_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_COMPLEX = {"float32": dt.complex64, "float64": dt.complex128}


def _taken(x: Any, complex_input: bool) -> Any:
    """``x`` as the transform takes it, PyTorch's way: for a complex transform a real tensor
    as complex of its precision; an integer or boolean one in the default floating dtype (its
    complex for a complex transform). Anything else as it is (the transform checks it)."""
    kind = getattr(getattr(x, "dtype", None), "kind", None)
    if kind in ("signed integer", "unsigned integer", "bool"):
        x = astype(x, _config.DEFAULT_FLOAT.get())
        kind = "real floating"
    if complex_input and kind == "real floating":
        x = astype(x, _COMPLEX[x.dtype.name])
    return x


def _norm(norm: Any) -> Any:
    return "backward" if norm is None else norm  # (PyTorch's None)


def _axis(dim: Any, axis: Any) -> Any:
    return axis if dim is None else dim


def _one(name: str, complex_input: bool) -> Callable[..., Any]:
    op = getattr(_F, name)

    def transform(
        x: Any, /, n: Any = None, dim: Any = None, norm: Any = None, *, axis: int = -1
    ) -> Any:
        return op(_taken(x, complex_input), n=n, axis=_axis(dim, axis), norm=_norm(norm))

    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = _doc(op.__doc__, name, "n=None, dim=-1, norm=None")
    return transform


def _many(name: str, complex_input: bool, two: bool = False) -> Callable[..., Any]:
    """``name`` (``fftn``...) or, with ``two``, PyTorch's ``name`` less its ``n`` plus ``2``
    (``fft2``: the last two axes by default)."""
    op = getattr(_F, name)
    label = name[:-1] + "2" if two else name
    default = (-2, -1) if two else None

    def transform(
        x: Any, /, s: Any = None, dim: Any = default, norm: Any = None, *, axes: Any = None
    ) -> Any:
        return op(_taken(x, complex_input), s=s, axes=_axis(dim, axes), norm=_norm(norm))

    transform.__name__ = transform.__qualname__ = label
    transform.__doc__ = _doc(op.__doc__, label, f"s=None, dim={default}, norm=None")
    return transform


def _doc(doc: str | None, name: str, torch_args: str) -> str:
    first = (doc or f"fft.{name}").strip().split("\n")[0]
    return (
        f"{first}\n\nAs the standard's (keyword arguments ``n``/``s``, ``axis``/``axes``, "
        f"``norm``) and PyTorch's ``torch.fft.{name}(input, {torch_args})``; a real, integer "
        f"or boolean input is taken as PyTorch takes it (``pt.fft``'s note).\n\n"
        f"Examples\n--------\n>>> import polytensor as pt\n"
        f">>> pt.fft.{name}(pt.ones((2, 4))).shape[0]\n2\n"
    )


fft = _one("fft", True)
ifft = _one("ifft", True)
rfft = _one("rfft", False)
irfft = _one("irfft", True)
hfft = _one("hfft", True)
ihfft = _one("ihfft", False)
fftn = _many("fftn", True)
ifftn = _many("ifftn", True)
rfftn = _many("rfftn", False)
irfftn = _many("irfftn", True)
fft2 = _many("fftn", True, two=True)
ifft2 = _many("ifftn", True, two=True)
rfft2 = _many("rfftn", False, two=True)
irfft2 = _many("irfftn", True, two=True)


def hfftn(x: Any, /, s: Any = None, dim: Any = None, norm: Any = None, *, axes: Any = None) -> Any:
    """The n-dimensional FFT of a Hermitian-symmetric signal (PyTorch's ``torch.fft.hfftn``):
    ``irfftn`` of its conjugate with the norm's direction swapped; real output, the last axis
    of length ``2 (m - 1)`` by default.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fft.hfftn(pt.ones((2, 3))).shape
    (2, 4)
    """
    x = _taken(x, True)
    return _F.irfftn(conj(x), s=s, axes=_axis(dim, axes), norm=_SWAP[_norm(norm)])


def ihfftn(x: Any, /, s: Any = None, dim: Any = None, norm: Any = None, *, axes: Any = None) -> Any:
    """The inverse of ``hfftn`` for a real signal (PyTorch's ``torch.fft.ihfftn``): the
    conjugate of ``rfftn`` with the norm's direction swapped.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fft.ihfftn(pt.ones((2, 4))).shape
    (2, 3)
    """
    x = _taken(x, False)
    return conj(_F.rfftn(x, s=s, axes=_axis(dim, axes), norm=_SWAP[_norm(norm)]))


def hfft2(x: Any, /, s: Any = None, dim: Any = (-2, -1), norm: Any = None) -> Any:
    """``hfftn`` over the last two axes by default (PyTorch's ``torch.fft.hfft2``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fft.hfft2(pt.ones((2, 3))).shape
    (2, 4)
    """
    return hfftn(x, s, dim, norm)


def ihfft2(x: Any, /, s: Any = None, dim: Any = (-2, -1), norm: Any = None) -> Any:
    """``ihfftn`` over the last two axes by default (PyTorch's ``torch.fft.ihfft2``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fft.ihfft2(pt.ones((2, 4))).shape
    (2, 3)
    """
    return ihfftn(x, s, dim, norm)


def fftshift(x: Any, /, dim: Any = None, *, axes: Any = None) -> Any:
    """The standard's ``fftshift`` (``axes=``), and PyTorch's (``dim``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fft.fftshift(pt.asarray([0.0, 1.0, 2.0, -2.0, -1.0]))
    tensor([-2., -1.,  0.,  1.,  2.], backend='numpy')
    """
    return _fftshift(x, axes=_axis(dim, axes))


def ifftshift(x: Any, /, dim: Any = None, *, axes: Any = None) -> Any:
    """The standard's ``ifftshift`` (``axes=``), and PyTorch's (``dim``).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fft.ifftshift(pt.asarray([-2.0, -1.0, 0.0, 1.0, 2.0]))
    tensor([ 0.,  1.,  2., -2., -1.], backend='numpy')
    """
    return _ifftshift(x, axes=_axis(dim, axes))


def fftfreq(n: int, /, d: float = 1.0, *, dtype: Any = None, device: Any = None) -> Any:
    """Sample frequencies of a length-``n`` discrete Fourier transform (``d``, the sample
    spacing, positional too, as PyTorch's).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fft.fftfreq(4)
    tensor([ 0.  ,  0.25, -0.5 , -0.25], backend='numpy')
    """
    return _F.fftfreq(n, d=d, dtype=dtype, device=device)


def rfftfreq(n: int, /, d: float = 1.0, *, dtype: Any = None, device: Any = None) -> Any:
    """Sample frequencies of a length-``n`` real discrete Fourier transform (``d`` positional
    too, as PyTorch's).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.fft.rfftfreq(4)
    tensor([0.  , 0.25, 0.5 ], backend='numpy')
    """
    return _F.rfftfreq(n, d=d, dtype=dtype, device=device)
