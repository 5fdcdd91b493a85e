"""Two presses of «Gửi lời mời» at the same instant, from two connections, queue each invitation
once (the member rows are locked while a batch is written). PostgreSQL only, like the other races."""

import threading

import pytest
from django.db import connection

from accounts import invitations
from accounts.enums import OrganizationKind
from accounts.models import InvitationBatch, InvitationDelivery, Member
from accounts.services import unit_officer_assign
from tests.factories import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_presses_at_once_invite_each_person_once(sms_outbox):
    tax = OrganizationFactory(code="CTHUE", name="Đảng bộ Cục Thuế tỉnh")
    cell = OrganizationFactory(code="CTHUE-1", name="Chi bộ Phòng Kiểm tra", kind=OrganizationKind.CELL, parent=tax)
    officer = UserFactory()
    unit_officer_assign(user=officer, organization=tax)
    for n in range(3):
        Member.objects.create(organization=cell, full_name=f"Người Thứ {chr(65 + n)}", phone=f"035200010{n}", token=f"r{n}")
    barrier = threading.Barrier(4)
    errors = []

    def press():
        try:
            barrier.wait()
            invitations.invitations_queue(organization=tax, by=officer)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert InvitationDelivery.objects.count() == 3
    assert InvitationBatch.objects.count() == 1
    assert sorted(m.to for m in sms_outbox) == ["0352000100", "0352000101", "0352000102"]
