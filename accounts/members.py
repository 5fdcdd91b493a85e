"""Member lists: a unit's people imported from Excel as invitations to sign up, the template
of that workbook, and the invitation itself (a signed link; following it prefills the profile;
accounts.invitations sends it).

Who may import into which unit is accounts.rules.can_manage_unit: an officer only into their
own subtree, organizers and the secretariat anywhere."""

import io
import secrets
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from contests.cleaning import clean_person_name, clean_text, normalize_text
from contests.printing import print_title, sheet_print_setup
from contests.text import excel_text

from .enums import MemberStatus
from .models import Member, Organization, User
from .phone import GENERIC as PHONE_GENERIC
from .phone import normalize_phone
from .rules import units_in_reach
from .selectors import organization_labels

MEMBER_HEADERS = ["Họ và tên", "Số điện thoại", "Email", "Đơn vị", "Chức vụ", "Đảng viên"]
_YES = {"có", "co", "x", "1", "đảng viên", "dang vien", "yes", "true", "c"}
_NO = {"", "không", "khong", "0", "k", "no", "false"}
INVITATION_SALT = "accounts.member.invitation"
INVITATION_MAX_AGE = 90 * 24 * 3600  # a link sent at the start of a contest lasts through it
SESSION_KEY = "member_invitation"


@dataclass
class MemberImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    index: int
    full_name: str
    phone: str
    email: str
    organization: Organization
    position: str
    is_party_member: bool


def _cell(value, *, label: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value, label=label)


def _unit_finder(user, default: Organization | None):
    """A function: the text of the «Đơn vị» cell → (unit, None) or (None, why not). A code or a
    unit's exact name (case and diacritics as typed, NFC); blank means the unit being imported
    into. Only units the user may manage are found."""
    reach = list(units_in_reach(user).only("id", "code", "name", "path"))
    by_code = {o.code.casefold(): o for o in reach}
    by_name: dict[str, list[Organization]] = {}
    for org in reach:
        by_name.setdefault(normalize_text(org.name).casefold(), []).append(org)
    inside = (lambda o: o.path.startswith(default.path)) if default else (lambda o: True)
    every_code = set(Organization.objects.values_list("code", flat=True)) if reach else set()

    def find(text: str):
        if not text:
            if default is None:
                return None, _("thiếu đơn vị (mã hoặc tên đơn vị)")
            return default, None
        key = text.casefold()
        candidates = [by_code[key]] if key in by_code else by_name.get(key, [])
        candidates = [o for o in candidates if inside(o)]
        if len(candidates) == 1:
            return candidates[0], None
        if len(candidates) > 1:
            return None, _("có nhiều đơn vị tên «%(u)s»; hãy ghi mã đơn vị") % {"u": text[:60]}
        if text in every_code or by_name.get(key) or key in by_code:
            return None, _("đơn vị «%(u)s» không thuộc phạm vi được nhập ở đây") % {"u": text[:60]}
        return None, _("không tìm thấy đơn vị «%(u)s»") % {"u": text[:60]}

    return find


def _party_member(text: str):
    key = text.casefold()
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


def _parse(rows: list[tuple], *, by: User, default: Organization | None, result: MemberImportResult) -> list[_Row]:
    find_unit = _unit_finder(by, default)
    parsed: list[_Row] = []
    phones: dict[str, int] = {}
    name_limit = Member._meta.get_field("full_name").max_length
    position_limit = Member._meta.get_field("position").max_length
    for index, raw in enumerate(rows, start=2):
        raw = (list(raw) + [None] * 6)[:6]
        if all(c is None or not str(c).strip() for c in raw):
            continue
        problems, cells = [], []
        for value, label in zip(raw, MEMBER_HEADERS):
            try:
                cells.append(_cell(value, label=label))
            except ValidationError as exc:
                problems.append(exc.messages[0].rstrip("."))
                cells.append("")
        name, phone_text, email, unit_text, position, party_text = cells
        name = " ".join(name.split())
        if not name:
            if not problems:
                problems.append(_("thiếu họ và tên"))
        elif len(name) > name_limit:
            problems.append(_("họ và tên dài quá %(n)d ký tự") % {"n": name_limit})
        else:
            try:
                name = clean_person_name(name)
            except ValidationError as exc:
                why = exc.messages[0].rstrip(".")
                problems.append(_("%(why)s («%(v)s»)") % {"why": why[:1].lower() + why[1:], "v": name[:60]})
        phone = ""
        if not phone_text:
            problems.append(_("thiếu số điện thoại"))
        else:
            try:
                phone = normalize_phone(phone_text)
            except ValidationError as exc:
                # The cause when accounts.phone knows it (a number in scientific form, a landline…).
                why = exc.messages[0].rstrip(".")
                if exc.messages[0] == str(PHONE_GENERIC):
                    why = _("số điện thoại «%(v)s» không hợp lệ (cần số di động 10 chữ số)") % {"v": phone_text[:20]}
                problems.append(why[:1].lower() + why[1:])
        if phone and phone in phones:
            problems.append(_("số điện thoại %(p)s trùng với dòng %(r)d") % {"p": phone, "r": phones[phone]})
        email = email.lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(_("email «%(v)s» không hợp lệ") % {"v": email[:60]})
        organization, unit_problem = find_unit(unit_text)
        if unit_problem:
            problems.append(unit_problem)
        if len(position) > position_limit:
            problems.append(_("chức vụ dài quá %(n)d ký tự") % {"n": position_limit})
        party = _party_member(party_text)
        if party is None:
            problems.append(_("cột Đảng viên «%(v)s» phải là «Có» hoặc «Không»") % {"v": party_text[:20]})
        if phone:
            phones.setdefault(phone, index)
        if problems:
            result.errors.append(_("Dòng %(r)d: %(p)s.") % {"r": index, "p": "; ".join(problems)})
            continue
        parsed.append(_Row(index, name, phone, email, organization, position, party))
    return parsed


def members_import(*, rows: list[tuple], by: User, organization: Organization | None = None) -> MemberImportResult:
    """Import a member list (rows of MEMBER_HEADERS, header excluded; row numbers in messages
    count the header as row 1) into `organization`'s subtree, or anywhere `by` may manage when no
    unit is given. Every row is checked first; one bad row and nothing is written. One transaction.

    A phone number is one person *within the importer's reach*: a line of that number in a unit
    the importer manages is updated (moved to the row's unit if need be); lines in units they do
    not manage are neither read, changed nor mentioned — the row becomes this unit's own line, so
    nothing in the answer tells an officer whether another unit lists the number (they could
    otherwise probe any number). The database holds one line per unit and number."""
    result = MemberImportResult()
    parsed = _parse(rows, by=by, default=organization, result=result)
    if not result.ok:
        return result
    try:
        return _members_write(parsed, by=by, result=result)
    except IntegrityError:  # another import added the same number to the same unit meanwhile
        return MemberImportResult(errors=[_("Danh sách vừa được cập nhật cùng lúc ở nơi khác; hãy nhập lại tệp.")])


def _members_write(parsed: list[_Row], *, by: User, result: MemberImportResult) -> MemberImportResult:
    with transaction.atomic():
        lines: dict[str, list[Member]] = {}
        in_reach = (
            Member.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(phone__in=[r.phone for r in parsed], organization__in=units_in_reach(by))
        )
        for member in in_reach.order_by("pk"):
            lines.setdefault(member.phone, []).append(member)
        existing: dict[str, Member] = {}
        for row in parsed:
            candidates = lines.get(row.phone, [])
            here = [m for m in candidates if m.organization_id == row.organization.pk]
            if here or len(candidates) == 1:
                existing[row.phone] = (here or candidates)[0]
            elif candidates:
                # Only units the importer manages are named: nothing here is news to them.
                result.errors.append(
                    _(
                        "Dòng %(r)d: số điện thoại %(p)s có ở nhiều dòng trong các đơn vị bạn quản lý (%(u)s); "
                        "hãy sửa trong trang quản trị."
                    )
                    % {"r": row.index, "p": row.phone, "u": ", ".join(sorted(m.organization.code for m in candidates))}
                )
        if result.errors:
            return result
        for row in parsed:
            values = {
                "full_name": row.full_name,
                "email": row.email,
                "organization": row.organization,
                "position": row.position,
                "is_party_member": row.is_party_member,
            }
            member = existing.get(row.phone)
            if member is None:
                Member.objects.create(phone=row.phone, token=secrets.token_urlsafe(32), invited_by=by, **values)
                result.created += 1
                continue
            changed = [name for name, value in values.items() if getattr(member, name) != value]
            if not changed:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(member, name, values[name])
            member.save(update_fields=[*changed, "updated_at"])
            result.updated += 1
    return result


def members_import_upload(*, file, by: User, organization: Organization | None = None) -> tuple[str | None, list[str]]:
    """An uploaded list, read (accounts.importers) and imported (members_import), for the officer's
    page and the admin alike: (the summary to show, []) or (None, the errors by row)."""
    from .importers import read_member_rows

    rows, read_error = read_member_rows(file)
    if read_error:
        return None, [read_error]
    result = members_import(rows=rows, by=by, organization=organization)
    if not result.ok:
        return None, result.errors
    return _("Đã nhập danh sách: %(c)d người mới, %(u)d người cập nhật, %(n)d người không đổi.") % {
        "c": result.created, "u": result.updated, "n": result.unchanged,
    }, []  # fmt: skip


def members_template(*, user) -> bytes:
    """The blank member workbook: the header row, an example row to overwrite, and a second sheet
    listing the units this user may import into (code and full name)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append(MEMBER_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (28, 16, 28, 16, 24, 12)):
        sheet.column_dimensions[letter].width = width
    units = list(units_in_reach(user).only("id", "code", "name", "path").order_by("path"))
    listing = workbook.create_sheet("Đơn vị")
    listing.append(["Mã đơn vị", "Tên đơn vị"])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    listing.column_dimensions["A"].width = 16
    listing.column_dimensions["B"].width = 80
    labels = organization_labels(units)
    for org in units:
        listing.append([excel_text(org.code), excel_text(labels[org.pk])])
    for page in (sheet, listing):  # the page set-up every workbook prints with
        sheet_print_setup(page, title=print_title("Danh sách thành viên", page.title))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Invitations -------------------------------------------------------------------------------


def invitation_link(member: Member) -> str:
    """The path of a member's invitation: their token, signed, so a guessed or edited link is
    refused before any lookup."""
    return reverse("accounts:invitation", args=[signing.dumps(member.token, salt=INVITATION_SALT, compress=False)])


def member_for_invitation(signed: str) -> Member | None:
    """The member an invitation link is for, while it is valid and not yet used."""
    try:
        token = signing.loads(signed, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(token, str):
        return None
    return Member.objects.select_related("organization").filter(token=token).exclude(status=MemberStatus.ACCEPTED).first()


def invitation_matches(*, member: Member, user: User) -> bool:
    """An invitation is for the person on the list, and the list knows them by their number: it
    applies only to an account whose sign-in number, verified by an SMS code, is the listed one. A
    link forwarded, leaked or followed while someone else is signed in fills in nothing."""
    return bool(user.phone and user.phone_verified and user.phone == member.phone)


def invitation_profile_initial(member: Member) -> dict:
    """What the profile form starts with for an invited person."""
    return {
        "full_name": member.full_name,
        "phone": member.phone,
        "organization": member.organization_id,
        "position": member.position,
        "is_party_member": "1" if member.is_party_member else "0",
    }


@transaction.atomic
def invitation_accept(*, member: Member, user: User) -> bool:
    """Tie the list line to the account that signed up through its link and mark it accepted.
    False (and nothing written) when the line was accepted meanwhile, the account is already
    tied to another line, or the account's verified number is not the listed one
    (invitation_matches)."""
    locked = Member.objects.select_for_update().filter(pk=member.pk).first()
    if locked is None or locked.status == MemberStatus.ACCEPTED:
        return False
    if not invitation_matches(member=locked, user=user):
        return False
    if Member.objects.filter(user=user).exclude(pk=locked.pk).exists():
        return False
    locked.user, locked.status, locked.accepted_at = user, MemberStatus.ACCEPTED, timezone.now()
    locked.save(update_fields=["user", "status", "accepted_at", "updated_at"])
    return True


@transaction.atomic
def profile_save_invited(*, user: User, member: Member | None, **profile) -> bool:
    """Save the profile (accounts.services.profile_save) and, for a person who came by an
    invitation link, accept it in the same transaction. True when an invitation was accepted."""
    from .services import profile_save

    profile_save(user=user, **profile)
    return member is not None and invitation_accept(member=member, user=user)
