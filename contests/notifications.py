"""Notifications by e-mail and SMS: the one home of who is told what, and how it is sent.

    an event's service ─ notify_users(users, kind, key, context) ─► Notification rows (queued),
        in the caller's transaction          │ transaction.on_commit
                                             ▼
    contests.tasks.send_notification(id) ─ notification_send: under a row lock, a queued row is
        sent once; a failure is recorded (attempts, last error) and retried with backoff, and after
        MAX_ATTEMPTS the row is "failed" (the admin's "Gửi lại" queues it again)
    beat: requeue_stale_notifications ─ queued rows whose task was lost (a worker restarted, the
        broker emptied) are sent again

Who: a person gets a kind unless they turned it off (a NotificationPreference row, from the
profile page or an unsubscribe link); «a round opens» is opt-in. By which channel (channels_for):
e-mail when the account has an address, SMS when it has a verified mobile number and the kind goes
by SMS (KIND_CHANNELS); a person who chose Zalo on their profile (ChannelChoice) gets Zalo instead
of SMS, one who chose e-mail no SMS beside it (but for REQUIRED kinds). A reminder and an officer's digest go by one
channel only (ONE_CHANNEL): the person's choice, else the kind's first. A Zalo message that fails
goes by SMS at once (_deliver; the reason kept in `fallback`). Every message carries an
unsubscribe link (a signed token: no login needed).
"""

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import metrics
from .enums import NotificationChannel, NotificationKind, NotificationStatus
from .models import ChannelChoice, Notification, NotificationPreference
from .sms import SmsCeilingReached, send_sms
from .zalo import ZaloError, send_zalo, zalo_enabled, zalo_possible

logger = logging.getLogger(__name__)

Kind = NotificationKind
Channel = NotificationChannel

# SMS costs money: the kinds a person must not miss go by SMS too; results only by e-mail.
KIND_CHANNELS = {
    Kind.ROUND_OPEN: (Channel.EMAIL, Channel.SMS),
    Kind.RESULTS: (Channel.EMAIL,),
    Kind.PRIZE_WON: (Channel.EMAIL, Channel.SMS),
    Kind.SCREENING: (Channel.EMAIL, Channel.SMS),
    Kind.JUDGE_ASSIGNMENTS: (Channel.EMAIL, Channel.SMS),
    Kind.AWARD_DETAILS: (Channel.EMAIL, Channel.SMS),
    Kind.REMINDER: (Channel.SMS, Channel.EMAIL),
    Kind.UNIT_DIGEST: (Channel.EMAIL, Channel.SMS),
    Kind.APPEAL: (Channel.EMAIL, Channel.SMS),
}
# Kinds that go by one channel only: the person's choice if they can get it, else the first of
# the kind's channels they have an address for (a reminder by SMS, the digest by e-mail).
ONE_CHANNEL = frozenset({Kind.REMINDER, Kind.UNIT_DIGEST})
# Without a choice recorded: a new round is announced only to those who asked (opt-in).
DEFAULT_ON = {kind: kind != Kind.ROUND_OPEN for kind in Kind}
# Service messages a person cannot turn off: the request for the award's details and the notice
# that the secretariat changed them (the winner must hear of a change to their bank account).
# The outcome of an appeal the person filed is an answer to them, never a newsletter.
# Not on the profile page, no unsubscribe link.
REQUIRED = frozenset({Kind.AWARD_DETAILS, Kind.APPEAL})

MAX_ATTEMPTS = 5
# A queued row whose next attempt is this much overdue lost its task: the beat sends it again.
STALE_AFTER = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the n-th failed attempt: 1, 2, 4, 8 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


# --- Preferences and unsubscribing -------------------------------------------------------------

_SIGNER = signing.Signer(salt="contests.notifications.unsubscribe")
ALL = "all"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """A token for the link in a message: who and which kind, signed; it never expires."""
    return _SIGNER.sign(f"{user_id}.{kind}")


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a token, or None if it was not made here."""
    try:
        value = _SIGNER.unsign(token)
    except signing.BadSignature:
        return None
    user_id, _sep, kind = value.partition(".")
    if not user_id.isdigit() or kind not in Kind.values:
        return None
    return int(user_id), kind


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    return settings.SITE_URL + reverse("contests:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)])


def preferences_for(user) -> dict[str, bool]:
    """Every kind → whether this person gets it."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))
    return {kind: kind in REQUIRED or chosen.get(kind, DEFAULT_ON[kind]) for kind in Kind.values}


@transaction.atomic
def preferences_set(*, user_id: int, choices: dict[str, bool]) -> None:
    """Record a person's choices (from the profile page, or an unsubscribe link: all kinds off)."""
    for kind, enabled in choices.items():
        NotificationPreference.objects.update_or_create(user_id=user_id, kind=kind, defaults={"enabled": bool(enabled)})


def unsubscribe(*, user_id: int, kind: str) -> None:
    """Turn off one kind, or every kind (kind == ALL)."""
    kinds = Kind.values if kind == ALL else [kind]
    preferences_set(user_id=user_id, choices=dict.fromkeys(kinds, False))


def wanting(user_ids: list[int], kind: str) -> set[int]:
    """Those of the users who get this kind (one query; none for a required kind)."""
    if kind in REQUIRED:
        return set(user_ids)
    rows = NotificationPreference.objects.filter(kind=kind, user_id__in=user_ids).values_list("user_id", "enabled")
    chosen = dict(rows)
    return {uid for uid in user_ids if chosen.get(uid, DEFAULT_ON[kind])}


_wanting = wanting


def opted_in_user_ids(kind: str) -> list[int]:
    """The people who asked for an opt-in kind (a new round opens)."""
    return list(NotificationPreference.objects.filter(kind=kind, enabled=True).values_list("user_id", flat=True))


# --- The channel a person chose --------------------------------------------------------------------


def channel_choices() -> list[tuple[str, str]]:
    """The channels a person may choose on their profile (Zalo only when it is configured)."""
    return [(c.value, c.label) for c in Channel if c != Channel.ZALO or zalo_enabled()]


def channel_choice_for(user) -> str:
    """The channel this person chose, "" without a choice."""
    return ChannelChoice.objects.filter(user=user).values_list("channel", flat=True).first() or ""


def channel_choice_set(*, user_id: int, channel: str) -> None:
    """Record a person's channel ("" removes the choice: the kinds' own channels)."""
    if not channel:
        ChannelChoice.objects.filter(user_id=user_id).delete()
        return
    if channel not in Channel.values:
        raise ValueError(channel)
    ChannelChoice.objects.update_or_create(user_id=user_id, defaults={"channel": channel})


def choices_of(user_ids: list[int]) -> dict[int, str]:
    """Each of these people's chosen channel (one query; none chosen: absent)."""
    return dict(ChannelChoice.objects.filter(user_id__in=user_ids).values_list("user_id", "channel"))


# --- Writing the outbox ----------------------------------------------------------------------------


def channels_for(*, user, kind: str, choice: str = "") -> list[tuple[str, str]]:
    """(channel, address) a message of `kind` goes to for this person, given their choice: the one
    rule of channels (module docstring). SMS and Zalo go only to a verified number; Zalo only when
    it is configured with a template for the kind, else SMS."""
    email = user.email or ""
    phone = user.phone if getattr(user, "phone", None) and getattr(user, "phone_verified", False) else ""
    zalo = zalo_possible(kind=kind, phone=phone)
    if kind in ONE_CHANNEL:
        order = list(KIND_CHANNELS[kind])
        if choice:
            order = [choice, *(c for c in order if c != choice)]
        for channel in order:
            if channel == Channel.EMAIL and email:
                return [(Channel.EMAIL, email)]
            if channel == Channel.ZALO and zalo:
                return [(Channel.ZALO, phone)]
            if channel in (Channel.SMS, Channel.ZALO) and phone:
                return [(Channel.SMS, phone)]
        return []
    out = []
    for channel in KIND_CHANNELS[kind]:
        if channel == Channel.EMAIL and email:
            out.append((channel, email))
        elif channel == Channel.SMS and phone:
            if choice == Channel.EMAIL and email and kind not in REQUIRED:
                continue  # the person asked for e-mail: no SMS beside it (a service message keeps both)
            out.append((Channel.ZALO if choice == Channel.ZALO and zalo else Channel.SMS, phone))
    return out


def _addresses(user, kind: str, choice: str = "") -> list[tuple[str, str]]:
    return channels_for(user=user, kind=kind, choice=choice)


def _render(*, kind: str, channel: str, user, context: dict) -> tuple[str, str]:
    """(subject, body) in Vietnamese from notifications/<kind>.txt; an e-mail's first line is
    its subject. The unsubscribe link closes every message. A Zalo message is written as an SMS
    (it becomes one when Zalo fails)."""
    form = Channel.SMS if channel == Channel.ZALO else channel
    full = {
        **context,
        "user": user,
        "channel": form,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": "" if kind in REQUIRED else unsubscribe_url(user_id=user.pk, kind=kind),
    }
    with translation.override("vi"):
        text = render_to_string(f"notifications/{kind}.txt", full).strip()
        footer = render_to_string(f"notifications/footer_{form}.txt", full).strip()
    if form == Channel.SMS:
        return "", f"{text} {footer}"
    subject, _sep, body = text.partition("\n")
    return " ".join(subject.split())[:255], f"{body.strip()}\n\n-- \n{footer}\n"


def notify(*, user, kind: str, key: str, context: dict) -> int:
    """notify_users for one person."""
    return notify_users(users=[user], kind=kind, key=key, context=context)


def notify_users(*, users: Iterable, kind: str, key: str, context: dict | Callable[[object], dict]) -> int:
    """Queue the messages of one event (`key`, e.g. "round_open:12") for these people, in the
    caller's transaction: once per person and channel whatever calls it again, only to those
    who get this kind, sent after the commit. `context` is a dict, or a function of the user for
    per-person details. Returns the number of rows written."""
    users = [u for u in users if u is not None and u.is_active]
    if not users:
        return 0
    wanting = _wanting([u.pk for u in users], kind)
    chosen = choices_of(list(wanting))
    done = set(Notification.objects.filter(key=key, recipient_id__in=wanting).values_list("recipient_id", "channel"))
    rows = []
    for user in users:
        if user.pk not in wanting:
            continue
        per_user = context(user) if callable(context) else context
        for channel, address in _addresses(user, kind, chosen.get(user.pk, "")):
            if (user.pk, channel) in done:
                continue
            done.add((user.pk, channel))
            subject, body = _render(kind=kind, channel=channel, user=user, context=per_user)
            rows.append(
                Notification(recipient=user, channel=channel, kind=kind, key=key, address=address, subject=subject, body=body)
            )
    if not rows:
        return 0
    # A concurrent call of the same event loses the race quietly (the unique constraint).
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    transaction.on_commit(lambda: _enqueue_key(key))
    return len(rows)


def _enqueue_key(key: str) -> None:
    from .tasks import send_notification

    for pk in Notification.objects.filter(key=key, status=NotificationStatus.QUEUED).values_list("pk", flat=True):
        send_notification.delay(notification_id=pk)


# --- Sending --------------------------------------------------------------------------------------


def _deliver(notification: Notification) -> None:
    if notification.channel == Channel.ZALO:
        try:
            send_zalo(
                phone=notification.address,
                kind=notification.kind,
                name=notification.recipient.full_name,
                text=notification.body,
                tracking_id=f"n{notification.pk}",
            )
            return
        except ZaloError as exc:
            # Token expired, quota used up, a number not on Zalo, the API away: the message still
            # reaches the person, by SMS, now and on every retry (the row is an SMS from here on).
            logger.info("Notification %s: Zalo failed (%s), sent by SMS.", notification.pk, exc)
            notification.channel = Channel.SMS
            notification.fallback = f"Zalo: {exc}"[:200]
    if notification.channel == Channel.SMS:
        send_sms(to=notification.address, body=notification.body, bulk=True)
        return
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    if notification.kind not in REQUIRED:
        message.extra_headers["List-Unsubscribe"] = (
            f"<{unsubscribe_url(user_id=notification.recipient_id, kind=notification.kind)}>"
        )
    message.send(fail_silently=False)


SENT, WAITING, NOT_SENT = "sent", "waiting", "not_sent"


def outbox_attempt(row, deliver, *, now, sent: str, failed: str) -> str:
    """One try at sending an outbox row (a notification; an invitation, accounts.invitations), its
    one rule, under the caller's lock on the row (the caller saves it): over the SMS ceiling the
    row waits for the next window with its attempts untouched (WAITING); a failure keeps the
    error's text only (never the body, which may hold a link, nor the address), and the row is
    tried again after retry_delay, or is `failed` at the MAX_ATTEMPTS-th (NOT_SENT); else it is
    `sent` now (SENT)."""
    row.attempts += 1
    try:
        deliver(row)
    except SmsCeilingReached as exc:
        row.attempts -= 1
        row.next_attempt_at = exc.retry_at
        return WAITING
    except Exception as exc:  # noqa: BLE001 - whatever the gateway or SMTP raises is recorded and retried
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = failed
        else:
            row.next_attempt_at = now + retry_delay(row.attempts)
        return NOT_SENT
    row.status, row.sent_at, row.last_error = sent, now, ""
    return SENT


def notification_send(*, notification_id: int, now=None) -> str | None:
    """Send one queued row, once: under its row lock, a row that is not queued (sent already,
    failed, or gone) is left alone, so running twice sends once. A failure is recorded and the row
    stays queued for a retry after retry_delay; the MAX_ATTEMPTS-th failure marks it failed.
    Returns the row's status afterwards (None if it is gone)."""
    now = now or timezone.now()
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if row is None or row.status != NotificationStatus.QUEUED:
            return row.status if row else None
        outcome = outbox_attempt(row, _deliver, now=now, sent=NotificationStatus.SENT, failed=NotificationStatus.FAILED)
        if outcome == WAITING:
            logger.info("Notification %s waits for the SMS ceiling until %s.", row.pk, row.next_attempt_at)
        elif outcome == NOT_SENT:
            if row.channel == Channel.EMAIL:
                metrics.EMAIL_FAILURES.inc()  # an SMS failure is counted by contests.sms.send_sms
            # The error's text only (never the body or the address: the log scrubber masks e-mail
            # addresses and numbers an SMTP error may quote).
            logger.warning("Notification %s (%s) not sent (attempt %s): %s", row.pk, row.channel, row.attempts, row.last_error)
        row.save(update_fields=["attempts", "status", "last_error", "next_attempt_at", "sent_at", "channel", "fallback"])
        return row.status


@transaction.atomic
def notifications_retry(*, ids: Iterable[int]) -> int:
    """«Gửi lại»: failed rows go back to the queue with a fresh count of attempts."""
    rows = list(Notification.objects.select_for_update().filter(pk__in=list(ids), status=NotificationStatus.FAILED))
    now = timezone.now()
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = NotificationStatus.QUEUED, 0, now
    Notification.objects.bulk_update(rows, ["status", "attempts", "next_attempt_at"])
    pks = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue(pks))
    return len(rows)


def _enqueue(pks: list[int]) -> None:
    from .tasks import send_notification

    for pk in pks:
        send_notification.delay(notification_id=pk)


def notifications_due(*, now=None) -> list[int]:
    """Queued rows whose task is overdue by STALE_AFTER: lost, to be sent again (the beat job)."""
    now = now or timezone.now()
    due = Notification.objects.filter(status=NotificationStatus.QUEUED, next_attempt_at__lte=now - STALE_AFTER)
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:1000])


def outbox_counts() -> dict[str, int]:
    """Rows waiting (queued: the backlog) and given up (failed), for the metrics. One query on
    the (status, next_attempt_at) index; sent rows are not counted."""
    waiting = (NotificationStatus.QUEUED, NotificationStatus.FAILED)
    counts = dict.fromkeys(waiting, 0)
    for status, n in Notification.objects.filter(status__in=waiting).values_list("status").annotate(n=Count("pk")).order_by():
        counts[status] = n
    return {str(status): n for status, n in counts.items()}
