"""The other ops of the table against NumPy (numpy.linalg, numpy.fft), on every backend.

One test per kind, parametrised over the table's entries of that kind; arguments come from the
op's sampler in ``domains.py`` (or the default of its kind).
"""

from __future__ import annotations

from typing import Any

import pytest
from domains import GROUPS, INTERNAL, SETTINGS, cases_in, group_of, is_private, run_case, sample
from hypothesis import given
from hypothesis import strategies as st

from polytensor._ops._registry import OP_LIST


def test_every_op_of_the_table_is_tested() -> None:
    untested = [
        op.name
        for op in OP_LIST
        if group_of(op) not in GROUPS and op.name not in INTERNAL and not is_private(op)
    ]
    assert not untested, (
        f"ops of the table in no conformance group: {untested}; declare "
        f"them in a polytensor/_ops/<chapter>.py module (or list them in "
        f"domains.INTERNAL with a reason)"
    )


@pytest.mark.parametrize(("op", "variant"), cases_in("reduction"))
@SETTINGS
@given(data=st.data())
def test_reduction_matches_numpy(op: Any, variant: Any, backend: Any, data: st.DataObject) -> None:
    run_case(op, sample(data.draw, op, variant))


@pytest.mark.parametrize(("op", "variant"), cases_in("manipulation"))
@SETTINGS
@given(data=st.data())
def test_manipulation_matches_numpy(
    op: Any, variant: Any, backend: Any, data: st.DataObject
) -> None:
    run_case(op, sample(data.draw, op, variant))


@pytest.mark.parametrize(("op", "variant"), cases_in("linalg"))
@SETTINGS
@given(data=st.data())
def test_linalg_matches_numpy(op: Any, variant: Any, backend: Any, data: st.DataObject) -> None:
    run_case(op, sample(data.draw, op, variant))


@pytest.mark.parametrize(("op", "variant"), cases_in("fft"))
@SETTINGS
@given(data=st.data())
def test_fft_matches_numpy(op: Any, variant: Any, backend: Any, data: st.DataObject) -> None:
    run_case(op, sample(data.draw, op, variant))


@pytest.mark.parametrize(("op", "variant"), cases_in("sorting/searching/set"))
@SETTINGS
@given(data=st.data())
def test_sorting_searching_set_matches_numpy(
    op: Any, variant: Any, backend: Any, data: st.DataObject
) -> None:
    run_case(op, sample(data.draw, op, variant))


@pytest.mark.parametrize(("op", "variant"), cases_in("indexing/creation/dtypes"))
@SETTINGS
@given(data=st.data())
def test_indexing_creation_dtype_ops_match_numpy(
    op: Any, variant: Any, backend: Any, data: st.DataObject
) -> None:
    run_case(op, sample(data.draw, op, variant))
