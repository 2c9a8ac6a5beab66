"""Derivative rules of the ``linalg`` functions, written with polytensor operations.

Complex inputs follow PyTorch's convention (gradients are conjugate Wirtinger derivatives), so
``H(x)`` (the conjugate transpose) appears where a real formula has a transpose.
"""

from __future__ import annotations

from typing import Any

from .._tape import Composite


def _pt() -> Any:
    """The ops, by their namespace names (``pt.matmul``, ``pt.linalg.inv``)."""
    from . import _all

    return _all


def H(x: Any) -> Any:
    pt = _pt()
    t = pt.matrix_transpose(x)
    return pt.conj(t) if x.dtype.kind == "complex floating" else t


def _cj(x: Any) -> Any:
    pt = _pt()
    return pt.conj(x) if x.dtype.kind == "complex floating" else x


def _eye_like(x: Any, n: int) -> Any:
    pt = _pt()
    return pt.eye(n, dtype=x.dtype, device=x.device)


def inv_rule(g: Any, out: Any, _x: Any) -> tuple[Any]:
    pt = _pt()
    return (-pt.matmul(H(out), pt.matmul(g, H(out))),)


def solve_rule(g: Any, out: Any, x1: Any, _x2: Any) -> tuple[Any, Any]:
    pt = _pt()
    vector = _x2.ndim == 1
    if vector:
        g = pt.expand_dims(g, axis=-1)
        out = pt.expand_dims(out, axis=-1)
    gb = pt.linalg.solve(H(x1), g)
    ga = -pt.matmul(gb, H(out))
    if vector:
        gb = pt.squeeze(gb, axis=-1)
    return ga, gb


def _mat(t: Any) -> Any:
    """A batch of scalars as a batch of 1x1 matrices (broadcasts against the matrices)."""
    pt = _pt()
    return pt.expand_dims(pt.expand_dims(t, axis=-1), axis=-1)


def _inv_where_regular(x: Any, singular: Any) -> Any:
    """inv(x), with the identity's inverse in place of the singular matrices (no LinAlgError:
    the caller replaces what those give)."""
    pt = _pt()
    return pt.linalg.inv(pt.where(_mat(singular), _eye_like(x, x.shape[-1]), x))


def det_rule(g: Any, out: Any, x: Any) -> tuple[Any]:
    pt = _pt()
    scale = g * (pt.conj(out) if out.dtype.kind == "complex floating" else out)
    # Note: g * det * inv(x)^H, which is 0 where det is 0: PyTorch's gradient at a singular
    # matrix (of rank n-1 the adjugate would not be 0; see the edge-gradient table in docs/).
    return (_mat(scale) * H(_inv_where_regular(x, out == 0)),)


def _adjugate_h(x: Any) -> Any:
    """adj(x)^H, by the SVD x = U S Vh: det(U) det(Vh) U diag(prod of the other s) Vh,
    conjugated; defined for singular matrices too."""
    pt = _pt()
    U, S, Vh = pt.linalg.svd(x, full_matrices=False)
    n = S.shape[-1]
    eye = pt.astype(_eye_like(S, n), pt.bool)
    others = pt.prod(pt.where(eye, 1.0, pt.expand_dims(S, axis=-2)), axis=-1)
    phase = pt.linalg.det(U) * pt.linalg.det(Vh)
    adj_t = _mat(phase) * pt.matmul(U * pt.expand_dims(pt.astype(others, U.dtype), axis=-2), Vh)
    return _cj(adj_t)


def slogdet_rule(gs: Any, outs: Any, x: Any) -> tuple[Any]:
    pt = _pt()
    g_sign, g_logabs = gs
    c = g_logabs
    if x.dtype.kind == "complex floating":
        # log det = i*angle + logabs: the sign's cotangent acts through the angle
        c = pt.astype(g_logabs, x.dtype) + 1j * pt.astype(
            pt.imag(g_sign * pt.conj(outs[0])), x.dtype
        )
    singular = outs[1] == -float("inf")
    grad = _mat(c) * H(_inv_where_regular(x, singular))
    # Note: at a singular matrix, c * adj(x)^H / 0 as PyTorch's gives it: +-inf where the
    # adjugate is not 0, NaN where it is (computed without dividing by 0)
    adj = _adjugate_h(x)
    if x.dtype.kind != "complex floating":
        at_singular = pt.where(adj == 0, float("nan"), pt.where(adj > 0, 1.0, -1.0) * float("inf"))
        at_singular = pt.where(
            _mat(c) == 0, float("nan"), at_singular * pt.where(_mat(c) > 0, 1.0, -1.0)
        )
    else:
        at_singular = pt.full_like(grad, complex(float("nan"), float("nan")))
    return (pt.where(_mat(singular), at_singular, grad),)


def _phi(a: Any) -> Any:
    """Lower triangle with the diagonal halved."""
    pt = _pt()
    return pt.tril(a, k=-1) + pt.tril(pt.triu(a)) * 0.5


def cholesky_rule(g: Any, out: Any, _x: Any, upper: bool) -> tuple[Any]:
    pt = _pt()
    L = H(out) if upper else out
    gL = H(g) if upper else g
    P = _phi(pt.matmul(H(L), gL))
    Linv = pt.linalg.inv(L)
    S = pt.matmul(H(Linv), pt.matmul(P, Linv))
    return ((S + H(S)) * 0.5,)


def _copyltu(m: Any) -> Any:
    pt = _pt()
    low = pt.tril(m, k=-1)
    return low + H(low) + pt.tril(pt.triu(m))


def qr_rule(gs: Any, outs: Any, _x: Any, mode: str) -> tuple[Any]:
    pt = _pt()
    Q, R = outs
    gQ, gR = gs
    m, n = _x.shape[-2], _x.shape[-1]
    if mode == "complete" and m > n:
        raise NotImplementedError(
            "the gradient of linalg.qr(mode='complete') of a tall matrix "
            "is not defined; use mode='reduced'"
        )
    if m < n:
        # a wide x = [X | Y] = Q [U | V]: Y = Q V gives gY = Q gV and adds Y gV^H to the
        # cotangent of Q, and X = Q U is a square factorization (PyTorch's formula)
        gV = gR[..., :, m:]
        gX = _qr_square_or_tall(
            Q, R[..., :, :m], gQ + pt.matmul(_x[..., :, m:], H(gV)), gR[..., :, :m]
        )
        return (pt.concat([gX, pt.matmul(Q, gV)], axis=-1),)
    return (_qr_square_or_tall(Q, R, gQ, gR),)


def _qr_square_or_tall(Q: Any, R: Any, gQ: Any, gR: Any) -> Any:
    """The cotangent of x = Q R with R square (x square or tall, reduced)."""
    pt = _pt()
    M = pt.matmul(R, H(gR)) - pt.matmul(H(gQ), Q)
    b = gQ + pt.matmul(Q, _copyltu(M))
    # b @ inv(R^H): solve R X^H = b^H for X
    return H(pt.linalg.solve(R, H(b)))


def _off_diag_inverse_gaps(w: Any) -> Any:
    """F[i, j] = 1 / (w[j] - w[i]) off the diagonal, 0 on it."""
    pt = _pt()
    d = pt.expand_dims(w, axis=-2) - pt.expand_dims(w, axis=-1)
    n = w.shape[-1]
    eye = pt.astype(_eye_like(w, n), pt.bool)
    return pt.where(eye, 0.0, 1.0 / pt.where(eye, 1.0, d))


def _over_gaps(a: Any, w: Any, unused: Any = None) -> Any:
    """a[i, j] / (w[j] - w[i]) off the diagonal, 0 on it; where two of ``w`` are equal, 0 if
    a[i, j] is 0 (or ``unused[i, j]``, when given: a cotangent that does not involve those
    vectors, only eigenvalues are used), else NaN (the derivative does not exist). No division
    by 0 is evaluated."""
    pt = _pt()
    d = pt.expand_dims(w, axis=-2) - pt.expand_dims(w, axis=-1)
    n = w.shape[-1]
    eye = pt.astype(_eye_like(w, n), pt.bool)
    tie = d == 0
    q = a / pt.where(tie, 1.0, d)
    free = (a == 0) if unused is None else unused
    return pt.where(eye | (tie & free), 0.0, pt.where(tie, float("nan"), q))


def eigh_rule(gs: Any, outs: Any, _x: Any) -> tuple[Any]:
    pt = _pt()
    w, V = outs
    gw, gV = gs
    inner = _over_gaps(pt.matmul(H(V), gV), w)
    middle = inner + pt.expand_dims(gw, axis=-1) * _eye_like(w, w.shape[-1])
    return (pt.matmul(V, pt.matmul(middle, H(V))),)


def eigvalsh_rule(g: Any, _out: Any, x: Any) -> tuple[Any]:
    pt = _pt()
    _, V = pt.linalg.eigh(x)
    return (pt.matmul(V * pt.expand_dims(g, axis=-2), H(V)),)


def svd_rule(gs: Any, outs: Any, _x: Any, full_matrices: bool) -> tuple[Any]:
    pt = _pt()
    U, S, Vh = outs
    gU, gS, gVh = gs
    m, n = _x.shape[-2], _x.shape[-1]
    k = min(m, n)
    if full_matrices and m != n:
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        gU, gVh = gU[..., :, :k], gVh[..., :k, :]
    V, gV = H(Vh), H(gVh)
    Sd = pt.expand_dims(S, axis=-2)  # scales columns
    UtgU = pt.matmul(H(U), gU)
    VtgV = pt.matmul(H(V), gV)
    # Note: at repeated singular values (the identity, a zero matrix), finite where only S is
    # used (the cotangents of U and Vh are 0), else NaN (the derivative does not exist), as
    # PyTorch's
    only_s = _mat(pt.all(UtgU == 0, axis=(-2, -1)) & pt.all(VtgV == 0, axis=(-2, -1)))
    J = _over_gaps(UtgU - H(UtgU), S * S, only_s)
    K = _over_gaps(VtgV - H(VtgV), S * S, only_s)
    core = J * Sd + pt.expand_dims(S, axis=-1) * K + pt.expand_dims(gS, axis=-1) * _eye_like(S, k)
    if _x.dtype.kind == "complex floating":
        diag = pt.linalg.diagonal(UtgU)  # PyTorch's gauge term: i Im(diag(U^H gU)) / S
        core = core + _eye_like(S, k) * pt.expand_dims(
            _over_singular_values(diag - pt.conj(diag), 2 * S), axis=-1
        )
    gA = pt.matmul(U, pt.matmul(core, Vh))
    if m > k:
        proj = _eye_like(U, m) - pt.matmul(U, H(U))
        gA = gA + pt.matmul(proj, pt.matmul(_over_singular_values(gU, Sd), Vh))
    if n > k:
        proj = _eye_like(V, n) - pt.matmul(V, Vh)
        rows = pt.matmul(H(gV), proj)  # (U diag(1 / S) rows: U (rows / S))
        gA = gA + pt.matmul(U, _over_singular_values(rows, pt.expand_dims(S, axis=-1)))
    return (gA,)


def _over_singular_values(a: Any, s: Any) -> Any:
    """a / s, 0 where ``a`` is 0 (a zero cotangent gives nothing, at a zero singular value
    too), +-inf (NaN for complex ``a``) where only ``s`` is 0. No division by 0 (nor 0 * inf)
    is evaluated."""
    pt = _pt()
    nonzero = pt.where(a == 0, 1.0, a)
    q = nonzero / pt.astype(pt.where(s == 0, 1.0, s), a.dtype)
    if a.dtype.kind == "complex floating":
        infinite = pt.full_like(q, complex(float("nan"), float("nan")))
    else:
        infinite = pt.where(nonzero > 0, float("inf"), -float("inf"))  # (no 0 * inf in 2nd order)
    return pt.where(a == 0, 0.0, pt.where(s == 0, infinite, q))


def svdvals_rule(g: Any, _out: Any, x: Any) -> tuple[Any]:
    pt = _pt()
    U, _, Vh = pt.linalg.svd(x, full_matrices=False)
    return (pt.matmul(U * pt.expand_dims(g, axis=-2), Vh),)


def pinv_rule(g: Any, out: Any, x: Any, _rtol: Any = None) -> tuple[Any, ...]:
    pt = _pt()
    X = out
    m, n = x.shape[-2], x.shape[-1]
    term1 = -pt.matmul(H(X), pt.matmul(g, H(X)))
    term2 = pt.matmul(_eye_like(x, m) - pt.matmul(x, X), pt.matmul(H(g), pt.matmul(X, H(X))))
    term3 = pt.matmul(pt.matmul(H(X), X), pt.matmul(H(g), _eye_like(x, n) - pt.matmul(X, x)))
    return (term1 + term2 + term3, None)


def vector_norm_rule(g: Any, out: Any, x: Any, axis: Any, keepdims: bool, ord: Any) -> tuple[Any]:
    pt = _pt()
    from .statistical import _keep

    gk = _keep(g, x.shape, axis, keepdims)
    nk = _keep(out, x.shape, axis, keepdims)
    ax = pt.abs(x)
    sgn = x / pt.where(ax == 0, 1.0, ax) if x.dtype.kind == "complex floating" else pt.sign(x)
    if ord == 0:
        return (pt.zeros_like(x),)
    if ord in (float("inf"), -float("inf")):
        hit = pt.astype(ax == nk, x.dtype if x.dtype.kind != "complex floating" else nk.dtype)
        count = pt.sum(hit, axis=axis, keepdims=True)
        return (gk * sgn * hit / count,)
    p = float(ord)
    if p == 2.0:
        return (gk * x / pt.where(nk == 0, 1.0, nk),)
    if p == 1.0:
        return (gk * sgn,)
    # (p < 1: a zero element's |x| ** (p - 1) is infinite; PyTorch's gradient there is 0)
    powered = (
        ax ** (p - 1) if p > 1 else pt.where(ax == 0, 0.0, pt.where(ax == 0, 1.0, ax) ** (p - 1))
    )
    scale = pt.where(nk == 0, 0.0, powered / pt.where(nk == 0, 1.0, nk) ** (p - 1))
    return (gk * sgn * scale,)


def _matrix_norm_composite(x: Any, keepdims: bool, ord: Any) -> Any:
    pt = _pt()
    if ord == "fro":  # (vector_norm's rule: 0 at a zero matrix, as PyTorch, not 0 / 0)
        y = pt.linalg.vector_norm(x, axis=(-2, -1))
    elif ord == "nuc":
        y = pt.sum(pt.linalg.svdvals(x), axis=-1)
    elif ord in (2, -2):
        s = pt.linalg.svdvals(x)
        y = pt.max(s, axis=-1) if ord == 2 else pt.min(s, axis=-1)
    elif ord in (1, -1):
        c = pt.sum(pt.abs(x), axis=-2)
        y = pt.max(c, axis=-1) if ord == 1 else pt.min(c, axis=-1)
    elif ord in (float("inf"), -float("inf")):
        r = pt.sum(pt.abs(x), axis=-1)
        y = pt.max(r, axis=-1) if ord > 0 else pt.min(r, axis=-1)
    else:
        raise ValueError(
            f"linalg.matrix_norm() got ord={ord!r}; expected 'fro', 'nuc', "
            f"1, -1, 2, -2, inf or -inf"
        )
    if keepdims:
        y = pt.expand_dims(pt.expand_dims(y, axis=-1), axis=-1)
    return y


# (matrix_norm, matrix_power, trace: the value from the backend, the derivative that of these)
matrix_norm_rule = Composite(_matrix_norm_composite)


def _matrix_power_composite(x: Any, n: int) -> Any:
    pt = _pt()
    if n == 0:
        return pt.broadcast_to(_eye_like(x, x.shape[-1]), x.shape) + x * 0
    base = pt.linalg.inv(x) if n < 0 else x
    result = base
    for _ in range(abs(n) - 1):
        result = pt.matmul(result, base)
    return result


matrix_power_rule = Composite(_matrix_power_composite)


def diagonal_rule(g: Any, _out: Any, _x: Any, offset: int) -> tuple[Any]:
    pt = _pt()
    from .indexing import _scatter_add, _Slot

    k = g.shape[-1]
    rows = pt.arange(k, device=_x.device) + (-offset if offset < 0 else 0)
    cols = pt.arange(k, device=_x.device) + (max(0, offset))
    return (_scatter_add(g, rows, cols, key=(Ellipsis, _Slot(0), _Slot(1)), shape=tuple(_x.shape)),)


def _trace_composite(x: Any, offset: int, dtype: Any) -> Any:
    pt = _pt()
    return pt.sum(pt.linalg.diagonal(x, offset=offset), axis=-1)


trace_rule = Composite(_trace_composite)


def outer_rule(g: Any, _out: Any, x1: Any, x2: Any) -> tuple[Any, Any]:
    pt = _pt()
    c1 = pt.conj(x1) if x1.dtype.kind == "complex floating" else x1
    c2 = pt.conj(x2) if x2.dtype.kind == "complex floating" else x2
    return pt.matmul(g, c2), pt.matmul(pt.matrix_transpose(g), c1)


def _eig_vjp(gL: Any, gV: Any, L: Any, V: Any) -> Any:
    """PyTorch's rule for the eigen decomposition of a general matrix (gauge-invariant losses):
    gA = V^-H (diag(gL) + (V^H gV - V^H V diag(Re(diag(V^H gV)))) / conj(E)) V^H."""
    pt = _pt()
    n = L.shape[-1]
    eye = pt.astype(_eye_like(pt.real(L), n), pt.bool)
    Vh = H(V)
    inner = pt.zeros_like(V)
    if gV is not None:
        VhgV = pt.matmul(Vh, gV)
        diag_re = pt.real(pt.linalg.diagonal(VhgV))
        inner = VhgV - pt.matmul(Vh, V) * pt.astype(pt.expand_dims(diag_re, axis=-2), V.dtype)
        E = pt.expand_dims(L, axis=-2) - pt.expand_dims(L, axis=-1)
        inner = pt.where(eye, 0, inner / pt.conj(pt.where(eye, 1, E)))
    if gL is not None:
        inner = inner + pt.where(eye, pt.expand_dims(gL, axis=-1), 0)
    return pt.linalg.solve(Vh, pt.matmul(inner, Vh))


def eig_rule(gs: Any, outs: Any, _x: Any) -> tuple[Any]:
    L, V = outs
    gL, gV = gs
    return (_eig_vjp(gL, gV, L, V),)


def eigvals_rule(g: Any, _out: Any, x: Any) -> tuple[Any]:
    pt = _pt()
    L, V = pt.linalg.eig(x)
    return (_eig_vjp(g, None, L, V),)
