"""How long ``import polytensor`` takes next to ``import numpy``, as whole processes.

Each run starts a fresh interpreter, ``python -c "import numpy"`` or
``python -c "import polytensor"``, and times it from outside (wall time from the start of the
process to its exit, interpreter start-up included). The two commands take turns (numpy,
polytensor, numpy, polytensor, ...) for ``--pairs`` pairs, so that drift of a noisy machine hits
both alike; the script prints each command's median, the ratio of the medians and the median of
the per-pair ratios (goal: at most 1.5x ``import numpy``). It also checks, in one more process,
that ``import polytensor`` leaves dask, cupy, scipy and array_api_strict out of ``sys.modules``.

Bytecode caches: NumPy's wheel ships its ``.pyc`` files, while polytensor, installed from
source, has them only once an import has written them; a machine that sets
``PYTHONDONTWRITEBYTECODE=1`` would compile polytensor from source on every import. So every
run here (one warm-up of each command first, then the timed ones) has
``PYTHONDONTWRITEBYTECODE`` unset: the warm-up writes polytensor's caches and the timed runs
find caches for both libraries, as an installed package would. The commands run in the root
of this checkout, so its polytensor is the one measured. Record figures with::

    .venv/bin/python bench/import_time.py

``--against DIR`` also times ``import polytensor`` run in DIR, another checkout (say an older
commit: ``git archive COMMIT polytensor | tar -x -C DIR``), in the same turns, for a before and
after from one run. ``--breakdown N`` also prints the N modules ``import polytensor`` loads
beyond what ``import numpy`` does, by self time (``python -X importtime``, median of a few
runs).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

import polytensor as pt

from _common import OtherLoad, git_revision
from _common import cpu_model as _cpu_model

GOAL_RATIO = 1.5
HEAVY = ("dask", "cupy", "scipy", "array_api_strict")  # must not load with polytensor
RECORD_COMMAND = ".venv/bin/python bench/import_time.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK = (
    "import sys, polytensor; print(polytensor.__file__); "
    f"print(' '.join(sorted({{m.partition('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
)


class _OtherLoad(OtherLoad):
    """CPU used by other processes, counting the interpreters this script waited for as its
    own."""

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        sample = OtherLoad._sample()
        if sample is None:
            return None
        t = os.times()
        return sample[0], sample[1] + t.children_user + t.children_system, sample[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # see the module docstring
    return env


def run_once(code: str, env: dict[str, str], cwd: str = ROOT) -> float:
    """Wall seconds of one ``python -c code`` process run in ``cwd``, start to exit.

    Examples
    --------
    >>> run_once("pass", _env()) > 0
    True
    """
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"python -c {code!r} failed:\n{proc.stderr.decode()}")
    return elapsed


def import_times(pairs: int, against: str | None = None) -> list[list[float]]:
    """Seconds per run of ``import numpy``, of ``import polytensor`` and, with ``against``,
    of ``import polytensor`` run in that directory, taken in turn ``pairs`` times."""
    env = _env()
    commands = [("import numpy", ROOT), ("import polytensor", ROOT)]
    if against is not None:
        commands.append(("import polytensor", against))
    for code, cwd in commands:  # warm-up: writes polytensor's .pyc files
        run_once(code, env, cwd)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(pairs):
        for (code, cwd), out in zip(commands, times, strict=True):
            out.append(run_once(code, env, cwd))
    return times


def _self_times(module: str, env: dict[str, str]) -> dict[str, int]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    out: dict[str, int] = {}
    for line in proc.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[0].strip().isdigit():
            out[fields[2].strip()] = int(fields[0])
    return out


def breakdown(top: int, runs: int = 5) -> None:
    """Print the ``top`` modules that ``import polytensor`` loads and ``import numpy`` does not,
    by median self time over ``runs`` runs of ``python -X importtime``."""
    env = _env()
    numpy_modules: set[str] = set()
    samples: dict[str, list[int]] = {}
    for _ in range(runs):
        numpy_modules |= set(_self_times("numpy", env))
        for name, us in _self_times("polytensor", env).items():
            samples.setdefault(name, []).append(us)
    extra = {
        name: statistics.median(us) for name, us in samples.items() if name not in numpy_modules
    }
    own = sum(us for name, us in extra.items() if name.split(".")[0] == "polytensor")
    print()
    print(
        f"modules loaded by `import polytensor` beyond `import numpy` ({len(extra)}), "
        f"median self time of {runs} runs of python -X importtime (which slows imports):"
    )
    print(
        f"  all of them {sum(extra.values()) / 1e3:.1f} ms; polytensor's own "
        f"{own / 1e3:.1f} ms; others {(sum(extra.values()) - own) / 1e3:.1f} ms"
    )
    for name, us in sorted(extra.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {us / 1e3:7.2f} ms  {name}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report; return 1 if a heavy library was imported.

    Examples
    --------
    >>> main(["--pairs", "1"])  # doctest: +SKIP
    0
    """
    parser = argparse.ArgumentParser(
        description="Wall time of `import polytensor` against `import numpy`, whole "
        f"processes in turn. Record figures with: {RECORD_COMMAND}"
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=15,
        help="numpy/polytensor pairs of runs (default 15, at least 7)",
    )
    parser.add_argument(
        "--against",
        metavar="DIR",
        help="also time `import polytensor` run in DIR (another checkout)",
    )
    parser.add_argument(
        "--breakdown",
        type=int,
        default=0,
        metavar="N",
        help="also print the N slowest modules polytensor adds (importtime)",
    )
    args = parser.parse_args(argv)
    if args.pairs < 7:
        parser.error("--pairs must be at least 7")

    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"polytensor import-time benchmark, {now}")
    print(
        f"python {platform.python_version()} ({sys.executable}), "
        f"polytensor {pt.__version__}, numpy {np.__version__}"
    )
    print(f"polytensor source: {git_revision(ROOT)}")
    print(
        f"machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, {_cpu_model()}"
    )
    print(
        "bytecode caches: present for both (runs with PYTHONDONTWRITEBYTECODE unset; a "
        "warm-up run of each command writes polytensor's .pyc files first)"
        + (
            "; note: this shell sets PYTHONDONTWRITEBYTECODE, cleared for the runs only"
            if "PYTHONDONTWRITEBYTECODE" in os.environ
            else ""
        )
    )

    status = 0
    check = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    loaded = check[1] if len(check) > 1 else ""
    print(f"polytensor imported from {check[0]}")
    print(
        f"heavy libraries in sys.modules after `import polytensor` ({', '.join(HEAVY)}): "
        f"{loaded or 'none'}"
    )
    if loaded:
        print(f"ERROR: `import polytensor` imports {loaded}")
        status = 1

    against = os.path.abspath(args.against) if args.against else None
    if against is not None and not os.path.isfile(
        os.path.join(against, "polytensor", "__init__.py")
    ):
        parser.error(f"--against {args.against}: no polytensor/__init__.py there")
    sampler = _OtherLoad()
    numpy_s, *polytensor_s = import_times(args.pairs, against)
    numpy_med = statistics.median(numpy_s)
    print()
    print(f"wall time per process, {args.pairs} rounds taken in turn, median (min-max):")
    labels = [
        'python -c "import numpy"',
        'python -c "import polytensor"',
        f"  the same, run in {against}",
    ]
    for label, times in zip(labels, [numpy_s, *polytensor_s], strict=False):
        print(
            f"  {label:<32}{statistics.median(times) * 1e3:7.1f} ms "
            f"({min(times) * 1e3:.1f}-{max(times) * 1e3:.1f})"
        )
    for label, times in zip(("", " (the other checkout)"), polytensor_s, strict=False):
        ratios = [p / n for n, p in zip(numpy_s, times, strict=True)]
        ratio = statistics.median(times) / numpy_med
        print(
            f"  ratio of the medians{label}: {ratio:.2f}x "
            f"(median of the per-pair ratios {statistics.median(ratios):.2f}x)"
        )
        if not label:
            print(f"  goal <= {GOAL_RATIO}x: {'met' if ratio <= GOAL_RATIO else 'NOT MET'}")
    sampler.print_report()
    if args.breakdown:
        breakdown(args.breakdown)
    print()
    print(f"record figures with: {RECORD_COMMAND}")
    return status


if __name__ == "__main__":
    sys.exit(main())
