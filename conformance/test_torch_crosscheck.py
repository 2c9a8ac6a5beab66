"""Gradients of the op table against PyTorch's, on the same inputs and output cotangents.

For every differentiable op of the table that PyTorch has, inputs are drawn by the op's sampler
in ``domains.py`` (float64 / complex128, in the op's domain), the forward runs in
polytensor (NumPy backend) and in torch, both outputs get the same random cotangent, and the
gradients of every input must agree to ~1e-10 (looser for linear algebra). polytensor follows
PyTorch's convention for complex numbers (conjugate Wirtinger derivatives), so complex gradients
must match too. ``TORCH`` maps each op to its torch counterpart; ``NOT_IN_TORCH`` lists, with a
reason, the differentiable ops without one, and a test keeps the two lists complete.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from domains import GradCase, differentiable_ops, gradient_cases
from domains import sample_gradient as grad_sample
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

import polytensor as pt

torch = pytest.importorskip("torch")

BACKEND = "numpy"  # conftest's per-backend summary counts these tests under NumPy
EXAMPLES = 8


@pytest.fixture(autouse=True)
def _numpy_backend() -> Iterator[None]:
    with pt.use_backend("numpy"):
        yield


# -- torch counterparts ------------------------------------------------------------------------
TorchFn = Callable[..., Any]


def _dims(x: Any, axis: Any) -> tuple[int, ...] | None:
    """The standard's axis as torch dims; None for "no reduction" (axis=())."""
    if axis is None:
        return tuple(range(x.ndim))
    if isinstance(axis, int):
        return (axis,)
    return tuple(axis) or None


def _reduce(fn: Callable[..., Any]) -> Callable[[dict[str, Any]], TorchFn]:
    def make(p: dict[str, Any]) -> TorchFn:
        def f(x: Any) -> Any:
            dims = _dims(x, p["axis"])
            if dims is None or x.ndim == 0:  # torch reads dim=() as "every dimension"
                return x * 1
            return fn(x, dims, p["keepdims"], p)

        return f

    return make


def _prod(x: Any, dims: tuple[int, ...], keepdim: bool, p: dict[str, Any]) -> Any:
    for d in sorted((d % x.ndim for d in dims), reverse=True):
        x = torch.prod(x, dim=d, keepdim=True)
    return (
        x
        if keepdim
        else x.reshape([s for i, s in enumerate(x.shape) if i not in {d % x.ndim for d in dims}])
    )


def _cumulative(fn: Callable[..., Any], initial: float) -> Callable[[dict[str, Any]], TorchFn]:
    def make(p: dict[str, Any]) -> TorchFn:
        def f(x: Any) -> Any:
            d = 0 if p["axis"] is None else p["axis"]
            y = fn(x, dim=d)
            if p["include_initial"]:
                shape = list(x.shape)
                shape[d] = 1
                y = torch.cat([torch.full(shape, initial, dtype=x.dtype), y], dim=d)
            return y

        return f

    return make


def _flat_map(shape: tuple[int, ...], key: Any) -> Any:
    """Flat positions that ``x[key]`` reads: indexing in torch becomes a gather."""
    return torch.as_tensor(np.array(np.arange(math.prod(shape)).reshape(shape)[key], copy=True))


def _fill(key: Any, arrays: tuple[Any, ...]) -> Any:
    from polytensor._ops.indexing import _Slot

    return tuple(arrays[k.i] if isinstance(k, _Slot) else k for k in key)


def _getitem(p: dict[str, Any]) -> TorchFn:
    def f(x: Any, *idx: Any) -> Any:
        key = p["key"] if "key" in p else tuple(i.numpy() for i in idx)
        if len(key) == 1 and isinstance(key[0], np.ndarray) and key[0].dtype == bool:
            key = key[0]
        return x.reshape(-1)[_flat_map(tuple(x.shape), key)]

    return f


def _take(p: dict[str, Any]) -> TorchFn:
    def f(x: Any, i: Any) -> Any:
        if p["axis"] is None:
            return x.reshape(-1)[i]
        return torch.index_select(x, p["axis"] % x.ndim, i)

    return f


def _scatter_add(p: dict[str, Any]) -> TorchFn:
    def f(g: Any, *idx: Any) -> Any:
        shape = p["shape"]
        pos = _flat_map(shape, _fill(p["key"], tuple(i.numpy() for i in idx)))
        z = torch.zeros(math.prod(shape), dtype=g.dtype)
        return z.index_add(0, pos.reshape(-1), g.reshape(-1)).reshape(shape)

    return f


def _put(p: dict[str, Any]) -> TorchFn:
    def f(x: Any, v: Any, *idx: Any) -> Any:
        key = p["key"] if p["key"] is not None else tuple(i.numpy() for i in idx)
        pos = _flat_map(tuple(x.shape), key)
        y = x.reshape(-1).clone()
        y[pos.reshape(-1)] = torch.broadcast_to(v, pos.shape).reshape(-1)
        return y.reshape(x.shape)

    return f


def _clip(p: dict[str, Any]) -> TorchFn:
    lo, hi = p["bounds"]

    def f(x: Any, *bs: Any) -> Any:
        it = iter(bs)
        a = next(it) if lo == "array" else lo
        b = next(it) if hi == "array" else hi
        if a is None and b is None:
            return x * 1
        if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):  # no mixed overload
            a, b = (
                v if v is None or isinstance(v, torch.Tensor) else torch.tensor(v, dtype=x.dtype)
                for v in (a, b)
            )
        return torch.clamp(x, a, b)

    return f


def _where(p: dict[str, Any]) -> TorchFn:
    if "x2" in p:
        return lambda x1, c: torch.where(c, x1, torch.tensor(p["x2"], dtype=x1.dtype))
    if "x1" in p:
        return lambda x2, c: torch.where(c, torch.tensor(p["x1"], dtype=x2.dtype), x2)
    return lambda x1, x2, c: torch.where(c, x1, x2)


def _concat(p: dict[str, Any]) -> TorchFn:
    if p["axis"] is None:
        return lambda *xs: torch.cat([x.reshape(-1) for x in xs])
    return lambda *xs: torch.cat(xs, dim=p["axis"])


def _expand_dims(p: dict[str, Any]) -> TorchFn:
    def f(x: Any) -> Any:
        axis = p["axis"]
        axes = (axis,) if isinstance(axis, int) else axis
        n = x.ndim + len(axes)
        for a in sorted(a % n for a in axes):
            x = torch.unsqueeze(x, a)
        return x

    return f


def _repeat(p: dict[str, Any]) -> TorchFn:
    def f(x: Any, r: Any = None) -> Any:
        reps = p.get("repeats", r)
        if p["axis"] is None:
            return torch.repeat_interleave(x.reshape(-1), reps)
        return torch.repeat_interleave(x, reps, dim=p["axis"])

    return f


def _solve(a: Any, b: Any) -> Any:
    """The standard's solve: x2 is a stack of matrices unless 1-D. torch reads a B with one
    dimension less than A as a stack of vectors; broadcasting the batch first avoids that."""
    if b.ndim >= 2:
        batch = torch.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a, b = a.expand(*batch, *a.shape[-2:]), b.expand(*batch, *b.shape[-2:])
    return torch.linalg.solve(a, b)


def _hermitian(a: Any) -> Any:
    return (a + a.mH) / 2


def _spread(n: int, dtype: Any) -> Any:
    return torch.diag(torch.arange(n, dtype=torch.float64) * 1.5).to(dtype)


def _sqabs(v: Any) -> Any:
    return (v * v.conj()).real if v.is_complex() else v * v


def _eigh(a: Any) -> Any:
    w, v = torch.linalg.eigh(_hermitian(a) + _spread(a.shape[-1], a.dtype))
    return w, _sqabs(v)


def _eig(a: Any) -> Any:
    w, v = torch.linalg.eig(a + _spread(a.shape[-1], a.dtype))
    return w, _sqabs(v)


def _svd(p: dict[str, Any]) -> TorchFn:
    def f(a: Any) -> Any:
        u, s, vh = torch.linalg.svd(a, full_matrices=p["full_matrices"])
        k = min(a.shape[-2:])
        u, vh = u[..., :, :k], vh[..., :k, :]
        return s, _sqabs(u), _sqabs(vh), u @ vh

    return f


def _qr(p: dict[str, Any]) -> TorchFn:
    def f(a: Any) -> Any:
        q, r = torch.linalg.qr(a, mode=p["mode"])
        d = torch.diagonal(r, dim1=-2, dim2=-1)
        phase = d / d.abs() if d.is_complex() else torch.sign(d)
        return q[..., :, : a.shape[-1]] * phase.unsqueeze(-2), phase.conj().unsqueeze(-1) * r

    return f


def _cholesky(p: dict[str, Any]) -> TorchFn:
    def f(a: Any) -> Any:
        n = a.shape[-1]
        return torch.linalg.cholesky(
            _hermitian(a) + n * torch.eye(n, dtype=a.dtype), upper=p["upper"]
        )

    return f


def _vector_norm(p: dict[str, Any]) -> TorchFn:
    return lambda x: torch.linalg.vector_norm(x, ord=p["ord"], dim=p["axis"], keepdim=p["keepdims"])


def _fft1(name: str) -> Callable[[dict[str, Any]], TorchFn]:
    return lambda p: lambda x: getattr(torch.fft, name)(x, n=p["n"], dim=p["axis"], norm=p["norm"])


def _fftn(name: str) -> Callable[[dict[str, Any]], TorchFn]:
    return lambda p: lambda x: getattr(torch.fft, name)(x, s=p["s"], dim=p["axes"], norm=p["norm"])


def _shift(fn: Callable[..., Any], axes: Any) -> TorchFn:
    def f(x: Any) -> Any:
        dims = _dims(x, axes)
        return x * 1 if dims is None else fn(x, dim=dims)  # torch refuses dim=()

    return f


def _unary(name: str) -> Callable[[dict[str, Any]], TorchFn]:
    return lambda p: getattr(torch, name)


def _special(name: str) -> Callable[[dict[str, Any]], TorchFn]:
    return lambda p: getattr(torch.special, name)


# Op name -> (params -> torch function of the same inputs, then the constant tensors).
TORCH: dict[str, Callable[[dict[str, Any]], TorchFn]] = {
    # element-wise: same name in torch, unless mapped
    **{
        name: _unary(name)
        for name in (
            "abs",
            "negative",
            "positive",
            "square",
            "sqrt",
            "reciprocal",
            "add",
            "subtract",
            "multiply",
            "divide",
            "floor_divide",
            "remainder",
            "pow",
            "maximum",
            "minimum",
            "copysign",
            "hypot",
            "atan2",
            "logaddexp",
            "exp",
            "expm1",
            "log",
            "log1p",
            "log2",
            "log10",
            "sin",
            "cos",
            "tan",
            "asin",
            "acos",
            "atan",
            "sinh",
            "cosh",
            "tanh",
            "asinh",
            "acosh",
            "atanh",
            "ceil",
            "floor",
            "trunc",
            "real",
            "relu",
        )
    },
    # torch has no derivative for floor_divide (nor a complex round): their definitions
    "floor_divide": lambda p: lambda a, b: torch.floor(a / b),
    "round": lambda p: (
        lambda x: (
            torch.complex(torch.round(x.real), torch.round(x.imag))
            if x.is_complex()
            else torch.round(x)
        )
    ),
    "sign": lambda p: torch.sgn,  # torch.sign refuses complex; sgn is the standard's sign
    "conj": lambda p: torch.conj_physical,
    "imag": lambda p: torch.imag,
    "clip": _clip,
    "where": _where,
    # reductions
    "sum": _reduce(lambda x, d, k, p: torch.sum(x, dim=d, keepdim=k)),
    "prod": _reduce(_prod),
    "mean": _reduce(lambda x, d, k, p: torch.mean(x, dim=d, keepdim=k)),
    "var": _reduce(lambda x, d, k, p: torch.var(x, dim=d, correction=p["correction"], keepdim=k)),
    "std": _reduce(lambda x, d, k, p: torch.std(x, dim=d, correction=p["correction"], keepdim=k)),
    "max": _reduce(lambda x, d, k, p: torch.amax(x, dim=d, keepdim=k)),
    "min": _reduce(lambda x, d, k, p: torch.amin(x, dim=d, keepdim=k)),
    "cumulative_sum": _cumulative(torch.cumsum, 0.0),
    "cumulative_prod": _cumulative(torch.cumprod, 1.0),
    # manipulation
    "broadcast_arrays": lambda p: lambda *xs: tuple(torch.broadcast_tensors(*xs)),
    "broadcast_to": lambda p: lambda x: torch.broadcast_to(x, p["shape"]),
    "concat": _concat,
    "expand_dims": _expand_dims,
    "flip": lambda p: (
        lambda x: torch.flip(
            x, dims=tuple(range(x.ndim)) if p["axis"] is None else _dims(x, p["axis"]) or ()
        )
    ),
    "moveaxis": lambda p: lambda x: torch.movedim(x, p["source"], p["destination"]),
    "permute_dims": lambda p: lambda x: torch.permute(x, p["axes"]),
    "repeat": _repeat,
    "reshape": lambda p: lambda x: torch.reshape(x, p["shape"]),
    "roll": lambda p: lambda x: torch.roll(x, p["shift"], dims=p["axis"]),
    "squeeze": lambda p: lambda x: torch.squeeze(x, p["axis"]),
    "stack": lambda p: lambda *xs: torch.stack(xs, dim=p["axis"]),
    "tile": lambda p: lambda x: torch.tile(x, p["repetitions"]),
    "unstack": lambda p: lambda x: tuple(torch.unbind(x, dim=p["axis"])),
    "_copy": lambda p: lambda x: x.clone(),
    "_fmod": lambda p: torch.fmod,
    "astype": lambda p: lambda x: x.to(getattr(torch, p["dtype"])),
    # indexing
    "__getitem__": _getitem,
    "take": _take,
    "take_along_axis": lambda p: lambda x, i: torch.take_along_dim(x, i, dim=p["axis"]),
    "_scatter_add": _scatter_add,
    "_scatter_along_axis": lambda p: (
        lambda g, i: torch.zeros(p["shape"], dtype=g.dtype).scatter_add(p["axis"], i, g)
    ),
    "_check_range": lambda p: lambda x: x.clone(),
    "_put": _put,
    "_matmul_nt": lambda p: lambda a, b: torch.matmul(a, b.mT),
    "_matmul_tn": lambda p: lambda a, b: torch.matmul(a.mT, b),
    "_relu_backward": lambda p: lambda g, x: torch.where(x > 0, g, torch.zeros_like(g)),
    "_mask_grad": lambda p: lambda g, keep: torch.where(keep, g, torch.zeros_like(g)),
    "_log_softmax": lambda p: lambda x: torch.log_softmax(x, dim=p["axis"]),
    "_softmax": lambda p: lambda x: torch.softmax(x, dim=p["axis"]),
    "_nll_loss": lambda p: (
        lambda x, t: torch.nn.functional.nll_loss(
            x, t, ignore_index=p["ignore_index"], reduction=p["reduction"]
        )
    ),
    "_cross_entropy": lambda p: (
        lambda x, t: torch.nn.functional.cross_entropy(
            x, t, ignore_index=p["ignore_index"], reduction=p["reduction"]
        )
    ),
    "_embedding": lambda p: (
        lambda w, ids: torch.nn.functional.embedding(ids, w, padding_idx=p["padding_idx"])
    ),
    "_extreme_indices": lambda p: (
        lambda x: (
            (torch.max if p["largest"] else torch.min)(
                x, dim=p["axis"], keepdim=p["keepdims"]
            ).values
        )
    ),
    "_gelu": lambda p: lambda x: torch.nn.functional.gelu(x, approximate=p["approximate"]),
    "_logcumsumexp": lambda p: lambda x: torch.logcumsumexp(x, p["axis"]),
    "_layer_norm": lambda p: (
        lambda x, w=None, b=None: torch.nn.functional.layer_norm(
            x, tuple(x.shape[x.ndim - len(p["axes"]) :]), w, b, eps=p["eps"]
        )
    ),
    "_strong_zero": lambda p: (
        lambda x, g: torch.where((g == 0) & torch.isnan(x), torch.zeros_like(x), x)
    ),
    # creation
    "meshgrid": lambda p: lambda *xs: tuple(torch.meshgrid(*xs, indexing=p["indexing"])),
    "tril": lambda p: lambda x: torch.tril(x, diagonal=p["k"]),
    "triu": lambda p: lambda x: torch.triu(x, diagonal=p["k"]),
    # sorting
    "sort": lambda p: lambda x: torch.sort(x, dim=p["axis"], descending=p["descending"]).values,
    # linear algebra
    "matmul": lambda p: torch.matmul,
    "matrix_transpose": lambda p: lambda x: x.mT,
    "tensordot": lambda p: (
        lambda a, b: torch.tensordot(
            a, b, dims=p["axes"] if isinstance(p["axes"], int) else [list(d) for d in p["axes"]]
        )
    ),
    "vecdot": lambda p: lambda a, b: torch.linalg.vecdot(a, b, dim=p["axis"]),
    "linalg.cross": lambda p: (
        lambda a, b: torch.linalg.cross(  # torch wants equal ndims
            *torch.broadcast_tensors(a, b), dim=p["axis"]
        )
    ),
    "linalg.outer": lambda p: torch.outer,
    "linalg.diagonal": lambda p: lambda x: torch.diagonal(x, offset=p["offset"], dim1=-2, dim2=-1),
    "linalg.trace": lambda p: (
        lambda x: torch.diagonal(x, offset=p["offset"], dim1=-2, dim2=-1).sum(-1)
    ),
    "linalg.det": lambda p: torch.linalg.det,
    "linalg.inv": lambda p: torch.linalg.inv,
    "linalg.slogdet": lambda p: lambda x: tuple(torch.linalg.slogdet(x)),
    "linalg.matrix_power": lambda p: lambda x: torch.linalg.matrix_power(x, p["n"]),
    "linalg.solve": lambda p: _solve,
    "linalg.cholesky": _cholesky,
    "linalg.eigh": lambda p: _eigh,
    "linalg.eigvalsh": lambda p: (
        lambda a: torch.linalg.eigvalsh(_hermitian(a) + _spread(a.shape[-1], a.dtype))
    ),
    "linalg.eig": lambda p: _eig,
    "linalg.eigvals": lambda p: lambda a: torch.linalg.eigvals(a + _spread(a.shape[-1], a.dtype)),
    "linalg.svd": _svd,
    "linalg.svdvals": lambda p: torch.linalg.svdvals,
    "linalg.qr": _qr,
    "linalg.pinv": lambda p: torch.linalg.pinv,
    "linalg.matrix_norm": lambda p: (
        lambda x: torch.linalg.matrix_norm(x, ord=p["ord"], keepdim=p["keepdims"])
    ),
    "linalg.vector_norm": _vector_norm,
    # fft
    **{f"fft.{n}": _fft1(n) for n in ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")},
    **{f"fft.{n}": _fftn(n) for n in ("fftn", "ifftn", "rfftn", "irfftn")},
    "fft.fftshift": lambda p: _shift(torch.fft.fftshift, p["axes"]),
    "fft.ifftshift": lambda p: _shift(torch.fft.ifftshift, p["axes"]),
    # special: torch.special's function of the same name, unless mapped
    **{
        f"special.{n}": _special(n)
        for n in (
            "erf",
            "erfc",
            "erfinv",
            "expit",
            "logit",
            "log_ndtr",
            "ndtr",
            "ndtri",
            "gammaln",
            "digamma",
            "entr",
            "xlogy",
            "xlog1py",
            "i0",
            "i0e",
            "i1",
            "i1e",
            "sinc",
        )
    },
    "special.erfcx": _special("erfcx"),
    # (the gradient checks differentiate the second argument, drawn first; see domains.py)
    "special.zeta": lambda p: lambda x, a: torch.special.zeta(a, x),
    "special.gammainc": lambda p: lambda x, a: torch.special.gammainc(a, x),
    "special.gammaincc": lambda p: lambda x, a: torch.special.gammaincc(a, x),
    "special.softplus": lambda p: torch.nn.functional.softplus,
    "special.gamma": lambda p: lambda x: torch.exp(torch.lgamma(x)),
    "special.betaln": lambda p: (
        lambda a, b: torch.lgamma(a) + torch.lgamma(b) - torch.lgamma(a + b)
    ),
    "special.beta": lambda p: (
        lambda a, b: torch.exp(torch.lgamma(a) + torch.lgamma(b) - torch.lgamma(a + b))
    ),
    "special.chdtr": lambda p: lambda x, v: torch.special.gammainc(v / 2, x / 2),
    "special.chdtrc": lambda p: lambda x, v: torch.special.gammaincc(v / 2, x / 2),
    "special.polygamma": lambda p: lambda x: torch.special.polygamma(p["n"], x),
}

NOT_IN_TORCH: dict[str, str] = {
    **{
        f"special.{name}": f"torch.special has no {name} (nor the incomplete beta function); "
        f"its values are SciPy's and its gradient is checked against central differences"
        for name in ("betainc", "betaincc", "stdtr", "stdtrit", "fdtr", "fdtrc")
    },
    "to_backend": "moves a tensor between polytensor backends; torch has no such op",
    "nextafter": "torch.nextafter has no derivative (its backward is not implemented)",
    "_nll_loss_backward": "the gradient of nll_loss (crosschecked as _nll_loss's); torch has no "
    "public function for it",
    "_cross_entropy_backward": "the gradient of cross_entropy (crosschecked as _cross_entropy's); "
    "torch has no public function for it",
    "_embedding_backward": "the gradient of embedding (crosschecked as _embedding's); torch's "
    "embedding_dense_backward is not public",
    "_gelu_backward": "the gradient of gelu (crosschecked as _gelu's); torch has no public "
    "function for it",
}

# Linear algebra goes through LAPACK in both libraries, in different orders of operations.
LOOSE = ("linalg.", "matmul", "tensordot", "vecdot")
# torch's trigamma and polygamma (the derivatives of digamma and polygamma) are series accurate to
# about 1e-9; polytensor's are SciPy's
LOOSE += ("special.digamma", "special.polygamma")


def test_every_differentiable_op_is_crosschecked_or_says_why_not() -> None:
    names = {op.name for op in differentiable_ops()}
    missing = sorted(names - set(TORCH) - set(NOT_IN_TORCH))
    assert not missing, (
        f"differentiable ops with no torch counterpart in TORCH and no reason "
        f"in NOT_IN_TORCH: {missing}"
    )
    stale = sorted((set(TORCH) | set(NOT_IN_TORCH)) - names)
    assert not stale, f"entries of TORCH / NOT_IN_TORCH that are not differentiable ops: {stale}"


def _tuple(y: Any) -> tuple[Any, ...]:
    return tuple(y) if isinstance(y, (tuple, list)) else (y,)


def _cotangent(rng: np.random.Generator, like: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    u = rng.standard_normal(like.shape)
    if like.dtype.kind == "c":
        u = u + 1j * rng.standard_normal(like.shape)
    return np.asarray(u, dtype=like.dtype)


KEEP_DTYPES = {"broadcast_arrays"}  # each output keeps its input's dtype


def _promoted(ts: list[Any]) -> list[Any]:
    """float64 inputs as complex128 when another input is complex: polytensor promotes them
    (the standard's rules), torch's matmul, tensordot, vecdot, where... do not. The cast is
    differentiable: the real input gets the real part of its gradient, in both libraries."""
    if not any(t.is_complex() for t in ts):
        return ts
    return [t.to(torch.complex128) if t.dtype == torch.float64 else t for t in ts]


def crosscheck(op: Any, case: GradCase) -> None:
    rtol, atol = (1e-7, 1e-9) if op.name.startswith(LOOSE) else (1e-10, 1e-12)
    xs = [pt.asarray(np.array(a, copy=True), requires_grad=True) for a in case.inputs]
    cs = [pt.asarray(np.array(c, copy=True)) for c in case.consts]
    ts = [torch.tensor(np.array(a, copy=True), requires_grad=True) for a in case.inputs]
    tcs = [torch.tensor(np.array(c, copy=True)) for c in case.consts]

    outs = _tuple(case.fn(*xs, *cs))
    tin = ts if op.name in KEEP_DTYPES else _promoted(ts)
    touts = _tuple(TORCH[op.name](case.params)(*tin, *tcs))
    assert len(outs) == len(touts), f"{len(outs)} outputs, torch gives {len(touts)}"
    rng = np.random.default_rng(0)
    cots = []
    for i, (o, t) in enumerate(zip(outs, touts, strict=True)):
        got = o.detach().numpy(force=True)
        want = t.detach().numpy(force=True)
        np.testing.assert_allclose(
            got, want, rtol=rtol, atol=atol, err_msg=f"forward output {i}", strict=True
        )
        cots.append(_cotangent(rng, got))
    live = [(o, c) for o, c in zip(outs, cots, strict=True) if o.requires_grad]
    gs = (
        pt.autograd.grad(
            [o for o, _ in live],
            xs,
            grad_outputs=[pt.asarray(c) for _, c in live],
            allow_unused=True,
        )
        if live
        else (None,) * len(xs)
    )
    # torch marks some piecewise-constant outputs (floor_divide) as not differentiable
    tlive = [(t, c) for t, c in zip(touts, cots, strict=True) if t.requires_grad]
    tgs = (
        torch.autograd.grad(
            [t for t, _ in tlive],
            ts,
            grad_outputs=[torch.tensor(c) for _, c in tlive],
            allow_unused=True,
        )
        if tlive
        else (None,) * len(ts)
    )
    for k, (g, tg, x) in enumerate(zip(gs, tgs, case.inputs, strict=True)):
        got = np.zeros_like(x) if g is None else g.detach().numpy()
        want = np.zeros_like(x) if tg is None else tg.detach().numpy(force=True)
        scale = 1.0 + float(np.max(np.abs(want), initial=0.0))
        np.testing.assert_allclose(
            got, want, rtol=rtol, atol=atol * scale, err_msg=f"gradient of input {k}", strict=True
        )


@pytest.mark.parametrize(
    ("op", "variant"), [c for c in gradient_cases() if c.values[0].name in TORCH]
)
def test_gradient_matches_torch(op: Any, variant: Any) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = grad_sample(data.draw, op, variant)
        note(case.label)
        crosscheck(op, case)

    run()


# -- ties: the split of the gradient ------------------------------------------------------------
def _both(values: list[Any]) -> tuple[Any, Any]:
    a = np.array(values, dtype=np.float64)
    return pt.asarray(a.copy(), requires_grad=True), torch.tensor(a.copy(), requires_grad=True)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_elementwise_ties_split_the_gradient_as_torch_does(name: str) -> None:
    x1, t1 = _both([1.0, 2.0, 3.0, -1.0])
    x2, t2 = _both([1.0, 5.0, 3.0, -2.0])
    u = np.array([0.3, -1.2, 2.0, 0.7])
    g1, g2 = pt.autograd.grad(getattr(pt, name)(x1, x2), [x1, x2], grad_outputs=pt.asarray(u))
    w1, w2 = torch.autograd.grad(
        getattr(torch, name)(t1, t2), [t1, t2], grad_outputs=torch.tensor(u)
    )
    np.testing.assert_array_equal(g1.numpy(), w1.numpy())
    np.testing.assert_array_equal(g2.numpy(), w2.numpy())


@pytest.mark.parametrize(("name", "torch_name"), [("max", "amax"), ("min", "amin")])
def test_reduction_ties_split_the_gradient_as_torch_does(name: str, torch_name: str) -> None:
    x, t = _both([[1.0, 3.0, 3.0], [-2.0, -2.0, -2.0]])
    for axis in (None, 1):
        dims = tuple(range(2)) if axis is None else axis
        y = getattr(pt, name)(x, axis=axis)
        ty = getattr(torch, torch_name)(t, dim=dims)
        u = np.linspace(0.5, 1.5, ty.numel()).reshape(tuple(ty.shape))
        (g,) = pt.autograd.grad(y, [x], grad_outputs=pt.asarray(u))
        (w,) = torch.autograd.grad(ty, [t], grad_outputs=torch.tensor(u))
        np.testing.assert_allclose(
            g.numpy(), w.numpy(), rtol=1e-15, atol=0, err_msg=f"{name}(axis={axis})"
        )
