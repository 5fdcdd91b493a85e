from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from .enums import InvitationChannel, InvitationStatus, MemberStatus, OrganizationKind
from .models import InvitationDelivery, Member, Organization, Profile

# Between the parts of a unit's full name: «Đảng bộ Cục Thuế tỉnh › Chi bộ Phòng Tổng hợp».
LABEL_SEPARATOR = " › "


def profile_is_complete(user) -> bool:
    if not user.is_authenticated:
        return False
    try:
        return user.profile is not None
    except Profile.DoesNotExist:
        return False


def profile_for_user(user) -> Profile | None:
    return Profile.objects.select_related("organization").filter(user=user).first()


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _compose(org_id: int, path: str, by_id: dict[int, tuple[str, str]]) -> str:
    """The rule of a unit's full name: the names along its path, from the first level under
    the bloc down to the unit (the bloc is the same for everyone and is left out)."""
    names = [by_id[i][0] for i in (_path_ids(path) or [org_id]) if i in by_id and by_id[i][1] != OrganizationKind.BLOC]
    if not names and org_id in by_id:  # a bloc itself
        names = [by_id[org_id][0]]
    return LABEL_SEPARATOR.join(names)


def organization_labels(organizations: Iterable[Organization]) -> dict[int, str]:
    """Each unit's full name (its path of names, «Đảng bộ Cục Thuế tỉnh › Chi bộ Phòng Tổng
    hợp»), by id: the one helper every page and export uses to name a unit. One query for the
    ancestors' names, whatever the number of units (they need `path` loaded)."""
    organizations = [o for o in organizations if o is not None]
    if not organizations:
        return {}
    wanted = {i for o in organizations for i in _path_ids(o.path)} | {o.pk for o in organizations}
    by_id = {pk: (name, kind) for pk, name, kind in Organization.objects.filter(pk__in=wanted).values_list("pk", "name", "kind")}
    return {o.pk: _compose(o.pk, o.path, by_id) for o in organizations}


def organization_label(organization: Organization | None) -> str:
    """One unit's full name (see organization_labels)."""
    if organization is None:
        return ""
    return organization_labels([organization])[organization.pk]


def organization_choice_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """Units grouped for a phone-friendly select: each grassroots organization (or district
    committee, mass organization) followed by its party cells, every unit under its full name
    (organization_labels' rule) so two cells of the same name in different organizations are
    told apart. One query."""
    every = list(Organization.objects.only("id", "name", "kind", "parent_id", "path", "sort_order", "is_active"))
    # The labels come from the same rows; an inactive parent still names its active units.
    by_id = {o.pk: (o.name, o.kind) for o in every}
    orgs = [o for o in every if o.is_active]
    by_parent: dict[int | None, list[Organization]] = {}
    for org in orgs:
        by_parent.setdefault(org.parent_id, []).append(org)
    for children in by_parent.values():
        children.sort(key=lambda o: (o.sort_order, o.name))
    groups = []
    kind_labels = dict(OrganizationKind.choices)
    tops = [o for o in orgs if o.kind != OrganizationKind.CELL and o.kind != OrganizationKind.BLOC]
    top_ids = {o.id for o in tops}
    by_kind: dict[str, list[tuple[int, str]]] = {}
    for org in sorted(tops, key=lambda o: (o.sort_order, o.name)):
        entries = [(org.id, _compose(org.pk, org.path, by_id))]
        stack = list(reversed(by_parent.get(org.id, [])))
        while stack:
            child = stack.pop()
            if child.id in top_ids:
                continue
            entries.append((child.id, _compose(child.pk, child.path, by_id)))
            stack.extend(reversed(by_parent.get(child.id, [])))
        by_kind.setdefault(org.kind, []).extend(entries)
    for kind, label in kind_labels.items():
        if by_kind.get(kind):
            groups.append((str(label), by_kind[kind]))
    return groups


# --- A unit's member list and its invitations ----------------------------------------------------

_INVITED = Exists(InvitationDelivery.objects.filter(member=OuterRef("pk")))
MEMBER_FILTERS = {
    "": (_("Tất cả"), Q()),
    "not_invited": (_("Chưa mời"), ~Q(status=MemberStatus.ACCEPTED) & ~_INVITED),
    "invited": (_("Đã mời, chưa đăng ký"), ~Q(status=MemberStatus.ACCEPTED) & _INVITED),
    "signed_up": (_("Đã đăng ký"), Q(status=MemberStatus.ACCEPTED)),
}


@dataclass
class MemberListing:
    show: str
    members: object  # the queryset of the chosen filter, paginated by the view
    counts: dict  # filter → number of people ("all" for everyone)
    filters: list  # (key, label, count)


def member_rows(*, organization: Organization, show: str) -> MemberListing:
    """The people of a unit's subtree for its member page, by filter (MEMBER_FILTERS), and how
    many each filter holds (one query)."""
    show = show if show in MEMBER_FILTERS else ""
    subtree = Member.objects.filter(organization__path__startswith=organization.path)
    counts = subtree.aggregate(**{key or "all": Count("pk", filter=q) for key, (_label, q) in MEMBER_FILTERS.items()})
    members = subtree.filter(MEMBER_FILTERS[show][1]).order_by("organization__path", "full_name", "pk")
    filters = [(key, label, counts[key or "all"]) for key, (label, _q) in MEMBER_FILTERS.items()]
    return MemberListing(show=show, members=members, counts=counts, filters=filters)


@dataclass
class InvitationState:
    """The last invitation by one channel: what the member page shows of it."""

    status: str
    label: str
    at: object  # when it was sent, or queued
    error: bool


@dataclass
class MemberRow:
    member: Member
    unit_label: str
    status_label: str
    sms: InvitationState | None
    email: InvitationState | None
    sms_count: int


def rows_for_page(members, *, unit: Organization) -> tuple[list[MemberRow], str]:
    """The page's people with their units' labels and their last invitation per channel, and the
    label of `unit`: three queries whatever the page holds (the people with their units, their
    deliveries, the units' ancestors)."""
    deliveries = InvitationDelivery.objects.exclude(status=InvitationStatus.CANCELLED).order_by("-created_at", "-pk")
    people = list(
        members.select_related("organization").prefetch_related(Prefetch("deliveries", queryset=deliveries, to_attr="recent"))
    )
    labels = organization_labels([unit, *(m.organization for m in people)])
    statuses = dict(MemberStatus.choices)
    kinds = dict(InvitationStatus.choices)
    rows = []
    for member in people:
        last = {}
        for delivery in member.recent:
            last.setdefault(delivery.channel, delivery)
        states = {
            channel: InvitationState(d.status, kinds[d.status], d.sent_at or d.created_at, d.status == InvitationStatus.FAILED)
            for channel, d in last.items()
        }
        sms_count = sum(1 for d in member.recent if d.channel == InvitationChannel.SMS)
        rows.append(
            MemberRow(
                member=member,
                unit_label=labels.get(member.organization_id, ""),
                status_label=statuses.get(member.status, ""),
                sms=states.get(InvitationChannel.SMS),
                email=states.get(InvitationChannel.EMAIL),
                sms_count=sms_count,
            )
        )
    return rows, labels[unit.pk]
