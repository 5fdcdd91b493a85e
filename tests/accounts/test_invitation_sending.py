"""Invitations sent by the worker: an SMS to the listed number for everyone (sign-up is by SMS),
an e-mail too where the list has an address; a batch with its progress; the member page showing
who was invited by which channel and who signed up; the limits that keep an officer (careless or
hostile) from flooding a phone; a task run twice sending once."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts import invitations
from accounts.enums import InvitationStatus, MemberStatus, OrganizationKind
from accounts.models import InvitationBatch, InvitationDelivery, Member
from accounts.services import unit_officer_assign
from accounts.tasks import requeue_stale_invitations, send_invitation
from contests import sms
from tests.budgets import QUERIES
from tests.factories import OrganizationFactory, UserFactory, contestant

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    tax = OrganizationFactory(code="CTHUE", name="Đảng bộ Cục Thuế tỉnh")
    cell = OrganizationFactory(code="CTHUE-1", name="Chi bộ Phòng Kiểm tra", kind=OrganizationKind.CELL, parent=tax)
    power = OrganizationFactory(code="DIENLUC", name="Đảng bộ Công ty Điện lực")
    officer = UserFactory()
    unit_officer_assign(user=officer, organization=tax)
    people = [
        Member.objects.create(
            organization=cell, full_name="Nguyễn Thị Ngọc", phone="0352000101", email="ngoc@example.com", token="t1"
        ),
        Member.objects.create(organization=cell, full_name="Trần Văn Long", phone="0352000102", token="t2"),
        Member.objects.create(organization=tax, full_name="Lê Thị Trang", phone="0913222333", token="t3"),
    ]  # fmt: skip
    return {"tax": tax, "cell": cell, "power": power, "officer": officer, "people": people}


def _send(client, unit, capture):
    with capture(execute=True):
        return client.post(f"/accounts/units/{unit.pk}/invitations/send/")


def test_everyone_gets_an_sms_and_those_with_an_address_an_email_through_the_worker(
    client, tree, sms_outbox, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(tree["officer"])

    response = _send(client, tree["tax"], django_capture_on_commit_callbacks)

    batch = InvitationBatch.objects.get()
    assert response["Location"] == f"/accounts/units/{tree['tax'].pk}/invitations/{batch.pk}/"
    assert sorted(m.to for m in sms_outbox) == ["0352000101", "0352000102", "0913222333"]
    assert [m.to for m in mailoutbox] == [["ngoc@example.com"]]
    # Unaccented (GSM-7), one line, the unit named and the link to the invitation.
    body = next(m.body for m in sms_outbox if m.to == "0352000102")
    assert body.startswith("Chi bo Phong Kiem tra moi dong chi dang ky") and "/accounts/invitation/" in body
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", body).group(1)
    assert client.get(link).status_code == 302  # the officer is signed in: to their profile
    assert set(Member.objects.values_list("status", flat=True)) == {MemberStatus.SENT}

    page = client.get(response["Location"])
    assert page.context["progress"].finished and page.context["progress"].total == 4
    assert dict(page.context["channels"])["Tin nhắn SMS"]["sent"] == 3
    assert 'http-equiv="refresh"' not in page.content.decode()


def test_the_progress_page_refreshes_while_invitations_wait(client, tree):
    client.force_login(tree["officer"])

    response = client.post(f"/accounts/units/{tree['tax'].pk}/invitations/send/")  # no commit: nothing sent yet

    page = client.get(response["Location"])
    assert (page.context["progress"].done, page.context["progress"].total) == (0, 4)
    assert '<meta http-equiv="refresh" content="3">' in page.content.decode()


def test_the_member_page_shows_channels_and_who_signed_up(client, tree, django_capture_on_commit_callbacks, sms_outbox):
    client.force_login(tree["officer"])
    ngoc, long, trang = tree["people"]
    _send(client, tree["tax"], django_capture_on_commit_callbacks)
    Member.objects.filter(pk=trang.pk).update(status=MemberStatus.ACCEPTED, accepted_at=timezone.now())

    page = client.get(f"/accounts/units/{tree['tax'].pk}/members/")

    html = page.content.decode()
    rows = {row.member.pk: row for row in page.context["rows"]}
    assert (rows[ngoc.pk].sms.status, rows[ngoc.pk].email.status) == (InvitationStatus.SENT, InvitationStatus.SENT)
    assert (rows[long.pk].sms.status, rows[long.pk].email) == (InvitationStatus.SENT, None)
    assert page.context["counts"] == {"all": 3, "not_invited": 0, "invited": 2, "signed_up": 1}
    assert "không có địa chỉ" in html and "Đã đăng ký" in html and "Gửi lại lời mời" in html
    signed_up = client.get(f"/accounts/units/{tree['tax'].pk}/members/?show=signed_up")
    assert [r.member.pk for r in signed_up.context["rows"]] == [trang.pk]


def test_a_second_press_or_a_resend_the_same_day_sends_nothing_more(client, tree, sms_outbox, django_capture_on_commit_callbacks):
    client.force_login(tree["officer"])
    _send(client, tree["tax"], django_capture_on_commit_callbacks)
    sent = len(sms_outbox)
    long = tree["people"][1]

    again = _send(client, tree["tax"], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        resend = client.post(f"/accounts/units/{tree['tax'].pk}/invitations/resend/", {"member": long.pk}, follow=True)

    assert again["Location"] == f"/accounts/units/{tree['tax'].pk}/members/"
    assert len(sms_outbox) == sent
    assert "chỉ nhận một lời mời mỗi ngày" in resend.content.decode()
    assert InvitationBatch.objects.count() == 1


def test_a_resend_goes_the_next_day_and_stops_at_the_limit_per_person(tree, sms_outbox, django_capture_on_commit_callbacks):
    """One a day (the rows of day n are before the start of day n + 1), three in all."""
    long, day = tree["people"][1], timezone.now()
    for n in range(invitations.SMS_PER_MEMBER + 2):
        with django_capture_on_commit_callbacks(execute=True):
            result = invitations.invitations_queue(
                organization=tree["tax"], by=tree["officer"], member_ids=[long.pk], now=day + timedelta(days=n)
            )
        assert result.sms == (1 if n < invitations.SMS_PER_MEMBER else 0)

    assert len(sms_outbox) == invitations.SMS_PER_MEMBER


def test_another_unit_listing_the_same_number_cannot_flood_it(tree, sms_outbox, django_capture_on_commit_callbacks):
    """An officer who imports someone's number into their own unit and presses «send» the same day
    sends nothing: the limit counts the number, whoever sends."""
    other = UserFactory()
    unit_officer_assign(user=other, organization=tree["power"])
    Member.objects.create(organization=tree["power"], full_name="Người Khác", phone="0352000102", token="t9")
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitations_queue(organization=tree["tax"], by=tree["officer"])

    with django_capture_on_commit_callbacks(execute=True):
        result = invitations.invitations_queue(organization=tree["power"], by=other)

    assert (result.batch, result.limited) == (None, 1)
    assert [m.to for m in sms_outbox].count("0352000102") == 1


def test_an_officer_cannot_invite_see_or_follow_outside_their_units(client, tree, sms_outbox, django_capture_on_commit_callbacks):
    stranger = Member.objects.create(organization=tree["power"], full_name="Phạm Văn Xa", phone="0987000111", token="t8")
    client.force_login(tree["officer"])
    power = tree["power"].pk

    assert client.post(f"/accounts/units/{power}/invitations/send/").status_code == 404
    assert client.get(f"/accounts/units/{power}/members/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/accounts/units/{tree['tax'].pk}/invitations/resend/", {"member": stranger.pk})
    other_batch = InvitationBatch.objects.create(organization=tree["power"])
    assert client.get(f"/accounts/units/{tree['tax'].pk}/invitations/{other_batch.pk}/").status_code == 404
    assert client.get(f"/accounts/units/{power}/invitations/{other_batch.pk}/").status_code == 404
    assert sms_outbox == [] and not InvitationDelivery.objects.exists()
    client.force_login(contestant())
    assert client.get(f"/accounts/units/{tree['tax'].pk}/members/").status_code == 403


def _queued(tree):
    invitations.invitations_queue(organization=tree["tax"], by=tree["officer"], member_ids=[tree["people"][1].pk])
    return InvitationDelivery.objects.get()


def test_a_task_run_twice_sends_once(tree, sms_outbox):
    row = _queued(tree)

    first = send_invitation.apply(kwargs={"delivery_id": row.pk}).get()
    second = send_invitation.apply(kwargs={"delivery_id": row.pk}).get()

    assert (first, second, len(sms_outbox)) == (InvitationStatus.SENT, InvitationStatus.SENT, 1)


def test_someone_who_signed_up_before_the_task_ran_is_not_written_to(tree, sms_outbox):
    row = _queued(tree)
    Member.objects.filter(pk=row.member_id).update(status=MemberStatus.ACCEPTED)

    assert invitations.invitation_delivery_send(delivery_id=row.pk) == InvitationStatus.CANCELLED
    assert sms_outbox == []


def test_over_the_sms_ceiling_an_invitation_waits_for_the_next_window(tree, settings, sms_outbox):
    settings.SMS_MAX_PER_HOUR, settings.SMS_MAX_PER_DAY = 5, 100
    cache.set(sms._windows()[0].key, 4, 3600)  # bulk messages stop at 80 %: 4 of 5
    row = _queued(tree)

    status = invitations.invitation_delivery_send(delivery_id=row.pk)

    row.refresh_from_db()
    assert (status, row.attempts, sms_outbox) == (InvitationStatus.QUEUED, 0, [])
    assert row.next_attempt_at == sms._windows()[0].ends_at


def test_a_gateway_failure_is_retried_then_given_up(tree, settings, sms_outbox):
    settings.SMS_BACKEND = "contests.sms.FailingBackend"
    row = _queued(tree)
    now = timezone.now()

    statuses = [invitations.invitation_delivery_send(delivery_id=row.pk, now=now) for _ in range(5)]

    row.refresh_from_db()
    assert statuses == [InvitationStatus.QUEUED] * 4 + [InvitationStatus.FAILED]
    assert row.attempts == 5 and "FailingBackend" in row.last_error and "0352000102" not in row.last_error
    assert Member.objects.get(pk=row.member_id).status == MemberStatus.LISTED


def test_the_beat_sends_again_what_a_lost_task_left_queued(tree, sms_outbox):
    row = _queued(tree)
    InvitationDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=10))

    assert requeue_stale_invitations.apply().get() == 1
    assert [m.to for m in sms_outbox] == ["0352000102"]


@pytest.mark.parametrize("count", [1, 3])
def test_the_member_page_costs_the_same_queries_for_one_or_many(client, tree, count, django_assert_num_queries):
    for n in range(count):
        Member.objects.create(
            organization=tree["cell"], full_name=f"Thêm Người {chr(65 + n)}", phone=f"098700020{n}", token=f"x{n}"
        )
    invitations.invitations_queue(organization=tree["tax"], by=tree["officer"])
    client.force_login(tree["officer"])
    client.get(f"/accounts/units/{tree['tax'].pk}/members/")  # the roles, the session: warm

    with django_assert_num_queries(QUERIES["unit_members_page"]):
        assert client.get(f"/accounts/units/{tree['tax'].pk}/members/").status_code == 200


def test_anonymizing_a_person_blanks_where_their_invitations_went(tree, sms_outbox, django_capture_on_commit_callbacks):
    from accounts import privacy

    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitations_queue(organization=tree["tax"], by=tree["officer"])
    ngoc = tree["people"][0]
    person = contestant(user__phone=ngoc.phone, user__phone_verified=True)

    privacy.person_anonymize(user=person)

    assert set(InvitationDelivery.objects.filter(member=ngoc).values_list("address", flat=True)) == {""}
    assert InvitationDelivery.objects.exclude(member=ngoc).exclude(address="").count() == 2


def test_an_invitation_that_failed_does_not_use_up_the_day_and_a_placeholder_is_not_texted(tree, sms_outbox):
    long, ngoc = tree["people"][1], tree["people"][0]
    invitations.invitations_queue(organization=tree["tax"], by=tree["officer"], member_ids=[long.pk])
    InvitationDelivery.objects.update(status=InvitationStatus.FAILED)
    Member.objects.filter(pk=ngoc.pk).update(phone="X000000001")

    again = invitations.invitations_queue(organization=tree["tax"], by=tree["officer"], member_ids=[long.pk, ngoc.pk])

    assert (again.sms, again.email) == (1, 1)
    assert set(InvitationDelivery.objects.filter(member=ngoc).values_list("channel", flat=True)) == {"email"}
