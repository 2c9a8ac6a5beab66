"""Integer ``//``, ``%``, ``fmod`` and ``div(rounding_mode=)`` by zero raise PyTorch's CPU
``RuntimeError`` ("ZeroDivisionError") on the eager CPU backends, where NumPy gives 0 (the
standard leaves integer division by zero to the library); floating-point division by zero
keeps its inf and nan, and an empty result divides nothing. On Dask the divisor is unknown
until computed: the graph stays lazy, and computing it raises."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402

EAGER = [
    pytest.param(name, id=name, marks=[] if ok == "available" else [pytest.mark.skip(reason=ok)])
    for name, ok in sorted(pt.backends.available().items())
    if name in ("numpy", "array_api_strict")
]

# (lib, a, b): a and b are int64 tensors of the library
CALLS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "a // b": lambda m, a, b: a // b,
    "a % b": lambda m, a, b: a % b,
    "floor_divide": lambda m, a, b: m.floor_divide(a, b),
    "remainder": lambda m, a, b: m.remainder(a, b),
    "fmod": lambda m, a, b: m.fmod(a, b),
    "div floor": lambda m, a, b: m.div(a, b, rounding_mode="floor"),
    "div trunc": lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    "a // 0": lambda m, a, b: a // 0,
    "a % 0": lambda m, a, b: a % 0,
    "fmod(a, 0)": lambda m, a, b: m.fmod(a, 0),
    "7 // b": lambda m, a, b: 7 // b,
    "7 % b": lambda m, a, b: 7 % b,
    "a //= b": lambda m, a, b: a.__ifloordiv__(b),
    "a %= b": lambda m, a, b: a.__imod__(b),
    "a.floor_divide_(b)": lambda m, a, b: a.floor_divide_(b),
    "a.remainder_(b)": lambda m, a, b: a.remainder_(b),
    "a.fmod_(b)": lambda m, a, b: a.fmod_(b),
    "uint8": lambda m, a, b: a.to(m.uint8) // b.to(m.uint8),
    "0-d": lambda m, a, b: a[0] // b[1],
}


def _outcome(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - the class is compared below
        return e


@pytest.mark.parametrize("backend", EAGER)
@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_integer_division_by_zero_raises_as_torch(backend: str, call: str) -> None:
    pt.set_backend(backend)
    a, b = np.array([7, -7, 5]), np.array([2, 0, -3])
    fn = CALLS[call]
    want = _outcome(lambda: fn(torch, torch.tensor(a), torch.tensor(b)))
    assert isinstance(want, RuntimeError) and "ZeroDivisionError" in str(want)
    with pytest.raises(RuntimeError, match="ZeroDivisionError: integer division by zero"):
        fn(pt, pt.asarray(a), pt.asarray(b))


@pytest.mark.parametrize("backend", EAGER)
@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_nonzero_integer_divisors_and_floats_by_zero_give_torchs_values(
    backend: str, call: str
) -> None:
    pt.set_backend(backend)
    a, b = np.array([7, -7, 5]), np.array([2, 3, -3])
    fn = CALLS[call]
    if "0" not in call:  # (a literal zero divisor: an integer one only below, as floats)
        want = fn(torch, torch.tensor(a), torch.tensor(b))
        got = fn(pt, pt.asarray(a.copy()), pt.asarray(b))
        assert got.dtype.name == str(want.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(host(got), host(want))
    fa, fb = a.astype(np.float64), np.array([2.0, 0.0, -0.0])
    if "uint8" in call or "7 " in call:
        return
    want = fn(torch, torch.tensor(fa), torch.tensor(fb))
    with np.errstate(all="ignore"):
        got = fn(pt, pt.asarray(fa.copy()), pt.asarray(fb))
    np.testing.assert_array_equal(host(got), host(want))


@pytest.mark.parametrize("backend", EAGER)
def test_empty_integer_results_divide_nothing(backend: str) -> None:
    pt.set_backend(backend)
    e = pt.zeros((0, 3), dtype=pt.int64)
    want = torch.zeros(0, 3, dtype=torch.int64) // torch.tensor([1, 0, 2])
    assert tuple((e // pt.asarray([1, 0, 2])).shape) == tuple(want.shape) == (0, 3)
    assert tuple((e % 0).shape) == (0, 3)


@pytest.mark.parametrize("backend", EAGER)
def test_large_integer_divisors_are_checked_too(backend: str) -> None:
    pt.set_backend(backend)
    b = pt.arange(1, 10_001)
    a = b * 3
    np.testing.assert_array_equal(host(a // b), np.full(10_000, 3))
    b = pt.where(pt.arange(10_000) == 9_999, 0, b)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a // b
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a % b


def test_dask_integer_division_by_zero_stays_lazy_and_raises_when_computed(
    dask_computes: Any,
) -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not available")
    pt.set_backend("dask")
    q = pt.asarray([7, -7]) // pt.asarray([2, 0])
    r = pt.asarray([7, -7]) % 3
    assert dask_computes.calls == 0
    np.testing.assert_array_equal(host(r), [1, 2])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        host(q)
