"""The sets a distribution's parameters and values live in (``pt.distributions.constraints``),
as PyTorch's ``torch.distributions.constraints``: each constraint's ``check(value)`` is a
boolean tensor, true where ``value`` satisfies it, of ``value``'s shape less the constraint's
``event_dim`` rightmost dimensions.

Constraints: ``real``, ``positive``, ``nonnegative``, ``unit_interval``, ``boolean``,
``nonnegative_integer``, ``positive_integer``, ``simplex``, ``real_vector``,
``one_hot``, ``square``, ``symmetric``, ``positive_semidefinite``, ``positive_definite``,
``lower_cholesky``, ``lower_triangular``, ``corr_cholesky``, and the made ones
``multinomial(upper)``, ``interval(lower, upper)``, ``half_open_interval``,
``greater_than(lower)``, ``greater_than_eq``, ``less_than(upper)``,
``integer_interval(lower, upper)``, ``independent(constraint, reinterpreted_batch_ndims)``,
``cat(cseq, dim, lengths)`` and ``stack(cseq, dim)``.

Examples
--------
>>> import polytensor as pt
>>> from polytensor.distributions import constraints
>>> constraints.positive.check(pt.asarray([1.0, 0.0, -2.0])).tolist()
[True, False, False]
>>> constraints.simplex.check(pt.asarray([[0.25, 0.75], [0.5, 0.6]])).tolist()
[True, False]
"""

from __future__ import annotations

from typing import Any, cast

from .. import _dtypes as _dt
from .._checks import describe
from .._ops import elementwise as E
from .._ops import linalg as L
from .._ops.creation import full, tril
from .._ops.data_types import finfo
from .._ops.linear_algebra import matrix_transpose
from .._tensor import Tensor

__all__ = [
    "Constraint",
    "boolean",
    "cat",
    "corr_cholesky",
    "dependent",
    "greater_than",
    "greater_than_eq",
    "half_open_interval",
    "independent",
    "integer_interval",
    "interval",
    "less_than",
    "lower_cholesky",
    "lower_triangular",
    "multinomial",
    "nonnegative",
    "nonnegative_integer",
    "one_hot",
    "positive",
    "positive_definite",
    "positive_integer",
    "positive_semidefinite",
    "real",
    "real_vector",
    "simplex",
    "square",
    "stack",
    "symmetric",
    "unit_interval",
]


def _tensor(where_: str, value: Any) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{where_}.check() expects a tensor; got {describe(value)}")
    return value


def _fractional(value: Tensor) -> bool:
    """Whether ``value``'s dtype holds fractions (whose wholeness needs checking)."""
    return value.dtype.kind in ("real floating", "complex floating")


class Constraint:
    """A set of values: ``check(value)`` says, element by element (event by event when
    ``event_dim > 0``), whether ``value`` is in it. ``is_discrete`` for sets of whole numbers.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> c = constraints.interval(0.0, 2.0)
    >>> c, c.check(pt.asarray([1.0, 3.0])).tolist()
    (Interval(lower_bound=0.0, upper_bound=2.0), [True, False])
    """

    is_discrete = False
    event_dim = 0

    def check(self, value: Tensor) -> Tensor:
        """A boolean tensor, true where ``value`` satisfies the constraint."""
        raise NotImplementedError(f"{type(self).__name__} has no check()")

    def _args(self) -> str:
        return ""

    def _phrase(self) -> str:
        """What a value in the set is, for messages: ``positive``, ``in Simplex()``."""
        return f"in {self!r}"

    def __repr__(self) -> str:
        return f"{type(self).__name__.lstrip('_')}({self._args()})"


class _Dependent(Constraint):
    """The support or parameter set that depends on other parameters; it has no check of its
    own (PyTorch's ``constraints.dependent``)."""

    def check(self, value: Tensor) -> Tensor:
        raise ValueError(
            "constraints.dependent cannot be checked: the set depends on other parameters; "
            "check against the distribution's support instead"
        )


class _Real(Constraint):
    def check(self, value: Tensor) -> Tensor:
        value = _tensor("real", value)
        return E.logical_not(E.isnan(value))


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("boolean", value)
        return (value == 0) | (value == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def check(self, value: Tensor) -> Tensor:
        return cast("Tensor", self.lower_bound < _tensor("greater_than", value))

    def _args(self) -> str:
        return f"lower_bound={self.lower_bound}"

    def _phrase(self) -> str:
        if isinstance(self.lower_bound, Tensor):
            return f"in {self!r}"
        return "positive" if self.lower_bound == 0 else f"above {self.lower_bound}"


class _GreaterThanEq(_GreaterThan):
    def _phrase(self) -> str:
        if isinstance(self.lower_bound, Tensor):
            return f"in {self!r}"
        return "non-negative" if self.lower_bound == 0 else f"at least {self.lower_bound}"

    def check(self, value: Tensor) -> Tensor:
        return cast("Tensor", self.lower_bound <= _tensor("greater_than_eq", value))


class _LessThan(Constraint):
    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Tensor) -> Tensor:
        return cast("Tensor", _tensor("less_than", value) < self.upper_bound)

    def _args(self) -> str:
        return f"upper_bound={self.upper_bound}"


class _Interval(Constraint):
    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("interval", value)
        return cast("Tensor", (self.lower_bound <= value) & (value <= self.upper_bound))

    def _args(self) -> str:
        return f"lower_bound={self.lower_bound}, upper_bound={self.upper_bound}"


class _HalfOpenInterval(_Interval):
    def check(self, value: Tensor) -> Tensor:
        value = _tensor("half_open_interval", value)
        return cast("Tensor", (self.lower_bound <= value) & (value < self.upper_bound))


class _IntegerInterval(_Interval):
    is_discrete = True

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("integer_interval", value)
        ok = (self.lower_bound <= value) & (value <= self.upper_bound)
        return cast("Tensor", ok & (value == E.floor(value)) if _fractional(value) else ok)


class _IntegerGreaterThan(_GreaterThan):
    is_discrete = True

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("integer_greater_than", value)
        ok = value >= self.lower_bound
        return cast("Tensor", ok & (value == E.floor(value)) if _fractional(value) else ok)


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("simplex", value)
        return (value >= 0).all(-1) & (E.abs(value.sum(-1) - 1) < 1e-6)


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("one_hot", value)
        return ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1)


class _Multinomial(Constraint):
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("multinomial", value)
        return cast("Tensor", (value >= 0).all(-1) & (value.sum(-1) <= self.upper_bound))


class _LowerTriangular(Constraint):
    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("lower_triangular", value)
        return (tril(value) == value).all((-2, -1))


class _LowerCholesky(Constraint):
    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("lower_cholesky", value)
        return cast(
            "Tensor", (tril(value) == value).all((-2, -1)) & (L.diagonal(value) > 0).all(-1)
        )


class _CorrCholesky(Constraint):
    """Lower Cholesky factors of correlation matrices: lower triangular, a positive diagonal,
    rows of unit length (within ``10 n eps``, as PyTorch's)."""

    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("corr_cholesky", value)
        tol = finfo(value.dtype).eps * int(cast("int", value.shape[-1])) * 10
        row_norm = E.sqrt((value.detach() ** 2).sum(-1))
        unit = (E.abs(row_norm - 1.0) <= tol).all(-1)
        return _LowerCholesky().check(value) & unit


class _Square(Constraint):
    event_dim = 2

    def check(self, value: Tensor) -> Tensor:
        value = _tensor("square", value)
        shape = tuple(cast("int", n) for n in value.shape[:-2])
        return full(shape, value.shape[-2] == value.shape[-1], dtype=_dt.bool, device=value.device)


def _symmetric(where_: str, value: Tensor) -> Tensor:
    value = _tensor(where_, value)
    if value.shape[-2] != value.shape[-1]:
        return _Square().check(value)
    t = matrix_transpose(value)
    # (PyTorch's isclose(value, value.mT, atol=1e-6): rtol 1e-5 too)
    return (E.abs(value - t) <= 1e-6 + 1e-5 * E.abs(t)).all((-2, -1))


class _Symmetric(_Square):
    def check(self, value: Tensor) -> Tensor:
        return _symmetric("symmetric", value)


class _PositiveSemidefinite(_Symmetric):
    def check(self, value: Tensor) -> Tensor:
        symmetric = _symmetric("positive_semidefinite", value)
        if value.shape[-2] != value.shape[-1]:
            return symmetric
        return cast("Tensor", symmetric & (L.eigvalsh(value) >= 0).all(-1))


class _PositiveDefinite(_Symmetric):
    def check(self, value: Tensor) -> Tensor:
        symmetric = _symmetric("positive_definite", value)
        if value.shape[-2] != value.shape[-1]:
            return symmetric
        return cast("Tensor", symmetric & (L.eigvalsh(value) > 0).all(-1))


def _dim_in_range(where_: str, dim: int, value: Tensor) -> int:
    if not -value.ndim <= dim < value.ndim:
        raise ValueError(
            f"{where_}: dim {dim} is out of range for a value of {value.ndim} dimensions; "
            f"give one in [{-value.ndim}, {value.ndim - 1}]"
        )
    return dim % value.ndim


def _constraints(where_: str, seq: Any) -> list[Constraint]:
    cseq: list[Constraint] = list(seq)
    for c in cseq:
        if not isinstance(c, Constraint):
            raise TypeError(f"{where_}() expects a sequence of constraints; got {describe(c)}")
    if not cseq:
        raise ValueError(f"{where_}() expects at least one constraint; got none")
    return cseq


class _Joined(Constraint):
    """Constraints ``cseq`` on parts of a value (``cat``'s and ``stack``'s): discrete where one
    of them is."""

    cseq: list[Constraint]

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return any(c.is_discrete for c in self.cseq)


class _Cat(_Joined):
    """The constraints of ``cseq`` on consecutive slices of ``lengths`` along ``dim`` (as
    ``cat`` joins them)."""

    def __init__(self, cseq: Any, dim: int = 0, lengths: Any = None) -> None:
        self.cseq = _constraints("cat", cseq)
        self.lengths = [1] * len(self.cseq) if lengths is None else [int(n) for n in lengths]
        if len(self.lengths) != len(self.cseq):
            raise ValueError(
                f"cat() expects as many lengths as constraints; got {len(self.lengths)} lengths "
                f"for {len(self.cseq)} constraints"
            )
        self.dim = int(dim)

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return max(c.event_dim for c in self.cseq)

    def check(self, value: Tensor) -> Tensor:
        from .._ops.manipulation import concat

        value = _tensor("cat", value)
        dim = _dim_in_range("cat().check()", self.dim, value)
        checks, start = [], 0
        for c, n in zip(self.cseq, self.lengths, strict=True):
            index = (slice(None),) * dim + (slice(start, start + n),)
            checks.append(c.check(value[index]))
            start += n
        return concat(checks, axis=self.dim)

    def _args(self) -> str:
        return f"{self.cseq}, dim={self.dim}, lengths={self.lengths}"


class _Stack(_Joined):
    """The constraints of ``cseq`` on the slices along ``dim`` (as ``stack`` joins them)."""

    def __init__(self, cseq: Any, dim: int = 0) -> None:
        self.cseq = _constraints("stack", cseq)
        self.dim = int(dim)

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        dim = max(c.event_dim for c in self.cseq)
        return dim + 1 if self.dim + dim < 0 else dim

    def check(self, value: Tensor) -> Tensor:
        from .._ops.manipulation import stack as stack_

        value = _tensor("stack", value)
        dim = _dim_in_range("stack().check()", self.dim, value)
        if value.shape[dim] != len(self.cseq):
            raise ValueError(
                f"stack().check() expects a value of size {len(self.cseq)} (one per constraint) "
                f"in dimension {self.dim}; got a shape {tuple(value.shape)}"
            )
        checks = [c.check(value[(slice(None),) * dim + (i,)]) for i, c in enumerate(self.cseq)]
        return stack_(checks, axis=self.dim)

    def _args(self) -> str:
        return f"{self.cseq}, dim={self.dim}"


class _IndependentConstraint(Constraint):
    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int) -> None:
        if not isinstance(base_constraint, Constraint):
            raise TypeError(
                f"independent() expects a constraint as base_constraint; got "
                f"{describe(base_constraint)}"
            )
        n = reinterpreted_batch_ndims
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(
                f"independent() expects reinterpreted_batch_ndims to be an int >= 0; got {n!r}"
            )
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = n

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value: Tensor) -> Tensor:
        ok = self.base_constraint.check(value)
        n = self.reinterpreted_batch_ndims
        if ok.ndim < n:
            raise ValueError(
                f"independent().check() expects a value of at least {self.event_dim} "
                f"dimensions; got a shape {tuple(value.shape)}"
            )
        return ok.all(tuple(range(-n, 0))) if n else ok

    def _args(self) -> str:
        return f"{self.base_constraint}, {self.reinterpreted_batch_ndims}"


dependent = _Dependent()
real = _Real()
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
unit_interval = _Interval(0.0, 1.0)
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
simplex = _Simplex()
one_hot = _OneHot()
real_vector = _IndependentConstraint(real, 1)
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
positive_definite = _PositiveDefinite()


def interval(lower_bound: Any, upper_bound: Any) -> Constraint:
    """The closed interval ``[lower_bound, upper_bound]`` (numbers or tensors).

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> constraints.interval(-1.0, 1.0).check(pt.asarray([-1.0, 2.0])).tolist()
    [True, False]
    """
    return _Interval(lower_bound, upper_bound)


def half_open_interval(lower_bound: Any, upper_bound: Any) -> Constraint:
    """The interval ``[lower_bound, upper_bound)``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> constraints.half_open_interval(0.0, 1.0).check(pt.asarray([0.0, 1.0])).tolist()
    [True, False]
    """
    return _HalfOpenInterval(lower_bound, upper_bound)


def greater_than(lower_bound: Any) -> Constraint:
    """The numbers above ``lower_bound``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> constraints.greater_than(1.0).check(pt.asarray([1.0, 1.5])).tolist()
    [False, True]
    """
    return _GreaterThan(lower_bound)


def greater_than_eq(lower_bound: Any) -> Constraint:
    """The numbers from ``lower_bound`` on.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> constraints.greater_than_eq(1.0).check(pt.asarray([1.0, 0.5])).tolist()
    [True, False]
    """
    return _GreaterThanEq(lower_bound)


def less_than(upper_bound: Any) -> Constraint:
    """The numbers below ``upper_bound``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> constraints.less_than(1.0).check(pt.asarray([1.0, 0.5])).tolist()
    [False, True]
    """
    return _LessThan(upper_bound)


def integer_interval(lower_bound: Any, upper_bound: Any) -> Constraint:
    """The whole numbers in ``[lower_bound, upper_bound]``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> constraints.integer_interval(0, 3).check(pt.asarray([0.0, 1.5, 3.0, 4.0])).tolist()
    [True, False, True, False]
    """
    return _IntegerInterval(lower_bound, upper_bound)


def multinomial(upper_bound: Any) -> Constraint:
    """Vectors of non-negative counts summing to at most ``upper_bound``.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> constraints.multinomial(3).check(pt.asarray([[1.0, 2.0], [2.0, 2.0]])).tolist()
    [True, False]
    """
    return _Multinomial(upper_bound)


def independent(base_constraint: Constraint, reinterpreted_batch_ndims: int) -> Constraint:
    """``base_constraint`` over events of ``reinterpreted_batch_ndims`` more rightmost
    dimensions: ``check`` is true where every element of the event is.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> c = constraints.independent(constraints.positive, 1)
    >>> c.event_dim, c.check(pt.asarray([[1.0, 2.0], [1.0, -1.0]])).tolist()
    (1, [True, False])
    """
    return _IndependentConstraint(base_constraint, reinterpreted_batch_ndims)


def cat(cseq: Any, dim: int = 0, lengths: Any = None) -> Constraint:
    """The constraints of ``cseq`` on consecutive slices of ``lengths`` (1 each by default)
    along ``dim``, as ``cat`` joins them.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> c = constraints.cat([constraints.positive, constraints.real], 0, [2, 1])
    >>> c.check(pt.asarray([1.0, -1.0, -1.0])).tolist()
    [True, False, True]
    """
    return _Cat(cseq, dim, lengths)


def stack(cseq: Any, dim: int = 0) -> Constraint:
    """The constraints of ``cseq`` on the slices along ``dim``, as ``stack`` joins them.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.distributions import constraints
    >>> c = constraints.stack([constraints.positive, constraints.real], dim=1)
    >>> c.check(pt.asarray([[1.0, -1.0], [-1.0, 2.0]])).tolist()
    [[True, True], [False, True]]
    """
    return _Stack(cseq, dim)
