"""The flow solver's two ways of revising an identity give the same answer.

A revision with few combinations of its free rows' contributions tries them one by one
(``_brute``); larger ones use the sets of partial sums (``_by_partial_sums``). The samples
reach the second way rarely, so it is held to the first here, on random identities.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.flow.solve import _brute, _by_partial_sums, _Check

_options = st.lists(st.lists(st.integers(-3000, 3000), min_size=2, max_size=4, unique=True).map(sorted),
                    min_size=1, max_size=4)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(free_options=_options, const=st.integers(-5000, 5000), tol=st.integers(10, 40), at_least=st.booleans())
def test_combinations_and_partial_sums_agree(free_options: list[list[int]], const: int, tol: int,
                                             at_least: bool) -> None:
    chk = _Check(rows=(), adds=(), tol=tol, at_least=at_least, family=())
    low, high = -tol - const, (float("inf") if at_least else tol - const)
    assert _brute(free_options, low, high) == _by_partial_sums(free_options, const, chk)


def test_no_combination_within_tolerance_is_none() -> None:
    # 100 + {0, 5} can never come within ±10 of 0: the identity fails whatever the placement
    chk = _Check(rows=(), adds=(), tol=10, at_least=False, family=())
    assert _brute([[0, 5]], -10 - 100, 10 - 100) is None
    assert _by_partial_sums([[0, 5]], 100, chk) is None


def test_each_row_keeps_the_contributions_some_combination_needs() -> None:
    # x + y = 0 within 10: x = 300 needs y = -300; x = 0 needs y = 0; y = 7 fits x = 0 too
    chk = _Check(rows=(), adds=(), tol=10, at_least=False, family=())
    expected = [{0, 300}, {-300, 0, 7}]
    assert _brute([[0, 300, 900], [-300, 0, 7]], -10, 10) == expected
    assert _by_partial_sums([[0, 300, 900], [-300, 0, 7]], 0, chk) == expected
