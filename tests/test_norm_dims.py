"""``x.norm(p, dim)`` and ``pt.norm`` honour ``dim`` for every ``p`` (the nuclear norm over two
dims, batched over the others) and refuse a dim out of range with an IndexError."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt

A = np.random.default_rng(0).standard_normal((2, 3, 4))


def _nuclear(a: np.ndarray, dims: tuple[int, int]) -> np.ndarray:
    rest = [i for i in range(a.ndim) if i not in dims]
    m = np.transpose(a, (*rest, *dims))
    return np.linalg.svd(m, compute_uv=False).sum(axis=-1)  # type: ignore[no-any-return]


@pytest.mark.parametrize("dims", [(0, 1), (0, 2), (2, 0), (1, 2), (-1, -3)])
def test_nuclear_norm_over_two_dims_is_batched_over_the_others(dims: tuple[int, int]) -> None:
    x = pt.asarray(A)
    d = tuple(i % 3 for i in dims)
    want = _nuclear(A, (d[0], d[1]))
    np.testing.assert_allclose(x.norm(p="nuc", dim=dims).numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(pt.norm(x, p="nuc", dim=dims).numpy(), want, rtol=1e-12)


def test_nuclear_norm_keepdim_puts_ones_where_the_dims_were() -> None:
    y = pt.asarray(A).norm(p="nuc", dim=(0, 2), keepdim=True)
    assert y.shape == (1, 3, 1)
    np.testing.assert_allclose(y.numpy()[0, :, 0], _nuclear(A, (0, 2)), rtol=1e-12)


def test_nuclear_norm_of_a_matrix_without_dim_and_its_gradient() -> None:
    m = pt.asarray(A[0], requires_grad=True)
    y = m.norm(p="nuc")
    np.testing.assert_allclose(float(y), np.linalg.norm(A[0], "nuc"), rtol=1e-12)
    y.backward()
    u, _, vh = np.linalg.svd(A[0], full_matrices=False)
    np.testing.assert_allclose(m.grad.numpy(), u @ vh, atol=1e-12)


def test_nuclear_norm_with_dim_differentiates_per_matrix() -> None:
    x = pt.asarray(A, requires_grad=True)
    x.norm(p="nuc", dim=(0, 2)).sum().backward()
    for j in range(3):
        u, _, vh = np.linalg.svd(A[:, j, :], full_matrices=False)
        np.testing.assert_allclose(x.grad.numpy()[:, j, :], u @ vh, atol=1e-12)


@pytest.mark.parametrize("p", [2, 1, "fro", "nuc"])
@pytest.mark.parametrize("call", ["method", "function"])
def test_a_dim_out_of_range_is_an_index_error_that_names_it(p: object, call: str) -> None:
    x = pt.ones(2, 2)
    norm = x.norm if call == "method" else (lambda **kw: pt.norm(x, **kw))
    with pytest.raises(IndexError, match=r"dim=5, out of range for a 2-D tensor.*\[-2, 1\]"):
        norm(p=p, dim=(0, 5) if p == "nuc" else 5)


def test_nuclear_norm_needs_two_dims() -> None:
    with pytest.raises(ValueError, match="needs dim= of two dimensions"):
        pt.ones(2, 2, 2).norm(p="nuc")
    with pytest.raises(ValueError, match="needs dim= of two dimensions"):
        pt.ones(2, 2).norm(p="nuc", dim=0)
    with pytest.raises(ValueError, match="more than once"):
        pt.ones(2, 2).norm(p="fro", dim=(0, 0))


def test_norms_with_dim_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed: nothing to compare with")
    x, t = pt.asarray(A), torch.tensor(A)
    for kw in (
        {"p": "nuc", "dim": (0, 2)},
        {"p": "nuc", "dim": (1, 2), "keepdim": True},
        {"p": "fro", "dim": (0, 2)},
        {"p": 1, "dim": -1},
        {"p": 3, "dim": (0, 1)},
    ):
        np.testing.assert_allclose(x.norm(**kw).numpy(), t.norm(**kw).numpy(), rtol=1e-12)
    with pytest.raises(IndexError):
        torch.ones(2, 2).norm(dim=5)


def test_dim_of_a_zero_d_tensor_is_its_one_element() -> None:
    x = pt.asarray(-3.0)
    assert float(x.norm(dim=0)) == 3.0 and float(x.norm(dim=-1)) == 3.0
    with pytest.raises(IndexError, match=r"dim=1, out of range for a 0-D tensor"):
        x.norm(dim=1)
