"""Array-API consumers on polytensor tensors: SciPy's dispatch to ``pt.special`` (differentiable
on every backend), functions that used to detach now raising, Dask's boolean-mask assignment,
and the namespace functions SciPy, scikit-learn and array-api-extra call (``xp.full`` of a 0-d
array, ``xp.bincount`` with weights, ``xp.median(x, axis=)``, writes at repeated indices) giving
their values and gradients.

SciPy reads ``SCIPY_ARRAY_API=1`` when it is first imported (and scikit-learn's array-API
dispatch needs it), so those checks run in a fresh interpreter (one a library for the module)
and report their results as JSON.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import polytensor as pt

pytest.importorskip("scipy")

_SCIPY = r"""
import json, math
import numpy as np, scipy.fft, scipy.signal, scipy.special as sc, polytensor as pt
a = np.array([0.3, 0.9, 1.7])
# analytic derivatives of SciPy's functions
d = {
    "expit": lambda v: sc.expit(v) * (1 - sc.expit(v)),
    "erf": lambda v: 2 / math.sqrt(math.pi) * np.exp(-v * v),
    "entr": lambda v: -(np.log(v) + 1),
    "gammaln": lambda v: sc.digamma(v),
    "ndtr": lambda v: np.exp(-v * v / 2) / math.sqrt(2 * math.pi),
}
out = {}
for backend in ("numpy", "dask", "array_api_strict"):
    if pt.backends.available().get(backend) != "available":
        continue
    for name, deriv in d.items():
        x = pt.asarray(a, device=backend, requires_grad=True)
        y = getattr(sc, name)(x)
        ok_type = isinstance(y, pt.Tensor) and y.requires_grad and y._backend.name == backend
        y.sum().backward()
        out[f"{backend}:{name}"] = [
            bool(ok_type),
            bool(np.allclose(y.detach().numpy(), getattr(sc, name)(a), rtol=1e-12)),
            bool(np.allclose(x.grad.numpy(), deriv(a), rtol=1e-10)),
        ]
refused = []
x = pt.asarray(np.arange(6.0), requires_grad=True)
for f in (scipy.fft.dct, scipy.signal.detrend):
    try:
        f(x)
        refused.append("no error")
    except RuntimeError as e:
        refused.append(str(e))
# scipy.differentiate iterates with xp.full(shape, a 0-d tensor): d/dc of (d/dt exp(c t))
import scipy.differentiate
c = pt.asarray(0.7, dtype=pt.float64, requires_grad=True)
t = np.array([1.0, 2.0])
try:
    df = scipy.differentiate.derivative(lambda s: pt.exp(c * s), pt.asarray(t)).df
    df.sum().backward()
    derivative = [
        bool(np.allclose(df.detach().numpy(), 0.7 * np.exp(0.7 * t), rtol=1e-10)),
        bool(np.isclose(c.grad.item(), np.sum(np.exp(0.7 * t) * (1 + 0.7 * t)), rtol=1e-10)),
    ]
except Exception as e:
    derivative = [f"{type(e).__name__}: {e}"]
print(json.dumps({"gradients": out, "refused": refused, "derivative": derivative}))
"""


@pytest.fixture(scope="module")
def scipy_results() -> dict:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, SCIPY_ARRAY_API="1", PYTHONPATH=root)
    env.pop("POLYTENSOR_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", _SCIPY], capture_output=True, text=True, env=env, timeout=180,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_scipy_special_dispatches_to_pt_special_and_differentiates(scipy_results) -> None:
    results = scipy_results["gradients"]
    assert {k.split(":")[0] for k in results} >= {"numpy"}
    bad = {k: v for k, v in results.items() if v != [True, True, True]}
    assert not bad, f"[tensor in the graph, value, gradient] per backend:function: {bad}"


def test_scipy_functions_that_convert_raise_instead_of_detaching(scipy_results) -> None:
    lines = scipy_results["refused"]
    assert len(lines) == 2
    for line in lines:
        assert "requires grad" in line and "x.detach()" in line, line


def test_scipy_differentiate_iterates_on_a_tensor_and_differentiates(scipy_results) -> None:
    assert scipy_results["derivative"] == [True, True], "[value, gradient of its parameter]"


_SKLEARN = r"""
import json
import numpy as np, polytensor as pt, sklearn
from sklearn.metrics import median_absolute_error, multilabel_confusion_matrix
sklearn.set_config(array_api_dispatch=True)
out = {}
# sample weights summed with xp.bincount: the true positives' weights, differentiated
t, p = np.array([0, 1, 2, 1, 0, 2]), np.array([0, 2, 2, 1, 1, 2])
w = pt.asarray(np.array([0.5, 1.0, 2.0, 1.5, 3.0, 0.25]), requires_grad=True)
m = multilabel_confusion_matrix(pt.asarray(t), pt.asarray(p), sample_weight=w)
m[:, 1, 1].sum().backward()
out["tp_weights"] = [m[:, 1, 1].detach().numpy().tolist(), w.grad.numpy().tolist()]
# xp.median(x, axis=0): NumPy's median of the absolute errors, an even count of rows
rng = np.random.default_rng(0)
a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
y = pt.asarray(b, requires_grad=True)
want = np.zeros_like(b)
for i in np.ndindex(b.shape):
    d = np.zeros_like(b)
    d[i] = 1e-6
    want[i] = (np.sum(np.median(np.abs(b + d - a), axis=0))
               - np.sum(np.median(np.abs(b - d - a), axis=0))) / 2e-6
try:
    e = median_absolute_error(pt.asarray(a), y, multioutput="raw_values")
    e.sum().backward()
    out["median_absolute_error"] = [
        float(np.max(np.abs(e.detach().numpy() - np.median(np.abs(b - a), axis=0)))),
        float(np.max(np.abs(y.grad.numpy() - want))),
    ]
except Exception as e:
    out["median_absolute_error"] = [f"{type(e).__name__}: {e}"]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def sklearn_results() -> dict:
    import os
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("sklearn", reason="scikit-learn is the consumer these tests run")
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, SCIPY_ARRAY_API="1", PYTHONPATH=root)
    env.pop("POLYTENSOR_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", _SKLEARN], capture_output=True, text=True, env=env, timeout=180,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_sklearn_sample_weights_counted_by_bincount_keep_their_gradient(sklearn_results) -> None:
    values, grad = sklearn_results["tp_weights"]
    assert values == [0.5, 1.5, 2.25]
    assert grad == [1.0, 0.0, 1.0, 1.0, 0.0, 1.0]  # (the weights of t == p)


def test_sklearn_median_absolute_error_is_numpys_and_differentiates(sklearn_results) -> None:
    errors = sklearn_results["median_absolute_error"]
    assert len(errors) == 2, errors  # (else the error it raised)
    value_error, grad_error = errors
    assert value_error < 1e-12 and grad_error < 1e-6


def test_array_api_extra_at_add_at_repeated_indices_differentiates() -> None:
    xpx = pytest.importorskip("sklearn.externals.array_api_extra")
    x = pt.asarray(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = xpx.at(x)[pt.asarray(np.array([0, 0, 1]))].add(1.0, copy=True)  # (x[0] gets 1 once)
    np.testing.assert_array_equal(y.detach().numpy(), [2.0, 3.0, 3.0])
    (y * pt.asarray(np.array([1.0, 2.0, 3.0]))).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0, 3.0])


# -- Dask ----------------------------------------------------------------------------------------
@pytest.fixture
def dask_backend() -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not installed")
    pt.set_backend("dask", chunks=2)


@pytest.mark.usefixtures("dask_backend")
def test_boolean_mask_assignment_of_an_unknown_length_value_is_lazy(dask_computes) -> None:
    base = np.arange(12.0).reshape(3, 4)
    y = pt.asarray(np.zeros((3, 4)))
    v = pt.asarray(base * 10)
    m = pt.asarray(base % 3 == 1)
    y[m] = v[m]
    assert dask_computes.calls == 0
    want = np.where(base % 3 == 1, base * 10, 0.0)
    np.testing.assert_array_equal(y.numpy(), want)
    assert dask_computes.calls == 1


@pytest.mark.usefixtures("dask_backend")
def test_boolean_mask_assignment_takes_values_in_order_from_another_mask() -> None:
    y = pt.asarray(np.zeros(6))
    src = pt.asarray(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    y[pt.asarray(np.array([True, False, True, False, False, True]))] = src[src > 3]
    np.testing.assert_array_equal(y.numpy(), [4.0, 0.0, 5.0, 0.0, 0.0, 6.0])


@pytest.mark.usefixtures("dask_backend")
def test_boolean_mask_assignment_with_too_few_values_says_so() -> None:
    y = pt.asarray(np.zeros(4))
    src = pt.asarray(np.array([1.0, 5.0, 6.0, 0.0]))
    y[pt.asarray(np.array([True, True, True, False]))] = src[src > 4]
    with pytest.raises(ValueError, match="the value must have the mask's count"):
        y.numpy()


# -- what the consumers call, differentiated ----------------------------------------------------
def test_bincount_weights_keep_their_gradient() -> None:
    # scikit-learn's multilabel_confusion_matrix sums sample weights with xp.bincount
    x = pt.asarray(np.array([0, 1, 1, 3]))
    w = pt.asarray(np.array([0.5, 1.0, 2.0, 3.0]), requires_grad=True)
    counts = pt.bincount(x, weights=w, minlength=6)
    np.testing.assert_array_equal(counts.detach().numpy(), [0.5, 3.0, 0.0, 3.0, 0.0, 0.0])
    (counts * pt.arange(6.0, dtype=pt.float64)).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 1.0, 1.0, 3.0])


def test_bincount_of_weights_that_require_grad_on_dask_says_how_to_count() -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not installed")
    with pt.use_backend("dask", chunks=2):
        x = pt.asarray(np.array([0, 1, 1, 3]))
        w = pt.asarray(np.array([0.5, 1.0, 2.0, 3.0]), requires_grad=True)
        with pytest.raises(
            NotImplementedError, match=r"weights that require grad.*x\.to\('numpy'\)"
        ):
            pt.bincount(x, weights=w)
        np.testing.assert_array_equal(pt.bincount(x, weights=w.detach()).numpy(), [0.5, 3, 0, 3])
    counts = pt.bincount(x.to("numpy"), weights=w.to("numpy"))  # (the way out the message gives)
    counts.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 1.0, 1.0, 1.0])


@pytest.mark.parametrize("backend", ["numpy", "dask"])
def test_a_value_overwritten_by_a_repeated_index_gets_no_gradient(backend: str) -> None:
    # NumPy keeps the last write to a repeated index: x[[0, 0, 1]] = v leaves v[0] unused, and
    # array-api-extra's at(x)[[0, 0]].add(1.0) reads, adds and writes back that way
    if pt.backends.available().get(backend) != "available":
        pytest.skip(f"{backend} is not installed")
    with pt.use_backend(backend):
        x = pt.asarray(np.array([1.0, 2.0, 3.0]), requires_grad=True)
        v = pt.asarray(np.array([10.0, 20.0, 30.0]), requires_grad=True)
        y = x * 1.0
        y[pt.asarray(np.array([0, 0, 1]))] = v
        np.testing.assert_array_equal(y.detach().numpy(), [20.0, 30.0, 3.0])
        (y * pt.asarray(np.array([1.0, 2.0, 3.0]))).sum().backward()
        np.testing.assert_array_equal(v.grad.numpy(), [0.0, 1.0, 2.0])
        np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 3.0])
        # a 0-d value written at repeated places of two axes: once a place
        s = pt.asarray(5.0, dtype=pt.float64, requires_grad=True)
        z = pt.zeros((2, 3), dtype=pt.float64) + 0.0 * s
        z[pt.asarray(np.array([1, 1, 0])), pt.asarray(np.array([2, 2, 2]))] = s
        (z * pt.asarray(np.arange(1.0, 7.0).reshape(2, 3))).sum().backward()
        assert s.grad.numpy() == 3.0 + 6.0


def test_median_with_axis_is_numpys_median_and_differentiates() -> None:
    # scikit-learn's median_absolute_error calls xp.median(x, axis=, keepdims=)
    a = np.array([[4.0, 1.0, 3.0, 2.0], [0.5, np.nan, 1.0, 2.0], [7.0, 5.0, 6.0, 9.0]])
    for axis, keepdims in [(1, False), (0, True), (None, False), ((0, 1), True)]:
        got = pt.median(pt.asarray(a), axis=axis, keepdims=keepdims)
        want = np.median(a, axis=axis, keepdims=keepdims)
        assert got.shape == want.shape
        np.testing.assert_array_equal(got.numpy(), want)
    x = pt.asarray(a[[0, 2]], requires_grad=True)
    pt.median(x, axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0, 0.5, 0.5], [0.5, 0, 0.5, 0]])
    assert pt.median(pt.asarray([1, 2, 3, 4]), axis=0).item() == 2.5  # (NumPy's: the mean)
    assert pt.median(pt.asarray([4.0, 1.0, 3.0, 2.0]), 0).values.item() == 2.0  # PyTorch's
    with pytest.raises(TypeError, match=r"dim=/keepdim=.*axis=/keepdims=.*not both"):
        pt.median(pt.asarray([1.0]), 0, axis=0)


def test_full_of_a_0d_tensor_takes_its_dtype_and_differentiates() -> None:
    # SciPy's elementwise iterations (scipy.differentiate, tanhsinh) call xp.full(shape, x0d)
    c = pt.asarray(0.5, dtype=pt.float64, requires_grad=True)
    y = pt.full((2, 3), c)
    assert y.dtype == pt.float64 and y.shape == (2, 3)
    (y * pt.arange(6.0, dtype=pt.float64).reshape(2, 3)).sum().backward()
    assert c.grad.item() == 15.0
    assert str(pt.full((2,), pt.asarray(-0.0)).numpy().tolist()) == "[-0.0, -0.0]"
    assert pt.full((2,), pt.asarray(7), dtype=pt.int32).tolist() == [7, 7]
    assert pt.full_like(pt.ones(3), pt.asarray(2.5, dtype=pt.float64)).dtype == pt.float32
    with pytest.raises(ValueError, match=r"number or a 0-d tensor; got a tensor of shape \(2,\)"):
        pt.full((2,), pt.asarray([1.0, 2.0]))
