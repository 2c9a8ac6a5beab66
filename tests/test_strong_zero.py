"""pow's and square's gradients are "strong zeros": an output element whose cotangent is exactly 0
gives 0 to its input, even where the local derivative is NaN or infinite (at a NaN base); with a
nonzero cotangent the gradient there stays NaN, as the derivative says.

PyTorch gives ``0 * 2 * NaN = NaN`` (docs/edge-gradients.md lists the difference); the convention
makes scikit-learn's ``StandardScaler``, which squares a ``0 / 0`` of constants and overwrites
it, differentiate. Each case runs on every CPU backend, through the fast first-order forms and
through the rules (the definition, also with ``create_graph=True``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor.autograd import _engine

ROOT = str(Path(__file__).resolve().parent.parent)
BACKENDS = ["numpy", "array_api_strict", "dask"]
NAN = float("nan")

# f(x), and its derivative at x = 3 (the finite element next to the NaN)
POWERS: dict[str, tuple[Callable[[Any], Any], float]] = {
    "x ** 2": (lambda x: x**2, 6.0),
    "x ** 3.0": (lambda x: x**3.0, 27.0),
    "x ** tensor": (lambda x: x ** pt.full_like(x, 3.0), 27.0),
    "square": (pt.square, 6.0),
    "x.pow(2)": (lambda x: x.pow(2), 6.0),
}


@pytest.fixture(params=["fast forms", "rules"])
def path(request: pytest.FixtureRequest) -> Any:
    before = _engine.FAST_RULES
    _engine.FAST_RULES = request.param == "fast forms"
    yield request.param
    _engine.FAST_RULES = before


def _grad(f: Callable[[Any], Any], backend: str, cotangent: list[float], **kw: Any) -> np.ndarray:
    x = pt.asarray([NAN, 3.0], dtype=pt.float64, device=backend, requires_grad=True)
    g = pt.asarray(cotangent, dtype=pt.float64, device=backend)
    (dx,) = pt.autograd.grad(f(x), x, grad_outputs=g, **kw)
    return np.asarray(dx.detach().numpy())


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", POWERS)
def test_a_nan_base_whose_cotangent_is_zero_gets_zero(name: str, backend: str, path: str) -> None:
    f, d = POWERS[name]
    np.testing.assert_array_equal(_grad(f, backend, [0.0, 1.0]), [0.0, d])
    np.testing.assert_array_equal(_grad(f, backend, [0.0, 0.0]), [0.0, 0.0])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", POWERS)
def test_a_nan_base_whose_cotangent_is_not_zero_still_gets_nan(
    name: str, backend: str, path: str
) -> None:
    f, d = POWERS[name]
    got = _grad(f, backend, [1.0, 1.0])
    assert np.isnan(got[0])
    assert got[1] == d


@pytest.mark.parametrize("name", POWERS)
def test_the_rules_recorded_with_create_graph_keep_the_strong_zero(name: str) -> None:
    f, d = POWERS[name]
    np.testing.assert_array_equal(_grad(f, "numpy", [0.0, 1.0], create_graph=True), [0.0, d])
    assert np.isnan(_grad(f, "numpy", [1.0, 1.0], create_graph=True)[0])


def test_an_infinite_derivative_under_a_zero_cotangent_gives_zero() -> None:
    # d/dx x ** 0.5 at 0 is inf; d/db 0 ** b for b < 0 is -inf (the exponent's rule)
    for backend in BACKENDS:
        _infinite_derivatives(backend)


def _infinite_derivatives(backend: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's 0 ** -0.5: divide by zero
        x = pt.asarray([0.0, 4.0], dtype=pt.float64, device=backend, requires_grad=True)
        y = x**0.5 * pt.asarray([0.0, 1.0], dtype=pt.float64, device=backend)
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.25])
        b = pt.asarray([-1.0, 2.0], dtype=pt.float64, device=backend, requires_grad=True)
        (dx,) = pt.autograd.grad(0.0**b, b, grad_outputs=pt.zeros_like(b))
        np.testing.assert_array_equal(dx.numpy(), [0.0, 0.0])


def test_second_derivatives_through_pow_are_unchanged() -> None:
    # the strong zero only masks NaNs: d2/dx2 x ** 3 = 6x, and jvp (a double vjp from a zero
    # cotangent) still sees the derivative
    x = pt.asarray([1.0, -2.0], dtype=pt.float64, requires_grad=True)
    (dx,) = pt.autograd.grad((x**3).sum(), x, create_graph=True)
    (ddx,) = pt.autograd.grad(dx.sum(), x)
    np.testing.assert_allclose(ddx.numpy(), [6.0, -12.0])
    _, t = pt.autograd.functional.jvp(lambda v: v**2, x, pt.ones_like(x))
    np.testing.assert_allclose(t.numpy(), [2.0, -4.0])


_STANDARD_SCALER = r"""
import json, warnings
import numpy as np, sklearn, polytensor as pt
from sklearn.preprocessing import StandardScaler

def fit_transform(x):
    with sklearn.config_context(array_api_dispatch=True):
        return StandardScaler().fit_transform(x)

a = np.random.default_rng(0).uniform(-2.0, 2.0, (6, 2))
w = np.random.default_rng(1).standard_normal((6, 2))
want = np.zeros_like(a)  # central differences of scikit-learn on NumPy arrays
for i in np.ndindex(a.shape):
    e = np.zeros_like(a)
    e[i] = 1e-6
    want[i] = (np.sum(fit_transform(a + e) * w) - np.sum(fit_transform(a - e) * w)) / 2e-6
out = {}
for backend in ("numpy", "array_api_strict", "dask"):
    with pt.use_backend(backend), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the 0 / 0 scikit-learn overwrites
        x = pt.asarray(a, requires_grad=True)
        (fit_transform(x) * pt.asarray(w)).sum().backward()
        out[backend] = float(np.max(np.abs(x.grad.numpy() - want)))
print(json.dumps(out))
"""


def test_standard_scaler_gradient_matches_finite_differences_on_every_backend() -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("scipy")
    env = dict(os.environ, SCIPY_ARRAY_API="1", PYTHONPATH=ROOT)
    env.pop("POLYTENSOR_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", _STANDARD_SCALER], capture_output=True, text=True, env=env,
        timeout=180, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    errors = json.loads(done.stdout.splitlines()[-1])
    assert set(errors) == {"numpy", "array_api_strict", "dask"}
    for backend, err in errors.items():
        assert err < 1e-6, (backend, err)
