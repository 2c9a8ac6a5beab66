"""What the views, lookups and small calls that programs write at every step cost, side by
side in one run.

The tutorials and the programs written from them index (``x[0]``, ``x[:, 1]``, ``x[idx]``),
reshape (``x.view(-1, 8)``, ``x.flatten()``, ``x.unsqueeze(0)``), transpose (``x.T``,
``x.t()``), ask sizes (``x.size(0)``), read the loss (``loss.item()``), join (``torch.cat``,
``torch.stack``), cast (``x.float()``), count correct predictions (``(pred == y).sum()
.item()``, ``torch.max(out, 1)``), write (``x[0] = 1``), draw (``torch.randn``) and wrap NumPy
data (``torch.from_numpy``, ``torch.tensor([...])``). Each is timed on small tensors (4x6 or
32x3 float32) in polytensor (NumPy backend), as NumPy by hand writes it on the same data
(``a[0]``, ``a.reshape(-1)``, ``np.concatenate``, ``a.astype``, ``a.max(1)`` with
``a.argmax(1)``...), and in torch when it is importable; ``w*`` rows take a tensor that requires
grad (the op is recorded). Per call, median over rounds of ``timeit`` measurements, the
implementations interleaved in rotating order within each round; every result is checked
against NumPy's first (random draws: their shape and dtype). Record figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/idioms.py

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
    ".venv/bin/python bench/idioms.py"
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
            *_numpy_calls(),
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
        *_calls(lib),
    ]


RANDOM = frozenset({"randn(8, 4)"})  # (checked by shape and dtype: other generators)


def _call_data() -> tuple[np.ndarray, ...]:
    """Logits (32x3 float32), class labels (32) and row indices (8) for the calls."""
    rng = np.random.default_rng(0)
    out = rng.standard_normal((32, 3)).astype(np.float32)
    return out, rng.integers(0, 3, 32), rng.integers(0, 32, 8)


def _numpy_calls() -> list[tuple[str, Callable[[], Any]]]:
    out, y, idx = _call_data()
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    rng = np.random.default_rng(1)
    rows = np.arange(32)

    def max_1() -> Any:
        return out.max(1), out.argmax(1)

    def cross_entropy() -> Any:
        s = out - out.max(1, keepdims=True)
        return (np.log(np.exp(s).sum(1)) - s[rows, y]).mean()

    b = a.copy()

    def write() -> Any:
        b[0] = 1.0
        return b

    return [
        ("cat([x, x])", lambda: np.concatenate([a, a])),
        ("stack([x, x])", lambda: np.stack([a, a])),
        ("x.double()", lambda: a.astype(np.float64)),
        ("x[idx]", lambda: out[idx]),
        ("x[0] = 1", write),
        ("max(out, 1)", max_1),
        ("(pred == y).sum().item()", lambda: (out.argmax(1) == y).sum().item()),
        ("cross_entropy(out, y)", cross_entropy),
        ("randn(8, 4)", lambda: rng.standard_normal((8, 4), dtype=np.float32)),
        ("from_numpy(a)", lambda: np.asarray(a)),
        ("tensor([1., 2., 3.])", lambda: np.array([1.0, 2.0, 3.0], dtype=np.float32)),
    ]


def _calls(lib: Any) -> list[tuple[str, Callable[[], Any]]]:
    o, yd, idxd = _call_data()
    out = lib.from_numpy(o)
    y = lib.from_numpy(yd)
    idx = lib.from_numpy(idxd)
    pred = out.argmax(1)
    a = np.arange(24, dtype=np.float32).reshape(4, 6)
    x = lib.from_numpy(a.copy())
    f = lib.nn.functional

    def write() -> Any:
        x[0] = 1.0
        return x

    return [
        ("cat([x, x])", lambda: lib.cat([x, x])),
        ("stack([x, x])", lambda: lib.stack([x, x])),
        ("x.double()", lambda: x.double()),
        ("x[idx]", lambda: out[idx]),
        ("x[0] = 1", write),
        ("max(out, 1)", lambda: lib.max(out, 1)),
        ("(pred == y).sum().item()", lambda: (pred == y).sum().item()),
        ("cross_entropy(out, y)", lambda: f.cross_entropy(out, y)),
        ("randn(8, 4)", lambda: lib.randn(8, 4)),
        ("from_numpy(a)", lambda: lib.from_numpy(a)),
        ("tensor([1., 2., 3.])", lambda: lib.tensor([1.0, 2.0, 3.0])),
    ]


def _as_numpy(v: Any) -> Any:
    if isinstance(v, tuple):
        return tuple(_as_numpy(e) for e in v)
    return v.detach().numpy() if hasattr(v, "detach") else np.asarray(v)


def _same(got: Any, want: Any, random: bool) -> bool:
    if isinstance(want, tuple):
        return all(_same(g, w, random) for g, w in zip(got, want, strict=True))
    if random:
        return bool(got.shape == want.shape and got.dtype == want.dtype)
    return bool(np.allclose(got, want, rtol=1e-6, atol=1e-6))


def _results_agree(libs: dict[str, Any]) -> None:
    """Every library's result of every idiom equals NumPy's (before any time is read)."""
    ref = dict(idioms(np))
    for name, lib in libs.items():
        for idiom, run in idioms(lib):
            got, want = _as_numpy(run()), _as_numpy(ref[idiom]())
            if not _same(got, want, idiom in RANDOM):
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
    print(f"# bench/idioms.py, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
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
