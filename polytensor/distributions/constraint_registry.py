"""The transforms from unconstrained numbers onto a constraint's set
(``pt.distributions.constraint_registry``), as PyTorch's: ``biject_to(constraint)`` is a
bijective transform (for optimising a constrained parameter, or an HMC sampler), and
``transform_to(constraint)`` one that need not be (``SoftmaxTransform`` onto the simplex).

Examples
--------
>>> import polytensor as pt
>>> from polytensor.distributions import biject_to, constraints, transform_to
>>> t = transform_to(constraints.positive)
>>> t(pt.asarray([0.0]))
tensor([1.], backend='numpy')
>>> biject_to(constraints.simplex)
StickBreakingTransform()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._checks import describe
from . import constraints as C
from . import transforms as T

__all__ = ["ConstraintRegistry", "biject_to", "transform_to"]

_Factory = Callable[[Any], T.Transform]


class ConstraintRegistry:
    """A table from constraint types to factories of transforms: ``registry(constraint)`` is
    the factory of ``type(constraint)`` applied to it.

    Examples
    --------
    >>> from polytensor.distributions import constraints
    >>> from polytensor.distributions.constraint_registry import ConstraintRegistry
    >>> from polytensor.distributions.transforms import ExpTransform
    >>> r = ConstraintRegistry()
    >>> _ = r.register(constraints.positive, lambda c: ExpTransform())
    >>> r(constraints.positive)
    ExpTransform()
    """

    def __init__(self) -> None:
        self._registry: dict[type, _Factory] = {}

    def register(self, constraint: Any, factory: _Factory | None = None) -> Any:
        """Register ``factory`` for ``constraint``'s type (a constraint or its class); with no
        factory, a decorator."""
        if factory is None:
            return lambda f: self.register(constraint, f)
        if isinstance(constraint, C.Constraint):
            constraint = type(constraint)
        if not isinstance(constraint, type) or not issubclass(constraint, C.Constraint):
            raise TypeError(
                f"register() expects a Constraint subclass or instance; got {describe(constraint)}"
            )
        self._registry[constraint] = factory
        return factory

    def __call__(self, constraint: C.Constraint) -> T.Transform:
        factory = self._registry.get(type(constraint))
        if factory is None:
            raise NotImplementedError(
                f"Cannot transform {type(constraint).__name__.lstrip('_')} constraints: no "
                f"transform is registered for them; register one with .register()"
            )
        return factory(constraint)


biject_to = ConstraintRegistry()
transform_to = ConstraintRegistry()


def _real(c: Any) -> T.Transform:
    return T.identity_transform


def _independent(registry: ConstraintRegistry) -> _Factory:
    def make(c: Any) -> T.Transform:
        return T.IndependentTransform(registry(c.base_constraint), c.reinterpreted_batch_ndims)

    return make


def _positive(c: Any) -> T.Transform:
    return T.ExpTransform()


def _greater_than(c: Any) -> T.Transform:
    return T.ComposeTransform([T.ExpTransform(), T.AffineTransform(c.lower_bound, 1)])


def _less_than(c: Any) -> T.Transform:
    return T.ComposeTransform([T.ExpTransform(), T.AffineTransform(c.upper_bound, -1)])


def _interval(c: Any) -> T.Transform:
    lo, hi = c.lower_bound, c.upper_bound
    if isinstance(lo, (int, float)) and lo == 0 and isinstance(hi, (int, float)) and hi == 1:
        return T.SigmoidTransform()
    return T.ComposeTransform([T.SigmoidTransform(), T.AffineTransform(lo, hi - lo)])


for _registry in (biject_to, transform_to):
    _registry.register(C.real, _real)
    _registry.register(C.independent(C.real, 1), _independent(_registry))
    _registry.register(C.positive, _positive)
    _registry.register(C.nonnegative, _positive)
    _registry.register(C.greater_than(0.0), _greater_than)
    _registry.register(C.greater_than_eq(0.0), _greater_than)
    _registry.register(C.less_than(0.0), _less_than)
    _registry.register(C.interval(0.0, 1.0), _interval)
    _registry.register(C.half_open_interval(0.0, 1.0), _interval)
biject_to.register(C.simplex, lambda c: T.StickBreakingTransform())
transform_to.register(C.simplex, lambda c: T.SoftmaxTransform())
transform_to.register(C.lower_cholesky, lambda c: T.LowerCholeskyTransform())
transform_to.register(C.positive_definite, lambda c: T.PositiveDefiniteTransform())
transform_to.register(C.positive_semidefinite, lambda c: T.PositiveDefiniteTransform())
for _registry in (biject_to, transform_to):
    _registry.register(C.corr_cholesky, lambda c: T.CorrCholeskyTransform())


def _cat(registry: ConstraintRegistry) -> _Factory:
    def make(c: Any) -> T.Transform:
        return T.CatTransform([registry(part) for part in c.cseq], c.dim, c.lengths)

    return make


def _stack(registry: ConstraintRegistry) -> _Factory:
    def make(c: Any) -> T.Transform:
        return T.StackTransform([registry(part) for part in c.cseq], c.dim)

    return make


for _registry in (biject_to, transform_to):
    _registry.register(C.cat([C.real]), _cat(_registry))
    _registry.register(C.stack([C.real]), _stack(_registry))
