"""Random numbers: one counter-based stream, the same on every backend and every chunking.

Every call (``pt.rand``, ``pt.randn``, ``pt.randint``, ``pt.randperm``, ``nn.init`` fills,
dropout masks) is one *draw* of its generator: the draw gets a key made of the generator's seed
and its number, and element ``i`` (in C order) of the result is a function of that key and
``i`` alone, computed by NumPy's counter-based ``Philox`` generator (``backends/_counter_rng``).
So ``pt.manual_seed(0); pt.randn(4_000_000, 64)`` gives the same numbers on NumPy,
array-api-strict, CuPy and Dask, and on Dask the same numbers whatever the chunks; there each
chunk is generated in its own task when the graph computes, nothing on the host when the tensor
is made.

Note: these numbers differ from those of polytensor releases that drew from one PCG64 stream
on the host (and from PyTorch's); a seed still fixes them.
"""

from __future__ import annotations

import functools
import operator
import threading
from typing import TYPE_CHECKING, Any

from . import _config
from . import _dtypes as dt
from ._checks import named_error
from ._dispatch import wrap_new
from ._ops.creation import _finish, _shape, _target
from ._tensor_base import TensorBase
from .backends import _counter_rng, _host

__all__ = [
    "Generator",
    "default_generator",
    "initial_seed",
    "manual_seed",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "seed",
]

if TYPE_CHECKING:
    from ._tensor import Tensor


class Generator:
    """A random number generator; ``pt.manual_seed`` reseeds the default one.

    Its state is its seed and the number of draws made since seeding: each draw (one call of
    ``pt.rand`` and the like) uses a key of its own, so the state is two integers whatever the
    sizes drawn.

    Examples
    --------
    >>> import polytensor as pt
    >>> g = pt.Generator().manual_seed(42)
    >>> a = pt.rand(2, generator=g)
    >>> b = pt.rand(2, generator=pt.Generator().manual_seed(42))
    >>> bool(pt.all(a == b))
    True
    """

    def __init__(self, device: Any = None) -> None:
        self._seed = _host.fresh_seed()
        self._draws = 0
        self._lock = threading.Lock()

    def _next_key(self) -> int:
        """The key of the next draw (and count it)."""
        with self._lock:
            draw = self._draws
            self._draws = draw + 1
        return _counter_rng.make_key(self._seed, draw)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed this generator; returns it."""
        try:
            seed = operator.index(seed)
        except TypeError:
            raise TypeError(f"manual_seed() expects a non-negative int; got {seed!r}") from None
        if seed < 0:
            raise ValueError(f"manual_seed() expects a non-negative int; got {seed}")
        with self._lock:
            self._seed = seed
            self._draws = 0
        return self

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> dict[str, Any]:
        """The generator's state (restore it with ``set_state``).

        Examples
        --------
        >>> import polytensor as pt
        >>> g = pt.Generator().manual_seed(3)
        >>> state = g.get_state()
        >>> a = pt.rand(2, generator=g)
        >>> g.set_state(state)
        >>> bool(pt.all(pt.rand(2, generator=g) == a))
        True
        """
        return {"bit_generator": "Philox", "seed": self._seed, "draws": self._draws}

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state from ``get_state``."""
        if not isinstance(state, dict) or state.get("bit_generator") != "Philox":
            raise ValueError(
                f"set_state() expects a state from Generator.get_state() (a dict with "
                f"bit_generator 'Philox', seed and draws); got {state!r}"
            )
        seed, draws = operator.index(state["seed"]), operator.index(state["draws"])
        if seed < 0 or draws < 0:
            raise ValueError(
                f"set_state() expects a non-negative seed and draws; got {seed} and {draws}"
            )
        with self._lock:
            self._seed, self._draws = seed, draws


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (the same stream then follows on every backend).

    Examples
    --------
    >>> import polytensor as pt
    >>> _ = pt.manual_seed(0)
    >>> x = pt.rand(3)
    >>> _ = pt.manual_seed(0)
    >>> bool(pt.all(x == pt.rand(3)))
    True
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from fresh entropy; return the seed.

    Examples
    --------
    >>> import polytensor as pt
    >>> s = pt.seed()
    >>> isinstance(s, int)
    True
    """
    s = _host.fresh_seed()
    default_generator.manual_seed(s)
    return s


def initial_seed() -> int:
    """The seed of the default generator.

    Examples
    --------
    >>> import polytensor as pt
    >>> _ = pt.manual_seed(7); pt.initial_seed()
    7
    """
    return default_generator.initial_seed()


def _draw(
    where: str,
    kind: str,
    params: tuple[Any, ...],
    shape: tuple[int, ...],
    dtype: dt.DType,
    device: Any,
    generator: Generator | None,
    chunks: Any,
) -> Tensor:
    """One draw of ``generator`` as a tensor: made block by block on the target backend (each
    Dask chunk in its own task), element ``i`` the same whatever the backend or chunks."""
    backend, native = _target(device, where)
    key = _check_generator(where, generator)._next_key()
    if not backend.lazy:  # the whole draw at once, on the host (from_blocks' eager case)
        try:
            data = backend.from_numpy(
                _counter_rng.whole(kind, params, dtype.name, shape, key), native
            )
        except Exception as e:  # the library's refusal (a size too large), in our words
            raise named_error(where, e) from e
        return wrap_new(data, backend)
    fn = functools.partial(_counter_rng.fill, kind, params, dtype.name, shape, key)
    return wrap_new(_from_blocks(where, backend, fn, shape, dtype.name, native, chunks), backend)


def _from_blocks(
    where: str, backend: Any, fn: Any, shape: Any, dtype: str, native: Any, chunks: Any
) -> Any:
    """``backend.from_blocks(...)``, its refusals (a size too large, a ``chunks=`` Dask cannot
    read) said in polytensor's words, naming ``where``."""
    try:
        return backend.from_blocks(fn, shape, dtype, native, chunks)
    except Exception as e:  # the library's refusal, in our words
        raise named_error(where, e) from e


def _check_generator(where: str, generator: Any) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(
            f"{where}() expects generator= to be a pt.Generator; got {type(generator).__name__}; "
            f"make one with pt.Generator().manual_seed(seed)"
        )
    return generator


def _float_dtype(dtype: Any, where: str) -> dt.DType:
    d = dtype if dtype is not None else _config.DEFAULT_FLOAT.get()
    if not isinstance(d, dt.DType) or d.kind != "real floating":
        raise TypeError(f"{where}() expects a real floating-point dtype; got {d!r}")
    return d


def _int_dtype(dtype: Any, where: str) -> dt.DType:
    d = dtype if dtype is not None else _config.DEFAULT_INT
    if not isinstance(d, dt.DType) or d.kind not in ("signed integer", "unsigned integer"):
        raise TypeError(f"{where}() expects an integer dtype such as pt.int64; got {d!r}")
    return d


def _size(where: str, shape: tuple[Any, ...], size: Any) -> tuple[int, ...]:
    """The shape given PyTorch-style: separate ints, one tuple, or ``size=``."""
    if size is not None:
        if shape:
            raise TypeError(f"{where}() got a shape both positionally and as size=")
        return _shape(where, size, ())
    return _shape(where, shape[0], shape[1:]) if shape else ()


def rand(
    *shape: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
    chunks: Any = None,
) -> Tensor:
    """Uniform random numbers in [0, 1) of shape ``size`` (ints or one tuple).

    ``chunks=`` (Dask: ``"auto"``, a byte size such as ``"64MiB"``, a tuple or dict) overrides
    the backend's ``chunks`` option for this tensor; the numbers do not depend on it.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.rand(5, 3).shape
    (5, 3)
    """
    shape = _size("rand", shape, size)
    d = _float_dtype(dtype, "rand")
    t = _draw("rand", "uniform", (), shape, d, device, generator, chunks)
    return _finish(t, requires_grad, "rand")


def randn(
    *shape: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
    chunks: Any = None,
) -> Tensor:
    """Standard normal random numbers of shape ``size``.

    On Dask nothing is generated here: each chunk is drawn in its own task when the graph
    computes, so ``pt.randn(80_000_000, 64, dtype=pt.float64, device="dask")`` (40 GB) is made
    at once and streams through a computation chunk by chunk. ``chunks=`` overrides the
    backend's ``chunks`` option for this tensor; the numbers do not depend on it.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.randn(2, 2, dtype=pt.float64).dtype
    polytensor.float64
    >>> _ = pt.manual_seed(0); a = pt.randn(6, dtype=pt.float64)
    >>> _ = pt.manual_seed(0); b = pt.randn(6, dtype=pt.float64, device="dask", chunks=4)
    >>> bool(pt.all(a == b.to("numpy")))
    True
    """
    shape = _size("randn", shape, size)
    d = _float_dtype(dtype, "randn")
    t = _draw("randn", "normal", (), shape, d, device, generator, chunks)
    return _finish(t, requires_grad, "randn")


def randint(
    low: int,
    high: int | None = None,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: dt.DType | None = None,
    device: Any = None,
    chunks: Any = None,
) -> Tensor:
    """Random integers in ``[low, high)`` (or ``[0, low)``) of shape ``size``.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.randint(0, 10, (3,))
    >>> x.dtype, x.shape
    (polytensor.int64, (3,))
    """
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() needs a size, e.g. pt.randint(0, 10, (3,))")
    for v in (low, high):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"randint() expects int bounds low and high; got {v!r}")
    low, high = operator.index(low), operator.index(high)
    if high <= low:
        raise ValueError(f"randint() needs low < high; got low={low}, high={high}")
    shape = _shape("randint", size, ())
    d = _int_dtype(dtype, "randint")
    return _draw("randint", "integers", (low, high), shape, d, device, generator, chunks)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: dt.DType | None = None,
    device: Any = None,
    chunks: Any = None,
) -> Tensor:
    """A random permutation of ``0 .. n-1``.

    It is the stable order of ``n`` counter-based random integers, so it is the same on every
    backend; on Dask each chunk's task orders all ``n`` keys and keeps its part (one chunk
    under the default chunking up to 16M elements).

    Examples
    --------
    >>> import polytensor as pt
    >>> sorted(pt.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise (ValueError if isinstance(n, int) and not isinstance(n, bool) else TypeError)(
            f"randperm() expects n to be a non-negative int; got {n!r}"
        )
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"randperm() expects a non-negative n; got {n}")
    d = _int_dtype(dtype, "randperm")
    backend, native = _target(device, "randperm")
    key = _check_generator("randperm", generator)._next_key()
    fn = functools.partial(_counter_rng.permutation, n, key, d.name)
    return wrap_new(_from_blocks("randperm", backend, fn, (n,), d.name, native, chunks), backend)


def _like(where: str, x: Tensor, dtype: Any, device: Any) -> tuple[tuple[int, ...], Any, Any, Any]:
    """Shape, dtype, device and (for a tensor kept on its backend) chunks of ``x``: a random
    tensor like a chunked one gets its chunks, so the two line up without a rechunk."""
    if not isinstance(x, TensorBase):
        raise TypeError(f"{where}() expects a tensor; got {type(x).__name__}")
    if any(s is None for s in x.shape):
        raise ValueError(
            f"{where}() of a tensor with unknown (data-dependent) shape {x.shape}; "
            f"compute it first with pt.compute(x), or move it with x.to('numpy')"
        )
    chunks = getattr(x._data, "chunks", None) if device is None else None
    return (
        tuple(x.shape),  # type: ignore[arg-type]  # known: checked above
        dtype if dtype is not None else x.dtype,
        (device if device is not None else x.device),
        chunks,
    )


def rand_like(
    x: Tensor,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
) -> Tensor:
    """``rand`` with the shape (and by default dtype, device and chunks) of ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.rand_like(pt.zeros(2, 3)).shape
    (2, 3)
    """
    shape, d, dev, chunks = _like("rand_like", x, dtype, device)
    return rand(
        shape, dtype=d, device=dev, requires_grad=requires_grad, generator=generator, chunks=chunks
    )


def randn_like(
    x: Tensor,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
) -> Tensor:
    """``randn`` with the shape (and by default dtype, device and chunks) of ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.randn_like(pt.zeros(4)).shape
    (4,)
    """
    shape, d, dev, chunks = _like("randn_like", x, dtype, device)
    return randn(
        shape, dtype=d, device=dev, requires_grad=requires_grad, generator=generator, chunks=chunks
    )


def randint_like(
    x: Tensor,
    low: int,
    high: int | None = None,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
    generator: Generator | None = None,
) -> Tensor:
    """``randint`` with the shape (and by default dtype, device and chunks) of ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.randint_like(pt.zeros(3, dtype=pt.int32), 5).dtype
    polytensor.int32
    """
    shape, d, dev, chunks = _like("randint_like", x, dtype, device)
    return randint(low, high, shape, dtype=d, device=dev, generator=generator, chunks=chunks)
