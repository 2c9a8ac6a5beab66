"""Lazy modules (``LazyLinear``, ``LazyConv1d``, ``LazyConv2d``, ``LazyBatchNorm1d``,
``LazyBatchNorm2d``): sized by their first input or by a checkpoint, turned into the plain
layer, their parameters the same objects throughout; and ``pt.device("cuda:N")`` named on a
machine without CUDA (Dive into Deep Learning's ``gpu(i)``)."""

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


def test_lazy_linear_before_and_after_its_first_call() -> None:
    m = nn.LazyLinear(4)
    assert type(m) is nn.LazyLinear and m.has_uninitialized_params()
    assert repr(m.weight) == "<UninitializedParameter>"
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    assert repr(m) == "LazyLinear(in_features=0, out_features=4, bias=True)"
    w, b = m.weight, m.bias
    y = m(pt.ones(3, 5))
    assert type(m) is nn.Linear and isinstance(m, nn.Linear)
    assert m.weight is w and m.bias is b and type(w) is nn.Parameter
    assert tuple(w.shape) == (4, 5) and tuple(b.shape) == (4,) and m.in_features == 5
    assert tuple(y.shape) == (3, 4)
    bound = 1 / np.sqrt(5)  # (PyTorch's initialisation: U(-1/sqrt(in), 1/sqrt(in)))
    assert np.all(np.abs(_host(w)) <= bound) and np.any(_host(w) != 0)
    y.sum().backward()
    assert tuple(w.grad.shape) == (4, 5)
    assert repr(m) == "Linear(in_features=5, out_features=4, bias=True)"


def test_an_optimizer_made_before_the_first_call_trains_the_parameters() -> None:
    pt.manual_seed(0)
    net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    opt = pt.optim.SGD(net.parameters(), lr=0.1)
    x, target = pt.rand(16, 3), pt.rand(16, 1)
    losses = []
    for _ in range(20):
        loss = ((net(x) - target) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[-1] < losses[0]
    assert [tuple(p.shape) for p in opt.param_groups[0]["params"]] == [(8, 3), (8,), (1, 8), (1,)]


def test_the_d2l_init_functions_see_plain_linear_layers() -> None:
    def init_constant(module: Any) -> None:
        if type(module) == nn.Linear:  # noqa: E721  (the book's test)
            nn.init.constant_(module.weight, 1)
            nn.init.zeros_(module.bias)

    net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    net(pt.rand(2, 4))
    net.apply(init_constant)
    assert _host(net[0].weight).tolist() == [[1.0] * 4] * 8
    assert _host(net[2].bias).tolist() == [0.0]


def test_a_checkpoint_sizes_a_lazy_module_before_any_call() -> None:
    """Dive into Deep Learning 5.6: ``clone = MLP(); clone.load_state_dict(torch.load(...))``."""

    class MLP(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hidden = nn.LazyLinear(16)
            self.output = nn.LazyLinear(3)

        def forward(self, x: Any) -> Any:
            return self.output(nn.functional.relu(self.hidden(x)))

    net = MLP()
    x = pt.randn(2, 5)
    y = net(x)
    clone = MLP()
    clone.load_state_dict(net.state_dict())
    assert type(clone.hidden) is nn.Linear and clone.hidden.in_features == 5
    np.testing.assert_array_equal(_host(clone(x)), _host(y))
    bn = nn.LazyBatchNorm2d()
    bn.load_state_dict(nn.BatchNorm2d(3).state_dict())
    assert type(bn) is nn.BatchNorm2d and bn.num_features == 3


def test_to_before_the_first_call_sets_the_dtype() -> None:
    m = nn.LazyLinear(2).to(pt.float64)
    m(pt.ones(1, 3, dtype=pt.float64))
    assert m.weight.dtype == pt.float64 and m.bias.dtype == pt.float64
    c = nn.LazyConv2d(2, 3, dtype=pt.float64)
    c(pt.ones(1, 1, 4, 4, dtype=pt.float64))
    assert c.weight.dtype == pt.float64


@pytest.mark.parametrize("backend", BACKENDS)
def test_lazy_layers_on_every_backend(backend: str) -> None:
    with _on(backend):
        pt.manual_seed(1)
        net = nn.Sequential(
            nn.LazyConv2d(6, kernel_size=5, padding=2),
            nn.LazyBatchNorm2d(),
            nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2),
            nn.Flatten(),
            nn.LazyLinear(10),
            nn.LazyBatchNorm1d(),
        )
        x = pt.rand(4, 1, 8, 8)
        y = net(x)
        assert tuple(y.shape) == (4, 10)
        assert [type(m).__name__ for m in net] == [
            "Conv2d", "BatchNorm2d", "Sigmoid", "AvgPool2d", "Flatten", "Linear", "BatchNorm1d"
        ]  # fmt: skip
        assert tuple(net[0].weight.shape) == (6, 1, 5, 5)
        assert tuple(net[1].running_mean.shape) == (6,) and tuple(net[5].weight.shape) == (10, 96)
        y.sum().backward()
        assert all(p.grad is not None for p in net.parameters())
        assert net[0].weight._backend.name == backend


def test_lazy_convolutions_groups_unbatched_and_one_d() -> None:
    c = nn.LazyConv2d(4, 3, groups=2, bias=False)
    assert c.bias is None
    assert tuple(c(pt.rand(1, 6, 5, 5)).shape) == (1, 4, 3, 3) and tuple(c.weight.shape) == (
        4,
        3,
        3,
        3,
    )
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.LazyConv2d(4, 3, groups=2)(pt.rand(1, 5, 5, 5))
    u = nn.LazyConv2d(2, 3)
    assert tuple(u(pt.rand(3, 5, 5)).shape) == (2, 3, 3) and u.in_channels == 3
    c1 = nn.LazyConv1d(4, 3, padding=1)
    assert tuple(c1(pt.rand(2, 5, 10)).shape) == (2, 4, 10) and type(c1) is nn.Conv1d


def test_lazy_batch_norm_trains_and_evaluates_as_the_plain_one() -> None:
    x = pt.rand(8, 3, 4, 4)
    lazy, plain = nn.LazyBatchNorm2d(momentum=0.3), nn.BatchNorm2d(3, momentum=0.3)
    np.testing.assert_allclose(_host(lazy(x)), _host(plain(x)), rtol=1e-6)
    np.testing.assert_allclose(_host(lazy.running_var), _host(plain.running_var), rtol=1e-6)
    lazy.eval()
    plain.eval()
    np.testing.assert_allclose(_host(lazy(x)), _host(plain(x)), rtol=1e-6)
    assert int(lazy.num_batches_tracked) == 1


def test_lazy_modules_match_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch not installed: no reference")
    for make in (
        lambda nn_: nn_.LazyLinear(4),
        lambda nn_: nn_.LazyConv2d(6, 3, padding=1),
        lambda nn_: nn_.LazyBatchNorm2d(),
    ):
        m, t = make(nn), make(torch.nn)
        assert repr(m).split("(")[0] == repr(t).split("(")[0]
        x = np.ones((2, 3, 5, 5), np.float32)
        m(pt.tensor(x))
        t(torch.tensor(x))
        assert type(m).__name__ == type(t).__name__
        assert {k: tuple(v.shape) for k, v in m.state_dict().items()} == {
            k: tuple(v.shape) for k, v in t.state_dict().items()
        }


def test_a_cuda_device_is_named_without_cuda_and_refused_when_used() -> None:
    if pt.cuda.is_available():
        pytest.skip("CUDA is available here: the devices are real")
    d = pt.device("cuda:1")
    assert (str(d), d.type, d.index) == ("cupy:cuda:1", "cuda", 1)
    assert pt.device("cuda", 0) == pt.device("cuda") == "cupy:cuda:0"
    with pytest.raises(RuntimeError, match="cuda"):
        pt.ones(2, device=d)
    with pytest.raises(RuntimeError, match="cuda"):
        pt.ones(2).to(d)
    with pytest.raises(RuntimeError, match="cuda"):
        nn.Linear(2, 2).to(pt.device("cuda"))


# -- what a review against torch found --------------------------------------------------------


def test_an_uninitialised_module_copies_and_pickles_lazily() -> None:
    """deepcopy and pickle rebuilt plain (0,)-shaped Parameters, which the first call could
    not size (AttributeError: no materialize)."""
    import copy
    import pickle

    for m in (copy.deepcopy(nn.LazyLinear(4)), pickle.loads(pickle.dumps(nn.LazyLinear(4)))):
        assert type(m.weight) is nn.UninitializedParameter
        assert tuple(m(pt.ones(2, 3)).shape) == (2, 4)
    c = pickle.loads(pickle.dumps(nn.LazyConv2d(4, 3, dtype=pt.float64)))
    assert c(pt.ones(1, 2, 5, 5, dtype=pt.float64)).dtype == pt.float64


def test_an_uninitialised_checkpoint_leaves_a_lazy_batch_norm_lazy() -> None:
    a, b = nn.LazyBatchNorm1d(), nn.LazyBatchNorm1d()
    b.load_state_dict(a.state_dict())  # (its entries have no shape yet: it was BatchNorm1d(0))
    assert type(b) is nn.LazyBatchNorm1d
    assert tuple(b(pt.rand(4, 3)).shape) == (4, 3) and b.num_features == 3


def test_a_call_of_the_wrong_rank_leaves_a_lazy_convolution_unsized() -> None:
    c = nn.LazyConv2d(6, 3)
    with pytest.raises(ValueError, match="3-D \\(unbatched\\) or 4-D"):
        c(pt.rand(5, 5))
    assert type(c) is nn.LazyConv2d
    assert tuple(c(pt.rand(1, 2, 5, 5)).shape) == (1, 6, 3, 3) and c.in_channels == 2


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda m: nn.init.normal_(m.weight, 0, 0.01), ValueError, "uninitialized parameter"),
        (lambda m: nn.init.zeros_(m.bias), ValueError, "uninitialized parameter"),
        (lambda m: nn.init.xavier_uniform_(m.weight), ValueError, "uninitialized parameter"),
        (lambda m: m.weight.numel(), ValueError, "uninitialized parameter"),
        (lambda m: m(pt.tensor(1.0)), ValueError, "at least 1 dimension"),
    ],
)
def test_what_an_uninitialised_module_refuses(call: Any, error: type, words: str) -> None:
    """An init before the first call was lost silently: the first call drew the weights
    again."""
    m = nn.LazyLinear(2)
    with pytest.raises(error, match=words):
        call(m)


def test_lazy_constructor_errors() -> None:
    with pytest.raises(ValueError, match="positive int"):
        nn.LazyConv2d(4, 3, groups=0)
    with pytest.raises(ValueError, match="out_channels \\(5\\) must be divisible by groups"):
        nn.LazyConv2d(5, 3, groups=2)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.LazyBatchNorm1d()(pt.ones(3))


def test_devices_copy_pickle_and_wrap() -> None:
    import copy
    import pickle

    for d in (pt.device("cpu"), pt.device("cuda:1")):
        assert copy.deepcopy(d) == d and pickle.loads(pickle.dumps(d)) == d
        assert pt.device(d) == d
    if not pt.cuda.is_available():
        for bad in ("cudafoo", "cuda:x", "cuda:-1", "cuda:1:2"):
            with pytest.raises(RuntimeError):
                pt.device(bad)


@pytest.mark.parametrize("backend", BACKENDS)
def test_writes_past_an_axis_in_a_graph(backend: str) -> None:
    """On array-api-strict a recorded write (and a view's write-back) kept the slice bounds
    past the axis, which the library refuses."""
    with _on(backend):
        w = pt.arange(10.0, requires_grad=True)
        y = w * 1
        y[8:100] = 0.0
        y[-100:2] = 5.0
        y[100:5:-2] = 7.0
        v = y[7:100]
        v.mul_(2)
        y.sum().backward()
        assert _host(y).tolist() == [5.0, 5.0, 2, 3, 4, 5, 6, 14, 0, 14]
        assert _host(w.grad).tolist() == [0.0, 0, 1, 1, 1, 1, 1, 0, 0, 0]
