"""An essay refused at screening (vòng sơ loại) is appealable: by its submitter or a co-author, within
the contest's days from the verdict; the office sees the reasons, decides, and an upheld appeal is
answered by screening the essay again (audit.appeals.screening_target over essays.services)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.enums import Role
from audit import appeals
from audit.appeal_exports import APPEALS_SHEET
from audit.models import Appeal
from contests.enums import NotificationKind
from contests.models import Notification
from essays.enums import Eligibility, EssayStatus, IneligibleReason
from essays.services import essay_screen
from privacy.personal_data import person_data
from tests.audit.test_appeals_coauthors import REASON, _person
from tests.essays.factories import EssayFactory
from tests.factories import OrganizationFactory, contestant, staff_user

pytestmark = pytest.mark.django_db

NOTE = "Bài viết về tập thể ngoài phạm vi Đảng bộ Khối."


def _refused(*, coauthor_phone="0986000111"):
    from essays.models import EssayAuthor

    essay = EssayFactory(status=EssayStatus.SUBMITTED, submitted_at=timezone.now())
    EssayAuthor.objects.bulk_create(
        [EssayAuthor(essay=essay, name="Lò Văn Pản", organization=OrganizationFactory(), phone=coauthor_phone, order=2)]
    )
    essay_screen(essay=essay, by=staff_user(Role.SECRETARIAT), eligible=False, reasons=[IneligibleReason.OUT_OF_SCOPE],
                 note=NOTE)  # fmt: skip
    essay.refresh_from_db()
    return essay


def test_the_submitter_appeals_a_refusal_from_the_essays_page(client):
    essay = _refused()
    client.force_login(essay.submitter)
    url = reverse("appeals:new_screening", args=[essay.pk])

    page = client.get(reverse("essays:mine_detail", args=[essay.pk])).content.decode()
    assert "data-appeal-new" in page and url in page
    response = client.post(url, {"reason": REASON})

    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert (appeal.part, appeal.essay, appeal.judging_round, appeal.round) == ("screen", essay, None, None)
    assert appeals.result_name(appeal) == f"{essay.code} – Sơ loại"
    mine = client.get(reverse("appeals:mine", args=[appeal.pk])).content.decode()
    assert "(Sơ loại)" in mine
    assert client.post(url, {"reason": REASON}).status_code == 200  # one open appeal per person and essay
    assert Appeal.objects.count() == 1


def test_a_coauthor_appeals_a_refusal_from_my_results(client):
    coauthor = _person()
    essay = _refused(coauthor_phone=coauthor.phone)
    client.force_login(coauthor)

    page = client.get(reverse("quiz:my_results"), {"contest": essay.phase.contest.slug}).content.decode()

    assert reverse("appeals:new_screening", args=[essay.pk]) in page
    assert client.post(reverse("appeals:new_screening", args=[essay.pk]), {"reason": REASON}).status_code == 302
    assert Appeal.objects.get().appellant == coauthor


@pytest.mark.parametrize("state", ["eligible", "pending", "withdrawn", "stranger"])
def test_only_a_refused_essays_authors_appeal_its_screening(client, state):
    essay = _refused()
    user = essay.submitter
    if state == "eligible":
        essay_screen(essay=essay, by=staff_user(Role.SECRETARIAT), eligible=True, reasons=[], note="")
    elif state == "pending":
        type(essay).objects.filter(pk=essay.pk).update(eligibility=Eligibility.PENDING)
    elif state == "withdrawn":
        type(essay).objects.filter(pk=essay.pk).update(status=EssayStatus.WITHDRAWN)
    else:
        user = contestant()
    client.force_login(user)

    assert client.post(reverse("appeals:new_screening", args=[essay.pk]), {"reason": REASON}).status_code == 404
    assert not Appeal.objects.exists()


def test_the_window_runs_from_the_verdict(time_machine):
    essay = _refused()
    days = essay.phase.contest.appeal_days
    target = appeals.screening_target(user=essay.submitter, essay=essay)
    assert appeals.appeal_window(contest=essay.phase.contest, published_at=target.published_at)[0] == essay.screened_at

    time_machine.move_to(essay.screened_at + datetime.timedelta(days=days, seconds=1))

    assert "hết thời hạn khiếu nại" in appeals.appeal_problem(user=essay.submitter, target=target)
    with pytest.raises(appeals.AppealError):
        appeals.appeal_submit(user=essay.submitter, target=target, reason=REASON)


def test_the_office_sees_the_reasons_and_an_upheld_appeal_leads_to_screening_again(client, django_capture_on_commit_callbacks):
    essay = _refused()
    appeal = appeals.appeal_submit(user=essay.submitter, target=appeals.screening_target(user=essay.submitter, essay=essay),
                                   reason=REASON)  # fmt: skip
    secretary = staff_user(Role.SECRETARIAT)
    client.force_login(secretary)
    url = reverse("reports:appeal", args=[appeal.pk])

    page = client.get(url).content.decode()
    assert "data-screening" in page and "Tập thể, cá nhân được viết không thuộc phạm vi cuộc thi" in page and NOTE in page
    assert "(Sơ loại)" in client.get(reverse("reports:appeals")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"verdict": "upheld", "reason": "Đơn vị được viết thuộc Đảng bộ Khối từ tháng 3."})

    page = client.get(url).content.decode()
    assert "data-amend-path" in page and reverse("essays:manage_screen", args=[essay.pk]) in page
    assert Notification.objects.filter(recipient=essay.submitter, kind=NotificationKind.APPEAL).exists()
    essay_screen(essay=essay, by=secretary, eligible=True, reasons=[], note="Sơ loại lại sau khiếu nại.")
    essay.refresh_from_db()
    assert essay.eligibility == Eligibility.ELIGIBLE
    assert appeals.screening_target(user=essay.submitter, essay=essay) is None  # nothing left to appeal
    export = client.get(reverse("reports:appeals_export"), {"contest": essay.phase.contest.slug})
    rows = list(load_workbook(io.BytesIO(export.content))[APPEALS_SHEET].values)
    assert rows[1][3] == f"{essay.code} «{essay.title}» – Sơ loại" and rows[1][2] == "Sơ loại bài viết"


def test_a_screening_appeal_is_in_the_persons_data():
    essay = _refused()
    appeals.appeal_submit(user=essay.submitter, target=appeals.screening_target(user=essay.submitter, essay=essay),
                          reason=REASON)  # fmt: skip

    sections = {s.key: s for s in person_data(user=essay.submitter)}

    assert [row["Kết quả"] for row in sections["appeals"].rows] == [f"{essay.code} – Sơ loại"]
