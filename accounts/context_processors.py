from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .enums import Role
from .roles import user_roles


def roles(request):
    """Navigation changes with the user's role: templates read `roles.organizer` and so on."""

    def compute():
        names = user_roles(request.user) if hasattr(request, "user") else frozenset()
        return {role.value: role.value in names for role in Role} | {"staff": bool(names & {Role.ORGANIZER, Role.SECRETARIAT})}

    return {
        "roles": SimpleLazyObject(compute),
        "CONTEST_HOTLINE": settings.CONTEST_HOTLINE,
        "CONTEST_CONTACT_EMAIL": settings.CONTEST_CONTACT_EMAIL,
        "TRIAL_INSTALL": settings.TRIAL_INSTALL,
    }
