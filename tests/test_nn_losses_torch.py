"""``nn``'s losses, ``functional`` forms, pooling, ``Flatten`` and ``Sequential`` indexing give
PyTorch's numbers, values and gradients, on every available backend.

Each case builds its inputs on the host with NumPy (float64), hands copies to polytensor (on
the backend under test) and to torch (CPU), runs the same call in both, back-propagates the
same random cotangent and compares number by number. torch is only a reference here
(``pytest.importorskip``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")
TF = torch.nn.functional

TOL = {"rtol": 1e-10, "atol": 1e-12}


def host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


g = np.random.default_rng(7)
X = g.standard_normal((4, 3))
Y = g.standard_normal((4, 3))
P = g.uniform(0.05, 0.95, (4, 3))  # probabilities
T01 = g.uniform(0.0, 1.0, (4, 3))  # soft binary targets
LOGITS = np.concatenate([g.standard_normal((4, 2)) * 3, np.zeros((4, 1))], axis=1)  # with 0s
W = g.uniform(0.5, 2.0, (4, 3))
POS_W = np.array([0.5, 1.0, 3.0])
CLASSES = np.array([0, 2, 1, 2])
CLASS_W = np.array([0.2, 1.0, 3.0])
IMG = g.standard_normal((2, 3, 6, 6))
HIDDEN = g.standard_normal((4, 4))

# (id, function name, arguments: (array, differentiable) or a plain value, keyword arguments)
# The same name exists in polytensor.nn.functional and torch.nn.functional.
CASES: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
    ("mse_mean", "mse_loss", ((X, True), (Y, False)), {}),
    ("mse_sum", "mse_loss", ((X, True), (Y, False)), {"reduction": "sum"}),
    ("mse_none", "mse_loss", ((X, True), (Y, True)), {"reduction": "none"}),
    ("l1_mean", "l1_loss", ((X, True), (Y, False)), {}),
    ("l1_none", "l1_loss", ((X, True), (Y, False)), {"reduction": "none"}),
    ("smooth_l1", "smooth_l1_loss", ((X, True), (Y, False)), {}),
    ("smooth_l1_beta", "smooth_l1_loss", ((X, True), (Y, True)), {"beta": 0.5}),
    ("smooth_l1_beta0", "smooth_l1_loss", ((X, True), (Y, False)), {"beta": 0.0}),
    ("smooth_l1_sum", "smooth_l1_loss", ((X, True), (Y, False)), {"reduction": "sum"}),
    ("huber", "huber_loss", ((X, True), (Y, False)), {}),
    ("huber_delta", "huber_loss", ((X, True), (Y, True)), {"delta": 2.0, "reduction": "none"}),
    ("bce", "binary_cross_entropy", ((P, True), (T01, False)), {}),
    ("bce_weight", "binary_cross_entropy", ((P, True), (T01, True), (W, False)), {}),
    ("bce_sum", "binary_cross_entropy", ((P, True), (T01, False)), {"reduction": "sum"}),
    ("bce_logits", "binary_cross_entropy_with_logits", ((LOGITS, True), (T01, False)), {}),
    (
        "bce_logits_weights",
        "binary_cross_entropy_with_logits",
        ((LOGITS, True), (T01, True), (W, False)),
        {"pos_weight": (POS_W, False), "reduction": "none"},
    ),
    ("nll", "nll_loss", ((X, True), (CLASSES, False)), {}),
    (
        "nll_weight_ignore",
        "nll_loss",
        ((X, True), (CLASSES, False)),
        {"weight": (CLASS_W, False), "ignore_index": 1},
    ),
    ("nll_sum", "nll_loss", ((X, True), (CLASSES, False)), {"reduction": "sum"}),
    ("cross_entropy", "cross_entropy", ((X, True), (CLASSES, False)), {}),
    ("log_softmax_dim1", "log_softmax", ((X, True),), {"dim": 1}),
    ("log_softmax_dim0", "log_softmax", ((X, True),), {"dim": 0}),
    ("softmax", "softmax", ((X, True),), {"dim": -1}),
    ("max_pool2d_tuple", "max_pool2d", ((IMG, True), (2, 2)), {}),
    ("max_pool2d_int", "max_pool2d", ((IMG, True), 2), {}),
    ("max_pool2d_overlap", "max_pool2d", ((IMG, True), 3), {"stride": 1, "padding": 1}),
    ("max_pool2d_stride", "max_pool2d", ((IMG, True), (3, 2)), {"stride": (2, 1)}),
]


def _pair(v: Any) -> tuple[Any, Any, bool]:
    """(polytensor value, torch value, differentiable) of one argument."""
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], np.ndarray):
        a, diff = v
        p = pt.asarray(a.copy())
        t = torch.tensor(a)
        if diff:
            p.requires_grad_(True)
            t.requires_grad_(True)
        return p, t, diff
    return v, v, False


def run_both(
    p_fn: Callable[..., Any], t_fn: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
) -> None:
    """Call both, compare the outputs, back-propagate the same cotangent, compare gradients."""
    pa, ta, diffs = zip(*(_pair(a) for a in args), strict=True)
    pk, tk = {}, {}
    leaves = [(p, t) for p, t, d in zip(pa, ta, diffs, strict=True) if d]
    for k, v in kw.items():
        pk[k], tk[k], d = _pair(v)
        if d:
            leaves.append((pk[k], tk[k]))
    p_out, t_out = p_fn(*pa, **pk), t_fn(*ta, **tk)
    np.testing.assert_allclose(host(p_out), host(t_out), **TOL)
    assert tuple(p_out.shape) == tuple(t_out.shape)
    cot = np.random.default_rng(3).standard_normal(tuple(t_out.shape))
    (p_out * pt.asarray(cot)).sum().backward()
    (t_out * torch.tensor(cot)).sum().backward()
    for p, t in leaves:
        assert p.grad is not None
        np.testing.assert_allclose(host(p.grad), host(t.grad), **TOL)


@pytest.mark.parametrize(("name", "args", "kw"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_functional_matches_torch(backend: str, name: str, args: Any, kw: Any) -> None:
    run_both(getattr(F, name), getattr(TF, name), args, kw)


# (id, module name, constructor keywords (arrays become tensors), call arguments)
MODULES: list[tuple[str, str, dict[str, Any], tuple[Any, ...]]] = [
    ("MSELoss_sum", "MSELoss", {"reduction": "sum"}, ((X, True), (Y, False))),
    ("L1Loss", "L1Loss", {}, ((X, True), (Y, False))),
    ("SmoothL1Loss", "SmoothL1Loss", {"beta": 0.7}, ((X, True), (Y, False))),
    ("HuberLoss", "HuberLoss", {"delta": 0.7, "reduction": "sum"}, ((X, True), (Y, False))),
    ("BCELoss", "BCELoss", {"weight": W}, ((P, True), (T01, False))),
    (
        "BCEWithLogitsLoss",
        "BCEWithLogitsLoss",
        {"pos_weight": POS_W},
        ((LOGITS, True), (T01, False)),
    ),
    ("NLLLoss", "NLLLoss", {"weight": CLASS_W}, ((X, True), (CLASSES, False))),
    ("CrossEntropyLoss", "CrossEntropyLoss", {}, ((X, True), (CLASSES, False))),
    ("LogSoftmax", "LogSoftmax", {"dim": 1}, ((X, True),)),
    ("MaxPool2d", "MaxPool2d", {"kernel_size": (2, 2)}, ((IMG, True),)),
    ("Flatten", "Flatten", {}, ((IMG, True),)),
    ("Flatten_0_2", "Flatten", {"start_dim": 0, "end_dim": 2}, ((IMG, True),)),
    ("Flatten_2_neg1", "Flatten", {"start_dim": 2, "end_dim": -1}, ((IMG, True),)),
]


@pytest.mark.parametrize(
    ("name", "ctor", "args"), [m[1:] for m in MODULES], ids=[m[0] for m in MODULES]
)
def test_module_matches_torch(backend: str, name: str, ctor: Any, args: Any) -> None:
    pk = {k: pt.asarray(v.copy()) if isinstance(v, np.ndarray) else v for k, v in ctor.items()}
    tk = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in ctor.items()}
    run_both(getattr(nn, name)(**pk), getattr(torch.nn, name)(**tk), args, {})


def test_sequential_indexing_matches_torch(backend: str) -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2), nn.Tanh())
    ref = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2), torch.nn.Tanh()
    ).double()
    with torch.no_grad():
        for (_, tp), (_, pp) in zip(ref.named_parameters(), model.named_parameters(), strict=True):
            tp.copy_(torch.tensor(host(pp), dtype=torch.float64))
    model = model.to(pt.float64)
    assert len(model) == len(ref) == 4
    assert isinstance(model[0], nn.Linear) and isinstance(model[-1], nn.Tanh)
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    assert head[0] is model[0]
    x = X.copy()
    run_both(head, ref[:2], ((x, True),), {})
    run_both(model[2], ref[2], ((HIDDEN, True),), {})
    np.testing.assert_allclose(host(model[0].weight), host(ref[0].weight), **TOL)


# -- bad input ----------------------------------------------------------------------------


def test_binary_cross_entropy_rejects_probabilities_outside_0_1() -> None:
    with pytest.raises(RuntimeError, match=r"between 0 and 1.*binary_cross_entropy_with_logits"):
        F.binary_cross_entropy(pt.asarray([0.5, 1.5]), pt.asarray([0.0, 1.0]))


def test_binary_losses_reject_a_target_of_another_shape() -> None:
    for fn in (F.binary_cross_entropy, F.binary_cross_entropy_with_logits):
        with pytest.raises(ValueError, match=r"target of shape \(2, 1\).*same shape"):
            fn(pt.asarray([0.5, 0.5]), pt.asarray([[0.0], [1.0]]))


def test_regression_losses_reject_bad_beta_and_delta() -> None:
    with pytest.raises(ValueError, match="beta >= 0; got -1"):
        F.smooth_l1_loss(pt.zeros(2), pt.zeros(2), beta=-1.0)
    with pytest.raises(ValueError, match="delta > 0; got 0"):
        F.huber_loss(pt.zeros(2), pt.zeros(2), delta=0.0)
    with pytest.raises(ValueError, match="reduction='avg'"):
        nn.HuberLoss(reduction="avg")(pt.zeros(2), pt.zeros(2))


def test_pytorch_names_polytensor_lacks_say_so_and_name_the_alternative() -> None:
    with pytest.raises(
        AttributeError, match=r"torch\.nn\.FractionalMaxPool3d.*not implemented.*no equivalent"
    ):
        nn.FractionalMaxPool3d  # noqa: B018
    with pytest.raises(
        AttributeError, match=r"functional\.fractional_max_pool3d is not implemented"
    ):
        F.fractional_max_pool3d  # noqa: B018
    with pytest.raises(AttributeError, match=r"torch\.nn\.NLLLoss2d.*use nn\.NLLLoss"):
        nn.NLLLoss2d  # noqa: B018
    with pytest.raises(AttributeError, match=r"torch\.optim\.SparseAdam.*use optim\.Adam"):
        pt.optim.SparseAdam  # noqa: B018
    with pytest.raises(AttributeError, match=r"torch\.utils\.data\.DistributedSampler"):
        pt.utils.data.DistributedSampler  # noqa: B018
    with pytest.raises(
        AttributeError, match=r"module 'polytensor\.nn' has no attribute 'Nonsense'"
    ):
        nn.Nonsense  # noqa: B018


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_kl_div_gives_torch_s_values_and_gradients(
    reduction: str, log_target: bool, backend: str
) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip(backend)
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((4, 5))
    x = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    p = rng.random((4, 5))
    p[0, :2] = 0.0  # (zeros in the target: its 0 * log 0)
    t = p.copy()
    if log_target:
        t[0, 2:] = np.log(p[0, 2:])
        t[1:] = np.log(p[1:])
        t[0, :2] = -np.inf
    results = []
    for lib in (pt, torch):
        if lib is pt:
            xi = pt.asarray(x, device=backend, requires_grad=True)
            ti = pt.asarray(t, device=backend, requires_grad=True)
            fn = pt.nn.functional.kl_div
        else:
            xi = torch.tensor(x, requires_grad=True)
            ti = torch.tensor(t, requires_grad=True)
            fn = torch.nn.functional.kl_div
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            loss = fn(xi, ti, reduction=reduction, log_target=log_target)
            # (0 * log 0's derivative for the target: NaN, with NumPy's warning of its 0 / 0,
            # which Dask gives when it computes)
            (loss.sum() if reduction == "none" else loss).backward()
            value = loss.detach()
            results.append(
                [np.asarray(value.to("numpy") if lib is pt else value)]
                + [np.asarray(g.to("numpy") if lib is pt else g) for g in (xi.grad, ti.grad)]
            )
        assert any("batchmean" in str(w.message) for w in seen) == (reduction == "mean")
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_kl_div_module_and_its_nan_at_a_zero_target_of_infinite_log_probability() -> None:
    torch = pytest.importorskip("torch")
    x, t = [[-np.inf, 0.0]], [[0.0, 1.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # (NumPy's, for 0 * -inf)
        got = nn.KLDivLoss(reduction="none")(pt.asarray(x), pt.asarray(t))
    want = torch.nn.KLDivLoss(reduction="none")(torch.tensor(x), torch.tensor(t))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert repr(nn.KLDivLoss()) == repr(torch.nn.KLDivLoss())
    with pytest.raises(ValueError, match="reduction"):
        F.kl_div(pt.zeros(2), pt.zeros(2), reduction="avg")
