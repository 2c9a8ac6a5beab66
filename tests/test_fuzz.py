"""The fuzz of the public surface (``tests/fuzz_calls.py``) with a small fixed budget per
backend: every call either succeeds or raises TypeError, ValueError, IndexError,
NotImplementedError or RuntimeError with a message that names the function. ``make fuzz``
runs the same fuzz for longer (``FUZZ_CALLS=100000 make fuzz``)."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import fuzz_calls

CALLS = 300  # per backend: a few seconds each


@pytest.mark.parametrize("backend", fuzz_calls.BACKENDS)
def test_random_calls_raise_only_clear_errors(backend: str) -> None:
    if backend != "numpy":
        pytest.importorskip(backend)
    report = fuzz_calls.Report()
    fuzz_calls.run(backend, CALLS, report)
    assert report.calls[backend] == CALLS
    assert not report.defects, "\n".join(
        f"[{report.count[k]}x] {text}" for k, text in sorted(report.defects.items())
    )


def test_the_fuzz_reports_a_defect() -> None:
    # a target that raises the wrong kind of error is caught, with the seed that reproduces it
    def broken(args: list[object], kwargs: dict[str, object], extra: object) -> None:
        raise KeyError("no")

    target = fuzz_calls.Target("broken", "broken", broken)
    report = fuzz_calls.Report()
    fuzz_calls.one_call(fuzz_calls.Draw(1), "numpy", [target], report, seed=1)
    (text,) = report.defects.values()
    assert "broken(" in text and "KeyError" in text and "seed 1" in text


def test_every_kind_of_target_is_fuzzed() -> None:
    names = {t.name for t in fuzz_calls.targets()}
    for expected in (
        "exp",
        "linalg.solve",
        "fft.fft",
        "Tensor.sum",
        "Tensor.__add__",
        "nn.Linear",
        "optim.SGD",
        "Tensor.__getitem__",
    ):
        assert expected in names
