"""Packaging facts kept in one place: the version number, and the Python versions that
``requires-python``, the classifiers and CI name."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import polytensor as pt

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def test_the_version_is_written_once_in_polytensor_version() -> None:
    project = _pyproject()["project"]
    assert "version" in project["dynamic"] and "version" not in project
    assert pt.__version__ == version("polytensor")  # reinstall (make test) after a change
    out = subprocess.run(
        [sys.executable, "-m", "polytensor", "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert out.strip() == f"polytensor {pt.__version__}"


def test_requires_python_names_exactly_the_versions_ci_runs() -> None:
    project = _pyproject()["project"]
    assert project["requires-python"] == ">=3.11,<3.14"
    classified = sorted(
        c.rsplit(" ", 1)[-1]
        for c in project["classifiers"]
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    ci = (ROOT / ".ci" / "run").read_text()
    newer = re.search(r"^NEWER_PYTHONS=\((.*)\)$", ci, re.MULTILINE)
    assert newer is not None
    assert classified == ["3.11", *newer.group(1).split()] == ["3.11", "3.12", "3.13"]
