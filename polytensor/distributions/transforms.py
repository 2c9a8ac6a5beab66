"""Invertible maps of tensors with the log of their Jacobian's determinant
(``pt.distributions.transforms``), as PyTorch's ``torch.distributions.transforms``: the pieces
of a ``TransformedDistribution`` (a squashed Gaussian policy, a normalising flow).

Transforms: ``ExpTransform``, ``AffineTransform(loc, scale, event_dim=0)``,
``SigmoidTransform``, ``TanhTransform``, ``SoftmaxTransform``, ``PowerTransform(exponent)``,
``AbsTransform``, ``SoftplusTransform``, ``StickBreakingTransform``, ``LowerCholeskyTransform``,
``PositiveDefiniteTransform``, ``CorrCholeskyTransform``, ``ReshapeTransform``,
``IndependentTransform``, ``CumulativeDistributionTransform``, ``CatTransform(tseq, dim,
lengths)``, ``StackTransform(tseq, dim)``, ``ComposeTransform(parts)`` and
``identity_transform``; each has ``t(x)``,
``t.inv(y)`` (``t.inv`` is the inverse as a transform of its own),
``t.log_abs_det_jacobian(x, y)``, ``sign``, ``domain``/``codomain`` (constraints) and
``event_dim``. With ``cache_size=1`` a transform remembers its last pair ``(x, y)``, so that
``t.inv(t(x))`` gives back ``x`` itself (no ``atanh`` of a ``tanh`` rounded to 1).

Examples
--------
>>> import polytensor as pt
>>> from polytensor.distributions.transforms import AffineTransform, ExpTransform
>>> t = ExpTransform()
>>> x = pt.asarray([0.0, 1.0])
>>> y = t(x)
>>> y
tensor([1.      , 2.718282], backend='numpy')
>>> t.log_abs_det_jacobian(x, y)
tensor([0., 1.], backend='numpy')
>>> t.inv(y)  # (exp rounds to float32, log of it too)
tensor([0.       , 1.0000001], backend='numpy')
>>> AffineTransform(1.0, 2.0)(x)
tensor([1., 3.], backend='numpy')
"""

from __future__ import annotations

import math
from typing import Any, cast

from .._checks import describe
from .._extras import clamp, sigmoid
from .._ops import elementwise as E
from .._ops.creation import full
from .._ops.data_types import finfo
from .._ops.manipulation import broadcast_to
from .._ops.special import softplus
from .._pytorch import amax
from .._tensor import Tensor
from . import constraints
from ._base import _tensors
from ._transform_base import (
    ComposeTransform,
    Transform,
    _same,
    _sum_rightmost,
    identity_transform,
)
from ._transform_matrix import (
    CatTransform,
    CorrCholeskyTransform,
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    StackTransform,
)

__all__ = [
    "AbsTransform",
    "AffineTransform",
    "CatTransform",
    "ComposeTransform",
    "CorrCholeskyTransform",
    "CumulativeDistributionTransform",
    "ExpTransform",
    "IndependentTransform",
    "LowerCholeskyTransform",
    "PositiveDefiniteTransform",
    "PowerTransform",
    "ReshapeTransform",
    "SigmoidTransform",
    "SoftmaxTransform",
    "SoftplusTransform",
    "StackTransform",
    "StickBreakingTransform",
    "TanhTransform",
    "Transform",
    "identity_transform",
]


class ExpTransform(Transform):
    """``y = exp(x)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import ExpTransform
    >>> ExpTransform().inv(pt.asarray([1.0, 4.0]))
    tensor([0.       , 1.3862944], backend='numpy')
    """

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExpTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return E.exp(x)

    def _inverse(self, y: Tensor) -> Tensor:
        return E.log(y)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return x


class PowerTransform(Transform):
    """``y = x ** exponent`` on the positive numbers.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import PowerTransform
    >>> t = PowerTransform(2.0)
    >>> x = pt.asarray([3.0])
    >>> t(x), t.log_abs_det_jacobian(x, t(x)).exp()
    (tensor([9.], backend='numpy'), tensor([6.], backend='numpy'))
    """

    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        (self.exponent,) = _tensors(exponent)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return PowerTransform(self.exponent, cache_size=cache_size)

    @property
    def sign(self) -> Any:
        return E.sign(self.exponent)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PowerTransform) and _same(self.exponent, other.exponent)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return x**self.exponent

    def _inverse(self, y: Tensor) -> Tensor:
        return y ** (1 / self.exponent)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return E.log(E.abs(self.exponent * y / x))

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return _broadcast(shape, _shape_of(self.exponent))

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return _broadcast(shape, _shape_of(self.exponent))

    def __repr__(self) -> str:
        return f"PowerTransform(exponent={self.exponent!r})"


def _broadcast(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    from .._shapes import broadcast_shapes

    return tuple(int(cast("int", n)) for n in broadcast_shapes(*shapes))


def _clipped_sigmoid(x: Tensor) -> Tensor:
    fi = finfo(x.dtype)
    return clamp(sigmoid(x), min=fi.smallest_normal, max=1.0 - fi.eps)


class SigmoidTransform(Transform):
    """``y = sigmoid(x)``, kept inside ``(0, 1)`` (between the dtype's smallest normal
    number and ``1 - eps``, as PyTorch's).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import SigmoidTransform
    >>> t = SigmoidTransform()
    >>> x = pt.asarray([0.0])
    >>> t(x), t.inv(pt.asarray([0.5])), t.log_abs_det_jacobian(x, t(x)).exp()
    (tensor([0.5], backend='numpy'), tensor([0.], backend='numpy'), tensor([0.25], backend='numpy'))
    """

    domain = constraints.real
    codomain = constraints.unit_interval
    bijective = True
    sign = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SigmoidTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return _clipped_sigmoid(x)

    def _inverse(self, y: Tensor) -> Tensor:
        fi = finfo(y.dtype)
        y = clamp(y, min=fi.smallest_normal, max=1.0 - fi.eps)
        return E.log(y) - E.log1p(-y)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return -softplus(-x) - softplus(x)


class TanhTransform(Transform):
    """``y = tanh(x)``; ``log_abs_det_jacobian`` is ``2 (log 2 - x - softplus(-2x))``, stable
    where ``tanh`` rounds to 1. The squashed Gaussian of SAC is
    ``TransformedDistribution(Normal(mu, std), [TanhTransform(cache_size=1)])``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import TanhTransform
    >>> t = TanhTransform()
    >>> x = pt.asarray([0.0, 1.0])
    >>> t.log_abs_det_jacobian(x, t(x))
    tensor([ 0.        , -0.86756164], backend='numpy')
    """

    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)
    bijective = True
    sign = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TanhTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return E.tanh(x)

    def _inverse(self, y: Tensor) -> Tensor:
        # Note: not clamped, as PyTorch's: the inverse of +-1 is +-inf; cache_size=1 avoids it
        return E.atanh(y)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return 2.0 * (math.log(2.0) - x - softplus(-2.0 * x))


class AbsTransform(Transform):
    """``y = |x|``; its inverse gives back ``y`` (the non-negative root). Not bijective: no
    ``log_abs_det_jacobian``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import AbsTransform
    >>> AbsTransform()(pt.asarray([-2.0, 3.0]))
    tensor([2., 3.], backend='numpy')
    """

    domain = constraints.real
    codomain = constraints.positive

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AbsTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return E.abs(x)

    def _inverse(self, y: Tensor) -> Tensor:
        return y


class AffineTransform(Transform):
    """``y = loc + scale x`` (numbers or tensors); ``event_dim`` rightmost dimensions make
    one event, over which ``log_abs_det_jacobian`` sums ``log |scale|``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import AffineTransform
    >>> t = AffineTransform(pt.asarray([1.0, 2.0]), 3.0, event_dim=1)
    >>> x = pt.zeros(2)
    >>> t(x), t.log_abs_det_jacobian(x, t(x))
    (tensor([1., 2.], backend='numpy'), tensor(2.1972246, backend='numpy'))
    """

    bijective = True

    def __init__(self, loc: Any, scale: Any, event_dim: int = 0, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        for name, v in (("loc", loc), ("scale", scale)):
            if not isinstance(v, (Tensor, int, float)) or isinstance(v, bool):
                raise TypeError(
                    f"AffineTransform() expects {name} to be a tensor or a number; got "
                    f"{describe(v)}"
                )
        if not isinstance(event_dim, int) or isinstance(event_dim, bool) or event_dim < 0:
            raise ValueError(
                f"AffineTransform() expects event_dim to be an int >= 0; got {event_dim!r}"
            )
        self.loc = loc
        self.scale = scale
        self._event_dim = event_dim

    @property
    def event_dim(self) -> int:
        return self._event_dim

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        if self._event_dim == 0:
            return constraints.real
        return constraints.independent(constraints.real, self._event_dim)

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        return self.domain

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return AffineTransform(self.loc, self.scale, self._event_dim, cache_size=cache_size)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, AffineTransform)
            and _same(self.loc, other.loc)
            and _same(self.scale, other.scale)
        )

    __hash__ = object.__hash__

    @property
    def sign(self) -> Any:
        if isinstance(self.scale, Tensor):
            return E.sign(self.scale)
        return 1 if self.scale > 0 else -1 if self.scale < 0 else 0

    def _call(self, x: Tensor) -> Tensor:
        return cast("Tensor", self.loc + self.scale * x)

    def _inverse(self, y: Tensor) -> Tensor:
        return cast("Tensor", (y - self.loc) / self.scale)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        shape = tuple(x.shape)
        if isinstance(self.scale, Tensor):
            result = E.log(E.abs(self.scale))
        else:
            result = full(shape, math.log(abs(self.scale)), dtype=x.dtype, device=x.device)
        if self._event_dim:
            n = self._event_dim
            result = result.reshape(tuple(result.shape[: result.ndim - n]) + (-1,)).sum(-1)
            shape = shape[: len(shape) - n]
        return broadcast_to(result, shape)

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return _broadcast(shape, _shape_of(self.loc), _shape_of(self.scale))

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return _broadcast(shape, _shape_of(self.loc), _shape_of(self.scale))

    def __repr__(self) -> str:
        return (
            f"AffineTransform(loc={self.loc!r}, scale={self.scale!r}, event_dim={self._event_dim})"
        )


def _shape_of(v: Any) -> tuple[int, ...]:
    return tuple(cast("int", n) for n in v.shape) if isinstance(v, Tensor) else ()


class SoftmaxTransform(Transform):
    """``y = softmax(x)`` over the last dimension, onto the simplex; its inverse is ``log``
    (one of the many preimages). Not bijective: no ``log_abs_det_jacobian``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import SoftmaxTransform
    >>> SoftmaxTransform()(pt.asarray([0.0, 0.0]))
    tensor([0.5, 0.5], backend='numpy')
    """

    domain = constraints.real_vector
    codomain = constraints.simplex

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SoftmaxTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        probs = E.exp(x - amax(x, -1, keepdim=True))
        return probs / probs.sum(-1, keepdim=True)

    def _inverse(self, y: Tensor) -> Tensor:
        return E.log(y)


class SoftplusTransform(Transform):
    """``y = log(1 + exp(x))``, onto the positive numbers.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import SoftplusTransform
    >>> t = SoftplusTransform()
    >>> x = pt.asarray([0.0], dtype=pt.float64)
    >>> t(x)
    tensor([0.69314718], dtype=polytensor.float64, backend='numpy')
    >>> t.log_abs_det_jacobian(x, t(x)).exp()
    tensor([0.5], dtype=polytensor.float64, backend='numpy')
    """

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SoftplusTransform)

    __hash__ = object.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return softplus(x)

    def _inverse(self, y: Tensor) -> Tensor:
        return E.log(-E.expm1(-y)) + y

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return -softplus(-x)


class IndependentTransform(Transform):
    """``base_transform`` over events of ``reinterpreted_batch_ndims`` more rightmost
    dimensions: its log-Jacobian is summed over them.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import ExpTransform, IndependentTransform
    >>> t = IndependentTransform(ExpTransform(), 1)
    >>> x = pt.asarray([[0.0, 1.0], [2.0, 3.0]])
    >>> t.log_abs_det_jacobian(x, t(x))
    tensor([1., 5.], backend='numpy')
    """

    def __init__(
        self, base_transform: Transform, reinterpreted_batch_ndims: int, cache_size: int = 0
    ) -> None:
        if not isinstance(base_transform, Transform):
            raise TypeError(
                f"IndependentTransform() expects a transform as base_transform; got "
                f"{describe(base_transform)}"
            )
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return IndependentTransform(
            self.base_transform, self.reinterpreted_batch_ndims, cache_size=cache_size
        )

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self) -> bool:  # type: ignore[override]
        return self.base_transform.bijective

    @property
    def sign(self) -> Any:
        return self.base_transform.sign

    def _call(self, x: Tensor) -> Tensor:
        if x.ndim < self.domain.event_dim:
            raise ValueError(
                f"IndependentTransform expects an input of at least {self.domain.event_dim} "
                f"dimensions; got a shape {tuple(x.shape)}"
            )
        return self.base_transform(x)

    def _inverse(self, y: Tensor) -> Tensor:
        if y.ndim < self.codomain.event_dim:
            raise ValueError(
                f"IndependentTransform.inv expects an input of at least "
                f"{self.codomain.event_dim} dimensions; got a shape {tuple(y.shape)}"
            )
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        result = self.base_transform.log_abs_det_jacobian(x, y)
        return _sum_rightmost(result, self.reinterpreted_batch_ndims)  # type: ignore[no-any-return]

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return self.base_transform.inverse_shape(shape)

    def __repr__(self) -> str:
        return f"IndependentTransform({self.base_transform!r}, {self.reinterpreted_batch_ndims})"


class StickBreakingTransform(Transform):
    """The stick-breaking map of ``R^(K-1)`` onto the ``K``-simplex (bijective, unlike
    ``SoftmaxTransform``), as PyTorch's.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import StickBreakingTransform
    >>> y = StickBreakingTransform()(pt.zeros(2))
    >>> [round(v, 4) for v in y.tolist()]
    [0.3333, 0.3333, 0.3333]
    """

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StickBreakingTransform)

    __hash__ = object.__hash__

    @staticmethod
    def _offset(x: Tensor, n: int, k: int) -> Tensor:
        from .._ops.creation import arange

        return n - arange(k, dtype=x.dtype, device=x.device)

    def _call(self, x: Tensor) -> Tensor:
        from .._ops.manipulation import concat
        from .._pytorch import cumprod

        k = int(cast("int", x.shape[-1]))
        z = _clipped_sigmoid(x - E.log(self._offset(x, k, k)))
        z_cumprod = cumprod(1 - z, -1)
        one = full(tuple(cast("int", n) for n in x.shape[:-1]) + (1,), 1.0, dtype=x.dtype)
        return concat([z, one], axis=-1) * concat([one, z_cumprod], axis=-1)

    def _inverse(self, y: Tensor) -> Tensor:
        from .._pytorch import cumsum

        y_crop = y[..., :-1]
        k = int(cast("int", y.shape[-1]))
        offset = self._offset(y, k - 1, k - 1)
        sf = clamp(1 - cumsum(y_crop, -1), min=finfo(y.dtype).smallest_normal)
        return E.log(y_crop) - E.log(sf) + E.log(offset)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        k = int(cast("int", x.shape[-1]))
        x = x - E.log(self._offset(x, k, k))
        return (-x - softplus(-x) + E.log(y[..., :-1])).sum(-1)

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(shape[:-1]) + (shape[-1] - 1,)


class ReshapeTransform(Transform):
    """The events of shape ``in_shape`` reshaped to ``out_shape`` (of as many elements); the
    log-Jacobian is 0.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions.transforms import ReshapeTransform
    >>> tuple(ReshapeTransform((4,), (2, 2))(pt.zeros((3, 4))).shape)
    (3, 2, 2)
    """

    bijective = True

    def __init__(self, in_shape: Any, out_shape: Any, cache_size: int = 0) -> None:
        self.in_shape = tuple(int(n) for n in in_shape)
        self.out_shape = tuple(int(n) for n in out_shape)
        if math.prod(self.in_shape) != math.prod(self.out_shape):
            raise ValueError(
                f"ReshapeTransform() expects in_shape and out_shape of as many elements; got "
                f"{self.in_shape} and {self.out_shape}"
            )
        super().__init__(cache_size=cache_size)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return ReshapeTransform(self.in_shape, self.out_shape, cache_size=cache_size)

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.independent(constraints.real, len(self.in_shape))

    @property
    def codomain(self) -> constraints.Constraint:  # type: ignore[override]
        return constraints.independent(constraints.real, len(self.out_shape))

    def _call(self, x: Tensor) -> Tensor:
        batch = tuple(x.shape[: x.ndim - len(self.in_shape)])
        return x.reshape(batch + self.out_shape)

    def _inverse(self, y: Tensor) -> Tensor:
        batch = tuple(y.shape[: y.ndim - len(self.out_shape)])
        return y.reshape(batch + self.in_shape)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        from .._ops.creation import zeros

        batch = tuple(cast("int", n) for n in x.shape[: x.ndim - len(self.in_shape)])
        return zeros(batch, dtype=x.dtype, device=x.device)

    def _check_shape(self, where_: str, shape: tuple[int, ...], event: tuple[int, ...]) -> int:
        cut = len(shape) - len(event)
        if cut < 0 or tuple(shape[cut:]) != event:
            raise ValueError(
                f"ReshapeTransform.{where_}() expects a shape ending in {event}; got {shape}"
            )
        return cut

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        cut = self._check_shape("forward_shape", tuple(shape), self.in_shape)
        return tuple(shape[:cut]) + self.out_shape

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        cut = self._check_shape("inverse_shape", tuple(shape), self.out_shape)
        return tuple(shape[:cut]) + self.in_shape

    def __repr__(self) -> str:
        return f"ReshapeTransform({self.in_shape}, {self.out_shape})"


class CumulativeDistributionTransform(Transform):
    """A distribution's distribution function as a transform onto ``[0, 1]``: its inverse is
    the quantile function, its log-Jacobian the log-density.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import Normal
    >>> from polytensor.distributions.transforms import CumulativeDistributionTransform
    >>> CumulativeDistributionTransform(Normal(0.0, 1.0))(pt.asarray([0.0]))
    tensor([0.5], backend='numpy')
    """

    bijective = True
    codomain = constraints.unit_interval
    sign = 1

    def __init__(self, distribution: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self) -> constraints.Constraint:  # type: ignore[override]
        return self.distribution.support  # type: ignore[no-any-return]

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)

    def _call(self, x: Tensor) -> Tensor:
        return self.distribution.cdf(x)  # type: ignore[no-any-return]

    def _inverse(self, y: Tensor) -> Tensor:
        return self.distribution.icdf(y)  # type: ignore[no-any-return]

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return self.distribution.log_prob(x)  # type: ignore[no-any-return]
