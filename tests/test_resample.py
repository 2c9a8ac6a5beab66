"""Resampling (``F.interpolate``, ``F.pixel_shuffle``/``pixel_unshuffle``, ``F.unfold``/``fold``,
``F.affine_grid``, ``F.grid_sample`` and their layers): torch's values and gradients in float64
(of the input, and of the grid and theta), second derivatives, errors and warnings, on NumPy,
and a subset on Dask and array-api-strict."""

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
TF = torch.nn.functional

RTOL, ATOL = 1e-10, 1e-12


def _backend_param(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


@pytest.fixture(params=[_backend_param(b) for b in ("dask", "array_api_strict")])
def other_backend(request: pytest.FixtureRequest) -> str:
    pt.set_backend(request.param)
    return str(request.param)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


def _close(got: Any, want: Any, what: str = "") -> None:
    want = np.asarray(want.detach().numpy() if hasattr(want, "detach") else want)
    got = _host(got) if hasattr(got, "detach") else np.asarray(got)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=what)


def _both(
    fn_pt: Any, fn_torch: Any, arrays: list[np.ndarray], seed: int = 0
) -> tuple[Any, Any, list[Any], list[Any]]:
    """Both libraries' outputs of ``fn(*arrays)`` and the gradients of ``sum(out * r)`` (``r``
    random) in every array."""
    xs_pt = [pt.tensor(a, requires_grad=True) for a in arrays]
    xs_t = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_t = fn_torch(*xs_t)
    out_pt = fn_pt(*xs_pt)
    r = np.random.default_rng(seed).standard_normal(tuple(out_t.shape))
    grads_t = torch.autograd.grad((out_t * torch.tensor(r)).sum(), xs_t, allow_unused=True)
    grads_pt = pt.autograd.grad((out_pt * pt.tensor(r)).sum(), xs_pt, allow_unused=True)
    return out_pt, out_t, list(grads_pt), list(grads_t)


def _check(fn_pt: Any, fn_torch: Any, arrays: list[np.ndarray]) -> None:
    out_pt, out_t, grads_pt, grads_t = _both(fn_pt, fn_torch, arrays)
    _close(out_pt, out_t, "value")
    for i, (gp, gt) in enumerate(zip(grads_pt, grads_t, strict=True)):
        if gt is None or (gp is None and not gt.any()):
            continue  # (torch's zero gradient of the grid in mode='nearest')
        _close(gp, gt, f"gradient {i}")


# -- interpolate ---------------------------------------------------------------------------------
SHAPES = {1: (2, 3, 7), 2: (2, 3, 5, 6), 3: (1, 2, 3, 4, 5)}
MODES = {
    1: ["nearest", "nearest-exact", "area", "linear"],
    2: ["nearest", "nearest-exact", "area", "bilinear", "bicubic"],
    3: ["nearest", "nearest-exact", "area", "trilinear"],
}
SIZINGS: dict[str, dict[str, Any]] = {
    "x2": {"scale_factor": 2},
    "x1.5": {"scale_factor": 1.5},
    "x0.5": {"scale_factor": 0.5},
    "x0.7 recomputed": {"scale_factor": 0.7, "recompute_scale_factor": True},
    "x1.7 recomputed": {"scale_factor": 1.7, "recompute_scale_factor": True},
    "per-axis factors": {"scale_factor": (1.5, 0.8, 2.0)},
    "up to odd size": {"size": 11},
    "down": {"size": 3},
    "to one": {"size": 1},
    "per-axis sizes": {"size": (4, 9, 6)},
    "same size": {"size": (7, 6, 5)},
}


def _interpolate_cases() -> list[Any]:
    cases = []
    for dims, modes in MODES.items():
        for mode in modes:
            for sizing, kw in SIZINGS.items():
                kw = {k: v[:dims] if isinstance(v, tuple) else v for k, v in kw.items()}
                if "size" in kw and sizing == "same size":
                    kw["size"] = SHAPES[dims][2:]
                for ac in [None] if mode.startswith("nearest") or mode == "area" else [False, True]:
                    kwargs = dict(kw, mode=mode)
                    if ac is not None:
                        kwargs["align_corners"] = ac
                    cases.append(pytest.param(dims, kwargs, id=f"{dims}d-{mode}-{sizing}-ac{ac}"))
    return cases


@pytest.mark.parametrize(("dims", "kwargs"), _interpolate_cases())
def test_interpolate_matches_torch_values_and_gradients(dims: int, kwargs: Any) -> None:
    x = np.random.default_rng(dims).standard_normal(SHAPES[dims])
    _check(lambda t: F.interpolate(t, **kwargs), lambda t: TF.interpolate(t, **kwargs), [x])


def test_interpolate_of_float32_and_integers_as_torch() -> None:
    x = np.random.default_rng(1).standard_normal((1, 2, 5, 4)).astype(np.float32)
    got = F.interpolate(pt.tensor(x), scale_factor=1.5, mode="bilinear")
    want = TF.interpolate(torch.tensor(x), scale_factor=1.5, mode="bilinear")
    assert got.dtype == pt.float32
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-6)
    i = np.arange(12, dtype=np.uint8).reshape(1, 1, 3, 4)
    got_i = F.interpolate(pt.tensor(i), size=(5, 7))
    np.testing.assert_array_equal(got_i.numpy(), TF.interpolate(torch.tensor(i), (5, 7)).numpy())


def test_interpolate_second_derivative_matches_torch() -> None:
    """A Hessian-vector product of ``sum(bicubic(x) ** 3)``."""
    a = np.random.default_rng(3).standard_normal((1, 2, 4, 5))
    v = np.random.default_rng(4).standard_normal(a.shape)

    def hvp(lib: Any, fn: Any) -> Any:
        x = lib.tensor(a, requires_grad=True)
        y = fn(x, scale_factor=1.5, mode="bicubic", align_corners=False)
        (g,) = lib.autograd.grad((y**3).sum(), [x], create_graph=True)
        return lib.autograd.grad((g * lib.tensor(v)).sum(), [x])[0]

    _close(hvp(pt, F.interpolate), hvp(torch, TF.interpolate))


# -- grid_sample / affine_grid -------------------------------------------------------------------
GRID_CASES = [((5, 7), (4, 6)), ((6, 6), (9, 3)), ((1, 4), (2, 2))]


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize(("hw", "out"), GRID_CASES, ids=["5x7to4x6", "6x6to9x3", "1x4to2x2"])
def test_grid_sample_matches_torch_in_input_and_grid(
    hw: Any, out: Any, mode: str, padding_mode: str, align_corners: bool
) -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, *hw))
    grid = rng.uniform(-1.6, 1.6, (2, *out, 2))  # (some positions outside the image)
    kw = {"mode": mode, "padding_mode": padding_mode, "align_corners": align_corners}
    _check(
        lambda a, g: F.grid_sample(a, g, **kw), lambda a, g: TF.grid_sample(a, g, **kw), [x, grid]
    )


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize(("dhw", "out"), [((4, 5, 6), (3, 4, 2)), ((1, 3, 2), (2, 2, 5))])
def test_grid_sample_of_volumes_matches_torch_in_input_and_grid(
    dhw: Any, out: Any, mode: str, padding_mode: str, align_corners: bool
) -> None:
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 3, *dhw))
    grid = rng.uniform(-1.5, 1.5, (2, *out, 3))  # (some positions outside the volume)
    kw = {"mode": mode, "padding_mode": padding_mode, "align_corners": align_corners}
    _check(
        lambda a, g: F.grid_sample(a, g, **kw), lambda a, g: TF.grid_sample(a, g, **kw), [x, grid]
    )


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_matches_torch_in_theta(align_corners: bool) -> None:
    rng = np.random.default_rng(8)
    theta = rng.standard_normal((2, 2, 3))
    _check(
        lambda t: F.affine_grid(t, (2, 3, 5, 4), align_corners=align_corners),
        lambda t: TF.affine_grid(t, (2, 3, 5, 4), align_corners=align_corners),
        [theta],
    )
    theta3 = rng.standard_normal((2, 3, 4))
    _check(
        lambda t: F.affine_grid(t, (2, 1, 3, 5, 4), align_corners=align_corners),
        lambda t: TF.affine_grid(t, (2, 1, 3, 5, 4), align_corners=align_corners),
        [theta3],
    )


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_spatial_transformer_trains_theta_through_the_grid(padding_mode: str) -> None:
    """grid_sample of affine_grid: the gradient in the image and in theta, as torch's."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 1, 6, 5))
    theta = np.array([[[1.1, 0.2, 0.1], [-0.1, 0.9, 0.05]], [[0.8, -0.3, -0.2], [0.3, 1.2, 0.0]]])

    def stn(lib: Any) -> Any:
        fn = TF if lib is torch else F
        return lambda a, t: fn.grid_sample(
            a,
            fn.affine_grid(t, a.size(), align_corners=False),
            padding_mode=padding_mode,
            align_corners=False,
        )

    _check(stn(pt), stn(torch), [x, theta])


def test_grid_sample_second_derivative_in_the_grid_matches_torch() -> None:
    rng = np.random.default_rng(10)
    a, grid = rng.standard_normal((1, 2, 4, 5)), rng.uniform(-1, 1, (1, 3, 3, 2))
    v = rng.standard_normal(grid.shape)

    def hvp(lib: Any, fn: Any) -> Any:
        g = lib.tensor(grid, requires_grad=True)
        y = fn.grid_sample(lib.tensor(a), g, align_corners=False)
        (d,) = lib.autograd.grad((y**2).sum(), [g], create_graph=True)
        return lib.autograd.grad((d * lib.tensor(v)).sum(), [g])[0]

    _close(hvp(pt, F), hvp(torch, TF))


# -- pixel shuffle, unfold, fold -----------------------------------------------------------------
@pytest.mark.parametrize(("shape", "r"), [((2, 18, 3, 5), 3), ((8, 2, 2), 2), ((2, 2, 4, 3, 2), 1)])
def test_pixel_shuffle_and_unshuffle_match_torch(shape: Any, r: int) -> None:
    x = np.random.default_rng(11).standard_normal(shape)
    _check(lambda t: F.pixel_shuffle(t, r), lambda t: TF.pixel_shuffle(t, r), [x])
    y = TF.pixel_shuffle(torch.tensor(x), r).numpy()
    _check(lambda t: F.pixel_unshuffle(t, r), lambda t: TF.pixel_unshuffle(t, r), [y])


@pytest.mark.parametrize("r", [1, 2])
def test_pixel_shuffle_returns_a_copy(r: int) -> None:
    x = pt.ones((1, 4, 2, 2))
    for y in (F.pixel_shuffle(x, r), F.pixel_unshuffle(x, r)):
        y[...] = 5.0
        assert float(x.sum()) == 16.0


UNFOLD_CASES: dict[str, dict[str, Any]] = {
    "3x3": {"kernel_size": 3},
    "padding": {"kernel_size": 3, "padding": 1},
    "stride, dilation, pairs": {
        "kernel_size": (2, 3),
        "stride": 2,
        "padding": (1, 0),
        "dilation": (1, 2),
    },
    "non-overlapping": {"kernel_size": 2, "stride": 2},
    "gaps": {"kernel_size": 2, "stride": 3},
}


@pytest.mark.parametrize("kw", UNFOLD_CASES.values(), ids=list(UNFOLD_CASES))
@pytest.mark.parametrize("batched", [True, False])
def test_unfold_and_fold_match_torch(kw: Any, batched: bool) -> None:
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 3, 7, 8) if batched else (3, 7, 8))
    _check(lambda t: F.unfold(t, **kw), lambda t: TF.unfold(t, **kw), [x])
    cols = TF.unfold(torch.tensor(x), **kw).numpy()
    cols = rng.standard_normal(cols.shape)
    _check(lambda t: F.fold(t, (7, 8), **kw), lambda t: TF.fold(t, (7, 8), **kw), [cols])


# -- layers --------------------------------------------------------------------------------------
LAYERS: list[tuple[str, tuple[Any, ...], dict[str, Any], tuple[int, ...]]] = [
    ("Upsample", (), {"scale_factor": 2, "mode": "nearest"}, (1, 2, 3, 4)),
    ("Upsample", (), {"size": (5, 3), "mode": "bicubic", "align_corners": True}, (1, 2, 3, 4)),
    ("Upsample", (), {"scale_factor": (1.5, 2.0), "mode": "bilinear"}, (1, 2, 3, 4)),
    ("UpsamplingNearest2d", (), {"scale_factor": 3}, (1, 2, 3, 4)),
    ("UpsamplingBilinear2d", (), {"size": 6}, (1, 2, 3, 4)),
    ("PixelShuffle", (2,), {}, (1, 8, 3, 4)),
    ("PixelUnshuffle", (2,), {}, (1, 2, 4, 6)),
    ("Unfold", (), {"kernel_size": (2, 3), "padding": 1}, (2, 3, 4, 5)),
    ("Fold", ((4, 5), 2), {"stride": 1}, (2, 12, 12)),
]


@pytest.mark.parametrize(("name", "args", "kw", "shape"), LAYERS)
def test_layers_match_torch_and_print_as_torch(name: str, args: Any, kw: Any, shape: Any) -> None:
    x = np.random.default_rng(13).standard_normal(shape)
    mine, theirs = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(mine) == repr(theirs)
    _check(mine, theirs, [x])


# -- other backends ------------------------------------------------------------------------------
def test_every_function_matches_torch_on_other_backends(other_backend: str) -> None:
    rng = np.random.default_rng(14)
    x = rng.standard_normal((2, 2, 5, 6))
    grid = rng.uniform(-1.3, 1.3, (2, 4, 3, 2))
    theta = rng.standard_normal((2, 2, 3))
    checks: list[tuple[Any, Any, list[np.ndarray]]] = [
        (
            lambda t: F.interpolate(t, scale_factor=1.5, mode="bilinear"),
            lambda t: TF.interpolate(t, scale_factor=1.5, mode="bilinear"),
            [x],
        ),
        (
            lambda t: F.interpolate(t, size=(4, 9), mode="bicubic", align_corners=True),
            lambda t: TF.interpolate(t, size=(4, 9), mode="bicubic", align_corners=True),
            [x],
        ),
        (lambda t: F.interpolate(t, size=7), lambda t: TF.interpolate(t, size=7), [x]),
        (
            lambda t: F.interpolate(t, size=(3, 4), mode="area"),
            lambda t: TF.interpolate(t, size=(3, 4), mode="area"),
            [x],
        ),
        (
            lambda a, g: F.grid_sample(a, g, "bicubic", "reflection", align_corners=True),
            lambda a, g: TF.grid_sample(a, g, "bicubic", "reflection", align_corners=True),
            [x, grid],
        ),
        (
            lambda a, g: F.grid_sample(a, g, padding_mode="border", align_corners=False),
            lambda a, g: TF.grid_sample(a, g, padding_mode="border", align_corners=False),
            [rng.standard_normal((2, 2, 3, 4, 5)), rng.uniform(-1.3, 1.3, (2, 2, 3, 2, 3))],
        ),
        (
            lambda t: F.pixel_shuffle(t, 2),
            lambda t: TF.pixel_shuffle(t, 2),
            [rng.standard_normal((1, 8, 2, 3))],
        ),
        (
            lambda t: F.unfold(t, 3, padding=1, stride=2),
            lambda t: TF.unfold(t, 3, padding=1, stride=2),
            [x],
        ),
        (
            lambda t: F.fold(t, (5, 6), 2),
            lambda t: TF.fold(t, (5, 6), 2),
            [rng.standard_normal((2, 8, 20))],
        ),
        (
            lambda a, g: F.grid_sample(a, g, padding_mode="reflection", align_corners=False),
            lambda a, g: TF.grid_sample(a, g, padding_mode="reflection", align_corners=False),
            [x, grid],
        ),
        (
            lambda t: F.affine_grid(t, (2, 1, 3, 4), align_corners=True),
            lambda t: TF.affine_grid(t, (2, 1, 3, 4), align_corners=True),
            [theta],
        ),
    ]
    for fn_pt, fn_torch, arrays in checks:
        out, _, grads, _ = _both(fn_pt, fn_torch, arrays)
        assert out.device == pt.asarray(0.0).device and out._backend.name == other_backend
        assert all(g._backend.name == other_backend for g in grads)
        _check(fn_pt, fn_torch, arrays)


# -- errors and warnings -------------------------------------------------------------------------
X4 = np.zeros((1, 2, 4, 4))

ERRORS: list[tuple[str, Any, Any]] = [
    ("size and scale", lambda F, x: F.interpolate(x, size=2, scale_factor=2), ValueError),
    ("neither", lambda F, x: F.interpolate(x), ValueError),
    (
        "align_corners with nearest",
        lambda F, x: F.interpolate(x, size=2, align_corners=True),
        ValueError,
    ),
    ("size's length", lambda F, x: F.interpolate(x, size=(2, 3, 4)), ValueError),
    ("factors' length", lambda F, x: F.interpolate(x, scale_factor=(2.0,)), ValueError),
    ("size of floats", lambda F, x: F.interpolate(x, size=(2.5, 3)), TypeError),
    (
        "recompute with size",
        lambda F, x: F.interpolate(x, size=2, recompute_scale_factor=True),
        ValueError,
    ),
    ("linear on 4-D", lambda F, x: F.interpolate(x, size=2, mode="linear"), NotImplementedError),
    ("unknown mode", lambda F, x: F.interpolate(x, size=2, mode="cubic"), NotImplementedError),
    (
        "antialias with nearest",
        lambda F, x: F.interpolate(x, size=2, antialias=True),
        ValueError,
    ),
    ("to size 0", lambda F, x: F.interpolate(x, scale_factor=0.1), RuntimeError),
    ("pixel_shuffle channels", lambda F, x: F.pixel_shuffle(x, 3), RuntimeError),
    ("pixel_shuffle of 2-D", lambda F, x: F.pixel_shuffle(x[0, 0], 2), RuntimeError),
    ("pixel_unshuffle height", lambda F, x: F.pixel_unshuffle(x, 3), RuntimeError),
    ("unfold of 5-D", lambda F, x: F.unfold(x[None], 2), RuntimeError),
    ("unfold's kernel too big", lambda F, x: F.unfold(x, 5), RuntimeError),
    ("unfold's stride 0", lambda F, x: F.unfold(x, 2, stride=0), RuntimeError),
    ("fold's channels", lambda F, x: F.fold(x[0], (4, 4), 3), RuntimeError),
    ("fold's block count", lambda F, x: F.fold(x[0, :, :4], (5, 5), 2), RuntimeError),
    ("grid_sample mode", lambda F, x: F.grid_sample(x, x, mode="area"), ValueError),
    (
        "grid_sample padding",
        lambda F, x: F.grid_sample(x, x, padding_mode="wrap", align_corners=False),
        ValueError,
    ),
    (
        "grid of 3 coordinates",
        lambda F, x: F.grid_sample(x, x[:, :1, :3], align_corners=False),
        RuntimeError,
    ),
    (
        "grid's batch",
        lambda F, x: F.grid_sample(x, x[:, :, :, :2].expand(2, 2, 4, 2), align_corners=False),
        RuntimeError,
    ),
    (
        "bicubic of a volume",
        lambda F, x: F.grid_sample(x[None], x[None, ..., :3], "bicubic", align_corners=False),
        RuntimeError,
    ),
    (
        "a volume's grid of 2 coordinates",
        lambda F, x: F.grid_sample(x[None], x[None, ..., :2], align_corners=False),
        RuntimeError,
    ),
    ("theta's shape", lambda F, x: F.affine_grid(x[0], (1, 1, 3, 3), False), ValueError),
    (
        "3-D size",
        lambda F, x: F.affine_grid(x[0, :, :2, :3], (1, 3, 3), False),
        NotImplementedError,
    ),
    ("size 0", lambda F, x: F.affine_grid(x[0, :1, :2, :3], (1, 1, 0, 3), False), ValueError),
]


@pytest.mark.parametrize(("what", "call", "error"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_are_torchs(what: str, call: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        call(TF, torch.tensor(X4))
    with pytest.raises(error):
        call(F, pt.tensor(X4))


AA_SIZINGS: dict[str, dict[str, Any]] = {
    "down": {"size": (3, 4)},
    "down far": {"size": (2, 2)},
    "up": {"size": (13, 17)},
    "mixed": {"size": (9, 5)},
    "x0.3": {"scale_factor": 0.3},
    "x1.7": {"scale_factor": 1.7},
    "x0.45 recomputed": {"scale_factor": 0.45, "recompute_scale_factor": True},
}


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("sizing", list(AA_SIZINGS))
@pytest.mark.parametrize("align_corners", [False, True])
def test_antialias_matches_torch_values_and_gradients(
    mode: str, sizing: str, align_corners: bool
) -> None:
    x = np.random.default_rng(5).standard_normal((2, 3, 7, 9))
    kwargs = dict(AA_SIZINGS[sizing], mode=mode, antialias=True, align_corners=align_corners)
    _check(lambda t: F.interpolate(t, **kwargs), lambda t: TF.interpolate(t, **kwargs), [x])


def test_antialias_to_one_column_as_torch_in_two_steps() -> None:
    # torch 2.13's one-step antialiased resize to a width of 1 gives every output row the
    # first row's weights (7 -> 2 rows: both rows equal); each axis alone it resizes right,
    # and polytensor's result is those two steps
    x = np.random.default_rng(8).standard_normal((2, 3, 7, 9))
    for mode in ("bilinear", "bicubic"):
        got = F.interpolate(pt.asarray(x), size=(2, 1), mode=mode, antialias=True)
        rows = TF.interpolate(torch.tensor(x), size=(2, 9), mode=mode, antialias=True)
        want = TF.interpolate(rows, size=(2, 1), mode=mode, antialias=True)
        np.testing.assert_allclose(_host(got), want.numpy(), rtol=1e-12, atol=1e-12)


def test_antialias_in_float32_and_on_other_backends(other_backend: str) -> None:
    x = np.random.default_rng(6).standard_normal((1, 2, 8, 6))
    for mode in ("bilinear", "bicubic"):
        kwargs = {"size": (3, 5), "mode": mode, "antialias": True}
        out, _, grads, _ = _both(
            lambda t, kw=kwargs: F.interpolate(t, **kw),
            lambda t, kw=kwargs: TF.interpolate(t, **kw),
            [x],
        )
        assert out._backend.name == other_backend
        assert all(g._backend.name == other_backend for g in grads)
        _check(
            lambda t, kw=kwargs: F.interpolate(t, **kw),
            lambda t, kw=kwargs: TF.interpolate(t, **kw),
            [x],
        )
        x32 = x.astype(np.float32)
        got = F.interpolate(pt.asarray(x32), **kwargs)
        assert got.dtype == pt.float32
        want = TF.interpolate(torch.tensor(x32), **kwargs)
        np.testing.assert_allclose(_host(got), want.numpy(), rtol=1e-5, atol=1e-6)


def test_the_default_align_corners_warns_as_torch() -> None:
    x, theta = pt.zeros((1, 1, 3, 3)), pt.asarray([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        grid = F.affine_grid(theta, (1, 1, 3, 3))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.grid_sample(x, grid)
    with pytest.warns(UserWarning, match="unit-size grids"):
        F.affine_grid(theta, (1, 1, 1, 3), align_corners=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.interpolate(x, scale_factor=2, mode="bilinear")  # (no warning in torch either)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_an_identity_grid_has_torchs_very_numbers_and_gradient(
    dtype: str, align_corners: bool
) -> None:
    """The identity transform samples at pixel centres, where bilinear interpolation has a
    kink: the gradient in theta there depends on the last bit of each coordinate."""
    rng = np.random.default_rng(15)
    x = rng.standard_normal((2, 1, 28, 27)).astype(dtype)
    theta = np.tile(np.array([[1.0, 0, 0], [0, 1.0, 0]], dtype=dtype), (2, 1, 1))
    kw = {"align_corners": align_corners}
    grid = F.affine_grid(pt.tensor(theta), (2, 1, 28, 27), **kw)
    np.testing.assert_array_equal(
        grid.numpy(), TF.affine_grid(torch.tensor(theta), (2, 1, 28, 27), **kw).numpy()
    )
    out_pt, out_t, grads_pt, grads_t = _both(
        lambda a, t: F.grid_sample(a, F.affine_grid(t, a.shape, **kw), **kw),
        lambda a, t: TF.grid_sample(a, TF.affine_grid(t, a.shape, **kw), **kw),
        [x, theta],
    )
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {"rtol": RTOL, "atol": ATOL}
    np.testing.assert_allclose(out_pt.detach().numpy(), out_t.detach().numpy(), **tol)
    np.testing.assert_allclose(grads_pt[1].numpy(), grads_t[1].numpy(), **tol)


# -- regressions: interpolate with a scale_factor that keeps or doubles a size -------------------
_SCALES = [1.3, 2.2, 2.0, 1.0, 0.5, 0.7, 1.01, 1.99, 2.5]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear"])
def test_interpolate_by_scale_factor_picks_torchs_pixels(dims: int, mode: str, dtype: str) -> None:
    # PyTorch's 2-D nearest kernel copies a kept size and halves a doubled one's index; its 1-D
    # and 3-D kernels compute floor(i / scale) for every size (in the input's precision,
    # rounded to single), and its linear kernels copy any axis whose size is kept
    mode = {"linear": ("linear", "bilinear", "trilinear")[dims - 1]}.get(mode, mode)
    tol = 1e-12 if dtype == "float64" else 5e-5  # (PyTorch's weights in single precision)
    for n in (1, 2, 3, 5, 7, 10, 33):
        shape = (1, 2, *[n, 3, 4][:dims])
        x = (np.arange(math.prod(shape), dtype=dtype).reshape(shape) ** 2) % 7
        for s in _SCALES:
            if any(math.floor(m * s) == 0 for m in shape[2:]):
                continue
            want = TF.interpolate(torch.tensor(x), scale_factor=s, mode=mode)
            got = F.interpolate(pt.asarray(x), scale_factor=s, mode=mode)
            np.testing.assert_allclose(
                _host(got), want.numpy(), rtol=tol, atol=tol, err_msg=f"{shape} {s}"
            )


def test_interpolate_keeps_a_kept_size_whatever_the_scale_factor() -> None:
    x = np.arange(3.0).reshape(1, 1, 3)
    got = F.interpolate(pt.asarray(x), scale_factor=1.3)
    np.testing.assert_array_equal(_host(got), [[[0.0, 0.0, 1.0]]])
    got = F.interpolate(pt.asarray(x), scale_factor=2.2)
    np.testing.assert_array_equal(_host(got), [[[0.0, 0.0, 0.0, 1.0, 1.0, 2.0]]])
    got = F.interpolate(pt.asarray(x), scale_factor=1.3, mode="linear")
    np.testing.assert_array_equal(_host(got), [[[0.0, 1.0, 2.0]]])
    y = np.random.default_rng(3).standard_normal((1, 1, 5, 3))
    _check(
        lambda t: F.interpolate(t, scale_factor=1.3, mode="bilinear"),
        lambda t: TF.interpolate(t, scale_factor=1.3, mode="bilinear"),
        [y],
    )


# -- regressions: grid_sample at NaN, infinite and huge coordinates -----------------------------
_INF = float("inf")
_ODD = [math.nan, _INF, -_INF]


def _odd_grids(dtype: str) -> list[tuple[str, np.ndarray]]:
    pts = [(v, 0.3) for v in _ODD] + [(0.3, v) for v in _ODD]
    if dtype == "float64":
        pts += [(1e305, 0.0), (0.0, 1e305), (1.7e308, 0.0), (0.0, 1.7e308), (-1.7e308, 0.0)]
    return [(str(p), np.array([[[p]]], dtype=dtype)) for p in pts]


def _torch_survives(mode: str, padding_mode: str, point: np.ndarray) -> bool:
    # PyTorch's CPU kernel crashes (a segmentation fault) in bilinear mode at NaN with
    # 'border', and at NaN, infinities or overflowing positions with 'reflection'
    if mode == "nearest" or padding_mode == "zeros":
        return True
    if padding_mode == "border":
        return not np.isnan(point).any()
    return bool(np.all(np.abs(point.astype(np.float64)) < 1e300))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_at_nan_and_infinity_as_torch(
    mode: str, padding_mode: str, align_corners: bool, dtype: str
) -> None:
    kw = {"mode": mode, "padding_mode": padding_mode, "align_corners": align_corners}
    x = np.arange(9.0, dtype=dtype).reshape(1, 1, 3, 3)
    for what, grid in _odd_grids(dtype):
        xp, gp = pt.tensor(x, requires_grad=True), pt.tensor(grid, requires_grad=True)
        with np.errstate(all="ignore"):  # (inf - inf in the weights: NaN, as PyTorch's)
            out = F.grid_sample(xp, gp, **kw)  # never raises
            out.sum().backward()
        assert gp.grad is not None, what
        if not _torch_survives(mode, padding_mode, grid):
            assert np.isfinite(_host(out)).all(), what
            continue
        xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(grid, requires_grad=True)
        want = TF.grid_sample(xt, gt, **kw)
        want.sum().backward()
        pairs = ((out, want, "out"), (xp.grad, xt.grad, "input grad"), (gp.grad, gt.grad, "grid"))
        for got, ref, name in pairs:
            np.testing.assert_allclose(
                _host(got), ref.detach().numpy(), rtol=1e-6, atol=1e-6, err_msg=f"{what} {name}"
            )


def test_grid_sample_at_nan_does_not_raise_on_other_backends(other_backend: str) -> None:
    x = pt.ones((1, 1, 3, 3))
    grid = pt.asarray([[[[math.nan, 0.0], [_INF, 0.0], [0.0, -_INF]]]])
    with np.errstate(all="ignore"):  # (inf - inf in the weights: NaN, as PyTorch's)
        got = F.grid_sample(x, grid, align_corners=False)
        np.testing.assert_array_equal(_host(got), [[[[math.nan, math.nan, math.nan]]]])
        got = F.grid_sample(x, grid, mode="nearest", align_corners=False)
    np.testing.assert_array_equal(_host(got), [[[[0.0, 0.0, 0.0]]]])


@pytest.mark.parametrize("point", [(_INF, 0.0), (1e305, 0.0), (1.7e308, 0.0), (0.0, _INF)])
def test_grid_sample_border_puts_huge_positions_on_the_far_border(point: Any) -> None:
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    grid = np.array([[[point]]])
    with np.errstate(all="ignore"):  # ((x + 1) * 3 / 2 overflows: inf, as PyTorch's)
        got = F.grid_sample(
            pt.asarray(x), pt.asarray(grid), padding_mode="border", align_corners=False
        )
    want = TF.grid_sample(
        torch.tensor(x), torch.tensor(grid), padding_mode="border", align_corners=False
    )
    assert float(want) == (7.0 if point[0] == 0.0 else 5.0)
    _close(got, want)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_nearest_gives_the_grid_a_zero_gradient(padding_mode: str) -> None:
    rng = np.random.default_rng(5)
    x, grid = rng.standard_normal((1, 2, 4, 5)), rng.uniform(-1.3, 1.3, (1, 3, 2, 2))
    gp = pt.tensor(grid, requires_grad=True)
    out = F.grid_sample(
        pt.asarray(x), gp, mode="nearest", padding_mode=padding_mode, align_corners=False
    )
    out.sum().backward()
    assert gp.grad is not None
    np.testing.assert_array_equal(_host(gp.grad), np.zeros_like(grid))
    _close(
        out,
        TF.grid_sample(
            torch.tensor(x),
            torch.tensor(grid),
            mode="nearest",
            padding_mode=padding_mode,
            align_corners=False,
        ),
    )


# -- bilinear grid_sample as one node (the NumPy backend's layer kernels) -----------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_bilinear_grid_sample_is_one_node_with_torchs_values_and_gradients(
    padding_mode: str, align_corners: bool, dtype: str
) -> None:
    rng = np.random.default_rng(21)
    x = rng.standard_normal((3, 4, 7, 6)).astype(dtype)
    grid = rng.uniform(-1.4, 1.4, (3, 5, 4, 2)).astype(dtype)
    grid[0, 0, :3] = [[np.nan, 0.2], [0.3, np.inf], [-np.inf, -0.5]]
    grid[1, 1, 0] = [-1.0, 1.0]  # (corners and pixel centres: the kinks)
    grid[1, 1, 1] = [0.0, 0.0]
    kw = {"padding_mode": padding_mode, "align_corners": align_corners}
    if padding_mode != "zeros":  # (PyTorch's kernel crashes at NaN there)
        grid[0, 0, :3] = 0.25
    xp, gp = pt.tensor(x, requires_grad=True), pt.tensor(grid, requires_grad=True)
    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(grid, requires_grad=True)
    r = rng.standard_normal((3, 4, 5, 4)).astype(dtype)
    with np.errstate(all="ignore"):
        out = F.grid_sample(xp, gp, **kw)
        assert out.grad_fn.name() == "GridSampler2DBackward0"
        (out * pt.tensor(r)).sum().backward()
    want = TF.grid_sample(xt, gt, **kw)
    (want * torch.tensor(r)).sum().backward()
    tol = {"rtol": 2e-5, "atol": 2e-5} if dtype == "float32" else {"rtol": RTOL, "atol": ATOL}
    for got, ref in ((out, want), (xp.grad, xt.grad), (gp.grad, gt.grad)):
        np.testing.assert_allclose(_host(got), ref.detach().numpy(), **tol)


def test_bilinear_grid_sample_one_node_takes_only_the_gradients_wanted() -> None:
    rng = np.random.default_rng(22)
    x = pt.tensor(rng.standard_normal((2, 3, 4, 5)), requires_grad=True)
    grid = pt.tensor(rng.uniform(-1, 1, (2, 3, 3, 2)))
    F.grid_sample(x, grid, align_corners=False).sum().backward()
    assert x.grad is not None and grid.grad is None
    want = TF.grid_sample(
        torch.tensor(x.detach().numpy()), torch.tensor(grid.numpy()), align_corners=False
    )
    np.testing.assert_allclose(
        F.grid_sample(x, grid, align_corners=False).detach().numpy(), want.detach().numpy()
    )


def test_bilinear_grid_sample_on_other_backends_matches_numpys(other_backend: str) -> None:
    """Dask and array-api-strict take the composite (no layer kernels): the same values and
    gradients as NumPy's one node."""
    rng = np.random.default_rng(23)
    x, grid = rng.standard_normal((2, 3, 5, 4)), rng.uniform(-1.3, 1.3, (2, 4, 3, 2))
    got = []
    for backend in ("numpy", other_backend):
        with pt.use_backend(backend):
            xp, gp = pt.tensor(x, requires_grad=True), pt.tensor(grid, requires_grad=True)
            out = F.grid_sample(xp, gp, padding_mode="border", align_corners=True)
            assert (out.grad_fn.name() == "GridSampler2DBackward0") == (backend == "numpy")
            out.sum().backward()
            got.append([_host(t) for t in (out, xp.grad, gp.grad)])
    for a, b in zip(*got, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


def test_affine_grid_keeps_its_base_apart_per_size_dtype_and_align_corners() -> None:
    """The base rows are kept between calls (a training loop asks for the same ones): each
    call still gives torch's grid and gradient, whatever was asked for before."""
    rng = np.random.default_rng(24)
    for _ in range(2):
        for dtype in ("float64", "float32"):
            for size in ((2, 1, 5, 4), (2, 3, 4, 5)):
                for ac in (False, True):
                    theta = rng.standard_normal((2, 2, 3)).astype(dtype)
                    tp = pt.tensor(theta, requires_grad=True)
                    tt = torch.tensor(theta, requires_grad=True)
                    got, want = F.affine_grid(tp, size, ac), TF.affine_grid(tt, size, ac)
                    assert got.dtype == tp.dtype
                    got.sum().backward()
                    want.sum().backward()
                    tol = {"rtol": 1e-6, "atol": 1e-6}  # (float32's sums of three products)
                    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), **tol)
                    np.testing.assert_allclose(tp.grad.numpy(), tt.grad.numpy(), **tol)


# -- bad arguments: the class of PyTorch's error (polytensor's may be a subclass of it) -------
def _bad_calls(m: Any) -> dict[str, Any]:
    fn = m.nn.functional
    x4, x5 = m.ones((1, 2, 4, 4)), m.ones((1, 2, 3, 3, 3))
    g = m.zeros((1, 3, 3, 2))
    return {
        "unfold of a 5-D input": lambda: fn.unfold(x5, 2),
        "unfold with a kernel larger than the input": lambda: fn.unfold(x4, 5),
        "unfold with kernel 0": lambda: fn.unfold(x4, 0),
        "unfold with stride 0": lambda: fn.unfold(x4, 2, stride=0),
        "unfold with negative padding": lambda: fn.unfold(x4, 2, padding=-1),
        "unfold with a kernel of three ints": lambda: fn.unfold(x4, (2, 2, 2)),
        "unfold with a stride of three ints": lambda: fn.unfold(x4, 2, stride=(1, 1, 1)),
        "unfold with a float kernel": lambda: fn.unfold(x4, 2.5),
        "fold into a too small output": lambda: fn.fold(m.ones((1, 8, 9)), (2, 2), 2),
        "max_pool2d with a kernel of three ints": lambda: fn.max_pool2d(x4, (2, 2, 2)),
        "conv2d with a padding of three ints": lambda: fn.conv2d(
            x4, m.ones((1, 2, 2, 2)), padding=(1, 1, 1)
        ),
        "conv1d with a stride of two ints": lambda: fn.conv1d(
            m.ones((1, 2, 5)), m.ones((1, 2, 2)), stride=(1, 1)
        ),
        "grid_sample of a 3-D input": lambda: fn.grid_sample(
            m.ones((1, 2, 4)), g, align_corners=False
        ),
        "grid_sample with a grid of 3 coordinates": lambda: fn.grid_sample(
            x4, m.zeros((1, 3, 3, 3)), align_corners=False
        ),
        "grid_sample with another batch": lambda: fn.grid_sample(
            x4, m.zeros((2, 3, 3, 2)), align_corners=False
        ),
        "grid_sample with a float64 grid": lambda: fn.grid_sample(
            x4, m.zeros((1, 3, 3, 2), dtype=m.float64), align_corners=False
        ),
        "grid_sample bicubic of a 5-D input": lambda: fn.grid_sample(
            x5, m.zeros((1, 2, 2, 2, 3)), mode="bicubic", align_corners=False
        ),
        "grid_sample with mode 'cubic'": lambda: fn.grid_sample(
            x4, g, mode="cubic", align_corners=False
        ),
        "interpolate to size 0": lambda: fn.interpolate(x4, size=0),
        "interpolate with a negative scale": lambda: fn.interpolate(x4, scale_factor=-1.0),
        "interpolate with mode 'cubic'": lambda: fn.interpolate(x4, size=8, mode="cubic"),
        "interpolate bilinear of a 3-D input": lambda: fn.interpolate(
            m.ones((1, 2, 4)), size=8, mode="bilinear"
        ),
        "interpolate with three sizes for two axes": lambda: fn.interpolate(x4, size=(2, 3, 4)),
        "interpolate area with align_corners": lambda: fn.interpolate(
            x4, size=2, mode="area", align_corners=True
        ),
    }


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize("call", list(_bad_calls(torch)))
def test_bad_arguments_raise_torch_s_class_of_error(backend: str, call: str) -> None:
    if pt.backends.available().get(backend) != "available":
        pytest.skip(f"{backend} is not available")
    pt.set_backend(backend)
    with pytest.raises(Exception) as want:  # noqa: PT011 - its class is what is compared
        _bad_calls(torch)[call]()
    with pytest.raises(Exception) as got:  # noqa: PT011
        _bad_calls(pt)[call]()
    assert isinstance(got.value, type(want.value)), (got.value, want.value)


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
@pytest.mark.parametrize(
    ("shape", "kw"),
    [
        ((2, 3, 7), {"size": 3}),
        ((2, 3, 7, 9), {"size": (3, 4)}),
        ((2, 3, 7, 9), {"scale_factor": 0.5}),
        ((2, 3, 7, 9), {"size": (10, 12)}),
        ((1, 2, 5, 6, 7), {"size": (2, 3, 4)}),
    ],
)
def test_interpolate_area_is_torch_s_adaptive_average(
    backend: str, shape: tuple[int, ...], kw: dict[str, Any]
) -> None:
    if pt.backends.available().get(backend) != "available":
        pytest.skip(f"{backend} is not available")
    pt.set_backend(backend)
    x = np.random.default_rng(len(shape)).standard_normal(shape)
    tx = torch.tensor(x, requires_grad=True)
    px = pt.asarray(x, requires_grad=True)
    want = torch.nn.functional.interpolate(tx, mode="area", **kw)
    got = F.interpolate(px, mode="area", **kw)
    np.testing.assert_allclose(_host(got), want.detach().numpy(), rtol=1e-12, atol=1e-14)
    cot = np.random.default_rng(2).standard_normal(tuple(want.shape))
    (want * torch.tensor(cot)).sum().backward()
    (got * pt.asarray(cot)).sum().backward()
    np.testing.assert_allclose(_host(px.grad), tx.grad.numpy(), rtol=1e-12, atol=1e-14)
