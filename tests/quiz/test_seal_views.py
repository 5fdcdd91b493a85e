"""The seal in public: the fingerprint on the round page from the opening, the key file download
with the results, the admin's answer-key export, seal_backfill and the demo."""

import datetime
import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from accounts.enums import Role
from quiz.models import Round, RoundSeal
from quiz.seal import seal_parse, seal_verify
from tests.budgets import QUERIES
from tests.factories import contestant, staff_user
from tests.quiz.factories import sealed_round

pytestmark = pytest.mark.django_db

FINGERPRINT_SHOWN = re.compile(r"Mã niêm phong: <code[^>]*>([0-9a-f<wbr>]+)</code>")


def shown_fingerprint(html: str) -> str | None:
    """The fingerprint as a reader sees it (the <wbr> break hints are invisible and not copied)."""
    match = FINGERPRINT_SHOWN.search(html)
    return match.group(1).replace("<wbr>", "") if match else None


def _publish(round: Round) -> Round:
    Round.objects.filter(pk=round.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
        opens_at=timezone.now() - datetime.timedelta(days=7),
        results_published_at=timezone.now(),
    )
    return Round.objects.get(pk=round.pk)


def test_round_page_shows_no_fingerprint_before_the_opening(client):
    round = sealed_round(pool_size=20, fields=2, opens_at=timezone.now() + datetime.timedelta(days=1))
    seal = RoundSeal.objects.get(round=round)

    html = client.get(f"/quiz/rounds/{round.pk}/").content.decode()

    assert shown_fingerprint(html) is None
    assert "Mã niêm phong" not in html
    assert seal.sha256 not in html.replace("<wbr>", "")


def test_round_page_shows_the_fingerprint_once_open_without_the_key_file(client):
    round = sealed_round(pool_size=20, fields=2)
    seal = RoundSeal.objects.get(round=round)
    client.force_login(contestant())

    html = client.get(f"/quiz/rounds/{round.pk}/").content.decode()

    assert shown_fingerprint(html) == seal.sha256
    assert 'href="/quiz/seal/"' in html
    assert f"/quiz/rounds/{round.pk}/seal.json" not in html
    assert "lập bổ sung" not in html


@pytest.mark.parametrize("who", [None, "contestant", Role.SECRETARIAT, Role.JUDGE])
def test_key_file_is_404_before_publication_except_for_organizers(client, who):
    round = sealed_round(pool_size=20, fields=2)
    if who == "contestant":
        client.force_login(contestant())
    elif who:
        client.force_login(staff_user(who))

    assert client.get(f"/quiz/rounds/{round.pk}/seal.json").status_code == 404


def test_organizers_get_the_key_file_before_publication_not_cached(client, organizer):
    round = sealed_round(pool_size=20, fields=2)
    client.force_login(organizer)

    response = client.get(f"/quiz/rounds/{round.pk}/seal.json")
    html = client.get(f"/quiz/rounds/{round.pk}/").content.decode()

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.content == bytes(RoundSeal.objects.get(round=round).key_file)
    assert f'href="/quiz/rounds/{round.pk}/seal.json"' in html
    assert f'href="/quiz/manage/rounds/{round.pk}/answer-key.xlsx"' in html


def test_the_staff_round_page_uses_the_laptop_width_of_staff_screens(client, organizer):
    round = sealed_round(pool_size=20, fields=2)
    client.force_login(organizer)

    html = client.get(f"/quiz/manage/rounds/{round.pk}/").content.decode()

    assert '<body class="staff-page" ' in html or '<body class="staff-page">' in html
    assert "/static/css/staff" in html


def test_published_key_file_hashes_to_the_fingerprint_shown_since_the_opening(client):
    round = sealed_round(pool_size=20, fields=2)
    shown_while_open = shown_fingerprint(client.get(f"/quiz/rounds/{round.pk}/").content.decode())
    round = _publish(round)

    page = client.get(f"/quiz/rounds/{round.pk}/").content.decode()
    response = client.get(f"/quiz/rounds/{round.pk}/seal.json")

    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == shown_while_open == shown_fingerprint(page)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="dap-an-{round.contest.slug}-tuan-{round.number}.json"'
    assert f'href="/quiz/rounds/{round.pk}/seal.json"' in page
    assert "answer-key.xlsx" not in page
    key = seal_parse(response.content)
    assert len(key["questions"]) == 20


def test_draft_rounds_have_no_key_file(client, organizer):
    from tests.quiz.factories import RoundFactory

    draft = RoundFactory()
    client.force_login(organizer)
    assert client.get(f"/quiz/rounds/{draft.pk}/seal.json").status_code == 404
    assert client.get("/quiz/rounds/999999/seal.json").status_code == 404


def test_round_page_query_count_does_not_depend_on_pool_size(client, django_assert_num_queries):
    small, large = sealed_round(pool_size=20, fields=2), sealed_round(pool_size=60, fields=4)
    for round in (small, large):
        with django_assert_num_queries(QUERIES["round_page_signed_out"]):
            response = client.get(f"/quiz/rounds/{round.pk}/")
        assert shown_fingerprint(response.content.decode()) == RoundSeal.objects.get(round=round).sha256


def test_seal_help_page_explains_the_check(client):
    html = client.get("/quiz/seal/").content.decode()
    assert "sha256sum" in html
    assert "certutil -hashfile" in html


def test_admin_answer_key_export_is_the_key_file(client, organizer):
    round = _publish(sealed_round(pool_size=20, fields=2))
    client.force_login(organizer)

    exported = client.post("/admin/quiz/round/", {"action": "export_answer_key", "_selected_action": [round.pk]})
    public = client.get(f"/quiz/rounds/{round.pk}/seal.json")

    assert exported.status_code == 200
    assert exported.content == public.content
    assert exported["Content-Disposition"] == public["Content-Disposition"]


def test_admin_answer_key_export_without_a_seal_says_so(client, organizer):
    round = sealed_round(pool_size=20, fields=2)
    sealed_the_old_way = Round.objects.create(
        contest=round.contest, number=99, name="Tuần cũ", opens_at=round.opens_at, closes_at=round.closes_at,
        approved_at=timezone.now(),
    )  # fmt: skip
    client.force_login(organizer)

    response = client.post(
        "/admin/quiz/round/", {"action": "export_answer_key", "_selected_action": [sealed_the_old_way.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "chưa có tệp đáp án niêm phong" in response.content.decode()


def test_organizer_excel_copy_lists_the_sealed_pool(client, organizer):
    round = sealed_round(pool_size=20, fields=2)
    client.force_login(organizer)

    response = client.get(f"/quiz/manage/rounds/{round.pk}/answer-key.xlsx")

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 20
    assert response["Content-Disposition"] == f'attachment; filename="dap-an-{round.contest.slug}-tuan-{round.number}.xlsx"'


def test_seal_backfill_command_seals_old_rounds_once_and_the_page_says_so(client):
    round = sealed_round(pool_size=20, fields=2)
    old = Round.objects.create(
        contest=round.contest, number=99, name="Tuần cũ", opens_at=round.opens_at, closes_at=round.closes_at,
        approved_at=timezone.now() - datetime.timedelta(days=2),
    )  # fmt: skip
    out = io.StringIO()

    call_command("seal_backfill", "--dry-run", stdout=out)
    assert not RoundSeal.objects.filter(round=old).exists()
    assert f"#{old.pk}" in out.getvalue()

    call_command("seal_backfill", stdout=out)
    seal = RoundSeal.objects.get(round=old)
    assert seal.backfilled is True
    assert seal.sha256 in out.getvalue()
    assert seal_verify(old) == []

    again = io.StringIO()
    call_command("seal_backfill", stdout=again)
    assert RoundSeal.objects.get(round=old).sha256 == seal.sha256
    assert "Không có tuần thi nào" in again.getvalue()

    html = client.get(f"/quiz/rounds/{old.pk}/").content.decode()
    assert shown_fingerprint(html) == seal.sha256
    assert "lập bổ sung" in html
