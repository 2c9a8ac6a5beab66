"""PyTorch's scaled arithmetic: ``torch.add``/``torch.sub`` with ``alpha=`` (functions, methods
and in place) and ``addcmul``/``addcdiv`` (``value=``), which hand-written optimizers use
(``p.add_(g, alpha=-lr)``, ``v.addcmul_(g, g, value=1 - beta2)``, ``p.addcdiv_(m, d,
value=-lr)``): torch's values in float32 (to an ulp or two: torch fuses the multiply and add),
gradients in float64, errors, on NumPy, Dask and array-api-strict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch")


def _backend_param(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


BACKENDS = [_backend_param(b) for b in ("numpy", "dask", "array_api_strict")]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    pt.set_backend(request.param)
    return str(request.param)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


def _arrays(dtype: str, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [(rng.standard_normal(s) + 2.5).astype(dtype) for s in shapes]


CASES = [
    ("add", lambda m, a, b, c: m.add(a, b, alpha=-0.3)),
    ("sub", lambda m, a, b, c: m.sub(a, b, alpha=2.5)),
    ("subtract", lambda m, a, b, c: m.subtract(a, b, alpha=3)),
    ("add scalar", lambda m, a, b, c: m.add(a, 1.5, alpha=2)),
    ("x.add", lambda m, a, b, c: a.add(b, alpha=0.7)),
    ("x.sub", lambda m, a, b, c: a.sub(b, alpha=0.7)),
    ("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=0.1)),
    ("addcmul default", lambda m, a, b, c: m.addcmul(a, b, c)),
    ("addcdiv", lambda m, a, b, c: m.addcdiv(a, b, c, value=-0.01)),
    ("x.addcmul", lambda m, a, b, c: a.addcmul(b, c, value=3)),
    ("x.addcdiv", lambda m, a, b, c: a.addcdiv(b, c)),
]


@pytest.mark.parametrize(("name", "fn"), CASES, ids=[c[0] for c in CASES])
def test_values_match_torch(backend: str, name: str, fn: Any) -> None:
    a, b, c = _arrays("float32", (3, 4), (3, 4), (4,))
    want = fn(torch, *(torch.tensor(v) for v in (a, b, c))).numpy()
    got = _host(fn(pt, *(pt.asarray(v) for v in (a, b, c))))
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=3e-7, atol=1e-6, err_msg=name)


@pytest.mark.parametrize(("name", "fn"), CASES, ids=[c[0] for c in CASES])
def test_gradients_match_torch(backend: str, name: str, fn: Any) -> None:
    arrays = _arrays("float64", (3, 4), (3, 4), (4,))
    xs_t = [torch.tensor(v, requires_grad=True) for v in arrays]
    xs_p = [pt.tensor(v, requires_grad=True) for v in arrays]
    r = np.random.default_rng(1).standard_normal((3, 4))
    g_t = torch.autograd.grad((fn(torch, *xs_t) * torch.tensor(r)).sum(), xs_t, allow_unused=True)
    g_p = pt.autograd.grad((fn(pt, *xs_p) * pt.tensor(r)).sum(), xs_p, allow_unused=True)
    for i, (gp, gt) in enumerate(zip(g_p, g_t, strict=True)):
        if gt is None:
            assert gp is None, (name, i)
        else:
            np.testing.assert_allclose(_host(gp), gt.numpy(), rtol=1e-12, err_msg=f"{name} {i}")


INPLACE = [
    ("add_", lambda p, g, m, d: p.add_(g, alpha=-0.01)),
    ("sub_", lambda p, g, m, d: p.sub_(g, alpha=0.01)),
    ("addcmul_", lambda p, g, m, d: p.addcmul_(g, m, value=0.001)),
    ("addcdiv_", lambda p, g, m, d: p.addcdiv_(m, d, value=-0.01)),
    ("adam", lambda p, g, m, d: _adam(p, g, m, d)),
]


def _adam(p: Any, g: Any, m: Any, d: Any) -> Any:
    m.mul_(0.9).add_(g, alpha=0.1)
    d.mul_(0.999).addcmul_(g, g, value=0.001)
    return p.addcdiv_(m, d.sqrt().add_(1e-8), value=-1e-3)


@pytest.mark.parametrize(("name", "fn"), INPLACE, ids=[c[0] for c in INPLACE])
def test_in_place_forms_write_the_tensor(backend: str, name: str, fn: Any) -> None:
    arrays = _arrays("float32", (5,), (5,), (5,), (5,))
    ts = [torch.tensor(v) for v in arrays]
    ps = [pt.asarray(v) for v in arrays]
    with torch.no_grad():
        rt = fn(*ts)
    with pt.no_grad():
        rp = fn(*ps)
    assert rp is ps[0] and rt is ts[0]
    for p, t in zip(ps, ts, strict=True):
        np.testing.assert_allclose(_host(p), t.numpy(), rtol=3e-7, atol=1e-6, err_msg=name)


def test_in_place_update_of_a_leaf_under_no_grad_keeps_it_a_leaf() -> None:
    w = pt.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with pt.no_grad():
        w.add_(w.grad, alpha=-0.5)
    assert w.is_leaf and w.requires_grad
    np.testing.assert_array_equal(_host(w), [0.0, 0.0])


def test_in_place_with_a_recorded_tensor_is_differentiable() -> None:
    a = pt.tensor([1.0, 2.0], requires_grad=True)
    x = a * 1.0
    x.addcmul_(a, a, value=2)  # x = a + 2 a^2
    x.sum().backward()
    np.testing.assert_allclose(_host(a.grad), [5.0, 9.0])


def test_out_argument() -> None:
    r = pt.zeros(2)
    assert pt.add(pt.ones(2), pt.ones(2), alpha=4, out=r) is r
    np.testing.assert_array_equal(_host(r), [5.0, 5.0])


def test_integer_tensors() -> None:
    got = pt.add(pt.asarray([1, 2]), pt.asarray([3, 4]), alpha=2)
    want = torch.add(torch.tensor([1, 2]), torch.tensor([3, 4]), alpha=2)
    assert got.dtype == pt.int64
    np.testing.assert_array_equal(_host(got), want.numpy())
    got = pt.addcmul(pt.asarray([1, 2]), pt.asarray([3, 4]), pt.asarray([1, 1]), value=2)
    np.testing.assert_array_equal(_host(got), [7, 10])


def test_mixed_dtypes_scale_in_the_result_dtype() -> None:
    """An int64 tensor times a float alpha/value goes into a float64 result exactly, as torch:
    not rounded through the default float32 first."""
    big, x = [2**30 + 1, -3], [1.0, 3.0]
    for how in ("fn", "method", "in place"):
        p, t = pt.asarray(x, dtype=pt.float64), torch.tensor(x, dtype=torch.float64)
        if how == "fn":
            p, t = pt.add(p, pt.asarray(big), alpha=0.5), torch.add(t, torch.tensor(big), alpha=0.5)
        elif how == "method":
            p, t = p.sub(pt.asarray(big), alpha=0.5), t.sub(torch.tensor(big), alpha=0.5)
        else:
            p.add_(pt.asarray(big), alpha=0.5)
            t.add_(torch.tensor(big), alpha=0.5)
        assert p.dtype == pt.float64
        np.testing.assert_array_equal(_host(p), t.numpy())
    i32 = pt.add(pt.asarray([7], dtype=pt.int32), pt.asarray([True]), alpha=2)
    assert i32.dtype == pt.int32 and i32.tolist() == [9]
    ones = pt.ones(2, dtype=pt.float64)
    got = pt.addcmul(ones, pt.asarray(big), pt.asarray([1, 1], dtype=pt.int32), value=0.5)
    want = torch.addcmul(
        torch.ones(2, dtype=torch.float64),
        torch.tensor(big),
        torch.tensor([1, 1], dtype=torch.int32),
        value=0.5,
    )
    np.testing.assert_array_equal(_host(got), want.numpy())
    got = pt.addcdiv(ones, pt.asarray(big), pt.asarray([1.0, 1.0], dtype=pt.float64), value=0.5)
    want = torch.addcdiv(
        torch.ones(2, dtype=torch.float64),
        torch.tensor(big),
        torch.ones(2, dtype=torch.float64),
        value=0.5,
    )
    np.testing.assert_array_equal(_host(got), want.numpy())


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: pt.add(pt.arange(3), pt.arange(3), alpha=0.5), RuntimeError, "alpha"),
        (lambda: pt.add(pt.ones(2), pt.ones(2), alpha=1j), RuntimeError, "complex"),
        (lambda: pt.sub(pt.ones(2), pt.ones(2), alpha="2"), TypeError, "Python number"),
        (lambda: pt.ones(2).add_(pt.ones(2), alpha="x"), TypeError, "Python number"),
        (lambda: pt.addcmul(*[pt.ones(2)] * 3, value=pt.ones(1)), TypeError, "value"),
        (lambda: pt.addcmul(*[pt.arange(2)] * 3, value=1e30), RuntimeError, "overflow"),
        (lambda: pt.addcmul(*[pt.arange(2)] * 3, value=float("nan")), RuntimeError, "int64"),
        (lambda: pt.add(pt.ones(2), pt.ones(2), alpha=True), RuntimeError, "boolean"),
        (lambda: pt.add(pt.ones(2), pt.ones(2), alpha=pt.ones(1)), TypeError, "0-d tensor"),
        (lambda: pt.addcdiv(pt.arange(2), pt.arange(2), pt.arange(2)), RuntimeError, "integer"),
        (lambda: pt.addcmul([1.0], pt.ones(1), pt.ones(1)), TypeError, "addcmul"),
        (lambda: pt.ones(2).addcmul_(pt.ones(3), pt.ones(3)), ValueError, "shape"),
    ],
)
def test_errors(call: Any, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        call()


def test_torch_refuses_what_polytensor_refuses() -> None:
    with pytest.raises(RuntimeError):
        torch.add(torch.arange(3), torch.arange(3), alpha=0.5)
    with pytest.raises(RuntimeError):
        torch.addcdiv(torch.arange(2), torch.arange(2), torch.arange(2))


def test_booleans_order_and_multiply_as_in_torch(backend: str) -> None:
    """PyTorch orders booleans (False before True) and multiplies them into an int64; the
    standard's ordering functions take numbers, so polytensor's PyTorch forms go through
    uint8 and give booleans back."""
    b = np.array([[True, False], [True, True], [False, False]])
    P, T = pt.asarray(b), torch.tensor(b)

    def norm(r: Any) -> Any:
        if isinstance(r, tuple):
            return [norm(v) for v in r]
        return (r.tolist(), str(r.dtype).split(".")[-1])

    calls = [
        lambda m, x: m.max(x),
        lambda m, x: tuple(m.max(x, 1)),
        lambda m, x: tuple(m.min(x, dim=0, keepdim=True)),
        lambda m, x: m.amax(x, 1),
        lambda m, x: m.amin(x),
        lambda m, x: m.prod(x),
        lambda m, x: m.prod(x, 1),
        lambda m, x: x.prod(0),
        lambda m, x: tuple(m.sort(x, 1)),
        lambda m, x: tuple(m.sort(x, 0, descending=True)),
        lambda m, x: m.argsort(x, 1),
        lambda m, x: x.argsort(0, descending=True),
    ]
    if backend != "dask":  # (Dask refuses unique: its shape depends on the data)
        calls.append(lambda m, x: m.unique(x))
        calls.append(lambda m, x: tuple(m.unique(x, return_inverse=True, return_counts=True)))
    for i, call in enumerate(calls):
        assert norm(call(pt, P)) == norm(call(torch, T)), i


@pytest.mark.parametrize("alpha", [2, 0, True, False, -1])
def test_boolean_operands_with_alpha_stay_boolean_as_torch(backend: str, alpha: Any) -> None:
    a = np.array([True, False, True, False])
    b = np.array([True, True, False, False])
    want = torch.add(torch.tensor(a), torch.tensor(b), alpha=alpha)
    _same(pt.add(pt.asarray(a), pt.asarray(b), alpha=alpha), want)
    _same(pt.asarray(a).add(pt.asarray(b), alpha=alpha), want)
    x = pt.asarray(a)
    x.add_(pt.asarray(b), alpha=alpha)
    _same(x, want)
    # (a Python bool with a boolean tensor: a boolean result too)
    _same(pt.add(True, pt.asarray(b), alpha=alpha), torch.add(True, torch.tensor(b), alpha=alpha))


def _same(got: Any, want: Any) -> None:
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_array_equal(_host(got), want.numpy())


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
@pytest.mark.parametrize(
    "value", [0.5, 2.7, -0.5, -1.5, True, 1 + 0j, 2.5 + 0j, np.float64(2.5), np.int64(3)]
)
def test_addcmul_of_integers_truncates_a_float_value_as_torch(
    backend: str, dtype: str, value: Any
) -> None:
    if dtype == "uint8" and not isinstance(value, bool) and np.real(value) < 0:
        value = -value  # (a negative scale does not fit uint8: refused, below)
    data = [np.array([1, 2, 3]), np.array([2, 3, 4]), np.array([5, 6, 7])]
    p = [pt.asarray(a, dtype=getattr(pt, dtype)) for a in data]
    t = [torch.tensor(a, dtype=getattr(torch, dtype)) for a in data]
    _same(pt.addcmul(*p, value=value), torch.addcmul(*t, value=value))
    _same(p[0].addcmul_(p[1], p[2], value=value), t[0].addcmul_(t[1], t[2], value=value))


@pytest.mark.parametrize(
    ("dtype", "value"),
    [
        ("int64", 1e30),
        ("int64", float("inf")),
        ("int64", float("nan")),
        ("uint8", -1.5),
        ("uint8", 256),
        ("int8", 300.5),
        ("int8", -129),
    ],
)
def test_addcmul_refuses_a_value_its_integer_result_cannot_hold_as_torch(
    dtype: str, value: Any
) -> None:
    with pytest.raises(RuntimeError, match="without overflow"):
        torch.addcmul(*[torch.ones(2, dtype=getattr(torch, dtype))] * 3, value=value)
    with pytest.raises(RuntimeError, match="value="):
        pt.addcmul(*[pt.ones(2, dtype=getattr(pt, dtype))] * 3, value=value)


SCALES = {
    "f32": lambda m: m.asarray(0.5) if m is pt else m.tensor(0.5),
    "f64": lambda m: (m.asarray if m is pt else m.tensor)(0.1, dtype=m.float64),
    "int": lambda m: (m.asarray if m is pt else m.tensor)(3),
    "bool": lambda m: (m.asarray if m is pt else m.tensor)(True),
    "np_int64": lambda m: np.int64(2),
    "np_float32": lambda m: np.float32(0.25),
}


@pytest.mark.parametrize("scale", list(SCALES))
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_a_0d_tensor_or_numpy_scalar_scale_is_taken_as_torch(
    backend: str, scale: str, dtype: str
) -> None:
    data = [np.array([1.5, 2.5, 3.5]), np.array([2.0, 3.0, 4.0]), np.array([4.0, 1.0, 2.0])]
    if dtype == "int64":
        data = [a.astype(np.int64) for a in data]
    calls = {
        "add": lambda m, x, y, z, s: m.add(x, y, alpha=s),
        "sub": lambda m, x, y, z, s: m.sub(x, y, alpha=s),
        "add_": lambda m, x, y, z, s: x.add_(y, alpha=s),
        "addcmul": lambda m, x, y, z, s: m.addcmul(x, y, z, value=s),
        "addcmul_": lambda m, x, y, z, s: x.addcmul_(y, z, value=s),
        "addcdiv": lambda m, x, y, z, s: m.addcdiv(x, y, z, value=s),
    }
    for name, call in calls.items():
        results = []
        for m in (torch, pt):
            args = [(m.tensor if m is torch else pt.asarray)(a.copy()) for a in data]
            try:
                results.append(call(m, *args, SCALES[scale](m)))
            except RuntimeError as e:
                results.append(e)
        want, got = results
        if isinstance(want, Exception):
            assert isinstance(got, RuntimeError), (name, got)
        else:
            assert not isinstance(got, Exception), (name, got)
            _same(got, want)


def test_a_scale_tensor_that_requires_grad_or_has_elements_is_refused_as_torch() -> None:
    for scale in (lambda m: m.ones((), requires_grad=True), lambda m: m.ones(1)):
        for call in (
            lambda m, s: m.add(m.ones(2), m.ones(2), alpha=s),
            lambda m, s: m.addcmul(m.ones(2), m.ones(2), m.ones(2), value=s),
            lambda m, s: m.ones(2).addcdiv_(m.ones(2), m.ones(2), value=s),
        ):
            with pytest.raises(TypeError):
                call(torch, scale(torch))
            with pytest.raises(TypeError, match="0-d tensor"):
                call(pt, scale(pt))
