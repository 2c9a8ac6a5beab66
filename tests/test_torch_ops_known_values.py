"""Tensor functions, autograd utilities and function transforms checked against values written
down from torch 2.13 (CPU), so that they run where torch is not installed:
``autograd.functional`` (``create_graph=`` through the inputs, ``strict=``, ``strategy=``,
``hvp``, ``vhp``), ``autograd.grad(is_grads_batched=)``, ``torch.func``'s ``vmap``,
``grad_and_value``, ``jacfwd`` and ``functional_call``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

F = pt.autograd.functional


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


def _x() -> Any:
    return pt.asarray([1.0, 2.0, 3.0], dtype=pt.float64)


def _vf(x: Any) -> Any:
    return x**2 * x.sum()


def _f(x: Any) -> Any:
    return (x**3).sum() + x[0] * x[1]


JAC = [[13.0, 1.0, 1.0], [4.0, 28.0, 4.0], [9.0, 9.0, 45.0]]


def test_jacobian_with_create_graph_differentiates_through_the_inputs() -> None:
    x = _x().requires_grad_()
    jac = F.jacobian(_vf, x, create_graph=True)
    jac.sum().backward()
    assert _host(jac).tolist() == JAC
    assert x.grad is not None and _host(x.grad).tolist() == [30.0, 36.0, 42.0]


def test_hessian_vjp_and_jvp_with_create_graph_reach_the_inputs() -> None:
    x = pt.asarray([1.0, 2.0], dtype=pt.float64, requires_grad=True)
    hess = F.hessian(lambda a: (a**4).sum(), x, create_graph=True)
    hess.sum().backward()
    assert _host(hess).tolist() == [[12.0, 0.0], [0.0, 48.0]]
    assert _host(x.grad).tolist() == [24.0, 48.0]
    x.grad = None
    _, v = F.vjp(lambda a: a**3, x, pt.ones(2, dtype=pt.float64), create_graph=True)
    v.sum().backward()
    assert _host(x.grad).tolist() == [6.0, 12.0]
    x.grad = None
    _, t = F.jvp(lambda a: a**3, x, pt.ones(2, dtype=pt.float64), create_graph=True)
    t.sum().backward()
    assert _host(t).tolist() == [3.0, 12.0] and _host(x.grad).tolist() == [6.0, 12.0]


def test_jacobian_strategy_and_strict_as_torch() -> None:
    got = F.jacobian(_vf, _x(), vectorize=True, strategy="forward-mode")
    assert _host(got).tolist() == JAC
    with pytest.raises(NotImplementedError, match="vectorize=True"):
        F.jacobian(_vf, _x(), strategy="forward-mode")
    with pytest.raises(ValueError, match="strategy"):
        F.jacobian(_vf, _x(), strategy="sideways")
    with pytest.raises(RuntimeError, match="does not require gradients"):
        F.jacobian(lambda a: pt.ones(2, dtype=pt.float64), _x(), strict=True)
    zero = F.jacobian(lambda a: pt.ones(2, dtype=pt.float64), _x())
    assert _host(zero).tolist() == [[0.0] * 3] * 2
    hess = F.hessian(_f, _x(), vectorize=True, outer_jacobian_strategy="forward-mode")
    assert _host(hess).tolist() == [[6.0, 1.0, 0.0], [1.0, 12.0, 0.0], [0.0, 0.0, 18.0]]


def test_hvp_and_vhp_as_torch() -> None:
    value, hv = F.hvp(_f, _x(), pt.ones(3, dtype=pt.float64))
    assert value.item() == 38.0 and _host(hv).tolist() == [7.0, 13.0, 18.0]
    value, vh = F.vhp(_f, _x(), pt.asarray([1.0, 0.0, 2.0], dtype=pt.float64))
    assert value.item() == 38.0 and _host(vh).tolist() == [6.0, 1.0, 36.0]
    ones = pt.ones(2, dtype=pt.float64)
    _, (ga, gb) = F.hvp(
        lambda a, b: (a * b * b).sum(),
        (ones, pt.asarray([0.0, 1.0], dtype=pt.float64)),
        (ones, ones),
    )
    assert _host(ga).tolist() == [0.0, 2.0] and _host(gb).tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="one-element"):
        F.hvp(lambda a: a * 2, _x(), _x())


def test_grad_with_batched_cotangents_stacks_vector_jacobian_products() -> None:
    x = pt.asarray([1.0, 2.0, 3.0], dtype=pt.float64, requires_grad=True)
    w = pt.asarray([1.0], dtype=pt.float64, requires_grad=True)
    (g,) = pt.autograd.grad(
        x**2, x, grad_outputs=pt.eye(3, dtype=pt.float64), is_grads_batched=True
    )
    assert _host(g).tolist() == [[2.0, 0.0, 0.0], [0.0, 4.0, 0.0], [0.0, 0.0, 6.0]]
    gx, gw = pt.autograd.grad(
        x**2,
        [x, w],
        grad_outputs=pt.eye(3, dtype=pt.float64)[:2],
        is_grads_batched=True,
        allow_unused=True,
    )
    assert tuple(gx.shape) == (2, 3) and gw is None


def test_vmap_in_dims_out_dims_and_nesting_as_torch() -> None:
    f64 = pt.float64
    got = pt.func.vmap(lambda r: (r * r).sum())(pt.ones(4, 3, dtype=f64))
    assert _host(got).tolist() == [3.0] * 4
    got = pt.func.vmap(lambda a, b: a * b, in_dims=(1, None))(
        pt.ones(3, 4, dtype=f64) * 2, pt.arange(3.0, dtype=f64)
    )
    assert _host(got).tolist() == [[0.0, 2.0, 4.0]] * 4
    x = pt.arange(6.0, dtype=f64).reshape(2, 3)
    got = pt.func.vmap(lambda a: a * 2, out_dims=1)(x)
    assert _host(got).tolist() == [[0.0, 6.0], [2.0, 8.0], [4.0, 10.0]]
    got = pt.func.vmap(pt.func.grad(lambda r: (r**3).sum()))(x)
    assert _host(got).tolist() == [[0.0, 3.0, 12.0], [27.0, 48.0, 75.0]]
    a, s = pt.func.vmap(lambda r: (r * 2, r.sum()), out_dims=(1, 0))(x)
    assert tuple(a.shape) == (3, 2) and _host(s).tolist() == [3.0, 12.0]
    got = pt.func.vmap(lambda r: r.sum(), in_dims=-1)(x)
    assert _host(got).tolist() == [3.0, 5.0, 7.0]
    with pytest.raises(ValueError, match="different sizes"):
        pt.func.vmap(lambda a, b: a + b)(pt.ones(2), pt.ones(3))


def test_vmap_is_differentiable() -> None:
    x = pt.arange(6.0, dtype=pt.float64).reshape(2, 3).requires_grad_()
    pt.func.vmap(lambda r: (r**2).sum())(x).sum().backward()
    assert _host(x.grad).tolist() == [[0.0, 2.0, 4.0], [6.0, 8.0, 10.0]]


def test_grad_and_value_and_jacfwd_as_torch() -> None:
    g, v = pt.func.grad_and_value(_f)(_x())
    assert _host(g).tolist() == [5.0, 13.0, 27.0] and v.item() == 38.0
    assert _host(pt.func.jacfwd(_vf)(_x())).tolist() == JAC


def test_functional_call_swaps_parameters_and_gives_per_sample_gradients() -> None:
    m = pt.nn.Linear(3, 1).double()
    weight = m.weight
    params = {"weight": pt.ones(1, 3, dtype=pt.float64), "bias": pt.zeros(1, dtype=pt.float64)}
    out = pt.func.functional_call(m, params, (_x(),))
    assert _host(out).tolist() == [6.0] and m.weight is weight
    half = {k: pt.ones_like(v) * 0.5 for k, v in m.named_parameters()}

    def loss(p: Any, x: Any, y: Any) -> Any:
        return ((pt.func.functional_call(m, p, (x[None],)) - y) ** 2).mean()

    xs = pt.arange(12.0, dtype=pt.float64).reshape(4, 3)
    ys = pt.arange(4.0, dtype=pt.float64)
    g = pt.func.vmap(pt.func.grad(loss), in_dims=(None, 0, 0))(half, xs, ys)
    # torch 2.13: torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))
    assert _host(g["bias"]).tolist() == [[4.0], [11.0], [18.0], [25.0]]
    assert _host(g["weight"])[:, 0].tolist() == [
        [0.0, 4.0, 8.0],
        [33.0, 44.0, 55.0],
        [108.0, 126.0, 144.0],
        [225.0, 250.0, 275.0],
    ]
    with pytest.raises(ValueError, match="does not have"):
        pt.func.functional_call(m, {"nope": pt.ones(1)}, (_x(),))


# -- PyTorch's arguments of the standard's functions, histogram, gradient ---------------------
def _ar(*shape: int) -> Any:
    n = int(np.prod(shape))
    return pt.asarray(((np.arange(n) * 7 % 11) - 5).reshape(shape).astype(np.float64))


def test_tensordot_takes_dims_and_positional_axes_as_torch() -> None:
    a, b = _ar(2, 3, 4), _ar(4, 3, 5)
    got = pt.tensordot(a, b, dims=([1, 2], [1, 0]))
    assert _host(got).tolist() == [
        [69.0, 12.0, 54.0, -36.0, -27.0],
        [-43.0, 15.0, -26.0, -1.0, 46.0],
    ]
    assert _host(pt.tensordot(_ar(2), _ar(3), dims=0)).tolist() == [
        [25.0, -10.0, 10.0],
        [-10.0, 4.0, -4.0],
    ]
    assert (
        _host(pt.tensordot(_ar(2, 3), _ar(3, 2), 1)).tolist()
        == _host(pt.tensordot(_ar(2, 3), _ar(3, 2), dims=pt.asarray([[1], [0]]))).tolist()
    )


def test_roll_diff_count_nonzero_and_meshgrid_take_torch_arguments() -> None:
    x = _ar(3, 4)
    assert _host(pt.roll(x, shifts=(1, -1), dims=(0, 1))).tolist() == [
        [3.0, -1.0, -5.0, -4.0],
        [2.0, -2.0, 5.0, -5.0],
        [-3.0, 4.0, 0.0, 1.0],
    ]
    got = pt.diff(x, n=2, dim=1, prepend=_ar(3, 1), append=_ar(3, 2))
    assert _host(got).tolist() == [
        [7.0, -11.0, 11.0, -17.0, 17.0],
        [-3.0, 11.0, -11.0, 2.0, 9.0],
        [9.0, -11.0, 0.0, 10.0, -10.0],
    ]
    assert _host(pt.diff(x, 1, 0)).tolist() == [[6.0, -5.0, 6.0, -5.0], [-5.0, 6.0, -5.0, -5.0]]
    assert pt.count_nonzero(x, dim=(0, 1)).item() == 11
    assert _host(pt.count_nonzero(x, 1)).tolist() == [4, 3, 4]
    gx, gy = pt.meshgrid([pt.asarray([1, 2]), pt.asarray([3, 4, 5])], indexing="ij")
    assert _host(gx).tolist() == [[1, 1, 1], [2, 2, 2]] and tuple(gy.shape) == (2, 3)
    assert _host(pt.narrow_copy(x, 1, 1, 2)).tolist() == [[2.0, -2.0], [-3.0, 4.0], [3.0, -1.0]]


def test_searchsorted_of_rows_with_right_sorter_and_out_int32() -> None:
    seq = pt.asarray([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])
    got = pt.searchsorted(seq, pt.asarray([[3, 6, 9], [3, 6, 9]]))
    assert _host(got).tolist() == [[1, 3, 4], [1, 2, 4]] and got.dtype == pt.int64
    got = pt.searchsorted(pt.asarray([1, 3, 5, 7, 9]), pt.asarray([3, 6, 9]), right=True)
    assert _host(got).tolist() == [2, 3, 5]
    got = pt.searchsorted(
        pt.asarray([[9, 1, 5], [2, 8, 4]]),
        pt.asarray([[3, 6], [3, 9]]),
        sorter=pt.asarray([[1, 2, 0], [0, 2, 1]]),
    )
    assert _host(got).tolist() == [[1, 2], [1, 3]]
    got = pt.searchsorted(
        pt.asarray([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]),
        pt.asarray([[3.0], [4.0]]),
        right=True,
        out_int32=True,
    )
    assert _host(got).tolist() == [[2], [2]] and got.dtype == pt.int32
    with pytest.raises(ValueError, match="opposites"):
        pt.searchsorted(pt.asarray([1, 2]), pt.asarray([1]), side="left", right=True)


def test_histogram_as_torch() -> None:
    hist, edges = pt.histogram(pt.asarray([1.0, 2.0, 1.0, 4.0, 2.5], dtype=pt.float64), bins=3)
    assert _host(hist).tolist() == [2.0, 2.0, 1.0] and _host(edges).tolist() == [1, 2, 3, 4]
    hist, edges = pt.histogram(
        pt.asarray([1.0, 2.0, 1.0]),
        bins=4,
        range=(0.0, 3.0),
        weight=pt.asarray([1.0, 2.0, 4.0]),
        density=True,
    )
    assert hist.dtype == pt.float32
    np.testing.assert_allclose(_host(hist), [0.0, 0.95238096, 0.3809524, 0.0], rtol=1e-6)
    assert _host(edges).tolist() == [0.0, 0.75, 1.5, 2.25, 3.0]
    hist, _ = pt.asarray([1.0, 2.0, 1.0, 3.0]).histogram(pt.asarray([0.0, 1.0, 2.5, 3.0]))
    assert _host(hist).tolist() == [0.0, 3.0, 1.0]


def test_gradient_as_torch() -> None:
    f64 = pt.float64
    (g,) = pt.gradient(pt.asarray([1, 2, 4, 8]))
    assert g.dtype == pt.float32 and _host(g).tolist() == [1.0, 1.5, 3.0, 4.0]
    coords = pt.asarray([0.0, 1.0, 1.5, 3.5, 4.0], dtype=f64)
    values = pt.asarray([1.0, 2.0, 4.0, 8.0, 16.0], dtype=f64)
    (g,) = pt.gradient(values, spacing=(coords,))
    np.testing.assert_allclose(_host(g), [1.0, 3.0, 3.6, 13.2, 16.0])
    (g,) = pt.gradient(values, spacing=(coords,), edge_order=2)
    np.testing.assert_allclose(_host(g), [-1.0, 3.0, 3.6, 13.2, 18.8])
    g0, g1 = pt.gradient(
        pt.asarray([[1.0, 2.0, 4.0], [3.0, 5.0, 9.0]], dtype=f64), spacing=[2.0, 0.5]
    )
    assert _host(g0).tolist() == [[1.0, 1.5, 2.5]] * 2
    assert _host(g1).tolist() == [[2.0, 3.0, 4.0], [4.0, 6.0, 8.0]]
    x = pt.asarray([1.0, 2.0, 4.0, 8.0, 3.0], dtype=f64, requires_grad=True)
    (pt.gradient(x, edge_order=2)[0] * pt.arange(5.0, dtype=f64)).sum().backward()
    np.testing.assert_allclose(_host(x.grad), [-0.5, -1.0, 1.0, -7.0, 7.5])


# -- torch.special ----------------------------------------------------------------------------
def _grad_of(fn: Any, values: list[float]) -> tuple[np.ndarray, np.ndarray]:
    x = pt.asarray(values, dtype=pt.float64, requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return _host(y), _host(x.grad)


def test_special_erfcx_zeta_gammainc_as_torch() -> None:
    pytest.importorskip("scipy.special")
    y, g = _grad_of(pt.special.erfcx, [-1.0, 0.0, 0.5, 10.0])
    np.testing.assert_allclose(y, [5.00898008, 1.0, 0.61569034, 0.05614099], rtol=1e-7)
    np.testing.assert_allclose(g, [-11.1463393, -1.12837917, -0.512688823, -0.00555931222])
    s = pt.asarray([2.0, 3.0, 4.0], dtype=pt.float64)
    y, g = _grad_of(lambda q: pt.special.zeta(s, q), [1.0, 2.0, 0.5])
    np.testing.assert_allclose(y, [1.6449340668482266, 0.2020569031595943, 16.23484850566707])
    np.testing.assert_allclose(g, [-2.404113806319188, -0.24696970113341465, -128.57904163777798])
    assert pt.special.zeta(s, 1.0).dtype == pt.float64
    a = pt.asarray([0.5, 3.0], dtype=pt.float64)
    y, g = _grad_of(lambda x: pt.special.gammainc(a, x), [0.5, 3.0])
    np.testing.assert_allclose(y, [0.6826894921370859, 0.5768099188731566])
    np.testing.assert_allclose(g, [0.4839414490382867, 0.22404180765538775])
    got = pt.special.gammaincc(a, pt.asarray([1.0, 2.0], dtype=pt.float64))
    np.testing.assert_allclose(_host(got), [0.15729920705028505, 0.6766764161830636])
    x = pt.asarray([2.0, 3.0], dtype=pt.float64, requires_grad=True)
    with pytest.raises(NotImplementedError, match="with respect to x"):
        pt.special.zeta(x, 1.0).sum().backward()


def test_special_names_of_torch_for_namespace_functions() -> None:
    y, g = _grad_of(lambda x: pt.special.multigammaln(x, 3), [1.5, 2.0, 4.0])
    np.testing.assert_allclose(y, [2.1686775340635553, 1.5963125911388552, 5.402975080909175])
    np.testing.assert_allclose(g, [-2.5042357169443794, -0.1179413558244895, 3.2820586441755104])
    got = pt.special.logit(pt.asarray([0.0, 0.25, 0.5, 1.0], dtype=pt.float64), eps=1e-3)
    np.testing.assert_allclose(
        _host(got), [-6.906754778648554, -1.0986122886681098, 0.0, 6.906754778648553]
    )
    x = _ar(2, 3)
    np.testing.assert_allclose(_host(pt.special.logsumexp(x, 1)), [2.01904501, 5.0184793])
    np.testing.assert_allclose(_host(pt.special.softmax(x, 1)).sum(1), [1.0, 1.0])
    np.testing.assert_allclose(
        _host(pt.special.log_softmax(x, dim=0))[:, 0], [-1.00000454e01, -4.53988992e-05]
    )
    assert _host(pt.special.round(pt.asarray([0.5, 1.5]))).tolist() == [0.0, 2.0]
    np.testing.assert_allclose(_host(pt.special.exp2(pt.asarray([0.5]))), [1.4142135], rtol=1e-6)
    np.testing.assert_allclose(_host(pt.special.expm1(pt.asarray([0.5]))), [0.6487213], rtol=1e-6)
    np.testing.assert_allclose(_host(pt.special.log1p(pt.asarray([0.5]))), [0.4054651], rtol=1e-6)


# -- numbers: frexp, dtype attributes -----------------------------------------------------------
def test_frexp_as_torch() -> None:
    m, e = pt.frexp(pt.asarray([8.0, 0.3, -5.0, 0.0, float("inf"), 1e-40, 3.4e38, 0.5]))
    assert m.dtype == pt.float32 and e.dtype == pt.int32
    np.testing.assert_allclose(
        _host(m),
        [0.5, 0.6, -0.625, 0.0, float("inf"), 0.5444488525390625, 0.999170184135437, 0.5],
        rtol=1e-6,
    )
    assert _host(e).tolist() == [4, -1, 3, 0, 0, -132, 128, 0]
    x = pt.asarray([8.0, 0.3, -5.0], dtype=pt.float64, requires_grad=True)
    pt.frexp(x).mantissa.sum().backward()
    assert _host(x.grad).tolist() == [0.0625, 2.0, 0.125]
    with pytest.raises(TypeError, match="floating-point"):
        pt.frexp(pt.asarray([1, 2]))


def test_dtype_attributes_as_torch() -> None:
    got = [
        (d.is_floating_point, d.is_signed, d.is_complex, d.itemsize)
        for d in (pt.float32, pt.float64, pt.int8, pt.uint8, pt.bool, pt.complex64)
    ]
    assert got == [
        (True, True, False, 4),
        (True, True, False, 8),
        (False, True, False, 1),
        (False, False, False, 1),
        (False, False, False, 1),
        (False, True, True, 8),
    ]


def test_isin_of_floats_and_argsort_stable_as_torch(backend: str) -> None:
    got = pt.isin(pt.asarray([1.0, 2.0, float("nan")]), pt.asarray([2.0, float("nan")]))
    assert _host(got).tolist() == [False, True, False]
    got = pt.isin(pt.asarray([1, 2, 3]), pt.asarray([3, 1]), assume_unique=True, invert=True)
    assert _host(got).tolist() == [False, True, False]
    assert _host(pt.isin(pt.asarray([1, 2]), 2.0)).tolist() == [False, True]
    got = pt.asarray([2, 1, 2, 1, 2]).argsort(descending=True, stable=True)
    assert _host(got).tolist() == [0, 2, 4, 1, 3]


def test_vmap_randomness_modes_as_torch() -> None:
    def noisy(x: Any) -> Any:
        return x + pt.rand(1, dtype=pt.float64)

    zeros = pt.zeros(3, dtype=pt.float64)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        pt.func.vmap(noisy)(zeros)
    same = _host(pt.func.vmap(noisy, randomness="same")(zeros)).ravel()
    assert same[0] == same[1] == same[2]
    different = _host(pt.func.vmap(noisy, randomness="different")(zeros)).ravel()
    assert len(set(different.tolist())) == 3
    with pytest.raises(ValueError, match="randomness"):
        pt.func.vmap(noisy, randomness="sometimes")


def test_scatter_reduce_multiply_as_torch() -> None:
    x = pt.ones(2, 3, dtype=pt.float64)
    index = pt.asarray([[0, 0], [2, 1]])
    got = x.scatter(
        1, index, pt.asarray([[2.0, 3.0], [4.0, 5.0]], dtype=pt.float64), reduce="multiply"
    )
    assert _host(got).tolist() == [[6.0, 1.0, 1.0], [1.0, 5.0, 4.0]]
    assert _host(x.scatter(1, index, 3.0, reduce="multiply")).tolist() == [
        [9.0, 1.0, 1.0],
        [1.0, 3.0, 3.0],
    ]
    y = pt.asarray([[1, 2, 3]])
    y.scatter_(1, pt.asarray([[0, 0]]), 3, reduce="multiply")
    assert _host(y).tolist() == [[9, 2, 3]]
    with pytest.raises(ValueError, match="scatter_reduce"):
        x.scatter(1, index, 3.0, reduce="mean")


def test_in_place_matrix_products_as_torch() -> None:
    x = _ar(2, 3)
    assert x.addmm_(_ar(2, 4), _ar(4, 3), beta=0.5, alpha=2) is x
    assert _host(x).tolist() == [[81.5, -25.0, -27.0], [-5.5, -1.5, -19.5]]
    y = _ar(2, 2, 3)
    y.baddbmm_(_ar(2, 2, 4), _ar(2, 4, 3), alpha=2)
    assert _host(y).tolist() == [
        [[79.0, -24.0, -28.0], [-3.0, -1.0, -21.0]],
        [[4.0, 56.0, -46.0], [5.0, -47.0, 33.0]],
    ]
    v = _ar(2)
    v.addmv_(_ar(2, 3), _ar(3), beta=0.0)
    assert _host(v).tolist() == _host(_ar(2, 3) @ _ar(3)).tolist()
    assert pt.addmv_(v, _ar(2, 3), _ar(3), beta=0.0) is v  # (torch.addmv_ too)
    m = _ar(2, 3)
    m.addr_(_ar(2), _ar(3))
    assert _host(m).tolist() == _host(_ar(2, 3) + _ar(2)[:, None] * _ar(3)).tolist()
    s = _ar(2, 3)
    s.addbmm_(_ar(4, 2, 5), _ar(4, 5, 3))
    assert _host(s).tolist() == _host(_ar(2, 3) + (_ar(4, 2, 5) @ _ar(4, 5, 3)).sum(0)).tolist()
    w = pt.ones(2, 3, dtype=pt.float64, requires_grad=True)
    b = w * 1
    b.addmm_(pt.ones(2, 4, dtype=pt.float64), pt.ones(4, 3, dtype=pt.float64), beta=2.0)
    b.sum().backward()
    assert _host(w.grad).tolist() == [[2.0] * 3] * 2


def test_grad_of_a_non_leaf_is_none_with_torchs_warning() -> None:
    x = pt.ones(2, requires_grad=True)
    y = x * 2
    (y * y).sum().backward()
    with pytest.warns(UserWarning, match="retain_grad"):
        assert y.grad is None
    z = x * 3
    z.retain_grad()
    (z * z).sum().backward()
    assert _host(z.grad).tolist() == [6.0, 6.0]
    assert x.grad is not None and pt.ones(2).grad is None  # (leaves: no warning)


def test_stack_module_state_runs_an_ensemble_under_vmap() -> None:
    models = [pt.nn.Linear(3, 2).double() for _ in range(3)]
    params, buffers = pt.func.stack_module_state(models)
    assert tuple(params["weight"].shape) == (3, 2, 3) and params["weight"].is_leaf
    assert params["weight"].requires_grad and buffers == {}

    def fmodel(p: Any, b: Any, x: Any) -> Any:
        return pt.func.functional_call(models[0], (p, b), (x,))

    x = pt.arange(6.0, dtype=pt.float64).reshape(2, 3)
    out = pt.func.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, x)
    want = np.stack([_host(m(x)) for m in models])
    np.testing.assert_allclose(_host(out), want, rtol=1e-12)
    out.sum().backward()
    # (torch 2.13: each model's weight gradient is the column sums of x, once per output)
    assert _host(params["weight"].grad).tolist() == [[[3.0, 5.0, 7.0]] * 2] * 3
    with pytest.raises(RuntimeError, match="same class"):
        pt.func.stack_module_state([pt.nn.Linear(3, 2), pt.nn.Linear(2, 2, bias=False)])
