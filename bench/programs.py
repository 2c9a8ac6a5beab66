"""Whole PyTorch programs, polytensor against torch, side by side in one run.

The programs are those of ``tests/pytorch_programs/`` (the test suite runs each with
``import polytensor as torch`` and again under torch, and compares every result): by default
the ones written from *Dive into Deep Learning* and PyTorch's Quickstart, data loading,
LSTM, chatbot, Transformer, DCGAN and spatial transformer tutorials and pytorch/examples'
super-resolution network, which train small networks on small tensors, so what
they measure is the cost of each library's own Python and dispatch as much as its kernels.
Each round runs every program once in each library, in turn (torch at one thread, NumPy's
BLAS at one thread), with the program's printing silenced; the table gives median times and
the median of the per-round ratios. Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/programs.py

Examples
--------
>>> sorted(DEFAULT)[:2]
['d2l_attention', 'd2l_builders_guide']
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_info, threadpool_limits

import polytensor as pt

from _common import OtherLoad, cpu_model, dist_version, revision

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from pytorch_programs import PROGRAMS  # (the tests' programs, on the path above)

COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/programs.py"
)

DEFAULT = [
    "d2l_linear_regression_scratch",
    "d2l_linear_regression_concise",
    "d2l_softmax_regression_scratch",
    "d2l_mlp_scratch",
    "d2l_builders_guide",
    "d2l_lenet",
    "d2l_resnet",
    "d2l_attention",
    "d2l_seq2seq",
    "tut_quickstart",
    "tut_lstm_tagger",
    "tut_chatbot",
    "tut_transformer_lm",
    "tut_dcgan",
    "stn_tutorial",
    "super_resolution",
]


def run_once(name: str, lib: Any, tmp: Path) -> float:
    """Seconds for one run of program ``name`` with ``lib`` as ``torch``."""
    prog = PROGRAMS[name]
    data = {k: v.copy() for k, v in prog.data().items()}
    with contextlib.redirect_stdout(io.StringIO()):
        t = time.perf_counter()
        prog.fn(lib, data, tmp)
        return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--programs", nargs="+", default=DEFAULT, choices=sorted(PROGRAMS))
    args = p.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch is not installed: nothing to compare with (pip install torch)")
        return 1
    torch.set_num_threads(1)
    threadpool_limits(1)
    now = datetime.datetime.now(datetime.UTC)
    print(f"PyTorch programs, polytensor against torch, {now:%Y-%m-%d %H:%M} UTC")
    print(f"polytensor at {revision()}; Python {platform.python_version()}; {cpu_model()}")
    print(f"NumPy {dist_version('numpy')}, torch {torch.__version__}")
    for d in threadpool_info():
        arch, threads = d.get("architecture"), d["num_threads"]
        print(f"{d['internal_api']} {d['version']}, {arch}, {threads} thread(s)")
    print(f"command: {COMMAND}; {args.rounds} rounds")
    load = OtherLoad()
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, pt.use_backend("numpy"):
        for name in args.programs:  # (a warm-up run of each: imports, first-call costs)
            for lib in (pt, torch):
                run_once(name, lib, Path(tmp))
        for r in range(args.rounds):
            libs = [("polytensor", pt), ("torch", torch)]
            for name in args.programs:
                for label, lib in libs if r % 2 == 0 else libs[::-1]:
                    times.setdefault((name, label), []).append(run_once(name, lib, Path(tmp)))
            print(f"round {r + 1}/{args.rounds} done", flush=True)
    print()
    print("| program | polytensor | torch | polytensor / torch |")
    print("| --- | --- | --- | --- |")
    for name in args.programs:
        a, b = times[(name, "polytensor")], times[(name, "torch")]
        ratio = statistics.median(x / y for x, y in zip(a, b, strict=True))
        print(
            f"| {name} | {statistics.median(a) * 1e3:.1f} ms | {statistics.median(b) * 1e3:.1f} ms "
            f"| {ratio:.2f}x |"
        )
    print()
    load.print_report()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
