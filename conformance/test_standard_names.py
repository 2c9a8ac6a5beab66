"""Every name of the Array API standard 2025.12 is in polytensor's namespace.

The names come from array-api-strict (the standard's reference namespace) at api_version
2025.12: its ``__all__``, ``linalg.__all__``, ``fft.__all__`` and the attributes of its array
object. ``test_every_standard_function_is_registered`` keeps the op table complete: each
standard function that takes arrays is a table op, unless it creates arrays or is a data-type
function.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import polytensor as pt
from polytensor._ops._registry import COMPOSITIONS, OPS

xs = pytest.importorskip("array_api_strict")

VERSION = "2025.12"

# Names of the 2025.12 stubs (array-api/src/array_api_stubs/_2025_12) that array-api-strict
# leaves out of its ``__all__`` lists although it implements them: used when it does not list
# them itself.
ADDED_IN_2025_12 = {"": ("broadcast_shapes", "isin"), "linalg": ("eig", "eigvals"), "fft": ()}

# array-api-strict's own names, not the standard's.
STRICT_ONLY = {
    "ArrayAPIStrictFlags",
    "Device",
    "__version__",
    "get_array_api_strict_flags",
    "set_array_api_strict_flags",
    "reset_array_api_strict_flags",
}

# Members of array-api-strict's Array class that are Python's or its own, not the standard's.
STRICT_ARRAY_ONLY = {
    "__annotations__",
    "__array__",
    "__buffer__",
    "__doc__",
    "__getstate__",
    "__hash__",
    "__init__",
    "__iter__",
    "__module__",
    "__new__",
    "__reduce__",
    "__repr__",
    "__slots__",
    "__str__",
    "__weakref__",
    "__dict__",
}


def _flags() -> Any:
    supported = getattr(getattr(xs, "_flags", None), "supported_versions", ())
    version = VERSION if VERSION in supported else (supported[-1] if supported else None)
    return xs.ArrayAPIStrictFlags(api_version=version) if version else _nullcontext()


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _standard_names() -> dict[str, list[str]]:
    with _flags():
        names = {
            "": [n for n in xs.__all__ if n not in STRICT_ONLY],
            "linalg": list(xs.linalg.__all__),
            "fft": list(xs.fft.__all__),
        }
    for ns, added in ADDED_IN_2025_12.items():
        names[ns] += [n for n in added if n not in names[ns]]
    return names


def _array_names() -> list[str]:
    from array_api_strict._array_object import Array

    return sorted(
        n
        for n in Array.__dict__
        if not n.startswith("_") or (n.startswith("__") and n not in STRICT_ARRAY_ONLY)
    )


STANDARD = _standard_names()
NAMESPACES = {"": pt, "linalg": pt.linalg, "fft": pt.fft}


@pytest.mark.parametrize(
    ("namespace", "name"),
    [(ns, n) for ns, names in STANDARD.items() for n in names],
    ids=lambda v: v or "pt",
)
def test_standard_name_is_in_the_namespace(namespace: str, name: str) -> None:
    module = NAMESPACES[namespace]
    where = "pt" + ("." + namespace if namespace else "")
    assert hasattr(module, name), f"{where}.{name} is missing (Array API standard {VERSION})"


@pytest.mark.parametrize("name", _array_names())
def test_standard_array_attribute_is_on_tensor(name: str) -> None:
    assert hasattr(pt.Tensor, name), f"Tensor.{name} is missing (Array API standard {VERSION})"


def test_array_api_version_is_2025_12() -> None:
    assert pt.__array_api_version__ == VERSION
    assert pt.asarray([1.0]).__array_namespace__() is pt


def _strict_function(namespace: str, name: str) -> Any:
    with _flags():
        module = xs if not namespace else getattr(xs, namespace)
        return getattr(module, name, None)


def _takes_arrays(fn: Any) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any("Array" in str(p.annotation) for p in params)


_NOT_OPS = ("array_api_strict._creation_functions", "array_api_strict._data_type_functions")


def _function_names() -> list[tuple[str, str]]:
    out = []
    for namespace, names in STANDARD.items():
        for name in names:
            fn = _strict_function(namespace, name)
            if (
                callable(fn)
                and not isinstance(fn, type)
                and not name.startswith("__")
                and _takes_arrays(fn)
                and getattr(fn, "__module__", "") not in _NOT_OPS
            ):
                out.append((namespace, name))
    return out


@pytest.mark.parametrize(("namespace", "name"), _function_names(), ids=lambda v: v or "pt")
def test_every_standard_function_is_registered(namespace: str, name: str) -> None:
    """Each standard function that takes arrays is declared in the op table (one declaration:
    name, dtype category, derivative rule), unless it creates arrays or handles dtypes."""
    dotted = f"{namespace}.{name}" if namespace else name
    # linalg.matmul and its kin are the main namespace's functions, declared once
    if not (dotted in OPS or (namespace == "linalg" and name in OPS) or dotted in COMPOSITIONS):
        pytest.fail(
            f"standard function {dotted}() is not in the op table (polytensor._ops._registry.OPS)"
        )
