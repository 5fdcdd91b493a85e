from django.conf import settings


def roles(request):
    """The contest's contacts and the trial banner for every page. What a page shows by role it
    asks a named permission (`{% load rules %}{% has_perm … %}`, docs/architecture.md «Permissions»),
    never a role by name."""
    return {
        "CONTEST_HOTLINE": settings.CONTEST_HOTLINE,
        "CONTEST_CONTACT_EMAIL": settings.CONTEST_CONTACT_EMAIL,
        "TRIAL_INSTALL": settings.TRIAL_INSTALL,
    }
