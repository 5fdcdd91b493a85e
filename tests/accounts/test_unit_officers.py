"""Unit officers: the role follows the assignments, one predicate says which units a person
reaches, and every officer page, download and write refuses another unit as if it did not exist."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts.enums import OrganizationKind, Role
from accounts.models import Member, Organization, UnitOfficer
from accounts.roles import has_role
from accounts.rules import can_manage_unit, units_in_reach
from accounts.services import unit_officer_assign, unit_officer_remove
from tests.budgets import QUERIES
from tests.factories import ContestFactory, OrganizationFactory, UserFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    bloc = OrganizationFactory(code="DUK", name="Đảng ủy Khối", kind=OrganizationKind.BLOC)
    tax = OrganizationFactory(code="CTHUE", name="Đảng bộ Cục Thuế tỉnh", parent=bloc, member_count=4)
    cell = OrganizationFactory(code="CTHUE-1", name="Chi bộ Phòng Kiểm tra", kind=OrganizationKind.CELL, parent=tax)
    power = OrganizationFactory(code="DIENLUC", name="Đảng bộ Công ty Điện lực", parent=bloc)
    officer = UserFactory(full_name="Vương Thị Thanh")
    unit_officer_assign(user=officer, organization=tax)
    return {"bloc": bloc, "tax": tax, "cell": cell, "power": power, "officer": officer}


def _fresh(user):
    """The same account as a new request sees it (the role and unit caches are per request)."""
    return type(user).objects.get(pk=user.pk)


def test_assigning_gives_the_role_and_removing_the_last_unit_takes_it(tree):
    officer = tree["officer"]
    second = unit_officer_assign(user=officer, organization=tree["power"])
    unit_officer_assign(user=officer, organization=tree["power"])  # twice: nothing more

    assert UnitOfficer.objects.filter(user=officer).count() == 2
    unit_officer_remove(assignment=second)
    assert has_role(_fresh(officer), Role.UNIT_OFFICER)
    unit_officer_remove(assignment=UnitOfficer.objects.get(user=officer))
    assert not has_role(_fresh(officer), Role.UNIT_OFFICER)


def test_an_officer_reaches_their_subtree_only(tree):
    officer = tree["officer"]

    assert set(units_in_reach(officer)) == {tree["tax"], tree["cell"]}
    assert [can_manage_unit(officer, tree[k]) for k in ("tax", "cell", "power", "bloc")] == [True, True, False, False]


def test_office_roles_reach_every_unit_and_others_none(tree):
    every = set(Organization.objects.all())

    assert set(units_in_reach(staff_user(Role.SECRETARIAT))) == every
    assert set(units_in_reach(staff_user(Role.ORGANIZER))) == every
    assert list(units_in_reach(contestant(organization=tree["tax"]))) == []
    assert not can_manage_unit(staff_user(Role.JUDGE), tree["cell"])


def test_an_assignment_left_without_the_role_reaches_nothing(tree):
    officer = tree["officer"]
    officer.groups.clear()

    assert not can_manage_unit(_fresh(officer), tree["tax"])


def test_a_unit_whose_id_starts_like_the_officers_is_not_theirs(tree):
    """Paths compare whole segments: /1/2/ does not contain /1/23/."""
    officer = tree["officer"]
    tax = str(tree["tax"].pk)
    highest = str(Organization.objects.order_by("-pk").values_list("pk", flat=True)[0])
    # The tax unit's id followed by enough 9s to be above every id in use: /…/12/ against /…/1299/.
    look_alike = OrganizationFactory(id=int(tax + "9" * (len(highest) - len(tax) + 1)), parent=tree["bloc"])

    assert look_alike.path.endswith(f"/{look_alike.pk}/") and look_alike.path.startswith(tree["bloc"].path)
    assert str(look_alike.pk).startswith(tax) and look_alike.pk != tree["tax"].pk
    assert not can_manage_unit(officer, look_alike)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parents=st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=12), pick=st.integers(0, 11))
def test_reach_is_the_subtree_by_parent_links(db, parents, pick):
    """Whatever the tree: an officer of a unit reaches exactly the units whose chain of parents
    passes through it."""
    UnitOfficer.objects.all().delete()
    Member.objects.all().delete()
    units = [OrganizationFactory()]
    for p in parents:
        units.append(OrganizationFactory(parent=units[p % len(units)]))
    root = units[pick % len(units)]
    officer = UserFactory()
    unit_officer_assign(user=officer, organization=root)

    def under(unit):
        while unit is not None:
            if unit.pk == root.pk:
                return True
            unit = unit.parent
        return False

    assert {u.pk for u in units if can_manage_unit(officer, u)} == {u.pk for u in units if under(u)}
    assert {u.pk for u in units_in_reach(officer)} & {u.pk for u in units} == {u.pk for u in units if under(u)}


# --- As an attacker -----------------------------------------------------------------------------


def _urls(unit):
    return [
        ("get", f"/reports/units/{unit.pk}/"),
        ("get", f"/reports/units/{unit.pk}/absent.xlsx"),
        ("get", f"/accounts/units/{unit.pk}/members/import/"),
        ("post", f"/accounts/units/{unit.pk}/members/import/"),
        ("post", f"/accounts/units/{unit.pk}/invitations/send/"),
        ("post", f"/accounts/units/{unit.pk}/invitations/resend/"),
        ("get", f"/accounts/units/{unit.pk}/members/"),
        ("get", f"/accounts/units/{unit.pk}/invitations/1/"),
        ("get", f"/reports/units/{unit.pk}/reminders/"),
        ("post", f"/reports/units/{unit.pk}/reminders/"),
        ("get", f"/reports/units/{unit.pk}/reminders/1/"),
    ]


def test_another_units_id_in_the_url_is_a_404_for_an_officer(client, tree, mailoutbox):
    ContestFactory()
    Member.objects.create(
        organization=tree["power"], full_name="Hoàng Văn Nam", phone="0912000002", token="t", email="n@example.com"
    )
    client.force_login(tree["officer"])

    for unit in (tree["power"], tree["bloc"]):
        for method, url in _urls(unit):
            assert getattr(client, method)(url).status_code == 404, url
    assert client.get("/reports/units/999999/").status_code == 404
    assert mailoutbox == []
    assert Member.objects.get().status == "listed"


def test_contestants_and_judges_are_refused_every_unit_page(client, tree):
    ContestFactory()
    for user in (contestant(organization=tree["tax"]), staff_user(Role.JUDGE)):
        client.force_login(user)
        for method, url in [("get", "/reports/units/"), *_urls(tree["tax"])]:
            assert getattr(client, method)(url).status_code == 403, url


def test_the_officers_list_shows_only_their_units(client, tree):
    ContestFactory()
    client.force_login(tree["officer"])

    html = client.get("/reports/units/").content.decode()

    assert "Đảng bộ Cục Thuế tỉnh" in html and "Điện lực" not in html


def test_the_secretariat_opens_any_unit(client, tree):
    ContestFactory()
    client.force_login(staff_user(Role.SECRETARIAT))

    assert client.get(f"/reports/units/{tree['power'].pk}/").status_code == 200
    assert "Đảng bộ Công ty Điện lực" in client.get("/reports/units/").content.decode()


# --- The officer's page ---------------------------------------------------------------------------


def _take(round, user):
    from quiz.services.attempts import attempt_start, attempt_submit

    attempt = attempt_start(round=round, user=user)
    attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=15))


def test_the_page_shows_the_week_and_who_has_not_taken_part(client, tree, django_assert_max_num_queries):
    from quiz.figures import figures_recompute

    contest = ContestFactory()
    week = sealed_round(contest=contest, number=1, pool_size=20, fields=2)
    took_part = contestant(organization=tree["cell"], user__full_name="Bùi Quang Huy")
    contestant(organization=tree["cell"], user__full_name="Đỗ Văn Vắng")
    contestant(organization=tree["power"], user__full_name="Người Đơn Vị Khác")
    _take(week, took_part)
    figures_recompute(contest=contest)  # the beat (quiz.figures)
    # On the list: one who signed up and took part (same phone), one who never signed up.
    Member.objects.create(organization=tree["cell"], full_name="Bùi Quang Huy", phone=took_part.profile.phone, token="a")
    Member.objects.create(
        organization=tree["tax"], full_name="Lê Thị Chưa Thi", phone="0352000103", token="b", email="x@example.com"
    )
    client.force_login(tree["officer"])

    html = client.get(f"/reports/units/{tree['tax'].pk}/").content.decode()

    assert 'data-figure="week-participants">1<' in html
    assert 'data-figure="week-rate">25%<' in html  # 1 of the unit's member count, 4
    assert "data-absent-count>2<" in html
    assert "Đỗ Văn Vắng" in html and "Lê Thị Chưa Thi" in html
    assert "Bùi Quang Huy" not in html.split('id="absent"')[1]
    assert "Người Đơn Vị Khác" not in html

    workbook = load_workbook(io.BytesIO(client.get(f"/reports/units/{tree['tax'].pk}/absent.xlsx").content))
    names = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["Lê Thị Chưa Thi", "Đỗ Văn Vắng"]
    # Printed, the page says whose list it is: the contest, the unit's full name, the week.
    header = workbook.active.oddHeader.center.text
    assert contest.name in header and tree["tax"].name in header and week.name in header and "Chưa tham gia" in header

    # The same number of queries for three more people who have not taken part.
    with django_assert_max_num_queries(QUERIES["unit_page"]) as before:
        client.get(f"/reports/units/{tree['tax'].pk}/")
    for n in range(3):
        contestant(organization=tree["cell"])
        Member.objects.create(organization=tree["cell"], full_name=f"Người Thứ {'ABC'[n]}", phone=f"035200020{n}", token=f"c{n}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get(f"/reports/units/{tree['tax'].pk}/").content.decode()
    assert "data-absent-count>8<" in html


def test_the_download_writes_typed_formulas_as_text(client, tree):
    ContestFactory()
    Member.objects.create(
        organization=tree["tax"], full_name="An", phone="0352000109", token="f", position='=HYPERLINK("http://x")'
    )
    client.force_login(tree["officer"])

    workbook = load_workbook(io.BytesIO(client.get(f"/reports/units/{tree['tax'].pk}/absent.xlsx").content))

    row = next(workbook.active.iter_rows(min_row=2, values_only=True))
    assert row[4] == '\'=HYPERLINK("http://x")'


def test_an_officer_without_a_contestant_profile_lands_on_their_units(client, tree):
    tree["officer"].email = "officer@example.com"
    tree["officer"].save()

    response = client.post("/accounts/login/", {"login": "officer@example.com", "password": "DemoPass123!"})

    assert response["Location"] == "/reports/units/"


def test_absentees_are_sorted_by_unit_then_vietnamese_name_and_paged_by_the_database(
    tree, is_postgres, django_assert_num_queries
):
    from accounts.collation import vi_sort_key
    from reports import selectors

    contest = ContestFactory()
    week = sealed_round(contest=contest, number=1, pool_size=20, fields=2)
    names = ["Đỗ Văn An", "Dương Thị Bình", "Ân Thị Cúc", "An Văn Dũng", "Bùi Minh Đức", "Ăn Thị Hà"]
    for i, name in enumerate(names):
        unit = tree["cell"] if i % 2 else tree["tax"]
        Member.objects.create(organization=unit, full_name=name, phone=f"03520003{i:02d}", token=f"s{i}")
    took_part = contestant(organization=tree["tax"], user__full_name="Bùi Quang Huy")
    _take(week, took_part)
    contestant(organization=tree["cell"], user__full_name="Cao Văn Vắng")
    expected = sorted(
        [(tree["tax"].path, n) for n in names[0::2]] + [(tree["cell"].path, n) for n in [*names[1::2], "Cao Văn Vắng"]],
        key=lambda pair: (pair[0], vi_sort_key(pair[1])),
    )

    everyone = [a.full_name for a in selectors.unit_absentees(organization=tree["tax"], contest=contest, round=week)]
    with django_assert_num_queries(2):  # the count, the page
        page = selectors.unit_absentees_page(organization=tree["tax"], contest=contest, round=week, number=2, per_page=3)
        shown = [a.full_name for a in page.object_list]

    if is_postgres:  # the Vietnamese collation (ICU); SQLite sorts the names by their bytes
        assert everyone == [name for _path, name in expected]
    assert sorted(everyone) == sorted(name for _path, name in expected)
    assert shown == everyone[3:6] and page.paginator.count == 7
    assert selectors.unit_absentees_count(organization=tree["tax"], contest=contest, round=week) == 7
