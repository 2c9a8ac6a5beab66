"""Every op of the table by its namespace name (``pt.matmul``, ``pt.linalg.inv``), and the
dtypes: what derivative rules call, through this one module.

A leaf of the op chapters: no chapter imports it while loading, so rules look it up when they
run (``_pt()`` in ``_linalg_rules`` and ``fft``), when every chapter has loaded.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .. import _dtypes
from . import (
    creation,
    data_types,
    elementwise,
    fft,
    indexing,
    linalg,
    linear_algebra,
    manipulation,
    searching,
    sorting,
    special,
    statistical,
)
from ._registry import OPS, OpDef

__all__ = ["fft", "linalg", "special", "table"]

_CHAPTERS: tuple[ModuleType, ...] = (
    elementwise,
    creation,
    data_types,
    indexing,
    linear_algebra,
    manipulation,
    searching,
    sorting,
    statistical,
    _dtypes,
)


def table() -> dict[str, OpDef]:
    """The whole op table, by op name: every chapter has loaded once this module has."""
    return OPS


def __getattr__(name: str) -> Any:
    for chapter in _CHAPTERS:
        value = getattr(chapter, name, None)
        if value is not None:
            globals()[name] = value  # found once
            return value
    raise AttributeError(f"no op or dtype named {name!r} in polytensor's table")
