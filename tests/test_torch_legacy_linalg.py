"""PyTorch's older linear-algebra spellings (``svd`` with ``V``, ``qr(some)``,
``cholesky(upper)``, ``ger``, ``chain_matmul``) give torch's values and float64 gradients,
as functions and as Tensor methods, on every available backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import diff, host, run_both  # noqa: E402

RNG = np.random.default_rng(2)
A = RNG.standard_normal((4, 3))
BATCH = RNG.standard_normal((2, 3, 5))
SPD = A.T @ A + 3 * np.eye(3)


def _invariant_svd(lib: Any, a: Any, some: bool = True) -> Any:
    """U diag(S) V^T and S: free of the singular vectors' signs."""
    u, s, v = lib.svd(a, some=some)
    k = s.shape[-1]
    return (u[..., :k] * s[..., None, :]) @ v[..., :k].mT + s.sum()


def _product_and_sum(q: Any, r: Any) -> Any:
    return q @ r + r.sum()


CASES: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "svd": (lambda L, a: _invariant_svd(L, a), (diff(A),)),
    "svd batch": (lambda L, a: _invariant_svd(L, a), (diff(BATCH),)),
    "svd not some": (lambda L, a: _invariant_svd(L, a, some=False), (diff(A),)),
    "svd values": (lambda L, a: L.svd(a, compute_uv=False).S, (diff(BATCH),)),
    "svd method": (lambda L, a: a.svd()[1], (diff(A),)),
    "qr": (lambda L, a: _product_and_sum(*L.qr(a)), (diff(A),)),
    "qr method": (lambda L, a: a.qr()[0].abs().sum() + a.qr()[1].abs(), (diff(A),)),
    "cholesky": (lambda L, a: L.cholesky(a), (diff(SPD),)),
    "cholesky upper": (lambda L, a: L.cholesky(a, upper=True), (diff(SPD),)),
    "cholesky method": (lambda L, a: a.cholesky(True), (diff(SPD),)),
    "ger": (lambda L, a, b: L.ger(a, b), (diff(A[:, 0].copy()), diff(A[0].copy()))),
    "ger method": (lambda L, a, b: a.ger(b), (diff(A[:, 0].copy()), diff(A[0].copy()))),
    "chain_matmul": (
        lambda L, a, b, c: L.chain_matmul(a, b, c),
        (diff(A), diff(SPD), diff(A.T.copy())),
    ),
    "chain_matmul one": (lambda L, a: L.chain_matmul(a), (diff(A),)),
}


@pytest.mark.filterwarnings("ignore::UserWarning")  # (torch's deprecation warnings)
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_values_and_float64_gradients(backend: str, name: str) -> None:
    fn, args = CASES[name]
    run_both(
        lambda *a: fn(pt, *a), lambda *a: fn(torch, *a), args, tol={"rtol": 1e-9, "atol": 1e-10}
    )


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_svd_and_qr_shapes_and_names_as_torch(backend: str) -> None:
    for some in (True, False):
        for compute_uv in (True, False):
            got = pt.svd(pt.asarray(BATCH), some=some, compute_uv=compute_uv)
            want = torch.svd(torch.tensor(BATCH), some=some, compute_uv=compute_uv)
            assert [tuple(t.shape) for t in got] == [tuple(t.shape) for t in want]
            assert (got.U.shape, got.V.shape) == (tuple(want.U.shape), tuple(want.V.shape))
            if not compute_uv:
                assert float(host(got.U).sum()) == 0.0 and float(host(got.V).sum()) == 0.0
        q, r = pt.qr(pt.asarray(A), some=some)
        tq, tr = torch.qr(torch.tensor(A), some=some)
        assert (tuple(q.shape), tuple(r.shape)) == (tuple(tq.shape), tuple(tr.shape))
        np.testing.assert_allclose(host(q @ r), A, atol=1e-12)
    # V, not Vh: torch's columns (up to their signs)
    v, tv = host(pt.svd(pt.asarray(A)).V), torch.svd(torch.tensor(A)).V.numpy()
    np.testing.assert_allclose(np.abs(v), np.abs(tv), atol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: pt.ger(pt.ones(2, 1), pt.ones(2)), RuntimeError, "1-D"),
        (lambda: pt.chain_matmul(pt.ones(2)), RuntimeError, "2-d tensors"),
        (lambda: pt.chain_matmul(), RuntimeError, "one or more matrices"),
        (lambda: pt.cholesky(pt.ones(2, 3)), RuntimeError, "square"),
        (lambda: pt.svd(pt.ones(3)), RuntimeError, "at least 2 dimensions"),
        (lambda: pt.qr(pt.ones(3)), RuntimeError, "at least 2 dimensions"),
        (lambda: pt.svd([[1.0]]), TypeError, "polytensor Tensor"),
    ],
)
def test_wrong_arguments_raise_torch_classes(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (3, 5), (5, 3), (1, 1)])
def test_lu_matches_torch_factors_pivots_and_float64_gradients(
    backend: str, shape: tuple[int, ...]
) -> None:
    a = np.random.default_rng(sum(shape)).standard_normal(shape)
    p_out, t_out = run_both(
        lambda x: pt.lu(x), lambda x: torch.lu(x), (diff(a),), tol={"rtol": 1e-9, "atol": 1e-10}
    )
    assert p_out[1].dtype == pt.int32
    m = shape[-1]
    # the packed factors give a back: P L U, the rows swapped back in reverse order
    lower = np.tril(host(p_out[0])[..., :, : min(shape[-2:])], -1) + np.eye(
        shape[-2], min(shape[-2:])
    )
    upper = np.triu(host(p_out[0])[..., : min(shape[-2:]), :m])
    rebuilt = lower @ upper
    for i in reversed(range(min(shape[-2:]))):
        for b in np.ndindex(*shape[:-2]):
            j = host(p_out[1])[b + (i,)] - 1
            rebuilt[b + (slice(None),)][[i, j]] = rebuilt[b + (slice(None),)][[j, i]]
    np.testing.assert_allclose(rebuilt, a, atol=1e-12)
    assert host(p_out[1]).tolist() == t_out[1].tolist()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_lu_infos_of_singular_matrices_and_the_method_match_torch(backend: str) -> None:
    for a in (np.array([[1.0, 2.0], [2.0, 4.0]]), np.zeros((2, 2, 2))):
        got = pt.asarray(a).lu(get_infos=True)
        want = torch.tensor(a).lu(get_infos=True)  # (a plain tuple: torch's method's)
        np.testing.assert_array_equal(host(got.LU), want[0].numpy())
        assert host(got.pivots).tolist() == want[1].tolist()
        assert host(got.info).tolist() == want[2].tolist()
    # without pivoting (torch's CPU refuses it): the factors of the rows as they are
    packed, pivots = pt.lu(pt.asarray([[2.0, 1.0], [4.0, 3.0]]), pivot=False)
    assert host(packed).tolist() == [[2.0, 1.0], [2.0, 1.0]] and host(pivots).tolist() == [1, 2]
    with pytest.raises(TypeError, match="floating-point"):
        pt.lu(pt.ones(2, 2, dtype=pt.int64))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        pt.lu(pt.ones(3))
