"""Backends are plug-ins: the registry, entry points, availability and third-party backends."""

from __future__ import annotations

import importlib.util
import os
from importlib.metadata import entry_points

import numpy as np
import pytest

import polytensor as pt
from polytensor.backends import Backend, BackendUnavailable

BUILT_INS = ("numpy", "dask", "cupy", "array_api_strict")


def test_available_lists_every_built_in_with_a_status() -> None:
    status = pt.backends.available()
    assert set(BUILT_INS) <= set(status)
    for name in BUILT_INS:
        assert isinstance(status[name], str) and status[name]
    assert status["numpy"] == "available"
    assert status["dask"] == "available"
    assert status["array_api_strict"] == "available"


def test_names_lists_every_built_in() -> None:
    assert set(BUILT_INS) <= set(pt.backends.names())


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="cupy is installed")
def test_cupy_without_cupy_is_unavailable_with_an_informative_reason() -> None:
    reason = pt.backends.available()["cupy"]
    assert reason != "available"
    # either reason is true here: the library is missing, and so is a GPU
    assert ("not installed" in reason and "cupy" in reason) or "no CUDA device" in reason
    with pytest.raises(BackendUnavailable, match=r"backend 'cupy' is unavailable"):
        pt.set_backend("cupy")


def test_cupy_is_available_or_says_why() -> None:
    reason = pt.backends.available()["cupy"]
    if reason != "available":
        assert "not installed" in reason or "CUDA" in reason
        with pytest.raises(BackendUnavailable, match="cupy"):
            pt.set_backend("cupy")
    else:  # pragma: no cover - only with a GPU
        assert any(str(d).startswith("cupy:cuda:") for d in pt.__array_namespace_info__().devices())


def test_built_ins_are_registered_through_the_entry_point_group() -> None:
    eps = {ep.name: ep for ep in entry_points(group="polytensor.backends")}
    assert set(BUILT_INS) <= set(eps)
    for name in BUILT_INS:
        ep = eps[name]
        assert ep.value == f"polytensor.backends.{name}:BACKEND"
        backend = ep.load()
        assert isinstance(backend, Backend)
        assert backend.name == name


def test_entry_point_objects_are_the_registered_backends() -> None:
    eps = {ep.name: ep for ep in entry_points(group="polytensor.backends")}
    for name in ("numpy", "dask", "array_api_strict"):
        assert pt.backends.get(name) is eps[name].load()


def test_get_returns_a_loaded_backend() -> None:
    b = pt.backends.get("numpy")
    assert b.name == "numpy"
    assert b.status() == (True, "available")
    assert b.lazy is False
    assert pt.backends.get("dask").lazy is True


def test_a_third_party_backend_works_once_registered(numpy2: Backend) -> None:
    assert pt.backends.available()["numpy2"] == "available"
    assert "numpy2" in pt.backends.names()
    with pt.use_backend("numpy2") as b:
        assert b is numpy2
        x = pt.asarray([1.0, 2.0])
        y = pt.exp(x) * 2
        s = pt.sum(x * x)
    assert x._backend is numpy2 and y._backend is numpy2
    assert str(x.device) == "numpy2:cpu"
    assert repr(x) == "tensor([1., 2.], backend='numpy2')"
    np.testing.assert_allclose(y.numpy(), 2 * np.exp([1.0, 2.0]), rtol=1e-6)
    assert s.item() == 5.0
    assert "numpy2:cpu" in [str(d) for d in pt.__array_namespace_info__().devices()]


def test_a_third_party_backend_moves_to_and_from_numpy(numpy2: Backend) -> None:
    x = pt.asarray([1.0, 2.0])
    y = x.to("numpy2")
    assert y._backend is numpy2
    z = y.to("numpy")
    assert z._backend.name == "numpy"
    np.testing.assert_array_equal(z.numpy(), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"numpy2.*numpy|numpy.*numpy2"):
        pt.add(x, y)


def test_set_backend_of_a_registered_backend_object(numpy2: Backend) -> None:
    assert pt.set_backend(numpy2) is numpy2
    assert pt.get_backend() is numpy2
    assert pt.ones(2)._backend is numpy2


def test_register_rejects_non_backends() -> None:
    with pytest.raises(TypeError, match="Backend"):
        pt.backends.register("numpy")  # type: ignore[arg-type]


def test_a_backend_whose_library_is_missing_is_unavailable_with_a_reason(
    missing_lib: Backend,
) -> None:
    reason = pt.backends.available()["missinglib"]
    assert reason != "available"
    assert "not installed" in reason
    assert "polytensor_test_library_that_does_not_exist" in reason
    assert missing_lib.status()[0] is False
    # the rest of polytensor still works
    assert pt.backends.available()["numpy"] == "available"
    assert pt.ones(2).shape == (2,)


def test_set_backend_of_a_missing_library_raises_backend_unavailable(missing_lib: Backend) -> None:
    with pytest.raises(BackendUnavailable, match="missinglib") as info:
        pt.set_backend("missinglib")
    assert isinstance(info.value, ImportError)
    assert "not installed" in str(info.value)
    assert pt.get_backend().name == "numpy"  # the failed selection changed nothing


def test_use_backend_of_a_missing_library_raises_backend_unavailable(missing_lib: Backend) -> None:
    with pytest.raises(ImportError, match="missinglib"), pt.use_backend("missinglib"):
        pass  # pragma: no cover
    assert pt.get_backend().name == "numpy"


def test_moving_to_a_missing_library_raises_backend_unavailable(missing_lib: Backend) -> None:
    with pytest.raises(BackendUnavailable, match="missinglib"):
        pt.ones(2).to("missinglib")
    with pytest.raises(BackendUnavailable, match="missinglib"):
        pt.asarray([1.0], device="missinglib")


def test_missing_library_hint_does_not_invent_a_polytensor_extra(missing_lib: Backend) -> None:
    # polytensor has extras for its built-ins only; a third-party backend's hint must not
    # tell users to `pip install 'polytensor[missinglib]'`, which does not exist.
    reason = pt.backends.available()["missinglib"]
    assert "polytensor[missinglib]" not in reason


def test_backend_unavailable_is_an_import_error() -> None:
    assert issubclass(BackendUnavailable, ImportError)
    assert pt.backends.BackendUnavailable is BackendUnavailable


def test_unknown_backend_name_raises_value_error_naming_the_registered_ones() -> None:
    with pytest.raises(ValueError, match="unknown backend 'nosuchbackend'") as info:
        pt.set_backend("nosuchbackend")
    for name in BUILT_INS:
        assert name in str(info.value)
    with pytest.raises(ValueError, match="nosuchbackend"), pt.use_backend("nosuchbackend"):
        pass  # pragma: no cover
    with pytest.raises(ValueError, match="nosuchbackend"):
        pt.backends.get("nosuchbackend")


def test_import_polytensor_imports_neither_dask_nor_cupy(run_python) -> None:
    code = (
        "import sys, polytensor\n"
        "print(*(m in sys.modules for m in ('dask', 'cupy', 'distributed', "
        "'array_api_strict')))"
    )
    for env in ({}, {"POLYTENSOR_BACKEND": "dask"}):
        proc = run_python(code, env=env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == ["False", "False", "False", "False"], env


def test_numpy_backend_does_not_import_dask(run_python) -> None:
    code = (
        "import sys, polytensor as pt\n"
        "x = pt.exp(pt.ones((2, 3))) @ pt.ones(3)\n"
        "print('dask' in sys.modules, 'cupy' in sys.modules)"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False"]


def test_resolve_before_first_use_gives_the_fixes_installed_when_the_library_loads() -> None:
    import array_api_compat.numpy as xp

    def fixed(x1: object, x2: object) -> object:
        return xp.floor_divide(x1, x2)

    overrides: dict[str, object] = {}

    def load() -> object:
        overrides["floor_divide"] = fixed  # (as the built-ins install their fixes)
        return xp

    assert Backend("loadsfixes", load, overrides=overrides).resolve("floor_divide") is fixed


def test_small_dask_arrays_compute_with_the_numpy_backends_fixes_in_a_dask_only_program(
    run_python,
) -> None:
    # The one-task path of small Dask arrays runs the NumPy backend's functions; in a program
    # that never uses the NumPy backend, those must still be its fixed ones.
    code = (
        "import polytensor as pt\n"
        "x = pt.asarray([1.0, -1.0])\n"
        "print((x // float('-inf')).tolist())\n"
        "try:\n"
        "    (pt.asarray([7, 7]) // pt.asarray([2, 0])).tolist()\n"
        "except RuntimeError as e:\n"
        "    print('ZeroDivisionError' in str(e))\n"
    )
    proc = run_python(code, env={"POLYTENSOR_BACKEND": "dask"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[:2] == ["[-0.0, 0.0]", "True"]


PLUGIN = """
from polytensor.backends import Backend


def _load():
    import array_api_compat.numpy as xp
    return xp


BACKEND = Backend("fakelib", _load)
NOT_A_BACKEND = object()
"""

ENTRY_POINTS = """[polytensor.backends]
fakelib = polytensor_fakelib:BACKEND
brokenlib = polytensor_brokenlib_missing_module:BACKEND
notabackend = polytensor_fakelib:NOT_A_BACKEND
"""


def test_an_installed_package_registers_a_backend_through_the_entry_point_group(
    tmp_path, run_python
) -> None:
    # A third-party package, installed the ordinary way: a module plus a dist-info whose
    # entry_points.txt names it in the `polytensor.backends` group.
    (tmp_path / "polytensor_fakelib.py").write_text(PLUGIN)
    dist = tmp_path / "polytensor_fakelib-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: polytensor-fakelib\nVersion: 0.1\n"
    )
    (dist / "entry_points.txt").write_text(ENTRY_POINTS)
    code = """
import polytensor as pt
status = pt.backends.available()
print("fakelib", status["fakelib"])
print("brokenlib", status["brokenlib"])
print("notabackend", status["notabackend"])
print("numpy", status["numpy"])
with pt.use_backend("fakelib"):
    x = pt.exp(pt.zeros(2))
print("tensor", repr(x))
for name in ("brokenlib", "notabackend"):
    try:
        pt.set_backend(name)
    except pt.backends.BackendUnavailable as e:
        print("error", name, e)
"""
    pythonpath = f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    proc = run_python(code, env={"PYTHONPATH": pythonpath})
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line)
    assert lines["fakelib"] == "available"
    assert lines["numpy"] == "available"  # a broken plug-in does not break polytensor
    assert "polytensor_brokenlib_missing_module" in lines["brokenlib"]
    assert "failed to load" in lines["brokenlib"]
    assert "not a polytensor Backend" in lines["notabackend"]
    assert lines["tensor"] == "tensor([1., 1.], backend='fakelib')"
    errors = [line for line in proc.stdout.splitlines() if line.startswith("error ")]
    assert len(errors) == 2
    assert "brokenlib" in errors[0] and "unavailable" in errors[0]
    assert "notabackend" in errors[1] and "unavailable" in errors[1]


def test_numpy_broadcast_of_a_0d_array_is_a_read_only_zero_stride_view() -> None:
    # the backend's own broadcast_to (a full reduction's cotangent in backward) makes the view in
    # C and still refuses what is not a shape, as the standard's function does
    bt = pt.backends.get("numpy").resolve("broadcast_to")
    one = np.asarray(np.float32(2.0))
    r = bt(one, (3, 4))
    assert r.shape == (3, 4) and r.strides == (0, 0) and not r.flags.writeable
    assert (r == 2.0).all() and r.dtype == np.float32
    with pytest.raises(ValueError, match="non-negative"):
        bt(one, (-1,))
    with pytest.raises(TypeError):
        bt(one, (2.0,))
