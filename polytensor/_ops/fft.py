"""The standard's ``fft`` extension."""

from __future__ import annotations

import operator
from typing import Any

from .. import _config
from .. import _dtypes as dt
from ._registry import Function, op

_X = ">>> import polytensor as pt\n>>> x = pt.asarray([1.0, 2.0, 1.0, 0.0])\n"
_ONE = "(x, /, *, n=None, axis=-1, norm='backward')"
_ND = "(x, /, *, s=None, axes=None, norm='backward')"


_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _pt() -> Any:
    """The ops, by their namespace names (``pt.real``, ``pt.fft.fftn``)."""
    from . import _all

    return _all


def _fit(t: Any, axis: int, m: int) -> Any:
    """Crop or zero-pad ``t`` along ``axis`` to length ``m`` (the adjoint of fft's n=)."""
    pt = _pt()
    n = t.shape[axis]
    if n == m:
        return t
    if n > m:
        idx: list[Any] = [slice(None)] * t.ndim
        idx[axis] = slice(0, m)
        return t[tuple(idx)]
    shape = list(t.shape)
    shape[axis] = m - n
    return pt.concat([t, pt.zeros(tuple(shape), dtype=t.dtype, device=t.device)], axis=axis)


def _axes(x: Any, s: Any, axes: Any) -> tuple[int, ...]:
    if axes is None:
        axes = range(x.ndim) if s is None else range(x.ndim - len(s), x.ndim)
    return tuple(a % x.ndim for a in axes)


def _c2c_rule(name: str) -> Any:
    # fft, ifft, fftn, ifftn are symmetric linear maps: the adjoint is conj(op(conj(g))).
    def rule(g: Any, _out: Any, x: Any, **p: Any) -> tuple[Any]:
        pt = _pt()
        fn = getattr(pt.fft, name)
        if "axis" in p:
            r = pt.conj(fn(pt.conj(g), axis=p["axis"], norm=p["norm"]))
            return (_fit(r, p["axis"] % x.ndim, x.shape[p["axis"]]),)
        axes = _axes(x, p["s"], p["axes"])
        r = pt.conj(fn(pt.conj(g), axes=axes, norm=p["norm"]))
        for a in axes:
            r = _fit(r, a, x.shape[a])
        return (r,)

    return rule


def _rfft_vjp(g: Any, x: Any, axes: tuple[int, ...], last_n: int, norm: str) -> Any:
    pt = _pt()
    g = _fit(g, axes[-1], last_n)  # the discarded negative frequencies get zero cotangent
    r = pt.real(pt.fft.fftn(pt.conj(g), axes=axes, norm=norm))
    for a in axes:
        r = _fit(r, a, x.shape[a])
    return r


def _irfft_vjp(g: Any, x: Any, axes: tuple[int, ...], last_n: int, norm: str) -> Any:
    pt = _pt()
    r = pt.fft.rfftn(g, axes=axes, norm=_SWAP[norm])
    last = axes[-1]
    k = pt.arange(r.shape[last], device=g.device)
    weight = pt.where((k >= 1) & (k < (last_n + 1) // 2), 2.0, 1.0)  # mirrored frequencies
    shape = [1] * r.ndim
    shape[last] = r.shape[last]
    r = r * pt.astype(pt.reshape(weight, tuple(shape)), g.dtype)
    for a in axes:
        r = _fit(r, a, x.shape[a])
    return r


def _one_axis(x: Any, p: dict[str, Any]) -> tuple[tuple[int, ...], int | None]:
    a = p["axis"] % x.ndim
    return (a,), p["n"]


def _n_axes(x: Any, p: dict[str, Any]) -> tuple[tuple[int, ...], int | None]:
    axes = _axes(x, p["s"], p["axes"])
    return axes, (p["s"][-1] if p["s"] is not None else None)


def _rfft_rule(g: Any, _out: Any, x: Any, **p: Any) -> tuple[Any]:
    axes, n = (_one_axis if "axis" in p else _n_axes)(x, p)
    return (_rfft_vjp(g, x, axes, n if n is not None else x.shape[axes[-1]], p["norm"]),)


def _irfft_rule(g: Any, _out: Any, x: Any, **p: Any) -> tuple[Any]:
    axes, n = (_one_axis if "axis" in p else _n_axes)(x, p)
    return (_irfft_vjp(g, x, axes, n if n is not None else 2 * (x.shape[axes[-1]] - 1), p["norm"]),)


def _hfft_rule(g: Any, _out: Any, x: Any, **p: Any) -> tuple[Any]:
    # hfft(x) = irfft(conj(x)) with the norm's direction swapped
    pt = _pt()
    axes, n = _one_axis(x, p)
    return (
        pt.conj(
            _irfft_vjp(
                g, x, axes, n if n is not None else 2 * (x.shape[axes[0]] - 1), _SWAP[p["norm"]]
            )
        ),
    )


def _ihfft_rule(g: Any, _out: Any, x: Any, **p: Any) -> tuple[Any]:
    # ihfft(x) = conj(rfft(x)) with the norm's direction swapped
    pt = _pt()
    axes, n = _one_axis(x, p)
    return (
        _rfft_vjp(pt.conj(g), x, axes, n if n is not None else x.shape[axes[0]], _SWAP[p["norm"]]),
    )


_NORMS = ("backward", "ortho", "forward")


def _checked(name: str) -> Any:
    """The call of ``fft.<name>`` after checking its lengths: NumPy refuses a transform of no
    points only when it computes (on Dask: when the result is computed), in words that name no
    function; here the call raises at once."""
    halves = name in ("irfft", "irfftn", "hfft")  # (output length 2 * (m - 1) by default)

    def impl(fn: Any, x: Any, **p: Any) -> Any:
        where = f"fft.{name}()"
        shape = tuple(x.shape)
        if not isinstance(p["norm"], str) or p["norm"] not in _NORMS:
            raise ValueError(f"{where} got norm={p['norm']!r}; expected one of {_NORMS}")
        if "axis" in p:
            a, n = p["axis"], p["n"]
            if isinstance(a, bool) or not isinstance(a, int) or not -len(shape) <= a < len(shape):
                raise IndexError(f"{where} got axis={a!r} for an array of shape {shape}")
            lengths = [n]
            given = [shape[a]]
        else:
            s, axes = p["s"], p["axes"]
            if s is not None and not isinstance(s, (tuple, list)):
                raise TypeError(f"{where} expects s= to be a tuple of ints; got {s!r}")
            lengths = list(s) if s is not None else [None] * (len(axes) if axes else len(shape))
            given = [None] * len(lengths)
            if s is None and axes is not None:
                if not isinstance(axes, (tuple, list)) or not all(
                    isinstance(b, int) and not isinstance(b, bool) and -len(shape) <= b < len(shape)
                    for b in axes
                ):
                    raise IndexError(f"{where} got axes={axes!r} for an array of shape {shape}")
                given = [shape[b] for b in axes]
            elif s is None:
                given = list(shape)
        for i, (n, m) in enumerate(zip(lengths, given, strict=True)):
            if n is not None and (isinstance(n, bool) or not isinstance(n, int)):
                raise TypeError(f"{where} expects int transform lengths; got {n!r}")
            last = i == len(lengths) - 1
            size = (
                n
                if n is not None
                else (None if m is None else (2 * (m - 1) if halves and last else m))
            )
            if size is not None and size < 1:
                raise ValueError(
                    f"{where} has {size} points to transform; a transform needs at least one "
                    f"(shape {shape}, {'n' if 'axis' in p else 's'}={n})"
                )
        if "axes" in p and p["axes"] is None and p["s"] is not None:
            # (the standard's last len(s) axes, said: NumPy 2 warns of s without axes)
            p = {**p, "axes": tuple(range(-len(p["s"]), 0))}
        return fn(x, **p)

    return impl


def _fop(name: str, sig: str, category: str, rule: Any) -> Any:
    data = (
        _X
        if category.startswith("real")
        else _X.replace("[1.0, 2.0, 1.0, 0.0]", "[1.0 + 0j, 2.0, 1.0, 0.0]")
    )
    return op(
        f"fft.{name}",
        sig,
        category,
        rule,
        impl=_checked(name),
        module="polytensor.fft",
        example=data + f">>> y = pt.fft.{name}(x{', axes=(0,)' if 'axes' in sig else ''})",
    )


fft = _fop("fft", _ONE, "complex floating-point", _c2c_rule("fft"))
ifft = _fop("ifft", _ONE, "complex floating-point", _c2c_rule("ifft"))
fftn = _fop("fftn", _ND, "complex floating-point", _c2c_rule("fftn"))
ifftn = _fop("ifftn", _ND, "complex floating-point", _c2c_rule("ifftn"))
rfft = _fop("rfft", _ONE, "real floating-point", _rfft_rule)
irfft = _fop("irfft", _ONE, "complex floating-point", _irfft_rule)
rfftn = _fop("rfftn", _ND, "real floating-point", _rfft_rule)
irfftn = _fop("irfftn", _ND, "complex floating-point", _irfft_rule)
hfft = _fop("hfft", _ONE, "complex floating-point", _hfft_rule)
ihfft = _fop("ihfft", _ONE, "real floating-point", _ihfft_rule)
fftshift = op(
    "fft.fftshift",
    "(x, /, *, axes=None)",
    "floating-point",
    lambda g, _out, _x, axes: (ifftshift(g, axes=axes),),
    module="polytensor.fft",
    example=_X + ">>> pt.fft.fftshift(x)\ntensor([1., 0., 1., 2.], backend='numpy')",
)
ifftshift: Function = op(
    "fft.ifftshift",
    "(x, /, *, axes=None)",
    "floating-point",
    lambda g, _out, _x, axes: (fftshift(g, axes=axes),),
    module="polytensor.fft",
    example=_X + ">>> pt.fft.ifftshift(x)\ntensor([1., 0., 1., 2.], backend='numpy')",
)


def _freq(name: str, n: int, d: float, dtype: Any, device: Any) -> Any:
    from .._checks import named_error
    from .._dispatch import wrap_new
    from .creation import _dev_kw, _target

    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"fft.{name}() expects the window length n to be an int; got {n!r}")
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"fft.{name}() expects a window length n >= 1; got {n}")
    if not isinstance(d, (int, float)) or isinstance(d, bool):
        raise TypeError(f"fft.{name}() expects the sample spacing d to be a number; got {d!r}")
    if d == 0:
        raise ValueError(f"fft.{name}() expects a nonzero sample spacing d; got {d!r}")
    if dtype is not None and dtype not in (dt.float32, dt.float64):
        raise TypeError(f"fft.{name}() expects a real floating-point dtype; got {dtype!r}")
    backend, native = _target(device, f"fft.{name}")
    d_ = dtype if dtype is not None else _config.DEFAULT_FLOAT.get()
    kw = _dev_kw(backend, native)
    kw.pop("chunks", None)
    fn = getattr(backend.xp.fft, name)
    try:
        data = fn(n, d=d, dtype=backend.to_native[d_], **kw)
    except Exception as e:  # (a length too large for an array: NumPy's or Dask's words)
        raise named_error(f"fft.{name}", e) from e
    return wrap_new(data, backend)


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
