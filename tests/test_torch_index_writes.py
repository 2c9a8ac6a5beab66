"""PyTorch's writes at indices (``index_copy``, ``index_fill``, ``index_put``, ``index_reduce``,
``scatter_reduce``, ``select_scatter``, ``slice_scatter``, ``diagonal_scatter``,
``masked_scatter``, ``put``) give torch's values and float64 gradients, and their in-place
forms behave as the other in-place methods: the version bumps, a leaf that requires grad is
refused, a view's change reaches its base, a saved value changed in place is caught. On every
available backend; array-api-strict, which cannot write at an array of indices, says so."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import diff, host, run_both  # noqa: E402

RNG = np.random.default_rng(0)
X = np.round(RNG.standard_normal((4, 3)) * 2) / 2  # (halves: ties for amax, amin)
S = np.round(RNG.standard_normal((2, 3)) * 2) / 2
S[0, 0] = 0.0  # (a zero in a product)
X3 = RNG.standard_normal((2, 4, 3))
MASK = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 1], [0, 0, 0]], dtype=bool)
WRITES_AT_ARRAYS = {"index_copy", "index_put", "put"}


def _idx(lib: Any, a: Any) -> Any:
    return pt.asarray(np.asarray(a)) if lib is pt else torch.tensor(np.asarray(a))


# name -> (function of (library, tensors...), arrays: diff() ones require grad)
CASES: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "index_copy": (lambda L, x, s: x.index_copy(0, _idx(L, [3, 1]), s), (diff(X), diff(S))),
    "index_copy dim 1": (
        lambda L, x, s: L.index_copy(x, 1, _idx(L, [2, 0]), s),
        (diff(X), diff(X[:, :2].copy())),
    ),
    "index_fill": (lambda L, x: x.index_fill(1, _idx(L, [0, -1]), 2.5), (diff(X),)),
    "index_fill tensor value": (
        lambda L, x, v: L.index_fill(x, 0, _idx(L, [1, 1]), v),
        (diff(X), diff(np.array(3.0))),
    ),
    "index_put": (
        lambda L, x, v: x.index_put((_idx(L, [0, 2]), _idx(L, [1, 1])), v),
        (diff(X), diff(S[0, :2].copy())),
    ),
    "index_put broadcast": (
        lambda L, x, v: L.index_put(x, (_idx(L, [0, 2]),), v),
        (diff(X), diff(S[0].copy())),
    ),
    "index_put accumulate": (
        lambda L, x, v: x.index_put((_idx(L, [0, 0, 3]),), v, accumulate=True),
        (diff(X), diff(np.vstack([S, S[:1]]))),
    ),
    "index_put boolean": (
        lambda L, x, v: x.index_put((_idx(L, MASK),), v, accumulate=True),
        (diff(X), diff(np.arange(6.0))),
    ),
    "index_put boolean written": (
        lambda L, x, v: x.index_put((_idx(L, MASK),), v),
        (diff(X), diff(np.arange(6.0))),
    ),
    "index_put boolean one value": (
        lambda L, x, v: x.index_put((_idx(L, MASK),), v, accumulate=True),
        (diff(X), diff(np.array([2.5]))),
    ),
    "index_put rows boolean": (
        lambda L, x, v: x.index_put((_idx(L, MASK[:, 0].copy()),), v),
        (diff(X), diff(S)),
    ),
    "put": (lambda L, x, v: x.put(_idx(L, [0, -1, 5]), v), (diff(X), diff(S[0].copy()))),
    "put accumulate": (
        lambda L, x, v: L.put(x, _idx(L, [[0, -1], [0, 4]]), v, accumulate=True),
        (diff(X), diff(S[:, :2].copy())),
    ),
    "masked_scatter": (
        lambda L, x, v: x.masked_scatter(_idx(L, MASK), v),
        (diff(X), diff(RNG.standard_normal(8))),
    ),
    "masked_scatter broadcast": (
        lambda L, x, v: L.masked_scatter(x, _idx(L, MASK[0]), v),
        (diff(X), diff(RNG.standard_normal((3, 3)))),
    ),
    "select_scatter": (
        lambda L, x, v: L.select_scatter(x, v, 1, -1),
        (diff(X), diff(RNG.standard_normal(4))),
    ),
    "slice_scatter": (
        lambda L, x, v: L.slice_scatter(x, v, 0, 1, None, 2),
        (diff(X), diff(S)),
    ),
    "select_scatter method": (
        lambda L, x, v: x.select_scatter(v, 0, 2),
        (diff(X), diff(RNG.standard_normal(3))),
    ),
    "slice_scatter method": (
        lambda L, x, v: x.slice_scatter(v, start=2),
        (diff(X), diff(S)),
    ),
    "diagonal_scatter method": (
        lambda L, x, v: x.diagonal_scatter(v, -1),
        (diff(X), diff(RNG.standard_normal(3))),
    ),
    "slice_scatter end": (
        lambda L, x, v: L.slice_scatter(x, v, dim=1, end=-1),
        (diff(X), diff(X[:, :2].copy())),
    ),
    **{
        f"diagonal_scatter {off}": (
            lambda L, x, v, off=off: L.diagonal_scatter(x, v, off, 1, 2),
            (diff(X3), diff(RNG.standard_normal((2, 3 - max(off, 0) if off >= 0 else 3)))),
        )
        for off in (0, 1, 2)
    },
    "diagonal_scatter -2": (
        lambda L, x, v: L.diagonal_scatter(x, v, -2, 1, 2),
        (diff(X3), diff(RNG.standard_normal((2, 2)))),
    ),
    "diagonal_scatter dims 2 0": (
        lambda L, x, v: L.diagonal_scatter(x, v, offset=1, dim1=2, dim2=0),
        (diff(X3), diff(RNG.standard_normal((4, 1)))),
    ),
}
SCATTER_INDEX = np.array([[0, 1, 0], [3, 1, 0]])
for _reduce in ("sum", "prod", "mean", "amax", "amin"):
    for _self in (True, False):
        CASES[f"scatter_reduce {_reduce} {_self}"] = (
            lambda L, x, s, r=_reduce, i=_self: x.scatter_reduce(
                0, _idx(L, SCATTER_INDEX), s, r, include_self=i
            ),
            (diff(X), diff(S)),
        )
        if _reduce != "sum":
            CASES[f"index_reduce {_reduce} {_self}"] = (
                lambda L, x, s, r=_reduce, i=_self: L.index_reduce(
                    x, 0, _idx(L, [1, 1]), s, r, include_self=i
                ),
                (diff(X), diff(S)),
            )
CASES["scatter_reduce corner"] = (
    lambda L, x, s: L.scatter_reduce(x, 1, _idx(L, [[0], [2]]), s, reduce="amin"),
    (diff(X), diff(S[:, :1].copy())),
)


def _refused(backend: str, name: str) -> bool:
    """Whether the backend cannot make the call: a write (not an addition) at an array of
    indices, on array-api-strict."""
    words = name.split()
    return (
        backend == "array_api_strict"
        and words[0] in WRITES_AT_ARRAYS
        and "accumulate" not in words
        and ("boolean" not in words or "rows" in words)
    )


@pytest.mark.filterwarnings(r"ignore:index_reduce\(\) is in beta")
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_values_and_float64_gradients(backend: str, name: str) -> None:
    fn, args = CASES[name]
    if _refused(backend, name):
        with pytest.raises(NotImplementedError, match="cannot write at an array of indices"):
            run_both(lambda *a: fn(pt, *a), lambda *a: fn(torch, *a), args)
        return
    run_both(lambda *a: fn(pt, *a), lambda *a: fn(torch, *a), args)


def test_integer_reductions_keep_the_dtype_and_round_means_down_as_torch(backend: str) -> None:
    x = np.array([10, -10, 30])
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            want = torch.tensor(x).scatter_reduce(
                0,
                torch.tensor([0, 0, 1]),
                torch.tensor([1, 2, 4]),
                reduce,
                include_self=include_self,
            )
            got = pt.asarray(x).scatter_reduce(
                0, pt.asarray([0, 0, 1]), pt.asarray([1, 2, 4]), reduce, include_self=include_self
            )
            assert got.dtype == pt.int64
            np.testing.assert_array_equal(host(got), want.numpy(), err_msg=reduce)
    filled = pt.asarray([1, 2, 3]).index_fill(0, pt.asarray([1]), 2.5)  # (cast, as torch's)
    assert filled.dtype == pt.int64 and filled.tolist() == [1, 2, 3]


IN_PLACE = {
    "index_copy_": (0, "i", "s"),
    "index_fill_": (0, "i", -1.0),
    "index_put_": ("t", "v"),
    "index_reduce_": (0, "i", "s", "amax"),
    "scatter_reduce_": (0, "j", "s", "mean"),
    "masked_scatter_": ("m", "s"),
    "put_": ("i", "v"),
}


def _in_place_args(lib: Any, name: str) -> tuple[Any, ...]:
    made = {
        "i": _idx(lib, [2, 0]),
        "j": _idx(lib, [[2, 0, 2], [0, 0, 1]]),
        "t": (_idx(lib, [2, 0]),),
        "m": _idx(lib, MASK[:3]),
        "s": (pt.asarray(S.copy()) if lib is pt else torch.tensor(S)),
        "v": (pt.asarray(S[0, :2].copy()) if lib is pt else torch.tensor(S[0, :2])),
    }
    if name == "index_put_":
        made["v"] = pt.asarray(S[:, :].copy()) if lib is pt else torch.tensor(S)
    return tuple(made.get(a, a) if isinstance(a, str) else a for a in IN_PLACE[name])


@pytest.mark.filterwarnings(r"ignore:index_reduce\(\) is in beta")
@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_forms_write_torch_values_bump_the_version_and_refuse_leaves(
    backend: str, name: str
) -> None:
    if _refused(backend, name.removesuffix("_")):
        with pytest.raises(NotImplementedError, match="cannot write at an array of indices"):
            getattr(pt.asarray(X[:3].copy()), name)(*_in_place_args(pt, name))
        return
    t = torch.tensor(X[:3].copy())
    getattr(t, name)(*_in_place_args(torch, name))
    x = pt.asarray(X[:3].copy())
    assert getattr(x, name)(*_in_place_args(pt, name)) is x
    np.testing.assert_allclose(host(x), t.numpy(), rtol=1e-12)
    # the version counter counts the change
    y = pt.asarray(X[:3].copy(), requires_grad=True) * 1
    v = y._meta.version
    with pt.no_grad():
        getattr(y, name)(*_in_place_args(pt, name))
    assert y._meta.version == v + 1
    # a leaf that requires grad is refused with grad mode on, written under no_grad
    leaf = pt.asarray(X[:3].copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"{name}.*leaf tensor that requires grad"):
        getattr(leaf, name)(*_in_place_args(pt, name))
    with pt.no_grad():
        getattr(leaf, name)(*_in_place_args(pt, name))
    np.testing.assert_allclose(host(leaf.detach()), t.numpy(), rtol=1e-12)


@pytest.mark.filterwarnings(r"ignore:index_reduce\(\) is in beta")
@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_forms_in_a_graph_give_torch_gradients(backend: str, name: str) -> None:
    if _refused(backend, name.removesuffix("_")):
        pytest.skip("array-api-strict cannot write at an array of indices (tested above)")
    cot = np.random.default_rng(5).standard_normal(X[:3].shape)
    grads = []
    for lib in (torch, pt):
        w = (torch.tensor if lib is torch else pt.asarray)(X[:3].copy(), requires_grad=True)
        args = _in_place_args(lib, name)
        src = [a for a in args if isinstance(a, (torch.Tensor, pt.Tensor)) and a.dtype == w.dtype]
        for a in src:
            a.requires_grad_()
        y = w * 1.5
        assert getattr(y, name)(*args) is y
        (y * (torch.tensor(cot) if lib is torch else pt.asarray(cot))).sum().backward()
        grads.append([host(w.grad)] + [host(a.grad) for a in src])
    for t_g, p_g in zip(*grads, strict=True):
        np.testing.assert_allclose(p_g, t_g, rtol=1e-10, atol=1e-12)


def test_in_place_change_of_a_view_reaches_its_base(backend: str) -> None:
    base = pt.zeros(3, 4)
    base[1].index_fill_(0, pt.asarray([0, 3]), 2.0)
    base[:, 1].scatter_reduce_(0, pt.asarray([0, 0]), pt.asarray([5.0, 7.0]), "amax")
    assert host(base).tolist() == [[0, 7, 0, 0], [2, 0, 0, 2], [0, 0, 0, 0]]


def test_a_saved_value_changed_in_place_is_kept_or_caught(backend: str) -> None:
    x = pt.asarray(X.copy(), requires_grad=True)
    y = x * 2
    z = y.sin()  # (sin's derivative reads y)
    y.index_fill_(0, pt.asarray([1]), 0.0)  # (recorded: the node keeps the old value)
    z.sum().backward()
    np.testing.assert_allclose(host(x.grad), 2 * np.cos(2 * X), rtol=1e-12)
    x = pt.asarray(X.copy(), requires_grad=True)
    y = x * 2
    z = y.sin()
    with pt.no_grad():
        y.masked_scatter_(pt.asarray(MASK), pt.zeros(8, dtype=pt.float64))
    if not pt.backends.get(backend).mutable:  # (Dask overwrites no memory)
        z.sum().backward()
        np.testing.assert_allclose(host(x.grad), 2 * np.cos(2 * X), rtol=1e-12)
        return
    with pytest.raises(RuntimeError, match=r"modified by an in-place operation"):
        z.sum().backward()


def test_dask_results_stay_lazy() -> None:
    pytest.importorskip("dask")
    with pt.use_backend("dask"):
        x = pt.asarray(X.copy())
        for y in (
            x.index_fill(0, pt.asarray([1]), 1.0),
            x.scatter_reduce(0, pt.asarray(SCATTER_INDEX), pt.asarray(S), "amax"),
            x.masked_scatter(pt.asarray(MASK), pt.ones(8, dtype=pt.float64)),
            x.index_copy(0, pt.asarray([1]), pt.ones(1, 3, dtype=pt.float64)),
        ):
            assert type(y._data).__module__.startswith("dask")


ERRORS = [
    (lambda: pt.zeros(3).index_copy(0, pt.asarray([5]), pt.ones(1)), IndexError, "index 5"),
    (lambda: pt.zeros(3).index_copy(0, pt.asarray([0, 1]), pt.ones(1)), IndexError, "source"),
    (
        lambda: pt.zeros(3).index_copy(0, pt.asarray([0]), pt.ones(1, dtype=pt.float64)),
        RuntimeError,
        "expected source of the input's dtype float32",
    ),
    (lambda: pt.zeros(3).index_copy(0, pt.asarray([0.0]), pt.ones(1)), RuntimeError, "dtype"),
    (lambda: pt.zeros(3).index_fill(0, pt.asarray([[0]]), 1.0), IndexError, "1-d"),
    (lambda: pt.zeros(3).index_fill(0, pt.asarray([3]), 1.0), IndexError, r"\[-3, 2\]"),
    (lambda: pt.zeros(3).index_fill(0, pt.asarray([0]), pt.ones(2)), RuntimeError, "0-d"),
    (
        lambda: pt.zeros(3).index_put((pt.asarray([0]),), pt.ones(1, dtype=pt.float64)),
        RuntimeError,
        "values of the input's dtype",
    ),
    (lambda: pt.zeros(3).index_put(pt.asarray([0]), pt.ones(1)), TypeError, "tuple of index"),
    (lambda: pt.zeros(3, 2).index_put((pt.asarray([3]),), pt.ones(2)), IndexError, r"\[-3, 2\]"),
    (
        lambda: pt.zeros(3, 2).index_put((pt.asarray([0]), pt.asarray([-3])), pt.ones(1), True),
        IndexError,
        r"size 2; expected indices in \[-2, 1\]",
    ),
    (
        lambda: pt.zeros(2, 2).index_put((pt.asarray([[True, False], [True, True]]),), pt.ones(2)),
        RuntimeError,
        "one value per True element",
    ),
    (lambda: pt.zeros(3).put(pt.asarray([5]), pt.ones(1)), IndexError, "out of range"),
    (lambda: pt.zeros(3).put(pt.asarray([0, 1]), pt.ones(1)), RuntimeError, "same number"),
    (
        lambda: pt.zeros(3).masked_scatter(pt.asarray([True, True, True]), pt.ones(2)),
        RuntimeError,
        "fewer than the mask's True",
    ),
    (lambda: pt.zeros(3).masked_scatter(pt.asarray([1, 1, 1]), pt.ones(3)), RuntimeError, "bool"),
    (
        lambda: pt.zeros(3).masked_scatter(pt.asarray([False, True, False]), pt.ones(0)),
        RuntimeError,
        "the source has 0 elements",
    ),
    (lambda: pt.select_scatter(pt.zeros(3), pt.asarray(1.0), 0, 5), IndexError, "index 5"),
    (lambda: pt.select_scatter(pt.zeros(3), pt.ones(1), 0, 1), RuntimeError, "expected src"),
    (lambda: pt.slice_scatter(pt.zeros(3), pt.ones(1), 0, 0, 2), RuntimeError, r"\(2,\)"),
    (lambda: pt.diagonal_scatter(pt.zeros(2, 3), pt.ones(3)), RuntimeError, r"\(2,\)"),
    (lambda: pt.diagonal_scatter(pt.zeros(2, 3), pt.ones(2), 0, 1, 1), RuntimeError, "same"),
    (
        lambda: pt.zeros(3).scatter_reduce(0, pt.asarray([0]), pt.ones(1), "max"),
        RuntimeError,
        "sum, prod, mean, amax or amin",
    ),
    (
        lambda: pt.zeros(3).index_reduce(0, pt.asarray([0]), pt.ones(1), "sum"),
        RuntimeError,
        "prod, mean, amax or amin",
    ),
    (lambda: pt.zeros(3).scatter_reduce(0, pt.asarray([4]), pt.ones(1), "sum"), RuntimeError, "4"),
    # arguments of the wrong type, refused in polytensor's words (torch's class: TypeError),
    # where NumPy's "only integer scalar arrays can be converted to a scalar index", "slice
    # indices must be integers" or an array's ambiguous truth value named no function
    (
        lambda: pt.zeros(1, 1, 2).scatter_reduce(0, pt.asarray([[[0]]]), pt.ones(1), np.zeros(0)),
        TypeError,
        r"^scatter_reduce\(\) expects reduce to be a string: sum, prod, mean, amax or amin; "
        r"got ndarray",
    ),
    (
        lambda: pt.zeros(3).scatter_reduce(0, pt.asarray([0]), pt.ones(1), None),
        TypeError,
        r"^scatter_reduce\(\) expects reduce to be a string",
    ),
    (
        lambda: pt.zeros(3).scatter_reduce(0, pt.asarray([0]), pt.ones(1), "sum", include_self=""),
        TypeError,
        r"^scatter_reduce\(\) expects include_self= to be True or False",
    ),
    (
        lambda: pt.slice_scatter(pt.zeros(2, 3), pt.ones(2, 1), 1, start=np.array([1, 2])),
        TypeError,
        r"^slice_scatter\(\) expects start to be an int or None; got ndarray",
    ),
    (
        lambda: pt.slice_scatter(pt.zeros(2, 0), pt.ones(3), start="mean"),
        TypeError,
        r"^slice_scatter\(\) expects start to be an int or None; got str 'mean'",
    ),
    (
        lambda: pt.slice_scatter(pt.zeros(3), pt.ones(1), 0, end=1.5),
        TypeError,
        r"^slice_scatter\(\) expects end to be an int or None; got float 1.5",
    ),
    (
        lambda: pt.slice_scatter(pt.zeros(1, 0), pt.ones(0), step=float("-inf")),
        TypeError,
        r"^slice_scatter\(\) expects step to be an int; got float -inf",
    ),
    (
        lambda: pt.zeros(2, 0).slice_scatter(pt.ones(0), step="a"),
        TypeError,
        r"^slice_scatter\(\) expects step to be an int; got str 'a'",
    ),
    (
        lambda: pt.select_scatter(pt.zeros(3), pt.asarray(1.0), 0, np.array([0, 1])),
        TypeError,
        r"^select_scatter\(\) expects index to be an int; got ndarray",
    ),
    (
        lambda: pt.select(pt.zeros(3), 0, pt.asarray([0, 1])),
        TypeError,
        r"^select\(\) expects index to be an int; got Tensor",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), ERRORS)
def test_wrong_arguments_raise_torch_classes_with_clear_messages(
    call: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call()


# (each computed: on Dask the range check runs in the result's graph)
OUT_OF_RANGE: dict[str, Any] = {
    "gather": lambda x, i: pt.compute(pt.gather(x, 0, i)),
    "scatter": lambda x, i: pt.compute(pt.scatter(x, 0, i, x)),
    "scatter_add": lambda x, i: pt.compute(x.scatter_add(0, i, x)),
    "scatter_reduce sum": lambda x, i: pt.compute(x.scatter_reduce(0, i, x, "sum")),
    "scatter_reduce amax": lambda x, i: pt.compute(pt.scatter_reduce(x, 0, i, x, "amax")),
    "scatter_reduce prod": lambda x, i: pt.compute(
        x.scatter_reduce(0, i, x, "prod", include_self=False)
    ),
}


@pytest.mark.parametrize("name", list(OUT_OF_RANGE))
def test_an_index_out_of_range_is_refused_in_the_function_s_own_name(
    backend: str, name: str
) -> None:
    # (the range check's private op led the message, "_check_index(): gather(): ..."; and on
    # Dask scatter_reduce read the index unchecked: "__getitem__(): index 5 is out of bounds")
    x, index = pt.zeros(2, 3), pt.asarray([[0, 5, 0]])
    # (torch's RuntimeError at once; on Dask, where the check runs in the graph, an IndexError
    # when the result is computed)
    with pytest.raises((RuntimeError, IndexError)) as e:
        OUT_OF_RANGE[name](x, index)
    function = name.partition(" ")[0]
    assert str(e.value).startswith(f"{function}(): index 5 is out of bounds"), str(e.value)


@pytest.mark.parametrize("reduce", ["amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_extremes_with_many_ties_and_unsorted_indices_match_torch(
    backend: str, reduce: str, include_self: bool
) -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(-2, 3, (6, 5)).astype(np.float64)  # (few values: many ties)
    src = rng.integers(-2, 3, (9, 4)).astype(np.float64)
    index = rng.integers(0, 6, (9, 4))
    run_both(
        lambda a, s: a.scatter_reduce(0, pt.asarray(index), s, reduce, include_self=include_self),
        lambda a, s: a.scatter_reduce(0, torch.tensor(index), s, reduce, include_self=include_self),
        (diff(x), diff(src)),
    )


def test_extremes_propagate_nan_and_keep_infinities_as_torch(backend: str) -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0])
    src = np.array([np.nan, 5.0, -np.inf, np.inf, 1.0])
    index = np.array([0, 0, 1, 2, 2])
    for reduce in ("amax", "amin"):
        for include_self in (True, False):
            want = torch.tensor(x).scatter_reduce(
                0, torch.tensor(index), torch.tensor(src), reduce, include_self=include_self
            )
            got = pt.asarray(x).scatter_reduce(
                0, pt.asarray(index), pt.asarray(src), reduce, include_self=include_self
            )
            np.testing.assert_array_equal(host(got), want.numpy())


def test_extremes_of_many_elements_into_many_targets_run_in_memory_of_their_size() -> None:
    # (20,000 targets, 200,000 sources: a comparison of each with each would need 4e9)
    rng = np.random.default_rng(0)
    index = rng.integers(0, 20_000, (200_000, 1))
    src = rng.standard_normal((200_000, 1))
    got = pt.zeros(20_000, 1, dtype=pt.float64).scatter_reduce(
        0, pt.asarray(index), pt.asarray(src), "amax", include_self=False
    )
    want = torch.zeros(20_000, 1, dtype=torch.float64).scatter_reduce(
        0, torch.tensor(index), torch.tensor(src), "amax", include_self=False
    )
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_boolean_extremes_are_any_and_all(backend: str) -> None:
    x = np.array([False, True, False])
    src = np.array([True, False, False, True])
    index = np.array([0, 1, 1, 2])
    for reduce in ("amax", "amin"):
        want = torch.tensor(x).scatter_reduce(0, torch.tensor(index), torch.tensor(src), reduce)
        got = pt.asarray(x).scatter_reduce(0, pt.asarray(index), pt.asarray(src), reduce)
        assert got.dtype == pt.bool
        np.testing.assert_array_equal(host(got), want.numpy())


def test_in_place_change_of_a_view_in_a_graph_gives_torch_gradients(backend: str) -> None:
    grads = []
    for lib in (torch, pt):
        w = _lib_tensor(lib, np.arange(6.0).reshape(2, 3) / 7, requires_grad=True)
        b = w * 2
        b[0].index_fill_(0, _idx(lib, [1]), 5.0)
        b[1].masked_scatter_(_idx(lib, [True, False, True]), _lib_tensor(lib, np.array([4.0, 3.0])))
        # (last: torch's scatter_reduce saves its result, which a later change would overwrite)
        b[:, 1].scatter_reduce_(
            0, _idx(lib, [0, 0]), _lib_tensor(lib, np.array([0.1, 0.9])), "amax"
        )
        (b * b).sum().backward()
        grads.append(host(w.grad))
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)


def _lib_tensor(lib: Any, a: np.ndarray, **kw: Any) -> Any:
    return torch.tensor(a, **kw) if lib is torch else pt.asarray(a.copy(), **kw)


def test_empty_writes_give_new_tensors_as_torch(backend: str) -> None:
    x = pt.ones(2, 3)
    y = pt.diagonal_scatter(x, pt.ones(0), 3)  # (no diagonal at offset 3)
    assert y is not x and host(y).tolist() == host(x).tolist()
    assert tuple(torch.diagonal_scatter(torch.ones(2, 3), torch.ones(0), 3).shape) == (2, 3)
    z = x.masked_scatter(pt.zeros(2, 3, dtype=pt.bool), pt.ones(0))
    assert z is not x and host(z).tolist() == host(x).tolist()


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_of_long_runs_matches_torch(backend: str, include_self: bool) -> None:
    # runs of 1 to 40 entries per index (a scan of several doubling steps), zeros among them,
    # along dimension 1 of a matrix; values near 1 keep the products in range
    rng = np.random.default_rng(5)
    x = 1 + rng.standard_normal((3, 30)) / 8
    src = 1 + rng.standard_normal((3, 120)) / 8
    src[0, ::17] = 0.0
    index = rng.integers(0, 30, (3, 120)) ** 2 // 30  # (uneven runs: small indices repeat)
    run_both(
        lambda x, s: x.scatter_reduce(1, pt.asarray(index), s, "prod", include_self=include_self),
        lambda x, s: x.scatter_reduce(1, torch.tensor(index), s, "prod", include_self=include_self),
        (diff(x), diff(src)),
    )


def test_scatter_reduce_prod_memory_grows_with_src_not_x_times_index() -> None:
    # 20,000 positions and 20,000 entries: a comparison of each with each would take 400 MB
    import tracemalloc

    rng = np.random.default_rng(6)
    n = 20_000
    index = rng.integers(0, n, n)
    x, src = rng.uniform(0.5, 1.5, n), rng.uniform(0.5, 1.5, n)
    tracemalloc.start()
    try:
        got = pt.asarray(x).scatter_reduce(0, pt.asarray(index), pt.asarray(src), "prod")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    want = torch.tensor(x).scatter_reduce(0, torch.tensor(index), torch.tensor(src), "prod")
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-13)
    assert peak < 20 * n * 8  # (a few arrays of n float64, not n * n)
