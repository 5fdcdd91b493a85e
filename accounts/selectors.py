from .enums import OrganizationKind
from .models import Organization, Profile


def profile_is_complete(user) -> bool:
    if not user.is_authenticated:
        return False
    try:
        return user.profile is not None
    except Profile.DoesNotExist:
        return False


def profile_for_user(user) -> Profile | None:
    return Profile.objects.select_related("organization").filter(user=user).first()


def organization_choice_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """Units grouped for a phone-friendly select: each grassroots organization (or district
    committee, mass organization) with its party cells indented under it. One query."""
    orgs = list(Organization.objects.filter(is_active=True).only("id", "name", "kind", "parent_id", "path", "sort_order"))
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
        entries = [(org.id, org.name)]
        stack = list(reversed(by_parent.get(org.id, [])))
        while stack:
            child = stack.pop()
            if child.id in top_ids:
                continue
            entries.append((child.id, f"— {child.name}"))
            stack.extend(reversed(by_parent.get(child.id, [])))
        by_kind.setdefault(org.kind, []).extend(entries)
    for kind, label in kind_labels.items():
        if by_kind.get(kind):
            groups.append((str(label), by_kind[kind]))
    return groups
