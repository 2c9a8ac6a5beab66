"""The tape against its peers on the programs people write: one command, side by side.

Workloads (each written as the tutorials write it, in every framework that can):

- ``chain``: a chain of 1,000 element-wise ops on 8-element float64 arrays (``x * 0.9``,
  ``+ a``, ``sin``, ``- b``, repeated), nothing recorded; time per chain.
- ``chain_grad``: the same chain recorded, then ``.sum().backward()`` (gradients of ``x`` and
  ``a``); its ratio is to the NumPy chain with nothing recorded.
- ``two_layer_<dtype>_<relu>``: the two-layer network of "Learning PyTorch with Examples"
  (N=64, D_in=1000, H=100, D_out=10, 500 SGD steps at lr 1e-6) in float32 and float64, the
  hidden activation written ``x.mm(w1).clamp(min=0)`` (``clamp``), ``F.relu`` (``relu``) or
  the seed's custom ``MyReLU`` Function (``myrelu``); ``loss = (y_pred - y).pow(2).sum()``,
  the update ``w -= lr * w.grad`` under ``no_grad`` and ``w.grad.zero_()``.
- ``mlp``: an MLP 784-1024-1024-10 with biases (``nn.Sequential`` of ``nn.Linear`` and
  ``nn.ReLU``), float32, batch 256, ``nn.CrossEntropyLoss``, ``optim.SGD`` (lr 0.01),
  ``zero_grad()``/``backward()``/``step()``, 50 steps.

Frameworks: NumPy by hand (the reference: forward and backward written out), polytensor (NumPy
backend), torch (CPU, one thread), MyGrad and HIPS autograd; and ``floor``: the tutorial code
on ``_floor.py``'s bare tape, a tensor class without a single check and a tape that is a list
of closures (no MLP). It is the least that a tensor library written in Python adds to NumPy
when it runs each of a program's operations as it comes (a NumPy call and a wrapper each), so
a goal below its ratio is out of reach of such a library on the machine. Peers are optional
benchmark installs, never dependencies (``.venv/bin/pip install torch==2.13.0 mygrad
autograd``); a missing one is reported and skipped. A framework without a spelling of a
workload (MyGrad has no custom ``Function``) shows ``n/a``.

Every measurement runs in a fresh process (so that no framework warms another's caches or
allocator); a round runs every (workload, framework) pair once, frameworks in rotating order,
and the ratio to NumPy by hand is taken within the round; the table gives medians over rounds
of those ratios. Before any time is read, each process checks its result against NumPy by hand
(the final loss, or the chain's value and gradients). BLAS runs on one thread (threadpoolctl;
the kernel is printed) and the other processes' CPU use during the run is printed. Every
worker runs glibc's malloc with the same fixed thresholds (``MALLOC_ENV``: freed memory is
not handed back to the kernel mid-run), so that no ratio depends on page faults that the heap's
history gives one run and spares another; ``--glibc-defaults`` runs without them. Record
figures with::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \\
        .venv/bin/python bench/tape.py

Options: ``--rounds`` (5), ``--workloads``, ``--frameworks``, ``--glibc-defaults``.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# Python puts this folder first on sys.path when the file runs as a script: without this,
# `import autograd` (HIPS autograd) could find a module of this folder.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.append(_HERE)

from _common import OtherLoad, blas_lines, cpu_model, dist_version, revision  # noqa: E402

CHAIN_OPS, CHAIN_SIZE, CHAIN_REPEATS = 1000, 8, 60
N, D_IN, H, D_OUT, STEPS, LR = 64, 1000, 100, 10, 500, 1e-6
MLP_SIZES, MLP_BATCH, MLP_STEPS, MLP_LR = (784, 1024, 1024, 10), 256, 50, 0.01
FRAMEWORKS = ("numpy", "polytensor", "torch", "mygrad", "hips", "floor")
WORKLOADS = (
    "chain",
    "chain_grad",
    *(f"two_layer_{d}_{r}" for d in ("float32", "float64") for r in ("clamp", "relu", "myrelu")),
    "mlp",
)
GOALS = {"chain": 2.0, "chain_grad": 10.0, "mlp": 1.02}  # two_layer_*: 1.10
RECORD_COMMAND = (
    "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 "
    ".venv/bin/python bench/tape.py"
)
# glibc's malloc, as every worker runs it: memory freed at the top of the heap is kept rather than
# handed back to the kernel, and blocks up to 32 MiB come from the heap rather than from mmap.
# With glibc's defaults, whether a run hands its large temporaries back and faults them in again
# every step depends on where earlier frees left the heap: NumPy by hand's float64 two-layer
# network takes either 0 or ~360 minor page faults a step (350 or 550 ms a run) in the same
# process, and a ratio to it then measures that luck. Every framework gets the same settings.
MALLOC_ENV = {"MALLOC_TRIM_THRESHOLD_": str(2**32 - 1), "MALLOC_MMAP_THRESHOLD_": str(32 << 20)}


class NotApplicable(Exception):
    """The framework has no spelling of the workload."""


# -- inputs (NumPy, the same for every framework) ------------------------------------------------


def chain_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x0, a, b of the chain: 8-element float64 arrays."""
    return np.linspace(0.1, 0.8, CHAIN_SIZE), np.full(CHAIN_SIZE, 0.25), np.full(CHAIN_SIZE, 0.125)


def chain(sin: Callable[[Any], Any], x: Any, a: Any, b: Any) -> Any:
    """``CHAIN_OPS`` element-wise ops: x * 0.9, + a, sin, - b, repeated.

    >>> x0, a, b = chain_inputs()
    >>> bool(np.all(np.isfinite(chain(np.sin, x0, a, b))))
    True
    """
    for _ in range(CHAIN_OPS // 4):
        x = x * 0.9
        x = x + a
        x = sin(x)
        x = x - b
    return x


def two_layer_inputs(dtype: str) -> tuple[np.ndarray, ...]:
    """x, y, w1, w2 of the two-layer network (float64 draws cast to ``dtype``).

    >>> [a.shape for a in two_layer_inputs("float32")]
    [(64, 1000), (64, 10), (1000, 100), (100, 10)]
    """
    rng = np.random.default_rng(0)
    shapes = ((N, D_IN), (N, D_OUT), (D_IN, H), (H, D_OUT))
    return tuple(rng.standard_normal(s).astype(dtype) for s in shapes)


def mlp_inputs() -> tuple[np.ndarray, ...]:
    """x, labels, then (weight, bias) per layer with weight (out, in) as nn.Linear keeps it.

    >>> [a.shape for a in mlp_inputs()][:4]
    [(256, 784), (256,), (1024, 784), (1024,)]
    """
    rng = np.random.default_rng(1)
    out: list[np.ndarray] = [
        rng.standard_normal((MLP_BATCH, MLP_SIZES[0])).astype(np.float32),
        rng.integers(0, MLP_SIZES[-1], MLP_BATCH),
    ]
    for fan_in, fan_out in itertools.pairwise(MLP_SIZES):
        bound = 1 / np.sqrt(fan_in)
        out.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        out.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    return tuple(out)


# -- NumPy by hand -------------------------------------------------------------------------------


def numpy_chain(grad: bool) -> Callable[[], Any]:
    x0, a, b = chain_inputs()
    if not grad:
        return lambda: chain(np.sin, x0, a, b)

    def run() -> Any:  # forward keeping what backward needs, then backward by hand
        xs, x = [], x0
        for _ in range(CHAIN_OPS // 4):
            x = x * 0.9
            x = x + a
            xs.append(x)
            x = np.sin(x)
            x = x - b
        g, ga = np.ones_like(x), np.zeros_like(a)
        for u in reversed(xs):
            g = g * np.cos(u)
            ga = ga + g
            g = g * 0.9
        return g, ga

    return run


def numpy_two_layer_step(
    x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray, lr: Any
) -> Callable[[], float]:
    """One SGD step of the two-layer network by hand, updating ``w1`` and ``w2`` in place;
    returns the loss."""

    def step() -> float:
        nonlocal w1, w2
        h = x @ w1
        h_relu = np.maximum(h, 0)
        y_pred = h_relu @ w2
        diff = y_pred - y
        loss = float(np.square(diff).sum())
        grad_y_pred = 2 * diff
        grad_w2 = h_relu.T @ grad_y_pred
        grad_h = grad_y_pred @ w2.T
        grad_h[h < 0] = 0
        grad_w1 = x.T @ grad_h
        w1 -= lr * grad_w1
        w2 -= lr * grad_w2
        return loss

    return step


def numpy_two_layer(dtype: str, relu: str) -> Callable[[], float]:
    x, y, w1_0, w2_0 = two_layer_inputs(dtype)
    lr = np.dtype(dtype).type(LR)

    def run() -> float:
        step = numpy_two_layer_step(x, y, w1_0.copy(), w2_0.copy(), lr)
        loss = np.nan
        for _ in range(STEPS):
            loss = step()
        return loss

    return run


def numpy_mlp() -> Callable[[], float]:
    x, labels, *params0 = mlp_inputs()
    lr = np.float32(MLP_LR)
    onehot = np.eye(MLP_SIZES[-1], dtype=np.float32)[labels]

    def run() -> float:
        ps = [p.copy() for p in params0]
        loss = np.nan
        for _ in range(MLP_STEPS):
            acts, a = [x], x
            for i in range(0, len(ps), 2):
                z = a @ ps[i].T
                z += ps[i + 1]
                a = np.maximum(z, 0) if i + 2 < len(ps) else z
                acts.append(a)
            z = a - a.max(axis=1, keepdims=True)
            e = np.exp(z)
            s = e.sum(axis=1, keepdims=True)
            loss = float(np.mean(np.log(s)[:, 0] - z[np.arange(len(labels)), labels]))
            g = e / s
            g -= onehot
            g /= len(labels)
            grads = []
            for i in range(len(ps) - 2, -1, -2):
                a_in = acts[i // 2]
                grads.append((i, g.T @ a_in, g.sum(axis=0)))
                if i:
                    g = g @ ps[i]
                    g[a_in <= 0] = 0
            for i, gw, gb in grads:
                ps[i] -= lr * gw
                ps[i + 1] -= lr * gb
        return loss

    return run


# -- polytensor and torch: the same tutorial code, `torch` being either module ------------------


def torchlike_chain(torch: Any, grad: bool) -> Callable[[], Any]:
    x0, a0, b0 = chain_inputs()
    x = torch.tensor(x0, requires_grad=grad)
    a = torch.tensor(a0, requires_grad=grad)
    b = torch.tensor(b0)
    if not grad:
        return lambda: chain(torch.sin, x, a, b)

    def run() -> Any:
        x.grad = None
        a.grad = None
        chain(torch.sin, x, a, b).sum().backward()
        return x.grad, a.grad

    return run


def _my_relu(torch: Any) -> Any:
    class MyReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, input: Any) -> Any:
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> Any:
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    return MyReLU


def torchlike_two_layer_step(
    torch: Any, data: tuple[np.ndarray, ...], relu: str, *, hold: bool = False
) -> Callable[[], Any]:
    """One SGD step of the two-layer network as the tutorials write it, in ``torch``
    (polytensor or torch itself), on weights of its own made from ``data``
    (``two_layer_inputs``); returns the loss tensor. ``hold`` keeps references to the
    gradients while ``zero_()`` runs (``zero_grad.py``: their zeros must then be written)."""
    x, y = torch.from_numpy(data[0]), torch.from_numpy(data[1])
    w1 = torch.tensor(data[2], requires_grad=True)
    w2 = torch.tensor(data[3], requires_grad=True)
    act = {
        "clamp": lambda h: h.clamp(min=0),
        "relu": torch.nn.functional.relu,
        "myrelu": _my_relu(torch).apply,
    }[relu]

    def step() -> Any:
        nonlocal w1, w2
        loss = (act(x.mm(w1)).mm(w2) - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            w1 -= LR * w1.grad
            w2 -= LR * w2.grad
            held = (w1.grad, w2.grad) if hold else ()
            w1.grad.zero_()
            w2.grad.zero_()
            del held
        return loss

    return step


def torchlike_two_layer(torch: Any, dtype: str, relu: str) -> Callable[[], float]:
    data = two_layer_inputs(dtype)

    def run() -> float:
        step = torchlike_two_layer_step(torch, data, relu)
        loss = None
        for _ in range(STEPS):
            loss = step()
        return float(loss.item())

    return run


def torchlike_mlp(torch: Any) -> Callable[[], float]:
    x0, labels0, *params0 = mlp_inputs()
    x, labels = torch.from_numpy(x0), torch.from_numpy(labels0)
    nn = torch.nn

    def run() -> float:
        model = nn.Sequential(
            nn.Linear(MLP_SIZES[0], MLP_SIZES[1]),
            nn.ReLU(),
            nn.Linear(MLP_SIZES[1], MLP_SIZES[2]),
            nn.ReLU(),
            nn.Linear(MLP_SIZES[2], MLP_SIZES[3]),
        )
        with torch.no_grad():
            for p, v in zip(model.parameters(), params0, strict=True):
                p.copy_(torch.from_numpy(v))
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=MLP_LR)
        loss = None
        for _ in range(MLP_STEPS):
            loss = loss_fn(model(x), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return float(loss.item())

    return run


# -- MyGrad and HIPS autograd --------------------------------------------------------------------


def mygrad_chain(mg: Any, grad: bool) -> Callable[[], Any]:
    x0, a0, b0 = chain_inputs()
    x, a = mg.tensor(x0, constant=not grad), mg.tensor(a0, constant=not grad)
    b = mg.tensor(b0, constant=True)
    if not grad:
        return lambda: chain(mg.sin, x, a, b)

    def run() -> Any:
        mg.sum(chain(mg.sin, x, a, b)).backward()
        return x.grad, a.grad

    return run


def mygrad_two_layer(mg: Any, dtype: str, relu: str) -> Callable[[], float]:
    if relu == "myrelu":
        raise NotApplicable("MyGrad has no custom Function")
    data = two_layer_inputs(dtype)
    x, y = mg.tensor(data[0], constant=True), mg.tensor(data[1], constant=True)
    lr = np.dtype(dtype).type(LR)

    def run() -> float:
        w1, w2 = mg.tensor(data[2].copy()), mg.tensor(data[3].copy())
        loss = None
        for _ in range(STEPS):
            h = mg.matmul(x, w1)
            h = mg.clip(h, 0, None) if relu == "clamp" else mg.nnet.relu(h)
            loss = mg.sum((mg.matmul(h, w2) - y) ** 2)
            loss.backward()
            w1.data -= lr * w1.grad
            w2.data -= lr * w2.grad
        return float(loss.item())

    return run


def mygrad_mlp(mg: Any) -> Callable[[], float]:
    from mygrad.nnet.losses import softmax_crossentropy

    x0, labels, *params0 = mlp_inputs()
    x = mg.tensor(x0, constant=True)
    lr = np.float32(MLP_LR)

    def run() -> float:
        ps = [mg.tensor(p.copy()) for p in params0]
        loss = None
        for _ in range(MLP_STEPS):
            a = x
            for i in range(0, len(ps), 2):
                a = mg.matmul(a, ps[i].T) + ps[i + 1]
                if i + 2 < len(ps):
                    a = mg.nnet.relu(a)
            loss = softmax_crossentropy(a, labels)
            loss.backward()
            for p in ps:
                p.data -= lr * p.grad
        return float(loss.item())

    return run


def hips_chain(ag: Any, grad: bool) -> Callable[[], Any]:
    import autograd.numpy as anp

    x0, a0, b0 = chain_inputs()
    if not grad:
        return lambda: chain(anp.sin, x0, a0, b0)
    g = ag.grad(lambda x, a: anp.sum(chain(anp.sin, x, a, b0)), argnum=(0, 1))
    return lambda: g(x0, a0)


def hips_two_layer(ag: Any, dtype: str, relu: str) -> Callable[[], float]:
    import autograd.numpy as anp
    from autograd.extend import defvjp, primitive

    x, y, w1_0, w2_0 = two_layer_inputs(dtype)
    lr = np.dtype(dtype).type(LR)

    @primitive
    def my_relu(h: Any) -> Any:
        return np.maximum(h, 0)

    defvjp(my_relu, lambda ans, h: lambda g: np.where(h < 0, 0, g).astype(g.dtype))
    act = {"clamp": lambda h: anp.clip(h, 0, None), "relu": lambda h: anp.maximum(h, 0)}
    activation = act.get(relu, my_relu)

    def loss_fn(w1: Any, w2: Any) -> Any:
        return anp.sum((anp.dot(activation(anp.dot(x, w1)), w2) - y) ** 2)

    value_and_grad = ag.value_and_grad(loss_fn, argnum=(0, 1))

    def run() -> float:
        w1, w2 = w1_0.copy(), w2_0.copy()
        loss = np.nan
        for _ in range(STEPS):
            loss, (g1, g2) = value_and_grad(w1, w2)
            w1 -= lr * g1
            w2 -= lr * g2
        return float(loss)

    return run


def hips_mlp(ag: Any) -> Callable[[], float]:
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp

    x, labels, *params0 = mlp_inputs()
    lr = np.float32(MLP_LR)
    rows = np.arange(len(labels))

    def loss_fn(ps: list[Any]) -> Any:
        a = x
        for i in range(0, len(ps), 2):
            a = anp.dot(a, ps[i].T) + ps[i + 1]
            if i + 2 < len(ps):
                a = anp.maximum(a, 0)
        return anp.mean(logsumexp(a, axis=1) - a[rows, labels])

    value_and_grad = ag.value_and_grad(loss_fn)

    def run() -> float:
        ps = [p.copy() for p in params0]
        loss = np.nan
        for _ in range(MLP_STEPS):
            loss, gs = value_and_grad(ps)
            ps = [p - lr * g for p, g in zip(ps, gs, strict=True)]
        return float(loss)

    return run


# -- one measurement, in its own process ---------------------------------------------------------


def _build(framework: str, workload: str) -> Callable[[], Any]:
    if framework == "numpy":
        if workload in ("chain", "chain_grad"):
            return numpy_chain(workload == "chain_grad")
        if workload == "mlp":
            return numpy_mlp()
        return numpy_two_layer(*workload.split("_")[2:])
    if framework in ("polytensor", "torch", "floor"):
        mod: Any
        if framework == "torch":
            import torch as mod

            mod.set_num_threads(1)
        elif framework == "floor":
            import _floor as mod

            if workload == "mlp":
                raise NotApplicable("the bare tape has no nn.Sequential")
        else:
            import polytensor as mod
        if workload in ("chain", "chain_grad"):
            return torchlike_chain(mod, workload == "chain_grad")
        if workload == "mlp":
            return torchlike_mlp(mod)
        return torchlike_two_layer(mod, *workload.split("_")[2:])
    if framework == "mygrad":
        import mygrad as mod

        if workload in ("chain", "chain_grad"):
            return mygrad_chain(mod, workload == "chain_grad")
        if workload == "mlp":
            return mygrad_mlp(mod)
        return mygrad_two_layer(mod, *workload.split("_")[2:])
    import autograd as mod

    if workload in ("chain", "chain_grad"):
        return hips_chain(mod, workload == "chain_grad")
    if workload == "mlp":
        return hips_mlp(mod)
    return hips_two_layer(mod, *workload.split("_")[2:])


def _as_numpy(v: Any) -> Any:
    if isinstance(v, tuple):
        return tuple(_as_numpy(u) for u in v)
    if isinstance(v, float):
        return v
    for attr in ("numpy", "data"):
        if hasattr(v, "detach"):
            v = v.detach()
        if attr == "numpy" and hasattr(v, "numpy") and callable(v.numpy):
            return np.asarray(v.numpy())
    return np.asarray(getattr(v, "data", v))


def _agrees(got: Any, ref: Any, rtol: float) -> bool:
    if isinstance(ref, tuple):
        return all(_agrees(g, r, rtol) for g, r in zip(got, ref, strict=True))
    return bool(np.allclose(got, ref, rtol=rtol, atol=0))


def worker(framework: str, workload: str) -> dict[str, Any]:
    """Build, check against NumPy by hand, then time one workload; what the parent reads.

    >>> worker("numpy", "chain")["ok"]
    True
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        try:
            run = _build(framework, workload)
        except NotApplicable as e:
            return {"na": str(e)}
        got = _as_numpy(run())
        ref = _as_numpy(_build("numpy", workload)())
        rtol = 0.05 if "float32" in workload or workload == "mlp" else 1e-6
        if not _agrees(got, ref, rtol):
            return {"ok": False, "got": repr(got)[:200], "ref": repr(ref)[:200]}
        repeats = CHAIN_REPEATS if workload.startswith("chain") else 1
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(repeats):
                run()
            times.append((time.perf_counter() - t0) / repeats)
        return {"ok": True, "seconds": min(times)}


# -- the run -------------------------------------------------------------------------------------


def _available(framework: str) -> str | None:
    module = {"hips": "autograd", "floor": "_floor"}.get(framework, framework)
    if framework == "numpy":
        return None
    try:
        __import__(module if framework != "hips" else "autograd.numpy")
    except ImportError as e:
        return f"not installed ({e})"
    return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=WORKLOADS)
    p.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS), choices=FRAMEWORKS)
    p.add_argument(
        "--glibc-defaults",
        action="store_true",
        help="run the workers with glibc malloc's defaults instead of MALLOC_ENV",
    )
    p.add_argument("--worker", nargs=2, metavar=("FRAMEWORK", "WORKLOAD"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    frameworks = ["numpy"] + [f for f in args.frameworks if f != "numpy"]
    missing = {f: why for f in frameworks if (why := _available(f))}
    frameworks = [f for f in frameworks if f not in missing]
    print(f"polytensor tape benchmark, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"polytensor at {revision()}; Python {platform.python_version()}; {cpu_model()}")
    print(
        f"NumPy {np.__version__}, torch {dist_version('torch')}, mygrad {dist_version('mygrad')}, "
        f"autograd (HIPS) {dist_version('autograd')}"
    )
    for line in blas_lines():
        print(line)
    for f, why in missing.items():
        print(f"skipped {f}: {why}")
    print(f"command: {RECORD_COMMAND}; {args.rounds} rounds, a fresh process per measurement")
    env = dict(os.environ)
    if args.glibc_defaults:
        print("malloc: glibc's defaults (--glibc-defaults)")
    else:
        env.update(MALLOC_ENV)
        print("malloc: " + " ".join(f"{k}={v}" for k, v in MALLOC_ENV.items()) + " in every worker")
    ratios: dict[tuple[str, str], list[float]] = {}
    seconds: dict[tuple[str, str], list[float]] = {}
    notes: dict[tuple[str, str], str] = {}
    load = OtherLoad()
    for r in range(args.rounds):
        for w in args.workloads:
            order = frameworks[r % len(frameworks) :] + frameworks[: r % len(frameworks)]
            got: dict[str, float] = {}
            for f in order:
                cmd = [sys.executable, os.path.abspath(__file__), "--worker", f, w]
                out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
                if out.returncode != 0:
                    notes[(w, f)] = "error: " + out.stderr.strip().splitlines()[-1][:120]
                    continue
                res = json.loads(out.stdout.strip().splitlines()[-1])
                if "na" in res:
                    notes[(w, f)] = "n/a"
                elif not res["ok"]:
                    notes[(w, f)] = f"WRONG RESULT {res['got']} vs {res['ref']}"
                else:
                    got[f] = res["seconds"]
            ref_w = "chain" if w == "chain_grad" else w
            ref = got.get("numpy") if ref_w == w else seconds.get((ref_w, "numpy"), [None])[-1]
            if w == "chain_grad":  # the NumPy chain with nothing recorded, this round
                ref = _numpy_chain_seconds(seconds, r)
            for f, s in got.items():
                seconds.setdefault((w, f), []).append(s)
                if ref:
                    ratios.setdefault((w, f), []).append(s / ref)
        print(f"round {r + 1}/{args.rounds} done", flush=True)
    _table(args.workloads, frameworks, ratios, seconds, notes)
    load.print_report()
    return 0


def _numpy_chain_seconds(seconds: dict[tuple[str, str], list[float]], r: int) -> float | None:
    got = seconds.get(("chain", "numpy"), [])
    return got[r] if r < len(got) else None


def _table(
    workloads: list[str],
    frameworks: list[str],
    ratios: dict[tuple[str, str], list[float]],
    seconds: dict[tuple[str, str], list[float]],
    notes: dict[tuple[str, str], str],
) -> None:
    peers = [f for f in frameworks if f != "numpy"]
    print()
    print("| workload | NumPy by hand | " + " | ".join(peers) + " | goal (polytensor) |")
    print("|---|---|" + "---|" * len(peers) + "---|")
    for w in workloads:
        base = "chain" if w == "chain_grad" else w
        nt = seconds.get((base, "numpy"))
        cells = [f"{statistics.median(nt) * 1e3:.3f} ms" if nt else "-"]
        for f in peers:
            rs = ratios.get((w, f))
            cells.append(f"{statistics.median(rs):.2f}x" if rs else notes.get((w, f), "-"))
        goal = GOALS.get(w, 1.10)
        rs = ratios.get((w, "polytensor"))
        met = "" if not rs else (" met" if statistics.median(rs) <= goal else " not met")
        print(f"| {w} | " + " | ".join(cells) + f" | <= {goal:.2f}x{met} |")
    for (w, f), n in sorted(notes.items()):
        if n != "n/a":
            print(f"note: {w} / {f}: {n}")


if __name__ == "__main__":
    sys.exit(main())
