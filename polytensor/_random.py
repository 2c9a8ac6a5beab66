"""Random numbers: one seeded stream, the same on every backend.

Numbers are drawn on the host by NumPy's PCG64 generator and moved to the tensor's backend, so
``pt.manual_seed(0); pt.rand(3)`` gives the same values on NumPy and Dask.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

from . import _config
from . import _dtypes as dt
from ._dispatch import wrap_new
from ._ops.creation import _finish, _shape, _target
from ._tensor_base import TensorBase
from .backends import _host

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
        self._host_rng: Any = None  # NumPy's generator for ``_seed``, made on first use

    @property
    def _rng(self) -> Any:
        """The NumPy generator that draws this stream's numbers.

        It is made from the seed on first use: ``default_generator`` exists from
        ``import polytensor`` on, and making it there would load ``numpy.random`` into every
        program, drawing numbers or not.
        """
        rng = self._host_rng
        if rng is None:
            rng = self._host_rng = _host.new_rng(self._seed)
        return rng

    def manual_seed(self, seed: int) -> Generator:
        """Reseed this generator; returns it."""
        try:
            seed = operator.index(seed)
        except TypeError:
            raise TypeError(f"manual_seed() expects a non-negative int; got {seed!r}") from None
        if seed < 0:
            raise ValueError(f"manual_seed() expects a non-negative int; got {seed}")
        self._seed = seed
        self._host_rng = None
        return self

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> dict[str, Any]:
        """The generator's state (restore it with ``set_state``)."""
        return dict(self._rng.bit_generator.state)

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state from ``get_state``."""
        self._rng.bit_generator.state = state


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


def _generator(generator: Any, where: str) -> Generator:
    """``generator``, or the default one for None; TypeError naming ``where`` otherwise."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(
            f"{where}() expects generator= to be a pt.Generator; got {type(generator).__name__}"
        )
    return generator


def _place(host: Any, dtype: dt.DType, device: Any, requires_grad: bool, where: str) -> Tensor:
    if not isinstance(dtype, dt.DType):
        raise TypeError(
            f"{where}() expects dtype= to be a polytensor dtype such as pt.int64; got {dtype!r}"
        )
    backend, native = _target(device, where)
    data = backend.from_numpy(host.astype(dtype.name, copy=False), native)
    return _finish(wrap_new(data, backend), requires_grad)


def _float_dtype(dtype: Any, where: str) -> dt.DType:
    d = dtype if dtype is not None else _config.DEFAULT_FLOAT.get()
    if not isinstance(d, dt.DType) or d.kind != "real floating":
        raise TypeError(f"{where}() expects a real floating-point dtype; got {d!r}")
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
) -> Tensor:
    """Uniform random numbers in [0, 1) of shape ``size`` (ints or one tuple).

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.rand(5, 3).shape
    (5, 3)
    """
    shape = _size("rand", shape, size)
    d = _float_dtype(dtype, "rand")
    host = _generator(generator, "rand")._rng.random(shape)
    return _place(host, d, device, requires_grad, "rand")


def randn(
    *shape: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: dt.DType | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal random numbers of shape ``size``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.randn(2, 2, dtype=pt.float64).dtype
    polytensor.float64
    """
    shape = _size("randn", shape, size)
    d = _float_dtype(dtype, "randn")
    host = _generator(generator, "randn")._rng.standard_normal(shape)
    return _place(host, d, device, requires_grad, "randn")


def randint(
    low: int,
    high: int | None = None,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: dt.DType | None = None,
    device: Any = None,
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
    if high <= low:
        raise ValueError(f"randint() needs low < high; got low={low}, high={high}")
    shape = _shape("randint", size, ())
    d = dtype if dtype is not None else _config.DEFAULT_INT
    host = _generator(generator, "randint")._rng.integers(low, high, size=shape)
    return _place(host, d, device, False, "randint")


def randperm(
    n: int, *, generator: Generator | None = None, dtype: dt.DType | None = None, device: Any = None
) -> Tensor:
    """A random permutation of ``0 .. n-1``.

    Examples
    --------
    >>> import polytensor as pt
    >>> sorted(pt.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    d = dtype if dtype is not None else _config.DEFAULT_INT
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise (ValueError if isinstance(n, int) and not isinstance(n, bool) else TypeError)(
            f"randperm() expects n to be a non-negative int; got {n!r}"
        )
    host = _generator(generator, "randperm")._rng.permutation(operator.index(n))
    return _place(host, d, device, False, "randperm")


def _like(
    where: str, x: Tensor, dtype: Any, device: Any
) -> tuple[tuple[int | None, ...], Any, Any]:
    if not isinstance(x, TensorBase):
        raise TypeError(f"{where}() expects a tensor; got {type(x).__name__}")
    return (
        tuple(x.shape),
        dtype if dtype is not None else x.dtype,
        (device if device is not None else x.device),
    )


def rand_like(
    x: Tensor, *, dtype: dt.DType | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``rand`` with the shape (and by default dtype and device) of ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.rand_like(pt.zeros(2, 3)).shape
    (2, 3)
    """
    shape, d, dev = _like("rand_like", x, dtype, device)
    return rand(shape, dtype=d, device=dev, requires_grad=requires_grad)


def randn_like(
    x: Tensor, *, dtype: dt.DType | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    """``randn`` with the shape (and by default dtype and device) of ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.randn_like(pt.zeros(4)).shape
    (4,)
    """
    shape, d, dev = _like("randn_like", x, dtype, device)
    return randn(shape, dtype=d, device=dev, requires_grad=requires_grad)


def randint_like(
    x: Tensor,
    low: int,
    high: int | None = None,
    *,
    dtype: dt.DType | None = None,
    device: Any = None,
) -> Tensor:
    """``randint`` with the shape (and by default dtype and device) of ``x``.

    Examples
    --------
    >>> import polytensor as pt
    >>> pt.randint_like(pt.zeros(3, dtype=pt.int32), 5).dtype
    polytensor.int32
    """
    shape, d, dev = _like("randint_like", x, dtype, device)
    return randint(low, high, shape, dtype=d, device=dev)
