"""Roles are Django groups. This module reads them (`user_roles`, `has_role`) and gives each role
its model permissions for the admin; the role predicates and the named permissions views ask are
django-rules' (`accounts.rules` and each app's `rules.py`).

The groups are created by a migration (accounts 0002); their permissions are synced after every
`migrate` (post_migrate), because the permissions of later apps do not exist yet when the
accounts migrations run."""

from .enums import Role

# app_label -> the model permissions ("view", "add", "change", "delete") each role gets there.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.ORGANIZER: {
        "accounts": ("view", "add", "change"),
        "contests": ("view", "add", "change", "delete"),
        "quiz": ("view", "add", "change", "delete"),
        "essays": ("view", "add", "change"),
        "reports": ("view",),
        "audit": ("view",),
        "awards": ("view",),
    },
    # The secretariat screens, verifies and reports on its own pages (/essays/manage/, /reports/),
    # each a service behind a role check; in the admin it only looks things up.
    Role.SECRETARIAT: {
        "accounts": ("view",),
        "contests": ("view",),
        "quiz": ("view",),
        "essays": ("view",),
        "reports": ("view",),
        "audit": ("view",),
        "awards": ("view",),
    },
    Role.JUDGE: {},
    Role.CONTESTANT: {},
    # Unit officers work on their own pages (/reports/units/), never in the admin.
    Role.UNIT_OFFICER: {},
}


def role_label(group_name: str) -> str:
    """What people read for a role's group: the role's Vietnamese label. The group's name is a key
    used in code and stays as it is; a group that is not a role shows its own name."""
    return Role(group_name).label if group_name in Role.values else group_name


# The people who work on a contest rather than compete in it. One definition, used wherever it
# matters: prize drafting skips them, sign-up does not ask them for a contestant profile.
STAFF_ROLES = (Role.ORGANIZER, Role.SECRETARIAT, Role.JUDGE)


def sync_role_permissions(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    for role, per_app in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for app_label, actions in per_app.items():
            perms = Permission.objects.filter(content_type__app_label=app_label)
            wanted += [p for p in perms if p.codename.split("_", 1)[0] in actions]
        group.permissions.set(wanted)


def user_roles(user) -> frozenset[str]:
    """The roles of a user, cached on the instance for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {Role.ORGANIZER, Role.SECRETARIAT}
        user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_staff(user) -> bool:
    """Whether a user works on the contest: an organizer, the secretariat, a judge, or an account
    that may enter the admin (Django's `is_staff`). Staff are never drafted for a prize.

    Which staff may see what is a separate question answered by the permissions (each app's
    `rules.py`): the live leaderboard, for instance, is for organizers and the secretariat only."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff) or has_role(user, *STAFF_ROLES)


def may_win_prize(user) -> bool:
    """Whether a ranked person is drafted for a prize: not staff, and an account that was not
    switched off. An account switched off because its owner's data were anonymized still holds
    its results (docs/decisions.md, "Personal data"), so anonymizing a winner changes no list."""
    return (user.is_active or user.anonymized_at is not None) and not is_staff(user)
