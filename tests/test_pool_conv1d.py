"""avg_pool2d, adaptive_avg_pool2d and conv1d (functions and modules): values and gradients
as torch's, on every backend, and errors that say what was wrong."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

BACKENDS = ["numpy", "dask", "array_api_strict"]


def _torch() -> Any:
    return pytest.importorskip("torch")


def _both(
    fn_pt: Any, fn_torch: Any, *arrays: np.ndarray, backend: str = "numpy"
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Output and input gradients (a fixed random cotangent) of fn_pt on ``backend`` and of
    fn_torch, float64."""
    torch = _torch()
    seed = None
    with pt.use_backend(backend):
        ts = [pt.asarray(a, requires_grad=True) for a in arrays]
        out = fn_pt(*ts)
        seed = np.random.default_rng(9).standard_normal(tuple(out.shape))
        (out * pt.asarray(seed)).sum().backward()
        got = [np.asarray(pt.asarray(out.detach()).to("numpy"))] + [
            np.asarray(t.grad.to("numpy")) for t in ts
        ]
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    tout = fn_torch(*tt)
    (tout * torch.tensor(seed)).sum().backward()
    want = [tout.detach().numpy()] + [t.grad.numpy() for t in tt]
    return got, want


def _close(got: list[np.ndarray], want: list[np.ndarray]) -> None:
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("shape", "k", "s", "p", "ceil", "include", "divisor"),
    [
        ((2, 3, 8, 8), 2, None, 0, False, True, None),
        ((2, 3, 9, 7), 2, None, 0, False, True, None),  # rows and columns no window reads
        ((1, 2, 7, 9), 3, 2, 1, False, True, None),
        ((1, 2, 7, 9), 3, 2, 1, False, False, None),
        ((1, 2, 8, 8), 3, 2, 1, True, True, None),  # a last window past the padded input
        ((1, 2, 8, 8), 3, 2, 1, True, False, None),
        ((2, 1, 6, 5), (3, 2), (1, 2), (1, 0), False, True, None),
        ((1, 2, 6, 6), 2, 1, 0, False, True, 3),
        ((3, 5, 5), 2, 2, 1, True, True, None),  # unbatched
    ],
)
def test_avg_pool2d_matches_torch(
    shape: Any, k: Any, s: Any, p: Any, ceil: bool, include: bool, divisor: Any
) -> None:
    torch = _torch()
    x = np.random.default_rng(0).standard_normal(shape)
    kw = {"ceil_mode": ceil, "count_include_pad": include, "divisor_override": divisor}
    got, want = _both(
        lambda t: F.avg_pool2d(t, k, s, p, **kw),
        lambda t: torch.nn.functional.avg_pool2d(t, k, s, p, **kw),
        x,
    )
    _close(got, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_avg_pool2d_module_on_every_backend(backend: str) -> None:
    torch = _torch()
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 7))
    got, want = _both(
        lambda t: nn.AvgPool2d(3, 2, 1, count_include_pad=False)(t),
        lambda t: torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False)(t),
        x,
        backend=backend,
    )
    _close(got, want)
    assert repr(nn.AvgPool2d(3, 2, 1)) == "AvgPool2d(kernel_size=3, stride=2, padding=1)"


@pytest.mark.parametrize(
    ("shape", "size"),
    [
        ((2, 3, 8, 8), 1),
        ((2, 3, 8, 8), (1, 1)),
        ((2, 3, 8, 6), (4, 3)),  # tiles
        ((2, 3, 7, 9), (3, 4)),  # bins of different sizes that overlap
        ((2, 3, 5, 5), (7, 6)),  # larger than the input
        ((2, 3, 7, 9), (None, 2)),
        ((3, 10, 10), 3),  # unbatched
    ],
)
def test_adaptive_avg_pool2d_matches_torch(shape: Any, size: Any) -> None:
    torch = _torch()
    x = np.random.default_rng(2).standard_normal(shape)
    got, want = _both(
        lambda t: F.adaptive_avg_pool2d(t, size),
        lambda t: torch.nn.functional.adaptive_avg_pool2d(t, size),
        x,
    )
    _close(got, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_adaptive_avg_pool2d_module_on_every_backend(backend: str) -> None:
    torch = _torch()
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 9))
    got, want = _both(
        lambda t: nn.AdaptiveAvgPool2d((3, 4))(t),
        lambda t: torch.nn.AdaptiveAvgPool2d((3, 4))(t),
        x,
        backend=backend,
    )
    _close(got, want)


@pytest.mark.parametrize(
    ("shape", "wshape", "kw"),
    [
        ((2, 4, 11), (6, 4, 3), {}),
        ((2, 4, 11), (6, 4, 3), {"stride": 2, "padding": 1}),
        ((2, 4, 11), (6, 2, 3), {"groups": 2, "dilation": 2}),
        ((2, 4, 11), (6, 4, 4), {"padding": "same"}),
        ((2, 4, 11), (6, 4, 3), {"padding": "valid", "stride": (3,)}),
        ((4, 11), (6, 4, 3), {"padding": (2,)}),  # unbatched
    ],
)
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
def test_conv1d_matches_torch(shape: Any, wshape: Any, kw: dict[str, Any]) -> None:
    torch = _torch()
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal(shape), rng.standard_normal(wshape), rng.standard_normal(6)
    got, want = _both(
        lambda a, c, d: F.conv1d(a, c, d, **kw),
        lambda a, c, d: torch.nn.functional.conv1d(a, c, d, **kw),
        x,
        w,
        b,
    )
    _close(got, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_conv1d_module_trains_on_every_backend(backend: str) -> None:
    with pt.use_backend(backend):
        conv = nn.Conv1d(3, 5, 3, padding=1, dtype=pt.float64)
        assert conv.weight.shape == (5, 3, 3) and conv.bias.shape == (5,)
        x = pt.asarray(np.random.default_rng(5).standard_normal((4, 3, 8)))
        opt = pt.optim.SGD(conv.parameters(), lr=0.1)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = (conv(x) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(float(loss))
    assert losses[-1] < losses[0]
    assert repr(nn.Conv1d(4, 8, 3, padding=1)) == (
        "Conv1d(4, 8, kernel_size=(3,), stride=(1,), padding=(1,))"
    )


def test_errors_say_what_was_wrong() -> None:
    x = pt.ones((1, 1, 4, 4))
    with pytest.raises(ValueError, match="at most half of the kernel"):
        F.avg_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="divisor_override"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(TypeError, match="floating"):
        F.avg_pool2d(pt.ones((1, 1, 4, 4), dtype=pt.int64), 2)
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        F.adaptive_avg_pool2d(x, (-1, 2))
    with pytest.raises(TypeError, match="output_size"):
        F.adaptive_avg_pool2d(x, "big")
    with pytest.raises(ValueError, match="3-D weight"):
        F.conv1d(pt.ones((1, 2, 5)), pt.ones((1, 2, 3, 3)))
    with pytest.raises(RuntimeError, match="1-tuple"):  # (PyTorch's class: two ints for one)
        F.conv1d(pt.ones((1, 2, 5)), pt.ones((1, 2, 3)), stride=(1, 1))
    with pytest.raises(ValueError, match="strided"):
        nn.Conv1d(2, 2, 3, stride=2, padding="same")


def test_adaptive_avg_pool2d_keeps_inf_and_nan_in_their_bins() -> None:
    torch = _torch()
    for shape, size, spot, value in (
        ((1, 1, 3, 5), (2, 2), (0, 0), np.inf),
        ((1, 1, 4, 5), (2, 3), (0, 0), np.nan),
    ):
        x = np.zeros(shape)
        x[(0, 0, *spot)] = value
        got = F.adaptive_avg_pool2d(pt.asarray(x), size).numpy()
        want = torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), size).numpy()
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("pool", ["avg", "max"])
def test_ceil_mode_takes_an_input_smaller_than_the_kernel(pool: str) -> None:
    torch = _torch()
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    fn = {
        "avg": (F.avg_pool2d, torch.nn.functional.avg_pool2d),
        "max": (F.max_pool2d, torch.nn.functional.max_pool2d),
    }[pool]
    got = fn[0](pt.asarray(x), 4, ceil_mode=True).numpy()
    want = fn[1](torch.tensor(x), 4, ceil_mode=True).numpy()
    np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="smaller than the kernel"):
        fn[0](pt.asarray(x), 4)


def test_sizes_as_numpy_integers_and_one_element_lists() -> None:
    x = pt.asarray(np.arange(16.0).reshape(1, 1, 4, 4))
    want = F.avg_pool2d(x, 2).numpy()
    np.testing.assert_array_equal(F.avg_pool2d(x, np.int64(2)).numpy(), want)
    np.testing.assert_array_equal(F.avg_pool2d(x, [2]).numpy(), want)
    np.testing.assert_array_equal(
        F.max_pool2d(x, [np.int32(2), 2]).numpy(), F.max_pool2d(x, 2).numpy()
    )
    with pytest.raises(TypeError, match="pair of ints"):
        F.avg_pool2d(x, True)


def test_conv_bias_and_channels_are_checked() -> None:
    with pytest.raises(ValueError, match=r"bias of shape \(4,\)"):
        F.conv2d(pt.ones((1, 3, 5, 5)), pt.ones((4, 3, 3, 3)), pt.ones((3, 1)))
    with pytest.raises(ValueError, match=r"conv1d\(\) got input with 2 channels"):
        F.conv1d(pt.ones((1, 2, 5)), pt.ones((4, 3, 3)))
    with pytest.raises(ValueError, match=r"conv1d\(\) expects a bias of shape \(4,\)"):
        F.conv1d(pt.ones((1, 3, 5)), pt.ones((4, 3, 3)), pt.ones(5))


@pytest.mark.parametrize("backend", BACKENDS)
def test_outputs_take_view_as_torch_s_do(backend: str) -> None:
    # each result is an array of its own: x.view(-1, n) after a pool or a conv, as the
    # tutorials write it
    with pt.use_backend(backend):
        x = pt.asarray(np.random.default_rng(6).standard_normal((2, 3, 6, 6)))
        for out in (
            F.max_pool2d(x, 2),
            F.max_pool2d(x, 3, stride=1),
            F.avg_pool2d(x, 2),
            F.adaptive_avg_pool2d(x, (4, 5)),
            F.conv2d(x, pt.ones((2, 3, 3, 3), dtype=pt.float64)),
            F.conv1d(x[:, :, 0], pt.ones((2, 3, 3), dtype=pt.float64)),
        ):
            assert out.view(-1, int(np.prod(out.shape[1:]))).shape[0] == 2


@pytest.mark.parametrize(
    ("shape", "k", "s", "p", "extra", "ceil"),
    [
        ((2, 3, 11), 2, None, 0, 1, False),
        ((2, 3, 11), 3, 2, 1, 1, True),
        ((2, 3, 12), 3, 1, 1, 2, False),
        ((3, 9), 2, 2, 1, 1, True),  # unbatched
    ],
)
def test_pool1d_matches_torch(shape: Any, k: int, s: Any, p: int, extra: int, ceil: bool) -> None:
    torch = _torch()
    x = np.random.default_rng(11).standard_normal(shape)
    got, want = _both(
        lambda t: F.max_pool1d(t, k, s, p, extra, ceil),
        lambda t: torch.nn.functional.max_pool1d(t, k, s, p, extra, ceil),
        x,
    )
    _close(got, want)
    include = bool(extra == 1)
    got, want = _both(
        lambda t: F.avg_pool1d(t, k, s, p, ceil, include),
        lambda t: torch.nn.functional.avg_pool1d(t, k, s, p, ceil, include),
        x,
    )
    _close(got, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pool1d_modules_on_every_backend(backend: str) -> None:
    torch = _torch()
    x = np.random.default_rng(12).standard_normal((2, 3, 10))
    for mine, theirs in (
        (nn.MaxPool1d(3, 2, 1), torch.nn.MaxPool1d(3, 2, 1)),
        (
            nn.AvgPool1d(3, 2, 1, count_include_pad=False),
            torch.nn.AvgPool1d(3, 2, 1, count_include_pad=False),
        ),
    ):
        got, want = _both(mine, theirs, x, backend=backend)
        _close(got, want)
    assert repr(nn.AvgPool1d(2)) == repr(torch.nn.AvgPool1d(2))
    assert repr(nn.MaxPool1d(2)) == repr(torch.nn.MaxPool1d(2))


def test_pool1d_errors_name_the_1d_function() -> None:
    x = pt.ones((1, 2, 5))
    with pytest.raises(ValueError, match=r"max_pool1d\(\): padding should be at most half"):
        F.max_pool1d(x, 2, padding=2)
    with pytest.raises(ValueError, match=r"avg_pool1d\(\): the \(padded\) input of size 5"):
        F.avg_pool1d(x, 7)
    with pytest.raises(ValueError, match=r"3-D \(N, C, L\)"):
        F.max_pool1d(pt.ones((1, 1, 2, 5)), 2)
    with pytest.raises(RuntimeError, match=r"max_pool1d\(\) expects kernel_size"):
        F.max_pool1d(x, (2, 2))
