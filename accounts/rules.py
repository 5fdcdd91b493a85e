"""The roles as django-rules predicates (one definition each, from the groups: `accounts.roles`),
the permissions of the accounts app (and `contests.copy_contest`: contests sits below the roles,
its copy page only asks the permission), and who may see and change a unit's people: one
predicate, asked by the officer's pages, the member list import, the downloads and the admin
(see reports.unit_views and accounts.members).

Organizers and the secretariat reach every unit. A unit officer reaches the units assigned to
them (UnitOfficer) and everything under them, by the materialized path; nobody else reaches any."""

from functools import reduce
from operator import or_

import rules
from django.db.models import Q, QuerySet
from django.http import Http404

from .enums import Role
from .models import Organization
from .roles import has_role

# --- Roles --------------------------------------------------------------------------------------------
# A superuser counts as an organizer and the secretariat (accounts.roles.user_roles). Every other
# app's rules.py builds on these; nobody asks a group by name.


@rules.predicate
def is_organizer(user) -> bool:
    """Decisions (sealing, answer keys, the bank with its answers, publishing essays, the contest
    copy) are the organizers'; the secretariat's admin is for looking things up. None (no user)
    is not one."""
    return user is not None and has_role(user, Role.ORGANIZER)


@rules.predicate
def is_secretariat(user) -> bool:
    return user is not None and has_role(user, Role.SECRETARIAT)


@rules.predicate
def is_judge(user) -> bool:
    return user is not None and has_role(user, Role.JUDGE)


@rules.predicate
def is_unit_officer(user) -> bool:
    return user is not None and has_role(user, Role.UNIT_OFFICER)


# The office: the staff who see contestants' data and the figures (attempts, exports, the live
# leaderboard).
is_office = is_organizer | is_secretariat
# Who opens the unit pages at all; which units each may open is can_manage_unit.
reaches_units = is_unit_officer | is_office

# --- Permissions ----------------------------------------------------------------------------------------

rules.add_perm("accounts.manage_members", reaches_units)  # the member list: template, import
rules.add_perm("accounts.remove_unit_officer", is_organizer)  # deleting an assignment (admin)
rules.add_perm("contests.copy_contest", is_organizer)  # «Sao chép cuộc thi» (contests.copy_views)

# --- Units ------------------------------------------------------------------------------------------------


def officer_roots(user) -> list[Organization]:
    """The units assigned to a unit officer (their subtrees are theirs), cached on the user for
    the request. Empty for anyone without the role, even with a stale assignment left over."""
    if not user.is_authenticated or not is_unit_officer(user):
        return []
    cached = getattr(user, "_officer_roots", None)
    if cached is None:
        cached = list(
            Organization.objects.filter(officers__user=user).only("id", "name", "short_name", "kind", "path", "member_count")
        )
        user._officer_roots = cached
    return cached


def sees_every_unit(user) -> bool:
    return user.is_authenticated and is_office(user)


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
