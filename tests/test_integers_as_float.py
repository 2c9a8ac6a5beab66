"""Integer and boolean inputs of the floating-point element-wise functions, as PyTorch's.

PyTorch computes ``torch.exp(torch.arange(4))``, ``torch.sqrt(torch.tensor(4))`` or
``torch.special.erf`` of an integer tensor in the default float dtype
(``torch.get_default_dtype()``), and so does polytensor (``pt.get_default_dtype()``): the
standard leaves integer inputs of these functions to the library. Where PyTorch refuses
integers (``mean``, ``hypot``, ``leaky_relu``), polytensor refuses them too, and the
activations that PyTorch computes in the integer dtype itself (``hardtanh``, ``relu6``,
``threshold``) keep it.

``TABLE`` is PyTorch 2.13's behaviour, one row a function: the result dtype for inputs of
int8, int16, int32, int64, uint8 and bool, or the class of the error it raises. The tests check
the table against PyTorch, polytensor's dtypes and values against PyTorch's on the same inputs,
and the results on the Dask (lazily) and array-api-strict backends against NumPy's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as nnf

INPUT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "bool")
DATA = {  # integers in and out of each function's domain: NaN and infinities come out too
    "int8": [-3, -1, 0, 1, 2, 5],
    "int16": [-300, -1, 0, 1, 2, 5],
    "int32": [-3, -1, 0, 1, 2, 70000],
    "int64": [-3, -1, 0, 1, 2, 5],
    "uint8": [0, 1, 2, 5, 200, 255],
    "bool": [True, False, True, False, True, True],
}
F = "float32"  # the default float dtype, as both libraries start
NIE = "NotImplementedError"
RTE = "RuntimeError"

# PyTorch 2.13's result dtype (or error) for inputs of each dtype; the function is a path in torch
# and in polytensor (`:` adds arguments; two-input functions get two tensors of the dtype)
TABLE: list[tuple[str, str, str, str, str, str, str]] = [
    # function                  int8, int16, int32, int64, uint8, bool
    ("sqrt", F, F, F, F, F, F),
    ("reciprocal", F, F, F, F, F, F),
    ("exp", F, F, F, F, F, F),
    ("expm1", F, F, F, F, F, F),
    ("log", F, F, F, F, F, F),
    ("log1p", F, F, F, F, F, F),
    ("log2", F, F, F, F, F, F),
    ("log10", F, F, F, F, F, F),
    ("sin", F, F, F, F, F, F),
    ("cos", F, F, F, F, F, F),
    ("tan", F, F, F, F, F, F),
    ("asin", F, F, F, F, F, F),
    ("acos", F, F, F, F, F, F),
    ("atan", F, F, F, F, F, F),
    ("sinh", F, F, F, F, F, F),
    ("cosh", F, F, F, F, F, F),
    ("tanh", F, F, F, F, F, F),
    ("asinh", F, F, F, F, F, F),
    ("acosh", F, F, F, F, F, F),
    ("atanh", F, F, F, F, F, F),
    ("sigmoid", F, F, F, F, F, F),
    ("rsqrt", F, F, F, F, F, F),
    ("signbit", "bool", "bool", "bool", "bool", "bool", "bool"),
    ("special.erf", F, F, F, F, F, F),
    ("special.erfc", F, F, F, F, F, F),
    ("special.erfinv", F, F, F, F, F, F),
    ("special.expit", F, F, F, F, F, F),
    ("special.logit", F, F, F, F, F, F),
    ("special.ndtr", F, F, F, F, F, F),
    ("special.log_ndtr", F, F, F, F, F, F),
    ("special.ndtri", F, F, F, F, F, F),
    ("special.digamma", F, F, F, F, F, F),
    ("special.psi", F, F, F, F, F, F),
    ("special.gammaln", F, F, F, F, F, F),
    ("special.entr", F, F, F, F, F, F),
    ("special.i0", F, F, F, F, F, F),
    ("special.i0e", F, F, F, F, F, F),
    ("special.i1", F, F, F, F, F, F),
    ("special.i1e", F, F, F, F, F, F),
    ("special.sinc", F, F, F, F, F, F),
    ("special.polygamma:1", F, F, F, F, F, F),
    # two inputs of one dtype
    ("atan2", F, F, F, F, F, F),
    ("copysign", F, F, F, F, F, F),
    ("divide", F, F, F, F, F, F),
    ("special.xlogy", F, F, F, F, F, F),
    ("special.xlog1py", F, F, F, F, F, F),
    ("hypot", NIE, NIE, NIE, NIE, NIE, NIE),
    ("nextafter", NIE, NIE, NIE, NIE, NIE, NIE),
    ("logaddexp", NIE, NIE, NIE, NIE, NIE, NIE),
    # reductions
    ("mean", RTE, RTE, RTE, RTE, RTE, RTE),
    ("std", RTE, RTE, RTE, RTE, RTE, RTE),
    ("var", RTE, RTE, RTE, RTE, RTE, RTE),
    # activations
    ("nn.functional.sigmoid", F, F, F, F, F, F),
    ("nn.functional.tanh", F, F, F, F, F, F),
    ("nn.functional.softsign", F, F, F, F, F, NIE),
    ("nn.functional.tanhshrink", F, F, F, F, F, RTE),
    ("nn.functional.hardtanh", "int8", "int16", "int32", "int64", RTE, RTE),
    ("nn.functional.relu6", "int8", "int16", "int32", "int64", "uint8", RTE),
    ("nn.functional.threshold:1.5,7.0", "int8", "int16", "int32", "int64", "uint8", NIE),
    ("nn.functional.leaky_relu", NIE, NIE, NIE, NIE, NIE, NIE),
    ("nn.functional.elu", NIE, NIE, NIE, NIE, NIE, NIE),
    ("nn.functional.silu", NIE, NIE, NIE, NIE, NIE, NIE),
]
BINARY = {"atan2", "copysign", "divide", "special.xlogy", "special.xlog1py"}
BINARY |= {"hypot", "nextafter", "logaddexp"}
ROWS = [(row[0], row[1:]) for row in TABLE]
ROW_IDS = [row[0] for row in TABLE]


def _parse(entry: str) -> tuple[str, tuple[float, ...]]:
    name, _, args = entry.partition(":")
    return name, tuple(float(a) for a in args.split(",")) if args else ()


def _function(lib: Any, name: str) -> Callable[..., Any]:
    f = lib
    for part in name.split("."):
        f = getattr(f, part)
    return f  # type: ignore[no-any-return]


def _call(lib: Any, entry: str, x: Any, y: Any) -> Any:
    name, args = _parse(entry)
    f = _function(lib, name)
    if name == "special.polygamma":
        return f(int(args[0]), x)
    if name in BINARY:
        return f(x, y)
    return f(x, *args)


def _inputs(lib: Any, dtype: str) -> tuple[Any, Any]:
    a = np.array(DATA[dtype], dtype=dtype)
    b = a[::-1].copy()
    if lib is pt:
        return pt.asarray(a), pt.asarray(b)
    return lib.from_numpy(a), lib.from_numpy(b)


def _outcome(lib: Any, entry: str, dtype: str) -> tuple[str, Any]:
    """The result's dtype name and values, or the error's class name and None."""
    x, y = _inputs(lib, dtype)
    try:
        with np.errstate(all="ignore"):  # (NaN and infinities are results here, as PyTorch's)
            r = _call(lib, entry, x, y)
    except Exception as e:  # noqa: BLE001 - the outcome is the error's class
        return type(e).__name__, None
    return str(r.dtype).rpartition(".")[2], np.asarray(r.numpy())


@pytest.mark.parametrize(("entry", "want"), ROWS, ids=ROW_IDS)
def test_the_table_is_pytorchs(entry: str, want: tuple[str, ...]) -> None:
    torch = pytest.importorskip("torch")
    assert torch.get_default_dtype() is torch.float32
    got = tuple(_outcome(torch, entry, d)[0] for d in INPUT_DTYPES)
    assert got == want


@pytest.mark.parametrize(("entry", "want"), ROWS, ids=ROW_IDS)
def test_integer_and_boolean_inputs_follow_the_table(entry: str, want: tuple[str, ...]) -> None:
    for dtype, result in zip(INPUT_DTYPES, want, strict=True):
        got, values = _outcome(pt, entry, dtype)
        if result.endswith("Error"):
            # polytensor's classes: TypeError for a dtype it refuses (DtypeNotImplementedError,
            # PyTorch's NotImplementedError too), ValueError for a bound that the dtype cannot
            # hold (PyTorch raises its RuntimeError or NotImplementedError)
            assert got in ("TypeError", "DtypeNotImplementedError", "ValueError"), (dtype, got)
        else:
            assert got == result, (dtype, got)
            assert values.shape == (6,)


# At its poles (0, -1, -2, ...) PyTorch's polygamma gives large finite numbers in float32,
# polytensor's (SciPy's) inf, for float inputs as for integer ones.
POLES = {"special.polygamma:1"}


@pytest.mark.parametrize(("entry", "want"), ROWS, ids=ROW_IDS)
def test_values_match_pytorchs(entry: str, want: tuple[str, ...]) -> None:
    torch = pytest.importorskip("torch")
    for dtype, result in zip(INPUT_DTYPES, want, strict=True):
        if result.endswith("Error"):
            continue
        got, values = _outcome(pt, entry, dtype)
        expected, reference = _outcome(torch, entry, dtype)
        assert got == expected
        if entry in POLES:  # (compared off the poles)
            keep = np.array(DATA[dtype]) > 0
            values, reference = values[keep], reference[keep]
        np.testing.assert_allclose(values, reference, rtol=2e-6, atol=1e-6, equal_nan=True)


# the methods of both libraries' tensors (PyTorch's ``x.div(y)``, ``x.true_divide(y)`` too)
METHODS = [n for n, want in ROWS if "." not in n and want[0] == F and hasattr(pt.Tensor, n)]
METHODS += ["div", "true_divide"]
BINARY |= {"div", "true_divide"}


@pytest.mark.parametrize("name", METHODS)
def test_tensor_methods_follow_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    for dtype in INPUT_DTYPES:
        x, y = _inputs(pt, dtype)
        tx, ty = _inputs(torch, dtype)
        args, targs = ((y,), (ty,)) if name in BINARY else ((), ())
        with np.errstate(all="ignore"):
            got = getattr(x, name)(*args)
        want = getattr(tx, name)(*targs)
        assert got.dtype.name == str(want.dtype).rpartition(".")[2]
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=2e-6, atol=1e-6, equal_nan=True)


def test_float_inputs_keep_their_dtype() -> None:
    x = pt.asarray([0.5, 2.0], dtype=pt.float64)
    assert pt.exp(x).dtype == pt.float64
    assert pt.atan2(x, x).dtype == pt.float64
    assert pt.special.erf(pt.asarray([0.5])).dtype == pt.float32


def test_integers_take_the_default_dtype_as_pytorch() -> None:
    torch = pytest.importorskip("torch")
    before = torch.get_default_dtype()
    pt.set_default_dtype(pt.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for entry in ("exp", "atan2", "sigmoid", "special.erf", "nn.functional.softsign"):
            got, values = _outcome(pt, entry, "int64")
            expected, reference = _outcome(torch, entry, "int64")
            assert got == expected == "float64"
            np.testing.assert_allclose(values, reference, rtol=1e-15, equal_nan=True)
    finally:
        torch.set_default_dtype(before)


def test_an_integer_result_into_an_integer_out_raises_as_pytorch() -> None:
    torch = pytest.importorskip("torch")
    x = pt.arange(4)
    with pytest.raises(RuntimeError, match=r"exp\(\) with out=: result type Float"):
        pt.exp(x, out=x)
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        torch.exp(torch.arange(4), out=torch.arange(4))
    y = pt.zeros(4, dtype=pt.float64)  # (computed in float32, then cast, as PyTorch's)
    pt.exp(x, out=y)
    ty = torch.zeros(4, dtype=torch.float64)
    torch.exp(torch.arange(4), out=ty)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-6)


def test_polytensor_only_special_functions_take_integers_too() -> None:
    x = pt.asarray([-2, 0, 3])
    got = pt.special.softplus(x)
    assert got.dtype == pt.float32
    np.testing.assert_array_equal(got.numpy(), pt.special.softplus(x.astype(pt.float32)).numpy())


def test_integer_activation_bounds_the_dtype_cannot_hold_raise() -> None:
    with pytest.raises(ValueError, match=r"hardtanh\(\) got min_val=-1\.0 .* uint8"):
        nnf.hardtanh(pt.asarray([1], dtype=pt.uint8))
    with pytest.raises(ValueError, match=r"threshold\(\) got value=300\.0 .* int8"):
        nnf.threshold(pt.asarray([1], dtype=pt.int8), 0.5, 300.0)


def test_integer_activations_truncate_their_bounds_as_pytorch() -> None:
    torch = pytest.importorskip("torch")
    a = np.array([-3, -2, 0, 2, 3])
    for lo, hi in ((-2.5, -0.5), (-1.9, 1.9), (0.5, 2.7)):
        got = nnf.hardtanh(pt.asarray(a), lo, hi)
        want = torch.nn.functional.hardtanh(torch.from_numpy(a), lo, hi)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    for th, v in ((-1.5, 7.9), (1.5, -2.5)):
        got = nnf.threshold(pt.asarray(a), th, v)
        want = torch.nn.functional.threshold(torch.from_numpy(a), th, v)
        assert got.dtype == pt.int64
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    x = pt.asarray(a)
    nnf.relu6(x, inplace=True)
    np.testing.assert_array_equal(x.numpy(), [0, 0, 0, 2, 3])


ON_BACKENDS = [
    "exp",
    "sqrt",
    "log1p",
    "tanh",
    "signbit",
    "sigmoid",
    "special.erf",
    "special.xlogy",
    "atan2",
    "copysign",
    "divide",
    "nn.functional.softsign",
    "nn.functional.hardtanh",
    "nn.functional.threshold:1.5,7.0",
]


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
@pytest.mark.parametrize("entry", ON_BACKENDS)
def test_other_backends_follow_the_table(backend: str, entry: str, dask_computes: Any) -> None:
    status = pt.backends.available().get(backend, "not registered")
    if status != "available":
        pytest.skip(f"backend {backend!r} is unavailable: {status}")
    table = dict(ROWS)[entry]
    for dtype in ("int8", "int64", "uint8", "bool"):
        want = table[INPUT_DTYPES.index(dtype)]
        _, reference = _outcome(pt, entry, dtype)  # (NumPy's values)
        with pt.use_backend(backend):
            x, y = _inputs(pt, dtype)
            calls = dask_computes.calls
            if want.endswith("Error"):
                with pytest.raises((TypeError, ValueError)):
                    _call(pt, entry, x, y)
                continue
            with np.errstate(all="ignore"):
                r = _call(pt, entry, x, y)
            assert dask_computes.calls == calls  # (Dask: still lazy)
            assert r._backend.name == backend
            assert r.dtype.name == want
            with np.errstate(all="ignore"):  # (Dask computes here)
                values = np.asarray(r.numpy())
            np.testing.assert_allclose(values, reference, rtol=1e-6, atol=1e-7, equal_nan=True)
