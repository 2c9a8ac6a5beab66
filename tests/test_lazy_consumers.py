"""A Dask tensor is a lazy array to array-API consumers: ``is_lazy_array`` says so without
computing, and SciPy takes its lazy code paths, computing once when the user asks for a value.

array-api-compat's ``is_lazy_array`` asks an unknown array type by ``bool()`` of one element;
a Dask tensor raises for that probe only (the standard's ValueError for lazy arrays), while
``bool()``, ``float()`` and ``item()`` in user code keep computing, as PyTorch programs need.

SciPy reads ``SCIPY_ARRAY_API=1`` when it is first imported, so its checks run in a fresh
interpreter and report JSON.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import polytensor as pt

ROOT = str(Path(__file__).resolve().parent.parent)

# Every copy of array-api-compat a consumer may ask: the package, and SciPy's and
# scikit-learn's vendored ones.
_COMPAT_COPIES = (
    "array_api_compat",
    "scipy._lib.array_api_compat",
    "sklearn.externals.array_api_compat",
)


@pytest.fixture
def dask_backend() -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not installed")
    pt.set_backend("dask", chunks=2)


@pytest.mark.parametrize("module", _COMPAT_COPIES)
def test_is_lazy_array_says_a_dask_tensor_is_lazy_without_computing(
    module: str, dask_backend: None, dask_computes: Any
) -> None:
    compat = pytest.importorskip(module)
    x = pt.asarray(np.arange(6.0).reshape(2, 3), requires_grad=True) * 2.0
    assert compat.is_lazy_array(x) is True
    assert dask_computes.calls == 0


@pytest.mark.parametrize("module", _COMPAT_COPIES)
def test_is_lazy_array_says_an_eager_tensor_is_not_lazy(module: str) -> None:
    compat = pytest.importorskip(module)
    assert compat.is_lazy_array(pt.asarray([1.0, 2.0])) is False


def test_bool_float_and_item_of_a_dask_tensor_still_compute_in_user_code(
    dask_backend: None, dask_computes: Any
) -> None:
    x = pt.asarray(np.array([3.0, 4.0]), requires_grad=True)
    loss = (x * x).sum()
    assert bool(loss > 20.0)  # a Python `if` on a tensor, PyTorch's way
    assert float(loss) == 25.0
    assert loss.item() == 25.0
    assert dask_computes.calls == 3


def test_the_probe_error_says_the_tensor_is_lazy_and_how_to_get_its_value(
    dask_backend: None,
) -> None:
    # A stand-in caller with is_lazy_array's name and module, to see the message it catches.
    helpers = importlib.import_module("array_api_compat.common._helpers")

    def is_lazy_array(x: Any) -> bool:
        return bool(x)

    probe = types.FunctionType(
        is_lazy_array.__code__, {"__name__": helpers.__name__, "__builtins__": __builtins__}
    )
    with pytest.raises(ValueError, match=r"lazy \(dask\) tensor.*pt\.compute\(x\)"):
        probe(pt.asarray(1.0) > 0)


_SCIPY = r"""
import json, sys
import numpy as np, dask, scipy.special, scipy.stats, polytensor as pt
sys.path.insert(0, "conformance")
from dask_counting import SchedulerCounter

a = np.array([[0.3, 0.9, 1.7, 2.0, -0.4], [1.0, -0.5, 0.2, 0.7, 1.3]])
w = np.random.default_rng(0).standard_normal((2, 5))
functions = {
    "zscore": lambda x: scipy.stats.zscore(x, axis=1),
    "skew": lambda x: scipy.stats.skew(x, axis=1),
    "variation": lambda x: scipy.stats.variation(x, axis=1),
    "logsumexp": lambda x: scipy.special.logsumexp(x, axis=1),
    # tests its order, a constant it made with asarray, with bool() eight times
    "moment": lambda x: scipy.stats.moment(x, order=3, axis=1),
}
out = {}
for name, f in functions.items():
    proj = lambda v: float(np.sum(np.asarray(f(v)) * w[:, : np.asarray(f(v)).shape[-1]]))
    want = np.zeros_like(a)  # central differences of SciPy on NumPy arrays
    for i in np.ndindex(a.shape):
        e = np.zeros_like(a)
        e[i] = 1e-6
        want[i] = (proj(a + e) - proj(a - e)) / 2e-6
    counter = SchedulerCounter()
    with pt.use_backend("dask", chunks=2), dask.config.set(scheduler=counter):
        x = pt.asarray(a, requires_grad=True)
        y = f(x)
        lazy_result = isinstance(y, pt.Tensor) and y.requires_grad
        (y * pt.asarray(w[:, : y.shape[-1]])).sum().backward()
        before = counter.calls
        (grad,) = pt.compute(x.grad)
        got = grad.numpy()
    out[name] = {
        "in_graph": bool(lazy_result),
        "computes_before_asking": before,
        "computes": counter.calls,
        "max_error": float(np.max(np.abs(got - want))),
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def scipy_on_dask() -> dict[str, Any]:
    pytest.importorskip("scipy")
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not installed")
    env = dict(os.environ, SCIPY_ARRAY_API="1", PYTHONPATH=ROOT)
    env.pop("POLYTENSOR_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", _SCIPY], capture_output=True, text=True, env=env, timeout=180,
        cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", ["zscore", "skew", "variation", "logsumexp", "moment"])
def test_scipy_on_a_dask_tensor_computes_once_and_differentiates(
    name: str, scipy_on_dask: dict[str, Any]
) -> None:
    r = scipy_on_dask[name]
    assert r["in_graph"], r
    assert r["computes_before_asking"] == 0, r  # forward and backward stayed lazy
    assert r["computes"] == 1, r  # the gradient, in one pass
    assert r["max_error"] < 1e-6, r


def test_gradient_through_a_mask_of_the_tensors_shape_stays_lazy_on_dask(
    dask_backend: None, dask_computes: Any
) -> None:
    # out[m] = f(x[m]), the way array-API libraries write a where (scikit-learn's r2_score and
    # incremental variance): the adjoint of x[m] writes the cotangent, of the mask's unknown
    # count, back where the mask holds, lazily.
    a = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, 0.5]])
    w = np.arange(6.0).reshape(2, 3)
    x = pt.asarray(a, requires_grad=True)
    m = x > 0
    out = pt.zeros((2, 3), dtype=pt.float64)
    out[m] = x[m] * x[m]
    (out * pt.asarray(w)).sum().backward()
    assert dask_computes.calls == 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(a > 0, 2 * a * w, 0.0))
    assert dask_computes.calls == 1
