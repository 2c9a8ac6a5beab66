"""``pt.load`` stays a safe parser of untrusted files: compressed (possibly exploding) members,
encrypted or inconsistent members, a deeply nested manifest, unsupported compression methods
and non-boolean flags are each refused with a ValueError naming the file, before any large
allocation or deep recursion."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import polytensor as pt


def _good() -> bytes:
    buf = io.BytesIO()
    pt.save({"w": pt.ones((3, 4)), "n": 2}, buf)
    return buf.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for name, raw in members.items():
            zf.writestr(name, raw)
    return out.getvalue()


def _with_manifest(change: Any) -> bytes:
    members = _members(_good())
    m = json.loads(members["polytensor.json"])
    change(m)
    members["polytensor.json"] = json.dumps(m).encode()
    return _zip(members)


def _load_bytes(tmp_path: Path, data: bytes) -> Any:
    path = tmp_path / "bad.pt"
    path.write_bytes(data)
    return pt.load(path)


def test_save_writes_stored_members_only() -> None:
    with zipfile.ZipFile(io.BytesIO(_good())) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}


def test_a_small_file_that_would_expand_to_a_large_tensor_is_refused(tmp_path: Path) -> None:
    # a DEFLATE member of 8 MiB of zeros fits in a few KiB: the bomb pattern, scaled down
    members = _members(_good())
    big = io.BytesIO()
    np.save(big, np.zeros((1024, 1024), dtype=np.float64), allow_pickle=False)
    members["data/0.npy"] = big.getvalue()
    m = json.loads(members["polytensor.json"])
    m["arrays"][0]["shape"] = [1024, 1024]
    m["arrays"][0]["dtype"] = "float64"
    members["polytensor.json"] = json.dumps(m).encode()
    bomb = _zip(members, zipfile.ZIP_DEFLATED)
    assert len(bomb) < 100_000
    with pytest.raises(ValueError, match=r"bad\.pt.*compressed.*stored members only"):
        _load_bytes(tmp_path, bomb)


def test_a_member_claiming_more_bytes_than_stored_is_refused(tmp_path: Path) -> None:
    data = bytearray(_good())
    # raise the uncompressed size in the central directory entry of the first member
    at = data.find(b"PK\x01\x02")
    size_at = at + 24
    (size,) = struct.unpack_from("<I", data, size_at)
    struct.pack_into("<I", data, size_at, size + 1_000_000)
    with pytest.raises(ValueError, match=r"bad\.pt.*(claims|corrupt)"):
        _load_bytes(tmp_path, bytes(data))


def test_an_unsupported_compression_method_is_a_value_error(tmp_path: Path) -> None:
    data = bytearray(_good())
    # method 99 (AES) in the local header and the central directory of every member
    for sig, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.find(sig)
        while at != -1:
            struct.pack_into("<H", data, at + offset, 99)
            at = data.find(sig, at + 4)
    with pytest.raises(ValueError, match=r"bad\.pt"):
        _load_bytes(tmp_path, bytes(data))


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    data = bytearray(_good())
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig)
        while at != -1:
            (flags,) = struct.unpack_from("<H", data, at + offset)
            struct.pack_into("<H", data, at + offset, flags | 0x1)
            at = data.find(sig, at + 4)
    with pytest.raises(ValueError, match=r"bad\.pt.*encrypted"):
        _load_bytes(tmp_path, bytes(data))


def test_a_deeply_nested_manifest_is_refused_before_parsing(tmp_path: Path) -> None:
    members = _members(_good())
    members["polytensor.json"] = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ValueError, match=r"bad\.pt.*nested more than"):
        _load_bytes(tmp_path, _zip(members))


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    path = tmp_path / "ok.pt"
    pt.save({"label": "[" * 5000 + '"{' * 100, "w": pt.zeros(2)}, path)
    assert pt.load(path)["label"] == "[" * 5000 + '"{' * 100


def test_the_deepest_object_save_accepts_loads_back(tmp_path: Path) -> None:
    obj: Any = {"w": pt.zeros(1)}
    for _ in range(99):  # 198 levels of dicts and lists: save's limit is 200
        obj = {"k": [obj]}
    path = tmp_path / "deep.pt"
    pt.save(obj, path)
    back = pt.load(path)
    for _ in range(99):
        back = back["k"][0]
    assert back["w"].tolist() == [0.0]


@pytest.mark.parametrize("flag", ["requires_grad", "parameter"])
@pytest.mark.parametrize("value", ["no", 1, None, [True]])
def test_non_boolean_flags_are_refused(tmp_path: Path, flag: str, value: Any) -> None:
    def change(m: Any) -> None:
        m["arrays"][0][flag] = value

    with pytest.raises(ValueError, match=rf"bad\.pt.*{flag}=.*expected true or false"):
        _load_bytes(tmp_path, _with_manifest(change))


def test_boolean_flags_still_load(tmp_path: Path) -> None:
    path = tmp_path / "ok.pt"
    pt.save({"w": pt.ones(2, requires_grad=True)}, path)
    assert pt.load(path)["w"].requires_grad is True
