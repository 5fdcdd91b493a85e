import io

import pytest
from openpyxl import load_workbook

from accounts.enums import Role
from quiz.models import Prize, Round
from quiz.services.prizes import round_prizes_draft
from tests.budgets import QUERIES
from tests.factories import staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def test_award_list_only_when_every_winner_is_verified(client, known_contest):  # noqa: F811
    prize = Prize.objects.get()
    secretary = staff_user(Role.SECRETARIAT)
    client.force_login(secretary)

    refused = client.get(f"/reports/rounds/{prize.round_id}/award.xlsx", follow=True)
    assert "chưa được xác minh hết" in refused.content.decode()

    client.post(f"/reports/prizes/{prize.pk}/verify/", {"valid": "1", "note": "Đã gọi điện xác nhận"})
    response = client.get(f"/reports/rounds/{prize.round_id}/award.xlsx")

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][1] == "Giải Nhất"
    prize.refresh_from_db()
    assert (prize.status, prize.verified_by, prize.note) == ("verified", secretary, "Đã gọi điện xác nhận")


def test_organizers_see_but_only_the_secretariat_verifies(client, known_contest):  # noqa: F811
    prize = Prize.objects.get()
    verify = f"/reports/prizes/{prize.pk}/verify/"
    client.force_login(staff_user(Role.ORGANIZER))
    page = client.get(f"/reports/rounds/{prize.round_id}/winners/")
    assert page.status_code == 200
    assert verify not in page.content.decode()  # no form the organizer would be refused
    assert client.post(verify, {"valid": "1"}).status_code == 403
    client.force_login(staff_user(Role.SECRETARIAT))
    assert verify in client.get(f"/reports/rounds/{prize.round_id}/winners/").content.decode()


def test_winners_page_query_count(client, known_contest, django_assert_num_queries):  # noqa: F811
    prize = Prize.objects.get()
    client.force_login(staff_user(Role.SECRETARIAT))
    client.get(f"/reports/rounds/{prize.round_id}/winners/")
    # The last query reads the units' parents, for each unit's full name (accounts.selectors.organization_labels).
    with django_assert_num_queries(QUERIES["round_winners"]):
        client.get(f"/reports/rounds/{prize.round_id}/winners/")
    Round.objects.filter(pk=prize.round_id).update(prizes_second=2)
    assert len(round_prizes_draft(round=Round.objects.get(pk=prize.round_id))) == 3
    with django_assert_num_queries(QUERIES["round_winners"]):
        client.get(f"/reports/rounds/{prize.round_id}/winners/")
