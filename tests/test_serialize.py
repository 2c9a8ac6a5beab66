"""save / load: round trips on every backend; damaged and foreign files are refused clearly."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn, optim
from polytensor._serialize import load, save


def host(t: Any) -> np.ndarray:
    return np.asarray(t.detach() if t.requires_grad else t)


@pytest.fixture(autouse=True)
def _seeded() -> None:
    nn.init.manual_seed(5)


DTYPES = [
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "complex64",
    "complex128",
]


def _nested() -> dict[Any, Any]:
    rng = np.random.default_rng(0)
    arrays = {name: pt.asarray((rng.standard_normal((2, 3)) * 10).astype(name)) for name in DTYPES}
    shared = pt.asarray([1.0, 2.0])
    return {
        "arrays": arrays,
        "scalar": pt.asarray(3.5),
        "empty": pt.zeros((0, 4)),
        "shared": [shared, shared],
        "numbers": (1, -(2**70), 0.1, math.inf, -math.inf, True, None),
        "nan": math.nan,
        "text": "héllo \u2603",
        3: {"int key": 1},
        2.5: "float key",
        None: "none key",
    }


def _assert_same(a: Any, b: Any) -> None:
    if isinstance(a, pt.Tensor):
        assert isinstance(b, pt.Tensor)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(host(a), host(b))
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b)
    else:
        assert type(a) is type(b) and a == b


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_nested_objects_round_trip(tmp_path: Path, backend: str) -> None:
    obj = _nested()
    path = tmp_path / "obj.pt"
    with pt.use_backend(backend):
        moved = _move(obj, backend)
        save(moved, path)
        back = load(path)
    _assert_same(obj, back)
    for t in _tensors(back):
        assert t.device.backend.name == backend
    assert back["shared"][0] is back["shared"][1]  # stored once, loaded once


def _move(obj: Any, backend: str, memo: dict[int, Any] | None = None) -> Any:
    memo = {} if memo is None else memo
    if isinstance(obj, pt.Tensor):
        return memo.setdefault(id(obj), obj.to_device(backend))
    if isinstance(obj, dict):
        return {k: _move(v, backend, memo) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_move(v, backend, memo) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_move(v, backend, memo) for v in obj)
    return obj


def _tensors(obj: Any) -> list[pt.Tensor]:
    if isinstance(obj, pt.Tensor):
        return [obj]
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in _tensors(v)]
    if isinstance(obj, (list, tuple)):
        return [t for v in obj for t in _tensors(v)]
    return []


def test_load_puts_tensors_on_the_requested_backend(tmp_path: Path) -> None:
    path = tmp_path / "x.pt"
    save({"x": pt.arange(4.0)}, path)
    assert load(path, backend="dask")["x"].device.backend.name == "dask"
    with pt.use_backend("array_api_strict"):
        assert load(path)["x"].device.backend.name == "array_api_strict"
    loaded = load(path)["x"]
    loaded += 1  # writable, owned memory
    np.testing.assert_array_equal(host(loaded), [1.0, 2.0, 3.0, 4.0])


def test_parameters_and_requires_grad_survive(tmp_path: Path) -> None:
    path = tmp_path / "p.pt"
    save(
        {
            "p": nn.Parameter(pt.ones(2)),
            "leaf": pt.ones(2, requires_grad=True),
            "plain": pt.ones(2),
        },
        path,
    )
    back = load(path)
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad
    assert back["leaf"].requires_grad and back["leaf"].is_leaf
    assert not back["plain"].requires_grad and not isinstance(back["plain"], nn.Parameter)


def _cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3 * 4 * 4, 2),
    )


@pytest.mark.parametrize(
    ("src", "dst"), [("numpy", "numpy"), ("dask", "dask"), ("dask", "numpy"), ("numpy", "dask")]
)
def test_module_and_optimizer_state_round_trip(tmp_path: Path, src: str, dst: str) -> None:
    path = tmp_path / "ckpt.pt"
    x = np.random.default_rng(1).standard_normal((4, 1, 8, 8)).astype(np.float32)
    with pt.use_backend(src):
        model = _cnn()
        opt = optim.Adam(model.parameters(), lr=0.01)
        loss = pt.sum(model(pt.asarray(x)))
        loss.backward()
        opt.step()
        save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 1}, path)
        want = host(model(pt.asarray(x)))
    with pt.use_backend(dst):
        ckpt = load(path)
        fresh = _cnn()
        fresh.load_state_dict(ckpt["model"])
        fresh_opt = optim.Adam(fresh.parameters(), lr=0.5)
        fresh_opt.load_state_dict(ckpt["opt"])
        got = host(fresh(pt.asarray(x)))
    assert ckpt["epoch"] == 1
    assert fresh[0].weight.device.backend.name == dst
    assert fresh_opt.param_groups[0]["lr"] == 0.01
    assert fresh_opt.state[fresh[0].weight]["step"] == 1
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_file_objects_and_pathlike(tmp_path: Path) -> None:
    buf = io.BytesIO()
    save([pt.ones(2), "a"], buf)
    back = load(io.BytesIO(buf.getvalue()))
    assert back[1] == "a"
    with open(tmp_path / "f.pt", "wb") as f:
        save({"k": 1}, f)
    assert load(os.fspath(tmp_path / "f.pt")) == {"k": 1}


def test_save_refuses_objects_it_cannot_store_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.pt"
    with pytest.raises(TypeError, match="got object"):
        save({"x": object()}, path)
    with pytest.raises(TypeError, match="dict keys"):
        save({(1, 2): 3}, path)
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="contains itself"):
        save(cyclic, path)
    assert not path.exists() and os.listdir(tmp_path) == []
    save({"ok": 1}, path)
    with pytest.raises(TypeError):
        save({"x": object()}, path)
    assert load(path) == {"ok": 1}  # the old file is intact


# -- damaged and foreign files ---------------------------------------------------------------------
def _good_bytes() -> bytes:
    buf = io.BytesIO()
    save({"w": pt.ones((3, 4)), "n": 2}, buf)
    return buf.getvalue()


def _rewrite(data: bytes, change: Any) -> bytes:
    """The archive with its members passed through ``change(name, bytes) -> bytes | None``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            new = change(name, src.read(name))
            if new is not None:
                dst.writestr(name, new)
    return out.getvalue()


def _manifest(change: Any) -> Any:
    def edit(name: str, raw: bytes) -> bytes:
        if name != "polytensor.json":
            return raw
        m = json.loads(raw)
        change(m)
        return json.dumps(m).encode()

    return edit


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def _set(path: list[Any], value: Any) -> Any:
    def change(m: Any) -> None:
        target = m
        for p in path[:-1]:
            target = target[p]
        target[path[-1]] = value

    return change


BAD_FILES = {
    "empty": (lambda good: b"", "the file is empty"),
    "random bytes": (lambda good: np.random.default_rng(0).bytes(300), "not a polytensor file"),
    "pickle": (lambda good: pickle.dumps({"w": np.ones(3)}), "Python pickle"),
    "single npy": (lambda good: _npy(np.ones(3)), "single .npy array"),
    "truncated": (lambda good: good[: len(good) // 2], "truncated or corrupt"),
    "truncated tail": (lambda good: good[:-10], "truncated or corrupt"),
    "zip without manifest": (
        lambda good: _rewrite(good, lambda n, r: None if n == "polytensor.json" else r),
        "no polytensor.json manifest",
    ),
    "torch-like zip": (
        lambda good: _zip({"archive/data.pkl": b"\x80\x02}q\x00."}),
        "torch.save file",
    ),
    "manifest not json": (
        lambda good: _rewrite(good, lambda n, r: b"{not json" if n == "polytensor.json" else r),
        "not valid JSON",
    ),
    "other format": (
        lambda good: _rewrite(good, _manifest(_set(["format"], "npz"))),
        "not a polytensor manifest",
    ),
    "newer version": (
        lambda good: _rewrite(good, _manifest(_set(["version"], 99))),
        "newer polytensor",
    ),
    "missing array": (
        lambda good: _rewrite(good, lambda n, r: None if n.endswith(".npy") else r),
        "missing from the archive",
    ),
    "unknown dtype": (
        lambda good: _rewrite(good, _manifest(_set(["arrays", 0, "dtype"], "float128"))),
        "unknown dtype 'float128'",
    ),
    "dtype disagrees": (
        lambda good: _rewrite(good, _manifest(_set(["arrays", 0, "dtype"], "int64"))),
        "manifest says int64",
    ),
    "shape disagrees": (
        lambda good: _rewrite(good, _manifest(_set(["arrays", 0, "shape"], [4, 3]))),
        "manifest says \\[4, 3\\]",
    ),
    "file name escapes": (
        lambda good: _rewrite(good, _manifest(_set(["arrays", 0, "file"], "../../etc/passwd"))),
        "invalid file name",
    ),
    "dangling reference": (
        lambda good: _rewrite(good, _manifest(_set(["root", "items", 0, 1, "ref"], 7))),
        "refers to array 7",
    ),
    "unknown entry": (
        lambda good: _rewrite(good, _manifest(_set(["root", "t"], "pickle"))),
        "unknown entry type 'pickle'",
    ),
    "object array": (
        lambda good: _rewrite(
            good, lambda n, r: _npy(np.array([{"a": 1}, None, 3])) if n.endswith(".npy") else r
        ),
        "object|manifest says",
    ),
    "truncated array": (
        lambda good: _rewrite(good, lambda n, r: r[:-8] if n.endswith(".npy") else r),
        "truncated",
    ),
    "bad int": (
        lambda good: _rewrite(good, _manifest(_set(["root", "items", 1, 1, "v"], "2; import os"))),
        "malformed int entry",
    ),
}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_damaged_or_foreign_files_raise_a_clear_error(tmp_path: Path, case: str) -> None:
    make, message = BAD_FILES[case]
    path = tmp_path / "bad.pt"
    path.write_bytes(make(_good_bytes()))
    with pytest.raises(ValueError, match=message) as info:
        load(path)
    assert str(path) in str(info.value)


def test_a_flipped_byte_in_an_array_is_detected(tmp_path: Path) -> None:
    data = bytearray(_good_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        entry = zf.getinfo("data/0.npy")
    offset = entry.header_offset + 30 + len(entry.filename) + len(entry.extra) + 140
    data[offset] ^= 0xFF
    path = tmp_path / "flipped.pt"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt") as info:
        load(path)
    assert "flipped.pt" in str(info.value)


def test_a_real_torch_save_file_is_refused(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    path = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(ValueError, match=r"torch\.save file"):
        load(path)


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.pt")
