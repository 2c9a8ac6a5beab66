"""Selecting a backend: environment variable, set_backend, use_backend, context-locality,
backend options, and tensors that keep their own backend."""

from __future__ import annotations

import asyncio
import os
import threading

import numpy as np
import pytest

import polytensor as pt


def _env_default() -> str:
    return os.environ.get("POLYTENSOR_BACKEND", "").strip() or "numpy"


# -- POLYTENSOR_BACKEND ---------------------------------------------------------------------------
SHOW = (
    "import polytensor as pt\n"
    "x = pt.ones(2)\n"
    "print(pt.get_backend().name, x._backend.name, x.device)"
)


def test_default_backend_without_env_var_is_numpy(run_python) -> None:
    proc = run_python(SHOW)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["numpy", "numpy", "numpy:cpu"]


@pytest.mark.parametrize(
    ("name", "device"),
    [
        ("numpy", "numpy:cpu"),
        ("dask", "dask:cpu"),
        ("array_api_strict", "array_api_strict:CPU_DEVICE"),
    ],
)
def test_env_var_selects_the_backend(run_python, name: str, device: str) -> None:
    proc = run_python(SHOW, env={"POLYTENSOR_BACKEND": name})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [name, name, device]


def test_env_var_with_unknown_backend_raises_value_error_naming_the_variable(run_python) -> None:
    code = (
        "import polytensor as pt\n"
        "try:\n"
        "    pt.ones(2)\n"
        "except ValueError as e:\n"
        "    print('ValueError:', e)\n"
    )
    proc = run_python(code, env={"POLYTENSOR_BACKEND": "nosuchbackend"})
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("ValueError:")
    assert "POLYTENSOR_BACKEND" in out and "nosuchbackend" in out
    assert "numpy" in out and "dask" in out  # names the registered backends


def test_env_var_default_is_overridden_by_set_backend_and_use_backend(run_python) -> None:
    code = (
        "import polytensor as pt\n"
        "a = pt.ones(1)._backend.name\n"
        "with pt.use_backend('numpy'):\n"
        "    b = pt.ones(1)._backend.name\n"
        "c = pt.ones(1)._backend.name\n"
        "pt.set_backend('array_api_strict')\n"
        "d = pt.ones(1)._backend.name\n"
        "print(a, b, c, d)"
    )
    proc = run_python(code, env={"POLYTENSOR_BACKEND": "dask"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["dask", "numpy", "dask", "array_api_strict"]


def test_new_threads_start_from_the_env_var_backend(run_python) -> None:
    code = (
        "import threading, polytensor as pt\n"
        "pt.set_backend('numpy')\n"
        "seen = []\n"
        "t = threading.Thread(target=lambda: seen.append(pt.ones(1)._backend.name))\n"
        "t.start(); t.join()\n"
        "print(pt.get_backend().name, *seen)"
    )
    proc = run_python(code, env={"POLYTENSOR_BACKEND": "dask"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["numpy", "dask"]


# -- set_backend / use_backend --------------------------------------------------------------------
def test_set_backend_changes_where_new_tensors_are_created() -> None:
    b = pt.set_backend("dask")
    assert b.name == "dask"
    assert pt.get_backend() is b
    x = pt.ones(3)
    assert x._backend.name == "dask"
    assert str(x.device) == "dask:cpu"
    pt.set_backend("numpy")
    assert pt.ones(3)._backend.name == "numpy"


def test_use_backend_nests_and_restores() -> None:
    assert pt.get_backend().name == "numpy"
    with pt.use_backend("dask") as outer:
        assert outer.name == "dask"
        assert pt.get_backend() is outer
        with pt.use_backend("array_api_strict") as inner:
            assert pt.get_backend() is inner
            assert pt.zeros(1)._backend.name == "array_api_strict"
            with pt.use_backend("numpy"):
                assert pt.zeros(1)._backend.name == "numpy"
            assert pt.get_backend() is inner
        assert pt.get_backend() is outer
        assert pt.zeros(1)._backend.name == "dask"
    assert pt.get_backend().name == "numpy"


def test_use_backend_restores_after_an_exception() -> None:
    with pytest.raises(RuntimeError, match="boom"), pt.use_backend("dask"):
        raise RuntimeError("boom")
    assert pt.get_backend().name == "numpy"


def test_set_backend_inside_use_backend_ends_with_the_block() -> None:
    with pt.use_backend("dask"):
        pt.set_backend("array_api_strict")
        assert pt.get_backend().name == "array_api_strict"
    assert pt.get_backend().name == "numpy"


# -- context-locality -----------------------------------------------------------------------------
def test_threads_each_see_their_own_backend() -> None:
    pt.set_backend("dask")  # the main thread's choice does not leak into new threads
    names = ("numpy", "dask", "array_api_strict")
    barrier = threading.Barrier(len(names))
    seen: dict[str, object] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            seen[name + ":default"] = pt.get_backend().name
            with pt.use_backend(name):
                barrier.wait(timeout=10)  # all threads are inside their blocks at once
                x = pt.ones(2)
                barrier.wait(timeout=10)
                seen[name] = (pt.get_backend().name, x._backend.name)
        except BaseException as e:  # noqa: BLE001  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    for n in names:
        assert seen[n] == (n, n)
        assert seen[n + ":default"] == _env_default()
    assert pt.get_backend().name == "dask"


def test_set_backend_in_a_thread_does_not_change_other_threads() -> None:
    seen: list[str] = []

    def work() -> None:
        pt.set_backend("array_api_strict")
        seen.append(pt.ones(1)._backend.name)

    t = threading.Thread(target=work)
    t.start()
    t.join(timeout=30)
    assert seen == ["array_api_strict"]
    assert pt.get_backend().name == "numpy"


def test_asyncio_tasks_each_see_their_own_backend() -> None:
    async def task(name: str) -> list[str]:
        seen = []
        with pt.use_backend(name):
            for _ in range(3):
                await asyncio.sleep(0)  # let the other tasks run inside their own blocks
                seen.append(pt.get_backend().name)
                seen.append(pt.ones(1)._backend.name)
        seen.append(pt.get_backend().name)
        return seen

    async def main() -> list[list[str]]:
        return await asyncio.gather(task("numpy"), task("dask"), task("array_api_strict"))

    results = asyncio.run(main())
    for name, seen in zip(("numpy", "dask", "array_api_strict"), results, strict=True):
        assert seen[:-1] == [name] * 6
        assert seen[-1] == "numpy"
    assert pt.get_backend().name == "numpy"


# -- options --------------------------------------------------------------------------------------
def test_options_reach_the_backend() -> None:
    with pt.use_backend("dask", chunks=2) as b:
        assert b.options == {"chunks": 2}
        assert pt.ones(6)._data.chunks == ((2, 2, 2),)
        assert pt.arange(6)._data.chunks == ((2, 2, 2),)
        assert pt.asarray(np.arange(6.0))._data.chunks == ((2, 2, 2),)
        assert pt.asarray([1.0, 2.0, 3.0, 4.0])._data.chunks == ((2, 2),)
    b = pt.set_backend("dask", chunks=3)
    assert pt.zeros(6)._data.chunks == ((3, 3),)
    assert b.options == {"chunks": 3}


def test_options_do_not_change_the_plain_backend() -> None:
    with pt.use_backend("dask", chunks=2):
        pass
    assert pt.backends.get("dask").options == {}
    with pt.use_backend("dask"):
        assert pt.ones(6)._data.chunks == ((6,),)


def test_to_dask_inside_a_configured_dask_block_uses_its_chunks() -> None:
    # DESIGN: the dask option `chunks` says how host data is split by from_numpy/to("dask");
    # inside `use_backend("dask", chunks=2)`, x.to("dask") should use that configuration.
    x = pt.arange(6)
    with pt.use_backend("dask", chunks=2):
        assert x.to("dask")._data.chunks == ((2, 2, 2),)


def test_unknown_option_raises_type_error_naming_it_and_the_accepted_ones() -> None:
    with (
        pytest.raises(TypeError, match=r"'dask'.*unknown option.*chunkz.*chunks"),
        pt.use_backend("dask", chunkz=2),
    ):
        pass  # pragma: no cover
    with pytest.raises(TypeError, match="chunkz"):
        pt.set_backend("dask", chunkz=2)
    with pytest.raises(TypeError, match=r"'numpy'.*chunks"):
        pt.set_backend("numpy", chunks=2)
    assert pt.get_backend().name == "numpy"


# -- tensors keep their backend -------------------------------------------------------------------
def test_every_tensor_remembers_its_backend_after_the_context_exits() -> None:
    with pt.use_backend("dask", chunks=2):
        d = pt.ones(6)
    with pt.use_backend("array_api_strict"):
        s = pt.ones(3)
    n = pt.ones(3)
    assert d._backend.name == "dask" and str(d.device) == "dask:cpu"
    assert s._backend.name == "array_api_strict"
    assert n._backend.name == "numpy"
    # results of ops follow their inputs, not the current backend
    assert (d + 1)._backend.name == "dask"
    assert pt.exp(d)._backend.name == "dask"
    assert pt.sum(s * s)._backend.name == "array_api_strict"
    # *_like creation keeps the backend and its options
    z = pt.zeros_like(d)
    assert z._backend.name == "dask" and z._data.chunks == ((2, 2, 2),)
    assert (d * 2)._data.chunks == ((2, 2, 2),)
    np.testing.assert_array_equal(d.numpy(), np.ones(6, dtype=np.float32))
    np.testing.assert_array_equal(s.numpy(), np.ones(3, dtype=np.float32))
