"""The integrity cases are found by a task and stored (audit.integrity.scan_run): the pages read
the stored scan, show when it was made, and a round's winners and publication are checked
against a scan that has seen all of its attempts."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.enums import Role
from audit import integrity
from audit.models import IntegrityDecision, IntegrityScan
from audit.tasks import integrity_scan_contests
from quiz.models import Attempt
from tests.factories import staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def _make_fast(attempt: Attempt) -> None:
    Attempt.objects.filter(pk=attempt.pk).update(duration_ms=12_000)


def test_the_page_reads_the_stored_scan_until_it_is_run_again(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    client.force_login(staff_user(Role.SECRETARIAT))
    first = client.get("/reports/integrity/").content.decode()
    scan = IntegrityScan.objects.get(contest=contest)
    assert "Rà soát lúc" in first and "Rà soát lại ngay" in first

    fast = Attempt.objects.filter(score=20).exclude(duration_ms__lt=30_000).order_by("pk").first()
    _make_fast(fast)
    key = f"fast:{fast.user_id}"
    assert key not in client.get("/reports/integrity/").content.decode()  # the stored scan, not the attempts

    client.post("/reports/integrity/", {"action": "rescan"})  # the task (run at once in the tests)
    assert IntegrityScan.objects.get(contest=contest).started_at > scan.started_at
    assert key in client.get("/reports/integrity/").content.decode()


def test_a_decision_survives_a_new_scan(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    fast = Attempt.objects.filter(score=20).exclude(duration_ms__lt=30_000).order_by("pk").first()
    _make_fast(fast)
    client.force_login(staff_user(Role.SECRETARIAT))
    client.post("/reports/integrity/", {"key": f"fast:{fast.user_id}", "verdict": "clear", "reason": "Thuộc bài"})
    assert IntegrityDecision.objects.filter(key=f"fast:{fast.user_id}").exists()

    integrity.scan_run(contest=contest)
    case = integrity.scanned_case(contest=contest, key=f"fast:{fast.user_id}")
    assert case.decision.reason == "Thuộc bài"
    assert case.user_ids == [fast.user_id]


def test_a_scan_older_than_the_rounds_close_is_run_again(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    integrity.scan_run(contest=contest)
    stale = IntegrityScan.objects.get(contest=contest).started_at
    fast = Attempt.objects.filter(score=20).exclude(duration_ms__lt=30_000).order_by("pk").first()
    _make_fast(fast)

    assert not integrity.open_cases_by_user(contest=contest, user_ids=[fast.user_id])  # any scan will do
    later = timezone.now() + datetime.timedelta(seconds=1)
    with time_machine.travel(later + datetime.timedelta(seconds=1)):
        found = integrity.open_cases_by_user(contest=contest, user_ids=[fast.user_id], after=later)
    assert [c.key for c in found[fast.user_id]] == [f"fast:{fast.user_id}"]
    assert IntegrityScan.objects.get(contest=contest).started_at > stale


def test_the_beat_scans_contests_under_way_and_leaves_the_quiet_ones(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    last_close = max(r.closes_at for r in contest.rounds.all())
    with time_machine.travel(last_close - datetime.timedelta(hours=2)):
        assert integrity_scan_contests() == 1  # never scanned
        assert integrity_scan_contests() == 1  # a round is open: scanned again
    with time_machine.travel(last_close + datetime.timedelta(days=3)):
        assert integrity_scan_contests() == 1  # its last round closed since the last scan
        assert integrity_scan_contests() == 0  # nothing can have changed
    with time_machine.travel(last_close + datetime.timedelta(days=5)):
        assert integrity_scan_contests() == 1  # a day without a scan: profiles may have changed


def test_a_late_scan_is_shown_as_late(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    integrity.scan_run(contest=contest)
    client.force_login(staff_user(Role.ORGANIZER))
    assert "đã cũ" not in client.get("/reports/integrity/").content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2 * integrity.SCAN_MINUTES + 1)):
        client.force_login(staff_user(Role.ORGANIZER))
        assert "đã cũ" in client.get("/reports/integrity/").content.decode()


def test_strangers_and_contestants_cannot_ask_for_a_scan(client, known_contest):  # noqa: F811
    from tests.factories import contestant

    assert client.post("/reports/integrity/", {"action": "rescan"}).status_code in (302, 403)
    assert not IntegrityScan.objects.exists()
    client.force_login(contestant())
    assert client.post("/reports/integrity/", {"action": "rescan"}).status_code == 403
    assert not IntegrityScan.objects.exists()


def test_the_review_pages_and_filters_the_cases(client, known_contest, settings):  # noqa: F811
    """A national contest finds tens of thousands of cases: the review shows a page of them,
    filtered by kind and by whether they are decided, with the count of each kind."""
    from accounts.models import Profile

    contest, _tax, _power = known_contest
    profiles = list(Profile.objects.order_by("pk")[:4])
    for p in profiles[1:]:
        Profile.objects.filter(pk=p.pk).update(phone=profiles[0].phone)
    fast = Attempt.objects.filter(score=20).exclude(duration_ms__lt=30_000).order_by("pk").first()
    _make_fast(fast)
    integrity.scan_run(contest=contest)
    client.force_login(staff_user(Role.SECRETARIAT))

    page = client.get("/reports/integrity/?kind=phone").content.decode()
    assert f"phone:{profiles[0].phone}" in page and f"fast:{fast.user_id}" not in page
    assert "Cùng số điện thoại (1)" in page
    client.post("/reports/integrity/", {"key": f"fast:{fast.user_id}", "verdict": "clear", "reason": "Thuộc bài"})
    decided = client.get("/reports/integrity/?state=decided").content.decode()
    assert f"fast:{fast.user_id}" in decided and f"phone:{profiles[0].phone}" not in decided
    undecided = client.get("/reports/integrity/?state=open").content.decode()
    assert f"fast:{fast.user_id}" not in undecided and f"phone:{profiles[0].phone}" in undecided
    assert client.get("/reports/integrity/?page=999&kind=bogus").status_code == 200  # never a 500


def test_a_page_holds_fifty_cases(client, known_contest):  # noqa: F811
    from audit.models import IntegrityCase

    contest, _tax, _power = known_contest
    scan = integrity.scan_run(contest=contest)
    IntegrityCase.objects.bulk_create(
        [IntegrityCase(scan=scan, key=f"name:x{i}", kind="name", description=f"Trường hợp {i}") for i in range(120)]
    )
    client.force_login(staff_user(Role.SECRETARIAT))
    first = client.get("/reports/integrity/?kind=name").content.decode()
    assert first.count('data-case="name:x') == 50 and "Trang 1 / 3" in first
    last = client.get("/reports/integrity/?kind=name&page=3").content.decode()
    assert last.count('data-case="name:x') == 20
