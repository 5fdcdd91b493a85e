"""Reminders a unit officer sends to the people of their units who have not taken part this week,
within the limits, through the outbox, with each person's delivery on the page; and each
officer's weekly digest."""

import datetime

import pytest
from django.utils import timezone

from accounts.enums import OrganizationKind, Role
from accounts.services import unit_officer_assign
from contests import notifications
from contests.enums import NotificationChannel, NotificationKind
from contests.models import ChannelChoice, Notification
from quiz.services.attempts import attempt_start, attempt_submit
from reports import reminders
from reports.models import Reminder, ReminderRecipient
from tests.budgets import QUERIES
from tests.factories import ContestFactory, OrganizationFactory, UserFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    bloc = OrganizationFactory(code="DUK", name="Đảng ủy Khối", kind=OrganizationKind.BLOC)
    tax = OrganizationFactory(code="CTHUE", name="Đảng bộ Cục Thuế tỉnh", parent=bloc, member_count=4)
    cell = OrganizationFactory(code="CTHUE-1", name="Chi bộ Phòng Kiểm tra", kind=OrganizationKind.CELL, parent=tax)
    power = OrganizationFactory(code="DIENLUC", name="Đảng bộ Công ty Điện lực", parent=bloc, member_count=2)
    officer = UserFactory(full_name="Vương Thị Thanh", phone="0987000001", phone_verified=True)
    unit_officer_assign(user=officer, organization=tax)
    contest = ContestFactory()
    week = sealed_round(contest=contest, number=1, pool_size=20, fields=2)
    return {"bloc": bloc, "tax": tax, "cell": cell, "power": power, "officer": officer, "contest": contest, "week": week}


_phones = iter(range(100, 999))


def _member(unit, name, **user):
    """A contestant of the unit whose sign-in number is verified (SMS reach them)."""
    n = next(_phones)
    return contestant(
        organization=unit, phone=f"0912000{n}", user__full_name=name, user__phone=f"0912000{n}", user__phone_verified=True, **user
    )


def _take(round, user):
    attempt = attempt_start(round=round, user=user)
    attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=15))


def _press(client, unit, people, week, capture):
    """Press «Gửi lời nhắc» (the worker runs the messages after the commit), then open the page
    the press leads to."""
    with capture(execute=True):
        response = client.post(f"/reports/units/{unit.pk}/reminders/", {"round": week.pk, "people": [p.pk for p in people]})
    return client.get(response["Location"]) if response.status_code == 302 else response


def test_the_page_lists_who_would_be_reminded_and_by_which_channel(client, tree):
    absent = _member(tree["cell"], "Đỗ Văn Vắng")
    zalo_person = _member(tree["tax"], "Lê Thị Zalo")
    ChannelChoice.objects.create(user=zalo_person, channel=NotificationChannel.ZALO)
    took_part = _member(tree["cell"], "Bùi Quang Huy")
    _take(tree["week"], took_part)
    _member(tree["power"], "Người Đơn Vị Khác")
    client.force_login(tree["officer"])

    html = client.get(f"/reports/units/{tree['tax'].pk}/reminders/").content.decode()

    assert "Đỗ Văn Vắng" in html and "Lê Thị Zalo" in html
    assert "Bùi Quang Huy" not in html and "Người Đơn Vị Khác" not in html
    assert f'value="{absent.pk}" checked' in html
    assert "Zalo" in html and "Tin nhắn SMS" in html


def test_sending_queues_one_message_each_sent_by_the_worker(client, tree, sms_outbox, django_capture_on_commit_callbacks):
    one, two = _member(tree["cell"], "Đỗ Văn Một"), _member(tree["tax"], "Đỗ Văn Hai")
    client.force_login(tree["officer"])

    response = _press(client, tree["tax"], [one, two], tree["week"], django_capture_on_commit_callbacks)

    reminder = Reminder.objects.get()
    assert response.request["PATH_INFO"] == f"/reports/units/{tree['tax'].pk}/reminders/{reminder.pk}/"
    assert sorted(m.to for m in sms_outbox) == sorted([one.phone, two.phone])
    assert "Cuc Thue tinh nhac: Tuan thi thu 1 mo den" in sms_outbox[0].body
    html = response.content.decode()
    assert html.count('data-status="sent"') == 2
    assert "Đỗ Văn Một" in html


def test_a_double_press_queues_once(client, tree, sms_outbox, django_capture_on_commit_callbacks):
    person = _member(tree["cell"], "Đỗ Văn Một")
    client.force_login(tree["officer"])

    _press(client, tree["tax"], [person], tree["week"], django_capture_on_commit_callbacks)
    second = _press(client, tree["tax"], [person], tree["week"], django_capture_on_commit_callbacks)

    assert Reminder.objects.count() == 1
    assert len(sms_outbox) == 1
    assert "Không có ai để nhắc" in second.content.decode()


def test_a_person_is_reminded_once_a_day_whoever_reminds_them(client, tree, sms_outbox, django_capture_on_commit_callbacks):
    person = _member(tree["cell"], "Đỗ Văn Một")
    cell_officer = UserFactory()
    unit_officer_assign(user=cell_officer, organization=tree["cell"])
    client.force_login(tree["officer"])
    _press(client, tree["tax"], [person], tree["week"], django_capture_on_commit_callbacks)
    client.force_login(cell_officer)

    plan = reminders.reminder_plan(organization=tree["cell"], contest=tree["contest"])
    _press(client, tree["cell"], [person], tree["week"], django_capture_on_commit_callbacks)

    assert (plan.people, plan.reminded_today) == ([], 1)
    assert len(sms_outbox) == 1


def test_the_next_day_a_person_may_be_reminded_again(tree):
    person = _member(tree["cell"], "Đỗ Văn Một")
    now = timezone.now()
    week = tree["week"]
    kwargs = {"organization": tree["tax"], "contest": tree["contest"], "by": tree["officer"], "round_id": week.pk}

    first = reminders.reminder_send(**kwargs, user_ids=[person.pk], now=now)
    again = reminders.reminder_send(**kwargs, user_ids=[person.pk], now=now + datetime.timedelta(days=1))

    assert first.queued == 1 and again.queued == 1
    assert ReminderRecipient.objects.filter(user=person).count() == 2


def test_the_units_daily_limit_leaves_the_rest_for_tomorrow(
    client, tree, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.REMINDERS_PER_UNIT_PER_DAY = 2
    people = [_member(tree["cell"], f"Đỗ Văn {c}") for c in "ABC"]
    client.force_login(tree["officer"])

    _press(client, tree["tax"], people, tree["week"], django_capture_on_commit_callbacks)
    plan = reminders.reminder_plan(organization=tree["tax"], contest=tree["contest"])

    assert len(sms_outbox) == 2
    assert (len(plan.people), plan.sent_today, plan.over_limit) == (0, 2, 1)
    assert plan.reminded_today == 2


def test_those_who_turned_reminders_off_or_have_no_account_are_left_out(tree):
    off = _member(tree["cell"], "Đỗ Văn Tắt")
    notifications.unsubscribe(user_id=off.pk, kind=NotificationKind.REMINDER)
    from accounts.models import Member

    Member.objects.create(organization=tree["cell"], full_name="Chưa Đăng Ký", phone="0352000109", token="m1")

    plan = reminders.reminder_plan(organization=tree["tax"], contest=tree["contest"])

    assert plan.people == [] and plan.turned_off == 1 and plan.unreachable == 1


def test_ids_of_people_outside_the_unit_are_ignored(tree, sms_outbox, django_capture_on_commit_callbacks):
    mine = _member(tree["cell"], "Đỗ Văn Của Tôi")
    other = _member(tree["power"], "Người Đơn Vị Khác")

    with django_capture_on_commit_callbacks(execute=True):
        result = reminders.reminder_send(
            organization=tree["tax"],
            contest=tree["contest"],
            by=tree["officer"],
            round_id=tree["week"].pk,
            user_ids=[mine.pk, other.pk],
        )

    assert result.queued == 1
    assert [m.to for m in sms_outbox] == [mine.phone]


def test_a_week_that_closed_since_the_page_is_refused(client, tree):
    person = _member(tree["cell"], "Đỗ Văn Một")
    week = tree["week"]
    client.force_login(tree["officer"])

    response = client.post(
        f"/reports/units/{tree['tax'].pk}/reminders/", {"round": week.pk + 1000, "people": [person.pk]}, follow=True
    )

    assert "Tuần thi đã đóng" in response.content.decode()
    assert Reminder.objects.count() == 0


def test_between_rounds_there_is_nothing_to_remind_of(client, tree):
    week = tree["week"]
    week.__class__.objects.filter(pk=week.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    _member(tree["cell"], "Đỗ Văn Một")
    client.force_login(tree["officer"])

    html = client.get(f"/reports/units/{tree['tax'].pk}/reminders/").content.decode()

    assert "Không có tuần thi nào đang mở" in html


def test_a_zalo_failure_shows_as_sms_instead_on_the_page(client, tree, settings, sms_outbox, django_capture_on_commit_callbacks):
    settings.ZALO_BACKEND = "tests.reports.test_reminders.RefusingZalo"
    person = _member(tree["cell"], "Lê Thị Zalo")
    ChannelChoice.objects.create(user=person, channel=NotificationChannel.ZALO)
    client.force_login(tree["officer"])

    html = _press(client, tree["tax"], [person], tree["week"], django_capture_on_commit_callbacks).content.decode()

    assert Notification.objects.get().fallback.startswith("Zalo: Zalo error -118")
    assert "thay Zalo" in html
    assert [m.to for m in sms_outbox] == [person.phone]


class RefusingZalo:
    def send(self, message):
        from contests.zalo import NOT_ON_ZALO, ZaloError

        raise ZaloError("Zalo error -118: no Zalo account for this number", code=NOT_ON_ZALO)


# --- Who may ---------------------------------------------------------------------------------------


def _urls(unit, reminder_id=1):
    return [
        ("get", f"/reports/units/{unit.pk}/reminders/"),
        ("post", f"/reports/units/{unit.pk}/reminders/"),
        ("get", f"/reports/units/{unit.pk}/reminders/{reminder_id}/"),
    ]


def test_an_officer_gets_404_for_another_units_reminders(client, tree, sms_outbox):
    other = _member(tree["power"], "Người Đơn Vị Khác")
    client.force_login(tree["officer"])

    for unit in (tree["power"], tree["bloc"]):
        for method, url in _urls(unit):
            assert getattr(client, method)(url, {"round": tree["week"].pk, "people": [other.pk]}).status_code == 404, url
    assert Reminder.objects.count() == 0 and sms_outbox == []


def test_another_units_reminder_is_a_404_under_the_officers_own_unit(client, tree):
    power_officer = UserFactory()
    unit_officer_assign(user=power_officer, organization=tree["power"])
    other = _member(tree["power"], "Người Đơn Vị Khác")
    result = reminders.reminder_send(
        organization=tree["power"], contest=tree["contest"], by=power_officer, round_id=tree["week"].pk, user_ids=[other.pk]
    )
    client.force_login(tree["officer"])

    assert client.get(f"/reports/units/{tree['tax'].pk}/reminders/{result.reminder.pk}/").status_code == 404
    assert client.get(f"/reports/units/{tree['power'].pk}/reminders/{result.reminder.pk}/").status_code == 404


def test_contestants_and_judges_are_refused(client, tree):
    for user in (contestant(organization=tree["tax"]), staff_user(Role.JUDGE)):
        client.force_login(user)
        for method, url in _urls(tree["tax"]):
            assert getattr(client, method)(url).status_code == 403, url


def test_anonymous_goes_to_the_login_page(client, tree):
    for method, url in _urls(tree["tax"]):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_the_secretariat_may_remind_any_unit(client, tree, sms_outbox, django_capture_on_commit_callbacks):
    person = _member(tree["power"], "Người Điện Lực")
    client.force_login(staff_user(Role.SECRETARIAT))

    _press(client, tree["power"], [person], tree["week"], django_capture_on_commit_callbacks)

    assert [m.to for m in sms_outbox] == [person.phone]


# --- Listed people with no account: the invitation again --------------------------------------------


def _listed(unit, name, phone):
    from accounts.models import Member

    return Member.objects.create(organization=unit, full_name=name, phone=phone, token=f"t{phone}")


def test_listed_people_with_no_account_are_invited_again_from_the_reminder_page(
    client, tree, sms_outbox, django_capture_on_commit_callbacks
):
    from accounts.models import InvitationDelivery

    unsigned = _listed(tree["cell"], "Phan Văn Chưa", "0352000201")
    signed = _member(tree["cell"], "Đỗ Văn Có")  # listed too, with the same number as his account
    _listed(tree["cell"], "Đỗ Văn Có", signed.phone)
    took_part = _member(tree["tax"], "Bùi Quang Huy")
    _take(tree["week"], took_part)
    _listed(tree["tax"], "Bùi Quang Huy", took_part.phone)
    _listed(tree["power"], "Người Đơn Vị Khác", "0352000203")
    client.force_login(tree["officer"])
    url = f"/reports/units/{tree['tax'].pk}/reminders/"

    page = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        pressed = client.post(url, {"action": "invite"})
    again = client.post(url, {"action": "invite"}, follow=True)

    assert "data-invite-unsigned" in page and "Gửi lại lời mời đăng ký cho 1 người" in page
    assert pressed.status_code == 302 and "/invitations/" in pressed["Location"]
    sent = [(d.member_id, d.channel, d.address) for d in InvitationDelivery.objects.all()]
    assert sent == [(unsigned.pk, "sms", unsigned.phone)]
    assert [m.to for m in sms_outbox] == [unsigned.phone]  # the invitation's link, by the worker
    assert "chưa được gửi thêm" in again.content.decode()  # one invitation a day per number
    assert InvitationDelivery.objects.count() == 1


def test_no_invitation_between_rounds_nor_for_another_unit(client, tree, sms_outbox):
    from accounts.models import InvitationDelivery

    _listed(tree["cell"], "Phan Văn Chưa", "0352000201")
    _listed(tree["power"], "Người Đơn Vị Khác", "0352000203")
    client.force_login(tree["officer"])

    other = client.post(f"/reports/units/{tree['power'].pk}/reminders/", {"action": "invite"})
    week = tree["week"]
    week.__class__.objects.filter(pk=week.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    closed = client.post(f"/reports/units/{tree['tax'].pk}/reminders/", {"action": "invite"}, follow=True)

    assert other.status_code == 404
    assert "Tuần thi đã đóng" in closed.content.decode()
    assert InvitationDelivery.objects.count() == 0 and sms_outbox == []


# --- Queries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3])
def test_the_reminders_page_costs_the_same_for_one_person_or_three(client, tree, n, django_assert_num_queries):
    for i in range(n):
        _member(tree["cell"] if i % 2 else tree["tax"], f"Đỗ Văn {'ABC'[i]}")
    client.force_login(tree["officer"])
    client.get(f"/reports/units/{tree['tax'].pk}/reminders/")  # the session and roles warm

    with django_assert_num_queries(QUERIES["unit_reminders_page"]):
        assert client.get(f"/reports/units/{tree['tax'].pk}/reminders/").status_code == 200


@pytest.mark.parametrize("n", [1, 3])
def test_a_reminders_page_costs_the_same_for_one_person_or_three(client, tree, n, django_assert_num_queries):
    people = [_member(tree["cell"], f"Đỗ Văn {'ABC'[i]}") for i in range(n)]
    result = reminders.reminder_send(
        organization=tree["tax"],
        contest=tree["contest"],
        by=tree["officer"],
        round_id=tree["week"].pk,
        user_ids=[p.pk for p in people],
    )
    client.force_login(tree["officer"])
    url = f"/reports/units/{tree['tax'].pk}/reminders/{result.reminder.pk}/"
    client.get(url)

    with django_assert_num_queries(QUERIES["unit_reminder_page"]):
        assert client.get(url).status_code == 200


# --- The weekly digest -----------------------------------------------------------------------------


def test_each_officer_gets_their_units_against_the_bloc_once_a_week(tree, mailoutbox, django_capture_on_commit_callbacks):
    tree["officer"].email = "thanh@example.com"
    tree["officer"].save()
    took_part = _member(tree["cell"], "Bùi Quang Huy")
    _member(tree["cell"], "Đỗ Văn Vắng")
    _take(tree["week"], took_part)
    power_person = _member(tree["power"], "Người Điện Lực")
    _take(tree["week"], power_person)

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.digests_send()
    with django_capture_on_commit_callbacks(execute=True):
        again = reminders.digests_send()

    assert (first, again) == (1, 0)
    [message] = mailoutbox
    assert message.to == ["thanh@example.com"]
    # Cục Thuế: 1 of 4 members (25%); the bloc: 2 of 6 (33%); one of the tax unit has not taken part.
    assert "Đảng bộ Cục Thuế tỉnh: 25%, 1 người chưa tham gia" in message.body
    assert "toàn khối: 33%" in message.body
    assert f"/reports/units/{tree['tax'].pk}/" in message.body
    assert "Điện lực" not in message.body.split("toàn khối")[1].split("Danh sách")[0].replace("Cục Thuế", "")


def test_the_digest_goes_by_the_officers_channel(tree, sms_outbox, mailoutbox, django_capture_on_commit_callbacks):
    tree["officer"].email = "thanh@example.com"
    tree["officer"].save()
    ChannelChoice.objects.create(user=tree["officer"], channel=NotificationChannel.SMS)

    with django_capture_on_commit_callbacks(execute=True):
        reminders.digests_send()

    assert mailoutbox == []
    assert [m.to for m in sms_outbox] == ["0987000001"]
    assert "25%" not in sms_outbox[0].body and "0%" in sms_outbox[0].body


def test_the_digest_is_declared_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reports-weekly-unit-digest"]

    assert entry["task"] == "reports.tasks.send_unit_digests"
    assert entry["schedule"].day_of_week == {1}
