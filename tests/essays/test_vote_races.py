"""One vote per phone, essay and day holds when the same person presses «Bình chọn» from several
connections at once (the unique constraint behind essays.votes.essay_vote). PostgreSQL only,
like the other races."""

import pytest

from essays import votes
from essays.models import EssayVote
from tests.essays.test_votes import published, vote_phase, voter
from tests.reports.test_reminder_races import _race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_presses_at_once_count_one_vote():
    essay = published(vote_phase())
    person = voter()
    refused = []

    def press(_i):
        try:
            votes.essay_vote(essay=essay, user=person, ip="10.0.0.1")
        except votes.VoteError as exc:
            refused.append(exc.message)

    errors = _race(6, press)
    assert errors == []
    assert EssayVote.objects.filter(essay=essay).count() == 1
    assert len(refused) == 5 and all("đã bình chọn cho bài này hôm nay" in m for m in refused)
