"""The participation rate is counted against the unit's member count where it is set, otherwise
against its member list; the dashboard, the export and verify_results agree."""

import io

import pytest
from openpyxl import load_workbook

from accounts.enums import OrganizationKind, Role
from accounts.models import Member, Organization
from audit.verification import verify_results
from quiz.services.attempts import attempt_start, attempt_submit
from reports import selectors
from tests.factories import ContestFactory, OrganizationFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


def _take(round, user):
    attempt = attempt_start(round=round, user=user)
    attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=10))


def _list(unit, n, start):
    for i in range(n):
        Member.objects.create(organization=unit, full_name=f"Người {i}", phone=f"03520{start + i:05d}", token=f"t{start + i}")


@pytest.fixture
def contest_with_lists():
    contest = ContestFactory()
    bloc = OrganizationFactory(kind=OrganizationKind.BLOC)
    counted = OrganizationFactory(name="Đảng bộ có số đảng viên", parent=bloc, member_count=10)
    listed = OrganizationFactory(name="Đảng bộ chỉ có danh sách", parent=bloc)
    listed_cell = OrganizationFactory(kind=OrganizationKind.CELL, parent=listed)
    unknown = OrganizationFactory(name="Đảng bộ chưa rõ", parent=bloc)
    week = sealed_round(contest=contest, number=1, pool_size=20, fields=2)
    for unit in (counted, listed_cell, listed_cell, unknown):
        _take(week, contestant(organization=unit))
    _list(counted, 3, 0)  # the member count wins over the list
    _list(listed, 1, 100)
    _list(listed_cell, 3, 200)  # the cells' lists count for their organization
    return contest, counted, listed, unknown


def test_rate_uses_the_member_count_then_the_list(contest_with_lists):
    contest, counted, listed, unknown = contest_with_lists

    rows = {r.unit.pk: r for r in selectors.unit_table(contest=contest)}

    assert (rows[counted.pk].members, rows[counted.pk].rate) == (10, 0.1)
    assert (rows[listed.pk].listed, rows[listed.pk].members, rows[listed.pk].rate) == (4, 4, 0.5)
    assert (rows[unknown.pk].members, rows[unknown.pk].rate) == (None, None)


def test_the_export_and_verify_results_agree_with_the_page(client, contest_with_lists):
    contest, counted, listed, _unknown = contest_with_lists
    client.force_login(staff_user(Role.SECRETARIAT))

    html = client.get("/reports/?sort=rate").content.decode()
    workbook = load_workbook(io.BytesIO(client.get("/reports/download/organizations.xlsx").content))

    assert "50%" in html and "10%" in html
    sheet = {row[0]: row for row in workbook["Theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert sheet["Đảng bộ chỉ có danh sách"][1:4] == (4, 2, 0.5)
    assert sheet["Đảng bộ có số đảng viên"][1:4] == (10, 1, 0.1)
    assert verify_results(contest_slug=contest.slug).messages() == []


def test_verify_results_names_a_rate_counted_against_the_wrong_base(contest_with_lists, monkeypatch):
    contest, _counted, listed, _unknown = contest_with_lists
    monkeypatch.setattr(selectors.UnitRow, "members", property(lambda row: row.unit.member_count))

    messages = verify_results(contest_slug=contest.slug).messages()

    assert any("Đảng bộ chỉ có danh sách: số người tính tỷ lệ tham gia hiển thị –, tính lại 4." in m for m in messages)


def test_an_officers_units_roll_up_their_own_subtrees_this_week(contest_with_lists):
    contest, counted, listed, _unknown = contest_with_lists
    cell = Organization.objects.get(parent=listed)
    week = selectors.week_round(contest=contest)

    rows = {r.unit.pk: r for r in selectors.unit_table(contest=contest, units=[listed, cell], round=week)}

    assert (rows[listed.pk].participants, rows[listed.pk].listed) == (2, 4)
    assert (rows[cell.pk].participants, rows[cell.pk].listed, rows[cell.pk].rate) == (2, 3, 2 / 3)
    assert counted.pk not in rows
