"""A custom autograd ``Function`` (ReLU) used in a training loop, after PyTorch's "Learning
PyTorch with examples" (section "Defining new autograd functions").

``MyReLU`` subclasses ``pt.autograd.Function``: ``forward`` saves its input with
``ctx.save_for_backward`` and ``backward`` reads it from ``ctx.saved_tensors`` to mask the
incoming gradient. The script checks the rule against the built-in ReLU and with
``pt.autograd.gradcheck``, then trains the two-layer network ``MyReLU.apply(x.mm(w1)).mm(w2)``
by gradient descent.

Run it with::

    .venv/bin/python examples/custom_function.py                            # NumPy backend
    .venv/bin/python examples/custom_function.py --backend dask --steps 50

On a lazy backend (Dask) ``pt.persist(w1, w2)`` after each step keeps the task graphs small.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

import polytensor as pt
from polytensor.autograd import Function, FunctionCtx

N, D_IN, H, D_OUT = 64, 1000, 100, 10
LEARNING_RATE = 1e-6


class MyReLU(Function):
    """ReLU with a hand-written backward, as in PyTorch's tutorial.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.tensor([-1.0, 2.0], requires_grad=True)
    >>> MyReLU.apply(x).sum().backward()
    >>> x.grad
    tensor([0., 1.], backend='numpy')
    """

    @staticmethod
    def forward(ctx: FunctionCtx, input: Any) -> Any:
        """Save the input for backward and return ``max(input, 0)``."""
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: Any) -> Any:
        """Pass the gradient where the input was positive, zero elsewhere."""
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: ``--backend`` (default: ``POLYTENSOR_BACKEND`` or numpy),
    ``--steps``, ``--seed``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend",
        default=os.environ.get("POLYTENSOR_BACKEND") or "numpy",
        help="polytensor backend (numpy, dask, array_api_strict, cupy)",
    )
    parser.add_argument("--steps", type=int, default=500, help="training steps (500)")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def check_rule() -> bool:
    """Compare MyReLU's gradient with the built-in ReLU's, and run gradcheck."""
    data = pt.randn(4, 5, dtype=pt.float64)
    a = data.detach().requires_grad_(True)
    b = data.detach().requires_grad_(True)
    weights = pt.randn(4, 5, dtype=pt.float64)
    (MyReLU.apply(a) * weights).sum().backward()
    (pt.nn.functional.relu(b) * weights).sum().backward()
    same = bool(pt.all(a.grad == b.grad))
    print(f"MyReLU's gradient equals the built-in relu's: {same}")
    # gradcheck compares with central differences; keep the inputs away from the kink at 0.
    shifted = (data + pt.sign(data) * 0.1).detach().requires_grad_(True)
    passed = pt.autograd.gradcheck(MyReLU.apply, (shifted,))
    print(f"pt.autograd.gradcheck(MyReLU.apply, ...): {passed}")
    return same and passed


def train(steps: int) -> tuple[float, float]:
    """Train the two-layer network with MyReLU; returns the first and the last loss."""
    x = pt.randn(N, D_IN)
    y = pt.randn(N, D_OUT)
    w1 = pt.randn(D_IN, H, requires_grad=True)
    w2 = pt.randn(H, D_OUT, requires_grad=True)

    every = max(1, steps // 5)
    first = last = float("nan")
    for t in range(steps):
        relu = MyReLU.apply  # call a Function through apply
        y_pred = relu(x.mm(w1)).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        if t == 0 or t % every == every - 1 or t == steps - 1:
            last = loss.item()
            first = last if t == 0 else first
            print(f"step {t:4d}  loss {last:.6g}")
        loss.backward()
        with pt.no_grad():
            w1 -= LEARNING_RATE * w1.grad
            w2 -= LEARNING_RATE * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
        pt.persist(w1, w2)  # Dask: compute the weights now (no-op on eager backends)
    return first, last


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        pt.set_backend(args.backend)
    except (ValueError, ImportError) as e:  # unknown, or unavailable here: say why
        print(f"cannot use backend {args.backend!r}: {e}", file=sys.stderr)
        return 2
    pt.manual_seed(args.seed)
    print(f"backend: {pt.get_backend().name}")
    rule_ok = check_rule()
    print(
        f"training relu(x.mm(w1)).mm(w2) with MyReLU: N={N}, D_in={D_IN}, H={H}, "
        f"D_out={D_OUT}, lr={LEARNING_RATE}, {args.steps} steps"
    )
    start = time.perf_counter()
    first, last = train(args.steps)
    elapsed = time.perf_counter() - start
    print(f"initial loss: {first:.6g}")
    print(f"final loss: {last:.6g}")
    print(f"time: {elapsed:.2f} s ({1e3 * elapsed / max(args.steps, 1):.2f} ms/step)")
    return 0 if rule_ok and last < first else 1


if __name__ == "__main__":
    sys.exit(main())
