"""Reminders that reach people, and each unit officer's weekly digest.

    officer opens /reports/units/<id>/reminders/ ─ reminder_plan: who of the unit's subtree has
        not taken part in the open week (reports.selectors.unit_absentees, the one selector) and
        has an account that can be reached, minus those reminded today and those who turned
        reminders off, within the unit's daily limit
    officer presses «Gửi lời nhắc» ─ reminder_send: under a lock on the unit's row, the plan is
        made again, one Reminder and a ReminderRecipient per person (at most once a day each,
        a database constraint), one notification per person through the outbox (kind
        «reminder», by the person's channel: SMS, Zalo falling back to SMS, or e-mail), sent by
        the worker after the commit; the reminder's page shows each person's delivery
    officer presses «Gửi lại lời mời đăng ký» ─ invitations_to_absentees: the listed people of the
        subtree who have not taken part and have no account (reports.selectors.unsigned_absentees)
        get the invitation again (accounts.invitations.invitations_queue, within its limits: one
        a day per number or address, SMS_PER_MEMBER text messages in all): a reminder cannot
        reach them, the invitation's link is how they take part
    beat, Monday morning ─ digests_send: each officer gets their units' participation in the week
        against the whole bloc's, and how many of each unit have not taken part (with the link)

The limits (docs/security.md, «Reminders»): a person is reminded at most once a day, whoever
reminds them; a unit sends at most REMINDERS_PER_UNIT_PER_DAY a day. Two presses at once queue
once (the unit's row lock; the per-person constraint behind it)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import QueueResult, invitations_queue
from accounts.models import Organization, UnitOfficer, User
from accounts.rules import officer_roots
from accounts.selectors import organization_labels
from contests import notifications
from contests.figures import rate_text
from contests.selectors import current_contest
from quiz.models import Round

from .models import Reminder, ReminderRecipient
from .selectors import Absentee, unit_absentees, unit_absentees_count, unit_table, unsigned_absentees, week_round

Kind = notifications.Kind


def daily_limit() -> int:
    return settings.REMINDERS_PER_UNIT_PER_DAY


def open_week(*, contest, now: datetime) -> Round | None:
    """The week a reminder is about: the weekly round open now (none between rounds: a reminder
    to take part in a round that has closed would be a lie)."""
    week = week_round(contest=contest, now=now)
    return week if week is not None and week.opens_at <= now < week.closes_at else None


@dataclass
class Person:
    absentee: Absentee
    user: User
    channel: str  # the channel the reminder would go by


@dataclass
class ReminderPlan:
    week: Round | None
    people: list[Person] = field(default_factory=list)  # who would get it, within the limit
    over_limit: int = 0  # left for tomorrow: the unit's limit is reached
    reminded_today: int = 0  # reminded today already (by anyone)
    turned_off: int = 0  # turned reminders off
    unreachable: int = 0  # no account yet (an invitation reaches them), or no address
    unsigned: int = 0  # of those, listed people with no account: «Gửi lại lời mời đăng ký» invites them
    sent_today: int = 0  # the unit's reminders today, against the limit
    limit: int = 0


def reminder_plan(*, organization: Organization, contest, now: datetime | None = None) -> ReminderPlan:
    """Who a reminder from this unit would reach now (module docstring). Eight queries whatever
    the number of people."""
    now = now or timezone.now()
    week = open_week(contest=contest, now=now)
    plan = ReminderPlan(week=week, limit=daily_limit())
    if week is None:
        return plan
    today = timezone.localdate(now)
    absentees = list(unit_absentees(organization=organization, contest=contest, round=week))
    with_account = {a.user_id: a for a in absentees if a.user_id is not None}
    plan.unreachable = len(absentees) - len(with_account)
    plan.unsigned = unsigned_absentees(organization=organization, contest=contest, round=week).count()
    reminded = set(ReminderRecipient.objects.filter(day=today, user_id__in=list(with_account)).values_list("user_id", flat=True))
    plan.reminded_today = len(reminded)
    candidates = [uid for uid in with_account if uid not in reminded]
    wanted = notifications.wanting(candidates, Kind.REMINDER)
    plan.turned_off = len(candidates) - len(wanted)
    users = User.objects.filter(pk__in=wanted, is_active=True).only("id", "full_name", "email", "phone", "phone_verified")
    users = {u.pk: u for u in users}
    chosen = notifications.choices_of(list(users))
    people = []
    for uid in candidates:  # the selector's order: by unit, then name
        user = users.get(uid)
        if user is None:
            continue
        channels = notifications.channels_for(user=user, kind=Kind.REMINDER, choice=chosen.get(uid, ""))
        if not channels:
            plan.unreachable += 1
            continue
        people.append(Person(absentee=with_account[uid], user=user, channel=channels[0][0]))
    plan.sent_today = ReminderRecipient.objects.filter(reminder__organization=organization, day=today).count()
    room = max(plan.limit - plan.sent_today, 0)
    plan.people, plan.over_limit = people[:room], max(len(people) - room, 0)
    return plan


@dataclass
class SendResult:
    reminder: Reminder | None = None
    queued: int = 0
    problem: str = ""  # "closed": no open week (or another than the page's); "nobody": nothing left to send


def reminder_send(
    *, organization: Organization, contest, by: User, round_id: int, user_ids: list[int], now: datetime | None = None
) -> SendResult:
    """Remind the chosen people (`user_ids`, those of the plan the officer left ticked; any other id
    is ignored) of the week `round_id` (the page's: a week that closed meanwhile is refused). One
    transaction under a lock on the unit's row; the messages are sent by the worker after the
    commit."""
    now = now or timezone.now()
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        plan = reminder_plan(organization=organization, contest=contest, now=now)
        if plan.week is None or plan.week.pk != round_id:
            return SendResult(problem="closed")
        picked = set(user_ids)
        people = [p for p in plan.people if p.user.pk in picked]
        if not people:
            return SendResult(problem="nobody")
        today = timezone.localdate(now)
        reminder = Reminder.objects.create(organization=organization, round=plan.week, created_by=by, day=today)
        # Another unit's officer reminding the same person at the same moment: the constraint
        # keeps one of the two, and only those recorded here are written to.
        ReminderRecipient.objects.bulk_create(
            [ReminderRecipient(reminder=reminder, user=p.user, day=today) for p in people], ignore_conflicts=True
        )
        mine = set(ReminderRecipient.objects.filter(reminder=reminder).values_list("user_id", flat=True))
        if not mine:
            reminder.delete()
            return SendResult(problem="nobody")
        week = plan.week
        context = {
            "unit_name": organization.short_name or organization.name,
            "round_name": week.name,
            "contest_name": contest.name,
            "closes_at": timezone.localtime(week.closes_at),
            "url": settings.SITE_URL + reverse("quiz:round", args=[week.pk]),
        }
        queued = notifications.notify_users(
            users=[p.user for p in people if p.user.pk in mine],
            kind=Kind.REMINDER,
            key=f"reminder:{reminder.pk}",
            context=context,
        )
    return SendResult(reminder=reminder, queued=queued)


def invitations_to_absentees(*, organization: Organization, contest, by: User, now: datetime | None = None) -> QueueResult | None:
    """Invite again the listed people of the unit's subtree who have not taken part in the open
    week and have no account (module docstring); None when no week is open."""
    now = now or timezone.now()
    week = open_week(contest=contest, now=now)
    if week is None:
        return None
    ids = list(unsigned_absentees(organization=organization, contest=contest, round=week).values_list("pk", flat=True))
    return invitations_queue(organization=organization, by=by, member_ids=ids, now=now)


@dataclass(frozen=True)
class Delivery:
    name: str
    channel: str  # its label
    status: str  # NotificationStatus
    status_label: str
    fallback: bool  # meant for Zalo, sent by SMS


def reminder_deliveries(reminder: Reminder) -> list[Delivery]:
    """Each person of a reminder and the state of their message. Two queries."""
    people = list(reminder.recipients.select_related("user").order_by("user__full_name", "pk"))
    rows = notifications.Notification.objects.filter(key=f"reminder:{reminder.pk}").values_list(
        "recipient_id", "channel", "status", "fallback"
    )
    by_user = {uid: (channel, status, fallback) for uid, channel, status, fallback in rows}
    channels = dict(notifications.Channel.choices)
    statuses = dict(notifications.NotificationStatus.choices)
    out = []
    for person in people:
        channel, status, fallback = by_user.get(person.user_id, ("", "", ""))
        out.append(
            Delivery(
                name=person.user.full_name or person.user.email or "",
                channel=channels.get(channel, "–"),
                status=status,
                status_label=statuses.get(status, "–"),
                fallback=bool(fallback),
            )
        )
    return out


def reminders_of(organization: Organization, *, limit: int = 10) -> list[Reminder]:
    """The unit's latest reminders, with their number of people (one query)."""
    from django.db.models import Count

    return list(
        Reminder.objects.filter(organization=organization)
        .select_related("round", "created_by")
        .annotate(people=Count("recipients"))
        .order_by("-created_at", "-pk")[:limit]
    )


def get_reminder_for_unit(organization: Organization, pk) -> Reminder | None:
    """A reminder of this unit (None for another unit's: the caller answers 404)."""
    return Reminder.objects.select_related("round", "created_by").filter(pk=pk, organization=organization).first()


# --- The weekly digest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestLine:
    label: str
    rate: str
    missing: int
    url: str


def bloc_rate(rows) -> float | None:
    """The whole bloc's participation: participants over members, over the units whose member
    count is known (the rate's one denominator rule: UnitRow.members)."""
    counted = [r for r in rows if r.members]
    members = sum(r.members for r in counted)
    return sum(r.participants for r in counted) / members if members else None


def digest_for(*, officer: User, contest, week: Round, bloc: str) -> dict | None:
    """The digest's context for one officer (None without units)."""
    roots = officer_roots(officer)
    if not roots:
        return None
    labels = organization_labels(roots)
    rows = {r.unit.pk: r for r in unit_table(contest=contest, units=roots, round=week, sort="name")}
    lines = []
    for unit in roots:
        missing = unit_absentees_count(organization=unit, contest=contest, round=week)
        lines.append(
            DigestLine(
                label=labels.get(unit.pk, unit.name),
                rate=rate_text(rows[unit.pk].rate),
                missing=missing,
                url=settings.SITE_URL + reverse("reports:unit", args=[unit.pk]),
            )
        )
    return {
        "round_name": week.name,
        "province_rate": bloc,
        "units": lines,
        "url": settings.SITE_URL + reverse("reports:units"),
    }


def digests_send(*, now: datetime | None = None) -> int:
    """The beat's Monday job: every unit officer's digest of the current week (the open round, else
    the last opened), once per officer and week (the outbox key), by their channel. Returns the
    number of messages queued."""
    now = now or timezone.now()
    contest = current_contest()
    week = week_round(contest=contest, now=now) if contest else None
    if week is None:
        return 0
    bloc = rate_text(bloc_rate(unit_table(contest=contest, round=week)))
    officer_ids = set(UnitOfficer.objects.values_list("user_id", flat=True))
    queued = 0
    for officer in User.objects.filter(pk__in=officer_ids, is_active=True).order_by("pk"):
        context = digest_for(officer=officer, contest=contest, week=week, bloc=bloc)
        if context is None:
            continue
        with transaction.atomic():
            queued += notifications.notify(
                user=officer, kind=Kind.UNIT_DIGEST, key=f"unit_digest:{week.pk}:{officer.pk}", context=context
            )
    return queued
