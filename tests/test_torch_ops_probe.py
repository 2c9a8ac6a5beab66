"""Tensor functions, autograd utilities and function transforms run as the same code in torch
and in polytensor (each case takes the library as its argument): values, dtypes, shapes and
gradients must agree. torch is a reference here, never a dependency."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import polytensor as pt  # noqa: E402

CASES: dict[str, Callable[[Any], Any]] = {}


def case(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    CASES[fn.__name__] = fn
    return fn


def _norm(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _norm(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and not hasattr(x, "shape"):
        return [_norm(v) for v in x]
    if hasattr(x, "detach") and hasattr(x, "shape"):
        d = x.detach()
        a = d.numpy() if isinstance(d, torch.Tensor) else d.to("numpy").numpy()
        return (str(x.dtype).rsplit(".", 1)[-1], tuple(x.shape), np.array(a))
    return x


def _same(p: Any, t: Any) -> None:
    if isinstance(t, dict):
        assert p.keys() == t.keys()
        for k in t:
            _same(p[k], t[k])
    elif isinstance(t, list):
        assert isinstance(p, list) and len(p) == len(t)
        for a, b in zip(p, t, strict=True):
            _same(a, b)
    elif isinstance(t, tuple) and len(t) == 3 and isinstance(t[2], np.ndarray):
        assert p[:2] == t[:2]
        np.testing.assert_allclose(p[2], t[2], rtol=1e-7, atol=1e-10, equal_nan=True)
    else:
        assert p == t


def _x(T: Any) -> Any:
    return T.tensor([1.0, 2.0, 3.0], dtype=T.float64)


def _vf(x: Any) -> Any:
    return x**2 * x.sum()


def _f(x: Any) -> Any:
    return (x**3).sum() + x[0] * x[1]


# -- autograd.functional, autograd.grad -------------------------------------------------------
@case
def jacobian_create_graph_reaches_inputs(T: Any) -> Any:
    x = _x(T).requires_grad_()
    jac = T.autograd.functional.jacobian(_vf, x, create_graph=True)
    jac.sum().backward()
    return jac, x.grad


@case
def hessian_create_graph_reaches_inputs(T: Any) -> Any:
    x = _x(T).requires_grad_()
    hess = T.autograd.functional.hessian(lambda a: (a**4).sum(), x, create_graph=True)
    hess.sum().backward()
    return hess, x.grad


@case
def jacobian_forward_mode(T: Any) -> Any:
    return T.autograd.functional.jacobian(_vf, _x(T), vectorize=True, strategy="forward-mode")


@case
def hvp_and_vhp(T: Any) -> Any:
    v = T.tensor([1.0, 0.0, 2.0], dtype=T.float64)
    return T.autograd.functional.hvp(_f, _x(T), v), T.autograd.functional.vhp(_f, _x(T), v)


@case
def hvp_create_graph(T: Any) -> Any:
    x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
    ones = T.ones(2, dtype=T.float64)
    _, hv = T.autograd.functional.hvp(lambda a: (a**4).sum(), x, ones, create_graph=True)
    hv.sum().backward()
    return hv, x.grad


@case
def grad_is_grads_batched(T: Any) -> Any:
    x = _x(T).requires_grad_()
    return T.autograd.grad(x**3, x, grad_outputs=T.eye(3, dtype=T.float64), is_grads_batched=True)


# -- torch.func ---------------------------------------------------------------------------------
@case
def vmap_in_dims_out_dims(T: Any) -> Any:
    x = T.arange(6.0, dtype=T.float64).reshape(2, 3)
    return (
        T.func.vmap(lambda a, b: a * b, in_dims=(1, None))(x.T, T.arange(3.0, dtype=T.float64)),
        T.func.vmap(lambda a: (a * 2, a.sum()), out_dims=(1, 0))(x),
        T.func.vmap(T.func.vmap(lambda a, b: a * b, in_dims=(0, None)), in_dims=(None, 0))(
            T.arange(3.0, dtype=T.float64), x
        ),
    )


@case
def vmap_of_grad_and_jacrev(T: Any) -> Any:
    x = T.arange(6.0, dtype=T.float64).reshape(2, 3)
    return (
        T.func.vmap(T.func.grad(lambda r: (r**3).sum()))(x),
        T.func.vmap(T.func.jacrev(lambda r: r.sin()))(x),
    )


@case
def grad_and_value_jacfwd(T: Any) -> Any:
    return T.func.grad_and_value(_f)(_x(T)), T.func.jacfwd(_vf)(_x(T))


@case
def functional_call_per_sample_grads(T: Any) -> Any:
    m = T.nn.Linear(3, 2).double()
    params = {k: T.ones_like(v) * 0.25 for k, v in m.named_parameters()}

    def loss(p: Any, x: Any, y: Any) -> Any:
        return ((T.func.functional_call(m, p, (x[None],)) - y) ** 2).mean()

    xs = T.arange(12.0, dtype=T.float64).reshape(4, 3)
    ys = T.arange(4.0, dtype=T.float64)
    return T.func.vmap(T.func.grad(loss), in_dims=(None, 0, 0))(params, xs, ys)


# -- PyTorch's arguments of the standard's functions, histogram, gradient ---------------------
def _ar(T: Any, *shape: int) -> Any:
    n = int(np.prod(shape))
    return T.tensor(((np.arange(n) * 7 % 11) - 5).reshape(shape).astype(np.float64))


@case
def tensordot_dims(T: Any) -> Any:
    a, b = _ar(T, 2, 3, 4), _ar(T, 4, 3, 5)
    return (
        T.tensordot(a, b, dims=([1, 2], [1, 0])),
        T.tensordot(a, _ar(T, 3, 4, 5), dims=2),
        T.tensordot(a, _ar(T, 3, 4, 5), 2),
        T.tensordot(_ar(T, 2), _ar(T, 3), dims=0),
        T.tensordot(a, b, dims=[[2], [0]]),
    )


@case
def roll_diff_count_nonzero_keywords(T: Any) -> Any:
    x = _ar(T, 3, 4)
    return (
        T.roll(x, shifts=(1, -1), dims=(0, 1)),
        x.roll(shifts=2),
        T.diff(x, n=2, dim=1, prepend=_ar(T, 3, 1), append=_ar(T, 3, 2)),
        T.diff(x, 1, 0),
        T.count_nonzero(x, dim=(0, 1)),
        T.count_nonzero(x, 1),
        T.meshgrid([T.tensor([1, 2]), T.tensor([3, 4, 5])], indexing="ij"),
        T.narrow_copy(x, -1, 1, 2),
    )


@case
def searchsorted_torch_forms(T: Any) -> Any:
    seq = T.tensor([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])
    vals = T.tensor([[3, 6, 9], [3, 6, 9]])
    return (
        T.searchsorted(seq, vals),
        T.searchsorted(seq, vals, right=True),
        T.searchsorted(seq, vals, side="right", out_int32=True),
        T.searchsorted(seq[0], T.tensor([3, 6, 9]), right=True),
        T.searchsorted(seq[0], 4),
        T.searchsorted(
            T.tensor([[9, 1, 5], [2, 8, 4]]),
            T.tensor([[3, 6], [3, 9]]),
            sorter=T.tensor([[1, 2, 0], [0, 2, 1]]),
        ),
    )


@case
def histogram_forms(T: Any) -> Any:
    x = T.tensor([1.0, 2, 1, 4, 2.5])
    return (
        T.histogram(x, bins=4, range=(0.0, 3.0)),
        T.histogram(x.double(), bins=3),
        T.histogram(x, bins=3, density=True),
        T.histogram(x[:3], bins=4, range=(0.0, 3.0), weight=T.tensor([1.0, 2, 4]), density=True),
        T.histogram(x, bins=T.tensor([0.0, 1.0, 2.5, 3.0])),
        T.histogram(T.tensor([1.0, 1.0]), bins=2),
        _ar(T, 3, 4).histogram(4),
    )


@case
def gradient_forms(T: Any) -> Any:
    values = T.tensor([1.0, 2.0, 4.0, 8.0, 16.0], dtype=T.float64)
    coords = T.tensor([0.0, 1.0, 1.5, 3.5, 4.0], dtype=T.float64)
    x = _ar(T, 3, 4).requires_grad_()
    g = T.gradient(x, edge_order=2)
    (g[0] * g[1]).sum().backward()
    return (
        T.gradient(values),
        T.gradient(values, spacing=2.0),
        T.gradient(values, spacing=(coords,)),
        T.gradient(values, spacing=(coords,), edge_order=2),
        T.gradient(_ar(T, 3, 4), dim=1, edge_order=2),
        T.gradient(_ar(T, 3, 4), spacing=[2.0, 3.0]),
        T.gradient(_ar(T, 3, 4).float(), dim=[1, 0], spacing=[2.0, 0.5]),
        T.gradient(T.tensor([1, 2, 4, 8])),
        g,
        x.grad,
    )


# -- torch.special ----------------------------------------------------------------------------
def _grad_through(T: Any, fn: Any, values: list[float]) -> Any:
    x = T.tensor(values, dtype=T.float64, requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return y, x.grad


@case
def special_functions(T: Any) -> Any:
    pytest.importorskip("scipy.special")
    s = T.tensor([2.0, 3.0, 4.0], dtype=T.float64)
    a = T.tensor([0.5, 3.0, 1.5], dtype=T.float64)
    return (
        _grad_through(T, T.special.erfcx, [-1.0, 0.0, 0.5, 10.0]),
        _grad_through(T, lambda q: T.special.zeta(s, q), [1.0, 2.0, 0.5]),
        T.special.zeta(s, 1.0),
        _grad_through(T, lambda x: T.special.gammainc(a, x), [0.5, 3.0, 1.0]),
        _grad_through(T, lambda x: T.special.gammaincc(a, x), [0.5, 3.0, 1.0]),
        _grad_through(T, lambda x: T.special.multigammaln(x, 3), [1.5, 2.0, 4.0]),
        _grad_through(T, lambda x: T.special.logit(x, eps=0.1), [0.0, 0.05, 0.5, 0.95, 1.0]),
        T.special.logsumexp(_ar(T, 2, 3), 1),
        T.special.softmax(_ar(T, 2, 3), 1),
        T.special.log_softmax(_ar(T, 2, 3), dim=0),
        T.special.round(T.tensor([0.5, 1.5, -2.5])),
        T.special.exp2(T.tensor([0.5])),
        T.special.expm1(T.tensor([0.5])),
        T.special.log1p(T.tensor([0.5])),
    )


# -- numbers ------------------------------------------------------------------------------------
@case
def frexp_and_dtype_attributes(T: Any) -> Any:
    x = T.tensor([8.0, 0.3, -5.0, 0.0, 1.7e308, 5e-324, 2.0**53 - 1, 0.75], dtype=T.float64)
    leaf = x[:3].clone().requires_grad_()
    T.frexp(leaf)[0].sum().backward()
    dtypes = (T.float32, T.float64, T.int8, T.uint8, T.bool, T.complex64, T.int64)
    return (
        T.frexp(x),
        T.frexp(T.tensor([8.0, 0.3, 1e-40, 3.4e38, float("inf"), 1.0])),
        T.tensor([8.0, 0.3]).frexp(),
        leaf.grad,
        [[d.is_floating_point, d.is_signed, d.is_complex, d.itemsize] for d in dtypes],
    )


@case
def isin_floats_argsort_stable(T: Any) -> Any:
    return (
        T.isin(T.tensor([1.0, 2.0, float("nan")]), T.tensor([2.0, float("nan")])),
        T.isin(T.tensor([[1.5, 2.0], [3.0, 4.0]]), T.tensor([2.0, 4.0, 6.0]), invert=True),
        T.isin(T.tensor([1, 2, 3]), T.tensor([3, 1]), assume_unique=True),
        T.isin(T.tensor([1, 2]), 2.0),
        T.tensor([2, 1, 2, 1, 2]).argsort(descending=True, stable=True),
        _ar(T, 3, 4).argsort(dim=0, stable=True),
    )


@case
def scatter_reduce_multiply(T: Any) -> Any:
    x = T.ones(2, 3, dtype=T.float64)
    index = T.tensor([[0, 0], [2, 1]])
    y = T.tensor([[1, 2, 3]])
    y.scatter_(1, T.tensor([[0, 0]]), 3, reduce="multiply")
    return (
        x.scatter(1, index, _ar(T, 2, 2), reduce="multiply"),
        x.scatter(1, index, 3.0, reduce="multiply"),
        y,
    )


@case
def in_place_matrix_products(T: Any) -> Any:
    out = []
    for name, shape, args in (
        ("addmm_", (2, 3), ((2, 4), (4, 3))),
        ("addmv_", (2,), ((2, 4), (4,))),
        ("addr_", (2, 3), ((2,), (3,))),
        ("addbmm_", (2, 3), ((5, 2, 4), (5, 4, 3))),
        ("baddbmm_", (5, 2, 3), ((5, 2, 4), (5, 4, 3))),
    ):
        x = _ar(T, *shape)
        getattr(x, name)(*(_ar(T, *a) for a in args), beta=0.5, alpha=2)
        out.append(x)
    return out


@case
def grad_of_non_leaf_warns(T: Any) -> Any:
    x = _x(T).requires_grad_()
    y = x * 2
    (y * y).sum().backward()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = y.grad
        leaf = x.grad
    return value, leaf, [str(w.category.__name__) for w in caught]


@case
def ensemble_with_stack_module_state(T: Any) -> Any:
    import copy

    models = [
        T.nn.Sequential(T.nn.Linear(3, 4), T.nn.BatchNorm1d(4), T.nn.Tanh(), T.nn.Linear(4, 1))
        .double()
        .eval()
        for _ in range(3)
    ]
    for k, m in enumerate(models):
        with T.no_grad():
            for j, p in enumerate(m.parameters()):
                p.copy_(T.ones_like(p) * 0.1 * (k + 1) + 0.01 * j)
            m[1].running_mean.fill_(0.5 * k)
    params, buffers = T.func.stack_module_state(models)
    base = copy.deepcopy(models[0])

    def fmodel(p: Any, b: Any, x: Any) -> Any:
        return T.func.functional_call(base, (p, b), (x,))

    x = T.arange(6.0, dtype=T.float64).reshape(2, 3)
    out = T.func.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, x)
    out.sum().backward()
    return out, params["0.weight"].grad, sorted(buffers), buffers["1.running_mean"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_results_as_torch(name: str) -> None:
    with warnings.catch_warnings():  # (torch's own deprecation notices from its internals)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)  # (scatter's reduce=, deprecated there)
        want = _norm(CASES[name](torch))
    _same(_norm(CASES[name](pt)), want)
