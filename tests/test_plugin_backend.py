"""A third-party backend with several devices, registered for these tests only, gets from its
``Capabilities(multi_device=True)`` alone what the built-in multi-device backends (CuPy,
array-api-strict) get: device checks with the same error, ``repr`` showing the device, devices
kept by results and ``*_like`` functions, and moves between devices and backends."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor.backends import Backend, Capabilities, Transfer, _backend

NAME = "twodevices"
DEVICES = ("dev0", "dev1")


# -- the plug-in: NumPy arrays on two pretend devices ---------------------------------------------
class DevArray(np.ndarray):
    """A NumPy array that says which pretend device holds it. As on CuPy and array-api-strict,
    computing with arrays of two devices raises ValueError."""

    _where: str

    @property
    def device(self) -> str:  # type: ignore[override]  # (NumPy's says "cpu")
        return self._where

    def __array_finalize__(self, obj: Any) -> None:
        self._where = getattr(obj, "_where", DEVICES[0])

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out", ())
        device = _one_device((*inputs, *out))
        if out:
            kwargs["out"] = tuple(_plain(o) for o in out)
        result = getattr(ufunc, method)(*(_plain(x) for x in inputs), **kwargs)
        return out[0] if len(out) == 1 else _on(result, device)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        device = _one_device(_arrays((args, kwargs)))
        return _on(func(*_plain(args), **_plain(kwargs)), device)


def _arrays(obj: Any) -> list[DevArray]:
    if isinstance(obj, DevArray):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [a for o in obj for a in _arrays(o)]
    if isinstance(obj, dict):
        return _arrays(list(obj.values()))
    return []


def _one_device(values: Any) -> str:
    devices = sorted({a.device for a in _arrays(list(values))})
    if len(devices) > 1:
        raise ValueError(f"arrays on devices {devices[0]} and {devices[1]} cannot be combined")
    return devices[0] if devices else DEVICES[0]


def _plain(obj: Any) -> Any:
    if isinstance(obj, DevArray):
        return obj.view(np.ndarray)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_plain(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def _on(result: Any, device: str) -> Any:
    if isinstance(result, (np.ndarray, np.generic)):
        placed = np.asarray(result).view(DevArray)
        placed._where = device
        return placed
    if isinstance(result, (list, tuple)):
        return type(result)(_on(r, device) for r in result)
    return result


def _check(device: Any) -> str:
    if device not in DEVICES:
        raise ValueError(f"{NAME} has devices {', '.join(DEVICES)}; got {device!r}")
    return str(device)


def _creation(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` of array-api-compat's NumPy namespace, placing its result on ``device=`` (by
    default the device of an array argument, else the first device)."""

    def create(*args: Any, device: Any = None, **kwargs: Any) -> Any:
        like = _arrays(args)
        if device is None:
            device = like[0].device if like else DEVICES[0]
        elif like and like[0].device != device and fn.__name__ == "asarray":
            kwargs["copy"] = True  # another device: memory of its own
        return _on(fn(*_plain(args), **kwargs), _check(device))

    return create


class _Info:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def devices(self) -> list[str]:
        return list(DEVICES)

    def default_device(self) -> str:
        return DEVICES[0]

    def dtypes(self, *, device: Any = None, kind: Any = None) -> Any:
        return self._inner.dtypes(kind=kind)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


_CREATION = (
    "arange",
    "asarray",
    "empty",
    "empty_like",
    "eye",
    "full",
    "full_like",
    "linspace",
    "ones",
    "ones_like",
    "zeros",
    "zeros_like",
)


def _load() -> ModuleType:
    import array_api_compat.numpy as compat

    xp = ModuleType(NAME)
    xp.__dict__.update({k: v for k, v in vars(compat).items() if not k.startswith("__")})
    for name in _CREATION:
        setattr(xp, name, _creation(getattr(compat, name)))
    info = _Info(vars(compat)["__array_namespace_info__"]())
    xp.__array_namespace_info__ = lambda: info  # type: ignore[attr-defined]

    def from_dlpack(x: Any, /, *, device: Any = None, copy: Any = None) -> Any:
        return _on(np.from_dlpack(x, copy=copy), _check(device or DEVICES[0]))

    xp.from_dlpack = from_dlpack  # type: ignore[attr-defined]
    return xp


def _from_numpy(backend: Backend, array: Any, device: Any) -> Any:
    return _on(np.array(array, copy=True), _check(device or DEVICES[0]))


def _to_numpy(array: Any) -> Any:
    return np.array(array.view(np.ndarray), copy=True)


def plugin_backend() -> Backend:
    return Backend(
        NAME,
        _load,
        capabilities=Capabilities(multi_device=True),
        transfer=Transfer(to_numpy=_to_numpy, from_numpy=_from_numpy, device_of=lambda a: a.device),
    )


# -- fixtures --------------------------------------------------------------------------------------
@pytest.fixture
def plugin(register: Callable[[Backend], Backend]) -> Backend:
    return register(plugin_backend())


@pytest.fixture(params=[NAME, "array_api_strict"])
def multi(
    request: pytest.FixtureRequest, register: Callable[[Backend], Backend]
) -> tuple[pt.Device, pt.Device]:
    """Two devices of a multi-device backend: the plug-in's, and array-api-strict's for
    comparison."""
    if request.param == NAME:
        backend = register(plugin_backend())
    else:
        pytest.importorskip("array_api_strict")
        backend = pt.backends.get("array_api_strict")
    first, second = backend.devices()[:2]
    return first, second


# -- what the capability gives ---------------------------------------------------------------------
def test_the_plugin_is_a_multi_device_backend_with_its_devices(plugin: Backend) -> None:
    assert plugin.multi_device and plugin.mutable and not plugin.lazy
    assert not plugin.shares_host_memory
    assert [str(d) for d in pt.backends.get(NAME).devices()] == [
        "twodevices:dev0",
        "twodevices:dev1",
    ]


MIXES: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda x, y: x + y,
    "multiply": lambda x, y: pt.multiply(x, y),
    "matmul": lambda x, y: x @ y,
    "stack": lambda x, y: pt.stack([x, y]),
    "concat": lambda x, y: pt.concat([x, y]),
    "where": lambda x, y: pt.where(x > 0, x, y),
}


@pytest.mark.parametrize("op", list(MIXES))
def test_mixing_devices_raises_the_value_error_of_the_built_in_multi_device_backends(
    multi: tuple[pt.Device, pt.Device], op: str
) -> None:
    first, second = multi
    x = pt.asarray([[1.0, 2.0], [3.0, 4.0]], device=first)
    y = pt.asarray([[5.0, 6.0], [7.0, 8.0]], device=second)
    with pytest.raises(ValueError, match="got tensors on two devices") as info:
        MIXES[op](x, y)
    assert str(info.value) == (
        f"{op}() got tensors on two devices ({first}, {second}); "
        f'move one with x.to_device("{first}")'
    )


def test_rows_by_an_index_tensor_of_another_device_raise_as_other_mixes(
    multi: tuple[pt.Device, pt.Device],
) -> None:
    first, second = multi
    x = pt.asarray([[1.0, 2.0], [3.0, 4.0]], device=first, requires_grad=True)
    idx = pt.asarray([1, 0], device=second)
    with pytest.raises(ValueError, match=r"__getitem__\(\) got tensors on two devices"):
        x[idx]
    rows = x[pt.asarray([1, 0], device=first)]
    assert str(rows.device) == str(first)
    rows.sum().backward()
    np.testing.assert_array_equal(x.grad.to_device("cpu").numpy(), [[1.0, 1.0], [1.0, 1.0]])


def test_tensors_on_one_device_compute_there(plugin: Backend) -> None:
    x = pt.asarray([1.0, 2.0], device="twodevices:dev1")
    y = pt.exp(x) * x + 1.0
    assert str(y.device) == "twodevices:dev1"
    np.testing.assert_allclose(y.numpy(), np.exp([1.0, 2.0]) * [1.0, 2.0] + 1.0)
    assert str(pt.sum(y).device) == "twodevices:dev1"


def test_repr_shows_the_device(plugin: Backend) -> None:
    x = pt.asarray([1.0, 2.0], device="twodevices:dev1")
    assert repr(x) == "tensor([1., 2.], device='twodevices:dev1')"
    assert repr(pt.ones(2, device="twodevices:dev0")) == (
        "tensor([1., 1.], device='twodevices:dev0')"
    )


def test_like_functions_keep_the_device(plugin: Backend) -> None:
    x = pt.asarray([1.0, 2.0], device="twodevices:dev1")
    for like in (pt.zeros_like(x), pt.ones_like(x), pt.full_like(x, 3.0), pt.empty_like(x)):
        assert str(like.device) == "twodevices:dev1"
        assert type(like._data) is DevArray


def test_a_move_between_devices_copies_and_carries_gradients_back(plugin: Backend) -> None:
    x = pt.asarray([1.0, 2.0], device="twodevices:dev1", requires_grad=True)
    y = x.to_device("twodevices:dev0")
    assert str(y.device) == "twodevices:dev0" and str(x.device) == "twodevices:dev1"
    assert not np.shares_memory(_plain(x._data), _plain(y._data))
    (y * y).sum().backward()
    assert x.grad is not None and str(x.grad.device) == "twodevices:dev1"
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_transfers_to_and_from_other_backends(plugin: Backend) -> None:
    host = np.array([1.0, 2.0, 3.0])
    x = pt.asarray(host, device="twodevices:dev1")
    host[0] = 9.0  # the plug-in's memory is its own
    assert str(x.device) == "twodevices:dev1"
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0, 3.0])
    on_numpy = x.to("numpy")
    assert on_numpy._backend.name == "numpy" and type(on_numpy._data) is np.ndarray
    np.testing.assert_array_equal(on_numpy.numpy(), [1.0, 2.0, 3.0])
    back = on_numpy.to_device("twodevices:dev1")
    assert str(back.device) == "twodevices:dev1" and type(back._data) is DevArray
    np.testing.assert_array_equal(back.numpy(), [1.0, 2.0, 3.0])
    assert str(pt.from_numpy(host).to(NAME).device) == "twodevices:dev0"  # default device


def test_gradients_flow_back_across_backends(plugin: Backend) -> None:
    x = pt.asarray([1.0, 2.0], device="twodevices:dev1", requires_grad=True)
    (x.to("numpy") ** 2).sum().backward()
    assert x.grad is not None and str(x.grad.device) == "twodevices:dev1"
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_copy_into_a_tensor_moves_the_source_to_its_device(plugin: Backend) -> None:
    x = pt.zeros(2, device="twodevices:dev0")
    x.copy_(pt.asarray([1.0, 2.0], device="twodevices:dev1"))
    assert str(x.device) == "twodevices:dev0"
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])
    x.copy_(pt.asarray([3.0, 4.0]))  # from the NumPy backend
    np.testing.assert_array_equal(x.numpy(), [3.0, 4.0])


# -- the Backend record ----------------------------------------------------------------------------
def test_backend_groups_its_parameters() -> None:
    b = plugin_backend()
    assert b.capabilities == Capabilities(multi_device=True)
    assert b.transfer.to_numpy is _to_numpy and b.inplace is None and b.extra is None


def test_backend_refuses_a_group_of_the_wrong_type() -> None:
    with pytest.raises(
        TypeError,
        match=r"Backend\(\) expects capabilities= to be a "
        r"polytensor\.backends\.Capabilities; got dict",
    ):
        Backend(NAME, _load, capabilities={"multi_device": True})  # type: ignore[arg-type]


def test_op_names_reach_the_backends_through_register_op_name() -> None:
    # the op table registers each name once, in table order: backends index their functions
    # by it without importing the table
    from polytensor._ops._registry import OPS

    assert all(_backend.OP_NAMES[op.index] == name for name, op in OPS.items())
    assert _backend.OP_INDEX["exp"] == OPS["exp"].index
    with pytest.raises(ValueError, match=r"register_op_name.*'exp'.*declared once"):
        _backend.register_op_name("exp")
