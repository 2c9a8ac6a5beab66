"""``x.as_strided(size, stride, storage_offset)`` and ``pt.as_strided`` as torch's: values over
the memory of a tensor of its own and of views of it, gradients (overlapping elements add up),
changes in place that reach the memory where elements do not overlap (refused where they do),
and torch's errors, on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

OVERLAP = "more than one element of the written-to tensor refers to a single memory location"


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _start() -> np.ndarray:
    return np.arange(24.0).reshape(4, 6) + 1.0


def _lib_tensor(lib: Any, a: np.ndarray, **kw: Any) -> Any:
    return pt.tensor(a.copy(), **kw) if lib is pt else torch.tensor(a, **kw)


INPUTS = {  # what as_strided is taken of: a tensor of its own, views of it
    "own": lambda x: x,
    "rows": lambda x: x[1:],
    "t": lambda x: x.t(),
    "columns": lambda x: x[:, 2:],
    "t-row": lambda x: x.t()[3],
    "view": lambda x: x.view(6, 4)[1],
}
ARGS = {  # size, stride(, storage_offset)
    "windows": ((3, 4), (6, 1)),
    "sliding": ((5, 3), (2, 1)),  # (overlapping)
    "offset": ((2, 2), (1, 6), 7),
    "zero-stride": ((3, 2), (0, 1)),
    "one": ((1,), (5,)),
    "scalar": ((), (), 4),
    "empty": ((0, 3), (1, 1)),
}


@pytest.mark.parametrize("inp", list(INPUTS))
@pytest.mark.parametrize("args", list(ARGS))
def test_as_strided_values_are_torchs(backend: str, inp: str, args: str) -> None:
    got = []
    for lib in (pt, torch):
        x = INPUTS[inp](_lib_tensor(lib, _start()))
        got.append((_host(x.as_strided(*ARGS[args])), _host(lib.as_strided(x, *ARGS[args]))))
    assert got[0][0].shape == got[1][0].shape
    np.testing.assert_array_equal(got[0][0], got[1][0])
    np.testing.assert_array_equal(got[0][1], got[1][1])


@pytest.mark.parametrize("inp", ["own", "rows", "t"])
@pytest.mark.parametrize("args", ["windows", "sliding", "offset", "zero-stride"])
def test_as_strided_gradients_are_torchs(backend: str, inp: str, args: str) -> None:
    rng = np.random.default_rng(len(inp) + len(args))
    w0 = rng.standard_normal((4, 6))
    size = ARGS[args][0]
    r = rng.standard_normal(size)
    got = []
    for lib in (pt, torch):
        w = _lib_tensor(lib, w0, requires_grad=True)
        y = INPUTS[inp](w * 2.0).as_strided(*ARGS[args])
        (y * y * _lib_tensor(lib, r)).sum().backward()
        got.append(_host(w.grad))
    np.testing.assert_allclose(got[0], got[1], rtol=1e-12, atol=1e-12)


CHANGES = {
    "fill_": lambda u, lib: u.fill_(-2.0),
    "zero_": lambda u, lib: u.zero_(),
    "add_": lambda u, lib: u.add_(100.0),
    "copy_": lambda u, lib: u.copy_(lib.ones(tuple(u.shape), dtype=u.dtype) * -5.0),
    "setitem": lambda u, lib: u.__setitem__((..., 0), -7.0),
    "row-mul_": lambda u, lib: u[0].mul_(3.0),
}


@pytest.mark.parametrize("inp", ["own", "rows", "t"])
@pytest.mark.parametrize("args", ["windows", "offset", "one"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_of_an_as_strided_view_reaches_the_memory_as_torch(
    backend: str, inp: str, args: str, change: str
) -> None:
    got = []
    for lib in (pt, torch):
        x = _lib_tensor(lib, _start())
        u = INPUTS[inp](x).as_strided(*ARGS[args])
        CHANGES[change](u, lib)
        got.append((_host(x), _host(u)))
    np.testing.assert_array_equal(got[0][0], got[1][0])
    np.testing.assert_array_equal(got[0][1], got[1][1])


@pytest.mark.parametrize("change", ["add_", "copy_", "setitem"])
def test_a_change_of_a_zero_stride_as_strided_is_refused_as_torch(
    backend: str, change: str
) -> None:
    with pytest.raises(RuntimeError, match=OVERLAP):
        CHANGES[change](torch.tensor(_start()).as_strided((3, 2), (0, 1)), torch)
    x = pt.asarray(_start())
    with pytest.raises(RuntimeError, match=OVERLAP):
        CHANGES[change](x.as_strided((3, 2), (0, 1)), pt)
    np.testing.assert_array_equal(_host(x), _start())


@pytest.mark.parametrize("change", ["add_", "copy_", "row-mul_"])
def test_a_change_of_overlapping_as_strided_elements_is_refused(backend: str, change: str) -> None:
    # torch writes memory once per element there, in an order it does not specify; polytensor
    # refuses rather than differ (fill_ and zero_ of the view itself write one value)
    x = pt.asarray(_start())
    with pytest.raises(RuntimeError, match="overlap"):
        CHANGES[change](x.as_strided((5, 3), (2, 1)), pt)
    np.testing.assert_array_equal(_host(x), _start())
    x.as_strided((5, 3), (2, 1)).fill_(0.0)
    want = _start()
    want.reshape(-1)[:11] = 0.0
    np.testing.assert_array_equal(_host(x), want)


def test_gradients_through_a_changed_as_strided_view_are_torchs(backend: str) -> None:
    rng = np.random.default_rng(5)
    w0, r = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    got = []
    for lib in (pt, torch):
        w = _lib_tensor(lib, w0, requires_grad=True)
        y = w * 2.0
        u = y[1:].as_strided((2, 3), (1, 6), 2)
        u.mul_(u.detach() + 3.0)
        u[1].add_(y[0, :3] * 2.0)
        (y * _lib_tensor(lib, r)).sum().backward()
        got.append((_host(y), _host(w.grad)))
    np.testing.assert_allclose(got[0][0], got[1][0], rtol=1e-12)
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-12, atol=1e-12)


def test_a_change_of_the_memory_shows_in_an_as_strided_view(backend: str) -> None:
    got = []
    for lib in (pt, torch):
        x = lib.zeros((4, 6), dtype=lib.float64)
        u = x[1:].as_strided((3, 2), (1, 6))
        x.add_(_lib_tensor(lib, _start()))
        got.append(_host(u))
    np.testing.assert_array_equal(got[0], got[1])


BAD = {
    "out-of-bounds": ((5, 6), (6, 1)),
    "offset-out-of-bounds": ((2,), (1,), 23),
    "negative-stride": ((2,), (-1,)),
    "lengths-differ": ((2, 2), (1,)),
    "negative-size": ((-1,), (1,)),
}


@pytest.mark.parametrize("bad", list(BAD))
def test_as_strided_refuses_what_torch_refuses(backend: str, bad: str) -> None:
    with pytest.raises(RuntimeError) as want:
        torch.tensor(_start()).as_strided(*BAD[bad])
    with pytest.raises(RuntimeError) as got:
        pt.asarray(_start()).as_strided(*BAD[bad])
    if "bounds" in str(want.value):
        assert "out of bounds for storage of size 192" in str(got.value)


def test_as_strided_refuses_memory_it_cannot_describe() -> None:
    # NumPy's memory in Fortran order, shared by pt.from_numpy: not laid out as a tensor of
    # its own in torch (whose from_numpy keeps the strides): the message says what to do
    x = pt.from_numpy(np.asfortranarray(_start()))
    with pytest.raises(NotImplementedError, match=r"x\.contiguous\(\)"):
        x.as_strided((2,), (1,))
    np.testing.assert_array_equal(_host(x.contiguous().as_strided((2,), (6,))), [1.0, 7.0])


@pytest.mark.parametrize(
    "view",
    [
        lambda x: x.t(),
        lambda x: x[1:, ::2],
        lambda x: x.t()[1],
        lambda x: x[None, :, 1],
        lambda x: x.view(6, 4).t(),
        lambda x: x.diagonal(),
        lambda x: x.unfold(1, 2, 1),
        lambda x: x[:, :1].expand(2, 4, 5),
        lambda x: x.permute(1, 0)[::2, 1:].unsqueeze(1),
    ],
)
def test_the_strides_of_a_view_are_torchs(backend: str, view: Any) -> None:
    # (on Dask, which has none of its own, those of the view over its base laid out in C order)
    got = view(pt.zeros(4, 6))
    want = view(torch.zeros(4, 6))
    assert (got.stride(), got.storage_offset()) == (want.stride(), want.storage_offset())
