"""The same code on every backend: a least-squares fit by gradient descent with autograd.

One function, written against the Array API standard (``matmul``, ``mean``, ``exp``, ``max``,
``sum``) plus polytensor's autograd (``requires_grad``, ``backward``, ``no_grad``), runs
unchanged on each available backend; only the ``with pt.use_backend(name):`` line differs.
Backends that cannot run here (CuPy without a CUDA GPU) are skipped with the reason polytensor
gives. The results of all backends are then checked to agree.

Run it with::

    .venv/bin/python examples/backends_demo.py
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

import polytensor as pt

N_SAMPLES, N_FEATURES = 64, 3
TRUE_WEIGHTS, TRUE_BIAS = np.array([1.5, -2.0, 0.5]), 0.3
STEPS, LEARNING_RATE = 100, 0.1


def make_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of a linear function: features ``x`` (64 x 3) and targets ``y`` (64).

    Examples
    --------
    >>> x, y = make_data()
    >>> x.shape, y.shape, str(x.dtype)
    ((64, 3), (64,), 'float64')
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N_SAMPLES, N_FEATURES))
    y = x @ TRUE_WEIGHTS + TRUE_BIAS + 0.1 * rng.standard_normal(N_SAMPLES)
    return x, y


def softmax(z: Any, axis: int = -1) -> Any:
    """Numerically stable softmax along ``axis``, with standard functions only.

    Examples
    --------
    >>> import polytensor as pt
    >>> p = softmax(pt.asarray([1.0, 2.0, 3.0]))
    >>> round(float(pt.sum(p)), 6)
    1.0
    """
    e = pt.exp(z - pt.max(z, axis=axis, keepdims=True))
    return e / pt.sum(e, axis=axis, keepdims=True)


def fit(x_host: np.ndarray, y_host: np.ndarray) -> dict[str, np.ndarray]:
    """Fit ``y ~ x @ w + b`` by gradient descent on the current backend.

    Returns the first and last loss, the fitted ``w`` and ``b``, and the softmax of the first
    predictions, as NumPy arrays (computed only here, on a lazy backend).

    Examples
    --------
    >>> import polytensor as pt
    >>> with pt.use_backend("numpy"):
    ...     out = fit(*make_data())
    >>> bool(out["loss"][1] < out["loss"][0])
    True
    """
    x = pt.asarray(x_host)  # host data moves to the current backend
    y = pt.asarray(y_host)
    w = pt.zeros((N_FEATURES,), dtype=pt.float64, requires_grad=True)
    b = pt.zeros((), dtype=pt.float64, requires_grad=True)
    losses = []
    for _ in range(STEPS):
        residual = x @ w + b - y
        loss = pt.mean(residual * residual)
        loss.backward()
        with pt.no_grad():
            w -= LEARNING_RATE * w.grad
            b -= LEARNING_RATE * b.grad
        w.grad = None
        b.grad = None
        losses.append(loss.detach())
    with pt.no_grad():
        probs = softmax(x[:5, ...] @ w + b)
    # On Dask all of the above is still a task graph; compute() runs it once, sharing work.
    first, last, w_, b_, probs = pt.compute(losses[0], losses[-1], w.detach(), b.detach(), probs)
    return {
        "loss": np.asarray([first.item(), last.item()]),
        "w": w_.numpy(),
        "b": np.asarray(b_.item()),
        "softmax": probs.numpy(),
    }


def main() -> int:
    """Fit on every available backend, print the results, check they agree (0 if they do).

    Examples
    --------
    >>> main()  # doctest: +ELLIPSIS
    data: ...
    0
    """
    np.set_printoptions(precision=6, suppress=True)
    x, y = make_data()
    print(f"data: {N_SAMPLES} samples of y = x @ {TRUE_WEIGHTS} + {TRUE_BIAS} + noise")
    results: dict[str, dict[str, np.ndarray]] = {}
    statuses = pt.backends.available()
    for name in sorted(statuses, key=lambda n: (n != "numpy", n)):  # the reference first
        status = statuses[name]
        if status != "available":
            print(f"{name}: skipped ({status})")
            continue
        with pt.use_backend(name):
            results[name] = out = fit(x, y)
        print(
            f"{name}: loss {out['loss'][0]:.6f} -> {out['loss'][1]:.6f}, "
            f"w = {out['w']}, b = {float(out['b']):.6f}\n"
            f"  softmax of the first 5 predictions = {out['softmax']}"
        )
    if not results:
        print("FAILED: no backend is available")
        return 1

    reference_name = "numpy" if "numpy" in results else next(iter(results))
    reference = results[reference_name]
    mismatches = [
        (name, key)
        for name, out in results.items()
        for key, value in out.items()
        if not np.allclose(value, reference[key], rtol=1e-9, atol=1e-12)
    ]
    for name, key in mismatches:
        print(
            f"MISMATCH: {key} on {name} is {results[name][key]}, "
            f"on {reference_name} {reference[key]}"
        )
    if mismatches:
        print(f"FAILED: the backends ({', '.join(results)}) disagree")
        return 1
    print(f"OK: {len(results)} backends ({', '.join(results)}) agree to rtol=1e-9")
    return 0


if __name__ == "__main__":
    sys.exit(main())
