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
from typing import Any

from .. import _dtypes as dt
from .. import _tape
from .._tensor_base import TensorBase

__all__ = ["adam"]

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
    return flats[0], gd.reshape(-1), flats[1:]


def _block(b: Any, n: int, itemsize: int) -> int:
    return min(n, max(1, b.block_bytes // itemsize)) if b.block_bytes else n


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
    states = (m, v) if vmax is None else (m, v, vmax)
    arrays = _arrays(p, g, states)
    if arrays is None:
        return False
    P, G, S = arrays
    M, V = S[0], S[1]
    VM = S[2] if vmax is not None else None
    b = p._backend
    u = b.ufuncs
    add, sub, mul, div, sqrt = u.add, u.subtract, u.multiply, u.divide, u.sqrt
    n = P.size
    bs = _block(b, n, P.dtype.itemsize)
    # the general path's scalars, computed as it computes them (Python floats)
    c1, c2 = 1 - beta1, 1 - beta2
    bc2_sqrt = math.sqrt(1 - beta2**step)
    step_size = lr / (1 - beta1**step)
    decay = 1 - lr * weight_decay
    t1 = u.negative(P[:bs])  # (two temporaries of one block; their values are overwritten)
    t2 = u.negative(P[:bs]) if maximize or (weight_decay != 0 and not decoupled) else None
    for s in range(0, n, bs):
        e = min(s + bs, n)
        k = e - s
        p_, g_, m_, v_ = P[s:e], G[s:e], M[s:e], V[s:e]
        a = t1[:k] if k != bs else t1
        if weight_decay != 0 and decoupled:
            mul(p_, decay, out=p_)  # p *= 1 - lr * weight_decay
        if maximize or (weight_decay != 0 and not decoupled):
            c = t2[:k] if k != bs else t2  # type: ignore[index]
            if maximize:
                u.negative(g_, out=c)  # g = -g
                g_ = c
            if weight_decay != 0 and not decoupled:
                mul(p_, weight_decay, out=a)  # g = g + weight_decay * p
                add(g_, a, out=c)
                g_ = c
        sub(g_, m_, out=a)  # m = m + (1 - beta1) * (g - m)
        mul(a, c1, out=a)
        add(m_, a, out=m_)
        mul(g_, g_, out=a)  # v = v * beta2 + (1 - beta2) * (g * g)
        mul(a, c2, out=a)
        mul(v_, beta2, out=v_)
        add(v_, a, out=v_)
        if VM is not None:
            vm_ = VM[s:e]
            u.maximum(vm_, v_, out=vm_)  # v = maximum(vmax, v)
            v_ = vm_
        sqrt(v_, out=a)  # denom = sqrt(v) / bias_correction2_sqrt + eps
        div(a, bc2_sqrt, out=a)
        add(a, eps, out=a)
        div(m_, a, out=a)  # p -= (lr / bias_correction1) * (m / denom)
        mul(a, step_size, out=a)
        sub(p_, a, out=p_)
    # (no local may hold the data while the versions are counted: bump_version asks who holds
    # it, to tell a tensor in no graph)
    P = G = S = M = V = VM = p_ = g_ = m_ = v_ = a = c = vm_ = t1 = t2 = None
    for t in (p, *states):
        _tape.bump_version(t)
    return True
