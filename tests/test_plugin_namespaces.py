"""JAX and torch as backends from their array-API namespaces alone (``tests/plugins``): the
plug-in package registers ``pt.backends.from_namespace`` backends through the entry-point group,
and tensors on them compute, differentiate, and take in-place writes (JAX's arrays are immutable:
writes rebind, as on Dask). The conformance suite runs on them with ``make test-plugins``."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor.backends import Backend

PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins")


def _plugin(name: str) -> Backend:
    if PLUGINS not in sys.path:
        sys.path.insert(0, PLUGINS)
    import polytensor_xp_plugins

    return {"jax": polytensor_xp_plugins.JAX, "torch": polytensor_xp_plugins.TORCH}[name]


@pytest.fixture(params=["jax", "torch"])
def plugin(request: pytest.FixtureRequest, register: Callable[[Backend], Backend]) -> Backend:
    """The plug-in backend, registered for the test (skipped where its library is absent)."""
    pytest.importorskip(request.param)
    backend = _plugin(request.param)
    if request.param not in pt.backends.names():
        register(backend)
    ok, reason = backend.status()
    if not ok:
        pytest.skip(f"backend {request.param} is unavailable: {reason}")
    return backend


def test_entry_points_register_the_plugins_without_installing(run_python: Any) -> None:
    for library in ("jax", "torch"):  # found, not imported: the plug-ins load them lazily
        if importlib.util.find_spec(library) is None:
            pytest.skip(f"{library} is not installed")
    code = "import polytensor as pt; print(sorted(pt.backends.names()))"
    done = run_python(
        code, env={"PYTHONPATH": os.pathsep.join([os.path.dirname(PLUGINS), PLUGINS])}
    )
    assert done.returncode == 0, done.stderr
    assert "'jax'" in done.stdout and "'torch'" in done.stdout


def test_forward_and_backward_on_a_plugin_backend(plugin: Backend) -> None:
    with pt.use_backend(plugin.name):
        x = pt.asarray([0.5, -1.0, 2.0], dtype=pt.float64, requires_grad=True)
        w = pt.asarray([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]], dtype=pt.float64)
        y = pt.sum(pt.tanh(x @ w) ** 2)
    assert isinstance(y._data, plugin.array_type)
    y.backward()
    xn, wn = np.array([0.5, -1.0, 2.0]), w.numpy()
    t = np.tanh(xn @ wn)
    np.testing.assert_allclose(x.grad.numpy(), wn @ (2 * t * (1 - t**2)), rtol=1e-12)
    assert x.grad.device == x.device


def test_writes_into_a_plugin_tensor(plugin: Backend) -> None:
    with pt.use_backend(plugin.name):
        x = pt.zeros(3, dtype=pt.float64)
        before = x._data
        x[1] = 5.0
        x += 1.0
    np.testing.assert_array_equal(x.numpy(), [1.0, 6.0, 1.0])
    if not plugin.mutable:  # JAX: a new array, the old one unchanged
        assert x._data is not before
        np.testing.assert_array_equal(np.asarray(before), [0.0, 0.0, 0.0])


def test_jax_arrays_are_immutable_and_torchs_are_not(plugin: Backend) -> None:
    assert plugin.mutable is (plugin.name == "torch")
    assert not plugin.lazy


def test_transforms_hand_back_the_plugins_own_arrays(plugin: Backend) -> None:
    native = plugin.xp.asarray([0.3, 1.2], dtype=plugin.xp.float64)
    g = pt.func.grad(lambda x: pt.sum(pt.sin(x) * x))(native)
    assert isinstance(g, plugin.array_type)
    xn = np.array([0.3, 1.2])
    np.testing.assert_allclose(plugin.to_numpy(g), np.cos(xn) * xn + np.sin(xn), rtol=1e-12)


def test_a_plugin_array_with_a_numpy_tensor_names_both(plugin: Backend) -> None:
    native = plugin.xp.asarray([1.0, 2.0], dtype=plugin.xp.float64)
    with pytest.raises(
        ValueError,
        match=rf"two backends: a Tensor of the numpy backend and a {plugin.name} array .*"
        rf'x\.to\("{plugin.name}"\)',
    ):
        pt.func.grad(lambda x, y: pt.sum(x * y))(pt.asarray([1.0, 2.0]), native)


def test_from_namespace_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match=r"expects a backend name"):
        pt.backends.from_namespace("", lambda: np)
    with pytest.raises(TypeError, match=r"expects loader to be a function"):
        pt.backends.from_namespace("mine", np)  # type: ignore[arg-type]
