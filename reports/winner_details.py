"""Winners' details for the award (citizen ID, date of birth, address, bank account).

- **Who is asked**: the holder of a verified, valid prize — a quiz winner, or the submitter of an
  awarded essay on behalf of its authors (one payment per prize). `winner_prizes_for_user`.
- **The link**: a signed token naming the prize (`details_token` / `prize_from_token`), valid
  WINNER_DETAILS_LINK_DAYS; e-mailed by `winner_details_request`, also shown on the winner's
  "Kết quả của tôi" page.
- **At rest**: one MultiFernet token of the JSON (`seal` / `unseal`); keys from
  WINNER_DETAILS_KEYS, newest first; `rotate_all` re-encrypts with the newest.
- **Who sees them**: the secretariat only (`reports.rules.can_see_winner_details`); every look —
  page or export — is logged (`details_for_staff`)."""

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.enums import PrizeStatus
from essays.models import EssayPrize
from quiz.models import Prize

from .models import WinnerDetails, WinnerDetailsAccess

FIELDS = ("citizen_id", "birth_date", "address", "bank_account", "bank_name", "account_holder")
SALT = "reports.winner_details"


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

    part: str  # "quiz" or "essay"
    prize: object
    user: object

    @property
    def label(self) -> str:
        if self.part == "quiz":
            return f"{self.prize.get_tier_display()} – {self.prize.round.name}"
        return f"{self.prize.get_tier_display()} – {self.prize.essay.title}"


def _asked(qs, part: str):
    """Verified, valid prizes, each with `details_at`: when its holder sent the details (or None)."""
    sent = WinnerDetails.objects.filter(**{"prize" if part == "quiz" else "essay_prize": OuterRef("pk")})
    return qs.valid().filter(status=PrizeStatus.VERIFIED).annotate(details_at=Subquery(sent.values("submitted_at")[:1]))


def winner_prize(part: str, pk: int) -> WinnerPrize | None:
    """A verified, valid prize by part and id, or None."""
    if part == "quiz":
        prize = _asked(Prize.objects, part).select_related("user", "round").filter(pk=pk).first()
        return WinnerPrize("quiz", prize, prize.user) if prize else None
    if part == "essay":
        prize = _asked(EssayPrize.objects, part).select_related("essay__submitter").filter(pk=pk).first()
        return WinnerPrize("essay", prize, prize.essay.submitter) if prize else None
    return None


def winner_prizes_for_user(*, user, contest) -> list[WinnerPrize]:
    quiz = _asked(Prize.objects, "quiz").filter(user=user, round__contest=contest).select_related("round")
    essays = (
        _asked(EssayPrize.objects, "essay").filter(essay__submitter=user, essay__phase__contest=contest).select_related("essay")
    )
    return [WinnerPrize("quiz", p, user) for p in quiz] + [WinnerPrize("essay", p, user) for p in essays]


def winner_prizes(*, contest) -> list[WinnerPrize]:
    quiz = _asked(Prize.objects, "quiz").filter(round__contest=contest).select_related("round", "user")
    essays = _asked(EssayPrize.objects, "essay").filter(essay__phase__contest=contest).select_related("essay__submitter")
    return [WinnerPrize("quiz", p, p.user) for p in quiz.order_by("round__number", "rank")] + [
        WinnerPrize("essay", p, p.essay.submitter) for p in essays.order_by("rank")
    ]


def _lookup(wp: WinnerPrize) -> dict:
    return {"prize": wp.prize} if wp.part == "quiz" else {"essay_prize": wp.prize}


def submitted(wp: WinnerPrize) -> WinnerDetails | None:
    return WinnerDetails.objects.filter(**_lookup(wp)).first()


# --- the link -------------------------------------------------------------------------------


def details_token(wp: WinnerPrize) -> str:
    return signing.dumps({"part": wp.part, "pk": wp.prize.pk}, salt=SALT, compress=True)


def prize_from_token(token: str) -> WinnerPrize | None:
    """The prize a link names, while the link is fresh and the prize still verified and valid."""
    try:
        data = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=settings.WINNER_DETAILS_LINK_DAYS))
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    return winner_prize(str(data.get("part")), data.get("pk") if isinstance(data.get("pk"), int) else 0)


def details_url(wp: WinnerPrize, request=None) -> str:
    path = reverse("certs:winner_details", args=[details_token(wp)])
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path) if request is not None else path


def winner_details_request(*, winner: WinnerPrize, request=None) -> bool:
    """Ask a winner for the award's details: today an e-mail with the link. The one function a
    notification service can route (SMS, retries) later. Returns whether a message went out."""
    email = getattr(winner.user, "email", "")
    if not email:
        return False
    body = _(
        "Xin chúc mừng anh/chị đã đạt %(prize)s.\n\n"
        "Để Ban Tổ chức làm thủ tục trao giải, xin anh/chị cung cấp số căn cước công dân, ngày sinh, "
        "địa chỉ và tài khoản ngân hàng tại địa chỉ sau (hiệu lực %(days)s ngày):\n%(url)s\n\n"
        "Thông tin được mã hóa và chỉ Tổ thư ký xem được."
    ) % {"prize": winner.label, "days": settings.WINNER_DETAILS_LINK_DAYS, "url": details_url(winner, request)}
    send_mail(_("Thông tin nhận giải thưởng"), body, None, [email])
    return True


# --- writes and staff reads -----------------------------------------------------------------


@transaction.atomic
def winner_details_save(*, winner: WinnerPrize, data: dict, by=None) -> WinnerDetails:
    """Store (or replace) a winner's details, encrypted. `data` is the form's cleaned data."""
    plain = {k: data[k].isoformat() if isinstance(data[k], datetime.date) else data[k] for k in FIELDS}
    details, _created = WinnerDetails.objects.update_or_create(
        **_lookup(winner),
        defaults={
            "sealed": seal(plain),
            "submitted_at": timezone.now(),
            "submitted_by": by if getattr(by, "is_authenticated", False) else None,
        },
    )
    return details


def details_for_staff(*, details: list[WinnerDetails], viewer, where: str) -> dict[int, dict]:
    """The plain details of these rows for a member of the secretariat, each look logged (who,
    whose, when, where). Callers check `reports.rules.can_see_winner_details` first."""
    WinnerDetailsAccess.objects.bulk_create([WinnerDetailsAccess(details=d, viewer=viewer, where=where) for d in details])
    return {d.pk: unseal(d.sealed) for d in details}
