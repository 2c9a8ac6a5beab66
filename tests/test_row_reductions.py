"""Reductions along a short last axis (a batch of class scores) take a faster path on NumPy:
the same values as NumPy's own reductions, NaNs included, and PyTorch's losses."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import polytensor as pt
import polytensor.nn.functional as F

SHAPES = [(64, 10), (300, 7), (16, 2), (15, 10), (64, 32), (64, 33), (3, 4, 5)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("name", ["max", "min", "mean"])
def test_row_reductions_match_numpy(shape: Any, dtype: str, name: str) -> None:
    rng = np.random.default_rng(len(shape) * 100 + shape[-1])
    a = (rng.standard_normal(shape) * 10).astype(dtype)
    if dtype != "int32":
        a.flat[::17] = np.nan  # a row with a NaN reduces to NaN
        a.flat[5::23] = -0.0
    if name == "mean" and dtype == "int32":
        return  # (the standard's mean takes floating-point arrays)
    for axis in (-1, 1, 0, None):
        for keepdims in (False, True):
            got = getattr(pt, name)(pt.asarray(a), axis=axis, keepdims=keepdims)
            want = getattr(np, name)(a, axis=axis, keepdims=keepdims)
            assert got.shape == np.shape(want)
            assert got.dtype == pt.asarray(want).dtype
            np.testing.assert_array_equal(np.asarray(got.numpy()), want)


def test_max_with_indices_and_losses_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((64, 10))
    labels = rng.integers(0, 10, 64)
    labels_ignored = labels.copy()
    labels_ignored[::5] = 3

    def program(lib: Any, fn: Any) -> list[Any]:
        x = lib.tensor(scores, requires_grad=True)
        y = lib.tensor(labels)
        values, indices = lib.max(x, 1)
        out = [values.detach(), indices, fn.log_softmax(x, dim=1).detach()]
        out.append(fn.softmax(x, dim=1).detach())
        for target, ignore in ((y, -100), (lib.tensor(labels_ignored), 3)):
            for reduction in ("mean", "sum", "none"):
                x.grad = None
                loss = fn.cross_entropy(x, target, ignore_index=ignore, reduction=reduction)
                loss.sum().backward()
                out += [loss.detach(), x.grad]
        return out

    got = program(pt, F)
    want = program(torch, torch.nn.functional)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(g.numpy()), w.numpy(), rtol=1e-12, atol=1e-15)
