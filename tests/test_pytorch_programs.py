"""PyTorch programs run unchanged with ``import polytensor as torch``, on every backend, and give
PyTorch's numbers.

The programs live in ``tests/pytorch_programs/``: the code blocks of the tutorial notes users
learned from (``seeds.py``) and the programs of PyTorch's beginner tutorials (``tutorials.py``).
Each runs with polytensor as ``torch`` on every available backend and, where torch is
installed, again with real torch from the same NumPy inputs; every result is compared.

The one difference allowed is the one that cannot be removed: a tensor and its ``numpy()``
share memory only on the NumPy backend, so results marked ``numpy_only`` are compared there
only. A program that uses a feature this checkout lacks is a strict xfail naming the feature.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pytorch_programs import PROGRAMS, Program

import polytensor as pt

try:
    import torch as real_torch
except ImportError:  # pragma: no cover - torch is the reference, not a dependency
    real_torch = None


_AVAILABLE = [b for b, s in pt.backends.available().items() if s == "available"]


def _cases() -> list[Any]:
    """(backend, program) pairs: skipped where the backend is unavailable, strict xfails where
    the program needs a feature this checkout lacks, marked slow where it takes minutes."""
    params = []
    for backend, status in sorted(pt.backends.available().items()):
        for name, prog in PROGRAMS.items():
            marks: list[Any] = []
            if status != "available":
                marks.append(pytest.mark.skip(reason=f"{backend}: {status}"))
            if prog.needs:
                marks.append(pytest.mark.xfail(strict=True, reason=f"needs {prog.needs}"))
            if backend in prog.slow_on:
                marks.append(pytest.mark.slow)
            params.append(pytest.param(backend, prog, marks=marks, id=f"{backend}-{name}"))
    return params


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Any:
    """One torch thread: on a busy machine thread pools make these small programs slower."""
    if real_torch is None:
        yield
        return
    threads = real_torch.get_num_threads()
    real_torch.set_num_threads(1)
    yield
    real_torch.set_num_threads(threads)


_DTYPES: tuple[type, ...] = (type(pt.float32),) + (
    (real_torch.dtype,) if real_torch is not None else ()
)


def normalise(v: Any) -> Any:
    """A result of either library as plain Python / NumPy values."""
    if isinstance(v, _DTYPES):
        return ("dtype", str(v).rsplit(".", 1)[-1])
    if hasattr(v, "detach") and hasattr(v, "shape"):
        return np.asarray(v.detach().numpy()).copy()
    if isinstance(v, dict):
        return {k: normalise(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [normalise(x) for x in v]
    return v


def assert_same(got: Any, want: Any, where: str, prog: Program) -> None:
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray), f"{where}: got {type(got).__name__}, not an array"
        assert got.shape == want.shape, f"{where}: shape {got.shape} != {want.shape}"
        assert got.dtype == want.dtype, f"{where}: dtype {got.dtype} != {want.dtype}"
        if got.dtype.kind in "fc":
            np.testing.assert_allclose(got, want, rtol=prog.rtol, atol=prog.atol, err_msg=where)
        else:
            np.testing.assert_array_equal(got, want, err_msg=where)
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), f"{where}: keys differ"
        for k in want:
            assert_same(got[k], want[k], f"{where}[{k!r}]", prog)
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: {got} != {want}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{i}]", prog)
    elif isinstance(want, float) and not isinstance(want, bool):
        assert isinstance(got, float), f"{where}: got {got!r}, expected a float"
        assert math.isclose(got, want, rel_tol=prog.rtol, abs_tol=prog.atol), (
            f"{where}: {got} != {want}"
        )
    else:
        assert type(got) is type(want) and got == want, f"{where}: {got!r} != {want!r}"


def run(prog: Program, lib: Any, tmp: Path) -> dict[str, Any]:
    tmp.mkdir(parents=True, exist_ok=True)
    data = {k: v.copy() for k, v in prog.data().items()}
    # (a program's process-wide settings, torch.use_deterministic_algorithms(True) in the GAN
    # tutorial, are undone after it: later tests call torch's nondeterministic kernels)
    deterministic = lib.are_deterministic_algorithms_enabled()
    try:
        result = prog.fn(lib, data, tmp)
    finally:
        lib.use_deterministic_algorithms(deterministic)
    assert isinstance(result, dict) and result, f"{prog.name} returned nothing to compare"
    return normalise(result)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("backend", "prog"), _cases())
def test_program_runs_unchanged_and_matches_torch(
    backend: str, prog: Program, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend in prog.slow_on and "slow" not in (request.config.option.markexpr or ""):
        pytest.skip(
            f"{prog.name} takes minutes on {backend} (each number it reads is computed at "
            f"once); run it with -m slow (make test-slow)"
        )
    pt.set_backend(backend)
    got = run(prog, pt, tmp_path / "polytensor")
    if real_torch is None:
        pytest.skip("torch is not installed: the program ran on polytensor, not compared")
    with warnings.catch_warnings():
        # torch's own advice, once per process, when a program (the book's train_epoch_ch3)
        # takes float() of a loss that requires grad; polytensor gives the value silently
        warnings.filterwarnings("ignore", "Converting a tensor with requires_grad=True")
        # torch's note, for a sequence-first nn.TransformerEncoder, that its nested-tensor
        # inference fast path is off (polytensor has no such path, and says nothing)
        warnings.filterwarnings("ignore", "enable_nested_tensor is True")
        want = run(prog, real_torch, tmp_path / "torch")
    assert list(got) == list(want)
    for key in want:
        if key in prog.numpy_only and backend != "numpy":
            continue  # memory shared with numpy() exists only on the NumPy backend
        assert_same(got[key], want[key], f"{prog.name}: {key!r}", prog)


@pytest.mark.parametrize("backend", [b for b in ("dask", "array_api_strict") if b in _AVAILABLE])
def test_the_allowed_difference_is_numpy_sharing_memory_only_on_numpy(
    backend: str, tmp_path: Path
) -> None:
    """On NumPy, ``t.numpy()`` and ``from_numpy(a)`` share memory as torch's do, so a later
    in-place change of one shows in the other; on another backend they are copies and keep the
    old values. (A view of a tensor, ``row = t[0]``, shows the tensor's later in-place changes
    on every backend: the tutorial's ``tut_tensors`` compares it everywhere.)"""
    for name in ("seed001_numpy_bridge", "tut_tensors_numpy_bridge"):
        prog = PROGRAMS[name]
        assert prog.numpy_only
        shared = run(prog, pt, tmp_path)
        with pt.use_backend(backend):
            copied = run(prog, pt, tmp_path)
        for k in prog.numpy_only:
            assert not np.array_equal(shared[k], copied[k]), (name, k)
        assert all(np.all(shared[k] == 2) for k in prog.numpy_only), name
        assert all(np.all(copied[k] == 1) for k in prog.numpy_only), name
