"""The base of the transforms: ``Transform`` (forward map, inverse, log-Jacobian, the cache
of the last pair), the inverse of a transform as a transform, and ``ComposeTransform``."""

from __future__ import annotations

from functools import reduce
from typing import Any, cast

from .._checks import describe
from .._ops.creation import zeros_like
from .._tensor import Tensor
from . import constraints

__all__ = ["ComposeTransform", "Transform", "identity_transform"]


def _sum_rightmost(x: Any, n: int) -> Any:
    """``x`` summed over its ``n`` rightmost dimensions (a number is left as it is)."""
    if n <= 0 or not isinstance(x, Tensor):
        return x
    return x.sum(tuple(range(-n, 0)))


def _same(a: Any, b: Any) -> bool:
    """Whether two parameters (numbers or tensors) are equal everywhere."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
            return False
        if tuple(a.shape) != tuple(b.shape):
            return False
        return bool((a == b).all())
    return bool(a == b)


class Transform:
    """The base of the transforms: ``y = t(x)``, ``x = t.inv(y)``,
    ``t.log_abs_det_jacobian(x, y)`` (``log |dy/dx|``, summed over the event of ``event_dim``
    dimensions), ``sign`` (+1 or -1 for a monotone transform of scalars), ``domain`` and
    ``codomain`` (constraints), and ``bijective``. ``cache_size=1`` remembers the last pair
    ``(x, y)``: the inverse of that ``y`` (the same tensor) is that ``x``, not recomputed.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import TanhTransform
    >>> t = TanhTransform(cache_size=1)
    >>> x = pt.asarray([20.0])
    >>> t.inv(t(x)) is x  # (tanh(20) rounds to 1, whose atanh is inf)
    True
    """

    bijective = False
    domain: constraints.Constraint = constraints.real
    codomain: constraints.Constraint = constraints.real

    def __init__(self, cache_size: int = 0) -> None:
        if cache_size not in (0, 1) or isinstance(cache_size, bool):
            raise ValueError(
                f"{type(self).__name__}() expects cache_size 0 or 1; got {cache_size!r}"
            )
        self._cache_size = cache_size
        self._cached_x_y: tuple[Any, Any] = (None, None)
        self._inv: Transform | None = None

    @property
    def event_dim(self) -> int:
        """The number of rightmost dimensions of one event (``domain.event_dim``, as
        PyTorch's)."""
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise ValueError(
            f"{type(self).__name__}.event_dim is ambiguous: its domain and codomain have "
            f"different event dimensions; read domain.event_dim or codomain.event_dim"
        )

    @property
    def inv(self) -> Transform:
        """The inverse as a transform: ``t.inv(y)`` is ``x``, ``t.inv.inv`` is ``t``.

        Examples
        --------
        >>> import polytensor as pt
        >>> from polytensor.distributions.transforms import ExpTransform
        >>> ExpTransform().inv(pt.asarray([1.0]))
        tensor([0.], backend='numpy')
        """
        if self._inv is None:
            self._inv = _InverseTransform(self)
        return self._inv

    @property
    def sign(self) -> Any:
        """+1 or -1: whether the transform (of scalars) increases or decreases."""
        raise NotImplementedError(f"{type(self).__name__} has no sign (it is not monotone)")

    def with_cache(self, cache_size: int = 1) -> Transform:
        """This transform with another ``cache_size``.

        Examples
        --------
        >>> from polytensor.distributions.transforms import ExpTransform
        >>> ExpTransform().with_cache(1)._cache_size
        1
        """
        if self._cache_size == cache_size:
            return self
        if type(self).__init__ is Transform.__init__:
            return type(self)(cache_size=cache_size)
        raise NotImplementedError(f"{type(self).__name__}.with_cache() is not implemented")

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __call__(self, x: Tensor) -> Tensor:
        """``y = t(x)`` (the remembered ``y`` when ``x`` is the remembered ``x``)."""
        if self._cache_size == 0:
            return self._call(x)
        x_old, y_old = self._cached_x_y
        if x is x_old:
            return y_old  # type: ignore[no-any-return]
        y = self._call(x)
        self._cached_x_y = (x, y)
        return y

    def _inv_call(self, y: Tensor) -> Tensor:
        if self._cache_size == 0:
            return self._inverse(y)
        x_old, y_old = self._cached_x_y
        if y is y_old:
            return x_old  # type: ignore[no-any-return]
        x = self._inverse(y)
        self._cached_x_y = (x, y)
        return x

    def _call(self, x: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no forward map")

    def _inverse(self, y: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no inverse")

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        """``log |det dy/dx|`` for the pair ``x``, ``y = t(x)``."""
        raise NotImplementedError(
            f"{type(self).__name__} has no log_abs_det_jacobian() (it is not bijective)"
        )

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of ``t(x)`` for ``x`` of shape ``shape``."""
        return tuple(shape)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of ``t.inv(y)`` for ``y`` of shape ``shape``."""
        return tuple(shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class _InverseTransform(Transform):
    """The inverse of a transform, as a transform: its forward map is the other's inverse."""

    def __init__(self, transform: Transform) -> None:
        super().__init__(cache_size=transform._cache_size)
        self._inv = transform

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return self._forward.codomain

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        return self._forward.domain

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return self._forward.bijective

    @property
    def _forward(self) -> Transform:
        assert self._inv is not None
        return self._inv

    @property
    def inv(self) -> Transform:
        return self._forward

    @property
    def sign(self) -> Any:
        return self._forward.sign

    def with_cache(self, cache_size: int = 1) -> Transform:
        return self._forward.with_cache(cache_size).inv

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _InverseTransform) and self._forward == other._forward

    __hash__ = object.__hash__

    def __call__(self, x: Tensor) -> Tensor:
        return self._forward._inv_call(x)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return -self._forward.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return self._forward.inverse_shape(shape)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return self._forward.forward_shape(shape)

    def __repr__(self) -> str:
        return f"_InverseTransform({self._forward!r})"


class ComposeTransform(Transform):
    """The transforms of ``parts`` applied in order (``parts[0]`` first); the log-Jacobians
    are summed over each part's event.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import AffineTransform as A, ComposeTransform
    >>> from polytensor.distributions.transforms import ExpTransform
    >>> t = ComposeTransform([ExpTransform(), A(0.0, 2.0)])
    >>> x = pt.asarray([0.0])
    >>> t(x), t.log_abs_det_jacobian(x, t(x))
    (tensor([2.], backend='numpy'), tensor([0.6931472], backend='numpy'))
    """

    def __init__(self, parts: Any, cache_size: int = 0) -> None:
        parts = list(parts)
        for p in parts:
            if not isinstance(p, Transform):
                raise TypeError(
                    f"ComposeTransform() expects transforms as parts; got {describe(p)}"
                )
        if cache_size:
            parts = [p.with_cache(cache_size) for p in parts]
        super().__init__(cache_size=cache_size)
        self.parts: list[Transform] = parts

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    __hash__ = object.__hash__

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        if not self.parts:
            return constraints.real
        domain = self.parts[0].domain
        # the event is the largest any part needs, counted back from the last one
        event_dim = self.parts[-1].codomain.event_dim
        for part in reversed(self.parts):
            event_dim += part.domain.event_dim - part.codomain.event_dim
            event_dim = max(event_dim, part.domain.event_dim)
        if event_dim > domain.event_dim:
            domain = constraints.independent(domain, event_dim - domain.event_dim)
        return domain

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        if not self.parts:
            return constraints.real
        codomain = self.parts[-1].codomain
        event_dim = self.parts[0].domain.event_dim
        for part in self.parts:
            event_dim += part.codomain.event_dim - part.domain.event_dim
            event_dim = max(event_dim, part.codomain.event_dim)
        if event_dim > codomain.event_dim:
            codomain = constraints.independent(codomain, event_dim - codomain.event_dim)
        return codomain

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return all(p.bijective for p in self.parts)

    @property
    def sign(self) -> Any:
        sign: Any = 1
        for p in self.parts:
            sign = sign * p.sign
        return sign

    @property
    def inv(self) -> Transform:
        if self._inv is None:
            self._inv = ComposeTransform([p.inv for p in reversed(self.parts)])
            self._inv._inv = self
        return self._inv

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return ComposeTransform(self.parts, cache_size=cache_size)

    def __call__(self, x: Tensor) -> Tensor:
        for part in self.parts:
            x = part(x)
        return x

    def _inv_call(self, y: Tensor) -> Tensor:
        for part in reversed(self.parts):
            y = part.inv(y)
        return y

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        if not self.parts:
            return zeros_like(x)
        xs = [x]
        for part in self.parts[:-1]:
            xs.append(part(xs[-1]))
        xs.append(y)
        terms = []
        event_dim = self.domain.event_dim
        for part, xi, yi in zip(self.parts, xs[:-1], xs[1:], strict=True):
            terms.append(
                _sum_rightmost(part.log_abs_det_jacobian(xi, yi), event_dim - part.domain.event_dim)
            )
            event_dim += part.codomain.event_dim - part.domain.event_dim
        return cast("Tensor", reduce(lambda a, b: a + b, terms))

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        for part in self.parts:
            shape = part.forward_shape(shape)
        return shape

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return shape

    def __repr__(self) -> str:
        return "ComposeTransform(\n    " + ",\n    ".join(repr(p) for p in self.parts) + "\n)"


identity_transform = ComposeTransform([])
