"""Who may see and change a unit's people: one predicate, asked by the officer's pages, the
member list import, the downloads and the admin (see reports.views_units and accounts.members).

Organizers and the secretariat reach every unit. A unit officer reaches the units assigned to
them (UnitOfficer) and everything under them, by the materialized path; nobody else reaches any."""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from .enums import Role
from .models import Organization
from .roles import OFFICE_ROLES, has_role

# Who opens the unit pages at all; which units each may open is can_manage_unit.
UNIT_ROLES = (Role.UNIT_OFFICER, *OFFICE_ROLES)


def officer_roots(user) -> list[Organization]:
    """The units assigned to a unit officer (their subtrees are theirs), cached on the user for
    the request. Empty for anyone without the role, even with a stale assignment left over."""
    if not user.is_authenticated or not has_role(user, Role.UNIT_OFFICER):
        return []
    cached = getattr(user, "_officer_roots", None)
    if cached is None:
        cached = list(
            Organization.objects.filter(officers__user=user).only("id", "name", "short_name", "kind", "path", "member_count")
        )
        user._officer_roots = cached
    return cached


def sees_every_unit(user) -> bool:
    return user.is_authenticated and has_role(user, *OFFICE_ROLES)


def units_in_reach(user) -> QuerySet[Organization]:
    """Every unit whose people the user may see: all of them for organizers and the secretariat,
    the assigned subtrees for a unit officer, none for anyone else."""
    if sees_every_unit(user):
        return Organization.objects.all()
    roots = officer_roots(user)
    if not roots:
        return Organization.objects.none()
    return Organization.objects.filter(reduce(or_, (Q(path__startswith=r.path) for r in roots)))


def can_manage_unit(user, organization: Organization | None) -> bool:
    """The one rule: may this user see the people of this unit (figures, the list of those who
    have not taken part, the member list) and import members into it?"""
    if organization is None or not user.is_authenticated:
        return False
    if sees_every_unit(user):
        return True
    return any(organization.path.startswith(root.path) for root in officer_roots(user) if root.path)


def get_unit_for_user(user, pk) -> Organization:
    """The unit, if the user may manage it; otherwise 404, the same answer as a unit that does not
    exist, so an id typed into the URL tells nothing."""
    organization = Organization.objects.filter(pk=pk).first()
    if not can_manage_unit(user, organization):
        raise Http404
    return organization


def is_officer(user) -> bool:
    return bool(officer_roots(user))
