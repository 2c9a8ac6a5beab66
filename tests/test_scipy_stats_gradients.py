"""scipy.stats' hypothesis tests on tensors that require grad (``SCIPY_ARRAY_API=1``): pearsonr,
ttest_1samp, ttest_ind, ttest_rel, f_oneway, chisquare and power_divergence give SciPy's
statistic and p-value, on every backend, and both differentiate with respect to the data as
central differences of SciPy's own (NumPy) results say. Their p-values come from
``pt.special``'s distribution functions (``betaincc``, ``stdtr``, ``fdtrc``, ``chdtrc``), which
SciPy's dispatch finds as ``xp.special.<name>``.

SciPy reads ``SCIPY_ARRAY_API`` when it is first imported, so the checks run in a fresh
interpreter and report JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("scipy.stats", reason="scipy.stats' array-API dispatch needs SciPy")

_CODE = r"""
import json
import numpy as np, polytensor as pt, scipy.stats as st
rng = np.random.default_rng(0)
a, b, c = rng.normal(size=7), rng.normal(size=7) + 0.5, rng.normal(size=5) - 0.3
obs = np.array([10.0, 12.0, 9.0, 15.0])
CASES = {
    "pearsonr": (lambda x, y: st.pearsonr(x, y), (a, b)),
    "pearsonr(alternative='less')": (lambda x, y: st.pearsonr(x, y, alternative="less"), (a, b)),
    "ttest_1samp": (lambda x: st.ttest_1samp(x, 0.2), (a,)),
    "ttest_1samp(alternative='greater')": (
        lambda x: st.ttest_1samp(x, 0.2, alternative="greater"), (a,)
    ),
    "ttest_ind": (lambda x, y: st.ttest_ind(x, y), (a, b)),
    "ttest_rel": (lambda x, y: st.ttest_rel(x, y), (a, b)),
    "f_oneway": (lambda x, y, z: st.f_oneway(x, y, z), (a, b, c)),
    "chisquare": (lambda f: st.chisquare(f), (obs,)),
    "power_divergence": (lambda f: st.power_divergence(f, lambda_="log-likelihood"), (obs,)),
    # a confidence interval of the mean: its bound through stdtrit
    "ttest_1samp.confidence_interval": (
        lambda x: st.ttest_1samp(x, 0.2).confidence_interval(0.9), (a,)
    ),
}
FIELDS = {"ttest_1samp.confidence_interval": ("low", "high")}


def central(fn, arrays, field, h=1e-6):
    grads = []
    for i, v in enumerate(arrays):
        g = np.zeros_like(v)
        for j in range(v.size):
            up, down = [w.copy() for w in arrays], [w.copy() for w in arrays]
            up[i][j] += h
            down[i][j] -= h
            g[j] = (float(getattr(fn(*up), field)) - float(getattr(fn(*down), field))) / (2 * h)
        grads.append(g)
    return grads


wanted = {}
for name, (fn, arrays) in CASES.items():
    for field in FIELDS.get(name, ("statistic", "pvalue")):
        wanted[name, field] = (float(getattr(fn(*arrays), field)), central(fn, arrays, field))

out = {}
for backend in ("numpy", "dask", "array_api_strict"):
    if pt.backends.available().get(backend) != "available":
        continue
    for (name, field), (value, grads) in wanted.items():
        fn, arrays = CASES[name]
        xs = [pt.asarray(v, device=backend, requires_grad=True) for v in arrays]
        try:
            with pt.use_backend(backend):  # (SciPy makes its constants on the default backend)
                got = getattr(fn(*xs), field)
            ours = pt.autograd.grad(got, xs)
            out[f"{backend}:{name}.{field}"] = [
                isinstance(got, pt.Tensor) and got._backend.name == backend,
                bool(np.isclose(got.detach().item(), value, rtol=1e-10, atol=0)),
                all(
                    np.allclose(g.numpy(), n, rtol=1e-5, atol=1e-8)
                    for g, n in zip(ours, grads, strict=True)
                ),
            ]
        except Exception as e:
            out[f"{backend}:{name}.{field}"] = f"{type(e).__name__}: {e}"

# Welch's t-test: the degrees of freedom depend on the data, and stdtr has no derivative in df
x = pt.asarray(a, requires_grad=True)
y = pt.asarray(b, requires_grad=True)
res = st.ttest_ind(x, y, equal_var=False)
welch = {}
try:
    res.statistic.backward()
    welch["statistic"] = bool(np.isclose(
        float(x.grad.sum()), central(lambda u: st.ttest_ind(u, b, equal_var=False), [a],
                                     "statistic")[0].sum(), rtol=1e-5
    ))
    res.pvalue.backward()
    welch["pvalue"] = "no error"
except NotImplementedError as e:
    welch["pvalue"] = str(e)
except Exception as e:
    welch["pvalue"] = f"{type(e).__name__}: {e}"
print(json.dumps({"tests": out, "welch": welch}))
"""


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, SCIPY_ARRAY_API="1", PYTHONPATH=root)
    env.pop("POLYTENSOR_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", _CODE], capture_output=True, text=True, env=env, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_hypothesis_tests_give_scipys_values_and_gradients(results: dict[str, Any]) -> None:
    tests = results["tests"]
    names = {k.split(":", 1)[1] for k in tests}
    assert len(names) == 20  # every statistic, p-value and bound above
    assert {k.split(":")[0] for k in tests} >= {"numpy"}
    bad = {k: v for k, v in tests.items() if v != [True, True, True]}
    assert not bad, f"[tensor of its backend, SciPy's value, central differences]: {bad}"


def test_welch_p_value_says_its_degrees_of_freedom_have_no_derivative(
    results: dict[str, Any],
) -> None:
    welch = results["welch"]
    assert welch["statistic"] is True
    assert "derivative of special.stdtr with respect to df" in welch["pvalue"]
    assert "no closed form" in welch["pvalue"]
