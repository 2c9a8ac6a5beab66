"""Boolean inputs of the numeric functions and numbers in the logical functions, where the
standard leaves them to the library, follow PyTorch: ``bool * bool`` and ``maximum`` are
boolean, comparisons of booleans order False before True, ``square`` of booleans is int64,
``logical_and`` of numbers takes ``x != 0``; the functions PyTorch refuses booleans to
(``abs``, ``-b``, ``b - b``, ``floor``) still refuse them, and subtraction with one boolean
operand (``b - 1.0``, ``x - b``), which promotion would take, is refused with PyTorch's
``RuntimeError``. On every CPU backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")


B = np.array([True, False, True, False])
B2 = np.array([True, True, False, False])
INTS = np.array([2, 0, -3, 0])
F = np.array([1.5, 0.0, np.nan, -0.0])

# name -> function of (library, b, b2, i, f)
CASES: dict[str, Callable[..., Any]] = {
    "sign": lambda m, b, b2, i, f: m.sign(b),
    "x.sign": lambda m, b, b2, i, f: b.sign(),
    "square": lambda m, b, b2, i, f: m.square(b),
    "x.square": lambda m, b, b2, i, f: b.square(),
    "isnan": lambda m, b, b2, i, f: m.isnan(b),
    "isinf": lambda m, b, b2, i, f: m.isinf(b),
    "isfinite": lambda m, b, b2, i, f: m.isfinite(b),
    "less": lambda m, b, b2, i, f: b < b2,
    "less_equal": lambda m, b, b2, i, f: b <= b2,
    "greater": lambda m, b, b2, i, f: b > b2,
    "greater_equal": lambda m, b, b2, i, f: b >= b2,
    "x.lt": lambda m, b, b2, i, f: b.lt(b2),
    "bool < True": lambda m, b, b2, i, f: b < True,
    "maximum": lambda m, b, b2, i, f: m.maximum(b, b2),
    "minimum": lambda m, b, b2, i, f: m.minimum(b, b2),
    "mul": lambda m, b, b2, i, f: m.mul(b, b2),
    "b * b": lambda m, b, b2, i, f: b * b2,
    "b * True": lambda m, b, b2, i, f: b * True,
    "True * b": lambda m, b, b2, i, f: True * b,
    "b + b": lambda m, b, b2, i, f: b + b2,
    "b * 2 (int64)": lambda m, b, b2, i, f: b * 2,
    "maximum of bool and int": lambda m, b, b2, i, f: m.maximum(b, i),
    "logical_and of int and float": lambda m, b, b2, i, f: m.logical_and(i, f),
    "logical_or of ints": lambda m, b, b2, i, f: m.logical_or(i, i),
    "logical_xor of floats": lambda m, b, b2, i, f: m.logical_xor(f, f),
    "logical_and of bool and int": lambda m, b, b2, i, f: m.logical_and(b, i),
    "logical_not of int": lambda m, b, b2, i, f: m.logical_not(i),
    "logical_not of float (NaN is true)": lambda m, b, b2, i, f: m.logical_not(f),
    "x.logical_not of int": lambda m, b, b2, i, f: i.logical_not(),
    "x.logical_and of float": lambda m, b, b2, i, f: f.logical_and(i),
    "isclose": lambda m, b, b2, i, f: m.isclose(b, b2),
    "sum of a product": lambda m, b, b2, i, f: (b * b2).sum(),
}


def _inputs(lib: Any) -> tuple[Any, ...]:
    return tuple(lib.asarray(a.copy()) if lib is pt else torch.tensor(a) for a in (B, B2, INTS, F))


@pytest.mark.parametrize("name", list(CASES))
def test_boolean_inputs_match_torch(backend: str, name: str) -> None:
    fn = CASES[name]
    want = fn(torch, *_inputs(torch))
    got = fn(pt, *_inputs(pt))
    assert got.dtype.name == str(want.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(np.asarray(got.tolist()), want.numpy())


def test_boolean_in_place_operators_keep_bool(backend: str) -> None:
    x = pt.asarray(B.copy())
    x *= pt.asarray(B2.copy())
    x += pt.asarray([False, False, False, True])
    assert x.dtype == pt.bool and x.tolist() == [True, False, False, True]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: pt.abs(b), r"abs\(\) expects numeric dtypes; got bool"),
        (lambda b: -b, r"negative\(\): Negation, the `-` operator, on a bool tensor"),
        (lambda b: b - b, r"subtract\(\): Subtraction, the `-` operator, with two bool"),
        (lambda b: pt.floor(b), r"floor\(\) expects real numeric dtypes; got bool"),
        (lambda b: b**b, r"pow\(\) expects numeric dtypes; got bool"),
        (lambda b: b % b, r"remainder\(\) expects real numeric dtypes; got bool"),
    ],
    ids=["abs", "negative", "subtract", "floor", "pow", "remainder"],
)
def test_booleans_torch_refuses_are_refused(backend: str, call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call(pt.asarray(B.copy()))


def test_generated_docstrings_say_how_booleans_and_numbers_are_taken() -> None:
    assert "boolean inputs alone give bool results" in (pt.multiply.__doc__ or "")
    assert "boolean inputs alone give int64 results" in (pt.square.__doc__ or "")
    assert "numbers count as x != 0" in (pt.logical_and.__doc__ or "")


# PyTorch's RuntimeError for a boolean operand of -, unary + and sub (which promotion would take)
REFUSED: dict[str, Callable[..., Any]] = {
    "b - 1.0": lambda m, b, i, f: b - 1.0,
    "1.0 - b": lambda m, b, i, f: 1.0 - b,
    "b - f": lambda m, b, i, f: b - f,
    "f - b": lambda m, b, i, f: f - b,
    "b - 1": lambda m, b, i, f: b - 1,
    "b - i": lambda m, b, i, f: b - i,
    "i - b": lambda m, b, i, f: i - b,
    "f - True": lambda m, b, i, f: f - True,
    "True - i": lambda m, b, i, f: True - i,
    "b - True": lambda m, b, i, f: b - True,
    "b - b": lambda m, b, i, f: b - b,
    "sub(b, f)": lambda m, b, i, f: m.sub(b, f),
    "subtract(f, b)": lambda m, b, i, f: m.subtract(f, b),
    "b.sub(f)": lambda m, b, i, f: b.sub(f),
    "f.sub(b, alpha=2)": lambda m, b, i, f: f.sub(b, alpha=2),
    "sub(i, b, alpha=2)": lambda m, b, i, f: m.sub(i, b, alpha=2),
    "f.sub_(b)": lambda m, b, i, f: f.sub_(b),
    "f.sub_(b, alpha=2)": lambda m, b, i, f: f.sub_(b, alpha=2),
    "f -= b": lambda m, b, i, f: f.__isub__(b),
    "-b": lambda m, b, i, f: -b,
    "b.neg()": lambda m, b, i, f: b.neg(),
    "neg(b)": lambda m, b, i, f: m.neg(b),
    "negative(b)": lambda m, b, i, f: m.negative(b),
    "+b": lambda m, b, i, f: +b,
    "positive(b)": lambda m, b, i, f: m.positive(b),
    "0-d b - f": lambda m, b, i, f: b[0] - f,
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_boolean_operands_of_minus_are_refused_as_torch(backend: str, name: str) -> None:
    fn = REFUSED[name]
    args = (B, INTS, F)
    with pytest.raises(RuntimeError) as want:
        fn(torch, *(torch.tensor(a) for a in args))
    with pytest.raises(RuntimeError) as got:
        fn(pt, *(pt.asarray(a.copy()) for a in args))
    assert isinstance(got.value, TypeError)  # (the standard's class for a dtype problem too)
    lead = str(want.value).split(".")[0]  # "Subtraction, the `-` operator, with a bool tensor..."
    assert lead in str(got.value)
    assert "~" in str(got.value) or "^" in str(got.value) or "cast" in str(got.value)


def test_numbers_and_masks_still_subtract(backend: str) -> None:
    f, b = pt.asarray(F.copy()), pt.asarray(B.copy())
    np.testing.assert_array_equal((f - 1).tolist(), (torch.tensor(F) - 1).tolist())
    np.testing.assert_array_equal((1 - b.to(pt.float32)).tolist(), [0.0, 1.0, 0.0, 1.0])
    np.testing.assert_array_equal((~b).tolist(), (~torch.tensor(B)).tolist())
    np.testing.assert_array_equal((b ^ b).tolist(), [False] * 4)
