"""Writes for accounts: profiles, the organization tree and its import."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contests.cleaning import clean_text

from .enums import OrganizationKind, Role
from .models import Organization, Profile, UnitOfficer, User


@transaction.atomic
def profile_save(
    *,
    user: User,
    full_name: str,
    phone: str,
    organization: Organization,
    position: str,
    is_party_member: bool,
    changed_by: User | None = None,
) -> Profile:
    """Create or update a contestant's profile. A change of unit is recorded (who, when, old → new)
    so that statistics already counted for the old unit can be explained: Profile.save writes
    the record, so the admin, this service and any other save leave the same trace."""
    user.full_name = full_name.strip()
    user.save(update_fields=["full_name"])
    profile = Profile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        user.groups.add(Group.objects.get_or_create(name=Role.CONTESTANT)[0])
        return Profile.objects.create(
            user=user, phone=phone, organization=organization, position=position, is_party_member=is_party_member
        )
    profile.phone = phone
    profile.organization = organization
    profile.position = position
    profile.is_party_member = is_party_member
    profile.save(changed_by=changed_by or user)
    return profile


# --- Unit officers ------------------------------------------------------------------------------


@transaction.atomic
def unit_officer_assign(*, user: User, organization: Organization, by: User | None = None) -> UnitOfficer:
    """Make `user` an officer of `organization` (and so of its whole subtree): the assignment and
    the `unit_officer` role together. Assigning twice changes nothing."""
    assignment, _created = UnitOfficer.objects.get_or_create(user=user, organization=organization, defaults={"assigned_by": by})
    user.groups.add(Group.objects.get_or_create(name=Role.UNIT_OFFICER)[0])
    return assignment


@transaction.atomic
def unit_officer_remove(*, assignment: UnitOfficer) -> None:
    """End one assignment; the role goes with the person's last unit."""
    user = assignment.user
    assignment.delete()
    if not UnitOfficer.objects.filter(user=user).exists():
        user.groups.remove(*Group.objects.filter(name=Role.UNIT_OFFICER))


# --- Organization import -----------------------------------------------------------------------

ORGANIZATION_HEADERS = ["Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Loại", "Mã đơn vị cấp trên", "Số đảng viên", "Thứ tự"]
_KIND_BY_LABEL = {str(label).lower(): value for value, label in OrganizationKind.choices} | {
    value: value for value in OrganizationKind.values
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


_MAX_POSITIVE_INT = 2_147_483_647  # PositiveIntegerField on every database


def _cell_text(value, *, label: str) -> str:
    """A cell as clean text (contests.cleaning); ValidationError names the column."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value, label=label)


def organizations_import(*, rows: list[tuple]) -> ImportResult:
    """Build or update the organization tree from spreadsheet rows (header excluded; row numbers
    in messages count the header as row 1). Every row is checked first; if any is bad, nothing
    is written and every bad row is reported."""
    result = ImportResult()
    parsed = []
    codes_in_file: dict[str, int] = {}
    for index, row in enumerate(rows, start=2):
        raw = (list(row) + [None] * 7)[:7]
        if all(c is None or not str(c).strip() for c in raw):
            continue
        problems = []
        cells = []
        for value, label in zip(raw, ORGANIZATION_HEADERS):
            try:
                cells.append(_cell_text(value, label=label))
            except ValidationError as exc:
                problems.append(exc.messages[0].rstrip("."))
                cells.append(None)  # reported; not reported again as missing or malformed
        code, name, short_name, kind_label, parent_code, members, order = (c or "" for c in cells)
        if problems:
            result.errors.append(_("Dòng %(row)d: %(problems)s.") % {"row": index, "problems": "; ".join(problems)})
            if code:
                codes_in_file.setdefault(code, index)
            continue
        if not code:
            problems.append(_("thiếu mã đơn vị"))
        elif code in codes_in_file:
            problems.append(_("mã đơn vị %(code)s trùng với dòng %(row)d") % {"code": code, "row": codes_in_file[code]})
        if not name:
            problems.append(_("thiếu tên đơn vị"))
        for label, value, field_name in (
            (_("mã đơn vị"), code, "code"),
            (_("tên đơn vị"), name, "name"),
            (_("tên viết tắt"), short_name, "short_name"),
        ):
            if len(value) > (limit := Organization._meta.get_field(field_name).max_length):
                problems.append(_("%(label)s dài quá %(limit)d ký tự") % {"label": label, "limit": limit})
        kind = _KIND_BY_LABEL.get(kind_label.lower()) if kind_label else OrganizationKind.GRASSROOTS
        if kind is None:
            allowed = ", ".join(str(label) for label in OrganizationKind.labels)
            problems.append(
                _("loại «%(kind)s» không hợp lệ (chọn một trong: %(allowed)s)") % {"kind": kind_label, "allowed": allowed}
            )
        member_count = None
        if members:
            if not (members.isascii() and members.isdigit()):
                problems.append(_("số đảng viên «%(value)s» phải là số nguyên không âm") % {"value": members[:20]})
            elif len(members) > 10 or int(members) > _MAX_POSITIVE_INT:
                problems.append(_("số đảng viên «%(value)s» quá lớn (tối đa 2.147.483.647)") % {"value": members[:20]})
            else:
                member_count = int(members)
        sort_order = 0
        if order:
            if not (order.isascii() and order.isdigit()):
                problems.append(_("thứ tự «%(value)s» phải là số nguyên không âm") % {"value": order[:20]})
            elif len(order) > 10 or int(order) > _MAX_POSITIVE_INT:
                problems.append(_("thứ tự «%(value)s» quá lớn (tối đa 2.147.483.647)") % {"value": order[:20]})
            else:
                sort_order = int(order)
        if parent_code and parent_code == code:
            problems.append(_("đơn vị không thể là cấp trên của chính nó"))
        if problems:
            result.errors.append(_("Dòng %(row)d: %(problems)s.") % {"row": index, "problems": "; ".join(problems)})
        if code:
            codes_in_file.setdefault(code, index)
        parsed.append((index, code, name, short_name, kind, parent_code, member_count, sort_order))

    existing = set(Organization.objects.values_list("code", flat=True))
    for index, _code, *_rest, parent_code, _m, _o in parsed:
        if parent_code and parent_code not in codes_in_file and parent_code not in existing:
            result.errors.append(
                _("Dòng %(row)d: không tìm thấy đơn vị cấp trên có mã %(code)s.") % {"row": index, "code": parent_code}
            )
    # A cycle (A under B under A) would never resolve, whether it lies inside the file or runs
    # through units already in the database that the file does not mention.
    parent_of = dict(Organization.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    parent_of.update({p[1]: p[5] for p in parsed if p[1]})
    for index, code, *_rest in parsed:
        seen, current = set(), code
        while current in parent_of and parent_of[current]:
            if current in seen:
                result.errors.append(
                    _("Dòng %(row)d: cấp trên của đơn vị %(code)s tạo thành vòng lặp.") % {"row": index, "code": code}
                )
                break
            seen.add(current)
            current = parent_of[current]
    if result.errors:
        return result

    try:
        _organizations_write(parsed, codes_in_file, result)
    except _RowRefused as refused:
        # A move the tree cannot take (under one of the unit's own units already in the database).
        result.created = result.updated = 0
        result.errors.append(_("Dòng %(row)d: %(problems)s") % {"row": refused.index, "problems": refused.message})
    return result


class _RowRefused(Exception):
    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index, self.message = index, message


def _organizations_write(parsed: list[tuple], codes_in_file: dict[str, int], result: ImportResult) -> None:
    with transaction.atomic():
        by_code = {o.code: o for o in Organization.objects.select_for_update().filter(code__in=codes_in_file)}
        # Parents first: process in an order where each unit comes after its parent.
        pending = list(parsed)
        while pending:
            progressed = []
            for item in pending:
                index, code, name, short_name, kind, parent_code, member_count, sort_order = item
                if parent_code and parent_code in codes_in_file and parent_code not in by_code:
                    continue
                parent = by_code.get(parent_code) or (Organization.objects.get(code=parent_code) if parent_code else None)
                org = by_code.get(code)
                values = {
                    "name": name,
                    "short_name": short_name,
                    "kind": kind,
                    "parent": parent,
                    "member_count": member_count,
                    "sort_order": sort_order,
                }
                if org is None:
                    org = Organization(code=code, **values)
                    result.created += 1
                else:
                    for attr, value in values.items():
                        setattr(org, attr, value)
                    result.updated += 1
                try:
                    org.save()
                except ValidationError as exc:
                    raise _RowRefused(index, " ".join(exc.messages)) from exc
                by_code[code] = org
                progressed.append(item)
            if not progressed:  # pragma: no cover - cycles are rejected above
                raise RuntimeError("organization import could not order parents")
            pending = [p for p in pending if p not in progressed]
