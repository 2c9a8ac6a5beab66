"""PyTorch's in-place shape changes (``x.squeeze_()``, ``x.unsqueeze_(0)``, ``x.t_()``,
``x.transpose_(0, 1)``) give the tensor its new shape with torch's gradients through it, count
a version, refuse a leaf that requires grad and leave views taken before viewing what they
viewed; and the namespace forms of the in-place methods (``pt.relu_(x)``) are the methods. On
every available backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import host  # noqa: E402

W = np.arange(6.0).reshape(2, 1, 3) / 5
STEPS: dict[str, list[tuple[str, tuple[Any, ...]]]] = {
    "squeeze_": [("squeeze_", ())],
    "squeeze_ dim": [("squeeze_", (1,)), ("squeeze_", (0,))],
    "squeeze_ dims": [("squeeze_", ((0, 1),))],
    "unsqueeze_": [("unsqueeze_", (-1,)), ("unsqueeze_", (0,))],
    "t_": [("squeeze_", ()), ("t_", ())],
    "transpose_": [("transpose_", (0, 2)), ("transpose_", (-1, 1))],
    "swapdims_ swapaxes_": [("swapdims_", (0, 2)), ("swapaxes_", (-1, 1))],
}


def _lib_tensor(lib: Any, a: np.ndarray, **kw: Any) -> Any:
    return torch.tensor(a, **kw) if lib is torch else pt.asarray(a.copy(), **kw)


@pytest.mark.parametrize("name", sorted(STEPS))
def test_shape_changes_in_place_match_torch_with_gradients(backend: str, name: str) -> None:
    results = []
    for lib in (torch, pt):
        w = _lib_tensor(lib, W, requires_grad=True)
        y = w * 2
        u = y.exp()  # (saved y: a shape change in place changes no value)
        v = y._version if lib is torch else y._meta.version
        for method, args in STEPS[name]:
            assert getattr(y, method)(*args) is y
        assert (y._version if lib is torch else y._meta.version) == v + len(STEPS[name])
        cot = np.random.default_rng(1).standard_normal(tuple(y.shape))
        ((y * _lib_tensor(lib, cot)).sum() + u.sum()).backward()
        results.append((tuple(y.shape), host(y), host(w.grad)))
    (t_shape, t_y, t_g), (p_shape, p_y, p_g) = results
    assert p_shape == t_shape
    np.testing.assert_allclose(p_y, t_y, rtol=1e-12)
    np.testing.assert_allclose(p_g, t_g, rtol=1e-12)


def test_outside_a_graph_the_tensor_keeps_its_memory_and_earlier_views_keep_theirs(
    backend: str,
) -> None:
    for lib in (torch, pt):
        b = lib.zeros(2, 3)
        row = b[0]
        assert b.t_() is b and tuple(b.shape) == (3, 2)
        b[0, 1] = 5.0  # (the transposed tensor's [0, 1]: the original's [1, 0])
        if lib is torch:
            want = (host(b), host(row))
            continue
        assert tuple(row.shape) == (3,)
        np.testing.assert_array_equal(host(b), want[0])
        np.testing.assert_array_equal(host(row), want[1])
    if pt.backends.get(backend).mutable:  # (a write through the earlier view reaches b)
        row.fill_(1.0)
        assert host(b)[:, 0].tolist() == [1.0, 1.0, 1.0]


def test_a_value_saved_before_a_shape_change_under_no_grad_is_not_disturbed(
    backend: str,
) -> None:
    w = pt.asarray(W[:, 0].copy(), requires_grad=True)
    y = w * 2
    u = y.sin()
    with pt.no_grad():
        y.t_()
        y.unsqueeze_(0)
    assert tuple(y.shape) == (1, 3, 2)
    u.sum().backward()
    np.testing.assert_allclose(host(w.grad), 2 * np.cos(2 * W[:, 0]), rtol=1e-12)


@pytest.mark.parametrize(
    "method", ["squeeze_", "unsqueeze_", "t_", "transpose_", "swapdims_", "swapaxes_"]
)
def test_a_leaf_that_requires_grad_is_refused_and_a_view_says_what_to_do(
    backend: str, method: str
) -> None:
    pair = (0, 1)
    args = {"unsqueeze_": (0,), "transpose_": pair, "swapdims_": pair, "swapaxes_": pair}.get(
        method, ()
    )
    leaf = pt.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"{method}.*leaf tensor that requires grad"):
        getattr(leaf, method)(*args)
    with pt.no_grad():
        getattr(leaf, method)(*args)
    assert leaf.is_leaf and leaf.requires_grad
    with pytest.raises(RuntimeError, match=rf"{method}.*view of a leaf tensor that requires grad"):
        getattr(leaf[0:1], method)(*args)


VIEWS = {
    "rows": lambda x: x[1:],
    "t": lambda x: x.t(),
    "column": lambda x: x[:, 1:2],
    "row": lambda x: x[1:2],
    "diagonal": lambda x: x.diagonal()[None],
    "expand": lambda x: x[:1].expand(1, 4),
    "view-of-view": lambda x: x.t()[1:].t(),
}
SHAPE_CHANGES = {
    "unsqueeze_": lambda v: v.unsqueeze_(0),
    "unsqueeze_ last": lambda v: v.unsqueeze_(-1),
    "squeeze_": lambda v: v.squeeze_(),
    "squeeze_ dim": lambda v: v.squeeze_(0),
    "t_": lambda v: v.t_(),
    "t_ t_": lambda v: v.t_().t_(),
    "transpose_": lambda v: v.transpose_(0, 1),
    "swapdims_": lambda v: v.swapdims_(1, 0),
    "swapaxes_ unsqueeze_": lambda v: v.swapaxes_(0, -1).unsqueeze_(1),
}


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("change", list(SHAPE_CHANGES))
@pytest.mark.parametrize("grad", [False, True])
def test_a_view_changes_its_shape_in_place_and_stays_a_view_as_torch(
    backend: str, view: str, change: str, grad: bool
) -> None:
    # the view's own shape changes; it still views its base: its later changes reach the base,
    # the base's show in it, and gradients through them are torch's
    a = np.arange(12.0).reshape(3, 4)
    got = []
    for lib in (pt, torch):
        w = lib.tensor(a, requires_grad=grad)
        x = w * 2.0 if grad else w
        v = VIEWS[view](x)
        before = v[0]  # (a view of the view taken before: it keeps what it views)
        assert SHAPE_CHANGES[change](v) is v
        shape = tuple(v.shape)
        v.mul_(3.0)
        v[(0,) * v.ndim] = -1.0
        before.add_(100.0)  # (it views what v was: the base takes the change)
        x.add_(0.5)
        seen = (host(v), host(before))
        if grad:
            (x * x).sum().backward()
        got.append((shape, host(x), *seen, host(w.grad) if grad else None))
    assert got[0][0] == got[1][0]
    for mine, torchs in zip(got[0][1:4], got[1][1:4], strict=True):
        np.testing.assert_array_equal(mine, torchs)
    if grad:
        np.testing.assert_allclose(got[0][4], got[1][4], rtol=1e-12)


def test_wrong_arguments_raise_torch_classes() -> None:
    with pytest.raises(RuntimeError, match="<= 2 dimensions"):
        pt.zeros(2, 3, 4).t_()
    with pytest.raises(IndexError, match="out of bounds"):
        pt.zeros(2, 3).unsqueeze_(3)
    with pytest.raises(IndexError, match=r"expects dimensions in \[-2, 1\]"):
        pt.zeros(2, 3).transpose_(0, 2)
    x = pt.zeros(3)
    assert x.t_() is x and x.shape == (3,)  # (a 1-d tensor: as it is, as torch's)


NAMESPACE_FORMS = [n for n in dir(torch) if n.endswith("_") and not n.startswith("_")]


def test_every_namespace_form_of_torch_that_tensor_has_as_a_method_exists() -> None:
    # (dropout_ and the like are nn.functional's)
    have = [n for n in NAMESPACE_FORMS if hasattr(pt.Tensor, n)]
    assert "relu_" in have and "sigmoid_" in have and "tanh_" in have
    missing = [n for n in have if not callable(getattr(pt, n, None))]
    assert not missing


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("relu_", ()),
        ("sigmoid_", ()),
        ("tanh_", ()),
        ("exp_", ()),
        ("clamp_", (-0.2, 0.3)),
        ("clamp_min_", (0.1,)),
        ("xlogy_", (2.0,)),
        ("zero_", ()),
        ("fill_", (1.5,)),
        ("round_", ()),
        ("nan_to_num_", ()),
    ],
)
def test_namespace_forms_write_torch_values_and_return_the_tensor(
    backend: str, name: str, args: tuple[Any, ...]
) -> None:
    data = np.array([0.5, -0.25, 0.75, -0.9])
    t = torch.tensor(data)
    assert getattr(torch, name)(t, *args) is t
    x = pt.asarray(data.copy())
    assert getattr(pt, name)(x, *args) is x
    np.testing.assert_allclose(host(x), t.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        getattr(pt, name)(pt.asarray(data.copy(), requires_grad=True), *args)
    with pytest.raises(TypeError, match=rf"{name}\(\) expects a polytensor Tensor"):
        getattr(pt, name)([0.5], *args)


def test_later_in_place_changes_after_a_shape_change_give_torch_gradients(backend: str) -> None:
    grads = []
    for lib in (torch, pt):
        w = _lib_tensor(lib, np.arange(6.0).reshape(2, 3) / 7, requires_grad=True)
        c = w * 3
        c.t_()
        c.add_(1)
        c.unsqueeze_(0)
        c[0, 1].mul_(2)
        (c**2).sum().backward()
        grads.append(host(w.grad))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "args", "top"),
    [
        ("relu_", (), False),
        ("elu_", (0.5,), False),
        ("leaky_relu_", (0.2,), False),
        ("hardtanh_", (-0.3, 0.4), False),
        ("selu_", (), True),
        ("celu_", (2.0,), True),
        ("rrelu_", (0.25, 0.25), True),
        ("threshold_", (0.1, -2.0), True),
    ],
)
def test_in_place_activations_match_torch_and_write_into_the_tensor(
    backend: str, name: str, args: tuple[Any, ...], top: bool
) -> None:
    import polytensor.nn.functional as F

    data = np.array([0.5, -0.25, 0.75, -0.9])
    t = torch.tensor(data)
    assert getattr(torch.nn.functional, name)(t, *args) is t
    x = pt.asarray(data.copy())
    assert getattr(F, name)(x, *args) is x
    np.testing.assert_allclose(host(x), t.numpy(), rtol=1e-12)
    if top:  # (torch.selu_ and the like: the same functions)
        assert getattr(torch, name)(torch.tensor(data), *args).tolist() == t.tolist()
        x = pt.asarray(data.copy())
        assert getattr(pt, name)(x, *args) is x
        np.testing.assert_allclose(host(x), t.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(pt.asarray(data.copy(), requires_grad=True), *args)
