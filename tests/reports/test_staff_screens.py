"""The secretariat's screens on a laptop: sortable columns with indicators, unknown rates last,
labelled charts, integrity cases naming accounts and weeks, warnings before verifying winners."""

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from accounts.enums import OrganizationKind, Role
from accounts.models import Organization, Profile
from audit import integrity
from quiz.figures import figures_recompute
from quiz.models import Attempt, Prize, Round, RoundEntry
from reports import selectors
from reports.views import SORTS, sort_columns
from tests.budgets import QUERIES
from tests.factories import OrganizationFactory, contestant, staff_user
from tests.reports.test_figures import _take, known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sort", ["rate", "-rate"])
def test_units_without_a_member_count_come_last_by_rate(known_contest, sort):  # noqa: F811
    contest, _tax, power = known_contest  # «Điện lực» has no member count

    rows = selectors.unit_table(contest=contest, sort=sort)

    assert rows[-1].unit == power and rows[-1].rate is None
    rates = [r.rate for r in rows if r.rate is not None]
    assert rates == sorted(rates, reverse=sort.startswith("-"))


def test_ties_keep_the_order_of_the_names(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    bloc = Organization.objects.get(kind=OrganizationKind.BLOC)
    for name in ("Đảng bộ Xây dựng", "Đảng bộ An Bình", "Đảng bộ Bưu điện"):
        OrganizationFactory(name=name, parent=bloc)

    rows = selectors.unit_table(contest=contest, sort="-participants")

    idle = [r.unit.name for r in rows if r.participants == 0]
    assert idle == ["Đảng bộ An Bình", "Đảng bộ Bưu điện", "Đảng bộ Sở Y tế", "Đảng bộ Xây dựng"]


def test_public_stats_ties_in_name_order(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    bloc = Organization.objects.get(kind=OrganizationKind.BLOC)
    week2 = Round.objects.get(contest=contest, number=2)
    for name in ("Đảng bộ Xây dựng", "Đảng bộ An Phú"):
        _take(week2, contestant(organization=OrganizationFactory(name=name, short_name="", parent=bloc)), 15, 100)
    figures_recompute(contest=contest)  # the beat (quiz.figures)
    cache.clear()

    units = client.get("/stats/").context["units"]

    assert [(name, people) for name, people, *_rest in units] == [
        ("Đảng bộ Cục Thuế tỉnh", 2),
        ("Đảng bộ An Phú", 1),
        ("Đảng bộ Công ty Điện lực", 1),
        ("Đảng bộ Xây dựng", 1),
    ]


def test_public_stats_ties_ordered_by_the_short_names_shown(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    bloc = Organization.objects.get(kind=OrganizationKind.BLOC)
    week2 = Round.objects.get(contest=contest, number=2)
    # by full name «Ban …» comes before «Đảng bộ …»; by the short names shown, «Điện lực» after «Bưu điện»
    for name, short in (("Đảng bộ Bưu điện tỉnh", "Bưu điện"), ("Ban Điện lực", "Điện lực"), ("Đảng bộ Ắc quy", "Ắc quy")):
        _take(week2, contestant(organization=OrganizationFactory(name=name, short_name=short, parent=bloc)), 15, 100)
    figures_recompute(contest=contest)  # the beat (quiz.figures)
    cache.clear()

    response = client.get("/stats/")

    ones = [name for name, people, *_rest in response.context["units"] if people == 1]
    assert ones == ["Ắc quy", "Bưu điện", "Đảng bộ Công ty Điện lực", "Điện lực"]
    assert response.context["total"] == (8, 9, 6)
    assert "Có 6 người khác nhau đã tham gia" in response.content.decode()


def test_dashboard_marks_the_sorted_column_and_labels_the_chart(client, known_contest):  # noqa: F811
    client.force_login(staff_user(Role.SECRETARIAT))

    html = client.get("/reports/?sort=rate").content.decode()

    assert 'aria-sort="ascending" data-sort-column="rate"><a class="sort-link" href="?sort=-rate">' in html
    assert html.count("aria-sort=") == 1
    assert "Giờ bắt đầu" in html and "Số bài thi" in html
    assert 'class="staff-page"' in html


@given(sort=st.sampled_from(sorted(SORTS)))
def test_sort_columns_one_indicator_and_a_second_click_reverses(sort):
    columns = sort_columns(sort)

    active = [c for c in columns if c["aria_sort"]]
    assert [c["key"] for c in active] == [sort.lstrip("-")]
    assert active[0]["aria_sort"] == ("descending" if sort.startswith("-") else "ascending")
    assert active[0]["href"].removeprefix("?sort=").lstrip("-") == sort.lstrip("-")
    assert active[0]["href"].removeprefix("?sort=").startswith("-") != sort.startswith("-")
    assert all(c["href"].removeprefix("?sort=") in SORTS for c in columns)


def test_integrity_case_names_the_accounts_and_links_the_week(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    fast = Attempt.objects.filter(score=20, duration_ms=25_000).get()  # binh, week 1
    client.force_login(staff_user(Role.SECRETARIAT))

    html = client.get("/reports/integrity/").content.decode()

    case = html[html.index(f'data-case="fast:{fast.user_id}"') :]
    case = case[: case.index("</section>")]
    assert f'data-account="{fast.user.email}"' in case
    assert fast.user.profile.phone in case
    assert f'href="/reports/rounds/{fast.round_id}/winners/">{fast.round.name}</a>' in case
    assert "Chưa quyết định" in case


def test_integrity_case_names_a_cell_with_its_party_committee(client, known_contest):  # noqa: F811
    cell = Organization.objects.get(name="Chi bộ Phòng Kiểm tra")
    one, other = Profile.objects.filter(organization=cell).get(), Profile.objects.exclude(organization=cell).first()
    Profile.objects.filter(pk=other.pk).update(phone=one.phone)
    client.force_login(staff_user(Role.SECRETARIAT))

    html = client.get("/reports/integrity/").content.decode()

    case = html[html.index(f'data-case="phone:{one.phone}"') :]
    case = case[: case.index("</section>")]
    assert "<td>Đảng bộ Cục Thuế tỉnh › Chi bộ Phòng Kiểm tra</td>" in case


def test_integrity_verdicts_look_different(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    secretary = staff_user(Role.SECRETARIAT)
    client.force_login(secretary)
    first, second = Profile.objects.order_by("pk")[:2]
    Profile.objects.filter(pk=second.pk).update(phone=first.phone)
    fast = Attempt.objects.filter(score=20, duration_ms=25_000).get()
    client.post("/reports/integrity/", {"key": f"fast:{fast.user_id}", "verdict": "disqualify", "reason": "25 giây"})
    client.post("/reports/integrity/", {"key": f"phone:{first.phone}", "verdict": "clear", "reason": "Vợ chồng"})

    html = client.get("/reports/integrity/").content.decode()

    assert 'class="card case case-disqualify"' in html and 'class="badge verdict verdict-disqualify"' in html
    assert 'class="card case case-clear"' in html and 'class="badge verdict verdict-clear"' in html
    assert "✕ Loại khỏi xếp hạng" in html and "✓ Không có vấn đề" in html


def test_integrity_page_query_count_does_not_grow_with_the_cases(client, known_contest, django_assert_num_queries):  # noqa: F811
    client.force_login(staff_user(Role.SECRETARIAT))
    client.get("/reports/integrity/")
    with django_assert_num_queries(QUERIES["integrity"]):
        client.get("/reports/integrity/")
    Attempt.objects.filter(score=20).update(duration_ms=5_000)  # more fast cases
    first, second = Profile.objects.order_by("pk")[:2]
    Profile.objects.filter(pk=second.pk).update(phone=first.phone)
    contest, _tax, _power = known_contest
    assert len(integrity.cases(contest=contest)) >= 3
    with django_assert_num_queries(QUERIES["integrity"]):
        client.get("/reports/integrity/")


def test_winners_page_warns_on_low_score_fast_finish_and_shared_phone(client, known_contest):  # noqa: F811
    prize = Prize.objects.get()  # binh: first prize, 20/20 in 25 s
    client.force_login(staff_user(Role.SECRETARIAT))

    html = client.get(f"/reports/rounds/{prize.round_id}/winners/").content.decode()
    assert "Làm bài quá nhanh: 25,0 giây (dưới 30 giây)." in html
    assert "Điểm thấp cho một giải" not in html

    RoundEntry.objects.filter(pk=prize.entry_id).update(score=11, duration_ms=2_000)
    other = Profile.objects.exclude(user=prize.user).first()
    Profile.objects.filter(pk=other.pk).update(phone=prize.user.profile.phone)
    html = client.get(f"/reports/rounds/{prize.round_id}/winners/").content.decode()

    assert "Điểm thấp cho một giải: 11/20 câu đúng (dưới 75%)." in html
    assert "Làm bài quá nhanh: 2,0 giây (dưới 30 giây)." in html
    assert "Cùng số điện thoại" not in html  # the other account is no winner
    assert "data-warnings-summary" in html


def test_winners_sharing_a_phone_are_both_warned(known_contest):  # noqa: F811
    prize = Prize.objects.select_related("round", "entry", "user__profile").get()
    twin = Prize.objects.select_related("round", "entry", "user__profile").get()
    twin.pk, twin.rank = prize.pk + 1000, 2
    twin.user = Profile.objects.exclude(user=prize.user).select_related("user").first().user
    twin.user.profile.phone = prize.user.profile.phone
    RoundEntry.objects.filter(pk=prize.entry_id).update(duration_ms=90_000)
    prize.entry.refresh_from_db()

    warnings = integrity.winner_warnings(round=prize.round, prizes=[prize, twin])

    assert warnings[prize.pk] == [f"Cùng số điện thoại {prize.user.profile.phone} với: 2. {twin.user.full_name}."]
    assert warnings[twin.pk][-1].startswith(f"Cùng số điện thoại {prize.user.profile.phone} với: 1. ")
    twin.status = "invalid"
    assert integrity.winner_warnings(round=prize.round, prizes=[prize, twin]) == {}


def test_laptop_staff_screens_use_the_full_width(client):
    """The secretariat's and the organizers' tables use the laptop's width (staff.css's
    .staff-page), not the contestants' 960 px column."""
    from essays.models import JudgingRound
    from tests.essays.factories import EssayPhaseFactory

    judging = JudgingRound.objects.create(phase=EssayPhaseFactory(), name="Vòng sơ khảo", order=1)
    pages = {
        Role.ORGANIZER: ["/reports/certificates/", f"/judging/manage/rounds/{judging.pk}/"],
        Role.SECRETARIAT: ["/reports/awards/"],
    }
    for role, urls in pages.items():
        client.force_login(staff_user(role))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert '<body class="staff-page" ' in html or '<body class="staff-page">' in html, url
