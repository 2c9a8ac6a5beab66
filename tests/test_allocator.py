"""The NumPy backend lets glibc's malloc settle for large arrays at load (see
``polytensor.backends.numpy.warm_up_allocator``): a loop that frees its large temporaries
together must not get its memory back from the kernel, page by page, every iteration."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import pytest

LOOP = """
import resource
import numpy as np
import polytensor as pt
pt.ones(1)  # loads the NumPy backend
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def step():
    a = np.ones(100_000)  # 800 KB, like the float64 weights' gradient and update of a step
    b = a * 2.0
    c = b + 1.0
    del a, b, c  # 2.4 MB free at the top of the heap at once
step()  # the first step: glibc adapts to 800 KB blocks, the heap grows
f0 = faults()
for _ in range(50):
    step()
print((faults() - f0) / 50)
"""


def _glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (ValueError, OSError):
        return False


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not _glibc(),
    reason="the warm-up concerns glibc's malloc; this C library is not glibc",
)
def test_freeing_large_temporaries_together_costs_no_page_faults(
    run_python: Callable[..., Any],
) -> None:
    clean = {
        "MALLOC_MMAP_THRESHOLD_": None,
        "MALLOC_TRIM_THRESHOLD_": None,
        "MALLOC_TOP_PAD_": None,
        "MALLOC_MMAP_MAX_": None,
    }
    without = run_python(LOOP, env={**clean, "POLYTENSOR_MALLOC_WARMUP": "0"})
    assert without.returncode == 0, without.stderr
    if float(without.stdout) < 100:
        pytest.skip(
            f"this glibc does not give the heap back here even without the warm-up "
            f"({float(without.stdout):.0f} faults per iteration): nothing to show"
        )
    warmed = run_python(LOOP, env={**clean, "POLYTENSOR_MALLOC_WARMUP": None})
    assert warmed.returncode == 0, warmed.stderr
    assert float(warmed.stdout) < 10, (warmed.stdout, without.stdout)
