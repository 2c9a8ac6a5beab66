"""Small behaviours that PyTorch programs can observe, as torch 2.13 has them: the sign of
``sinc``'s gradient at 0, ``lerp``'s dtype rules, the refusal of a differentiable target by
``soft_margin_loss`` and of a string by ``nan_to_num``, optimizer state dicts that hold the
optimizer's own tensors, ``squeeze`` giving a new view, and ``new_empty_strided``'s strides.

Each test asserts known values without torch; where torch is installed, it is compared too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F


def _torch() -> Any:
    return pytest.importorskip("torch", reason="torch is not installed: nothing to compare with")


# -- sinc ---------------------------------------------------------------------------------------
def test_sinc_gradient_at_zero_is_positive_zero_whatever_the_cotangent(backend: str) -> None:
    x = pt.asarray([0.0, -0.0, 0.0, 1.0], dtype=pt.float64, requires_grad=True)
    g = pt.asarray([-1.0, 1.0, -2.0, 1.0], dtype=pt.float64)
    (got,) = pt.autograd.grad(pt.sinc(x), x, g)
    values = pt.asarray(got).to("numpy").numpy()
    np.testing.assert_array_equal(values, [0.0, 0.0, 0.0, -1.0])
    assert not np.signbit(values[:3]).any()


def test_sinc_second_derivative_at_zero_is_minus_pi_squared_over_three() -> None:
    x = pt.asarray([0.0, -0.0], dtype=pt.float64, requires_grad=True)
    (g,) = pt.autograd.grad(pt.sinc(x).sum(), x, create_graph=True)
    (h,) = pt.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), [-(math.pi**2) / 3] * 2, rtol=1e-12)


def test_sinc_gradient_at_zero_matches_torch() -> None:
    torch = _torch()
    # (a NaN cotangent at 0 gives NaN here, g * 0, and 0 in PyTorch: not compared)
    xs, gs = [0.0, -0.0, 0.0, 0.5], [-1.0, 1.0, -3.0, 2.0]
    x = pt.asarray(xs, dtype=pt.float64, requires_grad=True)
    (ours,) = pt.autograd.grad(pt.sinc(x), x, pt.asarray(gs, dtype=pt.float64))
    tx = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    (theirs,) = torch.autograd.grad(torch.sinc(tx), tx, torch.tensor(gs, dtype=torch.float64))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(np.signbit(ours.numpy()), np.signbit(theirs.numpy()))


# -- lerp ---------------------------------------------------------------------------------------
def test_lerp_takes_a_0d_weight_of_another_dtype_in_the_input_dtype(backend: str) -> None:
    start = pt.asarray([1.0, 2.0], requires_grad=True)
    end = pt.asarray([3.0, 5.0], requires_grad=True)
    w = pt.asarray(0.25, dtype=pt.float64, requires_grad=True)
    r = pt.lerp(start, end, w)
    assert r.dtype == pt.float32
    assert r.tolist() == [1.5, 2.75]
    r.sum().backward()
    assert w.grad is not None and w.grad.dtype == pt.float64
    assert float(w.grad) == 5.0
    assert pt.lerp(pt.zeros(2), pt.ones(2), pt.asarray(True)).tolist() == [1.0, 1.0]
    x = pt.asarray([1.0, 2.0])
    assert x.lerp_(pt.asarray([3.0, 5.0]), pt.asarray(0.5, dtype=pt.float64)) is x
    assert x.dtype == pt.float32 and x.tolist() == [2.0, 3.5]


def test_lerp_refuses_an_end_or_a_weight_tensor_of_another_dtype(backend: str) -> None:
    f32, f64 = pt.asarray([1.0, 2.0]), pt.asarray([3.0, 5.0], dtype=pt.float64)
    with pytest.raises(RuntimeError, match=r"lerp.*expected dtype float32 for `end` but got"):
        pt.lerp(f32, f64, 0.5)
    with pytest.raises(RuntimeError, match="expected dtype float32 for `end`"):
        pt.lerp(f32, pt.asarray(3.0, dtype=pt.float64), 0.5)  # (0-d too)
    with pytest.raises(RuntimeError, match="expected dtype float32 for `weight` but got"):
        pt.lerp(f32, f32, f64)
    with pytest.raises(RuntimeError, match=r"lerp_\(\): expected dtype float32 for `weight`"):
        f32.lerp_(f32, f64)
    assert f32.tolist() == [1.0, 2.0]


def test_lerp_refuses_integer_tensors_and_writes_out() -> None:
    with pytest.raises(NotImplementedError, match=r"lerp.*floating-point or complex.*int64"):
        pt.lerp(pt.asarray([1, 2]), pt.asarray([3, 4]), 1)
    out = pt.empty(2)
    assert pt.lerp(pt.zeros(2), pt.ones(2), 0.5, out=out) is out
    assert out.tolist() == [0.5, 0.5]


def test_lerp_dtypes_and_refusals_match_torch() -> None:
    torch = _torch()
    cases = [
        ("float32", "float32", "float64", 0),
        ("float64", "float64", "float32", 0),
        ("float32", "float32", "float64", 1),
        ("float32", "float64", "float32", 0),
        ("float64", "float32", "float64", 1),
        ("int64", "int64", "int64", 0),
    ]
    for a, b, c, wdim in cases:
        w = [0.25, 0.5] if wdim else 0.25
        args = ([1, 2], [3, 5], w)

        def run(lib: Any, args: Any = args, dts: Any = (a, b, c)) -> Any:
            ts = [lib.tensor(v, dtype=getattr(lib, d)) for v, d in zip(args, dts, strict=True)]
            try:
                r = lib.lerp(*ts)
            except (RuntimeError, NotImplementedError) as e:
                return type(e).__mro__[1:].count(NotImplementedError) or type(e).__name__
            return str(r.dtype).split(".")[-1], r.tolist()

        ours, theirs = run(pt), run(torch)
        if isinstance(theirs, tuple):
            assert ours[0] == theirs[0], (a, b, c, wdim)
            np.testing.assert_allclose(ours[1], theirs[1])
        else:
            assert not isinstance(ours, tuple), (a, b, c, wdim, ours)


# -- soft_margin_loss ---------------------------------------------------------------------------
def test_soft_margin_loss_refuses_a_target_that_requires_grad(backend: str) -> None:
    x = pt.asarray([0.5, -1.0], requires_grad=True)
    y = pt.asarray([1.0, -1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'target'"):
        F.soft_margin_loss(x, y)
    with pytest.raises(RuntimeError, match=r"target\.detach\(\)"):
        pt.nn.SoftMarginLoss()(x, y * 1)
    want = (math.log1p(math.exp(-0.5)) + math.log1p(math.exp(-1.0))) / 2
    assert float(F.soft_margin_loss(x, y.detach())) == pytest.approx(want, rel=1e-6)
    with pt.no_grad():
        assert float(F.soft_margin_loss(x, y)) == pytest.approx(want, rel=1e-6)


def test_soft_margin_loss_refuses_what_torch_refuses() -> None:
    torch = _torch()
    y = torch.tensor([1.0, -1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'target'"):
        torch.nn.functional.soft_margin_loss(torch.tensor([0.5, -1.0]), y)


# -- nan_to_num ---------------------------------------------------------------------------------
def test_nan_to_num_refuses_a_string_replacement() -> None:
    x = pt.asarray([math.nan, math.inf, -math.inf])
    for name in ("nan", "posinf", "neginf"):
        with pytest.raises(TypeError, match=f"nan_to_num.*{name} to be a float or None; got str"):
            pt.nan_to_num(x, **{name: "1.5"})
    with pytest.raises(TypeError, match="got str"):
        x.nan_to_num(nan="1.5")
    with pytest.raises(TypeError, match="got str"):
        x.nan_to_num_(nan="1.5")
    assert math.isnan(float(x[0]))  # (unchanged)
    assert pt.nan_to_num(x, nan=1.5, posinf=2.0, neginf=-2.0).tolist() == [1.5, 2.0, -2.0]


def test_nan_to_num_refuses_a_string_as_torch_does() -> None:
    torch = _torch()
    with pytest.raises(TypeError, match="argument 'nan' must be float, not str"):
        torch.nan_to_num(torch.tensor([math.nan]), nan="1.5")


# -- optimizer state dicts ----------------------------------------------------------------------
def _stepped(lib: Any) -> tuple[Any, Any]:
    w = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
    opt = lib.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    return w, opt


def _sharing(lib: Any) -> list[bool]:
    w, opt = _stepped(lib)
    sd = opt.state_dict()
    held = sd["state"][0]["exp_avg"]
    w2, opt2 = _stepped(lib)
    opt2.load_state_dict(sd)
    loaded = opt2.state[w2]["exp_avg"]
    held.add_(100.0)  # one change, seen through all three
    seen = [float(opt.state[w]["exp_avg"][0]) > 50, float(loaded[0]) > 50]
    return [held is opt.state[w]["exp_avg"], loaded is held, *seen]


def test_optimizer_state_dict_holds_and_loads_the_state_tensors_themselves() -> None:
    assert _sharing(pt) == [True, True, True, True]
    # a state tensor of another dtype is cast: a tensor of its own
    w, opt = _stepped(pt)
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = sd["state"][0]["exp_avg"].to(pt.float64)
    opt.load_state_dict(sd)
    assert opt.state[w]["exp_avg"].dtype == pt.float32
    assert opt.state[w]["exp_avg"] is not sd["state"][0]["exp_avg"]


def test_optimizer_state_dict_sharing_matches_torch() -> None:
    assert _sharing(pt) == _sharing(_torch())


# -- squeeze ------------------------------------------------------------------------------------
def test_squeeze_with_nothing_to_squeeze_gives_a_new_view(backend: str) -> None:
    a = pt.ones(2, 3, requires_grad=True)
    b = a * 1
    outs = [b.squeeze(), b.squeeze(0), b.squeeze((0, 1)), pt.squeeze(b), pt.squeeze(b, dim=0)]
    assert all(o is not b and o.shape == (2, 3) for o in outs)
    pt.stack(outs).sum().backward()
    assert a.grad is not None and a.grad.tolist() == [[5.0] * 3] * 2
    s = pt.asarray(2.0)
    assert s.squeeze() is not s and s.squeeze(0) is not s and s.squeeze().shape == ()
    c = pt.zeros(2, 3)
    c.squeeze()[0, 0] = 5.0  # a view: the write reaches c
    assert float(c[0, 0]) == 5.0


def test_squeeze_identity_matches_torch() -> None:
    torch = _torch()
    for lib in (pt, torch):
        x = lib.ones(2, 3)
        assert [r is x for r in (x.squeeze(), x.squeeze(0), lib.squeeze(x))] == [False] * 3


# -- new_empty_strided --------------------------------------------------------------------------
STRIDES = [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((2, 3), (0, 1)), ((2, 3), (6, 2)), ((), ())]


@pytest.mark.parametrize(("size", "stride"), STRIDES, ids=str)
def test_new_empty_strided_is_laid_out_with_the_given_strides(
    size: tuple[int, ...], stride: tuple[int, ...], backend: str
) -> None:
    t = pt.ones(1, dtype=pt.float64).new_empty_strided(size, stride, requires_grad=True)
    assert t.shape == size and t.stride() == stride and t.dtype == pt.float64
    assert t.is_leaf and t.requires_grad
    assert t.is_contiguous() == (stride in ((3, 1), ()))


def test_new_empty_strided_strides_match_torch() -> None:
    torch = _torch()
    for size, stride in STRIDES:
        ours = pt.ones(1).new_empty_strided(size, stride)
        theirs = torch.ones(1).new_empty_strided(size, stride)
        assert (ours.stride(), ours.is_contiguous()) == (theirs.stride(), theirs.is_contiguous())
