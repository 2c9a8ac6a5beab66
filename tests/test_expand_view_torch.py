"""``x.expand(...)``, ``x.expand_as(...)`` are views, as torch's: a change in place of one that
repeats no element reaches its base; one that repeats elements (a length 1 made longer, a new
leading dimension longer than 1) refuses a change that could write an element with several
values, with torch's error, while ``fill_``/``zero_`` and a change of a view of it that repeats
nothing reach the base; gradients through such changes are torch's, on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

OVERLAP = "more than one element of the written-to tensor refers to a single memory location"


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _start(shape: tuple[int, ...]) -> np.ndarray:
    return np.arange(float(np.prod(shape))).reshape(shape) + 1.0


def _lib_tensor(lib: Any, a: np.ndarray) -> Any:
    return pt.asarray(a.copy()) if lib is pt else torch.tensor(a)


EXPANDS = {  # base shape, how the view is taken
    "same-shape": ((3, 1), lambda x: x.expand(3, 1)),
    "new-leading-1": ((3,), lambda x: x.expand(1, 3)),
    "minus-one": ((2, 3), lambda x: x.expand(-1, -1)),
    "new-leading-1-minus-one": ((2, 3), lambda x: x.expand(1, 1, -1, 3)),
    "expand_as": ((2, 3), lambda x: x.expand_as(x.new_zeros(1, 2, 3))),
    "repeat-column": ((3, 1), lambda x: x.expand(3, 4)),
    "repeat-leading": ((3,), lambda x: x.expand(2, 3)),
    "repeat-both": ((1, 2), lambda x: x.expand(2, 3, -1)),
    "repeat-expand_as": ((3, 1), lambda x: x.expand_as(x.new_zeros(3, 2))),
}
REPEATS = {k for k in EXPANDS if "repeat" in k}
CHANGES = {
    "fill_": lambda u, lib: u.fill_(7.0),
    "zero_": lambda u, lib: u.zero_(),
    "add_": lambda u, lib: u.add_(1.5),
    "mul_": lambda u, lib: u.mul_(2.0),
    "iadd": lambda u, lib: u.__iadd__(2.0),
    "clamp_": lambda u, lib: u.clamp_(0.0, 2.0),
    "copy_": lambda u, lib: u.copy_(lib.ones(tuple(u.shape), dtype=u.dtype)),
    "setitem-all": lambda u, lib: u.__setitem__(..., -3.0),
    "setitem-first": lambda u, lib: u.__setitem__(0, -3.0),
}
ONE_VALUE = {"fill_", "zero_"}


@pytest.mark.parametrize("case", list(EXPANDS))
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_of_an_expand_reaches_its_base_or_is_refused_as_torch(
    backend: str, case: str, change: str
) -> None:
    shape, take = EXPANDS[case]
    _compare(shape, lambda x, lib: CHANGES[change](take(x), lib), take)
    if case in REPEATS and change not in ONE_VALUE and change != "setitem-first":
        with pytest.raises(RuntimeError, match=OVERLAP):  # (torch refuses it too: _compare)
            CHANGES[change](take(pt.asarray(_start(shape))), pt)


def _compare(shape: tuple[int, ...], change: Any, take: Any) -> None:
    """``change(x's view, lib)`` of a tensor ``x`` of ``shape`` on each side: the same error
    class where torch refuses it (and ``x`` unchanged), else the same ``x`` and view after."""
    x = torch.tensor(_start(shape))
    try:
        change(x, torch)
    except RuntimeError as e:
        p = pt.asarray(_start(shape))
        with pytest.raises(RuntimeError, match=OVERLAP if OVERLAP in str(e) else None):
            change(p, pt)
        np.testing.assert_array_equal(_host(p), _start(shape))  # (nothing written)
        return
    got = []
    for lib in (pt, torch):
        x = _lib_tensor(lib, _start(shape))
        change(x, lib)
        got.append((_host(x), _host(take(x))))
    np.testing.assert_array_equal(got[0][0], got[1][0])
    np.testing.assert_array_equal(got[0][1], got[1][1])


SUBVIEWS = {  # of x.expand(3, 4), x of shape (3, 1): views that repeat nothing, and one that does
    "column": (lambda u: u[:, 1], False),
    "element": (lambda u: u[2, 3], False),
    "select": (lambda u: u.select(1, 2), False),
    "narrow": (lambda u: u.narrow(1, 3, 1), False),
    "row": (lambda u: u[1], True),
    "columns": (lambda u: u[:, 1:3], True),
}


@pytest.mark.parametrize("sub", list(SUBVIEWS))
@pytest.mark.parametrize("change", ["add_", "mul_", "copy_", "setitem-all"])
def test_a_change_of_a_view_of_a_repeating_expand_is_torchs(
    backend: str, sub: str, change: str
) -> None:
    pick, repeats = SUBVIEWS[sub]

    def take(x: Any) -> Any:
        return x.expand(3, 4)

    _compare((3, 1), lambda x, lib: CHANGES[change](pick(take(x)), lib), take)
    if repeats:
        with pytest.raises(RuntimeError, match=OVERLAP):  # (torch refuses it too: _compare)
            CHANGES[change](pick(take(pt.asarray(_start((3, 1))))), pt)


@pytest.mark.parametrize("case", list(EXPANDS))
def test_a_change_of_the_base_shows_in_its_expand(backend: str, case: str) -> None:
    shape, take = EXPANDS[case]
    got = []
    for lib in (pt, torch):
        x = lib.zeros(shape, dtype=lib.float64)
        u = take(x)
        x.add_(_lib_tensor(lib, _start(shape)))
        got.append(_host(u))
    np.testing.assert_array_equal(got[0], got[1])


GRAD_CHANGES = {  # (case, how the view or a view of it is changed)
    "same-shape-mul": ("same-shape", lambda u: u.mul_(u.detach() + 3.0)),
    "leading-1-mul": ("new-leading-1", lambda u: u.mul_(u.detach() + 3.0)),
    "minus-one-setitem": ("minus-one", lambda u: u.__setitem__((0, 1), u[1, 2] * 5.0)),
    "repeat-fill": ("repeat-column", lambda u: u.fill_(3.0)),
    "repeat-zero": ("repeat-leading", lambda u: u.zero_()),
    "repeat-column-mul": ("repeat-column", lambda u: u[:, 2].mul_(u[:, 2].detach() + 3.0)),
    "repeat-element-copy": ("repeat-both", lambda u: u[1, 2].copy_(u[0, 0, 1] * 4.0)),
}


@pytest.mark.parametrize("name", list(GRAD_CHANGES))
def test_gradients_through_a_changed_expand_are_torchs(backend: str, name: str) -> None:
    case, change = GRAD_CHANGES[name]
    shape, take = EXPANDS[case]
    rng = np.random.default_rng(len(name))
    w0, r = rng.standard_normal(shape), rng.standard_normal(shape)

    def run(lib: Any) -> tuple[np.ndarray, np.ndarray]:
        w = lib.tensor(w0, requires_grad=True)
        y = w * 2.0
        change(take(y))
        (y * lib.tensor(r)).sum().backward()
        return _host(y), _host(w.grad)

    if case in REPEATS and name.endswith(("fill", "zero")):
        # (fill_ of a repeating expand in a graph: torch's backward refuses, polytensor the
        # change)
        with pytest.raises(RuntimeError, match=OVERLAP):
            run(torch)
        with pytest.raises(RuntimeError, match=OVERLAP):
            run(pt)
        return
    want = run(torch)
    got = run(pt)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-12)


def test_a_repeating_expand_refuses_under_no_grad_too(backend: str) -> None:
    x = pt.zeros((3, 1), dtype=pt.float64, requires_grad=True)
    with pt.no_grad(), pytest.raises(RuntimeError, match=OVERLAP):
        x.expand(3, 4).add_(1.0)
    with pt.no_grad():
        x.expand(3, 4).fill_(2.0)
    np.testing.assert_array_equal(_host(x), np.full((3, 1), 2.0))


def test_expand_without_enough_sizes_raises_torch_errors() -> None:
    x, t = pt.zeros((1, 2, 3)), torch.zeros(1, 2, 3)
    for call, error in ((lambda v: v.expand(), TypeError), (lambda v: v.expand(3), RuntimeError)):
        with pytest.raises(error, match="expand"):
            call(t)
        with pytest.raises(error, match="expand"):
            call(x)
    with pytest.raises(TypeError, match="expects a tensor"):
        pt.is_conj(None)
    for backend in ("numpy", "dask", "array_api_strict"):  # (Dask's transpose reverses for None)
        with pytest.raises(TypeError, match="tuple of ints"):
            pt.permute_dims(pt.zeros((3, 3, 0), device=backend), None)
