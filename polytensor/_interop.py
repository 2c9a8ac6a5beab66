"""What NumPy sees of a tensor: ``__array_ufunc__`` and ``__array_function__``.

The policy (README, "Mixing with NumPy"): an operator between a tensor and a NumPy array
(``x + np.ones(3)``, ``np.ones(3) * x``) promotes the array into the tensor's backend and records
the op as any other; every other NumPy function or ufunc called on a tensor (``np.mean(x)``,
``np.exp(x)``, ``nd += x``) raises polytensor's TypeError naming the polytensor function to call,
because NumPy would convert the tensor to an ndarray and drop its gradient.
"""

from __future__ import annotations

from typing import Any

from ._ops import elementwise as E
from ._ops import linear_algebra as LA
from ._ops.creation import asarray
from ._tensor_base import TensorBase

__all__ = ["array_function", "array_ufunc"]

# NumPy ufuncs that Python operators call (ndarray.__add__ -> numpy.add), by ufunc name, and the
# table's function for each.
_OPERATORS: dict[str, Any] = {
    "add": E.add,
    "subtract": E.subtract,
    "multiply": E.multiply,
    "divide": E.divide,
    "floor_divide": E.floor_divide,
    "remainder": E.remainder,
    "power": E.pow,
    "matmul": LA.matmul,
    "equal": E.equal,
    "not_equal": E.not_equal,
    "less": E.less,
    "less_equal": E.less_equal,
    "greater": E.greater,
    "greater_equal": E.greater_equal,
    "bitwise_and": E.bitwise_and,
    "bitwise_or": E.bitwise_or,
    "bitwise_xor": E.bitwise_xor,
    "left_shift": E.bitwise_left_shift,
    "right_shift": E.bitwise_right_shift,
}

# NumPy's spellings whose standard (polytensor) name differs.
_STANDARD_NAMES = {
    "arccos": "acos",
    "arccosh": "acosh",
    "arcsin": "asin",
    "arcsinh": "asinh",
    "arctan": "atan",
    "arctanh": "atanh",
    "arctan2": "atan2",
    "power": "pow",
    "true_divide": "divide",
    "concatenate": "concat",
    "transpose": "permute_dims",
    "invert": "bitwise_invert",
    "left_shift": "bitwise_left_shift",
    "right_shift": "bitwise_right_shift",
    "amax": "max",
    "amin": "min",
}

_SCALARS = (bool, int, float, complex)


def _is_numpy(value: Any) -> bool:
    """A NumPy ndarray or NumPy scalar (found by type module, so NumPy needs no import here)."""
    return type(value).__module__ == "numpy"


def _hint(namespace: Any, module: str, name: str) -> str:
    std = _STANDARD_NAMES.get(name, name)
    if module.startswith("numpy.") and module.count(".") == 1:  # numpy.linalg.inv, numpy.fft
        sub = getattr(namespace, module.split(".")[1], None)
        if sub is not None and hasattr(sub, std):
            return f"pt.{module.split('.')[1]}.{std}(...)"
    if hasattr(namespace, std):
        return f"pt.{std}(...)"
    return "the polytensor namespace (pt.*)"


def _refusal(what: str, namespace: Any, module: str, name: str) -> TypeError:
    return TypeError(
        f"{what} was called on a polytensor tensor; NumPy would convert it to an ndarray "
        f"and drop its gradient. Call {_hint(namespace, module, name)} instead, or convert on "
        f"purpose with x.detach().numpy()"
    )


def array_ufunc(self: Any, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """``Tensor.__array_ufunc__``: a NumPy operator between a tensor and NumPy arrays runs as the
    table's op with the arrays moved to the tensor's backend; any other ufunc use is refused."""
    name = getattr(ufunc, "__name__", None)
    if not isinstance(name, str) or not isinstance(method, str):
        raise TypeError(
            f"__array_ufunc__() is NumPy's protocol: it expects a NumPy ufunc and a method "
            f"name; got {type(ufunc).__name__} and {type(method).__name__}"
        )
    fn = _OPERATORS.get(name)
    foreign = [v for v in inputs if not isinstance(v, TensorBase)]
    if (
        method == "__call__"
        and fn is not None
        and not kwargs
        and foreign
        and all(_is_numpy(v) or isinstance(v, _SCALARS) for v in foreign)
    ):
        device = self.device
        return fn(*(_promoted(v, device) for v in inputs))
    what = f"numpy.{name}" + ("()" if method == "__call__" else f".{method}()")
    if "out" in kwargs:
        what += " with out= (writing into a NumPy array)"
    raise _refusal(what, self.__array_namespace__(), "numpy", name)


def array_function(self: Any, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    """``Tensor.__array_function__``: NumPy's functions refuse tensors with polytensor's error
    naming the namespace function to call (``np.mean(x)`` -> ``pt.mean(x)``)."""
    module = getattr(func, "__module__", None) or "numpy"
    name = getattr(func, "__name__", repr(func))
    raise _refusal(f"{module}.{name}()", self.__array_namespace__(), module, name)


# Python's own errors for a call that does not fit the protocol's signature
# (``x.__array_function__()``) name the method users called, not this module's function.
array_ufunc.__name__ = "__array_ufunc__"
array_ufunc.__qualname__ = "Tensor.__array_ufunc__"
array_function.__name__ = "__array_function__"
array_function.__qualname__ = "Tensor.__array_function__"


def _promoted(value: Any, device: Any) -> Any:
    """An operand of a mixed operator: tensors and Python scalars as they are, a NumPy scalar as
    the Python scalar it holds (a weak scalar, as ``x + 2.0``), an ndarray as a tensor on
    ``device`` (the other operand's backend)."""
    if isinstance(value, (TensorBase, *_SCALARS)):
        return value
    if type(value).__name__ != "ndarray":  # a NumPy scalar (numpy.float64(2.0))
        return value.item()
    return asarray(value, device=device)
