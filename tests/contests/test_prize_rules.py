"""contests.prizes: «publish only when fully verified» and which step a prize may take, each
decided in one function the services, the views and the templates ask."""

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contests import prizes
from contests.enums import PrizeStatus

STATUSES = [PrizeStatus.DRAFT, PrizeStatus.VERIFIED, PrizeStatus.INVALID]


def _prizes(*statuses):
    return [SimpleNamespace(status=s) for s in statuses]


@pytest.mark.parametrize(
    ("statuses", "verified"),
    [((), False), ((PrizeStatus.INVALID,), False), ((PrizeStatus.VERIFIED, PrizeStatus.DRAFT), False),
     ((PrizeStatus.VERIFIED,), True), ((PrizeStatus.VERIFIED, PrizeStatus.INVALID), True)],
)  # fmt: skip
def test_a_list_is_fully_verified_with_a_prize_that_counts_and_no_draft(statuses, verified):
    assert prizes.fully_verified(_prizes(*statuses)) is verified


@given(st.lists(st.sampled_from(STATUSES), max_size=12))
def test_fully_verified_means_no_draft_left_and_something_to_award(statuses):
    listed = _prizes(*statuses)
    assert prizes.fully_verified(listed) == (prizes.awaiting_verification(listed) == 0 and PrizeStatus.VERIFIED in statuses)


@pytest.mark.parametrize(
    ("status", "published", "expected"),
    [
        (PrizeStatus.DRAFT, False, prizes.PrizeActions(verify_valid=True, verify_invalid=True)),
        # A verified prize may still be found not valid, never verified a second time.
        (PrizeStatus.VERIFIED, False, prizes.PrizeActions(verify_invalid=True)),
        (PrizeStatus.INVALID, False, prizes.PrizeActions()),
        (PrizeStatus.DRAFT, True, prizes.PrizeActions(verify_valid=True, verify_invalid=True)),  # joined after publication
        (PrizeStatus.VERIFIED, True, prizes.PrizeActions(amend_invalid=True)),
        (PrizeStatus.INVALID, True, prizes.PrizeActions(amend_restore=True)),
    ],
)
def test_allowed_actions_per_status_and_publication(status, published, expected):
    actions = prizes.allowed_actions(SimpleNamespace(status=status), published=published)
    assert actions == expected
    assert actions.amend == (status != PrizeStatus.DRAFT and published)
