"""Sharing to Zalo and Facebook with a picture (contests.cards): the Open Graph card of a shared
result and of a certificate's verification page. The card says what the page says and no more:
never a score its owner did not choose to show; a revoked share or certificate has no card."""

import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from accounts.enums import Role
from awards import certificates as certs
from awards.models import Certificate
from contests.cards import card_png
from quiz.models import ResultShare
from quiz.services.prizes import prize_amend
from quiz.services.sharing import result_share, result_share_revoke
from tests.awards.test_certificates import _publish_week1
from tests.factories import staff_user
from tests.quiz.test_sharing import week  # noqa: F401 - the shared fixture
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def _picture(response):
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    image.load()  # a truncated or broken file fails here
    return image


# --- a shared result --------------------------------------------------------------------------


def test_a_shared_results_card_draws_round_prize_and_the_chosen_score(client, week, settings):  # noqa: F811
    round, winner, _other = week
    share = result_share(user=winner, round=round, name_shown=ResultShare.NameShown.FULL, show_score=True)

    page = client.get(reverse("share", args=[share.token])).content.decode()
    response = client.get(reverse("share_card", args=[share.token]))

    card = f"{settings.SITE_URL}/share/{share.token}/card.png"
    assert f'<meta property="og:image" content="{card}">' in page
    assert _picture(response).size == (1200, 630)
    host = settings.SITE_URL.split("://", 1)[1]
    expected = card_png(
        kicker=round.contest.name, title="Nguyễn Văn An", lines=[round.name, "Giải Nhất", "Điểm: 20/20"], footer=host
    )
    assert response.content == expected


def test_a_hidden_score_is_not_on_the_card(client, week, settings):  # noqa: F811
    round, _winner, other = week
    share = result_share(user=other, round=round, name_shown=ResultShare.NameShown.INITIALS, show_score=False)

    response = client.get(reverse("share_card", args=[share.token]))

    host = settings.SITE_URL.split("://", 1)[1]
    assert response.content == card_png(kicker=round.contest.name, title="T. T. B.", lines=[round.name], footer=host)
    assert response.content != card_png(
        kicker=round.contest.name, title="T. T. B.", lines=[round.name, "Điểm: 12/20"], footer=host
    )


def test_a_revoked_share_has_no_card(client, week):  # noqa: F811
    round, winner, _other = week
    share = result_share(user=winner, round=round, name_shown=ResultShare.NameShown.FULL, show_score=True)
    assert client.get(reverse("share_card", args=[share.token])).status_code == 200

    result_share_revoke(user=winner, token=share.token)

    assert client.get(reverse("share_card", args=[share.token])).status_code == 404
    assert client.get("/share/not-a-token/card.png").status_code == 404


# --- a certificate ----------------------------------------------------------------------------


def test_the_holder_shares_a_certificate_whose_page_has_a_card(client, known_contest, settings):  # noqa: F811
    contest, _tax, _power = known_contest
    prize, _s = _publish_week1(contest)
    certs.certificates_issue(contest=contest)
    cert = Certificate.objects.get(kind=Certificate.Kind.QUIZ_PRIZE)
    client.force_login(prize.user)

    mine = client.get("/quiz/my-results/").content.decode()
    client.logout()
    page = client.get(f"/verify/{cert.code}/").content.decode()
    response = client.get(f"/verify/{cert.code}/card.png")

    url = f"{settings.SITE_URL}/verify/{cert.code}/"
    assert "data-certificate-share" in mine
    assert "https://sp.zalo.me/share_inline?url=" + quote(url, safe="") in mine
    assert "https://www.facebook.com/sharer/sharer.php?u=" + quote(url, safe="") in mine
    assert f'<meta property="og:image" content="{url}card.png">' in page
    assert f'<meta property="og:title" content="Giấy chứng nhận – {cert.holder_name}">' in page
    assert _picture(response).size == (1200, 630)
    said = "Đạt Giải Nhất phần thi trắc nghiệm trực tuyến, Tuần thi thứ 1."
    footer = f"Xác minh: {url.split('://', 1)[1]}"
    assert response.content == card_png(
        kicker=contest.name, title=cert.holder_name, lines=["Giấy chứng nhận", said], footer=footer
    )


def test_a_revoked_certificates_card_says_so_and_its_holder_is_not_offered_to_share_it(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    prize, secretary = _publish_week1(contest)
    certs.certificates_issue(contest=contest)
    cert = Certificate.objects.get(kind=Certificate.Kind.QUIZ_PRIZE)

    prize_amend(prize=prize, by=secretary, valid=False, reason="Dùng hai tài khoản")

    response = client.get(f"/verify/{cert.code}/card.png")
    footer = "Xác minh: " + certs.verify_url(cert.code).split("://", 1)[1]
    revoked = card_png(
        kicker=contest.name, title=cert.holder_name, lines=["Giấy chứng nhận", "Giấy chứng nhận đã bị thu hồi."], footer=footer
    )
    assert response.content == revoked
    client.force_login(prize.user)
    mine = client.get("/quiz/my-results/").content.decode()
    valid = [c for c in certs.certificates_for_user(user=prize.user, contest=contest) if c.valid]
    assert mine.count("data-certificate-share") == len(valid) == 0  # the invalid prize took the participation too
    assert "https://sp.zalo.me/share_inline" not in mine


def test_cards_cannot_be_used_to_guess_codes(client, db):
    staff_user(Role.SECRETARIAT)
    statuses = [client.get(f"/verify/{certs.new_code()}/card.png").status_code for _i in range(21)]

    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429
    assert client.get(f"/verify/{certs.new_code()}/").status_code == 429  # one count for the page and its card


@hypothesis_settings(max_examples=25, deadline=None)
@given(st.text(max_size=300), st.text(max_size=120), st.lists(st.text(max_size=200), max_size=4))
def test_any_text_draws_a_card_that_opens(kicker, title, lines):
    """Names and titles are whatever people typed: control characters, 300 letters without a
    space, letters the font lacks. The card is drawn, wrapped and cut, never an error."""
    from contests.cards import _draw

    image = Image.open(io.BytesIO(_draw(kicker=kicker, title=title, lines=lines, footer=title)))
    image.load()
    assert image.size == (1200, 630)
