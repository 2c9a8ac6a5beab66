"""``x.conj()`` (``pt.conj``, ``x.mH``, ``x.H``, ``x.adjoint()``) of a complex tensor is a
view, as torch's (its conjugate bit): a change of it in place reaches ``x`` conjugated, a
change of ``x`` shows in it, with torch's values and float64 gradients, on every backend
(before, the change reached nothing); ``x.conj_physical()`` is a copy, as torch's;
``is_conj``/``resolve_conj`` as torch's; ``pt.view_as_real`` / ``pt.view_as_complex`` are
views with torch's values, gradients and errors. A conjugate's ``detach()`` and ``.data`` keep
its bit and a change of them reaches ``x`` (before, it was lost), its ``numpy()`` is refused
as torch's, and backward refuses a node that saved a view holding memory of its own once the
memory its values came from was overwritten (before, it gave the gradient of the old values)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")


def _host(t: Any) -> np.ndarray:
    if hasattr(t, "resolve_neg"):  # (torch: a negative bit, x.conj().imag)
        t = t.resolve_neg()
    return np.array(t.detach().resolve_conj().numpy() if hasattr(t, "detach") else t)


def _lib(x: Any) -> Any:
    return pt if isinstance(x, pt.Tensor) else torch


def _new(lib: Any, a: np.ndarray, requires_grad: bool = False) -> Any:
    if lib is pt:
        return pt.asarray(a.copy(), requires_grad=requires_grad)
    return torch.tensor(a.copy(), requires_grad=requires_grad)


START = (np.arange(12.0).reshape(3, 4) * (1 - 2j) + 0.5j).astype(np.complex128)

VIEWS: dict[str, Any] = {  # of a (3, 4) complex tensor
    "x.conj": lambda x: x.conj(),
    "conj": lambda x: _lib(x).conj(x),
    "x.mH": lambda x: x.mH,
    "x.H": lambda x: x.H,
    "x.adjoint": lambda x: x.adjoint(),
    "adjoint": lambda x: _lib(x).adjoint(x),
    "x.conj()[1]": lambda x: x.conj()[1],
    "x[1:].conj()": lambda x: x[1:].conj(),
    "x.t().conj()[:, 1]": lambda x: x.t().conj()[:, 1],
    "x.conj().conj()": lambda x: x.conj().conj(),
    "x.conj().real": lambda x: x.conj().real,
    "x.conj().imag": lambda x: x.conj().imag,
    "x.mH.diagonal": lambda x: x.mH.diagonal(),
    "x.conj_physical": lambda x: x.conj_physical(),
    "conj_physical": lambda x: _lib(x).conj_physical(x),
    "x.conj().resolve_conj": lambda x: x.conj().resolve_conj(),
}
CHANGES = {
    "add_": lambda y: y.add_(1j if y.is_complex() else 1.0),
    "sub_": lambda y: y.sub_(2.0 - 1j if y.is_complex() else 2.0),
    "mul_": lambda y: y.mul_(3.0),
    "fill_": lambda y: y.fill_(-2j if y.is_complex() else -2.0),
    "zero_": lambda y: y.zero_(),
    "copy_": lambda y: y.copy_(
        _lib(y).ones(y.shape, dtype=y.dtype) * (2 + 1j if y.is_complex() else 2)
    ),
    "setitem": lambda y: y.__setitem__(0, 5j if y.is_complex() else 5.0),
    "iadd": lambda y: y.__iadd__(1 + 1j if y.is_complex() else 1.0),
    "row of it": lambda y: y[-1].mul_(-1),
}


def _outcome(lib: Any, view: str, change: str) -> Any:
    x = _new(lib, START)
    y = VIEWS[view](x)
    CHANGES[change](y)
    return _host(x), _host(y)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_of_a_conjugate_reaches_its_base_as_torch(
    backend: str, view: str, change: str
) -> None:
    got, want = _outcome(pt, view, change), _outcome(torch, view, change)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


BASE_CHANGES = {
    "add_": lambda x: x.add_(1 + 1j),
    "setitem": lambda x: x.__setitem__((1, 2), 7j),
    "row of it": lambda x: x[2].mul_(2j),
    "copy_": lambda x: x.copy_(x * 1j),
}


@pytest.mark.parametrize("view", ["x.conj", "x.mH", "x.conj()[1]", "x.conj().conj()"])
@pytest.mark.parametrize("change", list(BASE_CHANGES))
def test_a_change_of_the_base_shows_in_its_conjugate_as_torch(
    backend: str, view: str, change: str
) -> None:
    results = []
    for lib in (pt, torch):
        x = _new(lib, START)
        y = VIEWS[view](x)
        before = _host(y)
        BASE_CHANGES[change](x)
        results.append((before, _host(y), _host(x)))
    for got, want in zip(results[0], results[1], strict=True):
        np.testing.assert_array_equal(got, want)


GRAD_VIEWS = ["x.conj", "x.mH", "x.conj()[1]", "x.conj().real", "x.conj().imag", "x.conj().conj()"]


@pytest.mark.parametrize("view", GRAD_VIEWS)
def test_gradients_through_a_changed_conjugate_are_torchs(backend: str, view: str) -> None:
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    r = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    grads, values = [], []
    for lib in (pt, torch):
        w = _new(lib, w0, requires_grad=True)
        y = w * (2 - 1j)
        v = VIEWS[view](y)
        v.mul_(v.detach() + 3.0)  # (the new values depend on the old ones, in the graph)
        v.add_(VIEWS[view](w) ** 2)  # (and on the leaf's conjugate, read)
        loss = (y * _new(lib, r)).real.sum() + (v * v.detach()).abs().sum()
        loss.backward()
        grads.append(_host(w.grad))
        values.append(_host(y))
    np.testing.assert_allclose(values[0], values[1], rtol=1e-12)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, atol=1e-12)


def test_the_conjugate_of_a_leaf_refuses_a_change_with_grad_on_as_torch(backend: str) -> None:
    for lib in (pt, torch):
        w = _new(lib, START, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"leaf|view"):
            w.conj().add_(1.0)
        with lib.no_grad():
            w.conj().mul_(2.0)
        np.testing.assert_array_equal(_host(w), START * 2)


def test_conj_bit_and_resolve_conj_are_torchs(backend: str) -> None:
    for lib in (pt, torch):
        x = _new(lib, START)
        real = _new(lib, np.arange(3.0))
        assert x.conj().is_conj() and x.mH.is_conj() and x.conj()[0].is_conj()
        assert not x.is_conj() and not x.conj().conj().is_conj()
        assert not x.conj_physical().is_conj() and not (x.conj() * 1).is_conj()
        assert lib.is_conj(x.conj()) and not lib.is_conj(x)
        r = x.conj().resolve_conj()
        assert not r.is_conj() and lib.resolve_conj(x) is x and x.resolve_conj() is x
        r.add_(1.0)
        np.testing.assert_array_equal(_host(x), START)
        # a real tensor's conjugate is the tensor itself
        assert real.conj() is real
        lib.conj(real).add_(1.0)  # (torch's is real itself; here a view of all of it)
        np.testing.assert_array_equal(_host(real), np.arange(1.0, 4.0))
        assert real.conj_physical() is real and lib.conj_physical(real) is real
        assert not real.conj().is_conj() and real.resolve_conj() is real


def test_conj_physical_in_place_is_torchs(backend: str) -> None:
    out = []
    for lib in (pt, torch):
        x = _new(lib, START)
        assert x.conj_physical_() is x
        x[0].conj_physical_()
        out.append(_host(x))
    np.testing.assert_array_equal(out[0], out[1])


def test_the_conjugate_of_a_dask_tensor_stays_lazy(dask_computes: Any) -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not available")
    pt.set_backend("dask")
    x = pt.asarray(START.copy())
    y = x.mH
    y.add_(1j)
    x.conj()[0].mul_(2)
    pt.view_as_real(x)[..., 1].add_(1.0)
    assert dask_computes.calls == 0
    assert type(x._data).__module__.startswith("dask"), type(x._data)
    want = START.copy()
    want += np.conj(1j)
    want[0] *= 2
    want += 1j
    np.testing.assert_array_equal(x.numpy(), want)


# -- view_as_real / view_as_complex -----------------------------------------------------------

REAL_VIEWS: dict[str, Any] = {
    "view_as_real": lambda x: _lib(x).view_as_real(x),
    "view_as_real of a row": lambda x: _lib(x).view_as_real(x[1]),
    "view_as_real of a column": lambda x: _lib(x).view_as_real(x[:, 2]),
    "view_as_real of a transpose": lambda x: _lib(x).view_as_real(x.t()),
    "view_as_real of 0-d": lambda x: _lib(x).view_as_real(x[1, 1]),
    "view_as_real, its imaginary parts": lambda x: _lib(x).view_as_real(x)[..., 1],
    "round trip": lambda x: _lib(x).view_as_complex(_lib(x).view_as_real(x)),
}
REAL_CHANGES = {
    "add_": lambda y: y.add_(1.0 if not y.is_complex() else 1j),
    "mul_": lambda y: y.mul_(-2.0),
    "fill_": lambda y: y.fill_(3.0),
    "setitem": lambda y: y.__setitem__(..., 4.0),
}


@pytest.mark.parametrize("view", list(REAL_VIEWS))
@pytest.mark.parametrize("change", list(REAL_CHANGES))
def test_a_change_of_view_as_real_reaches_its_base_as_torch(
    backend: str, view: str, change: str
) -> None:
    results = []
    for lib in (pt, torch):
        x = _new(lib, START)
        y = REAL_VIEWS[view](x)
        first = _host(y)
        REAL_CHANGES[change](y)
        results.append((first, _host(x), _host(y)))
    for got, want in zip(results[0], results[1], strict=True):
        np.testing.assert_array_equal(got, want)


COMPLEX_VIEWS: dict[str, Any] = {  # of a (3, 4, 2) real tensor
    "view_as_complex": lambda x: _lib(x).view_as_complex(x),
    "view_as_complex of a block": lambda x: _lib(x).view_as_complex(x[1:, ::2]),
    "view_as_complex of a permutation": lambda x: _lib(x).view_as_complex(x.transpose(0, 1)),
    "view_as_complex, a row of it": lambda x: _lib(x).view_as_complex(x)[2],
    "round trip": lambda x: _lib(x).view_as_real(_lib(x).view_as_complex(x)),
}


@pytest.mark.parametrize("view", list(COMPLEX_VIEWS))
@pytest.mark.parametrize("change", list(REAL_CHANGES))
def test_a_change_of_view_as_complex_reaches_its_base_as_torch(
    backend: str, view: str, change: str
) -> None:
    results = []
    for lib in (pt, torch):
        x = _new(lib, np.arange(24.0).reshape(3, 4, 2))
        y = COMPLEX_VIEWS[view](x)
        first = _host(y)
        REAL_CHANGES[change](y)
        results.append((first, _host(x), _host(y)))
    for got, want in zip(results[0], results[1], strict=True):
        np.testing.assert_array_equal(got, want)


def test_a_change_of_the_base_shows_in_view_as_real_and_view_as_complex(backend: str) -> None:
    for lib in (pt, torch):
        z = _new(lib, START)
        r = lib.view_as_real(z)
        z.mul_(1j)
        np.testing.assert_array_equal(
            _host(r), np.stack([(START * 1j).real, (START * 1j).imag], -1)
        )
        x = _new(lib, np.arange(8.0).reshape(4, 2))
        c = lib.view_as_complex(x)
        x[1, 1] = -5.0
        assert complex(_host(c)[1]) == 2 - 5j


def test_gradients_through_view_as_real_and_view_as_complex_are_torchs(backend: str) -> None:
    rng = np.random.default_rng(5)
    w0 = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    a0 = rng.standard_normal((3, 4, 2))
    r = rng.standard_normal((3, 4, 2))
    grads = []
    for lib in (pt, torch):
        w = _new(lib, w0, requires_grad=True)
        a = _new(lib, a0, requires_grad=True)
        y = w * 2
        v = lib.view_as_real(y)
        v[..., 0].mul_(v[..., 1].detach().clone())  # (changed in place, in the graph)
        c = lib.view_as_complex(a * 3)
        c.add_(w)
        loss = (lib.view_as_real(y) * _new(lib, r)).sum() + (c * c).real.sum()
        loss = loss + (lib.view_as_real(c) ** 3).sum()
        loss.backward()
        grads.append((_host(w.grad), _host(a.grad)))
    for got, want in zip(grads[0], grads[1], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


ERRORS: dict[str, Any] = {
    "view_as_real of a real tensor": lambda lib: lib.view_as_real(lib.ones(3)),
    "view_as_real of a conjugate": lambda lib: lib.view_as_real(_new(lib, START).conj()),
    "view_as_complex, last dimension 3": lambda lib: lib.view_as_complex(lib.ones(3, 3)),
    "view_as_complex of 1 element": lambda lib: lib.view_as_complex(lib.ones(1)),
    "view_as_complex of a 0-d": lambda lib: lib.view_as_complex(lib.ones(())),
    "view_as_complex, stride 2": lambda lib: lib.view_as_complex(lib.ones(2, 2).t()),
    "view_as_complex, odd strides": lambda lib: lib.view_as_complex(lib.ones(3, 3)[:, :2]),
    "view_as_complex, odd offset": lambda lib: lib.view_as_complex(lib.ones(5)[1:].reshape(2, 2)),
    "view_as_complex of integers": lambda lib: lib.view_as_complex(
        lib.ones((3, 2), dtype=lib.int64)
    ),
    "view_as_complex of booleans": lambda lib: lib.view_as_complex(
        lib.ones((3, 2), dtype=lib.bool)
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_view_as_real_and_view_as_complex_refuse_what_torch_refuses(
    backend: str, case: str
) -> None:
    with pytest.raises(RuntimeError) as want:
        ERRORS[case](torch)
    with pytest.raises(RuntimeError) as got:
        ERRORS[case](pt)
    words = str(want.value).split(",")[0].split(":")[0][:40]
    assert words in str(got.value), (str(got.value), str(want.value))


LAYOUTS: dict[str, Any] = {
    "x.conj": lambda x: x.conj(),
    "x.mH": lambda x: x.mH,
    "x[1:].conj()": lambda x: x[1:].conj(),
    "x.real": lambda x: x[1:, ::2].real,
    "x.imag": lambda x: x[1].imag,
    "view_as_real": lambda x: _lib(x).view_as_real(x[:, 1:]),
    "view_as_real of a transpose": lambda x: _lib(x).view_as_real(x.t()),
    "round trip": lambda x: _lib(x).view_as_complex(_lib(x).view_as_real(x[1:])),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_stride_and_storage_offset_of_complex_views_are_torchs(backend: str, name: str) -> None:
    t = LAYOUTS[name](torch.tensor(START))
    x = LAYOUTS[name](pt.asarray(START.copy()))
    assert tuple(x.shape) == tuple(t.shape)
    assert (x.stride(), x.storage_offset()) == (t.stride(), t.storage_offset())


# -- detach(), .data and numpy() of a conjugate ------------------------------------------------

DETACHED_VIEWS = [
    "x.conj",
    "x.mH",
    "x.conj()[1]",
    "x[1:].conj()",
    "x.conj().conj()",
    "x.conj().real",
    "x.conj().imag",
    "x.mH.diagonal",
]
DETACHES = {
    "detach": lambda y: y.detach(),
    ".data": lambda y: y.data,
    "detach().detach()": lambda y: y.detach().detach(),
    "detach()[0]": lambda y: y.detach()[0],
    ".data.t()": lambda y: y.data.t(),
}


@pytest.mark.parametrize("view", DETACHED_VIEWS)
@pytest.mark.parametrize("how", list(DETACHES))
@pytest.mark.parametrize("change", ["mul_", "fill_", "copy_"])
def test_a_change_through_detach_or_data_of_a_conjugate_reaches_its_base_as_torch(
    backend: str, view: str, how: str, change: str
) -> None:
    results = []
    for lib in (pt, torch):
        x = _new(lib, START)
        y = VIEWS[view](x)
        d = DETACHES[how](y)
        bit = d.is_conj()
        CHANGES[change](d)
        results.append((bit, _host(x), _host(y), _host(d)))
    assert results[0][0] == results[1][0]
    for got, want in zip(results[0][1:], results[1][1:], strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("view", ["x.conj", "x.mH", "x.conj()[1]", "x.conj().imag"])
def test_a_change_of_the_base_shows_through_detach_of_its_conjugate_as_torch(
    backend: str, view: str
) -> None:
    results = []
    for lib in (pt, torch):
        x = _new(lib, START)
        d = VIEWS[view](x).detach()
        x.mul_(2j)
        x[0, 1] = 7 - 1j
        results.append((d.is_conj(), _host(d), _host(x)))
    assert results[0] == results[1][:1] + results[0][1:]
    for got, want in zip(results[0][1:], results[1][1:], strict=True):
        np.testing.assert_array_equal(got, want)


def test_detach_of_a_conjugate_in_a_graph_leaves_the_graph_and_keeps_the_bit(backend: str) -> None:
    grads = []
    for lib in (pt, torch):
        w = _new(lib, START, requires_grad=True)
        y = w * 2
        d = y.conj().detach()
        assert d.is_conj() and not d.requires_grad and d.grad_fn is None
        d[0].mul_(-1)  # (reaches y outside the graph, conjugated)
        (y * y.detach()).real.sum().backward()
        grads.append((_host(y), _host(w.grad)))
    for got, want in zip(grads[0], grads[1], strict=True):
        np.testing.assert_array_equal(got, want)


EXPORTS = {
    "numpy()": lambda y: y.numpy(),
    "detach().numpy()": lambda y: y.detach().numpy(),
    ".data.numpy()": lambda y: y.data.numpy(),
}


@pytest.mark.parametrize("view", ["x.conj", "x.mH", "x.conj()[1]", "x.mH.diagonal"])
@pytest.mark.parametrize("how", list(EXPORTS))
def test_numpy_of_a_conjugate_is_refused_as_torch(backend: str, view: str, how: str) -> None:
    with pytest.raises(RuntimeError, match="conjugate bit set"):
        EXPORTS[how](VIEWS[view](_new(torch, START)))
    x = _new(pt, START)
    with pytest.raises(RuntimeError, match="on Tensor that has conjugate bit set") as e:
        EXPORTS[how](VIEWS[view](x))
    assert "resolve_conj()" in str(e.value)
    want = VIEWS[view](_new(torch, START)).resolve_conj().numpy()
    np.testing.assert_array_equal(VIEWS[view](x).resolve_conj().numpy(), want)
    w = _new(torch, START, requires_grad=True)
    want = VIEWS[view](w).numpy(force=True)
    got = VIEWS[view](_new(pt, START, requires_grad=True)).numpy(force=True)
    np.testing.assert_array_equal(got, want)


def test_dlpack_of_a_conjugate_is_refused_as_torch(backend: str) -> None:
    for lib in (pt, torch):
        y = _new(lib, START).conj()
        with pytest.raises(BufferError, match="conjugate bit set"):
            np.from_dlpack(y)
        with pytest.raises(BufferError, match="conjugate bit set"):
            y.detach().__dlpack__()
        np.testing.assert_array_equal(np.from_dlpack(y.resolve_conj()), np.conj(START))
    # (a copy asked for shares nothing, so nothing is lost; torch's refuses it too)
    y = _new(pt, START).conj()
    np.testing.assert_array_equal(np.from_dlpack(y, copy=True), np.conj(START))


def test_numpy_of_a_view_of_a_conjugate_is_read_only() -> None:
    # (on NumPy, whose numpy() shares memory: a view of x.conj() views memory of its own, so
    # a write into its array could not reach x; torch's shares x's and takes the write, or,
    # of a conjugate, refuses numpy() and np.asarray, which here gives the values, read-only,
    # as array-API libraries take the standard's conj() result into NumPy)
    x = pt.asarray(START.copy())
    for y, want in (
        (x.conj().real, START.real),
        (x.conj().conj(), START),
        (x.mH.imag, -START.T.imag),
        (x.conj(), np.conj(START)),
        (x.mH.detach(), START.T.conj()),
    ):
        arrays = [np.asarray(y)] if y.is_conj() else [y.numpy(), np.asarray(y)]
        for a in arrays:
            np.testing.assert_array_equal(a, want)
            with pytest.raises(ValueError, match="read-only"):
                a[...] = 0
        np.array(y)[...] = 0  # (a copy of its own)
        with pytest.raises(BufferError, match=r"would not reach the base|conjugate bit"):
            np.from_dlpack(y)
        np.testing.assert_array_equal(np.from_dlpack(y, copy=True), want)
    np.testing.assert_array_equal(x.numpy(), START)
    a = x.real.numpy()  # (a view of x's memory: written as torch's)
    a[0, 0] = 5.0
    assert complex(x[0, 0].item()) == 5 + START[0, 0].imag * 1j


# -- a private view saved for backward, then overwritten ----------------------------------------

SAVED_VIEWS: dict[str, Any] = {  # of a (3, 4) complex tensor; each a private view, or a view of one
    "x.conj": lambda x: x.conj(),
    "x.mH": lambda x: x.mH,
    "x.conj()[1:]": lambda x: x.conj()[1:],
    "x.conj().real": lambda x: x.conj().real,
    "x.conj().conj()": lambda x: x.conj().conj(),
    "view_as_real, its imaginary parts": lambda x: _lib(x).view_as_real(x)[..., 1],
    "round trip": lambda x: _lib(x).view_as_complex(_lib(x).view_as_real(x)),
}


def _under_no_grad(change: Any) -> Any:
    def run(x: Any, y: Any) -> None:
        with _lib(x).no_grad():
            change(x, y)

    return run


MEMORY_WRITES = {  # each writes the memory of x, or of the view y of x, in place
    "x.mul_ under no_grad": _under_no_grad(lambda x, y: x.mul_(2)),
    "x[0].mul_ under no_grad": _under_no_grad(lambda x, y: x[0].mul_(2)),
    "x.detach().mul_": lambda x, y: x.detach().mul_(2),
    "y.mul_ under no_grad": _under_no_grad(lambda x, y: y.mul_(2)),
    "y.detach().mul_": lambda x, y: y.detach().mul_(2),
}


def _backward_outcome(lib: Any, view: Any, write: Any) -> Any:
    """The error backward raises, or the gradient, when the view ``y`` of ``x`` that a node
    saved (``y * y``) is overwritten in memory before ``backward()``."""
    w = _new(lib, START, requires_grad=True)
    x = w * 1
    y = view(x)
    loss = (y * y).abs().sum()
    write(x, y)
    try:
        loss.backward()
    except RuntimeError as e:
        return str(e)
    return _host(w.grad)


@pytest.mark.parametrize("view", list(SAVED_VIEWS))
@pytest.mark.parametrize("write", list(MEMORY_WRITES))
def test_a_saved_private_view_overwritten_fails_backward_as_an_ordinary_view(
    backend: str, view: str, write: str
) -> None:
    got = _backward_outcome(pt, SAVED_VIEWS[view], MEMORY_WRITES[write])
    ordinary = _backward_outcome(pt, lambda x: x[1:], MEMORY_WRITES[write])
    assert isinstance(got, str) == isinstance(ordinary, str), (got, ordinary)
    if isinstance(got, str):
        assert "in-place operation" in got


@pytest.mark.parametrize("view", [v for v in SAVED_VIEWS if "view_as" not in v])
@pytest.mark.parametrize("write", list(MEMORY_WRITES))
def test_a_saved_conjugate_overwritten_fails_backward_as_torch(view: str, write: str) -> None:
    want = _backward_outcome(torch, SAVED_VIEWS[view], MEMORY_WRITES[write])
    got = _backward_outcome(pt, SAVED_VIEWS[view], MEMORY_WRITES[write])
    assert isinstance(want, str) and "inplace operation" in want
    assert isinstance(got, str) and "modified by an in-place operation" in got


THROUGH_PRIVATE = {  # each writes the memory of x through a private view of x
    "x.conj().detach().mul_": lambda x: x.conj().detach().mul_(2),
    "x.mH.data[0] = 1j": lambda x: x.mH.data.__setitem__(0, 1j),
    "view_as_real(x).detach().mul_": lambda x: _lib(x).view_as_real(x).detach().mul_(2),
    "x.detach().mul_": lambda x: x.detach().mul_(2),  # (an ordinary write, for comparison)
}


@pytest.mark.parametrize("write", list(THROUGH_PRIVATE))
def test_a_write_through_a_detached_private_view_fails_backward_of_what_read_the_base(
    backend: str, write: str
) -> None:
    outcomes = []
    for change in (THROUGH_PRIVATE[write], THROUGH_PRIVATE["x.detach().mul_"]):
        w = _new(pt, START, requires_grad=True)
        x = w * 1
        loss = (x * x).abs().sum()
        change(x)
        try:
            loss.backward()
            outcomes.append(None)
        except RuntimeError as e:
            outcomes.append(str(e))
    assert (outcomes[0] is None) == (outcomes[1] is None), outcomes
