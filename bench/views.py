"""What the views and lookups that programs write at every step cost, side by side in one run.

The tutorials and the programs written from them index (``x[0]``, ``x[:, 1]``, ``x[1:3]``),
reshape (``x.view(-1, 8)``, ``x.reshape``, ``x.flatten()``, ``x.unsqueeze(0)``), transpose
(``x.T``, ``x.t()``, ``x.permute``), ask sizes (``x.size(0)``) and read the loss
(``loss.item()``). Each is timed on a 4x6 float32 tensor in polytensor (NumPy backend), on the
same data as a NumPy array (what NumPy by hand writes: ``a[0]``, ``a.reshape(-1)``, ``a.T``,
``a.shape[0]``, ``a.item()``), and in torch when it is importable; ``w.*`` rows take a tensor
that requires grad (the view is recorded). Per call, median over rounds of ``timeit``
measurements, the implementations interleaved in rotating order within each round. Record
figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/views.py

torch is optional and never a dependency of polytensor.

Examples
--------
>>> [name for name, _ in idioms(np)][:3]
['x[0]', 'x[:, 1]', 'x[1:3]']
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

import polytensor as pt

from _common import Candidate, OtherLoad, cpu_model, dist_version, measure, revision

COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/views.py"
)


def idioms(lib: Any) -> list[tuple[str, Callable[[], Any]]]:
    """The idioms, as ``lib`` (polytensor, torch or NumPy) writes them, on its own 4x6 data."""
    data = np.arange(24, dtype=np.float32).reshape(4, 6)
    if lib is np:
        x = w = data
        loss = data.sum()
        return [
            ("x[0]", lambda: x[0]),
            ("x[:, 1]", lambda: x[:, 1]),
            ("x[1:3]", lambda: x[1:3]),
            ("x.T", lambda: x.T),
            ("x.t()", lambda: x.T),
            ("x.permute(1, 0)", lambda: x.transpose(1, 0)),
            ("x.view(-1)", lambda: x.reshape(-1)),
            ("x.view(-1, 8)", lambda: x.reshape(-1, 8)),
            ("x.reshape(6, 4)", lambda: x.reshape(6, 4)),
            ("x.flatten()", lambda: x.reshape(-1)),
            ("x.unsqueeze(0)", lambda: x[None]),
            ("x.size(0)", lambda: x.shape[0]),
            ("loss.item()", lambda: loss.item()),
            ("w[0]", lambda: w[0]),
            ("w.T", lambda: w.T),
            ("w.view(-1)", lambda: w.reshape(-1)),
        ]
    x = lib.from_numpy(data.copy())
    w = lib.tensor(data.copy(), requires_grad=True)
    loss = x.sum()
    return [
        ("x[0]", lambda: x[0]),
        ("x[:, 1]", lambda: x[:, 1]),
        ("x[1:3]", lambda: x[1:3]),
        ("x.T", lambda: x.T),
        ("x.t()", lambda: x.t()),
        ("x.permute(1, 0)", lambda: x.permute(1, 0)),
        ("x.view(-1)", lambda: x.view(-1)),
        ("x.view(-1, 8)", lambda: x.view(-1, 8)),
        ("x.reshape(6, 4)", lambda: x.reshape(6, 4)),
        ("x.flatten()", lambda: x.flatten()),
        ("x.unsqueeze(0)", lambda: x.unsqueeze(0)),
        ("x.size(0)", lambda: x.size(0)),
        ("loss.item()", lambda: loss.item()),
        ("w[0]", lambda: w[0]),
        ("w.T", lambda: w.T),
        ("w.view(-1)", lambda: w.view(-1)),
    ]


def _results_agree(libs: dict[str, Any]) -> None:
    """Every library's result of every idiom equals NumPy's (before any time is read)."""
    ref = dict(idioms(np))
    for name, lib in libs.items():
        for idiom, run in idioms(lib):
            got = run()
            got = got.detach().numpy() if hasattr(got, "detach") else np.asarray(got)
            if not np.array_equal(got, np.asarray(ref[idiom]())):
                raise SystemExit(f"{name}'s {idiom} disagrees with NumPy's")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--target", type=float, default=0.05, help="seconds per measurement")
    parser.add_argument("--no-torch", action="store_true")
    args = parser.parse_args(argv)
    libs: dict[str, Any] = {"polytensor": pt}
    if not args.no_torch:
        try:
            import torch

            torch.set_num_threads(1)
            libs["torch"] = torch
        except ImportError:
            print("torch is not importable: its column is left out")
    _results_agree(libs)
    load = OtherLoad()
    per: dict[str, dict[str, Candidate]] = {}
    for name, lib in {"NumPy": np, **libs}.items():
        for idiom, run in idioms(lib):
            per.setdefault(idiom, {})[name] = Candidate(f"{name} {idiom}", run)
    for cands in per.values():
        measure(list(cands.values()), rounds=args.rounds, target_s=args.target)
    print(f"# bench/views.py, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"# {revision()}; {cpu_model()}; Python {platform.python_version()}, NumPy "
        f"{np.__version__}" + (f", torch {dist_version('torch')}" if "torch" in libs else "")
    )
    print(f"# command: {COMMAND} --rounds {args.rounds}")
    names = ["NumPy", *libs]
    head = " | ".join(f"{n} (ns)" for n in names)
    print(
        f"\n| idiom | {head} | polytensor - NumPy (ns) |"
        + (" polytensor / torch |" if "torch" in libs else "")
    )
    print("|---" * (len(names) + 2 + ("torch" in libs)) + "|")
    over_torch = []
    for idiom, cands in per.items():
        med = {n: statistics.median(c.times) * 1e9 for n, c in cands.items()}
        row = " | ".join(f"{med[n]:.0f}" for n in names)
        extra = ""
        if "torch" in libs:
            over_torch.append(med["polytensor"] / med["torch"])
            extra = f" {over_torch[-1]:.2f}x |"
        print(f"| `{idiom}` | {row} | {med['polytensor'] - med['NumPy']:.0f} |{extra}")
    if over_torch:
        print(
            f"\npolytensor / torch: median {statistics.median(over_torch):.2f}x, "
            f"range {min(over_torch):.2f}-{max(over_torch):.2f}x over {len(over_torch)} idioms"
        )
    load.print_report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
