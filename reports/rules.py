"""Who may have a report file (see essays.rules for the writing contest, awards.rules for
certificates and winners' details)."""

from accounts.roles import OFFICE_ROLES, has_role


def can_download_export(user, job) -> bool:
    """An export workbook (every e-mail and phone): the one who asked for it, the secretariat and
    the organizers."""
    return bool(user.is_authenticated and (job.requested_by_id == user.pk or has_role(user, *OFFICE_ROLES)))
