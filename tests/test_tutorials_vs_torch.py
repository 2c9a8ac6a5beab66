"""PyTorch's beginner tutorials give the same numbers in polytensor as in PyTorch.

Each workflow of "What is PyTorch?", "Autograd: automatic differentiation" and "Learning
PyTorch with examples" runs twice, in polytensor (on every available backend) and in torch
(CPU), from the same data: arrays made on the host with NumPy and handed to both, or, for
``nn`` models, polytensor's initial parameters copied into torch. Results, gradients, losses
and final weights must agree within float tolerance.

torch is only a reference here (``pytest.importorskip``); polytensor does not depend on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn, optim

torch = pytest.importorskip("torch")

N, D_IN, H, D_OUT = 64, 1000, 100, 10
STEPS = 20
TOL = {"float32": {"rtol": 2e-5, "atol": 1e-6}, "float64": {"rtol": 1e-10, "atol": 1e-12}}
# After STEPS training steps (float32 agrees to ~3e-7 in the losses and ~1e-3 relative in
# weights near zero, where atol takes over; float64 to ~1e-15 and ~2e-12).
LOSS_RTOL = {"float32": 1e-5, "float64": 1e-10}
WEIGHT_TOL = {"float32": {"rtol": 2e-4, "atol": 1e-6}, "float64": {"rtol": 1e-9, "atol": 1e-12}}


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    """One BLAS and one torch thread: on a busy machine thread pools make these small
    matmuls many times slower; the numbers compared do not depend on it."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with the test extras
        yield
    else:
        with threadpool_limits(1):
            yield
    torch.set_num_threads(threads)


def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def both(a: np.ndarray, requires_grad: bool = False) -> tuple[Any, Any]:
    """The host array ``a`` as a polytensor tensor (current backend) and a torch tensor,
    each with its own copy of the data."""
    p = pt.asarray(a.copy())
    if requires_grad:
        p.requires_grad_(True)
    return p, torch.tensor(a, requires_grad=requires_grad)


def host(t: Any) -> np.ndarray:
    """A polytensor or torch tensor's values as a NumPy array (computed on Dask)."""
    return np.asarray(t.detach().numpy())


def assert_same(p: Any, t: Any, dtype: str = "float64", **tol: float) -> None:
    got, want = host(p), host(t)
    assert got.shape == want.shape
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(got, want, **(tol or TOL[dtype]))


# -- "What is PyTorch?": tensors and operations ----------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tensor_operations_match_torch(backend: str, dtype: str) -> None:
    g = rng()
    a_h, b_h, m_h = (g.standard_normal(s).astype(dtype) for s in ((5, 3), (5, 3), (3, 4)))
    (a, ta), (b, tb), (m, tm) = both(a_h), both(b_h), both(m_h)
    cases: dict[str, Callable[[Any, Any, Any], Any]] = {
        "a + b": lambda a, b, m: a + b,
        "a * b - a / (b * b + 1)": lambda a, b, m: a * b - a / (b * b + 1),
        "a.sum()": lambda a, b, m: a.sum(),
        "a.sum(dim=0)": lambda a, b, m: a.sum(dim=0),
        "a.sum(dim=1, keepdim=True)": lambda a, b, m: a.sum(dim=1, keepdim=True),
        "a.mean(dim=0)": lambda a, b, m: a.mean(dim=0),
        "a.mean()": lambda a, b, m: a.mean(),
        "a.std(dim=0)": lambda a, b, m: a.std(dim=0),
        "a.std(dim=1, keepdim=True)": lambda a, b, m: a.std(dim=1, keepdim=True),
        "a.std()": lambda a, b, m: a.std(),
        "a.view(15)": lambda a, b, m: a.view(15),
        "a.view(-1, 5)": lambda a, b, m: a.view(-1, 5),
        "a.t()": lambda a, b, m: a.t(),
        "a.mm(m)": lambda a, b, m: a.mm(m),
        "a.t().mm(b)": lambda a, b, m: a.t().mm(b),
        "a @ m": lambda a, b, m: a @ m,
        "a[:, 1]": lambda a, b, m: a[:, 1],
        "a[1:4, ::2]": lambda a, b, m: a[1:4, ::2],
        "a[-1]": lambda a, b, m: a[-1],
        "a.clamp(min=0)": lambda a, b, m: a.clamp(min=0),
        "a.pow(2)": lambda a, b, m: a.pow(2),
    }
    for name, f in cases.items():
        try:
            assert_same(f(a, b, m), f(ta, tb, tm), dtype)
        except AssertionError as e:
            raise AssertionError(f"{name} on {backend}: {e}") from None

    b.add_(a)  # in place, as in the tutorial
    tb.add_(ta)
    assert_same(b, tb, dtype)
    assert a[0, 0].item() == ta[0, 0].item()
    assert isinstance(a[0, 0].item(), float)
    assert a.view(15).shape == tuple(ta.view(15).shape)


def test_tutorial_creation_dtypes_match_torch(backend: str) -> None:
    pairs = [
        (pt.tensor([5.5, 3]), torch.tensor([5.5, 3])),
        (pt.zeros(5, 3, dtype=pt.long), torch.zeros(5, 3, dtype=torch.long)),
        (
            pt.ones(2, 2).new_ones(5, 3, dtype=pt.double),
            torch.ones(2, 2).new_ones(5, 3, dtype=torch.double),
        ),
        (pt.ones(5), torch.ones(5)),
    ]
    for p, t in pairs:
        assert_same(p, t, **TOL["float64"])
    assert pt.rand(5, 3).shape == tuple(torch.rand(5, 3).shape)
    assert pt.randn_like(pt.ones(5, 3, dtype=pt.double), dtype=pt.float).dtype == pt.float32


# -- "Autograd: automatic differentiation" ---------------------------------------------------


def test_tutorial_gradient_is_4_5_everywhere(backend: str) -> None:
    x = pt.ones(2, 2, requires_grad=True)
    tx = torch.ones(2, 2, requires_grad=True)
    outs = []
    for v in (x, tx):
        y = v + 2
        z = y * y * 3
        out = z.mean()
        out.backward()
        outs.append(out)
    assert outs[0].item() == outs[1].item() == 27.0
    assert_same(x.grad, tx.grad, "float32", rtol=0, atol=0)
    np.testing.assert_array_equal(host(x.grad), np.full((2, 2), 4.5, dtype=np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_backward_of_a_vector_output_made_by_a_while_loop(backend: str, dtype: str) -> None:
    x, tx = both(rng().standard_normal(3).astype(dtype), requires_grad=True)
    v, tv = both(np.array([0.1, 1.0, 0.0001], dtype=dtype))
    results = []
    for xx, vv in ((x, v), (tx, tv)):
        y = xx * 2
        doublings = 1
        while y.norm() < 1000:
            y = y * 2
            doublings += 1
        y.backward(vv)
        results.append((y, doublings))
    (y, n), (ty, tn) = results
    assert n == tn
    assert_same(y, ty, dtype)
    assert_same(x.grad, tx.grad, dtype)


def test_retain_graph_accumulates_like_torch(backend: str) -> None:
    x, tx = both(rng().standard_normal(4), requires_grad=True)
    for xx, err in ((x, RuntimeError), (tx, RuntimeError)):
        loss = (xx * xx.sin()).sum()
        loss.backward(retain_graph=True)
        loss.backward()
        with pytest.raises(err, match="retain_graph=True"):
            loss.backward()
    assert_same(x.grad, tx.grad)
    assert not x.detach().requires_grad and not tx.detach().requires_grad
    with pt.no_grad(), torch.no_grad():
        assert not (x * 2).requires_grad and not (tx * 2).requires_grad


# -- "Learning PyTorch with examples" -------------------------------------------------------


class MyReLU(pt.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Any) -> Any:
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


class TorchMyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Any) -> Any:
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx: Any, grad_output: Any) -> Any:
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


def test_custom_relu_function_matches_torch(backend: str) -> None:
    g = rng()
    x, tx = both(g.standard_normal((6, 7)), requires_grad=True)
    w, tw = both(g.standard_normal((6, 7)))
    out, tout = MyReLU.apply(x), TorchMyReLU.apply(tx)
    assert_same(out, tout)
    (out * w).sum().backward()
    (tout * tw).sum().backward()
    assert_same(x.grad, tx.grad)


def two_layer_data(dtype: str) -> tuple[np.ndarray, ...]:
    """x, y, w1, w2 of the tutorial's network, drawn on the host."""
    g = rng()
    return tuple(
        g.standard_normal(s).astype(dtype) for s in ((N, D_IN), (N, D_OUT), (D_IN, H), (H, D_OUT))
    )


def train_by_hand(
    relu: Callable[[Any], Any],
    no_grad: Callable[[], Any],
    data: tuple[Any, ...],
    persist: Callable[..., None],
) -> list[float]:
    """The tutorial's loop: forward, sum of squares, backward, update under no_grad, zero_."""
    x, y, w1, w2 = data
    losses = []
    for _ in range(STEPS):
        y_pred = relu(x.mm(w1)).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with no_grad():
            w1 -= 1e-6 * w1.grad
            w2 -= 1e-6 * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
        persist(w1, w2)
    return losses


@pytest.mark.parametrize("relu", ["clamp", "MyReLU"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_two_layer_net_by_hand_matches_torch(backend: str, dtype: str, relu: str) -> None:
    arrays = two_layer_data(dtype)
    pts = [both(a, requires_grad=i >= 2) for i, a in enumerate(arrays)]
    p_data, t_data = [p for p, _ in pts], [t for _, t in pts]
    p_relu = (lambda h: h.clamp(min=0)) if relu == "clamp" else MyReLU.apply
    t_relu = (lambda h: h.clamp(min=0)) if relu == "clamp" else TorchMyReLU.apply
    losses = train_by_hand(p_relu, pt.no_grad, tuple(p_data), pt.persist)
    t_losses = train_by_hand(t_relu, torch.no_grad, tuple(t_data), lambda *a: None)
    np.testing.assert_allclose(losses, t_losses, rtol=LOSS_RTOL[dtype])
    assert losses[-1] < 0.1 * losses[0]
    for p, t in zip(p_data[2:], t_data[2:], strict=True):
        assert_same(p, t, dtype, **WEIGHT_TOL[dtype])


def copy_into_torch(model: Any, torch_model: Any) -> None:
    """Give ``torch_model`` the parameters of polytensor ``model`` (same names, same layout)."""
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, tp in torch_model.named_parameters():
            tp.copy_(torch.from_numpy(host(params[name]).copy()))


@pytest.mark.parametrize("which", ["sgd", "adam"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_two_layer_nn_with_optimizer_matches_torch(backend: str, dtype: str, which: str) -> None:
    x_h, y_h = two_layer_data(dtype)[:2]
    (x, tx), (y, ty) = both(x_h), both(y_h)
    pt.manual_seed(0)
    pdtype = getattr(pt, dtype)
    model = nn.Sequential(
        nn.Linear(D_IN, H, dtype=pdtype), nn.ReLU(), nn.Linear(H, D_OUT, dtype=pdtype)
    )
    torch_model = torch.nn.Sequential(
        torch.nn.Linear(D_IN, H), torch.nn.ReLU(), torch.nn.Linear(H, D_OUT)
    ).to(getattr(torch, dtype))
    copy_into_torch(model, torch_model)

    def make(mod: Any, params: Any) -> Any:
        return mod.Adam(params, lr=1e-4) if which == "adam" else mod.SGD(params, lr=1e-4)

    opt, topt = make(optim, model.parameters()), make(torch.optim, torch_model.parameters())
    loss_fn, tloss_fn = nn.MSELoss(reduction="sum"), torch.nn.MSELoss(reduction="sum")
    losses, t_losses = [], []
    for _ in range(STEPS):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
        state = [v for s in opt.state.values() for v in s.values() if isinstance(v, pt.Tensor)]
        pt.persist(*model.parameters(), *state)

        tloss = tloss_fn(torch_model(tx), ty)
        t_losses.append(tloss.item())
        topt.zero_grad()
        tloss.backward()
        topt.step()

    np.testing.assert_allclose(losses, t_losses, rtol=LOSS_RTOL[dtype])
    assert losses[-1] < losses[0]
    tparams = dict(torch_model.named_parameters())
    for name, p in model.named_parameters():
        assert_same(p, tparams[name], dtype, **WEIGHT_TOL[dtype])
