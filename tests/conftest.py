"""Fixtures for the tests of polytensor's own machinery.

Every test starts on the NumPy backend with the default dtype float32, and whatever a test
selects (``pt.set_backend``, ``pt.set_default_dtype``) or registers is undone after it.
``backend`` runs a test once per registered backend.
``dask_computes`` counts Dask computations (``conformance/dask_counting.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest

import polytensor as pt
from polytensor.backends import Backend

# The Dask compute counter is shared with the conformance suite, whose folder holds it.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "conformance"))
import dask_counting
from backend_params import every_backend

dask_computes = dask_counting.dask_computes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def _numpy_backend_and_default_dtype() -> Iterator[None]:
    before_backend = pt.get_backend()
    before_dtype = pt.get_default_dtype()
    pt.set_backend("numpy")
    pt.set_default_dtype(pt.float32)
    yield
    pt.set_backend(before_backend)
    pt.set_default_dtype(before_dtype)


@pytest.fixture(params=every_backend())
def backend(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs once per registered backend, selected (the autouse fixture
    above restores the backend afterwards). A module may define its own ``backend`` fixture
    over fewer backends, which takes precedence."""
    pt.set_backend(request.param)
    return str(request.param)


@pytest.fixture
def run_python() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``code`` in a fresh interpreter; ``env`` entries set (or, when None, remove)
    environment variables. Returns the completed process (check=False)."""

    def run(
        code: str, env: dict[str, str | None] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        environ = dict(os.environ)
        environ.pop("POLYTENSOR_BACKEND", None)
        for k, v in (env or {}).items():
            if v is None:
                environ.pop(k, None)
            else:
                environ[k] = v
        return subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=environ,
            cwd=ROOT,
            timeout=timeout,
            check=False,
        )

    return run


def _compat_numpy() -> ModuleType:
    import array_api_compat.numpy as xp

    return xp


def _missing_library() -> ModuleType:
    import polytensor_test_library_that_does_not_exist as xp  # type: ignore[import-not-found]

    return xp  # pragma: no cover


@pytest.fixture
def register() -> Iterator[Callable[[Backend], Backend]]:
    """Register backends for one test; they are removed from the registry afterwards."""
    names: list[str] = []

    def reg(backend: Backend) -> Backend:
        names.append(backend.name)
        pt.backends.register(backend)
        return backend

    yield reg
    registry = pt.backends._registry()  # no public unregister: undo by hand
    for name in names:
        registry.pop(name, None)


@pytest.fixture
def numpy2(register: Callable[[Backend], Backend]) -> Backend:
    """A third-party backend: array-api-compat's NumPy namespace under another name."""
    return register(Backend("numpy2", _compat_numpy))


@pytest.fixture
def missing_lib(register: Callable[[Backend], Backend]) -> Backend:
    """A third-party backend whose library is not installed."""
    return register(Backend("missinglib", _missing_library))
