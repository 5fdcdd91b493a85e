"""Personal data (Decree 13/2023/NĐ-CP): consent to the notice, deletion requests and the one
anonymization every path uses (the secretariat's queue, the retention command).

What each app holds about a person and how it is blanked is declared by the apps themselves
(contests.personal_data); this module calls every app's hook inside one transaction."""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.decisions import Action, decision_masks_add, decision_record
from contests.enums import ContestStatus
from contests.models import Contest
from contests.personal_data import hooks, pseudonym

from .models import Consent, ConsentText, DeletionRequest, UnitOfficer, User
from .roles import STAFF_ROLES

CURRENT_CACHE_KEY = "privacy:consent-current"
# The latest version of the notice the signed-in person consented to, kept in the session so
# that pages that need consent ask the database once per session, not once per request.
SESSION_KEY = "privacy_consent_version"


class PrivacyError(Exception):
    """A refused request, with a message for the person."""


# --- Consent --------------------------------------------------------------------------------


def consent_text_current() -> ConsentText | None:
    """The notice in force: the latest published version."""
    return ConsentText.objects.filter(published_at__isnull=False).order_by("-version").first()


def consent_text_shown(version) -> ConsentText | None:
    """The published version a form showed (hidden field), else the one in force."""
    if version:
        text = ConsentText.objects.filter(version=version, published_at__isnull=False).first()
        if text is not None:
            return text
    return consent_text_current()


def consent_version_current() -> int:
    """The version in force (0: none published), cached until a new one is published."""
    version = cache.get(CURRENT_CACHE_KEY)
    if version is None:
        text = consent_text_current()
        version = text.version if text else 0
        # Publishing deletes the key (accounts.privacy.consent_text_publish); the timeout bounds
        # how long a process-local cache (no REDIS_URL) may lag behind.
        cache.set(CURRENT_CACHE_KEY, version, 300)
    return version


def consent_version_of(user) -> int:
    """The latest version `user` consented to (0: none)."""
    return Consent.objects.filter(user=user).order_by("-text__version").values_list("text__version", flat=True).first() or 0


def consent_remember(request, user=None) -> None:
    """Keep the person's latest consent in the session (at login, after consenting)."""
    user = user or request.user
    if user.is_authenticated and hasattr(request, "session"):
        request.session[SESSION_KEY] = consent_version_of(user)
        consent_version_current()  # warm: the pages that ask then cost no query


def consent_needed(request) -> bool:
    """Whether the signed-in person must consent to the notice in force before taking part."""
    current = consent_version_current()
    if not current or not request.user.is_authenticated:
        return False
    given = request.session.get(SESSION_KEY)
    if given is None or given < current:
        consent_remember(request)
        given = request.session[SESSION_KEY]
    return given < current


@transaction.atomic
def consent_record(*, user: User, text: ConsentText, ip: str | None) -> Consent:
    """Record that `user` consented to `text` (a published version), when and from where.
    Consenting twice to the same version keeps the first record."""
    if text.published_at is None:
        raise PrivacyError(_("Phiên bản thông báo này chưa được công bố."))
    consent, _created = Consent.objects.get_or_create(user=user, text=text, defaults={"ip_address": ip or None})
    return consent


@transaction.atomic
def consent_text_publish(*, text: ConsentText) -> ConsentText:
    """Publish a draft version: from now on it is the notice, and everyone is asked again."""
    text = ConsentText.objects.select_for_update().get(pk=text.pk)
    if text.published_at is not None:
        raise PrivacyError(_("Phiên bản %(v)d đã được công bố.") % {"v": text.version})
    ConsentText.objects.filter(pk=text.pk).update(published_at=timezone.now())
    cache.delete(CURRENT_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CURRENT_CACHE_KEY))  # a reader in between cached the old one
    text.refresh_from_db()
    return text


# --- Deletion requests ------------------------------------------------------------------------


def deletion_request_pending(user) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(user=user, status=DeletionRequest.Status.PENDING).first()


def deletion_request_create(*, user: User, reason: str) -> DeletionRequest:
    """The person asks to have their data deleted; the secretariat handles it."""
    if user.anonymized_at is not None:
        raise PrivacyError(_("Dữ liệu của tài khoản này đã được ẩn danh hoá."))
    try:
        with transaction.atomic():
            return DeletionRequest.objects.create(user=user, reason=reason)
    except IntegrityError:
        raise PrivacyError(_("Anh/chị đã gửi một yêu cầu xoá dữ liệu đang chờ xử lý.")) from None


@transaction.atomic
def deletion_request_handle(*, request: DeletionRequest, by: User, approve: bool, note: str = "") -> DeletionRequest:
    """The secretariat's answer: anonymize the person, or refuse with a reason (a legal duty
    to keep the data, for instance). Both are recorded (who, when, note)."""
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DeletionRequest.Status.PENDING:
        raise PrivacyError(_("Yêu cầu này đã được xử lý."))
    if not approve and not note.strip():
        raise PrivacyError(_("Vui lòng ghi lý do từ chối để trả lời người yêu cầu."))
    if approve:
        person_anonymize(user=request.user, by=by, reason=note, data={"request": request.pk})
    request.status = DeletionRequest.Status.DONE if approve else DeletionRequest.Status.REFUSED
    request.handled_by, request.handled_at, request.note = by, timezone.now(), note.strip()
    request.save(update_fields=["status", "handled_by", "handled_at", "note"])
    return request


def pseudonym_done_message(user_id: int) -> str:
    return _("Đã ẩn danh hoá: từ nay người này là «%(label)s».") % {"label": pseudonym(user_id)}


# --- Anonymization ----------------------------------------------------------------------------


def person_objects(*, user: User) -> dict[str, list[int]]:
    """Every object about the person the decision log may name, from every app."""
    objects: dict[str, list[int]] = {}
    for hook in hooks("personal_data_objects"):
        for label, ids in hook(user=user).items():
            objects.setdefault(label, []).extend(ids)
    return objects


@transaction.atomic
def person_anonymize(*, user: User, by: User | None = None, reason: str = "", data: dict | None = None) -> User:
    """Anonymize a person in one transaction: every app blanks what names or reaches them
    (name → «Người dùng đã xoá #id», e-mail → an unusable unique address, phone and profile
    fields cleared, password unusable, account inactive, essays' authors…); results, attempts,
    prizes and every figure stay as they are. The decision log gets one more line (who, why)
    and shows the pseudonym for the person's objects from now on. Safe to run twice."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.anonymized_at is not None:
        return user
    label = pseudonym(user.pk)
    objects = person_objects(user=user)
    for hook in hooks("personal_data_anonymize"):
        hook(user=user, label=label)
    decision_masks_add(objects=objects, label=label)
    user.refresh_from_db()
    decision_record(action=Action.ANONYMIZE, obj=user, by=by, reason=reason, data=data or {})
    return user


# --- Retention --------------------------------------------------------------------------------


def retention_contests(*, today: datetime.date | None = None) -> list[int]:
    """Contests whose data are past keeping: archived, and ended more than
    PERSONAL_DATA_RETENTION_DAYS ago."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    return list(Contest.objects.filter(status=ContestStatus.ARCHIVED, ends_on__lt=cutoff).values_list("pk", flat=True))


# People are examined a page of accounts at a time, and anonymized a batch at a time (one
# transaction each person): a national season's 900,000 accounts are never held, nor one task
# kept running for hours (each anonymization takes ~20 ms).
RETENTION_PAGE = 20_000
RETENTION_BATCH = 2_000


def retention_candidates(*, today: datetime.date | None = None, after: int = 0, limit: int | None = None) -> list[int]:
    """The contestants to anonymize, by id: every contest they took part in is past keeping (so
    nobody active in a newer contest), not anonymized yet, never staff. Only ids above `after`,
    and the first `limit` of them; read a page of `RETENTION_PAGE` accounts at a time."""
    expired = set(retention_contests(today=today))
    if not expired:
        return []
    people = (
        User.objects.filter(anonymized_at__isnull=True, is_staff=False, is_superuser=False)
        .exclude(groups__name__in=STAFF_ROLES)
        .order_by("pk")
    )
    found: list[int] = []
    while limit is None or len(found) < limit:
        page = list(people.filter(pk__gt=after).values_list("pk", flat=True)[:RETENTION_PAGE])
        if not page:
            break
        contests: dict[int, set[int]] = {}
        for hook in hooks("personal_data_contests"):
            for user_id, ids in hook(users=page).items():
                contests.setdefault(user_id, set()).update(ids)
        found.extend(sorted(user_id for user_id, ids in contests.items() if ids and ids <= expired))
        after = page[-1]
    return found if limit is None else found[:limit]


def retention_anonymize(*, user_ids: list[int]) -> int:
    """Anonymize each of `user_ids` (one transaction per person, so a long run keeps what it
    did). Returns how many were anonymized."""
    done = 0
    for user in User.objects.filter(pk__in=user_ids, anonymized_at__isnull=True).iterator():
        person_anonymize(user=user, data={"retention": settings.PERSONAL_DATA_RETENTION_DAYS})
        done += 1
    return done


def retention_batch(*, after: int = 0, size: int | None = None) -> tuple[int, int | None]:
    """One batch of the retention rule: the next `size` (RETENTION_BATCH) candidates above
    `after`, anonymized. Returns how many, and where the next batch starts (None when this one
    was the last)."""
    size = size or RETENTION_BATCH
    people = retention_candidates(after=after, limit=size)
    done = retention_anonymize(user_ids=people)
    return done, (people[-1] if len(people) == size else None)


# --- What this app holds (the hooks of contests.personal_data, on AccountsConfig) -------------


def export(*, user: User) -> list:
    from allauth.account.models import EmailAddress

    from contests.personal_data import Section, when

    from .models import InvitationDelivery, ProfileUnitChange
    from .selectors import organization_labels, profile_for_user

    sections = [
        Section("account", _("Tài khoản"), [{
            _("E-mail"): user.email, _("Họ và tên"): user.full_name, _("Số điện thoại đăng nhập"): user.phone or "",
            _("Đã xác minh số điện thoại"): user.phone_verified, _("Ngày đăng ký"): when(user.date_joined),
            _("Đăng nhập lần cuối"): when(user.last_login), _("Đang hoạt động"): user.is_active,
        }]),
        Section("email_addresses", _("Địa chỉ e-mail"), [
            {_("E-mail"): e.email, _("Đã xác nhận"): e.verified, _("Địa chỉ chính"): e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("pk")
        ]),
    ]  # fmt: skip
    profile = profile_for_user(user)
    changes = list(ProfileUnitChange.objects.filter(profile__user=user).select_related("old_organization", "new_organization"))
    members = list(member_lines(user=user).select_related("organization"))
    assignments = list(UnitOfficer.objects.filter(user=user).select_related("organization").order_by("assigned_at", "pk"))
    orgs = [profile.organization] if profile else []
    orgs += [c.old_organization for c in changes] + [c.new_organization for c in changes]
    orgs += [m.organization for m in members] + [a.organization for a in assignments]
    labels = organization_labels(orgs)
    rows = []
    if profile is not None:
        rows.append({
            _("Số điện thoại"): profile.phone, _("Đơn vị"): labels.get(profile.organization_id, ""),
            _("Chức vụ, vị trí công tác"): profile.position, _("Là đảng viên"): profile.is_party_member,
            _("Hoàn thành lúc"): when(profile.completed_at), _("Cập nhật lúc"): when(profile.updated_at),
        })  # fmt: skip
    sections.append(Section("profile", _("Hồ sơ thí sinh"), rows))
    sections.append(Section("unit_changes", _("Thay đổi đơn vị"), [
        {_("Lúc"): when(c.changed_at), _("Đơn vị cũ"): labels.get(c.old_organization_id, ""),
         _("Đơn vị mới"): labels.get(c.new_organization_id, "")}
        for c in changes
    ]))  # fmt: skip
    # The invitation's token is a key, not a fact about the person: it stays out of the file.
    sections.append(Section("member_lists", _("Danh sách thành viên của đơn vị"), [
        {_("Đơn vị"): labels.get(m.organization_id, ""), _("Họ và tên"): m.full_name, _("Số điện thoại"): m.phone,
         _("E-mail"): m.email, _("Chức vụ"): m.position, _("Là đảng viên"): m.is_party_member,
         _("Trạng thái"): m.get_status_display(), _("Nhập lúc"): when(m.invited_at),
         _("Gửi lời mời lúc"): when(m.sent_at), _("Đăng ký lúc"): when(m.accepted_at)}
        for m in members
    ]))  # fmt: skip
    # Each invitation sent to those lines: by which channel, to which address, and what became of it.
    sections.append(Section("invitations", _("Lời mời đã gửi"), [
        {_("Đơn vị"): labels.get(d.member.organization_id, ""), _("Kênh"): d.get_channel_display(),
         _("Gửi tới"): d.address, _("Trạng thái"): d.get_status_display(), _("Gửi lúc"): when(d.sent_at)}
        for d in InvitationDelivery.objects.filter(member__in=members).select_related("member").order_by("created_at", "pk")
    ]))  # fmt: skip
    sections.append(Section("unit_officer", _("Cán bộ phụ trách đơn vị"), [
        {_("Đơn vị"): labels.get(a.organization_id, ""), _("Giao lúc"): when(a.assigned_at)} for a in assignments
    ]))  # fmt: skip
    sections.append(Section("consents", _("Đồng ý xử lý dữ liệu cá nhân"), [
        {_("Phiên bản"): c.text.version, _("Thông báo"): c.text.title, _("Đồng ý lúc"): when(c.given_at),
         _("Địa chỉ IP"): c.ip_address or ""}
        for c in Consent.objects.filter(user=user).select_related("text").order_by("given_at")
    ]))  # fmt: skip
    sections.append(Section("deletion_requests", _("Yêu cầu xoá dữ liệu"), [
        {_("Gửi lúc"): when(r.requested_at), _("Lý do"): r.reason, _("Trạng thái"): r.get_status_display(),
         _("Xử lý lúc"): when(r.handled_at), _("Ghi chú xử lý"): r.note}
        for r in DeletionRequest.objects.filter(user=user)
    ]))  # fmt: skip
    return sections


def member_lines(*, user: User):
    """The member-list lines that are this person: the one their invitation linked, and one
    under their sign-in number once an SMS code proved that number theirs (a number typed on a
    profile proves nothing, and the line might be someone else's)."""
    from django.db.models import Q

    from .models import Member

    mine = Q(user=user)
    if user.phone and user.phone_verified:
        mine |= Q(phone=user.phone)
    return Member.objects.filter(mine).order_by("pk")


def placeholder_phone(member_id: int) -> str:
    """What an anonymized member line holds instead of a number: unique (one per line), ten
    characters at most (the column), and never a mobile number (it starts with a letter, so
    accounts.phone.normalize_phone refuses it and no import or sign-in can match it). X and
    nine decimal digits; past a billion lines, Y and base 36."""
    return f"X{member_id:09d}" if member_id < 10**9 else f"Y{_base36(member_id):>09}"


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


def anonymize(*, user: User, label: str) -> None:
    import secrets

    from allauth.account.models import EmailAddress

    from .models import Profile
    from .services import unit_officer_remove

    # The member lines first: the verified sign-in number finds them, and it goes below.
    # A line stays (a unit's participation rate is counted against its list), nameless.
    for member in member_lines(user=user):
        member.full_name, member.phone, member.email = label, placeholder_phone(member.pk), ""
        member.position, member.is_party_member = "", False
        member.token = secrets.token_urlsafe(32)  # an invitation link already sent leads nowhere
        member.save(update_fields=["full_name", "phone", "email", "position", "is_party_member", "token", "updated_at"])
        # Where its invitations went is the person's number and address too.
        member.deliveries.update(address="")
    for assignment in UnitOfficer.objects.filter(user=user).select_related("user"):
        unit_officer_remove(assignment=assignment)
    user.full_name = label
    user.email = f"xoa-{user.pk}@an-danh.invalid"  # unique, and no mail server will ever take it
    user.phone, user.phone_verified = None, False
    user.set_unusable_password()
    user.is_active = False
    user.anonymized_at = timezone.now()
    user.save(update_fields=["full_name", "email", "phone", "phone_verified", "password", "is_active", "anonymized_at"])
    EmailAddress.objects.filter(user=user).delete()
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        # The unit stays: it is what the unit's figures were counted against.
        profile.phone, profile.position, profile.is_party_member = "", "", False
        profile.save(update_fields=["phone", "position", "is_party_member", "updated_at"])
    Consent.objects.filter(user=user).update(ip_address=None)


def objects(*, user: User) -> dict[str, list[int]]:
    from .models import Profile

    return {"accounts.user": [user.pk], "accounts.profile": list(Profile.objects.filter(user=user).values_list("pk", flat=True))}
