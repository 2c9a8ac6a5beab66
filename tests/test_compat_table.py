"""docs/compatibility.md is the table ``make compat-table`` generates, and it is current.

The suite recomputes a sample of it (SciPy's special functions, preprocessing of scikit-learn) on
NumPy and compares with the committed rows; ``make compat-table`` recomputes the whole.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "conformance"))


def _committed() -> str:
    return (ROOT / "docs" / "compatibility.md").read_text()


def test_committed_table_is_current() -> None:
    pytest.importorskip("scipy")
    pytest.importorskip("sklearn")
    env = dict(os.environ, SCIPY_ARRAY_API="1", PYTHONPATH=str(ROOT))
    env.pop("POLYTENSOR_BACKEND", None)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "conformance" / "compat.py"),
            "--check",
            *("--backend", "numpy"),
            *("--library", "scipy.special", "--library", "sklearn.preprocessing"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_counts_agree_with_the_rows() -> None:
    import compat

    text = _committed()
    rows = compat.parse(text)
    statuses = (compat.CORRECT, compat.WRONG, compat.DETACHED, compat.OURS, compat.OTHER)
    for backend in compat.BACKENDS:
        counts = [sum(1 for r in rows.values() if r[backend].startswith(s)) for s in statuses]
        line = f"| {backend} | " + " | ".join(str(c) for c in counts) + " |"
        assert line in text, f"the counts of {backend} do not match its rows: expected {line}"


def test_no_function_detaches_silently_into_a_numpy_array() -> None:
    """A function that dispatches through the array API either keeps the graph or raises; the
    only rows outside the graph return Python floats (scikit-learn's metrics call float())."""
    import compat

    for label, cells in compat.parse(_committed()).items():
        for backend, cell in cells.items():
            if cell.startswith(compat.DETACHED):
                assert "builtins.float" in cell, f"{label} on {backend}: {cell}"


def test_table_is_linked_from_the_readme() -> None:
    assert "docs/compatibility.md" in (ROOT / "README.md").read_text()
