"""What PyTorch's tutorials print reads the same in polytensor: ``load_state_dict``'s result,
models' ``repr``, optimizers' settings, checkpoints read back, graph nodes' names.

Each check has its text written down from torch 2.13 (so that no torch is needed) and, where
torch is installed, a twin that asks torch itself (``pytest.importorskip``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import polytensor as pt
from polytensor import nn


def _torch() -> Any:
    return pytest.importorskip("torch")


# ---- load_state_dict's result, as the "Save and Load the Model" tutorial prints it


def test_load_state_dict_prints_all_keys_matched() -> None:
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    assert repr(b.load_state_dict(a.state_dict())) == "<All keys matched successfully>"
    assert str(b.load_state_dict(a.state_dict())) == "<All keys matched successfully>"
    partial = {"weight": a.weight.detach(), "x": a.bias.detach()}
    got = b.load_state_dict(partial, strict=False)
    assert repr(got) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['x'])"
    assert got.missing_keys == ["bias"] and got.unexpected_keys == ["x"]


def test_load_state_dict_prints_as_torch() -> None:
    torch = _torch()
    for lib in (torch, pt):
        a, b = lib.nn.Linear(2, 2), lib.nn.Linear(2, 2)
        full = repr(b.load_state_dict(a.state_dict()))
        partial = repr(b.load_state_dict({"weight": a.weight.detach()}, strict=False))
        if lib is torch:
            want = (full, partial)
        else:
            assert (full, partial) == want


# ---- modules' repr


_FOLDED_LIST = """\
ModuleList(
  (0-1): 2 x ReLU()
  (2): Tanh()
  (3-4): 2 x Linear(in_features=2, out_features=3, bias=True)
)"""


def _module_list(lib: Any) -> Any:
    return lib.nn.ModuleList(
        [lib.nn.ReLU(), lib.nn.ReLU(), lib.nn.Tanh(), lib.nn.Linear(2, 3), lib.nn.Linear(2, 3)]
    )


def test_module_list_repr_folds_repeated_modules() -> None:
    assert repr(_module_list(pt)) == _FOLDED_LIST
    assert repr(nn.ModuleList()) == "ModuleList()"
    assert repr(nn.ModuleList([nn.ReLU()])) == "ModuleList(\n  (0): ReLU()\n)"
    # (an encoder's layers, as the transformer tutorial prints the model)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 3)
    assert "\n    (0-2): 3 x TransformerEncoderLayer(\n" in repr(enc)


def test_module_list_repr_as_torch() -> None:
    torch = _torch()
    assert repr(_module_list(pt)) == repr(_module_list(torch))
    for lib_list in (
        lambda lib: lib.nn.ModuleList([lib.nn.ReLU()]),
        lambda lib: lib.nn.ModuleList([lib.nn.ReLU(), lib.nn.Tanh(), lib.nn.ReLU()]),
        lambda lib: lib.nn.ModuleList(),
    ):
        assert repr(lib_list(pt)) == repr(lib_list(torch))


def test_conv_string_padding_prints_unquoted() -> None:
    assert repr(nn.Conv2d(1, 2, (3, 5), padding="same")) == (
        "Conv2d(1, 2, kernel_size=(3, 5), stride=(1, 1), padding=same)"
    )
    assert repr(nn.Conv1d(1, 2, 3, padding="valid")) == (
        "Conv1d(1, 2, kernel_size=(3,), stride=(1,), padding=valid)"
    )


def test_conv_string_padding_prints_as_torch() -> None:
    torch = _torch()
    for make in (
        lambda lib: lib.nn.Conv2d(1, 2, (3, 5), padding="same"),
        lambda lib: lib.nn.Conv1d(1, 2, 3, padding="valid"),
        lambda lib: lib.nn.Conv2d(1, 2, 3, padding="valid"),
    ):
        assert repr(make(pt)) == repr(make(torch))


# ---- checkpoints read back ("Saving and loading a general checkpoint")


def _checkpoint(lib: Any) -> tuple[Any, Any]:
    """A checkpoint dict as the recipe saves it, and what ``load`` gives back."""
    import io
    from collections import OrderedDict

    model = lib.nn.Linear(2, 1)
    x = lib.ones(3, 2)
    loss = (model(x) ** 2).mean()
    ckpt = {
        "epoch": 3,
        "model_state_dict": model.state_dict(),
        "nested": OrderedDict(a=1, b={"c": 2}),
        "loss": loss,
    }
    buf = io.BytesIO()
    lib.save(ckpt, buf)
    buf.seek(0)
    return ckpt, lib.load(buf)


def _kinds(obj: Any) -> Any:
    """The container types of ``obj``, level by level."""
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: _kinds(v) for k, v in obj.items()})
    return type(obj).__name__ if not hasattr(obj, "requires_grad") else obj.requires_grad


def test_load_gives_each_dict_kind_back_and_keeps_requires_grad() -> None:
    ckpt, back = _checkpoint(pt)
    assert type(back) is dict and type(back["nested"]["b"]) is dict
    assert type(back["model_state_dict"]).__name__ == "OrderedDict"
    assert type(back["nested"]).__name__ == "OrderedDict"
    # (the loss, a result of the graph, comes back requiring grad, as a leaf)
    assert back["loss"].requires_grad and back["loss"].is_leaf
    assert "requires_grad=True" in repr(back["loss"])
    assert float(back["loss"]) == float(ckpt["loss"])


def test_load_gives_back_what_torch_gives_back() -> None:
    torch = _torch()
    assert _kinds(_checkpoint(pt)[1]) == _kinds(_checkpoint(torch)[1])


# ---- graph nodes of indexing, as tensors' reprs show them (``grad_fn=<SelectBackward0>``)

# (the expression, the indexing, torch 2.13's grad_fn.name() of it for x of shape (3, 4))
_INDEX_NODES: dict[str, tuple[Callable[[Any], Any], str]] = {
    "x[0]": (lambda x: x[0], "SelectBackward0"),
    "x[:, 0]": (lambda x: x[:, 0], "SelectBackward0"),
    "x[..., -1]": (lambda x: x[..., -1], "SelectBackward0"),
    "x[0, :]": (lambda x: x[0, :], "SelectBackward0"),
    "x[:2, 1]": (lambda x: x[:2, 1], "SelectBackward0"),
    "x[0, 1]": (lambda x: x[0, 1], "SelectBackward0"),
    "x[None, 0]": (lambda x: x[None, 0], "SelectBackward0"),
    "x[0:2]": (lambda x: x[0:2], "SliceBackward0"),
    "x[0:3]": (lambda x: x[0:3], "SliceBackward0"),
    "x[:]": (lambda x: x[:], "SliceBackward0"),
    "x[::2]": (lambda x: x[::2], "SliceBackward0"),
    "x[0, :3]": (lambda x: x[0, :3], "SliceBackward0"),
    "x[1:, :]": (lambda x: x[1:, :], "SliceBackward0"),
    "x[:, 1:3]": (lambda x: x[:, 1:3], "SliceBackward0"),
    "x[..., 1:]": (lambda x: x[..., 1:], "SliceBackward0"),
    "x[None]": (lambda x: x[None], "UnsqueezeBackward0"),
    "x[:, None]": (lambda x: x[:, None], "UnsqueezeBackward0"),
    "x[0, None]": (lambda x: x[0, None], "UnsqueezeBackward0"),
    "x[1:2, None]": (lambda x: x[1:2, None], "UnsqueezeBackward0"),
    "x[...]": (lambda x: x[...], "AliasBackward0"),
    "x[:, :]": (lambda x: x[:, :], "AliasBackward0"),
    "x[:, ::1]": (lambda x: x[:, ::1], "AliasBackward0"),
    "x[:, 0:10]": (lambda x: x[:, 0:10], "AliasBackward0"),
    "x[0:3, 0:4]": (lambda x: x[0:3, 0:4], "AliasBackward0"),
    "x[[0, 1]]": (lambda x: x[[0, 1]], "IndexBackward0"),
    "x[0, [1, 2]]": (lambda x: x[0, [1, 2]], "IndexBackward0"),
    "x[x > 0]": (lambda x: x[x > 0], "IndexBackward0"),
}


def _index_node(lib: Any, key: str) -> str:
    return str(_INDEX_NODES[key][0](lib.ones(3, 4, requires_grad=True)).grad_fn.name())


@pytest.mark.parametrize("key", list(_INDEX_NODES))
def test_index_nodes_are_named_as_torch_names_them(key: str) -> None:
    assert _index_node(pt, key) == _INDEX_NODES[key][1]


def test_index_nodes_as_torch() -> None:
    torch = _torch()
    for key in _INDEX_NODES:
        assert _index_node(pt, key) == _index_node(torch, key), key


def test_printed_rows_of_a_weight_show_slice_nodes() -> None:
    # (the "Build the Neural Network" tutorial prints param[:2] of each parameter)
    layer = nn.Linear(3, 2)
    assert repr(layer.weight[:2]).endswith("grad_fn=<SliceBackward0>)")
    assert repr(layer.bias[0]).endswith("grad_fn=<SelectBackward0>)")


# ---- graph nodes of layers and losses that are one node in PyTorch

# (the call, torch 2.13's grad_fn.name() of it)
_ONE_NODE: dict[str, tuple[Callable[[Any, Any, Any], Any], str]] = {
    "F.linear(x, w, b)": (lambda F, x, y: F.linear(x, x[:2], x[0, :2]), "AddmmBackward0"),
    "F.linear(x3, w, b)": (lambda F, x, y: F.linear(x[None], x[:2], x[0, :2]), "ViewBackward0"),
    "F.linear(x, w)": (lambda F, x, y: F.linear(x, x[:2]), "MmBackward0"),
    "F.mse_loss": (lambda F, x, y: F.mse_loss(x, y), "MseLossBackward0"),
    "F.mse_loss sum": (lambda F, x, y: F.mse_loss(x, y, reduction="sum"), "MseLossBackward0"),
    "F.mse_loss none": (lambda F, x, y: F.mse_loss(x, y, reduction="none"), "MseLossBackward0"),
    "F.binary_cross_entropy_with_logits": (
        lambda F, x, y: F.binary_cross_entropy_with_logits(x, y),
        "BinaryCrossEntropyWithLogitsBackward0",
    ),
    "F.binary_cross_entropy_with_logits none": (
        lambda F, x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"),
        "BinaryCrossEntropyWithLogitsBackward0",
    ),
    "F.binary_cross_entropy weight=": (
        lambda F, x, y: F.binary_cross_entropy(x.sigmoid(), y, weight=y[0]),
        "BinaryCrossEntropyBackward0",
    ),
    "F.smooth_l1_loss": (lambda F, x, y: F.smooth_l1_loss(x, y), "SmoothL1LossBackward0"),
    "F.smooth_l1_loss beta=0": (lambda F, x, y: F.smooth_l1_loss(x, y, beta=0.0), "MeanBackward0"),
    "F.huber_loss": (lambda F, x, y: F.huber_loss(x, y), "HuberLossBackward0"),
    "F.soft_margin_loss": (lambda F, x, y: F.soft_margin_loss(x, y), "SoftMarginLossBackward0"),
    "F.multi_margin_loss": (
        lambda F, x, y: F.multi_margin_loss(x, x.detach()[:, 0].long()),
        "MultiMarginLossBackward0",
    ),
    "F.l1_loss": (lambda F, x, y: F.l1_loss(x, y), "MeanBackward0"),
}


def _one_node(lib: Any, call: str) -> str:
    x = lib.asarray([[0.5, -1.0, 2.0], [1.0, 0.25, -0.5], [2.0, 0.0, 1.5]], requires_grad=True)
    y = lib.asarray([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25], [0.5, 0.5, 1.0]])
    return str(_ONE_NODE[call][0](lib.nn.functional, x, y).grad_fn.name())


@pytest.mark.parametrize("call", list(_ONE_NODE))
def test_one_node_layers_and_losses_are_named_as_torch_names_them(call: str) -> None:
    assert _one_node(pt, call) == _ONE_NODE[call][1]


def test_one_node_layers_and_losses_as_torch() -> None:
    torch = _torch()
    for call in _ONE_NODE:
        assert _one_node(pt, call) == _one_node(torch, call), call


def test_autograd_tutorial_prints_the_loss_node() -> None:
    # ("Automatic Differentiation with torch.autograd": print(f"... = {loss.grad_fn}"))
    x, y = pt.ones(5), pt.zeros(3)
    w, b = pt.ones(5, 3, requires_grad=True), pt.ones(3, requires_grad=True)
    loss = nn.functional.binary_cross_entropy_with_logits(pt.matmul(x, w) + b, y)
    assert str(loss.grad_fn).startswith("<BinaryCrossEntropyWithLogitsBackward0 object at 0x")
    loss.backward()
    assert w.grad is not None and b.grad is not None  # (the gradients flow as before)


# ---- transposes: PyTorch names x.t() and x.transpose() apart from x.T and x.permute()

_TRANSPOSES: dict[str, tuple[Callable[[Any], Any], str]] = {
    "x.t()": (lambda x: x.t(), "TBackward0"),
    "x.transpose(0, 1)": (lambda x: x.transpose(0, 1), "TransposeBackward0"),
    "x.transpose(-1, 0)": (lambda x: x.transpose(-1, 0), "TransposeBackward0"),
    "x.swapaxes(0, 1)": (lambda x: x.swapaxes(0, 1), "TransposeBackward0"),
    "x.mT": (lambda x: x.mT, "TransposeBackward0"),
    "x.T": (lambda x: x.T, "PermuteBackward0"),
    "x.permute(1, 0)": (lambda x: x.permute(1, 0), "PermuteBackward0"),
}


def _transpose_node(lib: Any, call: str) -> str:
    x = lib.ones(3, 4, requires_grad=True) * 2
    return str(_TRANSPOSES[call][0](x).grad_fn.name())


@pytest.mark.parametrize("call", list(_TRANSPOSES))
def test_transposes_are_named_as_torch_names_them(call: str) -> None:
    assert _transpose_node(pt, call) == _TRANSPOSES[call][1]


def test_transposes_as_torch() -> None:
    torch = _torch()
    for call in _TRANSPOSES:
        assert _transpose_node(pt, call) == _transpose_node(torch, call), call


def test_transpose_of_nothing_leaves_the_input_node_alone() -> None:
    y = pt.ones(3, 4, requires_grad=True) * 2
    y.transpose(1, 1)
    pt.ones(3, requires_grad=True).t()
    assert y.grad_fn.name() == "MulBackward0"


# ---- optimizers' settings, as print(optimizer) and optimizer.state_dict() show them

_SGD_REPR = """\
SGD (
Parameter Group 0
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    lr: 0.001
    maximize: False
    momentum: 0.9
    nesterov: False
    weight_decay: 0
)"""

# (torch 2.13's param_groups[0] of each optimizer made with lr=0.01, params left out)
_GROUPS: dict[str, dict[str, Any]] = {
    "SGD": {
        "lr": 0.01,
        "momentum": 0,
        "dampening": 0,
        "weight_decay": 0,
        "nesterov": False,
        "maximize": False,
        "foreach": None,
        "differentiable": False,
        "fused": None,
    },
    "Adam": {
        "lr": 0.01,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0,
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "fused": None,
        "decoupled_weight_decay": False,
    },
    "AdamW": {
        "lr": 0.01,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0.01,
        "amsgrad": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
        "fused": None,
        "decoupled_weight_decay": True,
    },
    "RMSprop": {
        "lr": 0.01,
        "momentum": 0,
        "alpha": 0.99,
        "eps": 1e-08,
        "centered": False,
        "weight_decay": 0,
        "capturable": False,
        "foreach": None,
        "maximize": False,
        "differentiable": False,
    },
    "Adagrad": {
        "lr": 0.01,
        "lr_decay": 0,
        "eps": 1e-10,
        "weight_decay": 0,
        "initial_accumulator_value": 0,
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "fused": None,
    },
    "Adadelta": {
        "lr": 0.01,
        "rho": 0.9,
        "eps": 1e-06,
        "weight_decay": 0,
        "maximize": False,
        "capturable": False,
        "foreach": None,
        "differentiable": False,
    },
    "Adamax": {
        "lr": 0.01,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0,
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "capturable": False,
    },
    "NAdam": {
        "lr": 0.01,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0,
        "momentum_decay": 0.004,
        "decoupled_weight_decay": False,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "differentiable": False,
    },
    "RAdam": {
        "lr": 0.01,
        "betas": (0.9, 0.999),
        "eps": 1e-08,
        "weight_decay": 0,
        "maximize": False,
        "foreach": None,
        "capturable": False,
        "decoupled_weight_decay": False,
        "differentiable": False,
    },
    "ASGD": {
        "lr": 0.01,
        "lambd": 0.0001,
        "alpha": 0.75,
        "t0": 1000000.0,
        "weight_decay": 0,
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "capturable": False,
    },
    "Rprop": {
        "lr": 0.01,
        "etas": (0.5, 1.2),
        "step_sizes": (1e-06, 50),
        "foreach": None,
        "maximize": False,
        "differentiable": False,
        "capturable": False,
    },
}


def _group(lib: Any, name: str) -> list[tuple[str, Any, str]]:
    """The first param group's settings in order, with their types' names."""
    opt = getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)], lr=0.01)
    group = opt.state_dict()["param_groups"][0]
    return [(k, v, type(v).__name__) for k, v in group.items() if k != "params"]


@pytest.mark.parametrize("name", list(_GROUPS))
def test_param_groups_hold_torchs_settings_in_torchs_order(name: str) -> None:
    want = [(k, v, type(v).__name__) for k, v in _GROUPS[name].items()]
    assert _group(pt, name) == want


def test_param_groups_as_torch() -> None:
    torch = _torch()
    for name in _GROUPS:
        assert _group(pt, name) == _group(torch, name), name


def test_optimizer_prints_as_torch_prints_it() -> None:
    opt = pt.optim.SGD([pt.zeros(2, requires_grad=True)], lr=1e-3, momentum=0.9)
    assert repr(opt) == _SGD_REPR


def test_optimizer_print_as_torch() -> None:
    torch = _torch()
    for make in (
        lambda lib: lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=1e-3, momentum=0.9),
        lambda lib: lib.optim.Adam([lib.zeros(2, requires_grad=True)], lr=1e-3),
    ):
        assert repr(make(pt)) == repr(make(torch))


# ---- values picked along a dimension (the char-RNN tutorial's output.topk(1))

_PICKS: dict[str, tuple[Callable[[Any, Any], Any], str]] = {
    "x.topk(2)": (lambda lib, x: x.topk(2), "TopkBackward0"),
    "torch.topk(x, 1, 0, largest=False)": (
        lambda lib, x: lib.topk(x, 1, 0, largest=False),
        "TopkBackward0",
    ),
    "x.max(1)": (lambda lib, x: x.max(1), "MaxBackward0"),
    "x.min(0)": (lambda lib, x: x.min(0), "MinBackward0"),
    "torch.max(x, 1, keepdim=True)": (lambda lib, x: lib.max(x, 1, keepdim=True), "MaxBackward0"),
    "x.median(1)": (lambda lib, x: x.median(1), "MedianBackward1"),
    "x.median()": (lambda lib, x: x.median(), "MedianBackward0"),
    "x.kthvalue(2, 1)": (lambda lib, x: x.kthvalue(2, 1), "KthvalueBackward0"),
    "x.mode(1)": (lambda lib, x: x.mode(1), "ModeBackward0"),
    "x.cummax(1)": (lambda lib, x: x.cummax(1), "CummaxBackward0"),
    "x.cummin(0)": (lambda lib, x: x.cummin(0), "CumminBackward0"),
    "x.sort(1)": (lambda lib, x: x.sort(1), "SortBackward0"),
}


def _pick_node(lib: Any, call: str) -> str:
    x = lib.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], requires_grad=True) * 1
    out = _PICKS[call][0](lib, x)
    return str((out[0] if isinstance(out, tuple) else out).grad_fn.name())


@pytest.mark.parametrize("call", list(_PICKS))
def test_picked_values_are_named_as_torch_names_them(call: str) -> None:
    assert _pick_node(pt, call) == _PICKS[call][1]


def test_picked_values_as_torch() -> None:
    torch = _torch()
    for call in _PICKS:
        assert _pick_node(pt, call) == _pick_node(torch, call), call


def test_picking_from_a_tensor_without_a_graph_names_nothing() -> None:
    y = pt.ones(3, requires_grad=True) * 2
    with pt.no_grad():
        assert y.max(0).values.grad_fn is None and y.topk(1).values.grad_fn is None
    assert y.grad_fn.name() == "MulBackward0"
    x = pt.tensor([1.0, 4.0, 2.0], requires_grad=True)
    (x.topk(2).values * pt.tensor([1.0, 10.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 10.0]  # (the gradient as before)


# ---- more of PyTorch's one-node functions

_MORE_NODES: dict[str, tuple[Callable[[Any, Any], Any], str]] = {
    "x.split(2)": (lambda lib, x: x.split(2)[1], "SplitBackward0"),
    "x.split(9)": (lambda lib, x: x.split(9)[0], "SplitBackward0"),
    "x.split([1, 3])": (lambda lib, x: x.split([1, 3])[0], "SplitWithSizesBackward0"),
    "torch.split(x, (2, 2), 0)": (
        lambda lib, x: lib.split(x, (2, 2), 0)[1],
        "SplitWithSizesBackward0",
    ),
    "x.chunk(2)": (lambda lib, x: x.chunk(2)[0], "SplitBackward0"),
    "x.chunk(3, 1)": (lambda lib, x: x.chunk(3, 1)[2], "SplitBackward0"),
    "x.logsumexp(1)": (lambda lib, x: x.logsumexp(1), "LogsumexpBackward0"),
    "torch.logsumexp(x, 0, keepdim=True)": (
        lambda lib, x: lib.logsumexp(x, 0, keepdim=True),
        "LogsumexpBackward0",
    ),
    "x.index_select(0, i)": (
        lambda lib, x: x.index_select(0, lib.tensor([2, 0])),
        "IndexSelectBackward0",
    ),
    "x.masked_fill(x > 1, 0.0)": (lambda lib, x: x.masked_fill(x > 1, 0.0), "MaskedFillBackward0"),
    "x.masked_select(x > 1)": (lambda lib, x: x.masked_select(x > 1), "MaskedSelectBackward0"),
    "F.silu(x)": (lambda lib, x: lib.nn.functional.silu(x), "SiluBackward0"),
    "nn.SiLU()(x)": (lambda lib, x: lib.nn.SiLU()(x), "SiluBackward0"),
    "F.softplus(x)": (lambda lib, x: lib.nn.functional.softplus(x), "SoftplusBackward0"),
    "nn.Softplus(beta=2)(x)": (lambda lib, x: lib.nn.Softplus(beta=2)(x), "SoftplusBackward0"),
}


def _more_node(lib: Any, call: str) -> str:
    x = lib.arange(12.0).reshape(4, 3).requires_grad_()
    return str(_MORE_NODES[call][0](lib, x).grad_fn.name())


@pytest.mark.parametrize("call", list(_MORE_NODES))
def test_more_one_node_functions_are_named_as_torch_names_them(call: str) -> None:
    assert _more_node(pt, call) == _MORE_NODES[call][1]


def test_more_one_node_functions_as_torch() -> None:
    torch = _torch()
    for call in _MORE_NODES:
        assert _more_node(pt, call) == _more_node(torch, call), call


def test_one_piece_of_a_split_keeps_the_input_node() -> None:
    y = pt.ones(3, requires_grad=True) * 2
    assert all(p.grad_fn.name() == "SplitBackward0" for p in y.split(3) + y.chunk(1))
    assert y.grad_fn.name() == "MulBackward0"


# ---- booleans print as PyTorch's (the autograd tutorial prints 9*a**2 == a.grad)


def _bools(lib: Any) -> list[str]:
    return [
        repr(lib.tensor(v)).replace(", backend='numpy'", "")
        for v in ([True, True], [True, False], True, [[True], [True]], [False, False])
    ]


def test_booleans_print_without_padding_where_all_are_true() -> None:
    assert _bools(pt) == [
        "tensor([True, True])",
        "tensor([ True, False])",
        "tensor(True)",
        "tensor([[True],\n        [True]])",
        "tensor([False, False])",
    ]


def test_booleans_print_as_torch() -> None:
    assert _bools(pt) == _bools(_torch())
