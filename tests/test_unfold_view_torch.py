"""``x.unfold(dimension, size, step)`` is a view, as PyTorch's: a change of it in place
reaches its base (where windows overlap, as PyTorch's does for the writes compared here), a
change of the base shows in it, and gradients through such a change are torch's, on every
available backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")


def _backends() -> list[Any]:
    params = []
    for name, status in sorted(pt.backends.available().items()):
        marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
        params.append(pytest.param(name, marks=marks, id=name))
    return params


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    """Each test runs once per backend; conftest.py restores the backend afterwards."""
    pt.set_backend(request.param)
    return str(request.param)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


CASES = [  # shape, dimension, size, step
    ((7,), 0, 2, 3),  # (gaps between the windows)
    ((6,), 0, 2, 2),
    ((3, 8), 1, 3, 3),
    ((5, 2, 3), 0, 2, 2),
    ((4, 6), -1, 4, 5),  # (one window)
]
OVERLAPPING = [((6,), 0, 3, 1), ((2, 7), 1, 3, 2)]
CHANGES = {
    "fill_": lambda u, lib: u.fill_(7.0),
    "zero_": lambda u, lib: u.zero_(),
    "add_": lambda u, lib: u.add_(1.5),
    "copy_": lambda u, lib: u.copy_(lib.arange(u.numel(), dtype=u.dtype).reshape(u.shape)),
    "setitem": lambda u, lib: u.__setitem__((..., 0), -3.0),
}


def _ids(case: Any) -> str:
    return f"{case[0]}-d{case[1]}-size{case[2]}-step{case[3]}"


def _start(shape: tuple[int, ...]) -> np.ndarray:
    return np.arange(float(np.prod(shape))).reshape(shape)


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_of_the_windows_reaches_their_base_as_torch(
    backend: str, case: Any, change: str
) -> None:
    shape, d, size, step = case
    got = []
    for lib in (pt, torch):
        x = lib.asarray(_start(shape)) if lib is pt else torch.tensor(_start(shape))
        u = x.unfold(d, size, step)
        CHANGES[change](u, lib)
        got.append((_host(x), _host(u)))
    np.testing.assert_array_equal(got[0][0], got[1][0])
    np.testing.assert_array_equal(got[0][1], got[1][1])


@pytest.mark.parametrize("case", OVERLAPPING, ids=_ids)
def test_filling_overlapping_windows_reaches_their_base_as_torch(backend: str, case: Any) -> None:
    shape, d, size, step = case
    got = []
    for lib in (pt, torch):
        x = lib.zeros(shape, dtype=lib.float64)
        x.unfold(d, size, step).fill_(2.0)
        got.append(_host(x))
    np.testing.assert_array_equal(got[0], got[1])


@pytest.mark.parametrize("case", CASES + OVERLAPPING, ids=_ids)
def test_a_change_of_the_base_shows_in_its_windows(backend: str, case: Any) -> None:
    shape, d, size, step = case
    got = []
    for lib in (pt, torch):
        x = lib.zeros(shape, dtype=lib.float64)
        u = x.unfold(d, size, step)
        x.add_(lib.asarray(_start(shape)) if lib is pt else torch.tensor(_start(shape)))
        got.append(_host(u))
    np.testing.assert_array_equal(got[0], got[1])


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_gradients_through_changed_windows_are_torchs(backend: str, case: Any) -> None:
    shape, d, size, step = case
    rng = np.random.default_rng(size + step)
    w0, r = rng.standard_normal(shape), rng.standard_normal(shape)
    got = []
    for lib in (pt, torch):
        w = lib.tensor(w0, requires_grad=True)
        y = w * 2.0
        u = y.unfold(d, size, step)
        u.mul_(u.detach() + 3.0)
        (y * lib.tensor(r)).sum().backward()
        got.append((_host(y), _host(w.grad)))
    np.testing.assert_allclose(got[0][0], got[1][0], rtol=1e-12)
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-12, atol=1e-12)
