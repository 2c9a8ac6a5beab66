"""``nn.utils.rnn`` (padding and packing sequences) and the recurrent layers on packed
sequences, against torch: the packed data, batch sizes and orders, padded results and lengths,
the layers' outputs and final states and every gradient in float64 (forward and reverse
directions, two layers, given initial states, unsorted batches), errors, and the PyTorch
chatbot tutorial's encoder, on NumPy, Dask and array-api-strict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn
from polytensor.nn.utils import rnn as R

torch = pytest.importorskip("torch")
TR = torch.nn.utils.rnn


def _backend_param(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


@pytest.fixture(params=[_backend_param(b) for b in ("numpy", "dask", "array_api_strict")])
def backend(request: pytest.FixtureRequest) -> str:
    pt.set_backend(request.param)
    return str(request.param)


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach().to("numpy").numpy())


def _same(got: Any, want: Any, what: str = "", rtol: float = 1e-12) -> None:
    if want is None:
        assert got is None, what
        return
    w = want.detach().numpy()
    g = _host(got)
    assert g.shape == w.shape, (what, g.shape, w.shape)
    np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-13, err_msg=what)


RNG = np.random.default_rng(0)


def test_pad_sequence_matches_torch(backend: str) -> None:
    seqs = [RNG.standard_normal((k, 3)) for k in (2, 4, 1)]
    for batch_first in (False, True):
        for side in ("right", "left"):
            got = R.pad_sequence([pt.tensor(s) for s in seqs], batch_first, -1.5, padding_side=side)
            want = TR.pad_sequence(
                [torch.tensor(s) for s in seqs], batch_first, -1.5, padding_side=side
            )
            _same(got, want, f"{batch_first} {side}")
    ints = R.pad_sequence([pt.asarray([1, 2]), pt.asarray([3])])
    assert ints.dtype == pt.int64


@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_match_torch(backend: str, enforce_sorted: bool, batch_first: bool) -> None:
    lengths = [4, 3, 3, 1] if enforce_sorted else [1, 4, 3, 3]
    shape = (4, 5, 2) if batch_first else (5, 4, 2)
    x = RNG.standard_normal(shape)
    xp, xt = pt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got = R.pack_padded_sequence(xp, lengths, batch_first, enforce_sorted)
    want = TR.pack_padded_sequence(xt, lengths, batch_first, enforce_sorted)
    _same(got.data, want.data, "data")
    assert got.batch_sizes.tolist() == want.batch_sizes.tolist()
    for a, b in (
        (got.sorted_indices, want.sorted_indices),
        (got.unsorted_indices, want.unsorted_indices),
    ):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.tolist() == b.tolist()
    padded, lens = R.pad_packed_sequence(got, batch_first, padding_value=7.0, total_length=6)
    padded_t, lens_t = TR.pad_packed_sequence(want, batch_first, padding_value=7.0, total_length=6)
    _same(padded, padded_t, "padded")
    assert lens.tolist() == lens_t.tolist() and lens.dtype == pt.int64
    r = RNG.standard_normal(tuple(padded_t.shape))
    (padded * pt.tensor(r)).sum().backward()
    (padded_t * torch.tensor(r)).sum().backward()
    _same(xp.grad, xt.grad, "input gradient")


def test_lengths_as_a_tensor_and_pack_sequence() -> None:
    seqs = [RNG.standard_normal((k,)) for k in (3, 1, 2)]
    got = R.pack_sequence([pt.tensor(s) for s in seqs], enforce_sorted=False)
    want = TR.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    _same(got.data, want.data)
    back = R.unpack_sequence(got)
    for b, s in zip(back, seqs, strict=True):
        np.testing.assert_array_equal(_host(b), s)
    padded = pt.tensor(RNG.standard_normal((3, 2)))
    packed = R.pack_padded_sequence(padded, pt.asarray([3, 2]))
    assert packed.batch_sizes.tolist() == [2, 2, 1]
    assert [tuple(s.shape) for s in R.unpad_sequence(padded, [3, 2])] == [(3,), (2,)]
    # lengths counted with a float mask, as torch (which casts them to int64)
    mask = pt.asarray([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    got_f = R.pack_padded_sequence(padded.T, mask.sum(1), batch_first=True)
    want_f = TR.pack_padded_sequence(
        torch.tensor(_host(padded.T)), torch.tensor([3.0, 2.0]), batch_first=True
    )
    _same(got_f.data, want_f.data)
    assert got_f.batch_sizes.tolist() == want_f.batch_sizes.tolist()


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: R.pack_padded_sequence(pt.ones((3, 2)), [1, 3]), RuntimeError, "decreasing"),
        (lambda: R.pack_padded_sequence(pt.ones((3, 2)), [3]), ValueError, "lengths"),
        (lambda: R.pack_padded_sequence(pt.ones((3, 2)), [4, 1]), RuntimeError, "longer"),
        (lambda: R.pack_padded_sequence(pt.ones((3, 2)), [3, 0]), RuntimeError, "at least 1"),
        (lambda: R.pack_padded_sequence(pt.ones((3, 2)), "ab"), TypeError, "lengths"),
        (lambda: R.pack_padded_sequence(pt.ones(3), [3]), ValueError, "2 dimensions"),
        (lambda: R.pad_sequence([]), RuntimeError, "empty"),
        (lambda: R.pad_sequence([pt.ones((2, 3)), pt.ones((2, 4))]), RuntimeError, "trailing"),
        (lambda: R.pad_sequence([pt.ones(2)], padding_side="up"), ValueError, "padding_side"),
        (lambda: R.pad_packed_sequence(pt.ones(2)), TypeError, "PackedSequence"),
        (
            lambda: R.pad_packed_sequence(R.pack_sequence([pt.ones(3)]), total_length=2),
            ValueError,
            "total_length",
        ),
    ],
)
def test_errors(call: Any, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        call()


def _pair(mode: str, bidirectional: bool, layers: int = 2) -> tuple[Any, Any]:
    kwargs: dict[str, Any] = {"num_layers": layers, "bidirectional": bidirectional}
    if mode == "RNN_RELU":
        kwargs["nonlinearity"] = "relu"
    cls = "RNN" if mode.startswith("RNN") else mode
    tm = getattr(torch.nn, cls)(3, 5, **kwargs).double()
    pm = getattr(nn, cls)(3, 5, **kwargs).double()
    pm.load_state_dict({k: pt.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return pm, tm


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN", "RNN_RELU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_layers_on_packed_sequences_match_torch(mode: str, bidirectional: bool) -> None:
    pm, tm = _pair(mode, bidirectional)
    lengths = [2, 5, 1, 4]
    x = RNG.standard_normal((5, 4, 3))
    d = 2 if bidirectional else 1
    h0 = RNG.standard_normal((2 * d, 4, 5))
    xp, xt = pt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    hp, ht = pt.tensor(h0, requires_grad=True), torch.tensor(h0, requires_grad=True)
    sp = (hp, hp * 0.5) if mode == "LSTM" else hp
    st = (ht, ht * 0.5) if mode == "LSTM" else ht
    out_p, last_p = pm(R.pack_padded_sequence(xp, lengths, enforce_sorted=False), sp)
    out_t, last_t = tm(TR.pack_padded_sequence(xt, lengths, enforce_sorted=False), st)
    assert isinstance(out_p, R.PackedSequence)
    _same(out_p.data, out_t.data, "packed output")
    assert out_p.batch_sizes.tolist() == out_t.batch_sizes.tolist()
    finals_p = list(last_p) if mode == "LSTM" else [last_p]
    finals_t = list(last_t) if mode == "LSTM" else [last_t]
    for a, b in zip(finals_p, finals_t, strict=True):
        _same(a, b, "final state")
    padded_p, _ = R.pad_packed_sequence(out_p, batch_first=True)
    padded_t, _ = TR.pad_packed_sequence(out_t, batch_first=True)
    r = RNG.standard_normal(tuple(padded_t.shape))
    loss_p = (padded_p * pt.tensor(r)).sum() + sum(f.sum() * 0.3 for f in finals_p)
    loss_t = (padded_t * torch.tensor(r)).sum() + sum(f.sum() * 0.3 for f in finals_t)
    loss_p.backward()
    loss_t.backward()
    _same(xp.grad, xt.grad, "input gradient", rtol=1e-10)
    _same(hp.grad, ht.grad, "h0 gradient", rtol=1e-10)
    for (name, p), (_, t) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
        _same(p.grad, t.grad, name, rtol=1e-10)


def test_packed_sequences_on_other_backends(backend: str) -> None:
    pm, tm = _pair("LSTM", True, layers=1)
    x = RNG.standard_normal((4, 3, 3))
    out_p, (h_p, c_p) = pm(R.pack_padded_sequence(pt.tensor(x), [4, 2, 3], enforce_sorted=False))
    out_t, (h_t, c_t) = tm(
        TR.pack_padded_sequence(torch.tensor(x), [4, 2, 3], enforce_sorted=False)
    )
    _same(out_p.data, out_t.data)
    _same(h_p, h_t)
    _same(c_p, c_t)


def test_chatbot_encoder_matches_torch() -> None:
    """The encoder of PyTorch's chatbot tutorial: embedded, packed by length, a bidirectional
    GRU, unpacked, the two directions' outputs summed."""

    def encoder(lib: Any, emb: Any, gru: Any, seqs: Any, lengths: Any) -> Any:
        packed = lib.nn.utils.rnn.pack_padded_sequence(emb(seqs), lengths)
        outputs, hidden = gru(packed, None)
        outputs, _ = lib.nn.utils.rnn.pad_packed_sequence(outputs)
        outputs = outputs[:, :, :6] + outputs[:, :, 6:]
        return outputs, hidden

    tokens = np.array([[3, 5, 2, 7], [1, 4, 6, 0], [8, 9, 0, 0]]).T  # (L, N), sorted by length
    lengths = [4, 3, 2]
    emb_t, gru_t = torch.nn.Embedding(10, 6).double(), torch.nn.GRU(6, 6, 2, bidirectional=True)
    gru_t = gru_t.double()
    emb_p, gru_p = nn.Embedding(10, 6).double(), nn.GRU(6, 6, 2, bidirectional=True).double()
    for p_mod, t_mod in ((emb_p, emb_t), (gru_p, gru_t)):
        p_mod.load_state_dict(
            {k: pt.tensor(v.detach().numpy()) for k, v in t_mod.state_dict().items()}
        )
    out_p, hid_p = encoder(pt, emb_p, gru_p, pt.tensor(tokens), pt.tensor(lengths))
    out_t, hid_t = encoder(torch, emb_t, gru_t, torch.tensor(tokens), torch.tensor(lengths))
    _same(out_p, out_t, "outputs")
    _same(hid_p, hid_t, "hidden")
    (out_p.sum() + hid_p.sum()).backward()
    (out_t.sum() + hid_t.sum()).backward()
    _same(emb_p.weight.grad, emb_t.weight.grad, "embedding gradient", rtol=1e-10)


def test_packed_sequence_helpers() -> None:
    p = R.pack_sequence([pt.ones(3), pt.ones(1)])
    assert p.lengths() == [3, 1]
    assert p.to(pt.float64).data.dtype == pt.float64
    assert p.to(pt.float32) is p
    assert not p.is_cuda
    _, _, sorted_i, unsorted_i = p  # (a named tuple, as torch's)
    assert sorted_i is None and unsorted_i is None
    assert pt.nn.utils.rnn.PackedSequence is R.PackedSequence


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_second_derivatives_on_packed_sequences_match_torch(mode: str) -> None:
    """A gradient penalty through a layer on a packed batch: the node's backward under
    create_graph differentiates the masked op-by-op steps, as torch does."""
    pm, tm = _pair(mode, True, layers=1)
    x = RNG.standard_normal((4, 3, 3))
    xp, xt = pt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_p, _ = pm(R.pack_padded_sequence(xp, [2, 4, 3], enforce_sorted=False))
    out_t, _ = tm(TR.pack_padded_sequence(xt, [2, 4, 3], enforce_sorted=False))
    (gp,) = pt.autograd.grad((out_p.data**2).sum(), xp, create_graph=True)
    (gt,) = torch.autograd.grad((out_t.data**2).sum(), xt, create_graph=True)
    _same(gp, gt, "first derivative", rtol=1e-10)
    (gp**2).sum().backward()
    (gt**2).sum().backward()
    for (name, p), (_, t) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
        _same(p.grad, t.grad, name, rtol=1e-9)
