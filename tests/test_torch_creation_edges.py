"""Creation functions where PyTorch's answer differs from NumPy's (the standard leaves these
cases open): ``arange`` with float bounds for an integer dtype, ``full_like`` of a float for
an integer tensor, and ``scalar_tensor``."""

from __future__ import annotations

import numpy as np
import pytest

import polytensor as pt

ARANGES = [(0, 10, 2.5), (0.5, 5, 1), (0, 5.5, 1), (-1, -5, -1.5), (0.9, 3.9, 1), (1, 10, 3.7)]
# (PyTorch's: each of start, stop, step taken as an int first, toward 0)
WANT = [[0, 2, 4, 6, 8], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [-1, -2, -3, -4], [0, 1, 2], [1, 4, 7]]


@pytest.mark.parametrize(("args", "want"), list(zip(ARANGES, WANT, strict=True)))
def test_arange_with_float_arguments_for_an_integer_dtype(
    backend: str, args: tuple[float, ...], want: list[int]
) -> None:
    got = pt.arange(*args, dtype=pt.int64, device=backend)
    assert got.dtype == pt.int64
    assert got.tolist() == want


def test_arange_refuses_what_an_integer_dtype_cannot_take() -> None:
    with pytest.raises(ValueError, match="step must be nonzero"):
        pt.arange(0, 1, 0.3, dtype=pt.int64)
    with pytest.raises(ValueError, match="finite bounds"):
        pt.arange(0, float("inf"), 1, dtype=pt.int32)


def test_full_like_converts_the_value_to_the_tensors_dtype(backend: str) -> None:
    x = pt.asarray([1, 2], device=backend)
    got = pt.full_like(x, -2.7)
    assert got.dtype == x.dtype and got.tolist() == [-2, -2]
    assert pt.full_like(pt.asarray([True], device=backend), 0.0).tolist() == [False]
    # (a complex value for a real tensor: complex, not its real part dropped silently)
    assert pt.full_like(pt.ones(1, device=backend), 1 + 1j).dtype == pt.complex64
    with pytest.raises(ValueError, match="cannot fill"):
        pt.full_like(x, float("nan"))


def test_scalar_tensor() -> None:
    t = pt.scalar_tensor(2)
    assert t.shape == () and t.dtype == pt.float32 and float(t) == 2.0
    assert pt.scalar_tensor(1 + 2j).dtype == pt.complex64
    assert pt.scalar_tensor(3, dtype=pt.int64).dtype == pt.int64
    with pytest.raises(TypeError, match="a number"):
        pt.scalar_tensor([1, 2])


def test_as_torch() -> None:
    torch = pytest.importorskip("torch", reason="torch is not installed: nothing to compare")
    for args in ARANGES:
        assert (
            pt.arange(*args, dtype=pt.int64).tolist()
            == torch.arange(*args, dtype=torch.int64).tolist()
        )
    for x, v in (([1, 2], 2.5), ([1, 2], -2.7), ([True], 2)):
        np.testing.assert_array_equal(
            pt.full_like(pt.tensor(x), v).numpy(), torch.full_like(torch.tensor(x), v).numpy()
        )
    t = torch.scalar_tensor(2)
    assert str(pt.scalar_tensor(2).dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
