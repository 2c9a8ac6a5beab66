"""``einsum``, as PyTorch's ``torch.einsum``, written with the standard's differentiable ops.

An equation ``"bij,bjk->bik"`` is computed operand by operand: a label repeated within one
operand takes that operand's diagonal, a label that no other operand and not the output has
is summed out at once, and two operands are contracted by one ``matmul`` (the labels they share
and the output keeps are its batch dimensions, the labels they share alone its contracted one),
left to right. So every backend with ``matmul`` runs it, gradients of every order come from the
ops themselves, and no operand is ever broadcast against another in memory.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import _dtypes as dt
from ._ops.linalg import diagonal
from ._ops.linear_algebra import matmul
from ._ops.manipulation import (
    broadcast_to,
    expand_dims,
    permute_dims,
    reshape,
    squeeze,
)
from ._ops.statistical import sum as _sum
from ._tensor_base import TensorBase

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["einsum"]

_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _error(message: str) -> RuntimeError:
    return RuntimeError(f"einsum(): {message}")


def _parse_term(term: str, where: str) -> tuple[list[str], bool]:
    """The letters of one term and whether it has an ellipsis (at most one)."""
    if term.count("...") > 1 or ("." in term.replace("...", "")):
        raise _error(f"{where} {term!r} has more than one ellipsis or a stray '.'")
    letters = []
    for c in term.replace("...", "\0"):
        if c == "\0":
            letters.append(c)
        elif c not in _LETTERS:
            raise _error(
                f"invalid subscript {c!r} in {where} {term!r}: subscripts are letters "
                f"[a-zA-Z], with at most one '...'"
            )
        else:
            letters.append(c)
    return letters, "\0" in letters


def _labels(term: list[str], ndim: int, n_ellipsis: int, where: str) -> list[Any]:
    """``term``'s labels, its ellipsis replaced by the labels of the last ``n_ellipsis``
    broadcast dimensions (integers, right-aligned as broadcasting aligns them)."""
    if "\0" not in term:
        if len(term) != ndim:
            raise _error(
                f"the subscripts {''.join(term)!r} of {where} name {len(term)} dimensions but "
                f"it has {ndim}"
            )
        return list(term)
    named = len(term) - 1
    covered = ndim - named
    if covered < 0:
        raise _error(
            f"the subscripts of {where} name {named} dimensions besides '...' but it has {ndim}"
        )
    i = term.index("\0")
    return [*term[:i], *range(n_ellipsis - covered, n_ellipsis), *term[i + 1 :]]


def _diagonals(x: Any, labels: list[Any]) -> tuple[Any, list[Any]]:
    """``x`` with each label that repeats taken once, along the diagonal."""
    while True:
        seen: dict[Any, int] = {}
        for k, lab in enumerate(labels):
            if lab in seen:
                i, j = seen[lab], k
                break
            seen[lab] = k
        else:
            return x, labels
        if x.shape[i] != x.shape[j]:
            raise _error(
                f"subscript {lab!r} is repeated for dimensions of sizes {x.shape[i]} and "
                f"{x.shape[j]}; a diagonal needs equal sizes"
            )
        # (the two axes last: linalg.diagonal takes them and puts the diagonal last)
        n = len(labels)
        rest = [a for a in range(n) if a not in (i, j)]
        x = diagonal(permute_dims(x, (*rest, i, j)))
        labels = [labels[a] for a in rest] + [lab]


def _sum_out(x: Any, labels: list[Any], drop: set[Any]) -> tuple[Any, list[Any]]:
    axes = tuple(k for k, lab in enumerate(labels) if lab in drop)
    if not axes:
        return x, labels
    return _sum(x, axis=axes), [lab for lab in labels if lab not in drop]


def _contract(
    a: Any, la: list[Any], b: Any, lb: list[Any], keep: set[Any]
) -> tuple[Any, list[Any]]:
    """The product of ``a`` and ``b`` summed over the labels they share that ``keep`` lacks,
    by one ``matmul``; its labels: the batch ones (shared and kept), ``a``'s own, ``b``'s own."""
    sb = set(lb)
    sa = set(la)
    batch = [lab for lab in la if lab in sb and lab in keep]
    summed = [lab for lab in la if lab in sb and lab not in keep]
    a_own = [lab for lab in la if lab not in sb]
    b_own = [lab for lab in lb if lab not in sa]
    size = dict(zip(lb, b.shape, strict=True)) | dict(zip(la, a.shape, strict=True))
    a = permute_dims(a, tuple(la.index(lab) for lab in (*batch, *a_own, *summed)))
    b = permute_dims(b, tuple(lb.index(lab) for lab in (*batch, *summed, *b_own)))
    nb = len(batch)
    m = math.prod(a.shape[nb + k] for k in range(len(a_own)))
    k = math.prod(a.shape[nb + len(a_own) + i] for i in range(len(summed)))
    n = math.prod(b.shape[nb + len(summed) + i] for i in range(len(b_own)))
    a = reshape(a, (*a.shape[:nb], m, k))
    b = reshape(b, (*b.shape[:nb], k, n))
    r = matmul(a, b)  # (the batch dimensions broadcast: a size 1 against n)
    shape = (*r.shape[:nb], *(size[lab] for lab in a_own), *(size[lab] for lab in b_own))
    return reshape(r, shape), [*batch, *a_own, *b_own]


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, as PyTorch's ``torch.einsum(equation, *operands)`` (or a list of
    operands): each operand's dimensions are named by letters; the output keeps those after
    ``->`` (without one, the letters that appear once, in alphabetical order), and every other
    letter is summed over. A letter repeated within one operand takes its diagonal; ``...``
    stands for dimensions that broadcast. Differentiable on every backend.

    Examples
    --------
    >>> import polytensor as pt
    >>> a, b = pt.ones(2, 3), pt.ones(3, 4)
    >>> pt.einsum("ij,jk->ik", a, b).shape
    (2, 4)
    >>> pt.einsum("ii", pt.eye(3)).item()
    3.0
    >>> pt.einsum("b...d,bkd->b...k", pt.ones(2, 5, 3), pt.ones(2, 4, 3)).shape
    (2, 5, 4)
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum() expects the equation string first; got {equation!r}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise _error("must provide at least one operand")
    for i, x in enumerate(operands):
        if not isinstance(x, TensorBase):
            raise TypeError(
                f"einsum() expects tensors as operands; operand {i} is {type(x).__name__}: "
                f"make it one with pt.asarray(...)"
            )
    first = operands[0].dtype
    if any(x.dtype is not first for x in operands):
        # Note: one dtype, as PyTorch's einsum ("expected scalar type Float but found
        # Double"); the matmul it is made of would promote
        got = ", ".join(x.dtype.name for x in operands)
        raise dt.MixedDtypeError(
            f"einsum() expects operands of one dtype, as PyTorch's; got {got}; cast them to "
            f"one first (y.to(pt.{first.name}) for each other operand y)"
        )
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise _error(
            f"the equation {equation!r} has {len(terms)} operand term(s) but {len(operands)} "
            f"operand(s) were given"
        )
    parsed = [_parse_term(t, f"operand {i}") for i, t in enumerate(terms)]
    n_ell = max(
        (x.ndim - (len(t) - 1) for (t, e), x in zip(parsed, operands, strict=True) if e),
        default=0,
    )
    labels = [
        _labels(t, x.ndim, n_ell, f"operand {i}")
        for i, ((t, _), x) in enumerate(zip(parsed, operands, strict=True))
    ]
    ell = list(range(n_ell))
    if arrow:
        # (an output without '...' sums the '...' dimensions out, as PyTorch's)
        out_term, _ = _parse_term(rhs, "the output")
        out = [lab for c in out_term for lab in (ell if c == "\0" else [c])]
        named = [lab for lab in out if isinstance(lab, str)]
        if len(set(named)) != len(named):
            raise _error(f"the output {rhs!r} names a subscript more than once")
        everywhere = {lab for ls in labels for lab in ls}
        for lab in named:
            if lab not in everywhere:
                raise _error(f"the output subscript {lab!r} appears in no operand")
    else:
        counts: dict[str, int] = {}
        for ls in labels:
            for lab in ls:
                if isinstance(lab, str):
                    counts[lab] = counts.get(lab, 0) + 1
        # (PyTorch's order: upper-case letters first, each alphabetical, as sorted() has it)
        out = [*ell, *sorted(c for c, k in counts.items() if k == 1)]
    # each label's size across the operands (1 broadcasts); a size-1 dimension of a label
    # that is larger elsewhere is dropped from its operand: the value is the same along it
    sizes: dict[Any, int] = {}
    for i, (x, ls) in enumerate(zip(operands, labels, strict=True)):
        for lab, n in zip(ls, x.shape, strict=True):
            m = sizes.get(lab)
            if m is None or m == 1:
                sizes[lab] = n
            elif n not in (1, m):
                raise _error(
                    f"subscript {lab if isinstance(lab, str) else '...'!r} has size {n} in "
                    f"operand {i} against {m} elsewhere; sizes must be equal or 1"
                )
    xs: list[Any] = []
    ls_all: list[list[Any]] = []
    for x, ls in zip(operands, labels, strict=True):
        x, ls = _diagonals(x, ls)
        ones = tuple(k for k, lab in enumerate(ls) if x.shape[k] == 1 and sizes[lab] != 1)
        if ones:
            x = squeeze(x, axis=ones)
            ls = [lab for k, lab in enumerate(ls) if k not in ones]
        xs.append(x)
        ls_all.append(ls)
    out_set = set(out)
    # labels no later operand and not the output needs are summed out of each as it comes
    acc, acc_l = _sum_out(xs[0], ls_all[0], set(ls_all[0]) - out_set - _later(ls_all, 1))
    for i in range(1, len(xs)):
        later = _later(ls_all, i + 1)
        x, lx = _sum_out(xs[i], ls_all[i], set(ls_all[i]) - out_set - later - set(acc_l))
        acc, acc_l = _sum_out(acc, acc_l, set(acc_l) - out_set - later - set(lx))
        acc, acc_l = _contract(acc, acc_l, x, lx, out_set | later)
    acc, acc_l = _sum_out(acc, acc_l, set(acc_l) - out_set)
    # the output's order; a label the result lacks (a size-1 dimension broadcast away, or an
    # output label of size 1 dropped above) comes back by broadcasting
    for o in out:
        if o not in acc_l:
            acc = expand_dims(acc, axis=acc.ndim)
            acc_l = [*acc_l, o]
    acc = permute_dims(acc, tuple(acc_l.index(o) for o in out))
    shape = tuple(sizes[o] for o in out)
    if tuple(acc.shape) != shape:
        acc = broadcast_to(acc, shape)
    return acc


def _later(ls_all: list[list[Any]], start: int) -> set[Any]:
    return {lab for ls in ls_all[start:] for lab in ls}
