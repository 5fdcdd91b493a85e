from collections.abc import Iterable

from .enums import OrganizationKind
from .models import Organization, Profile

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
