"""Devices and moving tensors between backends and devices."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt

DATA = [[1.0, 2.0], [3.0, 4.0]]


def _devices() -> list[pt.Device]:
    return list(pt.__array_namespace_info__().devices())


def _device_names() -> list[str]:
    return [str(d) for d in _devices()]


def test_devices_lists_numpy_dask_and_array_api_strict() -> None:
    names = _device_names()
    assert "numpy:cpu" in names
    assert "dask:cpu" in names
    assert "array_api_strict:CPU_DEVICE" in names
    assert "array_api_strict:device1" in names
    assert all(isinstance(d, pt.Device) for d in _devices())
    assert len(set(names)) == len(names)


def test_devices_omit_unavailable_backends() -> None:
    if pt.backends.available()["cupy"] != "available":
        assert not any(n.startswith("cupy:") for n in _device_names())


def test_default_device_follows_the_current_backend() -> None:
    info = pt.__array_namespace_info__()
    assert str(info.default_device()) == "numpy:cpu"
    with pt.use_backend("dask"):
        assert str(info.default_device()) == "dask:cpu"
    with pt.use_backend("array_api_strict"):
        assert str(info.default_device()) == "array_api_strict:CPU_DEVICE"


def test_device_objects_compare_with_their_strings() -> None:
    d = pt.ones(2).device
    assert d == "numpy:cpu"
    assert str(d) == "numpy:cpu"
    assert repr(d) == "Device('numpy:cpu')"
    assert d.backend.name == "numpy"
    assert d == pt.asarray([1.0]).device
    assert hash(d) == hash(pt.asarray([1.0]).device)
    assert d != pt.ones(2, device="dask").device


@pytest.mark.parametrize("device", _device_names())
def test_asarray_on_each_device(device: str) -> None:
    dev = next(d for d in _devices() if str(d) == device)
    x = pt.asarray(DATA, device=dev)
    assert x.device == dev
    assert str(x.device) == device
    assert x._backend.name == device.split(":", maxsplit=1)[0]
    y = pt.asarray(DATA, device=device)  # the string works as well as the object
    assert y.device == dev
    assert x.shape == (2, 2) and x.dtype is pt.float32
    np.testing.assert_array_equal(x.to("numpy").numpy(), np.asarray(DATA, dtype=np.float32))


@pytest.mark.parametrize("device", _device_names())
def test_to_device_to_each_device_and_back(device: str) -> None:
    x = pt.asarray(DATA)
    y = x.to_device(device)
    assert str(y.device) == device
    z = y.to_device("numpy:cpu")
    assert str(z.device) == "numpy:cpu"
    np.testing.assert_array_equal(z.numpy(), np.asarray(DATA, dtype=np.float32))


@pytest.mark.parametrize("device", _device_names())
def test_tensors_on_each_device_can_be_shown_and_read(device: str) -> None:
    x = pt.asarray(DATA, device=device)
    assert "tensor(" in repr(x)
    assert pt.sum(x).item() == 10.0
    assert float(x[0, 1]) == 2.0


def test_creation_functions_take_devices() -> None:
    assert str(pt.zeros(2, device="dask:cpu").device) == "dask:cpu"
    assert (
        str(pt.ones((2,), device="array_api_strict:device1").device) == "array_api_strict:device1"
    )
    assert str(pt.arange(3, device="dask").device) == "dask:cpu"
    assert str(pt.full((2,), 1.0, device="numpy:cpu").device) == "numpy:cpu"
    assert str(pt.eye(2, device="cpu").device) == "numpy:cpu"


def test_to_moves_between_backends() -> None:
    x = pt.asarray(DATA)
    d = x.to("dask")
    assert d._backend.name == "dask"
    assert str(d.device) == "dask:cpu"
    n = d.to("numpy")
    assert n._backend.name == "numpy"
    np.testing.assert_array_equal(n.numpy(), x.numpy())
    s = x.to("array_api_strict")
    assert s._backend.name == "array_api_strict"
    np.testing.assert_array_equal(s.to("numpy").numpy(), x.numpy())


def test_to_the_own_backend_returns_the_tensor_itself() -> None:
    x = pt.asarray(DATA)
    assert x.to("numpy") is x
    assert x.to_device("numpy:cpu") is x
    assert x.to_device(x.device) is x


def test_to_with_a_dtype() -> None:
    x = pt.asarray(DATA)
    y = x.to("dask", dtype=pt.float64)
    assert y._backend.name == "dask" and y.dtype is pt.float64
    assert x.to(pt.float64).dtype is pt.float64
    assert x.to(dtype=pt.int32).dtype is pt.int32


def test_device_strings() -> None:
    x = pt.asarray(DATA)
    assert str(x.to("cpu").device) == "numpy:cpu"
    assert str(x.to("dask:cpu").device) == "dask:cpu"
    assert str(x.to("array_api_strict:device2").device) == "array_api_strict:device2"


def test_unknown_device_strings_raise_value_error_listing_devices() -> None:
    x = pt.asarray(DATA)
    with pytest.raises(ValueError, match=r"to_device\(\) got unknown device 'bogus:1'.*numpy:cpu"):
        x.to_device("bogus:1")
    with pytest.raises(ValueError, match=r"'numpy:gpu'.*numpy:cpu"):
        x.to_device("numpy:gpu")
    with pytest.raises(ValueError, match="stream"):
        x.to_device("numpy:cpu", stream=1)


def test_cuda_device_without_cupy_raises_backend_unavailable() -> None:
    if pt.backends.available()["cupy"] == "available":
        pytest.skip("cupy is available here")
    with pytest.raises(pt.backends.BackendUnavailable, match="cupy"):
        pt.ones(2).to("cuda")
    with pytest.raises(pt.backends.BackendUnavailable, match="cupy"):
        pt.asarray([1.0], device="cuda:0")


def test_moving_keeps_values_and_dtype() -> None:
    for dtype in (pt.int8, pt.uint16, pt.int64, pt.float64, pt.complex64, pt.bool):
        x = pt.asarray([1, 0, 1], dtype=dtype)
        for target in ("dask", "array_api_strict"):
            y = x.to(target)
            assert y.dtype is dtype, (dtype, target)
            back = y.to("numpy")
            assert back.dtype is dtype
            np.testing.assert_array_equal(back.numpy(), x.numpy())


@pytest.mark.parametrize("other", ["dask", "array_api_strict"])
def test_mixing_backends_in_one_op_raises_value_error_naming_both_and_the_fix(other: str) -> None:
    x = pt.asarray([1.0, 2.0])
    y = pt.asarray([1.0, 2.0], device=other)
    pattern = rf"add\(\) got tensors from two backends \(numpy, {other}\).*x\.to\("
    with pytest.raises(ValueError, match=pattern):
        pt.add(x, y)
    with pytest.raises(ValueError, match=pattern):
        x + y
    with pytest.raises(ValueError, match=rf"\({other}, numpy\).*x\.to\("):
        y * x
    with pytest.raises(ValueError, match=rf"matmul.*numpy.*{other}.*x\.to\("):
        x @ y
    with pytest.raises(ValueError, match=rf"numpy.*{other}.*x\.to\("):
        pt.stack([x, y])


def test_mixing_devices_of_one_backend_raises_value_error_naming_both() -> None:
    x = pt.asarray([1.0, 2.0], device="array_api_strict:CPU_DEVICE")
    y = pt.asarray([1.0, 2.0], device="array_api_strict:device1")
    with pytest.raises(ValueError, match=r"CPU_DEVICE.*device1.*to_device"):
        pt.add(x, y)


def test_the_fix_in_the_mixed_backend_message_works() -> None:
    x = pt.asarray([1.0, 2.0])
    y = pt.asarray([3.0, 4.0], device="dask")
    np.testing.assert_array_equal((x + y.to("numpy")).numpy(), [4.0, 6.0])
    np.testing.assert_array_equal((x.to("dask") + y).numpy(), [4.0, 6.0])
