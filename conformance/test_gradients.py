"""Derivative rules of the op table against central differences, on every backend.

Generated from the table: every op with a derivative (a rule, or ZERO) is checked with
``pt.autograd.gradcheck`` (first derivatives) and ``pt.autograd.gradgradcheck`` (second
derivatives, through ``create_graph=True``) in float64 or complex128 (as its dtype category
allows), on small hypothesis-drawn inputs (0-d, size-1 dimensions, broadcasting) from the op's
domain. Inputs and gauge-invariant losses come from ``domains.py``; an op that is neither
element-wise unary/binary nor a reduction, and has no gradient sampler there, fails
``test_every_differentiable_op_has_a_gradient_sampler``, so the table stays 100% covered.
"""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from domains import (
    SAMPLING,
    SMOOTH,
    GradCase,
    differentiable_ops,
    gradient_cases,
    has_gradient_sampler,
)
from domains import sample_gradient as grad_sample
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

import polytensor as pt
from polytensor import _tape
from polytensor._ops._registry import OP_LIST, ZERO

# Examples per op: first and second order. A lazy backend (Dask) computes one task graph per
# perturbed element, so it runs fewer (every op still runs on it).
EXAMPLES = 8
EXAMPLES_SECOND = 5
LAZY_EXAMPLES = 3
LAZY_EXAMPLES_SECOND = 1


@pytest.fixture(autouse=True)
def _dask_synchronous() -> Iterator[None]:
    """Dask computes tiny graphs on the calling thread: the same results, less overhead."""
    if importlib.util.find_spec("dask") is None:
        yield
        return
    import dask

    with dask.config.set(scheduler="synchronous"):
        yield


# Limitations of a backend library met by the gradient tests only (the other ones are in
# known_failures.py, which conftest applies here too): (backend, op[variant]) -> reason, strict.
LIMITATIONS: dict[tuple[str, str], str] = {
    (
        "array_api_strict",
        "_put[integer arrays]",
    ): "array-api-strict refuses __setitem__ with integer arrays, which the standard leaves "
    "unspecified (x[i] = v is only specified for basic indices and boolean masks)",
}


@pytest.fixture(autouse=True)
def _library_limitations(request: pytest.FixtureRequest) -> None:
    callspec = getattr(request.node, "callspec", None)
    if callspec is None:
        return
    op, variant = callspec.params.get("op"), callspec.params.get("variant")
    name = getattr(op, "name", op)
    reason = LIMITATIONS.get(
        (callspec.params.get("backend"), f"{name}[{variant}]" if variant else name)
    )
    if reason:
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


def _tensors(case: GradCase) -> tuple[Any, ...]:
    xs = tuple(
        pt.asarray(np.array(a, copy=True), dtype=getattr(pt, a.dtype.name), requires_grad=True)
        for a in case.inputs
    )
    cs = tuple(
        pt.asarray(np.array(c, copy=True), dtype=getattr(pt, c.dtype.name)) for c in case.consts
    )
    return xs + cs


def _run(
    backend: Any,
    op: Any,
    variant: str | None,
    examples: int,
    check: Callable[[GradCase, tuple[Any, ...]], None],
) -> None:
    # No shrinking: a failure reports the drawn case (its label) at once.
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = grad_sample(data.draw, op, variant)
        note(case.label)
        check(case, _tensors(case))

    run()


# -- the table is covered ----------------------------------------------------------------------
def test_every_differentiable_op_has_a_rule() -> None:
    missing = [op.name for op in OP_LIST if op.vjp is None]
    assert not missing, (
        f"ops of the table without a derivative rule: {missing}; give each "
        f"a rule, or ZERO / NONDIFF saying why it has none"
    )


def test_every_differentiable_op_has_a_gradient_sampler() -> None:
    missing = [op.name for op in differentiable_ops() if not has_gradient_sampler(op)]
    assert not missing, (
        f"differentiable ops with no gradient sampler: {missing}; add one to "
        f"conformance/domains.py (SAMPLING)"
    )


def test_every_gradient_sampler_names_a_differentiable_op() -> None:
    names = {op.name for op in differentiable_ops()}
    stale = sorted(
        name
        for name, s in SAMPLING.items()
        if name not in names
        and (s.both is not None or s.grad is not None or s.smooth is not SMOOTH)
    )
    assert not stale, (
        f"gradient samplers or domains of ops that are not differentiable ops: {stale}"
    )


# -- first and second derivatives ------------------------------------------------------------------
@pytest.mark.parametrize(("op", "variant"), gradient_cases())
def test_first_derivatives_match_central_differences(op: Any, variant: Any, backend: Any) -> None:
    def check(case: GradCase, args: tuple[Any, ...]) -> None:
        assert pt.autograd.gradcheck(case.fn, args, atol=case.atol, rtol=case.rtol)

    _run(backend, op, variant, LAZY_EXAMPLES if backend.lazy else EXAMPLES, check)


@pytest.mark.parametrize(("op", "variant"), gradient_cases())
def test_second_derivatives_match_central_differences(op: Any, variant: Any, backend: Any) -> None:
    def check(case: GradCase, args: tuple[Any, ...]) -> None:
        assert pt.autograd.gradgradcheck(case.fn, args, atol=case.atol, rtol=case.rtol)

    _run(backend, op, variant, LAZY_EXAMPLES_SECOND if backend.lazy else EXAMPLES_SECOND, check)


# -- what a rule declares it reads ---------------------------------------------------------------
class _MetadataOnly:
    """An input a rule declares it does not read (``_x``): its shape, dtype and device only.
    Any other use (its values, an operator, a function of it) raises."""

    def __init__(self, t: Any) -> None:
        self.shape, self.ndim, self.dtype = t.shape, t.ndim, t.dtype
        self.size, self.device, self._backend = t.size, t.device, t._backend

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a rule read .{name} of an input it declares unread (_x)")


def _nodes_of(op: Any, outputs: tuple[Any, ...]) -> list[tuple[Any, Any]]:
    """The recorded nodes of ``op`` in the graph of ``outputs``, each with an output tensor
    of it (or the tuple of them)."""
    made: dict[int, Any] = {}  # node -> a tensor it made
    stack = []
    for o in outputs:
        if o._meta is not None and (n := _tape.node_of(o._meta)) is not None:
            made.setdefault(id(n), o)
            stack.append(n)
    seen: set[int] = set()
    found = []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.op is op:
            found.append((node, made.get(id(node))))
        for x in node.inputs:
            m = getattr(x, "_meta", None)
            if m is not None and (n := _tape.node_of(m)) is not None:
                made.setdefault(id(n), x)
                stack.append(n)
    return found


def _declared_call(node: Any, made: Any) -> None:
    """Call each rule of ``node`` as the declarations allow: ``_out`` gets None (the graph did
    not keep the output), an input named ``_x`` a stand-in with its metadata only."""
    op = node.op
    rules = op.rules or (op.vjp,)
    outs = node.out if node.tuple_out else None
    g: Any = (
        tuple(pt.ones_like(o) for o in outs) if outs is not None else pt.ones_like(made.detach())
    )
    for i, rule in enumerate(rules):
        if not callable(rule) or not hasattr(rule, "__code__"):
            continue  # a marker (ZERO, NONDIFF) or a Composite: nothing declared
        if op.rules and node.needs[i] is None:
            continue  # a rule that the graph never runs for this call
        params = list(inspect.signature(rule).parameters.values())
        names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        out = None if names[1].startswith("_") else node.out
        inputs = tuple(
            _MetadataOnly(x)
            if j + 2 < len(names) and names[j + 2].startswith("_") and hasattr(x, "_data")
            else x
            for j, x in enumerate(node.inputs)
        )
        with pt.no_grad():
            rule(g, out, *inputs, **node.params)


def _declares(op: Any) -> bool:
    return any(callable(r) and hasattr(r, "__code__") for r in (op.rules or (op.vjp,)))


@pytest.mark.parametrize(("op", "variant"), [c for c in gradient_cases() if _declares(c.values[0])])
def test_rules_read_only_what_they_declare(op: Any, variant: Any) -> None:
    """A rule runs with the output withheld when its parameter is ``_out`` and with only the
    metadata of the inputs it names ``_x``: the declarations that decide what the graph keeps
    and which in-place changes backward checks are true. (Markers and Composite derivatives
    declare nothing: they are left out.)"""

    def check(case: GradCase, args: tuple[Any, ...]) -> None:
        nodes = _nodes_of(op, _outputs(case.fn(*args)))
        assert nodes, f"{op.name}() was not recorded"
        for node, made in nodes:
            _declared_call(node, made)

    with pt.use_backend("numpy"):
        _run(None, op, variant, 3, check)


# -- stand-ins for the inputs no rule reads ------------------------------------------------------
def _seed(o: Any, k: int) -> Any:
    rng = np.random.default_rng(k)
    v = rng.standard_normal(o.shape)
    if o.dtype.kind == "complex floating":
        v = v + 1j * rng.standard_normal(o.shape)
    return pt.asarray(v, dtype=o.dtype)


def _first_and_second(case: GradCase, args: tuple[Any, ...]) -> list[Any]:
    """Gradients of the inputs of ``case`` by backward() (its fast forms) for fixed output
    gradients, and the second derivatives through grad(create_graph=True), as NumPy arrays."""
    xs = args[: len(case.inputs)]
    for x in xs:
        x.grad = None
    outs = [o for o in _outputs(case.fn(*args)) if _tape._is_tensor(o) and o.requires_grad]
    seeds = [_seed(o, k) for k, o in enumerate(outs)]
    pt.autograd.backward(outs, seeds)
    got = [None if x.grad is None else x.grad.numpy() for x in xs]
    outs = [o for o in _outputs(case.fn(*args)) if _tape._is_tensor(o) and o.requires_grad]
    gs = pt.autograd.grad(outs, list(xs), seeds, create_graph=True, allow_unused=True)
    terms = [pt.sum(pt.real(g * pt.conj(g))) for g in gs if g is not None and g.requires_grad]
    if terms:
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        second = pt.autograd.grad(total, list(xs), allow_unused=True)
        got += [None if g is None else g.detach().numpy() for g in second]
    return got


@pytest.mark.parametrize(
    ("op", "variant"), [c for c in gradient_cases() if c.values[0].unread is not None]
)
def test_stand_ins_of_unread_inputs_leave_every_gradient_as_it_is(
    op: Any, variant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node keeps a large input whose values no rule that will run reads as a stand-in,
    zeros of its shape and dtype (``_tape.stand_ins``): with every input counted large,
    backward's fast forms and the rules, first and second order, give the gradients they give
    with the inputs kept, bit for bit."""

    def check(case: GradCase, args: tuple[Any, ...]) -> None:
        got = []
        for limit in (0, 1 << 62):
            monkeypatch.setattr(_tape, "_STAND_IN_SIZE", limit)
            got.append(_first_and_second(case, args))
        assert len(got[0]) == len(got[1])
        for a, b in zip(*got, strict=True):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a, b)

    with pt.use_backend("numpy"), np.errstate(all="ignore"):
        _run(None, op, variant, 3, check)


# -- piecewise-constant ops ------------------------------------------------------------------------
def _outputs(y: Any) -> tuple[Any, ...]:
    return tuple(y) if isinstance(y, (tuple, list)) else (y,)


@pytest.mark.parametrize("op", [op for op in OP_LIST if op.vjp is ZERO], ids=lambda op: op.name)
def test_piecewise_constant_op_has_an_exactly_zero_gradient(op: Any, backend: Any) -> None:
    """ZERO ops: backward gives every input a gradient of exact zeros (as PyTorch's floor,
    sign, round... do), through backward() and through grad()."""

    def check(case: GradCase, args: tuple[Any, ...]) -> None:
        xs = args[: len(case.inputs)]
        (y,) = _outputs(case.fn(*args))
        assert y.requires_grad, f"{op.name}() of an input that requires grad must be recorded"
        u = pt.ones_like(y)
        y.backward(u)
        for x in xs:
            assert x.grad is not None, (
                f"{op.name}(): backward() left x.grad None; a "
                f"piecewise-constant op gives a zero gradient"
            )
            np.testing.assert_array_equal(
                x.grad.detach().numpy(), np.zeros(x.shape, x.dtype.name), strict=True
            )
        gs = pt.autograd.grad(case.fn(*args), list(xs), grad_outputs=u)
        for g, x in zip(gs, xs, strict=True):
            assert g is not None and g.dtype is x.dtype and tuple(g.shape) == tuple(x.shape)
            assert not np.any(g.detach().numpy()), f"{op.name}(): grad() is not zero"

    _run(backend, op, None, LAZY_EXAMPLES if backend.lazy else 3, check)


# -- products with zeros ---------------------------------------------------------------------------
def _leaf(values: list[float]) -> Any:
    return pt.asarray(np.array(values), dtype=pt.float64, requires_grad=True)


@pytest.mark.parametrize(
    "values", [[0.0, 2.0, 3.0], [1.5, 0.0, 0.0, -2.0]], ids=["one zero", "two zeros"]
)
def test_prod_first_derivative_is_exact_where_inputs_are_zero(
    values: list[float], backend: Any
) -> None:
    assert pt.autograd.gradcheck(lambda x: pt.prod(x), (_leaf(values),))


@pytest.mark.parametrize(
    "values", [[1.5, 0.0, 2.0, 3.0], [1.5, 0.0, 2.0, 0.0, 3.0]], ids=["one zero", "two zeros"]
)
def test_cumulative_prod_first_derivative_is_exact_where_inputs_are_zero(
    values: list[float], backend: Any
) -> None:
    assert pt.autograd.gradcheck(lambda x: pt.cumulative_prod(x), (_leaf(values),))


def test_prod_second_derivative_is_exact_at_one_zero(backend: Any) -> None:
    assert pt.autograd.gradgradcheck(lambda x: pt.prod(x), (_leaf([0.0, 2.0, 3.0]),))


_CUMPROD_ZEROS = (
    "known limitation: the derivative rule of cumulative_prod is exact where inputs are "
    "zero, but differentiating it again is not (the rule's where(zero, ...) branches are "
    "constant in the zeros), so second derivatives with a zero in the running product are "
    "wrong; the gradient tests draw this op away from zero"
)


def test_prod_second_derivative_at_two_zeros(backend: Any) -> None:
    # (prod's rule is the product of the other elements, made of two running products: its
    # own derivative at two zeros is exact)
    assert pt.autograd.gradgradcheck(lambda x: pt.prod(x), (_leaf([1.5, 0.0, 0.0, 3.0]),))
    assert pt.autograd.gradgradcheck(
        lambda x: pt.prod(x, axis=(0, 1)), (_leaf([[0.0, 2.0], [0.0, -1.5]]),)
    )


@pytest.mark.xfail(strict=True, reason=_CUMPROD_ZEROS)
def test_cumulative_prod_second_derivative_at_a_zero(backend: Any) -> None:
    assert pt.autograd.gradgradcheck(
        lambda x: pt.cumulative_prod(x), (_leaf([1.5, 0.0, 2.0, 3.0]),)
    )
