"""A backend made from a namespace alone gets the fixes its library is found to need, asked when
it loads (``backends/_fixes.py``): the standard's special cases (``floor_divide(1.0, -inf)`` is
-0) and promotions (``pow`` of int8 and int16 is int16) that NumPy-like libraries get wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor.backends import Backend


def _strict() -> ModuleType:
    return pytest.importorskip("array_api_strict")


def _wrong_pow() -> ModuleType:
    """A namespace whose pow keeps its first operand's dtype, as JAX's does for 0-d arrays."""
    import types

    xp = _strict()
    ns = types.ModuleType("wrong_pow_xp")
    ns.__dict__.update({k: getattr(xp, k) for k in dir(xp) if not k.startswith("__")})
    ns.__array_namespace_info__ = xp.__array_namespace_info__  # type: ignore[attr-defined]

    def pow(x1: Any, x2: Any) -> Any:
        if hasattr(x1, "dtype"):
            return xp.astype(xp.pow(x1, x2), x1.dtype)
        return xp.pow(x1, x2)

    ns.pow = pow  # type: ignore[attr-defined]
    return ns


def test_a_namespace_backend_gets_the_fixes_its_library_needs(
    register: Callable[[Backend], Backend],
) -> None:
    b = register(pt.backends.from_namespace("strict_from_namespace", _strict))
    b.load()
    # array-api-strict computes with NumPy: Python's // for infinities; its pow promotes
    assert "floor_divide" in b.overrides and "pow" not in b.overrides
    got = pt.floor_divide(pt.asarray([1.0, -1.0], device=b.name), -math.inf)
    host = got.numpy()  # floor(1 / -inf) is -0, floor(-1 / -inf) is 0 (Python's // gives -1)
    assert [math.copysign(1.0, v) for v in host] == [-1.0, 1.0] and not host.any()


def test_a_library_whose_pow_keeps_the_first_dtype_gets_the_promoted_one(
    register: Callable[[Backend], Backend],
) -> None:
    b = register(pt.backends.from_namespace("wrong_pow", _wrong_pow))
    b.load()
    assert "pow" in b.overrides
    x = pt.asarray(np.array(3, dtype=np.int8), device=b.name)
    y = pt.asarray(np.array(2, dtype=np.int16), device=b.name)
    assert pt.pow(x, y).dtype == pt.int16
    assert pt.pow(x, y).item() == 9
    assert pt.pow(2, x).dtype == pt.int8


def test_a_librarys_struct_sequence_results_become_named_tuples(
    register: Callable[[Backend], Backend],
) -> None:
    # torch's linalg results are struct sequences (torch.return_types), fields by name only
    pytest.importorskip("torch")
    import array_api_compat.torch

    b = register(pt.backends.from_namespace("torch_structseq", lambda: array_api_compat.torch))
    x = pt.asarray(np.diag([1.0, 3.0]), device=b.name)
    eigh = pt.linalg.eigh(x)
    assert eigh._fields == ("eigenvalues", "eigenvectors")
    np.testing.assert_allclose(eigh.eigenvalues.numpy(), [1.0, 3.0])
    assert pt.linalg.svd(x)._fields == ("U", "S", "Vh")
    assert pt.linalg.slogdet(x).logabsdet.item() == pytest.approx(math.log(3.0))
