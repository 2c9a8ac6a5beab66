"""polytensor.nn: modules, functional, init; against NumPy references, gradcheck and PyTorch."""

from __future__ import annotations

import copy
import math
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn, optim

BACKENDS = ["numpy", "dask", "array_api_strict"]


@pytest.fixture(autouse=True)
def _seeded() -> None:
    nn.init.manual_seed(1234)


def host(t: Any) -> np.ndarray:
    return np.asarray(t.detach() if t.requires_grad else t)


def f64(a: Any, requires_grad: bool = False) -> pt.Tensor:
    return pt.asarray(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# -- NumPy references ---------------------------------------------------------------------------
def conv2d_ref(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
) -> np.ndarray:
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph : ph + h, pw : pw + wd] = x
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, ho, wo))
    og = o // groups
    for oc in range(o):
        gi = oc // og
        for i in range(ho):
            for j in range(wo):
                patch = xp[
                    :,
                    gi * cg : (gi + 1) * cg,
                    i * sh : i * sh + dh * (kh - 1) + 1 : dh,
                    j * sw : j * sw + dw * (kw - 1) + 1 : dw,
                ]
                out[:, oc, i, j] = np.sum(patch * w[oc], axis=(1, 2, 3))
    if b is not None:
        out += b[None, :, None, None]
    return out


def max_pool2d_ref(x: np.ndarray, k: int, s: int, p: int, ceil_mode: bool) -> np.ndarray:
    n, c, h, w = x.shape

    def size(d: int) -> int:
        span = d + 2 * p - k
        out = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (out - 1) * s >= d + p:
            out -= 1
        return out

    ho, wo = size(h), size(w)
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            r0, c0 = i * s - p, j * s - p
            win = x[:, :, max(r0, 0) : min(r0 + k, h), max(c0, 0) : min(c0 + k, w)]
            out[:, :, i, j] = win.max(axis=(2, 3))
    return out


def log_softmax_ref(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


# -- forward against NumPy --------------------------------------------------------------------
def test_linear_forward_matches_numpy() -> None:
    fc = nn.Linear(5, 3)
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    want = x @ host(fc.weight).T + host(fc.bias)
    np.testing.assert_allclose(host(fc(pt.asarray(x))), want, rtol=1e-5, atol=1e-6)
    nobias = nn.Linear(5, 3, bias=False)
    assert nobias.bias is None
    np.testing.assert_allclose(
        host(nobias(pt.asarray(x))), x @ host(nobias.weight).T, rtol=1e-5, atol=1e-6
    )


def test_linear_takes_extra_leading_dims_and_rejects_wrong_features() -> None:
    fc = nn.Linear(3, 2)
    assert fc(pt.ones((2, 4, 3))).shape == (2, 4, 2)
    assert fc(pt.ones(3)).shape == (2,)
    with pytest.raises(ValueError, match="last dimension of the input must be 3"):
        fc(pt.ones((4, 5)))


def test_activations_match_numpy() -> None:
    x = np.array([[-3.0, -0.5, 0.0, 0.5, 3.0], [-800.0, -40.0, 1.0, 40.0, 800.0]])
    t = f64(x)
    np.testing.assert_allclose(host(nn.ReLU()(t)), np.maximum(x, 0))
    np.testing.assert_allclose(host(nn.Tanh()(t)), np.tanh(x))
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(host(nn.Sigmoid()(t)), 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(host(nn.LeakyReLU(0.1)(t)), np.where(x > 0, x, 0.1 * x))
    np.testing.assert_allclose(host(nn.LogSoftmax(dim=1)(t)), log_softmax_ref(x, 1), atol=1e-12)
    np.testing.assert_allclose(
        host(nn.Softmax(dim=0)(t)), np.exp(log_softmax_ref(x, 0)), atol=1e-12
    )


def test_softmax_is_stable_for_large_scores() -> None:
    y = F.softmax(pt.asarray([1e4, 1e4 - 1.0, -1e4]), dim=0)
    assert np.all(np.isfinite(host(y)))
    np.testing.assert_allclose(host(y).sum(), 1.0, rtol=1e-6)
    ls = F.log_softmax(pt.asarray([[0.0, 1e4]]), dim=1)
    np.testing.assert_allclose(host(ls), [[-1e4, 0.0]])


@pytest.mark.parametrize(
    ("stride", "padding", "dilation", "groups", "kernel"),
    [
        (1, 1, 1, 1, 3),
        (2, 0, 1, 1, 3),
        ((2, 1), (1, 2), (1, 2), 1, (3, 2)),
        (1, 0, 1, 2, 1),
        (1, 2, 2, 2, 3),
    ],
)
def test_conv2d_forward_matches_numpy(
    stride: Any, padding: Any, dilation: Any, groups: int, kernel: Any
) -> None:
    rng = np.random.default_rng(1)
    conv = nn.Conv2d(
        4,
        6,
        kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        dtype=pt.float64,
    )
    x = rng.standard_normal((2, 4, 9, 8))

    def pair(v: int | tuple[int, int]) -> tuple[int, int]:
        return v if isinstance(v, tuple) else (v, v)

    want = conv2d_ref(
        x, host(conv.weight), host(conv.bias), pair(stride), pair(padding), pair(dilation), groups
    )
    np.testing.assert_allclose(host(conv(f64(x))), want, rtol=1e-10, atol=1e-12)


def test_conv2d_same_padding_unbatched_and_no_bias() -> None:
    rng = np.random.default_rng(2)
    conv = nn.Conv2d(2, 3, 3, padding="same", bias=False, dtype=pt.float64)
    x = rng.standard_normal((2, 5, 5))
    got = conv(f64(x))
    assert got.shape == (3, 5, 5)
    want = conv2d_ref(x[None], host(conv.weight), None, (1, 1), (1, 1), (1, 1), 1)[0]
    np.testing.assert_allclose(host(got), want, rtol=1e-10, atol=1e-12)
    assert repr(conv) == "Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1), padding=same, bias=False)"


def test_conv2d_rejects_bad_shapes() -> None:
    conv = nn.Conv2d(2, 4, 3)
    with pytest.raises(ValueError, match="channels"):
        conv(pt.ones((1, 3, 5, 5)))
    with pytest.raises(ValueError, match=r"3-D .* or 4-D"):
        conv(pt.ones((5, 5)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        conv(pt.ones((1, 2, 2, 2)))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)


@pytest.mark.parametrize(
    ("k", "s", "p", "ceil_mode"),
    [
        (2, 2, 0, False),
        (3, 2, 1, False),
        (3, 2, 1, True),
        (2, 1, 0, False),
        (2, 2, 1, True),
        (3, 3, 0, True),
    ],
)
def test_max_pool2d_forward_matches_numpy(k: int, s: int, p: int, ceil_mode: bool) -> None:
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 8))
    pool = nn.MaxPool2d(k, s, p, ceil_mode=ceil_mode)
    np.testing.assert_allclose(host(pool(f64(x))), max_pool2d_ref(x, k, s, p, ceil_mode))


def test_max_pool2d_routes_the_gradient_to_the_first_maximum() -> None:
    x = pt.zeros((1, 1, 2, 2), dtype=pt.float64, requires_grad=True)
    pt.sum(F.max_pool2d(x, 2)).backward()
    np.testing.assert_array_equal(host(x.grad)[0, 0], [[1.0, 0.0], [0.0, 0.0]])


def test_max_pool2d_rejects_padding_over_half_the_kernel() -> None:
    with pytest.raises(ValueError, match="at most half"):
        F.max_pool2d(pt.ones((1, 1, 4, 4)), 2, padding=2)


def test_flatten_and_sequential() -> None:
    x = np.arange(120.0).reshape(2, 3, 4, 5)
    np.testing.assert_array_equal(host(nn.Flatten()(f64(x))), x.reshape(2, -1))
    np.testing.assert_array_equal(host(nn.Flatten(0, 1)(f64(x))), x.reshape(6, 4, 5))
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    xs = np.random.default_rng(4).standard_normal((5, 4)).astype(np.float32)
    h = np.maximum(xs @ host(model[0].weight).T + host(model[0].bias), 0)
    want = h @ host(model[2].weight).T + host(model[2].bias)
    np.testing.assert_allclose(host(model(pt.asarray(xs))), want, rtol=1e-5, atol=1e-6)
    assert len(model) == 3 and isinstance(model[-1], nn.Linear)
    assert isinstance(model[1:], nn.Sequential) and len(model[1:]) == 2
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert [n for n, _ in named.named_children()] == ["fc", "act"]


def test_dropout_is_seeded_scaled_and_off_in_eval() -> None:
    drop = nn.Dropout(0.25)
    x = pt.ones((200, 50))
    nn.init.manual_seed(7)
    a = host(drop(x))
    nn.init.manual_seed(7)
    b = host(drop(x))
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) == {0.0, np.float32(1 / 0.75)}
    assert abs((a == 0).mean() - 0.25) < 0.02
    drop.eval()
    assert drop(x) is x
    assert host(nn.Dropout(1.0)(x)).sum() == 0
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout_gradient_uses_the_same_mask() -> None:
    x = pt.ones((10, 10), requires_grad=True)
    y = nn.Dropout(0.5)(x)
    pt.sum(y).backward()
    np.testing.assert_array_equal(host(x.grad), host(y))


def test_losses_match_numpy() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 4))
    t = rng.integers(0, 4, 6)
    logp = log_softmax_ref(x, 1)
    nll = -logp[np.arange(6), t]
    np.testing.assert_allclose(host(F.cross_entropy(f64(x), pt.asarray(t))), nll.mean())
    np.testing.assert_allclose(
        host(F.cross_entropy(f64(x), pt.asarray(t), reduction="sum")), nll.sum()
    )
    np.testing.assert_allclose(
        host(nn.CrossEntropyLoss(reduction="none")(f64(x), pt.asarray(t))), nll
    )
    np.testing.assert_allclose(host(F.nll_loss(f64(logp), pt.asarray(t))), nll.mean())
    y = rng.standard_normal((6, 4))
    np.testing.assert_allclose(host(nn.MSELoss()(f64(x), f64(y))), ((x - y) ** 2).mean())
    np.testing.assert_allclose(
        host(F.mse_loss(f64(x), f64(y), reduction="sum")), ((x - y) ** 2).sum()
    )
    np.testing.assert_allclose(host(nn.L1Loss()(f64(x), f64(y))), np.abs(x - y).mean())


def test_cross_entropy_rejects_bad_targets() -> None:
    x = pt.zeros((3, 4))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, pt.asarray([0, 4, 1]))
    with pytest.raises(ValueError, match="target of shape"):
        F.cross_entropy(x, pt.asarray([0, 1]))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, pt.asarray([0, 1, 2]), reduction="avg")
    with pytest.raises(TypeError, match="floating-point"):
        F.cross_entropy(pt.zeros((3, 4), dtype=pt.int64), pt.asarray([0, 1, 2]))
    with pytest.warns(UserWarning, match="broadcast"):
        F.mse_loss(pt.zeros((3, 1)), pt.zeros(3))


# -- gradients: gradcheck (float64) ---------------------------------------------------------------
def _rand(shape: tuple[int, ...], seed: int = 0) -> pt.Tensor:
    return f64(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def test_linear_gradcheck() -> None:
    x, w, b = _rand((3, 4), 0), _rand((2, 4), 1), _rand((2,), 2)
    assert pt.autograd.gradcheck(F.linear, (x, w, b))


@pytest.mark.parametrize(("stride", "padding", "dilation", "groups"), [(1, 1, 1, 1), (2, 1, 2, 2)])
def test_conv2d_gradcheck(stride: int, padding: int, dilation: int, groups: int) -> None:
    x, w, b = _rand((2, 2, 5, 5), 0), _rand((2, 2 // groups, 2, 2), 1), _rand((2,), 2)
    assert pt.autograd.gradcheck(
        lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups), (x, w, b)
    )


@pytest.mark.parametrize(("k", "s", "p", "ceil_mode"), [(2, 2, 0, False), (3, 2, 1, True)])
def test_max_pool2d_gradcheck(k: int, s: int, p: int, ceil_mode: bool) -> None:
    x = _rand((1, 2, 5, 5), 3)  # distinct values: no ties within a finite-difference step
    assert pt.autograd.gradcheck(lambda x: F.max_pool2d(x, k, s, p, ceil_mode=ceil_mode), (x,))


def test_log_softmax_softmax_sigmoid_gradcheck() -> None:
    x = _rand((3, 4), 4)
    assert pt.autograd.gradcheck(lambda x: F.log_softmax(x, dim=1), (x,))
    assert pt.autograd.gradcheck(lambda x: F.softmax(x, dim=0), (x,))
    assert pt.autograd.gradcheck(F.sigmoid, (x,))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"reduction": "none", "ignore_index": 2},
        {"weight": [1.0, 2.0, 0.5, 1.5], "label_smoothing": 0.1},
    ],
)
def test_cross_entropy_gradcheck(kwargs: dict[str, Any]) -> None:
    kw = dict(kwargs)
    if "weight" in kw:
        kw["weight"] = f64(kw["weight"])
    x = _rand((5, 4), 5)
    t = pt.asarray([0, 3, 2, 1, 2])
    assert pt.autograd.gradcheck(lambda x: F.cross_entropy(x, t, **kw), (x,))


def test_cross_entropy_of_class_indices_is_one_node() -> None:
    # log_softmax and nll_loss in one op (PyTorch's are one kernel each), not the dozen
    # element-wise ops and reductions they are made of; nll_loss of log-probabilities is one
    x = _rand((5, 4), 5)
    loss = F.cross_entropy(x, pt.asarray([0, 3, 2, 1, 2]))
    assert loss.grad_fn.name() == "NllLossBackward0"
    (first, _), (target, _) = loss.grad_fn.next_functions
    assert first.name() == "AccumulateGrad" and target is None
    loss = F.nll_loss(F.log_softmax(x, dim=1), pt.asarray([0, 3, 2, 1, 2]))
    assert loss.grad_fn.name() == "NllLossBackward0"
    assert loss.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"


def test_cross_entropy_second_derivative() -> None:
    x = _rand((2, 3), 6)
    t = pt.asarray([2, 0])
    assert pt.autograd.gradgradcheck(lambda x: F.cross_entropy(x, t), (x,))


# -- gradients: against PyTorch ------------------------------------------------------------------
def _torch() -> Any:
    return pytest.importorskip("torch")


def _tt(torch: Any, a: Any) -> Any:
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True)


def _assert_close(ours: Any, theirs: Any) -> None:
    np.testing.assert_allclose(host(ours), theirs.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_linear_and_conv2d_match_torch() -> None:
    torch = _torch()
    rng = np.random.default_rng(7)
    for stride, padding, dilation, groups in [(1, 1, 1, 1), (2, 0, 1, 2), (1, 2, 2, 1)]:
        conv = nn.Conv2d(4, 6, 3, stride, padding, dilation, groups, dtype=pt.float64)
        tconv = torch.nn.Conv2d(4, 6, 3, stride, padding, dilation, groups).double()
        with torch.no_grad():
            tconv.weight.copy_(torch.from_numpy(host(conv.weight)))
            tconv.bias.copy_(torch.from_numpy(host(conv.bias)))
        x = rng.standard_normal((3, 4, 8, 7))
        px, tx = f64(x, True), _tt(torch, x)
        out, tout = conv(px), tconv(tx)
        _assert_close(out, tout)
        r = rng.standard_normal(tuple(out.shape))
        pt.sum(out * f64(r)).backward()
        (tout * torch.from_numpy(r)).sum().backward()
        _assert_close(px.grad, tx.grad)
        _assert_close(conv.weight.grad, tconv.weight.grad)
        _assert_close(conv.bias.grad, tconv.bias.grad)
    fc = nn.Linear(5, 3, dtype=pt.float64)
    tfc = torch.nn.Linear(5, 3).double()
    with torch.no_grad():
        tfc.weight.copy_(torch.from_numpy(host(fc.weight)))
        tfc.bias.copy_(torch.from_numpy(host(fc.bias)))
    x = rng.standard_normal((4, 5))
    px, tx = f64(x, True), _tt(torch, x)
    pt.sum(pt.tanh(fc(px))).backward()
    torch.tanh(tfc(tx)).sum().backward()
    _assert_close(px.grad, tx.grad)
    _assert_close(fc.weight.grad, tfc.weight.grad)
    _assert_close(fc.bias.grad, tfc.bias.grad)


def test_max_pool2d_matches_torch_with_ties() -> None:
    torch = _torch()
    rng = np.random.default_rng(8)
    for k, s, p, d, ceil_mode in [
        (2, None, 0, 1, False),
        (3, 2, 1, 1, True),
        (2, 3, 1, 2, True),
        (2, 1, 0, 1, False),
    ]:
        x = np.maximum(np.round(rng.standard_normal((2, 3, 7, 6))), 0)  # many tied zeros
        px, tx = f64(x, True), _tt(torch, x)
        out = F.max_pool2d(px, k, s, p, d, ceil_mode)
        tout = torch.nn.functional.max_pool2d(tx, k, s, p, d, ceil_mode)
        _assert_close(out, tout)
        r = rng.standard_normal(tuple(out.shape))
        pt.sum(out * f64(r)).backward()
        (tout * torch.from_numpy(r)).sum().backward()
        _assert_close(px.grad, tx.grad)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"reduction": "sum"},
        {"reduction": "none"},
        {"ignore_index": 1},
        {"weight": True},
        {"weight": True, "ignore_index": 2, "reduction": "sum"},
        {"label_smoothing": 0.1},
        {"label_smoothing": 0.2, "weight": True, "ignore_index": 0},
    ],
)
def test_cross_entropy_matches_torch(kwargs: dict[str, Any]) -> None:
    torch = _torch()
    rng = np.random.default_rng(9)
    for shape in [(6, 4), (3, 4, 2, 2)]:
        x = rng.standard_normal(shape)
        t = rng.integers(0, 4, shape[:1] + shape[2:])
        t[0] = 3  # never all ignored
        kp, kt = dict(kwargs), dict(kwargs)
        if kwargs.get("weight"):
            w = rng.random(4) + 0.5
            kp["weight"], kt["weight"] = f64(w), torch.from_numpy(w)
        px, tx = f64(x, True), _tt(torch, x)
        out = F.cross_entropy(px, pt.asarray(t), **kp)
        tout = torch.nn.functional.cross_entropy(tx, torch.from_numpy(t), **kt)
        _assert_close(out, tout)
        r = rng.standard_normal(tuple(out.shape))
        pt.sum(out * f64(r)).backward()
        (tout * torch.from_numpy(r)).sum().backward()
        _assert_close(px.grad, tx.grad)


def test_log_softmax_nll_and_probability_targets_match_torch() -> None:
    torch = _torch()
    rng = np.random.default_rng(10)
    x = rng.standard_normal((5, 3))
    px, tx = f64(x, True), _tt(torch, x)
    out = F.log_softmax(px, dim=1)
    tout = torch.log_softmax(tx, dim=1)
    _assert_close(out, tout)
    probs = rng.random((5, 3))
    probs /= probs.sum(1, keepdims=True)
    ce = F.cross_entropy(px, f64(probs), label_smoothing=0.1)
    tce = torch.nn.functional.cross_entropy(tx, torch.from_numpy(probs), label_smoothing=0.1)
    _assert_close(ce, tce)
    (pt.sum(out * f64(probs)) + ce).backward()
    ((tout * torch.from_numpy(probs)).sum() + tce).backward()
    _assert_close(px.grad, tx.grad)
    t = pt.asarray([0, 2, 1, 1, 0])
    w = rng.random(3) + 0.5
    _assert_close(
        F.nll_loss(f64(x), t, weight=f64(w)),
        torch.nn.functional.nll_loss(
            torch.from_numpy(x), torch.tensor(host(t)), weight=torch.from_numpy(w)
        ),
    )


def test_default_initialisation_matches_torch() -> None:
    torch = _torch()
    for ours, theirs, fan_in in [
        (nn.Linear(300, 200), torch.nn.Linear(300, 200), 300),
        (nn.Conv2d(8, 300, 3), torch.nn.Conv2d(8, 300, 3), 72),
    ]:
        bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) and the bias rule agree
        for name in ("weight", "bias"):
            a = host(getattr(ours, name))
            b = getattr(theirs, name).detach().numpy()
            assert np.abs(a).max() <= bound and np.abs(b).max() <= bound
            assert np.abs(a).max() > 0.9 * bound
            assert a.std() == pytest.approx(b.std(), rel=0.15)
            assert a.std() == pytest.approx(bound / math.sqrt(3), rel=0.15)


# -- init ------------------------------------------------------------------------------------------
def test_init_functions() -> None:
    w = pt.empty((200, 100))
    nn.init.xavier_uniform_(w)
    a = math.sqrt(6 / 300)
    assert np.abs(host(w)).max() <= a and np.abs(host(w)).max() > 0.9 * a
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / 100)
    assert np.abs(host(w)).max() <= bound
    nn.init.normal_(w, mean=1.0, std=0.5)
    assert host(w).mean() == pytest.approx(1.0, abs=0.02)
    assert host(w).std() == pytest.approx(0.5, rel=0.05)
    nn.init.uniform_(w, -2.0, -1.0)
    assert host(w).min() >= -2.0 and host(w).max() < -1.0
    np.testing.assert_array_equal(host(nn.init.zeros_(w)), 0)
    np.testing.assert_array_equal(host(nn.init.ones_(w)), 1)
    assert nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(pt.empty(3))
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        nn.init.calculate_gain("swish")


def test_init_writes_in_place_and_keeps_the_parameter_a_leaf() -> None:
    fc = nn.Linear(3, 2)
    w = fc.weight
    nn.init.zeros_(fc.weight)
    assert fc.weight is w and w.is_leaf and w.requires_grad
    np.testing.assert_array_equal(host(w), 0)


@pytest.mark.parametrize("backend", BACKENDS[1:])
def test_same_seed_gives_same_weights_on_every_backend(backend: str) -> None:
    nn.init.manual_seed(3)
    a = nn.Linear(4, 3)
    nn.init.manual_seed(3)
    with pt.use_backend(backend):
        b = nn.Linear(4, 3)
    assert b.weight.device.backend.name == backend
    np.testing.assert_array_equal(host(a.weight), host(b.weight))


# -- Module machinery ------------------------------------------------------------------------------
class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
        self.scale = nn.Parameter(pt.ones(1))
        self.register_buffer("steps", pt.zeros((), dtype=pt.int64))
        self.register_buffer("scratch", pt.zeros(2), persistent=False)

    def forward(self, x: pt.Tensor) -> pt.Tensor:
        return self.head(F.relu(self.conv(x))) * self.scale


def test_module_registers_parameters_buffers_and_children() -> None:
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale",
        "conv.weight",
        "conv.bias",
        "head.1.weight",
        "head.1.bias",
    ]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [n for n, _ in net.named_children()] == ["conv", "head"]
    assert [n for n, _ in net.named_modules()] == ["", "conv", "head", "head.0", "head.1"]
    assert [n for n, _ in net.named_buffers()] == ["steps", "scratch"]
    assert list(net.state_dict()) == [
        "scale",
        "steps",
        "conv.weight",
        "conv.bias",
        "head.1.weight",
        "head.1.bias",
    ]
    assert net(pt.ones((2, 1, 4, 4))).shape == (2, 3)
    assert net.get_submodule("head.1") is net.head[1]
    assert "conv" in dir(net) and "scale" in dir(net)
    del net.scale
    assert "scale" not in dict(net.named_parameters())


def test_module_attribute_errors() -> None:
    net = Net()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        net.scale = pt.ones(1)
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        _ = net.missing

    class Early(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(pt.ones(1))

    with pytest.raises(AttributeError, match=r"before Module\.__init__"):
        Early()
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(pt.ones(1))
    with pytest.raises(TypeError, match=r"nn\.Parameter or None required"):
        nn.Module().register_parameter("w", pt.ones(1))
    with pytest.raises(KeyError, match="contain"):
        nn.Module().register_parameter("a.b", nn.Parameter(pt.ones(1)))


def test_shared_parameters_are_listed_once() -> None:
    fc = nn.Linear(2, 2)
    model = nn.Sequential(fc, nn.ReLU(), fc)
    assert len(list(model.parameters())) == 2
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_module_repr_matches_torch_style() -> None:
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.25),
        nn.Linear(256, 10),
    )
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n"
        "  (1): ReLU()\n"
        "  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
        "  (3): Flatten(start_dim=1, end_dim=-1)\n"
        "  (4): Dropout(p=0.25, inplace=False)\n"
        "  (5): Linear(in_features=256, out_features=10, bias=True)\n"
        ")"
    )
    assert repr(nn.Parameter(pt.zeros(1))).startswith("Parameter containing:\ntensor(")


def test_module_repr_equals_torch_repr() -> None:
    torch = _torch()
    ours = nn.Sequential(
        nn.Conv2d(1, 4, 3, stride=2, groups=1, bias=False),
        nn.Tanh(),
        nn.Sigmoid(),
        nn.Softmax(dim=1),
        nn.Linear(3, 2, bias=False),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, stride=2, bias=False),
        torch.nn.Tanh(),
        torch.nn.Sigmoid(),
        torch.nn.Softmax(dim=1),
        torch.nn.Linear(3, 2, bias=False),
    )
    assert repr(ours) == repr(theirs)


def test_train_eval_and_zero_grad() -> None:
    net = Net()
    assert net.training and net.head[0].training
    net.eval()
    assert not net.training and not net.head[1].training
    net.train()
    assert net.conv.training
    pt.sum(net(pt.ones((1, 1, 4, 4)))).backward()
    assert net.conv.weight.grad is not None
    net.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(host(net.conv.weight.grad), 0)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_moves_and_casts_parameters_keeping_them_leaves() -> None:
    net = Net()
    weight = net.conv.weight
    net.to(pt.float64)
    assert net.conv.weight is weight and weight.dtype == pt.float64
    assert weight.is_leaf and weight.requires_grad
    assert net.steps.dtype == pt.int64  # integer buffers are not cast
    net.to("dask")
    assert str(weight.device) == "dask:cpu" and str(net.steps.device) == "dask:cpu"
    assert weight.is_leaf and weight.requires_grad
    out = net(pt.ones((1, 1, 4, 4), dtype=pt.float64, device="dask"))
    pt.sum(out).backward()
    assert str(weight.grad.device) == "dask:cpu"
    net.to("numpy", dtype=pt.float32)
    assert str(weight.device) == "numpy:cpu" and weight.dtype == pt.float32
    assert weight.grad.dtype == pt.float32
    with pytest.raises(TypeError, match="floating point"):
        net.to(pt.int32)


def test_deepcopy_copies_parameters_and_buffers() -> None:
    net = Net()
    clone = copy.deepcopy(net)
    assert clone.conv.weight is not net.conv.weight
    assert isinstance(clone.conv.weight, nn.Parameter) and clone.conv.weight.requires_grad
    np.testing.assert_array_equal(host(clone.conv.weight), host(net.conv.weight))
    with pt.no_grad():
        clone.conv.weight -= 1.0
    assert not np.allclose(host(clone.conv.weight), host(net.conv.weight))
    shared = nn.Linear(2, 2)
    c2 = copy.deepcopy(nn.Sequential(shared, shared))
    assert c2[0] is c2[1]


def test_forward_hooks() -> None:
    fc = nn.Linear(2, 2)
    seen = []
    h1 = fc.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = fc.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    np.testing.assert_allclose(host(fc(pt.ones((3, 2)))), np.broadcast_to(host(fc.bias), (3, 2)))
    assert seen == [(3, 2)]
    h1.remove()
    h2.remove()
    fc(pt.ones((3, 2)))
    assert seen == [(3, 2)]


def test_module_list() -> None:
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    layers.append(nn.ReLU())
    assert [n for n, _ in layers.named_children()] == ["0", "1", "2", "3"]
    assert isinstance(layers[1:], nn.ModuleList)


# -- state dicts -----------------------------------------------------------------------------------
def test_load_state_dict_copies_values_in_place() -> None:
    a, b = Net(), Net()
    weight = b.conv.weight
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert b.conv.weight is weight and weight.requires_grad and weight.is_leaf
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(host(b.state_dict()[k]), host(v))
    with pt.no_grad():
        a.conv.weight += 1.0  # b holds copies, not views
    assert not np.allclose(host(a.conv.weight), host(b.conv.weight))


def _snapshot(m: nn.Module) -> dict[str, np.ndarray]:
    return {k: host(v).copy() for k, v in m.state_dict().items()}


def _assert_unchanged(m: nn.Module, before: dict[str, np.ndarray]) -> None:
    after = _snapshot(m)
    assert after.keys() == before.keys()
    for k, v in before.items():
        np.testing.assert_array_equal(after[k], v)


def test_load_state_dict_missing_unexpected_and_shape_errors_change_nothing() -> None:
    net = Net()
    before = _snapshot(net)
    good = Net().state_dict()
    missing = dict(good)
    del missing["conv.bias"]
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "conv\.bias"'):
        net.load_state_dict(missing)
    _assert_unchanged(net, before)
    extra = dict(good, **{"head.2.weight": pt.ones(1)})
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "head\.2\.weight"'):
        net.load_state_dict(extra)
    _assert_unchanged(net, before)
    wrong = dict(good, **{"head.1.weight": pt.ones((3, 31))})
    with pytest.raises(
        RuntimeError,
        match=r"size mismatch for head\.1\.weight: copying a "
        r"parameter with shape \(3, 31\)",
    ):
        net.load_state_dict(wrong, strict=False)
    _assert_unchanged(net, before)
    with pytest.raises(RuntimeError, match=r"expected a Tensor .* received str"):
        net.load_state_dict(dict(good, scale="one"))
    _assert_unchanged(net, before)
    result = net.load_state_dict(extra | {"conv.bias": good["conv.bias"]}, strict=False)
    assert result.unexpected_keys == ["head.2.weight"] and result.missing_keys == []
    partial = {k: v for k, v in good.items() if k != "scale"}
    assert net.load_state_dict(partial, strict=False).missing_keys == ["scale"]


def test_load_state_dict_converts_backend_and_dtype() -> None:
    src = Net().to(pt.float64).to("dask")
    dst = Net()
    dst.load_state_dict(src.state_dict())
    assert str(dst.conv.weight.device) == "numpy:cpu" and dst.conv.weight.dtype == pt.float32
    np.testing.assert_allclose(host(dst.conv.weight), host(src.conv.weight), rtol=1e-6)
    dst.load_state_dict({k: host(v) for k, v in src.state_dict().items()})  # NumPy arrays too


def test_load_state_dict_with_assign_takes_backend_and_dtype() -> None:
    src = Net().to(pt.float64)
    dst = Net()
    weight = dst.conv.weight
    dst.load_state_dict(src.state_dict(), assign=True)
    assert dst.conv.weight is weight and weight.dtype == pt.float64
    assert weight.requires_grad and weight.is_leaf
    np.testing.assert_array_equal(host(weight), host(src.conv.weight))


def test_state_dict_values_are_detached_views() -> None:
    net = Net()
    sd = net.state_dict()
    assert not sd["conv.weight"].requires_grad
    assert not isinstance(sd["conv.weight"], nn.Parameter)
    with pt.no_grad():
        net.conv.weight += 1.0
    np.testing.assert_array_equal(host(sd["conv.weight"]), host(net.conv.weight))
    assert net.state_dict(keep_vars=True)["conv.weight"] is net.conv.weight


# -- end to end, every backend -------------------------------------------------------------------
def _digits_like(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.standard_normal((n, 1, 8, 8)).astype(np.float32) * 0.3
    for i, c in enumerate(y):  # a class-dependent bright stripe
        x[i, 0, 2 * c + 1] += 1.0
    return x, y


@pytest.mark.parametrize("backend", BACKENDS)
def test_cnn_training_steps_reduce_the_loss(backend: str) -> None:
    xs, ys = _digits_like(32, 0)
    with pt.use_backend(backend):
        model = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Dropout(0.1),
            nn.Linear(4 * 4 * 4, 3),
        )
        opt = optim.Adam(model.parameters(), lr=0.05)
        x, y = pt.asarray(xs), pt.asarray(ys)
        losses = []
        steps = 3 if backend == "dask" else 6
        for _ in range(steps):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss)
        weight = model[0].weight
        assert isinstance(weight, nn.Parameter) and weight.is_leaf and weight.requires_grad
        assert weight.device.backend.name == backend
        if backend == "dask":
            import dask.array as da

            assert isinstance(weight._data, da.Array)  # still lazy
        values = [float(v) for v in pt.compute(*losses)]
    assert values[-1] < values[0]


def test_conv2d_is_one_node_of_the_graph() -> None:
    # the convolution (bias included) is one node whose backward runs on the arrays, not a
    # graph of per-window ops; its speed is measured by bench/cnn.py, not here
    conv = nn.Conv2d(1, 16, 3, padding=1)
    x = pt.asarray(
        np.random.default_rng(0).standard_normal((64, 1, 8, 8)).astype(np.float32),
        requires_grad=True,
    )
    y = pt.sum(conv(x))
    names, stack, seen = [], [y.grad_fn], []
    while stack:
        node = stack.pop()
        if node is None or any(node is s for s in seen):
            continue
        seen.append(node)
        names.append(node.name())
        stack.extend(n for n, _ in node.next_functions)
    assert sorted(names) == sorted(
        [
            "SumBackward0",
            "ConvolutionBackward0",
            "AccumulateGrad",
            "AccumulateGrad",
            "AccumulateGrad",
        ]
    )
    y.backward()
    assert x.grad.shape == x.shape and conv.weight.grad.shape == conv.weight.shape


def test_pt_manual_seed_seeds_init_and_dropout() -> None:
    pt.manual_seed(11)
    a, ma = nn.Linear(3, 3), host(nn.Dropout(0.5)(pt.ones(50)))
    pt.manual_seed(11)
    b, mb = nn.Linear(3, 3), host(nn.Dropout(0.5)(pt.ones(50)))
    np.testing.assert_array_equal(host(a.weight), host(b.weight))
    np.testing.assert_array_equal(ma, mb)
    g = pt.Generator().manual_seed(3)
    w1 = host(nn.init.normal_(pt.empty(4), generator=g))
    w2 = host(nn.init.normal_(pt.empty(4), generator=pt.Generator().manual_seed(3)))
    np.testing.assert_array_equal(w1, w2)


def _calls_apply(fn: Any) -> bool:
    """Whether ``fn()`` goes through polytensor's general dispatch (``apply``)."""
    import sys

    seen = []

    def hook(frame: Any, event: str, arg: Any) -> None:
        if (
            event == "call"
            and frame.f_code.co_name == "apply"
            and frame.f_code.co_filename.endswith("_dispatch.py")
        ):
            seen.append(frame)

    sys.setprofile(hook)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return bool(seen)


@pytest.mark.parametrize(
    "expr",
    [
        lambda x, p: x @ p,
        lambda x, p: p @ x,
        lambda x, p: x + p,
        lambda x, p: p * 2.0,
        lambda x, p: 2.0 - p,
        lambda x, p: -p,
        lambda x, p: pt.exp(p),
        lambda x, p: pt.sum(p, axis=0),
        lambda x, p: pt.where(x > 0, p, 0.0),
        lambda x, p: pt.matrix_transpose(p),
    ],
    ids=["matmul", "rmatmul", "add", "mul", "rsub", "neg", "exp", "sum", "where", "transpose"],
)
def test_ops_on_parameters_take_the_fast_path_and_differentiate(expr: Any) -> None:
    # a Parameter is a Tensor subclass: the table's generated fast paths take it as a tensor
    # (the general dispatch costs several microseconds per op), and record it for autograd
    rng = np.random.default_rng(0)
    x = pt.asarray(rng.standard_normal((3, 3)))
    p = nn.Parameter(pt.asarray(rng.standard_normal((3, 3))))
    w = pt.asarray(p.detach().numpy().copy(), requires_grad=True)  # the same, a plain leaf
    assert not _calls_apply(lambda: expr(x, p))
    expr(x, p).sum().backward()
    expr(x, w).sum().backward()
    assert p.grad is not None and type(p.grad) is pt.Tensor
    np.testing.assert_allclose(p.grad.numpy(), w.grad.numpy(), rtol=1e-12)


def test_in_place_updates_by_a_parameter_write_into_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    # t -= p under no_grad (no graph involved) writes NumPy's result straight into t's memory,
    # as t -= tensor does: the backend's in-place function runs once, no temporary is assigned
    # afterwards. (In grad mode t joins p's graph, as in PyTorch.)
    b = pt.backends.get("numpy")
    calls = []
    sub = b.inplace["subtract"]
    monkeypatch.setitem(b.inplace, "subtract", lambda *a: calls.append(1) or sub(*a))
    t = pt.asarray(np.full(3, 5.0))
    p = nn.Parameter(pt.asarray(np.full(3, 2.0)))
    before = t._data
    with pt.no_grad():
        t -= p
    assert calls == [1] and t._data is before
    np.testing.assert_array_equal(t.numpy(), [3.0, 3.0, 3.0])
    t -= p
    assert t.grad_fn is not None


# -- SiLU, GELU, Softplus: values, gradients and second derivatives as PyTorch's -------------
_ACTIVATIONS = [
    ("silu", {}),
    ("gelu", {}),
    ("gelu", {"approximate": "tanh"}),
    ("softplus", {}),
    ("softplus", {"beta": 2.0, "threshold": 10.0}),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "kw"), _ACTIVATIONS)
def test_silu_gelu_softplus_match_torch(
    backend: str, dtype: str, name: str, kw: dict[str, Any]
) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    vals = np.array([-30.0, -3.0, -0.5, 0.0, 0.5, 3.0, 19.0, 25.0], dtype=dtype)

    def run(lib: Any, fn: Any) -> tuple[Any, ...]:
        x = lib.tensor(vals, requires_grad=True)
        y = fn(x, **kw)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return str(y.dtype).split(".")[1], y.tolist(), g.tolist(), h.tolist()

    want = run(torch, getattr(torch.nn.functional, name))
    with pt.use_backend(backend):
        got = run(pt, getattr(F, name))
    assert got[0] == want[0]
    tol = 1e-12 if dtype == "float64" else 2e-6
    for a, b in zip(got[1:], want[1:], strict=True):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_silu_gelu_softplus_modules_and_errors() -> None:
    torch = pytest.importorskip("torch")
    x = np.linspace(-3, 3, 7)
    for mine, theirs in [
        (nn.SiLU(), torch.nn.SiLU()),
        (nn.GELU(), torch.nn.GELU()),
        (nn.GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh")),
        (nn.Softplus(beta=0.5, threshold=2.0), torch.nn.Softplus(beta=0.5, threshold=2.0)),
    ]:
        assert repr(mine) == repr(theirs)
        np.testing.assert_allclose(
            mine(pt.asarray(x)).tolist(), theirs(torch.tensor(x)).tolist(), rtol=1e-12
        )
    with pytest.raises(RuntimeError, match="approximate='fast'"):
        F.gelu(pt.ones(2), approximate="fast")
    with pytest.raises(TypeError, match="floating-point"):
        F.silu(pt.ones(2, dtype=pt.int64))
    with pytest.raises(TypeError, match="beta"):
        F.softplus(pt.ones(2), beta="2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"pt\.asarray"):
        F.gelu([1.0])  # type: ignore[arg-type]


# -- answers that differed from PyTorch's without an error --------------------------------------
def test_sequential_renumbers_after_del_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (pt, torch):
        s = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.ReLU(), lib.nn.Tanh())
        del s[0]
        s.append(lib.nn.Sigmoid())
        assert [type(m).__name__ for m in s] == ["ReLU", "Tanh", "Sigmoid"]
        s = lib.nn.Sequential(
            lib.nn.Linear(2, 2), lib.nn.ReLU(), lib.nn.Linear(2, 3), lib.nn.Tanh()
        )
        del s[1]
        assert list(s.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
        del s[0:2]
        assert [type(m).__name__ for m in s] == ["Tanh"] and list(s._modules) == ["0"]


@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
def test_softmax_without_dim_takes_torchs_implicit_dim_and_warns(ndim: int) -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(ndim).standard_normal((2, 3, 4, 5)[:ndim]).astype(np.float32)
    calls = {
        "F.softmax": lambda lib, t: lib.nn.functional.softmax(t),
        "F.log_softmax": lambda lib, t: lib.nn.functional.log_softmax(t),
        "nn.Softmax": lambda lib, t: lib.nn.Softmax()(t),
        "nn.LogSoftmax": lambda lib, t: lib.nn.LogSoftmax(dim=None)(t),
    }
    for name, f in calls.items():
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            got = f(pt, pt.asarray(x))
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            want = f(torch, torch.tensor(x))
        np.testing.assert_allclose(np.asarray(got.tolist()), want.numpy(), rtol=1e-5, err_msg=name)
    assert repr(pt.nn.Softmax()) == repr(torch.nn.Softmax()) == "Softmax(dim=None)"
    assert pt.nn.functional.softmax(pt.asarray(x), 0, dtype=pt.float64).dtype == pt.float64


def test_cross_entropy_with_probabilities_keeps_float32_and_empty_is_nan() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((3, 5)).astype(np.float32)
    probs = rng.dirichlet(np.ones(5), 3).astype(np.float32)
    got = pt.nn.functional.cross_entropy(pt.asarray(logits), pt.asarray(probs))
    want = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(probs))
    assert got.dtype == pt.float32
    assert got.item() == pytest.approx(want.item(), rel=1e-6)
    empty = pt.nn.functional.cross_entropy(pt.zeros((0, 5)), pt.zeros((0, 5)))
    assert np.isnan(empty.item())
    assert np.isnan(torch.nn.functional.cross_entropy(torch.zeros(0, 5), torch.zeros(0, 5)).item())


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, h: lib.nn.functional.relu(h, inplace=True),
        lambda lib, h: lib.nn.functional.leaky_relu(h, 0.1, inplace=True),
        lambda lib, h: lib.nn.functional.silu(h, inplace=True),
        lambda lib, h: lib.nn.functional.dropout(h, 0.0, True, True),
        lambda lib, h: lib.nn.functional.dropout(h, 1.0, True, True),
        lambda lib, h: lib.nn.ReLU(inplace=True)(h),
        lambda lib, h: lib.nn.LeakyReLU(0.2, inplace=True)(h),
        lambda lib, h: lib.nn.SiLU(inplace=True)(h),
        lambda lib, h: lib.nn.Dropout(0.0, inplace=True)(h),
    ],
)
def test_inplace_activations_write_their_input_as_torch(call: Any) -> None:
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(5).standard_normal((3, 4))
    seen: dict[str, Any] = {}
    for lib in (pt, torch):
        x = lib.tensor(a, requires_grad=True)
        h = x * 2
        r = call(lib, h)
        assert r is h  # (written into its input, which it returns)
        (r * r).sum().backward()
        try:  # a leaf that requires grad: refused (not by dropout with p=0, in either)
            call(lib, lib.ones(2, requires_grad=True))
            refused = False
        except RuntimeError:
            refused = True
        seen[lib.__name__] = (np.array(h.tolist()), np.array(x.grad.tolist()), refused)
    (v, g, refused), (tv, tg, trefused) = seen["polytensor"], seen["torch"]
    np.testing.assert_allclose(v, tv, rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-12)
    assert refused == trefused


def test_optimizers_take_torchs_implementation_flags() -> None:
    torch = pytest.importorskip("torch")
    w0 = np.array([1.0, -2.0, 3.0])
    for name, kw in [
        ("SGD", {"momentum": 0.9, "foreach": False}),
        ("SGD", {}),  # (lr defaults to 1e-3, as torch's)
        ("Adam", {"lr": 0.1, "fused": False, "foreach": True, "capturable": False}),
        ("Adam", {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True}),
        ("AdamW", {"lr": 0.1, "foreach": None}),
        ("RMSprop", {"lr": 0.01, "foreach": False}),
    ]:
        out = []
        for lib in (pt, torch):
            w = lib.tensor(w0, requires_grad=True)
            opt = getattr(lib.optim, name)([w], **kw)
            for _ in range(5):
                opt.zero_grad()
                (w * w * w).sum().backward()
                opt.step()
            out.append(w.tolist())
        np.testing.assert_allclose(out[0], out[1], rtol=1e-12, err_msg=f"{name} {kw}")
    with pytest.raises(NotImplementedError, match="differentiable"):
        pt.optim.Adam([pt.ones(1, requires_grad=True)], differentiable=True)


def test_sequential_and_modulelist_edits_as_torch() -> None:
    torch = pytest.importorskip("torch")
    out = []
    for lib in (pt, torch):
        nn = lib.nn
        s = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
        s.insert(1, nn.Tanh())
        s.insert(-1, nn.Sigmoid())
        s.extend([nn.Identity()])
        popped = s.pop(0)
        s2 = s + nn.Sequential(nn.ReLU())
        s += nn.Sequential(nn.Tanh())
        ms = nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.Sigmoid()])
        del ms[0]
        ms.insert(0, nn.Identity())
        ms += [nn.ReLU()]
        last = ms.pop(-1)
        both = ms + nn.ModuleList([nn.Tanh()])
        out.append(
            (
                [type(m).__name__ for m in s],
                list(s._modules),
                type(popped).__name__,
                [type(m).__name__ for m in s2],
                [type(m).__name__ for m in ms],
                list(ms._modules),
                type(last).__name__,
                [type(m).__name__ for m in both],
            )
        )
        with pytest.raises(IndexError):
            s.insert(10, nn.ReLU())
        with pytest.raises(ValueError, match="only objects of Sequential"):
            s + [nn.ReLU()]
    assert out[0] == out[1]


@pytest.mark.parametrize("backend_name", ["numpy", "dask", "array_api_strict"])
def test_layer_norm_and_embedding_as_torch(backend_name: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    x0 = rng.standard_normal((2, 3, 4))
    w0, b0 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    table = rng.standard_normal((6, 3))
    ids = np.array([[1, 0, 5], [0, 2, 1]])
    out = {}
    with pt.use_backend(backend_name):
        for lib in (pt, torch):
            F_ = lib.nn.functional
            x = lib.tensor(x0, requires_grad=True)
            w = lib.tensor(w0, requires_grad=True)
            b = lib.tensor(b0, requires_grad=True)
            e = lib.tensor(table, requires_grad=True)
            y1 = F_.layer_norm(x, (3, 4), w, b, eps=1e-3)
            y2 = F_.layer_norm(x, [4])
            y3 = F_.embedding(lib.tensor(ids), e, padding_idx=0)
            loss = (y1 * y1).sum() + (y2 * x).sum() + (y3 * y3 * y3).sum()
            (gx, gw, ge) = lib.autograd.grad(loss, [x, w, e], create_graph=True)
            (gx * gx).sum().backward()  # (second derivatives)
            out[lib.__name__] = [
                np.asarray(t.tolist()) for t in (y1, y2, y3, gx, gw, ge, x.grad, w.grad, b.grad)
            ]
    for got, want in zip(out["polytensor"], out["torch"], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_layer_norm_and_embedding_modules_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (pt, torch):
        ln = lib.nn.LayerNorm((3, 4), eps=1e-3)
        assert repr(ln) == "LayerNorm((3, 4), eps=0.001, elementwise_affine=True, bias=True)"
        with pytest.raises(TypeError):
            lib.nn.functional.layer_norm(lib.ones(2, 4), 4)
        assert ln.weight.tolist() == [[1.0] * 4] * 3 and ln.bias.tolist() == [[0.0] * 4] * 3
        assert lib.nn.LayerNorm(4, elementwise_affine=False).weight is None
        assert lib.nn.LayerNorm(4, bias=False).bias is None
        emb = lib.nn.Embedding(10, 3, padding_idx=-1)
        assert repr(emb) == "Embedding(10, 3, padding_idx=9)"
        assert emb.weight[9].tolist() == [0.0, 0.0, 0.0]
        y = emb(lib.tensor([[9, 2]]))
        y.sum().backward()
        assert emb.weight.grad[9].tolist() == [0.0] * 3 and emb.weight.grad[2].tolist() == [1.0] * 3
        assert tuple(y.shape) == (1, 2, 3)
        with pytest.raises(IndexError):
            emb(lib.tensor([10]))
        with pytest.raises(RuntimeError):
            emb(lib.tensor([1.0]))
        with pytest.raises(RuntimeError):
            lib.nn.functional.layer_norm(lib.ones(2, 3), (4,))
    names = [
        n for n, _ in pt.nn.Sequential(pt.nn.Embedding(5, 2), pt.nn.LayerNorm(2)).named_parameters()
    ]
    assert names == ["0.weight", "1.weight", "1.bias"]


@pytest.mark.parametrize("backend_name", ["numpy", "dask", "array_api_strict"])
def test_trunc_normal_and_eye_init_as_torch(backend_name: str) -> None:
    torch = pytest.importorskip("torch")
    with pt.use_backend(backend_name):
        w = pt.nn.init.trunc_normal_(pt.empty((200, 100)), mean=0.5, std=2.0, a=-1.0, b=3.0)
        v = np.asarray(w.tolist())
    t = torch.nn.init.trunc_normal_(torch.empty(200, 100), mean=0.5, std=2.0, a=-1.0, b=3.0)
    tv = t.numpy()
    assert v.min() >= -1.0 and v.max() <= 3.0
    # the same truncated distribution: mean and std within 4 standard errors of torch's draw
    se = tv.std() / np.sqrt(tv.size)
    assert abs(v.mean() - tv.mean()) < 4 * np.sqrt(2) * se
    assert abs(v.std() - tv.std()) < 0.05 * tv.std()
    for shape in ((2, 3), (3, 2), (2, 2)):
        got = pt.nn.init.eye_(pt.empty(shape)).tolist()
        assert got == torch.nn.init.eye_(torch.empty(shape)).tolist()
    with pytest.raises(ValueError, match="2 dimensions"):
        pt.nn.init.eye_(pt.empty((2, 2, 2)))


@pytest.mark.parametrize("backend_name", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_trains_and_evaluates_as_torch(backend_name: str, momentum: Any) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x1, x2 = rng.standard_normal((8, 3)) * 3 + 1, rng.standard_normal((8, 3, 5))
    x4 = rng.standard_normal((4, 2, 3, 3))
    w0 = rng.standard_normal((3, 3))
    out = {}
    with pt.use_backend(backend_name):
        for lib in (pt, torch):
            nn = lib.nn
            lin = nn.Linear(3, 3).double()
            with lib.no_grad():
                lin.weight.copy_(lib.tensor(w0))
                lin.bias.zero_()
            bn = nn.BatchNorm1d(3, momentum=momentum).double()
            bn2 = nn.BatchNorm2d(2, affine=False).double()
            opt = lib.optim.SGD([*lin.parameters(), *bn.parameters()], lr=0.1)
            seen = []
            for step in range(3):
                opt.zero_grad()
                y = bn(lin(lib.tensor(x1 + step)))
                z = bn(lib.tensor(x2).transpose(1, 2).transpose(1, 2))
                (y.pow(3).sum() + z.pow(2).sum() + bn2(lib.tensor(x4)).sum()).backward()
                opt.step()
                seen += [y.tolist(), bn.running_mean.tolist(), bn.running_var.tolist()]
            bn.eval()
            seen += [bn(lib.tensor(x1)).tolist(), lin.weight.tolist(), bn.weight.tolist()]
            seen.append(int(bn.num_batches_tracked.item()))
            seen.append(sorted(bn.state_dict()))
            seen.append(repr(bn))
            out[lib.__name__] = seen
    for got, want in zip(out["polytensor"], out["torch"], strict=True):
        if isinstance(want, (str, int)) or (
            isinstance(want, list) and want and isinstance(want[0], str)
        ):
            assert got == want
        else:
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-9, atol=1e-12)


def test_batch_norm_refuses_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (pt, torch):
        with pytest.raises(ValueError, match="more than 1 value per channel"):
            lib.nn.BatchNorm1d(3)(lib.ones(1, 3))
        with pytest.raises(ValueError, match="expected 2D or 3D input"):
            lib.nn.BatchNorm1d(3)(lib.ones(3))
        bn = lib.nn.BatchNorm1d(3, track_running_stats=False)
        assert bn.running_mean is None
        bn.eval()
        assert tuple(bn(lib.ones(2, 3)).shape) == (2, 3)  # (batch statistics in eval too)


def test_layer_norm_and_embedding_refuse_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (pt, torch):
        F_ = lib.nn.functional
        x = lib.ones(2, 3)
        with pytest.raises(RuntimeError, match="same shape"):
            F_.layer_norm(x, (3,), lib.ones(1))
        with pytest.raises(RuntimeError, match=r"(?i)dtype"):
            F_.layer_norm(x, (3,), lib.ones(3, dtype=lib.float64))
        with pytest.raises(RuntimeError):
            F_.embedding(lib.tensor([1], dtype=lib.uint8), lib.ones(3, 2))
        with pytest.raises((ValueError, AssertionError)):
            F_.embedding(lib.tensor([1]), lib.ones(3, 2), padding_idx=5)
        emb = lib.nn.Embedding.from_pretrained(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
        assert emb(lib.tensor([1])).tolist() == [[3.0, 4.0]] and not emb.weight.requires_grad
        assert repr(lib.nn.Embedding(4, 2, sparse=True)) == "Embedding(4, 2, sparse=True)"
    with pt.use_backend("dask"):
        r = pt.nn.functional.embedding(pt.asarray([-2]), pt.ones((3, 2)))
        with pytest.raises(IndexError):
            r.to("numpy")  # (a negative id is refused when computed, as torch refuses it)


def test_batch_norm_corners_as_torch() -> None:
    torch = pytest.importorskip("torch")
    for lib in (pt, torch):
        bn = lib.nn.BatchNorm1d(3)
        y = bn(lib.zeros(0, 3))  # (an empty batch: itself, the statistics unchanged)
        assert tuple(y.shape) == (0, 3) and bn.running_mean.tolist() == [0.0] * 3
        sd = dict(lib.nn.BatchNorm1d(3).state_dict())
        del sd["num_batches_tracked"]  # (an older checkpoint)
        bn.load_state_dict(sd)
        with pytest.raises(RuntimeError, match="evaluation mode"):
            lib.nn.functional.batch_norm(lib.ones(2, 3), None, None, training=False)
        with pytest.raises(RuntimeError, match="should contain 3 elements"):
            lib.nn.functional.batch_norm(lib.ones(2, 3), lib.zeros(5), lib.ones(5))
    with pt.use_backend("dask"):  # (a batch of unknown length, after a mask)
        x = pt.asarray(np.random.default_rng(1).standard_normal((6, 3)))
        bn = pt.nn.BatchNorm1d(3).double()
        bn(x[x[:, 0] > -100])
        want = torch.nn.BatchNorm1d(3, dtype=torch.float64)
        want(torch.tensor(x.to("numpy").numpy()))
        np.testing.assert_allclose(
            np.asarray(bn.running_var.tolist()), want.running_var.detach().numpy(), rtol=1e-12
        )


@pytest.mark.parametrize("backend_name", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (3, 2, 4), (6, 2, 2)])
def test_orthogonal_init_as_torch_s(backend_name: str, shape: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend_name)
    w = pt.empty(shape, dtype=pt.float64, device=backend_name, requires_grad=True)
    assert pt.nn.init.orthogonal_(w, gain=2.0) is w and w.requires_grad
    flat = np.asarray(w.detach().to("numpy").tolist()).reshape(shape[0], -1) / 2.0
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)  # (semi-)orthogonal
    t = torch.nn.init.orthogonal_(torch.empty(shape, dtype=torch.float64), gain=2.0)
    tflat = t.reshape(shape[0], -1).numpy() / 2.0
    tgram = tflat @ tflat.T if tflat.shape[0] == small else tflat.T @ tflat
    np.testing.assert_allclose(tgram, np.eye(small), atol=1e-12)  # (the same property)
    _ = nn.init.manual_seed(3)
    a = pt.nn.init.orthogonal_(pt.empty(shape)).tolist()
    _ = nn.init.manual_seed(3)
    assert pt.nn.init.orthogonal_(pt.empty(shape)).tolist() == a  # (seeded, as nn.init)
    for bad in (pt.empty(3), pt.empty(())):
        with pytest.raises(ValueError, match="2 or more dimensions"):
            pt.nn.init.orthogonal_(bad)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        torch.nn.init.orthogonal_(torch.empty(3))
    assert pt.nn.init.orthogonal_(pt.empty((0, 3))).shape == (0, 3)
