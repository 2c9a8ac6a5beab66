"""Counting Dask's computations: the ``dask_computes`` fixture of both test suites.

``conformance/conftest.py`` and ``tests/conftest.py`` take the fixture from here, so a test of
either suite that must not compute (or must compute once) takes ``dask_computes`` and asserts on
``dask_computes.calls``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


class SchedulerCounter:
    """A Dask scheduler that counts how often it is asked to compute; it computes on the
    calling thread (``dask.get``)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, dsk: Any, keys: Any, **kwargs: Any) -> Any:
        import dask

        self.calls += 1
        return dask.get(dsk, keys, **kwargs)


@pytest.fixture
def dask_computes() -> Iterator[SchedulerCounter]:
    """Count Dask computations: every compute goes through a counting synchronous scheduler."""
    dask = pytest.importorskip("dask")
    counter = SchedulerCounter()
    with dask.config.set(scheduler=counter):
        yield counter
