"""One counter-based random stream: the same numbers on every backend and every Dask chunking,
each Dask chunk drawn in its own task, nothing drawn on the host when a tensor is made."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import polytensor as pt
from polytensor import nn
from polytensor.backends import _counter_rng

BACKENDS = ["numpy", "dask", "array_api_strict", "cupy"]

# Shapes across the 65536-element blocks of the stream, with ragged and column-split chunkings
SHAPE = (301, 467)
CHUNKINGS: list[Any] = [(100, 467), (7, 111), "auto", {0: 64}, 100, "64KiB"]

DRAWS: dict[str, Callable[..., pt.Tensor]] = {
    "rand64": lambda **kw: pt.rand(*SHAPE, dtype=pt.float64, **kw),
    "rand32": lambda **kw: pt.rand(*SHAPE, dtype=pt.float32, **kw),
    "randn64": lambda **kw: pt.randn(*SHAPE, dtype=pt.float64, **kw),
    "randn32": lambda **kw: pt.randn(*SHAPE, dtype=pt.float32, **kw),
    "randint": lambda **kw: pt.randint(-5, 1000, SHAPE, **kw),
    "randint8": lambda **kw: pt.randint(0, 100, SHAPE, dtype=pt.int8, **kw),
}


def _available(name: str) -> None:
    try:
        pt.backends.get(name)
    except pt.backends.BackendUnavailable as e:
        pytest.skip(f"{name} cannot run here: {e}")


def _host(t: pt.Tensor) -> np.ndarray:
    return np.array(t.to("numpy").numpy())  # a copy: in-place fills must not change it


def _seeded(draw: Callable[..., pt.Tensor], seed: int = 11, **kw: Any) -> np.ndarray:
    pt.manual_seed(seed)
    return _host(draw(**kw))


@pytest.mark.parametrize("kind", sorted(DRAWS))
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_seed_gives_the_same_numbers_on_every_backend(kind: str, backend: str) -> None:
    _available(backend)
    want = _seeded(DRAWS[kind])
    got = _seeded(DRAWS[kind], device=backend)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("chunks", CHUNKINGS, ids=str)
def test_dask_numbers_do_not_depend_on_the_chunks(chunks: Any) -> None:
    want = _seeded(DRAWS["randn64"])
    pt.manual_seed(11)
    t = DRAWS["randn64"](device="dask", chunks=chunks)
    assert len(t._data.chunks[0]) > 1 or chunks == "auto"
    np.testing.assert_array_equal(_host(t), want)


def test_the_backend_chunks_option_does_not_change_the_numbers() -> None:
    want = _seeded(DRAWS["rand64"])
    with pt.use_backend("dask", chunks=(13, 200)):
        got = _seeded(DRAWS["rand64"])
    np.testing.assert_array_equal(got, want)


def test_values_follow_their_distributions() -> None:
    pt.manual_seed(0)
    u = pt.rand(200_000, dtype=pt.float64).numpy()
    z = pt.randn(200_000, dtype=pt.float64).numpy()
    i = pt.randint(3, 9, (200_000,)).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.005
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01
    assert set(np.unique(i).tolist()) == set(range(3, 9))
    f32 = pt.rand(200_000, dtype=pt.float32).numpy()
    assert f32.dtype == np.float32 and f32.max() < 1.0


def test_each_call_is_a_new_draw_and_a_seed_replays_them() -> None:
    pt.manual_seed(5)
    a, b = pt.randn(4).tolist(), pt.randn(4).tolist()
    assert a != b
    pt.manual_seed(5)
    assert pt.randn(4).tolist() == a and pt.randn(4).tolist() == b


def test_a_small_draw_is_the_start_of_a_larger_one() -> None:
    # The blocks' values are filled in order: a prefix costs only its own size.
    small = _counter_rng.fill("normal", (), "float64", (10,), 3, ((0, 10),))
    large = _counter_rng.fill("normal", (), "float64", (70_000,), 3, ((0, 70_000),))
    np.testing.assert_array_equal(small, large[:10])


def test_generator_state_round_trips_and_rejects_other_states() -> None:
    g = pt.Generator().manual_seed(9)
    pt.rand(3, generator=g)
    state = g.get_state()
    a = pt.rand(3, generator=g).tolist()
    g.set_state(state)
    assert pt.rand(3, generator=g).tolist() == a
    assert g.initial_seed() == 9
    with pytest.raises(ValueError, match="get_state"):
        g.set_state({"bit_generator": "PCG64", "state": {}})
    with pytest.raises(TypeError, match=r"pt\.Generator"):
        pt.rand(2, generator=np.random.default_rng(0))  # type: ignore[arg-type]


def test_randperm_is_a_permutation_and_the_same_on_every_backend() -> None:
    pt.manual_seed(2)
    want = pt.randperm(1000).numpy()
    assert sorted(want.tolist()) == list(range(1000))
    for backend, chunks in (("dask", 128), ("array_api_strict", None)):
        _available(backend)
        pt.manual_seed(2)
        got = pt.randperm(1000, device=backend, chunks=chunks)
        np.testing.assert_array_equal(_host(got), want)


def test_like_functions_take_the_chunks_of_their_tensor() -> None:
    x = pt.zeros((30, 8), device="dask", dtype=pt.float64, chunks=(7, 4))
    pt.manual_seed(1)
    r = pt.randn_like(x)
    assert r._data.chunks == x._data.chunks
    pt.manual_seed(1)
    np.testing.assert_array_equal(_host(r), pt.randn(30, 8, dtype=pt.float64).numpy())
    assert pt.rand_like(x)._data.chunks == x._data.chunks


@pytest.mark.parametrize("backend", ["dask", "array_api_strict"])
def test_nn_init_and_dropout_match_numpy(backend: str) -> None:
    _available(backend)

    def draws(device: str) -> list[np.ndarray]:
        pt.manual_seed(4)
        w = pt.empty((16, 12), dtype=pt.float64, device=device)
        out = [_host(nn.init.kaiming_uniform_(w)), _host(nn.init.normal_(w, std=0.1))]
        x = pt.ones((16, 12), dtype=pt.float64, device=device)
        out.append(_host(nn.functional.dropout(x, p=0.3)))
        return out

    for got, want in zip(draws(backend), draws("numpy"), strict=True):
        np.testing.assert_array_equal(got, want)


def test_dropout_on_dask_draws_its_mask_in_the_input_chunks() -> None:
    x = pt.ones((40, 6), device="dask", dtype=pt.float64, chunks=(10, 3), requires_grad=True)
    y = nn.functional.dropout(x, p=0.5)
    assert y._data.chunks == ((10, 10, 10, 10), (3, 3))
    values = _host(y.detach())
    assert set(np.unique(values).tolist()) <= {0.0, 2.0}


def test_a_billion_element_dask_tensor_is_made_without_host_memory() -> None:
    pt.randn(10, device="dask")  # load the backend first
    pt.manual_seed(21)
    tracemalloc.start()
    try:
        t = pt.randn(1_000_000_000, dtype=pt.float64, device="dask")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert t.shape == (1_000_000_000,)
    assert peak < 2_000_000, f"making the tensor allocated {peak} bytes on the host"
    # Its chunks compute on their own: one task each, the same values as any other chunking.
    blocks = t._data.chunks[0]
    assert len(blocks) > 10
    start = sum(blocks[:5])
    chunk = t._data.blocks[5]
    assert len(chunk.__dask_optimize__(chunk.__dask_graph__(), chunk.__dask_keys__())) == 1
    got = chunk.compute()
    key = _counter_rng.make_key(21, 0)  # the first draw after seeding
    want = _counter_rng.fill(
        "normal", (), "float64", (1_000_000_000,), key, ((start, start + 1000),)
    )
    np.testing.assert_array_equal(got[:1000], want)
    np.testing.assert_array_equal(got[:10], _host(pt.asarray(t._data[start : start + 10])))
