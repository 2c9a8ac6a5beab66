"""PyTorch's legacy tensor types (``torch.FloatTensor``, ``torch.LongTensor``...), ``x.type()``
and the casts ``x.byte()``, ``x.char()``, ``x.short()``, as programs written for PyTorch use
them, on every backend."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]

TYPES = [
    ("FloatTensor", pt.float32),
    ("DoubleTensor", pt.float64),
    ("LongTensor", pt.int64),
    ("IntTensor", pt.int32),
    ("ShortTensor", pt.int16),
    ("CharTensor", pt.int8),
    ("ByteTensor", pt.uint8),
    ("BoolTensor", pt.bool),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("name", "dtype"), TYPES)
def test_a_legacy_type_makes_tensors_of_its_dtype(backend: str, name: str, dtype: pt.DType) -> None:
    pytest.importorskip(backend)
    kind = getattr(pt, name)
    with pt.use_backend(backend):
        data = kind([1, 0, 1])
        assert data.dtype is dtype and data.shape == (3,)
        np.testing.assert_array_equal(data.numpy(), np.array([1, 0, 1]).astype(data.numpy().dtype))
        sized = kind(2, 3)
        assert sized.dtype is dtype and sized.shape == (2, 3)
        assert kind().shape == (0,) and kind(pt.Size([4])).shape == (4,)
        assert isinstance(data, kind) and isinstance(data, pt.Tensor)
        others = [getattr(pt, n) for n, d in TYPES if d is not dtype]
        assert not any(isinstance(data, other) for other in others)
        assert not isinstance(np.ones(3), kind)
        # x.type(): PyTorch's name, and a cast to the type, its name or its dtype
        assert data.type() == f"torch.{name}"
        assert pt.ones(2).type(kind).dtype is dtype
        assert pt.ones(2).type(f"torch.{name}").dtype is dtype
        assert data.type(kind) is data and data.type(dtype) is data


def test_a_legacy_type_from_floats_truncates_as_a_cast() -> None:
    np.testing.assert_array_equal(pt.LongTensor([1.7, -2.2]).numpy(), [1, -2])
    np.testing.assert_array_equal(pt.ByteTensor([1.7, 255.5]).numpy(), [1, 255])
    assert pt.FloatTensor(np.ones((2, 2), dtype=np.float64)).dtype is pt.float32
    assert pt.FloatTensor(pt.ones(2)).dtype is pt.float32


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: pt.ByteTensor([1.7, -2.2]),
            OverflowError,
            r"ByteTensor\(\) got values that uint8",
        ),
        (lambda: pt.LongTensor([float("nan")]), OverflowError, r"LongTensor\(\) got values"),
        (lambda: pt.IntTensor([float("inf")]), OverflowError, r"IntTensor\(\) got values"),
        (lambda: pt.ByteTensor([-1]), OverflowError, r"ByteTensor\(\): .*range of uint8"),
        (lambda: pt.LongTensor(pt.ones(2)), TypeError, r"LongTensor\(\) got a tensor of dtype"),
        (lambda: pt.LongTensor(-1), ValueError, r"LongTensor\(\) got a negative dimension"),
        (lambda: pt.LongTensor(2, 3.0), TypeError, r"LongTensor\(\) got 2 arguments"),
        (lambda: pt.FloatTensor([1.0], requires_grad=True), TypeError, r"FloatTensor\(\) takes"),
    ],
)
def test_what_a_legacy_type_cannot_hold_is_refused_naming_it(
    call: object, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    "dtype",
    [pt.complex64, pt.complex128, pt.uint16, pt.uint32, pt.uint64, pt.float32, pt.bool],
)
def test_the_type_name_of_every_dtype_casts_back_to_it(dtype: pt.DType) -> None:
    x = pt.zeros(2, dtype=dtype)
    name = x.type()
    assert name.startswith("torch.") and name.endswith("Tensor")
    assert pt.zeros(2, dtype=pt.int8).type(name).dtype is dtype


def test_a_cuda_type_name_moves_the_tensor_to_the_gpu() -> None:
    # (PyTorch's x.type("torch.cuda.FloatTensor"): without a GPU, the CuPy backend says so)
    if not pt.cuda.is_available():
        with pytest.raises(pt.backends.BackendUnavailable, match="cupy"):
            pt.ones(2).type("torch.cuda.DoubleTensor")
        return
    y = pt.ones(2).type("torch.cuda.DoubleTensor")
    assert y.device.type == "cuda" and y.dtype is pt.float64
    assert y.type("torch.DoubleTensor").device.type == "cpu"


def test_type_records_the_cast() -> None:
    w = pt.ones(2, requires_grad=True)
    y = w.type(pt.DoubleTensor)
    assert y.dtype is pt.float64 and y.grad_fn is not None
    (y * 3).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [3.0, 3.0])


@pytest.mark.parametrize(
    ("method", "dtype"), [("byte", pt.uint8), ("char", pt.int8), ("short", pt.int16)]
)
def test_the_integer_casts(method: str, dtype: pt.DType) -> None:
    y = getattr(pt.asarray([1.9, 2.0, 3.5]), method)()
    assert y.dtype is dtype
    np.testing.assert_array_equal(y.numpy(), [1, 2, 3])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: pt.ones(2).type("torch.HalfTensor"), ValueError, r"type\(\) got the type name"),
        (lambda: pt.ones(2).type("FloatTensor"), ValueError, r"expected torch.<name>"),
        (lambda: pt.ones(2).type("numpy.FloatTensor"), ValueError, r"expected torch.<name>"),
        (lambda: pt.ones(2).type(3), TypeError, r"type\(\) expects a dtype"),
        (lambda: pt.LongTensor(2.5), TypeError, "scalar 2.5"),
        (lambda: pt.FloatTensor([1], [2]), TypeError, "not all ints"),
    ],
)
def test_wrong_arguments_say_what_is_expected(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
