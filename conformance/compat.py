"""The compatibility table: SciPy, scikit-learn and array-api-extra functions on polytensor tensors.

Each case calls a library function that dispatches through the Array API on a float64 tensor that
requires grad, on each backend, and sorts the outcome into one of:

- ``gradient correct``: it returned a tensor in the graph, and ``backward()`` of a random
  projection of it matches central differences of the same library function on NumPy arrays;
- ``GRADIENT WRONG``: it returned a tensor in the graph whose gradient does not match;
- ``DETACHED``: it returned something that is not in the graph (an ndarray, a tensor without
  grad): the silent detach the conversion policy exists to prevent;
- ``polytensor error``: it raised one of polytensor's own errors (saying what to do);
- ``other error``: it raised an error of the library or of NumPy.

``SCIPY_ARRAY_API=1`` must be set before SciPy is imported, so this module runs as a script:
``make compat-table`` regenerates ``docs/compatibility.md``; ``--check`` compares the backends it
computes with the committed table (``tests/test_compat_table.py`` runs it on NumPy).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import polytensor as pt

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "compatibility.md"
BACKENDS = ("numpy", "dask", "array_api_strict")
CORRECT, WRONG, DETACHED, OURS, OTHER = (
    "gradient correct",
    "GRADIENT WRONG",
    "DETACHED",
    "polytensor error",
    "other error",
)


@dataclass
class Case:
    library: str  # the row's group: "scipy.special", "sklearn.metrics", ...
    name: str  # what the row calls
    fn: Callable[..., Any]  # of the inputs (tensors or NumPy arrays)
    shapes: tuple[tuple[int, ...], ...] = ((5,),)
    lo: float = -2.0
    hi: float = 2.0


def _xpx() -> Any:
    for name in (
        "array_api_extra",
        "sklearn.externals.array_api_extra",
        "scipy._lib.array_api_extra",
    ):
        try:
            return __import__(name, fromlist=["cov"])
        except ImportError:
            continue
    return None


def _first(out: Any) -> Any:
    """The first array of a result object (SciPy's result tuples, named results)."""
    if isinstance(out, tuple):
        return out[0]
    return getattr(out, "statistic", out)


def _like(x: Any, values: list[float]) -> Any:
    """``values`` as an array of ``x``'s namespace (and backend): a library's other inputs."""
    if isinstance(x, pt.Tensor):
        return pt.asarray(values, dtype=x.dtype, device=x.device)
    return np.asarray(values, dtype=x.dtype)


def _real(z: Any) -> Any:
    return pt.real(z) if isinstance(z, pt.Tensor) else np.real(z)


def _sklearn(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        import sklearn

        with sklearn.config_context(array_api_dispatch=True):
            return fn(*args)

    return call


def cases() -> list[Case]:
    import scipy.fft as sfft
    import scipy.special as sp
    from scipy import signal, stats
    from scipy.cluster import vq
    from sklearn import decomposition, metrics, preprocessing

    out: list[Case] = []
    pos = {"lo": 0.2, "hi": 3.0}
    unit = {"lo": 0.1, "hi": 0.9}
    for name, kw in (
        ("expit", {}),
        ("logit", unit),
        ("erf", {}),
        ("erfc", {}),
        ("erfinv", {"lo": -0.9, "hi": 0.9}),
        ("ndtr", {}),
        ("ndtri", unit),
        ("log_ndtr", {}),
        ("entr", pos),
        ("gammaln", pos),
        ("digamma", pos),
        ("i0", {}),
        ("i0e", {}),
        ("i1", {}),
        ("i1e", {}),
        ("softplus", {}),
        ("logsumexp", {}),
        ("softmax", {}),
        ("log_softmax", {}),
    ):
        out.append(Case("scipy.special", name, getattr(sp, name), **kw))  # type: ignore[arg-type]
    out += [
        Case("scipy.special", "xlogy", sp.xlogy, ((5,), (5,)), **pos),
        Case("scipy.special", "xlog1py", sp.xlog1py, ((5,), (5,)), **pos),
        Case("scipy.special", "rel_entr", sp.rel_entr, ((5,), (5,)), **pos),
        Case("scipy.stats", "zscore", stats.zscore),
        Case("scipy.stats", "moment(order=3)", lambda x: stats.moment(x, order=3)),
        Case("scipy.stats", "skew", stats.skew),
        Case("scipy.stats", "kurtosis", stats.kurtosis),
        Case("scipy.stats", "variation", stats.variation, **pos),
        Case("scipy.stats", "gmean", stats.gmean, **pos),
        Case("scipy.stats", "hmean", stats.hmean, **pos),
        Case("scipy.stats", "sem", stats.sem),
        Case("scipy.stats", "entropy", stats.entropy, **pos),
        Case("scipy.stats", "pearsonr", lambda x, y: _first(stats.pearsonr(x, y)), ((6,), (6,))),
        # p-values: pt.special's distribution functions (betaincc, stdtr, fdtrc, chdtrc)
        Case(
            "scipy.stats",
            "pearsonr (p-value)",
            lambda x, y: stats.pearsonr(x, y).pvalue,
            ((6,), (6,)),
        ),
        Case(
            "scipy.stats",
            "ttest_1samp (p-value)",
            lambda x: stats.ttest_1samp(x, 0.0).pvalue,
            ((6,),),
        ),
        Case(
            "scipy.stats",
            "ttest_ind (p-value)",
            lambda x, y: stats.ttest_ind(x, y).pvalue,
            ((6,), (6,)),
        ),
        Case(
            "scipy.stats",
            "ttest_rel (p-value)",
            lambda x, y: stats.ttest_rel(x, y).pvalue,
            ((6,), (6,)),
        ),
        Case(
            "scipy.stats",
            "f_oneway (p-value)",
            lambda x, y, z: stats.f_oneway(x, y, z).pvalue,
            ((5,), (5,), (5,)),
        ),
        Case("scipy.stats", "chisquare (p-value)", lambda x: stats.chisquare(x).pvalue, **pos),
        Case("scipy.signal", "fftconvolve", signal.fftconvolve, ((6,), (3,))),
        Case("scipy.signal", "convolve", signal.convolve, ((6,), (3,))),
        Case("scipy.signal", "correlate", signal.correlate, ((6,), (3,))),
        Case("scipy.signal", "detrend", signal.detrend, ((6,),)),
        Case(
            "scipy.signal",
            "lfilter",
            lambda x: signal.lfilter(_like(x, [1.0, 0.5]), _like(x, [1.0, -0.2]), x),
        ),
        Case("scipy.fft", "fft (real part)", lambda x: _real(sfft.fft(x))),
        Case("scipy.fft", "rfft (abs)", lambda x: abs(sfft.rfft(x))),
        Case("scipy.fft", "dct", sfft.dct),
        Case("scipy.fft", "idct", sfft.idct),
        Case("scipy.cluster", "vq.whiten", vq.whiten, ((6, 2),)),
        Case(
            "sklearn.preprocessing",
            "MinMaxScaler",
            _sklearn(lambda x: preprocessing.MinMaxScaler().fit_transform(x)),
            ((6, 2),),
        ),
        Case(
            "sklearn.preprocessing",
            "StandardScaler",
            _sklearn(lambda x: preprocessing.StandardScaler().fit_transform(x)),
            ((6, 2),),
        ),
        Case(
            "sklearn.preprocessing",
            "MaxAbsScaler",
            _sklearn(lambda x: preprocessing.MaxAbsScaler().fit_transform(x)),
            ((6, 2),),
            **pos,
        ),
        Case(
            "sklearn.preprocessing",
            "normalize",
            _sklearn(lambda x: preprocessing.normalize(x)),
            ((6, 2),),
        ),
        Case(
            "sklearn.decomposition",
            "PCA(svd_solver='full') (abs)",
            _sklearn(lambda x: abs(decomposition.PCA(1, svd_solver="full").fit_transform(x))),
            ((6, 3),),
        ),
        Case(
            "sklearn.metrics",
            "mean_squared_error",
            _sklearn(lambda x, y: metrics.mean_squared_error(x, y)),
            ((6,), (6,)),
        ),
        Case(
            "sklearn.metrics",
            "r2_score",
            _sklearn(lambda x, y: metrics.r2_score(x, y)),
            ((6,), (6,)),
        ),
        Case(
            "sklearn.metrics",
            "mean_absolute_error",
            _sklearn(lambda x, y: metrics.mean_absolute_error(x, y)),
            ((6,), (6,)),
        ),
        Case(
            "sklearn.metrics",
            "mean_squared_error(multioutput='raw_values')",
            _sklearn(lambda x, y: metrics.mean_squared_error(x, y, multioutput="raw_values")),
            ((6, 2), (6, 2)),
        ),
        Case(
            "sklearn.metrics",
            "r2_score(multioutput='raw_values')",
            _sklearn(lambda x, y: metrics.r2_score(x, y, multioutput="raw_values")),
            ((6, 2), (6, 2)),
        ),
        Case(
            "sklearn.metrics",
            "mean_absolute_error(multioutput='raw_values')",
            _sklearn(lambda x, y: metrics.mean_absolute_error(x, y, multioutput="raw_values")),
            ((6, 2), (6, 2)),
        ),
        Case(
            "sklearn.metrics",
            "pairwise.euclidean_distances",
            _sklearn(lambda x: metrics.pairwise.euclidean_distances(x, x[:2] * 2.0)),
            ((4, 3),),
        ),
        Case(
            "sklearn.metrics",
            "pairwise.cosine_similarity",
            _sklearn(lambda x: metrics.pairwise.cosine_similarity(x)),
            ((4, 3),),
            **pos,
        ),
    ]
    xpx = _xpx()
    if xpx is not None:
        out += [
            Case("array-api-extra", "cov", xpx.cov, ((2, 5),)),
            Case("array-api-extra", "sinc", xpx.sinc),
            Case("array-api-extra", "kron", xpx.kron, ((2,), (3,))),
            Case("array-api-extra", "pad", lambda x: xpx.pad(x, 2)),
            Case("array-api-extra", "nan_to_num", xpx.nan_to_num),
            Case(
                "array-api-extra",
                "apply_where",
                lambda x: xpx.apply_where(x > 0, x, lambda v: v * v, fill_value=0.0),
            ),
            Case(
                "array-api-extra",
                "at(...).set(copy=True)",
                lambda x: xpx.at(x)[0].set(1.0, copy=True),
            ),
        ]
    return out


def _inputs(case: Case, seed: int) -> list[np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(case.lo, case.hi, s) for s in case.shapes]


def _as_numpy(out: Any) -> np.ndarray[Any, Any]:
    return np.asarray(out, dtype=np.float64)


def _loss_np(case: Case, xs: list[np.ndarray[Any, Any]], w: np.ndarray[Any, Any] | None) -> float:
    out = _as_numpy(case.fn(*xs))
    return float(np.sum(out * (w if w is not None else 1.0)))


def _numerical(case: Case, xs: list[np.ndarray[Any, Any]], w: Any) -> list[np.ndarray[Any, Any]]:
    eps = 1e-6
    grads = []
    for i, x in enumerate(xs):
        g = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            up = [a.copy() for a in xs]
            down = [a.copy() for a in xs]
            up[i][j] += eps
            down[i][j] -= eps
            g[j] = (_loss_np(case, up, w) - _loss_np(case, down, w)) / (2 * eps)
        grads.append(g)
    return grads


def _is_ours(e: BaseException) -> bool:
    """One of polytensor's errors: raised from polytensor's code."""
    tb = e.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last is not None and f"{os.sep}polytensor{os.sep}" in last


def _short(e: BaseException) -> str:
    text = str(e).splitlines()[0] if str(e) else ""
    text = text.replace("|", "/")
    return f"{type(e).__name__}: {text[:110]}"


def outcome(case: Case, backend: str) -> tuple[str, str]:
    """(status, detail) of ``case`` on ``backend``, made the current backend (as a user does:
    the arrays a library creates go there)."""
    with pt.use_backend(backend):
        return _outcome(case, backend)


def _outcome(case: Case, backend: str) -> tuple[str, str]:
    xs = _inputs(case, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ts = [pt.asarray(x.copy(), device=backend, requires_grad=True) for x in xs]
        try:
            out = case.fn(*ts)
        except Exception as e:  # noqa: BLE001  (every failure is a row of the table)
            return (OURS if _is_ours(e) else OTHER), _short(e)
        if not isinstance(out, pt.Tensor):
            return DETACHED, f"returns {type(out).__module__}.{type(out).__name__}"
        if not out.requires_grad:
            return DETACHED, "returns a tensor without grad"
        w = np.random.default_rng(1).standard_normal(tuple(out.shape))
        try:
            (out * pt.asarray(w, device=backend)).sum().backward()
            got = [
                t.grad.numpy() if t.grad is not None else np.zeros_like(x)
                for t, x in zip(ts, xs, strict=True)
            ]
            want = _numerical(case, xs, w)
        except Exception as e:  # noqa: BLE001
            return (OURS if _is_ours(e) else OTHER), "backward: " + _short(e)
        for g, n in zip(got, want, strict=True):
            if not np.allclose(g, n, rtol=1e-5, atol=1e-6):
                err = float(np.max(np.abs(g - n)))
                return WRONG, f"max error {err:.2g}"
        return CORRECT, ""


def table(
    backends: tuple[str, ...], libraries: list[str] | None = None
) -> dict[str, dict[str, tuple[str, str]]]:
    """Row label -> backend -> (status, detail), for the cases of ``libraries`` (all: None)."""
    rows: dict[str, dict[str, tuple[str, str]]] = {}
    for case in cases():
        if libraries and case.library not in libraries:
            continue
        label = f"{case.library} | `{case.name}`"
        rows[label] = {b: outcome(case, b) for b in backends}
    return rows


NOTES = [
    "- scikit-learn's metrics return `float(...)` of a tensor, a Python number outside the graph. "
    "PyTorch allows `float()` of a tensor that requires grad, and so does polytensor in a user's "
    "code (`float(loss)`); called by an installed library that took the tensor through the "
    "Array API, it raises polytensor's error instead of detaching silently, saying how to get "
    "the number (`x.detach()`, `pt.no_grad()`). Their `multioutput='raw_values'` results are "
    "tensors and differentiate.",
    "- `StandardScaler`: scikit-learn's incremental variance squares "
    "`last_sum / last_over_new_count - new_sum`, a `0 / 0` of constants on the first batch, and "
    "overwrites the NaN with `u[zeros] = v[zeros]`; the overwritten square's cotangent is 0, "
    "and `pow`'s gradient is 0 there (a strong zero, docs/edge-gradients.md), where PyTorch's "
    "rule gives `0 * 2 * NaN` and makes the whole gradient NaN.",
    "- On Dask, array-API libraries see a lazy array (array-api-compat's `is_lazy_array`), so "
    "SciPy takes its lazy code paths: forward and backward stay lazy and compute once when "
    "asked; the constants a library makes with `asarray` and tests with `bool()` (`moment`'s "
    "`order`) hold their values, and reading them runs no scheduler. A gradient through a "
    "boolean mask of the tensor's shape (`out[m] = f(x[m])`) stays lazy; one through other "
    "boolean masks (a 0-d mask, a mask of fewer axes) raises and asks to "
    'compute first (`pt.compute`) or move the tensor (`x.to("numpy")`).',
    "- SciPy functions that still convert with `np.asarray` (`pearsonr`, "
    "`signal.convolve/correlate/detrend`, `fft.dct/idct`) raise polytensor's error instead of "
    "detaching.",
]


def _cell(status: str, detail: str) -> str:
    return f"{status} ({detail})" if detail else status


def render(rows: dict[str, dict[str, tuple[str, str]]], backends: tuple[str, ...]) -> str:
    lines = [
        "# Compatibility: array-API libraries on polytensor tensors",
        "",
        "Generated by `make compat-table` (`conformance/compat.py`); "
        "`tests/test_compat_table.py` fails when it is stale.",
        "Each function is called, with `SCIPY_ARRAY_API=1` (and scikit-learn's "
        "`array_api_dispatch=True`), on float64 tensors that require grad; its result's "
        "gradient (`backward()` of a random projection) is compared with central differences "
        "of the same function on NumPy arrays.",
        "",
        f"Statuses: **{CORRECT}**; **{WRONG}**; **{DETACHED}** (a result outside the graph, "
        f"silently); **{OURS}** (polytensor refuses, saying how to proceed); **{OTHER}** "
        "(the library's or NumPy's).",
        "",
        "## Counts",
        "",
        "| backend | " + " | ".join((CORRECT, WRONG, DETACHED, OURS, OTHER)) + " |",
        "|---|" + "---|" * 5,
    ]
    for b in backends:
        counts = [
            sum(1 for r in rows.values() if r[b][0] == s)
            for s in (CORRECT, WRONG, DETACHED, OURS, OTHER)
        ]
        lines.append(f"| {b} | " + " | ".join(str(c) for c in counts) + " |")
    lines += ["", "## Functions", "", "| library | function | " + " | ".join(backends) + " |"]
    lines.append("|---|---|" + "---|" * len(backends))
    for label, r in rows.items():
        lines.append(f"| {label} | " + " | ".join(_cell(*r[b]) for b in backends) + " |")
    lines += ["", "## Notes", "", *NOTES]
    return "\n".join(lines) + "\n"


def parse(text: str) -> dict[str, dict[str, str]]:
    """The committed table's cells: row label -> backend -> cell text."""
    lines = text.splitlines()
    start = lines.index("## Functions")
    header = [c.strip() for c in lines[start + 2].strip("|").split("|")]
    backends = header[2:]
    rows: dict[str, dict[str, str]] = {}
    for line in lines[start + 4 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[f"{cells[0]} | {cells[1]}"] = dict(zip(backends, cells[2:], strict=True))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", action="append", help="only these backends (repeatable)")
    p.add_argument("--library", action="append", help="only these rows' libraries (repeatable)")
    p.add_argument("--check", action="store_true", help="compare with docs/compatibility.md")
    p.add_argument("--output", type=Path, default=TABLE)
    args = p.parse_args(argv)
    os.environ.setdefault("SCIPY_ARRAY_API", "1")  # read when SciPy is first imported (cases())
    available = pt.backends.available()
    backends = tuple(b for b in (args.backend or BACKENDS) if available.get(b) == "available")
    rows = table(backends, args.library)
    if args.check:
        committed = parse(TABLE.read_text())
        stale = [
            f"{label} on {b}: committed {committed.get(label, {}).get(b)!r}, now {_cell(*r[b])!r}"
            for label, r in rows.items()
            for b in backends
            if committed.get(label, {}).get(b) != _cell(*r[b])
        ]
        if not args.library:
            stale += [f"{label}: no longer computed" for label in committed if label not in rows]
        if stale:
            print("docs/compatibility.md is stale; run `make compat-table`:", *stale, sep="\n  ")
            return 1
        print(f"docs/compatibility.md is current for {', '.join(backends)}")
        return 0
    if args.library:
        p.error("--library selects rows to --check; the table is written whole")
    args.output.write_text(render(rows, backends))
    for b in backends:
        print(
            b,
            {
                s: sum(1 for r in rows.values() if r[b][0] == s)
                for s in (CORRECT, WRONG, DETACHED, OURS, OTHER)
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
