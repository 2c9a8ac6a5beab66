"""The registered backends as pytest parameters: the one list that ``conftest.py``'s
``backend`` fixture, ``torch_compare.backends`` and the tests that parametrize by backend take.
A backend that is not available here is skipped, its reason said (CuPy without a GPU)."""

from __future__ import annotations

from typing import Any

import pytest

import polytensor as pt


def every_backend() -> list[Any]:
    """One pytest parameter a registered backend, skipped where it is not available."""
    params = []
    for name, status in sorted(pt.backends.available().items()):
        marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
        params.append(pytest.param(name, marks=marks, id=name))
    return params
