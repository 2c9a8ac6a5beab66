"""Every function that gives a view in torch gives one here: ``y = f(x); y.add_(1)`` (or
``fill_``, ``mul_``) changes ``x`` as torch's does, or refuses with torch's class of error, on
every backend (on Dask, whose arrays are never written, a function that made no view left
``x`` silently as it was); also for views of views, drawn at random."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")


def _lib(x: Any) -> Any:
    return pt if isinstance(x, pt.Tensor) else torch


VIEWS: dict[str, Any] = {  # of a (3, 4) tensor
    "x.movedim": lambda x: x.movedim(0, 1),
    "movedim": lambda x: _lib(x).movedim(x, 0, 1),
    "x.moveaxis": lambda x: x.moveaxis(0, 1),
    "moveaxis": lambda x: _lib(x).moveaxis(x, 0, 1),
    "x.permute": lambda x: x.permute(1, 0),
    "permute": lambda x: _lib(x).permute(x, (1, 0)),
    "permute_dims": lambda x: (
        pt.permute_dims(x, (1, 0)) if _lib(x) is pt else torch.permute(x, (1, 0))
    ),
    "x.flatten": lambda x: x.flatten(),
    "flatten": lambda x: _lib(x).flatten(x),
    "x.t().flatten": lambda x: x.t().flatten(),  # (a copy in both)
    "x.view": lambda x: x.view(2, 6),
    "x.view(-1)": lambda x: x.view(-1),
    "x.t().view": lambda x: x.t().view(12),  # (refused in both)
    "x.reshape": lambda x: x.reshape(4, 3),
    "reshape": lambda x: _lib(x).reshape(x, (6, 2)),
    "x.t().reshape": lambda x: x.t().reshape(12),  # (a copy in both)
    "x.unflatten": lambda x: x.unflatten(1, (2, 2)),
    "x.T": lambda x: x.T,
    "x.mT": lambda x: x.mT,
    "matrix_transpose": lambda x: pt.matrix_transpose(x) if _lib(x) is pt else x.mT,
    "x.t": lambda x: x.t(),
    "t": lambda x: _lib(x).t(x),
    "x.transpose": lambda x: x.transpose(0, 1),
    "transpose": lambda x: _lib(x).transpose(x, 0, 1),
    "x.swapaxes": lambda x: x.swapaxes(0, 1),
    "x.swapdims": lambda x: x.swapdims(0, 1),
    "x.narrow": lambda x: x.narrow(1, 1, 2),
    "narrow": lambda x: _lib(x).narrow(x, 0, 1, 2),
    "x.select": lambda x: x.select(1, 2),
    "select": lambda x: _lib(x).select(x, 0, 1),
    "x.unbind": lambda x: x.unbind(1)[2],
    "unbind": lambda x: _lib(x).unbind(x)[1],
    "unstack": lambda x: pt.unstack(x, axis=1)[1] if _lib(x) is pt else torch.unbind(x, 1)[1],
    "x.split": lambda x: x.split(3, dim=1)[1],
    "split": lambda x: _lib(x).split(x, [1, 2], dim=0)[1],
    "x.chunk": lambda x: x.chunk(2, dim=1)[1],
    "chunk": lambda x: _lib(x).chunk(x, 3)[2],
    "tensor_split": lambda x: _lib(x).tensor_split(x, 2, dim=1)[1],
    "hsplit": lambda x: _lib(x).hsplit(x, 2)[0],
    "vsplit": lambda x: _lib(x).vsplit(x, 3)[2],
    "x.squeeze": lambda x: x[None].squeeze(0),
    "squeeze": lambda x: _lib(x).squeeze(x[:, None], 1),
    "squeeze-axis": lambda x: (
        pt.squeeze(x[None], axis=0) if _lib(x) is pt else torch.squeeze(x[None], 0)
    ),
    "x.unsqueeze": lambda x: x.unsqueeze(1),
    "unsqueeze": lambda x: _lib(x).unsqueeze(x, -1),
    "expand_dims": lambda x: pt.expand_dims(x, axis=0) if _lib(x) is pt else x.unsqueeze(0),
    "atleast_3d": lambda x: _lib(x).atleast_3d(x),
    "x.diagonal": lambda x: x.diagonal(1),
    "diagonal": lambda x: _lib(x).diagonal(x),
    "x.unfold": lambda x: x.unfold(1, 2, 2),
    "x.expand": lambda x: x[:1].expand(1, 4),
    "x.expand-repeat": lambda x: x[:, :1].expand(3, 4),
    "x.expand-lead": lambda x: x[:1].expand(2, -1),
    "x.expand-mismatch": lambda x: x.expand(3, 5),  # (refused in both)
    "broadcast_to": lambda x: _lib(x).broadcast_to(x[:1], (2, 4)),
    "x.as_strided": lambda x: x.as_strided((2, 2), (4, 1), 1),
    "as_strided": lambda x: _lib(x).as_strided(x, (3,), (5,)),
    "x[...]": lambda x: x[..., ::2],
    "x.view_as": lambda x: x.view_as(x),
    "x.detach": lambda x: x.detach(),
    "real-of-real": lambda x: _lib(x).real(x),
    "x.real-of-real": lambda x: x.real,
}
COMPLEX_VIEWS: dict[str, Any] = {
    "x.real": lambda x: x.real,
    "x.imag": lambda x: x.imag,
    "real": lambda x: _lib(x).real(x),
    "imag": lambda x: _lib(x).imag(x),
}
CHANGES = {
    "add_": lambda y: y.add_(1.0),
    "fill_": lambda y: y.fill_(-2.0),
    "mul_": lambda y: y.mul_(3.0),
}


def _outcome(lib: Any, take: Any, change: Any, start: np.ndarray) -> Any:
    x = pt.asarray(start.copy()) if lib is pt else torch.tensor(start)
    try:
        change(take(x))
    except (RuntimeError, ValueError, TypeError) as e:
        return type(e)
    return np.asarray(x.numpy())


def _same(take: Any, change: Any, start: np.ndarray) -> None:
    want = _outcome(torch, take, change, start)
    got = _outcome(pt, take, change, start)
    if isinstance(want, type):
        assert got is want or (isinstance(got, type) and issubclass(got, want)), (got, want)
    else:
        assert not isinstance(got, type), f"refused ({got.__name__}) where torch writes"
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_of_a_view_reaches_its_base_as_torch(backend: str, view: str, change: str) -> None:
    _same(VIEWS[view], CHANGES[change], np.arange(12.0).reshape(3, 4))


@pytest.mark.parametrize("view", list(COMPLEX_VIEWS))
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_of_a_complex_tensors_part_reaches_it_as_torch(
    backend: str, view: str, change: str
) -> None:
    start = np.arange(12.0).reshape(3, 4) * (1 - 2j)
    _same(COMPLEX_VIEWS[view], CHANGES[change], start)


SHAPE_FREE = [  # views that take any tensor of 2 dimensions or more (and keep 2 or more)
    "x.movedim", "permute_dims", "x.T", "x.mT", "x.unsqueeze", "expand_dims", "x[...]", "x.t",
    "moveaxis", "x.view_as", "matrix_transpose", "x.swapaxes", "x.expand-lead",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(12))
def test_a_change_of_a_view_of_a_view_reaches_the_base_as_torch(backend: str, seed: int) -> None:
    rng = random.Random(seed)
    chain = [VIEWS[rng.choice(SHAPE_FREE)] for _ in range(rng.randint(2, 3))]
    change = CHANGES[rng.choice(list(CHANGES))]

    def take(x: Any) -> Any:
        for f in chain:
            x = f(x) if x.ndim == 2 else f(x.flatten(0, -2))
        return x

    _same(take, change, np.arange(24.0).reshape(4, 6))
