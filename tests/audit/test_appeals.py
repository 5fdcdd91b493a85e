"""Appeals against a published result (audit.appeals): the window, one open appeal per person and
result, nobody files on or reads someone else's, attachments checked by opening them, who sees
the staff pages and the files, the decision recorded and told, the counts on the public results,
a person's data, and the query budgets."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.enums import Role
from audit import appeals
from audit.models import Appeal, AppealFile
from contests.decisions import decision_record
from contests.enums import NotificationKind
from contests.models import Decision, Notification
from essays.models import JudgingRound, RoundEssay
from quiz.models import Round
from tests.budgets import QUERIES
from tests.essays.factories import EssayFactory
from tests.essays.samples import pdf, png
from tests.factories import ContestFactory, UserFactory, contestant, staff_user
from tests.quiz.factories import sealed_round
from tests.quiz.test_phone_pages import _publish, _take

pytestmark = pytest.mark.django_db

REASON = "Câu 7 có hai phương án đúng theo Nghị quyết, xin Ban Tổ chức xem lại điểm của tôi."


def _upload(data: bytes, name: str, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def played(time_machine):
    """A weekly round played by two contestants, closed and published (through the services)."""
    round = sealed_round()
    me, other = contestant(), contestant()
    _take(round, me, right=15, seconds=60)
    _take(round, other, right=18, seconds=60)
    round = _publish(round, time_machine)
    return Round.objects.select_related("contest").get(pk=round.pk), me, other


def _file(user, round, *, uploads=()) -> Appeal:
    return appeals.appeal_submit(user=user, target=appeals.quiz_target(user=user, round=round), reason=REASON, uploads=uploads)


# --- The window ------------------------------------------------------------------------------------


def test_the_window_opens_at_publication_and_closes_after_the_contests_days(time_machine):
    round = sealed_round()
    me = contestant()
    _take(round, me, right=10, seconds=60)
    target = appeals.quiz_target(user=me, round=Round.objects.select_related("contest").get(pk=round.pk))
    assert "chưa được công bố" in appeals.appeal_problem(user=me, target=target)  # before publication

    round = _publish(round, time_machine)
    round = Round.objects.select_related("contest").get(pk=round.pk)
    target = appeals.quiz_target(user=me, round=round)
    published = round.results_published_at
    assert appeals.appeal_problem(user=me, target=target) == ""  # inside
    last_moment = published + datetime.timedelta(days=7) - datetime.timedelta(seconds=1)
    assert appeals.appeal_problem(user=me, target=target, now=last_moment) == ""
    after = published + datetime.timedelta(days=7)
    assert "hết thời hạn" in appeals.appeal_problem(user=me, target=target, now=after)  # after
    with pytest.raises(appeals.AppealError, match="hết thời hạn"):
        appeals.appeal_submit(user=me, target=target, reason=REASON, now=after)

    round.contest.appeal_days = 0  # organizers turned appeals off for this contest
    assert "không nhận khiếu nại" in appeals.appeal_problem(user=me, target=target)


def test_the_window_is_the_contests_number_of_days(played):
    round, me, _other = played
    round.contest.appeal_days = 2
    target = appeals.quiz_target(user=me, round=round)
    window = appeals.appeal_window(contest=round.contest, published_at=round.results_published_at)
    assert window == (round.results_published_at, round.results_published_at + datetime.timedelta(days=2))
    assert appeals.appeal_problem(user=me, target=target, now=window[1] + datetime.timedelta(hours=1)) != ""


@given(days=st.integers(min_value=0, max_value=60), offset=st.integers(min_value=-86_400, max_value=61 * 86_400))
def test_an_appeal_may_be_filed_exactly_inside_the_window(days, offset):
    """For every window and every moment: open from the publication for `days` days, never
    when the contest takes none (the publication itself is never in the future of a filing)."""
    published = datetime.datetime(2026, 9, 27, 3, 0, tzinfo=datetime.UTC)
    target = appeals.Target("quiz", ContestFactory.build(appeal_days=days), published, round=Round(pk=1))
    now = published + datetime.timedelta(seconds=max(offset, 0))
    problem = appeals.appeal_problem(user=None, target=target, now=now, has_open=False)
    assert (problem == "") == (days > 0 and now < published + datetime.timedelta(days=days))
    assert appeals.appeal_problem(user=None, target=target, now=now, has_open=True) != ""


# --- One open appeal per person and result --------------------------------------------------------


def test_one_open_appeal_per_person_and_result(played):
    round, me, other = played
    _file(me, round)
    with pytest.raises(appeals.AppealError, match="đang chờ giải quyết"):
        _file(me, round)
    _file(other, round)  # someone else's result is another result
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        Appeal.objects.create(contest=round.contest, part="quiz", round=round, appellant=me, reason=REASON)
    assert Appeal.objects.filter(round=round).count() == 2


def test_a_reason_is_required_and_bounded(played):
    round, me, _other = played
    target = appeals.quiz_target(user=me, round=round)
    for reason in ("", "ngắn quá", "x" * (appeals.REASON_MAX + 1)):
        with pytest.raises(appeals.AppealError):
            appeals.appeal_submit(user=me, target=target, reason=reason)
    assert not Appeal.objects.exists()


# --- Nobody files on or reads someone else's -------------------------------------------------------


def test_no_result_no_appeal_and_anothers_appeal_is_a_404(client, played):
    round, me, other = played
    stranger = contestant()  # took no attempt in this round
    client.force_login(stranger)
    assert client.get(reverse("appeals:new_quiz", args=[round.pk])).status_code == 404
    assert client.post(reverse("appeals:new_quiz", args=[round.pk]), {"reason": REASON}).status_code == 404
    assert not Appeal.objects.exists()

    appeal = _file(me, round, uploads=[_upload(pdf(), "bang-chung.pdf")])
    client.force_login(other)
    assert client.get(reverse("appeals:mine", args=[appeal.pk])).status_code == 404
    assert client.get(reverse("appeals:file", args=[appeal.files.get().pk])).status_code == 404
    client.force_login(me)
    page = client.get(reverse("appeals:mine", args=[appeal.pk])).content.decode()
    assert "Câu 7 có hai phương án" in page and "bang-chung.pdf" in page


def test_an_essay_appeal_only_by_its_submitter_once_its_round_is_published(client):
    essay = EssayFactory()
    submitter = essay.submitter
    judging = JudgingRound.objects.create(phase=essay.phase, name="Vòng chung khảo", order=1)
    RoundEssay.objects.create(round=judging, essay=essay)
    url = reverse("appeals:new_essay", args=[essay.pk])
    client.force_login(submitter)
    assert client.get(url).status_code == 404  # not published yet: no result to appeal

    decision_record(action=Decision.Action.PUBLISH, obj=judging, by=staff_user(Role.ORGANIZER))
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": REASON})
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and (appeal.essay, appeal.judging_round, appeal.part) == (essay, judging, "essay")
    page = client.get(reverse("essays:mine_detail", args=[essay.pk])).content.decode()
    assert "data-appeals" in page and 'data-appeal-status="open"' in page

    client.force_login(staff_user(Role.SECRETARIAT))  # the office sees the essay's side
    staff_page = client.get(reverse("reports:appeal", args=[appeal.pk])).content.decode()
    assert essay.code in staff_page and "data-appeal-result" in staff_page

    client.force_login(contestant())  # someone else
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": REASON}).status_code == 404
    assert Appeal.objects.count() == 1


# --- Attachments ------------------------------------------------------------------------------------


def test_attachments_are_opened_as_what_they_claim(client, played):
    round, me, _other = played
    client.force_login(me)
    url = reverse("appeals:new_quiz", args=[round.pk])
    fake = _upload(b"%PDF-1.7\n<html><script>alert(1)</script></html>", "bang-chung.pdf")
    response = client.post(url, {"reason": REASON, "files": [fake]})
    assert response.status_code == 200 and "không phải tệp PDF hợp lệ" in response.content.decode()
    big = _upload(pdf() + b"%" * (appeals.MAX_FILE_BYTES + 1), "lon.pdf")
    response = client.post(url, {"reason": REASON, "files": [big]})
    assert "lớn quá 5 MB" in response.content.decode()
    docx = _upload(b"PK\x03\x04" + b"0" * 100, "bai.docx")
    response = client.post(url, {"reason": REASON, "files": [docx]})
    assert response.status_code == 200
    assert not Appeal.objects.exists() and not AppealFile.objects.exists()

    too_many = [_upload(pdf(), f"{n}.pdf") for n in range(appeals.MAX_FILES + 1)]
    response = client.post(url, {"reason": REASON, "files": too_many})
    assert "tối đa 3 tệp" in response.content.decode() and not Appeal.objects.exists()

    good = [_upload(pdf(), "bang-chung.pdf"), _upload(png(), "anh.png", "image/png")]
    response = client.post(url, {"reason": REASON, "files": good})
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert sorted(appeal.files.values_list("kind", flat=True)) == ["pdf", "png"]
    download = client.get(reverse("appeals:file", args=[appeal.files.get(kind="pdf").pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert "no-store" in download["Cache-Control"]


# --- Who sees the staff pages and the files --------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "page", "file"),
    [(Role.ORGANIZER, 200, 200), (Role.SECRETARIAT, 200, 200), (Role.JUDGE, 403, 404), (Role.UNIT_OFFICER, 403, 404)],
)
def test_staff_pages_and_attachments_by_role(client, played, role, page, file):
    round, me, _other = played
    appeal = _file(me, round, uploads=[_upload(pdf(), "bang-chung.pdf")])
    user = UserFactory(roles=[role]) if role == Role.UNIT_OFFICER else staff_user(role)
    client.force_login(user)
    assert client.get(reverse("reports:appeals")).status_code == page
    assert client.get(reverse("reports:appeal", args=[appeal.pk])).status_code == page
    assert client.get(reverse("appeals:file", args=[appeal.files.get().pk])).status_code == file


def test_anonymous_and_contestants_are_kept_out(client, played):
    round, me, _other = played
    appeal = _file(me, round, uploads=[_upload(pdf(), "bang-chung.pdf")])
    file_url = reverse("appeals:file", args=[appeal.files.get().pk])
    assert client.get(file_url).status_code == 302  # to the login page
    assert client.get(reverse("reports:appeal", args=[appeal.pk])).status_code == 302
    client.force_login(me)  # the appellant: her own file yes, the office's page no
    assert client.get(file_url).status_code == 200
    assert client.get(reverse("reports:appeal", args=[appeal.pk])).status_code == 403
    assert client.post(reverse("reports:appeal", args=[appeal.pk]), {"verdict": "upheld", "reason": "x"}).status_code == 403
    assert Appeal.objects.get().is_open


def test_only_organizers_see_the_answers_on_the_appeal_page(client, played):
    round, me, _other = played
    appeal = _file(me, round)
    client.force_login(staff_user(Role.ORGANIZER))
    assert "data-appeal-answers" in client.get(reverse("reports:appeal", args=[appeal.pk])).content.decode()
    client.force_login(staff_user(Role.SECRETARIAT))
    page = client.get(reverse("reports:appeal", args=[appeal.pk])).content.decode()
    assert "data-appeal-answers" not in page and "15/20" in page


# --- The decision ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.ORGANIZER])
def test_the_decision_is_recorded_and_told_to_the_appellant(client, played, role):
    round, me, _other = played
    appeal = _file(me, round)
    client.force_login(staff_user(role))
    url = reverse("reports:appeal", args=[appeal.pk])
    response = client.post(url, {"verdict": "rejected", "reason": ""})
    assert response.status_code == 200 and Appeal.objects.get().is_open  # a reason is required
    response = client.post(url, {"verdict": "upheld", "reason": "Câu 7 có hai đáp án đúng; sửa kết quả."})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "upheld" and appeal.decided_at is not None
    decision = Decision.objects.get(action=Decision.Action.APPEAL_DECIDE)
    assert (decision.object_type, decision.object_id, decision.reason) == ("audit.appeal", appeal.pk, appeal.decision_reason)
    told = Notification.objects.filter(recipient=me, kind=NotificationKind.APPEAL)
    assert told.exists() and "được chấp nhận" in told.first().body
    page = client.get(url).content.decode()
    assert "data-amend-path" in page and reverse("reports:winners", args=[round.pk]) in page

    with pytest.raises(appeals.AppealError, match="đã được giải quyết"):  # decided once
        appeals.appeal_decide(appeal=appeal, by=staff_user(Role.SECRETARIAT), upheld=False, reason="Đổi ý")
    assert Decision.objects.filter(action=Decision.Action.APPEAL_DECIDE).count() == 1

    client.force_login(me)  # she sees the outcome in «Kết quả của tôi» and on her appeal
    mine = client.get(reverse("quiz:my_results")).content.decode()
    assert 'data-appeal-status="upheld"' in mine and "Câu 7 có hai đáp án đúng" in mine


def test_a_judge_cannot_decide(client, played):
    round, me, _other = played
    appeal = _file(me, round)
    client.force_login(staff_user(Role.JUDGE))
    response = client.post(reverse("reports:appeal", args=[appeal.pk]), {"verdict": "upheld", "reason": "Có lý"})
    assert response.status_code == 403 and Appeal.objects.get().is_open


def test_the_list_filters_by_state_part_and_round(client, played):
    round, me, other = played
    _file(me, round)
    decided = _file(other, round)
    appeals.appeal_decide(appeal=decided, by=staff_user(Role.SECRETARIAT), upheld=False, reason="Đáp án đúng như đã công bố.")
    client.force_login(staff_user(Role.SECRETARIAT))
    url = reverse("reports:appeals")
    assert client.get(url).content.decode().count("data-appeal=") == 2
    assert client.get(url, {"status": "open"}).content.decode().count("data-appeal=") == 1
    assert client.get(url, {"status": "decided"}).content.decode().count("data-appeal=") == 1
    assert client.get(url, {"part": "essay"}).content.decode().count("data-appeal=") == 0
    assert client.get(url, {"round": f"q{round.pk}"}).content.decode().count("data-appeal=") == 2


# --- The contestant's pages and the public counts ---------------------------------------------------


def test_my_results_offers_an_appeal_while_the_window_is_open(client, played):
    round, me, _other = played
    client.force_login(me)
    page = client.get(reverse("quiz:my_results")).content.decode()
    assert "data-appeal-new" in page and reverse("appeals:new_quiz", args=[round.pk]) in page
    response = client.post(reverse("appeals:new_quiz", args=[round.pk]), {"reason": REASON})
    assert response.status_code == 302
    page = client.get(reverse("quiz:my_results")).content.decode()
    assert "data-appeal-new" not in page and 'data-appeal-status="open"' in page


def test_the_public_results_say_how_many_appeals_were_filed_and_decided(client, played):
    round, me, other = played
    url = reverse("quiz:leaderboard", args=[round.pk])
    assert "0 khiếu nại đã nhận, 0 đã giải quyết" in client.get(url).content.decode()
    _file(me, round)
    decided = _file(other, round)
    appeals.appeal_decide(appeal=decided, by=staff_user(Role.ORGANIZER), upheld=False, reason="Đáp án đúng như đã công bố.")
    page = client.get(url).content.decode()
    assert "2 khiếu nại đã nhận, 1 đã giải quyết" in page
    assert REASON not in page  # counts only, never what anyone wrote


def test_the_essay_results_page_counts_appeals_once_a_round_is_published(client):
    essay = EssayFactory()
    judging = JudgingRound.objects.create(phase=essay.phase, name="Vòng chung khảo", order=1)
    RoundEssay.objects.create(round=judging, essay=essay)
    url = reverse("essays:index") + f"?contest={essay.phase.contest.slug}"
    assert "data-appeal-counts" not in client.get(url).content.decode()
    decision_record(action=Decision.Action.PUBLISH, obj=judging, by=staff_user(Role.ORGANIZER))
    appeals.appeal_submit(user=essay.submitter, target=appeals.essay_target(user=essay.submitter, essay=essay), reason=REASON)
    assert "1 khiếu nại đã nhận, 0 đã giải quyết" in client.get(url).content.decode()


# --- Personal data ------------------------------------------------------------------------------------


def test_appeals_are_in_the_persons_data_and_anonymized(played, django_capture_on_commit_callbacks):
    from accounts.privacy import person_anonymize
    from privacy.personal_data import person_data

    round, me, _other = played
    appeal = _file(me, round, uploads=[_upload(pdf(), "bang-chung.pdf")])
    stored = appeal.files.get().file
    sections = {s.key: s for s in person_data(user=me)}
    assert sections["appeals"].rows[0]["Nội dung"] == REASON
    assert sections["appeal_files"].rows[0]["Tên tệp"] == "bang-chung.pdf"

    with django_capture_on_commit_callbacks(execute=True):
        person_anonymize(user=me, by=None)
    appeal.refresh_from_db()
    assert REASON not in appeal.reason and not AppealFile.objects.exists()
    assert not stored.storage.exists(stored.name)
    assert Appeal.objects.filter(pk=appeal.pk).exists()  # still counted on the public page


# --- Query budgets ------------------------------------------------------------------------------------


def test_the_staff_pages_cost_the_same_whatever_the_number_of_appeals(client, played, django_assert_num_queries):
    round, me, other = played
    first = _file(me, round, uploads=[_upload(pdf(), "a.pdf")])
    client.force_login(staff_user(Role.SECRETARIAT))
    list_url, page_url = reverse("reports:appeals"), reverse("reports:appeal", args=[first.pk])
    client.get(list_url)
    with django_assert_num_queries(QUERIES["appeal_list"]):
        client.get(list_url)
    with django_assert_num_queries(QUERIES["appeal_page"]):
        client.get(page_url)
    _file(other, round)
    with django_assert_num_queries(QUERIES["appeal_list"]):
        assert client.get(list_url).content.decode().count("data-appeal=") == 2


def test_the_contestants_pages_keep_their_budgets(client, played, django_assert_num_queries):
    round, me, _other = played
    client.force_login(me)
    url = reverse("appeals:new_quiz", args=[round.pk])
    client.get(url)
    with django_assert_num_queries(QUERIES["appeal_new"]):
        client.get(url)
    appeal = _file(me, round)
    with django_assert_num_queries(QUERIES["appeal_mine"]):
        client.get(reverse("appeals:mine", args=[appeal.pk]))
    assert timezone.now()
