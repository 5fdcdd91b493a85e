"""Winners' details for the award (citizen ID, date of birth, address, bank account).

- **Who is asked**: the holder of a verified, valid prize — a quiz winner, or the submitter of an
  awarded essay on behalf of its authors (one payment per prize) — and the submitter of the essay
  that won a readers' vote prize that counts (`essays.votes.vote_prizes_counting`; part «vote»).
  `winner_prizes_for_user`.
- **The request**: `winner_details_request` (the secretariat, from /reports/awards/) opens the
  form for WINNER_DETAILS_LINK_DAYS and tells the winner by e-mail and SMS (the notification
  outbox). Each (re-)issue is a `WinnerDetailsRequest` row: who asked, when, until when.
- **The form**: /awards/details/<part>/<pk>/ — no token in the address: only the signed-in holder
  opens it (`winner_prize_for_holder`), only while a request is open and the contest not archived
  (`form_closed_reason`), and only once (`winner_details_submit`; the one-to-one row is the
  database's guard). Afterwards the holder sees what was sent, masked (`masked`).
- **Changes**: the secretariat only, with a reason, recorded as a decision; the winner is told
  that (not what) it changed (`winner_details_change`).
- **At rest**: one MultiFernet token of the JSON (`seal` / `unseal`); keys from
  WINNER_DETAILS_KEYS, newest first; `rotate_all` re-encrypts with the newest.
- **Who sees them**: the secretariat only (`awards.rules.can_see_winner_details`); every look —
  page or export — is logged (`details_for_staff`)."""

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.decisions import Action, decision_record
from contests.enums import PrizeStatus
from contests.rules import contest_is_writable, read_only_message
from essays.models import EssayPrize, VotePrize
from essays.votes import vote_prizes_counting
from quiz.models import Prize

from . import rules
from .models import VOTE_TIER, WinnerDetails, WinnerDetailsAccess, WinnerDetailsRequest, tier_label

_KEYS = {"quiz": "prize", "essay": "essay_prize", "vote": "vote_prize"}  # a part's column in the details' tables

FIELDS = ("citizen_id", "birth_date", "address", "bank_account", "bank_name", "account_holder")
SALT = "reports.winner_details"  # the module's first home; keys and old links derive from it: never change


class WinnerDetailsClosed(Exception):
    """The form (or a change, or a request) is refused; `message` says why, in Vietnamese."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


# --- encryption at rest ---------------------------------------------------------------------


def _keys() -> list[bytes]:
    keys = [k.strip().encode() for k in settings.WINNER_DETAILS_KEYS if k.strip()]
    if not keys:  # development: a key derived from SECRET_KEY
        keys = [base64.urlsafe_b64encode(hashlib.sha256(f"{SALT}:{settings.SECRET_KEY}".encode()).digest())]
    return keys


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in _keys()])


def seal(data: dict) -> bytes:
    return _fernet().encrypt(json.dumps(data, ensure_ascii=False, sort_keys=True).encode())


def unseal(token: bytes) -> dict:
    return json.loads(_fernet().decrypt(bytes(token)))


def rotate_all() -> int:
    """Re-encrypt every row with the newest key (after a new key was put first). Returns the count."""
    fernet, count = _fernet(), 0
    for details in WinnerDetails.objects.only("pk", "sealed").iterator():
        rotated = fernet.rotate(bytes(details.sealed))
        WinnerDetails.objects.filter(pk=details.pk).update(sealed=rotated)
        count += 1
    return count


# --- whose prize ----------------------------------------------------------------------------


@dataclass
class WinnerPrize:
    """A prize whose holder is asked for details: which part, the prize, who holds it."""

    part: str  # "quiz", "essay" or "vote"
    prize: object
    user: object

    @property
    def label(self) -> str:
        if self.part == "quiz":
            return f"{self.prize.get_tier_display()} – {self.prize.round.name}"
        if self.part == "vote":
            return f"{tier_label(VOTE_TIER)} – {self.prize.essay.title}"
        return f"{self.prize.get_tier_display()} – {self.prize.essay.title}"

    @property
    def contest(self):
        return self.prize.round.contest if self.part == "quiz" else self.prize.essay.phase.contest


def _annotated(qs, part: str):
    """Each prize with `details_at` (when its holder sent the details, or None) and
    `requested_until` (when the newest request for them expires, or None). One query."""
    key = _KEYS[part]
    sent = WinnerDetails.objects.filter(**{key: OuterRef("pk")})
    asked = WinnerDetailsRequest.objects.filter(**{key: OuterRef("pk")}).order_by("-expires_at")
    return qs.annotate(
        details_at=Subquery(sent.values("submitted_at")[:1]),
        requested_until=Subquery(asked.values("expires_at")[:1]),
    )


def _asked(qs, part: str):
    """Verified, valid prizes, annotated (`_annotated`)."""
    return _annotated(qs.valid().filter(status=PrizeStatus.VERIFIED), part)


def _votes_asked(**filters):
    """The vote prizes that count (`essays.votes.vote_prizes_counting`), annotated."""
    qs = vote_prizes_counting(contest=filters.pop("contest", None)).filter(**filters)
    return _annotated(qs, "vote").select_related("essay__submitter", "essay__phase__contest", "phase")


def winner_prize(part: str, pk: int) -> WinnerPrize | None:
    """A verified, valid prize (a vote prize that counts) by part and id, or None."""
    if part == "quiz":
        prize = _asked(Prize.objects, part).select_related("user", "round__contest").filter(pk=pk).first()
        return WinnerPrize("quiz", prize, prize.user) if prize else None
    if part == "essay":
        prize = _asked(EssayPrize.objects, part).select_related("essay__submitter", "essay__phase__contest").filter(pk=pk).first()
        return WinnerPrize("essay", prize, prize.essay.submitter) if prize else None
    if part == "vote":
        prize = _votes_asked(pk=pk).first()
        return WinnerPrize("vote", prize, prize.essay.submitter) if prize else None
    return None


def winner_prize_for_holder(user, part: str, pk: int) -> WinnerPrize | None:
    """The prize if `user` (signed in) holds it, else None: the one door to the winner's form.
    Nobody else — not another contestant, not the secretariat — opens or posts it."""
    if not getattr(user, "is_authenticated", False):
        return None
    wp = winner_prize(part, pk)
    return wp if wp is not None and wp.user is not None and wp.user.pk == user.pk else None


def winner_prizes_for_user(*, user, contest) -> list[WinnerPrize]:
    quiz = _asked(Prize.objects, "quiz").filter(user=user, round__contest=contest).select_related("round")
    essays = (
        _asked(EssayPrize.objects, "essay").filter(essay__submitter=user, essay__phase__contest=contest).select_related("essay")
    )
    votes = _votes_asked(contest=contest, essay__submitter=user).order_by("phase__opens_at", "pk")
    return (
        [WinnerPrize("quiz", p, user) for p in quiz]
        + [WinnerPrize("essay", p, user) for p in essays]
        + [WinnerPrize("vote", p, user) for p in votes]
    )


def winner_prizes(*, contest) -> list[WinnerPrize]:
    quiz = _asked(Prize.objects, "quiz").filter(round__contest=contest).select_related("round__contest", "user")
    essays = _asked(EssayPrize.objects, "essay").filter(essay__phase__contest=contest)
    essays = essays.select_related("essay__submitter", "essay__phase__contest")
    votes = _votes_asked(contest=contest).order_by("phase__opens_at", "pk")
    return (
        [WinnerPrize("quiz", p, p.user) for p in quiz.order_by("round__number", "rank")]
        + [WinnerPrize("essay", p, p.essay.submitter) for p in essays.order_by("rank")]
        + [WinnerPrize("vote", p, p.essay.submitter) for p in votes]
    )


def _lookup(wp: WinnerPrize) -> dict:
    return {_KEYS[wp.part]: wp.prize}


def submitted(wp: WinnerPrize) -> WinnerDetails | None:
    return WinnerDetails.objects.filter(**_lookup(wp)).first()


def request_open(wp: WinnerPrize, *, now=None) -> bool:
    """Whether a request for this prize's details is still open (from the annotation)."""
    until = getattr(wp.prize, "requested_until", None)
    return until is not None and until > (now or timezone.now())


# --- the form's address ---------------------------------------------------------------------


def details_path(wp: WinnerPrize) -> str:
    """The form's address: no token in it (a server logs every address it serves); the session
    says who asks, and only the holder is let in."""
    return reverse("certs:winner_details", args=[wp.part, wp.prize.pk])


def details_url(wp: WinnerPrize, request=None) -> str:
    path = details_path(wp)
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path) if request is not None else path


def legacy_token_target(token: str) -> tuple[str, int] | None:
    """(part, pk) named by a link of the old kind (/awards/details/<signed token>/), whatever its
    age: such a link now only leads to the holder's form, behind login, so it grants nothing."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("part") not in ("quiz", "essay") or not isinstance(data.get("pk"), int):
        return None
    return data["part"], data["pk"]


# --- the form's state -----------------------------------------------------------------------


def form_closed_reason(wp: WinnerPrize, *, now=None) -> str | None:
    """Why the holder cannot send the form now (a Vietnamese sentence), or None when it is open.
    Asked of the database, not of the annotations, so the service's check under lock is exact."""
    now = now or timezone.now()
    if WinnerDetails.objects.filter(**_lookup(wp)).exists():
        return _("Anh/chị đã gửi thông tin nhận giải; mẫu chỉ gửi được một lần. Cần sửa, xin liên hệ Tổ Thư ký.")
    if not contest_is_writable(wp.contest):
        return read_only_message()
    newest = WinnerDetailsRequest.objects.filter(**_lookup(wp)).order_by("-expires_at").first()
    if newest is None:
        return _("Ban Tổ chức chưa gửi yêu cầu cung cấp thông tin nhận giải; anh/chị sẽ nhận được e-mail và tin nhắn khi có.")
    if newest.expires_at <= now:
        return _(
            "Yêu cầu cung cấp thông tin nhận giải đã hết hạn lúc %(when)s. Xin liên hệ Ban Tổ chức để được gửi lại yêu cầu."
        ) % {"when": timezone.localtime(newest.expires_at).strftime("%H:%M %d/%m/%Y")}
    return None


def masked(row: WinnerDetails) -> dict:
    """What the holder sees of what they sent: enough to recognise it, not enough to use it."""
    plain = unseal(row.sealed)

    def tail(value: str, keep: int) -> str:
        return "•" * max(len(value) - keep, 0) + value[-keep:]

    return {
        "citizen_id": tail(plain.get("citizen_id", ""), 3),
        "bank_account": tail(plain.get("bank_account", ""), 4),
        "bank_name": plain.get("bank_name", ""),
        "account_holder": plain.get("account_holder", ""),
    }


# --- writes ---------------------------------------------------------------------------------


def _plain(data: dict) -> dict:
    return {k: data[k].isoformat() if isinstance(data[k], datetime.date) else data[k] for k in FIELDS}


def _lock_prize(wp: WinnerPrize) -> None:
    """Serialize the writes about one prize (a double click, two tabs)."""
    model = {"quiz": Prize, "essay": EssayPrize, "vote": VotePrize}[wp.part]
    list(model.objects.select_for_update().filter(pk=wp.prize.pk).values_list("pk", flat=True))


def _notify(*, wp: WinnerPrize, key: str, context: dict) -> int:
    from contests import notifications

    return notifications.notify(
        user=wp.user,
        kind=notifications.Kind.AWARD_DETAILS,
        key=key,
        context={"prize_label": wp.label, "hotline": settings.CONTEST_HOTLINE, **context},
    )


@transaction.atomic
def winner_details_request(*, winner: WinnerPrize, by, now=None) -> WinnerDetailsRequest:
    """Open the form for the holder for WINNER_DETAILS_LINK_DAYS from now (a re-issue replaces
    an expired or open request: the newest counts) and tell them by e-mail and SMS, with the
    form's address (no token). The row records who asked and when. Raises WinnerDetailsClosed
    when the details were already sent or the contest is archived."""
    now = now or timezone.now()
    if not contest_is_writable(winner.contest):
        raise WinnerDetailsClosed(read_only_message())
    _lock_prize(winner)
    if WinnerDetails.objects.filter(**_lookup(winner)).exists():
        raise WinnerDetailsClosed(_("Người đạt giải đã gửi thông tin; muốn sửa, Tổ Thư ký dùng «Sửa thông tin»."))
    request = WinnerDetailsRequest.objects.create(
        **_lookup(winner),
        requested_by=by if getattr(by, "is_authenticated", False) else None,
        requested_at=now,
        expires_at=now + datetime.timedelta(days=max(settings.WINNER_DETAILS_LINK_DAYS, 1)),
    )
    winner.prize.requested_until = request.expires_at
    _notify(
        wp=winner,
        key=f"award_details_request:{request.pk}",
        context={"event": "request", "url": details_url(winner), "expires_at": timezone.localtime(request.expires_at)},
    )
    return request


def winner_details_request_missing(*, contest, by, now=None) -> int:
    """«Gửi yêu cầu cho người chưa gửi»: a request to every winner of the contest who has not sent
    their details and has no open request. Returns how many were asked."""
    now = now or timezone.now()
    asked = 0
    for wp in winner_prizes(contest=contest):
        if wp.prize.details_at is None and not request_open(wp, now=now):
            winner_details_request(winner=wp, by=by, now=now)
            asked += 1
    return asked


@transaction.atomic
def winner_details_submit(*, winner: WinnerPrize, data: dict, by) -> WinnerDetails:
    """The holder sends the form: once, while a request is open, in a contest not archived.
    `submitted_by` is the holder. Raises WinnerDetailsClosed otherwise (nothing changes)."""
    if not getattr(by, "is_authenticated", False) or winner.user is None or by.pk != winner.user.pk:
        raise WinnerDetailsClosed(_("Chỉ người đạt giải, đã đăng nhập, mới gửi được thông tin nhận giải của mình."))
    _lock_prize(winner)
    reason = form_closed_reason(winner)
    if reason:
        raise WinnerDetailsClosed(reason)
    try:
        with transaction.atomic():  # the one-to-one column is the guard when the lock is not (SQLite)
            return WinnerDetails.objects.create(
                **_lookup(winner), sealed=seal(_plain(data)), submitted_at=timezone.now(), submitted_by=by
            )
    except IntegrityError:
        raise WinnerDetailsClosed(
            _("Anh/chị đã gửi thông tin nhận giải; mẫu chỉ gửi được một lần. Cần sửa, xin liên hệ Tổ Thư ký.")
        ) from None


@transaction.atomic
def winner_details_change(*, winner: WinnerPrize, data: dict, by, reason: str) -> WinnerDetails:
    """The secretariat corrects a winner's details (the winner phoned, the bank refused the
    account…): with a reason, recorded as a decision naming which fields changed (never their
    values), and the winner is told by e-mail and SMS that — not what — changed."""
    if not rules.can_see_winner_details(by):
        raise WinnerDetailsClosed(_("Chỉ Tổ Thư ký được sửa thông tin nhận giải."))
    reason = (reason or "").strip()
    if not reason:
        raise WinnerDetailsClosed(_("Xin ghi lý do sửa thông tin nhận giải."))
    if not contest_is_writable(winner.contest):
        raise WinnerDetailsClosed(read_only_message())
    _lock_prize(winner)
    row = WinnerDetails.objects.select_for_update().filter(**_lookup(winner)).first()
    if row is None:
        raise WinnerDetailsClosed(_("Người đạt giải chưa gửi thông tin; chưa có gì để sửa."))
    new = _plain(data)
    old = unseal(row.sealed)
    changed = [k for k in FIELDS if old.get(k) != new[k]]
    if not changed:
        raise WinnerDetailsClosed(_("Thông tin mới giống hệt thông tin đã có; không có gì để sửa."))
    decision = decision_record(
        action=Action.WINNER_DETAILS_CHANGE, obj=winner.prize, by=by, reason=reason, contest=winner.contest,
        data={"fields": changed},
    )  # fmt: skip
    row.sealed = seal(new)
    row.save(update_fields=["sealed"])
    _notify(
        wp=winner,
        key=f"award_details_changed:{decision.pk}",
        context={"event": "changed", "changed_at": timezone.localtime(decision.at)},
    )
    return row


# --- staff reads ----------------------------------------------------------------------------


def details_for_staff(*, details: list[WinnerDetails], viewer, where: str) -> dict[int, dict]:
    """The plain details of these rows for a member of the secretariat, each look logged (who,
    whose, when, where). Callers check `awards.rules.can_see_winner_details` first."""
    WinnerDetailsAccess.objects.bulk_create(
        [
            WinnerDetailsAccess(
                details=d,
                prize_id=d.prize_id,
                essay_prize_id=d.essay_prize_id,
                vote_prize_id=d.vote_prize_id,
                viewer=viewer,
                where=where,
            )  # fmt: skip
            for d in details
        ]
    )
    return {d.pk: unseal(d.sealed) for d in details}


def requests_for(wp: WinnerPrize) -> list[WinnerDetailsRequest]:
    """Every request for this prize's details, newest first, with who asked (the log of issues)."""
    return list(WinnerDetailsRequest.objects.filter(**_lookup(wp)).select_related("requested_by"))
