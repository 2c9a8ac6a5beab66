"""``pt.utils.data``: datasets, samplers, ``default_collate`` and ``DataLoader`` behave as
PyTorch's ``torch.utils.data`` (checked against torch where it is installed), on every backend;
the gathered batches of a ``TensorDataset`` equal the per-sample ones; a seed fixes the
shuffled order; bad arguments are refused with a message that says what to do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
import pytest

import polytensor as pt
from polytensor.utils import data
from polytensor.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    default_collate,
    default_convert,
    random_split,
)


def _backend_param(name: str) -> Any:
    status = pt.backends.available().get(name, "not registered")
    marks = [] if status == "available" else [pytest.mark.skip(reason=f"{name}: {status}")]
    return pytest.param(name, marks=marks, id=name)


BACKENDS = [_backend_param(b) for b in sorted(pt.backends.available())]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    with pt.use_backend(request.param):
        yield str(request.param)


def _torch() -> Any:
    return pytest.importorskip("torch", reason="torch not installed")


X = np.arange(70, dtype=np.float32).reshape(10, 7) / 7
Y = np.arange(10, dtype=np.int64) % 3


def _dataset() -> TensorDataset:
    return TensorDataset(pt.asarray(X), pt.asarray(Y))


def _host(v: Any) -> Any:
    """A batch (tensors in lists, tuples, dicts) as NumPy arrays, to compare."""
    if isinstance(v, pt.Tensor):
        return v.numpy()
    if hasattr(v, "detach"):
        return v.detach().numpy()
    if isinstance(v, dict):
        return {k: _host(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_host(x) for x in v) if not hasattr(v, "_fields") else tuple(map(_host, v))
    return v


def _assert_same(got: Any, want: Any) -> None:
    if isinstance(want, np.ndarray):
        assert isinstance(got, np.ndarray)
        assert got.shape == want.shape and got.dtype == want.dtype, (got, want)
        np.testing.assert_array_equal(got, want)
    elif isinstance(want, dict):
        assert list(got) == list(want)
        for k in want:
            _assert_same(got[k], want[k])
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _assert_same(g, w)
    else:
        assert got == want


# -- reachability -------------------------------------------------------------------------------
def test_utils_data_is_reachable_after_import_polytensor_only(run_python: Any) -> None:
    done = run_python(
        "import sys, polytensor as pt\n"
        "assert 'polytensor.utils' not in sys.modules\n"
        "print(pt.utils.data.DataLoader.__module__)\n"
        "from polytensor.utils.data import DataLoader, default_collate\n"
        "from polytensor.utils.data.dataloader import default_collate as d\n"
        "assert d is default_collate and 'utils' in dir(pt)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "polytensor.utils.data.dataloader"


def test_utils_data_imports_no_numpy_itself() -> None:
    import ast
    import pathlib

    root = pathlib.Path(data.__file__).parent
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] != "numpy" for a in node.names), path.name
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] != "numpy", path.name


def test_a_pytorch_name_polytensor_lacks_says_so() -> None:
    with pytest.raises(AttributeError, match=r"no DistributedSampler \(PyTorch's"):
        _ = data.DistributedSampler


# -- datasets -----------------------------------------------------------------------------------
def test_tensor_dataset_samples_are_tuples_of_rows(backend: str) -> None:
    ds = _dataset()
    assert len(ds) == 10 and len(ds.tensors) == 2
    x, y = ds[3]
    assert x.tolist() == pytest.approx(X[3].tolist()) and y.item() == 0
    assert str(x.device).startswith(backend)


def test_tensor_dataset_refuses_tensors_of_different_lengths() -> None:
    with pytest.raises(ValueError, match=r"same first dimension.*\(3, 2\), \(4,\)"):
        TensorDataset(pt.zeros((3, 2)), pt.zeros(4))
    with pytest.raises(TypeError, match=r"expects tensors; got ndarray.*pt.asarray"):
        TensorDataset(np.zeros(3))
    with pytest.raises(ValueError, match=r"0-d tensor"):
        TensorDataset(pt.asarray(1.0))


def test_dataset_base_says_what_a_subclass_must_define() -> None:
    with pytest.raises(NotImplementedError, match=r"must define __getitem__"):
        Dataset()[0]
    with pytest.raises(NotImplementedError, match=r"must define __iter__"):
        iter(IterableDataset())


def test_subset_concat_and_add() -> None:
    ds = _dataset()
    sub = Subset(ds, [9, 2, 5])
    assert len(sub) == 3 and sub[0][1].item() == Y[9] and sub[-1][1].item() == Y[5]
    both = ds + sub
    assert isinstance(both, ConcatDataset) and len(both) == 13
    assert both.cumulative_sizes == [10, 13]
    assert both[10][0].tolist() == pytest.approx(X[9].tolist())
    assert both[-1][0].tolist() == pytest.approx(X[5].tolist())
    with pytest.raises(ValueError, match=r"out of range.*length 13"):
        both[-14]
    with pytest.raises(IndexError, match=r"out of range"):
        both[13]
    with pytest.raises(ValueError, match=r"at least one dataset"):
        ConcatDataset([])


class _Count(IterableDataset):
    def __init__(self, n: int, sized: bool = True) -> None:
        self.n, self.sized = n, sized

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.n))

    def __len__(self) -> int:
        if not self.sized:
            raise TypeError("no length")
        return self.n


def test_chain_dataset_and_concat_of_a_stream() -> None:
    ds = _Count(2) + _Count(3)
    assert isinstance(ds, ChainDataset) and list(ds) == [0, 1, 0, 1, 2] and len(ds) == 5
    with pytest.raises(TypeError, match=r"map-style.*ChainDataset"):
        ConcatDataset([_Count(2)])


# -- random_split -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "lengths", "want"),
    [
        (10, [3, 7], [3, 7]),
        (10, [0.5, 0.5], [5, 5]),
        (10, [0.34, 0.33, 0.33], [4, 3, 3]),  # floors 3, 3, 3; the remainder to the first
        (11, [0.25, 0.25, 0.5], [3, 3, 5]),  # floors 2, 2, 5; remainder 2 round-robin
        (7, [1 / 3, 1 / 3, 1 / 3], [3, 2, 2]),
    ],
)
def test_random_split_lengths_as_pytorch(n: int, lengths: list[Any], want: list[int]) -> None:
    parts = random_split(TensorDataset(pt.arange(n)), lengths)
    assert [len(p) for p in parts] == want
    assert sorted(i for p in parts for i in p.indices) == list(range(n))
    torch = _torch()
    theirs = torch.utils.data.random_split(range(n), lengths)
    assert [len(p) for p in theirs] == want


def test_random_split_is_fixed_by_a_seed_or_generator() -> None:
    ds = TensorDataset(pt.arange(20))
    pt.manual_seed(3)
    a = [p.indices for p in random_split(ds, [5, 15])]
    pt.manual_seed(3)
    b = [p.indices for p in random_split(ds, [5, 15])]
    c = [p.indices for p in random_split(ds, [5, 15], generator=pt.Generator().manual_seed(3))]
    assert a == b == c
    assert a[0] + a[1] == pt.randperm(20, generator=pt.Generator().manual_seed(3)).tolist()


def test_random_split_refuses_bad_lengths_and_warns_of_empty_splits() -> None:
    ds = TensorDataset(pt.arange(4))
    with pytest.raises(ValueError, match=r"sum to the dataset's length \(4\).*\[1, 2\]"):
        random_split(ds, [1, 2])
    with pytest.raises(
        ValueError, match=r"fraction 1.5 at index 0; fractions must lie between 0 and 1"
    ):
        random_split(ds, [1.5, -0.5])
    with pytest.warns(UserWarning, match=r"split at index 2 has length 0"):
        parts = random_split(TensorDataset(pt.arange(2)), [0.5, 0.5, 0.0])
    assert [len(p) for p in parts] == [1, 1, 0]


# -- samplers -----------------------------------------------------------------------------------
def test_sequential_and_batch_samplers() -> None:
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    for drop_last, want in ((False, [[0, 1, 2], [3, 4, 5], [6]]), (True, [[0, 1, 2], [3, 4, 5]])):
        b = BatchSampler(SequentialSampler(range(7)), 3, drop_last)
        assert list(b) == want and len(b) == len(want)
    assert list(BatchSampler(range(6), 3, False)) == [[0, 1, 2], [3, 4, 5]]


def test_batch_sampler_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"batch_size to be a positive int; got int 0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match=r"batch_size.*got bool"):
        BatchSampler(range(3), True, False)
    with pytest.raises(ValueError, match=r"drop_last to be True or False; got str"):
        BatchSampler(range(3), 2, "no")


def test_random_sampler_is_a_new_permutation_each_pass_fixed_by_the_seed(backend: str) -> None:
    s = RandomSampler(range(50))
    pt.manual_seed(0)
    first, second = list(s), list(s)
    assert sorted(first) == sorted(second) == list(range(50)) and first != second
    pt.manual_seed(0)
    assert list(s) == first
    g = pt.Generator().manual_seed(0)
    assert list(RandomSampler(range(50), generator=g)) == first
    assert first == pt.randperm(50, generator=pt.Generator().manual_seed(0)).tolist()


def test_random_sampler_num_samples_and_replacement() -> None:
    pt.manual_seed(1)
    s = RandomSampler(range(4), num_samples=10)
    got = list(s)
    assert len(s) == 10 and len(got) == 10
    assert sorted(got[:4]) == sorted(got[4:8]) == [0, 1, 2, 3] and set(got[8:]) <= {0, 1, 2, 3}
    r = RandomSampler(range(3), replacement=True, num_samples=40)
    drawn = list(r)
    assert len(drawn) == 40 and set(drawn) == {0, 1, 2}  # (all three, with 40 draws)
    with pytest.raises(ValueError, match=r"num_samples to be a positive int; got int 0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match=r"empty data_source"):
        RandomSampler([])
    with pytest.raises(TypeError, match=r"replacement= to be True or False"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(TypeError, match=r"generator= to be a pt.Generator"):
        RandomSampler(range(3), generator=np.random.default_rng(0))


def test_subset_random_sampler() -> None:
    s = SubsetRandomSampler([5, 7, 9])
    pt.manual_seed(2)
    a = list(s)
    pt.manual_seed(2)
    assert sorted(a) == [5, 7, 9] and list(s) == a and len(s) == 3


# -- default_collate / default_convert ----------------------------------------------------------
class Point(NamedTuple):
    x: Any
    y: Any


def test_default_collate_by_type(backend: str) -> None:
    t = default_collate([pt.asarray([1.0, 2.0]), pt.asarray([3.0, 4.0])])
    assert t.shape == (2, 2) and t.dtype == pt.float32 and str(t.device).startswith(backend)
    a = default_collate([np.zeros(3, np.float32), np.ones(3, np.float32)])
    assert a.shape == (2, 3) and a.dtype == pt.float32 and str(a.device).startswith(backend)
    s = default_collate([np.float64(1.5), np.float64(2.5)])
    assert s.dtype == pt.float64 and s.tolist() == [1.5, 2.5]
    assert default_collate([np.int32(1), np.int32(2)]).dtype == pt.int32
    f = default_collate([0.5, 1.5])
    assert f.dtype == pt.float64 and f.tolist() == [0.5, 1.5]
    i = default_collate([1, 2])
    assert i.dtype == pt.int64 and i.tolist() == [1, 2]
    b = default_collate([True, False])
    assert b.dtype == pt.bool and b.tolist() == [True, False]
    assert default_collate(["a", "b"]) == ["a", "b"] and default_collate([b"a", b"b"]) == [
        b"a",
        b"b",
    ]


def test_default_collate_nested_structures() -> None:
    batch = [
        {"img": pt.ones(2), "meta": (1, "a"), "p": Point(1.0, [2, 3])},
        {"img": pt.zeros(2), "meta": (2, "b"), "p": Point(3.0, [4, 5])},
    ]
    out = default_collate(batch)
    assert list(out) == ["img", "meta", "p"]
    assert out["img"].tolist() == [[1.0, 1.0], [0.0, 0.0]]
    assert isinstance(out["meta"], list) and out["meta"][0].tolist() == [1, 2]
    assert out["meta"][1] == ("a", "b")  # (a tuple, as PyTorch's: the zipped field)
    assert isinstance(out["p"], Point) and out["p"].x.tolist() == [1.0, 3.0]
    assert [c.tolist() for c in out["p"].y] == [[2, 4], [3, 5]]
    lists = default_collate([[1, 2], [3, 4]])
    assert isinstance(lists, list) and [c.tolist() for c in lists] == [[1, 3], [2, 4]]


def test_default_collate_refuses_what_it_cannot_batch() -> None:
    with pytest.raises(TypeError, match=r"expects samples of tensors.*got object.*collate_fn="):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match=r"got ndarray of dtype <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError, match=r"same length; got lengths \[2, 3\]"):
        default_collate([[1, 2], [1, 2, 3]])
    with pytest.raises(RuntimeError, match=r"equal shapes.*\(2,\), sample 1 \(3,\)"):
        default_collate([pt.ones(2), pt.ones(3)])


def test_default_convert_keeps_structure() -> None:
    out = default_convert({"a": np.arange(3), "b": (np.float32(1.0), "s"), "c": [np.ones(2)]})
    assert out["a"].tolist() == [0, 1, 2] and out["a"].dtype == pt.int64
    assert isinstance(out["b"], list) and out["b"][0].dtype == pt.float32 and out["b"][1] == "s"
    assert isinstance(out["c"][0], pt.Tensor)
    p = default_convert(Point(np.zeros(1), 2))
    assert isinstance(p, Point) and isinstance(p.x, pt.Tensor) and p.y == 2
    text = np.array(["x"])
    assert default_convert(text) is text
    t = pt.ones(2)
    assert default_convert(t) is t


def test_collate_matches_torch() -> None:
    torch = _torch()
    samples = [
        {"x": np.full((2,), i, np.float32), "n": i, "f": i / 2, "s": str(i), "t": (i, True)}
        for i in range(3)
    ]
    ours = _host(default_collate(samples))
    theirs = _host(torch.utils.data.default_collate(samples))
    _assert_same(ours, theirs)
    conv_ours = _host(default_convert({"a": np.arange(3), "b": (np.float64(1.0), 2)}))
    conv_theirs = _host(
        torch.utils.data.default_convert({"a": np.arange(3), "b": (np.float64(1.0), 2)})
    )
    _assert_same(conv_ours, conv_theirs)


# -- DataLoader ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("batch_size", "drop_last"), [(1, False), (3, False), (3, True), (10, True)]
)
def test_loader_len_and_batches(backend: str, batch_size: int, drop_last: bool) -> None:
    loader = DataLoader(_dataset(), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) == (10 // batch_size if drop_last else -(-10 // batch_size))
    assert all(len(b) == 2 and isinstance(b, list) for b in batches)
    ys = np.concatenate([b[1].numpy() for b in batches])
    n = len(batches) * batch_size if drop_last else 10
    np.testing.assert_array_equal(ys, Y[:n])
    assert batches[0][0].shape == (batch_size, 7) and batches[0][0].dtype == pt.float32
    assert loader.batch_size == batch_size and loader.drop_last is drop_last
    assert isinstance(loader.sampler, SequentialSampler)
    assert isinstance(loader.batch_sampler, BatchSampler)


@pytest.mark.parametrize("shuffle", [False, True])
def test_gathered_batches_equal_the_per_sample_ones(backend: str, shuffle: bool) -> None:
    """A TensorDataset's batches are gathered (one t[indices] a tensor); a subclass of it goes
    the per-sample way, __getitem__ and stack. Both give the same batches, values, dtypes,
    shapes and backend."""

    class PerSample(TensorDataset):
        pass

    tensors = (pt.asarray(X), pt.asarray(Y), pt.asarray(X[:, 0] > 3), pt.asarray(X[:, :2, None]))
    for make in (lambda ds: ds, lambda ds: Subset(ds, [9, 0, 4, 4, 7, 2])):
        fast_ds, slow_ds = make(TensorDataset(*tensors)), make(PerSample(*tensors))
        got, want = [], []
        for ds, out in ((fast_ds, got), (slow_ds, want)):
            pt.manual_seed(5)
            for batch in DataLoader(ds, batch_size=4, shuffle=shuffle):
                assert all(str(t.device).startswith(backend) for t in batch)
                assert [t.dtype for t in batch] == [pt.float32, pt.int64, pt.bool, pt.float32]
                out.append(_host(batch))
        _assert_same(got, want)


def test_the_gather_path_makes_one_index_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not one __getitem__ a sample: the tensors are indexed once a batch."""
    calls: list[Any] = []
    ds = _dataset()
    original = pt.Tensor.__getitem__

    def spy(self: Any, key: Any) -> Any:
        calls.append(key)
        return original(self, key)

    monkeypatch.setattr(pt.Tensor, "__getitem__", spy)
    batches = list(DataLoader(ds, batch_size=4))
    of_subset = list(DataLoader(Subset(ds, [9, 8, 7, 6, 5]), batch_size=4))
    monkeypatch.undo()
    assert len(of_subset) == 2 and of_subset[0][1].tolist() == Y[[9, 8, 7, 6]].tolist()
    assert len(calls) == 3 * 2 + 2 * 2
    calls = calls[:6]
    assert len(batches) == 3 and len(calls) == 3 * 2
    assert all(isinstance(k, pt.Tensor) and k.dtype == pt.int64 for k in calls)


def test_loader_matches_torch_with_shuffle_false(backend: str) -> None:
    torch = _torch()
    ours = DataLoader(_dataset(), batch_size=4)
    theirs = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y)), batch_size=4
    )
    assert len(ours) == len(theirs)
    _assert_same([_host(b) for b in ours], [_host(b) for b in theirs])
    mixed = [(X[i], int(Y[i]), float(i), str(i)) for i in range(10)]
    _assert_same(
        [_host(b) for b in DataLoader(mixed, batch_size=3, drop_last=True)],
        [_host(b) for b in torch.utils.data.DataLoader(mixed, batch_size=3, drop_last=True)],
    )
    _assert_same(
        [_host(b) for b in DataLoader(mixed[:3], batch_size=None)],
        [_host(b) for b in torch.utils.data.DataLoader(mixed[:3], batch_size=None)],
    )


def test_shuffle_is_a_new_order_each_epoch_and_fixed_by_the_seed(backend: str) -> None:
    loader = DataLoader(_dataset(), batch_size=3, shuffle=True)
    assert isinstance(loader.sampler, RandomSampler)

    def epoch() -> list[int]:
        return [i for _, y in loader for i in y.tolist()]

    def labels_order() -> list[list[float]]:
        return [row for x, _ in loader for row in x[:, 0].tolist()]

    pt.manual_seed(0)
    a, b = labels_order(), labels_order()
    assert a != b and sorted(a) == sorted(b) == sorted(X[:, 0].tolist())
    pt.manual_seed(0)
    assert labels_order() == a
    g = pt.Generator().manual_seed(0)
    seeded = DataLoader(_dataset(), batch_size=3, shuffle=True, generator=g)
    assert [r for x, _ in seeded for r in x[:, 0].tolist()] == a
    assert sorted(epoch()) == sorted(Y.tolist())


def test_batch_size_none_converts_each_sample(backend: str) -> None:
    samples = [{"x": np.full(2, i, np.float32), "y": i} for i in range(3)]
    out = list(DataLoader(samples, batch_size=None))
    assert len(out) == 3 and isinstance(out[0]["x"], pt.Tensor) and out[2]["y"] == 2
    assert out[1]["x"].tolist() == [1.0, 1.0] and str(out[1]["x"].device).startswith(backend)
    loader = DataLoader(_dataset(), batch_size=None)
    assert len(loader) == 10 and loader.batch_sampler is None
    x, y = next(iter(loader))
    assert x.shape == (7,) and y.item() == 0


def test_iterable_dataset_batches_in_iteration_order() -> None:
    loader = DataLoader(_Count(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3
    dropped = DataLoader(_Count(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in dropped] == [[0, 1, 2], [3, 4, 5]] and len(dropped) == 2
    assert [b.tolist() for b in DataLoader(_Count(6), batch_size=3)] == [[0, 1, 2], [3, 4, 5]]
    one = DataLoader(_Count(3, sized=False), batch_size=None)
    assert list(one) == [0, 1, 2]
    with pytest.raises(TypeError, match=r"no length"):
        len(one)
    assert [b.tolist() for b in DataLoader(_Count(3), shuffle=False)] == [[0], [1], [2]]


def test_iterable_dataset_matches_torch() -> None:
    torch = _torch()

    class TorchCount(torch.utils.data.IterableDataset):
        def __iter__(self) -> Iterator[int]:
            return iter(range(7))

        def __len__(self) -> int:
            return 7

    for kw in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}):
        ours = DataLoader(_Count(7), **kw)  # type: ignore[arg-type]
        theirs = torch.utils.data.DataLoader(TorchCount(), **kw)
        assert len(ours) == len(theirs)
        _assert_same([_host(b) for b in ours], [_host(b) for b in theirs])


def test_loader_is_reiterable_and_next_iter_works() -> None:
    loader = DataLoader(_dataset(), batch_size=4)
    assert [len(b[1]) for b in loader] == [4, 4, 2] == [len(b[1]) for b in loader]
    it = iter(loader)
    assert len(it) == 3 and next(it)[1].tolist() == Y[:4].tolist()


def test_custom_sampler_batch_sampler_and_collate_fn() -> None:
    ds = _dataset()
    by_sampler = DataLoader(ds, batch_size=2, sampler=[9, 8, 7])
    assert [y.tolist() for _, y in by_sampler] == [[Y[9], Y[8]], [Y[7]]]
    by_batches = DataLoader(ds, batch_sampler=[[0, 5], [1]])
    assert [y.tolist() for _, y in by_batches] == [[Y[0], Y[5]], [Y[1]]]
    assert by_batches.batch_size is None and len(by_batches) == 2
    count = DataLoader(ds, batch_size=4, collate_fn=len)
    assert list(count) == [4, 4, 2]
    numpy_ints = DataLoader(ds, batch_sampler=[[np.int64(2), np.int64(3)]])
    assert next(iter(numpy_ints))[1].tolist() == Y[2:4].tolist()


def test_workers_load_in_this_process_with_the_same_batches() -> None:
    with_workers = DataLoader(
        _dataset(), batch_size=4, num_workers=2, prefetch_factor=2, persistent_workers=True
    )
    plain = DataLoader(_dataset(), batch_size=4)
    _assert_same([_host(b) for b in with_workers], [_host(b) for b in plain])
    assert data.get_worker_info() is None
    assert "calling process" in (DataLoader.__doc__ or "")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sampler": [0, 1], "shuffle": True}, r"sampler= and shuffle=True"),
        ({"batch_sampler": [[0]], "batch_size": 2}, r"batch_sampler= takes no batch_size"),
        ({"batch_sampler": [[0]], "shuffle": True}, r"batch_sampler= takes no"),
        ({"batch_sampler": [[0]], "sampler": [0]}, r"batch_sampler= takes no"),
        ({"batch_sampler": [[0]], "drop_last": True}, r"batch_sampler= takes no"),
        ({"batch_size": None, "drop_last": True}, r"batch_size=None.*drop_last=True"),
        ({"num_workers": -1}, r"num_workers to be a non-negative int; got int -1"),
        ({"timeout": -1}, r"non-negative timeout"),
        ({"prefetch_factor": 2}, r"prefetch_factor= only with worker processes"),
        ({"persistent_workers": True}, r"persistent_workers=True only with worker"),
        ({"multiprocessing_context": "spawn"}, r"multiprocessing_context= only with worker"),
        ({"batch_size": 0}, r"batch_size to be a positive int"),
    ],
)
def test_loader_refuses_conflicting_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        DataLoader(_dataset(), **kwargs)


def test_loader_argument_errors_are_those_torch_raises() -> None:
    torch = _torch()
    tds = torch.utils.data.TensorDataset(torch.from_numpy(X))
    for kwargs in (
        {"sampler": [0, 1], "shuffle": True},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_size": None, "drop_last": True},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
    ):
        with pytest.raises(ValueError, match=r"\w"):
            torch.utils.data.DataLoader(tds, **kwargs)
        with pytest.raises(ValueError, match=r"DataLoader\(\)"):
            DataLoader(_dataset(), **kwargs)


@pytest.mark.parametrize("name", ["shuffle", "sampler", "batch_sampler"])
def test_iterable_dataset_refuses_order_options(name: str) -> None:
    value = {"shuffle": True, "sampler": [0], "batch_sampler": [[0]]}[name]
    with pytest.raises(ValueError, match=rf"IterableDataset.*expected no {name}= option"):
        DataLoader(_Count(3), **{name: value})


def test_loader_attributes_cannot_be_set_after_it_is_made() -> None:
    loader = DataLoader(_dataset(), batch_size=2)
    with pytest.raises(ValueError, match=r"DataLoader.batch_size cannot be set.*new DataLoader"):
        loader.batch_size = 3
    loader.collate_fn = len  # (not one of PyTorch's frozen attributes)
    assert list(loader) == [2] * 5


def test_index_errors_reach_the_caller_on_both_paths(backend: str) -> None:
    """Out of range, a batch raises t[i]'s IndexError when it is made, on a lazy backend too
    (where a gather alone would fail only when the batch computes)."""
    ds = _dataset()

    class PerSample(TensorDataset):
        pass

    for d in (ds, PerSample(*ds.tensors)):
        with pytest.raises(IndexError, match=r"index 10 is out of bounds"):
            list(DataLoader(d, batch_sampler=[[0, 10]]))
        with pytest.raises(IndexError, match=r"index -11 is out of bounds"):
            list(DataLoader(d, batch_sampler=[[-11]]))
        assert next(iter(DataLoader(d, batch_sampler=[[-1, 0]])))[1].tolist() == [Y[-1], Y[0]]


def test_the_loader_keeps_import_time_free_of_utils(run_python: Any) -> None:
    done = run_python(
        "import sys, polytensor\nprint(any(m.startswith('polytensor.utils') for m in sys.modules))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_loader_example_runs_as_a_script(run_python: Any) -> None:
    code = (
        "import polytensor as torch\n"
        "from polytensor.utils.data import DataLoader, TensorDataset\n"
        "ds = TensorDataset(torch.randn(100, 1, 28, 28), torch.randint(0, 10, (100,)))\n"
        "for X, y in DataLoader(ds, batch_size=64):\n"
        "    print(tuple(X.shape), tuple(y.shape), y.dtype)\n"
        "    break\n"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(64, 1, 28, 28) (64,) polytensor.int64"


def test_a_batch_sampler_of_arrays_or_tensors_takes_the_gather() -> None:
    """Its batches of NumPy arrays or tensors raised in the fast path's emptiness test
    (``not rows``); the general path took them."""
    ds = TensorDataset(pt.arange(10) * 10)
    for batches in ([np.array([1, 2])], [pt.tensor([3, 4])]):
        got = [b[0].tolist() for b in DataLoader(ds, batch_sampler=batches)]
        assert got == [[10 * int(i) for i in _host(pt.asarray(batches[0]))]]


def test_default_collate_keeps_a_tuple_of_strings_as_torch() -> None:
    batch = next(iter(DataLoader([(1.0, "a"), (2.0, "b")], batch_size=2)))
    assert batch[1] == ("a", "b")
    torch = _torch()
    want = next(iter(torch.utils.data.DataLoader([(1.0, "a"), (2.0, "b")], batch_size=2)))
    assert want[1] == batch[1] and type(want[1]) is type(batch[1])
