"""The element-wise fast paths with a Python scalar operand (``x * 0.9``, ``2 - x``): each
gives what the general path (``apply()``) gives, the same result or the same error, for
every kind of scalar against every dtype, on every backend; and the nodes they record keep
the inputs' versions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor._dispatch import apply
from polytensor._ops._registry import OPS

BACKENDS = ["numpy", "dask", "array_api_strict"]
DTYPES = ["bool", "int8", "int64", "uint8", "float32", "float64", "complex64", "complex128"]
SCALARS = [True, 3, -2, 0.5, 1.5j]
OPERATORS = [
    ("add", "__add__", "__radd__"),
    ("multiply", "__mul__", "__rmul__"),
    ("subtract", "__sub__", "__rsub__"),
    ("less", "__lt__", "__gt__"),
    ("bitwise_and", "__and__", "__rand__"),
]


def _outcome(call: Any, *args: Any) -> Any:
    try:
        r = call(*args)
    except Exception as e:  # noqa: BLE001 - the error is the outcome compared
        return (type(e), str(e))
    if r is NotImplemented:
        return r
    return (r.dtype, r.shape, np.asarray(r.numpy()).tolist())


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_scalar_operand_gives_what_the_general_path_gives(backend: str) -> None:
    pytest.importorskip(backend)
    # (dask: three dtypes, each of its calls builds a graph)
    dtypes = ["bool", "int64", "float64"] if backend == "dask" else DTYPES
    with pt.use_backend(backend):
        for name in dtypes:
            x = pt.asarray(np.array([1, 0, 1]).astype(name))
            for s in SCALARS:
                for op, dunder, rdunder in OPERATORS:
                    opdef = OPS[op]
                    fn = getattr(pt, op)
                    general = _outcome(apply, opdef, (x, s), None)
                    assert _outcome(fn, x, s) == general, (name, s, op)
                    general_r = _outcome(apply, opdef, (s, x), None)
                    assert _outcome(fn, s, x) == general_r, (name, s, op)
                    # the operators: NotImplemented where the general path has it
                    general_op = _outcome(apply, opdef, (x, s), None, True)
                    assert _outcome(getattr(x, dunder), s) == general_op, (name, s, op)
                    if op != "less":  # (__gt__ is less's reflection, not a reflected less)
                        reflected = _outcome(getattr(x, rdunder), s)
                        general_rop = _outcome(apply, opdef, (s, x), None, True)
                        assert reflected == general_rop, (name, s, op)


def test_a_dtype_the_backend_tables_do_not_list_takes_the_general_path() -> None:
    # a big-endian float64 array is no native dtype of the NumPy backend's tables: the fast
    # path must not take it, whatever the general path then does with it
    x = pt.asarray([1.0, 2.0])
    swapped = object.__new__(pt.Tensor)
    swapped._data = x._data.astype(">f8")
    swapped._backend = x._backend
    swapped._meta = None
    opdef = OPS["multiply"]
    general = _outcome(apply, opdef, (swapped, 0.5))
    assert _outcome(swapped.__mul__, 0.5) == general
    assert _outcome(pt.multiply, 0.5, swapped) == _outcome(apply, opdef, (0.5, swapped))


def test_recorded_nodes_keep_the_inputs_versions() -> None:
    a = pt.asarray([1.0, -2.0, 3.0], requires_grad=True)
    h = a * 2.0
    y = h * 0.5  # h at version 0
    assert y.grad_fn is not None
    h.mul_(3.0)  # h is now at version 1
    z = h + a
    assert z.grad_fn.versions == (1, 0)
    w = pt.sin(h)
    assert w.grad_fn.versions == (1,)
    assert pt.sin(a).grad_fn.versions == (0,)
    assert (a - 1.0).grad_fn.versions == (0, 0)
    (z + w).sum().backward()
    expected = 1.0 + np.cos(6.0 * np.array([1.0, -2.0, 3.0])) * 6.0 + 6.0
    np.testing.assert_allclose(a.grad.numpy(), expected)


@pytest.mark.parametrize("backend", ["numpy", "array_api_strict"])
def test_scalar_inputs_of_general_functions_give_what_the_general_path_gives(
    backend: str,
) -> None:
    # clip(x, lo, hi) and where(c, x, y) with Python scalars (or None) for arrays
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        cond = pt.asarray(np.array([True, False, True]))
        for name in DTYPES:
            x = pt.asarray(np.array([1, 0, 1]).astype(name))
            for s in [*SCALARS, None]:
                general = _outcome(apply, OPS["clip"], (x, s, None), None)
                assert _outcome(pt.clip, x, s, None) == general, (name, s)
                general = _outcome(apply, OPS["clip"], (x, None, s), None)
                assert _outcome(pt.clip, x, None, s) == general, (name, s)
                general = _outcome(apply, OPS["where"], (cond, x, s), None)
                assert _outcome(pt.where, cond, x, s) == general, (name, s)
                general = _outcome(apply, OPS["where"], (cond, s, x), None)
                assert _outcome(pt.where, cond, s, x) == general, (name, s)


def test_where_with_a_number_first_takes_the_fast_path(monkeypatch: Any) -> None:
    # where(mask, 0.0, scores) (attention's masking): the tensor after the number gives the
    # dtype, and the call goes to the backend without apply()
    import polytensor._ops._functions as functions

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("apply() was called")

    s = pt.asarray(np.arange(6.0).reshape(2, 3), requires_grad=True)
    monkeypatch.setattr(functions, "apply", refuse)
    y = pt.where(s > 2, 0.0, s)
    monkeypatch.undo()
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), [[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(s.grad.numpy(), [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_operators_of_two_tensors_give_what_the_functions_give(backend: str) -> None:
    # the operator forms are closures of their own (binary_operator, without out=): the same
    # results as the functions for two tensors of one dtype, broadcast or of mixed dtypes,
    # NotImplemented where the general path has it (a str), and gradients alike
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        pairs = [
            (pt.asarray([[1.0, -2.0, 3.0]]), pt.asarray([0.5, 2.0, -1.0])),
            (pt.asarray([1.0, 2.0], dtype=pt.float32), pt.asarray([3.0, 4.0], dtype=pt.float64)),
            (pt.asarray([1, 2]), pt.asarray([[1.0], [2.0]])),
        ]
        for x, y in pairs:
            for op, dunder, rdunder in OPERATORS[:3]:
                fn = getattr(pt, op)
                assert _outcome(getattr(x, dunder), y) == _outcome(fn, x, y), (op, x, y)
                assert _outcome(getattr(x, rdunder), y) == _outcome(fn, y, x), (op, x, y)
                assert getattr(x, dunder)("a") is NotImplemented
                with pytest.raises(TypeError, match="positional"):
                    getattr(x, dunder)(y, y)
                with pytest.raises(TypeError, match="out"):
                    getattr(x, dunder)(y, out=y)
        w = pt.asarray([1.0, -2.0], requires_grad=True)
        v = pt.asarray([1.0, -2.0], requires_grad=True)
        (w * w - 2.0 * w + 3.0 - w).sum().backward()
        (
            pt.subtract(pt.add(pt.subtract(pt.multiply(v, v), pt.multiply(2.0, v)), 3.0), v)
        ).sum().backward()
    np.testing.assert_array_equal(w.grad.to("numpy").numpy(), v.grad.to("numpy").numpy())
    np.testing.assert_array_equal(w.grad.to("numpy").numpy(), [-1.0, -7.0])
