"""Who may have a certificate, and who sees winners' details (see reports.rules for the export
workbooks)."""

from accounts.enums import Role
from accounts.roles import OFFICE_ROLES, has_role


def can_download_certificate(user, certificate) -> bool:
    """A certificate's PDF: its owner (the contestant; the submitter of an awarded essay), the
    secretariat and the organizers."""
    return bool(user.is_authenticated and (certificate.user_id == user.pk or has_role(user, *OFFICE_ROLES)))


def can_see_winner_details(user) -> bool:
    """Winners' ID numbers and bank accounts: the secretariat only (it pays the prizes)."""
    return bool(user.is_authenticated and has_role(user, Role.SECRETARIAT))
