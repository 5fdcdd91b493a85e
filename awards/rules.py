"""Who may see prizes and certificates, verify prizes, and see winners' details: the awards
app's permissions (see reports.rules for the export workbooks)."""

import rules

from accounts.rules import is_office, is_organizer, is_secretariat


@rules.predicate
def can_download_certificate(user, certificate) -> bool:
    """A certificate's PDF: its owner (the contestant; the submitter of an awarded essay), the
    secretariat and the organizers."""
    return bool(user.is_authenticated and certificate is not None and (certificate.user_id == user.pk or is_office(user)))


@rules.predicate
def can_see_winner_details(user) -> bool:
    """Winners' ID numbers and bank accounts: the secretariat only (it pays the prizes)."""
    return bool(user.is_authenticated and is_secretariat(user))


rules.add_perm("awards.view_winners", is_office)  # the winners pages, the award list, its download
rules.add_perm("awards.verify_prize", is_secretariat)  # a verdict on a drafted prize (both parts)
rules.add_perm("awards.amend_prize", is_secretariat)  # an amendment after publication (both parts)
rules.add_perm("awards.view_certificates", is_office)  # the certificates page and its job
rules.add_perm("awards.download_certificate", can_download_certificate)  # one certificate's PDF
rules.add_perm("awards.see_winner_details", can_see_winner_details)  # the list and one winner's details
rules.add_perm("awards.change_winner_details", can_see_winner_details)  # a change, a re-issued request
rules.add_perm("awards.prepare_award", can_see_winner_details)  # the award decision, the payment list, their downloads
rules.add_perm("awards.edit_prize_plan", is_organizer)  # the prize plan's amounts (admin «Mức thưởng»)
