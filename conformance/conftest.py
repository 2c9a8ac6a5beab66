"""Fixtures of the conformance suite.

``backend`` runs a test once per registered backend (``pt.backends.names()``), with that backend
current (``pt.use_backend``), and skips with the backend's reason where its library or device is
absent. Known failures (``known_failures.py``) become strict xfails. ``dask_computes`` counts Dask
computations (``dask_counting.py``, shared with tests/). At the end of the session a
section says which backends ran (with their outcome counts) and which were skipped, and why.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask_counting
import pytest
from known_failures import KNOWN_FAILURES

import polytensor as pt

dask_computes = dask_counting.dask_computes  # the compute counter of both suites


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Every test starts on NumPy with float32 as the default dtype and grad mode on, whatever
    an earlier test in the same worker left behind."""
    before = (pt.get_backend(), pt.get_default_dtype(), pt.is_grad_enabled())
    pt.set_backend("numpy")
    pt.set_default_dtype(pt.float32)
    pt.set_grad_enabled(True)
    yield
    pt.set_backend(before[0])
    pt.set_default_dtype(before[1])
    pt.set_grad_enabled(before[2])


HERE = Path(__file__).parent
# POLYTENSOR_TEST_BACKENDS=jax,torch runs the backend tests on those backends only (`make
# test-plugins`, with the plug-in backends of tests/plugins registered).
_ONLY = [n for n in os.environ.get("POLYTENSOR_TEST_BACKENDS", "").split(",") if n]
BACKENDS = [n for n in pt.backends.names() if not _ONLY or n in _ONLY]

_SKIPPED: dict[str, str] = {}
_COUNTS: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[pt.backends.Backend]:
    """Every registered backend in turn, made current for the test."""
    name = request.param
    status = pt.backends.available().get(name, "not registered")
    if status != "available":
        _SKIPPED[name] = status
        pytest.skip(f"backend {name!r} is unavailable: {status}")
    with pt.use_backend(name) as b:
        yield b


def _ours(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).parents


def _param(item: pytest.Item, name: str) -> Any:
    callspec = getattr(item, "callspec", None)
    return None if callspec is None else callspec.params.get(name)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if not _ours(item):
            continue
        backend = _backend_of(item)
        op = _param(item, "op")
        variant = _param(item, "variant")
        name = getattr(op, "name", op)
        if variant:
            name = f"{name}[{variant}]"
        test = getattr(item, "originalname", item.name)
        reason = KNOWN_FAILURES.get((test, backend, name)) or KNOWN_FAILURES.get(
            ("*", backend, name)
        )
        if reason:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))


def _backend_of(item: pytest.Item) -> str:
    """The backend a test ran on: its ``backend`` parameter, or its module's ``BACKEND``."""
    return (
        _param(item, "backend")
        or getattr(getattr(item, "module", None), "BACKEND", None)
        or "(no backend)"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Count each test's outcome (its call, or the setup that skipped or broke it) by backend."""
    report = yield
    counted = (
        report.when == "call"
        or (report.when == "setup" and report.outcome != "passed")
        or (report.when == "teardown" and report.outcome == "failed")
    )
    if counted and _ours(item):
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        else:
            outcome = report.outcome
        _COUNTS[_backend_of(item)][outcome] += 1
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _COUNTS and not _SKIPPED:
        return
    tr = terminalreporter
    tr.section("polytensor conformance: backends")
    for name in BACKENDS:
        if name in _SKIPPED:
            tr.write_line(f"{name}: skipped: {_SKIPPED[name]}")
        elif name in _COUNTS:
            counts = ", ".join(f"{n} {k}" for k, n in sorted(_COUNTS[name].items()))
            tr.write_line(f"{name}: ran: {counts}")
        else:
            tr.write_line(f"{name}: not selected")
    if "(no backend)" in _COUNTS:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(_COUNTS["(no backend)"].items()))
        tr.write_line(f"backend-independent tests: {counts}")
