"""PyTorch's ``F.pad``: its four modes give NumPy's ``np.pad`` (``constant``, ``reflect``,
``edge``, ``wrap``), negative amounts crop in constant mode, the gradient goes back to the
input's elements (each copy adding), and wrong arguments are refused."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

X = np.arange(24.0).reshape(2, 3, 4)
NP_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _np_widths(amounts: tuple[int, ...], ndim: int) -> list[tuple[int, int]]:
    widths = [(0, 0)] * ndim
    for i in range(len(amounts) // 2):
        widths[ndim - 1 - i] = (amounts[2 * i], amounts[2 * i + 1])
    return widths


@pytest.mark.parametrize("backend", ["numpy", "dask"])
@pytest.mark.parametrize("mode", list(NP_MODE))
@pytest.mark.parametrize("amounts", [(1, 2), (2, 0, 1, 1), (0, 3, 2, 1, 1, 0)])
def test_the_modes_give_numpy_s_pad_and_its_gradient(
    backend: str, mode: str, amounts: tuple[int, ...]
) -> None:
    pytest.importorskip(backend)
    if mode in ("reflect", "circular") and max(amounts) > 2:
        amounts = tuple(min(a, 1) for a in amounts)  # (at most the dimension's size less one)
    widths = _np_widths(amounts, X.ndim)
    expected = np.pad(X, widths, mode=NP_MODE[mode])
    with pt.use_backend(backend):
        x = pt.asarray(X, requires_grad=True)
        y = F.pad(x, amounts, mode=mode)
        np.testing.assert_array_equal(y.detach().numpy(), expected)
        w = np.arange(expected.size, dtype=np.float64).reshape(expected.shape)
        (y * pt.asarray(w)).sum().backward()
        # the gradient: each padded element's weight added to the element it copies
        index = np.pad(np.arange(X.size).reshape(X.shape), widths, mode=NP_MODE[mode])
        g = np.zeros(X.size)
        keep = (
            np.pad(np.ones(X.shape, bool), widths, mode="constant")
            if mode == "constant"
            else np.ones(expected.shape, bool)
        )
        np.add.at(g, index[keep], w[keep])
        np.testing.assert_array_equal(x.grad.numpy(), g.reshape(X.shape))


def test_a_constant_value_and_negative_amounts_crop() -> None:
    y = F.pad(pt.asarray(X), (1, -2, -1, 0), value=-7.0)
    expected = np.pad(X[:, 1:, :2], [(0, 0), (0, 0), (1, 0)], constant_values=-7.0)
    np.testing.assert_array_equal(y.numpy(), expected)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: F.pad(pt.ones(3), (1,)), TypeError, "even number of ints"),
        (lambda: F.pad(pt.ones(3), (1.5, 1)), TypeError, "even number of ints"),
        (lambda: F.pad(pt.ones(3), (1, 1), mode="edge"), ValueError, "mode='edge'"),
        (lambda: F.pad(pt.ones(3), (1, 1, 1, 1)), ValueError, "2 dimensions of a 1-D"),
        (lambda: F.pad(pt.ones(3), (5, 0), mode="reflect"), RuntimeError, "at most 2"),
        (lambda: F.pad(pt.ones(3), (1, 0), mode="reflect", value=1.0), ValueError, "no value"),
        (lambda: F.pad(pt.ones(3), (-2, -2)), ValueError, "crops more than"),
        (lambda: F.pad(pt.ones(3), (-1, 0), mode="replicate"), ValueError, "no negative"),
    ],
)
def test_wrong_arguments(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
