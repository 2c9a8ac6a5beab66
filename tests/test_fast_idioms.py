"""The tutorials' idioms that take short paths: ``x[mask] = 0`` on a tensor in no graph, and
``clamp(min=0)`` recording through the one-output recorder. Each gives what the general path
gives, on every backend."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt

BACKENDS = ["numpy", "dask", "array_api_strict"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("value", [0, 0.5, -2])
def test_a_masked_write_of_a_number(backend: str, value: float) -> None:
    pytest.importorskip(backend)
    ref = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
    expected = ref.copy()
    expected[ref < 0] = value
    with pt.use_backend(backend):
        x = pt.asarray(ref.copy())
        x[x < 0] = value
        np.testing.assert_array_equal(x.numpy(), expected)
        y = pt.asarray(ref.copy(), dtype=pt.float32)
        y[y < 0] = value
        assert y.dtype == pt.float32
        np.testing.assert_array_equal(y.numpy(), expected.astype(np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(1, 5), (64, 100), (257, 9)])
@pytest.mark.parametrize("value", [0, 0.0, -0.0, 1.5])
def test_a_masked_write_gives_numpy_s_bits(
    dtype: str, shape: tuple[int, ...], value: float
) -> None:
    # x[mask] = 0 on a large NumPy tensor writes its zeros by bits (Writes.zero_where): the
    # same bits as NumPy's own assignment, NaN, inf and -0.0 left as they are, -0.0 written as
    # -0.0, a view of another layout written through
    rng = np.random.default_rng(0)
    ref = rng.standard_normal(shape).astype(dtype)
    ref.flat[:4] = [np.nan, -0.0, np.inf, -np.inf]
    mask = rng.standard_normal(shape) < 0
    mask.flat[:4] = False
    mask.flat[4] = True
    expected = ref.copy()
    expected[mask] = value
    x = pt.asarray(ref.copy())
    x[pt.asarray(mask)] = value
    assert x.numpy().tobytes() == expected.tobytes()
    base = ref.T.copy()  # x.T: strides of another layout, its data written through
    t = pt.asarray(base).T
    t[pt.asarray(mask)] = value
    assert t.numpy().tobytes() == expected.tobytes()
    assert base.T.tobytes() == expected.tobytes()


@pytest.mark.parametrize("byte", [2, 255])
def test_a_masked_zero_reads_any_nonzero_byte_of_a_mask_as_true(byte: int) -> None:
    # a boolean's byte may be any nonzero value (a 0/255 image mask viewed as bool): NumPy
    # reads it as True, and so must the zeros written by bits
    raw = np.where(np.arange(2048) % 2 == 0, byte, 0).astype(np.uint8)
    vals = np.random.default_rng(3).standard_normal(2048)
    expected = vals.copy()
    expected[raw.view(bool)] = 0
    x = pt.asarray(vals.copy())
    x[pt.asarray(raw.view(bool))] = 0
    assert x.numpy().tobytes() == expected.tobytes()
    b = x._backend
    keep = raw.view(bool).reshape(32, 64)
    g = vals.reshape(32, 64)
    got = b.by_name._mask_grad(g, keep)  # (ReLU's gradient helper, by bits at this size)
    assert got.tobytes() == np.where(keep, g, 0.0).tobytes()


def test_a_masked_zero_into_memory_that_overlaps_itself_writes_as_numpy() -> None:
    # elements sharing memory (a zero stride): the last write decides, so NumPy's own
    # assignment, which writes only where the mask is True, must run
    from numpy.lib.stride_tricks import as_strided

    mask = np.zeros(2048, bool)
    mask[::2] = True
    base, expected = np.full(4, 7.0), np.full(4, 7.0)
    as_strided(expected, (2048,), (0,))[mask] = 0
    x = pt.from_numpy(as_strided(base, (2048,), (0,)))
    x[pt.asarray(mask)] = 0
    assert base.tolist() == expected.tolist() == [0.0, 7.0, 7.0, 7.0]


def test_relu_s_gradient_helper_takes_any_mask_where_takes() -> None:
    b = pt.asarray([0.0])._backend
    g = np.random.default_rng(4).standard_normal((64, 100))
    for keep in (True, np.bool_(False), (g > 0).astype(np.float64), g[0] > 0):
        assert b.by_name._mask_grad(g, keep).tobytes() == np.where(keep, g, 0.0).tobytes()


def test_a_large_masked_zero_takes_the_backend_s_zero_where(monkeypatch: Any) -> None:
    b = pt.asarray([0.0])._backend
    calls: list[tuple[int, ...]] = []
    zero_where = b.zero_where
    assert zero_where is not None

    def spy(a: Any, mask: Any) -> None:
        calls.append(a.shape)
        zero_where(a, mask)

    monkeypatch.setattr(b, "zero_where", spy)
    g = pt.ones(64, 100)
    g[g > 0] = 0
    g[g > 0] = 2.0  # (another number: NumPy's own assignment)
    assert calls == [(64, 100)] and g.sum().item() == 0.0
    ro = np.ones((64, 100), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        pt.from_numpy(ro)[pt.ones(64, 100) > 0] = 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(3, 4), (64, 100)])
@pytest.mark.parametrize("act", ["clamp", "relu"])
@pytest.mark.parametrize("finite", [True, False])
def test_relu_s_gradient_passes_the_cotangent_s_bits(
    dtype: str, shape: Any, act: str, finite: bool
) -> None:
    # backward of clamp(min=0) and relu: where(x >= 0 or x > 0, g, 0) to the bit, NaN, inf and
    # -0.0 in g included, and +0.0 where x is cut off, not -0.0 (a large one is masked by bits)
    rng = np.random.default_rng(2)
    xn = rng.standard_normal(shape).astype(dtype)
    xn.flat[:6] = [0.0, -0.0, 1.0, 1.0, 1.0, -1.0]
    g = rng.standard_normal(shape).astype(dtype)
    g.flat[:6] = [1.0, 1.0, -1.0 if finite else np.nan, -0.0, 2.0 if finite else np.inf, -3.0]
    x = pt.asarray(xn.copy(), requires_grad=True)
    if act == "clamp":
        x.clamp(min=0).backward(pt.asarray(g))
        keep = xn >= 0
    else:
        pt.nn.functional.relu(x).backward(pt.asarray(g))
        keep = xn > 0
    expected = np.where(keep, g, np.zeros((), dtype))
    assert x.grad.numpy().tobytes() == expected.tobytes()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("create_graph", [False, True])
def test_relu_passes_the_cotangent_at_a_nan_as_pytorch(backend: str, create_graph: bool) -> None:
    # PyTorch's threshold_backward keeps g where not x <= 0: at a NaN input the cotangent passes
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        for n in (4, 2048):  # (2,048: NumPy's mask by bits)
            xn = np.zeros(n)
            xn[:4] = [np.nan, 1.0, -1.0, 0.0]
            x = pt.asarray(xn, requires_grad=True)
            (g,) = pt.autograd.grad(pt.nn.functional.relu(x).sum(), x, create_graph=create_graph)
            assert g.detach().numpy()[:4].tolist() == [1.0, 1.0, 0.0, 0.0]


def test_a_masked_write_into_a_tensor_in_a_graph_is_recorded() -> None:
    w = pt.asarray([1.0, -2.0, 3.0], requires_grad=True)
    h = w * 2.0
    h[h < 0] = 0.0
    h.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 0.0, 2.0])


def test_a_masked_write_after_use_in_a_graph_is_caught() -> None:
    # h holds no autograd state, but a recorded op keeps its data: backward must see the change
    w = pt.asarray([1.0, -2.0, 3.0], requires_grad=True)
    h = pt.asarray([1.0, -1.0, 2.0])
    y = (w * h).sum()
    h[h < 0] = 0.0
    with pytest.raises(RuntimeError, match=r"in-place|modified"):
        y.backward()


def test_a_masked_write_keeps_refusing_bad_input() -> None:
    x = pt.asarray([1.0, -2.0])
    with pytest.raises(IndexError):
        x[pt.asarray([True, False, True])] = 0.0
    leaf = pt.asarray([1.0, -2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        leaf[leaf < 0] = 0.0
    i = pt.asarray([1, 2])
    i[i > 1] = 7  # an integer tensor takes the general path
    np.testing.assert_array_equal(i.numpy(), [1, 7])


@pytest.mark.parametrize("backend", BACKENDS)
def test_clamp_with_one_bound_records_its_node(backend: str) -> None:
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        x = pt.asarray([-1.0, 0.5, 2.0], requires_grad=True)
        y = x.clamp(min=0)
        assert y.grad_fn is not None
        (y * pt.asarray([1.0, 2.0, 3.0])).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [0.0, 2.0, 3.0])
        z = pt.clip(x, None, 1.0)
        z.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [1.0, 3.0, 3.0])
        # nothing that needs a gradient: no node
        assert pt.clamp(pt.asarray([1.0, -1.0]), min=0).grad_fn is None


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bound", [0, 0.5, -1, float("nan"), float("inf")])
def test_the_method_clamp_with_a_number_gives_what_clip_gives_without_it(
    backend: str, bound: float, monkeypatch: Any
) -> None:
    """``x.clamp(min=number)`` on a float tensor calls the backend's clip itself: values,
    dtype, node and gradient as ``pt.clip``'s, with the table's function not called."""
    pytest.importorskip(backend)
    from polytensor import _methods

    ref = np.array([-1.0, -0.0, 0.5, 2.0, np.nan, -np.inf], dtype=np.float32)
    with pt.use_backend(backend):
        x = pt.asarray(ref, requires_grad=True)
        want = pt.clip(x * 1, bound, None)
        want.sum().backward()
        want_grad = x.grad.numpy().copy()
        x.grad = None
        monkeypatch.setattr(_methods.elementwise, "clip", None)  # (not called)
        got = (x * 1).clamp(min=bound)
        assert got.dtype == pt.float32 and got.grad_fn is not None
        assert got.detach().numpy().tobytes() == want.detach().numpy().tobytes()
        got.sum().backward()
        assert x.grad.numpy().tobytes() == want_grad.tobytes()
        with pt.no_grad():
            assert (x * 1).clamp(min=bound).grad_fn is None


def test_function_apply_one_output() -> None:
    """Function.apply's one-output path: an input returned as it is gets a tensor of its own
    with the node; an output marked non-differentiable, or of an integer dtype, gets none;
    gradients and the node's name are those of the general path."""

    class Triple(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 3

    x = pt.ones(2, requires_grad=True)
    y = Triple.apply(x)
    assert y is not x and x.grad_fn is None
    assert repr(y.grad_fn).startswith("<TripleBackward object at 0x")
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]

    class Marked(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            out = x * 2
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            raise AssertionError("not called")

    assert not Marked.apply(x).requires_grad

    class Signs(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return (x > 0).astype(pt.int64)

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            raise AssertionError("not called")

    s = Signs.apply(x)
    assert s.grad_fn is None and s.tolist() == [1, 1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_clamp_after_an_in_place_change_of_its_input_records_the_version(backend: str) -> None:
    # the one-tensor form of clip's recorder keeps x's version: a later change is caught,
    # and a change before the op is no change to it
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        w = pt.asarray([-1.0, 0.5, 2.0], requires_grad=True)
        h = w * 1.0
        h += 1.0  # version 1 when clamp reads it
        y = h.clamp(min=0.25, max=2.5)
        assert y.grad_fn.next_functions[0][0] is h.grad_fn
        y.sum().backward()
        np.testing.assert_array_equal(w.grad.numpy(), [0.0, 1.0, 0.0])
        if backend != "dask":  # (Dask's in-place rebinds: the node keeps the old value)
            a = pt.asarray([1.0, 2.0], requires_grad=True) * 1.0
            z = a.clamp(min=1.5)
            with pt.no_grad():
                a.mul_(2.0)
            with pytest.raises(RuntimeError, match=r"in-place|modified"):
                z.sum().backward()


@pytest.mark.parametrize("backend", BACKENDS)
def test_clip_with_tensor_bounds_takes_every_bound_gradient(backend: str) -> None:
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        x = pt.asarray([-1.0, 0.5, 2.0], requires_grad=True)
        lo = pt.asarray([0.0, 0.0, 0.0], requires_grad=True)
        y = pt.clip(x, lo, 1.0)
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])
        np.testing.assert_array_equal(lo.grad.numpy(), [1.0, 0.0, 0.0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_matmul_of_two_arrays_records_what_needs_a_gradient(backend: str) -> None:
    # matmul's fixed-arity function: either input, both, or neither in a graph; mixed dtypes
    # and bad calls go to the general path and its errors
    pytest.importorskip(backend)
    with pt.use_backend(backend):
        a0 = np.array([[1.0, 2.0], [3.0, 4.0]])
        b0 = np.array([[0.5, -1.0], [2.0, 1.0]])
        for need_a, need_b in ((True, False), (False, True), (True, True)):
            a = pt.asarray(a0, requires_grad=need_a)
            b = pt.asarray(b0, requires_grad=need_b)
            (a @ b).sum().backward()
            if need_a:
                np.testing.assert_allclose(a.grad.numpy(), np.ones((2, 2)) @ b0.T)
            if need_b:
                np.testing.assert_allclose(b.grad.numpy(), a0.T @ np.ones((2, 2)))
        assert (pt.asarray(a0) @ pt.asarray(b0)).grad_fn is None
        mixed = pt.matmul(pt.asarray(a0, dtype=pt.float32), pt.asarray(b0, dtype=pt.float64))
        assert mixed.dtype == pt.float64
        with pytest.raises(TypeError, match=r"matmul\(\) missing"):
            pt.matmul(pt.asarray(a0))  # type: ignore[call-arg]
        with pytest.raises(ValueError, match="matmul"):
            pt.matmul(pt.asarray(a0), pt.ones((3, 3), dtype=pt.float64)).numpy()


def test_writes_into_a_tensor_nothing_else_holds_keep_the_graph_fast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The seed's MyReLU backward writes into the clone it made (grad_input[input < 0] = 0), and
    # a Function may scale its own result in place: no recorded op can see those tensors, so
    # the nodes recorded before keep their fast backward (matmul's rules, made to fail here,
    # never run) and the in-place count does not move
    from polytensor import _tape
    from polytensor._ops._registry import OPS

    class MyReLU(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, input: Any) -> Any:
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> Any:
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            grad_input *= 1.0
            return grad_input

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("matmul's rule ran: its node left the fast path")

    rng = np.random.default_rng(5)
    x = pt.asarray(rng.standard_normal((4, 3)))
    w = pt.asarray(rng.standard_normal((3, 2)), requires_grad=True)
    h = x.mm(w)
    y = MyReLU.apply(h).sum()
    monkeypatch.setattr(OPS["matmul"], "rules", (fail, fail))
    count = _tape._inplace_count
    y.backward()
    assert _tape._inplace_count == count
    want = x.numpy().T @ (h.detach().numpy() > 0).astype(float)
    np.testing.assert_allclose(w.grad.numpy(), want)
    # a tensor whose data a node holds still counts its change, and backward refuses
    a = pt.ones(3)
    v = pt.ones(3, requires_grad=True)
    z = (a * v).sum()
    a *= 2.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.backward()


@pytest.mark.parametrize("write", ["iadd", "mask", "index"])
def test_a_constant_saved_for_backward_then_changed_in_place_is_caught(write: str) -> None:
    # A tensor in no graph that a Function saves is watched from then on: its in-place change,
    # by any of the fast paths that skip tensors nobody watches, makes backward refuse (as
    # PyTorch does) instead of using the new values
    c = pt.ones(3)

    class Scale(pt.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(c)
            return x * c

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (saved,) = ctx.saved_tensors
            return g * saved

    x = pt.ones(3, requires_grad=True)
    y = Scale.apply(x).sum()
    if write == "iadd":
        c += 1.0
    elif write == "mask":
        c[c > 0] = 5.0
    else:
        c[0] = 7.0
    with pytest.raises(RuntimeError, match=r"saved by Scale\.forward"):
        y.backward()


def _outcome(f: Any) -> tuple[Any, ...]:
    """What calling ``f`` gives: the result's dtype and bits, or the error's type."""
    try:
        r = f()
    except Exception as e:  # noqa: BLE001 - the error's type is the outcome
        return ("error", type(e))
    return ("value", r.dtype, r.numpy().tobytes(), r.shape)


_BINARY = sorted(n for n, op in pt._ops._registry.OPS.items() if "rdunder" in op.extra)
_SCALARS = [0.9, -0.0, 0.0, 3, -1, 300, 2**63, True, 1e300, 1e-320, float("inf"), float("nan")]
_SCALARS += [1.5 - 0.0j, 2j]


@pytest.mark.parametrize("name", _BINARY)
def test_a_scalar_used_again_gives_what_the_general_path_gives(name: str) -> None:
    # An operator used again with the same Python scalar object passes the library a 0-d
    # array of it (Transfer.scalar_array): dtype, bits and errors as the general path's, for
    # every dtype, on the first calls and on later ones, operand on either side
    from polytensor._dispatch import apply

    opdef = pt._ops._registry.OPS[name]
    fn = getattr(pt, name, None) or getattr(pt._ops.elementwise, name)  # (_fmod: private)
    dunder, rdunder = opdef.extra["dunder"], opdef.extra["rdunder"]
    data = np.array([1.5, -2.0, 0.0, 7.0])
    for dtype in ["bool", "int8", "uint8", "int64", "float32", "float64", "complex64"]:
        x = pt.asarray(data.astype(dtype))
        for s in _SCALARS:
            expected = _outcome(lambda x=x, s=s: apply(opdef, (x, s), None))
            r_expected = _outcome(lambda x=x, s=s: apply(opdef, (s, x), None))
            for _ in range(3):
                assert _outcome(lambda x=x, s=s: dunder(x, s)) == expected, (dtype, s)
                assert _outcome(lambda x=x, s=s: fn(x, s)) == expected, (dtype, s)
                assert _outcome(lambda x=x, s=s: rdunder(x, s)) == r_expected, (dtype, s)
                assert _outcome(lambda x=x, s=s: fn(s, x)) == r_expected, (dtype, s)


def test_a_scalar_used_again_reaches_the_library_as_an_array(monkeypatch: Any) -> None:
    # the second x * s with the same s converts it once; the third passes the same 0-d array
    b = pt.asarray([1.0])._backend
    seen: list[Any] = []
    real = b.scalar_array
    monkeypatch.setattr(b, "scalar_array", lambda f, v, d: seen.append(v) or real(f, v, d))
    s = 0.123
    x = pt.asarray([1.0, 2.0], dtype=pt.float64)
    for _ in range(4):
        y = x * s
    assert seen == [s]
    np.testing.assert_array_equal(y.numpy(), np.array([1.0, 2.0]) * s)
    z = pt.asarray([1.0, 2.0], dtype=pt.float32)
    for _ in range(3):  # another dtype: a new entry
        y = z * s
    assert seen == [s, s]
    assert y.dtype == pt.float32
    np.testing.assert_array_equal(y.numpy(), np.array([1.0, 2.0], np.float32) * s)


def test_pow_keeps_numpy_s_own_path_for_a_scalar_exponent() -> None:
    # NumPy's ** squares for the Python scalar 2 (x.pow(2), the tutorials' loss) and calls
    # the slower power ufunc for an array: its scalar stays a scalar, the ufuncs' does not
    from polytensor._ops._registry import OPS

    b = pt.asarray([1.0])._backend
    x = pt.asarray(np.ones((3, 4), np.float32))
    for _ in range(3):
        y = x.pow(2) * 2.0
    assert b.scalar_array(b.fns[OPS["pow"].index], 2, np.dtype("float32")) is None
    assert b.scalar_array(b.fns[OPS["multiply"].index], 2.0, np.dtype("float32")) is not None
    np.testing.assert_array_equal(y.numpy(), np.full((3, 4), 2.0, np.float32))
