"""Attention and Transformer layers (``F.scaled_dot_product_attention``,
``nn.MultiheadAttention``, ``nn.TransformerEncoderLayer``/``Encoder``,
``nn.TransformerDecoderLayer``/``Decoder``, ``nn.Transformer``): PyTorch's parameters, values
and gradients, on NumPy and (a subset) on Dask and array-api-strict, and PyTorch's errors.

Each comparison builds the torch module, copies its ``state_dict`` into the polytensor one, runs
both on the same float64 NumPy inputs (dropout 0, or eval mode) and compares the results and the
gradients of a random projection of them in every floating input and every parameter. torch is
only the reference: those tests skip where it is not installed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F
from polytensor import nn

torch = pytest.importorskip("torch")

TOL = {"rtol": 1e-9, "atol": 1e-11}
G = np.random.default_rng(7)


def _on(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    if status != "available":
        pytest.skip(f"{name}: {status}")
    return pt.use_backend(name)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


def _flat(result: Any) -> list[Any]:
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _flat(r)]
    return [] if result is None else [result]


def _compare(
    run: Callable[[Any, Any, dict[str, Any]], Any],
    inputs: dict[str, np.ndarray],
    make: Callable[[Any], Any] | None = None,
    backend: str = "numpy",
) -> None:
    """``run(lib, module, tensors)`` with torch and with polytensor (``make(lib)`` builds the
    module; torch's weights are copied into polytensor's): the same results, and gradients of a
    random projection of them in every floating input and parameter."""
    with _on(backend):
        tm = pm = None
        if make is not None:
            torch.manual_seed(0)
            with warnings.catch_warnings():
                # torch's note that its nested-tensor fast path is off (polytensor has none)
                warnings.filterwarnings("ignore", "enable_nested_tensor is True")
                tm = make(torch)
            pm = make(pt)
            t_state, p_state = tm.state_dict(), pm.state_dict()
            assert list(p_state) == list(t_state)
            assert [tuple(v.shape) for v in p_state.values()] == [
                tuple(v.shape) for v in t_state.values()
            ]
            assert [n for n, _ in pm.named_parameters()] == [n for n, _ in tm.named_parameters()]
            pm.load_state_dict({k: pt.tensor(v.detach().numpy()) for k, v in t_state.items()})
        floating = {k for k, v in inputs.items() if v.dtype.kind == "f"}
        t_in = {k: torch.tensor(v, requires_grad=k in floating) for k, v in inputs.items()}
        p_in = {k: pt.tensor(v, requires_grad=k in floating) for k, v in inputs.items()}
        t_out = _flat(run(torch, tm, t_in))
        p_out = _flat(run(pt, pm, p_in))
        assert len(p_out) == len(t_out)
        for i, (p, t) in enumerate(zip(p_out, t_out, strict=True)):
            assert tuple(p.shape) == tuple(t.shape), f"result {i}"
            np.testing.assert_allclose(_host(p), t.detach().numpy(), **TOL, err_msg=f"result {i}")
        weights = [G.standard_normal(tuple(t.shape)) for t in t_out]
        sum((t * torch.tensor(w)).sum() for t, w in zip(t_out, weights, strict=True)).backward()
        sum((p * pt.tensor(w)).sum() for p, w in zip(p_out, weights, strict=True)).backward()
        for k in floating:
            t_grad = t_in[k].grad
            want = np.zeros(inputs[k].shape) if t_grad is None else t_grad.numpy()
            got = p_in[k].grad
            got_np = np.zeros(inputs[k].shape) if got is None else _host(got)
            np.testing.assert_allclose(got_np, want, **TOL, err_msg=f"grad of {k}")
        if tm is not None:
            t_params = dict(tm.named_parameters())
            for name, p in pm.named_parameters():
                assert p.grad is not None, name
                np.testing.assert_allclose(
                    _host(p.grad), t_params[name].grad.numpy(), **TOL, err_msg=name
                )


# -- scaled_dot_product_attention -----------------------------------------------------------------
B, H, L, S, E, EV = 2, 3, 4, 5, 6, 7


def _qkv(l_: int = L, s: int = S, lead: tuple[int, ...] = (B, H)) -> dict[str, np.ndarray]:
    return {
        "q": G.standard_normal((*lead, l_, E)),
        "k": G.standard_normal((*lead, s, E)),
        "v": G.standard_normal((*lead, s, EV)),
    }


def _bool_mask(shape: tuple[int, ...], dead_row: bool = False) -> np.ndarray:
    m = G.random(shape) > 0.4
    m[..., 0] = True
    if dead_row:
        m[..., 1, :] = False
    return m


def _float_mask(shape: tuple[int, ...]) -> np.ndarray:
    m = G.standard_normal(shape)
    m[G.random(shape) > 0.7] = -math.inf
    m[..., 0] = 0.0
    return m


SDPA_CASES: dict[str, tuple[dict[str, np.ndarray], dict[str, Any]]] = {
    "no mask": (_qkv(), {}),
    "bool mask": ({**_qkv(), "mask": _bool_mask((L, S))}, {}),
    "bool mask broadcast per batch": ({**_qkv(), "mask": _bool_mask((B, 1, L, S))}, {}),
    "bool mask with an empty row": ({**_qkv(), "mask": _bool_mask((L, S), dead_row=True)}, {}),
    "float mask": ({**_qkv(), "mask": _float_mask((H, L, S))}, {}),
    "float mask per key": ({**_qkv(), "mask": _float_mask((B, 1, 1, S))}, {}),
    "causal": (_qkv(), {"is_causal": True}),
    "causal more queries than keys": (_qkv(6, 3), {"is_causal": True}),
    "causal square": (_qkv(5, 5), {"is_causal": True}),
    "scale": ({**_qkv(), "mask": _bool_mask((L, S))}, {"scale": 0.3}),
    "3-D": (_qkv(lead=(B,)), {"is_causal": True}),
    "2-D": (_qkv(lead=()), {}),
    "broadcast key batch": (
        {"q": G.standard_normal((B, H, L, E)), "k": G.standard_normal((1, H, S, E)),
         "v": G.standard_normal((B, 1, S, EV))},
        {},
    ),
    "gqa": (
        {"q": G.standard_normal((B, 4, L, E)), "k": G.standard_normal((B, 2, S, E)),
         "v": G.standard_normal((B, 2, S, EV))},
        {"enable_gqa": True},
    ),
}  # fmt: skip


def _sdpa(kwargs: dict[str, Any]) -> Callable[[Any, Any, dict[str, Any]], Any]:
    def run(lib: Any, _m: Any, t: dict[str, Any]) -> Any:
        return lib.nn.functional.scaled_dot_product_attention(
            t["q"], t["k"], t["v"], attn_mask=t.get("mask"), **kwargs
        )

    return run


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case: str) -> None:
    inputs, kwargs = SDPA_CASES[case]
    _compare(_sdpa(kwargs), inputs)


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
@pytest.mark.parametrize("case", ["bool mask with an empty row", "float mask", "causal"])
def test_sdpa_matches_torch_on_other_backends(backend: str, case: str) -> None:
    inputs, kwargs = SDPA_CASES[case]
    _compare(_sdpa(kwargs), inputs, backend=backend)


def test_sdpa_gives_zeros_where_nothing_may_be_attended() -> None:
    x = _qkv()
    mask = np.ones((L, S), dtype=bool)
    mask[2] = False
    out = F.scaled_dot_product_attention(
        pt.tensor(x["q"]), pt.tensor(x["k"]), pt.tensor(x["v"]), attn_mask=pt.tensor(mask)
    )
    assert np.all(out.numpy()[:, :, 2] == 0.0)
    assert np.all(np.isfinite(out.numpy()))


def test_sdpa_dropout_zero_is_no_dropout_and_dropout_keeps_the_mean() -> None:
    x = {k: pt.tensor(v) for k, v in _qkv().items()}
    plain = F.scaled_dot_product_attention(x["q"], x["k"], x["v"])
    zero = F.scaled_dot_product_attention(x["q"], x["k"], x["v"], dropout_p=0.0)
    np.testing.assert_array_equal(zero.numpy(), plain.numpy())
    # the weights' dropout: about a fraction p of them zeroed, the rest scaled by 1 / (1 - p),
    # so with value = identity the output is the dropped weights themselves
    pt.manual_seed(0)
    n = 400
    q = pt.zeros((1, n, 4), dtype=pt.float64)
    k = pt.zeros((1, n, 4), dtype=pt.float64)
    v = pt.asarray(np.eye(n)[None])
    w = F.scaled_dot_product_attention(q, k, v, dropout_p=0.25).numpy()
    zeros = float(np.mean(w == 0.0))
    assert abs(zeros - 0.25) < 0.01
    np.testing.assert_allclose(w[w != 0.0], 1 / n / 0.75)
    assert abs(w.sum(axis=-1).mean() - 1.0) < 0.01


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"attn_mask": np.ones((L, S), dtype=bool), "is_causal": True}, RuntimeError),
        ({"attn_mask": np.ones((L, S), dtype=np.int64)}, RuntimeError),
        ({"attn_mask": np.ones((3, S), dtype=bool)}, RuntimeError),
        ({"key": G.standard_normal((B, H, S, 3))}, RuntimeError),
        ({"key": G.standard_normal((B, H, S, E)).astype(np.float32)}, RuntimeError),
        ({"query": G.standard_normal(E)}, RuntimeError),
    ],
)
def test_sdpa_refuses_as_torch_refuses(kwargs: dict[str, Any], error: type) -> None:
    base = {"query": _qkv()["q"], "key": _qkv()["k"], "value": _qkv()["v"]}
    for lib, as_tensor in ((torch, torch.tensor), (pt, pt.tensor)):
        args = {**base, **kwargs}
        args = {k: as_tensor(v) if isinstance(v, np.ndarray) else v for k, v in args.items()}
        with pytest.raises(error):
            lib.nn.functional.scaled_dot_product_attention(**args)


# -- MultiheadAttention ---------------------------------------------------------------------------
EMB, HEADS, NB = 8, 2, 3


def _mha(**kwargs: Any) -> Callable[[Any], Any]:
    def make(lib: Any) -> Any:
        return lib.nn.MultiheadAttention(EMB, HEADS, dtype=lib.float64, **kwargs)

    return make


def _mha_call(self_attention: bool = False, **kwargs: Any) -> Callable[[Any, Any, dict], Any]:
    def run(lib: Any, m: Any, t: dict[str, Any]) -> Any:
        q = t["x"]
        k, v = (q, q) if self_attention else (t["k"], t["v"])
        return m(
            q,
            k,
            v,
            key_padding_mask=t.get("kpm"),
            attn_mask=t.get("mask"),
            **kwargs,
        )

    return run


def _seq(n: int, batch: int | None = NB, batch_first: bool = False, e: int = EMB) -> np.ndarray:
    if batch is None:
        return G.standard_normal((n, e))
    return G.standard_normal((batch, n, e) if batch_first else (n, batch, e))


def _kpm(batch: int | None = NB, n: int = S) -> np.ndarray:
    m = G.random((n,) if batch is None else (batch, n)) > 0.6
    m[..., 0] = False
    return m


MHA_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], bool, dict[str, np.ndarray]]] = {
    "plain": ({}, {}, False, {"x": _seq(L), "k": _seq(S), "v": _seq(S)}),
    "batch_first": (
        {"batch_first": True},
        {},
        False,
        {"x": _seq(L, batch_first=True), "k": _seq(S, batch_first=True),
         "v": _seq(S, batch_first=True)},
    ),
    "self-attention batch_first": (
        {"batch_first": True}, {}, True, {"x": _seq(L, batch_first=True)}
    ),
    "self-attention no weights": ({}, {"need_weights": False}, True, {"x": _seq(L)}),
    "per-head weights": (
        {}, {"average_attn_weights": False}, False, {"x": _seq(L), "k": _seq(S), "v": _seq(S)}
    ),
    "key_padding_mask bool": (
        {}, {}, False, {"x": _seq(L), "k": _seq(S), "v": _seq(S), "kpm": _kpm()}
    ),
    "key_padding_mask no weights": (
        {"batch_first": True},
        {"need_weights": False},
        False,
        {"x": _seq(L, batch_first=True), "k": _seq(S, batch_first=True),
         "v": _seq(S, batch_first=True), "kpm": _kpm()},
    ),
    "key_padding_mask float": (
        {}, {}, False,
        {"x": _seq(L), "k": _seq(S), "v": _seq(S), "kpm": _float_mask((NB, S))},
    ),
    "attn_mask bool 2-D and key_padding_mask": (
        {}, {"need_weights": False}, False,
        {"x": _seq(L), "k": _seq(S), "v": _seq(S), "kpm": _kpm(),
         "mask": ~_bool_mask((L, S))},
    ),
    "attn_mask float 3-D": (
        {}, {}, False,
        {"x": _seq(L), "k": _seq(S), "v": _seq(S), "mask": _float_mask((NB * HEADS, L, S))},
    ),
    "attn_mask float 3-D no weights": (
        {}, {"need_weights": False}, False,
        {"x": _seq(L), "k": _seq(S), "v": _seq(S), "mask": _float_mask((NB * HEADS, L, S))},
    ),
    "causal hint": (
        {}, {"need_weights": False, "is_causal": True}, True,
        {"x": _seq(L), "mask": np.triu(np.full((L, L), -np.inf), 1)},
    ),
    "kdim vdim": (
        {"kdim": 5, "vdim": 3}, {}, False,
        {"x": _seq(L), "k": _seq(S, e=5), "v": _seq(S, e=3)},
    ),
    "kdim vdim no bias": (
        {"kdim": 5, "vdim": 3, "bias": False}, {"need_weights": False}, False,
        {"x": _seq(L), "k": _seq(S, e=5), "v": _seq(S, e=3)},
    ),
    "unbatched": (
        {}, {}, False,
        {"x": _seq(L, None), "k": _seq(S, None), "v": _seq(S, None), "kpm": _kpm(None)},
    ),
    "unbatched batch_first no weights": (
        {"batch_first": True}, {"need_weights": False}, False,
        {"x": _seq(L, None), "k": _seq(S, None), "v": _seq(S, None),
         "mask": _float_mask((HEADS, L, S))},
    ),
    "add_bias_kv and add_zero_attn": (
        {"add_bias_kv": True, "add_zero_attn": True}, {}, False,
        {"x": _seq(L), "k": _seq(S), "v": _seq(S), "kpm": _float_mask((NB, S)),
         "mask": _float_mask((L, S))},
    ),
    "add_bias_kv no weights": (
        {"add_bias_kv": True}, {"need_weights": False}, False,
        {"x": _seq(L), "k": _seq(S), "v": _seq(S), "mask": _float_mask((NB * HEADS, L, S))},
    ),
    "no bias": ({"bias": False}, {}, True, {"x": _seq(L)}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multihead_attention_matches_torch(case: str) -> None:
    ctor, call, self_attention, inputs = MHA_CASES[case]
    _compare(_mha_call(self_attention, **call), inputs, _mha(**ctor))


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
@pytest.mark.parametrize(
    "case", ["key_padding_mask bool", "attn_mask bool 2-D and key_padding_mask"]
)
def test_multihead_attention_matches_torch_on_other_backends(backend: str, case: str) -> None:
    ctor, call, self_attention, inputs = MHA_CASES[case]
    _compare(_mha_call(self_attention, **call), inputs, _mha(**ctor), backend=backend)


def test_multihead_attention_has_torchs_parameters_init_and_repr() -> None:
    m = nn.MultiheadAttention(EMB, HEADS)
    t = torch.nn.MultiheadAttention(EMB, HEADS)
    assert str(m) == str(t)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in t.named_parameters()
    ]
    assert np.all(m.in_proj_bias.detach().numpy() == 0.0)
    assert np.all(m.out_proj.bias.detach().numpy() == 0.0)
    bound = math.sqrt(6.0 / (EMB + 3 * EMB))  # xavier_uniform_ of (3E, E)
    w = m.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    sep = nn.MultiheadAttention(EMB, HEADS, kdim=5, vdim=3, add_bias_kv=True)
    tsep = torch.nn.MultiheadAttention(EMB, HEADS, kdim=5, vdim=3, add_bias_kv=True)
    assert list(sep.state_dict()) == list(tsep.state_dict())
    assert sep.in_proj_weight is None and tsep.in_proj_weight is None


def test_multihead_attention_dropout_is_off_in_eval_mode() -> None:
    pt.manual_seed(0)
    m = nn.MultiheadAttention(EMB, HEADS, dropout=0.5, dtype=pt.float64)
    x = pt.tensor(_seq(L))
    out_train = m(x, x, x)[0]
    m.eval()
    a, b = m(x, x, x)[0], m(x, x, x)[0]
    assert not np.allclose(out_train.detach().numpy(), a.detach().numpy())
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def _refusals() -> list[Any]:
    x3, k3 = _seq(L), _seq(S)
    return [
        pytest.param({"embed_dim": 0}, None, ValueError, id="zero embed_dim"),
        pytest.param({"embed_dim": 7}, None, AssertionError, id="indivisible embed_dim"),
        pytest.param({}, {"query": G.standard_normal((2, 3, 4, EMB))}, AssertionError, id="4-D"),
        pytest.param({}, {"key": _seq(S, None)}, AssertionError, id="ranks differ"),
        pytest.param({}, {"query": _seq(L, e=6)}, AssertionError, id="wrong embedding"),
        pytest.param({}, {"value": _seq(S + 1)}, AssertionError, id="key and value differ"),
        pytest.param({}, {"attn_mask": np.zeros((L, S + 1))}, RuntimeError, id="2-D mask shape"),
        pytest.param({}, {"attn_mask": np.zeros((2, L, S))}, RuntimeError, id="3-D mask shape"),
        pytest.param(
            {}, {"attn_mask": np.zeros((L, S), dtype=np.int64)}, AssertionError, id="int mask"
        ),
        pytest.param(
            {}, {"key_padding_mask": np.zeros((NB, S + 1), dtype=bool)}, AssertionError,
            id="padding mask shape",
        ),
        pytest.param({}, {"is_causal": True}, RuntimeError, id="causal hint without a mask"),
        pytest.param({}, {"query": x3, "key": k3}, None, id="ok"),
    ]  # fmt: skip


@pytest.mark.parametrize(("ctor", "call", "error"), _refusals())
def test_multihead_attention_refuses_as_torch_refuses(
    ctor: dict[str, Any], call: dict[str, Any] | None, error: type | None
) -> None:
    args = {"query": _seq(L), "key": _seq(S), "value": _seq(S), **(call or {})}
    for lib, as_tensor in ((torch, torch.tensor), (pt, pt.tensor)):
        kw = {"embed_dim": EMB, "num_heads": HEADS, **ctor}
        if call is None:
            with pytest.raises(error):  # type: ignore[arg-type]
                lib.nn.MultiheadAttention(**kw)
            continue
        m = lib.nn.MultiheadAttention(**kw, dtype=lib.float64)
        targs = {k: as_tensor(v) if isinstance(v, np.ndarray) else v for k, v in args.items()}
        if error is None:
            m(**targs)
        else:
            with pytest.raises(error):
                m(**targs)


def test_mismatched_mask_types_warn_as_torch() -> None:
    x = _seq(L)
    kpm, mask = _kpm(n=L), np.zeros((L, L))
    for lib in (torch, pt):
        m = lib.nn.MultiheadAttention(EMB, HEADS, dtype=lib.float64)
        t = lib.tensor(x)
        with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
            m(t, t, t, key_padding_mask=lib.tensor(kpm), attn_mask=lib.tensor(mask))


# -- Transformer layers ---------------------------------------------------------------------------
D, NHEAD, FF = 8, 2, 12


def _encoder_layer(**kwargs: Any) -> Callable[[Any], Any]:
    def make(lib: Any) -> Any:
        kw = dict(kwargs)
        act = kw.pop("activation", "relu")
        if act == "gelu callable":
            act = lib.nn.functional.gelu
        return lib.nn.TransformerEncoderLayer(
            D, NHEAD, FF, dropout=0.0, activation=act, dtype=lib.float64, **kw
        )

    return make


def _src(n: int = L, batch_first: bool = False) -> np.ndarray:
    return G.standard_normal((NB, n, D) if batch_first else (n, NB, D))


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "gelu callable"])
def test_encoder_layer_matches_torch(norm_first: bool, activation: str) -> None:
    inputs = {"x": _src(), "mask": np.triu(np.full((L, L), -np.inf), 1), "kpm": _kpm(n=L)}
    inputs["kpm"] = np.where(inputs["kpm"], -np.inf, 0.0)

    def run(lib: Any, m: Any, t: dict[str, Any]) -> Any:
        return m(t["x"], src_mask=t["mask"], src_key_padding_mask=t["kpm"])

    _compare(run, inputs, _encoder_layer(norm_first=norm_first, activation=activation))


def test_encoder_layer_batch_first_unbatched_and_no_bias_match_torch() -> None:
    def run(lib: Any, m: Any, t: dict[str, Any]) -> Any:
        return m(t["x"], is_causal=True, src_mask=t["mask"]), m(t["u"])

    inputs = {
        "x": _src(batch_first=True),
        "u": G.standard_normal((L, D)),
        "mask": np.triu(np.ones((L, L), dtype=bool), 1),
    }
    _compare(run, inputs, _encoder_layer(batch_first=True, bias=False))


def _encoder(norm: bool) -> Callable[[Any], Any]:
    def make(lib: Any) -> Any:
        layer = lib.nn.TransformerEncoderLayer(D, NHEAD, FF, dropout=0.0, dtype=lib.float64)
        return lib.nn.TransformerEncoder(
            layer, 2, norm=lib.nn.LayerNorm(D, dtype=lib.float64) if norm else None
        )

    return make


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_encoder_matches_torch(backend: str) -> None:
    inputs = {"x": _src(), "kpm": np.where(_kpm(n=L), -np.inf, 0.0)}

    def run(lib: Any, m: Any, t: dict[str, Any]) -> Any:
        mask = lib.nn.Transformer.generate_square_subsequent_mask(L, dtype=lib.float64)
        return m(t["x"], mask, src_key_padding_mask=t["kpm"])

    _compare(run, inputs, _encoder(norm=backend == "numpy"), backend=backend)


def test_encoder_layers_are_deep_copies_with_torchs_names() -> None:
    layer = nn.TransformerEncoderLayer(D, NHEAD, FF)
    enc = nn.TransformerEncoder(layer, 3)
    assert enc.layers[0] is not layer and enc.layers[0] is not enc.layers[1]
    assert enc.layers[0].self_attn.in_proj_weight is not enc.layers[1].self_attn.in_proj_weight
    np.testing.assert_array_equal(
        enc.layers[2].linear1.weight.detach().numpy(), layer.linear1.weight.detach().numpy()
    )
    assert "layers.2.self_attn.out_proj.weight" in enc.state_dict()


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_decoder_layer_matches_torch(norm_first: bool, activation: str) -> None:
    inputs = {
        "tgt": _src(),
        "mem": _src(S),
        "tgt_mask": np.triu(np.full((L, L), -np.inf), 1),
        "mem_mask": ~_bool_mask((L, S)),
        "tgt_kpm": np.where(_kpm(n=L), -np.inf, 0.0),
        "mem_kpm": _kpm(n=S),
    }

    def make(lib: Any) -> Any:
        return lib.nn.TransformerDecoderLayer(
            D, NHEAD, FF, 0.0, activation, norm_first=norm_first, dtype=lib.float64
        )

    def run(lib: Any, m: Any, t: dict[str, Any]) -> Any:
        return m(
            t["tgt"],
            t["mem"],
            tgt_mask=t["tgt_mask"],
            memory_mask=t["mem_mask"],
            tgt_key_padding_mask=t["tgt_kpm"],
            memory_key_padding_mask=t["mem_kpm"],
            tgt_is_causal=True,
        )

    _compare(run, inputs, make)


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_decoder_matches_torch(backend: str) -> None:
    inputs = {"tgt": _src(batch_first=True), "mem": _src(S, batch_first=True)}

    def make(lib: Any) -> Any:
        layer = lib.nn.TransformerDecoderLayer(
            D, NHEAD, FF, 0.0, batch_first=True, dtype=lib.float64
        )
        return lib.nn.TransformerDecoder(layer, 2, lib.nn.LayerNorm(D, dtype=lib.float64))

    def run(lib: Any, m: Any, t: dict[str, Any]) -> Any:
        mask = lib.nn.Transformer.generate_square_subsequent_mask(L, dtype=lib.float64)
        return m(t["tgt"], t["mem"], tgt_mask=mask, tgt_is_causal=True)

    _compare(run, inputs, make, backend=backend)


@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(batch_first: bool) -> None:
    inputs = {
        "src": _src(S, batch_first),
        "tgt": _src(L, batch_first),
        "src_kpm": _kpm(n=S),
        "tgt_kpm": np.where(_kpm(n=L), -np.inf, 0.0),
    }

    def make(lib: Any) -> Any:
        return lib.nn.Transformer(
            D, NHEAD, 2, 1, FF, 0.0, "gelu", batch_first=batch_first, dtype=lib.float64
        )

    def run(lib: Any, m: Any, t: dict[str, Any]) -> Any:
        mask = m.generate_square_subsequent_mask(L, dtype=lib.float64)
        return m(
            t["src"],
            t["tgt"],
            tgt_mask=mask,
            src_key_padding_mask=t["src_kpm"],
            tgt_key_padding_mask=t["tgt_kpm"],
            memory_key_padding_mask=t["src_kpm"],
        )

    _compare(run, inputs, make)


def test_transformer_init_and_names_as_torch() -> None:
    m = nn.Transformer(D, NHEAD, 1, 1, FF)
    t = torch.nn.Transformer(D, NHEAD, 1, 1, FF, batch_first=True)
    assert list(m.state_dict()) == list(t.state_dict())
    # every matrix re-drawn by xavier_uniform_: linear1.weight (FF, D) within its bound
    w = m.encoder.layers[0].linear1.weight.detach().numpy()
    assert np.abs(w).max() <= math.sqrt(6.0 / (FF + D))
    np.testing.assert_array_equal(
        m.generate_square_subsequent_mask(3).numpy(),
        torch.nn.Transformer.generate_square_subsequent_mask(3).numpy(),
    )
    assert m.generate_square_subsequent_mask(3).dtype == pt.float32


def test_transformer_layers_refuse_as_torch_refuse() -> None:
    for lib in (torch, pt):
        with pytest.raises(RuntimeError, match="activation should be relu/gelu"):
            lib.nn.TransformerEncoderLayer(D, NHEAD, activation="tanh")
        m = lib.nn.Transformer(D, NHEAD, 1, 1, FF, batch_first=True)
        with pytest.raises(RuntimeError, match="batch number of src and tgt"):
            m(lib.ones((2, 4, D)), lib.ones((3, 4, D)))
        with pytest.raises(RuntimeError, match="feature number of src and tgt"):
            m(lib.ones((2, 4, D)), lib.ones((2, 4, D + 1)))


# -- PyTorch's behaviour at the edges -------------------------------------------------------------
def _torch_and_pt_agree(
    call: Callable[[Any, Callable[[np.ndarray], Any]], Any], values: bool = True
) -> None:
    """``call(lib, as_tensor)`` raises the same exception type in torch and polytensor, or
    returns results of the same shapes (and values, unless a module's own draws differ)."""
    results: list[Any] = []
    for lib, as_tensor in ((torch, torch.tensor), (pt, pt.tensor)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lib.manual_seed(0)
                results.append(_flat(call(lib, as_tensor)))
        except Exception as e:  # noqa: BLE001 (the type is what is compared)
            results.append(type(e))
    t_res, p_res = results
    if isinstance(t_res, type) or isinstance(p_res, type):
        assert p_res == t_res
        return
    assert [tuple(p.shape) for p in p_res] == [tuple(t.shape) for t in t_res]
    for p, t in zip(p_res if values else [], t_res if values else [], strict=True):
        np.testing.assert_allclose(_host(p), t.detach().numpy(), **TOL)


def _encoder_stack(lib: Any) -> Any:
    layer = lib.nn.TransformerEncoderLayer(D, NHEAD, FF, 0.0, dtype=lib.float64)
    return lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)


def _decoder_stack(lib: Any) -> Any:
    layer = lib.nn.TransformerDecoderLayer(D, NHEAD, FF, 0.0, dtype=lib.float64)
    return lib.nn.TransformerDecoder(layer, 2)


def _transformer(lib: Any) -> Any:
    return lib.nn.Transformer(D, NHEAD, 1, 1, FF, 0.0, dtype=lib.float64)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, t: _encoder_stack(lib)(t(_src()), is_causal=True),
        lambda lib, t: _encoder_stack(lib)(t(_src()), src_key_padding_mask=t(_kpm(n=L)),
                                           is_causal=True),
        lambda lib, t: _encoder_stack(lib).eval()(t(_src()), is_causal=True),
        lambda lib, t: _decoder_stack(lib)(t(_src()), t(_src(S)), tgt_is_causal=True),
        lambda lib, t: _decoder_stack(lib)(t(_src()), t(_src(S)), memory_is_causal=True),
        lambda lib, t: _transformer(lib)(t(_src(S)), t(_src()), src_is_causal=True),
        lambda lib, t: _transformer(lib)(t(_src(S)), t(_src()), tgt_is_causal=True),
        lambda lib, t: _transformer(lib)(t(_src(S)), t(_src()), memory_is_causal=True),
        # the hint with a mask stands for it: the mask is then not used, nor checked
        lambda lib, t: _encoder_stack(lib)(t(_src()), mask=t(np.zeros((5, 5))), is_causal=True),
        lambda lib, t: _transformer(lib)(t(_src(S)), t(_src()), tgt_mask=t(np.zeros((5, 5))),
                                         tgt_is_causal=True),
        lambda lib, t: _encoder_stack(lib)(t(_src()), mask=t(np.zeros((5, 5)))),
    ],
    ids=["encoder", "encoder with padding", "encoder eval", "decoder tgt", "decoder memory",
         "transformer src", "transformer tgt", "transformer memory", "encoder unchecked mask",
         "transformer unchecked tgt_mask", "encoder wrong mask"],
)  # fmt: skip
def test_causal_hint_without_a_mask_is_refused_as_torch(call: Callable[..., Any]) -> None:
    _torch_and_pt_agree(call, values=False)


def _sdpa_call(q: tuple[int, ...], k: tuple[int, ...], ev: int = EV, **kw: Any) -> Any:
    def call(lib: Any, t: Callable[[np.ndarray], Any]) -> Any:
        g = np.random.default_rng(1)
        args = {n: t(v) if isinstance(v, np.ndarray) else v for n, v in kw.items()}
        return lib.nn.functional.scaled_dot_product_attention(
            t(g.standard_normal(q)), t(g.standard_normal(k)),
            t(g.standard_normal((*k[:-1], ev))), **args,
        )  # fmt: skip

    return call


@pytest.mark.parametrize(
    "call",
    [
        _sdpa_call((2, 4, 5), (2, 0, 5)),
        _sdpa_call((2, 4, 5), (2, 0, 5), is_causal=True),
        _sdpa_call((2, 4, 5), (2, 0, 5), attn_mask=np.zeros((4, 0), dtype=bool)),
        _sdpa_call((2, 4, 5), (2, 0, 5), attn_mask=np.zeros((4, 0))),
        _sdpa_call((2, 4, 5), (2, 0, 5), dropout_p=0.5),
        _sdpa_call((2, 3, 4, 5), (2, 3, 0, 5), attn_mask=np.zeros(0, dtype=bool)),
    ],
    ids=["plain", "causal", "bool mask", "float mask", "dropout", "4-D, 1-D mask"],
)
def test_sdpa_with_no_keys_gives_zeros_as_torch(call: Callable[..., Any]) -> None:
    _torch_and_pt_agree(call)
    q = pt.tensor(np.ones((2, 4, 5)), requires_grad=True)
    empty = pt.zeros((2, 0, 5), dtype=pt.float64)
    out = F.scaled_dot_product_attention(q, empty, empty)
    out.sum().backward()
    assert q.grad is not None
    np.testing.assert_array_equal(q.grad.numpy(), np.zeros((2, 4, 5)))


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"need_weights": False}, {"average_attn_weights": False},
     {"key_padding_mask": np.zeros((NB, 0), dtype=bool)},
     {"key_padding_mask": np.zeros((NB, 0), dtype=bool), "need_weights": False}],
    ids=["weights", "no weights", "per head", "padding mask", "padding mask, no weights"],
)  # fmt: skip
def test_multihead_attention_with_no_keys_as_torch(kwargs: dict[str, Any]) -> None:
    def call(lib: Any, t: Callable[[np.ndarray], Any]) -> Any:
        torch.manual_seed(0)
        tm = torch.nn.MultiheadAttention(EMB, HEADS, dtype=torch.float64)
        m = tm if lib is torch else lib.nn.MultiheadAttention(EMB, HEADS, dtype=lib.float64)
        if lib is pt:
            m.load_state_dict({k: pt.tensor(v.numpy()) for k, v in tm.state_dict().items()})
        e = t(np.zeros((0, NB, EMB)))
        kw = {k: t(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        return m(t(np.ones((L, NB, EMB))), e, e, **kw)

    _torch_and_pt_agree(call)


Q4, K4 = (2, 3, 4, 5), (2, 3, 6, 5)


@pytest.mark.parametrize(
    "call",
    [
        _sdpa_call(Q4, K4, attn_mask=np.ones((5, 2, 3, 4, 6), dtype=bool)),
        _sdpa_call(Q4, K4, attn_mask=np.zeros((1, 1, 1, 1, 4, 6))),
        _sdpa_call(Q4[1:], K4[1:], attn_mask=np.ones((2, 3, 4, 6), dtype=bool)),
        _sdpa_call(Q4, K4, attn_mask=np.ones((2, 1, 4, 6), dtype=bool)),
        _sdpa_call((1, 3, 4, 5), K4, attn_mask=np.ones((2, 3, 4, 6), dtype=bool)),
        _sdpa_call(Q4, K4, attn_mask=np.ones(6, dtype=bool)),
        _sdpa_call(Q4, K4, attn_mask=np.zeros(())),
        _sdpa_call(Q4, K4, attn_mask=np.ones(6, dtype=bool), dropout_p=-0.1),
        _sdpa_call(Q4, (2, 1, 6, 5), attn_mask=np.ones(6, dtype=bool), enable_gqa=True),
        _sdpa_call(Q4[1:], K4[1:], attn_mask=np.ones(6, dtype=bool)),
        _sdpa_call(Q4, (1, 3, 6, 5), attn_mask=np.ones(6, dtype=bool)),
        _sdpa_call(Q4[2:], K4[2:], attn_mask=np.zeros(())),
    ],
    ids=["more dims", "more unit dims", "more dims, 3-D", "broadcast", "broadcast batches",
         "1-D, 4-D inputs", "0-D, 4-D inputs", "1-D, negative dropout", "1-D, gqa",
         "1-D, 3-D inputs", "1-D, broadcast key batch", "0-D, 2-D inputs"],
)  # fmt: skip
def test_sdpa_mask_must_broadcast_to_the_scores_as_torch(call: Callable[..., Any]) -> None:
    _torch_and_pt_agree(call)


@pytest.mark.parametrize(
    "call",
    [
        _sdpa_call(Q4, K4, attn_mask=np.zeros((4, 6), dtype=np.float32)),
        _sdpa_call(Q4, K4, attn_mask=np.zeros((4, 6), dtype=np.float64)),
    ],
    ids=["float32 mask", "float64 mask"],
)
def test_sdpa_float_mask_dtypes_as_torch(call: Callable[..., Any]) -> None:
    _torch_and_pt_agree(call)  # (a float32 mask with a float64 query is accepted)

    def float32_query(lib: Any, t: Callable[[np.ndarray], Any]) -> Any:
        q = t(np.ones(Q4, dtype=np.float32))
        k = t(np.ones(K4, dtype=np.float32))
        return lib.nn.functional.scaled_dot_product_attention(q, k, k, t(np.zeros((4, 6))))

    _torch_and_pt_agree(float32_query)  # (a float64 mask with a float32 query is refused)


@pytest.mark.parametrize("module_dtype", [np.float64, np.float32])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize(
    "what", ["attn_mask", "key_padding_mask", "both", "float mask, bool padding", "input", "key"]
)
def test_multihead_attention_dtypes_as_torch(
    module_dtype: type, need_weights: bool, what: str
) -> None:
    other = np.float32 if module_dtype is np.float64 else np.float64

    def call(lib: Any, t: Callable[[np.ndarray], Any]) -> Any:
        m = lib.nn.MultiheadAttention(EMB, HEADS, dtype=getattr(lib, np.dtype(module_dtype).name))
        x = np.ones((L, NB, EMB), dtype=other if what == "input" else module_dtype)
        k = np.ones((L, NB, EMB), dtype=other if what == "key" else module_dtype)
        mask = np.zeros((L, L), dtype=other)
        kpm = np.zeros((NB, L), dtype=other)
        kw: dict[str, Any] = {
            "attn_mask": {"attn_mask": t(mask)},
            "key_padding_mask": {"key_padding_mask": t(kpm)},
            "both": {"attn_mask": t(mask), "key_padding_mask": t(kpm)},
            "float mask, bool padding": {
                "attn_mask": t(mask), "key_padding_mask": t(kpm.astype(bool))
            },
        }.get(what, {})  # fmt: skip
        return m(t(x), t(k), t(k), need_weights=need_weights, **kw)[0]

    _torch_and_pt_agree(call, values=False)


@pytest.mark.parametrize("p", [1.5, 2, -0.1, -1, True, 1.0, 0.0])
def test_sdpa_dropout_p_as_torch(p: float) -> None:
    def call(lib: Any, t: Callable[[np.ndarray], Any]) -> Any:
        out = _sdpa_call(Q4, K4, dropout_p=p)(lib, t)
        return out if p <= 0.0 else out * 0 if p < 1.0 else out  # (p = 1: all zeros)

    _torch_and_pt_agree(call)


@pytest.mark.parametrize("backend", ["numpy", "dask", "array_api_strict"])
def test_the_mismatched_mask_warning_is_shown_once_not_at_every_call(backend: str) -> None:
    """Python shows a UserWarning once for the line that issues it; PyTorch's layer issues it
    from one line of its own, so a training loop sees it once, not at each step. On Dask the
    graph building must not reset Python's memory of warnings shown (catch_warnings does)."""
    calls = 4
    with warnings.catch_warnings(record=True) as want:
        warnings.simplefilter("default")
        mha = torch.nn.MultiheadAttention(4, 2, batch_first=True)
        x = torch.ones(2, 3, 4)
        for _ in range(calls):
            mha(
                x,
                x,
                x,
                attn_mask=torch.zeros(3, 3, dtype=torch.bool),
                key_padding_mask=torch.zeros(2, 3),
            )
    with _on(backend), warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("default")
        mha = nn.MultiheadAttention(4, 2, batch_first=True)
        x = pt.ones((2, 3, 4))
        for _ in range(calls):
            mha(
                x,
                x,
                x,
                attn_mask=pt.zeros((3, 3), dtype=pt.bool),
                key_padding_mask=pt.zeros((2, 3)),
            )
    assert 1 <= len(want) < calls  # (torch: once, or twice where its first call resets them)
    assert [str(w.message) for w in got] == [str(want[0].message)]
    assert got[0].filename.endswith("attention.py")  # (a line of the layer, as torch's)
