"""Personal data (Decree 13/2023/NĐ-CP): consent at sign-up and to every new version, the
download of one's own data, deletion requests handled by the secretariat, the retention rule."""

import datetime
import io
import json
import re

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import privacy
from accounts.enums import Role
from accounts.models import Consent, ConsentText, DeletionRequest, Profile, User
from contests.enums import ContestStatus
from contests.models import Decision
from essays.models import EssayAuthor
from quiz.models import Attempt
from quiz.services.attempts import attempt_start, attempt_submit
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.factories import ContestFactory, ProfileFactory, UserFactory, contestant, published_notice, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db

PASSWORD = "Chibo-KieuMau-2026"


@pytest.fixture(autouse=True)
def notice():
    """The first notice (migration accounts 0006), again if a transactional test flushed it."""
    return published_notice()


def _signup(client, **extra):
    data = {"phone": "0912345678", "email": "lan@example.com", "password1": PASSWORD, "password2": PASSWORD} | extra
    return client.post(reverse("account_signup"), data, REMOTE_ADDR="203.0.113.7")


def _new_version(body="## Mục đích\nThêm mục đích mới.") -> ConsentText:
    text = ConsentText.objects.create(title="Thông báo (sửa đổi)", body=body)
    return privacy.consent_text_publish(text=text)


def _play(user, right=15):
    round = sealed_round(pool_size=20, fields=2)
    attempt = attempt_start(round=round, user=user, ip_address="198.51.100.9")
    return attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=right))


# --- Consent ------------------------------------------------------------------------------------


def test_signup_without_consent_is_refused_with_a_vietnamese_message(client):
    response = _signup(client)

    assert response.status_code == 200
    assert "Vui lòng đánh dấu ô đồng ý với Thông báo về xử lý dữ liệu cá nhân" in response.content.decode()
    assert not User.objects.filter(email="lan@example.com").exists()


def test_signup_form_has_an_unticked_box_and_links_the_notice(client):
    page = client.get(reverse("account_signup")).content.decode()

    box = re.search(r'<input type="checkbox" name="consent"[^>]*>', page).group(0)
    assert "checked" not in box
    assert f'href="{reverse("accounts:privacy_notice")}"' in page
    notice = client.get(reverse("accounts:privacy_notice")).content.decode()
    assert "Nghị định số 13/2023/NĐ-CP" in notice


def test_signup_records_the_consent_with_its_version_time_and_address(client):
    before = timezone.now()

    _signup(client, consent="on")

    consent = Consent.objects.get(user__email="lan@example.com")
    assert consent.text == privacy.consent_text_current()
    assert consent.text.version == 1
    assert consent.ip_address == "203.0.113.7"
    assert consent.given_at >= before


def test_signup_records_the_version_the_form_showed(client):
    shown = client.get(reverse("account_signup")).content.decode()
    version = int(re.search(r'name="consent_version" value="(\d+)"', shown).group(1))
    _new_version()  # published while the person was reading

    _signup(client, consent="on", consent_version=version)

    assert Consent.objects.get(user__email="lan@example.com").text.version == version == 1


def test_a_published_version_is_never_edited_and_a_change_is_a_new_version():
    first = privacy.consent_text_current()
    first.body = "Sửa lén."

    with pytest.raises(ValidationError):
        first.save()
    second = _new_version()

    assert second.version == 2
    assert privacy.consent_text_current() == second
    assert ConsentText.objects.get(version=1).body != "Sửa lén."


def test_a_new_version_is_asked_before_taking_part_then_recorded(client):
    user = contestant()
    phase = EssayPhaseFactory()
    client.force_login(user)
    assert client.get(reverse("essays:new")).status_code == 200
    second = _new_version()

    response = client.get(reverse("essays:new"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:consent"))
    page = client.get(response["Location"]).content.decode()
    assert "Thêm mục đích mới." in page and "Phiên bản 2" in page
    refused = client.post(response["Location"], {"next": reverse("essays:new")})
    assert "Vui lòng đánh dấu ô đồng ý" in refused.content.decode()
    agreed = client.post(response["Location"], {"next": reverse("essays:new"), "consent": "on"}, REMOTE_ADDR="192.0.2.4")
    assert agreed["Location"] == reverse("essays:new")
    assert Consent.objects.get(user=user, text=second).ip_address == "192.0.2.4"
    assert client.get(reverse("essays:new")).status_code == 200
    assert phase.pk


def test_an_existing_user_without_consent_is_asked_at_login():
    user = ProfileFactory(user=UserFactory(email="cu@example.com", consented=False, roles=[Role.CONTESTANT])).user
    client = Client()

    response = client.post(reverse("account_login"), {"login": user.email, "password": "DemoPass123!"})

    assert response["Location"] == reverse("accounts:consent")


def test_taking_part_costs_no_query_for_consent_once_signed_in(client, django_assert_num_queries):
    user = contestant()
    client.force_login(user)
    request = type("R", (), {"user": user, "session": client.session})()

    with django_assert_num_queries(0):
        assert privacy.consent_needed(request) is False


# --- Download my data ---------------------------------------------------------------------------


def _people():
    me = ProfileFactory(phone="0911111111", position='=HYPERLINK("http://x")').user
    other = ProfileFactory(phone="0922222222").user
    mine, theirs = _play(me), _play(other)
    EssayFactory(submitter=me, title="Bài của tôi")
    EssayFactory(submitter=other, title="Bài của người khác")
    return me, other, mine, theirs


def test_my_data_json_has_everything_about_me_and_nothing_about_anyone_else(client):
    me, other, mine, theirs = _people()
    client.force_login(me)

    response = client.get(reverse("personal_data:download_json"))

    assert response["Content-Disposition"].startswith('attachment; filename="du-lieu-ca-nhan-')
    data = json.loads(response.content)
    text = response.content.decode()
    assert data["account"]["rows"][0]["E-mail"] == me.email
    assert data["profile"]["rows"][0]["Số điện thoại"] == "0911111111"
    assert data["consents"]["rows"][0]["Phiên bản"] == 1
    assert [row["Bài thi"] for row in data["attempts"]["rows"]] == [mine.pk]
    assert data["attempts"]["rows"][0]["Địa chỉ IP"] == "198.51.100.9"
    assert len(data["answers"]["rows"]) == 20
    assert [row["Tên bài viết"] for row in data["essays"]["rows"]] == ["Bài của tôi"]
    for foreign in (other.email, "0922222222", "Bài của người khác", other.full_name):
        assert foreign not in text
    assert theirs.pk not in [row["Bài thi"] for row in data["attempts"]["rows"]]


def test_my_data_workbook_escapes_what_people_typed(client):
    me, *_ = _people()
    client.force_login(me)

    response = client.get(reverse("personal_data:download_xlsx"))

    workbook = load_workbook(io.BytesIO(response.content))
    assert "Hồ sơ thí sinh" in workbook.sheetnames and "Bài thi trắc nghiệm" in workbook.sheetnames
    sheet = workbook["Hồ sơ thí sinh"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Chức vụ, vị trí công tác") + 1)
    assert cell.data_type != "f" and cell.value == '\'=HYPERLINK("http://x")'


def test_my_data_needs_a_login(client):
    response = client.get(reverse("personal_data:download_json"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Deletion -----------------------------------------------------------------------------------


def test_deletion_end_to_end_request_then_secretariat_then_anonymized(client):
    me, other, mine, _theirs = _people()
    old_name, old_email = me.full_name, me.email
    client.force_login(me)

    form = client.post(reverse("accounts:deletion_request"), {"reason": "Tôi đã nghỉ hưu."})
    assert "Xác nhận yêu cầu xoá dữ liệu" in form.content.decode()
    assert not DeletionRequest.objects.exists()  # nothing until confirmed
    client.post(reverse("accounts:deletion_request"), {"reason": "Tôi đã nghỉ hưu.", "confirm": "1"})
    request = DeletionRequest.objects.get(user=me)
    assert request.status == DeletionRequest.Status.PENDING

    secretary = staff_user(Role.SECRETARIAT)
    staff = Client()
    staff.force_login(secretary)
    queue = staff.get(reverse("reports:deletion_queue")).content.decode()
    assert "Tôi đã nghỉ hưu." in queue
    response = staff.post(reverse("reports:deletion_handle", args=[request.pk]), {"decision": "approve"})
    assert response.status_code == 302

    me.refresh_from_db()
    label = f"Người dùng đã xoá #{me.pk}"
    assert me.full_name == label and me.anonymized_at is not None
    assert me.email == f"xoa-{me.pk}@an-danh.invalid" and me.email != old_email
    assert not is_password_usable(me.password) and not me.is_active
    profile = Profile.objects.get(user=me)
    assert (profile.phone, profile.position, profile.is_party_member) == ("", "", False)
    assert set(EssayAuthor.objects.filter(essay__submitter=me).values_list("name", "phone")) == {(label, "")}
    assert Attempt.objects.get(pk=mine.pk).ip_address is None
    assert Attempt.objects.get(pk=mine.pk).score == mine.score  # results stay
    assert not Consent.objects.filter(user=me).exclude(ip_address=None).exists()
    request.refresh_from_db()
    assert (request.status, request.handled_by) == (DeletionRequest.Status.DONE, secretary)
    decision = Decision.objects.get(action=Decision.Action.ANONYMIZE)
    assert (decision.object_id, decision.object_repr, decision.actor) == (me.pk, label, secretary)
    # Nobody else was touched; the person can no longer sign in.
    other.refresh_from_db()
    assert other.is_active and other.anonymized_at is None
    assert not Client().login(email=old_email, password="DemoPass123!")
    assert old_name not in staff.get(reverse("reports:deletion_queue")).content.decode()


def test_a_refusal_needs_a_reason_and_the_person_sees_it(client, secretariat):
    me = contestant()
    request = privacy.deletion_request_create(user=me, reason="Xoá giúp tôi.")
    client.force_login(secretariat)

    empty = client.post(reverse("reports:deletion_handle", args=[request.pk]), {"decision": "refuse", "note": ""})
    assert "Vui lòng ghi lý do từ chối" in empty.content.decode()
    client.post(reverse("reports:deletion_handle", args=[request.pk]), {"decision": "refuse", "note": "Đang trao giải."})

    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.REFUSED
    me.refresh_from_db()
    assert me.anonymized_at is None
    person = Client()
    person.force_login(me)
    assert "Đang trao giải." in person.get(reverse("accounts:my_data")).content.decode()


def test_one_pending_request_at_a_time(client):
    me = contestant()
    privacy.deletion_request_create(user=me, reason="Lần một.")

    with pytest.raises(privacy.PrivacyError):
        privacy.deletion_request_create(user=me, reason="Lần hai.")
    client.force_login(me)
    assert client.get(reverse("accounts:deletion_request"))["Location"] == reverse("accounts:my_data")


def test_the_queue_is_for_the_secretariat_and_organizers_only(client):
    client.force_login(contestant())

    assert client.get(reverse("reports:deletion_queue")).status_code == 403


def test_anonymizing_twice_changes_nothing_more():
    me = contestant()
    privacy.person_anonymize(user=me)

    privacy.person_anonymize(user=me)

    assert Decision.objects.filter(action=Decision.Action.ANONYMIZE).count() == 1


# --- Retention ----------------------------------------------------------------------------------


def _archived(years_ago: int):
    today = datetime.date.today()
    ends = today - datetime.timedelta(days=365 * years_ago)
    return ContestFactory(status=ContestStatus.ARCHIVED, starts_on=ends - datetime.timedelta(days=90), ends_on=ends)


def _attempt_in(contest, user):
    # An archived contest takes no new round or attempt: played while it ran, archived after.
    # (Archiving is final for the application: the test data steps around it with an UPDATE.)
    status = contest.status
    type(contest).objects.filter(pk=contest.pk).update(status=ContestStatus.PUBLISHED)
    contest.status = ContestStatus.PUBLISHED
    round = sealed_round(pool_size=20, fields=2, contest=contest)
    attempt = attempt_start(round=round, user=user)
    attempt = attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=10))
    type(contest).objects.filter(pk=contest.pk).update(status=status)
    contest.status = status
    return attempt


def test_retention_dry_run_then_real(settings, capsys):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    old, recent, current = _archived(3), _archived(0), ContestFactory()
    only_old, also_current, only_recent = contestant(), contestant(), contestant()
    _attempt_in(old, only_old)
    _attempt_in(old, also_current)
    EssayFactory(submitter=also_current, phase=EssayPhaseFactory(contest=current))
    _attempt_in(recent, only_recent)
    judge = ProfileFactory(user=staff_user(Role.JUDGE)).user
    _attempt_in(old, judge)

    call_command("anonymize_archived", "--dry-run")

    out = capsys.readouterr().out
    assert "1 cuộc thi đã hết hạn; 1 thí sinh cần ẩn danh hoá" in out and "Chạy thử" in out
    assert not User.objects.filter(anonymized_at__isnull=False).exists()

    call_command("anonymize_archived")

    assert list(User.objects.filter(anonymized_at__isnull=False)) == [only_old]
    assert "Đã ẩn danh hoá 1 thí sinh." in capsys.readouterr().out
    decision = Decision.objects.get(action=Decision.Action.ANONYMIZE)
    assert decision.data == {"retention": 365} and decision.actor is None
    call_command("anonymize_archived")
    assert "0 thí sinh cần ẩn danh hoá" in capsys.readouterr().out


def test_retention_task_is_scheduled(settings):
    from accounts.tasks import anonymize_archived

    assert any(e["task"] == anonymize_archived.name for e in settings.CELERY_BEAT_SCHEDULE.values())
    assert anonymize_archived.delay().get() == 0


# --- Query counts -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_queue_costs_the_same_for_one_request_and_for_three(client, secretariat):
    client.force_login(secretariat)

    def add(handled: bool):
        request = privacy.deletion_request_create(user=contestant(), reason="Xoá giúp tôi.")
        if handled:
            privacy.deletion_request_handle(request=request, by=secretariat, approve=False, note="Chưa được.")

    add(True), add(False)
    one = _queries(client, reverse("reports:deletion_queue"))
    for _n in range(2):
        add(True), add(False)

    assert _queries(client, reverse("reports:deletion_queue")) == one


def test_the_download_costs_the_same_for_one_attempt_and_for_three(client):
    me = contestant()
    _play(me)
    client.force_login(me)
    one = _queries(client, reverse("personal_data:download_json"))
    _play(me)
    _play(me)

    assert _queries(client, reverse("personal_data:download_json")) == one


def test_the_download_tells_right_answers_only_when_the_contestant_may_see_them(client):
    me = contestant()
    round = sealed_round(pool_size=20, fields=2, review_policy="after_close")
    attempt = attempt_start(round=round, user=me)
    attempt_submit(attempt=attempt, user=me, answers=answer_all(attempt, right=12))
    client.force_login(me)

    rows = json.loads(client.get(reverse("personal_data:download_json")).content)["answers"]["rows"]

    assert len(rows) == 20 and {row["Đúng"] for row in rows} == {""}
    assert all(row["Phương án đã chọn"] for row in rows)


def test_retention_reads_pages_of_accounts_and_anonymizes_in_batches_each_task_its_own(settings, monkeypatch):
    """A national season's accounts are examined a page at a time and anonymized a batch at a
    time, the daily task handing the rest to a task of its own: with pages and batches of one,
    the same people are found and all of them anonymized, never someone of a newer contest."""
    from accounts import privacy
    from accounts.tasks import anonymize_archived

    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    old, current = _archived(3), ContestFactory()
    gone = [contestant() for _ in range(3)]
    kept = contestant()
    for person in [*gone, kept]:
        _attempt_in(old, person)
    EssayFactory(submitter=kept, phase=EssayPhaseFactory(contest=current))
    expected = sorted(p.pk for p in gone)
    assert privacy.retention_candidates() == expected

    monkeypatch.setattr(privacy, "RETENTION_PAGE", 1)
    assert privacy.retention_candidates() == expected
    assert privacy.retention_candidates(after=expected[0], limit=1) == expected[1:2]

    monkeypatch.setattr(privacy, "RETENTION_BATCH", 2)
    assert anonymize_archived.delay().get() == 2  # the first batch; the next one is a task of its own

    assert sorted(User.objects.filter(anonymized_at__isnull=False).values_list("pk", flat=True)) == expected
    assert Decision.objects.filter(action=Decision.Action.ANONYMIZE).count() == 3
    assert privacy.retention_candidates() == []
