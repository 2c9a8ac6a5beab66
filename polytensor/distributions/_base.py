"""The base of the distributions: shapes, argument checks, ``sample`` by ``rsample``, and the
registry of KL divergences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar, cast

from .._checks import describe
from .._config import get_default_dtype
from .._ops import elementwise as E
from .._ops.creation import asarray
from .._ops.manipulation import broadcast_to
from .._shapes import broadcast_shapes
from .._tensor import Tensor
from ..autograd._mode import no_grad

__all__ = ["Distribution", "kl_divergence", "register_kl"]

_Shape = tuple[int, ...]
_KLFn = TypeVar("_KLFn", bound=Callable[..., Tensor])


def _shape(where_: str, sample_shape: Any) -> _Shape:
    try:
        shape = tuple(int(n) for n in sample_shape)
    except TypeError:
        raise TypeError(
            f"{where_}() expects sample_shape to be a tuple of ints (torch.Size([...]) or "
            f"(n,)); got {describe(sample_shape)}"
        ) from None
    if any(n < 0 for n in shape):
        raise ValueError(f"{where_}(): sample_shape {shape} has a negative size")
    return shape


def _dims(t: Tensor) -> _Shape:
    """``t``'s shape, every size known."""
    shape = tuple(t.shape)
    if any(n is None for n in shape):
        raise ValueError(
            f"a distribution's parameters need known sizes; got a shape {shape} (a Dask array "
            f"of unknown chunk sizes); call compute_chunk_sizes() on it first"
        )
    return cast("_Shape", shape)


def _tensors(*values: Any) -> tuple[Tensor, ...]:
    """The parameters as tensors of one dtype and shape (PyTorch's ``broadcast_all``): Python
    numbers take the other tensors' floating dtype, or the default one."""
    like = next((v for v in values if isinstance(v, Tensor)), None)
    out = []
    for v in values:
        if isinstance(v, Tensor):
            out.append(v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(
                asarray(float(v), dtype=like.dtype, device=like.device)
                if like is not None and like.dtype.kind == "real floating"
                else asarray(float(v), dtype=get_default_dtype())
            )
        else:
            raise TypeError(
                f"a distribution's parameters are tensors or Python numbers; got {describe(v)}"
            )
    for t in out:
        if t.dtype.kind != "real floating":
            raise TypeError(
                f"a distribution's parameters must have a real floating dtype; got "
                f"{t.dtype.name}; cast with .float() or .double()"
            )
    if len(out) < 2:
        return tuple(out)
    # each broadcast on its own, so a parameter requires grad only where its input does
    shape = broadcast_shapes(*(tuple(t.shape) for t in out))
    return tuple(t if tuple(t.shape) == shape else broadcast_to(t, shape) for t in out)


def _expanded(v: Any, old: _Shape, shape: _Shape) -> Any:
    """A parameter (tensor or distribution) of batch shape ``old`` broadcast to ``shape``;
    anything else, or a tensor not of that batch shape (kept unbroadcast), as it is."""
    if isinstance(v, Tensor):
        dims = tuple(v.shape)
        if dims[: len(old)] == old:
            return broadcast_to(v, shape + dims[len(old) :])
        return v
    if isinstance(v, Distribution) and v.batch_shape[: len(old)] == old:
        return v.expand(shape + v.batch_shape[len(old) :])
    return v


class Distribution:
    """The base of the distributions: shapes, the checks, ``sample`` by ``rsample``.

    ``batch_shape``: the shape of the independent distributions held; ``event_shape``: the
    shape of one draw of one of them (``()`` for the scalar distributions here).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Normal
    >>> m = Normal(pt.zeros(3), 1.0)
    >>> m.batch_shape, m.event_shape, tuple(m.sample((2,)).shape)
    ((3,), (), (2, 3))
    """

    has_rsample: ClassVar[bool] = False
    has_enumerate_support: ClassVar[bool] = False
    _validate_default: ClassVar[bool] = True
    #: the constraint each parameter satisfies, by name (PyTorch's ``arg_constraints``)
    arg_constraints: ClassVar[dict[str, Any]] = {}
    #: the set of the values (a ``constraints`` object; a property where it depends on the
    #: parameters)
    support: Any = None
    #: the tensors ``expand`` leaves unbroadcast (factors shared by the whole batch)
    _kept_by_expand: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        batch_shape: _Shape = (),
        event_shape: _Shape = (),
        validate_args: bool | None = None,
    ) -> None:
        self._batch_shape = tuple(batch_shape)
        self._event_shape = tuple(event_shape)
        self._validate_args = (
            Distribution._validate_default if validate_args is None else bool(validate_args)
        )

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Whether distributions check their arguments unless told (True, as PyTorch's).

        Examples
        --------
        >>> from polytensor.distributions import Distribution
        >>> Distribution.set_default_validate_args(True)
        """
        if not isinstance(value, bool):
            raise TypeError(f"set_default_validate_args() expects a bool; got {describe(value)}")
        Distribution._validate_default = value

    @property
    def batch_shape(self) -> _Shape:
        """The shape of the independent distributions held."""
        return self._batch_shape

    @property
    def event_shape(self) -> _Shape:
        """The shape of one draw of one distribution."""
        return self._event_shape

    def _extended_shape(self, sample_shape: _Shape = ()) -> _Shape:
        return tuple(sample_shape) + self._batch_shape + self._event_shape

    def _check(self, name: str, ok: Tensor, what: str) -> None:
        """Raise a ValueError when ``ok`` (a boolean tensor) is not all true."""
        if self._validate_args and not bool(ok.all()):
            raise ValueError(
                f"{type(self).__name__}: {name} has values that are not {what}; give valid "
                f"values, or pass validate_args=False to skip this check"
            )

    def _check_value(self, value: Any) -> Tensor:
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{type(self).__name__}.log_prob() expects a tensor; got {describe(value)}"
            )
        return value

    def _validate_sample(self, value: Any) -> Tensor:
        """``value`` checked against the support (when ``validate_args``): a tensor whose
        rightmost dimensions are the event shape, broadcastable against the batch shape."""
        checked = self._check_value(value)
        if not self._validate_args:
            return checked
        value = checked
        event_dim = len(self._event_shape)
        shape = tuple(value.shape)
        if len(shape) < event_dim or shape[len(shape) - event_dim :] != self._event_shape:
            raise ValueError(
                f"{type(self).__name__}: the value's rightmost dimensions must be the event "
                f"shape {self._event_shape}; got a value of shape {shape}"
            )
        try:
            broadcast_shapes(shape, self._extended_shape())
        except ValueError:
            raise ValueError(
                f"{type(self).__name__}: a value of shape {shape} does not broadcast against "
                f"the batch and event shape {self._extended_shape()}"
            ) from None
        support = self.support
        if support is not None:
            self._check("value", support.check(checked), f"{support._phrase()} (the support)")
        return checked

    def _validate_params(self, **params: Any) -> None:
        """Each parameter checked against its ``arg_constraints`` entry (when
        ``validate_args``)."""
        for name, value in params.items():
            c = self.arg_constraints.get(name)
            if c is not None and isinstance(value, Tensor):
                self._check(name, c.check(value), c._phrase())

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """This distribution with its parameters broadcast to the batch shape
        ``batch_shape`` (no copy of the data), as PyTorch's.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Normal
        >>> m = Normal(pt.zeros(3), 1.0).expand((2, 3))
        >>> m.batch_shape, tuple(m.sample().shape)
        ((2, 3), (2, 3))
        """
        shape = self._expand_shape(batch_shape)
        old = self._batch_shape
        new = type(self).__new__(type(self))
        for key, v in self.__dict__.items():
            new.__dict__[key] = v if key in self._kept_by_expand else _expanded(v, old, shape)
        new._batch_shape = shape
        return new

    def _expand_shape(self, batch_shape: Any) -> _Shape:
        """``batch_shape`` checked to be one the batch shape expands to."""
        shape = _shape("expand", batch_shape)
        old = self._batch_shape
        try:
            broadcast_shapes(old, shape)
            ok = len(shape) >= len(old) and all(
                a in (1, b) for a, b in zip(old, shape[len(shape) - len(old) :], strict=True)
            )
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"{type(self).__name__}.expand(): the batch shape {old} cannot be expanded to "
                f"{shape}; give a shape that ends in it (sizes of 1 may grow)"
            )
        return shape

    def _validate_first(self, validate_args: bool | None, **params: Any) -> None:
        """The parameters checked against ``arg_constraints`` before anything is computed
        from them (for a family built on another one)."""
        self._validate_args = (
            Distribution._validate_default if validate_args is None else bool(validate_args)
        )
        self._validate_params(**params)

    @property
    def mode(self) -> Tensor:
        """The most probable value."""
        raise NotImplementedError(f"{type(self).__name__} has no mode")

    def cdf(self, value: Tensor) -> Tensor:
        """``P(X <= value)``."""
        raise NotImplementedError(f"{type(self).__name__} has no cdf()")

    def icdf(self, value: Tensor) -> Tensor:
        """The quantile function, the inverse of ``cdf``."""
        raise NotImplementedError(f"{type(self).__name__} has no icdf()")

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + event_shape``, not differentiable.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Normal
        >>> tuple(Normal(0.0, 1.0).sample((4,)).shape)
        (4,)
        """
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised draw, differentiable in the parameters (continuous ones only).

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Normal
        >>> loc = pt.zeros(2, requires_grad=True)
        >>> Normal(loc, 1.0).rsample().sum().backward(); loc.grad
        tensor([1., 1.], backend='numpy')
        """
        raise NotImplementedError(
            f"{type(self).__name__} has no rsample() (it is discrete, or PyTorch has none); "
            f"use sample(), and log_prob() for a score-function gradient"
        )

    def log_prob(self, value: Tensor) -> Tensor:
        """The log of the density (or mass) at ``value``."""
        raise NotImplementedError(f"{type(self).__name__} has no log_prob()")

    def entropy(self) -> Tensor:
        """The entropy of each distribution, of shape ``batch_shape``."""
        raise NotImplementedError(f"{type(self).__name__} has no entropy()")

    @property
    def stddev(self) -> Tensor:
        """The standard deviation: the square root of ``variance``."""
        return E.sqrt(self.variance)

    @property
    def mean(self) -> Tensor:
        """The mean."""
        raise NotImplementedError(f"{type(self).__name__} has no mean")

    @property
    def variance(self) -> Tensor:
        """The variance."""
        raise NotImplementedError(f"{type(self).__name__} has no variance")

    def perplexity(self) -> Tensor:
        """``exp(entropy())``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions import Categorical
        >>> float(Categorical(probs=pt.ones(4)).perplexity())
        4.0
        """
        return E.exp(self.entropy())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(batch_shape={self._batch_shape})"


# -- KL divergences -----------------------------------------------------------------------------

_KL: dict[tuple[type, type], Callable[[Any, Any], Tensor]] = {}


def register_kl(type_p: type, type_q: type) -> Callable[[_KLFn], _KLFn]:
    """A decorator registering ``fn(p, q)`` as ``kl_divergence`` of a ``type_p`` and a
    ``type_q``, as PyTorch's.

    Examples
    --------
    >>> from polytensor.distributions import Normal, register_kl
    >>> register_kl(Normal, Normal)  # doctest: +ELLIPSIS
    <function register_kl.<locals>.add at ...>
    """

    def add(fn: _KLFn) -> _KLFn:
        _KL[(type_p, type_q)] = fn
        return fn

    return add


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """``KL(p || q)``, of shape the batch shape, for a pair of types with a registered
    formula: two of one family, for the families where PyTorch has a closed form (every one
    here but ``StudentT`` and ``Multinomial``; two ``Independent`` of one number of
    reinterpreted dimensions: the base distributions' divergence, summed).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Normal, kl_divergence
    >>> kl_divergence(Normal(0.0, 1.0), Normal(1.0, 1.0))
    tensor(0.5, backend='numpy')
    """
    for kp in type(p).__mro__:
        for kq in type(q).__mro__:
            fn = _KL.get((kp, kq))
            if fn is not None:
                return fn(p, q)
    raise NotImplementedError(
        f"kl_divergence() has no formula for {type(p).__name__} and {type(q).__name__}; "
        f"register one with @register_kl({type(p).__name__}, {type(q).__name__})"
    )
