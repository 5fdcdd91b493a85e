"""Sending the invitations of a member list: by SMS to the listed number (sign-up is by an SMS
code to that number, and a list does not always have e-mail addresses), and by e-mail too when
the list has an address. The link is accounts.members.invitation_link.

    officer presses «Gửi lời mời» ─ invitations_queue: one InvitationBatch, one InvitationDelivery
        per person and channel, within the limits below, in one transaction
                                             │ transaction.on_commit
                                             ▼
    accounts.tasks.send_invitation(id) ─ invitation_delivery_send: under a row lock, a queued row
        is sent once (contests.sms.send_sms, bulk: within the site-wide ceiling); a failure is
        retried with the notifications' backoff; over the ceiling it waits for the next window
    beat: accounts.tasks.requeue_stale_invitations ─ rows whose task was lost are sent again

The limits (docs/security.md, «Invitations»): an address (a number or an e-mail address) gets at
most PER_ADDRESS_PER_DAY invitations a day, whoever sends them, and a line of a list at most
SMS_PER_MEMBER text messages in all, so neither a careless double press nor an officer who
imports someone else's number can turn the invitation into a way to flood a phone."""

from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contests.notifications import SENT, STALE_AFTER, outbox_attempt
from contests.sms import send_sms

from .enums import InvitationChannel, InvitationStatus, MemberStatus
from .members import invitation_link
from .models import InvitationBatch, InvitationDelivery, Member, Organization, User
from .phone import is_mobile

PER_ADDRESS_PER_DAY = 1
SMS_PER_MEMBER = 3
Channel = InvitationChannel
Status = InvitationStatus
# What never reached anyone does not count against the limits: a gateway down all morning must
# not cost a person their invitation of the day.
NOT_COUNTED = (Status.CANCELLED, Status.FAILED)


def invitation_addresses(member: Member) -> list[tuple[str, str]]:
    """(channel, address) an invitation goes to: the number always (unless it is no longer a
    mobile number: an anonymized line's placeholder), the e-mail when listed."""
    out = [(Channel.SMS, member.phone)] if is_mobile(member.phone) else []
    if member.email:
        out.append((Channel.EMAIL, member.email))
    return out


def _day_start(now: datetime) -> datetime:
    """Midnight in Vietnam: the day of the per-address limit."""
    return timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))


@dataclass
class QueueResult:
    batch: InvitationBatch | None = None
    people: int = 0  # people with at least one invitation queued
    sms: int = 0
    email: int = 0
    limited: int = 0  # people who got nothing: every address at its limit


@transaction.atomic
def invitations_queue(
    *, organization: Organization, by: User, member_ids: list[int] | None = None, now: datetime | None = None
) -> QueueResult:
    """Queue invitations for people of `organization`'s subtree who have not signed up: those
    never invited (member_ids None: «Gửi lời mời»), or the given lines again («Gửi lại»; ids
    outside the subtree are ignored). Within the limits (module docstring); one transaction, sent
    after the commit. The member rows are locked, so two presses at once queue once."""
    now = now or timezone.now()
    people = Member.objects.select_for_update(of=("self",)).filter(organization__path__startswith=organization.path)
    people = people.exclude(status=MemberStatus.ACCEPTED)
    if member_ids is None:
        people = people.exclude(Exists(InvitationDelivery.objects.filter(member=OuterRef("pk"))))
    else:
        people = people.filter(pk__in=member_ids)
    people = list(people.order_by("pk"))
    result = QueueResult()
    if not people:
        return result
    wanted = {(c, a) for m in people for c, a in invitation_addresses(m)}
    addresses = {a for _c, a in wanted}
    today = (
        InvitationDelivery.objects.filter(address__in=addresses, created_at__gte=_day_start(now))
        .exclude(status__in=NOT_COUNTED)
        .values_list("channel", "address")
        .annotate(n=Count("pk"))
        .order_by()
    )
    used_today = {(c, a): n for c, a, n in today}
    sms_so_far = dict(
        InvitationDelivery.objects.filter(member__in=people, channel=Channel.SMS)
        .exclude(status__in=NOT_COUNTED)
        .values_list("member_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows: list[InvitationDelivery] = []
    batch = InvitationBatch.objects.create(organization=organization, created_by=by)
    for member in people:
        queued = 0
        for channel, address in invitation_addresses(member):
            if used_today.get((channel, address), 0) >= PER_ADDRESS_PER_DAY:
                continue
            if channel == Channel.SMS and sms_so_far.get(member.pk, 0) >= SMS_PER_MEMBER:
                continue
            used_today[(channel, address)] = used_today.get((channel, address), 0) + 1
            rows.append(InvitationDelivery(batch=batch, member=member, channel=channel, address=address, next_attempt_at=now))
            queued += 1
            result.sms += channel == Channel.SMS
            result.email += channel == Channel.EMAIL
        result.people += bool(queued)
        result.limited += not queued
    if not rows:
        batch.delete()
        return result
    InvitationDelivery.objects.bulk_create(rows)
    result.batch = batch
    transaction.on_commit(lambda: _enqueue(batch.pk))
    return result


def _enqueue(batch_id: int) -> None:
    from .tasks import send_invitation

    queued = InvitationDelivery.objects.filter(batch_id=batch_id, status=Status.QUEUED)
    for pk in queued.values_list("pk", flat=True):
        send_invitation.delay(delivery_id=pk)


def _link(member: Member) -> str:
    return settings.SITE_URL + invitation_link(member)


def _deliver(row: InvitationDelivery) -> None:
    member = row.member
    unit = member.organization.name
    with translation.override("vi"):
        if row.channel == Channel.SMS:
            body = _("%(unit)s mời đồng chí đăng ký tham gia cuộc thi trực tuyến: %(link)s (liên kết dùng một lần).") % {
                "unit": unit[:60],
                "link": _link(member),
            }
            send_sms(to=row.address, body=body, bulk=True)
            return
        subject = _("Mời tham gia cuộc thi trực tuyến")
        body = _(
            "Kính gửi đồng chí %(name)s,\n\n"
            "Đơn vị %(unit)s mời đồng chí đăng ký tài khoản để tham gia cuộc thi. Bấm vào liên kết sau, "
            "thông tin của đồng chí (họ tên, số điện thoại, đơn vị, chức vụ) đã được điền sẵn:\n\n%(link)s\n\n"
            "Liên kết dùng được một lần. Nếu đồng chí không liên quan, xin bỏ qua thư này."
        ) % {"name": member.full_name, "unit": unit, "link": _link(member)}
    message = EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [row.address], headers={"Auto-Submitted": "auto-generated"}
    )
    message.send(fail_silently=False)


def invitation_delivery_send(*, delivery_id: int, now: datetime | None = None) -> str | None:
    """Send one queued invitation, once: under its row lock a row that is not queued is left
    alone (running twice sends once); a person who signed up meanwhile is not written to
    (cancelled). A failure is recorded and retried after the backoff, MAX_ATTEMPTS at most; over
    the SMS ceiling the row waits for the next window, its attempts untouched. The first
    invitation sent marks the line «sent». Returns the row's status (None if it is gone)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            InvitationDelivery.objects.select_for_update(of=("self",))
            .select_related("member__organization")
            .filter(pk=delivery_id)
            .first()
        )
        if row is None or row.status != Status.QUEUED:
            return row.status if row else None
        if row.member.status == MemberStatus.ACCEPTED:
            row.status = Status.CANCELLED
            row.save(update_fields=["status"])
            return row.status
        if outbox_attempt(row, _deliver, now=now, sent=Status.SENT, failed=Status.FAILED) == SENT:
            Member.objects.filter(pk=row.member_id, status=MemberStatus.LISTED).update(status=MemberStatus.SENT, sent_at=now)
        row.save(update_fields=["attempts", "status", "last_error", "next_attempt_at", "sent_at"])
        return row.status


def invitations_due(*, now: datetime | None = None) -> list[int]:
    """Queued rows whose task is overdue by STALE_AFTER: lost, to be sent again (the beat)."""
    now = now or timezone.now()
    due = InvitationDelivery.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now - STALE_AFTER)
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:1000])


@dataclass
class Progress:
    """A batch's deliveries counted by channel and status, for its page."""

    total: int
    done: int  # sent, failed or cancelled: no longer waiting
    by_channel: dict  # channel → {status → n}

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)

    @property
    def finished(self) -> bool:
        return self.done == self.total


def batch_progress(batch: InvitationBatch) -> Progress:
    """One query."""
    counts = batch.deliveries.values_list("channel", "status").annotate(n=Count("pk")).order_by()
    by_channel = {c: dict.fromkeys(Status.values, 0) for c in Channel.values}
    total = done = 0
    for channel, status, n in counts:
        by_channel[channel][status] += n
        total += n
        done += n if status != Status.QUEUED else 0
    return Progress(total=total, done=done, by_channel=by_channel)
