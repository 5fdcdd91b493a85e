"""Personal data in the parts added after the first round of Decree 13 work: the sign-in number,
member lists and unit officers, notifications, certificates and winners' details. Each is in
«Tải dữ liệu của tôi» and each is blanked by the one anonymization (accounts.privacy.person_anonymize),
and the contest's results still verify afterwards."""

import datetime
import json
import secrets

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts import privacy
from accounts.enums import Role
from accounts.members import invitation_link, member_for_invitation
from accounts.models import Member, UnitOfficer, User
from accounts.phone import normalize_phone
from accounts.services import unit_officer_assign
from audit.verification import verify_results
from awards import winner_details as wd
from awards.certificates import certificates_issue, display_code
from awards.models import Certificate, WinnerDetails, WinnerDetailsAccess, WinnerDetailsRequest
from contests.enums import NotificationChannel, NotificationKind, NotificationStatus
from contests.models import Notification, NotificationPreference
from contests.notifications import notification_send, preferences_set
from essays.models import EssayPrize
from privacy.personal_data import person_data, person_data_json
from quiz.models import Prize
from reports import selectors
from tests.audit.test_verify_results import built  # noqa: F401  (the fixture)
from tests.factories import UserFactory, contestant, staff_user

pytestmark = pytest.mark.django_db

DETAILS = {
    "citizen_id": "015085001234",
    "birth_date": "1985-09-19",
    "address": "Tổ 5, phường Đồng Tâm",
    "bank_account": "123456789012",
    "bank_name": "Agribank",
    "account_holder": "NGUYỄN VĂN BÌNH",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _mail(user, key, **extra) -> Notification:
    return Notification.objects.create(
        recipient=user, channel=NotificationChannel.EMAIL, kind=NotificationKind.PRIZE_WON, key=key,
        address=user.email, subject="Chúc mừng", body=f"Chào {user.full_name}, anh/chị đạt giải.", **extra,
    )  # fmt: skip


@pytest.fixture
def winner(built):  # noqa: F811
    """The first quiz prize's winner of a verified, published contest, holding everything the new
    parts keep about a person: a verified sign-in number, two member lines (one linked by the
    invitation, one under the verified number), a unit assignment, notification choices and
    messages, certificates, winner's details that the secretariat looked at. Someone else has
    the same kinds of things, which must stay theirs."""
    contest, round, people, judge, final = built
    prize = Prize.objects.filter(round=round).order_by("rank").first()
    user = prize.user
    User.objects.filter(pk=user.pk).update(phone="0901234567", phone_verified=True)
    user.refresh_from_db()
    unit = user.profile.organization
    linked = Member.objects.create(
        organization=unit, full_name=user.full_name, phone="0987000111", email="ca-nhan@example.com",
        position="Phó phòng", is_party_member=True, token=secrets.token_urlsafe(32), user=user,
    )  # fmt: skip
    listed = Member.objects.create(
        organization=unit, full_name="Tên khác trong danh sách", phone=user.phone, token=secrets.token_urlsafe(32)
    )
    # Another person: their line has the number this winner typed on a profile, unverified.
    other = people[1]
    stranger = Member.objects.create(
        organization=unit, full_name="Người khác hẳn", phone=user.profile.phone, token=secrets.token_urlsafe(32)
    )
    unit_officer_assign(user=user, organization=unit)
    preferences_set(user_id=user.pk, choices={NotificationKind.ROUND_OPEN: True, NotificationKind.RESULTS: False})
    sent = _mail(user, "prize_won:1", status=NotificationStatus.SENT)
    queued = _mail(user, "prize_won:2")
    theirs = _mail(other, "prize_won:1")
    certificates_issue(contest=contest)
    secretary = staff_user(Role.SECRETARIAT)
    winner = wd.winner_prize("quiz", prize.pk)
    now = timezone.now()  # the request is written directly: its e-mail would be one more of the person's messages
    WinnerDetailsRequest.objects.create(prize=prize, requested_at=now, expires_at=now + datetime.timedelta(days=1))
    row = wd.winner_details_submit(winner=winner, data=DETAILS, by=user)
    wd.details_for_staff(details=[row], viewer=secretary, where="page")
    return {
        "contest": contest, "user": user, "prize": prize, "linked": linked, "listed": listed, "stranger": stranger,
        "other": other, "sent": sent, "queued": queued, "theirs": theirs, "secretary": secretary, "details": row,
    }  # fmt: skip


def _export(user) -> dict:
    return json.loads(person_data_json(person_data(user=user)))


def _rows(data, key) -> list[dict]:
    return data[key]["rows"]


# --- the download -------------------------------------------------------------------------------


def test_the_download_holds_the_sign_in_number_and_the_member_lines_that_are_provably_theirs(winner):
    data = _export(winner["user"])

    account = _rows(data, "account")[0]
    assert account["Số điện thoại đăng nhập"] == "0901234567" and account["Đã xác minh số điện thoại"] is True
    lines = _rows(data, "member_lists")
    assert [(r["Họ và tên"], r["Số điện thoại"]) for r in lines] == [
        (winner["user"].full_name, "0987000111"),
        ("Tên khác trong danh sách", "0901234567"),
    ]
    assert lines[0]["E-mail"] == "ca-nhan@example.com" and lines[0]["Là đảng viên"] is True
    text = json.dumps(data, ensure_ascii=False)
    assert "Người khác hẳn" not in text  # same number as their profile, but nobody proved it theirs
    assert winner["linked"].token not in text and winner["listed"].token not in text
    assert [r["Đơn vị"] for r in _rows(data, "unit_officer")] == [_rows(data, "profile")[0]["Đơn vị"]]


def test_an_unverified_sign_in_number_finds_no_member_line(winner):
    User.objects.filter(pk=winner["user"].pk).update(phone_verified=False)
    winner["user"].refresh_from_db()

    assert list(privacy.member_lines(user=winner["user"])) == [winner["linked"]]


def test_the_download_holds_notification_choices_and_their_own_messages_only(winner):
    data = _export(winner["user"])

    assert {(r["Loại"], r["Nhận"]) for r in _rows(data, "notification_preferences")} == {
        ("Tuần thi mới mở", True), ("Công bố kết quả", False),
    }  # fmt: skip
    messages = _rows(data, "notifications")
    assert len(messages) == Notification.objects.filter(recipient=winner["user"]).count() >= 2
    assert {m["Gửi tới"] for m in messages} == {winner["user"].email}
    assert {(m["Nội dung"], m["Trạng thái"]) for m in messages} >= {
        (winner["sent"].body, "Đã gửi"), (winner["queued"].body, "Đang chờ gửi"),
    }  # fmt: skip
    assert winner["other"].email not in json.dumps(data, ensure_ascii=False)


def test_the_download_lists_certificates_and_that_details_are_held_but_not_their_values(winner):
    user = winner["user"]
    data = _export(user)

    certificates = _rows(data, "certificates")
    mine = Certificate.objects.filter(user=user)
    assert sorted(c["Mã xác minh"] for c in certificates) == sorted(display_code(c.code) for c in mine)
    assert {c["Loại"] for c in certificates} == {"Chứng nhận tham gia", "Giải thi trắc nghiệm"}
    prize_row = next(c for c in certificates if c["Loại"] == "Giải thi trắc nghiệm")
    assert prize_row["Chứng nhận"].startswith("Đạt Giải Nhất") and prize_row["Còn hiệu lực"] is True
    assert prize_row["Họ và tên"] == user.full_name
    held = _rows(data, "winner_details")
    assert len(held) == 1 and winner["prize"].round.name in held[0]["Giải"]
    text = json.dumps(data, ensure_ascii=False)
    for secret in ("015085001234", "123456789012", "Đồng Tâm", "1985-09-19"):
        assert secret not in text
    looks = _rows(data, "winner_details_accesses")
    assert [(a["Người xem"], a["Ở đâu"]) for a in looks] == [("Tổ thư ký", "Trang thông tin nhận giải")]
    assert winner["secretary"].full_name not in text and winner["secretary"].email not in text


def test_nobody_else_gets_the_winners_details_or_certificates(winner):
    data = _export(winner["other"])

    assert _rows(data, "winner_details") == [] and _rows(data, "winner_details_accesses") == []
    codes = {c["Mã xác minh"] for c in _rows(data, "certificates")}
    assert codes.isdisjoint({display_code(c.code) for c in Certificate.objects.filter(user=winner["user"])})


def test_the_excel_download_has_a_sheet_for_each_new_part(client, winner):
    client.force_login(winner["user"])

    response = client.get(reverse("personal_data:download_xlsx"))

    from io import BytesIO

    from openpyxl import load_workbook

    names = load_workbook(BytesIO(response.content)).sheetnames
    for title in ("Danh sách thành viên của đơn vị", "Cán bộ phụ trách đơn vị", "Lựa chọn nhận thông báo",
                  "Thông báo đã gửi", "Giấy chứng nhận", "Thông tin nhận giải", "Lượt xem thông tin nhận giải"):  # fmt: skip
        assert title[:31] in names


# --- anonymizing --------------------------------------------------------------------------------


def test_anonymizing_blanks_the_sign_in_number_and_the_member_lines_but_keeps_the_lines(winner):
    user, linked, listed = winner["user"], winner["linked"], winner["listed"]
    link = invitation_link(listed).rsplit("/", 2)[-2]
    assert member_for_invitation(link) == listed
    label = f"Người dùng đã xoá #{user.pk}"
    lines_before = Member.objects.count()

    privacy.person_anonymize(user=user, by=winner["secretary"])

    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == (None, False)
    assert Member.objects.count() == lines_before
    for line in (linked, listed):
        old_token = line.token
        line.refresh_from_db()
        assert (line.full_name, line.email, line.position, line.is_party_member) == (label, "", "", False)
        assert line.phone == privacy.placeholder_phone(line.pk) and len(line.phone) <= 10
        with pytest.raises(ValidationError):
            normalize_phone(line.phone)
        assert line.token != old_token
    assert linked.user_id == user.pk  # still counted as signed up
    assert member_for_invitation(link) is None  # the invitation already sent leads nowhere
    stranger = Member.objects.get(pk=winner["stranger"].pk)
    assert (stranger.full_name, stranger.phone) == ("Người khác hẳn", winner["stranger"].phone)


def test_anonymizing_ends_the_unit_assignments_and_the_role(winner):
    user = winner["user"]
    assert user.groups.filter(name=Role.UNIT_OFFICER).exists()

    privacy.person_anonymize(user=user)

    assert not UnitOfficer.objects.filter(user=user).exists()
    assert not User.objects.get(pk=user.pk).groups.filter(name=Role.UNIT_OFFICER).exists()


def test_anonymizing_deletes_messages_and_choices_and_a_queued_message_never_goes(winner):
    user = winner["user"]

    privacy.person_anonymize(user=user)
    mail.outbox.clear()

    assert not Notification.objects.filter(recipient=user).exists()
    assert not NotificationPreference.objects.filter(user=user).exists()
    assert notification_send(notification_id=winner["queued"].pk) is None
    assert mail.outbox == []
    assert Notification.objects.filter(pk=winner["theirs"].pk).exists()


def test_anonymizing_renames_certificates_which_still_verify_under_the_pseudonym(client, winner):
    user = winner["user"]
    name = user.full_name
    codes = list(Certificate.objects.filter(user=user).values_list("code", flat=True))

    privacy.person_anonymize(user=user)

    label = f"Người dùng đã xoá #{user.pk}"
    assert set(Certificate.objects.filter(user=user).values_list("holder_name", flat=True)) == {label}
    assert list(Certificate.objects.filter(user=user).values_list("code", flat=True)) == codes
    for code in codes:
        page = client.get(reverse("certs:verify", args=[code])).content.decode()
        assert label in page and name not in page
        assert 'data-verify="valid"' in page


def test_anonymizing_an_essay_winner_renames_every_author_certificate_of_their_essay(built):  # noqa: F811
    contest, *_ = built
    certificates_issue(contest=contest)
    submitter = EssayPrize.objects.order_by("rank").first().essay.submitter
    assert Certificate.objects.filter(user=submitter, kind=Certificate.Kind.ESSAY_PRIZE).exists()

    privacy.person_anonymize(user=submitter)

    names = set(Certificate.objects.filter(user=submitter).values_list("holder_name", flat=True))
    assert names == {f"Người dùng đã xoá #{submitter.pk}"}


def test_anonymizing_deletes_the_winners_details_and_keeps_the_log_of_looks(client, winner):
    user, prize, secretary = winner["user"], winner["prize"], winner["secretary"]

    privacy.person_anonymize(user=user)

    assert not WinnerDetails.objects.exists()
    assert list(WinnerDetailsAccess.objects.values_list("details", "prize", "viewer", "where")) == [
        (None, prize.pk, secretary.pk, "page"),
    ]  # fmt: skip
    client.force_login(secretary)
    assert client.get(f"/reports/awards/quiz/{prize.pk}/").status_code == 404  # nothing to see any more


def test_verify_results_passes_after_anonymizing_a_winner_with_everything(winner):
    contest, user = winner["contest"], winner["user"]
    before = selectors.unit_table(contest=contest)
    members_before = {row.unit.pk: row.members for row in before}

    privacy.person_anonymize(user=user, by=winner["secretary"], reason="Yêu cầu của người dùng")
    privacy.person_anonymize(user=user)  # twice: nothing more happens

    assert verify_results(contest_slug=contest.slug).messages() == []
    call_command("verify_results", "--contest", contest.slug)
    after = selectors.unit_table(contest=contest)
    assert after == before
    assert {row.unit.pk: row.members for row in after} == members_before


def test_an_account_with_none_of_it_is_anonymized_too():
    user = UserFactory()

    privacy.person_anonymize(user=user)

    assert User.objects.get(pk=user.pk).anonymized_at is not None


# --- the placeholder ------------------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=36**9 - 1), st.integers(min_value=1, max_value=36**9 - 1))
def test_placeholders_are_short_unique_and_never_a_mobile_number(a, b):
    first, second = privacy.placeholder_phone(a), privacy.placeholder_phone(b)

    assert len(first) <= 10
    assert (first == second) == (a == b)
    with pytest.raises(ValidationError):
        normalize_phone(first)


def test_the_download_holds_the_invitations_sent_to_their_lines_and_no_one_elses(winner, django_capture_on_commit_callbacks):
    from accounts import invitations

    linked = winner["linked"]
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitations_queue(organization=linked.organization, by=staff_user(Role.ORGANIZER), member_ids=[linked.pk])

    rows = _rows(_export(winner["user"]), "invitations")
    assert rows and {r["Gửi tới"] for r in rows} <= {linked.phone, linked.email}
    assert {r["Kênh"] for r in rows} == {"Tin nhắn SMS", "E-mail"}  # the line has an address: both channels
    assert all(r["Đơn vị"] for r in rows)
    assert _rows(_export(contestant()), "invitations") == []  # nobody else sees them
