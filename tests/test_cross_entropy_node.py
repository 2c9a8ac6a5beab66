"""``F.cross_entropy`` of class indices is one node (``_cross_entropy``) whose values and
gradients match PyTorch's in float32 and float64 (ignore_index, every reduction, NaN and
infinite scores, second order), and the cases it leaves to the composite (class weights,
label smoothing, probabilities) still do; Dask and array-api-strict give NumPy's values
through the generic functions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

torch = pytest.importorskip("torch")

TOL = {np.float32: {"rtol": 2e-6, "atol": 1e-6}, np.float64: {"rtol": 1e-12, "atol": 1e-13}}


def _run(lib: Any, a: np.ndarray, t: np.ndarray, g: np.ndarray | None, **kw: Any) -> list[Any]:
    mk = torch.tensor if lib is torch else pt.asarray
    x = mk(a, requires_grad=True)
    f = torch.nn.functional if lib is torch else F
    y = f.cross_entropy(x, mk(t), **kw)
    if g is None:
        y.sum().backward()
    else:
        y.backward(mk(g))
    return [y.detach().numpy(), x.grad.numpy()]


def _scores(dtype: type, shape: tuple[int, ...], seed: int = 3) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * 3).astype(dtype)


TARGETS = {
    "all classes": [0, 9, 3, 3, 5, 1, 9, 0],
    "ignored": [0, -100, 3, 3, -100, 1, 9, 0],
    "ignore_index 3": [0, 9, 3, 3, 5, 1, 9, 0],
    "all ignored": [-100] * 8,
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("targets", sorted(TARGETS))
def test_cross_entropy_matches_torch(dtype: type, reduction: str, targets: str) -> None:
    a = _scores(dtype, (8, 10))
    t = np.array(TARGETS[targets])
    kw: dict[str, Any] = {"reduction": reduction}
    if targets == "ignore_index 3":
        kw["ignore_index"] = 3
    g = np.linspace(-1, 2, 8).astype(dtype) if reduction == "none" else np.array(1.5, dtype)
    got, want = _run(pt, a, t, g, **kw), _run(torch, a, t, g, **kw)
    for x, y in zip(got, want, strict=True):
        assert x.dtype == dtype and x.shape == y.shape
        np.testing.assert_allclose(x, y, **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_at_nan_and_infinite_scores_matches_torch(dtype: type) -> None:
    a = _scores(dtype, (4, 5))
    a[0, 1], a[1, 2], a[2, 0], a[3, :] = np.nan, np.inf, -np.inf, -np.inf
    t = np.array([1, 2, 3, 0])
    with np.errstate(all="ignore"):
        got, want = _run(pt, a, t, None), _run(torch, a, t, None)
    for x, y in zip(got, want, strict=True):
        np.testing.assert_allclose(x, y, **TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kw",
    [
        {"label_smoothing": 0.1},
        {"weight": "w"},
        {"weight": "w", "ignore_index": 2, "label_smoothing": 0.2},
        {"reduction": "sum", "label_smoothing": 0.3, "ignore_index": 1},
    ],
    ids=["smoothing", "weights", "weights+ignore+smoothing", "sum+smoothing+ignore"],
)
def test_cross_entropy_options_left_to_the_composite_match_torch(
    dtype: type, kw: dict[str, Any]
) -> None:
    a = _scores(dtype, (6, 4))
    t = np.array([0, 2, 1, 3, 2, 1])
    w = np.array([0.5, 2.0, 1.0, 1.5], dtype)
    got = _run(pt, a, t, None, **{k: pt.asarray(w) if v == "w" else v for k, v in kw.items()})
    want = _run(torch, a, t, None, **{k: torch.tensor(w) if v == "w" else v for k, v in kw.items()})
    for x, y in zip(got, want, strict=True):
        np.testing.assert_allclose(x, y, **TOL[dtype])


@pytest.mark.parametrize("shape", [(2, 4, 3), (4,)])
def test_cross_entropy_of_other_shapes_is_one_node_and_matches_torch(
    shape: tuple[int, ...],
) -> None:
    a = _scores(np.float64, shape)
    t = np.array([[0, 3, 1], [2, -100, 0]]) if len(shape) == 3 else np.array(2)
    x = pt.asarray(a)
    assert F.cross_entropy(pt.asarray(a, requires_grad=True), pt.asarray(t)).grad_fn.name() == (
        "NllLossBackward0"
    )
    got, want = _run(pt, a, t, None), _run(torch, a, t, None)
    for u, v in zip(got, want, strict=True):
        np.testing.assert_allclose(u, v, **TOL[np.float64])
    assert F.cross_entropy(x, pt.asarray(t)).grad_fn is None


def test_cross_entropy_second_derivative_matches_torch() -> None:
    a = _scores(np.float64, (5, 4))
    t = np.array([0, 3, -100, 1, 1])
    v = np.random.default_rng(8).standard_normal(a.shape)

    def hvp(lib: Any) -> Any:
        mk = torch.tensor if lib is torch else pt.asarray
        x = mk(a, requires_grad=True)
        f = torch.nn.functional if lib is torch else F
        (g,) = lib.autograd.grad(f.cross_entropy(x, mk(t)), [x], create_graph=True)
        return lib.autograd.grad((g * mk(v)).sum(), [x])[0].detach().numpy()

    np.testing.assert_allclose(hvp(pt), hvp(torch), rtol=1e-12, atol=1e-13)


def test_a_second_backward_recomputes_the_kept_log_probabilities() -> None:
    a = _scores(np.float32, (8, 10))
    x = pt.asarray(a, requires_grad=True)
    loss = F.cross_entropy(x, pt.asarray(TARGETS["all classes"]))
    keep = loss.grad_fn.params["keep"]
    assert len(keep) == 1
    loss.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    assert keep == []
    x.grad = None
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), first)
    with pt.no_grad():
        assert F.cross_entropy(x, pt.asarray(TARGETS["all classes"])).grad_fn is None


def _backend(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("backend", [_backend("dask"), _backend("array_api_strict")])
@pytest.mark.parametrize("targets", ["all classes", "ignored"])
def test_cross_entropy_on_other_backends_gives_numpys_values(backend: str, targets: str) -> None:
    a = _scores(np.float64, (8, 10))
    got = []
    for name in ("numpy", backend):
        with pt.use_backend(name):
            x = pt.asarray(a, requires_grad=True)
            loss = F.cross_entropy(x, pt.asarray(np.array(TARGETS[targets])))
            loss.backward()
            got.append([np.asarray(t.detach().to("numpy").numpy()) for t in (loss, x.grad)])
    for u, v in zip(*got, strict=True):
        np.testing.assert_allclose(v, u, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_the_backward_ops_rules_differentiate_it(reduction: str) -> None:
    """``_cross_entropy_backward`` (the first-order backward's op) has rules in its cotangent
    and in the log-probabilities: central differences agree, to second order."""
    from polytensor._ops.indexing import _cross_entropy_backward

    rng = np.random.default_rng(9)
    logp = F.log_softmax(pt.asarray(rng.standard_normal((4, 3))), dim=1).detach()
    logp.requires_grad_(True)
    g = pt.asarray(rng.standard_normal(4 if reduction == "none" else ()), requires_grad=True)
    t = pt.asarray([0, -100, 2, 1])

    def fn(g: Any, logp: Any) -> Any:
        return _cross_entropy_backward(g, logp, t, axis=1, ignore_index=-100, reduction=reduction)

    assert pt.autograd.gradcheck(fn, (g, logp))
    assert pt.autograd.gradgradcheck(fn, (g, logp))
