"""What PyTorch training programs call in ``nn``, ``nn.utils`` and ``optim``, checked against
values written down from torch 2 (float64, deterministic parameters), so they run without torch:
``nn.LSTM(proj_size=)``, ``nn.utils.parametrizations.orthogonal``, ``nn.utils.parametrize.cached``,
``nn.utils.get_total_norm`` / ``clip_grads_with_norm_``, an optimizer's step hooks, a
scheduler's ``step(epoch)`` and ``_LRScheduler``, ``nn.CTCLoss`` and LBFGS checkpoints."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn


def _fill(module: nn.Module) -> nn.Module:
    """Every parameter (in ``parameters()`` order ``i``) set to 0.5 sin(1.3 k + i), k its flat
    index: the same numbers the torch side of these values was computed with."""
    with pt.no_grad():
        for i, p in enumerate(module.parameters()):
            k = pt.arange(p.numel(), dtype=pt.float64)
            p.copy_(pt.reshape(0.5 * pt.sin(1.3 * k + i), tuple(p.shape)))
    return module


def _input(*shape: int, seed: int = 0) -> Any:
    k = pt.arange(int(np.prod(shape)), dtype=pt.float64)
    return pt.reshape(pt.cos(0.7 * k + seed), shape)


def _close(got: Any, want: Any) -> None:
    np.testing.assert_allclose(got.detach().numpy(), np.asarray(want), rtol=1e-8, atol=1e-9)


# -- LSTM with projections ------------------------------------------------------------------------
def test_lstm_with_projections_matches_torch_values_and_gradients() -> None:
    m = _fill(
        nn.LSTM(2, 3, num_layers=2, proj_size=1, bidirectional=True, batch_first=True).to(
            pt.float64
        )
    )
    assert [n for n, _ in m.named_parameters()][:5] == [
        "weight_ih_l0",
        "weight_hh_l0",
        "bias_ih_l0",
        "bias_hh_l0",
        "weight_hr_l0",
    ]
    assert tuple(m.weight_ih_l1.shape) == (12, 2) and tuple(m.weight_hh_l1.shape) == (12, 1)
    x = _input(2, 3, 2).requires_grad_(True)
    out, (h, c) = m(x)
    (out.sum() + c.sum()).backward()
    _close(
        out,
        [
            [
                [0.1650179096, 0.0926485928],
                [0.2340529149, 0.0866760433],
                [0.2667225772, 0.0710603566],
            ],
            [
                [0.1681021174, 0.0952570439],
                [0.2335763913, 0.0831630998],
                [0.2644463818, 0.0617571903],
            ],
        ],
    )
    _close(
        h,
        [
            [[0.183687677], [0.3016200556]],
            [[0.3427482155], [0.2762536696]],
            [[0.2667225772], [0.2644463818]],
            [[0.0926485928], [0.0952570439]],
        ],
    )
    _close(
        c[3],
        [[0.0582435637, 0.5447249691, 0.1792503123], [0.0583504763, 0.5408359537, 0.1918556773]],
    )
    _close(
        x.grad,
        [
            [
                [-0.0658317473, 0.1011960316],
                [0.0175680642, 0.0256319957],
                [0.1072620291, -0.1155038748],
            ],
            [
                [0.1689046961, 0.1018175215],
                [-0.0421556968, 0.033692862],
                [-0.0748870171, -0.0918935333],
            ],
        ],
    )
    _close(m.weight_hr_l1_reverse.grad, [[0.1003238601, 0.8012963417, 0.5628616672]])
    _close(
        m.weight_hh_l0.grad[:4], [[-0.064169664], [-0.1274247005], [0.0230085518], [-0.0964338672]]
    )


def test_lstm_with_projections_checks_its_states_and_arguments() -> None:
    m = nn.LSTM(3, 6, num_layers=2, proj_size=2)
    assert repr(m) == "LSTM(3, 6, proj_size=2, num_layers=2)"
    out, (h, c) = m(pt.ones((4, 5, 3)), (pt.zeros((2, 5, 2)), pt.zeros((2, 5, 6))))
    assert (tuple(out.shape), tuple(h.shape), tuple(c.shape)) == ((4, 5, 2), (2, 5, 2), (2, 5, 6))
    with pytest.raises(RuntimeError, match=r"Expected hx size \(2, 5, 2\)"):
        m(pt.ones((4, 5, 3)), (pt.zeros((2, 5, 6)), pt.zeros((2, 5, 6))))
    with pytest.raises(ValueError, match=r"proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 6, proj_size=6)


def test_lstm_with_projections_takes_packed_sequences() -> None:
    rnn = nn.utils.rnn
    m = nn.LSTM(2, 4, proj_size=3, bidirectional=True).to(pt.float64)
    seqs = [_input(3, 2), _input(1, 2, seed=1)]
    out, (h, _) = m(rnn.pack_sequence(seqs, enforce_sorted=False))
    padded, lengths = rnn.pad_packed_sequence(out)
    assert tuple(padded.shape) == (3, 2, 6) and lengths.tolist() == [3, 1]
    # each sequence alone gives the same numbers as in the packed batch
    alone, (h1, _) = m(seqs[1][:, None, :])
    _close(padded[:1, 1], alone[:, 0].detach().numpy())
    _close(h[:, 1], h1[:, 0].detach().numpy())


# -- orthogonal parametrization -------------------------------------------------------------------
_ORTHOGONALISED = [
    [0.0, 0.8698087479, -0.4933890372],
    [-0.5672385319, -0.4063322926, -0.7163340813],
    [0.8235535489, -0.2798692731, -0.4933890372],
]
# (torch: the weight and the original's gradient after two SGD(lr=0.3) steps on sum(y ** 3))
_AFTER_TWO_STEPS = {
    "matrix_exp": (
        [
            [0.172369417, 0.9745067687, 0.143615256],
            [-0.01113299, 0.1477155148, -0.9889672306],
            [0.9849694618, -0.1688688377, -0.0363108113],
        ],
        [[0.0, 0.0, 0.0], [-3.3789861939, 0.0, 0.0], [24.7496095536, 17.8133955501, 0.0]],
    ),
    "cayley": (
        [
            [-0.75320331, 0.1502611314, 0.6403954764],
            [-0.1019494277, 0.9351283198, -0.3393248293],
            [0.6498392786, 0.3208685369, 0.6890227094],
        ],
        [[0.0, 0.0, 0.0], [2.4163622634, 0.0, 0.0], [12.5774375306, 12.580135775, 0.0]],
    ),
    "householder": (
        [
            [-0.3515880523, -0.731983791, 0.5835970967],
            [0.2471673695, -0.6738598717, -0.6962910058],
            [-0.9029363947, 0.1005614394, -0.4178435879],
        ],
        [[0.0, 0.0, 0.0], [0.8456377931, 0.0, 0.0], [2.3953139042, 5.5524516027, 0.0]],
    ),
}


@pytest.mark.parametrize("orthogonal_map", sorted(_AFTER_TWO_STEPS))
def test_orthogonal_trains_as_torch_does(orthogonal_map: str) -> None:
    lin = _fill(nn.Linear(3, 3).to(pt.float64))
    lin = nn.utils.parametrizations.orthogonal(lin, orthogonal_map=orthogonal_map)
    _close(lin.weight, _ORTHOGONALISED)  # the QR of the original weight
    assert list(lin.state_dict()) == [
        "bias",
        "parametrizations.weight.original",
        "parametrizations.weight.0.base",
    ]
    opt = pt.optim.SGD(lin.parameters(), lr=0.3)
    for _ in range(2):
        opt.zero_grad()
        (lin(_input(4, 3)) ** 3).sum().backward()
        opt.step()
    weight, grad = _AFTER_TWO_STEPS[orthogonal_map]
    _close(lin.weight, weight)
    _close(lin.parametrizations.weight.original.grad, grad)


def test_orthogonal_without_trivialization_maps_the_original() -> None:
    lin = _fill(nn.Linear(3, 3).to(pt.float64))
    lin = nn.utils.parametrizations.orthogonal(lin, use_trivialization=False)
    assert list(lin.state_dict()) == ["bias", "parametrizations.weight.original"]
    _close(
        lin.weight,
        [
            [0.8221758482, 0.2832563111, -0.4937537208],
            [-0.3603399275, 0.9304668117, -0.066231782],
            [0.4406608801, 0.2323733515, 0.8670758988],
        ],
    )
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        lin.weight = pt.eye(3, dtype=pt.float64)


@pytest.mark.parametrize("shape", [(5, 3), (2, 4), (2, 3, 3)])
def test_orthogonal_keeps_non_square_and_batched_weights_orthogonal(shape: tuple[int, ...]) -> None:
    class Holder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = nn.Parameter(_input(*shape))

    m = nn.utils.parametrizations.orthogonal(Holder(), "w")
    opt = pt.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        (m.w**3).sum().backward()
        opt.step()
    w = m.w if shape[-2] >= shape[-1] else m.w.mT
    k = w.shape[-1]
    np.testing.assert_allclose(
        (w.mT @ w).detach().numpy(), np.broadcast_to(np.eye(k), w.mT.shape[:-1] + (k,)), atol=1e-10
    )
    # an orthogonal value assigned is the value read back
    q = pt.linalg.qr(
        _input(*shape, seed=3) if shape[-2] >= shape[-1] else _input(*shape, seed=3).mT
    )[0]
    q = q if shape[-2] >= shape[-1] else q.mT
    m.w = q
    _close(m.w, q.detach().numpy())


def test_orthogonal_refuses_what_torch_refuses() -> None:
    with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
        nn.utils.parametrizations.orthogonal(nn.Linear(2, 2), orthogonal_map="qr")
    with pytest.raises(ValueError, match="expected a matrix or batch of matrices"):
        nn.utils.parametrizations.orthogonal(nn.Linear(2, 2), "bias")


# -- parametrize.cached ---------------------------------------------------------------------------
def test_cached_computes_a_parametrized_tensor_once_per_block() -> None:
    calls = []

    class Counted(nn.Module):
        def forward(self, x: Any) -> Any:
            calls.append(1)
            return pt.tanh(x)

    lin = _fill(nn.Linear(3, 3).to(pt.float64))
    nn.utils.parametrize.register_parametrization(lin, "weight", Counted())
    calls.clear()
    with nn.utils.parametrize.cached():
        y = lin(_input(2, 3)) + lin(_input(2, 3, seed=1))
        assert lin.weight is lin.weight
    assert len(calls) == 1
    y.sum().backward()
    # the gradient of the shared value reaches the original through both uses
    x = _input(2, 3) + _input(2, 3, seed=1)
    w = pt.tanh(lin.parametrizations.weight.original.detach())
    want = (1 - w**2) * x.sum(axis=0)[None, :]
    _close(lin.parametrizations.weight.original.grad, want.numpy())
    _ = lin.weight  # outside the block: computed again
    assert len(calls) == 2


# -- clipping in two halves -----------------------------------------------------------------------
def _linear_with_grads() -> nn.Module:
    m = _fill(nn.Linear(3, 2).to(pt.float64))
    (m(_input(4, 3)) ** 2).sum().backward()
    return m


@pytest.mark.parametrize(
    ("norm_type", "want"),
    [(2.0, 7.542076842095043), (1.0, 19.999502053035474), (float("inf"), 4.184855347895243)],
)
def test_get_total_norm_matches_torch(norm_type: float, want: float) -> None:
    m = _linear_with_grads()
    got = nn.utils.get_total_norm([p.grad for p in m.parameters()], norm_type)
    assert float(got) == pytest.approx(want, rel=1e-12)


def test_clip_grads_with_norm_scales_as_torch_does() -> None:
    m = _linear_with_grads()
    total = nn.utils.get_total_norm([p.grad for p in m.parameters()])
    assert nn.utils.clip_grads_with_norm_(m.parameters(), 1.5, total) is None
    _close(
        m.weight.grad,
        [[0.5754465454, 0.6559967077, 0.4280213681], [-0.5088120994, -0.4574235495, -0.1909015568]],
    )
    _close(m.bias.grad, [0.8323015425, 0.328681284])
    # the same as clip_grad_norm_ in one call
    m2 = _linear_with_grads()
    nn.utils.clip_grad_norm_(m2.parameters(), 1.5)
    _close(m2.weight.grad, m.weight.grad.numpy())


def test_get_total_norm_refuses_a_nonfinite_total_when_asked() -> None:
    g = pt.tensor([1.0, float("nan")])
    assert np.isnan(float(nn.utils.get_total_norm([g])))
    with pytest.raises(RuntimeError, match="error_if_nonfinite=False"):
        nn.utils.get_total_norm([g], error_if_nonfinite=True)
    assert float(nn.utils.get_total_norm([])) == 0.0


# -- optimizer step hooks -------------------------------------------------------------------------
def test_step_hooks_run_around_each_step_in_torchs_order() -> None:
    m = _linear_with_grads()
    opt = pt.optim.SGD(m.parameters(), lr=0.1)
    calls: list[Any] = []
    handles = [
        pt.optim.optimizer.register_optimizer_step_pre_hook(
            lambda o, a, k: calls.append("all pre")
        ),
        opt.register_step_pre_hook(
            lambda o, a, k: calls.append(("pre", o is opt, len(a), dict(k)))
        ),
        opt.register_step_post_hook(lambda o, a, k: calls.append("post")),
        pt.optim.optimizer.register_optimizer_step_post_hook(
            lambda o, a, k: calls.append("all post")
        ),
    ]
    opt.step()
    assert calls == ["all pre", ("pre", True, 1, {}), "post", "all post"]
    for h in handles:
        h.remove()
    calls.clear()
    opt.step()
    assert calls == []


def test_a_step_pre_hook_can_replace_the_arguments() -> None:
    m = _linear_with_grads()
    opt = pt.optim.Adam(m.parameters(), lr=0.1)
    opt.register_step_pre_hook(lambda o, a, k: ((o,), {"closure": lambda: pt.tensor(7.0)}))
    assert float(opt.step()) == 7.0
    opt.register_step_pre_hook(lambda o, a, k: "nonsense")
    with pytest.raises(
        RuntimeError, match=r"must return None or a tuple of \(new_args, new_kwargs\)"
    ):
        opt.step()


def test_step_hooks_run_for_an_optimizer_written_by_the_user() -> None:
    class Halve(pt.optim.Optimizer):
        def __init__(self, params: Any) -> None:
            super().__init__(params, {"lr": 0.5})

        def step(self, closure: Any = None) -> None:
            with pt.no_grad():
                for group in self.param_groups:
                    for p in group["params"]:
                        p.mul_(group["lr"])

    class Quarter(Halve):
        def step(self, closure: Any = None) -> None:
            super().step()
            super().step()

    w = nn.Parameter(pt.ones(2))
    steps: list[int] = []
    opt = Quarter([w])
    opt.register_step_post_hook(lambda o, a, k: steps.append(1))
    opt.step()
    assert w.tolist() == [0.25, 0.25]
    assert steps == [1]  # once per step() called


# -- learning-rate schedules: the older spellings -------------------------------------------------
def _sgd() -> Any:
    return pt.optim.SGD([nn.Parameter(pt.ones(1))], lr=0.1)


_EPOCH_JUMPS = {  # torch: the rates after step(3), step(1), step(5)
    "step": (lambda o: pt.optim.lr_scheduler.StepLR(o, 2, gamma=0.5), [0.05, 0.1, 0.025]),
    "cos": (
        lambda o: pt.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6, eta_min=0.01),
        [0.055, 0.09397114317, 0.01602885683],
    ),
    "lambda": (
        lambda o: pt.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (e + 1)),
        [0.025, 0.05, 0.016666666667],
    ),
    "exp": (lambda o: pt.optim.lr_scheduler.ExponentialLR(o, 0.9), [0.0729, 0.09, 0.059049]),
    "poly": (
        lambda o: pt.optim.lr_scheduler.PolynomialLR(o, total_iters=4, power=2.0),
        [0.00625, 0.05625, 0.0],
    ),
    "linear": (
        lambda o: pt.optim.lr_scheduler.LinearLR(o, 0.2, total_iters=4),
        [0.08, 0.04, 0.1],
    ),
}


@pytest.mark.parametrize("name", sorted(_EPOCH_JUMPS))
def test_scheduler_step_with_an_epoch_jumps_there_and_warns(name: str) -> None:
    make, want = _EPOCH_JUMPS[name]
    opt = _sgd()
    sched = make(opt)
    got = []
    for epoch in (3, 1, 5):
        opt.step()
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step"):
            sched.step(epoch)
        got.append(opt.param_groups[0]["lr"])
    assert got == pytest.approx(want, abs=1e-11)
    assert sched.last_epoch == 5


def test_reduce_lr_on_plateau_step_takes_an_epoch() -> None:
    opt = _sgd()
    sched = pt.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    with pytest.warns(UserWarning, match="The epoch parameter"):
        sched.step(1.0, 7)
    with pytest.warns(UserWarning, match="The epoch parameter"):
        sched.step(2.0, 9)
    assert sched.last_epoch == 9
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)


def test_a_schedule_subclassing_the_old_lrscheduler_name_runs() -> None:
    class Warmup(pt.optim.lr_scheduler._LRScheduler):
        def __init__(self, optimizer: Any, warm: int) -> None:
            self.warm = warm
            super().__init__(optimizer)

        def get_lr(self) -> list[float]:
            return [b * min(1.0, (self.last_epoch + 1) / self.warm) for b in self.base_lrs]

    opt = _sgd()
    sched = Warmup(opt, 4)
    assert isinstance(sched, pt.optim.lr_scheduler.LRScheduler)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(5):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs == pytest.approx([0.025, 0.05, 0.075, 0.1, 0.1, 0.1])


# -- CTC loss -------------------------------------------------------------------------------------
def test_ctc_loss_matches_torch_values_and_gradients() -> None:
    x = (2 * _input(5, 2, 4)).requires_grad_(True)
    targets = pt.asarray([[1, 2, 2], [3, 1, 0]])
    loss = nn.functional.ctc_loss(x.log_softmax(2), targets, pt.asarray([5, 4]), pt.asarray([3, 2]))
    loss.backward()
    assert float(loss) == pytest.approx(1.4154265378, abs=1e-9)
    _close(
        x.grad[:, 1],
        [
            [0.007859515, 0.0180131215, 0.0439693236, -0.0698419601],
            [0.0054210621, -0.0347356169, 0.0371722604, -0.0078577057],
            [0.0337636734, -0.0669793687, 0.0189198966, 0.0142957986],
            [0.0394844068, -0.0593168811, 0.0137699865, 0.0060624878],
            [0.0, 0.0, 0.0, 0.0],  # (past the sequence's 4 steps)
        ],
    )


def test_ctc_loss_of_log_probs_gives_torchs_gradient_and_zero_infinity() -> None:
    # log_probs as the leaf: torch's gradient, exp(log_probs) - occupancy; the second sequence
    # (3 labels 2, 2, 2 in 3 steps) cannot be aligned: zero loss and gradient with zero_infinity
    lp = _input(4, 2, 3, seed=1).log_softmax(2).detach().requires_grad_(True)
    loss = nn.functional.ctc_loss(
        lp, pt.asarray([1, 2, 2, 2]), (4, 3), (1, 3), reduction="none", zero_infinity=True
    )
    loss.sum().backward()
    _close(loss, [1.8189965968, 0.0])
    _close(
        lp.grad[:, 0],
        [
            [-0.1509659, -0.0046488524, 0.1556147524],
            [-0.0582911003, -0.3270319031, 0.3853230034],
            [-0.1256370129, -0.3735288705, 0.4991658834],
            [-0.169447507, 0.012794005, 0.156653502],
        ],
    )
    _close(lp.grad[:, 1], np.zeros((4, 3)))
    # without zero_infinity: an infinite loss, NaN gradients over its steps, as torch's
    lp.grad = None
    loss = nn.functional.ctc_loss(lp, pt.asarray([1, 2, 2, 2]), (4, 3), (1, 3), reduction="none")
    loss.sum().backward()
    assert np.isinf(loss.detach().numpy()[1]) and np.isnan(lp.grad.numpy()[:3, 1]).all()


def test_ctc_loss_module_unbatched_with_another_blank() -> None:
    x = _input(4, 3, seed=2).requires_grad_(True)
    loss = nn.CTCLoss(blank=2, reduction="sum")(
        x.log_softmax(-1), pt.asarray([0, 1]), pt.asarray(4), pt.asarray(2)
    )
    loss.backward()
    assert float(loss) == pytest.approx(1.8490406873, abs=1e-9)
    _close(
        x.grad,
        [
            [-0.3353151539, 0.2802585404, 0.0550566136],
            [-0.1103862089, 0.0793170322, 0.0310691767],
            [0.2362953255, -0.2623845707, 0.0260892452],
            [0.4531120373, -0.3685993123, -0.0845127251],
        ],
    )
    loss2 = nn.CTCLoss(blank=2)(x.log_softmax(-1), pt.asarray([0, 1]), [4], [2])
    # (torch: the gradient is made; differentiating it again raises)
    (g,) = pt.autograd.grad(loss2, x, create_graph=True)
    with pytest.raises(RuntimeError, match="no second derivative"):
        pt.autograd.grad(g.sum(), x)


# -- LBFGS checkpoints ----------------------------------------------------------------------------
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_resumes_from_its_state_dict(line_search_fn: str | None) -> None:
    x, y = _input(5, 3), _input(5, 2, seed=1)

    def run(model: Any, opt: Any, steps: int) -> None:
        def closure() -> Any:
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).sum()
            loss.backward()
            return loss

        for _ in range(steps):
            opt.step(closure)

    kw = {"lr": 0.5, "max_iter": 4, "line_search_fn": line_search_fn}
    model = _fill(nn.Linear(3, 2).to(pt.float64))
    opt = pt.optim.LBFGS(model.parameters(), **kw)
    run(model, opt, 2)  # (H_diag is a 0-d tensor in the state from the second iteration on)
    buf = io.BytesIO()
    pt.save({"model": model.state_dict(), "opt": opt.state_dict()}, buf)
    buf.seek(0)
    checkpoint = pt.load(buf)
    resumed = nn.Linear(3, 2).to(pt.float64)
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt = pt.optim.LBFGS(resumed.parameters(), **kw)
    resumed_opt.load_state_dict(checkpoint["opt"])
    run(model, opt, 1)
    run(resumed, resumed_opt, 1)
    _close(resumed.weight, model.weight.detach().numpy())
    _close(resumed.bias, model.bias.detach().numpy())


# -- PackedSequence casts -------------------------------------------------------------------------
def test_packed_sequence_casts_its_data_as_torchs() -> None:
    packed = nn.utils.rnn.pack_sequence([pt.ones(3), pt.ones(1) * 2], enforce_sorted=False)
    assert packed.double().data.dtype == pt.float64
    assert packed.double().float().data.dtype == pt.float32
    assert packed.long().data.tolist() == [1, 2, 1, 1]
    assert (packed.int().data.dtype, packed.short().data.dtype) == (pt.int32, pt.int16)
    assert (packed.char().data.dtype, packed.byte().data.dtype) == (pt.int8, pt.uint8)
    cast = packed.double()
    assert cast.batch_sizes.tolist() == [2, 1, 1] and cast.sorted_indices.tolist() == [0, 1]
    assert packed.cpu().data.dtype == pt.float32 and not packed.is_pinned()


# -- functional multi-head attention --------------------------------------------------------------
def test_multi_head_attention_forward_with_separate_weights_matches_torch() -> None:
    # (an attention pool, as CLIP's: the first position attends to all of them)
    x = _input(3, 1, 4)
    qw, kw, vw = (0.5 * _input(4, 4, seed=s) for s in (1, 2, 3))
    ow = (0.5 * _input(4, 4, seed=4)).requires_grad_(True)
    out, w = nn.functional.multi_head_attention_forward(
        x[:1], x, x, 4, 2, None, 0.1 * _input(12, seed=5), None, None, False, 0.0, ow,
        0.1 * _input(4, seed=6), use_separate_proj_weight=True, q_proj_weight=qw,
        k_proj_weight=kw, v_proj_weight=vw, training=False, average_attn_weights=False,
    )  # fmt: skip
    out.sum().backward()
    _close(out, [[[0.1486907052, 0.0244699085, 0.1173793132, -0.0959390137]]])
    _close(
        w,
        [
            [
                [[0.2718335423, 0.5508767738, 0.1772896839]],
                [[0.4562650274, 0.3432795384, 0.2004554342]],
            ]
        ],
    )
    _close(ow.grad, [[0.0836805239, -0.1096941013, -0.1321118971, 0.2466631703]] * 4)


# -- nn.init.dirac_ -------------------------------------------------------------------------------
def test_dirac_makes_a_convolution_pass_its_input_through() -> None:
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    nn.init.dirac_(conv.weight)
    x = _input(1, 3, 4, 4).to(pt.float32)
    np.testing.assert_array_equal(conv(x).detach().numpy(), x.numpy())
    # torch's layout with groups: output channel g * 2 + d takes input channel d of group g
    w = nn.init.dirac_(pt.ones((4, 3, 3)), groups=2)
    rows = [[row.index(1.0) if 1.0 in row else None for row in out] for out in w.tolist()]
    assert rows == [[1, None, None], [None, 1, None], [1, None, None], [None, 1, None]]
    with pytest.raises(ValueError, match="3, 4, or 5 dimensions"):
        nn.init.dirac_(pt.ones((2, 2)))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.init.dirac_(pt.ones((3, 2, 3)), groups=2)


# -- a learning rate given as a tensor ------------------------------------------------------------
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "NAdam", "ASGD", "Rprop"])
def test_a_tensor_learning_rate_is_read_at_each_step(name: str) -> None:
    def train(lr: Any, change: Any) -> Any:
        model = _fill(nn.Linear(3, 2).to(pt.float64))
        opt = getattr(pt.optim, name)(model.parameters(), lr=lr)
        for i in range(3):
            opt.zero_grad()
            (model(_input(4, 3)) ** 2).sum().backward()
            opt.step()
            if i == 0:
                change(opt)
        return model.weight.detach().numpy()

    lr = pt.tensor(0.05, dtype=pt.float64)
    with_tensor = train(lr, lambda opt: lr.fill_(0.01))  # (torch's way to change it)
    assert lr.item() == 0.01

    def set_float(opt: Any) -> None:
        opt.param_groups[0]["lr"] = 0.01

    _close(pt.asarray(with_tensor), train(0.05, set_float))


def test_schedulers_write_into_a_tensor_learning_rate() -> None:
    lr = pt.tensor(0.4)
    opt = pt.optim.Adam([nn.Parameter(pt.ones(2))], lr=lr)
    sched = pt.optim.lr_scheduler.StepLR(opt, 2, gamma=0.5)
    seen = []
    for _ in range(4):
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr()[0])
    assert opt.param_groups[0]["lr"] is lr and lr.item() == pytest.approx(0.1)
    # (get_last_lr's are copies, as torch's: they keep the rate of their step)
    assert [float(v) for v in seen] == pytest.approx([0.4, 0.2, 0.2, 0.1])
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        pt.optim.SGD([nn.Parameter(pt.ones(2))], lr=pt.tensor([0.1, 0.2]))
