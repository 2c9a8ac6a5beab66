"""The fast first-order forms of derivative rules (``polytensor.autograd._fast_forms``) give
the same gradients as the rules themselves, on every backend, and backward really uses them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor._ops._registry import OP_LIST, OPS
from polytensor.autograd import _engine

BACKENDS = ["numpy", "dask", "array_api_strict"]

# op name -> cases: (input shapes, function of the input tensors, whether a fast rule is used
# for every input that needs a gradient, or a case it hands back to the rule)
_Case = tuple[tuple[tuple[int, ...], ...], Callable[..., Any], bool]
_POS = {"sqrt", "log", "pow"}  # ops drawn on positive inputs

CASES: dict[str, list[_Case]] = {
    "add": [
        (((3, 4), (3, 4)), lambda a, b: a + b, True),
        (((3, 1), (1, 4)), lambda a, b: pt.add(a, b), True),
        (((3,),), lambda a: 2.5 + a, True),
    ],
    "subtract": [(((3, 4), (4,)), lambda a, b: a - b, True), (((3,),), lambda a: 1.0 - a, True)],
    "multiply": [
        (((2, 3), (2, 3)), lambda a, b: a * b, True),
        (((2, 3), (3,)), lambda a, b: a * b, True),
        (((), (2, 3)), lambda a, b: a * b, True),
        (((3,),), lambda a: a * 3.0, True),
        (((3, 4),), lambda a: a * (a > 0), True),
    ],  # times a boolean mask
    "divide": [
        (((2, 3), (2, 3)), lambda a, b: a / (b + 3.0), True),
        (((3,),), lambda a: 2.0 / (a + 3.0), True),
    ],
    "negative": [(((2, 3),), lambda a: -a, True)],
    "pow": [
        (((2, 3),), lambda a: a**2, True),
        (((2, 3),), lambda a: a**3.5, True),
        (((2, 3), (2, 3)), lambda a, b: a**b, False),
    ],  # the exponent takes the rule
    "square": [(((2, 3),), pt.square, True)],
    "sqrt": [(((2, 3),), pt.sqrt, True)],
    "exp": [(((2, 3),), pt.exp, True)],
    "log": [(((2, 3),), pt.log, True)],
    "sin": [(((2, 3),), pt.sin, True)],
    "cos": [(((2, 3),), pt.cos, True)],
    "tanh": [(((2, 3),), pt.tanh, True)],
    "relu": [(((3, 4),), pt.nn.functional.relu, True)],
    "special.expit": [(((3, 4),), pt.nn.functional.sigmoid, True), (((3, 4),), pt.sigmoid, True)],
    "clip": [
        (((3, 4),), lambda a: a.clamp(min=0), True),  # the tutorials' relu
        (((3, 4),), lambda a: pt.clip(a, max=0.5), True),
        (((3, 4),), lambda a: pt.clamp(a, -0.5, 0.5), False),  # two bounds take the rule
    ],
    "matmul": [
        (((3, 4), (4, 5)), lambda a, b: a @ b, True),
        (((2, 3, 4), (4, 5)), lambda a, b: a @ b, True),  # broadcast: summed
        (((4, 5), (2, 5, 6)), lambda a, b: a @ b, True),
        (((2, 3, 4), (2, 4, 5)), lambda a, b: a @ b, True),
        (((4,), (4, 5)), lambda a, b: a @ b, False),  # vectors take the rule
        (((3, 4), (4,)), lambda a, b: a @ b, False),
    ],
    "_matmul_nt": [
        (((3, 4), (5, 4)), pt.nn.functional.linear, True),  # nn.Linear's x @ w.T
        (((2, 3, 4), (5, 4)), pt.nn.functional.linear, True),  # a batch of batches: summed
    ],
    "sum": [
        (((3, 4),), lambda a: pt.sum(a), True),
        (((2, 3, 4),), lambda a: pt.sum(a, axis=1), True),
        (((2, 3, 4),), lambda a: pt.sum(a, axis=(0, -1)), True),
        (((2, 3),), lambda a: pt.sum(a, axis=0, keepdims=True), True),
        (((2, 3),), lambda a: pt.sum(a, dtype=pt.float32), True),  # cast back on the way
        (((0, 3),), lambda a: pt.sum(a, axis=0), True),
    ],  # an empty input
    "mean": [
        (((3, 4),), lambda a: pt.mean(a), True),
        (((2, 3, 4),), lambda a: pt.mean(a, axis=(0, 2)), True),
        (((2, 3),), lambda a: pt.mean(a, axis=1, keepdims=True), True),
    ],
    "reshape": [(((2, 6),), lambda a: pt.reshape(a, (3, 4)), True)],
    "squeeze": [
        (((1, 3, 1),), lambda a: pt.squeeze(a, axis=(0, 2)), True),
        (((2, 1, 3),), lambda a: a.squeeze(1), True),
    ],
    "expand_dims": [(((2, 3),), lambda a: pt.expand_dims(a, axis=1), True)],
    "permute_dims": [
        (((2, 3),), lambda a: a.t(), True),
        (((2, 3, 4),), lambda a: pt.permute_dims(a, (2, 0, 1)), True),
    ],
    # take along an axis (repeated indices add up); without an axis, of a vector: the rule
    "take": [
        (((4, 3),), lambda a: pt.take(a, _ids(a, [2, 0, 2]), axis=0), True),
        (((3, 4),), lambda a: pt.take(a, _ids(a, [3, 3, 1]), axis=-1), True),
        (((5,),), lambda a: pt.take(a, _ids(a, [4, 0])), False),
    ],
    "_softmax": [
        (((3, 4),), lambda a: pt.nn.functional.softmax(a, dim=1), True),
        (((3, 4, 2),), lambda a: pt.nn.functional.softmax(a, dim=0), True),
    ],
    "_log_softmax": [
        (((3, 4),), lambda a: pt.nn.functional.log_softmax(a, dim=1), True),
        (((3, 4, 2),), lambda a: pt.nn.functional.log_softmax(a, dim=1), True),
    ],
    "_layer_norm": [
        (((3, 4), (4,), (4,)), lambda a, w, b: pt.nn.functional.layer_norm(a, (4,), w, b), True),
        (((2, 3, 4),), lambda a: pt.nn.functional.layer_norm(a, (3, 4)), True),
    ],
    "_gelu": [
        (((3, 4),), lambda a: pt.nn.functional.gelu(a), True),
        (((2, 3, 2),), lambda a: pt.nn.functional.gelu(a, approximate="tanh"), True),
    ],
    # cross_entropy without class weights: one op (its targets made on the input's backend:
    # one with ignore_index, -100); nll_loss of log-probabilities: _nll_loss
    "_cross_entropy": [
        (((4, 3),), lambda a: _cross_entropy(a, [0, 2, 1, 2], "mean"), True),
        (((4, 3),), lambda a: _cross_entropy(a, [0, -100, 1, 2], "sum"), True),
        (((4, 3),), lambda a: _cross_entropy(a, [0, -100, 1, 2], "none"), True),
        (((2, 3, 2),), lambda a: _cross_entropy(a, [[0, 2], [1, -100]], "mean"), True),
    ],
    # embedding: the rows at ids (repeated; a padding row)
    "_embedding": [
        (((5, 3),), lambda w: _embedding(w, [[0, 4], [4, 2]], None), True),
        (((5, 3),), lambda w: _embedding(w, [1, 1, 0, 3], 1), True),
    ],
    "_nll_loss": [
        (((4, 3),), lambda a: _nll(a, [0, 2, 1, 2], "mean"), True),
        (((4, 3),), lambda a: _nll(a, [0, -100, 1, 2], "sum"), True),
        (((4, 3),), lambda a: _nll(a, [0, -100, 1, 2], "none"), True),
        (((2, 3, 2),), lambda a: _nll(a, [[0, 2], [1, -100]], "mean"), True),
    ],
}


def _ids(a: Any, ids: list[int]) -> Any:
    return pt.asarray(np.array(ids), device=a.device)


def _cross_entropy(a: Any, target: list[Any], reduction: str) -> Any:
    t = pt.asarray(np.array(target), device=a.device)
    return pt.nn.functional.cross_entropy(a, t, reduction=reduction)


def _embedding(w: Any, ids: list[Any], padding_idx: int | None) -> Any:
    i = pt.asarray(np.array(ids), device=w.device)
    return pt.nn.functional.embedding(i, w, padding_idx=padding_idx)


def _nll(a: Any, target: list[Any], reduction: str) -> Any:
    t = pt.asarray(np.array(target), device=a.device)
    return pt.nn.functional.nll_loss(a, t, reduction=reduction)


def _params() -> list[Any]:
    return [
        pytest.param(name, i, backend, id=f"{backend}-{name}-{i}")
        for name, cases in CASES.items()
        for i in range(len(cases))
        for backend in BACKENDS
    ]


def test_every_fast_rule_has_cases() -> None:
    with_fast = {op.name for op in OP_LIST if op.fast is not None}
    assert with_fast == set(CASES), "an op with fast rules needs cases here (or stale cases)"


def _gradients(name: str, i: int, backend: str, fast: bool) -> list[np.ndarray]:
    shapes, fn, _ = CASES[name][i]
    rng = np.random.default_rng(7 + i)
    values = [rng.uniform(0.5, 2.0, s) if name in _POS else rng.standard_normal(s) for s in shapes]
    xs = [pt.asarray(v, device=backend, requires_grad=True) for v in values]
    out = fn(*xs)
    weights = pt.asarray(rng.standard_normal(out.shape), device=backend, dtype=out.dtype)
    before = _engine.FAST_RULES
    _engine.FAST_RULES = fast
    try:
        pt.sum(out * weights).backward()
    finally:
        _engine.FAST_RULES = before
    return [np.asarray(x.grad.numpy()) for x in xs]


@pytest.mark.parametrize(("name", "i", "backend"), _params())
def test_fast_rules_give_the_rules_gradients(name: str, i: int, backend: str) -> None:
    if not pt.backends.get(backend).status()[0]:
        pytest.skip(f"{backend}: {pt.backends.get(backend).status()[1]}")
    fast = _gradients(name, i, backend, True)
    slow = _gradients(name, i, backend, False)
    for f, s in zip(fast, slow, strict=True):
        assert f.shape == s.shape and f.dtype == s.dtype
        np.testing.assert_allclose(f, s, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(
    ("name", "i"), [(n, i) for n, cases in CASES.items() for i in range(len(cases)) if cases[i][2]]
)
def test_backward_uses_the_fast_rules(name: str, i: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # with the op's rules made to fail, backward still works: it never called them
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{name}'s rule ran although its fast form covers the case")

    op = OPS[name]
    monkeypatch.setattr(op, "rules", tuple(fail for _ in op.rules))
    fast = _gradients(name, i, "numpy", True)
    assert all(np.all(np.isfinite(g)) for g in fast)
    with pytest.raises(AssertionError, match="rule ran"):
        _gradients(name, i, "numpy", False)


# (array-api-strict hands out a new dtype object at each .dtype, so its cotangents never pass
# the fast path's dtype identity test: every one of its edges takes the general path)
@pytest.mark.parametrize("backend", ["numpy", "dask"])
def test_broadcast_inputs_get_their_gradient_summed_on_the_fast_path(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a bias (leading axes added) and a (4, 1) column (an inner axis of length 1): each
    # gradient is summed to its input's shape with the backend's own sum, never through the
    # general path's tensors (made to fail here); the values are the rules' (checked above)
    if not pt.backends.get(backend).status()[0]:
        pytest.skip(f"{backend}: {pt.backends.get(backend).status()[1]}")

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a broadcast gradient took the general path")

    monkeypatch.setattr(_engine, "_slow_edge", fail)
    with pt.use_backend(backend):
        x = pt.ones((4, 3))
        w = pt.ones((5, 3), requires_grad=True)
        b = pt.zeros(5, requires_grad=True)
        pt.nn.functional.linear(x, w, b).sum().backward()
        col = pt.ones((4, 1), requires_grad=True)
        (pt.ones((2, 4, 5)) * col).sum().backward()
    np.testing.assert_array_equal(b.grad.to("numpy").numpy(), np.full(5, 4.0, np.float32))
    np.testing.assert_array_equal(col.grad.to("numpy").numpy(), np.full((4, 1), 10.0, np.float32))


def test_complex_cotangents_take_the_rules() -> None:
    # fast forms are for real dtypes: complex values follow the rules' conjugate convention
    z = pt.asarray([1 + 2j, 3 - 1j], dtype=pt.complex128, requires_grad=True)
    w = pt.asarray([2 - 1j, 1j], dtype=pt.complex128)
    pt.real(pt.sum(z * w)).backward()
    np.testing.assert_allclose(z.grad.numpy(), np.conj([2 - 1j, 1j]))


def test_create_graph_takes_the_rules() -> None:
    # second derivatives need the recorded rules: d2/dx2 of sum(x ** 3) is 6x
    x = pt.asarray([1.0, 2.0], dtype=pt.float64, requires_grad=True)
    (g,) = pt.autograd.grad(pt.sum(x**3.0), [x], create_graph=True)
    pt.sum(g).backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])


def test_float32_gradients_of_the_fast_rules_keep_their_dtype() -> None:
    x = pt.asarray(np.ones((2, 3), np.float32), requires_grad=True)
    w = pt.asarray(np.ones((3, 2), np.float32), requires_grad=True)
    pt.sum((pt.nn.functional.relu(x @ w) - 1.0) ** 2).backward()
    assert x.grad.dtype == pt.float32 and w.grad.dtype == pt.float32
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), 8.0))


@pytest.mark.parametrize("backend", ["numpy", "dask"])
def test_element_wise_nodes_of_one_tensor_are_alike(backend: str) -> None:
    # Node.alike: each input that may need a gradient has the output's shape and dtype, so
    # backward takes the fast forms' cotangents as they are. Known without a test for an
    # element-wise op of one tensor (and numbers); two tensors may broadcast, and any other op
    # may change the shape: those cotangents are tested (and summed) as before.
    if not pt.backends.get(backend).status()[0]:
        pytest.skip(f"{backend}: {pt.backends.get(backend).status()[1]}")
    with pt.use_backend(backend):
        x = pt.ones((2, 3), requires_grad=True)
        row = pt.ones((1, 3), requires_grad=True)
        alike = [
            x * 0.5,
            2.0 - x,
            x**2,
            pt.sin(x),
            x.clamp(min=0),
            pt.nn.functional.relu(x),
        ]
        not_alike = [x + row, x * x, x @ pt.ones((3, 2)), x.sum(), x.reshape(3, 2)]
    assert all(y.grad_fn.alike for y in alike)
    assert not any(y.grad_fn.alike for y in not_alike)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("gdtype", ["float64", "int64"])
def test_a_gradient_of_another_dtype_is_cast_to_the_outputs(backend: str, gdtype: str) -> None:
    # as in PyTorch, y.backward(g) casts g to y's dtype first; the gradients then keep their
    # inputs' dtype through the nodes alike, whose cotangents backward does not test
    if not pt.backends.get(backend).status()[0]:
        pytest.skip(f"{backend}: {pt.backends.get(backend).status()[1]}")
    x0 = np.array([0.5, 1.0, 2.0], np.float32)
    x = pt.asarray(x0, device=backend, requires_grad=True)
    g = pt.asarray(np.array([1, 2, 3]), device=backend, dtype=getattr(pt, gdtype))
    (pt.sin(x * 0.5) - 1.0).backward(g)
    assert x.grad.dtype == pt.float32
    want = np.array([1, 2, 3], np.float32) * np.cos(x0 * np.float32(0.5)) * np.float32(0.5)
    np.testing.assert_allclose(x.grad.to("numpy").numpy(), want, rtol=1e-6)


def test_a_complex_gradient_of_a_real_output_is_refused() -> None:
    # as PyTorch: a complex gradient is not cast to a real output's dtype (its imaginary part
    # would be lost without a word)
    x = pt.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="complex64 but the output is"):
        (x * 2.0).backward(pt.ones(3, dtype=pt.complex64))


def test_gradients_of_parameters_are_plain_tensors() -> None:
    # a cotangent is a Tensor whatever the class of the input it belongs to (as in PyTorch)
    w = pt.nn.Parameter(pt.ones((2, 3)))
    pt.sum(w * 2.0).backward()
    assert type(w.grad) is pt.Tensor
    np.testing.assert_array_equal(w.grad.numpy(), np.full((2, 3), 2.0, np.float32))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_relu_gradient_is_zero_where_masked_for_any_cotangent(backend: str, dtype: str) -> None:
    # where relu's input is <= 0 its gradient is 0 even for an infinite or NaN cotangent (as
    # PyTorch's threshold_backward); where it is > 0 the cotangent passes as it is. The NumPy
    # backend multiplies by the mask only when every cotangent is finite (g . g, which an
    # overflow also sends to the exact path).
    x0 = np.array([-1.0, 2.0, -3.0, 4.0, 0.0, 5.0], dtype=dtype)
    cases = [
        ([np.inf, np.nan, -np.inf, 3e30, np.nan, 1.0], [0, np.nan, 0, 3e30, 0, 1.0]),
        ([3e30, 1.0, -3e30, 2.0, 7.0, -1.5], [0, 1.0, 0, 2.0, 0, -1.5]),  # g . g overflows
        ([0.5, 1.0, -2.0, 2.0, 7.0, -1.5], [0, 1.0, 0, 2.0, 0, -1.5]),
    ]
    with pt.use_backend(backend):
        for g0, expected in cases:
            x = pt.asarray(x0, requires_grad=True)
            pt.nn.functional.relu(x).backward(pt.asarray(np.array(g0, dtype=dtype)))
            got = x.grad.to("numpy").numpy()
            assert got.dtype == np.dtype(dtype)
            np.testing.assert_array_equal(np.abs(got), np.abs(np.array(expected, dtype=dtype)))


def test_nodes_recorded_before_an_in_place_op_keep_the_fast_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``loss += step_loss`` (the recurrent tutorials' loop) changes a tensor in place after
    the steps' nodes were recorded: their inputs are checked, then their fast forms run."""
    calls = []
    real = _engine._run_rules

    def counted(node: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(node.op.name)
        return real(node, *args, **kwargs)

    monkeypatch.setattr(_engine, "_run_rules", counted)
    w = pt.asarray(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    loss = pt.sum(pt.tanh(w) * 2.0)
    loss += pt.sum(w * w)
    loss.backward()
    assert calls == []
    np.testing.assert_allclose(
        w.grad.numpy(), 2 * (1 - np.tanh(w.detach().numpy()) ** 2) + 2 * w.detach().numpy()
    )


def test_an_input_changed_in_place_still_refuses_the_fast_rules() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    a = x * 1.0
    y = pt.sum(pt.tanh(a) * a)
    with pt.no_grad():
        a.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()
    b = x * 1.0
    z = pt.exp(b)  # (exp's rule reads its output)
    with pt.no_grad():
        z.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        pt.sum(z).backward()


def test_after_rebinds_alone_backward_looks_up_no_written_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``loss += step_loss`` rebinds ``loss`` and writes no memory: the nodes recorded before
    it need no look-up in the write log (a write since does, and raises where it must)."""
    from polytensor import _tape

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("backward looked up the write log")

    w = pt.asarray([0.5, -1.0], requires_grad=True)
    loss = pt.sum(pt.tanh(w) * w)
    loss += pt.sum(w * 3.0)
    monkeypatch.setattr(_tape, "written_since", fail)
    loss.backward()
    monkeypatch.undo()
    wn = w.detach().numpy()
    np.testing.assert_allclose(w.grad.numpy(), np.tanh(wn) + wn * (1 - np.tanh(wn) ** 2) + 3)
