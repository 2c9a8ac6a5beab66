"""Pickling tensors: every kind round-trips; Dask tensors pickle their task graph, never a
computed result; a tensor that requires grad pickles its value and flag, never its graph;
``nn.Parameter`` stays a ``Parameter``."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn

BACKENDS = ["numpy", "dask", "array_api_strict"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name = request.param
    if name not in pt.backends.available():
        pytest.skip(f"backend {name} is not installed here")
    return name


def _host(t: Any) -> np.ndarray:
    return np.asarray(t.detach() if t.requires_grad else t)


def _round_trip(t: Any) -> Any:
    return pickle.loads(pickle.dumps(t))


def _kinds(backend: str) -> dict[str, Any]:
    with pt.use_backend(backend):
        base = pt.asarray(np.arange(12.0).reshape(3, 4))  # (a tensor of its own, no view)
        leaf = pt.asarray([[1.0, -2.0], [3.5, 4.0]], requires_grad=True)
        return {
            "plain": base,
            "int": pt.asarray([1, 2, 3], dtype=pt.int64),
            "bool": pt.asarray([True, False]),
            "0-d": pt.asarray(2.5),
            "empty": pt.zeros((0, 3)),
            "view": base[1:, ::2],
            "transposed view": base.T,
            "leaf requiring grad": leaf,
            "non-leaf": leaf * 2 + 1,
            "parameter": nn.Parameter(pt.ones((2, 3))),
            "frozen parameter": nn.Parameter(pt.ones(2), requires_grad=False),
        }


def test_every_tensor_kind_round_trips(backend: str) -> None:
    for name, t in _kinds(backend).items():
        got = _round_trip(t)
        # (a view travels as a tensor of its own: its base does not travel with it)
        assert type(got) is (pt.Tensor if "view" in name else type(t)), name
        assert got._backend.name == backend, name
        assert got.dtype == t.dtype and got.shape == t.shape, name
        assert got.requires_grad == t.requires_grad, name
        assert got.is_leaf, name  # the autograd graph never travels
        np.testing.assert_array_equal(_host(got), _host(t), err_msg=name)


def test_a_non_leaf_pickles_its_value_and_flag_not_its_graph() -> None:
    x = pt.asarray([1.0, 2.0], requires_grad=True)
    y = pt.exp(x) * 3
    got = _round_trip(y)
    assert got.requires_grad and got.is_leaf and got.grad_fn is None
    np.testing.assert_allclose(_host(got), 3 * np.exp([1.0, 2.0]))
    # the copy is a new leaf: gradients flow into it, not into x
    pt.sum(got * got).backward()
    np.testing.assert_allclose(got.grad.numpy(), 2 * _host(got))
    assert x.grad is None


def test_dask_tensors_pickle_their_graph_without_computing() -> None:
    pytest.importorskip("dask")
    import dask

    calls = []

    def counting_scheduler(dsk: Any, keys: Any, **kwargs: Any) -> Any:
        calls.append(keys)
        return dask.get(dsk, keys, **kwargs)

    with pt.use_backend("dask", chunks=(2, 2)):
        x = pt.asarray(np.arange(16.0).reshape(4, 4))
        w = pt.asarray(np.ones((4, 4)), requires_grad=True)
    y = pt.tanh(x @ w)
    with dask.config.set(scheduler=counting_scheduler):
        blob = pickle.dumps(y)
        token = dask.base.tokenize(y)
        got = pickle.loads(blob)
    assert calls == []  # neither pickling nor tokenizing computed anything
    assert got._data.name == y._data.name  # the same lazy array, graph and all
    assert got._data.chunks == y._data.chunks
    assert got.requires_grad and got.is_leaf
    assert dask.base.tokenize(got) == token
    np.testing.assert_allclose(_host(got), np.tanh(np.arange(16.0).reshape(4, 4) @ np.ones((4, 4))))


def test_tokens_follow_values_and_flags() -> None:
    pytest.importorskip("dask")
    from dask.base import tokenize

    a = pt.asarray([1.0, 2.0])
    assert tokenize(a) == tokenize(pt.asarray([1.0, 2.0]))
    assert tokenize(a) != tokenize(pt.asarray([1.0, 3.0]))
    assert tokenize(a) != tokenize(pt.asarray([1.0, 2.0], requires_grad=True))
    assert tokenize(a) != tokenize(nn.Parameter(pt.asarray([1.0, 2.0]), requires_grad=False))


def test_parameter_stays_a_parameter_through_pickle_and_deepcopy(backend: str) -> None:
    with pt.use_backend(backend):
        model = nn.Linear(3, 2)
    for clone in (_round_trip(model), copy.deepcopy(model)):
        params = dict(clone.named_parameters())
        assert sorted(params) == ["bias", "weight"]
        for name, p in model.named_parameters():
            assert type(params[name]) is nn.Parameter
            assert params[name].requires_grad and params[name].is_leaf
            assert params[name]._backend.name == backend
            np.testing.assert_array_equal(_host(params[name]), _host(p))
    p = nn.Parameter(pt.ones(2))
    assert type(copy.deepcopy(p)) is nn.Parameter
    assert type(_round_trip([p, p])[0]) is nn.Parameter


def test_shared_tensors_stay_shared_in_one_pickle() -> None:
    t = pt.asarray([1.0, 2.0])
    a, b = _round_trip([t, t])
    assert a is b
