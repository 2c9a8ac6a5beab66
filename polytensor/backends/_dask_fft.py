# mypy: disable-error-code="no-untyped-call"
# (dask ships no type annotations)
"""The standard's ``fft`` functions on Dask arrays split along the transformed axes.

``dask.array.fft`` transforms block by block and refuses an axis made of several chunks
("Dask array only supports taking an FFT along an axis that has a single chunk"). Here the
transformed axes are rechunked to one chunk first (lazily; the other axes stay split). For the
n-dimensional transforms with ``s`` and no ``axes``, Dask takes the *first* ``len(s)`` axes; the
standard (and NumPy) take the last ones, so the axes are always passed explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["wrap"]


def _one_chunk(x: Any, axes: tuple[int, ...]) -> Any:
    axes = tuple(a % x.ndim for a in axes) if x.ndim else ()
    if all(x.numblocks[a] == 1 for a in axes):
        return x
    # "auto" on the other axes keeps the blocks' size in bounds after the merge.
    return x.rechunk({i: -1 if i in axes else "auto" for i in range(x.ndim)})


def _one_d(fn: Callable[..., Any]) -> Callable[..., Any]:
    def fft1(x: Any, /, *, n: int | None = None, axis: int = -1, norm: str = "backward") -> Any:
        if not -x.ndim <= axis < x.ndim:
            raise IndexError(
                f"fft.{fn.__name__}() got axis={axis} for an array of {x.ndim} dimensions"
            )
        return fn(_one_chunk(x, (axis,)), n=n, axis=axis, norm=norm)

    fft1.__name__ = fft1.__qualname__ = fn.__name__
    return fft1


def _n_d(fn: Callable[..., Any]) -> Callable[..., Any]:
    def fftn(x: Any, /, *, s: Any = None, axes: Any = None, norm: str = "backward") -> Any:
        if axes is None:
            axes = tuple(range(x.ndim)) if s is None else tuple(range(-len(s), 0))
        axes = tuple(axes)
        return fn(_one_chunk(x, axes), s=s, axes=axes, norm=norm)

    fftn.__name__ = fftn.__qualname__ = fn.__name__
    return fftn


def wrap(fft: Any) -> dict[str, Callable[..., Any]]:
    """Overrides for the transforms of ``fft`` (the namespace's ``fft`` module)."""
    out: dict[str, Callable[..., Any]] = {}
    for name in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft"):
        out[f"fft.{name}"] = _one_d(getattr(fft, name))
    for name in ("fftn", "ifftn", "rfftn", "irfftn"):
        out[f"fft.{name}"] = _n_d(getattr(fft, name))
    return out
