"""Transposed convolutions (``F.conv_transpose2d``, ``F.conv_transpose1d``, ``nn.ConvTranspose2d``,
``nn.ConvTranspose1d``) and the small layers GAN tutorials use (``nn.Dropout2d``, ``nn.PReLU``,
``nn.Unflatten``): torch's values, gradients (first and second order), parameters, reprs and
error classes, on every CPU backend."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

torch = pytest.importorskip("torch")

CPU_BACKENDS = ["numpy", "dask", "array_api_strict"]


def _backend_param(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


@pytest.fixture(params=[_backend_param(b) for b in CPU_BACKENDS])
def backend(request: pytest.FixtureRequest) -> str:
    pt.set_backend(request.param)
    return str(request.param)


# (input shape, weight shape, stride, padding, output_padding, groups, dilation, bias)
CASES_2D: dict[str, tuple[Any, ...]] = {
    "plain": ((2, 3, 5, 4), (3, 2, 3, 3), 1, 0, 0, 1, 1, True),
    "DCGAN's first layer": ((2, 8, 1, 1), (8, 6, 4, 4), 1, 0, 0, 1, 1, False),
    "DCGAN's upsampling": ((2, 4, 4, 4), (4, 3, 4, 4), 2, 1, 0, 1, 1, False),
    "stride 3, output_padding": ((1, 2, 3, 4), (2, 3, 3, 2), 3, 1, 2, 1, 1, True),
    "pairs": ((2, 2, 4, 5), (2, 2, 3, 2), (2, 3), (1, 0), (1, 2), 1, (1, 2), True),
    "padding over the kernel": ((1, 2, 6, 6), (2, 2, 2, 2), 3, 2, 0, 1, 1, True),
    "dilation": ((2, 2, 4, 4), (2, 3, 3, 3), 2, 1, 1, 1, 2, True),
    "dilation with output_padding": ((1, 2, 4, 3), (2, 2, 2, 3), 1, 0, 1, 1, 2, False),
    "groups": ((2, 4, 3, 3), (4, 3, 3, 3), 2, 1, 1, 2, 1, True),
    "depthwise": ((1, 3, 4, 4), (3, 1, 2, 2), 2, 0, 0, 3, 1, True),
    "1x1": ((2, 3, 3, 3), (3, 4, 1, 1), 2, 0, 1, 1, 1, True),
    "unbatched": ((3, 4, 4), (3, 2, 3, 3), 2, 1, 1, 1, 1, True),
}

CASES_1D: dict[str, tuple[Any, ...]] = {
    "plain": ((2, 3, 6), (3, 2, 3), 1, 0, 0, 1, 1, True),
    "stride and padding": ((2, 3, 5), (3, 4, 4), 2, 1, 0, 1, 1, False),
    "output_padding": ((1, 2, 4), (2, 3, 3), 3, 1, 2, 1, 1, True),
    "dilation, groups": ((2, 4, 5), (4, 1, 3), 2, 2, 1, 2, 3, True),
    "unbatched": ((3, 7), (3, 2, 5), (2,), (1,), (1,), 1, (1,), True),
}


def _arrays(case: tuple[Any, ...], dtype: str, seed: int) -> tuple[np.ndarray, ...]:
    xs, ws, *_, groups, _dilation, bias = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[1] * groups).astype(dtype) if bias else None
    return x, w, b


def _run(lib: Any, fn_name: str, case: tuple[Any, ...], arrays: Any) -> list[np.ndarray]:
    """The output and the gradients of input, weight and bias of ``sum(out * seed)``."""
    stride, padding, output_padding, groups, dilation = case[2:7]
    tensors = [None if a is None else lib.tensor(a, requires_grad=True) for a in arrays]
    fn = getattr(lib.nn.functional, fn_name)
    out = fn(*tensors, stride, padding, output_padding, groups, dilation)
    seed = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(arrays[0].dtype)
    (out * lib.tensor(seed)).sum().backward()
    return [out.detach().numpy()] + [t.grad.numpy() for t in tensors if t is not None]


def _compare(fn_name: str, case: tuple[Any, ...], dtype: str) -> None:
    arrays = _arrays(case, dtype, seed=len(str(case)))
    got = _run(pt, fn_name, case, arrays)
    want = _run(torch, fn_name, case, arrays)
    tol = 1e-10 if dtype == "float64" else 1e-5
    for name, g, r in zip(
        ("output", "input grad", "weight grad", "bias grad"), got, want, strict=False
    ):
        assert g.shape == r.shape and g.dtype == r.dtype, name
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol, err_msg=name)


@pytest.mark.parametrize("case", list(CASES_2D.values()), ids=list(CASES_2D))
def test_conv_transpose2d_gives_torchs_values_and_gradients(case: Any, backend: str) -> None:
    _compare("conv_transpose2d", case, "float64")


@pytest.mark.parametrize("case", list(CASES_1D.values()), ids=list(CASES_1D))
def test_conv_transpose1d_gives_torchs_values_and_gradients(case: Any, backend: str) -> None:
    _compare("conv_transpose1d", case, "float64")


@pytest.mark.parametrize("name", ["DCGAN's upsampling", "groups", "unbatched"])
def test_conv_transpose2d_in_float32_gives_torchs_values(name: str) -> None:
    _compare("conv_transpose2d", CASES_2D[name], "float32")


def test_conv_transpose1d_in_float32_gives_torchs_values() -> None:
    _compare("conv_transpose1d", CASES_1D["dilation, groups"], "float32")


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("case", list(CASES_2D.values()), ids=list(CASES_2D))
def test_conv_transpose2d_with_an_infinite_weight_is_torchs(case: Any, backend: str) -> None:
    # torch adds the blocks of weight times input (col2im): inf where an infinite tap meets a
    # nonzero input, NaN only where it meets a zero of the input; never a NaN from the zeros
    # a stride or a padding puts between the input's elements
    x, w, _ = _arrays(case, "float64", seed=3)
    w[(0,) * w.ndim] = np.inf
    w[(-1,) * w.ndim] = -np.inf
    x[(0,) * x.ndim] = 0.0
    stride, padding, output_padding, groups, dilation = case[2:7]
    args = (stride, padding, output_padding, groups, dilation)
    got = F.conv_transpose2d(pt.asarray(x), pt.asarray(w), None, *args).numpy()
    want = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), None, *args)
    want = want.numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_conv_transpose2d_stays_lazy_on_dask() -> None:
    if pt.backends.available().get("dask") != "available":
        pytest.skip("dask is not available")
    pt.set_backend("dask")
    x = pt.ones((2, 4, 3, 3))
    out = F.conv_transpose2d(x, pt.ones((4, 2, 4, 4)), stride=2, padding=1)
    assert type(out._data).__module__.startswith("dask"), type(out._data)
    assert out.shape == (2, 2, 6, 6)


@pytest.mark.parametrize("backend_name", ["numpy", "array_api_strict"])
def test_conv_transpose2d_second_derivatives_are_torchs(backend_name: str) -> None:
    if pt.backends.available().get(backend_name) != "available":
        pytest.skip(f"{backend_name} is not available")
    pt.set_backend(backend_name)
    case = CASES_2D["groups"]
    arrays = _arrays(case, "float64", seed=5)
    rng = np.random.default_rng(6)
    seeds = [rng.standard_normal(a.shape) for a in arrays]

    def second(lib: Any) -> list[np.ndarray]:
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = lib.nn.functional.conv_transpose2d(*ts, *case[2:7])
        y = (out * out).sum()  # (quadratic: the second derivative is not zero)
        grads = lib.autograd.grad(y, ts, create_graph=True)
        z = sum((g * lib.tensor(s)).sum() for g, s in zip(grads, seeds, strict=True))
        return [g.numpy() for g in lib.autograd.grad(z, ts)]

    for g, r in zip(second(pt), second(torch), strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-10)


def test_conv_transpose_passes_gradgradcheck() -> None:
    rng = np.random.default_rng(7)
    x = pt.asarray(rng.standard_normal((1, 2, 3, 3)), requires_grad=True)
    w = pt.asarray(rng.standard_normal((2, 2, 2, 3)), requires_grad=True)
    fn = lambda a, b: F.conv_transpose2d(a, b, stride=2, padding=1, output_padding=1)  # noqa: E731
    assert pt.autograd.gradcheck(fn, (x, w))
    assert pt.autograd.gradgradcheck(fn, (x, w))
    x1 = pt.asarray(rng.standard_normal((1, 2, 4)), requires_grad=True)
    w1 = pt.asarray(rng.standard_normal((2, 1, 3)), requires_grad=True)
    assert pt.autograd.gradgradcheck(lambda a, b: F.conv_transpose1d(a, b, stride=3), (x1, w1))


# -- errors: torch's classes (RuntimeError; polytensor's is also a ValueError) ----------------
BAD_2D: dict[str, tuple[tuple[int, ...], tuple[int, ...], dict[str, Any], str]] = {
    "a 3-D weight": ((1, 4, 5, 5), (4, 2, 3), {}, "4-D weight"),
    "a 2-D input": ((5, 5), (4, 2, 3, 3), {}, "3-D .* or 4-D"),
    "channels that do not match": ((1, 4, 5, 5), (3, 2, 3, 3), {}, "4 channels"),
    "output_padding equal to stride": ((1, 4, 5, 5), (4, 2, 3, 3), {"output_padding": 1}, "or"),
    "output_padding over stride and dilation": (
        (1, 4, 5, 5),
        (4, 2, 3, 3),
        {"stride": 2, "dilation": 2, "output_padding": (0, 2)},
        "smaller than either stride",
    ),
    "groups not dividing the channels": ((1, 4, 5, 5), (4, 2, 3, 3), {"groups": 3}, "divisible"),
    "no groups": ((1, 4, 5, 5), (4, 2, 3, 3), {"groups": 0}, "positive"),
    "a stride of 0": ((1, 4, 5, 5), (4, 2, 3, 3), {"stride": 0}, "positive"),
    "a dilation of 0": ((1, 4, 5, 5), (4, 2, 3, 3), {"dilation": 0}, "positive"),
    "negative padding": ((1, 4, 5, 5), (4, 2, 3, 3), {"padding": -1}, "non-negative"),
    "negative output_padding": (
        (1, 4, 5, 5),
        (4, 2, 3, 3),
        {"stride": 2, "output_padding": -1},
        "non-negative",
    ),
    "an output of no size": ((1, 4, 5, 5), (4, 2, 3, 3), {"padding": 5}, "too small"),
    "a bias of the wrong size": (
        (1, 4, 5, 5),
        (4, 2, 3, 3),
        {"bias": (3,)},
        r"bias of shape \(2,\)",
    ),
}


@pytest.mark.parametrize("bad", list(BAD_2D.values()), ids=list(BAD_2D))
def test_conv_transpose2d_refuses_what_torch_refuses(bad: Any) -> None:
    xs, ws, kwargs, match = bad
    for lib in (torch, pt):
        args = {k: lib.ones(v) if k == "bias" else v for k, v in kwargs.items()}
        with pytest.raises(RuntimeError, match=None if lib is torch else match) as info:
            lib.nn.functional.conv_transpose2d(lib.ones(xs), lib.ones(ws), **args)
        if lib is pt:
            assert isinstance(info.value, ValueError)


def test_conv_transpose1d_refuses_what_torch_refuses() -> None:
    for lib in (torch, pt):
        F_ = lib.nn.functional
        with pytest.raises(RuntimeError):
            F_.conv_transpose1d(lib.ones(1, 4, 5), lib.ones(4, 2, 3, 3))
        with pytest.raises(RuntimeError):
            F_.conv_transpose1d(lib.ones(1, 4, 5), lib.ones(4, 2, 3), output_padding=1)
        with pytest.raises(RuntimeError):
            F_.conv_transpose1d(lib.ones(1, 4, 5), lib.ones(4, 2, 3), groups=3)
    with pytest.raises(RuntimeError, match=r"output_padding \(2,\) must be smaller.*\(2,\)"):
        F.conv_transpose1d(pt.ones(1, 4, 5), pt.ones(4, 2, 3), stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match="stride"):  # (PyTorch's class: two ints for one)
        F.conv_transpose1d(pt.ones(1, 4, 5), pt.ones(4, 2, 3), stride=(1, 2))


# -- modules --------------------------------------------------------------------------------------
MODULES: dict[str, tuple[str, tuple[Any, ...], dict[str, Any], tuple[int, ...]]] = {
    "DCGAN's first": ("ConvTranspose2d", (8, 6, 4, 1, 0), {"bias": False}, (2, 8, 1, 1)),
    "DCGAN's middle": ("ConvTranspose2d", (6, 4, 4, 2, 1), {"bias": False}, (2, 6, 4, 4)),
    "everything": (
        "ConvTranspose2d",
        (4, 6, (3, 2)),
        {"stride": (2, 3), "padding": 1, "output_padding": (1, 0), "groups": 2, "dilation": 1},
        (1, 4, 3, 3),
    ),
    "1-D": (
        "ConvTranspose1d",
        (4, 2, 3),
        {"stride": 2, "dilation": 2, "output_padding": 1},
        (3, 4, 5),
    ),
}


@pytest.mark.parametrize("spec", list(MODULES.values()), ids=list(MODULES))
def test_conv_transpose_modules_match_torchs(spec: Any, backend: str) -> None:
    cls, args, kwargs, shape = spec
    ours = getattr(nn, cls)(*args, **kwargs, dtype=pt.float64)
    theirs = getattr(torch.nn, cls)(*args, **kwargs, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    for k, v in ours.state_dict().items():
        assert tuple(v.shape) == tuple(state[k].shape), k
    ours.load_state_dict({k: pt.asarray(v.numpy()) for k, v in state.items()})
    x = np.random.default_rng(8).standard_normal(shape)
    got = ours(pt.asarray(x))
    want = theirs(torch.from_numpy(x))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10)
    got.sum().backward()
    want.sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("cls", ["ConvTranspose2d", "ConvTranspose1d"])
def test_conv_transpose_initialisation_uses_torchs_fan(cls: str) -> None:
    """PyTorch's fan-in of a transposed conv's weight (C_in, C_out/groups, *k) is
    C_out/groups * k: kaiming_uniform_(a=sqrt(5)) bounds the weight by 1/sqrt(fan_in), and the
    bias too."""
    pt.manual_seed(0)
    m = getattr(nn, cls)(2, 40, 3, groups=2)
    fan_in = 20 * 3 ** (2 if cls.endswith("2d") else 1)
    bound = 1 / math.sqrt(fan_in)
    for p in (m.weight, m.bias):
        v = p.detach().numpy()
        assert np.abs(v).max() <= bound and np.abs(v).max() > 0.8 * bound
    assert m.weight.shape == ((2, 20, 3, 3) if cls.endswith("2d") else (2, 20, 3))
    assert m.weight.dtype == pt.float32 and m.transposed


def test_conv_transpose_output_size_picks_the_output_padding() -> None:
    for size in ([11, 11], [12, 12], (1, 6, 12, 11)):
        ours = nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2)
        theirs = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2)
        got = ours(pt.ones((1, 4, 5, 5)), output_size=size)
        assert got.shape == tuple(theirs(torch.ones(1, 4, 5, 5), output_size=size).shape)
    for lib in (torch, pt):
        m = lib.nn.ConvTranspose2d(4, 6, 3, stride=2)
        with pytest.raises(ValueError, match=r"valid sizes range from \[11, 11\] to \[12, 12\]"):
            m(lib.ones(1, 4, 5, 5), output_size=[14, 14])
        with pytest.raises(ValueError, match="output_size must have 2 or 4 elements"):
            m(lib.ones(1, 4, 5, 5), output_size=[14])
        m1 = lib.nn.ConvTranspose1d(4, 6, 3, stride=3)
        assert tuple(m1(lib.ones(4, 5), output_size=[17]).shape) == (6, 17)


def test_conv_transpose_modules_refuse_what_torch_refuses() -> None:
    for lib in (torch, pt):
        with pytest.raises(ValueError, match="divisible by groups"):
            lib.nn.ConvTranspose2d(4, 6, 3, groups=4)
        with pytest.raises(ValueError, match='"zeros" padding mode'):
            lib.nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect")
    with pytest.raises(TypeError, match="padding='same' is not supported"):
        nn.ConvTranspose2d(4, 6, 3, padding="same")


# -- Dropout2d, PReLU, Unflatten --------------------------------------------------------------
def test_dropout2d_drops_whole_channels(backend: str) -> None:
    pt.manual_seed(0)
    drop = nn.Dropout2d(0.4)
    x = pt.ones((8, 16, 3, 3), requires_grad=True)
    y = drop(x)
    v = y.detach().numpy()
    assert set(np.unique(v).tolist()) <= {0.0, float(np.float32(1 / 0.6))}
    assert 0 < (v == 0).mean() < 1
    assert (v == v[:, :, :1, :1]).all()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), v)  # the mask, scaled
    assert drop.eval()(x) is x
    assert repr(drop) == repr(torch.nn.Dropout2d(0.4)) == "Dropout2d(p=0.4, inplace=False)"


def test_dropout2d_warns_and_refuses_as_torch_does() -> None:
    for lib in (torch, pt):
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            y = lib.nn.functional.dropout2d(lib.ones(4, 3, 5), 0.5)
        v = y.numpy()
        assert (v == v[:, :, :1]).all()
        with pytest.raises(ValueError, match="between 0 and 1"):
            lib.nn.Dropout2d(1.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError):
                lib.nn.functional.dropout2d(lib.ones(3), 0.5)
    x = pt.ones((2, 3, 4, 4))
    assert F.dropout2d(x, 1.0).numpy().max() == 0.0
    assert F.dropout2d(x, 0.5, inplace=True) is x


@pytest.mark.parametrize(
    ("num_parameters", "shape"), [(1, (2, 3, 4)), (3, (2, 3, 4)), (3, (2, 3)), (1, (5,))]
)
def test_prelu_gives_torchs_values_and_gradients(
    num_parameters: int, shape: tuple[int, ...], backend: str
) -> None:
    x = np.random.default_rng(9).standard_normal(shape)
    x.flat[0] = 0.0  # (at 0 the gradient with respect to x is the slope's, as torch's)
    results = []
    for lib, to in ((pt, pt.asarray), (torch, torch.from_numpy)):
        m = lib.nn.PReLU(num_parameters, init=0.3).double()
        xt = to(x.copy()).requires_grad_()
        y = m(xt)
        (y * to(np.arange(float(np.prod(shape))).reshape(shape))).sum().backward()
        results.append([y.detach().numpy(), xt.grad.numpy(), m.weight.grad.numpy(), repr(m)])
    for g, r in zip(*results, strict=True):
        if isinstance(r, str):
            assert g == r
        else:
            np.testing.assert_allclose(g, r, rtol=1e-12)


def test_prelu_refuses_what_torch_refuses() -> None:
    for lib in (torch, pt):
        with pytest.raises(RuntimeError, match=r"(?i)channel"):
            lib.nn.functional.prelu(lib.ones(2, 3, 4), lib.ones(2))
        with pytest.raises(RuntimeError):
            lib.nn.functional.prelu(lib.ones(2, 3, 4), lib.ones(1, 3))
    assert nn.PReLU().weight.tolist() == [0.25]
    assert list(nn.PReLU(2).state_dict()) == ["weight"]


def test_unflatten_gives_torchs_shapes_and_errors(backend: str) -> None:
    cases = [(1, (2, 3)), (1, [3, -1]), (-1, (6, 1)), (0, (2, 2))]
    for dim, sizes in cases:
        got = nn.Unflatten(dim, sizes)(pt.ones((4, 6)))
        want = torch.nn.Unflatten(dim, sizes)(torch.ones(4, 6))
        assert got.shape == tuple(want.shape)
        assert repr(nn.Unflatten(dim, sizes)) == repr(torch.nn.Unflatten(dim, sizes))
    x = pt.arange(24.0, requires_grad=True)
    y = nn.Unflatten(0, (2, 3, 4))(x)
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * np.arange(24.0))
    for lib in (torch, pt):
        with pytest.raises(RuntimeError, match="don't multiply up to the size of dim 1"):
            lib.nn.Unflatten(1, (4,))(lib.ones(4, 6))
        with pytest.raises(IndexError):
            lib.nn.Unflatten(5, (3, 2))(lib.ones(4, 6))
        with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints"):
            lib.nn.Unflatten(1, 6)
        with pytest.raises(TypeError, match="found element of type float at pos 0"):
            lib.nn.Unflatten(1, (2.0, 3))


def test_the_new_names_are_no_longer_listed_missing() -> None:
    for name in ("ConvTranspose1d", "ConvTranspose2d", "Dropout2d", "PReLU", "Unflatten"):
        assert name in nn.__all__ and hasattr(nn, name)
    for name in ("conv_transpose1d", "conv_transpose2d", "dropout2d", "prelu"):
        assert name in F.__all__ and hasattr(F, name)


@pytest.mark.parametrize(
    "case",
    [
        CASES_2D["DCGAN's upsampling"],
        CASES_2D["dilation with output_padding"],
        # columns of more than 8 MiB at stride 1: the wide path of NumPy's conv2d kernels
        ((32, 32, 20, 20), (32, 16, 3, 3), 1, 1, 0, 1, 1, False),
    ],
    ids=["strided", "dilated", "wide"],
)
@pytest.mark.parametrize("needs", [(True, True), (True, False), (False, True)])
def test_conv_transpose2d_is_one_node_on_numpy(case: Any, needs: tuple[bool, bool]) -> None:
    # NumPy's window kernels make it one graph node, with the gradients asked for only
    x0, w0, _ = _arrays(case, "float64", seed=7)
    stride, padding, output_padding, groups, dilation = case[2:7]

    def run(lib: Any) -> list[Any]:
        x = lib.tensor(x0, requires_grad=needs[0])
        w = lib.tensor(w0, requires_grad=needs[1])
        out = lib.nn.functional.conv_transpose2d(
            x, w, None, stride, padding, output_padding, groups, dilation
        )
        seed = np.random.default_rng(2).standard_normal(tuple(out.shape))
        (out * lib.tensor(seed)).sum().backward()
        grads = [t.grad for t in (x, w) if t.requires_grad]
        return [out, *grads]

    with pt.use_backend("numpy"):
        got = run(pt)
        assert got[0].grad_fn.name() == "ConvolutionBackward0"
    want = run(torch)
    for g, r in zip(got, want, strict=True):
        np.testing.assert_allclose(g.detach().numpy(), r.detach().numpy(), rtol=1e-10, atol=1e-10)
