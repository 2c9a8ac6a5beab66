"""Helpers shared by the benchmarks: what machine and software they ran on, and how busy it was."""

from __future__ import annotations

import os
import platform
import time
import timeit
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import polytensor as pt

__all__ = ["OtherLoad", "blas_lines", "cpu_model", "dist_version", "revision", "verdict"]


def dist_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def blas_lines() -> list[str]:
    from threadpoolctl import threadpool_info

    lines = [
        f"{lib.get('internal_api')} {lib.get('version')}, "
        f"architecture {lib.get('architecture', 'n/a')}, "
        f"num_threads {lib.get('num_threads')} "
        f"({lib.get('user_api')}: {os.path.basename(lib.get('filepath', ''))})"
        for lib in threadpool_info()
    ]
    return lines or ["none found"]


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


class OtherLoad:
    """CPU used by processes other than this one (and its finished children) between creation
    and ``cores_used()`` (Linux; from /proc/stat minus this process's own CPU time)."""

    def __init__(self) -> None:
        self.start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        try:
            with open("/proc/stat") as f:
                fields = [float(v) for v in f.readline().split()[1:8]]
        except (OSError, ValueError):
            return None
        tick = os.sysconf("SC_CLK_TCK")
        busy = (sum(fields) - fields[3] - fields[4]) / tick  # all but idle and iowait
        own = os.times()  # (with the children waited for: a benchmark's worker processes)
        return (
            busy,
            own.user + own.system + own.children_user + own.children_system,
            time.monotonic(),
        )

    def cores_used(self) -> float | None:
        end = self._sample()
        if self.start is None or end is None or end[2] <= self.start[2]:
            return None
        other = (end[0] - self.start[0]) - (end[1] - self.start[1])
        return max(other, 0.0) / (end[2] - self.start[2])

    def print_report(self) -> None:
        """Print how busy the other processes kept the machine, with a warning when it was
        not quiet (nothing when it cannot be told)."""
        other = self.cores_used()
        if other is None:
            return
        print()
        print(f"other processes used {other:.2f} of {os.cpu_count()} cores during the run")
        if other > 0.25:
            print("  warning: the machine was not quiet; figures may be inflated, rerun")


def revision() -> str:
    """The git commit of the polytensor being measured (+ "-dirty" with local changes)."""
    return git_revision(os.path.dirname(os.path.dirname(os.path.abspath(pt.__file__))))


def git_revision(root: str) -> str:
    """The git commit of the checkout at ``root`` (+ "-dirty" with local changes)."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "-C", root, "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return f"{root} (not a git checkout)"
    return f"{root} at {out.stdout.strip()}"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


class Candidate:
    """One implementation to time: a label, a zero-argument callable that runs it once and,
    optionally, one that returns its result as a NumPy array (to check agreement)."""

    def __init__(
        self, label: str, run: Callable[[], Any], result: Callable[[], Any] | None = None
    ) -> None:
        self.label = label
        self.run = run
        self.result = result
        self.number = 1
        self.times: list[float] = []  # seconds per run, one per round
        self.faults: list[float] = []  # minor page faults per run, one per round


def measure(candidates: list[Candidate], rounds: int, target_s: float, warmup: int = 2) -> None:
    """Time every candidate ``rounds`` times, interleaved in rotating order, so that drift of
    a noisy machine hits them alike; store seconds and page faults per run. One measurement
    repeats a run ``number`` times (about ``target_s``), after ``warmup`` calibration runs.

    Examples
    --------
    >>> c = Candidate("noop", lambda: None)
    >>> measure([c], rounds=3, target_s=0.001)
    >>> len(c.times), len(c.faults)
    (3, 3)
    """
    for c in candidates:  # warm up (first calls resolve functions, fill caches) and calibrate
        once = min(timeit.repeat(c.run, number=1, repeat=warmup))
        c.number = max(1, int(target_s / max(once, 1e-9)))
    for r in range(rounds):
        k = r % len(candidates)
        for c in candidates[k:] + candidates[:k]:
            f0 = minor_faults()
            c.times.append(timeit.timeit(c.run, number=c.number) / c.number)
            c.faults.append((minor_faults() - f0) / c.number)


def minor_faults() -> int:
    """Minor page faults of this process so far (memory the kernel handed out afresh)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
