"""Workloads for counting instructions (``valgrind --tool=callgrind``) rather than timing them.

Instruction counts do not depend on what else the machine is doing, so two checkouts of
polytensor can be compared side by side on a noisy machine. Each mode runs ``STEPS`` times:

- ``small``: a chain of 1,000 element-wise ops (sin, exp, subtract, multiply, add, tanh,
  divide by a scalar, cos) on 8-element float64 tensors, nothing recorded;
- ``chain``: the same chain recording the graph, then ``backward()``;
- ``train``: one SGD step of the two-layer network of ``autograd.py`` in float32
  (N=64, D_in=1000, H=100, D_out=10), BLAS pinned to one thread;
- ``square``: the tutorials' loss ``(y_pred - y).pow(2).sum()`` on 64x10 float32 tensors,
  then ``backward()`` (pow's gradient, and the check that keeps it 0 where its cotangent is);
- ``tape_chain`` and ``tape_chain_grad``: ``tape.py``'s chain (``x * 0.9``, ``+ a``, ``sin``,
  ``- b``, 250 times) on 8-element float64 tensors, nothing recorded, and recorded then
  ``.sum().backward()``;
- ``tape_chain_numpy`` and ``tape_chain_floor``: that chain on NumPy arrays, and on
  ``_floor.py``'s bare tape (``tape.py``'s ``floor``), nothing recorded;
- ``tiny_clamp``, ``tiny_relu``, ``tiny_myrelu``, ``tiny_numpy`` and ``tiny_floor``:
  ``tape.py``'s two-layer step as the tutorials write it (``clamp(min=0)``, ``F.relu``, the
  custom ``MyReLU``; the update under ``no_grad`` and ``w.grad.zero_()``), NumPy by hand, and
  the ``clamp`` step on the bare tape, at tiny sizes (N=4, D_in=8, H=5, D_out=2, float32) so
  that only the Python work counts;
- ``phase_forward_polytensor`` and ``phase_rest_polytensor`` (and ``_floor``): parts of the
  ``tiny_clamp`` step (``tiny_floor``'s): its forward alone (the loss and ``item()``, the
  graph then dropped), and everything but ``backward()`` (forward, update, ``zero_()`` on the
  gradients of a first backward). The backward's own count is the whole step's less
  ``phase_rest``'s; the update's and ``zero_()``'s, ``phase_rest``'s less ``phase_forward``'s.

Per-step counts come from two runs with different ``STEPS`` (the difference removes start-up),
with the hash seed fixed::

    run() { PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1 PYTHONPATH=$1 valgrind --tool=callgrind \\
        --callgrind-out-file=/dev/null .venv/bin/python bench/instructions.py $2 $3 2>&1 \\
        | grep -o 'Collected : [0-9]*'; }
    run . small 2; run . small 52      # (52 - 2) x 1,000 ops between the two

Examples
--------
>>> import subprocess, sys
>>> subprocess.run([sys.executable, __file__, "small", "1"], check=True).returncode
0
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import _floor
import numpy as np
from tape import (  # (this folder is on sys.path as a script)
    _my_relu,
    numpy_two_layer_step,
    torchlike_two_layer_step,
)
from threadpoolctl import threadpool_limits

import polytensor as pt


def chain(v: pt.Tensor, a: pt.Tensor, b: pt.Tensor) -> pt.Tensor:
    """1,000 element-wise ops, 125 rounds of 8."""
    for _ in range(125):
        v = pt.cos(
            pt.divide(pt.tanh(pt.add(pt.multiply(pt.subtract(pt.exp(pt.sin(v)), a), b), a)), 2.0)
        )
    return v


def tiny_step(relu: str) -> Callable[[], None]:
    """One step of the tutorials' two-layer network at tiny sizes (``tiny_<relu>`` modes)."""
    rng = np.random.default_rng(0)
    xn, yn = (rng.standard_normal(s).astype(np.float32) for s in ((4, 8), (4, 2)))
    w1n, w2n = (rng.standard_normal(s).astype(np.float32) for s in ((8, 5), (5, 2)))
    if relu == "numpy":  # (tape.py's step by hand, on copies: w1n and w2n are updated)
        return numpy_two_layer_step(xn, yn, w1n.copy(), w2n.copy(), np.float32(1e-6))
    if relu == "floor":  # (tape.py's step with clamp(min=0) on the bare tape, _floor.py)
        floor_step = torchlike_two_layer_step(_floor, (xn, yn, w1n, w2n), "clamp")

        def step_on_floor() -> None:
            floor_step()

        return step_on_floor
    x, y = pt.asarray(xn), pt.asarray(yn)
    w1 = pt.tensor(w1n, requires_grad=True)
    w2 = pt.tensor(w2n, requires_grad=True)
    act = {
        "clamp": lambda h: h.clamp(min=0),
        "relu": pt.nn.functional.relu,
        "myrelu": _my_relu(pt).apply,  # (tape.py's, the seed's Function)
    }[relu]

    def step() -> None:
        nonlocal w1, w2
        y_pred = act(x.mm(w1)).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        loss.item()
        loss.backward()
        with pt.no_grad():
            w1 -= 1e-6 * w1.grad
            w2 -= 1e-6 * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()

    return step


def phase_step(framework: str, phase: str) -> Callable[[], None]:
    """Part of the ``tiny_clamp`` step on ``framework`` (``polytensor`` or ``floor``):
    ``forward`` (the loss, its ``item()``), or ``rest`` (the step without ``backward()``,
    on the gradients of a first one)."""
    torch: Any = pt if framework == "polytensor" else _floor
    rng = np.random.default_rng(0)
    xn, yn = (rng.standard_normal(s).astype(np.float32) for s in ((4, 8), (4, 2)))
    w1n, w2n = (rng.standard_normal(s).astype(np.float32) for s in ((8, 5), (5, 2)))
    x, y = torch.from_numpy(xn), torch.from_numpy(yn)
    w1 = torch.tensor(w1n, requires_grad=True)
    w2 = torch.tensor(w2n, requires_grad=True)
    (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum().backward()
    drop = _floor._TAPE.clear if framework == "floor" else (lambda: None)

    def forward() -> None:
        (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).sum().item()
        drop()  # (the bare tape keeps what it recorded until backward)

    def rest() -> None:
        nonlocal w1, w2
        forward()
        with torch.no_grad():
            w1 -= 1e-6 * w1.grad
            w2 -= 1e-6 * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()

    return forward if phase == "forward" else rest


def main(mode: str, steps: int) -> None:
    threadpool_limits(1)
    rng = np.random.default_rng(0)
    if mode.startswith("phase_"):
        phase, framework = mode.removeprefix("phase_").split("_")
        step = phase_step(framework, phase)
        for _ in range(steps):
            step()
        return
    if mode.startswith("tiny_"):
        step = tiny_step(mode.removeprefix("tiny_"))
        for _ in range(steps):
            step()
        return
    if mode in ("tape_chain_numpy", "tape_chain_floor"):
        x0, a0, b0 = np.linspace(0.1, 0.8, 8), np.full(8, 0.25), np.full(8, 0.125)
        if mode == "tape_chain_floor":
            x0, a0, b0 = _floor.tensor(x0), _floor.tensor(a0), _floor.tensor(b0)
        sin = _floor.sin if mode == "tape_chain_floor" else np.sin
        for _ in range(steps):
            v = x0
            for _ in range(250):
                v = sin(v * 0.9 + a0) - b0
        return
    if mode.startswith("tape_chain"):
        record = mode == "tape_chain_grad"
        x = pt.asarray(np.linspace(0.1, 0.8, 8))
        a = pt.asarray(np.full(8, 0.25), requires_grad=record)
        b = pt.asarray(np.full(8, 0.125))
        for _ in range(steps):
            v = x
            for _ in range(250):
                v = pt.sin(v * 0.9 + a) - b
            if record:
                v.sum().backward()
                a.grad = None
        return
    if mode == "train":
        x = pt.asarray(rng.standard_normal((64, 1000)).astype(np.float32))
        y = pt.asarray(rng.standard_normal((64, 10)).astype(np.float32))
        w1 = pt.asarray(
            (rng.standard_normal((1000, 100)) * 0.01).astype(np.float32), requires_grad=True
        )
        w2 = pt.asarray(
            (rng.standard_normal((100, 10)) * 0.01).astype(np.float32), requires_grad=True
        )
        relu = pt.nn.functional.relu
        for _ in range(steps):
            loss = ((relu(x @ w1) @ w2 - y) ** 2).sum()
            loss.backward()
            with pt.no_grad():
                w1 -= 1e-6 * w1.grad
                w2 -= 1e-6 * w2.grad
            w1.grad = None
            w2.grad = None
        return
    if mode == "square":
        y_pred = pt.asarray(rng.standard_normal((64, 10)).astype(np.float32), requires_grad=True)
        y = pt.asarray(rng.standard_normal((64, 10)).astype(np.float32))
        for _ in range(steps):
            (y_pred - y).pow(2).sum().backward()
            y_pred.grad = None
        return
    grad = mode == "chain"
    x = pt.asarray(np.linspace(0.1, 0.9, 8), requires_grad=grad)
    a = pt.asarray(np.full(8, 0.5), requires_grad=grad)
    b = pt.asarray(np.full(8, 0.25))
    for _ in range(steps):
        v = chain(x, a, b)
        if grad:
            v.sum().backward()
            x.grad = None
            a.grad = None


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
