"""Sharing a published result at /share/<token>/: only one's own ranked result of a published
round, an unguessable token, revocable, Open Graph card, the score only when the owner chose."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.privacy import person_anonymize
from quiz.errors import QuizError
from quiz.models import ResultShare, RoundEntry
from quiz.services.sharing import result_share
from quiz.sharing import name_as_shown
from tests.budgets import QUERIES
from tests.factories import contestant, staff_user
from tests.quiz.factories import sealed_round
from tests.quiz.test_phone_pages import _close, _publish, _take

pytestmark = pytest.mark.django_db

FULL, INITIALS = ResultShare.NameShown.FULL, ResultShare.NameShown.INITIALS


@pytest.fixture
def week(time_machine):
    """A published week: a winner (Giải Nhất, 20/20) and a contestant with no prize (12/20)."""
    round = sealed_round(prizes_first=1, prizes_second=0, prizes_third=0, prizes_consolation=0)
    winner, other = contestant(user__full_name="Nguyễn Văn An"), contestant(user__full_name="Trần Thị Bình")
    _take(round, winner, right=20, seconds=30)
    _take(round, other, right=12, seconds=40)
    return _publish(round, time_machine), winner, other


def test_owner_shares_and_the_page_shows_contest_round_prize_and_score_with_og_card(client, week):
    round, winner, _other = week
    client.force_login(winner)

    created = client.post(reverse("quiz:share_create", args=[round.pk]), {"name_shown": FULL, "show_score": "on"})
    share = ResultShare.objects.get()
    client.logout()
    html = client.get(reverse("share", args=[share.token])).content.decode()

    assert created.status_code == 302 and created["Location"] == reverse("share", args=[share.token])
    assert len(share.token) >= 22
    assert '<meta property="og:title" content="Nguyễn Văn An – ' + round.name + '">' in html
    assert '<meta property="og:url" content="http' in html and f"/share/{share.token}/" in html
    assert "og:description" in html and round.contest.name in html and "Giải Nhất" in html and "20/20 điểm" in html
    assert "https://www.facebook.com/sharer/sharer.php?u=http" in html
    assert "Chia sẻ lên Zalo" in html and "Chia sẻ lên Facebook" in html
    assert "<script" not in html.split("</head>")[0].split("<meta property")[-1]  # no third-party script
    assert winner.email not in html


def test_score_hidden_and_initials_when_the_owner_chooses(client, week):
    round, _winner, other = week
    share = result_share(user=other, round=round, name_shown=INITIALS, show_score=False)

    html = client.get(reverse("share", args=[share.token])).content.decode()

    assert "T. T. B." in html and "Trần Thị Bình" not in html
    assert "12/20" not in html and "data-share-score" not in html
    assert "data-prize" not in html


def test_a_revoked_share_and_a_guessed_token_are_404(client, week):
    round, winner, _other = week
    share = result_share(user=winner, round=round, name_shown=FULL, show_score=True)

    assert client.get(reverse("share", args=["x" * 22])).status_code == 404
    assert client.get(reverse("share", args=[str(share.pk)])).status_code == 404
    client.force_login(winner)
    revoked = client.post(reverse("share_revoke", args=[share.token]))
    assert revoked.status_code == 302
    assert client.get(reverse("share", args=[share.token])).status_code == 404
    # Sharing again gives a new address: the old link stays dead.
    again = result_share(user=winner, round=round, name_shown=FULL, show_score=True)
    assert again.token != share.token


def test_nobody_but_the_owner_revokes(client, week):
    round, winner, other = week
    share = result_share(user=winner, round=round, name_shown=FULL, show_score=True)

    for person in (other, staff_user(Role.ORGANIZER)):
        client.force_login(person)
        assert client.post(reverse("share_revoke", args=[share.token])).status_code == 404
    client.logout()
    anonymous = client.post(reverse("share_revoke", args=[share.token]))

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert ResultShare.objects.filter(pk=share.pk).exists()
    assert client.get(reverse("share_revoke", args=[share.token])).status_code == 405


def test_only_ones_own_ranked_published_result_can_be_shared(client, time_machine):
    round = sealed_round()
    player, stranger = contestant(), contestant()
    _take(round, player, right=15, seconds=30)
    url = reverse("quiz:share_create", args=[round.pk])

    client.force_login(player)
    assert client.post(url, {"name_shown": FULL}).status_code == 403  # open round
    round = _close(round, time_machine)
    assert client.post(url, {"name_shown": FULL}).status_code == 403  # closed, not published
    with pytest.raises(QuizError, match="Chỉ chia sẻ được kết quả của chính mình"):
        result_share(user=player, round=round, name_shown=FULL, show_score=True)
    client.force_login(stranger)  # published or not, no entry of theirs
    assert client.post(url, {"name_shown": FULL}).status_code == 403
    assert ResultShare.objects.count() == 0


def test_a_share_of_a_result_taken_out_of_the_ranking_is_404(client, week):
    round, winner, other = week
    share = result_share(user=other, round=round, name_shown=FULL, show_score=True)
    RoundEntry.objects.filter(round=round, user=other).update(disqualified=True)

    assert client.get(reverse("share", args=[share.token])).status_code == 404
    assert (
        not client.force_login(winner)
        and client.post(reverse("quiz:share_create", args=[round.pk]), {"name_shown": "nobody"}).status_code == 302
    )  # a bad choice: back to the page with a message, nothing made
    assert ResultShare.objects.filter(user=winner).count() == 0


def test_sharing_twice_keeps_the_token_and_changes_the_choices(week):
    round, winner, _other = week
    first = result_share(user=winner, round=round, name_shown=FULL, show_score=True)

    second = result_share(user=winner, round=round, name_shown=INITIALS, show_score=False)

    assert (second.pk, second.token) == (first.pk, first.token)
    assert (second.name_shown, second.show_score) == (INITIALS, False)


def test_my_results_offers_sharing_and_then_the_link(client, week):
    round, winner, _other = week
    client.force_login(winner)

    before = client.get(reverse("quiz:my_results")).content.decode()
    share = result_share(user=winner, round=round, name_shown=FULL, show_score=True)
    after = client.get(reverse("quiz:my_results")).content.decode()

    assert "data-share-form" in before and reverse("quiz:share_create", args=[round.pk]) in before
    assert reverse("share", args=[share.token]) in after and "data-share-form" not in after


def test_owner_sees_stop_sharing_on_the_page_and_others_do_not(client, week):
    round, winner, other = week
    share = result_share(user=winner, round=round, name_shown=FULL, show_score=True)
    url = reverse("share", args=[share.token])

    client.force_login(winner)
    mine = client.get(url).content.decode()
    client.force_login(other)
    theirs = client.get(url).content.decode()

    assert "data-share-owner" in mine and "data-share-owner" not in theirs


def test_initials_of_a_vietnamese_name():
    assert name_as_shown("Nguyễn Văn An", INITIALS) == "N. V. A."
    assert name_as_shown("Ánh", INITIALS) == "Á."
    assert name_as_shown("Nguyễn Văn An", FULL) == "Nguyễn Văn An"


def test_anonymizing_a_person_deletes_their_shares(week):
    round, winner, _other = week
    result_share(user=winner, round=round, name_shown=FULL, show_score=True)

    person_anonymize(user=winner, by=staff_user(Role.ORGANIZER), reason="Yêu cầu xoá dữ liệu")

    assert ResultShare.objects.filter(user=winner).count() == 0


def test_share_page_query_count_does_not_grow(client, week, django_assert_num_queries):
    round, winner, other = week
    share = result_share(user=winner, round=round, name_shown=FULL, show_score=True)
    url = reverse("share", args=[share.token])
    client.get(url)

    with django_assert_num_queries(QUERIES["share_page"]):
        assert client.get(url).status_code == 200
    result_share(user=other, round=round, name_shown=FULL, show_score=True)
    with django_assert_num_queries(QUERIES["share_page"]):
        assert client.get(url).status_code == 200
