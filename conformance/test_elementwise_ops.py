"""Element-wise functions of the op table against NumPy, on every backend.

Generated from the table: every unary and binary op (and the other element-wise ones, such as
``clip``) is drawn in the dtypes of its category, on shapes from 0-d to size-0 and broadcast
ones, with NaN, infinities and signed zeros among floating-point values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from domains import (
    REFERENCES,
    SETTINGS,
    Case,
    array,
    cases_in,
    domain_of,
    dtype,
    elements,
    numpy_function,
    run_case,
    sample,
    shapes,
)
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(("op", "variant"), cases_in("unary"))
@SETTINGS
@given(data=st.data())
def test_unary_matches_numpy(op: Any, variant: Any, backend: Any, data: st.DataObject) -> None:
    run_case(op, sample(data.draw, op, variant), signed_zeros=True)


@pytest.mark.parametrize(("op", "variant"), cases_in("binary"))
@SETTINGS
@given(data=st.data())
def test_binary_matches_numpy(op: Any, variant: Any, backend: Any, data: st.DataObject) -> None:
    run_case(op, sample(data.draw, op, variant), signed_zeros=True)


@pytest.mark.parametrize(("op", "variant"), cases_in("binary"))
@SETTINGS
@given(data=st.data())
def test_binary_with_python_scalar_matches_numpy(
    op: Any, variant: Any, backend: Any, data: st.DataObject
) -> None:
    """A Python scalar of the array's kind takes the array's dtype, on either side."""
    dt = dtype(data.draw, op.category_of(0))
    scalar_right = data.draw(st.booleans())
    i_array, i_scalar = (0, 1) if scalar_right else (1, 0)
    x = array(data.draw, dt, data.draw(shapes()), domain_of(op, i_array))
    s = data.draw(elements(dt, domain_of(op, i_scalar)))
    fn = REFERENCES.get(op.name) or numpy_function(op.name)
    s_array = np.asarray(s, dtype=dt)
    args = (x, s) if scalar_right else (s, x)
    ref_args = (x, s_array) if scalar_right else (s_array, x)
    run_case(op, Case(args, ref=lambda *_: fn(*ref_args)), signed_zeros=True)


@pytest.mark.parametrize(("op", "variant"), cases_in("elementwise"))
@SETTINGS
@given(data=st.data())
def test_other_elementwise_matches_numpy(
    op: Any, variant: Any, backend: Any, data: st.DataObject
) -> None:
    run_case(op, sample(data.draw, op, variant), signed_zeros=True)
