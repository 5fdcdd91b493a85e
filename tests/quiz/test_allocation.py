"""The allocation of an attempt's questions per field (no blueprint: every field in proportion to
its share of the pool, largest remainders) is one answer for one pool: every process draws to it
and verify_results recomputes it, so it must not depend on the order the pool was read in."""

import random
from types import SimpleNamespace

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from quiz.services.pool import round_allocation


def _round(n):
    """A round without a blueprint: all the rule reads of it."""
    return SimpleNamespace(blueprint=SimpleNamespace(all=lambda: []), questions_per_attempt=n)


@settings(max_examples=300, deadline=None)
@given(
    pool=st.dictionaries(st.integers(min_value=1, max_value=10_000), st.integers(min_value=0, max_value=60), max_size=8),
    n=st.integers(min_value=1, max_value=40),
    seed=st.integers(),
)
def test_the_allocation_is_the_same_whatever_the_order_of_the_pool(pool, n, seed):
    assume(sum(pool.values()) >= n)  # a round is sealed only with a pool that can fill an attempt
    items = list(pool.items())
    random.Random(seed).shuffle(items)
    alloc = round_allocation(round=_round(n), pool_by_field=pool)
    assert round_allocation(round=_round(n), pool_by_field=dict(items)) == alloc
    assert sum(alloc.values()) == n
    assert all(0 <= alloc[f] <= pool[f] for f in pool)


def test_equal_remainders_go_to_the_larger_pool_then_the_field_made_first():
    # 20 questions over pools of 10, 10 and 10: 6⅔ each; the two extra go to fields 3 and 5 (made first).
    assert round_allocation(round=_round(20), pool_by_field={9: 10, 5: 10, 3: 10}) == {9: 6, 5: 7, 3: 7}
    # 6⅔ each: one extra question went to whichever of the two later fields the database returned
    # first (7/7/6 in one process, 7/6/7 in verify_results); now to the field made first.
    assert round_allocation(round=_round(20), pool_by_field={1: 20, 3: 20, 2: 20}) == {1: 7, 3: 6, 2: 7}
