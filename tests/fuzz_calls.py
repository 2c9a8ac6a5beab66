"""A fuzz of polytensor's public surface: random calls with good and bad arguments.

Each call draws a target (a function of the namespace, ``linalg`` or ``fft``, a Tensor method
or operator, an ``nn`` layer's constructor and forward, or an optimizer's constructor and
step) and arguments from a pool of good and bad values: tensors of the backend under test (0-d,
empty, small, of every dtype, with NaN and inf), other backends' tensors, NumPy arrays, Python
scalars, None, strings, nested lists, tuples, dtypes, slices. Lazy (Dask) results are
computed. A call may succeed or raise TypeError, ValueError, IndexError,
NotImplementedError or RuntimeError with a message that names the function; any other
exception, or an allowed one whose message names no function, is a defect.

``tests/test_fuzz.py`` runs a small fixed budget per backend; ``make fuzz`` (this file as a
script: ``python tests/fuzz_calls.py --calls 100000``) runs a long one and prints the calls
made per backend and the defects found.
"""

from __future__ import annotations

import argparse
import inspect
import random
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import polytensor as pt

ALLOWED = (TypeError, ValueError, IndexError, NotImplementedError, RuntimeError)
BACKENDS = ("numpy", "dask", "array_api_strict")

# Not fuzzed, each for a reason: they change process-wide settings (which would leak into the
# calls after them), touch files, start a demo or block.
SKIP = {
    "set_backend",
    "use_backend",
    "set_default_dtype",
    "set_grad_enabled",  # (its argument checks belong with the grad-mode objects)
    "save",
    "load",
    "set_printoptions",
}
# Tensor attributes that are no calls of the public surface: Python's object protocol,
# pickling, and the hooks (whose checks belong with the hook machinery).
SKIP_METHODS = {
    "__class__",
    "__init__",
    "__new__",
    "__init_subclass__",
    "__subclasshook__",
    "__del__",
    "__getattribute__",
    "__setattr__",
    "__delattr__",
    "__dir__",
    "__sizeof__",
    "__reduce__",
    "__reduce_ex__",
    "__getstate__",
    "__setstate__",
    "__format__",
    "__class_getitem__",
    "__array_namespace__",  # (api_version= strings: checked by the namespace's info)
    "register_hook",
}

_NAMED = re.compile(r"[A-Za-z_][\w.]*(?:\(|:)")  # "exp()", "shift(x1, x2)", "clamp_:"
_NAMES: list[frozenset[str]] = [frozenset()]  # known_names() of the current run
_FLOATS = [0.0, -1.5, 2.0, 0.5, float("nan"), float("inf"), -float("inf"), 1e300, -0.0]
_INTS = [0, 1, 2, 3, -1, -2, 4, 5, 2**70, -(2**40)]
_DTYPES = [pt.float32, pt.float64, pt.int64, pt.int32, pt.bool, pt.uint8, pt.complex64, pt.int8]


@dataclass
class Target:
    name: str  # how a report names it (``linalg.norm``, ``Tensor.sum``, ``nn.Linear``)
    short: str  # the name its messages must say
    call: Callable[..., Any]  # (args, kwargs) -> result
    params: tuple[str, ...] = ()  # keyword names it takes, to draw good keywords
    n_pos: int = 1  # a typical number of positional arguments
    method: bool = False


@dataclass
class Report:
    calls: Counter[str] = field(default_factory=Counter)
    defects: dict[tuple[str, str, str], str] = field(default_factory=dict)
    count: Counter[tuple[str, str, str]] = field(default_factory=Counter)


def _params(fn: Any) -> tuple[tuple[str, ...], int]:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return (), 1
    P = inspect.Parameter
    names = tuple(
        n for n, p in sig.parameters.items() if p.kind in (P.KEYWORD_ONLY, P.POSITIONAL_OR_KEYWORD)
    )
    n_pos = sum(
        1
        for p in sig.parameters.values()
        if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD) and p.default is P.empty
    )
    return names, max(n_pos, 1)


def targets() -> list[Target]:
    """Every public function, method, operator, layer and optimizer the fuzz calls."""
    out: list[Target] = []

    def add_functions(module: Any, prefix: str, names: list[str]) -> None:
        for n in names:
            fn = getattr(module, n, None)
            if n in SKIP or not callable(fn) or isinstance(fn, type) or n.startswith("_"):
                continue
            if n in ("Tensor", "device", "Generator"):
                continue
            params, n_pos = _params(fn)
            out.append(Target(f"{prefix}{n}", n, _plain(fn), params, n_pos))

    add_functions(pt, "", list(pt.__all__))
    add_functions(pt.linalg, "linalg.", [n for n in dir(pt.linalg) if not n.startswith("_")])
    add_functions(pt.fft, "fft.", [n for n in dir(pt.fft) if not n.startswith("_")])
    for n in dir(pt.Tensor):
        if n in SKIP_METHODS or (n.startswith("_") and not n.startswith("__")):
            continue
        attr = inspect.getattr_static(pt.Tensor, n)
        if isinstance(attr, property) or not callable(getattr(pt.Tensor, n)):
            continue
        if getattr(object, n, None) is getattr(pt.Tensor, n, None):
            continue
        params, n_pos = _params(getattr(pt.Tensor, n))
        out.append(Target(f"Tensor.{n}", n, _method(n), params, max(n_pos - 1, 0), True))
    layers = ("Linear", "Conv2d", "MaxPool2d", "Dropout", "Flatten", "LeakyReLU", "Softmax")
    out.extend(Target(f"nn.{n}", n, _layer(getattr(pt.nn, n)), n_pos=2) for n in layers)
    plain = ("ReLU", "Tanh", "Sigmoid", "Identity", "LogSoftmax")
    out.extend(Target(f"nn.{n}", n, _layer(getattr(pt.nn, n)), n_pos=0) for n in plain)
    losses = ("MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss")
    out.extend(Target(f"nn.{n}", n, _loss(getattr(pt.nn, n)), n_pos=2) for n in losses)
    optimizers = ("SGD", "Adam", "AdamW")
    out.extend(
        Target(f"optim.{n}", n, _optimizer(getattr(pt.optim, n)), ("lr",), 1) for n in optimizers
    )
    return out


def _plain(fn: Any) -> Callable[..., Any]:
    def call(args: list[Any], kwargs: dict[str, Any], _extra: Any) -> Any:
        return fn(*args, **kwargs)

    return call


def _method(name: str) -> Callable[..., Any]:
    def call(args: list[Any], kwargs: dict[str, Any], self: Any) -> Any:
        return getattr(self, name)(*args, **kwargs)

    return call


def _layer(cls: Any) -> Callable[..., Any]:
    def call(args: list[Any], kwargs: dict[str, Any], x: Any) -> Any:
        layer = cls(*args, **kwargs)
        return layer(x)

    return call


def _loss(cls: Any) -> Callable[..., Any]:
    def call(args: list[Any], kwargs: dict[str, Any], x: Any) -> Any:
        return cls(**kwargs)(*args)

    return call


def _optimizer(cls: Any) -> Callable[..., Any]:
    def call(args: list[Any], kwargs: dict[str, Any], x: Any) -> Any:
        opt = cls(*args, **kwargs)
        opt.zero_grad()
        opt.step()
        return opt

    return call


# -- values ------------------------------------------------------------------------------------
class Draw:
    """The random choices of one call, from a seed that hypothesis draws (so a defect is
    reproduced from its seed; drawing each small choice through hypothesis would cost more
    than the call itself)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def choice(self, options: Any) -> Any:
        return options[self.rng.randrange(len(options))]

    def coin(self) -> bool:
        return self.rng.random() < 0.5

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)


def _shape(draw: Draw) -> tuple[int, ...]:
    return tuple(draw.choice([0, 1, 2, 3, 4]) for _ in range(draw.integer(0, 3)))


def _host(draw: Draw) -> np.ndarray:
    shape = _shape(draw)
    kind = draw.choice(["f32", "f64", "i64", "i32", "bool", "u8", "c64", "special"])
    n = int(np.prod(shape))
    seed = draw.integer(0, 2**16)
    rng = np.random.default_rng(seed)
    if kind == "bool":
        return rng.random(n).reshape(shape) > 0.5
    if kind in ("i64", "i32", "u8"):
        dtype = {"i64": np.int64, "i32": np.int32, "u8": np.uint8}[kind]
        return rng.integers(0, 5, n).astype(dtype).reshape(shape)
    if kind == "c64":
        return (
            (rng.standard_normal(n) + 1j * rng.standard_normal(n))
            .astype(np.complex64)
            .reshape(shape)
        )
    a = rng.standard_normal(n)
    if kind == "special" and n:
        a[rng.integers(0, n, max(1, n // 2))] = rng.choice([np.nan, np.inf, -np.inf, 0.0])
    return a.astype(np.float32 if kind == "f32" else np.float64).reshape(shape)


def value(draw: Draw, backend: str, good: bool) -> Any:
    """One argument: most often a tensor of ``backend`` when ``good``, else anything."""
    kinds = ["tensor"] * (6 if good else 2) + [
        "int",
        "float",
        "bool",
        "none",
        "str",
        "list",
        "nested",
        "tuple",
        "dtype",
        "numpy",
        "other backend",
        "grad tensor",
        "complex",
        "slice",
    ]
    kind = draw.choice(kinds)
    if kind == "tensor":
        return pt.asarray(_host(draw), device=backend)
    if kind == "grad tensor":
        return pt.asarray(
            np.real(_host(draw)).astype(np.float64), device=backend, requires_grad=True
        )
    if kind == "int":
        return draw.choice(_INTS)
    if kind == "float":
        return draw.choice(_FLOATS)
    if kind == "bool":
        return draw.coin()
    if kind == "none":
        return None
    if kind == "str":
        return draw.choice(["a", "", "fro", "mean", "numpy", "dask", "cpu", "float32"])
    if kind == "list":
        return [draw.choice(_FLOATS[:4] + _INTS[:4]) for _ in range(draw.integer(0, 4))]
    if kind == "nested":
        return [[1.0, 2.0], [3.0]] if draw.coin() else [[1, 2], [3, 4]]
    if kind == "tuple":
        return tuple(draw.choice([-1, 0, 1, 2, 3]) for _ in range(draw.integer(0, 3)))
    if kind == "dtype":
        return draw.choice(_DTYPES)
    if kind == "numpy":
        return _host(draw)
    if kind == "complex":
        return complex(1.0, -2.0)
    if kind == "slice":
        return draw.choice([slice(None), slice(1, None), slice(None, None, -1), ...])
    other = draw.choice([b for b in BACKENDS if b != backend])
    return pt.asarray(_host(draw), device=other)


_KEYWORD_VALUES: dict[str, list[Any]] = {
    "axis": [0, 1, -1, None, (0, 1), 5, 2.5, "a"],
    "dim": [0, 1, -1, None, 5, "a"],
    "keepdims": [True, False, "no"],
    "keepdim": [True, False],
    "dtype": _DTYPES + [None, "float64", np.float32],
    "device": [None, "cpu", "numpy", "dask", "array_api_strict", "nowhere", 3],
    "ord": [1, 2, None, "fro", "nuc", float("inf"), 0, -1, "a"],
    "p": [1, 2, "fro", "nuc", 0.5, "a"],
    "k": [0, 1, -1, 2.5],
    "n": [0, 1, 2, 4, -1, None],
    "s": [None, (2,), (0,), (2, 2)],
    "norm": ["backward", "ortho", "forward", "a"],
    "shape": [(2,), (-1,), (0, -1), (2, 2), (1.5,), "a"],
    "copy": [None, True, False],
    "side": ["left", "right", "middle"],
    "stable": [True, False],
    "descending": [True, False],
    "correction": [0, 1, 2.5, -1],
    "lr": [0.1, -1.0, 0.0, "a", None],
    "reduction": ["mean", "sum", "none", "a"],
    "requires_grad": [True, False, "no"],
}


def keyword(draw: Draw, name: str, backend: str) -> Any:
    options = _KEYWORD_VALUES.get(name)
    if options is not None and draw.coin():
        return draw.choice(options)
    return value(draw, backend, good=False)


# -- one call ----------------------------------------------------------------------------------
def _small(shape: tuple[Any, ...]) -> bool:
    n = 1
    for s in shape:
        if not isinstance(s, int):
            return False
        n *= s
    return n <= 1_000_000


def _materialize(result: Any) -> None:
    """Compute lazy results (errors a lazy backend defers surface here)."""
    items = result if isinstance(result, (tuple, list)) else (result,)
    # (a lazy result of millions of elements, pt.arange(-2**40, 1) say, is not computed: that
    # would only measure the machine's memory)
    lazy = [
        t for t in items if isinstance(t, pt.Tensor) and t._backend.lazy and _small(tuple(t.shape))
    ]
    if lazy:
        pt.compute(*lazy)


def known_names(all_targets: list[Target]) -> frozenset[str]:
    """The names an error message may give: the targets' and the op table's (a method such as
    ``clamp`` may report the op it runs, ``clip``)."""
    from polytensor._ops._registry import OPS

    return frozenset(
        {t.short for t in all_targets}
        | {n.rsplit(".", 1)[-1] for n in OPS}
        | {n for n in dir(pt.Tensor) if not n.startswith("_")}
        | {n for n in dir(pt.nn.functional) if not n.startswith("_")}  # (what layers run)
        | {"__getitem__", "__setitem__", "__iter__", "__index__", "requires_grad_"}
        | {"complex", "float", "int", "bool", "len"}  # (Tensor.__float__ is Python's float())
    )


def names_a_function(message: str, target: Target, names: frozenset[str]) -> bool:
    """Whether an error message names the function called (or a public function it runs)."""
    if target.short in message:
        return True
    return any(m.group().rstrip("(:").rsplit(".", 1)[-1] in names for m in _NAMED.finditer(message))


def one_call(
    draw: Draw, backend: str, all_targets: list[Target], report: Report, seed: int = 0
) -> None:
    target = draw.choice(all_targets)
    good = draw.coin()
    n = target.n_pos if good else draw.integer(0, 4)
    args = [value(draw, backend, good) for _ in range(n)]
    kwargs: dict[str, Any] = {}
    if target.params and draw.integer(0, 2) == 0:
        name = draw.choice(target.params)
        if name != "self":
            kwargs[name] = keyword(draw, name, backend)
    extra: Any = None
    if target.method or target.name.startswith("nn."):
        extra = value(draw, backend, good=True)
        if target.method and not isinstance(extra, pt.Tensor):
            extra = pt.asarray(_host(draw), device=backend)
    if target.name.startswith("optim.") and good:
        host = np.real(_host(draw)).astype(np.float32)
        args = [[pt.asarray(host, requires_grad=True, device=backend)]]
    report.calls[backend] += 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _materialize(target.call(args, kwargs, extra))
    except ALLOWED as e:
        if not names_a_function(str(e), target, _NAMES[0]):
            _defect(report, target, e, args, kwargs, extra, seed)
    except RecursionError as e:
        _defect(report, target, e, args, kwargs, extra, seed)
    except Exception as e:  # noqa: BLE001 - every other exception is what the fuzz looks for
        _defect(report, target, e, args, kwargs, extra, seed)


def _describe(v: Any) -> str:
    if isinstance(v, pt.Tensor):
        try:
            return f"Tensor({v._backend.name}, {v.dtype.name}, {tuple(v.shape)})"
        except Exception as e:  # noqa: BLE001 - a broken tensor is reported, not raised
            return f"Tensor({v._backend.name}, broken: {type(e).__name__}: {e})"
    if isinstance(v, np.ndarray):
        return f"ndarray({v.dtype}, {v.shape})"
    return repr(v)[:40]


def _defect(
    report: Report,
    target: Target,
    e: BaseException,
    args: Any,
    kwargs: Any,
    extra: Any,
    seed: int,
) -> None:
    key = (target.name, type(e).__name__, re.sub(r"\d+", "#", str(e))[:60])
    report.count[key] += 1
    if key not in report.defects:
        described = [_describe(a) for a in args]
        call = ", ".join(described + [f"{k}={_describe(v)}" for k, v in kwargs.items()])
        on = f" on {_describe(extra)}" if extra is not None else ""
        report.defects[key] = (
            f"{target.name}({call}){on}: {type(e).__name__}: {str(e)[:200]} (seed {seed})"
        )


def run(
    backend: str, calls: int, report: Report, seed: int | None = None, progress: int = 0
) -> None:
    """Make ``calls`` random calls on ``backend``, recording defects in ``report`` (with the
    seed that reproduces each: ``one_call(Draw(seed), ...)``)."""
    all_targets = targets()
    _NAMES[0] = known_names(all_targets)

    @settings(
        max_examples=calls,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=seed is None,
    )
    @given(st.integers(0, 2**63))
    def fuzz(call_seed: int) -> None:
        one_call(Draw(call_seed), backend, all_targets, report, call_seed)
        if progress and report.calls[backend] % progress == 0:
            print(
                f"  {backend}: {report.calls[backend]} calls, "
                f"{sum(report.count.values())} defective",
                flush=True,
            )

    if seed is not None:
        fuzz = hypothesis.seed(seed)(fuzz)
    with pt.use_backend(backend):
        fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000, help="calls per backend")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: fixed)")
    parser.add_argument("--progress", type=int, default=10_000, help="print every N calls")
    opts = parser.parse_args(argv)
    total = 0
    for backend in opts.backends.split(","):
        report = Report()
        start = time.perf_counter()
        run(backend, opts.calls, report, opts.seed, opts.progress)
        took = time.perf_counter() - start
        n = sum(report.count.values())
        total += n
        print(
            f"{backend}: {report.calls[backend]} calls in {took:.0f} s, "
            f"{n} defective calls, {len(report.defects)} distinct defects"
        )
        for key, text in sorted(report.defects.items()):
            print(f"  [{report.count[key]}x] {text}")
        sys.stdout.flush()
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
