"""The in-place forms of PyTorch's element-wise methods (``x.exp_()``, ``x.sigmoid_()``,
``x.clamp_min_(0)``, ``x.atan2_(y)``, ``x.eq_(y)``...) write torch's values into the tensor and
return it, cast results as torch casts them, and behave as the existing in-place methods
(``add_``, ``clamp_``) in autograd: recorded in a graph with torch's gradients (a zero one for
``floor_`` and ``eq_``, and for the other operand of ``x.eq_(o)``), refused on a leaf that
requires grad, reaching a view's base, and caught by backward when they change a value saved
for it. On every available backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402

X = np.array([0.5, -0.25, 0.75, -0.9, 0.3, 0.1])
Y = np.array([0.25, 0.5, -1.0, 2.0, 0.75, -0.5])
OTHER = {"atan2_", "copysign_", "hypot_", "xlogy_", "fmod_", "remainder_", "floor_divide_"}
OTHER |= {"nextafter_", "true_divide_", "multiply_", "subtract_", "divide_"}
OTHER |= {"eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "less_equal_", "not_equal_"}
OTHER |= {"logical_and_", "logical_or_", "logical_xor_", "clamp_min_", "clamp_max_", "ldexp_"}

# name -> the arguments after the tensor ("y": the other tensor)
IN_PLACE: dict[str, tuple[Any, ...]] = {
    **dict.fromkeys(
        [
            *("abs_", "neg_", "negative_", "sign_", "sgn_", "square_", "sqrt_", "rsqrt_"),
            *("reciprocal_", "exp_", "exp2_", "expm1_", "log_", "log1p_", "log2_", "log10_"),
            *(
                "sin_",
                "cos_",
                "tan_",
                "asin_",
                "acos_",
                "atan_",
                "sinh_",
                "cosh_",
                "tanh_",
                "acosh_",
            ),
            *("asinh_", "atanh_", "sigmoid_", "relu_", "erf_", "erfc_", "erfinv_", "lgamma_"),
            *("digamma_", "i0_", "sinc_", "logit_", "deg2rad_", "rad2deg_", "floor_", "ceil_"),
            *("trunc_", "fix_", "frac_", "round_", "logical_not_"),
        ],
        (),
    ),
    **{n: ("y",) for n in OTHER if n.endswith("_") and not n.startswith("clamp")},
    "clamp_min_": (0.2,),
    "clamp_max_": ("y",),
    "logit_": (0.3,),
    "round_": (),
    "cumsum_": (0,),
    "cumprod_": (0,),
    "ldexp_": ("i",),
}


def _args(lib: Any, args: tuple[Any, ...], y: np.ndarray) -> tuple[Any, ...]:
    out = []
    for a in args:
        if a == "y":
            out.append(lib.asarray(y.copy()) if lib is pt else torch.tensor(y))
        elif a == "i":
            ints = np.array([1, 2, -1, 0, 3, 1])
            out.append(lib.asarray(ints) if lib is pt else torch.tensor(ints))
        else:
            out.append(a)
    return tuple(out)


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_method_writes_torch_values_and_returns_the_tensor(
    backend: str, name: str
) -> None:
    args = IN_PLACE[name]
    data = X + 1.5 if name == "acosh_" else X
    with np.errstate(all="ignore"):  # (NaN from logarithms of negative numbers, in both)
        t = torch.tensor(data)
        getattr(t, name)(*_args(torch, args, Y))
        x = pt.asarray(data.copy())
        assert getattr(x, name)(*_args(pt, args, Y)) is x
        got = host(x)
    assert x.dtype == pt.float64
    np.testing.assert_allclose(got, t.numpy(), rtol=1e-12, atol=1e-15, equal_nan=True)


DIFFERENTIABLE = [
    "exp_",
    "sigmoid_",
    "tanh_",
    "sin_",
    "square_",
    "reciprocal_",
    "neg_",
    "abs_",
    "relu_",
    "erf_",
    "lgamma_",
    "exp2_",
    "deg2rad_",
    "frac_",
    "logit_",
    "clamp_min_",
    "atan2_",
    "copysign_",
    "xlogy_",
    "hypot_",
    "cumsum_",
    "floor_",
    "sign_",
    "round_",
    "eq_",
    "lt_",
]


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_in_place_in_a_graph_gives_torch_gradients(backend: str, name: str) -> None:
    args = IN_PLACE[name]
    cot = np.random.default_rng(5).standard_normal(X.shape)
    data = np.abs(X) if name == "logit_" else X
    results = []
    for lib in (torch, pt):
        x = (
            lib.tensor(data.copy(), requires_grad=True)
            if lib is torch
            else pt.asarray(data.copy(), requires_grad=True)
        )
        other = _args(lib, tuple("y" if a == "y" else a for a in args), Y)
        if lib is torch:
            other = tuple(o.requires_grad_() if isinstance(o, torch.Tensor) else o for o in other)
        else:
            other = tuple(o.requires_grad_() if isinstance(o, pt.Tensor) else o for o in other)
        y = x * 1.5
        assert getattr(y, name)(*other) is y
        assert y.requires_grad
        cotangent = torch.tensor(cot) if lib is torch else pt.asarray(cot)
        (y * cotangent).sum().backward()
        grads = [x.grad] + [o.grad for o in other if hasattr(o, "grad")]
        results.append((y, grads))
    (t_y, t_grads), (p_y, p_grads) = results
    np.testing.assert_allclose(host(p_y), t_y.detach().numpy(), rtol=1e-12, equal_nan=True)
    for p_g, t_g in zip(p_grads, t_grads, strict=True):
        # (torch's comparisons in place give the other operand a zero gradient, not none)
        assert (p_g is None) == (t_g is None)
        if t_g is not None:
            np.testing.assert_allclose(host(p_g), t_g.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["exp_", "sigmoid_", "clamp_min_", "atan2_", "floor_", "eq_"])
def test_in_place_refuses_a_leaf_that_requires_grad(backend: str, name: str) -> None:
    x = pt.asarray(X.copy(), requires_grad=True)
    args = _args(pt, IN_PLACE[name], Y)
    with pytest.raises(RuntimeError, match=rf"{name}.*leaf tensor that requires grad"):
        getattr(x, name)(*args)
    with pt.no_grad():
        getattr(x, name)(*args)
    assert x.is_leaf and x.requires_grad


def test_in_place_change_of_a_view_reaches_its_base(backend: str) -> None:
    base = pt.zeros(2, 3)
    assert base[0].exp_() is not None
    assert base.tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    base[:, 1].clamp_min_(2.0)
    assert base.tolist() == [[1.0, 2.0, 1.0], [0.0, 2.0, 0.0]]


def test_in_place_change_of_a_view_in_a_graph_gives_torch_gradients(backend: str) -> None:
    grads = []
    for lib in (torch, pt):
        w = lib.tensor(np.arange(6.0).reshape(2, 3) / 7, requires_grad=True)
        b = w * 2
        b[0].sigmoid_()
        c = w * 3
        c[:, 1:].tanh_()
        (b * b + c * c).sum().backward()
        grads.append(host(w.grad))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)


def test_in_place_change_of_a_value_saved_for_backward_keeps_it_or_is_caught(
    backend: str,
) -> None:
    # recorded (grad mode on): the node that saved the old value keeps it, as add_'s does
    x = pt.asarray(X.copy(), requires_grad=True)
    y = x * 2
    z = y.sin()  # (sin's derivative reads y)
    y.exp_()
    z.sum().backward()
    np.testing.assert_allclose(host(x.grad), 2 * np.cos(2 * X), rtol=1e-12)
    # under no_grad, the memory is overwritten: backward refuses (an immutable backend, Dask,
    # overwrites nothing, and its node keeps the value)
    x = pt.asarray(X.copy(), requires_grad=True)
    y = x * 2
    z = y.sin()
    with pt.no_grad():
        y.sigmoid_()
    if not pt.backends.get(backend).mutable:
        z.sum().backward()
        np.testing.assert_allclose(host(x.grad), 2 * np.cos(2 * X), rtol=1e-12)
        return
    with pytest.raises(RuntimeError, match=r"modified by an in-place operation"):
        z.sum().backward()


def test_in_place_results_are_cast_as_torch_casts_them(backend: str) -> None:
    ints = pt.asarray([1, 4, 9])
    with pytest.raises(RuntimeError, match=r"sqrt_\(\): result type Float .* can't be cast"):
        ints.sqrt_()
    with pytest.raises(TypeError, match=r"exp_\(\): result type Float"):  # (also a TypeError)
        ints.exp_()
    assert ints.abs_().tolist() == [1, 4, 9] and ints.square_().tolist() == [1, 16, 81]
    f = pt.asarray([0.5, 2.0])
    f.atan2_(pt.asarray([1.0, 1.0], dtype=pt.float64))  # (float64 into float32: allowed)
    assert f.dtype == pt.float32
    g = pt.asarray([1.0, 2.0, 3.0])
    g.eq_(2.0)
    assert g.dtype == pt.float32 and g.tolist() == [0.0, 1.0, 0.0]
    n = pt.asarray([0, 3, -1])
    n.logical_not_()
    assert n.tolist() == [1, 0, 0]
    b = pt.asarray([True, False])
    b.logical_and_(pt.asarray([1.5, 2.0]))
    assert b.dtype == pt.bool and b.tolist() == [True, False]
    with pytest.raises(RuntimeError, match=r"the base given to float_power_ has dtype float32"):
        pt.ones(2).float_power_(2)
    d = pt.asarray([2.0, 3.0], dtype=pt.float64)
    assert d.float_power_(2).tolist() == [4.0, 9.0]
    with pytest.raises(ValueError, match=r"cannot broadcast self"):
        pt.ones(2).atan2_(pt.ones(3, 2))


def test_in_place_bumps_the_version(backend: str) -> None:
    x = pt.asarray(X.copy(), requires_grad=True) * 1
    v = x._meta.version
    with pt.no_grad():
        x.tanh_()
        x.clamp_max_(0.2)
    assert x._meta.version == v + 2


COMPARISONS = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "less_equal_", "not_equal_"]


@pytest.mark.parametrize("name", COMPARISONS)
@pytest.mark.parametrize("case", ["both in a graph", "other alone", "other cast"])
def test_comparison_in_place_gives_other_a_zero_gradient_as_torch(
    backend: str, name: str, case: str
) -> None:
    grads = []
    for lib in (torch, pt):
        w = lib.tensor(X.copy(), requires_grad=True)
        o = lib.tensor(Y.copy(), requires_grad=True)
        x = w * 2 if case != "other alone" else lib.tensor(X.copy())
        arg = o.to(lib.float32) if case == "other cast" else o
        assert getattr(x, name)(arg) is x and x.requires_grad
        x.sum().backward()
        grads.append([None if g is None else host(g) for g in (w.grad, o.grad)])
    (t_w, t_o), (p_w, p_o) = grads
    assert (p_w is None) == (t_w is None) and t_o is not None and p_o is not None
    np.testing.assert_array_equal(p_o, t_o)
    if t_w is not None:
        np.testing.assert_array_equal(p_w, t_w)


def test_comparison_in_place_of_an_integer_tensor_with_other_in_a_graph(backend: str) -> None:
    # (torch's integer tensor then requires grad and its backward raises; polytensor's integer
    # tensors cannot require grad, and backward from it raises too)
    for lib in (torch, pt):
        x = lib.tensor([1, 2])
        assert x.eq_(lib.tensor([1.0, 3.0], requires_grad=True)) is x
        assert x.tolist() == [1, 0]
        with pytest.raises(RuntimeError):
            x.sum().backward()


# clamp with bounds of another dtype, as torch: a bound tensor with dimensions promotes (in
# place, the result is cast back, wrapping around), a 0-d one is cast to x's dtype (wrapping),
# a negative Python int bound of an unsigned tensor wraps around
CLAMPS: dict[str, Any] = {
    "x.clamp_max_(1-d int64)": lambda m, x: x.clamp_max_(m.tensor([-2, -2, -2])),
    "x.clamp_(max=1-d int64)": lambda m, x: x.clamp_(max=m.tensor([-2, -2, -2])),
    "x.clamp_min_(1-d int64)": lambda m, x: x.clamp_min_(m.tensor([-2, 300, -2])),
    "x.clamp_max(1-d int64)": lambda m, x: x.clamp_max(m.tensor([-2, -2, -2])),
    "x.clamp(1-d int64, 1-d int64)": lambda m, x: x.clamp(
        min=m.tensor([-300, 3, 300]), max=m.tensor([-2, 7, 900])
    ),
    "clamp(x, min=1-d int64)": lambda m, x: m.clamp(x, min=m.tensor([-300, 3, 300])),
    "x.clamp(max=1-d int8)": lambda m, x: x.clamp(max=m.tensor([2, 2, 2], dtype=m.int8)),
    "x.clamp_max(0-d int64)": lambda m, x: x.clamp_max(m.tensor(-2)),
    "x.clamp_(max=0-d int64)": lambda m, x: x.clamp_(max=m.tensor(-2)),
    "x.clamp_max_(-2)": lambda m, x: x.clamp_max_(-2),
    "x.clamp_min_(-2)": lambda m, x: x.clamp_min_(-2),
    "x.clamp(min=-255)": lambda m, x: x.clamp(min=-255),
    "x.clamp(max=0-d float)": lambda m, x: x.clamp(max=m.tensor(3.5)),
    "float32 x.clamp(max=1-d float64)": lambda m, x: x.float().clamp(
        max=m.tensor([2.0, 2.0, 2.0], dtype=m.float64)
    ),
    "float32 x.clamp_(max=1-d float64)": lambda m, x: x.float().clamp_(
        max=m.tensor([2.0, 2.0, 2.0], dtype=m.float64)
    ),
    "float32 x.clamp(max=0-d float64)": lambda m, x: x.float().clamp(
        max=m.tensor(2.0, dtype=m.float64)
    ),
}


@pytest.mark.parametrize("case", list(CLAMPS), ids=list(CLAMPS))
def test_clamp_with_bounds_of_another_dtype_gives_torch_values(backend: str, case: str) -> None:
    fn = CLAMPS[case]
    want = fn(torch, torch.tensor([1, 5, 200], dtype=torch.uint8))
    got = fn(pt, pt.asarray([1, 5, 200], dtype=pt.uint8))
    assert got.dtype.name == str(want.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(host(got), want.numpy())


def test_clamp_by_a_wider_float_bound_gives_torch_gradients(backend: str) -> None:
    grads = []
    for lib in (torch, pt):
        x = lib.tensor([0.5, -1.5, 2.5], dtype=lib.float32, requires_grad=True)
        hi = lib.tensor([1.0, 1.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = x.clamp(max=hi)
        assert y.dtype == lib.float64
        (y * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).sum().backward()
        grads.append((host(x.grad), host(hi.grad)))
    for p_g, t_g in zip(grads[1], grads[0], strict=True):
        np.testing.assert_array_equal(p_g, t_g)
