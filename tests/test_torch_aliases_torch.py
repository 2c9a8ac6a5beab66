"""PyTorch's aliases and small functions against torch itself: values, dtypes, shapes, float64
gradients, errors, and register_post_accumulate_grad_hook's calls."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt

torch = pytest.importorskip("torch")


def both(data, dtype="float64", grad=False):
    a = np.asarray(data, dtype=dtype)
    return (
        pt.asarray(a.copy(), requires_grad=grad),
        torch.tensor(a.copy(), requires_grad=grad),
    )


def same(p, t, tol=1e-10):
    if isinstance(p, (tuple, list)):
        assert len(p) == len(t)
        for a, b in zip(p, t, strict=True):
            same(a, b, tol)
        return
    want = t.detach().numpy()
    got = p.detach().numpy()
    assert got.shape == want.shape
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


UNARY = [("angle", [-2.0, 3.0])]


@pytest.mark.parametrize(("name", "data"), UNARY, ids=[u[0] for u in UNARY])
def test_unary_alias_values_and_gradients_match_torch(name, data) -> None:
    p, t = both(data, grad=True)
    rp, rt = getattr(pt, name)(p), getattr(torch, name)(t)
    same(rp, rt)
    same(getattr(p, name)(), getattr(t, name)())
    (rp * pt.asarray([1.0, 2.0], dtype=pt.float64)).sum().backward()
    (rt * torch.tensor([1.0, 2.0], dtype=torch.float64)).sum().backward()
    same(p.grad, t.grad)


def test_integer_inputs_match_torch() -> None:
    p, t = both([-1, 0, 1], dtype="int64")
    same(pt.angle(p), torch.angle(t))


def test_rsub_matches_torch() -> None:
    (a, ta), (b, tb) = both([1.0, -2.0], grad=True), both([0.5, 3.0], grad=True)
    (pt.atan2(a, b) + pt.rsub(a, b, alpha=3)).sum().backward()
    (torch.atan2(ta, tb) + torch.rsub(ta, tb, alpha=3)).sum().backward()
    same([a.grad, b.grad], [ta.grad, tb.grad])
    p, t = both([1, 2], dtype="int64")
    same(pt.rsub(p, 5), torch.rsub(t, 5))
    same(pt.rsub(p, 2.5), torch.rsub(t, 2.5))


def test_complex_polar_angle_match_torch_with_gradients() -> None:
    (r, tr), (i, ti) = both([3.0, -1.0], grad=True), both([4.0, 2.0], grad=True)
    cp, ct = pt.complex(r, i), torch.complex(tr, ti)
    same(cp, ct)
    zp, zt = pt.polar(r, i), torch.polar(tr, ti)
    same(zp, zt)
    (cp.abs() + pt.angle(cp) + pt.real(zp) * 2 + pt.imag(zp)).sum().backward()
    (ct.abs() + torch.angle(ct) + zt.real * 2 + zt.imag).sum().backward()
    same([r.grad, i.grad], [tr.grad, ti.grad])
    same(pt.complex(pt.ones(2, 1), pt.zeros(3)), torch.complex(torch.ones(2, 1), torch.zeros(3)))
    for a, b in (([1], [2]), ([1.0], np.asarray([2.0], "float64"))):
        with pytest.raises(RuntimeError):
            torch.complex(torch.tensor(a), torch.tensor(b))
        with pytest.raises(RuntimeError):
            pt.complex(pt.asarray(a), pt.asarray(b))


def test_fill_detach_typename_match_torch() -> None:
    p, t = both([1.0, 2.0], grad=True)
    fp, ft = pt.fill(p, 3), torch.fill(t, 3)
    same(fp, ft)
    assert fp.requires_grad == ft.requires_grad
    fp.sum().backward()
    ft.sum().backward()
    same(p.grad, t.grad)
    same(pt.detach(p), torch.detach(t))
    for d in ("float32", "float64", "int64", "int32", "bool", "uint8"):
        p, t = both([1], dtype=d)
        assert pt.typename(p) == torch.typename(t)
        same(pt.fill(p, 2), torch.fill(t, 2))
    assert pt.typename(3.5) == torch.typename(3.5)


def test_igamma_matrix_exp_cholesky_match_torch_with_gradients() -> None:
    (a, ta), (x, tx) = both([1.0, 2.5]), both([0.5, 3.0], grad=True)
    same(pt.igamma(a, x), torch.igamma(ta, tx))
    same(pt.igammac(a, x), torch.igammac(ta, tx))
    same(a.igamma(x), ta.igamma(tx))
    (pt.igamma(a, x) * 2 + pt.igammac(a, x)).sum().backward()
    (torch.igamma(ta, tx) * 2 + torch.igammac(ta, tx)).sum().backward()
    same(x.grad, tx.grad, 1e-8)
    y, ty = both([1.0, 2.5])
    same(
        y.igamma_(pt.asarray([2.0, 1.0], dtype=pt.float64)),
        ty.igamma_(torch.tensor([2.0, 1.0], dtype=torch.float64)),
    )
    same(
        y.igammac_(pt.asarray([2.0, 1.0], dtype=pt.float64)),
        ty.igammac_(torch.tensor([2.0, 1.0], dtype=torch.float64)),
    )
    z, tz = both([0.5, 2.0])
    same(z.polygamma_(2), tz.polygamma_(2), 1e-8)
    rng = np.random.default_rng(0)
    m, tm = both(rng.standard_normal((2, 3, 3)), grad=True)
    ep, et = m.matrix_exp(), tm.matrix_exp()
    same(ep, et)
    (ep * pt.asarray(np.arange(18.0).reshape(2, 3, 3))).sum().backward()
    (et * torch.tensor(np.arange(18.0).reshape(2, 3, 3))).sum().backward()
    same(m.grad, tm.grad, 1e-9)
    low = np.tril(rng.standard_normal((3, 3))) + 3 * np.eye(3)
    for upper in (False, True):
        fac = low.T if upper else low
        (f, tf), (b, tb) = both(fac, grad=True), both(rng.standard_normal((3, 2)), grad=True)
        sp, st = pt.cholesky_solve(b, f, upper), torch.cholesky_solve(tb, tf, upper)
        ip, it = f.cholesky_inverse(upper), tf.cholesky_inverse(upper)
        same([sp, ip], [st, it])
        (sp.sum() + (ip * ip).sum()).backward()
        (st.sum() + (it * it).sum()).backward()
        same([f.grad, b.grad], [tf.grad, tb.grad], 1e-9)
    full, tfull = both(low + np.triu(np.ones((3, 3)), 1))  # (only the lower triangle is read)
    same(pt.cholesky_solve(b, full), torch.cholesky_solve(tb, tfull))
    same(full.cholesky_inverse(), tfull.cholesky_inverse())


def test_layer_methods_match_torch_with_gradients() -> None:
    p, t = both([[-2.0, 0.3, 0.7], [1.0, -0.2, -0.9]], grad=True)
    (w, tw) = both([0.25, -0.5], grad=True)
    hp, ht = p.hardshrink(0.4), t.hardshrink(0.4)
    qp, qt = p.T.prelu(w), t.T.prelu(tw)
    same([hp, qp], [ht, qt])
    (hp.sum() + (qp * qp).sum()).backward()
    (ht.sum() + (qt * qt).sum()).backward()
    same([p.grad, w.grad], [t.grad, tw.grad])
    same(p.diagflat(-1), t.diagflat(-1))


def test_embedding_pdist_vmap_match_torch() -> None:
    (w, tw) = both(np.arange(8.0).reshape(4, 2), grad=True)
    ids = [[3, 1], [1, 2]]
    ep, et = pt.embedding(w, pt.asarray(ids), 1), torch.embedding(tw, torch.tensor(ids), 1)
    same(ep, et)
    (ep * ep).sum().backward()
    (et * et).sum().backward()
    same(w.grad, tw.grad)
    (x, tx) = both(np.arange(8.0).reshape(4, 2) ** 1.5, grad=True)
    dp, dt = pt.pdist(x, p=3), torch.pdist(tx, p=3)
    same(dp, dt)
    dp.sum().backward()
    dt.sum().backward()
    same(x.grad, tx.grad)
    (v, tv) = both(np.arange(6.0).reshape(3, 2))
    same(pt.vmap(lambda r: r.sum() * 2)(v), torch.vmap(lambda r: r.sum() * 2)(tv))


def test_splits_and_sum_to_size_match_torch() -> None:
    p, t = both(np.arange(12.0).reshape(3, 4), grad=True)
    for name, args in (
        ("split_with_sizes", ([1, 3], 1)),
        ("unsafe_split_with_sizes", ([2, 1],)),
        ("unsafe_split", (2, 1)),
        ("unsafe_chunk", (2,)),
    ):
        rp, rt = getattr(p, name)(*args), getattr(t, name)(*args)
        assert type(rp) is type(rt)
        same(list(rp), list(rt))
        same(list(getattr(pt, name)(p, *args)), list(getattr(torch, name)(t, *args)))
    for size in ((1, 4), (3, 1), (4,), (1, 1), (3, 4)):
        same(p.sum_to_size(size), t.sum_to_size(size))
        same(p.sum_to_size(*size), t.sum_to_size(*size))
    (p.sum_to_size(1, 4) * pt.arange(4.0, dtype=pt.float64)).sum().backward()
    (t.sum_to_size(1, 4) * torch.arange(4.0, dtype=torch.float64)).sum().backward()
    same(p.grad, t.grad)
    with pytest.raises(RuntimeError):
        t.sum_to_size(2, 4)
    with pytest.raises(RuntimeError):
        p.sum_to_size(2, 4)
    with pytest.raises(RuntimeError):
        t.split_with_sizes([1, 1])
    with pytest.raises(RuntimeError):
        p.split_with_sizes([1, 1])


def test_introspection_matches_torch() -> None:
    p, t = both([1.0, 2.0], grad=True)
    for name in ("is_inference", "is_neg", "is_pinned"):
        assert getattr(p, name)() == getattr(t, name)()
    assert p.resolve_neg() is p and t.resolve_neg() is t
    assert p.output_nr == t.output_nr
    assert str(p.layout).split(".")[-1] == str(t.layout).split(".")[-1]
    ep, et = p.new_empty_strided((2, 3), (3, 1)), t.new_empty_strided((2, 3), (3, 1))
    assert (
        ep.shape == tuple(et.shape) and str(ep.dtype).split(".")[-1] == str(et.dtype).split(".")[-1]
    )
    qp = pt.linalg.qr(pt.eye(3, dtype=pt.float64, requires_grad=True) * 2)
    qt = torch.linalg.qr(torch.eye(3, dtype=torch.float64, requires_grad=True) * 2)
    assert [r.output_nr for r in qp] == [r.output_nr for r in qt]
    if not torch.cuda.is_available() and not pt.cuda.is_available():
        with pytest.raises(RuntimeError):
            t.pin_memory()
        with pytest.raises(RuntimeError):
            p.pin_memory()


def test_frombuffer_matches_torch() -> None:
    import array

    for dtype, items, kw in (
        ("int32", array.array("i", [1, -2, 3]), {}),
        ("float64", array.array("d", [1.5, 2.5, 3.5]), {"count": 2, "offset": 8}),
        ("uint8", bytearray(b"\x01\x02\x03"), {"offset": 1}),
        ("int16", bytearray(b"\x01\x00\x02\x00"), {"count": 1}),
    ):
        tp = pt.frombuffer(items, dtype=getattr(pt, dtype), **kw)
        tt = torch.frombuffer(items, dtype=getattr(torch, dtype), **kw)
        same(tp, tt)
    for kw in ({"offset": 4}, {"count": 3}, {"offset": -1}):
        with pytest.raises(ValueError, match=r"offset|length"):
            torch.frombuffer(bytearray(4), dtype=torch.int16, **kw)
        with pytest.raises(ValueError, match=r"offset|length"):
            pt.frombuffer(bytearray(4), dtype=pt.int16, **kw)


def test_binomial_dtype_shape_and_range_match_torch() -> None:
    for d in ("float32", "float64"):
        (n, tn), (q, tq) = both([[5.0] * 3, [50.0] * 3], d), both([[0.1, 0.5, 0.9]] * 2, d)
        rp, rt = pt.binomial(n, q), torch.binomial(tn, tq)
        assert (
            rp.shape == tuple(rt.shape)
            and str(rp.dtype).split(".")[-1] == str(rt.dtype).split(".")[-1]
        )
        v = rp.numpy()
        assert (v >= 0).all() and (v <= n.numpy()).all() and (v == np.floor(v)).all()
    with pytest.raises(ValueError, match="floating-point"):
        torch.binomial(torch.tensor([5]), torch.tensor([0.5]))
    with pytest.raises(ValueError, match="floating-point"):
        pt.binomial(pt.asarray([5]), pt.asarray([0.5]))
    with pytest.raises(RuntimeError):
        torch.binomial(torch.tensor([5.0]), torch.tensor([0.5], dtype=torch.float64))
    with pytest.raises(RuntimeError):
        pt.binomial(pt.asarray([5.0]), pt.asarray([0.5], dtype=pt.float64))


def test_post_accumulate_grad_hook_calls_match_torch() -> None:
    def run(lib):
        w = (
            lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
            if lib is torch
            else pt.asarray([1.0, 2.0], dtype=pt.float64, requires_grad=True)
        )
        log = []
        w.register_hook(lambda g: log.append(("pre", g.tolist())))
        h = w.register_post_accumulate_grad_hook(lambda t: log.append(("post", t.grad.tolist())))
        (w * w).sum().backward()
        y = (w * 3).sum()
        y.backward(retain_graph=True)
        lib.autograd.grad(y, w)
        h.remove()
        (w * 2).sum().backward()
        with pytest.raises(RuntimeError):
            (w * 2).register_post_accumulate_grad_hook(print)
        return log

    assert run(pt) == run(torch)
