"""Presses of «Gửi lời nhắc» at the same instant, from several connections, remind each person once
and keep the unit's daily limit (the unit's row is locked while a reminder is written; the
once-a-day constraint behind it). PostgreSQL only, like the other races."""

import threading

import pytest
from django.db import connection

from accounts.enums import OrganizationKind
from accounts.services import unit_officer_assign
from contests.models import Notification
from reports import reminders
from reports.models import Reminder, ReminderRecipient
from tests.factories import ContestFactory, OrganizationFactory, UserFactory, contestant
from tests.quiz.factories import sealed_round

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n, press):
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            press(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.fixture
def unit():
    tax = OrganizationFactory(code="CTHUE", name="Đảng bộ Cục Thuế tỉnh")
    cell = OrganizationFactory(code="CTHUE-1", name="Chi bộ Phòng Kiểm tra", kind=OrganizationKind.CELL, parent=tax)
    officer, cell_officer = UserFactory(), UserFactory()
    unit_officer_assign(user=officer, organization=tax)
    unit_officer_assign(user=cell_officer, organization=cell)
    contest = ContestFactory()
    week = sealed_round(contest=contest, number=1, pool_size=20, fields=2)
    people = [
        contestant(organization=cell, phone=f"091200050{i}", user__phone=f"091200050{i}", user__phone_verified=True)
        for i in range(4)
    ]
    return {
        "tax": tax,
        "cell": cell,
        "officer": officer,
        "cell_officer": cell_officer,
        "contest": contest,
        "week": week,
        "people": people,
    }


def test_presses_at_once_remind_each_person_once_within_the_limit(unit, settings, sms_outbox):
    settings.REMINDERS_PER_UNIT_PER_DAY = 3
    ids = [p.pk for p in unit["people"]]

    errors = _race(
        4,
        lambda i: reminders.reminder_send(
            organization=unit["tax"], contest=unit["contest"], by=unit["officer"], round_id=unit["week"].pk, user_ids=ids
        ),
    )

    assert errors == []
    assert Reminder.objects.count() == 1
    assert ReminderRecipient.objects.count() == 3
    assert Notification.objects.count() == 3
    assert len(sms_outbox) == 3


def test_two_units_reminding_the_same_people_at_once_remind_each_once(unit, sms_outbox):
    ids = [p.pk for p in unit["people"]]
    sides = [(unit["tax"], unit["officer"]), (unit["cell"], unit["cell_officer"])]

    errors = _race(
        2,
        lambda i: reminders.reminder_send(
            organization=sides[i][0], contest=unit["contest"], by=sides[i][1], round_id=unit["week"].pk, user_ids=ids
        ),
    )

    assert errors == []
    assert sorted(ReminderRecipient.objects.values_list("user_id", flat=True)) == sorted(ids)
    assert Notification.objects.count() == 4
    assert sorted(m.to for m in sms_outbox) == sorted(p.phone for p in unit["people"])
