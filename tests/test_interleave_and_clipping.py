"""``pt.repeat_interleave`` / ``Tensor.repeat_interleave`` and ``nn.utils`` (gradient
clipping, parameters as one vector), against torch and on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn

BACKENDS = ["numpy", "dask", "array_api_strict"]


def _on(name: str) -> Any:
    try:
        pt.backends.get(name)
    except pt.backends.BackendUnavailable as e:
        pytest.skip(f"{name} cannot run here: {e}")
    return pt.use_backend(name)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


A = np.arange(6.0).reshape(2, 3)

CASES: dict[str, Any] = {
    "int, flattened": lambda lib, x: lib.repeat_interleave(x, 2),
    "int, dim 0": lambda lib, x: x.repeat_interleave(3, dim=0),
    "int, dim -1": lambda lib, x: x.repeat_interleave(2, dim=-1),
    "counts, dim 0": lambda lib, x: lib.repeat_interleave(x, lib.tensor([1, 2]), dim=0),
    "counts, dim 1": lambda lib, x: x.repeat_interleave(lib.tensor([0, 2, 1]), dim=1),
    "one count as a tensor": lambda lib, x: x.repeat_interleave(lib.tensor([2]), dim=1),
    "zero repeats": lambda lib, x: x.repeat_interleave(0, dim=0),
    "output_size": lambda lib, x: x.repeat_interleave(2, dim=0, output_size=4),
}


# several counts on Dask: the result's length is their sum, unknown until computed, and Dask
# never computes implicitly (the standard's repeat has the same limit there)
DASK_REFUSES = {"counts, dim 0", "counts, dim 1"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_repeat_interleave_values_and_gradients_match_torch(case: str) -> None:
    torch = pytest.importorskip("torch", reason="torch not installed: no reference")
    f = CASES[case]
    tx = torch.tensor(A, requires_grad=True)
    want = f(torch, tx)
    (want * want).sum().backward()
    for backend in BACKENDS:
        with _on(backend):
            x = pt.tensor(A, requires_grad=True)
            if backend == "dask" and case in DASK_REFUSES:
                with pytest.raises(NotImplementedError, match="shape is unknown"):
                    f(pt, x)  # (a length that is the counts' sum: known once computed)
                continue
            got = f(pt, x)
            np.testing.assert_array_equal(_host(got), want.detach().numpy(), err_msg=backend)
            (got * got).sum().backward()
            np.testing.assert_array_equal(_host(x.grad), tx.grad.numpy(), err_msg=backend)


def test_repeat_interleave_of_counts_alone_and_of_a_scalar() -> None:
    assert pt.repeat_interleave(pt.tensor([2, 0, 1])).tolist() == [0, 0, 2]
    assert pt.tensor(5).repeat_interleave(2).tolist() == [5, 5]
    # Dive into Deep Learning's masked softmax: one valid length per row, for each query
    assert pt.repeat_interleave(pt.tensor([2, 3]), 2).tolist() == [2, 2, 3, 3]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: pt.repeat_interleave([1, 2], 2), TypeError, "tensor"),
        (lambda: pt.repeat_interleave(pt.ones(3), -1), RuntimeError, "non-negative"),
        (lambda: pt.repeat_interleave(pt.ones(3), pt.tensor([1, -1, 1])), RuntimeError, "negative"),
        (lambda: pt.repeat_interleave(pt.ones(3), pt.tensor([1, 2])), RuntimeError, "one count"),
        (lambda: pt.repeat_interleave(pt.ones(3), 1.5), TypeError, "int"),
        (lambda: pt.repeat_interleave(pt.ones(3), pt.tensor([1.0, 2, 3])), ValueError, "integer"),
        (lambda: pt.repeat_interleave(pt.ones(2, 2), 2, dim=2), IndexError, "range"),
        (lambda: pt.repeat_interleave(pt.ones(3), 2, output_size=5), RuntimeError, "output_size"),
        (lambda: pt.repeat_interleave(pt.ones(2, 2)), ValueError, "1-D integer"),
    ],
)
def test_repeat_interleave_errors(call: Any, error: type, words: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3.0])
def test_clip_grad_norm_matches_torch(norm_type: float) -> None:
    torch = pytest.importorskip("torch", reason="torch not installed: no reference")
    g = np.random.default_rng(0)
    data = [g.standard_normal((3, 4)), g.standard_normal(5) * 4]
    for backend in BACKENDS:
        with _on(backend):
            ps = [pt.tensor(d, requires_grad=True) for d in data]
            ts = [torch.tensor(d, requires_grad=True) for d in data]
            for p, t in zip(ps, ts, strict=True):
                (p * p * p).sum().backward()
                (t * t * t).sum().backward()
            total = nn.utils.clip_grad_norm_(ps, 2.5, norm_type=norm_type)
            want = torch.nn.utils.clip_grad_norm_(ts, 2.5, norm_type=norm_type)
            np.testing.assert_allclose(float(total), float(want), rtol=1e-12, err_msg=backend)
            for p, t in zip(ps, ts, strict=True):
                np.testing.assert_allclose(_host(p.grad), t.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_edges() -> None:
    w = pt.tensor([0.1, 0.2], requires_grad=True)
    (w * 1.0).sum().backward()
    before = _host(w.grad).copy()
    total = nn.utils.clip_grad_norm_(w, max_norm=10.0)  # (a lone tensor; under the bound)
    np.testing.assert_array_equal(_host(w.grad), before)
    assert abs(float(total) - np.sqrt(2)) < 1e-6
    assert float(nn.utils.clip_grad_norm_([pt.ones(2, requires_grad=True)], 1.0)) == 0.0
    n = pt.tensor([1.0], requires_grad=True)
    (n * float("inf")).sum().backward()
    with pytest.raises(RuntimeError, match="error_if_nonfinite"):
        nn.utils.clip_grad_norm_([n], 1.0, error_if_nonfinite=True)
    with pytest.raises(TypeError, match="iterable of tensors"):
        nn.utils.clip_grad_norm_(3, 1.0)


def test_clip_grad_value_and_vectors() -> None:
    lin = nn.Linear(3, 2)
    lin(pt.ones(4, 3) * 10).sum().backward()
    nn.utils.clip_grad_value_(lin.parameters(), 0.5)
    assert all(float(p.grad.abs().max()) <= 0.5 for p in lin.parameters())
    v = nn.utils.parameters_to_vector(lin.parameters())
    assert tuple(v.shape) == (8,) and v.requires_grad
    nn.utils.vector_to_parameters(pt.arange(8.0), lin.parameters())
    assert _host(lin.weight).tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert _host(lin.bias).tolist() == [6.0, 7.0]
    with pytest.raises(ValueError, match="need 8"):
        nn.utils.vector_to_parameters(pt.zeros(3), lin.parameters())


MOVES = [(0, -1), ((0, 1), (2, 0)), (-1, 0), ((0, 2), (1, 0)), ([1], [2]), ((), ())]


@pytest.mark.parametrize("backend", BACKENDS)
def test_swapaxes_swapdims_movedim_are_views_as_torch(backend: str) -> None:
    a = np.arange(24.0).reshape(2, 3, 4)
    torch = None
    try:
        import torch
    except ImportError:  # (torch is the reference, not a dependency: polytensor's side alone)
        torch = None
    with _on(backend):
        for src, dst in MOVES:
            got = _host(pt.tensor(a).movedim(src, dst))
            np.testing.assert_array_equal(got, np.moveaxis(a, src, dst))
            if torch is not None:
                np.testing.assert_array_equal(got, torch.tensor(a).movedim(src, dst).numpy())
        x = pt.tensor(a)
        s = x.swapaxes(0, 2)
        s[1, 0, 0] = 100.0
        assert float(x[0, 0, 1]) == 100.0
        assert tuple(pt.swapdims(x, 1, 2).shape) == (2, 4, 3)
        assert tuple(x.moveaxis(0, 2).shape) == (3, 4, 2)
        assert tuple(pt.swapaxes(x, -1, 0).shape) == (4, 3, 2)
    with pytest.raises(ValueError, match="same number"):
        pt.ones(2, 3).movedim((0, 1), 0)
    with pytest.raises(ValueError, match="repeated"):
        pt.ones(2, 3).movedim((0, 0), (0, 1))
    with pytest.raises(IndexError):
        pt.ones(2, 3).movedim(2, 0)


def test_module_cuda_names_the_device() -> None:
    if pt.cuda.is_available():
        pytest.skip("CUDA is available here: Module.cuda() moves for real")
    for call in (lambda m: m.cuda(), lambda m: m.cuda(1), lambda m: m.cuda("cuda:0")):
        with pytest.raises(RuntimeError, match=r"(?i)cuda"):
            call(nn.Linear(2, 2))


def test_what_a_review_found_in_the_dimension_functions() -> None:
    x = pt.ones(2, 3, 4)
    assert tuple(pt.swapdims(x, dim0=0, dim1=1).shape) == (3, 2, 4)  # (swapaxes's names before)
    assert tuple(x.swapdims(dim0=0, dim1=2).shape) == (4, 3, 2)
    z = pt.tensor(5.0)
    assert tuple(pt.swapaxes(z, 0, -1).shape) == ()  # (refused before)
    y = z.movedim(0, 0)
    assert y is not z  # (the input itself before: requires_grad_ on one set the other)
    assert tuple(pt.movedim(x, np.int64(0), 2).shape) == (3, 4, 2)
    assert tuple(pt.movedim(x, pt.tensor(0), 1).shape) == (3, 2, 4)
    assert tuple(pt.swapaxes(x, np.int64(0), 2).shape) == (4, 3, 2)
    assert tuple(pt.repeat_interleave(x, np.int64(2), dim=0).shape) == (4, 3, 4)
    with pytest.raises(TypeError, match="movedim\\(\\) expects int dimensions"):
        pt.movedim(x, 0.5, 1)
    with pytest.raises(RuntimeError, match="not a CUDA device"):
        nn.Linear(2, 2).cuda("cpu")


def test_vector_to_parameters_makes_them_views_of_the_vector_as_torch() -> None:
    lin = nn.Linear(3, 2)
    v = pt.arange(9.0)  # (longer than the parameters: its first 8 elements, as torch's)
    nn.utils.vector_to_parameters(v, lin.parameters())
    v.mul_(0)  # (the parameters see it: they are views of v on NumPy)
    assert _host(lin.weight).tolist() == [[0.0] * 3] * 2 and _host(lin.bias).tolist() == [0.0] * 2
    w = pt.arange(8.0, dtype=pt.float64).reshape(8, 1)
    nn.utils.vector_to_parameters(w, lin.parameters())
    assert lin.weight.dtype == pt.float64 and lin.weight.requires_grad
    assert _host(lin.bias).tolist() == [6.0, 7.0]


COSINE = [
    ((3, 4), (3, 4), 1),
    ((3, 4), (1, 4), 1),
    ((2, 5, 3), (2, 5, 3), -1),
    ((4,), (4,), 0),
]


@pytest.mark.parametrize(("s1", "s2", "dim"), COSINE)
def test_cosine_similarity_matches_torch(s1: Any, s2: Any, dim: int) -> None:
    torch = pytest.importorskip("torch", reason="torch not installed: no reference")
    g = np.random.default_rng(1)
    a, b = g.standard_normal(s1), g.standard_normal(s2)
    a.flat[:2] = 1e-12  # (a tiny vector: eps bounds each norm, as torch's)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    want = torch.nn.functional.cosine_similarity(ta, tb, dim=dim)
    (want * want).sum().backward()
    for backend in BACKENDS:
        with _on(backend):
            pa, pb = pt.tensor(a, requires_grad=True), pt.tensor(b, requires_grad=True)
            got = pt.nn.functional.cosine_similarity(pa, pb, dim=dim)
            np.testing.assert_allclose(_host(got), want.detach().numpy(), rtol=1e-12)
            (got * got).sum().backward()
            np.testing.assert_allclose(_host(pa.grad), ta.grad.numpy(), rtol=1e-9, atol=1e-15)
            np.testing.assert_allclose(_host(pb.grad), tb.grad.numpy(), rtol=1e-9, atol=1e-15)
    assert float(pt.cosine_similarity(pt.tensor([1.0, 0.0]), pt.tensor([0.0, 1.0]), dim=0)) == 0.0
    assert float(nn.CosineSimilarity(dim=0)(pt.ones(3), pt.ones(3) * 2)) == pytest.approx(1.0)


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_adaptive_avg_pool1d_matches_torch(size: int) -> None:
    torch = pytest.importorskip("torch", reason="torch not installed: no reference")
    a = np.random.default_rng(2).standard_normal((2, 3, 7))
    ta = torch.tensor(a, requires_grad=True)
    want = torch.nn.AdaptiveAvgPool1d(size)(ta)
    (want * want).sum().backward()
    for backend in BACKENDS:
        with _on(backend):
            pa = pt.tensor(a, requires_grad=True)
            got = nn.AdaptiveAvgPool1d(size)(pa)
            np.testing.assert_allclose(_host(got), want.detach().numpy(), rtol=1e-12)
            (got * got).sum().backward()
            np.testing.assert_allclose(_host(pa.grad), ta.grad.numpy(), rtol=1e-12)
    unbatched = pt.nn.functional.adaptive_avg_pool1d(pt.ones(3, 7), 2)
    assert tuple(unbatched.shape) == (3, 2)
    with pytest.raises(ValueError, match="2-D \\(C, L\\) or 3-D"):
        pt.nn.functional.adaptive_avg_pool1d(pt.ones(7), 2)
