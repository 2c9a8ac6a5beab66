"""What training scripts written for PyTorch call around their models, taken as torch takes it:
``torch.load(f, map_location=, weights_only=)``, ``autograd.grad(materialize_grads=)``, a
``Function`` in PyTorch 2's form (``forward`` without ``ctx``, ``setup_context``), a module's
``register_full_backward_hook``/``_pre_hook``, ``autograd.detect_anomaly``, and automatic mixed
precision (``torch.autocast``, ``torch.amp.GradScaler``, ``torch.cuda.amp``). Compared with
torch where torch gives a value, on every backend where it applies."""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402


# -- load ---------------------------------------------------------------------------------------
def _saved() -> bytes:
    buf = io.BytesIO()
    pt.save({"w": pt.asarray([1.0, 2.0]), "step": 3}, buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("map_location", "backend"),
    [
        ("cpu", "numpy"),
        (pt.device("cpu"), "numpy"),
        ({"cuda:0": "cpu"}, "numpy"),
        (lambda storage, loc: storage, None),
        (lambda storage, loc: "dask", "dask"),
        ("dask", "dask"),
    ],
)
def test_load_takes_map_location_as_torch(map_location: Any, backend: Any) -> None:
    pytest.importorskip("dask")
    got = pt.load(io.BytesIO(_saved()), map_location=map_location, weights_only=True)
    assert got["step"] == 3
    np.testing.assert_array_equal(host(got["w"]), [1.0, 2.0])
    want = backend or pt.get_backend().name
    assert got["w"].device.backend.name == want


def test_load_refuses_what_it_cannot_map() -> None:
    with pytest.raises(ValueError, match="maps to 2 places"):
        pt.load(io.BytesIO(_saved()), map_location={"cuda:0": "cpu", "cuda:1": "dask"})
    with pytest.raises(TypeError, match="map_location= to be a device"):
        pt.load(io.BytesIO(_saved()), map_location=3)
    with pytest.raises(TypeError, match="both map_location= and backend="):
        pt.load(io.BytesIO(_saved()), map_location="cpu", backend="numpy")
    with pytest.raises(TypeError, match="weights_only= to be True, False or None"):
        pt.load(io.BytesIO(_saved()), weights_only="yes")


# -- autograd.grad(materialize_grads=) ------------------------------------------------------------
def test_grad_materializes_unused_gradients_as_torch(backend: str) -> None:
    a = pt.ones(2, requires_grad=True)
    b = pt.ones(2, requires_grad=True)
    ga, gb = pt.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True)
    np.testing.assert_array_equal(host(ga), [2.0, 2.0])
    np.testing.assert_array_equal(host(gb), [0.0, 0.0])
    assert not gb.requires_grad
    with pytest.raises(ValueError, match="allow_unused to be True or not passed"):
        pt.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True, allow_unused=False)
    with pytest.raises(RuntimeError, match="not used to compute the outputs"):
        pt.autograd.grad((a * 2).sum(), [a, b])


# -- Function in PyTorch 2's form ------------------------------------------------------------------
def _setup_context_function(lib: Any) -> Any:
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(x: Any, k: float) -> Any:
            return x * x * k, x + k

        @staticmethod
        def setup_context(ctx: Any, inputs: Any, output: Any) -> None:
            x, k = inputs
            ctx.save_for_backward(x)
            ctx.k = k
            ctx.mark_non_differentiable(output[1])

        @staticmethod
        def backward(ctx: Any, g: Any, _g2: Any) -> Any:
            (x,) = ctx.saved_tensors
            return 2 * x * ctx.k * g, None

    return Scale


def test_function_with_setup_context_matches_torch(backend: str) -> None:
    a = np.array([1.0, -2.0, 3.0])
    results = []
    for lib, make in ((pt, pt.asarray), (torch, torch.tensor)):
        x = make(a.copy(), requires_grad=True)
        y, z = _setup_context_function(lib).apply(x, 3.0)
        y.sum().backward()
        results.append((host(y), host(x.grad), z.requires_grad))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])
    assert results[0][2] is results[1][2] is False


# -- a module's backward hooks --------------------------------------------------------------------
def _hooked_run(lib: Any, input_grad: bool) -> list[Any]:
    seen: list[Any] = []
    m = lib.nn.Linear(2, 3)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(np.arange(6.0).reshape(3, 2)))
        m.bias.zero_()

    def hook(mod: Any, gi: Any, go: Any) -> Any:
        seen.append(([None if g is None else g.tolist() for g in gi], [g.tolist() for g in go]))
        return None if gi[0] is None else (gi[0] * 3,)

    m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
    m.register_full_backward_hook(hook)
    x = lib.ones((1, 2), dtype=lib.float64, requires_grad=input_grad)
    m.double()
    m(x).sum().backward()
    seen.append(None if x.grad is None else x.grad.tolist())
    seen.append(m.weight.grad.tolist())
    return seen


@pytest.mark.parametrize("input_grad", [True, False])
def test_full_backward_hooks_match_torch(backend: str, input_grad: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (torch's note that its hook fires at the outputs)
        want = _hooked_run(torch, input_grad)
    assert _hooked_run(pt, input_grad) == want


def test_backward_hook_handles_remove_them() -> None:
    m = pt.nn.Identity()
    calls: list[int] = []
    h = m.register_full_backward_hook(lambda mod, gi, go: calls.append(1))
    x = pt.ones(2, requires_grad=True)
    m(x).sum().backward()
    h.remove()
    m(x).sum().backward()
    assert calls == [1]
    np.testing.assert_array_equal(host(x.grad), [2.0, 2.0])


def test_a_hook_returning_the_wrong_number_of_gradients_is_refused() -> None:
    m = pt.nn.Identity()
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="returned 2 gradients for 1"):
        m(pt.ones(2, requires_grad=True)).sum().backward()


# -- anomaly detection ----------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # (NumPy's 0/0, in Dask's threads too)
def test_detect_anomaly_names_the_node_that_made_a_nan(backend: str) -> None:
    x = pt.asarray([0.0, 1.0], requires_grad=True)
    with np.errstate(all="ignore"), pt.autograd.detect_anomaly():
        assert pt.autograd.is_anomaly_enabled()
        with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values"):
            pt.sqrt(x * 0.0).mul(0.0).sum().backward()
    assert not pt.autograd.is_anomaly_enabled()
    with np.errstate(all="ignore"):
        pt.sqrt(x * 0.0).mul(0.0).sum().backward()  # (without it: NaN reaches the leaf)
    assert np.isnan(host(x.grad)).all()


def test_detect_anomaly_leaves_finite_gradients_as_they_are(backend: str) -> None:
    a = np.array([0.5, 2.0])
    w = pt.asarray(a.copy(), requires_grad=True)
    with pt.autograd.detect_anomaly():
        (w.sin() * w).sum().backward()
    np.testing.assert_allclose(host(w.grad), np.cos(a) * a + np.sin(a))


def test_set_detect_anomaly_sets_it_at_once_or_for_a_block() -> None:
    pt.autograd.set_detect_anomaly(True)
    try:
        assert pt.autograd.is_anomaly_enabled()
    finally:
        pt.autograd.set_detect_anomaly(False)
    assert not pt.autograd.is_anomaly_enabled()
    with pt.autograd.set_detect_anomaly(True, check_nan=False):
        assert pt.autograd.is_anomaly_enabled() and not pt.autograd.is_anomaly_check_nan_enabled()
    assert pt.autograd.is_anomaly_check_nan_enabled()
    with pytest.raises(TypeError, match="bool mode"):
        pt.autograd.set_detect_anomaly("yes")  # type: ignore[arg-type]


# -- mixed precision ------------------------------------------------------------------------------
def _scaled_training(lib: Any) -> list[Any]:
    scaler = lib.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    opt = lib.optim.SGD([w], lr=0.1)
    out: list[Any] = []
    for scale_inf in (False, False, False, True, False):
        opt.zero_grad()
        with lib.autocast("cpu", enabled=True):
            loss = (w * w).sum() * (float("inf") if scale_inf else 1.0)
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        out.append(scaler.step(opt) is None)
        scaler.update()
        out.append((scaler.get_scale(), [round(v, 5) for v in w.tolist()]))
    out.append(scaler.state_dict())
    return out


def test_grad_scaler_matches_torch(backend: str) -> None:
    assert _scaled_training(pt) == _scaled_training(torch)


def test_grad_scaler_refuses_a_second_unscale_and_a_closure() -> None:
    scaler = pt.amp.GradScaler("cpu")
    w = pt.ones(1, requires_grad=True)
    opt = pt.optim.SGD([w], lr=0.1)
    scaler.scale((w * 2).sum()).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called on this optimizer"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: None)


def test_grad_scaler_for_cuda_without_one_turns_itself_off_as_torch() -> None:
    if pt.cuda.is_available():
        pytest.skip("a CUDA device is here: the scaler stays on")
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling"):
        scaler = pt.cuda.amp.GradScaler()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    w = pt.ones(1, requires_grad=True)
    opt = pt.optim.SGD([w], lr=0.5)
    loss = (w * 2).sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.step(opt)
    scaler.update()
    np.testing.assert_array_equal(host(w), [0.0])


def test_autocast_computes_in_the_tensors_dtypes_and_checks_its_arguments() -> None:
    with pt.autocast(device_type="cpu"):
        y = pt.ones((2, 2)) @ pt.ones((2, 2))
    assert y.dtype == pt.float32
    with pt.cuda.amp.autocast():
        assert (pt.ones(1) * 2).dtype == pt.float32

    @pt.autocast("cuda")
    def double(x: Any) -> Any:
        return x * 2

    np.testing.assert_array_equal(host(double(pt.ones(1))), [2.0])
    with pytest.raises(TypeError, match="device_type"):
        pt.autocast(3)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="unknown device type 'gpu'"):
        pt.autocast("gpu")


# -- gumbel_softmax; a module's parameters and buffers by path -------------------------------------
def test_gumbel_softmax_samples_the_categorical_of_its_logits(backend: str) -> None:
    F = pt.nn.functional
    pt.manual_seed(3)
    logits = np.array([1.0, 2.0, 0.5])
    many = pt.asarray(np.tile(logits, (20000, 1)))
    hard = F.gumbel_softmax(many, tau=0.7, hard=True)
    h = host(hard)
    assert set(np.unique(h)) == {0.0, 1.0} and np.all(h.sum(axis=1) == 1.0)
    want = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(h.mean(axis=0), want, atol=0.015)
    soft = host(F.gumbel_softmax(many[:5], tau=2.0))
    np.testing.assert_allclose(soft.sum(axis=1), 1.0, rtol=1e-6)
    assert np.all((soft > 0) & (soft < 1))


def test_gumbel_softmax_hard_passes_the_soft_gradient_as_torch_does(backend: str) -> None:
    F = pt.nn.functional
    x = pt.asarray([[1.0, 2.0, 0.5]], requires_grad=True)
    w = pt.asarray([[1.0, 2.0, 3.0]])
    pt.manual_seed(5)
    (F.gumbel_softmax(x, tau=0.5, hard=True) * w).sum().backward()
    straight = host(x.grad)
    x.grad = None
    pt.manual_seed(5)
    (F.gumbel_softmax(x, tau=0.5) * w).sum().backward()  # (the same draws: the soft sample)
    np.testing.assert_allclose(straight, host(x.grad), rtol=1e-12)
    with pytest.raises(ValueError, match="positive number tau"):
        F.gumbel_softmax(x, tau=0.0)


def test_get_parameter_and_get_buffer_as_torch() -> None:
    for lib in (pt, torch):
        m = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3))
        assert tuple(m.get_parameter("0.weight").shape) == (3, 2)
        assert m.get_parameter("1.bias") is m[1].bias
        assert tuple(m.get_buffer("1.running_var").shape) == (3,)
        with pytest.raises(AttributeError):
            m.get_parameter("0.nope")
        with pytest.raises(AttributeError):
            m.get_buffer("1.weight")
