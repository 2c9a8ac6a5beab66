"""polytensor's own dtype objects, the standard's dtype categories and promotion table.

Backends map these objects to their native dtypes; nothing here knows about any backend,
so a backend's promotion quirks never leak into polytensor's results.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "ALL_DTYPES",
    "CATEGORIES",
    "DType",
    "bool",
    "complex64",
    "complex128",
    "finfo_object",
    "float32",
    "float64",
    "from_python_type",
    "iinfo_object",
    "int8",
    "int16",
    "int32",
    "int64",
    "promote",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
]

_builtin_bool = bool


class DType:
    """A data type of the Array API standard, shared by every backend.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.float32
    polytensor.float32
    >>> pt.asarray([1.0]).dtype == pt.float32
    True
    """

    __slots__ = ("_order", "bits", "kind", "name")

    def __init__(self, name: str, kind: str, bits: int, order: int) -> None:
        self.name = name
        # "bool", "signed integer", "unsigned integer", "real floating" or "complex floating"
        self.kind = kind
        self.bits = bits
        self._order = order

    def __repr__(self) -> str:
        return f"polytensor.{self.name}"

    __str__ = __repr__

    # PyTorch's dtype attributes (``torch.float64.is_floating_point``)
    @property
    def is_floating_point(self) -> builtins.bool:
        """Whether this is a real floating-point dtype, as ``torch.dtype.is_floating_point``.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.float64.is_floating_point, pt.int32.is_floating_point
        (True, False)
        """
        return self.kind == "real floating"

    @property
    def is_complex(self) -> builtins.bool:
        """Whether this is a complex dtype, as ``torch.dtype.is_complex``.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.complex64.is_complex
        True
        """
        return self.kind == "complex floating"

    @property
    def is_signed(self) -> builtins.bool:
        """Whether values of this dtype can be negative, as ``torch.dtype.is_signed`` (floating
        dtypes are signed; bool and unsigned integers are not).

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.int8.is_signed, pt.uint8.is_signed
        (True, False)
        """
        return self.kind not in ("bool", "unsigned integer")

    @property
    def itemsize(self) -> int:
        """The size of one element in bytes, as ``torch.dtype.itemsize``.

        Examples
        --------
        >>> import polytensor as pt
        >>> pt.float32.itemsize
        4
        """
        return self.bits // 8

    def __reduce__(self) -> str:
        return self.name

    def __copy__(self) -> DType:
        return self

    def __deepcopy__(self, memo: object) -> DType:
        return self


bool = DType("bool", "bool", 8, 0)
int8 = DType("int8", "signed integer", 8, 1)
int16 = DType("int16", "signed integer", 16, 2)
int32 = DType("int32", "signed integer", 32, 3)
int64 = DType("int64", "signed integer", 64, 4)
uint8 = DType("uint8", "unsigned integer", 8, 5)
uint16 = DType("uint16", "unsigned integer", 16, 6)
uint32 = DType("uint32", "unsigned integer", 32, 7)
uint64 = DType("uint64", "unsigned integer", 64, 8)
float32 = DType("float32", "real floating", 32, 9)
float64 = DType("float64", "real floating", 64, 10)
complex64 = DType("complex64", "complex floating", 64, 11)
complex128 = DType("complex128", "complex floating", 128, 12)

ALL_DTYPES: Final = (
    bool,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
    float32,
    float64,
    complex64,
    complex128,
)
BY_NAME: Final = {d.name: d for d in ALL_DTYPES}

_SIGNED = (int8, int16, int32, int64)
_UNSIGNED = (uint8, uint16, uint32, uint64)
_INTEGER = _SIGNED + _UNSIGNED
_REAL_FLOAT = (float32, float64)
_COMPLEX = (complex64, complex128)
_FLOAT = _REAL_FLOAT + _COMPLEX

# The dtype categories of the standard, spelled as in its "Data type categories" page.
CATEGORIES: Final[dict[str, frozenset[DType]]] = {
    "any": frozenset(ALL_DTYPES),
    "boolean": frozenset((bool,)),
    "integer": frozenset(_INTEGER),
    "integer or boolean": frozenset(_INTEGER + (bool,)),
    "numeric": frozenset(_INTEGER + _FLOAT),
    "real numeric": frozenset(_INTEGER + _REAL_FLOAT),
    "floating-point": frozenset(_FLOAT),
    "real floating-point": frozenset(_REAL_FLOAT),
    "complex floating-point": frozenset(_COMPLEX),
    "real valued": frozenset(_INTEGER + _REAL_FLOAT + (bool,)),
}
CATEGORY_NAMES: Final = tuple(CATEGORIES)

# isdtype() kinds of the standard.
KINDS: Final[dict[str, frozenset[DType]]] = {
    "bool": frozenset((bool,)),
    "signed integer": frozenset(_SIGNED),
    "unsigned integer": frozenset(_UNSIGNED),
    "integral": frozenset(_INTEGER),
    "real floating": frozenset(_REAL_FLOAT),
    "complex floating": frozenset(_COMPLEX),
    "numeric": frozenset(_INTEGER + _FLOAT),
}


def _build_promotion_table() -> dict[tuple[DType, DType], DType]:
    """The standard's type promotion lattice, closed over pairs."""
    table: dict[tuple[DType, DType], DType] = {}

    def put(a: DType, b: DType, r: DType) -> None:
        table[a, b] = r
        table[b, a] = r

    for d in ALL_DTYPES:
        put(d, d, d)
    for group in (_SIGNED, _UNSIGNED, _REAL_FLOAT):
        for i, a in enumerate(group):
            for b in group[i:]:
                put(a, b, b)
    for u in _UNSIGNED:
        for s in _SIGNED:
            if u.bits < s.bits:
                put(u, s, s)
            elif u.bits < 64:
                put(u, s, {8: int16, 16: int32, 32: int64}[u.bits])
    put(complex64, complex128, complex128)
    put(float32, complex64, complex64)
    put(float32, complex128, complex128)
    put(float64, complex64, complex128)
    put(float64, complex128, complex128)
    return table


PROMOTION: Final = _build_promotion_table()

# Note: the standard leaves promotion across kinds unspecified. polytensor follows PyTorch,
# where its users come from: booleans promote to any other kind, integers to any floating dtype,
# and the result takes the dtype of the higher kind (int32 + float32 -> float32).
_KIND_RANK: Final = {
    "bool": 0,
    "signed integer": 1,
    "unsigned integer": 1,
    "real floating": 2,
    "complex floating": 3,
}


def promote(a: DType, b: DType) -> DType | None:
    """The result dtype of a binary operation on arrays of dtypes ``a`` and ``b``.

    Returns None when no promotion exists (uint64 with a signed integer).
    """
    r = PROMOTION.get((a, b))
    if r is not None:
        return r
    ra, rb = _KIND_RANK[a.kind], _KIND_RANK[b.kind]
    if ra == rb:
        return None
    return a if ra > rb else b


def scalar_dtype(
    value: object, array_dtype: DType, default_float: DType, default_int: DType
) -> DType:
    """The dtype a Python scalar takes next to an array of ``array_dtype``.

    A scalar of the array's kind (or a lower one: int with float) takes the array's dtype, as the
    standard says; a scalar of a higher kind promotes, PyTorch-style, to the default dtype of its
    kind (int32 array * 0.5 -> default float).
    """
    kind = array_dtype.kind
    if type(value) is _builtin_bool:
        return array_dtype
    if type(value) is int or (isinstance(value, int) and not isinstance(value, _builtin_bool)):
        return array_dtype if kind != "bool" else default_int
    if isinstance(value, float):
        if kind in ("real floating", "complex floating"):
            return array_dtype
        return default_float
    if isinstance(value, complex):
        if kind == "complex floating":
            return array_dtype
        if array_dtype is float64:
            return complex128
        if array_dtype is float32:
            return complex64
        return complex64 if default_float is float32 else complex128
    raise TypeError(f"expected a Python bool, int, float or complex; got {type(value).__name__}")


def python_scalar_dtype(value: object, default_float: DType, default_int: DType) -> DType:
    """The dtype of a Python scalar on its own (``asarray(1.5)``)."""
    if isinstance(value, _builtin_bool):
        return bool
    if isinstance(value, int):
        return default_int
    if isinstance(value, float):
        return default_float
    if isinstance(value, complex):
        return complex64 if default_float is float32 else complex128
    raise TypeError(f"expected a Python bool, int, float or complex; got {type(value).__name__}")


# The Python types PyTorch reads as dtypes (``torch.zeros(3, dtype=bool)``, ``x.to(float)``):
# its default integer and double precision, whatever the default float dtype
_PYTHON_TYPES: dict[type, DType] = {
    _builtin_bool: bool,
    int: int64,
    float: float64,
    complex: complex128,
}


def from_python_type(value: Any) -> Any:
    """``value``, or the dtype that PyTorch reads the Python type ``value`` as: ``bool``,
    ``int`` as int64, ``float`` as float64, ``complex`` as complex128 (anything else is
    returned as it is, for the caller to check).

    Examples
    --------
    >>> from polytensor import _dtypes as dt
    >>> dt.from_python_type(float), dt.from_python_type(bool), dt.from_python_type(dt.int8)
    (polytensor.float64, polytensor.bool, polytensor.int8)
    """
    if value.__class__ is type:
        return _PYTHON_TYPES.get(value, value)
    return value


@dataclass(frozen=True)
class finfo_object:
    """Machine limits of a floating-point dtype, as the standard's ``finfo`` returns them."""

    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: DType


@dataclass(frozen=True)
class iinfo_object:
    """Machine limits of an integer dtype, as the standard's ``iinfo`` returns them."""

    bits: int
    max: int
    min: int
    dtype: DType


_F32 = finfo_object(
    32,
    2.0**-23,
    float.fromhex("0x1.fffffep+127"),
    -float.fromhex("0x1.fffffep+127"),
    2.0**-126,
    float32,
)
_F64 = finfo_object(
    64,
    2.0**-52,
    float.fromhex("0x1.fffffffffffffp+1023"),
    -float.fromhex("0x1.fffffffffffffp+1023"),
    2.0**-1022,
    float64,
)
FINFO: Final = {
    float32: _F32,
    float64: _F64,
    complex64: finfo_object(32, _F32.eps, _F32.max, _F32.min, _F32.smallest_normal, float32),
    complex128: finfo_object(64, _F64.eps, _F64.max, _F64.min, _F64.smallest_normal, float64),
}
IINFO: Final = {
    d: iinfo_object(
        d.bits,
        2 ** (d.bits - 1) - 1 if d.kind == "signed integer" else 2**d.bits - 1,
        -(2 ** (d.bits - 1)) if d.kind == "signed integer" else 0,
        d,
    )
    for d in _INTEGER
}


# -- PyTorch's casting rule for results written into an existing tensor ---------------------------
# Note: in-place operators, the trailing-underscore methods and out= cast their result to the
# target's dtype within PyTorch's rule (``torch.can_cast``): no complex into a real tensor, no
# floating point into an integer one, nothing but bool into a bool one. The standard leaves
# in-place results of another dtype unspecified; PyTorch programs rely on the cast.
_TORCH_NAMES: Final = {
    bool: "Bool",
    int8: "Char",
    int16: "Short",
    int32: "Int",
    int64: "Long",
    uint8: "Byte",
    uint16: "UInt16",
    uint32: "UInt32",
    uint64: "UInt64",
    float32: "Float",
    float64: "Double",
    complex64: "ComplexFloat",
    complex128: "ComplexDouble",
}


class CastError(RuntimeError, TypeError):
    """A result refused by PyTorch's casting rule: PyTorch's ``RuntimeError``, and a
    ``TypeError`` (a dtype problem) for code that expects the standard's error class.

    Examples
    --------
    >>> from polytensor import _dtypes as dt
    >>> issubclass(dt.CastError, RuntimeError) and issubclass(dt.CastError, TypeError)
    True
    """


class MixedDtypeError(RuntimeError, TypeError):
    """Operands of different dtypes given to a PyTorch function that, as PyTorch, takes one
    dtype and does not promote (``F.linear``, ``mm``, ``batch_norm``...): PyTorch's
    ``RuntimeError``, and a ``TypeError`` (a dtype problem) for code that expects the
    standard's error class.

    Examples
    --------
    >>> from polytensor import _dtypes as dt
    >>> issubclass(dt.MixedDtypeError, RuntimeError) and issubclass(dt.MixedDtypeError, TypeError)
    True
    """


class BoolOperandError(RuntimeError, TypeError):
    """A boolean operand of ``-`` or unary ``+`` (``b - 1.0``, ``x - b``, ``-b``), which
    PyTorch refuses: PyTorch's ``RuntimeError``, and a ``TypeError`` (a dtype problem) for
    code that expects the standard's error class.

    Examples
    --------
    >>> from polytensor import _dtypes as dt
    >>> issubclass(dt.BoolOperandError, RuntimeError) and issubclass(dt.BoolOperandError, TypeError)
    True
    """


class DtypeNotImplementedError(NotImplementedError, TypeError):
    """A dtype that a function does not take, where PyTorch raises ``NotImplementedError``
    ("... not implemented for 'Long'"): that class (a ``RuntimeError`` too), and a
    ``TypeError`` (a dtype problem) for code that expects the standard's error class.

    Examples
    --------
    >>> from polytensor import _dtypes as dt
    >>> e = dt.DtypeNotImplementedError
    >>> issubclass(e, NotImplementedError), issubclass(e, RuntimeError), issubclass(e, TypeError)
    (True, True, True)
    """


def check_same_dtype(where: str, first: tuple[str, DType], *others: tuple[str, Any]) -> None:
    """Refuse, as PyTorch does, operands whose dtype is not ``first``'s: ``first`` and each
    of ``others`` are a (name, dtype) pair (an other's dtype may be None: not given).

    Examples
    --------
    >>> from polytensor import _dtypes as dt
    >>> dt.check_same_dtype("linear()", ("input", dt.float32), ("weight", dt.float32))
    >>> dt.check_same_dtype("linear()", ("input", dt.float32), ("weight", dt.float64))
    Traceback (most recent call last):
    ...
    polytensor._dtypes.MixedDtypeError: linear() expects input and weight of one dtype; got ...
    """
    name, d = first
    for other, od in others:
        if od is not None and od is not d:
            layer = other in _LAYER_STATE and d.kind == "real floating"
            raise MixedDtypeError(
                f"{where} expects {name} and {other} of one dtype; got {d.name} and {od.name}; "
                f"cast one of them: {name}.to(pt.{od.name}) or {other}.to(pt.{d.name})"
                + (f" (a layer's, all of them: module.to(pt.{d.name}))" if layer else "")
            )


# (the tensors a layer holds, which module.to(dtype) casts)
_LAYER_STATE = frozenset(("weight", "bias", "running_mean", "running_var"))


def check_result_cast(result: DType, target: DType, where: str, fix: str = "") -> None:
    """Refuse, as PyTorch does (``RuntimeError``), a result of ``result`` dtype written into
    a tensor of ``target`` dtype when the cast would change its kind downwards (complex into
    real, floating point into integer, anything into bool). ``fix``: the out-of-place form
    to suggest.

    Examples
    --------
    >>> from polytensor import _dtypes as dt
    >>> dt.check_result_cast(dt.float64, dt.float32, "add_()")  # same kind: allowed
    >>> dt.check_result_cast(dt.float32, dt.int64, "add_()")
    Traceback (most recent call last):
    ...
    polytensor._dtypes.CastError: add_(): result type Float (float32) can't be cast to ...
    """
    if _KIND_RANK[result.kind] > _KIND_RANK[target.kind]:
        raise CastError(
            f"{where}: result type {_TORCH_NAMES[result]} ({result.name}) can't be cast to the "
            f"desired output type {_TORCH_NAMES[target]} ({target.name}): a {result.kind} "
            f"result into a {target.kind} tensor; use the out-of-place form"
            f"{f' ({fix})' if fix else ''}, or cast the operand to {target.name} first"
        )


_NUMPY_NAMES: dict[Any, str] = {}


def numpy_name(d: Any) -> str:
    """``d.name`` of a NumPy dtype, made once per dtype (NumPy works it out in Python at every
    read: 1-2 us of ``pt.from_numpy`` and ``pt.tensor``).

    Examples
    --------
    >>> import numpy as np
    >>> from polytensor._dtypes import numpy_name
    >>> numpy_name(np.dtype("float32")), numpy_name(np.dtype(">i8"))
    ('float32', 'int64')
    """
    n = _NUMPY_NAMES.get(d)
    if n is None:
        n = d.name
        if len(_NUMPY_NAMES) < 256:
            _NUMPY_NAMES[d] = n
    return n
