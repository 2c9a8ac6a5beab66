"""What the tests that compare ``nn`` layers, their functions and namespace functions with torch
share: one call made in both libraries with the same float64 inputs, the outputs compared and
the same random cotangent back-propagated. (The backends to run on: ``backend_params``.)

Import it after ``pytest.importorskip("torch")``: torch is a reference here, never a dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import polytensor as pt

TOL = {"rtol": 1e-10, "atol": 1e-12}


def host(t: Any) -> np.ndarray:
    """A tensor of either library as a NumPy array."""
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t.detach().to("numpy").numpy())


def diff(a: np.ndarray) -> tuple[np.ndarray, bool]:
    """An argument that requires grad in both libraries."""
    return (a, True)


def _pair(v: Any) -> tuple[Any, Any, bool]:
    """(polytensor value, torch value, differentiable) of one argument: an array is a tensor
    (``diff(a)``: one that requires grad), anything else is passed as it is."""
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], np.ndarray):
        a, d = v
        return pt.asarray(a.copy(), requires_grad=d), torch.tensor(a, requires_grad=d), d
    if isinstance(v, np.ndarray):
        return pt.asarray(v.copy()), torch.tensor(v), False
    return v, v, False


def run_both(
    p_fn: Callable[..., Any],
    t_fn: Callable[..., Any],
    args: tuple[Any, ...],
    kw: dict[str, Any] | None = None,
    tol: dict[str, float] | None = None,
) -> tuple[Any, Any]:
    """Call both, compare the outputs (the first of a tuple is the differentiable one, the
    others are compared exactly), back-propagate the same cotangent, compare the gradients
    of every argument made with ``diff``; returns both outputs."""
    tol = tol or TOL
    kw = kw or {}
    pa, ta, ds = zip(*(_pair(a) for a in args), strict=True) if args else ((), (), ())
    leaves = [(p, t) for p, t, d in zip(pa, ta, ds, strict=True) if d]
    pk, tk = {}, {}
    for k, v in kw.items():
        pk[k], tk[k], d = _pair(v)
        if d:
            leaves.append((pk[k], tk[k]))
    p_res, t_res = p_fn(*pa, **pk), t_fn(*ta, **tk)
    p_out, t_out = (p_res[0], t_res[0]) if isinstance(t_res, tuple) else (p_res, t_res)
    if isinstance(t_res, tuple):
        for p_more, t_more in zip(p_res[1:], t_res[1:], strict=True):
            np.testing.assert_array_equal(host(p_more), host(t_more))
    assert tuple(p_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(host(p_out), host(t_out), **tol)
    if leaves or t_out.requires_grad:  # (a layer's parameters are leaves too)
        cot = np.random.default_rng(3).standard_normal(tuple(t_out.shape))
        (p_out * pt.asarray(cot, device=p_out.device)).sum().backward()
        (t_out * torch.tensor(cot)).sum().backward()
        for i, (p, t) in enumerate(leaves):
            assert p.grad is not None, f"no gradient of argument {i}"
            np.testing.assert_allclose(host(p.grad), host(t.grad), err_msg=f"argument {i}", **tol)
    return p_res, t_res
