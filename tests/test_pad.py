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
        (lambda: F.pad(pt.ones(3), (-2, -2), mode="reflect"), RuntimeError, "crops more than"),
        (lambda: F.pad(pt.ones(5), (-3, 3), mode="circular"), RuntimeError, "2 once cropped"),
    ],
)
def test_wrong_arguments(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "constant"])
@pytest.mark.parametrize(
    "amounts",
    [(-1, -1), (-1, 2), (2, -1), (3, -2), (-3, 2), (-4, 1), (-2, -2, 1, -1), (1, -2, -1, 2)],
)
def test_negative_amounts_crop_in_every_mode_as_torch(
    backend: str, mode: str, amounts: tuple[int, ...]
) -> None:
    """A negative amount crops: reflect and replicate map each position into the input as it
    is, circular wraps around what the crop leaves, as PyTorch's (values and gradients)."""
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    x0 = np.arange(40.0).reshape(2, 4, 5)
    t = torch.tensor(x0, requires_grad=True)
    want = torch.nn.functional.pad(t, amounts, mode=mode)
    w = np.cos(np.arange(want.numel())).reshape(tuple(want.shape))
    (want * torch.tensor(w)).sum().backward()
    with pt.use_backend(backend):
        x = pt.asarray(x0, requires_grad=True)
        got = F.pad(x, amounts, mode=mode)
        (got * pt.asarray(w)).sum().backward()
        np.testing.assert_array_equal(
            np.asarray(got.detach().to("numpy").numpy()), want.detach().numpy()
        )
        # (the copies' weights added in another order: to a rounding)
        g = np.asarray(x.grad.to("numpy").numpy())
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("layer", "amount"),
    [
        ("ReflectionPad1d", (-1, 2)),
        ("ReflectionPad2d", -1),
        ("ReflectionPad2d", (2, -1, 1, -1)),
        ("ReplicationPad2d", (-1, 2, 0, -1)),
        ("CircularPad2d", -1),
        ("ZeroPad2d", (1, -1, -1, 1)),
    ],
)
def test_padding_layers_crop_with_negative_amounts_as_torch(layer: str, amount: object) -> None:
    torch = pytest.importorskip("torch")
    x0 = np.arange(32.0).reshape(2, 4, 4)
    if layer.endswith("1d"):
        x0 = x0[0]
    want = getattr(torch.nn, layer)(amount)(torch.tensor(x0))
    got = getattr(pt.nn, layer)(amount)(pt.asarray(x0))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
