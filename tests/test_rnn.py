"""Recurrent layers (``nn.RNN``, ``nn.GRU``, ``nn.LSTM``) and cells (``nn.RNNCell``,
``nn.GRUCell``, ``nn.LSTMCell``): PyTorch's parameters, shapes, values and gradients, on every
available backend, and clear errors for what they refuse.

Each comparison builds the torch module, copies its ``state_dict`` into the polytensor one,
runs both on the same NumPy input and compares outputs, final states and the gradients of a
random projection of them in the input, the initial state and every parameter. torch is only
the reference: those tests skip where it is not installed.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn

try:
    import torch
except ImportError:  # pragma: no cover - torch is the reference, not a dependency
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

BACKENDS = ["numpy", "dask", "array_api_strict"]
TOL = {
    "float64": {"rtol": 1e-10, "atol": 1e-12},
    "float32": {"rtol": 1e-5, "atol": 1e-6},
}


def _on(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    if status != "available":
        pytest.skip(f"{name}: {status}")
    return pt.use_backend(name)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy()) if hasattr(t, "_backend") else t.numpy()


def _torch_host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _flat(result: Any) -> list[Any]:
    """A module's results as a flat list: (output, h_n) or (output, (h_n, c_n)) or h or (h, c)."""
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _flat(r)]
    return [result]


def _pt_dtype(dtype: str) -> Any:
    return pt.float64 if dtype == "float64" else pt.float32


def _torch_dtype(dtype: str) -> Any:
    return torch.float64 if dtype == "float64" else torch.float32


def _copy_weights(tm: Any, pm: Any) -> None:
    pm.load_state_dict({k: pt.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def _compare(
    cls: str,
    kwargs: dict[str, Any],
    x: np.ndarray,
    hx: Any = None,
    dtype: str = "float64",
) -> None:
    """torch's and polytensor's ``cls(**kwargs)`` on ``x`` (and ``hx``): the same parameters
    (names, order, shapes), results and gradients."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, cls)(**kwargs, dtype=_torch_dtype(dtype))
    pm = getattr(nn, cls)(**kwargs, dtype=_pt_dtype(dtype))
    t_state, p_state = tm.state_dict(), pm.state_dict()
    assert list(p_state) == list(t_state)
    assert [n for n, _ in pm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [tuple(v.shape) for v in p_state.values()] == [tuple(v.shape) for v in t_state.values()]
    assert str(pm) == str(tm)
    _copy_weights(tm, pm)

    x = x.astype(dtype)
    tx = torch.tensor(x, requires_grad=True)
    px = pt.tensor(x, requires_grad=True)
    t_hx: Any = None
    p_hx: Any = None
    if hx is not None:
        hs = [h.astype(dtype) for h in (hx if isinstance(hx, tuple) else (hx,))]
        t_hs = [torch.tensor(h, requires_grad=True) for h in hs]
        p_hs = [pt.tensor(h, requires_grad=True) for h in hs]
        t_hx, p_hx = (tuple(t_hs), tuple(p_hs)) if isinstance(hx, tuple) else (t_hs[0], p_hs[0])
    t_out = _flat(tm(tx) if t_hx is None else tm(tx, t_hx))
    p_out = _flat(pm(px) if p_hx is None else pm(px, p_hx))
    tol = TOL[dtype]
    assert len(p_out) == len(t_out)
    for i, (p, t) in enumerate(zip(p_out, t_out, strict=True)):
        assert tuple(p.shape) == tuple(t.shape), f"result {i}"
        assert p.dtype == _pt_dtype(dtype)
        np.testing.assert_allclose(_host(p), _torch_host(t), **tol, err_msg=f"result {i}")

    # the gradients of a random projection of every result
    g = np.random.default_rng(3)
    weights = [g.standard_normal(tuple(t.shape)).astype(dtype) for t in t_out]
    t_loss = sum((t * torch.tensor(w)).sum() for t, w in zip(t_out, weights, strict=True))
    p_loss = sum((p * pt.tensor(w)).sum() for p, w in zip(p_out, weights, strict=True))
    t_loss.backward()
    p_loss.backward()
    np.testing.assert_allclose(_host(px.grad), _torch_host(tx.grad), **tol, err_msg="input grad")
    if hx is not None:
        for i, (p, t) in enumerate(zip(_flat(p_hx), _flat(t_hx), strict=True)):
            np.testing.assert_allclose(_host(p.grad), _torch_host(t.grad), **tol, err_msg=f"hx{i}")
    t_params = dict(tm.named_parameters())
    for name, p in pm.named_parameters():
        assert p.grad is not None, name
        np.testing.assert_allclose(
            _host(p.grad), _torch_host(t_params[name].grad), **tol, err_msg=name
        )


# -- the sequence layers against torch ------------------------------------------------------------
G = np.random.default_rng(11)
L, N, H_IN, H = 5, 3, 4, 6

LAYER_CASES: list[Any] = []
for _cls in ("RNN", "GRU", "LSTM"):
    _states = 2 if _cls == "LSTM" else 1
    _cases: dict[str, tuple[dict[str, Any], tuple[int, ...], Any, str]] = {
        "one layer": ({}, (L, N, H_IN), None, "float64"),
        "two layers": ({"num_layers": 2}, (L, N, H_IN), None, "float64"),
        "bidirectional": ({"bidirectional": True}, (L, N, H_IN), None, "float64"),
        "two layers bidirectional": (
            {"num_layers": 2, "bidirectional": True},
            (L, N, H_IN),
            None,
            "float64",
        ),
        "batch_first": ({"batch_first": True, "num_layers": 2}, (N, L, H_IN), None, "float64"),
        "no bias": ({"bias": False, "num_layers": 2}, (L, N, H_IN), None, "float64"),
        "unbatched": ({"num_layers": 2, "bidirectional": True}, (L, H_IN), None, "float64"),
        "unbatched batch_first": ({"batch_first": True}, (L, H_IN), None, "float64"),
        "given hx": (
            {"num_layers": 2, "bidirectional": True},
            (L, N, H_IN),
            (4, N, H),
            "float64",
        ),
        "given hx unbatched": ({"num_layers": 2}, (L, H_IN), (2, H), "float64"),
        "given hx batch_first": ({"batch_first": True}, (N, L, H_IN), (1, N, H), "float64"),
        "float32": ({"num_layers": 2, "bidirectional": True}, (L, N, H_IN), None, "float32"),
        "one step": ({}, (1, N, H_IN), None, "float64"),
    }
    if _cls == "RNN":
        _cases["relu"] = ({"nonlinearity": "relu", "num_layers": 2}, (L, N, H_IN), None, "float64")
        _cases["relu given hx"] = (
            {"nonlinearity": "relu", "bidirectional": True},
            (L, N, H_IN),
            (2, N, H),
            "float64",
        )
    for _name, (_kw, _shape, _hx, _dtype) in _cases.items():
        _x = G.standard_normal(_shape)
        _h = None if _hx is None else tuple(G.standard_normal(_hx) for _ in range(_states))
        if _h is not None and _cls != "LSTM":
            _h = _h[0]
        LAYER_CASES.append(
            pytest.param(
                _cls,
                {"input_size": H_IN, "hidden_size": H, **_kw},
                _x,
                _h,
                _dtype,
                id=f"{_cls}-{_name}",
            )
        )


@needs_torch
@pytest.mark.parametrize(("cls", "kwargs", "x", "hx", "dtype"), LAYER_CASES)
def test_layer_matches_torch(
    cls: str, kwargs: dict[str, Any], x: np.ndarray, hx: Any, dtype: str
) -> None:
    _compare(cls, kwargs, x, hx, dtype)


CELL_CASES: list[Any] = []
for _cls in ("RNNCell", "GRUCell", "LSTMCell"):
    _cases2: dict[str, tuple[dict[str, Any], tuple[int, ...], tuple[int, ...] | None, str]] = {
        "batched": ({}, (N, H_IN), None, "float64"),
        "unbatched": ({}, (H_IN,), None, "float64"),
        "no bias": ({"bias": False}, (N, H_IN), None, "float64"),
        "given hx": ({}, (N, H_IN), (N, H), "float64"),
        "given hx unbatched": ({}, (H_IN,), (H,), "float64"),
        "float32": ({}, (N, H_IN), (N, H), "float32"),
    }
    if _cls == "RNNCell":
        _cases2["relu"] = ({"nonlinearity": "relu"}, (N, H_IN), (N, H), "float64")
    for _name, (_kw, _shape, _hx, _dtype) in _cases2.items():
        _x = G.standard_normal(_shape)
        _h: Any = None
        if _hx is not None:
            _h = G.standard_normal(_hx)
            if _cls == "LSTMCell":
                _h = (_h, G.standard_normal(_hx))
        CELL_CASES.append(
            pytest.param(
                _cls,
                {"input_size": H_IN, "hidden_size": H, **_kw},
                _x,
                _h,
                _dtype,
                id=f"{_cls}-{_name}",
            )
        )


@needs_torch
@pytest.mark.parametrize(("cls", "kwargs", "x", "hx", "dtype"), CELL_CASES)
def test_cell_matches_torch(
    cls: str, kwargs: dict[str, Any], x: np.ndarray, hx: Any, dtype: str
) -> None:
    _compare(cls, kwargs, x, hx, dtype)


@needs_torch
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_layers_match_torch_on_every_backend(backend: str, cls: str) -> None:
    with _on(backend):
        _compare(
            cls,
            {"input_size": H_IN, "hidden_size": H, "num_layers": 2, "bidirectional": True},
            G.standard_normal((L, N, H_IN)),
        )


@needs_torch
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cls", ["RNNCell", "GRUCell", "LSTMCell"])
def test_cells_match_torch_on_every_backend(backend: str, cls: str) -> None:
    with _on(backend):
        _compare(cls, {"input_size": H_IN, "hidden_size": H}, G.standard_normal((N, H_IN)))


@needs_torch
@pytest.mark.parametrize("cls", ["GRU", "LSTM"])
def test_second_derivatives_match_torch(cls: str) -> None:
    """create_graph=True: the gradient in the input differentiates again."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, cls)(H_IN, H, dtype=torch.float64)
    pm = getattr(nn, cls)(H_IN, H, dtype=pt.float64)
    _copy_weights(tm, pm)
    x = G.standard_normal((3, 2, H_IN))
    tx, px = torch.tensor(x, requires_grad=True), pt.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad(tm(tx)[0].pow(2).sum(), tx, create_graph=True)
    (pg,) = pt.autograd.grad(pm(px)[0].pow(2).sum(), px, create_graph=True)
    (tg * tg).sum().backward()
    (pg * pg).sum().backward()
    np.testing.assert_allclose(_host(px.grad), _torch_host(tx.grad), rtol=1e-10, atol=1e-12)
    t_w = tm.weight_hh_l0.grad
    np.testing.assert_allclose(_host(pm.weight_hh_l0.grad), _torch_host(t_w), rtol=1e-9)


# -- every backend, without torch -----------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_layers_run_forward_and_backward_on_every_backend(backend: str, cls: str) -> None:
    with _on(backend):
        pt.manual_seed(0)
        m = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True, batch_first=True)
        x = pt.randn(2, 5, 3, requires_grad=True)
        out, state = m(x)
        h_n = state[0] if cls == "LSTM" else state
        assert tuple(out.shape) == (2, 5, 8) and tuple(h_n.shape) == (4, 2, 4)
        assert out._backend.name == backend
        (out.sum() + h_n.sum()).backward()
        assert tuple(x.grad.shape) == (2, 5, 3)
        for name, p in m.named_parameters():
            assert p.grad is not None and p.grad.shape == p.shape, name
            assert np.isfinite(_host(p.grad)).all(), name


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cls", ["RNNCell", "GRUCell", "LSTMCell"])
def test_cells_run_forward_and_backward_on_every_backend(backend: str, cls: str) -> None:
    with _on(backend):
        pt.manual_seed(0)
        m = getattr(nn, cls)(3, 4)
        x = pt.randn(2, 3, requires_grad=True)
        result = m(x)
        h = result[0] if cls == "LSTMCell" else result
        assert tuple(h.shape) == (2, 4) and h._backend.name == backend
        sum(r.sum() for r in _flat(result)).backward()
        assert tuple(x.grad.shape) == (2, 3)
        assert all(p.grad is not None for p in m.parameters())


@pytest.mark.parametrize("cls", ["GRU", "LSTM"])
def test_dask_stays_lazy_through_forward_and_backward(cls: str, dask_computes: Any) -> None:
    with _on("dask"):
        m = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True)
        x = pt.randn(5, 2, 3, requires_grad=True)
        out, _ = m(x)
        out.sum().backward()
        assert dask_computes.calls == 0
        assert x.grad is not None and m.weight_hh_l1_reverse.grad is not None


# -- parameters, repr, initialisation -------------------------------------------------------------
def test_parameters_are_named_shaped_and_ordered_as_pytorch_s() -> None:
    m = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()][:5] == [
        ("weight_ih_l0", (20, 3)),
        ("weight_hh_l0", (20, 5)),
        ("bias_ih_l0", (20,)),
        ("bias_hh_l0", (20,)),
        ("weight_ih_l0_reverse", (20, 3)),
    ]
    assert tuple(m.weight_ih_l1.shape) == (20, 10)
    assert len(list(m.parameters())) == 16
    assert [len(ws) for ws in m.all_weights] == [4, 4, 4, 4]
    assert m.all_weights[3][1] is m.weight_hh_l1_reverse
    assert [n for n, _ in nn.GRU(2, 3, bias=False).named_parameters()] == [
        "weight_ih_l0",
        "weight_hh_l0",
    ]
    cell = nn.GRUCell(2, 3, bias=False)
    assert cell.bias_ih is None and cell.bias_hh is None
    assert [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]


def test_parameters_are_drawn_from_plus_minus_one_over_sqrt_hidden_size() -> None:
    pt.manual_seed(0)
    for m in (nn.GRU(3, 16, dtype=pt.float64), nn.LSTMCell(3, 16)):
        for name, p in m.named_parameters():
            v = _host(p)
            assert np.abs(v).max() <= 0.25, name
            assert v.std() > 0.1, name  # (drawn, not constant)


def test_dtype_and_device_arguments_reach_the_parameters() -> None:
    m = nn.GRU(2, 3, dtype=pt.float64, device="cpu")
    assert all(p.dtype == pt.float64 for p in m.parameters())
    assert m(pt.ones((4, 2), dtype=pt.float64))[0].dtype == pt.float64


def test_repr_is_pytorch_s() -> None:
    assert repr(nn.LSTM(10, 20, num_layers=2)) == "LSTM(10, 20, num_layers=2)"
    assert (
        repr(nn.GRU(10, 20, bias=False, batch_first=True, dropout=0.5, num_layers=2))
        == "GRU(10, 20, num_layers=2, bias=False, batch_first=True, dropout=0.5)"
    )
    assert repr(nn.RNN(1, 2, nonlinearity="relu", bidirectional=True)) == (
        "RNN(1, 2, bidirectional=True)"
    )
    assert repr(nn.RNNCell(3, 4, bias=False, nonlinearity="relu")) == (
        "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    )
    assert repr(nn.LSTMCell(3, 4)) == "LSTMCell(3, 4)"


def test_flatten_parameters_is_a_no_op() -> None:
    m = nn.LSTM(2, 3)
    before = list(m.parameters())
    assert m.flatten_parameters() is None
    assert all(a is b for a, b in zip(before, m.parameters(), strict=True))


def test_a_model_with_an_lstm_trains() -> None:
    pt.manual_seed(0)
    lstm, head = nn.LSTM(2, 8, batch_first=True), nn.Linear(8, 1)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = pt.optim.Adam(params, lr=0.05)
    x = pt.randn(16, 6, 2)
    y = x.sum(dim=(1, 2)).reshape(16, 1)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        out, _ = lstm(x)
        loss = nn.functional.mse_loss(head(out[:, -1]), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


# -- dropout --------------------------------------------------------------------------------------
def test_dropout_does_nothing_in_eval_mode() -> None:
    pt.manual_seed(0)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = pt.randn(5, 2, 3)
    plain = nn.GRU(3, 4, num_layers=2)
    plain.load_state_dict(m.state_dict())
    m.eval()
    np.testing.assert_array_equal(_host(m(x)[0]), _host(plain(x)[0]))


def test_dropout_in_training_changes_the_output_but_not_the_shapes() -> None:
    pt.manual_seed(0)
    m = nn.LSTM(3, 4, num_layers=3, dropout=0.5, bidirectional=True)
    x = pt.randn(5, 2, 3)
    out, (h, c) = m(x)
    assert tuple(out.shape) == (5, 2, 8) and tuple(h.shape) == tuple(c.shape) == (6, 2, 4)
    eval_out = m.eval()(x)[0]
    assert not np.allclose(_host(out), _host(eval_out))
    # the last layer's outputs are not dropped: no exact zeros in the output
    assert (_host(out) != 0).all()


@needs_torch
def test_dropout_one_drops_every_inner_output_as_torch_does() -> None:
    torch.manual_seed(0)
    tm = torch.nn.RNN(3, 4, num_layers=2, dropout=1.0, dtype=torch.float64)
    pm = nn.RNN(3, 4, num_layers=2, dropout=1.0, dtype=pt.float64)
    _copy_weights(tm, pm)
    x = G.standard_normal((4, 2, 3))
    t_out, t_h = tm(torch.tensor(x))
    p_out, p_h = pm(pt.tensor(x))
    np.testing.assert_allclose(_host(p_out), _torch_host(t_out), rtol=1e-12)
    np.testing.assert_allclose(_host(p_h), _torch_host(t_h), rtol=1e-12)


def test_dropout_with_one_layer_warns_as_pytorch() -> None:
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.LSTM(2, 3, dropout=0.2)


# -- errors ---------------------------------------------------------------------------------------
def test_wrong_input_dimensions_are_refused() -> None:
    with pytest.raises(ValueError, match=r"LSTM: Expected input to be 2D .* got 4D"):
        nn.LSTM(3, 4)(pt.ones((2, 2, 2, 3)))
    with pytest.raises(ValueError, match=r"GRU: Expected input to be 2D .* got 1D"):
        nn.GRU(3, 4)(pt.ones(3))
    with pytest.raises(RuntimeError, match=r"input_size. Expected 3, got 5"):
        nn.RNN(3, 4)(pt.ones((2, 2, 5)))
    with pytest.raises(ValueError, match=r"GRUCell: Expected input to be 1D .* got 3D"):
        nn.GRUCell(3, 4)(pt.ones((1, 2, 3)))
    with pytest.raises(RuntimeError, match=r"got 5 expected 3"):
        nn.LSTMCell(3, 4)(pt.ones((2, 5)))
    with pytest.raises(ValueError, match=r"input dtype .*float64.* weight dtype"):
        nn.RNN(3, 4)(pt.ones((2, 2, 3), dtype=pt.float64))


def test_wrong_hidden_states_are_refused() -> None:
    x = pt.ones((5, 2, 3))
    with pytest.raises(RuntimeError, match=r"Expected hx size \(2, 2, 4\), got \[1, 2, 4\]"):
        nn.GRU(3, 4, num_layers=2)(x, pt.zeros((1, 2, 4)))
    with pytest.raises(RuntimeError, match=r"batched 3-D input, hx should also be 3-D"):
        nn.RNN(3, 4)(x, pt.zeros((1, 4)))
    with pytest.raises(RuntimeError, match=r"unbatched 2-D input, hx should also be 2-D"):
        nn.RNN(3, 4)(pt.ones((5, 3)), pt.zeros((1, 1, 4)))
    with pytest.raises(RuntimeError, match=r"Expected cx size \(2, 2, 4\), got \[2, 3, 4\]"):
        nn.LSTM(3, 4, bidirectional=True)(x, (pt.zeros((2, 2, 4)), pt.zeros((2, 3, 4))))
    with pytest.raises(TypeError, match=r"pair of tensors \(h_0, c_0\)"):
        nn.LSTM(3, 4)(x, pt.zeros((1, 2, 4)))
    with pytest.raises(RuntimeError, match=r"Expected hidden of shape \(2, 4\)"):
        nn.GRUCell(3, 4)(pt.ones((2, 3)), pt.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"Expected hidden to be 1D or 2D, got 3D"):
        nn.RNNCell(3, 4)(pt.ones((2, 3)), pt.zeros((1, 2, 4)))


def test_bad_constructor_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match=r"Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"Unknown nonlinearity 'gelu'"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match=r"proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match=r"proj_size should be a positive integer or zero"):
        nn.LSTM(3, 4, proj_size=-1)
    with pytest.raises(ValueError, match=r"proj_size argument is only supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match=r"dropout should be a number in range \[0, 1\]"):
        nn.LSTM(3, 4, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match=r"hidden_size must be greater than zero"):
        nn.GRU(3, 0)
    with pytest.raises(TypeError, match=r"input_size should be of type int"):
        nn.LSTMCell(3.0, 4)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"num_layers must be an int greater than zero"):
        nn.RNN(3, 4, num_layers=0)
    with pytest.raises(TypeError, match=r"batch_first should be of type bool"):
        nn.RNN(3, 4, batch_first=1)  # type: ignore[arg-type]
    assert nn.LSTM(3, 4, proj_size=0).proj_size == 0


def test_another_librarys_packed_sequence_is_refused_with_a_hint() -> None:
    class PackedSequence(tuple):  # (a tuple not made by polytensor's pack_padded_sequence)
        pass

    with pytest.raises(TypeError, match=r"expects a tensor or a PackedSequence input"):
        nn.LSTM(3, 4)(PackedSequence((pt.ones((4, 3)), pt.asarray([2, 2]))))


@pytest.mark.parametrize(
    ("cls", "node"), [("GRU", "_GRULayerBackward"), ("LSTM", "_LSTMLayerBackward")]
)
def test_each_layer_and_direction_of_a_sequence_layer_is_one_node(cls: str, node: str) -> None:
    """The layers record a layer in one direction as one node over the whole sequence (forward
    unrecorded, backward written out), as cuDNN; the comparisons with torch above check its
    values, gradients and second derivatives."""
    m = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True)
    out = m(pt.ones(5, 2, 3))[0]
    seen: dict[int, Any] = {}
    todo = [out.grad_fn]
    while todo:
        f = todo.pop()
        if f is not None and id(f) not in seen:
            seen[id(f)] = f
            todo.extend(g for g, _ in f.next_functions)
    assert sorted(f.name() for f in seen.values()).count(node) == 4


def _trained_loss(cls: str, **kwargs: Any) -> tuple[Any, Any]:
    pt.manual_seed(0)
    m = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True, **kwargs)
    out, state = m(pt.randn(5, 2, 3))
    h_n = state[0] if cls == "LSTM" else state
    return m, (out**2).sum() + h_n.sum()


@needs_torch
@pytest.mark.parametrize(
    ("cls", "which"), [("GRU", 0), ("GRU", 1), ("LSTM", 0), ("LSTM", 1), ("LSTM", 2)]
)
def test_the_gradients_of_one_result_alone_match_torch(cls: str, which: int) -> None:
    """Only the output, only h_n or only c_n reaches the loss: the layer nodes get undefined
    gradients for their other results."""
    torch.manual_seed(0)
    kwargs = {"num_layers": 2, "bidirectional": True}
    tm = getattr(torch.nn, cls)(H_IN, H, **kwargs, dtype=torch.float64)
    pm = getattr(nn, cls)(H_IN, H, **kwargs, dtype=pt.float64)
    _copy_weights(tm, pm)
    x = np.random.default_rng(5).standard_normal((L, N, H_IN))
    tx, px = torch.tensor(x, requires_grad=True), pt.tensor(x, requires_grad=True)
    (_flat(tm(tx))[which] ** 2).sum().backward()
    (_flat(pm(px))[which] ** 2).sum().backward()
    np.testing.assert_allclose(_host(px.grad), _torch_host(tx.grad), **TOL["float64"])
    t_params = dict(tm.named_parameters())
    for name, p in pm.named_parameters():
        np.testing.assert_allclose(
            _host(p.grad), _torch_host(t_params[name].grad), **TOL["float64"], err_msg=name
        )


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_no_grad_gives_the_same_results_and_records_nothing(cls: str) -> None:
    pt.manual_seed(0)
    m = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True)
    x = pt.randn(5, 2, 3)
    want = _flat(m(x))
    with pt.no_grad():
        got = _flat(m(x))
    for g, w in zip(got, want, strict=True):
        assert g.grad_fn is None
        np.testing.assert_array_equal(_host(g), _host(w))


@pytest.mark.parametrize("cls", ["GRU", "LSTM"])
def test_backward_twice_with_retain_graph_doubles_the_gradients(cls: str) -> None:
    m, loss = _trained_loss(cls)
    loss.backward(retain_graph=True)
    once = {n: _host(p.grad).copy() for n, p in m.named_parameters()}
    loss.backward()
    for n, p in m.named_parameters():
        np.testing.assert_allclose(_host(p.grad), 2 * once[n], rtol=1e-6, err_msg=n)
    with pytest.raises(RuntimeError, match=r"released|freed"):
        loss.backward()


@pytest.mark.parametrize("cls", ["GRU", "LSTM"])
def test_a_layer_node_lets_go_of_what_it_kept_after_backward(cls: str) -> None:
    """Without retain_graph, the node's saved tensors and its steps' intermediates go with
    the backward that went through it (as PyTorch frees them)."""
    m = getattr(nn, cls)(3, 4)
    out = m(pt.ones(5, 2, 3))[0]
    ctx = out.grad_fn.op.ctx
    kept = ctx.saved_tensors[-1][0]  # (the steps' first intermediates: arrays for the kernel)
    step = weakref.ref(kept[0] if isinstance(kept, list) else kept)
    del kept
    out.sum().backward()
    gc.collect()
    assert step() is None
    with pytest.raises(RuntimeError, match="released"):
        _ = ctx.saved_tensors


@pytest.mark.parametrize("cls", ["GRU", "LSTM"])
@pytest.mark.parametrize("name", ["weight_ih_l1", "weight_hh_l1_reverse"])
def test_a_weight_changed_in_place_before_backward_is_refused(cls: str, name: str) -> None:
    m, loss = _trained_loss(cls)
    with pt.no_grad():
        getattr(m, name).mul_(1.5)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


@pytest.mark.parametrize("cls", ["GRU", "LSTM"])
def test_an_initial_state_changed_in_place_before_backward_is_refused(cls: str) -> None:
    m = getattr(nn, cls)(3, 4)
    h0 = pt.zeros(1, 2, 4, requires_grad=True)
    hx: Any = h0 * 1
    hx_arg = (hx, pt.zeros(1, 2, 4)) if cls == "LSTM" else hx
    loss = (m(pt.ones(5, 2, 3), hx_arg)[0] ** 2).sum()
    with pt.no_grad():
        hx.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_a_gru_bias_changed_in_place_before_backward_is_allowed_as_torch() -> None:
    """The step node kept b_hh among its checked inputs, though its backward does not read it:
    torch's allows the change, and so does the op-by-op step."""
    m = nn.GRU(3, 4)
    loss = (m(pt.ones(5, 2, 3))[0] ** 2).sum()
    with pt.no_grad():
        m.bias_hh_l0.mul_(1.5)
    loss.backward()
    assert m.bias_hh_l0.grad is not None
    loss = (m(pt.ones(5, 2, 3))[0] ** 2).sum()
    with pt.no_grad():
        m.weight_hh_l0.mul_(1.5)  # (read by the backward: refused, as torch's)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_an_empty_sequence_is_refused(cls: str) -> None:
    with pytest.raises(RuntimeError, match="sequence length larger than 0"):
        getattr(nn, cls)(3, 4)(pt.zeros(0, 2, 3))
