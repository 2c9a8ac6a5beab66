"""Optimizers' updates written into the parameter and its state in place, a block at a time.

On a backend whose element-wise functions write into ``out=`` (``Backend.ufuncs``: NumPy),
an update such as Adam's runs its dozen functions on one block of ``Backend.block_bytes`` of
the parameter, its gradient and its state, then on the next: each block's temporaries and
state stay in the core's cache between the functions, where whole arrays would be read from
memory and written back once per function, and no array is allocated but one block's
temporaries. The arithmetic is the general path's, operation for operation (the same
functions on the same operands, in the same order), so the results are the same bits.

Each update returns False, having written nothing, where it does not apply (another backend,
a view, a layout other than C order, a gradient of another dtype or shape); the optimizer then
takes its general path, written with tensor operations. The state keeps its tensors, updated
in place, as PyTorch's optimizers keep theirs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .. import _dtypes as dt
from .. import _tape
from .._tensor_base import TensorBase

__all__ = ["adagrad", "adam", "rmsprop", "sgd", "spans_blocks"]

_REAL_FLOAT = dt.CATEGORY_NAMES.index("real floating-point")


def _flat(t: Any, b: Any, dtype: Any) -> Any:
    """``t``'s data as a flat view in C order, when writing into it writes ``t``: a tensor of
    backend ``b`` and ``dtype`` that is no view of another tensor, in C order, writable."""
    if not isinstance(t, TensorBase) or t._backend is not b or t._write_back is not None:
        return None
    d = t._data
    flags = d.flags
    if d.dtype is not dtype or not flags.c_contiguous or not getattr(flags, "writeable", True):
        return None
    return d.reshape(-1)


def _arrays(p: Any, g: Any, states: tuple[Any, ...]) -> tuple[Any, Any, list[Any]] | None:
    """The flat arrays of parameter ``p``, of its gradient ``g`` (read only: a C-ordered copy
    where it is laid out otherwise) and of its ``states``; None where the update does not
    apply."""
    b = p._backend
    if b.ufuncs is None or not isinstance(g, TensorBase) or g._backend is not b:
        return None
    d = p._data
    dtype = d.dtype
    gd = g._data
    if dtype not in b.cats[_REAL_FLOAT] or gd.dtype is not dtype or gd.shape != d.shape:
        return None
    if d.size == 0:
        return None
    flats = []
    for t in (p, *states):
        f = _flat(t, b, dtype)
        if f is None or f.shape != (d.size,):
            return None
        flats.append(f)
    root = b.memory_root
    if root is not None:
        # a gradient in the memory of the parameter or its state (a view of it at another
        # offset, say) would be read after a block of it was written: the general path
        rg = root(gd)
        if any(rg is root(t._data) for t in (p, *states)):
            return None
    return flats[0], gd.reshape(-1), flats[1:]


def spans_blocks(p: Any) -> bool:
    """Whether tensor ``p`` is larger than one block of its backend's in-place updates: for an
    update of two functions (plain SGD), the blocks then save more than their Python costs.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim._in_place import spans_blocks
    >>> spans_blocks(pt.zeros(10)), spans_blocks(pt.zeros(1_000_000))
    (False, True)
    """
    b = p._backend
    return b.ufuncs is not None and 0 < b.block_bytes < getattr(p._data, "nbytes", 0)


def _block(b: Any, n: int, itemsize: int) -> int:
    return min(n, max(1, b.block_bytes // itemsize)) if b.block_bytes else n


Body = Callable[[Any, Any, Any, list[Any], Any, Any], None]


def _run(p: Any, g: Any, states: tuple[Any, ...], two: bool, body: Body) -> bool:
    """Run ``body(u, p, g, states, a, c)`` on each block of parameter ``p``, its gradient
    ``g`` and its ``states`` (flat arrays; ``u``: the backend's ufuncs; ``a``, and ``c`` with
    ``two``, temporaries of the block's length), then count each tensor's version; False,
    with nothing written, where the update does not apply (``_arrays``)."""
    arrays = _arrays(p, g, states)
    if arrays is None:
        return False
    P, G, S = arrays
    b = p._backend
    u = b.ufuncs
    n = P.size
    bs = _block(b, n, P.dtype.itemsize)
    t1 = u.negative(P[:bs])  # (temporaries of one block; their values are overwritten)
    t2 = u.negative(P[:bs]) if two else None
    for s in range(0, n, bs):
        e = min(s + bs, n)
        full = e - s == bs
        body(
            u,
            P[s:e],
            G[s:e],
            [x[s:e] for x in S],
            t1 if full else t1[: e - s],
            None if t2 is None else (t2 if full else t2[: e - s]),
        )
    # (no local may hold the data while the versions are counted: bump_version asks who holds
    # it, to tell a tensor in no graph)
    del P, G, S, t1, t2, arrays
    for t in (p, *states):
        _tape.bump_version(t)
    return True


def _gradient(u: Any, p_: Any, g_: Any, a: Any, c: Any, maximize: bool, decay: float) -> Any:
    """The gradient as the general paths make it before their rule: ``g = -g`` when
    maximizing, then ``g = g + weight_decay * p`` (``decay``), in ``c``; ``g_`` itself when
    neither applies."""
    if maximize:
        u.negative(g_, out=c)
        g_ = c
    if decay != 0:
        u.multiply(p_, decay, out=a)
        u.add(g_, a, out=c)
        g_ = c
    return g_


def adam(
    p: Any,
    g: Any,
    m: Any,
    v: Any,
    vmax: Any,
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    decoupled: bool,
    maximize: bool,
    step: int,
) -> bool:
    """One step of Adam (``decoupled``: AdamW's decay) for parameter ``p`` with gradient
    ``g``, first and second moments ``m`` and ``v`` (and their running maximum ``vmax`` for
    AMSGrad, else None), ``step`` counting this one, written into ``p``, ``m``, ``v`` and
    ``vmax`` in place. False, with nothing written, where it does not apply.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim._in_place import adam
    >>> p, g = pt.asarray([1.0, -2.0]), pt.asarray([2.0, -4.0])
    >>> m, v = pt.zeros(2), pt.zeros(2)
    >>> adam(p, g, m, v, None, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8,
    ...      weight_decay=0.0, decoupled=False, maximize=False, step=1)
    True
    >>> [round(x, 4) for x in p.tolist()], [round(x, 4) for x in m.tolist()]
    ([0.9, -1.9], [0.2, -0.4])
    """
    # the general path's scalars, computed as it computes them (Python floats, which NumPy
    # takes in the array's dtype: the optimizers pass their hyperparameters as floats)
    c1, c2 = 1 - beta1, 1 - beta2
    bc2_sqrt = math.sqrt(1 - beta2**step)
    step_size = lr / (1 - beta1**step)
    decay = 1 - lr * weight_decay if decoupled and weight_decay != 0 else None
    l2 = 0.0 if decoupled else weight_decay

    def body(u: Any, p_: Any, g_: Any, st: list[Any], a: Any, c: Any) -> None:
        add, sub, mul = u.add, u.subtract, u.multiply
        m_, v_ = st[0], st[1]
        if decay is not None:
            mul(p_, decay, out=p_)  # p *= 1 - lr * weight_decay
        g_ = _gradient(u, p_, g_, a, c, maximize, l2)
        sub(g_, m_, out=a)  # m = m + (1 - beta1) * (g - m)
        mul(a, c1, out=a)
        add(m_, a, out=m_)
        mul(g_, g_, out=a)  # v = v * beta2 + (1 - beta2) * (g * g)
        mul(a, c2, out=a)
        mul(v_, beta2, out=v_)
        add(v_, a, out=v_)
        if len(st) == 3:
            u.maximum(st[2], v_, out=st[2])  # v = maximum(vmax, v)
            v_ = st[2]
        u.sqrt(v_, out=a)  # denom = sqrt(v) / bias_correction2_sqrt + eps
        u.divide(a, bc2_sqrt, out=a)
        add(a, eps, out=a)
        u.divide(m_, a, out=a)  # p -= (lr / bias_correction1) * (m / denom)
        mul(a, step_size, out=a)
        sub(p_, a, out=p_)

    states = (m, v) if vmax is None else (m, v, vmax)
    return _run(p, g, states, maximize or l2 != 0, body)


def sgd(
    p: Any,
    g: Any,
    buf: Any,
    *,
    lr: float,
    momentum: float,
    dampening: float,
    weight_decay: float,
    nesterov: bool,
    maximize: bool,
) -> bool:
    """One step of SGD for parameter ``p`` with gradient ``g`` and, with ``momentum``, its
    momentum buffer ``buf`` from an earlier step (the first step makes it: not here), written
    into ``p`` and ``buf`` in place. False, with nothing written, where it does not apply.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim._in_place import sgd
    >>> p, g, buf = pt.asarray([1.0, 2.0]), pt.asarray([1.0, 1.0]), pt.asarray([1.0, 0.0])
    >>> sgd(p, g, buf, lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0,
    ...     nesterov=False, maximize=False)
    True
    >>> [round(x, 4) for x in p.tolist()], [round(x, 4) for x in buf.tolist()]
    ([0.81, 1.9], [1.9, 1.0])
    """

    def body(u: Any, p_: Any, g_: Any, st: list[Any], a: Any, c: Any) -> None:
        add, mul = u.add, u.multiply
        d = _gradient(u, p_, g_, a, c, maximize, weight_decay)
        if momentum != 0:
            b_ = st[0]
            mul(b_, momentum, out=b_)  # buf = buf * momentum + d_p * (1 - dampening)
            mul(d, 1 - dampening, out=a)
            add(b_, a, out=b_)
            if nesterov:  # d_p = d_p + momentum * buf
                mul(b_, momentum, out=a)
                add(d, a, out=a)
                d = a
            else:  # d_p = buf
                d = b_
        mul(d, lr, out=a)  # p -= lr * d_p
        u.subtract(p_, a, out=p_)

    states = (buf,) if momentum != 0 else ()
    return _run(p, g, states, maximize or weight_decay != 0, body)


def rmsprop(
    p: Any,
    g: Any,
    square_avg: Any,
    grad_avg: Any,
    buf: Any,
    *,
    lr: float,
    alpha: float,
    eps: float,
    weight_decay: float,
    momentum: float,
    maximize: bool,
) -> bool:
    """One step of RMSprop for parameter ``p`` with gradient ``g``, written into ``p`` and its
    state in place: ``square_avg``, ``grad_avg`` (centered, else None) and the momentum
    buffer ``buf`` (momentum > 0, else None). False, with nothing written, where it does not
    apply.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim._in_place import rmsprop
    >>> p, g, s = pt.asarray([1.0]), pt.asarray([2.0]), pt.zeros(1)
    >>> rmsprop(p, g, s, None, None, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0,
    ...         momentum=0.0, maximize=False)
    True
    >>> round(p.item(), 4), round(s.item(), 4)
    (0.9, 0.04)
    """

    def body(u: Any, p_: Any, g_: Any, st: list[Any], a: Any, c: Any) -> None:
        add, sub, mul = u.add, u.subtract, u.multiply
        d = _gradient(u, p_, g_, a, c, maximize, weight_decay)
        v_ = st[0]
        mul(d, d, out=a)  # v = square_avg * alpha + (1 - alpha) * (g * g)
        mul(a, 1 - alpha, out=a)
        mul(v_, alpha, out=v_)
        add(v_, a, out=v_)
        if grad_avg is not None:
            m_ = st[1]
            sub(d, m_, out=a)  # m = m + (1 - alpha) * (g - m)
            mul(a, 1 - alpha, out=a)
            add(m_, a, out=m_)
            mul(m_, m_, out=a)  # avg = sqrt(v - m * m) + eps
            sub(v_, a, out=a)
            u.sqrt(a, out=a)
        else:
            u.sqrt(v_, out=a)  # avg = sqrt(v) + eps
        add(a, eps, out=a)
        u.divide(d, a, out=a)  # g / avg
        if buf is not None:
            b_ = st[-1]
            mul(b_, momentum, out=b_)  # buf = buf * momentum + g / avg
            add(b_, a, out=b_)
            mul(b_, lr, out=a)  # p -= lr * buf
        else:
            mul(a, lr, out=a)  # p -= lr * (g / avg)
        sub(p_, a, out=p_)

    states = tuple(t for t in (square_avg, grad_avg, buf) if t is not None)
    return _run(p, g, states, maximize or weight_decay != 0, body)


def adagrad(
    p: Any,
    g: Any,
    total: Any,
    *,
    clr: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
) -> bool:
    """One step of Adagrad for parameter ``p`` with gradient ``g`` at learning rate ``clr``
    (the decayed one), written into ``p`` and the sum of squares ``total`` in place. False,
    with nothing written, where it does not apply.

    Examples
    --------
    >>> import polytensor as pt
    >>> from polytensor.optim._in_place import adagrad
    >>> p, g, s = pt.asarray([1.0]), pt.asarray([2.0]), pt.zeros(1)
    >>> adagrad(p, g, s, clr=0.1, eps=1e-10, weight_decay=0.0, maximize=False)
    True
    >>> round(p.item(), 4), s.item()
    (0.9, 4.0)
    """

    def body(u: Any, p_: Any, g_: Any, st: list[Any], a: Any, c: Any) -> None:
        d = _gradient(u, p_, g_, a, c, maximize, weight_decay)
        s_ = st[0]
        u.multiply(d, d, out=a)  # s = s + g * g
        u.add(s_, a, out=s_)
        u.sqrt(s_, out=a)  # p -= clr * (g / (sqrt(s) + eps))
        u.add(a, eps, out=a)
        u.divide(d, a, out=a)
        u.multiply(a, clr, out=a)
        u.subtract(p_, a, out=p_)

    return _run(p, g, (total,), maximize or weight_decay != 0, body)
