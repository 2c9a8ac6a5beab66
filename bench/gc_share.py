"""How much of the recorded chain's time CPython's cycle collector takes.

``tape.py``'s recorded chain (1,000 element-wise ops on 8-element float64 tensors, recorded,
then ``.sum().backward()``) builds a graph of a few Python objects per op, which the cycle
collector traverses while it grows. This script times the chain as ``tape.py`` builds it, with
the collector on (as a program runs) and off, in rounds that alternate the two, and counts the
collections of each generation per chain and their time (``gc.callbacks``). ``timeit``, and
so any figure measured with it, turns the collector off unless told otherwise; ``tape.py``
leaves it on. Command::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/gc_share.py

Examples
--------
>>> import subprocess, sys
>>> subprocess.run([sys.executable, __file__, "--rounds", "1", "--chains", "5"],
...                check=True, capture_output=True).returncode
0
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import statistics
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.append(_HERE)

from tape import torchlike_chain  # noqa: E402

import polytensor as pt  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--chains", type=int, default=60, help="chains per measurement")
    args = p.parse_args(argv)
    run = torchlike_chain(pt, True)
    for _ in range(20):
        run()
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.rounds):
        for on in (True, False):
            (gc.enable if on else gc.disable)()
            t0 = time.perf_counter()
            for _ in range(args.chains):
                run()
            times[on].append((time.perf_counter() - t0) / args.chains)
    gc.enable()
    spent: collections.defaultdict[int, float] = collections.defaultdict(float)
    count: collections.Counter[int] = collections.Counter()
    started = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[info["generation"]] += time.perf_counter() - started[0]
            count[info["generation"]] += 1

    n = args.chains * args.rounds
    gc.callbacks.append(watch)
    for _ in range(n):
        run()
    gc.callbacks.remove(watch)
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"recorded chain, median of {args.rounds} rounds of {args.chains} chains")
    print(f"collector on:  {on * 1e3:.3f} ms per chain")
    print(f"collector off: {off * 1e3:.3f} ms per chain ({(on - off) / on:.1%} of the time on)")
    for g in sorted(count):
        print(
            f"generation {g}: {count[g] / n:.2f} collections per chain, "
            f"{spent[g] / count[g] * 1e3:.3f} ms each, {spent[g] / n * 1e3:.3f} ms per chain"
        )
    print(f"objects the collector tracks now: {len(gc.get_objects())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
