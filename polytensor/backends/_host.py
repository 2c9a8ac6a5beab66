"""Host memory (NumPy) helpers for the parts of polytensor whose feature is a conversion to or
from host data: ``asarray`` of Python/NumPy data, ``repr``, fresh seeds for random generators
(the counter-based stream itself is ``_counter_rng``), ``from_numpy``/``from_dlpack``."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = [
    "format_array",
    "fresh_seed",
    "host_array",
    "host_from_dlpack",
    "is_ndarray",
    "is_numpy_scalar",
    "is_rng",
    "numpy_dtype_name",
]


def fresh_seed() -> int:
    """A seed drawn from the operating system's entropy (63 random bits).

    ``os.urandom`` is the source NumPy's ``SeedSequence()`` draws from too; read directly, it
    spares ``import polytensor`` loading ``numpy.random`` for its default generator's seed.
    """
    return int.from_bytes(os.urandom(8), "little") % (2**63)


def is_rng(obj: Any) -> bool:
    """Whether ``obj`` is a NumPy random Generator."""
    return isinstance(obj, np.random.Generator)


def format_array(
    a: Any,
    prefix: str,
    *,
    precision: int | None = None,
    threshold: int | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    sci_mode: bool | None = None,
) -> str:
    """The text of host array ``a`` as ``repr`` shows it (PyTorch-like, NumPy's printing).
    The options are ``pt.set_printoptions``'s: None keeps NumPy's choice (``precision``: 8
    digits, trailing zeros dropped; a given one keeps that many, as PyTorch's), and
    ``sci_mode`` True or False forces or forbids scientific notation.

    >>> import numpy as np
    >>> from polytensor.backends._host import format_array
    >>> format_array(np.array([1.5, 2.25]), "tensor(", precision=2)
    '[1.50, 2.25]'
    """
    a = np.asarray(a)
    if a.size == 0:
        return "[]" if a.ndim == 1 else f"[], size={tuple(a.shape)}"
    kw: dict[str, Any] = {}
    if precision is not None:
        kw["precision"] = precision
        finite = a[np.isfinite(a)] if a.dtype.kind == "f" else a
        if a.dtype.kind != "f" or np.any(finite != np.round(finite)):
            kw["floatmode"] = "fixed"  # (as PyTorch's: every digit; whole numbers as "1.")
    if linewidth is not None:
        kw["max_line_width"] = linewidth
    if sci_mode is False:
        kw["suppress_small"] = True
    elif sci_mode and a.dtype.kind in "fc":
        digits = 4 if precision is None else precision
        kw["formatter"] = {"float_kind": lambda v: f"{v:.{digits}e}"}
    if a.dtype == np.bool_ and a.all():
        # Note: no padding where no False is shown, as PyTorch's "tensor([True, True])" (NumPy
        # pads every True to False's width)
        kw["formatter"] = {"bool": lambda v: "True"}
    return np.array2string(
        a,
        separator=", ",
        prefix=prefix,
        threshold=1000 if threshold is None else threshold,
        edgeitems=3 if edgeitems is None else edgeitems,
        **kw,
    )


def is_ndarray(obj: Any) -> bool:
    """Whether ``obj`` is a NumPy array."""
    return isinstance(obj, np.ndarray)


def is_numpy_scalar(obj: Any) -> bool:
    """Whether ``obj`` is a NumPy scalar (``np.float64(1.5)``)."""
    return isinstance(obj, np.generic)


def host_array(obj: Any, copy: bool | None = None, dtype: str | None = None) -> Any:
    """``obj`` (nested sequences, buffers, DLPack or NumPy data) as a NumPy array (of NumPy
    dtype ``dtype`` when given: Python ints are then converted exactly, and one out of its
    range raises OverflowError)."""
    if copy is False:
        return np.asarray(obj, copy=False)
    return np.asarray(obj) if dtype is None else np.asarray(obj, dtype=dtype)


def beyond_int64(a: Any) -> bool:
    """Whether float array ``a`` holds a value of magnitude 2**63 or more (NumPy makes floats of
    a list mixing Python ints beyond int64 with others: they may have been such ints)."""
    return bool(a.size) and bool(np.abs(a).max() >= 2.0**63)


def host_from_dlpack(x: Any, copy: bool | None) -> Any:
    """A NumPy array from a DLPack producer."""
    return np.from_dlpack(x, copy=copy)


def numpy_dtype_name(a: Any) -> str:
    """The dtype name of a host array, with byte order made native first when needed."""
    return str(np.dtype(a.dtype).newbyteorder("=").name)


# -- host arithmetic for gradcheck: real coordinates of values and Jacobians ------------------
def host_copy(array: Any) -> Any:
    """A writable NumPy copy of host data."""
    return np.array(array, copy=True)


def is_complex(a: Any) -> bool:
    """Whether host array ``a`` holds complex numbers."""
    return bool(np.iscomplexobj(a))


def real_coords(a: Any) -> Any:
    """The real coordinates of ``a``: its values, or its real parts then its imaginary parts."""
    a = np.asarray(a).reshape(-1)
    if np.iscomplexobj(a):
        return np.concatenate([a.real, a.imag])
    return a.astype(np.float64)


def concat(arrays: list[Any]) -> Any:
    """The 1-D host arrays ``arrays`` end to end."""
    return np.concatenate(arrays)


def matrix(rows: list[Any], n_rows: int, n_cols: int) -> Any:
    """``rows`` as an ``(n_rows, n_cols)`` float64 matrix."""
    return np.array(rows, dtype=np.float64).reshape(n_rows, n_cols)


def zeros(shape: Any, dtype: Any = None) -> Any:
    """A host array of zeros."""
    return np.zeros(shape, dtype=dtype if dtype is not None else np.float64)


def random_like(a: Any, seed: int) -> Any:
    """Standard normal numbers with the shape and dtype of host array ``a`` (complex parts
    both random for complex ``a``)."""
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(np.shape(a))
    if np.iscomplexobj(a):
        values = values + 1j * rng.standard_normal(np.shape(a))
    return np.asarray(values, dtype=np.asarray(a).dtype)


def worst_mismatch(
    analytical: Any, numerical: Any, atol: float, rtol: float
) -> tuple[tuple[int, ...], int] | None:
    """Where ``|analytical - numerical| > atol + rtol |numerical|`` holds worst (NaN counts as
    the worst), and how many elements fail; None when none does."""
    err = np.abs(analytical - numerical) - (atol + rtol * np.abs(numerical))
    err = np.where(np.isnan(err), np.inf, err)
    if not err.size or np.max(err) <= 0:
        return None
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(err), err.shape))
    return worst, int((err > 0).sum())


# -- .npy files for pt.save / pt.load --------------------------------------------------------
def c_order(a: Any) -> Any:
    """Host data as a C-ordered NumPy array (0-d shapes kept)."""
    return np.asarray(a, order="C")


def npy_bytes(a: Any) -> bytes:
    """Host array ``a`` as the bytes of a ``.npy`` file (no pickled objects)."""
    import io

    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def read_npy(stream: Any, dtype: str, shape: list[int]) -> Any:
    """The array of a ``.npy`` stream, checked against ``dtype`` and ``shape`` before its data
    is read (so a forged header cannot make us allocate or unpickle anything); ValueError
    saying what does not match."""
    fmt = np.lib.format
    version = fmt.read_magic(stream)
    if version == (1, 0):
        hshape, fortran, hdtype = fmt.read_array_header_1_0(stream)
    elif version == (2, 0):
        hshape, fortran, hdtype = fmt.read_array_header_2_0(stream)
    else:
        raise ValueError(f"unsupported .npy version {version}")
    if hdtype.hasobject or hdtype.name != dtype:
        raise ValueError(f"it holds {hdtype} data but the manifest says {dtype}")
    if list(hshape) != shape:
        raise ValueError(f"its shape is {list(hshape)} but the manifest says {shape}")
    count = 1
    for d in shape:
        count *= d
    nbytes = count * hdtype.itemsize
    raw = stream.read(nbytes)
    if len(raw) != nbytes:
        raise ValueError(f"its data is truncated ({len(raw)} of {nbytes} bytes)")
    host = np.frombuffer(raw, dtype=hdtype, count=count).reshape(
        tuple(shape), order="F" if fortran else "C"
    )
    if not hdtype.isnative:
        host = host.astype(hdtype.newbyteorder("="))
    return np.array(host, order="C", copy=True)  # writable, owned by the tensor
