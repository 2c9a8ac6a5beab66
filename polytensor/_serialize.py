"""``save`` / ``load``: state dicts and other nested containers of tensors, in a safe format.

A file is a zip archive (stored, not compressed) holding ``polytensor.json`` (the manifest:
the object's structure, with every tensor replaced by a reference) and one ``.npy`` file per
tensor, written and read by NumPy with ``allow_pickle=False``. Loading never unpickles
anything and never runs code from the file: only dicts, lists, tuples, strings, numbers,
booleans, None and tensors of polytensor's dtypes come back. A damaged or foreign file raises
``ValueError`` naming the file and the problem, and nothing is returned half-loaded.

Limits that keep ``load`` a safe parser of untrusted files: every member must be stored, not
compressed (``save`` writes nothing else), so the data read is never larger than the file
(no "zip bomb"); encrypted members are refused; the manifest's JSON is nested at most
``_MAX_JSON_DEPTH`` (608) levels deep, checked before it is parsed (an object at most
``_MAX_DEPTH``, 200, levels); its flags (``requires_grad``, ``parameter``, a dict's
``ordered``) must be JSON booleans.

Examples
--------
>>> import os, tempfile
>>> import polytensor as pt
>>> path = os.path.join(tempfile.mkdtemp(), "state.pt")
>>> pt.save({"w": pt.ones((2, 2)), "step": 3}, path)
>>> pt.load(path)["step"]
3
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from . import _dtypes as dt
from ._tensor import Tensor

if TYPE_CHECKING:
    import zipfile

# json, tempfile and zipfile are imported by the functions that use them: loaded at the top,
# with what they import, they would add to every `import polytensor` for the few programs
# that save or load.

__all__ = ["load", "save"]

FORMAT = "polytensor.save"
VERSION = 1
MANIFEST = "polytensor.json"
_ARRAY_NAME = re.compile(r"^data/[0-9]+\.npy$")
_DTYPES = frozenset(dt.BY_NAME)
_MAX_DEPTH = 200
# JSON levels of the manifest: up to 3 per level of the object (a dict's item is a pair in a
# list in the entry), and the manifest around the root
_MAX_JSON_DEPTH = 3 * _MAX_DEPTH + 8


class _Encoder:
    def __init__(self) -> None:
        self.tensors: list[Tensor] = []
        self.infos: list[dict[str, Any]] = []
        self._seen: dict[int, int] = {}
        self._active: set[int] = set()

    def encode(self, obj: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError(f"save(): the object is nested more than {_MAX_DEPTH} levels deep")
        if isinstance(obj, Tensor):
            return self._tensor(obj)
        if obj is None:
            return {"t": "none"}
        if isinstance(obj, bool):
            return {"t": "bool", "v": obj}
        if isinstance(obj, int):
            return {"t": "int", "v": str(obj)}
        if isinstance(obj, float):
            return {"t": "float", "v": repr(obj)}
        if isinstance(obj, str):
            return {"t": "str", "v": obj}
        if isinstance(obj, (dict, list, tuple)):
            if id(obj) in self._active:
                raise ValueError("save(): the object contains itself (a reference cycle)")
            self._active.add(id(obj))
            try:
                if isinstance(obj, dict):
                    items = []
                    for k, v in obj.items():
                        if not isinstance(k, (str, int, float, bool)) and k is not None:
                            raise TypeError(
                                f"save(): dict keys must be str, int, float, bool "
                                f"or None; got {type(k).__name__}"
                            )
                        items.append([self.encode(k, depth + 1), self.encode(v, depth + 1)])
                    entry: dict[str, Any] = {"t": "dict", "items": items}
                    if isinstance(obj, OrderedDict):  # (PyTorch's load gives each kind back)
                        entry["ordered"] = True
                    return entry
                kind = "list" if isinstance(obj, list) else "tuple"
                return {"t": kind, "items": [self.encode(v, depth + 1) for v in obj]}
            finally:
                self._active.discard(id(obj))
        raise TypeError(
            f"save() can store tensors, dicts, lists, tuples, str, int, float, bool "
            f"and None; got {type(obj).__name__} (custom objects are not saved, so "
            f"that loading never runs code)"
        )

    def _tensor(self, t: Tensor) -> dict[str, Any]:
        key = self._seen.get(id(t))
        if key is None:
            from .nn.parameter import Parameter

            key = len(self.tensors)
            self.tensors.append(t)
            self.infos.append(
                {
                    "file": f"data/{key}.npy",
                    "dtype": t.dtype.name,
                    # (a result of the graph too, as PyTorch keeps it: it loads as a leaf)
                    "requires_grad": bool(t.requires_grad),
                    "parameter": isinstance(t, Parameter),
                }
            )
            self._seen[id(t)] = key
        return {"t": "tensor", "ref": key}

    def hosts(self) -> list[Any]:
        """The tensors as host arrays; lazy ones are computed together, in one pass."""
        from ._extras import compute
        from .backends import _host

        tensors = list(self.tensors)
        lazy = [i for i, t in enumerate(tensors) if t._backend.lazy]
        if lazy:
            from .nn.parameter import plain

            done = compute(*(plain(tensors[i]) for i in lazy))
            for i, t in zip(lazy, done, strict=False):
                tensors[i] = t
        out = []
        for t, info in zip(tensors, self.infos, strict=False):
            host = _host.c_order(t._backend.to_numpy(t._data))
            if host.dtype.name != info["dtype"]:
                host = host.astype(info["dtype"])
            info["shape"] = list(host.shape)
            out.append(host)
        return out


def save(obj: Any, f: Any) -> None:
    """Save ``obj`` (a state dict, or nested dicts/lists/tuples of tensors, numbers, strings,
    booleans and None) to ``f``, a path or a binary file object.

    Tensors are copied to host memory (computing them, on Dask) and stored with their dtype,
    shape and ``requires_grad``; a tensor referenced twice is stored once. A path is written
    atomically: a crash leaves the old file, never a partial one.

    Examples
    --------
    >>> import io
    >>> import polytensor as pt
    >>> from polytensor import nn
    >>> buf = io.BytesIO()
    >>> pt.save(nn.Linear(2, 2).state_dict(), buf)
    >>> sorted(pt.load(io.BytesIO(buf.getvalue())))
    ['bias', 'weight']
    """
    import json
    import zipfile

    from .backends import _host

    enc = _Encoder()
    root = enc.encode(obj)
    hosts = enc.hosts()
    manifest = {"format": FORMAT, "version": VERSION, "root": root, "arrays": enc.infos}
    text = json.dumps(manifest, allow_nan=False, ensure_ascii=True)

    def write(stream: Any) -> None:
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(MANIFEST, text)
            for info, host in zip(enc.infos, hosts, strict=False):
                zf.writestr(info["file"], _host.npy_bytes(host))

    if hasattr(f, "write"):
        write(f)
        return
    import tempfile

    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".polytensor-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class _Decoder:
    def __init__(self, where: str, arrays: list[Any]) -> None:
        self.where = where
        self.arrays = arrays

    def fail(self, problem: str) -> ValueError:
        return ValueError(f"{self.where}: {problem}")

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise self.fail(f"the manifest is nested more than {_MAX_DEPTH} levels deep")
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise self.fail(f"malformed manifest entry {_short(node)}")
        t = node["t"]
        if t == "tensor":
            ref = node.get("ref")
            if not isinstance(ref, int) or isinstance(ref, bool) or not 0 <= ref < len(self.arrays):
                raise self.fail(
                    f"the manifest refers to array {_short(ref)}, which is not "
                    f"listed (the file has {len(self.arrays)} arrays)"
                )
            return self.arrays[ref]
        if t == "none":
            return None
        if t in ("bool", "str"):
            v = node.get("v")
            if not isinstance(v, bool if t == "bool" else str):
                raise self.fail(f"malformed {t} entry {_short(node)}")
            return v
        if t in ("int", "float"):
            v = node.get("v")
            if not isinstance(v, str):
                raise self.fail(f"malformed {t} entry {_short(node)}")
            try:
                return int(v) if t == "int" else float(v)
            except ValueError:
                raise self.fail(f"malformed {t} entry {_short(node)}") from None
        if t in ("list", "tuple", "dict"):
            items = node.get("items")
            if not isinstance(items, list):
                raise self.fail(f"malformed {t} entry {_short(node)}")
            if t == "dict":
                ordered = node.get("ordered", False)
                if not isinstance(ordered, bool):
                    raise self.fail(f"malformed dict entry {_short(node)}")
                out: dict[Any, Any] = OrderedDict() if ordered else {}
                for pair in items:
                    if not isinstance(pair, list) or len(pair) != 2:
                        raise self.fail(f"malformed dict item {_short(pair)}")
                    k = self.decode(pair[0], depth + 1)
                    if not isinstance(k, (str, int, float, bool)) and k is not None:
                        raise self.fail(f"a dict key of type {type(k).__name__}")
                    out[k] = self.decode(pair[1], depth + 1)
                return out
            values = [self.decode(v, depth + 1) for v in items]
            return values if t == "list" else tuple(values)
        raise self.fail(f"unknown entry type {t!r} in the manifest")


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


def _describe(f: Any) -> str:
    if hasattr(f, "read"):
        name = getattr(f, "name", None)
        return f"load({name!r})" if isinstance(name, str) else "load(<file object>)"
    return f"load({os.fspath(f)!r})"


def _read_all(f: Any, where: str) -> bytes:
    if hasattr(f, "read"):
        data = f.read()
        if not isinstance(data, bytes):
            raise TypeError(f"{where}: the file object must be opened in binary mode")
        return data
    with open(os.fspath(f), "rb") as stream:
        return stream.read()


def _foreign(data: bytes, where: str) -> ValueError:
    if not data:
        return ValueError(f"{where}: the file is empty")
    if data[:1] == b"\x80" or data[:2] in (b"(d", b"}q", b"(l"):
        return ValueError(
            f"{where}: this looks like a Python pickle; polytensor never unpickles "
            f"(it could run arbitrary code). Save with pt.save, or convert the "
            f"arrays with a trusted tool first"
        )
    if data[:6] == b"\x93NUMPY":
        return ValueError(
            f"{where}: this is a single .npy array, not a polytensor file; read it "
            f"with numpy.load(path, allow_pickle=False) and pt.asarray"
        )
    if data[:4] == b"PK\x03\x04":
        return ValueError(f"{where}: the zip archive is truncated or corrupt")
    return ValueError(
        f"{where}: not a polytensor file (no zip archive found; it is truncated, "
        f"corrupt, or another format)"
    )


def load(
    f: Any,
    map_location: Any = None,
    *,
    backend: Any = None,
    weights_only: bool | None = None,
    mmap: bool | None = None,
) -> Any:
    """Load what ``save`` wrote, with tensors on the current backend (or ``backend``).

    Parameters
    ----------
    f : path or binary file object
    map_location : str, Device, dict or function, optional
        PyTorch's spelling of ``backend``: ``torch.load(f, map_location="cpu")``. A dict (PyTorch's
        ``{"cuda:0": "cpu"}``) gives the place its values name (one place: a polytensor file
        holds no devices to map); a function (PyTorch's ``lambda storage, loc: storage``) is
        called as PyTorch calls it, with a stand-in storage and ``"cpu"``, and returning the
        storage means the current backend, a place that place.
    backend : str or Device, optional
        Where tensors go: a backend name (``"dask"``), ``"cpu"``, or a device; by default
        the current backend (``pt.get_backend()``).
    weights_only, mmap : bool, optional
        Taken for PyTorch's programs: a polytensor file holds arrays and a manifest, never
        pickled objects, so every load is what PyTorch's ``weights_only=True`` makes safe; the
        file is read into memory either way.

    Returns
    -------
    The saved object: dicts (ordered as saved; an ``OrderedDict``, such as a state dict, as
    one, and a plain dict as one), lists, tuples, numbers, strings, booleans,
    None and tensors (``nn.Parameter`` where a parameter was saved; ``requires_grad`` kept).

    Raises
    ------
    ValueError
        The file is not a polytensor file (a pickle, a plain zip, random bytes), is truncated
        or corrupt, or its manifest is malformed, refers to a missing array, names an unknown
        dtype or disagrees with an array. The message names the file and the problem.

    Examples
    --------
    >>> import io
    >>> import polytensor as pt
    >>> buf = io.BytesIO()
    >>> pt.save([pt.arange(3), "label", 1.5], buf)
    >>> pt.load(io.BytesIO(buf.getvalue()), backend="numpy")
    [tensor([0, 1, 2], backend='numpy'), 'label', 1.5]
    """
    import zipfile

    for name, flag in (("weights_only", weights_only), ("mmap", mmap)):
        if flag is not None and not isinstance(flag, bool):
            raise TypeError(f"load() expects {name}= to be True, False or None; got {flag!r}")
    if map_location is not None:
        if backend is not None:
            raise TypeError(
                "load() got both map_location= and backend=, which say the same thing; pass one"
            )
        backend = _mapped(map_location)
    where = _describe(f)
    data = _read_all(f, where)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        OSError,
        NotImplementedError,
        RuntimeError,
    ):
        raise _foreign(data, where) from None
    with zf:
        _check_members(zf, len(data), where)
        hosts, manifest = _read_archive(zf, where)
    root = manifest["root"]
    infos = manifest["arrays"]
    from ._ops.creation import asarray

    tensors = []
    for host, info in zip(hosts, infos, strict=False):
        try:
            t = asarray(host, device=backend)
        except (TypeError, ValueError) as e:
            raise ValueError(
                f"{where}: cannot create array {info['file']!r} on backend {backend!r}: {e}"
            ) from e
        if info.get("parameter"):
            from .nn.parameter import Parameter

            t = Parameter(t, requires_grad=bool(info.get("requires_grad")))
        elif info.get("requires_grad"):
            from ._tape import set_requires_grad

            set_requires_grad(t, True)
        tensors.append(t)
    return _Decoder(where, tensors).decode(root)


class _Storage:
    """What a ``map_location`` function is given in place of PyTorch's storage."""


def _mapped(map_location: Any) -> Any:
    """The backend ``load``'s ``map_location=`` names (None: the current one)."""
    if isinstance(map_location, dict):
        places = set(map_location.values())
        if len(places) != 1:
            raise ValueError(
                f"load(): map_location= maps to {len(places)} places ({map_location!r}); a "
                f"polytensor file holds no devices to tell them apart: pass one place, such "
                f"as map_location='cpu'"
            )
        return _mapped(places.pop())
    if callable(map_location) and not isinstance(map_location, (str, type)):
        stand_in = _Storage()
        place = map_location(stand_in, "cpu")
        return None if place is stand_in else _mapped(place)
    if isinstance(map_location, str) or hasattr(map_location, "type"):
        return map_location
    raise TypeError(
        f"load() expects map_location= to be a device, a backend name, a dict or a function; "
        f"got {type(map_location).__name__}"
    )


def _check_members(zf: zipfile.ZipFile, size: int, where: str) -> None:
    """ValueError unless every member of the archive (of ``size`` bytes) is stored as written
    by ``save``: not compressed, not encrypted, and together no larger than the archive."""
    import zipfile

    total = 0
    for info in zf.infolist():
        if info.compress_type != zipfile.ZIP_STORED:
            raise ValueError(
                f"{where}: member {info.filename!r} is compressed (method "
                f"{info.compress_type}); polytensor files hold stored members only, so that "
                f"loading never expands data beyond the file's size; re-save it with pt.save"
            )
        if info.flag_bits & 0x1:
            raise ValueError(f"{where}: member {info.filename!r} is encrypted; it cannot be read")
        if info.file_size != info.compress_size:
            raise ValueError(
                f"{where}: member {info.filename!r} claims {info.file_size} bytes stored in "
                f"{info.compress_size}; the archive is corrupt"
            )
        total += info.file_size
    if total > size:
        raise ValueError(
            f"{where}: the members claim {total} bytes in an archive of {size}; the archive is "
            f"corrupt"
        )


_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')


def _json_depth(raw: bytes) -> int:
    """How deeply the JSON text ``raw`` nests (strings skipped), without parsing it."""
    depth = deepest = 0
    for m in _JSON_TOKENS.finditer(raw):
        c = m.group()[:1]
        if c in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif c in (b"]", b"}"):
            depth -= 1
    return deepest


def _read_archive(zf: zipfile.ZipFile, where: str) -> tuple[list[Any], dict[str, Any]]:
    """The host arrays and the checked manifest of an open archive; ValueError if damaged."""
    import json
    import zipfile

    names = set(zf.namelist())
    if MANIFEST not in names:
        hint = ""
        if any(n.endswith("data.pkl") for n in names):
            hint = (
                " (it looks like a torch.save file, which holds pickles; polytensor refuses "
                "to unpickle: export the tensors with a trusted tool)"
            )
        raise ValueError(
            f"{where}: not a polytensor file: the zip archive has no {MANIFEST} manifest{hint}"
        )
    try:
        raw = zf.read(MANIFEST)
        if _json_depth(raw) > _MAX_JSON_DEPTH:
            raise ValueError(f"its JSON is nested more than {_MAX_JSON_DEPTH} levels deep")
        manifest = json.loads(raw.decode("utf-8"))
    except (
        zipfile.BadZipFile,
        EOFError,
        OSError,
        UnicodeDecodeError,
        ValueError,
        RecursionError,
        NotImplementedError,
        RuntimeError,
    ) as e:
        raise ValueError(
            f"{where}: the manifest {MANIFEST} is unreadable or not valid JSON ({e})"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else manifest
        raise ValueError(
            f"{where}: the manifest is not a polytensor manifest (format {_short(got)})"
        )
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{where}: the manifest has an invalid version {_short(version)}")
    if version > VERSION:
        raise ValueError(
            f"{where}: written by a newer polytensor (format version {version}; "
            f"this one reads up to {VERSION}); upgrade polytensor"
        )
    infos = manifest.get("arrays")
    if not isinstance(infos, list) or "root" not in manifest:
        raise ValueError(f"{where}: the manifest has no 'arrays' list or no 'root'")
    hosts = []
    for i, info in enumerate(infos):
        if not isinstance(info, dict):
            raise ValueError(  # noqa: TRY004 - a damaged file is a bad value
                f"{where}: array entry {i} of the manifest is malformed"
            )
        name, dtype, shape = info.get("file"), info.get("dtype"), info.get("shape")
        if not isinstance(name, str) or not _ARRAY_NAME.match(name):
            raise ValueError(f"{where}: array entry {i} has an invalid file name {_short(name)}")
        if not isinstance(dtype, str) or dtype not in _DTYPES:
            raise ValueError(
                f"{where}: array {name!r} has unknown dtype {_short(dtype)}; "
                f"expected one of {', '.join(sorted(_DTYPES))}"
            )
        if not isinstance(shape, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape
        ):
            raise ValueError(f"{where}: array {name!r} has an invalid shape {_short(shape)}")
        if name not in names:
            raise ValueError(
                f"{where}: the manifest refers to array {name!r}, which is missing from the archive"
            )
        for flag in ("requires_grad", "parameter"):
            if flag in info and not isinstance(info[flag], bool):
                raise ValueError(
                    f"{where}: array {name!r} has {flag}={_short(info[flag])}; expected true "
                    f"or false"
                )
        host = _read_npy(zf, name, dtype, shape, where)
        hosts.append(host)
    return hosts, manifest


def _read_npy(zf: zipfile.ZipFile, name: str, dtype: str, shape: list[int], where: str) -> Any:
    """Array ``name`` of the archive, checked against the manifest's dtype and shape before
    its data is read (so a forged header cannot make us allocate or unpickle anything)."""
    import zipfile

    from .backends import _host

    try:
        with zf.open(name) as stream:
            return _host.read_npy(stream, dtype, shape)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as e:
        raise ValueError(
            f"{where}: array {name!r} is corrupt or does not match the manifest: {e}"
        ) from None
