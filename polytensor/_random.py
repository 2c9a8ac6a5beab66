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
from typing import TYPE_CHECKING, Any, cast

from . import _config
from . import _dtypes as dt
from ._checks import BroadcastError, describe, named_error, short_repr
from ._dispatch import wrap_new
from ._ops.creation import _finish, _shape, _target
from ._shapes import broadcast_shapes
from ._tensor_base import TensorBase
from .backends import _counter_rng, _host

__all__ = [
    "Generator",
    "are_deterministic_algorithms_enabled",
    "bernoulli",
    "default_generator",
    "initial_seed",
    "manual_seed",
    "multinomial",
    "normal",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "seed",
    "use_deterministic_algorithms",
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


_deterministic = [False]  # (a list: the module's one mutable setting, no `global`)


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms, as ``torch.use_deterministic_algorithms`` (PyTorch's
    tutorials call it for reproducible results).

    polytensor's random numbers come from one counter-based stream, so a seed gives the same
    numbers on every run and backend, and its operations on the CPU backends have no
    nondeterministic variants to switch off: the setting is recorded (and reported by
    ``are_deterministic_algorithms_enabled()``) and changes nothing else.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.use_deterministic_algorithms(True)
    >>> pt.are_deterministic_algorithms_enabled()
    True
    >>> pt.use_deterministic_algorithms(False)
    """
    for name, v in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(v, bool):
            raise TypeError(
                f"use_deterministic_algorithms() expects {name} to be a bool; got "
                f"{type(v).__name__}"
            )
    _deterministic[0] = mode


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` is in effect.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.use_deterministic_algorithms(False)
    >>> pt.are_deterministic_algorithms_enabled()
    False
    """
    return _deterministic[0]


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
    return _draw_on(where, kind, params, shape, dtype, backend, native, generator, chunks)


def _draw_on(
    where: str,
    kind: str,
    params: tuple[Any, ...],
    shape: tuple[int, ...],
    dtype: dt.DType,
    backend: Any,
    native: Any,
    generator: Generator | None,
    chunks: Any,
) -> Tensor:
    """``_draw`` on ``backend``'s native device ``native`` (None: its default)."""
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
    d = dt.from_python_type(dtype) if dtype is not None else _config.DEFAULT_FLOAT.get()
    if not isinstance(d, dt.DType) or d.kind != "real floating":
        raise TypeError(f"{where}() expects a real floating-point dtype; got {d!r}")
    return d


def _int_dtype(dtype: Any, where: str) -> dt.DType:
    d = dt.from_python_type(dtype) if dtype is not None else _config.DEFAULT_INT
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
    low: int = 0,
    high: Any = None,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: dt.DType | None = None,
    device: Any = None,
    chunks: Any = None,
) -> Tensor:
    """Random integers in ``[low, high)`` (or ``[0, low)``: ``pt.randint(high, size)``, as
    PyTorch's) of shape ``size``, of an integer dtype (int64 by default), a floating one (the
    integers as floats) or bool.

    Examples
    --------
    >>> import polytensor as pt
    >>> x = pt.randint(0, 10, (3,))
    >>> x.dtype, x.shape
    (polytensor.int64, (3,))
    >>> pt.randint(5, (2, 2)).shape
    (2, 2)
    """
    if size is None and high is not None and not isinstance(high, int):
        low, high, size = 0, low, high  # randint(high, size)
    elif high is None:
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
    d = dt.from_python_type(dtype) if dtype is not None else _config.DEFAULT_INT
    least, most = _integer_range(d, "randint")
    if low < least or high - 1 > most:
        raise RuntimeError(
            f"randint(): the range [{low}, {high}) does not fit {d.name}, which holds "
            f"{least} to {most} exactly; narrow the range or pass a wider dtype="
        )
    return _draw("randint", "integers", (low, high), shape, d, device, generator, chunks)


# the largest integers each floating dtype holds exactly (and what a draw of int64 reaches)
_EXACT_TOP = {"float16": 2**11, "float32": 2**24, "float64": 2**53}


def _integer_range(d: Any, where: str) -> tuple[int, int]:
    """The least and the greatest integer a draw of ``where`` may give in dtype ``d``: an
    integer dtype's limits, a floating one's exact integers, bool's 0 and 1 (each within the
    int64 that is drawn)."""
    if not isinstance(d, dt.DType) or d.kind == "complex floating":
        raise TypeError(f"{where}() expects a real or bool dtype such as pt.int64; got {d!r}")
    if d is dt.bool:
        return 0, 1
    if d.kind == "real floating":
        top = _EXACT_TOP.get(d.name, 2**53)
        return -top, top
    info = dt.IINFO[d]
    return max(info.min, -(2**63)), min(info.max, 2**63 - 1)


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
    dtype = dt.from_python_type(dtype)  # (PyTorch's dtype=float: float64)
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
    if _on_its_backend(x, device):  # (dropout's draw: no device to parse)
        d = _float_dtype(dtype if dtype is not None else x.dtype, "rand_like")
        shape = tuple(x._data.shape)
        t = _draw_on("rand_like", "uniform", (), shape, d, x._backend, None, generator, None)
        return _finish(t, requires_grad, "rand_like")
    shape, d, dev, chunks = _like("rand_like", x, dtype, device)
    return rand(
        shape, dtype=d, device=dev, requires_grad=requires_grad, generator=generator, chunks=chunks
    )


def _on_its_backend(x: Any, device: Any) -> bool:
    """Whether a tensor like ``x`` is drawn on ``x``'s backend's only device, as it is, with
    no device or chunks to take from it (an eager backend of one device)."""
    if device is not None or not isinstance(x, TensorBase):
        return False
    b = x._backend
    return not (b.lazy or b.multi_device)


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
    if _on_its_backend(x, device):
        d = _float_dtype(dtype if dtype is not None else x.dtype, "randn_like")
        shape = tuple(x._data.shape)
        t = _draw_on("randn_like", "normal", (), shape, d, x._backend, None, generator, None)
        return _finish(t, requires_grad, "randn_like")
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
    >>> pt.randint_like(pt.zeros(3), 2, 5).dtype  # (the integers as floats, as PyTorch's)
    polytensor.float32
    """
    shape, d, dev, chunks = _like("randint_like", x, dtype, device)
    return randint(low, high, shape, dtype=d, device=dev, generator=generator, chunks=chunks)


# -- PyTorch's other draws: normal, bernoulli, multinomial, and the in-place fills ---------------


def _number(where: str, name: str, v: Any) -> float:
    """``v`` as a Python float, or a TypeError naming ``where`` and ``name``."""
    if isinstance(v, bool) or (not isinstance(v, (int, float)) and not hasattr(v, "__float__")):
        raise TypeError(f"{where}() expects a number or a tensor for {name}; got {v!r}")
    try:
        return float(v)
    except (TypeError, ValueError):  # (an array or tensor of several elements, or none)
        raise TypeError(
            f"{where}() expects a number (or a tensor of one element) for {name}; got "
            f"{short_repr(v)}"
        ) from None


def _zero_grad_of(values: Tensor, *sources: Any) -> Tensor:
    """``values``, in the graph of the ``sources`` (tensors among them) at a zero gradient
    when one of them requires grad, as PyTorch's ``normal`` and ``bernoulli`` give their
    inputs zeros (their numbers are drawn, not a function of them). ``where`` of a True
    broadcast (no memory) selects ``values``: an infinite source leaves no NaN in them."""
    from ._ops.creation import full
    from ._ops.manipulation import broadcast_to
    from ._ops.searching import where
    from ._tape import requires_grad

    wanted: list[Any] = [s for s in sources if isinstance(s, TensorBase) and requires_grad(s)]
    if not wanted or not _config.GRAD_ENABLED.get():
        return values
    anchor = wanted[0] if len(wanted) == 1 else wanted[0] + wanted[1]
    true = broadcast_to(full((), True, dtype=dt.bool, device=values.device), tuple(values.shape))
    return where(true, values, anchor)


def _scalar_of(v: Any) -> Any:
    """A 0-d tensor's value as a Python number (anything else as it is)."""
    if isinstance(v, TensorBase) and v.ndim == 0:
        return cast(Any, v).item()
    return v


def _float_tensor(where: str, name: str, t: Any) -> Any:
    if t.dtype.kind != "real floating":
        raise TypeError(
            f"{where}() expects {name} to have a real floating-point dtype; got {t.dtype.name}: "
            f"cast it first, e.g. {name}.float()"
        )
    return t


def _into_out(where: str, r: Tensor, out: Any) -> Tensor:
    """``r`` written into ``out=`` (of its shape), as PyTorch's ``out=``; ``r`` without one."""
    if out is None:
        return r
    if not isinstance(out, TensorBase):
        raise TypeError(f"{where}() expects out= to be a tensor; got {type(out).__name__}")
    if tuple(out.shape) != tuple(r.shape):
        raise ValueError(
            f"{where}(): out= has shape {tuple(out.shape)} but the result has "
            f"{tuple(r.shape)}; give out= the result's shape"
        )
    return out.copy_(r)  # type: ignore[attr-defined, no-any-return]  # (a Tensor)


def normal(
    mean: Any,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    out: Any = None,
    dtype: dt.DType | None = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool = False,
    requires_grad: bool = False,
    chunks: Any = None,
) -> Tensor:
    """Normal random numbers of mean ``mean`` and standard deviation ``std``, as PyTorch's
    ``torch.normal``: two numbers and a ``size``; or a tensor of means and/or of standard
    deviations (broadcast together; the result has their shape and dtype).

    The numbers are ``mean + std * z``, ``z`` drawn as ``pt.randn`` draws (the same on every
    backend). As in PyTorch, a tensor ``mean`` or ``std`` that requires grad gets a zero
    gradient: the result is drawn, not a differentiable function of them (for a
    reparameterised sample, write ``mean + std * pt.randn_like(mean)``). A negative or NaN
    ``std`` is an error (``DataValueError``, a ``RuntimeError`` as PyTorch's); on Dask it is
    checked inside the graph, so the error comes when the result is computed.

    Examples
    --------
    >>> import polytensor as pt
    >>> _ = pt.manual_seed(0)
    >>> pt.normal(0, 0.01, (2, 3)).shape
    (2, 3)
    >>> pt.normal(pt.zeros(2, 1), pt.ones(3)).shape
    (2, 3)
    """
    from ._ops.manipulation import broadcast_arrays

    if size is not None:  # (PyTorch's overload of numbers takes 0-d tensors as numbers)
        mean, std = _scalar_of(mean), _scalar_of(std)
    mt, st = isinstance(mean, TensorBase), isinstance(std, TensorBase)
    if layout is not None or pin_memory:
        raise TypeError("normal() takes no layout= or pin_memory=: polytensor has one layout")
    if not mt and not st:
        m, s = _number("normal", "mean", mean), _number("normal", "std", std)
        if size is None:
            raise TypeError(
                "normal() of a number mean and std needs a size, e.g. pt.normal(0.0, 1.0, "
                "(3,)); or give a tensor mean or std"
            )
        if not s >= 0:
            raise RuntimeError(f"normal() expects std >= 0.0; got std={std!r}")
        shape = _shape("normal", size, ())
        d = _float_dtype(dtype, "normal")
        t = _draw("normal", "normal", (), shape, d, device, generator, chunks)
        if s != 1.0 or m != 0.0:  # (t is new and held by nothing else: scaled in place)
            from ._ops.elementwise import add, multiply

            t = add(multiply(t, s), m)
        return _into_out("normal", _finish(t, requires_grad, "normal"), out)
    if size is not None or dtype is not None or device is not None or requires_grad:
        raise TypeError(
            "normal() of a tensor mean or std takes no size=, dtype=, device= or "
            "requires_grad=: the result has the tensors' shape, dtype and device"
        )
    # the result has mean's dtype (std's when mean is a number), as PyTorch's: the other
    # tensor is cast to it
    ref = _float_tensor("normal", "mean", mean) if mt else _float_tensor("normal", "std", std)
    md = cast(Any, mean).detach() if mt else _number("normal", "mean", mean)
    sd: Any = cast(Any, std).detach() if st else _number("normal", "std", std)
    if st and sd.dtype.kind not in ("real floating", "signed integer", "unsigned integer"):
        raise TypeError(
            f"normal() expects a real std tensor; got {sd.dtype.name}: take its real part or "
            f"its abs()"
        )
    if st and sd.dtype is not ref.dtype:
        from ._ops.data_types import astype

        sd = astype(sd, ref.dtype)
    tensors = [t for t in (md, sd) if isinstance(t, TensorBase)]
    if not st and not sd >= 0:
        raise RuntimeError(f"normal() expects std >= 0.0; got std={std!r}")
    shape = cast("tuple[int, ...]", tuple(broadcast_arrays(*tensors)[0].shape))
    own_chunks = getattr(ref._data, "chunks", None) if tuple(ref.shape) == shape else None
    z = _draw("normal", "normal", (), shape, ref.dtype, ref.device, generator, own_chunks)
    from ._ops.indexing import check_range

    if st:  # (eagerly, or on a lazy backend inside the graph: refused when computed)
        sd = check_range(
            sd,
            low=0,
            high=None,
            message="normal() expects every element of std >= 0.0; some are negative or NaN: "
            "take std.abs(), or clamp it with std.clamp(min=0)",
        )
    r = md + sd * z
    return _into_out("normal", _zero_grad_of(r, mean, std), out)


def bernoulli(
    input: Any, p: Any = None, *, generator: Generator | None = None, out: Any = None
) -> Tensor:
    """0 or 1 with probability ``input`` (a floating tensor of probabilities in [0, 1]), or
    with probability ``p`` (a number) in ``input``'s shape; the result has ``input``'s dtype.

    As in PyTorch, an ``input`` that requires grad gets a zero gradient. Probabilities outside
    [0, 1] or NaN are an error (``DataValueError``, a ``RuntimeError`` as PyTorch's); on Dask
    they are checked inside the graph, so the error comes when the result is computed.

    Examples
    --------
    >>> import polytensor as pt
    >>> _ = pt.manual_seed(0)
    >>> x = pt.bernoulli(pt.full((1000,), 0.25))
    >>> x.dtype, sorted(set(x.tolist()))
    (polytensor.float32, [0.0, 1.0])
    """
    if not isinstance(input, TensorBase):
        raise TypeError(f"bernoulli() expects a tensor of probabilities; got {describe(input)}")
    if p is None:
        _float_tensor("bernoulli", "input", input)
    r = _bernoulli_values(
        "bernoulli", input, cast(Any, input).detach() if p is None else p, generator
    )
    return _into_out("bernoulli", _zero_grad_of(r, input), out)


def _like_draw(
    where: str, x: Any, kind: str, params: tuple[Any, ...], dtype: Any, generator: Any
) -> Tensor:
    """A draw of ``kind`` with ``x``'s shape, device and chunks, of ``dtype``."""
    shape, _, dev, chunks = _like(where, x, None, None)
    return _draw(where, kind, params, shape, dtype, dev, generator, chunks)


def _bernoulli_values(where: str, x: Any, p: Any, generator: Any) -> Tensor:
    """0 or 1 in ``x``'s shape and dtype, 1 with probability ``p`` (a number, or a floating
    tensor broadcasting to ``x``), checked to lie in [0, 1]."""
    from ._ops.data_types import astype
    from ._ops.indexing import check_range

    u = _like_draw(where, x, "uniform", (), dt.float64, generator)
    if isinstance(p, TensorBase):
        _float_tensor(where, "p", p)
        pd = cast(Any, p).detach()
        want = tuple(x.shape)
        try:
            fits = broadcast_shapes(tuple(pd.shape), want) == want
        except ValueError:
            fits = False
        if not fits:  # (PyTorch's RuntimeError too: a BroadcastError is both)
            raise BroadcastError(
                f"{where}() expects p to broadcast to the tensor's shape {want}; got p of "
                f"shape {tuple(pd.shape)}"
            )
        # (eagerly, or on a lazy backend inside the graph: refused when computed)
        pd = check_range(
            pd,
            low=0,
            high=1,
            message=f"{where}() expects probabilities in [0, 1]; some are outside it (or NaN): "
            f"clamp them with p.clamp(0, 1)",
        )
        return astype(u < astype(pd, dt.float64), x.dtype)
    pv = _number(where, "p", p)
    if not 0.0 <= pv <= 1.0:
        raise RuntimeError(f"{where}() expects p in [0, 1]; got p={p!r}")
    return astype(u < pv, x.dtype)


# at most this many comparisons (rows x samples x categories) in one multinomial with
# replacement; above, a search per row
_COMPARED = 1 << 22


def multinomial(
    input: Any,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
    out: Any = None,
) -> Tensor:
    """``num_samples`` category indices (int64) per row of ``input``, a 1-D or 2-D tensor of
    non-negative weights (not necessarily summing to 1), as PyTorch's ``torch.multinomial``.

    With ``replacement``, each sample is the category whose cumulative weight first exceeds a
    uniform draw; without, the categories come in the order of an exponential race (the
    ``num_samples`` smallest of ``E_i / w_i``, ``E_i`` exponential draws), which is the
    distribution of drawing one at a time without replacement. A category of weight 0 is
    never drawn; too few positive weights for ``num_samples`` without replacement, a
    negative, infinite or NaN weight, or a row of zeros are errors.

    Examples
    --------
    >>> import polytensor as pt
    >>> _ = pt.manual_seed(0)
    >>> w = pt.tensor([0.0, 10.0, 3.0, 0.0])
    >>> s = pt.multinomial(w, 2)
    >>> sorted(s.tolist())
    [1, 2]
    >>> pt.multinomial(w, 5, replacement=True).shape
    (5,)
    """
    from ._ops import sorting, statistical
    from ._ops.data_types import astype
    from ._ops.elementwise import isfinite, log, log1p, minimum
    from ._ops.manipulation import flip, stack
    from ._ops.searching import argmax, searchsorted, where

    where_ = "multinomial"
    if not isinstance(input, TensorBase):
        raise TypeError(f"{where_}() expects a tensor of weights; got {describe(input)}")
    _float_tensor(where_, "input", input)
    if input.ndim not in (1, 2):
        raise ValueError(
            f"{where_}() expects a 1-D or 2-D tensor of weights; got shape {tuple(input.shape)}"
        )
    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
        raise ValueError(
            f"{where_}() expects num_samples to be a positive int; got {num_samples!r}"
        )
    w = astype(cast(Any, input).detach(), dt.float64)
    rows = w if w.ndim == 2 else w[None]
    r, n = (int(cast(int, s)) for s in rows.shape)
    if r == 0:  # (no rows: no samples, as PyTorch's)
        from ._ops.creation import zeros

        empty = zeros((0, num_samples), dtype=dt.int64, device=input.device)
        return _into_out(where_, empty, out)
    if not replacement and num_samples > n:
        raise RuntimeError(
            f"{where_}(): cannot draw {num_samples} samples without replacement from {n} "
            f"categories; draw at most {n}, or pass replacement=True"
        )
    if bool(statistical.any(~isfinite(rows) | (rows < 0))):
        raise RuntimeError(
            f"{where_}() expects finite, non-negative weights; some are negative, infinite or NaN"
        )
    positive = statistical.sum(astype(rows > 0, dt.int64), axis=-1)
    least = int(statistical.min(positive))
    if least == 0:
        raise RuntimeError(f"{where_}(): a row of weights sums to 0; give it a positive weight")
    if not replacement and least < num_samples:
        raise RuntimeError(
            f"{where_}(): a row has {least} positive weights, too few for {num_samples} samples "
            f"without replacement; draw fewer, or pass replacement=True"
        )
    # each row scaled to a largest weight of 1: tiny weights (1e-310) neither lose their
    # digits in the cumulative sums nor overflow the race's quotients
    rows = rows / statistical.max(rows, axis=-1, keepdims=True)
    if replacement:
        u = _draw(
            where_, "uniform", (), (r, num_samples), dt.float64, input.device, generator, None
        )
        cdf = statistical.cumulative_sum(rows, axis=-1)
        v = u * cdf[:, -1:]
        if r * num_samples * n <= _COMPARED:  # the categories whose cumulative weight is <= v
            k = statistical.sum(astype(cdf[:, None, :] <= v[:, :, None], dt.int64), axis=-1)
        else:  # (one search per row)
            k = stack([searchsorted(cdf[i], v[i], side="right") for i in range(r)])
        # a draw that rounds up to the total: the last positive category of its row
        last = (n - 1) - argmax(flip(astype(rows > 0, dt.int8), axis=-1), axis=-1)
        idx = minimum(k, astype(last[:, None], k.dtype))
    else:
        u = _draw(where_, "uniform", (), (r, n), dt.float64, input.device, generator, None)
        pos = rows > 0
        # the race's keys E / w in logarithms (finite for every positive weight), +inf for a
        # weight of 0, which is then never among the first num_samples
        keys = where(pos, log(-log1p(-u)) - log(where(pos, rows, 1.0)), float("inf"))
        idx = sorting.argsort(keys, axis=-1, stable=True)[:, :num_samples]
    idx = astype(idx, dt.int64)
    return _into_out(where_, idx if input.ndim == 2 else idx[0], out)
