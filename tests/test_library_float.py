"""``float()`` of a tensor that requires grad: a user's number, a library's refused detach.

PyTorch lets ``float(loss)`` give a number, and so does polytensor in a user's code. A library
that took the tensor through the Array API and returns ``float(...)`` of it (scikit-learn's
metrics) would hand back a result silently outside the graph: polytensor raises instead,
saying how to get the number (``x.detach()``, ``pt.no_grad()``) or a gradient (an array
result, e.g. ``multioutput="raw_values"``).

scikit-learn's array-API dispatch wants ``SCIPY_ARRAY_API=1`` before SciPy is imported, so its
checks run in a fresh interpreter and report JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import polytensor as pt

ROOT = str(Path(__file__).resolve().parent.parent)


def test_float_of_a_tensor_that_requires_grad_is_a_number_in_user_code() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    assert x.__array_namespace__() is pt  # user code asking is not a library dispatching
    assert float(loss) == 5.0
    assert complex(loss) == 5.0
    loss.backward()  # the graph is untouched
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


_SKLEARN = r"""
import json
import numpy as np, sklearn, polytensor as pt
from sklearn import metrics

names = ("mean_squared_error", "r2_score", "mean_absolute_error")
a = np.array([0.3, -1.2, 0.8, 2.0, 0.1, -0.4])
b = np.array([0.1, -1.0, 1.1, 1.5, 0.0, -0.9])
out = {}
with sklearn.config_context(array_api_dispatch=True):
    for backend in ("numpy", "dask", "array_api_strict"):
        if pt.backends.available().get(backend) != "available":
            continue
        with pt.use_backend(backend):
            for name in names:
                f = getattr(metrics, name)
                want = f(a, b)
                x = pt.asarray(a, requires_grad=True)
                y = pt.asarray(b)
                try:
                    f(x, y)
                    refused = "no error"
                except RuntimeError as e:
                    refused = str(e)
                detached = f(x.detach(), y)
                with pt.no_grad():
                    under_no_grad = f(x, y)
                raw = f(x, y, multioutput="raw_values")
                raw.sum().backward()
                out[f"{backend}:{name}"] = {
                    "refused": refused,
                    "numbers": [float(detached), float(under_no_grad), float(want)],
                    "raw_in_graph": bool(isinstance(raw, pt.Tensor) and raw.requires_grad),
                    "raw_value": float(raw.detach()[0]),
                    "grad": x.grad.numpy().tolist(),
                }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def sklearn_metrics() -> dict[str, Any]:
    pytest.importorskip("sklearn")
    pytest.importorskip("scipy")
    env = dict(os.environ, SCIPY_ARRAY_API="1", PYTHONPATH=ROOT)
    env.pop("POLYTENSOR_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", _SKLEARN], capture_output=True, text=True, env=env, timeout=180,
        cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def _analytic(name: str) -> np.ndarray:
    """d metric(a, b) / d a of the three metrics, for the inputs of _SKLEARN."""
    a = np.array([0.3, -1.2, 0.8, 2.0, 0.1, -0.4])
    b = np.array([0.1, -1.0, 1.1, 1.5, 0.0, -0.9])
    n = a.size
    if name == "mean_squared_error":
        return 2 * (a - b) / n
    if name == "mean_absolute_error":
        return np.sign(a - b) / n
    # r2_score(y_true=a, y_pred=b) = 1 - sum((a - b)^2) / sum((a - mean(a))^2)
    ss_res, ss_tot = np.sum((a - b) ** 2), np.sum((a - a.mean()) ** 2)
    return -(2 * (a - b) * ss_tot - ss_res * 2 * (a - a.mean())) / ss_tot**2


@pytest.mark.parametrize("name", ["mean_squared_error", "r2_score", "mean_absolute_error"])
def test_sklearn_metrics_refuse_to_detach_and_say_how_to_proceed(
    name: str, sklearn_metrics: dict[str, Any]
) -> None:
    rows = {k: v for k, v in sklearn_metrics.items() if k.endswith(f":{name}")}
    assert "numpy:" + name in rows
    for key, r in rows.items():
        msg = r["refused"]
        assert msg.startswith("float() of a tensor that requires grad"), (key, msg)
        assert "sklearn.metrics" in msg and "x.detach()" in msg and "pt.no_grad()" in msg, msg


@pytest.mark.parametrize("name", ["mean_squared_error", "r2_score", "mean_absolute_error"])
def test_sklearn_metrics_give_the_number_of_a_detached_tensor_and_under_no_grad(
    name: str, sklearn_metrics: dict[str, Any]
) -> None:
    for key, r in sklearn_metrics.items():
        if key.endswith(f":{name}"):
            detached, under_no_grad, want = r["numbers"]
            assert detached == pytest.approx(want, rel=1e-12), key
            assert under_no_grad == pytest.approx(want, rel=1e-12), key


@pytest.mark.parametrize("name", ["mean_squared_error", "r2_score", "mean_absolute_error"])
def test_sklearn_metrics_raw_values_keep_the_gradient(
    name: str, sklearn_metrics: dict[str, Any]
) -> None:
    for key, r in sklearn_metrics.items():
        if key.endswith(f":{name}"):
            assert r["raw_in_graph"], key
            assert r["raw_value"] == pytest.approx(r["numbers"][2], rel=1e-12), key
            np.testing.assert_allclose(r["grad"], _analytic(name), rtol=1e-10, err_msg=key)
