"""``pt.cdist``, ``pt.nan_to_num`` (and ``x.nan_to_num(_)``), ``pt.kron``, ``pt.bucketize``,
``pt.histc``, ``pt.triu_indices``/``tril_indices``, ``x.tril_()``/``x.triu_()`` and
``pt.inference_mode`` give torch's values, float64 gradients and errors on every available
backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch", reason="torch is the reference these tests compare with")

from torch_compare import diff, host, run_both  # noqa: E402

g = np.random.default_rng(9)
P = g.standard_normal((2, 4, 3))
Q = np.concatenate([g.standard_normal((2, 4, 3)), P[:, :1]], axis=1)  # (a zero distance)
SPECIAL = np.array([np.nan, np.inf, -np.inf, 1.5, -2.0, 0.0])


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf"), 0.5])
def test_cdist_matches_torch(backend: str, p: float) -> None:
    run_both(pt.cdist, torch.cdist, (diff(P), diff(Q)), {"p": p})


def test_cdist_broadcasts_batches_as_torch(backend: str) -> None:
    run_both(pt.cdist, torch.cdist, (diff(P[0]), diff(Q)), {})


@pytest.mark.parametrize(
    "kw", [{}, {"nan": 1.0}, {"posinf": 7.0, "neginf": -7.0}], ids=["default", "nan", "infs"]
)
def test_nan_to_num_matches_torch(backend: str, kw: dict[str, Any]) -> None:
    finite = {"posinf": 1e3, "neginf": -1e3, **kw}  # (a cotangent times 1.8e308 overflows)
    run_both(pt.nan_to_num, torch.nan_to_num, (diff(SPECIAL),), finite)
    mine, ref = pt.asarray(SPECIAL.copy()), torch.tensor(SPECIAL)
    assert mine.nan_to_num_(**kw) is mine
    ref.nan_to_num_(**kw)
    np.testing.assert_array_equal(host(mine), host(ref))
    np.testing.assert_array_equal(host(pt.asarray(SPECIAL).nan_to_num(**kw)), host(ref))
    f32 = pt.nan_to_num(pt.asarray(SPECIAL.astype(np.float32)), **kw)
    np.testing.assert_array_equal(
        host(f32), host(torch.nan_to_num(torch.tensor(SPECIAL).float(), **kw))
    )


def test_nan_to_num_of_integers_is_a_copy() -> None:
    x = pt.asarray([1, 2])
    y = pt.nan_to_num(x)
    assert y.tolist() == [1, 2] and y.dtype == pt.int64 and y is not x


@pytest.mark.parametrize(
    ("a", "b"),
    [((2, 3), (3, 2)), ((3,), (2,)), ((2, 1, 2), (2, 2)), ((2,), (2, 3))],
    ids=["2d", "1d", "3d_2d", "1d_2d"],
)
def test_kron_matches_torch(backend: str, a: tuple[int, ...], b: tuple[int, ...]) -> None:
    run_both(pt.kron, torch.kron, (diff(g.standard_normal(a)), diff(g.standard_normal(b))))


BOUNDS = np.array([-1.0, 0.0, 0.5, 2.0])
VALUES = np.array([[-3.0, -1.0, 0.0], [0.25, 0.5, 9.0]])


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("out_int32", [False, True])
def test_bucketize_matches_torch(backend: str, right: bool, out_int32: bool) -> None:
    kw = {"right": right, "out_int32": out_int32}
    got = pt.bucketize(pt.asarray(VALUES), pt.asarray(BOUNDS), **kw)
    want = torch.bucketize(torch.tensor(VALUES), torch.tensor(BOUNDS), **kw)
    np.testing.assert_array_equal(host(got), host(want))
    assert str(want.dtype).endswith(got.dtype.name)
    scalar = pt.bucketize(0.5, pt.asarray(BOUNDS), right=right)
    assert int(scalar) == int(torch.bucketize(0.5, torch.tensor(BOUNDS), right=right))


@pytest.mark.parametrize(
    "kw", [{}, {"bins": 5}, {"bins": 4, "min": -1, "max": 1}, {"bins": 3, "min": 0.5, "max": 0.5}]
)
def test_histc_matches_torch(backend: str, kw: dict[str, Any]) -> None:
    data = np.concatenate([g.standard_normal(50), [1.0, -1.0]])
    got = pt.histc(pt.asarray(data), **kw)
    want = torch.histc(torch.tensor(data), **kw)
    np.testing.assert_array_equal(host(got), host(want))
    assert got.dtype == pt.float64
    const = pt.histc(pt.asarray(np.full(3, 2.0)), bins=4)
    np.testing.assert_array_equal(host(const), host(torch.histc(torch.full((3,), 2.0).double(), 4)))


@pytest.mark.parametrize("shape", [(4, 4, 0), (3, 5, 1), (5, 3, -1), (0, 3, 0), (4, 2, 5)])
def test_triangle_indices_match_torch(backend: str, shape: tuple[int, int, int]) -> None:
    for name in ("triu_indices", "tril_indices"):
        got, want = getattr(pt, name)(*shape), getattr(torch, name)(*shape)
        assert got.dtype == pt.int64 and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(host(got), host(want))


@pytest.mark.parametrize("diagonal", [0, 1, -1])
def test_tril_and_triu_in_place_match_torch(backend: str, diagonal: int) -> None:
    m = g.standard_normal((2, 3, 4))
    for name in ("tril_", "triu_"):
        mine, ref = pt.asarray(m.copy()), torch.tensor(m)
        assert getattr(mine, name)(diagonal) is mine
        getattr(ref, name)(diagonal)
        np.testing.assert_array_equal(host(mine), host(ref))
    w = pt.asarray(m, requires_grad=True)
    y = w * 1.0
    y.triu_(diagonal)
    y.sum().backward()
    np.testing.assert_array_equal(
        host(w.grad), np.triu(np.ones((3, 4)), diagonal)[None].repeat(2, 0)
    )


def test_edge_cases_match_torch(backend: str) -> None:
    """cdist's infinity norm gives each tied coordinate the whole gradient; nan_to_num takes
    replacements beyond float32's range (they become infinities); bucketize compares float
    values with integer boundaries without truncating them; histc bins by torch's division,
    so values on the grid of edges land where torch puts them."""
    a = np.array([[1.0, -1.0, 1.0], [0.5, 2.0, 0.0]])
    b = np.array([[0.0, 0.0, 0.0], [0.5, 2.0, 0.0]])
    mine = [pt.asarray(v, requires_grad=True) for v in (a, b)]
    ref = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    pt.cdist(*mine, p=float("inf")).sum().backward()
    torch.cdist(*ref, p=float("inf")).sum().backward()
    for m, r in zip(mine, ref, strict=True):
        np.testing.assert_array_equal(host(m.grad), host(r.grad))

    special = SPECIAL.astype(np.float32)
    kw = {"nan": 1e39, "posinf": 1e39, "neginf": -3.4028235e38}
    got = pt.nan_to_num(pt.asarray(special), **kw)
    np.testing.assert_array_equal(host(got), host(torch.nan_to_num(torch.tensor(special), **kw)))

    values = np.array([0.5, 1.0, 1.5, 2.0, 2.5])
    for right in (False, True):
        got = pt.bucketize(pt.asarray(values), pt.asarray([1, 2]), right=right)
        want = torch.bucketize(torch.tensor(values), torch.tensor([1, 2]), right=right)
        np.testing.assert_array_equal(host(got), host(want))

    for dtype in (np.float32, np.float64):
        for lo, hi, bins in ((-1.3, 2.7, 10), (0.0, 1.0, 10), (0.1, 0.7, 13)):
            grid = (np.arange(-2, bins + 3) / bins * (hi - lo) + lo).astype(dtype)
            got = pt.histc(pt.asarray(grid), bins=bins, min=lo, max=hi)
            want = torch.histc(torch.tensor(grid), bins=bins, min=lo, max=hi)
            np.testing.assert_array_equal(host(got), host(want))
    for data, kw in (
        ([1.0, float("inf")], {}),
        ([1.0, float("nan")], {}),
        ([1.0], {"min": -np.inf}),
    ):
        with pytest.raises(RuntimeError, match="not finite"):
            torch.histc(torch.tensor(data), bins=2, **kw)
        with pytest.raises(ValueError, match="not finite"):
            pt.histc(pt.asarray(data), bins=2, **kw)


def test_inference_mode_acts_as_no_grad() -> None:
    w = pt.ones(2, requires_grad=True)
    with pt.inference_mode():
        assert not (w * 2).requires_grad and not pt.is_grad_enabled()
    assert pt.is_grad_enabled()
    with pt.inference_mode(False):
        assert (w * 2).requires_grad
    with pt.no_grad(), pt.inference_mode(False):
        assert not pt.is_grad_enabled()

    @pt.inference_mode()
    def f(x: Any) -> Any:
        return w * x

    @pt.inference_mode
    def h(x: Any) -> Any:
        return w * x

    @pt.inference_mode(mode=False)
    def k(x: Any) -> Any:
        return w * x

    assert not f(2.0).requires_grad and not h(2.0).requires_grad and k(2.0).requires_grad
    with pytest.raises(TypeError, match="bool mode"):
        pt.inference_mode("yes")


BAD: list[tuple[str, Any, type[Exception], str]] = [
    ("cdist_1d", lambda m, t: m.cdist(t(P[0, 0]), t(Q[0])), RuntimeError, "at least 2D"),
    (
        "cdist_cols",
        lambda m, t: m.cdist(t(P), t(Q[..., :2])),
        RuntimeError,
        "same number of columns",
    ),
    ("cdist_p", lambda m, t: m.cdist(t(P), t(Q), p=-1.0), RuntimeError, "non-negative"),
    ("bucketize_2d", lambda m, t: m.bucketize(t(VALUES), t(VALUES)), RuntimeError, "1 dimension"),
    ("histc_bins", lambda m, t: m.histc(t(BOUNDS), bins=0), RuntimeError, "bins must be > 0"),
    ("histc_range", lambda m, t: m.histc(t(BOUNDS), min=2, max=1), RuntimeError, "larger than min"),
    ("histc_int", lambda m, t: m.histc(t(np.arange(3))), RuntimeError, "not implemented"),
    # (float() of an array, and out[...] = of a string, said so in NumPy's and Python's words)
    (
        "nan_to_num_posinf_array",
        lambda m, t: t(SPECIAL).nan_to_num_(None, np.ones((4, 0))),
        TypeError,
        r"^nan_to_num\(\) expects posinf to be a float or None; got ndarray",
    ),
    (
        "nan_to_num_nan_str",
        lambda m, t: m.nan_to_num(t(SPECIAL), nan="a"),
        TypeError,
        r"^nan_to_num\(\) expects nan to be a float or None; got str 'a'",
    ),
    (
        "nan_to_num_out_str",
        lambda m, t: m.nan_to_num(t(np.arange(3)), out="cpu"),
        TypeError,
        r"^nan_to_num\(\) expects a tensor for out; got str 'cpu'",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_arguments_raise_as_torch(call: Any, error: Any, match: str) -> None:
    with pytest.raises(error):
        call(torch, torch.tensor)
    with pytest.raises((ValueError, TypeError), match=match):
        call(pt, pt.asarray)
