"""The judge's sheet: the total, a confirmation before the sheet locks, the next essay, the
deadline and the attachments."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.enums import Role
from essays import judging
from essays.enums import Eligibility, EssayStatus, SheetStatus
from essays.judging_views import _next_sheet
from essays.models import Assignment, Criterion, EssayFile, JudgingRound, PanelMember, Score
from essays.selectors import QueueRow
from tests.budgets import QUERIES
from tests.essays import samples
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def _setup(n_essays=3, weights=(1, 1)):
    phase = EssayPhaseFactory()
    for _ in range(n_essays):
        EssayFactory(phase=phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    round = JudgingRound.objects.create(phase=phase, name="Vòng sơ khảo", order=1)
    for i, weight in enumerate(weights):
        Criterion.objects.create(round=round, name=f"Tiêu chí {i + 1}", max_points=20, weight=weight, order=i)
    judge = staff_user(Role.JUDGE)
    PanelMember.objects.create(round=round, judge=judge)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    sheets = list(Assignment.objects.filter(judge=judge).order_by("essay__code"))
    return round, judge, sheets


def _points(round, *values):
    return {f"c{c.pk}": str(v) for c, v in zip(round.criteria.order_by("order"), values, strict=True)}


def test_submit_shows_a_confirmation_with_the_total_and_does_not_lock(client):
    round, judge, sheets = _setup()
    client.force_login(judge)

    response = client.post(reverse("judging:sheet", args=[sheets[0].pk]), _points(round, 15, 12) | {"submit": "1"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Xác nhận nộp điểm" in html
    assert response.context["total"] == 27
    assert "27/40" in html
    sheets[0].refresh_from_db()
    assert sheets[0].status == SheetStatus.DRAFT  # saved, not locked
    assert sorted(Score.objects.filter(assignment=sheets[0]).values_list("points", flat=True)) == [12, 15]


def test_confirmation_locks_the_stored_points_and_goes_to_the_next_unscored_essay(client):
    round, judge, sheets = _setup()
    client.force_login(judge)
    url = reverse("judging:sheet", args=[sheets[0].pk])
    confirm = client.post(url, _points(round, 15, 12) | {"submit": "1"})

    # Points sent with the confirmation are ignored: what locks is what the confirmation showed.
    response = client.post(url, {"submit": "1", "confirm": "1", "version": confirm.context["version"]} | _points(round, 0, 0))

    assert response.status_code == 302
    assert response["Location"] == reverse("judging:sheet", args=[sheets[1].pk])
    sheets[0].refresh_from_db()
    assert sheets[0].status == SheetStatus.SUBMITTED
    assert sorted(Score.objects.filter(assignment=sheets[0]).values_list("points", flat=True)) == [12, 15]


def test_confirmation_of_a_sheet_changed_since_asks_again(client):
    round, judge, sheets = _setup()
    client.force_login(judge)
    url = reverse("judging:sheet", args=[sheets[0].pk])
    confirm = client.post(url, _points(round, 15, 12) | {"submit": "1"})
    client.post(url, _points(round, 3, 3) | {"draft": "1"})  # another tab changes the draft

    response = client.post(url, {"submit": "1", "confirm": "1", "version": confirm.context["version"]}, follow=True)

    sheets[0].refresh_from_db()
    assert sheets[0].status == SheetStatus.DRAFT
    assert "Phiếu chấm đã thay đổi sau khi anh/chị xem bản xác nhận" in response.content.decode()


def test_submit_with_a_criterion_missing_names_it_and_shows_no_confirmation(client):
    round, judge, sheets = _setup()
    client.force_login(judge)
    data = {f"c{round.criteria.order_by('order').first().pk}": "10", "submit": "1"}

    response = client.post(reverse("judging:sheet", args=[sheets[0].pk]), data, follow=True)

    html = response.content.decode()
    assert "Còn thiếu: Tiêu chí 2." in html
    assert "Xác nhận nộp điểm" not in html
    sheets[0].refresh_from_db()
    assert sheets[0].status == SheetStatus.DRAFT


def test_confirming_the_last_sheet_returns_to_the_queue(client):
    round, judge, sheets = _setup(n_essays=1)
    client.force_login(judge)
    url = reverse("judging:sheet", args=[sheets[0].pk])
    confirm = client.post(url, _points(round, 20, 20) | {"submit": "1"})

    response = client.post(url, {"submit": "1", "confirm": "1", "version": confirm.context["version"]}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("judging:queue")
    assert "Anh/chị đã chấm xong mọi bài được phân công." in response.content.decode()


def test_weighted_total_on_the_confirmation(client):
    round, judge, sheets = _setup(weights=(1, 2))
    client.force_login(judge)

    response = client.post(reverse("judging:sheet", args=[sheets[0].pk]), _points(round, 10, 5) | {"submit": "1"})

    assert response.context["total"] == 20
    assert response.context["highest"] == 60
    assert "hệ số 2" in response.content.decode()


def test_sheet_shows_the_total_of_the_saved_draft(client):
    round, judge, sheets = _setup()
    client.force_login(judge)
    client.post(reverse("judging:sheet", args=[sheets[0].pk]), _points(round, 7, 9) | {"draft": "1"})

    response = client.get(reverse("judging:sheet", args=[sheets[0].pk]))

    assert response.context["total"] == 16
    assert response.context["filled"] == 2
    assert "<strong data-total>16</strong> / 40" in response.content.decode()


def test_queue_lists_unscored_sheets_first_and_links_the_next(client):
    round, judge, sheets = _setup(n_essays=3)
    judging.sheet_save(
        assignment=sheets[0], judge=judge, points={c.pk: 10 for c in round.criteria.all()}, comment="", submit=True
    )
    client.force_login(judge)

    response = client.get(reverse("judging:queue"))

    assert [row.pk for row in response.context["assignments"]] == [sheets[1].pk, sheets[2].pk, sheets[0].pk]
    assert response.context["next_pk"] == sheets[1].pk
    sheet = client.get(reverse("judging:sheet", args=[sheets[1].pk]))
    assert sheet.context["next_pk"] == sheets[2].pk
    assert reverse("judging:sheet", args=[sheets[2].pk]) in sheet.content.decode()


def test_deadline_shown_on_queue_and_sheet(client):
    round, judge, sheets = _setup(n_essays=1)
    round.deadline = timezone.make_aware(datetime.datetime(2026, 12, 5, 17, 0))
    round.save(update_fields=["deadline"])
    client.force_login(judge)

    queue = client.get(reverse("judging:queue")).content.decode()
    sheet = client.get(reverse("judging:sheet", args=[sheets[0].pk])).content.decode()

    assert "Vòng sơ khảo: hạn chấm 17:00, 05/12/2026" in queue
    assert "Hạn chấm: 17:00, 05/12/2026" in sheet


def test_attachments_listed_before_the_text(client):
    round, judge, sheets = _setup(n_essays=1)
    essay = sheets[0].essay
    upload = EssayFile(essay=essay, kind="docx", original_name="bai.docx", size=10)
    upload.file.save("essays/x-1.docx", ContentFile(samples.docx()), save=False)
    EssayFile.objects.bulk_create([upload])  # the essay is screened: frozen for every other path
    client.force_login(judge)

    html = client.get(reverse("judging:sheet", args=[sheets[0].pk])).content.decode()

    link = reverse("judging:file", args=[sheets[0].pk, 1])
    assert f'href="{link}"' in html
    assert html.index(link) < html.index("essay-reading")


def test_sheet_query_count_does_not_grow_with_the_queue(client, django_assert_num_queries):
    round, judge, sheets = _setup(n_essays=1)
    client.force_login(judge)
    url = reverse("judging:sheet", args=[sheets[0].pk])
    client.get(url)
    with django_assert_num_queries(QUERIES["judge_sheet"]):
        client.get(url)
    for _ in range(3):
        EssayFactory(phase=round.phase, status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    judging.round_fill_from_screening(round=round)
    judging.round_assign(round=round)
    with django_assert_num_queries(QUERIES["judge_sheet"]):
        client.get(url)


STATUSES = st.sampled_from([SheetStatus.PENDING, SheetStatus.DRAFT, SheetStatus.SUBMITTED])


@given(statuses=st.lists(STATUSES, max_size=8), current=st.integers(min_value=0, max_value=8))
def test_next_sheet_is_the_first_unsubmitted_other_than_the_current(statuses, current):
    rows = [QueueRow(pk=i, code=f"B{i}", title="", round_name="", status=s) for i, s in enumerate(statuses)]

    found = _next_sheet(rows, current=current)

    candidates = [r.pk for r in rows if r.status != SheetStatus.SUBMITTED and r.pk != current]
    assert found == (candidates[0] if candidates else None)
    if found is not None:
        assert rows[found].status != SheetStatus.SUBMITTED
