"""The tutorial examples in ``examples/`` run as scripts on every available backend.

Each example runs in a fresh interpreter as ``python examples/<name>.py --backend <b>``; the
test asserts that it exits 0 and prints its key figures (the tutorial's gradients, the
NumPy bridge's memory sharing, a final loss below a bound). Backends that cannot run here
(CuPy without a GPU) are skipped with the reason ``pt.backends.available()`` gives. Dask
runs train for a few steps only (``--steps``): every step there builds and computes a graph.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import subprocess
import sys

import pytest
from backend_params import every_backend

import polytensor as pt

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
DASK_STEPS = 20
NAMES = [
    "tensor_basics",
    "autograd_basics",
    "custom_function",
    "two_layer_by_hand",
    "two_layer_nn_optim",
]


BACKENDS = every_backend()


def run_example(
    name: str, *args: str, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """Run ``examples/<name>.py`` with ``args``; returns the finished process."""
    environ = dict(os.environ)
    environ.pop("POLYTENSOR_BACKEND", None)
    # One BLAS thread: on a busy machine OpenBLAS's thread pool makes these small matmuls
    # many times slower, and the examples' figures do not depend on it.
    environ["OPENBLAS_NUM_THREADS"] = "1"
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, os.path.join(EXAMPLES, f"{name}.py"), *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    """The process's stdout, after asserting that it exited 0."""
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def figure(out: str, label: str) -> float:
    """The number printed after ``label: `` (e.g. ``final loss: 4.1e-05``)."""
    match = re.search(rf"^{re.escape(label)}: (\S+)", out, re.MULTILINE)
    assert match, f"no {label!r} line in:\n{out}"
    return float(match.group(1))


def steps_for(backend: str) -> list[str]:
    """Few training steps on Dask, the examples' default (500) elsewhere."""
    return ["--steps", str(DASK_STEPS)] if backend == "dask" else []


def check_training(out: str, backend: str, full_bound: float, short_ratio: float) -> None:
    """Final loss below ``full_bound`` after the full run, or below ``short_ratio`` times the
    initial loss after the short Dask run."""
    first, last = figure(out, "initial loss"), figure(out, "final loss")
    if backend == "dask":
        assert last < short_ratio * first, out
    else:
        assert last < full_bound, out


@pytest.mark.parametrize("backend", BACKENDS)
def test_tensor_basics_runs_and_bridges_numpy(backend: str) -> None:
    out = ok(run_example("tensor_basics", "--backend", backend))
    assert f"backend: {backend}" in out
    assert "y after add_ equals result of pt.add: True" in out
    assert "view: x (4, 4), x.view(16) (16,), x.view(-1, 8) (2, 8)" in out
    assert "x.item() = " in out and "(a Python float)" in out
    shares = backend == "numpy"  # DESIGN.md: shared on NumPy, a copy on other backends
    assert f"from_numpy() shares memory with the array: {shares}" in out
    assert f"numpy() shares memory with the tensor: {shares}" in out
    assert f"still shares memory with the array: {shares}" in out


@pytest.mark.parametrize("backend", BACKENDS)
def test_autograd_basics_gives_the_tutorials_gradients(backend: str) -> None:
    out = ok(run_example("autograd_basics", "--backend", backend))
    assert "out = z.mean() = 27.0" in out
    assert "[[4.5 4.5]\n [4.5 4.5]]" in out
    assert "x.grad == 4.5 everywhere: True" in out
    assert re.search(r"x\.grad == v \* 2\*\*\d+: True", out), out
    assert "(== 4 * x: True)" in out
    assert "a third backward() raises RuntimeError: " in out and "retain_graph=True" in out
    assert "with pt.no_grad(): (x ** 2).requires_grad False" in out
    assert "4 of 4 checks passed" in out


@pytest.mark.parametrize("backend", BACKENDS)
def test_custom_function_checks_and_trains(backend: str) -> None:
    out = ok(run_example("custom_function", "--backend", backend, *steps_for(backend)))
    assert "MyReLU's gradient equals the built-in relu's: True" in out
    assert "pt.autograd.gradcheck(MyReLU.apply, ...): True" in out
    check_training(out, backend, full_bound=1e-2, short_ratio=0.05)


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_layer_by_hand_trains(backend: str) -> None:
    out = ok(run_example("two_layer_by_hand", "--backend", backend, *steps_for(backend)))
    check_training(out, backend, full_bound=1e-2, short_ratio=0.05)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_two_layer_nn_optim_trains(backend: str, optimizer: str) -> None:
    out = ok(
        run_example(
            "two_layer_nn_optim",
            "--backend",
            backend,
            "--optimizer",
            optimizer,
            *steps_for(backend),
        )
    )
    assert "Linear(in_features=1000, out_features=100, bias=True)" in out
    check_training(out, backend, full_bound=1e-3, short_ratio=0.8)


def test_examples_take_the_backend_from_the_environment() -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip(f"dask: {pt.backends.available().get('dask')}")
    out = ok(run_example("autograd_basics", env={"POLYTENSOR_BACKEND": "dask"}))
    assert "backend: dask" in out


def test_examples_default_to_numpy() -> None:
    out = ok(run_example("two_layer_by_hand", "--steps", "3"))
    assert "backend: numpy" in out and "3 steps" in out


def test_examples_explain_an_unknown_backend() -> None:
    proc = run_example("tensor_basics", "--backend", "no_such_backend")
    assert proc.returncode == 2
    assert "cannot use backend 'no_such_backend'" in proc.stderr


@pytest.mark.parametrize("name", NAMES)
def test_example_docstrings_run(name: str) -> None:
    spec = importlib.util.spec_from_file_location(
        f"_example_{name}", os.path.join(EXAMPLES, f"{name}.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):  # module globals
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
