"""PyTorch's aliases and small functions (pt.rsub, pt.complex, x.sum_to_size, ...) and
register_post_accumulate_grad_hook, against values written down from torch 2.13."""

from __future__ import annotations

import array
import math
import pickle

import pytest

import polytensor as pt

D = pt.float64


def t(data, dtype=D, **kw):
    return pt.asarray(data, dtype=dtype, **kw)


def close(got, want, tol=1e-12):
    assert got == pytest.approx(want, rel=tol, abs=tol, nan_ok=True)


def test_numpy_spellings_stay_refused_with_the_standard_names() -> None:
    # (STYLE.md, "Names": the standard's names; PyTorch's NumPy spellings are not aliased)
    for name, standard in (("arccos", "acos"), ("arctan2", "atan2"), ("absolute", "abs")):
        with pytest.raises(AttributeError, match=rf"use pt\.{standard}\(x\)"):
            getattr(pt, name)
    with pytest.raises(AttributeError, match=r"use pt\.concat"):
        pt.concatenate  # noqa: B018


def test_angle_of_real_and_complex_tensors() -> None:  # (torch 2.13's values)
    r = pt.angle(t([-2.0, 0.0, 3.0, math.nan]))
    assert r.dtype == D
    close(r.tolist(), [math.pi, 0.0, 0.0, math.nan])
    z = pt.asarray([1 + 1j, -1 + 0j, -2j], dtype=pt.complex128)
    assert z.angle().dtype == D
    close(z.angle().tolist(), [0.7853981633974483, math.pi, -1.5707963267948966])
    assert pt.angle(pt.asarray([-1, 2])).dtype == pt.float32


def test_complex_and_polar() -> None:
    c = pt.complex(pt.asarray([1.0]), pt.asarray([-2.0]))
    assert c.dtype == pt.complex64 and c.tolist() == [1 - 2j]
    p = pt.polar(t([2.0]), t([0.5]))
    assert p.dtype == pt.complex128
    close([p.tolist()[0].real, p.tolist()[0].imag], [1.7551651237807455, 0.958851077208406])
    with pytest.raises(RuntimeError, match="float32 or float64"):
        pt.complex(pt.asarray([1]), pt.asarray([2]))
    with pytest.raises(RuntimeError, match="one dtype"):
        pt.complex(pt.asarray([1.0]), t([2.0]))


def test_complex_differentiates_in_both_parts() -> None:
    a, b = t([3.0], requires_grad=True), t([4.0], requires_grad=True)
    pt.complex(a, b).abs().sum().backward()
    close(a.grad.tolist() + b.grad.tolist(), [0.6, 0.8])


def test_rsub() -> None:
    assert pt.rsub(pt.asarray([1, 2]), pt.asarray([3, 3])).tolist() == [2, 1]
    assert pt.rsub(pt.asarray([1.0, 2.0]), 5, alpha=2).tolist() == [3.0, 1.0]


def test_detach_and_fill() -> None:
    x = t([1.0, 2.0], requires_grad=True)
    assert not pt.detach(x).requires_grad
    f = pt.fill(x, 3.0)
    assert f.tolist() == [3.0, 3.0] and f.requires_grad
    f.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    assert pt.fill(pt.asarray([1, 1]), 2.7).tolist() == [2, 2]
    v = t(5.0, requires_grad=True)
    pt.fill(pt.zeros(3, dtype=D), v).sum().backward()
    assert v.grad.item() == 3.0


def test_igamma_is_gammainc() -> None:  # (torch 2.13's values)
    a, x = t([1.0, 2.0]), t([0.5, 3.0])
    close(pt.igamma(a, x).tolist(), [0.3934693402873665, 0.8008517265285442])
    close(pt.igammac(a, x).tolist(), [0.6065306597126334, 0.1991482734714558])
    close(a.igamma(x).tolist(), [0.3934693402873665, 0.8008517265285442])
    y = t([1.0, 2.0])
    assert y.igammac_(x) is y
    close(y.tolist(), [0.6065306597126334, 0.1991482734714558])


def test_polygamma_in_place() -> None:
    x = t([0.5])
    assert x.polygamma_(1) is x
    close(x.tolist(), [4.934802202073678], 1e-8)


def test_matrix_exp_and_cholesky_solves() -> None:  # (torch 2.13's values)
    a = t([[0.0, 1.0], [-1.0, 0.0]])
    want = [[0.54030230586814, 0.8414709848078963], [-0.8414709848078963, 0.54030230586814]]
    for r in (a.matrix_exp(), pt.matrix_exp(a), pt.linalg.matrix_exp(a)):
        close([v for row in r.tolist() for v in row], [v for row in want for v in row])
    low = t([[2.0, 0.0], [1.0, 3.0]])
    inv = low.cholesky_inverse().tolist()
    close(inv[0] + inv[1], [0.2777777777777778, -1 / 18, -1 / 18, 0.1111111111111111])
    sol = pt.cholesky_solve(t([[1.0], [2.0]]), low).tolist()
    close(sol[0] + sol[1], [1 / 6, 1 / 6])
    upper = pt.cholesky_solve(t([[1.0], [2.0]]), low.mT, upper=True).tolist()
    close(upper[0] + upper[1], sol[0] + sol[1])


def test_layer_methods() -> None:  # (torch 2.13's values)
    assert pt.asarray([-1.0, 0.5, 0.75]).hardshrink(0.6).tolist() == [-1.0, 0.0, 0.75]
    x = pt.asarray([[-2.0, 2.0], [-4.0, 4.0]])
    assert x.prelu(pt.asarray([0.5, 0.25])).tolist() == [[-1.0, 2.0], [-2.0, 4.0]]
    with pytest.raises(RuntimeError, match="2 channels"):
        x.prelu(pt.ones(3))
    assert pt.asarray([1.0, 2.0]).diagflat(1).tolist() == [
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 2.0],
        [0.0, 0.0, 0.0],
    ]


def test_embedding_pdist_vmap_from_the_namespace() -> None:
    g = pt.arange(6.0).reshape(3, 2)
    assert pt.embedding(g, pt.asarray([[2, 0]])).tolist() == [[[4.0, 5.0], [0.0, 1.0]]]
    w = pt.arange(6.0, requires_grad=True)
    pt.embedding(w.reshape(3, 2), pt.asarray([0, 2]), padding_idx=0).sum().backward()
    assert w.grad.tolist() == [0.0, 0.0, 0.0, 0.0, 1.0, 1.0]
    assert pt.pdist(pt.asarray([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])).tolist() == [5.0, 10.0, 5.0]
    assert pt.vmap is pt.func.vmap


def test_splits_and_sum_to_size() -> None:
    x = pt.arange(5.0)
    for name in ("split_with_sizes", "unsafe_split_with_sizes"):
        assert [p.tolist() for p in getattr(x, name)([2, 3])] == [[0.0, 1.0], [2.0, 3.0, 4.0]]
    assert [p.shape for p in x.unsafe_split(2)] == [(2,), (2,), (1,)]
    assert [p.shape for p in x.unsafe_chunk(2)] == [(3,), (2,)]
    assert [p.shape for p in pt.split_with_sizes(x, [1, 4])] == [(1,), (4,)]
    m = pt.arange(1.0, 7.0).reshape(2, 3)
    assert m.sum_to_size(1, 3).tolist() == [[5.0, 7.0, 9.0]]
    assert m.sum_to_size((2, 1)).tolist() == [[6.0], [15.0]]
    assert m.sum_to_size(3).tolist() == [5.0, 7.0, 9.0]
    with pytest.raises(RuntimeError, match="not expandable"):
        pt.ones(2).sum_to_size(3)


def test_introspection_answers() -> None:
    x = pt.ones(2)
    assert x.layout is pt.strided and repr(pt.strided) == "polytensor.strided"
    assert isinstance(pt.strided, pt.layout)
    assert pickle.loads(pickle.dumps(pt.strided)) is pt.strided
    assert x.is_inference() is False and x.is_neg() is False and x.is_pinned() is False
    assert x.resolve_neg() is x and x.output_nr == 0
    q, r = pt.linalg.qr(pt.eye(2, requires_grad=True) * 2)
    assert (q.output_nr, r.output_nr) == (0, 1)
    e = x.new_empty_strided((2, 3), (3, 1))
    assert e.shape == (2, 3) and e.dtype == pt.float32
    with pytest.raises(ValueError, match="strides"):
        x.new_empty_strided((2, 3), (1,))


def test_pin_memory_without_a_cuda_device_raises_as_pytorch() -> None:
    if pt.cuda.is_available():
        pytest.skip("a CUDA device pins")
    with pytest.raises(RuntimeError, match="accelerator"):
        pt.ones(2).pin_memory()


def test_typename() -> None:
    assert pt.typename(pt.ones(2, dtype=pt.int64)) == "torch.LongTensor"
    assert pt.typename(pt.ones(2)) == "torch.FloatTensor"
    assert pt.typename(1) == "int"


def test_frombuffer_shares_a_writable_buffer() -> None:
    buf = bytearray(b"\x01\x00\x00\x00\x02\x00\x00\x00")
    x = pt.frombuffer(buf, dtype=pt.int32)
    assert x.tolist() == [1, 2] and x.dtype == pt.int32
    buf[0] = 7
    assert x.tolist() == [7, 2]
    y = pt.frombuffer(array.array("d", [1.5, 2.5, 3.5]), dtype=D, count=2, offset=8)
    assert y.tolist() == [2.5, 3.5]
    with pytest.raises(ValueError, match="multiple of element size"):
        pt.frombuffer(bytearray(7), dtype=pt.int32)
    with pytest.raises(ValueError, match="offset"):
        pt.frombuffer(bytearray(8), dtype=pt.int32, offset=8)


def test_binomial_draws_counts_in_range() -> None:
    pt.manual_seed(0)
    n = pt.asarray([0.0, 7.0, 7.0, 20.0, 1000.0, 5.0])
    p = pt.asarray([0.3, 0.0, 1.0, 0.25, 0.3, math.nan])
    k = pt.binomial(n, p)
    assert k.dtype == pt.float32 and k.shape == (6,)
    v = k.tolist()
    assert v[:3] == [0.0, 0.0, 7.0] and 0 <= v[3] <= 20 and 0 <= v[4] <= 1000
    assert math.isnan(v[5])
    many = pt.binomial(pt.full((4000,), 100.0, dtype=D), pt.full((4000,), 0.3, dtype=D))
    assert many.dtype == D and abs(float(many.mean()) - 30.0) < 0.5
    assert bool((many == many.floor()).all()) and 0 <= float(many.min()) <= float(many.max()) <= 100
    pt.manual_seed(3)
    a = pt.binomial(pt.full((5,), 10.0), pt.full((5,), 0.5))
    pt.manual_seed(3)
    assert pt.binomial(pt.full((5,), 10.0), pt.full((5,), 0.5)).tolist() == a.tolist()
    with pytest.raises(ValueError, match="floating-point"):
        pt.binomial(pt.asarray([5]), pt.asarray([0.5]))


def test_binomial_has_no_derivative() -> None:
    c = pt.asarray([5.0], requires_grad=True)
    r = pt.binomial(c, pt.asarray([0.5]))
    assert r.requires_grad
    with pytest.raises(RuntimeError, match="no derivative"):
        r.sum().backward()


# -- register_post_accumulate_grad_hook ------------------------------------------------------
def test_post_accumulate_hook_sees_the_accumulated_grad_once_per_backward() -> None:
    w = pt.ones(2, requires_grad=True)
    seen = []
    h = w.register_post_accumulate_grad_hook(lambda x: seen.append((x is w, x.grad.tolist())))
    (w * 3).sum().backward()
    (w * w).sum().backward()
    assert seen == [(True, [3.0, 3.0]), (True, [5.0, 5.0])]
    h.remove()
    (w * 3).sum().backward()
    assert len(seen) == 2 and w.grad.tolist() == [8.0, 8.0]


def test_post_accumulate_hook_runs_after_tensor_hooks_and_fuses_an_optimizer_step() -> None:
    w = pt.ones(2, requires_grad=True)
    w.register_hook(lambda g: g * 2)

    def step(p):
        with pt.no_grad():
            p.sub_(0.5 * p.grad)
        p.grad = None

    w.register_post_accumulate_grad_hook(step)
    (w * 3).sum().backward()
    assert w.grad is None and w.tolist() == [-2.0, -2.0]


def test_post_accumulate_hook_is_refused_on_non_leaves_and_not_run_by_grad() -> None:
    w = pt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (w * 2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="does not require grad"):
        pt.ones(2).register_post_accumulate_grad_hook(print)
    seen = []
    w.register_post_accumulate_grad_hook(seen.append)
    pt.autograd.grad((w * 2).sum(), w)
    assert seen == []
    pt.autograd.backward((w * 2).sum(), inputs=[w])
    assert len(seen) == 1 and w.grad.tolist() == [2.0, 2.0]
